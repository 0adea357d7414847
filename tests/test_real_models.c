/* test_real_models.c — STUB: tests to be written. */
#include "suites.h"
#include "testutil.h"

Suite *real_models_suite(void)
{
    Suite *s = suite_create("real_models");
    return s;
}
