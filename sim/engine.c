/*
 * engine.c — schedules lowered ops on one core and charges every cycle.
 *
 * Ops run in topological order, one after another (a TensorCore runs one
 * XLA fusion at a time). Inside an op, T tiles flow through four stages:
 * HBM DMA (reads and writes share the bandwidth), host link, MXU, VPU. With
 * double buffering between stages and identical tiles, a linear pipeline of
 * per-tile stage times s_1..s_n takes sum(s) + (T - 1) * max(s): the first
 * tile crosses every stage, then the slowest stage sets the pace. HBM
 * latency is paid once before the first tile, the systolic drain once after
 * the last. Ops with a recurrence (RNN steps) cannot overlap the MXU and the
 * VPU: their two stages merge into one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cycles.h"
#include "engine.h"
#include "matrix_unit.h"
#include "memory.h"

const char *cause_name(enum cause c)
{
    switch (c) {
    case CAUSE_MXU: return "mxu";
    case CAUSE_VPU: return "vpu";
    case CAUSE_HBM: return "hbm";
    case CAUSE_HOST_LINK: return "host_link";
    case CAUSE_SRAM: return "sram_capacity";
    case CAUSE_FILL_DRAIN: return "fill_drain";
    case CAUSE_WEIGHT_LOAD: return "weight_load";
    case CAUSE_LAUNCH: return "launch";
    case CAUSE_WAVE_QUANT: return "wave_quantisation";
    case CAUSE_COUNT: break;
    }
    return "?";
}

/* Busy cycles of each stage over the whole op. */
static void stage_totals(const struct chip *c, const struct op_demand *d, uint64_t *total)
{
    total[UNIT_HBM] = d->hbm_bytes ? hbm_stream_cycles(c, d->hbm_bytes) : 0;
    /* GPUs: L2 traffic shares the memory stage with DRAM traffic. */
    if (d->l2_bytes && c->gpu_l2_bytes_per_cycle > 0)
        total[UNIT_HBM] += ceil_cycles((double)d->l2_bytes / c->gpu_l2_bytes_per_cycle);
    total[UNIT_HOST] = host_link_stream_cycles(c, d->host_bytes);
    total[UNIT_MXU] = d->on_mxu ? d->mxu.stream_cycles + d->mxu.weight_load_cycles +
                                      d->mxu.wave_quant_cycles
                                : 0;
    total[UNIT_VPU] = d->vpu_cycles;
    if (d->serial_steps > 1) { /* the next step needs this step's state */
        total[UNIT_MXU] += total[UNIT_VPU];
        total[UNIT_VPU] = 0;
    }
}

/* Splits `cycles` of MXU stage time into streaming, weight loading and
 * (GPUs) the idle last wave, in the proportion the matrix unit reports. */
static void charge_mxu(const struct op_demand *d, uint64_t cycles, struct op_result *r)
{
    double busy = (double)(d->mxu.stream_cycles + d->mxu.weight_load_cycles +
                           d->mxu.wave_quant_cycles);
    uint64_t wl = busy > 0 ? (uint64_t)((double)cycles * (double)d->mxu.weight_load_cycles / busy)
                           : 0;
    uint64_t wq = busy > 0 ? (uint64_t)((double)cycles * (double)d->mxu.wave_quant_cycles / busy)
                           : 0;
    if (wl + wq > cycles)
        wq = cycles - wl;
    r->stall[CAUSE_WEIGHT_LOAD] += wl;
    r->stall[CAUSE_WAVE_QUANT] += wq;
    r->stall[CAUSE_MXU] += cycles - wl - wq;
}

/* Splits HBM stage time into plain traffic and capacity-forced re-reads. */
static void charge_hbm(const struct op_demand *d, uint64_t cycles, struct op_result *r)
{
    uint64_t sram = d->hbm_bytes ? (uint64_t)((double)cycles * (double)d->sram_extra_bytes /
                                              (double)d->hbm_bytes)
                                 : 0;
    r->stall[CAUSE_SRAM] += sram;
    r->stall[CAUSE_HBM] += cycles - sram;
}

