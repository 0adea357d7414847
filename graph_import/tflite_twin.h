/*
 * tflite_twin.h — an Edge TPU-compiled .tflite against the model it was
 * compiled from (its twin): which of the twin's ops the Edge TPU compiler
 * mapped to the Edge TPU (those the compiled file no longer runs outside
 * its edgetpu-custom-op), next to where tpusim places the twin's ops under
 * a stack (lower_host_placement: the stack's host_ops, from Coral's
 * supported-operations page).
 */
#ifndef TPUSIM_TFLITE_TWIN_H
#define TPUSIM_TFLITE_TWIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "graph.h"

struct stack;

struct twin_op {
    int index;             /* the op's index in the twin */
    char type[40];         /* its TFLite name ("CONV_2D") */
    char name[160];        /* its first output tensor */
    bool compiler_tpu;     /* the compiler mapped it into an edgetpu-custom-op */
    bool tpusim_tpu;       /* tpusim runs it on the Edge TPU */
};

struct twin_report {
    struct twin_op *ops;
    int n;
    int compiler_tpu, tpusim_tpu, agree;
};

/* compiled, twin: the two files' bytes; twin_graph: the twin loaded
 * (tpusim_graph_load_tflite_*). Errors: a TPUSIM_ code, message in err. */
int twin_compare(const uint8_t *compiled, size_t compiled_size, const uint8_t *twin,
                 size_t twin_size, const struct tpusim_graph *twin_graph, const struct stack *s,
                 struct twin_report *out, char *err, size_t err_len);
void twin_report_free(struct twin_report *r);

#endif /* TPUSIM_TFLITE_TWIN_H */
