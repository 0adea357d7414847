/*
 * tflite_twin.c — the compiler's mapping of an Edge TPU-compiled model
 * against tpusim's placement of its twin (tflite_twin.h). A twin op counts
 * as left on the CPU by the compiler when the compiled file still has an op
 * of its type writing its first output (the compiler keeps tensor names);
 * every other op went into an edgetpu-custom-op.
 */
#include "tflite_twin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "tflite_reader.h"
#include "tpusim.h"

/* Whether the compiled model still runs an op of type `builtin` writing
 * tensor `name` itself. */
static bool left_on_cpu(const struct tfl_model *compiled, int builtin, const char *name)
{
    for (int i = 0; i < compiled->n_ops; i++) {
        const struct tfl_op *op = &compiled->ops[i];
        if (op->builtin == builtin && op->n_outputs > 0 &&
            strcmp(compiled->tensors[op->outputs[0]].name, name) == 0)
            return true;
    }
    return false;
}

/* tpusim's view per twin op: on the Edge TPU unless one of the graph ops
 * it became runs on the host. */
static int tpusim_placement(const struct tpusim_graph *g, const struct stack *s, int n_twin,
                            bool *on_tpu)
{
    bool *host = calloc((size_t)(g->n_run_ops ? g->n_run_ops : 1), sizeof *host);
    if (!host)
        return TPUSIM_ERR_NOMEM;
    lower_host_placement(g, s, host);
    for (int i = 0; i < n_twin; i++)
        on_tpu[i] = true;
    for (int i = 0; i < g->n_run_ops; i++) {
        int src = g->ops[g->run_ops[i]]->source_node;
        if (host[i] && src >= 0 && src < n_twin)
            on_tpu[src] = false;
    }
    free(host);
    return TPUSIM_OK;
}

static int fill(const struct tfl_model *compiled, const struct tfl_model *twin, const bool *on_tpu,
                struct twin_report *out)
{
    out->ops = calloc((size_t)(twin->n_ops ? twin->n_ops : 1), sizeof *out->ops);
    if (!out->ops)
        return TPUSIM_ERR_NOMEM;
    out->n = twin->n_ops;
    for (int i = 0; i < twin->n_ops; i++) {
        const struct tfl_op *op = &twin->ops[i];
        struct twin_op *t = &out->ops[i];
        const char *type = op->builtin == TFL_CUSTOM ? op->custom_code
                                                     : tfl_builtin_name(op->builtin);
        const char *name = op->n_outputs ? twin->tensors[op->outputs[0]].name : "";
        t->index = i;
        snprintf(t->type, sizeof t->type, "%s", type ? type : "?");
        snprintf(t->name, sizeof t->name, "%s", name);
        t->compiler_tpu = !left_on_cpu(compiled, op->builtin, name);
        t->tpusim_tpu = on_tpu[i];
        out->compiler_tpu += t->compiler_tpu;
        out->tpusim_tpu += t->tpusim_tpu;
        out->agree += t->compiler_tpu == t->tpusim_tpu;
    }
    return TPUSIM_OK;
}

int twin_compare(const uint8_t *compiled, size_t compiled_size, const uint8_t *twin,
                 size_t twin_size, const struct tpusim_graph *twin_graph, const struct stack *s,
                 struct twin_report *out, char *err, size_t err_len)
{
    memset(out, 0, sizeof *out);
    struct tfl_model c, t;
    int rc = tfl_read(compiled, compiled_size, &c, err, err_len);
    if (rc)
        return rc == -2 ? TPUSIM_ERR_NOMEM : TPUSIM_ERR_PARSE;
    rc = tfl_read(twin, twin_size, &t, err, err_len);
    if (rc) {
        tfl_free(&c);
        return rc == -2 ? TPUSIM_ERR_NOMEM : TPUSIM_ERR_PARSE;
    }
    bool *on_tpu = calloc((size_t)(t.n_ops ? t.n_ops : 1), sizeof *on_tpu);
    rc = on_tpu ? tpusim_placement(twin_graph, s, t.n_ops, on_tpu) : TPUSIM_ERR_NOMEM;
    if (!rc)
        rc = fill(&c, &t, on_tpu, out);
    if (rc == TPUSIM_ERR_NOMEM)
        snprintf(err, err_len, "out of memory");
    free(on_tpu);
    tfl_free(&c);
    tfl_free(&t);
    if (rc)
        twin_report_free(out);
    return rc;
}

void twin_report_free(struct twin_report *r)
{
    free(r->ops);
    memset(r, 0, sizeof *r);
}
