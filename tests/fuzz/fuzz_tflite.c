/*
 * fuzz_tflite.c — libFuzzer target: bytes as a TFLite file (the FlatBuffers
 * verifier, the reader, the importer, shape inference:
 * tpusim_graph_load_tflite_buffer), then a simulation of what loads
 * (fuzz_graph.h). `make fuzz`.
 */
#include "fuzz_graph.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_graph(tpusim_graph_load_tflite_buffer, data, size);
}
