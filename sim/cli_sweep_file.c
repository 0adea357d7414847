/*
 * cli_sweep_file.c — sweep outputs read back (resume, merge, plot) and
 * `tpusim sweep merge`: shards joined, every point present exactly once,
 * rows sorted by point id.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_sweep.h"

/* The identity in the first line: sweep_header_line's two forms. */
static bool parse_header(struct sweep_file *f, const char *line)
{
    unsigned long long points, si = 1, sn = 1;
    int used = 0;
    if (strncmp(line, "# tpusim sweep ", 15) == 0) {
        f->fmt = SWEEP_CSV;
        const char *p = strstr(line, ": sweep ");
        if (!p || sscanf(p, ": sweep %16[0-9a-f], %llu points, engine %15[a-z]%n", f->id,
                         &points, f->engine, &used) != 3)
            return false;
        p += used;
        if (*p && sscanf(p, ", shard %llu/%llu", &si, &sn) != 2)
            return false;
    } else if (strncmp(line, "{\"tpusim_sweep\": ", 17) == 0) {
        f->fmt = SWEEP_JSONL;
        const char *p = strstr(line, "\"sweep\": ");
        if (!p || sscanf(p, "\"sweep\": \"%16[0-9a-f]\", \"points\": %llu, \"engine\": "
                         "\"%15[a-z]\"%n", f->id, &points, f->engine, &used) != 3)
            return false;
        p += used;
        if (*p != '}' && sscanf(p, ", \"shard\": \"%llu/%llu\"", &si, &sn) != 2)
            return false;
    } else {
        return false;
    }
    f->points = points;
    f->shard = (struct sweep_shard){si, sn};
    return true;
}

/* The point id a row starts with. */
static bool row_id(const struct sweep_file *f, const char *row, uint64_t *id)
{
    const char *p = row;
    if (f->fmt == SWEEP_JSONL) {
        if (strncmp(p, "{\"point\": ", 10) != 0)
            return false;
        p += 10;
    }
    char *end;
    errno = 0;
    unsigned long long v = strtoull(p, &end, 10);
    if (end == p || errno || *end != ',')
        return false;
    *id = v;
    return true;
}

int sweep_file_read(const char *cmd, const char *path, struct sweep_file *f)
{
    memset(f, 0, sizeof *f);
    f->path = path;
    size_t len;
    errno = 0;
    f->text = cli_read_text(path, &len);
    if (!f->text) {
        fprintf(stderr, "tpusim %s: cannot read '%s': %s\n", cmd, path,
                errno ? strerror(errno) : "read error");
        return 1;
    }
    if (len == 0)
        return -1;
    if (memchr(f->text, '\0', len)) {
        fprintf(stderr, "tpusim %s: %s: not a sweep output (binary data)\n", cmd, path);
        return 2;
    }
    /* Lines: the last complete one ends at the last '\n'. */
    char *last_nl = strrchr(f->text, '\n');
    f->complete_bytes = last_nl ? (size_t)(last_nl - f->text) + 1 : 0;
    f->partial = f->complete_bytes < len;
    f->text[f->complete_bytes] = '\0';
    size_t n_lines = 0;
    for (char *p = f->text; *p; p++)
        n_lines += *p == '\n';
    f->rows = malloc((n_lines + 1) * sizeof *f->rows);
    f->row_ids = malloc((n_lines + 1) * sizeof *f->row_ids);
    if (!f->rows || !f->row_ids) {
        fprintf(stderr, "tpusim %s: out of memory\n", cmd);
        return 1;
    }
    char *line = f->text;
    int lineno = 0;
    for (char *nl; (nl = strchr(line, '\n')); line = nl + 1) {
        *nl = '\0';
        lineno++;
        if (lineno == 1) {
            if (!parse_header(f, line)) {
                fprintf(stderr, "tpusim %s: %s:1: not a tpusim sweep output (no sweep "
                        "header line)\n", cmd, path);
                return 2;
            }
            continue;
        }
        if (lineno == 2 && f->fmt == SWEEP_CSV) {
            f->columns = line;
            continue;
        }
        if (!row_id(f, line, &f->row_ids[f->n_rows])) {
            fprintf(stderr, "tpusim %s: %s:%d: not a sweep row (no point id)\n", cmd, path,
                    lineno);
            return 2;
        }
        f->rows[f->n_rows++] = line;
    }
    if (f->fmt == SWEEP_CSV && !f->columns) {
        fprintf(stderr, "tpusim %s: %s: no column line\n", cmd, path);
        return 2;
    }
    return 0;
}

