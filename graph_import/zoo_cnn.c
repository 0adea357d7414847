/*
 * zoo_cnn.c — image models from their public definitions: EfficientNet
 * B0-B7, EfficientNet-X B0-B7, EfficientNet-EdgeTPU S/M/L (one builder: they
 * share tensorflow/tpu's efficientnet_model.py), MobileNet-EdgeTPU-V2 with
 * GC-IBN blocks, MobileNetV1, MobileNetV2 and ResNet-50.
 *
 * Inference graphs as an exporter writes them: BatchNorm folded into the
 * convolution's bias, dropout and drop-connect gone. NCHW, float32 (the
 * simulator picks the chip's dtype).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "zoo.h"
#include "zoo_layers.h"

/* The extra width multiplier a caller asked for (zoo_params.width), else 1. */
static double width_of(const struct zoo_params *p)
{
    return p && p->width > 0 ? p->width : 1.0;
}

/* Starts builder b on g with the [1, 3, res, res] float "image" input; res
 * is the caller's zoo_params.resolution, else the family's default. */
static struct zt image_input(struct zb *b, tpusim_graph *g, const struct zoo_params *p,
                             int64_t default_res)
{
    zb_init(b, g);
    int64_t res = p && p->resolution > 0 ? p->resolution : default_res;
    const int64_t dims[4] = {1, 3, res, res};
    return zb_input(b, "image", TPUSIM_DT_FLOAT32, 4, dims);
}

/* ------------------------------------------------------------ EfficientNet
 * Block strings, coefficients and the block logic follow tensorflow/tpu
 * models/official/efficientnet/:
 *  - efficientnet_builder.py: blocks_args 'r1_k3_s11_e1_i32_o16_se0.25' ...
 *    and params_dict (width, depth, resolution); swish everywhere.
 *  - tpu/efficientnet_x_builder.py: the same strings with _d1/_d2
 *    (space-to-depth), _f1 (fused conv) and _a0/_a1 (ReLU/swish per block),
 *    ReLU as the global activation, se_coefficient 4, 2, 1, ... per model;
 *    x-bN scaled as EfficientNet, x-tpu-bN and x-gpu-bN by latency-aware
 *    compound scaling for TPUv3 and for V100.
 *  - edgetpu/efficientnet_edgetpu_builder.py: 'r1_k3_s11_e4_i24_o24_c1_noskip'
 *    ...; c1 = MBConvBlockWithoutDepthwise (3x3 expand, 1x1 project; the
 *    stride placement is discussed in mbconv()), no SE, ReLU, 1001 classes.
 *  - efficientnet_model.py: round_filters (divisor 8), round_repeats (ceil),
 *    the stem (3x3/2, 32), the head (1x1, 1280), Model._build's
 *    space-to-depth rewriting of block arguments, MBConvBlock.call.
 */
struct block_def {
    int r, k, s, e, i, o;
    double se;      /* 0: no squeeze-excite */
    int fused;      /* f1: KxK conv instead of expand + depthwise */
    int s2d;        /* d1/d2: space-to-depth */
    int act;        /* -1: the model's activation; 0 ReLU (a0); 1 swish (a1) */
    int conv_type;  /* c1: MBConvBlockWithoutDepthwise */
    int noskip;
};

static const struct block_def EFFNET_BLOCKS[] = {
    {1, 3, 1, 1, 32, 16, 0.25, 0, 0, -1, 0, 0},   {2, 3, 2, 6, 16, 24, 0.25, 0, 0, -1, 0, 0},
    {2, 5, 2, 6, 24, 40, 0.25, 0, 0, -1, 0, 0},   {3, 3, 2, 6, 40, 80, 0.25, 0, 0, -1, 0, 0},
    {3, 5, 1, 6, 80, 112, 0.25, 0, 0, -1, 0, 0},  {4, 5, 2, 6, 112, 192, 0.25, 0, 0, -1, 0, 0},
    {1, 3, 1, 6, 192, 320, 0.25, 0, 0, -1, 0, 0},
};

