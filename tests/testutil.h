/*
 * testutil.h — small helpers for building graphs in Check tests. Every
 * helper fails the running test (ck_assert) instead of returning errors.
 */
#ifndef TPUSIM_TESTUTIL_H
#define TPUSIM_TESTUTIL_H

#include <check.h>
#include <stdint.h>

#include "graph.h"
#include "tpusim.h"

tpusim_graph *tu_new(void);
/* A float32 data input / weight; dims as a list: tu_input(g, "x", 4, (int64_t[]){1,3,8,8}). */
void tu_input(tpusim_graph *g, const char *name, int rank, const int64_t *dims);
void tu_weight(tpusim_graph *g, const char *name, int rank, const int64_t *dims);
/* A 1-D int64 constant of n values. */
void tu_ints(tpusim_graph *g, const char *name, size_t n, const int64_t *values);
/* Adds an op; inputs and outputs as comma-separated names ("" = absent
 * optional input, e.g. "x,,axes"). */
void tu_op(tpusim_graph *g, const char *type, const char *name, const char *inputs,
           const char *outputs);
void tu_finalize_ok(tpusim_graph *g);
/* A finalized graph of one op: x[m,k] @ w[k,n] (float32 data). */
tpusim_graph *tu_gemm(int64_t m, int64_t k, int64_t n);
/* Finalize must fail with `code` and a message containing `needle`. */
void tu_finalize_fails(tpusim_graph *g, int code, const char *needle);
/* The tensor must have exactly this shape. */
void tu_expect_shape(tpusim_graph *g, const char *tensor, int rank, const int64_t *dims);
/* The internal op / tensor by name (fails the test if absent). */
const struct op *tu_find_op(tpusim_graph *g, const char *name);
const struct tensor *tu_find_tensor(tpusim_graph *g, const char *name);
/* Directory of the shared real model files (env TPUSIM_MODELS or
 * ../shared/models/real): ONNX and TFLite inputs, not chip files. */
const char *tu_models_dir(void);
/* Directory of the chip files (env TPUSIM_MODELS_DIR or models). */
const char *tu_chips_dir(void);
/* Loads chip `name` with overrides; fails the test with the loader's message. */
struct chip;
void tu_load_chip(const char *name, const char *const *sets, int n_sets, struct chip *out);

/* The stack chip c runs under: `name`, or c's default when NULL; fails
 * the test with the loader's message. */
struct stack;
void tu_load_stack(const char *name, const struct chip *c, struct stack *out);
/* c's default stack, loaded once per test process and kept: results that
 * point at it stay valid for the whole test. */
const struct stack *tu_default_stack(const struct chip *c);

/* A number of a chip or stack dump has a range ("[lo, hi]", " or 0") and
 * lies within it; other values pass. */
struct ini_value;
void tu_expect_in_range(const struct ini_value *v);
/* tu_expect_in_range on every value of every chip (stacks: every stack)
 * under tu_chips_dir(); returns how many files. */
int tu_expect_files_in_range(bool stacks);

/* Attribute setters for the op added last. */
void tu_attr_int(tpusim_graph *g, const char *name, int64_t v);
void tu_attr_ints(tpusim_graph *g, const char *name, size_t n, const int64_t *v);
void tu_attr_float(tpusim_graph *g, const char *name, double v);
void tu_attr_str(tpusim_graph *g, const char *name, const char *v);
/* A k x k convolution "inputs" -> out, stride 1, padded to keep the
 * spatial size (pads k / 2): the layer most engine tests build. */
void tu_conv_same(tpusim_graph *g, const char *name, const char *inputs, const char *out,
                  int64_t k);
/* An int64 constant of any rank (tu_ints makes 1-D ones); dims may be
 * NULL for rank 0. */
void tu_int_const(tpusim_graph *g, const char *name, int rank, const int64_t *dims,
                  const int64_t *values);
/* The tensor must hold known values, exactly these integers. */
void tu_expect_ivals(tpusim_graph *g, const char *name, size_t n, const int64_t *want);
/* tu_models_dir()/onnx/rel, in storage the next call reuses. */
const char *tu_model_path(const char *rel);
/* tu_models_dir()/tflite/rel, in storage the next call reuses. */
const char *tu_tflite_path(const char *rel);
/* The whole of model file tu_model_path(rel); malloc'ed, the caller frees. */
unsigned char *tu_read_model(const char *rel, size_t *size);
/* The whole of a file; malloc'ed, the caller frees. */
unsigned char *tu_read_file(const char *path, size_t *size);

#define TU_DIMS(...) ((const int64_t[]){__VA_ARGS__})

#endif
