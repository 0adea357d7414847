/*
 * sched_fast.c — the fast engine: each op alone, in closed form where its
 * schedule repeats (the machine and its rules: scheduler.h).
 *
 * An op's tiles are stepped through the pipeline's recurrences one by one,
 * with the DMA engine's transfers served in order of readiness. Its full
 * tiles are identical and the machine deterministic, so once the state
 * after a tile (every time the future depends on, taken relative to that
 * tile's end) equals the state one or two tiles earlier, every later full
 * tile repeats it shifted by the same period: the engine jumps to the last
 * few tiles and steps those (the last tile is priced on its own). The cost
 * is a handful of tiles per op, whatever the batch.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cycles.h"
#include "memory.h"
#include "scheduler.h"

/* A window of tiles around the current one: S behind, S ahead. */
#define WIN 8
#define WMASK (WIN - 1)
/* Tiles stepped before looking for a repeat, and the periods looked for. */
#define MIN_STEPS (2 * TILE_SLOTS + 2)
#define MAX_PERIOD 2
/* Words of the state that decides the future after a tile (see state_of). */
#define STATE_WORDS (4 + 6 * TILE_SLOTS)

_Static_assert(WIN >= 2 * TILE_SLOTS + 2, "the window holds S tiles behind and S ahead");

/* One op's pipeline (scheduler.h): times of the tiles in the window. */
struct kern {
    const struct chip *c;
    const struct op_plan *p;
    double bpc;                   /* HBM bytes per cycle this core gets */
    uint64_t t0, lat;
    uint64_t dma_free;
    uint64_t weight_end, host_in_end, prologue_end;
    uint64_t next_r, next_w;      /* the next read / write not yet served */
    uint64_t known_r, known_w;    /* reads / writes whose ready time is set */
    uint64_t r_ready[WIN], r_end[WIN];
    uint64_t w_ready[WIN], w_end[WIN];
    uint64_t m_end[WIN], v_end[WIN];
    uint64_t dma_busy;
};

static bool has_read(const struct tile_work *w)
{
    return w->read_bytes || w->l2_bytes;
}

/* When tile i's input slot frees: its consumer is done with it. */
static uint64_t in_slot_free(const struct kern *k, uint64_t i)
{
    return k->p->on_mxu ? k->m_end[i & WMASK] : k->v_end[i & WMASK];
}

/* When tile i's output slot frees: its write is done (or its VPU, when it
 * writes nothing back). Needs the write served. */
static uint64_t out_slot_free(const struct kern *k, uint64_t i)
{
    return plan_tile(k->p, i)->write_bytes ? k->w_end[i & WMASK] : k->v_end[i & WMASK];
}

/* Serves one transfer: start when ready and the engine is free. */
static uint64_t serve(struct kern *k, uint64_t ready, uint64_t cycles)
{
    uint64_t start = ready > k->dma_free ? ready : k->dma_free;
    k->dma_free = sat_add(start, cycles);
    k->dma_busy = sat_add(k->dma_busy, cycles);
    return k->dma_free;
}

static void serve_read(struct kern *k)
{
    uint64_t i = k->next_r++;
    const struct tile_work *w = plan_tile(k->p, i);
    if (has_read(w))
        k->r_end[i & WMASK] = serve(k, k->r_ready[i & WMASK],
                                    sched_dma_cycles(k->c, k->bpc, w->read_bytes, w->l2_bytes));
    else
        k->r_end[i & WMASK] = 0;
}

static void serve_write(struct kern *k)
{
    uint64_t i = k->next_w++;
    const struct tile_work *w = plan_tile(k->p, i);
    k->w_end[i & WMASK] = serve(k, k->w_ready[i & WMASK],
                                sched_dma_cycles(k->c, k->bpc, w->write_bytes, 0));
}

/* Serves transfers in order of readiness (reads before writes on a tie)
 * until read `r` is done and, when w_needed, write `w`. Transfers that
 * could come before them are known by then: a read becomes ready when an
 * earlier tile's consumer finishes, a write when its tile's VPU does, and
 * tiles are stepped in order (step_tile). */
