/*
 * test_infer_nn.c — shape inference and cost counts of the matrix and
 * windowed ops (sim/infer_nn.c). Every expected number is worked out by
 * hand in the comment beside it, from the ONNX spec's formulas.
 */
#include <string.h>

#include "suites.h"
#include "testutil.h"

static uint64_t macs_of(tpusim_graph *g, const char *op)
{
    return tu_find_op(g, op)->cost.macs;
}

static uint64_t flops_of(tpusim_graph *g, const char *op)
{
    return tu_find_op(g, op)->cost.flops;
}

/* ----------------------------------------------------------------- Conv */

START_TEST(conv_resnet_stem_7x7_stride2)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 4, TU_DIMS(1, 3, 224, 224));
    tu_weight(g, "w", 4, TU_DIMS(64, 3, 7, 7));
    tu_weight(g, "b", 1, TU_DIMS(64));
    tu_op(g, "Conv", "stem", "x,w,b", "y");
    tu_attr_ints(g, "kernel_shape", 2, TU_DIMS(7, 7));
    tu_attr_ints(g, "strides", 2, TU_DIMS(2, 2));
    tu_attr_ints(g, "pads", 4, TU_DIMS(3, 3, 3, 3));
    tu_finalize_ok(g);
    /* (224 + 3 + 3 - 7)/2 + 1 = 223/2 + 1 = 112 */
    tu_expect_shape(g, "y", 4, TU_DIMS(1, 64, 112, 112));
    /* 1 * 64 * 112*112 * 3 * 7*7 = 118013952 */
    ck_assert_uint_eq(macs_of(g, "stem"), 118013952u);
    /* 2 * 118013952 + bias on 64*112*112 = 802816 outputs = 236830720 */
    ck_assert_uint_eq(flops_of(g, "stem"), 236830720u);
    const struct op *op = tu_find_op(g, "stem");
    ck_assert_int_eq(op->win.spatial, 2);
    ck_assert_int_eq(op->win.kernel[1], 7);
    ck_assert_int_eq(op->win.stride[0], 2);
    ck_assert_int_eq(op->win.pad_begin[0], 3);
    ck_assert_int_eq(op->win.pad_end[1], 3);
    ck_assert_int_eq(op->win.group, 1);
    tpusim_graph_close(g);
}
END_TEST

START_TEST(conv_stride_pad_dilation_per_axis)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 4, TU_DIMS(2, 4, 10, 12));
    tu_weight(g, "w", 4, TU_DIMS(8, 4, 3, 3));
    tu_op(g, "Conv", "c", "x,w", "y");
    tu_attr_ints(g, "strides", 2, TU_DIMS(2, 1));
    tu_attr_ints(g, "dilations", 2, TU_DIMS(2, 3));
    tu_attr_ints(g, "pads", 4, TU_DIMS(1, 0, 1, 2)); /* H: 1/1, W: 0/2 */
    tu_finalize_ok(g);
    /* H: dilated kernel (3-1)*2+1 = 5; (10 + 1 + 1 - 5)/2 + 1 = 3 + 1 = 4
     * W: dilated kernel (3-1)*3+1 = 7; (12 + 0 + 2 - 7)/1 + 1 = 8 */
    tu_expect_shape(g, "y", 4, TU_DIMS(2, 8, 4, 8));
    /* 2 * 8 * 4*8 * 4 * 3*3 = 18432; no bias: flops = 2 * macs */
    ck_assert_uint_eq(macs_of(g, "c"), 18432u);
    ck_assert_uint_eq(flops_of(g, "c"), 36864u);
    ck_assert_int_eq(tu_find_op(g, "c")->win.dilation[1], 3);
    tpusim_graph_close(g);
}
END_TEST

START_TEST(conv_depthwise_and_grouped)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 4, TU_DIMS(1, 32, 16, 16));
    tu_weight(g, "dw", 4, TU_DIMS(32, 1, 3, 3));
    tu_op(g, "Conv", "depthwise", "x,dw", "y");
    tu_attr_int(g, "group", 32);
    tu_attr_ints(g, "pads", 4, TU_DIMS(1, 1, 1, 1));
    tu_input(g, "x2", 4, TU_DIMS(1, 8, 5, 5));
    tu_weight(g, "gw", 4, TU_DIMS(16, 2, 3, 3));
    tu_op(g, "Conv", "grouped", "x2,gw", "y2");
    tu_attr_int(g, "group", 4);
    tu_finalize_ok(g);
    /* (16 + 1 + 1 - 3)/1 + 1 = 16 */
    tu_expect_shape(g, "y", 4, TU_DIMS(1, 32, 16, 16));
    /* 1 * 32 * 16*16 * (32/32 = 1) * 3*3 = 73728 */
    ck_assert_uint_eq(macs_of(g, "depthwise"), 73728u);
    ck_assert_int_eq(tu_find_op(g, "depthwise")->win.group, 32);
    /* (5 - 3)/1 + 1 = 3; Cin 8 = 2 per group * 4 groups */
    tu_expect_shape(g, "y2", 4, TU_DIMS(1, 16, 3, 3));
    /* 1 * 16 * 3*3 * (8/4 = 2) * 3*3 = 2592 */
    ck_assert_uint_eq(macs_of(g, "grouped"), 2592u);
    tpusim_graph_close(g);
}
END_TEST

/* Builds x [1,1,7,8] -> Conv(w [2,1,4,3], strides [1,2], auto_pad). */
static tpusim_graph *same_pad_graph(const char *auto_pad)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 4, TU_DIMS(1, 1, 7, 8));
    tu_weight(g, "w", 4, TU_DIMS(2, 1, 4, 3));
    tu_op(g, "Conv", "c", "x,w", "y");
    tu_attr_ints(g, "strides", 2, TU_DIMS(1, 2));
    tu_attr_str(g, "auto_pad", auto_pad);
    tu_finalize_ok(g);
    return g;
}

