/*
 * deepbench.h — calibration of the gpu_v100 chip against DeepBench's
 * published V100 kernel times (../shared/calibration/deepbench_v100:
 * gemm.csv, conv.csv, rnn.csv). Each row becomes a graph of back-to-back
 * copies of its library call made with the public builder (sim/tpusim.h),
 * simulated on gpu_v100 in the row's precision under the cudnn-direct
 * stack; the time of one call in steady state is compared with the
 * measured time (deepbench.c says how DeepBench measures). `make
 * calibrate` prints the table (tests/validate/calibrate.c);
 * `make validate` appends it to docs/validation.md.
 */
#ifndef TPUSIM_DEEPBENCH_H
#define TPUSIM_DEEPBENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum db_class { DB_CONV, DB_GEMM, DB_RNN, DB_CLASSES };

/* One calibrated row. */
struct db_row {
    enum db_class cls;
    bool fp16;
    char label[112];       /* the row's shape, as DeepBench names it */
    double measured_us;
    double simulated_us;   /* one call in steady state: its kernels and gaps */
    char measured_algo[32];/* conv: cuDNN's pick (fwd_algorithm; fp16 ran
                              IMPLICIT_PRECOMP_GEMM whatever it says); "" otherwise */
    char simulated_algo[32];/* conv: the model's pick; "" otherwise */
};

struct db_run {
    char data_dir[512];
    struct db_row *rows;
    size_t n, cap;
    int skipped;           /* rows whose time cell is not a number */
    int errors;            /* rows that failed to build or simulate */
};

/* The project's real model files: $TPUSIM_MODELS when set (as for make
 * test and make bench), else ../shared/models/real (relative to the
 * repository root, where make runs). */
const char *real_models_dir(void);
/* The DeepBench data: $TPUSIM_CALIBRATION when set; else beside the real
 * models in the shared tree (shared/models/real and shared/calibration),
 * written into buf; else ../shared/calibration/deepbench_v100. */
const char *deepbench_data_dir(char *buf, size_t len);
/* The median of v[0..n), n > 0, sorting v in place. */
double median_of(double *v, size_t n);
/* Reads the three CSVs under data_dir and simulates every row on chip
 * gpu_v100 from models_dir. Problems are reported on `log` (file, line,
 * why) and counted in run->errors; returns 0, or -1 when a file cannot be
 * read or the chip cannot be opened. Free with deepbench_free. */
int deepbench_run(const char *models_dir, const char *data_dir, FILE *log, struct db_run *run);
void deepbench_free(struct db_run *run);
/* Prints the Markdown section "Calibration: DeepBench V100 kernels" (per
 * class and precision: rows, median and p90 |error|, median ratio,
 * Spearman rank correlation, worst rows; the conv algorithm agreement).
 * Returns the number of targets not met (conv and GEMM: median |error|
 * <= 10% and p90 <= 30% in each precision). */
int deepbench_print(const struct db_run *run, FILE *out);

/* Every row as CSV (class, precision, row, measured_us, simulated_us,
 * ratio, measured_algo, simulated_algo), for plots and digging. */
void deepbench_print_rows(const struct db_run *run, FILE *out);

#endif /* TPUSIM_DEEPBENCH_H */
