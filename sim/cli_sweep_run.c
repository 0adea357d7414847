/*
 * cli_sweep_run.c — runs a sweep's points on threads through the library
 * (one graph per model and batch, loaded once; one context per thread; a
 * chip opened per point, kept while the next point shares its chip and
 * axis values) and streams one row per point, built from one table of
 * columns, in CSV or JSON Lines. Rows hold no wall-clock values, so any
 * split into shards or threads gives the same rows.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "cli_sweep.h"

/* What a column reads: a point's parameters and its result. */
struct sweep_row {
    const struct sweep_spec *s;
    uint64_t point;
    const int *idx;               /* the point's value per dimension */
    const char *stack;            /* the stack it ran under, by name */
    const tpusim_summary *sum;
    const tpusim_chip_info *chip;
};

enum col_type { COL_TEXT, COL_VALUE, COL_UINT, COL_REAL };

/* COL_VALUE: text that is a number when it reads as one (axis values). */
struct col_value {
    enum col_type type;
    const char *text;
    uint64_t u;
    double d;
};

/* COL_PER_AXIS: one column per parameter axis, named by its key;
 * COL_PER_CAUSE: one per cause, the name a format of the cause's name. */
enum col_family { COL_ONE, COL_PER_AXIS, COL_PER_CAUSE };

struct sweep_column {
    const char *name;
    enum col_family family;
    /* k: the axis's dimension index or the cause. */
    void (*get)(const struct sweep_row *r, int k, struct col_value *v);
};

static const struct sweep_dim *dim_of(const struct sweep_row *r, enum sweep_dim_kind kind,
                                      int *i)
{
    const struct sweep_dim *d = sweep_dim(r->s, kind);
    *i = r->idx[d - r->s->dims];
    return d;
}

static void get_point(const struct sweep_row *r, int k, struct col_value *v)
{
    (void)k;
    *v = (struct col_value){.type = COL_UINT, .u = r->point};
}

static void get_model(const struct sweep_row *r, int k, struct col_value *v)
{
    int i;
    const struct sweep_dim *d = dim_of(r, DIM_MODEL, &i);
    (void)k;
    *v = (struct col_value){.type = COL_TEXT, .text = d->values.v[i]};
}

static void get_chip(const struct sweep_row *r, int k, struct col_value *v)
{
    int i;
    const struct sweep_dim *d = dim_of(r, DIM_CHIP, &i);
    (void)k;
    *v = (struct col_value){.type = COL_TEXT, .text = d->values.v[i]};
}

static void get_stack(const struct sweep_row *r, int k, struct col_value *v)
{
    (void)k;
    *v = (struct col_value){.type = COL_TEXT, .text = r->stack};
}

static void get_dtype(const struct sweep_row *r, int k, struct col_value *v)
{
    (void)k;
    *v = (struct col_value){.type = COL_TEXT, .text = tpusim_dtype_name(r->sum->dtype)};
}

static void get_batch(const struct sweep_row *r, int k, struct col_value *v)
{
    int i;
    dim_of(r, DIM_BATCH, &i);
    (void)k;
    *v = (struct col_value){.type = COL_UINT, .u = (uint64_t)r->s->batches[i]};
}

static void get_axis(const struct sweep_row *r, int k, struct col_value *v)
{
    *v = (struct col_value){.type = COL_VALUE, .text = r->s->dims[k].values.v[r->idx[k]]};
}

static void get_cycles(const struct sweep_row *r, int k, struct col_value *v)
{
    (void)k;
    *v = (struct col_value){.type = COL_UINT, .u = r->sum->cycles};
}

static double cycles_us(const struct sweep_row *r, uint64_t cycles)
{
    return (double)cycles / r->chip->clock_hz * 1e6;
}

static void get_latency_us(const struct sweep_row *r, int k, struct col_value *v)
{
    (void)k;
    *v = (struct col_value){.type = COL_REAL, .d = cycles_us(r, r->sum->cycles)};
}

static double flops_per_s(const struct sweep_row *r)
{
    return r->sum->seconds > 0 ? (double)r->sum->flops / r->sum->seconds : 0;
}

static void get_tflops(const struct sweep_row *r, int k, struct col_value *v)
{
    (void)k;
    *v = (struct col_value){.type = COL_REAL, .d = flops_per_s(r) / 1e12};
}

