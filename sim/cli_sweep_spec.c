/*
 * cli_sweep_spec.c — a sweep's dimensions from its file (INI, libinih)
 * and the command line, each value checked before any point runs: chips
 * and stacks open, every axis value is a chip parameter the chip accepts.
 */
#include <errno.h>
#include <ini.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_sweep.h"

/* The [sweep] keys and the dimension each fills. */
static const struct {
    const char *key;
    enum sweep_dim_kind kind;
    bool ranges;                 /* numbers: ranges allowed */
} SWEEP_KEYS[] = {
    {"chips", DIM_CHIP, false},   {"stacks", DIM_STACK, false}, {"dtypes", DIM_DTYPE, false},
    {"models", DIM_MODEL, false}, {"batches", DIM_BATCH, true},
};
#define N_SWEEP_KEYS (sizeof SWEEP_KEYS / sizeof SWEEP_KEYS[0])

const struct sweep_dim *sweep_dim(const struct sweep_spec *s, enum sweep_dim_kind kind)
{
    for (int d = 0; d < s->n_dims; d++)
        if (s->dims[d].kind == kind)
            return &s->dims[d];
    return NULL;
}

void sweep_point_decode(const struct sweep_spec *s, uint64_t p, int *idx)
{
    for (int d = s->n_dims - 1; d >= 0; d--) {
        uint64_t n = (uint64_t)s->dims[d].values.n;
        idx[d] = (int)(p % n);
        p /= n;
    }
}

/* What the file says before the command line has its word. */
struct file_state {
    const char *path;
    char *text;                  /* the file, for line numbers */
    struct sweep_dim fixed[N_SWEEP_KEYS];
    struct sweep_dim axes[SWEEP_MAX_AXES];
    int n_axes;
    char engine[16];
    char err[2048];
    int rc;
};

/* The line of `key` in `section` (inih does not say): 0 when not found. */
static int line_of(const char *text, const char *section, const char *key)
{
    char cur[128] = "";
    int line = 1;
    size_t klen = strlen(key);
    for (const char *p = text; *p; line++) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        while (len && (*p == ' ' || *p == '\t'))
            p++, len--;
        if (len && *p == '[') {
            const char *close = memchr(p, ']', len);
            if (close)
                snprintf(cur, sizeof cur, "%.*s", (int)(close - p - 1), p + 1);
        } else if (strcmp(cur, section) == 0 && len > klen && strncmp(p, key, klen) == 0 &&
                   strchr(" \t=:", p[klen])) {
            return line;
        }
        if (!nl)
            break;
        p = nl + 1;
    }
    return 0;
}

static void where(const struct file_state *st, const char *section, const char *key, char *buf,
                  size_t len)
{
    snprintf(buf, len, "%s:%d", st->path, line_of(st->text, section, key));
}

static int file_fail(struct file_state *st, const char *section, const char *key,
                     const char *problem)
{
    char w[700];
    where(st, section, key, w, sizeof w);
    snprintf(st->err, sizeof st->err, "%s: %s.%s: %s", w, section, key, problem);
    st->rc = 2;
    return 0;
}

/* Adds value (a line of a list) to dim: a list may go on over lines. */
static int add_values(struct file_state *st, struct sweep_dim *dim, const char *section,
                      const char *key, const char *value, bool ranges)
{
    char msg[512];
    if (!dim->where[0])
        where(st, section, key, dim->where, sizeof dim->where);
    int rc = sweep_values_parse(value, ranges, SWEEP_MAX_VALUES, &dim->values, msg, sizeof msg);
    if (rc == TPUSIM_ERR_NOMEM)
        return file_fail(st, section, key, "out of memory");
    return rc ? file_fail(st, section, key, msg) : 1;
}

