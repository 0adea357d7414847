/*
 * test_energy.c — energy and power (sim/energy.h) against numbers worked
 * by hand from the chip files: per-event energies of one op, a
 * compute-bound GEMM's power against TDP, the Edge TPU's TOPS/W, the cost
 * of HBM and host-link bytes, and both engines' agreement.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "suites.h"
#include "testutil.h"

static void sim_eng(const tpusim_graph *g, const struct chip *c, tpusim_dtype dt, int cores,
                    enum engine_kind e, struct sim_result *r)
{
    char err[1024];
    struct sim_options o = {.dtype = dt, .cores = cores, .engine = e, .stack = tu_default_stack(c)};
    int rc = simulate(g, c, &o, r, err, sizeof err);
    ck_assert_msg(rc == TPUSIM_OK, "simulate on %s: %s", c->name, err);
}

/* The run's energy by part (picojoules) and its total. */
static double run_pj(const struct sim_result *r, double *parts)
{
    double tmp[ENERGY_COUNT];
    return energy_parts(r->chip, r->sum.energy_fj, r->sum.cycles, parts ? parts : tmp);
}

static double run_watts(const struct sim_result *r)
{
    return energy_avg_power_w(r->chip, run_pj(r, NULL), r->sum.cycles);
}

/* One op's dynamic energy by part, worked by hand from a made-up demand:
 * every count times its per-event energy, in femtojoules. */
START_TEST(an_ops_energy_is_each_count_times_its_energy_per_event)
{
    struct chip c;
    tu_load_chip("tpu_v3", NULL, 0, &c);
    struct op_demand d;
    memset(&d, 0, sizeof d);
    d.fused_into = -1;
    d.mxu.mac_slots = 1000000;   /* padding included: what the array clocks */
    d.mxu.useful_macs = 250000;
    d.vpu_cycles = 100;          /* x 128 lanes x 8 sublanes element slots */
    d.act_bytes = 4096;
    d.weight_bytes = 2048;
    d.hbm_bytes = 1000;
    uint64_t fj[ENERGY_DYNAMIC_COUNT] = {0};
    energy_add_op(&c, TPUSIM_DT_BFLOAT16, &d, fj);
    /* tpu_v3: 1.9 pJ per bf16 MAC slot, 5.2 pJ per element-cycle, 1.4 pJ
     * per on-chip byte, 31.2 pJ per HBM byte. */
    ck_assert_uint_eq(fj[ENERGY_MXU], 1900000000);        /* 1e6 x 1.9 pJ = 1.9 uJ */
    ck_assert_uint_eq(fj[ENERGY_VPU], 532480000);         /* 102,400 x 5.2 pJ */
    ck_assert_uint_eq(fj[ENERGY_SRAM], 10001600);         /* (4096 + 2048 + 1000) x 1.4 pJ */
    ck_assert_uint_eq(fj[ENERGY_HBM], 31200000);          /* 1000 x 31.2 pJ */
    ck_assert_uint_eq(fj[ENERGY_HOST_LINK], 0);
    /* fp32 on a systolic array: each bf16 pass is a MAC slot of its own,
     * so the same slots cost bf16 MACs; int8 costs 0.34 pJ a slot. */
    uint64_t f32[ENERGY_DYNAMIC_COUNT] = {0}, i8[ENERGY_DYNAMIC_COUNT] = {0};
    energy_add_op(&c, TPUSIM_DT_FLOAT32, &d, f32);
    energy_add_op(&c, TPUSIM_DT_INT8, &d, i8);
    ck_assert_uint_eq(f32[ENERGY_MXU], 1900000000);
    ck_assert_uint_eq(i8[ENERGY_MXU], 340000000);
    /* A fused op's work is its host's; it adds only its parameters' reads. */
    d.fused_into = 0;
    uint64_t fused[ENERGY_DYNAMIC_COUNT] = {0};
    energy_add_op(&c, TPUSIM_DT_BFLOAT16, &d, fused);
    ck_assert_uint_eq(fused[ENERGY_MXU], 0);
    ck_assert_uint_eq(fused[ENERGY_SRAM], 2867200); /* 2048 x 1.4 pJ */
    /* Static: 112.5 W for 940 cycles at 940 MHz = 1 us: 112.5 uJ. */
    double parts[ENERGY_COUNT];
    double total = energy_parts(&c, fj, 940, parts);
    ck_assert_double_eq_tol(parts[ENERGY_STATIC], 112.5e6, 1e-3);
    ck_assert_double_eq_tol(total, 112.5e6 + 1900000 + 532480 + 10001.6 + 31200, 1e-3);
    ck_assert_double_eq_tol(energy_avg_power_w(&c, total, 940), total * 1e-12 / 1e-6, 1e-9);
}
END_TEST

