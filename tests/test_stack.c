/*
 * test_stack.c — stack files: every shipped stack loads and every chip's
 * default stack targets it; malformed files and overrides are refused
 * with file, line and key; the layout, fusion, launch and host-CPU rules
 * of stack.h give the values worked out by hand here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chip.h"
#include "stack.h"
#include "suites.h"
#include "testutil.h"

static struct stack load_ok(const char *name, const char *const *ov, int n_ov)
{
    struct stack s;
    char err[1024];
    int rc = stack_load(tu_chips_dir(), name, ov, n_ov, &s, err, sizeof err);
    ck_assert_msg(rc == TPUSIM_OK, "stack %s: %s", name, err);
    return s;
}

/* ---- the shipped stacks ---- */

START_TEST(list_finds_the_five_stacks_and_each_loads)
{
    char **names;
    int n;
    ck_assert_int_eq(stack_list(tu_chips_dir(), &names, &n), TPUSIM_OK);
    const char *want[] = {"paddle-inference", "pytorch-eager", "tensorrt", "tflite-edgetpu",
                          "xla"};
    ck_assert_int_eq(n, 5);
    for (int i = 0; i < n; i++) {
        ck_assert_str_eq(names[i], want[i]); /* sorted */
        struct stack s = load_ok(names[i], NULL, 0);
        ck_assert_str_eq(s.name, names[i]);
        ck_assert(s.targets.kinds || s.targets.n_chips);
    }
    ini_free_names(names, n);
}
END_TEST

START_TEST(every_chip_default_stack_targets_it)
{
    const struct {
        const char *chip, *stack;
    } want[] = {{"tpu_v2", "xla"}, {"tpu_v3", "xla"}, {"tpu_v4i", "xla"},
                {"gpu_v100", "tensorrt"}, {"edgetpu", "tflite-edgetpu"}};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        struct chip c;
        tu_load_chip(want[i].chip, NULL, 0, &c);
        ck_assert_str_eq(c.default_stack, want[i].stack);
        struct stack s;
        tu_load_stack(NULL, &c, &s);
        ck_assert_str_eq(s.name, want[i].stack);
    }
}
END_TEST

START_TEST(a_stack_on_a_chip_it_does_not_target_is_an_error)
{
    struct chip tpu, gpu, edge;
    tu_load_chip("tpu_v3", NULL, 0, &tpu);
    tu_load_chip("gpu_v100", NULL, 0, &gpu);
    tu_load_chip("edgetpu", NULL, 0, &edge);
    const struct {
        const struct chip *c;
        const char *stack;
    } bad[] = {{&tpu, "pytorch-eager"}, {&tpu, "tensorrt"}, {&tpu, "tflite-edgetpu"},
               {&gpu, "xla"}, {&gpu, "tflite-edgetpu"}, {&edge, "paddle-inference"}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct stack s;
        char err[1024], want[128];
        int rc = stack_resolve(tu_chips_dir(), bad[i].c, bad[i].stack, NULL, 0, &s, err,
                               sizeof err);
        ck_assert_int_eq(rc, TPUSIM_ERR_ARG);
        snprintf(want, sizeof want, "stack '%s' does not run on chip '%s'", bad[i].stack,
                 bad[i].c->name);
        ck_assert_msg(strstr(err, want) && strstr(err, "stack.targets"), "%s", err);
    }
    /* The Edge TPU is a systolic array but only tflite-edgetpu names it;
     * xla targets every systolic chip, so it runs there (a what-if). */
    struct stack s;
    tu_load_stack("xla", &edge, &s);
    tu_load_stack("pytorch-eager", &gpu, &s);
}
END_TEST

