/*
 * cli_compare.c — `tpusim compare`: models on two chips side by side: the
 * latency on each, speedup against the peak-FLOPS ratio, per op the
 * speedup and the bound that moved, and a paragraph saying where the
 * peak-ratio speedup was lost (sim/report.c writes it from the numbers).
 */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "engine.h"
#include "plot.h"
#include "report.h"
#include "stack.h"

#define MAX_MODELS 64

struct compare_cli {
    struct sim_cli sim;
    char *chips_buf;
    const char *chips[2];
    char *stacks_buf;
    const char *stacks[2];        /* --stacks A,B; NULL: --stack or each chip's default */
    char *model_bufs[MAX_MODELS]; /* one strdup per argument, split in place */
    int n_bufs;
    const char *models[MAX_MODELS];
    int n_models;
    struct cli_plot plot;
    /* Per side: --set-a/--set-b and --set CHIP:KEY=V, after the plain --set
     * overrides that both sides take. */
    const char *side_sets[2][CLI_MAX_SETS];
    int n_side_sets[2];
};

/* One model on both chips. */
struct model_run {
    const char *model;
    struct core_models models;
    struct sim_result res[2];
    struct report rp[2];
    struct comparison cmp;
    char why[2048];
    bool have_res[2], have_rp[2], have_cmp;
};

static void usage(FILE *f)
{
    fputs("usage: tpusim compare MODEL[,MODEL...] [MODEL...] --chips A,B [options]\n"
          "\n"
          "Runs each model on chip A (the baseline) and chip B: latency on each, the\n"
          "speedup against B's peak-FLOPS ratio over A, per op the speedup and the bound\n"
          "that moved (e.g. mxu->hbm), and a paragraph on where the peak ratio was lost.\n"
          "Several models give one row per model and the mean speedup.\n"
          "\n"
          "options (and those of tpusim run but --chip: --stack --dtype --set --stack-set\n"
          "--cores --no-fusion --batch --dim):\n"
          "  --chips A,B        the two chips, e.g. tpu_v2,tpu_v4i (default)\n"
          "  --set K=V          override a chip parameter on both sides; --set CHIP:K=V\n"
          "                     on the side whose chip is CHIP only\n"
          "  --set-a K=V        override a parameter of chip A only (repeatable)\n"
          "  --set-b K=V        ... of chip B only; the header lists every override\n"
          "  --stacks A,B       a software stack for each side (default: --stack for both,\n"
          "                     else each chip's own), e.g. --chips gpu_v100,gpu_v100\n"
          "                     --stacks tensorrt,pytorch-eager\n"
          "  --format FMT       text (default), csv, json, markdown or latex (booktabs)\n"
          "  --plot DIR         per-op speedup bars (and per-model bars) with gnuplot\n"
          "  --png              with --plot, PNG as well\n"
          "  -h, --help         this help\n",
          f);
}

static void free_cli(struct compare_cli *o)
{
    free(o->chips_buf);
    free(o->stacks_buf);
    for (int i = 0; i < o->n_bufs; i++)
        free(o->model_bufs[i]);
}

/* The positional: MODEL[,MODEL...]. */
static int add_models(const struct cli_args *a, const char *arg)
{
    struct compare_cli *o = a->ctx;
    if (o->n_bufs == MAX_MODELS) {
        fprintf(stderr, "tpusim compare: at most %d models\n", MAX_MODELS);
        return CLI_BAD;
    }
    char *buf = strdup(arg);
    if (!buf) {
        fprintf(stderr, "tpusim compare: out of memory\n");
        return CLI_FAILED;
    }
    o->model_bufs[o->n_bufs++] = buf;
    /* Split by hand: strtok skips empty items, and "compare ," then ran
     * the built-in model as if no model had been named. */
    for (char *tok = buf, *comma;; tok = comma + 1) {
        comma = strchr(tok, ',');
        if (comma)
            *comma = '\0';
        if (!*tok) {
            fprintf(stderr, "tpusim compare: empty model name in '%s' (models are separated by "
                    "commas)\n", arg);
            return CLI_BAD;
        }
        if (o->n_models == MAX_MODELS) {
            fprintf(stderr, "tpusim compare: at most %d models\n", MAX_MODELS);
            return CLI_BAD;
        }
        o->models[o->n_models++] = tok;
        if (!comma)
            return CLI_TAKEN;
    }
}

