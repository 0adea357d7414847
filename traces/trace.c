/*
 * trace.c — Chrome Trace Event JSON, gzip-compressed, of a simulation:
 * op slices, per-unit slices redrawn from each op's pipeline (see trace.h
 * for the rules), and counters for HBM bandwidth and SRAM occupancy.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "trace.h"

/* enum unit lists the engine's stages in pipeline order (engine.h). */
#define N_STAGES UNIT_COUNT

enum { TID_OPS = 1, TID_VPU, TID_DMA_IN, TID_DMA_OUT, TID_HOST, TID_MXU0 };

struct tw {
    gzFile f;
    const struct report *rp;
    const struct sim_result *r;
    const struct chip *c;
    enum trace_level level;
    uint64_t max_slices;
    bool first;
    bool failed;
};

/* The redrawn pipeline of one op: per active stage, its per-tile time. */
struct pipe {
    int n;                     /* active stages */
    enum unit unit[N_STAGES];
    double dur[N_STAGES];      /* cycles per tile */
    double sum[N_STAGES];      /* sum of dur[0..j] */
    double maxd[N_STAGES];     /* max of dur[0..j] */
    double begin;              /* cycle the first tile enters */
    uint64_t tiles;
};

static double us_of(const struct tw *w, double cycles)
{
    return cycles / w->c->clock_hz * 1e6;
}

static void put_string(struct tw *w, const char *s)
{
    gzputc(w->f, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') {
            gzputc(w->f, '\\');
            gzputc(w->f, *p);
        } else if (*p < 0x20) {
            gzprintf(w->f, "\\u%04x", *p);
        } else {
            gzputc(w->f, *p);
        }
    }
    gzputc(w->f, '"');
}

static void begin_event(struct tw *w)
{
    gzputs(w->f, w->first ? "\n" : ",\n");
    w->first = false;
}

static void meta(struct tw *w, const char *what, int tid, const char *name, int sort)
{
    begin_event(w);
    gzprintf(w->f, "{\"ph\":\"M\",\"pid\":1,\"tid\":%d,\"name\":\"%s\",\"args\":{\"name\":", tid,
             what);
    put_string(w, name);
    gzputs(w->f, "}}");
    if (sort >= 0) {
        begin_event(w);
        gzprintf(w->f,
                 "{\"ph\":\"M\",\"pid\":1,\"tid\":%d,\"name\":\"thread_sort_index\","
                 "\"args\":{\"sort_index\":%d}}",
                 tid, sort);
    }
}

/* A complete slice [a, b) in cycles on track tid; the caller closes args. */
static void slice_open(struct tw *w, int tid, const char *name, const char *cat, double a,
                       double b, int op)
{
    begin_event(w);
    gzprintf(w->f, "{\"ph\":\"X\",\"pid\":1,\"tid\":%d,\"cat\":\"%s\",\"ts\":%.6f,\"dur\":%.6f,"
                   "\"name\":",
             tid, cat, us_of(w, a), us_of(w, b) - us_of(w, a));
    put_string(w, name);
    gzprintf(w->f, ",\"args\":{\"op\":%d", op);
}

static void counter(struct tw *w, const char *name, const char *series, double at, double v)
{
    begin_event(w);
    gzprintf(w->f, "{\"ph\":\"C\",\"pid\":1,\"name\":\"%s\",\"ts\":%.6f,\"args\":{\"%s\":%.6f}}",
             name, us_of(w, at), series, v);
}

/* Pipeline makespan (cycles) with the non-DMA stages scaled by f. */
static double makespan(const struct pipe *p, double f)
{
    double sum = 0, mx = 0;
    for (int j = 0; j < p->n; j++) {
        double d = p->unit[j] == UNIT_HBM ? p->dur[j] : p->dur[j] * f;
        sum += d;
        if (d > mx)
            mx = d;
    }
    return sum + (double)(p->tiles - 1) * mx;
}

