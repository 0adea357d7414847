/*
 * cli_report.c — `tpusim report`: the per-op and per-model report of a
 * simulation (sim/report.h) as aligned text, CSV, JSON, Markdown or a LaTeX
 * booktabs table, with figures (--plot DIR) and a trace (--trace). Also
 * the table printer and the gnuplot runner that `compare` shares.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "engine.h"
#include "plot.h"
#include "report.h"
#include "sched_event.h"
#include "text.h"

/* ------------------------------------------------------------- tables */

void cli_table_init(struct cli_table *t, int ncols, const char *const *head, const char *align)
{
    memset(t, 0, sizeof *t);
    t->ncols = ncols;
    t->head = head;
    t->align = align;
}

void cli_table_cell(struct cli_table *t, const char *fmt, ...)
{
    if (t->oom)
        return;
    if (t->n == t->cap) {
        int cap = t->cap ? 2 * t->cap : 64;
        char **c = realloc(t->cells, (size_t)cap * sizeof *c);
        if (!c) {
            t->oom = true;
            return;
        }
        t->cells = c;
        t->cap = cap;
    }
    va_list ap;
    va_start(ap, fmt);
    char buf[512], safe[sizeof buf * 4];
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    t->cells[t->n] = strdup(text_safe(buf, safe, sizeof safe)); /* names from model files */
    if (!t->cells[t->n])
        t->oom = true;
    else
        t->n++;
}

void cli_table_free(struct cli_table *t)
{
    for (int i = 0; i < t->n; i++)
        free(t->cells[i]);
    free(t->cells);
    memset(t, 0, sizeof *t);
}

int cli_table_finish(struct cli_table *t, enum cli_rich_format fmt, const char *caption)
{
    int rc = t->oom;
    if (!rc)
        cli_table_print(stdout, t, fmt, caption);
    cli_table_free(t);
    return rc;
}

void cli_table_name(struct cli_table *t, const char *name, size_t width)
{
    char fit[512];
    cli_table_cell(t, "%s", width ? cli_fit_name(name, width, fit, sizeof fit) : name);
}

const char *cli_fit_name(const char *name, size_t width, char *buf, size_t len)
{
    char safe[2048], shorter[2048];
    text_short_name(text_safe(name, safe, sizeof safe), shorter, sizeof shorter);
    return text_fit(shorter, width, buf, len);
}

void cli_latex_text(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '_': case '%': case '&': case '#': case '$': case '{': case '}':
            fprintf(f, "\\%c", *s);
            break;
        case '~': fputs("\\textasciitilde{}", f); break;
        case '^': fputs("\\textasciicircum{}", f); break;
        case '\\': fputs("\\textbackslash{}", f); break;
        case '>': fputs("\\textgreater{}", f); break;
        case '<': fputs("\\textless{}", f); break;
        default: fputc(*s, f);
        }
    }
}

static void md_text(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (*s == '|')
            fputc('\\', f);
        fputc(*s, f);
    }
}

static void print_cell(FILE *f, const char *s, enum cli_rich_format fmt)
{
    if (fmt == RF_LATEX)
        cli_latex_text(f, s);
    else if (fmt == RF_MARKDOWN)
        md_text(f, s);
    else if (fmt == RF_CSV)
        csv_field(f, s);
    else
        fputs(s, f);
}

static void text_row(FILE *f, const struct cli_table *t, const char *const *row, const int *w)
{
    for (int c = 0; c < t->ncols; c++) {
        bool last = c == t->ncols - 1;
        if (t->align[c] == 'r')
            fprintf(f, "%*s", w[c], row[c]);
        else
            fprintf(f, "%-*s", last ? 0 : w[c], row[c]);
        fputs(last ? "\n" : "  ", f);
    }
}

