/*
 * cli_scalesim.c — `tpusim scalesim`: SCALE-Sim's topology and config
 * files in, its three report files out (OUTDIR/<run_name>/), the compute
 * cycles of its ws, os and is dataflows to the cycle (sim/scalesim.h, docs/scalesim.md).
 * Values are printed as SCALE-Sim's Python prints them (str of an int or a
 * float), so its reports and ours compare as text.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "scalesim.h"

static void usage(FILE *f)
{
    fputs("usage: tpusim scalesim -t TOPOLOGY.csv -c CONFIG.cfg [-p OUTDIR] [-i conv|gemm]\n"
          "\n"
          "Runs a SCALE-Sim topology on tpusim's systolic array of the config's\n"
          "ArrayHeight x ArrayWidth and Dataflow (ws: weights held, os: outputs held,\n"
          "is: inputs held) and writes SCALE-Sim's reports, COMPUTE_REPORT.csv,\n"
          "BANDWIDTH_REPORT.csv and DETAILED_ACCESS_REPORT.csv, to OUTDIR/<run_name>/\n"
          "(run_name from the config). Total Cycles equal SCALE-Sim's for each dataflow\n"
          "with memory that never stalls (InterfaceBandwidth: CALC).\n"
          "\n"
          "options (SCALE-Sim's own):\n"
          "  -t FILE     topology CSV: one row per layer after a header row; conv rows are\n"
          "              name, IFMAP height, IFMAP width, filter height, filter width,\n"
          "              channels, filters, stride[, stride width]; with -i gemm: name, M, N, K\n"
          "  -c FILE     config file: [general] run_name, [architecture_presets] ArrayHeight,\n"
          "              ArrayWidth, SRAM sizes, Dataflow, Bandwidth, [run_presets]\n"
          "              InterfaceBandwidth (CALC or USER)\n"
          "  -p OUTDIR   where the run_name folder goes (default: .)\n"
          "  -i TYPE     conv (default) or gemm\n"
          "  -h, --help  this help\n"
          "\n"
          "Which report columns are exact, approximate or absent: docs/scalesim.md.\n",
          f);
}

struct scalesim_opts {
    const char *topology, *config, *outdir;
    bool gemm;
};

static int option(const struct cli_args *a, int argc, char **argv, int *i)
{
    struct scalesim_opts *o = a->ctx;
    bool bad = false;
    const char *v;
    if ((v = cli_opt_value("-t", argc, argv, i, &bad)))
        o->topology = v;
    else if ((v = cli_opt_value("-c", argc, argv, i, &bad)))
        o->config = v;
    else if ((v = cli_opt_value("-p", argc, argv, i, &bad)))
        o->outdir = v;
    else if ((v = cli_opt_value("-i", argc, argv, i, &bad))) {
        if (strcmp(v, "gemm") != 0 && strcmp(v, "conv") != 0) {
            fprintf(stderr, "tpusim scalesim: -i '%s': conv or gemm\n", v);
            return CLI_BAD;
        }
        o->gemm = strcmp(v, "gemm") == 0;
    }
    return bad ? CLI_BAD : v ? CLI_TAKEN : CLI_NOT_OURS;
}

static int positional(const struct cli_args *a, const char *arg)
{
    (void)a;
    fprintf(stderr, "tpusim scalesim: unexpected argument '%s' (files go after -t and -c)\n",
            arg);
    return CLI_BAD;
}

/* Python's repr of a float (what SCALE-Sim's str() writes): the shortest
 * digits that read back as x; positional from 1e-4 up to 1e16, else
 * d.ddde+XX. */
