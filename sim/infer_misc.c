/*
 * infer_misc.c — shape inference and counts for ops real files carry that
 * later ONNX opsets dropped or moved to another domain: the experimental
 * ImageScaler, Affine and Crop (opset 1, still in WinML-era exports), and
 * the ai.onnx.ml classifier tail ArrayFeatureExtractor and ZipMap (label
 * lookup and the score map of converted Core ML and scikit-learn models).
 * Definitions: onnx/docs/Changelog.md (ImageScaler-1, Affine-1, Crop-1) and
 * onnx/docs/Operators-ml.md. Also GatherND (ONNX GatherND-13, TFLite
 * GATHER_ND) and Custom, an op tpusim cannot see into.
 */
#include "graph.h"

#include <stdio.h>

/* y = scale * x + bias[c] on [N, C, H, W]: two FLOPs per element. */
int infer_image_scaler(struct tpusim_graph *g, struct op *op)
{
    struct tensor *x;
    char s[128];
    int rc = op_need_in(g, op, 0, &x);
    if (rc)
        return rc;
    if (x->rank != 4)
        return op_error(g, op, "input '%s' %s must be NCHW (rank 4)", x->name,
                        shape_str(x, s, sizeof s));
    const double *bias;
    const struct attr *a = op_attr(op, "bias");
    size_t nb = a && a->kind == ATTR_FLOATS ? a->n : 0;
    bias = nb ? a->floats : NULL;
    if (bias && (int64_t)nb != x->dims[1])
        return op_error(g, op, "bias has %zu values for %lld channels", nb,
                        (long long)x->dims[1]);
    rc = tensor_copy_shape(g, op, op_out(g, op, 0), x);
    op->cost.flops = 2 * tensor_elems(x);
    return rc;
}

/* y = alpha * x + beta: two FLOPs per element. */
int infer_affine(struct tpusim_graph *g, struct op *op)
{
    struct tensor *x;
    int rc = op_need_in(g, op, 0, &x);
    if (!rc)
        rc = tensor_copy_shape(g, op, op_out(g, op, 0), x);
    op->cost.flops = rc ? 0 : 2 * tensor_elems(x);
    return rc;
}

/* Crop of [N, C, H, W] by border = [left, top, right, bottom]; with
 * scale = [height, width] the window has that size from (top, left). */
int infer_crop(struct tpusim_graph *g, struct op *op)
{
    struct tensor *x;
    char s[128];
    const int64_t *b, *sc;
    int rc = op_need_in(g, op, 0, &x);
    if (rc)
        return rc;
    if (x->rank != 4)
        return op_error(g, op, "input '%s' %s must be NCHW (rank 4)", x->name,
                        shape_str(x, s, sizeof s));
    if (attr_ints(op, "border", &b) != 4)
        return op_error(g, op, "attribute border must hold 4 values (left, top, right, bottom)");
    size_t ns = attr_ints(op, "scale", &sc);
    if (sc && ns != 2)
        return op_error(g, op, "attribute scale must hold 2 values (height, width)");
    for (int i = 0; i < 4; i++)
        if (b[i] < 0)
            return op_error(g, op, "border[%d] = %lld is negative", i, (long long)b[i]);
    int64_t h = x->dims[2] - b[1] - b[3], w = x->dims[3] - b[0] - b[2];
    if (sc) {
        h = sc[0] <= x->dims[2] - b[1] ? sc[0] : -1;
        w = sc[1] <= x->dims[3] - b[0] ? sc[1] : -1;
    }
    if (h < 1 || w < 1)
        return op_error(g, op, "the crop window leaves nothing of input %s",
                        shape_str(x, s, sizeof s));
    int64_t dims[4] = {x->dims[0], x->dims[1], h, w};
    return op_set_out(g, op, 0, x->dtype, 4, dims, NULL);
}

