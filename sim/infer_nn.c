/*
 * infer_nn.c — shape inference and cost counts for the matrix and windowed
 * ops: Conv, ConvTranspose, Gemm, MatMul, Einsum, LSTM/GRU/RNN, pooling and
 * LRN. Shapes follow the ONNX operator spec (opset 11 and later); counts
 * follow the convention in tpusim.h: one MAC per multiply-accumulate,
 * flops = 2 * macs plus the elementwise work the op does besides.
 */
#include "graph.h"

#include <string.h>

/* ------------------------------------------------------------- counting */

/* *acc *= v. Each tensor is under 2^48 elements, but the product of several
 * of their dims (N * Cout * H * W * Cin * k * k) can pass 2^64. */
static int count_mul(struct tpusim_graph *g, const struct op *op, uint64_t *acc, int64_t v)
{
    if (__builtin_mul_overflow(*acc, (uint64_t)v, acc))
        return op_error(g, op, "operation count too large (over 2^64)");
    return TPUSIM_OK;
}

/* Sets macs and flops = 2 * macs + extra (the elementwise work). */
static int set_cost(struct tpusim_graph *g, struct op *op, uint64_t macs, uint64_t extra)
{
    uint64_t flops;
    if (__builtin_mul_overflow(macs, (uint64_t)2, &flops) ||
        __builtin_add_overflow(flops, extra, &flops))
        return op_error(g, op, "operation count too large (over 2^64)");
    op->cost.macs = macs;
    op->cost.flops = flops;
    return TPUSIM_OK;
}

static uint64_t dims_product(int n, const int64_t *dims)
{
    uint64_t p = 1;
    for (int i = 0; i < n; i++)
        p *= (uint64_t)dims[i]; /* the dims of one tensor: under 2^48 */
    return p;
}

/* --------------------------------------------------------------- inputs */

/* Like op_need_in, but an absent input is fine (*out NULL). */
static int opt_input(struct tpusim_graph *g, const struct op *op, int i, struct tensor **out)
{
    *out = NULL;
    return op_in(g, op, i) ? op_need_in(g, op, i, out) : TPUSIM_OK;
}

static int check_rank(struct tpusim_graph *g, const struct op *op, const struct tensor *t,
                      const char *what, int lo, int hi)
{
    char s[128];
    if (t->rank >= lo && t->rank <= hi)
        return TPUSIM_OK;
    if (lo == hi)
        return op_error(g, op, "input %s '%s' must have rank %d, got %s", what, t->name, lo,
                        shape_str(t, s, sizeof s));
    return op_error(g, op, "input %s '%s' must have rank %d to %d, got %s", what, t->name, lo,
                    hi, shape_str(t, s, sizeof s));
}

/* The tensor must have exactly this shape (RNN weights and states). */
static int check_dims(struct tpusim_graph *g, const struct op *op, const struct tensor *t,
                      const char *what, int rank, const int64_t *dims)
{
    char got_s[128], want_s[128];
    bool same = t->rank == rank;
    for (int i = 0; same && i < rank; i++)
        same = t->dims[i] == dims[i];
    if (same)
        return TPUSIM_OK;
    return op_error(g, op, "input %s '%s' has shape %s, expected %s", what, t->name,
                    shape_str(t, got_s, sizeof got_s),
                    dims_str(dims, (size_t)rank, want_s, sizeof want_s));
}

/* ------------------------------------------------------ window geometry */

enum auto_pad { PAD_NOTSET, PAD_VALID, PAD_SAME_UPPER, PAD_SAME_LOWER };

static int read_auto_pad(struct tpusim_graph *g, const struct op *op, enum auto_pad *out)
{
    static const char *const names[] = {"NOTSET", "VALID", "SAME_UPPER", "SAME_LOWER"};
    const char *s = attr_string(op, "auto_pad", "NOTSET");
    for (int i = 0; i < 4; i++)
        if (strcmp(s, names[i]) == 0) {
            *out = (enum auto_pad)i;
            return TPUSIM_OK;
        }
    return op_error(g, op, "auto_pad '%s' is not one of NOTSET, VALID, SAME_UPPER, SAME_LOWER",
                    s);
}

/* An optional per-axis attribute: n values each >= lo, or dflt everywhere
 * when absent. */
static int read_axes(struct tpusim_graph *g, const struct op *op, const char *name, int n,
                     int64_t dflt, int64_t lo, int64_t *out)
{
    const int64_t *v;
    size_t len = attr_ints(op, name, &v);
    if (!v) {
        for (int i = 0; i < n; i++)
            out[i] = dflt;
        return TPUSIM_OK;
    }
    if (len != (size_t)n)
        return op_error(g, op, "attribute %s has %zu values; expected %d (one per spatial axis)",
                        name, len, n);
    for (int i = 0; i < n; i++) {
        if (v[i] < lo)
            return op_error(g, op, "attribute %s[%d] = %lld; it must be >= %lld", name, i,
                            (long long)v[i], (long long)lo);
        out[i] = v[i];
    }
    return TPUSIM_OK;
}

/* pads = [begin_0, ..., begin_n-1, end_0, ..., end_n-1]. */
static int read_pads(struct tpusim_graph *g, const struct op *op, struct window_params *win)
{
    int n = win->spatial;
    const int64_t *v;
    size_t len = attr_ints(op, "pads", &v);
    if (!v)
        return TPUSIM_OK; /* win was zeroed */
    if (len != 2 * (size_t)n)
        return op_error(g, op, "attribute pads has %zu values; expected %d (begin and end for "
                        "%d spatial axes)", len, 2 * n, n);
    for (int i = 0; i < 2 * n; i++)
        if (v[i] < 0)
            return op_error(g, op, "attribute pads[%d] = %lld is negative", i, (long long)v[i]);
    for (int i = 0; i < n; i++) {
        win->pad_begin[i] = v[i];
        win->pad_end[i] = v[n + i];
    }
    return TPUSIM_OK;
}

