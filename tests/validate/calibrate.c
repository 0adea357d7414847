/*
 * calibrate.c — prints the DeepBench V100 calibration table (deepbench.h)
 * alone: `make calibrate`. Exit status 1 when a row fails to build or
 * simulate, a file cannot be read, or a target is not met.
 *
 * usage: calibrate [MODELS_DIR [DATA_DIR]]
 *   DATA_DIR defaults to $TPUSIM_CALIBRATION, else
 *   ../shared/calibration/deepbench_v100.
 */
#include <stdio.h>

#include "deepbench.h"

int main(int argc, char **argv)
{
    const char *models = argc > 1 ? argv[1] : "models";
    const char *data = argc > 2 ? argv[2] : deepbench_data_dir();
    struct db_run run;
    if (deepbench_run(models, data, stderr, &run)) {
        deepbench_free(&run);
        return 1;
    }
    int missed = deepbench_print(&run, stdout);
    int errors = run.errors;
    deepbench_free(&run);
    fprintf(stderr, "calibrate: %d target(s) not met, %d error(s)\n", missed, errors);
    return missed || errors ? 1 : 0;
}