static const struct block_def EFFNET_X_BLOCKS[] = {
    {1, 3, 1, 1, 32, 16, 0.25, 0, 1, 0, 0, 0},    /* r1_k3_s11_e1_i32_o16_se0.25_d1_a0 */
    {2, 3, 2, 6, 16, 24, 0.25, 1, 2, 1, 0, 0},    /* r2_k3_s22_e6_i16_o24_se0.25_f1_d2_a1 */
    {2, 5, 2, 6, 24, 40, 0.25, 1, 0, 1, 0, 0},    /* r2_k5_s22_e6_i24_o40_se0.25_f1_a1 */
    {3, 3, 2, 6, 40, 80, 0.25, 0, 0, 0, 0, 0},    /* r3_k3_s22_e6_i40_o80_se0.25_a0 */
    {3, 5, 1, 6, 80, 112, 0.25, 0, 0, 0, 0, 0},   /* r3_k5_s11_e6_i80_o112_se0.25_a0 */
    {4, 5, 2, 6, 112, 192, 0.25, 0, 0, 0, 0, 0},  /* r4_k5_s22_e6_i112_o192_se0.25_a0 */
    {1, 3, 1, 6, 192, 320, 0.25, 0, 0, 0, 0, 0},  /* r1_k3_s11_e6_i192_o320_se0.25_a0 */
};

static const struct block_def EFFNET_EDGETPU_BLOCKS[] = {
    {1, 3, 1, 4, 24, 24, 0, 0, 0, -1, 1, 1},      /* r1_k3_s11_e4_i24_o24_c1_noskip */
    {2, 3, 2, 8, 24, 32, 0, 0, 0, -1, 1, 0},      /* r2_k3_s22_e8_i24_o32_c1 */
    {4, 3, 2, 8, 32, 48, 0, 0, 0, -1, 1, 0},      /* r4_k3_s22_e8_i32_o48_c1 */
    {5, 5, 2, 8, 48, 96, 0, 0, 0, -1, 0, 0},      /* r5_k5_s22_e8_i48_o96 */
    {4, 5, 1, 8, 96, 144, 0, 0, 0, -1, 0, 0},     /* r4_k5_s11_e8_i96_o144 */
    {2, 5, 2, 8, 144, 192, 0, 0, 0, -1, 0, 0},    /* r2_k5_s22_e8_i144_o192 */
};

struct effnet_model {
    double width, depth;
    int resolution;
    int se_coefficient;        /* EfficientNet-X: scales the SE ratio; 0 = 1 */
    enum zact act;             /* the model's relu_fn */
    int classes;
    const struct block_def *blocks;
    int n_blocks;
};

