/*
 * test_api.c — the public oracle API (tpusim.h): contexts, chips, plans,
 * results and nets. The central rule: a cached net query gives exactly the
 * numbers of an exact (uncached, whole-graph) one, on every chip, with
 * contexts whose capacity and parameter-cache states differ, and when the
 * cache is small enough to flush. Failure paths give codes and messages.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "cache.h"
#include "engine.h"
#include "suites.h"
#include "testutil.h"

static tpusim_chip *open_chip(tpusim_context *ctx, const char *name, const char *const *sets,
                              int n)
{
    tpusim_chip *chip = NULL;
    int rc = tpusim_chip_open(ctx, name, tu_chips_dir(), sets, n, &chip);
    ck_assert_msg(rc == TPUSIM_OK, "chip %s: %s", name, tpusim_errmsg(ctx));
    ck_assert_ptr_nonnull(chip);
    return chip;
}

/* A small deterministic generator (the tests must not depend on rand()). */
static uint32_t lcg(uint64_t *s)
{
    *s = *s * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
    return (uint32_t)(*s >> 33);
}

/* A random MBConv-style candidate: stem, `blocks` IBN blocks, head. */
static void random_net(tpusim_net *net, uint64_t *seed, int blocks, int64_t px)
{
    ck_assert_int_eq(tpusim_net_reset(net, 1, 3, px, px), TPUSIM_OK);
    tpusim_block stem = {.kind = TPUSIM_BLOCK_CONV, .out_channels = 32, .kernel = 3,
                         .stride = 2, .groups = 1, .act = TPUSIM_ACT_SWISH};
    ck_assert_int_eq(tpusim_net_add(net, &stem), TPUSIM_OK);
    static const int widths[] = {16, 24, 40, 80, 112, 192};
    int64_t cin = 32;
    for (int i = 0; i < blocks; i++) {
        int stage = i * 6 / blocks;
        tpusim_block b = {.kind = TPUSIM_BLOCK_DW_IBN + (int)(lcg(seed) % 3),
                          .out_channels = widths[stage] * (lcg(seed) % 2 ? 1 : 2),
                          .kernel = lcg(seed) % 2 ? 3 : 5,
                          .stride = (i * 6 / blocks) != ((i - 1) * 6 / blocks) && i % 3 == 0 ? 2 : 1,
                          .expand = (int[]){1, 4, 6}[lcg(seed) % 3],
                          .groups = 1,
                          .act = lcg(seed) % 2 ? TPUSIM_ACT_RELU : TPUSIM_ACT_SWISH,
                          .se = (int)(lcg(seed) % 2)};
        if (b.kind == TPUSIM_BLOCK_GC_IBN)
            b.groups = cin % 4 == 0 ? (int[]){2, 4}[lcg(seed) % 2] : 1;
        if (lcg(seed) % 4 == 0) /* keep the width: a residual block */
            b.out_channels = (int)cin, b.stride = 1;
        int rc = tpusim_net_add(net, &b);
        ck_assert_msg(rc == TPUSIM_OK, "%s", tpusim_net_errmsg(net));
        cin = b.out_channels;
    }
    tpusim_block head = {.kind = TPUSIM_BLOCK_HEAD, .out_channels = 1280,
                         .act = TPUSIM_ACT_SWISH, .classes = 1000};
    ck_assert_int_eq(tpusim_net_add(net, &head), TPUSIM_OK);
}

static void summary_of(const tpusim_result *res, tpusim_summary *s)
{
    ck_assert_int_eq(tpusim_result_summary(res, s), TPUSIM_OK);
    s->cache_hits = s->cache_misses = 0; /* how it was answered, not what */
}

static void expect_same(const tpusim_summary *a, const tpusim_summary *b, const char *what)
{
    ck_assert_msg(a->cycles == b->cycles, "%s: cycles %llu vs %llu", what,
                  (unsigned long long)a->cycles, (unsigned long long)b->cycles);
    for (int k = 0; k < TPUSIM_CAUSE_COUNT; k++)
        ck_assert_msg(a->stall_cycles[k] == b->stall_cycles[k], "%s: %s %llu vs %llu", what,
                      tpusim_cause_name(k), (unsigned long long)a->stall_cycles[k],
                      (unsigned long long)b->stall_cycles[k]);
    ck_assert_msg(memcmp(a, b, sizeof *a) == 0, "%s: summaries differ (bytes, flops or params)",
                  what);
}

START_TEST(version_macro_matches_runtime)
{
    ck_assert_str_eq(tpusim_version(), TPUSIM_VERSION);
    ck_assert_int_eq(tpusim_version_number(), TPUSIM_VERSION_NUMBER);
}
END_TEST

/* Energy through the API: the shortcuts equal the summary; power is
 * energy over time; the parts add up; the rows add up to the whole (each
 * row its dynamic energy and static power over its cycles); static power
 * is the chip's over the latency; the chip reports its TDP. */
START_TEST(energy_and_power_through_the_api)
{
    tpusim_context *ctx = NULL;
    ck_assert_int_eq(tpusim_context_open(0, &ctx), TPUSIM_OK);
    tpusim_chip *chip = open_chip(ctx, "tpu_v4i", NULL, 0);
    tpusim_chip_info info;
    ck_assert_int_eq(tpusim_chip_info_get(chip, &info), TPUSIM_OK);
    ck_assert_double_eq(info.tdp_w, 175);
    ck_assert_double_eq(info.static_w, 43.75);
    tpusim_graph *g = NULL;
    ck_assert_int_eq(tpusim_graph_new(&g), TPUSIM_OK);
    ck_assert_int_eq(tpusim_graph_build_builtin(g, "demo-cnn"), TPUSIM_OK);
    tpusim_result *res = NULL;
    ck_assert_int_eq(tpusim_result_new(&res), TPUSIM_OK);
    ck_assert_double_eq(tpusim_result_energy_uj(res), 0);
    ck_assert_int_eq(tpusim_graph_query(ctx, g, chip, NULL, res), TPUSIM_OK);
    tpusim_summary s;
    ck_assert_int_eq(tpusim_result_summary(res, &s), TPUSIM_OK);
    ck_assert_double_eq(tpusim_result_energy_uj(res), s.energy_uj);
    ck_assert_double_eq(tpusim_result_avg_power_w(res), s.avg_power_w);
    ck_assert_double_gt(s.energy_uj, 0);
    ck_assert_double_eq_tol(s.avg_power_w, s.energy_uj * 1e-6 / s.seconds, 1e-9 * s.avg_power_w);
    ck_assert_double_eq_tol(s.energy_uj_by_part[TPUSIM_ENERGY_STATIC], 43.75 * s.seconds * 1e6,
                            1e-9 * s.energy_uj);
    double parts = 0, rows = 0;
    for (int k = 0; k < TPUSIM_ENERGY_COUNT; k++)
        parts += s.energy_uj_by_part[k];
    for (size_t i = 0; i < tpusim_result_op_count(res); i++) {
        tpusim_op_row row;
        ck_assert_int_eq(tpusim_result_op(res, i, &row), TPUSIM_OK);
        rows += row.energy_uj;
    }
    ck_assert_double_eq_tol(parts, s.energy_uj, 1e-9 * s.energy_uj);
    ck_assert_double_eq_tol(rows, s.energy_uj, 1e-9 * s.energy_uj);
    ck_assert_str_eq(tpusim_energy_part_name(TPUSIM_ENERGY_HOST_LINK), "host_link");
    ck_assert_str_eq(tpusim_energy_part_name(TPUSIM_ENERGY_COUNT), "?");
    tpusim_result_close(res);
    tpusim_graph_close(g);
    tpusim_chip_close(chip);
    tpusim_context_close(ctx);
}
END_TEST

