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
 *  - roofline: one core's ceilings (the matrix unit's and the vector unit's
 *    peak FLOP/s, the HBM slope) with every op that does FLOPs at (FLOP per
 *    HBM byte, achieved FLOP/s), one colour per bound; an op with no HBM
 *    traffic is an open point at its on-chip intensity (FLOP per byte of
 *    its tensors), and the key says so.
 *  Every figure is sized for one column of a two-column paper (3.5 in,
 *  9 pt ticks); titles name the model and the chip, never a path.
 *  - causes: a stacked bar of time by cause per op, or per block of ops
 *    for long models (report_blocks).
 *  - bars: one bar per label (compare: speedup per op or block, or per
 *    model) with a dashed reference line (the peak-FLOPS ratio).
 *  - xy: series of (x, y) points, as points or joined by lines (sweep:
 *    latency against an axis per model, a Pareto front); an axis whose
 *    values are all positive and span 16x or more is logarithmic.
 */
#ifndef TPUSIM_PLOT_H
#define TPUSIM_PLOT_H

#include <stdbool.h>
#include <stddef.h>

#include "report.h"

/* Bars in the causes figure before ops are grouped into blocks. */
#define PLOT_MAX_BARS 16 /* labels at 8 pt fit one column of a paper */

/* What titles and labels call a model: a path loses its folders and
 * extension ("models/resnet50.onnx" -> "resnet50"), "builtin:demo-cnn" its
 * prefix. Figures name models and chips, never paths. Returns buf. */
const char *plot_model_label(const char *model, char *buf, size_t len);
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

struct plot_series {
    const char *title;           /* the key's entry */
    const double *x, *y;
    int n;
    bool lines;                  /* joined by lines (else points alone) */
};
/* The series on one pair of axes. */
int plot_xy(const char *dir, const char *stem, const char *title, const char *xlabel,
            const char *ylabel, const struct plot_series *series, int n_series, char *err,
            size_t err_len);

#endif /* TPUSIM_PLOT_H */
