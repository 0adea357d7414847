/*
 * infer_shape.c — shape inference for reshapes and data movement (Reshape,
 * Slice, Gather, Concat, Pad, Resize, ...), with constant folding of the
 * shape computations exporters emit at run time (Shape -> Gather ->
 * Unsqueeze -> Concat -> Reshape, ConstantOfShape, Range). Follows the ONNX
 * operator specification, opsets 7 to 18; where an attribute became an input
 * (Reshape-5, Pad-11, Slice-10, Squeeze/Unsqueeze/Split-13), the presence of
 * the attribute tells which form a node uses. These ops do no arithmetic:
 * op->cost keeps zero MACs and FLOPs, finalize counts their bytes.
 */
#include "graph.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------- helpers */

/* An axis of an input that must have at least one dimension; normalize_axis
 * alone accepts axis 0 of a scalar. */
static int data_axis(struct tpusim_graph *g, const struct op *op, int64_t axis,
                     const struct tensor *t, int *out)
{
    if (t->rank < 1)
        return op_error(g, op, "input '%s' is a scalar; an axis needs rank >= 1", t->name);
    return normalize_axis(g, op, axis, t->rank, out);
}

/* Row-major strides of a tensor whose values can be folded (at most
 * GRAPH_MAX_KEPT_VALUES elements). Other tensors get zeros: their strides
 * are never used, and with a zero dimension the products could overflow. */
static void fold_strides(const struct tensor *t, int64_t *strides)
{
    bool small = tensor_has_values(t) && tensor_elems(t) > 0;
    int64_t s = 1;
    for (int i = t->rank - 1; i >= 0; i--) {
        strides[i] = small ? s : 0;
        s = small ? s * t->dims[i] : 1;
    }
}

/* Advances coordinate c over dims in row-major order. */
static void next_coord(int rank, const int64_t *dims, int64_t *c)
{
    for (int i = rank - 1; i >= 0; i--) {
        if (++c[i] < dims[i])
            return;
        c[i] = 0;
    }
}

/* Product of dims[from..to), saturating just past GRAPH_MAX_TENSOR_ELEMS
 * (which tensor_set_shape then rejects) instead of overflowing. */
static int64_t prod(const int64_t *dims, int from, int to)
{
    int64_t p = 1;
    for (int i = from; i < to; i++)
        if (dims[i] == 0)
            return 0;
    for (int i = from; i < to; i++)
        p = p > GRAPH_MAX_TENSOR_ELEMS / dims[i] ? GRAPH_MAX_TENSOR_ELEMS + 1 : p * dims[i];
    return p;
}

/* ------------------------------------------------------ folded values */

/* Only outputs whose values are kept are worth computing. */
static bool keeps_values(const struct tensor *out)
{
    return tensor_elems(out) <= GRAPH_MAX_KEPT_VALUES;
}

/* Same values, new shape: Reshape, Flatten, Squeeze, Unsqueeze. */
static int fold_same(struct tpusim_graph *g, struct tensor *out, const struct tensor *in)
{
    if (!tensor_has_values(in) || !keeps_values(out))
        return TPUSIM_OK;
    struct vals v;
    int rc = vals_open(g, &v, out);
    if (rc)
        return rc;
    for (size_t k = 0; k < v.n; k++)
        vals_put(&v, k, in, k);
    return vals_close(g, &v);
}

/* out[c] = in[base + sum c[i] * step[i]]: Transpose, Slice, Split and
 * Expand are all such strided views of their input. */
static int fold_view(struct tpusim_graph *g, struct tensor *out, const struct tensor *in,
                     int64_t base, const int64_t *step)
{
    if (!tensor_has_values(in) || !keeps_values(out))
        return TPUSIM_OK;
    struct vals v;
    int rc = vals_open(g, &v, out);
    if (rc)
        return rc;
    int64_t c[TPUSIM_MAX_RANK] = {0};
    for (size_t k = 0; k < v.n; k++) {
        int64_t idx = base;
        for (int i = 0; i < out->rank; i++)
            idx += c[i] * step[i];
        vals_put(&v, k, in, (size_t)idx);
        next_coord(out->rank, out->dims, c);
    }
    return vals_close(g, &v);
}

/* ------------------------------------------------------------ Reshape */

/* The target shape: input 1 (opset 5+) or the 'shape' attribute (1-4). */
static int reshape_target(struct tpusim_graph *g, const struct op *op, const int64_t **v,
                          size_t *n)
{
    if (op_in(g, op, 1))
        return op_const_ints(g, op, 1, v, n);
    *n = attr_ints(op, "shape", v);
    if (!*v)
        return op_error(g, op, "needs a target shape (input 1, or a 'shape' attribute)");
    return TPUSIM_OK;
}

/* The -1 entry takes what the others leave of the element count. */
static int reshape_fill_infer(struct tpusim_graph *g, const struct op *op, const struct tensor *in,
                              const int64_t *want, size_t n, int64_t known, int64_t *dim)
{
    char a[160], b[256];
    int64_t elems = (int64_t)tensor_elems(in);
    if (known == 0 || elems % known)
        return op_error(g, op,
                        "cannot reshape %s (%lld elements) to %s: the -1 dimension cannot "
                        "be inferred (%lld is not a multiple of %lld)",
                        shape_str(in, a, sizeof a), (long long)elems,
                        dims_str(want, n, b, sizeof b), (long long)elems, (long long)known);
    *dim = elems / known;
    return TPUSIM_OK;
}

