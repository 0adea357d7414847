/*
 * tflite_import.c — a TensorFlow Lite model (read and verified by
 * tflite_reader.cpp) into the graph IR. Tensors keep the file's NHWC shapes
 * and element types (int8/uint8 with their quantisation); convolutions and
 * pooling become NHWC graph ops (graph.h: data_format), a fused activation
 * becomes an activation op after its producer (the stack fuses it back),
 * and the few ops the IR has no single op for become short chains
 * (FULLY_CONNECTED on a rank-4 input: Reshape + Gemm; PACK: Unsqueeze +
 * Concat). Each graph op remembers the TFLite op it came from
 * (op->source_node). Operator semantics: the TFLite builtin operator
 * reference (tensorflow/lite/kernels, register.cc) and the options of
 * schema.fbs. After inference, every tensor's shape must equal the one the
 * file declares: a mapping that disagrees with the file is an error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph.h"
#include "model_file.h"
#include "tflite_reader.h"
#include "tpusim.h"

/* TensorType -> tpusim dtype; UNDEFINED for types tpusim does not model. */
static tpusim_dtype tfl_dtype(int type)
{
    static const tpusim_dtype map[] = {
        TPUSIM_DT_FLOAT32, TPUSIM_DT_FLOAT16, TPUSIM_DT_INT32,  TPUSIM_DT_UINT8,
        TPUSIM_DT_INT64,   TPUSIM_DT_STRING,  TPUSIM_DT_BOOL,   TPUSIM_DT_INT16,
        TPUSIM_DT_UNDEFINED /* COMPLEX64 */,  TPUSIM_DT_INT8,   TPUSIM_DT_FLOAT64,
        TPUSIM_DT_UNDEFINED /* COMPLEX128 */, TPUSIM_DT_UINT64, TPUSIM_DT_UNDEFINED,
        TPUSIM_DT_UNDEFINED, TPUSIM_DT_UINT32, TPUSIM_DT_UINT16};
    return type >= 0 && (size_t)type < sizeof map / sizeof map[0] ? map[type]
                                                                  : TPUSIM_DT_UNDEFINED;
}

/* What mapping one model needs. */
struct tfl_ctx {
    struct tpusim_graph *g;
    const struct tfl_model *m;
    char **names;          /* the graph's name of each TFLite tensor */
    int op;                /* the TFLite op being mapped */
    const char *op_type;   /* its name: "CONV_2D", or a custom op's code */
    int edgetpu_ops;       /* edgetpu-custom-ops seen */
    size_t edgetpu_bytes;  /* their compiled programs */
};

