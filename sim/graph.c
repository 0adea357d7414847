/*
 * graph.c — building the graph IR, and the attribute, shape and value
 * helpers shape inference uses. graph_finalize() is in finalize.c.
 */
#include "graph.h"
#include "control_flow.h"
#include "text.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- errors */

int graph_error(struct tpusim_graph *g, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char raw[sizeof g->err];
    int off = 0;
    if (g->source && g->source[0])
        off = snprintf(raw, sizeof raw, "%s: ", g->source);
    if (off < 0 || (size_t)off >= sizeof raw)
        off = 0;
    vsnprintf(raw + off, sizeof raw - (size_t)off, fmt, ap);
    va_end(ap);
    /* Names in messages come from the model file: no raw control bytes
     * reach a terminal (text.h). */
    text_safe(raw, g->err, sizeof g->err);
    return code;
}

int graph_note(struct tpusim_graph *g, const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    size_t old = g->notes ? strlen(g->notes) : 0, add = strlen(line);
    char *n = realloc(g->notes, old + add + 2);
    if (!n)
        return graph_error(g, TPUSIM_ERR_NOMEM, "out of memory");
    memcpy(n + old, line, add);
    n[old + add] = '\n';
    n[old + add + 1] = '\0';
    g->notes = n;
    return TPUSIM_OK;
}

int op_error(struct tpusim_graph *g, const struct op *op, const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return graph_error(g, TPUSIM_ERR_SHAPE, "node '%s' (%s): %s", op->name,
                       op_info_of(op->type)->name, msg);
}

/* --------------------------------------------------------------- tensors */

char *graph_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

char *graph_strprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *s = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (!s)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

bool graph_is_default_domain(const char *domain)
{
    return !domain || !domain[0] || strcmp(domain, "ai.onnx") == 0;
}

struct dim_binding *graph_find_binding(const struct tpusim_graph *g, const char *name)
{
    for (int i = 0; i < g->n_bindings; i++)
        if (strcmp(g->bindings[i].name, name) == 0)
            return &g->bindings[i];
    return NULL;
}

/* Grows *arr (of elem_size elements) so that it holds at least need. */
static int grow(void **arr, int *cap, int need, size_t elem_size)
{
    if (need <= *cap)
        return TPUSIM_OK;
    int ncap = *cap ? *cap * 2 : 64;
    while (ncap < need)
        ncap *= 2;
    void *p = realloc(*arr, (size_t)ncap * elem_size);
    if (!p)
        return TPUSIM_ERR_NOMEM;
    *arr = p;
    *cap = ncap;
    return TPUSIM_OK;
}

struct tensor *graph_find_tensor(const struct tpusim_graph *g, const char *name)
{
    struct tensor *t = NULL;
    HASH_FIND_STR(g->by_name, name, t);
    return t;
}

struct tensor *graph_tensor(struct tpusim_graph *g, const char *name)
{
    struct tensor *t = graph_find_tensor(g, name);
    if (t)
        return t;
    if (grow((void **)&g->tensors, &g->cap_tensors, g->n_tensors + 1, sizeof *g->tensors))
        return NULL;
    t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->name = graph_strdup(name);
    if (!t->name) {
        free(t);
        return NULL;
    }
    t->index = g->n_tensors;
    t->rank = -1;
    t->producer = -1;
    HASH_ADD_KEYPTR(hh, g->by_name, t->name, strlen(t->name), t);
    if (!graph_find_tensor(g, name)) { /* the hash could not grow */
        free(t->name);
        free(t);
        return NULL;
    }
    g->tensors[g->n_tensors++] = t;
    return t;
}

static int define_checked(struct tpusim_graph *g, const char *name, struct tensor **out)
{
    *out = NULL;
    if (!name || !name[0])
        return graph_error(g, TPUSIM_ERR_ARG, "a tensor needs a non-empty name");
    struct tensor *t = graph_tensor(g, name);
    if (!t)
        return graph_error(g, TPUSIM_ERR_NOMEM, "out of memory adding tensor '%s'", name);
    if (t->defined)
        return graph_error(g, TPUSIM_ERR_GRAPH, "tensor '%s' is defined twice", name);
    t->defined = true;
    *out = t;
    return TPUSIM_OK;
}

