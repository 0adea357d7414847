/*
 * deepbench.c — DeepBench V100 rows as graphs of back-to-back library
 * calls, simulated on gpu_v100, compared with the measured times (see
 * deepbench.h).
 *
 * How each row is built (DeepBench's own code, github baidu-research/
 * DeepBench, code/nvidia/{gemm,conv,rnn}_bench.cu at commit 30c5115, which made
 * the CUDA 10.1 V100 results):
 *  - GEMM: cuBLAS is column-major: C (m x n) = op(A) op(B) with A m x k,
 *    B k x n. Read row-major, the same memory is C^T (n x m) = op(B)^T
 *    op(A)^T, so the graph is a Gemm with M = n, K = k, N = m, A = the
 *    stored B (transA = b_t), B = the stored A (transB = a_t). For fp16
 *    gemm_bench pads every leading dimension to a multiple of 8 (m and k
 *    for N/N and T/N, m and n for N/T), as cuBLAS's tensor-op rules ask;
 *    the graph has the padded sizes, as the benchmark ran them. gemm_bench
 *    calls with beta = 1, so C is an input of the graph too.
 *  - Conv: input N x C x H x W, K filters R x S, pads and strides as given.
 *    For fp16 conv_bench pads C and K to multiples of 8, uses NHWC and runs
 *    IMPLICIT_PRECOMP_GEMM whatever cudnnFind said (its USE_TENSOR_CORES
 *    branch); fp32 rows ran the algorithm cudnnFind returned (the file's
 *    fwd_algorithm). The chip runs that algorithm (gpu.conv_algorithm).
 *  - RNN: one unidirectional layer (vanilla = ReLU RNN, LSTM, GRU), the
 *    given hidden size, batch and time steps, cuDNN's standard algorithm
 *    with CUDNN_SKIP_INPUT (no input GEMM): the graph's input has width 1.
 * What a row's time is: the benchmark times 300 (conv), 400 (GEMM) or 100
 * (RNN) calls issued back to back on one stream between two
 * cudaDeviceSynchronize with a host clock, divides by the count and
 * truncates to whole microseconds (static_cast<int>). So the graph is
 * REPEATS copies of the call under the cudnn-direct stack, run by the
 * event engine (the host issues calls ahead, the device waits a gap
 * between kernels), and the simulated time is the steady state: the
 * middle copy's row, from its start to the next copy's start. It is
 * compared with the middle of the truncated interval, time + 0.5 us.
 */
#include "deepbench.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "gpu.h"
#include "tpusim.h"

#define MAX_FIELDS 20
#define LINE_CHARS 512
#define TARGET_MEDIAN 0.10
#define TARGET_P90 0.30
#define WORST_SHOWN 5
/* Copies of a row's call: the middle one runs in steady state (a call
 * issued while the one before runs, followed by another). */
#define REPEATS 3
/* DeepBench prints whole microseconds, truncated: the true time is in
 * [t, t + 1). */
#define TRUNCATION_MIDPOINT_US 0.5
#define STACK "cudnn-direct"

static const char *const CLASS_NAME[DB_CLASSES] = {"conv", "GEMM", "RNN"};

struct db_ctx {
    tpusim_context *ctx;
    const char *models_dir;
    tpusim_chip *chip;         /* gpu.conv_algorithm = find */
    tpusim_chip *algo_chip[CONV_ALGO_COUNT]; /* each running one algorithm; opened when needed */
    tpusim_stack *stack;
    tpusim_result *res;
    double clock_hz;
    FILE *log;
    struct db_run *run;
};

const char *real_models_dir(void)
{
    const char *e = getenv("TPUSIM_MODELS");
    return e && *e ? e : "../shared/models/real";
}

const char *deepbench_data_dir(char *buf, size_t len)
{
    const char *e = getenv("TPUSIM_CALIBRATION");
    if (e && *e)
        return e;
    e = getenv("TPUSIM_MODELS");
    if (!e || !*e)
        return "../shared/calibration/deepbench_v100";
    snprintf(buf, len, "%s/../../calibration/deepbench_v100", e);
    return buf;
}

/* Splits a CSV line in place (no quoting in these files). */
static int split(char *line, char **f)
{
    int n = 0;
    line[strcspn(line, "\r\n")] = '\0';
    for (char *p = line; n < MAX_FIELDS;) {
        f[n++] = p;
        char *c = strchr(p, ',');
        if (!c)
            break;
        *c = '\0';
        p = c + 1;
    }
    return n;
}

/* An integer >= min. */
static bool parse_i64(const char *s, int64_t min, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end || v < min)
        return false;
    *out = v;
    return true;
}

static bool parse_ms(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !(v > 0))
        return false;
    *out = v;
    return true;
}

static int64_t round_up(int64_t v, int64_t to)
{
    return (v + to - 1) / to * to;
}

static struct db_row *new_row(struct db_run *run)
{
    if (run->n == run->cap) {
        size_t cap = run->cap ? 2 * run->cap : 256;
        struct db_row *r = realloc(run->rows, cap * sizeof *r);
        if (!r)
            return NULL;
        run->rows = r;
        run->cap = cap;
    }
    struct db_row *r = &run->rows[run->n++];
    memset(r, 0, sizeof *r);
    return r;
}

