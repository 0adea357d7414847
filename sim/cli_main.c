/*
 * cli_main.c — the tpusim command: dispatches to subcommands.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static int cmd_demo(int argc, char **argv);

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} COMMANDS[] = {
    {"inspect", cmd_inspect, "shapes, MACs, parameters and bytes of every op of a model"},
    {"run", cmd_run, "simulate a model on a chip: cycles, time, utilisation, bound per op"},
    {"report", cmd_report, "per-op and per-model report: FLOPs vs real throughput, bounds, figures"},
    {"compare", cmd_compare, "a model on two chips side by side: speedups, bounds that moved, why"},
    {"sweep", cmd_sweep, "design-space sweeps: models x chips x parameter axes on threads, shards"},
    {"zoo", cmd_zoo, "model families from public definitions (zoo:NAME); export one as ONNX"},
    {"chips", cmd_chips, "list the chip models, or --dump one's every parameter with its source"},
    {"stacks", cmd_stacks, "list the software stacks (XLA, TensorRT, ...), or --dump one's values"},
    {"scalesim", cmd_scalesim, "SCALE-Sim's topology and config in, its reports out (ws, to the cycle)"},
    {"demo", cmd_demo, "simulate the built-in demo CNN on tpu_v3 (what `make demo` runs)"},
};

static void usage(FILE *f)
{
    fprintf(f,
            "tpusim %s — cycle-level simulator of ML accelerators\n"
            "\n"
            "usage: tpusim COMMAND [ARGS]\n"
            "       tpusim --version | --help\n"
            "\ncommands:\n",
            tpusim_version());
    for (size_t i = 0; i < sizeof COMMANDS / sizeof COMMANDS[0]; i++)
        fprintf(f, "  %-10s %s\n", COMMANDS[i].name, COMMANDS[i].summary);
    fprintf(f, "\nbuilt-in models (use as builtin:NAME where a model file goes):\n");
    for (size_t i = 0; i < tpusim_builtin_count(); i++) {
        const char *summary;
        const char *name = tpusim_builtin_name(i, &summary);
        fprintf(f, "  %-10s %s\n", name, summary);
    }
    fprintf(f, "\n`tpusim COMMAND --help` describes each command.\n");
}

static int cmd_demo(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    char *args[] = {"run", "builtin:demo-cnn", "--chip", "tpu_v3", NULL};
    return cmd_run(4, args);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
        printf("tpusim %s\n", tpusim_version());
        return 0;
    }
    for (size_t i = 0; i < sizeof COMMANDS / sizeof COMMANDS[0]; i++)
        if (strcmp(argv[1], COMMANDS[i].name) == 0)
            return COMMANDS[i].run(argc - 1, argv + 1);
    fprintf(stderr, "tpusim: unknown command '%s' (see tpusim --help)\n", argv[1]);
    return 2;
}
