/*
 * test_gpu.c — the V100 model (sim/gpu.c, models/gpu_v100): occupancy,
 * waves and wave quantisation, the tensor-core / CUDA-core split, and the
 * physics of whole ops. Expectations come from the chip's parameters.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "gpu.h"
#include "stack.h"
#include "suites.h"
#include "testutil.h"

static void run(const tpusim_graph *g, const struct chip *c, tpusim_dtype dt, double fw_us,
                struct sim_result *r)
{
    char err[1024];
    struct sim_options o = {
        .dtype = dt, .cores = 1, .framework_overhead_us = fw_us, .stack = tu_default_stack(c)};
    int rc = simulate(g, c, &o, r, err, sizeof err);
    ck_assert_msg(rc == TPUSIM_OK, "%s", err);
}

START_TEST(peak_is_sms_times_tensor_cores_times_fmas)
{
    /* 80 SMs x 8 TCs x 64 FMA x 2 FLOP x 1.53 GHz = 125.33 TFLOPS (WP: 125) */
    struct chip c;
    tu_load_chip("gpu_v100", NULL, 0, &c);
    ck_assert_double_eq_tol(c.peak_flops_per_s, 80.0 * 8 * 64 * 2 * 1.53e9, 1e3);
    /* 900 GB/s x 0.83 achievable / 1.53 GHz = 488.2 bytes per cycle */
    ck_assert_double_eq_tol(c.hbm_bytes_per_cycle, 900e9 * 0.83 / 1.53e9, 1e-6);
}
END_TEST

START_TEST(occupancy_from_registers_threads_and_shared_memory)
{
    struct chip c;
    tu_load_chip("gpu_v100", NULL, 0, &c);
    /* 128x128x32 tensor tile, 128 threads x 232 registers = 29696: 65536 / 29696 = 2;
     * shared memory 2 stages x (128 + 128) x 32 x 2 B = 32 KiB: 96 / 32 = 3; threads
     * 2048 / 128 = 16: registers limit it to 2. */
    struct gpu_tile_shape t128 = {128, 128, 32, 64, 64, 128, 232};
    ck_assert_uint_eq(gpu_blocks_per_sm(&c, &t128, 2), 2);
    /* 256x128: 256 x 232 = 59392 registers: 1 block (shared memory 48 KiB: 2). */
    struct gpu_tile_shape t256 = {256, 128, 32, 64, 64, 256, 232};
    ck_assert_uint_eq(gpu_blocks_per_sm(&c, &t256, 2), 1);
    /* 128x32x8 fp32: 128 x 64 = 8192 registers: 8; shared memory 2 x 160 x 8 x 4 B =
     * 10240: 9; threads 16: 8. */
    struct gpu_tile_shape s128x32 = {128, 32, 8, 32, 32, 128, 64};
    ck_assert_uint_eq(gpu_blocks_per_sm(&c, &s128x32, 4), 8);
}
END_TEST

/* A kernel family of one tile shape, split-K or not. */
static struct gpu_kernel_family one_tile(const struct gpu_tile_shape *t, bool split)
{
    return (struct gpu_kernel_family){"test", t, 1, split};
}

START_TEST(plan_is_waves_of_k_stages_plus_epilogues)
{
    /* 4096^3 fp16 in 128x128x32 tiles (2 blocks per SM: 160 slots), every number
     * from the chip file:
     *  one k-stage of a full SM is the longest of
     *    math:   2 x 128 x 128 x 32 / (8 TCs x 64 FMA) = 2048,
     *    L2:     2 x (128 + 128) x 32 x 2 B / (2100e9 / 1.53e9 / 80 B/cycle) = 1909.9,
     *    shared: 2 x (4 warps x (64 + 64) + 256) x 32 x 2 B / 128 = 768,
     *    arrival: the loads' latency, 650 ns x 1530 MHz = 994.5 -> 995 cycles, then
     *      their store into shared memory, 2 x 256 x 32 x 2 B / 128 = 256: 1251;
     *  so 2048, math-bound. 32 x 32 = 1024 tiles: 6 full waves, 64 blocks left.
     *  A full wave: 995 (first stage) + 128 stages x 2048 + the epilogue, 160 x 128 x
     *  128 x 2 B at 900e9 x 0.83 / 1.53e9 = 488.24 B/cycle: 10738.5 -> 10739; 273878.
     *  The last wave runs one block per SM: stage = max(1024 math, 955 L2, 995 +
     *  128 arrival) = 1123; epilogue 64 x 32768 B: 4295.3 -> 4296; 995 + 128 x 1123
     *  + 4296 = 149035. Total 6 x 273878 + 149035 = 1792303. The last wave uses 64
     *  of 160 slots: 149035 x 96 / 160 = 89421 cycles of wave quantisation. */
    struct chip c;
    tu_load_chip("gpu_v100", NULL, 0, &c);
    struct gpu_tile_shape t = {128, 128, 32, 64, 64, 128, 232};
    struct gpu_kernel_family f = one_tile(&t, false);
    struct gpu_gemm_problem p = {1, 4096, 4096, 4096, GPU_MATH_TENSOR, 2, 2, 0, 0};
    struct gpu_gemm_plan pl;
    ck_assert(gpu_plan_kernel(&c, &f, &p, &pl));
    ck_assert_uint_eq(pl.blocks_per_sm, 2);
    ck_assert_uint_eq(pl.tiles, 1024);
    ck_assert_uint_eq(pl.waves, 7);
    ck_assert_uint_eq(pl.k_stages, 128);
    ck_assert_uint_eq(pl.stage_cycles, 2048);
    ck_assert_int_eq(pl.limit, GPU_LIMIT_MATH);
    ck_assert_uint_eq(pl.epilogue_cycles, 10739);
    ck_assert_uint_eq(pl.wave_cycles, 273878);
    ck_assert_uint_eq(pl.last_wave_cycles, 149035);
    ck_assert_uint_eq(pl.total_cycles, 1792303);
    struct mxu_timing tm;
    gpu_plan_timing(&c, &pl, GPU_MATH_TENSOR, UINT64_C(4096) * 4096 * 4096, &tm);
    ck_assert_uint_eq(tm.total_cycles, 1792303);
    ck_assert_uint_eq(tm.wave_quant_cycles, 89421);
    ck_assert_uint_eq(tm.stream_cycles, 1792303 - 89421);
    ck_assert_uint_eq(tm.mxus_used, 80);
    /* cuBLAS's own pick for the same GEMM is its largest tile that fills a wave:
     * 256x128, one block per SM, 16 x 32 = 512 tiles (>= 80): 6 full waves of 80
     * and 32 blocks left. A wave: 995 + 128 stages x 2048 (2 x 128 x 128 x 32 /
     * 512, as above) + 80 x 65536 B / 488.24 (10739) = 273878; the last: 995 +
     * 262144 + 32 x 65536 B / 488.24 (4296) = 267435. 6 x 273878 + 267435 =
     * 1910703: slower than the 128x128 plan's finer last wave, as the library's
     * choice is. */
    struct gpu_gemm_plan best;
    gpu_gemm(&c, TPUSIM_DT_FLOAT16, 1, 4096, 4096, 4096, &tm, &best);
    ck_assert(best.tensor_cores);
    ck_assert_uint_eq(best.tile.m, 256);
    ck_assert_uint_eq(best.tile.n, 128);
    ck_assert_uint_eq(best.split_k, 1);
    ck_assert_uint_eq(best.total_cycles, 1910703);
}
END_TEST