/* Resolves 0 (copy the input's dimension, unless allowzero) and -1. */
static int reshape_resolve(struct tpusim_graph *g, const struct op *op, const struct tensor *in,
                           const int64_t *want, size_t n, int64_t *dims)
{
    char a[160], b[256];
    if (n > TPUSIM_MAX_RANK)
        return op_error(g, op, "target shape %s has %zu dimensions; tpusim handles at most %d",
                        dims_str(want, n, b, sizeof b), n, TPUSIM_MAX_RANK);
    bool allowzero = attr_int(op, "allowzero", 0) != 0;
    int infer_at = -1;
    int64_t known = 1;
    for (size_t i = 0; i < n; i++) {
        int64_t d = want[i];
        if (d == 0 && !allowzero) {
            if ((int)i >= in->rank)
                return op_error(g, op, "target shape %s copies dimension %zu (0), but input %s "
                                "has rank %d", dims_str(want, n, b, sizeof b), i,
                                shape_str(in, a, sizeof a), in->rank);
            d = in->dims[i];
        }
        if (d == -1 && infer_at >= 0)
            return op_error(g, op, "target shape %s has more than one -1",
                            dims_str(want, n, b, sizeof b));
        if (d == -1) {
            infer_at = (int)i;
            continue;
        }
        if (d < 0 || (d > 0 && known > GRAPH_MAX_TENSOR_ELEMS / d))
            return op_error(g, op, "target shape %s has an invalid dimension %lld",
                            dims_str(want, n, b, sizeof b), (long long)d);
        known *= d;
        dims[i] = d;
    }
    if (infer_at >= 0)
        return reshape_fill_infer(g, op, in, want, n, known, &dims[infer_at]);
    if ((uint64_t)known != tensor_elems(in))
        return op_error(g, op, "cannot reshape %s (%llu elements) to %s (%lld elements)",
                        shape_str(in, a, sizeof a), (unsigned long long)tensor_elems(in),
                        dims_str(want, n, b, sizeof b), (long long)known);
    return TPUSIM_OK;
}

int infer_reshape(struct tpusim_graph *g, struct op *op)
{
    struct tensor *in, *out;
    const int64_t *want;
    size_t n;
    int64_t dims[TPUSIM_MAX_RANK];
    int rc = op_need_in(g, op, 0, &in);
    if (!rc)
        rc = reshape_target(g, op, &want, &n);
    if (!rc)
        rc = reshape_resolve(g, op, in, want, n, dims);
    if (!rc)
        rc = op_set_out(g, op, 0, in->dtype, (int)n, dims, &out);
    return rc ? rc : fold_same(g, out, in);
}

int infer_flatten(struct tpusim_graph *g, struct op *op)
{
    struct tensor *in, *out;
    int rc = op_need_in(g, op, 0, &in);
    if (rc)
        return rc;
    /* axis may equal the rank: [N, C] -> [N*C, 1]. */
    int64_t axis = attr_int(op, "axis", 1);
    int64_t a = axis < 0 ? axis + in->rank : axis;
    if (a < 0 || a > in->rank)
        return op_error(g, op, "axis %lld is out of range for rank %d", (long long)axis,
                        in->rank);
    int64_t dims[2] = {prod(in->dims, 0, (int)a), prod(in->dims, (int)a, in->rank)};
    rc = op_set_out(g, op, 0, in->dtype, 2, dims, &out);
    return rc ? rc : fold_same(g, out, in);
}

/* ---------------------------------------------------- Squeeze/Unsqueeze */

/* Axes from the 'axes' attribute (before opset 13) or input 1 (13+);
 * *given is false when there are neither. */
static int axes_arg(struct tpusim_graph *g, const struct op *op, const int64_t **v, size_t *n,
                    bool *given)
{
    *given = true;
    if (op_attr(op, "axes")) {
        *n = attr_ints(op, "axes", v);
        return TPUSIM_OK;
    }
    if (op_in(g, op, 1))
        return op_const_ints(g, op, 1, v, n);
    *given = false;
    *v = NULL;
    *n = 0;
    return TPUSIM_OK;
}

/* Marks the listed axes of `rank` in drop[]; each must have size 1. */
static int squeeze_marks(struct tpusim_graph *g, const struct op *op, const struct tensor *in,
                         const int64_t *axes, size_t n, bool *drop)
{
    char s[160];
    for (size_t k = 0; k < n; k++) {
        int a;
        int rc = data_axis(g, op, axes[k], in, &a);
        if (rc)
            return rc;
        if (in->dims[a] != 1)
            return op_error(g, op, "cannot squeeze axis %lld of input %s: its size is %lld, not 1",
                            (long long)axes[k], shape_str(in, s, sizeof s),
                            (long long)in->dims[a]);
        drop[a] = true;
    }
    return TPUSIM_OK;
}

int infer_squeeze(struct tpusim_graph *g, struct op *op)
{
    struct tensor *in, *out;
    const int64_t *axes;
    size_t n;
    bool given;
    bool drop[TPUSIM_MAX_RANK] = {false};
    int rc = op_need_in(g, op, 0, &in);
    if (!rc)
        rc = axes_arg(g, op, &axes, &n, &given);
    if (!rc && given)
        rc = squeeze_marks(g, op, in, axes, n, drop);
    if (rc)
        return rc;
    int64_t dims[TPUSIM_MAX_RANK];
    int r = 0;
    for (int i = 0; i < in->rank; i++) {
        if (!given) /* no axes: every size-1 dimension goes */
            drop[i] = in->dims[i] == 1;
        if (!drop[i])
            dims[r++] = in->dims[i];
    }
    rc = op_set_out(g, op, 0, in->dtype, r, dims, &out);
    return rc ? rc : fold_same(g, out, in);
}

int infer_unsqueeze(struct tpusim_graph *g, struct op *op)
{
    struct tensor *in, *out;
    const int64_t *axes;
    size_t n;
    bool given;
    char s[256];
    int rc = op_need_in(g, op, 0, &in);
    if (!rc)
        rc = axes_arg(g, op, &axes, &n, &given);
    if (rc)
        return rc;
    if (!given)
        return op_error(g, op, "needs axes (an 'axes' attribute, or input 1 from opset 13)");
    if (n > (size_t)(TPUSIM_MAX_RANK - in->rank))
        return op_error(g, op, "axes %s on an input of rank %d give a rank over %d",
                        dims_str(axes, n, s, sizeof s), in->rank, TPUSIM_MAX_RANK);
    /* The axes index the output, whose rank is known up front. */
    int r = in->rank + (int)n;
    bool add[TPUSIM_MAX_RANK] = {false};
    for (size_t k = 0; k < n; k++) {
        int a;
        rc = normalize_axis(g, op, axes[k], r, &a);
        if (rc)
            return rc;
        if (add[a])
            return op_error(g, op, "axes %s repeat axis %d", dims_str(axes, n, s, sizeof s), a);
        add[a] = true;
    }
    int64_t dims[TPUSIM_MAX_RANK];
    for (int i = 0, j = 0; i < r; i++)
        dims[i] = add[i] ? 1 : in->dims[j++];
    rc = op_set_out(g, op, 0, in->dtype, r, dims, &out);
    return rc ? rc : fold_same(g, out, in);
}

/* ---------------------------------------------------------- Transpose */

