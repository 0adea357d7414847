/*
 * test_infer_vector.c — shape inference, value folding and FLOP counts of
 * the vector ops (sim/infer_vector.c). Every expected value is worked out
 * by hand in the test, with the arithmetic in a comment.
 */
#include <string.h>

#include "suites.h"
#include "testutil.h"

/* ---------------------------------------------------------------- helpers */

static void expect_fvals(tpusim_graph *g, const char *name, size_t n, const double *want)
{
    const struct tensor *t = tu_find_tensor(g, name);
    ck_assert_msg(tensor_has_values(t) && t->fvals, "tensor '%s' has no float values", name);
    ck_assert_uint_eq(t->n_vals, n);
    for (size_t i = 0; i < n; i++)
        ck_assert_double_eq_tol(t->fvals[i], want[i], 1e-9);
}

static void expect_no_values(tpusim_graph *g, const char *name)
{
    const struct tensor *t = tu_find_tensor(g, name);
    ck_assert_msg(!t->ivals && !t->fvals, "tensor '%s' should have no known values", name);
}

static void expect_dtype(tpusim_graph *g, const char *name, tpusim_dtype dtype)
{
    ck_assert_int_eq(tu_find_tensor(g, name)->dtype, dtype);
}

static uint64_t flops(tpusim_graph *g, const char *op)
{
    return tu_find_op(g, op)->cost.flops;
}

/* ----------------------------------------------------------- broadcasting */

START_TEST(add_broadcasts_rank3_with_rank2)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 3, TU_DIMS(2, 1, 4));
    tu_input(g, "y", 2, TU_DIMS(3, 1));
    tu_op(g, "Add", "add", "x,y", "z");
    tu_finalize_ok(g);
    /* [2,1,4] and [_,3,1] align right: 2, max(1,3), max(4,1). */
    tu_expect_shape(g, "z", 3, TU_DIMS(2, 3, 4));
    expect_dtype(g, "z", TPUSIM_DT_FLOAT32);
    ck_assert_uint_eq(flops(g, "add"), 24); /* 2*3*4 elements, 1 each */
    ck_assert_uint_eq(tu_find_op(g, "add")->cost.macs, 0);
    tpusim_graph_close(g);
}
END_TEST

START_TEST(incompatible_broadcast_names_node_and_shapes)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "a", 2, TU_DIMS(2, 3));
    tu_input(g, "b", 1, TU_DIMS(4));
    tu_op(g, "Mul", "bad_mul", "a,b", "c");
    tu_finalize_fails(g, TPUSIM_ERR_SHAPE, "bad_mul");
    ck_assert_ptr_nonnull(strstr(tpusim_graph_errmsg(g), "[4]"));
    ck_assert_ptr_nonnull(strstr(tpusim_graph_errmsg(g), "[2,3]"));
    tpusim_graph_close(g);
}
END_TEST

START_TEST(binary_op_with_one_input_fails)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "a", 1, TU_DIMS(4));
    tu_op(g, "Add", "lonely_add", "a", "c");
    tu_finalize_fails(g, TPUSIM_ERR_SHAPE, "expects 2 inputs, got 1");
    tpusim_graph_close(g);
}
END_TEST

START_TEST(where_broadcasts_three_ways)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "a", 3, TU_DIMS(3, 1, 1));
    tu_input(g, "b", 1, TU_DIMS(1));
    tu_input(g, "x", 2, TU_DIMS(1, 4));
    tu_input(g, "y", 2, TU_DIMS(2, 1));
    tu_op(g, "Greater", "gt", "a,b", "cond");
    tu_op(g, "Where", "where", "cond,x,y", "out");
    tu_finalize_ok(g);
    expect_dtype(g, "cond", TPUSIM_DT_BOOL);
    /* [3,1,1], [_,1,4], [_,2,1] -> [3, 2, 4]; dtype of x. */
    tu_expect_shape(g, "out", 3, TU_DIMS(3, 2, 4));
    expect_dtype(g, "out", TPUSIM_DT_FLOAT32);
    ck_assert_uint_eq(flops(g, "where"), 24); /* 3*2*4 */
    ck_assert_uint_eq(flops(g, "gt"), 3);     /* [3,1,1] */
    tpusim_graph_close(g);
}
END_TEST

START_TEST(where_needs_three_inputs)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 1, TU_DIMS(4));
    tu_op(g, "Where", "w2", "x,x", "out");
    tu_finalize_fails(g, TPUSIM_ERR_SHAPE, "expects 3 inputs, got 2");
    tpusim_graph_close(g);
}
END_TEST

START_TEST(variadic_counts_n_minus_one_per_element)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "a", 2, TU_DIMS(2, 3));
    tu_input(g, "b", 1, TU_DIMS(3));
    tu_input(g, "c", 1, TU_DIMS(1));
    tu_op(g, "Sum", "sum3", "a,b,c", "s");
    tu_op(g, "Max", "max1", "a", "m");
    tu_finalize_ok(g);
    tu_expect_shape(g, "s", 2, TU_DIMS(2, 3));
    ck_assert_uint_eq(flops(g, "sum3"), 12); /* (3 - 1) adds * 6 elements */
    ck_assert_uint_eq(flops(g, "max1"), 6);  /* one input: at least 1 per element */
    tpusim_graph_close(g);
}
END_TEST