int graph_define_tensor(struct tpusim_graph *g, const char *name, tpusim_dtype dtype, int rank,
                        const int64_t *dims, struct tensor **out)
{
    struct tensor *t;
    int rc = define_checked(g, name, &t);
    if (rc)
        return rc;
    rc = tensor_set_shape(g, NULL, t, dtype, rank, dims);
    if (rc)
        return rc;
    t->is_const = true;
    if (out)
        *out = t;
    return TPUSIM_OK;
}

int graph_define_input(struct tpusim_graph *g, const char *name, tpusim_dtype dtype, int rank,
                       const int64_t *dims, const char *const *dim_params, struct tensor **out)
{
    struct tensor *t;
    int rc = define_checked(g, name, &t);
    if (rc)
        return rc;
    if (rank < 0 || rank > TPUSIM_MAX_RANK)
        return graph_error(g, TPUSIM_ERR_UNSUPPORTED, "input '%s' has rank %d (at most %d)", name,
                           rank, TPUSIM_MAX_RANK);
    if (tpusim_dtype_size_bytes(dtype) == 0)
        return graph_error(g, TPUSIM_ERR_UNSUPPORTED, "input '%s' has unsupported element type %d",
                           name, (int)dtype);
    /* Unknown dims (< 0) are bound at finalize, which checks the whole
     * shape; a known one is bounded now, as tensor_set_shape would. */
    for (int i = 0; i < rank; i++)
        if (dims[i] > GRAPH_MAX_TENSOR_ELEMS)
            return graph_error(g, TPUSIM_ERR_SHAPE,
                               "input '%s' is absurdly large: dimension %lld at axis %d takes it "
                               "past 2^48 elements",
                               name, (long long)dims[i], i);
    t->dtype = dtype;
    t->rank = rank;
    t->is_input = true;
    for (int i = 0; i < rank; i++) {
        t->dims[i] = dims[i] < 0 ? -1 : dims[i];
        if (dim_params && dim_params[i] && dim_params[i][0]) {
            t->dim_params[i] = graph_strdup(dim_params[i]);
            if (!t->dim_params[i])
                return graph_error(g, TPUSIM_ERR_NOMEM, "out of memory");
        }
    }
    if (out)
        *out = t;
    return TPUSIM_OK;
}

/* ------------------------------------------------------------------- ops */

int graph_add_op(struct tpusim_graph *g, const char *type, const char *domain, const char *name,
                 const char *const *inputs, int n_in, const char *const *outputs, int n_out,
                 struct op **out)
{
    if (out)
        *out = NULL;
    if (g->finalized)
        return graph_error(g, TPUSIM_ERR_STATE, "cannot add node '%s': graph already finalized",
                           name ? name : "");
    const char *dom = domain ? domain : "";
    const struct op_info *info = op_info_in_domain(type, dom);
    if (!info)
        return graph_error(g, TPUSIM_ERR_UNSUPPORTED,
                           "node '%s': op type '%s' (domain '%s') is not supported; "
                           "supported (domain ai.onnx; ArrayFeatureExtractor and ZipMap in "
                           "ai.onnx.ml): %s",
                           name && name[0] ? name : "(unnamed)", type ? type : "(none)",
                           dom[0] ? dom : "ai.onnx", op_supported_list());
    if (n_in < 0 || n_out < 1 || (n_in && !inputs) || !outputs)
        return graph_error(g, TPUSIM_ERR_ARG, "node '%s' (%s): needs at least one output",
                           name ? name : "", type);
    if (grow((void **)&g->ops, &g->cap_ops, g->n_ops + 1, sizeof *g->ops))
        return graph_error(g, TPUSIM_ERR_NOMEM, "out of memory");
    struct op *op = calloc(1, sizeof *op);
    if (!op)
        return graph_error(g, TPUSIM_ERR_NOMEM, "out of memory");
    op->index = g->n_ops;
    op->type = info->type;
    op->cf_parent = -1;
    op->source_node = -1;
    g->ops[g->n_ops++] = op; /* owned by g from here, freed with it on error too */
    char gen[64];
    if (!name || !name[0]) {
        snprintf(gen, sizeof gen, "%s_%d", info->name, op->index);
        name = gen;
    }
    op->name = graph_strdup(name);
    op->domain = graph_strdup(dom);
    op->in = calloc((size_t)(n_in ? n_in : 1), sizeof *op->in);
    op->out = calloc((size_t)n_out, sizeof *op->out);
    if (!op->name || !op->domain || !op->in || !op->out)
        return graph_error(g, TPUSIM_ERR_NOMEM, "out of memory");
    op->n_in = n_in;
    op->n_out = n_out;
    for (int i = 0; i < n_in; i++) {
        if (!inputs[i] || !inputs[i][0]) {
            op->in[i] = -1;
            continue;
        }
        struct tensor *t = graph_tensor(g, inputs[i]);
        if (!t)
            return graph_error(g, TPUSIM_ERR_NOMEM, "out of memory");
        op->in[i] = t->index;
    }
    for (int i = 0; i < n_out; i++) {
        char unused[600];
        const char *oname = outputs[i];
        if (!oname || !oname[0]) { /* an optional output the model does not use */
            snprintf(unused, sizeof unused, "%s:unused_output_%d", op->name, i);
            oname = unused;
        }
        struct tensor *t = graph_tensor(g, oname);
        if (!t)
            return graph_error(g, TPUSIM_ERR_NOMEM, "out of memory");
        if (t->defined)
            return graph_error(g, TPUSIM_ERR_GRAPH,
                               "node '%s' (%s): output '%s' is already produced by %s%s%s",
                               op->name, info->name, oname,
                               t->producer >= 0 ? "node '" : "an input or initializer",
                               t->producer >= 0 ? g->ops[t->producer]->name : "",
                               t->producer >= 0 ? "'" : "");
        t->defined = true;
        t->producer = op->index;
        op->out[i] = t->index;
    }
    if (out)
        *out = op;
    return TPUSIM_OK;
}