/* Lays out op r's pipeline inside its cycles (trace.h). */
static void build_pipe(const struct op_result *r, struct pipe *p)
{
    memset(p, 0, sizeof *p);
    p->tiles = r->tiles ? r->tiles : 1;
    double pre = (double)r->stall[CAUSE_LAUNCH];
    for (int s = 0; s < N_STAGES; s++)
        pre += (double)r->lead_cycles[s];
    double budget = (double)r->cycles - pre - (double)r->stall[CAUSE_FILL_DRAIN];
    p->begin = (double)r->start_cycle + pre;
    for (int s = 0; s < N_STAGES; s++) {
        uint64_t total = r->stage_cycles[s];
        if (!total)
            continue;
        p->unit[p->n] = (enum unit)s;
        p->dur[p->n++] = (double)total / (double)p->tiles;
    }
    /* Rounding in the engine (ceil per tile, ties) can leave the redrawn
     * pipeline a little longer than the op: shrink the non-DMA stages,
     * never the DMA, so no transfer beats the bandwidth. */
    if (budget > 0 && makespan(p, 1) > budget) {
        double lo = 0, hi = 1;
        for (int it = 0; it < 60; it++) {
            double mid = (lo + hi) / 2;
            if (makespan(p, mid) <= budget)
                lo = mid;
            else
                hi = mid;
        }
        double all = makespan(p, lo) > budget ? budget / makespan(p, lo) : 1;
        for (int j = 0; j < p->n; j++)
            p->dur[j] *= (p->unit[j] == UNIT_HBM ? 1 : lo) * all;
    }
    for (int j = 0; j < p->n; j++) {
        p->sum[j] = (j ? p->sum[j - 1] : 0) + p->dur[j];
        p->maxd[j] = j && p->maxd[j - 1] > p->dur[j] ? p->maxd[j - 1] : p->dur[j];
    }
}

/* Tile i of stage j ends at sum(dur[0..j]) + i * max(dur[0..j]). */
static double tile_end(const struct pipe *p, int j, uint64_t i)
{
    return p->begin + p->sum[j] + (double)i * p->maxd[j];
}

static double tile_start(const struct pipe *p, int j, uint64_t i)
{
    return tile_end(p, j, i) - p->dur[j];
}

/* Matrix-unit tracks an op's slices go on. A GPU op keeps up to every SM
 * busy (80 on a V100): one "SMs" track whose slices carry the count
 * (matrix_args) rather than a track per SM; a TPU op one track per MXU it
 * uses, as many as the header named. */
static uint64_t mxu_tracks(const struct tw *w, const struct op_result *r)
{
    if (w->c->mxu_kind == MATRIX_TENSOR_CORES)
        return 1;
    uint64_t used = r->mxus_used ? r->mxus_used : 1;
    return used < (uint64_t)w->c->mxu_per_core ? used : (uint64_t)w->c->mxu_per_core;
}

static void matrix_args(struct tw *w, const struct op_result *r)
{
    if (w->c->mxu_kind == MATRIX_TENSOR_CORES)
        gzprintf(w->f, ",\"sms\":%llu", (unsigned long long)r->mxus_used);
}

static void close_args(struct tw *w, uint64_t t0, uint64_t t1)
{
    gzprintf(w->f, ",\"tiles\":\"%llu-%llu\"}}", (unsigned long long)t0, (unsigned long long)t1);
}

static void stage_slices(struct tw *w, const struct report_op *o, const struct pipe *p, int j,
                         uint64_t groups)
{
    const struct op_result *r = o->res;
    double read = r->hbm_bytes ? (double)(r->hbm_bytes - r->hbm_write_bytes) /
                                     (double)r->hbm_bytes
                               : 0;
    uint64_t mxus = mxu_tracks(w, r);
    for (uint64_t g = 0; g < groups; g++) {
        uint64_t t0 = g * p->tiles / groups, t1 = (g + 1) * p->tiles / groups - 1;
        double a = tile_start(p, j, t0), b = tile_end(p, j, t1);
        switch (p->unit[j]) {
        case UNIT_HBM: {
            double mid = a + read * (b - a);
            double bytes = (double)r->hbm_bytes * (double)(t1 - t0 + 1) / (double)p->tiles;
            if (mid > a) {
                slice_open(w, TID_DMA_IN, o->name, "dma", a, mid, o->index);
                gzprintf(w->f, ",\"bytes\":%.0f", bytes * read);
                close_args(w, t0, t1);
            }
            if (b > mid) {
                slice_open(w, TID_DMA_OUT, o->name, "dma", mid, b, o->index);
                gzprintf(w->f, ",\"bytes\":%.0f", bytes * (1 - read));
                close_args(w, t0, t1);
            }
            /* Tiles move equal bytes in equal time: one level per op. */
            double secs = (b - a) / w->c->clock_hz;
            if (g == 0)
                counter(w, "HBM bandwidth", "GB/s", a, secs > 0 ? bytes / secs / 1e9 : 0);
            if (g == groups - 1)
                counter(w, "HBM bandwidth", "GB/s", b, 0);
            break;
        }
        case UNIT_HOST:
            slice_open(w, TID_HOST, o->name, "host_link", a, b, o->index);
            gzprintf(w->f, ",\"bytes\":%.0f",
                     (double)r->host_bytes * (double)(t1 - t0 + 1) / (double)p->tiles);
            close_args(w, t0, t1);
            break;
        case UNIT_MXU:
            for (uint64_t m = 0; m < mxus; m++) {
                slice_open(w, TID_MXU0 + (int)m, o->name, "mxu", a, b, o->index);
                matrix_args(w, r);
                close_args(w, t0, t1);
            }
            break;
        case UNIT_VPU:
        case UNIT_COUNT:
            slice_open(w, TID_VPU, o->name, "vpu", a, b, o->index);
            close_args(w, t0, t1);
            break;
        }
    }
}

