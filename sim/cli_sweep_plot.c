/*
 * cli_sweep_plot.c — `tpusim sweep plot`: from a sweep's CSV output, the
 * latency against each axis per model (and chip), and the Pareto front of
 * two columns, as gnuplot figures (traces/plot.c writes them, as for
 * report and compare; cli_render_plots runs gnuplot).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_sweep.h"
#include "plot.h"

#define MAX_FIELDS SWEEP_MAX_COLS

struct plot_cli {
    const char *file;
    const char *dir;
    const char *pareto;          /* "X,Y", or NULL */
    bool png;
};

static void plot_usage(FILE *f)
{
    fputs("usage: tpusim sweep plot OUT.csv -o DIR [--pareto X,Y] [--png]\n"
          "\n"
          "Figures of a sweep's CSV output (data, editable .gp scripts, SVG and PDF via\n"
          "gnuplot), into DIR:\n"
          "  latency_AXIS       latency against each axis, one line per model (and chip):\n"
          "                     the median over the sweep's other dimensions\n"
          "  pareto_X_Y         every point and the Pareto front of columns X and Y, both\n"
          "                     minimised; -NAME maximises NAME (--pareto latency_us,-tflops)\n"
          "\n"
          "options:\n"
          "  -o DIR             where the figures go (made if missing)\n"
          "  --pareto X,Y       the front of two columns (e.g. hbm.bandwidth_gbps,latency_us)\n"
          "  --png              PNG as well\n"
          "  -h, --help         this help\n",
          f);
}

static int plot_option(const struct cli_args *a, int argc, char **argv, int *i)
{
    struct plot_cli *o = a->ctx;
    bool bad = false;
    const char *v;
    if ((v = cli_opt_value("-o", argc, argv, i, &bad))) {
        o->dir = v;
        return CLI_TAKEN;
    }
    if (!bad && (v = cli_opt_value("--pareto", argc, argv, i, &bad))) {
        o->pareto = v;
        return CLI_TAKEN;
    }
    if (!bad && strcmp(argv[*i], "--png") == 0) {
        o->png = true;
        return CLI_TAKEN;
    }
    return bad ? CLI_BAD : CLI_NOT_OURS;
}

static int plot_file(const struct cli_args *a, const char *arg)
{
    struct plot_cli *o = a->ctx;
    if (o->file) {
        fprintf(stderr, "tpusim sweep plot: one output at a time ('%s' and '%s')\n", o->file,
                arg);
        return CLI_BAD;
    }
    o->file = arg;
    return CLI_TAKEN;
}

/* Splits a CSV line in place (csv_field's quoting: "..." with ""). */
static int split_csv(char *line, char **fields, int max)
{
    int n = 0;
    char *p = line;
    for (;;) {
        if (n == max)
            return -1;
        char *out = p;
        fields[n++] = p;
        if (*p == '"') {
            char *r = p + 1;
            for (; *r; r++) {
                if (*r == '"' && r[1] == '"')
                    r++;
                else if (*r == '"')
                    break;
                *out++ = *r;
            }
            p = *r ? r + 1 : r;
        } else {
            while (*p && *p != ',')
                *out++ = *p++;
        }
        char next = *p;
        *out = '\0';
        if (next != ',')
            return n;
        p++;
    }
}

/* A sweep table in memory: column names and every row's fields. */
struct table {
    struct sweep_file f;
    char *cols_buf;
    char *names[MAX_FIELDS];
    int n_cols;
    char **cells;                /* n_rows x n_cols */
    size_t n_rows;
    int first_axis, n_axes;      /* the axes sit between batch and cycles */
};

static int column(const struct table *t, const char *name)
{
    for (int i = 0; i < t->n_cols; i++)
        if (strcmp(t->names[i], name) == 0)
            return i;
    return -1;
}

static int read_table(const char *path, struct table *t)
{
    memset(t, 0, sizeof *t);
    int rc = sweep_file_read("sweep plot", path, &t->f);
    if (rc == -1 || (!rc && t->f.fmt != SWEEP_CSV)) {
        fprintf(stderr, "tpusim sweep plot: %s: %s\n", path,
                rc == -1 ? "empty" : "plot reads CSV outputs (--format csv)");
        return 2;
    }
    if (rc)
        return rc;
    t->cols_buf = strdup(t->f.columns);
    t->cells = calloc(t->f.n_rows * MAX_FIELDS + 1, sizeof *t->cells);
    if (!t->cols_buf || !t->cells) {
        fprintf(stderr, "tpusim sweep plot: out of memory\n");
        return 1;
    }
    t->n_cols = split_csv(t->cols_buf, t->names, MAX_FIELDS);
    int batch = column(t, "batch"), cycles = column(t, "cycles");
    if (t->n_cols < 0 || batch < 0 || cycles < batch || column(t, "latency_us") < 0) {
        fprintf(stderr, "tpusim sweep plot: %s:2: not a sweep's column line\n", path);
        return 2;
    }
    t->first_axis = batch + 1;
    t->n_axes = cycles - batch - 1;
    for (size_t r = 0; r < t->f.n_rows; r++, t->n_rows++)
        if (split_csv((char *)t->f.rows[r], t->cells + r * MAX_FIELDS, MAX_FIELDS) !=
            t->n_cols) {
            fprintf(stderr, "tpusim sweep plot: %s: point %llu: not %d fields\n", path,
                    (unsigned long long)t->f.row_ids[r], t->n_cols);
            return 2;
        }
    return 0;
}

