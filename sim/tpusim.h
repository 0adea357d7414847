/*
 * tpusim.h — the public API of tpusim, a cycle-level simulator of ML
 * accelerators, and its manual.
 *
 * Six kinds of handle, each with an open/new and a close:
 *  - tpusim_context: one per thread. Owns the per-op result cache, scratch
 *    memory and the last error message of the calls made through it.
 *  - tpusim_chip: a chip model (models/<chip>/chip.ini plus overrides).
 *    Immutable once opened; any number of threads may query it at once,
 *    each through its own context.
 *  - tpusim_stack: a software stack's profile (models/stacks/<name>.ini:
 *    what fuses, what runs on the host, overheads per kernel and per
 *    inference, layouts). Each chip names its default stack; a query
 *    runs under the chip's default unless its options name another.
 *    Immutable once opened, like a chip.
 *  - tpusim_graph: a model graph from an ONNX file or buffer or built with
 *    builder calls; shapes inferred, per-op costs counted.
 *  - tpusim_plan: a graph lowered onto a chip under a stack (fusion,
 *    tiling, on-chip residency decided), made once and run many times.
 *  - tpusim_net: a compact NAS candidate, a list of blocks (MBConv-style
 *    depthwise-IBN, fused-IBN, GC-IBN, plain conv, classifier head); the
 *    fast path of a search loop, answered from the cache.
 * and tpusim_result, the answer of a query: total cycles, seconds, stall
 * cycles by cause, and per-op rows. See docs/api.md for a tour.
 *
 * The graph calls load an ONNX model (file or in-memory buffer) or build
 * one with builder calls, infer every tensor's shape, and read back per-op
 * MAC, FLOP, parameter and byte counts.
 *
 * Conventions (all functions):
 *  - Every function returning int returns a tpusim_status; TPUSIM_OK is 0.
 *    On error the handle keeps a message, readable with tpusim_graph_errmsg()
 *    (graph calls), tpusim_net_errmsg() (net building) or tpusim_errmsg()
 *    (calls taking a context) until the next call on that handle. The
 *    message names the file, line and key (chip files) or the node and
 *    tensor (graphs) involved.
 *  - Nothing in the library prints, exits or aborts.
 *  - Out-pointers are set to NULL (or zero) on error.
 *  - Closing NULL (tpusim_graph_close(NULL), ...) is a no-op.
 *  - Strings returned by the library are owned by the handle and live until
 *    the handle is closed.
 *  - A graph handle is not safe to modify from two threads at once; a
 *    finalized graph, a chip and a plan may be read by many threads at
 *    once. A context, a net and a result belong to one thread at a time.
 *  - The library has no mutable global state.
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

/* 0.3: software stacks (tpusim_stack_open, tpusim_options.stack,
 * tpusim_chip_info.default_stack, tpusim_summary.invocation_cycles), each
 * added at the end of its struct. 0.3.1: tpusim_installed_models_dir()
 * (PREFIX/share/tpusim/models, from the PREFIX the library was built for)
 * replaces the TPUSIM_DEFAULT_MODELS_DIR macro. 0.4: energy and power
 * (tpusim_summary.energy_uj, avg_power_w, energy_uj_by_part;
 * tpusim_op_row.energy_uj; tpusim_chip_info.tdp_w, static_w;
 * tpusim_result_energy_uj, tpusim_result_avg_power_w), each added at the
 * end of its struct; tpusim_chip_derive(). */
#define TPUSIM_VERSION "0.4.0"
#define TPUSIM_VERSION_NUMBER 4000 /* major*1000000 + minor*1000 + patch */

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

/* Library version string ("0.2.0"), and as a number; static storage. A
 * program can compare them with TPUSIM_VERSION / TPUSIM_VERSION_NUMBER to
 * see that the library it runs with matches the header it was built with. */
const char *tpusim_version(void);
/* The folder `make install PREFIX=P` fills with chip and stack files,
 * P/share/tpusim/models, fixed when the library was built (the last
 * resort of every models_dir lookup). Static storage. */
const char *tpusim_installed_models_dir(void);
int tpusim_version_number(void);
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

