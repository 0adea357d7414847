/*
 * plot.h — figures for papers as gnuplot data files and editable scripts.
 *
 * Each function writes DIR/STEM.dat (the numbers, with a comment header
 * saying what each column is and its unit) and DIR/STEM.gp (a script that
 * reads STEM.dat by relative name). Run inside DIR,
 *     gnuplot -e "fmt='pdf'" STEM.gp
 * renders STEM.pdf; fmt is svg (the default), pdf (pdfcairo) or png
 * (pngcairo). The library only writes files; the CLI runs gnuplot.
 *
 *  - roofline: the chip's roofline (one core's peak FLOP/s, HBM bandwidth)
 *    with every op that does FLOPs at (FLOP per HBM byte, achieved FLOP/s),
 *    one colour per bound; ops with no HBM traffic sit at the right edge.
 *  - causes: a stacked bar of time by cause per op, or per block of ops
 *    for long models (report_blocks).
 *  - bars: one bar per label (compare: speedup per op or block, or per
 *    model) with a dashed reference line (the peak-FLOPS ratio).
 */
#ifndef TPUSIM_PLOT_H
#define TPUSIM_PLOT_H

#include <stddef.h>

#include "report.h"

/* Bars in the causes figure before ops are grouped into blocks. */
#define PLOT_MAX_BARS 40

/* *points: ops placed (data rows); *series: bounds shown (key entries). */
int plot_roofline(const char *dir, const char *stem, const struct report *rp, const char *model,
                  int *points, int *series, char *err, size_t err_len);
/* *bars: stacks (data rows); *series: causes shown (columns). */
int plot_causes(const char *dir, const char *stem, const struct report *rp, const char *model,
                int *bars, int *series, char *err, size_t err_len);
/* n bars labels[i] = values[i]; ref > 0 draws a dashed line titled ref_title. */
int plot_bars(const char *dir, const char *stem, const char *title, const char *ylabel, int n,
              const char *const *labels, const double *values, double ref,
              const char *ref_title, char *err, size_t err_len);
/* The per-op (or per-block) speedup bars of a comparison. *bars: rows. */
int plot_speedup(const char *dir, const char *stem, const struct comparison *c, const char *model,
                 int *bars, char *err, size_t err_len);

#endif /* TPUSIM_PLOT_H */
