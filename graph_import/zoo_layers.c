/*
 * zoo_layers.c — the layer helpers of zoo_layers.h. Shapes are not tracked
 * here: a helper that needs one (a weight's input channels, a rank) asks
 * shape inference for it (zb_dims), and the ops' own rules give every
 * output shape, so the builders cannot disagree with graph_finalize().
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "zoo_layers.h"

void zb_init(struct zb *b, tpusim_graph *g)
{
    memset(b, 0, sizeof *b);
    b->g = g;
}

void zb_scope(struct zb *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(b->scope, sizeof b->scope, fmt, ap);
    va_end(ap);
}

static void op_name(const struct zb *b, const char *op, char *buf, size_t len)
{
    if (b->scope[0])
        snprintf(buf, len, "%s/%s", b->scope, op);
    else
        snprintf(buf, len, "%s", op);
}

static struct zt new_tensor(struct zb *b)
{
    struct zt t;
    snprintf(t.name, sizeof t.name, "t%d", ++b->next);
    return t;
}

struct zt zb_input(struct zb *b, const char *name, tpusim_dtype dtype, int rank,
                   const int64_t *dims)
{
    struct zt t;
    snprintf(t.name, sizeof t.name, "%s", name);
    if (!b->rc)
        b->rc = graph_define_input(b->g, name, dtype, rank, dims, NULL, NULL);
    return t;
}

int zb_dims(struct zb *b, struct zt x, int64_t *d)
{
    memset(d, 0, TPUSIM_MAX_RANK * sizeof *d);
    if (b->rc)
        return 0;
    struct tensor *t = graph_find_tensor(b->g, x.name);
    if (!t) {
        b->rc = graph_error(b->g, TPUSIM_ERR_GRAPH, "zoo: no tensor named '%s'", x.name);
        return 0;
    }
    /* The producers' shapes were inferred as the graph grew, so this only
     * runs the rules of the ops added since the last call. */
    b->rc = graph_infer_early(b->g, t, 0);
    if (b->rc || t->rank < 0)
        return 0;
    memcpy(d, t->dims, (size_t)t->rank * sizeof *d);
    return t->rank;
}

int64_t zb_dim(struct zb *b, struct zt x, int axis)
{
    int64_t d[TPUSIM_MAX_RANK];
    int rank = zb_dims(b, x, d);
    if (axis < 0)
        axis += rank;
    return axis >= 0 && axis < rank ? d[axis] : 0;
}

void zb_weight(struct zb *b, const char *op, const char *suffix, int rank, const int64_t *dims,
               char *name, size_t len)
{
    char full[160];
    op_name(b, op, full, sizeof full);
    snprintf(name, len, "%s.%s", full, suffix);
    if (!b->rc)
        b->rc = tpusim_graph_add_weight(b->g, name, TPUSIM_DT_FLOAT32, rank, dims);
}

struct zt zb_scalar(struct zb *b, double value)
{
    struct zt t = new_tensor(b);
    struct tensor *tt = NULL;
    if (!b->rc)
        b->rc = graph_define_tensor(b->g, t.name, TPUSIM_DT_FLOAT32, 0, NULL, &tt);
    if (!b->rc)
        b->rc = tensor_set_fvals(b->g, tt, &value, 1);
    return t;
}

static struct op *add_op(struct zb *b, const char *type, const char *op, const char *const *in,
                         int n_in, const char *out)
{
    char full[160];
    op_name(b, op, full, sizeof full);
    struct op *o = NULL;
    if (!b->rc)
        b->rc = graph_add_op(b->g, type, NULL, full, in, n_in, &out, 1, &o);
    return b->rc ? NULL : o;
}

static void set_ints(struct zb *b, struct op *o, const char *name, const int64_t *v, size_t n)
{
    if (!b->rc && o)
        b->rc = op_add_attr_ints(b->g, o, name, v, n);
}