void cli_table_print(FILE *f, const struct cli_table *t, enum cli_rich_format fmt,
                     const char *caption)
{
    int rows = t->n / t->ncols;
    if (fmt == RF_TEXT) {
        int w[64] = {0};
        for (int c = 0; c < t->ncols && c < 64; c++) {
            w[c] = (int)strlen(t->head[c]);
            for (int r = 0; r < rows; r++) {
                int l = (int)strlen(t->cells[r * t->ncols + c]);
                w[c] = l > w[c] ? l : w[c];
            }
        }
        if (caption)
            fprintf(f, "%s\n", caption);
        text_row(f, t, t->head, w);
        for (int r = 0; r < rows; r++)
            text_row(f, t, (const char *const *)&t->cells[r * t->ncols], w);
        fputc('\n', f);
        return;
    }
    /* Long tables break across pages (longtable, its head repeated); wide
     * ones are set smaller to fit a page. */
    bool long_table = fmt == RF_LATEX && rows > CLI_LATEX_FLOAT_ROWS;
    const char *size = t->ncols > 6 ? "\\scriptsize\\setlength{\\tabcolsep}{3pt}" : "\\small";
    if (fmt == RF_LATEX && long_table) {
        fprintf(f, "{%s\n\\begin{longtable}{%s}\n", size, t->align);
        if (caption) {
            fputs("\\caption{", f);
            cli_latex_text(f, caption);
            fputs("}\\\\\n", f);
        }
        fputs("\\toprule\n", f);
    } else if (fmt == RF_LATEX) {
        fprintf(f, "\\begin{table}[t]\n\\centering\n%s\n", size);
        if (caption) {
            fputs("\\caption{", f);
            cli_latex_text(f, caption);
            fputs("}\n", f);
        }
        fprintf(f, "\\begin{tabular}{%s}\n\\toprule\n", t->align);
    } else if (fmt == RF_MARKDOWN && caption) {
        fputs("**", f);
        md_text(f, caption);
        fputs("**\n\n", f);
    }
    const char *sep = fmt == RF_LATEX ? " & " : fmt == RF_MARKDOWN ? " | " : ",";
    for (int r = -1; r < rows; r++) {
        if (fmt == RF_MARKDOWN)
            fputs("| ", f);
        for (int c = 0; c < t->ncols; c++) {
            print_cell(f, r < 0 ? t->head[c] : t->cells[r * t->ncols + c], fmt);
            if (c < t->ncols - 1)
                fputs(sep, f);
        }
        fputs(fmt == RF_LATEX ? " \\\\\n" : fmt == RF_MARKDOWN ? " |\n" : "\n", f);
        if (r < 0 && long_table) { /* the head again on every later page */
            fputs("\\midrule\n\\endfirsthead\n\\toprule\n", f);
            for (int c = 0; c < t->ncols; c++) {
                print_cell(f, t->head[c], fmt);
                fputs(c < t->ncols - 1 ? sep : " \\\\\n", f);
            }
            fputs("\\midrule\n\\endhead\n\\bottomrule\n\\endfoot\n", f);
        } else if (r < 0 && fmt == RF_LATEX) {
            fputs("\\midrule\n", f);
        }
        if (r < 0 && fmt == RF_MARKDOWN) {
            fputs("|", f);
            for (int c = 0; c < t->ncols; c++)
                fputs(t->align[c] == 'r' ? "---:|" : ":---|", f);
            fputc('\n', f);
        }
    }
    if (long_table)
        fputs("\\end{longtable}\n}\n", f);
    else if (fmt == RF_LATEX)
        fputs("\\bottomrule\n\\end{tabular}\n\\end{table}\n", f);
    fputc('\n', f);
}

/* ------------------------------------------------------------ figures */

int cli_make_dir(const char *cmd, const char *dir)
{
    if (mkdir(dir, 0777) == 0 || errno == EEXIST) {
        struct stat st;
        if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
            return 0;
        fprintf(stderr, "tpusim %s: --plot %s: not a directory\n", cmd, dir);
        return 1;
    }
    fprintf(stderr, "tpusim %s: --plot %s: %s\n", cmd, dir, strerror(errno));
    return 1;
}

int cli_plot_option(int argc, char **argv, int *i, struct cli_plot *p)
{
    bool bad = false;
    const char *v = cli_opt_value("--plot", argc, argv, i, &bad);
    if (v) {
        p->dir = v;
        return CLI_TAKEN;
    }
    if (bad)
        return CLI_BAD;
    if (strcmp(argv[*i], "--png") == 0) {
        p->png = true;
        return CLI_TAKEN;
    }
    return CLI_NOT_OURS;
}

int cli_plot_check(const char *cmd, const struct cli_plot *p)
{
    if (p->png && !p->dir) {
        fprintf(stderr, "tpusim %s: --png needs --plot DIR\n", cmd);
        return 2;
    }
    return 0;
}

/* gnuplot -e "fmt='FMT'" STEM.gp, run inside dir. */
static int run_gnuplot(const char *cmd, const char *dir, const char *stem, const char *fmt)
{
    char fmt_arg[32], script[512];
    snprintf(fmt_arg, sizeof fmt_arg, "fmt='%s'", fmt);
    snprintf(script, sizeof script, "%s.gp", stem);
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "tpusim %s: cannot start gnuplot: %s\n", cmd, strerror(errno));
        return 1;
    }
    if (pid == 0) {
        if (chdir(dir) != 0)
            _exit(126);
        execlp("gnuplot", "gnuplot", "-e", fmt_arg, script, (char *)NULL);
        _exit(127);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) {
            fprintf(stderr, "tpusim %s: waiting for gnuplot: %s\n", cmd, strerror(errno));
            return 1;
        }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
        fprintf(stderr,
                "tpusim %s: gnuplot not found: install gnuplot-nox (sh scripts/install-deps.sh); "
                "the data and scripts are in %s\n",
                cmd, dir);
        return 1;
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "tpusim %s: gnuplot failed on %s/%s (fmt %s)\n", cmd, dir, script, fmt);
        return 1;
    }
    return 0;
}

int cli_render_plots(const char *cmd, const char *dir, const char *const *stems, int n, bool png)
{
    const char *fmts[] = {"svg", "pdf", "png"};
    for (int i = 0; i < n; i++)
        for (int k = 0; k < (png ? 3 : 2); k++)
            if (run_gnuplot(cmd, dir, stems[i], fmts[k]))
                return 1;
    return 0;
}

/* ------------------------------------------------------------- report */

struct report_cli {
    struct sim_cli sim;
    struct cli_plot plot;
    int64_t top;       /* --top N: the top table's length, the full op table left out; 0: not given */
    bool short_names;  /* --short-names: op names fitted to SHORT_NAME_CHARS in every format */
};

/* --short-names: a name's head and distinguishing tail in this many characters. */
#define SHORT_NAME_CHARS 24

