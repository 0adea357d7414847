/*
 * tiling.h — an op as both engines run it: its work cut into tiles.
 *
 * The lowering (lower.c) decides what an op demands in total: matrix-unit
 * work (a GEMM shape), vector cycles, bytes to and from HBM, bytes over the
 * host link. tiling.c cuts that into the schedule a TPU compiler emits for a
 * double-buffered loop (Pallas's emit_pipeline; XLA's pipelined fusions);
 * a GPU library's kernel is timed whole and cut into steps of thread
 * blocks (plan_kernel):
 *
 *   prologue   the op's weights DMA'd from HBM into on-chip memory (or
 *              prefetched during the op before), host-link input, and the
 *              matrix unit's first weight load
 *   tile i     DMA in (activations; streamed weights; re-reads) -> MXU ->
 *              VPU (epilogue: bias, fused elementwise ops) -> DMA out,
 *              through on-chip buffer slots
 *   epilogue   host-link output
 *
 * Tiles 0 .. T-2 are identical ("full"); tile T-1 carries what is left
 * ("last"), priced on its own: a GEMM's last row block is timed for its own
 * rows, not as an average. The event engine (sched_event.c) runs every tile;
 * the fast engine (sched_fast.c) runs the same plan in closed form. One
 * plan, two engines: neither recomputes a demand.
 */
#ifndef TPUSIM_TILING_H
#define TPUSIM_TILING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chip.h"
#include "mxu.h"
#include "tpusim.h"

/* One tile's demands on each unit. */
struct tile_work {
    uint64_t read_bytes;         /* HBM -> on chip: activations, streamed weights, re-reads */
    uint64_t reread_bytes;       /* of read_bytes: re-reads forced by on-chip capacity */
    uint64_t write_bytes;        /* on chip -> HBM: outputs that do not stay on chip */
    uint64_t l2_bytes;           /* GPUs: reads of activations held in L2 */
    uint64_t mxu_cycles;         /* the matrix unit is held this long */
    uint64_t mxu_stream_cycles;  /* of mxu_cycles: streaming (the rest waits for weights) */
    uint64_t mxu_wave_cycles;    /* of mxu_cycles: GPUs' idle SMs in a partial last wave */
    uint64_t mxu_latency_cycles; /* the tile's last outputs leave the array this long after
                                  * it lets go of the array (the systolic drain) */
    uint64_t vpu_cycles;
};

/* Buffer slots per operand stream: double buffering. ASSUMED: the depth XLA
 * and Pallas pipelines use (jax.experimental.pallas TPU docs, "Pipelining":
 * two buffers per operand, one computed on while the other is copied). */
#define TILE_SLOTS 2

/* Sums over an op's tiles (plan_total), read by both engines. */
struct plan_totals {
    uint64_t read_bytes, reread_bytes, write_bytes, l2_bytes;
    uint64_t mxu_cycles, mxu_stream_cycles, mxu_wave_cycles, vpu_cycles;
};
struct op_plan {
    uint64_t tiles;              /* T >= 1 */
    struct tile_work full;       /* tiles 0 .. T-2 */
    struct tile_work last;       /* tile T-1 */
    uint64_t weight_bytes;       /* HBM -> on chip before tile 0 */
    uint64_t mxu_prologue_cycles;/* the array's first weight load, after the weights */
    uint64_t host_in_bytes;      /* over the host link before tile 0 (inputs, parameters) */
    uint64_t host_out_bytes;     /* over the host link after the last tile (outputs) */
    uint64_t host_cpu_cycles;    /* the host CPU runs the op (a stack's host op), its
                                  * inputs in, before its outputs go back */
    uint64_t slot_bytes;         /* on-chip bytes one tile's slots hold (in + out) */
    bool on_mxu;                 /* tiles run MXU -> VPU; else VPU only */
    bool serial;                 /* tile i+1's matrix work needs tile i's vector work (RNN) */
    struct plan_totals total;    /* over every tile */
};

/* The tile with index i (< plan->tiles). */
static inline const struct tile_work *plan_tile(const struct op_plan *p, uint64_t i)
{
    return i + 1 < p->tiles ? &p->full : &p->last;
}

/* The caches of plans within one simulation (lower.c: matrix ops planned,
 * GPU convolutions timed; sched_fast.c: plans timed) are direct-mapped:
 * PLAN_CACHE_SLOTS slots, indexed by a hash of a few numbers of what they
 * are keyed on; a hit compares the whole key. */
#define PLAN_CACHE_BITS 6
#define PLAN_CACHE_SLOTS (1 << PLAN_CACHE_BITS)

static inline size_t plan_cache_slot(const uint64_t *key, size_t n)
{
    uint64_t h = 0;
    for (size_t i = 0; i < n; i++)
        h = (h ^ key[i]) * UINT64_C(0x9E3779B97F4A7C15); /* Fibonacci hashing */
    return (size_t)(h >> (64 - PLAN_CACHE_BITS));
}

/* Fills p->total from its tiles; the planners call it last. */
void plan_total(struct op_plan *p);

/* What a matrix op hands the planner: its GEMM and its traffic. */
struct matrix_work {
    uint64_t batch, m, k, n;     /* `batch` independent (m x k) x (k x n) GEMMs */
    tpusim_dtype dtype;
    uint64_t read_bytes, reread_bytes, write_bytes, l2_bytes, weight_bytes;
    uint64_t streamed_weight_bytes; /* weights too big to hold: re-read with each tile */
    uint64_t vpu_cycles;         /* bias and fused epilogues over the whole op */
    uint64_t act_bytes;          /* all activation bytes in and out (slot sizing) */
};

/* A vector op (or data movement): cycles and traffic spread over tiles. */
struct vector_work {
    uint64_t vpu_cycles;
    uint64_t read_bytes, reread_bytes, write_bytes, l2_bytes, weight_bytes;
};

/* Rows of a GEMM per tile: large enough that the array's weight loads and
 * drains stay hidden behind streaming, small enough that two slots of
 * inputs and outputs fit in half of on-chip memory. */
uint64_t tiling_rows_per_tile(const struct chip *c, uint64_t m, uint64_t bytes_per_row);
/* Bytes of DMA traffic per tile of a streaming op. */
uint64_t tiling_vector_tile_bytes(const struct chip *c);

/* Plans a matrix op on a systolic array: tiles are blocks of GEMM rows (or
 * of independent GEMMs), each timed by the chip's matrix unit; *whole
 * receives the op's matrix-unit totals (mac slots, useful MACs, MXUs used)
 * for the reports. */
void plan_matrix(const struct chip *c, const struct matrix_work *w, struct op_plan *out,
                 struct mxu_timing *whole);
/* Plans a kernel a GPU library timed whole (t: its matrix-unit timing,
 * thread blocks in t->tiles): steps of thread blocks over which its time,
 * traffic and vector work spread evenly. */
void plan_kernel(const struct chip *c, const struct mxu_timing *t, const struct vector_work *w,
                 struct op_plan *out);
void plan_vector(const struct chip *c, const struct vector_work *w, struct op_plan *out);
/* A recurrence: `steps` serial steps of one GEMM (batch x k x n) each plus
 * vpu_cycles_per_step of gate arithmetic; traffic spread over the steps. */
void plan_recurrent(const struct chip *c, tpusim_dtype dtype, uint64_t steps, uint64_t batch,
                    uint64_t k, uint64_t n, uint64_t vpu_cycles, const struct vector_work *traffic,
                    struct op_plan *out, struct mxu_timing *whole);

#endif /* TPUSIM_TILING_H */