/* ------------------------------------------------------------ attributes */

static struct attr *new_attr(struct tpusim_graph *g, struct op *op, const char *name,
                             enum attr_kind kind)
{
    struct attr *a = realloc(op->attrs, (size_t)(op->n_attrs + 1) * sizeof *a);
    if (!a) {
        graph_error(g, TPUSIM_ERR_NOMEM, "out of memory");
        return NULL;
    }
    op->attrs = a;
    a = &op->attrs[op->n_attrs];
    memset(a, 0, sizeof *a);
    a->name = graph_strdup(name ? name : "");
    if (!a->name) {
        graph_error(g, TPUSIM_ERR_NOMEM, "out of memory");
        return NULL;
    }
    a->kind = kind;
    op->n_attrs++;
    return a;
}

int op_add_attr_int(struct tpusim_graph *g, struct op *op, const char *name, int64_t v)
{
    struct attr *a = new_attr(g, op, name, ATTR_INT);
    if (!a)
        return TPUSIM_ERR_NOMEM;
    a->i = v;
    return TPUSIM_OK;
}

int op_add_attr_float(struct tpusim_graph *g, struct op *op, const char *name, double v)
{
    struct attr *a = new_attr(g, op, name, ATTR_FLOAT);
    if (!a)
        return TPUSIM_ERR_NOMEM;
    a->f = v;
    return TPUSIM_OK;
}

int op_add_attr_string(struct tpusim_graph *g, struct op *op, const char *name, const char *v)
{
    struct attr *a = new_attr(g, op, name, ATTR_STRING);
    if (!a)
        return TPUSIM_ERR_NOMEM;
    a->s = graph_strdup(v ? v : "");
    if (!a->s)
        return graph_error(g, TPUSIM_ERR_NOMEM, "out of memory");
    /* Read on every lowering: kept as a flag, not looked up by name. */
    if (strcmp(a->name, "data_format") == 0)
        op->channels_last = strcmp(a->s, "NHWC") == 0;
    return TPUSIM_OK;
}

int op_add_attr_ints(struct tpusim_graph *g, struct op *op, const char *name, const int64_t *v,
                     size_t n)
{
    struct attr *a = new_attr(g, op, name, ATTR_INTS);
    if (!a)
        return TPUSIM_ERR_NOMEM;
    a->ints = malloc((n ? n : 1) * sizeof *a->ints);
    if (!a->ints)
        return graph_error(g, TPUSIM_ERR_NOMEM, "out of memory");
    if (n)
        memcpy(a->ints, v, n * sizeof *v);
    a->n = n;
    return TPUSIM_OK;
}

