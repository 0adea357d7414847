/*
 * testutil.c — graph-building helpers for the Check tests.
 */
#include "ini_table.h"
#include "testutil.h"

#include "chip.h"
#include "stack.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

tpusim_graph *tu_new(void)
{
    tpusim_graph *g = NULL;
    ck_assert_int_eq(tpusim_graph_new(&g), TPUSIM_OK);
    ck_assert_ptr_nonnull(g);
    return g;
}

void tu_input(tpusim_graph *g, const char *name, int rank, const int64_t *dims)
{
    int rc = tpusim_graph_add_input(g, name, TPUSIM_DT_FLOAT32, rank, dims);
    ck_assert_msg(rc == TPUSIM_OK, "add_input %s: %s", name, tpusim_graph_errmsg(g));
}

void tu_weight(tpusim_graph *g, const char *name, int rank, const int64_t *dims)
{
    int rc = tpusim_graph_add_weight(g, name, TPUSIM_DT_FLOAT32, rank, dims);
    ck_assert_msg(rc == TPUSIM_OK, "add_weight %s: %s", name, tpusim_graph_errmsg(g));
}

void tu_ints(tpusim_graph *g, const char *name, size_t n, const int64_t *values)
{
    int64_t dims[1] = {(int64_t)n};
    int rc = tpusim_graph_add_int_constant(g, name, 1, dims, values);
    ck_assert_msg(rc == TPUSIM_OK, "add_int_constant %s: %s", name, tpusim_graph_errmsg(g));
}

/* Splits "a,b,,c" into at most 64 names (empty ones kept). */
static int split_names(const char *list, char *buf, size_t len, const char **names)
{
    int n = 0;
    if (!list || !list[0])
        return 0;
    strncpy(buf, list, len - 1);
    buf[len - 1] = '\0';
    char *p = buf;
    for (;;) {
        ck_assert_int_lt(n, 64);
        names[n++] = p;
        char *comma = strchr(p, ',');
        if (!comma)
            break;
        *comma = '\0';
        p = comma + 1;
    }
    return n;
}

void tu_op(tpusim_graph *g, const char *type, const char *name, const char *inputs,
           const char *outputs)
{
    char ib[2048], ob[2048];
    const char *in[64], *out[64];
    int n_in = split_names(inputs, ib, sizeof ib, in);
    int n_out = split_names(outputs, ob, sizeof ob, out);
    int rc = tpusim_graph_add_op(g, type, name, in, n_in, out, n_out);
    ck_assert_msg(rc == TPUSIM_OK, "add_op %s: %s", name, tpusim_graph_errmsg(g));
}

void tu_finalize_ok(tpusim_graph *g)
{
    int rc = tpusim_graph_finalize(g);
    ck_assert_msg(rc == TPUSIM_OK, "finalize: %s (%s)", tpusim_status_name(rc),
                  tpusim_graph_errmsg(g));
}

tpusim_graph *tu_gemm(int64_t m, int64_t k, int64_t n)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 2, TU_DIMS(m, k));
    tu_weight(g, "w", 2, TU_DIMS(k, n));
    tu_op(g, "MatMul", "mm", "x,w", "y");
    tu_finalize_ok(g);
    return g;
}

void tu_finalize_fails(tpusim_graph *g, int code, const char *needle)
{
    int rc = tpusim_graph_finalize(g);
    ck_assert_msg(rc == code, "finalize returned %s, expected %s (%s)", tpusim_status_name(rc),
                  tpusim_status_name(code), tpusim_graph_errmsg(g));
    ck_assert_msg(strstr(tpusim_graph_errmsg(g), needle) != NULL,
                  "error '%s' does not mention '%s'", tpusim_graph_errmsg(g), needle);
}

const struct tensor *tu_find_tensor(tpusim_graph *g, const char *name)
{
    const struct tensor *t = graph_find_tensor(g, name);
    ck_assert_msg(t != NULL, "no tensor '%s'", name);
    return t;
}

