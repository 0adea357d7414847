/*
 * graph_api.c — the public graph calls of tpusim.h over the internal IR:
 * handles, bindings, the builder, and read-back of shapes and costs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph.h"
#include "tpusim.h"

const char *tpusim_version(void)
{
    return TPUSIM_VERSION;
}

const char *tpusim_status_name(int status)
{
    switch (status) {
    case TPUSIM_OK: return "TPUSIM_OK";
    case TPUSIM_ERR_ARG: return "TPUSIM_ERR_ARG";
    case TPUSIM_ERR_NOMEM: return "TPUSIM_ERR_NOMEM";
    case TPUSIM_ERR_IO: return "TPUSIM_ERR_IO";
    case TPUSIM_ERR_PARSE: return "TPUSIM_ERR_PARSE";
    case TPUSIM_ERR_UNSUPPORTED: return "TPUSIM_ERR_UNSUPPORTED";
    case TPUSIM_ERR_GRAPH: return "TPUSIM_ERR_GRAPH";
    case TPUSIM_ERR_SHAPE: return "TPUSIM_ERR_SHAPE";
    case TPUSIM_ERR_UNBOUND: return "TPUSIM_ERR_UNBOUND";
    case TPUSIM_ERR_STATE: return "TPUSIM_ERR_STATE";
    }
    return "TPUSIM_ERR_UNKNOWN";
}

const char *tpusim_dtype_name(tpusim_dtype dtype)
{
    switch (dtype) {
    case TPUSIM_DT_FLOAT32: return "float32";
    case TPUSIM_DT_UINT8: return "uint8";
    case TPUSIM_DT_INT8: return "int8";
    case TPUSIM_DT_UINT16: return "uint16";
    case TPUSIM_DT_INT16: return "int16";
    case TPUSIM_DT_INT32: return "int32";
    case TPUSIM_DT_INT64: return "int64";
    case TPUSIM_DT_STRING: return "string";
    case TPUSIM_DT_BOOL: return "bool";
    case TPUSIM_DT_FLOAT16: return "float16";
    case TPUSIM_DT_FLOAT64: return "float64";
    case TPUSIM_DT_UINT32: return "uint32";
    case TPUSIM_DT_UINT64: return "uint64";
    case TPUSIM_DT_BFLOAT16: return "bfloat16";
    case TPUSIM_DT_UNDEFINED: break;
    }
    return "undefined";
}

size_t tpusim_dtype_size_bytes(tpusim_dtype dtype)
{
    switch (dtype) {
    case TPUSIM_DT_UINT8:
    case TPUSIM_DT_INT8:
    case TPUSIM_DT_BOOL: return 1;
    case TPUSIM_DT_UINT16:
    case TPUSIM_DT_INT16:
    case TPUSIM_DT_FLOAT16:
    case TPUSIM_DT_BFLOAT16: return 2;
    case TPUSIM_DT_FLOAT32:
    case TPUSIM_DT_INT32:
    case TPUSIM_DT_UINT32: return 4;
    case TPUSIM_DT_INT64:
    case TPUSIM_DT_FLOAT64:
    case TPUSIM_DT_UINT64: return 8;
    case TPUSIM_DT_STRING:
    case TPUSIM_DT_UNDEFINED: break;
    }
    return 0;
}

int tpusim_graph_new(tpusim_graph **out)
{
    if (!out)
        return TPUSIM_ERR_ARG;
    *out = calloc(1, sizeof **out);
    return *out ? TPUSIM_OK : TPUSIM_ERR_NOMEM;
}

void tpusim_graph_close(tpusim_graph *g)
{
    if (!g)
        return;
    graph_free_contents(g);
    free(g);
}

const char *tpusim_graph_errmsg(const tpusim_graph *g)
{
    return g ? g->err : "no graph handle";
}

const char *tpusim_graph_notes(const tpusim_graph *g)
{
    return g && g->notes ? g->notes : "";
}

static int check_building(tpusim_graph *g)
{
    if (g->finalized)
        return graph_error(g, TPUSIM_ERR_STATE, "graph is already finalized");
    return TPUSIM_OK;
}

int tpusim_graph_set_batch(tpusim_graph *g, int64_t batch)
{
    if (!g)
        return TPUSIM_ERR_ARG;
    if (batch < 1)
        return graph_error(g, TPUSIM_ERR_ARG, "batch must be at least 1, got %lld",
                           (long long)batch);
    int rc = check_building(g);
    if (!rc)
        g->batch = batch;
    return rc;
}

int tpusim_graph_bind_dim(tpusim_graph *g, const char *name, int64_t value)
{
    if (!g)
        return TPUSIM_ERR_ARG;
    if (!name || !name[0])
        return graph_error(g, TPUSIM_ERR_ARG, "a dimension binding needs a name");
    if (value < 1)
        return graph_error(g, TPUSIM_ERR_ARG, "dimension '%s' must be at least 1, got %lld", name,
                           (long long)value);
    int rc = check_building(g);
    if (rc)
        return rc;
    struct dim_binding *b = graph_find_binding(g, name);
    if (b) { /* a later binding of a name replaces the earlier one */
        b->value = value;
        return TPUSIM_OK;
    }
    b = realloc(g->bindings, (size_t)(g->n_bindings + 1) * sizeof *b);
    if (!b)
        return graph_error(g, TPUSIM_ERR_NOMEM, "out of memory");
    g->bindings = b;
    b[g->n_bindings].name = graph_strdup(name);
    if (!b[g->n_bindings].name)
        return graph_error(g, TPUSIM_ERR_NOMEM, "out of memory");
    b[g->n_bindings].value = value;
    b[g->n_bindings].used = false;
    g->n_bindings++;
    return TPUSIM_OK;
}

