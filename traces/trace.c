/*
 * trace.c — Chrome Trace Event JSON, gzip-compressed, of an event-engine
 * simulation (the rules: trace.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "sched_event.h"
#include "text.h"
#include "trace.h"

/* Thread ids: per core a block of tracks, then the chip's host link. */
enum { TRACK_OPS, TRACK_MXU, TRACK_VPU, TRACK_DMA_IN, TRACK_DMA_OUT, TRACK_LAUNCH, TRACKS };
#define TID(core, track) (1 + (core) * TRACKS + (track))
#define TID_HOST 100000

struct tw {
    gzFile f;
    const struct report *rp;
    const struct sim_result *r;
    const struct event_log *log;
    const struct chip *c;
    enum trace_level level;
    uint64_t max_slices;
    bool first;
};

/* Whole nanoseconds at a cycle boundary; monotone in the cycle. */
static uint64_t ns_at(const struct tw *w, uint64_t cycle)
{
    long double ns = (long double)cycle * 1000.0L / (long double)w->c->clock_mhz;
    return (uint64_t)(ns + 0.5L);
}

static void put_us(struct tw *w, uint64_t ns)
{
    gzprintf(w->f, "%llu.%03llu", (unsigned long long)(ns / 1000), (unsigned long long)(ns % 1000));
}

static void put_gz(void *f, const char *bytes, size_t n)
{
    gzwrite(f, bytes, (unsigned)n);
}

