/*
 * zoo_layers.c — the layer helpers of zoo_layers.h. Shapes are tracked here
 * at batch 1 so builders can pad and size weights without running shape
 * inference; graph_finalize() checks them all again.
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

static struct zt new_tensor(struct zb *b, int rank, const int64_t *d)
{
    struct zt t;
    memset(&t, 0, sizeof t);
    snprintf(t.name, sizeof t.name, "t%d", ++b->next);
    t.rank = rank;
    for (int i = 0; i < rank && i < 4; i++)
        t.d[i] = d[i];
    return t;
}

struct zt zb_input(struct zb *b, const char *name, tpusim_dtype dtype, int rank,
                   const int64_t *dims)
{
    struct zt t = new_tensor(b, rank, dims);
    snprintf(t.name, sizeof t.name, "%s", name);
    if (!b->rc)
        b->rc = graph_define_input(b->g, name, dtype, rank, dims, NULL, NULL);
    return t;
}

void zb_weight(struct zb *b, const char *op, const char *suffix, int rank, const int64_t *dims,
               char *name, size_t len)
{
    char full[160];
    op_name(b, op, full, sizeof full);
    snprintf(name, len, "%s.%s", full, suffix);
    struct tensor *t = NULL;
    if (!b->rc)
        b->rc = graph_define_tensor(b->g, name, TPUSIM_DT_FLOAT32, rank, dims, &t);
    if (!b->rc)
        t->is_weight = true;
}

struct zt zb_scalar(struct zb *b, const char *op, double value)
{
    struct zt t = new_tensor(b, 0, NULL);
    struct tensor *tt = NULL;
    (void)op;
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

/* TF "same": output ceil(in / stride), total padding split with the odd
 * pixel at the end. */
static void same_pad(int64_t in, int64_t k, int64_t s, int64_t *begin, int64_t *end, int64_t *out)
{
    *out = (in + s - 1) / s;
    int64_t total = (*out - 1) * s + k - in;
    if (total < 0)
        total = 0;
    *begin = total / 2;
    *end = total - *begin;
}

struct zt zb_conv(struct zb *b, const char *op, struct zt x, int64_t cout, int64_t k,
                  int64_t stride, int64_t group)
{
    int64_t pb[2], pe[2], od[2];
    same_pad(x.d[2], k, stride, &pb[0], &pe[0], &od[0]);
    same_pad(x.d[3], k, stride, &pb[1], &pe[1], &od[1]);
    int64_t dims[4] = {x.d[0], cout, od[0], od[1]};
    struct zt y = new_tensor(b, 4, dims);
    char w[200], bias[200];
    int64_t wd[4] = {cout, x.d[1] / group, k, k};
    zb_weight(b, op, "w", 4, wd, w, sizeof w);
    zb_weight(b, op, "b", 1, &cout, bias, sizeof bias);
    const char *in[3] = {x.name, w, bias};
    struct op *o = add_op(b, "Conv", op, in, 3, y.name);
    int64_t ks[2] = {k, k}, st[2] = {stride, stride}, pads[4] = {pb[0], pb[1], pe[0], pe[1]};
    set_ints(b, o, "kernel_shape", ks, 2);
    set_ints(b, o, "strides", st, 2);
    set_ints(b, o, "pads", pads, 4);
    set_int(b, o, "group", group);
    return y;
}

struct zt zb_conv1d(struct zb *b, const char *op, struct zt x, int64_t cout, int64_t k,
                    int64_t stride, int64_t pad_begin, int64_t pad_end)
{
    int64_t len = (x.d[2] + pad_begin + pad_end - k) / stride + 1;
    int64_t dims[3] = {x.d[0], cout, len};
    struct zt y = new_tensor(b, 3, dims);
    char w[200], bias[200];
    int64_t wd[3] = {cout, x.d[1], k};
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
    struct zt y = new_tensor(b, x.rank, x.d);
    const char *in[1] = {x.name};
    add_op(b, type, op, in, 1, y.name);
    return y;
}

