/*
 * scalesim.c — one SCALE-Sim layer on tpusim's weight-stationary array
 * (mxu.h), reported in SCALE-Sim's terms.
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
 * Its reads are one cycle later than the demand (an SRAM hit latency of 1:
 * read_buffer.py), which the *_sram_start/stop cycles of ifmap and filter
 * carry.
 */
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

int scalesim_check_dataflow(const struct scalesim_config *cfg, char *err, size_t err_len)
{
    /* os and is would need their own array model (an output, or an input
     * pixel, held in each PE) and its SystemC check; tpusim models the ws
     * array only, and an unchecked closed form would be a guess. */
    static const char *const names[] = {"ws", "os", "is"};
    if (cfg->dataflow == SCALESIM_WS)
        return TPUSIM_OK;
    snprintf(err, err_len,
             "dataflow '%s' is not modelled; tpusim models ws (weight stationary)",
             names[cfg->dataflow]);
    return TPUSIM_ERR_UNSUPPORTED;
}

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

/* The last output pixel whose window element `j` (row, column, channel of
 * the filter, channels innermost) lies inside the input: SCALE-Sim marks
 * the others absent (address -1), which its trace's first and last access
 * skip (its read counts include them). */
static uint64_t last_valid_pixel(const struct scalesim_layer *l, uint64_t oh, uint64_t ow,
                                 uint64_t j)
{
    uint64_t row = j / (l->filter_w * l->channels);
    uint64_t col = (j / l->channels) % l->filter_w;
    uint64_t last_r = (l->ifmap_h - 1 - row) / l->stride_h;
    uint64_t last_c = (l->ifmap_w - 1 - col) / l->stride_w;
    if (last_r > oh - 1)
        last_r = oh - 1;
    if (last_c > ow - 1)
        last_c = ow - 1;
    return last_r * ow + last_c;
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
 * (systolic_compute_ws.py) averaged over the folds, summed in its fold
 * order (N-folds outer) as its Python does, so that the printed digits
 * agree. A fold's value depends only on its used rows and columns. */
static void fold_averages(const struct scalesim_config *cfg, uint64_t m, uint64_t k,
                          uint64_t n, struct scalesim_layer_result *out)
{
    uint64_t h = cfg->array_rows, w = cfg->array_cols;
    uint64_t k_folds = ceil_div(k, h), n_folds = ceil_div(n, w);
    /* A fold's cycles there: its filter demand rows (2H + W + M - 2) plus
     * its columns (W) less one. */
    uint64_t fold_cycles = 2 * h + 2 * w + m - 3;
    double map_sum = 0, util_sum = 0;
    for (uint64_t fc = 0; fc < n_folds; fc++) {
        /* Fold columns 0 .. n_folds - 2 are alike, and so are rows. */
        uint64_t fc_n = 1;
        if (out->folds > SCALESIM_FOLDS_SUMMED_MAX && fc + 1 < n_folds)
            fc_n = n_folds - 1 - fc;
        for (uint64_t fr = 0; fr < k_folds; fr++) {
            uint64_t fr_n = 1;
            if (out->folds > SCALESIM_FOLDS_SUMMED_MAX && fr + 1 < k_folds)
                fr_n = k_folds - 1 - fr;
            uint64_t macs = fold_used(k, h, fr) * fold_used(n, w, fc);
            double times = (double)(fc_n * fr_n);
            map_sum += times * ratio(macs, h * w);
            util_sum += times * ratio(sat_mul(macs, m), sat_mul(h * w, fold_cycles));
            fr += fr_n - 1;
        }
        fc += fc_n - 1;
    }
    double folds = (double)out->folds;
    out->mapping_eff_pct = map_sum / folds * 100;
    out->compute_util_pct = util_sum / folds * 100;
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
    struct mxu_params p = {.rows = h, .cols = w, .double_buffered = 0};
    struct mxu_timing t;
    mxu_gemm_one(&p, m, k, n, &t);
    if (t.tiles == 0)
        return;
    out->m = m;
    out->k = k;
    out->n = n;
    out->folds = t.tiles;
    out->total_cycles = t.total_cycles - SCALESIM_ORIGIN_SHIFT_CYCLES;
    out->overall_util_pct =
        ratio(sat_mul(sat_mul(sat_mul(m, n), k), 100), sat_mul(out->total_cycles, h * w));
    fold_averages(cfg, m, k, n, out);

    /* Accesses: every fold reads its M x (used rows) ifmap block, padding
     * included, once per N-fold; each weight once; each K-fold writes its
     * M x N partial sums. */
    out->ifmap_sram_reads = sat_mul(ceil_div(n, w), sat_mul(m, k));
    out->filter_sram_reads = sat_mul(k, n);
    out->ofmap_sram_writes = sat_mul(ceil_div(k, h), sat_mul(m, n));

    /* First and last accesses, from the first and last tile's boundaries.
     * Activation i enters array row r at stream_start + i + r; weight row
     * r loads at load_start + (H - 1 - r) (the bottom row first); output
     * i of column c is written at last-PE time stream_start + H - 1 + i + c. */
    struct mxu_tile_times first, last;
    mxu_tile(&p, m, k, n, 0, &first);
    mxu_tile(&p, m, k, n, t.tiles - 1, &last);
    const uint64_t lat = SCALESIM_SRAM_HIT_LATENCY_CYCLES;
    uint64_t k_last = ceil_div(k, h) - 1;
    uint64_t rows_last = fold_used(k, h, k_last);
    uint64_t ifmap_end = 0;
    for (uint64_t r = 0; r < rows_last; r++) {
        uint64_t i = last_valid_pixel(l, oh, ow, k_last * h + r);
        if (r + i > ifmap_end)
            ifmap_end = r + i;
    }
    out->ifmap_sram_start = first.stream_start + lat;
    out->ifmap_sram_stop = last.stream_start + ifmap_end + lat;
    out->filter_sram_start = first.load_start + (h - fold_used(k, h, 0)) + lat;
    out->filter_sram_stop = last.load_end - 1 + lat;
    out->ofmap_sram_start = first.first_output - 1;
    out->ofmap_sram_stop =
        last.last_output - 1 - (w - fold_used(n, w, ceil_div(n, w) - 1));
}
