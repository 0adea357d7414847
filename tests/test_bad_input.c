/* test_bad_input.c — STUB: tests to be written. */
#include "suites.h"
#include "testutil.h"

Suite *bad_input_suite(void)
{
    Suite *s = suite_create("bad_input");
    return s;
}
