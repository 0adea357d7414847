/*
 * engine.c — simulating a lowered graph: lowering (lower.c), then one of
 * the two engines (scheduler.h), and the sums every report reads.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cycles.h"
#include "engine.h"
#include "matrix_unit.h"
#include "memory.h"
#include "scheduler.h"
#include "sched_event.h"

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

static int cores_of(const struct sim_options *o)
{
    return o->cores > 1 ? o->cores : 1;
}

int simulate(const struct tpusim_graph *g, const struct chip *c, const struct sim_options *o,
             struct sim_result *res, char *err, size_t err_len)
{
    int cores = cores_of(o);
    const struct tpusim_graph **gs = malloc((size_t)cores * sizeof *gs);
    if (!gs) {
        memset(res, 0, sizeof *res);
        snprintf(err, err_len, "out of memory");
        return TPUSIM_ERR_NOMEM;
    }
    for (int k = 0; k < cores; k++)
        gs[k] = g;
    int rc = simulate_cores(gs, c, o, res, err, err_len);
    free(gs);
    return rc;
}

/* Lowers each distinct graph of the cores once. */
static int lower_cores(const struct tpusim_graph *const *gs, int cores, const struct chip *c,
                       const struct sim_options *o, struct op_demand **d, int *n,
                       uint64_t *param_bytes, uint64_t *on_chip, char *err, size_t err_len)
{
    for (int k = 0; k < cores; k++) {
        d[k] = NULL;
        if (!gs[k] || !gs[k]->finalized) {
            snprintf(err, err_len, "the graph is not finalized");
            return TPUSIM_ERR_STATE;
        }
        int same = -1;
        for (int j = 0; j < k && same < 0; j++)
            if (gs[j] == gs[k])
                same = j;
        if (same >= 0) {
            d[k] = d[same];
            continue;
        }
        int nk;
        uint64_t pb, oc;
        int rc = lower_graph(gs[k], c, o, &d[k], &nk, &pb, &oc, err, err_len);
        if (rc)
            return rc;
        if (k == 0) {
            *n = nk;
            *param_bytes = pb;
            *on_chip = oc;
        } else if (nk != *n) {
            snprintf(err, err_len, "the cores' graphs differ in their ops (%d and %d)", *n, nk);
            return TPUSIM_ERR_ARG;
        }
    }
    return TPUSIM_OK;
}

static void free_cores(struct op_demand **d, int cores)
{
    for (int k = 0; k < cores; k++) {
        bool shared = false;
        for (int j = 0; j < k; j++)
            shared = shared || d[j] == d[k];
        if (!shared)
            free(d[k]);
    }
}

int simulate_cores(const struct tpusim_graph *const *gs, const struct chip *c,
                   const struct sim_options *o, struct sim_result *res, char *err,
                   size_t err_len)
{
    memset(res, 0, sizeof *res);
    int cores = cores_of(o);
    struct op_demand **d = calloc((size_t)cores, sizeof *d);
    if (!d) {
        snprintf(err, err_len, "out of memory");
        return TPUSIM_ERR_NOMEM;
    }
    int n = 0;
    uint64_t param_bytes = 0, on_chip = 0;
    int rc = lower_cores(gs, cores, c, o, d, &n, &param_bytes, &on_chip, err, err_len);
    if (!rc)
        rc = schedule_cores(gs[0], c, o, (const struct op_demand *const *)d, n, res, err,
                            err_len);
    res->param_bytes = param_bytes;
    res->params_on_chip_bytes = on_chip;
    free_cores(d, cores);
    free(d);
    return rc;
}

int schedule_ops(const struct tpusim_graph *g, const struct chip *c, const struct sim_options *o,
                 const struct op_demand *d, int n, struct sim_result *res, char *err,
                 size_t err_len)
{
    int cores = cores_of(o);
    const struct op_demand **dc = malloc((size_t)cores * sizeof *dc);
    if (!dc) {
        memset(res, 0, sizeof *res);
        snprintf(err, err_len, "out of memory");
        return TPUSIM_ERR_NOMEM;
    }
    for (int k = 0; k < cores; k++)
        dc[k] = d;
    int rc = schedule_cores(g, c, o, dc, n, res, err, err_len);
    free(dc);
    return rc;
}