/* A compute-bound GEMM on every core of each datacenter chip draws at
 * most its TDP and at least 30% of it. Worked by hand (peak MACs per
 * second x the chip file's MAC energy + static):
 *   tpu_v2:   2 cores x 128 x 128 x 700 MHz = 22.9e12 MAC/s x 1.9 pJ = 43.6 W + 70 W = 114 W
 *   tpu_v3:   2 x 2 x 128 x 128 x 940 MHz = 61.6e12 MAC/s x 1.9 pJ = 117 W + 112.5 W = 230 W
 *   tpu_v4i:  4 x 128 x 128 x 1050 MHz = 68.8e12 MAC/s x 1.18 pJ = 81.2 W + 43.75 W = 125 W
 *   gpu_v100: 80 x 8 x 64 x 1530 MHz = 62.7e12 FMA/s x 1.9 pJ = 119 W + 75 W = 194 W
 * (41%, 51%, 71%, 65% of 280, 450, 175, 300 W), plus a few W of HBM and
 * SRAM traffic. The simulated power must reach static + 90% of the
 * MXU's peak power (the GEMM runs at >= 90% of peak) and stay below
 * that peak + 10% of TDP for memory traffic. */
START_TEST(compute_bound_gemm_draws_between_30_percent_of_tdp_and_tdp)
{
    const char *chips[] = {"tpu_v2", "tpu_v3", "tpu_v4i", "gpu_v100"};
    const double hand_w[] = {114, 230, 125, 194};
    tpusim_graph *g = tu_gemm(8192, 8192, 8192);
    for (int i = 0; i < 4; i++) {
        struct chip c;
        struct sim_result r;
        tu_load_chip(chips[i], NULL, 0, &c);
        sim_eng(g, &c, TPUSIM_DT_UNDEFINED, c.cores, ENGINE_FAST, &r);
        double w = run_watts(&r);
        double macs_per_s = c.mxu_kind == MATRIX_TENSOR_CORES
                                ? 80.0 * 8 * 64 * c.clock_hz
                                : (double)c.cores * c.mxu_per_core * c.mxu_rows * c.mxu_cols *
                                      c.clock_hz;
        double mxu_w = macs_per_s * c.energy_mac_bf16_pj * 1e-12;
        ck_assert_double_eq_tol(mxu_w + c.energy_static_w, hand_w[i], 0.01 * hand_w[i]);
        ck_assert_msg(w <= c.energy_tdp_w && w >= 0.3 * c.energy_tdp_w,
                      "%s: %.1f W against TDP %.0f W", chips[i], w, c.energy_tdp_w);
        ck_assert_msg(w >= c.energy_static_w + 0.9 * mxu_w &&
                          w <= c.energy_static_w + mxu_w + 0.1 * c.energy_tdp_w,
                      "%s: %.1f W, hand %.1f W", chips[i], w, hand_w[i]);
        sim_result_free(&r);
    }
    tpusim_graph_close(g);
}
END_TEST

/* `layers` ops in a chain, each with its own weights: 3x3 convolutions
 * of `ch` channels on ch x hw x hw (padded), or (hw = 0) ch x ch matrix
 * multiplies of one row. */