START_TEST(conv_same_upper_puts_odd_pad_at_end)
{
    tpusim_graph *g = same_pad_graph("SAME_UPPER");
    /* H: out = ceil(7/1) = 7, total pad = (7-1)*1 + 4 - 7 = 3 -> 1 begin, 2 end
     * W: out = ceil(8/2) = 4, total pad = (4-1)*2 + 3 - 8 = 1 -> 0 begin, 1 end */
    tu_expect_shape(g, "y", 4, TU_DIMS(1, 2, 7, 4));
    const struct op *op = tu_find_op(g, "c");
    ck_assert_int_eq(op->win.pad_begin[0], 1);
    ck_assert_int_eq(op->win.pad_end[0], 2);
    ck_assert_int_eq(op->win.pad_begin[1], 0);
    ck_assert_int_eq(op->win.pad_end[1], 1);
    /* 1 * 2 * 7*4 * 1 * 4*3 = 672 */
    ck_assert_uint_eq(macs_of(g, "c"), 672u);
    tpusim_graph_close(g);
}
END_TEST

START_TEST(conv_same_lower_puts_odd_pad_at_begin)
{
    tpusim_graph *g = same_pad_graph("SAME_LOWER");
    /* Same totals as SAME_UPPER (3 and 1), the odd one at the beginning. */
    tu_expect_shape(g, "y", 4, TU_DIMS(1, 2, 7, 4));
    const struct op *op = tu_find_op(g, "c");
    ck_assert_int_eq(op->win.pad_begin[0], 2);
    ck_assert_int_eq(op->win.pad_end[0], 1);
    ck_assert_int_eq(op->win.pad_begin[1], 1);
    ck_assert_int_eq(op->win.pad_end[1], 0);
    tpusim_graph_close(g);
}
END_TEST

START_TEST(conv_valid_has_no_padding)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 4, TU_DIMS(1, 3, 9, 9));
    tu_weight(g, "w", 4, TU_DIMS(4, 3, 3, 3));
    tu_op(g, "Conv", "c", "x,w", "y");
    tu_attr_str(g, "auto_pad", "VALID");
    tu_attr_ints(g, "strides", 2, TU_DIMS(2, 2));
    tu_finalize_ok(g);
    /* (9 - 3)/2 + 1 = 4 */
    tu_expect_shape(g, "y", 4, TU_DIMS(1, 4, 4, 4));
    /* 1 * 4 * 4*4 * 3 * 3*3 = 1728 */
    ck_assert_uint_eq(macs_of(g, "c"), 1728u);
    ck_assert_int_eq(tu_find_op(g, "c")->win.pad_end[0], 0);
    tpusim_graph_close(g);
}
END_TEST

START_TEST(conv_1d_with_bias)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 3, TU_DIMS(2, 6, 50));
    tu_weight(g, "w", 3, TU_DIMS(12, 6, 5));
    tu_weight(g, "b", 1, TU_DIMS(12));
    tu_op(g, "Conv", "c", "x,w,b", "y");
    tu_attr_ints(g, "strides", 1, TU_DIMS(3));
    tu_attr_ints(g, "pads", 2, TU_DIMS(2, 2));
    tu_finalize_ok(g);
    /* (50 + 2 + 2 - 5)/3 + 1 = 49/3 + 1 = 16 + 1 = 17 */
    tu_expect_shape(g, "y", 3, TU_DIMS(2, 12, 17));
    /* 2 * 12 * 17 * 6 * 5 = 12240 */
    ck_assert_uint_eq(macs_of(g, "c"), 12240u);
    /* 2 * 12240 + bias on 2*12*17 = 408 outputs = 24888 */
    ck_assert_uint_eq(flops_of(g, "c"), 24888u);
    ck_assert_int_eq(tu_find_op(g, "c")->win.spatial, 1);
    tpusim_graph_close(g);
}
END_TEST

START_TEST(conv_3d)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 5, TU_DIMS(1, 2, 8, 16, 16));
    tu_weight(g, "w", 5, TU_DIMS(4, 2, 3, 3, 3));
    tu_op(g, "Conv", "c", "x,w", "y");
    tu_attr_ints(g, "strides", 3, TU_DIMS(1, 2, 2));
    tu_attr_ints(g, "pads", 6, TU_DIMS(1, 1, 1, 1, 1, 1));
    tu_finalize_ok(g);
    /* D: (8 + 2 - 3)/1 + 1 = 8; H, W: (16 + 2 - 3)/2 + 1 = 7 + 1 = 8 */
    tu_expect_shape(g, "y", 5, TU_DIMS(1, 4, 8, 8, 8));
    /* 1 * 4 * 8*8*8 * 2 * 3*3*3 = 2048 * 54 = 110592 */
    ck_assert_uint_eq(macs_of(g, "c"), 110592u);
    ck_assert_int_eq(tu_find_op(g, "c")->win.spatial, 3);
    tpusim_graph_close(g);
}
END_TEST

/* The conv2d builder infers its input's producer early (to size the
 * weight), and finalize infers it again: both must agree. */
START_TEST(conv_builder_chain_infers_early)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 4, TU_DIMS(1, 3, 32, 32));
    ck_assert_int_eq(tpusim_graph_add_conv2d(g, "c1", "x", "y1", 16, 3, 2, 1, 1), TPUSIM_OK);
    ck_assert_int_eq(tpusim_graph_add_conv2d(g, "c2", "y1", "y2", 16, 3, 1, 1, 16), TPUSIM_OK);
    tu_finalize_ok(g);
    /* c1: (32 + 2 - 3)/2 + 1 = 15 + 1 = 16; c2 keeps 16 */
    tu_expect_shape(g, "y2", 4, TU_DIMS(1, 16, 16, 16));
    /* c2 depthwise: 16 * 16*16 * 1 * 3*3 = 36864 */
    ck_assert_uint_eq(macs_of(g, "c2"), 36864u);
    tpusim_graph_close(g);
}
END_TEST

