/*
 * main.c — runs every Check suite. TPUSIM_SUITE=name runs one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"

static const struct {
    const char *name;
    Suite *(*make)(void);
} SUITES[] = {
    {"graph", graph_suite},
    {"infer_nn", infer_nn_suite},
    {"infer_vector", infer_vector_suite},
    {"infer_shape", infer_shape_suite},
    {"infer_misc", infer_misc_suite},
    {"onnx_import", onnx_import_suite},
    {"tflite_import", tflite_import_suite},
    {"bad_input", bad_input_suite},
    {"chip", chip_suite},
    {"stack", stack_suite},
    {"units", units_suite},
    {"engine", engine_suite},
    {"sched", sched_suite},
    {"report", report_suite},
    {"gpu", gpu_suite},
    {"api", api_suite},
    {"zoo", zoo_suite},
    {"energy", energy_suite},
    {"sweep", sweep_suite},
};

int main(void)
{
    const char *only = getenv("TPUSIM_SUITE");
    SRunner *sr = NULL;
    for (size_t i = 0; i < sizeof SUITES / sizeof SUITES[0]; i++) {
        if (only && only[0] && strcmp(only, SUITES[i].name) != 0)
            continue;
        if (!sr)
            sr = srunner_create(SUITES[i].make());
        else
            srunner_add_suite(sr, SUITES[i].make());
    }
    if (!sr) {
        fprintf(stderr, "no suite named '%s'\n", only);
        return 2;
    }
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