static int op_fail(struct tfl_ctx *c, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int op_fail(struct tfl_ctx *c, int code, const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return graph_error(c->g, code, "op %d (%s): %s", c->op, c->op_type, msg);
}

static int nomem(struct tfl_ctx *c)
{
    return graph_error(c->g, TPUSIM_ERR_NOMEM, "out of memory");
}

/* ------------------------------------------------------------ tensors */

static const struct tfl_tensor *tensor_at(const struct tfl_ctx *c, int index)
{
    return index >= 0 && index < c->m->n_tensors ? &c->m->tensors[index] : NULL;
}

/* The op's input k as a TFLite tensor, NULL when absent. */
static const struct tfl_tensor *in_tensor(const struct tfl_ctx *c, const struct tfl_op *op, int k)
{
    return k < op->n_inputs ? tensor_at(c, op->inputs[k]) : NULL;
}

/* The graph's names of the op's input / output k ("" when absent). */
static const char *in_name(const struct tfl_ctx *c, const struct tfl_op *op, int k)
{
    return k < op->n_inputs && op->inputs[k] >= 0 ? c->names[op->inputs[k]] : "";
}

static const char *out_name(const struct tfl_ctx *c, const struct tfl_op *op, int k)
{
    return k < op->n_outputs ? c->names[op->outputs[k]] : "";
}

/* The names of the op's inputs then outputs (malloc'ed array). */
static const char **io_names(const struct tfl_ctx *c, const struct tfl_op *op)
{
    const char **names = calloc((size_t)(op->n_inputs + op->n_outputs + 1), sizeof *names);
    for (int k = 0; names && k < op->n_inputs; k++)
        names[k] = in_name(c, op, k);
    for (int k = 0; names && k < op->n_outputs; k++)
        names[op->n_inputs + k] = out_name(c, op, k);
    return names;
}

static uint64_t file_elems(const struct tfl_tensor *t)
{
    uint64_t n = 1;
    for (int i = 0; i < t->rank; i++)
        n *= (uint64_t)t->dims[i];
    return n;
}

/* Distinct graph names for every TFLite tensor: its own, or tensor_<i>
 * when it has none, with #<i> after a name seen before. */
static int name_tensors(struct tfl_ctx *c)
{
    c->names = calloc((size_t)(c->m->n_tensors ? c->m->n_tensors : 1), sizeof *c->names);
    if (!c->names)
        return nomem(c);
    for (int i = 0; i < c->m->n_tensors; i++) {
        const char *n = c->m->tensors[i].name;
        char buf[64];
        if (!n[0]) {
            snprintf(buf, sizeof buf, "tensor_%d", i);
            n = buf;
        }
        size_t len = strlen(n) + 16;
        c->names[i] = malloc(len);
        if (!c->names[i])
            return nomem(c);
        snprintf(c->names[i], len, "%s", n);
        if (graph_find_tensor(c->g, c->names[i]))
            snprintf(c->names[i], len, "%s#%d", n, i);
        if (!graph_tensor(c->g, c->names[i]))
            return nomem(c);
    }
    return TPUSIM_OK;
}

/* A constant's values, kept when small (shape vectors, axes, sizes). */
static int keep_values(struct tfl_ctx *c, struct tensor *t, const struct tfl_tensor *src)
{
    size_t sz = tpusim_dtype_size_bytes(t->dtype);
    uint64_t n = tensor_elems(t);
    if (!sz || n > GRAPH_MAX_KEPT_VALUES)
        return TPUSIM_OK;
    struct vals v;
    int rc = vals_open(c->g, &v, t);
    for (uint64_t i = 0; i < n && !rc; i++) {
        double f;
        int64_t iv;
        model_raw_element(src->data + i * sz, t->dtype, &f, &iv);
        if (v.f)
            v.f[i] = f;
        else
            v.i[i] = iv;
    }
    return rc ? rc : vals_close(c->g, &v);
}

/* Graph inputs, constants (with their data checked against their shape)
 * and variables (an LSTM's state: constants without values). */
static int define_tensors(struct tfl_ctx *c)
{
    const struct tfl_model *m = c->m;
    int rc = TPUSIM_OK;
    for (int k = 0; k < m->n_inputs && !rc; k++) {
        const struct tfl_tensor *t = &m->tensors[m->inputs[k]];
        int64_t dims[TFL_MAX_RANK];
        for (int i = 0; i < t->rank; i++)
            dims[i] = t->dims[i];
        if (!t->data)
            rc = graph_define_input(c->g, c->names[m->inputs[k]], tfl_dtype(t->type), t->rank,
                                    dims, NULL, NULL);
    }
    for (int i = 0; i < m->n_tensors && !rc; i++) {
        const struct tfl_tensor *t = &m->tensors[i];
        struct tensor *gt = graph_find_tensor(c->g, c->names[i]);
        if ((!t->data && !t->is_variable) || gt->defined)
            continue;
        tpusim_dtype dt = tfl_dtype(t->type);
        size_t sz = tpusim_dtype_size_bytes(dt);
        if (dt == TPUSIM_DT_UNDEFINED)
            return graph_error(c->g, TPUSIM_ERR_UNSUPPORTED,
                               "tensor %d '%s' has TensorType %d, which tpusim does not model", i,
                               t->name, t->type);
        if (t->data && sz && t->data_bytes != file_elems(t) * sz)
            return graph_error(c->g, TPUSIM_ERR_PARSE,
                               "tensor %d '%s' holds %zu bytes but its shape needs %llu: the "
                               "file is corrupt", i, t->name, t->data_bytes,
                               (unsigned long long)(file_elems(t) * sz));
        int64_t dims[TFL_MAX_RANK];
        for (int d = 0; d < t->rank; d++)
            dims[d] = t->dims[d];
        rc = graph_define_tensor(c->g, c->names[i], dt, t->rank, dims, &gt);
        if (!rc && t->data)
            rc = keep_values(c, gt, t);
    }
    return rc;
}

/* ----------------------------------------------------- building ops */

/* Adds a graph op for the TFLite op being mapped. */
static int add_op(struct tfl_ctx *c, const char *type, const char *name, const char *const *ins,
                  int n_in, const char *const *outs, int n_out, struct op **out)
{
    struct op *op;
    int rc = graph_add_op(c->g, type, NULL, name, ins, n_in, outs, n_out, &op);
    if (rc)
        return rc;
    op->source_node = c->op;
    if (out)
        *out = op;
    return TPUSIM_OK;
}

/* A one-input, one-output op. */
static int add_unary(struct tfl_ctx *c, const char *type, const char *in, const char *out,
                     struct op **op)
{
    return add_op(c, type, out, &in, 1, &out, 1, op);
}

static int scalar_const(struct tfl_ctx *c, const char *name, tpusim_dtype dt, double v)
{
    struct tensor *t;
    int rc = graph_define_tensor(c->g, name, dt, 0, NULL, &t);
    if (rc)
        return rc;
    if (dtype_is_float(dt))
        return tensor_set_fvals(c->g, t, &v, 1);
    /* A value from the file: out of int64's range (or NaN) is refused, not
     * cast (undefined behaviour; found by fuzz_tflite). */
    if (!(v > -9.2e18 && v < 9.2e18))
        return graph_error(c->g, TPUSIM_ERR_PARSE, "constant '%s': %g is not an integer value",
                           name, v);
    int64_t iv = (int64_t)v;
    return tensor_set_ivals(c->g, t, &iv, 1);
}

/* The values of constant input k (an axis, a shape, paddings), which the
 * op needs to know at import. */
static int const_ints(struct tfl_ctx *c, const struct tfl_op *op, int k, int64_t *v, size_t max,
                      size_t *n)
{
    const struct tfl_tensor *t = in_tensor(c, op, k);
    tpusim_dtype dt = t ? tfl_dtype(t->type) : TPUSIM_DT_UNDEFINED;
    size_t sz = tpusim_dtype_size_bytes(dt);
    if (!t || !t->data || (dt != TPUSIM_DT_INT32 && dt != TPUSIM_DT_INT64))
        return op_fail(c, TPUSIM_ERR_UNSUPPORTED, "input %d must be an int32 or int64 constant "
                       "(it fixes the output's shape)", k);
    *n = t->data_bytes / sz;
    if (*n > max)
        return op_fail(c, TPUSIM_ERR_SHAPE, "input %d has %zu values; at most %zu", k, *n, max);
    for (size_t i = 0; i < *n; i++) {
        double f;
        model_raw_element(t->data + i * sz, dt, &f, &v[i]);
    }
    return TPUSIM_OK;
}

/* A new 1-D int64 constant of n values, named base + suffix (*name,
 * malloc'ed). */
static int ints_const(struct tfl_ctx *c, const char *base, const char *suffix, const int64_t *v,
                      size_t n, char **name)
{
    int64_t len = (int64_t)n;
    *name = graph_strprintf("%s%s", base, suffix);
    return *name ? tpusim_graph_add_int_constant(c->g, *name, 1, &len, v) : nomem(c);
}

/* The op of `type` on input 0 and a new 1-D int64 constant (named after
 * the output with `suffix`) holding v: Reshape's shape, Tile's repeats. */
static int add_with_ints(struct tfl_ctx *c, const struct tfl_op *op, const char *type,
                         const char *suffix, const int64_t *v, size_t n)
{
    char *name = NULL;
    const char *out = out_name(c, op, 0);
    int rc = ints_const(c, out, suffix, v, n, &name);
    const char *ins[2] = {in_name(c, op, 0), name};
    if (!rc)
        rc = add_op(c, type, out, ins, 2, &out, 1, NULL);
    free(name);
    return rc;
}

/* Output k of the op, or where its main op writes when a fused activation
 * follows (name:preact, freed by the caller). */
static char *main_output(struct tfl_ctx *c, const struct tfl_op *op, int activation)
{
    return graph_strprintf("%s%s", out_name(c, op, 0), activation ? ":preact" : "");
}

/* The fused activation (ActivationFunctionType) after the op's main op. */
static int add_activation(struct tfl_ctx *c, const struct tfl_op *op, int activation,
                          const char *pre)
{
    static const struct {
        const char *type;
        double lo, hi;
    } acts[] = {{NULL, 0, 0}, {"Relu", 0, 0}, {"Clip", -1, 1}, {"Clip", 0, 6}, {"Tanh", 0, 0}};
    if (!activation)
        return TPUSIM_OK;
    if (activation < 0 || (size_t)activation >= sizeof acts / sizeof acts[0])
        return op_fail(c, TPUSIM_ERR_UNSUPPORTED, "fused activation %d is not supported",
                       activation);
    struct op *a = NULL;
    int rc = add_unary(c, acts[activation].type, pre, out_name(c, op, 0), &a);
    if (!rc && strcmp(acts[activation].type, "Clip") == 0)
        rc = op_add_attr_float(c->g, a, "min", acts[activation].lo);
    if (!rc && strcmp(acts[activation].type, "Clip") == 0)
        rc = op_add_attr_float(c->g, a, "max", acts[activation].hi);
    return rc;
}

/* The op's ints attribute of two values (strides, dilations: H then W). */
static int attr_hw(struct tfl_ctx *c, struct op *g_op, const char *name, int h, int w)
{
    int64_t v[2] = {h, w};
    return op_add_attr_ints(c->g, g_op, name, v, 2);
}

/* NHWC layout and TFLite's padding: SAME puts the odd pixel at the end. */
static int window_attrs(struct tfl_ctx *c, struct op *g_op, const struct tfl_options *o)
{
    int rc = op_add_attr_string(c->g, g_op, "data_format", "NHWC");
    if (!rc)
        rc = op_add_attr_string(c->g, g_op, "auto_pad", o->padding == 1 ? "VALID" : "SAME_UPPER");
    if (!rc)
        rc = attr_hw(c, g_op, "strides", o->stride_h, o->stride_w);
    return rc;
}

/* ------------------------------------------------------ op mappings */

typedef int (*map_fn)(struct tfl_ctx *c, const struct tfl_op *op, const char *type);

/* CONV_2D and DEPTHWISE_CONV_2D: an NHWC Conv; a depthwise filter
 * [1, kh, kw, C*M] is read as OHWI [C*M, kh, kw, 1] with group C. */
static int map_conv(struct tfl_ctx *c, const struct tfl_op *op, const char *type)
{
    (void)type;
    const struct tfl_tensor *x = in_tensor(c, op, 0), *w = in_tensor(c, op, 1);
    if (!x || !w || x->rank != 4 || w->rank != 4 || !w->dims[3])
        return op_fail(c, TPUSIM_ERR_SHAPE, "needs an NHWC input and a 4-D filter");
    bool depthwise = op->builtin == TFL_DEPTHWISE_CONV_2D;
    int64_t group = depthwise ? x->dims[3] : x->dims[3] / w->dims[3];
    char *pre = main_output(c, op, op->opt.activation), *wname = NULL;
    const char *ins[3] = {in_name(c, op, 0), in_name(c, op, 1), in_name(c, op, 2)};
    int rc = pre ? TPUSIM_OK : nomem(c);
    if (!rc && depthwise) {
        int64_t dims[4] = {w->dims[3], w->dims[1], w->dims[2], 1};
        wname = graph_strprintf("%s:ohwi", ins[1]);
        rc = wname ? graph_define_tensor(c->g, wname, tfl_dtype(w->type), 4, dims, NULL)
                   : nomem(c);
        ins[1] = wname;
    }
    struct op *g_op = NULL;
    if (!rc)
        rc = add_op(c, "Conv", pre, ins, ins[2][0] ? 3 : 2, (const char *const *)&pre, 1, &g_op);
    if (!rc)
        rc = window_attrs(c, g_op, &op->opt);
    if (!rc)
        rc = attr_hw(c, g_op, "dilations", op->opt.dilation_h, op->opt.dilation_w);
    if (!rc)
        rc = op_add_attr_int(c->g, g_op, "group", group > 0 ? group : 1);
    if (!rc)
        rc = add_activation(c, op, op->opt.activation, pre);
    free(pre);
    free(wname);
    return rc;
}

/* FULLY_CONNECTED: Gemm with the weights [N, K] transposed; an input of
 * another rank is flattened to [-1, K] first, and with keep_num_dims the
 * result gets the input's leading axes back. */
static int map_fully_connected(struct tfl_ctx *c, const struct tfl_op *op, const char *type)
{
    (void)type;
    const struct tfl_tensor *x = in_tensor(c, op, 0), *w = in_tensor(c, op, 1);
    if (!x || !w || w->rank != 2 || x->rank < 1)
        return op_fail(c, TPUSIM_ERR_SHAPE, "needs an input and 2-D weights");
    int act = op->opt.activation;
    bool flatten = x->rank != 2, restore = op->opt.keep_num_dims && x->rank != 2;
    char *pre = main_output(c, op, act), *flat = graph_strprintf("%s:2d", out_name(c, op, 0)),
         *flat_shape = graph_strprintf("%s:2d_shape", out_name(c, op, 0)),
         *gemm = graph_strprintf("%s%s", pre ? pre : "", restore ? ":gemm" : ""),
         *back_shape = graph_strprintf("%s:nd_shape", out_name(c, op, 0));
    int rc = pre && flat && flat_shape && gemm && back_shape ? TPUSIM_OK : nomem(c);
    const char *a = in_name(c, op, 0);
    if (!rc && flatten) {
        int64_t shape[2] = {-1, w->dims[1]}, two = 2;
        const char *ins[2] = {a, flat_shape};
        rc = tpusim_graph_add_int_constant(c->g, flat_shape, 1, &two, shape);
        if (!rc)
            rc = add_op(c, "Reshape", flat, ins, 2, (const char *const *)&flat, 1, NULL);
        a = flat;
    }
    struct op *g_op = NULL;
    const char *ins[3] = {a, in_name(c, op, 1), in_name(c, op, 2)};
    if (!rc)
        rc = add_op(c, "Gemm", gemm, ins, ins[2][0] ? 3 : 2, (const char *const *)&gemm, 1, &g_op);
    if (!rc)
        rc = op_add_attr_int(c->g, g_op, "transB", 1);
    if (!rc && restore) {
        int64_t shape[TFL_MAX_RANK], r = x->rank;
        for (int i = 0; i < x->rank - 1; i++)
            shape[i] = i == 0 ? -1 : x->dims[i];
        shape[x->rank - 1] = w->dims[0];
        const char *rins[2] = {gemm, back_shape};
        rc = tpusim_graph_add_int_constant(c->g, back_shape, 1, &r, shape);
        if (!rc)
            rc = add_op(c, "Reshape", pre, rins, 2, (const char *const *)&pre, 1, NULL);
    }
    if (!rc)
        rc = add_activation(c, op, act, pre);
    free(pre);
    free(flat);
    free(flat_shape);
    free(gemm);
    free(back_shape);
    return rc;
}

/* Every input to the graph op of `type`, one output, then any fused
 * activation (ADD, MUL, CONCATENATION, ... and the plain unary ops). */
static int map_direct(struct tfl_ctx *c, const struct tfl_op *op, const char *type)
{
    int act = op->opt.activation;
    bool takes_act = op->builtin == TFL_ADD || op->builtin == TFL_SUB || op->builtin == TFL_MUL ||
                     op->builtin == TFL_DIV || op->builtin == TFL_CONCATENATION;
    act = takes_act ? act : 0;
    int n = op->n_inputs;
    const char **ins = calloc((size_t)(n ? n : 1), sizeof *ins);
    for (int k = 0; ins && k < n; k++)
        ins[k] = in_name(c, op, k);
    char *pre = main_output(c, op, act);
    struct op *g_op = NULL;
    int rc = pre && ins ? add_op(c, type, pre, ins, n, (const char *const *)&pre, 1, &g_op)
                        : nomem(c);
    free(ins);
    if (!rc && op->builtin == TFL_CONCATENATION)
        rc = op_add_attr_int(c->g, g_op, "axis", op->opt.axis);
    if (!rc && (op->builtin == TFL_SOFTMAX || op->builtin == TFL_LOG_SOFTMAX))
        rc = op_add_attr_int(c->g, g_op, "axis", -1);
    if (!rc && op->builtin == TFL_LEAKY_RELU)
        rc = op_add_attr_float(c->g, g_op, "alpha", op->opt.alpha);
    if (!rc && op->builtin == TFL_CAST)
        rc = op_add_attr_int(c->g, g_op, "to", tfl_dtype(c->m->tensors[op->outputs[0]].type));
    if (!rc && op->builtin == TFL_RELU6)
        rc = op_add_attr_float(c->g, g_op, "min", 0);
    if (!rc && op->builtin == TFL_RELU6)
        rc = op_add_attr_float(c->g, g_op, "max", 6);
    if (!rc && op->builtin == TFL_RELU_N1_TO_1)
        rc = op_add_attr_float(c->g, g_op, "min", -1);
    if (!rc && op->builtin == TFL_RELU_N1_TO_1)
        rc = op_add_attr_float(c->g, g_op, "max", 1);
    if (!rc)
        rc = add_activation(c, op, act, pre);
    free(pre);
    return rc;
}

/* SQUARE: x * x. */
static int map_square(struct tfl_ctx *c, const struct tfl_op *op, const char *type)
{
    const char *ins[2] = {in_name(c, op, 0), in_name(c, op, 0)}, *out = out_name(c, op, 0);
    return add_op(c, type, out, ins, 2, &out, 1, NULL);
}

/* FLOOR_DIV and SQUARED_DIFFERENCE: two elementwise ops, Div then Floor,
 * Sub then Mul (with itself). */
static int map_two_step(struct tfl_ctx *c, const struct tfl_op *op, const char *type)
{
    bool floor_div = op->builtin == TFL_FLOOR_DIV;
    const char *ins[2] = {in_name(c, op, 0), in_name(c, op, 1)}, *out = out_name(c, op, 0);
    char *mid = graph_strprintf("%s%s", out, floor_div ? ":quotient" : ":difference");
    int rc = mid ? add_op(c, type, mid, ins, 2, (const char *const *)&mid, 1, NULL) : nomem(c);
    const char *second[2] = {mid, mid};
    if (!rc)
        rc = floor_div ? add_unary(c, "Floor", mid, out, NULL)
                       : add_op(c, "Mul", out, second, 2, &out, 1, NULL);
    free(mid);
    return rc;
}

/* AVERAGE_POOL_2D, MAX_POOL_2D: NHWC pooling. */
static int map_pool(struct tfl_ctx *c, const struct tfl_op *op, const char *type)
{
    int act = op->opt.activation;
    char *pre = main_output(c, op, act);
    const char *in = in_name(c, op, 0);
    struct op *g_op = NULL;
    int rc = pre ? add_op(c, type, pre, &in, 1, (const char *const *)&pre, 1, &g_op) : nomem(c);
    if (!rc)
        rc = window_attrs(c, g_op, &op->opt);
    if (!rc)
        rc = attr_hw(c, g_op, "kernel_shape", op->opt.filter_h, op->opt.filter_w);
    if (!rc)
        rc = add_activation(c, op, act, pre);
    free(pre);
    return rc;
}

/* RESHAPE: the shape from input 1, else the new_shape option, else the
 * output's declared shape. */
static int map_reshape(struct tfl_ctx *c, const struct tfl_op *op, const char *type)
{
    int64_t v[TFL_MAX_RANK];
    size_t n = 0;
    int rc = TPUSIM_OK;
    const struct tfl_tensor *s = in_tensor(c, op, 1), *y = tensor_at(c, op->outputs[0]);
    if (s && s->data) {
        rc = const_ints(c, op, 1, v, TFL_MAX_RANK, &n);
    } else if (op->opt.list_given) {
        for (n = 0; n < (size_t)op->opt.n_list; n++)
            v[n] = op->opt.list[n];
    } else {
        for (n = 0; n < (size_t)y->rank; n++)
            v[n] = y->dims[n];
    }
    return rc ? rc : add_with_ints(c, op, type, ":shape", v, n);
}

/* PAD, PADV2, MIRROR_PAD: paddings [rank, 2] into ONNX's begins-then-ends. */
static int map_pad(struct tfl_ctx *c, const struct tfl_op *op, const char *type)
{
    int64_t p[2 * TFL_MAX_RANK], pads[2 * TFL_MAX_RANK];
    size_t n;
    int rc = const_ints(c, op, 1, p, 2 * TFL_MAX_RANK, &n);
    if (rc)
        return rc;
    size_t r = n / 2;
    for (size_t i = 0; i < r; i++) {
        pads[i] = p[2 * i];
        pads[r + i] = p[2 * i + 1];
    }
    struct op *g_op = NULL;
    rc = add_unary(c, type, in_name(c, op, 0), out_name(c, op, 0), &g_op);
    if (!rc)
        rc = op_add_attr_ints(c->g, g_op, "pads", pads, 2 * r);
    if (!rc && op->builtin == TFL_MIRROR_PAD)
        rc = op_add_attr_string(c->g, g_op, "mode", op->opt.mode == 0 ? "reflect" : "edge");
    return rc;
}

/* An ints attribute from constant input k (axes, perm). */
static int attr_from_input(struct tfl_ctx *c, const struct tfl_op *op, int k, struct op *g_op,
                           const char *name)
{
    int64_t v[TFL_MAX_RANK];
    size_t n;
    int rc = const_ints(c, op, k, v, TFL_MAX_RANK, &n);
    return rc ? rc : op_add_attr_ints(c->g, g_op, name, v, n);
}

/* MEAN, SUM, REDUCE_*: axes from input 1, keep_dims from the options. */
static int map_reduce(struct tfl_ctx *c, const struct tfl_op *op, const char *type)
{
    struct op *g_op = NULL;
    int rc = add_unary(c, type, in_name(c, op, 0), out_name(c, op, 0), &g_op);
    if (!rc)
        rc = attr_from_input(c, op, 1, g_op, "axes");
    if (!rc)
        rc = op_add_attr_int(c->g, g_op, "keepdims", op->opt.keep_dims);
    return rc;
}

/* ARG_MAX: axis from input 1, the axis dropped. */
static int map_arg_max(struct tfl_ctx *c, const struct tfl_op *op, const char *type)
{
    int64_t axis;
    size_t n;
    struct op *g_op = NULL;
    int rc = const_ints(c, op, 1, &axis, 1, &n);
    if (!rc && n != 1)
        rc = op_fail(c, TPUSIM_ERR_SHAPE, "its axis must be one value");
    if (!rc)
        rc = add_unary(c, type, in_name(c, op, 0), out_name(c, op, 0), &g_op);
    if (!rc)
        rc = op_add_attr_int(c->g, g_op, "axis", axis);
    if (!rc)
        rc = op_add_attr_int(c->g, g_op, "keepdims", 0);
    return rc;
}

/* QUANTIZE / DEQUANTIZE: QuantizeLinear / DequantizeLinear with the
 * quantized side's scale and zero point as constants (a float16 weight
 * dequantizes with scale 1). */
static int map_quantize(struct tfl_ctx *c, const struct tfl_op *op, const char *type)
{
    bool quantize = op->builtin == TFL_QUANTIZE;
    const struct tfl_tensor *q = quantize ? tensor_at(c, op->outputs[0]) : in_tensor(c, op, 0);
    if (!q)
        return op_fail(c, TPUSIM_ERR_SHAPE, "needs an input");
    const char *out = out_name(c, op, 0);
    char *scale = graph_strprintf("%s:scale", out), *zp = graph_strprintf("%s:zero_point", out);
    tpusim_dtype qt = tfl_dtype(q->type);
    bool with_zp = qt == TPUSIM_DT_INT8 || qt == TPUSIM_DT_UINT8 || qt == TPUSIM_DT_INT16;
    const char *ins[3] = {in_name(c, op, 0), scale, zp};
    int rc = scale && zp ? scalar_const(c, scale, TPUSIM_DT_FLOAT32, q->quantized ? q->scale : 1)
                         : nomem(c);
    if (!rc && with_zp)
        rc = scalar_const(c, zp, qt, (double)q->zero_point);
    if (!rc)
        rc = add_op(c, type, out, ins, with_zp ? 3 : 2, &out, 1, NULL);
    free(scale);
    free(zp);
    return rc;
}

/* RESIZE_BILINEAR / RESIZE_NEAREST_NEIGHBOR: the new height and width
 * (input 1) on NHWC's axes 1 and 2. */
static int map_resize(struct tfl_ctx *c, const struct tfl_op *op, const char *type)
{
    int64_t hw[2], axes[2] = {1, 2}, two = 2;
    size_t n;
    int rc = const_ints(c, op, 1, hw, 2, &n);
    if (!rc && n != 2)
        rc = op_fail(c, TPUSIM_ERR_SHAPE, "its size must be [height, width]");
    char *sizes = graph_strprintf("%s:sizes", out_name(c, op, 0));
    const char *ins[4] = {in_name(c, op, 0), "", "", sizes}, *out = out_name(c, op, 0);
    struct op *g_op = NULL;
    if (!rc)
        rc = sizes ? tpusim_graph_add_int_constant(c->g, sizes, 1, &two, hw) : nomem(c);
    if (!rc)
        rc = add_op(c, type, out, ins, 4, &out, 1, &g_op);
    if (!rc)
        rc = op_add_attr_ints(c->g, g_op, "axes", axes, 2);
    if (!rc)
        rc = op_add_attr_string(c->g, g_op, "mode",
                                op->builtin == TFL_RESIZE_BILINEAR ? "linear" : "nearest");
    free(sizes);
    return rc;
}

/* ConvTranspose NHWC from x, OHWI weights and an optional bias, to the
 * output size the file gives. */
static int add_transpose_conv(struct tfl_ctx *c, const struct tfl_op *op, int x, int w, int b,
                              const int64_t *out_hw, const struct tfl_options *o)
{
    int act = o->activation;
    char *pre = main_output(c, op, act);
    const char *ins[3] = {in_name(c, op, x), in_name(c, op, w), b >= 0 ? in_name(c, op, b) : ""};
    struct op *g_op = NULL;
    int rc = pre ? add_op(c, "ConvTranspose", pre, ins, ins[2][0] ? 3 : 2,
                          (const char *const *)&pre, 1, &g_op)
                 : nomem(c);
    if (!rc)
        rc = window_attrs(c, g_op, o);
    if (!rc)
        rc = op_add_attr_ints(c->g, g_op, "output_shape", out_hw, 2);
    if (!rc)
        rc = add_activation(c, op, act, pre);
    free(pre);
    return rc;
}

/* TRANSPOSE_CONV: inputs output_shape (constant [N, H, W, C]), weights,
 * input, optional bias. */
static int map_transpose_conv(struct tfl_ctx *c, const struct tfl_op *op, const char *type)
{
    (void)type;
    int64_t shape[4];
    size_t n;
    int rc = const_ints(c, op, 0, shape, 4, &n);
    if (!rc && n != 4)
        rc = op_fail(c, TPUSIM_ERR_SHAPE, "its output_shape must be [N, H, W, C]");
    return rc ? rc : add_transpose_conv(c, op, 2, 1, 3, shape + 1, &op->opt);
}

/* MediaPipe's Convolution2DTransposeBias: input, weights, bias; its
 * options are TfLiteTransposeConvParams {padding (1 SAME, 2 VALID),
 * stride_width, stride_height} as three int32s. */
static int map_transpose_conv_bias(struct tfl_ctx *c, const struct tfl_op *op)
{
    const struct tfl_tensor *y = tensor_at(c, op->outputs[0]);
    int32_t p[3];
    if (op->custom_options_bytes < sizeof p || !y || y->rank != 4)
        return op_fail(c, TPUSIM_ERR_PARSE, "needs 12 bytes of options (padding, strides) and "
                       "an NHWC output");
    memcpy(p, op->custom_options, sizeof p);
    struct tfl_options o = {.padding = p[0] == 2, .stride_w = p[1], .stride_h = p[2]};
    int64_t hw[2] = {y->dims[1], y->dims[2]};
    return add_transpose_conv(c, op, 0, 1, 2, hw, &o);
}


/* Slice with starts/ends/axes/steps, then a Squeeze of the axes in
 * `shrink` (a bit per axis) when there are any. */
static int add_slice(struct tfl_ctx *c, const struct tfl_op *op, const int64_t *st,
                     const int64_t *en, const int64_t *steps, size_t n, int shrink)
{
    const char *out = out_name(c, op, 0);
    char *names[4] = {NULL}, *sliced = graph_strprintf("%s%s", out, shrink ? ":slice" : "");
    int64_t axes[TFL_MAX_RANK], drop[TFL_MAX_RANK];
    size_t n_drop = 0;
    for (size_t i = 0; i < n; i++) {
        axes[i] = (int64_t)i;
        if (shrink & (1 << i))
            drop[n_drop++] = (int64_t)i;
    }
    int rc = sliced ? ints_const(c, out, ":starts", st, n, &names[0]) : nomem(c);
    if (!rc)
        rc = ints_const(c, out, ":ends", en, n, &names[1]);
    if (!rc)
        rc = ints_const(c, out, ":axes", axes, n, &names[2]);
    if (!rc)
        rc = ints_const(c, out, ":steps", steps, n, &names[3]);
    const char *ins[5] = {in_name(c, op, 0), names[0], names[1], names[2], names[3]};
    if (!rc)
        rc = add_op(c, "Slice", sliced, ins, 5, (const char *const *)&sliced, 1, NULL);
    struct op *sq = NULL;
    if (!rc && shrink)
        rc = add_unary(c, "Squeeze", sliced, out, &sq);
    if (!rc && shrink)
        rc = op_add_attr_ints(c->g, sq, "axes", drop, n_drop);
    for (int i = 0; i < 4; i++)
        free(names[i]);
    free(sliced);
    return rc;
}

/* STRIDED_SLICE: begin, end and strides (constants) with their masks. */
static int map_strided_slice(struct tfl_ctx *c, const struct tfl_op *op, const char *type)
{
    (void)type;
    int64_t b[TFL_MAX_RANK], e[TFL_MAX_RANK], s[TFL_MAX_RANK];
    size_t nb, ne, ns;
    const struct tfl_options *o = &op->opt;
    if (o->ellipsis_mask || o->new_axis_mask)
        return op_fail(c, TPUSIM_ERR_UNSUPPORTED, "ellipsis_mask and new_axis_mask are not "
                       "supported");
    int rc = const_ints(c, op, 1, b, TFL_MAX_RANK, &nb);
    if (!rc)
        rc = const_ints(c, op, 2, e, TFL_MAX_RANK, &ne);
    if (!rc)
        rc = const_ints(c, op, 3, s, TFL_MAX_RANK, &ns);
    if (!rc && (ne != nb || ns != nb))
        rc = op_fail(c, TPUSIM_ERR_SHAPE, "begin, end and strides differ in length");
    for (size_t i = 0; i < nb && !rc; i++) {
        if (s[i] == 0)
            return op_fail(c, TPUSIM_ERR_SHAPE, "stride %zu is 0", i);
        if (o->begin_mask & (1 << i))
            b[i] = s[i] > 0 ? 0 : INT64_MAX;
        if (o->end_mask & (1 << i))
            e[i] = s[i] > 0 ? INT64_MAX : INT64_MIN;
        if (o->shrink_axis_mask & (1 << i)) {
            e[i] = b[i] == -1 ? INT64_MAX : b[i] + 1;
            s[i] = 1;
        }
    }
    return rc ? rc : add_slice(c, op, b, e, s, nb, o->shrink_axis_mask);
}

/* SLICE: begin and size (-1: to the end). */
static int map_slice(struct tfl_ctx *c, const struct tfl_op *op, const char *type)
{
    (void)type;
    int64_t b[TFL_MAX_RANK], size[TFL_MAX_RANK], e[TFL_MAX_RANK], steps[TFL_MAX_RANK];
    size_t nb, ns;
    int rc = const_ints(c, op, 1, b, TFL_MAX_RANK, &nb);
    if (!rc)
        rc = const_ints(c, op, 2, size, TFL_MAX_RANK, &ns);
    if (!rc && ns != nb)
        rc = op_fail(c, TPUSIM_ERR_SHAPE, "begin and size differ in length");
    for (size_t i = 0; i < nb && !rc; i++) {
        e[i] = size[i] < 0 ? INT64_MAX : b[i] + size[i];
        steps[i] = 1;
    }
    return rc ? rc : add_slice(c, op, b, e, steps, nb, 0);
}

/* GATHER (batch_dims 0), GATHER_ND. */
static int map_gather(struct tfl_ctx *c, const struct tfl_op *op, const char *type)
{
    if (op->opt.batch_dims)
        return op_fail(c, TPUSIM_ERR_UNSUPPORTED, "batch_dims %d is not supported",
                       op->opt.batch_dims);
    const char *ins[2] = {in_name(c, op, 0), in_name(c, op, 1)}, *out = out_name(c, op, 0);
    struct op *g_op = NULL;
    int rc = add_op(c, type, out, ins, 2, &out, 1, &g_op);
    if (!rc && op->builtin == TFL_GATHER)
        rc = op_add_attr_int(c->g, g_op, "axis", op->opt.axis);
    return rc;
}

/* PACK: each input gains the axis, then one Concat along it. */
static int map_pack(struct tfl_ctx *c, const struct tfl_op *op, const char *type)
{
    (void)type;
    int n = op->n_inputs, rc = TPUSIM_OK;
    int64_t axis = op->opt.axis;
    char **parts = calloc((size_t)(n ? n : 1), sizeof *parts);
    if (!parts)
        return nomem(c);
    for (int k = 0; k < n && !rc; k++) {
        char suffix[32];
        struct op *uq = NULL;
        snprintf(suffix, sizeof suffix, ":packed%d", k);
        parts[k] = graph_strprintf("%s%s", out_name(c, op, 0), suffix);
        rc = parts[k] ? add_unary(c, "Unsqueeze", in_name(c, op, k), parts[k], &uq) : nomem(c);
        if (!rc)
            rc = op_add_attr_ints(c->g, uq, "axes", &axis, 1);
    }
    const char *out = out_name(c, op, 0);
    struct op *cat = NULL;
    if (!rc)
        rc = add_op(c, "Concat", out, (const char *const *)parts, n, &out, 1, &cat);
    if (!rc)
        rc = op_add_attr_int(c->g, cat, "axis", axis);
    for (int k = 0; k < n; k++)
        free(parts[k]);
    free(parts);
    return rc;
}

/* UNPACK: a Split along the axis, each part squeezed. */
static int map_unpack(struct tfl_ctx *c, const struct tfl_op *op, const char *type)
{
    (void)type;
    int n = op->n_outputs, rc = TPUSIM_OK;
    int64_t axis = op->opt.axis;
    char **parts = calloc((size_t)(n ? n : 1), sizeof *parts);
    if (!parts)
        return nomem(c);
    for (int k = 0; k < n && !rc; k++)
        if (!(parts[k] = graph_strprintf("%s:unsqueezed", out_name(c, op, k))))
            rc = nomem(c);
    const char *in = in_name(c, op, 0);
    struct op *split = NULL;
    if (!rc)
        rc = add_op(c, "Split", out_name(c, op, 0), &in, 1, (const char *const *)parts, n, &split);
    if (!rc)
        rc = op_add_attr_int(c->g, split, "axis", axis);
    for (int k = 0; k < n && !rc; k++) {
        struct op *sq = NULL;
        rc = add_unary(c, "Squeeze", parts[k], out_name(c, op, k), &sq);
        if (!rc)
            rc = op_add_attr_ints(c->g, sq, "axes", &axis, 1);
    }
    for (int k = 0; k < n; k++)
        free(parts[k]);
    free(parts);
    return rc;
}

/* SPLIT (axis, input) and SPLIT_V (input, sizes, axis). */
static int map_split(struct tfl_ctx *c, const struct tfl_op *op, const char *type)
{
    bool v = op->builtin == TFL_SPLIT_V;
    int64_t axis, sizes[64];
    size_t n = 0, ns = 0;
    int rc = const_ints(c, op, v ? 2 : 0, &axis, 1, &n);
    if (!rc && v)
        rc = const_ints(c, op, 1, sizes, 64, &ns);
    if (!rc && n != 1)
        rc = op_fail(c, TPUSIM_ERR_SHAPE, "its axis must be one value");
    const struct tfl_tensor *x = in_tensor(c, op, v ? 0 : 1);
    if (!rc && v && x && x->rank) {
        /* One size may be -1: the rest of the axis. */
        int64_t a = axis < 0 ? axis + x->rank : axis, rest = a >= 0 && a < x->rank ? x->dims[a] : 0;
        for (size_t k = 0; k < ns; k++)
            rest -= sizes[k] >= 0 ? sizes[k] : 0;
        for (size_t k = 0; k < ns; k++)
            sizes[k] = sizes[k] < 0 ? rest : sizes[k];
    }
    const char *in = in_name(c, op, v ? 0 : 1), **names = io_names(c, op);
    const char **outs = names ? names + op->n_inputs : NULL;
    struct op *g_op = NULL;
    if (!rc && !names)
        rc = nomem(c);
    if (!rc)
        rc = add_op(c, type, outs[0], &in, 1, outs, op->n_outputs, &g_op);
    if (!rc)
        rc = op_add_attr_int(c->g, g_op, "axis", axis);
    if (!rc && v)
        rc = op_add_attr_ints(c->g, g_op, "split", sizes, ns);
    free(names);
    return rc;
}

/* SQUEEZE (squeeze_dims), EXPAND_DIMS (axis input), TRANSPOSE (perm input). */
static int map_axes(struct tfl_ctx *c, const struct tfl_op *op, const char *type)
{
    struct op *g_op = NULL;
    int rc = add_unary(c, type, in_name(c, op, 0), out_name(c, op, 0), &g_op);
    if (rc)
        return rc;
    if (op->builtin == TFL_SQUEEZE) {
        int64_t axes[TFL_MAX_LIST];
        for (int i = 0; i < op->opt.n_list; i++)
            axes[i] = op->opt.list[i];
        return op->opt.n_list ? op_add_attr_ints(c->g, g_op, "axes", axes, (size_t)op->opt.n_list)
                              : TPUSIM_OK;
    }
    return attr_from_input(c, op, 1, g_op, op->builtin == TFL_TRANSPOSE ? "perm" : "axes");
}

/* TILE: the multiples as an int64 constant. */
static int map_tile(struct tfl_ctx *c, const struct tfl_op *op, const char *type)
{
    int64_t v[TFL_MAX_RANK];
    size_t n;
    int rc = const_ints(c, op, 1, v, TFL_MAX_RANK, &n);
    return rc ? rc : add_with_ints(c, op, type, ":repeats", v, n);
}

/* BATCH_MATMUL: MatMul, an operand transposed first where adj_x / adj_y. */
static int map_batch_matmul(struct tfl_ctx *c, const struct tfl_op *op, const char *type)
{
    const char *ins[2] = {in_name(c, op, 0), in_name(c, op, 1)}, *out = out_name(c, op, 0);
    char *adj[2] = {NULL, NULL};
    int flags[2] = {op->opt.adj_x, op->opt.adj_y}, rc = TPUSIM_OK;
    for (int k = 0; k < 2 && !rc; k++) {
        const struct tfl_tensor *t = in_tensor(c, op, k);
        if (!flags[k] || !t)
            continue;
        int64_t perm[TFL_MAX_RANK];
        for (int i = 0; i < t->rank; i++)
            perm[i] = i;
        if (t->rank >= 2) {
            perm[t->rank - 2] = t->rank - 1;
            perm[t->rank - 1] = t->rank - 2;
        }
        struct op *tr = NULL;
        adj[k] = graph_strprintf("%s%s", out, k ? ":adj_y" : ":adj_x");
        rc = adj[k] ? add_unary(c, "Transpose", ins[k], adj[k], &tr) : nomem(c);
        if (!rc)
            rc = op_add_attr_ints(c->g, tr, "perm", perm, (size_t)t->rank);
        ins[k] = adj[k];
    }
    if (!rc)
        rc = add_op(c, type, out, ins, 2, &out, 1, NULL);
    free(adj[0]);
    free(adj[1]);
    return rc;
}

/* LOCAL_RESPONSE_NORMALIZATION: LRN over 2 * radius + 1 channels. */
static int map_lrn(struct tfl_ctx *c, const struct tfl_op *op, const char *type)
{
    struct op *g_op = NULL;
    int rc = add_unary(c, type, in_name(c, op, 0), out_name(c, op, 0), &g_op);
    if (!rc)
        rc = op_add_attr_int(c->g, g_op, "size", 2 * (int64_t)op->opt.radius + 1);
    return rc;
}

/* UNIDIRECTIONAL_SEQUENCE_LSTM: an LSTM with the four gates' input and
 * recurrent weights as ONNX's W [1, 4H, I] and R [1, 4H, H] (the same
 * elements), then a Squeeze of the direction axis. The gate biases (4 x H)
 * fold into the matmuls' accumulation (tpusim.h's LSTM count) and are not
 * counted as parameters; projection and CIFG (no input gate) are not
 * supported. */
static int map_lstm(struct tfl_ctx *c, const struct tfl_op *op, const char *type)
{
    const struct tfl_tensor *x = in_tensor(c, op, 0), *wf = in_tensor(c, op, 2),
                            *rf = in_tensor(c, op, 6);
    if (!in_tensor(c, op, 1))
        return op_fail(c, TPUSIM_ERR_UNSUPPORTED, "CIFG (no input gate) is not supported");
    if (in_tensor(c, op, 16))
        return op_fail(c, TPUSIM_ERR_UNSUPPORTED, "a projection layer is not supported");
    if (!x || !wf || !rf || x->rank != 3 || wf->rank != 2 || rf->rank != 2)
        return op_fail(c, TPUSIM_ERR_SHAPE, "needs a 3-D input and 2-D gate weights");
    int64_t h = wf->dims[0], wd[3] = {1, 4 * h, wf->dims[1]}, rd[3] = {1, 4 * h, rf->dims[1]};
    const char *out = out_name(c, op, 0);
    char *w = graph_strprintf("%s:W", out), *r = graph_strprintf("%s:R", out),
         *y = graph_strprintf("%s:lstm", out);
    int rc = w && r && y ? graph_define_tensor(c->g, w, tfl_dtype(wf->type), 3, wd, NULL)
                         : nomem(c);
    if (!rc)
        rc = graph_define_tensor(c->g, r, tfl_dtype(rf->type), 3, rd, NULL);
    const char *ins[3] = {in_name(c, op, 0), w, r};
    struct op *lstm = NULL, *sq = NULL;
    int64_t dir_axis = op->opt.time_major ? 1 : 2;
    if (!rc)
        rc = add_op(c, type, y, ins, 3, (const char *const *)&y, 1, &lstm);
    if (!rc)
        rc = op_add_attr_int(c->g, lstm, "hidden_size", h);
    if (!rc)
        rc = op_add_attr_int(c->g, lstm, "layout", op->opt.time_major ? 0 : 1);
    if (!rc)
        rc = add_unary(c, "Squeeze", y, out, &sq);
    if (!rc)
        rc = op_add_attr_ints(c->g, sq, "axes", &dir_axis, 1);
    free(w);
    free(r);
    free(y);
    return rc;
}

/* An op tpusim cannot see into: its outputs as the file declares them. */
static int add_custom(struct tfl_ctx *c, const struct tfl_op *op, bool on_host)
{
    const char **names = io_names(c, op);
    int n_in = op->n_inputs, n_out = op->n_outputs;
    struct op *g_op = NULL;
    if (!names)
        return nomem(c);
    if (n_out < 1) {
        free(names);
        return op_fail(c, TPUSIM_ERR_PARSE, "has no output");
    }
    int rc = add_op(c, "Custom", names[n_in], names, n_in, names + n_in, n_out, &g_op);
    free(names);
    if (!rc)
        rc = op_add_attr_string(c->g, g_op, "custom_code", c->op_type);
    for (int k = 0; k < n_out && !rc; k++) {
        const struct tfl_tensor *t = tensor_at(c, op->outputs[k]);
        int64_t dims[TFL_MAX_RANK];
        char key[32];
        for (int i = 0; i < t->rank; i++)
            dims[i] = t->dims[i];
        snprintf(key, sizeof key, "output_dims_%d", k);
        rc = op_add_attr_ints(c->g, g_op, key, dims, (size_t)t->rank);
        snprintf(key, sizeof key, "output_dtype_%d", k);
        if (!rc)
            rc = op_add_attr_int(c->g, g_op, key, tfl_dtype(t->type));
    }
    if (!rc)
        g_op->host_pinned = on_host;
    return rc;
}

/* The custom ops of the real models: the Edge TPU compiler's, Coral's
 * pose decoder and MediaPipe's transposed convolution. */
static int map_custom(struct tfl_ctx *c, const struct tfl_op *op)
{
    if (strcmp(op->custom_code, "edgetpu-custom-op") == 0) {
        c->edgetpu_ops++;
        c->edgetpu_bytes += op->custom_options_bytes;
        return add_custom(c, op, false);
    }
    if (strcmp(op->custom_code, "PosenetDecoderOp") == 0) {
        int rc = add_custom(c, op, true);
        return rc ? rc : graph_note(c->g, "op %d (PosenetDecoderOp): Coral's pose decoder, a "
                                    "custom op on the CPU whose work tpusim does not model: it "
                                    "costs only its bytes at the host's bandwidth", c->op);
    }
    if (strcmp(op->custom_code, "Convolution2DTransposeBias") == 0)
        return map_transpose_conv_bias(c, op);
    return op_fail(c, TPUSIM_ERR_UNSUPPORTED, "custom op '%s' is not supported (tpusim knows "
                   "edgetpu-custom-op, PosenetDecoderOp and Convolution2DTransposeBias)",
                   op->custom_code);
}

/* Every builtin tpusim maps: TFLite code, graph op type, mapping. */
static const struct builtin_map {
    int code;
    const char *type;
    map_fn map;
} BUILTINS[] = {
    {TFL_ADD, "Add", map_direct},
    {TFL_SUB, "Sub", map_direct},
    {TFL_MUL, "Mul", map_direct},
    {TFL_DIV, "Div", map_direct},
    {TFL_POW, "Pow", map_direct},
    {TFL_MAXIMUM, "Max", map_direct},
    {TFL_MINIMUM, "Min", map_direct},
    {TFL_LESS, "Less", map_direct},
    {TFL_GREATER, "Greater", map_direct},
    {TFL_EQUAL, "Equal", map_direct},
    {TFL_LOGICAL_AND, "And", map_direct},
    {TFL_LOGICAL_OR, "Or", map_direct},
    {TFL_LOGICAL_NOT, "Not", map_direct},
    {TFL_SELECT, "Where", map_direct},
    {TFL_SELECT_V2, "Where", map_direct},
    {TFL_PRELU, "PRelu", map_direct},
    {TFL_CONCATENATION, "Concat", map_direct},
    {TFL_SOFTMAX, "Softmax", map_direct},
    {TFL_LOG_SOFTMAX, "LogSoftmax", map_direct},
    {TFL_LOGISTIC, "Sigmoid", map_direct},
    {TFL_TANH, "Tanh", map_direct},
    {TFL_RELU, "Relu", map_direct},
    {TFL_RELU6, "Clip", map_direct},
    {TFL_RELU_N1_TO_1, "Clip", map_direct},
    {TFL_LEAKY_RELU, "LeakyRelu", map_direct},
    {TFL_HARD_SWISH, "HardSwish", map_direct},
    {TFL_EXP, "Exp", map_direct},
    {TFL_LOG, "Log", map_direct},
    {TFL_SQRT, "Sqrt", map_direct},
    {TFL_RSQRT, "Sqrt", map_direct}, /* the vector unit's rsqrt path either way */
    {TFL_ABS, "Abs", map_direct},
    {TFL_NEG, "Neg", map_direct},
    {TFL_FLOOR, "Floor", map_direct},
    {TFL_CEIL, "Ceil", map_direct},
    {TFL_CAST, "Cast", map_direct},
    {TFL_SQUARE, "Mul", map_square},
    {TFL_FLOOR_DIV, "Div", map_two_step},
    {TFL_SQUARED_DIFFERENCE, "Sub", map_two_step},
    {TFL_CONV_2D, "Conv", map_conv},
    {TFL_DEPTHWISE_CONV_2D, "Conv", map_conv},
    {TFL_FULLY_CONNECTED, "Gemm", map_fully_connected},
    {TFL_TRANSPOSE_CONV, "ConvTranspose", map_transpose_conv},
    {TFL_BATCH_MATMUL, "MatMul", map_batch_matmul},
    {TFL_UNIDIRECTIONAL_SEQUENCE_LSTM, "LSTM", map_lstm},
    {TFL_AVERAGE_POOL_2D, "AveragePool", map_pool},
    {TFL_MAX_POOL_2D, "MaxPool", map_pool},
    {TFL_LOCAL_RESPONSE_NORMALIZATION, "LRN", map_lrn},
    {TFL_MEAN, "ReduceMean", map_reduce},
    {TFL_SUM, "ReduceSum", map_reduce},
    {TFL_REDUCE_MAX, "ReduceMax", map_reduce},
    {TFL_REDUCE_MIN, "ReduceMin", map_reduce},
    {TFL_REDUCE_PROD, "ReduceProd", map_reduce},
    {TFL_ARG_MAX, "ArgMax", map_arg_max},
    {TFL_QUANTIZE, "QuantizeLinear", map_quantize},
    {TFL_DEQUANTIZE, "DequantizeLinear", map_quantize},
    {TFL_RESHAPE, "Reshape", map_reshape},
    {TFL_SQUEEZE, "Squeeze", map_axes},
    {TFL_EXPAND_DIMS, "Unsqueeze", map_axes},
    {TFL_TRANSPOSE, "Transpose", map_axes},
    {TFL_PAD, "Pad", map_pad},
    {TFL_PADV2, "Pad", map_pad},
    {TFL_MIRROR_PAD, "Pad", map_pad},
    {TFL_RESIZE_BILINEAR, "Resize", map_resize},
    {TFL_RESIZE_NEAREST_NEIGHBOR, "Resize", map_resize},
    {TFL_STRIDED_SLICE, "Slice", map_strided_slice},
    {TFL_SLICE, "Slice", map_slice},
    {TFL_GATHER, "Gather", map_gather},
    {TFL_GATHER_ND, "GatherND", map_gather},
    {TFL_PACK, "Concat", map_pack},
    {TFL_UNPACK, "Split", map_unpack},
    {TFL_SPLIT, "Split", map_split},
    {TFL_SPLIT_V, "Split", map_split},
    {TFL_TILE, "Tile", map_tile},
};

/* The supported builtins' names into buf, for the error that lists them. */
static const char *supported_list(char *buf, size_t len)
{
    size_t off = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < sizeof BUILTINS / sizeof BUILTINS[0] && off < len; i++)
        off += (size_t)snprintf(buf + off, len - off, "%s%s", i ? " " : "",
                                tfl_builtin_name(BUILTINS[i].code));
    return buf;
}