#define NB(a) ((int)(sizeof a / sizeof a[0]))
static const struct effnet_model EFFNETS[] = {
    /* efficientnet_builder.py params_dict */
    {1.0, 1.0, 224, 0, ZA_SWISH, 1000, EFFNET_BLOCKS, NB(EFFNET_BLOCKS)},
    {1.0, 1.1, 240, 0, ZA_SWISH, 1000, EFFNET_BLOCKS, NB(EFFNET_BLOCKS)},
    {1.1, 1.2, 260, 0, ZA_SWISH, 1000, EFFNET_BLOCKS, NB(EFFNET_BLOCKS)},
    {1.2, 1.4, 300, 0, ZA_SWISH, 1000, EFFNET_BLOCKS, NB(EFFNET_BLOCKS)},
    {1.4, 1.8, 380, 0, ZA_SWISH, 1000, EFFNET_BLOCKS, NB(EFFNET_BLOCKS)},
    {1.6, 2.2, 456, 0, ZA_SWISH, 1000, EFFNET_BLOCKS, NB(EFFNET_BLOCKS)},
    {1.8, 2.6, 528, 0, ZA_SWISH, 1000, EFFNET_BLOCKS, NB(EFFNET_BLOCKS)},
    {2.0, 3.1, 600, 0, ZA_SWISH, 1000, EFFNET_BLOCKS, NB(EFFNET_BLOCKS)},
    /* efficientnet_x_builder.py params_dict (with se_coefficient) */
    {1.0, 1.0, 224, 4, ZA_RELU, 1000, EFFNET_X_BLOCKS, NB(EFFNET_X_BLOCKS)},
    {1.0, 1.1, 240, 2, ZA_RELU, 1000, EFFNET_X_BLOCKS, NB(EFFNET_X_BLOCKS)},
    {1.1, 1.2, 260, 1, ZA_RELU, 1000, EFFNET_X_BLOCKS, NB(EFFNET_X_BLOCKS)},
    {1.2, 1.4, 300, 1, ZA_RELU, 1000, EFFNET_X_BLOCKS, NB(EFFNET_X_BLOCKS)},
    {1.4, 1.8, 380, 1, ZA_RELU, 1000, EFFNET_X_BLOCKS, NB(EFFNET_X_BLOCKS)},
    {1.6, 2.2, 456, 1, ZA_RELU, 1000, EFFNET_X_BLOCKS, NB(EFFNET_X_BLOCKS)},
    {1.8, 2.6, 528, 1, ZA_RELU, 1000, EFFNET_X_BLOCKS, NB(EFFNET_X_BLOCKS)},
    {2.0, 3.1, 600, 1, ZA_RELU, 1000, EFFNET_X_BLOCKS, NB(EFFNET_X_BLOCKS)},
    /* efficientnet_edgetpu_builder.py params_dict */
    {1.0, 1.0, 224, 0, ZA_RELU, 1001, EFFNET_EDGETPU_BLOCKS, NB(EFFNET_EDGETPU_BLOCKS)},
    {1.0, 1.1, 240, 0, ZA_RELU, 1001, EFFNET_EDGETPU_BLOCKS, NB(EFFNET_EDGETPU_BLOCKS)},
    {1.2, 1.4, 300, 0, ZA_RELU, 1001, EFFNET_EDGETPU_BLOCKS, NB(EFFNET_EDGETPU_BLOCKS)},
    /* efficientnet_x_builder.py params_dict, the per-platform families that
     * latency-aware compound scaling gives (Li et al. 2021, Sec. 4): depth
     * grows faster than resolution */
    {1.0, 1.0, 224, 4, ZA_RELU, 1000, EFFNET_X_BLOCKS, NB(EFFNET_X_BLOCKS)},
    {1.05, 1.09, 229, 2, ZA_RELU, 1000, EFFNET_X_BLOCKS, NB(EFFNET_X_BLOCKS)},
    {1.13, 1.29, 244, 1, ZA_RELU, 1000, EFFNET_X_BLOCKS, NB(EFFNET_X_BLOCKS)},
    {1.27, 1.62, 263, 1, ZA_RELU, 1000, EFFNET_X_BLOCKS, NB(EFFNET_X_BLOCKS)},
    {1.54, 2.38, 299, 1, ZA_RELU, 1000, EFFNET_X_BLOCKS, NB(EFFNET_X_BLOCKS)},
    {1.96, 2.76, 332, 1, ZA_RELU, 1000, EFFNET_X_BLOCKS, NB(EFFNET_X_BLOCKS)},
    {2.75, 3.01, 328, 1, ZA_RELU, 1000, EFFNET_X_BLOCKS, NB(EFFNET_X_BLOCKS)},
    {3.26, 3.44, 350, 1, ZA_RELU, 1000, EFFNET_X_BLOCKS, NB(EFFNET_X_BLOCKS)},
    {1.0, 1.0, 224, 4, ZA_RELU, 1000, EFFNET_X_BLOCKS, NB(EFFNET_X_BLOCKS)},
    {1.05, 1.09, 229, 2, ZA_RELU, 1000, EFFNET_X_BLOCKS, NB(EFFNET_X_BLOCKS)},
    {1.13, 1.24, 237, 1, ZA_RELU, 1000, EFFNET_X_BLOCKS, NB(EFFNET_X_BLOCKS)},
    {1.31, 1.63, 255, 1, ZA_RELU, 1000, EFFNET_X_BLOCKS, NB(EFFNET_X_BLOCKS)},
    {1.63, 2.4, 282, 1, ZA_RELU, 1000, EFFNET_X_BLOCKS, NB(EFFNET_X_BLOCKS)},
    {1.94, 3.29, 306, 1, ZA_RELU, 1000, EFFNET_X_BLOCKS, NB(EFFNET_X_BLOCKS)},
    {2.25, 4.28, 328, 1, ZA_RELU, 1000, EFFNET_X_BLOCKS, NB(EFFNET_X_BLOCKS)},
    {2.58, 5.46, 350, 1, ZA_RELU, 1000, EFFNET_X_BLOCKS, NB(EFFNET_X_BLOCKS)},
};

