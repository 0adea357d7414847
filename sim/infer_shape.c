/*
 * infer_shape.c — shape inference and cost counts for shape and data-movement ops, with constant folding of shape chains.
 * STUB: to be implemented.
 */
#include "graph.h"

int infer_reshape(struct tpusim_graph *g, struct op *op)
{
    return op_error(g, op, "shape inference not implemented yet");
}

int infer_flatten(struct tpusim_graph *g, struct op *op)
{
    return op_error(g, op, "shape inference not implemented yet");
}

int infer_squeeze(struct tpusim_graph *g, struct op *op)
{
    return op_error(g, op, "shape inference not implemented yet");
}

int infer_unsqueeze(struct tpusim_graph *g, struct op *op)
{
    return op_error(g, op, "shape inference not implemented yet");
}

int infer_transpose(struct tpusim_graph *g, struct op *op)
{
    return op_error(g, op, "shape inference not implemented yet");
}

int infer_concat(struct tpusim_graph *g, struct op *op)
{
    return op_error(g, op, "shape inference not implemented yet");
}

int infer_split(struct tpusim_graph *g, struct op *op)
{
    return op_error(g, op, "shape inference not implemented yet");
}

int infer_slice(struct tpusim_graph *g, struct op *op)
{
    return op_error(g, op, "shape inference not implemented yet");
}

int infer_gather(struct tpusim_graph *g, struct op *op)
{
    return op_error(g, op, "shape inference not implemented yet");
}

int infer_pad(struct tpusim_graph *g, struct op *op)
{
    return op_error(g, op, "shape inference not implemented yet");
}

int infer_expand(struct tpusim_graph *g, struct op *op)
{
    return op_error(g, op, "shape inference not implemented yet");
}

int infer_tile(struct tpusim_graph *g, struct op *op)
{
    return op_error(g, op, "shape inference not implemented yet");
}

int infer_shape_of(struct tpusim_graph *g, struct op *op)
{
    return op_error(g, op, "shape inference not implemented yet");
}

int infer_size_of(struct tpusim_graph *g, struct op *op)
{
    return op_error(g, op, "shape inference not implemented yet");
}

int infer_constant_of_shape(struct tpusim_graph *g, struct op *op)
{
    return op_error(g, op, "shape inference not implemented yet");
}

int infer_range(struct tpusim_graph *g, struct op *op)
{
    return op_error(g, op, "shape inference not implemented yet");
}

int infer_resize(struct tpusim_graph *g, struct op *op)
{
    return op_error(g, op, "shape inference not implemented yet");
}

int infer_depth_space(struct tpusim_graph *g, struct op *op)
{
    return op_error(g, op, "shape inference not implemented yet");
}
