/*
 * test_sched.c — the two engines (sim/scheduler.h): on one op alone they
 * agree to the cycle, over random shapes on every chip; schedules worked by
 * hand from the chip's parameters; cores that share HBM; weights prefetched
 * across ops; every cycle of every op and unit accounted for; HBM never
 * above its bandwidth.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cycles.h"
#include "engine.h"
#include "matrix_unit.h"
#include "sched_event.h"
#include "scheduler.h"
#include "suites.h"
#include "testutil.h"

static const char *const CHIPS[] = {"tpu_v2", "tpu_v3", "tpu_v4i", "edgetpu", "edgetpu_pcie",
                                     "gpu_v100"};
#define N_CHIPS (sizeof CHIPS / sizeof CHIPS[0])

static void sim_dt(const tpusim_graph *g, const struct chip *c, enum engine_kind e, int cores,
                   tpusim_dtype dt, struct sim_result *r)
{
    char err[1024];
    struct sim_options o = {.cores = cores, .engine = e, .dtype = dt,
                            .stack = tu_default_stack(c)};
    int rc = simulate(g, c, &o, r, err, sizeof err);
    ck_assert_msg(rc == TPUSIM_OK, "simulate on %s: %s", c->name, err);
}

static void sim_ok(const tpusim_graph *g, const struct chip *c, enum engine_kind e, int cores,
                   struct sim_result *r)
{
    sim_dt(g, c, e, cores, TPUSIM_DT_UNDEFINED, r);
}

/* Both engines, one core, in dtype dt: each takes `want` cycles and
 * names `bound` as the op's largest cause (a hand-worked single op). */
static void both_engines_take(const tpusim_graph *g, const struct chip *c, tpusim_dtype dt,
                              uint64_t want, enum cause bound)
{
    for (int e = ENGINE_FAST; e <= ENGINE_EVENT; e++) {
        struct sim_result r;
        sim_dt(g, c, (enum engine_kind)e, 1, dt, &r);
        ck_assert_msg(r.sum.cycles == want, "%s engine: %llu cycles, want %llu",
                      e == ENGINE_EVENT ? "event" : "fast", (unsigned long long)r.sum.cycles,
                      (unsigned long long)want);
        if (e == ENGINE_EVENT)
            ck_assert_int_eq(r.ops[0].bound, bound);
        sim_result_free(&r);
    }
}

/* A deterministic generator (xorshift64*), seeded per test. */
static uint64_t rnd(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * UINT64_C(2685821657736338717);
}

static int64_t pick(uint64_t *s, int64_t lo, int64_t hi)
{
    return lo + (int64_t)(rnd(s) % (uint64_t)(hi - lo + 1));
}

/* One op of a random kind and shape, its inputs model inputs in HBM;
 * batch1: convolutions take one image (the Edge TPU's compiler maps no
 * larger batch). */
