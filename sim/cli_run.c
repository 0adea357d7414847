/*
 * cli_run.c — `tpusim run`: simulate a model on a chip and print the per-op
 * table (cycles, time, achieved FLOP/s, utilisation, bound) and totals.
 * Also the option parsing and simulation steps that `report` and `compare`
 * share (cli.h: struct sim_cli), and writing a trace (--trace).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "engine.h"
#include "report.h"
#include "trace.h"

#define run_opts sim_cli

static void usage(FILE *f)
{
    fputs("usage: tpusim run [MODEL.onnx | builtin:NAME] [options]\n"
          "\n"
          "Simulates the model on a chip, op by op: cycles, time, achieved FLOP/s\n"
          "against the chip's peak, MXU utilisation, and what bounds each op.\n"
          "With no model, runs the built-in demo-cnn.\n"
          "\n"
          "options:\n"
          "  --chip NAME        tpu_v2, tpu_v3 (default), tpu_v4i, edgetpu, gpu_v100\n"
          "  --dtype T          bf16, fp16, int8 or fp32 (default: bf16; int8 on edgetpu;\n"
          "                     fp16 on gpu_v100)\n"
          "  --set K=V          override a chip parameter, e.g. --set mxu.per_core=8\n"
          "  --cores N          split the batch data-parallel over N cores (default 1)\n"
          "  --no-fusion        run every elementwise op as its own pass\n"
          "  --framework-overhead-us US  GPUs: host time per kernel of an eager framework\n"
          "  --batch N          set dimension 0 of every data input to N\n"
          "  --dim NAME=VALUE   bind a symbolic input dimension (repeatable)\n"
          "  --format FMT       text (default), csv or json\n"
          "  --trace FILE       write a Perfetto/Chrome trace (gzip JSON), e.g. run.json.gz\n"
          "  --trace-level L    op or tile (default): one slice per op, or per tile group\n"
          "  --trace-max-slices N  tile level: at most N slices per op per unit (default 64)\n"
          "  -h, --help         this help\n",
          f);
}

static bool parse_dtype(const char *s, tpusim_dtype *out)
{
    static const struct {
        const char *name;
        tpusim_dtype dt;
    } names[] = {{"bf16", TPUSIM_DT_BFLOAT16}, {"fp16", TPUSIM_DT_FLOAT16},
                 {"int8", TPUSIM_DT_INT8},     {"fp32", TPUSIM_DT_FLOAT32}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(s, names[i].name) == 0) {
            *out = names[i].dt;
            return true;
        }
    return false;
}

void cli_sim_defaults(struct sim_cli *o, bool rich)
{
    memset(o, 0, sizeof *o);
    o->chip = "tpu_v3";
    o->cores = 1;
    o->rich = rich;
    o->trace_level = TRACE_TILE;
}

static int trace_option(const char *cmd, int argc, char **argv, int *i, struct sim_cli *o)
{
    bool bad = false;
    const char *v;
    if ((v = cli_opt_value("--trace", argc, argv, i, &bad))) {
        o->trace = v;
        return 1;
    }
    if (!bad && (v = cli_opt_value("--trace-level", argc, argv, i, &bad))) {
        if (strcmp(v, "op") == 0 || strcmp(v, "tile") == 0) {
            o->trace_level = strcmp(v, "op") == 0 ? TRACE_OP : TRACE_TILE;
            return 1;
        }
        fprintf(stderr, "tpusim %s: --trace-level must be op or tile, got '%s'\n", cmd, v);
        return -1;
    }
    if (!bad && (v = cli_opt_value("--trace-max-slices", argc, argv, i, &bad))) {
        if (cli_parse_int64(v, 1, INT64_C(1) << 30, &o->trace_slices))
            return 1;
        fprintf(stderr, "tpusim %s: --trace-max-slices needs a whole number >= 1, got '%s'\n",
                cmd, v);
        return -1;
    }
    return bad ? -1 : 0;
}

static int rich_format_option(const char *cmd, int argc, char **argv, int *i, struct sim_cli *o)
{
    static const char *const names[] = {"text", "csv", "json", "markdown", "latex"};
    bool bad = false;
    const char *v = cli_opt_value("--format", argc, argv, i, &bad);
    if (!v)
        return bad ? -1 : 0;
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
        if (strcmp(v, names[k]) == 0 || (k == RF_MARKDOWN && strcmp(v, "md") == 0) ||
            (k == RF_LATEX && strcmp(v, "tex") == 0)) {
            o->format = (enum cli_rich_format)k;
            return 1;
        }
    fprintf(stderr, "tpusim %s: --format must be text, csv, json, markdown or latex, got '%s'\n",
            cmd, v);
    return -1;
}

/* 1 consumed, 0 not a simulation option, -1 bad (message printed). */
int cli_sim_option(const char *cmd, int argc, char **argv, int *i, struct sim_cli *o,
                   bool with_chip)
{
    bool bad = false;
    const char *v;
    if (with_chip && (v = cli_opt_value("--chip", argc, argv, i, &bad))) {
        o->chip = v;
        return 1;
    }
    if (!bad && (v = cli_opt_value("--dtype", argc, argv, i, &bad))) {
        if (parse_dtype(v, &o->dtype))
            return 1;
        fprintf(stderr, "tpusim %s: --dtype must be bf16, fp16, int8 or fp32, got '%s'\n", cmd,
                v);
        return -1;
    }
    if (!bad && (v = cli_opt_value("--set", argc, argv, i, &bad))) {
        if (!strchr(v, '=') || o->n_sets == CLI_MAX_SETS) {
            fprintf(stderr, "tpusim %s: --set needs SECTION.KEY=VALUE, got '%s'\n", cmd, v);
            return -1;
        }
        o->sets[o->n_sets++] = v;
        return 1;
    }
    if (!bad && (v = cli_opt_value("--cores", argc, argv, i, &bad))) {
        if (cli_parse_int64(v, 1, 1024, &o->cores))
            return 1;
        fprintf(stderr, "tpusim %s: --cores needs a whole number >= 1, got '%s'\n", cmd, v);
        return -1;
    }
    if (!bad && strcmp(argv[*i], "--no-fusion") == 0) {
        o->no_fusion = true;
        return 1;
    }
    if (!bad && (v = cli_opt_value("--framework-overhead-us", argc, argv, i, &bad))) {
        char *end;
        errno = 0;
        double us = strtod(v, &end);
        if (!errno && *v && !*end && us >= 0 && us <= 1e6) {
            o->framework_overhead_us = us;
            return 1;
        }
        fprintf(stderr, "tpusim %s: --framework-overhead-us needs microseconds >= 0, got '%s'\n",
                cmd, v);
        return -1;
    }
    if (bad)
        return -1;
    int r = trace_option(cmd, argc, argv, i, o);
    if (r == 0 && o->rich)
        r = rich_format_option(cmd, argc, argv, i, o);
    return r != 0 ? r : cli_model_option(cmd, argc, argv, i, &o->model);
}