static void free_table(struct table *t)
{
    sweep_file_free(&t->f);
    free(t->cols_buf);
    free(t->cells);
}

static const char *cell(const struct table *t, size_t r, int c)
{
    return t->cells[r * MAX_FIELDS + (size_t)c];
}

static bool number(const char *s, double *x)
{
    char *end;
    *x = strtod(s, &end);
    return end != s && !*end && isfinite(*x);
}

struct xy {
    double x, y;
};

static int cmp_xy(const void *a, const void *b)
{
    const struct xy *p = a, *q = b;
    if (p->x != q->x)
        return p->x < q->x ? -1 : 1;
    return (p->y > q->y) - (p->y < q->y);
}

/* A file-name stem from a column name: "latency_hbm_bandwidth_gbps". */
static void stem_of(const char *prefix, const char *a, const char *b, char *buf, size_t len)
{
    snprintf(buf, len, "%s_%s%s%s", prefix, a, b ? "_" : "", b ? b : "");
    for (char *p = buf; *p; p++)
        if (!(*p >= 'a' && *p <= 'z') && !(*p >= 'A' && *p <= 'Z') && !(*p >= '0' && *p <= '9') &&
            *p != '_' && *p != '-')
            *p = '_';
}

/* latency_AXIS: per series (model, and chip when several), the median
 * latency at each axis value. */
static int plot_axis(const struct table *t, int axis, const char *dir, char *stem, size_t len)
{
    int model = column(t, "model"), chip = column(t, "chip"), lat = column(t, "latency_us");
    bool chips = false;
    for (size_t r = 1; r < t->n_rows; r++)
        chips = chips || strcmp(cell(t, r, chip), cell(t, 0, chip)) != 0;
    /* Each row's series title, made once. */
    char (*row_title)[256] = calloc(t->n_rows + 1, sizeof *row_title);
    const char **titles = calloc(t->n_rows + 1, sizeof *titles);
    struct xy *pts = calloc(t->n_rows + 1, sizeof *pts);
    double *xs = calloc(t->n_rows + 1, sizeof *xs), *ys = calloc(t->n_rows + 1, sizeof *ys);
    struct plot_series *series = calloc(t->n_rows + 1, sizeof *series);
    int n_series = 0, rc = 0;
    size_t used = 0;
    char err[1024];
    if (!row_title || !titles || !pts || !xs || !ys || !series) {
        fprintf(stderr, "tpusim sweep plot: out of memory\n");
        rc = 1;
    }
    for (size_t r = 0; !rc && r < t->n_rows; r++) {
        char label[200];
        snprintf(row_title[r], sizeof row_title[r], "%s%s%s",
                 plot_model_label(cell(t, r, model), label, sizeof label), chips ? " on " : "",
                 chips ? cell(t, r, chip) : "");
    }
    /* Each series in turn: its rows' (x, latency), sorted, medians per x. */
    for (size_t r = 0; !rc && r < t->n_rows; r++) {
        const char *title = row_title[r];
        int k = 0;
        while (k < n_series && strcmp(titles[k], title) != 0)
            k++;
        if (k < n_series)
            continue;
        titles[n_series] = title;
        size_t n = 0;
        for (size_t q = r; q < t->n_rows; q++)
            if (strcmp(row_title[q], title) == 0 && number(cell(t, q, axis), &pts[n].x) &&
                number(cell(t, q, lat), &pts[n].y))
                n++;
        qsort(pts, n, sizeof *pts, cmp_xy);
        size_t first = used;
        for (size_t i = 0; i < n;) {
            size_t j = i;
            while (j < n && pts[j].x == pts[i].x)
                j++;
            xs[used] = pts[i].x;
            ys[used++] = (pts[i + (j - i - 1) / 2].y + pts[i + (j - i) / 2].y) / 2;
            i = j;
        }
        series[n_series] = (struct plot_series){titles[n_series], xs + first, ys + first,
                                                (int)(used - first), true};
        n_series++;
    }
    stem_of("latency", t->names[axis], NULL, stem, len);
    char title[512];
    snprintf(title, sizeof title, "latency against %s", t->names[axis]);
    if (!rc && plot_xy(dir, stem, title, t->names[axis], "latency (us), median", series,
                       n_series, err, sizeof err)) {
        fprintf(stderr, "tpusim sweep plot: %s\n", err);
        rc = 1;
    }
    free(row_title);
    free(titles);
    free(pts);
    free(xs);
    free(ys);
    free(series);
    return rc;
}

