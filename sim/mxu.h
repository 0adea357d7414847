/*
 * mxu.h — the matrix unit: a weight-stationary R x C systolic array, in
 * closed form. The SystemC PE-level model (tests/systemc/, docs/systemc.md) agrees
 * with these formulas cycle for cycle.
 *
 * The model (cycle 0 = the first weight row enters):
 *  - A GEMM (M x K) x (K x N) is cut into weight tiles of up to R (K) x C (N);
 *    tiles run n-tile by n-tile, k-tiles inner, partial sums accumulating in
 *    the accumulators without a trip to memory. K and N pad up to R and C:
 *    a partial tile costs a full tile.
 *  - Loading a tile's weights shifts R rows in, one per cycle: R cycles.
 *  - Activations stream: tile t's M rows enter one per cycle from
 *    stream_start(t); stream_end(t) = stream_start(t) + M.
 *    stream_start(t) = max(load_end(t), stream_end(t-1)).
 *  - Double-buffered weights: tile t+1 loads into the shadow registers as
 *    soon as tile t has moved to the active ones (at stream_start(t)):
 *    load_start(t+1) = max(load_end(t), stream_start(t)).
 *    Without double buffering, the weights are in use until the last
 *    activation has crossed the array:
 *    load_start(t+1) = stream_end(t) + R + C - 2.
 *  - Output of activation row i at column c leaves the array at
 *    stream_start(t) + i + c + R; so first_output(t) = stream_start(t) + R and
 *    last_output(t) = stream_end(t) + R + C - 2. The GEMM ends at
 *    last_output(T) + 1 cycles (fill/drain: R + C - 2 beyond the stream).
 *  - So with double buffering a tile costs max(M, R) cycles in steady
 *    state: M < R is weight-load bound (batch-1 fully connected layers).
 *  - Several MXUs per core split the n-tiles (the compiler's usual split);
 *    the slowest MXU sets the time. fp32 runs mxu_fp32_passes bf16 passes.
 *  - The closed forms, the rule that charges each idle cycle to weight load
 *    or fill/drain, and overflow saturation (UINT64_MAX) are in mxu.c.
 */
#ifndef TPUSIM_MXU_H
#define TPUSIM_MXU_H

#include <stdint.h>

#include "chip.h"
#include "tpusim.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Which operand the PEs hold while the others stream (SCALE-Sim's three
 * dataflows). The chips' MXUs are weight stationary; the other two exist
 * for `tpusim scalesim` (scalesim.h). Each is checked PE by PE against the
 * SystemC reference (docs/systemc.md).
 *  - Weight stationary: a K x N weight tile held, the M rows stream (above).
 *  - Input stationary: the same array with the operands swapped: a K x M
 *    tile of the activations held (K down the rows, M across), the N weight
 *    columns stream, partial sums flow down. It is the weight-stationary
 *    array on the transposed GEMM (N x K)(K x M), tile for tile.
 *  - Output stationary: PE(r, c) holds the accumulator of output (m0 + r,
 *    n0 + c). Row r of the activations enters from the left and column c of
 *    the weights from the top, element k at stream_start + k + r (+ c for
 *    the weights), moving one PE per cycle, so PE(r, c) does its k-th MAC
 *    at stream_start + k + r + c and puts its result on its column's
 *    output port the cycle after its last one. A tile is M and N cut to
 *    R x C; K streams: stream_end = stream_start + K, first_output =
 *    stream_start + K, last_output = stream_start + K + R + C - 2. Nothing
 *    is loaded (load_start = load_end = stream_start: the first operands
 *    clear the accumulators). Single-buffered only, as SCALE-Sim runs it:
 *    the next tile's operands enter in the cycle the corner PE's result
 *    leaves, period K + R + C - 2. Tiles run n-tile by n-tile, m-tiles
 *    inner. */
enum mxu_dataflow {
    MXU_WEIGHT_STATIONARY = 0,
    MXU_OUTPUT_STATIONARY,
    MXU_INPUT_STATIONARY,
};