int op_add_attr_floats(struct tpusim_graph *g, struct op *op, const char *name, const double *v,
                       size_t n)
{
    struct attr *a = new_attr(g, op, name, ATTR_FLOATS);
    if (!a)
        return TPUSIM_ERR_NOMEM;
    a->floats = malloc((n ? n : 1) * sizeof *a->floats);
    if (!a->floats)
        return graph_error(g, TPUSIM_ERR_NOMEM, "out of memory");
    if (n)
        memcpy(a->floats, v, n * sizeof *v);
    a->n = n;
    return TPUSIM_OK;
}

int op_add_attr_tensor(struct tpusim_graph *g, struct op *op, const char *name, tpusim_dtype dtype,
                       double value)
{
    struct attr *a = new_attr(g, op, name, ATTR_TENSOR);
    if (!a)
        return TPUSIM_ERR_NOMEM;
    a->i = dtype;
    a->f = value;
    return TPUSIM_OK;
}

int op_add_attr_other(struct tpusim_graph *g, struct op *op, const char *name)
{
    return new_attr(g, op, name, ATTR_OTHER) ? TPUSIM_OK : TPUSIM_ERR_NOMEM;
}

bool op_channels_last(const struct op *op)
{
    return op->channels_last;
}

int op_channel_axis(const struct op *op, const struct tensor *t)
{
    return op_channels_last(op) ? t->rank - 1 : 1;
}

int op_spatial_axis(const struct op *op, int i)
{
    return op_channels_last(op) ? 1 + i : 2 + i;
}

int op_copy_attrs(struct tpusim_graph *g, struct op *dst, const struct op *src)
{
    int rc = TPUSIM_OK;
    for (int i = 0; i < src->n_attrs && !rc; i++) {
        const struct attr *a = &src->attrs[i];
        switch (a->kind) {
        case ATTR_INT: rc = op_add_attr_int(g, dst, a->name, a->i); break;
        case ATTR_FLOAT: rc = op_add_attr_float(g, dst, a->name, a->f); break;
        case ATTR_STRING: rc = op_add_attr_string(g, dst, a->name, a->s ? a->s : ""); break;
        case ATTR_INTS: rc = op_add_attr_ints(g, dst, a->name, a->ints, a->n); break;
        case ATTR_FLOATS: rc = op_add_attr_floats(g, dst, a->name, a->floats, a->n); break;
        case ATTR_TENSOR:
            rc = op_add_attr_tensor(g, dst, a->name, (tpusim_dtype)a->i, a->f);
            break;
        case ATTR_OTHER: rc = op_add_attr_other(g, dst, a->name); break;
        }
    }
    return rc;
}

const struct attr *op_attr(const struct op *op, const char *name)
{
    for (int i = 0; i < op->n_attrs; i++)
        if (strcmp(op->attrs[i].name, name) == 0)
            return &op->attrs[i];
    return NULL;
}

int64_t attr_int(const struct op *op, const char *name, int64_t dflt)
{
    const struct attr *a = op_attr(op, name);
    if (!a)
        return dflt;
    if (a->kind == ATTR_INT)
        return a->i;
    if (a->kind == ATTR_FLOAT)
        return (int64_t)a->f;
    return dflt;
}

double attr_float(const struct op *op, const char *name, double dflt)
{
    const struct attr *a = op_attr(op, name);
    if (!a)
        return dflt;
    if (a->kind == ATTR_FLOAT)
        return a->f;
    if (a->kind == ATTR_INT)
        return (double)a->i;
    return dflt;
}

const char *attr_string(const struct op *op, const char *name, const char *dflt)
{
    const struct attr *a = op_attr(op, name);
    return a && a->kind == ATTR_STRING ? a->s : dflt;
}

size_t attr_ints(const struct op *op, const char *name, const int64_t **v)
{
    const struct attr *a = op_attr(op, name);
    if (!a || a->kind != ATTR_INTS) {
        *v = NULL;
        return 0;
    }
    *v = a->ints;
    return a->n;
}

/* ------------------------------------------------------- shapes, values */

/* What a shape error is about, into buf: formatted only on the error path
 * (tensor_set_shape runs for every output of every op). */