/* kernel_shape, strides, dilations and pads. Conv takes the kernel from W
 * (w_kernel); pooling has no W, so kernel_shape is required there. */
static int read_window(struct tpusim_graph *g, const struct op *op, int spatial,
                       const int64_t *w_kernel, struct window_params *win)
{
    memset(win, 0, sizeof *win);
    win->spatial = spatial;
    win->group = 1;
    const int64_t *ks;
    attr_ints(op, "kernel_shape", &ks);
    if (!ks && !w_kernel)
        return op_error(g, op, "attribute kernel_shape is required");
    int rc = read_axes(g, op, "kernel_shape", spatial, 1, 1, win->kernel);
    for (int i = 0; !rc && w_kernel && i < spatial; i++) {
        if (ks && ks[i] != w_kernel[i])
            return op_error(g, op, "kernel_shape[%d] = %lld but the weight's kernel is %lld", i,
                            (long long)ks[i], (long long)w_kernel[i]);
        if (w_kernel[i] < 1)
            return op_error(g, op, "the weight's kernel size at spatial axis %d is %lld", i,
                            (long long)w_kernel[i]);
        win->kernel[i] = w_kernel[i];
    }
    if (!rc)
        rc = read_axes(g, op, "strides", spatial, 1, 1, win->stride);
    if (!rc)
        rc = read_axes(g, op, "dilations", spatial, 1, 1, win->dilation);
    return rc ? rc : read_pads(g, op, win);
}

static int geometry_too_large(struct tpusim_graph *g, const struct op *op, int axis)
{
    return op_error(g, op, "window geometry of spatial axis %d overflows (attributes too large)",
                    axis);
}

/* (k - 1) * d + 1: the extent of a dilated kernel. */
static int dilated_kernel(struct tpusim_graph *g, const struct op *op,
                          const struct window_params *win, int axis, int64_t *out)
{
    if (__builtin_mul_overflow(win->kernel[axis] - 1, win->dilation[axis], out) ||
        __builtin_add_overflow(*out, 1, out))
        return geometry_too_large(g, op, axis);
    return TPUSIM_OK;
}

/* Splits a total padding between begin and end: SAME_UPPER puts the odd
 * one at the end, SAME_LOWER at the beginning (ONNX). */
static void split_pad(struct window_params *win, int axis, int64_t total, bool upper)
{
    if (total < 0)
        total = 0;
    win->pad_begin[axis] = upper ? total / 2 : total - total / 2;
    win->pad_end[axis] = total - win->pad_begin[axis];
}

/* SAME: out = ceil(in / stride), padded just enough for that. */
static int same_out_dim(struct tpusim_graph *g, const struct op *op, struct window_params *win,
                        int axis, int64_t in, int64_t eff_k, bool upper, int64_t *out)
{
    int64_t s = win->stride[axis];
    int64_t o = in / s + (in % s != 0), total;
    if (__builtin_mul_overflow(o > 0 ? o - 1 : 0, s, &total) ||
        __builtin_add_overflow(total, eff_k - in, &total))
        return geometry_too_large(g, op, axis);
    split_pad(win, axis, total, upper);
    *out = o;
    return TPUSIM_OK;
}

/* Output size of one spatial axis of a Conv or pooling window; fills in the
 * pads for auto_pad. ceil_mode only applies to pooling with explicit pads. */
static int window_out_dim(struct tpusim_graph *g, const struct op *op, struct window_params *win,
                          int axis, int64_t in, enum auto_pad ap, bool ceil_mode, int64_t *out)
{
    int64_t eff_k, span, s = win->stride[axis];
    int rc = dilated_kernel(g, op, win, axis, &eff_k);
    if (rc)
        return rc;
    if (ap == PAD_SAME_UPPER || ap == PAD_SAME_LOWER)
        return same_out_dim(g, op, win, axis, in, eff_k, ap == PAD_SAME_UPPER, out);
    if (ap == PAD_VALID)
        win->pad_begin[axis] = win->pad_end[axis] = 0;
    if (__builtin_add_overflow(in, win->pad_begin[axis], &span) ||
        __builtin_add_overflow(span, win->pad_end[axis], &span))
        return geometry_too_large(g, op, axis);
    if (span < eff_k)
        return op_error(g, op, "kernel %lld (dilated: %lld) is larger than the padded input %lld "
                        "(size %lld + pads %lld + %lld) at spatial axis %d",
                        (long long)win->kernel[axis], (long long)eff_k, (long long)span,
                        (long long)in, (long long)win->pad_begin[axis],
                        (long long)win->pad_end[axis], axis);
    int64_t rest = span - eff_k, o = rest / s + 1, start;
    if (ceil_mode && rest % s) {
        o++;
        /* The last window must start inside the input or its begin pad,
         * not wholly in the end pad (ONNX, PyTorch). */
        if (__builtin_mul_overflow(o - 1, s, &start) || start >= in + win->pad_begin[axis])
            o--;
    }
    *out = o;
    return TPUSIM_OK;
}

/* N, C and the 3 spatial axes struct window_params has room for. */
#define WINDOW_MAX_RANK 5

/* X [N, C, D1..Dn] (NHWC: [N, D1..Dn, C]) with at least one spatial axis. */
static int spatial_input(struct tpusim_graph *g, const struct op *op, int max_rank,
                         struct tensor **x)
{
    const char *format = attr_string(op, "data_format", "NCHW");
    if (strcmp(format, "NCHW") != 0 && strcmp(format, "NHWC") != 0)
        return op_error(g, op, "data_format '%s' is neither NCHW nor NHWC", format);
    int rc = op_need_in(g, op, 0, x);
    const char *what = op_channels_last(op) ? "X ([N, spatial..., C])" : "X ([N, C, spatial...])";
    return rc ? rc : check_rank(g, op, *x, what, 3, max_rank);
}