static int on_value(void *user, const char *section, const char *name, const char *value)
{
    struct file_state *st = user;
    if (st->rc)
        return 0;
    if (strcmp(section, "sweep") == 0) {
        if (strcmp(name, "engine") == 0) {
            snprintf(st->engine, sizeof st->engine, "%s", value);
            return 1;
        }
        for (size_t k = 0; k < N_SWEEP_KEYS; k++)
            if (strcmp(name, SWEEP_KEYS[k].key) == 0)
                return add_values(st, &st->fixed[k], section, name, value, SWEEP_KEYS[k].ranges);
        return file_fail(st, section, name, "unknown key (models, chips, stacks, dtypes, "
                         "batches, engine)");
    }
    if (strcmp(section, "axes") != 0)
        return file_fail(st, section, name, "unknown section (a sweep file has [sweep] and "
                         "[axes])");
    if (!strchr(name, '.') || strlen(name) >= sizeof st->axes[0].key)
        return file_fail(st, section, name, "an axis is a chip parameter SECTION.KEY, e.g. "
                         "hbm.bandwidth_gbps");
    int a = 0;
    while (a < st->n_axes && strcmp(st->axes[a].key, name) != 0)
        a++;
    if (a == SWEEP_MAX_AXES)
        return file_fail(st, section, name, "too many axes");
    if (a == st->n_axes) {
        st->n_axes++;
        st->axes[a].kind = DIM_AXIS;
        snprintf(st->axes[a].key, sizeof st->axes[a].key, "%s", name);
    }
    return add_values(st, &st->axes[a], section, name, value, true);
}

static char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t len = 0, cap = 0, n;
    char chunk[4096];
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (len + n + 1 > cap) {
            cap = 2 * (len + n + 1);
            char *grown = realloc(buf, cap);
            if (!grown) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = grown;
        }
        memcpy(buf + len, chunk, n);
        len += n;
    }
    fclose(f);
    if (!buf)
        buf = calloc(1, 1);
    else
        buf[len] = '\0';
    return buf;
}

static void free_dim(struct sweep_dim *d)
{
    for (int i = 0; d->overrides && i < d->values.n; i++)
        free(d->overrides[i]);
    free(d->overrides);
    d->overrides = NULL;
    sweep_values_free(&d->values);
}

static int read_file(const char *path, struct file_state *st)
{
    st->path = path;
    errno = 0;
    st->text = read_text(path);
    if (!st->text) {
        fprintf(stderr, "tpusim sweep: cannot read '%s': %s\n", path,
                errno ? strerror(errno) : "out of memory");
        return 1;
    }
    int line = ini_parse_string(st->text, on_value, st);
    if (st->rc) {
        fprintf(stderr, "tpusim sweep: %s\n", st->err);
        return st->rc;
    }
    if (line) {
        fprintf(stderr, "tpusim sweep: %s:%d: not INI (KEY = VALUE lines under [sweep] and "
                "[axes])\n", path, line);
        return 2;
    }
    return 0;
}

/* dim from the command line's `list`: replaces what the file gave. */
static int cli_values(struct sweep_dim *dim, const char *what, const char *list, bool ranges)
{
    char msg[512];
    sweep_values_free(&dim->values);
    snprintf(dim->where, sizeof dim->where, "%s", what);
    int rc = sweep_values_parse(list, ranges, SWEEP_MAX_VALUES, &dim->values, msg, sizeof msg);
    if (rc)
        fprintf(stderr, "tpusim sweep: %s %s: %s\n", what, list,
                rc == TPUSIM_ERR_NOMEM ? "out of memory" : msg);
    return rc == TPUSIM_ERR_NOMEM ? 1 : rc ? 2 : 0;
}

