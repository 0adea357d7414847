/*
 * chip.h — a chip's parameters, read from models/<chip>/chip.ini with
 * libinih. Every key carries its unit in its name and a `source:` or
 * `ASSUMED:` comment in the file; unknown, missing or malformed keys are
 * errors naming file, line and key. Derived values (bytes per cycle, peak
 * FLOP/s) are computed once at load. A chip is immutable after load and can
 * be read by many threads.
 */
#ifndef TPUSIM_CHIP_H
#define TPUSIM_CHIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ini_table.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The matrix unit's implementation, chosen by name in the chip file
 * (mxu.kind): a TPU-style systolic array or a GPU's tensor cores. */
enum matrix_kind { MATRIX_SYSTOLIC = 1, MATRIX_TENSOR_CORES = 2 };

/* Element op classes of the vector unit's cost table. */
enum vpu_op {
    VPU_ADD,     /* add, sub, max, min, compare, select, relu, clip */
    VPU_MUL,     /* mul, fused multiply-add, scale */
    VPU_DIV,     /* divide, reciprocal */
    VPU_EXP,     /* exp, log, softplus: transcendental path */
    VPU_SIGMOID, /* sigmoid, swish's gate: transcendental path */
    VPU_TANH,    /* tanh, gelu, erf: transcendental path */
    VPU_RSQRT,   /* rsqrt, sqrt: transcendental path */
    VPU_OP_COUNT
};

struct chip {
    char name[64];           /* "tpu_v3" */
    char path[512];          /* the file it came from */

    /* [chip] */
    double clock_mhz;
    int cores;               /* TensorCores per chip */

    /* [mxu] matrix unit; kind systolic: weight-stationary rows x cols */
    enum matrix_kind mxu_kind;
    int mxu_per_core;
    int mxu_rows;            /* R: weights shift in one row per cycle */
    int mxu_cols;            /* C */
    bool mxu_double_buffered_weights;
    bool mxu_bf16;           /* bf16/fp16 operands natively (false: int8-only, Edge TPU) */
    int mxu_fp32_passes;     /* bf16 passes to emulate one fp32 matmul; 0 = fp32 unsupported */
    int mxu_int8_macs_per_pe_per_cycle; /* 1 on arrays that run int8 at the bf16 rate */

    /* [vpu] vector unit */
    int vpu_lanes;
    int vpu_sublanes;
    double vpu_cycles_per_vector[VPU_OP_COUNT]; /* one vector = lanes x sublanes elements */
    double vpu_vmem_bytes_per_cycle;            /* load/store bandwidth to vector memory */

    /* [hbm] off-chip memory (0 bandwidth: none, as on Edge TPU) */
    double hbm_bandwidth_gbps;   /* GB/s, 1e9 bytes */
    double hbm_latency_ns;
    double hbm_capacity_gib;

    /* [sram] on-chip memory */
    uint64_t vmem_bytes;         /* vector memory per core: activations, tiles */
    uint64_t cmem_bytes;         /* common memory (TPUv4i CMEM); 0 if none */
    uint64_t param_cache_bytes;  /* Edge TPU on-chip parameter cache; 0 if none */

    /* [host_link] (Edge TPU parameter streaming; 0 bandwidth: unused) */
    double host_link_bandwidth_gbps;
    double host_link_latency_us;
    double host_link_overhead_us_per_transfer;
    uint64_t host_link_max_transfer_bytes; /* a DMA goes in transfers of at most this; 0: one */
    int host_link_transfers_in_flight;     /* transfers the host keeps submitted at once */

    /* [gpu] (mxu.kind = tensor_cores only) */
    int gpu_sms;
    int gpu_tensor_cores_per_sm;
    int gpu_fp16_fma_per_tensor_core_per_cycle;
    int gpu_fp32_cores_per_sm;
    int gpu_registers_per_sm;
    uint64_t gpu_shared_memory_per_sm_bytes;
    int gpu_max_threads_per_sm;
    int gpu_max_blocks_per_sm;
    double gpu_shared_memory_bytes_per_cycle_per_sm; /* shared-memory bandwidth of one SM */
    double gpu_dram_efficiency_fraction;        /* achievable share of HBM bandwidth */
    double gpu_l2_bandwidth_gbps;
    double gpu_l2_latency_ns;                   /* load-to-use of an L2 hit */
    double gpu_launch_overhead_us;              /* device time between two dependent kernels
                                                   one library call issues (cuDNN's, cuBLAS's) */
    int gpu_conv_algorithm;                     /* the convolution algorithm cuDNN is asked to
                                                   run: an enum conv_algo (matrix_unit.h), or
                                                   CONV_ALGO_COUNT: the fastest (cudnnFind) */

