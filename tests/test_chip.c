/*
 * test_chip.c — chip files: every chip in models/ loads and reproduces its
 * published peak from its own parameters; derived values are right; --set
 * overrides work; every malformed file is refused with file, line and key.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chip.h"
#include "suites.h"
#include "testutil.h"

static struct chip load_ok(const char *name, const char *const *ov, int n_ov)
{
    struct chip c;
    tu_load_chip(name, ov, n_ov, &c);
    return c;
}

static void expect_near(double got, double want, double rel, const char *what)
{
    ck_assert_msg(fabs(got - want) <= rel * want, "%s: got %.6g, want %.6g within %.1f%%", what,
                  got, want, rel * 100);
}

/* Published peaks, each from its source (the chip files cite the same):
 *  - TPUv2: 46 TFLOPS bf16 per chip (Jouppi et al., CACM 2020; Cloud docs say 45, 1.9% off)
 *  - TPUv3: 123 TFLOPS bf16 (Google Cloud TPU docs "TPU v3"; Jouppi et al., CACM 2020)
 *  - TPUv4i: 138 TFLOPS bf16 / 138 TOPS int8 (Jouppi et al., ISCA 2021, Table 1)
 *  - Edge TPU: 4 TOPS int8 (Coral USB Accelerator / Accelerator Module datasheets) */
START_TEST(peak_reproduces_published_tpu_v2)
{
    struct chip c = load_ok("tpu_v2", NULL, 0);
    expect_near(c.peak_flops_per_s, 46e12, 0.02, "tpu_v2 peak");
    /* 2 cores x 1 MXU x 128 x 128 x 2 x 700 MHz = 65536 x 700e6 = 45.8752e12 */
    ck_assert_double_eq_tol(c.peak_flops_per_s, 45.8752e12, 1e3);
    ck_assert_double_eq_tol(c.peak_flops_per_s_core * 2, c.peak_flops_per_s, 1e3);
}
END_TEST

START_TEST(peak_reproduces_published_tpu_v3)
{
    struct chip c = load_ok("tpu_v3", NULL, 0);
    expect_near(c.peak_flops_per_s, 123e12, 0.02, "tpu_v3 peak");
}
END_TEST

START_TEST(peak_reproduces_published_tpu_v4i)
{
    struct chip c = load_ok("tpu_v4i", NULL, 0);
    expect_near(c.peak_flops_per_s, 138e12, 0.02, "tpu_v4i peak");
}
END_TEST

START_TEST(peak_reproduces_published_edgetpu)
{
    /* 16 tiles x 4 x 64 x 2 x 500 MHz = 4.096e12: the datasheet's "4 TOPS"
     * is that number rounded down, 2.4% off; we allow 2.5% for this chip,
     * on either host. */
    const char *hosts[] = {"edgetpu", "edgetpu_pcie"};
    for (int h = 0; h < 2; h++) {
        struct chip c = load_ok(hosts[h], NULL, 0);
        expect_near(c.peak_flops_per_s, 4e12, 0.025, hosts[h]);
        ck_assert_double_eq(c.peak_flops_per_s, 4.096e12);
        ck_assert(!c.mxu_bf16);
        ck_assert_double_eq(c.hbm_bandwidth_gbps, 0);
    }
}
END_TEST

/* The two Edge TPU files are one chip on two hosts: every value but the
 * host link's is the same (edgetpu_pcie/chip.ini says so). */
START_TEST(edgetpu_hosts_differ_only_in_their_host_link)
{
    struct ini_value *u, *p;
    int nu, np;
    char err[1024];
    ck_assert_int_eq(chip_dump(tu_chips_dir(), "edgetpu", NULL, 0, &u, &nu, NULL, err, sizeof err), 0);
    ck_assert_int_eq(chip_dump(tu_chips_dir(), "edgetpu_pcie", NULL, 0, &p, &np, NULL, err,
                               sizeof err), 0);
    ck_assert_int_eq(nu, np);
    int link = 0;
    for (int i = 0; i < nu; i++) {
        ck_assert_str_eq(u[i].key, p[i].key);
        if (strncmp(u[i].key, "host_link.", 10) == 0 ||
            strncmp(u[i].key, "derived.host_link", 17) == 0 ||
            strcmp(u[i].key, "energy.host_link_pj_per_byte") == 0) {
            link += strcmp(u[i].value, p[i].value) != 0;
            continue;
        }
        ck_assert_msg(strcmp(u[i].value, p[i].value) == 0, "%s: %s vs %s", u[i].key, u[i].value,
                      p[i].value);
    }
    ck_assert_int_ge(link, 5); /* bandwidth, latency, overhead, transfer size, energy differ */
    /* PCIe is the faster link: more bandwidth, less latency and overhead. */
    struct chip usb = load_ok("edgetpu", NULL, 0), pcie = load_ok("edgetpu_pcie", NULL, 0);
    ck_assert(pcie.host_link_bandwidth_gbps > usb.host_link_bandwidth_gbps);
    ck_assert(pcie.host_link_latency_us < usb.host_link_latency_us);
    free(u);
    free(p);
}
END_TEST

