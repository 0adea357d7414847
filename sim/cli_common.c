/*
 * cli_common.c — argument parsing and model opening shared by subcommands.
 */
#include <errno.h>
#include <limits.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "chip.h"
#include "cli.h"
#include "engine.h"
#include "graph.h"
#include "model_file.h"
#include "stack.h"
#include "tflite_twin.h"
#include "text.h"
#include "zoo.h"

#define DEFAULT_BUILTIN "demo-cnn"

const char *cli_opt_value(const char *opt, int argc, char **argv, int *i, bool *bad)
{
    size_t n = strlen(opt);
    const char *arg = argv[*i];
    if (strncmp(arg, opt, n) != 0)
        return NULL;
    if (arg[n] == '=')
        return arg + n + 1;
    if (arg[n] != '\0')
        return NULL;
    if (*i + 1 >= argc) {
        fprintf(stderr, "tpusim: option %s needs a value\n", opt);
        *bad = true;
        return NULL;
    }
    return argv[++*i];
}

bool cli_parse_int64(const char *s, int64_t min, int64_t max, int64_t *out)
{
    if (!s || !*s)
        return false;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end || v < min || v > max)
        return false;
    *out = v;
    return true;
}

bool cli_parse_engine(const char *s, int *engine)
{
    if (!s || (strcmp(s, "event") != 0 && strcmp(s, "fast") != 0))
        return false;
    *engine = strcmp(s, "event") == 0 ? ENGINE_EVENT : ENGINE_FAST;
    return true;
}

const char *cli_engine_name(int engine)
{
    return engine == ENGINE_EVENT ? "event" : "fast";
}

static enum cli_format parse_format(const char *s, bool *ok)
{
    *ok = true;
    if (strcmp(s, "text") == 0)
        return FMT_TEXT;
    if (strcmp(s, "csv") == 0)
        return FMT_CSV;
    if (strcmp(s, "json") == 0)
        return FMT_JSON;
    *ok = false;
    return FMT_TEXT;
}

int cli_model_option(const char *cmd, int argc, char **argv, int *i, struct model_opts *o)
{
    bool bad = false;
    const char *v;
    if ((v = cli_opt_value("--batch", argc, argv, i, &bad))) {
        if (!cli_parse_int64(v, 1, CLI_MAX_BATCH, &o->batch)) {
            fprintf(stderr, "tpusim %s: --batch needs a whole number from 1 to %lld, got '%s'\n",
                    cmd, (long long)CLI_MAX_BATCH, v);
            return CLI_BAD;
        }
        return CLI_TAKEN;
    }
    if (!bad && (v = cli_opt_value("--dim", argc, argv, i, &bad))) {
        const char *eq = strrchr(v, '=');
        int64_t val;
        if (!eq || eq == v || !cli_parse_int64(eq + 1, 1, INT64_C(1) << 40, &val)) {
            fprintf(stderr, "tpusim %s: --dim needs NAME=VALUE with VALUE >= 1, got '%s'\n", cmd,
                    v);
            return CLI_BAD;
        }
        size_t len = (size_t)(eq - v);
        if (len >= CLI_DIM_NAME_MAX) {
            /* Cut short it would bind another name, or none: say so. */
            fprintf(stderr, "tpusim %s: --dim name longer than %d characters: '%.*s...'\n", cmd,
                    CLI_DIM_NAME_MAX - 1, 40, v);
            return CLI_BAD;
        }
        if (o->n_dims == (int)(sizeof o->dims / sizeof o->dims[0])) {
            fprintf(stderr, "tpusim %s: too many --dim options\n", cmd);
            return CLI_BAD;
        }
        struct cli_dim *d = &o->dims[o->n_dims++];
        memcpy(d->name, v, len);
        d->name[len] = '\0';
        d->value = val;
        return CLI_TAKEN;
    }
    if (!bad && (v = cli_opt_value("--twin", argc, argv, i, &bad))) {
        o->twin = v;
        return CLI_TAKEN;
    }
    if (!bad && (v = cli_opt_value("--format", argc, argv, i, &bad))) {
        bool ok;
        o->format = parse_format(v, &ok);
        if (!ok) {
            fprintf(stderr, "tpusim %s: --format must be text, csv or json, got '%s'\n", cmd, v);
            return CLI_BAD;
        }
        return CLI_TAKEN;
    }
    return bad ? CLI_BAD : CLI_NOT_OURS;
}