/* What loading decided that the caller should know, one line each ending
 * in '\n' (empty when nothing): a symbolic dimension --batch bound, the
 * branch costed for an If whose condition is not constant, the part of an
 * Edge TPU-compiled model that is not simulated. Owned by the graph; valid
 * until it is closed. */
const char *tpusim_graph_notes(const tpusim_graph *g);
/* Bind symbolic dimensions before loading. `batch` (>= 1) sets dimension 0
 * of every data input: a symbolic batch dimension, or one fixed at 1 by an
 * exporter, so a model exported at batch 1 can be simulated at batch N.
 * A symbolic dimension 0 ("batch_size", "N") is bound to `batch` by its
 * name, wherever else it appears, unless a named binding sets it; the
 * graph's notes say which names were bound. A named binding sets every input dimension whose dim_param is `name`;
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

/* Load a TensorFlow Lite model (.tflite) into an empty graph and finalize
 * it. The FlatBuffer is checked whole by the FlatBuffers verifier before
 * any field is read. Tensors keep the file's NHWC shapes and element types
 * (int8/uint8 quantized graphs run their matrix ops in int8); fused
 * activations become activation ops; an unknown builtin or custom op is
 * TPUSIM_ERR_UNSUPPORTED naming the op's index and name. An Edge
 * TPU-compiled model (*_edgetpu.tflite) keeps its edgetpu-custom-op as an
 * op tpusim cannot see into, and the graph's notes say so. */
int tpusim_graph_load_tflite_file(tpusim_graph *g, const char *path);
int tpusim_graph_load_tflite_buffer(tpusim_graph *g, const void *data, size_t size_bytes,
                                    const char *name);
/* Either format, told apart by content: TFLite's file identifier "TFL3" at
 * byte 4, else ONNX. */
int tpusim_graph_load_file(tpusim_graph *g, const char *path);

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

/* =====================================================================
 * The latency oracle: contexts, chips, plans, results, NAS nets.
 *
 * A typical search loop (error checks left out):
 *
 *   tpusim_context *ctx;  tpusim_chip *chip;  tpusim_net *net;
 *   tpusim_result *res;
 *   tpusim_context_open(0, &ctx);                    // one per thread
 *   tpusim_chip_open(ctx, "tpu_v4i", NULL, NULL, 0, &chip);
 *   tpusim_net_new(&net);  tpusim_result_new(&res);
 *   for (each candidate) {
 *       tpusim_net_reset(net, 1, 3, 224, 224);
 *       tpusim_net_add(net, &stem);  ...  tpusim_net_add(net, &head);
 *       tpusim_net_query(ctx, chip, net, NULL, res);
 *       double s = tpusim_result_seconds(res);
 *   }
 *   tpusim_result_close(res); tpusim_net_close(net);
 *   tpusim_chip_close(chip); tpusim_context_close(ctx);
 * =================================================================== */

typedef struct tpusim_context tpusim_context;
typedef struct tpusim_chip tpusim_chip;
typedef struct tpusim_stack tpusim_stack;
typedef struct tpusim_plan tpusim_plan;
typedef struct tpusim_result tpusim_result;
typedef struct tpusim_net tpusim_net;

/* ---- Contexts: one per thread. */

/* The cache's memory limit when tpusim_context_open is given 0: 64 MiB. */
#define TPUSIM_CACHE_DEFAULT_BYTES ((size_t)64 << 20)

/* Open a context whose cache uses at most `cache_limit_bytes` of memory
 * (0: TPUSIM_CACHE_DEFAULT_BYTES; values under 64 KiB are raised to
 * 64 KiB). When the cache is full it is emptied and fills again: a query
 * that follows is answered cold, never wrongly. *out is NULL on error. */
int tpusim_context_open(size_t cache_limit_bytes, tpusim_context **out);
void tpusim_context_close(tpusim_context *ctx);
/* The message of the last failed call through ctx ("" if none); owned by
 * ctx, valid until the next call through it. */
const char *tpusim_errmsg(const tpusim_context *ctx);