START_TEST(hbm_bytes_per_cycle_is_bandwidth_over_clock)
{
    /* TPUv2: 700 GB/s / 700 MHz = 700e9 / 700e6 = 1000 bytes per cycle.
     * TPUv3: 900e9 / 940e6 = 957.4468... bytes per cycle.
     * TPUv4i: 614e9 / 1050e6 = 584.7619... bytes per cycle. */
    ck_assert_double_eq_tol(load_ok("tpu_v2", NULL, 0).hbm_bytes_per_cycle, 1000.0, 1e-9);
    ck_assert_double_eq_tol(load_ok("tpu_v3", NULL, 0).hbm_bytes_per_cycle, 957.4468085, 1e-6);
    ck_assert_double_eq_tol(load_ok("tpu_v4i", NULL, 0).hbm_bytes_per_cycle, 584.7619048, 1e-6);
}
END_TEST

START_TEST(latencies_convert_to_cycles_once_at_load)
{
    struct chip c = load_ok("tpu_v3", NULL, 0);
    /* 500 ns x 940 MHz = 470 cycles exactly (no rounding up to 471) */
    ck_assert_uint_eq(c.hbm_latency_cycles, 470);
    ck_assert_double_eq(c.clock_hz, 940e6);
    struct chip e = load_ok("edgetpu", NULL, 0);
    /* 100 us x 500 MHz = 50000; 10 us x 500 MHz = 5000; 0.4 GB/s / 500 MHz = 0.8 B/cycle */
    ck_assert_uint_eq(e.host_link_latency_cycles, 50000);
    ck_assert_uint_eq(e.host_link_overhead_cycles, 5000);
    ck_assert_double_eq_tol(e.host_link_bytes_per_cycle, 0.8, 1e-12);
    /* PCIe: 10 us = 5000 cycles, 1 us = 500; 0.43 GB/s / 500 MHz = 0.86 B/cycle */
    struct chip p = load_ok("edgetpu_pcie", NULL, 0);
    ck_assert_uint_eq(p.host_link_latency_cycles, 5000);
    ck_assert_uint_eq(p.host_link_overhead_cycles, 500);
    ck_assert_double_eq_tol(p.host_link_bytes_per_cycle, 0.86, 1e-12);
}
END_TEST

START_TEST(override_per_core_8_doubles_v4i_peak)
{
    struct chip base = load_ok("tpu_v4i", NULL, 0);
    const char *ov[] = {"mxu.per_core=8"};
    struct chip c = load_ok("tpu_v4i", ov, 1);
    ck_assert_int_eq(c.mxu_per_core, 8);
    ck_assert_double_eq_tol(c.peak_flops_per_s, 2 * base.peak_flops_per_s, 1e3);
}
END_TEST

START_TEST(override_last_one_wins_and_is_noted)
{
    const char *ov[] = {"hbm.bandwidth_gbps=1000", "hbm.bandwidth_gbps=1050"};
    struct chip c = load_ok("tpu_v4i", ov, 2);
    ck_assert_double_eq_tol(c.hbm_bytes_per_cycle, 1000.0, 1e-9); /* 1050e9 / 1050e6 */
    struct ini_value *v;
    int n;
    char err[512];
    ck_assert_int_eq(chip_dump(tu_chips_dir(), "tpu_v4i", ov, 2, &v, &n, NULL, err, sizeof err), 0);
    int found = 0;
    for (int i = 0; i < n; i++)
        if (strcmp(v[i].key, "hbm.bandwidth_gbps") == 0) {
            ck_assert_str_eq(v[i].value, "1050");
            ck_assert_str_eq(v[i].note, "override (--set)");
            found = 1;
        }
    free(v);
    ck_assert(found);
}
END_TEST