static void usage(FILE *f)
{
    fputs("usage: tpusim report [MODEL.onnx | MODEL.tflite | builtin:NAME] [options]\n"
          "\n"
          "Where a model's time goes on a chip, and how far FLOPs are from it: per op\n"
          "the shapes, FLOPs, HBM bytes, arithmetic intensity, time, achieved FLOP/s and\n"
          "%% of peak, MXU utilisation while streaming and over the op's time, padding\n"
          "waste, the bound and every cause's share, and the FLOPs-proxy error (the\n"
          "simulated time over FLOPs / peak); per model the totals, the time by op type\n"
          "and by bound, and the top-10 ops.\n"
          "\n"
          "options (and those of tpusim run: --chip --stack --dtype --set --stack-set\n"
          "--cores --no-fusion --batch --dim --framework-overhead-us):\n"
          "  --format FMT       text (default), csv, json, markdown or latex (booktabs;\n"
          "                     longtable for tables of more than 30 rows)\n"
          "  --top N            the N ops that take most time, and not the table of\n"
          "                     every op (a table for a paper)\n"
          "  --short-names      op names cut to their head and distinguishing tail\n"
          "                     (24 characters) in every format\n"
          "  --plot DIR         write figures to DIR: roofline and time by cause (data,\n"
          "                     editable .gp scripts, SVG and PDF via gnuplot)\n"
          "  --png              with --plot, PNG as well\n"
          "  --trace FILE       a Perfetto/Chrome trace (gzip JSON), e.g. out.json.gz\n"
          "  --trace-level L    op or tile (default)\n"
          "  --trace-max-slices N  tile level: at most N slices per op per unit (default 64)\n"
          "  -h, --help         this help\n",
          f);
}

static int report_option(const struct cli_args *a, int argc, char **argv, int *i)
{
    struct report_cli *o = a->ctx;
    bool bad = false;
    const char *v = cli_opt_value("--top", argc, argv, i, &bad);
    if (v) {
        if (!cli_parse_int64(v, 1, 1000000, &o->top)) {
            fprintf(stderr, "tpusim report: --top needs a whole number from 1 to 1000000, got "
                    "'%s'\n", v);
            return CLI_BAD;
        }
        return CLI_TAKEN;
    }
    if (bad)
        return CLI_BAD;
    if (strcmp(argv[*i], "--short-names") == 0) {
        o->short_names = true;
        return CLI_TAKEN;
    }
    int r = cli_plot_option(argc, argv, i, &o->plot);
    return r != CLI_NOT_OURS ? r : cli_sim_option(a->cmd, argc, argv, i, &o->sim);
}

/* The last `width` characters of a long kind ("Conv+Add+Relu"). */
static const char *tail(const char *s, size_t width)
{
    size_t n = strlen(s);
    return n <= width ? s : s + n - width;
}

static void causes_text(const struct report_op *o, char *buf, size_t len)
{
    size_t at = 0;
    buf[0] = '\0';
    for (int k = 0; k < CAUSE_COUNT && at < len; k++)
        if (o->cause_share[k] >= 0.05) {
            int w = snprintf(buf + at, len - at, "%s%s %.0f", at ? " " : "",
                             cause_name((enum cause)k), 100.0 * o->cause_share[k]);
            at = w < 0 ? len : at + (size_t)w;
        }
}

static void proxy_cell(struct cli_table *t, const struct report_op *o)
{
    if (o->proxy_error > 0)
        cli_table_cell(t, "%.2fx", o->proxy_error);
    else
        cli_table_cell(t, "-");
}

static const char *const OP_HEAD[] = {"#",       "name",  "kind",  "output", "MFLOP",
                                      "HBM KiB", "FLOP/B", "us",   "TFLOP/s", "%peak",
                                      "MXU%",    "MXU%t", "pad%",  "proxy x", "bound",
                                      "causes %"};
#define OP_COLS 16

/* How the op tables show names: 0 for whole names. */
static size_t name_width(enum cli_rich_format fmt, bool short_names)
{
    return short_names ? SHORT_NAME_CHARS : fmt == RF_TEXT ? 34 : 0;
}

/* A paper's op table (LaTeX): the columns a reader compares, so that it
 * fits a page. */
static const char *const PAPER_HEAD[] = {"op", "kind", "MFLOP", "us", "TFLOP/s", "% peak",
                                         "bound", "proxy x", "uJ", "W"};
#define PAPER_COLS 10
static const char *PAPER_ALIGN = "llrrrrlrrr";

static void paper_row(struct cli_table *t, const struct report_op *o, size_t width)
{
    cli_table_name(t, o->name, width);
    cli_table_cell(t, "%s", o->kind);
    cli_table_cell(t, "%.2f", (double)o->res->flops / 1e6);
    cli_table_cell(t, "%.2f", o->us);
    cli_table_cell(t, "%.2f", o->flops_per_s / 1e12);
    cli_table_cell(t, "%.1f", o->pct_peak);
    cli_table_cell(t, "%s", cause_name(o->res->bound));
    proxy_cell(t, o);
    cli_table_cell(t, "%.2f", o->energy_uj);
    cli_table_cell(t, "%.3g", o->avg_power_w);
}