START_TEST(variadic_with_no_inputs_fails)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 1, TU_DIMS(4));
    tu_op(g, "Relu", "r", "x", "y");
    tu_op(g, "Sum", "empty_sum", "", "s");
    tu_finalize_fails(g, TPUSIM_ERR_SHAPE, "empty_sum");
    ck_assert_ptr_nonnull(strstr(tpusim_graph_errmsg(g), "at least 1 input"));
    tpusim_graph_close(g);
}
END_TEST

START_TEST(compare_outputs_bool)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "a", 2, TU_DIMS(2, 3));
    tu_input(g, "b", 1, TU_DIMS(3));
    tu_op(g, "Less", "lt", "a,b", "c");
    tu_op(g, "Not", "not", "c", "d");
    tu_finalize_ok(g);
    tu_expect_shape(g, "c", 2, TU_DIMS(2, 3));
    expect_dtype(g, "c", TPUSIM_DT_BOOL);
    expect_dtype(g, "d", TPUSIM_DT_BOOL);
    ck_assert_uint_eq(flops(g, "lt"), 6);
    ck_assert_uint_eq(flops(g, "not"), 6);
    tpusim_graph_close(g);
}
END_TEST

/* ------------------------------------------------------------ unary, Clip */

START_TEST(relu_flops_are_output_elements)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 4, TU_DIMS(1, 64, 56, 56));
    tu_op(g, "Relu", "relu", "x", "y");
    tu_finalize_ok(g);
    tu_expect_shape(g, "y", 4, TU_DIMS(1, 64, 56, 56));
    /* 64 * 56 * 56 = 64 * 3136 = 200704 */
    ck_assert_uint_eq(flops(g, "relu"), 200704);
    ck_assert(!tu_find_op(g, "relu")->folded);
    tpusim_graph_close(g);
}
END_TEST

START_TEST(identity_cast_dropout_cost_nothing)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 2, TU_DIMS(4, 8));
    tu_op(g, "Identity", "id", "x", "a");
    tu_op(g, "Cast", "cast", "a", "b");
    tu_attr_int(g, "to", TPUSIM_DT_FLOAT16);
    tu_op(g, "Dropout", "drop", "b", "c,mask");
    tu_finalize_ok(g);
    ck_assert_uint_eq(flops(g, "id"), 0);
    ck_assert_uint_eq(flops(g, "cast"), 0);
    ck_assert_uint_eq(flops(g, "drop"), 0);
    expect_dtype(g, "b", TPUSIM_DT_FLOAT16);
    tu_expect_shape(g, "c", 2, TU_DIMS(4, 8));
    expect_dtype(g, "c", TPUSIM_DT_FLOAT16);
    tu_expect_shape(g, "mask", 2, TU_DIMS(4, 8));
    expect_dtype(g, "mask", TPUSIM_DT_BOOL);
    tpusim_graph_close(g);
}
END_TEST

START_TEST(dropout_with_three_outputs_fails)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 1, TU_DIMS(8));
    tu_op(g, "Dropout", "drop3", "x", "y,mask,extra");
    tu_finalize_fails(g, TPUSIM_ERR_SHAPE, "drop3");
    tpusim_graph_close(g);
}
END_TEST

START_TEST(clip_with_attributes)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 2, TU_DIMS(2, 3));
    tu_op(g, "Clip", "relu6", "x", "y");
    tu_attr_float(g, "min", 0.0);
    tu_attr_float(g, "max", 6.0);
    tu_ints(g, "v", 3, TU_DIMS(-5, 3, 12));
    tu_op(g, "Clip", "clip_attr", "v", "cv");
    tu_attr_float(g, "min", 0.0);
    tu_attr_float(g, "max", 10.0);
    tu_finalize_ok(g);
    tu_expect_shape(g, "y", 2, TU_DIMS(2, 3));
    ck_assert_uint_eq(flops(g, "relu6"), 6);
    /* clamp to [0, 10]: -5 -> 0, 3 -> 3, 12 -> 10; the output stays int64. */
    expect_dtype(g, "cv", TPUSIM_DT_INT64);
    tu_expect_ivals(g, "cv", 3, TU_DIMS(0, 3, 10));
    tpusim_graph_close(g);
}
END_TEST

START_TEST(clip_with_bound_inputs)
{
    tpusim_graph *g = tu_new();
    tu_ints(g, "v", 3, TU_DIMS(-5, 3, 12));
    tu_ints(g, "lo", 1, TU_DIMS(0));
    tu_ints(g, "hi", 1, TU_DIMS(10));
    tu_op(g, "Clip", "both", "v,lo,hi", "a");
    tu_op(g, "Clip", "max_only", "v,,hi", "b");
    tu_finalize_ok(g);
    tu_expect_ivals(g, "a", 3, TU_DIMS(0, 3, 10));  /* clamp to [0, 10] */
    tu_expect_ivals(g, "b", 3, TU_DIMS(-5, 3, 10)); /* only 12 is above 10 */
    ck_assert(tu_find_op(g, "both")->folded);
    tpusim_graph_close(g);
}
END_TEST