static tpusim_graph *random_op(uint64_t *s, bool batch1, char *what, size_t len)
{
    tpusim_graph *g = tu_new();
    switch (rnd(s) % 6) {
    case 0: { /* a GEMM, from batch-1 vectors to long row streams */
        int64_t m = pick(s, 0, 1) ? pick(s, 1, 300) : pick(s, 300, 60000);
        int64_t k = pick(s, 1, 2500), n = pick(s, 1, 2500);
        tu_input(g, "x", 2, TU_DIMS(m, k));
        tu_weight(g, "w", 2, TU_DIMS(k, n));
        tu_op(g, "MatMul", "op", "x,w", "y");
        snprintf(what, len, "MatMul %lldx%lldx%lld", (long long)m, (long long)k, (long long)n);
        break;
    }
    case 1: { /* a convolution: dense, grouped or depthwise */
        int64_t b = batch1 ? 1 : pick(s, 1, 8), c = pick(s, 1, 6) * 16, hw = pick(s, 7, 112);
        int64_t kk = 1 + 2 * pick(s, 0, 2), st = pick(s, 1, 2);
        int64_t groups = rnd(s) % 3 == 0 ? c : 1, out = groups > 1 ? c : pick(s, 1, 8) * 32;
        tu_input(g, "x", 4, TU_DIMS(b, c, hw, hw));
        tu_weight(g, "w", 4, TU_DIMS(out, c / groups, kk, kk));
        tu_op(g, "Conv", "op", "x,w", "y");
        tu_attr_ints(g, "kernel_shape", 2, TU_DIMS(kk, kk));
        tu_attr_ints(g, "strides", 2, TU_DIMS(st, st));
        tu_attr_ints(g, "pads", 4, TU_DIMS(kk / 2, kk / 2, kk / 2, kk / 2));
        tu_attr_int(g, "group", groups);
        snprintf(what, len, "Conv %lldx%lldx%lldx%lld k%lld s%lld g%lld -> %lld", (long long)b,
                 (long long)c, (long long)hw, (long long)hw, (long long)kk, (long long)st,
                 (long long)groups, (long long)out);
        break;
    }
    case 2: { /* a streaming elementwise op, up to a few hundred tiles */
        int64_t n = pick(s, 1, 1) << pick(s, 4, 25);
        n += pick(s, 0, 1000);
        tu_input(g, "a", 1, TU_DIMS(n));
        tu_input(g, "b", 1, TU_DIMS(n));
        tu_op(g, "Add", "op", "a,b", "y");
        snprintf(what, len, "Add %lld", (long long)n);
        break;
    }
    case 3: { /* softmax rows */
        int64_t r = pick(s, 1, 4096), c = pick(s, 2, 4096);
        tu_input(g, "x", 2, TU_DIMS(r, c));
        tu_op(g, "Softmax", "op", "x", "y");
        snprintf(what, len, "Softmax %lldx%lld", (long long)r, (long long)c);
        break;
    }
    case 4: { /* attention scores: both operands activations, one GEMM per head */
        int64_t h = pick(s, 1, 16), q = pick(s, 1, 512), d = pick(s, 8, 128);
        tu_input(g, "a", 3, TU_DIMS(h, q, d));
        tu_input(g, "b", 3, TU_DIMS(h, d, q));
        tu_op(g, "MatMul", "op", "a,b", "y");
        snprintf(what, len, "MatMul %lld heads %lldx%lldx%lld", (long long)h, (long long)q,
                 (long long)d, (long long)q);
        break;
    }
    default: { /* an LSTM: serial steps */
        int64_t t = pick(s, 1, 64), b = pick(s, 1, 16), in = pick(s, 8, 256),
                hid = pick(s, 8, 512);
        tu_input(g, "x", 3, TU_DIMS(t, b, in));
        tu_weight(g, "w", 3, TU_DIMS(1, 4 * hid, in));
        tu_weight(g, "r", 3, TU_DIMS(1, 4 * hid, hid));
        tu_op(g, "LSTM", "op", "x,w,r", "y");
        tu_attr_int(g, "hidden_size", hid);
        snprintf(what, len, "LSTM t%lld b%lld in%lld h%lld", (long long)t, (long long)b,
                 (long long)in, (long long)hid);
        break;
    }
    }
    tu_finalize_ok(g);
    return g;
}

