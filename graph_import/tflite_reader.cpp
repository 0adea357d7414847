/*
 * tflite_reader.cpp — reads a TensorFlow Lite FlatBuffer into the C
 * structures of tflite_reader.h. The buffer is checked whole by the
 * FlatBuffers verifier (libflatbuffers) before any field is read: every
 * offset, vector and string lies inside it and every table is well formed.
 * What the verifier cannot know (a tensor index past the tensor list, an
 * operator code past the code list) is checked here, so the C importer can
 * trust every index it gets. Nothing here throws or allocates with new.
 */
#include "tflite_reader.h"

#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "tflite_schema_generated.h"

namespace {

/* FlatBuffers address at most 2 GiB (FLATBUFFERS_MAX_BUFFER_SIZE). */
const size_t MAX_BUFFER_BYTES = (size_t(1) << 31) - 1;

struct reader {
    tfl_model *m;
    char *err;
    size_t err_len;
};

int fail(reader &r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int fail(reader &r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r.err, r.err_len, fmt, ap);
    va_end(ap);
    return -1;
}

int nomem(reader &r)
{
    snprintf(r.err, r.err_len, "out of memory");
    return -2;
}

const char *str(const flatbuffers::String *s)
{
    return s ? s->c_str() : "";
}

/* A copy of an index vector, each entry -1 (absent, when allowed) or a
 * tensor index below n. */
int indices(reader &r, const flatbuffers::Vector<int32_t> *v, int n, bool optional, int **out,
            int *count, const char *what, int op)
{
    *count = v ? int(v->size()) : 0;
    *out = static_cast<int *>(calloc(size_t(*count ? *count : 1), sizeof **out));
    if (!*out)
        return nomem(r);
    for (int i = 0; i < *count; i++) {
        int32_t t = v->Get(flatbuffers::uoffset_t(i));
        if ((t < 0 || t >= n) && !(optional && t == -1)) {
            if (op >= 0)
                return fail(r, "op %d: %s %d is tensor %d, out of range (%d tensors)", op, what,
                            i, int(t), n);
            return fail(r, "subgraph %s %d is tensor %d, out of range (%d tensors)", what, i,
                        int(t), n);
        }
        (*out)[i] = int(t);
    }
    return 0;
}

/* The first element of an int64 vector, 0 when empty. The verifier of
 * flatbuffers 2.0 checks a vector's length prefix for 4-byte alignment
 * only, so a malformed file can put 8-byte elements off their alignment:
 * copied, not loaded as int64 (found by fuzz_tflite). */
int64_t first_int64(const flatbuffers::Vector<int64_t> *v)
{
    if (!v || v->size() == 0)
        return 0;
    int64_t x;
    memcpy(&x, v->Data(), sizeof x);
    return flatbuffers::EndianScalar(x);
}

void read_quant(const tflite::QuantizationParameters *q, tfl_tensor *t)
{
    if (!q || !q->scale() || q->scale()->size() == 0)
        return;
    t->quantized = true;
    t->scale = q->scale()->Get(0);
    t->zero_point = first_int64(q->zero_point());
}

int read_tensor(reader &r, const tflite::Model *model, const tflite::Tensor *src, int index,
                tfl_tensor *t)
{
    t->name = str(src->name());
    t->type = int(src->type());
    t->is_variable = src->is_variable();
    const flatbuffers::Vector<int32_t> *shape = src->shape();
    t->rank = shape ? int(shape->size()) : 0;
    if (t->rank > TFL_MAX_RANK)
        return fail(r, "tensor %d '%s' has rank %d (at most %d)", index, t->name, t->rank,
                    TFL_MAX_RANK);
    for (int i = 0; i < t->rank; i++) {
        t->dims[i] = shape->Get(flatbuffers::uoffset_t(i));
        if (t->dims[i] < 0)
            return fail(r, "tensor %d '%s' has dimension %d at axis %d", index, t->name,
                        int(t->dims[i]), i);
    }
    read_quant(src->quantization(), t);
    const auto *buffers = model->buffers();
    uint32_t b = src->buffer();
    if (b == 0)
        return 0; /* buffer 0 is the empty sentinel */
    if (!buffers || b >= buffers->size())
        return fail(r, "tensor %d '%s' names buffer %u, out of range (%u buffers)", index,
                    t->name, b, buffers ? buffers->size() : 0);
    const tflite::Buffer *buf = buffers->Get(b);
    if (buf && buf->offset() > 1)
        return fail(r, "tensor %d '%s' keeps its data outside the FlatBuffer (a model over "
                    "2 GB): not supported", index, t->name);
    if (buf && buf->data() && buf->data()->size()) {
        t->data = buf->data()->data();
        t->data_bytes = buf->data()->size();
    }
    return 0;
}

void read_list(const flatbuffers::Vector<int32_t> *v, tfl_options *o)
{
    o->list_given = v != nullptr;
    for (flatbuffers::uoffset_t i = 0; v && i < v->size() && i < TFL_MAX_LIST; i++)
        o->list[o->n_list++] = v->Get(i);
}

/* Each options table's fields into the flat struct. */
void read_options(const tflite::Operator *op, tfl_options *o)
{
    using namespace tflite;
    o->dilation_w = o->dilation_h = 1;
    switch (op->builtin_options_type()) {
    case BuiltinOptions_Conv2DOptions: {
        const auto *p = op->builtin_options_as_Conv2DOptions();
        if (!p)
            break;
        o->padding = int(p->padding()), o->stride_w = p->stride_w(), o->stride_h = p->stride_h();
        o->activation = int(p->fused_activation_function());
        o->dilation_w = p->dilation_w_factor(), o->dilation_h = p->dilation_h_factor();
        break;
    }
    case BuiltinOptions_DepthwiseConv2DOptions: {
        const auto *p = op->builtin_options_as_DepthwiseConv2DOptions();
        if (!p)
            break;
        o->padding = int(p->padding()), o->stride_w = p->stride_w(), o->stride_h = p->stride_h();
        o->activation = int(p->fused_activation_function());
        o->dilation_w = p->dilation_w_factor(), o->dilation_h = p->dilation_h_factor();
        break;
    }
    case BuiltinOptions_Pool2DOptions: {
        const auto *p = op->builtin_options_as_Pool2DOptions();
        if (!p)
            break;
        o->padding = int(p->padding()), o->stride_w = p->stride_w(), o->stride_h = p->stride_h();
        o->filter_w = p->filter_width(), o->filter_h = p->filter_height();
        o->activation = int(p->fused_activation_function());
        break;
    }
    case BuiltinOptions_FullyConnectedOptions: {
        const auto *p = op->builtin_options_as_FullyConnectedOptions();
        if (!p)
            break;
        o->activation = int(p->fused_activation_function());
        o->keep_num_dims = p->keep_num_dims();
        break;
    }
    case BuiltinOptions_ConcatenationOptions: {
        const auto *p = op->builtin_options_as_ConcatenationOptions();
        if (!p)
            break;
        o->axis = p->axis(), o->activation = int(p->fused_activation_function());
        break;
    }
    case BuiltinOptions_AddOptions: {
        const auto *p = op->builtin_options_as_AddOptions();
        if (!p)
            break;
        o->activation = int(p->fused_activation_function());
        break;
    }
    case BuiltinOptions_MulOptions: {
        const auto *p = op->builtin_options_as_MulOptions();
        if (!p)
            break;
        o->activation = int(p->fused_activation_function());
        break;
    }
    case BuiltinOptions_SubOptions: {
        const auto *p = op->builtin_options_as_SubOptions();
        if (!p)
            break;
        o->activation = int(p->fused_activation_function());
        break;
    }
    case BuiltinOptions_DivOptions: {
        const auto *p = op->builtin_options_as_DivOptions();
        if (!p)
            break;
        o->activation = int(p->fused_activation_function());
        break;
    }
    case BuiltinOptions_LocalResponseNormalizationOptions: {
        const auto *p = op->builtin_options_as_LocalResponseNormalizationOptions();
        if (!p)
            break;
        o->radius = p->radius(), o->alpha = p->alpha();
        break;
    }
    case BuiltinOptions_ReshapeOptions: {
        const auto *p = op->builtin_options_as_ReshapeOptions();
        if (!p)
            break;
        read_list(p->new_shape(), o);
        break;
    }
    case BuiltinOptions_GatherOptions: {
        const auto *p = op->builtin_options_as_GatherOptions();
        if (!p)
            break;
        o->axis = p->axis(), o->batch_dims = p->batch_dims();
        break;
    }
    case BuiltinOptions_ReducerOptions: {
        const auto *p = op->builtin_options_as_ReducerOptions();
        if (!p)
            break;
        o->keep_dims = p->keep_dims();
        break;
    }
    case BuiltinOptions_SqueezeOptions: {
        const auto *p = op->builtin_options_as_SqueezeOptions();
        if (!p)
            break;
        read_list(p->squeeze_dims(), o);
        break;
    }
    case BuiltinOptions_StridedSliceOptions: {
        const auto *p = op->builtin_options_as_StridedSliceOptions();
        if (!p)
            break;
        o->begin_mask = p->begin_mask(), o->end_mask = p->end_mask();
        o->ellipsis_mask = p->ellipsis_mask(), o->new_axis_mask = p->new_axis_mask();
        o->shrink_axis_mask = p->shrink_axis_mask();
        break;
    }
    case BuiltinOptions_TransposeConvOptions: {
        const auto *p = op->builtin_options_as_TransposeConvOptions();
        if (!p)
            break;
        o->padding = int(p->padding()), o->stride_w = p->stride_w(), o->stride_h = p->stride_h();
        o->activation = int(p->fused_activation_function());
        break;
    }
    case BuiltinOptions_PackOptions: {
        const auto *p = op->builtin_options_as_PackOptions();
        if (!p)
            break;
        o->axis = p->axis();
        break;
    }
    case BuiltinOptions_UnpackOptions: {
        const auto *p = op->builtin_options_as_UnpackOptions();
        if (!p)
            break;
        o->axis = p->axis();
        break;
    }
    case BuiltinOptions_UnidirectionalSequenceLSTMOptions: {
        const auto *p = op->builtin_options_as_UnidirectionalSequenceLSTMOptions();
        if (!p)
            break;
        o->activation = int(p->fused_activation_function()), o->time_major = p->time_major();
        break;
    }
    case BuiltinOptions_LeakyReluOptions: {
        const auto *p = op->builtin_options_as_LeakyReluOptions();
        if (!p)
            break;
        o->alpha = p->alpha();
        break;
    }
    case BuiltinOptions_MirrorPadOptions: {
        const auto *p = op->builtin_options_as_MirrorPadOptions();
        if (!p)
            break;
        o->mode = p->mode();
        break;
    }
    case BuiltinOptions_BatchMatMulOptions: {
        const auto *p = op->builtin_options_as_BatchMatMulOptions();
        if (!p)
            break;
        o->adj_x = p->adj_x(), o->adj_y = p->adj_y();
        break;
    }
    default:
        break;
    }
}

int read_op(reader &r, const tflite::Model *model, const tflite::Operator *src, int index,
            tfl_op *op)
{
    const auto *codes = model->operator_codes();
    uint32_t c = src->opcode_index();
    if (!codes || c >= codes->size() || !codes->Get(c))
        return fail(r, "op %d: operator code %u out of range (%u codes)", index, c,
                    codes ? codes->size() : 0);
    const tflite::OperatorCode *code = codes->Get(c);
    /* Files before the int32 builtin_code keep it in the byte field; the
     * larger of the two is the code (TFLite's GetBuiltinCode). */
    int deprecated = code->deprecated_builtin_code(), builtin = code->builtin_code();
    op->builtin = builtin > deprecated ? builtin : deprecated;
    op->custom_code = str(code->custom_code());
    int n = r.m->n_tensors;
    int rc = indices(r, src->inputs(), n, true, &op->inputs, &op->n_inputs, "input", index);
    if (!rc)
        rc = indices(r, src->outputs(), n, false, &op->outputs, &op->n_outputs, "output", index);
    if (rc)
        return rc;
    read_options(src, &op->opt);
    if (src->custom_options() && src->custom_options()->size()) {
        op->custom_options = src->custom_options()->data();
        op->custom_options_bytes = src->custom_options()->size();
    }
    return 0;
}

int read_subgraph(reader &r, const tflite::Model *model)
{
    const tflite::SubGraph *sg = model->subgraphs()->Get(0);
    if (!sg)
        return fail(r, "subgraph 0 is empty");
    const auto *tensors = sg->tensors();
    const auto *ops = sg->operators();
    r.m->n_tensors = tensors ? int(tensors->size()) : 0;
    r.m->n_ops = ops ? int(ops->size()) : 0;
    r.m->tensors = static_cast<tfl_tensor *>(
        calloc(size_t(r.m->n_tensors ? r.m->n_tensors : 1), sizeof *r.m->tensors));
    r.m->ops = static_cast<tfl_op *>(calloc(size_t(r.m->n_ops ? r.m->n_ops : 1),
                                            sizeof *r.m->ops));
    if (!r.m->tensors || !r.m->ops)
        return nomem(r);
    int rc = 0;
    for (int i = 0; i < r.m->n_tensors && !rc; i++) {
        const tflite::Tensor *t = tensors->Get(flatbuffers::uoffset_t(i));
        rc = t ? read_tensor(r, model, t, i, &r.m->tensors[i]) : fail(r, "tensor %d is empty", i);
    }
    for (int i = 0; i < r.m->n_ops && !rc; i++) {
        const tflite::Operator *op = ops->Get(flatbuffers::uoffset_t(i));
        rc = op ? read_op(r, model, op, i, &r.m->ops[i]) : fail(r, "op %d is empty", i);
    }
    if (!rc)
        rc = indices(r, sg->inputs(), r.m->n_tensors, false, &r.m->inputs, &r.m->n_inputs,
                     "input", -1);
    if (!rc)
        rc = indices(r, sg->outputs(), r.m->n_tensors, false, &r.m->outputs, &r.m->n_outputs,
                     "output", -1);
    return rc;
}

} // namespace