static void serve_until(struct kern *k, uint64_t r, uint64_t w, bool w_needed)
{
    for (;;) {
        bool need_r = k->next_r <= r;
        bool need_w = w_needed && k->next_w <= w;
        if (!need_r && !need_w)
            return;
        bool cr = k->next_r < k->known_r, cw = k->next_w < k->known_w;
        if (cr && !has_read(plan_tile(k->p, k->next_r))) {
            k->r_end[k->next_r++ & WMASK] = 0;
            continue;
        }
        if (cw && !plan_tile(k->p, k->next_w)->write_bytes) {
            uint64_t j = k->next_w++;
            k->w_end[j & WMASK] = k->v_end[j & WMASK];
            continue;
        }
        if (cr && cw)
            cr = k->r_ready[k->next_r & WMASK] <= k->w_ready[k->next_w & WMASK];
        if (cr)
            serve_read(k);
        else if (cw)
            serve_write(k);
        else
            return; /* unreachable: what is needed is always known */
    }
}

static uint64_t max2(uint64_t a, uint64_t b)
{
    return a > b ? a : b;
}

/* The op's start condition for tile 0's compute: its own start, the
 * host-link input, the weights (and on the MXU its first weight load). */
static uint64_t first_compute(const struct kern *k)
{
    uint64_t t = max2(k->t0, k->host_in_end);
    return k->p->on_mxu ? max2(t, k->prologue_end) : max2(t, k->weight_end);
}

/* Tile i: its read and the write it waits on served, then MXU, VPU; then
 * the read that reuses its input slot and its own write become known. */
static void step_tile(struct kern *k, uint64_t i)
{
    const struct op_plan *p = k->p;
    const struct tile_work *w = plan_tile(p, i);
    bool back = i >= TILE_SLOTS;
    uint64_t b = i - TILE_SLOTS;
    /* The output slot's previous tenant must be written back: serve in
     * order of readiness up to it and up to this tile's read. */
    serve_until(k, i, b, back);
    uint64_t ready = max2(k->r_end[i & WMASK], back ? out_slot_free(k, b) : 0);
    if (i == 0)
        ready = max2(ready, first_compute(k));
    uint64_t vpu_after;
    if (p->on_mxu) {
        uint64_t s = ready;
        if (i > 0) {
            s = max2(s, k->m_end[(i - 1) & WMASK]);
            if (p->serial)
                s = max2(s, k->v_end[(i - 1) & WMASK]);
        }
        k->m_end[i & WMASK] = sat_add(s, w->mxu_cycles);
        vpu_after = sat_add(k->m_end[i & WMASK], w->mxu_latency_cycles);
    } else {
        vpu_after = ready;
    }
    if (i > 0)
        vpu_after = max2(vpu_after, k->v_end[(i - 1) & WMASK]);
    k->v_end[i & WMASK] = sat_add(vpu_after, w->vpu_cycles);
    if (!p->on_mxu)
        k->m_end[i & WMASK] = k->v_end[i & WMASK];
    /* The slot tile i read into takes tile i + S's read. */
    if (i + TILE_SLOTS < p->tiles) {
        k->r_ready[(i + TILE_SLOTS) & WMASK] = sat_add(in_slot_free(k, i), k->lat);
        k->known_r = i + TILE_SLOTS + 1;
    }
    k->w_ready[i & WMASK] = sat_add(k->v_end[i & WMASK], k->lat);
    k->known_w = i + 1;
}

/* The state after tile i, relative to its VPU end: everything a later
 * tile's times depend on. */
