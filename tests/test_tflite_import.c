/*
 * test_tflite_import.c — TFLite files in: every real .tflite imports (the
 * importer checks each tensor's inferred shape against the one the file
 * declares), the Coral MobileNets' MACs and parameters against a count
 * made here from the published architectures and against the published
 * figures, Edge TPU-compiled files said so, and truncated, mutated and
 * misaligned buffers handled cleanly (this suite also runs under
 * ASan/UBSan: make test-asan).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"
#include "testutil.h"

static const char *const REAL[] = {
    "coral/deeplabv3_mnv2_dm05_pascal_quant.tflite",
    "coral/deeplabv3_mnv2_dm05_pascal_quant_edgetpu.tflite",
    "coral/keras_lstm_mnist_ptq.tflite",
    "coral/keras_lstm_mnist_ptq_edgetpu.tflite",
    "coral/mobilenet_v1_0.25_128_quant.tflite",
    "coral/mobilenet_v1_0.25_128_quant_edgetpu.tflite",
    "coral/mobilenet_v1_1.0_224_quant_embedding_extractor.tflite",
    "coral/mobilenet_v1_1.0_224_quant_embedding_extractor_edgetpu.tflite",
    "coral/mobilenet_v2_1.0_224_quant.tflite",
    "coral/movenet_single_pose_lightning_ptq.tflite",
    "coral/movenet_single_pose_lightning_ptq_edgetpu.tflite",
    "coral/posenet_mobilenet_v1_075_353_481_16_quant_decoder.tflite",
    "coral/posenet_mobilenet_v1_075_353_481_16_quant_decoder_edgetpu.tflite",
    "coral/split_concat.tflite",
    "coral/split_concat_edgetpu.tflite",
    "coral/tf2_mobilenet_v2_1.0_224_ptq.tflite",
    "mediapipe/face_detection_short_range.tflite",
    "mediapipe/hand_landmark_lite.tflite",
    "mediapipe/pose_landmark_lite.tflite",
    "mediapipe/selfie_segmentation.tflite",
};

static tpusim_graph *load_ok(const char *rel)
{
    tpusim_graph *g = tu_new();
    int rc = tpusim_graph_load_tflite_file(g, tu_tflite_path(rel));
    ck_assert_msg(rc == TPUSIM_OK, "%s: %s", rel, tpusim_graph_errmsg(g));
    return g;
}

START_TEST(every_real_tflite_imports)
{
    for (size_t i = 0; i < sizeof REAL / sizeof REAL[0]; i++) {
        tpusim_graph *g = load_ok(REAL[i]);
        bool compiled = strstr(REAL[i], "_edgetpu") != NULL;
        const char *notes = tpusim_graph_notes(g);
        ck_assert_msg(compiled == (strstr(notes, "edgetpu-custom-op") != NULL),
                      "%s: notes '%s'", REAL[i], notes);
        ck_assert_uint_gt(tpusim_graph_op_count(g), 0);
        tpusim_graph_close(g);
    }
}
END_TEST

/* ------------------------------------------- counts from architecture */

/* MACs and parameters of a TF-slim MobileNet, layer by layer, with each
 * convolution's bias (BatchNorm folded into it, as in the quantized files):
 * SAME padding, out = ceil(in / stride). */
struct count {
    uint64_t macs, params;
    int64_t hw, c; /* the activation: hw x hw x c */
};

static void conv(struct count *n, int64_t cout, int k, int stride)
{
    n->hw = (n->hw + stride - 1) / stride;
    n->macs += (uint64_t)(n->hw * n->hw * cout * n->c * k * k);
    n->params += (uint64_t)(k * k * n->c * cout + cout);
    n->c = cout;
}

static void depthwise(struct count *n, int stride)
{
    n->hw = (n->hw + stride - 1) / stride;
    n->macs += (uint64_t)(n->hw * n->hw * n->c * 9);
    n->params += (uint64_t)(9 * n->c + n->c);
}

/* The 1001-class classifier after global pooling. */
static void classifier(struct count *n)
{
    n->macs += (uint64_t)(n->c * 1001);
    n->params += (uint64_t)(n->c * 1001 + 1001);
}

/* MobileNet v1 (Howard et al. 2017, Table 1): a 3x3/2 conv to 32 channels,
 * then 13 depthwise-separable blocks; every width times alpha. */