extern "C" int tfl_read(const uint8_t *buf, size_t size, tfl_model *out, char *err,
                        size_t err_len)
{
    memset(out, 0, sizeof *out);
    reader r = {out, err, err_len};
    if (size > MAX_BUFFER_BYTES)
        return fail(r, "file is %zu bytes; a FlatBuffer holds at most 2 GiB", size);
    /* The verifier checks alignment relative to the buffer's start, which
     * the generated readers need in memory as well. */
    if (reinterpret_cast<uintptr_t>(buf) % 16) {
        void *p = nullptr;
        if (posix_memalign(&p, 16, size ? size : 1))
            return nomem(r);
        memcpy(p, buf, size);
        out->copy = static_cast<uint8_t *>(p);
        buf = out->copy;
    }
    int rc = 0;
    if (size < 8 || !tflite::ModelBufferHasIdentifier(buf)) {
        rc = fail(r, "not a TFLite model (%zu bytes, no TFL3 file identifier)", size);
    } else {
        flatbuffers::Verifier verifier(buf, size);
        if (!tflite::VerifyModelBuffer(verifier))
            rc = fail(r, "not a valid TFLite FlatBuffer (%zu bytes): the verifier rejects it "
                      "(truncated or corrupt)", size);
    }
    const tflite::Model *model = rc ? nullptr : tflite::GetModel(buf);
    if (model && (!model->subgraphs() || model->subgraphs()->size() == 0))
        rc = fail(r, "the model has no subgraph");
    if (!rc) {
        out->n_subgraphs = int(model->subgraphs()->size());
        rc = read_subgraph(r, model);
    }
    if (rc)
        tfl_free(out);
    return rc;
}

