/*
 * api_plan.c — query options, results (summary and per-op rows), and
 * plans: a graph lowered and scheduled on a chip once, read by each run.
 */
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "matrix_unit.h"

int api_sim_options(tpusim_context *ctx, const tpusim_options *opts, const tpusim_chip *chip,
                    struct sim_options *out, const tpusim_stack **stack)
{
    memset(out, 0, sizeof *out);
    out->cores = 1;
    const tpusim_stack *chosen = opts && opts->stack ? opts->stack : &chip->default_stack;
    out->stack = &chosen->s;
    if (stack)
        *stack = chosen;
    if (!opts)
        return TPUSIM_OK;
    out->dtype = opts->dtype;
    out->no_fusion = opts->no_fusion != 0;
    out->framework_overhead_us = opts->framework_overhead_us;
    out->engine = opts->engine == TPUSIM_ENGINE_EVENT ? ENGINE_EVENT : ENGINE_FAST;
    return stack_check_target(out->stack, &chip->c, ctx->err, sizeof ctx->err);
}

/* ------------------------------------------------------------ results */

int tpusim_result_new(tpusim_result **out)
{
    if (!out)
        return TPUSIM_ERR_ARG;
    *out = calloc(1, sizeof **out);
    return *out ? TPUSIM_OK : TPUSIM_ERR_NOMEM;
}

void tpusim_result_close(tpusim_result *res)
{
    if (!res)
        return;
    free(res->rows);
    free(res->names);
    free(res);
}

uint64_t tpusim_result_cycles(const tpusim_result *res)
{
    return res && res->valid ? res->sum.cycles : 0;
}

double tpusim_result_seconds(const tpusim_result *res)
{
    return res && res->valid ? res->sum.seconds : 0.0;
}

double tpusim_result_energy_uj(const tpusim_result *res)
{
    return res && res->valid ? res->sum.energy_uj : 0.0;
}

double tpusim_result_avg_power_w(const tpusim_result *res)
{
    return res && res->valid ? res->sum.avg_power_w : 0.0;
}

int tpusim_result_summary(const tpusim_result *res, tpusim_summary *out)
{
    if (out)
        memset(out, 0, sizeof *out);
    if (!res || !out)
        return TPUSIM_ERR_ARG;
    if (!res->valid)
        return TPUSIM_ERR_STATE;
    *out = res->sum;
    return TPUSIM_OK;
}

size_t tpusim_result_op_count(const tpusim_result *res)
{
    return res && res->valid ? res->n_rows : 0;
}

int tpusim_result_op(const tpusim_result *res, size_t index, tpusim_op_row *out)
{
    if (out)
        memset(out, 0, sizeof *out);
    if (!res || !out || !res->valid || index >= res->n_rows)
        return TPUSIM_ERR_ARG;
    *out = res->rows[index];
    return TPUSIM_OK;
}

static int reserve_rows(tpusim_result *res, size_t n, size_t name_bytes)
{
    if (n > res->cap_rows) {
        tpusim_op_row *r = realloc(res->rows, n * sizeof *r);
        if (!r)
            return TPUSIM_ERR_NOMEM;
        res->rows = r;
        res->cap_rows = n;
    }
    if (name_bytes > res->names_cap) {
        char *s = realloc(res->names, name_bytes);
        if (!s)
            return TPUSIM_ERR_NOMEM;
        res->names = s;
        res->names_cap = name_bytes;
    }
    return TPUSIM_OK;
}

void api_summary_fill(tpusim_summary *s, const struct chip *c, tpusim_dtype dtype,
                      const struct sim_totals *t, uint64_t invocation_cycles,
                      uint64_t param_bytes, uint64_t params_on_chip_bytes)
{
    memset(s, 0, sizeof *s);
    s->cycles = t->cycles;
    s->seconds = (double)t->cycles / c->clock_hz;
    s->ops = t->ops;
    s->flops = t->flops;
    s->macs = t->macs;
    s->hbm_bytes = t->hbm_bytes;
    s->host_bytes = t->host_bytes;
    s->mac_slots = t->mac_slots;
    s->useful_macs = t->useful_macs;
    for (int k = 0; k < CAUSE_COUNT; k++)
        s->stall_cycles[k] = t->stall[k];
    s->param_bytes = param_bytes;
    s->params_on_chip_bytes = params_on_chip_bytes;
    s->dtype = dtype;
    s->invocation_cycles = invocation_cycles;
    struct energy_total e;
    energy_total_of(c, t->energy_fj, t->cycles, &e);
    memcpy(s->energy_uj_by_part, e.uj_by_part, sizeof e.uj_by_part);
    s->energy_uj = e.uj;
    s->avg_power_w = e.avg_power_w;
}