/* -------------------------------------------------------- ConvTranspose */

/* ------------------------------------------------------------ NHWC */

START_TEST(conv_nhwc_matches_nchw)
{
    /* A 3x3/2 SAME conv, 32 -> 64 channels on 112x112, NHWC: out
     * ceil(112/2) = 56; MACs 56*56*64 * 3*3*32 = 57802752, as NCHW gives. */
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 4, TU_DIMS(1, 112, 112, 32));
    tu_weight(g, "w", 4, TU_DIMS(64, 3, 3, 32)); /* OHWI */
    tu_op(g, "Conv", "c", "x,w", "y");
    tu_attr_str(g, "data_format", "NHWC");
    tu_attr_ints(g, "strides", 2, TU_DIMS(2, 2));
    tu_attr_str(g, "auto_pad", "SAME_UPPER");
    tu_finalize_ok(g);
    tu_expect_shape(g, "y", 4, TU_DIMS(1, 56, 56, 64));
    ck_assert_uint_eq(macs_of(g, "c"), 57802752u);
    /* SAME at stride 2 on an even size: total pad (56-1)*2 + 3 - 112 = 1, at the end. */
    const struct op *op = tu_find_op(g, "c");
    ck_assert_int_eq(op->win.pad_begin[0], 0);
    ck_assert_int_eq(op->win.pad_end[0], 1);
    /* The same convolution in NCHW: the same output, MACs and padding. */
    tpusim_graph *n = tu_new();
    tu_input(n, "x", 4, TU_DIMS(1, 32, 112, 112));
    tu_weight(n, "w", 4, TU_DIMS(64, 32, 3, 3)); /* OIHW */
    tu_op(n, "Conv", "c", "x,w", "y");
    tu_attr_ints(n, "strides", 2, TU_DIMS(2, 2));
    tu_attr_str(n, "auto_pad", "SAME_UPPER");
    tu_finalize_ok(n);
    tu_expect_shape(n, "y", 4, TU_DIMS(1, 64, 56, 56));
    ck_assert_uint_eq(macs_of(n, "c"), macs_of(g, "c"));
    const struct op *nop = tu_find_op(n, "c");
    for (int a = 0; a < 2; a++) {
        ck_assert_int_eq(nop->win.pad_begin[a], op->win.pad_begin[a]);
        ck_assert_int_eq(nop->win.pad_end[a], op->win.pad_end[a]);
    }
    tpusim_graph_close(n);
    tpusim_graph_close(g);
}
END_TEST

START_TEST(depthwise_nhwc)
{
    /* TFLite's depthwise 3x3 on 56x56x128, filter read as OHWI [128,3,3,1]
     * with group 128: 56*56*128 * 3*3*1 = 3612672 MACs. */
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 4, TU_DIMS(1, 56, 56, 128));
    tu_weight(g, "w", 4, TU_DIMS(128, 3, 3, 1));
    tu_op(g, "Conv", "dw", "x,w", "y");
    tu_attr_str(g, "data_format", "NHWC");
    tu_attr_int(g, "group", 128);
    tu_attr_ints(g, "pads", 4, TU_DIMS(1, 1, 1, 1));
    tu_finalize_ok(g);
    tu_expect_shape(g, "y", 4, TU_DIMS(1, 56, 56, 128));
    ck_assert_uint_eq(macs_of(g, "dw"), 3612672u);
    tpusim_graph_close(g);
}
END_TEST

START_TEST(conv_transpose_and_pool_nhwc)
{
    /* TFLite TRANSPOSE_CONV: x [1,8,8,16], W [Cout 4, 3, 3, Cin 16], stride 2,
     * output 16x16: each input element through 4 * 3*3 taps:
     * 8*8*16 * 4 * 9 = 36864 MACs. Max pool 2x2/2 on it: [1,8,8,4]. */
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 4, TU_DIMS(1, 8, 8, 16));
    tu_weight(g, "w", 4, TU_DIMS(4, 3, 3, 16));
    tu_op(g, "ConvTranspose", "up", "x,w", "y");
    tu_attr_str(g, "data_format", "NHWC");
    tu_attr_ints(g, "strides", 2, TU_DIMS(2, 2));
    tu_attr_ints(g, "output_shape", 2, TU_DIMS(16, 16));
    tu_op(g, "MaxPool", "pool", "y", "p");
    tu_attr_str(g, "data_format", "NHWC");
    tu_attr_ints(g, "kernel_shape", 2, TU_DIMS(2, 2));
    tu_attr_ints(g, "strides", 2, TU_DIMS(2, 2));
    tu_finalize_ok(g);
    tu_expect_shape(g, "y", 4, TU_DIMS(1, 16, 16, 4));
    ck_assert_uint_eq(macs_of(g, "up"), 36864u);
    tu_expect_shape(g, "p", 4, TU_DIMS(1, 8, 8, 4));
    tpusim_graph_close(g);
}
END_TEST

START_TEST(unknown_data_format_is_an_error)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 4, TU_DIMS(1, 8, 8, 16));
    tu_weight(g, "w", 4, TU_DIMS(4, 3, 3, 16));
    tu_op(g, "Conv", "c", "x,w", "y");
    tu_attr_str(g, "data_format", "NCWH");
    tu_finalize_fails(g, TPUSIM_ERR_SHAPE, "node 'c' (Conv): data_format 'NCWH' is neither");
    tpusim_graph_close(g);
}
END_TEST