/* The permutation: the 'perm' attribute, or the reversed axes. */
static int transpose_perm(struct tpusim_graph *g, const struct op *op, int rank, int *perm)
{
    const int64_t *p;
    char s[256];
    size_t n = attr_ints(op, "perm", &p);
    if (!p) {
        for (int i = 0; i < rank; i++)
            perm[i] = rank - 1 - i;
        return TPUSIM_OK;
    }
    if (n != (size_t)rank)
        return op_error(g, op, "perm %s has %zu entries for an input of rank %d",
                        dims_str(p, n, s, sizeof s), n, rank);
    bool seen[TPUSIM_MAX_RANK] = {false};
    for (int i = 0; i < rank; i++) {
        if (p[i] < 0 || p[i] >= rank || seen[p[i]])
            return op_error(g, op, "perm %s is not a permutation of 0..%d",
                            dims_str(p, n, s, sizeof s), rank - 1);
        seen[p[i]] = true;
        perm[i] = (int)p[i];
    }
    return TPUSIM_OK;
}

int infer_transpose(struct tpusim_graph *g, struct op *op)
{
    struct tensor *in, *out;
    int perm[TPUSIM_MAX_RANK];
    int rc = op_need_in(g, op, 0, &in);
    if (!rc)
        rc = transpose_perm(g, op, in->rank, perm);
    if (rc)
        return rc;
    int64_t dims[TPUSIM_MAX_RANK], in_strides[TPUSIM_MAX_RANK], step[TPUSIM_MAX_RANK];
    fold_strides(in, in_strides);
    for (int i = 0; i < in->rank; i++) {
        dims[i] = in->dims[perm[i]];
        step[i] = in_strides[perm[i]];
    }
    rc = op_set_out(g, op, 0, in->dtype, in->rank, dims, &out);
    return rc ? rc : fold_view(g, out, in, 0, step);
}

/* ------------------------------------------------------------- Concat */

/* Every input must match the first except along the axis. */
static int concat_check(struct tpusim_graph *g, const struct op *op, const struct tensor *first,
                        const struct tensor *t, int axis)
{
    char a[160], b[160];
    bool same = t->rank == first->rank;
    for (int i = 0; same && i < t->rank; i++)
        same = i == axis || t->dims[i] == first->dims[i];
    if (!same)
        return op_error(g, op, "input '%s' %s does not match input '%s' %s outside axis %d",
                        t->name, shape_str(t, a, sizeof a), first->name,
                        shape_str(first, b, sizeof b), axis);
    return TPUSIM_OK;
}

/* Concatenated values, when every input's are known: shape vectors. */
static int concat_fold(struct tpusim_graph *g, const struct op *op, struct tensor *out, int axis)
{
    for (int k = 0; k < op->n_in; k++)
        if (!tensor_has_values(op_in(g, op, k)))
            return TPUSIM_OK;
    if (!keeps_values(out))
        return TPUSIM_OK;
    struct vals v;
    int rc = vals_open(g, &v, out);
    if (rc)
        return rc;
    int64_t outer = prod(out->dims, 0, axis), inner = prod(out->dims, axis + 1, out->rank);
    size_t w = 0;
    for (int64_t o = 0; o < outer && v.n > 0; o++)
        for (int k = 0; k < op->n_in; k++) {
            const struct tensor *t = op_in(g, op, k);
            int64_t chunk = t->dims[axis] * inner;
            for (int64_t e = 0; e < chunk; e++)
                vals_put(&v, w++, t, (size_t)(o * chunk + e));
        }
    return vals_close(g, &v);
}

int infer_concat(struct tpusim_graph *g, struct op *op)
{
    struct tensor *first, *out;
    int axis;
    int rc = op_need_in(g, op, 0, &first);
    if (!rc) /* Concat-1 had a default axis of 1; later opsets require it */
        rc = data_axis(g, op, attr_int(op, "axis", 1), first, &axis);
    if (rc)
        return rc;
    int64_t dims[TPUSIM_MAX_RANK];
    memcpy(dims, first->dims, sizeof dims);
    dims[axis] = 0;
    for (int k = 0; k < op->n_in; k++) {
        struct tensor *t;
        rc = op_need_in(g, op, k, &t);
        if (!rc)
            rc = concat_check(g, op, first, t, axis);
        if (rc)
            return rc;
        dims[axis] += t->dims[axis]; /* each is at most 2^48: no overflow */
        if (dims[axis] > GRAPH_MAX_TENSOR_ELEMS)
            return op_error(g, op, "concatenated axis %d is absurdly long", axis);
    }
    rc = op_set_out(g, op, 0, first->dtype, first->rank, dims, &out);
    return rc ? rc : concat_fold(g, op, out, axis);
}

/* -------------------------------------------------------------- Split */

/* Equal parts (the last one smaller with opset 18's num_outputs). */
static int split_equal(struct tpusim_graph *g, const struct op *op, int64_t dim, int64_t *sizes)
{
    int n = op->n_out;
    int64_t num = attr_int(op, "num_outputs", 0);
    if (num > 0) {
        int64_t chunk = (dim + num - 1) / num;
        if (num != n || chunk * (num - 1) >= dim + (dim == 0))
            return op_error(g, op, "num_outputs %lld does not split a dimension of %lld into %d "
                            "non-empty parts", (long long)num, (long long)dim, n);
        for (int k = 0; k < n; k++)
            sizes[k] = k < n - 1 ? chunk : dim - chunk * (num - 1);
        return TPUSIM_OK;
    }
    if (dim % n)
        return op_error(g, op, "cannot split a dimension of %lld into %d equal parts",
                        (long long)dim, n);
    for (int k = 0; k < n; k++)
        sizes[k] = dim / n;
    return TPUSIM_OK;
}

/* Sizes of the parts: the 'split' attribute (before opset 13), input 1
 * (13+), or equal parts. */
static int split_sizes(struct tpusim_graph *g, const struct op *op, int64_t dim, int64_t *sizes)
{
    const int64_t *v = NULL;
    size_t n = 0;
    char s[256];
    int rc = TPUSIM_OK;
    if (op_attr(op, "split"))
        n = attr_ints(op, "split", &v);
    else if (op_in(g, op, 1))
        rc = op_const_ints(g, op, 1, &v, &n);
    else
        return split_equal(g, op, dim, sizes);
    if (rc)
        return rc;
    int64_t sum = 0;
    for (size_t k = 0; k < n; k++) {
        if (v[k] < 0 || v[k] > GRAPH_MAX_TENSOR_ELEMS)
            return op_error(g, op, "split sizes %s have an invalid entry %lld",
                            dims_str(v, n, s, sizeof s), (long long)v[k]);
        sum += v[k];
    }
    if (n != (size_t)op->n_out || sum != dim)
        return op_error(g, op, "split sizes %s must be %d values summing to %lld",
                        dims_str(v, n, s, sizeof s), op->n_out, (long long)dim);
    memcpy(sizes, v, n * sizeof *v);
    return TPUSIM_OK;
}