/* Y = X[..., indices]: X's shape with the last axis replaced by the number
 * of indices ([1, n] for a 1-D X, as onnxruntime gives). */
int infer_array_feature_extractor(struct tpusim_graph *g, struct op *op)
{
    struct tensor *x, *idx;
    int rc = op_need_in(g, op, 0, &x);
    if (!rc)
        rc = op_need_in(g, op, 1, &idx);
    if (rc)
        return rc;
    if (x->rank < 1)
        return op_error(g, op, "input '%s' is a scalar; it needs an axis to select from",
                        x->name);
    int64_t dims[TPUSIM_MAX_RANK];
    int r = x->rank == 1 ? 2 : x->rank;
    for (int i = 0; i < r - 1; i++)
        dims[i] = x->rank == 1 ? 1 : x->dims[i];
    dims[r - 1] = (int64_t)tensor_elems(idx);
    return op_set_out(g, op, 0, x->dtype, r, dims, NULL);
}

/* ZipMap pairs each score with its class label into a sequence of maps:
 * bookkeeping on the host. It is kept as a view of its scores (the same
 * shape, no work), so that a graph ending in it still runs. */
int infer_zip_map(struct tpusim_graph *g, struct op *op)
{
    struct tensor *x;
    int rc = op_need_in(g, op, 0, &x);
    return rc ? rc : tensor_copy_shape(g, op, op_out(g, op, 0), x);
}

/* GatherND, batch_dims 0: indices [..., k] pick slices of data's first k
 * axes: indices.shape[:-1] + data.shape[k:]. */
int infer_gather_nd(struct tpusim_graph *g, struct op *op)
{
    struct tensor *data, *idx;
    int rc = op_need_in(g, op, 0, &data);
    if (!rc)
        rc = op_need_in(g, op, 1, &idx);
    if (rc)
        return rc;
    if (attr_int(op, "batch_dims", 0) != 0)
        return op_error(g, op, "batch_dims other than 0 is not supported");
    int64_t k = idx->rank ? idx->dims[idx->rank - 1] : -1;
    if (idx->rank < 1 || k < 1 || k > data->rank)
        return op_error(g, op, "indices '%s' must end in an axis of 1 to %d (data rank)",
                        idx->name, data->rank);
    int r = idx->rank - 1 + data->rank - (int)k;
    if (r > TPUSIM_MAX_RANK)
        return op_error(g, op, "output rank %d is over %d", r, TPUSIM_MAX_RANK);
    int64_t dims[TPUSIM_MAX_RANK];
    int n = 0;
    for (int i = 0; i < idx->rank - 1; i++)
        dims[n++] = idx->dims[i];
    for (int i = (int)k; i < data->rank; i++)
        dims[n++] = data->dims[i];
    return op_set_out(g, op, 0, data->dtype, r, dims, NULL);
}

/* Output i has the shape attribute output_dims_<i> and the dtype
 * output_dtype_<i> the importer read from the file. No work is counted:
 * the graph's notes say what the op stands for. */
int infer_custom(struct tpusim_graph *g, struct op *op)
{
    for (int i = 0; i < op->n_out; i++) {
        char dims_key[32], dtype_key[32];
        snprintf(dims_key, sizeof dims_key, "output_dims_%d", i);
        snprintf(dtype_key, sizeof dtype_key, "output_dtype_%d", i);
        const int64_t *dims;
        size_t rank = attr_ints(op, dims_key, &dims);
        if (!op_attr(op, dims_key) || rank > TPUSIM_MAX_RANK)
            return op_error(g, op, "output %d has no declared shape (only the TFLite importer "
                            "makes Custom ops)", i);
        tpusim_dtype dt = (tpusim_dtype)attr_int(op, dtype_key, TPUSIM_DT_FLOAT32);
        int rc = op_set_out(g, op, i, dt, (int)rank, dims, NULL);
        if (rc)
            return rc;
    }
    return TPUSIM_OK;
}