int cli_load_chip(const char *cmd, const struct sim_cli *o, const char *name, struct chip *out)
{
    char err[1024];
    if (chip_load(cli_models_dir(), name, o->sets, o->n_sets, out, err, sizeof err)) {
        fprintf(stderr, "tpusim %s: %s\n", cmd, err);
        return 1;
    }
    if (o->cores > out->cores) {
        fprintf(stderr, "tpusim %s: --cores %lld but %s has %d\n", cmd, (long long)o->cores,
                out->name, out->cores);
        return 2;
    }
    return 0;
}

tpusim_graph *cli_open_sim_model(const struct sim_cli *o)
{
    int64_t batch = o->model.batch ? o->model.batch : 1;
    struct model_opts per_core = o->model;
    if (o->cores > 1)
        per_core.batch = (batch + o->cores - 1) / o->cores;
    return cli_open_model(&per_core);
}

int cli_simulate(const char *cmd, const struct sim_cli *o, const tpusim_graph *g,
                 const struct chip *chip, struct sim_result *res)
{
    char err[1024];
    struct sim_options so = {.dtype = o->dtype,
                             .no_fusion = o->no_fusion,
                             .cores = (int)o->cores,
                             .framework_overhead_us = o->framework_overhead_us};
    if (simulate(g, chip, &so, res, err, sizeof err)) {
        fprintf(stderr, "tpusim %s: %s\n", cmd, err);
        return 1;
    }
    return 0;
}

int cli_write_trace(const char *cmd, const struct sim_cli *o, const struct report *rp)
{
    if (!o->trace)
        return 0;
    char err[1024];
    struct trace_options to = {(enum trace_level)o->trace_level, (uint64_t)o->trace_slices,
                               cli_model_name(&o->model)};
    if (trace_write(o->trace, rp, &to, err, sizeof err)) {
        fprintf(stderr, "tpusim %s: %s\n", cmd, err);
        return 1;
    }
    return 0;
}

static int parse_args(int argc, char **argv, struct run_opts *o)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return 0;
        }
        int r = cli_sim_option("run", argc, argv, &i, o, true);
        if (r < 0)
            return 2;
        if (r > 0)
            continue;
        if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "tpusim run: unknown option '%s' (see tpusim run --help)\n", argv[i]);
            return 2;
        }
        if (o->model.model) {
            fprintf(stderr, "tpusim run: one model at a time ('%s' and '%s')\n", o->model.model,
                    argv[i]);
            return 2;
        }
        o->model.model = argv[i];
    }
    return -1;
}

