/*
 * onnx_import.c — reads an ONNX ModelProto (protobuf-c bindings generated at
 * build time from the system's onnx.proto) into the graph IR.
 *
 * Weights are never needed for timing: initializers keep their shape and
 * dtype, and only small ones (GRAPH_MAX_KEPT_VALUES) keep values, because
 * shape computations (Reshape targets, Slice bounds, Resize scales) read
 * them. Constant nodes become constant tensors the same way.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control_flow.h"
#include "graph.h"
#include "model_file.h"
#include "onnx.pb-c.h"
#include "onnx_wire.h"
#include "tpusim.h"

/* ------------------------------------------------------ tensor payloads */

/* Typed-field element i (the fields ONNX uses when raw_data is empty). */
static int typed_element(const Onnx__TensorProto *tp, tpusim_dtype dt, size_t i, double *f,
                         int64_t *iv)
{
    *f = 0;
    *iv = 0;
    switch (dt) {
    case TPUSIM_DT_FLOAT32:
        if (i >= tp->n_float_data)
            return -1;
        *f = tp->float_data[i];
        return 0;
    case TPUSIM_DT_FLOAT64:
        if (i >= tp->n_double_data)
            return -1;
        *f = tp->double_data[i];
        return 0;
    case TPUSIM_DT_INT64:
        if (i >= tp->n_int64_data)
            return -1;
        *iv = tp->int64_data[i];
        return 0;
    case TPUSIM_DT_UINT32:
    case TPUSIM_DT_UINT64:
        if (i >= tp->n_uint64_data)
            return -1;
        *iv = (int64_t)tp->uint64_data[i];
        return 0;
    default:
        if (i >= tp->n_int32_data)
            return -1;
        if (dt == TPUSIM_DT_FLOAT16)
            *f = model_half_to_double((uint16_t)tp->int32_data[i]);
        else if (dt == TPUSIM_DT_BFLOAT16)
            *f = model_bf16_to_double((uint16_t)tp->int32_data[i]);
        else
            *iv = tp->int32_data[i];
        return 0;
    }
}

/* Copies the values of a small tensor into t (shape already set). */
static int read_values(struct tpusim_graph *g, struct tensor *t, const Onnx__TensorProto *tp)
{
    uint64_t n = tensor_elems(t);
    size_t sz = tpusim_dtype_size_bytes(t->dtype);
    if (n > GRAPH_MAX_KEPT_VALUES || sz == 0 || tp->data_location ==
        ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL)
        return TPUSIM_OK;
    if (tp->has_raw_data && tp->raw_data.len != n * sz)
        return graph_error(g, TPUSIM_ERR_PARSE,
                           "tensor '%s': raw_data has %zu bytes but shape needs %llu: the file "
                           "is corrupt or truncated",
                           t->name, tp->raw_data.len, (unsigned long long)(n * sz));
    struct vals v;
    int rc = vals_open(g, &v, t);
    for (uint64_t i = 0; i < n && !rc; i++) {
        double f;
        int64_t iv;
        if (tp->has_raw_data)
            model_raw_element(tp->raw_data.data + i * sz, t->dtype, &f, &iv);
        else if (typed_element(tp, t->dtype, i, &f, &iv)) {
            rc = graph_error(g, TPUSIM_ERR_PARSE,
                             "tensor '%s': holds fewer values than its shape needs (%llu): the "
                             "file is corrupt or truncated",
                             t->name, (unsigned long long)n);
            break;
        }
        /* Both element readers fill f for float dtypes and iv for the
         * others: the same split vals_open made by t's dtype. */
        if (v.f)
            v.f[i] = f;
        else
            v.i[i] = iv;
    }
    if (rc) {
        vals_free(&v);
        return rc;
    }
    return vals_close(g, &v);
}

/* Defines the constant tensor `name` from the rank, dims and element type
 * of a TensorProto (dense) or SparseTensorProto (its dense shape). `out`
 * may be NULL. */
