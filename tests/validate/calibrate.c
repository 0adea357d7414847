/*
 * calibrate.c — prints the DeepBench V100 calibration table (deepbench.h)
 * alone: `make calibrate`. Exit status 1 when a row fails to build or
 * simulate, a file cannot be read, or a target is not met.
 *
 * usage: calibrate [--rows] [MODELS_DIR [DATA_DIR]]
 *   --rows: every row as CSV instead of the table.
 *   DATA_DIR defaults to deepbench_data_dir() (deepbench.h).
 */
#include <stdio.h>
#include <string.h>

#include "deepbench.h"

int main(int argc, char **argv)
{
    int rows = argc > 1 && strcmp(argv[1], "--rows") == 0;
    const char *models = argc > 1 + rows ? argv[1 + rows] : "models";
    char buf[1024];
    const char *data = argc > 2 + rows ? argv[2 + rows] : deepbench_data_dir(buf, sizeof buf);
    struct db_run run;
    if (deepbench_run(models, data, stderr, &run)) {
        deepbench_free(&run);
        return 1;
    }
    if (rows) {
        deepbench_print_rows(&run, stdout);
        deepbench_free(&run);
        return 0;
    }
    int missed = deepbench_print(&run, stdout);
    int errors = run.errors;
    deepbench_free(&run);
    fprintf(stderr, "calibrate: %d target(s) not met, %d error(s)\n", missed, errors);
    return missed || errors ? 1 : 0;
}
