/*
 * test_stack.c — stack files: every shipped stack loads and every chip's
 * default stack targets it; malformed files and overrides are refused
 * with file, line and key; the layout, fusion, launch and host-CPU rules
 * of stack.h give the values worked out by hand here.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chip.h"
#include "engine.h"
#include "sched_event.h"
#include "stack.h"
#include "suites.h"
#include "testutil.h"
#include "zoo.h"

static struct stack load_ok(const char *name, const char *const *ov, int n_ov)
{
    struct stack s;
    char err[1024];
    int rc = stack_load(tu_chips_dir(), name, ov, n_ov, &s, err, sizeof err);
    ck_assert_msg(rc == TPUSIM_OK, "stack %s: %s", name, err);
    return s;
}

/* ---- the shipped stacks ---- */

START_TEST(list_finds_the_six_stacks_and_each_loads)
{
    char **names;
    int n;
    ck_assert_int_eq(stack_list(tu_chips_dir(), &names, &n), TPUSIM_OK);
    const char *want[] = {"cudnn-direct", "paddle-inference", "pytorch-eager", "tensorrt",
                          "tflite-edgetpu", "xla"};
    ck_assert_int_eq(n, 6);
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
    "into_matrix_operand = Mul ; ASSUMED: test",                   /* 7 */
    "reduce_with_producer = false ; ASSUMED: test",                /* 8 */
    "[placement]",                                                 /* 9 */
    "depthwise_on = vpu ; ASSUMED: test",                          /* 10 */
    "host_ops = Exp, Log ; ASSUMED: test",                         /* 11 */
    "host_fallback = op ; ASSUMED: test",                          /* 12 */
    "host_cpu_gflops = 10 ; ASSUMED: test",                        /* 13 */
    "; source: the line above a key counts as its note",           /* 14 */
    "host_cpu_gbps = 5",                                           /* 15 */
    "device_inner_dims = 0 ; ASSUMED: test",                        /* 16 */
    "[overhead]",                                                  /* 17 */
    "dispatch_us_per_kernel = 10 ; ASSUMED: test",                 /* 18 */
    "gap_us_per_kernel = 3 ; ASSUMED: test",                       /* 19 */
    "invoke_us_per_inference = 6 ; ASSUMED: test",                 /* 20 */
    "instruction_bytes_per_kernel = 0 ; ASSUMED: test",            /* 21 */
    "library_setup_per_call = true ; ASSUMED: test",               /* 22 */
    "[layout]",                                                    /* 23 */
    "order = channels_last ; ASSUMED: test",                       /* 24 */
    "tile_second_minor_elems = 8 ; ASSUMED: test",                 /* 25 */
    "tile_minor_32bit_elems = 128 ; ASSUMED: test",                /* 26 */
    "tile_minor_16bit_elems = 128 ; ASSUMED: test",                /* 27 */
    "tile_minor_8bit_elems = 128 ; ASSUMED: test",                 /* 28 */
    "[kernels]",                                                   /* 29 */
    "strided_conv_split_k = true ; ASSUMED: test",                 /* 30 */
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
    ck_assert(!s.fuse_operand.all && s.fuse_operand.op[OP_MUL] && !s.fuse_operand.op[OP_ADD]);
    ck_assert(!s.reduce_with_producer);
    ck_assert(s.host_ops.op[OP_EXP] && s.host_ops.op[OP_LOG] && !s.host_ops.all);
    ck_assert_int_eq(s.host_fallback, HOST_FALLBACK_OP);
    ck_assert_int_eq(s.depthwise_on, DEPTHWISE_ON_VPU);
    ck_assert_double_eq(s.host_cpu_gflops, 10);
    ck_assert_double_eq(s.host_cpu_gbps, 5);
    ck_assert_double_eq(s.dispatch_us_per_kernel, 10);
    ck_assert_double_eq(s.gap_us_per_kernel, 3);
    ck_assert_double_eq(s.invoke_us_per_inference, 6);
    ck_assert(s.library_setup_per_call);
    ck_assert_int_eq(s.layout_order, LAYOUT_CHANNELS_LAST);
    ck_assert_int_eq(s.tile_second_minor_elems, 8);
    ck_assert_int_eq(s.tile_minor_16bit_elems, 128);
}
END_TEST

START_TEST(unknown_key_names_file_line_and_key)
{
    struct tmp_stack t;
    write_stack(&t, 19, "gap_us = 3 ; ASSUMED: typo", NULL);
    char want[256];
    snprintf(want, sizeof want, "%s:19:", t.path);
    expect_fail(&t, TPUSIM_ERR_PARSE, want, "overhead.gap_us: unknown key (keys of [overhead]");
}
END_TEST

START_TEST(missing_key_names_key_and_file)
{
    struct tmp_stack t;
    write_stack(&t, 20, NULL, NULL);
    char want[256];
    snprintf(want, sizeof want, "%s: overhead.invoke_us_per_inference: missing key", t.path);
    expect_fail(&t, TPUSIM_ERR_PARSE, want, NULL);
    /* the fusion keys are required like every other */
    write_stack(&t, 8, NULL, NULL);
    snprintf(want, sizeof want, "%s: fusion.reduce_with_producer: missing key", t.path);
    expect_fail(&t, TPUSIM_ERR_PARSE, want, NULL);
    write_stack(&t, 7, NULL, NULL);
    snprintf(want, sizeof want, "%s: fusion.into_matrix_operand: missing key", t.path);
    expect_fail(&t, TPUSIM_ERR_PARSE, want, NULL);
}
END_TEST

START_TEST(every_number_of_every_stack_has_a_range_it_lies_in)
{
    ck_assert_int_ge(tu_expect_files_in_range(true), 5);
    struct stack s;
    char err[512];
    const char *slow[] = {"overhead.invoke_us_per_inference=1e8"};
    ck_assert_int_eq(stack_load(tu_chips_dir(), "xla", slow, 1, &s, err, sizeof err),
                     TPUSIM_ERR_PARSE);
    ck_assert_msg(strstr(err, "overhead.invoke_us_per_inference: 1e8 is outside [0, 1e+07]"),
                  "%s", err);
}
END_TEST

START_TEST(bad_values_are_refused_with_line_and_key)
{
    struct tmp_stack t;
    write_stack(&t, 18, "dispatch_us_per_kernel = 10us ; ASSUMED: test", NULL);
    expect_fail(&t, TPUSIM_ERR_PARSE,
                ":18: overhead.dispatch_us_per_kernel: malformed number '10us'", NULL);
    write_stack(&t, 19, "gap_us_per_kernel = -1 ; ASSUMED: test", NULL);
    expect_fail(&t, TPUSIM_ERR_PARSE, ":19: overhead.gap_us_per_kernel: -1 is outside [0, 1e+06] µs/kernel: ", NULL);
    write_stack(&t, 25, "tile_second_minor_elems = 0 ; ASSUMED: test", NULL);
    expect_fail(&t, TPUSIM_ERR_PARSE, ":25: layout.tile_second_minor_elems: 0 is outside [1, 4096]", NULL);
    write_stack(&t, 24, "order = nchw ; ASSUMED: test", NULL);
    expect_fail(&t, TPUSIM_ERR_PARSE,
                ":24: layout.order: expected as_given or channels_last or batch_feature, got 'nchw'", NULL);
    write_stack(&t, 12, "host_fallback = all ; ASSUMED: test", NULL);
    expect_fail(&t, TPUSIM_ERR_PARSE, ":12: placement.host_fallback: expected op or rest_of_graph",
                NULL);
    write_stack(&t, 8, "reduce_with_producer = yes ; ASSUMED: test", NULL);
    expect_fail(&t, TPUSIM_ERR_PARSE,
                ":8: fusion.reduce_with_producer: expected true or false, got 'yes'", NULL);
}
END_TEST

