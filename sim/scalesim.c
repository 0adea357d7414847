/*
 * scalesim.c — one SCALE-Sim layer on tpusim's systolic array (mxu.h),
 * reported in SCALE-Sim's terms.
 *
 * SCALE-Sim's ws layer is a GEMM: M = output pixels (its "T"), K = filter
 * window R x S x C (its "Sr", on the array's rows), N = filters (its "Sc",
 * on the columns). It cuts K and N into folds of ArrayHeight x ArrayWidth,
 * N-folds outer, K-folds inner, and runs each fold alone: load the weights
 * (H cycles), stream the M rows skewed, drain, then the next fold. That is
 * tpusim's array without double-buffered weights, tile by tile (mxu.h:
 * period M + 2H + W - 2 per tile), so the cycles come from mxu_gemm_one and
 * mxu_tile, with SCALE-Sim's origin applied here:
 *  - SCALE-Sim writes an output in its trace in the cycle the bottom PE
 *    completes it, one cycle before tpusim's last_output (the cycle it
 *    leaves the array);
 *  - its "Total Cycles" is that last write's cycle index, where tpusim's
 *    total_cycles counts cycles (last_output + 1).
 * So SCALE-Sim's Total Cycles = tpusim's total_cycles - 2.
 *
 * os and is are the same array model with another operand held
 * (mxu_fold_shape): os holds an H x W block of outputs (M on the rows, N on
 * the columns) while the K-long rows of ifmap and columns of filters stream
 * in skewed, fold after fold (period K + H + W - 2, one fold's last result
 * leaving as the next enters: systolic_compute_os.py); is holds a K x M
 * block of the ifmap and streams the N filters (systolic_compute_is.py, ws
 * with ifmap and filter exchanged). The same origin shift holds for both:
 * SCALE-Sim writes each output one cycle before it leaves.
 * Its reads are one cycle later than the demand (an SRAM hit latency of 1:
 * read_buffer.py), which the *_sram_start/stop cycles of ifmap and filter
 * carry.
 */
#include <stdbool.h>
#include <stdio.h>

#include "cycles.h"
#include "mxu.h"
#include "scalesim.h"
#include "tpusim.h"

/* tpusim counts to one past the cycle the last output leaves; SCALE-Sim
 * reports the cycle before it leaves (see above). */
#define SCALESIM_ORIGIN_SHIFT_CYCLES 2
/* SCALE-Sim's read buffers serve a hit one cycle after the demand. */
#define SCALESIM_SRAM_HIT_LATENCY_CYCLES 1

uint64_t scalesim_out_size(uint64_t in, uint64_t filter, uint64_t stride)
{
    /* topology_utils.py: ceil((in - filter + stride) / stride). Unlike
     * floor((in - filter) / stride) + 1 it counts a last window that hangs
     * past the input; SCALE-Sim leaves its missing pixels out (address -1). */
    return ceil_div(in - filter + stride, stride);
}

/* Used rows (or columns) of fold f of `size` on an edge of `edge` PEs. */
static uint64_t fold_used(uint64_t size, uint64_t edge, uint64_t f)
{
    uint64_t left = size - f * edge;
    return left < edge ? left : edge;
}

/* The last output pixel in [p0, p1] whose window element `j` (row, column,
 * channel of the filter, channels innermost) lies inside the input: SCALE-Sim
 * marks the others absent (address -1), which its trace's first and last
 * access skip (its read counts include them). Element j is present for the
 * output rows 0 .. last_r and columns 0 .. last_c, a rectangle. False if
 * none in the range is. */
static bool last_valid_in(const struct scalesim_layer *l, uint64_t ow, uint64_t j, uint64_t p0,
                          uint64_t p1, uint64_t *pixel)
{
    uint64_t row = j / (l->filter_w * l->channels);
    uint64_t col = (j / l->channels) % l->filter_w;
    uint64_t last_r = (l->ifmap_h - 1 - row) / l->stride_h;
    uint64_t last_c = (l->ifmap_w - 1 - col) / l->stride_w;
    uint64_t r1 = p1 / ow, c1 = p1 % ow, p;
    if (r1 > last_r)
        p = last_r * ow + (last_c < ow - 1 ? last_c : ow - 1);
    else if (c1 <= last_c)
        p = p1;
    else
        p = r1 * ow + last_c;
    if (p < p0)
        return false;
    *pixel = p;
    return true;
}