START_TEST(small_tensor_tiles_are_l2_bound_and_lone_blocks_latency_bound)
{
    struct chip c;
    tu_load_chip("gpu_v100", NULL, 0, &c);
    /* 64x64x32 tensor tiles, 4 per SM: math 4 x 64 x 64 x 32 / 512 = 1024 cycles a
     * stage, but their operands, 4 x 128 x 32 x 2 B = 32768 B, take 32768 / 17.157 =
     * 1909.9 -> 1910 cycles of the SM's L2 share. */
    struct gpu_tile_shape t64 = {64, 64, 32, 32, 32, 128, 128};
    struct gpu_kernel_family f = one_tile(&t64, false);
    struct gpu_gemm_problem p = {1, 4096, 4096, 4096, GPU_MATH_TENSOR, 2, 2, 0, 0};
    struct gpu_gemm_plan pl;
    ck_assert(gpu_plan_kernel(&c, &f, &p, &pl));
    ck_assert_uint_eq(pl.blocks_per_sm, 4);
    ck_assert_int_eq(pl.limit, GPU_LIMIT_L2);
    ck_assert_uint_eq(pl.stage_cycles, 1910);
    /* One 32x128x8 fp32 block alone (M = 32, N = 128): a stage's math is 32 x 128 x
     * 8 / 64 = 512 cycles, less than the next stage's arrival: the 995-cycle DRAM
     * latency of its loads, then their store into shared memory, (32 + 128) x 8 x
     * 4 B / 128 = 40 cycles. K = 4096: 512 stages; 995 + 512 x 1035 + the epilogue
     * (32 x 128 x 4 B / 488.24 = 33.6 -> 34) = 530949. */
    struct gpu_tile_shape s32 = {32, 128, 8, 32, 32, 128, 64};
    f = one_tile(&s32, false);
    p = (struct gpu_gemm_problem){1, 32, 4096, 128, GPU_MATH_FP32, 4, 4, 0, 0};
    ck_assert(gpu_plan_kernel(&c, &f, &p, &pl));
    ck_assert_int_eq(pl.limit, GPU_LIMIT_LATENCY);
    ck_assert_uint_eq(pl.last_wave_cycles, 530949);
    ck_assert_uint_eq(pl.total_cycles, 530949);
}
END_TEST

START_TEST(split_k_fills_the_sms_and_pays_a_reduction_kernel)
{
    /* M = N = 128 (one tile), K = 32768: alone, one SM walks 1024 stages. Split s
     * ways, s blocks run at once; a second kernel then reads s fp32 partial sums per
     * output and writes the fp16 output: one kernel boundary (3 us x 1530 MHz = 4590
     * cycles), one DRAM latency (995) and (s x 4 + 2) x 16384 B at 488.24 B/cycle. */
    struct chip c;
    tu_load_chip("gpu_v100", NULL, 0, &c);
    struct gpu_tile_shape t = {128, 128, 32, 64, 64, 128, 232};
    struct gpu_gemm_problem p = {1, 128, 32768, 128, GPU_MATH_TENSOR, 2, 2, 0, 0};
    struct gpu_kernel_family whole = one_tile(&t, false), split = one_tile(&t, true);
    struct gpu_gemm_plan one, many;
    ck_assert(gpu_plan_kernel(&c, &whole, &p, &one));
    ck_assert(gpu_plan_kernel(&c, &split, &p, &many));
    ck_assert_uint_eq(one.split_k, 1);
    ck_assert_uint_gt(many.split_k, 1);
    uint64_t bytes = (many.split_k * 4 + 2) * 16384;
    uint64_t dram = (uint64_t)ceil((double)bytes / (900e9 * 0.83 / 1.53e9));
    uint64_t adds = (uint64_t)ceil((double)(many.split_k * 16384) / (80.0 * 64));
    ck_assert_uint_eq(many.reduce_cycles, 4590 + 995 + (dram > adds ? dram : adds));
    ck_assert_uint_lt(many.total_cycles, one.total_cycles / 4);
}
END_TEST

START_TEST(one_tile_past_a_full_wave_pays_a_second_wave)
{
    /* 128x128 tiles, 2 per SM: 160 slots. M = 128 x 160 fills one wave exactly; one
     * more row of tiles needs a second wave, so the time jumps far more than 161/160. */
    struct chip c;
    tu_load_chip("gpu_v100", NULL, 0, &c);
    struct gpu_tile_shape t = {128, 128, 32, 64, 64, 128, 232};
    struct gpu_kernel_family f = one_tile(&t, false);
    struct gpu_gemm_problem p = {1, 128 * 160, 512, 128, GPU_MATH_TENSOR, 2, 2, 0, 0};
    struct gpu_gemm_plan full, over;
    ck_assert(gpu_plan_kernel(&c, &f, &p, &full));
    p.m = 128 * 161;
    ck_assert(gpu_plan_kernel(&c, &f, &p, &over));
    ck_assert_uint_eq(full.waves, 1);
    ck_assert_uint_eq(over.waves, 2);
    /* Full wave: 995 + 16 stages x 2048 + 160 x 32768 B / 488.24 (10739) = 44502.
     * The second wave holds one block on one SM: stage max(1024 math, 955 L2, 995
     * latency + 256 x 32 x 2 B / 128 = 128 store) = 1123; 995 + 16 x 1123 + 32768 /
     * 488.24 (68) = 19031. */
    ck_assert_uint_eq(full.total_cycles, 44502);
    ck_assert_uint_eq(over.total_cycles, 44502 + 19031);
    struct mxu_timing tf, to;
    gpu_plan_timing(&c, &full, GPU_MATH_TENSOR, 1, &tf);
    gpu_plan_timing(&c, &over, GPU_MATH_TENSOR, 1, &to);
    ck_assert_uint_eq(tf.wave_quant_cycles, 0);
    /* 159 of the second wave's 160 slots idle: 19031 x 159 / 160 = 18912.1. */
    ck_assert_uint_eq(to.wave_quant_cycles, 18912);
}
END_TEST

