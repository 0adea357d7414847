/*
 * systolic.h — the PE-level reference model of the weight-stationary MXU, in
 * SystemC: an R x C grid of PE modules clocked by one sc_clock that moves
 * every activation, partial sum and weight through real registers on every
 * cycle, and computes real numbers (int8 x int8 -> int32 and bf16 x bf16 ->
 * fp32 side by side). It exists to prove sim/mxu.c's closed form cycle for
 * cycle (tests/systemc/crosscheck.cpp); docs/systemc.md maps one onto the
 * other. The same array with A and W exchanged is the input-stationary
 * one; run_jobs_os (systolic_os.cpp) is the output-stationary array.
 *
 * The microarchitecture (systolic.cpp has the details):
 *  - PE(r, c) holds W[r][c] of the tile: an active weight register used by
 *    the multiply-accumulate and, with double buffering, a shadow register
 *    that the next tile's weights shift into.
 *  - Activations move right one PE per cycle, partial sums down one PE per
 *    cycle; activation element r of a row enters array row r r cycles after
 *    element 0 (the skew), so a row's partial sum meets each of its
 *    activations. Outputs leave the bottom row into per-column accumulators
 *    that sum the k-tiles of an n-tile.
 *  - Weights shift down each column one row per cycle, deepest row first
 *    (R cycles per tile), column c one cycle behind column c-1 (the same
 *    skew as the activations). A weight moves only when a weight is behind
 *    it, so a PE's register changes only when the load wave reaches it.
 *  - The switch to the next tile's weights travels with that tile's first
 *    activation row: PE(r, c) swaps shadow into active in the cycle the row
 *    reaches it.
 *  - Every PE checks its own hazards: an activation that meets another
 *    tile's weights, a weight shifted over weights not yet used, a partial
 *    sum out of step with its activation. A schedule that is too early
 *    shows up as a hazard (and wrong numbers), not as a silent speed-up.
 *
 * The sequencer at the array's edge issues as early as the array's state
 * allows: a tile streams once its last weight row is in and the previous
 * tile's rows are in; with double buffering the next load starts once the
 * feed is free and the previous tile has begun streaming (its weights are
 * leaving the shadow registers); without, once the array has drained (the
 * last activation has left the corner PE). A job can instead give its own
 * schedule (load and stream start per tile) to probe the hazard limits.
 */
#ifndef TPUSIM_SYSTOLIC_H
#define TPUSIM_SYSTOLIC_H

#include <cstdint>
#include <string>
#include <vector>

namespace systolic {

/* One GEMM (M x K) x (K x N); operands are drawn from `data_seed`. */
struct Job {
    uint64_t m = 0, k = 0, n = 0;
    uint64_t data_seed = 1;
    /* Optional schedule: cycle of each tile's first weight row and first
     * activation row, relative to the job's cycle 0. Empty: the sequencer's
     * own (as early as the array allows). */
    std::vector<uint64_t> load_at, stream_at;
};

/* Tile boundaries as observed at the array's edges (cycles from the job's
 * first weight entering; the same fields as struct mxu_tile_times). */
struct TileTimes {
    uint64_t load_start = 0, load_end = 0;     /* column 0's weight port busy */
    uint64_t stream_start = 0, stream_end = 0; /* row 0's activation port busy */
    uint64_t first_output = 0, last_output = 0; /* a result at the bottom row */
};

struct Result {
    bool finished = false;          /* every output came out */
    std::vector<TileTimes> tiles;   /* n-tile outer, k-tile inner */
    uint64_t total_cycles = 0;      /* last output cycle + 1 */
    /* Each cycle 0 .. last output charged once, as mxu.c does: a row
     * enters -> stream; else the weight feed is busy -> weight load; else
     * fill/drain (which includes the last output's cycle). */
    uint64_t stream_cycles = 0, weight_load_cycles = 0, fill_drain_cycles = 0;
    uint64_t hazards = 0;
    std::string first_hazard;
    /* The operands (row-major) and the accumulators after the job. */
    std::vector<int8_t> a_q, w_q;   /* M x K, K x N */
    std::vector<float> a_f, w_f;    /* bf16-rounded */
    std::vector<int32_t> out_q;     /* M x N */
    std::vector<float> out_f;
    double sim_seconds = 0;         /* wall time of this job's cycles */
};

struct Stats {
    double elaborate_seconds = 0;   /* building the R x C grid of modules */
    double run_seconds = 0;         /* sc_start() for all jobs */
    uint64_t cycles = 0;            /* clock cycles simulated */
};

/* Elaborates one R x C array (double-buffered or not) and runs `jobs` on
 * it back to back; out[i] is job i's result. SystemC elaborates once per
 * process, so this may be called once per process. */
void run_jobs(unsigned rows, unsigned cols, bool double_buffered, const std::vector<Job> &jobs,
              std::vector<Result> &out, Stats *stats);

/* The same for an output-stationary R x C array (systolic_os.cpp): PE(r, c)
 * accumulates output (m0 + r, n0 + c) while A's rows stream from the left
 * and W's columns from the top; tiles cut M and N, n-tiles outer. Nothing
 * is loaded: load_start = load_end = stream_start. A job's schedule is
 * stream_at only. Once per process, like run_jobs. */
void run_jobs_os(unsigned rows, unsigned cols, const std::vector<Job> &jobs,
                 std::vector<Result> &out, Stats *stats);

/* fp32 rounded to the nearest bf16 (ties to even), as a float. */
float round_bf16(float x);

} // namespace systolic

#endif /* TPUSIM_SYSTOLIC_H */
