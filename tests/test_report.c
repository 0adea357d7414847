/*
 * test_report.c — the report's derived numbers (sim/report.c), the
 * comparison of two chips, the figures' data files (traces/plot.c) and the
 * trace writer's failure paths (traces/trace.c). Expectations come from
 * the definitions (padding = slots - useful, shares add to one), not from
 * the simulator's output.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "plot.h"
#include "report.h"
#include "suites.h"
#include "testutil.h"
#include "text.h"
#include "trace.h"

static tpusim_graph *demo(void)
{
    tpusim_graph *g = tu_new();
    ck_assert_int_eq(tpusim_graph_build_builtin(g, "demo-cnn"), TPUSIM_OK);
    return g;
}

static void simulate_ok(const tpusim_graph *g, const struct chip *c, struct sim_result *r,
                        struct report *rp)
{
    char err[1024];
    struct sim_options o = {.dtype = TPUSIM_DT_UNDEFINED, .cores = 1, .engine = ENGINE_EVENT,
                            .stack = tu_default_stack(c)};
    ck_assert_msg(simulate(g, c, &o, r, err, sizeof err) == TPUSIM_OK, "%s", err);
    ck_assert_msg(report_build(r, rp, err, sizeof err) == TPUSIM_OK, "%s", err);
}

START_TEST(padding_is_slots_minus_useful_and_shares_add_to_one)
{
    /* K = 129 on tpu_v3's 128-row arrays: two k-tiles, the second almost
     * all padding. N = 128 is one n-tile, so the compiler splits the 1024
     * rows over the core's two MXUs: each streams 512 rows through both
     * k-tiles. Slots 2 MXUs x 2 k-tiles x 128 x 128 x 512 rows = 33554432,
     * useful 1024 x 129 x 128 = 16908288, padding 16646144, busy
     * utilisation 16908288 / 33554432 = 129/256. */
    tpusim_graph *g = tu_gemm(1024, 129, 128);
    struct chip c;
    struct sim_result r;
    struct report rp;
    tu_load_chip("tpu_v3", NULL, 0, &c);
    simulate_ok(g, &c, &r, &rp);
    const struct report_op *o = &rp.ops[0];
    ck_assert(o->on_mxu);
    ck_assert_uint_eq(o->res->mac_slots, UINT64_C(33554432));
    ck_assert_uint_eq(o->res->useful_macs, UINT64_C(16908288));
    ck_assert_uint_eq(o->padding_macs, UINT64_C(16646144));
    ck_assert_double_eq(o->mxu_util_busy, 129.0 / 256.0);
    ck_assert(o->mxu_util_time <= o->mxu_util_busy + 1e-12);
    double sum = 0;
    for (int k = 0; k < CAUSE_COUNT; k++)
        sum += o->cause_share[k];
    ck_assert_double_eq_tol(sum, 1.0, 1e-9);
    /* FLOPs / peak can never exceed the simulated time. */
    ck_assert_msg(o->proxy_error >= 1.0, "proxy error %f", o->proxy_error);
    ck_assert_double_eq_tol(rp.proxy_error, o->proxy_error, 1e-9);
    report_free(&rp);
    sim_result_free(&r);
    tpusim_graph_close(g);
}
END_TEST

START_TEST(groups_and_top_ops_cover_the_model)
{
    tpusim_graph *g = demo();
    struct chip c;
    struct sim_result r;
    struct report rp;
    tu_load_chip("tpu_v2", NULL, 0, &c);
    simulate_ok(g, &c, &r, &rp);
    uint64_t by_type = 0, by_bound = 0;
    for (int i = 0; i < rp.n_types; i++)
        by_type += rp.by_type[i].cycles;
    for (int k = 0; k < CAUSE_COUNT; k++)
        by_bound += rp.by_bound[k].cycles;
    ck_assert_uint_eq(by_type, r.sum.cycles);
    ck_assert_uint_eq(by_bound, r.sum.cycles);
    ck_assert_int_le(rp.n_top, REPORT_TOP);
    ck_assert_int_eq(rp.n_top, rp.n_run < REPORT_TOP ? rp.n_run : REPORT_TOP);
    for (int i = 1; i < rp.n_top; i++)
        ck_assert_uint_ge(rp.ops[rp.top[i - 1]].res->cycles, rp.ops[rp.top[i]].res->cycles);
    /* No op outside the top list takes longer than the last one in it. */
    uint64_t last = rp.ops[rp.top[rp.n_top - 1]].res->cycles;
    for (int i = 0; i < rp.n_ops; i++) {
        bool in_top = false;
        for (int k = 0; k < rp.n_top; k++)
            in_top = in_top || rp.top[k] == i;
        if (!in_top && rp.ops[i].res->fused_into < 0)
            ck_assert_uint_le(rp.ops[i].res->cycles, last);
    }
    /* Fused ops show up in their host's kind. */
    bool plus = false;
    for (int i = 0; i < rp.n_ops; i++)
        plus = plus || strchr(rp.ops[i].kind, '+') != NULL;
    ck_assert(plus);
    report_free(&rp);
    sim_result_free(&r);
    tpusim_graph_close(g);
}
END_TEST