START_TEST(engines_agree_on_one_op_of_random_shape_on_every_chip)
{
    /* The fast engine steps an op until its schedule repeats and jumps;
     * the event engine runs every tile. Alone, an op's time must be the
     * same to the cycle, whatever the regime: HBM and latency are varied
     * around each chip's own values. TPUSIM_SCHED_SEED reruns a seed. */
    const char *env = getenv("TPUSIM_SCHED_SEED");
    uint64_t seed = env ? strtoull(env, NULL, 0) : UINT64_C(0x5c4ed0e7e27);
    uint64_t s = seed;
    static const char *const bw[] = {NULL, "hbm.bandwidth_gbps=60", "hbm.bandwidth_gbps=4000"};
    static const char *const lat[] = {NULL, "hbm.latency_ns=5", "hbm.latency_ns=5000"};
    /* Chips without DRAM: the host link's transfers, one at a time or
     * paced by a slow host. */
    static const char *const link[] = {NULL, "host_link.transfers_in_flight=1",
                                       "host_link.overhead_us_per_transfer=3000"};
    int trials = 0, jumped = 0;
    for (int t = 0; t < 240; t++) {
        const char *chip = CHIPS[rnd(&s) % N_CHIPS];
        const char *sets[2];
        int n_sets = 0;
        bool dram = strncmp(chip, "edgetpu", 7) != 0;
        const char *b = bw[rnd(&s) % 3], *l = lat[rnd(&s) % 3];
        if (dram && b)
            sets[n_sets++] = b;
        if (dram && l)
            sets[n_sets++] = l;
        const char *hl = link[rnd(&s) % 3];
        if (!dram && hl)
            sets[n_sets++] = hl;
        struct chip c;
        tu_load_chip(chip, sets, n_sets, &c);
        char what[128];
        tpusim_graph *g = random_op(&s, !dram, what, sizeof what);
        struct sim_result f, e;
        sim_ok(g, &c, ENGINE_FAST, 1, &f);
        sim_ok(g, &c, ENGINE_EVENT, 1, &e);
        ck_assert_msg(f.sum.cycles == e.sum.cycles,
                      "seed %#llx trial %d, %s on %s%s%s: fast %llu, event %llu",
                      (unsigned long long)seed, t, what, chip, n_sets ? " " : "",
                      n_sets ? sets[0] : "", (unsigned long long)f.sum.cycles,
                      (unsigned long long)e.sum.cycles);
        for (int i = 0; i < f.n_ops; i++)
            if (f.ops[i].tiles > 2 * TILE_SLOTS + 4)
                jumped++;
        trials++;
        sim_result_free(&f);
        sim_result_free(&e);
        tpusim_graph_close(g);
    }
    /* The jump is exercised, not only short ops. */
    ck_assert_int_gt(jumped, 20);
    ck_assert_int_eq(trials, 240);
}
END_TEST

/* The op's plan, lowered alone on c. */
static void plan_alone(const tpusim_graph *g, const struct chip *c, struct op_demand **d, int *n)
{
    char err[1024];
    struct sim_options o = {.cores = 1, .stack = tu_default_stack(c)};
    uint64_t pb, oc;
    ck_assert_msg(lower_graph(g, c, &o, d, n, &pb, &oc, err, sizeof err) == TPUSIM_OK, "%s",
                  err);
}

START_TEST(fast_engine_steps_a_handful_of_tiles_whatever_the_batch)
{
    /* A 1 M-row GEMM is about a thousand tiles; the fast engine steps a
     * few of them and jumps over the steady state. */
    struct chip c;
    tu_load_chip("tpu_v3", NULL, 0, &c);
    tpusim_graph *g = tu_gemm(1 << 20, 512, 512);
    struct op_demand *d;
    int n;
    plan_alone(g, &c, &d, &n);
    ck_assert_uint_gt(d[0].plan.tiles, 500);
    struct op_span sp;
    sched_fast_op(&c, &d[0].plan, c.hbm_bytes_per_cycle, 0, &sp);
    ck_assert_uint_lt(sp.tiles_stepped, 40);
    struct sim_result e;
    sim_ok(g, &c, ENGINE_EVENT, 1, &e);
    ck_assert_uint_eq(sp.end, e.sum.cycles);
    sim_result_free(&e);
    free(d);
    tpusim_graph_close(g);
}
END_TEST

