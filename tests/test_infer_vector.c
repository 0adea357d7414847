/* test_infer_vector.c — STUB: tests to be written. */
#include "suites.h"
#include "testutil.h"

Suite *infer_vector_suite(void)
{
    Suite *s = suite_create("infer_vector");
    return s;
}