START_TEST(clip_bound_from_data_leaves_values_unknown)
{
    tpusim_graph *g = tu_new();
    tu_ints(g, "v", 3, TU_DIMS(-5, 3, 12));
    tu_input(g, "lo", 1, TU_DIMS(1));
    tu_op(g, "Clip", "clip", "v,lo", "a");
    tu_finalize_ok(g);
    tu_expect_shape(g, "a", 1, TU_DIMS(3));
    expect_no_values(g, "a");
    ck_assert(!tu_find_op(g, "clip")->folded);
    tpusim_graph_close(g);
}
END_TEST

START_TEST(clip_bound_must_be_scalar)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 1, TU_DIMS(3));
    tu_ints(g, "lo", 2, TU_DIMS(0, 1));
    tu_op(g, "Clip", "wide_clip", "x,lo", "a");
    tu_finalize_fails(g, TPUSIM_ERR_SHAPE, "must be a scalar");
    tpusim_graph_close(g);
}
END_TEST

START_TEST(softmax_keeps_shape_and_counts_three)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 2, TU_DIMS(2, 10));
    tu_op(g, "Softmax", "sm", "x", "y");
    tu_op(g, "LogSoftmax", "lsm", "x", "z");
    tu_attr_int(g, "axis", 0);
    tu_finalize_ok(g);
    tu_expect_shape(g, "y", 2, TU_DIMS(2, 10));
    tu_expect_shape(g, "z", 2, TU_DIMS(2, 10));
    ck_assert_uint_eq(flops(g, "sm"), 60); /* 3 (exp, sum, divide) * 20 */
    ck_assert_uint_eq(flops(g, "lsm"), 60);
    tpusim_graph_close(g);
}
END_TEST

START_TEST(softmax_axis_out_of_range_fails)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 2, TU_DIMS(2, 10));
    tu_op(g, "Softmax", "bad_sm", "x", "y");
    tu_attr_int(g, "axis", 2);
    tu_finalize_fails(g, TPUSIM_ERR_SHAPE, "bad_sm");
    ck_assert_ptr_nonnull(strstr(tpusim_graph_errmsg(g), "out of range"));
    tpusim_graph_close(g);
}
END_TEST

/* ---------------------------------------------------------- normalisation */

START_TEST(layer_norm_mean_output_has_ones_on_normalised_axes)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 3, TU_DIMS(2, 5, 8));
    tu_weight(g, "s", 1, TU_DIMS(8));
    tu_weight(g, "b", 1, TU_DIMS(8));
    tu_op(g, "LayerNormalization", "ln", "x,s,b", "y,mean,inv");
    tu_attr_int(g, "axis", -1);
    tu_op(g, "LayerNormalization", "ln1", "x,s", "y1,mean1");
    tu_attr_int(g, "axis", 1);
    tu_finalize_ok(g);
    tu_expect_shape(g, "y", 3, TU_DIMS(2, 5, 8));
    tu_expect_shape(g, "mean", 3, TU_DIMS(2, 5, 1)); /* axis -1 = 2: last dim -> 1 */
    tu_expect_shape(g, "inv", 3, TU_DIMS(2, 5, 1));
    tu_expect_shape(g, "mean1", 3, TU_DIMS(2, 1, 1)); /* axis 1: dims 1 and 2 -> 1 */
    expect_dtype(g, "mean", TPUSIM_DT_FLOAT32);
    ck_assert_uint_eq(flops(g, "ln"), 400); /* 5 per element * 2*5*8 = 5 * 80 */
    tpusim_graph_close(g);
}
END_TEST

START_TEST(layer_norm_bad_axis_fails)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 2, TU_DIMS(2, 8));
    tu_weight(g, "s", 1, TU_DIMS(8));
    tu_op(g, "LayerNormalization", "ln_bad", "x,s", "y");
    tu_attr_int(g, "axis", -3);
    tu_finalize_fails(g, TPUSIM_ERR_SHAPE, "ln_bad");
    tpusim_graph_close(g);
}
END_TEST

START_TEST(batch_norm_inference_and_training_outputs)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 4, TU_DIMS(1, 16, 8, 8));
    tu_weight(g, "s", 1, TU_DIMS(16));
    tu_weight(g, "b", 1, TU_DIMS(16));
    tu_weight(g, "m", 1, TU_DIMS(16));
    tu_weight(g, "v", 1, TU_DIMS(16));
    tu_op(g, "BatchNormalization", "bn", "x,s,b,m,v", "y");
    tu_op(g, "BatchNormalization", "bn_train", "x,s,b,m,v", "y2,rm,rv,sm,sv");
    tu_finalize_ok(g);
    tu_expect_shape(g, "y", 4, TU_DIMS(1, 16, 8, 8));
    ck_assert_uint_eq(flops(g, "bn"), 2048); /* 2 per element * 16*8*8 = 2 * 1024 */
    tu_expect_shape(g, "rm", 1, TU_DIMS(16)); /* per channel: [C] */
    tu_expect_shape(g, "sv", 1, TU_DIMS(16));
    tpusim_graph_close(g);
}
END_TEST

START_TEST(batch_norm_missing_inputs_fails)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 4, TU_DIMS(1, 16, 8, 8));
    tu_weight(g, "s", 1, TU_DIMS(16));
    tu_op(g, "BatchNormalization", "bn_short", "x,s", "y");
    tu_finalize_fails(g, TPUSIM_ERR_SHAPE, "bn_short");
    tpusim_graph_close(g);
}
END_TEST