START_TEST(conv_transpose_output_padding)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 4, TU_DIMS(1, 8, 5, 5));
    tu_weight(g, "w", 4, TU_DIMS(8, 4, 3, 3));
    tu_weight(g, "b", 1, TU_DIMS(4));
    tu_op(g, "ConvTranspose", "up", "x,w,b", "y");
    tu_attr_ints(g, "strides", 2, TU_DIMS(2, 2));
    tu_attr_ints(g, "pads", 4, TU_DIMS(1, 1, 1, 1));
    tu_attr_ints(g, "output_padding", 2, TU_DIMS(1, 1));
    tu_finalize_ok(g);
    /* 2*(5-1) + 1 + ((3-1)*1 + 1) - 1 - 1 = 8 + 1 + 3 - 2 = 10 */
    tu_expect_shape(g, "y", 4, TU_DIMS(1, 4, 10, 10));
    /* N*Cin*H*W * (Cout/group) * k*k = 1*8*5*5 * 4 * 3*3 = 7200 */
    ck_assert_uint_eq(macs_of(g, "up"), 7200u);
    /* 2 * 7200 + bias on 4*10*10 = 400 outputs = 14800 */
    ck_assert_uint_eq(flops_of(g, "up"), 14800u);
    tpusim_graph_close(g);
}
END_TEST

START_TEST(conv_transpose_grouped)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 4, TU_DIMS(1, 4, 3, 3));
    tu_weight(g, "w", 4, TU_DIMS(4, 2, 2, 2));
    tu_op(g, "ConvTranspose", "up", "x,w", "y");
    tu_attr_int(g, "group", 2);
    tu_attr_ints(g, "strides", 2, TU_DIMS(2, 2));
    tu_finalize_ok(g);
    /* Cout = 2 per group * 2 groups = 4; 2*(3-1) + 0 + 2 = 6 */
    tu_expect_shape(g, "y", 4, TU_DIMS(1, 4, 6, 6));
    /* 1*4*3*3 * (4/2 = 2) * 2*2 = 288 */
    ck_assert_uint_eq(macs_of(g, "up"), 288u);
    tpusim_graph_close(g);
}
END_TEST

START_TEST(conv_transpose_output_shape_and_same)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 4, TU_DIMS(1, 8, 5, 5));
    tu_weight(g, "w", 4, TU_DIMS(8, 4, 3, 3));
    tu_op(g, "ConvTranspose", "shaped", "x,w", "y");
    tu_attr_ints(g, "strides", 2, TU_DIMS(2, 2));
    tu_attr_ints(g, "output_shape", 2, TU_DIMS(10, 10));
    tu_op(g, "ConvTranspose", "same", "x,w", "y2");
    tu_attr_ints(g, "strides", 2, TU_DIMS(2, 2));
    tu_attr_str(g, "auto_pad", "SAME_UPPER");
    tu_finalize_ok(g);
    /* output_shape fixes 10; full size 2*(5-1) + 3 = 11, total pad 1, not
     * SAME_UPPER: begin = 1 - 1/2 = 1, end = 1/2 = 0 */
    tu_expect_shape(g, "y", 4, TU_DIMS(1, 4, 10, 10));
    ck_assert_int_eq(tu_find_op(g, "shaped")->win.pad_begin[0], 1);
    ck_assert_int_eq(tu_find_op(g, "shaped")->win.pad_end[0], 0);
    /* SAME: out = 5 * 2 = 10, total pad 11 - 10 = 1: SAME_UPPER begin 0, end 1 */
    tu_expect_shape(g, "y2", 4, TU_DIMS(1, 4, 10, 10));
    ck_assert_int_eq(tu_find_op(g, "same")->win.pad_begin[1], 0);
    ck_assert_int_eq(tu_find_op(g, "same")->win.pad_end[1], 1);
    tpusim_graph_close(g);
}
END_TEST

/* ----------------------------------------------------------------- Gemm */

START_TEST(gemm_trans_a_trans_b_with_bias)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "a", 2, TU_DIMS(5, 3)); /* transA: [K, M] */
    tu_weight(g, "b", 2, TU_DIMS(4, 5)); /* transB: [N, K] */
    tu_weight(g, "c", 1, TU_DIMS(4));
    tu_op(g, "Gemm", "fc", "a,b,c", "y");
    tu_attr_int(g, "transA", 1);
    tu_attr_int(g, "transB", 1);
    tu_finalize_ok(g);
    /* M = 3, N = 4, K = 5 */
    tu_expect_shape(g, "y", 2, TU_DIMS(3, 4));
    /* 3 * 4 * 5 = 60; flops 2 * 60 + 3*4 bias adds = 132 */
    ck_assert_uint_eq(macs_of(g, "fc"), 60u);
    ck_assert_uint_eq(flops_of(g, "fc"), 132u);
    tpusim_graph_close(g);
}
END_TEST

START_TEST(gemm_plain_and_dense_builder)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "a", 2, TU_DIMS(2, 6));
    tu_weight(g, "b", 2, TU_DIMS(6, 7));
    tu_op(g, "Gemm", "fc", "a,b", "y");
    ck_assert_int_eq(tpusim_graph_add_dense(g, "dense", "y", "z", 3), TPUSIM_OK);
    tu_finalize_ok(g);
    /* [2,6] x [6,7]: 2 * 7 * 6 = 84 MACs, no bias: 168 flops */
    tu_expect_shape(g, "y", 2, TU_DIMS(2, 7));
    ck_assert_uint_eq(macs_of(g, "fc"), 84u);
    ck_assert_uint_eq(flops_of(g, "fc"), 168u);
    /* dense: [2,7] x [7,3] + b[3]: 2*3*7 = 42 MACs, 84 + 6 = 90 flops */
    tu_expect_shape(g, "z", 2, TU_DIMS(2, 3));
    ck_assert_uint_eq(macs_of(g, "dense"), 42u);
    ck_assert_uint_eq(flops_of(g, "dense"), 90u);
    tpusim_graph_close(g);
}
END_TEST

/* --------------------------------------------------------------- MatMul */