/* Simulates the finalized graph g (REPEATS copies of a call) on `chip`;
 * the time of one call in steady state in us, < 0 on error. */
static double call_us(struct db_ctx *x, const tpusim_chip *chip, tpusim_graph *g, bool fp16,
                      const char *where)
{
    tpusim_options o = {.dtype = fp16 ? TPUSIM_DT_FLOAT16 : TPUSIM_DT_FLOAT32,
                        .flags = TPUSIM_EXACT | TPUSIM_PER_OP,
                        .stack = x->stack,
                        .engine = TPUSIM_ENGINE_EVENT};
    tpusim_op_row row;
    if (tpusim_graph_query(x->ctx, g, chip, &o, x->res)) {
        fprintf(x->log, "%s: %s\n", where, tpusim_errmsg(x->ctx));
        return -1;
    }
    if (tpusim_result_op_count(x->res) != REPEATS ||
        tpusim_result_op(x->res, REPEATS / 2, &row)) {
        fprintf(x->log, "%s: %zu op rows, want %d\n", where, tpusim_result_op_count(x->res),
                REPEATS);
        return -1;
    }
    return (double)row.cycles / x->clock_hz * 1e6;
}

/* The chip that runs convolution algorithm `algo` (cuDNN's name), opened
 * once; NULL with a message on `log` when the name is unknown. */
static const tpusim_chip *chip_running(struct db_ctx *x, const char *algo, const char *where)
{
    /* Two rows of the file have "LICIT_PRECOMP_GEMM": a cut-off cell. */
    const char *name = strstr(algo, "LICIT_PRECOMP_GEMM") ? "IMPLICIT_PRECOMP_GEMM" : algo;
    for (int a = 0; a < CONV_ALGO_COUNT; a++) {
        if (strcmp(name, conv_algo_name((enum conv_algo)a)))
            continue;
        if (!x->algo_chip[a]) {
            char set[64] = "gpu.conv_algorithm=";
            size_t len = strlen(set);
            for (const char *p = name; *p && len + 1 < sizeof set; p++)
                set[len++] = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
            set[len] = '\0';
            const char *over[] = {set};
            if (tpusim_chip_open(x->ctx, "gpu_v100", x->models_dir, over, 1, &x->algo_chip[a])) {
                fprintf(x->log, "%s: %s\n", where, tpusim_errmsg(x->ctx));
                return NULL;
            }
        }
        return x->algo_chip[a];
    }
    fprintf(x->log, "%s: unknown cuDNN algorithm '%s'\n", where, algo);
    return NULL;
}

/* The builder's calls for one row; the first failure wins. */
struct build {
    tpusim_graph *g;
    int rc;
    bool finalized;
};

static void b_input(struct build *b, const char *name, int rank, const int64_t *dims)
{
    if (!b->rc)
        b->rc = tpusim_graph_add_input(b->g, name, TPUSIM_DT_FLOAT32, rank, dims);
}

static void b_weight(struct build *b, const char *name, int rank, const int64_t *dims)
{
    if (!b->rc)
        b->rc = tpusim_graph_add_weight(b->g, name, TPUSIM_DT_FLOAT32, rank, dims);
}

/* Copy i of the row's call: op "call<i>" writing "y<i>". */
static void b_op(struct build *b, const char *type, int i, const char *const *in, int n_in)
{
    char name[16], y[16];
    snprintf(name, sizeof name, "call%d", i);
    snprintf(y, sizeof y, "y%d", i);
    const char *out[] = {y};
    if (!b->rc)
        b->rc = tpusim_graph_add_op(b->g, type, name, in, n_in, out, 1);
}

static void b_ints(struct build *b, const char *attr, int64_t v0, int64_t v1, int64_t v2,
                   int64_t v3, size_t n)
{
    const int64_t v[4] = {v0, v1, v2, v3};
    if (!b->rc)
        b->rc = tpusim_graph_set_attr_ints(b->g, attr, v, n);
}

static void b_int(struct build *b, const char *attr, int64_t v)
{
    if (!b->rc)
        b->rc = tpusim_graph_set_attr_int(b->g, attr, v);
}

/* Finalizes and simulates the row's graph on `chip` into r; logs and
 * counts errors. */
static void finish(struct db_ctx *x, const tpusim_chip *chip, struct build *b, struct db_row *r,
                   const char *where)
{
    if (!b->rc && !b->finalized)
        b->rc = tpusim_graph_finalize(b->g);
    if (b->rc) {
        fprintf(x->log, "%s: %s\n", where, tpusim_graph_errmsg(b->g));
        x->run->errors++;
    } else if (!chip) {
        x->run->errors++;
    } else {
        r->simulated_us = call_us(x, chip, b->g, r->fp16, where);
        if (r->simulated_us < 0)
            x->run->errors++;
    }
    tpusim_graph_close(b->g);
}

static bool parse_precision(const char *s, bool *fp16)
{
    *fp16 = strcmp(s, "fp16_mixed") == 0;
    return *fp16 || strcmp(s, "fp32") == 0;
}