typedef struct tpusim_cache_stats {
    uint64_t hits;          /* block lookups answered from the cache */
    uint64_t misses;        /* block lookups that were not */
    uint64_t entries;       /* entries held now */
    uint64_t bytes;         /* memory the cache holds now (its table), bytes */
    uint64_t limit_bytes;   /* the limit set at open */
    uint64_t flushes;       /* times it was full and emptied */
} tpusim_cache_stats;

int tpusim_cache_stats_get(const tpusim_context *ctx, tpusim_cache_stats *out);
/* Empties the cache and frees its memory (statistics are kept). */
void tpusim_cache_clear(tpusim_context *ctx);

/* ---- Chips. */

/* Open chip `name` ("tpu_v4i": models_dir/<name>/chip.ini) or a path
 * ending in ".ini", and the software stack it names as its default
 * (compiler.default_stack, models_dir/stacks/). `models_dir` NULL means
 * $TPUSIM_MODELS_DIR when set, else "models" when that folder exists,
 * else tpusim_installed_models_dir(). Overrides are
 * "section.key=value" strings ("hbm.bandwidth_gbps=1800"), applied in
 * order; an unknown key is an error. Errors (TPUSIM_ERR_IO, _PARSE, _ARG)
 * leave "file:line: key: problem" in tpusim_errmsg(ctx), for the chip file
 * or its default stack's. The chip does not depend on ctx after this call
 * and may be used with any context, from any thread. */
int tpusim_chip_open(tpusim_context *ctx, const char *name, const char *models_dir,
                     const char *const *overrides, int n_overrides, tpusim_chip **out);
/* A chip as tpusim_chip_open(ctx, base's name, base's models_dir, base's
 * overrides followed by these) would give it, made without reading or
 * parsing its file again (and its default stack's only when the overrides
 * name another): what a sweep over chip parameters opens per point, in
 * microseconds. Errors as tpusim_chip_open's. base is only read (any
 * thread may derive from it at once, each through its own context) and
 * may be closed afterwards; the new chip is independent of it (since
 * 0.4). */
int tpusim_chip_derive(tpusim_context *ctx, const tpusim_chip *base,
                       const char *const *overrides, int n_overrides, tpusim_chip **out);
void tpusim_chip_close(tpusim_chip *chip);

typedef struct tpusim_chip_info {
    const char *name;             /* "tpu_v4i"; owned by the chip */
    double clock_hz;
    int cores;                    /* TensorCores (or 1 for a GPU) per chip */
    double peak_flops_per_s;      /* one core, the default dtype */
    tpusim_dtype default_dtype;   /* bf16 on TPUs, int8 on Edge TPU, fp16 on V100 */
    const char *default_stack;    /* "xla", "tensorrt", ...; owned by the chip (since 0.3) */
    double tdp_w;                 /* the chip file's published TDP, watts (since 0.4) */
    double static_w;              /* its static (leakage, always-on) power, watts (since 0.4) */
} tpusim_chip_info;

int tpusim_chip_info_get(const tpusim_chip *chip, tpusim_chip_info *out);

/* ---- Software stacks. */

/* Open stack `name` ("pytorch-eager": models_dir/stacks/<name>.ini) or a
 * path ending in ".ini"; models_dir and overrides ("section.key=value",
 * e.g. "overhead.dispatch_us_per_kernel=20") as tpusim_chip_open. Errors
 * leave "file:line: section.key: problem" in tpusim_errmsg(ctx). A query
 * under a stack that does not target its chip (stack.targets) fails with
 * TPUSIM_ERR_ARG. Immutable; any thread, any context; keep it open while
 * plans made with it live. */
int tpusim_stack_open(tpusim_context *ctx, const char *name, const char *models_dir,
                      const char *const *overrides, int n_overrides, tpusim_stack **out);
void tpusim_stack_close(tpusim_stack *stack);
/* "pytorch-eager" (a path's file name without .ini); owned by the stack;
 * NULL for a NULL stack. */
const char *tpusim_stack_name(const tpusim_stack *stack);

/* ---- Options of a query (NULL: all defaults). */

/* Bypass the cache: simulate the whole graph. Gives numbers identical to
 * a cached query (tests/test_api.c checks it); slower. */
