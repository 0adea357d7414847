/*
 * test_graph.c — the graph IR and builder API: structure errors, order,
 * weight inputs, dimension binding, read-back, and the built-in model.
 */
#include <stdio.h>
#include <string.h>

#include "suites.h"
#include "testutil.h"

START_TEST(close_null_is_noop)
{
    tpusim_graph_close(NULL);
    ck_assert_str_eq(tpusim_status_name(TPUSIM_ERR_PARSE), "TPUSIM_ERR_PARSE");
}
END_TEST

/* The two version macros are edited by hand: they must name one version. */
START_TEST(version_number_matches_version_string)
{
    int major = -1, minor = -1, patch = -1, end = 0;
    ck_assert_int_eq(sscanf(TPUSIM_VERSION, "%d.%d.%d%n", &major, &minor, &patch, &end), 3);
    ck_assert_uint_eq((size_t)end, strlen(TPUSIM_VERSION));
    ck_assert_int_eq(TPUSIM_VERSION_NUMBER, major * 1000000 + minor * 1000 + patch);
}
END_TEST

START_TEST(ops_out_of_order_are_sorted)
{
    /* Added consumer first: the sort must run relu before sigmoid. */
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 2, TU_DIMS(4, 8));
    tu_op(g, "Sigmoid", "second", "a", "b");
    tu_op(g, "Relu", "first", "x", "a");
    tu_finalize_ok(g);
    ck_assert_uint_eq(tpusim_graph_op_count(g), 2);
    tpusim_op_info op;
    ck_assert_int_eq(tpusim_graph_op(g, 0, &op), TPUSIM_OK);
    ck_assert_str_eq(op.name, "first");
    ck_assert_int_eq(tpusim_graph_op(g, 1, &op), TPUSIM_OK);
    ck_assert_str_eq(op.name, "second");
    tu_expect_shape(g, "b", 2, TU_DIMS(4, 8));
    tpusim_graph_close(g);
}
END_TEST

START_TEST(cycle_is_an_error)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 1, TU_DIMS(8));
    tu_op(g, "Add", "loop_add", "x,b", "a");
    tu_op(g, "Relu", "loop_relu", "a", "b");
    tu_finalize_fails(g, TPUSIM_ERR_GRAPH, "cycle");
    tpusim_graph_close(g);
}
END_TEST

START_TEST(missing_input_is_an_error)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 1, TU_DIMS(8));
    tu_op(g, "Add", "adder", "x,nowhere", "y");
    tu_finalize_fails(g, TPUSIM_ERR_GRAPH, "input 'nowhere' is not produced");
    tpusim_graph_close(g);
}
END_TEST

START_TEST(duplicate_producer_is_an_error)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 1, TU_DIMS(8));
    tu_op(g, "Relu", "r1", "x", "y");
    const char *in[] = {"x"}, *out[] = {"y"};
    ck_assert_int_eq(tpusim_graph_add_op(g, "Relu", "r2", in, 1, out, 1), TPUSIM_ERR_GRAPH);
    ck_assert_ptr_nonnull(strstr(tpusim_graph_errmsg(g), "already produced by node 'r1'"));
    tpusim_graph_close(g);
}
END_TEST

START_TEST(unknown_op_names_type_and_node)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 1, TU_DIMS(8));
    const char *in[] = {"x"}, *out[] = {"y"};
    ck_assert_int_eq(tpusim_graph_add_op(g, "NonMaxSuppression", "nms", in, 1, out, 1),
                     TPUSIM_ERR_UNSUPPORTED);
    ck_assert_ptr_nonnull(strstr(tpusim_graph_errmsg(g), "node 'nms': op type 'NonMaxSuppression'"));
    ck_assert_ptr_nonnull(strstr(tpusim_graph_errmsg(g), "Conv"));
    /* Control flow needs subgraphs, which the builder cannot give. */
    ck_assert_int_eq(tpusim_graph_add_op(g, "Loop", "looper", in, 1, out, 1),
                     TPUSIM_ERR_UNSUPPORTED);
    ck_assert_ptr_nonnull(strstr(tpusim_graph_errmsg(g), "node 'looper': op type 'Loop' needs subgraphs"));
    tpusim_graph_close(g);
}
END_TEST

