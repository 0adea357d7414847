/*
 * report.c — per-op and per-model figures of merit from a simulation, and
 * the comparison of one graph on two chips. See report.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cycles.h"
#include "report.h"

static double ratio(double a, double b)
{
    return b > 0 ? a / b : 0;
}

/* MAC slots per cycle of one core at peak: R x C x MXUs on a systolic
 * array, the tensor cores' rate on a GPU. */
static double macs_per_cycle(const struct chip *c)
{
    return c->peak_flops_per_s_core / 2.0 / c->clock_hz;
}

/* "1x64x56x56"; "-" for a missing tensor, "..." when it does not fit. */
static void shape_text(const struct tensor *t, char *buf, size_t len)
{
    if (!t || t->rank < 0) {
        snprintf(buf, len, "-");
        return;
    }
    size_t at = 0;
    buf[0] = '\0';
    if (t->rank == 0)
        snprintf(buf, len, "scalar");
    for (int i = 0; i < t->rank; i++) {
        int w = snprintf(buf + at, len - at, "%s%lld", i ? "x" : "", (long long)t->dims[i]);
        if (w < 0 || (size_t)w >= len - at) {
            snprintf(buf + (len > 4 ? len - 4 : 0), len > 4 ? 4 : len, "...");
            return;
        }
        at += (size_t)w;
    }
}

static const struct tensor *first_data_input(const struct tpusim_graph *g, const struct op *op)
{
    for (int k = 0; k < op->n_in; k++) {
        const struct tensor *t = op_in(g, op, k);
        if (t && !t->is_const)
            return t;
    }
    return op->n_in ? op_in(g, op, 0) : NULL;
}

static void append_kind(char *kind, const char *type)
{
    size_t n = strlen(kind), m = strlen(type);
    if (n + 1 + m + 1 > REPORT_KIND_LEN) {
        if (n + 2 <= REPORT_KIND_LEN - 1 && kind[n - 1] != '~')
            strcat(kind, "+~"); /* more than fits */
        return;
    }
    kind[n] = '+';
    memcpy(kind + n + 1, type, m + 1);
}

static void fill_op(const struct sim_result *r, int i, struct report_op *o)
{
    const struct op_result *res = &r->ops[i];
    const struct chip *c = r->chip;
    const struct op *op = r->graph->ops[res->op];
    memset(o, 0, sizeof *o);
    o->index = i;
    o->res = res;
    o->name = op->name;
    o->type = op_info_of(op->type)->name;
    o->fused_into = res->fused_into >= 0 ? r->graph->ops[res->fused_into]->name : NULL;
    snprintf(o->kind, sizeof o->kind, "%s", o->type);
    shape_text(first_data_input(r->graph, op), o->in_shape, sizeof o->in_shape);
    shape_text(op_out(r->graph, op, 0), o->out_shape, sizeof o->out_shape);
    o->on_mxu = res->mac_slots > 0;
    o->us = chip_cycles_to_us(c, res->cycles);
    o->intensity = ratio((double)res->flops, (double)res->hbm_bytes);
    o->flops_per_s = ratio((double)res->flops, (double)res->cycles / c->clock_hz);
    o->pct_peak = 100.0 * ratio(o->flops_per_s, c->peak_flops_per_s_core);
    o->mxu_util_busy = ratio((double)res->useful_macs, (double)res->mac_slots);
    double slots = macs_per_cycle(c);
    o->mxu_util_time = ratio((double)res->useful_macs, slots * (double)res->cycles);
    o->padding_macs = res->mac_slots > res->useful_macs ? res->mac_slots - res->useful_macs : 0;
    o->layout_padding = res->act_bytes > res->act_useful_bytes
                            ? 1.0 - (double)res->act_useful_bytes / (double)res->act_bytes
                            : 0.0;
    for (int k = 0; k < CAUSE_COUNT; k++)
        o->cause_share[k] = ratio((double)res->stall[k], (double)res->cycles);
    o->proxy_us = (double)res->flops / c->peak_flops_per_s_core * 1e6;
    o->proxy_error = res->fused_into >= 0 ? 0 : ratio(o->us, o->proxy_us);
    struct energy_total e;
    energy_total_of(c, res->energy_fj, res->cycles, &e);
    o->energy_uj = e.uj;
    o->avg_power_w = e.avg_power_w;
}