void tu_expect_shape(tpusim_graph *g, const char *tensor, int rank, const int64_t *dims)
{
    const struct tensor *t = tu_find_tensor(g, tensor);
    char got[256], want[256];
    shape_str(t, got, sizeof got);
    dims_str(dims, (size_t)rank, want, sizeof want);
    ck_assert_msg(strcmp(got, want) == 0, "tensor '%s' has shape %s, expected %s", tensor, got,
                  want);
}

const struct op *tu_find_op(tpusim_graph *g, const char *name)
{
    for (int i = 0; i < g->n_ops; i++)
        if (strcmp(g->ops[i]->name, name) == 0)
            return g->ops[i];
    ck_abort_msg("no op '%s'", name);
    return NULL;
}

const char *tu_models_dir(void)
{
    const char *d = getenv("TPUSIM_MODELS");
    return d && d[0] ? d : "../shared/models/real";
}

const char *tu_chips_dir(void)
{
    const char *d = getenv("TPUSIM_MODELS_DIR");
    return d && d[0] ? d : "models";
}

void tu_load_chip(const char *name, const char *const *sets, int n_sets, struct chip *out)
{
    char err[1024];
    int rc = chip_load(tu_chips_dir(), name, sets, n_sets, out, err, sizeof err);
    ck_assert_msg(rc == TPUSIM_OK, "chip %s: %s", name, err);
}

void tu_load_stack(const char *name, const struct chip *c, struct stack *out)
{
    char err[1024];
    int rc = stack_resolve(tu_chips_dir(), c, name, NULL, 0, out, err, sizeof err);
    ck_assert_msg(rc == TPUSIM_OK, "stack %s on %s: %s", name ? name : "(default)", c->name, err);
}

const struct stack *tu_default_stack(const struct chip *c)
{
    /* Tests only: a few chips' stacks, kept for the life of the process. */
    static struct {
        char chip[64], stack[64];
        struct stack s;
    } kept[16];
    static int n_kept;
    for (int i = 0; i < n_kept; i++)
        if (strcmp(kept[i].chip, c->name) == 0 && strcmp(kept[i].stack, c->default_stack) == 0)
            return &kept[i].s;
    ck_assert_int_lt(n_kept, 16);
    snprintf(kept[n_kept].chip, sizeof kept[n_kept].chip, "%s", c->name);
    snprintf(kept[n_kept].stack, sizeof kept[n_kept].stack, "%s", c->default_stack);
    tu_load_stack(NULL, c, &kept[n_kept].s);
    return &kept[n_kept++].s;
}

void tu_attr_int(tpusim_graph *g, const char *name, int64_t v)
{
    int rc = tpusim_graph_set_attr_int(g, name, v);
    ck_assert_msg(rc == TPUSIM_OK, "attribute %s: %s", name, tpusim_graph_errmsg(g));
}

void tu_attr_ints(tpusim_graph *g, const char *name, size_t n, const int64_t *v)
{
    int rc = tpusim_graph_set_attr_ints(g, name, v, n);
    ck_assert_msg(rc == TPUSIM_OK, "attribute %s: %s", name, tpusim_graph_errmsg(g));
}

void tu_conv_same(tpusim_graph *g, const char *name, const char *inputs, const char *out,
                  int64_t k)
{
    tu_op(g, "Conv", name, inputs, out);
    tu_attr_ints(g, "kernel_shape", 2, TU_DIMS(k, k));
    tu_attr_ints(g, "pads", 4, TU_DIMS(k / 2, k / 2, k / 2, k / 2));
}

void tu_attr_float(tpusim_graph *g, const char *name, double v)
{
    int rc = tpusim_graph_set_attr_float(g, name, v);
    ck_assert_msg(rc == TPUSIM_OK, "attribute %s: %s", name, tpusim_graph_errmsg(g));
}

