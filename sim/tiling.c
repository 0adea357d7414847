/*
 * tiling.c — cutting an op's demands into tiles (see tiling.h).
 */
#include "tiling.h"

#include <string.h>

#include "cycles.h"
#include "matrix_unit.h"

/* ASSUMED: a compiler streams about 1024 rows through each weight tile
 * (8 x a 128-row array) before moving on: enough that a weight load (R
 * cycles) hides behind streaming and the drain of one block overlaps the
 * next, few enough blocks per op to keep the pipeline's prologue short. */
#define ROWS_TARGET 1024
/* Rows come in whole sublane groups (XLA's 8 x 128 tiles). */
#define ROW_ALIGN 8
/* ASSUMED: streaming ops use blocks whose transfer takes at least 4x the
 * DMA latency (so double buffering hides it), within an eighth of on-chip
 * memory (two slots each of inputs and outputs, with room to spare), and
 * never under 64 KiB. */
#define LATENCY_MULTIPLE 4
#define MIN_TILE_BYTES (UINT64_C(64) << 10)
/* Bounds the event engine's work on pathological streaming ops. */
#define MAX_VECTOR_TILES 65536

static uint64_t round_up(uint64_t x, uint64_t to)
{
    return sat_mul(ceil_div(x, to), to);
}

uint64_t tiling_rows_per_tile(const struct chip *c, uint64_t m, uint64_t bytes_per_row)
{
    if (m <= ROW_ALIGN)
        return m ? m : 1;
    uint64_t rows = ROWS_TARGET;
    if (bytes_per_row) {
        uint64_t fit = c->vmem_bytes / 2 / TILE_SLOTS / bytes_per_row;
        if (fit < rows)
            rows = fit;
    }
    rows = rows / ROW_ALIGN * ROW_ALIGN;
    if (rows < ROW_ALIGN)
        rows = ROW_ALIGN;
    if (rows >= m)
        return m;
    /* Balanced blocks: the compiler splits M evenly, not into full blocks
     * and a sliver. */
    uint64_t tiles = ceil_div(m, rows);
    rows = round_up(ceil_div(m, tiles), ROW_ALIGN);
    return rows < m ? rows : m;
}

uint64_t tiling_vector_tile_bytes(const struct chip *c)
{
    uint64_t most = c->vmem_bytes / 8;
    if (most < MIN_TILE_BYTES)
        most = MIN_TILE_BYTES;
    if (!(c->hbm_bytes_per_cycle > 0))
        return most;
    double hide = (double)LATENCY_MULTIPLE * (double)c->hbm_latency_cycles *
                  c->hbm_bytes_per_cycle;
    uint64_t b = hide >= (double)most ? most : (uint64_t)hide;
    return b < MIN_TILE_BYTES ? MIN_TILE_BYTES : b;
}

void plan_total(struct op_plan *p)
{
    struct plan_totals *out = &p->total;
    uint64_t n = p->tiles ? p->tiles - 1 : 0;
    const struct tile_work *f = &p->full, *l = &p->last;
#define SUM(field) sat_add(sat_mul(n, f->field), l->field)
    out->read_bytes = SUM(read_bytes);
    out->reread_bytes = SUM(reread_bytes);
    out->write_bytes = SUM(write_bytes);
    out->l2_bytes = SUM(l2_bytes);
    out->mxu_cycles = SUM(mxu_cycles);
    out->mxu_stream_cycles = SUM(mxu_stream_cycles);
    out->mxu_wave_cycles = SUM(mxu_wave_cycles);
    out->vpu_cycles = SUM(vpu_cycles);
#undef SUM
}

/* Splits `total` over `tiles` tiles in proportion: `part` units of `whole`
 * per full tile, the remainder on the last. */
static void split(uint64_t total, uint64_t part, uint64_t whole, uint64_t tiles,
                  uint64_t *full, uint64_t *last)
{
    if (tiles <= 1 || whole == 0) {
        *full = 0;
        *last = total;
        return;
    }
    uint64_t f = sat_from_double((double)total * (double)part / (double)whole);
    if (sat_mul(f, tiles - 1) > total)
        f = total / (tiles - 1);
    *full = f;
    *last = total - f * (tiles - 1);
}

/* Traffic and vector work of a tile, for `part` of `whole` units. */
struct spread {
    uint64_t read, reread, write, l2, vpu;
};

