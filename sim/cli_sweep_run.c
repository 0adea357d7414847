/*
 * cli_sweep_run.c — runs a sweep's points on threads through the library
 * (one graph per model and batch, loaded once; one context per thread; a
 * chip derived per point, kept while the next point shares its chip and
 * axis values) and streams one row per point (cli_sweep_cols.c) in CSV or
 * JSON Lines. Rows hold no wall-clock values, so any split into shards or
 * threads gives the same rows.
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

/* ------------------------------------------------------------ the run */

/* Shard-local points handed to a thread at a time: neighbours share
 * their chip when the inner dimensions are wide. */
#define CHUNK 16

struct run {
    const struct sweep_spec *s;
    const struct sweep_run_opts *o;
    struct sweep_col cols[SWEEP_MAX_COLS];
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

/* The chip of the point: dims[0] is the chip (or the design),
 * dims[1..n_axes] the axes; derived from the chip's base, its file not
 * read again. */
static int point_chip(struct worker *w, const int *idx, char *err, size_t len)
{
    const struct sweep_spec *s = w->r->s;
    size_t key = (size_t)(s->n_axes + 1) * sizeof *idx;
    if (w->chip && memcmp(w->chip_idx, idx, key) == 0)
        return 0;
    tpusim_chip_close(w->chip);
    w->chip = NULL;
    const char *const *ovs = (const char *const *)w->overrides;
    int n = s->n_axes;
    for (int a = 0; a < s->n_axes; a++)
        w->overrides[a] = s->dims[1 + a].overrides[idx[1 + a]];
    if (s->designs) {
        ovs = (const char *const *)s->designs[idx[0]].overrides;
        n = s->designs[idx[0]].n;
    }
    if (tpusim_chip_derive(w->ctx, w->r->bases[idx[0]], ovs, n, &w->chip)) {
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
    sweep_put_row(m, r->o->fmt, r->cols, r->n_cols, &row);
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
            /* notes and --twin once per model, not per batch */
            r->graphs[i * b->values.n + j] = cli_open_model(&mo, j == 0);
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
        if (tpusim_chip_open(ctx, sweep_chip_name(r->s, k), r->models_dir, NULL, 0,
                             &r->bases[k])) {
            fprintf(stderr, "tpusim sweep: chip %s: %s\n", sweep_chip_name(r->s, k),
                    tpusim_errmsg(ctx));
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
    if (strcmp(f.text, header) != 0 || (f.fmt == SWEEP_CSV && strcmp(f.columns, columns) != 0)) {
        fprintf(stderr, "tpusim sweep: %s holds another sweep or shard (its first line: %s; "
                "this run's: %s): give --restart to overwrite it, or another -o\n",
                o->out, f.text, header);
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
    r->n_cols = sweep_columns(s, r->cols, SWEEP_MAX_COLS);
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