START_TEST(bad_lists_are_refused)
{
    struct tmp_stack t;
    write_stack(&t, 4, "into_matrix = Conv, Relu ; ASSUMED: test", NULL);
    expect_fail(&t, TPUSIM_ERR_PARSE, ":4: fusion.into_matrix: 'Conv' cannot join", NULL);
    write_stack(&t, 7, "into_matrix_operand = Mul, GlobalAveragePool ; ASSUMED: test", NULL);
    expect_fail(&t, TPUSIM_ERR_PARSE,
                ":7: fusion.into_matrix_operand: 'GlobalAveragePool' cannot join", NULL);
    write_stack(&t, 11, "host_ops = Exp, Relux ; ASSUMED: test", NULL);
    expect_fail(&t, TPUSIM_ERR_PARSE, ":11: placement.host_ops: 'Relux' is not an ONNX op type",
                NULL);
    write_stack(&t, 11, "host_ops = Exp,, Log ; ASSUMED: test", NULL);
    expect_fail(&t, TPUSIM_ERR_PARSE, ":11: placement.host_ops: empty item", NULL);
    write_stack(&t, 2, "targets = ; ASSUMED: test", NULL);
    expect_fail(&t, TPUSIM_ERR_PARSE, ":2: stack.targets: empty item", NULL);
}
END_TEST

START_TEST(host_ops_need_a_host_cpu)
{
    struct tmp_stack t;
    write_stack(&t, 13, "host_cpu_gflops = 0 ; ASSUMED: test", NULL);
    expect_fail(&t, TPUSIM_ERR_PARSE, ":13: placement.host_cpu_gflops", "must be > 0");
    /* without host ops a zero rate is fine */
    write_stack(&t, 11, "host_ops = none ; ASSUMED: test", NULL);
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
    expect_fail(&t, TPUSIM_ERR_PARSE, ":32: overhead.gap_us_per_kernel: duplicate key",
                "first set at line 19");
}
END_TEST

START_TEST(missing_note_is_an_error)
{
    struct tmp_stack t;
    write_stack(&t, 14, "", NULL); /* the note above host_cpu_gbps becomes a blank line */
    expect_fail(&t, TPUSIM_ERR_PARSE, ":15: placement.host_cpu_gbps: no source", NULL);
}
END_TEST

START_TEST(a_list_continues_on_indented_lines_only)
{
    struct tmp_stack t;
    /* the note belongs on the key's line or above it, not on a continuation */
    write_stack(&t, 11, "host_ops = Exp,\n  Log,\n  Sqrt ; ASSUMED: test", NULL);
    expect_fail(&t, TPUSIM_ERR_PARSE, ":11: placement.host_ops: no source", NULL);
    write_stack(&t, 11, "; ASSUMED: test\nhost_ops = Exp,\n  Log,\n  Sqrt", NULL);
    struct stack s;
    char err[1024];
    int rc = stack_load(NULL, t.path, NULL, 0, &s, err, sizeof err);
    remove_stack(&t);
    ck_assert_msg(rc == 0, "%s", err);
    ck_assert(s.host_ops.op[OP_EXP] && s.host_ops.op[OP_LOG] && s.host_ops.op[OP_SQRT]);
    /* a continuation without the comma joins two names into one item */
    write_stack(&t, 11, "; ASSUMED: test\nhost_ops = Exp\n  Log", NULL);
    expect_fail(&t, TPUSIM_ERR_PARSE, "'Exp Log' is not an ONNX op type", NULL);
    /* a value that is not a list cannot continue */
    write_stack(&t, 19, "gap_us_per_kernel = 3 ; ASSUMED: test\n  4", NULL);
    expect_fail(&t, TPUSIM_ERR_PARSE, ":20: indented line", NULL);
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
    ck_assert_msg(strstr(err, "--stack-set layout.order=nchw (over "), "%s",
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
    ck_assert_int_eq(n, 23);
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
        if (strcmp(v[i].key, "overhead.instruction_bytes_per_kernel") == 0)
            ck_assert_str_eq(v[i].unit, "bytes/kernel");
        if (strcmp(v[i].key, "overhead.library_setup_per_call") == 0)
            ck_assert_str_eq(v[i].unit, "bool");
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
    /* XLA's convolution rule (Cloud TPU guide): spatial dims major, batch
     * and feature tiled. Below a batch of 64, feature is minor (128 lanes)
     * and batch second-minor (8 sublanes): ONNX [1,24,56,56] is stored
     * 56 x 56 x 8 x 128. */
    ck_assert_uint_eq(stack_padded_elems(&xla, 4, TU_DIMS(1, 24, 56, 56), TPUSIM_DT_BFLOAT16),
                      UINT64_C(56) * 56 * 8 * 128);
    /* From a batch of 64, batch is minor (to 128) and feature second-minor
     * (to 8): [128,24,56,56] pads nothing, [100,3,224,224] pads batch to
     * 128 and the 3 channels to 8. */
    ck_assert_uint_eq(stack_padded_elems(&xla, 4, TU_DIMS(128, 24, 56, 56), TPUSIM_DT_BFLOAT16),
                      UINT64_C(128) * 24 * 56 * 56);
    ck_assert_uint_eq(stack_padded_elems(&xla, 4, TU_DIMS(100, 3, 224, 224), TPUSIM_DT_FLOAT32),
                      UINT64_C(224) * 224 * 8 * 128);
    /* channels_last (TensorRT-like NHWC): C minor, W second-minor: under
     * 8 x 128 tiles [1,24,56,56] is 1 x 56 x 56 x 128. */
    const char *nhwc[] = {"layout.order=channels_last"};
    struct stack xla_cl = load_ok("xla", nhwc, 1);
    ck_assert_uint_eq(stack_padded_elems(&xla_cl, 4, TU_DIMS(1, 24, 56, 56), TPUSIM_DT_BFLOAT16),
                      UINT64_C(1) * 56 * 56 * 128);
    /* W = 7 pads to 8 sublanes there: [1,1280,7,7] -> 1 x 7 x 8 x 1280 */
    ck_assert_uint_eq(stack_padded_elems(&xla_cl, 4, TU_DIMS(1, 1280, 7, 7), TPUSIM_DT_INT8),
                      UINT64_C(7) * 8 * 1280);
    /* the same tensor given NHWC with order as_given pads the same way */
    const char *as_given[] = {"layout.order=as_given"};
    struct stack xla_nhwc = load_ok("xla", as_given, 1);
    ck_assert_uint_eq(stack_padded_elems(&xla_nhwc, 4, TU_DIMS(1, 56, 56, 24), TPUSIM_DT_BFLOAT16),
                      UINT64_C(401408));
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
    /* Into a matrix op's operand and reductions with their producer: XLA
     * only (the README's sources); the other stacks say no. */
    struct stack edge = load_ok("tflite-edgetpu", NULL, 0);
    ck_assert(stack_fuses_operand(&xla, OP_MUL) && xla.reduce_with_producer);
    ck_assert(!stack_fuses_operand(&xla, OP_MAX_POOL)); /* no element-wise op */
    const struct stack *off[] = {&trt, &eager, &paddle, &edge};
    for (size_t i = 0; i < sizeof off / sizeof off[0]; i++)
        ck_assert_msg(!stack_fuses_operand(off[i], OP_MUL) && !off[i]->reduce_with_producer,
                      "%s", off[i]->name);
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


/* ---- the stack in a simulation ---- */

/* Simulates g on chip `chip` under stack `stack` (NULL: the chip's
 * default), with stack overrides; the stack lives in *st. */
static void sim_under(const tpusim_graph *g, const char *chip, const char *stack,
                      const char *const *ov, int n_ov, struct chip *c, struct stack *st,
                      struct sim_result *r)
{
    tu_load_chip(chip, NULL, 0, c);
    char err[1024];
    int rc = stack_resolve(tu_chips_dir(), c, stack, ov, n_ov, st, err, sizeof err);
    ck_assert_msg(rc == TPUSIM_OK, "%s", err);
    struct sim_options o = {.cores = 1, .stack = st};
    rc = simulate(g, c, &o, r, err, sizeof err);
    ck_assert_msg(rc == TPUSIM_OK, "%s on %s: %s", stack ? stack : "default", chip, err);
}

/* Rows that run as kernels: unfused, with cycles. */
static int kernels(const struct sim_result *r)
{
    int n = 0;
    for (int i = 0; i < r->n_ops; i++)
        n += r->ops[i].fused_into < 0 && r->ops[i].cycles > 0;
    return n;
}

static const struct op_result *row(const struct sim_result *r, const char *name)
{
    for (int i = 0; i < r->n_ops; i++)
        if (strcmp(r->graph->ops[r->ops[i].op]->name, name) == 0)
            return &r->ops[i];
    ck_abort_msg("no row %s", name);
    return NULL;
}

/* Conv(64 -> 64, 3x3) -> BatchNorm -> then `tail` ("relu_add": Relu then
 * Add of the input; "add_relu": Add then Relu; "swish": Sigmoid, Mul). */
static tpusim_graph *conv_graph(const char *tail)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 4, TU_DIMS(1, 64, 56, 56));
    ck_assert_int_eq(tpusim_graph_add_conv2d(g, "conv", "x", "y", 64, 3, 1, 1, 1), TPUSIM_OK);
    const char *p[] = {"s", "b", "m", "v"};
    for (int i = 0; i < 4; i++)
        tu_weight(g, p[i], 1, TU_DIMS(64));
    tu_op(g, "BatchNormalization", "bn", "y,s,b,m,v", "z");
    if (strcmp(tail, "relu_add") == 0) {
        tu_op(g, "Relu", "relu", "z", "r");
        tu_op(g, "Add", "add", "r,x", "out");
    } else if (strcmp(tail, "add_relu") == 0) {
        tu_op(g, "Add", "add", "z,x", "a");
        tu_op(g, "Relu", "relu", "a", "out");
    } else {
        tu_op(g, "Sigmoid", "sig", "z", "g");
        tu_op(g, "Mul", "mul", "z,g", "out");
    }
    tu_finalize_ok(g);
    return g;
}