/* Block arguments after Model._build's rounding and rewriting. */
struct block_args {
    int64_t in, out, k, s, e;
    double se;
    int fused, s2d, conv_type, noskip;
    enum zact act;
};

/* MBConvBlock.call / MBConvBlockWithoutDepthwise.call. */
static struct zt mbconv(struct zb *b, const struct effnet_model *m, const struct block_args *a,
                        struct zt x)
{
    struct zt in = x;
    int64_t filters = a->in * a->e;
    if (a->conv_type == 1) {
        /* The stride goes on the 3x3 expansion, as in the EfficientNet-EdgeTPU
         * blog's fused IBN and timm's EdgeResidual: that is what the
         * published 1.79 G MACs count. tensorflow/tpu's
         * MBConvBlockWithoutDepthwise strides the 1x1 projection instead
         * (the 3x3 runs at full resolution: 2.35 G MACs); see docs/zoo.md. */
        if (a->e != 1)
            x = zb_act(b, "expand.act", zb_conv(b, "expand", x, filters, 3, a->s, 1), a->act);
        x = zb_conv(b, "project", x, a->out, 1, a->e != 1 ? 1 : a->s, 1);

        if (!a->noskip && a->s == 1 && a->in == a->out)
            x = zb_binary(b, "Add", "add", x, in);
        return x;
    }
    if (a->s2d == 1)
        x = zb_act(b, "space2depth.act", zb_conv(b, "space2depth", x, a->in, 2, 2, 1), a->act);
    if (a->fused) {
        x = zb_act(b, "fused.act", zb_conv(b, "fused", x, filters, a->k, a->s, 1), a->act);
    } else {
        if (a->e != 1)
            x = zb_act(b, "expand.act", zb_conv(b, "expand", x, filters, 1, 1, 1), a->act);
        int64_t ch = zb_dim(b, x, 1);
        x = zb_act(b, "depthwise.act", zb_conv(b, "depthwise", x, ch, a->k, a->s, ch), a->act);
    }
    if (a->se > 0) {
        int coef = m->se_coefficient ? m->se_coefficient : 1;
        int64_t reduced = (int64_t)((double)a->in * (a->se * coef));
        if (a->s2d == 1)
            reduced /= 4; /* the SE ratio is w.r.t. the depth before space-to-depth */
        x = zb_se(b, x, reduced < 1 ? 1 : reduced, a->act);
    }
    x = zb_conv(b, "project", x, a->out, 1, 1, 1);
    if (!a->noskip && a->s == 1 && zb_dim(b, in, 1) == a->out)
        x = zb_binary(b, "Add", "add", x, in);
    return x;
}

int zoo_build_efficientnet(tpusim_graph *g, const struct zoo_params *p, int variant)
{
    if (variant < 0 || variant >= NB(EFFNETS))
        return graph_error(g, TPUSIM_ERR_ARG, "no EfficientNet variant %d", variant);
    const struct effnet_model *m = &EFFNETS[variant];
    double width = m->width * width_of(p);
    struct zb b;
    struct zt x = image_input(&b, g, p, m->resolution);
    zb_scope(&b, "stem");
    x = zb_act(&b, "act", zb_conv(&b, "conv", x, zb_round_filters(32, width), 3, 2, 1), m->act);
    int idx = 0;
    for (int i = 0; i < m->n_blocks; i++) {
        const struct block_def *d = &m->blocks[i];
        int64_t in = zb_round_filters(d->i, width), out = zb_round_filters(d->o, width);
        int64_t repeats = (int64_t)ceil(m->depth * d->r);
        struct block_args a = {in, out, d->k, d->s, d->e, d->se, d->fused, d->s2d,
                               d->conv_type, d->noskip, d->act < 0 ? m->act
                                                        : d->act ? ZA_SWISH : ZA_RELU};
        if (d->s2d) {
            int64_t factor = 4 / d->s / d->s;
            a.in = in * factor;
            a.out = out * factor;
            a.k = factor > 1 ? (d->k + 1) / 2 : d->k;
            zb_scope(&b, "blocks_%d", idx++);
            if (d->s == 2) {
                a.s = 1;
                x = mbconv(&b, m, &a, x);
                a.s2d = 0; /* space-to-depth stops at the stride-2 block */
                a.in = in;
                a.out = out;
                a.k = d->k;
            } else {
                x = mbconv(&b, m, &a, x);
                if (d->s2d == 1)
                    a.s2d = 2;
            }
        } else {
            zb_scope(&b, "blocks_%d", idx++);
            x = mbconv(&b, m, &a, x);
        }
        if (repeats > 1) {
            a.in = a.out;
            a.s = 1;
        }
        for (int64_t r = 1; r < repeats; r++) {
            zb_scope(&b, "blocks_%d", idx++);
            x = mbconv(&b, m, &a, x);
        }
    }
    zb_scope(&b, "head");
    x = zb_act(&b, "act", zb_conv(&b, "conv", x, zb_round_filters(1280, width), 1, 1, 1), m->act);
    zb_classifier(&b, x, m->classes);
    return b.rc;
}

