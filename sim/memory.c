/*
 * memory.c — off-chip transfers in cycles: HBM/DRAM latency plus bytes at
 * bandwidth, and the Edge TPU host link (latency, per-transfer overhead).
 */
#include "cycles.h"
#include "memory.h"

/* ceil(bytes / per_cycle); a link with no bandwidth never finishes. */
static uint64_t bytes_cycles(uint64_t bytes, double per_cycle)
{
    if (bytes == 0)
        return 0;
    if (!(per_cycle > 0))
        return UINT64_MAX;
    return ceil_cycles((double)bytes / per_cycle);
}

/*
 * A chip without DRAM (hbm_bytes_per_cycle == 0, Edge TPU) answers
 * UINT64_MAX for any bytes > 0: such traffic cannot go to HBM, and callers
 * must route it elsewhere (on-chip SRAM, the host link) rather than add it.
 */
uint64_t hbm_transfer_cycles(const struct chip *c, uint64_t bytes)
{
    if (bytes == 0)
        return 0;
    return sat_add(c->hbm_latency_cycles, bytes_cycles(bytes, c->hbm_bytes_per_cycle));
}

uint64_t hbm_stream_cycles(const struct chip *c, uint64_t bytes)
{
    return bytes_cycles(bytes, c->hbm_bytes_per_cycle);
}

uint64_t host_link_stream_cycles(const struct chip *c, uint64_t bytes)
{
    return bytes_cycles(bytes, c->host_link_bytes_per_cycle);
}

/*
 * latency + transfers x overhead + ceil(bytes / bandwidth); nothing sent
 * (no bytes, no transfers) is free. Bytes over a link with no bandwidth:
 * UINT64_MAX, as for HBM. Saturates at UINT64_MAX.
 */
uint64_t host_link_cycles(const struct chip *c, uint64_t bytes, uint64_t transfers)
{
    if (bytes == 0 && transfers == 0)
        return 0;
    uint64_t fixed = sat_add(c->host_link_latency_cycles,
                             sat_mul(transfers, c->host_link_overhead_cycles));
    return sat_add(fixed, host_link_stream_cycles(c, bytes));
}
