/*
 * quant.c — quantization ops (QuantizeLinear, DequantizeLinear,
 * DynamicQuantizeLinear, and the matrix ops QLinearConv, ConvInteger,
 * QLinearMatMul, MatMulInteger, whose inputs are stored operands first:
 * ops.h) and the QDQ folding of quant.h. Definitions: the ONNX operator
 * specification (QuantizeLinear-19, DequantizeLinear-19, QLinearConv-10,
 * ConvInteger-10, QLinearMatMul-10, MatMulInteger-10,
 * DynamicQuantizeLinear-11).
 *
 * Counts: (de)quantizing is a scale and a shift per element (2 FLOPs);
 * DynamicQuantizeLinear also finds the minimum and maximum (4 FLOPs per
 * element); the matrix ops count as Conv and MatMul do.
 */
#include "quant.h"

#include <stdlib.h>

/* Slot of the output zero point of QLinearConv / QLinearMatMul, stored. */
#define QLINEAR_Y_ZERO_POINT 8

/* A scale or zero point: a scalar, or 1-D for per-axis quantization. */
static int check_quant_param(struct tpusim_graph *g, const struct op *op, int slot,
                             const char *what)
{
    struct tensor *t;
    char s[128];
    int rc = op_need_in(g, op, slot, &t);
    if (!rc && t->rank > 1)
        rc = op_error(g, op, "%s '%s' %s must be a scalar or 1-D (per axis)", what, t->name,
                      shape_str(t, s, sizeof s));
    return rc;
}

/* y = saturate(round(x / scale) + zero_point): the zero point's type, else
 * output_dtype (opset 21), else uint8. */
int infer_quantize_linear(struct tpusim_graph *g, struct op *op)
{
    struct tensor *x;
    int rc = op_need_in(g, op, 0, &x);
    if (!rc)
        rc = check_quant_param(g, op, 1, "y_scale");
    if (!rc && op_in(g, op, 2))
        rc = check_quant_param(g, op, 2, "y_zero_point");
    if (rc)
        return rc;
    const struct tensor *zp = op_in(g, op, 2);
    tpusim_dtype dt = zp ? zp->dtype : (tpusim_dtype)attr_int(op, "output_dtype", 0);
    if (!tpusim_dtype_size_bytes(dt))
        dt = TPUSIM_DT_UINT8;
    op->cost.flops = 2 * tensor_elems(x);
    return op_set_out(g, op, 0, dt, x->rank, x->dims, NULL);
}

/* y = (x - zero_point) * scale, in the scale's float type. */
int infer_dequantize_linear(struct tpusim_graph *g, struct op *op)
{
    struct tensor *x;
    int rc = op_need_in(g, op, 0, &x);
    if (!rc)
        rc = check_quant_param(g, op, 1, "x_scale");
    if (!rc && op_in(g, op, 2))
        rc = check_quant_param(g, op, 2, "x_zero_point");
    if (rc)
        return rc;
    tpusim_dtype dt = op_in(g, op, 1)->dtype;
    op->cost.flops = 2 * tensor_elems(x);
    return op_set_out(g, op, 0, dtype_is_float(dt) ? dt : TPUSIM_DT_FLOAT32, x->rank, x->dims,
                      NULL);
}

/* y (uint8), y_scale and y_zero_point from x's range. */
int infer_dynamic_quantize_linear(struct tpusim_graph *g, struct op *op)
{
    struct tensor *x;
    int rc = op_need_in(g, op, 0, &x);
    if (!rc)
        rc = op_set_out(g, op, 0, TPUSIM_DT_UINT8, x->rank, x->dims, NULL);
    if (!rc)
        rc = op_set_out(g, op, 1, TPUSIM_DT_FLOAT32, 0, NULL, NULL);
    if (!rc)
        rc = op_set_out(g, op, 2, TPUSIM_DT_UINT8, 0, NULL, NULL);
    op->cost.flops = rc ? 0 : 4 * tensor_elems(x);
    return rc;
}

/* The output type of a quantized matrix op: int32 accumulators for the
 * Integer ops, else the output zero point's type (X's when absent). */