int cli_parse_args(const struct cli_args *a, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            a->usage(stdout);
            return 0;
        }
        int r = a->option(a, argc, argv, &i);
        if (r == CLI_NOT_OURS) {
            /* A lone "-" is no option: it goes to positional() like a name. */
            if (argv[i][0] == '-' && argv[i][1]) {
                fprintf(stderr, "tpusim %s: unknown option '%s' (see tpusim %s --help)\n", a->cmd,
                        argv[i], a->cmd);
                return 2;
            }
            r = a->positional(a, argv[i]);
        }
        if (r == CLI_BAD)
            return 2;
        if (r == CLI_FAILED)
            return 1;
    }
    return -1;
}

int cli_one_model(const struct cli_args *a, const char *arg)
{
    if (a->model->model) {
        fprintf(stderr, "tpusim %s: one model at a time ('%s' and '%s')%s\n", a->cmd,
                a->model->model, arg, a->one_model_hint ? a->one_model_hint : "");
        return CLI_BAD;
    }
    a->model->model = arg;
    return CLI_TAKEN;
}

const char *cli_model_name(const struct model_opts *o)
{
    return o->model ? o->model : "builtin:" DEFAULT_BUILTIN;
}

static int bind_dims(tpusim_graph *g, const struct model_opts *o)
{
    int rc = TPUSIM_OK;
    if (o->batch)
        rc = tpusim_graph_set_batch(g, o->batch);
    for (int k = 0; k < o->n_dims && !rc; k++)
        rc = tpusim_graph_bind_dim(g, o->dims[k].name, o->dims[k].value);
    return rc;
}

/* Whether g came from an Edge TPU-compiled model. */
static bool edgetpu_compiled(const tpusim_graph *g)
{
    for (int i = 0; i < g->n_ops; i++)
        if (g->ops[i]->type == OP_CUSTOM &&
            strcmp(attr_string(g->ops[i], "custom_code", ""), "edgetpu-custom-op") == 0)
            return true;
    return false;
}

/* The twin to compare with: --twin, else NAME.tflite beside NAME_edgetpu.tflite. */
static const char *find_twin(const struct model_opts *o, const char *model, char *buf,
                             size_t len)
{
    static const char suffix[] = "_edgetpu.tflite";
    size_t n = strlen(model), k = sizeof suffix - 1;
    if (o->twin)
        return o->twin;
    if (n <= k || strcmp(model + n - k, suffix) != 0 || n - k + 8 > len)
        return NULL;
    snprintf(buf, len, "%.*s.tflite", (int)(n - k), model);
    return access(buf, R_OK) == 0 ? buf : NULL;
}

static void print_twin_report(const char *model, const char *twin, const struct twin_report *r)
{
    fprintf(stderr,
            "tpusim: %s: twin %s (%d ops): the Edge TPU compiler mapped %d to the Edge TPU and "
            "left %d on the CPU; tpusim (stack tflite-edgetpu) places %d on the Edge TPU and %d "
            "on the host; they agree on %d of %d\n",
            model, twin, r->n, r->compiler_tpu, r->n - r->compiler_tpu, r->tpusim_tpu,
            r->n - r->tpusim_tpu, r->agree, r->n);
    for (int i = 0; i < r->n; i++) {
        const struct twin_op *t = &r->ops[i];
        if (t->compiler_tpu != t->tpusim_tpu)
            fprintf(stderr, "tpusim: %s: twin op %d (%s '%s'): compiler: %s; tpusim: %s\n",
                    model, t->index, t->type, t->name, t->compiler_tpu ? "Edge TPU" : "CPU",
                    t->tpusim_tpu ? "Edge TPU" : "host");
    }
}

/* The compiler's mapping against tpusim's, for an Edge TPU-compiled model
 * with a twin; 0 when done or not asked, 1 after an error (printed). */