START_TEST(matmul_1d_operands)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "v", 1, TU_DIMS(4));
    tu_weight(g, "m", 2, TU_DIMS(4, 6));
    tu_op(g, "MatMul", "vm", "v,m", "y1");
    tu_input(g, "t", 3, TU_DIMS(2, 3, 4));
    tu_weight(g, "u", 1, TU_DIMS(4));
    tu_op(g, "MatMul", "tv", "t,u", "y2");
    tu_input(g, "p", 1, TU_DIMS(5));
    tu_input(g, "q", 1, TU_DIMS(5));
    tu_op(g, "MatMul", "dot", "p,q", "y3");
    tu_finalize_ok(g);
    /* [4] is a row [1,4]: [1,4] x [4,6] = [1,6], the 1 dropped: [6]; 1*6*4 = 24 */
    tu_expect_shape(g, "y1", 1, TU_DIMS(6));
    ck_assert_uint_eq(macs_of(g, "vm"), 24u);
    /* [4] is a column [4,1]: [2,3,4] x [4,1] = [2,3,1] -> [2,3]; 2*3*1*4 = 24 */
    tu_expect_shape(g, "y2", 2, TU_DIMS(2, 3));
    ck_assert_uint_eq(macs_of(g, "tv"), 24u);
    /* a dot product: a scalar, 5 MACs */
    tu_expect_shape(g, "y3", 0, NULL);
    ck_assert_uint_eq(macs_of(g, "dot"), 5u);
    ck_assert_uint_eq(flops_of(g, "dot"), 10u);
    tpusim_graph_close(g);
}
END_TEST

START_TEST(matmul_broadcasts_batch_dims)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "a", 4, TU_DIMS(2, 1, 3, 4));
    tu_input(g, "b", 3, TU_DIMS(5, 4, 6));
    tu_op(g, "MatMul", "mm", "a,b", "y");
    tu_finalize_ok(g);
    /* batch [2,1] with [5] -> [2,5]; M 3, N 6 */
    tu_expect_shape(g, "y", 4, TU_DIMS(2, 5, 3, 6));
    /* 2*5 * 3 * 6 * 4 = 720; flops 1440 */
    ck_assert_uint_eq(macs_of(g, "mm"), 720u);
    ck_assert_uint_eq(flops_of(g, "mm"), 1440u);
    tpusim_graph_close(g);
}
END_TEST

/* --------------------------------------------------------------- Einsum */

START_TEST(einsum_batched_matmul)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "a", 3, TU_DIMS(2, 3, 4));
    tu_input(g, "b", 3, TU_DIMS(2, 4, 5));
    tu_op(g, "Einsum", "bmm", "a,b", "y");
    tu_attr_str(g, "equation", "bij,bjk->bik");
    tu_finalize_ok(g);
    tu_expect_shape(g, "y", 3, TU_DIMS(2, 3, 5));
    /* b*i*j*k = 2*3*4*5 = 120 */
    ck_assert_uint_eq(macs_of(g, "bmm"), 120u);
    ck_assert_uint_eq(flops_of(g, "bmm"), 240u);
    tpusim_graph_close(g);
}
END_TEST

START_TEST(einsum_attention_scores)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "q", 4, TU_DIMS(2, 4, 8, 16));
    tu_input(g, "k", 4, TU_DIMS(2, 4, 10, 16));
    tu_op(g, "Einsum", "qk", "q,k", "s");
    tu_attr_str(g, "equation", "bhqd, bhkd -> bhqk"); /* spaces are allowed */
    tu_finalize_ok(g);
    tu_expect_shape(g, "s", 4, TU_DIMS(2, 4, 8, 10));
    /* b*h*q*k*d = 2*4*8*10*16 = 10240 */
    ck_assert_uint_eq(macs_of(g, "qk"), 10240u);
    tpusim_graph_close(g);
}
END_TEST

START_TEST(einsum_implicit_output_and_one_operand)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "a", 2, TU_DIMS(3, 4));
    tu_input(g, "b", 2, TU_DIMS(4, 5));
    tu_op(g, "Einsum", "mm", "a,b", "y");
    tu_attr_str(g, "equation", "ij,jk"); /* j appears twice: output "ik" */
    tu_input(g, "t", 2, TU_DIMS(2, 3));
    tu_op(g, "Einsum", "tr", "t", "z");
    tu_attr_str(g, "equation", "ba"); /* implicit: letters sorted, "ab": a transpose */
    tu_finalize_ok(g);
    tu_expect_shape(g, "y", 2, TU_DIMS(3, 5));
    ck_assert_uint_eq(macs_of(g, "mm"), 60u); /* 3*4*5 */
    tu_expect_shape(g, "z", 2, TU_DIMS(3, 2));
    /* one operand: no MACs, one op per input element (2*3 = 6) */
    ck_assert_uint_eq(macs_of(g, "tr"), 0u);
    ck_assert_uint_eq(flops_of(g, "tr"), 6u);
    tpusim_graph_close(g);
}
END_TEST

/* ----------------------------------------------------- LSTM / GRU / RNN */

START_TEST(lstm_bidirectional)
{
    tpusim_graph *g = tu_new();
    /* seq 5, batch 2, input 10, hidden 8, 2 directions, 4 gates */
    tu_input(g, "x", 3, TU_DIMS(5, 2, 10));
    tu_weight(g, "w", 3, TU_DIMS(2, 32, 10));
    tu_weight(g, "r", 3, TU_DIMS(2, 32, 8));
    tu_weight(g, "b", 2, TU_DIMS(2, 64));
    tu_op(g, "LSTM", "lstm", "x,w,r,b", "y,yh,yc");
    tu_attr_int(g, "hidden_size", 8);
    tu_attr_str(g, "direction", "bidirectional");
    tu_finalize_ok(g);
    tu_expect_shape(g, "y", 4, TU_DIMS(5, 2, 2, 8));
    tu_expect_shape(g, "yh", 3, TU_DIMS(2, 2, 8));
    tu_expect_shape(g, "yc", 3, TU_DIMS(2, 2, 8));
    /* seq*dirs*batch * 4H * (input + H) = 5*2*2 * 32 * 18 = 11520 */
    ck_assert_uint_eq(macs_of(g, "lstm"), 11520u);
    /* 2 * 11520 + seq*dirs*batch*H * 9 gate ops = 23040 + 160*9 = 24480 */
    ck_assert_uint_eq(flops_of(g, "lstm"), 24480u);
    tpusim_graph_close(g);
}
END_TEST