static int quantized_output(struct tpusim_graph *g, struct op *op)
{
    struct tensor *y = op_out(g, op, 0);
    const struct tensor *x = op_in(g, op, 0), *zp = op_in(g, op, QLINEAR_Y_ZERO_POINT);
    tpusim_dtype dt = op->type == OP_CONV_INTEGER || op->type == OP_MATMUL_INTEGER
                          ? TPUSIM_DT_INT32
                          : zp ? zp->dtype : x->dtype;
    return op_set_out(g, op, 0, dt, y->rank, y->dims, NULL);
}

int infer_quantized_conv(struct tpusim_graph *g, struct op *op)
{
    int rc = infer_conv(g, op);
    return rc ? rc : quantized_output(g, op);
}

int infer_quantized_matmul(struct tpusim_graph *g, struct op *op)
{
    int rc = infer_matmul(g, op);
    return rc ? rc : quantized_output(g, op);
}

/* --------------------------------------------------------- QDQ folding */

static bool is_matrix(const struct op *op)
{
    return op_info_of(op->type)->cls == OPC_MATRIX;
}

static bool runs(const struct op *op)
{
    return !op->folded && !op->bypassed && !op->dead;
}

static bool quantized_type(enum op_type t)
{
    return t == OP_QLINEAR_CONV || t == OP_CONV_INTEGER || t == OP_QLINEAR_MATMUL ||
           t == OP_MATMUL_INTEGER;
}

static bool eight_bit(tpusim_dtype dt)
{
    return dt == TPUSIM_DT_INT8 || dt == TPUSIM_DT_UINT8;
}

/* A QuantizeLinear requantizes the output of a matrix op (possibly after
 * the ReLU / Clip a runtime fuses into it): the op's epilogue does it. */
static bool after_matrix_op(const struct tpusim_graph *g, const struct tensor *t)
{
    const struct op *p = t->producer >= 0 ? g->ops[t->producer] : NULL;
    if (p && (p->type == OP_RELU || p->type == OP_CLIP)) {
        const struct tensor *in = op_in(g, p, 0);
        p = in && in->producer >= 0 ? g->ops[in->producer] : NULL;
    }
    return p && is_matrix(p) && runs(p);
}

int quant_fold(struct tpusim_graph *g)
{
    int *readers = calloc((size_t)g->n_tensors + 1, sizeof *readers);
    int *matrix_readers = calloc((size_t)g->n_tensors + 1, sizeof *matrix_readers);
    if (!readers || !matrix_readers) {
        free(readers);
        free(matrix_readers);
        return graph_error(g, TPUSIM_ERR_NOMEM, "out of memory");
    }
    for (int i = 0; i < g->n_ops; i++) {
        const struct op *op = g->ops[i];
        for (int k = 0; k < op->n_in && runs(op); k++)
            if (op->in[k] >= 0) {
                readers[op->in[k]]++;
                matrix_readers[op->in[k]] += is_matrix(op) && k < 2;
            }
    }
    bool int8 = false;
    for (int i = 0; i < g->n_ops; i++) {
        struct op *op = g->ops[g->order[i]];
        const struct tensor *in = op_in(g, op, 0), *out = op_out(g, op, 0);
        if (!runs(op) || !in)
            continue;
        if (op->type == OP_DEQUANTIZE_LINEAR && !out->is_output && readers[out->index] &&
            readers[out->index] == matrix_readers[out->index]) {
            op->bypassed = true; /* the matrix op reads the 8-bit tensor itself */
            int8 = true;
        } else if (op->type == OP_QUANTIZE_LINEAR && !out->is_output && after_matrix_op(g, in)) {
            op->bypassed = true; /* requantized in the matrix op's epilogue */
        } else if (is_matrix(op) && (quantized_type(op->type) || eight_bit(in->dtype))) {
            int8 = true;
        }
    }
    g->matrix_dtype = int8 ? TPUSIM_DT_INT8 : TPUSIM_DT_UNDEFINED;
    free(readers);
    free(matrix_readers);
    return TPUSIM_OK;
}
