/*
 * control_flow.c — If, Loop and Scan (control_flow.h): bodies brought into
 * the graph once their condition or trip count is known, and the inference
 * of the control-flow op itself afterwards (an identity over the body
 * outputs it stands for; If chooses its branch there when the condition
 * was not constant). Semantics: the ONNX operator specification (If-16,
 * Loop-16, Scan-16; Scan-9 and later share Scan-16's signature).
 */
#include "control_flow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --------------------------------------------------------- ownership */

static void free_names(char **names, int n)
{
    for (int i = 0; names && i < n; i++)
        free(names[i]);
    free(names);
}

void cf_body_free(struct graph_body *b)
{
    if (!b)
        return;
    tpusim_graph_close(b->g);
    free_names(b->inputs, b->n_inputs);
    free_names(b->outputs, b->n_outputs);
    memset(b, 0, sizeof *b);
}

void cf_free(struct control_flow *cf)
{
    if (!cf)
        return;
    if (cf->owns_bodies) {
        for (int i = 0; i < cf->n_bodies; i++)
            cf_body_free(&cf->bodies[i]);
        free(cf->bodies);
    }
    free_names(cf->outer_names, cf->n_outer);
    free(cf->failed[0]);
    free(cf->failed[1]);
    free(cf);
}


static bool in_list(char *const *names, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0)
            return true;
    return false;
}

/* Appends name to op's inputs (as a tensor of g). */
static int add_input(struct tpusim_graph *g, struct op *op, const char *name)
{
    struct tensor *t = graph_tensor(g, name);
    int *in = t ? realloc(op->in, (size_t)(op->n_in + 1) * sizeof *in) : NULL;
    if (!in)
        return graph_error(g, TPUSIM_ERR_NOMEM, "out of memory");
    op->in = in;
    op->in[op->n_in++] = t->index;
    return TPUSIM_OK;
}

/* The bodies' outer references: tensors they read that neither a body op,
 * a body constant nor a formal input defines. */
static int collect_outer(struct tpusim_graph *g, struct op *op, struct control_flow *cf)
{
    for (int b = 0; b < cf->n_bodies; b++) {
        const struct tpusim_graph *bg = cf->bodies[b].g;
        for (int i = 0; i < bg->n_tensors; i++) {
            const char *name = bg->tensors[i]->name;
            if (bg->tensors[i]->defined || in_list(cf->outer_names, cf->n_outer, name))
                continue;
            char **names = realloc(cf->outer_names, (size_t)(cf->n_outer + 1) * sizeof *names);
            if (!names)
                return graph_error(g, TPUSIM_ERR_NOMEM, "out of memory");
            cf->outer_names = names;
            if (!(names[cf->n_outer] = graph_strdup(name)))
                return graph_error(g, TPUSIM_ERR_NOMEM, "out of memory");
            cf->n_outer++;
            int rc = add_input(g, op, name);
            if (rc)
                return rc;
        }
    }
    return TPUSIM_OK;
}

int cf_attach(struct tpusim_graph *g, struct op *op, struct graph_body *bodies, int n)
{
    struct control_flow *cf = calloc(1, sizeof *cf);
    if (!cf) {
        for (int i = 0; i < n; i++)
            cf_body_free(&bodies[i]);
        free(bodies);
        return graph_error(g, TPUSIM_ERR_NOMEM, "out of memory");
    }
    cf->bodies = bodies;
    cf->n_bodies = n;
    cf->owns_bodies = true;
    op->cf = cf;
    return collect_outer(g, op, cf);
}

/* A copy made when a body holding a control-flow op is brought in: it
 * shares the bodies, which its importer's op owns. */
static struct control_flow *cf_copy(const struct control_flow *src)
{
    struct control_flow *cf = calloc(1, sizeof *cf);
    if (!cf)
        return NULL;
    cf->bodies = src->bodies;
    cf->n_bodies = src->n_bodies;
    cf->outer_names = calloc((size_t)(src->n_outer ? src->n_outer : 1), sizeof *cf->outer_names);
    if (!cf->outer_names) {
        free(cf);
        return NULL;
    }
    for (int i = 0; i < src->n_outer; i++) {
        cf->n_outer = i + 1;
        if (!(cf->outer_names[i] = graph_strdup(src->outer_names[i]))) {
            cf_free(cf);
            return NULL;
        }
    }
    cf->n_outer = src->n_outer;
    return cf;
}

bool cf_needs_expansion(const struct op *op)
{
    return op->cf && op->cf->state == CF_NEW;
}

/* ------------------------------------------------------ instantiation */