/* precision,application,M,N,K,a_transpose,b_transpose,time_ms */
static int gemm_row(struct db_ctx *x, char **f, const char *where)
{
    int64_t m, n, k;
    double ms;
    bool fp16;
    bool at = strcmp(f[5], "T") == 0, bt = strcmp(f[6], "T") == 0;
    if (!parse_precision(f[0], &fp16) || !parse_i64(f[2], 1, &m) || !parse_i64(f[3], 1, &n) ||
        !parse_i64(f[4], 1, &k) || (!at && strcmp(f[5], "N")) || (!bt && strcmp(f[6], "N")))
        return -1;
    if (!parse_ms(f[7], &ms))
        return 1;
    struct db_row *r = new_row(x->run);
    if (!r)
        return -1;
    r->cls = DB_GEMM;
    r->fp16 = fp16;
    r->measured_us = ms * 1e3;
    snprintf(r->label, sizeof r->label, "M=%lld N=%lld K=%lld %s%s", (long long)m, (long long)n,
             (long long)k, f[5], f[6]);
    if (fp16) { /* every leading dimension a multiple of 8 (gemm_bench.cu) */
        m = round_up(m, 8);
        k = !bt || at ? round_up(k, 8) : k;
        n = bt ? round_up(n, 8) : n;
    }
    struct build b = {NULL, tpusim_graph_new(&b.g), false};
    static const char *const in[] = {"a", "b", "c"};
    b_input(&b, "a", 2, bt ? (int64_t[]){k, n} : (int64_t[]){n, k});
    b_weight(&b, "b", 2, at ? (int64_t[]){m, k} : (int64_t[]){k, m});
    b_input(&b, "c", 2, (int64_t[]){n, m}); /* gemm_bench runs beta = 1: C is read */
    for (int i = 0; i < REPEATS; i++) {
        b_op(&b, "Gemm", i, in, 3);
        b_int(&b, "transA", bt);
        b_int(&b, "transB", at);
    }
    finish(x, x->chip, &b, r, where);
    return 0;
}

/* precision,application,W,H,C,N,K,S,R,pad_w,pad_h,stride_w,stride_h,P,Q,fwd_ms,fwd_algorithm */
static int conv_row(struct db_ctx *x, char **f, const char *where)
{
    int64_t v[13];
    double ms;
    bool fp16;
    if (!parse_precision(f[0], &fp16))
        return -1;
    for (int i = 0; i < 13; i++) /* pads (7, 8) may be 0 */
        if (!parse_i64(f[2 + i], i == 7 || i == 8 ? 0 : 1, &v[i]))
            return -1;
    if (!parse_ms(f[15], &ms))
        return 1;
    int64_t w = v[0], h = v[1], c = v[2], n = v[3], k = v[4], s = v[5], rr = v[6];
    int64_t pw = v[7], ph = v[8], sw = v[9], sh = v[10], p = v[11], q = v[12];
    struct db_row *r = new_row(x->run);
    if (!r)
        return -1;
    r->cls = DB_CONV;
    r->fp16 = fp16;
    r->measured_us = ms * 1e3;
    snprintf(r->measured_algo, sizeof r->measured_algo, "%s", f[16]);
    snprintf(r->label, sizeof r->label, "%lldx%lld C=%lld N=%lld K=%lld %lldx%lld /%lld",
             (long long)w, (long long)h, (long long)c, (long long)n, (long long)k, (long long)rr,
             (long long)s, (long long)sh);
    if (fp16) { /* conv_bench.cu: tensor cores need C and K in multiples of 8 */
        c = round_up(c, 8);
        k = round_up(k, 8);
    }
    struct build b = {NULL, tpusim_graph_new(&b.g), false};
    static const char *const in[] = {"x", "w"};
    b_input(&b, "x", 4, (int64_t[]){n, c, h, w});
    b_weight(&b, "w", 4, (int64_t[]){k, c, rr, s});
    for (int i = 0; i < REPEATS; i++) {
        b_op(&b, "Conv", i, in, 2);
        b_ints(&b, "pads", ph, pw, ph, pw, 4);
        b_ints(&b, "strides", sh, sw, 0, 0, 2);
    }
    if (!b.rc)
        b.rc = tpusim_graph_finalize(b.g);
    b.finalized = true;
    tpusim_tensor_info y;
    if (!b.rc && !tpusim_graph_op_tensor(b.g, 0, 1, 0, &y) && (y.dims[2] != q || y.dims[3] != p)) {
        fprintf(x->log, "%s: output %lldx%lld (W x H), the file says %lldx%lld\n", where,
                (long long)y.dims[3], (long long)y.dims[2], (long long)p, (long long)q);
        x->run->errors++;
    }
    /* conv_bench.cu forces IMPLICIT_PRECOMP_GEMM on tensor cores (fp16). */
    finish(x, chip_running(x, fp16 ? "IMPLICIT_PRECOMP_GEMM" : r->measured_algo, where), &b, r,
           where);
    /* The algorithm the model's cudnnFind picks, from the descriptor lower.c
     * would build. */
    struct conv_desc cd = {(uint64_t)n, (uint64_t)c, (uint64_t)h, (uint64_t)w, (uint64_t)k,
                           (uint64_t)rr, (uint64_t)s, (uint64_t)q, (uint64_t)p, (uint64_t)ph,
                           (uint64_t)pw, (uint64_t)sh, (uint64_t)sw, 1, 1, 1, false, false, false};
    struct conv_timing t;
    gpu_conv(&x->chip->c, fp16 ? TPUSIM_DT_FLOAT16 : TPUSIM_DT_FLOAT32, &cd, &t);
    snprintf(r->simulated_algo, sizeof r->simulated_algo, "%s", conv_algo_name(t.algo));
    return 0;
}