/* The kernels each stack makes of the three tails, worked out from its
 * file (docs/stacks.md): XLA fuses everything into the conv; TensorRT
 * fuses in cuDNN's order act(conv + z + bias), so an Add after the ReLU is
 * a second kernel and a sigmoid is a PointWise kernel with its Mul;
 * Paddle fuses conv + BN (+ add + relu) and x * sigmoid(x) (silu);
 * PyTorch eager runs one kernel per op. */
START_TEST(each_stack_fuses_conv_bn_act_add_its_own_way)
{
    const struct {
        const char *tail, *chip, *stack;
        int kernels;
        const char *add_host; /* the row the add fused into, or NULL */
    } want[] = {
        {"relu_add", "tpu_v3", "xla", 1, "conv"},
        {"relu_add", "gpu_v100", "tensorrt", 2, NULL},
        {"relu_add", "gpu_v100", "paddle-inference", 2, NULL},
        {"relu_add", "gpu_v100", "pytorch-eager", 4, NULL},
        {"add_relu", "tpu_v3", "xla", 1, "conv"},
        {"add_relu", "gpu_v100", "tensorrt", 1, "conv"},
        {"add_relu", "gpu_v100", "paddle-inference", 1, "conv"},
        {"add_relu", "gpu_v100", "pytorch-eager", 4, NULL},
        {"swish", "tpu_v3", "xla", 1, NULL},
        {"swish", "gpu_v100", "tensorrt", 2, NULL},
        {"swish", "gpu_v100", "paddle-inference", 2, NULL},
        {"swish", "gpu_v100", "pytorch-eager", 4, NULL},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        tpusim_graph *g = conv_graph(want[i].tail);
        struct chip c;
        struct stack st;
        struct sim_result r;
        sim_under(g, want[i].chip, want[i].stack, NULL, 0, &c, &st, &r);
        ck_assert_msg(kernels(&r) == want[i].kernels, "%s under %s: %d kernels, want %d",
                      want[i].tail, want[i].stack, kernels(&r), want[i].kernels);
        if (strcmp(want[i].tail, "swish") != 0) {
            const struct op_result *add = row(&r, "add");
            const char *host = add->fused_into >= 0 ? r.graph->ops[add->fused_into]->name : NULL;
            ck_assert_msg(host ? want[i].add_host && strcmp(host, want[i].add_host) == 0
                               : !want[i].add_host,
                          "%s under %s: add fused into %s", want[i].tail, want[i].stack,
                          host ? host : "nothing");
        }
        /* BatchNorm folds into the conv (no work of its own) wherever it
         * joins it; under PyTorch eager it is a kernel with vector work. */
        const struct op_result *bn = row(&r, "bn");
        if (strcmp(want[i].stack, "pytorch-eager") == 0)
            ck_assert(bn->fused_into < 0 && bn->stall[CAUSE_VPU] + bn->stall[CAUSE_HBM] > 0);
        else
            ck_assert_int_ge(bn->fused_into, 0);
        sim_result_free(&r);
        tpusim_graph_close(g);
    }
}
END_TEST

