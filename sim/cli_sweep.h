/*
 * cli_sweep.h — `tpusim sweep`: what its files share. A sweep is the cross
 * product of its dimensions (chip, each parameter axis, stack, dtype,
 * model, batch); point ids number it in that order, the batch fastest.
 * The spec (cli_sweep_spec.c) comes from a sweep file and the command
 * line; the run (cli_sweep_run.c) times its points on threads and streams
 * rows built from one table of columns (cli_sweep_cols.c); outputs are
 * read back for resume, merge and plot by cli_sweep_file.c.
 * docs/sweep.md is the manual.
 */
#ifndef TPUSIM_CLI_SWEEP_H
#define TPUSIM_CLI_SWEEP_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "sweep_values.h"
#include "tpusim.h"

/* Parameter axes a sweep may have. */
#define SWEEP_MAX_AXES 32
/* Points a sweep may have without --force. */
#define SWEEP_MAX_POINTS 1000000
/* Values one dimension may have. */
#define SWEEP_MAX_VALUES 100000

/* The dimensions, outermost first; axes sit between chip and stack. */
enum sweep_dim_kind { DIM_CHIP, DIM_AXIS, DIM_STACK, DIM_DTYPE, DIM_MODEL, DIM_BATCH };

struct sweep_dim {
    enum sweep_dim_kind kind;
    char key[128];               /* an axis's "section.key"; the others' name */
    char where[600];             /* "FILE:LINE" or "--axis", for messages */
    struct sweep_values values;
    char **overrides;            /* axes: "key=value" per value, for tpusim_chip_open */
};

enum sweep_format { SWEEP_CSV, SWEEP_JSONL };

/* A listed design ([designs] NAME = CHIP: KEY=VALUE, ...; --design): a
 * chip and its overrides, in place of chips x axes. */
struct sweep_design {
    char where[600];             /* "FILE:LINE" or "--design", for messages */
    char chip[512];
    char **overrides;            /* "section.key=value", numbers as sweep_value_text */
    int n;
};

struct sweep_spec {
    struct sweep_dim dims[SWEEP_MAX_AXES + 5];
    int n_dims;
    int n_axes;
    int engine;                  /* tpusim_engine */
    uint64_t points;             /* the cross product's size */
    char id[17];                 /* FNV-1a of the version, engine and every value, hex */
    struct sweep_design *designs; /* per value of the chip dimension (the design names)
                                   * when the sweep lists designs; else NULL */
    int n_designs;
    char **design_keys;          /* every key the designs set, in order of appearance */
    int n_design_keys;
    int64_t *batches;            /* the batch dimension's values as numbers */
    int *dtypes;                 /* the dtype dimension's values (0: the chip's default) */
};

/* Where each dimension lives in dims[]. */
const struct sweep_dim *sweep_dim(const struct sweep_spec *s, enum sweep_dim_kind kind);

/* The value design d gives key, or NULL when it keeps the chip file's. */
const char *sweep_design_value(const struct sweep_design *d, const char *key);
/* The chip (a name or .ini path) of value i of the chip dimension. */
const char *sweep_chip_name(const struct sweep_spec *s, int i);

/* The dimension values of point p: idx[d] indexes dims[d].values. */
void sweep_point_decode(const struct sweep_spec *s, uint64_t p, int *idx);

struct sweep_cli;
/* Fills s from a sweep file (NULL: none) and the command line's lists;
 * checks every value. 0 or an exit code (message printed). */
int sweep_spec_build(struct sweep_spec *s, const char *file, const struct sweep_cli *o);
void sweep_spec_free(struct sweep_spec *s);

/* --shard I/N: this run's points are those with id % n == i - 1. */
struct sweep_shard {
    uint64_t i, n;
};

/* The first line of an output: the sweep's identity (and the shard). */
void sweep_header_line(const struct sweep_spec *s, enum sweep_format fmt,
                       const struct sweep_shard *shard, char *buf, size_t len);

/* An output file read back: its lines, the identity from its first. */
struct sweep_file {
    const char *path;
    char *text;                  /* the whole file, lines NUL-terminated in place */
    enum sweep_format fmt;
    char id[17];
    uint64_t points;
    char engine[16];
    struct sweep_shard shard;    /* {1, 1} when not a shard */
    const char *columns;         /* CSV: the column line */
    const char **rows;           /* complete rows in file order */
    uint64_t *row_ids;
    size_t n_rows;
    size_t complete_bytes;       /* bytes up to the end of the last complete line */
    bool partial;                /* the file ends inside a row (a run was killed) */
};
/* Reads path; 0 or an exit code (message printed, naming cmd and path). */
int sweep_file_read(const char *cmd, const char *path, struct sweep_file *f);
void sweep_file_free(struct sweep_file *f);

/* Runs the sweep's points of shard (skipping those `out` holds already
 * when resuming); 0 or an exit code (message printed). */
struct sweep_run_opts {
    const char *out;             /* NULL: stdout */
    enum sweep_format fmt;
    struct sweep_shard shard;
    int threads;
    bool quiet, restart;
};
int sweep_run(const struct sweep_spec *s, const struct sweep_run_opts *o);

/* What a column reads: a point's parameters and its result. */
struct sweep_row {
    const struct sweep_spec *s;
    uint64_t point;
    const int *idx;               /* the point's value per dimension */
    const char *stack;            /* the stack it ran under, by name */
    const tpusim_summary *sum;
    const tpusim_chip_info *chip;
};

/* One output column of a spec (cli_sweep_cols.c's table expanded). */
struct sweep_column;
struct sweep_col {
    const struct sweep_column *c;
    int k;                       /* the axis's dimension or the cause */
    char name[160];
};
#define SWEEP_MAX_COLS (SWEEP_MAX_AXES + TPUSIM_CAUSE_COUNT + TPUSIM_ENERGY_COUNT + 32)
/* s's columns into out (at most max); their count. */
int sweep_columns(const struct sweep_spec *s, struct sweep_col *out, int max);
/* One row, and its newline. */
void sweep_put_row(FILE *f, enum sweep_format fmt, const struct sweep_col *cols, int n,
                   const struct sweep_row *r);
/* The column line of a CSV output of s (no newline). */
void sweep_csv_columns(const struct sweep_spec *s, char *buf, size_t len);

int sweep_merge_cmd(int argc, char **argv);
int sweep_plot_cmd(int argc, char **argv);

/* What the command line says (cli_sweep.c). */
struct sweep_cli {
    const char *file;            /* the sweep file, or NULL */
    const char *models[256];
    int n_models;
    const char *chips, *stacks, *dtypes, *batches; /* comma lists, or NULL */
    const char *axes[SWEEP_MAX_AXES];              /* KEY=VALUES */
    int n_axes;
    const char *designs[256];                      /* NAME=CHIP[:KEY=VALUE,...] */
    int n_designs;
    int engine;
    bool engine_given, force;
    struct sweep_run_opts run;
    const char *format;          /* --format, or NULL: from -o */
};

#endif /* TPUSIM_CLI_SWEEP_H */