START_TEST(lstm_peepholes_add_six_ops)
{
    tpusim_graph *g = tu_new();
    /* seq 2, batch 1, input 3, hidden 2 (from R), forward */
    tu_input(g, "x", 3, TU_DIMS(2, 1, 3));
    tu_weight(g, "w", 3, TU_DIMS(1, 8, 3));
    tu_weight(g, "r", 3, TU_DIMS(1, 8, 2));
    tu_weight(g, "p", 2, TU_DIMS(1, 6)); /* [dirs, 3H] */
    tu_op(g, "LSTM", "lstm", "x,w,r,,,,,p", "y");
    tu_finalize_ok(g);
    tu_expect_shape(g, "y", 4, TU_DIMS(2, 1, 1, 2));
    /* 2*1*1 * 8 * (3 + 2) = 80 */
    ck_assert_uint_eq(macs_of(g, "lstm"), 80u);
    /* 2 * 80 + 2*1*1*2 * (9 gate ops + 3 mul + 3 add for peepholes) = 160 + 60 */
    ck_assert_uint_eq(flops_of(g, "lstm"), 220u);
    tpusim_graph_close(g);
}
END_TEST

START_TEST(gru_batch_first_layout)
{
    tpusim_graph *g = tu_new();
    /* layout 1: X [batch 3, seq 7, input 6]; hidden 4 (from R), 3 gates */
    tu_input(g, "x", 3, TU_DIMS(3, 7, 6));
    tu_weight(g, "w", 3, TU_DIMS(1, 12, 6));
    tu_weight(g, "r", 3, TU_DIMS(1, 12, 4));
    tu_op(g, "GRU", "gru", "x,w,r", "y,yh");
    tu_attr_int(g, "layout", 1);
    tu_finalize_ok(g);
    tu_expect_shape(g, "y", 4, TU_DIMS(3, 7, 1, 4));
    tu_expect_shape(g, "yh", 3, TU_DIMS(3, 1, 4));
    /* 7*1*3 * 12 * (6 + 4) = 2520 */
    ck_assert_uint_eq(macs_of(g, "gru"), 2520u);
    /* 2 * 2520 + 7*1*3*4 * 8 gate ops = 5040 + 672 = 5712 */
    ck_assert_uint_eq(flops_of(g, "gru"), 5712u);
    tpusim_graph_close(g);
}
END_TEST

START_TEST(rnn_unused_y_output)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 3, TU_DIMS(4, 1, 3));
    tu_weight(g, "w", 3, TU_DIMS(1, 2, 3));
    tu_weight(g, "r", 3, TU_DIMS(1, 2, 2));
    tu_op(g, "RNN", "rnn", "x,w,r", ",yh"); /* Y left off */
    tu_attr_str(g, "direction", "reverse");
    tu_finalize_ok(g);
    tu_expect_shape(g, "rnn:unused_output_0", 4, TU_DIMS(4, 1, 1, 2));
    tu_expect_shape(g, "yh", 3, TU_DIMS(1, 1, 2));
    /* 4*1*1 * 2 * (3 + 2) = 40; flops 80 + 4*1*1*2 * 1 tanh = 88 */
    ck_assert_uint_eq(macs_of(g, "rnn"), 40u);
    ck_assert_uint_eq(flops_of(g, "rnn"), 88u);
    tpusim_graph_close(g);
}
END_TEST

/* -------------------------------------------------------------- pooling */

START_TEST(max_pool_ceil_mode)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 4, TU_DIMS(1, 1, 6, 6));
    tu_op(g, "MaxPool", "p", "x", "y,idx");
    tu_attr_ints(g, "kernel_shape", 2, TU_DIMS(3, 3));
    tu_attr_ints(g, "strides", 2, TU_DIMS(2, 2));
    tu_attr_int(g, "ceil_mode", 1);
    tu_input(g, "x2", 4, TU_DIMS(1, 1, 5, 5));
    tu_op(g, "MaxPool", "p2", "x2", "y2");
    tu_attr_ints(g, "kernel_shape", 2, TU_DIMS(2, 2));
    tu_attr_ints(g, "strides", 2, TU_DIMS(2, 2));
    tu_attr_ints(g, "pads", 4, TU_DIMS(1, 1, 1, 1));
    tu_attr_int(g, "ceil_mode", 1);
    tu_finalize_ok(g);
    /* ceil((6 - 3)/2) + 1 = 2 + 1 = 3 (floor would give 2); the last
     * window starts at 2*2 = 4 < 6: kept */
    tu_expect_shape(g, "y", 4, TU_DIMS(1, 1, 3, 3));
    tu_expect_shape(g, "idx", 4, TU_DIMS(1, 1, 3, 3));
    ck_assert_int_eq(tu_find_tensor(g, "idx")->dtype, TPUSIM_DT_INT64);
    /* 3*3 outputs * 3*3 window = 81 */
    ck_assert_uint_eq(flops_of(g, "p"), 81u);
    ck_assert_uint_eq(macs_of(g, "p"), 0u);
    /* ceil((5 + 1 + 1 - 2)/2) + 1 = 3 + 1 = 4, but the last window would
     * start at 3*2 = 6 >= 5 + 1 (wholly in the end pad): 3 */
    tu_expect_shape(g, "y2", 4, TU_DIMS(1, 1, 3, 3));
    tpusim_graph_close(g);
}
END_TEST