START_TEST(streaming_op_worked_by_hand)
{
    /* y = a + b, 2^24 fp32 elements each, on tpu_v3: HBM-bound. By the
     * rules of scheduler.h tile i+2's read and tile i's write become ready
     * together (a latency after tile i's vector work frees its slots), the
     * read first: the DMA engine serves R0 R1 R2 W0 R3 W1 ... R(T-1)
     * W(T-3) W(T-2) W(T-1). Once the first read's latency has passed it
     * never waits while every read outlasts a latency plus a tile's vector
     * work. At the end, the last tile's vector work waits for its output
     * slot (W(T-3) written back), and the last write for it plus a
     * latency: the engine, busy with W(T-2) meanwhile, idles
     * max(0, latency + last vector work - W(T-2)). So the op takes one
     * latency, every transfer at bandwidth, and that idle time. Tiles and their bytes
     * come from the plan; times are worked here from 900 GB/s and 500 ns at
     * 940 MHz. */
    struct chip c;
    tu_load_chip("tpu_v3", NULL, 0, &c);
    tpusim_graph *g = tu_new();
    int64_t n = INT64_C(1) << 24;
    tu_input(g, "a", 1, TU_DIMS(n));
    tu_input(g, "b", 1, TU_DIMS(n));
    tu_op(g, "Add", "op", "a,b", "y");
    tu_finalize_ok(g);
    struct op_demand *d;
    int k;
    char err[1024];
    struct sim_options o = {.cores = 1, .dtype = TPUSIM_DT_FLOAT32, .stack = tu_default_stack(&c)};
    uint64_t pb, oc;
    ck_assert(lower_graph(g, &c, &o, &d, &k, &pb, &oc, err, sizeof err) == TPUSIM_OK);
    const struct op_plan *p = &d[0].plan;
    ck_assert_uint_eq(d[0].hbm_read_bytes, 2 * 4 * (uint64_t)n);
    ck_assert_uint_eq(d[0].hbm_write_bytes, 4 * (uint64_t)n);
    ck_assert_uint_gt(p->tiles, 4);
    double bpc = 900e9 / 940e6;
    uint64_t lat = 470;
    ck_assert_uint_eq(c.hbm_latency_cycles, lat);
    uint64_t want = lat;
    for (uint64_t i = 0; i < p->tiles; i++) {
        const struct tile_work *w = plan_tile(p, i);
        uint64_t rd = ceil_cycles((double)w->read_bytes / bpc);
        uint64_t wr = ceil_cycles((double)w->write_bytes / bpc);
        ck_assert(rd > lat + w->vpu_cycles);
        if (i + 2 == p->tiles && lat + p->last.vpu_cycles > wr)
            want += lat + p->last.vpu_cycles - wr;
        want += rd + wr;
    }
    both_engines_take(g, &c, TPUSIM_DT_FLOAT32, want, CAUSE_HBM);
    free(d);
    tpusim_graph_close(g);
}
END_TEST

START_TEST(matrix_bound_gemm_worked_by_hand)
{
    /* x[8192, 1024] @ w[1024, 1024] bf16 on tpu_v3, alone. Worked from the
     * rules: the weights (2 MiB) come first, one latency after the start;
     * tile 0's rows follow them on the DMA engine; the array's first weight
     * load (R = 128 cycles) waits for the weights; then the MXU runs every
     * tile back to back (each holds it for its steps, which outlast any
     * transfer); the last tile's outputs drain, its vector work (none:
     * no bias) and its write-back, one latency later, end the op. */
    struct chip c;
    tu_load_chip("tpu_v3", NULL, 0, &c);
    tpusim_graph *g = tu_gemm(8192, 1024, 1024);
    struct op_demand *d;
    int k;
    plan_alone(g, &c, &d, &k);
    const struct op_plan *p = &d[0].plan;
    double bpc = 900e9 / 940e6;
    uint64_t lat = 470, rows = 1024, tiles = 8;
    ck_assert_uint_eq(p->tiles, tiles);
    /* A tile: 1024 rows through 8 k-tiles x 8 n-tiles over 2 MXUs: each
     * MXU holds 32 weight tiles of max(1024, 128) cycles. */
    uint64_t occ = 32 * rows;
    ck_assert_uint_eq(p->full.mxu_cycles, occ);
    ck_assert_uint_eq(p->last.mxu_cycles, occ);
    uint64_t weights = ceil_cycles(1024.0 * 1024 * 2 / bpc);
    uint64_t read0 = ceil_cycles((double)rows * 1024 * 2 / bpc);
    uint64_t write = ceil_cycles((double)rows * 1024 * 2 / bpc);
    uint64_t first = lat + weights + read0;          /* tile 0's rows in */
    ck_assert_uint_ge(first, lat + weights + 128);   /* after the first weight load */
    /* Drain of the last tile: R + C - 1 beyond its steps (M >= R). */
    uint64_t drain = 128 + 128 - 1;
    uint64_t want = first + tiles * occ + drain + lat + write;
    both_engines_take(g, &c, TPUSIM_DT_UNDEFINED, want, CAUSE_MXU);
    free(d);
    tpusim_graph_close(g);
}
END_TEST

