/*
 * test_engine.c — whole-op and whole-model timing against physics: nothing
 * beats the compute or memory bound, big GEMMs approach peak, streaming ops
 * approach HBM bandwidth, batch-1 layers are weight-load bound, the Edge TPU
 * pays for parameters that leave its cache. Expectations come from chip
 * parameters, not from the simulator's own output.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "suites.h"
#include "testutil.h"

static void sim_ok(const tpusim_graph *g, const struct chip *c, tpusim_dtype dt, bool no_fusion,
                   struct sim_result *r)
{
    char err[1024];
    struct sim_options o = {
        .dtype = dt, .no_fusion = no_fusion, .cores = 1, .stack = tu_default_stack(c)};
    int rc = simulate(g, c, &o, r, err, sizeof err);
    ck_assert_msg(rc == TPUSIM_OK, "simulate on %s: %s", c->name, err);
}

static double achieved_fraction(const struct sim_result *r)
{
    double seconds = (double)r->sum.cycles / r->chip->clock_hz;
    return (double)r->sum.flops / seconds / r->chip->peak_flops_per_s_core;
}

START_TEST(totals_saturate_instead_of_wrapping)
{
    /* Two ops that each take "too long to count" sum to too long to count,
     * not to UINT64_MAX - 1 (the plain += wrapped). */
    struct op_result big = {0};
    big.cycles = UINT64_MAX;
    big.flops = UINT64_MAX - 1;
    big.stall[CAUSE_VPU] = UINT64_MAX;
    big.mac_slots = 3;
    struct sim_totals t = {0};
    totals_add_op(&t, &big);
    totals_add_op(&t, &big);
    ck_assert_uint_eq(t.cycles, UINT64_MAX);
    ck_assert_uint_eq(t.flops, UINT64_MAX);
    ck_assert_uint_eq(t.stall[CAUSE_VPU], UINT64_MAX);
    ck_assert_uint_eq(t.mac_slots, 6);
    ck_assert_uint_eq(t.ops, 2);
    totals_add_invocation(&t, 5);
    ck_assert_uint_eq(t.cycles, UINT64_MAX);
    ck_assert_uint_eq(t.stall[CAUSE_LAUNCH], 5);
    struct sim_totals u = t;
    totals_merge(&u, &t);
    ck_assert_uint_eq(u.cycles, UINT64_MAX);
    ck_assert_uint_eq(u.stall[CAUSE_LAUNCH], 10);
    ck_assert_uint_eq(u.mac_slots, 12);
}
END_TEST

START_TEST(large_bf16_gemm_reaches_90_percent_of_peak)
{
    const char *chips[] = {"tpu_v3", "tpu_v4i"};
    tpusim_graph *g = tu_gemm(8192, 8192, 8192);
    for (size_t i = 0; i < 2; i++) {
        struct chip c;
        struct sim_result r;
        tu_load_chip(chips[i], NULL, 0, &c);
        sim_ok(g, &c, TPUSIM_DT_BFLOAT16, false, &r);
        double f = achieved_fraction(&r);
        ck_assert_msg(f >= 0.90 && f <= 1.0, "%s: 8192^3 GEMM at %.3f of peak", chips[i], f);
        ck_assert_int_eq(r.ops[0].bound, CAUSE_MXU);
        sim_result_free(&r);
    }
    tpusim_graph_close(g);
}
END_TEST

/* Every op of real models on every chip: cycles >= its MACs at the MXU's
 * peak, >= its vector FLOPs at one per vector slot per cycle, and >= its
 * bytes at full bandwidth. */