static int cli_axis(struct file_state *st, const char *arg)
{
    const char *eq = strchr(arg, '=');
    if (!eq || eq == arg || !memchr(arg, '.', (size_t)(eq - arg)) ||
        (size_t)(eq - arg) >= sizeof st->axes[0].key) {
        fprintf(stderr, "tpusim sweep: --axis needs SECTION.KEY=VALUES, e.g. "
                "hbm.bandwidth_gbps=300,900, got '%s'\n", arg);
        return 2;
    }
    int a = 0;
    while (a < st->n_axes && strncmp(st->axes[a].key, arg, (size_t)(eq - arg)) != 0)
        a++;
    if (a == SWEEP_MAX_AXES) {
        fprintf(stderr, "tpusim sweep: more than %d axes\n", SWEEP_MAX_AXES);
        return 2;
    }
    if (a == st->n_axes) {
        st->n_axes++;
        st->axes[a].kind = DIM_AXIS;
        snprintf(st->axes[a].key, sizeof st->axes[a].key, "%.*s", (int)(eq - arg), arg);
    }
    return cli_values(&st->axes[a], "--axis", eq + 1, true);
}

static void take_dim(struct sweep_spec *s, struct sweep_dim *d, enum sweep_dim_kind kind,
                     const char *name, const char *fallback)
{
    struct sweep_dim *to = &s->dims[s->n_dims++];
    *to = *d;
    memset(d, 0, sizeof *d);
    to->kind = kind;
    if (kind != DIM_AXIS)
        snprintf(to->key, sizeof to->key, "%s", name);
    if (!to->values.n && fallback) {
        char msg[64];
        sweep_values_parse(fallback, false, 1, &to->values, msg, sizeof msg);
        snprintf(to->where, sizeof to->where, "the default %s", name);
    }
}

static int check_numbers(struct sweep_spec *s)
{
    const struct sweep_dim *b = sweep_dim(s, DIM_BATCH), *t = sweep_dim(s, DIM_DTYPE);
    s->batches = calloc((size_t)b->values.n, sizeof *s->batches);
    s->dtypes = calloc((size_t)t->values.n, sizeof *s->dtypes);
    if (!s->batches || !s->dtypes) {
        fprintf(stderr, "tpusim sweep: out of memory\n");
        return 1;
    }
    for (int i = 0; i < b->values.n; i++)
        if (!cli_parse_int64(b->values.v[i], 1, CLI_MAX_BATCH, &s->batches[i])) {
            fprintf(stderr, "tpusim sweep: %s: batches: '%s' is not a whole number from 1 to "
                    "%lld\n", b->where, b->values.v[i], (long long)CLI_MAX_BATCH);
            return 2;
        }
    for (int i = 0; i < t->values.n; i++) {
        tpusim_dtype dt = TPUSIM_DT_UNDEFINED;
        if (strcmp(t->values.v[i], "default") != 0 && !cli_parse_dtype(t->values.v[i], &dt)) {
            fprintf(stderr, "tpusim sweep: %s: dtypes: '%s' is not default, bf16, fp16, int8 "
                    "or fp32\n", t->where, t->values.v[i]);
            return 2;
        }
        s->dtypes[i] = dt;
    }
    return 0;
}

/* Every chip opens, with each axis value alone; every named stack opens. */
static int check_chips(struct sweep_spec *s)
{
    tpusim_context *ctx = NULL;
    if (tpusim_context_open(0, &ctx)) {
        fprintf(stderr, "tpusim sweep: out of memory\n");
        return 1;
    }
    const char *dir = cli_models_dir();
    const struct sweep_dim *chips = sweep_dim(s, DIM_CHIP), *stacks = sweep_dim(s, DIM_STACK);
    int rc = 0;
    for (int c = 0; c < chips->values.n && !rc; c++) {
        const char *name = chips->values.v[c];
        tpusim_chip *base = NULL, *chip = NULL;
        if (tpusim_chip_open(ctx, name, dir, NULL, 0, &base)) {
            fprintf(stderr, "tpusim sweep: %s: chip '%s': %s\n", chips->where, name,
                    tpusim_errmsg(ctx));
            rc = 1;
        }
        for (int d = 0; d < s->n_dims && !rc; d++) {
            const struct sweep_dim *a = &s->dims[d];
            for (int v = 0; a->kind == DIM_AXIS && v < a->values.n && !rc; v++) {
                const char *ov = a->overrides[v];
                if (tpusim_chip_derive(ctx, base, &ov, 1, &chip)) {
                    fprintf(stderr, "tpusim sweep: %s: axis %s = %s on chip %s: %s\n", a->where,
                            a->key, a->values.v[v], name, tpusim_errmsg(ctx));
                    rc = 2;
                }
                tpusim_chip_close(chip);
            }
        }
        tpusim_chip_close(base);
    }
    for (int k = 0; k < stacks->values.n && !rc; k++) {
        tpusim_stack *st = NULL;
        if (strcmp(stacks->values.v[k], "default") != 0 &&
            tpusim_stack_open(ctx, stacks->values.v[k], dir, NULL, 0, &st)) {
            fprintf(stderr, "tpusim sweep: %s: stack '%s': %s\n", stacks->where,
                    stacks->values.v[k], tpusim_errmsg(ctx));
            rc = 1;
        }
        tpusim_stack_close(st);
    }
    tpusim_context_close(ctx);
    return rc;
}