START_TEST(last_partial_tile_is_priced_on_its_own)
{
    /* 1030 rows of a 1024 x 1024 GEMM on tpu_v3: two balanced blocks of
     * 520 and 510 rows (whole sublane groups), each timed for its own rows:
     * 32 weight tiles per MXU of max(rows, 128) cycles. */
    struct chip c;
    tu_load_chip("tpu_v3", NULL, 0, &c);
    tpusim_graph *g = tu_gemm(1030, 1024, 1024);
    struct op_demand *d;
    int k;
    plan_alone(g, &c, &d, &k);
    ck_assert_uint_eq(d[0].plan.tiles, 2);
    ck_assert_uint_eq(d[0].plan.full.mxu_cycles, 32 * 520);
    ck_assert_uint_eq(d[0].plan.last.mxu_cycles, 32 * 510);
    /* Its output's bytes (1030 rows laid out as 1032, whole sublane
     * groups, of 1024 bf16 values) split the same way: 520 of 1030 rows'
     * share in the first block, the rest in the last. */
    uint64_t out = 1032 * 1024 * 2;
    ck_assert_uint_eq(d[0].hbm_write_bytes, out);
    /* 2,113,536 x 520 / 1030 = 1,067,027.9, truncated: 1,067,027; the
     * last block 2,113,536 - 1,067,027 = 1,046,509. */
    ck_assert_uint_eq(d[0].plan.full.write_bytes, 1067027);
    ck_assert_uint_eq(d[0].plan.last.write_bytes, 1046509);
    free(d);
    tpusim_graph_close(g);
}
END_TEST

/* An op alone from cycle 0 on one core, timed here by sched_fast_op and
 * sched_attribute: its cycles (launch included) and their causes. */
static uint64_t alone_cycles(const struct chip *c, const struct sim_options *o,
                             const struct op_plan *p, uint64_t *stall)
{
    struct op_span sp;
    sched_fast_op(c, p, c->hbm_bytes_per_cycle, 0, &sp);
    memset(stall, 0, CAUSE_COUNT * sizeof *stall);
    sched_attribute(c, p, &sp, c->hbm_bytes_per_cycle, sp.end, stall);
    uint64_t launch = stack_launch_cycles(o->stack, c->clock_mhz, sp.end, 0);
    stall[CAUSE_LAUNCH] += launch;
    return sp.end + launch;
}

START_TEST(fast_engine_times_each_plan_as_its_own)
{
    /* The fast engine times an op once per distinct plan (sched_fast.c
     * keeps plans it has met). Three rows of one MatMul's demand, the
     * second's last tile draining 100 cycles longer: its tile count,
     * weights and totals are the first's, so the two meet in the cache.
     * Each row must take what its own plan takes alone, the second 100
     * cycles more than the others. */
    struct chip c;
    tu_load_chip("tpu_v3", NULL, 0, &c);
    tpusim_graph *g = tu_gemm(8192, 1024, 1024);
    struct op_demand *one;
    int k;
    plan_alone(g, &c, &one, &k);
    struct op_demand d[3] = {one[0], one[0], one[0]};
    d[1].plan.last.mxu_latency_cycles += 100;
    struct sim_options o = {.cores = 1, .engine = ENGINE_FAST, .stack = tu_default_stack(&c)};
    struct sim_result r;
    char err[1024];
    ck_assert_msg(schedule_ops(g, &c, &o, d, 3, &r, err, sizeof err) == TPUSIM_OK, "%s", err);
    uint64_t want[3], stall[CAUSE_COUNT];
    for (int i = 0; i < 3; i++) {
        want[i] = alone_cycles(&c, &o, &d[i].plan, stall);
        if (i == 0) {
            want[i] += r.invocation_cycles;
            stall[CAUSE_LAUNCH] += r.invocation_cycles;
        }
        ck_assert_uint_eq(r.ops[i].cycles, want[i]);
        for (int j = 0; j < CAUSE_COUNT; j++)
            ck_assert_uint_eq(r.ops[i].stall[j], stall[j]);
    }
    ck_assert_uint_eq(want[1], want[2] + 100);
    sim_result_free(&r);
    free(one);
    tpusim_graph_close(g);
}
END_TEST

/* x @ w (and + b when `bias`) on tpu_v3, as its own graph or (both) as
 * two ops reading the same x. */