START_TEST(nothing_added_after_finalize)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 1, TU_DIMS(8));
    tu_op(g, "Relu", "r", "x", "y");
    tu_finalize_ok(g);
    const char *in[] = {"y"}, *out[] = {"z"};
    ck_assert_int_eq(tpusim_graph_add_op(g, "Relu", "r2", in, 1, out, 1), TPUSIM_ERR_STATE);
    ck_assert_int_eq(tpusim_graph_finalize(g), TPUSIM_ERR_STATE);
    tpusim_graph_close(g);
}
END_TEST

START_TEST(empty_graph_is_an_error)
{
    tpusim_graph *g = tu_new();
    tu_finalize_fails(g, TPUSIM_ERR_GRAPH, "no nodes");
    tpusim_graph_close(g);
}
END_TEST

START_TEST(weight_given_as_input_is_not_rebatched)
{
    /* A graph input used only as Conv's weight is a parameter: --batch
     * must leave it alone while the data input gets batch 4. */
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 4, TU_DIMS(1, 3, 8, 8));
    tu_input(g, "w", 4, TU_DIMS(1, 3, 3, 3));
    tu_op(g, "Conv", "c", "x,w", "y");
    ck_assert_int_eq(tpusim_graph_set_batch(g, 4), TPUSIM_OK);
    tu_finalize_ok(g);
    /* 3x3 valid conv on 8x8: 6x6; the weight keeps Cout = 1. */
    tu_expect_shape(g, "y", 4, TU_DIMS(4, 1, 6, 6));
    tu_expect_shape(g, "w", 4, TU_DIMS(1, 3, 3, 3));
    /* params: 1*3*3*3 = 27 */
    tpusim_totals t;
    ck_assert_int_eq(tpusim_graph_totals(g, &t), TPUSIM_OK);
    ck_assert_uint_eq(t.params, 27);
    tpusim_graph_close(g);
}
END_TEST

START_TEST(named_and_axis_bindings)
{
    tpusim_graph *g = tu_new();
    const char *params[2] = {"seq", NULL};
    ck_assert_int_eq(graph_define_input(g, "tokens", TPUSIM_DT_FLOAT32, 2, TU_DIMS(-1, -1),
                                        params, NULL),
                     TPUSIM_OK);
    tu_op(g, "Relu", "r", "tokens", "y");
    ck_assert_int_eq(tpusim_graph_bind_dim(g, "seq", 128), TPUSIM_OK);
    ck_assert_int_eq(tpusim_graph_bind_dim(g, "tokens:1", 64), TPUSIM_OK);
    tu_finalize_ok(g);
    tu_expect_shape(g, "y", 2, TU_DIMS(128, 64));
    tpusim_graph_close(g);
}
END_TEST

START_TEST(unbound_and_unused_bindings_are_errors)
{
    tpusim_graph *g = tu_new();
    const char *params[1] = {"seq"};
    graph_define_input(g, "tokens", TPUSIM_DT_FLOAT32, 1, TU_DIMS(-1), params, NULL);
    tu_op(g, "Relu", "r", "tokens", "y");
    tu_finalize_fails(g, TPUSIM_ERR_UNBOUND, "symbolic dimension 'seq'");
    tpusim_graph_close(g);

    g = tu_new();
    graph_define_input(g, "tokens", TPUSIM_DT_FLOAT32, 1, TU_DIMS(-1), params, NULL);
    tu_op(g, "Relu", "r", "tokens", "y");
    tpusim_graph_bind_dim(g, "seq", 3);
    tpusim_graph_bind_dim(g, "sequence", 3);
    tu_finalize_fails(g, TPUSIM_ERR_ARG, "--dim sequence matches no dimension");
    tpusim_graph_close(g);
    ck_assert_int_eq(tpusim_graph_new(&g), TPUSIM_OK);
    ck_assert_int_eq(tpusim_graph_set_batch(g, 0), TPUSIM_ERR_ARG);
    ck_assert_int_eq(tpusim_graph_bind_dim(g, "x", -2), TPUSIM_ERR_ARG);
    tpusim_graph_close(g);
}
END_TEST

/* A zero dimension makes the element count 0, so the count alone would
 * let any size through beside it: each dimension is bounded by itself. */