struct zt zb_binary(struct zb *b, const char *type, const char *op, struct zt x, struct zt y)
{
    struct zt z = new_tensor(b, x.rank, x.d);
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
    int sp = x.rank - 2;
    struct zt y = new_tensor(b, x.rank, x.d);
    int64_t ks[2], st[2], pads[4];
    for (int i = 0; i < sp; i++) {
        y.d[2 + i] = (x.d[2 + i] + pad_begin + pad_end - k) / stride + 1;
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
    struct zt y = new_tensor(b, x.rank, x.d);
    for (int i = 2; i < x.rank; i++)
        y.d[i] = 1;
    const char *in[1] = {x.name};
    add_op(b, "GlobalAveragePool", op, in, 1, y.name);
    return y;
}

struct zt zb_se(struct zb *b, struct zt x, int64_t reduced, enum zact a)
{
    struct zt s = zb_gap(b, "se.squeeze", x);
    s = zb_conv(b, "se.reduce", s, reduced, 1, 1, 1);
    s = zb_act(b, "se.reduce.act", s, a);
    s = zb_conv(b, "se.expand", s, x.d[1], 1, 1, 1);
    s = zb_unary(b, "Sigmoid", "se.gate", s);
    return zb_binary(b, "Mul", "se.excite", x, s);
}

static struct zt gemm(struct zb *b, const char *op, struct zt x, int64_t n)
{
    int64_t dims[2] = {x.d[0], n};
    struct zt y = new_tensor(b, 2, dims);
    char w[200], bias[200];
    int64_t wd[2] = {x.d[1], n};
    zb_weight(b, op, "w", 2, wd, w, sizeof w);
    zb_weight(b, op, "b", 1, &n, bias, sizeof bias);
    const char *in[3] = {x.name, w, bias};
    add_op(b, "Gemm", op, in, 3, y.name);
    return y;
}

struct zt zb_classifier(struct zb *b, struct zt x, int64_t classes)
{
    zb_scope(b, "head");
    struct zt p = zb_gap(b, "pool", x);
    int64_t fd[2] = {p.d[0], p.d[1]};
    struct zt f = new_tensor(b, 2, fd);
    const char *in[1] = {p.name};
    add_op(b, "Flatten", "flatten", in, 1, f.name);
    return gemm(b, "fc", f, classes);
}

struct zt zb_linear(struct zb *b, const char *op, struct zt x, int64_t n, bool bias)
{
    if (x.rank == 2 && bias)
        return gemm(b, op, x, n);
    struct zt y = new_tensor(b, x.rank, x.d);
    y.d[x.rank - 1] = n;
    char w[200];
    int64_t wd[2] = {x.d[x.rank - 1], n};
    zb_weight(b, op, "w", 2, wd, w, sizeof w);
    const char *in[2] = {x.name, w};
    add_op(b, "MatMul", op, in, 2, y.name);
    return y;
}

struct zt zb_layernorm(struct zb *b, const char *op, struct zt x)
{
    struct zt y = new_tensor(b, x.rank, x.d);
    char s[200], bias[200];
    int64_t d = x.d[x.rank - 1];
    zb_weight(b, op, "scale", 1, &d, s, sizeof s);
    zb_weight(b, op, "bias", 1, &d, bias, sizeof bias);
    const char *in[3] = {x.name, s, bias};
    struct op *o = add_op(b, "LayerNormalization", op, in, 3, y.name);
    set_int(b, o, "axis", -1);
    return y;
}

struct zt zb_reshape(struct zb *b, const char *op, struct zt x, int rank, const int64_t *shape,
                     const int64_t *dims_at_batch1)
{
    struct zt s = new_tensor(b, 0, NULL);
    struct tensor *t = NULL;
    int64_t r = rank;
    if (!b->rc)
        b->rc = graph_define_tensor(b->g, s.name, TPUSIM_DT_INT64, 1, &r, &t);
    if (!b->rc)
        b->rc = tensor_set_ivals(b->g, t, shape, (size_t)rank);
    struct zt y = new_tensor(b, rank, dims_at_batch1);
    const char *in[2] = {x.name, s.name};
    add_op(b, "Reshape", op, in, 2, y.name);
    return y;
}

struct zt zb_transpose(struct zb *b, const char *op, struct zt x, const int64_t *perm)
{
    struct zt y = new_tensor(b, x.rank, x.d);
    for (int i = 0; i < x.rank; i++)
        y.d[i] = x.d[perm[i]];
    const char *in[1] = {x.name};
    struct op *o = add_op(b, "Transpose", op, in, 1, y.name);
    set_ints(b, o, "perm", perm, (size_t)x.rank);
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
    struct zt c = new_tensor(b, rank, dims);
    struct tensor *t = NULL;
    if (!b->rc)
        b->rc = graph_define_tensor(b->g, c.name, TPUSIM_DT_INT64, rank, dims, &t);
    if (!b->rc)
        b->rc = tensor_set_ivals(b->g, t, vals, tensor_elems(t));
    return c;
}

struct zt zb_embed(struct zb *b, const char *op, struct zt ids, int64_t rows, int64_t d)
{
    char w[200];
    int64_t wd[2] = {rows, d};
    zb_weight(b, op, "table", 2, wd, w, sizeof w);
    struct zt y = new_tensor(b, ids.rank + 1, ids.d);
    y.d[ids.rank] = d;
    const char *in[2] = {w, ids.name};
    add_op(b, "Gather", op, in, 2, y.name);
    return y;
}

struct zt zb_gather(struct zb *b, const char *op, struct zt x, struct zt idx, int64_t axis)
{
    struct zt y = new_tensor(b, 0, NULL);
    for (int i = 0; i < x.rank; i++) {
        if (i < axis)
            y.d[y.rank++] = x.d[i];
        else if (i == axis)
            for (int j = 0; j < idx.rank; j++)
                y.d[y.rank++] = idx.d[j];
        else
            y.d[y.rank++] = x.d[i];
    }
    const char *in[2] = {x.name, idx.name};
    struct op *o = add_op(b, "Gather", op, in, 2, y.name);
    set_int(b, o, "axis", axis);
    return y;
}

void zb_split(struct zb *b, const char *op, struct zt x, int64_t axis, int n, struct zt *outs)
{
    char names[8][24];
    const char *onames[8];
    for (int i = 0; i < n && i < 8; i++) {
        outs[i] = new_tensor(b, x.rank, x.d);
        outs[i].d[axis] = x.d[axis] / n;
        memcpy(names[i], outs[i].name, sizeof names[i]);
        onames[i] = names[i];
    }
    char full[160];
    op_name(b, op, full, sizeof full);
    struct op *o = NULL;
    const char *in[1] = {x.name};
    if (!b->rc)
        b->rc = graph_add_op(b->g, "Split", NULL, full, in, 1, onames, n, &o);
    set_int(b, o, "axis", axis);
}

struct zt zb_concat(struct zb *b, const char *op, const struct zt *xs, int n, int64_t axis)
{
    struct zt y = new_tensor(b, xs[0].rank, xs[0].d);
    const char *in[8];
    y.d[axis] = 0;
    for (int i = 0; i < n && i < 8; i++) {
        in[i] = xs[i].name;
        y.d[axis] += xs[i].d[axis];
    }
    struct op *o = add_op(b, "Concat", op, in, n, y.name);
    set_int(b, o, "axis", axis);
    return y;
}

struct zt zb_sum(struct zb *b, const char *op, const struct zt *xs, int n)
{
    struct zt y = new_tensor(b, xs[0].rank, xs[0].d);
    const char *in[8];
    for (int i = 0; i < n && i < 8; i++)
        in[i] = xs[i].name;
    add_op(b, "Sum", op, in, n, y.name);
    return y;
}

struct zt zb_softmax(struct zb *b, const char *op, struct zt x, int64_t axis)
{
    struct zt y = new_tensor(b, x.rank, x.d);
    const char *in[1] = {x.name};
    struct op *o = add_op(b, "Softmax", op, in, 1, y.name);
    set_int(b, o, "axis", axis);
    return y;
}
