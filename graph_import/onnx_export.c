/*
 * onnx_export.c — a finalized graph back to ONNX (onnx_export.h). The
 * protobuf-c message tree is built in an arena of allocations freed
 * together once the model is packed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph.h"
#include "onnx.pb-c.h"
#include "onnx_export.h"

#define ONNX_IR_VERSION 8
#define ONNX_OPSET 17

struct arena {
    void **p;
    size_t n, cap;
    int oom;
};

static void *arena_alloc(struct arena *a, size_t n, size_t size)
{
    if (a->oom)
        return NULL;
    if (a->n == a->cap) {
        size_t cap = a->cap ? 2 * a->cap : 256;
        void **p = realloc(a->p, cap * sizeof *p);
        if (!p) {
            a->oom = 1;
            return NULL;
        }
        a->p = p;
        a->cap = cap;
    }
    void *m = calloc(n ? n : 1, size);
    if (!m) {
        a->oom = 1;
        return NULL;
    }
    a->p[a->n++] = m;
    return m;
}

static void arena_free(struct arena *a)
{
    for (size_t i = 0; i < a->n; i++)
        free(a->p[i]);
    free(a->p);
}

static Onnx__ValueInfoProto *value_info(struct arena *a, const struct tensor *t)
{
    Onnx__ValueInfoProto *vi = arena_alloc(a, 1, sizeof *vi);
    Onnx__TypeProto *tp = arena_alloc(a, 1, sizeof *tp);
    Onnx__TypeProto__Tensor *tt = arena_alloc(a, 1, sizeof *tt);
    Onnx__TensorShapeProto *sh = arena_alloc(a, 1, sizeof *sh);
    Onnx__TensorShapeProto__Dimension **dims =
        arena_alloc(a, (size_t)(t->rank > 0 ? t->rank : 1), sizeof *dims);
    if (!vi || !tp || !tt || !sh || !dims)
        return NULL;
    onnx__value_info_proto__init(vi);
    onnx__type_proto__init(tp);
    onnx__type_proto__tensor__init(tt);
    onnx__tensor_shape_proto__init(sh);
    for (int i = 0; i < t->rank; i++) {
        dims[i] = arena_alloc(a, 1, sizeof *dims[i]);
        if (!dims[i])
            return NULL;
        onnx__tensor_shape_proto__dimension__init(dims[i]);
        dims[i]->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
        dims[i]->dim_value = t->dims[i];
    }
    sh->n_dim = (size_t)(t->rank > 0 ? t->rank : 0);
    sh->dim = dims;
    tt->has_elem_type = 1;
    tt->elem_type = (int32_t)t->dtype;
    tt->shape = sh;
    tp->value_case = ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE;
    tp->tensor_type = tt;
    vi->name = t->name;
    vi->type = tp;
    return vi;
}

static Onnx__TensorProto *initializer(struct arena *a, const struct tensor *t)
{
    Onnx__TensorProto *tp = arena_alloc(a, 1, sizeof *tp);
    int64_t *dims = arena_alloc(a, (size_t)(t->rank > 0 ? t->rank : 1), sizeof *dims);
    if (!tp || !dims)
        return NULL;
    onnx__tensor_proto__init(tp);
    for (int i = 0; i < t->rank; i++)
        dims[i] = t->dims[i];
    tp->n_dims = (size_t)(t->rank > 0 ? t->rank : 0);
    tp->dims = dims;
    tp->has_data_type = 1;
    tp->data_type = (int32_t)t->dtype;
    tp->name = t->name;
    if (t->fvals && t->dtype == TPUSIM_DT_FLOAT32) {
        float *f = arena_alloc(a, t->n_vals, sizeof *f);
        if (!f)
            return NULL;
        for (size_t i = 0; i < t->n_vals; i++)
            f[i] = (float)t->fvals[i];
        tp->n_float_data = t->n_vals;
        tp->float_data = f;
    } else if (t->fvals) {
        tp->n_double_data = t->n_vals;
        tp->double_data = t->fvals;
        tp->data_type = TPUSIM_DT_FLOAT64;
    } else {
        tp->n_int64_data = t->n_vals;
        tp->int64_data = t->ivals;
        tp->data_type = TPUSIM_DT_INT64;
    }
    return tp;
}

static int attribute(struct arena *a, const struct op *op, const struct attr *at,
                     Onnx__AttributeProto **out, char *err, size_t err_len)
{
    Onnx__AttributeProto *ap = arena_alloc(a, 1, sizeof *ap);
    if (!ap)
        return TPUSIM_ERR_NOMEM;
    onnx__attribute_proto__init(ap);
    ap->name = at->name;
    ap->has_type = 1;
    switch (at->kind) {
    case ATTR_INT:
        ap->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT;
        ap->has_i = 1;
        ap->i = at->i;
        break;
    case ATTR_FLOAT:
        ap->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT;
        ap->has_f = 1;
        ap->f = (float)at->f;
        break;
    case ATTR_STRING:
        ap->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING;
        ap->has_s = 1;
        ap->s.data = (uint8_t *)at->s;
        ap->s.len = strlen(at->s);
        break;
    case ATTR_INTS:
        ap->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS;
        ap->n_ints = at->n;
        ap->ints = at->ints;
        break;
    case ATTR_FLOATS: {
        float *f = arena_alloc(a, at->n, sizeof *f);
        if (!f)
            return TPUSIM_ERR_NOMEM;
        for (size_t i = 0; i < at->n; i++)
            f[i] = (float)at->floats[i];
        ap->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS;
        ap->n_floats = at->n;
        ap->floats = f;
        break;
    }
    case ATTR_TENSOR:
    case ATTR_OTHER:
        snprintf(err, err_len, "node '%s': attribute '%s' (tensor or graph) cannot be exported",
                 op->name, at->name);
        return TPUSIM_ERR_UNSUPPORTED;
    }
    *out = ap;
    return TPUSIM_OK;
}

static int build_graph(struct arena *a, const struct tpusim_graph *g, const char *name,
                       Onnx__GraphProto *gp, char *err, size_t err_len)
{
    int nt = g->n_tensors;
    char *consumed = arena_alloc(a, (size_t)nt, 1);
    gp->node = arena_alloc(a, (size_t)g->n_ops, sizeof *gp->node);
    gp->input = arena_alloc(a, (size_t)nt, sizeof *gp->input);
    gp->output = arena_alloc(a, (size_t)nt, sizeof *gp->output);
    gp->initializer = arena_alloc(a, (size_t)nt, sizeof *gp->initializer);
    if (!consumed || !gp->node || !gp->input || !gp->output || !gp->initializer)
        return TPUSIM_ERR_NOMEM;
    gp->name = (char *)name;
    for (int k = 0; k < g->n_ops; k++) {
        const struct op *op = g->ops[g->order[k]]; /* finalized: order is set */
        Onnx__NodeProto *np = arena_alloc(a, 1, sizeof *np);
        char **in = arena_alloc(a, (size_t)op->n_in, sizeof *in);
        char **out = arena_alloc(a, (size_t)op->n_out, sizeof *out);
        Onnx__AttributeProto **attrs = arena_alloc(a, (size_t)op->n_attrs, sizeof *attrs);
        if (!np || !in || !out || !attrs)
            return TPUSIM_ERR_NOMEM;
        onnx__node_proto__init(np);
        for (int i = 0; i < op->n_in; i++) {
            in[i] = op->in[i] >= 0 ? g->tensors[op->in[i]]->name : "";
            if (op->in[i] >= 0)
                consumed[op->in[i]] = 1;
        }
        for (int i = 0; i < op->n_out; i++)
            out[i] = g->tensors[op->out[i]]->name;
        for (int i = 0; i < op->n_attrs; i++) {
            int rc = attribute(a, op, &op->attrs[i], &attrs[i], err, err_len);
            if (rc)
                return rc;
        }
        np->n_input = (size_t)op->n_in;
        np->input = in;
        np->n_output = (size_t)op->n_out;
        np->output = out;
        np->name = op->name;
        np->op_type = (char *)op_info_of(op->type)->name;
        np->domain = op->domain && op->domain[0] ? op->domain : NULL;
        np->n_attribute = (size_t)op->n_attrs;
        np->attribute = attrs;
        gp->node[gp->n_node++] = np;
    }
    for (int i = 0; i < nt; i++) {
        const struct tensor *t = g->tensors[i];
        if (!t->defined)
            continue;
        if (t->producer < 0 && t->is_const && (t->ivals || t->fvals)) {
            Onnx__TensorProto *tp = initializer(a, t);
            if (!tp)
                return TPUSIM_ERR_NOMEM;
            gp->initializer[gp->n_initializer++] = tp;
        } else if (t->producer < 0) { /* inputs and weights: shape only */
            Onnx__ValueInfoProto *vi = value_info(a, t);
            if (!vi)
                return TPUSIM_ERR_NOMEM;
            gp->input[gp->n_input++] = vi;
        } else if (t->producer >= 0 && (t->is_output || !consumed[i])) {
            Onnx__ValueInfoProto *vi = value_info(a, t);
            if (!vi)
                return TPUSIM_ERR_NOMEM;
            gp->output[gp->n_output++] = vi;
        }
    }
    return a->oom ? TPUSIM_ERR_NOMEM : TPUSIM_OK;
}

