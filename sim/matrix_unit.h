/*
 * matrix_unit.h — the small interface the timing core uses for a chip's
 * matrix unit, chosen by name in the chip file (mxu.kind): a TPU systolic
 * array (sim/mxu.c) or a GPU's tensor cores (sim/gpu.c). Both answer in the
 * same timing form (struct mxu_timing).
 */
#ifndef TPUSIM_MATRIX_UNIT_H
#define TPUSIM_MATRIX_UNIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chip.h"
#include "mxu.h"
#include "tpusim.h"

struct matrix_unit {
    enum matrix_kind kind;       /* its name: chip_matrix_kind_name() */
    /* The dtype run when the user names none. */
    tpusim_dtype (*default_dtype)(const struct chip *c);
    bool (*supports)(const struct chip *c, tpusim_dtype dtype);
    /* What it takes, for the "does not run" message: " (its matrix unit
     * takes fp16 or fp32)", or "" when there is nothing short to say. */
    const char *(*takes)(const struct chip *c);
    /* `batch` independent GEMMs (M x K) x (K x N) on one core's matrix units. */
    void (*gemm)(const struct chip *c, tpusim_dtype dtype, uint64_t batch, uint64_t m,
                 uint64_t k, uint64_t n, struct mxu_timing *out);
};

const struct matrix_unit *matrix_unit_of(const struct chip *c);
/* The dtype a chip runs when none is asked for: bf16 on TPUs, int8 on
 * int8-only arrays, fp16 on GPUs. */
tpusim_dtype chip_default_dtype(const struct chip *c);
/* Resolves the dtype a query asks for (TPUSIM_DT_UNDEFINED: the chip's
 * default) into *out and checks the matrix unit runs it. Returns
 * TPUSIM_ERR_UNSUPPORTED with "chip X does not run Y matmuls (...)" in err
 * otherwise. The one place a query's dtype is decided. */
int sim_dtype(const struct chip *c, tpusim_dtype asked, tpusim_dtype *out, char *err,
              size_t err_len);

#endif /* TPUSIM_MATRIX_UNIT_H */