/* What bringing one body into g needs to name its tensors. */
struct inst {
    struct tpusim_graph *g;
    struct op *cf_op;
    int body;                      /* index in cf_op's bodies */
    const struct graph_body *b;
    char *const *actual;           /* names in g of the body's formal inputs */
    char *const *outer;            /* names in g of cf->outer_names */
    const char *node_prefix;       /* for the tensors the body's ops make */
    const char *const_prefix;      /* for its constants, shared by every iteration */
    int **order;                   /* where the body's op order is kept between
                                      iterations (Loop, Scan); NULL: not kept */
};

/* Copies a body constant into g once (every iteration reads the same). */
static int define_constant(struct inst *x, const struct tensor *src, const char *name)
{
    if (graph_find_tensor(x->g, name))
        return TPUSIM_OK;
    struct tensor *t;
    int rc = graph_define_tensor(x->g, name, src->dtype, src->rank, src->dims, &t);
    if (rc || !tensor_has_values(src))
        return rc;
    return src->fvals ? tensor_set_fvals(x->g, t, src->fvals, src->n_vals)
                      : tensor_set_ivals(x->g, t, src->ivals, src->n_vals);
}

/* The name in g of body tensor `name` ("" stays "": an absent input). */
static int resolve(struct inst *x, const char *name, char **out)
{
    *out = NULL;
    const struct control_flow *cf = x->cf_op->cf;
    const struct tensor *t = graph_find_tensor(x->b->g, name);
    int rc = TPUSIM_OK;
    if (!name[0])
        *out = graph_strdup("");
    for (int i = 0; !*out && i < x->b->n_inputs; i++)
        if (strcmp(x->b->inputs[i], name) == 0)
            *out = graph_strdup(x->actual[i]);
    for (int i = 0; !*out && i < cf->n_outer; i++)
        if (strcmp(cf->outer_names[i], name) == 0)
            *out = graph_strdup(x->outer[i]);
    if (!*out && t && t->producer >= 0)
        *out = graph_strprintf("%s/%s", x->node_prefix, name);
    if (!*out && t && t->defined) {
        *out = graph_strprintf("%s/%s", x->const_prefix, name);
        rc = *out ? define_constant(x, t, *out) : TPUSIM_OK;
    }
    if (!rc && !*out)
        rc = t || !name[0] ? graph_error(x->g, TPUSIM_ERR_NOMEM, "out of memory")
                           : graph_error(x->g, TPUSIM_ERR_GRAPH,
                                         "node '%s' (%s): its subgraph names '%s', which nothing "
                                         "defines",
                                         x->cf_op->name, op_info_of(x->cf_op->type)->name, name);
    return rc;
}

/* Kahn's order of a body's ops (bodies are not always sorted either). */
static int body_order(struct tpusim_graph *g, const struct tpusim_graph *bg, int **out)
{
    int n = bg->n_ops;
    int *order = malloc((size_t)(n ? n : 1) * sizeof *order);
    int *pending = calloc((size_t)(n ? n : 1), sizeof *pending);
    bool *done = calloc((size_t)(n ? n : 1), sizeof *done);
    if (!order || !pending || !done) {
        free(order);
        free(pending);
        free(done);
        return graph_error(g, TPUSIM_ERR_NOMEM, "out of memory");
    }
    for (int i = 0; i < n; i++)
        for (int k = 0; k < bg->ops[i]->n_in; k++) {
            const struct tensor *t = op_in(bg, bg->ops[i], k);
            pending[i] += t && t->producer >= 0;
        }
    int m = 0;
    /* Bodies are small: a pass per op is cheap and keeps file order
     * among ops that are ready together. */
    for (bool progress = true; progress && m < n;) {
        progress = false;
        for (int i = 0; i < n; i++) {
            if (done[i] || pending[i])
                continue;
            done[i] = progress = true;
            order[m++] = i;
            for (int j = 0; j < n; j++)
                for (int k = 0; k < bg->ops[j]->n_in; k++) {
                    const struct tensor *t = op_in(bg, bg->ops[j], k);
                    if (t && t->producer == i)
                        pending[j]--;
                }
        }
    }
    free(pending);
    free(done);
    if (m < n) {
        free(order);
        return graph_error(g, TPUSIM_ERR_GRAPH, "a subgraph has a cycle");
    }
    *out = order;
    return TPUSIM_OK;
}

/* Names of src's inputs (outputs) resolved into g. */
static int resolve_all(struct inst *x, const struct op *src, bool outputs, char ***out, int *n)
{
    *n = outputs ? src->n_out : src->n_in;
    *out = calloc((size_t)(*n ? *n : 1), sizeof **out);
    if (!*out)
        return graph_error(x->g, TPUSIM_ERR_NOMEM, "out of memory");
    int rc = TPUSIM_OK;
    for (int k = 0; k < *n && !rc; k++) {
        int t = outputs ? src->out[k] : src->in[k];
        rc = resolve(x, t >= 0 ? x->b->g->tensors[t]->name : "", &(*out)[k]);
    }
    return rc;
}

