/*
 * api_chip.c — contexts (cache, last error), chips opened from their
 * files, and the small lookups of tpusim.h (cause names, version number).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "matrix_unit.h"

int tpusim_version_number(void)
{
    return TPUSIM_VERSION_NUMBER;
}

int ctx_error(tpusim_context *ctx, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ctx->err, sizeof ctx->err, fmt, ap);
    va_end(ap);
    return code;
}

const char *tpusim_cause_name(int cause)
{
    return cause >= 0 && cause < TPUSIM_CAUSE_COUNT ? cause_name((enum cause)cause) : "?";
}

const char *tpusim_energy_part_name(int part)
{
    return part >= 0 && part < TPUSIM_ENERGY_COUNT ? energy_part_name((enum energy_part)part)
                                                   : "?";
}

/* The public energy parts are energy.h's, in the same order. */
_Static_assert((int)TPUSIM_ENERGY_COUNT == (int)ENERGY_COUNT, "energy parts differ");
_Static_assert((int)TPUSIM_ENERGY_STATIC == (int)ENERGY_STATIC, "energy parts differ");
_Static_assert((int)TPUSIM_ENERGY_HOST_LINK == (int)ENERGY_HOST_LINK, "energy parts differ");

/* The public causes are the engine's, in the same order. */
_Static_assert((int)TPUSIM_CAUSE_COUNT == (int)CAUSE_COUNT, "cause lists differ");
_Static_assert((int)TPUSIM_CAUSE_WAVE_QUANT == (int)CAUSE_WAVE_QUANT, "cause lists differ");
_Static_assert((int)TPUSIM_CAUSE_LAUNCH == (int)CAUSE_LAUNCH, "cause lists differ");
_Static_assert((int)TPUSIM_CAUSE_SRAM == (int)CAUSE_SRAM, "cause lists differ");

int tpusim_context_open(size_t cache_limit_bytes, tpusim_context **out)
{
    if (!out)
        return TPUSIM_ERR_ARG;
    *out = calloc(1, sizeof **out);
    if (!*out)
        return TPUSIM_ERR_NOMEM;
    cache_init(&(*out)->cache, cache_limit_bytes ? cache_limit_bytes : TPUSIM_CACHE_DEFAULT_BYTES);
    return TPUSIM_OK;
}

void tpusim_context_close(tpusim_context *ctx)
{
    if (!ctx)
        return;
    cache_free(&ctx->cache);
    free(ctx);
}

const char *tpusim_errmsg(const tpusim_context *ctx)
{
    return ctx ? ctx->err : "no context handle";
}

int tpusim_cache_stats_get(const tpusim_context *ctx, tpusim_cache_stats *out)
{
    if (out)
        memset(out, 0, sizeof *out);
    if (!ctx || !out)
        return TPUSIM_ERR_ARG;
    out->hits = ctx->cache.hits;
    out->misses = ctx->cache.misses;
    out->entries = ctx->cache.used;
    out->bytes = cache_bytes(&ctx->cache);
    out->limit_bytes = ctx->cache.limit_bytes;
    out->flushes = ctx->cache.flushes;
    return TPUSIM_OK;
}

void tpusim_cache_clear(tpusim_context *ctx)
{
    if (ctx)
        cache_free(&ctx->cache);
}

/* FNV-1a over a loaded struct (chip_load and stack_load zero it first, so
 * the bytes between fields are zero too). */
static uint64_t fingerprint(const void *loaded, size_t size)
{
    const unsigned char *p = loaded;
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    for (size_t i = 0; i < size; i++) {
        h ^= p[i];
        h *= UINT64_C(0x100000001b3);
    }
    return h;
}

/* Checks the open/new arguments shared by chips and stacks. */
static int check_open_args(tpusim_context *ctx, const char *what, const char *name,
                           const char *const *overrides, int n_overrides, const void *out)
{
    if (!out || !name || !name[0] || n_overrides < 0 || (n_overrides > 0 && !overrides))
        return ctx_error(ctx, TPUSIM_ERR_ARG, "tpusim_%s_open needs a %s name and an out "
                         "pointer (and overrides when n_overrides > 0)", what, what);
    for (int i = 0; i < n_overrides; i++)
        if (!overrides[i])
            return ctx_error(ctx, TPUSIM_ERR_ARG, "override %d is NULL", i);
    return TPUSIM_OK;
}

/* The end of an open or a derive: on success the fingerprints the cache
 * keys use and *out; else the chip is freed. Returns rc. */
static int chip_opened(tpusim_context *ctx, tpusim_chip *chip, int rc, tpusim_chip **out)
{
    if (rc) {
        tpusim_chip_close(chip);
        return rc;
    }
    chip->fingerprint = fingerprint(&chip->c, sizeof chip->c);
    chip->default_stack.fingerprint =
        fingerprint(&chip->default_stack.s, sizeof chip->default_stack.s);
    ctx->err[0] = '\0';
    *out = chip;
    return TPUSIM_OK;
}

