/*
 * cli.h — pieces shared by the tpusim subcommands: argument parsing,
 * opening a model (file or built-in) with dimension bindings, and writers
 * for CSV and JSON strings.
 */
#ifndef TPUSIM_CLI_H
#define TPUSIM_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "tpusim.h"

enum cli_format { FMT_TEXT, FMT_CSV, FMT_JSON };

/* Options every model-reading command takes. */
struct model_opts {
    const char *model;        /* path, "builtin:NAME", "zoo:NAME", or NULL for the default */
    int64_t batch;            /* 0: as the file says */
    const char *dims[64];     /* "name=value" */
    int n_dims;
    enum cli_format format;
};

/* Consumes argv[*i] (and its value) if it is a model option. Returns 1 if
 * consumed, 0 if not a model option, -1 on a bad value (message printed). */
int cli_model_option(const char *cmd, int argc, char **argv, int *i, struct model_opts *o);
/* The value of "--opt VALUE" or "--opt=VALUE" at argv[*i]; NULL if argv[*i]
 * is not `opt`. Prints an error and sets *bad when the value is missing. */
const char *cli_opt_value(const char *opt, int argc, char **argv, int *i, bool *bad);
bool cli_parse_int64(const char *s, int64_t min, int64_t max, int64_t *out);
/* Opens the model of o; prints "tpusim: <message>" and returns NULL on error. */
tpusim_graph *cli_open_model(const struct model_opts *o);
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
    tpusim_dtype dtype;
    bool no_fusion;
    int64_t cores;
    double framework_overhead_us; /* GPUs: host time per kernel */
    bool rich;                    /* --format also takes markdown and latex */
    enum cli_rich_format format;  /* when rich */
    const char *trace;            /* --trace FILE.json.gz, or NULL */
    int trace_level;              /* enum trace_level */
    int64_t trace_slices;         /* --trace-max-slices, 0: default */
};
void cli_sim_defaults(struct sim_cli *o, bool rich);
/* Consumes argv[*i] if it is a simulation option (--chip when with_chip),
 * a trace option or a model option. 1 consumed, 0 not ours, -1 bad
 * (message printed, naming cmd and the option). */
int cli_sim_option(const char *cmd, int argc, char **argv, int *i, struct sim_cli *o,
                   bool with_chip);
/* Loads a chip with o's --set overrides and checks --cores against it.
 * Returns 0 or an exit code (message printed). */
int cli_load_chip(const char *cmd, const struct sim_cli *o, const char *name, struct chip *out);
/* Opens o's model with the batch split over --cores; NULL on error. */
tpusim_graph *cli_open_sim_model(const struct sim_cli *o);
/* Simulates; 0 or an exit code (message printed). */
int cli_simulate(const char *cmd, const struct sim_cli *o, const tpusim_graph *g,
                 const struct chip *chip, struct sim_result *res);
/* Writes o->trace when set; 0 or an exit code (message printed). */
int cli_write_trace(const char *cmd, const struct sim_cli *o, const struct report *rp);

/* ---- Tables in text, CSV, Markdown or LaTeX booktabs: sim/cli_report.c. */
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
/* Runs gnuplot in dir on STEM.gp for svg and pdf (and png): 0 or an
 * exit code (message printed). */
int cli_render_plots(const char *cmd, const char *dir, const char *const *stems, int n, bool png);
/* Creates dir if missing; 0 or an exit code (message printed). */
int cli_make_dir(const char *cmd, const char *dir);

int cmd_inspect(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_chips(int argc, char **argv);
int cmd_run(int argc, char **argv);
/* `tpusim zoo`: the built-in model families; `zoo export`: sim/cli_zoo.c. */
int cmd_zoo(int argc, char **argv);

#endif
