/*
 * scheduler.h — the two engines that run lowered ops (tiling.h's plans) in
 * time, and what they share.
 *
 * The machine both engines model, per core: a DMA engine that serves its
 * transfers one at a time in the order they become ready (ties: weights,
 * then reads, then writes; earlier ops and tiles first), a matrix unit, a
 * vector unit; per chip: HBM, whose bandwidth the cores' DMA engines share,
 * and the host link. A transfer becomes ready one latency after it is
 * issued (latency is pipelined: it never holds the engine). An op's tile i:
 *
 *   read  issued when an input slot is free (tiles 0..S-1 at the op's
 *         start; tile i when tile i-S's consumer, the MXU or for vector
 *         ops the VPU, is done with it)
 *   MXU   after its read, the op's prologue (weights in, first weight
 *         load), its output slot (tile i-S written back) and the MXU's
 *         previous tile; RNN steps also wait for the previous step's VPU
 *   VPU   the tile's matrix-unit latency after the MXU is done with it (or,
 *         for vector ops, after its read and output slot), and after the
 *         VPU's previous tile
 *   write issued when the VPU is done; frees the output slot
 *
 * with S = TILE_SLOTS. Host-link inputs arrive before tile 0 (latency, then
 * the DMA's transfers: their overheads and bytes at bandwidth), outputs
 * leave after the last.
 *
 * The fast engine (sched_fast.c) runs each op alone, in order, every core
 * with 1/cores of HBM bandwidth, and jumps over a steady state in closed
 * form; on one op alone the two engines agree to the cycle. The event
 * engine (sched_event.c) adds what only time can tell: the next op's
 * weights prefetched while this one computes, write-backs that overlap the
 * next op, cores that contend for HBM, GPU kernels launched ahead.
 */
#ifndef TPUSIM_SCHEDULER_H
#define TPUSIM_SCHEDULER_H

#include <stdbool.h>
#include <stdint.h>

#include "chip.h"
#include "cycles.h"
#include "engine.h"
#include "tiling.h"

/* DMA priority among transfers that become ready in the same cycle. */
enum dma_class { DMA_WEIGHTS, DMA_READ, DMA_WRITE, DMA_CLASSES };

/* Cycles one transfer holds a DMA engine that has all of HBM: bytes at
 * `bytes_per_cycle`, plus GPU L2 reads at L2 bandwidth. Inline: both
 * engines ask it for every tile they step. */
static inline uint64_t sched_dma_cycles(const struct chip *c, double bytes_per_cycle,
                                        uint64_t hbm_bytes, uint64_t l2_bytes)
{
    uint64_t t = 0;
    if (hbm_bytes)
        t = bytes_per_cycle > 0 ? ceil_cycles((double)hbm_bytes / bytes_per_cycle) : UINT64_MAX;
    if (l2_bytes && c->gpu_l2_bytes_per_cycle > 0)
        t = sat_add(t, ceil_cycles((double)l2_bytes / c->gpu_l2_bytes_per_cycle));
    return t;
}
/* The latency before a transfer's bytes start to move. A GPU kernel hides
 * DRAM latency across its warps, and its timing (sim/gpu.h) charges what
 * stays exposed: 0 there; the chip's HBM latency elsewhere. */
uint64_t sched_dma_latency_cycles(const struct chip *c);

/* One op alone from cycle t0 on a core with `bytes_per_cycle` of HBM:
 * its end, and each unit's busy cycles. Exact: the event engine's answer
 * for the same op alone (tests/test_sched.c checks it). */
struct op_span {
    uint64_t end;
    uint64_t dma_busy, mxu_busy, vpu_busy, host_busy;
    uint64_t tiles_stepped;   /* tiles simulated one by one (the rest jumped) */
};
void sched_fast_op(const struct chip *c, const struct op_plan *p, double bytes_per_cycle,
                   uint64_t t0, struct op_span *out);

/* The units an op's time can be charged to, and how each one's cycles
 * split into causes, in the op's proportions (re-reads of HBM traffic;
 * streaming, idle waves and weight loads of the matrix unit). */
enum sched_unit { SU_DMA, SU_MXU, SU_VPU, SU_HOST, SU_COUNT };
struct sched_shares {
    double reread;           /* of DMA cycles: sram_capacity */
    double stream, wave;     /* of MXU cycles: mxu, wave_quantisation (rest: weight_load) */
};
void sched_shares_of(const struct op_plan *p, struct sched_shares *out);
/* Adds `cycles` of unit u to stall[] (CAUSE_COUNT entries), split by sh. */
void sched_charge(const struct sched_shares *sh, enum sched_unit u, uint64_t cycles,
                  uint64_t *stall);
/* Adds `body` cycles (an op's span, launch excluded) to stall[] when the
 * exact critical path is not known (the fast engine): the busiest unit's
 * work, the rest to the latencies and pipeline ends it could not hide. */
void sched_attribute(const struct chip *c, const struct op_plan *p, const struct op_span *s,
                     double bytes_per_cycle, uint64_t body, uint64_t *stall);

/* Whether an op is a kernel the stack launches: it runs, does work on the
 * device (not on the host CPU). */
bool sched_launches(const struct op_demand *d);
/* The host's time to issue one kernel (the stack's dispatch plus
 * --framework-overhead-us), and the device's idle time between two
 * dependent kernels (the stack's gap), in chip cycles. */
uint64_t sched_dispatch_cycles(const struct chip *c, const struct sim_options *o);
uint64_t sched_gap_cycles(const struct chip *c, const struct sim_options *o);
/* HBM bytes per cycle per core when all o->cores cores stream at once. */
double sched_core_bandwidth(const struct chip *c, const struct sim_options *o);
/* An op's row before scheduling: what it moves and computes. */
void sched_result_init(const struct op_demand *d, struct op_result *r);
/* The cause with the most cycles. */
enum cause sched_bound(const struct op_result *r);

/* The engines: fill res->ops (one per op_demand) and res->sum. */
int sched_fast(const struct chip *c, const struct sim_options *o, const struct op_demand *d,
               int n, struct sim_result *res, char *err, size_t err_len);
int sched_event(const struct chip *c, const struct sim_options *o,
                const struct op_demand *const *d, int n, struct sim_result *res, char *err,
                size_t err_len);

#endif /* TPUSIM_SCHEDULER_H */
