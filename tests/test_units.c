/*
 * test_units.c — the timing units' rules: MXU tiles, GEMMs, the multi-MXU
 * split and passes (against a literal step-by-step recurrence too), VPU
 * rounding and costs, HBM and host-link arithmetic, zero sizes, saturation.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cycles.h"
#include "memory.h"
#include "mxu.h"
#include "suites.h"
#include "testutil.h"
#include "vpu.h"

/* A TPUv3-like chip, filled by hand (the chip loader is not under test). */
static void tpu_v3_like(struct chip *c)
{
    memset(c, 0, sizeof *c);
    strcpy(c->name, "tpu_v3_like");
    c->clock_mhz = 940.0;
    c->clock_hz = 940e6;
    c->cores = 2;
    c->mxu_per_core = 2;
    c->mxu_rows = 128;
    c->mxu_cols = 128;
    c->mxu_double_buffered_weights = true;
    c->mxu_bf16 = true;
    c->mxu_fp32_passes = 3;
    c->mxu_int8_macs_per_pe_per_cycle = 1;
    c->vpu_lanes = 128;
    c->vpu_sublanes = 8;
    c->vpu_cycles_per_vector[VPU_ADD] = 1.0;
    c->vpu_cycles_per_vector[VPU_MUL] = 1.0;
    c->vpu_cycles_per_vector[VPU_DIV] = 4.0;
    c->vpu_cycles_per_vector[VPU_EXP] = 4.0;
    c->vpu_cycles_per_vector[VPU_SIGMOID] = 6.0;
    c->vpu_cycles_per_vector[VPU_TANH] = 6.0;
    c->vpu_cycles_per_vector[VPU_RSQRT] = 4.0;
    c->vpu_vmem_bytes_per_cycle = 256.0;
    c->hbm_bandwidth_gbps = 900.0;
    c->hbm_latency_ns = 500.0;
    c->hbm_bytes_per_cycle = 900e9 / 940e6; /* 957.4468... bytes per cycle */
    c->hbm_latency_cycles = 470;            /* 500 ns x 0.94 cycles/ns */
    c->vmem_bytes = 16u << 20;
}

/* An Edge-TPU-like chip: int8-only 64x64 array, no DRAM, a host link. */
static void edge_like(struct chip *c)
{
    memset(c, 0, sizeof *c);
    strcpy(c->name, "edge_like");
    c->clock_mhz = 500.0;
    c->clock_hz = 500e6;
    c->cores = 1;
    c->mxu_per_core = 1;
    c->mxu_rows = 64;
    c->mxu_cols = 64;
    c->mxu_double_buffered_weights = false;
    c->mxu_bf16 = false;
    c->mxu_fp32_passes = 0;
    c->mxu_int8_macs_per_pe_per_cycle = 1;
    c->vpu_lanes = 64;
    c->vpu_sublanes = 1;
    for (int i = 0; i < VPU_OP_COUNT; i++)
        c->vpu_cycles_per_vector[i] = 1.0;
    c->host_link_bandwidth_gbps = 1.0;
    c->host_link_latency_us = 10.0;
    c->host_link_overhead_us_per_transfer = 2.0;
    c->host_link_bytes_per_cycle = 2.0;   /* 1e9 B/s / 500e6 cycles/s */
    c->host_link_latency_cycles = 5000;   /* 10 us x 500 cycles/us */
    c->host_link_overhead_cycles = 1000;  /* 2 us x 500 cycles/us */
    c->param_cache_bytes = 8u << 20;
}

static const struct mxu_params P128 = {128, 128, 1, MXU_WEIGHT_STATIONARY};
static const struct mxu_params P128_NODB = {128, 128, 0, MXU_WEIGHT_STATIONARY};

#define EXPECT_TIMING(t, total, ntiles, stream, wload, fdrain, slots, useful, used)              \
    do {                                                                                         \
        ck_assert_uint_eq((t).total_cycles, (total));                                           \
        ck_assert_uint_eq((t).tiles, (ntiles));                                                 \
        ck_assert_uint_eq((t).stream_cycles, (stream));                                         \
        ck_assert_uint_eq((t).weight_load_cycles, (wload));                                     \
        ck_assert_uint_eq((t).fill_drain_cycles, (fdrain));                                     \
        ck_assert_uint_eq((t).mac_slots, (slots));                                              \
        ck_assert_uint_eq((t).useful_macs, (useful));                                           \
        ck_assert_uint_eq((t).mxus_used, (used));                                               \
    } while (0)

#define EXPECT_TILE(x, ls, le, ss, se, fo, lo)                                                   \
    do {                                                                                         \
        ck_assert_uint_eq((x).load_start, (ls));                                                \
        ck_assert_uint_eq((x).load_end, (le));                                                  \
        ck_assert_uint_eq((x).stream_start, (ss));                                              \
        ck_assert_uint_eq((x).stream_end, (se));                                                \
        ck_assert_uint_eq((x).first_output, (fo));                                              \
        ck_assert_uint_eq((x).last_output, (lo));                                               \
    } while (0)

/* ---------------------------------------------------------------- MXU */

START_TEST(mxu_single_tile_total_is_2R_plus_M_plus_C_minus_1)
{
    /* R = C = 128, M = 256, K = N = 128: one tile.
     * load [0,128); stream [128, 384); first output 128 + R = 256;
     * last output 384 + R + C - 2 = 384 + 254 = 638; total 639
     * = 2R + M + C - 1 = 256 + 256 + 128 - 1.
     * stream 256 + weight load 128 + fill/drain 254 + 1 = 639.
     * MAC slots 128*128*256 = 4194304 = useful 256*128*128. */
    struct mxu_tile_times x;
    mxu_tile(&P128, 256, 128, 128, 0, &x);
    EXPECT_TILE(x, 0, 128, 128, 384, 256, 638);
    struct mxu_timing t;
    mxu_gemm_one(&P128, 256, 128, 128, &t);
    EXPECT_TIMING(t, 639, 1, 256, 128, 254, 4194304, 4194304, 1);
    /* One tile is the same with or without double buffering. */
    mxu_gemm_one(&P128_NODB, 256, 128, 128, &t);
    EXPECT_TIMING(t, 639, 1, 256, 128, 254, 4194304, 4194304, 1);
}
END_TEST

