/* suites.h — every Check suite of tpusim; tests/main.c runs them in order. */
#ifndef TPUSIM_SUITES_H
#define TPUSIM_SUITES_H

#include <check.h>

Suite *graph_suite(void);
Suite *infer_nn_suite(void);
Suite *infer_vector_suite(void);
Suite *infer_shape_suite(void);
Suite *infer_misc_suite(void);
Suite *onnx_import_suite(void);
Suite *tflite_import_suite(void);
Suite *bad_input_suite(void);
Suite *chip_suite(void);
Suite *stack_suite(void);
Suite *units_suite(void);
Suite *engine_suite(void);
Suite *sched_suite(void);
Suite *report_suite(void);
Suite *gpu_suite(void);
Suite *api_suite(void);
Suite *zoo_suite(void);
Suite *energy_suite(void);
Suite *sweep_suite(void);

#endif
