/*
 * gpu.c — GEMM kernels on a GPU's SMs (model in gpu.h) and cuBLAS's kernel
 * families. Tile shapes follow the kernels cuBLAS runs on Volta, whose names
 * carry their tiles (volta_h884gemm_256x128_ldg8_nn, volta_sgemm_128x64_nn,
 * volta_sgemm_32x128_nn in public nvprof listings), with the warp tiles of
 * CUTLASS's Volta configurations (128x128x32 blocks of 64x64 warp tiles on
 * tensor cores; 8x8 outer products per thread on CUDA cores).
 */
#include "gpu.h"

#include "cycles.h"

#define WARP_THREADS 32
/* Each split-K part keeps at least this much of K: four 32-deep stages. */
#define SPLIT_K_MIN_DEPTH 128
/* Split-K partial sums are kept in fp32. */
#define PARTIAL_SUM_BYTES 4

/* Registers per thread: the fp32 accumulators of the thread's share of the
 * warp tile (64 x 64 / 32 = 128 for a 64x64 warp tile) plus operand
 * fragments, double-buffered, and addresses. ASSUMED from that count; the
 * occupancies they give (one 256x128 block or two 128x128 blocks per SM)
 * are those CUTLASS reports for these tiles. */
static const struct gpu_tile_shape CUBLAS_TENSOR_TILES[] = {
    /* m, n, k, warp_m, warp_n, threads, registers */
    {256, 128, 32, 64, 64, 256, 232},
    {128, 256, 32, 64, 64, 256, 232},
    {128, 128, 32, 64, 64, 128, 232},
    {128, 64, 32, 64, 32, 128, 168},
    {64, 128, 32, 32, 64, 128, 168},
    {64, 64, 32, 32, 32, 128, 128},
};

/* SGEMM: an 8-deep stage; 8x8 (4x8 for the small tiles) outputs per thread
 * and their operands in registers. */
static const struct gpu_tile_shape CUBLAS_CUDA_CORE_TILES[] = {
    {128, 128, 8, 32, 64, 256, 128},
    {128, 64, 8, 32, 64, 128, 128},
    {64, 128, 8, 64, 32, 128, 128},
    {64, 64, 8, 32, 32, 128, 80},
    {128, 32, 8, 32, 32, 128, 64},
    {32, 128, 8, 32, 32, 128, 64},
};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

const struct gpu_kernel_family GPU_CUBLAS_TENSOR = {"cublas_tensor", CUBLAS_TENSOR_TILES,
                                                    N_OF(CUBLAS_TENSOR_TILES), true};
const struct gpu_kernel_family GPU_CUBLAS_CUDA_CORES = {
    "cublas_cuda_cores", CUBLAS_CUDA_CORE_TILES, N_OF(CUBLAS_CUDA_CORE_TILES), true};
const struct gpu_kernel_family GPU_CUBLAS_CUDA_CORES_NO_SPLIT = {
    "cublas_cuda_cores_no_split", CUBLAS_CUDA_CORE_TILES, N_OF(CUBLAS_CUDA_CORE_TILES), false};

bool gpu_dtype_supported(const struct chip *c, tpusim_dtype dtype)
{
    (void)c;
    return dtype == TPUSIM_DT_FLOAT16 || dtype == TPUSIM_DT_FLOAT32;
}

static uint64_t elem_bytes(tpusim_dtype dtype)
{
    return dtype == TPUSIM_DT_FLOAT32 ? 4 : 2;
}

/* cuBLAS's tensor-op rule: 16-byte aligned columns, i.e. leading
 * dimensions in multiples of 8 fp16 elements (cuBLAS library guide,
 * "Tensor Core Usage"; DeepBench's gemm_bench pads to it). */
bool gpu_gemm_on_tensor_cores(tpusim_dtype dtype, uint64_t k, uint64_t n)
{
    return dtype == TPUSIM_DT_FLOAT16 && k % 8 == 0 && n % 8 == 0;
}