START_TEST(tensor_cores_need_k_and_n_in_multiples_of_8)
{
    struct chip c;
    tu_load_chip("gpu_v100", NULL, 0, &c);
    struct mxu_timing t;
    struct gpu_gemm_plan p;
    gpu_gemm(&c, TPUSIM_DT_FLOAT16, 1, 4096, 1001, 4096, &t, &p);
    ck_assert(!p.tensor_cores);
    gpu_gemm(&c, TPUSIM_DT_FLOAT16, 1, 4096, 1000, 4096, &t, &p);
    ck_assert(p.tensor_cores);
    gpu_gemm(&c, TPUSIM_DT_FLOAT32, 1, 4096, 1000, 4096, &t, &p);
    ck_assert(!p.tensor_cores);
}
END_TEST

static double achieved(const struct sim_result *r)
{
    return (double)r->sum.flops / ((double)r->sum.cycles / r->chip->clock_hz);
}

START_TEST(large_fp16_gemm_runs_at_tensor_peak_less_loads_epilogues_and_last_wave)
{
    /* 8192^3 fp16 picks 256x128 tiles (1 block per SM): a stage is max(2048 math,
     * 384 x 32 x 2 B / 17.157 = 1432.6 L2, 995 latency) = 2048 cycles; 256 stages.
     * Full wave: 995 + 524288 + 80 x 65536 B / 488.24 (10739) = 536022; 2048 tiles:
     * 25 full waves and 48 blocks: 995 + 524288 + 48 x 65536 / 488.24 (6444) =
     * 531727. Total 25 x 536022 + 531727 = 13932277 cycles: 96% of tensor peak.
     * (Until this model the chip file carried a fitted 0.85 tensor-core efficiency
     * and this test asked for 80-95%; DeepBench measures cuBLAS at 86% on V100 for
     * such sizes with beta = 1, whose read of C the GEMM kernel here does not model:
     * docs/validation.md lists the gap.) */
    struct chip c;
    tu_load_chip("gpu_v100", NULL, 0, &c);
    struct mxu_timing t;
    struct gpu_gemm_plan p;
    gpu_gemm(&c, TPUSIM_DT_FLOAT16, 1, 8192, 8192, 8192, &t, &p);
    ck_assert_uint_eq(p.tile.m, 256);
    ck_assert_uint_eq(p.tile.n, 128);
    ck_assert_uint_eq(p.total_cycles, 13932277);
    tpusim_graph *g = tu_gemm(8192, 8192, 8192);
    struct sim_result r;
    run(g, &c, TPUSIM_DT_FLOAT16, 0, &r);
    double f = achieved(&r) / c.peak_flops_per_s;
    ck_assert_msg(f >= 0.90 && f <= 0.97, "fp16 8192^3 at %.3f of tensor peak", f);
    sim_result_free(&r);
    tpusim_graph_close(g);
}
END_TEST

START_TEST(fp32_gemm_is_bounded_by_cuda_core_peak)
{
    /* 80 SMs x 64 FP32 cores x 2 FLOP x 1.53 GHz = 15.67 TFLOPS (WP: 15.7) */
    struct chip c;
    tu_load_chip("gpu_v100", NULL, 0, &c);
    double cuda_peak = 80.0 * 64 * 2 * 1.53e9;
    tpusim_graph *g = tu_gemm(4096, 4096, 4096);
    struct sim_result r;
    run(g, &c, TPUSIM_DT_FLOAT32, 0, &r);
    double a = achieved(&r);
    ck_assert_msg(a <= cuda_peak && a >= 0.7 * cuda_peak, "fp32 GEMM at %.2f TFLOP/s", a / 1e12);
    sim_result_free(&r);
    tpusim_graph_close(g);
}
END_TEST

START_TEST(streaming_op_runs_at_achievable_hbm_bandwidth)
{
    /* Relu over 2^28 fp16 elements: 512 MiB in + 512 MiB out, nothing fits in
     * L2; at 900 GB/s x 0.83, plus one launch. */
    struct chip c;
    tu_load_chip("gpu_v100", NULL, 0, &c);
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 1, TU_DIMS(INT64_C(1) << 28));
    tu_op(g, "Relu", "relu", "x", "y");
    tu_finalize_ok(g);
    struct sim_result r;
    run(g, &c, TPUSIM_DT_FLOAT16, 0, &r);
    double s = (double)r.sum.cycles / c.clock_hz;
    double ideal = (double)(INT64_C(1) << 30) / (900e9 * 0.83);
    ck_assert_msg(s >= ideal && s < 1.05 * ideal, "%.6f s vs %.6f s", s, ideal);
    ck_assert_int_eq(r.ops[0].bound, CAUSE_HBM);
    sim_result_free(&r);
    tpusim_graph_close(g);
}
END_TEST

/* Under tensorrt (gpu_v100's default) a kernel waits the 3 us gap
 * (4590 cycles at 1530 MHz) behind the one before it; the host's 2 us
 * dispatch (3060 cycles) hides behind that. An eager framework's 10 us
 * more per kernel (--framework-overhead-us) makes the host issue a kernel
 * every 12 us = 18360 cycles: a kernel shorter than that less the gap waits
 * for the host, so it takes max(work + 4590, 18360) cycles. */
START_TEST(every_kernel_pays_launch_and_framework_overhead)
{
    struct chip c;
    tu_load_chip("gpu_v100", NULL, 0, &c);
    tpusim_graph *g = tu_new();
    ck_assert_int_eq(tpusim_graph_build_builtin(g, "demo-cnn"), TPUSIM_OK);
    struct sim_result plain, eager;
    run(g, &c, TPUSIM_DT_FLOAT16, 0, &plain);
    run(g, &c, TPUSIM_DT_FLOAT16, 10, &eager);
    ck_assert_int_eq(plain.n_ops, eager.n_ops);
    uint64_t kernels = 0, waited = 0;
    for (int i = 0; i < plain.n_ops; i++) {
        const struct op_result *p = &plain.ops[i], *e = &eager.ops[i];
        if (p->fused_into >= 0 || p->cycles == 0)
            continue;
        kernels++;
        uint64_t work = p->cycles - p->stall[CAUSE_LAUNCH];
        ck_assert_uint_eq(p->stall[CAUSE_LAUNCH], 4590);
        ck_assert_uint_eq(e->cycles - e->stall[CAUSE_LAUNCH], work); /* same work */
        uint64_t want = work + 4590 > 18360 ? 4590 : 18360 - work;
        ck_assert_uint_eq(e->stall[CAUSE_LAUNCH], want);
        waited += want > 4590;
    }
    ck_assert_uint_gt(kernels, 5);
    ck_assert_uint_gt(waited, 0); /* some kernels are shorter than the host's 12 us */
    ck_assert_uint_eq(plain.sum.stall[CAUSE_LAUNCH], kernels * 4590); /* no invocation cost */
    ck_assert_uint_eq(plain.invocation_cycles, 0);
    sim_result_free(&plain);
    sim_result_free(&eager);
    tpusim_graph_close(g);
}
END_TEST