/* The weight's Cin/group axis: W [Cout, Cin/g, k...], or NHWC's
 * [Cout, k..., Cin/g]; its kernel sizes start at *kernel. */
static int weight_in_axis(const struct op *op, const struct tensor *w, const int64_t **kernel)
{
    bool cl = op_channels_last(op);
    *kernel = w->dims + (cl ? 1 : 2);
    return cl ? w->rank - 1 : 1;
}

/* An output of X's layout: N, the channels and the spatial sizes. */
static void layout_dims(const struct op *op, const struct tensor *x, int64_t channels,
                        const int64_t *spatial, int64_t *out)
{
    out[0] = x->dims[0];
    out[op_channel_axis(op, x)] = channels;
    for (int i = 0; i < x->rank - 2; i++)
        out[op_spatial_axis(op, i)] = spatial[i];
}

/* ----------------------------------------------------------------- Conv */

/* W [Cout, Cin/group, k...] (NHWC: [Cout, k..., Cin/group]) against X's
 * Cin channels; B [Cout] if given. */
static int check_conv_channels(struct tpusim_graph *g, const struct op *op,
                               const struct tensor *x, const struct tensor *w,
                               const struct tensor *b, int64_t group)
{
    const int64_t *kernel;
    int64_t cin = x->dims[op_channel_axis(op, x)], cout = w->dims[0];
    int64_t per_group = w->dims[weight_in_axis(op, w, &kernel)];
    if (group < 1)
        return op_error(g, op, "group = %lld; it must be >= 1", (long long)group);
    if (per_group > INT64_MAX / group || cin != per_group * group)
        return op_error(g, op, "input '%s' has %lld channels but weight '%s' expects "
                        "%lld per group x group %lld", x->name, (long long)cin, w->name,
                        (long long)per_group, (long long)group);
    if (cout % group)
        return op_error(g, op, "output channels %lld (weight '%s' axis 0) do not divide by "
                        "group %lld", (long long)cout, w->name, (long long)group);
    if (b && (b->rank != 1 || b->dims[0] != cout))
        return check_dims(g, op, b, "B", 1, &cout);
    return TPUSIM_OK;
}

/* X, W and the optional B of Conv / ConvTranspose, ranks checked. */
static int conv_inputs(struct tpusim_graph *g, const struct op *op, struct tensor **x,
                       struct tensor **w, struct tensor **b)
{
    int rc = spatial_input(g, op, WINDOW_MAX_RANK, x);
    if (!rc)
        rc = op_need_in(g, op, 1, w);
    if (!rc)
        rc = check_rank(g, op, *w, "W", (*x)->rank, (*x)->rank);
    if (!rc)
        rc = opt_input(g, op, 2, b);
    return rc;
}

/* N * Cout * prod(out) * (Cin / group) * prod(kernel): one MAC per weight
 * tap per output element. */
static int conv_cost(struct tpusim_graph *g, struct op *op, const struct tensor *x,
                     const struct tensor *w, bool bias, const int64_t *out, int rank)
{
    uint64_t macs = 1;
    int rc = TPUSIM_OK;
    for (int i = 0; i < rank && !rc; i++)
        rc = count_mul(g, op, &macs, out[i]);
    for (int i = 1; i < x->rank && !rc; i++) /* Cin/group, then the kernel */
        rc = count_mul(g, op, &macs, w->dims[i]);
    return rc ? rc : set_cost(g, op, macs, bias ? dims_product(rank, out) : 0);
}

int infer_conv(struct tpusim_graph *g, struct op *op)
{
    struct tensor *x, *w, *b;
    enum auto_pad ap;
    int64_t group = attr_int(op, "group", 1);
    int rc = conv_inputs(g, op, &x, &w, &b);
    if (!rc)
        rc = read_auto_pad(g, op, &ap);
    if (!rc)
        rc = check_conv_channels(g, op, x, w, b, group);
    int spatial = x ? x->rank - 2 : 0;
    const int64_t *kernel = NULL;
    if (!rc) {
        weight_in_axis(op, w, &kernel);
        rc = read_window(g, op, spatial, kernel, &op->win);
    }
    if (rc)
        return rc;
    op->win.group = group;
    int64_t sp[3] = {0}, out[TPUSIM_MAX_RANK];
    for (int i = 0; i < spatial && !rc; i++)
        rc = window_out_dim(g, op, &op->win, i, x->dims[op_spatial_axis(op, i)], ap, false,
                            &sp[i]);
    layout_dims(op, x, w->dims[0], sp, out);
    if (!rc)
        rc = op_set_out(g, op, 0, x->dtype, x->rank, out, NULL);
    return rc ? rc : conv_cost(g, op, x, w, b != NULL, out, x->rank);
}

/* -------------------------------------------------------- ConvTranspose */

/* output_shape, when given, fixes the spatial output sizes; exporters write
 * either the spatial sizes or the whole [N, C, ...] shape. */
static int read_output_shape(struct tpusim_graph *g, const struct op *op, int spatial,
                             const int64_t **out)
{
    size_t n = attr_ints(op, "output_shape", out);
    if (!*out)
        return TPUSIM_OK;
    if (n == (size_t)spatial + 2)
        *out += 2;
    else if (n != (size_t)spatial)
        return op_error(g, op, "attribute output_shape has %zu values; expected %d", n, spatial);
    for (int i = 0; i < spatial; i++)
        if ((*out)[i] < 1)
            return op_error(g, op, "output_shape[%d] = %lld; it must be >= 1", i,
                            (long long)(*out)[i]);
    return TPUSIM_OK;
}

/* One spatial axis of ConvTranspose: the full output is
 * stride * (in - 1) + output_padding + (k - 1) * dilation + 1, cropped by
 * the pads; output_shape or SAME fix the output and derive the pads. */