/* Both minimised, a '-' in front of a name maximises it. */
static int pareto_column(const struct table *t, const char *name, int *col, double *sign)
{
    *sign = name[0] == '-' ? -1 : 1;
    *col = column(t, name + (name[0] == '-'));
    if (*col < 0)
        fprintf(stderr, "tpusim sweep plot: --pareto: no column '%s' in %s\n",
                name + (name[0] == '-'), t->f.path);
    return *col < 0 ? 2 : 0;
}

static int plot_pareto(const struct table *t, const char *spec, const char *dir, char *stem,
                       size_t len)
{
    char names[512];
    snprintf(names, sizeof names, "%s", spec);
    char *comma = strchr(names, ',');
    if (!comma || comma == names || !comma[1] || strchr(comma + 1, ',')) {
        fprintf(stderr, "tpusim sweep plot: --pareto needs two columns X,Y, got '%s'\n", spec);
        return 2;
    }
    *comma = '\0';
    int cx, cy;
    double sx, sy;
    int rc = pareto_column(t, names, &cx, &sx);
    if (!rc)
        rc = pareto_column(t, comma + 1, &cy, &sy);
    if (rc)
        return rc;
    struct xy *all = calloc(t->n_rows + 1, sizeof *all);
    double *ax = calloc(t->n_rows + 1, sizeof *ax), *ay = calloc(t->n_rows + 1, sizeof *ay);
    double *fx = calloc(t->n_rows + 1, sizeof *fx), *fy = calloc(t->n_rows + 1, sizeof *fy);
    size_t n = 0, nf = 0;
    if (!all || !ax || !ay || !fx || !fy) {
        fprintf(stderr, "tpusim sweep plot: out of memory\n");
        rc = 1;
    }
    for (size_t r = 0; !rc && r < t->n_rows; r++)
        if (number(cell(t, r, cx), &all[n].x) && number(cell(t, r, cy), &all[n].y)) {
            all[n].x *= sx; /* minimise sign * value */
            all[n].y *= sy;
            n++;
        }
    if (!rc)
        qsort(all, n, sizeof *all, cmp_xy);
    /* Sorted by x then y: a point is on the front when its y beats every
     * point before it. */
    for (size_t i = 0; !rc && i < n; i++) {
        ax[i] = sx * all[i].x;
        ay[i] = sy * all[i].y;
        if (nf == 0 || all[i].y < sy * fy[nf - 1]) {
            fx[nf] = ax[i];
            fy[nf++] = ay[i];
        }
    }
    char title[600], err[1024];
    snprintf(title, sizeof title, "Pareto front: %zu of %zu points", nf, n);
    struct plot_series s[2] = {{"every point", ax, ay, (int)n, false},
                               {"Pareto front", fx, fy, (int)nf, true}};
    stem_of("pareto", t->names[cx], t->names[cy], stem, len);
    if (!rc && plot_xy(dir, stem, title, t->names[cx], t->names[cy], s, 2, err, sizeof err)) {
        fprintf(stderr, "tpusim sweep plot: %s\n", err);
        rc = 1;
    }
    if (!rc)
        fprintf(stderr, "tpusim sweep plot: %zu of %zu points on the Pareto front of %s, %s\n",
                nf, n, names, comma + 1);
    free(all);
    free(ax);
    free(ay);
    free(fx);
    free(fy);
    return rc;
}

int sweep_plot_cmd(int argc, char **argv)
{
    struct plot_cli o = {0};
    const struct cli_args args = {.cmd = "sweep plot", .usage = plot_usage,
                                  .option = plot_option, .positional = plot_file, .ctx = &o};
    int rc = cli_parse_args(&args, argc, argv);
    if (rc >= 0)
        return rc;
    if (!o.file || !o.dir) {
        fprintf(stderr, "tpusim sweep plot: needs a sweep output and -o DIR\n");
        return 2;
    }
    struct table t;
    rc = read_table(o.file, &t);
    if (!rc)
        rc = cli_make_dir("sweep plot", o.dir);
    char stems[SWEEP_MAX_AXES + 1][256];
    const char *ptrs[SWEEP_MAX_AXES + 1];
    int n = 0;
    for (int a = 0; !rc && a < t.n_axes; a++, n++) {
        rc = plot_axis(&t, t.first_axis + a, o.dir, stems[n], sizeof stems[n]);
        ptrs[n] = stems[n];
    }
    if (!rc && o.pareto) {
        rc = plot_pareto(&t, o.pareto, o.dir, stems[n], sizeof stems[n]);
        ptrs[n] = stems[n];
        n++;
    }
    if (!rc && n == 0) {
        fprintf(stderr, "tpusim sweep plot: %s has no axes; give --pareto X,Y\n", o.file);
        rc = 2;
    }
    if (!rc)
        rc = cli_render_plots("sweep plot", o.dir, ptrs, n, o.png);
    if (!rc)
        fprintf(stderr, "tpusim sweep plot: wrote %d figure(s) to %s (svg, pdf%s; .dat and .gp)\n",
                n, o.dir, o.png ? ", png" : "");
    free_table(&t);
    return rc;
}
