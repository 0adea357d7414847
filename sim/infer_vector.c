/*
 * infer_vector.c — shape inference, value folding and cost counts for the
 * vector-unit ops: elementwise arithmetic and comparisons, activations,
 * Cast/Identity/Dropout, normalisation, reductions and softmax.
 *
 * Cost convention (op->cost.flops; these ops do no MACs, and finalize fills
 * in bytes and params):
 *   - elementwise ops (binary, compare, Where, Not, Clip, activations):
 *     1 FLOP per output element, whatever the function; the op class
 *     (ELEMENTWISE / TRANSCENDENTAL) tells the timing model which path runs it;
 *   - Max/Min/Sum/Mean of n inputs: n - 1 per output element, at least 1;
 *   - Cast, Identity, Dropout: 0 (a copy or a view; Dropout at inference is
 *     the identity);
 *   - BatchNormalization: 2 per element (scale and shift: at inference the
 *     running statistics fold into them);
 *   - LayerNormalization, InstanceNormalization: 5 per element (mean,
 *     subtract, variance, rsqrt-scale, affine);
 *   - Reduce* and ArgMax: 1 per input element (0 for noop_with_empty_axes);
 *   - Softmax, LogSoftmax: 3 per element (exp, sum, divide).
 * Flops are set whether or not the op is folded: finalize leaves folded ops
 * out of the run list, so they cost nothing at run time.
 *
 * Folding: exporters compute shapes with these ops (Shape -> Cast -> Mul ->
 * Concat -> Reshape), so when every input's values are known and the output
 * has at most GRAPH_MAX_KEPT_VALUES elements, its values are computed here.
 * Integer math stays exact: an overflow, a division by zero or a non-finite
 * float result leaves the values unknown rather than storing a guess.
 */
#include "graph.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Most inputs one folded element reads; variadic ops with more inputs are
 * not shape math and are left unfolded. */
#define FOLD_MAX_ARGS 16

/* ---------------------------------------------------------------- checks */

/* Inputs [0, n_required) must be present, at most max_in inputs and
 * max_out outputs, and every present input must have a known shape. */
static int check_arity(struct tpusim_graph *g, const struct op *op, int n_required, int max_in,
                       int max_out)
{
    if (op->n_in < n_required || op->n_in > max_in) {
        if (n_required == max_in)
            return op_error(g, op, "expects %d input%s, got %d", max_in, max_in == 1 ? "" : "s",
                            op->n_in);
        return op_error(g, op, "expects %d to %d inputs, got %d", n_required, max_in, op->n_in);
    }
    if (op->n_out > max_out)
        return op_error(g, op, "has %d outputs; this op defines at most %d", op->n_out, max_out);
    for (int k = 0; k < op->n_in; k++) {
        struct tensor *t;
        int rc = k < n_required || op_in(g, op, k) ? op_need_in(g, op, k, &t) : TPUSIM_OK;
        if (rc)
            return rc;
    }
    return TPUSIM_OK;
}

/* NumPy broadcast of all of ins; the error names both shapes, which tells
 * more than the axis alone. */
static int broadcast_inputs(struct tpusim_graph *g, const struct op *op,
                            struct tensor *const *ins, int n, int *rank, int64_t *dims)
{
    *rank = 0;
    for (int k = 0; k < n; k++) {
        int64_t next[TPUSIM_MAX_RANK];
        int r;
        if (broadcast_shapes(g, op, *rank, dims, ins[k]->rank, ins[k]->dims, &r, next)) {
            char sa[128], sb[128];
            return op_error(g, op, "input '%s' %s does not broadcast with %s%s", ins[k]->name,
                            shape_str(ins[k], sa, sizeof sa),
                            dims_str(dims, (size_t)*rank, sb, sizeof sb),
                            k == 1 ? " (the first input)" : " (the inputs before it)");
        }
        *rank = r;
        memcpy(dims, next, (size_t)r * sizeof *dims);
    }
    return TPUSIM_OK;
}

/* ------------------------------------------------------ exact int math */

static bool fits_int64(double v)
{
    return v > -9.2e18 && v < 9.2e18; /* false for NaN too */
}

static bool add_i64(int64_t a, int64_t b, int64_t *r)
{
    if ((b > 0 && a > INT64_MAX - b) || (b < 0 && a < INT64_MIN - b))
        return false;
    *r = a + b;
    return true;
}

static bool sub_i64(int64_t a, int64_t b, int64_t *r)
{
    if ((b < 0 && a > INT64_MAX + b) || (b > 0 && a < INT64_MIN + b))
        return false;
    *r = a - b;
    return true;
}