static void get_pct_peak(const struct sweep_row *r, int k, struct col_value *v)
{
    double peak = r->chip->peak_flops_per_s;
    (void)k;
    *v = (struct col_value){.type = COL_REAL, .d = peak > 0 ? 100 * flops_per_s(r) / peak : 0};
}

static void get_bound(const struct sweep_row *r, int k, struct col_value *v)
{
    int best = 0;
    (void)k;
    for (int c = 1; c < TPUSIM_CAUSE_COUNT; c++)
        if (r->sum->stall_cycles[c] > r->sum->stall_cycles[best])
            best = c;
    *v = (struct col_value){.type = COL_TEXT, .text = tpusim_cause_name(best)};
}

static void get_hbm_bytes(const struct sweep_row *r, int k, struct col_value *v)
{
    (void)k;
    *v = (struct col_value){.type = COL_UINT, .u = r->sum->hbm_bytes};
}

static void get_cause_us(const struct sweep_row *r, int k, struct col_value *v)
{
    *v = (struct col_value){.type = COL_REAL, .d = cycles_us(r, r->sum->stall_cycles[k])};
}

/* The columns of every output, in order. The parameters come first and
 * the axes last among them (sweep plot reads the axes between batch and
 * cycles). A new column is one line here. */
static const struct sweep_column COLUMNS[] = {
    {"point", COL_ONE, get_point},
    {"model", COL_ONE, get_model},
    {"chip", COL_ONE, get_chip},
    {"stack", COL_ONE, get_stack},
    {"dtype", COL_ONE, get_dtype},
    {"batch", COL_ONE, get_batch},
    {NULL, COL_PER_AXIS, get_axis},
    {"cycles", COL_ONE, get_cycles},
    {"latency_us", COL_ONE, get_latency_us},
    {"tflops", COL_ONE, get_tflops},
    {"pct_peak", COL_ONE, get_pct_peak},         /* of one core's peak FLOP/s */
    {"bound", COL_ONE, get_bound},               /* the cause with the most cycles */
    {"hbm_bytes", COL_ONE, get_hbm_bytes},
    {"%s_us", COL_PER_CAUSE, get_cause_us},      /* time by cause */
};

/* COLUMNS expanded for one spec: one entry per output column. */
struct col {
    const struct sweep_column *c;
    int k;
    char name[160];
};

static int expand_columns(const struct sweep_spec *s, struct col *out, int max)
{
    int n = 0;
    for (size_t i = 0; i < sizeof COLUMNS / sizeof COLUMNS[0]; i++) {
        const struct sweep_column *c = &COLUMNS[i];
        int members = c->family == COL_PER_CAUSE ? TPUSIM_CAUSE_COUNT
                      : c->family == COL_PER_AXIS ? s->n_dims : 1;
        for (int k = 0; k < members && n < max; k++) {
            if (c->family == COL_PER_AXIS && s->dims[k].kind != DIM_AXIS)
                continue;
            struct col *o = &out[n++];
            o->c = c;
            o->k = k;
            if (c->family == COL_PER_AXIS)
                snprintf(o->name, sizeof o->name, "%s", s->dims[k].key);
            else if (c->family == COL_PER_CAUSE)
                snprintf(o->name, sizeof o->name, c->name, tpusim_cause_name(k));
            else
                snprintf(o->name, sizeof o->name, "%s", c->name);
        }
    }
    return n;
}

#define MAX_COLS (SWEEP_MAX_AXES + TPUSIM_CAUSE_COUNT + 32)

void sweep_csv_columns(const struct sweep_spec *s, char *buf, size_t len)
{
    struct col cols[MAX_COLS];
    int n = expand_columns(s, cols, MAX_COLS);
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < n && used < len; i++)
        used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? "," : "", cols[i].name);
}

static bool is_number(const char *s)
{
    char *end;
    double x = strtod(s, &end);
    return end != s && !*end && isfinite(x);
}

static void put_value(FILE *f, enum sweep_format fmt, const struct col_value *v)
{
    switch (v->type) {
    case COL_UINT:
        fprintf(f, "%llu", (unsigned long long)v->u);
        break;
    case COL_REAL:
        /* 17 digits: the double itself, so shards and single runs agree. */
        if (isfinite(v->d))
            fprintf(f, "%.17g", v->d);
        else
            fputs(fmt == SWEEP_JSONL ? "null" : "", f);
        break;
    case COL_VALUE:
    case COL_TEXT:
        if (v->type == COL_VALUE && is_number(v->text))
            fputs(v->text, f);
        else if (fmt == SWEEP_JSONL)
            json_string(f, v->text);
        else
            csv_field(f, v->text);
        break;
    }
}