static void state_of(const struct kern *k, uint64_t i, int64_t *s)
{
    int64_t base = (int64_t)k->v_end[i & WMASK];
    int n = 0;
    s[n++] = (int64_t)k->dma_free - base;
    s[n++] = (int64_t)(k->next_r - i);
    s[n++] = (int64_t)(k->next_w - i);
    s[n++] = (int64_t)k->m_end[i & WMASK] - base;
    for (uint64_t j = 1; j <= TILE_SLOTS; j++) {
        uint64_t a = (i + j) & WMASK, b = (i + 1 - j) & WMASK;
        s[n++] = (int64_t)k->r_ready[a] - base;
        s[n++] = k->next_r > i + j ? (int64_t)k->r_end[a] - base : 0;
        s[n++] = (int64_t)k->w_ready[b] - base;
        s[n++] = k->next_w > i + 1 - j ? (int64_t)k->w_end[b] - base : 0;
        s[n++] = (int64_t)k->v_end[b] - base;
        s[n++] = (int64_t)k->m_end[b] - base;
    }
}

/* Moves the window from tile i to tile i + n, every time later by
 * `add` cycles (n tiles are whole periods). */
static void jump(struct kern *k, uint64_t i, uint64_t n, uint64_t add)
{
    struct kern old = *k;
    for (uint64_t j = i - TILE_SLOTS; j <= i + TILE_SLOTS; j++) {
        uint64_t a = j & WMASK, b = (j + n) & WMASK;
        k->r_ready[b] = sat_add(old.r_ready[a], add);
        k->r_end[b] = old.r_end[a] ? sat_add(old.r_end[a], add) : 0;
        k->w_ready[b] = sat_add(old.w_ready[a], add);
        k->w_end[b] = sat_add(old.w_end[a], add);
        k->m_end[b] = sat_add(old.m_end[a], add);
        k->v_end[b] = sat_add(old.v_end[a], add);
    }
    k->dma_free = sat_add(k->dma_free, add);
    k->next_r += n;
    k->next_w += n;
    k->known_r += n;
    k->known_w += n;
    /* The jumped tiles' transfers held the engine as the stepped ones did. */
    const struct tile_work *w = &k->p->full;
    uint64_t per_tile = sat_add(sched_dma_cycles(k->c, k->bpc, w->read_bytes, w->l2_bytes),
                                sched_dma_cycles(k->c, k->bpc, w->write_bytes, 0));
    k->dma_busy = sat_add(k->dma_busy, sat_mul(n, per_tile));
}

static void start_op(struct kern *k)
{
    const struct op_plan *p = k->p;
    const struct chip *c = k->c;
    if (p->host_in_bytes || p->host_cpu_cycles)
        k->host_in_end = sat_add(sat_add(k->t0, p->host_in_bytes ? c->host_link_latency_cycles : 0),
                                 sat_add(host_link_hold_cycles(c, p->host_in_bytes),
                                         p->host_cpu_cycles));
    k->dma_free = k->t0;
    if (p->weight_bytes)
        k->weight_end = serve(k, sat_add(k->t0, k->lat),
                              sched_dma_cycles(c, k->bpc, p->weight_bytes, 0));
    if (p->on_mxu)
        k->prologue_end = sat_add(max2(max2(k->t0, k->weight_end), k->host_in_end),
                                  p->mxu_prologue_cycles);
    for (uint64_t i = 0; i < TILE_SLOTS && i < p->tiles; i++)
        k->r_ready[i & WMASK] = sat_add(k->t0, k->lat);
    k->known_r = p->tiles < TILE_SLOTS ? p->tiles : TILE_SLOTS;
}

