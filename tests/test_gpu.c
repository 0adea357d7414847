/*
 * test_gpu.c — the V100 model (sim/gpu.c, models/gpu_v100): occupancy,
 * waves and wave quantisation, the tensor-core / CUDA-core split, and the
 * physics of whole ops. Expectations come from the chip's parameters.
 */
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "gpu.h"
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

static tpusim_graph *gemm_graph(int64_t m, int64_t k, int64_t n)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 2, TU_DIMS(m, k));
    tu_weight(g, "w", 2, TU_DIMS(k, n));
    tu_op(g, "MatMul", "mm", "x,w", "y");
    tu_finalize_ok(g);
    return g;
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
    /* 128x128 tile, 256 threads x 128 registers = 32768 registers: 65536 / 32768 = 2
     * blocks; shared memory 2 stages x (128+128) x 32 x 2 B = 32 KiB: 96 KiB / 32 = 3;
     * threads 2048 / 256 = 8: registers limit it to 2. */
    struct gpu_tile_shape big = {128, 128, 256, 128};
    ck_assert_uint_eq(gpu_blocks_per_sm(&c, &big, TPUSIM_DT_FLOAT16), 2);
    /* 64x64, 128 threads x 96 registers = 12288: 65536 / 12288 = 5; smem 16 KiB: 6;
     * threads 16: 5 blocks. */
    struct gpu_tile_shape small = {64, 64, 128, 96};
    ck_assert_uint_eq(gpu_blocks_per_sm(&c, &small, TPUSIM_DT_FLOAT16), 5);
}
END_TEST

START_TEST(plan_is_waves_times_wave_time)
{
    /* 4096^3 fp16 on gpu_v100, every number from the chip file and the
     * CUTLASS tile table of gpu.c (K stage 32, 2 stages):
     *  64x64 tiles, 128 threads x 96 registers: blocks per SM = min(32,
     *  2048/128 = 16, 65536/(128 x 96) = 5, 98304/(2 x 128 x 32 x 2) = 6)
     *  = 5; 80 SMs x 5 = 400 slots. Split-K 4: 4 x 64 x 64 = 16384 tiles,
     *  ceil(16384/400) = 41 waves, K part 1024. One wave: ceil(5 x 64 x 64
     *  x 1024 / (8 TCs x 64 FMA x 0.85)) = ceil(48188.2) = 48189 cycles.
     *  Partial sums: ceil(3 x 4096^2 / (80 x 64)) = ceil(9830.4) = 9831.
     *  Total 41 x 48189 + 9831 = 1985580. The last wave runs 16384 - 40 x
     *  400 = 384 of 400 slots: 16 idle, floor(48189 x 16/400) = 1927
     *  cycles of wave quantisation. The next best plan, 128x128 tiles (2
     *  per SM, by registers) split-K 2: 2048 tiles, 13 waves of
     *  ceil(2 x 128 x 128 x 2048 / 435.2) = 154203, plus ceil(4096^2 /
     *  5120) = 3277: 2007916, slower. */
    struct chip c;
    tu_load_chip("gpu_v100", NULL, 0, &c);
    struct mxu_timing t;
    struct gpu_gemm_plan p;
    gpu_gemm(&c, TPUSIM_DT_FLOAT16, 1, 4096, 4096, 4096, &t, &p);
    ck_assert(p.tensor_cores);
    ck_assert_uint_eq(p.tile.m, 64);
    ck_assert_uint_eq(p.tile.n, 64);
    ck_assert_uint_eq(p.blocks_per_sm, 5);
    ck_assert_uint_eq(p.split_k, 4);
    ck_assert_uint_eq(p.tiles, 16384);
    ck_assert_uint_eq(p.waves, 41);
    ck_assert_uint_eq(p.wave_cycles, 48189);
    ck_assert_uint_eq(p.reduce_cycles, 9831);
    ck_assert_uint_eq(t.total_cycles, 1985580);
    ck_assert_uint_lt(t.total_cycles, 2007916);
    ck_assert_uint_eq(t.wave_quant_cycles, 1927);
    ck_assert_uint_eq(t.stream_cycles, 1985580 - 1927);
    ck_assert_uint_eq(t.mxus_used, 80);
    ck_assert_uint_eq(t.useful_macs, UINT64_C(4096) * 4096 * 4096);
}
END_TEST

START_TEST(one_tile_past_a_full_wave_pays_a_second_wave)
{
    /* K = 64 cannot split (split-K needs K >= 256). 128x128 tiles: 2 blocks
     * per SM x 80 SMs = 160 slots, so M = 128 x 160 fills one wave exactly
     * (as do 64x128 tiles: 320 tiles, 4 per SM). One more row of tiles needs
     * a second wave whatever the shape (64x64: 644 tiles > 400 slots), so the
     * time jumps far more than 161/160. */
    struct chip c;
    tu_load_chip("gpu_v100", NULL, 0, &c);
    struct mxu_timing full, over;
    struct gpu_gemm_plan pf, po;
    gpu_gemm(&c, TPUSIM_DT_FLOAT16, 1, 128 * 160, 64, 128, &full, &pf);
    gpu_gemm(&c, TPUSIM_DT_FLOAT16, 1, 128 * 161, 64, 128, &over, &po);
    ck_assert_uint_eq(pf.waves, 1);
    ck_assert_uint_eq(po.waves, 2);
    ck_assert_uint_eq(full.wave_quant_cycles, 0);
    ck_assert_msg((double)over.total_cycles > 1.2 * (double)full.total_cycles,
                  "161 tiles: %llu cycles vs 160: %llu", (unsigned long long)over.total_cycles,
                  (unsigned long long)full.total_cycles);
    ck_assert_uint_gt(over.wave_quant_cycles, 0);
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

START_TEST(large_fp16_gemm_reaches_80_to_95_percent_of_tensor_peak)
{
    struct chip c;
    tu_load_chip("gpu_v100", NULL, 0, &c);
    tpusim_graph *g = gemm_graph(8192, 8192, 8192);
    struct sim_result r;
    run(g, &c, TPUSIM_DT_FLOAT16, 0, &r);
    double f = achieved(&r) / c.peak_flops_per_s;
    ck_assert_msg(f >= 0.80 && f <= 0.95, "fp16 8192^3 at %.3f of tensor peak", f);
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
    tpusim_graph *g = gemm_graph(4096, 4096, 4096);
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

START_TEST(bf16_and_int8_are_refused)
{
    struct chip c;
    tu_load_chip("gpu_v100", NULL, 0, &c);
    tpusim_graph *g = gemm_graph(64, 64, 64);
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

Suite *gpu_suite(void)
{
    Suite *s = suite_create("gpu");
    TCase *tc = tcase_create("v100");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, peak_is_sms_times_tensor_cores_times_fmas);
    tcase_add_test(tc, occupancy_from_registers_threads_and_shared_memory);
    tcase_add_test(tc, plan_is_waves_times_wave_time);
    tcase_add_test(tc, one_tile_past_a_full_wave_pays_a_second_wave);
    tcase_add_test(tc, tensor_cores_need_k_and_n_in_multiples_of_8);
    tcase_add_test(tc, large_fp16_gemm_reaches_80_to_95_percent_of_tensor_peak);
    tcase_add_test(tc, fp32_gemm_is_bounded_by_cuda_core_peak);
    tcase_add_test(tc, streaming_op_runs_at_achievable_hbm_bandwidth);
    tcase_add_test(tc, every_kernel_pays_launch_and_framework_overhead);
    tcase_add_test(tc, bf16_and_int8_are_refused);
    suite_add_tcase(s, tc);
    return s;
}
