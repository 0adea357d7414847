/*
 * tpusim.h — the public API of tpusim, a cycle-level simulator of ML
 * accelerators, and its manual.
 *
 * This draft covers the graph: load an ONNX model (file or in-memory
 * buffer) or build one with builder calls, infer every tensor's shape, and
 * read back per-op MAC, FLOP, parameter and byte counts.
 *
 * Conventions (all functions):
 *  - Every function returning int returns a tpusim_status; TPUSIM_OK is 0.
 *    On error the handle keeps a message, readable with tpusim_graph_errmsg()
 *    until the next call on that handle. The message names the file, node
 *    and tensor involved.
 *  - Nothing in the library prints, exits or aborts.
 *  - Out-pointers are set to NULL (or zero) on error.
 *  - tpusim_graph_close(NULL) is a no-op.
 *  - Strings returned by the library are owned by the handle and live until
 *    the handle is closed.
 *  - A graph handle is not safe to modify from two threads at once; a
 *    finalized graph may be read by many threads.
 *
 * Counting convention: one MAC is one multiply-accumulate, as papers count
 * "FLOPs" for CNNs (ResNet-50: 4.1 G MACs). FLOPs = 2 x MACs for matrix ops
 * plus vector work: one per output element of an elementwise op or
 * activation, one per window element of pooling, 2 per element for
 * inference BatchNormalization, 5 for Layer/InstanceNormalization, 3 for
 * Softmax. See docs/import.md.
 */
#ifndef TPUSIM_H
#define TPUSIM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TPUSIM_VERSION "0.1.0"
#define TPUSIM_VERSION_NUMBER 1000 /* major*1000000 + minor*1000 + patch */

/* Largest tensor rank tpusim handles. */
#define TPUSIM_MAX_RANK 8

typedef enum tpusim_status {
    TPUSIM_OK = 0,
    TPUSIM_ERR_ARG,         /* a bad argument to an API call */
    TPUSIM_ERR_NOMEM,       /* allocation failed */
    TPUSIM_ERR_IO,          /* a file could not be read */
    TPUSIM_ERR_PARSE,       /* malformed, truncated or empty model file */
    TPUSIM_ERR_UNSUPPORTED, /* an op type, domain or data type tpusim does not model */
    TPUSIM_ERR_GRAPH,       /* structure: dangling tensor, cycle, duplicate producer */
    TPUSIM_ERR_SHAPE,       /* shape inference failed (incompatible or absurd shapes) */
    TPUSIM_ERR_UNBOUND,     /* a symbolic dimension has no value: bind it */
    TPUSIM_ERR_STATE        /* call out of order (e.g. adding ops after finalize) */
} tpusim_status;

/* Element types; the numbers are ONNX's TensorProto.DataType. */
typedef enum tpusim_dtype {
    TPUSIM_DT_UNDEFINED = 0,
    TPUSIM_DT_FLOAT32 = 1,
    TPUSIM_DT_UINT8 = 2,
    TPUSIM_DT_INT8 = 3,
    TPUSIM_DT_UINT16 = 4,
    TPUSIM_DT_INT16 = 5,
    TPUSIM_DT_INT32 = 6,
    TPUSIM_DT_INT64 = 7,
    TPUSIM_DT_STRING = 8,
    TPUSIM_DT_BOOL = 9,
    TPUSIM_DT_FLOAT16 = 10,
    TPUSIM_DT_FLOAT64 = 11,
    TPUSIM_DT_UINT32 = 12,
    TPUSIM_DT_UINT64 = 13,
    TPUSIM_DT_BFLOAT16 = 16
} tpusim_dtype;

/* Library version string ("0.1.0"); static storage. */
const char *tpusim_version(void);
/* Name of a status code ("TPUSIM_ERR_PARSE"); static storage. */
const char *tpusim_status_name(int status);
/* Name of a dtype ("float32"), or "undefined"; static storage. */
const char *tpusim_dtype_name(tpusim_dtype dtype);
/* Bytes per element of a dtype; 0 for undefined/string. */
size_t tpusim_dtype_size_bytes(tpusim_dtype dtype);

/* ---------------------------------------------------------------------
 * Graphs
 * ------------------------------------------------------------------- */

typedef struct tpusim_graph tpusim_graph;

/* Create an empty graph. *out is NULL on TPUSIM_ERR_NOMEM. */
int tpusim_graph_new(tpusim_graph **out);
/* Free a graph and everything it owns. NULL is a no-op. */
void tpusim_graph_close(tpusim_graph *g);
/* The last error message on this handle ("" if none); owned by g. */
const char *tpusim_graph_errmsg(const tpusim_graph *g);

/* Bind symbolic dimensions before loading. `batch` (>= 1) sets dimension 0
 * of every data input: a symbolic batch dimension, or one fixed at 1 by an
 * exporter, so a model exported at batch 1 can be simulated at batch N.
 * A named binding sets every input dimension whose dim_param is `name`;
 * `name` may also be "INPUT:AXIS" for an unnamed dimension. */
int tpusim_graph_set_batch(tpusim_graph *g, int64_t batch);
int tpusim_graph_bind_dim(tpusim_graph *g, const char *name, int64_t value);