int tpusim_graph_add_input(tpusim_graph *g, const char *name, tpusim_dtype dtype, int rank,
                           const int64_t *dims)
{
    if (!g || (rank > 0 && !dims))
        return g ? graph_error(g, TPUSIM_ERR_ARG, "input needs dims") : TPUSIM_ERR_ARG;
    int rc = check_building(g);
    return rc ? rc : graph_define_input(g, name, dtype, rank, dims, NULL, NULL);
}

int tpusim_graph_add_weight(tpusim_graph *g, const char *name, tpusim_dtype dtype, int rank,
                            const int64_t *dims)
{
    if (!g || (rank > 0 && !dims))
        return g ? graph_error(g, TPUSIM_ERR_ARG, "weight needs dims") : TPUSIM_ERR_ARG;
    int rc = check_building(g);
    return rc ? rc : graph_define_tensor(g, name, dtype, rank, dims, NULL);
}

int tpusim_graph_add_int_constant(tpusim_graph *g, const char *name, int rank, const int64_t *dims,
                                  const int64_t *values)
{
    if (!g || (rank > 0 && !dims))
        return g ? graph_error(g, TPUSIM_ERR_ARG, "constant needs dims") : TPUSIM_ERR_ARG;
    struct tensor *t = NULL;
    int rc = check_building(g);
    if (!rc)
        rc = graph_define_tensor(g, name, TPUSIM_DT_INT64, rank, dims, &t);
    if (!rc && tensor_elems(t) > GRAPH_MAX_KEPT_VALUES)
        rc = graph_error(g, TPUSIM_ERR_ARG, "constant '%s' has over %d values", name,
                         GRAPH_MAX_KEPT_VALUES);
    if (!rc && tensor_elems(t) && !values)
        rc = graph_error(g, TPUSIM_ERR_ARG, "constant '%s' needs values", name);
    if (!rc)
        rc = tensor_set_ivals(g, t, values, tensor_elems(t));
    return rc;
}

int tpusim_graph_add_op(tpusim_graph *g, const char *op_type, const char *name,
                        const char *const *inputs, int n_inputs, const char *const *outputs,
                        int n_outputs)
{
    if (!g)
        return TPUSIM_ERR_ARG;
    const struct op_info *info = op_info_by_name(op_type);
    if (info && (info->type == OP_IF || info->type == OP_LOOP || info->type == OP_SCAN))
        return graph_error(g, TPUSIM_ERR_UNSUPPORTED,
                           "node '%s': op type '%s' needs subgraphs, which only ONNX files give",
                           name ? name : "", op_type);
    const char *stored[OP_STORED_INPUTS];
    int n_stored = info && inputs && n_inputs >= 0
                       ? op_stored_inputs(info->type, inputs, n_inputs, stored)
                       : -1;
    if (n_stored >= 0)
        return graph_add_op(g, op_type, NULL, name, stored, n_stored, outputs, n_outputs, NULL);
    return graph_add_op(g, op_type, NULL, name, inputs, n_inputs, outputs, n_outputs, NULL);
}

static struct op *last_op(tpusim_graph *g)
{
    if (g->n_ops == 0 || g->finalized) {
        graph_error(g, TPUSIM_ERR_STATE, "set an attribute right after adding its node");
        return NULL;
    }
    return g->ops[g->n_ops - 1];
}

