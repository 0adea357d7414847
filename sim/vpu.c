/* vpu.c — STUB */
#include "vpu.h"
