/*
 * cli_run.c — `tpusim run`: simulate a model on a chip and print the per-op
 * table (cycles, time, achieved FLOP/s, utilisation, bound) and totals, all
 * read from the report (sim/report.h) so that run and report never disagree.
 * Also what `report` and `compare` share: option parsing and the simulation
 * steps (cli.h: struct sim_cli), the JSON header, and writing a trace.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "engine.h"
#include "graph.h"
#include "matrix_unit.h"
#include "report.h"
#include "stack.h"
#include "trace.h"

static void usage(FILE *f)
{
    fputs("usage: tpusim run [MODEL.onnx | MODEL.tflite | builtin:NAME] [options]\n"
          "\n"
          "Simulates the model on a chip, op by op: cycles, time, achieved FLOP/s\n"
          "against the chip's peak, MXU utilisation, and what bounds each op.\n"
          "With no model, runs the built-in demo-cnn.\n"
          "\n"
          "options:\n"
          "  --chip NAME        tpu_v2, tpu_v3 (default), tpu_v4i, edgetpu (USB),\n"
          "                     edgetpu_pcie, gpu_v100\n"
          "  --stack NAME       software stack: xla, tensorrt, pytorch-eager,\n"
          "                     paddle-inference, tflite-edgetpu or a .ini (default: the\n"
          "                     chip's, see tpusim chips and tpusim stacks)\n"
          "  --dtype T          bf16, fp16, int8 or fp32 (default: int8 for a quantized\n"
          "                     graph where the chip runs it, else bf16; int8 on edgetpu;\n"
          "                     fp16 on gpu_v100)\n"
          "  --set K=V          override a chip parameter, e.g. --set mxu.per_core=8\n"
          "  --stack-set K=V    override a stack value, e.g.\n"
          "                     --stack-set overhead.dispatch_us_per_kernel=20\n"
          "  --cores N          split the batch data-parallel over N cores sharing HBM (default 1)\n"
          "  --engine E         event (default): every tile, transfer and unit in time;\n"
          "                     fast: each op alone in closed form (the NAS oracle's engine)\n"
          "  --no-fusion        run every elementwise op as its own pass\n"
          "  --framework-overhead-us US  host time per kernel on top of the stack's\n"
          "  --batch N          set dimension 0 of every data input to N\n"
          "  --dim NAME=VALUE   bind a symbolic input dimension (repeatable), or an ONNX\n"
          "                     Loop's trip count (NODE.trip_count=N)\n"
          "  --twin FILE        an Edge TPU-compiled model's source (see tpusim inspect)\n"
          "  --format FMT       text (default), csv or json\n"
          "  --trace FILE       write a Perfetto/Chrome trace (gzip JSON), e.g. run.json.gz\n"
          "  --trace-level L    op or tile (default): one slice per op, or per tile group\n"
          "  --trace-max-slices N  tile level: at most N slices per op per unit (default 64)\n"
          "  -h, --help         this help\n",
          f);
}

bool cli_parse_dtype(const char *s, tpusim_dtype *out)
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
    o->engine = ENGINE_EVENT;
    o->rich = rich;
    o->trace_level = TRACE_TILE;
}

static int trace_option(const char *cmd, int argc, char **argv, int *i, struct sim_cli *o)
{
    bool bad = false;
    const char *v;
    if ((v = cli_opt_value("--trace", argc, argv, i, &bad))) {
        o->trace = v;
        return CLI_TAKEN;
    }
    if (!bad && (v = cli_opt_value("--trace-level", argc, argv, i, &bad))) {
        if (strcmp(v, "op") == 0 || strcmp(v, "tile") == 0) {
            o->trace_level = strcmp(v, "op") == 0 ? TRACE_OP : TRACE_TILE;
            return CLI_TAKEN;
        }
        fprintf(stderr, "tpusim %s: --trace-level must be op or tile, got '%s'\n", cmd, v);
        return CLI_BAD;
    }
    if (!bad && (v = cli_opt_value("--trace-max-slices", argc, argv, i, &bad))) {
        if (cli_parse_int64(v, 1, INT64_C(1) << 30, &o->trace_slices))
            return CLI_TAKEN;
        fprintf(stderr, "tpusim %s: --trace-max-slices needs a whole number >= 1, got '%s'\n",
                cmd, v);
        return CLI_BAD;
    }
    return bad ? CLI_BAD : CLI_NOT_OURS;
}

static int rich_format_option(const char *cmd, int argc, char **argv, int *i, struct sim_cli *o)
{
    static const char *const names[] = {"text", "csv", "json", "markdown", "latex"};
    bool bad = false;
    const char *v = cli_opt_value("--format", argc, argv, i, &bad);
    if (!v)
        return bad ? CLI_BAD : CLI_NOT_OURS;
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
        if (strcmp(v, names[k]) == 0 || (k == RF_MARKDOWN && strcmp(v, "md") == 0) ||
            (k == RF_LATEX && strcmp(v, "tex") == 0)) {
            o->format = (enum cli_rich_format)k;
            return CLI_TAKEN;
        }
    fprintf(stderr, "tpusim %s: --format must be text, csv, json, markdown or latex, got '%s'\n",
            cmd, v);
    return CLI_BAD;
}

/* One override, SECTION.KEY=VALUE: its form is checked by the loader. */
static int set_option(const char *cmd, const char *flag, const char *v, const char **sets,
                      int *n)
{
    if (!strchr(v, '=') || *n == CLI_MAX_SETS) {
        fprintf(stderr, "tpusim %s: %s needs SECTION.KEY=VALUE, got '%s'\n", cmd, flag, v);
        return CLI_BAD;
    }
    sets[(*n)++] = v;
    return CLI_TAKEN;
}