START_TEST(no_op_beats_physics)
{
    const char *chips[] = {"tpu_v2", "tpu_v3", "tpu_v4i", "edgetpu", "gpu_v100"};
    const char *models[] = {"torch_export/tv_resnet50_light.onnx",
                            "torch_export/tv_mobilenet_v2.onnx",
                            "torch_export/tv_efficientnet_b0.onnx"};
    for (size_t m = 0; m < 3; m++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/onnx/%s", tu_models_dir(), models[m]);
        tpusim_graph *g = tu_new();
        ck_assert_int_eq(tpusim_graph_load_onnx_file(g, path), TPUSIM_OK);
        for (size_t k = 0; k < sizeof chips / sizeof chips[0]; k++) {
            struct chip c;
            struct sim_result r;
            tu_load_chip(chips[k], NULL, 0, &c);
            sim_ok(g, &c, TPUSIM_DT_UNDEFINED, false, &r);
            double flops_per_cycle = c.peak_flops_per_s_core / c.clock_hz;
            for (int i = 0; i < r.n_ops; i++) {
                const struct op_result *op = &r.ops[i];
                if (op->fused_into >= 0)
                    continue;
                double mxu_bound = 2.0 * (double)op->macs / flops_per_cycle;
                double vector_flops = (double)op->flops - 2.0 * (double)op->macs;
                double vpu_bound = vector_flops / (double)(c.vpu_lanes * c.vpu_sublanes);
                double compute_bound = mxu_bound > vpu_bound ? mxu_bound : vpu_bound;
                double mem_bound = c.hbm_bytes_per_cycle > 0
                                       ? (double)op->hbm_bytes / c.hbm_bytes_per_cycle
                                       : 0;
                ck_assert_msg((double)op->cycles + 1 >= compute_bound &&
                                  (double)op->cycles + 1 >= mem_bound,
                              "%s on %s: op %s %llu cycles < bound (compute %.0f, memory %.0f)",
                              models[m], chips[k], g->ops[op->op]->name,
                              (unsigned long long)op->cycles, compute_bound, mem_bound);
                uint64_t sum = 0;
                for (int s = 0; s < CAUSE_COUNT; s++)
                    sum += op->stall[s];
                ck_assert_uint_eq(sum, op->cycles);
            }
            sim_result_free(&r);
        }
        tpusim_graph_close(g);
    }
}
END_TEST

START_TEST(batch1_fully_connected_is_weight_bound)
{
    /* 1 x 4096 x 4096: one activation row per weight tile, R = 128 cycles to
     * load each tile, so weight loading (or the HBM that feeds it) dominates. */
    tpusim_graph *g = tu_gemm(1, 4096, 4096);
    struct chip c;
    struct sim_result r;
    tu_load_chip("tpu_v3", NULL, 0, &c);
    sim_ok(g, &c, TPUSIM_DT_BFLOAT16, false, &r);
    enum cause b = r.ops[0].bound;
    ck_assert_msg(b == CAUSE_WEIGHT_LOAD || b == CAUSE_HBM, "bound %s", cause_name(b));
    ck_assert_uint_gt(r.ops[0].stall[CAUSE_WEIGHT_LOAD] + r.ops[0].stall[CAUSE_HBM],
                      r.ops[0].stall[CAUSE_MXU]);
    sim_result_free(&r);
    tpusim_graph_close(g);
}
END_TEST

static tpusim_graph *relu_graph(int64_t n)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 1, TU_DIMS(n));
    tu_op(g, "Relu", "relu", "x", "y");
    tu_finalize_ok(g);
    return g;
}

START_TEST(elementwise_over_1gib_runs_at_hbm_bandwidth)
{
    /* 2^29 bf16 elements: 1 GiB read + 1 GiB written, nothing fits on chip.
     * Time at full bandwidth: 2^31 bytes / (GB/s * 1e9) seconds. */
    tpusim_graph *g = relu_graph(INT64_C(1) << 29);
    struct chip c;
    struct sim_result r;
    tu_load_chip("tpu_v3", NULL, 0, &c);
    sim_ok(g, &c, TPUSIM_DT_BFLOAT16, false, &r);
    double seconds = (double)r.sum.cycles / c.clock_hz;
    double ideal = (double)(INT64_C(1) << 31) / (c.hbm_bandwidth_gbps * 1e9);
    ck_assert_msg(seconds >= ideal && seconds < 1.05 * ideal, "%.6f s vs ideal %.6f s", seconds,
                  ideal);
    ck_assert_int_eq(r.ops[0].bound, CAUSE_HBM);
    sim_result_free(&r);
    tpusim_graph_close(g);
}
END_TEST