START_TEST(closing_null_is_a_no_op_and_null_args_are_errors)
{
    tpusim_context_close(NULL);
    tpusim_chip_close(NULL);
    tpusim_plan_close(NULL);
    tpusim_result_close(NULL);
    tpusim_net_close(NULL);
    tpusim_stack_close(NULL);
    ck_assert_ptr_null(tpusim_stack_name(NULL));
    ck_assert_int_eq(tpusim_context_open(0, NULL), TPUSIM_ERR_ARG);
    ck_assert_int_eq(tpusim_net_query(NULL, NULL, NULL, NULL, NULL), TPUSIM_ERR_ARG);
    tpusim_context *ctx = NULL;
    ck_assert_int_eq(tpusim_context_open(0, &ctx), TPUSIM_OK);
    tpusim_result *res = NULL;
    ck_assert_int_eq(tpusim_result_new(&res), TPUSIM_OK);
    tpusim_summary s;
    ck_assert_int_eq(tpusim_result_summary(res, &s), TPUSIM_ERR_STATE);
    ck_assert_int_eq(tpusim_net_query(ctx, NULL, NULL, NULL, res), TPUSIM_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(tpusim_errmsg(ctx), "needs a chip"));
    tpusim_result_close(res);
    tpusim_context_close(ctx);
}
END_TEST

START_TEST(chip_open_errors_name_the_chip_or_key_and_leave_out_null)
{
    tpusim_context *ctx = NULL;
    ck_assert_int_eq(tpusim_context_open(0, &ctx), TPUSIM_OK);
    tpusim_chip *chip = (tpusim_chip *)ctx; /* must be overwritten with NULL */
    ck_assert_int_ne(tpusim_chip_open(ctx, "tpu_v99", tu_chips_dir(), NULL, 0, &chip), TPUSIM_OK);
    ck_assert_ptr_null(chip);
    ck_assert_ptr_nonnull(strstr(tpusim_errmsg(ctx), "tpu_v99"));
    const char *bad[] = {"mxu.rowz=64"};
    chip = (tpusim_chip *)ctx;
    ck_assert_int_ne(tpusim_chip_open(ctx, "tpu_v3", tu_chips_dir(), bad, 1, &chip), TPUSIM_OK);
    ck_assert_ptr_null(chip);
    ck_assert_ptr_nonnull(strstr(tpusim_errmsg(ctx), "rowz"));
    const char *good[] = {"hbm.bandwidth_gbps=1800"};
    chip = open_chip(ctx, "tpu_v3", good, 1);
    tpusim_chip_info info;
    ck_assert_int_eq(tpusim_chip_info_get(chip, &info), TPUSIM_OK);
    ck_assert_str_eq(info.name, "tpu_v3");
    ck_assert(info.clock_hz > 0 && info.peak_flops_per_s > 0);
    ck_assert_int_eq(info.default_dtype, TPUSIM_DT_BFLOAT16);
    ck_assert_str_eq(info.default_stack, "xla");
    tpusim_chip_close(chip);
    /* A chip whose default stack cannot be loaded does not open. */
    const char *nope[] = {"compiler.default_stack=nope"};
    chip = (tpusim_chip *)ctx;
    ck_assert_int_eq(tpusim_chip_open(ctx, "tpu_v3", tu_chips_dir(), nope, 1, &chip),
                     TPUSIM_ERR_ARG);
    ck_assert_ptr_null(chip);
    ck_assert_ptr_nonnull(strstr(tpusim_errmsg(ctx), "unknown stack 'nope'"));
    tpusim_context_close(ctx);
}
END_TEST

/* chip derived from a base opened with base_sets equals chip opened with
 * base_sets and then sets: every parameter, its default stack, a query. */
static void expect_derive_equals_open(const char *name, const char *base_set, const char *set)
{
    tpusim_context *ctx = NULL;
    ck_assert_int_eq(tpusim_context_open(0, &ctx), TPUSIM_OK);
    tpusim_chip *base = open_chip(ctx, name, &base_set, 1), *derived = NULL;
    const char *both[] = {base_set, set};
    tpusim_chip *direct = open_chip(ctx, name, both, 2);
    ck_assert_msg(tpusim_chip_derive(ctx, base, &set, 1, &derived) == TPUSIM_OK, "%s: %s", name,
                  tpusim_errmsg(ctx));
    tpusim_chip_close(base); /* the derived chip does not need it */
    ck_assert_msg(memcmp(&derived->c, &direct->c, sizeof direct->c) == 0, "%s %s", name, set);
    ck_assert(derived->fingerprint == direct->fingerprint);
    ck_assert(derived->default_stack.fingerprint == direct->default_stack.fingerprint);
    ck_assert_str_eq(derived->default_stack.s.name, direct->default_stack.s.name);
    tpusim_graph *g = tu_new();
    ck_assert_int_eq(tpusim_graph_build_builtin(g, "demo-cnn"), TPUSIM_OK);
    tpusim_result *a = NULL, *b = NULL;
    ck_assert_int_eq(tpusim_result_new(&a), TPUSIM_OK);
    ck_assert_int_eq(tpusim_result_new(&b), TPUSIM_OK);
    ck_assert_int_eq(tpusim_graph_query(ctx, g, derived, NULL, a), TPUSIM_OK);
    ck_assert_int_eq(tpusim_graph_query(ctx, g, direct, NULL, b), TPUSIM_OK);
    ck_assert_uint_eq(tpusim_result_cycles(a), tpusim_result_cycles(b));
    tpusim_result_close(a);
    tpusim_result_close(b);
    tpusim_graph_close(g);
    tpusim_chip_close(derived);
    tpusim_chip_close(direct);
    tpusim_context_close(ctx);
}

START_TEST(a_derived_chip_equals_one_opened_with_all_its_overrides)
{
    expect_derive_equals_open("tpu_v3", "chip.clock_mhz=700", "hbm.bandwidth_gbps=450");
    expect_derive_equals_open("tpu_v4i", "hbm.bandwidth_gbps=450", "mxu.per_core=1");
    /* A later override of the same key wins, as in one list. */
    expect_derive_equals_open("tpu_v4i", "mxu.per_core=2", "mxu.per_core=1");
    expect_derive_equals_open("gpu_v100", "chip.clock_mhz=1000", "gpu.sms=40");
    expect_derive_equals_open("edgetpu", "chip.clock_mhz=400", "sram.param_cache_bytes=4194304");
    /* Another default stack is loaded; the base's is not kept. */
    expect_derive_equals_open("gpu_v100", "chip.clock_mhz=1000",
                              "compiler.default_stack=pytorch-eager");
    /* The overrides are checked as at open: a bad key or value fails,
     * naming it, and leaves out NULL; so does a cross-key rule. */
    tpusim_context *ctx = NULL;
    ck_assert_int_eq(tpusim_context_open(0, &ctx), TPUSIM_OK);
    tpusim_chip *base = open_chip(ctx, "tpu_v3", NULL, 0), *chip = (tpusim_chip *)ctx;
    const char *bad[] = {"mxu.rowz=64"};
    ck_assert_int_eq(tpusim_chip_derive(ctx, base, bad, 1, &chip), TPUSIM_ERR_ARG);
    ck_assert_ptr_null(chip);
    ck_assert_ptr_nonnull(strstr(tpusim_errmsg(ctx), "mxu.rowz"));
    const char *zero[] = {"hbm.bandwidth_gbps=0"};
    chip = (tpusim_chip *)ctx;
    ck_assert_int_ne(tpusim_chip_derive(ctx, base, zero, 1, &chip), TPUSIM_OK);
    ck_assert_ptr_null(chip);
    ck_assert_ptr_nonnull(strstr(tpusim_errmsg(ctx), "without DRAM"));
    const char *nope[] = {"compiler.default_stack=nope"};
    chip = (tpusim_chip *)ctx;
    ck_assert_int_eq(tpusim_chip_derive(ctx, base, nope, 1, &chip), TPUSIM_ERR_ARG);
    ck_assert_ptr_null(chip);
    ck_assert_ptr_nonnull(strstr(tpusim_errmsg(ctx), "unknown stack 'nope'"));
    chip = (tpusim_chip *)ctx;
    ck_assert_int_eq(tpusim_chip_derive(ctx, NULL, NULL, 0, &chip), TPUSIM_ERR_ARG);
    ck_assert_ptr_null(chip);
    tpusim_chip_close(base);
    tpusim_context_close(ctx);
}
END_TEST

