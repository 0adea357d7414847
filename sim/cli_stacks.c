/*
 * cli_stacks.c — `tpusim stacks`: one line per software-stack profile under
 * models/stacks (what it targets, what fuses, host ops, overheads, layout
 * tile, the chips it is the default of), or `--dump NAME`: every resolved
 * value with its unit, line and source, after any --set.
 */
#include <stdlib.h>
#include <string.h>

#include "chip.h"
#include "cli.h"
#include "stack.h"

static void usage(FILE *f)
{
    fputs("usage: tpusim stacks [--dump NAME|FILE.ini [--stack-set SECTION.KEY=VALUE ...]]\n"
          "\n"
          "With no options, lists the software-stack profiles under the models directory\n"
          "(models/stacks/NAME.ini): the chips each targets, what fuses into a matrix op's,\n"
          "a pointwise op's and a pooling/reduction op's kernel, the ops left to the host\n"
          "CPU, the overheads per kernel (host dispatch, device gap) and per inference,\n"
          "the layout tile, and the chips whose default it is.\n"
          "\n"
          "options:\n"
          "  --dump NAME        print every resolved value of stack NAME (or a .ini file)\n"
          "                     with its unit, line and source\n"
          "  --stack-set S.KEY=VALUE  with --dump: replace a value of the file\n"
          "                     (repeatable), e.g. --stack-set overhead.gap_us_per_kernel=1\n"
          "  -h, --help         this help\n"
          "\n"
          "tpusim run, report and compare take --stack NAME (and --stack-set S.KEY=VALUE);\n"
          "each chip names its default stack (tpusim chips). The stack file format is\n"
          "described in docs/stacks.md.\n",
          f);
}

/* "all", "none" or "N ops". */
static void set_text(const struct op_set *set, char *buf, size_t len)
{
    int n = 0;
    for (int t = 0; t < OP_COUNT; t++)
        n += set->op[t];
    if (set->all)
        snprintf(buf, len, "all");
    else if (!n)
        snprintf(buf, len, "none");
    else
        snprintf(buf, len, "%d op%s", n, n == 1 ? "" : "s");
}

/* The chips under dir whose default stack is `name`, "-" when none. */
static void defaults_text(const char *dir, const char *name, char *buf, size_t len)
{
    char **chips;
    int n;
    size_t off = 0;
    buf[0] = '\0';
    if (chip_list(dir, &chips, &n) == 0) {
        for (int i = 0; i < n && off < len; i++) {
            struct chip c;
            char err[1024];
            if (chip_load(dir, chips[i], NULL, 0, &c, err, sizeof err) == 0 &&
                strcmp(c.default_stack, name) == 0)
                off += (size_t)snprintf(buf + off, len - off, "%s%s", off ? "," : "", c.name);
        }
        ini_free_names(chips, n);
    }
    if (!buf[0])
        snprintf(buf, len, "-");
}

static int list_stacks(const char *dir)
{
    char **names;
    int n;
    if (stack_list(dir, &names, &n)) {
        fprintf(stderr, "tpusim stacks: cannot read '%s/stacks'\n", dir);
        return 1;
    }
    if (n == 0) {
        fprintf(stderr, "tpusim stacks: no stack files (stacks/NAME.ini) under '%s'\n", dir);
        ini_free_names(names, n);
        return 1;
    }
    int rc = 0;
    printf("%-16s %-14s %-22s %-16s %16s  %-16s  %s\n", "stack", "targets",
           "fuse: matrix/pw/vector", "host ops", "us: kernel/gap/inf", "layout tile",
           "default for");
    for (int i = 0; i < n; i++) {
        struct stack s;
        char err[1024];
        if (stack_load(dir, names[i], NULL, 0, &s, err, sizeof err)) {
            fprintf(stderr, "tpusim stacks: %s\n", err);
            rc = 1;
            continue;
        }
        char targets[128], fm[16], fp[16], fv[16], fuse[64], host[32], host_ops[48], us[48],
            tile[48], defaults[128];
        stack_targets_text(&s, targets, sizeof targets);
        set_text(&s.fuse[FUSE_INTO_MATRIX], fm, sizeof fm);
        set_text(&s.fuse[FUSE_INTO_POINTWISE], fp, sizeof fp);
        set_text(&s.fuse[FUSE_INTO_VECTOR], fv, sizeof fv);
        snprintf(fuse, sizeof fuse, "%s/%s/%s", fm, fp, fv);
        set_text(&s.host_ops, host, sizeof host);
        snprintf(host_ops, sizeof host_ops, "%s%s", host,
                 s.host_fallback == HOST_FALLBACK_REST_OF_GRAPH ? " +rest" : "");
        snprintf(us, sizeof us, "%g/%g/%g", s.dispatch_us_per_kernel, s.gap_us_per_kernel,
                 s.invoke_us_per_inference);
        snprintf(tile, sizeof tile, "%s %dx%d",
                 s.layout_order == LAYOUT_CHANNELS_LAST ? "NHWC" : "as-is",
                 s.tile_second_minor_elems, s.tile_minor_16bit_elems);
        defaults_text(dir, s.name, defaults, sizeof defaults);
        printf("%-16s %-14s %-22s %-16s %16s  %-16s  %s\n", s.name, targets, fuse, host_ops, us,
               tile, defaults);
    }
    ini_free_names(names, n);
    return rc;
}

static int dump_stack(const char *dir, const char *name, const char *const *sets, int n_sets)
{
    struct ini_value *v;
    int n;
    char err[1024];
    struct stack s;
    if (stack_dump(dir, name, sets, n_sets, &v, &n, &s, err, sizeof err)) {
        fprintf(stderr, "tpusim stacks: %s\n", err);
        return 1;
    }
    cli_print_values(s.name, s.path, v, n);
    free(v);
    return 0;
}

int cmd_stacks(int argc, char **argv)
{
    const char *dump;
    const char *sets[CLI_MAX_SETS];
    int n_sets;
    int rc = cli_dump_args("stacks", usage, "--stack-set", argc, argv, &dump, sets, &n_sets);
    if (rc >= 0)
        return rc;
    const char *dir = cli_models_dir();
    return dump ? dump_stack(dir, dump, sets, n_sets) : list_stacks(dir);
}
