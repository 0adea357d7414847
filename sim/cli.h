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
    const char *model;        /* path, "builtin:NAME", or NULL for the default */
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

int cmd_inspect(int argc, char **argv);
int cmd_chips(int argc, char **argv);
int cmd_run(int argc, char **argv);

#endif