/* One body op, copied into g. */
static int copy_op(struct inst *x, const struct op *src)
{
    char **ins = NULL, **outs = NULL, *name = graph_strprintf("%s/%s", x->node_prefix, src->name);
    int n_in = 0, n_out = 0;
    struct op *dst = NULL;
    int rc = name ? resolve_all(x, src, false, &ins, &n_in)
                  : graph_error(x->g, TPUSIM_ERR_NOMEM, "out of memory");
    if (!rc)
        rc = resolve_all(x, src, true, &outs, &n_out);
    if (!rc)
        rc = graph_add_op(x->g, op_info_of(src->type)->name, src->domain, name,
                          (const char *const *)ins, n_in, (const char *const *)outs, n_out, &dst);
    if (!rc)
        rc = op_copy_attrs(x->g, dst, src);
    if (!rc) {
        dst->cf_parent = x->cf_op->index;
        dst->cf_body = x->body;
        if (src->cf && !(dst->cf = cf_copy(src->cf)))
            rc = graph_error(x->g, TPUSIM_ERR_NOMEM, "out of memory");
    }
    free_names(ins, n_in);
    free_names(outs, n_out);
    free(name);
    return rc;
}

/* Brings body x->b into g; *outs (malloc'ed) are the names in g of its
 * outputs. */
static int instantiate(struct inst *x, char ***outs)
{
    int *own = NULL, n_out = 0;
    int **order = x->order ? x->order : &own;
    *outs = NULL;
    if (x->g->n_ops + x->b->g->n_ops > CF_MAX_OPS)
        return graph_error(x->g, TPUSIM_ERR_UNSUPPORTED,
                           "node '%s' (%s): expanding its subgraphs passes %d ops",
                           x->cf_op->name, op_info_of(x->cf_op->type)->name, CF_MAX_OPS);
    int rc = *order ? TPUSIM_OK : body_order(x->g, x->b->g, order);
    for (int i = 0; i < x->b->g->n_ops && !rc; i++)
        rc = copy_op(x, x->b->g->ops[(*order)[i]]);
    free(own);
    *outs = calloc((size_t)(x->b->n_outputs ? x->b->n_outputs : 1), sizeof **outs);
    if (!rc && !*outs)
        rc = graph_error(x->g, TPUSIM_ERR_NOMEM, "out of memory");
    for (int i = 0; i < x->b->n_outputs && !rc; i++, n_out++)
        rc = resolve(x, x->b->outputs[i], &(*outs)[i]);
    return rc;
}

/* ------------------------------------------------------------ helpers */

/* Replaces op's inputs by the tensors named (the body outputs it stands for). */
static int set_inputs(struct tpusim_graph *g, struct op *op, char *const *names, int n)
{
    int *in = malloc((size_t)(n ? n : 1) * sizeof *in);
    if (!in)
        return graph_error(g, TPUSIM_ERR_NOMEM, "out of memory");
    for (int i = 0; i < n; i++) {
        struct tensor *t = names[i][0] ? graph_tensor(g, names[i]) : NULL;
        if (names[i][0] && !t) {
            free(in);
            return graph_error(g, TPUSIM_ERR_NOMEM, "out of memory");
        }
        in[i] = t ? t->index : -1;
    }
    free(op->in);
    op->in = in;
    op->n_in = n;
    return TPUSIM_OK;
}

/* Puts the ops made since `first` into g->order at pos, before the op there. */
static int place_new_ops(struct tpusim_graph *g, int pos, int first)
{
    int added = g->n_ops - first, old = g->n_ops - added;
    int *order = realloc(g->order, (size_t)(g->n_ops ? g->n_ops : 1) * sizeof *order);
    if (!order)
        return graph_error(g, TPUSIM_ERR_NOMEM, "out of memory");
    g->order = order;
    memmove(order + pos + added, order + pos, (size_t)(old - pos) * sizeof *order);
    for (int i = 0; i < added; i++)
        order[pos + i] = first + i;
    return TPUSIM_OK;
}

/* The names in g of op's outer inputs (its last n_outer). */
static int outer_actuals(struct tpusim_graph *g, const struct op *op, char ***out)
{
    int n = op->cf->n_outer;
    *out = calloc((size_t)(n ? n : 1), sizeof **out);
    if (!*out)
        return graph_error(g, TPUSIM_ERR_NOMEM, "out of memory");
    for (int i = 0; i < n; i++)
        if (!((*out)[i] = graph_strdup(g->tensors[op->in[op->n_in - n + i]]->name)))
            return graph_error(g, TPUSIM_ERR_NOMEM, "out of memory");
    return TPUSIM_OK;
}

