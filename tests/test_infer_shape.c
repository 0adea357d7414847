/* test_infer_shape.c — STUB: tests to be written. */
#include "suites.h"
#include "testutil.h"

Suite *infer_shape_suite(void)
{
    Suite *s = suite_create("infer_shape");
    return s;
}
