/*
 * test_infer_shape.c — shape inference and constant folding of the shape
 * and data-movement ops (sim/infer_shape.c). Expected shapes and values are
 * worked out by hand from the ONNX operator rules, shown in comments.
 */
#include <math.h>
#include <string.h>

#include "suites.h"
#include "testutil.h"

/* ------------------------------------------------------------- helpers */

static void expect_folded(tpusim_graph *g, const char *op, bool folded)
{
    ck_assert_msg(tu_find_op(g, op)->folded == folded, "op '%s' folded is %d, expected %d", op,
                  (int)tu_find_op(g, op)->folded, (int)folded);
}

/* A 1-D float constant with known values (Resize scales): a weight whose
 * values are set directly, as the ONNX importer keeps small ones. */
static void float_const(tpusim_graph *g, const char *name, size_t n, const double *v)
{
    int64_t dims[1] = {(int64_t)n};
    tu_weight(g, name, 1, dims);
    ck_assert_int_eq(tensor_set_fvals(g, graph_find_tensor(g, name), v, n), TPUSIM_OK);
}

static struct op *last_op(tpusim_graph *g)
{
    return g->ops[g->n_ops - 1];
}

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))
#define INTS(name, ...)                                                                            \
    do {                                                                                           \
        const int64_t v_[] = {__VA_ARGS__};                                                        \
        tu_ints(g, name, N_OF(v_), v_);                                                            \
    } while (0)
#define ATTR_INTS(name, ...)                                                                       \
    do {                                                                                           \
        const int64_t v_[] = {__VA_ARGS__};                                                        \
        tu_attr_ints(g, name, N_OF(v_), v_);                                                       \
    } while (0)
#define EXPECT_IVALS(tensor, ...)                                                                  \
    do {                                                                                           \
        const int64_t w_[] = {__VA_ARGS__};                                                        \
        tu_expect_ivals(g, tensor, N_OF(w_), w_);                                                  \
    } while (0)

/* ------------------------------------------------------ Reshape, Flatten */

START_TEST(pytorch_flatten_chain_folds_and_reshape_runs)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 4, TU_DIMS(2, 3, 4, 5));
    tu_int_const(g, "zero", 0, NULL, TU_DIMS(0));
    INTS("axes0", 0);
    INTS("minus1", -1);
    tu_op(g, "Shape", "shape", "x", "s");
    tu_op(g, "Gather", "gather", "s,zero", "n");
    tu_op(g, "Unsqueeze", "unsq", "n,axes0", "n1");
    tu_op(g, "Concat", "concat", "n1,minus1", "target");
    tu_attr_int(g, "axis", 0);
    tu_op(g, "Reshape", "reshape", "x,target", "y");
    tu_finalize_ok(g);
    /* Shape [2,3,4,5]; Gather index 0 -> scalar 2; Unsqueeze -> [2];
     * Concat with [-1] -> [2,-1]; -1 = 120 / 2 = 60. */
    EXPECT_IVALS("s", 2, 3, 4, 5);
    tu_expect_shape(g, "n", 0, NULL);
    EXPECT_IVALS("n", 2);
    EXPECT_IVALS("n1", 2);
    EXPECT_IVALS("target", 2, -1);
    tu_expect_shape(g, "y", 2, TU_DIMS(2, 60));
    expect_folded(g, "shape", true);
    expect_folded(g, "gather", true);
    expect_folded(g, "unsq", true);
    expect_folded(g, "concat", true);
    expect_folded(g, "reshape", false);
    tpusim_graph_close(g);
}
END_TEST

START_TEST(reshape_zero_copies_input_dim_and_minus_one_takes_the_rest)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 4, TU_DIMS(2, 3, 4, 5));
    INTS("shape", 0, 3, -1);
    tu_op(g, "Reshape", "r", "x,shape", "y");
    tu_finalize_ok(g);
    /* 0 copies dim 0 (2); -1 = 120 / (2*3) = 20. */
    tu_expect_shape(g, "y", 3, TU_DIMS(2, 3, 20));
    tpusim_graph_close(g);
}
END_TEST