/* A new int64 or bool scalar constant of g. */
static int scalar_const(struct tpusim_graph *g, const char *name, tpusim_dtype dt, int64_t v)
{
    struct tensor *t;
    int rc = graph_define_tensor(g, name, dt, 0, NULL, &t);
    return rc ? rc : tensor_set_ivals(g, t, &v, 1);
}

static int check_arity(struct tpusim_graph *g, const struct op *op, const struct graph_body *b,
                       int n_in, int n_out)
{
    if (b->n_inputs == n_in && b->n_outputs == n_out)
        return TPUSIM_OK;
    return op_error(g, op, "its subgraph has %d inputs and %d outputs; the node needs %d and %d",
                    b->n_inputs, b->n_outputs, n_in, n_out);
}

/* ----------------------------------------------------------------- If */

static int expand_if(struct tpusim_graph *g, struct op *op, char **outer, int pos)
{
    struct tensor *cond;
    int first = g->n_ops, n_out = op->n_out;
    int rc = op->cf->n_bodies == 2 ? op_need_in(g, op, 0, &cond)
                                   : op_error(g, op, "needs a then and an else branch");
    for (int b = 0; b < 2 && !rc; b++)
        rc = check_arity(g, op, &op->cf->bodies[b], 0, n_out);
    if (rc)
        return rc;
    /* A folded condition picks one branch; otherwise both come in and
     * infer_control_flow keeps the costlier. */
    bool known = tensor_has_values(cond) && cond->n_vals >= 1;
    int lo = known ? (tensor_value_f(cond, 0) != 0 ? 0 : 1) : 0, hi = known ? lo : 1;
    char **names = calloc((size_t)(2 * n_out + 1), sizeof *names);
    if (!names)
        return graph_error(g, TPUSIM_ERR_NOMEM, "out of memory");
    int n = 0;
    for (int b = lo; b <= hi && !rc; b++) {
        char *prefix = graph_strprintf("%s/%s", op->name, b == 0 ? "then" : "else"), **outs = NULL;
        struct inst x = {g, op, b, &op->cf->bodies[b], NULL, outer, prefix, prefix, NULL};
        rc = prefix ? instantiate(&x, &outs) : graph_error(g, TPUSIM_ERR_NOMEM, "out of memory");
        for (int i = 0; i < n_out && outs; i++, n++)
            names[n] = outs[i];
        free(outs);
        free(prefix);
    }
    if (!rc)
        rc = set_inputs(g, op, names, n);
    free_names(names, n);
    if (!rc)
        rc = place_new_ops(g, pos, first);
    op->cf->state = known ? CF_EXPANDED : CF_CHOOSING;
    return rc;
}

/* Whether x was expanded, at any depth, from body `body` of op cf. */
static bool descends_from(const struct tpusim_graph *g, const struct op *x, int cf, int body)
{
    while (x->cf_parent >= 0) {
        if (x->cf_parent == cf && x->cf_body == body)
            return true;
        x = g->ops[x->cf_parent];
    }
    return false;
}

/* FLOPs (2 per MAC plus vector work) of the ops a branch brought in. */
static uint64_t branch_flops(const struct tpusim_graph *g, int cf, int body)
{
    uint64_t f = 0;
    for (int i = 0; i < g->n_ops; i++) {
        const struct op *x = g->ops[i];
        if (!x->folded && !x->dead && descends_from(g, x, cf, body))
            f += x->cost.flops;
    }
    return f;
}

/* The nearest If above op still choosing its branch, and which branch op
 * is in; NULL when there is none. */
static struct op *choosing_if(const struct tpusim_graph *g, const struct op *op, int *body)
{
    while (op->cf_parent >= 0) {
        struct op *p = g->ops[op->cf_parent];
        if (p->type == OP_IF && p->cf && p->cf->state == CF_CHOOSING) {
            *body = op->cf_body;
            return p;
        }
        op = p;
    }
    return NULL;
}

bool cf_branch_failed(struct tpusim_graph *g, struct op *op)
{
    int body;
    struct op *p = choosing_if(g, op, &body);
    if (!p)
        return false;
    size_t skip = g->source ? strlen(g->source) : 0; /* the note names the file once */
    const char *why = skip && strncmp(g->err, g->source, skip) == 0 && g->err[skip] == ':'
                          ? g->err + skip + 2
                          : g->err;
    if (!p->cf->failed[body])
        p->cf->failed[body] = graph_strdup(why);
    op->dead = true;
    return p->cf->failed[body] != NULL;
}

bool cf_in_failed_branch(const struct tpusim_graph *g, const struct op *op)
{
    int body;
    for (const struct op *x = op; (x = choosing_if(g, x, &body));)
        if (x->cf->failed[body])
            return true;
    return false;
}