extern "C" void tfl_free(tfl_model *m)
{
    if (!m)
        return;
    for (int i = 0; m->ops && i < m->n_ops; i++) {
        free(m->ops[i].inputs);
        free(m->ops[i].outputs);
    }
    free(m->ops);
    free(m->tensors);
    free(m->inputs);
    free(m->outputs);
    free(m->copy);
    memset(m, 0, sizeof *m);
}

extern "C" const char *tfl_builtin_name(int code)
{
    /* Names of every code below 127 (schema.fbs's BuiltinOperator). */
    static const char *const names[] = {
        "ADD", "AVERAGE_POOL_2D", "CONCATENATION", "CONV_2D", "DEPTHWISE_CONV_2D",
        "DEPTH_TO_SPACE", "DEQUANTIZE", "EMBEDDING_LOOKUP", "FLOOR", "FULLY_CONNECTED",
        "HASHTABLE_LOOKUP", "L2_NORMALIZATION", "L2_POOL_2D", "LOCAL_RESPONSE_NORMALIZATION",
        "LOGISTIC", "LSH_PROJECTION", "LSTM", "MAX_POOL_2D", "MUL", "RELU", "RELU_N1_TO_1",
        "RELU6", "RESHAPE", "RESIZE_BILINEAR", "RNN", "SOFTMAX", "SPACE_TO_DEPTH", "SVDF",
        "TANH", "CONCAT_EMBEDDINGS", "SKIP_GRAM", "CALL", "CUSTOM", "EMBEDDING_LOOKUP_SPARSE",
        "PAD", "UNIDIRECTIONAL_SEQUENCE_RNN", "GATHER", "BATCH_TO_SPACE_ND",
        "SPACE_TO_BATCH_ND", "TRANSPOSE", "MEAN", "SUB", "DIV", "SQUEEZE",
        "UNIDIRECTIONAL_SEQUENCE_LSTM", "STRIDED_SLICE", "BIDIRECTIONAL_SEQUENCE_RNN", "EXP",
        "TOPK_V2", "SPLIT", "LOG_SOFTMAX", "DELEGATE", "BIDIRECTIONAL_SEQUENCE_LSTM", "CAST",
        "PRELU", "MAXIMUM", "ARG_MAX", "MINIMUM", "LESS", "NEG", "PADV2", "GREATER",
        "GREATER_EQUAL", "LESS_EQUAL", "SELECT", "SLICE", "SIN", "TRANSPOSE_CONV",
        "SPARSE_TO_DENSE", "TILE", "EXPAND_DIMS", "EQUAL", "NOT_EQUAL", "LOG", "SUM", "SQRT",
        "RSQRT", "SHAPE", "POW", "ARG_MIN", "FAKE_QUANT", "REDUCE_PROD", "REDUCE_MAX", "PACK",
        "LOGICAL_OR", "ONE_HOT", "LOGICAL_AND", "LOGICAL_NOT", "UNPACK", "REDUCE_MIN",
        "FLOOR_DIV", "REDUCE_ANY", "SQUARE", "ZEROS_LIKE", "FILL", "FLOOR_MOD", "RANGE",
        "RESIZE_NEAREST_NEIGHBOR", "LEAKY_RELU", "SQUARED_DIFFERENCE", "MIRROR_PAD", "ABS",
        "SPLIT_V", "UNIQUE", "CEIL", "REVERSE_V2", "ADD_N", "GATHER_ND", "COS", "WHERE", "RANK",
        "ELU", "REVERSE_SEQUENCE", "MATRIX_DIAG", "QUANTIZE", "MATRIX_SET_DIAG", "ROUND",
        "HARD_SWISH", "IF", "WHILE", "NON_MAX_SUPPRESSION_V4", "NON_MAX_SUPPRESSION_V5",
        "SCATTER_ND", "SELECT_V2", "DENSIFY", "SEGMENT_SUM", "BATCH_MATMUL"};
    if (code < 0 || size_t(code) >= sizeof names / sizeof names[0])
        return nullptr;
    return names[code];
}