START_TEST(doubling_hbm_bandwidth_helps_only_memory_bound_ops)
{
    struct chip base, fast;
    tu_load_chip("tpu_v3", NULL, 0, &base);
    char set[64];
    snprintf(set, sizeof set, "hbm.bandwidth_gbps=%.17g", 2 * base.hbm_bandwidth_gbps);
    const char *sets[] = {set};
    tu_load_chip("tpu_v3", sets, 1, &fast);
    struct sim_result a, b;

    tpusim_graph *gemm = tu_gemm(8192, 8192, 8192);
    sim_ok(gemm, &base, TPUSIM_DT_BFLOAT16, false, &a);
    sim_ok(gemm, &fast, TPUSIM_DT_BFLOAT16, false, &b);
    double ratio = (double)a.sum.cycles / (double)b.sum.cycles;
    ck_assert_msg(ratio >= 1.0 && ratio < 1.005, "compute-bound GEMM sped up %.4fx", ratio);
    sim_result_free(&a);
    sim_result_free(&b);
    tpusim_graph_close(gemm);

    tpusim_graph *relu = relu_graph(INT64_C(1) << 28);
    sim_ok(relu, &base, TPUSIM_DT_BFLOAT16, false, &a);
    sim_ok(relu, &fast, TPUSIM_DT_BFLOAT16, false, &b);
    ratio = (double)a.sum.cycles / (double)b.sum.cycles;
    ck_assert_msg(ratio > 1.8 && ratio <= 2.0, "memory-bound op sped up only %.3fx", ratio);
    sim_result_free(&a);
    sim_result_free(&b);
    tpusim_graph_close(relu);
}
END_TEST

/* A chain of `layers` FC layers of width w (int8: w*w bytes each). */
static tpusim_graph *fc_chain(int layers, int64_t w)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x0", 2, TU_DIMS(1, w));
    for (int i = 0; i < layers; i++) {
        char wn[32], in[32], out[32], name[32], ins[80];
        snprintf(wn, sizeof wn, "w%d", i);
        snprintf(in, sizeof in, "x%d", i);
        snprintf(out, sizeof out, "x%d", i + 1);
        snprintf(name, sizeof name, "fc%d", i);
        snprintf(ins, sizeof ins, "%s,%s", in, wn);
        tu_weight(g, wn, 2, TU_DIMS(w, w));
        tu_op(g, "MatMul", name, ins, out);
    }
    tu_finalize_ok(g);
    return g;
}

START_TEST(edgetpu_parameters_past_the_cache_stream_from_host)
{
    struct chip c;
    tu_load_chip("edgetpu", NULL, 0, &c);
    /* Layers of 1024x1024 int8 = 1 MiB each. */
    int64_t w = 1024;
    int fit = (int)(c.param_cache_bytes / (uint64_t)(w * w)) - 1;
    ck_assert_int_gt(fit, 0);
    /* With every parameter cached, only the model's input and output cross
     * the link; each MiB of overflow adds at least its transfer time. */
    uint64_t base = 0, prev = 0;
    for (int extra = 0; extra <= 4; extra += 2) {
        tpusim_graph *g = fc_chain(fit + extra, w);
        struct sim_result r;
        sim_ok(g, &c, TPUSIM_DT_INT8, false, &r);
        uint64_t host = r.sum.stall[CAUSE_HOST_LINK];
        if (extra == 0) {
            base = host;
            ck_assert_uint_eq(r.params_on_chip_bytes, r.param_bytes);
        } else {
            ck_assert_msg(host > prev, "overflow of %d MiB: host stall %llu <= %llu", extra,
                          (unsigned long long)host, (unsigned long long)prev);
            /* overflow = (fit + extra) MiB - cache */
            double over = (double)((fit + extra) * w * w) - (double)c.param_cache_bytes;
            double min_cycles = over / c.host_link_bytes_per_cycle;
            ck_assert_msg((double)(host - base) >= 0.9 * min_cycles, "host %llu - %llu < %.0f",
                          (unsigned long long)host, (unsigned long long)base, min_cycles);
        }
        prev = host;
        sim_result_free(&r);
        tpusim_graph_close(g);
    }
}
END_TEST