static tpusim_graph *matmuls(bool plain, bool bias)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 2, TU_DIMS(4096, 512));
    if (plain) {
        tu_weight(g, "w1", 2, TU_DIMS(512, 256));
        tu_op(g, "MatMul", "plain", "x,w1", "y1");
    }
    if (bias) {
        tu_weight(g, "w2", 2, TU_DIMS(512, 256));
        tu_weight(g, "b2", 1, TU_DIMS(256));
        tu_op(g, "Gemm", "biased", "x,w2,b2", "y2");
    }
    tu_finalize_ok(g);
    return g;
}

static void same_plan(const struct op_demand *a, const struct op_demand *b)
{
    ck_assert_uint_eq(a->plan.tiles, b->plan.tiles);
    ck_assert(!memcmp(&a->plan.full, &b->plan.full, sizeof a->plan.full));
    ck_assert(!memcmp(&a->plan.last, &b->plan.last, sizeof a->plan.last));
    ck_assert(!memcmp(&a->plan.total, &b->plan.total, sizeof a->plan.total));
    ck_assert_uint_eq(a->plan.mxu_prologue_cycles, b->plan.mxu_prologue_cycles);
    ck_assert_uint_eq(a->plan.slot_bytes, b->plan.slot_bytes);
    ck_assert_uint_eq(a->mxu.total_cycles, b->mxu.total_cycles);
}

START_TEST(lowering_plans_each_matrix_op_as_its_own)
{
    /* The lowering plans a matrix op once per distinct work (lower.c keeps
     * the ops it has planned). x @ w1 and x @ w2 + b2 move the same bytes
     * in the same GEMM shape, so they meet in that cache; the bias's
     * vector work is theirs apart. Each must get the plan it gets alone. */
    struct chip c;
    tu_load_chip("tpu_v3", NULL, 0, &c);
    tpusim_graph *both = matmuls(true, true), *plain = matmuls(true, false),
                 *biased = matmuls(false, true);
    struct op_demand *d, *dp, *db;
    int n, k;
    plan_alone(both, &c, &d, &n);
    plan_alone(plain, &c, &dp, &k);
    plan_alone(biased, &c, &db, &k);
    ck_assert_int_eq(n, 2);
    ck_assert_uint_eq(d[0].hbm_read_bytes, d[1].hbm_read_bytes);
    ck_assert_uint_eq(d[0].hbm_write_bytes, d[1].hbm_write_bytes);
    ck_assert_uint_lt(d[0].vpu_cycles, d[1].vpu_cycles);
    same_plan(&d[0], &dp[0]);
    same_plan(&d[1], &db[0]);
    ck_assert_uint_ne(d[0].plan.total.vpu_cycles, d[1].plan.total.vpu_cycles);
    free(d);
    free(dp);
    free(db);
    tpusim_graph_close(both);
    tpusim_graph_close(plain);
    tpusim_graph_close(biased);
}
END_TEST

/* 3x3 convolutions of 64 channels, stride 1, on 14 x `w1` and (when w2 > 0)
 * 14 x `w2` images, each its own input. */
static tpusim_graph *convs(int64_t w1, int64_t w2)
{
    tpusim_graph *g = tu_new();
    const int64_t widths[] = {w1, w2};
    const char *const x[] = {"x0", "x1"}, *const w[] = {"w0", "w1"}, *const y[] = {"y0", "y1"},
                      *const name[] = {"conv0", "conv1"}, *const in[] = {"x0,w0", "x1,w1"};
    for (int i = 0; i < 2 && widths[i] > 0; i++) {
        tu_input(g, x[i], 4, TU_DIMS(1, 64, 14, widths[i]));
        tu_weight(g, w[i], 4, TU_DIMS(64, 64, 3, 3));
        tu_conv_same(g, name[i], in[i], y[i], 3);
    }
    tu_finalize_ok(g);
    return g;
}