static int map_op(struct tfl_ctx *c, const struct tfl_op *op)
{
    char list[1536];
    if (op->builtin == TFL_CUSTOM)
        return map_custom(c, op);
    for (size_t i = 0; i < sizeof BUILTINS / sizeof BUILTINS[0]; i++)
        if (BUILTINS[i].code == op->builtin) {
            if (op->n_outputs < 1)
                return op_fail(c, TPUSIM_ERR_PARSE, "has no output");
            return BUILTINS[i].map(c, op, BUILTINS[i].type);
        }
    return op_fail(c, TPUSIM_ERR_UNSUPPORTED, "builtin operator %d is not supported; supported: "
                   "%s, and the custom ops edgetpu-custom-op, PosenetDecoderOp, "
                   "Convolution2DTransposeBias", op->builtin, supported_list(list, sizeof list));
}

/* ------------------------------------------------------------- model */

/* Every graph tensor named after a TFLite tensor must have the shape the
 * file declares (unless --batch or --dim changed the inputs). */
static int check_shapes(struct tfl_ctx *c)
{
    if (c->g->batch > 0 || c->g->n_bindings > 0)
        return TPUSIM_OK;
    for (int i = 0; i < c->m->n_tensors; i++) {
        const struct tfl_tensor *t = &c->m->tensors[i];
        const struct tensor *gt = graph_find_tensor(c->g, c->names[i]);
        if (!gt || gt->rank < 0 || gt->producer < 0)
            continue;
        bool same = gt->rank == t->rank;
        for (int d = 0; same && d < t->rank; d++)
            same = gt->dims[d] == t->dims[d];
        if (same)
            continue;
        char want[128], got[128];
        int64_t dims[TFL_MAX_RANK];
        for (int d = 0; d < t->rank; d++)
            dims[d] = t->dims[d];
        const struct op *p = c->g->ops[gt->producer];
        return graph_error(c->g, TPUSIM_ERR_SHAPE,
                           "tensor %d '%s' (output of op %d): the file declares %s, tpusim "
                           "infers %s", i, t->name, p->source_node,
                           dims_str(dims, (size_t)t->rank, want, sizeof want),
                           shape_str(gt, got, sizeof got));
    }
    return TPUSIM_OK;
}

