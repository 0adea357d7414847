/*
 * test_onnx_import.c — ONNX files and buffers in; shapes and counts of real
 * models checked against numbers worked out by hand from the architectures.
 */
#include <stdlib.h>
#include <string.h>

#include "suites.h"
#include "testutil.h"

static tpusim_graph *load_ok(const char *rel)
{
    tpusim_graph *g = tu_new();
    int rc = tpusim_graph_load_onnx_file(g, tu_model_path(rel));
    ck_assert_msg(rc == TPUSIM_OK, "%s: %s", rel, tpusim_graph_errmsg(g));
    return g;
}

/* Within `pct` percent of a published figure. */
static void near(uint64_t got, double want, double pct, const char *what)
{
    double err = ((double)got - want) / want * 100.0;
    ck_assert_msg(err < pct && err > -pct, "%s: %llu is %.2f%% from %.0f", what,
                  (unsigned long long)got, err, want);
}

START_TEST(resnet50_shapes_and_counts)
{
    /* ResNet-50 (He et al. 2016, torchvision): 4.1 G MACs, 25.6 M params
     * (25.56 M with BatchNorm's 2 params/channel; the export folds BN into
     * the conv bias, 1 param/channel, so 26560 fewer). */
    tpusim_graph *g = load_ok("torch_export/tv_resnet50_light.onnx");
    tpusim_totals t;
    ck_assert_int_eq(tpusim_graph_totals(g, &t), TPUSIM_OK);
    near(t.macs, 4.1e9, 1.0, "ResNet-50 MACs");
    near(t.params, 25.557032e6 - 26560, 0.01, "ResNet-50 params");
    /* Stem: 7x7/2 pad 3 on 224: (224 + 6 - 7)/2 + 1 = 112; 64 channels;
     * MACs 112*112*64 * 3*7*7 = 118013952. */
    tpusim_op_info op;
    ck_assert_int_eq(tpusim_graph_op(g, 0, &op), TPUSIM_OK);
    ck_assert_str_eq(op.type, "Conv");
    ck_assert_uint_eq(op.macs, 118013952);
    tpusim_tensor_info out;
    ck_assert_int_eq(tpusim_graph_op_tensor(g, 0, 1, 0, &out), TPUSIM_OK);
    ck_assert_int_eq(out.rank, 4);
    ck_assert_int_eq(out.dims[1], 64);
    ck_assert_int_eq(out.dims[2], 112);
    /* Classifier: 2048 -> 1000 = 2048000 MACs, the last op. */
    size_t n = tpusim_graph_op_count(g);
    ck_assert_int_eq(tpusim_graph_op(g, n - 1, &op), TPUSIM_OK);
    ck_assert_str_eq(op.type, "Gemm");
    ck_assert_uint_eq(op.macs, 2048000);
    tpusim_graph_close(g);
}
END_TEST

START_TEST(mobilenet_v2_counts)
{
    /* MobileNetV2 1.0/224 (Sandler et al. 2018): 300 M MACs, 3.4-3.5 M params. */
    tpusim_graph *g = load_ok("torch_export/tv_mobilenet_v2.onnx");
    tpusim_totals t;
    tpusim_graph_totals(g, &t);
    near(t.macs, 300e6, 1.0, "MobileNetV2 MACs");
    near(t.params, 3.5e6, 1.5, "MobileNetV2 params");
    tpusim_graph_close(g);
}
END_TEST

START_TEST(squeezenet_counts)
{
    /* SqueezeNet 1.1: 0.35 G MACs (2.4x fewer than 1.0's 0.83 G), 1.24 M params. */
    tpusim_graph *g = load_ok("torch_export/tv_squeezenet1_1.onnx");
    tpusim_totals t;
    tpusim_graph_totals(g, &t);
    near(t.macs, 0.35e9, 1.0, "SqueezeNet 1.1 MACs");
    near(t.params, 1.2355e6, 0.5, "SqueezeNet 1.1 params");
    tpusim_graph_close(g);
}
END_TEST

START_TEST(efficientnet_b0_counts)
{
    /* EfficientNet-B0 (Tan & Le 2019): 0.39 G FLOPs (MACs), 5.3 M params. */
    tpusim_graph *g = load_ok("torch_export/tv_efficientnet_b0.onnx");
    tpusim_totals t;
    tpusim_graph_totals(g, &t);
    near(t.macs, 0.39e9, 1.5, "EfficientNet-B0 MACs");
    near(t.params, 5.3e6, 1.0, "EfficientNet-B0 params");
    tpusim_graph_close(g);
}
END_TEST

