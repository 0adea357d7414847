/*
 * builtin.c — models built into tpusim with the builder API, so the CLI has
 * something real to run with no file, and tests have graphs no exporter
 * made. The model families of the zoo (zoo.h: EfficientNet, MobileNet,
 * ResNet-50, BERT, ...) follow the small demo in the same numbering.
 */
#include <string.h>

#include "graph.h"
#include "tpusim.h"
#include "zoo.h"

/* A MobileNet-flavoured small CNN for 224x224 images: a strided stem, a
 * depthwise-separable block, a residual 1x1 bottleneck, and a classifier. */
static int build_demo_cnn(tpusim_graph *g)
{
    const int64_t in_dims[4] = {1, 3, 224, 224};
    int rc = tpusim_graph_add_input(g, "image", TPUSIM_DT_FLOAT32, 4, in_dims);
#define STEP(call)                                                                                \
    do {                                                                                          \
        if (!rc)                                                                                  \
            rc = (call);                                                                          \
    } while (0)
#define UNARY(type, name, in, out)                                                                \
    STEP(tpusim_graph_add_op(g, type, name, (const char *const[]){in}, 1,                        \
                             (const char *const[]){out}, 1))
    STEP(tpusim_graph_add_conv2d(g, "stem", "image", "stem.out", 32, 3, 2, 1, 1));
    UNARY("Relu", "stem.relu", "stem.out", "x1");
    STEP(tpusim_graph_add_conv2d(g, "dw1", "x1", "dw1.out", 32, 3, 1, 1, 32));
    UNARY("Relu", "dw1.relu", "dw1.out", "x2");
    STEP(tpusim_graph_add_conv2d(g, "pw1", "x2", "pw1.out", 64, 1, 1, 0, 1));
    UNARY("Relu", "pw1.relu", "pw1.out", "x3");
    STEP(tpusim_graph_add_op(g, "MaxPool", "pool1", (const char *const[]){"x3"}, 1,
                             (const char *const[]){"x4"}, 1));
    STEP(tpusim_graph_set_attr_ints(g, "kernel_shape", (const int64_t[]){2, 2}, 2));
    STEP(tpusim_graph_set_attr_ints(g, "strides", (const int64_t[]){2, 2}, 2));
    STEP(tpusim_graph_add_conv2d(g, "expand", "x4", "expand.out", 256, 1, 1, 0, 1));
    UNARY("Sigmoid", "expand.sigmoid", "expand.out", "expand.gate");
    STEP(tpusim_graph_add_op(g, "Mul", "expand.swish", (const char *const[]){"expand.out", "expand.gate"},
                             2, (const char *const[]){"x5"}, 1));
    STEP(tpusim_graph_add_conv2d(g, "project", "x5", "project.out", 64, 1, 1, 0, 1));
    STEP(tpusim_graph_add_op(g, "Add", "residual", (const char *const[]){"project.out", "x4"}, 2,
                             (const char *const[]){"x6"}, 1));
    STEP(tpusim_graph_add_conv2d(g, "head", "x6", "head.out", 128, 3, 2, 1, 1));
    UNARY("Relu", "head.relu", "head.out", "x7");
    UNARY("GlobalAveragePool", "gap", "x7", "x8");
    UNARY("Flatten", "flatten", "x8", "x9");
    STEP(tpusim_graph_add_dense(g, "fc", "x9", "logits", 10));
    UNARY("Softmax", "softmax", "logits", "probs");
#undef UNARY
#undef STEP
    return rc;
}

static const struct {
    const char *name;
    const char *summary;
    int (*build)(tpusim_graph *g);
} BUILTINS[] = {
    {"demo-cnn", "small CNN (stem, depthwise-separable, swish bottleneck, classifier), 224x224",
     build_demo_cnn},
};

#define N_DEMOS (sizeof BUILTINS / sizeof BUILTINS[0])

size_t tpusim_builtin_count(void)
{
    return N_DEMOS + zoo_count();
}

const char *tpusim_builtin_name(size_t index, const char **summary)
{
    if (index >= tpusim_builtin_count())
        return NULL;
    if (index >= N_DEMOS) {
        const struct zoo_family *f = zoo_get(index - N_DEMOS);
        if (summary)
            *summary = f->summary;
        return f->name;
    }
    if (summary)
        *summary = BUILTINS[index].summary;
    return BUILTINS[index].name;
}

int tpusim_graph_build_builtin(tpusim_graph *g, const char *name)
{
    if (!g || !name)
        return TPUSIM_ERR_ARG;
    for (size_t i = 0; i < N_DEMOS; i++)
        if (strcmp(BUILTINS[i].name, name) == 0) {
            int rc = BUILTINS[i].build(g);
            return rc ? rc : tpusim_graph_finalize(g);
        }
    if (zoo_find(name))
        return zoo_build(g, name, NULL);
    return graph_error(g, TPUSIM_ERR_ARG,
                       "no built-in model named '%s' (try demo-cnn, or `tpusim zoo`)", name);
}