START_TEST(mxu_k_one_past_R_costs_two_tiles)
{
    /* K = 129 pads to two k-tiles. M = 256 >= R: period M, loads hidden.
     * total = 2R + C - 1 + M + (T-1)*M = 256 + 127 + 256 + 256 = 895;
     * stream 2*256 = 512, weight load 128, fill/drain 254: 512+128+254+1.
     * slots 128*128*512 = 8388608; useful 256*129*128 = 4227072. */
    struct mxu_timing t;
    mxu_gemm_one(&P128, 256, 129, 128, &t);
    EXPECT_TIMING(t, 895, 2, 512, 128, 254, 8388608, 4227072, 1);
    ck_assert_uint_eq(mxu_tile_count(&P128, 129, 128), 2);
}
END_TEST

START_TEST(mxu_n_one_past_C_costs_two_tiles)
{
    /* As above with N = 129: useful 256*128*129 = 4227072. */
    struct mxu_timing t;
    mxu_gemm_one(&P128, 256, 128, 129, &t);
    EXPECT_TIMING(t, 895, 2, 512, 128, 254, 8388608, 4227072, 1);
    ck_assert_uint_eq(mxu_tile_count(&P128, 128, 129), 2);
    ck_assert_uint_eq(mxu_tile_count(&P128, 256, 257), 6);
}
END_TEST

START_TEST(mxu_batch1_fc_is_weight_load_bound)
{
    /* M = 1, K = N = 1024: 8 x 8 = 64 tiles, period max(M, R) = 128.
     * total = 2R + C - 1 + M + 63*128 = 256 + 127 + 1 + 8064 = 8448.
     * weight load = R + 63*(R - M) = 128 + 63*127 = 8129; stream 64;
     * fill/drain 254: 64 + 8129 + 254 + 1 = 8448.
     * slots 128*128*64 = 1048576; useful 1*1024*1024 = 1048576. */
    struct mxu_timing t;
    mxu_gemm_one(&P128, 1, 1024, 1024, &t);
    EXPECT_TIMING(t, 8448, 64, 64, 8129, 254, 1048576, 1048576, 1);
    ck_assert_uint_gt(t.weight_load_cycles, t.stream_cycles);
}
END_TEST

START_TEST(mxu_double_buffered_M_below_R_steady_period_is_R)
{
    /* M = 64 < R = 128, K = N = 256: 4 tiles. Tile t+1 loads from
     * stream_start(t), so stream_start(t) = R + t*R = 128, 256, 384, 512;
     * load_start = 0, 128, 256, 384 (each load ends as its stream starts).
     * Last output 512 + 64 + 254 = 830, total 831
     * = 2R + C - 1 + M + 3R = 256 + 127 + 64 + 384.
     * weight load = R + 3*(R - M) = 128 + 192 = 320; stream 4*64 = 256;
     * 256 + 320 + 254 + 1 = 831. */
    static const uint64_t ss[4] = {128, 256, 384, 512};
    static const uint64_t ls[4] = {0, 128, 256, 384};
    for (uint64_t i = 0; i < 4; i++) {
        struct mxu_tile_times x;
        mxu_tile(&P128, 64, 256, 256, i, &x);
        EXPECT_TILE(x, ls[i], ls[i] + 128, ss[i], ss[i] + 64, ss[i] + 128, ss[i] + 64 + 254);
    }
    struct mxu_timing t;
    mxu_gemm_one(&P128, 64, 256, 256, &t);
    /* slots 128*128*256 = 4194304; useful 64*256*256 = 4194304 */
    EXPECT_TIMING(t, 831, 4, 256, 320, 254, 4194304, 4194304, 1);
}
END_TEST

START_TEST(mxu_double_buffered_M_at_least_R_steady_period_is_M)
{
    /* M = 300 >= R, K = 384, N = 128: 3 tiles, period M:
     * stream_start = 128, 428, 728; load_start = 0, 128, 428.
     * Last output 728 + 300 + 254 = 1282, total 1283. Loads all hidden:
     * weight load 128 (the first); stream 900: 900 + 128 + 254 + 1.
     * slots 128*128*900 = 14745600; useful 300*384*128 = 14745600. */
    static const uint64_t ss[3] = {128, 428, 728};
    static const uint64_t ls[3] = {0, 128, 428};
    for (uint64_t i = 0; i < 3; i++) {
        struct mxu_tile_times x;
        mxu_tile(&P128, 300, 384, 128, i, &x);
        EXPECT_TILE(x, ls[i], ls[i] + 128, ss[i], ss[i] + 300, ss[i] + 128, ss[i] + 554);
    }
    struct mxu_timing t;
    mxu_gemm_one(&P128, 300, 384, 128, &t);
    EXPECT_TIMING(t, 1283, 3, 900, 128, 254, 14745600, 14745600, 1);
}
END_TEST

START_TEST(mxu_without_double_buffering_period_is_M_plus_2R_plus_C_minus_2)
{
    /* R = C = 128, M = 256, K = 256, N = 128: 2 tiles, period
     * P = 256 + 256 + 126 = 638. Tile 0: load [0,128), stream [128,384),
     * last output 638. Tile 1 loads once tile 0's last row has crossed:
     * load_start = 384 + 254 = 638, stream [766, 1022), last output
     * 1022 + 254 = 1276; total 1277 = 2P + 1.
     * weight load 2*128 = 256, fill/drain 2*254 = 508, stream 512:
     * 512 + 256 + 508 + 1 = 1277. */
    struct mxu_tile_times x;
    mxu_tile(&P128_NODB, 256, 256, 128, 1, &x);
    EXPECT_TILE(x, 638, 766, 766, 1022, 894, 1276);
    struct mxu_timing t;
    mxu_gemm_one(&P128_NODB, 256, 256, 128, &t);
    /* slots 128*128*512 = 8388608; useful 256*256*128 = 8388608 */
    EXPECT_TIMING(t, 1277, 2, 512, 256, 508, 8388608, 8388608, 1);
}
END_TEST

START_TEST(mxu_output_stationary_small_known_example)
{
    /* R = C = 4, M = 6, K = 3, N = 5: outputs held, so 2 m-tiles x 2
     * n-tiles; nothing loaded; each tile streams K = 3 and drains
     * R + C - 2 = 6: Q = 9. Tile t: stream [9t, 9t + 3), PE(0,0)'s result
     * at 9t + 3, the corner's at 9t + 9. total 4 x 9 + 1 = 37 = stream 12
     * + fill/drain 24 + 1. slots 16*12 = 192; useful 6*3*5 = 90. */
    const struct mxu_params p = {4, 4, 0, MXU_OUTPUT_STATIONARY};
    struct mxu_tile_times x;
    mxu_tile(&p, 6, 3, 5, 0, &x);
    EXPECT_TILE(x, 0, 0, 0, 3, 3, 9);
    mxu_tile(&p, 6, 3, 5, 3, &x);
    EXPECT_TILE(x, 27, 27, 27, 30, 30, 36);
    struct mxu_timing t;
    mxu_gemm_one(&p, 6, 3, 5, &t);
    EXPECT_TIMING(t, 37, 4, 12, 0, 24, 192, 90, 1);
    ck_assert_uint_eq(t.step_cycles, 9);
    /* Shadow accumulators are not modelled: nothing, not a guess. */
    const struct mxu_params db = {4, 4, 1, MXU_OUTPUT_STATIONARY};
    mxu_gemm_one(&db, 6, 3, 5, &t);
    ck_assert_uint_eq(t.total_cycles, 0);
}
END_TEST