static void charge_stage(const struct op_demand *d, enum unit s, uint64_t cycles,
                         struct op_result *r)
{
    switch (s) {
    case UNIT_HBM: charge_hbm(d, cycles, r); break;
    case UNIT_HOST: r->stall[CAUSE_HOST_LINK] += cycles; break;
    case UNIT_MXU: charge_mxu(d, cycles, r); break;
    case UNIT_VPU: r->stall[CAUSE_VPU] += cycles; break;
    case UNIT_COUNT: break;
    }
}

/* The pipeline: the slowest stage runs all T tiles; every other stage
 * shows only its first tile (prologue/epilogue). */
static void run_pipeline(const struct chip *c, const struct op_demand *d, struct op_result *r)
{
    uint64_t total[UNIT_COUNT], tile[UNIT_COUNT];
    uint64_t tiles = d->tiles ? d->tiles : 1;
    stage_totals(c, d, total);
    enum unit slowest = UNIT_HBM;
    for (int s = 0; s < UNIT_COUNT; s++) {
        tile[s] = ceil_div(total[s], tiles);
        if (tile[s] > tile[slowest])
            slowest = (enum unit)s;
    }
    for (int s = 0; s < UNIT_COUNT; s++) {
        charge_stage(d, (enum unit)s, s == (int)slowest ? total[s] : tile[s], r);
    }
    /* Paid once: the first DMA's latency (kept in lead_cycles, where a
     * trace finds it), the systolic drain. */
    if (total[UNIT_HBM])
        r->lead_cycles[UNIT_HBM] = c->hbm_latency_cycles;
    if (total[UNIT_HOST])
        r->lead_cycles[UNIT_HOST] = c->host_link_latency_cycles + c->host_link_overhead_cycles;
    r->stall[CAUSE_HBM] += r->lead_cycles[UNIT_HBM];
    r->stall[CAUSE_HOST_LINK] += r->lead_cycles[UNIT_HOST];
    if (d->on_mxu)
        r->stall[CAUSE_FILL_DRAIN] += d->mxu.fill_drain_cycles;
    /* What a trace needs to redraw the pipeline tile by tile. */
    r->tiles = tiles;
    memcpy(r->stage_cycles, total, sizeof r->stage_cycles);
    r->mxus_used = d->on_mxu ? d->mxu.mxus_used : 0;
}

static enum cause bound_of(const struct op_result *r)
{
    enum cause best = CAUSE_MXU;
    for (int k = 0; k < CAUSE_COUNT; k++)
        if (r->stall[k] > r->stall[best])
            best = (enum cause)k;
    return best;
}

/* Each unfused op that does work on the device is one kernel, launched
 * at the stack's per-kernel cost (stack.h). View-only ops (reshape) launch
 * nothing, nor do ops the stack runs on the host. */
static uint64_t launch_cycles(const struct chip *c, const struct sim_options *o,
                              const struct op_demand *d, const struct op_result *r)
{
    uint64_t work = 0;
    for (int k = 0; k < CAUSE_COUNT; k++)
        work = sat_add(work, r->stall[k]);
    if (!work || d->on_host)
        return 0;
    return stack_launch_cycles(o->stack, c->clock_mhz, work, o->framework_overhead_us);
}

static void schedule_op(const struct chip *c, const struct sim_options *o,
                        const struct op_demand *d, uint64_t start, struct op_result *r)
{
    memset(r, 0, sizeof *r);
    r->op = d->op;
    r->fused_into = d->fused_into;
    r->fused_into_row = d->fused_into_row;
    r->start_cycle = start;
    r->flops = d->flops;
    r->macs = d->macs;
    r->hbm_bytes = d->hbm_bytes;
    r->host_bytes = d->host_bytes;
    r->mac_slots = d->mxu.mac_slots;
    r->useful_macs = d->mxu.useful_macs;
    r->sram_live_bytes = d->sram_live_bytes;
    r->hbm_write_bytes = d->hbm_write_bytes;
    if (d->fused_into >= 0)
        return;
    run_pipeline(c, d, r);
    r->stall[CAUSE_HOST_LINK] += d->host_cpu_cycles; /* the host computes once its inputs are in */
    r->stall[CAUSE_LAUNCH] += launch_cycles(c, o, d, r);
    for (int k = 0; k < CAUSE_COUNT; k++)
        r->cycles += r->stall[k];
    r->bound = bound_of(r);
}