/* Parameters that overflow the Edge TPU's cache stream over USB on every
 * inference, each op's as one DMA that libedgetpu cuts into 1 MiB bulk
 * transfers. Five 3 MiB layers (1536x2048 and 2048x1536, int8) against a
 * 7.75 MiB cache: fc0 and fc1 fit, fc2 keeps 1.75 MiB and streams 1.25
 * MiB (2 transfers), fc3 and fc4 stream 3 MiB each (3 transfers). Three
 * transfers in flight hide every overhead but a DMA's first behind the
 * link's 1.3 M cycles per MiB; one in flight (libedgetpu on macOS) shows
 * them all: (2-1) + (3-1) + (3-1) = 5 more overheads, on both engines. */
START_TEST(edgetpu_overflow_streams_in_1_mib_transfers_with_their_overheads)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x0", 2, TU_DIMS(1, 1536));
    for (int i = 0; i < 5; i++) {
        char wn[16], ins[32], out[16], name[16];
        int64_t k = i % 2 ? 2048 : 1536, n = i % 2 ? 1536 : 2048;
        snprintf(wn, sizeof wn, "w%d", i);
        snprintf(ins, sizeof ins, "x%d,w%d", i, i);
        snprintf(out, sizeof out, "x%d", i + 1);
        snprintf(name, sizeof name, "fc%d", i);
        tu_weight(g, wn, 2, TU_DIMS(k, n));
        tu_op(g, "MatMul", name, ins, out);
    }
    tu_finalize_ok(g);
    const char *one[] = {"host_link.transfers_in_flight=1"};
    for (int e = 0; e < 2; e++) {
        struct chip three, single;
        tu_load_chip("edgetpu", NULL, 0, &three);
        tu_load_chip("edgetpu", one, 1, &single);
        ck_assert_uint_eq(three.param_cache_bytes, 8126464); /* 7.75 MiB */
        ck_assert_uint_eq(three.host_link_max_transfer_bytes, 1048576);
        struct sim_result a, b;
        char err[1024];
        struct sim_options o = {.cores = 1, .stack = tu_default_stack(&three),
                                .engine = (enum engine_kind)e};
        ck_assert_int_eq(simulate(g, &three, &o, &a, err, sizeof err), TPUSIM_OK);
        ck_assert_int_eq(simulate(g, &single, &o, &b, err, sizeof err), TPUSIM_OK);
        uint64_t mib = 1048576, streamed = 5 * mib / 4 + 6 * mib;
        ck_assert_uint_eq(a.param_bytes, 15 * mib);
        ck_assert_uint_eq(a.params_on_chip_bytes, 8126464);
        /* the input (1536 bytes) and output (2048) cross the link too */
        ck_assert_uint_eq(a.sum.host_bytes, streamed + 1536 + 2048);
        ck_assert_uint_eq(a.ops[2].host_bytes, 5 * mib / 4);
        ck_assert_uint_eq(a.ops[3].host_bytes, 3 * mib);
        ck_assert_uint_eq(b.sum.cycles - a.sum.cycles, 5 * three.host_link_overhead_cycles);
        sim_result_free(&a);
        sim_result_free(&b);
    }
    tpusim_graph_close(g);
}
END_TEST

/* The Edge TPU has no DRAM: activations that do not fit its 3 MiB of tile
 * memory spill to host memory over the link and come back (the compiler's
 * scratch buffer). y = conv(x) and z = conv(y) are 2 MiB each (int8,
 * 32 x 256 x 256); y stays on chip for the residual add, so z, which does
 * not fit beside it, goes to the host and returns for the add. */
