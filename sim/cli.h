/*
 * cli.h — pieces shared by the tpusim subcommands: argument parsing,
 * opening a model (file or built-in) with dimension bindings, and writers
 * for CSV and JSON strings.
 */
#ifndef TPUSIM_CLI_H
#define TPUSIM_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "tpusim.h"

enum cli_format { FMT_TEXT, FMT_CSV, FMT_JSON };

/* One --dim NAME=VALUE, parsed once by cli_model_option. */
#define CLI_DIM_NAME_MAX 256
struct cli_dim {
    char name[CLI_DIM_NAME_MAX];
    int64_t value;
};

/* The largest --batch: 2^32 samples, beyond any inference batch. */
#define CLI_MAX_BATCH (INT64_C(1) << 32)

/* Options every model-reading command takes. */
struct model_opts {
    const char *model;        /* path, "builtin:NAME", "zoo:NAME", or NULL for the default */
    int64_t batch;            /* 0: as the file says */
    struct cli_dim dims[64];
    int n_dims;
    enum cli_format format;
    const char *twin;         /* --twin FILE: an Edge TPU-compiled model's source, or NULL */
};

/* What an option or positional callback of cli_parse_args returns. */
enum {
    CLI_TAKEN = 1,     /* consumed (with its value) */
    CLI_NOT_OURS = 0,  /* not this callback's option */
    CLI_BAD = -1,      /* a usage error, message printed: exit code 2 */
    CLI_FAILED = -2,   /* another failure (out of memory), message printed: exit code 1 */
};

/* A subcommand's argument loop: -h/--help prints usage to stdout; each
 * argument goes to option(); an unclaimed one starting with '-' is an
 * unknown option; anything else goes to positional(). */
struct cli_args {
    const char *cmd;                    /* "run": names the command in messages */
    void (*usage)(FILE *f);
    /* Consumes argv[*i] (advancing *i past a value): a CLI_ value. */
    int (*option)(const struct cli_args *a, int argc, char **argv, int *i);
    /* Takes a non-option argument: CLI_TAKEN, CLI_BAD or CLI_FAILED. */
    int (*positional)(const struct cli_args *a, const char *arg);
    void *ctx;                          /* the command's options, for the callbacks */
    struct model_opts *model;           /* where cli_one_model puts the model */
    const char *one_model_hint;         /* appended to cli_one_model's message, or NULL */
};
/* Returns 0 after --help, an exit code on a bad argument (message
 * printed), or -1 to go on. */
int cli_parse_args(const struct cli_args *a, int argc, char **argv);
/* The positional of commands that take one model: sets a->model->model,
 * or "one model at a time" when one is set already. */
int cli_one_model(const struct cli_args *a, const char *arg);

/* Consumes argv[*i] (and its value) if it is a model option: a CLI_ value
 * (CLI_BAD with the message printed, naming cmd). */
int cli_model_option(const char *cmd, int argc, char **argv, int *i, struct model_opts *o);
/* The value of "--opt VALUE" or "--opt=VALUE" at argv[*i]; NULL if argv[*i]
 * is not `opt`. Prints an error and sets *bad when the value is missing. */
const char *cli_opt_value(const char *opt, int argc, char **argv, int *i, bool *bad);
bool cli_parse_int64(const char *s, int64_t min, int64_t max, int64_t *out);
/* "event" or "fast" as an enum engine_kind in *engine; false for anything else. */
bool cli_parse_engine(const char *s, int *engine);
/* "event" or "fast": cli_parse_engine's inverse. */
const char *cli_engine_name(int engine);
/* "bf16", "fp16", "int8" or "fp32" in *out; false for anything else. */
bool cli_parse_dtype(const char *s, tpusim_dtype *out);
/* Opens the model of o; prints "tpusim: <message>" and returns NULL on
 * error. With `report`, also prints the graph's notes to stderr
 * ("tpusim: MODEL: note: ...") and the --twin comparison, once per model:
 * callers that open a model again (another batch) pass false. */
tpusim_graph *cli_open_model(const struct model_opts *o, bool report);
/* A whole file as a NUL-terminated string (malloc'ed; *len its bytes);
 * NULL with errno set when it cannot be read (ENOMEM: out of memory). */
char *cli_read_text(const char *path, size_t *len);
/* The name to show for o's model. */
const char *cli_model_name(const struct model_opts *o);

