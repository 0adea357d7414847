/*
 * finalize.c — graph_finalize(): structure checks (dangling tensors,
 * cycles), weights given as graph inputs, symbolic dimension binding,
 * topological sort, shape inference with constant folding, and the per-op
 * byte and parameter counts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control_flow.h"
#include "graph.h"
#include "quant.h"

/* One use of a tensor: input `slot` of op `op`. */
struct consumer {
    int op, slot;
};

/* Inputs that hold learned parameters: a graph input used only here is a
 * weight given by shape (exporters that leave weights out of the file). */
static bool is_weight_slot(enum op_type type, int slot)
{
    switch (type) {
    case OP_CONV:
    case OP_CONV_TRANSPOSE:
    case OP_GEMM:
    case OP_QLINEAR_CONV: /* stored operands first (ops.h) */
    case OP_CONV_INTEGER:
        return slot == 1 || slot == 2;
    case OP_MATMUL:
    case OP_PRELU:
    case OP_QLINEAR_MATMUL:
    case OP_MATMUL_INTEGER:
        return slot == 1;
    case OP_GATHER:
        return slot == 0;
    case OP_BATCH_NORM:
        return slot >= 1 && slot <= 4;
    case OP_LAYER_NORM:
    case OP_INSTANCE_NORM:
        return slot == 1 || slot == 2;
    case OP_LSTM:
    case OP_GRU:
    case OP_RNN:
        return slot >= 1 && slot <= 3;
    default:
        return false;
    }
}

/* Weights and biases may be float or quantized: 8-bit integers, and
 * 32-bit integer biases (TFLite, ONNX QDQ). */
static bool param_dtype(tpusim_dtype dt)
{
    return dtype_is_float(dt) || dt == TPUSIM_DT_INT8 || dt == TPUSIM_DT_UINT8 ||
           dt == TPUSIM_DT_INT32;
}

/* Biases and scales applied by elementwise ops also count as parameters. */
static bool counts_as_param(enum op_type type, int slot, const struct tensor *t)
{
    if (!t->is_const)
        return false;
    if (is_weight_slot(type, slot))
        return param_dtype(t->dtype);
    bool affine = type == OP_ADD || type == OP_SUB || type == OP_MUL || type == OP_DIV;
    return affine && dtype_is_float(t->dtype) && tensor_elems(t) > 1;
}

static int check_defined(struct tpusim_graph *g)
{
    for (int i = 0; i < g->n_ops; i++) {
        const struct op *op = g->ops[i];
        for (int k = 0; k < op->n_in; k++) {
            const struct tensor *t = op_in(g, op, k);
            if (t && !t->defined)
                return graph_error(g, TPUSIM_ERR_GRAPH,
                                   "node '%s' (%s): input '%s' is not produced by any node, "
                                   "initializer or graph input",
                                   op->name, op_info_of(op->type)->name, t->name);
        }
    }
    return TPUSIM_OK;
}

/* A static-shaped graph input consumed only at weight slots is a weight. */
static void classify_weight_inputs(struct tpusim_graph *g, const int *cons_start,
                                   const struct consumer *cons)
{
    for (int i = 0; i < g->n_tensors; i++) {
        struct tensor *t = g->tensors[i];
        if (!t->is_input || cons_start[i] == cons_start[i + 1])
            continue;
        bool weight = true;
        for (int r = 0; r < t->rank; r++)
            weight = weight && t->dims[r] > 0;
        for (int c = cons_start[i]; c < cons_start[i + 1] && weight; c++)
            weight = is_weight_slot(g->ops[cons[c].op]->type, cons[c].slot);
        if (weight) {
            t->is_input = false;
            t->is_const = true;
        }
    }
}