START_TEST(reshape_allowzero_keeps_a_literal_zero)
{
    int64_t m[6] = {1, 2, 3, 4, 5, 6};
    tpusim_graph *g = tu_new();
    ck_assert_int_eq(tpusim_graph_add_int_constant(g, "m", 2, TU_DIMS(2, 3), m), TPUSIM_OK);
    INTS("shape", 0, 3);
    tu_op(g, "Reshape", "r", "m,shape", "y");
    tu_finalize_ok(g);
    tu_expect_shape(g, "y", 2, TU_DIMS(2, 3)); /* 0 copies dim 0: 2 */
    tpusim_graph_close(g);

    g = tu_new();
    ck_assert_int_eq(tpusim_graph_add_int_constant(g, "m", 2, TU_DIMS(2, 3), m), TPUSIM_OK);
    INTS("shape", 0, 3);
    tu_op(g, "Reshape", "r", "m,shape", "y");
    tu_attr_int(g, "allowzero", 1);
    /* A literal 0: [0,3] holds 0 elements, not 6. */
    tu_finalize_fails(g, TPUSIM_ERR_SHAPE, "(0 elements)");
    tpusim_graph_close(g);
}
END_TEST

START_TEST(reshape_opset1_shape_attribute_and_folds_values)
{
    tpusim_graph *g = tu_new();
    INTS("v", 1, 2, 3, 4, 5, 6);
    tu_op(g, "Reshape", "r", "v", "y");
    ATTR_INTS("shape", 3, 2);
    tu_finalize_ok(g);
    tu_expect_shape(g, "y", 2, TU_DIMS(3, 2));
    EXPECT_IVALS("y", 1, 2, 3, 4, 5, 6);
    expect_folded(g, "r", true);
    tpusim_graph_close(g);
}
END_TEST

START_TEST(reshape_element_count_mismatch_names_both_shapes)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 2, TU_DIMS(2, 3));
    INTS("shape", 4, 2);
    tu_op(g, "Reshape", "bad_reshape", "x,shape", "y");
    /* 6 elements cannot become 4*2 = 8. */
    tu_finalize_fails(g, TPUSIM_ERR_SHAPE, "bad_reshape");
    ck_assert_ptr_nonnull(strstr(tpusim_graph_errmsg(g), "[2,3]"));
    ck_assert_ptr_nonnull(strstr(tpusim_graph_errmsg(g), "[4,2]"));
    tpusim_graph_close(g);
}
END_TEST

START_TEST(reshape_minus_one_that_does_not_divide_fails)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 2, TU_DIMS(2, 3));
    INTS("shape", 4, -1);
    tu_op(g, "Reshape", "r", "x,shape", "y");
    /* 6 is not a multiple of 4. */
    tu_finalize_fails(g, TPUSIM_ERR_SHAPE, "not a multiple of 4");
    tpusim_graph_close(g);
}
END_TEST

START_TEST(reshape_two_minus_ones_fail)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 2, TU_DIMS(2, 3));
    INTS("shape", -1, -1);
    tu_op(g, "Reshape", "r", "x,shape", "y");
    tu_finalize_fails(g, TPUSIM_ERR_SHAPE, "more than one -1");
    tpusim_graph_close(g);
}
END_TEST

START_TEST(reshape_shape_from_data_fails_naming_the_input)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 2, TU_DIMS(2, 3));
    tu_input(g, "runtime_shape", 1, TU_DIMS(2));
    tu_op(g, "Reshape", "r", "x,runtime_shape", "y");
    tu_finalize_fails(g, TPUSIM_ERR_SHAPE, "runtime_shape");
    ck_assert_ptr_nonnull(strstr(tpusim_graph_errmsg(g), "depends on data"));
    tpusim_graph_close(g);
}
END_TEST

START_TEST(flatten_default_negative_and_rank_axes)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 4, TU_DIMS(2, 3, 4, 5));
    tu_op(g, "Flatten", "f1", "x", "a");
    tu_op(g, "Flatten", "f2", "x", "b");
    tu_attr_int(g, "axis", -1);
    tu_op(g, "Flatten", "f3", "x", "c");
    tu_attr_int(g, "axis", 0);
    tu_op(g, "Flatten", "f4", "x", "d");
    tu_attr_int(g, "axis", 4);
    tu_finalize_ok(g);
    tu_expect_shape(g, "a", 2, TU_DIMS(2, 60));  /* axis 1: 2 | 3*4*5 */
    tu_expect_shape(g, "b", 2, TU_DIMS(24, 5));  /* axis 3: 2*3*4 | 5 */
    tu_expect_shape(g, "c", 2, TU_DIMS(1, 120)); /* axis 0: () | all */
    tu_expect_shape(g, "d", 2, TU_DIMS(120, 1)); /* axis 4: all | () */
    tpusim_graph_close(g);
}
END_TEST

/* -------------------------------------------------- Squeeze, Unsqueeze */