/* The model's energy, its power and its efficiency. */
static void fill_energy(const struct sim_result *r, struct report *out)
{
    struct energy_total e;
    energy_total_of(r->chip, r->sum.energy_fj, r->sum.cycles, &e);
    memcpy(out->energy_uj_by_part, e.uj_by_part, sizeof e.uj_by_part);
    out->energy_uj = e.uj;
    out->avg_power_w = e.avg_power_w;
    out->tops_per_w = ratio((double)r->sum.flops, e.pj * 1e-12) / 1e12;
    out->inferences_per_j = ratio(1.0, e.pj * 1e-12);
    for (int i = 0; i < out->n_ops; i++)
        if (out->ops[i].avg_power_w > out->peak_power_w)
            out->peak_power_w = out->ops[i].avg_power_w;
}

static struct report_group *find_group(struct report_group *gs, int *n, const char *name)
{
    for (int i = 0; i < *n; i++)
        if (strcmp(gs[i].name, name) == 0)
            return &gs[i];
    struct report_group *g = &gs[(*n)++];
    memset(g, 0, sizeof *g);
    snprintf(g->name, sizeof g->name, "%s", name);
    return g;
}

static void add_to_group(struct report_group *g, const struct op_result *res)
{
    g->ops++;
    g->cycles = sat_add(g->cycles, res->cycles);
    g->flops = sat_add(g->flops, res->flops);
    for (int k = 0; k < CAUSE_COUNT; k++)
        g->cause_cycles[k] = sat_add(g->cause_cycles[k], res->stall[k]);
}

static int by_cycles_desc(const void *pa, const void *pb)
{
    const struct report_group *a = pa, *b = pb;
    if (a->cycles != b->cycles)
        return a->cycles < b->cycles ? 1 : -1;
    return strcmp(a->name, b->name);
}

static void groups_and_top(struct report *rp)
{
    const struct sim_result *r = rp->res;
    for (int k = 0; k < CAUSE_COUNT; k++)
        snprintf(rp->by_bound[k].name, sizeof rp->by_bound[k].name, "%s",
                 cause_name((enum cause)k));
    for (int i = 0; i < rp->n_ops; i++) {
        const struct op_result *res = &r->ops[i];
        if (res->fused_into >= 0)
            continue;
        add_to_group(find_group(rp->by_type, &rp->n_types, rp->ops[i].type), res);
        add_to_group(&rp->by_bound[res->bound], res);
        /* Insertion into the top list, most cycles first, ties by order. */
        int at = rp->n_top;
        while (at > 0 && r->ops[rp->ops[rp->top[at - 1]].index].cycles < res->cycles)
            at--;
        if (at >= REPORT_TOP)
            continue;
        int last = rp->n_top < REPORT_TOP ? rp->n_top : REPORT_TOP - 1;
        memmove(&rp->top[at + 1], &rp->top[at], (size_t)(last - at) * sizeof rp->top[0]);
        rp->top[at] = i;
        if (rp->n_top < REPORT_TOP)
            rp->n_top++;
    }
    double total = (double)r->sum.cycles;
    qsort(rp->by_type, (size_t)rp->n_types, sizeof *rp->by_type, by_cycles_desc);
    for (int i = 0; i < rp->n_types; i++)
        rp->by_type[i].share = ratio((double)rp->by_type[i].cycles, total);
    for (int k = 0; k < CAUSE_COUNT; k++)
        rp->by_bound[k].share = ratio((double)rp->by_bound[k].cycles, total);
}

