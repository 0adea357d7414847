/*
 * sweep_values.c — lists and ranges of sweep values (see sweep_values.h).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sweep_values.h"
#include "tpusim.h"

/* Steps that land within this fraction of a step of STOP include it: a
 * decimal step (0.1) is not exact in binary. */
#define STEP_SLACK 1e-9

static bool parse_number(const char *s, double *out)
{
    char *end;
    errno = 0;
    double x = strtod(s, &end);
    if (end == s || *end || errno || !isfinite(x))
        return false;
    *out = x;
    return true;
}

static void format_number(double x, char *buf, size_t len)
{
    snprintf(buf, len, "%.15g", x == 0 ? 0.0 : x); /* no "-0" */
}

const char *sweep_value_text(const char *item, char *buf, size_t len)
{
    double x;
    if (parse_number(item, &x))
        format_number(x, buf, len);
    else
        snprintf(buf, len, "%s", item);
    return buf;
}

static int push(struct sweep_values *out, const char *text, int max_values, char *err,
                size_t err_len)
{
    for (int i = 0; i < out->n; i++)
        if (strcmp(out->v[i], text) == 0) {
            snprintf(err, err_len, "value '%s' given twice", text);
            return TPUSIM_ERR_ARG;
        }
    if (out->n >= max_values) {
        snprintf(err, err_len, "more than %d values", max_values);
        return TPUSIM_ERR_ARG;
    }
    if (out->n == out->cap) {
        int cap = out->cap ? 2 * out->cap : 8;
        char **v = realloc(out->v, (size_t)cap * sizeof *v);
        if (!v)
            return TPUSIM_ERR_NOMEM;
        out->v = v;
        out->cap = cap;
    }
    out->v[out->n] = strdup(text);
    if (!out->v[out->n])
        return TPUSIM_ERR_NOMEM;
    out->n++;
    return TPUSIM_OK;
}

/* How many values START:STOP:STEP has (linear, or geometric when
 * `factor`): 0 after an error written into err. */
static long range_count(double a, double b, double step, bool factor, int max_values,
                        char *err, size_t err_len)
{
    double span;
    if (factor) {
        if (!(a > 0 && b > 0) && !(a < 0 && b < 0)) {
            snprintf(err, err_len, "a geometric range needs START and STOP of one sign, "
                     "neither 0");
            return 0;
        }
        if (step <= 0 || step == 1) {
            snprintf(err, err_len, "a geometric range needs a factor above 0 and not 1");
            return 0;
        }
        span = log(b / a) / log(step);
    } else {
        if (step == 0) {
            snprintf(err, err_len, "zero step");
            return 0;
        }
        span = (b - a) / step;
    }
    if (span < -STEP_SLACK) {
        snprintf(err, err_len, "the %s leads away from STOP", factor ? "factor" : "step");
        return 0;
    }
    if (span + 1 > (double)max_values) {
        snprintf(err, err_len, "more than %d values", max_values);
        return 0;
    }
    return (long)floor(span + STEP_SLACK) + 1;
}

static int parse_range(const char *item, int max_values, struct sweep_values *out, char *err,
                       size_t err_len)
{
    char buf[256], msg[160];
    if (snprintf(buf, sizeof buf, "%s", item) >= (int)sizeof buf) {
        snprintf(err, err_len, "range '%.40s...' too long", item);
        return TPUSIM_ERR_ARG;
    }
    char *c1 = strchr(buf, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    double a, b, step;
    bool factor = c2 && c2[1] == '*';
    if (!c2 || strchr(c2 + 1, ':')) {
        snprintf(err, err_len, "range '%s' is not START:STOP:STEP or START:STOP:*FACTOR", item);
        return TPUSIM_ERR_ARG;
    }
    *c1 = *c2 = '\0';
    if (!parse_number(buf, &a) || !parse_number(c1 + 1, &b) ||
        !parse_number(c2 + 1 + factor, &step)) {
        snprintf(err, err_len, "range '%s' needs numbers (START:STOP:STEP or "
                 "START:STOP:*FACTOR)", item);
        return TPUSIM_ERR_ARG;
    }
    long n = range_count(a, b, step, factor, max_values, msg, sizeof msg);
    if (!n) {
        snprintf(err, err_len, "range '%s': %s", item, msg);
        return TPUSIM_ERR_ARG;
    }
    for (long k = 0; k < n; k++) {
        /* From START each time: accumulated steps would drift. */
        double x = factor ? a * pow(step, (double)k) : a + (double)k * step;
        char text[64];
        format_number(x, text, sizeof text);
        int rc = push(out, text, max_values, err, err_len);
        if (rc)
            return rc;
    }
    return TPUSIM_OK;
}

char *sweep_trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    char *e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
        *--e = '\0';
    return s;
}

int sweep_values_parse(const char *text, bool ranges, int max_values, struct sweep_values *out,
                       char *err, size_t err_len)
{
    char *copy = strdup(text ? text : "");
    if (!copy)
        return TPUSIM_ERR_NOMEM;
    int rc = TPUSIM_OK;
    char *item = copy;
    if (!*sweep_trim(copy)) {
        snprintf(err, err_len, "no values");
        rc = TPUSIM_ERR_ARG;
    }
    while (!rc && item) {
        char *comma = strchr(item, ',');
        if (comma)
            *comma = '\0';
        char *t = sweep_trim(item), buf[256];
        if (!*t) {
            snprintf(err, err_len, "empty value in '%s'", text);
            rc = TPUSIM_ERR_ARG;
        } else if (ranges && strchr(t, ':')) {
            rc = parse_range(t, max_values, out, err, err_len);
        } else {
            rc = push(out, ranges ? sweep_value_text(t, buf, sizeof buf) : t, max_values, err,
                      err_len);
        }
        item = comma ? comma + 1 : NULL;
    }
    free(copy);
    return rc;
}

void sweep_values_free(struct sweep_values *v)
{
    for (int i = 0; i < v->n; i++)
        free(v->v[i]);
    free(v->v);
    v->v = NULL;
    v->n = v->cap = 0;
}