static bool mul_i64(int64_t a, int64_t b, int64_t *r)
{
    if (a == 0 || b == 0) {
        *r = 0;
        return true;
    }
    /* The divisions bound |a| by what b leaves room for, by sign. */
    bool over = a > 0 ? (b > 0 ? a > INT64_MAX / b : b < INT64_MIN / a)
                      : (b > 0 ? a < INT64_MIN / b : a < INT64_MAX / b);
    if (over)
        return false;
    *r = a * b;
    return true;
}

/* Negative exponents have no exact integer result in general: not folded. */
static bool pow_i64(int64_t base, int64_t e, int64_t *r)
{
    if (e < 0)
        return false;
    int64_t acc = 1;
    while (e) {
        if ((e & 1) && !mul_i64(acc, base, &acc))
            return false;
        e >>= 1;
        if (e && !mul_i64(base, base, &base))
            return false;
    }
    *r = acc;
    return true;
}

/* Value i of t as an int64; false when a float value has no int64 form. */
static bool read_int(const struct tensor *t, size_t i, int64_t *v)
{
    if (t->ivals) {
        *v = t->ivals[i];
        return true;
    }
    if (!fits_int64(t->fvals[i]))
        return false;
    *v = (int64_t)t->fvals[i];
    return true;
}

/* ------------------------------------------------- elementwise folding */

struct fold_ctx;
/* One output element from its operands; false: no exact value (not folded). */
typedef bool (*fold_int_fn)(const struct fold_ctx *c, const int64_t *a, int n, int64_t *r);
typedef bool (*fold_float_fn)(const struct fold_ctx *c, const double *a, int n, double *r);

struct fold_fns {
    fold_int_fn ints;
    fold_float_fn floats;
};

struct fold_ctx {
    enum op_type type;
    struct fold_fns fn;
    bool float_math;     /* some operand is float, or the function has no int form */
    double alpha, beta;  /* LeakyRelu, HardSigmoid */
    bool gelu_tanh;      /* Gelu approximate="tanh" */
    double lo_f, hi_f;   /* Clip bounds */
    int64_t lo_i, hi_i;
};

static bool any_float(struct tensor *const *ins, int n)
{
    for (int k = 0; k < n; k++)
        if (dtype_is_float(ins[k]->dtype))
            return true;
    return false;
}

/* Flat index in t of output element `flat`, t broadcast to rank/dims. */
static size_t broadcast_src(const struct tensor *t, int rank, const int64_t *dims, size_t flat)
{
    size_t src = 0, stride = 1;
    for (int ax = rank - 1, ta = t->rank - 1; ta >= 0; ax--, ta--) {
        size_t d = (size_t)dims[ax];
        size_t coord = flat % d;
        flat /= d;
        if (t->dims[ta] != 1)
            src += coord * stride;
        stride *= (size_t)t->dims[ta];
    }
    return src;
}

/* Gathers the operands of output element e and computes it. */
static bool fold_one(const struct fold_ctx *c, struct tensor *const *ins, int n,
                     const struct tensor *out, size_t e, int64_t *iv, double *fv)
{
    int64_t ia[FOLD_MAX_ARGS];
    double fa[FOLD_MAX_ARGS];
    for (int k = 0; k < n; k++) {
        size_t s = broadcast_src(ins[k], out->rank, out->dims, e);
        if (c->float_math)
            fa[k] = tensor_value_f(ins[k], s);
        else if (!read_int(ins[k], s, &ia[k]))
            return false;
    }
    if (!c->float_math)
        return c->fn.ints(c, ia, n, iv);
    /* An int output takes the float result truncated: it must fit. */
    return c->fn.floats(c, fa, n, fv) && isfinite(*fv) &&
           (dtype_is_float(out->dtype) || fits_int64(*fv));
}

/* Output values of a broadcasting elementwise op, when all inputs have
 * known values; otherwise (or when some element has no exact value) the
 * output keeps no values. */
static int fold_elementwise(struct tpusim_graph *g, const struct fold_ctx *c,
                            struct tensor *const *ins, int n, struct tensor *out)
{
    if (n > FOLD_MAX_ARGS || tensor_elems(out) > GRAPH_MAX_KEPT_VALUES)
        return TPUSIM_OK;
    for (int k = 0; k < n; k++)
        if (!tensor_has_values(ins[k]))
            return TPUSIM_OK;
    struct vals v;
    int rc = vals_open(g, &v, out);
    if (rc)
        return rc;
    for (size_t e = 0; e < v.n; e++) {
        int64_t iv;
        double fv;
        if (!fold_one(c, ins, n, out, e, &iv, &fv)) {
            vals_free(&v);
            return TPUSIM_OK;
        }
        if (c->float_math)
            vals_put_num(&v, e, fv);
        else
            vals_put_int(&v, e, iv);
    }
    return vals_close(g, &v);
}