/* Shapes and folded values of each part. */
static int split_outputs(struct tpusim_graph *g, const struct op *op, const struct tensor *in,
                         int axis, const int64_t *sizes)
{
    int64_t dims[TPUSIM_MAX_RANK], step[TPUSIM_MAX_RANK];
    memcpy(dims, in->dims, sizeof dims);
    fold_strides(in, step);
    int64_t offset = 0;
    for (int k = 0; k < op->n_out; k++) {
        struct tensor *out;
        dims[axis] = sizes[k];
        int rc = op_set_out(g, op, k, in->dtype, in->rank, dims, &out);
        if (!rc)
            rc = fold_view(g, out, in, offset * step[axis], step);
        if (rc)
            return rc;
        offset += sizes[k];
    }
    return TPUSIM_OK;
}

int infer_split(struct tpusim_graph *g, struct op *op)
{
    struct tensor *in;
    int axis;
    int rc = op_need_in(g, op, 0, &in);
    if (!rc)
        rc = data_axis(g, op, attr_int(op, "axis", 0), in, &axis);
    if (rc)
        return rc;
    int64_t *sizes = malloc((size_t)op->n_out * sizeof *sizes);
    if (!sizes)
        return graph_error(g, TPUSIM_ERR_NOMEM, "out of memory");
    rc = split_sizes(g, op, in->dims[axis], sizes);
    if (!rc)
        rc = split_outputs(g, op, in, axis, sizes);
    free(sizes);
    return rc;
}

/* -------------------------------------------------------------- Slice */

struct slice_args {
    const int64_t *starts, *ends, *axes, *steps; /* axes, steps: NULL for the defaults */
    size_t n;
};

/* Opset 1-9: attributes starts/ends/axes. Opset 10+: inputs 1-4 (axes and
 * steps optional). */
static int slice_args(struct tpusim_graph *g, const struct op *op, struct slice_args *s)
{
    size_t n_ends, n_axes = 0, n_steps = 0;
    int rc = TPUSIM_OK;
    s->axes = s->steps = NULL;
    if (op_attr(op, "starts")) {
        s->n = attr_ints(op, "starts", &s->starts);
        n_ends = attr_ints(op, "ends", &s->ends);
        if (op_attr(op, "axes"))
            n_axes = attr_ints(op, "axes", &s->axes);
    } else {
        rc = op_const_ints(g, op, 1, &s->starts, &s->n);
        if (!rc)
            rc = op_const_ints(g, op, 2, &s->ends, &n_ends);
        if (!rc && op_in(g, op, 3))
            rc = op_const_ints(g, op, 3, &s->axes, &n_axes);
        if (!rc && op_in(g, op, 4))
            rc = op_const_ints(g, op, 4, &s->steps, &n_steps);
    }
    if (rc)
        return rc;
    if (n_ends != s->n || (s->axes && n_axes != s->n) || (s->steps && n_steps != s->n))
        return op_error(g, op, "starts, ends, axes and steps have different lengths "
                        "(%zu, %zu, %zu, %zu)", s->n, n_ends, n_axes, n_steps);
    return TPUSIM_OK;
}

/* ONNX clamping: negative indices count from the end; starts land in
 * [0, dim] going forward and [0, dim-1] going backward, ends in [0, dim]
 * and [-1, dim-1]. Returns the number of elements taken. */
static int64_t slice_clamp(int64_t dim, int64_t step, int64_t *start, int64_t *end)
{
    int64_t s = *start < 0 ? *start + dim : *start;
    int64_t e = *end < 0 ? *end + dim : *end;
    int64_t lo = step > 0 ? 0 : -1, hi = step > 0 ? dim : dim - 1;
    s = s < 0 ? 0 : s > hi ? hi : s;
    e = e < lo ? lo : e > hi ? hi : e;
    *start = s;
    *end = e;
    /* Written so that no step (even INT64_MIN) overflows. */
    if (step > 0)
        return e > s ? (e - s - 1) / step + 1 : 0;
    return s > e ? (int64_t)((uint64_t)(s - e - 1) / (0 - (uint64_t)step)) + 1 : 0;
}

int infer_slice(struct tpusim_graph *g, struct op *op)
{
    struct tensor *in, *out;
    struct slice_args s;
    int rc = op_need_in(g, op, 0, &in);
    if (!rc)
        rc = slice_args(g, op, &s);
    if (rc)
        return rc;
    int64_t dims[TPUSIM_MAX_RANK], strides[TPUSIM_MAX_RANK], step[TPUSIM_MAX_RANK];
    bool seen[TPUSIM_MAX_RANK] = {false};
    int64_t base = 0;
    memcpy(dims, in->dims, sizeof dims);
    fold_strides(in, strides);
    memcpy(step, strides, sizeof step);
    for (size_t k = 0; k < s.n; k++) {
        int a;
        int64_t st = s.steps ? s.steps[k] : 1, b = s.starts[k], e = s.ends[k];
        rc = data_axis(g, op, s.axes ? s.axes[k] : (int64_t)k, in, &a);
        if (rc)
            return rc;
        if (seen[a] || st == 0)
            return op_error(g, op, "axis %d is sliced twice or with step 0", a);
        seen[a] = true;
        dims[a] = slice_clamp(in->dims[a], st, &b, &e);
        base += b * strides[a];
        /* The step matters only past the first element; then |st| < dim. */
        step[a] = dims[a] > 1 ? st * strides[a] : 0;
    }
    rc = op_set_out(g, op, 0, in->dtype, in->rank, dims, &out);
    return rc ? rc : fold_view(g, out, in, base, step);
}

/* ------------------------------------------------------------- Gather */