static tpusim_graph *chain(int layers, int64_t ch, int64_t hw)
{
    tpusim_graph *g = tu_new();
    if (hw)
        tu_input(g, "x0", 4, TU_DIMS(1, ch, hw, hw));
    else
        tu_input(g, "x0", 2, TU_DIMS(1, ch));
    for (int i = 0; i < layers; i++) {
        char wn[32], ins[80], out[32], name[32];
        snprintf(wn, sizeof wn, "w%d", i);
        snprintf(ins, sizeof ins, "x%d,%s", i, wn);
        snprintf(out, sizeof out, "x%d", i + 1);
        snprintf(name, sizeof name, "op%d", i);
        if (!hw) {
            tu_weight(g, wn, 2, TU_DIMS(ch, ch));
            tu_op(g, "MatMul", name, ins, out);
            continue;
        }
        tu_weight(g, wn, 4, TU_DIMS(ch, ch, 3, 3));
        tu_conv_same(g, name, ins, out, 3);
    }
    tu_finalize_ok(g);
    return g;
}

/* Coral: 4 TOPS at 0.5 W per TOPS, 2 TOPS/W. By hand from the chip file
 * at full utilisation: 4.096e12 ops/s over 0.5 W static + 2.048e12
 * MAC/s x 0.46 pJ = 0.942 W: 4.096 / 1.442 = 2.84 TOPS/W, within 2 x/÷
 * 1.5 ([1.33, 3]). Twelve 3x3 convs of 256 channels on 28x28 (int8, 7.1
 * MB of parameters, all in the cache): each conv alone fills the array
 * (no padding), so its TOPS/W lies just under the hand figure (fill,
 * weight loads and the first layer's input over USB cost time or
 * energy); the whole model, with its invocation and USB transfers, lands
 * in the band. */
START_TEST(edgetpu_at_full_int8_utilisation_lands_near_2_tops_per_watt)
{
    struct chip c;
    tu_load_chip("edgetpu", NULL, 0, &c);
    double hand = 4.096e12 / (c.energy_static_w + 2.048e12 * c.energy_mac_int8_pj * 1e-12) / 1e12;
    ck_assert_double_eq_tol(hand, 2.84, 0.01);
    tpusim_graph *g = chain(12, 256, 28);
    struct sim_result r;
    sim_eng(g, &c, TPUSIM_DT_INT8, 1, ENGINE_EVENT, &r);
    ck_assert_uint_eq(r.params_on_chip_bytes, r.param_bytes);
    double best = 0;
    for (int i = 0; i < r.n_ops; i++) {
        const struct op_result *op = &r.ops[i];
        double parts[ENERGY_COUNT];
        double pj = energy_parts(&c, op->energy_fj, op->cycles, parts);
        ck_assert_uint_eq(op->mac_slots, op->useful_macs); /* full array, no padding */
        double tops_w = (double)op->flops / (pj * 1e-12) / 1e12;
        ck_assert_msg(tops_w <= hand, "op %d: %.3f TOPS/W beats the chip's peak %.3f", i,
                      tops_w, hand);
        if (tops_w > best)
            best = tops_w;
    }
    ck_assert_msg(best >= 0.9 * hand, "best op %.3f TOPS/W, hand %.3f", best, hand);
    double model = (double)r.sum.flops / (run_pj(&r, NULL) * 1e-12) / 1e12;
    ck_assert_msg(model >= 2.0 / 1.5 && model <= 2.0 * 1.5, "model %.3f TOPS/W", model);
    ck_assert_double_le(run_watts(&r), c.energy_tdp_w);
    sim_result_free(&r);
    tpusim_graph_close(g);
}
END_TEST

/* g on `chip` as filed, then with `set`, which moves `bytes` more over the
 * memory level of `part` at the same MAC slots: that part grows by
 * exactly bytes x its energy per byte (`pj_per_byte`, written by hand),
 * the whole by at least that plus the bytes' on-chip end. */