static void py_float(double x, char *buf, size_t len)
{
    if (!isfinite(x)) {
        snprintf(buf, len, "%s", isnan(x) ? "nan" : x > 0 ? "inf" : "-inf");
        return;
    }
    /* The fewest digits that round-trip: more digits round-trip too, so
     * search on the precision (17 significant digits always do). */
    char e[40];
    int lo = 0, hi = 16;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        snprintf(e, sizeof e, "%.*e", mid, x);
        if (strtod(e, NULL) == x)
            hi = mid;
        else
            lo = mid + 1;
    }
    snprintf(e, sizeof e, "%.*e", lo, x);
    /* e: [-]d[.ddd]e(+|-)XX */
    const char *s = e;
    const char *sign = *s == '-' ? "-" : "";
    s += *sign ? 1 : 0;
    char digits[24];
    size_t nd = 0;
    for (; *s != 'e'; s++)
        if (*s != '.')
            digits[nd++] = *s;
    digits[nd] = 0;
    int exp10 = atoi(s + 1);
    if (exp10 < -4 || exp10 >= 16) {
        snprintf(buf, len, "%s%c%s%se%c%02d", sign, digits[0], nd > 1 ? "." : "", digits + 1,
                 exp10 < 0 ? '-' : '+', abs(exp10));
        return;
    }
    char out[48];
    size_t o = 0;
    if (*sign)
        out[o++] = '-';
    if (exp10 < 0) {
        out[o++] = '0';
        out[o++] = '.';
        for (int z = -1; z > exp10; z--)
            out[o++] = '0';
        for (size_t d = 0; d < nd; d++)
            out[o++] = digits[d];
    } else {
        size_t int_digits = (size_t)exp10 + 1;
        for (size_t d = 0; d < int_digits; d++)
            out[o++] = d < nd ? digits[d] : '0';
        out[o++] = '.';
        if (nd > int_digits)
            for (size_t d = int_digits; d < nd; d++)
                out[o++] = digits[d];
        else
            out[o++] = '0';
    }
    out[o] = 0;
    snprintf(buf, len, "%s", out);
}

/* SCALE-Sim's report rows: "ID, v, v, ..., v,". */
static void put_float(FILE *f, double x)
{
    char b[80];
    py_float(x, b, sizeof b);
    fprintf(f, ", %s", b);
}

static void put_int(FILE *f, uint64_t x)
{
    fprintf(f, ", %llu", (unsigned long long)x);
}

/* A trace cycle: SCALE-Sim's trace matrices are numpy floats ("33.0"). */
static void put_cycle(FILE *f, uint64_t x)
{
    fprintf(f, ", %llu.0", (unsigned long long)x);
}

static const char COMPUTE_HEADER[] =
    "LayerID, Total Cycles, Stall Cycles, Overall Util %, Mapping Efficiency %, "
    "Compute Util %,\n";
static const char BANDWIDTH_HEADER[] =
    "LayerID, Avg IFMAP SRAM BW, Avg FILTER SRAM BW, Avg OFMAP SRAM BW, "
    "Avg IFMAP DRAM BW, Avg FILTER DRAM BW, Avg OFMAP DRAM BW,\n";
static const char DETAIL_HEADER[] =
    "LayerID, "
    "SRAM IFMAP Start Cycle, SRAM IFMAP Stop Cycle, SRAM IFMAP Reads, "
    "SRAM Filter Start Cycle, SRAM Filter Stop Cycle, SRAM Filter Reads, "
    "SRAM OFMAP Start Cycle, SRAM OFMAP Stop Cycle, SRAM OFMAP Writes, "
    "DRAM IFMAP Start Cycle, DRAM IFMAP Stop Cycle, DRAM IFMAP Reads, "
    "DRAM Filter Start Cycle, DRAM Filter Stop Cycle, DRAM Filter Reads, "
    "DRAM OFMAP Start Cycle, DRAM OFMAP Stop Cycle, DRAM OFMAP Writes,\n";

/* One layer's row in each report. DRAM columns are absent (empty): tpusim's
 * front end models no DRAM behind the SRAMs (docs/scalesim.md). */
static void write_rows(FILE *comp, FILE *bw, FILE *detail, size_t id,
                       const struct scalesim_layer_result *r)
{
    fprintf(comp, "%zu", id);
    put_int(comp, r->total_cycles);
    put_int(comp, r->stall_cycles);
    put_float(comp, r->overall_util_pct);
    put_float(comp, r->mapping_eff_pct);
    put_float(comp, r->compute_util_pct);
    fputs(",\n", comp);

    double cycles = (double)r->total_cycles;
    fprintf(bw, "%zu", id);
    put_float(bw, (double)r->ifmap_sram_reads / cycles);
    put_float(bw, (double)r->filter_sram_reads / cycles);
    put_float(bw, (double)r->ofmap_sram_writes / cycles);
    fputs(", , , ,\n", bw);

    fprintf(detail, "%zu", id);
    put_cycle(detail, r->ifmap_sram_start);
    put_cycle(detail, r->ifmap_sram_stop);
    put_int(detail, r->ifmap_sram_reads);
    put_cycle(detail, r->filter_sram_start);
    put_cycle(detail, r->filter_sram_stop);
    put_int(detail, r->filter_sram_reads);
    put_cycle(detail, r->ofmap_sram_start);
    put_cycle(detail, r->ofmap_sram_stop);
    put_int(detail, r->ofmap_sram_writes);
    fputs(", , , , , , , , , ,\n", detail);
}

