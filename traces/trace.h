/*
 * trace.h — a simulation as a Chrome Trace Event file (JSON, gzip via
 * zlib) that opens in Perfetto (ui.perfetto.dev) and chrome://tracing.
 *
 * Tracks (one process, one "thread" each): the ops, one slice per op that
 * runs (fused ops listed in its args); MXU0..n-1 (GPUs: one "SMs" track,
 * the busy SM count in each slice's args); VPU; DMA in; DMA out; the host
 * link (chips that have one). Counters: HBM bandwidth in use
 * (GB/s) and SRAM occupancy (MiB: live activations plus parameters held on
 * chip). Times are microseconds.
 *
 * The engine times an op in closed form (sim/engine.c): T identical tiles
 * through a pipeline of stages HBM DMA -> host link -> MXU -> VPU. The
 * tile-level trace redraws that pipeline: tile i of stage s runs for
 * stage_cycles[s] / T and starts when tile i of the stage before it and
 * tile i-1 of its own stage are done. The fixed latencies (HBM, host link)
 * come first, the systolic drain last. Where the engine's rounding leaves
 * the redrawn pipeline longer than the op, the non-DMA stages shrink to fit,
 * so a DMA never runs faster than the chip's bandwidth. Each step's DMA
 * time is split into its reads (DMA in) and writes (DMA out), which share
 * the bandwidth, in the proportion of the op's bytes. Ops with more tiles
 * than max_slices_per_op show groups of consecutive tiles as one slice.
 */
#ifndef TPUSIM_TRACE_H
#define TPUSIM_TRACE_H

#include <stddef.h>
#include <stdint.h>

#include "report.h"

enum trace_level { TRACE_OP, TRACE_TILE };

struct trace_options {
    enum trace_level level;
    uint64_t max_slices_per_op;  /* per track, tile level; 0: TRACE_DEFAULT_SLICES */
    const char *model;           /* shown as the process name; may be NULL */
};

#define TRACE_DEFAULT_SLICES 64

/* Writes the trace of a report's simulation to `path` (gzip-compressed).
 * Returns a tpusim_status; err names the file and the problem. */
int trace_write(const char *path, const struct report *rp, const struct trace_options *o,
                char *err, size_t err_len);

#endif /* TPUSIM_TRACE_H */
