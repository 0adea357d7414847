/* test_units.c — STUB: tests to be written. */
#include "suites.h"
#include "testutil.h"

Suite *units_suite(void)
{
    Suite *s = suite_create("units");
    return s;
}