START_TEST(edgetpu_activations_past_tile_memory_spill_over_the_host_link)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 4, TU_DIMS(1, 32, 256, 256));
    ck_assert_int_eq(tpusim_graph_add_conv2d(g, "c1", "x", "y", 32, 1, 1, 0, 1), TPUSIM_OK);
    ck_assert_int_eq(tpusim_graph_add_conv2d(g, "c2", "y", "z", 32, 1, 1, 0, 1), TPUSIM_OK);
    tu_op(g, "Add", "add", "y,z", "out");
    tu_finalize_ok(g);
    struct chip c;
    tu_load_chip("edgetpu", NULL, 0, &c);
    ck_assert_uint_eq(c.vmem_bytes, 3 * 1048576);
    struct sim_result r;
    sim_ok(g, &c, TPUSIM_DT_INT8, true, &r);
    uint64_t act = 2 * 1048576;
    ck_assert_uint_eq(r.ops[0].host_bytes, act);     /* x in; y stays */
    ck_assert_uint_eq(r.ops[1].host_bytes, act);     /* z out */
    ck_assert_uint_eq(r.ops[2].host_bytes, 2 * act); /* z back in, the output out */
    sim_result_free(&r);
    tpusim_graph_close(g);
}
END_TEST

/* A model whose parameters mostly stream (24 layers of 1 MiB against a
 * 7.75 MiB cache) is bound by the host link, and the PCIe host runs it
 * faster than the USB one by the ratio of their bandwidths (0.43 / 0.4
 * GB/s) once their fixed costs are set aside: with latency, per-transfer
 * overhead and the runtime's per-inference costs at 0, the two runs differ
 * by exactly each DMA's bytes at the two bandwidths. */
START_TEST(edgetpu_pcie_beats_usb_on_a_streaming_model_by_the_link_ratio)
{
    tpusim_graph *g = fc_chain(24, 1024);
    const char *flat[] = {"host_link.latency_us=0", "host_link.overhead_us_per_transfer=0"};
    const char *no_runtime[] = {"overhead.invoke_us_per_inference=0",
                                "overhead.instruction_bytes_per_kernel=0"};
    struct chip usb, pcie;
    tu_load_chip("edgetpu", flat, 2, &usb);
    tu_load_chip("edgetpu_pcie", flat, 2, &pcie);
    struct stack st;
    char err[1024];
    ck_assert_int_eq(stack_resolve(tu_chips_dir(), &usb, NULL, no_runtime, 2, &st, err,
                                   sizeof err), TPUSIM_OK);
    for (int e = 0; e < 2; e++) {
        struct sim_options o = {.cores = 1, .stack = &st, .engine = (enum engine_kind)e};
        struct sim_result u, p;
        ck_assert_int_eq(simulate(g, &usb, &o, &u, err, sizeof err), TPUSIM_OK);
        ck_assert_int_eq(simulate(g, &pcie, &o, &p, err, sizeof err), TPUSIM_OK);
        double want = 0;
        for (int i = 0; i < u.n_ops; i++) {
            const struct op_result *r = &u.ops[i];
            ck_assert_uint_eq(r->host_bytes, p.ops[i].host_bytes);
            /* one DMA in (input, streamed weights), the last op's one out */
            uint64_t out = i + 1 == u.n_ops ? 1024 : 0, in = r->host_bytes - out;
            if (in)
                want += ceil((double)in / 0.8) - ceil((double)in / 0.86);
            if (out)
                want += ceil((double)out / 0.8) - ceil((double)out / 0.86);
        }
        ck_assert_uint_eq(u.sum.cycles - p.sum.cycles, (uint64_t)want);
        /* streaming-bound: the link is most of the time, and the speedup
         * is the bandwidth ratio diluted only by the compute */
        ck_assert_uint_gt(u.sum.stall[CAUSE_HOST_LINK] * 10, u.sum.cycles * 9);
        double speedup = (double)u.sum.cycles / (double)p.sum.cycles;
        ck_assert_msg(speedup > 1.06 && speedup <= 0.43 / 0.4, "PCIe speedup %.4f", speedup);
        sim_result_free(&u);
        sim_result_free(&p);
    }
    tpusim_graph_close(g);
}
END_TEST

