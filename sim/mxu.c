/*
 * mxu.c — the weight-stationary systolic array of mxu.h in closed form: tile
 * boundaries in O(1), a whole GEMM in O(1), the n-tile split over MXUs.
 *
 * Closed forms (0-based tile t, T tiles of M rows each, R x C array).
 * Unrolling mxu.h's recurrence with stream_end(-1) = 0:
 *
 *  Double-buffered weights. load_start(t+1) = max(load_end(t),
 *  stream_start(t)) = stream_start(t), because a tile never streams before
 *  its weights are in. Then stream_start(t+1) = max(stream_start(t) + R,
 *  stream_start(t) + M), so with the period Q = max(M, R):
 *      stream_start(t) = R + t*Q
 *      load_start(t)   = 0 for t = 0, else R + (t-1)*Q
 *  Without double buffering. load_start(t+1) = stream_end(t) + R + C - 2 and
 *  stream_start(t+1) = load_start(t+1) + R, so with Q = M + 2R + C - 2:
 *      stream_start(t) = R + t*Q
 *      load_start(t)   = t*Q
 *  Both: load_end = load_start + R, stream_end = stream_start + M,
 *  first_output = stream_start + R, last_output = stream_end + R + C - 2.
 *
 *  total_cycles = last_output(T-1) + 1
 *      double-buffered:     2R + C - 1 + M + (T-1)*max(M, R)
 *      not double-buffered: T*(M + 2R + C - 2) + 1
 *
 * Attribution. Every cycle 0 .. last_output(T-1) is charged once: to
 * stream_cycles if an activation row enters in it; else to
 * weight_load_cycles if a weight load is in progress (the array waits for
 * weights); else to fill_drain_cycles (the array waits for activations to
 * cross it). The last cycle, in which the last output leaves, is the "+1":
 *      stream + weight_load + fill_drain + 1 == total.
 *  double-buffered:     weight_load = R + (T-1)*max(R - M, 0)
 *                       fill_drain  = R + C - 2          (the final drain)
 *  not double-buffered: weight_load = T*R
 *                       fill_drain  = T*(R + C - 2)      (a drain per tile)
 *
 * Input stationary is this array on the transposed GEMM: M and N swap
 * (mxu_fold_shape), nothing else changes. Output stationary (mxu.h), one
 * fold of K streamed: stream_start(t) = t*Q with Q = K + R + C - 2 (the
 * next fold enters once the corner PE's result has left), total_cycles =
 * T*Q + 1; stream = T*K, weight_load = 0, fill_drain = T*(R + C - 2), the
 * same identity.
 *
 * Overflow: every sum and product saturates at UINT64_MAX (a sticky
 * "too large to count"), so a result is either exact or UINT64_MAX; the
 * identity above holds only for results that did not saturate.
 */
#include "cycles.h"
#include "mxu.h"

/* R + C - 2 needs R, C >= 1, and a 0-wide array computes nothing. The
 * 2^31 cap (no chip file comes near it) keeps 2R + C exact, so only the
 * shape-dependent terms need saturating arithmetic. Outside it: all zero. */
static int params_ok(const struct mxu_params *p)
{
    const uint64_t cap = (uint64_t)1 << 31;
    if (p->dataflow == MXU_OUTPUT_STATIONARY && p->double_buffered)
        return 0; /* shadow accumulators: not modelled */
    return p->rows > 0 && p->cols > 0 && p->rows <= cap && p->cols <= cap;
}

struct mxu_fold_shape mxu_fold_shape(const struct mxu_params *p, uint64_t m, uint64_t k,
                                     uint64_t n)
{
    switch (p->dataflow) {
    case MXU_OUTPUT_STATIONARY:
        return (struct mxu_fold_shape){.row_size = m, .col_size = n, .stream = k};
    case MXU_INPUT_STATIONARY:
        return (struct mxu_fold_shape){.row_size = k, .col_size = m, .stream = n};
    default:
        return (struct mxu_fold_shape){.row_size = k, .col_size = n, .stream = m};
    }
}

