/*
 * vpu.h — the vector unit: lanes x sublanes element slots per cycle, a cost
 * table per element op (chip file), transcendental ops on their own path,
 * and load/store bandwidth to vector memory.
 */
#ifndef TPUSIM_VPU_H
#define TPUSIM_VPU_H

#include <stdint.h>

#include "chip.h"

/* Elements one vector instruction covers: lanes x sublanes. */
uint64_t vpu_vector_elems(const struct chip *c);
/* Cycles to apply `op` to `elements` elements: ceil(elements / vector) x cost. */
uint64_t vpu_op_cycles(const struct chip *c, enum vpu_op op, uint64_t elements);
/* Cycles to move `bytes` between vector memory and the vector registers. */
uint64_t vpu_vmem_cycles(const struct chip *c, uint64_t bytes);

#endif /* TPUSIM_VPU_H */