/* PyTorch eager runs Conv -> BN -> Relu -> Add as 4 kernels and pays 4
 * launches: each waits the 3 us gap (4590 cycles at 1530 MHz) or, when
 * shorter than the host's 10 us dispatch (15300 cycles) less the gap, for
 * the host (the fast engine's steady state); and 6 us (9180 cycles) once
 * per inference, before the first op and in its row. */
START_TEST(eager_pays_a_launch_per_kernel_and_one_invocation)
{
    tpusim_graph *g = conv_graph("relu_add");
    struct chip c;
    struct stack st;
    struct sim_result r;
    sim_under(g, "gpu_v100", "pytorch-eager", NULL, 0, &c, &st, &r);
    ck_assert_uint_eq(r.invocation_cycles, 9180);
    ck_assert_uint_eq(r.ops[0].start_cycle, 0);
    uint64_t launch = 0, rows = 0;
    for (int i = 0; i < r.n_ops; i++) {
        const struct op_result *o = &r.ops[i];
        uint64_t first = i == 0 ? 9180 : 0;
        uint64_t work = o->cycles - o->stall[CAUSE_LAUNCH];
        uint64_t want = work + 4590 >= 15300 ? 4590 : 15300 - work;
        ck_assert_uint_eq(o->stall[CAUSE_LAUNCH], want + first);
        launch += o->stall[CAUSE_LAUNCH];
        rows += o->cycles;
    }
    ck_assert_int_eq(kernels(&r), 4);
    ck_assert_uint_eq(r.sum.stall[CAUSE_LAUNCH], launch);
    ck_assert_uint_eq(r.sum.cycles, rows);
    sim_result_free(&r);
    tpusim_graph_close(g);
}
END_TEST

START_TEST(eager_resnet50_on_v100_is_slower_by_launches)
{
    tpusim_graph *g = tu_new();
    ck_assert_int_eq(zoo_build(g, "resnet-50", NULL), TPUSIM_OK);
    struct chip c;
    struct stack trt_s, eager_s;
    struct sim_result trt, eager;
    sim_under(g, "gpu_v100", "tensorrt", NULL, 0, &c, &trt_s, &trt);
    /* The same kernels as TensorRT's, so that what differs is the launches. */
    const char *same_kernels[] = {"kernels.strided_conv_split_k=true"};
    sim_under(g, "gpu_v100", "pytorch-eager", same_kernels, 1, &c, &eager_s, &eager);
    /* every BatchNorm and ReLU becomes a kernel of its own */
    ck_assert_int_gt(kernels(&eager), 2 * kernels(&trt));
    ck_assert_uint_gt(eager.sum.cycles, trt.sum.cycles);
    uint64_t diff = eager.sum.cycles - trt.sum.cycles;
    uint64_t launch_diff = eager.sum.stall[CAUSE_LAUNCH] - trt.sum.stall[CAUSE_LAUNCH];
    ck_assert_msg(launch_diff * 4 >= diff * 3, "launch %llu of %llu cycles",
                  (unsigned long long)launch_diff, (unsigned long long)diff);
    sim_result_free(&trt);
    sim_result_free(&eager);
    tpusim_graph_close(g);
}
END_TEST

START_TEST(depthwise_placement_comes_from_the_stack)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 4, TU_DIMS(1, 32, 28, 28));
    ck_assert_int_eq(tpusim_graph_add_conv2d(g, "dw", "x", "y", 32, 3, 1, 1, 32), TPUSIM_OK);
    tu_finalize_ok(g);
    struct chip c;
    struct stack st;
    struct sim_result vpu, mxu;
    sim_under(g, "tpu_v3", "xla", NULL, 0, &c, &st, &vpu);
    const char *ov[] = {"placement.depthwise_on=mxu"};
    struct stack st_mxu;
    sim_under(g, "tpu_v3", "xla", ov, 1, &c, &st_mxu, &mxu);
    ck_assert_uint_eq(vpu.ops[0].mac_slots, 0); /* on the vector unit */
    ck_assert_uint_gt(vpu.ops[0].stall[CAUSE_VPU], 0);
    ck_assert_uint_gt(mxu.ops[0].mac_slots, 0); /* on the systolic array */
    sim_result_free(&vpu);
    sim_result_free(&mxu);
    tpusim_graph_close(g);
}
END_TEST

static tpusim_graph *conv_at_batch(int64_t n)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 4, TU_DIMS(n, 64, 14, 14));
    ck_assert_int_eq(tpusim_graph_add_conv2d(g, "conv", "x", "y", 128, 3, 1, 1, 1), TPUSIM_OK);
    tu_finalize_ok(g);
    return g;
}

/* Under XLA's rule a batch below 64 pads to 8 sublanes and channels to 128
 * lanes: a 3x3 conv from [1,64,14,14] to [1,128,14,14] stores both as
 * 14 x 14 x 8 x 128, 2048 x 196 elements for 192 x 196 of data, and it
 * streams 8 rows per output pixel through the MXU, as batch 8 does. Under
 * channels_last the batch is not tiled: batch 8 costs 8 times the slots. */
START_TEST(xla_pads_a_small_batch_to_eight_rows)
{
    tpusim_graph *g1 = conv_at_batch(1), *g8 = conv_at_batch(8);
    struct chip c;
    struct stack st, st_cl;
    struct sim_result b1, b8, cl1, cl8;
    const char *cl[] = {"layout.order=channels_last"};
    sim_under(g1, "tpu_v3", "xla", NULL, 0, &c, &st, &b1);
    sim_under(g8, "tpu_v3", "xla", NULL, 0, &c, &st, &b8);
    sim_under(g1, "tpu_v3", "xla", cl, 1, &c, &st_cl, &cl1);
    sim_under(g8, "tpu_v3", "xla", cl, 1, &c, &st_cl, &cl8);
    const struct op_result *o1 = row(&b1, "conv"), *o8 = row(&b8, "conv");
    ck_assert_uint_gt(o1->act_useful_bytes, 0);
    ck_assert_uint_eq(o1->act_bytes * 192, o1->act_useful_bytes * 2048);
    ck_assert_uint_eq(o8->act_bytes, o1->act_bytes);
    ck_assert_uint_eq(o8->act_useful_bytes, 8 * o1->act_useful_bytes);
    ck_assert_uint_eq(o8->mac_slots, o1->mac_slots);
    ck_assert_uint_eq(o8->useful_macs, 8 * o1->useful_macs);
    ck_assert_uint_eq(row(&cl8, "conv")->mac_slots, 8 * row(&cl1, "conv")->mac_slots);
    ck_assert_uint_lt(row(&cl1, "conv")->mac_slots, o1->mac_slots);
    sim_result_free(&b1);
    sim_result_free(&b8);
    sim_result_free(&cl1);
    sim_result_free(&cl8);
    tpusim_graph_close(g1);
    tpusim_graph_close(g8);
}
END_TEST