START_TEST(squeeze_by_attribute_by_input_and_all_ones)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 4, TU_DIMS(1, 3, 1, 5));
    INTS("ax", -2);
    tu_op(g, "Squeeze", "s_attr", "x", "a");
    ATTR_INTS("axes", 0);
    tu_op(g, "Squeeze", "s_input", "x,ax", "b");
    tu_op(g, "Squeeze", "s_all", "x", "c");
    tu_finalize_ok(g);
    tu_expect_shape(g, "a", 3, TU_DIMS(3, 1, 5)); /* axis 0 dropped */
    tu_expect_shape(g, "b", 3, TU_DIMS(1, 3, 5)); /* -2 = axis 2 dropped */
    tu_expect_shape(g, "c", 2, TU_DIMS(3, 5));    /* both size-1 axes dropped */
    tpusim_graph_close(g);
}
END_TEST

START_TEST(squeeze_of_an_axis_not_one_fails)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 2, TU_DIMS(1, 3));
    tu_op(g, "Squeeze", "sq", "x", "y");
    ATTR_INTS("axes", 1);
    tu_finalize_fails(g, TPUSIM_ERR_SHAPE, "its size is 3, not 1");
    tpusim_graph_close(g);
}
END_TEST

START_TEST(unsqueeze_axes_index_the_output_by_attribute_and_input)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 2, TU_DIMS(3, 4));
    INTS("ax", 0, -1);
    tu_op(g, "Unsqueeze", "u_attr", "x", "a");
    ATTR_INTS("axes", 1, 3);
    tu_op(g, "Unsqueeze", "u_input", "x,ax", "b");
    tu_finalize_ok(g);
    /* Output rank 4: axes 1 and 3 are new -> [3,1,4,1]. */
    tu_expect_shape(g, "a", 4, TU_DIMS(3, 1, 4, 1));
    /* Axes 0 and -1 (= 3) of rank 4 -> [1,3,4,1]. */
    tu_expect_shape(g, "b", 4, TU_DIMS(1, 3, 4, 1));
    tpusim_graph_close(g);
}
END_TEST

START_TEST(unsqueeze_out_of_range_axis_fails)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 2, TU_DIMS(3, 4));
    tu_op(g, "Unsqueeze", "u", "x", "y");
    ATTR_INTS("axes", 3); /* output rank 3: axes 0..2 */
    tu_finalize_fails(g, TPUSIM_ERR_SHAPE, "axis 3 is out of range");
    tpusim_graph_close(g);
}
END_TEST

/* ------------------------------------------------- Transpose, Concat */

START_TEST(transpose_default_reverses_and_perm_folds_values)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 3, TU_DIMS(2, 3, 4));
    int64_t m[6] = {1, 2, 3, 4, 5, 6};
    ck_assert_int_eq(tpusim_graph_add_int_constant(g, "m", 2, TU_DIMS(2, 3), m), TPUSIM_OK);
    tu_op(g, "Transpose", "t_default", "x", "a");
    tu_op(g, "Transpose", "t_perm", "x", "b");
    ATTR_INTS("perm", 0, 2, 1);
    tu_op(g, "Transpose", "t_fold", "m", "mt");
    tu_finalize_ok(g);
    tu_expect_shape(g, "a", 3, TU_DIMS(4, 3, 2));
    tu_expect_shape(g, "b", 3, TU_DIMS(2, 4, 3));
    /* [[1,2,3],[4,5,6]] transposed is [[1,4],[2,5],[3,6]]. */
    tu_expect_shape(g, "mt", 2, TU_DIMS(3, 2));
    EXPECT_IVALS("mt", 1, 4, 2, 5, 3, 6);
    tpusim_graph_close(g);
}
END_TEST

START_TEST(concat_joins_shape_vectors_and_checks_other_dims)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 3, TU_DIMS(2, 3, 4));
    tu_input(g, "z", 3, TU_DIMS(2, 5, 4));
    INTS("a", 1, 2);
    INTS("b", 3);
    INTS("empty");
    tu_op(g, "Concat", "cv", "a,empty,b", "v");
    tu_attr_int(g, "axis", 0);
    tu_op(g, "Concat", "cx", "x,z", "y");
    tu_attr_int(g, "axis", -2);
    tu_finalize_ok(g);
    EXPECT_IVALS("v", 1, 2, 3);
    tu_expect_shape(g, "y", 3, TU_DIMS(2, 8, 4)); /* 3 + 5 on axis 1 */
    tpusim_graph_close(g);
}
END_TEST

START_TEST(concat_mismatch_names_the_inputs)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 2, TU_DIMS(2, 3));
    tu_input(g, "z", 2, TU_DIMS(4, 3));
    tu_op(g, "Concat", "cat", "x,z", "y");
    tu_attr_int(g, "axis", 1);
    /* Axis 0 differs (2 vs 4) and is not the concat axis. */
    tu_finalize_fails(g, TPUSIM_ERR_SHAPE, "input 'z' [4,3] does not match input 'x' [2,3]");
    tpusim_graph_close(g);
}
END_TEST