/* Add Sub Mul Div Pow PRelu and the comparisons. */
static bool binary_int(const struct fold_ctx *c, const int64_t *a, int n, int64_t *r)
{
    (void)n;
    int64_t x = a[0], y = a[1];
    switch (c->type) {
    case OP_ADD: return add_i64(x, y, r);
    case OP_SUB: return sub_i64(x, y, r);
    case OP_MUL: return mul_i64(x, y, r);
    case OP_DIV:
        if (y == 0 || (x == INT64_MIN && y == -1))
            return false;
        *r = x / y; /* C truncates toward zero, as ONNX runtimes do */
        return true;
    case OP_POW: return pow_i64(x, y, r);
    case OP_PRELU:
        if (x >= 0) {
            *r = x;
            return true;
        }
        return mul_i64(x, y, r);
    case OP_EQUAL: *r = x == y; return true;
    case OP_LESS: *r = x < y; return true;
    case OP_GREATER: *r = x > y; return true;
    case OP_AND: *r = x && y; return true;
    case OP_OR: *r = x || y; return true;
    default: return false;
    }
}

static bool binary_float(const struct fold_ctx *c, const double *a, int n, double *r)
{
    (void)n;
    double x = a[0], y = a[1];
    switch (c->type) {
    case OP_ADD: *r = x + y; return true;
    case OP_SUB: *r = x - y; return true;
    case OP_MUL: *r = x * y; return true;
    case OP_DIV: *r = x / y; return true;
    case OP_POW: *r = pow(x, y); return true;
    case OP_PRELU: *r = x < 0 ? x * y : x; return true;
    case OP_EQUAL: *r = x == y; return true;
    case OP_LESS: *r = x < y; return true;
    case OP_GREATER: *r = x > y; return true;
    case OP_AND: *r = x != 0 && y != 0; return true;
    case OP_OR: *r = x != 0 || y != 0; return true;
    default: return false;
    }
}

static bool variadic_int(const struct fold_ctx *c, const int64_t *a, int n, int64_t *r)
{
    int64_t acc = a[0];
    for (int k = 1; k < n; k++) {
        if (c->type == OP_MAX)
            acc = a[k] > acc ? a[k] : acc;
        else if (c->type == OP_MIN)
            acc = a[k] < acc ? a[k] : acc;
        else if (!add_i64(acc, a[k], &acc)) /* Sum, Mean */
            return false;
    }
    *r = c->type == OP_MEAN ? acc / n : acc;
    return true;
}

static bool variadic_float(const struct fold_ctx *c, const double *a, int n, double *r)
{
    double acc = a[0];
    for (int k = 1; k < n; k++) {
        if (c->type == OP_MAX)
            acc = fmax(acc, a[k]);
        else if (c->type == OP_MIN)
            acc = fmin(acc, a[k]);
        else
            acc += a[k];
    }
    *r = c->type == OP_MEAN ? acc / n : acc;
    return true;
}

static bool where_int(const struct fold_ctx *c, const int64_t *a, int n, int64_t *r)
{
    (void)c;
    (void)n;
    *r = a[0] ? a[1] : a[2];
    return true;
}

static bool where_float(const struct fold_ctx *c, const double *a, int n, double *r)
{
    (void)c;
    (void)n;
    *r = a[0] != 0 ? a[1] : a[2];
    return true;
}

/* The unary functions that are exact on integers; the rest (Sqrt, Exp...)
 * are computed in floats even for integer tensors. */
static bool unary_int(const struct fold_ctx *c, const int64_t *a, int n, int64_t *r)
{
    (void)n;
    int64_t x = a[0];
    switch (c->type) {
    case OP_NOT: *r = !x; return true;
    case OP_NEG:
    case OP_ABS:
        if (x == INT64_MIN)
            return false;
        *r = c->type == OP_NEG || x < 0 ? -x : x;
        return true;
    case OP_RELU: *r = x < 0 ? 0 : x; return true;
    case OP_CLIP: {
        int64_t v = x < c->lo_i ? c->lo_i : x;
        *r = v > c->hi_i ? c->hi_i : v; /* min > max gives max, as ONNX says */
        return true;
    }
    case OP_FLOOR:
    case OP_CEIL:
    case OP_IDENTITY: *r = x; return true;
    default: return false;
    }
}

/* Asks unary_int itself, so the list of exact integer functions lives in
 * one place. */
static bool unary_has_int_form(enum op_type type)
{
    int64_t probe = 0, r;
    struct fold_ctx c = {.type = type, .lo_i = INT64_MIN, .hi_i = INT64_MAX};
    return unary_int(&c, &probe, 1, &r);
}