int report_build(const struct sim_result *r, struct report *out, char *err, size_t err_len)
{
    memset(out, 0, sizeof *out);
    out->worst_proxy = -1;
    if (!r || !r->chip || !r->graph) {
        snprintf(err, err_len, "report: no simulation result");
        return TPUSIM_ERR_ARG;
    }
    const struct chip *c = r->chip;
    size_t n = (size_t)(r->n_ops > 0 ? r->n_ops : 1);
    out->ops = calloc(n, sizeof *out->ops);
    out->by_type = calloc(n, sizeof *out->by_type);
    if (!out->ops || !out->by_type) {
        report_free(out);
        snprintf(err, err_len, "report: out of memory");
        return TPUSIM_ERR_NOMEM;
    }
    out->res = r;
    out->n_ops = r->n_ops;
    for (int i = 0; i < r->n_ops; i++)
        fill_op(r, i, &out->ops[i]);
    for (int i = 0; i < r->n_ops; i++) {
        /* every row is filled: a host may come after what fuses into its
         * operand (lower.c: operand_host) */
        int host = r->ops[i].fused_into_row;
        if (host < 0)
            out->n_run++;
        else
            append_kind(out->ops[host].kind, out->ops[i].type);
        /* Per op: an op's padding is clamped at 0, so it is not the
         * totals' mac_slots - useful_macs. */
        out->padding_macs = sat_add(out->padding_macs, out->ops[i].padding_macs);
        out->act_bytes = sat_add(out->act_bytes, r->ops[i].act_bytes);
        out->act_useful_bytes = sat_add(out->act_useful_bytes, r->ops[i].act_useful_bytes);
    }
    out->layout_padding = out->act_bytes > out->act_useful_bytes
                              ? 1.0 - (double)out->act_useful_bytes / (double)out->act_bytes
                              : 0.0;
    out->mac_slots = r->sum.mac_slots;
    out->useful_macs = r->sum.useful_macs;
    out->hbm_bytes = r->sum.hbm_bytes;
    out->host_bytes = r->sum.host_bytes;
    out->latency_us = chip_cycles_to_us(c, r->sum.cycles);
    out->peak_flops_per_s = c->peak_flops_per_s_core;
    out->flops_per_s = ratio((double)r->sum.flops, out->latency_us * 1e-6);
    out->pct_peak = 100.0 * ratio(out->flops_per_s, out->peak_flops_per_s);
    out->proxy_us = (double)r->sum.flops / c->peak_flops_per_s_core * 1e6;
    out->proxy_error = ratio(out->latency_us, out->proxy_us);
    out->mxu_util_busy = ratio((double)out->useful_macs, (double)out->mac_slots);
    double slots = macs_per_cycle(c);
    out->mxu_util_time = ratio((double)out->useful_macs, slots * (double)r->sum.cycles);
    for (int k = 0; k < CAUSE_COUNT; k++)
        out->cause_share[k] = ratio((double)r->sum.stall[k], (double)r->sum.cycles);
    fill_energy(r, out);
    groups_and_top(out);
    double worst = 0;
    for (int i = 0; i < out->n_ops; i++) {
        const struct report_op *o = &out->ops[i];
        if (o->res->fused_into < 0 && o->proxy_error > worst &&
            (double)o->res->cycles >= 0.01 * (double)r->sum.cycles) {
            worst = o->proxy_error;
            out->worst_proxy = i;
        }
    }
    return TPUSIM_OK;
}

void report_free(struct report *rp)
{
    if (!rp)
        return;
    free(rp->ops);
    free(rp->by_type);
    memset(rp, 0, sizeof *rp);
    rp->worst_proxy = -1;
}

/* ------------------------------------------------------------ blocks */

/* The block key of an op name: its first two path components when it has
 * more ("/layer1/layer1.0/conv1/Conv" -> "/layer1/layer1.0"), else its
 * first ("/conv1/Conv" -> "/conv1"); names without '/' are their own key.
 * Returns the key's length. */
static size_t block_key_len(const char *name)
{
    if (name[0] != '/')
        return strlen(name);
    const char *s1 = strchr(name + 1, '/');
    if (!s1)
        return strlen(name);
    const char *s2 = strchr(s1 + 1, '/');
    return s2 ? (size_t)(s2 - name) : (size_t)(s1 - name);
}

static void block_add(struct report_group *b, const struct report *rp, int i)
{
    if (b->ops == 0)
        b->first = i;
    b->last = i;
    add_to_group(b, rp->ops[i].res);
}