int tpusim_graph_set_attr_int(tpusim_graph *g, const char *attr, int64_t value)
{
    struct op *op = g ? last_op(g) : NULL;
    return op ? op_add_attr_int(g, op, attr, value) : (g ? TPUSIM_ERR_STATE : TPUSIM_ERR_ARG);
}

int tpusim_graph_set_attr_float(tpusim_graph *g, const char *attr, double value)
{
    struct op *op = g ? last_op(g) : NULL;
    return op ? op_add_attr_float(g, op, attr, value) : (g ? TPUSIM_ERR_STATE : TPUSIM_ERR_ARG);
}

int tpusim_graph_set_attr_ints(tpusim_graph *g, const char *attr, const int64_t *values, size_t n)
{
    struct op *op = g ? last_op(g) : NULL;
    return op ? op_add_attr_ints(g, op, attr, values, n) : (g ? TPUSIM_ERR_STATE : TPUSIM_ERR_ARG);
}

int tpusim_graph_set_attr_string(tpusim_graph *g, const char *attr, const char *value)
{
    struct op *op = g ? last_op(g) : NULL;
    return op ? op_add_attr_string(g, op, attr, value) : (g ? TPUSIM_ERR_STATE : TPUSIM_ERR_ARG);
}

int tpusim_graph_mark_output(tpusim_graph *g, const char *tensor)
{
    if (!g || !tensor)
        return TPUSIM_ERR_ARG;
    struct tensor *t = graph_find_tensor(g, tensor);
    if (!t)
        return graph_error(g, TPUSIM_ERR_ARG, "no tensor named '%s'", tensor);
    t->is_output = true;
    return TPUSIM_OK;
}

/* Names a weight "<node>.<suffix>" for the convenience builders. */
static int add_named_weight(tpusim_graph *g, const char *node, const char *suffix, int rank,
                            const int64_t *dims, char *name, size_t len)
{
    snprintf(name, len, "%s.%s", node, suffix);
    return tpusim_graph_add_weight(g, name, TPUSIM_DT_FLOAT32, rank, dims);
}

/* Channels (axis 1) of a builder input, inferring its producers' shapes
 * now if needed: the convenience builders size weights from it. */
static int builder_channels(tpusim_graph *g, const char *input, int64_t *out)
{
    struct tensor *t = graph_find_tensor(g, input);
    if (!t || !t->defined)
        return graph_error(g, TPUSIM_ERR_GRAPH, "builder: no tensor named '%s'", input);
    int rc = graph_infer_early(g, t, 0);
    if (!rc && t->rank < 2)
        rc = graph_error(g, TPUSIM_ERR_SHAPE, "builder: '%s' has rank %d, expected [N, C, ...]",
                         input, t->rank);
    if (!rc)
        *out = t->dims[1];
    return rc;
}

int tpusim_graph_add_conv2d(tpusim_graph *g, const char *name, const char *input, const char *output,
                            int64_t out_channels, int64_t kernel, int64_t stride, int64_t pad,
                            int64_t group)
{
    if (!g || !name || !input || !output)
        return g ? graph_error(g, TPUSIM_ERR_ARG, "conv2d needs a name, input and output")
                 : TPUSIM_ERR_ARG;
    int64_t cin = 0;
    int rc = builder_channels(g, input, &cin);
    if (rc)
        return rc;
    if (group < 1 || out_channels < 1 || kernel < 1 || stride < 1 || pad < 0 ||
        cin % group || out_channels % group)
        return graph_error(g, TPUSIM_ERR_ARG,
                           "conv2d '%s': channels %lld -> %lld must divide by group %lld; "
                           "kernel and stride >= 1, pad >= 0",
                           name, (long long)cin, (long long)out_channels, (long long)group);
    char w[600], b[600];
    int64_t wdims[4] = {out_channels, cin / group, kernel, kernel};
    rc = add_named_weight(g, name, "w", 4, wdims, w, sizeof w);
    if (!rc)
        rc = add_named_weight(g, name, "b", 1, &out_channels, b, sizeof b);
    struct op *op = NULL;
    const char *ins[3] = {input, w, b};
    if (!rc)
        rc = graph_add_op(g, "Conv", NULL, name, ins, 3, &output, 1, &op);
    int64_t ks[2] = {kernel, kernel}, st[2] = {stride, stride}, pads[4] = {pad, pad, pad, pad};
    if (!rc)
        rc = op_add_attr_ints(g, op, "kernel_shape", ks, 2);
    if (!rc)
        rc = op_add_attr_ints(g, op, "strides", st, 2);
    if (!rc)
        rc = op_add_attr_ints(g, op, "pads", pads, 4);
    if (!rc)
        rc = op_add_attr_int(g, op, "group", group);
    return rc;
}

