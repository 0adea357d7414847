/*
 * gpu.h — a GPU's matrix unit: GEMMs and convolutions as the kernels of
 * cuBLAS and cuDNN run them on the streaming multiprocessors (SMs): tensor
 * cores for FP16 when the operands are aligned for them, CUDA cores
 * otherwise. The NVIDIA V100 (models/gpu_v100) is the chip it was written
 * for; docs/timing.md has the model with its sources.
 *
 * A kernel cuts its (batched) M x N output into thread-block tiles of one
 * of its library's shapes (gpu.c lists cuBLAS's, gpu_conv.c cuDNN's); each
 * SM holds as many blocks as its registers, threads and shared memory
 * allow (occupancy), and the tiles run in waves of SMs x blocks per SM.
 * Within a wave, a block walks K one shared-memory stage at a time, double
 * buffered: while a stage is multiplied the next one loads. One stage of a
 * full SM takes the longest of
 *   - its FMAs at the SM's rate (tensor cores, or CUDA cores),
 *   - the shared-memory traffic (the stage stored, the warps' fragments read),
 *   - the operand loads at the SM's share of L2 bandwidth,
 *   - the next stage's arrival: its loads' latency (one stage in flight),
 *     then their store into shared memory.
 * A wave starts with one such latency (the first stage) and ends with the
 * output tiles stored at DRAM bandwidth (the epilogue: every block of a wave
 * finishes at once, so the stores are not hidden). The last, partial wave
 * leaves SMs idle: wave quantisation. Deep K with few tiles may split along
 * K (split-K): partial sums go to a workspace that a second kernel adds.
 * The kernel a library runs is its largest tile that the problem fills (a
 * whole wave of blocks, the tile no larger than M x N); only a problem too
 * small for any tile's full wave gets the fastest of every tile and split.
 */
#ifndef TPUSIM_GPU_H
#define TPUSIM_GPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chip.h"
#include "matrix_unit.h"
#include "mxu.h"
#include "tpusim.h"

/* The FMA pipe a kernel runs on. */
enum gpu_math {
    GPU_MATH_TENSOR, /* FP16 tensor cores (FP32 accumulation) */
    GPU_MATH_FP32,   /* CUDA cores, one FP32 FMA per core per cycle */
    GPU_MATH_HALF2   /* CUDA cores on FP16 pairs: two FMAs per core per cycle */
};

/* One kernel configuration of a library: its thread-block tile and what
 * the block costs an SM. */
struct gpu_tile_shape {
    uint64_t m, n;             /* output tile */
    uint64_t k;                /* K depth of one shared-memory stage */
    uint64_t warp_m, warp_n;   /* one warp's part of the output tile */
    uint64_t threads;          /* per block */
    uint64_t registers_per_thread;
};

/* A library's family of kernels for one kind of work. */
struct gpu_kernel_family {
    const char *name;
    const struct gpu_tile_shape *tiles;
    size_t n_tiles;
    bool split_k;              /* has split-K kernels */
};

/* cuBLAS's GEMM kernels on tensor cores and on CUDA cores (gpu.c); the
 * last without split-K, as batched GEMMs inside cuDNN run. */
extern const struct gpu_kernel_family GPU_CUBLAS_TENSOR;
extern const struct gpu_kernel_family GPU_CUBLAS_CUDA_CORES;
extern const struct gpu_kernel_family GPU_CUBLAS_CUDA_CORES_NO_SPLIT;

/* What sets the time of one k-stage of a full SM. */
enum gpu_stage_limit {
    GPU_LIMIT_MATH,
    GPU_LIMIT_SHARED_MEMORY,
    GPU_LIMIT_L2,
    GPU_LIMIT_LATENCY
};

/* `batch` independent GEMMs (M x K) x (K x N); K is already what the
 * kernel iterates (a convolution's padded taps included). */
struct gpu_gemm_problem {
    uint64_t batch, m, k, n;
    enum gpu_math math;
    uint64_t elem_bytes;       /* operands in shared memory */
    uint64_t out_bytes;        /* per output element the epilogue stores */
    uint64_t dram_bytes;       /* what the kernel must move through DRAM at least
                                  (its operands read once, its output written once);
                                  its time is never below that at DRAM bandwidth */
    uint64_t load_latency_cycles; /* of a stage's loads; 0: DRAM latency (operands
                                     that L2 keeps between kernels load faster) */
};

