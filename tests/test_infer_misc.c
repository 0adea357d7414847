/*
 * test_infer_misc.c — the deprecated and ai.onnx.ml ops (sim/infer_misc.c):
 * shapes and FLOPs worked out by hand from the ONNX definitions, and the
 * errors that name the node.
 */
#include "suites.h"
#include "testutil.h"

START_TEST(image_scaler_scales_and_biases_each_element)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 4, TU_DIMS(1, 3, 5, 7));
    tu_op(g, "ImageScaler", "sc", "x", "y");
    tu_attr_float(g, "scale", 0.5);
    tu_finalize_ok(g);
    tu_expect_shape(g, "y", 4, TU_DIMS(1, 3, 5, 7));
    /* 1*3*5*7 = 105 elements, a multiply and an add each. */
    ck_assert_uint_eq(tu_find_op(g, "sc")->cost.flops, 210);
    tpusim_graph_close(g);
}
END_TEST

START_TEST(image_scaler_bias_must_match_channels)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 4, TU_DIMS(1, 3, 5, 7));
    tu_op(g, "ImageScaler", "sc", "x", "y");
    struct op *op = g->ops[g->n_ops - 1];
    ck_assert_int_eq(op_add_attr_floats(g, op, "bias", (const double[]){1, 2}, 2), TPUSIM_OK);
    tu_finalize_fails(g, TPUSIM_ERR_SHAPE, "node 'sc' (ImageScaler): bias has 2 values for 3 channels");
    tpusim_graph_close(g);
}
END_TEST

START_TEST(crop_removes_borders_or_takes_a_window)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 4, TU_DIMS(2, 4, 20, 30));
    tu_op(g, "Crop", "c1", "x", "y1");
    tu_attr_ints(g, "border", 4, TU_DIMS(1, 2, 3, 4)); /* left, top, right, bottom */
    tu_op(g, "Crop", "c2", "x", "y2");
    tu_attr_ints(g, "border", 4, TU_DIMS(1, 2, 3, 4));
    tu_attr_ints(g, "scale", 2, TU_DIMS(10, 12));
    tu_finalize_ok(g);
    /* H 20 - top 2 - bottom 4 = 14; W 30 - left 1 - right 3 = 26. */
    tu_expect_shape(g, "y1", 4, TU_DIMS(2, 4, 14, 26));
    /* scale: a 10 x 12 window from (top, left). */
    tu_expect_shape(g, "y2", 4, TU_DIMS(2, 4, 10, 12));
    tpusim_graph_close(g);
}
END_TEST

START_TEST(crop_that_leaves_nothing_is_an_error)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 4, TU_DIMS(1, 1, 4, 4));
    tu_op(g, "Crop", "c", "x", "y");
    tu_attr_ints(g, "border", 4, TU_DIMS(2, 2, 2, 2));
    tu_finalize_fails(g, TPUSIM_ERR_SHAPE, "node 'c' (Crop): the crop window leaves nothing");
    tpusim_graph_close(g);
}
END_TEST

START_TEST(affine_costs_two_flops_per_element)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 2, TU_DIMS(4, 6));
    tu_op(g, "Affine", "a", "x", "y");
    tu_finalize_ok(g);
    tu_expect_shape(g, "y", 2, TU_DIMS(4, 6));
    ck_assert_uint_eq(tu_find_op(g, "a")->cost.flops, 48);
    tpusim_graph_close(g);
}
END_TEST

START_TEST(ml_ops_live_in_their_domain)
{
    /* ZipMap in the default domain is no op tpusim knows. */
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 2, TU_DIMS(1, 10));
    int rc = graph_add_op(g, "ZipMap", "", "z", (const char *[]){"x"}, 1,
                          (const char *[]){"y"}, 1, NULL);
    ck_assert_int_eq(rc, TPUSIM_ERR_UNSUPPORTED);
    /* In ai.onnx.ml: label lookup [1, 10] by one index -> [1, 1]; ZipMap a view. */
    tu_ints(g, "labels_idx", 1, TU_DIMS(3));
    ck_assert_int_eq(graph_add_op(g, "ArrayFeatureExtractor", "ai.onnx.ml", "afe",
                                  (const char *[]){"x", "labels_idx"}, 2,
                                  (const char *[]){"label"}, 1, NULL),
                     TPUSIM_OK);
    ck_assert_int_eq(graph_add_op(g, "ZipMap", "ai.onnx.ml", "zm", (const char *[]){"x"}, 1,
                                  (const char *[]){"scores"}, 1, NULL),
                     TPUSIM_OK);
    tu_finalize_ok(g);
    tu_expect_shape(g, "label", 2, TU_DIMS(1, 1));
    tu_expect_shape(g, "scores", 2, TU_DIMS(1, 10));
    tpusim_graph_close(g);
}
END_TEST

Suite *infer_misc_suite(void)
{
    Suite *s = suite_create("infer_misc");
    TCase *tc = tcase_create("legacy");
    tcase_add_test(tc, image_scaler_scales_and_biases_each_element);
    tcase_add_test(tc, image_scaler_bias_must_match_channels);
    tcase_add_test(tc, crop_removes_borders_or_takes_a_window);
    tcase_add_test(tc, crop_that_leaves_nothing_is_an_error);
    tcase_add_test(tc, affine_costs_two_flops_per_element);
    tcase_add_test(tc, ml_ops_live_in_their_domain);
    suite_add_tcase(s, tc);
    return s;
}
