/* test_onnx_import.c — STUB: tests to be written. */
#include "suites.h"
#include "testutil.h"

Suite *onnx_import_suite(void)
{
    Suite *s = suite_create("onnx_import");
    return s;
}