static int make_overrides(struct sweep_dim *a)
{
    a->overrides = calloc((size_t)a->values.n, sizeof *a->overrides);
    for (int v = 0; a->overrides && v < a->values.n; v++) {
        size_t len = strlen(a->key) + strlen(a->values.v[v]) + 2;
        a->overrides[v] = malloc(len);
        if (!a->overrides[v])
            break;
        snprintf(a->overrides[v], len, "%s=%s", a->key, a->values.v[v]);
    }
    for (int v = 0; a->overrides && v < a->values.n; v++)
        if (!a->overrides[v])
            return 1;
    return a->overrides ? 0 : 1;
}

static void fnv(uint64_t *h, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s;; p++) {
        *h ^= *p;
        *h *= UINT64_C(0x100000001b3);
        if (!*p)
            break; /* the NUL separates one string from the next */
    }
}

static void make_id(struct sweep_spec *s)
{
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    fnv(&h, tpusim_version());
    fnv(&h, s->engine == TPUSIM_ENGINE_EVENT ? "event" : "fast");
    for (int d = 0; d < s->n_dims; d++) {
        char kind[8];
        snprintf(kind, sizeof kind, "%d", (int)s->dims[d].kind);
        fnv(&h, kind);
        fnv(&h, s->dims[d].key);
        for (int v = 0; v < s->dims[d].values.n; v++)
            fnv(&h, s->dims[d].values.v[v]);
    }
    snprintf(s->id, sizeof s->id, "%016llx", (unsigned long long)h);
}

static int count_points(struct sweep_spec *s, bool force)
{
    s->points = 1;
    for (int d = 0; d < s->n_dims; d++) {
        uint64_t n = (uint64_t)s->dims[d].values.n;
        if (s->points > UINT64_MAX / 4 / n) {
            fprintf(stderr, "tpusim sweep: the cross product is too large to count\n");
            return 2;
        }
        s->points *= n;
    }
    if (s->points > SWEEP_MAX_POINTS && !force) {
        fprintf(stderr, "tpusim sweep: %llu points, more than %d: give --force to run them\n",
                (unsigned long long)s->points, SWEEP_MAX_POINTS);
        return 2;
    }
    return 0;
}