static void extra_bytes_cost_their_energy(const tpusim_graph *g, const char *chip,
                                          const char *set, tpusim_dtype dt,
                                          enum energy_part part, uint64_t bytes,
                                          double pj_per_byte)
{
    struct chip as_filed, changed;
    tu_load_chip(chip, NULL, 0, &as_filed);
    tu_load_chip(chip, &set, 1, &changed);
    struct sim_result a, b;
    sim_eng(g, &as_filed, dt, 1, ENGINE_EVENT, &a);
    sim_eng(g, &changed, dt, 1, ENGINE_EVENT, &b);
    ck_assert_uint_eq(a.sum.mac_slots, b.sum.mac_slots);
    uint64_t moved = part == ENERGY_HBM ? b.sum.hbm_bytes - a.sum.hbm_bytes
                                        : b.sum.host_bytes - a.sum.host_bytes;
    ck_assert_uint_eq(moved, bytes);
    double pa[ENERGY_COUNT], pb[ENERGY_COUNT];
    double ea = run_pj(&a, pa), eb = run_pj(&b, pb);
    ck_assert_double_eq_tol(pb[part] - pa[part], (double)bytes * pj_per_byte, 1.0);
    ck_assert_double_eq(pb[ENERGY_MXU], pa[ENERGY_MXU]);
    ck_assert_double_ge(eb - ea, (double)bytes * (pj_per_byte + as_filed.energy_sram_pj_per_byte));
    sim_result_free(&a);
    sim_result_free(&b);
}

/* The same GEMM (same MACs) with its 32 MiB of bf16 weights in tpu_v4i's
 * CMEM, then with no CMEM: the weights come from HBM, and the HBM part
 * grows by exactly 4096 x 4096 x 2 bytes x 31.2 pJ = 1046.9 uJ. */
START_TEST(hbm_traffic_costs_its_bytes_at_fixed_macs)
{
    tpusim_graph *g = tu_gemm(256, 4096, 4096);
    uint64_t weight_bytes = 4096 * 4096 * 2;
    extra_bytes_cost_their_energy(g, "tpu_v4i", "sram.cmem_bytes=0", TPUSIM_DT_BFLOAT16,
                                  ENERGY_HBM, weight_bytes, 31.2);
    tpusim_graph_close(g);
}
END_TEST

/* Six 1 MiB int8 layers fit the Edge TPU's 7.75 MiB parameter cache; with
 * the cache cut to 4 MiB 2 MiB of them stream over USB on every
 * inference: the host-link part grows by 2 MiB x 320 pJ = 671.1 uJ. */
START_TEST(edgetpu_parameters_past_the_cache_pay_the_host_link)
{
    tpusim_graph *g = chain(6, 1024, 0);
    uint64_t streamed = 2 * 1048576;
    extra_bytes_cost_their_energy(g, "edgetpu", "sram.param_cache_bytes=4194304",
                                  TPUSIM_DT_INT8, ENERGY_HOST_LINK, streamed, 320);
    tpusim_graph_close(g);
}
END_TEST

/* One op alone: the engines agree to the cycle (test_sched.c), and so on
 * energy: the same demands, the same cycles of static power. Every chip,
 * a GEMM, a convolution and an elementwise op. */
START_TEST(both_engines_give_the_same_energy_on_single_ops)
{
    const char *chips[] = {"tpu_v2", "tpu_v3", "tpu_v4i", "edgetpu", "edgetpu_pcie", "gpu_v100"};
    tpusim_graph *gs[3];
    gs[0] = tu_gemm(300, 700, 900);
    gs[1] = chain(1, 96, 20);
    gs[2] = tu_new();
    tu_input(gs[2], "a", 2, TU_DIMS(512, 1000));
    tu_op(gs[2], "Sigmoid", "sig", "a", "b");
    tu_finalize_ok(gs[2]);
    for (size_t k = 0; k < sizeof chips / sizeof chips[0]; k++) {
        struct chip c;
        tu_load_chip(chips[k], NULL, 0, &c);
        for (int m = 0; m < 3; m++) {
            struct sim_result f, e;
            sim_eng(gs[m], &c, TPUSIM_DT_UNDEFINED, 1, ENGINE_FAST, &f);
            sim_eng(gs[m], &c, TPUSIM_DT_UNDEFINED, 1, ENGINE_EVENT, &e);
            ck_assert_uint_eq(f.sum.cycles, e.sum.cycles);
            for (int p = 0; p < ENERGY_DYNAMIC_COUNT; p++)
                ck_assert_uint_eq(f.sum.energy_fj[p], e.sum.energy_fj[p]);
            ck_assert_double_eq(run_pj(&f, NULL), run_pj(&e, NULL));
            ck_assert_double_gt(run_pj(&f, NULL), 0);
            sim_result_free(&f);
            sim_result_free(&e);
        }
    }
    for (int m = 0; m < 3; m++)
        tpusim_graph_close(gs[m]);
}
END_TEST

