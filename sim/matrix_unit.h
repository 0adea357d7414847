/*
 * matrix_unit.h — the small interface the timing core uses for a chip's
 * matrix unit, chosen by name in the chip file (mxu.kind): a TPU systolic
 * array (sim/mxu.c) or a GPU's tensor cores (sim/gpu.c). Both answer in the
 * same timing form (struct mxu_timing).
 */
#ifndef TPUSIM_MATRIX_UNIT_H
#define TPUSIM_MATRIX_UNIT_H

#include <stdbool.h>
#include <stdint.h>

#include "chip.h"
#include "mxu.h"
#include "tpusim.h"

struct matrix_unit {
    const char *name;            /* the chip file's mxu.kind */
    enum matrix_kind kind;
    tpusim_dtype default_dtype;  /* when the user names none (may be refined per chip) */
    bool (*supports)(const struct chip *c, tpusim_dtype dtype);
    /* `batch` independent GEMMs (M x K) x (K x N) on one core's matrix units. */
    void (*gemm)(const struct chip *c, tpusim_dtype dtype, uint64_t batch, uint64_t m,
                 uint64_t k, uint64_t n, struct mxu_timing *out);
};

const struct matrix_unit *matrix_unit_of(const struct chip *c);
/* The dtype a chip runs when none is asked for: bf16 on TPUs, int8 on
 * int8-only arrays, fp16 on GPUs. */
tpusim_dtype chip_default_dtype(const struct chip *c);

#endif /* TPUSIM_MATRIX_UNIT_H */
