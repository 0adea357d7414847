/*
 * report.h — the numbers behind `tpusim report` and `tpusim compare`,
 * derived from a simulation (struct sim_result): per op the arithmetic
 * intensity, achieved FLOP/s, MXU utilisation, padding waste, each cause's
 * share and the FLOPs-proxy error; per model the time by op type and by
 * bound and the top ops; per chip pair the speedups, the bounds that moved
 * and a paragraph saying where the peak-ratio speedup was lost.
 *
 * Nothing here prints: the CLI formats (sim/cli_report.c, cli_compare.c).
 * A report points into its sim_result and graph; keep both alive.
 */
#ifndef TPUSIM_REPORT_H
#define TPUSIM_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "engine.h"

#define REPORT_TOP 10
#define REPORT_SHAPE_LEN 64
#define REPORT_KIND_LEN 48

struct report_op {
    int index;                       /* into sim_result.ops (schedule order) */
    const struct op_result *res;
    const char *name, *type;         /* the graph's strings */
    const char *fused_into;          /* host op's name, or NULL */
    char kind[REPORT_KIND_LEN];      /* the type with what fused in: "Conv+Add+Relu" */
    char in_shape[REPORT_SHAPE_LEN]; /* first data input, "1x64x56x56" */
    char out_shape[REPORT_SHAPE_LEN];
    bool on_mxu;                     /* ran on the matrix unit (mac_slots > 0) */
    double us;
    double intensity;                /* FLOPs per HBM byte; 0 when hbm_bytes is 0 */
    double flops_per_s;              /* achieved */
    double pct_peak;                 /* of one core's peak FLOP/s */
    double mxu_util_busy;            /* useful MACs / MAC slots while streaming, 0..1 */
    double mxu_util_time;            /* useful MACs / (peak MACs per cycle x op cycles), 0..1 */
    uint64_t padding_macs;           /* MAC slots spent on padding: mac_slots - useful */
    double layout_padding;           /* of its activation bytes, the layout's padding, 0..1 */
    double cause_share[CAUSE_COUNT]; /* of the op's cycles, 0..1 */
    double proxy_us;                 /* FLOPs / peak: the FLOPs proxy's time */
    double proxy_error;              /* simulated / proxy time; 0 when FLOPs are 0 */
    double energy_uj;                /* dynamic energy and static power over its cycles */
    double avg_power_w;              /* energy_uj over its time; 0 when it has no cycles */
};

/* Time of a set of ops (by op type, by bound, a block of consecutive ops). */
struct report_group {
    char name[REPORT_KIND_LEN];
    int ops;
    uint64_t cycles;
    double share;                    /* of the model's cycles */
    uint64_t flops;
    uint64_t cause_cycles[CAUSE_COUNT];
    int first, last;                 /* blocks: report_op range, inclusive */
};

struct report {
    const struct sim_result *res;
    struct report_op *ops;           /* one per sim_result op (fused ones too) */
    int n_ops, n_run;                /* n_run: ops that are not fused away */
    double latency_us, peak_flops_per_s, flops_per_s, pct_peak;
    double proxy_us, proxy_error;    /* the model's FLOPs proxy and its error */
    double mxu_util_busy, mxu_util_time;
    uint64_t mac_slots, useful_macs, padding_macs, hbm_bytes, host_bytes;
    uint64_t act_bytes, act_useful_bytes; /* activations as laid out, and without padding */
    double layout_padding;           /* 1 - act_useful_bytes / act_bytes */
    double cause_share[CAUSE_COUNT]; /* of total cycles */
    double energy_uj;                /* the inference (energy.h), microjoules */
    double energy_uj_by_part[ENERGY_COUNT];
    double avg_power_w;              /* energy_uj over latency_us */
    double peak_power_w;             /* the highest average power of one op */
    double tops_per_w;               /* FLOPs (2 per MAC) per joule, in tera */
    double inferences_per_j;         /* 1 / energy */
    struct report_group *by_type;    /* by the op's type, most time first */
    int n_types;
    struct report_group by_bound[CAUSE_COUNT]; /* by each op's bound, cause order */
    int top[REPORT_TOP];             /* indices into ops, most time first */
    int n_top;
    int worst_proxy;                 /* op (>= 1% of time) furthest from its proxy; -1 */
};

/* Builds the report of r. Returns a tpusim_status; err says why. */
int report_build(const struct sim_result *r, struct report *out, char *err, size_t err_len);
void report_free(struct report *rp);

/* Consecutive ops grouped into at most max_blocks blocks for figures: by
 * name prefix ("/layer1/layer1.0") when that gives few enough blocks, else
 * equal runs of ops. One block per op when the model has few enough ops.
 * *out is malloc'ed; free() it. */
int report_blocks(const struct report *rp, int max_blocks, struct report_group **out, int *n);

/* --------------------------------------------------------- compare */

struct compare_op {
    int index;                       /* into both reports' ops */
    uint64_t a_cycles, b_cycles;
    double a_us, b_us, speedup;      /* a_us / b_us; 0 when b_us is 0 */
    enum cause a_bound, b_bound;
    bool a_fused, b_fused;
};

/* The same graph simulated on two chips, a the baseline. */
struct comparison {
    const struct report *a, *b;
    double speedup;                  /* a latency / b latency */
    double peak_ratio;               /* b's peak FLOP/s per core / a's (a model runs on one core) */
    double chip_peak_ratio;          /* the same, all cores of each chip */
    double clock_ratio, vpu_ratio, hbm_ratio; /* b / a: clock, vector throughput, HBM bandwidth */
    double realised;                 /* speedup / peak_ratio */
    double energy_ratio;             /* b's energy per inference / a's */
    double perf_per_w_ratio;         /* b's inferences per joule / a's (= 1 / energy_ratio) */
    struct compare_op *ops;          /* one per op of a (n_ops) */
    int n_ops;
    int n_moved;                     /* ops whose bound changed */
};

/* a and b must come from the same graph. */
int compare_build(const struct report *a, const struct report *b, struct comparison *out,
                  char *err, size_t err_len);
void compare_free(struct comparison *c);
/* How the comparison names side r (c->a or c->b): the chip, or "chip
 * under stack" when the two sides run different stacks. */
const char *compare_side_name(const struct comparison *c, const struct report *r, char *buf,
                              size_t len);
/* The paragraph explaining where the peak-ratio speedup was lost, written
 * from the numbers, into buf (truncated to len). model names the model. */
void compare_explain(const struct comparison *c, const char *model, char *buf, size_t len);

#endif /* TPUSIM_REPORT_H */
