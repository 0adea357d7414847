/*
 * test_sweep.c — the sweep value lists and ranges (sim/sweep_values.c):
 * each range form against values written out by hand, and every refusal.
 */
#include <string.h>

#include "suites.h"
#include "sweep_values.h"
#include "tpusim.h"

/* text must give exactly the n values of want (ranges on). */
static void expect_values(const char *text, int n, const char *const *want)
{
    struct sweep_values v = {0};
    char err[256] = "";
    int rc = sweep_values_parse(text, true, 1000, &v, err, sizeof err);
    ck_assert_msg(rc == TPUSIM_OK, "%s: %s", text, err);
    ck_assert_msg(v.n == n, "%s: %d values, expected %d", text, v.n, n);
    for (int i = 0; i < n; i++)
        ck_assert_msg(strcmp(v.v[i], want[i]) == 0, "%s: value %d is '%s', expected '%s'", text,
                      i, v.v[i], want[i]);
    sweep_values_free(&v);
}

static void expect_refused(const char *text, bool ranges, int max_values, const char *needle)
{
    struct sweep_values v = {0};
    char err[256] = "";
    int rc = sweep_values_parse(text, ranges, max_values, &v, err, sizeof err);
    ck_assert_msg(rc == TPUSIM_ERR_ARG, "'%s' accepted", text);
    ck_assert_msg(strstr(err, needle), "'%s': message '%s' lacks '%s'", text, err, needle);
    sweep_values_free(&v);
}

START_TEST(list_values_normalised)
{
    expect_values("300, 600,900 ,1800", 4, (const char *[]){"300", "600", "900", "1800"});
    /* Numbers take one written form: 1e3 and 1000.0 are both 1000. */
    expect_values("1e3, 0.50, systolic", 3, (const char *[]){"1000", "0.5", "systolic"});
}
END_TEST

START_TEST(linear_range_includes_stop)
{
    expect_values("1:4:1", 4, (const char *[]){"1", "2", "3", "4"});
    expect_values("1:10:4", 3, (const char *[]){"1", "5", "9"});
    expect_values("8:2:-3", 3, (const char *[]){"8", "5", "2"});
    /* 0.1 is not exact in binary: 0.3 still lands on STOP, written short. */
    expect_values("0.1:0.3:0.1", 3, (const char *[]){"0.1", "0.2", "0.3"});
}
END_TEST

START_TEST(geometric_range)
{
    expect_values("300:2400:*2", 4, (const char *[]){"300", "600", "1200", "2400"});
    expect_values("1:100:*3", 5, (const char *[]){"1", "3", "9", "27", "81"});
    expect_values("64:8:*0.5", 4, (const char *[]){"64", "32", "16", "8"});
}
END_TEST

START_TEST(ranges_and_values_mix)
{
    expect_values("1, 4:8:2, 100", 5, (const char *[]){"1", "4", "6", "8", "100"});
}
END_TEST

START_TEST(model_names_keep_colons)
{
    struct sweep_values v = {0};
    char err[256];
    ck_assert_int_eq(sweep_values_parse("zoo:resnet-50, builtin:demo-cnn", false, 10, &v, err,
                                        sizeof err), TPUSIM_OK);
    ck_assert_int_eq(v.n, 2);
    ck_assert_str_eq(v.v[0], "zoo:resnet-50");
    ck_assert_str_eq(v.v[1], "builtin:demo-cnn");
    sweep_values_free(&v);
}
END_TEST

START_TEST(bad_lists_refused)
{
    expect_refused("", true, 10, "no values");
    expect_refused("  ", true, 10, "no values");
    expect_refused("1,,2", true, 10, "empty value");
    expect_refused("1:4:0", true, 10, "zero step");
    expect_refused("4:1:1", true, 10, "away from STOP");
    expect_refused("1:4:*1", true, 10, "factor");
    expect_refused("0:4:*2", true, 10, "one sign");
    expect_refused("1:4", true, 10, "START:STOP:STEP");
    expect_refused("1:4:1:2", true, 10, "START:STOP:STEP");
    expect_refused("a:4:1", true, 10, "needs numbers");
    expect_refused("1:1e12:1", true, 1000, "more than 1000 values");
    expect_refused("1, 2, 3", true, 2, "more than 2 values");
    expect_refused("300, 300.0", true, 10, "'300' given twice");
    expect_refused("1:3:1, 2", true, 10, "'2' given twice");
}
END_TEST

Suite *sweep_suite(void)
{
    Suite *s = suite_create("sweep");
    TCase *tc = tcase_create("values");
    tcase_add_test(tc, list_values_normalised);
    tcase_add_test(tc, linear_range_includes_stop);
    tcase_add_test(tc, geometric_range);
    tcase_add_test(tc, ranges_and_values_mix);
    tcase_add_test(tc, model_names_keep_colons);
    tcase_add_test(tc, bad_lists_refused);
    suite_add_tcase(s, tc);
    return s;
}