static struct count mobilenet_v1(double alpha, int64_t res, bool with_classifier)
{
    static const struct {
        int c, s;
    } blocks[] = {{64, 1},  {128, 2}, {128, 1}, {256, 2}, {256, 1}, {512, 2},  {512, 1},
                  {512, 1}, {512, 1}, {512, 1}, {512, 1}, {1024, 2}, {1024, 1}};
    struct count n = {0, 0, res, 3};
    conv(&n, (int64_t)(32 * alpha), 3, 2);
    for (size_t i = 0; i < sizeof blocks / sizeof blocks[0]; i++) {
        depthwise(&n, blocks[i].s);
        conv(&n, (int64_t)(blocks[i].c * alpha), 1, 1);
    }
    if (with_classifier)
        classifier(&n);
    return n;
}

/* MobileNet v2 (Sandler et al. 2018, Table 2): bottlenecks (t, c, n, s),
 * a 1x1 to 1280, the classifier. */
static struct count mobilenet_v2(void)
{
    static const int blocks[][4] = {{1, 16, 1, 1}, {6, 24, 2, 2},  {6, 32, 3, 2}, {6, 64, 4, 2},
                                    {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};
    struct count n = {0, 0, 224, 3};
    conv(&n, 32, 3, 2);
    for (size_t b = 0; b < sizeof blocks / sizeof blocks[0]; b++)
        for (int i = 0; i < blocks[b][2]; i++) {
            int64_t cin = n.c;
            if (blocks[b][0] != 1)
                conv(&n, cin * blocks[b][0], 1, 1);
            depthwise(&n, i == 0 ? blocks[b][3] : 1);
            conv(&n, blocks[b][1], 1, 1);
        }
    conv(&n, 1280, 1, 1);
    classifier(&n);
    return n;
}

static void expect_counts(const char *rel, struct count want)
{
    tpusim_graph *g = load_ok(rel);
    tpusim_totals t;
    ck_assert_int_eq(tpusim_graph_totals(g, &t), TPUSIM_OK);
    ck_assert_msg(t.macs == want.macs && t.params == want.params,
                  "%s: %llu MACs, %llu params; the architecture gives %llu and %llu", rel,
                  (unsigned long long)t.macs, (unsigned long long)t.params,
                  (unsigned long long)want.macs, (unsigned long long)want.params);
    tpusim_graph_close(g);
}

/* Within pct percent of a published figure. */
static void near(uint64_t got, double want, double pct, const char *what)
{
    double err = ((double)got - want) / want * 100.0;
    ck_assert_msg(err < pct && err > -pct, "%s: %llu is %.2f%% from %.0f", what,
                  (unsigned long long)got, err, want);
}

START_TEST(coral_mobilenets_match_their_architecture)
{
    struct count v1_small = mobilenet_v1(0.25, 128, true), v1 = mobilenet_v1(1.0, 224, false),
                 v2 = mobilenet_v2();
    expect_counts("coral/mobilenet_v1_0.25_128_quant.tflite", v1_small);
    expect_counts("coral/mobilenet_v1_1.0_224_quant_embedding_extractor.tflite", v1);
    expect_counts("coral/mobilenet_v2_1.0_224_quant.tflite", v2);
    expect_counts("coral/tf2_mobilenet_v2_1.0_224_ptq.tflite", v2);
    /* The published figures (TF-slim's mobilenet_v1.md and mobilenet v2
     * README tables): v1 0.25/128 14 M MACs, 0.47 M params; v1 1.0/224 569 M
     * and 4.24 M with its 1024 x 1001 classifier, which the embedding
     * extractor lacks; v2 1.0/224 300 M, 3.47 M. */
    near(v1_small.macs, 14e6, 4, "v1 0.25/128 MACs");
    near(v1_small.params, 0.47e6, 1, "v1 0.25/128 params");
    near(v1.macs + 1024 * 1001, 569e6, 0.5, "v1 1.0/224 MACs");
    near(v1.params + 1024 * 1001 + 1001, 4.24e6, 0.5, "v1 1.0/224 params");
    near(v2.macs, 300e6, 0.5, "v2 MACs");
    near(v2.params, 3.47e6, 1, "v2 params");
}
END_TEST

START_TEST(quantized_model_keeps_its_types_and_layout)
{
    tpusim_graph *g = load_ok("coral/mobilenet_v2_1.0_224_quant.tflite");
    tpusim_op_info op;
    ck_assert_int_eq(tpusim_graph_op(g, 0, &op), TPUSIM_OK);
    ck_assert_str_eq(op.type, "Conv");
    /* First conv: 3x3/2 on [1,224,224,3] uint8 -> [1,112,112,32], NHWC:
     * 112*112*32 * 3*3*3 = 10838016 MACs. */
    ck_assert_uint_eq(op.macs, 10838016);
    tpusim_tensor_info in, out;
    ck_assert_int_eq(tpusim_graph_op_tensor(g, 0, 0, 0, &in), TPUSIM_OK);
    ck_assert_int_eq(tpusim_graph_op_tensor(g, 0, 1, 0, &out), TPUSIM_OK);
    ck_assert_int_eq(in.dtype, TPUSIM_DT_UINT8);
    ck_assert_int_eq(out.dims[3], 32);
    ck_assert_int_eq(out.dims[1], 112);
    ck_assert_int_eq(g->matrix_dtype, TPUSIM_DT_INT8);
    /* Its fused ReLU6 is a Clip after it. */
    ck_assert_int_eq(tpusim_graph_op(g, 1, &op), TPUSIM_OK);
    ck_assert_str_eq(op.type, "Clip");
    tpusim_graph_close(g);
}
END_TEST

START_TEST(batch_scales_a_tflite_model)
{
    tpusim_graph *g4 = tu_new();
    ck_assert_int_eq(tpusim_graph_set_batch(g4, 4), TPUSIM_OK);
    const char *path = tu_tflite_path("coral/mobilenet_v1_1.0_224_quant_embedding_extractor.tflite");
    ck_assert_msg(tpusim_graph_load_tflite_file(g4, path) == TPUSIM_OK, "%s",
                  tpusim_graph_errmsg(g4));
    tpusim_totals t4;
    ck_assert_int_eq(tpusim_graph_totals(g4, &t4), TPUSIM_OK);
    ck_assert_uint_eq(t4.macs, 4 * mobilenet_v1(1.0, 224, false).macs);
    tpusim_graph_close(g4);
}
END_TEST

/* ------------------------------------------------------------ buffers */

static int load_buf(const unsigned char *buf, size_t size, char *msg, size_t len)
{
    tpusim_graph *g = tu_new();
    int rc = tpusim_graph_load_tflite_buffer(g, buf, size, "cut");
    snprintf(msg, len, "%s", tpusim_graph_errmsg(g));
    tpusim_graph_close(g);
    return rc;
}

START_TEST(buffer_equals_file_even_misaligned)
{
    const char *rel = "coral/mobilenet_v1_0.25_128_quant.tflite";
    size_t size;
    unsigned char *buf = tu_read_file(tu_tflite_path(rel), &size);
    unsigned char *shifted = malloc(size + 1);
    ck_assert_ptr_nonnull(shifted);
    memcpy(shifted + 1, buf, size);
    tpusim_graph *a = load_ok(rel), *b = tu_new(), *c = tu_new();
    ck_assert_int_eq(tpusim_graph_load_tflite_buffer(b, buf, size, "aligned"), TPUSIM_OK);
    ck_assert_int_eq(tpusim_graph_load_tflite_buffer(c, shifted + 1, size, "odd"), TPUSIM_OK);
    tpusim_totals ta, tb, tc;
    tpusim_graph_totals(a, &ta);
    tpusim_graph_totals(b, &tb);
    tpusim_graph_totals(c, &tc);
    ck_assert_mem_eq(&ta, &tb, sizeof ta);
    ck_assert_mem_eq(&ta, &tc, sizeof ta);
    free(buf);
    free(shifted);
    tpusim_graph_close(a);
    tpusim_graph_close(b);
    tpusim_graph_close(c);
}
END_TEST

START_TEST(truncated_tflite_fails_cleanly)
{
    /* Files that are one FlatBuffer and nothing after it (TFLite metadata
     * may append a zip of associated files, which a model loads without). */
    const char *models[] = {"coral/mobilenet_v1_1.0_224_quant_embedding_extractor.tflite",
                            "coral/split_concat_edgetpu.tflite",
                            "mediapipe/selfie_segmentation.tflite"};
    for (size_t m = 0; m < sizeof models / sizeof models[0]; m++) {
        size_t size;
        unsigned char *buf = tu_read_file(tu_tflite_path(models[m]), &size);
        char msg[1024];
        size_t step = size / 61 + 1;
        for (size_t cut = 0; cut < size; cut += (cut < 64 ? 1 : step)) {
            int rc = load_buf(buf, cut, msg, sizeof msg);
            ck_assert_msg(rc == TPUSIM_ERR_PARSE, "%s cut at %zu of %zu: %s: %s", models[m], cut,
                          size, tpusim_status_name(rc), msg);
            ck_assert_msg(strncmp(msg, "cut: ", 5) == 0, "%s cut at %zu: '%s'", models[m], cut,
                          msg);
        }
        free(buf);
    }
}
END_TEST

START_TEST(mutated_tflite_fails_cleanly)
{
    /* Bytes overwritten at fixed-seed random places in the FlatBuffer's
     * tables (its first 4 KiB: root, vtables, shapes, op lists). Each load
     * either succeeds or returns an error with a message; the sanitizers
     * catch any read outside the buffer. */
    size_t size;
    unsigned char *buf = tu_read_file(tu_tflite_path("coral/split_concat.tflite"), &size);
    unsigned char *copy = malloc(size);
    ck_assert_ptr_nonnull(copy);
    uint64_t s = 0x2545f4914f6cdd1dULL;
    int failed = 0;
    for (int trial = 0; trial < 400; trial++) {
        memcpy(copy, buf, size);
        for (int k = 0; k < 1 + trial % 4; k++) {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            copy[(s >> 8) % size] = (unsigned char)s;
        }
        char msg[1024];
        int rc = load_buf(copy, size, msg, sizeof msg);
        ck_assert_msg(rc == TPUSIM_OK || strlen(msg) > 5, "trial %d: %s with message '%s'",
                      trial, tpusim_status_name(rc), msg);
        failed += rc != TPUSIM_OK;
    }
    ck_assert_int_gt(failed, 100); /* most corruptions are caught */
    free(buf);
    free(copy);
}
END_TEST

START_TEST(other_formats_are_not_tflite)
{
    char msg[1024];
    size_t size;
    unsigned char *onnx = tu_read_model("onnxruntime_testdata/mnist.onnx", &size);
    ck_assert_int_eq(load_buf(onnx, size, msg, sizeof msg), TPUSIM_ERR_PARSE);
    ck_assert_ptr_nonnull(strstr(msg, "not a TFLite model"));
    ck_assert_int_eq(load_buf((const unsigned char *)"", 0, msg, sizeof msg), TPUSIM_ERR_PARSE);
    ck_assert_str_eq(msg, "cut: the file is empty");
    /* The format-neutral loader tells the two apart by content. */
    tpusim_graph *g = tu_new();
    ck_assert_int_eq(tpusim_graph_load_file(g, tu_model_path("onnxruntime_testdata/mnist.onnx")),
                     TPUSIM_OK);
    tpusim_graph_close(g);
    g = tu_new();
    ck_assert_int_eq(
        tpusim_graph_load_file(g, tu_tflite_path("coral/mobilenet_v1_0.25_128_quant.tflite")),
        TPUSIM_OK);
    tpusim_graph_close(g);
    free(onnx);
}
END_TEST

Suite *tflite_import_suite(void)
{
    Suite *s = suite_create("tflite_import");
    TCase *tc = tcase_create("real");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, every_real_tflite_imports);
    tcase_add_test(tc, coral_mobilenets_match_their_architecture);
    tcase_add_test(tc, quantized_model_keeps_its_types_and_layout);
    tcase_add_test(tc, batch_scales_a_tflite_model);
    tcase_add_test(tc, buffer_equals_file_even_misaligned);
    tcase_add_test(tc, truncated_tflite_fails_cleanly);
    tcase_add_test(tc, mutated_tflite_fails_cleanly);
    tcase_add_test(tc, other_formats_are_not_tflite);
    suite_add_tcase(s, tc);
    return s;
}
