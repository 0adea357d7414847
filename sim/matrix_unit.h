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

/* A 2-D convolution's full descriptor, what a GPU library needs to pick an
 * algorithm (the implicit GEMM's M, K and N are not enough). Sizes of the
 * NCHW tensors; the filters are K x C/groups x R x S. */
struct conv_desc {
    uint64_t n, c, h, w;           /* input */
    uint64_t k, r, s;              /* K filters of R (height) x S (width) */
    uint64_t p, q;                 /* output height, width */
    uint64_t pad_h, pad_w;         /* zero padding before the first row, column */
    uint64_t stride_h, stride_w;
    uint64_t dilation_h, dilation_w;
    uint64_t groups;
    bool nchw;                     /* tensors are NCHW in memory; false: NHWC, the
                                      layout tensor cores read */
    bool setup_prebuilt;           /* the library's setup kernels for these weights
                                      (offset tables, filter transforms) ran ahead, when
                                      an engine was built; false: with the call */
    bool strided_split_k;          /* strided tensor-core kernels may split K (the
                                      stack's library has such kernels) */
};

/* cuDNN's forward convolution algorithms (cudnnConvolutionFwdAlgo_t). */
enum conv_algo {
    CONV_ALGO_IMPLICIT_GEMM,
    CONV_ALGO_IMPLICIT_PRECOMP_GEMM,
    CONV_ALGO_GEMM,
    CONV_ALGO_WINOGRAD,
    CONV_ALGO_WINOGRAD_NONFUSED,
    CONV_ALGO_FFT_TILING,
    CONV_ALGO_COUNT
};

/* cuDNN's name of an algorithm without its prefix ("IMPLICIT_GEMM"). */
const char *conv_algo_name(enum conv_algo algo);

/* A convolution's time in the matrix unit's form, plus what its algorithm
 * moves through DRAM beyond reading x and w and writing y once. */
struct conv_timing {
    struct mxu_timing mxu;
    uint64_t extra_hbm_bytes;      /* transformed tensors (Winograd, FFT, im2col),
                                      layout copies, split-K partial sums */
    uint64_t x_skipped_bytes;      /* of x as given, what the algorithm never reads
                                      (a strided filter narrower than its stride) */
    uint64_t kernels;              /* kernels the algorithm launches */
    enum conv_algo algo;
};

/* A recurrent layer (ONNX RNN, GRU, LSTM) from its sizes. */
struct rnn_desc {
    uint64_t seq, batch, input, hidden, dirs;
    uint64_t gates;                /* 1 (RNN), 3 (GRU), 4 (LSTM) */
    uint64_t cell_ops;             /* element operations per hidden unit and step
                                      besides the matmuls (sim/infer_nn.c's count) */
};

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
    /* As gemm, when the op also adds an M x N matrix to the product (ONNX
     * Gemm's C at full size: cuBLAS's beta != 0) and the unit reads it in
     * its epilogue; NULL: gemm (the addition is the vector unit's). */
    void (*gemm_accumulate)(const struct chip *c, tpusim_dtype dtype, uint64_t batch,
                            uint64_t m, uint64_t k, uint64_t n, struct mxu_timing *out);
    /* A convolution from its descriptor, as the chip's library would run
     * it; NULL: lower it as an implicit GEMM through `gemm`. */
    void (*conv)(const struct chip *c, tpusim_dtype dtype, const struct conv_desc *cd,
                 struct conv_timing *out);
    /* A whole recurrent layer, its cell arithmetic included, as the chip's
     * library runs it; NULL: one GEMM per step through `gemm`, the cell
     * arithmetic on the vector unit. */
    void (*rnn)(const struct chip *c, tpusim_dtype dtype, const struct rnn_desc *rd,
                struct mxu_timing *out);
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
/* The dtype a run of graph g asks for: `asked` (--dtype) when given, else
 * the graph's matrix dtype (int8 for a quantized graph) when the chip's
 * matrix unit runs it, else TPUSIM_DT_UNDEFINED (the chip's default). */
struct tpusim_graph;
tpusim_dtype sim_asked_dtype(const struct chip *c, const struct tpusim_graph *g,
                             tpusim_dtype asked);

#endif /* TPUSIM_MATRIX_UNIT_H */
