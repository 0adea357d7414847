/*
 * ops.h — the op types tpusim models: one explicit table (sim/ops.c) maps an
 * ONNX op type to its enum, its class (which unit runs it) and its shape
 * inference function (sim/infer_*.c).
 */
#ifndef TPUSIM_OPS_H
#define TPUSIM_OPS_H

struct tpusim_graph;
struct op;

#define OP_TYPES(X)                                                                               \
    /* matrix and windowed ops: sim/infer_nn.c */                                                 \
    X(CONV, "Conv", MATRIX, infer_conv)                                                           \
    X(CONV_TRANSPOSE, "ConvTranspose", MATRIX, infer_conv_transpose)                              \
    X(GEMM, "Gemm", MATRIX, infer_gemm)                                                           \
    X(MATMUL, "MatMul", MATRIX, infer_matmul)                                                     \
    X(EINSUM, "Einsum", MATRIX, infer_einsum)                                                     \
    X(LSTM, "LSTM", RECURRENT, infer_rnn)                                                         \
    X(GRU, "GRU", RECURRENT, infer_rnn)                                                           \
    X(RNN, "RNN", RECURRENT, infer_rnn)                                                           \
    X(MAX_POOL, "MaxPool", POOL, infer_pool)                                                      \
    X(AVERAGE_POOL, "AveragePool", POOL, infer_pool)                                              \
    X(GLOBAL_AVERAGE_POOL, "GlobalAveragePool", POOL, infer_global_pool)                          \
    X(GLOBAL_MAX_POOL, "GlobalMaxPool", POOL, infer_global_pool)                                  \
    X(LRN, "LRN", POOL, infer_lrn)                                                                \
    /* elementwise, activations, normalisation, reductions: sim/infer_vector.c */                \
    X(ADD, "Add", ELEMENTWISE, infer_binary)                                                      \
    X(SUB, "Sub", ELEMENTWISE, infer_binary)                                                      \
    X(MUL, "Mul", ELEMENTWISE, infer_binary)                                                      \
    X(DIV, "Div", ELEMENTWISE, infer_binary)                                                      \
    X(POW, "Pow", ELEMENTWISE, infer_binary)                                                      \
    X(MAX, "Max", ELEMENTWISE, infer_variadic)                                                    \
    X(MIN, "Min", ELEMENTWISE, infer_variadic)                                                    \
    X(SUM, "Sum", ELEMENTWISE, infer_variadic)                                                    \
    X(MEAN, "Mean", ELEMENTWISE, infer_variadic)                                                  \
    X(EQUAL, "Equal", ELEMENTWISE, infer_compare)                                                 \
    X(LESS, "Less", ELEMENTWISE, infer_compare)                                                   \
    X(GREATER, "Greater", ELEMENTWISE, infer_compare)                                             \
    X(AND, "And", ELEMENTWISE, infer_compare)                                                     \
    X(OR, "Or", ELEMENTWISE, infer_compare)                                                       \
    X(NOT, "Not", ELEMENTWISE, infer_unary)                                                       \
    X(WHERE, "Where", ELEMENTWISE, infer_where)                                                   \
    X(SQRT, "Sqrt", TRANSCENDENTAL, infer_unary)                                                  \
    X(RECIPROCAL, "Reciprocal", TRANSCENDENTAL, infer_unary)                                      \
    X(NEG, "Neg", ELEMENTWISE, infer_unary)                                                       \
    X(ABS, "Abs", ELEMENTWISE, infer_unary)                                                       \
    X(FLOOR, "Floor", ELEMENTWISE, infer_unary)                                                   \
    X(CEIL, "Ceil", ELEMENTWISE, infer_unary)                                                     \
    X(RELU, "Relu", ELEMENTWISE, infer_unary)                                                     \
    X(LEAKY_RELU, "LeakyRelu", ELEMENTWISE, infer_unary)                                          \
    X(PRELU, "PRelu", ELEMENTWISE, infer_binary)                                                  \
    X(CLIP, "Clip", ELEMENTWISE, infer_unary)                                                     \
    X(SIGMOID, "Sigmoid", TRANSCENDENTAL, infer_unary)                                            \
    X(HARD_SIGMOID, "HardSigmoid", ELEMENTWISE, infer_unary)                                      \
    X(HARD_SWISH, "HardSwish", ELEMENTWISE, infer_unary)                                          \
    X(TANH, "Tanh", TRANSCENDENTAL, infer_unary)                                                  \
    X(ERF, "Erf", TRANSCENDENTAL, infer_unary)                                                    \
    X(GELU, "Gelu", TRANSCENDENTAL, infer_unary)                                                  \
    X(SOFTPLUS, "Softplus", TRANSCENDENTAL, infer_unary)                                          \
    X(EXP, "Exp", TRANSCENDENTAL, infer_unary)                                                    \
    X(LOG, "Log", TRANSCENDENTAL, infer_unary)                                                    \
    X(CAST, "Cast", FREE, infer_cast)                                                             \
    X(IDENTITY, "Identity", FREE, infer_unary)                                                    \
    X(DROPOUT, "Dropout", FREE, infer_dropout)                                                    \
    X(BATCH_NORM, "BatchNormalization", NORM, infer_norm)                                         \
    X(LAYER_NORM, "LayerNormalization", NORM, infer_norm)                                         \
    X(INSTANCE_NORM, "InstanceNormalization", NORM, infer_norm)                                   \
    X(REDUCE_MEAN, "ReduceMean", REDUCE, infer_reduce)                                            \
    X(REDUCE_SUM, "ReduceSum", REDUCE, infer_reduce)                                              \
    X(REDUCE_MAX, "ReduceMax", REDUCE, infer_reduce)                                              \
    X(REDUCE_MIN, "ReduceMin", REDUCE, infer_reduce)                                              \
    X(REDUCE_PROD, "ReduceProd", REDUCE, infer_reduce)                                            \
    X(ARG_MAX, "ArgMax", REDUCE, infer_reduce)                                                    \
    X(SOFTMAX, "Softmax", REDUCE, infer_softmax)                                                  \
    X(LOG_SOFTMAX, "LogSoftmax", REDUCE, infer_softmax)                                           \
    /* shape and data movement: sim/infer_shape.c */                                             \
    X(RESHAPE, "Reshape", FREE, infer_reshape)                                                    \
    X(FLATTEN, "Flatten", FREE, infer_flatten)                                                    \
    X(SQUEEZE, "Squeeze", FREE, infer_squeeze)                                                    \
    X(UNSQUEEZE, "Unsqueeze", FREE, infer_unsqueeze)                                              \
    X(TRANSPOSE, "Transpose", MOVE, infer_transpose)                                              \
    X(CONCAT, "Concat", MOVE, infer_concat)                                                       \
    X(SPLIT, "Split", MOVE, infer_split)                                                          \
    X(SLICE, "Slice", MOVE, infer_slice)                                                          \
    X(GATHER, "Gather", MOVE, infer_gather)                                                       \
    X(PAD, "Pad", MOVE, infer_pad)                                                                \
    X(EXPAND, "Expand", MOVE, infer_expand)                                                       \
    X(TILE, "Tile", MOVE, infer_tile)                                                             \
    X(SHAPE, "Shape", FREE, infer_shape_of)                                                       \
    X(SIZE, "Size", FREE, infer_size_of)                                                          \
    X(CONSTANT_OF_SHAPE, "ConstantOfShape", FREE, infer_constant_of_shape)                        \
    X(RANGE, "Range", FREE, infer_range)                                                          \
    X(RESIZE, "Resize", MOVE, infer_resize)                                                       \
    X(UPSAMPLE, "Upsample", MOVE, infer_resize)                                                   \
    X(DEPTH_TO_SPACE, "DepthToSpace", MOVE, infer_depth_space)                                    \
    X(SPACE_TO_DEPTH, "SpaceToDepth", MOVE, infer_depth_space)                                    \
    /* deprecated and ai.onnx.ml ops that real files carry: sim/infer_misc.c */                  \
    X(IMAGE_SCALER, "ImageScaler", ELEMENTWISE, infer_image_scaler)                               \
    X(AFFINE, "Affine", ELEMENTWISE, infer_affine)                                                \
    X(CROP, "Crop", MOVE, infer_crop)                                                             \
    X(ARRAY_FEATURE_EXTRACTOR, "ArrayFeatureExtractor", MOVE, infer_array_feature_extractor)      \
    X(ZIP_MAP, "ZipMap", FREE, infer_zip_map)                                                     \
    X(GATHER_ND, "GatherND", MOVE, infer_gather_nd)                                               \
    /* an op tpusim cannot see into (a TFLite custom op): outputs as the file declares them */  \
    X(CUSTOM, "Custom", FREE, infer_custom)                                                       \
    /* control flow, expanded into the graph at inference: sim/control_flow.c */                \
    X(IF, "If", FREE, infer_control_flow)                                                         \
    X(LOOP, "Loop", FREE, infer_control_flow)                                                     \
    X(SCAN, "Scan", FREE, infer_control_flow)                                                     \
    /* quantization; the matrix ops' inputs are stored operands first: sim/quant.c */             \
    X(QUANTIZE_LINEAR, "QuantizeLinear", ELEMENTWISE, infer_quantize_linear)                      \
    X(DEQUANTIZE_LINEAR, "DequantizeLinear", ELEMENTWISE, infer_dequantize_linear)                \
    X(DYNAMIC_QUANTIZE_LINEAR, "DynamicQuantizeLinear", REDUCE, infer_dynamic_quantize_linear)    \
    X(QLINEAR_CONV, "QLinearConv", MATRIX, infer_quantized_conv)                                  \
    X(CONV_INTEGER, "ConvInteger", MATRIX, infer_quantized_conv)                                  \
    X(QLINEAR_MATMUL, "QLinearMatMul", MATRIX, infer_quantized_matmul)                            \
    X(MATMUL_INTEGER, "MatMulInteger", MATRIX, infer_quantized_matmul)

