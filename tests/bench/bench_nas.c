/*
 * bench_nas.c — the oracle's speed for NAS: candidates per second on one
 * core, cold (cache emptied before each query) and warm (every block
 * cached), and the cache after 1 M queries of a random search. Candidates
 * are 20 MBConv-style blocks (5 stages x 4, as examples/nas_search.py)
 * plus stem and head; building each candidate (tpusim_net_reset/add) is
 * inside the timing.
 *
 * usage: bench_nas CHIP [QUERIES]   (prints one markdown table row)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tpusim.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint32_t rnd(uint64_t *s)
{
    *s = *s * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
    return (uint32_t)(*s >> 33);
}

/* A candidate is 5 stage choices, drawn from `seed`. */
static void build(tpusim_net *net, uint64_t seed)
{
    static const int widths[5] = {24, 40, 80, 112, 192}, strides[5] = {2, 2, 2, 1, 2};
    tpusim_net_reset(net, 1, 3, 224, 224);
    tpusim_block stem = {.kind = TPUSIM_BLOCK_CONV, .out_channels = 32, .kernel = 3,
                         .stride = 2, .groups = 1, .act = TPUSIM_ACT_SWISH};
    tpusim_net_add(net, &stem);
    for (int s = 0; s < 5; s++) {
        uint32_t kind = rnd(&seed) % 4;
        int w = (int)((widths[s] * (int[]){75, 100, 125}[rnd(&seed) % 3] / 100 + 4) / 8 * 8);
        tpusim_block b = {.kind = kind == 0 ? TPUSIM_BLOCK_DW_IBN
                                  : kind == 1 ? TPUSIM_BLOCK_FUSED_IBN
                                              : TPUSIM_BLOCK_GC_IBN,
                          .out_channels = w,
                          .kernel = rnd(&seed) % 2 ? 3 : 5,
                          .expand = (int[]){1, 4, 6}[rnd(&seed) % 3],
                          .groups = kind == 3 ? 4 : 2,
                          .act = rnd(&seed) % 2 ? TPUSIM_ACT_RELU : TPUSIM_ACT_SWISH,
                          .se = (int)(rnd(&seed) % 2)};
        for (int i = 0; i < 4; i++) {
            b.stride = i == 0 ? strides[s] : 1;
            if (tpusim_net_add(net, &b)) {
                fprintf(stderr, "bench_nas: %s\n", tpusim_net_errmsg(net));
                exit(1);
            }
        }
    }
    tpusim_block head = {.kind = TPUSIM_BLOCK_HEAD, .out_channels = 1280,
                         .act = TPUSIM_ACT_SWISH, .classes = 1000};
    tpusim_net_add(net, &head);
}

static void query(tpusim_context *ctx, tpusim_chip *chip, tpusim_net *net, tpusim_result *res)
{
    if (tpusim_net_query(ctx, chip, net, NULL, res)) {
        fprintf(stderr, "bench_nas: %s\n", tpusim_errmsg(ctx));
        exit(1);
    }
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_nas CHIP [QUERIES]\n");
        return 2;
    }
    long queries = argc > 2 ? atol(argv[2]) : 1000000;
    const char *models = getenv("TPUSIM_MODELS_DIR");
    tpusim_context *ctx;
    tpusim_chip *chip;
    tpusim_net *net;
    tpusim_result *res;
    if (tpusim_context_open(0, &ctx) || tpusim_net_new(&net) || tpusim_result_new(&res))
        return 1;
    if (tpusim_chip_open(ctx, argv[1], models && models[0] ? models : "models", NULL, 0, &chip)) {
        fprintf(stderr, "bench_nas: %s\n", tpusim_errmsg(ctx));
        return 1;
    }
    /* Cold: every query finds an empty cache. */
    enum { COLD = 1000, POOL = 1000 };
    double t0 = now_s();
    for (int i = 0; i < COLD; i++) {
        tpusim_cache_clear(ctx);
        build(net, (uint64_t)i * 7919 + 1);
        query(ctx, chip, net, res);
    }
    double cold = COLD / (now_s() - t0);
    /* Warm: a pool of known candidates asked again. */
    tpusim_cache_clear(ctx);
    for (int i = 0; i < POOL; i++) {
        build(net, (uint64_t)i * 7919 + 1);
        query(ctx, chip, net, res);
    }
    long warm_n = queries < 200000 ? queries : 200000;
    t0 = now_s();
    for (long i = 0; i < warm_n; i++) {
        build(net, (uint64_t)(i % POOL) * 7919 + 1);
        query(ctx, chip, net, res);
    }
    double warm = (double)warm_n / (now_s() - t0);
    /* A random search: `queries` fresh draws, the cache filling as it goes. */
    tpusim_cache_clear(ctx);
    tpusim_cache_stats before, st;
    tpusim_cache_stats_get(ctx, &before);
    uint64_t seed = 12345;
    t0 = now_s();
    for (long i = 0; i < queries; i++) {
        build(net, rnd(&seed) | ((uint64_t)rnd(&seed) << 32));
        query(ctx, chip, net, res);
    }
    double search = (double)queries / (now_s() - t0);
    tpusim_cache_stats_get(ctx, &st);
    double hit = (double)(st.hits - before.hits) /
                 (double)(st.hits - before.hits + st.misses - before.misses);
    printf("| %s | %.0f | %.0f | %.0f | %.1f%% | %llu | %.1f MiB (limit %.0f MiB, %llu flushes) |\n",
           argv[1], cold, warm, search, 100 * hit, (unsigned long long)st.entries,
           (double)st.bytes / (1 << 20), (double)st.limit_bytes / (1 << 20),
           (unsigned long long)st.flushes);
    tpusim_result_close(res);
    tpusim_net_close(net);
    tpusim_chip_close(chip);
    tpusim_context_close(ctx);
    return 0;
}
