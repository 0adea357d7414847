/*
 * sched_event.c — the event engine: every tile, transfer and unit in time
 * (the machine and its rules: scheduler.h).
 *
 * Activities (struct act) wait on other activities and on their unit. An
 * activity is made as soon as everything it depends on has finished; its
 * ready time is the latest of their ends (plus a latency where one
 * applies); its unit runs it when free, in order of readiness. The units:
 * per core a DMA engine, a matrix unit and a vector unit; per chip the HBM
 * the DMA engines share (each active transfer gets an equal share of the
 * bandwidth) and the host link. Across ops, on each core: an op starts
 * when the previous op's vector unit is done (its write-backs run on), and
 * the next op's weights are prefetched while this op runs when on-chip
 * memory has room for them (ASSUMED: one op ahead, in blocks the size of a
 * streaming tile, yielding to the running op's transfers; XLA's memory
 * space assignment prefetches operands of later ops from HBM into VMEM
 * asynchronously).
 *
 * Each activity records the one whose end decided its start: walking back
 * from the last activity gives the critical path, and each of its cycles
 * is charged to the op and cause it belongs to, so op rows add up to the
 * run's cycles. Units that idle are charged to what they waited for.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cycles.h"
#include "memory.h"
#include "scheduler.h"
#include "sched_event.h"

/* Tiles of one op in flight at once (reads run S ahead of the MXU, whose
 * output slots wait S behind for their write-backs). */
#define RING 16
#define RMASK (RING - 1)
_Static_assert(RING >= 4 * TILE_SLOTS + 2, "the ring holds every tile in flight");

/* A DMA class below the demand classes of scheduler.h: prefetches run only
 * when no demand transfer is ready. */
#define DMA_PREFETCH DMA_CLASSES

const char *act_unit_name(enum act_unit u)
{
    static const char *const names[AU_COUNT] = {"DMA in", "DMA out", "MXU", "VPU", "host link",
                                                "launch"};
    return (unsigned)u < AU_COUNT ? names[u] : "?";
}

const char *act_kind_name(enum act_kind k)
{
    static const char *const names[AK_COUNT] = {
        "weights", "read", "write", "prologue", "mxu", "vpu", "host in", "host out",
        "launch",  "dispatch", "invocation"};
    return (unsigned)k < AK_COUNT ? names[k] : "?";
}

const char *wait_reason_name(enum wait_reason w)
{
    static const char *const names[WAIT_COUNT] = {"dma", "buffer", "dependency",
                                                  "fill_drain", "launch", "idle"};
    return (unsigned)w < WAIT_COUNT ? names[w] : "?";
}

void event_log_free(struct event_log *l)
{
    if (!l)
        return;
    free(l->acts);
    free(l->hbm);
    free(l->units);
    free(l->core_cycles);
    memset(l, 0, sizeof *l);
}

/* ------------------------------------------------------------ events */

enum ev_kind { EV_DONE, EV_DMA_DONE, EV_WAKE };

struct ev {
    uint64_t t, seq;
    uint32_t act;      /* EV_DONE: the activity; EV_DMA_DONE: the transfer */
    uint32_t version;  /* EV_DMA_DONE: stale when the transfer's version moved on */
    uint16_t core;
    uint8_t kind, unit;
};

struct heap {
    struct ev *e;
    size_t n, cap;
    uint64_t seq;
};

static bool ev_before(const struct ev *a, const struct ev *b)
{
    return a->t != b->t ? a->t < b->t : a->seq < b->seq;
}

static int heap_push(struct heap *h, struct ev e)
{
    if (h->n == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 256;
        struct ev *n = realloc(h->e, cap * sizeof *n);
        if (!n)
            return TPUSIM_ERR_NOMEM;
        h->e = n;
        h->cap = cap;
    }
    e.seq = h->seq++;
    size_t i = h->n++;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!ev_before(&e, &h->e[p]))
            break;
        h->e[i] = h->e[p];
        i = p;
    }
    h->e[i] = e;
    return TPUSIM_OK;
}

static struct ev heap_pop(struct heap *h)
{
    struct ev top = h->e[0], last = h->e[--h->n];
    size_t i = 0;
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        const struct ev *best = &last;
        if (l < h->n && ev_before(&h->e[l], best)) {
            m = l;
            best = &h->e[l];
        }
        if (r < h->n && ev_before(&h->e[r], best))
            m = r;
        if (m == i)
            break;
        h->e[i] = h->e[m];
        i = m;
    }
    if (h->n)
        h->e[i] = last;
    return top;
}

/* ----------------------------------------------------------- the run */

/* A unit that runs one activity at a time from a queue of made ones. */
struct server {
    uint32_t *q;          /* activities waiting, unordered (small) */
    size_t n, cap;
    uint32_t running;     /* ACT_NONE when free */
    uint32_t last;        /* the last activity it ran */
    uint64_t free_at;
    bool woken;           /* a wake-up is scheduled at `wake_at` */
    uint64_t wake_at;
};

/* One op's progress on one core: which tile each stage has reached, and
 * the activities of the tiles in flight. */
struct opst {
    uint64_t issued_r, made_m, made_v, made_w;  /* tiles past each stage */
    uint32_t r[RING], m[RING], v[RING], w[RING];
    uint32_t prologue, host_in, launch;
    uint32_t weights_last;     /* the op's last weight block, ACT_NONE when none */
    uint64_t weight_blocks_made;
    bool started, compute_done;
    uint32_t start_act;        /* the activity whose end started it (ACT_NONE: cycle 0) */
    uint64_t begin;            /* the previous op done computing: its launch or its start */
    uint64_t start;
};

struct ecore {
    const struct op_demand *d; /* its program: one per op row */
    struct server dma, mxu, vpu;
    int pc;                    /* the op row the core is on */
    struct opst *ops;          /* one per op row */
    bool done;
    /* HBM share */
    bool xfer_active;
    uint32_t xfer;             /* the transfer in flight */
    double xfer_left;          /* its cycles still to go at full bandwidth */
    uint32_t xfer_version;
    uint32_t last_launch;      /* the host's last dispatch (or the invocation) */
    uint64_t host_free;        /* when the host can issue the next kernel */
};