static int transpose_out_dim(struct tpusim_graph *g, const struct op *op,
                             struct window_params *win, int axis, int64_t in, enum auto_pad ap,
                             int64_t out_pad, const int64_t *out_shape, int64_t *out)
{
    int64_t eff_k, full;
    int rc = dilated_kernel(g, op, win, axis, &eff_k);
    if (rc)
        return rc;
    if (__builtin_mul_overflow(win->stride[axis], in - 1, &full) ||
        __builtin_add_overflow(full, out_pad, &full) ||
        __builtin_add_overflow(full, eff_k, &full))
        return geometry_too_large(g, op, axis);
    int64_t o;
    if (out_shape || ap == PAD_SAME_UPPER || ap == PAD_SAME_LOWER) {
        if (out_shape)
            o = out_shape[axis];
        else if (__builtin_mul_overflow(in, win->stride[axis], &o))
            return geometry_too_large(g, op, axis);
        int64_t total;
        if (__builtin_sub_overflow(full, o, &total))
            return geometry_too_large(g, op, axis);
        /* ONNX: pads[begin] = total/2 for SAME_UPPER, total - total/2 otherwise. */
        split_pad(win, axis, total, ap == PAD_SAME_UPPER);
        *out = o;
        return TPUSIM_OK;
    }
    if (ap == PAD_VALID)
        win->pad_begin[axis] = win->pad_end[axis] = 0;
    if (__builtin_sub_overflow(full, win->pad_begin[axis], &o) ||
        __builtin_sub_overflow(o, win->pad_end[axis], &o))
        return geometry_too_large(g, op, axis);
    if (o < 1)
        return op_error(g, op, "output size %lld at spatial axis %d: the pads %lld + %lld "
                        "crop away the whole output %lld", (long long)o, axis,
                        (long long)win->pad_begin[axis], (long long)win->pad_end[axis],
                        (long long)full);
    *out = o;
    return TPUSIM_OK;
}

/* W [Cin, Cout/group, k...] against X [N, Cin, ...] (NHWC: W [Cout, k...,
 * Cin/group], TFLite's TRANSPOSE_CONV); B [Cout] if given. */
static int check_transpose_channels(struct tpusim_graph *g, const struct op *op,
                                    const struct tensor *x, const struct tensor *w,
                                    const struct tensor *b, int64_t group, int64_t *cout)
{
    bool cl = op_channels_last(op);
    int64_t cin = x->dims[op_channel_axis(op, x)];
    int64_t w_in = cl ? w->dims[w->rank - 1] : w->dims[0], w_group = cl ? group : 1;
    if (group < 1)
        return op_error(g, op, "group = %lld; it must be >= 1", (long long)group);
    if (w_in > INT64_MAX / w_group || cin != w_in * w_group)
        return op_error(g, op, "input '%s' has %lld channels but weight '%s' (axis %d) has %lld",
                        x->name, (long long)cin, w->name, cl ? w->rank - 1 : 0,
                        (long long)w_in);
    if (cin % group)
        return op_error(g, op, "input channels %lld do not divide by group %lld",
                        (long long)cin, (long long)group);
    if (cl)
        *cout = w->dims[0];
    else if (__builtin_mul_overflow(w->dims[1], group, cout))
        return op_error(g, op, "output channels overflow");
    if (b && (b->rank != 1 || b->dims[0] != *cout))
        return check_dims(g, op, b, "B", 1, cout);
    return TPUSIM_OK;
}

/* N * Cin * prod(in spatial) * (Cout / group) * prod(kernel): each input
 * element is scattered through every weight tap of its group. */
static int transpose_cost(struct tpusim_graph *g, struct op *op, const struct tensor *x,
                          int64_t cout, bool bias, const int64_t *out)
{
    uint64_t macs = 1;
    int rc = TPUSIM_OK;
    for (int i = 0; i < x->rank && !rc; i++)
        rc = count_mul(g, op, &macs, x->dims[i]);
    if (!rc)
        rc = count_mul(g, op, &macs, cout / op->win.group);
    for (int i = 0; i < op->win.spatial && !rc; i++)
        rc = count_mul(g, op, &macs, op->win.kernel[i]);
    return rc ? rc : set_cost(g, op, macs, bias ? dims_product(x->rank, out) : 0);
}

int infer_conv_transpose(struct tpusim_graph *g, struct op *op)
{
    struct tensor *x, *w, *b;
    const int64_t *out_shape = NULL;
    enum auto_pad ap;
    int64_t group = attr_int(op, "group", 1), cout = 0, out_pad[3];
    int rc = conv_inputs(g, op, &x, &w, &b);
    if (!rc)
        rc = read_auto_pad(g, op, &ap);
    if (!rc)
        rc = check_transpose_channels(g, op, x, w, b, group, &cout);
    int spatial = x ? x->rank - 2 : 0;
    const int64_t *kernel = NULL;
    if (!rc) {
        /* W [Cin, Cout/g, k...]: the kernel sizes sit where a Conv's do */
        weight_in_axis(op, w, &kernel);
        rc = read_window(g, op, spatial, kernel, &op->win);
    }
    if (!rc)
        rc = read_axes(g, op, "output_padding", spatial, 0, 0, out_pad);
    if (!rc)
        rc = read_output_shape(g, op, spatial, &out_shape);
    if (rc)
        return rc;
    op->win.group = group;
    int64_t sp[3] = {0}, out[TPUSIM_MAX_RANK];
    for (int i = 0; i < spatial && !rc; i++)
        rc = transpose_out_dim(g, op, &op->win, i, x->dims[op_spatial_axis(op, i)], ap,
                               out_pad[i], out_shape, &sp[i]);
    layout_dims(op, x, cout, sp, out);
    if (!rc)
        rc = op_set_out(g, op, 0, x->dtype, x->rank, out, NULL);
    return rc ? rc : transpose_cost(g, op, x, cout, b != NULL, out);
}