static void spread_traffic(const struct spread *t, uint64_t part, uint64_t whole, uint64_t tiles,
                           struct op_plan *p)
{
    split(t->read, part, whole, tiles, &p->full.read_bytes, &p->last.read_bytes);
    split(t->reread, part, whole, tiles, &p->full.reread_bytes, &p->last.reread_bytes);
    split(t->write, part, whole, tiles, &p->full.write_bytes, &p->last.write_bytes);
    split(t->l2, part, whole, tiles, &p->full.l2_bytes, &p->last.l2_bytes);
    split(t->vpu, part, whole, tiles, &p->full.vpu_cycles, &p->last.vpu_cycles);
    p->slot_bytes = sat_mul(TILE_SLOTS, sat_add(p->full.read_bytes > p->last.read_bytes
                                                    ? p->full.read_bytes
                                                    : p->last.read_bytes,
                                                p->full.write_bytes > p->last.write_bytes
                                                    ? p->full.write_bytes
                                                    : p->last.write_bytes));
}

/* A block of rows on the matrix unit, as a tile: held for its steps, its
 * outputs out after the epilogue. */
static void matrix_tile(const struct mxu_timing *t, struct tile_work *w)
{
    w->mxu_cycles = sat_mul(t->steps, t->step_cycles);
    uint64_t idle_wave = t->wave_quant_cycles < w->mxu_cycles ? t->wave_quant_cycles
                                                              : w->mxu_cycles;
    uint64_t busy = w->mxu_cycles - idle_wave;
    w->mxu_wave_cycles = idle_wave;
    w->mxu_stream_cycles = t->stream_cycles < busy ? t->stream_cycles : busy;
    w->mxu_latency_cycles = t->epilogue_cycles;
}

/* The op's matrix-unit totals from its blocks: n_full full blocks and a
 * last one, run back to back on the array (one prologue, one drain). */
static void whole_of(const struct mxu_timing *full, uint64_t n_full, const struct mxu_timing *last,
                     const struct op_plan *p, struct mxu_timing *out)
{
    memset(out, 0, sizeof *out);
    const struct plan_totals tot = p->total;
    out->prologue_cycles = p->mxu_prologue_cycles;
    out->steps = sat_add(sat_mul(n_full, full->steps), last->steps);
    out->epilogue_cycles = p->last.mxu_latency_cycles;
    out->total_cycles = sat_add(sat_add(p->mxu_prologue_cycles, tot.mxu_cycles),
                                out->epilogue_cycles);
    out->step_cycles = out->steps ? tot.mxu_cycles / out->steps : 0;
    out->stream_cycles = tot.mxu_stream_cycles;
    out->wave_quant_cycles = tot.mxu_wave_cycles;
    out->fill_drain_cycles = out->epilogue_cycles;
    out->weight_load_cycles = sat_add(p->mxu_prologue_cycles,
                                      tot.mxu_cycles - tot.mxu_stream_cycles - tot.mxu_wave_cycles);
    out->tiles = sat_add(sat_mul(n_full, full->tiles), last->tiles);
    out->mac_slots = sat_add(sat_mul(n_full, full->mac_slots), last->mac_slots);
    out->useful_macs = sat_add(sat_mul(n_full, full->useful_macs), last->useful_macs);
    out->mxus_used = full->mxus_used > last->mxus_used ? full->mxus_used : last->mxus_used;
}

static void plan_weights(const struct matrix_work *w, struct spread *t, struct op_plan *p)
{
    t->read = sat_add(w->read_bytes, w->streamed_weight_bytes);
    t->reread = w->reread_bytes;
    t->write = w->write_bytes;
    t->l2 = w->l2_bytes;
    t->vpu = w->vpu_cycles;
    p->weight_bytes = w->weight_bytes;
}

/* Systolic arrays: blocks of rows (or of independent GEMMs) stream through
 * every weight tile in turn. */
static void plan_row_blocks(const struct chip *c, const struct matrix_work *w, struct op_plan *p,
                            struct mxu_timing *whole)
{
    const struct matrix_unit *mu = matrix_unit_of(c);
    uint64_t rows_all = sat_mul(w->batch, w->m);
    uint64_t per_row = rows_all ? w->act_bytes / rows_all : 0;
    uint64_t unit, units, per_tile;
    if (w->batch <= 1) {
        unit = 1;                 /* a tile is a block of rows */
        units = w->m;
        per_tile = tiling_rows_per_tile(c, w->m, per_row);
    } else {
        unit = w->m;              /* a tile is a group of whole GEMMs */
        units = w->batch;
        per_tile = tiling_rows_per_tile(c, rows_all, per_row) / (w->m ? w->m : 1);
        if (per_tile == 0)
            per_tile = 1;
    }
    p->tiles = ceil_div(units, per_tile);
    if (p->tiles == 0)
        p->tiles = 1;
    uint64_t last_units = units - (p->tiles - 1) * per_tile;
    struct mxu_timing full, last;
    memset(&full, 0, sizeof full);
    uint64_t rows_of[2] = {per_tile, last_units};
    struct mxu_timing *t_of[2] = {&full, &last};
    for (int i = p->tiles > 1 ? 0 : 1; i < 2; i++) {
        if (i == 1 && p->tiles > 1 && last_units == per_tile) {
            last = full; /* balanced blocks: the last is a full one */
            break;
        }
        if (w->batch <= 1)
            mu->gemm(c, w->dtype, 1, rows_of[i], w->k, w->n, t_of[i]);
        else
            mu->gemm(c, w->dtype, rows_of[i], w->m, w->k, w->n, t_of[i]);
    }
    matrix_tile(&full, &p->full);
    matrix_tile(&last, &p->last);
    p->mxu_prologue_cycles = p->tiles > 1 ? full.prologue_cycles : last.prologue_cycles;
    struct spread s;
    plan_weights(w, &s, p);
    spread_traffic(&s, per_tile * unit, rows_all, p->tiles, p);
    plan_total(p);
    whole_of(&full, p->tiles - 1, &last, p, whole);
}