/* Cycles a fold's held operand takes to shift in: R rows, or none when the
 * PEs hold outputs (os). */
static uint64_t held_load_cycles(const struct mxu_params *p)
{
    return p->dataflow == MXU_OUTPUT_STATIONARY ? 0 : p->rows;
}

uint64_t mxu_tile_count(const struct mxu_params *p, uint64_t k, uint64_t n)
{
    if (!params_ok(p) || p->dataflow != MXU_WEIGHT_STATIONARY || k == 0 || n == 0)
        return 0;
    return sat_mul(ceil_div(k, p->rows), ceil_div(n, p->cols));
}

/* The per-tile period Q of the closed forms above, for folds streaming m
 * rows: load (none in os), stream, drain. */
static uint64_t period(const struct mxu_params *p, uint64_t m)
{
    uint64_t r = p->rows, c = p->cols;
    if (p->double_buffered)
        return m > r ? m : r;
    return sat_add(m, held_load_cycles(p) + r + c - 2);
}

void mxu_tile(const struct mxu_params *p, uint64_t m, uint64_t k, uint64_t n, uint64_t t,
              struct mxu_tile_times *out)
{
    *out = (struct mxu_tile_times){0};
    if (!params_ok(p) || m == 0 || k == 0 || n == 0)
        return;
    /* Every tile streams the same length, so the other sizes decide only
     * how many tiles there are; a t past the last tile extends the
     * recurrence as if there were more. */
    m = mxu_fold_shape(p, m, k, n).stream;
    uint64_t r = p->rows, c = p->cols, q = period(p, m);
    uint64_t lr = held_load_cycles(p);
    uint64_t ss = sat_add(lr, sat_mul(t, q));
    uint64_t ls;
    if (p->double_buffered)
        ls = t == 0 ? 0 : sat_add(r, sat_mul(t - 1, q));
    else
        ls = sat_mul(t, q);
    out->load_start = ls;
    out->load_end = sat_add(ls, lr);
    out->stream_start = ss;
    out->stream_end = sat_add(ss, m);
    /* ws/is: row 0 leaves the bottom row R cycles after it enters; os:
     * PE(0, 0) has its result after the K-th operand pair. */
    out->first_output = p->dataflow == MXU_OUTPUT_STATIONARY ? out->stream_end : sat_add(ss, r);
    out->last_output = sat_add(out->stream_end, r + c - 2);
}

/* `tiles` weight tiles of M rows back to back on one MXU: every field but
 * useful_macs and mxus_used. */
static void run_tiles(const struct mxu_params *p, uint64_t m, uint64_t tiles,
                      struct mxu_timing *out)
{
    uint64_t r = p->rows, c = p->cols, drain = r + c - 2;
    out->tiles = tiles;
    out->steps = tiles;
    out->step_cycles = period(p, m);
    out->stream_cycles = sat_mul(tiles, m);
    if (p->double_buffered) {
        uint64_t q = m > r ? m : r;
        uint64_t exposed = r > m ? r - m : 0; /* load not hidden behind M rows */
        out->total_cycles =
            sat_add(sat_add(2 * r + c - 1, m), sat_mul(tiles - 1, q));
        out->weight_load_cycles = sat_add(r, sat_mul(tiles - 1, exposed));
        out->fill_drain_cycles = drain;
        out->prologue_cycles = r;
    } else {
        out->total_cycles = sat_add(sat_mul(tiles, period(p, m)), 1);
        out->weight_load_cycles = sat_mul(tiles, held_load_cycles(p));
        out->fill_drain_cycles = sat_mul(tiles, drain);
    }
    /* total = prologue + steps x step + epilogue; the epilogue of a
     * double-buffered array is R + C - 1 + M - max(M, R) >= C, without
     * double buffering the last output's cycle (1). Saturated totals leave
     * it 0. */
    uint64_t held = sat_add(out->prologue_cycles, sat_mul(tiles, out->step_cycles));
    out->epilogue_cycles = out->total_cycles > held ? out->total_cycles - held : 0;
    out->mac_slots = sat_mul(sat_mul(r, c), out->stream_cycles);
}