static void put_row(FILE *f, enum sweep_format fmt, const struct col *cols, int n,
                    const struct sweep_row *r)
{
    fputs(fmt == SWEEP_JSONL ? "{" : "", f);
    for (int i = 0; i < n; i++) {
        struct col_value v;
        cols[i].c->get(r, cols[i].k, &v);
        if (fmt == SWEEP_JSONL) {
            fprintf(f, "%s", i ? ", " : "");
            json_string(f, cols[i].name);
            fputs(": ", f);
        } else if (i) {
            fputc(',', f);
        }
        put_value(f, fmt, &v);
    }
    fputs(fmt == SWEEP_JSONL ? "}\n" : "\n", f);
}

/* ------------------------------------------------------------ the run */

/* Shard-local points handed to a thread at a time: neighbours share
 * their chip when the inner dimensions are wide. */
#define CHUNK 16

struct run {
    const struct sweep_spec *s;
    const struct sweep_run_opts *o;
    struct col cols[MAX_COLS];
    int n_cols;
    const char *models_dir;
    tpusim_graph **graphs;        /* [model][batch] */
    tpusim_stack **stacks;        /* per stack value; NULL: the chip's default */
    tpusim_chip **bases;          /* per chip value, no overrides: points derive from them */
    const uint64_t *done;         /* points the output holds already, sorted */
    size_t n_done;
    uint64_t n_local;             /* points of this shard */
    atomic_uint_fast64_t next;    /* the next shard-local index to hand out */
    atomic_bool stop;
    pthread_mutex_t lock;         /* guards what follows */
    FILE *out;
    uint64_t written, todo;
    double start_s, drawn_s;
    bool bar;
    char err[2200];
    int rc;
};

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static void draw_bar(struct run *r, bool last)
{
    double t = now_s(), el = t - r->start_s;
    if (!last && t - r->drawn_s < 0.1)
        return;
    r->drawn_s = t;
    double rate = el > 0 ? (double)r->written / el : 0;
    double eta = rate > 0 ? (double)(r->todo - r->written) / rate : 0;
    int width = 30, full = r->todo ? (int)((double)width * (double)r->written / (double)r->todo) : width;
    char bar[64];
    for (int i = 0; i < width; i++)
        bar[i] = i < full ? '#' : '.';
    bar[width] = '\0';
    fprintf(stderr, "\r[%s] %llu/%llu %3.0f%% %.0f points/s ETA %d:%02d ", bar,
            (unsigned long long)r->written, (unsigned long long)r->todo,
            r->todo ? 100.0 * (double)r->written / (double)r->todo : 100.0, rate,
            (int)(eta / 60), (int)fmod(eta, 60));
    if (last)
        fputc('\n', stderr);
}

static void fail(struct run *r, int rc, const char *msg)
{
    pthread_mutex_lock(&r->lock);
    if (!r->rc) {
        r->rc = rc;
        snprintf(r->err, sizeof r->err, "%s", msg);
    }
    pthread_mutex_unlock(&r->lock);
    atomic_store(&r->stop, true);
}

static bool is_done(const struct run *r, uint64_t p)
{
    size_t lo = 0, hi = r->n_done;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (r->done[mid] < p)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < r->n_done && r->done[lo] == p;
}

/* "model=..., chip=..., hbm.bandwidth_gbps=300, ...": a point in messages. */
static void point_text(const struct sweep_spec *s, const int *idx, char *buf, size_t len)
{
    size_t used = 0;
    for (int d = 0; d < s->n_dims && used < len; d++)
        used += (size_t)snprintf(buf + used, len - used, "%s%s=%s", d ? ", " : "",
                                 s->dims[d].key, s->dims[d].values.v[idx[d]]);
}

struct worker {
    struct run *r;
    tpusim_context *ctx;
    tpusim_result *res;
    tpusim_chip *chip;            /* the last point's chip */
    int chip_idx[SWEEP_MAX_AXES + 1]; /* its chip and axis values */
    const char *overrides[SWEEP_MAX_AXES];
};

/* The chip of the point: dims[0] is the chip, dims[1..n_axes] the axes;
 * derived from the chip's base, its file not read again. */