START_TEST(blocks_partition_the_running_ops)
{
    tpusim_graph *g = demo();
    struct chip c;
    struct sim_result r;
    struct report rp;
    tu_load_chip("tpu_v3", NULL, 0, &c);
    simulate_ok(g, &c, &r, &rp);
    const int limits[] = {1, 3, 4, 100};
    for (size_t l = 0; l < sizeof limits / sizeof limits[0]; l++) {
        struct report_group *b;
        int n;
        ck_assert_int_eq(report_blocks(&rp, limits[l], &b, &n), TPUSIM_OK);
        ck_assert_int_le(n, limits[l]);
        int ops = 0;
        uint64_t cycles = 0;
        for (int i = 0; i < n; i++) {
            ops += b[i].ops;
            cycles += b[i].cycles;
            if (i)
                ck_assert_int_gt(b[i].first, b[i - 1].last);
        }
        ck_assert_int_eq(ops, rp.n_run);
        ck_assert_uint_eq(cycles, r.sum.cycles);
        free(b);
    }
    report_free(&rp);
    sim_result_free(&r);
    tpusim_graph_close(g);
}
END_TEST

START_TEST(a_chip_against_itself_is_speedup_one)
{
    tpusim_graph *g = demo();
    struct chip c;
    struct sim_result ra, rb;
    struct report a, b;
    tu_load_chip("tpu_v3", NULL, 0, &c);
    simulate_ok(g, &c, &ra, &a);
    simulate_ok(g, &c, &rb, &b);
    struct comparison cmp;
    char err[256], why[2048];
    ck_assert_int_eq(compare_build(&a, &b, &cmp, err, sizeof err), TPUSIM_OK);
    ck_assert_double_eq_tol(cmp.speedup, 1.0, 1e-12);
    ck_assert_double_eq_tol(cmp.peak_ratio, 1.0, 1e-12);
    ck_assert_int_eq(cmp.n_moved, 0);
    compare_explain(&cmp, "demo", why, sizeof why);
    ck_assert_msg(strstr(why, "100% of the peak ratio") && strstr(why, "whole peak ratio"), "%s",
                  why);
    /* A short buffer truncates, never overflows. */
    char tiny[16];
    compare_explain(&cmp, "demo", tiny, sizeof tiny);
    ck_assert_uint_eq(strlen(tiny), sizeof tiny - 1);
    compare_free(&cmp);
    report_free(&a);
    report_free(&b);
    sim_result_free(&ra);
    sim_result_free(&rb);
    tpusim_graph_close(g);
}
END_TEST

START_TEST(v2_to_v4i_loses_the_peak_ratio_and_says_where)
{
    tpusim_graph *g = demo();
    struct chip c2, c4;
    struct sim_result ra, rb;
    struct report a, b;
    tu_load_chip("tpu_v2", NULL, 0, &c2);
    tu_load_chip("tpu_v4i", NULL, 0, &c4);
    simulate_ok(g, &c2, &ra, &a);
    simulate_ok(g, &c4, &rb, &b);
    struct comparison cmp;
    char err[256], why[2048];
    ck_assert_int_eq(compare_build(&a, &b, &cmp, err, sizeof err), TPUSIM_OK);
    double want = c4.peak_flops_per_s_core / c2.peak_flops_per_s_core;
    ck_assert_double_eq_tol(cmp.peak_ratio, want, 1e-9);
    ck_assert_double_eq_tol(cmp.speedup, a.latency_us / b.latency_us, 1e-9);
    ck_assert(cmp.speedup > 1 && cmp.speedup < cmp.peak_ratio);
    compare_explain(&cmp, "demo", why, sizeof why);
    ck_assert_msg(strstr(why, "of tpu_v2's time was") && strstr(why, "gained only"), "%s", why);
    compare_free(&cmp);
    report_free(&a);
    report_free(&b);
    sim_result_free(&ra);
    sim_result_free(&rb);
    tpusim_graph_close(g);
}
END_TEST