/* Under cudnn-direct (a program calling the libraries itself, as DeepBench
 * does) three identical GEMM calls are issued back to back: the host's
 * 4 us dispatch (6120 cycles) per call stays ahead of the device, so the
 * middle call starts right after the first one's work plus the 0.9 us gap
 * (1377 cycles), and its row, from its start to the third call's start, is
 * its work (the kernel, plus what its first step's DRAM traffic exposes)
 * and one gap: the steady state the fast engine charges every kernel,
 * max(work + gap, dispatch), in both engines. */
START_TEST(back_to_back_library_calls_take_their_work_plus_one_gap)
{
    struct chip c;
    tu_load_chip("gpu_v100", NULL, 0, &c);
    struct stack st;
    tu_load_stack("cudnn-direct", &c, &st);
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 2, TU_DIMS(1024, 1024));
    tu_weight(g, "w", 2, TU_DIMS(1024, 1024));
    tu_op(g, "MatMul", "c0", "x,w", "y0");
    tu_op(g, "MatMul", "c1", "x,w", "y1");
    tu_op(g, "MatMul", "c2", "x,w", "y2");
    tu_finalize_ok(g);
    struct mxu_timing t;
    gpu_gemm(&c, TPUSIM_DT_FLOAT16, 1, 1024, 1024, 1024, &t, NULL);
    ck_assert_uint_gt(t.total_cycles, 6120); /* the device, not the host, sets the pace */
    struct sim_options o = {.dtype = TPUSIM_DT_FLOAT16, .cores = 1, .stack = &st};
    char err[1024];
    for (int e = 0; e < 2; e++) {
        struct sim_result r;
        o.engine = e ? ENGINE_EVENT : ENGINE_FAST;
        ck_assert_msg(simulate(g, &c, &o, &r, err, sizeof err) == TPUSIM_OK, "%s", err);
        ck_assert_int_eq(r.n_ops, 3);
        ck_assert_uint_eq(r.ops[1].stall[CAUSE_LAUNCH], 1377);
        uint64_t work = r.ops[1].cycles - 1377;
        ck_assert_uint_ge(work, t.total_cycles);
        ck_assert_uint_le(work, t.total_cycles + t.total_cycles / 100);
        sim_result_free(&r);
    }
    tpusim_graph_close(g);
}
END_TEST

START_TEST(bf16_and_int8_are_refused)
{
    struct chip c;
    tu_load_chip("gpu_v100", NULL, 0, &c);
    tpusim_graph *g = tu_gemm(64, 64, 64);
    struct sim_result r;
    char err[512];
    struct sim_options o = {.dtype = TPUSIM_DT_BFLOAT16, .cores = 1, .stack = tu_default_stack(&c)};
    ck_assert_int_eq(simulate(g, &c, &o, &r, err, sizeof err), TPUSIM_ERR_UNSUPPORTED);
    ck_assert_ptr_nonnull(strstr(err, "fp16 or fp32"));
    o.dtype = TPUSIM_DT_INT8;
    ck_assert_int_eq(simulate(g, &c, &o, &r, err, sizeof err), TPUSIM_ERR_UNSUPPORTED);
    tpusim_graph_close(g);
}
END_TEST

START_TEST(beta_reads_c_in_every_epilogue)
{
    /* With beta != 0 each output tile's epilogue loads its part of C before it stores:
     * over the kernel that is C once, 4096 x 4096 x 2 B at 488.24 B/cycle = 68719.5
     * cycles more (the per-wave rounding moves it by a cycle or so per wave). */
    struct chip c;
    tu_load_chip("gpu_v100", NULL, 0, &c);
    struct mxu_timing plain, acc;
    struct gpu_gemm_plan p;
    gpu_gemm(&c, TPUSIM_DT_FLOAT16, 1, 4096, 4096, 4096, &plain, &p);
    gpu_gemm_accumulate(&c, TPUSIM_DT_FLOAT16, 1, 4096, 4096, 4096, &acc);
    uint64_t extra = acc.total_cycles - plain.total_cycles;
    ck_assert_msg(extra >= 68719 - p.waves && extra <= 68720 + p.waves, "extra %llu",
                  (unsigned long long)extra);
    /* Through a graph: a Gemm with a full-size C pays it; one with a bias row does not. */
    tpusim_graph *g = tu_new();
    tu_input(g, "a", 2, TU_DIMS(4096, 4096));
    tu_weight(g, "b", 2, TU_DIMS(4096, 4096));
    tu_input(g, "c", 2, TU_DIMS(4096, 4096));
    tu_op(g, "Gemm", "gemm", "a,b,c", "y");
    tu_finalize_ok(g);
    tpusim_graph *h = tu_new();
    tu_input(h, "a", 2, TU_DIMS(4096, 4096));
    tu_weight(h, "b", 2, TU_DIMS(4096, 4096));
    tu_weight(h, "bias", 1, TU_DIMS(4096));
    tu_op(h, "Gemm", "gemm", "a,b,bias", "y");
    tu_finalize_ok(h);
    struct sim_result rg, rh;
    run(g, &c, TPUSIM_DT_FLOAT16, 0, &rg);
    run(h, &c, TPUSIM_DT_FLOAT16, 0, &rh);
    ck_assert_uint_eq(rg.ops[0].stall[CAUSE_MXU] + rg.ops[0].stall[CAUSE_WAVE_QUANT],
                      acc.total_cycles);
    ck_assert_uint_eq(rh.ops[0].stall[CAUSE_MXU] + rh.ops[0].stall[CAUSE_WAVE_QUANT],
                      plain.total_cycles);
    sim_result_free(&rg);
    sim_result_free(&rh);
    tpusim_graph_close(g);
    tpusim_graph_close(h);
}
END_TEST