/* OUTDIR and OUTDIR/run_name, created as SCALE-Sim does (one level each). */
static int make_dir(const char *path)
{
    if (mkdir(path, 0777) == 0 || errno == EEXIST)
        return 0;
    fprintf(stderr, "tpusim scalesim: cannot create '%s': %s\n", path, strerror(errno));
    return 1;
}

static FILE *open_report(const char *dir, const char *name, const char *header)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f)
        fprintf(stderr, "tpusim scalesim: cannot write '%s': %s\n", path, strerror(errno));
    else
        fputs(header, f);
    return f;
}

static int close_report(FILE *f, const char *dir, const char *name)
{
    if (!f)
        return 1;
    int bad = ferror(f);
    bad |= fclose(f) != 0;
    if (bad)
        fprintf(stderr, "tpusim scalesim: writing '%s/%s' failed\n", dir, name);
    return bad;
}

static int write_reports(const struct scalesim_config *cfg, const struct scalesim_topology *t,
                         const char *outdir)
{
    char dir[4096];
    int n = snprintf(dir, sizeof dir, "%s/%s", outdir, cfg->run_name);
    if (n < 0 || (size_t)n >= sizeof dir) {
        fprintf(stderr, "tpusim scalesim: output path too long\n");
        return 1;
    }
    if (make_dir(outdir) || make_dir(dir))
        return 1;
    FILE *comp = open_report(dir, "COMPUTE_REPORT.csv", COMPUTE_HEADER);
    FILE *bw = open_report(dir, "BANDWIDTH_REPORT.csv", BANDWIDTH_HEADER);
    FILE *detail = open_report(dir, "DETAILED_ACCESS_REPORT.csv", DETAIL_HEADER);
    uint64_t total = 0;
    if (comp && bw && detail)
        for (size_t i = 0; i < t->n; i++) {
            struct scalesim_layer_result r;
            scalesim_layer_run(cfg, &t->layers[i], &r);
            write_rows(comp, bw, detail, i, &r);
            total += r.total_cycles;
        }
    int rc = close_report(comp, dir, "COMPUTE_REPORT.csv");
    rc |= close_report(bw, dir, "BANDWIDTH_REPORT.csv");
    rc |= close_report(detail, dir, "DETAILED_ACCESS_REPORT.csv");
    if (rc)
        return 1;
    static const char *const dataflow_names[] = {"ws", "os", "is"};
    printf("%zu layers on a %llux%llu %s array: %llu compute cycles; reports in %s/\n", t->n,
           (unsigned long long)cfg->array_rows, (unsigned long long)cfg->array_cols,
           dataflow_names[cfg->dataflow],
           (unsigned long long)total, dir);
    return 0;
}

int cmd_scalesim(int argc, char **argv)
{
    struct scalesim_opts o = {.outdir = "."};
    const struct cli_args a = {.cmd = "scalesim", .usage = usage, .option = option,
                               .positional = positional, .ctx = &o};
    int rc = cli_parse_args(&a, argc, argv);
    if (rc >= 0)
        return rc;
    if (!o.topology || !o.config) {
        fprintf(stderr, "tpusim scalesim: -t TOPOLOGY.csv and -c CONFIG.cfg are both needed "
                        "(see tpusim scalesim --help)\n");
        return 2;
    }
    char err[1024];
    struct scalesim_config cfg;
    if (scalesim_config_load(o.config, &cfg, err, sizeof err) != 0) {
        fprintf(stderr, "tpusim scalesim: %s\n", err);
        return 1;
    }
    if (cfg.user_bandwidth)
        fprintf(stderr, "tpusim scalesim: note: %s: InterfaceBandwidth USER: the cycles are "
                        "those of memory that never stalls (SCALE-Sim's CALC); stalls from "
                        "Bandwidth %llu are not modelled\n",
                o.config, (unsigned long long)cfg.bandwidth_words_per_cycle);
    struct scalesim_topology t;
    if (scalesim_topology_load(o.topology, o.gemm, &t, err, sizeof err) != 0) {
        fprintf(stderr, "tpusim scalesim: %s\n", err);
        return 1;
    }
    rc = write_reports(&cfg, &t, o.outdir);
    scalesim_topology_free(&t);
    return rc;
}