/* "A,B" into (*buf, split in place) two names; `what` names the option,
 * `things` what it names ("chips"). */
static int parse_pair(const char *what, const char *things, const char *v, char **buf,
                      const char *out[2])
{
    free(*buf);
    *buf = strdup(v);
    if (!*buf) {
        fprintf(stderr, "tpusim compare: out of memory\n");
        return CLI_FAILED;
    }
    char *comma = strchr(*buf, ',');
    if (!comma || comma == *buf || !comma[1] || strchr(comma + 1, ',')) {
        fprintf(stderr, "tpusim compare: %s needs two %s A,B, got '%s'\n", what, things, v);
        return CLI_BAD;
    }
    *comma = '\0';
    out[0] = *buf;
    out[1] = comma + 1;
    return CLI_TAKEN;
}

/* --set-a / --set-b K=V: one side's override. */
static int side_set_option(struct compare_cli *o, int side, const char *flag, const char *v)
{
    if (!strchr(v, '=') || o->n_side_sets[side] + o->sim.n_sets >= CLI_MAX_SETS) {
        fprintf(stderr, "tpusim compare: %s needs SECTION.KEY=VALUE, got '%s'\n", flag, v);
        return CLI_BAD;
    }
    o->side_sets[side][o->n_side_sets[side]++] = v;
    return CLI_TAKEN;
}

static int compare_option(const struct cli_args *a, int argc, char **argv, int *i)
{
    struct compare_cli *o = a->ctx;
    bool bad = false;
    const char *v = cli_opt_value("--chips", argc, argv, i, &bad);
    if (v)
        return parse_pair("--chips", "chips", v, &o->chips_buf, o->chips);
    if (!bad && (v = cli_opt_value("--set-a", argc, argv, i, &bad)))
        return side_set_option(o, 0, "--set-a", v);
    if (!bad && (v = cli_opt_value("--set-b", argc, argv, i, &bad)))
        return side_set_option(o, 1, "--set-b", v);
    if (!bad && (v = cli_opt_value("--stacks", argc, argv, i, &bad)))
        return parse_pair("--stacks", "stacks", v, &o->stacks_buf, o->stacks);
    if (bad)
        return CLI_BAD;
    int r = cli_plot_option(argc, argv, i, &o->plot);
    if (r != CLI_NOT_OURS)
        return r;
    /* Caught before cli_sim_option, which takes --chip and --trace*: a
     * comparison has two chips and no single timeline to trace. */
    const char *arg = argv[*i];
    if (strcmp(arg, "--chip") == 0 || strncmp(arg, "--chip=", 7) == 0) {
        fprintf(stderr, "tpusim compare: use --chips A,B (two chips)\n");
        return CLI_BAD;
    }
    if (strncmp(arg, "--trace", 7) == 0) {
        fprintf(stderr, "tpusim compare: %.*s belongs to run and report (one chip)\n",
                (int)strcspn(arg, "="), arg);
        return CLI_BAD;
    }
    return cli_sim_option(a->cmd, argc, argv, i, &o->sim);
}

/* The file name of a model path; names without '/' as they are. */
static const char *base_name(const char *model)
{
    const char *slash = strrchr(model, '/');
    return slash ? slash + 1 : model;
}

static void free_run(struct model_run *m)
{
    compare_free(&m->cmp);
    for (int k = 0; k < 2; k++) {
        report_free(&m->rp[k]);
        if (m->have_res[k])
            sim_result_free(&m->res[k]);
    }
    cli_close_core_models(&m->models);
}