static void set_int(struct zb *b, struct op *o, const char *name, int64_t v)
{
    if (!b->rc && o)
        b->rc = op_add_attr_int(b->g, o, name, v);
}

/* The fixed-size name arrays of Split, Concat and Sum. */
static bool parts_fit(struct zb *b, const char *op, int n)
{
    if (!b->rc && (n < 1 || n > ZB_MAX_PARTS))
        b->rc = graph_error(b->g, TPUSIM_ERR_ARG, "zoo: '%s' takes 1..%d tensors, got %d", op,
                            ZB_MAX_PARTS, n);
    return !b->rc;
}

/* tpusim_graph_add_conv2d does not fit here: it writes symmetric explicit
 * pads, and TF "same" pads an odd total more at the end. */
struct zt zb_conv(struct zb *b, const char *op, struct zt x, int64_t cout, int64_t k,
                  int64_t stride, int64_t group)
{
    struct zt y = new_tensor(b);
    char w[200], bias[200];
    int64_t wd[4] = {cout, zb_dim(b, x, 1) / group, k, k};
    zb_weight(b, op, "w", 4, wd, w, sizeof w);
    zb_weight(b, op, "b", 1, &cout, bias, sizeof bias);
    const char *in[3] = {x.name, w, bias};
    struct op *o = add_op(b, "Conv", op, in, 3, y.name);
    int64_t ks[2] = {k, k}, st[2] = {stride, stride};
    set_ints(b, o, "kernel_shape", ks, 2);
    set_ints(b, o, "strides", st, 2);
    if (!b->rc && o)
        b->rc = op_add_attr_string(b->g, o, "auto_pad", "SAME_UPPER");
    set_int(b, o, "group", group);
    return y;
}

struct zt zb_conv1d(struct zb *b, const char *op, struct zt x, int64_t cout, int64_t k,
                    int64_t stride, int64_t pad_begin, int64_t pad_end)
{
    struct zt y = new_tensor(b);
    char w[200], bias[200];
    int64_t wd[3] = {cout, zb_dim(b, x, 1), k};
    zb_weight(b, op, "w", 3, wd, w, sizeof w);
    zb_weight(b, op, "b", 1, &cout, bias, sizeof bias);
    const char *in[3] = {x.name, w, bias};
    struct op *o = add_op(b, "Conv", op, in, 3, y.name);
    int64_t pads[2] = {pad_begin, pad_end};
    set_ints(b, o, "kernel_shape", &k, 1);
    set_ints(b, o, "strides", &stride, 1);
    set_ints(b, o, "pads", pads, 2);
    return y;
}

struct zt zb_unary(struct zb *b, const char *type, const char *op, struct zt x)
{
    struct zt y = new_tensor(b);
    const char *in[1] = {x.name};
    add_op(b, type, op, in, 1, y.name);
    return y;
}

struct zt zb_binary(struct zb *b, const char *type, const char *op, struct zt x, struct zt y)
{
    struct zt z = new_tensor(b);
    const char *in[2] = {x.name, y.name};
    add_op(b, type, op, in, 2, z.name);
    return z;
}

struct zt zb_act(struct zb *b, const char *op, struct zt x, enum zact a)
{
    char name[64];
    switch (a) {
    case ZA_RELU:
        return zb_unary(b, "Relu", op, x);
    case ZA_SIGMOID:
        return zb_unary(b, "Sigmoid", op, x);
    case ZA_TANH:
        return zb_unary(b, "Tanh", op, x);
    case ZA_SWISH: {
        /* swish(x) = x * sigmoid(x), as TF exports tf.nn.swish */
        snprintf(name, sizeof name, "%s.sigmoid", op);
        struct zt s = zb_unary(b, "Sigmoid", name, x);
        snprintf(name, sizeof name, "%s.mul", op);
        return zb_binary(b, "Mul", name, x, s);
    }
    case ZA_NONE:
        break;
    }
    return x;
}