static void put_string(struct tw *w, const char *s)
{
    gzputc(w->f, '"');
    text_json(s, put_gz, w->f); /* valid UTF-8 whatever the model file held */
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
static void slice_open(struct tw *w, int tid, const char *name, const char *cat, uint64_t a,
                       uint64_t b, int op)
{
    uint64_t na = ns_at(w, a), nb = ns_at(w, b);
    begin_event(w);
    gzprintf(w->f, "{\"ph\":\"X\",\"pid\":1,\"tid\":%d,\"cat\":\"%s\",\"ts\":", tid, cat);
    put_us(w, na);
    gzputs(w->f, ",\"dur\":");
    put_us(w, nb - na);
    gzputs(w->f, ",\"name\":");
    put_string(w, name);
    gzprintf(w->f, ",\"args\":{\"op\":%d", op);
}

static void counter(struct tw *w, const char *name, const char *series, uint64_t at, double v)
{
    begin_event(w);
    gzprintf(w->f, "{\"ph\":\"C\",\"pid\":1,\"name\":\"%s\",\"ts\":", name);
    put_us(w, ns_at(w, at));
    gzprintf(w->f, ",\"args\":{\"%s\":%.6f}}", series, v);
}

/* ----------------------------------------------------------- op slices */

static void op_slice(struct tw *w, const struct report_op *o, uint64_t a, uint64_t b, int core)
{
    const struct op_result *r = o->res;
    slice_open(w, TID(core, TRACK_OPS), o->name, "op", a, b, o->index);
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

static bool is_compute(const struct act *x)
{
    return x->kind == AK_MXU || x->kind == AK_VPU || x->kind == AK_PROLOGUE ||
           x->kind == AK_LAUNCH;
}

/* Op slices on every core's ops track: each op from its first compute (or
 * launch) to the end of its last: consecutive ops on a core never overlap,
 * since an op starts when the one before it is done computing. */
static int op_slices(struct tw *w)
{
    const struct report *rp = w->rp;
    size_t n = (size_t)(rp->n_ops ? rp->n_ops : 1) * (size_t)w->log->cores;
    uint64_t *from = malloc(n * sizeof *from), *to = calloc(n, sizeof *to);
    if (!from || !to) {
        free(from);
        free(to);
        return TPUSIM_ERR_NOMEM;
    }
    for (size_t i = 0; i < n; i++)
        from[i] = UINT64_MAX;
    for (uint32_t k = 0; k < w->log->n; k++) {
        const struct act *x = &w->log->acts[k];
        size_t i = (size_t)x->core * (size_t)rp->n_ops + x->row;
        if (!is_compute(x))
            continue;
        if (x->start < from[i])
            from[i] = x->start;
        if (x->end > to[i])
            to[i] = x->end;
    }
    for (int core = 0; core < w->log->cores; core++)
        for (int i = 0; i < rp->n_ops; i++) {
            if (rp->ops[i].res->fused_into >= 0)
                continue;
            size_t j = (size_t)core * (size_t)rp->n_ops + (size_t)i;
            uint64_t a = from[j] == UINT64_MAX ? rp->ops[i].res->start_cycle : from[j];
            op_slice(w, &rp->ops[i], a, to[j] > a ? to[j] : a, core);
        }
    free(from);
    free(to);
    return TPUSIM_OK;
}

/* ------------------------------------------------------- unit slices */

static int track_of(const struct act *a)
{
    switch ((enum act_unit)a->unit) {
    case AU_DMA_IN: return TRACK_DMA_IN;
    case AU_DMA_OUT: return TRACK_DMA_OUT;
    case AU_MXU: return TRACK_MXU;
    case AU_VPU: return TRACK_VPU;
    case AU_LAUNCH: return TRACK_LAUNCH;
    default: return -1;
    }
}

static int tid_of(const struct act *a)
{
    int t = track_of(a);
    return t < 0 ? TID_HOST : TID(a->core, t);
}

/* An activity's place in the file: its track, then its start. */
struct placed {
    int tid;
    uint64_t start;
    uint32_t act;
};

static int by_track_start(const void *pa, const void *pb)
{
    const struct placed *a = pa, *b = pb;
    if (a->tid != b->tid)
        return a->tid < b->tid ? -1 : 1;
    if (a->start != b->start)
        return a->start < b->start ? -1 : 1;
    return a->act < b->act ? -1 : a->act > b->act;
}

static const char *cat_of(const struct act *a)
{
    switch ((enum act_unit)a->unit) {
    case AU_DMA_IN:
    case AU_DMA_OUT: return "dma";
    case AU_MXU: return "mxu";
    case AU_VPU: return "vpu";
    case AU_HOST: return "host_link";
    default: return "launch";
    }
}

static void group_slice(struct tw *w, const struct placed *p, size_t from, size_t to)
{
    const struct act *a = &w->log->acts[p[from].act], *z = &w->log->acts[p[to - 1].act];
    const struct report_op *o = &w->rp->ops[a->row];
    uint64_t bytes = 0;
    for (size_t k = from; k < to; k++)
        bytes += w->log->acts[p[k].act].bytes;
    char name[REPORT_KIND_LEN + 64];
    snprintf(name, sizeof name, "%s %s", o->name, act_kind_name((enum act_kind)a->kind));
    slice_open(w, p[from].tid, name, cat_of(a), a->start, z->end, (int)a->row);
    if (bytes)
        gzprintf(w->f, ",\"bytes\":%llu", (unsigned long long)bytes);
    if (a->kind == AK_MXU && o->res->mxus_used)
        gzprintf(w->f, ",\"%s\":%llu",
                 w->c->mxu_kind == MATRIX_TENSOR_CORES ? "sms" : "mxus",
                 (unsigned long long)o->res->mxus_used);
    gzprintf(w->f, ",\"tiles\":\"%u-%u\"}}", a->tile, z->tile);
}

/* Every activity that takes time or moves bytes, track by track; runs of
 * one op's activities of one kind merge so that an op shows at most
 * max_slices slices on a track. */
static int unit_slices(struct tw *w)
{
    uint32_t n = w->log->n;
    struct placed *p = malloc((size_t)(n ? n : 1) * sizeof *p);
    uint64_t *per_op = calloc((size_t)(w->r->n_ops ? w->r->n_ops : 1) * (TRACKS + 1),
                              sizeof *per_op);
    if (!p || !per_op) {
        free(p);
        free(per_op);
        return TPUSIM_ERR_NOMEM;
    }
    size_t m = 0;
    for (uint32_t i = 0; i < n; i++) {
        const struct act *a = &w->log->acts[i];
        if (a->end == a->start && !a->bytes)
            continue;
        p[m++] = (struct placed){tid_of(a), a->start, i};
        int t = track_of(a);
        per_op[(size_t)a->row * (TRACKS + 1) + (size_t)(t < 0 ? TRACKS : t)]++;
    }
    qsort(p, m, sizeof *p, by_track_start);
    size_t k = 0;
    while (k < m) {
        const struct act *a = &w->log->acts[p[k].act];
        int t = track_of(a);
        uint64_t count = per_op[(size_t)a->row * (TRACKS + 1) + (size_t)(t < 0 ? TRACKS : t)];
        uint64_t group = (count + w->max_slices - 1) / w->max_slices;
        size_t end = k + 1;
        while (end < m && end - k < group) {
            const struct act *b = &w->log->acts[p[end].act];
            if (p[end].tid != p[k].tid || b->row != a->row || b->kind != a->kind)
                break;
            end++;
        }
        group_slice(w, p, k, end);
        k = end;
    }
    free(p);
    free(per_op);
    return TPUSIM_OK;
}

/* ---------------------------------------------------------- counters */

static void hbm_counter(struct tw *w)
{
    double gbps = w->c->clock_hz / 1e9;
    for (uint32_t i = 0; i < w->log->n_hbm; i++)
        counter(w, "HBM bandwidth", "GB/s", w->log->hbm[i].t,
                w->log->hbm[i].bytes_per_cycle * gbps);
    counter(w, "HBM bandwidth", "GB/s", w->r->sum.cycles, 0);
}

/* On-chip bytes in use while each op runs on core 0: the live
 * activations after it, its weights and buffer slots, and parameters held
 * on chip. */
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
            counter(w, "SRAM occupancy", "MiB", r->ops[i].start_cycle,
                    (double)(live[i] + r->ops[i].buffer_bytes + r->params_on_chip_bytes) /
                        (1024.0 * 1024.0));
    counter(w, "SRAM occupancy", "MiB", r->sum.cycles, 0);
    free(live);
    return TPUSIM_OK;
}

/* Chip power while each op runs: its energy (energy.h: its units' events
 * and static power) and that of the ops fused into it (their parameters'
 * reads) over the cycles its row owns, so the track's area is the
 * inference's energy. */
static int power_counter(struct tw *w)
{
    const struct report *rp = w->rp;
    double *uj = calloc((size_t)(rp->n_ops > 0 ? rp->n_ops : 1), sizeof *uj);
    if (!uj)
        return TPUSIM_ERR_NOMEM;
    for (int i = 0; i < rp->n_ops; i++) {
        int host = rp->ops[i].res->fused_into_row >= 0 ? rp->ops[i].res->fused_into_row : i;
        uj[host] += rp->ops[i].energy_uj;
    }
    for (int i = 0; i < rp->n_ops; i++) {
        const struct op_result *o = rp->ops[i].res;
        if (o->fused_into < 0)
            counter(w, "Power", "W", o->start_cycle,
                    o->cycles ? uj[i] / chip_cycles_to_us(w->c, o->cycles) : 0);
    }
    counter(w, "Power", "W", w->r->sum.cycles, 0);
    free(uj);
    return TPUSIM_OK;
}

/* ------------------------------------------------------------ header */

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
             "\"trace_level\":\"%s\",\"cores\":%d,\"total_cycles\":%llu},\n\"traceEvents\":[",
             c->clock_mhz, c->hbm_bandwidth_gbps,
             (unsigned long long)(c->vmem_bytes + c->cmem_bytes + c->param_cache_bytes),
             w->level == TRACE_OP ? "op" : "tile", w->log->cores,
             (unsigned long long)w->r->sum.cycles);
    char name[600];
    snprintf(name, sizeof name, "tpusim: %s on %s", o->model ? o->model : "model", c->name);
    meta(w, "process_name", TID(0, TRACK_OPS), name, -1);
    static const char *const track_names[TRACKS] = {
        "ops", "MXU", "VPU", "DMA in (HBM reads)", "DMA out (HBM writes)", "launch"};
    for (int core = 0; core < w->log->cores; core++)
        for (int t = 0; t < TRACKS; t++) {
            if (t == TRACK_LAUNCH && c->mxu_kind != MATRIX_TENSOR_CORES)
                continue;
            const char *tn = t == TRACK_MXU && c->mxu_kind == MATRIX_TENSOR_CORES
                                 ? "SMs"
                                 : track_names[t];
            char buf[96];
            if (w->log->cores > 1)
                snprintf(buf, sizeof buf, "core %d: %s", core, tn);
            else
                snprintf(buf, sizeof buf, "%s", tn);
            meta(w, "thread_name", TID(core, t), buf, core * TRACKS + t);
        }
    if (c->host_link_bandwidth_gbps > 0)
        meta(w, "thread_name", TID_HOST, "host link", w->log->cores * TRACKS);
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
    if (!rp->res->events) {
        snprintf(err, err_len, "trace: traces are drawn from the event engine's activities; "
                               "simulate with the event engine");
        return TPUSIM_ERR_ARG;
    }
    struct tw w = {0};
    w.rp = rp;
    w.r = rp->res;
    w.log = rp->res->events;
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
    int rc = op_slices(&w);
    if (!rc && w.level == TRACE_TILE)
        rc = unit_slices(&w);
    hbm_counter(&w);
    if (!rc)
        rc = power_counter(&w);
    if (!rc)
        rc = sram_counters(&w);
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