/* -------------------------------------------------------------- Split */

START_TEST(split_equal_by_attribute_by_input_and_num_outputs)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 2, TU_DIMS(6, 10));
    INTS("sizes", 7, 3);
    tu_op(g, "Split", "eq", "x", "a0,a1,a2");
    tu_op(g, "Split", "by_attr", "x", "b0,b1");
    tu_attr_int(g, "axis", 1);
    ATTR_INTS("split", 4, 6);
    tu_op(g, "Split", "by_input", "x,sizes", "c0,c1");
    tu_attr_int(g, "axis", -1);
    tu_op(g, "Split", "num", "x", "d0,d1,d2");
    tu_attr_int(g, "axis", 1);
    tu_attr_int(g, "num_outputs", 3);
    tu_finalize_ok(g);
    tu_expect_shape(g, "a0", 2, TU_DIMS(2, 10)); /* 6 / 3 = 2 */
    tu_expect_shape(g, "a2", 2, TU_DIMS(2, 10));
    tu_expect_shape(g, "b0", 2, TU_DIMS(6, 4));
    tu_expect_shape(g, "b1", 2, TU_DIMS(6, 6));
    tu_expect_shape(g, "c0", 2, TU_DIMS(6, 7));
    tu_expect_shape(g, "c1", 2, TU_DIMS(6, 3));
    /* num_outputs 3 of 10: ceil(10/3) = 4, 4, and 10 - 8 = 2. */
    tu_expect_shape(g, "d0", 2, TU_DIMS(6, 4));
    tu_expect_shape(g, "d1", 2, TU_DIMS(6, 4));
    tu_expect_shape(g, "d2", 2, TU_DIMS(6, 2));
    tpusim_graph_close(g);
}
END_TEST

START_TEST(split_folds_vector_parts)
{
    tpusim_graph *g = tu_new();
    INTS("v", 10, 20, 30, 40, 50);
    tu_op(g, "Split", "sp", "v", "p0,p1");
    ATTR_INTS("split", 2, 3);
    tu_finalize_ok(g);
    EXPECT_IVALS("p0", 10, 20);
    EXPECT_IVALS("p1", 30, 40, 50);
    tpusim_graph_close(g);
}
END_TEST

START_TEST(split_not_divisible_fails)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 2, TU_DIMS(7, 10));
    tu_op(g, "Split", "sp", "x", "a,b");
    tu_finalize_fails(g, TPUSIM_ERR_SHAPE, "cannot split a dimension of 7 into 2 equal parts");
    tpusim_graph_close(g);
}
END_TEST

START_TEST(split_sizes_not_summing_to_the_dim_fail)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 2, TU_DIMS(7, 10));
    tu_op(g, "Split", "sp", "x", "a,b");
    ATTR_INTS("split", 3, 3);
    tu_finalize_fails(g, TPUSIM_ERR_SHAPE, "summing to 7");
    tpusim_graph_close(g);
}
END_TEST

/* -------------------------------------------------------------- Slice */

START_TEST(slice_negative_starts_int64_max_ends_and_axes)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 3, TU_DIMS(10, 20, 30));
    INTS("starts", -3, 5);
    INTS("ends", INT64_MAX, -1);
    INTS("axes", 0, -1);
    tu_op(g, "Slice", "sl", "x,starts,ends,axes", "y");
    tu_finalize_ok(g);
    /* Axis 0: 10-3 = 7 to 10 -> 3. Axis 2: 5 to 30-1 = 29 -> 24. */
    tu_expect_shape(g, "y", 3, TU_DIMS(3, 20, 24));
    tpusim_graph_close(g);
}
END_TEST

START_TEST(slice_negative_step_folds_reversed_values)
{
    tpusim_graph *g = tu_new();
    INTS("v", 10, 11, 12, 13, 14);
    INTS("starts", -1);
    INTS("ends", INT64_MIN);
    INTS("axes", 0);
    INTS("steps", -2);
    tu_op(g, "Slice", "rev", "v,starts,ends,axes,steps", "y");
    tu_finalize_ok(g);
    /* start -1 -> 4; end clamps to -1 going backward: indices 4, 2, 0. */
    EXPECT_IVALS("y", 14, 12, 10);
    expect_folded(g, "rev", true);
    tpusim_graph_close(g);
}
END_TEST