/* precision,application,type,hidden,batch,timesteps,fwd_ms */
static int rnn_row(struct db_ctx *x, char **f, const char *where)
{
    int64_t hidden, batch, steps;
    double ms;
    bool fp16;
    const char *type = strcmp(f[2], "vanilla") == 0 ? "RNN"
                       : strcmp(f[2], "lstm") == 0  ? "LSTM"
                       : strcmp(f[2], "gru") == 0   ? "GRU"
                                                    : NULL;
    if (!type || !parse_precision(f[0], &fp16) || !parse_i64(f[3], 1, &hidden) ||
        !parse_i64(f[4], 1, &batch) || !parse_i64(f[5], 1, &steps))
        return -1;
    if (!parse_ms(f[6], &ms))
        return 1;
    int64_t gates = type[0] == 'L' ? 4 : type[0] == 'G' ? 3 : 1;
    struct db_row *r = new_row(x->run);
    if (!r)
        return -1;
    r->cls = DB_RNN;
    r->fp16 = fp16;
    r->measured_us = ms * 1e3;
    snprintf(r->label, sizeof r->label, "%s H=%lld N=%lld T=%lld", f[2], (long long)hidden,
             (long long)batch, (long long)steps);
    struct build b = {NULL, tpusim_graph_new(&b.g), false};
    static const char *const in[] = {"x", "w", "r"};
    /* rnn_bench uses CUDNN_SKIP_INPUT: the input is added, not multiplied; an
     * input of width 1 makes the graph's input GEMM negligible. */
    b_input(&b, "x", 3, (int64_t[]){steps, batch, 1});
    b_weight(&b, "w", 3, (int64_t[]){1, gates * hidden, 1});
    b_weight(&b, "r", 3, (int64_t[]){1, gates * hidden, hidden});
    for (int i = 0; i < REPEATS; i++) {
        b_op(&b, type, i, in, 3);
        b_int(&b, "hidden_size", hidden);
    }
    finish(x, x->chip, &b, r, where);
    return 0;
}

struct csv_kind {
    const char *file;
    const char *header;
    int (*row)(struct db_ctx *x, char **f, const char *where);
};

static const struct csv_kind CSVS[] = {
    {"conv.csv",
     "precision,application,W,H,C,N,K,S,R,pad_w,pad_h,stride_w,stride_h,P,Q,fwd_ms,fwd_algorithm",
     conv_row},
    {"gemm.csv", "precision,application,M,N,K,a_transpose,b_transpose,time_ms", gemm_row},
    {"rnn.csv", "precision,application,type,hidden,batch,timesteps,fwd_ms", rnn_row},
};

static int read_csv(struct db_ctx *x, const struct csv_kind *k)
{
    char path[1024], line[LINE_CHARS], where[1100];
    snprintf(path, sizeof path, "%s/%s", x->run->data_dir, k->file);
    FILE *fp = fopen(path, "r");
    if (!fp) {
        fprintf(x->log, "%s: cannot open: %s\n", path, strerror(errno));
        return -1;
    }
    int rc = 0, ln = 0;
    while (fgets(line, sizeof line, fp)) {
        ln++;
        snprintf(where, sizeof where, "%s:%d", path, ln);
        if (ln == 1) {
            line[strcspn(line, "\r\n")] = '\0';
            if (strcmp(line, k->header)) {
                fprintf(x->log, "%s: header is not \"%s\"\n", where, k->header);
                rc = -1;
                break;
            }
            continue;
        }
        char *f[MAX_FIELDS];
        int n = split(line, f), expect = 1;
        for (const char *h = k->header; *h; h++)
            expect += *h == ',';
        int r = n == expect ? k->row(x, f, where) : -1;
        if (r < 0) {
            fprintf(x->log, "%s: malformed row (%d fields, want %d)\n", where, n, expect);
            x->run->errors++;
        } else if (r > 0) {
            x->run->skipped++;
        }
    }
    fclose(fp);
    return rc;
}

