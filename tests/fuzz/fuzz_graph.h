/*
 * fuzz_graph.h — the harness the model-file targets share (fuzz_onnx.c,
 * fuzz_tflite.c): bytes through one of the library's buffer loaders, then,
 * for a graph that loads, a simulation with the fast engine on tpu_v3. Any
 * crash, leak, hang or sanitizer report is a bug; an error return is the
 * expected answer to most inputs. `make fuzz`.
 */
#ifndef TPUSIM_FUZZ_GRAPH_H
#define TPUSIM_FUZZ_GRAPH_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "tpusim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef int (*fuzz_loader)(tpusim_graph *g, const void *data, size_t size, const char *name);

/* The chip is loaded once per process and only read afterwards; the
 * harness, not the library, keeps it. TPUSIM_MODELS_DIR points at models/. */
static tpusim_context *fuzz_ctx;
static tpusim_chip *fuzz_chip;
static tpusim_result *fuzz_res;

static int fuzz_graph(fuzz_loader load, const uint8_t *data, size_t size)
{
    if (!fuzz_ctx && (tpusim_context_open(0, &fuzz_ctx) ||
                      tpusim_chip_open(fuzz_ctx, "tpu_v3", NULL, NULL, 0, &fuzz_chip) ||
                      tpusim_result_new(&fuzz_res)))
        abort(); /* the harness is misconfigured, not the input bad */
    tpusim_graph *g = NULL;
    if (tpusim_graph_new(&g))
        return 0;
    if (load(g, data, size, "fuzz") == TPUSIM_OK)
        (void)tpusim_graph_query(fuzz_ctx, g, fuzz_chip, NULL, fuzz_res);
    tpusim_graph_close(g);
    return 0;
}

#endif /* TPUSIM_FUZZ_GRAPH_H */
