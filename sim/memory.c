/* memory.c — STUB */
#include "memory.h"