/* ----------------------------------------------------------------- Gemm */

/* C must broadcast to [M, N] one way (ONNX unidirectional broadcasting). */
static int check_gemm_bias(struct tpusim_graph *g, const struct op *op, const struct tensor *c,
                           const int64_t *mn)
{
    int64_t bc[TPUSIM_MAX_RANK];
    int r;
    char s[128];
    int rc = check_rank(g, op, c, "C", 0, 2);
    if (!rc)
        rc = broadcast_shapes(g, op, c->rank, c->dims, 2, mn, &r, bc);
    if (!rc && (bc[0] != mn[0] || bc[1] != mn[1]))
        rc = op_error(g, op, "bias C '%s' %s does not broadcast to the output [%lld,%lld]",
                      c->name, shape_str(c, s, sizeof s), (long long)mn[0], (long long)mn[1]);
    return rc;
}

int infer_gemm(struct tpusim_graph *g, struct op *op)
{
    struct tensor *a, *b, *c;
    int rc = op_need_in(g, op, 0, &a);
    if (!rc)
        rc = op_need_in(g, op, 1, &b);
    if (!rc)
        rc = opt_input(g, op, 2, &c);
    if (!rc)
        rc = check_rank(g, op, a, "A", 2, 2);
    if (!rc)
        rc = check_rank(g, op, b, "B", 2, 2);
    if (rc)
        return rc;
    bool ta = attr_int(op, "transA", 0) != 0, tb = attr_int(op, "transB", 0) != 0;
    int64_t m = a->dims[ta], k = a->dims[!ta], kb = b->dims[tb], n = b->dims[!tb];
    if (k != kb)
        return op_error(g, op, "inner dimensions differ: A '%s' gives K = %lld (transA=%d), "
                        "B '%s' gives K = %lld (transB=%d)", a->name, (long long)k, ta,
                        b->name, (long long)kb, tb);
    int64_t mn[2] = {m, n};
    if (c)
        rc = check_gemm_bias(g, op, c, mn);
    if (!rc)
        rc = op_set_out(g, op, 0, a->dtype, 2, mn, NULL);
    uint64_t macs = (uint64_t)m * (uint64_t)n; /* the output: under 2^48 */
    if (!rc)
        rc = count_mul(g, op, &macs, k);
    return rc ? rc : set_cost(g, op, macs, c ? (uint64_t)m * (uint64_t)n : 0);
}

/* --------------------------------------------------------------- MatMul */

/* NumPy matmul: a 1-D A is a row [1, K] and a 1-D B a column [K, 1], and
 * that axis is dropped from the output; the batch axes broadcast. */
int infer_matmul(struct tpusim_graph *g, struct op *op)
{
    struct tensor *a, *b;
    int rc = op_need_in(g, op, 0, &a);
    if (!rc)
        rc = op_need_in(g, op, 1, &b);
    if (!rc)
        rc = check_rank(g, op, a, "A", 1, TPUSIM_MAX_RANK);
    if (!rc)
        rc = check_rank(g, op, b, "B", 1, TPUSIM_MAX_RANK);
    if (rc)
        return rc;
    int ra = a->rank, rb = b->rank;
    int64_t m = ra >= 2 ? a->dims[ra - 2] : 1, k = a->dims[ra - 1];
    int64_t kb = rb >= 2 ? b->dims[rb - 2] : b->dims[0], n = rb >= 2 ? b->dims[rb - 1] : 1;
    if (k != kb)
        return op_error(g, op, "inner dimensions differ: A '%s' has K = %lld, B '%s' has %lld",
                        a->name, (long long)k, b->name, (long long)kb);
    int64_t out[TPUSIM_MAX_RANK + 2];
    int r;
    rc = broadcast_shapes(g, op, ra > 2 ? ra - 2 : 0, a->dims, rb > 2 ? rb - 2 : 0, b->dims, &r,
                          out);
    if (rc)
        return rc;
    uint64_t macs = dims_product(r, out);
    if (ra >= 2)
        out[r++] = m;
    if (rb >= 2)
        out[r++] = n;
    rc = op_set_out(g, op, 0, a->dtype, r, out, NULL);
    if (!rc)
        rc = count_mul(g, op, &macs, m);
    if (!rc)
        rc = count_mul(g, op, &macs, n);
    if (!rc)
        rc = count_mul(g, op, &macs, k);
    return rc ? rc : set_cost(g, op, macs, 0);
}

/* --------------------------------------------------------------- Einsum */

#define EINSUM_LETTERS 52

/* 'a'..'z' are 0..25, 'A'..'Z' 26..51; -1 for anything else. */
static int letter_index(char c)
{
    if (c >= 'a' && c <= 'z')
        return c - 'a';
    if (c >= 'A' && c <= 'Z')
        return 26 + (c - 'A');
    return -1;
}

/* What the operand terms say about each letter. */
struct einsum_letters {
    int64_t size[EINSUM_LETTERS]; /* -1: not used */
    int count[EINSUM_LETTERS];    /* occurrences over all operands */
};

static int einsum_bad_char(struct tpusim_graph *g, const struct op *op, const char *eq, char c)
{
    if (c == '.')
        return op_error(g, op, "equation '%s': ellipsis ('...') is not supported", eq);
    if (c > ' ' && c < 0x7f)
        return op_error(g, op, "equation '%s': unexpected character '%c' (subscripts are "
                        "letters)", eq, c);
    return op_error(g, op, "equation '%s': unexpected byte 0x%02x (subscripts are letters)", eq,
                    (unsigned char)c);
}