/* A depthwise convolution on the Edge TPU's 16 tiles of 4 x 64 cells,
 * worked by hand. 64 channels of 28 x 28, 3 x 3 taps, int8: each channel
 * is its own GEMM of 784 rows x K = 9 x N = 1. A tile's cells are output
 * channels fed the same 4 inputs a cycle, so a channel's GEMM uses 1 of
 * the 64 cells and takes ceil(9 / 4) = 3 weight passes; its 784 rows
 * spread over the 16 tiles (the compiler splits the feature map): 49 rows
 * each. 64 channels x 3 passes x 49 rows = 9408 cycles of streaming, on
 * 16 x 4 x 64 MAC slots a cycle: 38535168 slots for 64 x 784 x 9 = 451584
 * MACs, 1.17%. The 64 x 64 array that modelled the chip before packed 7
 * channels into one weight tile (7 x 9 = 63 rows): 10 GEMMs of 784 rows. */
static void lower_one_op(const tpusim_graph *g, const struct chip *c, struct op_demand *out)
{
    struct op_demand *d;
    int n;
    uint64_t pb, oc;
    char err[1024];
    struct sim_options o = {.cores = 1, .dtype = TPUSIM_DT_INT8, .stack = tu_default_stack(c)};
    ck_assert_msg(lower_graph(g, c, &o, &d, &n, &pb, &oc, err, sizeof err) == TPUSIM_OK, "%s", err);
    ck_assert_int_eq(n, 1);
    *out = d[0];
    free(d);
}

START_TEST(edgetpu_depthwise_uses_one_cell_in_64_of_each_tile)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 4, TU_DIMS(1, 64, 28, 28));
    tu_weight(g, "w", 4, TU_DIMS(64, 1, 3, 3));
    tu_conv_same(g, "dw", "x,w", "y", 3);
    tu_attr_int(g, "group", 64);
    tu_finalize_ok(g);
    struct chip c;
    tu_load_chip("edgetpu", NULL, 0, &c);
    ck_assert_int_eq(c.mxu_per_core, 16);
    ck_assert_int_eq(c.mxu_rows, 4);
    ck_assert_int_eq(c.mxu_cols, 64);
    struct op_demand d;
    lower_one_op(g, &c, &d);
    ck_assert(d.on_mxu);
    ck_assert_uint_eq(d.mxu.useful_macs, 64 * 784 * 9);
    ck_assert_uint_eq(d.mxu.stream_cycles, 64 * 3 * 49);
    ck_assert_uint_eq(d.mxu.mac_slots, UINT64_C(16) * 4 * 64 * 9408);
    /* the old 64 x 64 abstraction: 10 GEMMs (7 channels each) of 784 rows */
    const char *square[] = {"mxu.per_core=1", "mxu.rows=64", "mxu.cols=64"};
    struct chip sq;
    tu_load_chip("edgetpu", square, 3, &sq);
    lower_one_op(g, &sq, &d);
    ck_assert_uint_eq(d.mxu.stream_cycles, 10 * 784);
    tpusim_graph_close(g);
}
END_TEST