int api_result_fill(tpusim_result *res, const struct sim_result *sr, bool rows)
{
    res->valid = false;
    res->n_rows = 0;
    res->names_len = 0;
    api_summary_fill(&res->sum, sr->chip, sr->dtype, &sr->sum, sr->invocation_cycles,
                     sr->param_bytes, sr->params_on_chip_bytes);
    if (rows) {
        const struct tpusim_graph *g = sr->graph;
        size_t name_bytes = 0;
        for (int i = 0; i < sr->n_ops; i++)
            name_bytes += strlen(g->ops[sr->ops[i].op]->name) + 1;
        if (reserve_rows(res, (size_t)sr->n_ops, name_bytes))
            return TPUSIM_ERR_NOMEM;
        for (int i = 0; i < sr->n_ops; i++) {
            const struct op_result *r = &sr->ops[i];
            const struct op *op = g->ops[r->op];
            tpusim_op_row *row = &res->rows[i];
            size_t len = strlen(op->name) + 1;
            memcpy(res->names + res->names_len, op->name, len);
            row->name = res->names + res->names_len; /* reserved above: no realloc moves it */
            res->names_len += len;
            row->type = op_info_of(op->type)->name;
            row->fused_into = r->fused_into_row;
            row->start_cycle = r->start_cycle;
            row->cycles = r->cycles;
            row->flops = r->flops;
            row->macs = r->macs;
            row->hbm_bytes = r->hbm_bytes;
            row->host_bytes = r->host_bytes;
            row->mac_slots = r->mac_slots;
            row->useful_macs = r->useful_macs;
            row->bound = (int)r->bound;
            for (int k = 0; k < CAUSE_COUNT; k++)
                row->stall_cycles[k] = r->stall[k];
            struct energy_total e;
            energy_total_of(sr->chip, r->energy_fj, r->cycles, &e);
            row->energy_uj = e.uj;
        }
        res->n_rows = (size_t)sr->n_ops;
    }
    res->valid = true;
    return TPUSIM_OK;
}

/* -------------------------------------------------------------- plans */

int tpusim_plan_open(tpusim_context *ctx, const tpusim_graph *g, const tpusim_chip *chip,
                     const tpusim_options *opts, tpusim_plan **out)
{
    if (out)
        *out = NULL;
    if (!ctx)
        return TPUSIM_ERR_ARG;
    if (!chip || !g)
        return ctx_error(ctx, TPUSIM_ERR_ARG, "a query needs a chip and a model");
    if (!out)
        return ctx_error(ctx, TPUSIM_ERR_ARG, "tpusim_plan_open needs an out pointer");
    if (!g->finalized)
        return ctx_error(ctx, TPUSIM_ERR_STATE, "the graph is not finalized");
    tpusim_plan *p = calloc(1, sizeof *p);
    if (!p)
        return ctx_error(ctx, TPUSIM_ERR_NOMEM, "out of memory");
    /* The schedule depends only on the graph, the chip, the stack and the
     * options, all fixed for the plan's life: computed once here, copied
     * by runs. */
    struct sim_options so;
    int rc = api_sim_options(ctx, opts, chip, &so, NULL);
    if (!rc)
        rc = simulate(g, &chip->c, &so, &p->sr, ctx->err, sizeof ctx->err);
    if (rc) {
        free(p);
        return rc;
    }
    ctx->err[0] = '\0';
    *out = p;
    return TPUSIM_OK;
}

void tpusim_plan_close(tpusim_plan *plan)
{
    if (!plan)
        return;
    sim_result_free(&plan->sr);
    free(plan);
}

int tpusim_plan_run(tpusim_context *ctx, const tpusim_plan *plan, tpusim_result *res)
{
    if (!ctx)
        return TPUSIM_ERR_ARG;
    if (!plan || !res)
        return ctx_error(ctx, TPUSIM_ERR_ARG, "tpusim_plan_run needs a plan and a result");
    int rc = api_result_fill(res, &plan->sr, true);
    return rc ? ctx_error(ctx, rc, "out of memory") : TPUSIM_OK;
}

int tpusim_graph_query(tpusim_context *ctx, const tpusim_graph *g, const tpusim_chip *chip,
                       const tpusim_options *opts, tpusim_result *res)
{
    if (res)
        res->valid = false;
    if (ctx && !res)
        return ctx_error(ctx, TPUSIM_ERR_ARG, "a query needs a result handle");
    tpusim_plan *p = NULL;
    int rc = tpusim_plan_open(ctx, g, chip, opts, &p);
    if (!rc)
        rc = tpusim_plan_run(ctx, p, res);
    tpusim_plan_close(p);
    return rc;
}
