/*
 * zoo.c — the table of built-in model families with their published MAC
 * and parameter counts, and zoo_build(). The builders are in zoo_cnn.c and
 * zoo_seq.c.
 */
#include <string.h>

#include "graph.h"
#include "zoo.h"

#define TF_EFFNET "tensorflow/tpu models/official/efficientnet/efficientnet_builder.py"
#define TF_EFFNET_X "tensorflow/tpu models/official/efficientnet/tpu/efficientnet_x_builder.py"
#define TF_EDGETPU                                                                                \
    "tensorflow/tpu models/official/efficientnet/edgetpu/efficientnet_edgetpu_builder.py"
#define TAN_LE "Tan & Le, EfficientNet, ICML 2019, Table 2"
/* A figure printed to the digit `unit`: the interval it stands for. */
#define FIG(v, unit) ((v) - (unit) / 2), ((v) + (unit) / 2)
#define EFFNET(n, macs, mu, params, pu)                                                           \
    {"efficientnet-b" #n, "EfficientNet-B" #n ", swish, depthwise MBConv + SE", TF_EFFNET,        \
     FIG(macs, mu), FIG(params, pu), TAN_LE, zoo_build_efficientnet, ZOO_EFFNET_B0 + n}
#define EFFNET_X(n)                                                                               \
    {"efficientnet-x-b" #n,                                                                       \
     "EfficientNet-X-B" #n ", space-to-depth stem, fused convs, ReLU/swish per block",           \
     TF_EFFNET_X, 0, 0, 0, 0, NULL, zoo_build_efficientnet, ZOO_EFFNET_X_B0 + n}
/* The latency-aware scaled families: X-B0's blocks, (width, depth,
 * resolution) per platform from efficientnet_x_builder.py. */
