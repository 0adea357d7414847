/*
 * zoo_seq.c — sequence models: a BERT-base encoder and a byte-level model
 * in the spirit of ByteQRNN (byte embedding, GBST downsampling, QRNN
 * layers).
 *
 * Activations run as [N*S, D] matrices between the layers (the layout an
 * inference export of a Keras/PyTorch Transformer gives after its
 * reshapes), so every weight sits at a Gemm/MatMul/Conv weight input.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "zoo.h"
#include "zoo_layers.h"

/* gelu(x) = 0.5 x (1 + erf(x / sqrt 2)), as an ONNX export writes it
 * (opset 17 has no Gelu op). */
static struct zt gelu(struct zb *b, struct zt x)
{
    struct zt y = zb_binary(b, "Mul", "gelu.scale", x, zb_scalar(b, 1.0 / sqrt(2.0)));
    y = zb_unary(b, "Erf", "gelu.erf", y);
    y = zb_binary(b, "Add", "gelu.add", y, zb_scalar(b, 1.0));
    y = zb_binary(b, "Mul", "gelu.mul", y, x);
    return zb_binary(b, "Mul", "gelu.half", y, zb_scalar(b, 0.5));
}

/* One post-LayerNorm Transformer encoder layer (BERT's) on x [N*S, D]. */
static struct zt encoder_layer(struct zb *b, struct zt x, int64_t seq, int64_t d, int64_t heads,
                               int64_t ff)
{
    int64_t dh = d / heads;
    const int64_t split[4] = {-1, seq, heads, dh};
    const int64_t q_perm[4] = {0, 2, 1, 3}, k_perm[4] = {0, 2, 3, 1};
    struct zt q = zb_linear(b, "attention.query", x, d, true);
    struct zt k = zb_linear(b, "attention.key", x, d, true);
    struct zt v = zb_linear(b, "attention.value", x, d, true);
    /* 1/sqrt(dh) is folded into the query weights, as optimised exports do. */
    q = zb_transpose(b, "attention.query.t", zb_reshape(b, "attention.query.r", q, 4, split),
                     q_perm);
    k = zb_transpose(b, "attention.key.t", zb_reshape(b, "attention.key.r", k, 4, split), k_perm);
    v = zb_transpose(b, "attention.value.t", zb_reshape(b, "attention.value.r", v, 4, split),
                     q_perm);
    struct zt s = zb_binary(b, "MatMul", "attention.scores", q, k);
    struct zt pr = zb_unary(b, "Softmax", "attention.softmax", s);
    struct zt ctx = zb_binary(b, "MatMul", "attention.context", pr, v);
    ctx = zb_transpose(b, "attention.context.t", ctx, q_perm);
    const int64_t merge[2] = {-1, d};
    ctx = zb_reshape(b, "attention.context.r", ctx, 2, merge);
    struct zt o = zb_linear(b, "attention.output", ctx, d, true);
    x = zb_layernorm(b, "attention.norm", zb_binary(b, "Add", "attention.residual", o, x));
    struct zt h = gelu(b, zb_linear(b, "intermediate", x, ff, true));
    o = zb_linear(b, "output", h, d, true);
    return zb_layernorm(b, "output.norm", zb_binary(b, "Add", "output.residual", o, x));
}

/* BERT-base (Devlin et al. 2019; google-research/bert modeling.py with
 * bert_config.json of uncased_L-12_H-768_A-12): vocabulary 30522, 512
 * positions, 2 token types, 12 layers, hidden 768, 12 heads, intermediate
 * 3072, GELU, post-LayerNorm; the pooler (tanh dense on the first token)
 * on top. */
int zoo_build_bert(tpusim_graph *g, const struct zoo_params *p, int variant)
{
    (void)variant;
    const int64_t d = 768, heads = 12, ff = 3072, layers = 12, vocab = 30522, max_pos = 512;
    int64_t seq = p && p->seq_len > 0 ? p->seq_len : 128;
    if (seq > max_pos)
        return graph_error(g, TPUSIM_ERR_ARG, "BERT-base takes at most %lld tokens, got %lld",
                           (long long)max_pos, (long long)seq);
    struct zb b;
    zb_init(&b, g);
    const int64_t idims[2] = {1, seq};
    struct zt ids = zb_input(&b, "input_ids", TPUSIM_DT_INT64, 2, idims);
    zb_scope(&b, "embeddings");
    int64_t pos_ids[512], type_ids[512];
    for (int64_t i = 0; i < seq; i++) {
        pos_ids[i] = i;
        type_ids[i] = 0;
    }
    struct zt x = zb_embed(&b, "word", ids, vocab, d);
    x = zb_binary(&b, "Add", "add_position", x,
                  zb_embed(&b, "position", zb_iconst(&b, 1, &seq, pos_ids), max_pos, d));
    x = zb_binary(&b, "Add", "add_token_type", x,
                  zb_embed(&b, "token_type", zb_iconst(&b, 1, &seq, type_ids), 2, d));
    const int64_t flat[2] = {-1, d};
    x = zb_layernorm(&b, "norm", zb_reshape(&b, "flatten", x, 2, flat));
    for (int64_t l = 0; l < layers; l++) {
        zb_scope(&b, "encoder.layer.%lld", (long long)l);
        x = encoder_layer(&b, x, seq, d, heads, ff);
    }
    zb_scope(&b, "pooler");
    const int64_t unflat[3] = {-1, seq, d};
    const int64_t zero = 0;
    x = zb_reshape(&b, "unflatten", x, 3, unflat);
    x = zb_gather(&b, "first_token", x, zb_iconst(&b, 0, NULL, &zero), 1);
    zb_act(&b, "tanh", zb_linear(&b, "dense", x, d, true), ZA_TANH);
    return b.rc;
}