START_TEST(unknown_stack_names_lists_available)
{
    struct chip c;
    tu_load_chip("tpu_v3", NULL, 0, &c);
    struct stack s;
    char err[1024];
    ck_assert_int_eq(stack_resolve(tu_chips_dir(), &c, "xla2", NULL, 0, &s, err, sizeof err),
                     TPUSIM_ERR_ARG);
    ck_assert_msg(strstr(err, "unknown stack 'xla2'") && strstr(err, "tensorrt") &&
                      strstr(err, "pytorch-eager"),
                  "%s", err);
    /* A chip naming a stack that does not exist: the chip file's key is named. */
    const char *ov[] = {"compiler.default_stack=nope"};
    tu_load_chip("tpu_v3", ov, 1, &c);
    ck_assert_int_eq(stack_resolve(tu_chips_dir(), &c, NULL, NULL, 0, &s, err, sizeof err),
                     TPUSIM_ERR_ARG);
    ck_assert_msg(strstr(err, "compiler.default_stack") && strstr(err, "unknown stack 'nope'"),
                  "%s", err);
}
END_TEST

/* ---- error cases on small temporary stack files ---- */

/* A complete, valid stack file; tests edit one line of it. */
static const char *const BASE[] = {
    "[stack]",                                                     /* 1 */
    "targets = systolic ; ASSUMED: test",                          /* 2 */
    "[fusion]",                                                    /* 3 */
    "into_matrix = BatchNormalization, Add, Relu ; ASSUMED: test", /* 4 */
    "into_pointwise = all ; ASSUMED: test",                        /* 5 */
    "into_vector = none ; ASSUMED: test",                          /* 6 */
    "[placement]",                                                 /* 7 */
    "depthwise_on = vpu ; ASSUMED: test",                          /* 8 */
    "host_ops = Exp, Log ; ASSUMED: test",                         /* 9 */
    "host_fallback = op ; ASSUMED: test",                          /* 10 */
    "host_cpu_gflops = 10 ; ASSUMED: test",                        /* 11 */
    "; source: the line above a key counts as its note",           /* 12 */
    "host_cpu_gbps = 5",                                           /* 13 */
    "[overhead]",                                                  /* 14 */
    "dispatch_us_per_kernel = 10 ; ASSUMED: test",                 /* 15 */
    "gap_us_per_kernel = 3 ; ASSUMED: test",                       /* 16 */
    "invoke_us_per_inference = 6 ; ASSUMED: test",                 /* 17 */
    "[layout]",                                                    /* 18 */
    "order = channels_last ; ASSUMED: test",                       /* 19 */
    "tile_second_minor_elems = 8 ; ASSUMED: test",                 /* 20 */
    "tile_minor_32bit_elems = 128 ; ASSUMED: test",                /* 21 */
    "tile_minor_16bit_elems = 128 ; ASSUMED: test",                /* 22 */
    "tile_minor_8bit_elems = 128 ; ASSUMED: test",                 /* 23 */
};
#define N_BASE ((int)(sizeof BASE / sizeof BASE[0]))

struct tmp_stack {
    char dir[64];
    char path[128];
};

/* Writes BASE with line `replace` (1-based; 0: none) replaced by `with`
 * (NULL: line dropped) and `extra` appended into /tmp/.../stack.ini. */