static int mark_outputs(struct tfl_ctx *c)
{
    for (int k = 0; k < c->m->n_outputs; k++) {
        struct tensor *t = graph_find_tensor(c->g, c->names[c->m->outputs[k]]);
        if (!t || !t->defined)
            return graph_error(c->g, TPUSIM_ERR_GRAPH, "model output '%s' is made by no op",
                               c->names[c->m->outputs[k]]);
        t->is_output = true;
    }
    return TPUSIM_OK;
}

/* An Edge TPU-compiled model: what is and is not simulated, said once.
 * The ops left outside the custom op are the CPU's (host_pinned). */
static int note_edgetpu(struct tfl_ctx *c)
{
    int host = 0;
    for (int i = 0; i < c->g->n_ops; i++) {
        struct op *op = c->g->ops[i];
        bool custom = op->type == OP_CUSTOM &&
                      strcmp(attr_string(op, "custom_code", ""), "edgetpu-custom-op") == 0;
        if (!custom) {
            op->host_pinned = true;
            host++;
        }
    }
    return graph_note(c->g, "an Edge TPU-compiled model: its %d edgetpu-custom-op%s hold%s the "
                      "part the Edge TPU compiler mapped to the Edge TPU, compiled (%zu bytes of "
                      "program and parameters tpusim cannot read), and cost%s nothing here; the "
                      "%d graph op%s the model runs on the CPU %s simulated on the host. Give "
                      "the model before compilation (--twin FILE) to compare the compiler's "
                      "mapping with tpusim's",
                      c->edgetpu_ops, c->edgetpu_ops == 1 ? "" : "s",
                      c->edgetpu_ops == 1 ? "s" : "", c->edgetpu_bytes,
                      c->edgetpu_ops == 1 ? "s" : "", host, host == 1 ? "" : "s",
                      host == 1 ? "is" : "are");
}

