/*
 * graph.h — the graph IR: tensors with shape, dtype, producer and (for small
 * constants) known values; ops with attributes, resolved parameters and cost
 * counts. Every importer and the builder API go through graph_add_*; then
 * graph_finalize() sorts, checks and runs shape inference (sim/infer_*.c).
 */
#ifndef TPUSIM_GRAPH_H
#define TPUSIM_GRAPH_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

/* The library never exits: a failed hash insert leaves the entry out, and
 * graph_tensor() checks for that. */
#define HASH_NONFATAL_OOM 1
#define uthash_nonfatal_oom(obj) ((void)(obj))
#include <uthash.h>

#include "ops.h"
#include "tpusim.h"

/* Constants with at most this many elements keep their values, so shape
 * computations (Shape -> Gather -> Concat -> Reshape) can be folded. Larger
 * ones are weights: their values never matter for timing. */
#define GRAPH_MAX_KEPT_VALUES 4096

/* Elements in one tensor above this are "absurd" (2^48: 256 Ti elements). */
#define GRAPH_MAX_TENSOR_ELEMS (INT64_C(1) << 48)

struct tensor {
    char *name;
    int index;
    tpusim_dtype dtype;     /* UNDEFINED until inferred */
    int rank;               /* -1 until inferred */
    int64_t dims[TPUSIM_MAX_RANK];
    char *dim_params[TPUSIM_MAX_RANK]; /* graph inputs: symbolic names, or NULL */
    int producer;           /* op index, -1 for inputs and constants */
    bool defined;           /* produced by an op, or an input/initializer */
    bool is_const;          /* independent of the data inputs */
    bool is_input;          /* a data input of the model */
    bool is_output;
    /* Known contents of a small constant; exactly one of the two is set,
     * by dtype (integers/bool in ivals, floats in fvals). */
    int64_t *ivals;
    double *fvals;
    size_t n_vals;
    UT_hash_handle hh;
};

enum attr_kind {
    ATTR_INT,
    ATTR_FLOAT,
    ATTR_STRING,
    ATTR_INTS,
    ATTR_FLOATS,
    ATTR_TENSOR, /* a one-value tensor (ConstantOfShape's value): dtype in i, value in f */
    ATTR_OTHER   /* graphs, strings lists: kept by name only */
};

struct attr {
    char *name;
    enum attr_kind kind;
    int64_t i;
    double f;
    char *s;
    int64_t *ints;
    double *floats;
    size_t n;
};

/* Geometry of a convolution or pooling window, resolved by shape inference. */
struct window_params {
    int spatial;                 /* number of spatial dims (1..3) */
    int64_t kernel[3];
    int64_t stride[3];
    int64_t dilation[3];
    int64_t pad_begin[3], pad_end[3];
    int64_t group;
};

struct op_cost {
    uint64_t macs;
    uint64_t flops;
    uint64_t params;
    uint64_t bytes_in;
    uint64_t bytes_weights;
    uint64_t bytes_out;
};

struct control_flow; /* sim/control_flow.h */

struct op {
    char *name;
    int index;
    enum op_type type;
    char *domain;            /* "" for the default ONNX domain */
    int n_in, n_out;
    int *in;                 /* tensor indices; -1 for an absent optional input */
    int *out;
    struct attr *attrs;
    int n_attrs;
    bool folded;             /* computed at compile time: no runtime cost */
    /* Not run, each output i standing for input i (finalize rewires the
     * readers): a control-flow op once its body is in the graph. */
    bool bypassed;
    bool dead;               /* not run: in an If branch not taken */
    /* The model file runs this op on the host CPU: one an accelerator's
     * compiler left outside its custom op (a TFLite *_edgetpu.tflite). */
    bool host_pinned;
    int source_node;         /* the node (TFLite: op index) it came from; -1 if none */
    struct control_flow *cf; /* If/Loop/Scan: their subgraphs (control_flow.h), else NULL */
    int cf_parent;           /* the control-flow op this op was expanded from, or -1 */
    int cf_body;             /* which of its bodies (If: 0 then, 1 else) */
    struct window_params win;/* Conv/ConvTranspose/pooling */
    bool channels_last;      /* its data_format attribute says NHWC (op_channels_last) */
    struct op_cost cost;
};

struct dim_binding {
    char *name;
    int64_t value;
    bool used;               /* bound an input dimension or a Loop's trip count */
};

struct tpusim_graph {
    struct tensor **tensors;
    int n_tensors, cap_tensors;
    struct op **ops;
    int n_ops, cap_ops;
    int *order;              /* topological order of op indices, after finalize */
    int *run_ops;            /* the non-folded ops of `order` */
    int n_run_ops;
    struct tensor *by_name;  /* uthash head */
    struct dim_binding *bindings;
    int n_bindings;
    int64_t batch;           /* 0: leave dim 0 as the file says */
    tpusim_dtype matrix_dtype; /* int8 when the matrix ops run quantized (quant.h), else undefined */
    bool finalized;
    char *source;            /* file name for messages ("<buffer>" etc.) */
    char *notes;             /* what loading decided that the user should know, one per line */
    char err[1024];
};

