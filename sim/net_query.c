/*
 * net_query.c — a net's latency, block by block from the context's cache,
 * or by simulating the whole net once and storing each block.
 *
 * Why a block's time is a function of its cache key. Lowering (lower.c)
 * decides three things over the whole graph: fusion, on-chip residency of
 * activations (a live-set walk against a capacity) and where parameters
 * live (CMEM when all fit; the Edge TPU parameter cache, first come first
 * served). In a chain of blocks:
 *  - fusion crosses a block boundary only forwards: every block starts
 *    with a conv, which is no epilogue, and its ops read only its own
 *    tensors and its input; so a block's fusion depends on the block and
 *    on whether its output is the model's (is_last). A block may end with
 *    an op that joins the next block's first conv as a prologue of its
 *    operand (lower.c: operand_host; the squeeze-and-excitation scale,
 *    which has no weights): its reads land in the next block's first row,
 *    so they are part of the next block's key (in_prologue*), and its
 *    result is never stored (in_resident is false);
 *  - at a boundary the only live activation is the block's input: the
 *    state is whether it is on chip (in_resident). Inside the block each
 *    residency decision compares a need (what is live plus the output's
 *    bytes) with the capacity, and each need follows from that state and
 *    the decisions before it. So over the capacities [lo, hi), lo the
 *    largest need that fit and hi the smallest that did not, every
 *    decision, and so the block's time, comes out the same (lower.c
 *    records them per op: capacity_lo_bytes, capacity_hi_bytes). The key
 *    holds no capacity; its value holds [lo, hi) and answers only a query
 *    whose capacity lies inside. Another capacity may make other
 *    decisions: the intervals of one key partition the capacities, and
 *    each further one is stored under a stage-3 key (the key with its lo),
 *    linked from the first (cache.h);
 *  - the capacity and weights_on_chip follow from the net's total
 *    parameter bytes (lower_capacity_bytes), which differ from net to net
 *    (tpu_v4i: VMEM + CMEM - parameters when all fit CMEM); the Edge TPU
 *    cache gives the block min(w_op, left) per op in order, which depends
 *    on `left` only through min(left, block parameter bytes) (the block
 *    where the cache runs out keys on the exact bytes left);
 *  - the stack places an op on the host by its type and, under
 *    host_fallback = rest_of_graph, by whether the op before it was there
 *    (in_host); the stack's per-inference cost (which counts the net's
 *    kernels) is added once per query.
 * Stage-1 entries (what a block is: its parameter bytes) let a warm query
 * compute the capacity before its stage-2 lookups. TPUSIM_EXACT
 * simulates the whole net without the cache; tests/test_api.c checks the
 * two agree on every number.
 */
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "cycles.h"
#include "matrix_unit.h"

struct query {
    tpusim_context *ctx;
    const tpusim_chip *chip;
    const tpusim_stack *stack; /* the options' or the chip's default */
    const tpusim_net *net;
    struct sim_options so;
    tpusim_dtype dtype;        /* resolved */
};

static void key_base(const struct query *q, size_t i, struct block_key *k)
{
    memset(k, 0, sizeof *k);
    k->stage = 1;
    k->chip_fp = q->chip->fingerprint;
    k->stack_fp = q->stack->fingerprint;
    k->dtype = (uint64_t)q->dtype;
    k->no_fusion = q->so.no_fusion;
    memcpy(&k->overhead_bits, &q->so.framework_overhead_us, sizeof k->overhead_bits);
    int64_t chw[3];
    net_block_input(q->net, i, chw);
    k->n = q->net->batch;
    k->c = chw[0];
    k->h = chw[1];
    k->w = chw[2];
    const tpusim_block *b = &q->net->blocks[i];
    const int32_t f[9] = {b->kind, b->out_channels, b->kernel, b->stride, b->expand,
                          b->groups, b->act,         b->se,     b->classes};
    for (int j = 0; j < 9; j++)
        k->block[j] = f[j];
}

/* The block in its boundary state: `prev` is the block before it (NULL
 * for the first). */
static void key_context(struct block_key *k, uint64_t cache_left, const struct block_val *info,
                        const struct block_val *prev, bool weights_on_chip, bool is_last)
{
    k->stage = 2;
    k->cache_left_key = cache_left < info->param_bytes ? cache_left : info->param_bytes;
    if (prev) {
        k->in_resident = prev->out_resident;
        k->in_host = prev->out_host;
        k->in_prologue = prev->out_prologue;
        k->in_prologue_hbm_bytes = prev->out_prologue_hbm_bytes;
        k->in_prologue_l2_bytes = prev->out_prologue_l2_bytes;
    }
    k->weights_on_chip = weights_on_chip;
    k->is_last = is_last;
}

/* The warm path: every block from the cache, or false (*s may be
 * overwritten, the caller simulates then; the hits and misses are counted). */