struct run {
    const struct chip *c;
    const struct sim_options *o;
    int n;
    int cores;
    struct ecore *core;
    struct server host;
    struct heap h;
    struct act *acts;
    uint32_t n_acts, cap_acts;
    struct rate_sample *rates;
    uint32_t n_rates, cap_rates;
    uint64_t now;
    uint64_t invocation;       /* the stack's per-inference cost, cycles */
    /* HBM: transfers in flight share its bandwidth equally. */
    int hbm_active;
    uint64_t hbm_since;
    double full_bpc;
    uint64_t block_bytes;      /* weight prefetch blocks */
    int rc;
};

static int fail(struct run *r, int rc)
{
    if (!r->rc)
        r->rc = rc;
    return rc;
}

static uint32_t new_act(struct run *r, int core, int row, enum act_unit unit, enum act_kind kind,
                        uint64_t tile)
{
    if (r->n_acts == r->cap_acts) {
        uint32_t cap = r->cap_acts ? r->cap_acts * 2 : 1024;
        struct act *a = cap > r->cap_acts ? realloc(r->acts, (size_t)cap * sizeof *a) : NULL;
        if (!a || cap >= ACT_NONE) {
            fail(r, TPUSIM_ERR_NOMEM);
            return ACT_NONE;
        }
        r->acts = a;
        r->cap_acts = cap;
    }
    uint32_t i = r->n_acts++;
    struct act *a = &r->acts[i];
    memset(a, 0, sizeof *a);
    a->pred = a->prev_on_unit = ACT_NONE;
    a->row = (uint32_t)row;
    a->tile = (uint32_t)tile;
    a->core = (uint16_t)core;
    a->unit = (uint8_t)unit;
    a->kind = (uint8_t)kind;
    a->gap_cause = CAUSE_COUNT;
    a->start = a->end = UINT64_MAX;
    return i;
}

static bool act_done(const struct run *r, uint32_t a)
{
    return a == ACT_NONE || r->acts[a].end <= r->now;
}

/* Makes `a` wait for `dep` (ACT_NONE: the run's start, cycle 0) plus
 * `lat` cycles of latency charged to `cause`: its ready time moves to the
 * latest such end, and the dep that sets it becomes its pred. */
static void after(struct run *r, uint32_t a, uint32_t dep, uint64_t lat, enum cause cause)
{
    struct act *x = &r->acts[a];
    uint64_t t = sat_add(dep == ACT_NONE ? 0 : r->acts[dep].end, lat);
    bool later = t > x->ready || (t == x->ready && x->pred == ACT_NONE && dep != ACT_NONE);
    if (!later)
        return;
    x->ready = t;
    x->pred = dep;
    x->gap_cause = lat ? (uint8_t)cause : CAUSE_COUNT;
}

static int enqueue(struct run *r, struct server *s, uint32_t a)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        uint32_t *q = realloc(s->q, cap * sizeof *q);
        if (!q)
            return fail(r, TPUSIM_ERR_NOMEM);
        s->q = q;
        s->cap = cap;
    }
    s->q[s->n++] = a;
    return TPUSIM_OK;
}

/* ----------------------------------------------------- DMA and HBM */

static const struct op_plan *plan_of(const struct run *r, int core, uint32_t row)
{
    return &r->core[core].d[row].plan;
}

/* DMA class of a transfer, for its place in the queue. */
static int dma_class(const struct act *a, bool prefetch)
{
    if (prefetch)
        return DMA_PREFETCH;
    return a->kind == AK_WEIGHTS ? DMA_WEIGHTS : a->kind == AK_READ ? DMA_READ : DMA_WRITE;
}

/* Whether transfer a goes before b: readier first; then the earlier op,
 * the class (weights, reads, writes), the earlier tile. */
static bool dma_before(const struct run *r, uint32_t ia, uint32_t ib, bool pa, bool pb)
{
    const struct act *a = &r->acts[ia], *b = &r->acts[ib];
    if (a->ready != b->ready)
        return a->ready < b->ready;
    if (a->row != b->row)
        return a->row < b->row;
    int ca = dma_class(a, pa), cb = dma_class(b, pb);
    if (ca != cb)
        return ca < cb;
    return ia < ib;
}

/* A weight block made as a prefetch, still before its op started. */
static bool is_prefetch(const struct run *r, const struct act *a)
{
    return a->kind == AK_WEIGHTS && !r->core[a->core].ops[a->row].started;
}

/* Cycles a transfer needs with all of HBM. */
static uint64_t transfer_work(const struct run *r, const struct act *a)
{
    const struct op_plan *p = plan_of(r, a->core, a->row);
    if (a->kind == AK_READ) {
        const struct tile_work *w = plan_tile(p, a->tile);
        return sched_dma_cycles(r->c, r->full_bpc, w->read_bytes, w->l2_bytes);
    }
    return sched_dma_cycles(r->c, r->full_bpc, a->bytes, 0);
}

/* Moves every transfer in flight forward to now, at its share. */
static void hbm_advance(struct run *r)
{
    if (r->hbm_active && r->now > r->hbm_since) {
        double dt = (double)(r->now - r->hbm_since) / (double)r->hbm_active;
        for (int c = 0; c < r->cores; c++)
            if (r->core[c].xfer_active)
                r->core[c].xfer_left -= dt;
    }
    r->hbm_since = r->now;
}

/* Records HBM's throughput from now on: every transfer in flight moves
 * its HBM bytes at its share. */
static void hbm_sample(struct run *r)
{
    double rate = 0;
    for (int c = 0; c < r->cores; c++) {
        const struct ecore *k = &r->core[c];
        if (!k->xfer_active)
            continue;
        const struct act *a = &r->acts[k->xfer];
        uint64_t work = transfer_work(r, a);
        if (work)
            rate += (double)a->bytes / (double)work / (double)r->hbm_active;
    }
    if (r->n_rates && r->rates[r->n_rates - 1].t == r->now) {
        r->rates[r->n_rates - 1].bytes_per_cycle = rate;
        return;
    }
    if (r->n_rates == r->cap_rates) {
        uint32_t cap = r->cap_rates ? r->cap_rates * 2 : 256;
        struct rate_sample *n = realloc(r->rates, (size_t)cap * sizeof *n);
        if (!n) {
            fail(r, TPUSIM_ERR_NOMEM);
            return;
        }
        r->rates = n;
        r->cap_rates = cap;
    }
    r->rates[r->n_rates++] = (struct rate_sample){r->now, rate};
}