START_TEST(absurd_dim_beside_a_zero_is_an_error)
{
    const int64_t huge = (INT64_C(1) << 48) + 1;
    tpusim_graph *g = tu_new();
    ck_assert_int_eq(tpusim_graph_add_weight(g, "w", TPUSIM_DT_FLOAT32, 2, TU_DIMS(0, huge)),
                     TPUSIM_ERR_SHAPE);
    ck_assert_ptr_nonnull(strstr(tpusim_graph_errmsg(g), "absurdly large"));
    ck_assert_int_eq(tpusim_graph_add_input(g, "x", TPUSIM_DT_FLOAT32, 2, TU_DIMS(-1, huge)),
                     TPUSIM_ERR_SHAPE);
    ck_assert_ptr_nonnull(strstr(tpusim_graph_errmsg(g), "absurdly large"));
    tpusim_graph_close(g);
}
END_TEST

START_TEST(readback_rejects_bad_index)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 1, TU_DIMS(8));
    tu_op(g, "Relu", "r", "x", "y");
    tpusim_op_info op;
    ck_assert_int_eq(tpusim_graph_op(g, 0, &op), TPUSIM_ERR_STATE); /* not finalized */
    ck_assert_ptr_null(op.name);
    tu_finalize_ok(g);
    ck_assert_int_eq(tpusim_graph_op(g, 1, &op), TPUSIM_ERR_ARG);
    tpusim_tensor_info ti;
    ck_assert_int_eq(tpusim_graph_op_tensor(g, 0, 0, 0, &ti), TPUSIM_OK);
    ck_assert_str_eq(ti.name, "x");
    ck_assert_int_eq(ti.rank, 1);
    ck_assert_int_eq(ti.dims[0], 8);
    ck_assert_int_eq(tpusim_graph_op_tensor(g, 0, 0, 5, &ti), TPUSIM_ERR_ARG);
    tpusim_graph_close(g);
}
END_TEST

START_TEST(builtin_demo_counts)
{
    /* MACs worked out by hand from graph_import/builtin.c, 224x224x3:
     *   stem 3x3/2 3->32:      112*112*32*27   = 10838016
     *   dw1 depthwise 3x3:     112*112*32*9    =  3612672
     *   pw1 1x1 32->64:        112*112*64*32   = 25690112
     *   expand 1x1 64->256:    56*56*256*64    = 51380224
     *   project 1x1 256->64:   56*56*64*256    = 51380224
     *   head 3x3/2 64->128:    28*28*128*576   = 57802752
     *   fc 128->10:                               1280
     * params: stem 864+32, dw1 288+32, pw1 2048+64, expand 16384+256,
     *   project 16384+64, head 73728+128, fc 1280+10 = 111562 */
    tpusim_graph *g = tu_new();
    ck_assert_int_eq(tpusim_graph_build_builtin(g, "demo-cnn"), TPUSIM_OK);
    tpusim_totals t;
    ck_assert_int_eq(tpusim_graph_totals(g, &t), TPUSIM_OK);
    ck_assert_uint_eq(t.macs, 200705280);
    ck_assert_uint_eq(t.params, 111562);
    tu_expect_shape(g, "probs", 2, TU_DIMS(1, 10));
    tpusim_graph_close(g);
}
END_TEST

Suite *graph_suite(void)
{
    Suite *s = suite_create("graph");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, close_null_is_noop);
    tcase_add_test(tc, version_number_matches_version_string);
    tcase_add_test(tc, ops_out_of_order_are_sorted);
    tcase_add_test(tc, cycle_is_an_error);
    tcase_add_test(tc, missing_input_is_an_error);
    tcase_add_test(tc, duplicate_producer_is_an_error);
    tcase_add_test(tc, unknown_op_names_type_and_node);
    tcase_add_test(tc, nothing_added_after_finalize);
    tcase_add_test(tc, empty_graph_is_an_error);
    tcase_add_test(tc, weight_given_as_input_is_not_rebatched);
    tcase_add_test(tc, named_and_axis_bindings);
    tcase_add_test(tc, unbound_and_unused_bindings_are_errors);
    tcase_add_test(tc, absurd_dim_beside_a_zero_is_an_error);
    tcase_add_test(tc, readback_rejects_bad_index);
    tcase_add_test(tc, builtin_demo_counts);
    suite_add_tcase(s, tc);
    return s;
}