START_TEST(weights_and_activations_past_vmem_reread_activations)
{
    /* x [8192, 8192] bf16 = 128 MiB, w [8192, 8192] = 128 MiB: neither fits
     * in half of tpu_v3's VMEM (8 MiB), so the weights go in 16 chunks and
     * the activations stream 16 times: 15 extra passes of 128 MiB charged to
     * SRAM capacity. At 900 GB/s the MXU hides them; with HBM slowed to
     * 10 GB/s the op waits on its transfers, and of their cycles the
     * re-reads' share (15 of 15 + 1 + 1 + 1 passes: re-reads, x, w, y) is
     * SRAM capacity's. A 4 MiB weight fits: no re-reads. */
    const char *slow[] = {"hbm.bandwidth_gbps=10"};
    struct chip c;
    tu_load_chip("tpu_v3", slow, 1, &c);
    tpusim_graph *big = tu_gemm(8192, 8192, 8192);
    struct sim_result r;
    sim_ok(big, &c, TPUSIM_DT_BFLOAT16, false, &r);
    uint64_t half = c.vmem_bytes / 2, w = UINT64_C(8192) * 8192 * 2;
    uint64_t chunks = (w + half - 1) / half;
    uint64_t hbm_min = w /* weights */ + w /* x, once */ + (chunks - 1) * w /* re-reads */;
    ck_assert_uint_ge(r.ops[0].hbm_bytes, hbm_min);
    double sram = (double)r.ops[0].stall[CAUSE_SRAM];
    double dma = sram + (double)r.ops[0].stall[CAUSE_HBM];
    double share = (double)(chunks - 1) / (double)(chunks - 1 + 3);
    ck_assert_msg(dma > 0.9 * (double)r.ops[0].cycles, "not HBM-bound: %.0f of %llu", dma,
                  (unsigned long long)r.ops[0].cycles);
    ck_assert_msg(sram / dma > share - 0.01 && sram / dma < share + 0.01,
                  "re-read share %.4f, expected %.4f", sram / dma, share);
    sim_result_free(&r);
    tpusim_graph_close(big);
    tpusim_graph *small = tu_gemm(8192, 1024, 2048);
    sim_ok(small, &c, TPUSIM_DT_BFLOAT16, false, &r);
    ck_assert_uint_eq(r.ops[0].stall[CAUSE_SRAM], 0);
    sim_result_free(&r);
    tpusim_graph_close(small);
}
END_TEST

START_TEST(edgetpu_refuses_bf16)
{
    struct chip c;
    tu_load_chip("edgetpu", NULL, 0, &c);
    tpusim_graph *g = tu_gemm(8, 64, 64);
    struct sim_result r;
    char err[512];
    struct sim_options o = {.dtype = TPUSIM_DT_BFLOAT16, .cores = 1, .stack = tu_default_stack(&c)};
    ck_assert_int_eq(simulate(g, &c, &o, &r, err, sizeof err), TPUSIM_ERR_UNSUPPORTED);
    ck_assert_ptr_nonnull(strstr(err, "int8"));
    tpusim_graph_close(g);
}
END_TEST

START_TEST(fusion_hides_activations_and_no_fusion_costs_more)
{
    tpusim_graph *g = tu_new();
    ck_assert_int_eq(tpusim_graph_build_builtin(g, "demo-cnn"), TPUSIM_OK);
    struct chip c;
    tu_load_chip("tpu_v3", NULL, 0, &c);
    struct sim_result fused, unfused;
    sim_ok(g, &c, TPUSIM_DT_BFLOAT16, false, &fused);
    sim_ok(g, &c, TPUSIM_DT_BFLOAT16, true, &unfused);
    ck_assert_uint_lt(fused.sum.cycles, unfused.sum.cycles);
    int n_fused = 0;
    for (int i = 0; i < fused.n_ops; i++)
        if (fused.ops[i].fused_into >= 0) {
            n_fused++;
            ck_assert_uint_eq(fused.ops[i].cycles, 0);
        }
    ck_assert_int_ge(n_fused, 4); /* the Relus after stem, dw1, pw1, head at least */
    for (int i = 0; i < unfused.n_ops; i++)
        ck_assert_int_eq(unfused.ops[i].fused_into, -1);
    sim_result_free(&fused);
    sim_result_free(&unfused);
    tpusim_graph_close(g);
}
END_TEST