#define TPUSIM_EXACT 1u
/* Fill per-op rows in the result (a net query then simulates the whole
 * net, as TPUSIM_EXACT, and still fills the cache). Graph and plan
 * queries always fill them. */
#define TPUSIM_PER_OP 2u

/* The engine that times a query (docs/timing.md). FAST, the default: each
 * op alone, in closed form where its tiles repeat; what a search loop
 * wants, cached per block for nets. EVENT: every tile, transfer and unit
 * in time, with the next op's weights prefetched during this one, write-
 * backs overlapping the next op and GPU kernels launched ahead; the
 * reference the CLI reports. A net query with EVENT simulates the whole
 * net (no cache). On one op alone the two agree to the cycle. */
typedef enum tpusim_engine {
    TPUSIM_ENGINE_FAST = 0,
    TPUSIM_ENGINE_EVENT = 1
} tpusim_engine;

typedef struct tpusim_options {
    tpusim_dtype dtype;           /* TPUSIM_DT_UNDEFINED: the chip's default */
    int no_fusion;                /* 1: every op runs on its own (the stack's fusion off) */
    double framework_overhead_us; /* host time per kernel on top of the stack's dispatch, µs */
    unsigned flags;               /* TPUSIM_EXACT | TPUSIM_PER_OP */
    const tpusim_stack *stack;    /* NULL: the chip's default stack (since 0.3) */
    int engine;                   /* tpusim_engine (since 0.3) */
} tpusim_options;

/* ---- Results: made once by the caller, filled by each query. */

/* Where an op's cycles go; every cycle is charged to one cause. */
typedef enum tpusim_cause {
    TPUSIM_CAUSE_MXU = 0,      /* matrix unit streaming (work and padding) */
    TPUSIM_CAUSE_VPU,          /* vector unit */
    TPUSIM_CAUSE_HBM,          /* off-chip bandwidth and latency */
    TPUSIM_CAUSE_HOST_LINK,    /* the host side: the host link (Edge TPU parameters,
                                * tensors) and ops the stack runs on the host CPU */
    TPUSIM_CAUSE_SRAM,         /* re-reads forced by on-chip capacity */
    TPUSIM_CAUSE_FILL_DRAIN,   /* systolic fill and drain */
    TPUSIM_CAUSE_WEIGHT_LOAD,  /* array idle while weights shift in */
    TPUSIM_CAUSE_LAUNCH,       /* the stack's overheads: per kernel (launch, host
                                * dispatch) and per inference (invocation_cycles) */
    TPUSIM_CAUSE_WAVE_QUANT,   /* GPU SMs idle in a partial last wave */
    TPUSIM_CAUSE_COUNT
} tpusim_cause;

/* "mxu", "weight_load", ...; static storage; "?" when out of range. */
const char *tpusim_cause_name(int cause);

/* Where energy goes (docs/energy.md): the dynamic energy of the units'
 * counted events, and static power over the whole time (since 0.4). */
typedef enum tpusim_energy_part {
    TPUSIM_ENERGY_MXU = 0,     /* matrix unit: MAC slots issued, padding included */
    TPUSIM_ENERGY_VPU,         /* vector unit: element slots busy per cycle */
    TPUSIM_ENERGY_SRAM,        /* on-chip memory (VMEM, CMEM, parameter cache, L2) */
    TPUSIM_ENERGY_HBM,         /* off-chip DRAM */
    TPUSIM_ENERGY_HOST_LINK,   /* the host link */
    TPUSIM_ENERGY_STATIC,      /* leakage and always-on power over the run */
    TPUSIM_ENERGY_COUNT
} tpusim_energy_part;

/* "mxu", "vpu", "sram", "hbm", "host_link", "static"; static storage;
 * "?" when out of range. */
const char *tpusim_energy_part_name(int part);