START_TEST(mxu_input_stationary_is_the_transposed_ws_array)
{
    /* Inputs held: (M x K)(K x N) runs as the ws array's (N x K)(K x M). */
    for (int db = 0; db < 2; db++) {
        const struct mxu_params is = {8, 5, db, MXU_INPUT_STATIONARY};
        const struct mxu_params ws = {8, 5, db, MXU_WEIGHT_STATIONARY};
        struct mxu_timing a, b;
        mxu_gemm_one(&is, 23, 17, 6, &a);
        mxu_gemm_one(&ws, 6, 17, 23, &b);
        ck_assert_uint_eq(a.total_cycles, b.total_cycles);
        ck_assert_uint_eq(a.tiles, 3 * 5); /* ceil(17/8) x ceil(23/5) */
        ck_assert_uint_eq(a.useful_macs, 23 * 17 * 6);
        struct mxu_tile_times x, y;
        mxu_tile(&is, 23, 17, 6, 7, &x);
        mxu_tile(&ws, 6, 17, 23, 7, &y);
        ck_assert_uint_eq(x.stream_start, y.stream_start);
        ck_assert_uint_eq(x.last_output, y.last_output);
    }
    /* By hand, single-buffered: Q = N + 2R + C - 2 = 6 + 16 + 3 = 25. */
    const struct mxu_params is = {8, 5, 0, MXU_INPUT_STATIONARY};
    struct mxu_timing t;
    mxu_gemm_one(&is, 23, 17, 6, &t);
    ck_assert_uint_eq(t.total_cycles, 15 * 25 + 1);
}
END_TEST

START_TEST(mxu_without_double_buffering_small_known_example)
{
    /* R = C = 4, M = 3, K = 8, N = 4: 2 tiles, P = 3 + 8 + 2 = 13.
     * Tile 0: load [0,4), stream [4,7), first out 8, last out 7 + 6 = 13.
     * Tile 1: load [13,17), stream [17,20), first out 21, last out 26.
     * total 27; weight load 8, fill/drain 12, stream 6: 6 + 8 + 12 + 1.
     * slots 16*6 = 96; useful 3*8*4 = 96. */
    const struct mxu_params p = {4, 4, 0, MXU_WEIGHT_STATIONARY};
    struct mxu_tile_times x;
    mxu_tile(&p, 3, 8, 4, 0, &x);
    EXPECT_TILE(x, 0, 4, 4, 7, 8, 13);
    mxu_tile(&p, 3, 8, 4, 1, &x);
    EXPECT_TILE(x, 13, 17, 17, 20, 21, 26);
    struct mxu_timing t;
    mxu_gemm_one(&p, 3, 8, 4, &t);
    EXPECT_TIMING(t, 27, 2, 6, 8, 12, 96, 96, 1);
}
END_TEST

/* The header's recurrence, literally, one tile after another. */
struct ref_tile {
    uint64_t ls, le, ss, se, fo, lo;
};

static uint64_t max_u64(uint64_t a, uint64_t b)
{
    return a > b ? a : b;
}

static void ref_tiles(uint64_t r, uint64_t c, int db, uint64_t m, uint64_t n_tiles,
                      struct ref_tile *x)
{
    for (uint64_t t = 0; t < n_tiles; t++) {
        const struct ref_tile *prev = t ? &x[t - 1] : NULL;
        if (!prev)
            x[t].ls = 0;
        else if (db)
            x[t].ls = max_u64(prev->le, prev->ss); /* into the shadow registers */
        else
            x[t].ls = prev->se + r + c - 2; /* once the last row has crossed */
        x[t].le = x[t].ls + r;
        x[t].ss = max_u64(x[t].le, prev ? prev->se : 0);
        x[t].se = x[t].ss + m;
        x[t].fo = x[t].ss + r;
        x[t].lo = x[t].se + r + c - 2;
    }
}

/* Walks every cycle 0 .. last output and charges it: streaming if a row
 * enters, else weight load if a load is in progress, else fill/drain. */
static void ref_charge(const struct ref_tile *x, uint64_t n_tiles, uint64_t *stream,
                       uint64_t *wload, uint64_t *fdrain)
{
    uint64_t si = 0, li = 0;
    *stream = *wload = *fdrain = 0;
    for (uint64_t cyc = 0; cyc <= x[n_tiles - 1].lo; cyc++) {
        while (si < n_tiles && x[si].se <= cyc)
            si++;
        while (li < n_tiles && x[li].le <= cyc)
            li++;
        if (si < n_tiles && x[si].ss <= cyc)
            (*stream)++;
        else if (li < n_tiles && x[li].ls <= cyc)
            (*wload)++;
        else
            (*fdrain)++;
    }
}

static uint64_t xorshift64(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *s = x;
}

static uint64_t seed_from_env(void)
{
    const char *e = getenv("TPUSIM_UNITS_SEED");
    uint64_t seed = e && *e ? strtoull(e, NULL, 0) : 0x2545F4914F6CDD1DULL;
    return seed ? seed : 1; /* xorshift's one bad state */
}