uint64_t gpu_blocks_per_sm(const struct chip *c, const struct gpu_tile_shape *shape,
                           uint64_t elem_bytes_)
{
    /* Two stages of A (m x k) and B (k x n) in shared memory: double buffering. */
    uint64_t smem = 2 * (shape->m + shape->n) * shape->k * elem_bytes_;
    uint64_t regs = shape->threads * shape->registers_per_thread;
    uint64_t b = (uint64_t)c->gpu_max_blocks_per_sm;
    uint64_t limits[3] = {(uint64_t)c->gpu_max_threads_per_sm / shape->threads,
                          (uint64_t)c->gpu_registers_per_sm / regs,
                          c->gpu_shared_memory_per_sm_bytes / smem};
    for (int i = 0; i < 3; i++)
        if (limits[i] < b)
            b = limits[i];
    return b;
}

/* FMAs per cycle one SM sustains on a pipe. */
static double sm_fma_rate(const struct chip *c, enum gpu_math math)
{
    switch (math) {
    case GPU_MATH_TENSOR:
        return (double)c->gpu_tensor_cores_per_sm * c->gpu_fp16_fma_per_tensor_core_per_cycle;
    case GPU_MATH_HALF2: return 2.0 * c->gpu_fp32_cores_per_sm;
    case GPU_MATH_FP32: break;
    }
    return (double)c->gpu_fp32_cores_per_sm;
}

uint64_t gpu_dram_cycles(const struct chip *c, uint64_t bytes)
{
    return c->hbm_bytes_per_cycle > 0 ? ceil_cycles((double)bytes / c->hbm_bytes_per_cycle) : 0;
}

uint64_t gpu_streaming_kernel_cycles(const struct chip *c, uint64_t bytes, uint64_t ops)
{
    uint64_t mem = gpu_dram_cycles(c, bytes);
    uint64_t alu = ceil_cycles((double)ops / ((double)c->gpu_sms * c->gpu_fp32_cores_per_sm));
    return sat_add(c->hbm_latency_cycles, mem > alu ? mem : alu);
}

static uint64_t load_latency(const struct chip *c, const struct gpu_gemm_problem *p)
{
    return p->load_latency_cycles ? p->load_latency_cycles : c->hbm_latency_cycles;
}

/* One k-stage of `blocks` co-resident blocks on one SM: the longest of
 * their FMAs, their shared-memory traffic, their operand loads at the SM's
 * share of L2 bandwidth, and the next stage's arrival. That stage's loads
 * were issued when this one began; they land one load latency later, in
 * registers (LDG, the "ldg8" of the kernels' names), and must then be
 * stored into shared memory (STS) before the barrier that lets the warps
 * read them, so the stage waits for the latency and the store in turn. */
static uint64_t stage_cycles(const struct chip *c, const struct gpu_tile_shape *s,
                             const struct gpu_gemm_problem *p, uint64_t blocks,
                             enum gpu_stage_limit *limit)
{
    double b = (double)blocks, eb = (double)p->elem_bytes, k = (double)s->k;
    double warps = (double)s->threads / WARP_THREADS;
    double t[4];
    t[GPU_LIMIT_MATH] = b * (double)(s->m * s->n) * k / sm_fma_rate(c, p->math);
    double stage_bytes = b * (double)(s->m + s->n) * k * eb;
    double store = stage_bytes / c->gpu_shared_memory_bytes_per_cycle_per_sm;
    /* The stage stored once, each warp's A and B fragments read once. */
    t[GPU_LIMIT_SHARED_MEMORY] = store + b * warps * (double)(s->warp_m + s->warp_n) * k * eb /
                                             c->gpu_shared_memory_bytes_per_cycle_per_sm;
    t[GPU_LIMIT_L2] = stage_bytes / (c->gpu_l2_bytes_per_cycle / (double)c->gpu_sms);
    t[GPU_LIMIT_LATENCY] = (double)load_latency(c, p) + store;
    enum gpu_stage_limit best = GPU_LIMIT_MATH;
    for (int i = 1; i < 4; i++)
        if (t[i] > t[best])
            best = (enum gpu_stage_limit)i;
    *limit = best;
    return ceil_cycles(t[best]);
}

/* One wave's parts: each SM's k-stage and the output tiles' store. */
struct wave {
    uint64_t stage_cycles, epilogue_cycles, cycles;
    enum gpu_stage_limit limit;
};

/* A wave of `blocks` blocks per SM, `active` blocks in all: the first
 * stage's loads, the k loop, then every output tile stored at DRAM
 * bandwidth (split-K parts store fp32 partial sums). */