int sweep_spec_build(struct sweep_spec *s, const char *file, const struct sweep_cli *o)
{
    memset(s, 0, sizeof *s);
    struct file_state st;
    memset(&st, 0, sizeof st);
    int rc = file ? read_file(file, &st) : 0;
    s->engine = TPUSIM_ENGINE_FAST;
    if (!rc && st.engine[0] && !o->engine_given && !cli_parse_engine(st.engine, &s->engine)) {
        fprintf(stderr, "tpusim sweep: %s:%d: sweep.engine: must be fast or event, got '%s'\n",
                file, line_of(st.text, "sweep", "engine"), st.engine);
        rc = 2;
    }
    if (o->engine_given)
        s->engine = o->engine;
    const char *lists[N_SWEEP_KEYS] = {o->chips, o->stacks, o->dtypes, NULL, o->batches};
    static const char *const flags[N_SWEEP_KEYS] = {"--chips", "--stacks", "--dtypes", NULL,
                                                    "--batch"};
    for (size_t k = 0; k < N_SWEEP_KEYS && !rc; k++)
        if (lists[k])
            rc = cli_values(&st.fixed[k], flags[k], lists[k], SWEEP_KEYS[k].ranges);
    if (!rc && o->n_models) {
        struct sweep_dim *m = &st.fixed[3];
        sweep_values_free(&m->values);
        snprintf(m->where, sizeof m->where, "the command line");
        char msg[256];
        for (int i = 0; i < o->n_models && !rc; i++)
            if (sweep_values_parse(o->models[i], false, SWEEP_MAX_VALUES, &m->values, msg,
                                   sizeof msg)) {
                fprintf(stderr, "tpusim sweep: model %s: %s\n", o->models[i], msg);
                rc = 2;
            }
    }
    for (int i = 0; i < o->n_axes && !rc; i++)
        rc = cli_axis(&st, o->axes[i]);
    if (!rc && !st.fixed[3].values.n) {
        fprintf(stderr, "tpusim sweep: no models: name them on the command line or as "
                "`models =` under [sweep] in the sweep file\n");
        rc = 2;
    }
    if (!rc) {
        take_dim(s, &st.fixed[0], DIM_CHIP, "chip", "tpu_v3");
        for (int a = 0; a < st.n_axes; a++, s->n_axes++)
            take_dim(s, &st.axes[a], DIM_AXIS, NULL, NULL);
        take_dim(s, &st.fixed[1], DIM_STACK, "stack", "default");
        take_dim(s, &st.fixed[2], DIM_DTYPE, "dtype", "default");
        take_dim(s, &st.fixed[3], DIM_MODEL, "model", NULL);
        take_dim(s, &st.fixed[4], DIM_BATCH, "batch", "1");
        for (int d = 0; d < s->n_dims && !rc; d++)
            if (s->dims[d].kind == DIM_AXIS && make_overrides(&s->dims[d])) {
                fprintf(stderr, "tpusim sweep: out of memory\n");
                rc = 1;
            }
    }
    for (size_t k = 0; k < N_SWEEP_KEYS; k++)
        free_dim(&st.fixed[k]);
    for (int a = 0; a < st.n_axes; a++)
        free_dim(&st.axes[a]);
    free(st.text);
    if (!rc)
        rc = count_points(s, o->force);
    if (!rc)
        rc = check_numbers(s);
    if (!rc)
        rc = check_chips(s);
    if (!rc)
        make_id(s);
    return rc;
}

void sweep_spec_free(struct sweep_spec *s)
{
    for (int d = 0; d < s->n_dims; d++)
        free_dim(&s->dims[d]);
    free(s->batches);
    free(s->dtypes);
    memset(s, 0, sizeof *s);
}

void sweep_header_line(const struct sweep_spec *s, enum sweep_format fmt,
                       const struct sweep_shard *shard, char *buf, size_t len)
{
    char sh[64] = "";
    const char *engine = s->engine == TPUSIM_ENGINE_EVENT ? "event" : "fast";
    if (fmt == SWEEP_CSV) {
        if (shard->n > 1)
            snprintf(sh, sizeof sh, ", shard %llu/%llu", (unsigned long long)shard->i,
                     (unsigned long long)shard->n);
        snprintf(buf, len, "# tpusim sweep %s: sweep %s, %llu points, engine %s%s",
                 tpusim_version(), s->id, (unsigned long long)s->points, engine, sh);
    } else {
        if (shard->n > 1)
            snprintf(sh, sizeof sh, ", \"shard\": \"%llu/%llu\"", (unsigned long long)shard->i,
                     (unsigned long long)shard->n);
        snprintf(buf, len, "{\"tpusim_sweep\": \"%s\", \"sweep\": \"%s\", \"points\": %llu, "
                 "\"engine\": \"%s\"%s}", tpusim_version(), s->id,
                 (unsigned long long)s->points, engine, sh);
    }
}