/* On the Edge TPU, Exp is not in Coral's supported operations: with one
 * partition (rest_of_graph) it and the conv after it run on the host.
 * int8, so one byte per element; Exp's input [1,8,8,8] = 512 bytes comes
 * from the device over USB (0.4 GB/s = 0.8 bytes/cycle at 500 MHz: 640
 * cycles, after 100 us of latency and 10 us of per-transfer overhead =
 * 55000 cycles); the host takes its 1024 bytes at 10 GB/s (0.1024 us) or
 * its 512 FLOPs at 20 GFLOP/s (0.0256 us): 0.1024 us = 52 cycles. */
START_TEST(ops_the_edge_tpu_cannot_map_run_on_the_host)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 4, TU_DIMS(1, 8, 8, 8));
    ck_assert_int_eq(tpusim_graph_add_conv2d(g, "c1", "x", "y", 8, 3, 1, 1, 1), TPUSIM_OK);
    tu_op(g, "Exp", "exp", "y", "z");
    ck_assert_int_eq(tpusim_graph_add_conv2d(g, "c2", "z", "out", 8, 3, 1, 1, 1), TPUSIM_OK);
    tu_finalize_ok(g);
    struct chip c;
    struct stack st;
    struct sim_result r;
    sim_under(g, "edgetpu", NULL, NULL, 0, &c, &st, &r);
    const struct op_result *c1 = row(&r, "c1"), *ex = row(&r, "exp"), *c2 = row(&r, "c2");
    ck_assert_uint_gt(c1->mac_slots, 0); /* on the Edge TPU */
    ck_assert_uint_eq(ex->host_bytes, 512);
    ck_assert_uint_eq(ex->cycles, 640 + 55000 + 52);
    ck_assert_uint_eq(ex->stall[CAUSE_HOST_LINK], ex->cycles);
    /* c2 follows on the host: its FLOPs at 20 GFLOP/s, its bytes (input,
     * weights, bias, output) at 10 GB/s, whichever is slower; nothing
     * crosses the link (its output is the model's, on the host already). */
    const struct op *op2 = tu_find_op(g, "c2");
    double flops_us = (double)op2->cost.flops / 20e3;
    double bytes_us = (double)(512 + 8 * 8 * 9 + 8 + 512) / 10e3;
    uint64_t want = (uint64_t)((flops_us > bytes_us ? flops_us : bytes_us) * 500 + 0.999999);
    ck_assert_uint_eq(c2->mac_slots, 0);
    ck_assert_uint_eq(c2->host_bytes, 0);
    ck_assert_uint_eq(c2->cycles, want);
    ck_assert_uint_eq(c2->stall[CAUSE_HOST_LINK], want);
    sim_result_free(&r);
    /* With each unsupported op alone on the host, c2 is back on the Edge
     * TPU and Exp's output crosses the link back: 1024 bytes. */
    const char *ov[] = {"placement.host_fallback=op"};
    struct stack st_op;
    sim_under(g, "edgetpu", NULL, ov, 1, &c, &st_op, &r);
    ck_assert_uint_eq(row(&r, "exp")->host_bytes, 1024);
    ck_assert_uint_gt(row(&r, "c2")->mac_slots, 0);
    sim_result_free(&r);
    tpusim_graph_close(g);
}
END_TEST

/* The Edge TPU runtime's per-inference cost, worked by hand from the chip
 * file: the stack's invocation (20 us = 10000 cycles at 500 MHz) and the
 * compiled instructions of the 2 kernels, sent once as one DMA over the
 * host link: its transfers' overheads and its bytes at bandwidth (latency
 * is the input's, which follows). 2 x 100000 bytes is one transfer (<= 1
 * MiB); 2 x 1.5 MiB is 3, overlapped 3 in flight: one overhead shows. On
 * both engines the cost appears once, in the first op's row, as launch. */
static uint64_t edge_invocation_delta(enum engine_kind e, const char *bytes_per_kernel,
                                      struct chip *c, uint64_t *invocation)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 4, TU_DIMS(1, 8, 8, 8));
    ck_assert_int_eq(tpusim_graph_add_conv2d(g, "c1", "x", "y", 8, 3, 1, 1, 1), TPUSIM_OK);
    ck_assert_int_eq(tpusim_graph_add_conv2d(g, "c2", "y", "out", 8, 3, 1, 1, 1), TPUSIM_OK);
    tu_finalize_ok(g);
    tu_load_chip("edgetpu", NULL, 0, c);
    const char *none[] = {"overhead.invoke_us_per_inference=0",
                          "overhead.instruction_bytes_per_kernel=0"};
    const char *some[] = {"overhead.invoke_us_per_inference=20", bytes_per_kernel};
    uint64_t total[2], launch[2];
    for (int k = 0; k < 2; k++) {
        struct stack st;
        char err[1024];
        ck_assert_int_eq(stack_resolve(tu_chips_dir(), c, NULL, k ? some : none, 2, &st, err,
                                       sizeof err), TPUSIM_OK);
        struct sim_options o = {.cores = 1, .stack = &st, .engine = e};
        struct sim_result r;
        ck_assert_msg(simulate(g, c, &o, &r, err, sizeof err) == TPUSIM_OK, "%s", err);
        ck_assert_int_eq(kernels(&r), 2);
        ck_assert_uint_eq(r.ops[0].start_cycle, 0);
        uint64_t rows = 0;
        for (int i = 0; i < r.n_ops; i++)
            rows += r.ops[i].cycles;
        ck_assert_uint_eq(rows, r.sum.cycles);
        ck_assert_uint_ge(r.ops[0].stall[CAUSE_LAUNCH], r.invocation_cycles);
        total[k] = r.sum.cycles;
        launch[k] = r.sum.stall[CAUSE_LAUNCH];
        *invocation = r.invocation_cycles;
        sim_result_free(&r);
    }
    tpusim_graph_close(g);
    ck_assert_uint_eq(launch[1] - launch[0], total[1] - total[0]);
    return total[1] - total[0];
}

START_TEST(edge_tpu_invocation_sends_the_instructions_once)
{
    for (int e = 0; e < 2; e++) {
        struct chip c;
        uint64_t inv;
        uint64_t d = edge_invocation_delta((enum engine_kind)e,
                                           "overhead.instruction_bytes_per_kernel=100000", &c,
                                           &inv);
        uint64_t want = 10000 + c.host_link_overhead_cycles +
                        (uint64_t)ceil(200000.0 / c.host_link_bytes_per_cycle);
        ck_assert_uint_eq(inv, want);
        ck_assert_uint_eq(d, want);
        d = edge_invocation_delta((enum engine_kind)e,
                                  "overhead.instruction_bytes_per_kernel=1572864", &c, &inv);
        ck_assert_uint_eq(c.host_link_max_transfer_bytes, 1048576);
        ck_assert_int_eq(c.host_link_transfers_in_flight, 3);
        want = 10000 + c.host_link_overhead_cycles +
               (uint64_t)ceil(3145728.0 / c.host_link_bytes_per_cycle);
        ck_assert_uint_eq(d, want);
    }
}
END_TEST