static struct wave wave_of(const struct chip *c, const struct gpu_gemm_plan *pl,
                           const struct gpu_gemm_problem *p, uint64_t blocks, uint64_t active)
{
    struct wave w;
    w.stage_cycles = stage_cycles(c, &pl->tile, p, blocks, &w.limit);
    uint64_t out = pl->split_k > 1 ? PARTIAL_SUM_BYTES : p->out_bytes;
    w.epilogue_cycles = gpu_dram_cycles(c, sat_mul(active, sat_mul(pl->tile.m * pl->tile.n, out)));
    w.cycles = sat_add(sat_add(load_latency(c, p), sat_mul(pl->k_stages, w.stage_cycles)),
                       w.epilogue_cycles);
    return w;
}

/* Split-K: a second kernel reads every part's fp32 sums and writes the output. */
static uint64_t reduce_cycles(const struct chip *c, const struct gpu_gemm_problem *p,
                              uint64_t split)
{
    uint64_t outputs = sat_mul(p->batch, sat_mul(p->m, p->n));
    uint64_t bytes = sat_add(sat_mul(outputs, split * PARTIAL_SUM_BYTES),
                             sat_mul(outputs, p->out_bytes));
    return sat_add(c->gpu_launch_overhead_cycles,
                   gpu_streaming_kernel_cycles(c, bytes, sat_mul(outputs, split)));
}

/* The kernel of one tile shape split `split` ways along K; false if the
 * shape does not fit an SM. */
static bool plan_one(const struct chip *c, const struct gpu_tile_shape *s, uint64_t split,
                     const struct gpu_gemm_problem *p, struct gpu_gemm_plan *pl)
{
    *pl = (struct gpu_gemm_plan){0};
    pl->tile = *s;
    pl->tensor_cores = p->math == GPU_MATH_TENSOR;
    pl->split_k = split;
    pl->blocks_per_sm = gpu_blocks_per_sm(c, s, p->elem_bytes);
    if (!pl->blocks_per_sm)
        return false;
    pl->tiles = sat_mul(split, sat_mul(p->batch, sat_mul(ceil_div(p->m, s->m),
                                                         ceil_div(p->n, s->n))));
    uint64_t sms = (uint64_t)c->gpu_sms, slots = sms * pl->blocks_per_sm;
    uint64_t full = pl->tiles / slots, rem = pl->tiles % slots;
    pl->waves = full + (rem > 0);
    pl->k_stages = ceil_div(ceil_div(p->k, split), s->k);
    struct wave w = wave_of(c, pl, p, pl->blocks_per_sm, slots);
    pl->stage_cycles = w.stage_cycles;
    pl->epilogue_cycles = w.epilogue_cycles;
    pl->wave_cycles = w.cycles;
    pl->limit = w.limit;
    if (rem) {
        struct wave last = wave_of(c, pl, p, ceil_div(rem, sms), rem);
        pl->last_wave_cycles = last.cycles;
        if (!full)
            pl->limit = last.limit;
    }
    if (split > 1)
        pl->reduce_cycles = reduce_cycles(c, p, split);
    pl->total_cycles = sat_add(sat_add(sat_mul(full, pl->wave_cycles), pl->last_wave_cycles),
                               pl->reduce_cycles);
    pl->dram_floor_cycles = gpu_dram_cycles(c, p->dram_bytes);
    if (pl->dram_floor_cycles > pl->total_cycles)
        pl->total_cycles = pl->dram_floor_cycles;
    return true;
}

/* Whether the library runs tile plan pl as it is: the problem fills it, the
 * tile no larger than M x N and enough tiles for one whole wave at the
 * tile's occupancy. */
static bool fills(const struct chip *c, const struct gpu_gemm_problem *p,
                  const struct gpu_gemm_plan *pl)
{
    return pl->tile.m <= p->m && pl->tile.n <= p->n &&
           pl->tiles >= (uint64_t)c->gpu_sms * pl->blocks_per_sm;
}

/* Tiles are listed largest first, so the first that the problem fills is
 * the largest; until one does, every tile and split is timed and the
 * fastest kept. */
bool gpu_plan_kernel(const struct chip *c, const struct gpu_kernel_family *family,
                     const struct gpu_gemm_problem *p, struct gpu_gemm_plan *best)
{
    bool found = false;
    for (size_t i = 0; i < family->n_tiles; i++) {
        for (uint64_t split = 1; split == 1 || (family->split_k && split * SPLIT_K_MIN_DEPTH <= p->k);
             split *= 2) {
            struct gpu_gemm_plan pl;
            if (!plan_one(c, &family->tiles[i], split, p, &pl))
                break;
            if (split == 1 && fills(c, p, &pl)) {
                *best = pl;
                return true;
            }
            if (!found || pl.total_cycles < best->total_cycles) {
                *best = pl;
                found = true;
            }
        }
    }
    return found;
}

