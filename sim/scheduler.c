/*
 * scheduler.c — what both engines share: how long a transfer holds the DMA
 * engine or the host link, and how a unit's cycles split into causes.
 */
#include "scheduler.h"

#include <string.h>

#include "cycles.h"
#include "memory.h"

uint64_t sched_dma_latency_cycles(const struct chip *c)
{
    return c->mxu_kind == MATRIX_TENSOR_CORES ? 0 : c->hbm_latency_cycles;
}

void sched_shares_of(const struct op_plan *p, struct sched_shares *out)
{
    const struct plan_totals t = p->total;
    memset(out, 0, sizeof *out);
    uint64_t moved = sat_add(sat_add(t.read_bytes, t.write_bytes), p->weight_bytes);
    out->reread = moved ? (double)t.reread_bytes / (double)moved : 0;
    uint64_t mxu = sat_add(t.mxu_cycles, p->mxu_prologue_cycles);
    if (mxu) {
        out->stream = (double)t.mxu_stream_cycles / (double)mxu;
        out->wave = (double)t.mxu_wave_cycles / (double)mxu;
    }
}

/* `part` of `cycles`, rounded down, never more than what is left. */
static uint64_t portion(uint64_t cycles, double part, uint64_t left)
{
    uint64_t x = sat_from_double((double)cycles * part);
    return x < left ? x : left;
}

void sched_charge(const struct sched_shares *sh, enum sched_unit u, uint64_t cycles,
                  uint64_t *stall)
{
    uint64_t left = cycles, x;
    switch (u) {
    case SU_DMA:
        x = portion(cycles, sh->reread, left);
        stall[CAUSE_SRAM] = sat_add(stall[CAUSE_SRAM], x);
        stall[CAUSE_HBM] = sat_add(stall[CAUSE_HBM], left - x);
        break;
    case SU_MXU:
        x = portion(cycles, sh->wave, left);
        stall[CAUSE_WAVE_QUANT] = sat_add(stall[CAUSE_WAVE_QUANT], x);
        left -= x;
        x = portion(cycles, sh->stream, left);
        stall[CAUSE_MXU] = sat_add(stall[CAUSE_MXU], x);
        stall[CAUSE_WEIGHT_LOAD] = sat_add(stall[CAUSE_WEIGHT_LOAD], left - x);
        break;
    case SU_VPU: stall[CAUSE_VPU] = sat_add(stall[CAUSE_VPU], cycles); break;
    case SU_HOST: stall[CAUSE_HOST_LINK] = sat_add(stall[CAUSE_HOST_LINK], cycles); break;
    case SU_COUNT: break;
    }
}

/* What a unit shows beyond the busiest one's work: the first or last of
 * its tiles, and the latencies the pipeline cannot hide. Weights, per
 * cause, for the remainder of an op's cycles. */
static void exposed(const struct chip *c, const struct op_plan *p, const struct sched_shares *sh,
                    enum sched_unit busiest, double bpc, double *w)
{
    const struct tile_work *f = plan_tile(p, 0), *l = &p->last;
    if (busiest != SU_DMA) {
        double dma = (double)sched_dma_cycles(c, bpc, p->weight_bytes, 0) +
                     (double)sched_dma_cycles(c, bpc, f->read_bytes, f->l2_bytes) +
                     (double)sched_dma_cycles(c, bpc, l->write_bytes, 0);
        w[CAUSE_SRAM] += dma * sh->reread;
        w[CAUSE_HBM] += dma * (1 - sh->reread);
    }
    if (p->weight_bytes || f->read_bytes || l->write_bytes)
        w[CAUSE_HBM] += (double)sched_dma_latency_cycles(c);
    if (p->on_mxu) {
        w[CAUSE_FILL_DRAIN] += (double)l->mxu_latency_cycles;
        if (busiest != SU_MXU) {
            w[CAUSE_WEIGHT_LOAD] += (double)p->mxu_prologue_cycles;
            w[CAUSE_MXU] += (double)f->mxu_cycles;
        }
    }
    if (busiest != SU_VPU)
        w[CAUSE_VPU] += (double)l->vpu_cycles;
    if (p->host_in_bytes || p->host_out_bytes || p->host_cpu_cycles) {
        w[CAUSE_HOST_LINK] += (double)c->host_link_latency_cycles;
        if (busiest != SU_HOST)
            w[CAUSE_HOST_LINK] += (double)host_link_hold_cycles(c, p->host_in_bytes) +
                                  (double)host_link_hold_cycles(c, p->host_out_bytes) +
                                  (double)p->host_cpu_cycles;
    }
}

void sched_attribute(const struct chip *c, const struct op_plan *p, const struct op_span *s,
                     double bytes_per_cycle, uint64_t body, uint64_t *stall)
{
    uint64_t busy[SU_COUNT] = {s->dma_busy, s->mxu_busy, s->vpu_busy, s->host_busy};
    enum sched_unit b = SU_MXU;
    for (int u = 0; u < SU_COUNT; u++)
        if (busy[u] > busy[b])
            b = (enum sched_unit)u;
    struct sched_shares sh;
    sched_shares_of(p, &sh);
    uint64_t own = busy[b] < body ? busy[b] : body;
    sched_charge(&sh, b, own, stall);
    uint64_t rest = body - own;
    if (!rest)
        return;
    double w[CAUSE_COUNT] = {0}, sum = 0;
    exposed(c, p, &sh, b, bytes_per_cycle, w);
    for (int k = 0; k < CAUSE_COUNT; k++)
        sum += w[k];
    if (!(sum > 0)) {
        sched_charge(&sh, b, rest, stall);
        return;
    }
    /* Largest remainder: the shares add up to `rest` exactly. */
    uint64_t given = 0, got[CAUSE_COUNT];
    double frac[CAUSE_COUNT];
    for (int k = 0; k < CAUSE_COUNT; k++) {
        double x = (double)rest * w[k] / sum;
        got[k] = (uint64_t)x;
        frac[k] = x - (double)got[k];
        given += got[k];
    }
    while (given < rest) {
        int best = 0;
        for (int k = 1; k < CAUSE_COUNT; k++)
            if (frac[k] > frac[best])
                best = k;
        got[best]++;
        frac[best] = -1;
        given++;
    }
    for (int k = 0; k < CAUSE_COUNT; k++)
        stall[k] = sat_add(stall[k], got[k]);
}