static double gelu(bool tanh_form, double x)
{
    const double sqrt_2_over_pi = 0.7978845608028654;
    if (tanh_form)
        return 0.5 * x * (1 + tanh(sqrt_2_over_pi * (x + 0.044715 * x * x * x)));
    return 0.5 * x * (1 + erf(x / sqrt(2.0)));
}

static bool unary_float(const struct fold_ctx *c, const double *a, int n, double *r)
{
    (void)n;
    double x = a[0];
    switch (c->type) {
    case OP_NOT: *r = x == 0; break;
    case OP_SQRT: *r = sqrt(x); break;
    case OP_RECIPROCAL: *r = 1 / x; break;
    case OP_NEG: *r = -x; break;
    case OP_ABS: *r = fabs(x); break;
    case OP_FLOOR: *r = floor(x); break;
    case OP_CEIL: *r = ceil(x); break;
    case OP_RELU: *r = x < 0 ? 0 : x; break;
    case OP_LEAKY_RELU: *r = x < 0 ? c->alpha * x : x; break;
    case OP_CLIP: *r = fmin(fmax(x, c->lo_f), c->hi_f); break;
    case OP_SIGMOID: *r = 1 / (1 + exp(-x)); break;
    case OP_HARD_SIGMOID: *r = fmax(0, fmin(1, c->alpha * x + c->beta)); break;
    case OP_HARD_SWISH: *r = x * fmax(0, fmin(1, x / 6 + 0.5)); break;
    case OP_TANH: *r = tanh(x); break;
    case OP_ERF: *r = erf(x); break;
    case OP_GELU: *r = gelu(c->gelu_tanh, x); break;
    case OP_SOFTPLUS: *r = log1p(exp(x)); break;
    case OP_EXP: *r = exp(x); break;
    case OP_LOG: *r = log(x); break;
    case OP_IDENTITY: *r = x; break;
    default: return false;
    }
    return true;
}

static const struct fold_fns BINARY_FOLD = {binary_int, binary_float};
static const struct fold_fns VARIADIC_FOLD = {variadic_int, variadic_float};
static const struct fold_fns WHERE_FOLD = {where_int, where_float};
static const struct fold_fns UNARY_FOLD = {unary_int, unary_float};

/* ------------------------------------------------ broadcasting ops */

/* Output 0 is the broadcast of ins with `dtype`; flops_per_elem per output
 * element; values folded with fns. */
static int infer_broadcast(struct tpusim_graph *g, struct op *op, struct tensor *const *ins,
                           int n, tpusim_dtype dtype, uint64_t flops_per_elem,
                           const struct fold_fns *fns)
{
    int rank;
    int64_t dims[TPUSIM_MAX_RANK];
    struct tensor *out;
    int rc = broadcast_inputs(g, op, ins, n, &rank, dims);
    if (!rc)
        rc = op_set_out(g, op, 0, dtype, rank, dims, &out);
    if (rc)
        return rc;
    op->cost.flops = flops_per_elem * tensor_elems(out);
    struct fold_ctx c = {.type = op->type, .fn = *fns, .float_math = any_float(ins, n)};
    return fold_elementwise(g, &c, ins, n, out);
}

int infer_binary(struct tpusim_graph *g, struct op *op)
{
    int rc = check_arity(g, op, 2, 2, 1);
    if (rc)
        return rc;
    struct tensor *ins[2] = {op_in(g, op, 0), op_in(g, op, 1)};
    return infer_broadcast(g, op, ins, 2, ins[0]->dtype, 1, &BINARY_FOLD);
}

int infer_compare(struct tpusim_graph *g, struct op *op)
{
    int rc = check_arity(g, op, 2, 2, 1);
    if (rc)
        return rc;
    struct tensor *ins[2] = {op_in(g, op, 0), op_in(g, op, 1)};
    return infer_broadcast(g, op, ins, 2, TPUSIM_DT_BOOL, 1, &BINARY_FOLD);
}

int infer_variadic(struct tpusim_graph *g, struct op *op)
{
    if (op->n_in < 1)
        return op_error(g, op, "expects at least 1 input, got 0");
    int rc = check_arity(g, op, op->n_in, op->n_in, 1);
    if (rc)
        return rc;
    struct tensor **ins = malloc((size_t)op->n_in * sizeof *ins);
    if (!ins)
        return graph_error(g, TPUSIM_ERR_NOMEM, "out of memory");
    for (int k = 0; k < op->n_in; k++)
        ins[k] = op_in(g, op, k);
    /* n inputs combine with n - 1 operations; one input is still a pass. */
    uint64_t per_elem = op->n_in > 1 ? (uint64_t)op->n_in - 1 : 1;
    rc = infer_broadcast(g, op, ins, op->n_in, ins[0]->dtype, per_elem, &VARIADIC_FOLD);
    free(ins);
    return rc;
}