int simulate(const struct tpusim_graph *g, const struct chip *c, const struct sim_options *o,
             struct sim_result *res, char *err, size_t err_len)
{
    memset(res, 0, sizeof *res);
    if (!g || !g->finalized) {
        snprintf(err, err_len, "the graph is not finalized");
        return TPUSIM_ERR_STATE;
    }
    struct op_demand *d;
    int n;
    uint64_t param_bytes = 0, on_chip = 0;
    int rc = lower_graph(g, c, o, &d, &n, &param_bytes, &on_chip, err, err_len);
    if (rc)
        return rc;
    rc = schedule_ops(g, c, o, d, n, res, err, err_len);
    res->param_bytes = param_bytes;
    res->params_on_chip_bytes = on_chip;
    free(d);
    return rc;
}

int schedule_ops(const struct tpusim_graph *g, const struct chip *c, const struct sim_options *o,
                 const struct op_demand *d, int n, struct sim_result *res, char *err,
                 size_t err_len)
{
    memset(res, 0, sizeof *res);
    if (!o->stack) {
        snprintf(err, err_len, "no software stack (stack_resolve picks the chip's default)");
        return TPUSIM_ERR_ARG;
    }
    tpusim_dtype dt;
    int rc = sim_dtype(c, o->dtype, &dt, err, err_len);
    if (rc)
        return rc;
    res->ops = calloc((size_t)(n ? n : 1), sizeof *res->ops);
    if (!res->ops) {
        snprintf(err, err_len, "out of memory");
        return TPUSIM_ERR_NOMEM;
    }
    res->chip = c;
    res->stack = o->stack;
    res->graph = g;
    res->dtype = dt;
    res->n_ops = n;
    /* The stack's per-inference cost comes before the first op. */
    res->invocation_cycles = stack_invocation_cycles(o->stack, c->clock_mhz);
    totals_add_invocation(&res->sum, res->invocation_cycles);
    for (int i = 0; i < n; i++) {
        struct op_result *r = &res->ops[i];
        schedule_op(c, o, &d[i], res->sum.cycles, r);
        totals_add_op(&res->sum, r);
    }
    return TPUSIM_OK;
}

/* A fused op's flops are in its host's op_result (lower.c), so summing
 * op_results counts every graph op's flops once. */
void totals_add_op(struct sim_totals *t, const struct op_result *r)
{
    t->cycles += r->cycles;
    t->flops += r->flops;
    t->macs += r->macs;
    t->hbm_bytes += r->hbm_bytes;
    t->host_bytes += r->host_bytes;
    t->mac_slots += r->mac_slots;
    t->useful_macs += r->useful_macs;
    for (int k = 0; k < CAUSE_COUNT; k++)
        t->stall[k] += r->stall[k];
    t->ops++;
}

void totals_add_invocation(struct sim_totals *t, uint64_t cycles)
{
    t->cycles += cycles;
    t->stall[CAUSE_LAUNCH] += cycles;
}

void totals_merge(struct sim_totals *t, const struct sim_totals *add)
{
    t->cycles += add->cycles;
    t->flops += add->flops;
    t->macs += add->macs;
    t->hbm_bytes += add->hbm_bytes;
    t->host_bytes += add->host_bytes;
    t->mac_slots += add->mac_slots;
    t->useful_macs += add->useful_macs;
    for (int k = 0; k < CAUSE_COUNT; k++)
        t->stall[k] += add->stall[k];
    t->ops += add->ops;
}

void sim_result_free(struct sim_result *res)
{
    if (!res)
        return;
    free(res->ops);
    memset(res, 0, sizeof *res);
}