/* A 2-D convolution's descriptor: NHWC unless nchw, pads keep the size for 3x3. */
static struct conv_desc conv(uint64_t n, uint64_t c, uint64_t hw, uint64_t k, uint64_t r,
                             uint64_t stride, bool nchw)
{
    uint64_t pad = r / 2, out = (hw + 2 * pad - r) / stride + 1;
    return (struct conv_desc){n, c, hw, hw, k, r, r, out, out, pad, pad, stride, stride,
                              1, 1, 1, nchw, false, false};
}

START_TEST(winograd_cuts_the_multiplies_per_output_tile)
{
    /* F(m x m, r x r) multiplies (m + r - 1)^2 per m x m tile; direct: m^2 r^2. */
    ck_assert_uint_eq(gpu_winograd_multiplies(2, 3), 16);  /* vs 36: 2.25x fewer */
    ck_assert_uint_eq(gpu_winograd_multiplies(4, 3), 36);  /* vs 144: 4x fewer */
    ck_assert_uint_eq(gpu_winograd_multiplies(2, 5), 36);  /* vs 100 */
}
END_TEST

START_TEST(fp32_3x3_stride_1_picks_winograd_1x1_picks_implicit_gemm)
{
    struct chip c;
    tu_load_chip("gpu_v100", NULL, 0, &c);
    /* 16 x 128 x 56 x 56, 128 3x3 filters: 7.4 GMAC direct, 1.85 G with F(4x4, 3x3). */
    struct conv_desc cd = conv(16, 128, 56, 128, 3, 1, true);
    struct conv_timing best, direct;
    gpu_conv(&c, TPUSIM_DT_FLOAT32, &cd, &best);
    ck_assert(gpu_conv_algo(&c, TPUSIM_DT_FLOAT32, &cd, CONV_ALGO_IMPLICIT_GEMM, &direct));
    ck_assert_msg(best.algo == CONV_ALGO_WINOGRAD || best.algo == CONV_ALGO_WINOGRAD_NONFUSED,
                  "picked %s", conv_algo_name(best.algo));
    ck_assert_uint_lt(best.mxu.total_cycles, direct.mxu.total_cycles * 7 / 10);
    /* Winograd and FFT need R, S > 1 at stride 1: a 1x1 conv is an implicit GEMM. */
    cd = conv(16, 256, 56, 64, 1, 1, true);
    gpu_conv(&c, TPUSIM_DT_FLOAT32, &cd, &best);
    ck_assert_int_eq(best.algo, CONV_ALGO_IMPLICIT_GEMM);
    ck_assert(!gpu_conv_algo(&c, TPUSIM_DT_FLOAT32, &cd, CONV_ALGO_WINOGRAD, &direct));
    ck_assert(!gpu_conv_algo(&c, TPUSIM_DT_FLOAT32, &cd, CONV_ALGO_FFT_TILING, &direct));
    cd = conv(16, 128, 56, 128, 3, 2, true);
    ck_assert(!gpu_conv_algo(&c, TPUSIM_DT_FLOAT32, &cd, CONV_ALGO_WINOGRAD_NONFUSED, &direct));
}
END_TEST

/* gpu.conv_algorithm names the algorithm cuDNN is asked for (DeepBench
 * forces IMPLICIT_PRECOMP_GEMM on tensor cores): it runs wherever it exists
 * for the convolution, even when another is faster; where it does not (no
 * Winograd for a 1x1), the fastest runs, as under `find`. */
START_TEST(conv_algorithm_runs_the_named_algorithm_where_it_applies)
{
    struct chip find, precomp, wino;
    tu_load_chip("gpu_v100", NULL, 0, &find);
    const char *sp[] = {"gpu.conv_algorithm=implicit_precomp_gemm"};
    tu_load_chip("gpu_v100", sp, 1, &precomp);
    const char *sw[] = {"gpu.conv_algorithm=winograd"};
    tu_load_chip("gpu_v100", sw, 1, &wino);
    ck_assert_int_eq(find.gpu_conv_algorithm, CONV_ALGO_COUNT);
    struct conv_desc k3 = conv(16, 128, 56, 128, 3, 1, true);
    struct conv_timing best, forced, alone;
    gpu_conv(&find, TPUSIM_DT_FLOAT32, &k3, &best);
    ck_assert_int_ne(best.algo, CONV_ALGO_IMPLICIT_PRECOMP_GEMM);
    gpu_conv(&precomp, TPUSIM_DT_FLOAT32, &k3, &forced);
    ck_assert(gpu_conv_algo(&find, TPUSIM_DT_FLOAT32, &k3, CONV_ALGO_IMPLICIT_PRECOMP_GEMM,
                            &alone));
    ck_assert_int_eq(forced.algo, CONV_ALGO_IMPLICIT_PRECOMP_GEMM);
    ck_assert_uint_eq(forced.mxu.total_cycles, alone.mxu.total_cycles);
    ck_assert_uint_gt(forced.mxu.total_cycles, best.mxu.total_cycles);
    struct conv_desc k1 = conv(16, 256, 56, 64, 1, 1, true);
    gpu_conv(&find, TPUSIM_DT_FLOAT32, &k1, &best);
    gpu_conv(&wino, TPUSIM_DT_FLOAT32, &k1, &forced);
    ck_assert_int_eq(forced.algo, best.algo);
    ck_assert_uint_eq(forced.mxu.total_cycles, best.mxu.total_cycles);
}
END_TEST

/* IMPLICIT_PRECOMP_GEMM is IMPLICIT_GEMM's GEMM after cuDNN's
 * computeOffsetsKernel: a kernel boundary (3 us x 1530 MHz = 4590 cycles)
 * and a kernel that writes one 4-byte offset per step of the GEMM's K (a
 * tap and a channel): for 64 channels of 3x3 taps 2304 B, 2304 / 488.24 =
 * 4.7 -> 5 cycles of DRAM, its 2304 element operations 1 cycle on 5120
 * CUDA cores, after one DRAM latency (995): 1000 cycles; the GEMM reads the
 * table back. An engine built ahead (TensorRT) made the table when it was
 * built: then the call is the GEMM alone, reading the table. The same holds
 * for fused Winograd's filter transform kernel. */