int infer_where(struct tpusim_graph *g, struct op *op)
{
    int rc = check_arity(g, op, 3, 3, 1);
    if (rc)
        return rc;
    struct tensor *ins[3] = {op_in(g, op, 0), op_in(g, op, 1), op_in(g, op, 2)};
    return infer_broadcast(g, op, ins, 3, ins[1]->dtype, 1, &WHERE_FOLD);
}

/* ------------------------------------------------------- unary ops */

/* Clip's bounds: inputs 1 and 2 (opset 11+) or attributes min/max (older
 * opsets). *known is false when a bound input depends on data. */
static int clip_bounds(struct tpusim_graph *g, const struct op *op, struct fold_ctx *c,
                       bool *known)
{
    c->lo_f = attr_float(op, "min", -INFINITY);
    c->hi_f = attr_float(op, "max", INFINITY);
    c->lo_i = INT64_MIN;
    c->hi_i = INT64_MAX;
    if (op_attr(op, "min") || op_attr(op, "max"))
        c->float_math = true; /* attribute bounds are floats */
    *known = true;
    for (int k = 1; k <= 2; k++) {
        const struct tensor *b = op_in(g, op, k);
        char shape[128];
        if (!b)
            continue;
        if (tensor_elems(b) != 1)
            return op_error(g, op, "input %d ('%s', the %s bound) must be a scalar, not %s", k,
                            b->name, k == 1 ? "min" : "max", shape_str(b, shape, sizeof shape));
        if (!tensor_has_values(b)) {
            *known = false;
            continue;
        }
        *(k == 1 ? &c->lo_f : &c->hi_f) = tensor_value_f(b, 0);
        if (b->ivals)
            *(k == 1 ? &c->lo_i : &c->hi_i) = b->ivals[0];
        else
            c->float_math = true;
    }
    return TPUSIM_OK;
}

int infer_unary(struct tpusim_graph *g, struct op *op)
{
    int rc = check_arity(g, op, 1, op->type == OP_CLIP ? 3 : 1, 1);
    if (rc)
        return rc;
    struct tensor *x = op_in(g, op, 0);
    tpusim_dtype dtype = op->type == OP_NOT ? TPUSIM_DT_BOOL : x->dtype;
    struct tensor *out;
    rc = op_set_out(g, op, 0, dtype, x->rank, x->dims, &out);
    if (rc)
        return rc;
    op->cost.flops = op->type == OP_IDENTITY ? 0 : tensor_elems(out);

    struct fold_ctx c = {.type = op->type, .fn = UNARY_FOLD};
    c.float_math = dtype_is_float(x->dtype) || !unary_has_int_form(op->type);
    c.alpha = attr_float(op, "alpha", op->type == OP_HARD_SIGMOID ? 0.2 : 0.01);
    c.beta = attr_float(op, "beta", 0.5);
    c.gelu_tanh = strcmp(attr_string(op, "approximate", "none"), "tanh") == 0;
    bool known = true;
    if (op->type == OP_CLIP)
        rc = clip_bounds(g, op, &c, &known);
    if (rc)
        return rc;
    return known ? fold_elementwise(g, &c, &x, 1, out) : TPUSIM_OK;
}

/* Dropout at inference is the identity; the optional mask output has X's
 * shape (its values are left unknown: nothing computes shapes from it). */
int infer_dropout(struct tpusim_graph *g, struct op *op)
{
    int rc = check_arity(g, op, 1, 3, 2);
    if (rc)
        return rc;
    struct tensor *x = op_in(g, op, 0);
    rc = op_set_out(g, op, 0, x->dtype, x->rank, x->dims, NULL);
    if (!rc && op->n_out > 1)
        rc = op_set_out(g, op, 1, TPUSIM_DT_BOOL, x->rank, x->dims, NULL);
    if (rc)
        return rc;
    op->cost.flops = 0;
    struct fold_ctx c = {.type = OP_IDENTITY, .fn = UNARY_FOLD,
                         .float_math = dtype_is_float(x->dtype)};
    return fold_elementwise(g, &c, &x, 1, op_out(g, op, 0));
}

/* ------------------------------------------------------------- Cast */