typedef struct tpusim_summary {
    uint64_t cycles;              /* the whole inference, one core, chip cycles */
    double seconds;               /* cycles / clock */
    uint64_t ops;                 /* ops that run (fused ones included) */
    uint64_t flops, macs;
    uint64_t hbm_bytes;           /* moved to or from off-chip memory */
    uint64_t host_bytes;          /* moved over the host link (Edge TPU) */
    uint64_t mac_slots;           /* MXU MAC slots the ops occupied */
    uint64_t useful_macs;         /* of them, doing model work */
    uint64_t param_bytes;         /* parameters in the run's dtype */
    uint64_t params_on_chip_bytes;/* of them, held on chip (CMEM, parameter cache) */
    uint64_t stall_cycles[TPUSIM_CAUSE_COUNT]; /* sums to cycles */
    tpusim_dtype dtype;           /* the dtype it ran in */
    uint64_t cache_hits, cache_misses; /* this query's block lookups */
    uint64_t invocation_cycles;   /* the stack's per-inference cost: in cycles and in
                                   * stall_cycles[LAUNCH], in no op row (since 0.3) */
    double energy_uj;             /* the whole inference, microjoules: the sum of
                                   * energy_uj_by_part (since 0.4) */
    double avg_power_w;           /* energy_uj over seconds, watts (since 0.4) */
    double energy_uj_by_part[TPUSIM_ENERGY_COUNT]; /* tpusim_energy_part (since 0.4) */
} tpusim_summary;

typedef struct tpusim_op_row {
    const char *name;             /* owned by the result; valid until its next query */
    const char *type;             /* ONNX op type; static storage */
    int64_t fused_into;           /* row index of the op it fused into, or -1 */
    uint64_t start_cycle, cycles; /* a fused op has 0 cycles: its host pays */
    uint64_t flops, macs;
    uint64_t hbm_bytes, host_bytes;
    uint64_t mac_slots, useful_macs;
    int bound;                    /* tpusim_cause with the most cycles */
    uint64_t stall_cycles[TPUSIM_CAUSE_COUNT];
    double energy_uj;             /* its dynamic energy and static power over its cycles,
                                   * microjoules; a fused op: its parameters' reads by
                                   * its host's kernel only (since 0.4) */
} tpusim_op_row;

int tpusim_result_new(tpusim_result **out);
void tpusim_result_close(tpusim_result *res);
/* Shortcuts (0 before the first successful query). */
uint64_t tpusim_result_cycles(const tpusim_result *res);
double tpusim_result_seconds(const tpusim_result *res);
/* Energy of the inference, microjoules, and its average power, watts
 * (since 0.4). */
double tpusim_result_energy_uj(const tpusim_result *res);
double tpusim_result_avg_power_w(const tpusim_result *res);
int tpusim_result_summary(const tpusim_result *res, tpusim_summary *out);
/* Rows in schedule order; 0 rows unless the query filled them
 * (TPUSIM_PER_OP, or any graph/plan query). */
size_t tpusim_result_op_count(const tpusim_result *res);
int tpusim_result_op(const tpusim_result *res, size_t index, tpusim_op_row *out);

/* ---- Plans: a finalized graph lowered onto a chip, once. The plan
 * reads the graph, the chip and the stack while it lives: keep them open
 * until it is closed. A plan may be run by several threads, each with its
 * context. */
int tpusim_plan_open(tpusim_context *ctx, const tpusim_graph *g, const tpusim_chip *chip,
                     const tpusim_options *opts, tpusim_plan **out);
void tpusim_plan_close(tpusim_plan *plan);
/* Schedules the plan's ops and fills res (summary and per-op rows). */
int tpusim_plan_run(tpusim_context *ctx, const tpusim_plan *plan, tpusim_result *res);
/* Plan, run and close in one call. */
int tpusim_graph_query(tpusim_context *ctx, const tpusim_graph *g, const tpusim_chip *chip,
                       const tpusim_options *opts, tpusim_result *res);