static void op_row(struct cli_table *t, const struct report_op *o, bool text, size_t width)
{
    const struct op_result *r = o->res;
    cli_table_cell(t, "%d", o->index);
    cli_table_name(t, o->name, width);
    cli_table_cell(t, "%s", text ? tail(o->kind, 22) : o->kind);
    cli_table_cell(t, "%s", o->out_shape);
    cli_table_cell(t, "%.2f", (double)r->flops / 1e6);
    cli_table_cell(t, "%.1f", (double)r->hbm_bytes / 1024.0);
    if (r->hbm_bytes)
        cli_table_cell(t, "%.1f", o->intensity);
    else
        cli_table_cell(t, "on-chip");
    cli_table_cell(t, "%.2f", o->us);
    cli_table_cell(t, "%.2f", o->flops_per_s / 1e12);
    cli_table_cell(t, "%.1f", o->pct_peak);
    if (o->on_mxu) {
        cli_table_cell(t, "%.1f", 100.0 * o->mxu_util_busy);
        cli_table_cell(t, "%.1f", 100.0 * o->mxu_util_time);
        cli_table_cell(t, "%.1f", 100.0 * (double)o->padding_macs / (double)r->mac_slots);
    } else {
        cli_table_cell(t, "-");
        cli_table_cell(t, "-");
        cli_table_cell(t, "-");
    }
    proxy_cell(t, o);
    cli_table_cell(t, "%s", cause_name(r->bound));
    char causes[160];
    causes_text(o, causes, sizeof causes);
    cli_table_cell(t, "%s", causes);
}

static const char *OP_ALIGN = "rlllrrrrrrrrrrll";

static int print_ops(const struct report *rp, const int *which, int n, enum cli_rich_format fmt,
                     size_t width, const char *caption)
{
    struct cli_table t;
    bool paper = fmt == RF_LATEX;
    if (paper)
        cli_table_init(&t, PAPER_COLS, PAPER_HEAD, PAPER_ALIGN);
    else
        cli_table_init(&t, OP_COLS, OP_HEAD, OP_ALIGN);
    for (int i = 0; i < n; i++)
        if (paper)
            paper_row(&t, &rp->ops[which[i]], width);
        else
            op_row(&t, &rp->ops[which[i]], fmt == RF_TEXT, width);
    return cli_table_finish(&t, fmt, caption);
}

struct op_time {
    uint64_t cycles;
    int index;
};

/* Most cycles first; equal times in schedule order. */
static int by_time(const void *a, const void *b)
{
    const struct op_time *x = a, *y = b;
    if (x->cycles != y->cycles)
        return x->cycles < y->cycles ? 1 : -1;
    return (x->index > y->index) - (x->index < y->index);
}

/* The running ops, most time first, into `which`; returns how many. */
static int ops_by_time(const struct report *rp, int *which)
{
    struct op_time *t = malloc((size_t)(rp->n_ops > 0 ? rp->n_ops : 1) * sizeof *t);
    if (!t)
        return -1;
    int n = 0;
    for (int i = 0; i < rp->n_ops; i++)
        if (rp->ops[i].res->fused_into < 0)
            t[n++] = (struct op_time){rp->ops[i].res->cycles, i};
    qsort(t, (size_t)n, sizeof *t, by_time);
    for (int i = 0; i < n; i++)
        which[i] = t[i].index;
    free(t);
    return n;
}

static int print_groups(const struct report_group *g, int n, const char *what,
                        const struct chip *c, enum cli_rich_format fmt, const char *caption)
{
    const char *head[] = {what, "ops", "us", "share %", "GFLOP"};
    struct cli_table t;
    cli_table_init(&t, 5, head, "lrrrr");
    for (int i = 0; i < n; i++) {
        if (!g[i].ops)
            continue;
        cli_table_cell(&t, "%s", g[i].name);
        cli_table_cell(&t, "%d", g[i].ops);
        cli_table_cell(&t, "%.2f", chip_cycles_to_us(c, g[i].cycles));
        cli_table_cell(&t, "%.1f", 100.0 * g[i].share);
        cli_table_cell(&t, "%.3f", (double)g[i].flops / 1e9);
    }
    return cli_table_finish(&t, fmt, caption);
}

static int print_summary(const struct report *rp, const char *model, enum cli_rich_format fmt)
{
    const struct sim_result *r = rp->res;
    const char *head[] = {"quantity", "value"};
    struct cli_table t;
    cli_table_init(&t, 2, head, "lr");
    cli_table_cell(&t, "simulated latency (us)");
    cli_table_cell(&t, "%.2f", rp->latency_us);
    cli_table_cell(&t, "FLOPs-proxy latency (us) = FLOPs / peak");
    cli_table_cell(&t, "%.2f", rp->proxy_us);
    cli_table_cell(&t, "FLOPs-proxy error (simulated / proxy)");
    cli_table_cell(&t, "%.2fx", rp->proxy_error);
    cli_table_cell(&t, "GFLOP");
    cli_table_cell(&t, "%.3f", (double)r->sum.flops / 1e9);
    cli_table_cell(&t, "achieved TFLOP/s");
    cli_table_cell(&t, "%.2f", rp->flops_per_s / 1e12);
    cli_table_cell(&t, "peak TFLOP/s (one core)");
    cli_table_cell(&t, "%.2f", rp->peak_flops_per_s / 1e12);
    cli_table_cell(&t, "%% of peak");
    cli_table_cell(&t, "%.1f", rp->pct_peak);
    cli_table_cell(&t, "MXU utilisation while streaming (%%)");
    cli_table_cell(&t, "%.1f", 100.0 * rp->mxu_util_busy);
    cli_table_cell(&t, "MXU utilisation over the run (%%)");
    cli_table_cell(&t, "%.1f", 100.0 * rp->mxu_util_time);
    cli_table_cell(&t, "padding (%% of MAC slots)");
    cli_table_cell(&t, "%.1f", rp->mac_slots ? 100.0 * (double)rp->padding_macs /
                                                   (double)rp->mac_slots
                                             : 0.0);
    cli_table_cell(&t, "HBM traffic (MB)");
    cli_table_cell(&t, "%.2f", (double)rp->hbm_bytes / 1e6);
    cli_table_cell(&t, "ops run (fused away)");
    cli_table_cell(&t, "%d (%d)", rp->n_run, rp->n_ops - rp->n_run);
    cli_table_cell(&t, "energy per inference (uJ)");
    cli_table_cell(&t, "%.2f", rp->energy_uj);
    cli_table_cell(&t, "average power (W); TDP");
    cli_table_cell(&t, "%.3g; %.4g", rp->avg_power_w, r->chip->energy_tdp_w);
    cli_table_cell(&t, "peak op power (W)");
    cli_table_cell(&t, "%.3g", rp->peak_power_w);
    cli_table_cell(&t, "TOPS/W");
    cli_table_cell(&t, "%.3g", rp->tops_per_w);
    cli_table_cell(&t, "inferences per joule");
    cli_table_cell(&t, "%.4g", rp->inferences_per_j);
    char caption[1024], label[512];
    snprintf(caption, sizeof caption, "%s on %s (%s): summary",
             plot_model_label(model, label, sizeof label), r->chip->name, r->stack->name);
    return cli_table_finish(&t, fmt, caption);
}

