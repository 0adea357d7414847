/* test_chip.c — STUB: tests to be written. */
#include "suites.h"
#include "testutil.h"

Suite *chip_suite(void)
{
    Suite *s = suite_create("chip");
    return s;
}