START_TEST(lowering_times_each_gpu_convolution_as_its_own)
{
    /* The lowering asks the GPU's convolution library once per distinct
     * convolution (lower.c keeps those it has timed). Two that differ in
     * their width alone meet in that cache; each must get the timing it
     * gets alone. */
    struct chip c;
    tu_load_chip("gpu_v100", NULL, 0, &c);
    tpusim_graph *both = convs(14, 28), *narrow = convs(14, 0), *wide = convs(28, 0);
    struct op_demand *d, *dn, *dw;
    int n, k;
    plan_alone(both, &c, &d, &n);
    plan_alone(narrow, &c, &dn, &k);
    plan_alone(wide, &c, &dw, &k);
    ck_assert_int_eq(n, 2);
    ck_assert_uint_eq(d[0].mxu.total_cycles, dn[0].mxu.total_cycles);
    ck_assert_uint_eq(d[0].hbm_read_bytes, dn[0].hbm_read_bytes);
    ck_assert_uint_eq(d[1].mxu.total_cycles, dw[0].mxu.total_cycles);
    ck_assert_uint_eq(d[1].hbm_read_bytes, dw[0].hbm_read_bytes);
    ck_assert_uint_ne(d[0].mxu.total_cycles, d[1].mxu.total_cycles);
    free(d);
    free(dn);
    free(dw);
    tpusim_graph_close(both);
    tpusim_graph_close(narrow);
    tpusim_graph_close(wide);
}
END_TEST

/* y = a + b over `n` fp32 elements per core, `cores` at once. */
static uint64_t streaming_cycles(const char *chip, int64_t n, int cores, enum engine_kind e)
{
    struct chip c;
    tu_load_chip(chip, NULL, 0, &c);
    tpusim_graph *g = tu_new();
    tu_input(g, "a", 4, TU_DIMS(1, 64, 1024, n / 65536));
    tu_input(g, "b", 4, TU_DIMS(1, 64, 1024, n / 65536));
    tu_op(g, "Add", "op", "a,b", "y");
    tu_finalize_ok(g);
    struct sim_result r;
    sim_dt(g, &c, e, cores, TPUSIM_DT_FLOAT32, &r);
    uint64_t cycles = r.sum.cycles;
    if (e == ENGINE_EVENT) {
        /* HBM never carries more than its bandwidth, and what it carried
         * adds up to the bytes every core moved. */
        const struct event_log *l = r.events;
        double moved = 0;
        for (uint32_t i = 0; i < l->n_hbm; i++) {
            ck_assert(l->hbm[i].bytes_per_cycle <= c.hbm_bytes_per_cycle * (1 + 1e-9));
            uint64_t until = i + 1 < l->n_hbm ? l->hbm[i + 1].t : cycles;
            moved += l->hbm[i].bytes_per_cycle * (double)(until - l->hbm[i].t);
        }
        /* a, b and y as XLA lays them out (the Cloud TPU guide's rule for
         * a batch under 64): the batch of 1 pads to 8, the 64 channels to
         * 128, so each tensor is 8 x 128 x 1024 x (n / 65536) fp32
         * values; per core 3 x 4 x 2^30 = 12,884,901,888 bytes. */
        double bytes = (double)cores * 3 * 4 * (8.0 * 128 * 1024 * (double)(n / 65536));
        ck_assert_msg(moved > bytes * 0.999 && moved < bytes * 1.001, "moved %.0f of %.0f",
                      moved, bytes);
    }
    sim_result_free(&r);
    tpusim_graph_close(g);
    return cycles;
}

START_TEST(cores_share_hbm)
{
    /* A streaming Add of two 1x64x1024x1024 fp32 tensors per core: two
     * tpu_v3 cores at once take at least 1.9x one core's time (they share
     * 900 GB/s); so do tpu_v2's. */
    const int64_t n = INT64_C(64) << 20;
    const char *chips[] = {"tpu_v3", "tpu_v2"};
    for (int i = 0; i < 2; i++) {
        for (int e = 0; e < 2; e++) {
            uint64_t one = streaming_cycles(chips[i], n, 1, (enum engine_kind)e);
            uint64_t two = streaming_cycles(chips[i], n, 2, (enum engine_kind)e);
            ck_assert_msg((double)two >= 1.9 * (double)one, "%s engine %d: %llu vs %llu",
                          chips[i], e, (unsigned long long)two, (unsigned long long)one);
        }
    }
}
END_TEST