static const char *op_name(const struct sim_result *r, int op)
{
    return r->graph->ops[op]->name;
}

static const char *op_type(const struct sim_result *r, int op)
{
    return op_info_of(r->graph->ops[op]->type)->name;
}

/* Achieved FLOP/s of an op and its share of one core's peak. */
static double achieved(const struct sim_result *r, const struct op_result *op)
{
    double s = (double)op->cycles / r->chip->clock_hz;
    return s > 0 ? (double)op->flops / s : 0;
}

static double mxu_util(const struct op_result *op)
{
    return op->cycles && op->mac_slots ? (double)op->useful_macs / (double)op->mac_slots : 0;
}

struct run_summary {
    double latency_us, tflops, peak_tflops, proxy_us, proxy_error;
};

static struct run_summary summarize(const struct sim_result *r)
{
    struct run_summary s;
    s.latency_us = chip_cycles_to_us(r->chip, r->total_cycles);
    s.peak_tflops = r->chip->peak_flops_per_s_core / 1e12;
    s.tflops = s.latency_us > 0 ? (double)r->flops / (s.latency_us * 1e-6) / 1e12 : 0;
    /* The FLOPs proxy: time if every FLOP ran at peak. */
    s.proxy_us = (double)r->flops / r->chip->peak_flops_per_s_core * 1e6;
    s.proxy_error = s.proxy_us > 0 ? s.latency_us / s.proxy_us : 0;
    return s;
}

static void print_text(const struct sim_result *r, const struct run_opts *o)
{
    struct run_summary s = summarize(r);
    printf("model %s on %s: 1 core of %d, batch %lld%s, %s%s\n\n", cli_model_name(&o->model),
           r->chip->name, r->chip->cores, (long long)(o->model.batch ? o->model.batch : 1),
           o->cores > 1 ? " per core (data-parallel)" : "", tpusim_dtype_name(r->dtype),
           o->no_fusion ? ", no fusion" : "");
    printf("%4s  %-34s %-16s %12s %10s %9s %6s %6s  %s\n", "#", "name", "type", "cycles", "us",
           "TFLOP/s", "%peak", "MXU%", "bound");
    for (int i = 0; i < r->n_ops; i++) {
        const struct op_result *op = &r->ops[i];
        if (op->fused_into >= 0) {
            printf("%4d  %-34.34s %-16.16s %12s %10s %9s %6s %6s  fused into %s\n", i,
                   op_name(r, op->op), op_type(r, op->op), "-", "-", "-", "-", "-",
                   op_name(r, op->fused_into));
            continue;
        }
        double a = achieved(r, op);
        printf("%4d  %-34.34s %-16.16s %12llu %10.2f %9.3f %6.1f %6.1f  %s\n", i,
               op_name(r, op->op), op_type(r, op->op), (unsigned long long)op->cycles,
               chip_cycles_to_us(r->chip, op->cycles), a / 1e12,
               100.0 * a / r->chip->peak_flops_per_s_core, 100.0 * mxu_util(op),
               cause_name(op->bound));
    }
    printf("\ntotal: %llu cycles = %.2f us at %.0f MHz\n", (unsigned long long)r->total_cycles,
           s.latency_us, r->chip->clock_mhz);
    printf("achieved %.2f TFLOP/s of %.2f peak (%.1f%%); %.3f GFLOP\n", s.tflops, s.peak_tflops,
           100.0 * s.tflops / s.peak_tflops, (double)r->flops / 1e9);
    printf("FLOPs proxy (FLOPs / peak): %.2f us, %.2fx off the simulated time\n", s.proxy_us,
           s.proxy_error);
    printf("time by cause:");
    for (int k = 0; k < CAUSE_COUNT; k++)
        if (r->stall[k])
            printf(" %s %.1f%%", cause_name((enum cause)k),
                   100.0 * (double)r->stall[k] / (double)r->total_cycles);
    printf("\n");
}

static void print_csv(const struct sim_result *r)
{
    printf("index,name,type,start_cycle,cycles,latency_us,flops,hbm_bytes,host_bytes,bound,"
           "fused_into");
    for (int k = 0; k < CAUSE_COUNT; k++)
        printf(",%s_cycles", cause_name((enum cause)k));
    printf("\n");
    for (int i = 0; i < r->n_ops; i++) {
        const struct op_result *op = &r->ops[i];
        printf("%d,", i);
        csv_field(stdout, op_name(r, op->op));
        putchar(',');
        csv_field(stdout, op_type(r, op->op));
        printf(",%llu,%llu,%.4f,%llu,%llu,%llu,%s,", (unsigned long long)op->start_cycle,
               (unsigned long long)op->cycles, chip_cycles_to_us(r->chip, op->cycles),
               (unsigned long long)op->flops, (unsigned long long)op->hbm_bytes,
               (unsigned long long)op->host_bytes,
               op->fused_into >= 0 ? "fused" : cause_name(op->bound));
        if (op->fused_into >= 0)
            csv_field(stdout, op_name(r, op->fused_into));
        for (int k = 0; k < CAUSE_COUNT; k++)
            printf(",%llu", (unsigned long long)op->stall[k]);
        printf("\n");
    }
}