static int point_chip(struct worker *w, const int *idx, char *err, size_t len)
{
    const struct sweep_spec *s = w->r->s;
    size_t key = (size_t)(s->n_axes + 1) * sizeof *idx;
    if (w->chip && memcmp(w->chip_idx, idx, key) == 0)
        return 0;
    tpusim_chip_close(w->chip);
    w->chip = NULL;
    for (int a = 0; a < s->n_axes; a++)
        w->overrides[a] = s->dims[1 + a].overrides[idx[1 + a]];
    if (tpusim_chip_derive(w->ctx, w->r->bases[idx[0]], w->overrides, s->n_axes, &w->chip)) {
        snprintf(err, len, "%s", tpusim_errmsg(w->ctx));
        return 1;
    }
    memcpy(w->chip_idx, idx, key);
    return 0;
}

static int run_point(struct worker *w, uint64_t p)
{
    struct run *r = w->r;
    const struct sweep_spec *s = r->s;
    int idx[SWEEP_MAX_AXES + 5];
    char err[1024] = "";
    sweep_point_decode(s, p, idx);
    int di = (int)(sweep_dim(s, DIM_DTYPE) - s->dims), si = (int)(sweep_dim(s, DIM_STACK) - s->dims);
    int mi = (int)(sweep_dim(s, DIM_MODEL) - s->dims), bi = (int)(sweep_dim(s, DIM_BATCH) - s->dims);
    tpusim_options opts = {.dtype = (tpusim_dtype)s->dtypes[idx[di]],
                           .engine = s->engine,
                           .stack = r->stacks[idx[si]]};
    int n_batches = s->dims[bi].values.n;
    const tpusim_graph *g = r->graphs[idx[mi] * n_batches + idx[bi]];
    int rc = point_chip(w, idx, err, sizeof err);
    if (!rc && (rc = tpusim_graph_query(w->ctx, g, w->chip, &opts, w->res)))
        snprintf(err, sizeof err, "%s", tpusim_errmsg(w->ctx));
    if (rc) {
        char pt[1024], msg[2200];
        point_text(s, idx, pt, sizeof pt);
        snprintf(msg, sizeof msg, "point %llu (%s): %s", (unsigned long long)p, pt, err);
        fail(r, 1, msg);
        return 1;
    }
    tpusim_summary sum;
    tpusim_chip_info info;
    tpusim_result_summary(w->res, &sum);
    tpusim_chip_info_get(w->chip, &info);
    struct sweep_row row = {s, p, idx, opts.stack ? tpusim_stack_name(opts.stack)
                                                  : info.default_stack, &sum, &info};
    char *text = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&text, &len);
    if (!m) {
        fail(r, 1, "out of memory");
        return 1;
    }
    put_row(m, r->o->fmt, r->cols, r->n_cols, &row);
    if (fclose(m) != 0) {
        free(text);
        fail(r, 1, "out of memory");
        return 1;
    }
    pthread_mutex_lock(&r->lock);
    /* One write and a flush per row: a killed run leaves whole rows and
     * at most one partial line, which resume drops. */
    bool bad = fwrite(text, 1, len, r->out) != len || fflush(r->out) != 0;
    r->written++;
    if (r->bar)
        draw_bar(r, false);
    pthread_mutex_unlock(&r->lock);
    free(text);
    if (bad) {
        fail(r, 1, "writing the output failed");
        return 1;
    }
    return 0;
}

static void *work(void *arg)
{
    struct worker *w = arg;
    struct run *r = w->r;
    while (!atomic_load(&r->stop)) {
        uint64_t k0 = atomic_fetch_add(&r->next, CHUNK);
        if (k0 >= r->n_local)
            break;
        for (uint64_t k = k0; k < k0 + CHUNK && k < r->n_local && !atomic_load(&r->stop); k++) {
            uint64_t p = k * r->o->shard.n + (r->o->shard.i - 1);
            if (!is_done(r, p) && run_point(w, p))
                break;
        }
    }
    return NULL;
}

/* ------------------------------------------------- set-up and resume */

static int load_graphs(struct run *r)
{
    const struct sweep_spec *s = r->s;
    const struct sweep_dim *m = sweep_dim(s, DIM_MODEL), *b = sweep_dim(s, DIM_BATCH);
    r->graphs = calloc((size_t)m->values.n * (size_t)b->values.n, sizeof *r->graphs);
    if (!r->graphs) {
        fprintf(stderr, "tpusim sweep: out of memory\n");
        return 1;
    }
    for (int i = 0; i < m->values.n; i++)
        for (int j = 0; j < b->values.n; j++) {
            struct model_opts mo;
            memset(&mo, 0, sizeof mo);
            mo.model = m->values.v[i];
            mo.batch = s->batches[j];
            r->graphs[i * b->values.n + j] = cli_open_model(&mo);
            if (!r->graphs[i * b->values.n + j])
                return 1; /* cli_open_model said why */
        }
    return 0;
}

