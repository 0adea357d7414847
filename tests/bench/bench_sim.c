/*
 * bench_sim.c — times tpusim's simulation of one model on one chip: loads
 * the graph once, then runs simulate() repeatedly and prints the median
 * and minimum wall time per run (CLOCK_MONOTONIC), plus the load time.
 *
 * usage: bench_sim MODEL.onnx CHIP RUNS [--batch N] [--dim K=V ...]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine.h"

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int bind(tpusim_graph *g, int argc, char **argv)
{
    for (int i = 4; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--batch") == 0) {
            if (tpusim_graph_set_batch(g, atoll(argv[i + 1])))
                return 1;
        } else if (strcmp(argv[i], "--dim") == 0) {
            char name[256];
            const char *eq = strrchr(argv[i + 1], '=');
            if (!eq || (size_t)(eq - argv[i + 1]) >= sizeof name)
                return 1;
            memcpy(name, argv[i + 1], (size_t)(eq - argv[i + 1]));
            name[eq - argv[i + 1]] = '\0';
            if (tpusim_graph_bind_dim(g, name, atoll(eq + 1)))
                return 1;
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: bench_sim MODEL.onnx CHIP RUNS [--batch N] [--dim K=V ...]\n");
        return 2;
    }
    int runs = atoi(argv[3]);
    if (runs < 1)
        runs = 1;
    const char *models = getenv("TPUSIM_MODELS_DIR");
    struct chip chip;
    char err[1024];
    if (chip_load(models && models[0] ? models : "models", argv[2], NULL, 0, &chip, err,
                  sizeof err)) {
        fprintf(stderr, "bench_sim: %s\n", err);
        return 1;
    }
    tpusim_graph *g = NULL;
    double t0 = now_us();
    if (tpusim_graph_new(&g) || bind(g, argc, argv) || tpusim_graph_load_onnx_file(g, argv[1])) {
        fprintf(stderr, "bench_sim: %s\n", g ? tpusim_graph_errmsg(g) : "out of memory");
        tpusim_graph_close(g);
        return 1;
    }
    double load_us = now_us() - t0;
    double *t = malloc((size_t)runs * sizeof *t);
    uint64_t cycles = 0;
    struct sim_options o = {.dtype = TPUSIM_DT_UNDEFINED, .cores = 1};
    for (int i = 0; i < runs && t; i++) {
        struct sim_result r;
        double s = now_us();
        if (simulate(g, &chip, &o, &r, err, sizeof err)) {
            fprintf(stderr, "bench_sim: %s\n", err);
            return 1;
        }
        t[i] = now_us() - s;
        cycles = r.total_cycles;
        sim_result_free(&r);
    }
    qsort(t, (size_t)runs, sizeof *t, cmp_double);
    printf("%zu ops, %llu cycles: simulate median %.1f us, min %.1f us over %d runs; load %.1f us\n",
           tpusim_graph_op_count(g), (unsigned long long)cycles, t[runs / 2], t[0], runs, load_us);
    free(t);
    tpusim_graph_close(g);
    return 0;
}
