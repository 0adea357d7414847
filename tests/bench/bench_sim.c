/*
 * bench_sim.c — times tpusim's simulation of one model on one chip: loads
 * the graph once, then runs simulate() repeatedly and prints the median
 * and minimum wall time per run (CLOCK_MONOTONIC), plus the load time.
 * The fast engine unless --engine event says otherwise (the C API's
 * default; the CLI's is event).
 *
 * usage: bench_sim MODEL.onnx CHIP RUNS [--engine fast|event] [--batch N] [--dim K=V ...]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "engine.h"
#include "stack.h"

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

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: bench_sim MODEL.onnx CHIP RUNS [--engine fast|event] [--batch N] "
                        "[--dim K=V ...]\n");
        return 2;
    }
    int64_t runs;
    if (!cli_parse_int64(argv[3], 1, 1000000, &runs)) {
        fprintf(stderr, "bench_sim: RUNS must be a whole number >= 1, got '%s'\n", argv[3]);
        return 2;
    }
    /* The CLI's own --batch/--dim parsing: a typo fails instead of
     * timing another shape. */
    struct model_opts mo;
    memset(&mo, 0, sizeof mo);
    mo.model = argv[1];
    int engine = ENGINE_FAST;
    for (int i = 4; i < argc; i++) {
        if (strcmp(argv[i], "--engine") == 0) {
            const char *v = i + 1 < argc ? argv[++i] : "";
            if (!cli_parse_engine(v, &engine)) {
                fprintf(stderr, "bench_sim: --engine must be fast or event, got '%s'\n", v);
                return 2;
            }
            continue;
        }
        int r = cli_model_option("bench_sim", argc, argv, &i, &mo);
        if (r == CLI_NOT_OURS)
            fprintf(stderr, "bench_sim: unknown argument '%s'\n", argv[i]);
        if (r != CLI_TAKEN)
            return 2;
    }
    struct chip chip;
    char err[1024];
    if (chip_load(cli_models_dir(), argv[2], NULL, 0, &chip, err, sizeof err)) {
        fprintf(stderr, "bench_sim: %s\n", err);
        return 1;
    }
    double t0 = now_us();
    tpusim_graph *g = cli_open_model(&mo, true);
    if (!g)
        return 1;
    double load_us = now_us() - t0;
    double *t = malloc((size_t)runs * sizeof *t);
    if (!t) {
        fprintf(stderr, "bench_sim: out of memory\n");
        tpusim_graph_close(g);
        return 1;
    }
    uint64_t cycles = 0;
    struct stack stack;
    if (stack_resolve(cli_models_dir(), &chip, NULL, NULL, 0, &stack, err, sizeof err)) {
        fprintf(stderr, "bench_sim: %s\n", err);
        free(t);
        tpusim_graph_close(g);
        return 1;
    }
    struct sim_options o = {.dtype = TPUSIM_DT_UNDEFINED, .cores = 1, .stack = &stack,
                            .engine = (enum engine_kind)engine};
    for (int64_t i = 0; i < runs; i++) {
        struct sim_result r;
        double s = now_us();
        if (simulate(g, &chip, &o, &r, err, sizeof err)) {
            fprintf(stderr, "bench_sim: %s\n", err);
            free(t);
            tpusim_graph_close(g);
            return 1;
        }
        t[i] = now_us() - s;
        cycles = r.sum.cycles;
        sim_result_free(&r);
    }
    qsort(t, (size_t)runs, sizeof *t, cmp_double);
    printf("%zu ops, %llu cycles: simulate (%s engine) median %.1f us, min %.1f us over %d runs; "
           "load %.1f us\n",
           tpusim_graph_op_count(g), (unsigned long long)cycles,
           engine == ENGINE_EVENT ? "event" : "fast", t[runs / 2], t[0], (int)runs, load_us);
    free(t);
    tpusim_graph_close(g);
    return 0;
}