static tpusim_stack *open_stack(tpusim_context *ctx, const char *name, const char *const *sets,
                                int n_sets)
{
    tpusim_stack *stack = NULL;
    int rc = tpusim_stack_open(ctx, name, tu_chips_dir(), sets, n_sets, &stack);
    ck_assert_msg(rc == TPUSIM_OK, "stack %s: %s", name, tpusim_errmsg(ctx));
    return stack;
}

START_TEST(a_query_runs_under_the_stack_its_options_name)
{
    tpusim_context *ctx = NULL;
    ck_assert_int_eq(tpusim_context_open(0, &ctx), TPUSIM_OK);
    tpusim_chip *chip = open_chip(ctx, "gpu_v100", NULL, 0);
    tpusim_chip_info info;
    ck_assert_int_eq(tpusim_chip_info_get(chip, &info), TPUSIM_OK);
    ck_assert_str_eq(info.default_stack, "tensorrt");
    tpusim_stack *eager = open_stack(ctx, "pytorch-eager", NULL, 0);
    tpusim_stack *trt = open_stack(ctx, "tensorrt", NULL, 0);
    tpusim_stack *xla = open_stack(ctx, "xla", NULL, 0);
    ck_assert_str_eq(tpusim_stack_name(eager), "pytorch-eager");
    tpusim_graph *g = NULL;
    ck_assert_int_eq(tpusim_graph_new(&g), TPUSIM_OK);
    ck_assert_int_eq(tpusim_graph_build_builtin(g, "demo-cnn"), TPUSIM_OK);
    tpusim_result *res = NULL;
    ck_assert_int_eq(tpusim_result_new(&res), TPUSIM_OK);
    tpusim_summary by_default, by_trt, by_eager;
    tpusim_options o = {.stack = NULL};
    ck_assert_int_eq(tpusim_graph_query(ctx, g, chip, &o, res), TPUSIM_OK);
    summary_of(res, &by_default);
    o.stack = trt;
    ck_assert_int_eq(tpusim_graph_query(ctx, g, chip, &o, res), TPUSIM_OK);
    summary_of(res, &by_trt);
    expect_same(&by_default, &by_trt, "default vs tensorrt on gpu_v100");
    o.stack = eager;
    ck_assert_int_eq(tpusim_graph_query(ctx, g, chip, &o, res), TPUSIM_OK);
    summary_of(res, &by_eager);
    ck_assert_uint_gt(by_eager.cycles, by_trt.cycles);
    /* 6 us per inference at 1530 MHz, as launch in the first op's row */
    ck_assert_uint_eq(by_eager.invocation_cycles, 9180);
    ck_assert_uint_eq(by_trt.invocation_cycles, 0);
    uint64_t rows = 0;
    for (size_t i = 0; i < tpusim_result_op_count(res); i++) {
        tpusim_op_row row;
        ck_assert_int_eq(tpusim_result_op(res, i, &row), TPUSIM_OK);
        rows += row.cycles;
    }
    ck_assert_uint_eq(rows, by_eager.cycles);
    /* A stack on a chip it does not target is refused, with both named. */
    o.stack = xla;
    ck_assert_int_eq(tpusim_graph_query(ctx, g, chip, &o, res), TPUSIM_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(tpusim_errmsg(ctx), "stack 'xla' does not run on chip 'gpu_v100'"));
    /* Bad stacks do not open; out stays NULL. */
    tpusim_stack *bad = (tpusim_stack *)ctx;
    ck_assert_int_eq(tpusim_stack_open(ctx, "xla9", tu_chips_dir(), NULL, 0, &bad),
                     TPUSIM_ERR_ARG);
    ck_assert_ptr_null(bad);
    ck_assert_ptr_nonnull(strstr(tpusim_errmsg(ctx), "unknown stack 'xla9'"));
    const char *typo[] = {"overhead.gap=1"};
    ck_assert_int_eq(tpusim_stack_open(ctx, "xla", tu_chips_dir(), typo, 1, &bad), TPUSIM_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(tpusim_errmsg(ctx), "overhead.gap: unknown key"));
    ck_assert_int_eq(tpusim_stack_open(ctx, NULL, NULL, NULL, 0, &bad), TPUSIM_ERR_ARG);
    tpusim_result_close(res);
    tpusim_graph_close(g);
    tpusim_stack_close(eager);
    tpusim_stack_close(trt);
    tpusim_stack_close(xla);
    tpusim_chip_close(chip);
    tpusim_context_close(ctx);
}
END_TEST

/* Cached and exact net queries agree under a stack with a per-inference
 * cost, and under one that sends Sigmoid and everything after it to the
 * host (the in_host boundary state of the cache key); and the cache keeps
 * stacks apart: the same net under another stack misses. */
START_TEST(cached_net_query_is_exact_under_any_stack)
{
    tpusim_context *ctx = NULL, *exact_ctx = NULL;
    ck_assert_int_eq(tpusim_context_open(0, &ctx), TPUSIM_OK);
    ck_assert_int_eq(tpusim_context_open(0, &exact_ctx), TPUSIM_OK);
    const struct {
        const char *chip, *stack, *set;
    } runs[] = {{"gpu_v100", "pytorch-eager", NULL},
                {"gpu_v100", "paddle-inference", NULL},
                {"edgetpu", "tflite-edgetpu", "placement.host_ops=Sigmoid"},
                {"edgetpu", "tflite-edgetpu", NULL}};
    tpusim_net *net = NULL;
    tpusim_result *res = NULL;
    ck_assert_int_eq(tpusim_net_new(&net), TPUSIM_OK);
    ck_assert_int_eq(tpusim_result_new(&res), TPUSIM_OK);
    uint64_t host_cycles = 0;
    for (size_t r = 0; r < sizeof runs / sizeof runs[0]; r++) {
        tpusim_chip *chip = open_chip(ctx, runs[r].chip, NULL, 0);
        const char *sets[] = {runs[r].set};
        tpusim_stack *stack = open_stack(ctx, runs[r].stack, sets, runs[r].set ? 1 : 0);
        tpusim_options cached = {.stack = stack}, exact = {.stack = stack, .flags = TPUSIM_EXACT};
        uint64_t seed = 7;
        for (int i = 0; i < 12; i++) {
            random_net(net, &seed, 3 + i % 9, 64);
            tpusim_summary a, b, warm;
            ck_assert_int_eq(tpusim_net_query(ctx, chip, net, &cached, res), TPUSIM_OK);
            summary_of(res, &a);
            ck_assert_int_eq(tpusim_net_query(ctx, chip, net, &cached, res), TPUSIM_OK);
            ck_assert_int_eq(tpusim_result_summary(res, &warm), TPUSIM_OK);
            ck_assert_uint_eq(warm.cache_misses, 0);
            summary_of(res, &warm);
            ck_assert_int_eq(tpusim_net_query(exact_ctx, chip, net, &exact, res), TPUSIM_OK);
            summary_of(res, &b);
            char what[160];
            snprintf(what, sizeof what, "%s under %s%s%s, net %d", runs[r].chip, runs[r].stack,
                     runs[r].set ? " with " : "", runs[r].set ? runs[r].set : "", i);
            expect_same(&a, &b, what);
            expect_same(&warm, &b, what);
            if (runs[r].set)
                host_cycles += b.stall_cycles[TPUSIM_CAUSE_HOST_LINK];
        }
        tpusim_stack_close(stack);
        tpusim_chip_close(chip);
    }
    ck_assert_uint_gt(host_cycles, 0);
    /* The same net, first under tensorrt, then pytorch-eager: a miss and
     * another answer, not the cached one. */
    tpusim_chip *chip = open_chip(ctx, "gpu_v100", NULL, 0);
    tpusim_stack *eager = open_stack(ctx, "pytorch-eager", NULL, 0);
    uint64_t seed = 99;
    random_net(net, &seed, 6, 64);
    tpusim_summary trt_s, eager_s;
    ck_assert_int_eq(tpusim_net_query(ctx, chip, net, NULL, res), TPUSIM_OK);
    ck_assert_int_eq(tpusim_result_summary(res, &trt_s), TPUSIM_OK);
    tpusim_options under_eager = {.stack = eager};
    ck_assert_int_eq(tpusim_net_query(ctx, chip, net, &under_eager, res), TPUSIM_OK);
    ck_assert_int_eq(tpusim_result_summary(res, &eager_s), TPUSIM_OK);
    ck_assert_uint_gt(eager_s.cache_misses, 0);
    ck_assert_uint_gt(eager_s.cycles, trt_s.cycles);
    tpusim_stack_close(eager);
    tpusim_chip_close(chip);
    tpusim_result_close(res);
    tpusim_net_close(net);
    tpusim_context_close(ctx);
    tpusim_context_close(exact_ctx);
}
END_TEST

