/*
 * cli_sweep_cols.c — the columns of a sweep's rows, from one table
 * (COLUMNS): each a name and a getter, or a family (one per axis, one per
 * cause); rows written as CSV or JSON Lines from it. Real numbers carry 17
 * digits, so that a row is the same bytes wherever it was computed.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_sweep.h"

enum col_type { COL_TEXT, COL_VALUE, COL_UINT, COL_REAL };

/* COL_VALUE: text that is a number when it reads as one (axis values). */
struct col_value {
    enum col_type type;
    const char *text;
    uint64_t u;
    double d;
};

/* COL_PER_AXIS: one column per parameter axis (or key the designs set),
 * named by its key; COL_PER_CAUSE: one per cause, the name a format of
 * the cause's name; COL_PER_PART: one per energy part (tpusim_energy_part),
 * likewise; COL_IF_DESIGNS: there when the sweep lists designs. */
enum col_family { COL_ONE, COL_PER_AXIS, COL_PER_CAUSE, COL_PER_PART, COL_IF_DESIGNS };

struct sweep_column {
    const char *name;
    enum col_family family;
    /* k: the axis's dimension index or the cause. */
    void (*get)(const struct sweep_row *r, int k, struct col_value *v);
};

static const struct sweep_dim *dim_of(const struct sweep_row *r, enum sweep_dim_kind kind,
                                      int *i)
{
    const struct sweep_dim *d = sweep_dim(r->s, kind);
    *i = r->idx[d - r->s->dims];
    return d;
}

static void get_point(const struct sweep_row *r, int k, struct col_value *v)
{
    (void)k;
    *v = (struct col_value){.type = COL_UINT, .u = r->point};
}

static void get_model(const struct sweep_row *r, int k, struct col_value *v)
{
    int i;
    const struct sweep_dim *d = dim_of(r, DIM_MODEL, &i);
    (void)k;
    *v = (struct col_value){.type = COL_TEXT, .text = d->values.v[i]};
}

static void get_chip(const struct sweep_row *r, int k, struct col_value *v)
{
    int i;
    dim_of(r, DIM_CHIP, &i);
    (void)k;
    *v = (struct col_value){.type = COL_TEXT, .text = sweep_chip_name(r->s, i)};
}

static void get_design(const struct sweep_row *r, int k, struct col_value *v)
{
    int i;
    const struct sweep_dim *d = dim_of(r, DIM_CHIP, &i);
    (void)k;
    *v = (struct col_value){.type = COL_TEXT, .text = d->values.v[i]};
}

static void get_stack(const struct sweep_row *r, int k, struct col_value *v)
{
    (void)k;
    *v = (struct col_value){.type = COL_TEXT, .text = r->stack};
}

static void get_dtype(const struct sweep_row *r, int k, struct col_value *v)
{
    (void)k;
    *v = (struct col_value){.type = COL_TEXT, .text = tpusim_dtype_name(r->sum->dtype)};
}

static void get_batch(const struct sweep_row *r, int k, struct col_value *v)
{
    int i;
    dim_of(r, DIM_BATCH, &i);
    (void)k;
    *v = (struct col_value){.type = COL_UINT, .u = (uint64_t)r->s->batches[i]};
}

/* An axis's value; with designs, the design's value of key k, or "" when
 * it keeps the chip file's. */
static void get_axis(const struct sweep_row *r, int k, struct col_value *v)
{
    const struct sweep_spec *s = r->s;
    *v = (struct col_value){.type = COL_VALUE, .text = ""};
    if (!s->designs) {
        v->text = s->dims[k].values.v[r->idx[k]];
        return;
    }
    const char *value = sweep_design_value(&s->designs[r->idx[0]], s->design_keys[k]);
    if (value)
        v->text = value;
}

static void get_cycles(const struct sweep_row *r, int k, struct col_value *v)
{
    (void)k;
    *v = (struct col_value){.type = COL_UINT, .u = r->sum->cycles};
}

static double cycles_us(const struct sweep_row *r, uint64_t cycles)
{
    return (double)cycles / r->chip->clock_hz * 1e6;
}

static void get_latency_us(const struct sweep_row *r, int k, struct col_value *v)
{
    (void)k;
    *v = (struct col_value){.type = COL_REAL, .d = cycles_us(r, r->sum->cycles)};
}

static double flops_per_s(const struct sweep_row *r)
{
    return r->sum->seconds > 0 ? (double)r->sum->flops / r->sum->seconds : 0;
}

static void get_tflops(const struct sweep_row *r, int k, struct col_value *v)
{
    (void)k;
    *v = (struct col_value){.type = COL_REAL, .d = flops_per_s(r) / 1e12};
}

static void get_pct_peak(const struct sweep_row *r, int k, struct col_value *v)
{
    double peak = r->chip->peak_flops_per_s;
    (void)k;
    *v = (struct col_value){.type = COL_REAL, .d = peak > 0 ? 100 * flops_per_s(r) / peak : 0};
}

static void get_bound(const struct sweep_row *r, int k, struct col_value *v)
{
    int best = 0;
    (void)k;
    for (int c = 1; c < TPUSIM_CAUSE_COUNT; c++)
        if (r->sum->stall_cycles[c] > r->sum->stall_cycles[best])
            best = c;
    *v = (struct col_value){.type = COL_TEXT, .text = tpusim_cause_name(best)};
}

static void get_hbm_bytes(const struct sweep_row *r, int k, struct col_value *v)
{
    (void)k;
    *v = (struct col_value){.type = COL_UINT, .u = r->sum->hbm_bytes};
}

