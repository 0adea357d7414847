/*
 * test_bad_input.c — the library on malformed buffers: truncated real
 * models at many cut points, random bytes, empty input. Each must return
 * an error with a message, never crash (this suite also runs under
 * ASan/UBSan: make test-asan).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"
#include "testutil.h"

static int load(const unsigned char *buf, size_t size, char *msg, size_t len)
{
    tpusim_graph *g = tu_new();
    int rc = tpusim_graph_load_onnx_buffer(g, buf, size, "cut");
    snprintf(msg, len, "%s", tpusim_graph_errmsg(g));
    tpusim_graph_close(g);
    return rc;
}

START_TEST(truncated_models_fail_cleanly)
{
    const char *models[] = {"torch_export/tv_resnet18_light.onnx",
                            "onnx_light/light_inception_v1.onnx",
                            "onnxruntime_testdata/mnist.onnx"};
    for (size_t m = 0; m < sizeof models / sizeof models[0]; m++) {
        size_t size;
        unsigned char *buf = tu_read_model(models[m], &size);
        char msg[1024];
        ck_assert_msg(load(buf, size, msg, sizeof msg) == TPUSIM_OK, "%s whole: %s", models[m],
                      msg);
        /* ~60 cut points per model, including the first and last bytes. */
        size_t step = size / 61 + 1;
        for (size_t cut = 0; cut < size; cut += (cut < 64 ? 1 : step)) {
            int rc = load(buf, cut, msg, sizeof msg);
            ck_assert_msg(rc != TPUSIM_OK, "%s cut at %zu of %zu loaded", models[m], cut, size);
            ck_assert_msg(strncmp(msg, "cut: ", 5) == 0 && strlen(msg) > 10,
                          "%s cut at %zu: message '%s'", models[m], cut, msg);
        }
        ck_assert_int_ne(load(buf, size - 1, msg, sizeof msg), TPUSIM_OK);
        free(buf);
    }
}
END_TEST

START_TEST(random_bytes_fail_cleanly)
{
    /* A fixed-seed xorshift so every run sees the same bytes. */
    uint64_t s = 0x9e3779b97f4a7c15ULL;
    unsigned char buf[2048];
    for (int trial = 0; trial < 200; trial++) {
        size_t n = 1 + (size_t)(s % sizeof buf);
        for (size_t i = 0; i < n; i++) {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            buf[i] = (unsigned char)s;
        }
        char msg[1024];
        int rc = load(buf, n, msg, sizeof msg);
        ck_assert_msg(rc == TPUSIM_ERR_PARSE, "trial %d (%zu bytes): %s: %s", trial, n,
                      tpusim_status_name(rc), msg);
    }
}
END_TEST

START_TEST(empty_and_null_buffers)
{
    char msg[1024];
    ck_assert_int_eq(load((const unsigned char *)"", 0, msg, sizeof msg), TPUSIM_ERR_PARSE);
    ck_assert_str_eq(msg, "cut: the file is empty");
    tpusim_graph *g = tu_new();
    ck_assert_int_eq(tpusim_graph_load_onnx_buffer(g, NULL, 10, NULL), TPUSIM_ERR_ARG);
    ck_assert_int_eq(tpusim_graph_load_onnx_file(g, NULL), TPUSIM_ERR_ARG);
    tpusim_graph_close(g);
    ck_assert_int_eq(tpusim_graph_load_onnx_file(NULL, "x.onnx"), TPUSIM_ERR_ARG);
}
END_TEST

/* ------------------------------------------- a protobuf writer, by hand */

/* Writes messages back to front (a message's length precedes it), so the
 * innermost level is written first: w->at moves down from the end. */
struct wire {
    unsigned char *buf;
    size_t cap, at;
};

static void wire_bytes(struct wire *w, const void *p, size_t n)
{
    ck_assert_uint_ge(w->at, n);
    w->at -= n;
    memcpy(w->buf + w->at, p, n);
}

static void wire_varint(struct wire *w, uint64_t v)
{
    unsigned char tmp[10];
    size_t n = 0;
    do {
        tmp[n++] = (unsigned char)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
        v >>= 7;
    } while (v);
    wire_bytes(w, tmp, n);
}

/* Field `field` (wire type 2) around everything written after `end`. */
static void wire_wrap(struct wire *w, unsigned field, size_t end)
{
    wire_varint(w, end - w->at);
    wire_varint(w, (uint64_t)field << 3 | 2);
}