static int define_shaped(struct tpusim_graph *g, const char *name, size_t n_dims,
                         const int64_t *proto_dims, int32_t data_type, struct tensor **out)
{
    if (n_dims > TPUSIM_MAX_RANK)
        return graph_error(g, TPUSIM_ERR_UNSUPPORTED, "tensor '%s' has rank %zu (at most %d)", name,
                           n_dims, TPUSIM_MAX_RANK);
    tpusim_dtype dt = (tpusim_dtype)data_type;
    /* Strings (a classifier's class labels) are kept by shape only: no op
     * tpusim times computes on them. */
    if (tpusim_dtype_size_bytes(dt) == 0 && dt != TPUSIM_DT_STRING)
        return graph_error(g, TPUSIM_ERR_UNSUPPORTED,
                           "tensor '%s' has element type %d, which tpusim does not model", name,
                           (int)data_type);
    int64_t dims[TPUSIM_MAX_RANK];
    for (size_t i = 0; i < n_dims; i++)
        dims[i] = proto_dims[i];
    return graph_define_tensor(g, name, dt, (int)n_dims, dims, out);
}

static int define_from_proto(struct tpusim_graph *g, const char *name, const Onnx__TensorProto *tp)
{
    struct tensor *t;
    int rc = define_shaped(g, name, tp->n_dims, tp->dims, tp->data_type, &t);
    return rc ? rc : read_values(g, t, tp);
}

/* Only the dense shape and dtype of a sparse tensor matter for timing; its
 * values (indices and non-zeros) are weights. */
static int define_sparse(struct tpusim_graph *g, const char *name,
                         const Onnx__SparseTensorProto *sp)
{
    return define_shaped(g, name, sp->n_dims, sp->dims, sp->values->data_type, NULL);
}

/* ------------------------------------------------------- graph inputs */

static int define_input(struct tpusim_graph *g, const Onnx__ValueInfoProto *vi)
{
    const char *name = vi->name ? vi->name : "";
    const Onnx__TypeProto *type = vi->type;
    if (!type || type->value_case != ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE || !type->tensor_type)
        return graph_error(g, TPUSIM_ERR_UNSUPPORTED,
                           "graph input '%s' is not a tensor (sequence, map or optional inputs "
                           "are not supported)",
                           name);
    const Onnx__TypeProto__Tensor *tt = type->tensor_type;
    if (!tt->shape)
        return graph_error(g, TPUSIM_ERR_UNBOUND,
                           "graph input '%s' has no shape in the file; tpusim needs its rank",
                           name);
    if (tt->shape->n_dim > TPUSIM_MAX_RANK)
        return graph_error(g, TPUSIM_ERR_UNSUPPORTED, "graph input '%s' has rank %zu (at most %d)",
                           name, tt->shape->n_dim, TPUSIM_MAX_RANK);
    int64_t dims[TPUSIM_MAX_RANK];
    const char *params[TPUSIM_MAX_RANK];
    for (size_t i = 0; i < tt->shape->n_dim; i++) {
        const Onnx__TensorShapeProto__Dimension *d = tt->shape->dim[i];
        dims[i] = -1;
        params[i] = NULL;
        if (d->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE)
            dims[i] = d->dim_value;
        else if (d->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM)
            params[i] = d->dim_param;
        if (d->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE && dims[i] < 0)
            return graph_error(g, TPUSIM_ERR_SHAPE,
                               "graph input '%s' has a negative dimension %lld at axis %zu", name,
                               (long long)dims[i], i);
    }
    return graph_define_input(g, name, (tpusim_dtype)tt->elem_type, (int)tt->shape->n_dim, dims,
                              params, NULL);
}

/* An input listed again must say the same shape: taking the first and
 * skipping the second silently simulated one of two contradicting files. */