int report_blocks(const struct report *rp, int max_blocks, struct report_group **out, int *n)
{
    *out = NULL;
    *n = 0;
    if (max_blocks < 1)
        max_blocks = 1;
    struct report_group *b = calloc((size_t)(rp->n_run > 0 ? rp->n_run : 1), sizeof *b);
    if (!b)
        return TPUSIM_ERR_NOMEM;
    int nb = 0;
    /* By name prefix: consecutive running ops with one key. */
    const char *key = NULL;
    size_t key_len = 0;
    for (int i = 0; i < rp->n_ops; i++) {
        if (rp->ops[i].res->fused_into >= 0)
            continue;
        const char *name = rp->ops[i].name;
        size_t len = rp->n_run <= max_blocks ? strlen(name) + 1 : block_key_len(name);
        if (!key || len != key_len || strncmp(key, name, len) != 0 ||
            rp->n_run <= max_blocks) {
            key = name;
            key_len = len;
            snprintf(b[nb].name, sizeof b[nb].name, "%.*s", (int)len, name);
            nb++;
        }
        block_add(&b[nb - 1], rp, i);
    }
    if (nb > max_blocks || (nb == 1 && rp->n_run > max_blocks)) {
        /* Equal runs of running ops, named by their range. */
        int per = (rp->n_run + max_blocks - 1) / max_blocks, seen = 0;
        memset(b, 0, (size_t)nb * sizeof *b);
        nb = 0;
        for (int i = 0; i < rp->n_ops; i++) {
            if (rp->ops[i].res->fused_into >= 0)
                continue;
            if (seen++ % per == 0)
                nb++;
            block_add(&b[nb - 1], rp, i);
        }
        for (int k = 0; k < nb; k++)
            snprintf(b[k].name, sizeof b[k].name, "ops %d-%d", b[k].first, b[k].last);
    }
    for (int k = 0; k < nb; k++)
        b[k].share = ratio((double)b[k].cycles, (double)rp->res->sum.cycles);
    *out = b;
    *n = nb;
    return TPUSIM_OK;
}

/* ----------------------------------------------------------- compare */

int compare_build(const struct report *a, const struct report *b, struct comparison *out,
                  char *err, size_t err_len)
{
    memset(out, 0, sizeof *out);
    if (a->res->graph != b->res->graph || a->n_ops != b->n_ops) {
        snprintf(err, err_len, "compare: the two results come from different graphs");
        return TPUSIM_ERR_ARG;
    }
    out->ops = calloc((size_t)(a->n_ops > 0 ? a->n_ops : 1), sizeof *out->ops);
    if (!out->ops) {
        snprintf(err, err_len, "compare: out of memory");
        return TPUSIM_ERR_NOMEM;
    }
    const struct chip *ca = a->res->chip, *cb = b->res->chip;
    out->a = a;
    out->b = b;
    out->n_ops = a->n_ops;
    out->speedup = ratio(a->latency_us, b->latency_us);
    out->peak_ratio = ratio(cb->peak_flops_per_s_core, ca->peak_flops_per_s_core);
    out->chip_peak_ratio = ratio(cb->peak_flops_per_s, ca->peak_flops_per_s);
    out->clock_ratio = ratio(cb->clock_hz, ca->clock_hz);
    out->vpu_ratio = ratio((double)cb->vpu_lanes * cb->vpu_sublanes * cb->clock_hz,
                           (double)ca->vpu_lanes * ca->vpu_sublanes * ca->clock_hz);
    out->hbm_ratio = ratio(cb->hbm_bandwidth_gbps, ca->hbm_bandwidth_gbps);
    out->realised = ratio(out->speedup, out->peak_ratio);
    out->energy_ratio = ratio(b->energy_uj, a->energy_uj);
    out->perf_per_w_ratio = ratio(a->energy_uj, b->energy_uj);
    for (int i = 0; i < a->n_ops; i++) {
        const struct op_result *ra = a->ops[i].res, *rb = b->ops[i].res;
        struct compare_op *o = &out->ops[i];
        o->index = i;
        o->a_cycles = ra->cycles;
        o->b_cycles = rb->cycles;
        o->a_us = a->ops[i].us;
        o->b_us = b->ops[i].us;
        o->speedup = ratio(o->a_us, o->b_us);
        o->a_bound = ra->bound;
        o->b_bound = rb->bound;
        o->a_fused = ra->fused_into >= 0;
        o->b_fused = rb->fused_into >= 0;
        if (!o->a_fused && !o->b_fused && o->a_bound != o->b_bound)
            out->n_moved++;
    }
    return TPUSIM_OK;
}

void compare_free(struct comparison *c)
{
    if (!c)
        return;
    free(c->ops);
    memset(c, 0, sizeof *c);
}

/* What a person would call the ops of one category. */
static void category_of(const struct report_op *o, char *buf, size_t len)
{
    bool conv = strcmp(o->type, "Conv") == 0 || strcmp(o->type, "ConvTranspose") == 0;
    bool matmul = strcmp(o->type, "MatMul") == 0 || strcmp(o->type, "Gemm") == 0 ||
                  strcmp(o->type, "Einsum") == 0;
    if (conv && !o->on_mxu && o->res->macs)
        snprintf(buf, len, "depthwise convolutions on the VPU");
    else if (conv)
        snprintf(buf, len, "convolutions on the MXU");
    else if (matmul && o->on_mxu)
        snprintf(buf, len, "matrix multiplies on the MXU");
    else
        snprintf(buf, len, "%s ops on the VPU", o->type);
}