static bool from_cache(struct query *q, tpusim_summary *s)
{
    const tpusim_net *net = q->net;
    struct block_cache *bc = &q->ctx->cache;
    const struct chip *c = &q->chip->c;
    /* Each block's stage-1 key is built once: stage 2 only sets the
     * context fields on a copy. */
    enum { MAX_STACK = 64 };
    const struct block_val *info_stack[MAX_STACK];
    struct block_key key_stack[MAX_STACK];
    const struct block_val **info = info_stack;
    struct block_key *keys = key_stack;
    if (net->n > MAX_STACK) {
        info = malloc(net->n * sizeof *info);
        keys = malloc(net->n * sizeof *keys);
        if (!info || !keys) {
            free(info);
            free(keys);
            return false;
        }
    }
    bool ok = true;
    uint64_t params = 0;
    for (size_t i = 0; i < net->n && ok; i++) {
        key_base(q, i, &keys[i]);
        info[i] = cache_find(bc, &keys[i], cache_hash(&keys[i]));
        ok = info[i] != NULL;
        if (ok)
            params += info[i]->param_bytes;
    }
    /* Stage-2 lookups may not move stage-1 values: a put happens only on
     * the cold path, after this function. */
    bool weights_on_chip = false;
    uint64_t capacity = ok ? lower_capacity_bytes(c, params, &weights_on_chip) : 0;
    uint64_t left = c->param_cache_bytes;
    const struct block_val *prev = NULL;
    struct sim_totals sum;
    memset(&sum, 0, sizeof sum);
    for (size_t i = 0; i < net->n && ok; i++) {
        struct block_key k = keys[i];
        key_context(&k, left, info[i], prev, weights_on_chip, i + 1 == net->n);
        const struct block_val *v = cache_find_capacity(bc, &k, cache_hash(&k), capacity);
        if (!v) {
            ok = false;
            break;
        }
        totals_merge(&sum, &v->sum);
        prev = v;
        left -= v->cache_used;
    }
    /* The per-inference cost depends on the whole net (its kernels): added
     * once, after the blocks. */
    uint64_t invocation = ok ? invocation_cycles(c, q->so.stack, sum.kernels) : 0;
    totals_add_invocation(&sum, invocation);
    if (ok)
        api_summary_fill(s, c, q->dtype, &sum, invocation, params,
                         lower_params_on_chip_bytes(c, params, weights_on_chip, left));
    if (info != info_stack) {
        free(info);
        free(keys);
    }
    return ok;
}

/* Adds a row of a whole-net simulation (its result r and demand d) to its
 * block's value: the block's capacity interval is where every op's is. */
static void block_add_op(struct block_val *v, const struct op_result *r,
                         const struct op_demand *d)
{
    totals_add_op(&v->sum, r);
    v->param_bytes += d->weight_bytes;
    if (d->capacity_lo_bytes > v->capacity_lo_bytes)
        v->capacity_lo_bytes = d->capacity_lo_bytes;
    if (d->capacity_hi_bytes < v->capacity_hi_bytes)
        v->capacity_hi_bytes = d->capacity_hi_bytes;
}

/* Per block of a whole-net simulation: its totals, stored in the cache. */
static int store_blocks(struct query *q, const int *first_op, const struct op_demand *d,
                        const struct sim_result *sr)
{
    const tpusim_net *net = q->net;
    const struct chip *c = &q->chip->c;
    size_t nb = net->n;
    struct block_val *vals = calloc(nb, sizeof *vals);
    int *last_pos = malloc(nb * sizeof *last_pos);
    if (!vals || !last_pos) {
        free(vals);
        free(last_pos);
        return TPUSIM_ERR_NOMEM;
    }
    for (size_t i = 0; i < nb; i++)
        vals[i].capacity_hi_bytes = UINT64_MAX;
    /* Ops of block i have graph indices [first_op[i], first_op[i+1]); in
     * a chain the schedule keeps them together. */
    size_t b = 0;
    for (int p = 0; p < sr->n_ops; p++) {
        const struct op_result *r = &sr->ops[p];
        while (b + 1 < nb && r->op >= first_op[b + 1])
            b++;
        struct block_val *v = &vals[b];
        block_add_op(v, r, &d[p]);
        if (r->op == first_op[b + 1] - 1) { /* the op that writes the block's output */
            v->out_resident = d[p].out_resident;
            v->out_host = d[p].on_host;
            v->out_prologue = d[p].fused_into_row > p;
            v->out_prologue_hbm_bytes = d[p].prologue_hbm_bytes;
            v->out_prologue_l2_bytes = d[p].prologue_l2_bytes;
        }
        last_pos[b] = p;
    }
    /* The stack's per-inference cost is in the first op's row; a net's
     * cached answer adds it once (from_cache), not with block 0. */
    uint64_t invocation = sr->invocation_cycles;
    if (nb && vals[0].sum.stall[CAUSE_LAUNCH] >= invocation) {
        vals[0].sum.cycles -= invocation;
        vals[0].sum.stall[CAUSE_LAUNCH] -= invocation;
    }
    bool weights_on_chip = false;
    uint64_t params = 0;
    for (size_t i = 0; i < nb; i++)
        params += vals[i].param_bytes;
    (void)lower_capacity_bytes(c, params, &weights_on_chip);
    uint64_t left = c->param_cache_bytes;
    struct block_cache *bc = &q->ctx->cache;
    int rc = TPUSIM_OK;
    for (size_t i = 0; i < nb && !rc; i++) {
        struct block_val *v = &vals[i];
        uint64_t after = d[last_pos[i]].param_cache_left;
        v->cache_used = left - after;
        struct block_key k;
        key_base(q, i, &k);
        rc = cache_put(bc, &k, cache_hash(&k), v);
        key_context(&k, left, v, i ? &vals[i - 1] : NULL, weights_on_chip, i + 1 == nb);
        if (!rc)
            rc = cache_put_capacity(bc, &k, cache_hash(&k), v);
        left = after;
    }
    free(vals);
    free(last_pos);
    return rc;
}

