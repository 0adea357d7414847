/*
 * onnx_export.h — writes a finalized graph as an ONNX ModelProto (IR 8,
 * opset 17) with protobuf-c: every op as a node with its attributes,
 * weights as graph inputs of static shape (no payload: tpusim's importer
 * and other shape-only tools take them as weights), small constants
 * (shape vectors, scalars) as initializers with their values.
 */
#ifndef TPUSIM_ONNX_EXPORT_H
#define TPUSIM_ONNX_EXPORT_H

#include <stddef.h>
#include <stdint.h>

#include "tpusim.h"

/* The serialised model into *out (malloc'ed; free() it), *len bytes.
 * `name` names the ONNX graph. Returns a tpusim_status; err says why. */
int onnx_export_buffer(const tpusim_graph *g, const char *name, uint8_t **out, size_t *len,
                       char *err, size_t err_len);
/* The same, written to `path` (TPUSIM_ERR_IO when it cannot be written). */
int onnx_export_file(const tpusim_graph *g, const char *name, const char *path, char *err,
                     size_t err_len);

#endif /* TPUSIM_ONNX_EXPORT_H */