/* a / b as Python's int / int gives it (correctly rounded) when both are
 * below 2^53, as they are for any layer the loader takes (its MACs below
 * 2^53) but for Overall Util's x 100 on the very largest. */
static double ratio(uint64_t a, uint64_t b)
{
    return (double)a / (double)b;
}

/* Beyond this many folds the averages are summed by kind of fold (full or
 * partial rows x columns) instead of one by one: bounded time, the same
 * value up to the last printed digits. */
#define SCALESIM_FOLDS_SUMMED_MAX ((uint64_t)1 << 20)

/* Mapping efficiency and compute utilisation: SCALE-Sim's per-fold values
 * (systolic_compute_{ws,os,is}.py) averaged over the folds, summed in its
 * fold order (column folds outer) as its Python does, so that the printed
 * digits agree. A fold's value depends only on its used rows and columns.
 * SCALE-Sim counts a fold's cycles as one of its demand matrices' rows plus
 * columns less one: for os the output demand, one array period
 * (`step_cycles`); for ws and is the held operand's, a period plus W - 1. */
static void fold_averages(const struct scalesim_config *cfg, const struct mxu_fold_shape *f,
                          const struct mxu_timing *t, enum mxu_dataflow df,
                          struct scalesim_layer_result *out)
{
    uint64_t h = cfg->array_rows, w = cfg->array_cols;
    uint64_t r_folds = ceil_div(f->row_size, h), c_folds = ceil_div(f->col_size, w);
    uint64_t fold_cycles = t->step_cycles + (df == MXU_OUTPUT_STATIONARY ? 0 : w - 1);
    double map_sum = 0, util_sum = 0;
    for (uint64_t fc = 0; fc < c_folds; fc++) {
        /* Fold columns 0 .. c_folds - 2 are alike, and so are rows. */
        uint64_t fc_n = 1;
        if (out->folds > SCALESIM_FOLDS_SUMMED_MAX && fc + 1 < c_folds)
            fc_n = c_folds - 1 - fc;
        for (uint64_t fr = 0; fr < r_folds; fr++) {
            uint64_t fr_n = 1;
            if (out->folds > SCALESIM_FOLDS_SUMMED_MAX && fr + 1 < r_folds)
                fr_n = r_folds - 1 - fr;
            uint64_t macs = fold_used(f->row_size, h, fr) * fold_used(f->col_size, w, fc);
            double times = (double)(fc_n * fr_n);
            map_sum += times * ratio(macs, h * w);
            util_sum +=
                times * ratio(sat_mul(macs, f->stream), sat_mul(h * w, fold_cycles));
            fr += fr_n - 1;
        }
        fc += fc_n - 1;
    }
    double folds = (double)out->folds;
    out->mapping_eff_pct = map_sum / folds * 100;
    out->compute_util_pct = util_sum / folds * 100;
}

/* When the last present ifmap element of a fold enters the array, in
 * cycles from the fold's stream_start: a fold of output pixels [first,
 * first + rows) on the array's rows (os: pixel first + r's window element j
 * enters row r at j + r) or of window elements [first, first + rows) (ws:
 * element first + r of pixel i enters row r at i + r, pixels 0 .. M - 1).
 * Absent elements are skipped; false if the fold has none. */
static bool ifmap_stream_end(const struct scalesim_layer *l, uint64_t ow, uint64_t m,
                             uint64_t k, bool pixels_on_rows, uint64_t first, uint64_t rows,
                             uint64_t *end)
{
    bool found = false;
    uint64_t best = 0, p;
    if (pixels_on_rows) {
        /* From the last element down; stop once no earlier j can beat the
         * best. */
        for (uint64_t j = k; j-- > 0 && (!found || j + rows - 1 > best);)
            if (last_valid_in(l, ow, j, first, first + rows - 1, &p) &&
                (!found || j + p - first > best)) {
                best = j + p - first;
                found = true;
            }
    } else {
        for (uint64_t r = 0; r < rows; r++)
            if (last_valid_in(l, ow, first + r, 0, m - 1, &p) && (!found || r + p > best)) {
                best = r + p;
                found = true;
            }
    }
    *end = best;
    return found;
}

