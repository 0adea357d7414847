/*
 * fuzz_onnx.c — libFuzzer target: bytes as an ONNX file through
 * tpusim_graph_load_onnx_buffer (wire check, protobuf-c, import, shape
 * inference), then, for a graph that loads, a simulation with the fast
 * engine on tpu_v3. Any crash, leak, hang or sanitizer report is a bug;
 * an error return is the expected answer to most inputs. `make fuzz`.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "tpusim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The chip is loaded once per process and only read afterwards; the
 * harness, not the library, keeps it. TPUSIM_MODELS_DIR points at models/. */
static tpusim_context *ctx;
static tpusim_chip *chip;
static tpusim_result *res;

static void open_chip(void)
{
    if (ctx)
        return;
    if (tpusim_context_open(0, &ctx) || tpusim_chip_open(ctx, "tpu_v3", NULL, NULL, 0, &chip) ||
        tpusim_result_new(&res))
        abort(); /* the harness is misconfigured, not the input bad */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    open_chip();
    tpusim_graph *g = NULL;
    if (tpusim_graph_new(&g))
        return 0;
    if (tpusim_graph_load_onnx_buffer(g, data, size, "fuzz") == TPUSIM_OK)
        (void)tpusim_graph_query(ctx, g, chip, NULL, res);
    tpusim_graph_close(g);
    return 0;
}