int deepbench_run(const char *models_dir, const char *data_dir, FILE *log, struct db_run *run)
{
    memset(run, 0, sizeof *run);
    snprintf(run->data_dir, sizeof run->data_dir, "%s", data_dir);
    struct db_ctx x = {.log = log, .run = run, .models_dir = models_dir};
    int rc = tpusim_context_open(0, &x.ctx);
    if (!rc)
        rc = tpusim_result_new(&x.res);
    if (!rc && tpusim_chip_open(x.ctx, "gpu_v100", models_dir, NULL, 0, &x.chip)) {
        fprintf(log, "gpu_v100: %s\n", tpusim_errmsg(x.ctx));
        rc = -1;
    }
    if (!rc && tpusim_stack_open(x.ctx, STACK, models_dir, NULL, 0, &x.stack)) {
        fprintf(log, STACK ": %s\n", tpusim_errmsg(x.ctx));
        rc = -1;
    }
    tpusim_chip_info info;
    if (!rc && !tpusim_chip_info_get(x.chip, &info))
        x.clock_hz = info.clock_hz;
    for (size_t i = 0; !rc && i < sizeof CSVS / sizeof CSVS[0]; i++)
        rc = read_csv(&x, &CSVS[i]);
    for (int a = 0; a < CONV_ALGO_COUNT; a++)
        tpusim_chip_close(x.algo_chip[a]);
    tpusim_stack_close(x.stack);
    tpusim_chip_close(x.chip);
    tpusim_result_close(x.res);
    tpusim_context_close(x.ctx);
    return rc ? -1 : 0;
}

void deepbench_free(struct db_run *run)
{
    free(run->rows);
    memset(run, 0, sizeof *run);
}