static int count_lines(const char *path, bool data_only)
{
    FILE *f = fopen(path, "r");
    ck_assert_msg(f != NULL, "%s", path);
    char line[4096];
    int n = 0;
    while (fgets(line, sizeof line, f))
        if (!data_only || (line[0] == '"' || (line[0] >= '0' && line[0] <= '9')))
            n++;
    fclose(f);
    return n;
}

START_TEST(figure_data_has_one_row_per_point_and_bar)
{
    tpusim_graph *g = demo();
    struct chip c;
    struct sim_result r;
    struct report rp;
    tu_load_chip("tpu_v3", NULL, 0, &c);
    simulate_ok(g, &c, &r, &rp);
    char dir[] = "/tmp/tpusim_plotXXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char err[1024], path[1200];
    int points, series, bars, causes;
    ck_assert_int_eq(plot_roofline(dir, "roof", &rp, "demo", &points, &series, err, sizeof err),
                     TPUSIM_OK);
    int want = 0;
    for (int i = 0; i < rp.n_ops; i++)
        want += rp.ops[i].res->fused_into < 0 && rp.ops[i].res->flops > 0;
    ck_assert_int_eq(points, want);
    snprintf(path, sizeof path, "%s/roof.dat", dir);
    ck_assert_int_eq(count_lines(path, true), points);
    ck_assert_int_eq(plot_causes(dir, "causes", &rp, "demo", &bars, &causes, err, sizeof err),
                     TPUSIM_OK);
    ck_assert_int_eq(bars, rp.n_run); /* demo-cnn is short: one bar per op */
    snprintf(path, sizeof path, "%s/causes.dat", dir);
    ck_assert_int_eq(count_lines(path, true), bars);
    /* A directory that does not exist is an error naming the file. */
    ck_assert_int_eq(plot_causes("/nonexistent/dir", "c", &rp, "demo", &bars, &causes, err,
                                 sizeof err),
                     TPUSIM_ERR_IO);
    ck_assert_msg(strstr(err, "/nonexistent/dir/c.dat") != NULL, "%s", err);
    const char *files[] = {"roof.dat", "roof.gp", "causes.dat", "causes.gp"};
    for (size_t i = 0; i < 4; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        ck_assert_int_eq(unlink(path), 0);
    }
    rmdir(dir);
    report_free(&rp);
    sim_result_free(&r);
    tpusim_graph_close(g);
}
END_TEST

START_TEST(trace_is_gzip_json_and_bad_paths_are_errors)
{
    tpusim_graph *g = demo();
    struct chip c;
    struct sim_result r;
    struct report rp;
    tu_load_chip("tpu_v3", NULL, 0, &c);
    simulate_ok(g, &c, &r, &rp);
    char path[] = "/tmp/tpusim_traceXXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    char err[1024];
    struct trace_options o = {TRACE_TILE, 4, "demo"};
    ck_assert_msg(trace_write(path, &rp, &o, err, sizeof err) == TPUSIM_OK, "%s", err);
    gzFile f = gzopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    static char buf[1 << 20];
    int n = gzread(f, buf, sizeof buf - 1);
    gzclose(f);
    ck_assert_int_gt(n, 0);
    buf[n] = '\0';
    ck_assert_int_eq(buf[0], '{');
    ck_assert_ptr_nonnull(strstr(buf, "\"traceEvents\""));
    ck_assert_ptr_nonnull(strstr(buf, "\"HBM bandwidth\""));
    ck_assert_ptr_nonnull(strstr(buf, "\"SRAM occupancy\""));
    ck_assert_ptr_nonnull(strstr(buf, "\"Power\""));
    unlink(path);
    ck_assert_int_eq(trace_write("/nonexistent/dir/t.json.gz", &rp, &o, err, sizeof err),
                     TPUSIM_ERR_IO);
    ck_assert_msg(strstr(err, "/nonexistent/dir/t.json.gz") != NULL, "%s", err);
    report_free(&rp);
    sim_result_free(&r);
    tpusim_graph_close(g);
}
END_TEST