/* ---------------------------------------------------- MobileNet-EdgeTPU-V2
 * tensorflow/models official/projects/edgetpu/vision/modeling/
 * mobilenet_edgetpu_v2_model_blocks.py: ModelConfig's default blocks (the
 * same as _default_mobilenet_edgetpu_v2_topology): 5x5/2 stem of 64, IBN
 * variants ibn_fused (KxK full expand), ibn_fused_grouped (GC-IBN: KxK
 * group-conv expand, group_base_size 64 filters per group) and ibn_dw,
 * no SE, ReLU, 1x1 top of 1280, 1001 classes. */
enum ibn_conv { IBN_DW, IBN_FULL, IBN_GROUP };
struct v2_block {
    int in, out, k, e, s, fused;
    enum ibn_conv conv;
};
static const struct v2_block MNEDGE_V2[] = {
    {64, 24, 3, 1, 1, 0, IBN_FULL},   {24, 48, 3, 8, 2, 1, IBN_FULL},
    {48, 48, 3, 4, 1, 1, IBN_GROUP},  {48, 64, 3, 8, 2, 1, IBN_FULL},
    {64, 64, 3, 4, 1, 1, IBN_GROUP},  {64, 64, 3, 4, 1, 1, IBN_FULL},
    {64, 64, 3, 4, 1, 1, IBN_GROUP},  {64, 128, 3, 8, 2, 1, IBN_FULL},
    {128, 128, 3, 4, 1, 0, IBN_DW},   {128, 128, 3, 4, 1, 0, IBN_DW},
    {128, 128, 3, 4, 1, 0, IBN_DW},   {128, 160, 3, 8, 1, 0, IBN_DW},
    {160, 160, 3, 4, 1, 0, IBN_DW},   {160, 160, 3, 4, 1, 0, IBN_DW},
    {160, 160, 3, 4, 1, 0, IBN_DW},   {160, 192, 5, 8, 2, 0, IBN_DW},
    {192, 192, 5, 4, 1, 0, IBN_DW},   {192, 192, 5, 4, 1, 0, IBN_DW},
    {192, 192, 5, 4, 1, 0, IBN_DW},   {192, 256, 5, 8, 1, 0, IBN_DW},
};

/* _MbConvBlock of mobilenet_edgetpu_v2_model_blocks.py; `groups` is the
 * group count of an IBN_GROUP block's KxK convolution (unused otherwise). */
static struct zt v2_block(struct zb *b, struct zt x, int64_t in, int64_t out, int64_t k,
                          int64_t e, int64_t s, int fused, enum ibn_conv conv, int64_t groups)
{
    struct zt skip = x;
    int64_t filters = in * e;
    if (fused && e != 1) {
        x = zb_conv(b, "fused", x, filters, k, s, conv == IBN_GROUP ? groups : 1);
        x = zb_act(b, "fused.act", x, ZA_RELU);
    } else {
        if (e != 1)
            x = zb_act(b, "expand.act", zb_conv(b, "expand", x, filters, 1, 1, 1), ZA_RELU);
        int64_t ch = zb_dim(b, x, 1);
        if (conv == IBN_DW)
            x = zb_act(b, "depthwise.act", zb_conv(b, "depthwise", x, ch, k, s, ch), ZA_RELU);
        else if (conv == IBN_GROUP)
            x = zb_act(b, "group.act", zb_conv(b, "group", x, ch, k, s, groups), ZA_RELU);
    }
    x = zb_conv(b, "project", x, out, 1, 1, 1);
    if (s == 1 && in == out && zb_dim(b, skip, 1) == out)
        x = zb_binary(b, "Add", "add", x, skip);
    return x;
}

