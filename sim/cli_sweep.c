/*
 * cli_sweep.c — `tpusim sweep`: design-space exploration. The command line
 * and its help; `sweep merge` and `sweep plot` are subcommands. See
 * cli_sweep.h for how the pieces fit, docs/sweep.md for the manual.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cli_sweep.h"
#include "ini_table.h"

static void usage(FILE *f)
{
    fprintf(f,
          "usage: tpusim sweep [SWEEP.ini] [MODEL...] [options]\n"
          "       tpusim sweep merge SHARD... -o OUT\n"
          "       tpusim sweep plot OUT.csv [--pareto X,Y] -o DIR\n"
          "\n"
          "Times every point of a design space: the cross product of models, chips,\n"
          "stacks, dtypes, batches and chip-parameter axes (or a list of designs,\n"
          "each a chip with its settings, in place of chips and axes), given in a sweep file\n"
          "(docs/sweep.md; examples/sweep_hbm.ini) and/or on the command line (which\n"
          "replaces the file's list of the same name). One row per point, streamed as\n"
          "CSV or JSON Lines: the parameters, cycles, latency_us, tflops, pct_peak,\n"
          "bound, hbm_bytes and time by cause. Rows carry no wall-clock values.\n"
          "Values: lists 300,600,900; ranges START:STOP:STEP (1:4:1) and\n"
          "START:STOP:*FACTOR (300:2400:*2), mixed freely.\n"
          "\n"
          "options:\n"
          "  --chips A,B        chips (default tpu_v3)\n"
          "  --stacks S,...     software stacks; default: each chip's own\n"
          "  --dtypes T,...     bf16, fp16, int8, fp32 or default (the chip's)\n"
          "  --batch N,...      batches (default 1); ranges allowed\n"
          "  --axis KEY=VALUES  a chip parameter axis, e.g. hbm.bandwidth_gbps=300,900\n"
          "                     or mxu.per_core=1:4:1 (repeatable)\n"
          "  --design NAME=CHIP[:KEY=VALUE,...]  a listed design (repeatable): the sweep\n"
          "                     runs these chip settings in place of chips x axes\n"
          "  --engine E         fast (default: each op in closed form, the engine for\n"
          "                     sweeps) or event (every tile in time; slower)\n"
          "  -j N               threads (default: all cores, %ld here)\n"
          "  --shard I/N        run only the points whose id %% N == I-1 (I from 1 to N),\n"
          "                     e.g. --shard $SLURM_ARRAY_TASK_ID/N; join with sweep merge\n"
          "  -o FILE            write to FILE (default stdout); an existing FILE of the\n"
          "                     same sweep and shard is resumed: its points are skipped\n"
          "  --restart          overwrite an existing -o FILE instead of resuming it\n"
          "  --format F         csv or jsonl (default: from -o's extension, else csv)\n"
          "  --force            run more than %d points\n"
          "  --quiet            no progress bar or summary on stderr\n"
          "  -h, --help         this help\n",
          sysconf(_SC_NPROCESSORS_ONLN), SWEEP_MAX_POINTS);
}

static int parse_shard(const char *v, struct sweep_shard *s)
{
    const char *slash = strchr(v, '/');
    int64_t i, n;
    char head[32];
    if (slash && (size_t)(slash - v) < sizeof head) {
        snprintf(head, sizeof head, "%.*s", (int)(slash - v), v);
        if (cli_parse_int64(head, 1, INT64_C(1) << 40, &i) &&
            cli_parse_int64(slash + 1, 1, INT64_C(1) << 40, &n) && i <= n) {
            *s = (struct sweep_shard){(uint64_t)i, (uint64_t)n};
            return CLI_TAKEN;
        }
    }
    fprintf(stderr, "tpusim sweep: --shard needs I/N with 1 <= I <= N (e.g. 2/4), got '%s'\n",
            v);
    return CLI_BAD;
}

static int sweep_option(const struct cli_args *a, int argc, char **argv, int *i)
{
    struct sweep_cli *o = a->ctx;
    bool bad = false;
    const char *v;
    const char *arg = argv[*i];
    static const struct {
        const char *flag;
        size_t offset;
    } lists[] = {{"--chips", offsetof(struct sweep_cli, chips)},
                 {"--stacks", offsetof(struct sweep_cli, stacks)},
                 {"--dtypes", offsetof(struct sweep_cli, dtypes)},
                 {"--batch", offsetof(struct sweep_cli, batches)},
                 {"--format", offsetof(struct sweep_cli, format)}};
    for (size_t k = 0; k < sizeof lists / sizeof lists[0]; k++)
        if ((v = cli_opt_value(lists[k].flag, argc, argv, i, &bad))) {
            *(const char **)((char *)o + lists[k].offset) = v;
            return CLI_TAKEN;
        } else if (bad) {
            return CLI_BAD;
        }
    if ((v = cli_opt_value("--axis", argc, argv, i, &bad))) {
        if (o->n_axes == SWEEP_MAX_AXES) {
            fprintf(stderr, "tpusim sweep: more than %d axes\n", SWEEP_MAX_AXES);
            return CLI_BAD;
        }
        o->axes[o->n_axes++] = v;
        return CLI_TAKEN;
    }
    if (!bad && (v = cli_opt_value("--design", argc, argv, i, &bad))) {
        if (o->n_designs == (int)(sizeof o->designs / sizeof o->designs[0])) {
            fprintf(stderr, "tpusim sweep: too many designs\n");
            return CLI_BAD;
        }
        o->designs[o->n_designs++] = v;
        return CLI_TAKEN;
    }
    if (!bad && (v = cli_opt_value("--engine", argc, argv, i, &bad))) {
        if (cli_parse_engine(v, &o->engine)) {
            o->engine_given = true;
            return CLI_TAKEN;
        }
        fprintf(stderr, "tpusim sweep: --engine must be fast or event, got '%s'\n", v);
        return CLI_BAD;
    }
    /* -j N, -j=N and -jN, as make takes it. */
    if (!bad && ((v = cli_opt_value("-j", argc, argv, i, &bad)) ||
                 (strncmp(arg, "-j", 2) == 0 && arg[2] >= '0' && arg[2] <= '9' && (v = arg + 2)))) {
        int64_t n;
        if (cli_parse_int64(v, 1, 4096, &n)) {
            o->run.threads = (int)n;
            return CLI_TAKEN;
        }
        fprintf(stderr, "tpusim sweep: -j needs a thread count from 1 to 4096, got '%s'\n", v);
        return CLI_BAD;
    }
    if (!bad && (v = cli_opt_value("--shard", argc, argv, i, &bad)))
        return parse_shard(v, &o->run.shard);
    if (!bad && (v = cli_opt_value("-o", argc, argv, i, &bad))) {
        o->run.out = v;
        return CLI_TAKEN;
    }
    if (bad)
        return CLI_BAD;
    bool *flags[] = {&o->force, &o->run.quiet, &o->run.restart};
    const char *names[] = {"--force", "--quiet", "--restart"};
    for (size_t k = 0; k < sizeof flags / sizeof flags[0]; k++)
        if (strcmp(arg, names[k]) == 0) {
            *flags[k] = true;
            return CLI_TAKEN;
        }
    return CLI_NOT_OURS;
}