/* One operand's subscripts term [s, e) against input j. */
static int einsum_operand(struct tpusim_graph *g, const struct op *op, const char *eq,
                          const char *s, const char *e, int j, struct einsum_letters *L)
{
    struct tensor *t;
    int rc = op_need_in(g, op, j, &t);
    if (rc)
        return rc;
    for (const char *p = s; p < e; p++)
        if (letter_index(*p) < 0)
            return einsum_bad_char(g, op, eq, *p);
    if (e - s != t->rank)
        return op_error(g, op, "equation '%s': operand %d ('%s') has rank %d but %d subscripts",
                        eq, j, t->name, t->rank, (int)(e - s));
    for (int i = 0; i < t->rank; i++) {
        int l = letter_index(s[i]);
        if (L->size[l] >= 0 && L->size[l] != t->dims[i])
            return op_error(g, op, "equation '%s': subscript '%c' is %lld in one place and "
                            "%lld in operand %d ('%s')", eq, s[i], (long long)L->size[l],
                            (long long)t->dims[i], j, t->name);
        L->size[l] = t->dims[i];
        L->count[l]++;
    }
    return TPUSIM_OK;
}

/* The explicit output subscripts after "->": used letters, each once. */
static int einsum_explicit_out(struct tpusim_graph *g, const struct op *op, const char *eq,
                               const char *rhs, const struct einsum_letters *L, int *n,
                               int64_t *out)
{
    bool seen[EINSUM_LETTERS] = {false};
    *n = 0;
    for (const char *p = rhs; *p; p++) {
        int l = letter_index(*p);
        if (l < 0)
            return einsum_bad_char(g, op, eq, *p);
        if (L->size[l] < 0 || seen[l])
            return op_error(g, op, "equation '%s': output subscript '%c' is %s", eq, *p,
                            seen[l] ? "repeated" : "in no operand");
        if (*n == TPUSIM_MAX_RANK)
            return op_error(g, op, "equation '%s': output rank over %d", eq, TPUSIM_MAX_RANK);
        seen[l] = true;
        out[(*n)++] = L->size[l];
    }
    return TPUSIM_OK;
}

/* Implicit output (no "->"): the letters used exactly once, in ASCII order
 * (upper case first), as in NumPy and the ONNX spec. */
static int einsum_implicit_out(struct tpusim_graph *g, const struct op *op, const char *eq,
                               const struct einsum_letters *L, int *n, int64_t *out)
{
    static const int order[2][2] = {{26, 52}, {0, 26}};
    *n = 0;
    for (int half = 0; half < 2; half++)
        for (int l = order[half][0]; l < order[half][1]; l++) {
            if (L->count[l] != 1)
                continue;
            if (*n == TPUSIM_MAX_RANK)
                return op_error(g, op, "equation '%s': output rank over %d", eq,
                                TPUSIM_MAX_RANK);
            out[(*n)++] = L->size[l];
        }
    return TPUSIM_OK;
}

/* Parses the operand terms of the equation (spaces already removed). */
static int einsum_operands(struct tpusim_graph *g, const struct op *op, const char *eq,
                           const char *lhs_end, struct einsum_letters *L)
{
    const char *s = eq;
    int j = 0;
    for (;;) {
        const char *e = strchr(s, ',');
        if (!e || e > lhs_end)
            e = lhs_end;
        if (j >= op->n_in)
            return op_error(g, op, "equation '%s' has more operand terms than the %d inputs", eq,
                            op->n_in);
        int rc = einsum_operand(g, op, eq, s, e, j++, L);
        if (rc)
            return rc;
        if (e == lhs_end)
            break;
        s = e + 1;
    }
    if (j != op->n_in)
        return op_error(g, op, "equation '%s' has %d operand terms for %d inputs", eq, j,
                        op->n_in);
    return TPUSIM_OK;
}

/* Evaluated naively, each point of the full index space (every letter)
 * takes n_in - 1 multiplies and one add into the output: (n_in - 1) MACs.
 * A single operand (transpose, trace, sum) does one add per input element. */
static int einsum_cost(struct tpusim_graph *g, struct op *op, const struct einsum_letters *L)
{
    if (op->n_in == 1) {
        op->cost.macs = 0;
        op->cost.flops = tensor_elems(op_in(g, op, 0));
        return TPUSIM_OK;
    }
    uint64_t macs = (uint64_t)(op->n_in - 1);
    int rc = TPUSIM_OK;
    for (int l = 0; l < EINSUM_LETTERS && !rc; l++)
        if (L->size[l] >= 0)
            rc = count_mul(g, op, &macs, L->size[l]);
    return rc ? rc : set_cost(g, op, macs, 0);
}

int infer_einsum(struct tpusim_graph *g, struct op *op)
{
    const char *raw = attr_string(op, "equation", NULL);
    char eq[256];
    size_t n = 0;
    if (!raw)
        return op_error(g, op, "attribute equation is required");
    for (const char *p = raw; *p; p++)
        if (*p != ' ' && n + 1 < sizeof eq)
            eq[n++] = *p;
    eq[n] = '\0';
    if (n + 1 >= sizeof eq)
        return op_error(g, op, "equation is too long (%zu characters at most)", sizeof eq - 2);
    if (op->n_in < 1)
        return op_error(g, op, "needs at least one input");
    struct einsum_letters L;
    for (int l = 0; l < EINSUM_LETTERS; l++) {
        L.size[l] = -1;
        L.count[l] = 0;
    }
    const char *arrow = strstr(eq, "->");
    const char *lhs_end = arrow ? arrow : eq + n;
    int rc = einsum_operands(g, op, eq, lhs_end, &L);
    int64_t out[TPUSIM_MAX_RANK];
    int r = 0;
    if (!rc)
        rc = arrow ? einsum_explicit_out(g, op, eq, arrow + 2, &L, &r, out)
                   : einsum_implicit_out(g, op, eq, &L, &r, out);
    if (!rc)
        rc = op_set_out(g, op, 0, op_in(g, op, 0)->dtype, r, out, NULL);
    return rc ? rc : einsum_cost(g, op, &L);
}