START_TEST(graph_query_equals_simulate_and_rows_sum_to_total)
{
    tpusim_context *ctx = NULL;
    ck_assert_int_eq(tpusim_context_open(0, &ctx), TPUSIM_OK);
    tpusim_chip *chip = open_chip(ctx, "tpu_v4i", NULL, 0);
    tpusim_graph *g = NULL;
    ck_assert_int_eq(tpusim_graph_new(&g), TPUSIM_OK);
    ck_assert_int_eq(tpusim_graph_build_builtin(g, "demo-cnn"), TPUSIM_OK);
    tpusim_result *res = NULL;
    ck_assert_int_eq(tpusim_result_new(&res), TPUSIM_OK);
    ck_assert_int_eq(tpusim_graph_query(ctx, g, chip, NULL, res), TPUSIM_OK);

    struct chip c;
    char err[512];
    tu_load_chip("tpu_v4i", NULL, 0, &c);
    struct sim_options o = {.cores = 1, .stack = tu_default_stack(&c)};
    struct sim_result sr;
    ck_assert_int_eq(simulate(g, &c, &o, &sr, err, sizeof err), TPUSIM_OK);
    ck_assert_uint_eq(tpusim_result_cycles(res), sr.sum.cycles);
    ck_assert(tpusim_result_seconds(res) == (double)sr.sum.cycles / c.clock_hz);
    ck_assert_uint_eq(tpusim_result_op_count(res), (size_t)sr.n_ops);
    uint64_t sum = 0;
    for (size_t i = 0; i < tpusim_result_op_count(res); i++) {
        tpusim_op_row row;
        ck_assert_int_eq(tpusim_result_op(res, i, &row), TPUSIM_OK);
        ck_assert_str_eq(row.name, g->ops[sr.ops[i].op]->name);
        ck_assert_uint_eq(row.cycles, sr.ops[i].cycles);
        sum += row.cycles;
        uint64_t stalls = 0;
        for (int k = 0; k < TPUSIM_CAUSE_COUNT; k++)
            stalls += row.stall_cycles[k];
        ck_assert_uint_eq(stalls, row.cycles);
        if (row.fused_into >= 0)
            ck_assert_uint_eq(row.cycles, 0);
    }
    ck_assert_uint_eq(sum, sr.sum.cycles);
    tpusim_op_row row;
    ck_assert_int_eq(tpusim_result_op(res, 100000, &row), TPUSIM_ERR_ARG);
    sim_result_free(&sr);

    /* A plan runs many times with the same answer. */
    tpusim_plan *plan = NULL;
    ck_assert_int_eq(tpusim_plan_open(ctx, g, chip, NULL, &plan), TPUSIM_OK);
    for (int i = 0; i < 3; i++) {
        ck_assert_int_eq(tpusim_plan_run(ctx, plan, res), TPUSIM_OK);
        ck_assert_uint_eq(tpusim_result_cycles(res), sum);
    }
    tpusim_plan_close(plan);

    /* An unfinalized graph is a state error with a message. */
    tpusim_graph *empty = NULL;
    ck_assert_int_eq(tpusim_graph_new(&empty), TPUSIM_OK);
    plan = (tpusim_plan *)ctx;
    ck_assert_int_eq(tpusim_plan_open(ctx, empty, chip, NULL, &plan), TPUSIM_ERR_STATE);
    ck_assert_ptr_null(plan);
    ck_assert_ptr_nonnull(strstr(tpusim_errmsg(ctx), "not finalized"));
    tpusim_graph_close(empty);

    /* Edge TPU does not run bf16: the error says so. */
    tpusim_chip *edge = open_chip(ctx, "edgetpu", NULL, 0);
    tpusim_options bf16 = {.dtype = TPUSIM_DT_BFLOAT16};
    ck_assert_int_eq(tpusim_graph_query(ctx, g, edge, &bf16, res), TPUSIM_ERR_UNSUPPORTED);
    ck_assert_ptr_nonnull(strstr(tpusim_errmsg(ctx), "bfloat16"));
    tpusim_chip_close(edge);

    tpusim_result_close(res);
    tpusim_graph_close(g);
    tpusim_chip_close(chip);
    tpusim_context_close(ctx);
}
END_TEST

START_TEST(net_blocks_are_checked_with_messages)
{
    tpusim_net *net = NULL;
    ck_assert_int_eq(tpusim_net_new(&net), TPUSIM_OK);
    ck_assert_int_eq(tpusim_net_reset(net, 1, 3, 0, 224), TPUSIM_ERR_ARG);
    ck_assert_int_eq(tpusim_net_reset(net, 1, 32, 56, 56), TPUSIM_OK);
    tpusim_block b = {.kind = TPUSIM_BLOCK_DW_IBN, .out_channels = 32, .kernel = 4, .stride = 1,
                      .expand = 6, .act = TPUSIM_ACT_RELU};
    ck_assert_int_eq(tpusim_net_add(net, &b), TPUSIM_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(tpusim_net_errmsg(net), "block 0: kernel"));
    b.kernel = 3;
    b.kind = TPUSIM_BLOCK_GC_IBN;
    b.groups = 5;
    ck_assert_int_eq(tpusim_net_add(net, &b), TPUSIM_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(tpusim_net_errmsg(net), "groups 5"));
    b.groups = 4;
    ck_assert_int_eq(tpusim_net_add(net, &b), TPUSIM_OK);
    ck_assert_uint_eq(tpusim_net_block_count(net), 1);
    /* The graph it stands for: grouped conv, BN, relu, project, BN, add. */
    tpusim_graph *g = NULL;
    ck_assert_int_eq(tpusim_graph_new(&g), TPUSIM_OK);
    ck_assert_int_eq(tpusim_net_to_graph(net, g), TPUSIM_OK);
    ck_assert_uint_eq(tpusim_graph_op_count(g), 6);
    tpusim_op_info op;
    ck_assert_int_eq(tpusim_graph_op(g, 0, &op), TPUSIM_OK);
    ck_assert_str_eq(op.name, "b0.fused");
    /* 56x56 x (32/4 x 9) x 192 MACs */
    ck_assert_uint_eq(op.macs, UINT64_C(56) * 56 * 8 * 9 * 192);
    ck_assert_int_eq(tpusim_graph_op(g, 5, &op), TPUSIM_OK);
    ck_assert_str_eq(op.type, "Add");
    tpusim_totals t;
    ck_assert_int_eq(tpusim_net_totals(net, &t), TPUSIM_OK);
    ck_assert_uint_eq(t.ops, 6);
    tpusim_graph_close(g);
    tpusim_net_close(net);
}
END_TEST

