/*
 * engine.h — simulating a finalized graph on a chip.
 *
 * lower.c turns each op into demands on the units (a GEMM on the matrix
 * unit, VPU cycles from the cost table, HBM and host-link bytes after
 * on-chip residency and fusion are decided) and tiling.c cuts them into
 * tiles; one of two engines (scheduler.h) runs the tiles in time: the event
 * engine, every tile, transfer and unit with cross-op and cross-core
 * effects (the reference), or the fast engine, each op alone in closed
 * form. Every cycle of an op is charged to one named cause.
 */
#ifndef TPUSIM_ENGINE_H
#define TPUSIM_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "chip.h"
#include "energy.h"
#include "graph.h"
#include "mxu.h"
#include "stack.h"
#include "tiling.h"

/* Where an op's cycles go. The first four are "the unit was the limit";
 * the rest are overheads of the matrix unit and the memory system. */
enum cause {
    CAUSE_MXU,         /* matrix unit streaming (useful work and padding) */
    CAUSE_VPU,         /* vector unit */
    CAUSE_HBM,         /* off-chip bandwidth and latency */
    CAUSE_HOST_LINK,   /* the host side: transfers over the host link (Edge TPU
                        * parameters) and ops the stack runs on the host CPU */
    CAUSE_SRAM,        /* re-reads forced by on-chip capacity */
    CAUSE_FILL_DRAIN,  /* systolic pipeline fill and drain */
    CAUSE_WEIGHT_LOAD, /* array idle while weights shift in */
    CAUSE_LAUNCH,      /* the stack's overheads: per kernel (launch, dispatch)
                        * and per inference */
    CAUSE_WAVE_QUANT,  /* GPU SMs idle in a GEMM's last partial wave */
    CAUSE_COUNT
};

const char *cause_name(enum cause c);

/* Which engine times the ops (scheduler.h): the closed-form one (the NAS
 * oracle's default) or the event-driven reference (the CLI's). */
enum engine_kind { ENGINE_FAST = 0, ENGINE_EVENT = 1 };

struct sim_options {
    tpusim_dtype dtype;  /* bf16, fp16, int8, fp32; UNDEFINED: the chip's default */
    bool no_fusion;      /* every stack fusion rule off */
    int cores;           /* cores running the graph at once (each its own copy), sharing HBM */
    enum engine_kind engine;
    double framework_overhead_us; /* host time per kernel on top of the stack's dispatch */
    const struct stack *stack;    /* the software stack; never NULL (stack_resolve picks
                                   * the chip's default) */
};

/* Demands of one scheduled op (after fusion), from lower.c: the totals the
 * lowering decided, and the tile plan both engines run (tiling.h). */
