/*
 * api.h — what the public handles of tpusim.h hold, shared by the API's
 * files (api_chip.c, api_plan.c, net.c, net_query.c). Not installed.
 */
#ifndef TPUSIM_API_H
#define TPUSIM_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cache.h"
#include "chip.h"
#include "engine.h"
#include "stack.h"
#include "tpusim.h"

struct tpusim_context {
    struct block_cache cache;
    char err[1024];
};

struct tpusim_stack {
    struct stack s;
    uint64_t fingerprint;  /* hash of every resolved value: the cache's stack key */
};

struct tpusim_chip {
    struct chip c;
    uint64_t fingerprint;  /* hash of every resolved parameter: the cache's chip key */
    tpusim_stack default_stack; /* compiler.default_stack, loaded with the chip */
    struct ini_entry *entries;  /* every key's text: what tpusim_chip_derive starts from */
    char models_dir[1024];      /* where the stacks are, for a derived chip's */
};

struct tpusim_result {
    tpusim_summary sum;
    bool valid;            /* a query has filled it */
    tpusim_op_row *rows;
    size_t n_rows, cap_rows;
    char *names;           /* row names, NUL-separated */
    size_t names_len, names_cap;
};

/* A plan is lowered and scheduled once, at open; runs only read it, so
 * many threads may run one plan. */
struct tpusim_plan {
    struct sim_result sr;
};

struct tpusim_net {
    int64_t batch, channels, height, width;
    tpusim_block *blocks;
    int64_t (*out_chw)[3]; /* per block: its output's channels, height, width */
    size_t n, cap;
    char err[512];
};

/* Formats into ctx->err and returns code. */
int ctx_error(tpusim_context *ctx, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The internal options of a query (opts may be NULL) and, when `stack` is
 * not NULL, its stack: the options' or the chip's default. TPUSIM_ERR_ARG,
 * with the message in ctx, when that stack does not target the chip. */
int api_sim_options(tpusim_context *ctx, const tpusim_options *opts, const tpusim_chip *chip,
                    struct sim_options *out, const tpusim_stack **stack);
/* Fills res from a simulation: the summary, and the rows when `rows`. */
int api_result_fill(tpusim_result *res, const struct sim_result *sr, bool rows);
/* The summary of totals t on chip c (cache counts zero); t includes the
 * invocation's cycles. */
void api_summary_fill(tpusim_summary *s, const struct chip *c, tpusim_dtype dtype,
                      const struct sim_totals *t, uint64_t invocation_cycles,
                      uint64_t param_bytes, uint64_t params_on_chip_bytes);
/* Shape of block i's input (channels, height, width). */
void net_block_input(const tpusim_net *net, size_t i, int64_t chw[3]);
/* Builds the net into an empty graph and finalizes it; first_op[i] is the
 * graph index of block i's first op (first_op[n] the op count). first_op
 * may be NULL. */
int net_build_graph(const tpusim_net *net, tpusim_graph *g, int *first_op);

#endif /* TPUSIM_API_H */
