/*
 * sweep_values.h — the values of one sweep dimension, from text: a comma-
 * separated list whose items are single values or ranges. A range is
 * START:STOP:STEP, linear ("1:4:1" is 1, 2, 3, 4), or START:STOP:*FACTOR,
 * geometric ("300:2400:*2" is 300, 600, 1200, 2400); STOP is included when
 * a step lands on it. Numbers are written back with 15 significant digits
 * ("0.1:0.3:0.1" is 0.1, 0.2, 0.3, never 0.30000000000000004), so that
 * the same value is always the same text. Used by `tpusim sweep`
 * (docs/sweep.md); the library itself never prints.
 */
#ifndef TPUSIM_SWEEP_VALUES_H
#define TPUSIM_SWEEP_VALUES_H

#include <stdbool.h>
#include <stddef.h>

struct sweep_values {
    char **v;    /* malloc'ed strings */
    int n, cap;
};

/* Appends the values of `text` to out. With ranges false every item is a
 * value as written (model names hold ':'). An empty list or item, a bad
 * range (zero step, a step or factor leading away from STOP, a factor of
 * 1 or less), a value given twice, or more than max_values values in all
 * is TPUSIM_ERR_ARG with the problem in err; TPUSIM_ERR_NOMEM when out of
 * memory. */
int sweep_values_parse(const char *text, bool ranges, int max_values, struct sweep_values *out,
                       char *err, size_t err_len);
/* The numeric form every value takes: a number written with %.15g, other
 * text as it is. Returns buf. */
const char *sweep_value_text(const char *item, char *buf, size_t len);
void sweep_values_free(struct sweep_values *v);
/* s without leading and trailing blanks (cut in place). */
char *sweep_trim(char *s);

#endif /* TPUSIM_SWEEP_VALUES_H */