/* Neither branch folded away: keep the one with more FLOPs (then on a
 * tie) or the one that can run on these inputs, mark the other's ops dead,
 * and say which. */
static int choose_branch(struct tpusim_graph *g, struct op *op)
{
    int n = op->n_in / 2;
    char **failed = op->cf->failed;
    if (failed[0] && failed[1])
        return graph_error(g, TPUSIM_ERR_SHAPE, "%s", failed[0]);
    uint64_t f[2] = {branch_flops(g, op->index, 0), branch_flops(g, op->index, 1)};
    int keep = failed[0] ? 1 : failed[1] ? 0 : f[1] > f[0];
    for (int i = 0; i < g->n_ops; i++)
        if (descends_from(g, g->ops[i], op->index, !keep))
            g->ops[i]->dead = true;
    if (keep)
        memmove(op->in, op->in + n, (size_t)n * sizeof *op->in);
    op->n_in = n;
    op->cf->state = CF_EXPANDED;
    const char *names[2] = {"then", "else"};
    if (failed[!keep])
        return graph_note(g, "node '%s' (If): the condition is not a constant and the %s branch "
                          "cannot take these inputs (%s); the %s branch is simulated",
                          op->name, names[!keep], failed[!keep], names[keep]);
    return graph_note(g, "node '%s' (If): the condition is not a constant; the %s branch is "
                      "simulated, the costlier (%.4g MFLOPs; %s branch: %.4g MFLOPs)",
                      op->name, names[keep], (double)f[keep] / 1e6, names[!keep],
                      (double)f[!keep] / 1e6);
}

/* ------------------------------------------------------ Loop and Scan */

/* The names of a new per-iteration tensor and of the concatenated scan
 * outputs; freed by the caller. */
struct unroll {
    int trips;
    char **cur;      /* loop-carried values (Loop: cond first) */
    int n_cur;
    char ***scans;   /* scans[j][k]: scan output j of iteration k */
    int n_scan;
    int *order;      /* the body's op order, made by the first iteration */
};

static void unroll_free(struct unroll *u)
{
    free_names(u->cur, u->n_cur);
    for (int j = 0; u->scans && j < u->n_scan; j++)
        free_names(u->scans[j], u->trips);
    free(u->scans);
    free(u->order);
}

/* Leaves u freeable by unroll_free whatever happens. */
static int unroll_init(struct tpusim_graph *g, struct unroll *u, int trips, int n_cur,
                       int n_scan)
{
    memset(u, 0, sizeof *u);
    u->trips = trips;
    u->cur = calloc((size_t)(n_cur ? n_cur : 1), sizeof *u->cur);
    u->n_cur = u->cur ? n_cur : 0;
    u->scans = calloc((size_t)(n_scan ? n_scan : 1), sizeof *u->scans);
    u->n_scan = u->scans ? n_scan : 0;
    for (int j = 0; u->scans && j < n_scan; j++)
        if (!(u->scans[j] = calloc((size_t)trips, sizeof **u->scans)))
            return graph_error(g, TPUSIM_ERR_NOMEM, "out of memory");
    return u->cur && u->scans ? TPUSIM_OK : graph_error(g, TPUSIM_ERR_NOMEM, "out of memory");
}

/* One iteration: the body on `actual`; its first n_cur outputs become the
 * carried values, the rest scan outputs of iteration k. */
static int run_iteration(struct tpusim_graph *g, struct op *op, char **outer, char *const *actual,
                         int k, struct unroll *u)
{
    const struct graph_body *b = &op->cf->bodies[0];
    char *prefix = graph_strprintf("%s/iter%d", op->name, k), *cprefix = graph_strprintf("%s/body", op->name);
    char **outs = NULL;
    struct inst x = {g, op, 0, b, actual, outer, prefix, cprefix, &u->order};
    int rc = prefix && cprefix ? instantiate(&x, &outs)
                               : graph_error(g, TPUSIM_ERR_NOMEM, "out of memory");
    for (int i = 0; !rc && i < b->n_outputs; i++) {
        char **slot = i < u->n_cur ? &u->cur[i] : &u->scans[i - u->n_cur][k];
        free(*slot);
        *slot = outs[i];
        outs[i] = NULL;
    }
    free_names(outs, outs ? b->n_outputs : 0);
    free(prefix);
    free(cprefix);
    return rc;
}

/* Scan output j: each iteration's value gains axis `axis`, then one Concat
 * along it (iterations in reverse for a reverse direction). */
