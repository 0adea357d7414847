/*
 * quant.h — quantized graphs. QuantizeLinear / DequantizeLinear pairs of
 * ONNX's QDQ form fold into the int8 matrix ops beside them, as
 * onnxruntime's and TensorRT's QDQ fusions make QLinearConv / int8 kernels
 * of them; the dtype of the graph's matrix ops comes from the graph.
 */
#ifndef TPUSIM_QUANT_H
#define TPUSIM_QUANT_H

#include "graph.h"

/* After inference: marks bypassed each DequantizeLinear whose readers are
 * all matrix ops and each QuantizeLinear right after a matrix op (or its
 * ReLU / Clip), and sets g->matrix_dtype: int8 when a matrix op runs on
 * 8-bit integers (a quantized op, an 8-bit operand, or a folded QDQ pair),
 * else undefined. */
int quant_fold(struct tpusim_graph *g);

#endif /* TPUSIM_QUANT_H */