START_TEST(override_unknown_key_names_it)
{
    const char *ov[] = {"mxu.banana=3"};
    struct chip c;
    char err[512];
    int rc = chip_load(tu_chips_dir(), "tpu_v3", ov, 1, &c, err, sizeof err);
    ck_assert_int_eq(rc, TPUSIM_ERR_ARG);
    ck_assert_msg(strstr(err, "mxu.banana") && strstr(err, "unknown key"), "%s", err);
}
END_TEST

START_TEST(override_bad_value_is_refused)
{
    const char *ov[] = {"mxu.rows=0"};
    struct chip c;
    char err[512];
    ck_assert_int_eq(chip_load(tu_chips_dir(), "tpu_v3", ov, 1, &c, err, sizeof err),
                     TPUSIM_ERR_PARSE);
    ck_assert_msg(strstr(err, "--set mxu.rows=0 (over ") && strstr(err, "/tpu_v3/chip.ini:18): mxu.rows: 0 is outside [1, 4096]: "), "%s", err);
}
END_TEST

START_TEST(every_chip_in_models_loads_and_list_finds_the_five)
{
    char **names;
    int n;
    ck_assert_int_eq(chip_list(tu_chips_dir(), &names, &n), TPUSIM_OK);
    const char *want[] = {"edgetpu", "edgetpu_pcie", "tpu_v2", "tpu_v3", "tpu_v4i"};
    for (size_t w = 0; w < 5; w++) {
        int found = 0;
        for (int i = 0; i < n; i++)
            found |= strcmp(names[i], want[w]) == 0;
        ck_assert_msg(found, "chip_list lacks %s", want[w]);
    }
    for (int i = 0; i < n; i++) {
        if (i)
            ck_assert_msg(strcmp(names[i - 1], names[i]) < 0, "chip_list not sorted");
        struct chip c = load_ok(names[i], NULL, 0);
        ck_assert_str_eq(c.name, names[i]);
        ck_assert(c.peak_flops_per_s > 0);
    }
    ini_free_names(names, n);
}
END_TEST

START_TEST(dump_has_every_key_with_unit_note_and_line)
{
    struct ini_value *v;
    int n;
    char err[512];
    struct chip dumped;
    ck_assert_int_eq(
        chip_dump(tu_chips_dir(), "tpu_v3", NULL, 0, &v, &n, &dumped, err, sizeof err), 0);
    ck_assert_str_eq(dumped.name, "tpu_v3"); /* the chip comes back with its values */
    ck_assert_int_eq(dumped.mxu_rows, 128);
    ck_assert_int_ge(n, 30);
    int prev_line = 0, derived = 0;
    for (int i = 0; i < n; i++) {
        if (strncmp(v[i].key, "derived.", 8) == 0) {
            ck_assert_str_eq(v[i].note, "derived");
            derived++;
            continue;
        }
        ck_assert_msg(v[i].line > prev_line, "%s out of file order", v[i].key);
        prev_line = v[i].line;
        ck_assert_msg(strncmp(v[i].note, "source:", 7) == 0 ||
                          strncmp(v[i].note, "ASSUMED:", 8) == 0,
                      "%s: note '%s'", v[i].key, v[i].note);
        if (strcmp(v[i].key, "chip.clock_mhz") == 0)
            ck_assert_str_eq(v[i].unit, "MHz");
        if (strcmp(v[i].key, "mxu.rows") == 0)
            ck_assert_str_eq(v[i].unit, "count");
        if (strcmp(v[i].key, "hbm.bandwidth_gbps") == 0)
            ck_assert_str_eq(v[i].unit, "GB/s");
        if (strcmp(v[i].key, "vpu.exp_cycles_per_vector") == 0)
            ck_assert_str_eq(v[i].unit, "cycles/vector");
        if (strcmp(v[i].key, "sram.vmem_bytes") == 0)
            ck_assert_str_eq(v[i].unit, "bytes");
        if (strcmp(v[i].key, "mxu.kind") == 0)
            ck_assert_str_eq(v[i].unit, "enum");
        if (strcmp(v[i].key, "compiler.default_stack") == 0) {
            ck_assert_str_eq(v[i].unit, "name");
            ck_assert_str_eq(v[i].value, "xla");
        }
    }
    ck_assert_int_eq(derived, 8);
    free(v);
    /* Tensor-core chips add their three derived GPU values: launch overhead
     * (cycles), L2 bandwidth (bytes per cycle) and L2 latency (cycles). */
    ck_assert_int_eq(chip_dump(tu_chips_dir(), "gpu_v100", NULL, 0, &v, &n, NULL, err,
                               sizeof err),
                     0);
    derived = 0;
    int gpu_derived = 0;
    for (int i = 0; i < n; i++) {
        derived += strncmp(v[i].key, "derived.", 8) == 0;
        gpu_derived += strcmp(v[i].key, "derived.gpu_launch_overhead_cycles") == 0 ||
                       strcmp(v[i].key, "derived.gpu_l2_bytes_per_cycle") == 0 ||
                       strcmp(v[i].key, "derived.gpu_l2_latency_cycles") == 0;
    }
    ck_assert_int_eq(derived, 11);
    ck_assert_int_eq(gpu_derived, 3);
    free(v);
}
END_TEST