/* With --cores 2 each core runs its own copy: every dynamic part doubles
 * exactly (each core's demands are counted, whichever core's rows the
 * engine keeps), while static power is the chip's over the run. */
START_TEST(each_cores_copy_pays_its_own_dynamic_energy)
{
    struct chip c;
    tu_load_chip("tpu_v3", NULL, 0, &c);
    tpusim_graph *g = tu_gemm(2048, 1024, 1024);
    for (int e = ENGINE_FAST; e <= ENGINE_EVENT; e++) {
        struct sim_result one, two;
        sim_eng(g, &c, TPUSIM_DT_BFLOAT16, 1, (enum engine_kind)e, &one);
        sim_eng(g, &c, TPUSIM_DT_BFLOAT16, 2, (enum engine_kind)e, &two);
        for (int p = 0; p < ENERGY_DYNAMIC_COUNT; p++)
            ck_assert_uint_eq(two.sum.energy_fj[p], 2 * one.sum.energy_fj[p]);
        double parts[ENERGY_COUNT];
        run_pj(&two, parts);
        ck_assert_double_eq_tol(parts[ENERGY_STATIC],
                                c.energy_static_w * (double)two.sum.cycles / c.clock_hz * 1e12,
                                1e-6 * parts[ENERGY_STATIC]);
        sim_result_free(&one);
        sim_result_free(&two);
    }
    tpusim_graph_close(g);
}
END_TEST

/* The ops' energies sum to the model's: rows own every cycle (the
 * stack's invocation is in the first), so their static power does too. */
START_TEST(op_energies_sum_to_the_models)
{
    tpusim_graph *g = chain(4, 64, 32);
    const char *chips[] = {"tpu_v3", "edgetpu", "gpu_v100"};
    for (int k = 0; k < 3; k++) {
        struct chip c;
        struct sim_result r;
        tu_load_chip(chips[k], NULL, 0, &c);
        sim_eng(g, &c, TPUSIM_DT_UNDEFINED, 1, ENGINE_EVENT, &r);
        double sum = 0, parts[ENERGY_COUNT];
        for (int i = 0; i < r.n_ops; i++)
            sum += energy_parts(&c, r.ops[i].energy_fj, r.ops[i].cycles, parts);
        ck_assert_double_eq_tol(sum, run_pj(&r, NULL), 1e-9 * sum);
        sim_result_free(&r);
    }
    tpusim_graph_close(g);
}
END_TEST

Suite *energy_suite(void)
{
    Suite *s = suite_create("energy");
    TCase *tc = tcase_create("energy");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, an_ops_energy_is_each_count_times_its_energy_per_event);
    tcase_add_test(tc, compute_bound_gemm_draws_between_30_percent_of_tdp_and_tdp);
    tcase_add_test(tc, edgetpu_at_full_int8_utilisation_lands_near_2_tops_per_watt);
    tcase_add_test(tc, hbm_traffic_costs_its_bytes_at_fixed_macs);
    tcase_add_test(tc, edgetpu_parameters_past_the_cache_pay_the_host_link);
    tcase_add_test(tc, both_engines_give_the_same_energy_on_single_ops);
    tcase_add_test(tc, each_cores_copy_pays_its_own_dynamic_energy);
    tcase_add_test(tc, op_energies_sum_to_the_models);
    suite_add_tcase(s, tc);
    return s;
}