START_TEST(precomputed_gemm_runs_an_offsets_kernel_first)
{
    struct chip c;
    tu_load_chip("gpu_v100", NULL, 0, &c);
    struct conv_desc cd = conv(8, 64, 56, 64, 3, 1, true);
    struct conv_timing direct, precomp;
    ck_assert(gpu_conv_algo(&c, TPUSIM_DT_FLOAT32, &cd, CONV_ALGO_IMPLICIT_GEMM, &direct));
    ck_assert(gpu_conv_algo(&c, TPUSIM_DT_FLOAT32, &cd, CONV_ALGO_IMPLICIT_PRECOMP_GEMM,
                            &precomp));
    ck_assert_uint_eq(precomp.mxu.total_cycles, direct.mxu.total_cycles + 4590 + 1000);
    ck_assert_uint_eq(precomp.kernels, direct.kernels + 1);
    ck_assert_uint_eq(precomp.extra_hbm_bytes, direct.extra_hbm_bytes + 2 * 2304);
    cd.setup_prebuilt = true;
    ck_assert(gpu_conv_algo(&c, TPUSIM_DT_FLOAT32, &cd, CONV_ALGO_IMPLICIT_PRECOMP_GEMM,
                            &precomp));
    ck_assert_uint_eq(precomp.mxu.total_cycles, direct.mxu.total_cycles);
    ck_assert_uint_eq(precomp.kernels, direct.kernels);
    ck_assert_uint_eq(precomp.extra_hbm_bytes, direct.extra_hbm_bytes + 2304);
    struct conv_timing w1, w2;
    ck_assert(gpu_conv_algo(&c, TPUSIM_DT_FLOAT32, &cd, CONV_ALGO_WINOGRAD, &w1));
    cd.setup_prebuilt = false;
    ck_assert(gpu_conv_algo(&c, TPUSIM_DT_FLOAT32, &cd, CONV_ALGO_WINOGRAD, &w2));
    ck_assert_uint_eq(w1.kernels + 1, w2.kernels);
    ck_assert_uint_gt(w2.mxu.total_cycles, w1.mxu.total_cycles + 4590);
}
END_TEST

/* A 1x1 filter at stride 2 uses every other row and column of x. In NHWC
 * (tensor cores) the skipped pixels are whole 32-byte sectors: of an 8x8
 * image of 64 fp16 channels (8192 B) the gather reads 4 rows x 4 pixels x
 * 128 B = 2048 B and skips 6144. In NCHW (the CUDA-core kernels) the used
 * columns of a row, 4-byte floats 0, 2, 4, 6, share its first sector with
 * the skipped ones: 4 rows x 1 sector x 64 channels x 32 B = 8192 of 16384
 * B read. A 3x3 filter at stride 2 touches every row and column. */
/* cuDNN's strided tensor-core convolutions do not split K (gpu_conv.c, from
 * DeepBench's rows): the unit-stride 1x1 convolution of 7x7 x 2048 channels into
 * 512 filters splits (offsets, GEMM, reduction: 3 kernels) and takes longer at
 * batch 16 than at 8; at stride 2 (a 4x4 output) it runs 2 kernels, its few tiles
 * each walking all of C, so batch 16 costs little more than batch 8; unless the
 * stack's library has split-K kernels for strided convolutions. */
START_TEST(strided_tensor_core_convolutions_do_not_split_k)
{
    struct chip c;
    tu_load_chip("gpu_v100", NULL, 0, &c);
    struct conv_timing t8, t16;
    struct conv_desc s1 = conv(8, 2048, 7, 512, 1, 1, false);
    ck_assert(gpu_conv_algo(&c, TPUSIM_DT_FLOAT16, &s1, CONV_ALGO_IMPLICIT_PRECOMP_GEMM, &t8));
    ck_assert_uint_eq(t8.kernels, 3);
    s1.n = 16;
    ck_assert(gpu_conv_algo(&c, TPUSIM_DT_FLOAT16, &s1, CONV_ALGO_IMPLICIT_PRECOMP_GEMM, &t16));
    ck_assert_uint_gt(t16.mxu.total_cycles * 10, t8.mxu.total_cycles * 13);
    struct conv_desc s2 = conv(8, 2048, 7, 512, 1, 2, false);
    ck_assert(gpu_conv_algo(&c, TPUSIM_DT_FLOAT16, &s2, CONV_ALGO_IMPLICIT_PRECOMP_GEMM, &t8));
    ck_assert_uint_eq(t8.kernels, 2);
    s2.n = 16;
    ck_assert(gpu_conv_algo(&c, TPUSIM_DT_FLOAT16, &s2, CONV_ALGO_IMPLICIT_PRECOMP_GEMM, &t16));
    ck_assert_uint_eq(t16.kernels, 2);
    ck_assert_uint_lt(t16.mxu.total_cycles * 100, t8.mxu.total_cycles * 101);
    /* A library with split-K kernels for them (TensorRT's tactics) splits it too. */
    s2.strided_split_k = true;
    ck_assert(gpu_conv_algo(&c, TPUSIM_DT_FLOAT16, &s2, CONV_ALGO_IMPLICIT_PRECOMP_GEMM, &t8));
    ck_assert_uint_eq(t8.kernels, 3);
    ck_assert_uint_lt(t8.mxu.total_cycles * 10, t16.mxu.total_cycles * 6);
}
END_TEST

START_TEST(strided_gathers_skip_the_sectors_no_tap_touches)
{
    struct chip c;
    tu_load_chip("gpu_v100", NULL, 0, &c);
    struct conv_desc k1 = conv(1, 64, 8, 64, 1, 2, false);
    struct conv_timing t;
    ck_assert(gpu_conv_algo(&c, TPUSIM_DT_FLOAT16, &k1, CONV_ALGO_IMPLICIT_PRECOMP_GEMM, &t));
    ck_assert_uint_eq(t.x_skipped_bytes, 6144);
    ck_assert(gpu_conv_algo(&c, TPUSIM_DT_FLOAT32, &k1, CONV_ALGO_IMPLICIT_GEMM, &t));
    ck_assert_uint_eq(t.x_skipped_bytes, 8192);
    struct conv_desc k3 = conv(1, 64, 8, 64, 3, 2, false);
    ck_assert(gpu_conv_algo(&c, TPUSIM_DT_FLOAT16, &k3, CONV_ALGO_IMPLICIT_PRECOMP_GEMM, &t));
    ck_assert_uint_eq(t.x_skipped_bytes, 0);
    /* The op reads only what its kernel gathers. */
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 4, TU_DIMS(1, 64, 8, 8));
    tu_weight(g, "w", 4, TU_DIMS(64, 64, 1, 1));
    tu_op(g, "Conv", "conv", "x,w", "y");
    tu_attr_ints(g, "strides", 2, TU_DIMS(2, 2));
    tu_finalize_ok(g);
    struct sim_result r;
    run(g, &c, TPUSIM_DT_FLOAT16, 0, &r);
    /* x 2048 of 8192 B, w 64 x 64 x 2 = 8192 B, y 4 x 4 x 64 x 2 = 2048 B, the offset
     * table 64 x 4 = 256 B */
    ck_assert_uint_eq(r.ops[0].hbm_bytes, 2048 + 8192 + 2048 + 256);
    sim_result_free(&r);
    tpusim_graph_close(g);
}
END_TEST