/* Checks known indices; folds when the data's values are known too. */
static int gather_fold(struct tpusim_graph *g, const struct op *op, struct tensor *out,
                       const struct tensor *data, const struct tensor *idx, int axis)
{
    if (!tensor_has_values(idx))
        return TPUSIM_OK;
    int64_t dim = data->dims[axis];
    size_t n_idx = (size_t)tensor_elems(idx);
    for (size_t j = 0; j < n_idx; j++) {
        int64_t ix = tensor_value_i(idx, j);
        if (ix < -dim || ix >= dim)
            return op_error(g, op, "index %lld is out of range for axis %d of '%s' (size %lld)",
                            (long long)ix, axis, data->name, (long long)dim);
    }
    if (!tensor_has_values(data) || !keeps_values(out))
        return TPUSIM_OK;
    struct vals v;
    int rc = vals_open(g, &v, out);
    if (rc)
        return rc;
    int64_t outer = prod(data->dims, 0, axis), inner = prod(data->dims, axis + 1, data->rank);
    size_t w = 0;
    for (int64_t o = 0; o < outer && v.n > 0; o++)
        for (size_t j = 0; j < n_idx; j++) {
            int64_t ix = tensor_value_i(idx, j);
            ix = ix < 0 ? ix + dim : ix;
            for (int64_t e = 0; e < inner; e++)
                vals_put(&v, w++, data, (size_t)((o * dim + ix) * inner + e));
        }
    return vals_close(g, &v);
}

int infer_gather(struct tpusim_graph *g, struct op *op)
{
    struct tensor *data, *idx, *out;
    int axis;
    int rc = op_need_in(g, op, 0, &data);
    if (!rc)
        rc = op_need_in(g, op, 1, &idx);
    if (!rc)
        rc = data_axis(g, op, attr_int(op, "axis", 0), data, &axis);
    if (rc)
        return rc;
    int r = data->rank - 1 + idx->rank;
    if (r > TPUSIM_MAX_RANK)
        return op_error(g, op, "output rank %d is over %d", r, TPUSIM_MAX_RANK);
    /* data.shape[:axis] + indices.shape + data.shape[axis+1:] */
    int64_t dims[TPUSIM_MAX_RANK];
    int k = 0;
    for (int i = 0; i < axis; i++)
        dims[k++] = data->dims[i];
    for (int i = 0; i < idx->rank; i++)
        dims[k++] = idx->dims[i];
    for (int i = axis + 1; i < data->rank; i++)
        dims[k++] = data->dims[i];
    rc = op_set_out(g, op, 0, data->dtype, r, dims, &out);
    return rc ? rc : gather_fold(g, op, out, data, idx, axis);
}

/* ---------------------------------------------------------------- Pad */

/* The pads list: the 'pads' attribute (opset 2-10; 'paddings' in opset 1)
 * or input 1 (11+). */
static int pad_list(struct tpusim_graph *g, const struct op *op, const int64_t **p, size_t *n)
{
    const char *name = op_attr(op, "pads") ? "pads" : op_attr(op, "paddings") ? "paddings" : NULL;
    if (!name)
        return op_const_ints(g, op, 1, p, n);
    *n = attr_ints(op, name, p);
    return TPUSIM_OK;
}

/* Which axes the pads cover: input 3 (opset 18), else all of them. */
static int pad_axes(struct tpusim_graph *g, const struct op *op, const struct tensor *in,
                    int *axes, size_t *na)
{
    const int64_t *v;
    if (!op_in(g, op, 3)) {
        for (int i = 0; i < in->rank; i++)
            axes[i] = i;
        *na = (size_t)in->rank;
        return TPUSIM_OK;
    }
    int rc = op_const_ints(g, op, 3, &v, na);
    if (!rc && *na > (size_t)in->rank)
        return op_error(g, op, "%zu pad axes for an input of rank %d", *na, in->rank);
    for (size_t k = 0; k < *na && !rc; k++)
        rc = data_axis(g, op, v[k], in, &axes[k]);
    return rc;
}

/* Begin and end amounts for each axis of the input. */
static int pad_amounts(struct tpusim_graph *g, const struct op *op, const struct tensor *in,
                       int64_t *begin, int64_t *end)
{
    const int64_t *p;
    size_t n, na;
    int axes[TPUSIM_MAX_RANK];
    char s[256];
    int rc = pad_list(g, op, &p, &n);
    if (!rc)
        rc = pad_axes(g, op, in, axes, &na);
    if (rc)
        return rc;
    if (n != 2 * na)
        return op_error(g, op, "pads %s have %zu values; expected %zu (begin and end of %zu axes)",
                        dims_str(p, n, s, sizeof s), n, 2 * na, na);
    memset(begin, 0, TPUSIM_MAX_RANK * sizeof *begin);
    memset(end, 0, TPUSIM_MAX_RANK * sizeof *end);
    for (size_t k = 0; k < na; k++) {
        if (p[k] < -GRAPH_MAX_TENSOR_ELEMS || p[k] > GRAPH_MAX_TENSOR_ELEMS ||
            p[k + na] < -GRAPH_MAX_TENSOR_ELEMS || p[k + na] > GRAPH_MAX_TENSOR_ELEMS)
            return op_error(g, op, "pads %s are absurdly large", dims_str(p, n, s, sizeof s));
        begin[axes[k]] = p[k];
        end[axes[k]] = p[k + na];
    }
    return TPUSIM_OK;
}

/* The fill of a constant-mode Pad when known: the 'value' attribute (before
 * opset 11) or input 2. Other modes copy edges: not folded. */
static bool pad_fill(const struct tpusim_graph *g, const struct op *op, double *fill)
{
    if (strcmp(attr_string(op, "mode", "constant"), "constant") != 0)
        return false;
    const struct tensor *c = op_in(g, op, 2);
    if (!c) {
        *fill = attr_float(op, "value", 0.0);
        return true;
    }
    if (!tensor_has_values(c) || c->n_vals < 1)
        return false;
    *fill = tensor_value_f(c, 0);
    return true;
}

static int pad_fold(struct tpusim_graph *g, const struct op *op, struct tensor *out,
                    const struct tensor *in, const int64_t *begin)
{
    double fill;
    if (!tensor_has_values(in) || !keeps_values(out) || !pad_fill(g, op, &fill))
        return TPUSIM_OK;
    struct vals v;
    int64_t strides[TPUSIM_MAX_RANK], c[TPUSIM_MAX_RANK] = {0};
    int rc = vals_open(g, &v, out);
    if (rc)
        return rc;
    fold_strides(in, strides);
    for (size_t k = 0; k < v.n; k++) {
        int64_t idx = 0;
        bool inside = true;
        for (int i = 0; i < in->rank; i++) {
            int64_t src = c[i] - begin[i];
            inside = inside && src >= 0 && src < in->dims[i];
            idx += src * strides[i];
        }
        if (inside)
            vals_put(&v, k, in, (size_t)idx);
        else
            vals_put_num(&v, k, fill);
        next_coord(out->rank, out->dims, c);
    }
    return vals_close(g, &v);
}

