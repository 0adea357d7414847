/*
 * trace.h — a simulation as a Chrome Trace Event file (JSON, gzip via
 * zlib) that opens in Perfetto (ui.perfetto.dev) and chrome://tracing.
 *
 * Drawn from the event engine's activities (sim/sched_event.h), not from a
 * formula: every slice is an activity that ran, at the cycles it ran.
 * Tracks per core: ops (one slice per op that runs, from its start to the
 * end of its vector work; fused ops listed in its args), MXU (GPUs: "SMs"),
 * VPU, DMA in (weights and reads), DMA out (write-backs), launch (GPUs);
 * per chip: the host link (chips that have one). A transfer may lie outside
 * its op's slice: weights prefetched during the op before, write-backs
 * that finish during the op after. Counters: HBM throughput (GB/s, from
 * the engine's bandwidth shares) and on-chip memory in use (MiB: live
 * activations, the running op's weights and buffer slots, parameters held
 * on chip).
 *
 * Timestamps are whole nanoseconds rounded from cycle boundaries (printed
 * as microseconds with three decimals), and a slice's duration is the
 * difference of its rounded ends, so slices that do not overlap in cycles
 * never overlap in the file. At tile level a track shows at most
 * max_slices_per_op slices per op: runs of consecutive activities of one
 * op on one track are merged when an op has more.
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
 * The simulation must come from the event engine (TPUSIM_ERR_ARG
 * otherwise). Returns a tpusim_status; err names the file and the problem. */
int trace_write(const char *path, const struct report *rp, const struct trace_options *o,
                char *err, size_t err_len);

#endif /* TPUSIM_TRACE_H */
