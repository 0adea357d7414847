/*
 * cli_zoo.c — `tpusim zoo`: the built-in model families with their MACs
 * and parameters beside the published figures; `tpusim zoo export NAME -o
 * FILE.onnx` writes one as an ONNX model.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "onnx_export.h"
#include "zoo.h"

static void zoo_usage(FILE *f)
{
    fprintf(f, "usage: tpusim zoo [--format text|csv]\n"
               "       tpusim zoo export NAME -o FILE.onnx [--batch N]\n"
               "\n"
               "Lists the model families built from their public definitions, with their\n"
               "MACs and parameters beside the published figures. Any command takes\n"
               "zoo:NAME where it takes a model file (tpusim run zoo:efficientnet-x-b3).\n"
               "`export` writes one as ONNX (weights as shape-only graph inputs).\n");
}

static void figure(char *buf, size_t len, double lo, double hi, double unit, const char *suffix)
{
    if (lo <= 0)
        snprintf(buf, len, "-");
    else
        snprintf(buf, len, "%.4g%s", (lo + hi) / 2 / unit, suffix);
}

static int zoo_list(enum cli_format fmt)
{
    if (fmt == FMT_CSV)
        printf("name,macs,params,published_macs,published_params,source\n");
    else
        printf("%-24s %10s %10s %10s %10s  %s\n", "family", "MACs", "params", "pub. MACs",
               "pub. params", "summary");
    for (size_t i = 0; i < zoo_count(); i++) {
        const struct zoo_family *f = zoo_get(i);
        tpusim_graph *g = NULL;
        tpusim_totals t;
        if (tpusim_graph_new(&g) || zoo_build(g, f->name, NULL) || tpusim_graph_totals(g, &t)) {
            fprintf(stderr, "tpusim zoo: %s: %s\n", f->name,
                    g ? tpusim_graph_errmsg(g) : "out of memory");
            tpusim_graph_close(g);
            return 1;
        }
        tpusim_graph_close(g);
        char pm[32], pp[32];
        if (fmt == FMT_CSV) {
            printf("%s,%llu,%llu,%.6g,%.6g,", f->name, (unsigned long long)t.macs,
                   (unsigned long long)t.params, f->macs_lo > 0 ? (f->macs_lo + f->macs_hi) / 2 : 0,
                   f->params_lo > 0 ? (f->params_lo + f->params_hi) / 2 : 0);
            csv_field(stdout, f->source);
            printf("\n");
            continue;
        }
        figure(pm, sizeof pm, f->macs_lo, f->macs_hi, 1e9, " G");
        figure(pp, sizeof pp, f->params_lo, f->params_hi, 1e6, " M");
        printf("%-24s %8.3f G %8.2f M %10s %10s  %s\n", f->name, (double)t.macs / 1e9,
               (double)t.params / 1e6, pm, pp, f->summary);
    }
    return 0;
}

static int zoo_export(int argc, char **argv)
{
    const char *name = NULL, *out = NULL;
    int64_t batch = 0;
    for (int i = 1; i < argc; i++) {
        bool bad = false;
        const char *v;
        if ((v = cli_opt_value("-o", argc, argv, &i, &bad)) ||
            (!bad && (v = cli_opt_value("--output", argc, argv, &i, &bad)))) {
            out = v;
        } else if (!bad && (v = cli_opt_value("--batch", argc, argv, &i, &bad))) {
            if (!cli_parse_int64(v, 1, INT64_C(1) << 32, &batch)) {
                fprintf(stderr, "tpusim zoo export: --batch needs a whole number >= 1, got '%s'\n",
                        v);
                return 2;
            }
        } else if (bad) {
            return 2;
        } else if (argv[i][0] == '-') {
            fprintf(stderr, "tpusim zoo export: unknown option '%s'\n", argv[i]);
            return 2;
        } else if (!name) {
            name = strncmp(argv[i], "zoo:", 4) == 0 ? argv[i] + 4 : argv[i];
        } else {
            fprintf(stderr, "tpusim zoo export: one model at a time ('%s')\n", argv[i]);
            return 2;
        }
    }
    if (!name || !out) {
        fprintf(stderr, "tpusim zoo export: needs NAME and -o FILE.onnx\n");
        return 2;
    }
    tpusim_graph *g = NULL;
    int rc = tpusim_graph_new(&g);
    if (!rc && batch)
        rc = tpusim_graph_set_batch(g, batch);
    if (!rc)
        rc = zoo_build(g, name, NULL);
    if (rc) {
        fprintf(stderr, "tpusim zoo export: %s\n", g ? tpusim_graph_errmsg(g) : "out of memory");
        tpusim_graph_close(g);
        return 1;
    }
    char err[512];
    rc = onnx_export_file(g, name, out, err, sizeof err);
    tpusim_graph_close(g);
    if (rc) {
        fprintf(stderr, "tpusim zoo export: %s\n", err);
        return 1;
    }
    return 0;
}

int cmd_zoo(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "export") == 0)
        return zoo_export(argc - 1, argv + 1);
    enum cli_format fmt = FMT_TEXT;
    for (int i = 1; i < argc; i++) {
        bool bad = false;
        const char *v;
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            zoo_usage(stdout);
            return 0;
        }
        if ((v = cli_opt_value("--format", argc, argv, &i, &bad))) {
            if (strcmp(v, "csv") == 0)
                fmt = FMT_CSV;
            else if (strcmp(v, "text") != 0) {
                fprintf(stderr, "tpusim zoo: --format must be text or csv, got '%s'\n", v);
                return 2;
            }
            continue;
        }
        if (!bad)
            fprintf(stderr, "tpusim zoo: unknown argument '%s' (see tpusim zoo --help)\n",
                    argv[i]);
        return 2;
    }
    return zoo_list(fmt);
}