static int stack_scan_output(struct tpusim_graph *g, struct op *op, struct unroll *u, int j,
                             int64_t axis, bool reverse, char **out)
{
    char **parts = calloc((size_t)u->trips, sizeof *parts);
    *out = graph_strprintf("%s/scan_out%d", op->name, j);
    int rc = parts && *out ? TPUSIM_OK : graph_error(g, TPUSIM_ERR_NOMEM, "out of memory");
    for (int k = 0; k < u->trips && !rc; k++) {
        int src = reverse ? u->trips - 1 - k : k;
        char *name = graph_strprintf("%s/iter%d/scan_out%d_axis", op->name, src, j);
        struct op *uq;
        rc = name ? graph_add_op(g, "Unsqueeze", "", name, (const char *const *)&u->scans[j][src],
                                 1, (const char *const *)&name, 1, &uq)
                  : graph_error(g, TPUSIM_ERR_NOMEM, "out of memory");
        if (!rc)
            rc = op_add_attr_ints(g, uq, "axes", &axis, 1);
        uq = rc ? NULL : uq;
        if (uq) {
            uq->cf_parent = op->index;
            uq->cf_body = 0;
        }
        parts[k] = name;
    }
    struct op *cat;
    if (!rc)
        rc = graph_add_op(g, "Concat", "", *out, (const char *const *)parts, u->trips,
                          (const char *const *)out, 1, &cat);
    if (!rc) {
        rc = op_add_attr_int(g, cat, "axis", axis);
        cat->cf_parent = op->index;
        cat->cf_body = 0;
    }
    free_names(parts, u->trips);
    return rc;
}

/* Loop and Scan both end reading [carried..., stacked scan outputs...]. */
static int finish_unroll(struct tpusim_graph *g, struct op *op, struct unroll *u, int skip,
                         const int64_t *out_axes, const int64_t *out_dirs, int pos, int first)
{
    int n = u->n_cur - skip + u->n_scan, k = 0, rc = TPUSIM_OK;
    char **names = calloc((size_t)(n ? n : 1), sizeof *names);
    if (!names)
        return graph_error(g, TPUSIM_ERR_NOMEM, "out of memory");
    for (int i = skip; i < u->n_cur && !rc; i++)
        if (!(names[k++] = graph_strdup(u->cur[i])))
            rc = graph_error(g, TPUSIM_ERR_NOMEM, "out of memory");
    for (int j = 0; j < u->n_scan && !rc; j++)
        rc = stack_scan_output(g, op, u, j, out_axes ? out_axes[j] : 0, out_dirs && out_dirs[j],
                               &names[k++]);
    if (!rc)
        rc = set_inputs(g, op, names, n);
    free_names(names, n);
    if (!rc)
        rc = place_new_ops(g, pos, first);
    op->cf->state = CF_EXPANDED;
    return rc;
}

/* Iterations past what the graph can hold are an error naming the node. */
static int check_trips(struct tpusim_graph *g, const struct op *op, int64_t trips,
                       const char *from)
{
    int64_t body_ops = op->cf->bodies[0].g->n_ops + 2;
    if (trips >= 1 && trips <= (CF_MAX_OPS - g->n_ops) / body_ops)
        return TPUSIM_OK;
    return graph_error(g, TPUSIM_ERR_UNSUPPORTED,
                       "node '%s' (%s): trip count %lld (%s) %s; bind another with --dim "
                       "%s.trip_count=N",
                       op->name, op_info_of(op->type)->name, (long long)trips, from,
                       trips < 1 ? "leaves nothing to simulate"
                                 : "would unroll into more ops than tpusim holds",
                       op->name);
}

/* Loop: M (input 0) folded, or bound by --dim NODE.trip_count=N. */
static int loop_trips(struct tpusim_graph *g, const struct op *op, int64_t *trips)
{
    char key[600];
    snprintf(key, sizeof key, "%s.trip_count", op->name);
    struct dim_binding *bnd = graph_find_binding(g, key);
    const struct tensor *m = op_in(g, op, 0);
    if (bnd) {
        bnd->used = true;
        *trips = bnd->value;
        return check_trips(g, op, *trips, "bound with --dim");
    }
    if (m && tensor_has_values(m) && m->n_vals == 1) {
        *trips = tensor_value_i(m, 0);
        return check_trips(g, op, *trips, "its input M");
    }
    return graph_error(g, TPUSIM_ERR_UNBOUND,
                       "node '%s' (Loop): its trip count %s; bind it with --dim %s.trip_count=N",
                       op->name, m ? "(input M) is not a constant tpusim can fold"
                                   : "is not given (a while loop on its condition)",
                       op->name);
}

/* The Loop's condition (a constant true when it has none) and its
 * initial values are what the first iteration reads. */