START_TEST(batch1_resnet50_hides_weight_loads_behind_compute)
{
    /* On tpu_v3 the next op's weights load while the current op computes
     * when VMEM has room: the event engine hides part of the weight
     * traffic the fast engine (each op alone) exposes. Rows and units
     * account for every cycle. */
    tpusim_graph *g = tu_new();
    ck_assert_int_eq(tpusim_graph_load_onnx_file(g, tu_model_path("torch_export/tv_resnet50_light.onnx")),
                     TPUSIM_OK);
    struct chip c;
    tu_load_chip("tpu_v3", NULL, 0, &c);
    struct sim_result e, f;
    sim_ok(g, &c, ENGINE_EVENT, 1, &e);
    sim_ok(g, &c, ENGINE_FAST, 1, &f);
    const struct event_log *l = e.events;
    ck_assert_uint_gt(l->hidden_weight_cycles, l->exposed_weight_cycles);
    ck_assert_uint_lt(e.sum.cycles, f.sum.cycles);
    for (const struct sim_result *r = &e; r; r = r == &e ? &f : NULL) {
        uint64_t sum = 0;
        for (int i = 0; i < r->n_ops; i++) {
            uint64_t st = 0;
            for (int k = 0; k < CAUSE_COUNT; k++)
                st += r->ops[i].stall[k];
            ck_assert_uint_eq(st, r->ops[i].cycles);
            sum += r->ops[i].cycles;
        }
        ck_assert_uint_eq(sum, r->sum.cycles);
    }
    for (int u = 0; u < AU_COUNT; u++) {
        if (u == AU_DMA_OUT)
            continue; /* accounted with DMA in: one engine */
        uint64_t t = 0;
        for (int k = 0; k < CAUSE_COUNT; k++)
            t += l->units[u].busy[k];
        for (int w = 0; w < WAIT_COUNT; w++)
            t += l->units[u].wait[w];
        ck_assert_msg(t == e.sum.cycles, "%s: %llu of %llu cycles", act_unit_name((enum act_unit)u),
                      (unsigned long long)t, (unsigned long long)e.sum.cycles);
    }
    sim_result_free(&e);
    sim_result_free(&f);
    tpusim_graph_close(g);
}
END_TEST

START_TEST(event_engine_is_deterministic_and_traces_are_ordered)
{
    tpusim_graph *g = tu_new();
    ck_assert_int_eq(tpusim_graph_build_builtin(g, "demo-cnn"), TPUSIM_OK);
    for (size_t i = 0; i < N_CHIPS; i++) {
        struct chip c;
        tu_load_chip(CHIPS[i], NULL, 0, &c);
        struct sim_result a, b;
        sim_ok(g, &c, ENGINE_EVENT, 1, &a);
        sim_ok(g, &c, ENGINE_EVENT, 1, &b);
        ck_assert_uint_eq(a.sum.cycles, b.sum.cycles);
        ck_assert_uint_eq(a.events->n, b.events->n);
        ck_assert(memcmp(a.events->acts, b.events->acts, a.events->n * sizeof *a.events->acts) == 0);
        /* On each unit, activities never overlap; each starts no earlier
         * than it was ready. */
        for (uint32_t k = 0; k < a.events->n; k++) {
            const struct act *x = &a.events->acts[k];
            ck_assert_uint_ge(x->start, x->ready);
            ck_assert_uint_ge(x->end, x->start);
            if (x->prev_on_unit != ACT_NONE)
                ck_assert_uint_le(a.events->acts[x->prev_on_unit].end, x->start);
        }
        sim_result_free(&a);
        sim_result_free(&b);
    }
    tpusim_graph_close(g);
}
END_TEST

Suite *sched_suite(void)
{
    Suite *s = suite_create("sched");
    TCase *tc = tcase_create("sched");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, engines_agree_on_one_op_of_random_shape_on_every_chip);
    tcase_add_test(tc, fast_engine_steps_a_handful_of_tiles_whatever_the_batch);
    tcase_add_test(tc, streaming_op_worked_by_hand);
    tcase_add_test(tc, matrix_bound_gemm_worked_by_hand);
    tcase_add_test(tc, last_partial_tile_is_priced_on_its_own);
    tcase_add_test(tc, fast_engine_times_each_plan_as_its_own);
    tcase_add_test(tc, lowering_plans_each_matrix_op_as_its_own);
    tcase_add_test(tc, lowering_times_each_gpu_convolution_as_its_own);
    tcase_add_test(tc, cores_share_hbm);
    tcase_add_test(tc, batch1_resnet50_hides_weight_loads_behind_compute);
    tcase_add_test(tc, event_engine_is_deterministic_and_traces_are_ordered);
    suite_add_tcase(s, tc);
    return s;
}
