/*
 * gpu.h — a GPU's matrix unit: GEMMs as cuBLAS/cuDNN-style kernels of
 * thread-block output tiles on the streaming multiprocessors, tensor cores
 * for FP16 when K and N are multiples of 8, CUDA cores otherwise. The
 * NVIDIA V100 (models/gpu_v100) is the chip it was written for.
 *
 * The model: a kernel cuts the (batched) M x N output into tiles of one of a
 * few standard shapes (128x128, 128x64, 64x128, 64x64); occupancy (blocks
 * per SM) follows from each shape's threads, registers and shared memory;
 * tiles run in waves of SMs x blocks-per-SM; within a wave an SM shares its
 * FMA rate among its resident blocks, each doing tile_m x tile_n x K FMAs
 * (K padded to the 32-deep shared-memory stage). The last, partial wave
 * leaves SMs idle: that is wave quantisation, where small layers lose. Deep
 * K with few output tiles is split along K (split-K) to fill the SMs, the
 * partial sums added afterwards. Like cuBLAS's heuristics, the shape and
 * split with the shortest time are picked.
 */
#ifndef TPUSIM_GPU_H
#define TPUSIM_GPU_H

#include <stdbool.h>
#include <stdint.h>

#include "chip.h"
#include "mxu.h"
#include "tpusim.h"

/* One candidate kernel: a thread-block tile and what it costs an SM. */
struct gpu_tile_shape {
    uint64_t m, n;             /* output tile */
    uint64_t threads;          /* per block */
    uint64_t registers_per_thread;
};

/* How a GEMM ran: the chosen tile and its occupancy. */
struct gpu_gemm_plan {
    struct gpu_tile_shape tile;
    bool tensor_cores;
    uint64_t blocks_per_sm;
    uint64_t split_k;          /* K split this many ways (1: none) */
    uint64_t tiles;            /* thread blocks */
    uint64_t waves;
    uint64_t wave_cycles;      /* one full wave */
    uint64_t reduce_cycles;    /* adding split-K partial sums */
};

/* Whether the GPU runs matmuls in `dtype` (fp16 on tensor cores, fp32 on
 * CUDA cores); bf16 and int8 are not modelled on V100. */
bool gpu_dtype_supported(const struct chip *c, tpusim_dtype dtype);
/* `batch` independent GEMMs (M x K) x (K x N). out uses the matrix unit's
 * timing form: stream_cycles = full-wave compute, wave_quant_cycles = the
 * idle share of the last wave, mac_slots = FMA capacity of all SMs over the
 * kernel, mxus_used = SMs busy in the first wave. plan may be NULL. */
void gpu_gemm(const struct chip *c, tpusim_dtype dtype, uint64_t batch, uint64_t m, uint64_t k,
              uint64_t n, struct mxu_timing *out, struct gpu_gemm_plan *plan);
/* Blocks of `shape` one SM holds at once (0 if it does not fit at all). */
uint64_t gpu_blocks_per_sm(const struct chip *c, const struct gpu_tile_shape *shape,
                           tpusim_dtype dtype);

#endif /* TPUSIM_GPU_H */