/* (Re)schedules the end of every transfer in flight at the current share. */
static void hbm_reschedule(struct run *r)
{
    hbm_sample(r);
    for (int c = 0; c < r->cores; c++) {
        struct ecore *k = &r->core[c];
        if (!k->xfer_active)
            continue;
        double left = k->xfer_left > 0 ? k->xfer_left : 0;
        uint64_t t = sat_add(r->now, ceil_cycles(left * (double)r->hbm_active));
        struct ev e = {.t = t, .act = k->xfer, .version = ++k->xfer_version,
                       .core = (uint16_t)c, .kind = EV_DMA_DONE};
        if (heap_push(&r->h, e))
            fail(r, TPUSIM_ERR_NOMEM);
    }
}

static void dma_start(struct run *r, int core, uint32_t a)
{
    struct ecore *k = &r->core[core];
    hbm_advance(r);
    k->xfer_active = true;
    k->xfer = a;
    k->xfer_left = (double)transfer_work(r, &r->acts[a]);
    r->hbm_active++;
    hbm_reschedule(r);
}

static void dma_finish(struct run *r, int core)
{
    struct ecore *k = &r->core[core];
    hbm_advance(r);
    k->xfer_active = false;
    r->hbm_active--;
    hbm_reschedule(r);
}

/* ------------------------------------------------------ dispatching */

static void begin(struct run *r, struct server *s, uint32_t a)
{
    struct act *x = &r->acts[a];
    x->start = r->now;
    /* Ready before now: the unit was busy, its previous activity decided. */
    if (x->ready < r->now && s->last != ACT_NONE) {
        x->pred = s->last;
        x->gap_cause = CAUSE_COUNT;
    }
    x->prev_on_unit = s->last;
    s->running = a;
    s->last = a;
}

static void schedule_done(struct run *r, uint32_t a, uint64_t t)
{
    struct act *x = &r->acts[a];
    x->end = t;
    struct ev e = {.t = t, .act = a, .core = x->core, .kind = EV_DONE};
    if (heap_push(&r->h, e))
        fail(r, TPUSIM_ERR_NOMEM);
}

static void wake_at(struct run *r, struct server *s, int core, int unit, uint64_t t)
{
    if (s->woken && s->wake_at <= t && s->wake_at > r->now)
        return;
    s->woken = true;
    s->wake_at = t;
    struct ev e = {.t = t, .core = (uint16_t)core, .unit = (uint8_t)unit, .kind = EV_WAKE};
    if (heap_push(&r->h, e))
        fail(r, TPUSIM_ERR_NOMEM);
}

static void remove_at(struct server *s, size_t i)
{
    s->q[i] = s->q[--s->n];
}

/* The DMA engine: the readiest demand transfer; a prefetch only when no
 * demand transfer is ready. */
static void dispatch_dma(struct run *r, int core)
{
    struct ecore *k = &r->core[core];
    struct server *s = &k->dma;
    if (s->running != ACT_NONE || !s->n)
        return;
    size_t best = SIZE_MAX, best_pf = SIZE_MAX;
    for (size_t i = 0; i < s->n; i++) {
        const struct act *a = &r->acts[s->q[i]];
        bool pf = is_prefetch(r, a);
        size_t *b = pf ? &best_pf : &best;
        if (*b == SIZE_MAX || dma_before(r, s->q[i], s->q[*b], pf, pf))
            *b = i;
    }
    size_t pick = SIZE_MAX;
    uint64_t wake = UINT64_MAX;
    if (best != SIZE_MAX) {
        if (r->acts[s->q[best]].ready <= r->now)
            pick = best;
        else
            wake = r->acts[s->q[best]].ready;
    }
    if (pick == SIZE_MAX && best_pf != SIZE_MAX) {
        if (r->acts[s->q[best_pf]].ready <= r->now)
            pick = best_pf;
        else if (r->acts[s->q[best_pf]].ready < wake)
            wake = r->acts[s->q[best_pf]].ready;
    }
    if (pick == SIZE_MAX) {
        if (wake != UINT64_MAX)
            wake_at(r, s, core, AU_DMA_IN, wake);
        return;
    }
    uint32_t a = s->q[pick];
    remove_at(s, pick);
    begin(r, s, a);
    dma_start(r, core, a);
}

/* The matrix and vector units run their activities in program order (a
 * core's instruction stream: tiles in order, made in order); the host
 * link, shared by ops and cores, the readiest first. */
static void dispatch_fifo(struct run *r, struct server *s, int core, int unit)
{
    if (s->running != ACT_NONE || !s->n)
        return;
    bool in_order = unit != AU_HOST;
    size_t best = 0;
    for (size_t i = 1; i < s->n; i++) {
        const struct act *a = &r->acts[s->q[i]], *b = &r->acts[s->q[best]];
        bool first = in_order ? s->q[i] < s->q[best]
                              : a->ready < b->ready || (a->ready == b->ready && s->q[i] < s->q[best]);
        if (first)
            best = i;
    }
    uint32_t a = s->q[best];
    if (r->acts[a].ready > r->now) {
        wake_at(r, s, core, unit, r->acts[a].ready);
        return;
    }
    remove_at(s, best);
    begin(r, s, a);
}

/* How long an activity holds a unit that is not the DMA engine. */
static uint64_t hold_cycles(const struct run *r, const struct act *a)
{
    const struct op_plan *p = plan_of(r, a->core, a->row);
    switch ((enum act_kind)a->kind) {
    case AK_PROLOGUE: return p->mxu_prologue_cycles;
    case AK_MXU: return plan_tile(p, a->tile)->mxu_cycles;
    case AK_VPU: return plan_tile(p, a->tile)->vpu_cycles;
    case AK_HOST_IN: return sat_add(host_link_hold_cycles(r->c, a->bytes), p->host_cpu_cycles);
    case AK_HOST_OUT: return host_link_hold_cycles(r->c, a->bytes);
    case AK_DISPATCH: return sched_dispatch_cycles(r->c, r->o);
    case AK_INVOKE: return r->invocation;
    default: return 0;
    }
}