START_TEST(text_in_memory_loads_as_the_file_does)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/tpu_v3/chip.ini", tu_chips_dir());
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    static char text[1 << 16];
    size_t n = fread(text, 1, sizeof text, f);
    fclose(f);
    ck_assert_uint_lt(n, sizeof text);
    struct chip from_file = load_ok("tpu_v3", NULL, 0), from_text;
    char err[1024];
    const char *set[] = {"mxu.rows=64"};
    ck_assert_msg(chip_load_text("tpu_v3.ini", text, n, NULL, 0, &from_text, err, sizeof err) ==
                      TPUSIM_OK, "%s", err);
    ck_assert_str_eq(from_text.name, "tpu_v3");
    ck_assert_str_eq(from_text.path, "tpu_v3.ini");
    memcpy(from_text.path, from_file.path, sizeof from_text.path);
    ck_assert(memcmp(&from_text, &from_file, sizeof from_file) == 0);
    ck_assert_int_eq(chip_load_text("tpu_v3.ini", text, n, set, 1, &from_text, err, sizeof err),
                     TPUSIM_OK);
    ck_assert_int_eq(from_text.mxu_rows, 64);
    /* Messages cite the name and the line; a NUL is refused as in a file. */
    char bad[] = "[chip]\nclock_ghz = 1 ; ASSUMED: x\n";
    ck_assert_int_eq(chip_load_text("mem.ini", bad, strlen(bad), NULL, 0, &from_text, err,
                                    sizeof err),
                     TPUSIM_ERR_PARSE);
    ck_assert_msg(strncmp(err, "mem.ini:2: chip.clock_ghz: unknown key", 38) == 0, "%s", err);
    ck_assert_int_eq(chip_load_text("mem.ini", bad, sizeof bad, NULL, 0, &from_text, err,
                                    sizeof err),
                     TPUSIM_ERR_PARSE);
    ck_assert_str_eq(err, "mem.ini: not a text file (NUL byte)");
    ck_assert_int_eq(chip_load_text("mem", bad, 3, NULL, 0, &from_text, err, sizeof err),
                     TPUSIM_ERR_ARG);
    ck_assert_int_eq(chip_load_text("mem.ini", NULL, 3, NULL, 0, &from_text, err, sizeof err),
                     TPUSIM_ERR_ARG);
}
END_TEST

/* ---- error cases on small temporary chip files ---- */