/* Lists the symbolic names of the data inputs into buf, for messages. */
static const char *symbolic_names(const struct tpusim_graph *g, char *buf, size_t len)
{
    size_t off = 0;
    buf[0] = '\0';
    for (int i = 0; i < g->n_tensors && off < len; i++) {
        const struct tensor *t = g->tensors[i];
        if (!t->is_input)
            continue;
        for (int r = 0; r < t->rank && off < len; r++)
            if (t->dim_params[r])
                off += (size_t)snprintf(buf + off, len - off, "%s%s", off ? ", " : "",
                                        t->dim_params[r]);
    }
    if (!buf[0])
        snprintf(buf, len, "none");
    return buf;
}

/* --batch N on a symbolic leading dimension binds that name everywhere it
 * appears (a past state's axis-1 'batch_size' too), unless --dim names it;
 * the note says which names it bound. */
static int bind_batch_symbols(struct tpusim_graph *g)
{
    for (int i = 0; i < g->n_tensors && g->batch > 0; i++) {
        const struct tensor *t = g->tensors[i];
        char axis_name[600];
        if (!t->is_input || t->rank < 1 || t->dims[0] >= 0 || !t->dim_params[0])
            continue;
        snprintf(axis_name, sizeof axis_name, "%s:0", t->name);
        const char *sym = t->dim_params[0];
        if (graph_find_binding(g, sym) || graph_find_binding(g, axis_name))
            continue;
        int rc = tpusim_graph_bind_dim(g, sym, g->batch);
        if (!rc)
            rc = graph_note(g, "--batch %lld bound the symbolic dimension '%s'",
                            (long long)g->batch, sym);
        if (rc)
            return rc;
    }
    return TPUSIM_OK;
}

static int bind_input_dims(struct tpusim_graph *g)
{
    int rc = bind_batch_symbols(g);
    const struct tensor *fixed = NULL; /* an input whose axis 0 cannot take the batch */
    bool batched = false;
    for (int i = 0; i < g->n_tensors && !rc; i++) {
        struct tensor *t = g->tensors[i];
        if (!t->is_input)
            continue;
        if (t->rank && g->batch > 0) {
            bool takes = t->dims[0] < 0 || t->dims[0] == 1 || t->dims[0] == g->batch;
            batched = batched || takes;
            fixed = takes || fixed ? fixed : t;
        }
        for (int r = 0; r < t->rank && !rc; r++) {
            char axis_name[600];
            snprintf(axis_name, sizeof axis_name, "%s:%d", t->name, r);
            const struct dim_binding *b = graph_find_binding(g, axis_name);
            if (!b && t->dim_params[r])
                b = graph_find_binding(g, t->dim_params[r]);
            if (b) {
                t->dims[r] = b->value;
                g->bindings[b - g->bindings].used = true;
            } else if (r == 0 && g->batch > 0 && (t->dims[0] < 0 || t->dims[0] == 1)) {
                t->dims[0] = g->batch;
            }
            if (t->dims[r] > 0)
                continue;
            if (t->dims[r] == 0)
                rc = graph_error(g, TPUSIM_ERR_SHAPE,
                                 "input '%s' has a zero-size dimension at axis %d", t->name, r);
            else if (t->dim_params[r])
                rc = graph_error(g, TPUSIM_ERR_UNBOUND,
                                 "input '%s' axis %d is the symbolic dimension '%s': bind it "
                                 "with --dim %s=VALUE%s",
                                 t->name, r, t->dim_params[r], t->dim_params[r],
                                 r == 0 ? " or --batch N" : "");
            else
                rc = graph_error(g, TPUSIM_ERR_UNBOUND,
                                 "input '%s' axis %d has no size in the file: bind it with "
                                 "--dim %s:%d=VALUE%s",
                                 t->name, r, t->name, r, r == 0 ? " or --batch N" : "");
        }
        if (!rc)
            rc = tensor_set_shape(g, NULL, t, t->dtype, t->rank, t->dims);
    }
    /* A batch no input takes would be reported but not simulated. */
    if (!rc && g->batch > 1 && !batched)
        rc = graph_error(g, TPUSIM_ERR_ARG,
                         "batch %lld: no input has a batch axis to take it (%s%s%s%lld in the "
                         "file); set sizes with --dim instead",
                         (long long)g->batch, fixed ? "axis 0 of input '" : "the model has no "
                         "data inputs", fixed ? fixed->name : "", fixed ? "' is " : ": ",
                         fixed ? (long long)fixed->dims[0] : 0LL);
    return rc;
}