int zoo_build_mobilenet_edgetpu_v2(tpusim_graph *g, const struct zoo_params *p, int variant)
{
    (void)variant;
    double width = width_of(p);
    int64_t gsize = p && p->group_size > 0 ? p->group_size : 64;
    struct zb b;
    struct zt x = image_input(&b, g, p, 224);
    zb_scope(&b, "stem");
    x = zb_act(&b, "act", zb_conv(&b, "conv", x, zb_round_filters(64, width), 5, 2, 1), ZA_RELU);
    for (int i = 0; i < NB(MNEDGE_V2); i++) {
        const struct v2_block *d = &MNEDGE_V2[i];
        zb_scope(&b, "stack_%d", i);
        int64_t in = zb_round_filters(d->in, width), filters = in * d->e;
        /* group_base_size filters per group; the largest count <= filters /
         * gsize that divides the filters (at least 1). */
        int64_t groups = filters / gsize > 0 ? filters / gsize : 1;
        while (filters % groups)
            groups--;
        x = v2_block(&b, x, in, zb_round_filters(d->out, width), d->k, d->e, d->s, d->fused,
                     d->conv, groups);
    }
    zb_scope(&b, "top");
    x = zb_act(&b, "act", zb_conv(&b, "conv", x, zb_round_filters(1280, width), 1, 1, 1),
               ZA_RELU);
    zb_classifier(&b, x, 1001);
    return b.rc;
}

int zoo_build_ibn(tpusim_graph *g, enum zoo_ibn kind, int64_t hw, int64_t c, int64_t expand,
                  int64_t k, int64_t groups)
{
    if (!g || hw < 1 || c < 1 || expand < 1 || k < 1 || groups < 1 || c % groups ||
        (c * expand) % groups)
        return g ? graph_error(g, TPUSIM_ERR_ARG, "IBN block: bad shape or group count")
                 : TPUSIM_ERR_ARG;
    struct zb b;
    zb_init(&b, g);
    const int64_t dims[4] = {1, c, hw, hw};
    struct zt x = zb_input(&b, "features", TPUSIM_DT_FLOAT32, 4, dims);
    zb_scope(&b, "ibn");
    if (kind == ZOO_IBN_FUSED)
        x = v2_block(&b, x, c, c, k, expand, 1, 1, IBN_FULL, 1);
    else if (kind == ZOO_IBN_GROUPED)
        x = v2_block(&b, x, c, c, k, expand, 1, 1, IBN_GROUP, groups);
    else
        x = v2_block(&b, x, c, c, k, expand, 1, 0, IBN_DW, 1);
    return b.rc ? b.rc : graph_finalize(g);
}

/* ------------------------------------------------------------ MobileNetV1
 * Howard et al. 2017, Table 1 (as in keras.applications.MobileNet): 3x3/2
 * conv of 32, 13 depthwise-separable layers, global pool, 1000 classes. */
int zoo_build_mobilenet_v1(tpusim_graph *g, const struct zoo_params *p, int variant)
{
    (void)variant;
    static const int64_t ch[13] = {64, 128, 128, 256, 256, 512, 512, 512, 512, 512, 512, 1024, 1024};
    static const int64_t st[13] = {1, 2, 1, 2, 1, 2, 1, 1, 1, 1, 1, 2, 1};
    double width = width_of(p);
    struct zb b;
    struct zt x = image_input(&b, g, p, 224);
    zb_scope(&b, "conv1");
    x = zb_act(&b, "relu", zb_conv(&b, "conv", x, (int64_t)(32 * width), 3, 2, 1), ZA_RELU);
    for (int i = 0; i < 13; i++) {
        zb_scope(&b, "conv_dw_%d", i + 1);
        int64_t cin = zb_dim(&b, x, 1);
        x = zb_act(&b, "dw.relu", zb_conv(&b, "dw", x, cin, 3, st[i], cin), ZA_RELU);
        x = zb_act(&b, "pw.relu", zb_conv(&b, "pw", x, (int64_t)((double)ch[i] * width), 1, 1, 1),
                   ZA_RELU);
    }
    zb_classifier(&b, x, 1000);
    return b.rc;
}

