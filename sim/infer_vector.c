/*
 * infer_vector.c — shape inference and cost counts for elementwise ops, activations, normalisation, reductions, softmax.
 * STUB: to be implemented.
 */
#include "graph.h"

int infer_binary(struct tpusim_graph *g, struct op *op)
{
    return op_error(g, op, "shape inference not implemented yet");
}

int infer_variadic(struct tpusim_graph *g, struct op *op)
{
    return op_error(g, op, "shape inference not implemented yet");
}

int infer_compare(struct tpusim_graph *g, struct op *op)
{
    return op_error(g, op, "shape inference not implemented yet");
}

int infer_unary(struct tpusim_graph *g, struct op *op)
{
    return op_error(g, op, "shape inference not implemented yet");
}

int infer_where(struct tpusim_graph *g, struct op *op)
{
    return op_error(g, op, "shape inference not implemented yet");
}

int infer_cast(struct tpusim_graph *g, struct op *op)
{
    return op_error(g, op, "shape inference not implemented yet");
}

int infer_dropout(struct tpusim_graph *g, struct op *op)
{
    return op_error(g, op, "shape inference not implemented yet");
}

int infer_norm(struct tpusim_graph *g, struct op *op)
{
    return op_error(g, op, "shape inference not implemented yet");
}

int infer_reduce(struct tpusim_graph *g, struct op *op)
{
    return op_error(g, op, "shape inference not implemented yet");
}

int infer_softmax(struct tpusim_graph *g, struct op *op)
{
    return op_error(g, op, "shape inference not implemented yet");
}
