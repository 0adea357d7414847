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
/* Transfers one host-link DMA of `bytes` takes: bytes / max_transfer_bytes
 * rounded up (1 when the chip sets no maximum; 0 for no bytes). */
uint64_t host_link_transfers(const struct chip *c, uint64_t bytes);
/* Cycles one DMA of `bytes` holds the host link: its transfers' overheads
 * and its bytes at bandwidth, overlapped when the host keeps more than one
 * transfer in flight (memory.c). Latency excluded; 0 bytes cost 0. */
uint64_t host_link_hold_cycles(const struct chip *c, uint64_t bytes);
/* The same with the link's latency first: one DMA from issue to done. */
uint64_t host_link_cycles(const struct chip *c, uint64_t bytes);

#endif /* TPUSIM_MEMORY_H */