struct category {
    char name[REPORT_KIND_LEN];
    double a_us, b_us, lost_us;
    uint64_t b_cause[CAUSE_COUNT];
    uint64_t b_useful, b_slots_time;
};

static int by_lost_desc(const void *pa, const void *pb)
{
    const struct category *a = pa, *b = pb;
    if (a->lost_us != b->lost_us)
        return a->lost_us < b->lost_us ? 1 : -1;
    return strcmp(a->name, b->name);
}

const char *compare_side_name(const struct comparison *c, const struct report *r, char *buf,
                              size_t len)
{
    if (strcmp(c->a->res->stack->name, c->b->res->stack->name) == 0)
        snprintf(buf, len, "%s", r->res->chip->name);
    else
        snprintf(buf, len, "%s under %s", r->res->chip->name, r->res->stack->name);
    return buf;
}

/* Why a category gained what it gained, from its largest cause on b. */
static void category_why(const struct comparison *c, const struct category *g, char *buf,
                         size_t len)
{
    char a_name[160], b_name[160];
    const char *an = compare_side_name(c, c->a, a_name, sizeof a_name);
    const char *bn = compare_side_name(c, c->b, b_name, sizeof b_name);
    int best = 0;
    for (int k = 1; k < CAUSE_COUNT; k++)
        if (g->b_cause[k] > g->b_cause[best])
            best = k;
    switch ((enum cause)best) {
    case CAUSE_VPU:
        snprintf(buf, len, "vector work, and %s's vector unit is only %.2fx %s's", bn,
                 c->vpu_ratio, an);
        break;
    case CAUSE_HBM:
        snprintf(buf, len, "memory-bound on %s, whose HBM bandwidth is %.2fx %s's", bn,
                 c->hbm_ratio, an);
        break;
    case CAUSE_WEIGHT_LOAD:
        snprintf(buf, len, "waiting for weights to load, which gains only the clock ratio (%.2fx)",
                 c->clock_ratio);
        break;
    case CAUSE_FILL_DRAIN:
        snprintf(buf, len, "systolic fill and drain, which gains only the clock ratio (%.2fx)",
                 c->clock_ratio);
        break;
    case CAUSE_SRAM:
        snprintf(buf, len, "re-reading activations that do not fit on chip");
        break;
    case CAUSE_HOST_LINK:
        snprintf(buf, len, "the host side: parameters streamed over the host link, or ops left "
                 "to the host CPU");
        break;
    case CAUSE_LAUNCH:
        snprintf(buf, len, "the stack's launch and dispatch overhead, which does not shrink "
                 "with a faster chip");
        break;
    case CAUSE_WAVE_QUANT:
        snprintf(buf, len, "the last partial wave of thread blocks leaving SMs idle");
        break;
    case CAUSE_MXU:
    case CAUSE_COUNT:
        snprintf(buf, len, "MXU-bound on %s at %.0f%% utilisation over their time: padding and "
                 "too few tiles to keep its %d MXU%s busy",
                 bn, 100.0 * ratio((double)g->b_useful, (double)g->b_slots_time),
                 c->b->res->chip->mxu_per_core, c->b->res->chip->mxu_per_core > 1 ? "s" : "");
        break;
    }
}

