/*
 * model_file.h — what the ONNX and TFLite importers share: reading a model
 * file whole, naming the graph's source for messages, and decoding the
 * little-endian elements both formats store constants in.
 */
#ifndef TPUSIM_MODEL_FILE_H
#define TPUSIM_MODEL_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "graph.h"

/* Files larger than this are refused before reading (absurd for a model
 * graph; real exports with weights are well under it). */
#define MODEL_MAX_FILE_BYTES (UINT64_C(4) << 30)

/* An importer: the model in data (size bytes) into empty graph g. */
typedef int (*model_import_fn)(struct tpusim_graph *g, const uint8_t *data, size_t size);
/* The public load calls of either format: argument checks, the source
 * named for messages ("<buffer>" when name is NULL or empty), the file read
 * whole, then `import`. */
int model_load_buffer(struct tpusim_graph *g, const void *data, size_t size, const char *name,
                      model_import_fn import);
int model_load_file(struct tpusim_graph *g, const char *path, model_import_fn import);
/* Reads a whole file; *out is malloc'ed (NULL for an empty file). Errors
 * (TPUSIM_ERR_IO, _NOMEM) are in g. */
int model_read_file(struct tpusim_graph *g, const char *path, uint8_t **out, size_t *size);
/* One little-endian element of type dt at p: floats into *f, integers and
 * bool into *iv (the other is 0). */
void model_raw_element(const uint8_t *p, tpusim_dtype dt, double *f, int64_t *iv);
/* IEEE half and bfloat16 bit patterns as doubles. */
double model_half_to_double(uint16_t h);
double model_bf16_to_double(uint16_t b);

#endif /* TPUSIM_MODEL_FILE_H */