static int check_repeated_input(struct tpusim_graph *g, const struct tensor *t,
                                const Onnx__ValueInfoProto *vi)
{
    const Onnx__TypeProto *type = vi->type;
    const Onnx__TensorShapeProto *shape =
        type && type->value_case == ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE && type->tensor_type
            ? type->tensor_type->shape
            : NULL;
    bool same = shape && (int)shape->n_dim == t->rank;
    for (size_t i = 0; same && i < shape->n_dim; i++) {
        const Onnx__TensorShapeProto__Dimension *d = shape->dim[i];
        if (d->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE)
            same = d->dim_value == t->dims[i];
        else if (d->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM)
            same = t->dim_params[i] && strcmp(d->dim_param, t->dim_params[i]) == 0;
        else
            same = t->dims[i] < 0 && !t->dim_params[i];
    }
    return same ? TPUSIM_OK
                : graph_error(g, TPUSIM_ERR_GRAPH,
                              "graph input '%s' is listed twice with different shapes", t->name);
}

/* ------------------------------------------------------------- nodes */

/* A Constant node: one attribute among value, value_float(s), value_int(s). */
static int import_constant(struct tpusim_graph *g, const Onnx__NodeProto *n)
{
    const char *out = n->n_output ? n->output[0] : "";
    struct tensor *old = out[0] ? graph_find_tensor(g, out) : NULL;
    if (old && old->defined && old->producer < 0 && old->is_const && !old->is_input) {
        /* Some files (GPT-2 in onnxruntime's test data) hold two Constant
         * nodes with one output name. As in a loader that maps names to
         * values, the later one wins; other double definitions are errors. */
        old->defined = false;
        tensor_drop_values(old);
    }
    if (n->n_attribute != 1 || !out[0])
        return graph_error(g, TPUSIM_ERR_PARSE,
                           "node '%s' (Constant): needs exactly one output and one value attribute",
                           n->name ? n->name : "");
    const Onnx__AttributeProto *a = n->attribute[0];
    const char *an = a->name ? a->name : "";
    struct tensor *t;
    int rc;
    if (strcmp(an, "value") == 0 && a->t)
        return define_from_proto(g, out, a->t);
    if (strcmp(an, "sparse_value") == 0 && a->sparse_tensor) {
        if (!a->sparse_tensor->values)
            return graph_error(g, TPUSIM_ERR_UNSUPPORTED, "node '%s' (Constant): bad sparse value",
                               n->name ? n->name : "");
        return define_sparse(g, out, a->sparse_tensor);
    }
    bool is_list = strcmp(an, "value_floats") == 0 || strcmp(an, "value_ints") == 0;
    bool is_float = strcmp(an, "value_float") == 0 || strcmp(an, "value_floats") == 0;
    bool is_int = strcmp(an, "value_int") == 0 || strcmp(an, "value_ints") == 0;
    if (!is_float && !is_int)
        return graph_error(g, TPUSIM_ERR_UNSUPPORTED,
                           "node '%s' (Constant): attribute '%s' is not supported",
                           n->name ? n->name : "", an);
    size_t count = is_list ? (is_float ? a->n_floats : a->n_ints) : 1;
    int64_t dim = (int64_t)count;
    rc = graph_define_tensor(g, out, is_float ? TPUSIM_DT_FLOAT32 : TPUSIM_DT_INT64,
                             is_list ? 1 : 0, &dim, &t);
    if (rc)
        return rc;
    if (is_int)
        return tensor_set_ivals(g, t, is_list ? a->ints : &a->i, count);
    double *v = malloc((count ? count : 1) * sizeof *v);
    if (!v)
        return graph_error(g, TPUSIM_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < count; i++)
        v[i] = is_list ? a->floats[i] : a->f;
    rc = tensor_set_fvals(g, t, v, count);
    free(v);
    return rc;
}