/* ---- Errors. Each formats into g->err and returns `code`. */
int graph_error(struct tpusim_graph *g, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Appends one line to g->notes (tpusim_graph_notes): a choice the
 * importer or inference made for the user (a branch taken, a dimension
 * bound, a part of the model not simulated). TPUSIM_ERR_NOMEM on failure. */
int graph_note(struct tpusim_graph *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "node 'NAME' (TYPE): ..." with code TPUSIM_ERR_SHAPE. */
int op_error(struct tpusim_graph *g, const struct op *op, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- Building. */
/* A malloc'ed copy of s; NULL on NOMEM. */
char *graph_strdup(const char *s);
/* A malloc'ed printf; NULL when out of memory. */
char *graph_strprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* NULL, "" and "ai.onnx" all name the default ONNX operator domain. */
bool graph_is_default_domain(const char *domain);
/* The --dim binding called `name`, or NULL. */
struct dim_binding *graph_find_binding(const struct tpusim_graph *g, const char *name);
/* The tensor called `name`, created (undefined) if new; NULL on NOMEM. */
struct tensor *graph_tensor(struct tpusim_graph *g, const char *name);
struct tensor *graph_find_tensor(const struct tpusim_graph *g, const char *name);
/* A defined tensor (input/weight/constant) with a shape. Errors on a
 * redefinition. */
int graph_define_tensor(struct tpusim_graph *g, const char *name, tpusim_dtype dtype, int rank,
                        const int64_t *dims, struct tensor **out);
/* A data input of the model. dims[i] < 0 is a symbolic or unknown
 * dimension, named by dim_params[i] (dim_params may be NULL); bound at
 * finalize from the graph's bindings. */
int graph_define_input(struct tpusim_graph *g, const char *name, tpusim_dtype dtype, int rank,
                       const int64_t *dims, const char *const *dim_params, struct tensor **out);
/* Adds an op; `domain` may be NULL. Unknown types are TPUSIM_ERR_UNSUPPORTED
 * naming the type, domain and node. Empty input names are absent inputs. */
int graph_add_op(struct tpusim_graph *g, const char *type, const char *domain, const char *name,
                 const char *const *inputs, int n_in, const char *const *outputs, int n_out,
                 struct op **out);
/* Attributes; the op owns copies. */
int op_add_attr_int(struct tpusim_graph *g, struct op *op, const char *name, int64_t v);
int op_add_attr_float(struct tpusim_graph *g, struct op *op, const char *name, double v);
int op_add_attr_string(struct tpusim_graph *g, struct op *op, const char *name, const char *v);
int op_add_attr_ints(struct tpusim_graph *g, struct op *op, const char *name, const int64_t *v,
                     size_t n);
int op_add_attr_floats(struct tpusim_graph *g, struct op *op, const char *name, const double *v,
                       size_t n);
int op_add_attr_tensor(struct tpusim_graph *g, struct op *op, const char *name, tpusim_dtype dtype,
                       double value);
int op_add_attr_other(struct tpusim_graph *g, struct op *op, const char *name);
/* Copies every attribute of src onto dst (expanding a subgraph). */
int op_copy_attrs(struct tpusim_graph *g, struct op *dst, const struct op *src);

/* ---- Reading attributes (for shape inference). */
const struct attr *op_attr(const struct op *op, const char *name);
int64_t attr_int(const struct op *op, const char *name, int64_t dflt);
double attr_float(const struct op *op, const char *name, double dflt);
const char *attr_string(const struct op *op, const char *name, const char *dflt);
/* Number of ints, *v pointing at them (NULL, 0 when absent). */
size_t attr_ints(const struct op *op, const char *name, const int64_t **v);

/* ---- Activation layout of the windowed ops. Conv, ConvTranspose,
 * MaxPool and AveragePool read [N, C, spatial...] (ONNX), or with the
 * attribute data_format = "NHWC" (TFLite's layout) [N, spatial..., C]; their
 * weights are then [Cout, kernel..., Cin/group] (TFLite's OHWI). */
bool op_channels_last(const struct op *op);
/* The axis of t's channels, and of spatial axis i, in op's layout. */
int op_channel_axis(const struct op *op, const struct tensor *t);
int op_spatial_axis(const struct op *op, int i);

/* ---- Tensors of an op. NULL for an absent optional input / out of range.
 * Inline: the lowering reads them for every op of every simulation. */
static inline struct tensor *op_in(const struct tpusim_graph *g, const struct op *op, int i)
{
    if (i < 0 || i >= op->n_in || op->in[i] < 0)
        return NULL;
    return g->tensors[op->in[i]];
}

static inline struct tensor *op_out(const struct tpusim_graph *g, const struct op *op, int i)
{
    if (i < 0 || i >= op->n_out)
        return NULL;
    return g->tensors[op->out[i]];
}
/* Input i, which the op cannot do without: present, with a rank and every
 * dimension known (>= 0). Errors name the op and the input; *out is NULL
 * on error. */
int op_need_in(struct tpusim_graph *g, const struct op *op, int i, struct tensor **out);
/* Sets output i's dtype and shape (tensor_set_shape) and drops values an
 * earlier inference left on it. An output the node leaves off is fine:
 * TPUSIM_OK with *out NULL. `out` may be NULL. */
int op_set_out(struct tpusim_graph *g, const struct op *op, int i, tpusim_dtype dtype, int rank,
               const int64_t *dims, struct tensor **out);

/* ---- Shapes and values. */
/* Sets dtype, rank and dims; errors (naming op) on negative dims or on a
 * dimension or element count over GRAPH_MAX_TENSOR_ELEMS. `op` may be
 * NULL. */
int tensor_set_shape(struct tpusim_graph *g, const struct op *op, struct tensor *t,
                     tpusim_dtype dtype, int rank, const int64_t *dims);
/* Copies the output shape from another tensor. */
int tensor_copy_shape(struct tpusim_graph *g, const struct op *op, struct tensor *t,
                      const struct tensor *from);
uint64_t tensor_elems(const struct tensor *t);
uint64_t tensor_bytes(const struct tensor *t);
bool tensor_has_values(const struct tensor *t);
bool dtype_is_float(tpusim_dtype dt);
/* Store known values (copied). ivals for integer/bool dtypes, fvals for
 * floats; n must equal the element count. Silently keeps nothing when n is
 * over GRAPH_MAX_KEPT_VALUES: such tensors are weights. */
int tensor_set_ivals(struct tpusim_graph *g, struct tensor *t, const int64_t *v, size_t n);
int tensor_set_fvals(struct tpusim_graph *g, struct tensor *t, const double *v, size_t n);
/* Forgets known values (a tensor about to be redefined). */
void tensor_drop_values(struct tensor *t);
/* Value i as a double / int64 whichever array holds it. */
double tensor_value_f(const struct tensor *t, size_t i);
int64_t tensor_value_i(const struct tensor *t, size_t i);
/* Reads an integer vector input that must be a foldable constant (Reshape's
 * shape, Slice's starts...). Errors name the op and the input. *v points
 * into the tensor. */
int op_const_ints(struct tpusim_graph *g, const struct op *op, int input, const int64_t **v,
                  size_t *n);
/* "[1,3,224,224]" into buf ("?" before the shape is known). */
const char *shape_str(const struct tensor *t, char *buf, size_t len);
/* "[a,b,c]" for n values (dims, shape vectors, perms) into buf. */
const char *dims_str(const int64_t *v, size_t n, char *buf, size_t len);

/* ---- Folding one output's values. vals_open allocates room for every
 * element of out, as integers or floats by out's dtype; the vals_put_*
 * calls fill it (converting to that storage); vals_close stores the values
 * on out (tensor_set_*vals) and frees, vals_free only frees (an element
 * had no exact value). */
struct vals {
    struct tensor *out;
    size_t n;
    int64_t *i;
    double *f;
};
int vals_open(struct tpusim_graph *g, struct vals *v, struct tensor *out);
/* Element k from element idx of src. */
void vals_put(struct vals *v, size_t k, const struct tensor *src, size_t idx);
void vals_put_num(struct vals *v, size_t k, double x);
void vals_put_int(struct vals *v, size_t k, int64_t x);
int vals_close(struct tpusim_graph *g, struct vals *v);
void vals_free(struct vals *v);

/* NumPy broadcasting of two shapes into out/out_rank; error names the op. */
int broadcast_shapes(struct tpusim_graph *g, const struct op *op, int ra, const int64_t *a, int rb,
                     const int64_t *b, int *out_rank, int64_t *out);
/* Normalise a possibly negative axis for `rank`; error names the op. */
int normalize_axis(struct tpusim_graph *g, const struct op *op, int64_t axis, int rank,
                   int *out);

/* ---- Lifecycle. */
int graph_finalize(struct tpusim_graph *g);
/* Infers the shape of t and its producers now (builder helpers). */
int graph_infer_early(struct tpusim_graph *g, struct tensor *t, int depth);
/* Frees everything g owns, not g itself. */
void graph_free_contents(struct tpusim_graph *g);

#endif /* TPUSIM_GRAPH_H */