/* Load an ONNX model into an empty graph and finalize it (shapes inferred).
 * Weight payloads are never kept: only their shapes and dtypes, plus the
 * values of small integer tensors needed to fold shape computations.
 * `name` labels the buffer in error messages (may be NULL). */
int tpusim_graph_load_onnx_file(tpusim_graph *g, const char *path);
int tpusim_graph_load_onnx_buffer(tpusim_graph *g, const void *data, size_t size_bytes,
                                  const char *name);

/* ---- Builder: make a graph without a file. Tensors are referred to by
 * name; an op's outputs are new tensors. Call tpusim_graph_finalize()
 * when done. */

/* A data input of the model (activations). */
int tpusim_graph_add_input(tpusim_graph *g, const char *name, tpusim_dtype dtype, int rank,
                           const int64_t *dims);
/* A weight (parameter) of known shape; its values are never needed. */
int tpusim_graph_add_weight(tpusim_graph *g, const char *name, tpusim_dtype dtype, int rank,
                            const int64_t *dims);
/* A small integer constant (shape vectors, axes). Values are copied. */
int tpusim_graph_add_int_constant(tpusim_graph *g, const char *name, int rank, const int64_t *dims,
                                  const int64_t *values);
/* Any supported op by its ONNX type name ("Conv", "Relu", ...). An empty
 * string ("") in inputs stands for an absent optional input. */
int tpusim_graph_add_op(tpusim_graph *g, const char *op_type, const char *name,
                        const char *const *inputs, int n_inputs, const char *const *outputs,
                        int n_outputs);
/* Attributes of the op added last. */
int tpusim_graph_set_attr_int(tpusim_graph *g, const char *attr, int64_t value);
int tpusim_graph_set_attr_float(tpusim_graph *g, const char *attr, double value);
int tpusim_graph_set_attr_ints(tpusim_graph *g, const char *attr, const int64_t *values, size_t n);
int tpusim_graph_set_attr_string(tpusim_graph *g, const char *attr, const char *value);
/* Mark a tensor as a model output (optional: unconsumed tensors are outputs). */
int tpusim_graph_mark_output(tpusim_graph *g, const char *tensor);

/* Convenience builder: a 2-D convolution (NCHW) with a weight [cout, cin/group, k, k] and
 * bias created as "<name>.w" / "<name>.b", symmetric padding `pad`. */
int tpusim_graph_add_conv2d(tpusim_graph *g, const char *name, const char *input, const char *output,
                            int64_t out_channels, int64_t kernel, int64_t stride, int64_t pad,
                            int64_t group);
/* Convenience builder: fully connected layer (Gemm, weight [in, out] "<name>.w", bias). */
int tpusim_graph_add_dense(tpusim_graph *g, const char *name, const char *input, const char *output,
                           int64_t out_features);

/* Built-in models made with the builder (for demos and tests): the count,
 * the name of model `index` ("demo-cnn") with a one-line summary (static
 * storage; NULL when out of range), and building one into an empty graph
 * (finalized on return). An unknown name is TPUSIM_ERR_ARG. */
size_t tpusim_builtin_count(void);
const char *tpusim_builtin_name(size_t index, const char **summary);
int tpusim_graph_build_builtin(tpusim_graph *g, const char *name);

/* Topologically sort, check structure, infer every shape and count costs.
 * Loading a file calls this itself. */
int tpusim_graph_finalize(tpusim_graph *g);

/* ---- Reading a finalized graph. */

typedef struct tpusim_totals {
    uint64_t ops;          /* ops that run (not folded into constants) */
    uint64_t macs;         /* multiply-accumulates */
    uint64_t flops;        /* see the counting convention above */
    uint64_t params;       /* elements of floating-point weights read by ops */
    uint64_t bytes;        /* sum over ops of bytes read and written */
} tpusim_totals;

typedef struct tpusim_op_info {
    const char *name;      /* node name (generated "<type>_<index>" if the file had none) */
    const char *type;      /* ONNX op type */
    int n_inputs, n_outputs;
    uint64_t macs, flops, params;
    uint64_t bytes_in;     /* activations read (non-constant inputs) */
    uint64_t bytes_weights;/* constant inputs read */
    uint64_t bytes_out;    /* outputs written */
} tpusim_op_info;

typedef struct tpusim_tensor_info {
    const char *name;
    tpusim_dtype dtype;
    int rank;
    int64_t dims[TPUSIM_MAX_RANK];
    int is_constant;       /* weight or folded at compile time */
} tpusim_tensor_info;

/* Number of ops that run (folded constant computations are left out), in
 * topological order. */
size_t tpusim_graph_op_count(const tpusim_graph *g);
int tpusim_graph_op(const tpusim_graph *g, size_t index, tpusim_op_info *out);
/* Tensor `which` of op `index`: inputs are 0..n_inputs-1 when `output` is 0. */
int tpusim_graph_op_tensor(const tpusim_graph *g, size_t index, int output, int which,
                           tpusim_tensor_info *out);
int tpusim_graph_totals(const tpusim_graph *g, tpusim_totals *out);

#ifdef __cplusplus
}
#endif
#endif /* TPUSIM_H */