static int twin_report(const struct model_opts *o, const char *model, const tpusim_graph *g)
{
    char path[PATH_MAX], err[1024];
    if (!edgetpu_compiled(g)) {
        if (o->twin)
            fprintf(stderr, "tpusim: %s: --twin compares an Edge TPU-compiled model "
                            "(*_edgetpu.tflite) with its source; this one has no "
                            "edgetpu-custom-op\n", model);
        return o->twin ? 1 : 0;
    }
    const char *twin = find_twin(o, model, path, sizeof path);
    if (!twin)
        return 0;
    tpusim_graph *tg = NULL;
    uint8_t *cbytes = NULL, *tbytes = NULL;
    size_t csize = 0, tsize = 0;
    struct stack s;
    struct twin_report r = {0};
    int rc = tpusim_graph_new(&tg);
    if (!rc)
        rc = tpusim_graph_load_tflite_file(tg, twin);
    if (!rc)
        rc = model_read_file(tg, model, &cbytes, &csize);
    if (!rc)
        rc = model_read_file(tg, twin, &tbytes, &tsize);
    if (rc)
        fprintf(stderr, "tpusim: twin: %s\n", tg ? tpusim_graph_errmsg(tg) : "out of memory");
    else if ((rc = stack_load(cli_models_dir(), "tflite-edgetpu", NULL, 0, &s, err, sizeof err)) ||
             (rc = twin_compare(cbytes, csize, tbytes, tsize, tg, &s, &r, err, sizeof err)))
        fprintf(stderr, "tpusim: twin %s: %s\n", twin, err);
    else
        print_twin_report(model, twin, &r);
    twin_report_free(&r);
    free(cbytes);
    free(tbytes);
    tpusim_graph_close(tg);
    return rc ? 1 : 0;
}

/* Each line of a graph's notes, as "tpusim: MODEL: note: ...". */
static void print_notes(const char *model, const char *notes)
{
    for (const char *p = notes; *p;) {
        const char *nl = strchr(p, '\n');
        int len = nl ? (int)(nl - p) : (int)strlen(p);
        fprintf(stderr, "tpusim: %s: note: %.*s\n", model, len, p);
        p += len + (nl != NULL);
    }
}

tpusim_graph *cli_open_model(const struct model_opts *o, bool report)
{
    tpusim_graph *g = NULL;
    if (tpusim_graph_new(&g)) {
        fprintf(stderr, "tpusim: out of memory\n");
        return NULL;
    }
    const char *model = cli_model_name(o);
    int rc = bind_dims(g, o);
    if (!rc && strncmp(model, "builtin:", 8) == 0)
        rc = tpusim_graph_build_builtin(g, model + 8);
    else if (!rc && strncmp(model, "zoo:", 4) == 0)
        rc = zoo_build(g, model + 4, NULL);
    else if (!rc)
        rc = tpusim_graph_load_file(g, model);
    if (rc) {
        fprintf(stderr, "tpusim: %s\n", tpusim_graph_errmsg(g));
        tpusim_graph_close(g);
        return NULL;
    }
    if (!report)
        return g;
    print_notes(model, tpusim_graph_notes(g));
    if (twin_report(o, model, g)) {
        tpusim_graph_close(g);
        return NULL;
    }
    return g;
}

char *cli_read_text(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t cap = 0, n;
    *len = 0;
    char chunk[65536];
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (*len + n + 1 > cap) {
            cap = 2 * (*len + n + 1);
            char *grown = realloc(buf, cap);
            if (!grown) {
                free(buf);
                fclose(f);
                errno = ENOMEM;
                return NULL;
            }
            buf = grown;
        }
        memcpy(buf + *len, chunk, n);
        *len += n;
    }
    bool bad = ferror(f) != 0;
    fclose(f);
    if (bad) {
        free(buf);
        return NULL;
    }
    if (!buf)
        buf = calloc(1, 1);
    else
        buf[*len] = '\0';
    return buf;
}

void csv_field(FILE *f, const char *raw)
{
    char safe[4096];
    const char *s = text_safe(raw, safe, sizeof safe); /* no control bytes (newlines included) */
    if (!strpbrk(s, ",\"")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static void put_file(void *f, const char *bytes, size_t n)
{
    fwrite(bytes, 1, n, f);
}

void json_string(FILE *f, const char *s)
{
    fputc('"', f);
    text_json(s, put_file, f); /* valid UTF-8 whatever the model file held */
    fputc('"', f);
}

/* Where the chip files are: the environment, else beside the executable
 * (build/tpusim -> models/, PREFIX/bin/tpusim -> PREFIX/share/tpusim/models). */
const char *cli_models_dir(void)
{
    static char dir[PATH_MAX]; /* CLI only: the library never uses this */
    const char *env = getenv("TPUSIM_MODELS_DIR");
    if (env && env[0])
        return chip_models_dir(NULL); /* the library's policy: the variable wins */
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            const char *cands[] = {"/../models", "/../share/tpusim/models"};
            for (size_t i = 0; i < sizeof cands / sizeof cands[0]; i++) {
                int w = snprintf(dir, sizeof dir, "%s%s", exe, cands[i]);
                if (w > 0 && (size_t)w < sizeof dir && access(dir, R_OK) == 0)
                    return dir;
            }
        }
    }
    return chip_models_dir(NULL);
}
