/*
 * gpu_rnn.c — a recurrent layer as cuDNN's standard algorithm runs it
 * (CUDNN_RNN_ALGO_STANDARD, cuDNN developer guide, "cudnnRNNForward"):
 * one GEMM of the inputs of all time steps at once (x W^T, M = seq x
 * batch), then per time step and direction a GEMM of the previous hidden
 * state by the recurrent weights (h R^T, M = batch) and an elementwise
 * kernel for the gates and the new state. The steps depend on each other,
 * so their kernels run back to back, each after a kernel boundary. R stays
 * in L2 between steps when it fits, so a step's loads wait for L2 rather
 * than DRAM latency. Persistent kernels (CUDNN_RNN_ALGO_PERSIST_STATIC,
 * which keep R in registers across steps) are not modelled: cuDNN runs
 * them only when asked for.
 */
#include "gpu.h"

#include "cycles.h"

static uint64_t gemm_cycles(const struct chip *c, tpusim_dtype dtype, uint64_t m, uint64_t k,
                            uint64_t n, bool weights_in_l2, uint64_t eb)
{
    const struct gpu_kernel_family *family;
    struct gpu_gemm_problem p = gpu_gemm_problem_of(dtype, 1, m, k, n, &family);
    if (weights_in_l2) {
        p.load_latency_cycles = c->gpu_l2_latency_cycles;
        p.dram_bytes = (m * k + m * n) * eb; /* only the state and the result */
    }
    struct gpu_gemm_plan pl;
    return gpu_plan_kernel(c, family, &p, &pl) ? pl.total_cycles : 0;
}

void gpu_rnn(const struct chip *c, tpusim_dtype dtype, const struct rnn_desc *rd,
             struct mxu_timing *out)
{
    *out = (struct mxu_timing){0};
    if (!rd->seq || !rd->batch || !rd->hidden || !rd->dirs || !rd->gates || c->gpu_sms <= 0)
        return;
    uint64_t eb = dtype == TPUSIM_DT_FLOAT32 ? 4 : 2, gh = rd->gates * rd->hidden;
    uint64_t steps = rd->seq * rd->dirs;
    uint64_t total = 0;
    if (rd->input) /* every step's input projection, one GEMM per direction */
        total = sat_mul(rd->dirs, gemm_cycles(c, dtype, rd->seq * rd->batch, rd->input, gh,
                                              false, eb));
    bool r_in_l2 = rd->dirs * gh * rd->hidden * eb <= c->vmem_bytes;
    uint64_t recurrent = gemm_cycles(c, dtype, rd->batch, rd->hidden, gh, r_in_l2, eb);
    /* The gates kernel reads both GEMMs' results and the cell state, writes h
     * and c. */
    uint64_t cell_bytes = (2 * rd->batch * gh + 3 * rd->batch * rd->hidden) * eb;
    uint64_t cell = gpu_streaming_kernel_cycles(c, cell_bytes,
                                                rd->cell_ops * rd->batch * rd->hidden);
    uint64_t step = sat_add(sat_add(recurrent, cell), 2 * c->gpu_launch_overhead_cycles);
    total = sat_add(total, sat_mul(steps, step));
    out->total_cycles = total;
    out->stream_cycles = total;
    out->tiles = steps;
    out->mxus_used = (uint64_t)c->gpu_sms;
    bool tensor = gpu_gemm_on_tensor_cores(dtype, rd->hidden, gh);
    double rate = tensor ? (double)c->gpu_tensor_cores_per_sm *
                               c->gpu_fp16_fma_per_tensor_core_per_cycle
                         : (double)c->gpu_fp32_cores_per_sm * (eb == 2 ? 2 : 1);
    out->mac_slots = sat_from_double((double)total * rate * c->gpu_sms);
}
