/*
 * zoo.h — model families built from their public definitions (EfficientNet,
 * EfficientNet-X, EfficientNet-EdgeTPU, MobileNet-EdgeTPU-V2, MobileNetV1/V2,
 * ResNet-50, BERT-base, a ByteQRNN-like byte model) with the graph IR's
 * calls, so every tool takes "zoo:NAME" where it takes a model file.
 *
 * zoo.c holds the table of families; zoo_cnn.c and zoo_seq.c the builders
 * (each cites the definition it follows); zoo_layers.c the layer helpers.
 * Nothing here prints.
 */
#ifndef TPUSIM_ZOO_H
#define TPUSIM_ZOO_H

#include <stddef.h>
#include <stdint.h>

#include "tpusim.h"

/* Knobs a NAS loop or a sweep turns; zero means the family's default. */
struct zoo_params {
    double width;          /* extra width multiplier on the family's own (claim 4 sweeps it) */
    int64_t resolution;    /* image side in pixels */
    int64_t seq_len;       /* sequence models: tokens (BERT) or bytes (byte model) */
    int64_t downsample;    /* byte model: GBST downsampling factor, 1 = none (default 4) */
    int64_t group_size;    /* MobileNet-EdgeTPU-V2 GC-IBN: filters per group (default 64) */
};

struct zoo_family {
    const char *name;            /* "efficientnet-x-b3" */
    const char *summary;         /* one line */
    const char *source;          /* the public definition followed */
    /* Published multiply-accumulates and parameters as the interval their
     * printed digits stand for ("0.39 G" is 0.385..0.395 G; "3.4-3.5 M" as
     * printed); 0, 0 when no figure is published. */
    double macs_lo, macs_hi;
    double params_lo, params_hi;
    const char *published_from;  /* where the published figures come from */
    int (*build)(tpusim_graph *g, const struct zoo_params *p, int variant);
    int variant;                 /* the builder's index into its own table */
};

size_t zoo_count(void);
/* Family `index` (NULL when out of range) / by name (NULL when unknown);
 * static storage. */
const struct zoo_family *zoo_get(size_t index);
const struct zoo_family *zoo_find(const char *name);
/* Whether `value` is within `tolerance` (0.02: 2%) of the interval
 * [lo, hi]; true when no figure is published (lo = 0). */
int zoo_matches(double value, double lo, double hi, double tolerance);
/* Builds family `name` into an empty graph and finalizes it. p may be NULL
 * (defaults). An unknown name is TPUSIM_ERR_ARG with the message in g. */
int zoo_build(tpusim_graph *g, const char *name, const struct zoo_params *p);

/* One inverted-bottleneck block on a feature map [1, c, hw, hw] (claim 5):
 * depthwise-IBN (1x1 expand, kxk depthwise, 1x1 project), fused-IBN (kxk
 * full expand, 1x1 project) or GC-IBN (fused-IBN with its kxk expand a
 * group conv of `groups` groups, as seed 000 defines it and
 * mobilenet_edgetpu_v2_model_blocks.py builds it), ReLU, residual add.
 * Finalized on return. */
enum zoo_ibn { ZOO_IBN_DEPTHWISE, ZOO_IBN_FUSED, ZOO_IBN_GROUPED };
int zoo_build_ibn(tpusim_graph *g, enum zoo_ibn kind, int64_t hw, int64_t c, int64_t expand,
                  int64_t k, int64_t groups);

/* Builders (zoo_cnn.c, zoo_seq.c); variant indexes each file's table. */
int zoo_build_efficientnet(tpusim_graph *g, const struct zoo_params *p, int variant);
int zoo_build_mobilenet_edgetpu_v2(tpusim_graph *g, const struct zoo_params *p, int variant);
int zoo_build_mobilenet_v1(tpusim_graph *g, const struct zoo_params *p, int variant);
int zoo_build_mobilenet_v2(tpusim_graph *g, const struct zoo_params *p, int variant);
int zoo_build_resnet50(tpusim_graph *g, const struct zoo_params *p, int variant);
int zoo_build_bert(tpusim_graph *g, const struct zoo_params *p, int variant);
int zoo_build_byte_model(tpusim_graph *g, const struct zoo_params *p, int variant);

/* EfficientNet variants (zoo_build_efficientnet's `variant`). */
enum {
    ZOO_EFFNET_B0 = 0,    /* .. B7 = 7 */
    ZOO_EFFNET_X_B0 = 8,  /* .. X-B7 = 15 */
    ZOO_EFFNET_EDGETPU_S = 16,
    ZOO_EFFNET_EDGETPU_M = 17,
    ZOO_EFFNET_EDGETPU_L = 18,
    ZOO_EFFNET_X_TPU_B0 = 19, /* .. X-TPU-B7 = 26: scaled for TPUv3 */
    ZOO_EFFNET_X_GPU_B0 = 27  /* .. X-GPU-B7 = 34: scaled for V100 */
};

#endif /* TPUSIM_ZOO_H */
