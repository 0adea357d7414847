/*
 * stack.h — a software stack's profile, read from models/stacks/NAME.ini
 * as chip files are (ini_table.h): which ops fuse into which kernels,
 * where depthwise convolutions and unsupported ops run, what each kernel
 * and each inference costs the host, and how the compiler tiles
 * activations. The same chip under XLA, TensorRT, PyTorch eager, Paddle
 * Inference or the Edge TPU runtime gives different latencies; each chip
 * names its default stack (chip.ini: compiler.default_stack). A stack is
 * immutable after load and independent of any chip: the accessors below
 * take the chip's clock where they answer in cycles. docs/stacks.md
 * describes the file format.
 *
 * Who calls what: the lowering (lower.c) asks stack_fuses,
 * stack_fuses_operand, stack_on_host, stack_device_maps_shape,
 * stack_host_cycles and reads reduce_with_producer and depthwise_on;
 * the engine asks stack_launch_cycles per kernel and, once per inference,
 * invocation_cycles (engine.h: stack_invocation_cycles and the instruction
 * bytes); stack_padded_elems is the layout rule for the memory and vector
 * costs.
 */
#ifndef TPUSIM_STACK_H
#define TPUSIM_STACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ini_table.h"
#include "ops.h"
#include "tpusim.h"