struct zt zb_pool(struct zb *b, const char *type, const char *op, struct zt x, int64_t k,
                  int64_t stride, int64_t pad_begin, int64_t pad_end)
{
    int64_t d[TPUSIM_MAX_RANK];
    int sp = zb_dims(b, x, d) - 2;
    if (!b->rc && (sp < 1 || sp > 2))
        b->rc = graph_error(b->g, TPUSIM_ERR_ARG, "zoo: '%s' pools 1 or 2 spatial axes, not %d",
                            op, sp);
    struct zt y = new_tensor(b);
    if (b->rc)
        return y;
    int64_t ks[2], st[2], pads[4];
    for (int i = 0; i < sp; i++) {
        ks[i] = k;
        st[i] = stride;
        pads[i] = pad_begin;
        pads[sp + i] = pad_end;
    }
    const char *in[1] = {x.name};
    struct op *o = add_op(b, type, op, in, 1, y.name);
    set_ints(b, o, "kernel_shape", ks, (size_t)sp);
    set_ints(b, o, "strides", st, (size_t)sp);
    set_ints(b, o, "pads", pads, (size_t)(2 * sp));
    return y;
}

struct zt zb_gap(struct zb *b, const char *op, struct zt x)
{
    return zb_unary(b, "GlobalAveragePool", op, x);
}

struct zt zb_se(struct zb *b, struct zt x, int64_t reduced, enum zact a)
{
    struct zt s = zb_gap(b, "se.squeeze", x);
    s = zb_conv(b, "se.reduce", s, reduced, 1, 1, 1);
    s = zb_act(b, "se.reduce.act", s, a);
    s = zb_conv(b, "se.expand", s, zb_dim(b, x, 1), 1, 1, 1);
    s = zb_unary(b, "Sigmoid", "se.gate", s);
    return zb_binary(b, "Mul", "se.excite", x, s);
}

/* Gemm with weight [K, n] and bias: exactly the public dense builder. */
static struct zt gemm(struct zb *b, const char *op, struct zt x, int64_t n)
{
    struct zt y = new_tensor(b);
    char full[160];
    op_name(b, op, full, sizeof full);
    if (!b->rc)
        b->rc = tpusim_graph_add_dense(b->g, full, x.name, y.name, n);
    return y;
}

struct zt zb_classifier(struct zb *b, struct zt x, int64_t classes)
{
    zb_scope(b, "head");
    struct zt f = zb_unary(b, "Flatten", "flatten", zb_gap(b, "pool", x));
    return gemm(b, "fc", f, classes);
}

struct zt zb_linear(struct zb *b, const char *op, struct zt x, int64_t n, bool bias)
{
    int64_t d[TPUSIM_MAX_RANK];
    int rank = zb_dims(b, x, d);
    if (rank == 2 && bias)
        return gemm(b, op, x, n);
    struct zt y = new_tensor(b);
    char w[200];
    int64_t wd[2] = {rank > 0 ? d[rank - 1] : 0, n};
    zb_weight(b, op, "w", 2, wd, w, sizeof w);
    const char *in[2] = {x.name, w};
    add_op(b, "MatMul", op, in, 2, y.name);
    return y;
}

struct zt zb_layernorm(struct zb *b, const char *op, struct zt x)
{
    struct zt y = new_tensor(b);
    char s[200], bias[200];
    int64_t d = zb_dim(b, x, -1);
    zb_weight(b, op, "scale", 1, &d, s, sizeof s);
    zb_weight(b, op, "bias", 1, &d, bias, sizeof bias);
    const char *in[3] = {x.name, s, bias};
    struct op *o = add_op(b, "LayerNormalization", op, in, 3, y.name);
    set_int(b, o, "axis", -1);
    return y;
}