void sweep_file_free(struct sweep_file *f)
{
    free(f->text);
    free(f->rows);
    free(f->row_ids);
    memset(f, 0, sizeof *f);
}

/* --------------------------------------------------------------- merge */

static void merge_usage(FILE *f)
{
    fputs("usage: tpusim sweep merge SHARD... -o OUT\n"
          "\n"
          "Joins the outputs of a sweep's shards (--shard I/N) into one file, rows\n"
          "sorted by point id, and checks that they come from one sweep and hold\n"
          "every point exactly once (missing and duplicated points are named).\n"
          "The output has the single run's rows, byte for byte, in point order.\n"
          "\n"
          "options:\n"
          "  -o FILE            the merged output (default: stdout)\n"
          "  -h, --help         this help\n",
          f);
}

struct merge_cli {
    const char *files[4096];
    int n;
    const char *out;
};

static int merge_option(const struct cli_args *a, int argc, char **argv, int *i)
{
    struct merge_cli *o = a->ctx;
    bool bad = false;
    const char *v = cli_opt_value("-o", argc, argv, i, &bad);
    if (!v && !bad)
        v = cli_opt_value("--output", argc, argv, i, &bad);
    if (v)
        o->out = v;
    return v ? CLI_TAKEN : bad ? CLI_BAD : CLI_NOT_OURS;
}

static int merge_file(const struct cli_args *a, const char *arg)
{
    struct merge_cli *o = a->ctx;
    if (o->n == (int)(sizeof o->files / sizeof o->files[0])) {
        fprintf(stderr, "tpusim sweep merge: too many files\n");
        return CLI_BAD;
    }
    o->files[o->n++] = arg;
    return CLI_TAKEN;
}

struct row_ref {
    uint64_t id;
    const char *text;
    int file;
};

static int cmp_rows(const void *a, const void *b)
{
    const struct row_ref *x = a, *y = b;
    if (x->id != y->id)
        return x->id < y->id ? -1 : 1;
    return x->file - y->file;
}

/* Point ids as "3, 7-9, 12" (at most `max` runs, then "..."). */
static void print_ids(FILE *f, const uint64_t *ids, size_t n, size_t max)
{
    size_t runs = 0;
    for (size_t i = 0; i < n; runs++) {
        size_t j = i;
        while (j + 1 < n && ids[j + 1] == ids[j] + 1)
            j++;
        if (runs == max) {
            fputs(", ...", f);
            return;
        }
        fprintf(f, "%s%llu", runs ? ", " : "", (unsigned long long)ids[i]);
        if (j > i)
            fprintf(f, "-%llu", (unsigned long long)ids[j]);
        i = j + 1;
    }
}

/* The files agree on format, sweep, points and columns. */
static int check_same(const struct sweep_file *fs, int n)
{
    for (int i = 0; i < n; i++) {
        if (fs[i].partial) {
            fprintf(stderr, "tpusim sweep merge: %s ends inside a row (its run was killed): "
                    "rerun that shard to finish it\n", fs[i].path);
            return 1;
        }
        if (fs[i].fmt != fs[0].fmt || strcmp(fs[i].id, fs[0].id) != 0 ||
            fs[i].points != fs[0].points || strcmp(fs[i].engine, fs[0].engine) != 0 ||
            (fs[0].columns && strcmp(fs[i].columns, fs[0].columns) != 0)) {
            fprintf(stderr, "tpusim sweep merge: %s is from another sweep than %s (sweep %s, "
                    "%llu points, %s; against sweep %s, %llu points, %s): refusing to mix them\n",
                    fs[i].path, fs[0].path, fs[i].id, (unsigned long long)fs[i].points,
                    fs[i].fmt == SWEEP_CSV ? "csv" : "jsonl", fs[0].id,
                    (unsigned long long)fs[0].points, fs[0].fmt == SWEEP_CSV ? "csv" : "jsonl");
            return 1;
        }
    }
    return 0;
}

