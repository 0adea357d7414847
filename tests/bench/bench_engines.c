/*
 * bench_engines.c — how far the fast engine (each op alone, closed form) is
 * from the event engine (every tile in time, ops overlapping) on whole
 * networks, and how fast the event engine runs. Every zoo family and every
 * real ONNX CNN under MODELS/onnx/torch_export and onnx_light, on every
 * chip, at batch 1 and 128 (files whose reshapes fix the batch are skipped
 * at 128, and counted). Prints markdown (docs/bench_engines.md).
 *
 * usage: bench_engines MODELS_ROOT [RUNS]
 */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "chip.h"
#include "cli.h"
#include "engine.h"
#include "sched_event.h"
#include "stack.h"
#include "zoo.h"

static const char *const CHIPS[] = {"tpu_v2", "tpu_v3", "tpu_v4i", "edgetpu", "gpu_v100"};
#define N_CHIPS (sizeof CHIPS / sizeof CHIPS[0])

struct model {
    char name[512];
    char path[2048];   /* "" for a zoo family */
};

struct diff {
    double rel;        /* event / fast - 1 */
    const char *name;
};

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int by_abs(const void *a, const void *b)
{
    double x = fabs(((const struct diff *)a)->rel), y = fabs(((const struct diff *)b)->rel);
    return (x > y) - (x < y);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static tpusim_graph *open_model(const struct model *m, int64_t batch)
{
    tpusim_graph *g;
    if (tpusim_graph_new(&g))
        return NULL;
    int rc = tpusim_graph_set_batch(g, batch);
    if (!rc)
        rc = m->path[0] ? tpusim_graph_load_onnx_file(g, m->path) : zoo_build(g, m->name, NULL);
    if (rc) {
        tpusim_graph_close(g);
        return NULL;
    }
    return g;
}

static int list_models(const char *root, struct model *out, int max)
{
    int n = 0;
    for (size_t i = 0; i < zoo_count() && n < max; i++) {
        const struct zoo_family *f = zoo_get(i);
        snprintf(out[n].name, sizeof out[n].name, "%s", f->name);
        out[n++].path[0] = '\0';
    }
    const char *dirs[] = {"onnx/torch_export", "onnx/onnx_light"};
    for (size_t k = 0; k < 2; k++) {
        char dir[1024];
        snprintf(dir, sizeof dir, "%s/%s", root, dirs[k]);
        DIR *d = opendir(dir);
        if (!d)
            continue;
        struct dirent *e;
        while ((e = readdir(d)) && n < max) {
            size_t len = strlen(e->d_name);
            if (len < 6 || strcmp(e->d_name + len - 5, ".onnx"))
                continue;
            snprintf(out[n].name, sizeof out[n].name, "%s", e->d_name);
            snprintf(out[n].path, sizeof out[n].path, "%s/%s", dir, e->d_name);
            n++;
        }
        closedir(d);
    }
    return n;
}

/* One row per chip: the event engine against the fast one at `batch`. */
static void diff_row(const char *chip, struct model *ms, int n, int64_t batch)
{
    struct chip c;
    struct stack st;
    char err[1024];
    if (chip_load(cli_models_dir(), chip, NULL, 0, &c, err, sizeof err) ||
        stack_resolve(cli_models_dir(), &c, NULL, NULL, 0, &st, err, sizeof err)) {
        fprintf(stderr, "bench_engines: %s\n", err);
        exit(1);
    }
    struct diff *d = calloc((size_t)n, sizeof *d);
    int k = 0, skipped = 0;
    for (int i = 0; i < n; i++) {
        tpusim_graph *g = open_model(&ms[i], batch);
        if (!g) {
            skipped++;
            continue;
        }
        uint64_t cyc[2] = {0, 0};
        bool ok = true;
        for (int e = 0; e < 2 && ok; e++) {
            struct sim_options o = {.cores = 1, .engine = (enum engine_kind)e, .stack = &st};
            struct sim_result r;
            ok = simulate(g, &c, &o, &r, err, sizeof err) == TPUSIM_OK;
            if (ok)
                cyc[e] = r.sum.cycles;
            sim_result_free(&r);
        }
        tpusim_graph_close(g);
        if (!ok || !cyc[0]) {
            skipped++;
            continue;
        }
        d[k].rel = (double)cyc[1] / (double)cyc[0] - 1;
        d[k].name = ms[i].name;
        k++;
    }
    qsort(d, (size_t)k, sizeof *d, by_abs);
    double *signed_rel = malloc((size_t)(k ? k : 1) * sizeof *signed_rel);
    for (int i = 0; i < k; i++)
        signed_rel[i] = d[i].rel;
    qsort(signed_rel, (size_t)k, sizeof *signed_rel, cmp_double);
    if (k)
        printf("| %s | %lld | %d | %+.1f%% | %.1f%% | %+.1f%% (%s) | %d |\n", chip,
               (long long)batch, k, 100 * signed_rel[k / 2], 100 * fabs(d[k / 2].rel),
               100 * d[k - 1].rel, d[k - 1].name, skipped);
    free(signed_rel);
    free(d);
}

/* Median wall time of simulate() with engine e, in microseconds. */
static double time_sim(const char *path, const char *chip, int64_t batch, enum engine_kind e,
                       int runs, uint64_t *cycles, uint64_t *acts)
{
    struct model m = {.name = "", .path = ""};
    snprintf(m.path, sizeof m.path, "%s", path);
    tpusim_graph *g = open_model(&m, batch);
    struct chip c;
    struct stack st;
    char err[1024];
    if (!g || chip_load(cli_models_dir(), chip, NULL, 0, &c, err, sizeof err) ||
        stack_resolve(cli_models_dir(), &c, NULL, NULL, 0, &st, err, sizeof err)) {
        fprintf(stderr, "bench_engines: cannot open %s on %s\n", path, chip);
        exit(1);
    }
    double *t = malloc((size_t)runs * sizeof *t);
    for (int i = 0; i < runs; i++) {
        struct sim_options o = {.cores = 1, .engine = e, .stack = &st};
        struct sim_result r;
        double s = now_us();
        if (simulate(g, &c, &o, &r, err, sizeof err)) {
            fprintf(stderr, "bench_engines: %s\n", err);
            exit(1);
        }
        t[i] = now_us() - s;
        *cycles = r.sum.cycles;
        *acts = r.events ? r.events->n : 0;
        sim_result_free(&r);
    }
    qsort(t, (size_t)runs, sizeof *t, cmp_double);
    double med = t[runs / 2];
    free(t);
    tpusim_graph_close(g);
    return med;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_engines MODELS_ROOT [RUNS]\n");
        return 2;
    }
    int runs = argc > 2 ? atoi(argv[2]) : 21;
    if (runs < 1)
        runs = 1;
    static struct model ms[256];
    int n = list_models(argv[1], ms, 256);
    printf("## Fast engine against the event engine\n\n");
    printf("%d models: every zoo family and the real CNNs of onnx/torch_export and "
           "onnx/onnx_light, one core. Difference = event / fast - 1 (negative: the event "
           "engine, which overlaps ops, is faster).\n\n", n);
    printf("| chip | batch | models | median | median abs | worst | skipped |\n");
    printf("|---|---:|---:|---:|---:|---|---:|\n");
    for (size_t c = 0; c < N_CHIPS; c++)
        for (int b = 0; b < 2; b++)
            diff_row(CHIPS[c], ms, n, b ? 128 : 1);
    char r50[1024];
    snprintf(r50, sizeof r50, "%s/onnx/torch_export/tv_resnet50_light.onnx", argv[1]);
    printf("\n## Simulation speed: ResNet-50 on tpu_v3\n\n");
    printf("`simulate()` wall time, median of %d runs (lowering included).\n\n", runs);
    printf("| batch | engine | median | cycles simulated | activities |\n"
           "|---:|---|---:|---:|---:|\n");
    int64_t batches[] = {1, 8, 64, 256};
    for (int b = 0; b < 4; b++)
        for (int e = 1; e >= 0; e--) {
            uint64_t cyc, acts;
            double us = time_sim(r50, "tpu_v3", batches[b], (enum engine_kind)e, runs, &cyc,
                                 &acts);
            printf("| %lld | %s | %.1f us | %llu | %llu |\n", (long long)batches[b],
                   e ? "event" : "fast", us, (unsigned long long)cyc, (unsigned long long)acts);
        }
    return 0;
}
