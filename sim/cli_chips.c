/*
 * cli_chips.c — `tpusim chips`: one line per chip file under the models
 * directory (shape, clock, peak, HBM, on-chip memory), or `--dump NAME`:
 * every resolved value with its unit, line and source, after any --set.
 */
#include <stdlib.h>
#include <string.h>

#include "chip.h"
#include "cli.h"

static void usage(FILE *f)
{
    fputs("usage: tpusim chips [--dump NAME|FILE.ini [--set SECTION.KEY=VALUE ...]]\n"
          "\n"
          "With no options, lists the chip models under the models directory: cores x MXUs\n"
          "per core x MXU shape, clock, peak TFLOP/s (computed from the file's own values),\n"
          "HBM bandwidth, the default software stack (tpusim stacks) and on-chip memory.\n"
          "\n"
          "options:\n"
          "  --dump NAME        print every resolved value of chip NAME (or a .ini file)\n"
          "                     with its unit, line and source, then the derived values\n"
          "  --set S.KEY=VALUE  with --dump: replace a value of the file (repeatable),\n"
          "                     e.g. --set mxu.per_core=8 --set hbm.bandwidth_gbps=1200\n"
          "  -h, --help         this help\n"
          "\n"
          "The models directory is $TPUSIM_MODELS_DIR, else the models/ folder beside the\n"
          "tpusim executable (or PREFIX/share/tpusim/models once installed).\n"
          "The chip file format is described in docs/chips.md.\n",
          f);
}

/* "16 MiB" / "3 MiB" / "512 KiB" / "1000 bytes". */
static void bytes_text(uint64_t b, char *buf, size_t len)
{
    if (b && b % (1024 * 1024) == 0)
        snprintf(buf, len, "%llu MiB", (unsigned long long)(b >> 20));
    else if (b >= 1024 * 1024)
        snprintf(buf, len, "%.1f MiB", (double)b / (1024.0 * 1024.0));
    else if (b && b % 1024 == 0)
        snprintf(buf, len, "%llu KiB", (unsigned long long)(b >> 10));
    else
        snprintf(buf, len, "%llu bytes", (unsigned long long)b);
}

static void on_chip_text(const struct chip *c, char *buf, size_t len)
{
    char v[32], m[32], p[32];
    bytes_text(c->vmem_bytes, v, sizeof v);
    const char *what = c->mxu_kind == MATRIX_TENSOR_CORES ? "L2" : "VMEM";
    size_t off;
    if (c->cores > 1)
        off = (size_t)snprintf(buf, len, "%dx%s %s", c->cores, v, what);
    else
        off = (size_t)snprintf(buf, len, "%s %s", v, what);
    if (c->cmem_bytes && off < len) {
        bytes_text(c->cmem_bytes, m, sizeof m);
        off += (size_t)snprintf(buf + off, len - off, " + %s CMEM", m);
    }
    if (c->param_cache_bytes && off < len) {
        bytes_text(c->param_cache_bytes, p, sizeof p);
        snprintf(buf + off, len - off, " + %s param cache", p);
    }
}

static int list_chips(const char *dir)
{
    char **names;
    int n;
    if (chip_list(dir, &names, &n)) {
        fprintf(stderr, "tpusim chips: cannot read the models directory '%s'\n", dir);
        return 1;
    }
    if (n == 0) {
        fprintf(stderr, "tpusim chips: no chip files (NAME/chip.ini) under '%s'\n", dir);
        ini_free_names(names, n);
        return 1;
    }
    int rc = 0;
    printf("%-12s %-22s %9s %16s %9s  %-14s  %s\n", "chip", "cores x MXU x RxC", "clock",
           "peak", "HBM", "stack", "on-chip memory");
    for (int i = 0; i < n; i++) {
        struct chip c;
        char err[1024];
        if (chip_load(dir, names[i], NULL, 0, &c, err, sizeof err)) {
            fprintf(stderr, "tpusim chips: %s\n", err);
            rc = 1;
            continue;
        }
        char shape[48], clock[24], peak[32], hbm[24], mem[96];
        bool gpu = c.mxu_kind == MATRIX_TENSOR_CORES;
        if (gpu)
            snprintf(shape, sizeof shape, "%d SMs x %d TCs", c.gpu_sms, c.gpu_tensor_cores_per_sm);
        else
            snprintf(shape, sizeof shape, "%d x %d x %dx%d", c.cores, c.mxu_per_core, c.mxu_rows,
                     c.mxu_cols);
        snprintf(clock, sizeof clock, "%g MHz", c.clock_mhz);
        /* int8-only arrays count operations, not floating-point ones */
        snprintf(peak, sizeof peak, "%.1f %s", c.peak_flops_per_s / 1e12,
                 gpu ? "TFLOP/s fp16" : c.mxu_bf16 ? "TFLOP/s" : "TOP/s int8");
        if (c.hbm_bandwidth_gbps > 0)
            snprintf(hbm, sizeof hbm, "%g GB/s", c.hbm_bandwidth_gbps);
        else
            snprintf(hbm, sizeof hbm, "none");
        on_chip_text(&c, mem, sizeof mem);
        printf("%-12s %-22s %9s %16s %9s  %-14s  %s\n", c.name, shape, clock, peak, hbm,
               c.default_stack, mem);
    }
    ini_free_names(names, n);
    return rc;
}