static void dispatch_unit(struct run *r, struct server *s, int core, int unit)
{
    uint32_t before = s->running;
    dispatch_fifo(r, s, core, unit);
    if (s->running != ACT_NONE && s->running != before)
        schedule_done(r, s->running, sat_add(r->now, hold_cycles(r, &r->acts[s->running])));
}

static void dispatch_all(struct run *r)
{
    for (int c = 0; c < r->cores; c++) {
        dispatch_dma(r, c);
        dispatch_unit(r, &r->core[c].mxu, c, AU_MXU);
        dispatch_unit(r, &r->core[c].vpu, c, AU_VPU);
    }
    dispatch_unit(r, &r->host, 0, AU_HOST);
}

/* ------------------------------------------------------ making work */

/* The next op row at or after `row` that runs (not fused away). */
static int next_running(const struct run *r, int row)
{
    while (row < r->n && r->core[0].d[row].fused_into >= 0)
        row++;
    return row;
}

/* A transfer of `bytes`, ready `lat` after `dep`, queued on the DMA engine. */
static uint32_t make_transfer(struct run *r, int core, int row, enum act_kind kind, uint64_t tile,
                              uint64_t bytes, uint32_t dep)
{
    enum act_unit unit = kind == AK_WRITE ? AU_DMA_OUT : AU_DMA_IN;
    uint32_t a = new_act(r, core, row, unit, kind, tile);
    if (a == ACT_NONE)
        return a;
    r->acts[a].bytes = bytes;
    after(r, a, dep, sched_dma_latency_cycles(r->c), CAUSE_HBM);
    enqueue(r, &r->core[core].dma, a);
    return a;
}

/* An op's weights as blocks (prefetches yield to demand transfers
 * between blocks); when made at the op's own start, one transfer. */
static void make_weights(struct run *r, int core, int row, uint32_t dep, bool prefetch)
{
    struct opst *s = &r->core[core].ops[row];
    uint64_t bytes = plan_of(r, core, (uint32_t)row)->weight_bytes;
    uint64_t block = prefetch ? r->block_bytes : bytes;
    if (!block)
        block = bytes;
    for (uint64_t off = 0; off < bytes; off += block) {
        uint64_t b = bytes - off < block ? bytes - off : block;
        uint32_t a = make_transfer(r, core, row, AK_WEIGHTS, s->weight_blocks_made++, b, dep);
        if (a == ACT_NONE)
            return;
        s->weights_last = a;
    }
}

/* Room on chip, while op `row` runs, for the next op's weights: on-chip
 * memory less the activations that live across it, its own weights and
 * its buffer slots. */
static bool prefetch_fits(const struct run *r, int core, int row, int next)
{
    const struct op_demand *d = &r->core[core].d[row];
    uint64_t used = sat_add(sat_add(d->sram_live_bytes, d->plan.weight_bytes), d->plan.slot_bytes);
    uint64_t want = r->core[core].d[next].plan.weight_bytes;
    return r->c->vmem_bytes > used && want <= r->c->vmem_bytes - used;
}

/* Op `row` starts on `core` (the previous op's vector unit is done, or
 * its launch is). */
static void start_op(struct run *r, int core, int row, uint32_t cause_act)
{
    struct ecore *k = &r->core[core];
    struct opst *s = &k->ops[row];
    const struct op_plan *p = plan_of(r, core, (uint32_t)row);
    s->started = true;
    s->start_act = cause_act;
    s->start = r->now;
    if (p->weight_bytes && !s->weight_blocks_made)
        make_weights(r, core, row, cause_act, false);
    if (p->host_in_bytes || p->host_cpu_cycles) {
        uint32_t a = new_act(r, core, row, AU_HOST, AK_HOST_IN, 0);
        if (a == ACT_NONE)
            return;
        r->acts[a].bytes = p->host_in_bytes;
        after(r, a, cause_act, p->host_in_bytes ? r->c->host_link_latency_cycles : 0,
              CAUSE_HOST_LINK);
        enqueue(r, &r->host, a);
        s->host_in = a;
    }
    /* The next op's weights, while this one runs, when they fit. */
    int next = next_running(r, row + 1);
    if (next < r->n && plan_of(r, core, (uint32_t)next)->weight_bytes && prefetch_fits(r, core, row, next))
        make_weights(r, core, next, cause_act, true);
}

/* A kernel on `core` becomes ready to start: its dispatch, issued by the
 * host right after the kernel before it (the host never waits for the
 * device), and the device's gap after the previous op's work. */
static uint32_t launch_marker(struct run *r, int core, int row, uint32_t prev_done)
{
    struct ecore *k = &r->core[core];
    uint32_t d = new_act(r, core, row, AU_LAUNCH, AK_DISPATCH, 0);
    uint32_t g = new_act(r, core, row, AU_LAUNCH, AK_LAUNCH, 0);
    if (d == ACT_NONE || g == ACT_NONE)
        return ACT_NONE;
    struct act *x = &r->acts[d];
    x->pred = x->prev_on_unit = k->last_launch;
    x->ready = x->start = k->host_free;
    x->end = sat_add(x->start, sched_dispatch_cycles(r->c, r->o));
    k->host_free = x->end;
    k->last_launch = d;
    after(r, g, prev_done, sched_gap_cycles(r->c, r->o), CAUSE_LAUNCH);
    after(r, g, d, 0, CAUSE_LAUNCH);
    if (r->acts[g].ready < r->now)
        r->acts[g].ready = r->now;
    r->acts[g].start = r->acts[g].ready;
    return g;
}

/* Launches (a stack that dispatches kernels) or starts op `row`, after
 * activity `prev_done`. */
static void begin_op(struct run *r, int core, int row, uint32_t prev_done)
{
    struct ecore *k = &r->core[core];
    k->pc = row;
    if (row >= r->n) {
        k->done = true;
        return;
    }
    struct opst *s = &k->ops[row];
    s->begin = r->now;
    bool costs = sched_dispatch_cycles(r->c, r->o) || sched_gap_cycles(r->c, r->o);
    if (costs && sched_launches(&k->d[row])) {
        uint32_t g = launch_marker(r, core, row, prev_done);
        if (g == ACT_NONE)
            return;
        s->launch = g;
        schedule_done(r, g, r->acts[g].start);
        return;
    }
    start_op(r, core, row, prev_done);
}