START_TEST(mxu_random_small_arrays_match_literal_recurrence_every_tile)
{
    /* 400 shapes on 4x4, 8x8 and odd arrays (1..9 a side), both weight
     * modes: every tile's six boundaries, the total, and the charge of
     * every idle cycle to exactly one cause, against the recurrence. */
    const uint64_t seed = seed_from_env();
    uint64_t s = seed;
    struct ref_tile *x = malloc(2048 * sizeof *x);
    ck_assert_ptr_nonnull(x);
    for (int i = 0; i < 400; i++) {
        uint64_t pick = xorshift64(&s) % 4;
        uint64_t r = pick == 0 ? 4 : pick == 1 ? 8 : 1 + xorshift64(&s) % 9;
        uint64_t c = pick == 0 ? 4 : pick == 1 ? 8 : 1 + xorshift64(&s) % 9;
        int db = (int)(xorshift64(&s) % 2);
        uint64_t m = 1 + xorshift64(&s) % 24;
        uint64_t k = 1 + xorshift64(&s) % 40;
        uint64_t n = 1 + xorshift64(&s) % 40;
        const struct mxu_params p = {r, c, db, MXU_WEIGHT_STATIONARY};
        uint64_t tiles = ((k + r - 1) / r) * ((n + c - 1) / c);
        ck_assert_msg(tiles <= 2048, "seed %#llx: test table too small",
                      (unsigned long long)seed);
        ck_assert_uint_eq(mxu_tile_count(&p, k, n), tiles);
        ref_tiles(r, c, db, m, tiles, x);
        for (uint64_t t = 0; t < tiles; t++) {
            struct mxu_tile_times got;
            mxu_tile(&p, m, k, n, t, &got);
            ck_assert_msg(got.load_start == x[t].ls && got.load_end == x[t].le &&
                              got.stream_start == x[t].ss && got.stream_end == x[t].se &&
                              got.first_output == x[t].fo && got.last_output == x[t].lo,
                          "seed %#llx shape %d: R=%llu C=%llu db=%d M=%llu K=%llu N=%llu "
                          "tile %llu: got load %llu stream %llu..%llu, want load %llu "
                          "stream %llu..%llu",
                          (unsigned long long)seed, i, (unsigned long long)r,
                          (unsigned long long)c, db, (unsigned long long)m,
                          (unsigned long long)k, (unsigned long long)n,
                          (unsigned long long)t, (unsigned long long)got.load_start,
                          (unsigned long long)got.stream_start,
                          (unsigned long long)got.stream_end, (unsigned long long)x[t].ls,
                          (unsigned long long)x[t].ss, (unsigned long long)x[t].se);
        }
        uint64_t stream, wload, fdrain;
        ref_charge(x, tiles, &stream, &wload, &fdrain);
        struct mxu_timing got;
        mxu_gemm_one(&p, m, k, n, &got);
        /* The walk counts the last output cycle as fill/drain: the "+1". */
        ck_assert_msg(got.total_cycles == x[tiles - 1].lo + 1 && got.tiles == tiles &&
                          got.stream_cycles == stream && got.weight_load_cycles == wload &&
                          got.fill_drain_cycles + 1 == fdrain &&
                          got.mac_slots == r * c * m * tiles && got.useful_macs == m * k * n &&
                          got.mxus_used == 1,
                      "seed %#llx shape %d: R=%llu C=%llu db=%d M=%llu K=%llu N=%llu: "
                      "total %llu want %llu, wload %llu want %llu, fd %llu want %llu",
                      (unsigned long long)seed, i, (unsigned long long)r,
                      (unsigned long long)c, db, (unsigned long long)m, (unsigned long long)k,
                      (unsigned long long)n, (unsigned long long)got.total_cycles,
                      (unsigned long long)(x[tiles - 1].lo + 1),
                      (unsigned long long)got.weight_load_cycles, (unsigned long long)wload,
                      (unsigned long long)got.fill_drain_cycles,
                      (unsigned long long)(fdrain - 1));
        /* The same GEMM split over MXUs and passes: the busiest MXU runs
         * passes * k_tiles * ceil(n_tiles / used) tiles back to back. */
        uint64_t n_mxu = 1 + xorshift64(&s) % 5, passes = 1 + xorshift64(&s) % 3;
        uint64_t k_tiles = (k + r - 1) / r, n_tiles = (n + c - 1) / c;
        uint64_t used = n_mxu < n_tiles ? n_mxu : n_tiles;
        uint64_t busy = passes * k_tiles * ((n_tiles + used - 1) / used);
        ck_assert_msg(busy <= 2048, "seed %#llx: test table too small",
                      (unsigned long long)seed);
        ref_tiles(r, c, db, m, busy, x);
        ref_charge(x, busy, &stream, &wload, &fdrain);
        mxu_gemm(&p, n_mxu, passes, m, k, n, &got);
        ck_assert_msg(got.total_cycles == x[busy - 1].lo + 1 && got.tiles == busy &&
                          got.stream_cycles == stream && got.weight_load_cycles == wload &&
                          got.fill_drain_cycles + 1 == fdrain && got.mxus_used == used &&
                          got.mac_slots == r * c * m * passes * k_tiles * n_tiles &&
                          got.useful_macs == m * k * n,
                      "seed %#llx shape %d: R=%llu C=%llu db=%d M=%llu K=%llu N=%llu "
                      "mxus=%llu passes=%llu: total %llu want %llu",
                      (unsigned long long)seed, i, (unsigned long long)r,
                      (unsigned long long)c, db, (unsigned long long)m, (unsigned long long)k,
                      (unsigned long long)n, (unsigned long long)n_mxu,
                      (unsigned long long)passes, (unsigned long long)got.total_cycles,
                      (unsigned long long)(x[busy - 1].lo + 1));
    }
    free(x);
}
END_TEST

START_TEST(mxu_four_mxus_split_eight_n_tiles_two_each)
{
    /* M = 256, K = 128, N = 1024: 8 n-tiles, 4 MXUs, 2 tiles each:
     * total as two tiles on one MXU = 895 (see k_one_past_R).
     * slots over all MXUs 128*128*256*8 = 33554432; useful 256*128*1024. */
    struct mxu_timing t;
    mxu_gemm(&P128, 4, 1, 256, 128, 1024, &t);
    EXPECT_TIMING(t, 895, 2, 512, 128, 254, 33554432, 33554432, 4);
}
END_TEST

START_TEST(mxu_five_n_tiles_on_four_mxus_busiest_has_two)
{
    /* N = 640: 5 n-tiles over 4 MXUs -> 2,1,1,1: the busiest runs 2 tiles
     * (895 cycles). slots 128*128*256*5 = 20971520 = useful 256*128*640. */
    struct mxu_timing t;
    mxu_gemm(&P128, 4, 1, 256, 128, 640, &t);
    EXPECT_TIMING(t, 895, 2, 512, 128, 254, 20971520, 20971520, 4);
}
END_TEST

START_TEST(mxu_fewer_n_tiles_than_mxus_uses_only_n_tiles_mxus)
{
    /* N = 256: 2 n-tiles on 4 MXUs: 2 used, 1 tile each: 639 cycles;
     * slots 2*4194304 = 8388608 = useful 256*128*256. */
    struct mxu_timing t;
    mxu_gemm(&P128, 4, 1, 256, 128, 256, &t);
    EXPECT_TIMING(t, 639, 1, 256, 128, 254, 8388608, 8388608, 2);
    /* k-tiles stay with their n-tile: K = 256, N = 512 on 4 MXUs is one
     * n-tile of 2 k-tiles each: 895. slots 128*128*256*8 = 33554432;
     * useful 256*256*512 = 33554432. */
    mxu_gemm(&P128, 4, 1, 256, 256, 512, &t);
    EXPECT_TIMING(t, 895, 2, 512, 128, 254, 33554432, 33554432, 4);
}
END_TEST