static int run_model(struct compare_cli *o, const struct chip *chips,
                     const struct stack *stacks, const char *model, struct model_run *m)
{
    memset(m, 0, sizeof *m);
    struct sim_cli one = o->sim;
    one.model.model = model;
    m->model = cli_model_name(&one.model);
    int rc = cli_open_core_models("compare", &one, &m->models);
    if (rc)
        return rc;
    char err[1024];
    for (int k = 0; k < 2; k++) {
        rc = cli_simulate("compare", &one, &m->models, &chips[k], &stacks[k], &m->res[k]);
        if (rc)
            return rc;
        m->have_res[k] = true;
        if (report_build(&m->res[k], &m->rp[k], err, sizeof err)) {
            fprintf(stderr, "tpusim compare: %s\n", err);
            return 1;
        }
    }
    if (compare_build(&m->rp[0], &m->rp[1], &m->cmp, err, sizeof err)) {
        fprintf(stderr, "tpusim compare: %s\n", err);
        return 1;
    }
    compare_explain(&m->cmp, base_name(m->model), m->why, sizeof m->why);
    return 0;
}

/* The paragraph, wrapped at 78 columns. */
static void print_wrapped(const char *s, const char *indent)
{
    size_t col = 0, ind = strlen(indent);
    fputs(indent, stdout);
    col = ind;
    while (*s) {
        const char *sp = strchr(s, ' ');
        size_t w = sp ? (size_t)(sp - s) : strlen(s);
        if (col > ind && col + 1 + w > 78) {
            printf("\n%s", indent);
            col = ind;
        } else if (col > ind) {
            putchar(' ');
            col++;
        }
        fwrite(s, 1, w, stdout);
        col += w;
        s += w;
        while (*s == ' ')
            s++;
    }
    putchar('\n');
}

static int print_op_table(const struct model_run *m, enum cli_rich_format fmt)
{
    const struct comparison *c = &m->cmp;
    char an[160], bn[160], ha[192], hb[192];
    snprintf(ha, sizeof ha, "%s us", compare_side_name(c, c->a, an, sizeof an));
    snprintf(hb, sizeof hb, "%s us", compare_side_name(c, c->b, bn, sizeof bn));
    const char *head[] = {"#", "name", "kind", ha, hb, "speedup", "bound", "moved"};
    struct cli_table t;
    cli_table_init(&t, 8, head, "rllrrrll");
    for (int i = 0; i < c->n_ops; i++) {
        const struct compare_op *o = &c->ops[i];
        if (o->a_fused && o->b_fused)
            continue;
        const struct report_op *ra = &c->a->ops[i];
        cli_table_cell(&t, "%d", i);
        cli_table_name(&t, ra->name, fmt == RF_TEXT ? 34 : 0);
        cli_table_cell(&t, "%s", ra->kind);
        cli_table_cell(&t, "%.2f", o->a_us);
        cli_table_cell(&t, "%.2f", o->b_us);
        if (o->speedup > 0)
            cli_table_cell(&t, "%.2fx", o->speedup);
        else
            cli_table_cell(&t, "-");
        cli_table_cell(&t, "%s->%s", o->a_fused ? "fused" : cause_name(o->a_bound),
                       o->b_fused ? "fused" : cause_name(o->b_bound));
        cli_table_cell(&t, "%s", !o->a_fused && !o->b_fused && o->a_bound != o->b_bound ? "*" : "");
    }
    char cap[512];
    snprintf(cap, sizeof cap, "%s: per-op latency, %s -> %s", m->model, an, bn);
    return cli_table_finish(&t, fmt, cap);
}

