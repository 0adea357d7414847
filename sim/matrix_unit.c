/*
 * matrix_unit.c — the table of matrix-unit implementations (see
 * matrix_unit.h) and the systolic array's batched GEMM.
 */
#include "matrix_unit.h"

#include "cycles.h"
#include "gpu.h"

static bool systolic_supports(const struct chip *c, tpusim_dtype dtype)
{
    return mxu_passes_for(c, dtype) > 0;
}

/* Independent GEMMs line up as more n-tiles on the array: each is padded
 * to whole tiles, and the weight tiles of one never mix with another's. */
static void systolic_gemm(const struct chip *c, tpusim_dtype dtype, uint64_t batch, uint64_t m,
                          uint64_t k, uint64_t n, struct mxu_timing *out)
{
    struct mxu_params p = mxu_params_of(c);
    uint64_t cols = p.cols ? p.cols : 1;
    uint64_t wide = batch == 1 ? n : sat_mul(batch, sat_mul(ceil_div(n, cols), cols));
    mxu_gemm(&p, (uint64_t)c->mxu_per_core, (uint64_t)mxu_passes_for(c, dtype), m, k, wide, out);
    out->useful_macs = sat_mul(batch, sat_mul(m, sat_mul(k, n)));
}

static void tensor_core_gemm(const struct chip *c, tpusim_dtype dtype, uint64_t batch, uint64_t m,
                             uint64_t k, uint64_t n, struct mxu_timing *out)
{
    gpu_gemm(c, dtype, batch, m, k, n, out, NULL);
}

static const struct matrix_unit UNITS[] = {
    {"systolic", MATRIX_SYSTOLIC, TPUSIM_DT_BFLOAT16, systolic_supports, systolic_gemm},
    {"tensor_cores", MATRIX_TENSOR_CORES, TPUSIM_DT_FLOAT16, gpu_dtype_supported,
     tensor_core_gemm},
};

const struct matrix_unit *matrix_unit_of(const struct chip *c)
{
    for (size_t i = 0; i < sizeof UNITS / sizeof UNITS[0]; i++)
        if (UNITS[i].kind == c->mxu_kind)
            return &UNITS[i];
    return &UNITS[0];
}

tpusim_dtype chip_default_dtype(const struct chip *c)
{
    if (c->mxu_kind == MATRIX_SYSTOLIC && !c->mxu_bf16)
        return TPUSIM_DT_INT8;
    return matrix_unit_of(c)->default_dtype;
}
