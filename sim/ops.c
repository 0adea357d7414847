/*
 * ops.c — the table of supported op types. Adding an op: one line in
 * OP_TYPES (ops.h) and its infer function in sim/infer_*.c.
 */
#include "ops.h"

#include <stdbool.h>
#include <string.h>

static const struct op_info OP_TABLE[OP_COUNT] = {
#define OP_ROW(id, name, cls, fn) {name, OP_##id, OPC_##cls, fn},
    OP_TYPES(OP_ROW)
#undef OP_ROW
};

const struct op_info *op_info_by_name(const char *name)
{
    if (!name)
        return NULL;
    for (int i = 0; i < OP_COUNT; i++)
        if (strcmp(OP_TABLE[i].name, name) == 0)
            return &OP_TABLE[i];
    return NULL;
}

/* The ONNX domain a type belongs to: ai.onnx.ml for the classifier tails
 * of converted scikit-learn and Core ML models, else the default one. */
static bool in_ml_domain(enum op_type type)
{
    return type == OP_ARRAY_FEATURE_EXTRACTOR || type == OP_ZIP_MAP;
}

const struct op_info *op_info_in_domain(const char *name, const char *domain)
{
    const struct op_info *info = op_info_by_name(name);
    if (!info)
        return NULL;
    bool ml = domain && strcmp(domain, "ai.onnx.ml") == 0;
    bool dflt = !domain || !domain[0] || strcmp(domain, "ai.onnx") == 0;
    if (in_ml_domain(info->type) ? ml : dflt)
        return info;
    return NULL;
}

const struct op_info *op_info_of(enum op_type type)
{
    if ((int)type < 0 || type >= OP_COUNT)
        return NULL;
    return &OP_TABLE[type];
}

const char *op_class_name(enum op_class cls)
{
    switch (cls) {
    case OPC_MATRIX: return "matrix";
    case OPC_RECURRENT: return "recurrent";
    case OPC_POOL: return "pool";
    case OPC_ELEMENTWISE: return "elementwise";
    case OPC_TRANSCENDENTAL: return "transcendental";
    case OPC_NORM: return "norm";
    case OPC_REDUCE: return "reduce";
    case OPC_MOVE: return "move";
    case OPC_FREE: return "free";
    }
    return "?";
}

const char *op_supported_list(void)
{
#define OP_NAME(id, name, cls, fn) name " "
    /* "Constant" is folded by the importers into a constant tensor. */
    return OP_TYPES(OP_NAME) "Constant";
#undef OP_NAME
}

int op_stored_inputs(enum op_type type, const char *const *onnx, int n, const char **names)
{
    /* Stored slot i holds ONNX input ORDER[i] (-1: absent). */
    static const int qconv[] = {0, 3, 8, 1, 2, 4, 5, 6, 7}, qmatmul[] = {0, 3, -1, 1, 2, 4, 5, 6, 7},
                     integer[] = {0, 1, -1, 2, 3};
    const int *order = NULL;
    int len = 0;
    if (type == OP_QLINEAR_CONV)
        order = qconv, len = 9;
    else if (type == OP_QLINEAR_MATMUL)
        order = qmatmul, len = 9;
    else if (type == OP_CONV_INTEGER || type == OP_MATMUL_INTEGER)
        order = integer, len = 5;
    if (!order)
        return -1;
    for (int i = 0; i < len; i++)
        names[i] = order[i] >= 0 && order[i] < n ? onnx[order[i]] : "";
    return len;
}