static int print_side_by_side(const struct model_run *m, enum cli_rich_format fmt)
{
    const struct comparison *c = &m->cmp;
    char a_name[160], b_name[160];
    const char *an = compare_side_name(c, c->a, a_name, sizeof a_name);
    const char *bn = compare_side_name(c, c->b, b_name, sizeof b_name);
    const char *head[] = {"quantity", an, bn, "ratio B/A"};
    struct cli_table t;
    cli_table_init(&t, 4, head, "lrrr");
    const struct report *a = c->a, *b = c->b;
    cli_table_cell(&t, "latency (us)");
    cli_table_cell(&t, "%.2f", a->latency_us);
    cli_table_cell(&t, "%.2f", b->latency_us);
    cli_table_cell(&t, "1/%.2f", c->speedup);
    cli_table_cell(&t, "peak TFLOP/s (one core)");
    cli_table_cell(&t, "%.2f", a->peak_flops_per_s / 1e12);
    cli_table_cell(&t, "%.2f", b->peak_flops_per_s / 1e12);
    cli_table_cell(&t, "%.2f", c->peak_ratio);
    cli_table_cell(&t, "achieved TFLOP/s");
    cli_table_cell(&t, "%.2f", a->flops_per_s / 1e12);
    cli_table_cell(&t, "%.2f", b->flops_per_s / 1e12);
    cli_table_cell(&t, "%.2f", a->flops_per_s > 0 ? b->flops_per_s / a->flops_per_s : 0);
    cli_table_cell(&t, "%% of peak");
    cli_table_cell(&t, "%.1f", a->pct_peak);
    cli_table_cell(&t, "%.1f", b->pct_peak);
    cli_table_cell(&t, "%.2f", a->pct_peak > 0 ? b->pct_peak / a->pct_peak : 0);
    cli_table_cell(&t, "FLOPs-proxy error");
    cli_table_cell(&t, "%.2fx", a->proxy_error);
    cli_table_cell(&t, "%.2fx", b->proxy_error);
    cli_table_cell(&t, "-");
    cli_table_cell(&t, "clock (MHz)");
    cli_table_cell(&t, "%.0f", a->res->chip->clock_mhz);
    cli_table_cell(&t, "%.0f", b->res->chip->clock_mhz);
    cli_table_cell(&t, "%.2f", c->clock_ratio);
    cli_table_cell(&t, "energy per inference (uJ)");
    cli_table_cell(&t, "%.1f", a->energy_uj);
    cli_table_cell(&t, "%.1f", b->energy_uj);
    cli_table_cell(&t, "%.2f", c->energy_ratio);
    cli_table_cell(&t, "average power (W)");
    cli_table_cell(&t, "%.3g", a->avg_power_w);
    cli_table_cell(&t, "%.3g", b->avg_power_w);
    cli_table_cell(&t, "%.2f", a->avg_power_w > 0 ? b->avg_power_w / a->avg_power_w : 0);
    cli_table_cell(&t, "perf/W (inferences/J)");
    cli_table_cell(&t, "%.4g", a->inferences_per_j);
    cli_table_cell(&t, "%.4g", b->inferences_per_j);
    cli_table_cell(&t, "%.2f", c->perf_per_w_ratio);
    cli_table_cell(&t, "HBM (GB/s)");
    cli_table_cell(&t, "%.0f", a->res->chip->hbm_bandwidth_gbps);
    cli_table_cell(&t, "%.0f", b->res->chip->hbm_bandwidth_gbps);
    cli_table_cell(&t, "%.2f", c->hbm_ratio);
    char cap[512];
    snprintf(cap, sizeof cap, "%s: %s -> %s, speedup %.2fx of a %.2fx peak-FLOPS ratio (%.0f%%)",
             m->model, an, bn, c->speedup, c->peak_ratio, 100.0 * c->realised);
    return cli_table_finish(&t, fmt, cap);
}

static void means(const struct model_run *runs, int n, double *mean, double *geo)
{
    double s = 0, l = 0;
    for (int i = 0; i < n; i++) {
        s += runs[i].cmp.speedup;
        l += log(runs[i].cmp.speedup > 0 ? runs[i].cmp.speedup : 1);
    }
    *mean = n ? s / n : 0;
    *geo = n ? exp(l / n) : 0;
}