/* Every point once: names the missing and the duplicated ones. */
static int check_points(const struct sweep_file *fs, const struct row_ref *rows, size_t n,
                        uint64_t points)
{
    uint64_t *missing = malloc((points < 1024 ? points : 1024) * sizeof *missing + 1);
    uint64_t *dups = malloc((n < 1024 ? n : 1024) * sizeof *dups + 1);
    size_t n_missing = 0, n_dups = 0, total_missing = 0, total_dups = 0;
    int rc = 0;
    if (!missing || !dups) {
        fprintf(stderr, "tpusim sweep merge: out of memory\n");
        rc = 1;
    }
    size_t k = 0;
    for (uint64_t p = 0; !rc && p < points; p++) {
        size_t c = 0;
        while (k < n && rows[k].id == p)
            k++, c++;
        if (c == 0 && total_missing++ < 1024)
            missing[n_missing++] = p;
        if (c > 1 && total_dups++ < 1024) {
            dups[n_dups++] = p;
            if (n_dups == 1)
                fprintf(stderr, "tpusim sweep merge: point %llu is in %s and %s\n",
                        (unsigned long long)p, fs[rows[k - c].file].path,
                        fs[rows[k - c + 1].file].path);
        }
    }
    if (!rc && k < n) {
        fprintf(stderr, "tpusim sweep merge: %s holds point %llu, beyond the sweep's %llu\n",
                fs[rows[k].file].path, (unsigned long long)rows[k].id,
                (unsigned long long)points);
        rc = 1;
    }
    if (!rc && total_missing) {
        fprintf(stderr, "tpusim sweep merge: %zu point(s) missing: ", total_missing);
        print_ids(stderr, missing, n_missing, 20);
        fputc('\n', stderr);
        rc = 1;
    }
    if (!rc && total_dups) {
        fprintf(stderr, "tpusim sweep merge: %zu point(s) more than once: ", total_dups);
        print_ids(stderr, dups, n_dups, 20);
        fputc('\n', stderr);
        rc = 1;
    }
    free(missing);
    free(dups);
    return rc;
}

static int write_merged(const char *out, const struct sweep_file *f0, const struct row_ref *rows,
                        size_t n)
{
    FILE *o = out ? fopen(out, "w") : stdout;
    if (!o) {
        fprintf(stderr, "tpusim sweep merge: cannot write '%s': %s\n", out, strerror(errno));
        return 1;
    }
    /* The header of the whole sweep: the first line without its shard. */
    const char *sh = strstr(f0->text, f0->fmt == SWEEP_CSV ? ", shard " : ", \"shard\": ");
    if (sh)
        fprintf(o, "%.*s%s\n", (int)(sh - f0->text), f0->text, f0->fmt == SWEEP_CSV ? "" : "}");
    else
        fprintf(o, "%s\n", f0->text);
    if (f0->columns)
        fprintf(o, "%s\n", f0->columns);
    for (size_t i = 0; i < n; i++)
        fprintf(o, "%s\n", rows[i].text);
    bool bad = ferror(o) != 0;
    if (o != stdout ? fclose(o) != 0 : fflush(o) != 0)
        bad = true;
    if (bad)
        fprintf(stderr, "tpusim sweep merge: writing '%s' failed\n", out ? out : "stdout");
    return bad ? 1 : 0;
}

int sweep_merge_cmd(int argc, char **argv)
{
    struct merge_cli o;
    memset(&o, 0, sizeof o);
    const struct cli_args args = {.cmd = "sweep merge", .usage = merge_usage,
                                  .option = merge_option, .positional = merge_file, .ctx = &o};
    int rc = cli_parse_args(&args, argc, argv);
    if (rc >= 0)
        return rc;
    if (!o.n) {
        fprintf(stderr, "tpusim sweep merge: name the shard outputs to merge\n");
        return 2;
    }
    struct sweep_file *fs = calloc((size_t)o.n, sizeof *fs);
    struct row_ref *rows = NULL;
    size_t n_rows = 0;
    rc = fs ? 0 : 1;
    for (int i = 0; i < o.n && !rc; i++) {
        rc = sweep_file_read("sweep merge", o.files[i], &fs[i]);
        if (rc == -1) {
            fprintf(stderr, "tpusim sweep merge: %s is empty\n", o.files[i]);
            rc = 1;
        }
        n_rows += fs[i].n_rows;
    }
    if (!rc)
        rc = check_same(fs, o.n);
    if (!rc && !(rows = malloc((n_rows ? n_rows : 1) * sizeof *rows)))
        rc = 1;
    for (int i = 0, k = 0; !rc && i < o.n; i++)
        for (size_t j = 0; j < fs[i].n_rows; j++, k++)
            rows[k] = (struct row_ref){fs[i].row_ids[j], fs[i].rows[j], i};
    if (!rc) {
        qsort(rows, n_rows, sizeof *rows, cmp_rows);
        rc = check_points(fs, rows, n_rows, fs[0].points);
    }
    if (!rc)
        rc = write_merged(o.out, &fs[0], rows, n_rows);
    for (int i = 0; fs && i < o.n; i++)
        sweep_file_free(&fs[i]);
    free(fs);
    free(rows);
    return rc;
}