static int loop_start(struct tpusim_graph *g, const struct op *op, struct unroll *u)
{
    const struct tensor *cond = op_in(g, op, 1);
    u->cur[0] = cond ? graph_strdup(cond->name) : graph_strprintf("%s/cond_true", op->name);
    if (!u->cur[0])
        return graph_error(g, TPUSIM_ERR_NOMEM, "out of memory");
    int rc = cond ? TPUSIM_OK : scalar_const(g, u->cur[0], TPUSIM_DT_BOOL, 1);
    for (int i = 1; i < u->n_cur && !rc; i++)
        if (!(u->cur[i] = graph_strdup(g->tensors[op->in[1 + i]]->name)))
            rc = graph_error(g, TPUSIM_ERR_NOMEM, "out of memory");
    return rc;
}

/* Each iteration reads its number, then the carried condition and values. */
static int loop_iterations(struct tpusim_graph *g, struct op *op, char **outer, struct unroll *u)
{
    char **actual = calloc((size_t)(1 + u->n_cur), sizeof *actual);
    int rc = actual ? TPUSIM_OK : graph_error(g, TPUSIM_ERR_NOMEM, "out of memory");
    for (int k = 0; k < u->trips && !rc; k++) {
        actual[0] = graph_strprintf("%s/iter%d/iteration_num", op->name, k);
        rc = actual[0] ? scalar_const(g, actual[0], TPUSIM_DT_INT64, k)
                       : graph_error(g, TPUSIM_ERR_NOMEM, "out of memory");
        for (int i = 0; i < u->n_cur; i++)
            actual[1 + i] = u->cur[i];
        if (!rc)
            rc = run_iteration(g, op, outer, actual, k, u);
        free(actual[0]);
    }
    free(actual);
    return rc;
}

static int expand_loop(struct tpusim_graph *g, struct op *op, char **outer, int pos)
{
    int n_carried = op->n_in - op->cf->n_outer - 2, n_scan = op->n_out - n_carried;
    int first = g->n_ops;
    int64_t trips = 0;
    struct unroll u = {0};
    if (n_carried < 0 || n_scan < 0)
        return op_error(g, op, "needs inputs M and cond, and an output per carried value");
    int rc = check_arity(g, op, &op->cf->bodies[0], 2 + n_carried, 1 + op->n_out);
    if (!rc)
        rc = loop_trips(g, op, &trips);
    if (!rc)
        rc = unroll_init(g, &u, (int)trips, 1 + n_carried, n_scan);
    if (!rc)
        rc = loop_start(g, op, &u);
    if (!rc)
        rc = loop_iterations(g, op, outer, &u);
    if (!rc)
        rc = finish_unroll(g, op, &u, 1, NULL, NULL, pos, first);
    unroll_free(&u);
    return rc;
}

/* An optional per-input or per-output ints attribute: n values or none. */
static int scan_axes(struct tpusim_graph *g, const struct op *op, const char *name, int n,
                     const int64_t **v)
{
    size_t len = attr_ints(op, name, v);
    if (*v && len != (size_t)n)
        return op_error(g, op, "attribute %s has %zu values; expected %d", name, len, n);
    return TPUSIM_OK;
}

/* Scan input j's slice for iteration k: Gather of one index along its axis. */
static int scan_slice(struct tpusim_graph *g, struct op *op, int input, int j, int k,
                      int64_t index, int64_t axis, char **out)
{
    char *idx = graph_strprintf("%s/iter%d/scan_index%d", op->name, k, j);
    *out = graph_strprintf("%s/iter%d/scan_in%d", op->name, k, j);
    const char *ins[2] = {g->tensors[op->in[input]]->name, idx};
    struct op *ga;
    int rc = idx && *out ? scalar_const(g, idx, TPUSIM_DT_INT64, index)
                         : graph_error(g, TPUSIM_ERR_NOMEM, "out of memory");
    if (!rc)
        rc = graph_add_op(g, "Gather", "", *out, ins, 2, (const char *const *)out, 1, &ga);
    if (!rc) {
        rc = op_add_attr_int(g, ga, "axis", axis);
        ga->cf_parent = op->index;
        ga->cf_body = 0;
    }
    free(idx);
    return rc;
}

/* The scan length: the scanned axis of every scan input, which must agree. */
static int scan_trips(struct tpusim_graph *g, const struct op *op, int n_state, int n_scan_in,
                      const int64_t *axes, int64_t *trips)
{
    *trips = -1;
    for (int j = 0; j < n_scan_in; j++) {
        struct tensor *t;
        int a, rc = op_need_in(g, op, n_state + j, &t);
        if (!rc)
            rc = normalize_axis(g, op, axes ? axes[j] : 0, t->rank, &a);
        if (rc)
            return rc;
        if (*trips >= 0 && t->dims[a] != *trips)
            return op_error(g, op, "scan inputs disagree on the sequence length (%lld and %lld)",
                            (long long)*trips, (long long)t->dims[a]);
        *trips = t->dims[a];
    }
    return check_trips(g, op, *trips, "the scanned axis");
}