void csv_field(FILE *f, const char *s);
void json_string(FILE *f, const char *s);

/* Directory holding models/<chip>/chip.ini: $TPUSIM_MODELS_DIR, else
 * ../models or ../share/tpusim/models beside the executable. */
const char *cli_models_dir(void);

/* ---- Commands that simulate (run, report, compare): sim/cli_run.c. */
struct chip;
struct sim_result;
struct report;

enum cli_rich_format { RF_TEXT, RF_CSV, RF_JSON, RF_MARKDOWN, RF_LATEX };

#define CLI_MAX_SETS 64
struct sim_cli {
    struct model_opts model;
    const char *chip;
    const char *sets[CLI_MAX_SETS];
    int n_sets;
    const char *stack;            /* --stack NAME|FILE.ini, or NULL: the chip's default */
    const char *stack_sets[CLI_MAX_SETS]; /* --stack-set S.KEY=VALUE */
    int n_stack_sets;
    tpusim_dtype dtype;
    bool no_fusion;
    int64_t cores;
    double framework_overhead_us; /* host time per kernel, on top of the stack's */
    int engine;                   /* enum engine_kind: event (default) or fast */
    bool rich;                    /* --format also takes markdown and latex */
    enum cli_rich_format format;  /* when rich */
    const char *trace;            /* --trace FILE.json.gz, or NULL */
    int trace_level;              /* enum trace_level */
    int64_t trace_slices;         /* --trace-max-slices, 0: default */
};
void cli_sim_defaults(struct sim_cli *o, bool rich);
/* Consumes argv[*i] if it is a simulation option (--chip, --stack,
 * --dtype, --set, --stack-set, --cores, ...), a trace option or a model
 * option: a CLI_ value (CLI_BAD with the message printed, naming cmd and
 * the option). */
int cli_sim_option(const char *cmd, int argc, char **argv, int *i, struct sim_cli *o);
/* The batch the busiest core simulates: --batch (default 1) split over
 * --cores, rounded up. */
int64_t cli_core_batch(const struct sim_cli *o);
/* "batch 8", "batch 8 split 4 + 4 over 2 cores", "batch 7 split 4 + 3
 * over 2 cores": what every header says about the batch. */
void cli_batch_text(const struct sim_cli *o, char *buf, size_t len);
/* Loads a chip with o's --set overrides and checks --cores against it.
 * Returns 0 or an exit code (message printed). */
int cli_load_chip(const char *cmd, const struct sim_cli *o, const char *name, struct chip *out);
/* Loads the stack `name` (NULL: the chip's default) with o's --stack-set
 * overrides, checked against the chip (stack_resolve). Returns 0 or an
 * exit code (message printed). */
struct stack;
int cli_load_stack(const char *cmd, const struct sim_cli *o, const char *name,
                   const struct chip *chip, struct stack *out);
/* The graphs the cores run: --batch split as evenly as it goes, the
 * first `n_big` cores taking one more (small is NULL when it divides). */
struct core_models {
    tpusim_graph *big, *small;
    int64_t n_big;
};
/* Opens o's model for the cores; 0 or an exit code (message printed,
 * naming cmd: a batch smaller than the cores is an error). */
int cli_open_core_models(const char *cmd, const struct sim_cli *o, struct core_models *m);
void cli_close_core_models(struct core_models *m);
/* Simulates under `stack`; 0 or an exit code (message printed). */
int cli_simulate(const char *cmd, const struct sim_cli *o, const struct core_models *m,
                 const struct chip *chip, const struct stack *stack, struct sim_result *res);
/* Writes o->trace when set; 0 or an exit code (message printed). */
int cli_write_trace(const char *cmd, const struct sim_cli *o, const struct report *rp);
/* What run and report share: loads o->chip, opens the model, simulates,
 * builds the report, writes --trace, then calls show(rp, o, ctx) and frees
 * everything. Returns 0, show's result, or an exit code (message printed). */
int cli_simulate_report(const char *cmd, const struct sim_cli *o,
                        int (*show)(const struct report *rp, const struct sim_cli *o, void *ctx),
                        void *ctx);
/* The JSON object's opening of run and report: version, chip and model
 * (chip first when chip_first: each command's order, kept for consumers),
 * stack, batch, cores, dtype, fusion, invocation cycles. */
void cli_json_run_header(FILE *f, const struct report *rp, const struct sim_cli *o,
                         bool chip_first);