/* The stacks and the chips' bases, opened once and shared by the threads. */
static int open_stacks_and_chips(struct run *r)
{
    const struct sweep_dim *st = sweep_dim(r->s, DIM_STACK), *ch = sweep_dim(r->s, DIM_CHIP);
    r->stacks = calloc((size_t)st->values.n, sizeof *r->stacks);
    r->bases = calloc((size_t)ch->values.n, sizeof *r->bases);
    tpusim_context *ctx = NULL;
    if (!r->stacks || !r->bases || tpusim_context_open(0, &ctx)) {
        fprintf(stderr, "tpusim sweep: out of memory\n");
        return 1;
    }
    int rc = 0;
    for (int k = 0; k < st->values.n && !rc; k++)
        if (strcmp(st->values.v[k], "default") != 0 &&
            tpusim_stack_open(ctx, st->values.v[k], r->models_dir, NULL, 0, &r->stacks[k])) {
            fprintf(stderr, "tpusim sweep: stack %s: %s\n", st->values.v[k], tpusim_errmsg(ctx));
            rc = 1;
        }
    for (int k = 0; k < ch->values.n && !rc; k++)
        if (tpusim_chip_open(ctx, ch->values.v[k], r->models_dir, NULL, 0, &r->bases[k])) {
            fprintf(stderr, "tpusim sweep: chip %s: %s\n", ch->values.v[k], tpusim_errmsg(ctx));
            rc = 1;
        }
    tpusim_context_close(ctx);
    return rc;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Resume: the points `out` holds already, after checking it is this
 * sweep's and this shard's; a partial last line is cut off. *fresh: no
 * usable file (start one). */
static int read_done(struct run *r, const char *header, const char *columns, uint64_t **done,
                     bool *fresh)
{
    const struct sweep_run_opts *o = r->o;
    *done = NULL;
    *fresh = true;
    if (!o->out || o->restart || access(o->out, F_OK) != 0)
        return 0;
    struct sweep_file f;
    int rc = sweep_file_read("sweep", o->out, &f);
    if (rc == -1) /* empty */
        return 0;
    if (rc)
        return rc;
    char got[512];
    snprintf(got, sizeof got, "%s", f.text);
    if (strcmp(f.text, header) != 0 || (f.fmt == SWEEP_CSV && strcmp(f.columns, columns) != 0)) {
        fprintf(stderr, "tpusim sweep: %s holds another sweep or shard (its first line: %s; "
                "this run's: %s): give --restart to overwrite it, or another -o\n",
                o->out, got, header);
        sweep_file_free(&f);
        return 2;
    }
    *done = malloc((f.n_rows ? f.n_rows : 1) * sizeof **done);
    if (!*done) {
        sweep_file_free(&f);
        fprintf(stderr, "tpusim sweep: out of memory\n");
        return 1;
    }
    memcpy(*done, f.row_ids, f.n_rows * sizeof **done);
    qsort(*done, f.n_rows, sizeof **done, cmp_u64);
    for (size_t i = 0; i < f.n_rows && !rc; i++)
        if ((*done)[i] >= r->s->points || (*done)[i] % o->shard.n != o->shard.i - 1 ||
            (i && (*done)[i] == (*done)[i - 1])) {
            fprintf(stderr, "tpusim sweep: %s: point %llu is not this shard's, or is there "
                    "twice: give --restart to overwrite the file\n", o->out,
                    (unsigned long long)(*done)[i]);
            rc = 2;
        }
    r->n_done = f.n_rows;
    if (!rc && f.partial && truncate(o->out, (off_t)f.complete_bytes) != 0) {
        fprintf(stderr, "tpusim sweep: %s: cannot cut its partial last line\n", o->out);
        rc = 1;
    }
    if (!rc && !o->quiet && f.n_rows)
        fprintf(stderr, "tpusim sweep: %s holds %zu point(s) of this run already%s; running "
                "the rest\n", o->out, f.n_rows, f.partial ? " (a partial last line dropped)" : "");
    sweep_file_free(&f);
    *fresh = false;
    return rc;
}

static int open_output(struct run *r, const char *header, const char *columns, bool fresh)
{
    const struct sweep_run_opts *o = r->o;
    if (!o->out) {
        r->out = stdout;
    } else {
        r->out = fopen(o->out, fresh ? "w" : "a");
        if (!r->out) {
            fprintf(stderr, "tpusim sweep: cannot write '%s': %s\n", o->out, strerror(errno));
            return 1;
        }
    }
    if (fresh) {
        fprintf(r->out, "%s\n", header);
        if (o->fmt == SWEEP_CSV)
            fprintf(r->out, "%s\n", columns);
    }
    return fflush(r->out) ? 1 : 0;
}

static int run_threads(struct run *r)
{
    int n = r->o->threads;
    struct worker *ws = calloc((size_t)n, sizeof *ws);
    pthread_t *ts = calloc((size_t)n, sizeof *ts);
    int started = 0, rc = 0;
    if (!ws || !ts)
        rc = 1;
    for (int i = 0; i < n && !rc; i++) {
        ws[i].r = r;
        if (tpusim_context_open(0, &ws[i].ctx) || tpusim_result_new(&ws[i].res) ||
            pthread_create(&ts[i], NULL, work, &ws[i])) {
            rc = 1;
            break;
        }
        started++;
    }
    if (rc)
        fail(r, 1, "cannot start the threads (out of memory)");
    for (int i = 0; i < started; i++)
        pthread_join(ts[i], NULL);
    for (int i = 0; ws && i < n; i++) {
        tpusim_chip_close(ws[i].chip);
        tpusim_result_close(ws[i].res);
        tpusim_context_close(ws[i].ctx);
    }
    free(ws);
    free(ts);
    return r->rc;
}

static void free_run(struct run *r)
{
    const struct sweep_spec *s = r->s;
    const struct sweep_dim *m = sweep_dim(s, DIM_MODEL), *b = sweep_dim(s, DIM_BATCH),
                           *st = sweep_dim(s, DIM_STACK), *ch = sweep_dim(s, DIM_CHIP);
    for (int i = 0; r->graphs && i < m->values.n * b->values.n; i++)
        tpusim_graph_close(r->graphs[i]);
    for (int i = 0; r->stacks && i < st->values.n; i++)
        tpusim_stack_close(r->stacks[i]);
    for (int i = 0; r->bases && i < ch->values.n; i++)
        tpusim_chip_close(r->bases[i]);
    free(r->graphs);
    free(r->stacks);
    free(r->bases);
    pthread_mutex_destroy(&r->lock);
}

int sweep_run(const struct sweep_spec *s, const struct sweep_run_opts *o)
{
    struct run *r = calloc(1, sizeof *r);
    if (!r) {
        fprintf(stderr, "tpusim sweep: out of memory\n");
        return 1;
    }
    r->s = s;
    r->o = o;
    r->models_dir = cli_models_dir();
    r->n_cols = expand_columns(s, r->cols, MAX_COLS);
    pthread_mutex_init(&r->lock, NULL);
    atomic_init(&r->next, 0);
    atomic_init(&r->stop, false);
    r->n_local = s->points / o->shard.n + (s->points % o->shard.n >= o->shard.i);
    char header[512], columns[8192];
    sweep_header_line(s, o->fmt, &o->shard, header, sizeof header);
    sweep_csv_columns(s, columns, sizeof columns);
    uint64_t *done = NULL;
    bool fresh = true;
    int rc = read_done(r, header, columns, &done, &fresh);
    r->done = done;
    r->todo = r->n_local - r->n_done;
    if (!rc)
        rc = load_graphs(r);
    if (!rc)
        rc = open_stacks_and_chips(r);
    if (!rc)
        rc = open_output(r, header, columns, fresh);
    if (!rc) {
        r->bar = !o->quiet && isatty(STDERR_FILENO);
        r->start_s = now_s();
        rc = run_threads(r);
        if (r->bar)
            draw_bar(r, true);
        if (rc)
            fprintf(stderr, "tpusim sweep: %s\n", r->err);
        else if (!o->quiet)
            fprintf(stderr, "tpusim sweep: %llu point(s) in %.2f s on %d thread(s)%s%s\n",
                    (unsigned long long)r->written, now_s() - r->start_s, o->threads,
                    o->out ? " -> " : "", o->out ? o->out : "");
    }
    if (r->out && r->out != stdout && fclose(r->out) != 0 && !rc) {
        fprintf(stderr, "tpusim sweep: writing '%s' failed\n", o->out);
        rc = 1;
    }
    free(done);
    free_run(r);
    free(r);
    return rc;
}