START_TEST(mxu_passes_run_back_to_back_with_one_drain)
{
    /* fp32 as 3 bf16 passes of a one-tile GEMM (M = 256): 3 tiles,
     * total = 2R + C - 1 + M + 2*M = 639 + 512 = 1151; stream 768,
     * weight load 128 (hidden after the first), one fill/drain 254:
     * 768 + 128 + 254 + 1 = 1151. slots 3*4194304 = 12582912; useful
     * stays M*K*N = 4194304. */
    struct mxu_timing t;
    mxu_gemm(&P128, 1, 3, 256, 128, 128, &t);
    EXPECT_TIMING(t, 1151, 3, 768, 128, 254, 12582912, 4194304, 1);
    /* M = 64 < R: each pass's load is exposed by R - M = 64:
     * total 256 + 127 + 64 + 2*128 = 703; weight load 128 + 2*64 = 256;
     * stream 192: 192 + 256 + 254 + 1 = 703. slots 128*128*192 = 3145728;
     * useful 64*128*128 = 1048576. */
    mxu_gemm(&P128, 1, 3, 64, 128, 128, &t);
    EXPECT_TIMING(t, 703, 3, 192, 256, 254, 3145728, 1048576, 1);
}
END_TEST

START_TEST(mxu_passes_for_dtype_follow_chip)
{
    struct chip c;
    tpu_v3_like(&c);
    ck_assert_int_eq(mxu_passes_for(&c, TPUSIM_DT_BFLOAT16), 1);
    ck_assert_int_eq(mxu_passes_for(&c, TPUSIM_DT_FLOAT16), 1);
    ck_assert_int_eq(mxu_passes_for(&c, TPUSIM_DT_INT8), 1);
    ck_assert_int_eq(mxu_passes_for(&c, TPUSIM_DT_UINT8), 1);
    ck_assert_int_eq(mxu_passes_for(&c, TPUSIM_DT_FLOAT32), 3); /* mxu_fp32_passes */
    ck_assert_int_eq(mxu_passes_for(&c, TPUSIM_DT_INT32), 0);
    ck_assert_int_eq(mxu_passes_for(&c, TPUSIM_DT_FLOAT64), 0);
    ck_assert_int_eq(mxu_passes_for(&c, TPUSIM_DT_UNDEFINED), 0);
    c.mxu_int8_macs_per_pe_per_cycle = 2; /* still one pass: documented */
    ck_assert_int_eq(mxu_passes_for(&c, TPUSIM_DT_INT8), 1);
    c.mxu_fp32_passes = 0;
    ck_assert_int_eq(mxu_passes_for(&c, TPUSIM_DT_FLOAT32), 0);
    /* int8-only array: no bf16, no fp32 even if a pass count were set. */
    edge_like(&c);
    ck_assert_int_eq(mxu_passes_for(&c, TPUSIM_DT_INT8), 1);
    ck_assert_int_eq(mxu_passes_for(&c, TPUSIM_DT_UINT8), 1);
    ck_assert_int_eq(mxu_passes_for(&c, TPUSIM_DT_BFLOAT16), 0);
    ck_assert_int_eq(mxu_passes_for(&c, TPUSIM_DT_FLOAT16), 0);
    c.mxu_fp32_passes = 3;
    ck_assert_int_eq(mxu_passes_for(&c, TPUSIM_DT_FLOAT32), 0);
}
END_TEST

START_TEST(mxu_params_come_from_chip)
{
    struct chip c;
    tpu_v3_like(&c);
    struct mxu_params p = mxu_params_of(&c);
    ck_assert_uint_eq(p.rows, 128);
    ck_assert_uint_eq(p.cols, 128);
    ck_assert_int_eq(p.double_buffered, 1);
    edge_like(&c);
    p = mxu_params_of(&c);
    ck_assert_uint_eq(p.rows, 64);
    ck_assert_uint_eq(p.cols, 64);
    ck_assert_int_eq(p.double_buffered, 0);
    /* A negative size is no array: every GEMM on it is all zero. */
    c.mxu_rows = -1;
    p = mxu_params_of(&c);
    ck_assert_uint_eq(p.rows, 0);
    struct mxu_timing t;
    mxu_gemm_one(&p, 8, 8, 8, &t);
    EXPECT_TIMING(t, 0, 0, 0, 0, 0, 0, 0, 0);
}
END_TEST

START_TEST(mxu_zero_sizes_cost_nothing)
{
    struct mxu_timing t;
    struct mxu_tile_times x;
    const uint64_t shapes[3][3] = {{0, 128, 128}, {256, 0, 128}, {256, 128, 0}};
    for (int i = 0; i < 3; i++) {
        mxu_gemm_one(&P128, shapes[i][0], shapes[i][1], shapes[i][2], &t);
        EXPECT_TIMING(t, 0, 0, 0, 0, 0, 0, 0, 0);
        mxu_gemm(&P128_NODB, 4, 3, shapes[i][0], shapes[i][1], shapes[i][2], &t);
        EXPECT_TIMING(t, 0, 0, 0, 0, 0, 0, 0, 0);
        mxu_tile(&P128, shapes[i][0], shapes[i][1], shapes[i][2], 0, &x);
        EXPECT_TILE(x, 0, 0, 0, 0, 0, 0);
    }
    ck_assert_uint_eq(mxu_tile_count(&P128, 0, 128), 0);
    /* No MXU, or zero passes (unsupported dtype): nothing runs. */
    mxu_gemm(&P128, 0, 1, 256, 128, 128, &t);
    EXPECT_TIMING(t, 0, 0, 0, 0, 0, 0, 0, 0);
    mxu_gemm(&P128, 4, 0, 256, 128, 128, &t);
    EXPECT_TIMING(t, 0, 0, 0, 0, 0, 0, 0, 0);
    const struct mxu_params none = {0, 128, 1, MXU_WEIGHT_STATIONARY};
    mxu_gemm_one(&none, 256, 128, 128, &t);
    EXPECT_TIMING(t, 0, 0, 0, 0, 0, 0, 0, 0);
}
END_TEST