/* Coral: "If a tensor has more than 3 dimensions, only the innermost 3
 * dimensions may have a size greater than 1. For example, shape [1, 128,
 * 128, 3] is OK, but shape [3, 128, 128, 1] is not" (NHWC). Shapes here are
 * in ONNX order (NCHW), which channels_last reorders. */
START_TEST(the_edge_tpu_holds_only_tensors_large_in_their_innermost_dims)
{
    struct stack st;
    char err[1024];
    ck_assert_int_eq(stack_load(tu_chips_dir(), "tflite-edgetpu", NULL, 0, &st, err, sizeof err),
                     TPUSIM_OK);
    ck_assert_int_eq(st.device_inner_dims, 3);
    ck_assert(stack_device_maps_shape(&st, 4, TU_DIMS(1, 3, 128, 128)));  /* [1,128,128,3] */
    ck_assert(!stack_device_maps_shape(&st, 4, TU_DIMS(3, 1, 128, 128))); /* [3,128,128,1] */
    ck_assert(stack_device_maps_shape(&st, 3, TU_DIMS(7, 128, 128)));     /* rank 3: any */
    ck_assert(stack_device_maps_shape(&st, 5, TU_DIMS(1, 16, 1, 8, 8)));  /* [1,1,8,8,16] */
    ck_assert(!stack_device_maps_shape(&st, 5, TU_DIMS(1, 16, 2, 8, 8))); /* [1,2,8,8,16] */
    /* No limit (0): XLA maps any shape. */
    struct stack xla;
    ck_assert_int_eq(stack_load(tu_chips_dir(), "xla", NULL, 0, &xla, err, sizeof err), 0);
    ck_assert(stack_device_maps_shape(&xla, 4, TU_DIMS(3, 1, 128, 128)));
    /* A model input with a batch of 2: the compiler would map nothing: an
     * error naming the input, its shape and the rule. */
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 4, TU_DIMS(2, 8, 8, 8));
    ck_assert_int_eq(tpusim_graph_add_conv2d(g, "c1", "x", "y", 8, 3, 1, 1, 1), TPUSIM_OK);
    tu_finalize_ok(g);
    struct chip c;
    tu_load_chip("edgetpu", NULL, 0, &c);
    struct sim_options o = {.cores = 1, .stack = &st};
    struct sim_result r;
    ck_assert_int_eq(simulate(g, &c, &o, &r, err, sizeof err), TPUSIM_ERR_UNSUPPORTED);
    ck_assert_msg(strstr(err, "input 'x' [2,8,8,8]") && strstr(err, "device_inner_dims") &&
                      strstr(err, "batch must be 1"),
                  "%s", err);
    tpusim_graph_close(g);
    /* An activation inside the graph the device cannot hold ([1,8,8,8]
     * reshaped to [2,4,8,8]): that op and, in one partition, every op
     * after it run on the host; the conv before it stays on the device. */
    g = tu_new();
    tu_input(g, "x", 4, TU_DIMS(1, 8, 8, 8));
    ck_assert_int_eq(tpusim_graph_add_conv2d(g, "c1", "x", "y", 8, 3, 1, 1, 1), TPUSIM_OK);
    tu_ints(g, "shape", 4, TU_DIMS(2, 4, 8, 8));
    tu_op(g, "Reshape", "split", "y,shape", "z");
    tu_op(g, "Relu", "act", "z", "out");
    tu_finalize_ok(g);
    ck_assert_int_eq(simulate(g, &c, &o, &r, err, sizeof err), TPUSIM_OK);
    ck_assert_uint_gt(row(&r, "c1")->mac_slots, 0);
    ck_assert_uint_eq(row(&r, "c1")->stall[CAUSE_HOST_LINK] < row(&r, "c1")->cycles, 1);
    ck_assert_uint_eq(row(&r, "act")->stall[CAUSE_HOST_LINK], row(&r, "act")->cycles);
    ck_assert_uint_gt(row(&r, "act")->cycles, 0);
    sim_result_free(&r);
    tpusim_graph_close(g);
}
END_TEST

/* ---- squeeze-and-excitation: into the next conv's operand, and the
 * squeeze with its producer ---- */

/* EfficientNet's SE block (zoo_layers.c): a depthwise conv makes y
 * [8,128,16,16]; the squeeze s = mean(y) runs through a 1x1 reduce conv
 * (ReLU) and a 1x1 expand conv (Sigmoid) to the scale g [8,128,1,1]; the
 * project conv reads y * g. */
static tpusim_graph *se_graph(void)
{
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 4, TU_DIMS(8, 128, 16, 16));
    ck_assert_int_eq(tpusim_graph_add_conv2d(g, "dw", "x", "y", 128, 3, 1, 1, 128), TPUSIM_OK);
    tu_op(g, "GlobalAveragePool", "squeeze", "y", "s");
    ck_assert_int_eq(tpusim_graph_add_conv2d(g, "reduce", "s", "r0", 32, 1, 1, 0, 1), TPUSIM_OK);
    tu_op(g, "Relu", "reduce.act", "r0", "r");
    ck_assert_int_eq(tpusim_graph_add_conv2d(g, "expand", "r", "e", 128, 1, 1, 0, 1), TPUSIM_OK);
    tu_op(g, "Sigmoid", "gate", "e", "gs");
    tu_op(g, "Mul", "scale", "y,gs", "z");
    ck_assert_int_eq(tpusim_graph_add_conv2d(g, "project", "z", "out", 128, 1, 1, 0, 1),
                     TPUSIM_OK);
    tu_finalize_ok(g);
    return g;
}

/* The SE graph lowered and run on both engines under a stack. */
struct se_run {
    struct chip c;
    struct stack st;
    struct op_demand *d;
    int n;
    struct sim_result fast, event;
};

static void se_under(const tpusim_graph *g, const char *chip, const char *const *chip_ov,
                     const char *stack, const char *const *ov, int n_ov, struct se_run *r)
{
    tu_load_chip(chip, chip_ov, chip_ov ? 1 : 0, &r->c);
    char err[1024];
    int rc = stack_resolve(tu_chips_dir(), &r->c, stack, ov, n_ov, &r->st, err, sizeof err);
    ck_assert_msg(rc == TPUSIM_OK, "%s", err);
    struct sim_options o = {.cores = 1, .stack = &r->st};
    uint64_t pb, oc;
    rc = lower_graph(g, &r->c, &o, &r->d, &r->n, &pb, &oc, err, sizeof err);
    ck_assert_msg(rc == TPUSIM_OK, "%s", err);
    ck_assert_msg(simulate(g, &r->c, &o, &r->fast, err, sizeof err) == TPUSIM_OK, "%s", err);
    o.engine = ENGINE_EVENT;
    ck_assert_msg(simulate(g, &r->c, &o, &r->event, err, sizeof err) == TPUSIM_OK, "%s", err);
}

static void se_free(struct se_run *r)
{
    free(r->d);
    sim_result_free(&r->fast);
    sim_result_free(&r->event);
}