struct op_demand {
    int op;                  /* graph op index */
    int fused_into;          /* graph op index of the op it fused into, or -1 */
    int fused_into_row;      /* the same op as a row of lower_graph's output, or -1 */
    bool on_mxu;
    bool whole_kernel;       /* mxu is a GPU library kernel's whole time (plan_kernel) */
    struct mxu_timing mxu;   /* whole op, from its plan; zero when not on the MXU */
    uint64_t gemm_batch, gemm_m, gemm_k, gemm_n; /* matrix ops: the GEMM the MXU runs */
    uint64_t rnn_steps;      /* > 0: serial steps of a recurrence (one GEMM each) */
    uint64_t vpu_cycles;     /* own vector work plus fused epilogues */
    uint64_t hbm_bytes;      /* everything moved to or from HBM (the four below) */
    uint64_t hbm_read_bytes; /* activations read, re-reads included */
    uint64_t sram_extra_bytes; /* of hbm_read_bytes: re-reads forced by capacity */
    uint64_t hbm_weight_bytes; /* parameters read */
    uint64_t hbm_write_bytes;  /* outputs written */
    uint64_t host_bytes;     /* over the host link (Edge TPU): the two below */
    uint64_t host_in_bytes;  /* parameters that left the cache, model inputs */
    uint64_t host_out_bytes; /* model outputs */
    uint64_t l2_bytes;       /* GPUs: reads of inputs resident in L2 (outputs are not charged) */
    uint64_t act_bytes;      /* activations the op reads and writes, wherever they live,
                              * as the stack lays them out (padding included) */
    uint64_t act_useful_bytes; /* the same without the layout's padding */
    uint64_t flops, macs;
    bool on_host;            /* the stack runs it on the host CPU: no device kernel */
    uint64_t host_cpu_cycles; /* its time there (stack_host_cycles), after its transfers */
    uint64_t sram_live_bytes; /* activations on chip after the op */
    struct op_plan plan;     /* its tiles (fused ops: none) */
    /* For the NAS block cache (sim/cache.h) only; timing never reads these.
     * They describe this op itself, fused or not: */
    uint64_t weight_bytes;     /* its parameters' bytes (counted in param_bytes) */
    uint64_t param_cache_left; /* Edge TPU parameter cache left after it */
    bool out_resident;         /* its output 0 stayed on chip */
    /* The activation capacities (lower_capacity_bytes) over which every
     * residency decision of its outputs comes out as it did: [lo, hi). */
    uint64_t capacity_lo_bytes, capacity_hi_bytes;
    uint64_t prologue_hbm_bytes; /* fused into a later op's operand: its inputs' HBM */
    uint64_t prologue_l2_bytes;  /* and L2 reads, which land in that op */
};

struct op_result {
    int op;                  /* graph op index */
    int fused_into;          /* graph op index of the op it fused into, or -1 */
    int fused_into_row;      /* the same op as an index into sim_result.ops, or -1 */
    uint64_t start_cycle;
    uint64_t cycles;
    uint64_t stall[CAUSE_COUNT]; /* sums to cycles */
    enum cause bound;
    uint64_t flops, macs;
    uint64_t hbm_bytes, host_bytes;
    uint64_t mac_slots, useful_macs;
    /* For reports and traces only; timing never reads these. */
    uint64_t tiles;                    /* its tiles (op_plan.tiles, >= 1) */
    uint64_t mxus_used;                /* MXUs sharing the op's n-tiles (GPUs: busy SMs) */
    uint64_t sram_live_bytes;          /* activations on chip after the op */
    uint64_t buffer_bytes;             /* its weights and buffer slots on chip while it runs */
    uint64_t act_bytes, act_useful_bytes; /* its activations laid out, and without the
                                        * layout's padding (the report's layout waste) */
    uint64_t hbm_write_bytes;          /* of hbm_bytes: outputs written back */
    bool kernel;                       /* a kernel the stack runs on the device
                                        * (sched_launches) */
    uint64_t energy_fj[ENERGY_DYNAMIC_COUNT]; /* its dynamic energy, femtojoules, every
                                        * core's copy (energy.h); static follows from cycles */
};

/* Sums over a run of scheduled ops: a whole simulation (sim_result.sum),
 * one NAS block (cache.h's block_val) or a net of cached blocks. Every
 * field is 64-bit: block_val embeds it and must have no padding. */
struct sim_totals {
    uint64_t cycles, flops, macs, hbm_bytes, host_bytes, mac_slots, useful_macs;
    uint64_t stall[CAUSE_COUNT];
    uint64_t ops;            /* op_results summed, fused ones included */
    uint64_t kernels;        /* of them, kernels run on the device (op_result.kernel) */
    uint64_t energy_fj[ENERGY_DYNAMIC_COUNT]; /* dynamic energy, femtojoules: integers, so
                                               * that sums in any grouping (the NAS cache's
                                               * blocks) agree exactly; static follows from
                                               * cycles (energy_parts) */
};

void totals_add_op(struct sim_totals *t, const struct op_result *r);
/* Adds the stack's per-inference cost (`cycles`) to t, charged to launch. */
void totals_add_invocation(struct sim_totals *t, uint64_t cycles);
/* The stack's per-inference cost, in chip cycles, for a program of
 * `kernels` device kernels: the runtime's invocation, and on a chip with a
 * host link the compiled instructions the runtime sends with every
 * inference (stack.instruction_bytes_per_kernel each), one DMA over the
 * link ahead of the model's inputs. */
