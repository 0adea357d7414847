/*
 * infer_nn.c — shape inference and cost counts for matrix and windowed ops (Conv, Gemm, MatMul, Einsum, RNNs, pooling).
 * STUB: to be implemented.
 */
#include "graph.h"

int infer_conv(struct tpusim_graph *g, struct op *op)
{
    return op_error(g, op, "shape inference not implemented yet");
}

int infer_conv_transpose(struct tpusim_graph *g, struct op *op)
{
    return op_error(g, op, "shape inference not implemented yet");
}

int infer_gemm(struct tpusim_graph *g, struct op *op)
{
    return op_error(g, op, "shape inference not implemented yet");
}

int infer_matmul(struct tpusim_graph *g, struct op *op)
{
    return op_error(g, op, "shape inference not implemented yet");
}

int infer_einsum(struct tpusim_graph *g, struct op *op)
{
    return op_error(g, op, "shape inference not implemented yet");
}

int infer_rnn(struct tpusim_graph *g, struct op *op)
{
    return op_error(g, op, "shape inference not implemented yet");
}

int infer_pool(struct tpusim_graph *g, struct op *op)
{
    return op_error(g, op, "shape inference not implemented yet");
}

int infer_global_pool(struct tpusim_graph *g, struct op *op)
{
    return op_error(g, op, "shape inference not implemented yet");
}

int infer_lrn(struct tpusim_graph *g, struct op *op)
{
    return op_error(g, op, "shape inference not implemented yet");
}