/* Consumers of each tensor in CSR form: tensor i's consumers are
 * cons[cons_start[i] .. cons_start[i+1]). */
static int build_consumers(struct tpusim_graph *g, int **cons_start_out,
                           struct consumer **cons_out)
{
    int *start = calloc((size_t)g->n_tensors + 1, sizeof *start);
    size_t total = 0;
    for (int i = 0; i < g->n_ops; i++)
        total += (size_t)g->ops[i]->n_in;
    struct consumer *cons = malloc((total ? total : 1) * sizeof *cons);
    int *fill = calloc((size_t)g->n_tensors + 1, sizeof *fill);
    if (!start || !cons || !fill) {
        free(start);
        free(cons);
        free(fill);
        return graph_error(g, TPUSIM_ERR_NOMEM, "out of memory");
    }
    for (int i = 0; i < g->n_ops; i++)
        for (int k = 0; k < g->ops[i]->n_in; k++)
            if (g->ops[i]->in[k] >= 0)
                start[g->ops[i]->in[k] + 1]++;
    for (int t = 0; t < g->n_tensors; t++)
        start[t + 1] += start[t];
    for (int i = 0; i < g->n_ops; i++)
        for (int k = 0; k < g->ops[i]->n_in; k++) {
            int t = g->ops[i]->in[k];
            if (t >= 0)
                cons[start[t] + fill[t]++] = (struct consumer){i, k};
        }
    free(fill);
    *cons_start_out = start;
    *cons_out = cons;
    return TPUSIM_OK;
}

/* Kahn's algorithm; nodes in files are not always in topological order. */
static int topo_sort(struct tpusim_graph *g, const int *cons_start,
                     const struct consumer *cons)
{
    int *pending = calloc((size_t)(g->n_ops ? g->n_ops : 1), sizeof *pending);
    g->order = malloc((size_t)(g->n_ops ? g->n_ops : 1) * sizeof *g->order);
    if (!pending || !g->order) {
        free(pending);
        return graph_error(g, TPUSIM_ERR_NOMEM, "out of memory");
    }
    int n = 0;
    for (int i = 0; i < g->n_ops; i++) {
        for (int k = 0; k < g->ops[i]->n_in; k++) {
            const struct tensor *t = op_in(g, g->ops[i], k);
            if (t && t->producer >= 0)
                pending[i]++;
        }
        if (pending[i] == 0)
            g->order[n++] = i;
    }
    for (int head = 0; head < n; head++) {
        const struct op *op = g->ops[g->order[head]];
        for (int o = 0; o < op->n_out; o++) {
            int t = op->out[o];
            for (int c = cons_start[t]; c < cons_start[t + 1]; c++)
                if (--pending[cons[c].op] == 0)
                    g->order[n++] = cons[c].op;
        }
    }
    int rc = TPUSIM_OK;
    if (n < g->n_ops) {
        int stuck = 0;
        while (pending[stuck] == 0)
            stuck++;
        rc = graph_error(g, TPUSIM_ERR_GRAPH,
                         "the graph has a cycle: node '%s' (%s) depends on its own output "
                         "(%d of %d nodes cannot be ordered)",
                         g->ops[stuck]->name, op_info_of(g->ops[stuck]->type)->name,
                         g->n_ops - n, g->n_ops);
    }
    free(pending);
    return rc;
}

static bool all_inputs_const(const struct tpusim_graph *g, const struct op *op)
{
    for (int k = 0; k < op->n_in; k++) {
        const struct tensor *t = op_in(g, op, k);
        if (t && !t->is_const)
            return false;
    }
    return true;
}