START_TEST(mxu_overflow_saturates_at_uint64_max)
{
    /* M = K = N = 2^47 on 128x128: 2^40 x 2^40 = 2^80 tiles, 2^141 MACs:
     * everything saturates. */
    const uint64_t big = (uint64_t)1 << 47;
    struct mxu_timing t;
    mxu_gemm_one(&P128, big, big, big, &t);
    EXPECT_TIMING(t, UINT64_MAX, UINT64_MAX, UINT64_MAX, 128, 254, UINT64_MAX, UINT64_MAX, 1);
    mxu_gemm_one(&P128_NODB, big, big, big, &t);
    ck_assert_uint_eq(t.total_cycles, UINT64_MAX);
    ck_assert_uint_eq(t.weight_load_cycles, UINT64_MAX);
    ck_assert_uint_eq(t.fill_drain_cycles, UINT64_MAX);
    ck_assert_uint_eq(mxu_tile_count(&(struct mxu_params){1, 1, 1, MXU_WEIGHT_STATIONARY}, UINT64_MAX, 2),
                      UINT64_MAX);
    /* A tile far out: 128 + 2^62 * 256 overflows. */
    struct mxu_tile_times x;
    mxu_tile(&P128, 256, big, big, (uint64_t)1 << 62, &x);
    EXPECT_TILE(x, UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX);
    /* Large but representable stays exact: M = 2^40, one tile:
     * total 2R + C - 1 + M = 383 + 2^40; slots 2^14 * 2^40 = 2^54;
     * useful 2^40 * 2^7 * 2^7 = 2^54. */
    const uint64_t m = (uint64_t)1 << 40;
    mxu_gemm_one(&P128, m, 128, 128, &t);
    EXPECT_TIMING(t, 383 + m, 1, m, 128, 254, (uint64_t)1 << 54, (uint64_t)1 << 54, 1);
}
END_TEST

START_TEST(double_to_cycles_saturates_without_undefined_casts)
{
    /* ceil_cycles(inf) computed inf - inf = NaN and cast it to uint64_t
     * (undefined; 2^63 on x86); casts of doubles past 2^64 likewise. */
    ck_assert_uint_eq(ceil_cycles(INFINITY), UINT64_MAX);
    ck_assert_uint_eq(ceil_cycles(1e300), UINT64_MAX);
    ck_assert_uint_eq(ceil_cycles(18446744073709551616.0), UINT64_MAX);
    ck_assert_uint_eq(ceil_cycles(NAN), 0);
    ck_assert_uint_eq(ceil_cycles(-INFINITY), 0);
    ck_assert_uint_eq(ceil_cycles(2.5), 3);
    ck_assert_uint_eq(ceil_cycles(10 * 0.1), 1);
    ck_assert_uint_eq(ceil_cycles(9007199254740.5), UINT64_C(9007199254741));
    ck_assert_uint_eq(sat_from_double(INFINITY), UINT64_MAX);
    ck_assert_uint_eq(sat_from_double(1e20), UINT64_MAX);
    ck_assert_uint_eq(sat_from_double(NAN), 0);
    ck_assert_uint_eq(sat_from_double(-3.5), 0);
    ck_assert_uint_eq(sat_from_double(3.99), 3);
    ck_assert_uint_eq(sat_from_double(9007199254740991.0), UINT64_C(9007199254740991));
}
END_TEST

/* ---------------------------------------------------------------- VPU */

START_TEST(vpu_vector_is_lanes_times_sublanes)
{
    struct chip c;
    tpu_v3_like(&c);
    ck_assert_uint_eq(vpu_vector_elems(&c), 1024); /* 128 x 8 */
    edge_like(&c);
    ck_assert_uint_eq(vpu_vector_elems(&c), 64); /* 64 x 1 */
    c.vpu_lanes = 0;
    ck_assert_uint_eq(vpu_vector_elems(&c), 0);
}
END_TEST

START_TEST(vpu_partial_vector_costs_a_whole_one)
{
    /* 1024 elements per vector, add costs 1 cycle per vector. */
    struct chip c;
    tpu_v3_like(&c);
    ck_assert_uint_eq(vpu_op_cycles(&c, VPU_ADD, 0), 0);
    ck_assert_uint_eq(vpu_op_cycles(&c, VPU_ADD, 1), 1);
    ck_assert_uint_eq(vpu_op_cycles(&c, VPU_ADD, 1024), 1);
    ck_assert_uint_eq(vpu_op_cycles(&c, VPU_ADD, 1025), 2);
    ck_assert_uint_eq(vpu_op_cycles(&c, VPU_MUL, 10240), 10);
}
END_TEST

START_TEST(vpu_transcendental_costs_its_table_entry_per_vector)
{
    /* sigmoid 6 cycles/vector: 1 element -> 6; 2049 -> 3 vectors -> 18.
     * exp 4: 4096 -> 4 vectors -> 16. relu (add class) on the same 4096:
     * 4, so swish's gate costs 4-6x its ReLU alternative. */
    struct chip c;
    tpu_v3_like(&c);
    ck_assert_uint_eq(vpu_op_cycles(&c, VPU_SIGMOID, 1), 6);
    ck_assert_uint_eq(vpu_op_cycles(&c, VPU_SIGMOID, 2049), 18);
    ck_assert_uint_eq(vpu_op_cycles(&c, VPU_EXP, 4096), 16);
    ck_assert_uint_eq(vpu_op_cycles(&c, VPU_ADD, 4096), 4);
}
END_TEST

START_TEST(vpu_fractional_cost_rounds_up_once_after_multiplying)
{
    struct chip c;
    tpu_v3_like(&c);
    /* 0.5 cycles/vector: 3 vectors (3072 elements) -> ceil(1.5) = 2;
     * 4 vectors -> 2; 1 vector -> ceil(0.5) = 1. */
    c.vpu_cycles_per_vector[VPU_EXP] = 0.5;
    ck_assert_uint_eq(vpu_op_cycles(&c, VPU_EXP, 3072), 2);
    ck_assert_uint_eq(vpu_op_cycles(&c, VPU_EXP, 4096), 2);
    ck_assert_uint_eq(vpu_op_cycles(&c, VPU_EXP, 1), 1);
    /* 2.5 x 3 vectors = 7.5 -> 8 (not 3 x ceil(2.5) = 9). */
    c.vpu_cycles_per_vector[VPU_TANH] = 2.5;
    ck_assert_uint_eq(vpu_op_cycles(&c, VPU_TANH, 3 * 1024), 8);
    /* 1.1 x 50 vectors = 55 on paper; in doubles 55.00000000000001,
     * which must not become 56. 1.1 x 51 = 56.1 -> 57. */
    c.vpu_cycles_per_vector[VPU_DIV] = 1.1;
    ck_assert_uint_eq(vpu_op_cycles(&c, VPU_DIV, 50 * 1024), 55);
    ck_assert_uint_eq(vpu_op_cycles(&c, VPU_DIV, 51 * 1024), 57);
}
END_TEST