enum op_type {
#define OP_ENUM(id, name, cls, fn) OP_##id,
    OP_TYPES(OP_ENUM)
#undef OP_ENUM
    OP_COUNT
};

/* Which unit does the work, for lowering and for reports. */
enum op_class {
    OPC_MATRIX,         /* MXU / tensor cores */
    OPC_RECURRENT,      /* per-step matmuls with a recurrence */
    OPC_POOL,           /* windowed reductions on the vector unit */
    OPC_ELEMENTWISE,    /* cheap vector ops */
    OPC_TRANSCENDENTAL, /* vector ops on the transcendental path */
    OPC_NORM,
    OPC_REDUCE,
    OPC_MOVE,           /* data movement that may be real (layout change) */
    OPC_FREE            /* metadata only: reshape, identity, cast-as-view */
};

/* Shape inference: set every output's dtype and shape (and values, when the
 * inputs' values are known and the op is a shape computation), resolve
 * op->win for windowed ops, and set op->cost.macs / op->cost.flops.
 * Returns a tpusim_status with the message in the graph. */
typedef int (*infer_fn)(struct tpusim_graph *g, struct op *op);

struct op_info {
    const char *name;
    enum op_type type;
    enum op_class cls;
    infer_fn infer;
};

#define OP_DECLARE_INFER(id, name, cls, fn) int fn(struct tpusim_graph *g, struct op *op);
OP_TYPES(OP_DECLARE_INFER)
#undef OP_DECLARE_INFER