static int import_attr(struct tpusim_graph *g, struct op *op, const Onnx__AttributeProto *a)
{
    const char *name = a->name ? a->name : "";
    double *f;
    int rc;
    switch (a->type) {
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT:
        return op_add_attr_int(g, op, name, a->i);
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT:
        return op_add_attr_float(g, op, name, a->f);
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING: {
        char buf[256];
        size_t len = a->s.len < sizeof buf - 1 ? a->s.len : sizeof buf - 1;
        if (len)
            memcpy(buf, a->s.data, len);
        buf[len] = '\0';
        return op_add_attr_string(g, op, name, buf);
    }
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS:
        return op_add_attr_ints(g, op, name, a->ints, a->n_ints);
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS:
        f = malloc((a->n_floats ? a->n_floats : 1) * sizeof *f);
        if (!f)
            return graph_error(g, TPUSIM_ERR_NOMEM, "out of memory");
        for (size_t i = 0; i < a->n_floats; i++)
            f[i] = a->floats[i];
        rc = op_add_attr_floats(g, op, name, f, a->n_floats);
        free(f);
        return rc;
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSOR:
        if (a->t) {
            /* A one-value tensor, as ConstantOfShape's value. */
            double v = 0;
            int64_t iv = 0;
            tpusim_dtype dt = (tpusim_dtype)a->t->data_type;
            if (tpusim_dtype_size_bytes(dt) && a->t->has_raw_data &&
                a->t->raw_data.len >= tpusim_dtype_size_bytes(dt))
                model_raw_element(a->t->raw_data.data, dt, &v, &iv);
            else
                typed_element(a->t, dt, 0, &v, &iv);
            if (!dtype_is_float(dt))
                v = (double)iv;
            return op_add_attr_tensor(g, op, name, dt, v);
        }
        return op_add_attr_other(g, op, name);
    default:
        return op_add_attr_other(g, op, name);
    }
}

/* What importing a (sub)graph needs besides the graph: the model's
 * default-domain opset, and how deep in subgraphs it is (0 at the top). */
struct import_ctx {
    int64_t opset;
    int depth;
};

static int import_graph(struct tpusim_graph *g, const Onnx__GraphProto *gp,
                        const struct import_ctx *ctx);

static int names_copy(struct tpusim_graph *g, char ***out, int *n, size_t count,
                      Onnx__ValueInfoProto *const *vi)
{
    *n = 0;
    *out = calloc(count ? count : 1, sizeof **out);
    if (!*out)
        return graph_error(g, TPUSIM_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < count; i++, (*n)++)
        if (!((*out)[i] = graph_strdup(vi[i]->name ? vi[i]->name : "")))
            return graph_error(g, TPUSIM_ERR_NOMEM, "out of memory");
    return TPUSIM_OK;
}

/* A subgraph (If branch, Loop or Scan body) read into a body of its own:
 * its formal inputs defined there as tensors without a shape (the body is
 * expanded later, reading the actual inputs), its outputs by name. */
static int import_body(struct tpusim_graph *g, const struct op *op, const Onnx__GraphProto *gp,
                       const struct import_ctx *ctx, struct graph_body *b)
{
    struct import_ctx inner = {ctx->opset, ctx->depth + 1};
    int rc = tpusim_graph_new(&b->g) ? graph_error(g, TPUSIM_ERR_NOMEM, "out of memory")
                                     : TPUSIM_OK;
    if (!rc)
        rc = names_copy(g, &b->inputs, &b->n_inputs, gp->n_input, gp->input);
    if (!rc)
        rc = names_copy(g, &b->outputs, &b->n_outputs, gp->n_output, gp->output);
    for (int i = 0; i < b->n_inputs && !rc; i++) {
        struct tensor *t = graph_tensor(b->g, b->inputs[i]);
        if (!t)
            rc = graph_error(g, TPUSIM_ERR_NOMEM, "out of memory");
        else
            t->defined = true;
    }
    if (!rc && import_graph(b->g, gp, &inner))
        rc = graph_error(g, TPUSIM_ERR_PARSE, "node '%s' (%s), subgraph '%s': %s", op->name,
                         op_info_of(op->type)->name, gp->name ? gp->name : "", b->g->err);
    return rc;
}

/* If, Loop and Scan: every graph attribute becomes a body (If: then_branch
 * then else_branch). */