static void get_cause_us(const struct sweep_row *r, int k, struct col_value *v)
{
    *v = (struct col_value){.type = COL_REAL, .d = cycles_us(r, r->sum->stall_cycles[k])};
}

static void get_energy_uj(const struct sweep_row *r, int k, struct col_value *v)
{
    (void)k;
    *v = (struct col_value){.type = COL_REAL, .d = r->sum->energy_uj};
}

static void get_avg_power_w(const struct sweep_row *r, int k, struct col_value *v)
{
    (void)k;
    *v = (struct col_value){.type = COL_REAL, .d = r->sum->avg_power_w};
}

static void get_part_uj(const struct sweep_row *r, int k, struct col_value *v)
{
    *v = (struct col_value){.type = COL_REAL, .d = r->sum->energy_uj_by_part[k]};
}

/* The columns of every output, in order. The parameters come first and
 * the axes last among them (sweep plot reads the axes between batch and
 * cycles). A new column is one line here. */
static const struct sweep_column COLUMNS[] = {
    {"point", COL_ONE, get_point},
    {"model", COL_ONE, get_model},
    {"chip", COL_ONE, get_chip},
    {"design", COL_IF_DESIGNS, get_design},
    {"stack", COL_ONE, get_stack},
    {"dtype", COL_ONE, get_dtype},
    {"batch", COL_ONE, get_batch},
    {NULL, COL_PER_AXIS, get_axis},
    {"cycles", COL_ONE, get_cycles},
    {"latency_us", COL_ONE, get_latency_us},
    {"tflops", COL_ONE, get_tflops},
    {"pct_peak", COL_ONE, get_pct_peak},         /* of one core's peak FLOP/s */
    {"bound", COL_ONE, get_bound},               /* the cause with the most cycles */
    {"hbm_bytes", COL_ONE, get_hbm_bytes},
    {"%s_us", COL_PER_CAUSE, get_cause_us},      /* time by cause */
    {"energy_uj", COL_ONE, get_energy_uj},       /* per inference (docs/energy.md) */
    {"avg_power_w", COL_ONE, get_avg_power_w},
    {"energy_%s_uj", COL_PER_PART, get_part_uj}, /* energy by part */
};

int sweep_columns(const struct sweep_spec *s, struct sweep_col *out, int max)
{
    int n = 0;
    for (size_t i = 0; i < sizeof COLUMNS / sizeof COLUMNS[0]; i++) {
        const struct sweep_column *c = &COLUMNS[i];
        int members = c->family == COL_PER_CAUSE ? TPUSIM_CAUSE_COUNT
                      : c->family == COL_PER_PART ? TPUSIM_ENERGY_COUNT
                      : c->family == COL_PER_AXIS ? (s->designs ? s->n_design_keys : s->n_dims)
                      : c->family == COL_IF_DESIGNS ? (s->designs != NULL) : 1;
        for (int k = 0; k < members && n < max; k++) {
            if (c->family == COL_PER_AXIS && !s->designs && s->dims[k].kind != DIM_AXIS)
                continue;
            struct sweep_col *o = &out[n++];
            o->c = c;
            o->k = k;
            if (c->family == COL_PER_AXIS)
                snprintf(o->name, sizeof o->name, "%s",
                         s->designs ? s->design_keys[k] : s->dims[k].key);
            else if (c->family == COL_PER_CAUSE)
                snprintf(o->name, sizeof o->name, c->name, tpusim_cause_name(k));
            else if (c->family == COL_PER_PART)
                snprintf(o->name, sizeof o->name, c->name, tpusim_energy_part_name(k));
            else
                snprintf(o->name, sizeof o->name, "%s", c->name);
        }
    }
    return n;
}

void sweep_csv_columns(const struct sweep_spec *s, char *buf, size_t len)
{
    struct sweep_col cols[SWEEP_MAX_COLS];
    int n = sweep_columns(s, cols, SWEEP_MAX_COLS);
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < n && used < len; i++)
        used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? "," : "", cols[i].name);
}

static bool is_number(const char *s)
{
    char *end;
    double x = strtod(s, &end);
    return end != s && !*end && isfinite(x);
}

static void put_value(FILE *f, enum sweep_format fmt, const struct col_value *v)
{
    switch (v->type) {
    case COL_UINT:
        fprintf(f, "%llu", (unsigned long long)v->u);
        break;
    case COL_REAL:
        /* 17 digits: the double itself, so shards and single runs agree. */
        if (isfinite(v->d))
            fprintf(f, "%.17g", v->d);
        else
            fputs(fmt == SWEEP_JSONL ? "null" : "", f);
        break;
    case COL_VALUE:
    case COL_TEXT:
        if (v->type == COL_VALUE && is_number(v->text))
            fputs(v->text, f);
        else if (fmt == SWEEP_JSONL)
            json_string(f, v->text);
        else
            csv_field(f, v->text);
        break;
    }
}

void sweep_put_row(FILE *f, enum sweep_format fmt, const struct sweep_col *cols, int n,
                   const struct sweep_row *r)
{
    fputs(fmt == SWEEP_JSONL ? "{" : "", f);
    for (int i = 0; i < n; i++) {
        struct col_value v;
        cols[i].c->get(r, cols[i].k, &v);
        if (fmt == SWEEP_JSONL) {
            fprintf(f, "%s", i ? ", " : "");
            json_string(f, cols[i].name);
            fputs(": ", f);
        } else if (i) {
            fputc(',', f);
        }
        put_value(f, fmt, &v);
    }
    fputs(fmt == SWEEP_JSONL ? "}\n" : "\n", f);
}