void plan_matrix(const struct chip *c, const struct matrix_work *w, struct op_plan *out,
                 struct mxu_timing *whole)
{
    memset(out, 0, sizeof *out);
    out->on_mxu = true;
    plan_row_blocks(c, w, out, whole);
}

/* ASSUMED: a GPU kernel's loads and stores overlap its math at the grain
 * of its thread blocks; 64 steps (or one per block when fewer) leave one
 * step's worth exposed at either end, within 2% of any kernel of at least
 * 64 blocks, and bound the event engine's work. */
#define KERNEL_STEPS 64

void plan_kernel(const struct chip *c, const struct mxu_timing *t, const struct vector_work *w,
                 struct op_plan *out)
{
    (void)c;
    memset(out, 0, sizeof *out);
    out->on_mxu = true;
    uint64_t blocks = t->tiles ? t->tiles : 1;
    out->tiles = blocks < KERNEL_STEPS ? blocks : KERNEL_STEPS;
    uint64_t n = out->tiles;
    split(t->total_cycles, 1, n, n, &out->full.mxu_cycles, &out->last.mxu_cycles);
    split(t->wave_quant_cycles, 1, n, n, &out->full.mxu_wave_cycles, &out->last.mxu_wave_cycles);
    out->full.mxu_stream_cycles = out->full.mxu_cycles - out->full.mxu_wave_cycles;
    out->last.mxu_stream_cycles = out->last.mxu_cycles - out->last.mxu_wave_cycles;
    /* Its weights stream with its blocks: a kernel has no prologue. */
    struct spread s = {sat_add(w->read_bytes, w->weight_bytes), w->reread_bytes, w->write_bytes,
                       w->l2_bytes, w->vpu_cycles};
    spread_traffic(&s, 1, n, n, out);
    plan_total(out);
}

void plan_vector(const struct chip *c, const struct vector_work *w, struct op_plan *out)
{
    memset(out, 0, sizeof *out);
    uint64_t traffic = sat_add(sat_add(w->read_bytes, w->write_bytes), w->l2_bytes);
    uint64_t tiles = traffic ? ceil_div(traffic, tiling_vector_tile_bytes(c)) : 1;
    if (tiles > MAX_VECTOR_TILES)
        tiles = MAX_VECTOR_TILES;
    out->tiles = tiles ? tiles : 1;
    out->weight_bytes = w->weight_bytes;
    struct spread s = {w->read_bytes, w->reread_bytes, w->write_bytes, w->l2_bytes,
                       w->vpu_cycles};
    spread_traffic(&s, 1, out->tiles, out->tiles, out);
    plan_total(out);
}

void plan_recurrent(const struct chip *c, tpusim_dtype dtype, uint64_t steps, uint64_t batch,
                    uint64_t k, uint64_t n, uint64_t vpu_cycles, const struct vector_work *traffic,
                    struct op_plan *out, struct mxu_timing *whole)
{
    memset(out, 0, sizeof *out);
    const struct matrix_unit *mu = matrix_unit_of(c);
    struct mxu_timing step;
    mu->gemm(c, dtype, 1, batch, k, n, &step);
    out->on_mxu = true;
    out->serial = true;
    out->tiles = steps ? steps : 1;
    matrix_tile(&step, &out->full);
    out->last = out->full;
    /* After the first step the next step's first weight tile loads while
     * the array waits for the gate arithmetic: one prologue per op. */
    out->mxu_prologue_cycles = step.prologue_cycles;
    out->weight_bytes = traffic->weight_bytes;
    struct spread s = {traffic->read_bytes, traffic->reread_bytes, traffic->write_bytes,
                       traffic->l2_bytes, vpu_cycles};
    spread_traffic(&s, 1, out->tiles, out->tiles, out);
    plan_total(out);
    whole_of(&step, out->tiles - 1, &step, out, whole);
}
