/* chip.c — chip files. STUB: to be implemented. */
#include <stdio.h>

#include "chip.h"
#include "tpusim.h"

int chip_load(const char *models_dir, const char *name_or_path, const char *const *overrides,
              int n_overrides, struct chip *out, char *err, size_t err_len)
{
    (void)models_dir; (void)name_or_path; (void)overrides; (void)n_overrides; (void)out;
    snprintf(err, err_len, "chip files not implemented yet");
    return TPUSIM_ERR_UNSUPPORTED;
}