START_TEST(average_pool_same_upper)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 4, TU_DIMS(1, 2, 7, 7));
    tu_op(g, "AveragePool", "p", "x", "y");
    tu_attr_ints(g, "kernel_shape", 2, TU_DIMS(3, 3));
    tu_attr_ints(g, "strides", 2, TU_DIMS(2, 2));
    tu_attr_str(g, "auto_pad", "SAME_UPPER");
    tu_attr_int(g, "count_include_pad", 1);
    tu_finalize_ok(g);
    /* ceil(7/2) = 4; total pad (4-1)*2 + 3 - 7 = 2: 1 and 1 */
    tu_expect_shape(g, "y", 4, TU_DIMS(1, 2, 4, 4));
    ck_assert_int_eq(tu_find_op(g, "p")->win.pad_begin[0], 1);
    ck_assert_int_eq(tu_find_op(g, "p")->win.pad_end[0], 1);
    /* 2*4*4 outputs * 3*3 = 288 */
    ck_assert_uint_eq(flops_of(g, "p"), 288u);
    tpusim_graph_close(g);
}
END_TEST

START_TEST(global_pool_and_lrn)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 4, TU_DIMS(2, 16, 7, 7));
    tu_op(g, "GlobalAveragePool", "gap", "x", "y");
    tu_input(g, "s", 3, TU_DIMS(2, 3, 10));
    tu_op(g, "GlobalMaxPool", "gmp", "s", "z");
    tu_input(g, "a", 4, TU_DIMS(1, 8, 4, 4));
    tu_op(g, "LRN", "lrn", "a", "b");
    tu_attr_int(g, "size", 5);
    tu_finalize_ok(g);
    tu_expect_shape(g, "y", 4, TU_DIMS(2, 16, 1, 1));
    /* one op per input element: 2*16*7*7 = 1568 */
    ck_assert_uint_eq(flops_of(g, "gap"), 1568u);
    tu_expect_shape(g, "z", 3, TU_DIMS(2, 3, 1));
    tu_expect_shape(g, "b", 4, TU_DIMS(1, 8, 4, 4));
    /* 1*8*4*4 = 128 elements * size 5 = 640 */
    ck_assert_uint_eq(flops_of(g, "lrn"), 640u);
    tpusim_graph_close(g);
}
END_TEST

/* --------------------------------------------------------------- errors */

START_TEST(conv_group_channel_mismatch_fails)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 4, TU_DIMS(1, 6, 8, 8));
    tu_weight(g, "w", 4, TU_DIMS(4, 4, 3, 3)); /* 4 per group * 2 = 8 != 6 */
    tu_op(g, "Conv", "badconv", "x,w", "y");
    tu_attr_int(g, "group", 2);
    tu_finalize_fails(g, TPUSIM_ERR_SHAPE, "node 'badconv' (Conv)");
    ck_assert_ptr_nonnull(strstr(tpusim_graph_errmsg(g), "6 channels"));
    tpusim_graph_close(g);
}
END_TEST

START_TEST(conv_output_channels_not_divisible_by_group_fails)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 4, TU_DIMS(1, 4, 8, 8));
    tu_weight(g, "w", 4, TU_DIMS(3, 2, 3, 3));
    tu_op(g, "Conv", "c", "x,w", "y");
    tu_attr_int(g, "group", 2);
    tu_finalize_fails(g, TPUSIM_ERR_SHAPE, "do not divide by group 2");
    tpusim_graph_close(g);
}
END_TEST

START_TEST(conv_kernel_larger_than_input_fails)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 4, TU_DIMS(1, 1, 4, 4));
    tu_weight(g, "w", 4, TU_DIMS(1, 1, 7, 7));
    tu_op(g, "Conv", "big", "x,w", "y");
    tu_attr_ints(g, "pads", 4, TU_DIMS(1, 1, 1, 1)); /* 4 + 1 + 1 = 6 < 7 */
    tu_finalize_fails(g, TPUSIM_ERR_SHAPE, "larger than the padded input 6");
    tpusim_graph_close(g);
}
END_TEST

START_TEST(conv_bad_ranks_fail)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 1, TU_DIMS(5));
    tu_weight(g, "w", 3, TU_DIMS(1, 1, 3));
    tu_op(g, "Conv", "c", "x,w", "y");
    tu_finalize_fails(g, TPUSIM_ERR_SHAPE, "must have rank 3 to 5");
    tpusim_graph_close(g);

    g = tu_new();
    tu_input(g, "x", 4, TU_DIMS(1, 1, 8, 8));
    tu_weight(g, "w", 3, TU_DIMS(1, 1, 3));
    tu_op(g, "Conv", "c", "x,w", "y");
    tu_finalize_fails(g, TPUSIM_ERR_SHAPE, "input W 'w' must have rank 4");
    tpusim_graph_close(g);
}
END_TEST

START_TEST(conv_zero_stride_fails)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 4, TU_DIMS(1, 1, 8, 8));
    tu_weight(g, "w", 4, TU_DIMS(1, 1, 3, 3));
    tu_op(g, "Conv", "c", "x,w", "y");
    tu_attr_ints(g, "strides", 2, TU_DIMS(1, 0));
    tu_finalize_fails(g, TPUSIM_ERR_SHAPE, "strides[1] = 0");
    tpusim_graph_close(g);
}
END_TEST

START_TEST(pool_errors)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 4, TU_DIMS(1, 1, 8, 8));
    tu_op(g, "MaxPool", "p", "x", "y");
    tu_finalize_fails(g, TPUSIM_ERR_SHAPE, "kernel_shape is required");
    tpusim_graph_close(g);

    g = tu_new();
    tu_input(g, "x", 4, TU_DIMS(1, 1, 2, 8));
    tu_op(g, "AveragePool", "p", "x", "y");
    tu_attr_ints(g, "kernel_shape", 2, TU_DIMS(3, 3));
    tu_finalize_fails(g, TPUSIM_ERR_SHAPE, "larger than the padded input 2");
    tpusim_graph_close(g);
}
END_TEST