int schedule_cores(const struct tpusim_graph *g, const struct chip *c,
                   const struct sim_options *o, const struct op_demand *const *d, int n,
                   struct sim_result *res, char *err, size_t err_len)
{
    memset(res, 0, sizeof *res);
    if (!o->stack) {
        snprintf(err, err_len, "no software stack (stack_resolve picks the chip's default)");
        return TPUSIM_ERR_ARG;
    }
    tpusim_dtype dt;
    int rc = sim_dtype(c, sim_asked_dtype(c, g, o->dtype), &dt, err, err_len);
    if (rc)
        return rc;
    /* Not zeroed here: each engine starts every row with sched_result_init. */
    res->ops = malloc((size_t)(n ? n : 1) * sizeof *res->ops);
    if (!res->ops) {
        snprintf(err, err_len, "out of memory");
        return TPUSIM_ERR_NOMEM;
    }
    res->chip = c;
    res->stack = o->stack;
    res->graph = g;
    res->dtype = dt;
    res->n_ops = n;
    res->engine = o->engine;
    /* The stack's per-inference cost comes before the first op (and in its
     * row, as launch). */
    uint64_t kernels = 0;
    for (int i = 0; i < n; i++)
        kernels += sched_launches(&d[0][i]);
    res->invocation_cycles = invocation_cycles(c, o->stack, kernels);
    /* The fast engine times core 0's program (the largest share of an
     * uneven batch) with its share of HBM. */
    rc = o->engine == ENGINE_EVENT ? sched_event(c, o, d, n, res, err, err_len)
                                   : sched_fast(c, o, d[0], n, res, err, err_len);
    if (rc) {
        sim_result_free(res);
        return rc;
    }
    /* Energy counts every core's copy of the op, whichever engine timed
     * it and whichever core's rows it kept. */
    for (int i = 0; i < n; i++)
        for (int k = 0; k < cores_of(o); k++)
            energy_add_op(c, dt, &d[k][i], res->ops[i].energy_fj);
    for (int i = 0; i < n; i++)
        totals_add_op(&res->sum, &res->ops[i]);
    return TPUSIM_OK;
}

/* A fused op's flops are in its host's op_result (lower.c), so summing
 * op_results counts every graph op's flops once. */
void totals_add_op(struct sim_totals *t, const struct op_result *r)
{
    t->cycles = sat_add(t->cycles, r->cycles);
    t->flops = sat_add(t->flops, r->flops);
    t->macs = sat_add(t->macs, r->macs);
    t->hbm_bytes = sat_add(t->hbm_bytes, r->hbm_bytes);
    t->host_bytes = sat_add(t->host_bytes, r->host_bytes);
    t->mac_slots = sat_add(t->mac_slots, r->mac_slots);
    t->useful_macs = sat_add(t->useful_macs, r->useful_macs);
    for (int k = 0; k < CAUSE_COUNT; k++)
        t->stall[k] = sat_add(t->stall[k], r->stall[k]);
    for (int k = 0; k < ENERGY_DYNAMIC_COUNT; k++)
        t->energy_fj[k] = sat_add(t->energy_fj[k], r->energy_fj[k]);
    t->ops++;
    t->kernels += r->kernel;
}

void totals_add_invocation(struct sim_totals *t, uint64_t cycles)
{
    t->cycles = sat_add(t->cycles, cycles);
    t->stall[CAUSE_LAUNCH] = sat_add(t->stall[CAUSE_LAUNCH], cycles);
}

uint64_t invocation_cycles(const struct chip *c, const struct stack *s, uint64_t kernels)
{
    uint64_t cycles = stack_invocation_cycles(s, c->clock_mhz);
    if (c->host_link_bandwidth_gbps > 0)
        cycles = sat_add(cycles, host_link_hold_cycles(
                                     c, sat_mul(kernels, s->instruction_bytes_per_kernel)));
    return cycles;
}

void totals_merge(struct sim_totals *t, const struct sim_totals *add)
{
    t->cycles = sat_add(t->cycles, add->cycles);
    t->flops = sat_add(t->flops, add->flops);
    t->macs = sat_add(t->macs, add->macs);
    t->hbm_bytes = sat_add(t->hbm_bytes, add->hbm_bytes);
    t->host_bytes = sat_add(t->host_bytes, add->host_bytes);
    t->mac_slots = sat_add(t->mac_slots, add->mac_slots);
    t->useful_macs = sat_add(t->useful_macs, add->useful_macs);
    for (int k = 0; k < CAUSE_COUNT; k++)
        t->stall[k] = sat_add(t->stall[k], add->stall[k]);
    for (int k = 0; k < ENERGY_DYNAMIC_COUNT; k++)
        t->energy_fj[k] = sat_add(t->energy_fj[k], add->energy_fj[k]);
    t->ops += add->ops;
    t->kernels += add->kernels;
}

void sim_result_free(struct sim_result *res)
{
    if (!res)
        return;
    free(res->ops);
    event_log_free(res->events);
    free(res->events);
    memset(res, 0, sizeof *res);
}