static bool all_outputs_known(const struct tpusim_graph *g, const struct op *op)
{
    for (int o = 0; o < op->n_out; o++)
        if (!tensor_has_values(op_out(g, op, o)))
            return false;
    return true;
}

static int infer_op(struct tpusim_graph *g, struct op *op)
{
    const struct op_info *info = op_info_of(op->type);
    memset(&op->cost, 0, sizeof op->cost);
    op->folded = all_inputs_const(g, op);
    int rc = info->infer(g, op);
    if (rc)
        return rc;
    op->folded = op->folded || all_outputs_known(g, op);
    for (int o = 0; o < op->n_out; o++) {
        struct tensor *t = op_out(g, op, o);
        char shape[128];
        if (t->rank < 0)
            return op_error(g, op, "output '%s' has no shape after inference", t->name);
        t->is_const = op->folded;
        if (!op->folded && tensor_elems(t) == 0)
            return op_error(g, op, "output '%s' has zero elements %s: a zero-size tensor "
                            "cannot be simulated", t->name, shape_str(t, shape, sizeof shape));
    }
    return TPUSIM_OK;
}

/* Parameters are counted at their source: the initializer, Constant or
 * ConstantOfShape a weight comes from, even when folded ops (Unsqueeze,
 * Slice, Transpose) reshape it on the way; each source counts once. */
static uint64_t param_sources(const struct tpusim_graph *g, const struct tensor *t, bool *seen,
                              int depth)
{
    if (seen[t->index] || depth > 64)
        return 0;
    seen[t->index] = true;
    const struct op *src = t->producer >= 0 ? g->ops[t->producer] : NULL;
    if (!src || src->type == OP_CONSTANT_OF_SHAPE)
        return param_dtype(t->dtype) && tensor_elems(t) > 1 ? tensor_elems(t) : 0;
    uint64_t n = 0;
    for (int k = 0; k < src->n_in; k++) {
        const struct tensor *in = op_in(g, src, k);
        /* Through folded ops to the float weight, or to the quantized one
         * a DequantizeLinear reads (integer shape vectors are no weights). */
        bool weight = src->type == OP_DEQUANTIZE_LINEAR
                          ? k == 0 /* not its scale and zero point */
                          : dtype_is_float(in ? in->dtype : TPUSIM_DT_UNDEFINED);
        if (in && in->is_const && weight)
            n += param_sources(g, in, seen, depth + 1);
    }
    return n;
}

static void count_bytes_and_params(struct tpusim_graph *g, struct op *op, bool *param_seen)
{
    for (int k = 0; k < op->n_in; k++) {
        const struct tensor *t = op_in(g, op, k);
        if (!t)
            continue;
        if (t->is_const)
            op->cost.bytes_weights += tensor_bytes(t);
        else
            op->cost.bytes_in += tensor_bytes(t);
        if (counts_as_param(op->type, k, t))
            op->cost.params += param_sources(g, t, param_seen, 0);
    }
    for (int o = 0; o < op->n_out; o++)
        op->cost.bytes_out += tensor_bytes(op_out(g, op, o));
}

/* Readers of a bypassed op's output i read its input i instead (chains
 * resolve in topological order); a model output moves to the tensor it
 * stands for. */
static int apply_bypasses(struct tpusim_graph *g)
{
    int *alias = malloc((size_t)(g->n_tensors ? g->n_tensors : 1) * sizeof *alias);
    if (!alias)
        return graph_error(g, TPUSIM_ERR_NOMEM, "out of memory");
    for (int t = 0; t < g->n_tensors; t++)
        alias[t] = t;
    for (int i = 0; i < g->n_ops; i++) {
        const struct op *op = g->ops[g->order[i]];
        for (int o = 0; op->bypassed && o < op->n_out && o < op->n_in; o++)
            if (op->in[o] >= 0)
                alias[op->out[o]] = alias[op->in[o]];
    }
    for (int i = 0; i < g->n_ops; i++) {
        struct op *op = g->ops[i];
        for (int k = 0; k < op->n_in && !op->bypassed && !op->dead; k++)
            if (op->in[k] >= 0)
                op->in[k] = alias[op->in[k]];
    }
    for (int t = 0; t < g->n_tensors; t++)
        if (g->tensors[t]->is_output && alias[t] != t)
            g->tensors[alias[t]]->is_output = true;
    free(alias);
    return TPUSIM_OK;
}