int infer_pad(struct tpusim_graph *g, struct op *op)
{
    struct tensor *in, *out;
    int64_t begin[TPUSIM_MAX_RANK], end[TPUSIM_MAX_RANK], dims[TPUSIM_MAX_RANK];
    char s[160];
    int rc = op_need_in(g, op, 0, &in);
    if (!rc)
        rc = pad_amounts(g, op, in, begin, end);
    if (rc)
        return rc;
    for (int i = 0; i < in->rank; i++) {
        dims[i] = in->dims[i] + begin[i] + end[i];
        /* Negative pads crop, but not the whole axis away. */
        if (dims[i] < 1 && (begin[i] || end[i]))
            return op_error(g, op, "pads %lld, %lld leave axis %d of input %s with %lld elements",
                            (long long)begin[i], (long long)end[i], i,
                            shape_str(in, s, sizeof s), (long long)dims[i]);
    }
    rc = op_set_out(g, op, 0, in->dtype, in->rank, dims, &out);
    return rc ? rc : pad_fold(g, op, out, in, begin);
}

/* ------------------------------------------------------- Expand, Tile */

int infer_expand(struct tpusim_graph *g, struct op *op)
{
    struct tensor *in, *out;
    const int64_t *shape;
    size_t n;
    char s[256];
    int rc = op_need_in(g, op, 0, &in);
    if (!rc)
        rc = op_const_ints(g, op, 1, &shape, &n);
    if (rc)
        return rc;
    if (n > TPUSIM_MAX_RANK)
        return op_error(g, op, "shape %s has over %d dimensions", dims_str(shape, n, s, sizeof s),
                        TPUSIM_MAX_RANK);
    for (size_t k = 0; k < n; k++)
        if (shape[k] < 0)
            return op_error(g, op, "shape %s has a negative dimension",
                            dims_str(shape, n, s, sizeof s));
    int r;
    int64_t dims[TPUSIM_MAX_RANK], strides[TPUSIM_MAX_RANK], step[TPUSIM_MAX_RANK];
    rc = broadcast_shapes(g, op, in->rank, in->dims, (int)n, shape, &r, dims);
    if (!rc)
        rc = op_set_out(g, op, 0, in->dtype, r, dims, &out);
    if (rc)
        return rc;
    /* A broadcast axis (absent or of size 1 in the input) repeats: step 0. */
    fold_strides(in, strides);
    for (int i = 0; i < r; i++) {
        int ia = i - (r - in->rank);
        step[i] = ia < 0 || in->dims[ia] == 1 ? 0 : strides[ia];
    }
    return fold_view(g, out, in, 0, step);
}

static int tile_fold(struct tpusim_graph *g, struct tensor *out, const struct tensor *in)
{
    if (!tensor_has_values(in) || !keeps_values(out))
        return TPUSIM_OK;
    struct vals v;
    int64_t strides[TPUSIM_MAX_RANK], c[TPUSIM_MAX_RANK] = {0};
    int rc = vals_open(g, &v, out);
    if (rc)
        return rc;
    fold_strides(in, strides);
    for (size_t k = 0; k < v.n; k++) {
        int64_t idx = 0;
        for (int i = 0; i < in->rank; i++)
            idx += (c[i] % in->dims[i]) * strides[i];
        vals_put(&v, k, in, (size_t)idx);
        next_coord(out->rank, out->dims, c);
    }
    return vals_close(g, &v);
}

int infer_tile(struct tpusim_graph *g, struct op *op)
{
    struct tensor *in, *out;
    const int64_t *rep;
    size_t n;
    char s[256];
    int rc = op_need_in(g, op, 0, &in);
    if (!rc)
        rc = op_const_ints(g, op, 1, &rep, &n);
    if (rc)
        return rc;
    if (n != (size_t)in->rank)
        return op_error(g, op, "repeats %s have %zu values for an input of rank %d",
                        dims_str(rep, n, s, sizeof s), n, in->rank);
    int64_t dims[TPUSIM_MAX_RANK];
    for (int i = 0; i < in->rank; i++) {
        if (rep[i] < 0 || (in->dims[i] > 0 && rep[i] > GRAPH_MAX_TENSOR_ELEMS / in->dims[i]))
            return op_error(g, op, "repeats %s: invalid or absurd entry %lld",
                            dims_str(rep, n, s, sizeof s), (long long)rep[i]);
        dims[i] = in->dims[i] * rep[i];
    }
    rc = op_set_out(g, op, 0, in->dtype, in->rank, dims, &out);
    return rc ? rc : tile_fold(g, out, in);
}

/* --------------------------------------------------------- Shape, Size */

/* Shape's values are the input's dimensions, known even when the input is
 * data: that is what lets shape chains fold. (op_need_in refuses inputs
 * with dims still unbound, so no -1 is folded into a shape.) */
int infer_shape_of(struct tpusim_graph *g, struct op *op)
{
    struct tensor *in, *out;
    int rc = op_need_in(g, op, 0, &in);
    if (rc)
        return rc;
    /* Opset 15 start/end, clamped like Slice. */
    int64_t r = in->rank, b = attr_int(op, "start", 0), e = attr_int(op, "end", r);
    b = b < 0 ? b + r : b;
    e = e < 0 ? e + r : e;
    b = b < 0 ? 0 : b > r ? r : b;
    e = e < 0 ? 0 : e > r ? r : e;
    int64_t n = e > b ? e - b : 0;
    rc = op_set_out(g, op, 0, TPUSIM_DT_INT64, 1, &n, &out);
    return rc ? rc : tensor_set_ivals(g, out, in->dims + b, (size_t)n);
}

int infer_size_of(struct tpusim_graph *g, struct op *op)
{
    struct tensor *in, *out;
    int rc = op_need_in(g, op, 0, &in);
    if (!rc)
        rc = op_set_out(g, op, 0, TPUSIM_DT_INT64, 0, NULL, &out);
    if (rc)
        return rc;
    int64_t n = (int64_t)tensor_elems(in);
    return tensor_set_ivals(g, out, &n, 1);
}