static void write_stack(struct tmp_stack *t, int replace, const char *with, const char *extra)
{
    snprintf(t->dir, sizeof t->dir, "/tmp/tpusim_stack_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(t->dir));
    snprintf(t->path, sizeof t->path, "%s/stack.ini", t->dir);
    FILE *f = fopen(t->path, "w");
    ck_assert_ptr_nonnull(f);
    for (int i = 0; i < N_BASE; i++) {
        if (i + 1 != replace)
            fprintf(f, "%s\n", BASE[i]);
        else if (with)
            fprintf(f, "%s\n", with);
    }
    if (extra)
        fprintf(f, "%s\n", extra);
    fclose(f);
}

static void remove_stack(struct tmp_stack *t)
{
    unlink(t->path);
    rmdir(t->dir);
}

/* Loading the file (with overrides) must fail with `code` and a message
 * holding both needles (n2 may be NULL). */
static void expect_fail_ov(struct tmp_stack *t, const char *const *ov, int n_ov, int code,
                           const char *n1, const char *n2)
{
    struct stack s;
    char err[1024];
    int rc = stack_load(NULL, t->path, ov, n_ov, &s, err, sizeof err);
    remove_stack(t);
    ck_assert_msg(rc == code, "rc %d, want %d: %s", rc, code, err);
    ck_assert_msg(strstr(err, n1), "message '%s' lacks '%s'", err, n1);
    if (n2)
        ck_assert_msg(strstr(err, n2), "message '%s' lacks '%s'", err, n2);
    ck_assert_int_eq(s.tile_minor_8bit_elems, 0); /* out is zeroed on error */
}

static void expect_fail(struct tmp_stack *t, int code, const char *n1, const char *n2)
{
    expect_fail_ov(t, NULL, 0, code, n1, n2);
}

START_TEST(base_test_file_loads_with_every_value)
{
    struct tmp_stack t;
    write_stack(&t, 0, NULL, NULL);
    struct stack s;
    char err[1024];
    int rc = stack_load(NULL, t.path, NULL, 0, &s, err, sizeof err);
    remove_stack(&t);
    ck_assert_msg(rc == 0, "%s", err);
    ck_assert_str_eq(s.name, "stack"); /* from the file name */
    ck_assert_uint_eq(s.targets.kinds, MATRIX_SYSTOLIC);
    ck_assert_int_eq(s.targets.n_chips, 0);
    const struct op_set *m = &s.fuse[FUSE_INTO_MATRIX];
    ck_assert(!m->all && m->op[OP_BATCH_NORM] && m->op[OP_ADD] && m->op[OP_RELU]);
    int listed = 0;
    for (int i = 0; i < OP_COUNT; i++)
        listed += m->op[i] + s.host_ops.op[i];
    ck_assert_int_eq(listed, 5); /* three fusible ops, two host ops */
    ck_assert(s.fuse[FUSE_INTO_POINTWISE].all);
    ck_assert(!s.fuse[FUSE_INTO_VECTOR].all && !s.fuse[FUSE_INTO_VECTOR].op[OP_RELU]);
    ck_assert(s.host_ops.op[OP_EXP] && s.host_ops.op[OP_LOG] && !s.host_ops.all);
    ck_assert_int_eq(s.host_fallback, HOST_FALLBACK_OP);
    ck_assert_int_eq(s.depthwise_on, DEPTHWISE_ON_VPU);
    ck_assert_double_eq(s.host_cpu_gflops, 10);
    ck_assert_double_eq(s.host_cpu_gbps, 5);
    ck_assert_double_eq(s.dispatch_us_per_kernel, 10);
    ck_assert_double_eq(s.gap_us_per_kernel, 3);
    ck_assert_double_eq(s.invoke_us_per_inference, 6);
    ck_assert_int_eq(s.layout_order, LAYOUT_CHANNELS_LAST);
    ck_assert_int_eq(s.tile_second_minor_elems, 8);
    ck_assert_int_eq(s.tile_minor_16bit_elems, 128);
}
END_TEST

START_TEST(unknown_key_names_file_line_and_key)
{
    struct tmp_stack t;
    write_stack(&t, 16, "gap_us = 3 ; ASSUMED: typo", NULL);
    char want[256];
    snprintf(want, sizeof want, "%s:16:", t.path);
    expect_fail(&t, TPUSIM_ERR_PARSE, want, "overhead.gap_us: unknown key (keys of [overhead]");
}
END_TEST

START_TEST(missing_key_names_key_and_file)
{
    struct tmp_stack t;
    write_stack(&t, 17, NULL, NULL);
    char want[256];
    snprintf(want, sizeof want, "%s: overhead.invoke_us_per_inference: missing key", t.path);
    expect_fail(&t, TPUSIM_ERR_PARSE, want, NULL);
}
END_TEST

START_TEST(bad_values_are_refused_with_line_and_key)
{
    struct tmp_stack t;
    write_stack(&t, 15, "dispatch_us_per_kernel = 10us ; ASSUMED: test", NULL);
    expect_fail(&t, TPUSIM_ERR_PARSE,
                ":15: overhead.dispatch_us_per_kernel: malformed number '10us'", NULL);
    write_stack(&t, 16, "gap_us_per_kernel = -1 ; ASSUMED: test", NULL);
    expect_fail(&t, TPUSIM_ERR_PARSE, ":16: overhead.gap_us_per_kernel: must be >= 0", NULL);
    write_stack(&t, 20, "tile_second_minor_elems = 0 ; ASSUMED: test", NULL);
    expect_fail(&t, TPUSIM_ERR_PARSE, ":20: layout.tile_second_minor_elems: must be > 0", NULL);
    write_stack(&t, 19, "order = nchw ; ASSUMED: test", NULL);
    expect_fail(&t, TPUSIM_ERR_PARSE,
                ":19: layout.order: expected as_given or channels_last, got 'nchw'", NULL);
    write_stack(&t, 10, "host_fallback = all ; ASSUMED: test", NULL);
    expect_fail(&t, TPUSIM_ERR_PARSE, ":10: placement.host_fallback: expected op or rest_of_graph",
                NULL);
}
END_TEST

START_TEST(bad_lists_are_refused)
{
    struct tmp_stack t;
    write_stack(&t, 4, "into_matrix = Conv, Relu ; ASSUMED: test", NULL);
    expect_fail(&t, TPUSIM_ERR_PARSE, ":4: fusion.into_matrix: 'Conv' cannot join", NULL);
    write_stack(&t, 9, "host_ops = Exp, Relux ; ASSUMED: test", NULL);
    expect_fail(&t, TPUSIM_ERR_PARSE, ":9: placement.host_ops: 'Relux' is not an ONNX op type",
                NULL);
    write_stack(&t, 9, "host_ops = Exp,, Log ; ASSUMED: test", NULL);
    expect_fail(&t, TPUSIM_ERR_PARSE, ":9: placement.host_ops: empty item", NULL);
    write_stack(&t, 2, "targets = ; ASSUMED: test", NULL);
    expect_fail(&t, TPUSIM_ERR_PARSE, ":2: stack.targets: empty item", NULL);
}
END_TEST

START_TEST(host_ops_need_a_host_cpu)
{
    struct tmp_stack t;
    write_stack(&t, 11, "host_cpu_gflops = 0 ; ASSUMED: test", NULL);
    expect_fail(&t, TPUSIM_ERR_PARSE, ":11: placement.host_cpu_gflops", "must be > 0");
    /* without host ops a zero rate is fine */
    write_stack(&t, 9, "host_ops = none ; ASSUMED: test", NULL);
    const char *ov[] = {"placement.host_cpu_gflops=0"};
    struct stack s;
    char err[1024];
    int rc = stack_load(NULL, t.path, ov, 1, &s, err, sizeof err);
    remove_stack(&t);
    ck_assert_msg(rc == 0, "%s", err);
}
END_TEST

START_TEST(duplicate_key_is_an_error)
{
    struct tmp_stack t;
    write_stack(&t, 0, NULL, "[overhead]\ngap_us_per_kernel = 1 ; ASSUMED: again");
    expect_fail(&t, TPUSIM_ERR_PARSE, ":25: overhead.gap_us_per_kernel: duplicate key",
                "first set at line 16");
}
END_TEST

START_TEST(missing_note_is_an_error)
{
    struct tmp_stack t;
    write_stack(&t, 12, "", NULL); /* the note above host_cpu_gbps becomes a blank line */
    expect_fail(&t, TPUSIM_ERR_PARSE, ":13: placement.host_cpu_gbps: no source", NULL);
}
END_TEST

START_TEST(a_list_continues_on_indented_lines_only)
{
    struct tmp_stack t;
    /* the note belongs on the key's line or above it, not on a continuation */
    write_stack(&t, 9, "host_ops = Exp,\n  Log,\n  Sqrt ; ASSUMED: test", NULL);
    expect_fail(&t, TPUSIM_ERR_PARSE, ":9: placement.host_ops: no source", NULL);
    write_stack(&t, 9, "; ASSUMED: test\nhost_ops = Exp,\n  Log,\n  Sqrt", NULL);
    struct stack s;
    char err[1024];
    int rc = stack_load(NULL, t.path, NULL, 0, &s, err, sizeof err);
    remove_stack(&t);
    ck_assert_msg(rc == 0, "%s", err);
    ck_assert(s.host_ops.op[OP_EXP] && s.host_ops.op[OP_LOG] && s.host_ops.op[OP_SQRT]);
    /* a continuation without the comma joins two names into one item */
    write_stack(&t, 9, "; ASSUMED: test\nhost_ops = Exp\n  Log", NULL);
    expect_fail(&t, TPUSIM_ERR_PARSE, "'Exp Log' is not an ONNX op type", NULL);
    /* a value that is not a list cannot continue */
    write_stack(&t, 16, "gap_us_per_kernel = 3 ; ASSUMED: test\n  4", NULL);
    expect_fail(&t, TPUSIM_ERR_PARSE, ":17: indented line", NULL);
}
END_TEST

START_TEST(overrides_replace_values_and_are_checked)
{
    const char *ov[] = {"overhead.gap_us_per_kernel=1", "fusion.into_matrix=none"};
    struct stack s = load_ok("tensorrt", ov, 2);
    ck_assert_double_eq(s.gap_us_per_kernel, 1);
    ck_assert(!s.fuse[FUSE_INTO_MATRIX].all && !s.fuse[FUSE_INTO_MATRIX].op[OP_RELU]);
    struct ini_value *v;
    int n;
    char err[1024];
    ck_assert_int_eq(stack_dump(tu_chips_dir(), "tensorrt", ov, 2, &v, &n, NULL, err, sizeof err),
                     0);
    int found = 0;
    for (int i = 0; i < n; i++)
        if (strcmp(v[i].key, "overhead.gap_us_per_kernel") == 0) {
            ck_assert_str_eq(v[i].value, "1");
            ck_assert_str_eq(v[i].note, "override (--stack-set)");
            ck_assert_str_eq(v[i].unit, "µs/kernel");
            found = 1;
        }
    free(v);
    ck_assert(found);
    const char *unknown[] = {"overhead.gap=1"};
    ck_assert_int_eq(stack_load(tu_chips_dir(), "xla", unknown, 1, &s, err, sizeof err),
                     TPUSIM_ERR_ARG);
    ck_assert_msg(strstr(err, "--stack-set 'overhead.gap=1': overhead.gap: unknown key"), "%s",
                  err);
    const char *bad[] = {"layout.order=nchw"};
    ck_assert_int_eq(stack_load(tu_chips_dir(), "xla", bad, 1, &s, err, sizeof err),
                     TPUSIM_ERR_PARSE);
    ck_assert_msg(strstr(err, "--stack-set layout.order=nchw: layout.order: expected"), "%s",
                  err);
}
END_TEST

START_TEST(dump_lists_every_key_with_unit_and_note_in_file_order)
{
    struct ini_value *v;
    int n;
    char err[1024];
    ck_assert_int_eq(stack_dump(tu_chips_dir(), "xla", NULL, 0, &v, &n, NULL, err, sizeof err),
                     0);
    ck_assert_int_eq(n, 17);
    int prev = 0;
    for (int i = 0; i < n; i++) {
        ck_assert_msg(v[i].line > prev, "%s out of file order", v[i].key);
        prev = v[i].line;
        ck_assert_msg(strncmp(v[i].note, "source:", 7) == 0 || strncmp(v[i].note, "ASSUMED:", 8) == 0,
                      "%s: note '%s'", v[i].key, v[i].note);
        if (strcmp(v[i].key, "placement.host_cpu_gflops") == 0)
            ck_assert_str_eq(v[i].unit, "GFLOP/s");
        if (strcmp(v[i].key, "overhead.invoke_us_per_inference") == 0)
            ck_assert_str_eq(v[i].unit, "µs/inference");
        if (strcmp(v[i].key, "layout.tile_minor_16bit_elems") == 0)
            ck_assert_str_eq(v[i].unit, "elements");
        if (strcmp(v[i].key, "fusion.into_matrix") == 0)
            ck_assert_str_eq(v[i].unit, "list");
    }
    free(v);
}
END_TEST

/* ---- the rules ---- */

START_TEST(padding_pads_the_two_minor_dims_to_the_tile)
{
    struct stack xla = load_ok("xla", NULL, 0);
    /* [1,56,56,24] NHWC under 8x128 tiles: channels 24 -> 128 lanes, W 56
     * -> 56 sublanes (already a multiple of 8): 1 x 56 x 56 x 128. The
     * ONNX graph gives it NCHW, [1,24,56,56]; channels_last puts C minor. */
    ck_assert_uint_eq(stack_padded_elems(&xla, 4, TU_DIMS(1, 24, 56, 56), TPUSIM_DT_BFLOAT16),
                      UINT64_C(1) * 56 * 56 * 128);
    /* the same tensor given NHWC with order as_given pads the same way */
    const char *as_given[] = {"layout.order=as_given"};
    struct stack xla_nhwc = load_ok("xla", as_given, 1);
    ck_assert_uint_eq(stack_padded_elems(&xla_nhwc, 4, TU_DIMS(1, 56, 56, 24), TPUSIM_DT_BFLOAT16),
                      UINT64_C(401408));
    /* the stem input [1,3,224,224]: 3 channels -> 128, 224 rows stay */
    ck_assert_uint_eq(stack_padded_elems(&xla, 4, TU_DIMS(1, 3, 224, 224), TPUSIM_DT_FLOAT32),
                      UINT64_C(224) * 224 * 128);
    /* W = 7 pads to 8 sublanes: [1,1280,7,7] -> 1 x 7 x 8 x 1280 */
    ck_assert_uint_eq(stack_padded_elems(&xla, 4, TU_DIMS(1, 1280, 7, 7), TPUSIM_DT_INT8),
                      UINT64_C(7) * 8 * 1280);
    /* rank 2 (Gemm output [1,1000]): 1 -> 8 rows, 1000 -> 1024 lanes */
    ck_assert_uint_eq(stack_padded_elems(&xla, 2, TU_DIMS(1, 1000), TPUSIM_DT_BFLOAT16), 8 * 1024);
    /* rank 1 pads its one dim as minor; rank 0 is one element */
    ck_assert_uint_eq(stack_padded_elems(&xla, 1, TU_DIMS(1000), TPUSIM_DT_BFLOAT16), 1024);
    ck_assert_uint_eq(stack_padded_elems(&xla, 0, NULL, TPUSIM_DT_BFLOAT16), 1);
    /* TensorRT pads channels to the tensor-core alignment by element size:
     * fp16 3 -> 8, int8 3 -> 32, fp32 (TF32) 3 -> 4; rows are not padded */
    struct stack trt = load_ok("tensorrt", NULL, 0);
    ck_assert_uint_eq(stack_padded_elems(&trt, 4, TU_DIMS(1, 3, 224, 224), TPUSIM_DT_FLOAT16),
                      UINT64_C(224) * 224 * 8);
    ck_assert_uint_eq(stack_padded_elems(&trt, 4, TU_DIMS(1, 3, 224, 224), TPUSIM_DT_INT8),
                      UINT64_C(224) * 224 * 32);
    ck_assert_uint_eq(stack_padded_elems(&trt, 4, TU_DIMS(1, 3, 224, 224), TPUSIM_DT_FLOAT32),
                      UINT64_C(224) * 224 * 4);
    ck_assert_uint_eq(stack_padded_elems(&trt, 4, TU_DIMS(2, 64, 56, 56), TPUSIM_DT_FLOAT16),
                      UINT64_C(2) * 64 * 56 * 56); /* 64 is a multiple of 8 */
    /* PyTorch eager stores contiguous NCHW: no padding */
    struct stack eager = load_ok("pytorch-eager", NULL, 0);
    ck_assert_uint_eq(stack_padded_elems(&eager, 4, TU_DIMS(1, 3, 224, 224), TPUSIM_DT_FLOAT16),
                      UINT64_C(3) * 224 * 224);
}
END_TEST

START_TEST(fusion_table_follows_each_stack)
{
    struct stack xla = load_ok("xla", NULL, 0), trt = load_ok("tensorrt", NULL, 0),
                 eager = load_ok("pytorch-eager", NULL, 0),
                 paddle = load_ok("paddle-inference", NULL, 0);
    int st = -1;
    /* XLA: anything element-wise joins anything, in any order */
    ck_assert(stack_fuses(&xla, OP_CONV, OP_RELU, 1, &st));
    ck_assert(stack_fuses(&xla, OP_CONV, OP_ADD, 2, &st));
    ck_assert(stack_fuses(&xla, OP_MAX_POOL, OP_SIGMOID, 1, &st));
    ck_assert(!stack_fuses(&xla, OP_CONV, OP_MAX_POOL, 1, &st)); /* pooling is no epilogue */
    ck_assert(!stack_fuses(&xla, OP_RESHAPE, OP_RELU, 1, &st));  /* views host nothing */
    /* TensorRT: act(conv + z + bias): BN, then the sum, then ReLU */
    st = -1;
    ck_assert(stack_fuses(&trt, OP_CONV, OP_BATCH_NORM, 1, &st));
    ck_assert(stack_fuses(&trt, OP_CONV, OP_ADD, 2, &st));
    ck_assert(stack_fuses(&trt, OP_CONV, OP_RELU, 1, &st));
    ck_assert(!stack_fuses(&trt, OP_CONV, OP_CLIP, 1, &st)); /* one activation */
    st = -1;
    ck_assert(stack_fuses(&trt, OP_CONV, OP_RELU, 1, &st));
    ck_assert(!stack_fuses(&trt, OP_CONV, OP_ADD, 2, &st)); /* a sum after the activation */
    st = -1;
    ck_assert(!stack_fuses(&trt, OP_CONV, OP_SIGMOID, 1, &st)); /* only ReLU and Clip */
    ck_assert(!stack_fuses(&trt, OP_CONV, OP_MUL, 2, &st));     /* Mul is no sum */
    ck_assert(stack_fuses(&trt, OP_SIGMOID, OP_MUL, 2, &st));   /* PointWise fusion */
    ck_assert(stack_fuses(&trt, OP_BATCH_NORM, OP_RELU, 1, &st)); /* Scale and Activation */
    ck_assert(!stack_fuses(&trt, OP_MAX_POOL, OP_RELU, 1, &st));
    /* Paddle: conv + BN + residual add + ReLU, but no ReLU6 (Clip); silu only */
    st = -1;
    ck_assert(stack_fuses(&paddle, OP_CONV, OP_BATCH_NORM, 1, &st));
    ck_assert(!stack_fuses(&paddle, OP_CONV, OP_CLIP, 1, &st));
    ck_assert(stack_fuses(&paddle, OP_SIGMOID, OP_MUL, 2, &st));
    ck_assert(!stack_fuses(&paddle, OP_ADD, OP_RELU, 1, &st));
    /* PyTorch eager: nothing, BatchNorm included; no-ops are dropped anywhere */
    st = -1;
    ck_assert(!stack_fuses(&eager, OP_CONV, OP_BATCH_NORM, 1, &st));
    ck_assert(!stack_fuses(&eager, OP_CONV, OP_RELU, 1, &st));
    ck_assert(!stack_fuses(&eager, OP_RELU, OP_ADD, 2, &st));
    ck_assert(stack_fuses(&eager, OP_CONV, OP_IDENTITY, 1, &st));
}
END_TEST

START_TEST(a_kernel_takes_the_longer_of_work_plus_gap_and_dispatch)
{
    struct tmp_stack t;
    write_stack(&t, 0, NULL, NULL);
    struct stack s;
    char err[1024];
    int rc = stack_load(NULL, t.path, NULL, 0, &s, err, sizeof err);
    remove_stack(&t);
    ck_assert_msg(rc == 0, "%s", err);
    /* At 1000 MHz: gap 3 us = 3000 cycles, dispatch 10 us = 10000. */
    ck_assert_uint_eq(stack_launch_cycles(&s, 1000, 2000, 0), 8000);   /* 10000 - 2000 */
    ck_assert_uint_eq(stack_launch_cycles(&s, 1000, 7000, 0), 3000);   /* 7000 + 3000 = 10000 */
    ck_assert_uint_eq(stack_launch_cycles(&s, 1000, 20000, 0), 3000);  /* the host keeps up */
    /* --framework-overhead-us 5 adds 5000 cycles of host time per kernel */
    ck_assert_uint_eq(stack_launch_cycles(&s, 1000, 20000, 5), 3000);  /* still hidden */
    ck_assert_uint_eq(stack_launch_cycles(&s, 1000, 11000, 5), 4000);  /* 15000 - 11000 */
    /* 6 us per inference at 1530 MHz = 9180 cycles */
    ck_assert_uint_eq(stack_invocation_cycles(&s, 1530), 9180);
    /* host CPU: 1e6 FLOPs at 10 GFLOP/s = 100 us; 1e6 bytes at 5 GB/s =
     * 200 us: the slower, 200 us x 500 MHz = 100000 cycles */
    ck_assert_uint_eq(stack_host_cycles(&s, 500, 1000000, 1000000), 100000);
    ck_assert_uint_eq(stack_host_cycles(&s, 500, 8000000, 1000000), 400000); /* 800 us */
    /* Exp runs on the host; with fallback "op" the next op does not */
    ck_assert(stack_on_host(&s, OP_EXP, false));
    ck_assert(!stack_on_host(&s, OP_RELU, true));
    s.host_fallback = HOST_FALLBACK_REST_OF_GRAPH;
    ck_assert(stack_on_host(&s, OP_RELU, true));
    ck_assert(!stack_on_host(&s, OP_RELU, false));
}
END_TEST

Suite *stack_suite(void)
{
    Suite *s = suite_create("stack");
    TCase *tc = tcase_create("stacks");
    tcase_add_test(tc, list_finds_the_five_stacks_and_each_loads);
    tcase_add_test(tc, every_chip_default_stack_targets_it);
    tcase_add_test(tc, a_stack_on_a_chip_it_does_not_target_is_an_error);
    tcase_add_test(tc, unknown_stack_names_lists_available);
    tcase_add_test(tc, overrides_replace_values_and_are_checked);
    tcase_add_test(tc, dump_lists_every_key_with_unit_and_note_in_file_order);
    tcase_add_test(tc, padding_pads_the_two_minor_dims_to_the_tile);
    tcase_add_test(tc, fusion_table_follows_each_stack);
    suite_add_tcase(s, tc);
    TCase *bad = tcase_create("bad_files");
    tcase_add_test(bad, base_test_file_loads_with_every_value);
    tcase_add_test(bad, unknown_key_names_file_line_and_key);
    tcase_add_test(bad, missing_key_names_key_and_file);
    tcase_add_test(bad, bad_values_are_refused_with_line_and_key);
    tcase_add_test(bad, bad_lists_are_refused);
    tcase_add_test(bad, host_ops_need_a_host_cpu);
    tcase_add_test(bad, duplicate_key_is_an_error);
    tcase_add_test(bad, missing_note_is_an_error);
    tcase_add_test(bad, a_list_continues_on_indented_lines_only);
    tcase_add_test(bad, a_kernel_takes_the_longer_of_work_plus_gap_and_dispatch);
    suite_add_tcase(s, bad);
    return s;
}