/* ---- names made safe for text and JSON (text.h) ---- */

static void put_buf(void *ctx, const char *bytes, size_t n)
{
    strncat(ctx, bytes, n);
}

START_TEST(names_are_escaped_for_text_and_json)
{
    char buf[256], json[256] = "";
    /* Printable ASCII and valid UTF-8 pass; C0, DEL, C1 and bytes that
     * are not UTF-8 (a stray continuation, an overlong '/', a surrogate,
     * a cut sequence) become \xNN. */
    ck_assert_str_eq(text_safe("conv_1/\xce\xb1\xe2\x82\xac", buf, sizeof buf),
                     "conv_1/\xce\xb1\xe2\x82\xac");
    ck_assert_str_eq(text_safe("a\x1b[2Jb\x7f\xc2\x9b", buf, sizeof buf),
                     "a\\x1B[2Jb\\x7F\\xC2\\x9B");
    ck_assert_str_eq(text_safe("\x80\xc0\xaf\xed\xa0\x80\xe2\x82", buf, sizeof buf),
                     "\\x80\\xC0\\xAF\\xED\\xA0\\x80\\xE2\\x82");
    /* Cut short at a character, never inside an escape. */
    ck_assert_str_eq(text_safe("ab\x01", buf, 5), "ab");
    /* JSON: quotes and backslashes escaped, controls as \u, invalid bytes
     * as U+FFFD: always valid UTF-8. */
    text_json("q\"\\\n\x1b\xc2\x9b\xff\xce\xb1", put_buf, json);
    ck_assert_str_eq(json, "q\\\"\\\\\\u000a\\u001b\\u009b\xef\xbf\xbd\xce\xb1");
}
END_TEST

START_TEST(long_names_keep_head_and_distinguishing_tail)
{
    char buf[256];
    const char *a = "/encoder/layer.10/attention/self/query/MatMul";
    const char *b = "/encoder/layer.11/attention/self/value/MatMul";
    /* 20 characters: 5 of head, "...", 12 of tail. */
    ck_assert_str_eq(text_fit(a, 20, buf, sizeof buf), "/enco...query/MatMul");
    ck_assert_str_eq(text_fit(b, 20, buf, sizeof buf), "/enco...value/MatMul");
    ck_assert_str_eq(text_fit("short", 20, buf, sizeof buf), "short");
    /* Module paths lose the components the next one extends. */
    ck_assert_str_eq(text_short_name("/features/features.4/block/block.1/block.1.0/Conv", buf,
                                     sizeof buf),
                     "/features.4/block.1.0/Conv");
    ck_assert_str_eq(text_short_name("/layer4/layer4.0/conv2/Conv", buf, sizeof buf),
                     "/layer4.0/conv2/Conv");
    ck_assert_str_eq(text_short_name("conv/conv/x_1", buf, sizeof buf), "conv/conv/x_1");
    ck_assert_str_eq(text_short_name("a/a_b", buf, sizeof buf), "a_b");
    ck_assert_str_eq(text_short_name("plain", buf, sizeof buf), "plain");
    /* Characters, not bytes: each alpha is one. */
    ck_assert_str_eq(text_fit("\xce\xb1\xce\xb1\xce\xb1\xce\xb1\xce\xb1" "bbbbbbbbbb", 9, buf,
                              sizeof buf),
                     "\xce\xb1\xce\xb1...bbbb");
}
END_TEST

Suite *report_suite(void)
{
    Suite *s = suite_create("report");
    TCase *tc = tcase_create("report");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, padding_is_slots_minus_useful_and_shares_add_to_one);
    tcase_add_test(tc, groups_and_top_ops_cover_the_model);
    tcase_add_test(tc, blocks_partition_the_running_ops);
    tcase_add_test(tc, names_are_escaped_for_text_and_json);
    tcase_add_test(tc, long_names_keep_head_and_distinguishing_tail);
    tcase_add_test(tc, a_chip_against_itself_is_speedup_one);
    tcase_add_test(tc, v2_to_v4i_loses_the_peak_ratio_and_says_where);
    tcase_add_test(tc, figure_data_has_one_row_per_point_and_bar);
    tcase_add_test(tc, trace_is_gzip_json_and_bad_paths_are_errors);
    suite_add_tcase(s, tc);
    return s;
}