/* A JSON object of one value per cause, {"mxu": ..., ...}: cycles when
 * cycles is not NULL, else shares. */
void cli_json_causes(FILE *f, const uint64_t *cycles, const double *shares);
/* The model's energy fields of a JSON report (energy_uj, avg_power_w,
 * peak_power_w, tops_per_w, inferences_per_j, energy_uj_by_part), each
 * line indented two spaces, without a trailing comma. */
void cli_json_energy(FILE *f, const struct report *rp);
/* Two lines for people, each after `indent`: energy per inference,
 * average and peak power against TDP, TOPS/W; energy by part. */
void cli_print_energy(FILE *f, const struct report *rp, const char *indent);

/* ---- Tables in text, CSV, Markdown or LaTeX booktabs: sim/cli_report.c. */
/* LaTeX tables longer than this break across pages (longtable). */
#define CLI_LATEX_FLOAT_ROWS 30

struct cli_table {
    int ncols;
    const char *const *head;
    const char *align;            /* per column 'l' or 'r' */
    char **cells;                 /* row-major */
    int n, cap;
    bool oom;
};
void cli_table_init(struct cli_table *t, int ncols, const char *const *head, const char *align);
/* Appends the next cell (rows fill left to right). */
void cli_table_cell(struct cli_table *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cli_table_print(FILE *f, const struct cli_table *t, enum cli_rich_format fmt,
                     const char *caption);
void cli_table_free(struct cli_table *t);
/* Prints t to stdout unless a cell ran out of memory, then frees it:
 * 0, or 1 when out of memory (the caller says so). */
int cli_table_finish(struct cli_table *t, enum cli_rich_format fmt, const char *caption);
/* Appends name as a cell; when width > 0, fitted by cli_fit_name (text
 * tables keep their columns narrow). */
void cli_table_name(struct cli_table *t, const char *name, size_t width);
/* A name from a model file for a text column of `width` characters:
 * control bytes escaped, path components the next one extends dropped,
 * and when still longer its head, "..." and its tail, which tells similar
 * names apart (text.h). Returns buf. */
const char *cli_fit_name(const char *name, size_t width, char *buf, size_t len);
/* s with LaTeX's special characters escaped. */
void cli_latex_text(FILE *f, const char *s);

/* --plot DIR and --png, taken by report and compare. */
struct cli_plot {
    const char *dir;              /* NULL: no figures */
    bool png;
};
/* Consumes argv[*i] if it is --plot or --png: a CLI_ value. */
int cli_plot_option(int argc, char **argv, int *i, struct cli_plot *p);
/* After parsing: 0, or 2 when --png came without --plot (message printed). */
int cli_plot_check(const char *cmd, const struct cli_plot *p);
/* Runs gnuplot in dir on STEM.gp for svg and pdf (and png): 0 or an
 * exit code (message printed). */
int cli_render_plots(const char *cmd, const char *dir, const char *const *stems, int n, bool png);
/* Creates dir if missing; 0 or an exit code (message printed). */
int cli_make_dir(const char *cmd, const char *dir);

/* ---- `chips` and `stacks`: sim/cli_chips.c, sim/cli_stacks.c. */
struct ini_value;
/* Prints a dump: "NAME (PATH)", then key, value, unit, line and source. */
void cli_print_values(const char *name, const char *path, const struct ini_value *v, int n);
/* The arguments of `chips` and `stacks`: --dump NAME and overrides
 * `set_flag` S.K=V (with --dump only; "--set", "--stack-set"). Returns 0
 * after --help, an exit code on a bad argument (message printed), or -1
 * to go on. */
int cli_dump_args(const char *cmd, void (*usage)(FILE *f), const char *set_flag, int argc,
                  char **argv, const char **dump, const char **sets, int *n_sets);

int cmd_inspect(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_chips(int argc, char **argv);
int cmd_stacks(int argc, char **argv);
int cmd_run(int argc, char **argv);
/* `tpusim scalesim`: SCALE-Sim's files in, its reports out: sim/cli_scalesim.c. */
int cmd_scalesim(int argc, char **argv);
/* `tpusim sweep`, `sweep merge`: sim/cli_sweep*.c. */
int cmd_sweep(int argc, char **argv);
/* `tpusim zoo`: the built-in model families; `zoo export`: sim/cli_zoo.c. */
int cmd_zoo(int argc, char **argv);

#endif