static const char *shape_subject(const struct op *op, const struct tensor *t, char *buf,
                                 size_t len)
{
    if (op)
        snprintf(buf, len, "node '%s' (%s): output '%s'", op->name, op_info_of(op->type)->name,
                 t->name);
    else
        snprintf(buf, len, "tensor '%s'", t->name);
    return buf;
}

int tensor_set_shape(struct tpusim_graph *g, const struct op *op, struct tensor *t,
                     tpusim_dtype dtype, int rank, const int64_t *dims)
{
    char where[700];
    if (rank < 0 || rank > TPUSIM_MAX_RANK)
        return graph_error(g, op ? TPUSIM_ERR_SHAPE : TPUSIM_ERR_UNSUPPORTED,
                           "%s has rank %d; tpusim handles ranks 0 to %d",
                           shape_subject(op, t, where, sizeof where), rank, TPUSIM_MAX_RANK);
    int64_t elems = 1;
    for (int i = 0; i < rank; i++) {
        if (dims[i] < 0)
            return graph_error(g, TPUSIM_ERR_SHAPE, "%s has a negative dimension %lld at axis %d",
                               shape_subject(op, t, where, sizeof where), (long long)dims[i], i);
        /* Each dim is bounded on its own too: after a zero dimension the
         * product stays 0, and dimension arithmetic downstream would
         * overflow on the others. */
        if (dims[i] > GRAPH_MAX_TENSOR_ELEMS ||
            (dims[i] > 0 && elems > GRAPH_MAX_TENSOR_ELEMS / dims[i]))
            return graph_error(g, TPUSIM_ERR_SHAPE,
                               "%s is absurdly large: dimension %lld at axis %d takes it past "
                               "2^48 elements",
                               shape_subject(op, t, where, sizeof where), (long long)dims[i], i);
        elems *= dims[i];
    }
    t->dtype = dtype;
    t->rank = rank;
    for (int i = 0; i < rank; i++)
        t->dims[i] = dims[i];
    return TPUSIM_OK;
}

int op_need_in(struct tpusim_graph *g, const struct op *op, int i, struct tensor **out)
{
    struct tensor *t = op_in(g, op, i);
    *out = NULL;
    if (!t)
        return op_error(g, op, "input %d is required but absent", i);
    if (t->rank < 0)
        return op_error(g, op, "input %d ('%s') has no shape", i, t->name);
    /* Builder graphs infer early, before symbolic dims are bound. */
    for (int r = 0; r < t->rank; r++)
        if (t->dims[r] < 0)
            return op_error(g, op, "input %d ('%s') has an unknown size at axis %d", i, t->name,
                            r);
    *out = t;
    return TPUSIM_OK;
}

int op_set_out(struct tpusim_graph *g, const struct op *op, int i, tpusim_dtype dtype, int rank,
               const int64_t *dims, struct tensor **out)
{
    struct tensor *t = op_out(g, op, i);
    if (out)
        *out = NULL;
    if (!t)
        return TPUSIM_OK;
    /* Values from a provisional inference (graph_infer_early runs before
     * dims are bound) must not outlive it: the caller sets them again. */
    tensor_drop_values(t);
    int rc = tensor_set_shape(g, op, t, dtype, rank, dims);
    if (!rc && out)
        *out = t;
    return rc;
}

int tensor_copy_shape(struct tpusim_graph *g, const struct op *op, struct tensor *t,
                      const struct tensor *from)
{
    return tensor_set_shape(g, op, t, from->dtype, from->rank, from->dims);
}

uint64_t tensor_elems(const struct tensor *t)
{
    uint64_t n = 1;
    for (int i = 0; i < t->rank; i++)
        n *= (uint64_t)t->dims[i];
    return t->rank < 0 ? 0 : n;
}

uint64_t tensor_bytes(const struct tensor *t)
{
    return tensor_elems(t) * tpusim_dtype_size_bytes(t->dtype);
}

bool tensor_has_values(const struct tensor *t)
{
    return (t->ivals || t->fvals) && t->n_vals == tensor_elems(t);
}

bool dtype_is_float(tpusim_dtype dt)
{
    return dt == TPUSIM_DT_FLOAT32 || dt == TPUSIM_DT_FLOAT16 || dt == TPUSIM_DT_FLOAT64 ||
           dt == TPUSIM_DT_BFLOAT16;
}