static int import_control_flow(struct tpusim_graph *g, struct op *op, const Onnx__NodeProto *n,
                               const struct import_ctx *ctx)
{
    static const char *const names[3][2] = {{"then_branch", "else_branch"}, {"body", NULL},
                                            {"body", NULL}};
    const char *const *want = names[op->type == OP_IF ? 0 : op->type == OP_LOOP ? 1 : 2];
    int n_bodies = want[1] ? 2 : 1;
    if (op->type == OP_SCAN && ctx->opset < 9)
        return graph_error(g, TPUSIM_ERR_UNSUPPORTED,
                           "node '%s' (Scan): opset %lld's Scan (batched, with sequence_lens) is "
                           "not supported; opset 9 and later are",
                           op->name, (long long)ctx->opset);
    struct graph_body *bodies = calloc((size_t)n_bodies, sizeof *bodies);
    int rc = bodies ? TPUSIM_OK : graph_error(g, TPUSIM_ERR_NOMEM, "out of memory");
    for (int b = 0; b < n_bodies && !rc; b++) {
        const Onnx__GraphProto *gp = NULL;
        for (size_t a = 0; a < n->n_attribute; a++)
            if (n->attribute[a]->name && strcmp(n->attribute[a]->name, want[b]) == 0)
                gp = n->attribute[a]->g;
        rc = gp ? import_body(g, op, gp, ctx, &bodies[b])
                : graph_error(g, TPUSIM_ERR_PARSE, "node '%s' (%s): attribute %s is missing",
                              op->name, op_info_of(op->type)->name, want[b]);
    }
    if (rc) {
        for (int b = 0; bodies && b < n_bodies; b++)
            cf_body_free(&bodies[b]);
        free(bodies);
        return rc;
    }
    return cf_attach(g, op, bodies, n_bodies);
}

static int import_node(struct tpusim_graph *g, const Onnx__NodeProto *n, size_t index,
                       const struct import_ctx *ctx)
{
    const char *type = n->op_type ? n->op_type : "";
    if (graph_is_default_domain(n->domain) && strcmp(type, "Constant") == 0)
        return import_constant(g, n);
    char gen[64];
    const char *name = n->name;
    if (!name || !name[0]) {
        snprintf(gen, sizeof gen, "%s_%zu", type, index);
        name = gen;
    }
    if (n->n_input > INT32_MAX || n->n_output > INT32_MAX)
        return graph_error(g, TPUSIM_ERR_PARSE, "node '%s': absurd input/output count", name);
    struct op *op;
    const struct op_info *info = op_info_in_domain(type, n->domain);
    const char *stored[OP_STORED_INPUTS];
    int n_stored = info ? op_stored_inputs(info->type, (const char *const *)n->input,
                                           (int)n->n_input, stored)
                        : -1;
    int rc = graph_add_op(g, type, n->domain, name,
                          n_stored >= 0 ? stored : (const char *const *)n->input,
                          n_stored >= 0 ? n_stored : (int)n->n_input,
                          (const char *const *)n->output, (int)n->n_output, &op);
    for (size_t a = 0; a < n->n_attribute && !rc; a++)
        rc = import_attr(g, op, n->attribute[a]);
    if (!rc && (op->type == OP_IF || op->type == OP_LOOP || op->type == OP_SCAN))
        rc = import_control_flow(g, op, n, ctx);
    return rc;
}

/* ------------------------------------------------------------- model */

static int check_model(struct tpusim_graph *g, const Onnx__ModelProto *m)
{
    if (!m->graph)
        return graph_error(g, TPUSIM_ERR_PARSE,
                           "not an ONNX model: no graph in the file (empty, truncated or another "
                           "format)");
    if (m->n_opset_import == 0)
        return graph_error(g, TPUSIM_ERR_PARSE,
                           "ONNX model has no opset_import: the file is truncated or not an ONNX "
                           "model");
    if (m->graph->n_node == 0)
        return graph_error(g, TPUSIM_ERR_PARSE, "ONNX graph has no nodes");
    if (m->graph->n_output == 0) /* a runtime would compute nothing */
        return graph_error(g, TPUSIM_ERR_GRAPH, "ONNX graph declares no outputs");
    for (size_t i = 0; i < m->n_opset_import; i++) {
        const Onnx__OperatorSetIdProto *os = m->opset_import[i];
        if (graph_is_default_domain(os->domain) && os->has_version &&
            os->version < 1)
            return graph_error(g, TPUSIM_ERR_PARSE, "ONNX opset %lld is not valid",
                               (long long)os->version);
    }
    return TPUSIM_OK;
}