/* The stack's per-inference cost on `core`, then the first op. */
static void begin_run(struct run *r, int core)
{
    struct ecore *k = &r->core[core];
    int first = next_running(r, 0);
    if (!r->invocation || first >= r->n) {
        begin_op(r, core, first, ACT_NONE);
        return;
    }
    uint32_t a = new_act(r, core, first, AU_LAUNCH, AK_INVOKE, 0);
    if (a == ACT_NONE)
        return;
    r->acts[a].start = 0;
    k->last_launch = a;
    k->host_free = r->invocation;
    schedule_done(r, a, r->invocation);
}

/* Tile i's output slot is free: its write-back (or, writing nothing, its
 * vector work) is done. Returns the activity or ACT_NONE (free from the
 * start); *ok false when not yet free. */
static uint32_t out_slot(const struct run *r, const struct opst *s, const struct op_plan *p,
                         uint64_t i, bool *ok)
{
    *ok = true;
    if (i < TILE_SLOTS)
        return ACT_NONE;
    uint64_t b = i - TILE_SLOTS;
    if (s->made_w <= b) {
        *ok = false;
        return ACT_NONE;
    }
    uint32_t a = plan_tile(p, b)->write_bytes ? s->w[b & RMASK] : s->v[b & RMASK];
    *ok = act_done(r, a);
    return a;
}

/* Reads whose slot is free. */
static void make_reads(struct run *r, int core, int row)
{
    struct opst *s = &r->core[core].ops[row];
    const struct op_plan *p = plan_of(r, core, (uint32_t)row);
    while (s->issued_r < p->tiles && s->issued_r < sat_add(s->made_v, RING - 2 * TILE_SLOTS)) {
        uint64_t i = s->issued_r;
        uint32_t dep = s->start_act;
        if (i >= TILE_SLOTS) {
            uint64_t j = i - TILE_SLOTS;
            uint32_t c = p->on_mxu ? (s->made_m > j ? s->m[j & RMASK] : ACT_NONE)
                                   : (s->made_v > j ? s->v[j & RMASK] : ACT_NONE);
            if ((p->on_mxu ? s->made_m : s->made_v) <= j || !act_done(r, c))
                return;
            dep = c;
        }
        const struct tile_work *w = plan_tile(p, i);
        uint32_t a = ACT_NONE;
        if (w->read_bytes || w->l2_bytes) {
            a = make_transfer(r, core, row, AK_READ, i, w->read_bytes, dep);
            if (a == ACT_NONE)
                return;
        }
        s->r[i & RMASK] = a;
        s->issued_r++;
    }
}

/* Whether what tile 0's compute waits for besides its read is done: the
 * op's host-link input and weights (on the MXU: the op's prologue, which
 * waits for them). */
static bool first_done(const struct run *r, const struct opst *s, const struct op_plan *p)
{
    if (p->on_mxu)
        return s->prologue != ACT_NONE && act_done(r, s->prologue);
    return act_done(r, s->host_in) && act_done(r, s->weights_last);
}

/* Makes a (the prologue, or tile 0's first unit) wait for them. */
static void after_first(struct run *r, const struct opst *s, const struct op_plan *p, uint32_t a)
{
    if (p->on_mxu && a != s->prologue) {
        after(r, a, s->prologue, 0, CAUSE_COUNT);
        return;
    }
    after(r, a, s->start_act, 0, CAUSE_COUNT);
    if (s->host_in != ACT_NONE)
        after(r, a, s->host_in, 0, CAUSE_COUNT);
    if (s->weights_last != ACT_NONE)
        after(r, a, s->weights_last, 0, CAUSE_COUNT);
}

static void make_prologue(struct run *r, int core, int row)
{
    struct ecore *k = &r->core[core];
    struct opst *s = &k->ops[row];
    const struct op_plan *p = plan_of(r, core, (uint32_t)row);
    if (!p->on_mxu || s->prologue != ACT_NONE)
        return;
    if (!act_done(r, s->host_in) || !act_done(r, s->weights_last))
        return;
    uint32_t a = new_act(r, core, row, AU_MXU, AK_PROLOGUE, 0);
    if (a == ACT_NONE)
        return;
    s->prologue = a;
    after_first(r, s, p, a);
    enqueue(r, &k->mxu, a);
}

/* Tile compute whose inputs and slots are ready. */
static void make_compute(struct run *r, int core, int row)
{
    struct ecore *k = &r->core[core];
    struct opst *s = &k->ops[row];
    const struct op_plan *p = plan_of(r, core, (uint32_t)row);
    bool ok;
    /* Matrix unit. */
    while (p->on_mxu && s->made_m < p->tiles && s->made_m < s->issued_r) {
        uint64_t i = s->made_m;
        uint32_t rd = s->r[i & RMASK];
        if (!act_done(r, rd))
            break;
        uint32_t slot = out_slot(r, s, p, i, &ok);
        if (!ok)
            break;
        if (p->serial && i > 0 && (s->made_v < i || !act_done(r, s->v[(i - 1) & RMASK])))
            break;
        if (i == 0 && !first_done(r, s, p))
            break;
        uint32_t a = new_act(r, core, row, AU_MXU, AK_MXU, i);
        if (a == ACT_NONE)
            return;
        if (i == 0)
            after_first(r, s, p, a);
        if (rd != ACT_NONE)
            after(r, a, rd, 0, CAUSE_COUNT);
        if (slot != ACT_NONE)
            after(r, a, slot, 0, CAUSE_COUNT);
        if (p->serial && i > 0)
            after(r, a, s->v[(i - 1) & RMASK], 0, CAUSE_COUNT);
        s->m[i & RMASK] = a;
        s->made_m++;
        enqueue(r, &k->mxu, a);
    }
    /* Vector unit. */
    while (s->made_v < p->tiles) {
        uint64_t i = s->made_v;
        uint32_t a;
        if (p->on_mxu) {
            if (s->made_m <= i || !act_done(r, s->m[i & RMASK]))
                break;
            a = new_act(r, core, row, AU_VPU, AK_VPU, i);
            if (a == ACT_NONE)
                return;
            after(r, a, s->m[i & RMASK], plan_tile(p, i)->mxu_latency_cycles, CAUSE_FILL_DRAIN);
        } else {
            if (s->issued_r <= i || !act_done(r, s->r[i & RMASK]))
                break;
            uint32_t slot = out_slot(r, s, p, i, &ok);
            if (!ok || (i == 0 && !first_done(r, s, p)))
                break;
            a = new_act(r, core, row, AU_VPU, AK_VPU, i);
            if (a == ACT_NONE)
                return;
            if (i == 0)
                after_first(r, s, p, a);
            if (s->r[i & RMASK] != ACT_NONE)
                after(r, a, s->r[i & RMASK], 0, CAUSE_COUNT);
            if (slot != ACT_NONE)
                after(r, a, slot, 0, CAUSE_COUNT);
        }
        s->v[i & RMASK] = a;
        s->made_v++;
        enqueue(r, &k->vpu, a);
    }
}

