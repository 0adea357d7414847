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

Suite *bad_input_suite(void)
{
    Suite *s = suite_create("bad_input");
    TCase *tc = tcase_create("buffers");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, truncated_models_fail_cleanly);
    tcase_add_test(tc, random_bytes_fail_cleanly);
    tcase_add_test(tc, empty_and_null_buffers);
    suite_add_tcase(s, tc);
    return s;
}