START_TEST(instance_norm_counts_five_per_element)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 4, TU_DIMS(2, 4, 5, 5));
    tu_weight(g, "s", 1, TU_DIMS(4));
    tu_weight(g, "b", 1, TU_DIMS(4));
    tu_op(g, "InstanceNormalization", "in", "x,s,b", "y");
    tu_finalize_ok(g);
    tu_expect_shape(g, "y", 4, TU_DIMS(2, 4, 5, 5));
    ck_assert_uint_eq(flops(g, "in"), 1000); /* 5 * (2*4*5*5 = 200) */
    tpusim_graph_close(g);
}
END_TEST

/* ------------------------------------------------------------- reductions */

START_TEST(reduce_keepdims_and_negative_axes)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 3, TU_DIMS(2, 3, 4));
    tu_op(g, "ReduceSum", "sum_drop", "x", "a");
    tu_attr_ints(g, "axes", 1, TU_DIMS(1));
    tu_attr_int(g, "keepdims", 0);
    tu_op(g, "ReduceSum", "sum_keep", "x", "b");
    tu_attr_ints(g, "axes", 1, TU_DIMS(1));
    tu_op(g, "ReduceMean", "mean_last", "x", "c");
    tu_attr_ints(g, "axes", 1, TU_DIMS(-1));
    tu_op(g, "ReduceMax", "max_all", "x", "d");
    tu_attr_int(g, "keepdims", 0);
    tu_finalize_ok(g);
    tu_expect_shape(g, "a", 2, TU_DIMS(2, 4));    /* axis 1 removed */
    tu_expect_shape(g, "b", 3, TU_DIMS(2, 1, 4)); /* keepdims defaults to 1 */
    tu_expect_shape(g, "c", 3, TU_DIMS(2, 3, 1)); /* -1 is axis 2 */
    tu_expect_shape(g, "d", 0, NULL);             /* no axes: all of them */
    ck_assert_uint_eq(flops(g, "sum_drop"), 24);  /* one per input element: 2*3*4 */
    ck_assert_uint_eq(flops(g, "max_all"), 24);
    tpusim_graph_close(g);
}
END_TEST

START_TEST(reduce_axes_from_input)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 3, TU_DIMS(2, 3, 4));
    tu_ints(g, "axes", 2, TU_DIMS(0, -1));
    tu_op(g, "ReduceSum", "sum13", "x,axes", "a");
    tu_attr_int(g, "keepdims", 0);
    tu_op(g, "ReduceMin", "noop", "x", "b");
    tu_attr_int(g, "noop_with_empty_axes", 1);
    tu_finalize_ok(g);
    tu_expect_shape(g, "a", 1, TU_DIMS(3)); /* axes 0 and 2 removed */
    tu_expect_shape(g, "b", 3, TU_DIMS(2, 3, 4));
    ck_assert_uint_eq(flops(g, "noop"), 0);
    tpusim_graph_close(g);
}
END_TEST

START_TEST(reduce_axes_from_data_fails)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 2, TU_DIMS(2, 3));
    tu_input(g, "axes", 1, TU_DIMS(1));
    tu_op(g, "ReduceSum", "dyn_axes", "x,axes", "a");
    tu_finalize_fails(g, TPUSIM_ERR_SHAPE, "dyn_axes");
    tpusim_graph_close(g);
}
END_TEST

START_TEST(reduce_bad_and_repeated_axes_fail)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 3, TU_DIMS(2, 3, 4));
    tu_op(g, "ReduceSum", "axis3", "x", "a");
    tu_attr_ints(g, "axes", 1, TU_DIMS(3));
    tu_finalize_fails(g, TPUSIM_ERR_SHAPE, "axis3");
    ck_assert_ptr_nonnull(strstr(tpusim_graph_errmsg(g), "out of range"));
    tpusim_graph_close(g);

    g = tu_new();
    tu_input(g, "x", 3, TU_DIMS(2, 3, 4));
    tu_op(g, "ReduceProd", "twice", "x", "a");
    tu_attr_ints(g, "axes", 2, TU_DIMS(1, -2)); /* -2 is axis 1 again */
    tu_finalize_fails(g, TPUSIM_ERR_SHAPE, "listed twice");
    tpusim_graph_close(g);
}
END_TEST

START_TEST(argmax_shape_and_dtype)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 3, TU_DIMS(2, 3, 4));
    tu_op(g, "ArgMax", "am", "x", "a");
    tu_attr_int(g, "axis", 1);
    tu_attr_int(g, "keepdims", 0);
    tu_op(g, "ArgMax", "am_default", "x", "b");
    tu_finalize_ok(g);
    tu_expect_shape(g, "a", 2, TU_DIMS(2, 4));
    expect_dtype(g, "a", TPUSIM_DT_INT64);
    tu_expect_shape(g, "b", 3, TU_DIMS(1, 3, 4)); /* axis 0, keepdims 1 */
    ck_assert_uint_eq(flops(g, "am"), 24);        /* one per input element */
    tpusim_graph_close(g);
}
END_TEST