/* Integer casts wrap to the target width, as C conversions do. */
static int64_t wrap_int(int64_t v, tpusim_dtype dtype)
{
    switch (dtype) {
    case TPUSIM_DT_INT8: return (int8_t)v;
    case TPUSIM_DT_UINT8: return (uint8_t)v;
    case TPUSIM_DT_INT16: return (int16_t)v;
    case TPUSIM_DT_UINT16: return (uint16_t)v;
    case TPUSIM_DT_INT32: return (int32_t)v;
    case TPUSIM_DT_UINT32: return (uint32_t)v;
    default: return v; /* 64-bit types keep the stored int64 */
    }
}

/* Element i of `in` cast to v's dtype into v; false when it has no value
 * there (a non-finite or out-of-range float going to an integer). */
static bool cast_one(const struct tensor *in, size_t i, struct vals *v)
{
    double f = tensor_value_f(in, i);
    if (v->f) {
        v->f[i] = f;
        return isfinite(f);
    }
    if (v->out->dtype == TPUSIM_DT_BOOL) {
        v->i[i] = in->ivals ? in->ivals[i] != 0 : f != 0;
        return true;
    }
    int64_t x;
    if (!read_int(in, i, &x)) /* float to int truncates toward zero */
        return false;
    v->i[i] = wrap_int(x, v->out->dtype);
    return true;
}

static int fold_cast(struct tpusim_graph *g, const struct tensor *in, struct tensor *out)
{
    if (!tensor_has_values(in) || tensor_elems(out) > GRAPH_MAX_KEPT_VALUES)
        return TPUSIM_OK;
    struct vals v;
    int rc = vals_open(g, &v, out);
    if (rc)
        return rc;
    for (size_t i = 0; i < v.n; i++)
        if (!cast_one(in, i, &v)) {
            vals_free(&v);
            return TPUSIM_OK;
        }
    return vals_close(g, &v);
}

int infer_cast(struct tpusim_graph *g, struct op *op)
{
    int rc = check_arity(g, op, 1, 1, 1);
    if (rc)
        return rc;
    const struct attr *to = op_attr(op, "to");
    if (!to || to->kind != ATTR_INT)
        return op_error(g, op, "needs the integer attribute 'to' (the target element type)");
    if (to->i == TPUSIM_DT_STRING)
        return op_error(g, op, "casting to string is not supported");
    if (to->i <= TPUSIM_DT_UNDEFINED || to->i > TPUSIM_DT_BFLOAT16 ||
        tpusim_dtype_size_bytes((tpusim_dtype)to->i) == 0)
        return op_error(g, op, "attribute 'to' = %lld is not an element type tpusim supports",
                        (long long)to->i);
    struct tensor *x = op_in(g, op, 0);
    rc = op_set_out(g, op, 0, (tpusim_dtype)to->i, x->rank, x->dims, NULL);
    if (rc)
        return rc;
    op->cost.flops = 0;
    return fold_cast(g, x, op_out(g, op, 0));
}

/* ----------------------------------------------------- normalisation */

/* Inputs X, scale, B, mean, var. Training-mode outputs (running or saved
 * mean and variance) are per channel: [C]. */
static int infer_batch_norm(struct tpusim_graph *g, struct op *op)
{
    int rc = check_arity(g, op, 5, 5, 5);
    if (rc)
        return rc;
    const struct tensor *x = op_in(g, op, 0);
    if (x->rank < 2)
        return op_error(g, op, "input '%s' has rank %d; BatchNormalization needs [N,C,...]",
                        x->name, x->rank);
    rc = op_set_out(g, op, 0, x->dtype, x->rank, x->dims, NULL);
    for (int o = 1; o < op->n_out && !rc; o++)
        rc = op_set_out(g, op, o, op_in(g, op, 3)->dtype, 1, &x->dims[1], NULL);
    op->cost.flops = 2 * tensor_elems(x);
    return rc;
}

/* Inputs X, Scale, optional B. Mean and InvStdDev keep the leading axes
 * and have 1 on the normalised ones (axis and after). */
static int infer_layer_norm(struct tpusim_graph *g, struct op *op)
{
    int rc = check_arity(g, op, 2, 3, 3);
    if (rc)
        return rc;
    const struct tensor *x = op_in(g, op, 0);
    int axis;
    rc = normalize_axis(g, op, attr_int(op, "axis", -1), x->rank, &axis);
    if (rc)
        return rc;
    int64_t stash = attr_int(op, "stash_type", TPUSIM_DT_FLOAT32);
    if (op->n_out > 1 && !dtype_is_float((tpusim_dtype)stash))
        return op_error(g, op, "stash_type %lld is not a float element type", (long long)stash);
    int64_t stat_dims[TPUSIM_MAX_RANK];
    for (int r = 0; r < x->rank; r++)
        stat_dims[r] = r < axis ? x->dims[r] : 1;
    rc = op_set_out(g, op, 0, x->dtype, x->rank, x->dims, NULL);
    for (int o = 1; o < op->n_out && !rc; o++)
        rc = op_set_out(g, op, o, (tpusim_dtype)stash, x->rank, stat_dims, NULL);
    op->cost.flops = 5 * tensor_elems(x);
    return rc;
}