int tpusim_chip_open(tpusim_context *ctx, const char *name, const char *models_dir,
                     const char *const *overrides, int n_overrides, tpusim_chip **out)
{
    if (out)
        *out = NULL;
    if (!ctx)
        return TPUSIM_ERR_ARG;
    int rc = check_open_args(ctx, "chip", name, overrides, n_overrides, out);
    if (rc)
        return rc;
    tpusim_chip *chip = calloc(1, sizeof *chip);
    if (!chip)
        return ctx_error(ctx, TPUSIM_ERR_NOMEM, "out of memory");
    const char *dir = chip_models_dir(models_dir);
    if (strlen(dir) >= sizeof chip->models_dir) {
        free(chip);
        return ctx_error(ctx, TPUSIM_ERR_ARG, "models directory path too long: %.80s...", dir);
    }
    memcpy(chip->models_dir, dir, strlen(dir) + 1);
    rc = chip_load_keep(dir, name, overrides, n_overrides, &chip->c, &chip->entries, ctx->err,
                        sizeof ctx->err);
    if (!rc)
        rc = stack_resolve(dir, &chip->c, NULL, NULL, 0, &chip->default_stack.s, ctx->err,
                           sizeof ctx->err);
    return chip_opened(ctx, chip, rc, out);
}

int tpusim_chip_derive(tpusim_context *ctx, const tpusim_chip *base,
                       const char *const *overrides, int n_overrides, tpusim_chip **out)
{
    if (out)
        *out = NULL;
    if (!ctx)
        return TPUSIM_ERR_ARG;
    int rc = check_open_args(ctx, "chip", base ? base->c.name : NULL, overrides, n_overrides,
                             out);
    if (rc)
        return rc;
    tpusim_chip *chip = calloc(1, sizeof *chip);
    if (!chip)
        return ctx_error(ctx, TPUSIM_ERR_NOMEM, "out of memory");
    memcpy(chip->models_dir, base->models_dir, sizeof chip->models_dir);
    rc = chip_derive(&base->c, base->entries, overrides, n_overrides, &chip->c, &chip->entries,
                     ctx->err, sizeof ctx->err);
    /* The stack file is read again only when the overrides name another;
     * the base's still has to target the derived chip. */
    if (!rc && strcmp(chip->c.default_stack, base->c.default_stack) == 0) {
        chip->default_stack.s = base->default_stack.s;
        rc = stack_check_target(&chip->default_stack.s, &chip->c, ctx->err, sizeof ctx->err);
    } else if (!rc) {
        rc = stack_resolve(chip->models_dir, &chip->c, NULL, NULL, 0, &chip->default_stack.s,
                           ctx->err, sizeof ctx->err);
    }
    return chip_opened(ctx, chip, rc, out);
}

void tpusim_chip_close(tpusim_chip *chip)
{
    if (chip)
        free(chip->entries);
    free(chip);
}

int tpusim_stack_open(tpusim_context *ctx, const char *name, const char *models_dir,
                      const char *const *overrides, int n_overrides, tpusim_stack **out)
{
    if (out)
        *out = NULL;
    if (!ctx)
        return TPUSIM_ERR_ARG;
    int rc = check_open_args(ctx, "stack", name, overrides, n_overrides, out);
    if (rc)
        return rc;
    tpusim_stack *stack = calloc(1, sizeof *stack);
    if (!stack)
        return ctx_error(ctx, TPUSIM_ERR_NOMEM, "out of memory");
    rc = stack_load(models_dir, name, overrides, n_overrides, &stack->s, ctx->err,
                    sizeof ctx->err);
    if (rc) {
        free(stack);
        return rc;
    }
    stack->fingerprint = fingerprint(&stack->s, sizeof stack->s);
    ctx->err[0] = '\0';
    *out = stack;
    return TPUSIM_OK;
}

void tpusim_stack_close(tpusim_stack *stack)
{
    free(stack);
}

const char *tpusim_stack_name(const tpusim_stack *stack)
{
    return stack ? stack->s.name : NULL;
}

int tpusim_chip_info_get(const tpusim_chip *chip, tpusim_chip_info *out)
{
    if (out)
        memset(out, 0, sizeof *out);
    if (!chip || !out)
        return TPUSIM_ERR_ARG;
    out->name = chip->c.name;
    out->clock_hz = chip->c.clock_hz;
    out->cores = chip->c.cores;
    out->peak_flops_per_s = chip->c.peak_flops_per_s_core;
    out->default_dtype = chip_default_dtype(&chip->c);
    out->default_stack = chip->c.default_stack;
    out->tdp_w = chip->c.energy_tdp_w;
    out->static_w = chip->c.energy_static_w;
    return TPUSIM_OK;
}