#ifdef __cplusplus
extern "C" {
#endif

#define STACK_MAX_TARGET_CHIPS 8

struct chip;

/* Where depthwise convolutions run: the stack's compiler decides. */
enum depthwise_unit { DEPTHWISE_ON_VPU, DEPTHWISE_ON_MXU };

/* The kernels a fusible op may join, by the op that hosts the kernel. */
enum fusion_target {
    FUSE_INTO_MATRIX,    /* a convolution's or matrix multiply's kernel */
    FUSE_INTO_POINTWISE, /* an element-wise op's, an activation's, a BatchNorm's */
    FUSE_INTO_VECTOR,    /* pooling, reductions, layer/instance normalisation */
    FUSE_TARGET_COUNT
};

/* The chips a stack runs on: every chip of the listed matrix kinds, and
 * the listed chips by name. */
struct stack_targets {
    unsigned kinds;            /* enum matrix_kind bits (chip.h) */
    char chips[STACK_MAX_TARGET_CHIPS][64];
    int n_chips;
};

/* A set of ONNX op types: every type (`all`) or the flagged ones. */
struct op_set {
    bool all;
    bool op[OP_COUNT];
};

/* Which ops run on the host CPU: each listed op alone, or (Edge TPU
 * compiler) the first listed op and every op after it. */
enum host_fallback { HOST_FALLBACK_OP, HOST_FALLBACK_REST_OF_GRAPH };

/* The order in which the layout stores an activation's dimensions. */
enum layout_order {
    LAYOUT_AS_GIVEN,      /* as the ONNX graph gives them (NCHW: W minor) */
    LAYOUT_CHANNELS_LAST, /* N, spatial..., C: channels minor (NHWC) */
    LAYOUT_BATCH_FEATURE  /* XLA:TPU's convolution activations: spatial dims major, batch
                           * and feature the two tiled minor ones (stack_padded_elems) */
};

/* XLA:TPU's rule for convolution activations (Cloud TPU guide, "Profile
 * TensorFlow workloads", tf.nn.conv_n_d): when the most common batch is at
 * least 64, batch pads to a multiple of 128 and feature to 8; below, batch
 * to 8 and feature to 128. So from this batch on, batch is the minor
 * (lane) dimension. */
#define LAYOUT_BATCH_MINOR_FROM 64

struct stack {
    char name[64];             /* "xla" */
    char path[512];            /* the file it came from */

    /* [stack] */
    struct stack_targets targets;

    /* [fusion]: what may join a kernel, by its host (stack_fuses) */
    struct op_set fuse[FUSE_TARGET_COUNT];
    struct op_set fuse_operand;     /* may join a matrix op's kernel on its way in, as a
                                     * prologue of its activation operand (lower.c) */
    bool reduce_with_producer;      /* a reduction joins its input's producer kernel as a
                                     * second output (multi-output fusion, lower.c) */

    /* [placement] */
    enum depthwise_unit depthwise_on;
    struct op_set host_ops;    /* run on the host CPU */
    enum host_fallback host_fallback;
    double host_cpu_gflops;    /* the host CPU on those ops, GFLOP/s */
    double host_cpu_gbps;      /* and its memory bandwidth, GB/s */
    int device_inner_dims;     /* the device maps an op only when each of its activations
                                * is larger than 1 in its innermost this-many dimensions
                                * alone, in the layout's order (0: no limit) */

    /* [overhead] */
    double dispatch_us_per_kernel;  /* host CPU time to issue one kernel */
    double gap_us_per_kernel;       /* device idle between dependent kernels */
    double invoke_us_per_inference; /* fixed cost of one inference */
    uint64_t instruction_bytes_per_kernel; /* the compiled program's instructions, per
                                            * kernel, sent to the device every inference */
    bool library_setup_per_call;    /* the libraries' setup kernels (cuDNN's offset
                                       tables, Winograd filter transforms) run with every
                                       call; false: once, when an engine is built */

    /* [layout] */
    enum layout_order layout_order;
    int tile_second_minor_elems;    /* the second-minor dimension pads to a multiple of this */
    int tile_minor_32bit_elems;     /* the minor one to a multiple of this (4-byte types) */
    int tile_minor_16bit_elems;     /* (2-byte types) */
    int tile_minor_8bit_elems;      /* (1-byte types) */

    /* [kernels] */
    bool strided_conv_split_k;      /* the GPU library's strided convolutions on tensor
                                       cores have split-K kernels */
};

/* Loads models_dir/stacks/<name>.ini (or a path ending in .ini), applying
 * overrides "section.key=value" in order. models_dir NULL: as chip_load.
 * Errors as chip_load's: "file:line: section.key: problem" in err. */
int stack_load(const char *models_dir, const char *name_or_path, const char *const *overrides,
               int n_overrides, struct stack *out, char *err, size_t err_len);
/* As stack_load, from len bytes of text in memory (a file read elsewhere, a
 * fuzzer's input); `name` ends in .ini and stands for the path in messages. */
int stack_load_text(const char *name, const char *text, size_t len, const char *const *overrides,
               int n_overrides, struct stack *out, char *err, size_t err_len);
/* Every resolved value with unit and source in file order; *values is
 * malloc'ed (free() it). `out`, when not NULL, receives the stack. */
int stack_dump(const char *models_dir, const char *name_or_path, const char *const *overrides,
               int n_overrides, struct ini_value **values, int *n, struct stack *out, char *err,
               size_t err_len);
/* Names of the stacks under models_dir/stacks (sorted); free with
 * ini_free_names. */
int stack_list(const char *models_dir, char ***names, int *n);
/* TPUSIM_OK when s runs on chip c; else TPUSIM_ERR_ARG with a message
 * naming both and what the stack targets. */
int stack_check_target(const struct stack *s, const struct chip *c, char *err, size_t err_len);
/* The one place a run's stack is chosen: `name_or_path` when given (not
 * NULL, not empty), else chip c's default (compiler.default_stack);
 * loaded with the overrides and checked against c. */
int stack_resolve(const char *models_dir, const struct chip *c, const char *name_or_path,
                  const char *const *overrides, int n_overrides, struct stack *out, char *err,
                  size_t err_len);
/* "systolic", "tensor_cores" and chip names: what the stack targets. */
const char *stack_targets_text(const struct stack *s, char *buf, size_t len);

/* Whether an op of type t can fuse at all (element-wise and activation
 * ops, BatchNormalization, and the no-ops Cast, Identity, Dropout). */
bool stack_fusible_type(enum op_type t);
/* Whether an op of type t, reading `n_activations` non-constant inputs,
 * joins the kernel hosted by an op of type `host`. *stage is the epilogue
 * stage the kernel has reached (-1 for a fresh kernel); it advances when
 * the op joins. A listed (not `all`) matrix epilogue applies in cuDNN's
 * order act(conv + z + bias): scale (BatchNorm, or an op with a constant
 * operand), then a sum with another activation, then one activation; an
 * op of an earlier stage than one already fused cannot join. The no-ops
 * Cast, Identity and Dropout join any kernel. */
bool stack_fuses(const struct stack *s, enum op_type host, enum op_type t, int n_activations,
                 int *stage);
/* Whether an op of type t may join a matrix op's kernel as a prologue
 * of its activation operand (fusion.into_matrix_operand); the lowering
 * checks the shapes (lower.c: operand_host). */
bool stack_fuses_operand(const struct stack *s, enum op_type t);
/* Whether an op of type t runs on the host CPU, given whether the op
 * before it in run order did (host_fallback = rest_of_graph). */
bool stack_on_host(const struct stack *s, enum op_type t, bool previous_on_host);
/* Whether the device can hold a tensor of this shape (ONNX order):
 * placement.device_inner_dims = N allows sizes > 1 only in the innermost N
 * dimensions of the layout's order (channels_last: N, spatial..., C). */
bool stack_device_maps_shape(const struct stack *s, int rank, const int64_t *dims);
/* Chip cycles (at clock_mhz) the host CPU takes for an op: its flops at
 * host_cpu_gflops or its bytes at host_cpu_gbps, whichever is slower. */
uint64_t stack_host_cycles(const struct stack *s, double clock_mhz, uint64_t flops,
                           uint64_t bytes);
/* Launch cost, in chip cycles, of one kernel whose work takes
 * `work_cycles`: the device waits gap_us_per_kernel between dependent
 * kernels, and the host needs dispatch_us_per_kernel (plus extra_us, the
 * --framework-overhead-us override) to issue it; host time beyond the
 * kernel's work and gap shows on the device. So a kernel takes
 * max(work + gap, dispatch + extra) and this returns that minus work. */
uint64_t stack_launch_cycles(const struct stack *s, double clock_mhz, uint64_t work_cycles,
                             double extra_us);
/* The fixed cost of one inference in chip cycles. */
uint64_t stack_invocation_cycles(const struct stack *s, double clock_mhz);
/* Elements a tensor of `rank` dims (ONNX order) occupies once the layout
 * pads its two minor dimensions to the stack's tile. With
 * layout.order = channels_last a tensor of rank >= 3 is taken as NC...
 * (ONNX's NCHW) and stored N, spatial..., C: channels (dims[1]) are minor
 * and the last spatial dimension second-minor. With batch_feature an
 * activation of rank >= 4 (NC and spatial dims) keeps its spatial
 * dimensions major and tiles batch and channels: channels minor and batch
 * second-minor below LAYOUT_BATCH_MINOR_FROM, the other way round from it;
 * lower ranks (matrices, sequences) tile their last two dimensions. Rank 1
 * pads its one dimension as minor; rank 0 is 1 element. Saturates at
 * UINT64_MAX. */
uint64_t stack_padded_elems(const struct stack *s, int rank, const int64_t *dims,
                            tpusim_dtype dtype);
/* The batch (dims[0]) of an activation as the layout stores it: padded to
 * its tile when the layout tiles the batch (batch_feature, rank >= 4),
 * else as given. A matrix unit streams these rows. */
uint64_t stack_laid_batch(const struct stack *s, int rank, const int64_t *dims,
                          tpusim_dtype dtype);

#ifdef __cplusplus
}
#endif

#endif /* TPUSIM_STACK_H */