START_TEST(slice_of_shape_folds_the_tail)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 4, TU_DIMS(2, 3, 4, 5));
    INTS("starts", 2);
    INTS("ends", INT64_MAX);
    tu_op(g, "Shape", "sh", "x", "s");
    tu_op(g, "Slice", "tail", "s,starts,ends", "hw");
    tu_finalize_ok(g);
    EXPECT_IVALS("hw", 4, 5); /* dims 2 and 3 of [2,3,4,5] */
    expect_folded(g, "tail", true);
    tpusim_graph_close(g);
}
END_TEST

START_TEST(slice_opset9_attributes)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 2, TU_DIMS(8, 16));
    tu_op(g, "Slice", "sl", "x", "y");
    ATTR_INTS("starts", 1, -4);
    ATTR_INTS("ends", 1000, -1);
    tu_finalize_ok(g);
    /* Axis 0: 1 to min(1000, 8) -> 7. Axis 1: 12 to 15 -> 3. */
    tu_expect_shape(g, "y", 2, TU_DIMS(7, 3));
    tpusim_graph_close(g);
}
END_TEST

START_TEST(slice_with_step_zero_fails)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 1, TU_DIMS(8));
    INTS("starts", 0);
    INTS("ends", 8);
    INTS("axes", 0);
    INTS("steps", 0);
    tu_op(g, "Slice", "sl", "x,starts,ends,axes,steps", "y");
    tu_finalize_fails(g, TPUSIM_ERR_SHAPE, "step 0");
    tpusim_graph_close(g);
}
END_TEST

/* ------------------------------------------------------------- Gather */

START_TEST(gather_embedding_table_by_data_indices)
{
    tpusim_graph *g = tu_new();
    tu_weight(g, "table", 2, TU_DIMS(1000, 64));
    tu_input(g, "ids", 2, TU_DIMS(2, 7));
    tu_op(g, "Gather", "embed", "table,ids", "e");
    tu_op(g, "Gather", "cols", "table,ids", "c");
    tu_attr_int(g, "axis", 1);
    tu_finalize_ok(g);
    /* Axis 0: [] + [2,7] + [64]. Axis 1: [1000] + [2,7] + []. */
    tu_expect_shape(g, "e", 3, TU_DIMS(2, 7, 64));
    tu_expect_shape(g, "c", 3, TU_DIMS(1000, 2, 7));
    expect_folded(g, "embed", false);
    tpusim_graph_close(g);
}
END_TEST

START_TEST(gather_negative_indices_fold_and_out_of_range_fails)
{
    tpusim_graph *g = tu_new();
    INTS("v", 10, 20, 30);
    INTS("idx", -1, 0);
    tu_op(g, "Gather", "ga", "v,idx", "y");
    tu_finalize_ok(g);
    EXPECT_IVALS("y", 30, 10); /* -1 is the last element */
    tpusim_graph_close(g);

    g = tu_new();
    INTS("v", 10, 20, 30);
    INTS("idx", 3);
    tu_op(g, "Gather", "ga", "v,idx", "y");
    tu_finalize_fails(g, TPUSIM_ERR_SHAPE, "index 3 is out of range");
    tpusim_graph_close(g);
}
END_TEST

/* ---------------------------------------------------------------- Pad */

START_TEST(pad_attribute_and_input_forms_with_crop)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 4, TU_DIMS(1, 3, 8, 8));
    INTS("pads", 0, 0, 1, -2, 0, 0, 2, -1);
    INTS("pads2", 1, 1);
    INTS("axes", -1);
    tu_op(g, "Pad", "p_attr", "x", "a");
    ATTR_INTS("pads", 0, 0, 1, 1, 0, 0, 1, 1);
    tu_op(g, "Pad", "p_input", "x,pads", "b");
    tu_op(g, "Pad", "p_axes", "x,pads2,,axes", "c");
    tu_finalize_ok(g);
    tu_expect_shape(g, "a", 4, TU_DIMS(1, 3, 10, 10)); /* 8 + 1 + 1 */
    /* H: 8 + 1 + 2 = 11; W: 8 - 2 - 1 = 5. */
    tu_expect_shape(g, "b", 4, TU_DIMS(1, 3, 11, 5));
    tu_expect_shape(g, "c", 4, TU_DIMS(1, 3, 8, 10)); /* only W: 8 + 1 + 1 */
    tpusim_graph_close(g);
}
END_TEST

START_TEST(pad_folds_a_vector_with_its_constant)
{
    tpusim_graph *g = tu_new();
    INTS("v", 5, 6);
    INTS("pads", 1, 2);
    INTS("fill", 9);
    tu_op(g, "Pad", "p", "v,pads,fill", "y");
    tu_finalize_ok(g);
    EXPECT_IVALS("y", 9, 5, 6, 9, 9);
    tpusim_graph_close(g);
}
END_TEST