void mxu_gemm_one(const struct mxu_params *p, uint64_t m, uint64_t k, uint64_t n,
                  struct mxu_timing *out)
{
    mxu_gemm(p, 1, 1, m, k, n, out);
}

/*
 * The n-tiles are dealt out as evenly as they go: mxus_used = min(n_mxu,
 * n_tiles) MXUs, the busiest holding ceil(n_tiles / mxus_used) n-tiles with
 * all their k-tiles. An fp32 matmul's `passes` bf16 passes run back to back
 * on the same MXU as more weight tiles of the same pipeline (each pass
 * loads its own weight tiles; double buffering carries across passes), so
 * there is one fill/drain at the end, not one per pass:
 *     tiles = passes * k_tiles * ceil(n_tiles / mxus_used)
 * and the timing is run_tiles(tiles). The time is the busiest MXU's;
 * stream/weight_load/fill_drain are that MXU's too. mac_slots sums R*C*M
 * over every tile on every MXU used (passes * k_tiles * n_tiles tiles);
 * useful_macs stays M*K*N whatever the passes, so utilisation shows what
 * fp32 emulation costs.
 */
void mxu_gemm(const struct mxu_params *p, uint64_t n_mxu, uint64_t passes, uint64_t m,
              uint64_t k, uint64_t n, struct mxu_timing *out)
{
    *out = (struct mxu_timing){0};
    /* Zero passes is an unsupported dtype (mxu_passes_for): callers must
     * check it; no work, no MXU, no time. */
    if (!params_ok(p) || n_mxu == 0 || passes == 0 || m == 0 || k == 0 || n == 0)
        return;
    struct mxu_fold_shape f = mxu_fold_shape(p, m, k, n);
    uint64_t k_tiles = ceil_div(f.row_size, p->rows);
    uint64_t n_tiles = ceil_div(f.col_size, p->cols);
    uint64_t used = n_mxu < n_tiles ? n_mxu : n_tiles;
    uint64_t busiest = ceil_div(n_tiles, used);
    m = f.stream;
    run_tiles(p, m, sat_mul(passes, sat_mul(k_tiles, busiest)), out);
    uint64_t all_tiles = sat_mul(passes, sat_mul(k_tiles, n_tiles));
    out->mac_slots = sat_mul(sat_mul(sat_mul(p->rows, p->cols), m), all_tiles);
    out->useful_macs = sat_mul(sat_mul(f.row_size, f.col_size), f.stream);
    out->mxus_used = used;
}

struct mxu_params mxu_params_of(const struct chip *c)
{
    struct mxu_params p = {
        .rows = c->mxu_rows > 0 ? (uint64_t)c->mxu_rows : 0,
        .cols = c->mxu_cols > 0 ? (uint64_t)c->mxu_cols : 0,
        .double_buffered = c->mxu_double_buffered_weights,
    };
    return p;
}

/*
 * int8 takes one pass even where a PE could do two int8 MACs a cycle
 * (mxu_int8_macs_per_pe_per_cycle >= 2): the array's shape, not its MAC
 * rate, sets the cycles of this model, and no chip we model has a
 * documented double-rate int8 array mode on the MXU path.
 */
int mxu_passes_for(const struct chip *c, tpusim_dtype dtype)
{
    switch (dtype) {
    case TPUSIM_DT_BFLOAT16:
    case TPUSIM_DT_FLOAT16:
        return c->mxu_bf16 ? 1 : 0;
    case TPUSIM_DT_INT8:
    case TPUSIM_DT_UINT8:
        return 1;
    case TPUSIM_DT_FLOAT32:
        /* fp32 is emulated by bf16 passes; an int8-only array has no fp32. */
        return c->mxu_bf16 && c->mxu_fp32_passes > 0 ? c->mxu_fp32_passes : 0;
    default:
        return 0;
    }
}