/* Write-backs of tiles whose vector work is done; then the op's end. */
static void make_writes(struct run *r, int core, int row)
{
    struct ecore *k = &r->core[core];
    struct opst *s = &k->ops[row];
    const struct op_plan *p = plan_of(r, core, (uint32_t)row);
    while (s->made_w < s->made_v && act_done(r, s->v[s->made_w & RMASK])) {
        uint64_t i = s->made_w;
        const struct tile_work *w = plan_tile(p, i);
        uint32_t a = ACT_NONE;
        if (w->write_bytes) {
            a = make_transfer(r, core, row, AK_WRITE, i, w->write_bytes, s->v[i & RMASK]);
            if (a == ACT_NONE)
                return;
        }
        s->w[i & RMASK] = a;
        s->made_w++;
    }
    if (s->made_w == p->tiles && !s->compute_done) {
        s->compute_done = true;
        uint32_t last = s->v[(p->tiles - 1) & RMASK];
        if (p->host_out_bytes) {
            uint32_t a = new_act(r, core, row, AU_HOST, AK_HOST_OUT, 0);
            if (a == ACT_NONE)
                return;
            r->acts[a].bytes = p->host_out_bytes;
            after(r, a, last, r->c->host_link_latency_cycles, CAUSE_HOST_LINK);
            enqueue(r, &r->host, a);
        }
        begin_op(r, core, next_running(r, row + 1), last);
    }
}

/* Everything core `core` can make now, until nothing more can be made:
 * one stage's progress (a write-back made) can free another's (the MXU's
 * output slot). */
static void advance(struct run *r, int core)
{
    struct ecore *k = &r->core[core];
    for (;;) {
        if (k->done || r->rc)
            return;
        int row = k->pc;
        struct opst *s = &k->ops[row];
        if (!s->started)
            return; /* waiting for its launch */
        uint64_t before = s->issued_r + s->made_m + s->made_v + s->made_w + r->n_acts;
        make_reads(r, core, row);
        make_prologue(r, core, row);
        make_compute(r, core, row);
        make_writes(r, core, row);
        if (k->pc == row && before == s->issued_r + s->made_m + s->made_v + s->made_w + r->n_acts)
            return;
    }
}

/* ------------------------------------------------------ completions */

static void complete(struct run *r, const struct ev *e)
{
    struct ecore *k = &r->core[e->core];
    struct act *a = &r->acts[e->act];
    struct server *s = NULL;
    switch ((enum act_unit)a->unit) {
    case AU_MXU: s = &k->mxu; break;
    case AU_VPU: s = &k->vpu; break;
    case AU_HOST: s = &r->host; break;
    default: break;
    }
    if (s && s->running == e->act) {
        s->running = ACT_NONE;
        s->free_at = r->now;
    }
    if (a->kind == AK_LAUNCH)
        start_op(r, e->core, (int)a->row, e->act);
    else if (a->kind == AK_INVOKE) {
        begin_op(r, e->core, (int)a->row, e->act);
        /* The invocation is the first op's, as in the fast engine: its row
         * starts with it, so the rows add up to the run. */
        k->ops[a->row].begin = a->start;
    }
}

static void dma_done(struct run *r, const struct ev *e)
{
    struct ecore *k = &r->core[e->core];
    if (!k->xfer_active || k->xfer != e->act || k->xfer_version != e->version)
        return; /* rescheduled since */
    dma_finish(r, e->core);
    struct act *a = &r->acts[e->act];
    a->end = r->now;
    k->dma.running = ACT_NONE;
    k->dma.free_at = r->now;
}

/* ---------------------------------------------------------- the loop */

static int run_events(struct run *r)
{
    for (int c = 0; c < r->cores; c++)
        begin_run(r, c);
    for (int c = 0; c < r->cores; c++)
        advance(r, c);
    dispatch_all(r);
    while (r->h.n && !r->rc) {
        r->now = r->h.e[0].t;
        while (r->h.n && r->h.e[0].t == r->now && !r->rc) {
            struct ev e = heap_pop(&r->h);
            switch ((enum ev_kind)e.kind) {
            case EV_DONE: complete(r, &e); break;
            case EV_DMA_DONE: dma_done(r, &e); break;
            case EV_WAKE:
                if (e.unit == AU_HOST)
                    r->host.woken = false;
                else if (e.unit == AU_MXU)
                    r->core[e.core].mxu.woken = false;
                else if (e.unit == AU_VPU)
                    r->core[e.core].vpu.woken = false;
                else
                    r->core[e.core].dma.woken = false;
                break;
            }
        }
        for (int c = 0; c < r->cores; c++)
            advance(r, c);
        dispatch_all(r);
    }
    for (int c = 0; c < r->cores && !r->rc; c++)
        if (!r->core[c].done)
            return fail(r, TPUSIM_ERR_STATE);
    return r->rc;
}

/* ------------------------------------------------------ attribution */

/* The unit an activity's cycles are charged as. */
static enum sched_unit charge_unit(const struct act *a)
{
    switch ((enum act_kind)a->kind) {
    case AK_WEIGHTS:
    case AK_READ:
    case AK_WRITE: return SU_DMA;
    case AK_PROLOGUE:
    case AK_MXU: return SU_MXU;
    case AK_VPU: return SU_VPU;
    case AK_HOST_IN:
    case AK_HOST_OUT: return SU_HOST;
    default: return SU_COUNT;
    }
}

