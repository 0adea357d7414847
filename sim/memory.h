/*
 * memory.h — off-chip memory (HBM/DRAM: bandwidth and latency), the host
 * link that streams Edge TPU parameters, and on-chip SRAM capacity.
 */
#ifndef TPUSIM_MEMORY_H
#define TPUSIM_MEMORY_H

#include <stdint.h>

#include "chip.h"

/* Cycles for one DMA of `bytes` from HBM at full bandwidth, latency included.
 * 0 bytes cost 0 cycles. */
uint64_t hbm_transfer_cycles(const struct chip *c, uint64_t bytes);
/* Cycles to stream `bytes` at full HBM bandwidth, latency excluded (the
 * steady state of pipelined DMAs). */
uint64_t hbm_stream_cycles(const struct chip *c, uint64_t bytes);
/* Cycles to stream `bytes` at host link bandwidth, latency and overhead
 * excluded (the steady state of pipelined transfers). */
uint64_t host_link_stream_cycles(const struct chip *c, uint64_t bytes);
/* Cycles for `bytes` over the host link in `transfers` transfers: latency
 * once, per-transfer overhead each, bytes at link bandwidth. */
uint64_t host_link_cycles(const struct chip *c, uint64_t bytes, uint64_t transfers);

#endif /* TPUSIM_MEMORY_H */