static void wire_string(struct wire *w, unsigned field, const char *s, size_t n)
{
    size_t end = w->at;
    wire_bytes(w, s, n);
    wire_wrap(w, field, end);
}

/* ModelProto {ir_version 8, opset_import {version 13}, graph}, the graph
 * written already (from `end`). */
static void wire_model(struct wire *w, size_t end)
{
    wire_wrap(w, 7, end);                          /* ModelProto.graph */
    size_t opset = w->at;
    wire_varint(w, 13);
    wire_varint(w, 2 << 3);                        /* OperatorSetIdProto.version */
    wire_wrap(w, 8, opset);                        /* ModelProto.opset_import */
    wire_varint(w, 8);
    wire_varint(w, 1 << 3);                        /* ModelProto.ir_version */
}

/* `depth` If nodes, each holding the next in its then_branch. Fields of a
 * message may come in any order, so each level wraps all that is written
 * (the graph so far) and puts its other fields before it. */
static void nested_ifs(struct wire *w, int depth)
{
    for (int d = 0; d < depth; d++) {
        wire_wrap(w, 6, w->cap);                   /* AttributeProto.g */
        wire_string(w, 1, "then_branch", 11);      /* AttributeProto.name */
        wire_varint(w, 5);
        wire_varint(w, 20 << 3);                   /* AttributeProto.type = GRAPH */
        wire_wrap(w, 5, w->cap);                   /* NodeProto.attribute */
        wire_string(w, 4, "If", 2);                /* NodeProto.op_type */
        wire_wrap(w, 1, w->cap);                   /* GraphProto.node */
    }
}

START_TEST(deep_nesting_is_refused_before_unpacking)
{
    /* 3,000 nested Ifs (112 KB) overflowed the stack inside
     * protobuf_c_message_unpack, which recurses once per message level. */
    struct wire w = {.cap = 1 << 20};
    w.buf = malloc(w.cap);
    w.at = w.cap;
    nested_ifs(&w, 3000);
    wire_model(&w, w.cap);
    char msg[1024];
    int rc = load(w.buf + w.at, w.cap - w.at, msg, sizeof msg);
    ck_assert_int_eq(rc, TPUSIM_ERR_PARSE);
    ck_assert_msg(strstr(msg, "nested deeper than 100 messages"), "%s", msg);
    /* 30 levels (91 messages) are within the limit: the import gets past
     * the check and stops at the op, which this importer does not run. */
    w.at = w.cap;
    nested_ifs(&w, 30);
    wire_model(&w, w.cap);
    rc = load(w.buf + w.at, w.cap - w.at, msg, sizeof msg);
    ck_assert_msg(!strstr(msg, "nested deeper"), "%s", msg);
    free(w.buf);
}
END_TEST

START_TEST(nul_in_a_name_is_refused)
{
    /* A node output "y\0hidden": read as a C string it was "y", the same
     * tensor as another output "y", and the JSON cut it at the NUL. */
    struct wire w = {.cap = 4096};
    w.buf = malloc(w.cap);
    w.at = w.cap;
    wire_string(&w, 4, "Relu", 4);                 /* NodeProto.op_type */
    wire_string(&w, 2, "y\0hidden", 8);            /* NodeProto.output */
    wire_string(&w, 1, "x", 1);                    /* NodeProto.input */
    wire_wrap(&w, 1, w.cap);                       /* GraphProto.node */
    wire_model(&w, w.cap);
    char msg[1024];
    int rc = load(w.buf + w.at, w.cap - w.at, msg, sizeof msg);
    ck_assert_int_eq(rc, TPUSIM_ERR_PARSE);
    ck_assert_msg(strstr(msg, "onnx.NodeProto.output holds a NUL byte after 'y'"), "%s", msg);
    free(w.buf);
}
END_TEST

Suite *bad_input_suite(void)
{
    Suite *s = suite_create("bad_input");
    TCase *tc = tcase_create("buffers");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, truncated_models_fail_cleanly);
    tcase_add_test(tc, random_bytes_fail_cleanly);
    tcase_add_test(tc, empty_and_null_buffers);
    tcase_add_test(tc, deep_nesting_is_refused_before_unpacking);
    tcase_add_test(tc, nul_in_a_name_is_refused);
    suite_add_tcase(s, tc);
    return s;
}