void sched_fast_op(const struct chip *c, const struct op_plan *p, double bytes_per_cycle,
                   uint64_t t0, struct op_span *out)
{
    struct kern k;
    memset(&k, 0, sizeof k);
    k.c = c;
    k.p = p;
    k.bpc = bytes_per_cycle;
    k.t0 = t0;
    k.lat = sched_dma_latency_cycles(c);
    start_op(&k);
    int64_t hist[MAX_PERIOD + 1][STATE_WORDS];
    uint64_t base[MAX_PERIOD + 1];
    uint64_t stepped = 0;
    bool jumped = false;
    for (uint64_t i = 0; i < p->tiles; i++) {
        step_tile(&k, i);
        stepped++;
        /* Full tiles all around: look for a repeat, once. */
        if (jumped || i < MIN_STEPS || i + TILE_SLOTS + 2 >= p->tiles)
            continue;
        int slot = (int)(i % (MAX_PERIOD + 1));
        state_of(&k, i, hist[slot]);
        base[slot] = k.v_end[i & WMASK];
        for (uint64_t per = 1; per <= MAX_PERIOD && i >= MIN_STEPS + per; per++) {
            int prev = (int)((i - per) % (MAX_PERIOD + 1));
            if (memcmp(hist[slot], hist[prev], sizeof hist[slot]))
                continue;
            uint64_t n = (p->tiles - TILE_SLOTS - 2 - i) / per * per;
            if (n) {
                jump(&k, i, n, sat_mul(n / per, base[slot] - base[prev]));
                i += n;
            }
            jumped = true;
            break;
        }
    }
    uint64_t last = p->tiles - 1;
    serve_until(&k, last, last, true);
    uint64_t end = max2(k.v_end[last & WMASK], k.dma_free);
    uint64_t host_busy = 0;
    if (p->host_in_bytes || p->host_cpu_cycles)
        host_busy = sat_add(host_link_hold_cycles(c, p->host_in_bytes), p->host_cpu_cycles);
    if (p->host_out_bytes) {
        uint64_t hold = host_link_hold_cycles(c, p->host_out_bytes);
        uint64_t from = max2(sat_add(k.v_end[last & WMASK], c->host_link_latency_cycles),
                             k.host_in_end);
        end = max2(end, sat_add(from, hold));
        host_busy = sat_add(host_busy, hold);
    }
    const struct plan_totals tot = p->total;
    memset(out, 0, sizeof *out);
    out->end = end;
    out->dma_busy = k.dma_busy;
    out->mxu_busy = p->on_mxu ? sat_add(p->mxu_prologue_cycles, tot.mxu_cycles) : 0;
    out->vpu_busy = tot.vpu_cycles;
    out->host_busy = host_busy;
    out->tiles_stepped = stepped;
}

/* Each unfused op that does work on the device is one kernel the stack
 * launches; view-only ops (reshape) and host ops launch nothing. */
bool sched_launches(const struct op_demand *d)
{
    if (d->on_host || d->fused_into >= 0)
        return false;
    const struct op_plan *p = &d->plan;
    const struct plan_totals t = p->total;
    return t.read_bytes || t.write_bytes || t.l2_bytes || t.mxu_cycles || t.vpu_cycles ||
           p->weight_bytes || p->mxu_prologue_cycles || p->host_in_bytes || p->host_out_bytes;
}

uint64_t sched_dispatch_cycles(const struct chip *c, const struct sim_options *o)
{
    return sat_add(ceil_cycles(o->stack->dispatch_us_per_kernel * c->clock_mhz),
                   ceil_cycles(o->framework_overhead_us * c->clock_mhz));
}

uint64_t sched_gap_cycles(const struct chip *c, const struct sim_options *o)
{
    return ceil_cycles(o->stack->gap_us_per_kernel * c->clock_mhz);
}

/* HBM bytes per cycle each core gets when all of them stream at once. */
double sched_core_bandwidth(const struct chip *c, const struct sim_options *o)
{
    int cores = o->cores > 1 ? o->cores : 1;
    return c->hbm_bytes_per_cycle / (double)cores;
}