START_TEST(a_plan_run_equals_simulate_op_by_op)
{
    /* A plan is scheduled once at open; each run must give what simulate()
     * gives, every op and every cause, however many times it runs. */
    tpusim_graph *g = tu_new();
    ck_assert_int_eq(tpusim_graph_build_builtin(g, "demo-cnn"), TPUSIM_OK);
    struct chip c;
    tu_load_chip("tpu_v4i", NULL, 0, &c);
    struct sim_result sr;
    sim_ok(g, &c, TPUSIM_DT_UNDEFINED, false, &sr);
    tpusim_context *ctx = NULL;
    ck_assert_int_eq(tpusim_context_open(0, &ctx), TPUSIM_OK);
    tpusim_chip *chip = NULL;
    ck_assert_int_eq(tpusim_chip_open(ctx, "tpu_v4i", tu_chips_dir(), NULL, 0, &chip), TPUSIM_OK);
    tpusim_plan *plan = NULL;
    ck_assert_int_eq(tpusim_plan_open(ctx, g, chip, NULL, &plan), TPUSIM_OK);
    tpusim_result *res = NULL;
    ck_assert_int_eq(tpusim_result_new(&res), TPUSIM_OK);
    for (int run = 0; run < 2; run++) {
        ck_assert_int_eq(tpusim_plan_run(ctx, plan, res), TPUSIM_OK);
        tpusim_summary s;
        ck_assert_int_eq(tpusim_result_summary(res, &s), TPUSIM_OK);
        ck_assert_uint_eq(s.cycles, sr.sum.cycles);
        ck_assert_uint_eq(s.flops, sr.sum.flops);
        ck_assert_uint_eq(s.param_bytes, sr.param_bytes);
        ck_assert_uint_eq(s.params_on_chip_bytes, sr.params_on_chip_bytes);
        ck_assert_uint_eq(tpusim_result_op_count(res), (size_t)sr.n_ops);
        for (int i = 0; i < sr.n_ops; i++) {
            const struct op_result *r = &sr.ops[i];
            tpusim_op_row row;
            ck_assert_int_eq(tpusim_result_op(res, (size_t)i, &row), TPUSIM_OK);
            ck_assert_int_eq(row.fused_into, r->fused_into_row);
            ck_assert_uint_eq(row.start_cycle, r->start_cycle);
            ck_assert_uint_eq(row.cycles, r->cycles);
            ck_assert_uint_eq(row.hbm_bytes, r->hbm_bytes);
            ck_assert_uint_eq(row.mac_slots, r->mac_slots);
            ck_assert_int_eq(row.bound, (int)r->bound);
            for (int k = 0; k < CAUSE_COUNT; k++)
                ck_assert_uint_eq(row.stall_cycles[k], r->stall[k]);
        }
    }
    tpusim_result_close(res);
    tpusim_plan_close(plan);
    tpusim_chip_close(chip);
    tpusim_context_close(ctx);
    sim_result_free(&sr);
    tpusim_graph_close(g);
}
END_TEST

Suite *engine_suite(void)
{
    Suite *s = suite_create("engine");
    TCase *tc = tcase_create("physics");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, totals_saturate_instead_of_wrapping);
    tcase_add_test(tc, large_bf16_gemm_reaches_90_percent_of_peak);
    tcase_add_test(tc, no_op_beats_physics);
    tcase_add_test(tc, batch1_fully_connected_is_weight_bound);
    tcase_add_test(tc, elementwise_over_1gib_runs_at_hbm_bandwidth);
    tcase_add_test(tc, doubling_hbm_bandwidth_helps_only_memory_bound_ops);
    tcase_add_test(tc, edgetpu_parameters_past_the_cache_stream_from_host);
    tcase_add_test(tc, edgetpu_overflow_streams_in_1_mib_transfers_with_their_overheads);
    tcase_add_test(tc, edgetpu_activations_past_tile_memory_spill_over_the_host_link);
    tcase_add_test(tc, edgetpu_pcie_beats_usb_on_a_streaming_model_by_the_link_ratio);
    tcase_add_test(tc, edgetpu_depthwise_uses_one_cell_in_64_of_each_tile);
    tcase_add_test(tc, weights_and_activations_past_vmem_reread_activations);
    tcase_add_test(tc, edgetpu_refuses_bf16);
    tcase_add_test(tc, fusion_hides_activations_and_no_fusion_costs_more);
    tcase_add_test(tc, a_plan_run_equals_simulate_op_by_op);
    suite_add_tcase(s, tc);
    return s;
}