void gpu_plan_timing(const struct chip *c, const struct gpu_gemm_plan *pl, enum gpu_math math,
                     uint64_t useful_macs, struct mxu_timing *out)
{
    struct mxu_timing t = {0};
    uint64_t sms = (uint64_t)c->gpu_sms, slots = sms * pl->blocks_per_sm;
    uint64_t rem = slots ? pl->tiles % slots : 0;
    t.total_cycles = pl->total_cycles;
    /* The last wave runs only rem of its slots: the rest of it is idle. */
    if (rem)
        t.wave_quant_cycles = sat_from_double((double)pl->last_wave_cycles *
                                               (double)(slots - rem) / (double)slots);
    t.stream_cycles = t.total_cycles - t.wave_quant_cycles;
    t.tiles = pl->tiles;
    /* The engines' view (mxu.h): one step, the whole kernel; its pipeline
     * steps are groups of thread blocks (sim/tiling.c). */
    t.steps = 1;
    t.step_cycles = pl->total_cycles;
    t.mxus_used = pl->tiles < sms ? pl->tiles : sms;
    t.mac_slots = sat_from_double((double)t.total_cycles * sm_fma_rate(c, math) * (double)sms);
    t.useful_macs = useful_macs;
    *out = t;
}

struct gpu_gemm_problem gpu_gemm_problem_of(tpusim_dtype dtype, uint64_t batch, uint64_t m,
                                            uint64_t k, uint64_t n,
                                            const struct gpu_kernel_family **family)
{
    bool tensor = gpu_gemm_on_tensor_cores(dtype, k, n);
    uint64_t eb = elem_bytes(dtype);
    *family = tensor ? &GPU_CUBLAS_TENSOR : &GPU_CUBLAS_CUDA_CORES;
    return (struct gpu_gemm_problem){batch, m, k, n,
                                     tensor                       ? GPU_MATH_TENSOR
                                     : dtype == TPUSIM_DT_FLOAT16 ? GPU_MATH_HALF2
                                                                  : GPU_MATH_FP32,
                                     eb, eb, sat_mul(sat_mul(batch, m * k + k * n + m * n), eb),
                                     0};
}

/* cuBLAS's GEMM; with reads_c, beta != 0: every output tile's epilogue
 * loads C before it stores, and C crosses DRAM once more. */
static void cublas_gemm(const struct chip *c, tpusim_dtype dtype, uint64_t batch, uint64_t m,
                        uint64_t k, uint64_t n, bool reads_c, struct mxu_timing *out,
                        struct gpu_gemm_plan *plan)
{
    struct gpu_gemm_plan best = {0};
    *out = (struct mxu_timing){0};
    if (plan)
        *plan = best;
    if (!batch || !m || !k || !n || c->gpu_sms <= 0)
        return;
    const struct gpu_kernel_family *family;
    struct gpu_gemm_problem p = gpu_gemm_problem_of(dtype, batch, m, k, n, &family);
    if (reads_c) {
        p.out_bytes *= 2;
        p.dram_bytes = sat_add(p.dram_bytes, sat_mul(sat_mul(batch, m * n), p.elem_bytes));
    }
    if (!gpu_plan_kernel(c, family, &p, &best))
        return;
    gpu_plan_timing(c, &best, p.math, sat_mul(batch, sat_mul(m, sat_mul(k, n))), out);
    if (plan)
        *plan = best;
}

void gpu_gemm(const struct chip *c, tpusim_dtype dtype, uint64_t batch, uint64_t m, uint64_t k,
              uint64_t n, struct mxu_timing *out, struct gpu_gemm_plan *plan)
{
    cublas_gemm(c, dtype, batch, m, k, n, false, out, plan);
}

void gpu_gemm_accumulate(const struct chip *c, tpusim_dtype dtype, uint64_t batch, uint64_t m,
                         uint64_t k, uint64_t n, struct mxu_timing *out)
{
    cublas_gemm(c, dtype, batch, m, k, n, true, out, NULL);
}