START_TEST(reductions_fold_small_matrices)
{
    tpusim_graph *g = tu_new();
    /* m = [[1, 2, 3],
     *      [4, 5, 6]] */
    tu_int_const(g, "m", 2, TU_DIMS(2, 3), TU_DIMS(1, 2, 3, 4, 5, 6));
    tu_ints(g, "ax1", 1, TU_DIMS(1));
    tu_ints(g, "ax0", 1, TU_DIMS(0));
    tu_op(g, "ReduceSum", "rows", "m,ax1", "rows");
    tu_attr_int(g, "keepdims", 0);
    tu_op(g, "ReduceSum", "cols", "m,ax0", "cols");
    tu_op(g, "ReduceMax", "rmax", "m", "rmax");
    tu_attr_ints(g, "axes", 1, TU_DIMS(-1));
    tu_attr_int(g, "keepdims", 0);
    tu_op(g, "ReduceMin", "rmin", "m", "rmin");
    tu_op(g, "ReduceMean", "rmean", "m", "rmean");
    tu_attr_ints(g, "axes", 1, TU_DIMS(0));
    tu_attr_int(g, "keepdims", 0);
    tu_op(g, "ArgMax", "am", "m", "am");
    tu_attr_int(g, "axis", 1);
    tu_attr_int(g, "keepdims", 0);
    tu_finalize_ok(g);
    tu_expect_ivals(g, "rows", 2, TU_DIMS(6, 15));   /* 1+2+3, 4+5+6 */
    tu_expect_shape(g, "cols", 2, TU_DIMS(1, 3));
    tu_expect_ivals(g, "cols", 3, TU_DIMS(5, 7, 9)); /* 1+4, 2+5, 3+6 */
    tu_expect_ivals(g, "rmax", 2, TU_DIMS(3, 6));
    tu_expect_shape(g, "rmin", 2, TU_DIMS(1, 1));
    tu_expect_ivals(g, "rmin", 1, TU_DIMS(1));
    /* integer mean truncates: 5/2 = 2, 7/2 = 3, 9/2 = 4 */
    tu_expect_ivals(g, "rmean", 3, TU_DIMS(2, 3, 4));
    tu_expect_ivals(g, "am", 2, TU_DIMS(2, 2)); /* 3 and 6 are last in their rows */
    ck_assert(tu_find_op(g, "rows")->folded);
    tpusim_graph_close(g);
}
END_TEST

START_TEST(argmax_folds_first_or_last_tie)
{
    tpusim_graph *g = tu_new();
    tu_ints(g, "v", 4, TU_DIMS(3, 9, 2, 9));
    tu_op(g, "ArgMax", "first", "v", "a");
    tu_op(g, "ArgMax", "last", "v", "b");
    tu_attr_int(g, "select_last_index", 1);
    tu_finalize_ok(g);
    tu_expect_shape(g, "a", 1, TU_DIMS(1));
    tu_expect_ivals(g, "a", 1, TU_DIMS(1)); /* 9 first at index 1 */
    tu_expect_ivals(g, "b", 1, TU_DIMS(3)); /* 9 last at index 3 */
    tpusim_graph_close(g);
}
END_TEST

/* ------------------------------------------------------------------ Cast */

START_TEST(cast_int64_to_float_keeps_values)
{
    tpusim_graph *g = tu_new();
    tu_ints(g, "v", 3, TU_DIMS(1, 2, 3));
    tu_op(g, "Cast", "tofloat", "v", "f");
    tu_attr_int(g, "to", TPUSIM_DT_FLOAT32);
    tu_finalize_ok(g);
    expect_dtype(g, "f", TPUSIM_DT_FLOAT32);
    tu_expect_shape(g, "f", 1, TU_DIMS(3));
    expect_fvals(g, "f", 3, (const double[]){1.0, 2.0, 3.0});
    ck_assert(tu_find_op(g, "tofloat")->folded);
    tpusim_graph_close(g);
}
END_TEST

START_TEST(cast_truncates_wraps_and_makes_bools)
{
    tpusim_graph *g = tu_new();
    tu_ints(g, "v", 2, TU_DIMS(7, -7));
    tu_ints(g, "two", 1, TU_DIMS(2));
    tu_op(g, "Cast", "vf", "v", "vf");
    tu_attr_int(g, "to", TPUSIM_DT_FLOAT32);
    tu_op(g, "Cast", "twof", "two", "twof");
    tu_attr_int(g, "to", TPUSIM_DT_FLOAT32);
    tu_op(g, "Div", "half", "vf,twof", "half");
    tu_op(g, "Cast", "back", "half", "back");
    tu_attr_int(g, "to", TPUSIM_DT_INT64);
    tu_ints(g, "w", 3, TU_DIMS(300, -1, 0));
    tu_op(g, "Cast", "u8", "w", "u8");
    tu_attr_int(g, "to", TPUSIM_DT_UINT8);
    tu_op(g, "Cast", "bool", "w", "bool");
    tu_attr_int(g, "to", TPUSIM_DT_BOOL);
    tu_finalize_ok(g);
    expect_fvals(g, "half", 2, (const double[]){3.5, -3.5}); /* 7/2, -7/2 in floats */
    tu_expect_ivals(g, "back", 2, TU_DIMS(3, -3));             /* toward zero */
    /* uint8 wraps mod 256: 300 - 256 = 44; -1 + 256 = 255 */
    tu_expect_ivals(g, "u8", 3, TU_DIMS(44, 255, 0));
    tu_expect_ivals(g, "bool", 3, TU_DIMS(1, 1, 0)); /* nonzero -> true */
    expect_dtype(g, "bool", TPUSIM_DT_BOOL);
    tpusim_graph_close(g);
}
END_TEST