static void charge_act(const struct act *a, const struct sched_shares *sh, uint64_t cycles,
                       uint64_t *stall)
{
    if (a->kind == AK_LAUNCH || a->kind == AK_DISPATCH || a->kind == AK_INVOKE) {
        stall[CAUSE_LAUNCH] = sat_add(stall[CAUSE_LAUNCH], cycles);
    } else if (a->kind == AK_PROLOGUE) {
        stall[CAUSE_WEIGHT_LOAD] = sat_add(stall[CAUSE_WEIGHT_LOAD], cycles);
    } else {
        sched_charge(sh, charge_unit(a), cycles, stall);
    }
}

/* A stretch of the critical path: an activity's own cycles, or the wait
 * before it (a latency, or the unit of the activity it waited for). */
struct segment {
    uint64_t from, to;
    uint32_t act;
    bool gap;
};

/* Adds [from, to) of segment g to stall[]. */
static void charge_segment(const struct run *r, const struct sched_shares *sh,
                           const struct segment *g, uint64_t cycles, uint64_t *stall)
{
    const struct act *a = &r->acts[g->act];
    if (!g->gap) {
        charge_act(a, &sh[a->row], cycles, stall);
    } else if (a->gap_cause < CAUSE_COUNT) {
        stall[a->gap_cause] = sat_add(stall[a->gap_cause], cycles);
    } else if (a->pred != ACT_NONE) {
        const struct act *p = &r->acts[a->pred];
        charge_act(p, &sh[p->row], cycles, stall);
    } else {
        stall[CAUSE_LAUNCH] = sat_add(stall[CAUSE_LAUNCH], cycles);
    }
}

/* The critical path, back from `last`, in time order. */
static struct segment *path_of(const struct run *r, uint32_t last, size_t *n)
{
    size_t cap = 64, k = 0;
    struct segment *g = malloc(cap * sizeof *g);
    for (uint32_t at = last; g && at != ACT_NONE; at = r->acts[at].pred) {
        const struct act *a = &r->acts[at];
        uint64_t from = a->pred == ACT_NONE ? 0 : r->acts[a->pred].end;
        if (k + 2 > cap) {
            cap *= 2;
            struct segment *m = realloc(g, cap * sizeof *g);
            if (!m) {
                free(g);
                return NULL;
            }
            g = m;
        }
        if (a->end > a->start)
            g[k++] = (struct segment){a->start, a->end, at, false};
        if (a->start > from)
            g[k++] = (struct segment){from, a->start, at, true};
    }
    for (size_t i = 0; g && i < k / 2; i++) {
        struct segment t = g[i];
        g[i] = g[k - 1 - i];
        g[k - 1 - i] = t;
    }
    *n = k;
    return g;
}

/* Op rows from the slowest core: each op owns the cycles from its start
 * (the previous op done computing; GPUs: its launch) to the next op's
 * start, the last op until the run's end, so rows add up to the run; a
 * row's causes are those of the critical path within its stretch. */
static int attribute(const struct run *r, const struct sched_shares *sh, int core,
                     uint64_t total, uint32_t last, struct sim_result *res,
                     struct event_log *log)
{
    size_t n = 0;
    struct segment *g = path_of(r, last, &n);
    if (!g)
        return TPUSIM_ERR_NOMEM;
    const struct opst *ops = r->core[core].ops;
    size_t k = 0;
    for (int i = next_running(r, 0); i < r->n; ) {
        int nx = next_running(r, i + 1);
        uint64_t a = ops[i].begin, b = nx < r->n ? ops[nx].begin : total;
        struct op_result *o = &res->ops[i];
        o->start_cycle = a;
        o->cycles = b > a ? b - a : 0;
        while (k < n && g[k].to <= a)
            k++;
        for (size_t j = k; j < n && g[j].from < b; j++) {
            uint64_t lo = g[j].from > a ? g[j].from : a, hi = g[j].to < b ? g[j].to : b;
            if (hi > lo)
                charge_segment(r, sh, &g[j], hi - lo, o->stall);
        }
        o->bound = sched_bound(o);
        i = nx;
    }
    for (size_t j = 0; j < n; j++)
        if (!g[j].gap && r->acts[g[j].act].kind == AK_WEIGHTS)
            log->exposed_weight_cycles += g[j].to - g[j].from;
    for (int i = 0; i < r->n; i++) {
        int host = r->core[core].d[i].fused_into_row;
        if (host >= 0)
            res->ops[i].start_cycle = res->ops[host].start_cycle;
    }
    free(g);
    return TPUSIM_OK;
}

/* What a unit waited for when it was waiting on `pred` (not a latency). */
static enum wait_reason wait_of(const struct act *a, const struct act *pred)
{
    if (!pred)
        return WAIT_IDLE;
    switch ((enum act_kind)pred->kind) {
    case AK_WEIGHTS:
    case AK_READ:
    case AK_HOST_IN: return WAIT_DMA;
    case AK_WRITE: return WAIT_BUFFER;
    case AK_LAUNCH:
    case AK_DISPATCH:
    case AK_INVOKE: return WAIT_LAUNCH;
    default:
        /* A transfer waiting on compute waits for its buffer slot. */
        return a->kind == AK_READ ? WAIT_BUFFER : WAIT_DEPENDENCY;
    }
}

static enum wait_reason wait_of_latency(uint8_t cause)
{
    return cause == CAUSE_FILL_DRAIN ? WAIT_FILL_DRAIN
           : cause == CAUSE_LAUNCH   ? WAIT_LAUNCH
                                     : WAIT_DMA;
}

/* Charges a unit's idle time before activity a (since `from`): the
 * latency part to what it was a latency of, the rest to what a waited on. */
static void charge_wait(const struct run *r, const struct act *a, uint64_t from,
                        struct unit_time *u)
{
    if (a->start <= from)
        return;
    uint64_t idle = a->start - from, lat = 0;
    const struct act *pred = a->pred == ACT_NONE ? NULL : &r->acts[a->pred];
    if (a->gap_cause < CAUSE_COUNT) {
        uint64_t pe = pred ? pred->end : 0;
        lat = a->ready > pe ? a->ready - pe : 0;
        if (lat > idle)
            lat = idle;
        u->wait[wait_of_latency(a->gap_cause)] += lat;
    }
    u->wait[wait_of(a, pred)] += idle - lat;
}