/* Cached and exact answers agree on every chip, in every boundary state
 * the candidates reach, while the cache warms up and once it is warm. */
/* What a run of check_cache_exact did to the cache: its final stats, and
 * how many repeated queries (asked only when out is given) were answered
 * without a miss. */
struct cache_outcome {
    tpusim_cache_stats st;
    int all_hit_queries;
};

static void check_cache_exact(const char *chip_name, const char *const *sets, int n_sets,
                              size_t cache_limit, int candidates, int64_t px,
                              struct cache_outcome *out)
{
    int all_hit = 0;
    tpusim_context *ctx = NULL, *exact_ctx = NULL;
    ck_assert_int_eq(tpusim_context_open(cache_limit, &ctx), TPUSIM_OK);
    ck_assert_int_eq(tpusim_context_open(0, &exact_ctx), TPUSIM_OK);
    tpusim_chip *chip = open_chip(ctx, chip_name, sets, n_sets);
    tpusim_net *net = NULL;
    tpusim_result *res = NULL;
    ck_assert_int_eq(tpusim_net_new(&net), TPUSIM_OK);
    ck_assert_int_eq(tpusim_result_new(&res), TPUSIM_OK);
    tpusim_options exact = {.flags = TPUSIM_EXACT};
    uint64_t warm_misses = 0;
    for (int pass = 0; pass < 2; pass++) {
        uint64_t seed = 42;
        for (int i = 0; i < candidates; i++) {
            random_net(net, &seed, 4 + i % 17, px);
            tpusim_summary cached, ref;
            int rc = tpusim_net_query(ctx, chip, net, NULL, res);
            ck_assert_msg(rc == TPUSIM_OK, "%s", tpusim_errmsg(ctx));
            ck_assert_int_eq(tpusim_result_summary(res, &cached), TPUSIM_OK);
            if (pass == 1)
                warm_misses += cached.cache_misses;
            cached.cache_hits = cached.cache_misses = 0;
            tpusim_summary again;
            if (out) { /* the same net at once: its blocks are still cached */
                rc = tpusim_net_query(ctx, chip, net, NULL, res);
                ck_assert_msg(rc == TPUSIM_OK, "%s", tpusim_errmsg(ctx));
                ck_assert_int_eq(tpusim_result_summary(res, &again), TPUSIM_OK);
                all_hit += again.cache_misses == 0;
                again.cache_hits = again.cache_misses = 0;
            }
            rc = tpusim_net_query(exact_ctx, chip, net, &exact, res);
            ck_assert_msg(rc == TPUSIM_OK, "%s", tpusim_errmsg(exact_ctx));
            summary_of(res, &ref);
            char what[128];
            snprintf(what, sizeof what, "%s candidate %d pass %d", chip_name, i, pass);
            expect_same(&cached, &ref, what);
            if (out)
                expect_same(&again, &ref, what);
        }
    }
    tpusim_cache_stats st;
    ck_assert_int_eq(tpusim_cache_stats_get(ctx, &st), TPUSIM_OK);
    ck_assert(st.bytes <= st.limit_bytes);
    if (!st.flushes) /* a cache that held everything answers the second pass alone */
        ck_assert_uint_eq(warm_misses, 0);
    tpusim_cache_stats exact_st;
    ck_assert_int_eq(tpusim_cache_stats_get(exact_ctx, &exact_st), TPUSIM_OK);
    ck_assert_uint_eq(exact_st.entries, 0); /* exact mode never touches the cache */
    if (out) {
        out->st = st;
        out->all_hit_queries = all_hit;
    }
    tpusim_result_close(res);
    tpusim_net_close(net);
    tpusim_chip_close(chip);
    tpusim_context_close(exact_ctx);
    tpusim_context_close(ctx);
}

START_TEST(cached_net_query_equals_exact_on_every_chip)
{
    static const char *const chips[] = {"tpu_v2", "tpu_v3", "tpu_v4i", "edgetpu", "gpu_v100"};
    for (size_t i = 0; i < sizeof chips / sizeof chips[0]; i++)
        check_cache_exact(chips[i], NULL, 0, 0, 30, 224, NULL);
}
END_TEST

START_TEST(cached_equals_exact_when_memory_and_parameter_cache_are_tight)
{
    /* Activations that do not fit (capacity below a block's bound) and an
     * Edge TPU parameter cache that runs out part way through a block. */
    const char *small_vmem[] = {"sram.vmem_bytes=1048576", "sram.cmem_bytes=0"};
    check_cache_exact("tpu_v3", small_vmem, 2, 0, 24, 320, NULL);
    const char *small_cache[] = {"sram.param_cache_bytes=300000"};
    check_cache_exact("edgetpu", small_cache, 1, 0, 24, 160, NULL);
    const char *v4i_tight[] = {"sram.cmem_bytes=2097152"};
    check_cache_exact("tpu_v4i", v4i_tight, 1, 0, 24, 224, NULL);
}
END_TEST

START_TEST(cache_memory_is_bounded_and_flushing_keeps_answers_exact)
{
    /* 64 KiB holds a few nets' blocks, not 30: the cache must flush, hit
     * between flushes, and answer a net asked twice in a row from the
     * cache alone. */
    struct cache_outcome co;
    check_cache_exact("tpu_v3", NULL, 0, 64 << 10, 30, 224, &co);
    ck_assert_uint_gt(co.st.flushes, 0);
    ck_assert_uint_gt(co.st.hits, 0);
    ck_assert_int_gt(co.all_hit_queries, 0);
    tpusim_context *ctx = NULL;
    ck_assert_int_eq(tpusim_context_open(1, &ctx), TPUSIM_OK); /* raised to the minimum */
    tpusim_cache_stats st;
    ck_assert_int_eq(tpusim_cache_stats_get(ctx, &st), TPUSIM_OK);
    ck_assert_uint_eq(st.limit_bytes, 64 << 10);
    tpusim_context_close(ctx);
}
END_TEST

START_TEST(per_op_rows_of_a_net_match_its_graph)
{
    tpusim_context *ctx = NULL;
    ck_assert_int_eq(tpusim_context_open(0, &ctx), TPUSIM_OK);
    tpusim_chip *chip = open_chip(ctx, "tpu_v3", NULL, 0);
    tpusim_net *net = NULL;
    tpusim_result *res = NULL;
    ck_assert_int_eq(tpusim_net_new(&net), TPUSIM_OK);
    ck_assert_int_eq(tpusim_result_new(&res), TPUSIM_OK);
    uint64_t seed = 7;
    random_net(net, &seed, 8, 224);
    tpusim_options per_op = {.flags = TPUSIM_PER_OP};
    ck_assert_int_eq(tpusim_net_query(ctx, chip, net, &per_op, res), TPUSIM_OK);
    size_t n = tpusim_result_op_count(res);
    uint64_t total = tpusim_result_cycles(res);
    tpusim_graph *g = NULL;
    ck_assert_int_eq(tpusim_graph_new(&g), TPUSIM_OK);
    ck_assert_int_eq(tpusim_net_to_graph(net, g), TPUSIM_OK);
    ck_assert_uint_eq(n, tpusim_graph_op_count(g));
    tpusim_op_row row;
    ck_assert_int_eq(tpusim_result_op(res, 0, &row), TPUSIM_OK);
    ck_assert_str_eq(row.name, "b0.conv");
    /* The same net as a graph query: the same total. Then a cached query
     * (no rows) gives it again. */
    ck_assert_int_eq(tpusim_graph_query(ctx, g, chip, NULL, res), TPUSIM_OK);
    ck_assert_uint_eq(tpusim_result_cycles(res), total);
    ck_assert_int_eq(tpusim_net_query(ctx, chip, net, NULL, res), TPUSIM_OK);
    ck_assert_uint_eq(tpusim_result_cycles(res), total);
    ck_assert_uint_eq(tpusim_result_op_count(res), 0);
    tpusim_summary s;
    ck_assert_int_eq(tpusim_result_summary(res, &s), TPUSIM_OK);
    ck_assert_uint_eq(s.cache_misses, 0);
    ck_assert_uint_eq(s.ops, n);
    tpusim_graph_close(g);
    tpusim_result_close(res);
    tpusim_net_close(net);
    tpusim_chip_close(chip);
    tpusim_context_close(ctx);
}
END_TEST

