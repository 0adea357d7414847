/* test_infer_nn.c — STUB: tests to be written. */
#include "suites.h"
#include "testutil.h"

Suite *infer_nn_suite(void)
{
    Suite *s = suite_create("infer_nn");
    return s;
}
