/* test_engine.c — STUB: tests to be written. */
#include "suites.h"
#include "testutil.h"

Suite *engine_suite(void)
{
    Suite *s = suite_create("engine");
    return s;
}