static int print_models_table(const struct model_run *runs, int n, enum cli_rich_format fmt)
{
    const struct comparison *c0 = &runs[0].cmp;
    char an[160], bn[160], ha[192], hb[192];
    snprintf(ha, sizeof ha, "%s us", compare_side_name(c0, c0->a, an, sizeof an));
    snprintf(hb, sizeof hb, "%s us", compare_side_name(c0, c0->b, bn, sizeof bn));
    const char *head[] = {"model", ha, hb, "speedup", "peak ratio", "realised %",
                          "ops moved", "common move"};
    struct cli_table t;
    cli_table_init(&t, 8, head, "lrrrrrrl");
    for (int i = 0; i < n; i++) {
        const struct comparison *c = &runs[i].cmp;
        cli_table_cell(&t, "%s", fmt == RF_TEXT ? base_name(runs[i].model) : runs[i].model);
        cli_table_cell(&t, "%.2f", c->a->latency_us);
        cli_table_cell(&t, "%.2f", c->b->latency_us);
        cli_table_cell(&t, "%.2fx", c->speedup);
        cli_table_cell(&t, "%.2fx", c->peak_ratio);
        cli_table_cell(&t, "%.0f", 100.0 * c->realised);
        cli_table_cell(&t, "%d/%d", c->n_moved, c->a->n_run);
        const char *move = strstr(runs[i].why, "most common move: ");
        if (move) {
            move += strlen("most common move: ");
            size_t len = strlen(move);
            cli_table_cell(&t, "%.*s", (int)(len && move[len - 1] == '.' ? len - 1 : len), move);
        } else {
            cli_table_cell(&t, "-");
        }
    }
    double mean, geo;
    means(runs, n, &mean, &geo);
    char cap[256];
    snprintf(cap, sizeof cap, "%d models: mean speedup %.2fx (geometric %.2fx)", n, mean, geo);
    return cli_table_finish(&t, fmt, cap);
}

static void print_paragraph(const struct model_run *m, enum cli_rich_format fmt)
{
    if (fmt == RF_TEXT) {
        print_wrapped(m->why, "  ");
        putchar('\n');
    } else if (fmt == RF_LATEX) {
        printf("%% Where the peak ratio went (%s):\n", m->model);
        cli_latex_text(stdout, m->why);
        printf("\n\n");
    } else {
        printf("%s\n\n", m->why);
    }
}

static void json_overrides(const struct compare_cli *o)
{
    printf("  \"overrides\": [");
    for (int k = 0; k < 2; k++) {
        printf("%s[", k ? ", " : "");
        for (int i = 0; i < o->n_side_sets[k]; i++) {
            printf("%s", i ? ", " : "");
            json_string(stdout, o->side_sets[k][i]);
        }
        printf("]");
    }
    printf("],\n");
}

static void print_json(const struct compare_cli *cli, const struct model_run *runs, int n)
{
    double mean, geo;
    means(runs, n, &mean, &geo);
    const struct comparison *c0 = &runs[0].cmp;
    printf("{\n  \"tpusim_version\": \"%s\",\n  \"chips\": [", tpusim_version());
    json_string(stdout, c0->a->res->chip->name);
    printf(", ");
    json_string(stdout, c0->b->res->chip->name);
    printf("],\n  \"stacks\": [");
    json_string(stdout, c0->a->res->stack->name);
    printf(", ");
    json_string(stdout, c0->b->res->stack->name);
    printf("],\n");
    json_overrides(cli);
    printf("  \"peak_ratio\": %.17g,\n  \"clock_ratio\": %.17g,\n  \"hbm_ratio\": %.17g,\n"
           "  \"mean_speedup\": %.17g,\n  \"geomean_speedup\": %.17g,\n  \"models\": [",
           c0->peak_ratio, c0->clock_ratio, c0->hbm_ratio, mean, geo);
    for (int i = 0; i < n; i++) {
        const struct comparison *c = &runs[i].cmp;
        printf("%s\n    {\"model\": ", i ? "," : "");
        json_string(stdout, runs[i].model);
        printf(", \"a_latency_us\": %.17g, \"b_latency_us\": %.17g, \"speedup\": %.17g, "
               "\"realised\": %.17g, \"a_flops_proxy_error\": %.17g, "
               "\"b_flops_proxy_error\": %.17g, \"ops_moved\": %d, \"a_energy_uj\": %.17g, "
               "\"b_energy_uj\": %.17g, \"a_avg_power_w\": %.17g, \"b_avg_power_w\": %.17g, "
               "\"energy_ratio\": %.17g, \"perf_per_w_ratio\": %.17g, \"explanation\": ",
               c->a->latency_us, c->b->latency_us, c->speedup, c->realised, c->a->proxy_error,
               c->b->proxy_error, c->n_moved, c->a->energy_uj, c->b->energy_uj,
               c->a->avg_power_w, c->b->avg_power_w, c->energy_ratio, c->perf_per_w_ratio);
        json_string(stdout, runs[i].why);
        printf(", \"ops\": [");
        int first = 1;
        for (int k = 0; k < c->n_ops; k++) {
            const struct compare_op *o = &c->ops[k];
            if (o->a_fused && o->b_fused)
                continue;
            printf("%s\n      {\"index\": %d, \"name\": ", first ? "" : ",", k);
            first = 0;
            json_string(stdout, c->a->ops[k].name);
            printf(", \"kind\": ");
            json_string(stdout, c->a->ops[k].kind);
            printf(", \"a_us\": %.17g, \"b_us\": %.17g, \"speedup\": %.17g, \"a_bound\": \"%s\", "
                   "\"b_bound\": \"%s\"}",
                   o->a_us, o->b_us, o->speedup, o->a_fused ? "fused" : cause_name(o->a_bound),
                   o->b_fused ? "fused" : cause_name(o->b_bound));
        }
        printf("\n    ]}");
    }
    printf("\n  ]\n}\n");
}