/* Display width of UTF-8 text (µ is two bytes, one column). */
static int width(const char *s)
{
    int w = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            w++;
    return w;
}

/* s, then spaces to column w (two at least when s is wider). */
static void pad(const char *s, int w)
{
    fputs(s, stdout);
    int at = width(s);
    for (int i = at; i < (at + 2 > w ? at + 2 : w); i++)
        putchar(' ');
}

void cli_print_values(const char *name, const char *path, const struct ini_value *v, int n)
{
    printf("%s (%s)\n\n", name, path);
    enum { WIDEST_VALUE = 40 }; /* longer values (op lists) run over their column */
    int wk = width("key"), wv = width("value"), wu = width("unit"), wr = width("range");
    for (int i = 0; i < n; i++) {
        if (width(v[i].key) > wk)
            wk = width(v[i].key);
        if (width(v[i].value) > wv && width(v[i].value) <= WIDEST_VALUE)
            wv = width(v[i].value);
        if (width(v[i].unit) > wu)
            wu = width(v[i].unit);
        if (width(v[i].range) > wr)
            wr = width(v[i].range);
    }
    pad("key", wk + 2);
    pad("value", wv + 2);
    pad("unit", wu + 2);
    pad("range", wr + 2);
    printf("%5s  %s\n", "line", "source");
    for (int i = 0; i < n; i++) {
        pad(v[i].key, wk + 2);
        pad(v[i].value, wv + 2);
        pad(v[i].unit, wu + 2);
        pad(v[i].range, wr + 2);
        if (v[i].line)
            printf("%5d  %s\n", v[i].line, v[i].note);
        else
            printf("%5s  %s\n", "-", v[i].note);
    }
}

static int dump_chip(const char *dir, const char *name, const char *const *sets, int n_sets)
{
    struct ini_value *v;
    int n;
    char err[1024];
    struct chip c;
    if (chip_dump(dir, name, sets, n_sets, &v, &n, &c, err, sizeof err)) {
        fprintf(stderr, "tpusim chips: %s\n", err);
        return 1;
    }
    cli_print_values(c.name, c.path, v, n);
    free(v);
    return 0;
}

int cli_dump_args(const char *cmd, void (*print_usage)(FILE *f), const char *set_flag, int argc,
                  char **argv, const char **dump, const char **sets, int *n_sets)
{
    *dump = NULL;
    *n_sets = 0;
    for (int i = 1; i < argc; i++) {
        bool bad = false;
        const char *v;
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            print_usage(stdout);
            return 0;
        }
        if ((v = cli_opt_value("--dump", argc, argv, &i, &bad))) {
            if (*dump) {
                fprintf(stderr, "tpusim %s: one --dump at a time ('%s' and '%s')\n", cmd, *dump,
                        v);
                return 2;
            }
            *dump = v;
            continue;
        }
        if (!bad && (v = cli_opt_value(set_flag, argc, argv, &i, &bad))) {
            /* As `run` checks it: the rest of the format is the loader's to judge. */
            if (!strchr(v, '=')) {
                fprintf(stderr, "tpusim %s: %s needs SECTION.KEY=VALUE, got '%s'\n", cmd,
                        set_flag, v);
                return 2;
            }
            if (*n_sets == CLI_MAX_SETS) {
                fprintf(stderr, "tpusim %s: too many %s options (at most %d)\n", cmd, set_flag,
                        CLI_MAX_SETS);
                return 2;
            }
            sets[(*n_sets)++] = v;
            continue;
        }
        if (bad)
            return 2;
        if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "tpusim %s: unknown option '%s' (see tpusim %s --help)\n", cmd,
                    argv[i], cmd);
            return 2;
        }
        fprintf(stderr, "tpusim %s: unexpected argument '%s' (did you mean --dump %s?)\n", cmd,
                argv[i], argv[i]);
        return 2;
    }
    if (*n_sets && !*dump) {
        fprintf(stderr, "tpusim %s: %s needs --dump NAME\n", cmd, set_flag);
        return 2;
    }
    return -1;
}

int cmd_chips(int argc, char **argv)
{
    const char *dump;
    const char *sets[CLI_MAX_SETS];
    int n_sets;
    int rc = cli_dump_args("chips", usage, "--set", argc, argv, &dump, sets, &n_sets);
    if (rc >= 0)
        return rc;
    const char *dir = cli_models_dir();
    return dump ? dump_chip(dir, dump, sets, n_sets) : list_chips(dir);
}