/* Energy per inference by part (energy.h): what each unit and memory
 * level cost, and static power over the run. */
static int print_energy_parts(const struct report *rp, enum cli_rich_format fmt)
{
    const char *head[] = {"energy part", "uJ", "share %", "W"};
    struct cli_table t;
    cli_table_init(&t, 4, head, "lrrr");
    double seconds = rp->latency_us * 1e-6;
    for (int k = 0; k < ENERGY_COUNT; k++) {
        cli_table_cell(&t, "%s", energy_part_name((enum energy_part)k));
        cli_table_cell(&t, "%.2f", rp->energy_uj_by_part[k]);
        cli_table_cell(&t, "%.1f", rp->energy_uj > 0 ? 100.0 * rp->energy_uj_by_part[k] /
                                                         rp->energy_uj
                                                   : 0.0);
        cli_table_cell(&t, "%.3g", seconds > 0 ? rp->energy_uj_by_part[k] * 1e-6 / seconds : 0.0);
    }
    char cap[160];
    snprintf(cap, sizeof cap, "energy by part: %.2f uJ per inference at %.3g W average",
             rp->energy_uj, rp->avg_power_w);
    return cli_table_finish(&t, fmt, cap);
}

static int print_tables(const struct report *rp, const char *model, enum cli_rich_format fmt,
                        const struct report_cli *o)
{
    const struct chip *c = rp->res->chip;
    char cap[1024];
    size_t width = name_width(fmt, o->short_names);
    int rc = fmt == RF_TEXT ? 0 : print_summary(rp, model, fmt);
    if (!rc)
        rc = print_groups(rp->by_type, rp->n_types, "op type", c, fmt,
                          "time by op type (fused ops count with their host)");
    if (!rc)
        rc = print_groups(rp->by_bound, CAUSE_COUNT, "bound", c, fmt,
                          "time by bound (each op's largest cause)");
    if (!rc)
        rc = print_energy_parts(rp, fmt);
    int *all = malloc((size_t)(rp->n_ops > 0 ? rp->n_ops : 1) * sizeof *all);
    if (!all)
        return 1;
    if (o->top) { /* a paper's table: the top N, without the table of every op */
        int n = ops_by_time(rp, all);
        if (n < 0) {
            free(all);
            return 1;
        }
        n = o->top < n ? (int)o->top : n;
        snprintf(cap, sizeof cap, "top %d ops by time", n);
        rc = rc ? rc : print_ops(rp, all, n, fmt, width, cap);
        free(all);
        return rc;
    }
    snprintf(cap, sizeof cap, "top %d ops by time", rp->n_top);
    if (!rc)
        rc = print_ops(rp, rp->top, rp->n_top, fmt, width, cap);
    int n = 0;
    for (int i = 0; i < rp->n_ops; i++)
        if (rp->ops[i].res->fused_into < 0)
            all[n++] = i;
    if (!rc)
        rc = print_ops(rp, all, n, fmt, width,
                       fmt == RF_LATEX ? "every op (fused ops inside their host's kind; proxy x: "
                                         "simulated / (FLOPs / peak))"
                                       : "every op (fused ops inside their host's kind; MXU%: "
                                         "useful MACs per MAC slot while streaming, MXU%t: over "
                                         "the op's time; proxy x: simulated / (FLOPs / peak))");
    free(all);
    return rc;
}