void sched_result_init(const struct op_demand *d, struct op_result *r)
{
    memset(r, 0, sizeof *r);
    r->op = d->op;
    r->fused_into = d->fused_into;
    r->fused_into_row = d->fused_into_row;
    r->flops = d->flops;
    r->macs = d->macs;
    r->hbm_bytes = d->hbm_bytes;
    r->host_bytes = d->host_bytes;
    r->mac_slots = d->mxu.mac_slots;
    r->useful_macs = d->mxu.useful_macs;
    r->sram_live_bytes = d->sram_live_bytes;
    r->buffer_bytes = d->plan.weight_bytes + d->plan.slot_bytes;
    r->act_bytes = d->act_bytes;
    r->act_useful_bytes = d->act_useful_bytes;
    r->hbm_write_bytes = d->hbm_write_bytes;
    r->tiles = d->plan.tiles;
    r->mxus_used = d->on_mxu ? d->mxu.mxus_used : 0;
    r->kernel = sched_launches(d);
}

enum cause sched_bound(const struct op_result *r)
{
    enum cause best = CAUSE_MXU;
    for (int k = 0; k < CAUSE_COUNT; k++)
        if (r->stall[k] > r->stall[best])
            best = (enum cause)k;
    return best;
}

/* An op's time alone from cycle 0 and its causes: sched_fast_op and
 * sched_attribute depend on nothing but the plan, the chip and the
 * bandwidth, so ops with equal plans (a network's repeated blocks) are
 * timed once. A cache of the plans timed (tiling.h), keyed by a few of
 * their numbers; a hit compares the whole plan. */
struct alone {
    const struct op_plan *plan;  /* NULL: an empty slot */
    uint64_t end;                /* sched_fast_op's span end */
    uint64_t stall[CAUSE_COUNT]; /* sched_attribute's charges over it */
};

static struct alone *alone_slot(struct alone *cache, const struct op_plan *p)
{
    const uint64_t key[] = {p->tiles, p->weight_bytes, p->total.read_bytes,
                            p->total.write_bytes, p->total.mxu_cycles, p->total.vpu_cycles};
    return &cache[plan_cache_slot(key, sizeof key / sizeof *key)];
}

static const struct alone *time_alone(const struct chip *c, const struct op_plan *p, double bpc,
                                      struct alone *cache)
{
    struct alone *a = alone_slot(cache, p);
    if (a->plan && !memcmp(a->plan, p, sizeof *p))
        return a;
    struct op_span s;
    sched_fast_op(c, p, bpc, 0, &s);
    a->plan = p;
    a->end = s.end;
    memset(a->stall, 0, sizeof a->stall);
    sched_attribute(c, p, &s, bpc, s.end, a->stall);
    return a;
}

/* Each op alone, in order. A kernel's launch is the steady state of a host
 * that issues ahead (stack_launch_cycles): it takes max(work + gap,
 * dispatch); the stack's per-inference cost comes first, in the first
 * running op's row. */
int sched_fast(const struct chip *c, const struct sim_options *o, const struct op_demand *d,
               int n, struct sim_result *res, char *err, size_t err_len)
{
    (void)err;
    (void)err_len;
    double bpc = sched_core_bandwidth(c, o);
    uint64_t t = 0, invocation = res->invocation_cycles;
    struct alone cache[PLAN_CACHE_SLOTS];
    for (int i = 0; i < PLAN_CACHE_SLOTS; i++)
        cache[i].plan = NULL;
    for (int i = 0; i < n; i++) {
        struct op_result *r = &res->ops[i];
        sched_result_init(&d[i], r);
        r->start_cycle = t;
        if (d[i].fused_into >= 0)
            continue;
        uint64_t before = invocation;
        invocation = 0;
        /* alone: the same at any start */
        const struct alone *a = time_alone(c, &d[i].plan, bpc, cache);
        uint64_t launch = r->kernel
                              ? stack_launch_cycles(o->stack, c->clock_mhz, a->end,
                                                    o->framework_overhead_us)
                              : 0;
        r->cycles = sat_add(sat_add(before, launch), a->end);
        memcpy(r->stall, a->stall, sizeof r->stall);
        r->stall[CAUSE_LAUNCH] = sat_add(r->stall[CAUSE_LAUNCH], before + launch);
        r->bound = sched_bound(r);
        t = sat_add(t, r->cycles);
    }
    return TPUSIM_OK;
}