START_TEST(gemm_and_matmul_mismatch_fail)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "a", 2, TU_DIMS(2, 6));
    tu_weight(g, "b", 2, TU_DIMS(5, 7));
    tu_op(g, "Gemm", "fc", "a,b", "y");
    tu_finalize_fails(g, TPUSIM_ERR_SHAPE, "inner dimensions differ");
    tpusim_graph_close(g);

    g = tu_new();
    tu_input(g, "a", 3, TU_DIMS(2, 3, 4));
    tu_input(g, "b", 3, TU_DIMS(3, 4, 5));
    tu_op(g, "MatMul", "mm", "a,b", "y");
    tu_finalize_fails(g, TPUSIM_ERR_SHAPE, "cannot broadcast dimension 2 with 3");
    tpusim_graph_close(g);
}
END_TEST

START_TEST(einsum_errors)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "a", 3, TU_DIMS(2, 3, 4));
    tu_input(g, "b", 3, TU_DIMS(2, 4, 5));
    tu_op(g, "Einsum", "e", "a,b", "y");
    tu_attr_str(g, "equation", "...ij,...jk->...ik");
    tu_finalize_fails(g, TPUSIM_ERR_SHAPE, "ellipsis");
    tpusim_graph_close(g);

    g = tu_new();
    tu_input(g, "a", 2, TU_DIMS(3, 4));
    tu_input(g, "b", 2, TU_DIMS(5, 6));
    tu_op(g, "Einsum", "e", "a,b", "y");
    tu_attr_str(g, "equation", "ij,jk->ik");
    tu_finalize_fails(g, TPUSIM_ERR_SHAPE, "subscript 'j' is 4");
    tpusim_graph_close(g);
}
END_TEST

START_TEST(lstm_wrong_weight_shape_fails)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 3, TU_DIMS(5, 2, 10));
    tu_weight(g, "w", 3, TU_DIMS(1, 24, 10)); /* 3 gates' worth: LSTM needs 4*8 = 32 */
    tu_weight(g, "r", 3, TU_DIMS(1, 32, 8));
    tu_op(g, "LSTM", "lstm", "x,w,r", "y");
    tu_finalize_fails(g, TPUSIM_ERR_SHAPE, "input W 'w' has shape [1,24,10], expected [1,32,10]");
    tpusim_graph_close(g);
}
END_TEST

/* Each tensor is under 2^48 elements, but [2^24, 2^24] x [2^24, 2^24]
 * is 2^72 MACs: the count must fail, not wrap. */
START_TEST(matmul_count_overflow_fails)
{
    int64_t n = INT64_C(1) << 24;
    tpusim_graph *g = tu_new();
    tu_input(g, "a", 2, TU_DIMS(n, n));
    tu_input(g, "b", 2, TU_DIMS(n, n));
    tu_op(g, "MatMul", "huge", "a,b", "y");
    tu_finalize_fails(g, TPUSIM_ERR_SHAPE, "too large");
    tpusim_graph_close(g);
}
END_TEST

Suite *infer_nn_suite(void)
{
    Suite *s = suite_create("infer_nn");
    TCase *conv = tcase_create("conv");
    tcase_add_test(conv, conv_resnet_stem_7x7_stride2);
    tcase_add_test(conv, conv_stride_pad_dilation_per_axis);
    tcase_add_test(conv, conv_depthwise_and_grouped);
    tcase_add_test(conv, conv_same_upper_puts_odd_pad_at_end);
    tcase_add_test(conv, conv_same_lower_puts_odd_pad_at_begin);
    tcase_add_test(conv, conv_valid_has_no_padding);
    tcase_add_test(conv, conv_1d_with_bias);
    tcase_add_test(conv, conv_3d);
    tcase_add_test(conv, conv_builder_chain_infers_early);
    tcase_add_test(conv, conv_transpose_output_padding);
    tcase_add_test(conv, conv_nhwc_matches_nchw);
    tcase_add_test(conv, depthwise_nhwc);
    tcase_add_test(conv, conv_transpose_and_pool_nhwc);
    tcase_add_test(conv, unknown_data_format_is_an_error);
    tcase_add_test(conv, conv_transpose_grouped);
    tcase_add_test(conv, conv_transpose_output_shape_and_same);
    suite_add_tcase(s, conv);

    TCase *matrix = tcase_create("matrix");
    tcase_add_test(matrix, gemm_trans_a_trans_b_with_bias);
    tcase_add_test(matrix, gemm_plain_and_dense_builder);
    tcase_add_test(matrix, matmul_1d_operands);
    tcase_add_test(matrix, matmul_broadcasts_batch_dims);
    tcase_add_test(matrix, einsum_batched_matmul);
    tcase_add_test(matrix, einsum_attention_scores);
    tcase_add_test(matrix, einsum_implicit_output_and_one_operand);
    suite_add_tcase(s, matrix);

    TCase *rnn = tcase_create("recurrent");
    tcase_add_test(rnn, lstm_bidirectional);
    tcase_add_test(rnn, lstm_peepholes_add_six_ops);
    tcase_add_test(rnn, gru_batch_first_layout);
    tcase_add_test(rnn, rnn_unused_y_output);
    suite_add_tcase(s, rnn);

    TCase *pool = tcase_create("pool");
    tcase_add_test(pool, max_pool_ceil_mode);
    tcase_add_test(pool, average_pool_same_upper);
    tcase_add_test(pool, global_pool_and_lrn);
    suite_add_tcase(s, pool);

    TCase *err = tcase_create("errors");
    tcase_add_test(err, conv_group_channel_mismatch_fails);
    tcase_add_test(err, conv_output_channels_not_divisible_by_group_fails);
    tcase_add_test(err, conv_kernel_larger_than_input_fails);
    tcase_add_test(err, conv_bad_ranks_fail);
    tcase_add_test(err, conv_zero_stride_fails);
    tcase_add_test(err, pool_errors);
    tcase_add_test(err, gemm_and_matmul_mismatch_fail);
    tcase_add_test(err, einsum_errors);
    tcase_add_test(err, lstm_wrong_weight_shape_fails);
    tcase_add_test(err, matmul_count_overflow_fails);
    suite_add_tcase(s, err);
    return s;
}