/* ------------------------------------------------ ConstantOfShape, Range */

int infer_constant_of_shape(struct tpusim_graph *g, struct op *op)
{
    struct tensor *out;
    const int64_t *shape;
    size_t n;
    char s[256];
    int rc = op_const_ints(g, op, 0, &shape, &n);
    if (rc)
        return rc;
    if (n > TPUSIM_MAX_RANK)
        return op_error(g, op, "shape %s has over %d dimensions", dims_str(shape, n, s, sizeof s),
                        TPUSIM_MAX_RANK);
    /* The 'value' attribute is a one-element tensor; float32 0 if absent. */
    const struct attr *a = op_attr(op, "value");
    if (a && a->kind != ATTR_TENSOR)
        return op_error(g, op, "attribute 'value' must be a one-element tensor");
    tpusim_dtype dt = a ? (tpusim_dtype)a->i : TPUSIM_DT_FLOAT32;
    double value = a ? a->f : 0.0;
    if (tpusim_dtype_size_bytes(dt) == 0)
        return op_error(g, op, "attribute 'value' has unsupported element type %d", (int)dt);
    rc = op_set_out(g, op, 0, dt, (int)n, shape, &out);
    /* Big outputs are weights of "light" model files: no values kept. */
    if (rc || !keeps_values(out))
        return rc;
    struct vals v;
    rc = vals_open(g, &v, out);
    if (rc)
        return rc;
    for (size_t k = 0; k < v.n; k++)
        vals_put_num(&v, k, value);
    return vals_close(g, &v);
}

/* Start, limit and delta: scalars whose values must be known. */
static int range_arg(struct tpusim_graph *g, const struct op *op, int i, struct tensor **t)
{
    int rc = op_need_in(g, op, i, t);
    if (rc)
        return rc;
    if (!tensor_has_values(*t) || (*t)->n_vals != 1)
        return op_error(g, op, "input %d ('%s') must be a scalar constant tpusim can fold (it "
                        "sets the output length), but it depends on data or has %llu elements",
                        i, (*t)->name, (unsigned long long)tensor_elems(*t));
    return TPUSIM_OK;
}

/* max(ceil((limit - start) / delta), 0), exact for integers. */
static int range_length(struct tpusim_graph *g, const struct op *op, bool is_float,
                        const struct tensor *ts, const struct tensor *tl, const struct tensor *td,
                        int64_t *len)
{
    if (is_float) {
        double s = tensor_value_f(ts, 0), l = tensor_value_f(tl, 0), d = tensor_value_f(td, 0);
        double n = ceil((l - s) / d);
        if (d == 0 || !(n < (double)GRAPH_MAX_TENSOR_ELEMS))
            return op_error(g, op, "range %g to %g by %g has no valid length", s, l, d);
        *len = n > 0 ? (int64_t)n : 0;
        return TPUSIM_OK;
    }
    int64_t s = tensor_value_i(ts, 0), l = tensor_value_i(tl, 0), d = tensor_value_i(td, 0);
    if (d == 0)
        return op_error(g, op, "delta is 0");
    /* Unsigned differences cannot overflow. */
    uint64_t span = d > 0 ? (uint64_t)l - (uint64_t)s : (uint64_t)s - (uint64_t)l;
    uint64_t stride = d > 0 ? (uint64_t)d : 0 - (uint64_t)d;
    bool empty = d > 0 ? l <= s : l >= s;
    uint64_t n = empty ? 0 : (span - 1) / stride + 1;
    if (n > (uint64_t)GRAPH_MAX_TENSOR_ELEMS)
        return op_error(g, op, "range %lld to %lld by %lld is absurdly long", (long long)s,
                        (long long)l, (long long)d);
    *len = (int64_t)n;
    return TPUSIM_OK;
}

int infer_range(struct tpusim_graph *g, struct op *op)
{
    struct tensor *ts, *tl, *td, *out;
    int64_t len;
    int rc = range_arg(g, op, 0, &ts);
    if (!rc)
        rc = range_arg(g, op, 1, &tl);
    if (!rc)
        rc = range_arg(g, op, 2, &td);
    bool is_float = !rc && dtype_is_float(ts->dtype);
    if (!rc)
        rc = range_length(g, op, is_float, ts, tl, td, &len);
    if (!rc)
        rc = op_set_out(g, op, 0, ts->dtype, 1, &len, &out);
    if (rc || !keeps_values(out))
        return rc;
    struct vals v;
    rc = vals_open(g, &v, out);
    if (rc)
        return rc;
    for (size_t k = 0; k < v.n; k++) {
        if (is_float)
            v.f[k] = tensor_value_f(ts, 0) + (double)k * tensor_value_f(td, 0);
        else
            /* Unsigned: k * delta may pass INT64_MAX while the sum stays in range. */
            v.i[k] = (int64_t)((uint64_t)tensor_value_i(ts, 0) +
                               (uint64_t)k * (uint64_t)tensor_value_i(td, 0));
    }
    return vals_close(g, &v);
}

/* ------------------------------------------------------------- Resize */

/* The axes scales/sizes refer to: the 'axes' attribute (opset 18), else
 * all of them. */
static int resize_axes(struct tpusim_graph *g, const struct op *op, const struct tensor *x,
                       int *axes, int *na)
{
    const int64_t *v;
    size_t n = attr_ints(op, "axes", &v);
    if (!v) {
        for (int i = 0; i < x->rank; i++)
            axes[i] = i;
        *na = x->rank;
        return TPUSIM_OK;
    }
    if (n > (size_t)x->rank)
        return op_error(g, op, "%zu axes for an input of rank %d", n, x->rank);
    for (size_t k = 0; k < n; k++) {
        int rc = data_axis(g, op, v[k], x, &axes[k]);
        if (rc)
            return rc;
    }
    *na = (int)n;
    return TPUSIM_OK;
}