static int sweep_positional(const struct cli_args *a, const char *arg)
{
    struct sweep_cli *o = a->ctx;
    if (ini_has_suffix(arg, ".ini")) {
        if (o->file) {
            fprintf(stderr, "tpusim sweep: one sweep file at a time ('%s' and '%s')\n", o->file,
                    arg);
            return CLI_BAD;
        }
        o->file = arg;
        return CLI_TAKEN;
    }
    if (o->n_models == (int)(sizeof o->models / sizeof o->models[0])) {
        fprintf(stderr, "tpusim sweep: too many models\n");
        return CLI_BAD;
    }
    o->models[o->n_models++] = arg;
    return CLI_TAKEN;
}

static int pick_format(struct sweep_cli *o)
{
    const char *f = o->format;
    const char *out = o->run.out;
    size_t n = out ? strlen(out) : 0;
    if (!f)
        f = (n > 6 && strcmp(out + n - 6, ".jsonl") == 0) ||
                    (n > 5 && strcmp(out + n - 5, ".json") == 0)
                ? "jsonl"
                : "csv";
    if (strcmp(f, "csv") == 0 || strcmp(f, "jsonl") == 0) {
        o->run.fmt = strcmp(f, "csv") == 0 ? SWEEP_CSV : SWEEP_JSONL;
        return 0;
    }
    fprintf(stderr, "tpusim sweep: --format must be csv or jsonl, got '%s'\n", f);
    return 2;
}

int cmd_sweep(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "merge") == 0)
        return sweep_merge_cmd(argc - 1, argv + 1);
    if (argc > 1 && strcmp(argv[1], "plot") == 0)
        return sweep_plot_cmd(argc - 1, argv + 1);
    struct sweep_cli o;
    memset(&o, 0, sizeof o);
    o.run.shard = (struct sweep_shard){1, 1};
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    o.run.threads = cores > 0 ? (int)cores : 1;
    const struct cli_args args = {.cmd = "sweep", .usage = usage, .option = sweep_option,
                                  .positional = sweep_positional, .ctx = &o};
    int rc = cli_parse_args(&args, argc, argv);
    if (rc >= 0)
        return rc;
    rc = pick_format(&o);
    if (rc)
        return rc;
    struct sweep_spec s;
    rc = sweep_spec_build(&s, o.file, &o);
    if (!rc)
        rc = sweep_run(&s, &o.run);
    sweep_spec_free(&s);
    return rc;
}