/* Row index of the op named `name` in a per-op result (-1: none). */
static int64_t row_named(const tpusim_result *res, const char *name)
{
    for (size_t i = 0; i < tpusim_result_op_count(res); i++) {
        tpusim_op_row row;
        ck_assert_int_eq(tpusim_result_op(res, i, &row), TPUSIM_OK);
        if (strcmp(row.name, name) == 0)
            return (int64_t)i;
    }
    return -1;
}

/* A fused-IBN block without expansion ends with its squeeze-and-excitation
 * scale, which under XLA joins the next block's first conv as a prologue
 * of its operand (lower.c: operand_host), across the block boundary: the
 * boundary carries what the scale reads there (cache.h: in_prologue*).
 * The same next block after a block without SE is another entry, and
 * every cached answer equals the exact one. */
START_TEST(a_prologue_across_a_block_boundary_is_cached_exactly)
{
    tpusim_context *ctx = NULL, *exact_ctx = NULL;
    ck_assert_int_eq(tpusim_context_open(0, &ctx), TPUSIM_OK);
    ck_assert_int_eq(tpusim_context_open(0, &exact_ctx), TPUSIM_OK);
    tpusim_chip *chip = open_chip(ctx, "tpu_v3", NULL, 0);
    tpusim_net *net = NULL;
    tpusim_result *res = NULL;
    ck_assert_int_eq(tpusim_net_new(&net), TPUSIM_OK);
    ck_assert_int_eq(tpusim_result_new(&res), TPUSIM_OK);
    tpusim_options exact = {.flags = TPUSIM_EXACT | TPUSIM_PER_OP};
    const int se[] = {1, 0, 1};
    for (size_t i = 0; i < sizeof se / sizeof se[0]; i++) {
        ck_assert_int_eq(tpusim_net_reset(net, 32, 3, 224, 224), TPUSIM_OK);
        tpusim_block blocks[] = {
            {.kind = TPUSIM_BLOCK_CONV, .out_channels = 32, .kernel = 3, .stride = 2,
             .groups = 1, .act = TPUSIM_ACT_SWISH},
            {.kind = TPUSIM_BLOCK_FUSED_IBN, .out_channels = 32, .kernel = 3, .stride = 2,
             .expand = 1, .groups = 1, .act = TPUSIM_ACT_SWISH, .se = se[i]},
            {.kind = TPUSIM_BLOCK_DW_IBN, .out_channels = 48, .kernel = 3, .stride = 1,
             .expand = 4, .groups = 1, .act = TPUSIM_ACT_SWISH, .se = 1},
            {.kind = TPUSIM_BLOCK_HEAD, .out_channels = 256, .act = TPUSIM_ACT_SWISH,
             .classes = 10},
        };
        for (size_t b = 0; b < sizeof blocks / sizeof blocks[0]; b++)
            ck_assert_int_eq(tpusim_net_add(net, &blocks[b]), TPUSIM_OK);
        ck_assert_int_eq(tpusim_net_query(exact_ctx, chip, net, &exact, res), TPUSIM_OK);
        int64_t scale = row_named(res, "b1.se.scale"), next = row_named(res, "b2.expand");
        ck_assert_int_ge(next, 0);
        if (se[i]) {
            tpusim_op_row row;
            ck_assert_int_eq(tpusim_result_op(res, (size_t)scale, &row), TPUSIM_OK);
            ck_assert_int_eq(row.fused_into, next);
        } else {
            ck_assert_int_eq(scale, -1);
        }
        tpusim_summary ref, cold, warm;
        summary_of(res, &ref);
        ck_assert_int_eq(tpusim_net_query(ctx, chip, net, NULL, res), TPUSIM_OK);
        summary_of(res, &cold);
        ck_assert_int_eq(tpusim_net_query(ctx, chip, net, NULL, res), TPUSIM_OK);
        summary_of(res, &warm);
        char what[64];
        snprintf(what, sizeof what, "net %zu (se %d)", i, se[i]);
        expect_same(&cold, &ref, what);
        expect_same(&warm, &ref, what);
    }
    tpusim_result_close(res);
    tpusim_net_close(net);
    tpusim_chip_close(chip);
    tpusim_context_close(exact_ctx);
    tpusim_context_close(ctx);
}
END_TEST

/* The block cache across activation capacities (cache.h). On tpu_v4i the
 * capacity is 16 MiB VMEM + 128 MiB CMEM less the net's parameters when
 * they all fit CMEM (chip.ini; lower_capacity_bytes), so it differs from
 * net to net. Under XLA a bf16 1 x 32 x 224 x 224 activation is laid out
 * in T(8,128) tiles, spatial dims major: the batch of 1 pads to 8
 * sublanes and the 32 channels to 128 lanes, 224 * 224 * 8 * 128 * 2
 * bytes; the 3-channel input pads to the same. */
#define V4I_ACTIVATION_ROOM ((UINT64_C(16) << 20) + (UINT64_C(128) << 20))
#define BIG_ACT_BYTES (UINT64_C(224) * 224 * 8 * 128 * 2) /* 102,760,448 */

static uint64_t v4i_capacity(uint64_t param_bytes)
{
    return V4I_ACTIVATION_ROOM - param_bytes;
}

static void add_block(tpusim_net *net, int kind, int out, int kernel, int stride, int classes)
{
    tpusim_block b = {.kind = kind, .out_channels = out, .kernel = kernel, .stride = stride,
                      .groups = 1, .act = TPUSIM_ACT_RELU, .classes = classes};
    ck_assert_int_eq(tpusim_net_add(net, &b), TPUSIM_OK);
}

/* Two CONV blocks at 224 x 224 (32 channels: BIG_ACT_BYTES each), three
 * stride-2 ones down to 28 x 28, two 256-channel convs (kernels kp, kq:
 * only their parameters differ) and a head with `classes` outputs. Each
 * block's kernel streams its input, which is released before its output
 * is placed: b0's and b1's outputs stay on chip when the capacity is at
 * least BIG_ACT_BYTES, and are written to HBM below that. */
static void capacity_net(tpusim_net *net, int stem_kernel, int kp, int kq, int classes)
{
    ck_assert_int_eq(tpusim_net_reset(net, 1, 3, 224, 224), TPUSIM_OK);
    add_block(net, TPUSIM_BLOCK_CONV, 32, stem_kernel, 1, 0);
    add_block(net, TPUSIM_BLOCK_CONV, 32, 3, 1, 0);
    for (int i = 0; i < 3; i++)
        add_block(net, TPUSIM_BLOCK_CONV, 32, 3, 2, 0);
    add_block(net, TPUSIM_BLOCK_CONV, 256, kp, 1, 0);
    add_block(net, TPUSIM_BLOCK_CONV, 256, kq, 1, 0);
    add_block(net, TPUSIM_BLOCK_HEAD, 1280, 0, 0, classes);
}