/* A complete, valid chip file; tests edit one line of it. */
static const char *const BASE[] = {
    "[chip]",
    "clock_mhz = 1000 ; ASSUMED: test",
    "cores = 1 ; ASSUMED: test",
    "[mxu]",
    "kind = systolic ; ASSUMED: test",
    "per_core = 1 ; ASSUMED: test",
    "rows = 8 ; ASSUMED: test",
    "cols = 8 ; ASSUMED: test",
    "double_buffered_weights = true ; ASSUMED: test",
    "bf16 = true ; ASSUMED: test",
    "fp32_passes = 3 ; ASSUMED: test",
    "int8_macs_per_pe_per_cycle = 1 ; ASSUMED: test",
    "[vpu]",
    "lanes = 8 ; ASSUMED: test",
    "sublanes = 1 ; ASSUMED: test",
    "add_cycles_per_vector = 1 ; ASSUMED: test",
    "mul_cycles_per_vector = 1 ; ASSUMED: test",
    "div_cycles_per_vector = 4 ; ASSUMED: test",
    "exp_cycles_per_vector = 4 ; ASSUMED: test",
    "sigmoid_cycles_per_vector = 4 ; ASSUMED: test",
    "tanh_cycles_per_vector = 4 ; ASSUMED: test",
    "rsqrt_cycles_per_vector = 4 ; ASSUMED: test",
    "vmem_bytes_per_cycle = 64 ; ASSUMED: test",
    "[hbm]",
    "; source: the line above a key counts as its note",
    "bandwidth_gbps = 100",
    "latency_ns = 100 ; ASSUMED: test",
    "capacity_gib = 1 ; ASSUMED: test",
    "[sram]",
    "vmem_bytes = 65536 ; ASSUMED: test",
    "cmem_bytes = 0 ; ASSUMED: test",
    "param_cache_bytes = 0 ; ASSUMED: test",
    "[host_link]",
    "bandwidth_gbps = 0 ; ASSUMED: test",
    "latency_us = 0 ; ASSUMED: test",
    "overhead_us_per_transfer = 0 ; ASSUMED: test",
    "max_transfer_bytes = 0 ; ASSUMED: test",
    "transfers_in_flight = 1 ; ASSUMED: test",
    "[energy]",
    "mac_int8_pj = 0.2 ; ASSUMED: test",
    "mac_bf16_pj = 1 ; ASSUMED: test",
    "vpu_pj_per_element_cycle = 3 ; ASSUMED: test",
    "sram_pj_per_byte = 1 ; ASSUMED: test",
    "hbm_pj_per_byte = 30 ; ASSUMED: test",
    "host_link_pj_per_byte = 0 ; ASSUMED: test",
    "static_w = 10 ; ASSUMED: test",
    "tdp_w = 40 ; ASSUMED: test",
    "[compiler]",
    "default_stack = xla ; ASSUMED: test",
};
#define N_BASE ((int)(sizeof BASE / sizeof BASE[0]))

struct tmp_chip {
    char dir[64];
    char path[128];
};

/* Writes BASE with line `replace` (1-based; 0: none) replaced by `with`
 * (NULL: line dropped) and `extra` appended (NULL: nothing) into
 * /tmp/tpusim_chip_XXXXXX/chip.ini. */