static void print_csv(const struct model_run *runs, int n)
{
    printf("model,index,name,kind,a_chip,b_chip,a_us,b_us,speedup,a_bound,b_bound,a_stack,"
           "b_stack,a_energy_uj,b_energy_uj\n");
    for (int i = 0; i < n; i++) {
        const struct comparison *c = &runs[i].cmp;
        for (int k = 0; k < c->n_ops; k++) {
            const struct compare_op *o = &c->ops[k];
            if (o->a_fused && o->b_fused)
                continue;
            csv_field(stdout, runs[i].model);
            printf(",%d,", k);
            csv_field(stdout, c->a->ops[k].name);
            putchar(',');
            csv_field(stdout, c->a->ops[k].kind);
            printf(",%s,%s,%.6f,%.6f,%.6f,%s,%s,%s,%s,%.6g,%.6g\n", c->a->res->chip->name,
                   c->b->res->chip->name, o->a_us, o->b_us, o->speedup,
                   o->a_fused ? "fused" : cause_name(o->a_bound),
                   o->b_fused ? "fused" : cause_name(o->b_bound), c->a->res->stack->name,
                   c->b->res->stack->name, c->a->ops[k].energy_uj, c->b->ops[k].energy_uj);
        }
    }
}

/* A file-name stem from a model path: "speedup_tv_resnet50_light". */
static void model_stem(const char *model, char *buf, size_t len)
{
    const char *base = base_name(model);
    if (strncmp(base, "builtin:", 8) == 0)
        base += 8;
    int w = snprintf(buf, len, "speedup_%s", base);
    char *dot = strrchr(buf, '.');
    if (dot && strcmp(dot, ".onnx") == 0)
        *dot = '\0';
    for (char *p = buf; *p && w > 0; p++)
        if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-')
            *p = '_';
}

static int write_plots(const struct compare_cli *o, const struct model_run *runs, int n)
{
    const char *dir = o->plot.dir;
    if (!dir)
        return 0;
    int rc = cli_make_dir("compare", dir);
    if (rc)
        return rc;
    char stems[MAX_MODELS + 1][256];
    const char *stem_ptrs[MAX_MODELS + 1];
    char err[1024];
    for (int i = 0; i < n; i++) {
        int bars;
        model_stem(runs[i].model, stems[i], sizeof stems[i]);
        stem_ptrs[i] = stems[i];
        if (plot_speedup(dir, stems[i], &runs[i].cmp, runs[i].model, &bars, err,
                         sizeof err)) {
            fprintf(stderr, "tpusim compare: %s\n", err);
            return 1;
        }
    }
    int n_stems = n;
    if (n > 1) {
        const char *labels[MAX_MODELS];
        char label_bufs[MAX_MODELS][128];
        double values[MAX_MODELS];
        for (int i = 0; i < n; i++) {
            labels[i] = plot_model_label(runs[i].model, label_bufs[i], sizeof label_bufs[i]);
            values[i] = runs[i].cmp.speedup;
        }
        char title[512], ylabel[512], ref[96];
        const struct comparison *c0 = &runs[0].cmp;
        char an[160], bn[160];
        compare_side_name(c0, c0->a, an, sizeof an);
        compare_side_name(c0, c0->b, bn, sizeof bn);
        snprintf(title, sizeof title, "%s over %s per model", bn, an);
        snprintf(ylabel, sizeof ylabel, "speedup (x)");
        snprintf(ref, sizeof ref, "peak-FLOPS ratio %.2fx", c0->peak_ratio);
        snprintf(stems[n], sizeof stems[n], "speedup_models");
        stem_ptrs[n] = stems[n];
        if (plot_bars(dir, stems[n], title, ylabel, n, labels, values, c0->peak_ratio,
                      ref, err, sizeof err)) {
            fprintf(stderr, "tpusim compare: %s\n", err);
            return 1;
        }
        n_stems++;
    }
    rc = cli_render_plots("compare", dir, stem_ptrs, n_stems, o->plot.png);
    if (!rc)
        fprintf(stderr, "tpusim compare: wrote %d figure(s) to %s (svg, pdf%s; .dat and .gp)\n",
                n_stems, dir, o->plot.png ? ", png" : "");
    return rc;
}