static int categories(const struct comparison *c, struct category **out)
{
    const struct report *a = c->a, *b = c->b;
    struct category *cat = calloc((size_t)(a->n_ops > 0 ? a->n_ops : 1), sizeof *cat);
    if (!cat)
        return -1;
    int n = 0;
    const struct chip *cb = b->res->chip;
    double slots = macs_per_cycle(cb);
    for (int i = 0; i < a->n_ops; i++) {
        /* Fused ops carry no time; their host's category holds it. */
        const struct report_op *oa = &a->ops[i], *ob = &b->ops[i];
        if (oa->res->fused_into >= 0 && ob->res->fused_into >= 0)
            continue;
        char name[REPORT_KIND_LEN];
        category_of(oa->res->fused_into >= 0 ? ob : oa, name, sizeof name);
        int k = 0;
        while (k < n && strcmp(cat[k].name, name) != 0)
            k++;
        if (k == n)
            snprintf(cat[n++].name, sizeof cat[0].name, "%s", name);
        cat[k].a_us += oa->us;
        cat[k].b_us += ob->us;
        for (int j = 0; j < CAUSE_COUNT; j++)
            cat[k].b_cause[j] = sat_add(cat[k].b_cause[j], ob->res->stall[j]);
        cat[k].b_useful = sat_add(cat[k].b_useful, ob->res->useful_macs);
        cat[k].b_slots_time = sat_add(cat[k].b_slots_time,
                                      sat_from_double(slots * (double)ob->res->cycles));
    }
    for (int k = 0; k < n; k++)
        cat[k].lost_us = cat[k].b_us - cat[k].a_us / c->peak_ratio;
    qsort(cat, (size_t)n, sizeof *cat, by_lost_desc);
    *out = cat;
    return n;
}

/* The most common bound move, "mxu->hbm (12 ops)". */
static void common_move(const struct comparison *c, char *buf, size_t len)
{
    int counts[CAUSE_COUNT][CAUSE_COUNT];
    memset(counts, 0, sizeof counts);
    int best_from = -1, best_to = -1, best = 0;
    for (int i = 0; i < c->n_ops; i++) {
        const struct compare_op *o = &c->ops[i];
        if (o->a_fused || o->b_fused || o->a_bound == o->b_bound)
            continue;
        int v = ++counts[o->a_bound][o->b_bound];
        if (v > best) {
            best = v;
            best_from = (int)o->a_bound;
            best_to = (int)o->b_bound;
        }
    }
    if (best_from < 0)
        snprintf(buf, len, "none");
    else
        snprintf(buf, len, "%s->%s (%d ops)", cause_name((enum cause)best_from),
                 cause_name((enum cause)best_to), best);
}

#define APPEND(...)                                                                               \
    do {                                                                                          \
        if (at < len) {                                                                           \
            int w_ = snprintf(buf + at, len - at, __VA_ARGS__);                                   \
            at = w_ < 0 ? len : at + (size_t)w_;                                                  \
        }                                                                                         \
    } while (0)

void compare_explain(const struct comparison *c, const char *model, char *buf, size_t len)
{
    if (!len)
        return;
    buf[0] = '\0';
    size_t at = 0;
    char a_name[160], b_name[160];
    const char *an = compare_side_name(c, c->a, a_name, sizeof a_name);
    const char *bn = compare_side_name(c, c->b, b_name, sizeof b_name);
    APPEND("On %s, one core of %s has %.2fx the peak FLOP/s of one core of %s (%.2fx chip to "
           "chip) but runs it %.2fx faster: %.0f%% of the peak ratio.",
           model, bn, c->peak_ratio, an, c->chip_peak_ratio, c->speedup, 100.0 * c->realised);
    struct category *cat = NULL;
    int n = categories(c, &cat);
    if (n < 0) {
        APPEND(" (out of memory explaining why)");
        return;
    }
    double a_total = c->a->latency_us;
    double lost = c->b->latency_us - a_total / c->peak_ratio;
    if (lost <= 0) {
        APPEND(" It realises the whole peak ratio");
        if (n > 0)
            APPEND(": %s (%.0f%% of %s's time) gained %.2fx", cat[n - 1].name,
                   100.0 * ratio(cat[n - 1].a_us, a_total), an,
                   ratio(cat[n - 1].a_us, cat[n - 1].b_us));
        APPEND(".");
    } else {
        double covered = 0;
        for (int k = 0; k < n && k < 3 && cat[k].lost_us > 0 && covered < 0.8 * lost; k++) {
            char why[256];
            category_why(c, &cat[k], why, sizeof why);
            APPEND(" %.0f%% of %s's time was %s, which gained only %.2fx (%s); that is %.0f%% "
                   "of the time lost against the peak ratio.",
                   100.0 * ratio(cat[k].a_us, a_total), an, cat[k].name,
                   ratio(cat[k].a_us, cat[k].b_us), why, 100.0 * cat[k].lost_us / lost);
            covered += cat[k].lost_us;
        }
    }
    char move[96];
    common_move(c, move, sizeof move);
    if (c->n_moved)
        APPEND(" %d of %d ops changed bound; the most common move: %s.", c->n_moved,
               c->a->n_run, move);
    else
        APPEND(" No op changed bound.");
    free(cat);
}