/* Fused Winograd starts with cuDNN's filter transform kernel: 3x3 filters
 * become 16 values each, written to DRAM and read back by the GEMM kernel:
 * for 64 x 64 fp32 filters 16 x 64 x 64 x 4 = 262144 B each way, and two
 * kernels. */
START_TEST(fused_winograd_transforms_its_filters_in_a_kernel_first)
{
    struct chip c;
    tu_load_chip("gpu_v100", NULL, 0, &c);
    struct conv_desc cd = conv(8, 64, 56, 64, 3, 1, true);
    struct conv_timing t;
    ck_assert(gpu_conv_algo(&c, TPUSIM_DT_FLOAT32, &cd, CONV_ALGO_WINOGRAD, &t));
    ck_assert_uint_eq(t.kernels, 2);
    ck_assert_uint_eq(t.extra_hbm_bytes, 2 * 262144);
}
END_TEST

START_TEST(tensor_cores_run_precomp_gemm_and_nonfused_winograd_only)
{
    struct chip c;
    tu_load_chip("gpu_v100", NULL, 0, &c);
    struct conv_desc cd = conv(16, 64, 56, 64, 3, 1, false);
    struct conv_timing t;
    ck_assert(gpu_conv_algo(&c, TPUSIM_DT_FLOAT16, &cd, CONV_ALGO_IMPLICIT_PRECOMP_GEMM, &t));
    ck_assert(gpu_conv_algo(&c, TPUSIM_DT_FLOAT16, &cd, CONV_ALGO_WINOGRAD_NONFUSED, &t));
    ck_assert(!gpu_conv_algo(&c, TPUSIM_DT_FLOAT16, &cd, CONV_ALGO_IMPLICIT_GEMM, &t));
    ck_assert(!gpu_conv_algo(&c, TPUSIM_DT_FLOAT16, &cd, CONV_ALGO_WINOGRAD, &t));
    ck_assert(!gpu_conv_algo(&c, TPUSIM_DT_FLOAT16, &cd, CONV_ALGO_GEMM, &t));
    ck_assert(!gpu_conv_algo(&c, TPUSIM_DT_FLOAT16, &cd, CONV_ALGO_FFT_TILING, &t));
}
END_TEST

START_TEST(tensor_core_stages_pad_each_taps_channels_to_32)
{
    /* NHWC on tensor cores: a stage is 32 channels of one tap, so C = 8 iterates 9 x
     * 32 = 288 of K, as C = 32 does: the same kernel time. On CUDA cores (NCHW) K =
     * C x 9: C = 32 walks 4x the k-stages of C = 8 (36 against 9; the epilogues are
     * the same), so it costs more than twice as much. */
    struct chip c;
    tu_load_chip("gpu_v100", NULL, 0, &c);
    struct conv_desc c8 = conv(16, 8, 56, 64, 3, 1, false), c32 = conv(16, 32, 56, 64, 3, 1, false);
    struct conv_timing t8, t32;
    ck_assert(gpu_conv_algo(&c, TPUSIM_DT_FLOAT16, &c8, CONV_ALGO_IMPLICIT_PRECOMP_GEMM, &t8));
    ck_assert(gpu_conv_algo(&c, TPUSIM_DT_FLOAT16, &c32, CONV_ALGO_IMPLICIT_PRECOMP_GEMM, &t32));
    ck_assert_uint_eq(t8.mxu.total_cycles, t32.mxu.total_cycles);
    c8.nchw = c32.nchw = true;
    ck_assert(gpu_conv_algo(&c, TPUSIM_DT_FLOAT32, &c8, CONV_ALGO_IMPLICIT_GEMM, &t8));
    ck_assert(gpu_conv_algo(&c, TPUSIM_DT_FLOAT32, &c32, CONV_ALGO_IMPLICIT_GEMM, &t32));
    ck_assert_uint_gt(t32.mxu.total_cycles, 2 * t8.mxu.total_cycles);
}
END_TEST

START_TEST(nchw_tensors_pay_layout_transforms_and_channel_padding)
{
    /* fp16, 1 x 3 x 8 x 8 input, 16 3x3 filters, NCHW: cuDNN copies x to NHWC padded
     * to 8 channels (reads 3 x 64 x 2 = 384 B, writes 8 x 64 x 2 = 1024 B), w likewise
     * (864 B in, 16 x 8 x 9 x 2 = 2304 out) and y back to NCHW (2048 B in, 2048 out):
     * 1408 + 3168 + 4096 = 8672 bytes and three kernels more than the same convolution
     * given as NHWC with 8 channels. */
    struct chip c;
    tu_load_chip("gpu_v100", NULL, 0, &c);
    struct conv_desc nchw = conv(1, 3, 8, 16, 3, 1, true), nhwc = conv(1, 8, 8, 16, 3, 1, false);
    struct conv_timing a, b;
    ck_assert(gpu_conv_algo(&c, TPUSIM_DT_FLOAT16, &nchw, CONV_ALGO_IMPLICIT_PRECOMP_GEMM, &a));
    ck_assert(gpu_conv_algo(&c, TPUSIM_DT_FLOAT16, &nhwc, CONV_ALGO_IMPLICIT_PRECOMP_GEMM, &b));
    ck_assert_uint_eq(a.extra_hbm_bytes - b.extra_hbm_bytes, 8672);
    ck_assert_uint_eq(a.kernels - b.kernels, 3);
    ck_assert_uint_gt(a.mxu.total_cycles, b.mxu.total_cycles + 3 * c.gpu_launch_overhead_cycles);
    /* Unaligned channels already in NHWC stay on the CUDA cores (half2: 2 x 64 FMAs
     * per SM per cycle). */
    nhwc.c = 3;
    ck_assert(gpu_conv_algo(&c, TPUSIM_DT_FLOAT16, &nhwc, CONV_ALGO_IMPLICIT_GEMM, &b));
    ck_assert_uint_eq(b.mxu.mac_slots, (uint64_t)((double)b.mxu.total_cycles * 128 * 80));
}
END_TEST