START_TEST(pad_cropping_everything_fails)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 2, TU_DIMS(4, 4));
    tu_op(g, "Pad", "p", "x", "y");
    ATTR_INTS("pads", 0, -2, 0, -2); /* W: 4 - 2 - 2 = 0 */
    tu_finalize_fails(g, TPUSIM_ERR_SHAPE, "with 0 elements");
    tpusim_graph_close(g);
}
END_TEST

/* ------------------------------------------------------- Expand, Tile */

START_TEST(expand_broadcasts_and_folds)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 2, TU_DIMS(3, 1));
    INTS("shape", 2, 1, 4);
    INTS("one", 7);
    INTS("three", 3);
    tu_op(g, "Expand", "ex", "x,shape", "y");
    tu_op(g, "Expand", "exv", "one,three", "v");
    tu_finalize_ok(g);
    /* [3,1] against [2,1,4]: [2,3,4]. */
    tu_expect_shape(g, "y", 3, TU_DIMS(2, 3, 4));
    EXPECT_IVALS("v", 7, 7, 7);
    tpusim_graph_close(g);
}
END_TEST

START_TEST(expand_incompatible_fails)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 2, TU_DIMS(3, 2));
    INTS("shape", 3, 4);
    tu_op(g, "Expand", "ex", "x,shape", "y");
    tu_finalize_fails(g, TPUSIM_ERR_SHAPE, "cannot broadcast");
    tpusim_graph_close(g);
}
END_TEST

START_TEST(tile_repeats_and_folds)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 2, TU_DIMS(2, 3));
    INTS("reps", 2, 2);
    INTS("v", 1, 2);
    INTS("three", 3);
    tu_op(g, "Tile", "t", "x,reps", "y");
    tu_op(g, "Tile", "tv", "v,three", "w");
    tu_finalize_ok(g);
    tu_expect_shape(g, "y", 2, TU_DIMS(4, 6));
    EXPECT_IVALS("w", 1, 2, 1, 2, 1, 2);
    tpusim_graph_close(g);
}
END_TEST

/* ---------------------------------------------------------- Shape, Size */

START_TEST(shape_start_end_and_size)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 4, TU_DIMS(2, 3, 4, 5));
    tu_op(g, "Shape", "sh", "x", "s");
    tu_attr_int(g, "start", 1);
    tu_attr_int(g, "end", -1);
    tu_op(g, "Size", "sz", "x", "n");
    tu_finalize_ok(g);
    EXPECT_IVALS("s", 3, 4); /* dims 1 .. 4-1 */
    tu_expect_shape(g, "n", 0, NULL);
    EXPECT_IVALS("n", 120); /* 2*3*4*5 */
    expect_folded(g, "sh", true);
    expect_folded(g, "sz", true);
    tpusim_graph_close(g);
}
END_TEST

/* ------------------------------------------------ ConstantOfShape, Range */

START_TEST(constant_of_shape_feeds_range)
{
    tpusim_graph *g = tu_new();
    INTS("scalar_shape");
    INTS("shape3", 3);
    tu_int_const(g, "limit", 0, NULL, TU_DIMS(11));
    tu_int_const(g, "delta", 0, NULL, TU_DIMS(3));
    tu_op(g, "ConstantOfShape", "cs0", "scalar_shape", "start");
    ck_assert_int_eq(op_add_attr_tensor(g, last_op(g), "value", TPUSIM_DT_INT64, 2), TPUSIM_OK);
    tu_op(g, "ConstantOfShape", "cs3", "shape3", "fives");
    ck_assert_int_eq(op_add_attr_tensor(g, last_op(g), "value", TPUSIM_DT_INT64, 5), TPUSIM_OK);
    tu_op(g, "Range", "rg", "start,limit,delta", "r");
    tu_finalize_ok(g);
    tu_expect_shape(g, "start", 0, NULL);
    EXPECT_IVALS("start", 2);
    EXPECT_IVALS("fives", 5, 5, 5);
    /* ceil((11 - 2) / 3) = 3 values: 2, 5, 8. */
    tu_expect_shape(g, "r", 1, TU_DIMS(3));
    EXPECT_IVALS("r", 2, 5, 8);
    expect_folded(g, "rg", true);
    tpusim_graph_close(g);
}
END_TEST

START_TEST(constant_of_shape_large_is_a_weight_without_values)
{
    tpusim_graph *g = tu_new();
    INTS("shape", 1000, 1000);
    tu_op(g, "ConstantOfShape", "w", "shape", "big");
    tu_finalize_ok(g);
    const struct tensor *t = tu_find_tensor(g, "big");
    tu_expect_shape(g, "big", 2, TU_DIMS(1000, 1000));
    ck_assert_int_eq(t->dtype, TPUSIM_DT_FLOAT32); /* default value: float32 0 */
    ck_assert_int_eq((int)t->n_vals, 0);
    expect_folded(g, "w", true);
    tpusim_graph_close(g);
}
END_TEST