START_TEST(cast_to_unsupported_types_fails)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 1, TU_DIMS(3));
    tu_op(g, "Cast", "to_string", "x", "s");
    tu_attr_int(g, "to", TPUSIM_DT_STRING);
    tu_finalize_fails(g, TPUSIM_ERR_SHAPE, "to_string");
    ck_assert_ptr_nonnull(strstr(tpusim_graph_errmsg(g), "string"));
    tpusim_graph_close(g);

    g = tu_new();
    tu_input(g, "x", 1, TU_DIMS(3));
    tu_op(g, "Cast", "to_99", "x", "s");
    tu_attr_int(g, "to", 99);
    tu_finalize_fails(g, TPUSIM_ERR_SHAPE, "99");
    tpusim_graph_close(g);

    g = tu_new();
    tu_input(g, "x", 1, TU_DIMS(3));
    tu_op(g, "Cast", "to_complex", "x", "s");
    tu_attr_int(g, "to", 14); /* ONNX COMPLEX64 */
    tu_finalize_fails(g, TPUSIM_ERR_SHAPE, "to_complex");
    tpusim_graph_close(g);

    g = tu_new();
    tu_input(g, "x", 1, TU_DIMS(3));
    tu_op(g, "Cast", "no_to", "x", "s");
    tu_finalize_fails(g, TPUSIM_ERR_SHAPE, "'to'");
    tpusim_graph_close(g);
}
END_TEST

/* --------------------------------------------------------------- folding */

/* A BERT/GPT-2 style shape computation on shape = [2, 128, 768]. */
START_TEST(shape_math_chain_folds)
{
    tpusim_graph *g = tu_new();
    tu_ints(g, "shape", 3, TU_DIMS(2, 128, 768));
    tu_ints(g, "two", 1, TU_DIMS(2));
    tu_ints(g, "four", 1, TU_DIMS(4));
    tu_ints(g, "one", 1, TU_DIMS(1));
    tu_ints(g, "zero", 1, TU_DIMS(0));
    tu_ints(g, "minus1", 1, TU_DIMS(-1));
    tu_op(g, "Mul", "mul", "shape,two", "m");
    tu_op(g, "Div", "div", "m,four", "q");
    tu_op(g, "Add", "add", "q,one", "a");
    tu_op(g, "Sub", "sub", "a,shape", "s");
    tu_op(g, "Equal", "eq", "s,zero", "e");
    tu_op(g, "Where", "where", "e,shape,minus1", "w");
    tu_op(g, "ReduceProd", "prod", "shape", "p");
    tu_attr_int(g, "keepdims", 0);
    tu_op(g, "Cast", "cast", "p", "pf");
    tu_attr_int(g, "to", TPUSIM_DT_FLOAT32);
    tu_finalize_ok(g);
    tu_expect_ivals(g, "m", 3, TU_DIMS(4, 256, 1536));     /* * 2 */
    tu_expect_ivals(g, "q", 3, TU_DIMS(1, 64, 384));       /* / 4 */
    tu_expect_ivals(g, "a", 3, TU_DIMS(2, 65, 385));       /* + 1 */
    tu_expect_ivals(g, "s", 3, TU_DIMS(0, -63, -383));     /* 2-2, 65-128, 385-768 */
    tu_expect_ivals(g, "e", 3, TU_DIMS(1, 0, 0));          /* == 0 */
    expect_dtype(g, "e", TPUSIM_DT_BOOL);
    tu_expect_ivals(g, "w", 3, TU_DIMS(2, -1, -1));        /* e ? shape : -1 */
    tu_expect_shape(g, "p", 0, NULL);
    tu_expect_ivals(g, "p", 1, TU_DIMS(196608));           /* 2*128*768 = 2*98304 */
    expect_fvals(g, "pf", 1, (const double[]){196608.0});
    const char *ops[] = {"mul", "div", "add", "sub", "eq", "where", "prod", "cast"};
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        ck_assert_msg(tu_find_op(g, ops[i])->folded, "%s is not folded", ops[i]);
    tpusim_graph_close(g);
}
END_TEST

START_TEST(folding_broadcasts_values)
{
    tpusim_graph *g = tu_new();
    /* m = [[1,2,3],[4,5,6]] + col [[10],[20]] */
    tu_int_const(g, "m", 2, TU_DIMS(2, 3), TU_DIMS(1, 2, 3, 4, 5, 6));
    tu_int_const(g, "col", 2, TU_DIMS(2, 1), TU_DIMS(10, 20));
    tu_op(g, "Add", "add", "m,col", "s");
    /* Where(cond [2,1] = [[1],[0]], x [3] = [1,2,3], y [1] = [9]) -> [2,3] */
    tu_int_const(g, "cond", 2, TU_DIMS(2, 1), TU_DIMS(1, 0));
    tu_ints(g, "x", 3, TU_DIMS(1, 2, 3));
    tu_ints(g, "y", 1, TU_DIMS(9));
    tu_op(g, "Where", "where", "cond,x,y", "w");
    tu_finalize_ok(g);
    tu_expect_ivals(g, "s", 6, TU_DIMS(11, 12, 13, 24, 25, 26));
    tu_expect_shape(g, "w", 2, TU_DIMS(2, 3));
    tu_expect_ivals(g, "w", 6, TU_DIMS(1, 2, 3, 9, 9, 9)); /* row 0 takes x, row 1 takes y */
    tpusim_graph_close(g);
}
END_TEST