/* ------------------------------------------------------------ MobileNetV2
 * Sandler et al. 2018, Table 2 (t, c, n, s), as torchvision's
 * mobilenet_v2: 3x3/2 stem of 32, inverted residuals, 1x1 of 1280.
 * ReLU6 is written as Relu (the same one vector op per element). */
int zoo_build_mobilenet_v2(tpusim_graph *g, const struct zoo_params *p, int variant)
{
    (void)variant;
    static const int64_t cfg[7][4] = {{1, 16, 1, 1},  {6, 24, 2, 2},  {6, 32, 3, 2}, {6, 64, 4, 2},
                                      {6, 96, 3, 1},  {6, 160, 3, 2}, {6, 320, 1, 1}};
    double width = width_of(p);
    struct zb b;
    struct zt x = image_input(&b, g, p, 224);
    zb_scope(&b, "features.0");
    x = zb_act(&b, "relu6", zb_conv(&b, "conv", x, zb_round_filters(32, width), 3, 2, 1), ZA_RELU);
    int idx = 1;
    for (int i = 0; i < 7; i++)
        for (int64_t r = 0; r < cfg[i][2]; r++) {
            zb_scope(&b, "features.%d", idx++);
            struct zt in = x;
            int64_t out = zb_round_filters((double)cfg[i][1], width);
            int64_t s = r == 0 ? cfg[i][3] : 1;
            int64_t cin = zb_dim(&b, x, 1), ch = cin * cfg[i][0];
            if (cfg[i][0] != 1)
                x = zb_act(&b, "expand.relu6", zb_conv(&b, "expand", x, ch, 1, 1, 1), ZA_RELU);
            x = zb_act(&b, "dw.relu6", zb_conv(&b, "dw", x, ch, 3, s, ch), ZA_RELU);
            x = zb_conv(&b, "project", x, out, 1, 1, 1);
            if (s == 1 && cin == out)
                x = zb_binary(&b, "Add", "add", x, in);
        }
    zb_scope(&b, "features.18");
    int64_t last = width > 1.0 ? zb_round_filters(1280, width) : 1280;
    x = zb_act(&b, "relu6", zb_conv(&b, "conv", x, last, 1, 1, 1), ZA_RELU);
    zb_classifier(&b, x, 1000);
    return b.rc;
}

/* -------------------------------------------------------------- ResNet-50
 * He et al. 2016, Table 1, as torchvision's resnet50 (v1.5: the stride on
 * the 3x3 of each bottleneck): 7x7/2 conv, 3x3/2 max pool, bottlenecks
 * [3, 4, 6, 3] of widths 64..512 (x4 out), global pool, 1000 classes. */
int zoo_build_resnet50(tpusim_graph *g, const struct zoo_params *p, int variant)
{
    (void)variant;
    static const int64_t blocks[4] = {3, 4, 6, 3};
    double width = width_of(p);
    struct zb b;
    struct zt x = image_input(&b, g, p, 224);
    zb_scope(&b, "stem");
    x = zb_act(&b, "relu", zb_conv(&b, "conv1", x, (int64_t)(64 * width), 7, 2, 1), ZA_RELU);
    x = zb_pool(&b, "MaxPool", "maxpool", x, 3, 2, 1, 1);
    for (int l = 0; l < 4; l++) {
        int64_t planes = (int64_t)((double)(64 << l) * width);
        for (int64_t i = 0; i < blocks[l]; i++) {
            zb_scope(&b, "layer%d.%lld", l + 1, (long long)i);
            int64_t s = (i == 0 && l > 0) ? 2 : 1;
            struct zt in = x;
            x = zb_act(&b, "relu1", zb_conv(&b, "conv1", x, planes, 1, 1, 1), ZA_RELU);
            x = zb_act(&b, "relu2", zb_conv(&b, "conv2", x, planes, 3, s, 1), ZA_RELU);
            x = zb_conv(&b, "conv3", x, planes * 4, 1, 1, 1);
            if (i == 0)
                in = zb_conv(&b, "downsample", in, planes * 4, 1, s, 1);
            x = zb_act(&b, "relu3", zb_binary(&b, "Add", "add", x, in), ZA_RELU);
        }
    }
    zb_classifier(&b, x, 1000);
    return b.rc;
}
