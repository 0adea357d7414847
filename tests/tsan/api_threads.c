/*
 * api_threads.c — many threads query one chip at once, each through its
 * own context (cache, scratch), with both engines, and all get the answers
 * one thread gets alone. Built and run under ThreadSanitizer by `make test-tsan` (any
 * race fails it), and without it by `make test`.
 *
 * usage: api_threads [MODELS_DIR]
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tpusim.h"

#define THREADS 4
#define CANDIDATES 24

static const tpusim_chip *g_chip;       /* shared, read-only */
/* Written before the threads start: per candidate, the fast engine's
 * cycles and the event engine's. */
static uint64_t g_expected[CANDIDATES], g_expected_event[CANDIDATES];
static const tpusim_options g_event = {.engine = TPUSIM_ENGINE_EVENT};

static void candidate(tpusim_net *net, int i)
{
    tpusim_net_reset(net, 1, 3, 192, 192);
    tpusim_block stem = {.kind = TPUSIM_BLOCK_CONV, .out_channels = 32, .kernel = 3,
                         .stride = 2, .groups = 1, .act = TPUSIM_ACT_SWISH};
    tpusim_net_add(net, &stem);
    static const int widths[] = {24, 40, 80, 112};
    for (int b = 0; b < 8; b++) {
        tpusim_block blk = {.kind = TPUSIM_BLOCK_DW_IBN + (i + b) % 3,
                            .out_channels = widths[b / 2],
                            .kernel = (i >> (b % 4)) & 1 ? 5 : 3,
                            .stride = b % 2 ? 1 : 2,
                            .expand = (b + i) % 2 ? 6 : 4,
                            .groups = 2,
                            .act = i % 2 ? TPUSIM_ACT_RELU : TPUSIM_ACT_SWISH,
                            .se = (i / 2) % 2};
        if (tpusim_net_add(net, &blk)) {
            fprintf(stderr, "api_threads: %s\n", tpusim_net_errmsg(net));
            exit(1);
        }
    }
}

static void *worker(void *arg)
{
    long id = (long)arg;
    tpusim_context *ctx = NULL;
    tpusim_net *net = NULL;
    tpusim_result *res = NULL;
    long bad = 0;
    if (tpusim_context_open(0, &ctx) || tpusim_net_new(&net) || tpusim_result_new(&res))
        return (void *)1L;
    for (int pass = 0; pass < 3; pass++)
        for (int k = 0; k < CANDIDATES; k++) {
            int i = (int)((k + id * 5) % CANDIDATES); /* threads in different orders */
            candidate(net, i);
            int event = (k + pass) % 4 == 0; /* every fourth query, the event engine */
            if (tpusim_net_query(ctx, g_chip, net, event ? &g_event : NULL, res) ||
                tpusim_result_cycles(res) != (event ? g_expected_event : g_expected)[i])
                bad++;
        }
    tpusim_result_close(res);
    tpusim_net_close(net);
    tpusim_context_close(ctx);
    return (void *)bad;
}

int main(int argc, char **argv)
{
    /* NULL: the library's own lookup ($TPUSIM_MODELS_DIR, then ./models). */
    const char *models = argc > 1 ? argv[1] : NULL;
    tpusim_context *ctx = NULL;
    tpusim_chip *chip = NULL;
    tpusim_net *net = NULL;
    tpusim_result *res = NULL;
    if (tpusim_context_open(0, &ctx) || tpusim_net_new(&net) || tpusim_result_new(&res))
        return 1;
    if (tpusim_chip_open(ctx, "tpu_v4i", models, NULL, 0, &chip)) {
        fprintf(stderr, "api_threads: %s\n", tpusim_errmsg(ctx));
        return 1;
    }
    tpusim_options exact = {.flags = TPUSIM_EXACT};
    for (int i = 0; i < CANDIDATES; i++) {
        candidate(net, i);
        if (tpusim_net_query(ctx, chip, net, &exact, res)) {
            fprintf(stderr, "api_threads: %s\n", tpusim_errmsg(ctx));
            return 1;
        }
        g_expected[i] = tpusim_result_cycles(res);
        if (tpusim_net_query(ctx, chip, net, &g_event, res)) {
            fprintf(stderr, "api_threads: %s\n", tpusim_errmsg(ctx));
            return 1;
        }
        g_expected_event[i] = tpusim_result_cycles(res);
    }
    g_chip = chip;
    pthread_t t[THREADS];
    for (long i = 0; i < THREADS; i++)
        if (pthread_create(&t[i], NULL, worker, (void *)i))
            return 1;
    long bad = 0;
    for (int i = 0; i < THREADS; i++) {
        void *r;
        pthread_join(t[i], &r);
        bad += (long)r;
    }
    printf("api_threads: %d threads x %d queries on one chip: %ld wrong\n", THREADS,
           3 * CANDIDATES, bad);
    tpusim_result_close(res);
    tpusim_net_close(net);
    tpusim_chip_close(chip);
    tpusim_context_close(ctx);
    return bad ? 1 : 0;
}