/* The overrides of side k, "a=1, b=2" or "none". */
static void overrides_text(const struct compare_cli *o, int k, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < o->n_side_sets[k] && used < len; i++)
        used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? ", " : "",
                                 o->side_sets[k][i]);
    if (!o->n_side_sets[k])
        snprintf(buf, len, "none");
}

static void print_overrides(const struct compare_cli *o, const char *prefix)
{
    char a[4096], b[4096];
    overrides_text(o, 0, a, sizeof a);
    overrides_text(o, 1, b, sizeof b);
    if (o->n_side_sets[0] || o->n_side_sets[1])
        printf("%soverrides: A %s: %s; B %s: %s\n", prefix, o->chips[0], a, o->chips[1], b);
}


static int print_all(const struct compare_cli *o, const struct model_run *runs, int n)
{
    enum cli_rich_format fmt = o->sim.format;
    if (fmt == RF_JSON) {
        print_json(o, runs, n);
        return 0;
    }
    if (fmt == RF_CSV) {
        print_csv(runs, n);
        return 0;
    }
    const struct comparison *c0 = &runs[0].cmp;
    const struct sim_result *ra = c0->a->res, *rb = c0->b->res;
    char batch[160];
    cli_batch_text(&o->sim, batch, sizeof batch);
    if (fmt == RF_TEXT)
        printf("tpusim compare: %s (%s) -> %s (%s) (%lld core%s each, %s, %s, %s engine)\n",
               ra->chip->name, ra->stack->name, rb->chip->name, rb->stack->name,
               (long long)o->sim.cores, o->sim.cores > 1 ? "s" : "", batch,
               tpusim_dtype_name(ra->dtype), cli_engine_name(ra->engine));
    else if (fmt == RF_LATEX)
        printf("%% tpusim compare: %s (%s) -> %s (%s); needs \\usepackage{booktabs}\n",
               ra->chip->name, ra->stack->name, rb->chip->name, rb->stack->name);
    if (fmt == RF_TEXT || fmt == RF_LATEX)
        print_overrides(o, fmt == RF_LATEX ? "% " : "");
    if (fmt == RF_TEXT)
        putchar('\n');
    int rc = 0;
    if (n > 1)
        rc = print_models_table(runs, n, fmt);
    for (int i = 0; i < n && !rc; i++) {
        if (n == 1) {
            rc = print_side_by_side(&runs[i], fmt);
            if (!rc)
                rc = print_op_table(&runs[i], fmt);
        }
        if (fmt == RF_TEXT)
            printf("Where the peak ratio went (%s):\n", runs[i].model);
        print_paragraph(&runs[i], fmt);
    }
    if (rc)
        fprintf(stderr, "tpusim compare: out of memory\n");
    return rc ? 1 : 0;
}

/* Every --set goes to a side: a plain one to both, CHIP:KEY=V to the side
 * whose chip is CHIP. Each side's list is the plain ones, then its own
 * (later overrides win). -1 to go on, or an exit code (message printed). */