START_TEST(vpu_without_lanes_or_unknown_op_cannot_run)
{
    struct chip c;
    tpu_v3_like(&c);
    ck_assert_uint_eq(vpu_op_cycles(&c, VPU_OP_COUNT, 10), UINT64_MAX);
    c.vpu_sublanes = 0;
    ck_assert_uint_eq(vpu_op_cycles(&c, VPU_ADD, 10), UINT64_MAX);
    ck_assert_uint_eq(vpu_op_cycles(&c, VPU_ADD, 0), 0);
}
END_TEST

START_TEST(vpu_op_cycles_saturate)
{
    /* UINT64_MAX elements = 2^54 vectors (rounded up). At 4 cycles: 2^56,
     * exact. At 2000: > 2^64, saturates; at 1500.5 (double path) too. */
    struct chip c;
    tpu_v3_like(&c);
    ck_assert_uint_eq(vpu_op_cycles(&c, VPU_EXP, UINT64_MAX), (uint64_t)1 << 56);
    c.vpu_cycles_per_vector[VPU_EXP] = 2000.0;
    ck_assert_uint_eq(vpu_op_cycles(&c, VPU_EXP, UINT64_MAX), UINT64_MAX);
    c.vpu_cycles_per_vector[VPU_EXP] = 1500.5;
    ck_assert_uint_eq(vpu_op_cycles(&c, VPU_EXP, UINT64_MAX), UINT64_MAX);
}
END_TEST

START_TEST(vpu_vmem_is_bytes_over_bandwidth_rounded_up)
{
    /* 256 bytes/cycle: 1000 -> ceil(3.906) = 4; 1024 -> 4; 1025 -> 5. */
    struct chip c;
    tpu_v3_like(&c);
    ck_assert_uint_eq(vpu_vmem_cycles(&c, 0), 0);
    ck_assert_uint_eq(vpu_vmem_cycles(&c, 1000), 4);
    ck_assert_uint_eq(vpu_vmem_cycles(&c, 1024), 4);
    ck_assert_uint_eq(vpu_vmem_cycles(&c, 1025), 5);
    /* No vmem bandwidth in the chip file: not modelled, 0 cycles. */
    c.vpu_vmem_bytes_per_cycle = 0;
    ck_assert_uint_eq(vpu_vmem_cycles(&c, 1000), 0);
}
END_TEST

/* ------------------------------------------------------------- memory */

START_TEST(hbm_transfer_is_latency_plus_bytes_over_bandwidth)
{
    /* 900 GB/s at 940 MHz = 957.4468 bytes/cycle; latency 470 cycles.
     * 1 byte: 1 + 470 = 471. 957 bytes: ceil(0.9995) = 1; 958: 2.
     * 1 MiB = 1048576 / 957.4468 = 1095.18 -> 1096; + 470 = 1566.
     * 900000 bytes = 900000 * 940e6 / 900e9 = 940 exactly: not 941. */
    struct chip c;
    tpu_v3_like(&c);
    ck_assert_uint_eq(hbm_transfer_cycles(&c, 0), 0);
    ck_assert_uint_eq(hbm_stream_cycles(&c, 0), 0);
    ck_assert_uint_eq(hbm_transfer_cycles(&c, 1), 471);
    ck_assert_uint_eq(hbm_stream_cycles(&c, 1), 1);
    ck_assert_uint_eq(hbm_stream_cycles(&c, 957), 1);
    ck_assert_uint_eq(hbm_stream_cycles(&c, 958), 2);
    ck_assert_uint_eq(hbm_stream_cycles(&c, 1048576), 1096);
    ck_assert_uint_eq(hbm_transfer_cycles(&c, 1048576), 1566);
    ck_assert_uint_eq(hbm_stream_cycles(&c, 900000), 940);
    ck_assert_uint_eq(hbm_transfer_cycles(&c, 900000), 1410);
}
END_TEST

START_TEST(hbm_without_dram_never_finishes)
{
    /* Edge-like: no DRAM. Any bytes -> UINT64_MAX (route elsewhere);
     * nothing moved -> 0. */
    struct chip c;
    edge_like(&c);
    ck_assert_uint_eq(hbm_transfer_cycles(&c, 1), UINT64_MAX);
    ck_assert_uint_eq(hbm_stream_cycles(&c, 1), UINT64_MAX);
    ck_assert_uint_eq(hbm_transfer_cycles(&c, 0), 0);
    ck_assert_uint_eq(hbm_stream_cycles(&c, 0), 0);
}
END_TEST

START_TEST(host_link_is_latency_plus_overheads_plus_bytes)
{
    /* 2 bytes/cycle, latency 5000, 1000 per transfer, no transfer size
     * limit: one DMA is one transfer. */
    struct chip c;
    edge_like(&c);
    ck_assert_uint_eq(host_link_cycles(&c, 0), 0);
    ck_assert_uint_eq(host_link_transfers(&c, 0), 0);
    ck_assert_uint_eq(host_link_transfers(&c, 1000000), 1);
    ck_assert_uint_eq(host_link_cycles(&c, 3), 6002);        /* 5000 + 1000 + ceil(1.5) */
    ck_assert_uint_eq(host_link_cycles(&c, 1000000), 506000); /* 5000 + 1000 + 500000 */
    ck_assert_uint_eq(host_link_hold_cycles(&c, 1000000), 501000); /* latency is not held */
    /* Streaming (the engine's pipeline stage): bytes only, no fixed costs. */
    ck_assert_uint_eq(host_link_stream_cycles(&c, 0), 0);
    ck_assert_uint_eq(host_link_stream_cycles(&c, 3), 2); /* ceil(1.5) */
    /* 0.7 bytes/cycle: 21 bytes = 30 cycles on paper (30.000000000000004
     * in doubles): 5000 + 1000 + 30 = 6030. 22 bytes: ceil(31.43) = 32. */
    c.host_link_bytes_per_cycle = 0.7;
    ck_assert_uint_eq(host_link_cycles(&c, 21), 6030);
    ck_assert_uint_eq(host_link_cycles(&c, 22), 6032);
    /* No link: bytes cannot move. */
    c.host_link_bytes_per_cycle = 0;
    ck_assert_uint_eq(host_link_cycles(&c, 1), UINT64_MAX);
}
END_TEST

