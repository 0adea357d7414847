/*
 * tflite_reader.h — a .tflite file (a TensorFlow Lite FlatBuffer) read into
 * plain C structures: the main subgraph's tensors and operators with the
 * options tpusim uses. tflite_reader.cpp reads it through the C++ code flatc
 * generates from tflite_schema.fbs, after the FlatBuffers verifier has
 * checked the whole buffer, and checks every index it hands on (tensor,
 * buffer, operator code) so that the importer can trust them.
 */
#ifndef TPUSIM_TFLITE_READER_H
#define TPUSIM_TFLITE_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* TFLite's BuiltinOperator codes the importer names (schema.fbs). */
enum tfl_builtin {
    TFL_ADD = 0, TFL_AVERAGE_POOL_2D = 1, TFL_CONCATENATION = 2, TFL_CONV_2D = 3,
    TFL_DEPTHWISE_CONV_2D = 4, TFL_DEPTH_TO_SPACE = 5, TFL_DEQUANTIZE = 6, TFL_FLOOR = 8,
    TFL_FULLY_CONNECTED = 9, TFL_L2_NORMALIZATION = 11, TFL_LOCAL_RESPONSE_NORMALIZATION = 13,
    TFL_LOGISTIC = 14, TFL_MAX_POOL_2D = 17, TFL_MUL = 18, TFL_RELU = 19, TFL_RELU_N1_TO_1 = 20,
    TFL_RELU6 = 21, TFL_RESHAPE = 22, TFL_RESIZE_BILINEAR = 23, TFL_SOFTMAX = 25,
    TFL_SPACE_TO_DEPTH = 26, TFL_TANH = 28, TFL_CUSTOM = 32, TFL_PAD = 34, TFL_GATHER = 36,
    TFL_TRANSPOSE = 39, TFL_MEAN = 40, TFL_SUB = 41, TFL_DIV = 42, TFL_SQUEEZE = 43,
    TFL_UNIDIRECTIONAL_SEQUENCE_LSTM = 44, TFL_STRIDED_SLICE = 45, TFL_EXP = 47, TFL_SPLIT = 49,
    TFL_LOG_SOFTMAX = 50, TFL_CAST = 53, TFL_PRELU = 54, TFL_MAXIMUM = 55, TFL_ARG_MAX = 56,
    TFL_MINIMUM = 57, TFL_LESS = 58, TFL_NEG = 59, TFL_PADV2 = 60, TFL_GREATER = 61,
    TFL_SELECT = 64, TFL_SLICE = 65, TFL_TRANSPOSE_CONV = 67, TFL_TILE = 69,
    TFL_EXPAND_DIMS = 70, TFL_EQUAL = 71, TFL_LOG = 73, TFL_SUM = 74, TFL_SQRT = 75,
    TFL_RSQRT = 76, TFL_POW = 78, TFL_REDUCE_PROD = 81, TFL_REDUCE_MAX = 82, TFL_PACK = 83,
    TFL_LOGICAL_OR = 84, TFL_LOGICAL_AND = 86, TFL_LOGICAL_NOT = 87, TFL_UNPACK = 88,
    TFL_REDUCE_MIN = 89, TFL_FLOOR_DIV = 90, TFL_SQUARE = 92, TFL_RESIZE_NEAREST_NEIGHBOR = 97,
    TFL_LEAKY_RELU = 98, TFL_SQUARED_DIFFERENCE = 99, TFL_MIRROR_PAD = 100, TFL_ABS = 101,
    TFL_SPLIT_V = 102, TFL_CEIL = 104, TFL_GATHER_ND = 107, TFL_QUANTIZE = 114,
    TFL_HARD_SWISH = 117, TFL_SELECT_V2 = 123, TFL_BATCH_MATMUL = 126,
};

/* TFLite's name of a BuiltinOperator ("CONV_2D"), or NULL when tpusim does
 * not know the code. */
const char *tfl_builtin_name(int code);

#define TFL_MAX_RANK 8
#define TFL_MAX_LIST 8 /* new_shape, squeeze_dims */

struct tfl_tensor {
    const char *name;          /* "" when the file gives none */
    int type;                  /* TensorType */
    int rank;
    int32_t dims[TFL_MAX_RANK];
    const uint8_t *data;       /* a constant's contents (into the buffer), or NULL */
    size_t data_bytes;
    bool is_variable;          /* state an op updates (LSTM) */
    bool quantized;            /* scale and zero point given */
    float scale;               /* the first (or only) scale */
    int64_t zero_point;
};

/* The builtin options tpusim reads, flattened: only those of the op's
 * options table are set, the rest stay 0 (or the schema's default). */
struct tfl_options {
    int padding;               /* 0 SAME, 1 VALID */
    int stride_w, stride_h, dilation_w, dilation_h;
    int filter_w, filter_h;
    int activation;            /* ActivationFunctionType */
    int axis, batch_dims, keep_dims, keep_num_dims;
    int begin_mask, end_mask, ellipsis_mask, new_axis_mask, shrink_axis_mask;
    int mode, time_major, adj_x, adj_y;
    int radius;
    float alpha;
    int n_list;                /* new_shape or squeeze_dims */
    int32_t list[TFL_MAX_LIST];
    bool list_given;
};

struct tfl_op {
    int builtin;               /* BuiltinOperator; TFL_CUSTOM for custom ops */
    const char *custom_code;   /* custom ops: their name; else "" */
    int *inputs;               /* tensor indices; -1 for an absent optional input */
    int n_inputs;
    int *outputs;
    int n_outputs;
    struct tfl_options opt;
    const uint8_t *custom_options; /* into the buffer, or NULL */
    size_t custom_options_bytes;
};

struct tfl_model {
    int n_subgraphs;
    struct tfl_tensor *tensors; /* of subgraph 0 */
    int n_tensors;
    struct tfl_op *ops;
    int n_ops;
    int *inputs;
    int n_inputs;
    int *outputs;
    int n_outputs;
    uint8_t *copy;             /* an aligned copy of a misaligned buffer, or NULL */
};

/* Verifies and reads the model in buf (which must outlive *out). Errors:
 * -1 with a message in err ("not a TFLite model: ...", "op 3: ...");
 * -2 out of memory. *out is freed on error. */
int tfl_read(const uint8_t *buf, size_t size, struct tfl_model *out, char *err, size_t err_len);
void tfl_free(struct tfl_model *m);

#ifdef __cplusplus
}
#endif

#endif /* TPUSIM_TFLITE_READER_H */