/* Byte-level models after "Efficient Sequence Modeling for On-Device ML"
 * (Google AI blog, 2022: ByteQRNN / ByteTransformer in SeqFlowLite) and
 * Charformer's GBST (Tay et al. 2021, Sec. 2):
 *  - bytes through an embedding of 259 rows (256 byte values + 3 meta
 *    tokens, as the blog says);
 *  - GBST: for block sizes 1..4 a mean over each block (a stride-1 sliding
 *    mean, so every position has its block's candidate), a linear score per
 *    block size, a softmax over the sizes, the score-weighted sum, then a
 *    mean-pool downsampling by `downsample` (1: none);
 *  - variant 0 (byte-qrnn): QRNN layers (Bradbury et al. 2017): a width-2
 *    causal convolution to the z, f, o gates, tanh/sigmoid, and fo-pooling
 *    h = o * (f * c_prev + (1 - f) * z). The pooling is elementwise work
 *    over the whole sequence here: ONNX has no elementwise scan, so its
 *    step-to-step dependency is not serialised (a lower bound on its time);
 *  - variant 1 (byte-transformer): BERT-style encoder layers instead.
 * ASSUMED (the blog gives no sizes): width 256, 4 layers, 2 classes; about
 * 1.6 M parameters, near the blog's "1/300 of BERT" once int8. */
int zoo_build_byte_model(tpusim_graph *g, const struct zoo_params *p, int variant)
{
    const int64_t d = 256, layers = 4, vocab = 259, classes = 2;
    int64_t len = p && p->seq_len > 0 ? p->seq_len : 512;
    int64_t ds = p && p->downsample > 0 ? p->downsample : 4;
    if (len % ds)
        return graph_error(g, TPUSIM_ERR_ARG,
                           "byte model: length %lld must divide by the downsampling %lld",
                           (long long)len, (long long)ds);
    struct zb b;
    zb_init(&b, g);
    const int64_t idims[2] = {1, len};
    struct zt ids = zb_input(&b, "bytes", TPUSIM_DT_INT64, 2, idims);
    zb_scope(&b, "embedding");
    const int64_t to_ncl[3] = {0, 2, 1};
    struct zt x = zb_transpose(&b, "to_channels", zb_embed(&b, "bytes", ids, vocab, d), to_ncl);
    zb_scope(&b, "gbst");
    struct zt cand[4], score[4], w[4];
    for (int i = 0; i < 4; i++) {
        char name[32];
        snprintf(name, sizeof name, "block%d.mean", i + 1);
        cand[i] = i == 0 ? x : zb_pool(&b, "AveragePool", name, x, i + 1, 1, 0, i);
        snprintf(name, sizeof name, "block%d.score", i + 1);
        score[i] = zb_conv1d(&b, name, cand[i], 1, 1, 1, 0, 0);
    }
    struct zt sc = zb_softmax(&b, "softmax", zb_concat(&b, "scores", score, 4, 1), 1);
    zb_split(&b, "split", sc, 1, 4, score);
    for (int i = 0; i < 4; i++) {
        char name[32];
        snprintf(name, sizeof name, "block%d.weigh", i + 1);
        w[i] = zb_binary(&b, "Mul", name, cand[i], score[i]);
    }
    x = zb_sum(&b, "mix", w, 4);
    if (ds > 1)
        x = zb_pool(&b, "AveragePool", "downsample", x, ds, ds, 0, 0);
    int64_t seq = len / ds;
    if (variant == 1) {
        x = zb_transpose(&b, "to_rows", x, to_ncl);
        const int64_t flat[2] = {-1, d};
        x = zb_reshape(&b, "flatten", x, 2, flat);
        for (int64_t l = 0; l < layers; l++) {
            zb_scope(&b, "encoder.layer.%lld", (long long)l);
            x = encoder_layer(&b, x, seq, d, 4, 4 * d);
        }
        zb_scope(&b, "head");
        const int64_t back[3] = {-1, seq, d};
        x = zb_transpose(&b, "to_channels", zb_reshape(&b, "unflatten", x, 3, back), to_ncl);
    } else {
        for (int64_t l = 0; l < layers; l++) {
            zb_scope(&b, "qrnn.%lld", (long long)l);
            struct zt gates = zb_conv1d(&b, "gates", x, 3 * d, 2, 1, 1, 0);
            struct zt zfo[3];
            zb_split(&b, "split", gates, 1, 3, zfo);
            struct zt z = zb_unary(&b, "Tanh", "z", zfo[0]);
            struct zt f = zb_unary(&b, "Sigmoid", "f", zfo[1]);
            struct zt o = zb_unary(&b, "Sigmoid", "o", zfo[2]);
            struct zt fz = zb_binary(&b, "Mul", "fo_pool.fz", f, z);
            struct zt c = zb_binary(&b, "Sub", "fo_pool.c", z, fz);
            x = zb_binary(&b, "Mul", "fo_pool.h", o, c);
        }
    }
    zb_classifier(&b, x, classes);
    return b.rc;
}
