/* mxu.c — STUB */
#include "mxu.h"