void tu_attr_str(tpusim_graph *g, const char *name, const char *v)
{
    int rc = tpusim_graph_set_attr_string(g, name, v);
    ck_assert_msg(rc == TPUSIM_OK, "attribute %s: %s", name, tpusim_graph_errmsg(g));
}

void tu_int_const(tpusim_graph *g, const char *name, int rank, const int64_t *dims,
                  const int64_t *values)
{
    int rc = tpusim_graph_add_int_constant(g, name, rank, dims, values);
    ck_assert_msg(rc == TPUSIM_OK, "constant %s: %s", name, tpusim_graph_errmsg(g));
}

void tu_expect_ivals(tpusim_graph *g, const char *name, size_t n, const int64_t *want)
{
    const struct tensor *t = tu_find_tensor(g, name);
    ck_assert_msg(tensor_has_values(t) && t->ivals, "tensor '%s' has no integer values", name);
    ck_assert_msg(t->n_vals == n, "tensor '%s' has %zu values, expected %zu", name, t->n_vals, n);
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(t->ivals[i] == want[i], "tensor '%s' value %zu is %lld, expected %lld", name,
                      i, (long long)t->ivals[i], (long long)want[i]);
}

const char *tu_model_path(const char *rel)
{
    static char path[1024]; /* tests in one process run one at a time */
    snprintf(path, sizeof path, "%s/onnx/%s", tu_models_dir(), rel);
    return path;
}

const char *tu_tflite_path(const char *rel)
{
    static char path[1024]; /* tests in one process run one at a time */
    snprintf(path, sizeof path, "%s/tflite/%s", tu_models_dir(), rel);
    return path;
}

unsigned char *tu_read_model(const char *rel, size_t *size)
{
    return tu_read_file(tu_model_path(rel), size);
}

unsigned char *tu_read_file(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    long n = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
    ck_assert_msg(n >= 0 && fseek(f, 0, SEEK_SET) == 0, "cannot size %s", path);
    unsigned char *buf = malloc(n ? (size_t)n : 1);
    ck_assert_ptr_nonnull(buf);
    ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *size = (size_t)n;
    return buf;
}

/* A number's dump shows its range; the value lies within it. */
void tu_expect_in_range(const struct ini_value *v)
{
    bool number = strcmp(v->unit, "bool") && strcmp(v->unit, "enum") && strcmp(v->unit, "name") &&
                  strcmp(v->unit, "list");
    if (!number || v->line == 0) /* derived values have no range of their own */
        return;
    double lo, hi, x = strtod(v->value, NULL);
    ck_assert_msg(sscanf(v->range, "[%lf, %lf]", &lo, &hi) == 2, "%s: range '%s'", v->key,
                  v->range);
    bool or0 = strstr(v->range, " or 0") != NULL;
    ck_assert_msg((x >= lo && x <= hi) || (or0 && x == 0), "%s = %s outside %s", v->key,
                  v->value, v->range);
}

int tu_expect_files_in_range(bool stacks)
{
    char **names;
    int n;
    ck_assert_int_eq(stacks ? stack_list(tu_chips_dir(), &names, &n)
                            : chip_list(tu_chips_dir(), &names, &n),
                     TPUSIM_OK);
    for (int i = 0; i < n; i++) {
        struct ini_value *v;
        int nv;
        char err[512];
        int rc = stacks ? stack_dump(tu_chips_dir(), names[i], NULL, 0, &v, &nv, NULL, err,
                                     sizeof err)
                        : chip_dump(tu_chips_dir(), names[i], NULL, 0, &v, &nv, NULL, err,
                                    sizeof err);
        ck_assert_msg(rc == TPUSIM_OK, "%s: %s", names[i], err);
        for (int k = 0; k < nv; k++)
            tu_expect_in_range(&v[k]);
        free(v);
    }
    ini_free_names(names, n);
    return n;
}