/* Inputs X [N,C,...], scale [C], B [C]. */
static int infer_instance_norm(struct tpusim_graph *g, struct op *op)
{
    int rc = check_arity(g, op, 3, 3, 1);
    if (rc)
        return rc;
    const struct tensor *x = op_in(g, op, 0);
    if (x->rank < 2)
        return op_error(g, op, "input '%s' has rank %d; InstanceNormalization needs [N,C,...]",
                        x->name, x->rank);
    op->cost.flops = 5 * tensor_elems(x);
    return op_set_out(g, op, 0, x->dtype, x->rank, x->dims, NULL);
}

int infer_norm(struct tpusim_graph *g, struct op *op)
{
    switch (op->type) {
    case OP_BATCH_NORM: return infer_batch_norm(g, op);
    case OP_LAYER_NORM: return infer_layer_norm(g, op);
    case OP_INSTANCE_NORM: return infer_instance_norm(g, op);
    default: return op_error(g, op, "is not a normalisation op");
    }
}

/* -------------------------------------------------------- reductions */

/* Which axes a Reduce* op reduces: input 1 (ReduceSum opset 13+, every
 * Reduce* in opset 18+) or attribute `axes`; none means all, unless
 * noop_with_empty_axes makes the op an identity (*noop). */
static int reduce_axes(struct tpusim_graph *g, const struct op *op, int rank, bool *reduced,
                       bool *noop)
{
    const int64_t *axes = NULL;
    size_t n;
    if (op_in(g, op, 1)) {
        int rc = op_const_ints(g, op, 1, &axes, &n);
        if (rc)
            return rc;
    } else {
        n = attr_ints(op, "axes", &axes);
    }
    *noop = n == 0 && attr_int(op, "noop_with_empty_axes", 0) != 0;
    for (int r = 0; r < rank; r++)
        reduced[r] = n == 0 && !*noop;
    for (size_t i = 0; i < n; i++) {
        int a;
        int rc = normalize_axis(g, op, axes[i], rank, &a);
        if (rc)
            return rc;
        if (reduced[a])
            return op_error(g, op, "axis %lld is listed twice in axes", (long long)axes[i]);
        reduced[a] = true;
    }
    return TPUSIM_OK;
}

/* One output element's running state. */
struct reduce_acc {
    bool seen;
    int64_t i;
    double f;
    int64_t arg; /* ArgMax: index along the axis of the best value */
};

/* Output index (keepdims layout) of input element `flat`, and its
 * coordinate along the reduced axis (ArgMax reduces exactly one). */
static size_t reduce_dst(const struct tensor *x, const bool *reduced, size_t flat, int64_t *along)
{
    size_t dst = 0, stride = 1;
    *along = 0;
    for (int ax = x->rank - 1; ax >= 0; ax--) {
        size_t d = (size_t)x->dims[ax];
        size_t coord = flat % d;
        flat /= d;
        if (reduced[ax]) {
            *along = (int64_t)coord;
            continue;
        }
        dst += coord * stride;
        stride *= d;
    }
    return dst;
}

/* `last`: ArgMax's select_last_index (ties go to the later index). */
static bool reduce_step_int(const struct op *op, bool last, struct reduce_acc *a, int64_t v,
                            int64_t along)
{
    if (!a->seen) {
        *a = (struct reduce_acc){.seen = true, .i = v, .arg = along};
        return true;
    }
    switch (op->type) {
    case OP_REDUCE_SUM:
    case OP_REDUCE_MEAN: return add_i64(a->i, v, &a->i);
    case OP_REDUCE_PROD: return mul_i64(a->i, v, &a->i);
    case OP_REDUCE_MAX: a->i = v > a->i ? v : a->i; return true;
    case OP_REDUCE_MIN: a->i = v < a->i ? v : a->i; return true;
    case OP_ARG_MAX:
        if (v > a->i || (v == a->i && last)) {
            a->i = v;
            a->arg = along;
        }
        return true;
    default: return false;
    }
}