struct mxu_params {
    uint64_t rows;            /* R */
    uint64_t cols;            /* C */
    int double_buffered;      /* the held operand (weights in ws) */
    enum mxu_dataflow dataflow; /* 0: weight stationary */
};

/* How a GEMM (M x K)(K x N) lies on the array for p's dataflow: the sizes
 * cut into folds along the array's rows (R) and columns (C), and the
 * length each fold streams. ws: (K, N, M); os: (M, N, K); is: (K, M, N).
 * Tiles: ceil(row_size / R) x ceil(col_size / C), column folds outer. */
struct mxu_fold_shape {
    uint64_t row_size, col_size, stream;
};

/* One tile's boundaries (cycles from the first weight entering). */
struct mxu_tile_times {
    uint64_t load_start, load_end;
    uint64_t stream_start, stream_end;
    uint64_t first_output, last_output;
};

struct mxu_timing {
    uint64_t total_cycles;        /* first weight in -> last output out (+1) */
    uint64_t tiles;               /* weight tiles per MXU (the busiest MXU) */
    uint64_t stream_cycles;       /* cycles activations stream: tiles x M */
    uint64_t weight_load_cycles;  /* cycles the array waits for weights (not hidden) */
    uint64_t fill_drain_cycles;   /* R + C - 2 at the end, plus gaps without double buffering */
    uint64_t mac_slots;           /* R x C x stream cycles x MXUs used */
    uint64_t useful_macs;         /* M x K x N */
    uint64_t mxus_used;
    uint64_t wave_quant_cycles;   /* GPUs (sim/gpu.h): SMs idle in the last partial wave;
                                     0 on a systolic array */
    /* The same time as the engines see it: a prologue, `steps` equal steps
     * that hold the unit, and an epilogue after the last one, with
     * total_cycles = prologue + steps x step + epilogue. Systolic,
     * double-buffered: the first weight load (R), one step per weight tile
     * of max(M, R) (the array streams M rows or waits for the next load),
     * the final drain. Without double buffering a step is M + 2R + C - 2
     * and the epilogue the last output's cycle. GPUs: waves of thread
     * blocks, then the split-K reduction. Rows that follow on the same
     * array overlap the epilogue (its outputs drain while they stream) and
     * the prologue (the next weight tile loads into the shadow registers). */
    uint64_t prologue_cycles;
    uint64_t steps;
    uint64_t step_cycles;
    uint64_t epilogue_cycles;
};

struct mxu_fold_shape mxu_fold_shape(const struct mxu_params *p, uint64_t m, uint64_t k,
                                     uint64_t n);
/* Weight tiles of a (K x N) weight matrix: ceil(K/R) x ceil(N/C); 0 if k or
 * n is 0. Weight stationary only (other dataflows: mxu_gemm_one's tiles). */
uint64_t mxu_tile_count(const struct mxu_params *p, uint64_t k, uint64_t n);
/* Tile t (0-based) of a GEMM on one MXU, in O(1) where the formula allows. */
void mxu_tile(const struct mxu_params *p, uint64_t m, uint64_t k, uint64_t n, uint64_t t,
              struct mxu_tile_times *out);
/* A whole GEMM on one MXU, closed form (no per-tile loop). Output
 * stationary: weight_load_cycles is 0, fill_drain R + C - 2 per tile. A
 * double-buffered output-stationary array is not modelled: all zero. */
void mxu_gemm_one(const struct mxu_params *p, uint64_t m, uint64_t k, uint64_t n,
                  struct mxu_timing *out);
/* A GEMM on `n_mxu` MXUs sharing the n-tiles, `passes` times (fp32). */
void mxu_gemm(const struct mxu_params *p, uint64_t n_mxu, uint64_t passes, uint64_t m,
              uint64_t k, uint64_t n, struct mxu_timing *out);
/* Parameters of a chip's MXU. */
struct mxu_params mxu_params_of(const struct chip *c);
/* bf16 passes for one matmul in `dtype` on this chip; 0 if unsupported. */
int mxu_passes_for(const struct chip *c, tpusim_dtype dtype);

#ifdef __cplusplus
}
#endif

#endif /* TPUSIM_MXU_H */