static int unit_times(const struct run *r, const struct sched_shares *sh, uint64_t total,
                      struct event_log *log)
{
    log->units = calloc((size_t)r->cores * AU_COUNT, sizeof *log->units);
    uint64_t *last_end = calloc((size_t)r->cores * AU_COUNT, sizeof *last_end);
    if (!log->units || !last_end) {
        free(last_end);
        return TPUSIM_ERR_NOMEM;
    }
    for (uint32_t i = 0; i < r->n_acts; i++) {
        const struct act *a = &r->acts[i];
        int unit = a->unit == AU_DMA_OUT ? AU_DMA_IN : a->unit; /* one DMA engine */
        struct unit_time *u = &log->units[a->core * AU_COUNT + unit];
        uint64_t st[CAUSE_COUNT] = {0};
        charge_act(a, &sh[a->row], a->end - a->start, st);
        for (int k = 0; k < CAUSE_COUNT; k++)
            u->busy[k] += st[k];
        /* The unit's previous activity ended at `from`; it waited since. */
        charge_wait(r, a, a->prev_on_unit == ACT_NONE ? 0 : r->acts[a->prev_on_unit].end, u);
        uint64_t *le = &last_end[a->core * AU_COUNT + unit];
        if (a->end > *le)
            *le = a->end;
    }
    for (int c = 0; c < r->cores; c++)
        for (int u = 0; u < AU_COUNT; u++) {
            uint64_t le = last_end[c * AU_COUNT + u];
            log->units[c * AU_COUNT + u].wait[WAIT_IDLE] += total > le ? total - le : 0;
        }
    free(last_end);
    return TPUSIM_OK;
}

static void free_run(struct run *r)
{
    for (int c = 0; r->core && c < r->cores; c++) {
        free(r->core[c].ops);
        free(r->core[c].dma.q);
        free(r->core[c].mxu.q);
        free(r->core[c].vpu.q);
    }
    free(r->core);
    free(r->host.q);
    free(r->h.e);
}

static void init_server(struct server *s)
{
    memset(s, 0, sizeof *s);
    s->running = s->last = ACT_NONE;
}

static int init_run(struct run *r, const struct chip *c, const struct sim_options *o,
                    const struct op_demand *const *d, int n, uint64_t invocation)
{
    memset(r, 0, sizeof *r);
    r->c = c;
    r->o = o;
    r->n = n;
    r->cores = o->cores > 1 ? o->cores : 1;
    r->invocation = invocation;
    r->full_bpc = c->hbm_bytes_per_cycle;
    r->block_bytes = tiling_vector_tile_bytes(c);
    init_server(&r->host);
    r->core = calloc((size_t)r->cores, sizeof *r->core);
    if (!r->core)
        return TPUSIM_ERR_NOMEM;
    for (int k = 0; k < r->cores; k++) {
        struct ecore *e = &r->core[k];
        e->d = d[k];
        init_server(&e->dma);
        init_server(&e->mxu);
        init_server(&e->vpu);
        e->last_launch = ACT_NONE;
        e->ops = calloc((size_t)(n ? n : 1), sizeof *e->ops);
        if (!e->ops)
            return TPUSIM_ERR_NOMEM;
        for (int i = 0; i < n; i++) {
            struct opst *s = &e->ops[i];
            s->prologue = s->host_in = s->launch = s->weights_last = s->start_act = ACT_NONE;
        }
    }
    return TPUSIM_OK;
}

int sched_event(const struct chip *c, const struct sim_options *o,
                const struct op_demand *const *d, int n, struct sim_result *res, char *err,
                size_t err_len)
{
    struct run r;
    int rc = init_run(&r, c, o, d, n, res->invocation_cycles);
    struct sched_shares *sh = calloc((size_t)(n ? n : 1), sizeof *sh);
    struct event_log *log = calloc(1, sizeof *log);
    if (!rc && (!sh || !log))
        rc = TPUSIM_ERR_NOMEM;
    if (!rc)
        rc = run_events(&r);
    if (rc) {
        snprintf(err, err_len, rc == TPUSIM_ERR_NOMEM ? "out of memory"
                                                      : "the event engine stalled (a bug)");
        free_run(&r);
        free(r.acts);
        free(r.rates);
        free(sh);
        free(log);
        return rc;
    }
    log->cores = r.cores;
    log->core_cycles = calloc((size_t)r.cores, sizeof *log->core_cycles);
    uint64_t total = 0;
    int slowest = 0;
    uint32_t last = ACT_NONE;
    for (uint32_t i = 0; log->core_cycles && i < r.n_acts; i++) {
        const struct act *a = &r.acts[i];
        if (a->end > log->core_cycles[a->core])
            log->core_cycles[a->core] = a->end;
        if (last == ACT_NONE || a->end > total) {
            total = a->end;
            slowest = a->core;
            last = i;
        }
    }
    /* Rows and shares from the slowest core's program. */
    for (int i = 0; i < n; i++) {
        sched_result_init(&d[slowest][i], &res->ops[i]);
        sched_shares_of(&d[slowest][i].plan, &sh[i]);
    }
    for (uint32_t i = 0; i < r.n_acts; i++)
        if (r.acts[i].kind == AK_WEIGHTS && r.acts[i].core == slowest)
            log->hidden_weight_cycles += r.acts[i].end - r.acts[i].start;
    rc = log->core_cycles ? attribute(&r, sh, slowest, total, last, res, log) : TPUSIM_ERR_NOMEM;
    if (log->exposed_weight_cycles < log->hidden_weight_cycles)
        log->hidden_weight_cycles -= log->exposed_weight_cycles;
    else
        log->hidden_weight_cycles = 0;
    if (!rc)
        rc = unit_times(&r, sh, total, log);
    log->acts = r.acts;
    log->n = r.n_acts;
    log->hbm = r.rates;
    log->n_hbm = r.n_rates;
    res->events = log;
    free_run(&r);
    free(sh);
    if (rc)
        snprintf(err, err_len, "out of memory");
    return rc;
}
