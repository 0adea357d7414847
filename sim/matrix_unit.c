/*
 * matrix_unit.c — the table of matrix-unit implementations (see
 * matrix_unit.h) and the systolic array's batched GEMM.
 */
#include "matrix_unit.h"

#include <stdio.h>

#include "cycles.h"
#include "graph.h"
#include "gpu.h"

static bool systolic_supports(const struct chip *c, tpusim_dtype dtype)
{
    return mxu_passes_for(c, dtype) > 0;
}

/* Independent GEMMs line up as more n-tiles on the array: each is padded
 * to whole tiles, and the weight tiles of one never mix with another's.
 * A core's MXUs share the n-tiles; when there are fewer n-tiles than MXUs
 * (layers of <= 128 output channels on 4 MXUs), the compiler also splits
 * the rows: each group of MXUs streams its share of M through every weight
 * tile. Every split of the MXUs into row groups is tried and the fastest
 * kept, as a compiler's cost model would. */
static void systolic_gemm(const struct chip *c, tpusim_dtype dtype, uint64_t batch, uint64_t m,
                          uint64_t k, uint64_t n, struct mxu_timing *out)
{
    struct mxu_params p = mxu_params_of(c);
    uint64_t cols = p.cols ? p.cols : 1;
    uint64_t wide = batch == 1 ? n : sat_mul(batch, sat_mul(ceil_div(n, cols), cols));
    uint64_t mxus = (uint64_t)c->mxu_per_core, passes = (uint64_t)mxu_passes_for(c, dtype);
    mxu_gemm(&p, mxus, passes, m, k, wide, out);
    for (uint64_t groups = 2; groups <= mxus && groups <= m; groups++) {
        if (mxus % groups)
            continue;
        struct mxu_timing t;
        mxu_gemm(&p, mxus / groups, passes, ceil_div(m, groups), k, wide, &t);
        if (t.total_cycles < out->total_cycles) {
            t.mac_slots = sat_mul(t.mac_slots, groups);
            t.mxus_used = sat_mul(t.mxus_used, groups);
            *out = t;
        }
    }
    out->useful_macs = sat_mul(batch, sat_mul(m, sat_mul(k, n)));
}

static void tensor_core_gemm(const struct chip *c, tpusim_dtype dtype, uint64_t batch, uint64_t m,
                             uint64_t k, uint64_t n, struct mxu_timing *out)
{
    gpu_gemm(c, dtype, batch, m, k, n, out, NULL);
}

/* Arrays without bf16 (Edge TPU) run int8 only. */
static tpusim_dtype systolic_default(const struct chip *c)
{
    return c->mxu_bf16 ? TPUSIM_DT_BFLOAT16 : TPUSIM_DT_INT8;
}

static const char *systolic_takes(const struct chip *c)
{
    return c->mxu_bf16 ? "" : " (its matrix unit is int8 only)";
}

static tpusim_dtype tensor_core_default(const struct chip *c)
{
    (void)c;
    return TPUSIM_DT_FLOAT16;
}

static const char *tensor_core_takes(const struct chip *c)
{
    (void)c;
    return " (its matrix unit takes fp16 or fp32)";
}

static const struct matrix_unit UNITS[] = {
    {MATRIX_SYSTOLIC, systolic_default, systolic_supports, systolic_takes, systolic_gemm, NULL,
     NULL, NULL},
    {MATRIX_TENSOR_CORES, tensor_core_default, gpu_dtype_supported, tensor_core_takes,
     tensor_core_gemm, gpu_gemm_accumulate, gpu_conv, gpu_rnn},
};

const char *conv_algo_name(enum conv_algo algo)
{
    static const char *const NAMES[CONV_ALGO_COUNT] = {
        "IMPLICIT_GEMM", "IMPLICIT_PRECOMP_GEMM", "GEMM", "WINOGRAD", "WINOGRAD_NONFUSED",
        "FFT_TILING"};
    return algo < CONV_ALGO_COUNT ? NAMES[algo] : "?";
}

const struct matrix_unit *matrix_unit_of(const struct chip *c)
{
    for (size_t i = 0; i < sizeof UNITS / sizeof UNITS[0]; i++)
        if (UNITS[i].kind == c->mxu_kind)
            return &UNITS[i];
    return &UNITS[0];
}

tpusim_dtype chip_default_dtype(const struct chip *c)
{
    return matrix_unit_of(c)->default_dtype(c);
}

int sim_dtype(const struct chip *c, tpusim_dtype asked, tpusim_dtype *out, char *err,
              size_t err_len)
{
    const struct matrix_unit *mu = matrix_unit_of(c);
    *out = asked ? asked : mu->default_dtype(c);
    if (mu->supports(c, *out))
        return TPUSIM_OK;
    snprintf(err, err_len, "chip %s does not run %s matmuls%s", c->name,
             tpusim_dtype_name(*out), mu->takes(c));
    return TPUSIM_ERR_UNSUPPORTED;
}

tpusim_dtype sim_asked_dtype(const struct chip *c, const struct tpusim_graph *g,
                             tpusim_dtype asked)
{
    if (asked || !g || !g->matrix_dtype)
        return asked;
    return matrix_unit_of(c)->supports(c, g->matrix_dtype) ? g->matrix_dtype
                                                            : TPUSIM_DT_UNDEFINED;
}