struct zt zb_reshape(struct zb *b, const char *op, struct zt x, int rank, const int64_t *shape)
{
    int64_t r = rank;
    struct zt s = zb_iconst(b, 1, &r, shape);
    struct zt y = new_tensor(b);
    const char *in[2] = {x.name, s.name};
    add_op(b, "Reshape", op, in, 2, y.name);
    return y;
}

struct zt zb_transpose(struct zb *b, const char *op, struct zt x, const int64_t *perm)
{
    int64_t d[TPUSIM_MAX_RANK];
    int rank = zb_dims(b, x, d);
    struct zt y = new_tensor(b);
    const char *in[1] = {x.name};
    struct op *o = add_op(b, "Transpose", op, in, 1, y.name);
    set_ints(b, o, "perm", perm, (size_t)rank);
    return y;
}

int64_t zb_round_filters(double filters, double width)
{
    const int64_t divisor = 8;
    filters *= width;
    int64_t f = (int64_t)(filters + (double)divisor / 2) / divisor * divisor;
    if (f < divisor)
        f = divisor;
    if ((double)f < 0.9 * filters)
        f += divisor;
    return f;
}

struct zt zb_iconst(struct zb *b, int rank, const int64_t *dims, const int64_t *vals)
{
    struct zt c = new_tensor(b);
    if (!b->rc)
        b->rc = tpusim_graph_add_int_constant(b->g, c.name, rank, dims, vals);
    return c;
}

struct zt zb_embed(struct zb *b, const char *op, struct zt ids, int64_t rows, int64_t d)
{
    char w[200];
    int64_t wd[2] = {rows, d};
    zb_weight(b, op, "table", 2, wd, w, sizeof w);
    struct zt y = new_tensor(b);
    const char *in[2] = {w, ids.name};
    add_op(b, "Gather", op, in, 2, y.name);
    return y;
}

struct zt zb_gather(struct zb *b, const char *op, struct zt x, struct zt idx, int64_t axis)
{
    struct zt y = new_tensor(b);
    const char *in[2] = {x.name, idx.name};
    struct op *o = add_op(b, "Gather", op, in, 2, y.name);
    set_int(b, o, "axis", axis);
    return y;
}

void zb_split(struct zb *b, const char *op, struct zt x, int64_t axis, int n, struct zt *outs)
{
    if (!parts_fit(b, op, n))
        return;
    const char *onames[ZB_MAX_PARTS];
    for (int i = 0; i < n; i++) {
        outs[i] = new_tensor(b);
        onames[i] = outs[i].name;
    }
    char full[160];
    op_name(b, op, full, sizeof full);
    struct op *o = NULL;
    const char *in[1] = {x.name};
    b->rc = graph_add_op(b->g, "Split", NULL, full, in, 1, onames, n, &o);
    set_int(b, o, "axis", axis);
}

struct zt zb_concat(struct zb *b, const char *op, const struct zt *xs, int n, int64_t axis)
{
    struct zt y = new_tensor(b);
    if (!parts_fit(b, op, n))
        return y;
    const char *in[ZB_MAX_PARTS];
    for (int i = 0; i < n; i++)
        in[i] = xs[i].name;
    struct op *o = add_op(b, "Concat", op, in, n, y.name);
    set_int(b, o, "axis", axis);
    return y;
}

struct zt zb_sum(struct zb *b, const char *op, const struct zt *xs, int n)
{
    struct zt y = new_tensor(b);
    if (!parts_fit(b, op, n))
        return y;
    const char *in[ZB_MAX_PARTS];
    for (int i = 0; i < n; i++)
        in[i] = xs[i].name;
    add_op(b, "Sum", op, in, n, y.name);
    return y;
}

struct zt zb_softmax(struct zb *b, const char *op, struct zt x, int64_t axis)
{
    struct zt y = new_tensor(b);
    const char *in[1] = {x.name};
    struct op *o = add_op(b, "Softmax", op, in, 1, y.name);
    set_int(b, o, "axis", axis);
    return y;
}