static void op_slice(struct tw *w, const struct report_op *o)
{
    const struct op_result *r = o->res;
    double a = (double)r->start_cycle, b = a + (double)r->cycles;
    slice_open(w, TID_OPS, o->name, "op", a, b, o->index);
    gzputs(w->f, ",\"type\":");
    put_string(w, o->kind);
    gzputs(w->f, ",\"in\":");
    put_string(w, o->in_shape);
    gzputs(w->f, ",\"out\":");
    put_string(w, o->out_shape);
    gzprintf(w->f,
             ",\"cycles\":%llu,\"flops\":%llu,\"hbm_bytes\":%llu,\"host_bytes\":%llu,"
             "\"tiles\":%llu,\"bound\":\"%s\",\"pct_peak\":%.2f,\"mxu_util\":%.4f",
             (unsigned long long)r->cycles, (unsigned long long)r->flops,
             (unsigned long long)r->hbm_bytes, (unsigned long long)r->host_bytes,
             (unsigned long long)r->tiles, cause_name(r->bound), o->pct_peak, o->mxu_util_busy);
    for (int k = 0; k < CAUSE_COUNT; k++)
        if (r->stall[k])
            gzprintf(w->f, ",\"%s_cycles\":%llu", cause_name((enum cause)k),
                     (unsigned long long)r->stall[k]);
    gzputs(w->f, "}}");
}

static void unit_slices(struct tw *w, const struct report_op *o)
{
    const struct op_result *r = o->res;
    struct pipe p;
    build_pipe(r, &p);
    uint64_t groups = w->level == TRACE_OP ? 1 : p.tiles < w->max_slices ? p.tiles : w->max_slices;
    double lat_at = (double)r->start_cycle + (double)r->stall[CAUSE_LAUNCH];
    if (r->lead_cycles[UNIT_HBM]) {
        double e = lat_at + (double)r->lead_cycles[UNIT_HBM];
        slice_open(w, TID_DMA_IN, "HBM latency", "dma", lat_at, e, o->index);
        gzputs(w->f, "}}");
        lat_at = e;
    }
    if (r->lead_cycles[UNIT_HOST]) {
        slice_open(w, TID_HOST, "host link latency", "host_link", lat_at,
                   lat_at + (double)r->lead_cycles[UNIT_HOST], o->index);
        gzputs(w->f, "}}");
    }
    for (int j = 0; j < p.n; j++) {
        stage_slices(w, o, &p, j, groups);
        if (p.unit[j] == UNIT_MXU && r->stall[CAUSE_FILL_DRAIN]) {
            double a = tile_end(&p, j, p.tiles - 1);
            uint64_t mxus = mxu_tracks(w, r);
            for (uint64_t m = 0; m < mxus; m++) {
                slice_open(w, TID_MXU0 + (int)m, "fill/drain", "mxu", a,
                           a + (double)r->stall[CAUSE_FILL_DRAIN], o->index);
                matrix_args(w, r);
                gzputs(w->f, "}}");
            }
        }
    }
}