int cli_sim_option(const char *cmd, int argc, char **argv, int *i, struct sim_cli *o)
{
    bool bad = false;
    const char *v;
    if ((v = cli_opt_value("--chip", argc, argv, i, &bad))) {
        o->chip = v;
        return CLI_TAKEN;
    }
    if (!bad && (v = cli_opt_value("--dtype", argc, argv, i, &bad))) {
        if (cli_parse_dtype(v, &o->dtype))
            return CLI_TAKEN;
        fprintf(stderr, "tpusim %s: --dtype must be bf16, fp16, int8 or fp32, got '%s'\n", cmd,
                v);
        return CLI_BAD;
    }
    if (!bad && (v = cli_opt_value("--stack", argc, argv, i, &bad))) {
        o->stack = v;
        return CLI_TAKEN;
    }
    if (!bad && (v = cli_opt_value("--set", argc, argv, i, &bad)))
        return set_option(cmd, "--set", v, o->sets, &o->n_sets);
    if (!bad && (v = cli_opt_value("--stack-set", argc, argv, i, &bad)))
        return set_option(cmd, "--stack-set", v, o->stack_sets, &o->n_stack_sets);
    if (!bad && (v = cli_opt_value("--cores", argc, argv, i, &bad))) {
        if (cli_parse_int64(v, 1, 1024, &o->cores))
            return CLI_TAKEN;
        fprintf(stderr, "tpusim %s: --cores needs a whole number >= 1, got '%s'\n", cmd, v);
        return CLI_BAD;
    }
    if (!bad && (v = cli_opt_value("--engine", argc, argv, i, &bad))) {
        if (cli_parse_engine(v, &o->engine))
            return CLI_TAKEN;
        fprintf(stderr, "tpusim %s: --engine must be event or fast, got '%s'\n", cmd, v);
        return CLI_BAD;
    }
    if (!bad && strcmp(argv[*i], "--no-fusion") == 0) {
        o->no_fusion = true;
        return CLI_TAKEN;
    }
    if (!bad && (v = cli_opt_value("--framework-overhead-us", argc, argv, i, &bad))) {
        char *end;
        errno = 0;
        double us = strtod(v, &end);
        if (!errno && *v && !*end && us >= 0 && us <= 1e6) {
            o->framework_overhead_us = us;
            return CLI_TAKEN;
        }
        fprintf(stderr, "tpusim %s: --framework-overhead-us needs microseconds >= 0, got '%s'\n",
                cmd, v);
        return CLI_BAD;
    }
    if (bad)
        return CLI_BAD;
    int r = trace_option(cmd, argc, argv, i, o);
    if (r == CLI_NOT_OURS && o->rich)
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

int cli_load_stack(const char *cmd, const struct sim_cli *o, const char *name,
                   const struct chip *chip, struct stack *out)
{
    char err[1024];
    if (stack_resolve(cli_models_dir(), chip, name, o->stack_sets, o->n_stack_sets, out, err,
                      sizeof err)) {
        fprintf(stderr, "tpusim %s: %s\n", cmd, err);
        return 1;
    }
    return 0;
}

int64_t cli_core_batch(const struct sim_cli *o)
{
    int64_t batch = o->model.batch ? o->model.batch : 1;
    return (batch + o->cores - 1) / o->cores;
}

void cli_batch_text(const struct sim_cli *o, char *buf, size_t len)
{
    int64_t batch = o->model.batch ? o->model.batch : 1, big = cli_core_batch(o);
    if (o->cores <= 1)
        snprintf(buf, len, "batch %lld", (long long)batch);
    else if (batch % o->cores == 0)
        snprintf(buf, len, "batch %lld split %lld x %lld over %lld cores", (long long)batch,
                 (long long)o->cores, (long long)big, (long long)o->cores);
    else
        snprintf(buf, len, "batch %lld split %lld x %lld + %lld x %lld over %lld cores (uneven)",
                 (long long)batch, (long long)(batch % o->cores), (long long)big,
                 (long long)(o->cores - batch % o->cores), (long long)(big - 1),
                 (long long)o->cores);
}

int cli_open_core_models(const char *cmd, const struct sim_cli *o, struct core_models *m)
{
    memset(m, 0, sizeof *m);
    int64_t batch = o->model.batch ? o->model.batch : 1;
    if (o->cores > batch) {
        fprintf(stderr, "tpusim %s: --cores %lld needs a batch of at least %lld to split "
                        "(--batch %lld)\n", cmd, (long long)o->cores, (long long)o->cores,
                (long long)batch);
        return 2;
    }
    struct model_opts per_core = o->model;
    /* One core: the batch stays as given, 0 keeping the file's own. */
    if (o->cores > 1)
        per_core.batch = cli_core_batch(o);
    m->big = cli_open_model(&per_core, true);
    if (!m->big)
        return 1;
    m->n_big = o->cores;
    if (o->cores > 1 && batch % o->cores) {
        m->n_big = batch % o->cores;
        per_core.batch = cli_core_batch(o) - 1;
        m->small = cli_open_model(&per_core, false);
        if (!m->small) {
            cli_close_core_models(m);
            return 1;
        }
    }
    return 0;
}

void cli_close_core_models(struct core_models *m)
{
    tpusim_graph_close(m->big);
    tpusim_graph_close(m->small);
    memset(m, 0, sizeof *m);
}

/* A quantized graph runs its matrix ops in int8 unless --dtype says
 * otherwise or the chip has no int8 matrix mode: either is said. */
static void dtype_note(const struct sim_cli *o, const struct tpusim_graph *g,
                       const struct chip *chip)
{
    tpusim_dtype graph_dt = g->matrix_dtype;
    char line[256] = "";
    if (!graph_dt)
        return;
    if (o->dtype && o->dtype != graph_dt)
        snprintf(line, sizeof line, "the graph's matrix ops are %s; --dtype %s overrides that",
                 tpusim_dtype_name(graph_dt), tpusim_dtype_name(o->dtype));
    else if (!o->dtype && !sim_asked_dtype(chip, g, TPUSIM_DT_UNDEFINED))
        snprintf(line, sizeof line,
                 "the graph's matrix ops are %s, which %s does not run: simulated in its "
                 "default %s",
                 tpusim_dtype_name(graph_dt), chip->name,
                 tpusim_dtype_name(chip_default_dtype(chip)));
    if (line[0])
        fprintf(stderr, "tpusim: %s: note: %s\n", cli_model_name(&o->model), line);
}

int cli_simulate(const char *cmd, const struct sim_cli *o, const struct core_models *m,
                 const struct chip *chip, const struct stack *stack, struct sim_result *res)
{
    dtype_note(o, m->big, chip);
    char err[1024];
    struct sim_options so = {.dtype = o->dtype,
                             .no_fusion = o->no_fusion,
                             .cores = (int)o->cores,
                             .engine = (enum engine_kind)o->engine,
                             .framework_overhead_us = o->framework_overhead_us,
                             .stack = stack};
    const tpusim_graph *gs[1024];
    for (int64_t k = 0; k < o->cores && k < 1024; k++)
        gs[k] = k < m->n_big ? m->big : m->small;
    if (simulate_cores(gs, chip, &so, res, err, sizeof err)) {
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

int cli_simulate_report(const char *cmd, const struct sim_cli *o,
                        int (*show)(const struct report *rp, const struct sim_cli *o, void *ctx),
                        void *ctx)
{
    if (o->trace && o->engine == ENGINE_FAST) {
        fprintf(stderr, "tpusim %s: --trace draws the event engine's activities; it cannot "
                        "come with --engine fast\n", cmd);
        return 2;
    }
    struct chip chip;
    struct stack stack;
    int rc = cli_load_chip(cmd, o, o->chip, &chip);
    if (!rc)
        rc = cli_load_stack(cmd, o, o->stack, &chip, &stack);
    if (rc)
        return rc;
    struct core_models m;
    rc = cli_open_core_models(cmd, o, &m);
    if (rc)
        return rc;
    struct sim_result res;
    rc = cli_simulate(cmd, o, &m, &chip, &stack, &res);
    if (rc) {
        cli_close_core_models(&m);
        return rc;
    }
    struct report rp;
    char err[1024];
    if (report_build(&res, &rp, err, sizeof err)) {
        fprintf(stderr, "tpusim %s: %s\n", cmd, err);
        rc = 1;
    }
    if (!rc)
        rc = cli_write_trace(cmd, o, &rp);
    if (!rc)
        rc = show(&rp, o, ctx);
    report_free(&rp);
    sim_result_free(&res);
    cli_close_core_models(&m);
    return rc;
}

void cli_json_run_header(FILE *f, const struct report *rp, const struct sim_cli *o,
                         bool chip_first)
{
    const char *keys[2] = {"model", "chip"};
    const char *vals[2] = {cli_model_name(&o->model), rp->res->chip->name};
    fprintf(f, "{\n  \"tpusim_version\": \"%s\"", tpusim_version());
    for (int k = 0; k < 2; k++) {
        int at = chip_first ? 1 - k : k;
        fprintf(f, ",\n  \"%s\": ", keys[at]);
        json_string(f, vals[at]);
    }
    fprintf(f, ",\n  \"stack\": ");
    json_string(f, rp->res->stack->name);
    fprintf(f, ",\n  \"batch\": %lld,\n  \"batch_total\": %lld,\n  \"cores\": %lld,\n"
               "  \"engine\": \"%s\",\n  \"dtype\": \"%s\",\n  \"fusion\": %s,\n"
               "  \"invocation_cycles\": %llu,\n",
            (long long)cli_core_batch(o), (long long)(o->model.batch ? o->model.batch : 1),
            (long long)o->cores, cli_engine_name(rp->res->engine),
            tpusim_dtype_name(rp->res->dtype), o->no_fusion ? "false" : "true",
            (unsigned long long)rp->res->invocation_cycles);
}

void cli_json_energy(FILE *f, const struct report *rp)
{
    fprintf(f, "  \"energy_uj\": %.17g,\n  \"avg_power_w\": %.17g,\n  \"peak_power_w\": %.17g,\n"
               "  \"tops_per_w\": %.17g,\n  \"inferences_per_j\": %.17g,\n"
               "  \"energy_uj_by_part\": {",
            rp->energy_uj, rp->avg_power_w, rp->peak_power_w, rp->tops_per_w,
            rp->inferences_per_j);
    for (int k = 0; k < ENERGY_COUNT; k++)
        fprintf(f, "%s\"%s\": %.17g", k ? ", " : "", energy_part_name((enum energy_part)k),
                rp->energy_uj_by_part[k]);
    fputc('}', f);
}

/* "2.31 mJ", "845.2 uJ": energy in the unit that reads best. */
static const char *energy_text(double uj, char *buf, size_t len)
{
    if (uj >= 1e3)
        snprintf(buf, len, "%.3g mJ", uj / 1e3);
    else
        snprintf(buf, len, "%.4g uJ", uj);
    return buf;
}

void cli_print_energy(FILE *f, const struct report *rp, const char *indent)
{
    const struct chip *c = rp->res->chip;
    char e[32];
    fprintf(f, "%senergy: %s per inference (%.4g inferences/J); power %.3g W average, %.3g W peak "
               "op (TDP %.4g W); %.3g TOPS/W\n",
            indent, energy_text(rp->energy_uj, e, sizeof e), rp->inferences_per_j, rp->avg_power_w,
            rp->peak_power_w, c->energy_tdp_w, rp->tops_per_w);
    fprintf(f, "%senergy by part:", indent);
    for (int k = 0; k < ENERGY_COUNT; k++)
        if (rp->energy_uj_by_part[k] > 0)
            fprintf(f, " %s %.1f%%", energy_part_name((enum energy_part)k),
                    100.0 * rp->energy_uj_by_part[k] / rp->energy_uj);
    fprintf(f, "\n");
}

void cli_json_causes(FILE *f, const uint64_t *cycles, const double *shares)
{
    fputc('{', f);
    for (int k = 0; k < CAUSE_COUNT; k++) {
        fprintf(f, "%s\"%s\": ", k ? ", " : "", cause_name((enum cause)k));
        if (cycles)
            fprintf(f, "%llu", (unsigned long long)cycles[k]);
        else
            fprintf(f, "%.17g", shares[k]);
    }
    fputc('}', f);
}

/* ---------------------------------------------------------------- run */

static int run_option(const struct cli_args *a, int argc, char **argv, int *i)
{
    return cli_sim_option(a->cmd, argc, argv, i, a->ctx);
}

static void print_text(const struct report *rp, const struct sim_cli *o)
{
    const struct sim_result *r = rp->res;
    const struct chip *c = r->chip;
    char batch[160];
    cli_batch_text(o, batch, sizeof batch);
    printf("model %s on %s under %s: %lld core%s of %d, %s, %s%s, %s engine\n\n",
           cli_model_name(&o->model), c->name, r->stack->name, (long long)o->cores,
           o->cores > 1 ? "s" : "", c->cores, batch, tpusim_dtype_name(r->dtype),
           o->no_fusion ? ", no fusion" : "", cli_engine_name(r->engine));
    printf("%4s  %-34s %-16s %12s %10s %9s %6s %6s  %s\n", "#", "name", "type", "cycles", "us",
           "TFLOP/s", "%peak", "MXU%", "bound");
    for (int i = 0; i < rp->n_ops; i++) {
        const struct report_op *op = &rp->ops[i];
        char name[128], into[512];
        cli_fit_name(op->name, 34, name, sizeof name);
        if (op->fused_into) {
            printf("%4d  %-34s %-16.16s %12s %10s %9s %6s %6s  fused into %s\n", i, name,
                   op->type, "-", "-", "-", "-", "-", cli_fit_name(op->fused_into, 0, into,
                                                                    sizeof into));
            continue;
        }
        printf("%4d  %-34s %-16.16s %12llu %10.2f %9.3f %6.1f %6.1f  %s\n", i, name,
               op->type, (unsigned long long)op->res->cycles, op->us, op->flops_per_s / 1e12,
               op->pct_peak, 100.0 * op->mxu_util_busy, cause_name(op->res->bound));
    }
    if (r->invocation_cycles)
        printf("(the first op's cycles include %s's per-inference cost, %llu cycles = %.2f us)\n",
               r->stack->name, (unsigned long long)r->invocation_cycles,
               chip_cycles_to_us(c, r->invocation_cycles));
    printf("\ntotal: %llu cycles = %.2f us at %.0f MHz\n", (unsigned long long)r->sum.cycles,
           rp->latency_us, c->clock_mhz);
    printf("achieved %.2f TFLOP/s of %.2f peak (%.1f%%); %.3f GFLOP\n", rp->flops_per_s / 1e12,
           rp->peak_flops_per_s / 1e12, rp->pct_peak, (double)r->sum.flops / 1e9);
    printf("FLOPs proxy (FLOPs / peak): %.2f us, %.2fx off the simulated time\n", rp->proxy_us,
           rp->proxy_error);
    printf("time by cause:");
    for (int k = 0; k < CAUSE_COUNT; k++)
        if (rp->cause_share[k] > 0)
            printf(" %s %.1f%%", cause_name((enum cause)k), 100.0 * rp->cause_share[k]);
    printf("\n");
    cli_print_energy(stdout, rp, "");
}

static void print_csv(const struct report *rp)
{
    const struct sim_result *r = rp->res;
    printf("index,name,type,start_cycle,cycles,latency_us,flops,hbm_bytes,host_bytes,bound,"
           "fused_into");
    for (int k = 0; k < CAUSE_COUNT; k++)
        printf(",%s_cycles", cause_name((enum cause)k));
    printf(",energy_uj,avg_power_w,stack\n");
    for (int i = 0; i < rp->n_ops; i++) {
        const struct report_op *op = &rp->ops[i];
        const struct op_result *x = op->res;
        printf("%d,", i);
        csv_field(stdout, op->name);
        putchar(',');
        csv_field(stdout, op->type);
        printf(",%llu,%llu,%.4f,%llu,%llu,%llu,%s,", (unsigned long long)x->start_cycle,
               (unsigned long long)x->cycles, chip_cycles_to_us(r->chip, x->cycles),
               (unsigned long long)x->flops, (unsigned long long)x->hbm_bytes,
               (unsigned long long)x->host_bytes, op->fused_into ? "fused" : cause_name(x->bound));
        if (op->fused_into)
            csv_field(stdout, op->fused_into);
        for (int k = 0; k < CAUSE_COUNT; k++)
            printf(",%llu", (unsigned long long)x->stall[k]);
        printf(",%.6g,%.6g,", op->energy_uj, op->avg_power_w);
        csv_field(stdout, r->stack->name);
        printf("\n");
    }
}

static void print_json(const struct report *rp, const struct sim_cli *o)
{
    const struct sim_result *r = rp->res;
    cli_json_run_header(stdout, rp, o, true);
    printf("  \"clock_mhz\": %.17g,\n  \"total_cycles\": %llu,\n  \"latency_us\": %.17g,\n"
           "  \"flops\": %llu,\n  \"peak_flops_per_s\": %.17g,\n  \"flops_proxy_us\": %.17g,\n",
           r->chip->clock_mhz, (unsigned long long)r->sum.cycles, rp->latency_us,
           (unsigned long long)r->sum.flops, rp->peak_flops_per_s, rp->proxy_us);
    printf("  \"param_bytes\": %llu,\n  \"params_on_chip_bytes\": %llu,\n  \"cycles_by_cause\": ",
           (unsigned long long)r->param_bytes, (unsigned long long)r->params_on_chip_bytes);
    cli_json_causes(stdout, r->sum.stall, NULL);
    printf(",\n");
    cli_json_energy(stdout, rp);
    printf(",\n  \"ops\": [");
    for (int i = 0; i < rp->n_ops; i++) {
        const struct report_op *op = &rp->ops[i];
        const struct op_result *x = op->res;
        printf("%s\n    {\"name\": ", i ? "," : "");
        json_string(stdout, op->name);
        printf(", \"type\": ");
        json_string(stdout, op->type);
        printf(", \"start_cycle\": %llu, \"cycles\": %llu, \"flops\": %llu, \"bytes\": %llu, "
               "\"host_bytes\": %llu, \"bound\": \"%s\", \"fused_into\": ",
               (unsigned long long)x->start_cycle, (unsigned long long)x->cycles,
               (unsigned long long)x->flops, (unsigned long long)x->hbm_bytes,
               (unsigned long long)x->host_bytes, op->fused_into ? "fused" : cause_name(x->bound));
        if (op->fused_into)
            json_string(stdout, op->fused_into);
        else
            printf("null");
        printf(", \"stall_cycles\": ");
        cli_json_causes(stdout, x->stall, NULL);
        printf(", \"energy_uj\": %.17g, \"avg_power_w\": %.17g}", op->energy_uj,
               op->avg_power_w);
    }
    printf("\n  ]\n}\n");
}

static int show_run(const struct report *rp, const struct sim_cli *o, void *ctx)
{
    (void)ctx;
    if (o->model.format == FMT_JSON)
        print_json(rp, o);
    else if (o->model.format == FMT_CSV)
        print_csv(rp);
    else
        print_text(rp, o);
    return 0;
}

int cmd_run(int argc, char **argv)
{
    struct sim_cli o;
    cli_sim_defaults(&o, false);
    const struct cli_args args = {.cmd = "run",
                                  .usage = usage,
                                  .option = run_option,
                                  .positional = cli_one_model,
                                  .ctx = &o,
                                  .model = &o.model};
    int rc = cli_parse_args(&args, argc, argv);
    if (rc >= 0)
        return rc;
    return cli_simulate_report("run", &o, show_run, NULL);
}