/* How a kernel ran: the chosen tile, its occupancy and its time. */
struct gpu_gemm_plan {
    struct gpu_tile_shape tile;
    bool tensor_cores;
    uint64_t blocks_per_sm;
    uint64_t split_k;          /* K split this many ways (1: none) */
    uint64_t tiles;            /* thread blocks */
    uint64_t waves;
    uint64_t k_stages;         /* stages each block walks */
    uint64_t stage_cycles;     /* one k-stage of a full SM */
    enum gpu_stage_limit limit;/* what sets stage_cycles */
    uint64_t epilogue_cycles;  /* storing one full wave's output tiles */
    uint64_t wave_cycles;      /* one full wave: first load, k loop, epilogue */
    uint64_t last_wave_cycles; /* the partial last wave (0: the waves are all full) */
    uint64_t reduce_cycles;    /* split-K: the kernel that adds the partial sums */
    uint64_t dram_floor_cycles;/* the problem's dram_bytes at DRAM bandwidth */
    uint64_t total_cycles;     /* the longer of the waves (+ reduction) and the floor */
};

/* Whether the GPU runs matmuls in `dtype` (fp16 on tensor cores, fp32 on
 * CUDA cores); bf16 and int8 are not modelled on V100. */
bool gpu_dtype_supported(const struct chip *c, tpusim_dtype dtype);
/* Whether cuBLAS runs an fp16 (M x K) x (K x N) row-major GEMM on tensor
 * cores: every leading dimension (K of A, N of B and C) a multiple of 8. */
bool gpu_gemm_on_tensor_cores(tpusim_dtype dtype, uint64_t k, uint64_t n);
/* Blocks of `shape` one SM holds at once with operands of `elem_bytes`
 * (0 if it does not fit at all). */
uint64_t gpu_blocks_per_sm(const struct chip *c, const struct gpu_tile_shape *shape,
                           uint64_t elem_bytes);
/* The kernel of `family` the library runs for the problem (above): the
 * largest tile it fills, else the fastest tile and split; false if no tile
 * fits an SM. */
bool gpu_plan_kernel(const struct chip *c, const struct gpu_kernel_family *family,
                     const struct gpu_gemm_problem *p, struct gpu_gemm_plan *plan);
/* A plan in the matrix unit's timing form: stream_cycles = the kernel's
 * time less wave_quant_cycles (the idle share of the last wave);
 * mac_slots = the FMA capacity of all SMs over the kernel on its pipe. */
void gpu_plan_timing(const struct chip *c, const struct gpu_gemm_plan *plan, enum gpu_math math,
                     uint64_t useful_macs, struct mxu_timing *out);
/* `batch` independent GEMMs (M x K) x (K x N) as cuBLAS runs them (beta = 0).
 * plan may be NULL. */
void gpu_gemm(const struct chip *c, tpusim_dtype dtype, uint64_t batch, uint64_t m, uint64_t k,
              uint64_t n, struct mxu_timing *out, struct gpu_gemm_plan *plan);
/* The same with beta != 0: each output tile's epilogue first loads the M x N
 * matrix C it adds (ONNX Gemm's C at full size). */
void gpu_gemm_accumulate(const struct chip *c, tpusim_dtype dtype, uint64_t batch, uint64_t m,
                         uint64_t k, uint64_t n, struct mxu_timing *out);
/* The cuBLAS problem of `batch` GEMMs (M x K) x (K x N) in `dtype` (tensor
 * cores when aligned, beta = 0); its kernel family in *family. */
struct gpu_gemm_problem gpu_gemm_problem_of(tpusim_dtype dtype, uint64_t batch, uint64_t m,
                                            uint64_t k, uint64_t n,
                                            const struct gpu_kernel_family **family);
/* A recurrent layer as cuDNN's standard algorithm runs it (gpu_rnn.c). */
void gpu_rnn(const struct chip *c, tpusim_dtype dtype, const struct rnn_desc *rd,
             struct mxu_timing *out);
/* Cycles to move `bytes` to or from DRAM at the achievable bandwidth. */
uint64_t gpu_dram_cycles(const struct chip *c, uint64_t bytes);
/* A memory-bound helper kernel (a layout or Winograd transform): `bytes`
 * through DRAM, `ops` element operations on the CUDA cores, whichever is
 * longer, after one DRAM latency. */
uint64_t gpu_streaming_kernel_cycles(const struct chip *c, uint64_t bytes, uint64_t ops);

/* A convolution as cuDNN runs it (gpu_conv.c): the chip's
 * gpu.conv_algorithm where it applies to the convolution, else every
 * algorithm the GPU's library has for it, timed, and the fastest kept
 * (cudnnFind). */
void gpu_conv(const struct chip *c, tpusim_dtype dtype, const struct conv_desc *cd,
              struct conv_timing *out);
/* One algorithm's time, or false when cuDNN has no such kernel for it. */
bool gpu_conv_algo(const struct chip *c, tpusim_dtype dtype, const struct conv_desc *cd,
                   enum conv_algo algo, struct conv_timing *out);
/* Multiplies per output tile of Winograd F(m x m, r x r): (m + r - 1)^2,
 * against m^2 r^2 for the direct convolution. */
uint64_t gpu_winograd_multiplies(uint64_t m, uint64_t r);

#endif /* TPUSIM_GPU_H */