/* out = floor(in * scale) on each axis. */
static int resize_by_scales(struct tpusim_graph *g, const struct op *op, const struct tensor *x,
                            const double *sc, size_t n, const int *axes, int na, int64_t *dims)
{
    if (n != (size_t)na)
        return op_error(g, op, "%zu scales for %d axes of input '%s'", n, na, x->name);
    for (int k = 0; k < na; k++) {
        double d = floor((double)x->dims[axes[k]] * sc[k]);
        if (!(sc[k] > 0) || !(d <= (double)GRAPH_MAX_TENSOR_ELEMS))
            return op_error(g, op, "scale %g on axis %d (size %lld) is invalid", sc[k], axes[k],
                            (long long)x->dims[axes[k]]);
        dims[axes[k]] = (int64_t)d;
    }
    return TPUSIM_OK;
}

/* Sizes as given ('stretch'), or one scale for all axes chosen by opset
 * 18's keep_aspect_ratio_policy. */
static int resize_by_sizes(struct tpusim_graph *g, const struct op *op, const struct tensor *x,
                           const int64_t *sz, size_t n, const int *axes, int na, int64_t *dims)
{
    if (n != (size_t)na)
        return op_error(g, op, "%zu sizes for %d axes of input '%s'", n, na, x->name);
    const char *policy = attr_string(op, "keep_aspect_ratio_policy", "stretch");
    bool stretch = strcmp(policy, "stretch") == 0, larger = strcmp(policy, "not_smaller") == 0;
    if (!stretch && !larger && strcmp(policy, "not_larger") != 0)
        return op_error(g, op, "unknown keep_aspect_ratio_policy '%s'", policy);
    double scale = larger ? 0 : INFINITY;
    for (int k = 0; k < na; k++) {
        if (sz[k] < 0)
            return op_error(g, op, "size %lld for axis %d is negative", (long long)sz[k], axes[k]);
        double r = (double)sz[k] / (double)x->dims[axes[k]];
        scale = larger ? fmax(scale, r) : fmin(scale, r);
    }
    for (int k = 0; k < na; k++)
        dims[axes[k]] = stretch ? sz[k] : (int64_t)floor((double)x->dims[axes[k]] * scale + 0.5);
    return TPUSIM_OK;
}

/* Scales from a tensor input, which must be a known float constant. */
static int resize_scales_input(struct tpusim_graph *g, const struct op *op, int i,
                               const struct tensor *t, double *sc, size_t *n)
{
    if (!tensor_has_values(t))
        return op_error(g, op, "input %d ('%s', scales) must be a constant tpusim can fold (it "
                        "sets the output shape), but it depends on data", i, t->name);
    *n = t->n_vals;
    for (size_t k = 0; k < *n && k < TPUSIM_MAX_RANK; k++)
        sc[k] = tensor_value_f(t, k);
    return TPUSIM_OK;
}

/* Upsample-7/8: 'scales' attribute. Upsample-9 and Resize-10: inputs (X,
 * scales). Resize-11+: (X, roi, scales, sizes), scales absent or empty
 * when sizes is given. */
static int resize_dims(struct tpusim_graph *g, const struct op *op, const struct tensor *x,
                       const int *axes, int na, int64_t *dims)
{
    double sc[TPUSIM_MAX_RANK];
    size_t n = 0;
    const struct attr *a = op_attr(op, "scales");
    if (a && a->kind == ATTR_FLOATS)
        return resize_by_scales(g, op, x, a->floats, a->n, axes, na, dims);
    bool old = op->type == OP_UPSAMPLE || op->n_in <= 2;
    int si = old ? 1 : 2;
    const struct tensor *scales = op_in(g, op, si), *sizes = old ? NULL : op_in(g, op, 3);
    if (scales && tensor_elems(scales) > 0) {
        int rc = resize_scales_input(g, op, si, scales, sc, &n);
        return rc ? rc : resize_by_scales(g, op, x, sc, n, axes, na, dims);
    }
    if (sizes) {
        const int64_t *sz;
        int rc = op_const_ints(g, op, 3, &sz, &n);
        return rc ? rc : resize_by_sizes(g, op, x, sz, n, axes, na, dims);
    }
    return op_error(g, op, "needs scales or sizes (a 'scales' attribute, or a non-empty scales "
                    "or sizes input)");
}

int infer_resize(struct tpusim_graph *g, struct op *op)
{
    struct tensor *x;
    int axes[TPUSIM_MAX_RANK], na = 0;
    int rc = op_need_in(g, op, 0, &x);
    if (!rc)
        rc = resize_axes(g, op, x, axes, &na);
    if (rc)
        return rc;
    int64_t dims[TPUSIM_MAX_RANK];
    memcpy(dims, x->dims, sizeof dims);
    rc = resize_dims(g, op, x, axes, na, dims);
    return rc ? rc : op_set_out(g, op, 0, x->dtype, x->rank, dims, NULL);
}

/* ------------------------------------------------ DepthToSpace and back */

/* NCHW. DepthToSpace: [N, C/(b*b), H*b, W*b]; SpaceToDepth the inverse. */
int infer_depth_space(struct tpusim_graph *g, struct op *op)
{
    struct tensor *x;
    char s[160];
    int rc = op_need_in(g, op, 0, &x);
    if (rc)
        return rc;
    if (x->rank != 4)
        return op_error(g, op, "input %s must be 4-D (NCHW)", shape_str(x, s, sizeof s));
    int64_t b = attr_int(op, "blocksize", 0);
    int64_t n = x->dims[0], c = x->dims[1], h = x->dims[2], w = x->dims[3];
    /* Dims are at most 2^48 (tensor_set_shape): with b <= 2^14 no product below
     * overflows; tensor_set_shape rejects what is too large. */
    if (b < 1 || b > (INT64_C(1) << 14))
        return op_error(g, op, "blocksize %lld is invalid", (long long)b);
    int64_t dims[4];
    if (op->type == OP_DEPTH_TO_SPACE) {
        if (c % (b * b))
            return op_error(g, op, "channels of input %s are not divisible by blocksize^2 = %lld",
                            shape_str(x, s, sizeof s), (long long)(b * b));
        dims[0] = n, dims[1] = c / (b * b), dims[2] = h * b, dims[3] = w * b;
    } else {
        if (h % b || w % b)
            return op_error(g, op, "height and width of input %s are not divisible by "
                            "blocksize %lld", shape_str(x, s, sizeof s), (long long)b);
        if (c > GRAPH_MAX_TENSOR_ELEMS / (b * b))
            return op_error(g, op, "blocksize %lld makes the channels absurd", (long long)b);
        dims[0] = n, dims[1] = c * b * b, dims[2] = h / b, dims[3] = w / b;
    }
    return op_set_out(g, op, 0, x->dtype, 4, dims, NULL);
}
