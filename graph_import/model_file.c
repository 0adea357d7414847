/*
 * model_file.c — reading model files and decoding their stored elements,
 * for both importers (model_file.h).
 */
#include "model_file.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int model_set_source(struct tpusim_graph *g, const char *name)
{
    free(g->source);
    g->source = graph_strdup(name);
    return g->source ? TPUSIM_OK : TPUSIM_ERR_NOMEM;
}

double model_half_to_double(uint16_t h)
{
    int exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
    double sign = (h & 0x8000) ? -1.0 : 1.0;
    if (exp == 0)
        return sign * ldexp(mant, -24);
    if (exp == 31)
        return mant ? NAN : sign * INFINITY;
    return sign * ldexp(mant + 1024, exp - 25);
}

double model_bf16_to_double(uint16_t b)
{
    uint32_t bits = (uint32_t)b << 16;
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

void model_raw_element(const uint8_t *p, tpusim_dtype dt, double *f, int64_t *iv)
{
    uint64_t u = 0;
    size_t sz = tpusim_dtype_size_bytes(dt);
    for (size_t b = 0; b < sz; b++)
        u |= (uint64_t)p[b] << (8 * b);
    *f = 0;
    *iv = 0;
    switch (dt) {
    case TPUSIM_DT_FLOAT32: {
        uint32_t w = (uint32_t)u;
        float x;
        memcpy(&x, &w, sizeof x);
        *f = x;
        break;
    }
    case TPUSIM_DT_FLOAT64: memcpy(f, &u, sizeof *f); break;
    case TPUSIM_DT_FLOAT16: *f = model_half_to_double((uint16_t)u); break;
    case TPUSIM_DT_BFLOAT16: *f = model_bf16_to_double((uint16_t)u); break;
    case TPUSIM_DT_INT8: *iv = (int8_t)u; break;
    case TPUSIM_DT_INT16: *iv = (int16_t)u; break;
    case TPUSIM_DT_INT32: *iv = (int32_t)u; break;
    case TPUSIM_DT_INT64: *iv = (int64_t)u; break;
    default: *iv = (int64_t)u; break; /* unsigned and bool */
    }
}

int model_read_file(struct tpusim_graph *g, const char *path, uint8_t **out, size_t *size)
{
    *out = NULL;
    *size = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return graph_error(g, TPUSIM_ERR_IO, "cannot open: %s", strerror(errno));
    int rc = TPUSIM_OK;
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode))
        rc = graph_error(g, TPUSIM_ERR_IO, "cannot read: not a regular file");
    else if ((uint64_t)st.st_size > MODEL_MAX_FILE_BYTES)
        rc = graph_error(g, TPUSIM_ERR_IO, "file is %lld bytes; tpusim reads models up to 4 GiB",
                         (long long)st.st_size);
    size_t len = rc ? 0 : (size_t)st.st_size;
    if (len > 0) {
        *out = malloc(len);
        if (!*out)
            rc = graph_error(g, TPUSIM_ERR_NOMEM, "out of memory reading %zu bytes", len);
        else if (fread(*out, 1, len, f) != len)
            rc = graph_error(g, TPUSIM_ERR_IO, "short read: %s", strerror(errno));
        else
            *size = len;
    }
    fclose(f);
    return rc;
}

/* What both importers need before they read: an empty graph, bytes. */
static int import_into(struct tpusim_graph *g, const uint8_t *data, size_t size,
                       model_import_fn import)
{
    if (g->finalized || g->n_ops)
        return graph_error(g, TPUSIM_ERR_STATE, "load a model into a new, empty graph");
    if (size == 0)
        return graph_error(g, TPUSIM_ERR_PARSE, "the file is empty");
    return import(g, data, size);
}

int model_load_buffer(struct tpusim_graph *g, const void *data, size_t size, const char *name,
                      model_import_fn import)
{
    if (!g)
        return TPUSIM_ERR_ARG;
    if (model_set_source(g, name && name[0] ? name : "<buffer>"))
        return graph_error(g, TPUSIM_ERR_NOMEM, "out of memory");
    if (!data && size)
        return graph_error(g, TPUSIM_ERR_ARG, "NULL buffer");
    return import_into(g, data, size, import);
}

int model_load_file(struct tpusim_graph *g, const char *path, model_import_fn import)
{
    if (!g)
        return TPUSIM_ERR_ARG;
    if (!path || !path[0])
        return graph_error(g, TPUSIM_ERR_ARG, "no model path given");
    if (model_set_source(g, path))
        return graph_error(g, TPUSIM_ERR_NOMEM, "out of memory");
    uint8_t *data;
    size_t size;
    int rc = model_read_file(g, path, &data, &size);
    if (!rc)
        rc = import_into(g, data, size, import);
    free(data);
    return rc;
}

int tpusim_graph_load_file(tpusim_graph *g, const char *path)
{
    if (!g)
        return TPUSIM_ERR_ARG;
    if (!path || !path[0])
        return graph_error(g, TPUSIM_ERR_ARG, "no model path given");
    /* A FlatBuffer names its schema at bytes 4-7; an ONNX protobuf starts
     * with a field tag, and "TFL3" there would be a malformed one. */
    char head[8] = {0};
    FILE *f = fopen(path, "rb");
    size_t n = f ? fread(head, 1, sizeof head, f) : 0;
    if (f)
        fclose(f);
    if (n == sizeof head && memcmp(head + 4, "TFL3", 4) == 0)
        return tpusim_graph_load_tflite_file(g, path);
    return tpusim_graph_load_onnx_file(g, path);
}