/* Lookup by ONNX type name in the default domain; NULL if unsupported. */
const struct op_info *op_info_by_name(const char *name);
/* Lookup by type name and domain: the default domain ("", "ai.onnx") for
 * most types, "ai.onnx.ml" for ArrayFeatureExtractor and ZipMap. NULL when
 * tpusim has no such op in that domain. */
const struct op_info *op_info_in_domain(const char *name, const char *domain);
const struct op_info *op_info_of(enum op_type type);
const char *op_class_name(enum op_class cls);
/* The quantized matrix ops (QLinearConv, ConvInteger, QLinearMatMul,
 * MatMulInteger) keep their names, but the graph stores their inputs
 * operands first, as Conv's and MatMul's: [X, W, B (absent for the
 * Integer ops and QLinearMatMul), then the scales and zero points in file
 * order], so that inference and lowering read them as Conv and MatMul.
 * For those fills names[] (room for OP_STORED_INPUTS) from the
 * ONNX-ordered inputs and returns how many ("" is absent); -1 for every
 * other type, whose inputs are stored as given. */
#define OP_STORED_INPUTS 9
int op_stored_inputs(enum op_type type, const char *const *onnx, int n, const char **names);
/* Comma-separated list of every supported type name; static storage. */
const char *op_supported_list(void);

#endif /* TPUSIM_OPS_H */