static void print_header(const struct report *rp, const struct sim_cli *o, const char *model)
{
    const struct sim_result *r = rp->res;
    const struct chip *c = r->chip;
    char batch[160];
    cli_batch_text(o, batch, sizeof batch);
    printf("tpusim report: %s on %s under %s (%lld core%s of %d, %s, %s%s, %s engine)\n\n",
           model, c->name, r->stack->name, (long long)o->cores, o->cores > 1 ? "s" : "",
           c->cores, batch, tpusim_dtype_name(r->dtype), o->no_fusion ? ", no fusion" : "",
           cli_engine_name(r->engine));
    printf("  simulated latency   %10.2f us  (%llu cycles at %.0f MHz)\n", rp->latency_us,
           (unsigned long long)r->sum.cycles, c->clock_mhz);
    printf("  FLOPs proxy         %10.2f us  (%.3f GFLOP / %.1f TFLOP/s peak)\n", rp->proxy_us,
           (double)r->sum.flops / 1e9, rp->peak_flops_per_s / 1e12);
    printf("  >> FLOPs-proxy error: %.2fx -- the model takes %.2fx the time FLOPs / peak "
           "predicts <<\n",
           rp->proxy_error, rp->proxy_error);
    if (rp->worst_proxy >= 0) {
        const struct report_op *w = &rp->ops[rp->worst_proxy];
        char name[512];
        printf("     worst op (>= 1%% of time): %s (%s) at %.1fx its FLOPs-proxy time\n",
               cli_fit_name(w->name, 0, name, sizeof name), w->kind, w->proxy_error);
    }
    printf("  achieved            %10.2f TFLOP/s = %.1f%% of one core's peak\n",
           rp->flops_per_s / 1e12, rp->pct_peak);
    printf("  MXU utilisation     %9.1f%% while streaming, %.1f%% over the run; padding %.1f%% "
           "of MAC slots\n",
           100.0 * rp->mxu_util_busy, 100.0 * rp->mxu_util_time,
           rp->mac_slots ? 100.0 * (double)rp->padding_macs / (double)rp->mac_slots : 0.0);
    printf("  layout padding      %9.1f%% of activation bytes (%s's tiles: %.2f MB laid out, "
           "%.2f MB of values)\n",
           100.0 * rp->layout_padding, r->stack->name, (double)rp->act_bytes / 1e6,
           (double)rp->act_useful_bytes / 1e6);
    printf("  HBM traffic         %10.2f MB; parameters %.2f MB, %.2f MB of them on chip\n",
           (double)rp->hbm_bytes / 1e6, (double)r->param_bytes / 1e6,
           (double)r->params_on_chip_bytes / 1e6);
    printf("  ops                 %10d run, %d fused away\n", rp->n_run, rp->n_ops - rp->n_run);
    printf("  time by cause      ");
    for (int k = 0; k < CAUSE_COUNT; k++)
        if (rp->cause_share[k] > 0)
            printf(" %s %.1f%%", cause_name((enum cause)k), 100.0 * rp->cause_share[k]);
    printf("\n");
    if (r->invocation_cycles)
        printf("  invocation          %10.2f us  once per inference (%s), as launch in the first op\n",
               chip_cycles_to_us(c, r->invocation_cycles), r->stack->name);
    cli_print_energy(stdout, rp, "  ");
    const struct event_log *l = r->events;
    if (l) {
        uint64_t w = l->hidden_weight_cycles + l->exposed_weight_cycles;
        printf("  weight transfers    %10.2f us, %.2f us of them hidden behind other ops' work "
               "(prefetch), %.2f us on the critical path\n",
               chip_cycles_to_us(c, w), chip_cycles_to_us(c, l->hidden_weight_cycles),
               chip_cycles_to_us(c, l->exposed_weight_cycles));
    }
    printf("\n");
}

/* The event engine's units of the slowest core: busy by cause and idle by
 * what they waited for, each a share of the run. */
static void print_units(const struct report *rp)
{
    const struct sim_result *r = rp->res;
    const struct event_log *l = r->events;
    if (!l || !r->sum.cycles)
        return;
    int core = 0;
    for (int k = 1; k < l->cores; k++)
        if (l->core_cycles[k] > l->core_cycles[core])
            core = k;
    printf("Units of core %d (event engine): %% of the run busy, and idle waiting for\n", core);
    printf("  %-10s %6s   %s\n", "unit", "busy", "busy by cause; idle by what it waited for");
    double total = (double)r->sum.cycles;
    for (int u = 0; u < AU_COUNT; u++) {
        if (u == AU_DMA_OUT)
            continue; /* DMA in and out are one engine */
        const struct unit_time *t = &l->units[core * AU_COUNT + u];
        uint64_t busy = 0;
        for (int k = 0; k < CAUSE_COUNT; k++)
            busy += t->busy[k];
        if (!busy)
            continue;
        printf("  %-10s %5.1f%%  ", u == AU_DMA_IN ? "DMA" : act_unit_name((enum act_unit)u),
               100.0 * (double)busy / total);
        for (int k = 0; k < CAUSE_COUNT; k++)
            if (t->busy[k])
                printf(" %s %.1f%%", cause_name((enum cause)k), 100.0 * (double)t->busy[k] / total);
        printf(";");
        for (int w = 0; w < WAIT_COUNT; w++)
            if (t->wait[w])
                printf(" %s %.1f%%", wait_reason_name((enum wait_reason)w),
                       100.0 * (double)t->wait[w] / total);
        printf("\n");
    }
    printf("\n");
}

static void json_group(const struct report_group *g, const struct chip *c)
{
    printf("{\"name\": ");
    json_string(stdout, g->name);
    printf(", \"ops\": %d, \"cycles\": %llu, \"us\": %.17g, \"share\": %.17g, \"flops\": %llu}",
           g->ops, (unsigned long long)g->cycles, chip_cycles_to_us(c, g->cycles), g->share,
           (unsigned long long)g->flops);
}