enum { CAPACITY_NET_BLOCKS = 8 };

/* The lowering's record for the op named `name`: [lo, hi) of capacities. */
static void op_capacity_interval(tpusim_net *net, const char *name, uint64_t *lo, uint64_t *hi)
{
    tpusim_graph *g = NULL;
    ck_assert_int_eq(tpusim_graph_new(&g), TPUSIM_OK);
    ck_assert_int_eq(tpusim_net_to_graph(net, g), TPUSIM_OK);
    struct chip c;
    tu_load_chip("tpu_v4i", NULL, 0, &c);
    struct sim_options o = {.cores = 1, .stack = tu_default_stack(&c)};
    struct op_demand *d = NULL;
    int n = 0;
    uint64_t params = 0, on_chip = 0;
    char err[256];
    ck_assert_int_eq(lower_graph(g, &c, &o, &d, &n, &params, &on_chip, err, sizeof err),
                     TPUSIM_OK);
    int index = tu_find_op(g, name)->index, found = 0;
    for (int i = 0; i < n; i++)
        if (d[i].op == index) {
            *lo = d[i].capacity_lo_bytes;
            *hi = d[i].capacity_hi_bytes;
            found++;
        }
    ck_assert_int_eq(found, 1);
    free(d);
    tpusim_graph_close(g);
}

START_TEST(lowering_records_the_capacities_its_residency_decisions_hold_for)
{
    tpusim_net *net = NULL;
    ck_assert_int_eq(tpusim_net_new(&net), TPUSIM_OK);
    uint64_t lo, hi;
    /* About 3.5 MB of parameters: b0's output fits (need BIG_ACT_BYTES, the
     * input is the model's and never on chip), and so it would for every
     * capacity from there up. */
    capacity_net(net, 3, 1, 1, 1000);
    op_capacity_interval(net, "b0.act", &lo, &hi);
    ck_assert_uint_eq(lo, BIG_ACT_BYTES);
    ck_assert_uint_eq(hi, UINT64_MAX);
    /* b1's conv released b0's output first: its need is BIG_ACT_BYTES too. */
    op_capacity_interval(net, "b1.act", &lo, &hi);
    ck_assert_uint_eq(lo, BIG_ACT_BYTES);
    ck_assert_uint_eq(hi, UINT64_MAX);
    /* The conv's own output never leaves the kernel: no decision. */
    op_capacity_interval(net, "b0.conv", &lo, &hi);
    ck_assert_uint_eq(lo, 0);
    ck_assert_uint_eq(hi, UINT64_MAX);
    /* 20,000 classes: 1280 x 20,000 bf16 weights, 51.2 MB, leave less
     * than BIG_ACT_BYTES: b0's output spills, as it would for every
     * capacity below its need. */
    capacity_net(net, 3, 1, 1, 20000);
    op_capacity_interval(net, "b0.act", &lo, &hi);
    ck_assert_uint_eq(lo, 0);
    ck_assert_uint_eq(hi, BIG_ACT_BYTES);
    tpusim_net_close(net);
}
END_TEST

/* One query of `net` on both contexts: the cached summary (with its hits
 * and misses) and b0's conv row of the exact one, which must agree. */
struct capacity_query {
    tpusim_summary s;
    uint64_t capacity, b0_hbm_bytes;
};

static struct capacity_query query_both(tpusim_context *ctx, tpusim_context *exact_ctx,
                                        const tpusim_chip *chip, const tpusim_net *net,
                                        tpusim_result *res, const char *what)
{
    struct capacity_query q;
    tpusim_summary cached, ref;
    ck_assert_int_eq(tpusim_net_query(ctx, chip, net, NULL, res), TPUSIM_OK);
    ck_assert_int_eq(tpusim_result_summary(res, &q.s), TPUSIM_OK);
    summary_of(res, &cached);
    tpusim_options exact = {.flags = TPUSIM_EXACT | TPUSIM_PER_OP};
    ck_assert_int_eq(tpusim_net_query(exact_ctx, chip, net, &exact, res), TPUSIM_OK);
    summary_of(res, &ref);
    expect_same(&cached, &ref, what);
    tpusim_op_row row;
    ck_assert_int_eq(tpusim_result_op(res, (size_t)row_named(res, "b0.conv"), &row), TPUSIM_OK);
    q.b0_hbm_bytes = row.hbm_bytes;
    q.capacity = v4i_capacity(ref.param_bytes);
    return q;
}

/* b0 and b1 need more than the capacity for their input and output
 * together (the key once held the capacity itself for them, so every net
 * with other parameter bytes missed). Net C mixes the blocks of A and B:
 * every block is known in its boundary state, its capacity is neither A's
 * nor B's but lies in the same intervals, and C is answered from the
 * cache alone with the exact numbers. */
START_TEST(a_net_over_the_capacity_hits_after_nets_with_other_parameter_bytes)
{
    tpusim_context *ctx = NULL, *exact_ctx = NULL;
    ck_assert_int_eq(tpusim_context_open(0, &ctx), TPUSIM_OK);
    ck_assert_int_eq(tpusim_context_open(0, &exact_ctx), TPUSIM_OK);
    tpusim_chip *chip = open_chip(ctx, "tpu_v4i", NULL, 0);
    tpusim_net *net = NULL;
    tpusim_result *res = NULL;
    ck_assert_int_eq(tpusim_net_new(&net), TPUSIM_OK);
    ck_assert_int_eq(tpusim_result_new(&res), TPUSIM_OK);
    const int kernels[3][2] = {{1, 1}, {3, 3}, {1, 3}};
    struct capacity_query q[3];
    for (int i = 0; i < 3; i++) {
        capacity_net(net, 3, kernels[i][0], kernels[i][1], 1000);
        char what[32];
        snprintf(what, sizeof what, "net %c", "ABC"[i]);
        q[i] = query_both(ctx, exact_ctx, chip, net, res, what);
        ck_assert_uint_ge(q[i].capacity, BIG_ACT_BYTES);
        ck_assert_uint_lt(q[i].capacity, 2 * BIG_ACT_BYTES);
        ck_assert_uint_eq(q[i].b0_hbm_bytes, BIG_ACT_BYTES); /* its input only */
    }
    ck_assert_uint_ne(q[2].capacity, q[0].capacity);
    ck_assert_uint_ne(q[2].capacity, q[1].capacity);
    ck_assert_uint_gt(q[1].s.cache_misses, 0);
    ck_assert_uint_eq(q[2].s.cache_misses, 0);
    ck_assert_uint_eq(q[2].s.cache_hits, 2 * CAPACITY_NET_BLOCKS);
    tpusim_result_close(res);
    tpusim_net_close(net);
    tpusim_chip_close(chip);
    tpusim_context_close(exact_ctx);
    tpusim_context_close(ctx);
}
END_TEST

/* Net X has A's blocks (stem kernel 3) and H's head (20,000 classes): its
 * capacity is below BIG_ACT_BYTES, so b0's output spills where A's stayed
 * on chip. H (stem kernel 5, the same output) made every other block
 * known in X's boundary states: X's only miss is b0's interval. Asked
 * again, X finds b0's second interval, A its first. */