START_TEST(integer_div_pow_and_overflow)
{
    tpusim_graph *g = tu_new();
    tu_ints(g, "a", 2, TU_DIMS(7, -7));
    tu_ints(g, "b", 1, TU_DIMS(2));
    tu_ints(g, "zero", 1, TU_DIMS(0));
    tu_ints(g, "base", 2, TU_DIMS(2, 3));
    tu_ints(g, "exp", 2, TU_DIMS(10, 2));
    tu_ints(g, "big", 1, TU_DIMS(INT64_MAX));
    tu_op(g, "Div", "div", "a,b", "q");
    tu_op(g, "Div", "div0", "a,zero", "q0");
    tu_op(g, "Pow", "pow", "base,exp", "p");
    tu_op(g, "Mul", "over", "big,b", "o");
    tu_finalize_ok(g);
    tu_expect_ivals(g, "q", 2, TU_DIMS(3, -3));   /* truncation: 7/2 = 3, -7/2 = -3 */
    tu_expect_ivals(g, "p", 2, TU_DIMS(1024, 9)); /* 2^10, 3^2 */
    /* No exact value: left unknown, and nothing crashes. */
    expect_no_values(g, "q0");
    expect_no_values(g, "o");
    tu_expect_shape(g, "o", 1, TU_DIMS(1));
    ck_assert(tu_find_op(g, "div0")->folded); /* all inputs are constant */
    tpusim_graph_close(g);
}
END_TEST

START_TEST(variadic_and_logic_fold)
{
    tpusim_graph *g = tu_new();
    tu_ints(g, "a", 2, TU_DIMS(1, 5));
    tu_ints(g, "b", 2, TU_DIMS(4, 2));
    tu_ints(g, "c", 1, TU_DIMS(3));
    tu_op(g, "Max", "max", "a,b,c", "mx");
    tu_op(g, "Min", "min", "a,b,c", "mn");
    tu_op(g, "Sum", "sum", "a,b,c", "sm");
    tu_op(g, "Mean", "mean", "a,b", "me");
    tu_ints(g, "v", 3, TU_DIMS(1, 2, 3));
    tu_ints(g, "one", 1, TU_DIMS(1));
    tu_ints(g, "three", 1, TU_DIMS(3));
    tu_op(g, "Equal", "eq", "v,one", "eq");
    tu_op(g, "Less", "lt", "v,three", "lt");
    tu_op(g, "Greater", "gt", "v,one", "gt");
    tu_op(g, "And", "and", "eq,lt", "and");
    tu_op(g, "Or", "or", "eq,lt", "or");
    tu_op(g, "Not", "not", "or", "not");
    tu_finalize_ok(g);
    tu_expect_ivals(g, "mx", 2, TU_DIMS(4, 5)); /* max(1,4,3), max(5,2,3) */
    tu_expect_ivals(g, "mn", 2, TU_DIMS(1, 2)); /* min(1,4,3), min(5,2,3) */
    tu_expect_ivals(g, "sm", 2, TU_DIMS(8, 10)); /* 1+4+3, 5+2+3 */
    tu_expect_ivals(g, "me", 2, TU_DIMS(2, 3));  /* (1+4)/2 = 2 (truncated), (5+2)/2 = 3 */
    tu_expect_ivals(g, "eq", 3, TU_DIMS(1, 0, 0));
    tu_expect_ivals(g, "lt", 3, TU_DIMS(1, 1, 0));
    tu_expect_ivals(g, "gt", 3, TU_DIMS(0, 1, 1));
    tu_expect_ivals(g, "and", 3, TU_DIMS(1, 0, 0));
    tu_expect_ivals(g, "or", 3, TU_DIMS(1, 1, 0));
    tu_expect_ivals(g, "not", 3, TU_DIMS(0, 0, 1));
    tpusim_graph_close(g);
}
END_TEST