/* The event engine's weight prefetch and units (core 0), as JSON members. */
static void json_units(const struct sim_result *r)
{
    const struct event_log *l = r->events;
    if (!l)
        return;
    printf(",\n  \"weight_cycles_hidden\": %llu,\n  \"weight_cycles_exposed\": %llu,\n"
           "  \"units\": {",
           (unsigned long long)l->hidden_weight_cycles,
           (unsigned long long)l->exposed_weight_cycles);
    for (int u = 0, first = 1; u < AU_COUNT; u++) {
        if (u == AU_DMA_OUT)
            continue;
        const struct unit_time *t = &l->units[u];
        printf("%s\n    \"%s\": {\"busy_cycles\": ", first ? "" : ",",
               u == AU_DMA_IN ? "dma" : act_unit_name((enum act_unit)u));
        first = 0;
        cli_json_causes(stdout, t->busy, NULL);
        printf(", \"wait_cycles\": {");
        for (int w = 0; w < WAIT_COUNT; w++)
            printf("%s\"%s\": %llu", w ? ", " : "", wait_reason_name((enum wait_reason)w),
                   (unsigned long long)t->wait[w]);
        printf("}}");
    }
    printf("\n  }");
}

static void print_json(const struct report *rp, const struct sim_cli *o)
{
    const struct sim_result *r = rp->res;
    const struct chip *c = r->chip;
    cli_json_run_header(stdout, rp, o, false);
    printf("  \"total_cycles\": %llu,\n  \"latency_us\": %.17g,\n  \"flops\": %llu,\n"
           "  \"peak_flops_per_s\": %.17g,\n  \"achieved_flops_per_s\": %.17g,\n"
           "  \"pct_peak\": %.17g,\n  \"flops_proxy_us\": %.17g,\n"
           "  \"flops_proxy_error\": %.17g,\n  \"mxu_util_busy\": %.17g,\n"
           "  \"mxu_util_time\": %.17g,\n  \"mac_slots\": %llu,\n  \"useful_macs\": %llu,\n"
           "  \"padding_macs\": %llu,\n  \"hbm_bytes\": %llu,\n  \"host_bytes\": %llu,\n",
           (unsigned long long)r->sum.cycles, rp->latency_us, (unsigned long long)r->sum.flops,
           rp->peak_flops_per_s, rp->flops_per_s, rp->pct_peak, rp->proxy_us, rp->proxy_error,
           rp->mxu_util_busy, rp->mxu_util_time, (unsigned long long)rp->mac_slots,
           (unsigned long long)rp->useful_macs, (unsigned long long)rp->padding_macs,
           (unsigned long long)rp->hbm_bytes, (unsigned long long)rp->host_bytes);
    printf("  \"layout_padding\": %.17g,\n  \"act_bytes\": %llu,\n  \"act_useful_bytes\": %llu,\n",
           rp->layout_padding, (unsigned long long)rp->act_bytes,
           (unsigned long long)rp->act_useful_bytes);
    cli_json_energy(stdout, rp);
    printf(",\n  \"cause_share\": ");
    cli_json_causes(stdout, NULL, rp->cause_share);
    json_units(r);
    printf(",\n  \"by_type\": [");
    for (int i = 0; i < rp->n_types; i++) {
        printf("%s\n    ", i ? "," : "");
        json_group(&rp->by_type[i], c);
    }
    printf("\n  ],\n  \"by_bound\": [");
    for (int k = 0, first = 1; k < CAUSE_COUNT; k++) {
        if (!rp->by_bound[k].ops)
            continue;
        printf("%s\n    ", first ? "" : ",");
        first = 0;
        json_group(&rp->by_bound[k], c);
    }
    printf("\n  ],\n  \"top\": [");
    for (int i = 0; i < rp->n_top; i++)
        printf("%s%d", i ? ", " : "", rp->top[i]);
    printf("],\n  \"ops\": [");
    for (int i = 0; i < rp->n_ops; i++) {
        const struct report_op *op = &rp->ops[i];
        const struct op_result *x = op->res;
        printf("%s\n    {\"index\": %d, \"name\": ", i ? "," : "", i);
        json_string(stdout, op->name);
        printf(", \"type\": ");
        json_string(stdout, op->type);
        printf(", \"kind\": ");
        json_string(stdout, op->kind);
        printf(", \"fused_into\": ");
        if (op->fused_into)
            json_string(stdout, op->fused_into);
        else
            printf("null");
        printf(", \"in_shape\": \"%s\", \"out_shape\": \"%s\"", op->in_shape, op->out_shape);
        printf(", \"start_cycle\": %llu, \"cycles\": %llu, \"us\": %.17g, \"flops\": %llu, "
               "\"macs\": %llu, \"hbm_bytes\": %llu, \"host_bytes\": %llu, \"intensity\": %.17g, "
               "\"achieved_flops_per_s\": %.17g, \"pct_peak\": %.17g, \"on_mxu\": %s, "
               "\"mxu_util_busy\": %.17g, \"mxu_util_time\": %.17g, \"mac_slots\": %llu, "
               "\"useful_macs\": %llu, \"padding_macs\": %llu, \"layout_padding\": %.17g, "
               "\"bound\": \"%s\", "
               "\"flops_proxy_us\": %.17g, \"flops_proxy_error\": %.17g, \"cause_share\": ",
               (unsigned long long)x->start_cycle, (unsigned long long)x->cycles, op->us,
               (unsigned long long)x->flops, (unsigned long long)x->macs,
               (unsigned long long)x->hbm_bytes, (unsigned long long)x->host_bytes, op->intensity,
               op->flops_per_s, op->pct_peak, op->on_mxu ? "true" : "false", op->mxu_util_busy,
               op->mxu_util_time, (unsigned long long)x->mac_slots,
               (unsigned long long)x->useful_macs, (unsigned long long)op->padding_macs,
               op->layout_padding, op->fused_into ? "fused" : cause_name(x->bound), op->proxy_us,
               op->proxy_error);
        cli_json_causes(stdout, NULL, op->cause_share);
        printf(", \"energy_uj\": %.17g, \"avg_power_w\": %.17g}", op->energy_uj,
               op->avg_power_w);
    }
    printf("\n  ]\n}\n");
}

