/*
 * cycles.h — the arithmetic of cycle counts, shared by the timing units:
 * saturating sums and products (a result is exact or UINT64_MAX, "too large
 * to count"), integer ceil division, and rounding a double up to cycles.
 */
#ifndef TPUSIM_CYCLES_H
#define TPUSIM_CYCLES_H

#include <float.h>
#include <math.h>
#include <stdint.h>

static inline uint64_t sat_add(uint64_t a, uint64_t b)
{
    uint64_t r;
    return __builtin_add_overflow(a, b, &r) ? UINT64_MAX : r;
}

static inline uint64_t sat_mul(uint64_t a, uint64_t b)
{
    uint64_t r;
    return __builtin_mul_overflow(a, b, &r) ? UINT64_MAX : r;
}

/* ceil(a / b) without the overflow of (a + b - 1) / b; 0 when b is 0. */
static inline uint64_t ceil_div(uint64_t a, uint64_t b)
{
    return b ? a / b + (a % b != 0) : 0;
}

/* x as a count, rounded down: 0 for x <= 0 or NaN, UINT64_MAX from 2^64 up
 * (inf included). A plain (uint64_t) cast of those is undefined behaviour. */
static inline uint64_t sat_from_double(double x)
{
    if (!(x > 0))
        return 0;
    return x >= 18446744073709551616.0 ? UINT64_MAX : (uint64_t)x;
}

/*
 * ceil(x) as cycles. Costs and bandwidths are doubles (0.1 cycles per
 * vector, 957.4 bytes per cycle), so a product that is a whole number on
 * paper may land a few ulps above it (10 x 0.1 = 1.0000000000000002): a
 * relative slack of 4 ulps absorbs that before rounding up. Saturates at
 * UINT64_MAX (inf included: inf - inf would be NaN); x <= 0 or NaN is 0.
 */
static inline uint64_t ceil_cycles(double x)
{
    if (!(x > 0))
        return 0;
    if (x >= 18446744073709551616.0) /* inf too: x - x * eps would be NaN */
        return UINT64_MAX;
    double y = x - x * 4 * DBL_EPSILON;
    /* ceil by truncation (no libm call on the hot path): 0 < y < 2^64. */
    uint64_t r = (uint64_t)y;
    return (double)r < y ? r + 1 : r;
}

#endif /* TPUSIM_CYCLES_H */
