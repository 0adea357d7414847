/*
 * fuzz_scalesim.c — libFuzzer target: bytes as a SCALE-Sim config file and
 * as a topology CSV, conv and GEMM (scalesim_config_read,
 * scalesim_topology_read: libinih, libcsv, the row rules and size checks),
 * then every layer that loads through scalesim_layer_run, on the config
 * the bytes give or else a 32 x 32 array. Any crash or sanitizer report
 * is a bug; an error return is the expected answer to most inputs.
 */
#include <stdio.h>

#include "scalesim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The bytes as a stream; NULL for none (fmemopen refuses size 0). */
static FILE *bytes(const uint8_t *data, size_t size)
{
    return size ? fmemopen((void *)data, size, "r") : NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[1024];
    struct scalesim_config cfg = {.array_rows = 32, .array_cols = 32};
    FILE *f = bytes(data, size);
    if (!f)
        return 0;
    struct scalesim_config read;
    if (scalesim_config_read(f, "fuzz.cfg", &read, err, sizeof err) == 0)
        cfg = read;
    fclose(f);
    for (int gemm = 0; gemm < 2; gemm++) {
        struct scalesim_topology t;
        f = bytes(data, size);
        if (!f)
            return 0;
        if (scalesim_topology_read(f, "fuzz.csv", gemm, &t, err, sizeof err) == 0) {
            for (size_t i = 0; i < t.n; i++) {
                struct scalesim_layer_result r;
                scalesim_layer_run(&cfg, &t.layers[i], &r);
            }
            scalesim_topology_free(&t);
        }
        fclose(f);
    }
    return 0;
}