/* ------------------------------------------------------------ statistics */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double median_of(double *v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Nearest-rank percentile of sorted v. */
static double percentile(const double *v, size_t n, double p)
{
    size_t i = (size_t)ceil(p * (double)n);
    return v[i ? i - 1 : 0];
}

/* Ranks (1-based) of v, ties sharing their average rank. */
static void ranks(const double *v, size_t n, double *rank)
{
    for (size_t i = 0; i < n; i++) {
        size_t below = 0, equal = 0;
        for (size_t j = 0; j < n; j++) {
            below += v[j] < v[i];
            equal += v[j] == v[i];
        }
        rank[i] = (double)below + ((double)equal + 1) / 2;
    }
}

/* Spearman's rho: Pearson's correlation of the ranks. */
static double spearman(const double *a, const double *b, size_t n)
{
    double *ra = malloc(n * sizeof *ra), *rb = malloc(n * sizeof *rb);
    double rho = NAN;
    if (ra && rb && n > 1) {
        ranks(a, n, ra);
        ranks(b, n, rb);
        double ma = 0, mb = 0, sab = 0, saa = 0, sbb = 0;
        for (size_t i = 0; i < n; i++) {
            ma += ra[i] / (double)n;
            mb += rb[i] / (double)n;
        }
        for (size_t i = 0; i < n; i++) {
            sab += (ra[i] - ma) * (rb[i] - mb);
            saa += (ra[i] - ma) * (ra[i] - ma);
            sbb += (rb[i] - mb) * (rb[i] - mb);
        }
        rho = sab / sqrt(saa * sbb);
    }
    free(ra);
    free(rb);
    return rho;
}

/* Simulated over measured, the measurement taken at the middle of its
 * truncated interval. */
static double ratio_of(const struct db_row *r)
{
    return r->simulated_us / (r->measured_us + TRUNCATION_MIDPOINT_US);
}

/* How far off a row is, symmetric in over- and under-estimation. */
static double miss_factor(const struct db_row *r)
{
    double q = ratio_of(r);
    return q >= 1 ? q : 1 / q;
}

struct class_stats {
    size_t n;
    double median_err, p90_err, median_ratio, rho;
    const struct db_row *worst[WORST_SHOWN];
};

static void class_stats(const struct db_run *run, enum db_class cls, bool fp16,
                        struct class_stats *s)
{
    memset(s, 0, sizeof *s);
    double *err = malloc((run->n + 1) * sizeof *err), *ratio = malloc((run->n + 1) * sizeof *ratio);
    double *sim = malloc((run->n + 1) * sizeof *sim), *meas = malloc((run->n + 1) * sizeof *meas);
    if (!err || !ratio || !sim || !meas)
        goto out;
    for (size_t i = 0; i < run->n; i++) {
        const struct db_row *r = &run->rows[i];
        if (r->cls != cls || r->fp16 != fp16 || !(r->simulated_us > 0))
            continue;
        ratio[s->n] = ratio_of(r);
        err[s->n] = fabs(ratio[s->n] - 1);
        sim[s->n] = r->simulated_us;
        meas[s->n] = r->measured_us;
        s->n++;
        /* Keep the worst rows, worst first (insertion into a short list). */
        for (int w = 0; w < WORST_SHOWN; w++) {
            if (!s->worst[w] || miss_factor(r) > miss_factor(s->worst[w])) {
                for (int j = WORST_SHOWN - 1; j > w; j--)
                    s->worst[j] = s->worst[j - 1];
                s->worst[w] = r;
                break;
            }
        }
    }
    if (s->n) {
        s->rho = spearman(sim, meas, s->n);
        s->median_ratio = median_of(ratio, s->n);
        s->median_err = median_of(err, s->n);
        s->p90_err = percentile(err, s->n, 0.9);
    }
out:
    free(err);
    free(ratio);
    free(sim);
    free(meas);
}

static bool has_target(enum db_class cls)
{
    return cls == DB_CONV || cls == DB_GEMM;
}

/* The model's conv algorithm against cuDNN's pick (cudnnFind in fp32;
 * DeepBench forces IMPLICIT_PRECOMP_GEMM for fp16 with tensor cores). */
static void print_algo_agreement(const struct db_run *run, FILE *out)
{
    for (int p = 0; p < 2; p++) {
        size_t n = 0, same = 0;
        for (size_t i = 0; i < run->n; i++) {
            const struct db_row *r = &run->rows[i];
            if (r->cls != DB_CONV || r->fp16 != (p == 1) || !r->simulated_algo[0])
                continue;
            n++;
            /* Two rows of the file have "LICIT_PRECOMP_GEMM": a cut-off cell. */
            const char *m = strstr(r->measured_algo, "LICIT_PRECOMP_GEMM") ? "IMPLICIT_PRECOMP_GEMM"
                                                                          : r->measured_algo;
            same += strcmp(m, r->simulated_algo) == 0;
        }
        if (n)
            fprintf(out, "- conv %s: the model's algorithm equals cuDNN's (fwd_algorithm) in %zu "
                         "of %zu rows\n",
                    p ? "fp16" : "fp32", same, n);
    }
}

/* What the model leaves out, by mechanism (not by outcome: the table above
 * is recomputed on every run). */
static const char NOTES[] =
    "Notes: what these rows contain that the model does not (by mechanism, each judged\n"
    "on every row; the numbers are `make calibrate`'s, not fitted).\n\n"
    "- **Sustained clock: not the cause.** The model runs at the 1530 MHz boost clock (V100\n"
    "  whitepaper). Compute-bound rows sit below it: the 80 fp32 GEMMs with N >= 7000 at a\n"
    "  median ratio of 0.91 (fp16: 0.96), the 32 fp16 3x3 convolutions at 0.97. A lower\n"
    "  clock under DeepBench's load cannot explain the fp32 rows: the fastest, 4096 x 7000 x\n"
    "  4096 NN in 15.894 ms, does 14.78 TFLOPS, which needs at least 1443 MHz with every FMA\n"
    "  slot filled (80 SMs x 64 FMAs x 2 flops per clock); at 1380 MHz the peak would be\n"
    "  14.13 TFLOPS. The model puts that row at 97% of peak (ratio 0.97), while the other\n"
    "  large fp32 GEMMs, at the same clock, run at 0.85-0.96 (10th to 90th percentile): the\n"
    "  spread is per kernel (shape and layout), not the clock. fp16's fastest row (112.3\n"
    "  TFLOPS) needs at least 1371 MHz.\n"
    "- **Lone CUDA-core blocks.** Three fp32 1x1 layers show what the model's k-stage misses\n"
    "  when an SM's FMA work and its loads' latency are about equal. Cycles per 8-deep stage\n"
    "  (measured time x 1530 MHz / stages), batch 8 and 16: 7x7 C=2048 K=512: 980 and 1410;\n"
    "  7x7 C=512 K=512: 1100 and 1506; 14x14 C=1024 K=512 /2: 1040 and 1375. The model gives\n"
    "  1035-1075 at both batches (latency-bound: the load latency and the store). At batch 8\n"
    "  (64 blocks, one 128x32 block per SM: 512 FMA cycles a stage) the chip agrees; at batch\n"
    "  16 an SM has 1024 FMA cycles a stage (two 128x32 blocks or one 128x64) and takes about\n"
    "  1400, where the model overlaps them with the latency and takes 1045-1075. With one or\n"
    "  two warps per scheduler the chip overlaps math and load latency only in part (or its\n"
    "  FMA pipe runs at about 73%); which one, and why (register-bank conflicts, the kernels'\n"
    "  instruction order), is not public, and fitting it would be fitting a curve. 26 of the\n"
    "  41 conv fp32 rows below 0.85 are implicit GEMMs in one partial wave, a few blocks per\n"
    "  SM, like these. A V100 measurement of an SGEMM main loop at one to four warps per\n"
    "  scheduler would settle it.\n"
    "- **K-major weight streaming.** Small-N GEMMs whose large operand is read along K\n"
    "  (a_t = T, or B with b_t = N for M = 35, N = 8457) stream it at 340-500 GB/s where\n"
    "  the same matrix read along M streams at 700-830 GB/s, and only for some K (2560,\n"
    "  1536, 2816, 1760, 500000; not 1024, 2048, 4096). Each block reads 32-element runs\n"
    "  of rows K apart, so DRAM row locality and NVIDIA's address mapping decide; neither is\n"
    "  public. These 19 fp16 rows (0.47-0.69) are why GEMM fp16's p90 is above 30%.\n"
    "- **Strided convolutions.** cuDNN's strided tensor-core kernels run without split-K,\n"
    "  which the rows show: a strided 1x1 convolution takes the same time at batch 8 and 16\n"
    "  (65/65, 39/39, 16/16 us), where the unit-stride rows of the same sizes grow with the\n"
    "  batch (26/38, 21/34 us); modelled (gpu_conv.c), it took the 18 fp16 1x1/2 rows' median\n"
    "  ratio from 0.72 to 0.79 and conv fp16's p90 below 30%. They still run slower than\n"
    "  the model: 0.79 (0.63-0.86) against 0.99 for 1x1/1, 0.82 (0.59-0.97) for 3x3, 5x5\n"
    "  and 5x10 at stride 2 against 0.95 for 3x3/1; fp32 1x1/2 rows 0.79 against 0.93 at\n"
    "  stride 1. The model reads only the sectors the taps touch, which is physical; what\n"
    "  else makes cuDNN's strided kernels slower per stage is not public.\n"
    "- **Which tile.** A library runs its largest tile that the problem fills (a whole\n"
    "  wave at the tile's occupancy, the tile no larger than M x N); only problems too\n"
    "  small for that get the fastest tile and split. The rows show it: the 3x3\n"
    "  convolution of 28x28 x 256 channels into 512 filters (fp16) takes 186 and 310 us at\n"
    "  batch 8 and 16, as 256x128 tiles do (203, 308), not the faster 128x128 (159, 265).\n"
    "  Against the fastest tile everywhere, it took the medians from 18.7% to 16.5% (conv\n"
    "  fp32), 11.7% to 11.0% (conv fp16), 12.5% to 11.4% (GEMM fp32) and 7.5% to 6.7%\n"
    "  (GEMM fp16), the p90s no worse.\n"
    "- **Split-K and kernel boundaries.** NVIDIA's CUDA Graphs blog measures 0.9 us between\n"
    "  back-to-back kernels on V100, used for the gap between calls; within a call the\n"
    "  chip keeps round 1's 3 us (gpu.launch_overhead_us). At 0.9 us there too, the model's\n"
    "  split-K (any power of two, the fastest kept, for problems that fill no tile's wave)\n"
    "  undercuts the mid-size small-N GEMMs further (GEMM fp16 p90 33% -> 39%): cuBLAS's\n"
    "  choice of split is a heuristic the model does not know, and the larger boundary\n"
    "  stands in for it.\n"
    "- **Epilogue.** A wave's output stores are timed at DRAM bandwidth. Stores write back\n"
    "  into L2 (PTX st.wb), so at L2 bandwidth they would be faster, but that made every\n"
    "  class worse (the model's systematic speed above); the epilogue's own work (staging\n"
    "  through shared memory, C loads) is what the DRAM-rate epilogue stands in for.\n"
    "  Short-K convolutions with a large output (C = 1 or 3, K = 16-64 on CUDA cores) are\n"
    "  over-predicted 1.4-1.6x: the model's per-wave epilogue dominates their time, where\n"
    "  the real waves' stores overlap the next waves. Letting them overlap (a block leaves\n"
    "  its SM once its stores are issued, so only an epilogue longer than the next wave's\n"
    "  main loop adds) was tried: conv fp32's p90 fell from 38% to 34%, but GEMM fp16's\n"
    "  median rose from 6.7% to 14.2% and GEMM fp32's from 11.4% to 14.2%. The serialised\n"
    "  epilogue stands in for time the model misses elsewhere (the main loop's, above), and\n"
    "  stays until that is found.\n"
    "- **L2 between calls.** DeepBench calls a kernel 300-400 times on the same buffers, so\n"
    "  a row whose operands fit in the 6 MB L2 reads them from L2 in steady state. The\n"
    "  model's graph reads them from DRAM (graph inputs and weights are not kept in L2\n"
    "  between kernels; activations are). The small GEMMs (M = 512-1024, K = 512: 1.15-\n"
    "  1.6x) are over-predicted for it. Loading such rows at L2 latency without DRAM\n"
    "  traffic was tried: conv fp32's median went from 16.5% to 17.6% and conv fp16's\n"
    "  p90 from 27% to 40%, because the small convolutions it speeds up already run\n"
    "  faster in the model than on the chip. Like the epilogue's overlap, it waits for\n"
    "  the time the model misses.\n"
    "- **Non-fused Winograd on small images.** On 7x7 images (C = 256-832) WINOGRAD_NONFUSED\n"
    "  runs 1.5-2.6x longer than the model's transforms and 36 batched GEMMs of 32-64 rows\n"
    "  each, which fill no tile's wave, so the model takes the fastest tile (32x128).\n"
    "  Public nsight listings show a 128x64 SGEMM inside this algorithm on large images;\n"
    "  which kernel cuDNN runs for 32-row GEMMs is not public.\n"
    "- **Algorithm choice.** Rows run DeepBench's algorithm (above); the agreement counts\n"
    "  compare it with the model's own cudnnFind, which times every algorithm the model has\n"
    "  and keeps the fastest. IMPLICIT_PRECOMP_GEMM is IMPLICIT_GEMM's GEMM after an\n"
    "  offsets kernel (Volta's INT32 cores do IMPLICIT_GEMM's address arithmetic beside the\n"
    "  FMAs), so the model's cudnnFind never picks it; cuDNN's does in 26 fp32 rows.\n"
    "- **Fused Winograd internals.** WINOGRAD is its filter transform kernel, then 16\n"
    "  batched GEMMs in cuDNN's CUDA-core tiles plus the input and output transforms on the\n"
    "  CUDA cores. The real GEMM kernel is one shape (volta_scudnn_winograd_128x128_...);\n"
    "  taken as a 128 x 128 tile of tiles x filters it over-predicts the K = 64 rows\n"
    "  (1.3-1.5x) where the free choice of tiles under-predicts them (0.7x): how its\n"
    "  blocks cover tiles, filters and the 16 planes is not public.\n"
    "- **Host time.** Each call costs the host `cudnn-direct`'s 4 us (an assumed bound\n"
    "  from NVIDIA's CUDA Graphs blog); no row's kernels are shorter, so it never sets a\n"
    "  row's time. RNN layers issue a GEMM and a gates kernel per step from inside one\n"
    "  call; the host's time for those launches is not modelled.\n"
    "- **RNNs.** cuDNN's standard algorithm only (DeepBench's); persistent kernels are not\n"
    "  modelled. fp16 rows run with C and K (convolutions) or leading dimensions (GEMMs)\n"
    "  padded to 8 as the benchmark pads them; row labels show the sizes before padding.\n\n";

int deepbench_print(const struct db_run *run, FILE *out)
{
    int missed = 0;
    fprintf(out,
            "## Calibration: DeepBench V100 kernels\n\n"
            "Generated by `make calibrate` (tests/validate/calibrate.c, deepbench.c). Each row of\n"
            "the shared tree's `calibration/deepbench_v100` (DeepBench, CUDA 10.1, cuDNN/cuBLAS\n"
            "on a V100 SXM2) is built with the public\n"
            "builder as %d copies of its library call and simulated on gpu_v100 in its precision\n"
            "(fp32: float32; fp16_mixed: float16) by the event engine under the `cudnn-direct`\n"
            "stack, with the convolution algorithm DeepBench ran (fp16: IMPLICIT_PRECOMP_GEMM,\n"
            "forced; fp32: cudnnFind's pick, the file's fwd_algorithm). Compared is **one call in\n"
            "steady state** (the middle copy's row: its kernels, their gaps, or the host's time per\n"
            "call if longer), as DeepBench divides the wall time of back-to-back calls, against\n"
            "the measured time + 0.5 us (DeepBench truncates to whole microseconds).\n"
            "ratio = simulated / (measured + 0.5); error = ratio - 1.\n"
            "Targets (conv and GEMM, each precision): median |error| <= %.0f%%, p90 <= %.0f%%.\n\n"
            "| class | precision | rows | median abs error | p90 abs error | median ratio | "
            "Spearman | target |\n|---|---|---:|---:|---:|---:|---:|---|\n",
            REPEATS, TARGET_MEDIAN * 100, TARGET_P90 * 100);
    struct class_stats st[DB_CLASSES][2];
    for (int c = 0; c < DB_CLASSES; c++) {
        for (int p = 0; p < 2; p++) {
            struct class_stats *s = &st[c][p];
            class_stats(run, (enum db_class)c, p == 1, s);
            const char *verdict = "no target";
            if (has_target((enum db_class)c)) {
                bool ok = s->n && s->median_err <= TARGET_MEDIAN && s->p90_err <= TARGET_P90;
                missed += !ok;
                verdict = ok ? "met" : "**not met**";
            }
            fprintf(out, "| %s | %s | %zu | %.1f%% | %.1f%% | %.2f | %.2f | %s |\n",
                    CLASS_NAME[c], p ? "fp16" : "fp32", s->n, s->median_err * 100,
                    s->p90_err * 100, s->median_ratio, s->rho, verdict);
        }
    }
    fprintf(out, "\n%d row(s) skipped (time cell not a number), %d error(s).\n\n", run->skipped,
            run->errors);
    print_algo_agreement(run, out);
    fprintf(out, "\nWorst rows per class (by max(ratio, 1/ratio)):\n\n"
                 "| class | precision | row | measured us | simulated us | ratio | cuDNN algo | "
                 "model algo |\n|---|---|---|---:|---:|---:|---|---|\n");
    for (int c = 0; c < DB_CLASSES; c++)
        for (int p = 0; p < 2; p++)
            for (int w = 0; w < WORST_SHOWN && st[c][p].worst[w]; w++) {
                const struct db_row *r = st[c][p].worst[w];
                fprintf(out, "| %s | %s | %s | %.1f | %.1f | %.2f | %s | %s |\n", CLASS_NAME[c],
                        p ? "fp16" : "fp32", r->label, r->measured_us, r->simulated_us,
                        ratio_of(r), r->measured_algo, r->simulated_algo);
            }
    fprintf(out, "\n%s", NOTES);
    return missed;
}

void deepbench_print_rows(const struct db_run *run, FILE *out)
{
    fprintf(out, "class,precision,row,measured_us,simulated_us,ratio,measured_algo,"
                 "simulated_algo\n");
    for (size_t i = 0; i < run->n; i++) {
        const struct db_row *r = &run->rows[i];
        fprintf(out, "%s,%s,%s,%.1f,%.2f,%.3f,%s,%s\n", CLASS_NAME[r->cls],
                r->fp16 ? "fp16" : "fp32", r->label, r->measured_us, r->simulated_us,
                ratio_of(r), r->measured_algo, r->simulated_algo);
    }
}