/* The nodes, constants and inputs of a graph; `ctx->depth` counts the
 * subgraphs around it. */
static int import_graph(struct tpusim_graph *g, const Onnx__GraphProto *gp,
                        const struct import_ctx *ctx)
{
    int rc = TPUSIM_OK;
    for (size_t i = 0; i < gp->n_initializer && !rc; i++) {
        const Onnx__TensorProto *tp = gp->initializer[i];
        rc = define_from_proto(g, tp->name ? tp->name : "", tp);
    }
    for (size_t i = 0; i < gp->n_sparse_initializer && !rc; i++) {
        const Onnx__SparseTensorProto *sp = gp->sparse_initializer[i];
        if (!sp->values || !sp->values->name)
            return graph_error(g, TPUSIM_ERR_PARSE, "sparse initializer %zu has no name", i);
        rc = define_sparse(g, sp->values->name, sp);
    }
    for (size_t i = 0; i < gp->n_input && !rc && ctx->depth == 0; i++) {
        const char *name = gp->input[i]->name ? gp->input[i]->name : "";
        const struct tensor *t = graph_find_tensor(g, name);
        if (t && t->defined && t->is_input)
            rc = check_repeated_input(g, t, gp->input[i]);
        if (t && t->defined)
            continue; /* IR < 4 lists initializers as inputs too */
        rc = define_input(g, gp->input[i]);
    }
    for (size_t i = 0; i < gp->n_node && !rc; i++)
        rc = import_node(g, gp->node[i], i, ctx);
    for (size_t i = 0; i < gp->n_output && !rc && ctx->depth == 0; i++) {
        struct tensor *t = graph_find_tensor(g, gp->output[i]->name ? gp->output[i]->name : "");
        if (!t)
            rc = graph_error(g, TPUSIM_ERR_GRAPH,
                             "graph output '%s' is not produced by any node",
                             gp->output[i]->name ? gp->output[i]->name : "");
        else
            t->is_output = true;
    }
    return rc;
}

static int load_buffer(struct tpusim_graph *g, const uint8_t *data, size_t size)
{
    /* Depth and names first: protobuf-c's recursion has no limit (onnx_wire.h). */
    if (onnx_wire_check(g, data, size))
        return TPUSIM_ERR_PARSE;
    Onnx__ModelProto *m = onnx__model_proto__unpack(NULL, size, data);
    if (!m)
        return graph_error(g, TPUSIM_ERR_PARSE,
                           "not a valid ONNX protobuf (%zu bytes): truncated, corrupt or another "
                           "format",
                           size);
    struct import_ctx ctx = {1, 0};
    int rc = check_model(g, m);
    for (size_t i = 0; i < m->n_opset_import && !rc; i++)
        if (graph_is_default_domain(m->opset_import[i]->domain))
            ctx.opset = m->opset_import[i]->version;
    if (!rc)
        rc = import_graph(g, m->graph, &ctx);
    onnx__model_proto__free_unpacked(m, NULL);
    if (!rc)
        rc = graph_finalize(g);
    return rc;
}

int tpusim_graph_load_onnx_buffer(tpusim_graph *g, const void *data, size_t size_bytes,
                                  const char *name)
{
    return model_load_buffer(g, data, size_bytes, name, load_buffer);
}

int tpusim_graph_load_onnx_file(tpusim_graph *g, const char *path)
{
    return model_load_file(g, path, load_buffer);
}