static int import_model(struct tfl_ctx *c)
{
    if (c->m->n_subgraphs > 1)
        return graph_error(c->g, TPUSIM_ERR_UNSUPPORTED,
                           "the model has %d subgraphs (control flow: IF, WHILE, CALL_ONCE); "
                           "tpusim reads single-subgraph models", c->m->n_subgraphs);
    if (c->m->n_ops == 0)
        return graph_error(c->g, TPUSIM_ERR_PARSE, "the model has no ops");
    int rc = name_tensors(c);
    if (!rc)
        rc = define_tensors(c);
    for (int i = 0; i < c->m->n_ops && !rc; i++) {
        const struct tfl_op *op = &c->m->ops[i];
        const char *name = op->builtin == TFL_CUSTOM ? op->custom_code
                                                     : tfl_builtin_name(op->builtin);
        char unknown[32];
        snprintf(unknown, sizeof unknown, "builtin %d", op->builtin);
        c->op = i;
        c->op_type = name ? name : unknown;
        rc = map_op(c, op);
    }
    if (!rc)
        rc = mark_outputs(c);
    if (!rc && c->edgetpu_ops)
        rc = note_edgetpu(c);
    if (!rc)
        rc = graph_finalize(c->g);
    return rc ? rc : check_shapes(c);
}

static int tflite_import(struct tpusim_graph *g, const uint8_t *data, size_t size)
{
    char err[512];
    struct tfl_model m;
    int rc = tfl_read(data, size, &m, err, sizeof err);
    if (rc)
        return graph_error(g, rc == -2 ? TPUSIM_ERR_NOMEM : TPUSIM_ERR_PARSE, "%s", err);
    struct tfl_ctx c = {.g = g, .m = &m, .op = -1, .op_type = ""};
    rc = import_model(&c);
    for (int i = 0; c.names && i < m.n_tensors; i++)
        free(c.names[i]);
    free(c.names);
    tfl_free(&m);
    return rc;
}

int tpusim_graph_load_tflite_buffer(tpusim_graph *g, const void *data, size_t size_bytes,
                                    const char *name)
{
    return model_load_buffer(g, data, size_bytes, name, tflite_import);
}

int tpusim_graph_load_tflite_file(tpusim_graph *g, const char *path)
{
    return model_load_file(g, path, tflite_import);
}