START_TEST(a_gpu_conv_op_carries_its_algorithms_traffic)
{
    /* A Conv op on gpu_v100 goes through the matrix unit's conv: its DRAM bytes are
     * x, w and y once plus what the chosen algorithm adds. */
    struct chip c;
    tu_load_chip("gpu_v100", NULL, 0, &c);
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 4, TU_DIMS(16, 128, 56, 56));
    tu_weight(g, "w", 4, TU_DIMS(128, 128, 3, 3));
    tu_op(g, "Conv", "conv", "x,w", "y");
    tu_attr_ints(g, "pads", 4, TU_DIMS(1, 1, 1, 1));
    tu_finalize_ok(g);
    struct sim_result r;
    run(g, &c, TPUSIM_DT_FLOAT32, 0, &r);
    struct conv_desc cd = conv(16, 128, 56, 128, 3, 1, false);
    cd.setup_prebuilt = !tu_default_stack(&c)->library_setup_per_call;
    struct conv_timing t;
    gpu_conv(&c, TPUSIM_DT_FLOAT32, &cd, &t);
    uint64_t x = UINT64_C(16) * 128 * 56 * 56 * 4, w = UINT64_C(128) * 128 * 9 * 4;
    ck_assert_uint_eq(r.ops[0].hbm_bytes, 2 * x + w + t.extra_hbm_bytes);
    ck_assert_uint_ge(r.ops[0].cycles, t.mxu.total_cycles);
    sim_result_free(&r);
    tpusim_graph_close(g);
}
END_TEST

START_TEST(rnn_steps_run_a_gemm_a_gates_kernel_and_two_kernel_boundaries)
{
    /* LSTM, fp16, hidden 256, batch 16, 10 steps, no input GEMM. Per step: h (16 x
     * 256) times R^T (256 x 1024, 512 KiB: it stays in L2, so a stage's loads wait
     * 126 ns x 1.53 GHz = 192.8 -> 193 cycles, not DRAM's 995), then the gates kernel: it reads 2 x
     * 16 x 1024 and 3 x 16 x 256 fp16 values (90112 B / 488.24 = 184.6 -> 185 cycles;
     * its 9 x 16 x 256 element operations on 5120 lanes take 8) after one DRAM latency
     * (995): 1180 cycles; and two kernel boundaries of 3 us x 1530 MHz = 4590. */
    struct chip c;
    tu_load_chip("gpu_v100", NULL, 0, &c);
    struct rnn_desc rd = {10, 16, 0, 256, 1, 4, 9};
    struct mxu_timing t;
    gpu_rnn(&c, TPUSIM_DT_FLOAT16, &rd, &t);
    const struct gpu_kernel_family *f;
    struct gpu_gemm_problem p = gpu_gemm_problem_of(TPUSIM_DT_FLOAT16, 1, 16, 256, 1024, &f);
    ck_assert_int_eq(p.math, GPU_MATH_TENSOR);
    p.load_latency_cycles = 193;
    p.dram_bytes = (16 * 256 + 16 * 1024) * 2;
    struct gpu_gemm_plan pl, from_dram;
    ck_assert(gpu_plan_kernel(&c, f, &p, &pl));
    ck_assert_uint_eq(t.total_cycles, 10 * (pl.total_cycles + 1180 + 2 * 4590));
    /* The same GEMM waiting on DRAM latency (weights not kept) is slower. */
    p.load_latency_cycles = 0;
    ck_assert(gpu_plan_kernel(&c, f, &p, &from_dram));
    ck_assert_uint_lt(pl.total_cycles, from_dram.total_cycles);
    /* fp32, hidden 2048: R is 16 MiB, more than L2's 6 MiB, so every step reads it
     * from DRAM: at least 2048 x 2048 x 4 B / 488.24 = 34359.7 cycles a step. */
    rd = (struct rnn_desc){10, 16, 0, 2048, 1, 1, 1};
    gpu_rnn(&c, TPUSIM_DT_FLOAT32, &rd, &t);
    ck_assert_uint_ge(t.total_cycles, 10 * (34360 + 2 * 4590));
}
END_TEST

Suite *gpu_suite(void)
{
    Suite *s = suite_create("gpu");
    TCase *tc = tcase_create("v100");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, peak_is_sms_times_tensor_cores_times_fmas);
    tcase_add_test(tc, occupancy_from_registers_threads_and_shared_memory);
    tcase_add_test(tc, plan_is_waves_of_k_stages_plus_epilogues);
    tcase_add_test(tc, small_tensor_tiles_are_l2_bound_and_lone_blocks_latency_bound);
    tcase_add_test(tc, split_k_fills_the_sms_and_pays_a_reduction_kernel);
    tcase_add_test(tc, one_tile_past_a_full_wave_pays_a_second_wave);
    tcase_add_test(tc, tensor_cores_need_k_and_n_in_multiples_of_8);
    tcase_add_test(tc, large_fp16_gemm_runs_at_tensor_peak_less_loads_epilogues_and_last_wave);
    tcase_add_test(tc, fp32_gemm_is_bounded_by_cuda_core_peak);
    tcase_add_test(tc, streaming_op_runs_at_achievable_hbm_bandwidth);
    tcase_add_test(tc, every_kernel_pays_launch_and_framework_overhead);
    tcase_add_test(tc, back_to_back_library_calls_take_their_work_plus_one_gap);
    tcase_add_test(tc, bf16_and_int8_are_refused);
    tcase_add_test(tc, beta_reads_c_in_every_epilogue);
    tcase_add_test(tc, winograd_cuts_the_multiplies_per_output_tile);
    tcase_add_test(tc, fp32_3x3_stride_1_picks_winograd_1x1_picks_implicit_gemm);
    tcase_add_test(tc, conv_algorithm_runs_the_named_algorithm_where_it_applies);
    tcase_add_test(tc, precomputed_gemm_runs_an_offsets_kernel_first);
    tcase_add_test(tc, strided_gathers_skip_the_sectors_no_tap_touches);
    tcase_add_test(tc, strided_tensor_core_convolutions_do_not_split_k);
    tcase_add_test(tc, fused_winograd_transforms_its_filters_in_a_kernel_first);
    tcase_add_test(tc, tensor_cores_run_precomp_gemm_and_nonfused_winograd_only);
    tcase_add_test(tc, tensor_core_stages_pad_each_taps_channels_to_32);
    tcase_add_test(tc, nchw_tensors_pay_layout_transforms_and_channel_padding);
    tcase_add_test(tc, a_gpu_conv_op_carries_its_algorithms_traffic);
    tcase_add_test(tc, rnn_steps_run_a_gemm_a_gates_kernel_and_two_kernel_boundaries);
    suite_add_tcase(s, tc);
    return s;
}
