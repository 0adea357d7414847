/*
 * memory.c — off-chip transfers in cycles: HBM/DRAM latency plus bytes at
 * bandwidth, and the Edge TPU host link (latency, transfers of a bounded
 * size, each with the host's overhead).
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

uint64_t host_link_transfers(const struct chip *c, uint64_t bytes)
{
    if (bytes == 0)
        return 0;
    if (c->host_link_max_transfer_bytes == 0)
        return 1;
    return ceil_div(bytes, c->host_link_max_transfer_bytes);
}

/*
 * One DMA of `bytes` goes as n transfers of at most max_transfer_bytes;
 * the host spends `overhead` submitting and completing each. With one in
 * flight they take turns: n x overhead + bytes at bandwidth. With more in
 * flight the host submits the next while the link moves the last, so the
 * link waits for the first submission only, unless submitting a transfer
 * takes longer than moving one: then the host sets the pace, n x overhead
 * and the last transfer's bytes. Saturates at UINT64_MAX.
 */
uint64_t host_link_hold_cycles(const struct chip *c, uint64_t bytes)
{
    if (bytes == 0)
        return 0;
    uint64_t n = host_link_transfers(c, bytes), o = c->host_link_overhead_cycles;
    uint64_t submits = sat_mul(n, o);
    if (n == 1 || c->host_link_transfers_in_flight <= 1)
        return sat_add(submits, host_link_stream_cycles(c, bytes));
    uint64_t last = bytes - (n - 1) * c->host_link_max_transfer_bytes;
    uint64_t link_paced = sat_add(o, host_link_stream_cycles(c, bytes));
    uint64_t host_paced = sat_add(submits, host_link_stream_cycles(c, last));
    return link_paced > host_paced ? link_paced : host_paced;
}

/* latency + the hold; nothing sent is free. */
uint64_t host_link_cycles(const struct chip *c, uint64_t bytes)
{
    if (bytes == 0)
        return 0;
    return sat_add(c->host_link_latency_cycles, host_link_hold_cycles(c, bytes));
}