START_TEST(range_negative_delta_and_data_limit_fails)
{
    tpusim_graph *g = tu_new();
    tu_int_const(g, "start", 0, NULL, TU_DIMS(10));
    tu_int_const(g, "limit", 0, NULL, TU_DIMS(4));
    tu_int_const(g, "delta", 0, NULL, TU_DIMS(-3));
    tu_op(g, "Range", "rg", "start,limit,delta", "r");
    tu_finalize_ok(g);
    EXPECT_IVALS("r", 10, 7); /* ceil((4 - 10) / -3) = 2 */
    tpusim_graph_close(g);

    g = tu_new();
    tu_int_const(g, "start", 0, NULL, TU_DIMS(0));
    tu_input(g, "lim", 0, NULL);
    tu_int_const(g, "delta", 0, NULL, TU_DIMS(1));
    tu_op(g, "Range", "rg", "start,lim,delta", "r");
    tu_finalize_fails(g, TPUSIM_ERR_SHAPE, "'lim'");
    tpusim_graph_close(g);
}
END_TEST

/* ------------------------------------------------------------- Resize */

START_TEST(resize_by_scales_sizes_and_opset10)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 4, TU_DIMS(1, 3, 8, 8));
    float_const(g, "scales", 4, (const double[]){1, 1, 2, 1.5});
    float_const(g, "no_scales", 0, NULL);
    INTS("sizes", 1, 3, 5, 7);
    tu_op(g, "Resize", "r11", "x,,scales", "a");
    tu_op(g, "Resize", "r13", "x,,no_scales,sizes", "b");
    tu_op(g, "Resize", "r10", "x,scales", "c");
    tu_finalize_ok(g);
    tu_expect_shape(g, "a", 4, TU_DIMS(1, 3, 16, 12)); /* 8*2, 8*1.5 */
    tu_expect_shape(g, "b", 4, TU_DIMS(1, 3, 5, 7));
    tu_expect_shape(g, "c", 4, TU_DIMS(1, 3, 16, 12));
    tpusim_graph_close(g);
}
END_TEST

START_TEST(resize_scales_floor)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 4, TU_DIMS(1, 3, 7, 7));
    float_const(g, "scales", 4, (const double[]){1, 1, 0.5, 1.3});
    tu_op(g, "Resize", "r", "x,,scales", "y");
    tu_finalize_ok(g);
    tu_expect_shape(g, "y", 4, TU_DIMS(1, 3, 3, 9)); /* floor(3.5), floor(9.1) */
    tpusim_graph_close(g);
}
END_TEST

START_TEST(upsample_scales_attribute_and_input)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 4, TU_DIMS(1, 3, 8, 8));
    float_const(g, "scales", 4, (const double[]){1, 1, 3, 3});
    tu_op(g, "Upsample", "u7", "x", "a");
    ck_assert_int_eq(op_add_attr_floats(g, last_op(g), "scales", (const double[]){1, 1, 2, 2}, 4),
                     TPUSIM_OK);
    tu_op(g, "Upsample", "u9", "x,scales", "b");
    tu_finalize_ok(g);
    tu_expect_shape(g, "a", 4, TU_DIMS(1, 3, 16, 16));
    tu_expect_shape(g, "b", 4, TU_DIMS(1, 3, 24, 24));
    tpusim_graph_close(g);
}
END_TEST

START_TEST(resize_scales_from_data_fail)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 4, TU_DIMS(1, 3, 8, 8));
    tu_input(g, "dyn_scales", 1, TU_DIMS(4));
    tu_op(g, "Resize", "r", "x,,dyn_scales", "y");
    tu_finalize_fails(g, TPUSIM_ERR_SHAPE, "dyn_scales");
    tpusim_graph_close(g);
}
END_TEST

/* ------------------------------------------------- DepthToSpace and back */

START_TEST(depth_to_space_and_space_to_depth)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 4, TU_DIMS(1, 16, 5, 6));
    tu_op(g, "DepthToSpace", "d2s", "x", "a");
    tu_attr_int(g, "blocksize", 2);
    tu_op(g, "SpaceToDepth", "s2d", "a", "b");
    tu_attr_int(g, "blocksize", 2);
    tu_finalize_ok(g);
    tu_expect_shape(g, "a", 4, TU_DIMS(1, 4, 10, 12)); /* 16/4, 5*2, 6*2 */
    tu_expect_shape(g, "b", 4, TU_DIMS(1, 16, 5, 6));  /* back again */
    tpusim_graph_close(g);
}
END_TEST