/* The cold (and exact) path: build the graph, lower, schedule. */
static int simulate_net(struct query *q, bool store, bool rows, tpusim_result *res)
{
    tpusim_context *ctx = q->ctx;
    tpusim_graph *g = NULL;
    int *first_op = malloc((q->net->n + 1) * sizeof *first_op);
    int rc = first_op ? tpusim_graph_new(&g) : TPUSIM_ERR_NOMEM;
    if (rc) {
        free(first_op);
        return ctx_error(ctx, rc, "out of memory");
    }
    rc = net_build_graph(q->net, g, first_op);
    if (rc)
        ctx_error(ctx, rc, "building the net's graph: %s", tpusim_graph_errmsg(g));
    struct op_demand *d = NULL;
    int n = 0;
    uint64_t param_bytes = 0, on_chip = 0;
    struct sim_result sr;
    memset(&sr, 0, sizeof sr);
    if (!rc)
        rc = lower_graph(g, &q->chip->c, &q->so, &d, &n, &param_bytes, &on_chip, ctx->err,
                         sizeof ctx->err);
    if (!rc)
        rc = schedule_ops(g, &q->chip->c, &q->so, d, n, &sr, ctx->err, sizeof ctx->err);
    if (!rc) {
        sr.param_bytes = param_bytes;
        sr.params_on_chip_bytes = on_chip;
        rc = api_result_fill(res, &sr, rows);
        if (!rc && store)
            rc = store_blocks(q, first_op, d, &sr);
        if (rc)
            ctx_error(ctx, rc, "out of memory");
    }
    sim_result_free(&sr);
    free(d);
    free(first_op);
    tpusim_graph_close(g);
    return rc;
}

int tpusim_net_query(tpusim_context *ctx, const tpusim_chip *chip, const tpusim_net *net,
                     const tpusim_options *opts, tpusim_result *res)
{
    if (!ctx)
        return TPUSIM_ERR_ARG;
    if (!chip || !net || !res)
        return ctx_error(ctx, TPUSIM_ERR_ARG, "tpusim_net_query needs a chip, a net and a result");
    res->valid = false;
    if (!net->n)
        return ctx_error(ctx, TPUSIM_ERR_ARG, "the net has no blocks");
    struct query q = {.ctx = ctx, .chip = chip, .net = net};
    int rc = api_sim_options(ctx, opts, chip, &q.so, &q.stack);
    if (!rc)
        rc = sim_dtype(&chip->c, q.so.dtype, &q.dtype, ctx->err, sizeof ctx->err);
    if (rc)
        return rc;
    unsigned flags = opts ? opts->flags : 0;
    struct block_cache *bc = &ctx->cache;
    uint64_t hits = bc->hits, misses = bc->misses;
    /* The event engine's time of a block depends on its neighbours (a
     * prefetch, a write-back): no block cache. */
    if ((flags & TPUSIM_EXACT) || q.so.engine == ENGINE_EVENT) {
        rc = simulate_net(&q, false, (flags & TPUSIM_PER_OP) != 0, res);
    } else if ((flags & TPUSIM_PER_OP) || !from_cache(&q, &res->sum)) {
        rc = simulate_net(&q, true, (flags & TPUSIM_PER_OP) != 0, res);
    } else {
        res->n_rows = 0;
        res->valid = true;
    }
    if (!rc) {
        res->sum.cache_hits = bc->hits - hits;
        res->sum.cache_misses = bc->misses - misses;
        ctx->err[0] = '\0';
    }
    return rc;
}