int onnx_export_buffer(const tpusim_graph *g, const char *name, uint8_t **out, size_t *len,
                       char *err, size_t err_len)
{
    if (out)
        *out = NULL;
    if (len)
        *len = 0;
    if (!g || !out || !len) {
        snprintf(err, err_len, "export needs a graph and an output");
        return TPUSIM_ERR_ARG;
    }
    if (!g->finalized) {
        snprintf(err, err_len, "export needs a finalized graph");
        return TPUSIM_ERR_STATE;
    }
    struct arena a = {0};
    Onnx__ModelProto model;
    Onnx__GraphProto graph;
    Onnx__OperatorSetIdProto opset;
    Onnx__OperatorSetIdProto *opsets[1] = {&opset};
    onnx__model_proto__init(&model);
    onnx__graph_proto__init(&graph);
    onnx__operator_set_id_proto__init(&opset);
    opset.domain = "";
    opset.has_version = 1;
    opset.version = ONNX_OPSET;
    model.has_ir_version = 1;
    model.ir_version = ONNX_IR_VERSION;
    model.n_opset_import = 1;
    model.opset_import = opsets;
    model.producer_name = "tpusim";
    model.producer_version = (char *)tpusim_version();
    model.graph = &graph;
    int rc = build_graph(&a, g, name && name[0] ? name : "tpusim", &graph, err, err_len);
    if (rc == TPUSIM_ERR_NOMEM)
        snprintf(err, err_len, "out of memory");
    if (!rc) {
        size_t n = onnx__model_proto__get_packed_size(&model);
        *out = malloc(n ? n : 1);
        if (!*out) {
            snprintf(err, err_len, "out of memory");
            rc = TPUSIM_ERR_NOMEM;
        } else {
            *len = onnx__model_proto__pack(&model, *out);
        }
    }
    arena_free(&a);
    return rc;
}

int onnx_export_file(const tpusim_graph *g, const char *name, const char *path, char *err,
                     size_t err_len)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    int rc = onnx_export_buffer(g, name, &buf, &len, err, err_len);
    if (rc)
        return rc;
    FILE *f = fopen(path, "wb");
    int ok = f && fwrite(buf, 1, len, f) == len;
    if (f && fclose(f) != 0)
        ok = 0;
    free(buf);
    if (!ok) {
        snprintf(err, err_len, "%s: cannot write: %s", path, strerror(errno));
        return TPUSIM_ERR_IO;
    }
    return TPUSIM_OK;
}