START_TEST(depth_space_not_divisible_fails)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 4, TU_DIMS(1, 6, 4, 4));
    tu_op(g, "DepthToSpace", "d2s", "x", "a");
    tu_attr_int(g, "blocksize", 2); /* 6 % 4 != 0 */
    tu_finalize_fails(g, TPUSIM_ERR_SHAPE, "not divisible by blocksize^2 = 4");
    tpusim_graph_close(g);

    g = tu_new();
    tu_input(g, "x", 4, TU_DIMS(1, 6, 5, 4));
    tu_op(g, "SpaceToDepth", "s2d", "x", "a");
    tu_attr_int(g, "blocksize", 2); /* H = 5 is odd */
    tu_finalize_fails(g, TPUSIM_ERR_SHAPE, "not divisible by blocksize 2");
    tpusim_graph_close(g);
}
END_TEST

Suite *infer_shape_suite(void)
{
    Suite *s = suite_create("infer_shape");
    TCase *tc = tcase_create("reshape");
    tcase_add_test(tc, pytorch_flatten_chain_folds_and_reshape_runs);
    tcase_add_test(tc, reshape_zero_copies_input_dim_and_minus_one_takes_the_rest);
    tcase_add_test(tc, reshape_allowzero_keeps_a_literal_zero);
    tcase_add_test(tc, reshape_opset1_shape_attribute_and_folds_values);
    tcase_add_test(tc, reshape_element_count_mismatch_names_both_shapes);
    tcase_add_test(tc, reshape_minus_one_that_does_not_divide_fails);
    tcase_add_test(tc, reshape_two_minus_ones_fail);
    tcase_add_test(tc, reshape_shape_from_data_fails_naming_the_input);
    tcase_add_test(tc, flatten_default_negative_and_rank_axes);
    tcase_add_test(tc, squeeze_by_attribute_by_input_and_all_ones);
    tcase_add_test(tc, squeeze_of_an_axis_not_one_fails);
    tcase_add_test(tc, unsqueeze_axes_index_the_output_by_attribute_and_input);
    tcase_add_test(tc, unsqueeze_out_of_range_axis_fails);
    suite_add_tcase(s, tc);

    tc = tcase_create("movement");
    tcase_add_test(tc, transpose_default_reverses_and_perm_folds_values);
    tcase_add_test(tc, concat_joins_shape_vectors_and_checks_other_dims);
    tcase_add_test(tc, concat_mismatch_names_the_inputs);
    tcase_add_test(tc, split_equal_by_attribute_by_input_and_num_outputs);
    tcase_add_test(tc, split_folds_vector_parts);
    tcase_add_test(tc, split_not_divisible_fails);
    tcase_add_test(tc, split_sizes_not_summing_to_the_dim_fail);
    tcase_add_test(tc, slice_negative_starts_int64_max_ends_and_axes);
    tcase_add_test(tc, slice_negative_step_folds_reversed_values);
    tcase_add_test(tc, slice_of_shape_folds_the_tail);
    tcase_add_test(tc, slice_opset9_attributes);
    tcase_add_test(tc, slice_with_step_zero_fails);
    tcase_add_test(tc, gather_embedding_table_by_data_indices);
    tcase_add_test(tc, gather_negative_indices_fold_and_out_of_range_fails);
    tcase_add_test(tc, pad_attribute_and_input_forms_with_crop);
    tcase_add_test(tc, pad_folds_a_vector_with_its_constant);
    tcase_add_test(tc, pad_cropping_everything_fails);
    tcase_add_test(tc, expand_broadcasts_and_folds);
    tcase_add_test(tc, expand_incompatible_fails);
    tcase_add_test(tc, tile_repeats_and_folds);
    suite_add_tcase(s, tc);

    tc = tcase_create("generators");
    tcase_add_test(tc, shape_start_end_and_size);
    tcase_add_test(tc, constant_of_shape_feeds_range);
    tcase_add_test(tc, constant_of_shape_large_is_a_weight_without_values);
    tcase_add_test(tc, range_negative_delta_and_data_limit_fails);
    tcase_add_test(tc, resize_by_scales_sizes_and_opset10);
    tcase_add_test(tc, resize_scales_floor);
    tcase_add_test(tc, upsample_scales_attribute_and_input);
    tcase_add_test(tc, resize_scales_from_data_fail);
    tcase_add_test(tc, depth_to_space_and_space_to_depth);
    tcase_add_test(tc, depth_space_not_divisible_fails);
    suite_add_tcase(s, tc);
    return s;
}