void tensor_drop_values(struct tensor *t)
{
    free(t->ivals);
    free(t->fvals);
    t->ivals = NULL;
    t->fvals = NULL;
    t->n_vals = 0;
}

/* Stores n values given as integers (iv) or floats (fv), exactly one of
 * them set, in the array t's dtype keeps them in. */
static int set_vals(struct tpusim_graph *g, struct tensor *t, const int64_t *iv, const double *fv,
                    size_t n)
{
    tensor_drop_values(t);
    if (n > GRAPH_MAX_KEPT_VALUES)
        return TPUSIM_OK;
    bool as_float = dtype_is_float(t->dtype);
    int64_t *di = as_float ? NULL : malloc((n ? n : 1) * sizeof *di);
    double *df = as_float ? malloc((n ? n : 1) * sizeof *df) : NULL;
    if (!di && !df)
        return graph_error(g, TPUSIM_ERR_NOMEM, "out of memory");
    for (size_t k = 0; k < n; k++) {
        if (df)
            df[k] = fv ? fv[k] : (double)iv[k];
        else
            di[k] = iv ? iv[k] : (int64_t)fv[k];
    }
    t->ivals = di;
    t->fvals = df;
    t->n_vals = n;
    return TPUSIM_OK;
}

int tensor_set_ivals(struct tpusim_graph *g, struct tensor *t, const int64_t *v, size_t n)
{
    return set_vals(g, t, v, NULL, n);
}

int tensor_set_fvals(struct tpusim_graph *g, struct tensor *t, const double *v, size_t n)
{
    return set_vals(g, t, NULL, v, n);
}

double tensor_value_f(const struct tensor *t, size_t i)
{
    return t->fvals ? t->fvals[i] : (double)t->ivals[i];
}

int64_t tensor_value_i(const struct tensor *t, size_t i)
{
    return t->ivals ? t->ivals[i] : (int64_t)t->fvals[i];
}

int op_const_ints(struct tpusim_graph *g, const struct op *op, int input, const int64_t **v,
                  size_t *n)
{
    *v = NULL;
    *n = 0;
    struct tensor *t = op_in(g, op, input);
    if (!t)
        return op_error(g, op, "input %d is required", input);
    if (!tensor_has_values(t))
        return op_error(g, op,
                        "input %d ('%s') must be a constant tpusim can fold (its value sets a "
                        "shape), but it depends on data",
                        input, t->name);
    if (!t->ivals)
        return op_error(g, op, "input %d ('%s') must be an integer tensor", input, t->name);
    *v = t->ivals;
    *n = t->n_vals;
    return TPUSIM_OK;
}

const char *dims_str(const int64_t *v, size_t n, char *buf, size_t len)
{
    if (len == 0)
        return buf;
    size_t off = (size_t)snprintf(buf, len, "[");
    for (size_t i = 0; i < n && off < len; i++)
        off += (size_t)snprintf(buf + off, len - off, "%s%lld", i ? "," : "", (long long)v[i]);
    if (off < len)
        snprintf(buf + off, len - off, "]");
    return buf;
}

const char *shape_str(const struct tensor *t, char *buf, size_t len)
{
    if (t->rank < 0) {
        if (len)
            snprintf(buf, len, "?");
        return buf;
    }
    return dims_str(t->dims, (size_t)t->rank, buf, len);
}

/* ------------------------------------------------------- folded values */

int vals_open(struct tpusim_graph *g, struct vals *v, struct tensor *out)
{
    v->out = out;
    v->n = (size_t)tensor_elems(out);
    v->i = NULL;
    v->f = NULL;
    if (dtype_is_float(out->dtype))
        v->f = malloc((v->n ? v->n : 1) * sizeof *v->f);
    else
        v->i = malloc((v->n ? v->n : 1) * sizeof *v->i);
    if (!v->i && !v->f)
        return graph_error(g, TPUSIM_ERR_NOMEM, "out of memory");
    return TPUSIM_OK;
}

void vals_put(struct vals *v, size_t k, const struct tensor *src, size_t idx)
{
    if (v->f)
        v->f[k] = tensor_value_f(src, idx);
    else
        v->i[k] = tensor_value_i(src, idx);
}