START_TEST(batch_scales_macs)
{
    tpusim_graph *g1 = load_ok("torch_export/tv_resnet18_light.onnx");
    tpusim_graph *g8 = tu_new();
    ck_assert_int_eq(tpusim_graph_set_batch(g8, 8), TPUSIM_OK);
    ck_assert_int_eq(
        tpusim_graph_load_onnx_file(g8, tu_model_path("torch_export/tv_resnet18_light.onnx")),
        TPUSIM_OK);
    tpusim_totals t1, t8;
    tpusim_graph_totals(g1, &t1);
    tpusim_graph_totals(g8, &t8);
    ck_assert_uint_eq(t8.macs, 8 * t1.macs);
    ck_assert_uint_eq(t8.params, t1.params);
    tpusim_graph_close(g1);
    tpusim_graph_close(g8);
}
END_TEST

START_TEST(buffer_equals_file)
{
    const char *rel = "onnx_light/light_squeezenet.onnx";
    size_t size;
    unsigned char *buf = tu_read_model(rel, &size);
    tpusim_graph *from_file = load_ok(rel);
    tpusim_graph *from_buf = tu_new();
    ck_assert_int_eq(tpusim_graph_load_onnx_buffer(from_buf, buf, size, "squeeze"), TPUSIM_OK);
    tpusim_totals a, b;
    tpusim_graph_totals(from_file, &a);
    tpusim_graph_totals(from_buf, &b);
    ck_assert_mem_eq(&a, &b, sizeof a);
    /* A second load into the same graph is refused. */
    ck_assert_int_eq(tpusim_graph_load_onnx_buffer(from_buf, buf, size, "again"), TPUSIM_ERR_STATE);
    free(buf);
    tpusim_graph_close(from_file);
    tpusim_graph_close(from_buf);
}
END_TEST

START_TEST(unsorted_nodes_import)
{
    /* GPT-2 from onnxruntime's test data lists nodes out of order. */
    tpusim_graph *g = tu_new();
    tpusim_graph_bind_dim(g, "batch_size", 1);
    tpusim_graph_bind_dim(g, "seq_len", 4);
    int rc = tpusim_graph_load_onnx_file(g, tu_model_path("onnxruntime_testdata/gpt2_past.onnx"));
    ck_assert_msg(rc == TPUSIM_OK, "%s", tpusim_graph_errmsg(g));
    ck_assert_uint_gt(tpusim_graph_op_count(g), 100);
    tpusim_graph_close(g);
}
END_TEST

START_TEST(if_on_an_input_costs_a_branch_and_says_which)
{
    /* Silero VAD v5: If on sr == 16000, sr an input. At 512 samples only
     * the 16 kHz branch can run (the 8 kHz one expects 256): MACs 563968
     * by hand in tests/real_models.tsv. */
    tpusim_graph *g = tu_new();
    tpusim_graph_bind_dim(g, "input:0", 1);
    tpusim_graph_bind_dim(g, "input:1", 512);
    tpusim_graph_bind_dim(g, "state:1", 1);
    const char *path = tu_model_path("npm/silero_vad_v5.onnx");
    ck_assert_msg(tpusim_graph_load_onnx_file(g, path) == TPUSIM_OK, "%s",
                  tpusim_graph_errmsg(g));
    tpusim_totals t;
    tpusim_graph_totals(g, &t);
    ck_assert_uint_eq(t.macs, 563968);
    const char *notes = tpusim_graph_notes(g);
    ck_assert_ptr_nonnull(strstr(notes, "node 'If_0' (If): the condition is not a constant"));
    ck_assert_ptr_nonnull(strstr(notes, "the then branch is simulated"));
    tpusim_graph_close(g);
}
END_TEST

Suite *onnx_import_suite(void)
{
    Suite *s = suite_create("onnx_import");
    TCase *tc = tcase_create("real");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, resnet50_shapes_and_counts);
    tcase_add_test(tc, mobilenet_v2_counts);
    tcase_add_test(tc, squeezenet_counts);
    tcase_add_test(tc, efficientnet_b0_counts);
    tcase_add_test(tc, batch_scales_macs);
    tcase_add_test(tc, buffer_equals_file);
    tcase_add_test(tc, unsorted_nodes_import);
    tcase_add_test(tc, if_on_an_input_costs_a_branch_and_says_which);
    suite_add_tcase(s, tc);
    return s;
}