/* The ops that run, in order, with their bytes and parameters. */
static int collect_run_ops(struct tpusim_graph *g)
{
    bool *param_seen = calloc((size_t)g->n_tensors + 1, sizeof *param_seen);
    g->run_ops = malloc((size_t)(g->n_ops ? g->n_ops : 1) * sizeof *g->run_ops);
    if (!param_seen || !g->run_ops) {
        free(param_seen);
        return graph_error(g, TPUSIM_ERR_NOMEM, "out of memory");
    }
    g->n_run_ops = 0;
    for (int i = 0; i < g->n_ops; i++) {
        struct op *op = g->ops[g->order[i]];
        if (op->folded || op->bypassed || op->dead)
            continue;
        count_bytes_and_params(g, op, param_seen);
        g->run_ops[g->n_run_ops++] = op->index;
    }
    free(param_seen);
    return TPUSIM_OK;
}

/* Infers every op in order; a control-flow op first brings its body in
 * before itself (control_flow.h), and the walk goes on from there. */
static int infer_all(struct tpusim_graph *g)
{
    int rc = TPUSIM_OK;
    for (int i = 0; i < g->n_ops && !rc; i++) {
        struct op *op = g->ops[g->order[i]];
        if (cf_in_failed_branch(g, op)) {
            op->dead = true;
            continue;
        }
        if (cf_needs_expansion(op)) {
            rc = cf_expand(g, op, i);
            i--; /* the first op it placed, or op itself, is at i now */
        } else {
            rc = infer_op(g, op);
        }
        if (rc && cf_branch_failed(g, op))
            rc = TPUSIM_OK;
    }
    if (!rc)
        rc = quant_fold(g);
    if (!rc)
        rc = apply_bypasses(g);
    return rc ? rc : collect_run_ops(g);
}

/* Every --dim must have bound an input dimension or a Loop's trip count. */
static int check_bindings_used(struct tpusim_graph *g)
{
    char names[512];
    for (int b = 0; b < g->n_bindings; b++)
        if (!g->bindings[b].used)
            return graph_error(g, TPUSIM_ERR_ARG,
                               "--dim %s matches no dimension of the model's inputs (symbolic "
                               "dimensions: %s)%s",
                               g->bindings[b].name, symbolic_names(g, names, sizeof names),
                               strstr(g->bindings[b].name, ".trip_count") ? " and no Loop node"
                                                                          : "");
    return TPUSIM_OK;
}

int graph_finalize(struct tpusim_graph *g)
{
    if (g->finalized)
        return graph_error(g, TPUSIM_ERR_STATE, "graph is already finalized");
    if (g->n_ops == 0)
        return graph_error(g, TPUSIM_ERR_GRAPH, "the graph has no nodes");
    int *cons_start = NULL;
    struct consumer *cons = NULL;
    int rc = check_defined(g);
    if (!rc)
        rc = build_consumers(g, &cons_start, &cons);
    if (!rc) {
        classify_weight_inputs(g, cons_start, cons);
        rc = bind_input_dims(g);
    }
    if (!rc)
        rc = topo_sort(g, cons_start, cons);
    if (!rc) {
        for (int i = 0; i < g->n_tensors; i++)
            if (cons_start[i] == cons_start[i + 1] && g->tensors[i]->producer >= 0)
                g->tensors[i]->is_output = true;
        rc = infer_all(g);
    }
    if (!rc)
        rc = check_bindings_used(g);
    free(cons_start);
    free(cons);
    if (!rc) {
        g->finalized = true;
        g->err[0] = '\0';
    }
    return rc;
}