/* ---- Nets: compact NAS candidates, block by block.
 *
 * A net is an input [batch, channels, height, width] (float data, NCHW)
 * and a chain of blocks, each reading the previous block's output. Each
 * block stands for the ops it expands to (tpusim_net_to_graph() builds
 * them; docs/api.md lists them):
 *  CONV       KxK conv (stride, groups) -> BatchNorm -> act
 *  DW_IBN     [1x1 expand conv (x expand) -> BN -> act] (when expand > 1)
 *             -> KxK depthwise conv (stride) -> BN -> act -> [SE]
 *             -> 1x1 project conv -> BN -> [+ input]
 *  FUSED_IBN  KxK conv (stride, x expand) -> BN -> act -> [SE]
 *             -> [1x1 project conv -> BN] (when expand > 1) -> [+ input]
 *  GC_IBN     as FUSED_IBN with a group conv of `groups` groups in place of
 *             the full KxK conv
 *  HEAD       1x1 conv (out_channels) -> BN -> act -> GlobalAveragePool
 *             -> Flatten -> Gemm (classes)
 * SE (squeeze-excite) is GlobalAveragePool -> 1x1 conv (in/4) -> act ->
 * 1x1 conv -> Sigmoid -> Mul. The residual add is there when stride is 1
 * and the channels in and out match. act SWISH is Sigmoid -> Mul.
 *
 * Cache: a block in a chain times the same wherever it sits, given its
 * input shape, the chip, the stack, the options and a small boundary
 * state (whether its input is on chip, how much on-chip memory and Edge
 * TPU parameter cache are left, whether it is the last block, whether the
 * ops before it fell back to the host); a net query looks each
 * block up by that key and sums, and on any miss simulates the whole net
 * once and stores every block. See docs/api.md for why this is exact. */

typedef enum tpusim_block_kind {
    TPUSIM_BLOCK_CONV = 1,
    TPUSIM_BLOCK_DW_IBN,
    TPUSIM_BLOCK_FUSED_IBN,
    TPUSIM_BLOCK_GC_IBN,
    TPUSIM_BLOCK_HEAD
} tpusim_block_kind;

typedef enum tpusim_act {
    TPUSIM_ACT_RELU = 1,
    TPUSIM_ACT_SWISH = 2
} tpusim_act;

typedef struct tpusim_block {
    int32_t kind;          /* tpusim_block_kind */
    int32_t out_channels;  /* HEAD: the 1x1 conv's width */
    int32_t kernel;        /* 1, 3, 5 or 7 (HEAD: ignored) */
    int32_t stride;        /* 1 or 2 */
    int32_t expand;        /* IBN expansion ratio, >= 1 (others: ignored) */
    int32_t groups;        /* CONV and GC_IBN: group count, >= 1 */
    int32_t act;           /* tpusim_act */
    int32_t se;            /* 1: squeeze-excite (IBN blocks) */
    int32_t classes;       /* HEAD: outputs of the classifier */
} tpusim_block;

int tpusim_net_new(tpusim_net **out);
void tpusim_net_close(tpusim_net *net);
/* Message of the last failed call on net ("" if none); owned by net. */
const char *tpusim_net_errmsg(const tpusim_net *net);
/* Start a new candidate: forget the blocks, set the input shape. */
int tpusim_net_reset(tpusim_net *net, int64_t batch, int64_t channels, int64_t height,
                     int64_t width);
/* Append a block (copied). TPUSIM_ERR_ARG, with a message naming the
 * block, when a field is out of range or groups do not divide the
 * channels. */
int tpusim_net_add(tpusim_net *net, const tpusim_block *block);
size_t tpusim_net_block_count(const tpusim_net *net);
/* MACs and parameters of the net (the accuracy proxies of a search). */
int tpusim_net_totals(const tpusim_net *net, tpusim_totals *out);
/* Build the net's graph into an empty graph handle (finalized on return);
 * ops are named "b<block>.<role>" ("b3.dw", "b3.se.fc1"). */
int tpusim_net_to_graph(const tpusim_net *net, tpusim_graph *g);
/* Latency of the net on chip; fills res (summary; per-op rows only with
 * TPUSIM_PER_OP). Errors in tpusim_errmsg(ctx). */
int tpusim_net_query(tpusim_context *ctx, const tpusim_chip *chip, const tpusim_net *net,
                     const tpusim_options *opts, tpusim_result *res);

#ifdef __cplusplus
}
#endif
#endif /* TPUSIM_H */