START_TEST(a_capacity_across_a_threshold_misses_then_hits_its_own_interval)
{
    tpusim_context *ctx = NULL, *exact_ctx = NULL;
    ck_assert_int_eq(tpusim_context_open(0, &ctx), TPUSIM_OK);
    ck_assert_int_eq(tpusim_context_open(0, &exact_ctx), TPUSIM_OK);
    tpusim_chip *chip = open_chip(ctx, "tpu_v4i", NULL, 0);
    tpusim_net *net = NULL;
    tpusim_result *res = NULL;
    ck_assert_int_eq(tpusim_net_new(&net), TPUSIM_OK);
    ck_assert_int_eq(tpusim_result_new(&res), TPUSIM_OK);
    capacity_net(net, 3, 1, 1, 1000);
    struct capacity_query a = query_both(ctx, exact_ctx, chip, net, res, "net A");
    ck_assert_uint_ge(a.capacity, BIG_ACT_BYTES);
    capacity_net(net, 5, 1, 1, 20000);
    struct capacity_query h = query_both(ctx, exact_ctx, chip, net, res, "net H");
    ck_assert_uint_lt(h.capacity, BIG_ACT_BYTES);
    ck_assert_uint_eq(h.b0_hbm_bytes, 2 * BIG_ACT_BYTES); /* input read, output written */
    capacity_net(net, 3, 1, 1, 20000);
    struct capacity_query x = query_both(ctx, exact_ctx, chip, net, res, "net X");
    ck_assert_uint_lt(x.capacity, BIG_ACT_BYTES);
    ck_assert_uint_eq(x.b0_hbm_bytes, 2 * BIG_ACT_BYTES);
    ck_assert_uint_eq(x.s.cache_hits, CAPACITY_NET_BLOCKS); /* every stage-1 entry */
    ck_assert_uint_eq(x.s.cache_misses, 1);                 /* b0 in A's interval: no */
    ck_assert_uint_ne(x.s.cycles, a.s.cycles);
    struct capacity_query again = query_both(ctx, exact_ctx, chip, net, res, "net X again");
    ck_assert_uint_eq(again.s.cache_misses, 0);
    capacity_net(net, 3, 1, 1, 1000);
    again = query_both(ctx, exact_ctx, chip, net, res, "net A again");
    ck_assert_uint_eq(again.s.cache_misses, 0);
    ck_assert_uint_eq(again.s.cycles, a.s.cycles);
    tpusim_result_close(res);
    tpusim_net_close(net);
    tpusim_chip_close(chip);
    tpusim_context_close(exact_ctx);
    tpusim_context_close(ctx);
}
END_TEST

static const struct block_val *find_at(struct block_cache *bc, const struct block_key *k,
                                       uint64_t capacity)
{
    return cache_find_capacity(bc, k, cache_hash(k), capacity);
}

static void put_interval(struct block_cache *bc, const struct block_key *k, uint64_t lo,
                         uint64_t hi, uint64_t cycles)
{
    struct block_val v;
    memset(&v, 0, sizeof v);
    v.capacity_lo_bytes = lo;
    v.capacity_hi_bytes = hi;
    v.sum.cycles = cycles;
    ck_assert_int_eq(cache_put_capacity(bc, k, cache_hash(k), &v), TPUSIM_OK);
}

/* The value found for a capacity, by its cycles (0: none). */
static uint64_t cycles_at(struct block_cache *bc, const struct block_key *k, uint64_t capacity)
{
    const struct block_val *v = find_at(bc, k, capacity);
    return v ? v->sum.cycles : 0;
}

/* cache.c alone: an interval holds its lower bound, not its upper; three
 * intervals of one key are each found, a lookup counts once however far
 * it walks, a value stored again replaces its interval's, and a flush
 * while an interval is stored leaves it the key's first. */
START_TEST(capacity_intervals_are_found_linked_and_flushed_whole)
{
    struct block_cache bc;
    cache_init(&bc, CACHE_MIN_BYTES);
    struct block_key k;
    memset(&k, 0, sizeof k);
    k.stage = 2;
    k.chip_fp = 1;
    put_interval(&bc, &k, 100, 200, 11);
    ck_assert_uint_eq(cycles_at(&bc, &k, 99), 0);
    ck_assert_uint_eq(cycles_at(&bc, &k, 100), 11);
    ck_assert_uint_eq(cycles_at(&bc, &k, 199), 11);
    ck_assert_uint_eq(cycles_at(&bc, &k, 200), 0);
    put_interval(&bc, &k, 200, 300, 22);
    put_interval(&bc, &k, 0, 100, 33);
    ck_assert_uint_eq(bc.used, 3);
    uint64_t hits = bc.hits, misses = bc.misses;
    ck_assert_uint_eq(cycles_at(&bc, &k, 50), 33);
    ck_assert_uint_eq(cycles_at(&bc, &k, 150), 11);
    ck_assert_uint_eq(cycles_at(&bc, &k, 250), 22);
    ck_assert_uint_eq(cycles_at(&bc, &k, 300), 0);
    ck_assert_uint_eq(bc.hits - hits, 3);
    ck_assert_uint_eq(bc.misses - misses, 1);
    put_interval(&bc, &k, 200, 300, 44);
    put_interval(&bc, &k, 100, 200, 55);
    ck_assert_uint_eq(bc.used, 3);
    ck_assert_uint_eq(cycles_at(&bc, &k, 250), 44);
    ck_assert_uint_eq(cycles_at(&bc, &k, 50), 33);
    ck_assert_uint_eq(cycles_at(&bc, &k, 150), 55);
    /* Other keys up to the point where the next entry empties the table
     * (at its byte limit, half full). */
    struct block_key other = k;
    while ((bc.used + 1) * 2 <= bc.cap ||
           bc.cap * 2 * sizeof(struct cache_slot) <= bc.limit_bytes) {
        other.chip_fp++;
        put_interval(&bc, &other, 0, 1, 1);
    }
    ck_assert_uint_eq(bc.flushes, 0);
    put_interval(&bc, &k, 300, 400, 66);
    ck_assert_uint_eq(bc.flushes, 1);
    ck_assert_uint_eq(bc.used, 1);
    ck_assert_uint_eq(cycles_at(&bc, &k, 350), 66);
    ck_assert_uint_eq(cycles_at(&bc, &k, 150), 0);
    cache_free(&bc);
}
END_TEST

Suite *api_suite(void)
{
    Suite *s = suite_create("api");
    TCase *tc = tcase_create("api");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, version_macro_matches_runtime);
    tcase_add_test(tc, energy_and_power_through_the_api);
    tcase_add_test(tc, closing_null_is_a_no_op_and_null_args_are_errors);
    tcase_add_test(tc, a_derived_chip_equals_one_opened_with_all_its_overrides);
    tcase_add_test(tc, chip_open_errors_name_the_chip_or_key_and_leave_out_null);
    tcase_add_test(tc, a_query_runs_under_the_stack_its_options_name);
    tcase_add_test(tc, cached_net_query_is_exact_under_any_stack);
    tcase_add_test(tc, graph_query_equals_simulate_and_rows_sum_to_total);
    tcase_add_test(tc, net_blocks_are_checked_with_messages);
    tcase_add_test(tc, cached_net_query_equals_exact_on_every_chip);
    tcase_add_test(tc, cached_equals_exact_when_memory_and_parameter_cache_are_tight);
    tcase_add_test(tc, cache_memory_is_bounded_and_flushing_keeps_answers_exact);
    tcase_add_test(tc, per_op_rows_of_a_net_match_its_graph);
    tcase_add_test(tc, a_prologue_across_a_block_boundary_is_cached_exactly);
    tcase_add_test(tc, lowering_records_the_capacities_its_residency_decisions_hold_for);
    tcase_add_test(tc, a_net_over_the_capacity_hits_after_nets_with_other_parameter_bytes);
    tcase_add_test(tc, a_capacity_across_a_threshold_misses_then_hits_its_own_interval);
    tcase_add_test(tc, capacity_intervals_are_found_linked_and_flushed_whole);
    suite_add_tcase(s, tc);
    return s;
}