void vals_put_num(struct vals *v, size_t k, double x)
{
    if (v->f)
        v->f[k] = x;
    else
        v->i[k] = (int64_t)x;
}

void vals_put_int(struct vals *v, size_t k, int64_t x)
{
    if (v->f)
        v->f[k] = (double)x;
    else
        v->i[k] = x;
}

int vals_close(struct tpusim_graph *g, struct vals *v)
{
    int rc = v->f ? tensor_set_fvals(g, v->out, v->f, v->n)
                  : tensor_set_ivals(g, v->out, v->i, v->n);
    vals_free(v);
    return rc;
}

void vals_free(struct vals *v)
{
    free(v->i);
    free(v->f);
    v->i = NULL;
    v->f = NULL;
}

int broadcast_shapes(struct tpusim_graph *g, const struct op *op, int ra, const int64_t *a, int rb,
                     const int64_t *b, int *out_rank, int64_t *out)
{
    int r = ra > rb ? ra : rb;
    for (int i = 0; i < r; i++) {
        int ia = i - (r - ra), ib = i - (r - rb);
        int64_t da = ia >= 0 ? a[ia] : 1, db = ib >= 0 ? b[ib] : 1;
        if (da == db || db == 1)
            out[i] = da;
        else if (da == 1)
            out[i] = db;
        else
            return op_error(g, op, "cannot broadcast dimension %lld with %lld (axis %d of %d)",
                            (long long)da, (long long)db, i, r);
    }
    *out_rank = r;
    return TPUSIM_OK;
}

int normalize_axis(struct tpusim_graph *g, const struct op *op, int64_t axis, int rank, int *out)
{
    int64_t a = axis < 0 ? axis + rank : axis;
    if (a < 0 || a >= (rank ? rank : 1))
        return op_error(g, op, "axis %lld is out of range for rank %d", (long long)axis, rank);
    *out = (int)a;
    return TPUSIM_OK;
}

void graph_free_contents(struct tpusim_graph *g)
{
    struct tensor *t, *tmp;
    HASH_ITER(hh, g->by_name, t, tmp) { HASH_DELETE(hh, g->by_name, t); }
    for (int i = 0; i < g->n_tensors; i++) {
        t = g->tensors[i];
        free(t->name);
        for (int r = 0; r < TPUSIM_MAX_RANK; r++)
            free(t->dim_params[r]);
        free(t->ivals);
        free(t->fvals);
        free(t);
    }
    for (int i = 0; i < g->n_ops; i++) {
        struct op *op = g->ops[i];
        for (int a = 0; a < op->n_attrs; a++) {
            free(op->attrs[a].name);
            free(op->attrs[a].s);
            free(op->attrs[a].ints);
            free(op->attrs[a].floats);
        }
        free(op->attrs);
        free(op->name);
        free(op->domain);
        free(op->in);
        free(op->out);
        cf_free(op->cf);
        free(op);
    }
    free(g->notes);
    for (int i = 0; i < g->n_bindings; i++)
        free(g->bindings[i].name);
    free(g->bindings);
    free(g->tensors);
    free(g->ops);
    free(g->order);
    free(g->run_ops);
    free(g->source);
}

/* Builder graphs grow op by op; a convenience call that needs a shape
 * infers the chain of producers behind it now. finalize() infers all again
 * (after dimension binding), so these early shapes are provisional. */
int graph_infer_early(struct tpusim_graph *g, struct tensor *t, int depth)
{
    if (t->rank >= 0 || t->producer < 0)
        return TPUSIM_OK;
    if (depth > 10000)
        return graph_error(g, TPUSIM_ERR_STATE,
                           "builder: shape of '%s' depends on a chain of over 10000 nodes",
                           t->name);
    struct op *op = g->ops[t->producer];
    for (int k = 0; k < op->n_in; k++) {
        struct tensor *in = op_in(g, op, k);
        if (!in)
            continue;
        if (!in->defined)
            return graph_error(g, TPUSIM_ERR_GRAPH, "node '%s': input '%s' is not defined",
                               op->name, in->name);
        int rc = graph_infer_early(g, in, depth + 1);
        if (rc)
            return rc;
    }
    return op_info_of(op->type)->infer(g, op);
}