    /* [compiler] */
    char default_stack[64];      /* the stack it runs under unless told (models/stacks/);
                                    fusion, placement and overheads are the stack's */

    /* [energy] (sim/energy.h): dynamic energy per event, static power */
    double energy_mac_int8_pj;   /* one int8 MAC slot of the matrix unit */
    double energy_mac_bf16_pj;   /* one bf16/fp16 MAC slot (a systolic fp32 pass is one) */
    double energy_mac_fp32_pj;   /* tensor_cores only: one fp32 FMA on the CUDA cores */
    double energy_vpu_pj_per_element_cycle; /* one element slot of the VPU busy one cycle */
    double energy_sram_pj_per_byte;         /* a byte read or written on chip */
    double energy_hbm_pj_per_byte;          /* a byte moved to or from HBM/DRAM */
    double energy_host_link_pj_per_byte;    /* a byte over the host link */
    double energy_static_w;      /* leakage and always-on power, drawn the whole run */
    double energy_tdp_w;         /* the published thermal design power (reports, checks) */

    /* Derived once at load. */
    double clock_hz;
    double hbm_bytes_per_cycle;
    double host_link_bytes_per_cycle;
    uint64_t hbm_latency_cycles;
    uint64_t host_link_latency_cycles;
    uint64_t host_link_overhead_cycles;
    uint64_t gpu_launch_overhead_cycles;
    double gpu_l2_bytes_per_cycle;
    uint64_t gpu_l2_latency_cycles;
    double peak_flops_per_s;     /* all cores: cores x mxu x R x C x 2 x clock;
                                    tensor cores: SMs x TCs x FMAs x 2 x clock */
    double peak_flops_per_s_core;
};

/* Loads models/<name>/chip.ini under `models_dir` (or a path ending in .ini),
 * applying overrides "section.key=value" in order. On error returns a
 * tpusim_status and writes "file:line: key: problem" into err. */
int chip_load(const char *models_dir, const char *name_or_path, const char *const *overrides,
              int n_overrides, struct chip *out, char *err, size_t err_len);
/* As chip_load, keeping every key's final text in *entries (malloc'ed;
 * free() them) for chip_derive. */
int chip_load_keep(const char *models_dir, const char *name_or_path, const char *const *overrides,
                   int n_overrides, struct chip *out, struct ini_entry **entries, char *err,
                   size_t err_len);
/* What chip_load would give for base's file with base's overrides and then
 * these, from the entries base's load kept (the file is not read again);
 * *entries as chip_load_keep's. */
int chip_derive(const struct chip *base, const struct ini_entry *base_entries,
                const char *const *overrides, int n_overrides, struct chip *out,
                struct ini_entry **entries, char *err, size_t err_len);
/* As chip_load, from len bytes of text in memory (a file read elsewhere, a
 * fuzzer's input); `name` ends in .ini and stands for the path in messages. */
int chip_load_text(const char *name, const char *text, size_t len, const char *const *overrides,
              int n_overrides, struct chip *out, char *err, size_t err_len);
/* Every resolved value with unit and source, in file order, then the
 * derived ones; *n set. The array is malloc'ed; free() it. `out`, when not
 * NULL, receives the loaded chip (as chip_load would give it). */
int chip_dump(const char *models_dir, const char *name_or_path, const char *const *overrides,
              int n_overrides, struct ini_value **values, int *n, struct chip *out, char *err,
              size_t err_len);
/* The models directory to use: `given` when not NULL or empty, else
 * $TPUSIM_MODELS_DIR when set, else ./models when it exists, else
 * tpusim_installed_models_dir(). chip_load, chip_dump, chip_list and the API
 * all resolve a NULL models_dir this way. */
const char *chip_models_dir(const char *given);
/* mxu.kind's name in a chip file ("systolic", "tensor_cores"). */
const char *chip_matrix_kind_name(enum matrix_kind kind);
/* Names of the chips under models_dir (sorted), malloc'ed array of
 * malloc'ed strings; free with ini_free_names. */
int chip_list(const char *models_dir, char ***names, int *n);

/* Seconds per cycle and the usual conversions. */
static inline double chip_cycles_to_us(const struct chip *c, uint64_t cycles)
{
    return (double)cycles / c->clock_hz * 1e6;
}

#ifdef __cplusplus
}
#endif

#endif /* TPUSIM_CHIP_H */