static bool reduce_step_float(const struct op *op, bool last, struct reduce_acc *a, double v,
                              int64_t along)
{
    if (!a->seen) {
        *a = (struct reduce_acc){.seen = true, .f = v, .arg = along};
        return true;
    }
    switch (op->type) {
    case OP_REDUCE_SUM:
    case OP_REDUCE_MEAN: a->f += v; return true;
    case OP_REDUCE_PROD: a->f *= v; return true;
    case OP_REDUCE_MAX: a->f = fmax(a->f, v); return true;
    case OP_REDUCE_MIN: a->f = fmin(a->f, v); return true;
    case OP_ARG_MAX:
        if (v > a->f || (v == a->f && last)) {
            a->f = v;
            a->arg = along;
        }
        return true;
    default: return false;
    }
}

/* Final values into v: Mean divides by the reduced count, ArgMax gives
 * the index. False when a float result is not finite. */
static bool reduce_finish(const struct op *op, const struct reduce_acc *acc, size_t per_out,
                          bool use_float, struct vals *v)
{
    bool mean = op->type == OP_REDUCE_MEAN;
    for (size_t o = 0; o < v->n; o++) {
        if (op->type == OP_ARG_MAX) {
            vals_put_int(v, o, acc[o].arg);
        } else if (use_float) {
            double f = mean ? acc[o].f / (double)per_out : acc[o].f;
            if (!isfinite(f))
                return false;
            vals_put_num(v, o, f);
        } else {
            vals_put_int(v, o, mean ? acc[o].i / (int64_t)per_out : acc[o].i);
        }
    }
    return true;
}

static int fold_reduce(struct tpusim_graph *g, const struct op *op, const struct tensor *x,
                       const bool *reduced, struct tensor *out)
{
    size_t n_in = (size_t)tensor_elems(x), n_out = (size_t)tensor_elems(out);
    /* An empty reduction has no max, min or mean: leave it unknown. */
    if (!tensor_has_values(x) || n_in == 0 || n_out == 0 || n_out > GRAPH_MAX_KEPT_VALUES)
        return TPUSIM_OK;
    bool use_float = dtype_is_float(x->dtype);
    bool last = attr_int(op, "select_last_index", 0) != 0;
    struct reduce_acc *acc = calloc(n_out, sizeof *acc);
    if (!acc)
        return graph_error(g, TPUSIM_ERR_NOMEM, "out of memory");
    struct vals v;
    int rc = vals_open(g, &v, out);
    bool ok = !rc;
    for (size_t e = 0; e < n_in && ok; e++) {
        int64_t along, xi;
        struct reduce_acc *a = &acc[reduce_dst(x, reduced, e, &along)];
        if (use_float)
            ok = reduce_step_float(op, last, a, tensor_value_f(x, e), along);
        else
            ok = read_int(x, e, &xi) && reduce_step_int(op, last, a, xi, along);
    }
    if (ok && reduce_finish(op, acc, n_in / n_out, use_float, &v))
        rc = vals_close(g, &v);
    else if (!rc)
        vals_free(&v);
    free(acc);
    return rc;
}

int infer_reduce(struct tpusim_graph *g, struct op *op)
{
    bool argmax = op->type == OP_ARG_MAX;
    int rc = check_arity(g, op, 1, argmax ? 1 : 2, 1);
    if (rc)
        return rc;
    const struct tensor *x = op_in(g, op, 0);
    bool reduced[TPUSIM_MAX_RANK] = {false}, noop = false;
    if (argmax) {
        int axis;
        rc = normalize_axis(g, op, attr_int(op, "axis", 0), x->rank, &axis);
        if (!rc)
            reduced[axis] = true;
    } else {
        rc = reduce_axes(g, op, x->rank, reduced, &noop);
    }
    if (rc)
        return rc;
    bool keep = attr_int(op, "keepdims", 1) != 0;
    int rank = 0;
    int64_t dims[TPUSIM_MAX_RANK];
    for (int r = 0; r < x->rank; r++)
        if (!reduced[r] || keep)
            dims[rank++] = reduced[r] ? 1 : x->dims[r];
    rc = op_set_out(g, op, 0, argmax ? TPUSIM_DT_INT64 : x->dtype, rank, dims, NULL);
    if (rc)
        return rc;
    op->cost.flops = noop ? 0 : tensor_elems(x);
    return fold_reduce(g, op, x, reduced, op_out(g, op, 0));
}

/* ----------------------------------------------------------- softmax */

int infer_softmax(struct tpusim_graph *g, struct op *op)
{
    int rc = check_arity(g, op, 1, 1, 1);
    if (rc)
        return rc;
    const struct tensor *x = op_in(g, op, 0);
    int axis;
    rc = normalize_axis(g, op, attr_int(op, "axis", -1), x->rank, &axis);
    if (!rc)
        rc = op_set_out(g, op, 0, x->dtype, x->rank, x->dims, NULL);
    op->cost.flops = 3 * tensor_elems(x);
    return rc;
}