static int demand_row(const tpusim_graph *g, const struct se_run *r, const char *name)
{
    for (int i = 0; i < r->n; i++)
        if (strcmp(g->ops[r->d[i].op]->name, name) == 0)
            return i;
    ck_abort_msg("no row %s", name);
    return -1;
}

/* Bytes the event engine's DMA engine moved for row `row`, of `kind`. */
static uint64_t moved_bytes(const struct sim_result *r, int row, enum act_kind kind)
{
    uint64_t b = 0;
    for (uint32_t i = 0; i < r->events->n; i++)
        if (r->events->acts[i].row == (uint32_t)row && r->events->acts[i].kind == kind)
            b += r->events->acts[i].bytes;
    return b;
}

/* Op `name` joined the kernel hosted by op `host` (NULL: none, it is a
 * kernel); returns whether it joined one. */
static bool expect_host(const tpusim_graph *g, const struct se_run *r, const char *name,
                        const char *host, const char *what)
{
    const struct op_demand *d = &r->d[demand_row(g, r, name)];
    const char *got = d->fused_into_row >= 0 ? g->ops[r->d[d->fused_into_row].op]->name : NULL;
    ck_assert_msg(got ? host && strcmp(got, host) == 0 : !host, "%s: %s joined %s", what, name,
                  got ? got : "nothing");
    return got != NULL;
}

/* Each op of the SE graph: the kernel it joined (NULL: its own), and for
 * kernels the activation bytes it reads from and writes to HBM. */
struct se_want {
    const char *name, *host;
    uint64_t read, write;
};

/* The lowering decided `want`, its tile plan carries those bytes, and both
 * engines move them (the event engine's transfers, each engine's row). */
static void expect_se(const tpusim_graph *g, const struct se_run *r, const struct se_want *want,
                      int n_want, const char *what)
{
    for (int k = 0; k < n_want; k++) {
        int i = demand_row(g, r, want[k].name);
        const struct op_demand *d = &r->d[i];
        if (expect_host(g, r, want[k].name, want[k].host, what))
            continue;
        ck_assert_msg(d->hbm_read_bytes == want[k].read && d->hbm_write_bytes == want[k].write,
                      "%s: %s reads %llu, writes %llu", what, want[k].name,
                      (unsigned long long)d->hbm_read_bytes,
                      (unsigned long long)d->hbm_write_bytes);
        ck_assert_uint_eq(d->plan.total.read_bytes, want[k].read);
        ck_assert_uint_eq(d->plan.total.write_bytes, want[k].write);
        ck_assert_uint_eq(moved_bytes(&r->event, i, AK_READ), want[k].read);
        ck_assert_uint_eq(moved_bytes(&r->event, i, AK_WRITE), want[k].write);
        ck_assert_uint_eq(r->fast.ops[i].hbm_bytes, d->hbm_bytes);
        ck_assert_uint_eq(r->event.ops[i].hbm_bytes, d->hbm_bytes);
        ck_assert_uint_eq(r->event.ops[i].hbm_write_bytes, want[k].write);
    }
}

/* On tpu_v3 with on-chip memory cut to 256 KiB, bfloat16: under XLA's
 * layout a batch of 8 pads to 8 sublanes and channels to 128 lanes, so
 * y, y * g and the output [8,128,16,16] are 16 x 16 x 8 x 128 = 262144
 * elements, A = 524288 bytes each, too large to stay on chip; s, the
 * reduce output (32 channels padded to 128) and g are 8 x 128 elements,
 * 2 KiB, and stay. The input x starts in HBM, the output ends there.
 *  - xla as shipped: the squeeze joins the depthwise kernel, which reads
 *    x and writes y (A each); the scale joins the project conv, which
 *    reads y (not y * g, never stored) and writes its output: 4A;
 *  - fusion.into_matrix_operand=none: the scale joins the expand conv's
 *    kernel (its latest producer, the gate), which reads y and writes
 *    y * g, and the project conv reads that back: 6A;
 *  - fusion.reduce_with_producer=false: the squeeze is a kernel of its
 *    own that reads y again: 5A; both off: 7A. */
START_TEST(xla_fuses_the_se_scale_into_the_next_conv_and_the_squeeze_into_its_producer)
{
    const uint64_t A = 16 * 16 * 8 * 128 * 2;
    const struct {
        const char *set[2];
        struct se_want want[5];
        uint64_t total;
    } runs[] = {
        {{NULL, NULL},
         {{"dw", NULL, A, A}, {"squeeze", "dw", 0, 0}, {"expand", NULL, 0, 0},
          {"scale", "project", 0, 0}, {"project", NULL, A, A}},
         4 * A},
        {{"fusion.into_matrix_operand=none", NULL},
         {{"dw", NULL, A, A}, {"squeeze", "dw", 0, 0}, {"expand", NULL, A, A},
          {"scale", "expand", 0, 0}, {"project", NULL, A, A}},
         6 * A},
        {{"fusion.reduce_with_producer=false", NULL},
         {{"dw", NULL, A, A}, {"squeeze", NULL, A, 0}, {"expand", NULL, 0, 0},
          {"scale", "project", 0, 0}, {"project", NULL, A, A}},
         5 * A},
        {{"fusion.into_matrix_operand=none", "fusion.reduce_with_producer=false"},
         {{"dw", NULL, A, A}, {"squeeze", NULL, A, 0}, {"expand", NULL, A, A},
          {"scale", "expand", 0, 0}, {"project", NULL, A, A}},
         7 * A},
    };
    tpusim_graph *g = se_graph();
    const char *small_vmem[] = {"sram.vmem_bytes=262144"};
    for (size_t k = 0; k < sizeof runs / sizeof runs[0]; k++) {
        int n_ov = runs[k].set[1] ? 2 : runs[k].set[0] ? 1 : 0;
        struct se_run r;
        se_under(g, "tpu_v3", small_vmem, "xla", runs[k].set, n_ov, &r);
        char what[128];
        snprintf(what, sizeof what, "xla %s %s", runs[k].set[0] ? runs[k].set[0] : "",
                 runs[k].set[1] ? runs[k].set[1] : "");
        expect_se(g, &r, runs[k].want, 5, what);
        uint64_t acts = 0;
        for (int i = 0; i < r.n; i++)
            acts += r.d[i].hbm_read_bytes + r.d[i].hbm_write_bytes;
        ck_assert_msg(acts == runs[k].total, "%s: %llu bytes", what, (unsigned long long)acts);
        /* The vector work follows the scale: bias adds (one per output
         * vector) and the scale's multiply on 256 vectors in the kernel
         * that runs it; the gate's sigmoid on 1 vector in the expand's. */
        double add = r.c.vpu_cycles_per_vector[VPU_ADD], mul = r.c.vpu_cycles_per_vector[VPU_MUL],
               sig = r.c.vpu_cycles_per_vector[VPU_SIGMOID];
        bool in_project = k == 0 || k == 2;
        const struct op_demand *project = &r.d[demand_row(g, &r, "project")],
                               *expand = &r.d[demand_row(g, &r, "expand")];
        ck_assert_uint_eq(project->vpu_cycles,
                          (uint64_t)ceil(256 * add) + (in_project ? (uint64_t)ceil(256 * mul) : 0));
        ck_assert_uint_eq(expand->vpu_cycles, (uint64_t)ceil(add) + (uint64_t)ceil(sig) +
                                                  (in_project ? 0 : (uint64_t)ceil(256 * mul)));
        /* and the time: the scale inside the project conv costs no pass of
         * its own over memory */
        if (k == 0) {
            ck_assert_uint_eq(r.fast.ops[demand_row(g, &r, "scale")].cycles, 0);
            ck_assert_uint_gt(r.fast.ops[demand_row(g, &r, "project")].cycles, 0);
        }
        se_free(&r);
    }
    tpusim_graph_close(g);
}
END_TEST

