/*
 * energy.h — energy and power from the events the engines count.
 *
 * An op's dynamic energy is its demands (lower.c's struct op_demand: MAC
 * slots the matrix unit issued, vector-unit cycles, bytes at each memory
 * level) times the chip file's energy per event ([energy]); static power
 * (leakage and always-on) is drawn for every cycle of the run, busy or
 * idle. Sources and what is left out: docs/energy.md.
 */
#ifndef TPUSIM_ENERGY_H
#define TPUSIM_ENERGY_H

#include <stdint.h>

#include "chip.h"
#include "tpusim.h"

struct op_demand; /* engine.h */

/* Where energy goes. The dynamic parts come first; ENERGY_STATIC is
 * derived from cycles and is never stored in a sum (see energy_parts). */
enum energy_part {
    ENERGY_MXU,       /* matrix unit: MAC slots issued (padding included) */
    ENERGY_VPU,       /* vector unit: element slots busy, per cycle */
    ENERGY_SRAM,      /* on-chip memory: VMEM, CMEM, parameter cache, L2 */
    ENERGY_HBM,       /* off-chip DRAM */
    ENERGY_HOST_LINK, /* the host link (Edge TPU parameters and tensors) */
    ENERGY_DYNAMIC_COUNT,
    ENERGY_STATIC = ENERGY_DYNAMIC_COUNT, /* leakage and always-on, over the time */
    ENERGY_COUNT
};

/* "mxu", "vpu", "sram", "hbm", "host_link", "static"; "?" out of range. */
const char *energy_part_name(enum energy_part p);

/* Adds the dynamic energy of one op's demands, run in `dtype`, to
 * fj[0 .. ENERGY_DYNAMIC_COUNT-1], in femtojoules (each part rounded to
 * the nearest; saturating). */
void energy_add_op(const struct chip *c, tpusim_dtype dtype, const struct op_demand *d,
                   uint64_t *fj);
/* Every part of a run of `cycles` cycles whose dynamic energy is
 * dyn_fj[ENERGY_DYNAMIC_COUNT] (femtojoules): out[ENERGY_COUNT], in
 * picojoules; returns their sum. */
double energy_parts(const struct chip *c, const uint64_t *dyn_fj, uint64_t cycles, double *out);
/* Average power, watts, of `pj` picojoules over `cycles` cycles (0 when
 * cycles is 0). */
double energy_avg_power_w(const struct chip *c, double pj, uint64_t cycles);

/* A run's energy as results report it: its parts and total in
 * microjoules and its average power, from energy_parts. */
struct energy_total {
    double pj;                         /* the sum, picojoules */
    double uj;                         /* the same in microjoules */
    double uj_by_part[ENERGY_COUNT];
    double avg_power_w;
};
void energy_total_of(const struct chip *c, const uint64_t *dyn_fj, uint64_t cycles,
                     struct energy_total *out);

#endif /* TPUSIM_ENERGY_H */