uint64_t invocation_cycles(const struct chip *c, const struct stack *s, uint64_t kernels);
void totals_merge(struct sim_totals *t, const struct sim_totals *add);

struct event_log; /* sched_event.h */

struct sim_result {
    const struct chip *chip;
    const struct stack *stack;
    const struct tpusim_graph *graph;
    tpusim_dtype dtype;
    enum engine_kind engine;
    struct op_result *ops;   /* one per running graph op, in schedule order */
    int n_ops;
    struct sim_totals sum;   /* over ops and the invocation, filled once by schedule_ops */
    uint64_t invocation_cycles; /* the stack's per-inference cost (invocation_cycles()):
                                 * in sum (as launch), before the first op, in its row */
    uint64_t param_bytes, params_on_chip_bytes;
    struct event_log *events; /* the event engine's activities; NULL from the fast one */
};

/* Lowers every running op of g; *out is malloc'ed (n entries, one per
 * run op, fused ones with zero demand). */
int lower_graph(const struct tpusim_graph *g, const struct chip *c, const struct sim_options *o,
                struct op_demand **out, int *n, uint64_t *param_bytes,
                uint64_t *params_on_chip_bytes, char *err, size_t err_len);
/* Bytes of on-chip memory open to activations when the graph's parameters
 * total `param_bytes`; *weights_on_chip is set when they all live in CMEM.
 * lower_graph() uses it; the NAS block cache finds a block's capacity
 * interval (op_demand.capacity_lo_bytes) with it. */
uint64_t lower_capacity_bytes(const struct chip *c, uint64_t param_bytes, bool *weights_on_chip);
/* Which of g's running ops (g->run_ops order) stack s runs on the host CPU
 * (with host_fallback = rest_of_graph, every op after the first): its host
 * ops, ops with an activation the device cannot hold (the stack's shape
 * rule), and those the model itself runs there (graph.h: host_pinned);
 * lower_graph places ops so. */
void lower_host_placement(const struct tpusim_graph *g, const struct stack *s, bool *on_host);
/* Parameter bytes held on chip: all of them when they fit in CMEM, else
 * what the Edge TPU parameter cache took (`cache_left` of it is left). */
uint64_t lower_params_on_chip_bytes(const struct chip *c, uint64_t param_bytes,
                                    bool weights_on_chip, uint64_t cache_left);
/* Runs n lowered ops (lower_graph's output for g) on o->cores cores with
 * o->engine and fills res (ops, totals); the second half of simulate().
 * res->ops is malloc'ed; free with sim_result_free. */
int schedule_ops(const struct tpusim_graph *g, const struct chip *c, const struct sim_options *o,
                 const struct op_demand *d, int n, struct sim_result *res, char *err,
                 size_t err_len);
/* Simulates g on c, on o->cores cores at once (each running g, sharing
 * HBM). res is filled; free with sim_result_free. */
int simulate(const struct tpusim_graph *g, const struct chip *c, const struct sim_options *o,
             struct sim_result *res, char *err, size_t err_len);
/* The same with a graph per core (gs[0 .. o->cores-1], the same ops with
 * different batches: an uneven split of a batch). Rows come from the
 * slowest core; the fast engine times core 0's graph. */
int simulate_cores(const struct tpusim_graph *const *gs, const struct chip *c,
                   const struct sim_options *o, struct sim_result *res, char *err,
                   size_t err_len);
/* schedule_ops with a program per core (d[0 .. o->cores-1]). */
int schedule_cores(const struct tpusim_graph *g, const struct chip *c,
                   const struct sim_options *o, const struct op_demand *const *d, int n,
                   struct sim_result *res, char *err, size_t err_len);
void sim_result_free(struct sim_result *res);
/* Bytes per element the chip moves for `dtype`. */
uint64_t dtype_bytes(tpusim_dtype dtype);

#endif /* TPUSIM_ENGINE_H */