/* A classifier head: conv -> y [8,128,16,16] -> GlobalAveragePool -> s
 * -> Sigmoid. Under XLA the pool joins the conv's kernel; y has no other
 * reader, so it is never stored: the kernel reads x (A bytes, as above)
 * and writes nothing; s (2 KiB) stays on chip, and the Sigmoid, which
 * needs the whole mean, is a kernel of its own writing the 2 KiB output.
 * Without the option the conv writes y and the pool reads it back (its
 * kernel takes the Sigmoid as an epilogue, after the reduction). */
START_TEST(a_reduction_alone_on_its_input_leaves_it_unstored)
{
    const uint64_t A = 16 * 16 * 8 * 128 * 2, S = 8 * 128 * 2;
    tpusim_graph *g = tu_new();
    tu_input(g, "x", 4, TU_DIMS(8, 128, 16, 16));
    ck_assert_int_eq(tpusim_graph_add_conv2d(g, "conv", "x", "y", 128, 1, 1, 0, 1), TPUSIM_OK);
    tu_op(g, "GlobalAveragePool", "pool", "y", "s");
    tu_op(g, "Sigmoid", "gate", "s", "out");
    tu_finalize_ok(g);
    const char *small_vmem[] = {"sram.vmem_bytes=262144"};
    const char *off[] = {"fusion.reduce_with_producer=false"};
    const struct se_want on_want[] = {
        {"conv", NULL, A, 0}, {"pool", "conv", 0, 0}, {"gate", NULL, 0, S}};
    const struct se_want off_want[] = {
        {"conv", NULL, A, A}, {"pool", NULL, A, S}, {"gate", "pool", 0, 0}};
    struct se_run r;
    se_under(g, "tpu_v3", small_vmem, "xla", NULL, 0, &r);
    expect_se(g, &r, on_want, 3, "xla");
    se_free(&r);
    se_under(g, "tpu_v3", small_vmem, "xla", off, 1, &r);
    expect_se(g, &r, off_want, 3, "xla without reduce_with_producer");
    se_free(&r);
    tpusim_graph_close(g);
}
END_TEST

/* TensorRT keeps its own rules (README: no operand fusion, no reduce with
 * its producer): the squeeze is its own kernel, the scale joins the
 * gate's pointwise kernel (the Sigmoid is no convolution epilogue there),
 * and the project conv takes nothing in; the XLA options are off. */
START_TEST(tensorrt_keeps_the_se_scale_and_squeeze_apart)
{
    tpusim_graph *g = se_graph();
    struct se_run r;
    se_under(g, "gpu_v100", NULL, "tensorrt", NULL, 0, &r);
    ck_assert(!stack_fuses_operand(&r.st, OP_MUL) && !r.st.reduce_with_producer);
    const struct {
        const char *name, *host;
    } want[] = {{"dw", NULL},      {"squeeze", NULL}, {"reduce", NULL},   {"reduce.act", "reduce"},
                {"expand", NULL},  {"gate", NULL},    {"scale", "gate"}, {"project", NULL}};
    for (size_t k = 0; k < sizeof want / sizeof want[0]; k++)
        expect_host(g, &r, want[k].name, want[k].host, "tensorrt");
    se_free(&r);
    tpusim_graph_close(g);
}
END_TEST

START_TEST(no_fusion_turns_every_stack_rule_off)
{
    tpusim_graph *g = conv_graph("add_relu");
    struct chip c;
    tu_load_chip("gpu_v100", NULL, 0, &c);
    struct stack st;
    tu_load_stack("tensorrt", &c, &st);
    struct sim_options o = {.cores = 1, .stack = &st, .no_fusion = true};
    struct sim_result r;
    char err[1024];
    ck_assert_int_eq(simulate(g, &c, &o, &r, err, sizeof err), TPUSIM_OK);
    ck_assert_int_eq(kernels(&r), 4);
    sim_result_free(&r);
    /* and a simulation without a stack is refused, not defaulted */
    o.stack = NULL;
    ck_assert_int_eq(simulate(g, &c, &o, &r, err, sizeof err), TPUSIM_ERR_ARG);
    ck_assert_msg(strstr(err, "no software stack"), "%s", err);
    tpusim_graph_close(g);
}
END_TEST

Suite *stack_suite(void)
{
    Suite *s = suite_create("stack");
    TCase *tc = tcase_create("stacks");
    tcase_add_test(tc, list_finds_the_six_stacks_and_each_loads);
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
    tcase_add_test(bad, every_number_of_every_stack_has_a_range_it_lies_in);
    tcase_add_test(bad, bad_lists_are_refused);
    tcase_add_test(bad, host_ops_need_a_host_cpu);
    tcase_add_test(bad, duplicate_key_is_an_error);
    tcase_add_test(bad, missing_note_is_an_error);
    tcase_add_test(bad, a_list_continues_on_indented_lines_only);
    tcase_add_test(bad, a_kernel_takes_the_longer_of_work_plus_gap_and_dispatch);
    suite_add_tcase(s, bad);
    TCase *sim = tcase_create("simulation");
    tcase_set_timeout(sim, 60);
    tcase_add_test(sim, each_stack_fuses_conv_bn_act_add_its_own_way);
    tcase_add_test(sim, eager_pays_a_launch_per_kernel_and_one_invocation);
    tcase_add_test(sim, eager_resnet50_on_v100_is_slower_by_launches);
    tcase_add_test(sim, depthwise_placement_comes_from_the_stack);
    tcase_add_test(sim, xla_pads_a_small_batch_to_eight_rows);
    tcase_add_test(sim, ops_the_edge_tpu_cannot_map_run_on_the_host);
    tcase_add_test(sim, no_fusion_turns_every_stack_rule_off);
    tcase_add_test(sim, edge_tpu_invocation_sends_the_instructions_once);
    tcase_add_test(sim, the_edge_tpu_holds_only_tensors_large_in_their_innermost_dims);
    tcase_add_test(sim, xla_fuses_the_se_scale_into_the_next_conv_and_the_squeeze_into_its_producer);
    tcase_add_test(sim, tensorrt_keeps_the_se_scale_and_squeeze_apart);
    tcase_add_test(sim, a_reduction_alone_on_its_input_leaves_it_unstored);
    suite_add_tcase(s, sim);
    return s;
}
