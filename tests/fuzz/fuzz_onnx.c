/*
 * fuzz_onnx.c — libFuzzer target: bytes as an ONNX file (the wire check,
 * protobuf-c, the importer, shape inference: tpusim_graph_load_onnx_buffer),
 * then a simulation of what loads (fuzz_graph.h). `make fuzz`.
 */
#include "fuzz_graph.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_graph(tpusim_graph_load_onnx_buffer, data, size);
}