START_TEST(host_link_cuts_a_dma_into_transfers_that_overlap_when_in_flight)
{
    /* 2 bytes/cycle, 1000 cycles per transfer, transfers of at most 1 MiB
     * (libedgetpu's USB bulk-out size). 3 MiB + 100 bytes: 4 transfers,
     * the last of 100 bytes; all the bytes take ceil(3145828 / 2) =
     * 1572914 cycles, one full transfer 524288. */
    struct chip c;
    edge_like(&c);
    c.host_link_max_transfer_bytes = 1048576;
    uint64_t bytes = 3 * UINT64_C(1048576) + 100;
    ck_assert_uint_eq(host_link_transfers(&c, bytes), 4);
    ck_assert_uint_eq(host_link_transfers(&c, 1048576), 1);
    ck_assert_uint_eq(host_link_transfers(&c, 1048577), 2);
    /* One in flight (libedgetpu on macOS): each transfer's overhead, then
     * its bytes: 4 x 1000 + 1572914. */
    c.host_link_transfers_in_flight = 1;
    ck_assert_uint_eq(host_link_hold_cycles(&c, bytes), 1576914);
    /* Three in flight: the next is submitted while the link moves the
     * last, so only the first overhead shows: 1000 + 1572914. */
    c.host_link_transfers_in_flight = 3;
    ck_assert_uint_eq(host_link_hold_cycles(&c, bytes), 1573914);
    ck_assert_uint_eq(host_link_cycles(&c, bytes), 5000 + 1573914);
    /* A host slower to submit (600000 cycles) than a transfer moves
     * (524288): the host paces it, 4 x 600000 + the last 100 bytes (50). */
    c.host_link_overhead_cycles = 600000;
    ck_assert_uint_eq(host_link_hold_cycles(&c, bytes), 2400050);
    /* One transfer: in flight or not, overhead + bytes. */
    ck_assert_uint_eq(host_link_hold_cycles(&c, 1000), 600500);
}
END_TEST

START_TEST(memory_cycles_saturate)
{
    struct chip c;
    edge_like(&c);
    /* UINT64_MAX bytes at 0.5 bytes/cycle = 2^65 cycles: saturates. */
    c.host_link_bytes_per_cycle = 0.5;
    ck_assert_uint_eq(host_link_cycles(&c, UINT64_MAX), UINT64_MAX);
    /* Streamed alone it saturates too, not UINT64_MAX - latency (the
     * engine's old "total minus latency"). */
    ck_assert_uint_eq(host_link_stream_cycles(&c, UINT64_MAX), UINT64_MAX);
    /* 2^64 - 1 one-byte transfers x 1000 overhead: saturates. */
    c.host_link_max_transfer_bytes = 1;
    ck_assert_uint_eq(host_link_hold_cycles(&c, UINT64_MAX), UINT64_MAX);
    c.host_link_transfers_in_flight = 3;
    ck_assert_uint_eq(host_link_hold_cycles(&c, UINT64_MAX), UINT64_MAX);
    c.host_link_max_transfer_bytes = 0;
    c.hbm_bytes_per_cycle = 0.5;
    c.hbm_latency_cycles = 100;
    ck_assert_uint_eq(hbm_stream_cycles(&c, UINT64_MAX), UINT64_MAX);
    ck_assert_uint_eq(hbm_transfer_cycles(&c, UINT64_MAX), UINT64_MAX);
}
END_TEST

Suite *units_suite(void)
{
    Suite *s = suite_create("units");
    TCase *mxu = tcase_create("mxu");
    tcase_add_test(mxu, mxu_single_tile_total_is_2R_plus_M_plus_C_minus_1);
    tcase_add_test(mxu, mxu_output_stationary_small_known_example);
    tcase_add_test(mxu, mxu_input_stationary_is_the_transposed_ws_array);
    tcase_add_test(mxu, mxu_k_one_past_R_costs_two_tiles);
    tcase_add_test(mxu, mxu_n_one_past_C_costs_two_tiles);
    tcase_add_test(mxu, mxu_batch1_fc_is_weight_load_bound);
    tcase_add_test(mxu, mxu_double_buffered_M_below_R_steady_period_is_R);
    tcase_add_test(mxu, mxu_double_buffered_M_at_least_R_steady_period_is_M);
    tcase_add_test(mxu, mxu_without_double_buffering_period_is_M_plus_2R_plus_C_minus_2);
    tcase_add_test(mxu, mxu_without_double_buffering_small_known_example);
    tcase_add_test(mxu, mxu_random_small_arrays_match_literal_recurrence_every_tile);
    tcase_add_test(mxu, mxu_four_mxus_split_eight_n_tiles_two_each);
    tcase_add_test(mxu, mxu_five_n_tiles_on_four_mxus_busiest_has_two);
    tcase_add_test(mxu, mxu_fewer_n_tiles_than_mxus_uses_only_n_tiles_mxus);
    tcase_add_test(mxu, mxu_passes_run_back_to_back_with_one_drain);
    tcase_add_test(mxu, mxu_passes_for_dtype_follow_chip);
    tcase_add_test(mxu, mxu_params_come_from_chip);
    tcase_add_test(mxu, mxu_zero_sizes_cost_nothing);
    tcase_add_test(mxu, mxu_overflow_saturates_at_uint64_max);
    tcase_add_test(mxu, double_to_cycles_saturates_without_undefined_casts);
    suite_add_tcase(s, mxu);

    TCase *vpu = tcase_create("vpu");
    tcase_add_test(vpu, vpu_vector_is_lanes_times_sublanes);
    tcase_add_test(vpu, vpu_partial_vector_costs_a_whole_one);
    tcase_add_test(vpu, vpu_transcendental_costs_its_table_entry_per_vector);
    tcase_add_test(vpu, vpu_fractional_cost_rounds_up_once_after_multiplying);
    tcase_add_test(vpu, vpu_without_lanes_or_unknown_op_cannot_run);
    tcase_add_test(vpu, vpu_op_cycles_saturate);
    tcase_add_test(vpu, vpu_vmem_is_bytes_over_bandwidth_rounded_up);
    suite_add_tcase(s, vpu);

    TCase *mem = tcase_create("memory");
    tcase_add_test(mem, hbm_transfer_is_latency_plus_bytes_over_bandwidth);
    tcase_add_test(mem, hbm_without_dram_never_finishes);
    tcase_add_test(mem, host_link_is_latency_plus_overheads_plus_bytes);
    tcase_add_test(mem, host_link_cuts_a_dma_into_transfers_that_overlap_when_in_flight);
    tcase_add_test(mem, memory_cycles_saturate);
    suite_add_tcase(s, mem);
    return s;
}
