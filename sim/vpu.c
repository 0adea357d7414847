/*
 * vpu.c — vector unit cycles: whole vectors (lanes x sublanes elements) times
 * a per-op cost from the chip file, and vector-memory bandwidth.
 */
#include <float.h>
#include <math.h>

#include "cycles.h"
#include "vpu.h"

uint64_t vpu_vector_elems(const struct chip *c)
{
    if (c->vpu_lanes <= 0 || c->vpu_sublanes <= 0)
        return 0;
    return (uint64_t)c->vpu_lanes * (uint64_t)c->vpu_sublanes;
}

/*
 * A partial vector costs a whole one (the lanes are occupied either way),
 * and the total is rounded up once, after multiplying, so fractional costs
 * (a transcendental issued every other cycle: 0.5) add up before rounding.
 * Integral costs multiply exactly in integers, saturating at UINT64_MAX.
 * No vector unit (0 lanes) or an op outside the table cannot do the work:
 * UINT64_MAX for any elements, so callers route it elsewhere; 0 elements
 * cost 0. A cost of 0 (or below, which chip_load rejects) is free.
 */
uint64_t vpu_op_cycles(const struct chip *c, enum vpu_op op, uint64_t elements)
{
    if (elements == 0)
        return 0;
    uint64_t ve = vpu_vector_elems(c);
    if (ve == 0 || (unsigned)op >= VPU_OP_COUNT)
        return UINT64_MAX;
    uint64_t vectors = elements / ve + (elements % ve != 0);
    double cost = c->vpu_cycles_per_vector[op];
    if (!(cost > 0))
        return 0;
    if (cost < 9.2e18 && cost == floor(cost)) {
        uint64_t r;
        return __builtin_mul_overflow(vectors, (uint64_t)cost, &r) ? UINT64_MAX : r;
    }
    return ceil_cycles((double)vectors * cost);
}

/*
 * ceil(bytes / vmem_bytes_per_cycle). A chip file with 0 bandwidth does not
 * model vector-memory traffic (it is folded into the op costs): 0 cycles.
 */
uint64_t vpu_vmem_cycles(const struct chip *c, uint64_t bytes)
{
    if (bytes == 0 || !(c->vpu_vmem_bytes_per_cycle > 0))
        return 0;
    return ceil_cycles((double)bytes / c->vpu_vmem_bytes_per_cycle);
}