static void print_json(const struct sim_result *r, const struct run_opts *o)
{
    struct run_summary s = summarize(r);
    printf("{\n  \"tpusim_version\": \"%s\",\n  \"chip\": ", tpusim_version());
    json_string(stdout, r->chip->name);
    printf(",\n  \"model\": ");
    json_string(stdout, cli_model_name(&o->model));
    printf(",\n  \"batch\": %lld,\n  \"cores\": %lld,\n  \"dtype\": \"%s\",\n  \"fusion\": %s,\n",
           (long long)(o->model.batch ? o->model.batch : 1), (long long)o->cores,
           tpusim_dtype_name(r->dtype), o->no_fusion ? "false" : "true");
    printf("  \"clock_mhz\": %.17g,\n  \"total_cycles\": %llu,\n  \"latency_us\": %.17g,\n"
           "  \"flops\": %llu,\n  \"peak_flops_per_s\": %.17g,\n  \"flops_proxy_us\": %.17g,\n",
           r->chip->clock_mhz, (unsigned long long)r->total_cycles, s.latency_us,
           (unsigned long long)r->flops, r->chip->peak_flops_per_s_core, s.proxy_us);
    printf("  \"param_bytes\": %llu,\n  \"params_on_chip_bytes\": %llu,\n  \"cycles_by_cause\": {",
           (unsigned long long)r->param_bytes, (unsigned long long)r->params_on_chip_bytes);
    for (int k = 0; k < CAUSE_COUNT; k++)
        printf("%s\"%s\": %llu", k ? ", " : "", cause_name((enum cause)k),
               (unsigned long long)r->stall[k]);
    printf("},\n  \"ops\": [");
    for (int i = 0; i < r->n_ops; i++) {
        const struct op_result *op = &r->ops[i];
        printf("%s\n    {\"name\": ", i ? "," : "");
        json_string(stdout, op_name(r, op->op));
        printf(", \"type\": ");
        json_string(stdout, op_type(r, op->op));
        printf(", \"start_cycle\": %llu, \"cycles\": %llu, \"flops\": %llu, \"bytes\": %llu, "
               "\"host_bytes\": %llu, \"bound\": \"%s\", \"fused_into\": ",
               (unsigned long long)op->start_cycle, (unsigned long long)op->cycles,
               (unsigned long long)op->flops, (unsigned long long)op->hbm_bytes,
               (unsigned long long)op->host_bytes,
               op->fused_into >= 0 ? "fused" : cause_name(op->bound));
        if (op->fused_into >= 0)
            json_string(stdout, op_name(r, op->fused_into));
        else
            printf("null");
        printf(", \"stall_cycles\": {");
        for (int k = 0; k < CAUSE_COUNT; k++)
            printf("%s\"%s\": %llu", k ? ", " : "", cause_name((enum cause)k),
                   (unsigned long long)op->stall[k]);
        printf("}}");
    }
    printf("\n  ]\n}\n");
}

int cmd_run(int argc, char **argv)
{
    struct run_opts o;
    cli_sim_defaults(&o, false);
    int rc = parse_args(argc, argv, &o);
    if (rc >= 0)
        return rc;
    struct chip chip;
    rc = cli_load_chip("run", &o, o.chip, &chip);
    if (rc)
        return rc;
    tpusim_graph *g = cli_open_sim_model(&o);
    if (!g)
        return 1;
    struct sim_result res;
    rc = cli_simulate("run", &o, g, &chip, &res);
    if (rc) {
        tpusim_graph_close(g);
        return rc;
    }
    if (o.cores > 1)
        o.model.batch = ((o.model.batch ? o.model.batch : 1) + o.cores - 1) / o.cores;
    if (o.trace) {
        struct report rp;
        char err[1024];
        rc = report_build(&res, &rp, err, sizeof err);
        if (rc)
            fprintf(stderr, "tpusim run: %s\n", err);
        else
            rc = cli_write_trace("run", &o, &rp);
        report_free(&rp);
        rc = rc ? 1 : 0;
    }
    if (!rc && o.model.format == FMT_JSON)
        print_json(&res, &o);
    else if (!rc && o.model.format == FMT_CSV)
        print_csv(&res);
    else if (!rc)
        print_text(&res, &o);
    sim_result_free(&res);
    tpusim_graph_close(g);
    return rc;
}