#define EFFNET_X_ON(plat, PLAT, n)                                                                \
    {"efficientnet-x-" #plat "-b" #n,                                                             \
     "EfficientNet-X-B" #n " scaled for " #PLAT " (latency-aware compound scaling)", TF_EFFNET_X, \
     0, 0, 0, 0, NULL, zoo_build_efficientnet, ZOO_EFFNET_X_##PLAT##_B0 + n}

static const struct zoo_family FAMILIES[] = {
    EFFNET(0, 0.39e9, 0.01e9, 5.3e6, 0.1e6),
    EFFNET(1, 0.70e9, 0.01e9, 7.8e6, 0.1e6),
    EFFNET(2, 1.0e9, 0.1e9, 9.2e6, 0.1e6),
    EFFNET(3, 1.8e9, 0.1e9, 12e6, 1e6),
    EFFNET(4, 4.2e9, 0.1e9, 19e6, 1e6),
    EFFNET(5, 9.9e9, 0.1e9, 30e6, 1e6),
    EFFNET(6, 19e9, 1e9, 43e6, 1e6),
    EFFNET(7, 37e9, 1e9, 66e6, 1e6),
    {"efficientnet-x-b0",
     "EfficientNet-X-B0, space-to-depth stem, fused convs, ReLU/swish per block", TF_EFFNET_X,
     FIG(0.92e9, 0.01e9), FIG(7.6e6, 0.1e6),
     "Li et al., Searching for Fast Model Families on Datacenter Accelerators, CVPR 2021",
     zoo_build_efficientnet, ZOO_EFFNET_X_B0},
    EFFNET_X(1),
    EFFNET_X(2),
    EFFNET_X(3),
    EFFNET_X(4),
    EFFNET_X(5),
    EFFNET_X(6),
    EFFNET_X(7),
    EFFNET_X_ON(tpu, TPU, 0), EFFNET_X_ON(tpu, TPU, 1), EFFNET_X_ON(tpu, TPU, 2),
    EFFNET_X_ON(tpu, TPU, 3), EFFNET_X_ON(tpu, TPU, 4), EFFNET_X_ON(tpu, TPU, 5),
    EFFNET_X_ON(tpu, TPU, 6), EFFNET_X_ON(tpu, TPU, 7),
    EFFNET_X_ON(gpu, GPU, 0), EFFNET_X_ON(gpu, GPU, 1), EFFNET_X_ON(gpu, GPU, 2),
    EFFNET_X_ON(gpu, GPU, 3), EFFNET_X_ON(gpu, GPU, 4), EFFNET_X_ON(gpu, GPU, 5),
    EFFNET_X_ON(gpu, GPU, 6), EFFNET_X_ON(gpu, GPU, 7),
    {"efficientnet-edgetpu-s", "EfficientNet-EdgeTPU-S, 224, full-conv early blocks, ReLU",
     TF_EDGETPU, FIG(1.79e9, 0.01e9), FIG(5.4e6, 0.1e6), "tensorflow/tpu efficientnet/edgetpu/README.md",
     zoo_build_efficientnet, ZOO_EFFNET_EDGETPU_S},
    {"efficientnet-edgetpu-m", "EfficientNet-EdgeTPU-M, 240", TF_EDGETPU, 0, 0, 0, 0, NULL,
     zoo_build_efficientnet, ZOO_EFFNET_EDGETPU_M},
    {"efficientnet-edgetpu-l", "EfficientNet-EdgeTPU-L, 300", TF_EDGETPU, 0, 0, 0, 0, NULL,
     zoo_build_efficientnet, ZOO_EFFNET_EDGETPU_L},
    {"mobilenet-edgetpu-v2", "MobileNet-EdgeTPU-V2, fused / GC-IBN / depthwise IBN, 224",
     "tensorflow/models official/projects/edgetpu/vision/modeling/"
     "mobilenet_edgetpu_v2_model_blocks.py",
     0, 0, 0, 0, NULL, zoo_build_mobilenet_edgetpu_v2, 0},
    {"mobilenet-v1", "MobileNetV1 1.0, 224, depthwise-separable", "Howard et al. 2017, Table 1",
     FIG(569e6, 1e6), FIG(4.2e6, 0.1e6), "Howard et al. 2017, Table 8", zoo_build_mobilenet_v1, 0},
    {"mobilenet-v2", "MobileNetV2 1.0, 224, inverted residuals", "Sandler et al. 2018, Table 2",
     FIG(300e6, 1e6), 3.4e6, 3.5e6, "Sandler et al. 2018, Table 4", zoo_build_mobilenet_v2, 0},
    {"resnet-50", "ResNet-50 (v1.5), 224", "He et al. 2016, Table 1; torchvision resnet50",
     FIG(4.1e9, 0.1e9), FIG(25.6e6, 0.1e6), "He et al. 2016, Table 1; torchvision", zoo_build_resnet50, 0},
    {"bert-base", "BERT-base encoder, 128 tokens, 12 layers x 768", "google-research/bert "
     "modeling.py, uncased_L-12_H-768_A-12", 0, 0, FIG(110e6, 1e6), "Devlin et al. 2019, Sec. 3",
     zoo_build_bert, 0},
    {"byte-qrnn", "byte model: embedding 259, GBST /4, 4 QRNN layers x 256, 512 bytes",
     "Google AI blog 2022 (ByteQRNN); Charformer GBST; Bradbury et al. 2017 QRNN", 0, 0, 0, 0, NULL,
     zoo_build_byte_model, 0},
    {"byte-transformer", "byte model: embedding 259, GBST /4, 4 Transformer layers x 256",
     "Google AI blog 2022 (ByteTransformer); Charformer GBST", 0, 0, 0, 0, NULL, zoo_build_byte_model,
     1},
};

size_t zoo_count(void)
{
    return sizeof FAMILIES / sizeof FAMILIES[0];
}

const struct zoo_family *zoo_get(size_t index)
{
    return index < zoo_count() ? &FAMILIES[index] : NULL;
}

const struct zoo_family *zoo_find(const char *name)
{
    for (size_t i = 0; name && i < zoo_count(); i++)
        if (strcmp(FAMILIES[i].name, name) == 0)
            return &FAMILIES[i];
    return NULL;
}

int zoo_matches(double value, double lo, double hi, double tolerance)
{
    if (lo <= 0)
        return 1;
    return value >= lo * (1 - tolerance) && value <= hi * (1 + tolerance);
}

int zoo_build(tpusim_graph *g, const char *name, const struct zoo_params *p)
{
    if (!g || !name)
        return TPUSIM_ERR_ARG;
    const struct zoo_family *f = zoo_find(name);
    if (!f)
        return graph_error(g, TPUSIM_ERR_ARG,
                           "no model family named '%s' in the zoo (`tpusim zoo` lists them)",
                           name);
    if (g->finalized || g->n_ops)
        return graph_error(g, TPUSIM_ERR_STATE, "zoo: the graph is not empty");
    int rc = f->build(g, p, f->variant);
    return rc ? rc : graph_finalize(g);
}
