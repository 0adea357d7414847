/*
 * gpu.c — GEMM kernels on a GPU's SMs (model in gpu.h). The tile shapes and
 * their resources follow CUTLASS's default Volta tensor-op configurations
 * (128x128 and 128x64 tiles with 256/128 threads; a 32-deep K stage,
 * double-buffered in shared memory).
 */
#include "gpu.h"

#include "cycles.h"

/* K depth of one shared-memory stage (CUTLASS's Volta default). */
#define GPU_K_STAGE 32
#define GPU_SMEM_STAGES 2

static const struct gpu_tile_shape SHAPES[] = {
    {128, 128, 256, 128},
    {128, 64, 128, 128},
    {64, 128, 128, 128},
    {64, 64, 128, 96},
};
#define N_SHAPES (sizeof SHAPES / sizeof SHAPES[0])

bool gpu_dtype_supported(const struct chip *c, tpusim_dtype dtype)
{
    (void)c;
    return dtype == TPUSIM_DT_FLOAT16 || dtype == TPUSIM_DT_FLOAT32;
}

static uint64_t elem_bytes(tpusim_dtype dtype)
{
    return dtype == TPUSIM_DT_FLOAT32 ? 4 : 2;
}

uint64_t gpu_blocks_per_sm(const struct chip *c, const struct gpu_tile_shape *shape,
                           tpusim_dtype dtype)
{
    uint64_t smem = GPU_SMEM_STAGES * (shape->m + shape->n) * GPU_K_STAGE * elem_bytes(dtype);
    uint64_t regs = shape->threads * shape->registers_per_thread;
    uint64_t by_threads = (uint64_t)c->gpu_max_threads_per_sm / shape->threads;
    uint64_t by_regs = (uint64_t)c->gpu_registers_per_sm / regs;
    uint64_t by_smem = c->gpu_shared_memory_per_sm_bytes / smem;
    uint64_t b = (uint64_t)c->gpu_max_blocks_per_sm;
    if (by_threads < b)
        b = by_threads;
    if (by_regs < b)
        b = by_regs;
    if (by_smem < b)
        b = by_smem;
    return b;
}

/* FMAs per cycle one SM sustains on this path. Tensor cores need K and N in
 * multiples of 8 (cuBLAS falls back to CUDA cores otherwise); FP16 on CUDA
 * cores runs as half2, two FMAs per core. */
static double sm_fma_rate(const struct chip *c, tpusim_dtype dtype, bool tensor)
{
    if (tensor)
        return (double)c->gpu_tensor_cores_per_sm * c->gpu_fp16_fma_per_tensor_core_per_cycle *
               c->gpu_tensor_core_efficiency_fraction;
    return (double)c->gpu_fp32_cores_per_sm * (dtype == TPUSIM_DT_FLOAT16 ? 2.0 : 1.0);
}

/* The kernel of one tile shape split `split` ways along K; false if the
 * shape does not fit an SM. */
static bool plan_shape(const struct chip *c, tpusim_dtype dtype, bool tensor,
                       const struct gpu_tile_shape *s, uint64_t split, uint64_t batch, uint64_t m,
                       uint64_t k, uint64_t n, struct gpu_gemm_plan *p)
{
    p->tile = *s;
    p->tensor_cores = tensor;
    p->split_k = split;
    p->blocks_per_sm = gpu_blocks_per_sm(c, s, dtype);
    if (!p->blocks_per_sm)
        return false;
    p->tiles = sat_mul(split, sat_mul(batch, sat_mul(ceil_div(m, s->m), ceil_div(n, s->n))));
    uint64_t slots = (uint64_t)c->gpu_sms * p->blocks_per_sm;
    p->waves = ceil_div(p->tiles, slots);
    uint64_t k_part = sat_mul(ceil_div(ceil_div(k, split), GPU_K_STAGE), GPU_K_STAGE);
    /* The SM's blocks share its FMA rate: a wave takes their work / rate. */
    double wave_fmas = (double)p->blocks_per_sm * (double)(s->m * s->n) * (double)k_part;
    p->wave_cycles = ceil_cycles(wave_fmas / sm_fma_rate(c, dtype, tensor));
    /* Split-K partial sums are added on the CUDA cores afterwards. */
    double partials = (double)(split - 1) * (double)batch * (double)m * (double)n;
    p->reduce_cycles = ceil_cycles(partials / ((double)c->gpu_sms * c->gpu_fp32_cores_per_sm));
    return true;
}

static uint64_t plan_cycles(const struct gpu_gemm_plan *p)
{
    return sat_add(sat_mul(p->waves, p->wave_cycles), p->reduce_cycles);
}

/* Like cuBLAS's heuristics, try every tile shape and split-K factor (up to
 * K / 128, so each split keeps a few shared-memory stages) and keep the
 * fastest: split-K is how small-M, deep-K layers fill the SMs. */
static bool best_plan(const struct chip *c, tpusim_dtype dtype, bool tensor, uint64_t batch,
                      uint64_t m, uint64_t k, uint64_t n, struct gpu_gemm_plan *best)
{
    bool found = false;
    for (size_t i = 0; i < N_SHAPES; i++) {
        for (uint64_t split = 1; split == 1 || split * 128 <= k; split *= 2) {
            struct gpu_gemm_plan p;
            if (!plan_shape(c, dtype, tensor, &SHAPES[i], split, batch, m, k, n, &p))
                break;
            if (!found || plan_cycles(&p) < plan_cycles(best)) {
                *best = p;
                found = true;
            }
        }
    }
    return found;
}

void gpu_gemm(const struct chip *c, tpusim_dtype dtype, uint64_t batch, uint64_t m, uint64_t k,
              uint64_t n, struct mxu_timing *out, struct gpu_gemm_plan *plan)
{
    struct mxu_timing t = {0};
    struct gpu_gemm_plan best = {0};
    *out = t;
    if (plan)
        *plan = best;
    if (!batch || !m || !k || !n || c->gpu_sms <= 0)
        return;
    bool tensor = dtype == TPUSIM_DT_FLOAT16 && k % 8 == 0 && n % 8 == 0;
    if (!best_plan(c, dtype, tensor, batch, m, k, n, &best))
        return;
    uint64_t slots = (uint64_t)c->gpu_sms * best.blocks_per_sm;
    /* The last wave runs only tiles % slots blocks: the rest of it is idle. */
    uint64_t idle_blocks = best.waves * slots - best.tiles;
    t.total_cycles = plan_cycles(&best);
    t.wave_quant_cycles = (uint64_t)((double)best.wave_cycles * (double)idle_blocks /
                                     (double)slots);
    t.stream_cycles = t.total_cycles - t.wave_quant_cycles;
    t.tiles = best.tiles;
    t.steps = best.waves;
    t.step_cycles = best.wave_cycles;
    t.epilogue_cycles = best.reduce_cycles;
    t.mxus_used = best.tiles < (uint64_t)c->gpu_sms ? best.tiles : (uint64_t)c->gpu_sms;
    double peak = tensor ? (double)c->gpu_tensor_cores_per_sm *
                               c->gpu_fp16_fma_per_tensor_core_per_cycle
                         : sm_fma_rate(c, dtype, false);
    t.mac_slots = (uint64_t)((double)t.total_cycles * peak * c->gpu_sms);
    t.useful_macs = sat_mul(batch, sat_mul(m, sat_mul(k, n)));
    *out = t;
    if (plan)
        *plan = best;
}
