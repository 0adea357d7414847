/*
 * fuzz_ini.c — libFuzzer target: bytes as a chip file and as a stack file
 * through chip_load_text and stack_load_text (the line scan, libinih, the
 * key tables, ranges and conversions, the cross-key checks). Any crash or
 * sanitizer report is a bug; an error return is the expected answer to
 * most inputs. `make fuzz`.
 */
#include <stddef.h>
#include <stdint.h>

#include "chip.h"
#include "stack.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct chip c; /* large: off the stack */
    static struct stack s;
    char err[1024];
    (void)chip_load_text("fuzz.ini", (const char *)data, size, NULL, 0, &c, err, sizeof err);
    (void)stack_load_text("fuzz.ini", (const char *)data, size, NULL, 0, &s, err, sizeof err);
    return 0;
}