/* ----------------------------------------------------- LSTM / GRU / RNN */

/* Per-element work of one cell step per hidden unit, besides the matmuls.
 * The adds that merge W x, R h and the biases are left out: they fold into
 * the matmul accumulation (one MXU pass over [x, h] with the bias as the
 * initial sum).
 *   LSTM: 3 sigmoid (i, f, o) + 2 tanh (g, c) + 3 mul (f*c, i*g, o*tanh c)
 *         + 1 add (c = f*c + i*g) = 9; peepholes P add 3 mul + 3 add.
 *   GRU:  2 sigmoid (z, r) + 1 tanh + 1 mul (r * (R h)) + 1 sub (1 - z)
 *         + 2 mul + 1 add (h = (1-z)*h~ + z*h) = 8.
 *   RNN:  1 activation (tanh) = 1. */
struct rnn_kind {
    const char *name;
    int gates;
    int elem_ops;
    int max_outputs;
};

static const struct rnn_kind *rnn_kind_of(enum op_type type)
{
    static const struct rnn_kind lstm = {"LSTM", 4, 9, 3}, gru = {"GRU", 3, 8, 2},
                                 rnn = {"RNN", 1, 1, 2};
    return type == OP_LSTM ? &lstm : type == OP_GRU ? &gru : &rnn;
}

#define LSTM_PEEPHOLE_OPS 6

/* The sizes every RNN input and output is checked against. */
struct rnn_dims {
    int64_t seq, batch, input, hidden, dirs, gh; /* gh = gates * hidden */
    bool batch_first;                             /* layout = 1 */
};

static int rnn_attrs(struct tpusim_graph *g, const struct op *op, struct rnn_dims *d)
{
    const char *dir = attr_string(op, "direction", "forward");
    int64_t layout = attr_int(op, "layout", 0);
    if (strcmp(dir, "forward") == 0 || strcmp(dir, "reverse") == 0)
        d->dirs = 1;
    else if (strcmp(dir, "bidirectional") == 0)
        d->dirs = 2;
    else
        return op_error(g, op, "direction '%s' is not forward, reverse or bidirectional", dir);
    if (layout != 0 && layout != 1)
        return op_error(g, op, "layout = %lld; it must be 0 or 1", (long long)layout);
    d->batch_first = layout == 1;
    return TPUSIM_OK;
}

/* X [seq, batch, input] (layout 1: [batch, seq, input]) and R [dirs, G*H, H]
 * give every size; hidden_size, when set, must agree with R. */
static int rnn_sizes(struct tpusim_graph *g, const struct op *op, const struct rnn_kind *kind,
                     const struct tensor *x, const struct tensor *r, struct rnn_dims *d)
{
    int rc = check_rank(g, op, x, "X", 3, 3);
    if (!rc)
        rc = check_rank(g, op, r, "R", 3, 3);
    if (rc)
        return rc;
    d->seq = x->dims[d->batch_first];
    d->batch = x->dims[!d->batch_first];
    d->input = x->dims[2];
    d->hidden = r->dims[2];
    const struct attr *hs = op_attr(op, "hidden_size");
    if (hs && attr_int(op, "hidden_size", 0) != d->hidden)
        return op_error(g, op, "hidden_size = %lld but R '%s' has hidden size %lld",
                        (long long)attr_int(op, "hidden_size", 0), r->name,
                        (long long)d->hidden);
    if (d->hidden < 1)
        return op_error(g, op, "hidden size %lld; it must be >= 1", (long long)d->hidden);
    d->gh = kind->gates * d->hidden; /* hidden < 2^48: no overflow */
    int64_t rdims[3] = {d->dirs, d->gh, d->hidden};
    return check_dims(g, op, r, "R", 3, rdims);
}

/* A state ([dirs, batch, H], layout 1: [batch, dirs, H]) in or out. */
static void rnn_state_dims(const struct rnn_dims *d, int64_t *dims)
{
    dims[0] = d->batch_first ? d->batch : d->dirs;
    dims[1] = d->batch_first ? d->dirs : d->batch;
    dims[2] = d->hidden;
}

/* Optional input i, when present, must have exactly this shape. */
static int check_opt_dims(struct tpusim_graph *g, const struct op *op, int i, const char *what,
                          int rank, const int64_t *dims)
{
    struct tensor *t;
    int rc = opt_input(g, op, i, &t);
    return rc || !t ? rc : check_dims(g, op, t, what, rank, dims);
}

/* W, B, sequence_lens, initial_h, initial_c and P, each against the sizes. */
static int rnn_check_rest(struct tpusim_graph *g, const struct op *op, const struct rnn_dims *d)
{
    struct tensor *w;
    int64_t wd[3] = {d->dirs, d->gh, d->input}, bd[2] = {d->dirs, 2 * d->gh}, state[3];
    int64_t pd[2] = {d->dirs, 3 * d->hidden};
    rnn_state_dims(d, state);
    int rc = op_need_in(g, op, 1, &w);
    if (!rc)
        rc = check_dims(g, op, w, "W", 3, wd);
    if (!rc)
        rc = check_opt_dims(g, op, 3, "B", 2, bd);
    if (!rc)
        rc = check_opt_dims(g, op, 4, "sequence_lens", 1, &d->batch);
    if (!rc)
        rc = check_opt_dims(g, op, 5, "initial_h", 3, state);
    if (!rc && op->type == OP_LSTM)
        rc = check_opt_dims(g, op, 6, "initial_c", 3, state);
    if (!rc && op->type == OP_LSTM)
        rc = check_opt_dims(g, op, 7, "P", 2, pd);
    return rc;
}

/* Y [seq, dirs, batch, H] (layout 1: [batch, seq, dirs, H]); Y_h and Y_c
 * are states. */