static void print_csv(const struct report *rp)
{
    printf("index,name,type,kind,fused_into,in_shape,out_shape,start_cycle,cycles,us,flops,"
           "macs,hbm_bytes,host_bytes,intensity_flop_per_byte,achieved_tflops,pct_peak,"
           "mxu_util_busy,mxu_util_time,mac_slots,useful_macs,padding_macs,bound,"
           "flops_proxy_us,flops_proxy_error");
    for (int k = 0; k < CAUSE_COUNT; k++)
        printf(",%s_share", cause_name((enum cause)k));
    printf(",energy_uj,avg_power_w,stack\n");
    for (int i = 0; i < rp->n_ops; i++) {
        const struct report_op *op = &rp->ops[i];
        const struct op_result *x = op->res;
        printf("%d,", i);
        csv_field(stdout, op->name);
        putchar(',');
        csv_field(stdout, op->type);
        putchar(',');
        csv_field(stdout, op->kind);
        putchar(',');
        csv_field(stdout, op->fused_into ? op->fused_into : "");
        printf(",%s,%s,%llu,%llu,%.6f,%llu,%llu,%llu,%llu,%.6g,%.6g,%.4f,%.6f,%.6f,%llu,%llu,%llu,"
               "%s,%.6f,%.6g",
               op->in_shape, op->out_shape, (unsigned long long)x->start_cycle,
               (unsigned long long)x->cycles, op->us, (unsigned long long)x->flops,
               (unsigned long long)x->macs, (unsigned long long)x->hbm_bytes,
               (unsigned long long)x->host_bytes, op->intensity, op->flops_per_s / 1e12,
               op->pct_peak, op->mxu_util_busy, op->mxu_util_time,
               (unsigned long long)x->mac_slots, (unsigned long long)x->useful_macs,
               (unsigned long long)op->padding_macs,
               op->fused_into ? "fused" : cause_name(x->bound), op->proxy_us, op->proxy_error);
        for (int k = 0; k < CAUSE_COUNT; k++)
            printf(",%.6f", op->cause_share[k]);
        printf(",%.6g,%.6g,", op->energy_uj, op->avg_power_w);
        csv_field(stdout, rp->res->stack->name);
        printf("\n");
    }
}

static int write_plots(const struct report *rp, const struct cli_plot *p, const char *model)
{
    if (!p->dir)
        return 0;
    int rc = cli_make_dir("report", p->dir);
    if (rc)
        return rc;
    char err[1024];
    int points, series, bars;
    if (plot_roofline(p->dir, "roofline", rp, model, &points, &series, err, sizeof err) ||
        plot_causes(p->dir, "causes", rp, model, &bars, &series, err, sizeof err)) {
        fprintf(stderr, "tpusim report: %s\n", err);
        return 1;
    }
    const char *stems[] = {"roofline", "causes"};
    rc = cli_render_plots("report", p->dir, stems, 2, p->png);
    if (!rc)
        fprintf(stderr, "tpusim report: wrote %s/roofline.{svg,pdf%s} (%d ops) and "
                        "%s/causes.{svg,pdf%s} (%d bars), with .dat and editable .gp\n",
                p->dir, p->png ? ",png" : "", points, p->dir, p->png ? ",png" : "", bars);
    return rc;
}

static int show_report(const struct report *rp, const struct sim_cli *o, void *ctx)
{
    const struct report_cli *ro = ctx;
    const struct cli_plot *plot = &ro->plot;
    const char *model = cli_model_name(&o->model);
    char label[512];
    plot_model_label(model, label, sizeof label); /* captions name the model, not its path */
    const char *chip = rp->res->chip->name;
    int rc = write_plots(rp, plot, model);
    if (rc)
        return rc;
    switch (o->format) {
    case RF_JSON: print_json(rp, o); break;
    case RF_CSV: print_csv(rp); break;
    case RF_TEXT:
        print_header(rp, o, model);
        print_units(rp);
        rc = print_tables(rp, model, RF_TEXT, ro);
        break;
    case RF_MARKDOWN:
    case RF_LATEX:
        if (o->format == RF_MARKDOWN)
            printf("## %s on %s (%s)\n\n", label, chip, rp->res->stack->name);
        else
            printf("%% tpusim report: %s on %s (%s); needs \\usepackage{booktabs,longtable}\n",
                   label, chip, rp->res->stack->name);
        rc = print_tables(rp, model, o->format, ro);
        break;
    }
    if (rc) {
        fprintf(stderr, "tpusim report: out of memory\n");
        rc = 1;
    }
    return rc;
}

int cmd_report(int argc, char **argv)
{
    struct report_cli o;
    memset(&o, 0, sizeof o);
    cli_sim_defaults(&o.sim, true);
    const struct cli_args args = {.cmd = "report",
                                  .usage = usage,
                                  .option = report_option,
                                  .positional = cli_one_model,
                                  .ctx = &o,
                                  .model = &o.sim.model,
                                  .one_model_hint = "; tpusim compare takes several"};
    int rc = cli_parse_args(&args, argc, argv);
    if (rc >= 0)
        return rc;
    rc = cli_plot_check("report", &o.plot);
    if (rc)
        return rc;
    return cli_simulate_report("report", &o.sim, show_report, &o);
}