static int expand_scan(struct tpusim_graph *g, struct op *op, char **outer, int pos)
{
    int n_actual = op->n_in - op->cf->n_outer, first = g->n_ops;
    int n_scan_in = (int)attr_int(op, "num_scan_inputs", 0), n_state = n_actual - n_scan_in;
    int n_scan_out = op->n_out - n_state;
    const int64_t *in_axes, *in_dirs, *out_axes, *out_dirs;
    int64_t trips = 0;
    int rc = n_scan_in >= 1 && n_state >= 0 && n_scan_out >= 0
                 ? check_arity(g, op, &op->cf->bodies[0], n_actual, op->n_out)
                 : op_error(g, op, "num_scan_inputs must be between 1 and the number of inputs");
    if (!rc)
        rc = scan_axes(g, op, "scan_input_axes", n_scan_in, &in_axes);
    if (!rc)
        rc = scan_axes(g, op, "scan_input_directions", n_scan_in, &in_dirs);
    if (!rc)
        rc = scan_axes(g, op, "scan_output_axes", n_scan_out, &out_axes);
    if (!rc)
        rc = scan_axes(g, op, "scan_output_directions", n_scan_out, &out_dirs);
    if (!rc)
        rc = scan_trips(g, op, n_state, n_scan_in, in_axes, &trips);
    struct unroll u = {0};
    if (!rc)
        rc = unroll_init(g, &u, (int)trips, n_state, n_scan_out);
    for (int i = 0; i < n_state && !rc; i++)
        if (!(u.cur[i] = graph_strdup(g->tensors[op->in[i]]->name)))
            rc = graph_error(g, TPUSIM_ERR_NOMEM, "out of memory");
    char **actual = calloc((size_t)(n_actual ? n_actual : 1), sizeof *actual);
    if (!actual && !rc)
        rc = graph_error(g, TPUSIM_ERR_NOMEM, "out of memory");
    for (int k = 0; k < u.trips && !rc; k++) {
        for (int i = 0; i < n_state; i++)
            actual[i] = u.cur[i];
        for (int j = 0; j < n_scan_in && !rc; j++) {
            int64_t index = in_dirs && in_dirs[j] ? u.trips - 1 - k : k;
            rc = scan_slice(g, op, n_state + j, j, k, index, in_axes ? in_axes[j] : 0,
                            &actual[n_state + j]);
        }
        if (!rc)
            rc = run_iteration(g, op, outer, actual, k, &u);
        for (int j = 0; j < n_scan_in; j++) {
            free(actual[n_state + j]);
            actual[n_state + j] = NULL;
        }
    }
    free(actual);
    if (!rc)
        rc = finish_unroll(g, op, &u, 0, out_axes, out_dirs, pos, first);
    unroll_free(&u);
    return rc;
}

/* ---------------------------------------------------------- interface */

int cf_expand(struct tpusim_graph *g, struct op *op, int pos)
{
    char **outer = NULL;
    int rc = outer_actuals(g, op, &outer);
    if (!rc && op->type == OP_IF)
        rc = expand_if(g, op, outer, pos);
    else if (!rc && op->type == OP_LOOP)
        rc = expand_loop(g, op, outer, pos);
    else if (!rc && op->type == OP_SCAN)
        rc = expand_scan(g, op, outer, pos);
    free_names(outer, op->cf->n_outer);
    op->cf->state = rc ? CF_EXPANDED : op->cf->state;
    return rc;
}

/* If, Loop and Scan after expansion: each output is the body output read
 * as input i (with its known values), and the op itself is bypassed. */
int infer_control_flow(struct tpusim_graph *g, struct op *op)
{
    if (!op->cf || op->cf->state == CF_NEW)
        return op_error(g, op, "has no subgraph (only the ONNX importer builds control flow)");
    if (op->cf->state == CF_CHOOSING) {
        int rc = choose_branch(g, op);
        if (rc)
            return rc;
    }
    if (op->n_in != op->n_out)
        return op_error(g, op, "its subgraph gives %d values for %d outputs", op->n_in,
                        op->n_out);
    for (int i = 0; i < op->n_out; i++) {
        struct tensor *in, *out;
        int rc = op_need_in(g, op, i, &in);
        if (!rc)
            rc = op_set_out(g, op, i, in->dtype, in->rank, in->dims, &out);
        if (!rc && out && tensor_has_values(in)) {
            struct vals v;
            rc = vals_open(g, &v, out);
            for (size_t k = 0; !rc && k < v.n; k++)
                vals_put(&v, k, in, k);
            if (!rc)
                rc = vals_close(g, &v);
        }
        if (rc)
            return rc;
    }
    op->bypassed = true;
    return TPUSIM_OK;
}