/* os: the cycle the last present ifmap element enters the array. The last
 * column fold holds every pixel fold; search them from the last (one of
 * pixels whose windows all hang over the input has none). */
static uint64_t os_ifmap_stream_stop(const struct scalesim_config *cfg,
                                     const struct scalesim_layer *l, uint64_t ow,
                                     const struct mxu_params *p, uint64_t m, uint64_t k,
                                     uint64_t n, uint64_t folds)
{
    uint64_t h = cfg->array_rows, r_folds = ceil_div(m, h);
    for (uint64_t fr = r_folds; fr-- > 0;) {
        uint64_t end;
        if (ifmap_stream_end(l, ow, m, k, true, fr * h, fold_used(m, h, fr), &end)) {
            struct mxu_tile_times tt;
            mxu_tile(p, m, k, n, folds - r_folds + fr, &tt);
            return tt.stream_start + end;
        }
    }
    return 0; /* not reached: pixel 0's window is inside the input */
}

/* is: the cycle offset (from load_start) of the last ifmap element loaded
 * into the array, searching the folds from the last; the held tile's row r
 * (window element j0 + r) loads at load_start + H - 1 - r (the bottom row
 * first, SCALE-Sim's order). */
static uint64_t is_ifmap_load_stop(const struct scalesim_config *cfg,
                                   const struct scalesim_layer *l, uint64_t ow,
                                   const struct mxu_params *p, uint64_t m, uint64_t k,
                                   uint64_t n, uint64_t folds)
{
    uint64_t h = cfg->array_rows, w = cfg->array_cols, k_folds = ceil_div(k, h);
    for (uint64_t t = folds; t-- > 0;) {
        uint64_t fr = t % k_folds, fc = t / k_folds;
        uint64_t p0 = fc * w, p1 = p0 + fold_used(m, w, fc) - 1;
        for (uint64_t r = 0; r < fold_used(k, h, fr); r++) {
            uint64_t px;
            if (last_valid_in(l, ow, fr * h + r, p0, p1, &px)) {
                struct mxu_tile_times tt;
                mxu_tile(p, m, k, n, t, &tt);
                return tt.load_start + h - 1 - r;
            }
        }
    }
    return 0; /* not reached: pixel 0's window is inside the input */
}

static enum mxu_dataflow array_dataflow(enum scalesim_dataflow d)
{
    switch (d) {
    case SCALESIM_OS:
        return MXU_OUTPUT_STATIONARY;
    case SCALESIM_IS:
        return MXU_INPUT_STATIONARY;
    default:
        return MXU_WEIGHT_STATIONARY;
    }
}

void scalesim_layer_run(const struct scalesim_config *cfg, const struct scalesim_layer *l,
                        struct scalesim_layer_result *out)
{
    *out = (struct scalesim_layer_result){0};
    uint64_t oh = scalesim_out_size(l->ifmap_h, l->filter_h, l->stride_h);
    uint64_t ow = scalesim_out_size(l->ifmap_w, l->filter_w, l->stride_w);
    uint64_t h = cfg->array_rows, w = cfg->array_cols;
    uint64_t m = sat_mul(oh, ow);
    uint64_t k = sat_mul(sat_mul(l->filter_h, l->filter_w), l->channels);
    uint64_t n = l->filters;
    enum mxu_dataflow df = array_dataflow(cfg->dataflow);
    struct mxu_params p = {.rows = h, .cols = w, .double_buffered = 0, .dataflow = df};
    struct mxu_timing t;
    mxu_gemm_one(&p, m, k, n, &t);
    if (t.tiles == 0)
        return;
    struct mxu_fold_shape f = mxu_fold_shape(&p, m, k, n);
    uint64_t r_folds = ceil_div(f.row_size, h), c_folds = ceil_div(f.col_size, w);
    out->m = m;
    out->k = k;
    out->n = n;
    out->folds = t.tiles;
    out->total_cycles = t.total_cycles - SCALESIM_ORIGIN_SHIFT_CYCLES;
    out->overall_util_pct =
        ratio(sat_mul(sat_mul(sat_mul(m, n), k), 100), sat_mul(out->total_cycles, h * w));
    fold_averages(cfg, &f, &t, df, out);

