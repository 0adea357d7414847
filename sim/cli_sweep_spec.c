/*
 * cli_sweep_spec.c — a sweep's dimensions from its file (INI, libinih)
 * and the command line, each value checked before any point runs: chips
 * and stacks open, every axis value is a chip parameter the chip accepts,
 * every listed design ([designs], --design) opens with its settings.
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

const char *sweep_chip_name(const struct sweep_spec *s, int i)
{
    return s->designs ? s->designs[i].chip : s->dims[0].values.v[i];
}

void sweep_point_decode(const struct sweep_spec *s, uint64_t p, int *idx)
{
    for (int d = s->n_dims - 1; d >= 0; d--) {
        uint64_t n = (uint64_t)s->dims[d].values.n;
        idx[d] = (int)(p % n);
        p /= n;
    }
}

/* Appends a copy of text to the array *v of *n strings: 0, or 1 when out
 * of memory. */
static int push_string(char ***v, int *n, const char *text)
{
    char **grown = realloc(*v, (size_t)(*n + 1) * sizeof *grown);
    if (!grown)
        return 1;
    *v = grown;
    if (!(grown[*n] = strdup(text)))
        return 1;
    (*n)++;
    return 0;
}

/* What the file says before the command line has its word. */
struct file_state {
    const char *path;
    char *text;                  /* the file, for line numbers */
    struct sweep_dim fixed[N_SWEEP_KEYS];
    struct sweep_dim axes[SWEEP_MAX_AXES];
    int n_axes;
    struct sweep_dim designs;    /* the names, with texts beside them */
    struct sweep_values design_texts;
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

/* Appends design `name` (its text parsed later, by parse_designs): a
 * tpusim_status with the problem in msg. */
static int push_design(struct file_state *st, const char *name, const char *text, char *msg,
                       size_t len)
{
    if (strchr(name, ',')) {
        snprintf(msg, len, "a design name has no commas");
        return TPUSIM_ERR_ARG;
    }
    int rc = sweep_values_parse(name, false, SWEEP_MAX_VALUES, &st->designs.values, msg, len);
    if (!rc && push_string(&st->design_texts.v, &st->design_texts.n, text)) {
        snprintf(msg, len, "out of memory");
        rc = TPUSIM_ERR_NOMEM;
    }
    st->design_texts.cap = st->design_texts.n;
    return rc;
}

/* [designs] NAME = CHIP: KEY=VALUE, ... */
static int add_design(struct file_state *st, const char *name, const char *value)
{
    char msg[512];
    if (!st->designs.where[0])
        where(st, "designs", name, st->designs.where, sizeof st->designs.where);
    return push_design(st, name, value, msg, sizeof msg) ? file_fail(st, "designs", name, msg)
                                                         : 1;
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
    if (strcmp(section, "designs") == 0)
        return add_design(st, name, value);
    if (strcmp(section, "axes") != 0)
        return file_fail(st, section, name, "unknown section (a sweep file has [sweep], "
                         "[axes] and [designs])");
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
    size_t len;
    st->text = cli_read_text(path, &len);
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

/* --design NAME=CHIP[:KEY=VALUE,...]: replaces the file's designs. */
static int cli_designs(struct file_state *st, const struct sweep_cli *o)
{
    free_dim(&st->designs);
    sweep_values_free(&st->design_texts);
    snprintf(st->designs.where, sizeof st->designs.where, "--design");
    for (int i = 0; i < o->n_designs; i++) {
        const char *eq = strchr(o->designs[i], '=');
        char name[128], msg[512];
        if (!eq || eq == o->designs[i] || !eq[1] || eq - o->designs[i] >= (int)sizeof name) {
            fprintf(stderr, "tpusim sweep: --design needs NAME=CHIP[:KEY=VALUE,...], got '%s'\n",
                    o->designs[i]);
            return 2;
        }
        snprintf(name, sizeof name, "%.*s", (int)(eq - o->designs[i]), o->designs[i]);
        int rc = push_design(st, name, eq + 1, msg, sizeof msg);
        if (rc) {
            fprintf(stderr, "tpusim sweep: --design %s: %s\n", o->designs[i], msg);
            return rc == TPUSIM_ERR_NOMEM ? 1 : 2;
        }
    }
    return 0;
}

const char *sweep_design_value(const struct sweep_design *d, const char *key)
{
    size_t len = strlen(key);
    for (int k = 0; k < d->n; k++)
        if (strncmp(d->overrides[k], key, len) == 0 && d->overrides[k][len] == '=')
            return d->overrides[k] + len + 1;
    return NULL;
}

/* Appends "key=value" (value in its one written form) to d, and key to
 * the spec's design keys when new: 0, 1 when out of memory, 2 when d
 * sets key already. */
static int design_setting(struct sweep_spec *s, struct sweep_design *d, const char *item)
{
    const char *eq = strchr(item, '=');
    char key[128], value[256], text[400];
    snprintf(key, sizeof key, "%.*s", (int)(eq - item), item);
    sweep_value_text(eq + 1, value, sizeof value);
    snprintf(text, sizeof text, "%s=%s", key, value);
    if (sweep_design_value(d, key))
        return 2;
    if (push_string(&d->overrides, &d->n, text))
        return 1;
    for (int k = 0; k < s->n_design_keys; k++)
        if (strcmp(s->design_keys[k], key) == 0)
            return 0;
    return push_string(&s->design_keys, &s->n_design_keys, key);
}

/* A design's text, "CHIP" or "CHIP: KEY=VALUE, ...", into d. */
static int parse_design(struct sweep_spec *s, const char *text, struct sweep_design *d,
                        char *msg, size_t len)
{
    char *copy = strdup(text);
    if (!copy) {
        snprintf(msg, len, "out of memory");
        return 1;
    }
    char *colon = strchr(copy, ':');
    if (colon)
        *colon = '\0';
    snprintf(d->chip, sizeof d->chip, "%s", sweep_trim(copy));
    int rc = d->chip[0] ? 0 : 2;
    if (rc)
        snprintf(msg, len, "no chip (CHIP or CHIP: KEY=VALUE, ...)");
    for (char *item = colon ? colon + 1 : NULL, *comma; !rc && item; item = comma) {
        comma = strchr(item, ',');
        if (comma)
            *comma++ = '\0';
        char *t = sweep_trim(item), *eq = strchr(t, '=');
        if (!eq || eq == t || !eq[1] || !memchr(t, '.', (size_t)(eq - t))) {
            snprintf(msg, len, "'%s' is not SECTION.KEY=VALUE", t);
            rc = 2;
        } else if ((rc = design_setting(s, d, t)) != 0) {
            snprintf(msg, len, rc == 2 ? "'%.*s' set twice" : "out of memory", (int)(eq - t), t);
        }
    }
    free(copy);
    return rc;
}

/* The designs' texts into s->designs, one per value of the chip dimension
 * (st->fixed[0], their names). */
static int parse_designs(struct sweep_spec *s, struct file_state *st)
{
    int n = st->fixed[0].values.n;
    s->designs = calloc((size_t)n, sizeof *s->designs);
    if (!s->designs) {
        fprintf(stderr, "tpusim sweep: out of memory\n");
        return 1;
    }
    s->n_designs = n;
    for (int i = 0; i < n; i++) {
        char msg[512];
        struct sweep_design *d = &s->designs[i];
        if (strcmp(st->fixed[0].where, "--design") == 0)
            snprintf(d->where, sizeof d->where, "--design");
        else
            where(st, "designs", st->fixed[0].values.v[i], d->where, sizeof d->where);
        int rc = parse_design(s, st->design_texts.v[i], d, msg, sizeof msg);
        if (rc) {
            fprintf(stderr, "tpusim sweep: %s: design %s = %s: %s\n", d->where,
                    st->fixed[0].values.v[i], st->design_texts.v[i], msg);
            return rc;
        }
    }
    return 0;
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
        const char *name = sweep_chip_name(s, c);
        tpusim_chip *base = NULL, *chip = NULL;
        if (tpusim_chip_open(ctx, name, dir, NULL, 0, &base)) {
            fprintf(stderr, "tpusim sweep: %s: chip '%s': %s\n", chips->where, name,
                    tpusim_errmsg(ctx));
            rc = 1;
        }
        /* A design's settings together, an axis's values one by one. */
        const struct sweep_design *dz = s->designs ? &s->designs[c] : NULL;
        if (!rc && dz && tpusim_chip_derive(ctx, base, (const char *const *)dz->overrides, dz->n,
                                            &chip)) {
            fprintf(stderr, "tpusim sweep: %s: design %s: %s\n", dz->where, chips->values.v[c],
                    tpusim_errmsg(ctx));
            rc = 2;
        }
        tpusim_chip_close(chip);
        chip = NULL;
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
            return 1;
        snprintf(a->overrides[v], len, "%s=%s", a->key, a->values.v[v]);
    }
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
    fnv(&h, cli_engine_name(s->engine));
    for (int d = 0; d < s->n_dims; d++) {
        char kind[8];
        snprintf(kind, sizeof kind, "%d", (int)s->dims[d].kind);
        fnv(&h, kind);
        fnv(&h, s->dims[d].key);
        for (int v = 0; v < s->dims[d].values.n; v++)
            fnv(&h, s->dims[d].values.v[v]);
    }
    for (int i = 0; i < s->n_designs; i++) {
        fnv(&h, s->designs[i].chip);
        for (int k = 0; k < s->designs[i].n; k++)
            fnv(&h, s->designs[i].overrides[k]);
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
    if (!rc && o->n_designs)
        rc = cli_designs(&st, o);
    if (!rc && st.designs.values.n && (st.fixed[0].values.n || st.n_axes)) {
        fprintf(stderr, "tpusim sweep: %s: designs list whole chips: give them, or chips and "
                "axes, not both\n", st.designs.where);
        rc = 2;
    }
    if (!rc && !st.fixed[3].values.n) {
        fprintf(stderr, "tpusim sweep: no models: name them on the command line or as "
                "`models =` under [sweep] in the sweep file\n");
        rc = 2;
    }
    if (!rc && st.designs.values.n) {
        st.fixed[0] = st.designs;
        memset(&st.designs, 0, sizeof st.designs);
        rc = parse_designs(s, &st);
    }
    if (!rc) {
        take_dim(s, &st.fixed[0], DIM_CHIP, s->designs ? "design" : "chip", "tpu_v3");
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
    free_dim(&st.designs);
    sweep_values_free(&st.design_texts);
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
    for (int i = 0; i < s->n_designs; i++) {
        for (int k = 0; k < s->designs[i].n; k++)
            free(s->designs[i].overrides[k]);
        free(s->designs[i].overrides);
    }
    free(s->designs);
    for (int k = 0; k < s->n_design_keys; k++)
        free(s->design_keys[k]);
    free(s->design_keys);
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
    const char *engine = cli_engine_name(s->engine);
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
