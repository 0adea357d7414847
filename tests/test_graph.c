/* test_graph.c — STUB: tests to be written. */
#include "suites.h"
#include "testutil.h"

Suite *graph_suite(void)
{
    Suite *s = suite_create("graph");
    return s;
}