START_TEST(unary_ops_fold)
{
    tpusim_graph *g = tu_new();
    tu_ints(g, "sq", 2, TU_DIMS(16, 9));
    tu_ints(g, "v", 2, TU_DIMS(5, -2));
    tu_ints(g, "neg", 1, TU_DIMS(-4));
    tu_ints(g, "seven", 1, TU_DIMS(7));
    tu_ints(g, "two", 1, TU_DIMS(2));
    tu_op(g, "Sqrt", "sqrt", "sq", "r");
    tu_op(g, "Neg", "neg_op", "v", "n");
    tu_op(g, "Abs", "abs", "v", "ab");
    tu_op(g, "Relu", "relu", "v", "re");
    tu_op(g, "Identity", "id", "v", "id");
    tu_op(g, "Sqrt", "sqrt_neg", "neg", "nan");
    tu_op(g, "Cast", "c7", "seven", "f7");
    tu_attr_int(g, "to", TPUSIM_DT_FLOAT32);
    tu_op(g, "Cast", "c2", "two", "f2");
    tu_attr_int(g, "to", TPUSIM_DT_FLOAT32);
    tu_op(g, "Div", "div", "f7,f2", "h");
    tu_op(g, "Floor", "floor", "h", "fl");
    tu_op(g, "Ceil", "ceil", "h", "ce");
    tu_finalize_ok(g);
    expect_dtype(g, "r", TPUSIM_DT_INT64);
    tu_expect_ivals(g, "r", 2, TU_DIMS(4, 3)); /* sqrt 16, sqrt 9 */
    tu_expect_ivals(g, "n", 2, TU_DIMS(-5, 2));
    tu_expect_ivals(g, "ab", 2, TU_DIMS(5, 2));
    tu_expect_ivals(g, "re", 2, TU_DIMS(5, 0));
    tu_expect_ivals(g, "id", 2, TU_DIMS(5, -2));
    expect_no_values(g, "nan"); /* sqrt(-4) is not a number */
    expect_fvals(g, "fl", 1, (const double[]){3.0}); /* floor(7/2 = 3.5) */
    expect_fvals(g, "ce", 1, (const double[]){4.0}); /* ceil(3.5) */
    tpusim_graph_close(g);
}
END_TEST

START_TEST(data_dependent_ops_are_not_folded)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 1, TU_DIMS(3));
    tu_ints(g, "k", 3, TU_DIMS(1, 2, 3));
    tu_op(g, "Mul", "scale", "x,k", "y");
    tu_op(g, "Mul", "konst", "k,k", "kk");
    tu_finalize_ok(g);
    ck_assert(!tu_find_op(g, "scale")->folded);
    expect_no_values(g, "y");
    ck_assert_uint_eq(flops(g, "scale"), 3);
    ck_assert(tu_find_op(g, "konst")->folded);
    tu_expect_ivals(g, "kk", 3, TU_DIMS(1, 4, 9)); /* 1*1, 2*2, 3*3 */
    tpusim_graph_close(g);
}
END_TEST

Suite *infer_vector_suite(void)
{
    Suite *s = suite_create("infer_vector");

    TCase *tc = tcase_create("broadcast");
    tcase_add_test(tc, add_broadcasts_rank3_with_rank2);
    tcase_add_test(tc, incompatible_broadcast_names_node_and_shapes);
    tcase_add_test(tc, binary_op_with_one_input_fails);
    tcase_add_test(tc, where_broadcasts_three_ways);
    tcase_add_test(tc, where_needs_three_inputs);
    tcase_add_test(tc, variadic_counts_n_minus_one_per_element);
    tcase_add_test(tc, variadic_with_no_inputs_fails);
    tcase_add_test(tc, compare_outputs_bool);
    suite_add_tcase(s, tc);

    tc = tcase_create("unary");
    tcase_add_test(tc, relu_flops_are_output_elements);
    tcase_add_test(tc, identity_cast_dropout_cost_nothing);
    tcase_add_test(tc, dropout_with_three_outputs_fails);
    tcase_add_test(tc, clip_with_attributes);
    tcase_add_test(tc, clip_with_bound_inputs);
    tcase_add_test(tc, clip_bound_from_data_leaves_values_unknown);
    tcase_add_test(tc, clip_bound_must_be_scalar);
    tcase_add_test(tc, softmax_keeps_shape_and_counts_three);
    tcase_add_test(tc, softmax_axis_out_of_range_fails);
    suite_add_tcase(s, tc);

    tc = tcase_create("norm");
    tcase_add_test(tc, layer_norm_mean_output_has_ones_on_normalised_axes);
    tcase_add_test(tc, layer_norm_bad_axis_fails);
    tcase_add_test(tc, batch_norm_inference_and_training_outputs);
    tcase_add_test(tc, batch_norm_missing_inputs_fails);
    tcase_add_test(tc, instance_norm_counts_five_per_element);
    suite_add_tcase(s, tc);

    tc = tcase_create("reduce");
    tcase_add_test(tc, reduce_keepdims_and_negative_axes);
    tcase_add_test(tc, reduce_axes_from_input);
    tcase_add_test(tc, reduce_axes_from_data_fails);
    tcase_add_test(tc, reduce_bad_and_repeated_axes_fail);
    tcase_add_test(tc, argmax_shape_and_dtype);
    tcase_add_test(tc, reductions_fold_small_matrices);
    tcase_add_test(tc, argmax_folds_first_or_last_tie);
    suite_add_tcase(s, tc);

    tc = tcase_create("cast");
    tcase_add_test(tc, cast_int64_to_float_keeps_values);
    tcase_add_test(tc, cast_truncates_wraps_and_makes_bools);
    tcase_add_test(tc, cast_to_unsupported_types_fails);
    suite_add_tcase(s, tc);

    tc = tcase_create("fold");
    tcase_add_test(tc, shape_math_chain_folds);
    tcase_add_test(tc, folding_broadcasts_values);
    tcase_add_test(tc, integer_div_pow_and_overflow);
    tcase_add_test(tc, variadic_and_logic_fold);
    tcase_add_test(tc, unary_ops_fold);
    tcase_add_test(tc, data_dependent_ops_are_not_folded);
    suite_add_tcase(s, tc);
    return s;
}