int tpusim_graph_add_dense(tpusim_graph *g, const char *name, const char *input, const char *output,
                           int64_t out_features)
{
    if (!g || !name || !input || !output)
        return g ? graph_error(g, TPUSIM_ERR_ARG, "dense needs a name, input and output")
                 : TPUSIM_ERR_ARG;
    int64_t in_features = 0;
    int rc = builder_channels(g, input, &in_features);
    if (rc)
        return rc;
    if (out_features < 1)
        return graph_error(g, TPUSIM_ERR_ARG, "dense '%s': out_features must be >= 1", name);
    char w[600], b[600];
    int64_t wdims[2] = {in_features, out_features};
    rc = add_named_weight(g, name, "w", 2, wdims, w, sizeof w);
    if (!rc)
        rc = add_named_weight(g, name, "b", 1, &out_features, b, sizeof b);
    const char *ins[3] = {input, w, b};
    return rc ? rc : graph_add_op(g, "Gemm", NULL, name, ins, 3, &output, 1, NULL);
}

int tpusim_graph_finalize(tpusim_graph *g)
{
    return g ? graph_finalize(g) : TPUSIM_ERR_ARG;
}

static int check_finalized(const tpusim_graph *g)
{
    if (!g)
        return TPUSIM_ERR_ARG;
    if (!g->finalized)
        return graph_error((tpusim_graph *)g, TPUSIM_ERR_STATE, "graph is not finalized");
    return TPUSIM_OK;
}

size_t tpusim_graph_op_count(const tpusim_graph *g)
{
    return g && g->finalized ? (size_t)g->n_run_ops : 0;
}

int tpusim_graph_op(const tpusim_graph *g, size_t index, tpusim_op_info *out)
{
    if (out)
        memset(out, 0, sizeof *out);
    int rc = check_finalized(g);
    if (rc)
        return rc;
    if (!out || index >= (size_t)g->n_run_ops)
        return graph_error((tpusim_graph *)g, TPUSIM_ERR_ARG, "op index %zu out of range (%d ops)",
                           index, g->n_run_ops);
    const struct op *op = g->ops[g->run_ops[index]];
    out->name = op->name;
    out->type = op_info_of(op->type)->name;
    out->n_inputs = op->n_in;
    out->n_outputs = op->n_out;
    out->macs = op->cost.macs;
    out->flops = op->cost.flops;
    out->params = op->cost.params;
    out->bytes_in = op->cost.bytes_in;
    out->bytes_weights = op->cost.bytes_weights;
    out->bytes_out = op->cost.bytes_out;
    return TPUSIM_OK;
}

int tpusim_graph_op_tensor(const tpusim_graph *g, size_t index, int output, int which,
                           tpusim_tensor_info *out)
{
    if (out)
        memset(out, 0, sizeof *out);
    int rc = check_finalized(g);
    if (rc)
        return rc;
    if (!out || index >= (size_t)g->n_run_ops)
        return graph_error((tpusim_graph *)g, TPUSIM_ERR_ARG, "op index %zu out of range", index);
    const struct op *op = g->ops[g->run_ops[index]];
    const struct tensor *t = output ? op_out(g, op, which) : op_in(g, op, which);
    if (!t)
        return graph_error((tpusim_graph *)g, TPUSIM_ERR_ARG,
                           "op '%s' has no %s %d (absent optional inputs have none)", op->name,
                           output ? "output" : "input", which);
    out->name = t->name;
    out->dtype = t->dtype;
    out->rank = t->rank;
    memcpy(out->dims, t->dims, sizeof out->dims);
    out->is_constant = t->is_const;
    return TPUSIM_OK;
}

int tpusim_graph_totals(const tpusim_graph *g, tpusim_totals *out)
{
    if (out)
        memset(out, 0, sizeof *out);
    int rc = check_finalized(g);
    if (rc || !out)
        return rc ? rc : TPUSIM_ERR_ARG;
    for (int i = 0; i < g->n_run_ops; i++) {
        const struct op_cost *c = &g->ops[g->run_ops[i]]->cost;
        out->ops++;
        out->macs += c->macs;
        out->flops += c->flops;
        out->params += c->params;
        out->bytes += c->bytes_in + c->bytes_weights + c->bytes_out;
    }
    return TPUSIM_OK;
}
