/*
 * scalesim.h — SCALE-Sim's inputs on tpusim's array model: its config file
 * (scale.cfg), its topology CSV (conv layers, or GEMM M,N,K rows) and the
 * per-layer numbers of its three reports, for its three dataflows: weight
 * (ws), output (os) and input (is) stationary.
 *
 * Each layer is the GEMM SCALE-Sim makes of it (M = output pixels, K = the
 * filter window R x S x C, N = filters) on one single-buffered systolic
 * array of the config's height x width holding the dataflow's operand:
 * tpusim's array model (mxu.h: K x N weights, M x N outputs or K x M
 * inputs held), not a re-implementation of SCALE-Sim's loops. SCALE-Sim
 * counts the same folds with another origin; the shift is in
 * scalesim_layer_run. Reference: SCALE-Sim v2 (scalesim-project/scale-sim-v2
 * @ 22f88b1, scalesim/compute/systolic_compute_{ws,os,is}.py,
 * scalesim/memory/double_buffered_scratchpad_mem.py); docs/scalesim.md.
 */
#ifndef TPUSIM_SCALESIM_H
#define TPUSIM_SCALESIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

enum scalesim_dataflow { SCALESIM_WS, SCALESIM_OS, SCALESIM_IS };

#define SCALESIM_NAME_MAX 256

/* What the config file says. SRAM sizes and bandwidth are read and checked
 * but do not change the cycles (ideal memory: docs/scalesim.md). */
struct scalesim_config {
    char run_name[SCALESIM_NAME_MAX];
    uint64_t array_rows;                /* ArrayHeight: PEs down (ws, is: K; os: M) */
    uint64_t array_cols;                /* ArrayWidth: PEs across (ws, os: N; is: M) */
    uint64_t ifmap_sram_kb, filter_sram_kb, ofmap_sram_kb;
    uint64_t ifmap_offset, filter_offset, ofmap_offset;
    enum scalesim_dataflow dataflow;
    bool user_bandwidth;                /* InterfaceBandwidth: USER (else CALC) */
    uint64_t bandwidth_words_per_cycle; /* Bandwidth (first of the list); 0 if absent */
};

/* One layer in SCALE-Sim's conv form (a GEMM row M,N,K is the conv
 * IFMAP M x K, filter 1 x K, 1 channel, N filters, stride 1). */
struct scalesim_layer {
    char *name;
    uint64_t ifmap_h, ifmap_w, filter_h, filter_w, channels, filters;
    uint64_t stride_h, stride_w;
    unsigned line;                      /* its line in the topology file */
};

struct scalesim_topology {
    struct scalesim_layer *layers;
    size_t n;
};

/* One layer's report values, as SCALE-Sim computes them with no memory
 * stalls. The *_start/_stop cycles are SCALE-Sim's trace cycles of
 * the first and last SRAM access. */
struct scalesim_layer_result {
    uint64_t m, k, n;                   /* the GEMM: output pixels, window, filters */
    uint64_t folds;                     /* tiles of the held operand (mxu_fold_shape) */
    uint64_t total_cycles;              /* SCALE-Sim's "Total Cycles" */
    uint64_t stall_cycles;              /* 0: ideal memory */
    double overall_util_pct, mapping_eff_pct, compute_util_pct;
    uint64_t ifmap_sram_reads, filter_sram_reads, ofmap_sram_writes;
    uint64_t ifmap_sram_start, ifmap_sram_stop;
    uint64_t filter_sram_start, filter_sram_stop;
    uint64_t ofmap_sram_start, ofmap_sram_stop;
};

/* Reads a SCALE-Sim config. Returns TPUSIM_OK, or TPUSIM_ERR_IO / _PARSE
 * with "file:line: key: problem" in err. */
int scalesim_config_load(const char *path, struct scalesim_config *cfg, char *err,
                         size_t err_len);
/* The same from an open stream; `name` names it in messages. */
int scalesim_config_read(FILE *f, const char *name, struct scalesim_config *cfg, char *err,
                         size_t err_len);
/* Reads a topology CSV, conv rows or (gemm) Layer,M,N,K rows. Layers whose
 * name contains "DP" (SCALE-Sim's depthwise marker) become one 1-channel
 * layer per channel, named NAMEChannel_I, as SCALE-Sim does. Errors name
 * the file and line. Free with scalesim_topology_free (NULL-safe). */
int scalesim_topology_load(const char *path, bool gemm, struct scalesim_topology *topo,
                           char *err, size_t err_len);
/* The same from an open stream; `name` names it in messages. */
int scalesim_topology_read(FILE *f, const char *name, bool gemm,
                           struct scalesim_topology *topo, char *err, size_t err_len);
void scalesim_topology_free(struct scalesim_topology *topo);

/* SCALE-Sim's output size along one side: ceil((in - filter + stride) /
 * stride), with filter <= in and stride >= 1. */
uint64_t scalesim_out_size(uint64_t in, uint64_t filter, uint64_t stride);
/* One layer's report values (cfg's dataflow). */
void scalesim_layer_run(const struct scalesim_config *cfg, const struct scalesim_layer *layer,
                        struct scalesim_layer_result *out);

#ifdef __cplusplus
}
#endif

#endif /* TPUSIM_SCALESIM_H */