static int split_sets(struct compare_cli *o)
{
    const char *own[2][CLI_MAX_SETS];
    int n_own[2] = {0, 0};
    for (int k = 0; k < 2; k++)
        for (int i = 0; i < o->n_side_sets[k]; i++)
            own[k][n_own[k]++] = o->side_sets[k][i];
    o->n_side_sets[0] = o->n_side_sets[1] = 0;
    for (int i = 0; i < o->sim.n_sets; i++) {
        const char *set = o->sim.sets[i], *colon = strchr(set, ':'), *eq = strchr(set, '=');
        int side = -1; /* both */
        if (colon && colon < eq) {
            size_t len = (size_t)(colon - set);
            bool a = strlen(o->chips[0]) == len && strncmp(set, o->chips[0], len) == 0;
            bool b = strlen(o->chips[1]) == len && strncmp(set, o->chips[1], len) == 0;
            if (a == b) {
                fprintf(stderr, "tpusim compare: --set %s: %s; use --set-a or --set-b\n", set,
                        a ? "both sides run that chip" : "CHIP: names neither chip of --chips");
                return 2;
            }
            side = a ? 0 : 1;
            set = colon + 1;
        }
        for (int k = 0; k < 2; k++)
            if (side < 0 || side == k)
                o->side_sets[k][o->n_side_sets[k]++] = set;
    }
    for (int k = 0; k < 2; k++)
        for (int i = 0; i < n_own[k]; i++) {
            if (o->n_side_sets[k] == CLI_MAX_SETS) {
                fprintf(stderr, "tpusim compare: more than %d overrides\n", CLI_MAX_SETS);
                return 2;
            }
            o->side_sets[k][o->n_side_sets[k]++] = own[k][i];
        }
    return -1;
}

int cmd_compare(int argc, char **argv)
{
    struct compare_cli o;
    memset(&o, 0, sizeof o);
    cli_sim_defaults(&o.sim, true);
    o.chips[0] = "tpu_v2";
    o.chips[1] = "tpu_v4i";
    const struct cli_args args = {.cmd = "compare",
                                  .usage = usage,
                                  .option = compare_option,
                                  .positional = add_models,
                                  .ctx = &o};
    int rc = cli_parse_args(&args, argc, argv);
    if (rc < 0 && cli_plot_check("compare", &o.plot))
        rc = 2;
    if (rc < 0 && o.sim.stack && o.stacks[0]) {
        fprintf(stderr, "tpusim compare: --stack %s names one stack for both sides, --stacks %s,%s "
                "one per side: give one of them\n", o.sim.stack, o.stacks[0], o.stacks[1]);
        rc = 2;
    }
    if (rc < 0)
        rc = split_sets(&o);
    if (rc >= 0) {
        free_cli(&o);
        return rc;
    }
    if (o.n_models == 0)
        o.models[o.n_models++] = NULL; /* the built-in default */
    rc = 0;
    struct chip chips[2];
    struct stack stacks[2];
    for (int k = 0; k < 2 && !rc; k++) {
        struct sim_cli side = o.sim;
        memcpy(side.sets, o.side_sets[k], sizeof side.sets);
        side.n_sets = o.n_side_sets[k];
        rc = cli_load_chip("compare", &side, o.chips[k], &chips[k]);
        if (!rc)
            rc = cli_load_stack("compare", &o.sim, o.stacks[k] ? o.stacks[k] : o.sim.stack,
                                &chips[k], &stacks[k]);
    }
    struct model_run *runs = NULL;
    int n = 0;
    if (!rc) {
        runs = calloc((size_t)o.n_models, sizeof *runs);
        if (!runs) {
            fprintf(stderr, "tpusim compare: out of memory\n");
            rc = 1;
        }
    }
    for (int i = 0; runs && i < o.n_models && !rc; i++, n++)
        rc = run_model(&o, chips, stacks, o.models[i], &runs[i]);
    if (!rc)
        rc = write_plots(&o, runs, n);
    if (!rc)
        rc = print_all(&o, runs, n);
    for (int i = 0; i < n; i++)
        free_run(&runs[i]);
    free(runs);
    free_cli(&o);
    return rc;
}