static void write_chip(struct tmp_chip *t, int replace, const char *with, const char *extra)
{
    snprintf(t->dir, sizeof t->dir, "/tmp/tpusim_chip_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(t->dir));
    snprintf(t->path, sizeof t->path, "%s/chip.ini", t->dir);
    FILE *f = fopen(t->path, "w");
    ck_assert_ptr_nonnull(f);
    for (int i = 0; i < N_BASE; i++) {
        if (i + 1 == replace) {
            if (with)
                fprintf(f, "%s\n", with);
        } else {
            fprintf(f, "%s\n", BASE[i]);
        }
    }
    if (extra)
        fprintf(f, "%s\n", extra);
    fclose(f);
}

static void remove_chip(struct tmp_chip *t)
{
    unlink(t->path);
    rmdir(t->dir);
}

/* Loading the file must fail with `code` and a message holding every needle. */
static void expect_fail(struct tmp_chip *t, int code, const char *n1, const char *n2)
{
    struct chip c;
    char err[1024];
    int rc = chip_load(NULL, t->path, NULL, 0, &c, err, sizeof err);
    remove_chip(t);
    ck_assert_msg(rc == code, "rc %d, want %d: %s", rc, code, err);
    ck_assert_msg(strstr(err, n1), "message '%s' lacks '%s'", err, n1);
    if (n2)
        ck_assert_msg(strstr(err, n2), "message '%s' lacks '%s'", err, n2);
    ck_assert_int_eq(c.cores, 0); /* out is zeroed on error */
}

START_TEST(every_number_of_every_chip_has_a_range_it_lies_in)
{
    ck_assert_int_ge(tu_expect_files_in_range(false), 5);
}
END_TEST

/* Out of range: refused with the key, the value, the range, its reason and
 * where the value came from. These ran before and gave confident nonsense:
 * 1e20 cycles per add reported fewer cycles than the default; 0 GB/s of
 * HBM on tpu_v3 read as "no DRAM" and reported 393% of peak. */
START_TEST(values_outside_their_physical_range_are_refused)
{
    struct chip c;
    char err[1024];
    const char *cost[] = {"vpu.add_cycles_per_vector=1e20"};
    ck_assert_int_eq(chip_load(tu_chips_dir(), "tpu_v3", cost, 1, &c, err, sizeof err),
                     TPUSIM_ERR_PARSE);
    ck_assert_msg(strstr(err, "--set vpu.add_cycles_per_vector=1e20 (over ") &&
                      strstr(err, "tpu_v3/chip.ini:") &&
                      strstr(err, "): vpu.add_cycles_per_vector: 1e20 is outside [0.01, 10000] "
                                  "cycles/vector: one vector op per"),
                  "%s", err);
    const char *tiny[] = {"hbm.bandwidth_gbps=1e-300"}, *zero[] = {"hbm.bandwidth_gbps=0"},
               *fast[] = {"chip.clock_mhz=1e308"}, *huge[] = {"chip.clock_mhz=1e999"},
               *frac[] = {"gpu.dram_efficiency_fraction=1.5"};
    ck_assert_int_eq(chip_load(tu_chips_dir(), "tpu_v3", tiny, 1, &c, err, sizeof err),
                     TPUSIM_ERR_PARSE);
    ck_assert_msg(strstr(err, "hbm.bandwidth_gbps: 1e-300 is outside [0.1, 100000] GB/s or 0"),
                  "%s", err);
    ck_assert_int_eq(chip_load(tu_chips_dir(), "tpu_v3", zero, 1, &c, err, sizeof err),
                     TPUSIM_ERR_PARSE);
    ck_assert_msg(strstr(err, "hbm.bandwidth_gbps = 0 with hbm.capacity_gib = 32: a chip without "
                              "DRAM has both 0"),
                  "%s", err);
    ck_assert_int_eq(chip_load(tu_chips_dir(), "tpu_v3", fast, 1, &c, err, sizeof err),
                     TPUSIM_ERR_PARSE);
    ck_assert_msg(strstr(err, "chip.clock_mhz: 1e308 is outside [1, 10000] MHz"), "%s", err);
    ck_assert_int_eq(chip_load(tu_chips_dir(), "tpu_v3", huge, 1, &c, err, sizeof err),
                     TPUSIM_ERR_PARSE);
    ck_assert_msg(strstr(err, "chip.clock_mhz: 1e999 is outside"), "%s", err);
    ck_assert_int_eq(chip_load(tu_chips_dir(), "gpu_v100", frac, 1, &c, err, sizeof err),
                     TPUSIM_ERR_PARSE);
    ck_assert_msg(strstr(err, "gpu.dram_efficiency_fraction: 1.5 is outside [0.01, 1]"), "%s",
                  err);
    /* The edges are in: the Edge TPU has no DRAM (both 0), and a file's
     * own line is cited. */
    load_ok("edgetpu", NULL, 0);
    const char *edge[] = {"chip.clock_mhz=10000", "vpu.add_cycles_per_vector=0.01"};
    struct chip e = load_ok("tpu_v3", edge, 2);
    ck_assert_double_eq(e.clock_mhz, 1e4);
    struct tmp_chip t;
    write_chip(&t, 2, "clock_mhz = 0.5 ; ASSUMED: test", NULL);
    expect_fail(&t, TPUSIM_ERR_PARSE, ":2: chip.clock_mhz: 0.5 is outside [1, 10000] MHz: ", NULL);
}
END_TEST

START_TEST(base_test_file_loads)
{
    struct tmp_chip t;
    write_chip(&t, 0, NULL, NULL);
    struct chip c;
    char err[1024];
    int rc = chip_load(NULL, t.path, NULL, 0, &c, err, sizeof err);
    /* the same file found by name under a models directory */
    struct chip byname;
    char dir[64], name[64];
    snprintf(dir, sizeof dir, "%s", t.dir);
    char *slash = strrchr(dir, '/');
    snprintf(name, sizeof name, "%s", slash + 1);
    *slash = '\0';
    int rc2 = chip_load(dir, name, NULL, 0, &byname, err, sizeof err);
    remove_chip(&t);
    ck_assert_msg(rc == 0, "%s", err);
    ck_assert_msg(rc2 == 0, "%s", err);
    ck_assert_str_eq(byname.name, name);
    ck_assert_double_eq_tol(c.peak_flops_per_s, 8.0 * 8 * 2 * 1e9, 1);
    ck_assert_double_eq_tol(c.hbm_bytes_per_cycle, 100.0, 1e-9); /* 100e9 / 1e9 */
}
END_TEST

START_TEST(unknown_key_names_file_line_and_key)
{
    struct tmp_chip t;
    write_chip(&t, 7, "rowz = 8 ; ASSUMED: typo", NULL);
    char want[160];
    snprintf(want, sizeof want, "%s:7:", t.path);
    expect_fail(&t, TPUSIM_ERR_PARSE, want, "mxu.rowz: unknown key");
}
END_TEST

START_TEST(unknown_section_is_an_error)
{
    struct tmp_chip t;
    write_chip(&t, 0, NULL, "[npu]");
    expect_fail(&t, TPUSIM_ERR_PARSE, "[npu]: unknown section", NULL);
}
END_TEST

START_TEST(missing_key_names_key_and_file)
{
    struct tmp_chip t;
    write_chip(&t, 8, NULL, NULL); /* drop mxu.cols */
    char want[160];
    snprintf(want, sizeof want, "%s: mxu.cols: missing key", t.path);
    expect_fail(&t, TPUSIM_ERR_PARSE, want, NULL);
}
END_TEST

START_TEST(malformed_number_is_an_error)
{
    struct tmp_chip t;
    write_chip(&t, 2, "clock_mhz = 1.2.3 ; ASSUMED: test", NULL);
    expect_fail(&t, TPUSIM_ERR_PARSE, ":2: chip.clock_mhz: malformed number '1.2.3'", NULL);
}
END_TEST

START_TEST(fraction_where_whole_number_needed_is_an_error)
{
    struct tmp_chip t;
    write_chip(&t, 3, "cores = 1.5 ; ASSUMED: test", NULL);
    expect_fail(&t, TPUSIM_ERR_PARSE, ":3: chip.cores: malformed number '1.5'", NULL);
}
END_TEST

START_TEST(zero_rows_is_an_error)
{
    struct tmp_chip t;
    write_chip(&t, 7, "rows = 0 ; ASSUMED: test", NULL);
    expect_fail(&t, TPUSIM_ERR_PARSE, ":7: mxu.rows: 0 is outside [1, 4096]: ", NULL);
}
END_TEST

START_TEST(negative_bandwidth_is_an_error)
{
    struct tmp_chip t;
    write_chip(&t, 34, "bandwidth_gbps = -1 ; ASSUMED: test", NULL);
    expect_fail(&t, TPUSIM_ERR_PARSE, ":34: host_link.bandwidth_gbps: -1 is outside [0.01, 10000] GB/s or 0: ", NULL);
}
END_TEST

START_TEST(bad_enum_and_bool_are_errors)
{
    struct tmp_chip t;
    write_chip(&t, 5, "kind = photonic ; ASSUMED: test", NULL);
    expect_fail(&t, TPUSIM_ERR_PARSE,
                ":5: mxu.kind: expected systolic or tensor_cores, got 'photonic'", NULL);
    write_chip(&t, 49, "default_stack = ../xla ; ASSUMED: test", NULL);
    expect_fail(&t, TPUSIM_ERR_PARSE, ":49: compiler.default_stack: expected a name", NULL);
    write_chip(&t, 10, "bf16 = yes ; ASSUMED: test", NULL);
    expect_fail(&t, TPUSIM_ERR_PARSE, "mxu.bf16: expected true or false, got 'yes'", NULL);
}
END_TEST

START_TEST(missing_source_comment_is_an_error)
{
    struct tmp_chip t;
    write_chip(&t, 14, "lanes = 8", NULL);
    expect_fail(&t, TPUSIM_ERR_PARSE, ":14: vpu.lanes: no source", NULL);
    /* a comment that is not a source/ASSUMED note does not count */
    write_chip(&t, 14, "lanes = 8 ; eight lanes", NULL);
    expect_fail(&t, TPUSIM_ERR_PARSE, ":14: vpu.lanes: no source", NULL);
    /* the note above a key must be directly above it */
    /* a blank line between the note and hbm.bandwidth_gbps, which moves to line 27 */
    write_chip(&t, 25, "; source: the line above a key counts as its note\n", NULL);
    expect_fail(&t, TPUSIM_ERR_PARSE, ":27: hbm.bandwidth_gbps: no source", NULL);
}
END_TEST

START_TEST(empty_note_is_an_error)
{
    struct tmp_chip t;
    write_chip(&t, 14, "lanes = 8 ; source:", NULL);
    expect_fail(&t, TPUSIM_ERR_PARSE, ":14: vpu.lanes: empty note", NULL);
}
END_TEST

START_TEST(duplicate_key_is_an_error)
{
    struct tmp_chip t;
    write_chip(&t, 0, NULL, "default_stack = tensorrt ; ASSUMED: again");
    expect_fail(&t, TPUSIM_ERR_PARSE, ":50: compiler.default_stack: duplicate key",
                "first set at line 49");
}
END_TEST

START_TEST(overlong_line_is_an_error)
{
    struct tmp_chip t;
    char line[400];
    memset(line, 'x', sizeof line);
    memcpy(line, "; ASSUMED: ", 11);
    line[sizeof line - 1] = '\0';
    write_chip(&t, 0, NULL, line);
    expect_fail(&t, TPUSIM_ERR_PARSE, ":50: line too long", NULL);
}
END_TEST

START_TEST(unknown_chip_name_lists_available)
{
    struct chip c;
    char err[1024];
    int rc = chip_load(tu_chips_dir(), "tpu_v9", NULL, 0, &c, err, sizeof err);
    ck_assert_int_eq(rc, TPUSIM_ERR_ARG);
    ck_assert_msg(strstr(err, "unknown chip 'tpu_v9'") && strstr(err, "tpu_v3") &&
                      strstr(err, "edgetpu"),
                  "%s", err);
}
END_TEST

START_TEST(unreadable_file_is_an_io_error)
{
    struct chip c;
    char err[1024];
    int rc = chip_load(NULL, "/tmp/tpusim_no_such_dir/chip.ini", NULL, 0, &c, err, sizeof err);
    ck_assert_int_eq(rc, TPUSIM_ERR_IO);
    ck_assert_msg(strstr(err, "/tmp/tpusim_no_such_dir/chip.ini: cannot open"), "%s", err);
}
END_TEST

Suite *chip_suite(void)
{
    Suite *s = suite_create("chip");
    TCase *tc = tcase_create("models");
    tcase_add_test(tc, peak_reproduces_published_tpu_v2);
    tcase_add_test(tc, peak_reproduces_published_tpu_v3);
    tcase_add_test(tc, peak_reproduces_published_tpu_v4i);
    tcase_add_test(tc, peak_reproduces_published_edgetpu);
    tcase_add_test(tc, edgetpu_hosts_differ_only_in_their_host_link);
    tcase_add_test(tc, hbm_bytes_per_cycle_is_bandwidth_over_clock);
    tcase_add_test(tc, latencies_convert_to_cycles_once_at_load);
    tcase_add_test(tc, override_per_core_8_doubles_v4i_peak);
    tcase_add_test(tc, override_last_one_wins_and_is_noted);
    tcase_add_test(tc, override_unknown_key_names_it);
    tcase_add_test(tc, override_bad_value_is_refused);
    tcase_add_test(tc, every_chip_in_models_loads_and_list_finds_the_five);
    tcase_add_test(tc, dump_has_every_key_with_unit_note_and_line);
    tcase_add_test(tc, text_in_memory_loads_as_the_file_does);
    suite_add_tcase(s, tc);
    TCase *bad = tcase_create("bad_files");
    tcase_add_test(bad, base_test_file_loads);
    tcase_add_test(bad, every_number_of_every_chip_has_a_range_it_lies_in);
    tcase_add_test(bad, values_outside_their_physical_range_are_refused);
    tcase_add_test(bad, unknown_key_names_file_line_and_key);
    tcase_add_test(bad, unknown_section_is_an_error);
    tcase_add_test(bad, missing_key_names_key_and_file);
    tcase_add_test(bad, malformed_number_is_an_error);
    tcase_add_test(bad, fraction_where_whole_number_needed_is_an_error);
    tcase_add_test(bad, zero_rows_is_an_error);
    tcase_add_test(bad, negative_bandwidth_is_an_error);
    tcase_add_test(bad, bad_enum_and_bool_are_errors);
    tcase_add_test(bad, missing_source_comment_is_an_error);
    tcase_add_test(bad, empty_note_is_an_error);
    tcase_add_test(bad, duplicate_key_is_an_error);
    tcase_add_test(bad, overlong_line_is_an_error);
    tcase_add_test(bad, unknown_chip_name_lists_available);
    tcase_add_test(bad, unreadable_file_is_an_io_error);
    suite_add_tcase(s, bad);
    return s;
}