static int rnn_outputs(struct tpusim_graph *g, const struct op *op, tpusim_dtype dt,
                       const struct rnn_dims *d)
{
    int64_t y[4] = {d->seq, d->dirs, d->batch, d->hidden}, state[3];
    if (d->batch_first) {
        y[0] = d->batch;
        y[1] = d->seq;
        y[2] = d->dirs;
    }
    rnn_state_dims(d, state);
    int rc = op_set_out(g, op, 0, dt, 4, y, NULL);
    for (int i = 1; i < op->n_out && !rc; i++)
        rc = op_set_out(g, op, i, dt, 3, state, NULL);
    return rc;
}

/* Per step and direction: batch x (G*H) outputs over input + H inputs. */
static int rnn_cost(struct tpusim_graph *g, struct op *op, const struct rnn_kind *kind,
                    const struct rnn_dims *d)
{
    uint64_t steps = 1, macs;
    int64_t k = kind->elem_ops + (op->type == OP_LSTM && op_in(g, op, 7) ? LSTM_PEEPHOLE_OPS : 0);
    int rc = count_mul(g, op, &steps, d->seq);
    if (!rc)
        rc = count_mul(g, op, &steps, d->dirs);
    if (!rc)
        rc = count_mul(g, op, &steps, d->batch);
    macs = steps;
    if (!rc)
        rc = count_mul(g, op, &macs, d->gh);
    if (!rc)
        rc = count_mul(g, op, &macs, d->input + d->hidden);
    if (!rc)
        rc = count_mul(g, op, &steps, d->hidden);
    if (!rc)
        rc = count_mul(g, op, &steps, k);
    return rc ? rc : set_cost(g, op, macs, steps);
}

int infer_rnn(struct tpusim_graph *g, struct op *op)
{
    const struct rnn_kind *kind = rnn_kind_of(op->type);
    struct tensor *x, *r;
    struct rnn_dims d;
    memset(&d, 0, sizeof d);
    if (op->n_out > kind->max_outputs)
        return op_error(g, op, "has %d outputs; %s has at most %d", op->n_out, kind->name,
                        kind->max_outputs);
    int rc = op_need_in(g, op, 0, &x);
    if (!rc)
        rc = op_need_in(g, op, 2, &r);
    if (!rc)
        rc = rnn_attrs(g, op, &d);
    if (!rc)
        rc = rnn_sizes(g, op, kind, x, r, &d);
    if (!rc)
        rc = rnn_check_rest(g, op, &d);
    if (!rc)
        rc = rnn_outputs(g, op, x->dtype, &d);
    return rc ? rc : rnn_cost(g, op, kind, &d);
}

/* -------------------------------------------------------------- pooling */

int infer_pool(struct tpusim_graph *g, struct op *op)
{
    struct tensor *x;
    enum auto_pad ap;
    int rc = spatial_input(g, op, WINDOW_MAX_RANK, &x);
    if (!rc)
        rc = read_auto_pad(g, op, &ap);
    if (!rc)
        rc = read_window(g, op, x->rank - 2, NULL, &op->win);
    if (rc)
        return rc;
    int max_out = op->type == OP_MAX_POOL ? 2 : 1; /* MaxPool's second is Indices */
    if (op->n_out > max_out)
        return op_error(g, op, "has %d outputs; %s has at most %d", op->n_out,
                        op_info_of(op->type)->name, max_out);
    bool ceil_mode = attr_int(op, "ceil_mode", 0) != 0;
    int64_t sp[3] = {0}, out[TPUSIM_MAX_RANK];
    for (int i = 0; i < op->win.spatial && !rc; i++)
        rc = window_out_dim(g, op, &op->win, i, x->dims[op_spatial_axis(op, i)], ap, ceil_mode,
                            &sp[i]);
    layout_dims(op, x, x->dims[op_channel_axis(op, x)], sp, out);
    if (!rc)
        rc = op_set_out(g, op, 0, x->dtype, x->rank, out, NULL);
    if (!rc)
        rc = op_set_out(g, op, 1, TPUSIM_DT_INT64, x->rank, out, NULL);
    if (rc)
        return rc;
    /* One compare or add per window element per output. */
    uint64_t flops = dims_product(x->rank, out);
    for (int i = 0; i < op->win.spatial && !rc; i++)
        rc = count_mul(g, op, &flops, op->win.kernel[i]);
    return rc ? rc : set_cost(g, op, 0, flops);
}

int infer_global_pool(struct tpusim_graph *g, struct op *op)
{
    struct tensor *x;
    int rc = spatial_input(g, op, TPUSIM_MAX_RANK, &x);
    if (rc)
        return rc;
    int64_t out[TPUSIM_MAX_RANK] = {x->dims[0], x->dims[1]};
    for (int i = 2; i < x->rank; i++)
        out[i] = 1;
    rc = op_set_out(g, op, 0, x->dtype, x->rank, out, NULL);
    /* One compare or add per input element. */
    return rc ? rc : set_cost(g, op, 0, tensor_elems(x));
}

/* Each output sums the squares of `size` neighbouring channels: counted as
 * one op per window element, as pooling is (the per-element scale, power
 * and divide are a constant few ops and left out). */
int infer_lrn(struct tpusim_graph *g, struct op *op)
{
    struct tensor *x;
    int64_t size = attr_int(op, "size", 0);
    int rc = spatial_input(g, op, TPUSIM_MAX_RANK, &x);
    if (rc)
        return rc;
    if (!op_attr(op, "size") || size < 1)
        return op_error(g, op, "attribute size is required and must be >= 1");
    rc = tensor_copy_shape(g, op, op_out(g, op, 0), x);
    uint64_t flops = tensor_elems(x);
    if (!rc)
        rc = count_mul(g, op, &flops, size);
    return rc ? rc : set_cost(g, op, 0, flops);
}