static void header(struct tw *w, const struct trace_options *o)
{
    const struct chip *c = w->c;
    gzputs(w->f, "{\"displayTimeUnit\":\"ns\",\"otherData\":{\"generator\":\"tpusim ");
    gzputs(w->f, tpusim_version());
    gzputs(w->f, "\",\"chip\":");
    put_string(w, c->name);
    gzputs(w->f, ",\"stack\":");
    put_string(w, w->r->stack->name);
    gzputs(w->f, ",\"model\":");
    put_string(w, o->model ? o->model : "");
    gzprintf(w->f,
             ",\"clock_mhz\":%.6f,\"hbm_bandwidth_gbps\":%.6f,\"sram_capacity_bytes\":%llu,"
             "\"trace_level\":\"%s\",\"total_cycles\":%llu},\n\"traceEvents\":[",
             c->clock_mhz, c->hbm_bandwidth_gbps,
             (unsigned long long)(c->vmem_bytes + c->cmem_bytes + c->param_cache_bytes),
             w->level == TRACE_OP ? "op" : "tile", (unsigned long long)w->r->sum.cycles);
    char name[600];
    snprintf(name, sizeof name, "tpusim: %s on %s", o->model ? o->model : "model", c->name);
    meta(w, "process_name", TID_OPS, name, -1);
    meta(w, "thread_name", TID_OPS, "ops", 0);
    int tracks = c->mxu_kind == MATRIX_TENSOR_CORES ? 1 : c->mxu_per_core;
    for (int m = 0; m < tracks; m++) {
        char t[32];
        snprintf(t, sizeof t, "MXU%d", m);
        meta(w, "thread_name", TID_MXU0 + m, c->mxu_kind == MATRIX_TENSOR_CORES ? "SMs" : t,
             1 + m);
    }
    int after = 1 + tracks;
    meta(w, "thread_name", TID_VPU, "VPU", after);
    meta(w, "thread_name", TID_DMA_IN, "DMA in (HBM reads)", after + 1);
    meta(w, "thread_name", TID_DMA_OUT, "DMA out (HBM writes)", after + 2);
    if (c->host_link_bandwidth_gbps > 0)
        meta(w, "thread_name", TID_HOST, "host link", after + 3);
}

/* On-chip bytes in use during each running op: the live activations after
 * it (and what fused into it) plus parameters held on chip. */
static int sram_counters(struct tw *w)
{
    const struct sim_result *r = w->r;
    uint64_t *live = calloc((size_t)(r->n_ops > 0 ? r->n_ops : 1), sizeof *live);
    if (!live)
        return TPUSIM_ERR_NOMEM;
    for (int i = 0; i < r->n_ops; i++) {
        const struct op_result *o = &r->ops[i];
        int host = o->fused_into_row >= 0 ? o->fused_into_row : i;
        if (o->sram_live_bytes > live[host])
            live[host] = o->sram_live_bytes;
    }
    for (int i = 0; i < r->n_ops; i++)
        if (r->ops[i].fused_into < 0)
            counter(w, "SRAM occupancy", "MiB", (double)r->ops[i].start_cycle,
                    (double)(live[i] + r->params_on_chip_bytes) / (1024.0 * 1024.0));
    counter(w, "SRAM occupancy", "MiB", (double)r->sum.cycles, 0);
    free(live);
    return TPUSIM_OK;
}

int trace_write(const char *path, const struct report *rp, const struct trace_options *o,
                char *err, size_t err_len)
{
    struct trace_options dflt = {TRACE_TILE, 0, NULL};
    if (!o)
        o = &dflt;
    if (!path || !rp || !rp->res) {
        snprintf(err, err_len, "trace: no file or no result");
        return TPUSIM_ERR_ARG;
    }
    struct tw w = {0};
    w.rp = rp;
    w.r = rp->res;
    w.c = rp->res->chip;
    w.level = o->level;
    w.max_slices = o->max_slices_per_op ? o->max_slices_per_op : TRACE_DEFAULT_SLICES;
    w.first = true;
    errno = 0;
    w.f = gzopen(path, "wb6");
    if (!w.f) {
        snprintf(err, err_len, "trace: cannot write '%s': %s", path,
                 errno ? strerror(errno) : "out of memory");
        return TPUSIM_ERR_IO;
    }
    header(&w, o);
    for (int i = 0; i < rp->n_ops; i++) {
        if (rp->ops[i].res->fused_into >= 0)
            continue;
        op_slice(&w, &rp->ops[i]);
        unit_slices(&w, &rp->ops[i]);
    }
    int rc = sram_counters(&w);
    gzputs(w.f, "\n]}\n");
    int zerr = Z_OK;
    const char *zmsg = gzerror(w.f, &zerr);
    char zbuf[256];
    snprintf(zbuf, sizeof zbuf, "%s", zmsg ? zmsg : "");
    int close_rc = gzclose(w.f);
    if (rc) {
        snprintf(err, err_len, "trace: out of memory writing '%s'", path);
        return rc;
    }
    if (zerr != Z_OK || close_rc != Z_OK) {
        snprintf(err, err_len, "trace: writing '%s' failed: %s", path,
                 zerr != Z_OK ? zbuf : "could not flush or close");
        return TPUSIM_ERR_IO;
    }
    return TPUSIM_OK;
}