    /* Accesses. An operand on the array's rows is read again for each
     * column fold and the reverse; one held in the PEs is read once (ws:
     * weights, is: ifmap). Partial sums are written once per fold along K;
     * SCALE-Sim's os adds H + W writes a fold to its count (its
     * systolic_compute_os.py counts the demand matrix's rows and columns
     * once more), which these reports, as its, include. */
    uint64_t mk = sat_mul(m, k), kn = sat_mul(k, n), mn = sat_mul(m, n);
    switch (df) {
    case MXU_OUTPUT_STATIONARY:
        out->ifmap_sram_reads = sat_mul(c_folds, mk);
        out->filter_sram_reads = sat_mul(r_folds, kn);
        out->ofmap_sram_writes = sat_add(mn, sat_mul(t.tiles, h + w));
        break;
    case MXU_INPUT_STATIONARY:
        out->ifmap_sram_reads = mk;
        out->filter_sram_reads = sat_mul(c_folds, kn);
        out->ofmap_sram_writes = sat_mul(r_folds, mn);
        break;
    default:
        out->ifmap_sram_reads = sat_mul(c_folds, mk);
        out->filter_sram_reads = kn;
        out->ofmap_sram_writes = sat_mul(r_folds, mn);
    }

    /* First and last accesses, from the first and last tile's boundaries
     * (column folds outer). A streamed operand's element j of array row
     * (or column) r enters at stream_start + j + r; a held row r loads at
     * load_start + (H - 1 - r) (the bottom row first); an output of column c
     * is written when its bottom PE completes it (one cycle before it
     * leaves), column c one cycle after column c - 1. Reads carry the hit
     * latency. */
    struct mxu_tile_times first, last;
    mxu_tile(&p, m, k, n, 0, &first);
    mxu_tile(&p, m, k, n, t.tiles - 1, &last);
    const uint64_t lat = SCALESIM_SRAM_HIT_LATENCY_CYCLES;
    uint64_t rows_first = fold_used(f.row_size, h, 0);
    uint64_t rows_last = fold_used(f.row_size, h, r_folds - 1);
    uint64_t cols_last = fold_used(f.col_size, w, c_folds - 1);
    uint64_t held_start = first.load_start + (h - rows_first) + lat;
    uint64_t held_stop = last.load_end - 1 + lat;
    uint64_t stream_start = first.stream_start + lat;
    out->ofmap_sram_start = first.first_output - 1;
    out->ofmap_sram_stop = last.last_output - 1 - (w - cols_last);
    switch (df) {
    case MXU_OUTPUT_STATIONARY:
        /* Pixels on rows, filters on columns, both streamed; the outputs
         * leave the bottom row first, so the first written is the first
         * fold's last used row. */
        out->ifmap_sram_start = stream_start;
        out->ifmap_sram_stop = os_ifmap_stream_stop(cfg, l, ow, &p, m, k, n, t.tiles) + lat;
        out->filter_sram_start = stream_start;
        out->filter_sram_stop = last.stream_start + (k - 1) + (cols_last - 1) + lat;
        out->ofmap_sram_start += h - rows_first;
        break;
    case MXU_INPUT_STATIONARY:
        out->ifmap_sram_start = held_start;
        out->ifmap_sram_stop = is_ifmap_load_stop(cfg, l, ow, &p, m, k, n, t.tiles) + lat;
        out->filter_sram_start = stream_start;
        out->filter_sram_stop = last.stream_start + (rows_last - 1) + (n - 1) + lat;
        break;
    default: {
        /* The last fold's rows hold window elements that pixel 0 has. */
        uint64_t end = 0;
        ifmap_stream_end(l, ow, m, k, false, (r_folds - 1) * h, rows_last, &end);
        out->ifmap_sram_start = stream_start;
        out->ifmap_sram_stop = last.stream_start + end + lat;
        out->filter_sram_start = held_start;
        out->filter_sram_stop = held_stop;
    }
    }
}
