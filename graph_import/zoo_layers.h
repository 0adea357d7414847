/*
 * zoo_layers.h — layer helpers the zoo builders share: convolutions with
 * TensorFlow "same" padding, activations, squeeze-and-excite, dense and
 * attention pieces. A builder carries its first error: after one call
 * fails, later calls do nothing, and zb.rc says why (message in the graph).
 */
#ifndef TPUSIM_ZOO_LAYERS_H
#define TPUSIM_ZOO_LAYERS_H

#include <stdbool.h>
#include <stdint.h>

#include "graph.h"

struct zb {
    tpusim_graph *g;
    int rc;            /* first error, TPUSIM_OK while all went well */
    int next;          /* tensor counter for generated names */
    char scope[64];    /* prefix of op names ("blocks_3") */
};

/* A tensor the builder made, by name only: its shape is whatever shape
 * inference gives it (zb_dims), so there is no second copy to drift. */
struct zt {
    char name[24];
};

enum zact { ZA_NONE, ZA_RELU, ZA_SWISH, ZA_SIGMOID, ZA_TANH };

void zb_init(struct zb *b, tpusim_graph *g);
void zb_scope(struct zb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
struct zt zb_input(struct zb *b, const char *name, tpusim_dtype dtype, int rank,
                   const int64_t *dims);
/* x's shape from shape inference (graph_infer_early, run now for x and
 * its producers): the rank, dims into d[TPUSIM_MAX_RANK]. After an error
 * (zb.rc set) the rank is 0 and d all zeros, so callers need no checks. */
int zb_dims(struct zb *b, struct zt x, int64_t *d);
/* One dimension of x (axis < 0 counts from the end); 0 after an error. */
int64_t zb_dim(struct zb *b, struct zt x, int axis);

/* 2-D convolution over [N,C,H,W] with TF "same" padding, written as
 * auto_pad SAME_UPPER (ONNX's SAME_UPPER also puts the odd pixel at the end)
 * so shape inference derives the pads; bias = the folded BatchNorm of an
 * inference export. */
struct zt zb_conv(struct zb *b, const char *op, struct zt x, int64_t cout, int64_t k,
                  int64_t stride, int64_t group);
/* 1-D convolution over [N,C,L] with explicit pads (causal: k-1, 0). */
struct zt zb_conv1d(struct zb *b, const char *op, struct zt x, int64_t cout, int64_t k,
                    int64_t stride, int64_t pad_begin, int64_t pad_end);
struct zt zb_act(struct zb *b, const char *op, struct zt x, enum zact a);
struct zt zb_unary(struct zb *b, const char *type, const char *op, struct zt x);
/* Elementwise binary op; the result has x's shape (y broadcasts into it). */
struct zt zb_binary(struct zb *b, const char *type, const char *op, struct zt x, struct zt y);
/* Pooling: MaxPool/AveragePool with symmetric pads over every spatial dim. */
struct zt zb_pool(struct zb *b, const char *type, const char *op, struct zt x, int64_t k,
                  int64_t stride, int64_t pad_begin, int64_t pad_end);
struct zt zb_gap(struct zb *b, const char *op, struct zt x);
/* x * sigmoid(W2 act(W1 gap(x))) with `reduced` filters. */
struct zt zb_se(struct zb *b, struct zt x, int64_t reduced, enum zact a);
/* Global pooling, flatten, fully connected to `classes` logits. */
struct zt zb_classifier(struct zb *b, struct zt x, int64_t classes);
/* x[..., K] @ W[K, n]: a Gemm with bias [n] when x is 2-D and bias is set
 * (the dense builder's), otherwise a MatMul with no bias. */
struct zt zb_linear(struct zb *b, const char *op, struct zt x, int64_t n, bool bias);
struct zt zb_layernorm(struct zb *b, const char *op, struct zt x);
/* Reshape to `shape` (rank values, -1 allowed: ONNX semantics). */
struct zt zb_reshape(struct zb *b, const char *op, struct zt x, int rank, const int64_t *shape);
struct zt zb_transpose(struct zb *b, const char *op, struct zt x, const int64_t *perm);
/* A float32 weight of this shape named "<scope>/<op>.<suffix>" into name. */
void zb_weight(struct zb *b, const char *op, const char *suffix, int rank, const int64_t *dims,
               char *name, size_t len);
/* A float scalar constant (its value kept, exported as an initializer). */
struct zt zb_scalar(struct zb *b, double value);

/* An int64 constant (shape vectors, indices). */
struct zt zb_iconst(struct zb *b, int rank, const int64_t *dims, const int64_t *vals);
/* Gather(table [rows, d], ids): an embedding lookup, table a weight. */
struct zt zb_embed(struct zb *b, const char *op, struct zt ids, int64_t rows, int64_t d);
/* Gather(x, idx) along axis (idx a constant). */
struct zt zb_gather(struct zb *b, const char *op, struct zt x, struct zt idx, int64_t axis);
/* Split, Concat and Sum take at most ZB_MAX_PARTS tensors; more is an
 * error (TPUSIM_ERR_ARG in zb.rc). */
#define ZB_MAX_PARTS 8
/* Split into n equal parts along axis. */
void zb_split(struct zb *b, const char *op, struct zt x, int64_t axis, int n, struct zt *outs);
struct zt zb_concat(struct zb *b, const char *op, const struct zt *xs, int n, int64_t axis);
struct zt zb_sum(struct zb *b, const char *op, const struct zt *xs, int n);
struct zt zb_softmax(struct zb *b, const char *op, struct zt x, int64_t axis);

/* TF/Keras round_filters: multiply, round to a multiple of 8, never more
 * than 10% down (efficientnet_model.py). */
int64_t zb_round_filters(double filters, double width);

#endif /* TPUSIM_ZOO_LAYERS_H */
