/*
 * onnx_wire.h — a walk over an ONNX file's protobuf wire format before
 * protobuf-c unpacks it. protobuf-c recurses once per nested message with
 * no limit of its own, so a small file of deeply nested subgraphs (If
 * inside If, 3,000 deep in 112 KB) overflows the stack of any process that
 * unpacks it; the walk counts the depth with a stack of its own and
 * refuses a file past ONNX_MAX_MESSAGE_DEPTH. It also refuses a NUL byte
 * inside a string field, which the C strings protobuf-c hands back would
 * cut short (two tensors "y\0a" and "y\0b" would both be "y").
 */
#ifndef TPUSIM_ONNX_WIRE_H
#define TPUSIM_ONNX_WIRE_H

#include <stddef.h>
#include <stdint.h>

/* Messages nested at most this deep, ModelProto counting 1: the default
 * recursion limit of Google's protobuf parser (CodedInputStream,
 * kDefaultRecursionLimit = 100), which ONNX's own tools read models with.
 * Each subgraph level costs 3 messages (NodeProto, AttributeProto,
 * GraphProto), so about 30 levels of If/Loop/Scan nesting fit. */
#define ONNX_MAX_MESSAGE_DEPTH 100

struct tpusim_graph;

/* TPUSIM_OK, or TPUSIM_ERR_PARSE with the reason in g's message: nested
 * too deep, a NUL in a name, or bytes that are not protobuf at all. */
int onnx_wire_check(struct tpusim_graph *g, const uint8_t *data, size_t size);

#endif /* TPUSIM_ONNX_WIRE_H */
