/*
 * lower.c — each running op of a graph becomes demands on the units:
 * matrix ops become GEMMs on the MXU (convolutions as implicit GEMM, groups
 * packed block-diagonally where they fit), vector ops become VPU cycles from
 * the chip's cost table, and every tensor is placed on chip or in HBM by a
 * live-set walk. What the software stack decides comes from its profile
 * (stack.h): which ops fuse into their producer's kernel (a BatchNorm that
 * joins a convolution folds into its weights) or into a matrix op's
 * operand, which reductions join their producer's kernel, where depthwise
 * convolutions run, and which ops run on the host CPU.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cycles.h"
#include "engine.h"
#include "matrix_unit.h"
#include "memory.h"
#include "vpu.h"

/* A convolution the chip's library timed in this lowering (conv_timing_of). */
struct conv_seen {
    bool used;
    struct conv_desc desc;
    struct conv_timing t;
};

struct lower_ctx {
    const struct tpusim_graph *g;
    const struct chip *c;
    const struct sim_options *o;
    const struct stack *s;     /* o->stack */
    struct mxu_params mxu;     /* systolic geometry, for packing groups (0 on GPUs) */
    const struct matrix_unit *mu;
    tpusim_dtype dtype;
    uint64_t db;               /* bytes per element */
    int *pos;                  /* graph op index -> position in run order, -1 if folded */
    int *uses_left;            /* per tensor: running consumers not yet lowered */
    bool *resident;            /* per tensor: on chip */
    uint64_t live_bytes, capacity_bytes;
    bool weights_on_chip;      /* all parameters fit in CMEM */
    uint64_t param_cache_left; /* Edge TPU parameter cache */
    uint64_t param_bytes;      /* all running ops' float weights */
    int *host;                 /* per op position: the op it fused into (position) or -1;
                                * a later position: it joined that op's operand */
    int *stage;                /* per kernel host position: its epilogue stage (stack_fuses) */
    bool *on_host;             /* per op position: the stack runs it on the host CPU */
    bool *fused_away;          /* per tensor: lives only inside a fused chain */
    int *readers_start;        /* per tensor: its readers (run positions) are */
    int *readers;              /* readers[readers_start[t] .. readers_start[t+1]) */
    uint64_t *laid_elems;      /* per tensor: layout_elems, computed once (0: not yet) */
    bool nhwc;                 /* the graph keeps activations N, spatial..., C (TFLite) */
    uint64_t *op_weight_bytes; /* per run position: weight_bytes, computed once in setup */
    const struct op_demand *planned[PLAN_CACHE_SLOTS]; /* matrix ops planned (plan_matrix_of) */
    struct conv_seen *convs;   /* chips with a convolution library: PLAN_CACHE_SLOTS of them */
};

uint64_t dtype_bytes(tpusim_dtype dtype)
{
    size_t n = tpusim_dtype_size_bytes(dtype);
    return n ? n : 4;
}

static uint64_t elems(const struct tensor *t)
{
    return t ? tensor_elems(t) : 0;
}

/* Elements an activation occupies in the stack's layout, its padding to
 * whole tiles included (stack_padded_elems): what its bytes in memory, its
 * vector work and its room on chip are counted in. Weights as they are.
 * stack_padded_elems reads ONNX's N, C, spatial... order; a graph that
 * keeps TFLite's N, spatial..., C (nhwc) is put in that order first. */
static uint64_t layout_elems(const struct lower_ctx *x, const struct tensor *t)
{
    if (t->is_const)
        return tensor_elems(t);
    if (!x->nhwc || t->rank < 3 || t->rank > TPUSIM_MAX_RANK)
        return stack_padded_elems(x->s, t->rank, t->dims, x->dtype);
    int64_t nchw[TPUSIM_MAX_RANK];
    nchw[0] = t->dims[0];
    nchw[1] = t->dims[t->rank - 1];
    for (int i = 1; i < t->rank - 1; i++)
        nchw[i + 1] = t->dims[i];
    return stack_padded_elems(x->s, t->rank, nchw, x->dtype);
}

/* layout_elems, computed once per tensor and lowering. */
static uint64_t laid_out(const struct lower_ctx *x, const struct tensor *t)
{
    if (!t)
        return 0;
    uint64_t *memo = &x->laid_elems[t->index];
    if (!*memo)
        *memo = layout_elems(x, t);
    return *memo;
}

static const struct op *run_op(const struct lower_ctx *x, int i)
{
    return x->g->ops[x->g->run_ops[i]];
}

/* Reductions over whole axes: global pooling, Reduce*, ArgMax. */
static bool is_reduction(enum op_type t)
{
    switch (t) {
    case OP_GLOBAL_AVERAGE_POOL:
    case OP_GLOBAL_MAX_POOL:
    case OP_REDUCE_MEAN:
    case OP_REDUCE_SUM:
    case OP_REDUCE_MAX:
    case OP_REDUCE_MIN:
    case OP_REDUCE_PROD:
    case OP_ARG_MAX: return true;
    default: return false;
    }
}

/* ------------------------------------------------------------- fusion */

/* Whether run position p is a reduction inside its producer's kernel
 * (reduction_host): its result is complete only at that kernel's end, so
 * nothing that needs it can join the kernel. */
static bool reduced_in_kernel(const struct lower_ctx *x, int p)
{
    return x->host[p] >= 0 && is_reduction(run_op(x, p)->type);
}

/* The non-constant data inputs of op: two or more make a binary epilogue
 * a sum with another activation (a residual), not a bias or a scale. */
static int activation_inputs(const struct lower_ctx *x, const struct op *op)
{
    int n = 0;
    for (int k = 0; k < op->n_in; k++) {
        const struct tensor *t = op_in(x->g, op, k);
        n += t && !t->is_const;
    }
    return n;
}

/* Whether running op r may join the kernel hosted at run position
 * `group`, whose epilogue has reached *stage (advanced when r joins).
 * Ops on the host CPU fuse with nothing on the device. */
static bool stack_allows(const struct lower_ctx *x, int r, int group, int *stage)
{
    const struct op *op = run_op(x, r);
    if (x->o->no_fusion || x->on_host[r] || x->on_host[group])
        return false;
    return stack_fuses(x->s, run_op(x, group)->type, op->type, activation_inputs(x, op), stage);
}

/* Running consumers of each tensor, counted once per (op, input), and
 * their positions as CSR lists. */
static int count_uses(struct lower_ctx *x)
{
    int nt = x->g->n_tensors, total = 0;
    for (int i = 0; i < x->g->n_run_ops; i++) {
        const struct op *op = run_op(x, i);
        for (int k = 0; k < op->n_in; k++)
            if (op->in[k] >= 0) {
                x->uses_left[op->in[k]]++;
                total++;
            }
    }
    x->readers_start = calloc((size_t)nt + 1, sizeof *x->readers_start);
    x->readers = malloc((size_t)(total ? total : 1) * sizeof *x->readers);
    if (!x->readers_start || !x->readers)
        return TPUSIM_ERR_NOMEM;
    for (int t = 0; t < nt; t++)
        x->readers_start[t + 1] = x->readers_start[t] + x->uses_left[t];
    int *fill = calloc((size_t)nt + 1, sizeof *fill);
    if (!fill)
        return TPUSIM_ERR_NOMEM;
    for (int i = 0; i < x->g->n_run_ops; i++) {
        const struct op *op = run_op(x, i);
        for (int k = 0; k < op->n_in; k++) {
            int t = op->in[k];
            if (t >= 0)
                x->readers[x->readers_start[t] + fill[t]++] = i;
        }
    }
    free(fill);
    return TPUSIM_OK;
}

/* The latest-scheduled running producer among op's data inputs. */
static int latest_producer(const struct lower_ctx *x, const struct op *op)
{
    int best = -1;
    for (int k = 0; k < op->n_in; k++) {
        const struct tensor *t = op_in(x->g, op, k);
        if (!t || t->is_const || t->producer < 0)
            continue;
        int p = x->pos[t->producer];
        if (p > best)
            best = p;
    }
    return best;
}

/* Whether running op r is an epilogue whose data inputs all come from
 * fusion group `group` or from op i (the swish pattern: x * sigmoid(x),
 * where the multiply reads both the matmul's output and the sigmoid's). */
static bool joins_group(const struct lower_ctx *x, int r, int group, int i)
{
    const struct op *op = run_op(x, r);
    int stage = x->stage[group]; /* r comes later: the stage as it stands now */
    if (x->host[r] > r || !stack_allows(x, r, group, &stage))
        return false; /* r joins a later op's operand (operand_host), or may not join */
    for (int k = 0; k < op->n_in; k++) {
        const struct tensor *t = op_in(x->g, op, k);
        if (!t || t->is_const)
            continue;
        int p = t->producer >= 0 ? x->pos[t->producer] : -1;
        if (p < 0 || (p != i && p != group && (p > i || x->host[p] != group)))
            return false;
    }
    return true;
}

/* A value can stay inside the fusion if every reader besides op i joins
 * the same group. */
static bool only_group_reads(const struct lower_ctx *x, const struct tensor *t, int group, int i)
{
    for (int k = x->readers_start[t->index]; k < x->readers_start[t->index + 1]; k++) {
        int r = x->readers[k];
        if (r != i && !joins_group(x, r, group, i))
            return false;
    }
    return !t->is_output;
}

/* Whether t is made inside the kernel hosted at run position `group`, by
 * its host or an op fused into it: a reader in that kernel takes it from
 * the vector registers, not from memory. */
static bool made_in_kernel(const struct lower_ctx *x, const struct tensor *t, int group)
{
    int p = t->producer >= 0 ? x->pos[t->producer] : -1;
    return p >= 0 && (p == group || x->host[p] == group);
}

/* Readers of t among the running ops (each (op, input) once). */
static int readers_of(const struct lower_ctx *x, const struct tensor *t)
{
    return x->readers_start[t->index + 1] - x->readers_start[t->index];
}

/* The one matrix op that reads t, as its activation operand (input 0),
 * when nothing else reads t; else -1. */
static int sole_matrix_reader(const struct lower_ctx *x, const struct tensor *t)
{
    if (readers_of(x, t) != 1 || t->is_output)
        return -1;
    int r = x->readers[x->readers_start[t->index]];
    const struct op *op = run_op(x, r);
    if (op_info_of(op->type)->cls != OPC_MATRIX || op->in[0] != t->index || x->on_host[r])
        return -1;
    return r;
}

/* Whether op scales an activation that is stored anyway: one data input
 * of its result's size (`out_elems`) that is a model input or is read by
 * another op too, and one or more broadcast operands smaller than the
 * result (x * s with s per channel). Were the full-size input read by op
 * alone, op would join its producer's kernel and move no more bytes. */
static bool scales_a_stored_input(const struct lower_ctx *x, const struct op *op,
                                  uint64_t out_elems)
{
    int full = 0, broadcast = 0;
    for (int k = 0; k < op->n_in; k++) {
        const struct tensor *t = op_in(x->g, op, k);
        if (!t)
            continue;
        if (elems(t) < out_elems) {
            broadcast++;
        } else if (t->is_const || (t->producer >= 0 && readers_of(x, t) < 2)) {
            return false;
        } else {
            full++;
        }
    }
    return full == 1 && broadcast >= 1;
}

/* The matrix op whose kernel op i joins on the way in, as a prologue of
 * its activation operand (stack: fusion.into_matrix_operand; XLA's kInput
 * fusion), or -1. The squeeze-and-excitation scale x * s feeds the next
 * convolution alone: that convolution streams x in, the vector unit
 * scales it before the matrix unit takes it (the MXU's activation operand
 * is pushed from the vector registers), s is a small extra read, and
 * x * s is never stored. The op's inputs are still read, and released, at
 * its own place in the run order: in a chain, just before its host. */
static int operand_host(const struct lower_ctx *x, int i)
{
    const struct op *op = run_op(x, i);
    if (x->o->no_fusion || x->on_host[i] || op->n_out != 1 ||
        !stack_fuses_operand(x->s, op->type))
        return -1;
    const struct tensor *out = op_out(x->g, op, 0);
    if (!out || !scales_a_stored_input(x, op, elems(out)))
        return -1;
    return sole_matrix_reader(x, out);
}

/* A reduction joins the kernel that makes its input, as a second output
 * (stack: fusion.reduce_with_producer; XLA's multi-output fusion): the
 * input is reduced while it is in the vector registers, not read back
 * from memory. The input is still stored when another op reads it; when
 * the reduction is its only reader it never is. Returns the kernel's host
 * (a run position) or -1. */
static int reduction_host(struct lower_ctx *x, int i)
{
    const struct op *op = run_op(x, i);
    if (x->o->no_fusion || !x->s->reduce_with_producer || x->on_host[i])
        return -1;
    int p = latest_producer(x, op);
    if (p < 0 || x->on_host[p] || x->host[p] > p || reduced_in_kernel(x, p))
        return -1;
    enum op_class pcls = op_info_of(run_op(x, p)->type)->cls;
    if (pcls == OPC_MOVE || pcls == OPC_FREE || pcls == OPC_RECURRENT)
        return -1;
    int group = x->host[p] >= 0 ? x->host[p] : p;
    if (x->on_host[group])
        return -1;
    const struct tensor *in = op_in(x->g, op, 0);
    if (in && readers_of(x, in) == 1 && !in->is_output)
        x->fused_away[in->index] = true;
    return group;
}

/* An elementwise op fuses into the producer of its latest data input when
 * the stack lets it join that producer's kernel (or the kernel the
 * producer fused into) and nobody outside the kernel reads the producer's
 * output: the value never leaves the vector registers. Returns the
 * group's host (a run position) or -1; when op i fuses, the producer's
 * outputs it reads are marked fused_away (never materialised, unless they
 * are model outputs). */
static int fusion_host(struct lower_ctx *x, int i)
{
    const struct op *op = run_op(x, i);
    if (x->o->no_fusion || !stack_fusible_type(op->type))
        return -1;
    int p = latest_producer(x, op);
    if (p < 0)
        return -1;
    if (reduced_in_kernel(x, p))
        return -1;
    const struct op *prod = run_op(x, p);
    int group = x->host[p] >= 0 ? x->host[p] : p;
    int stage = x->stage[group];
    if (!stack_allows(x, i, group, &stage))
        return -1;
    for (int o = 0; o < prod->n_out; o++) {
        const struct tensor *t = op_out(x->g, prod, o);
        bool read = false;
        for (int k = 0; k < op->n_in; k++)
            read = read || op->in[k] == t->index;
        if (read && !only_group_reads(x, t, group, i))
            return -1; /* someone outside the fusion reads it: it must be stored */
    }
    enum op_class pcls = op_info_of(prod->type)->cls;
    if (pcls == OPC_MOVE || pcls == OPC_FREE || pcls == OPC_RECURRENT)
        return -1;
    x->stage[group] = stage;
    for (int o = 0; o < prod->n_out; o++) {
        const struct tensor *t = op_out(x->g, prod, o);
        for (int k = 0; k < op->n_in; k++)
            if (op->in[k] == t->index && !t->is_output)
                x->fused_away[t->index] = true;
    }
    return group;
}

/* ----------------------------------------------------------- residency */

static void release_inputs(struct lower_ctx *x, const struct op *op)
{
    for (int k = 0; k < op->n_in; k++) {
        const struct tensor *t = op_in(x->g, op, k);
        if (!t || t->is_const || x->fused_away[t->index])
            continue;
        if (--x->uses_left[t->index] == 0 && x->resident[t->index] && !t->is_output) {
            x->resident[t->index] = false;
            x->live_bytes -= laid_out(x, t) * x->db;
        }
    }
}

/* Places op's outputs on chip when they fit beside what is live. Each
 * decision compares `need` bytes with the capacity; d records the
 * capacities over which all of op's would come out the same, [lo, hi):
 * the largest need that fit and the smallest that did not (NAS block
 * cache only). A model output is stored whatever the capacity. */
static uint64_t place_outputs(struct lower_ctx *x, const struct op *op, struct op_demand *d)
{
    uint64_t spilled = 0;
    d->capacity_hi_bytes = UINT64_MAX;
    for (int o = 0; o < op->n_out; o++) {
        const struct tensor *t = op_out(x->g, op, o);
        uint64_t b = laid_out(x, t) * x->db;
        if (x->fused_away[t->index] || (x->uses_left[t->index] == 0 && !t->is_output))
            continue; /* never materialised, or an unused optional output */
        uint64_t need = x->live_bytes + b;
        if (t->is_output) {
            spilled += b;
        } else if (need <= x->capacity_bytes) {
            x->resident[t->index] = true;
            x->live_bytes = need;
            d->capacity_lo_bytes = need > d->capacity_lo_bytes ? need : d->capacity_lo_bytes;
        } else {
            spilled += b;
            d->capacity_hi_bytes = need < d->capacity_hi_bytes ? need : d->capacity_hi_bytes;
        }
    }
    return spilled;
}

/* HBM bytes to read op's data inputs that are not on chip, for op in the
 * kernel hosted at run position `group` (inputs made in that kernel are
 * in its registers). */
static uint64_t input_bytes_from_hbm(const struct lower_ctx *x, const struct op *op, int group)
{
    uint64_t b = 0;
    for (int k = 0; k < op->n_in; k++) {
        const struct tensor *t = op_in(x->g, op, k);
        if (t && !t->is_const && !x->resident[t->index] && !x->fused_away[t->index] &&
            !made_in_kernel(x, t, group))
            b += laid_out(x, t) * x->db;
    }
    return b;
}

/* GPUs: activations that stay on chip live in L2, which kernels read at
 * L2 bandwidth (a TPU's VMEM feeds its units directly). These are the bytes
 * of op's inputs resident on chip; writes of its outputs to L2 are not
 * charged. */
static uint64_t l2_bytes(const struct lower_ctx *x, const struct op *op, int group)
{
    if (x->c->mxu_kind != MATRIX_TENSOR_CORES)
        return 0;
    uint64_t b = 0;
    for (int k = 0; k < op->n_in; k++) {
        const struct tensor *t = op_in(x->g, op, k);
        if (t && !t->is_const && x->resident[t->index] && !x->fused_away[t->index] &&
            !made_in_kernel(x, t, group))
            b += laid_out(x, t) * x->db;
    }
    return b;
}

/* Convolutions, whatever their operands' types: QLinearConv and
 * ConvInteger store X, W, B first as Conv does (ops.h). */
static bool is_conv(const struct op *op)
{
    return op->type == OP_CONV || op->type == OP_QLINEAR_CONV || op->type == OP_CONV_INTEGER;
}

static bool is_matmul(const struct op *op)
{
    return op->type == OP_MATMUL || op->type == OP_QLINEAR_MATMUL ||
           op->type == OP_MATMUL_INTEGER;
}

/* A constant op input that is a weight: float, or quantized (8-bit
 * weights, a matrix op's 32-bit bias); integer shape vectors are not. */
static bool is_weight(const struct op *op, const struct tensor *t)
{
    tpusim_dtype dt = t->dtype;
    return t->is_const && (dtype_is_float(dt) || dt == TPUSIM_DT_INT8 || dt == TPUSIM_DT_UINT8 ||
                           (dt == TPUSIM_DT_INT32 && op_info_of(op->type)->cls == OPC_MATRIX));
}

static uint64_t weight_bytes(const struct lower_ctx *x, const struct op *op)
{
    uint64_t b = 0;
    for (int k = 0; k < op->n_in; k++) {
        const struct tensor *t = op_in(x->g, op, k);
        if (t && is_weight(op, t))
            b += elems(t) * x->db;
    }
    return b;
}

/* Weights (w bytes) come from HBM, the on-chip parameter cache, or the
 * host link. */
static void place_weights(struct lower_ctx *x, uint64_t w, struct op_demand *d)
{
    if (!w || x->weights_on_chip)
        return;
    if (x->c->param_cache_bytes) {
        uint64_t cached = w < x->param_cache_left ? w : x->param_cache_left;
        x->param_cache_left -= cached;
        d->host_in_bytes += w - cached;
        return;
    }
    d->hbm_weight_bytes += w;
}

/* ------------------------------------------------------- vector costs */

/* Vector work per element of an op, as VPU cycles for `n` elements. */
static uint64_t vpu_cost(const struct chip *c, enum op_type t, uint64_t n, int n_inputs)
{
    uint64_t add = vpu_op_cycles(c, VPU_ADD, n), mul = vpu_op_cycles(c, VPU_MUL, n);
    switch (t) {
    case OP_MUL: return mul;
    case OP_DIV:
    case OP_RECIPROCAL: return vpu_op_cycles(c, VPU_DIV, n);
    case OP_POW: return 2 * vpu_op_cycles(c, VPU_EXP, n) + mul; /* exp(y log x) */
    case OP_SQRT: return vpu_op_cycles(c, VPU_RSQRT, n);
    case OP_SIGMOID: return vpu_op_cycles(c, VPU_SIGMOID, n);
    case OP_TANH:
    case OP_ERF: return vpu_op_cycles(c, VPU_TANH, n);
    case OP_GELU: return vpu_op_cycles(c, VPU_TANH, n) + 2 * mul;
    case OP_EXP:
    case OP_LOG:
    case OP_SOFTPLUS: return vpu_op_cycles(c, VPU_EXP, n);
    case OP_HARD_SIGMOID:
    case OP_IMAGE_SCALER:
    case OP_AFFINE:
    case OP_QUANTIZE_LINEAR:
    case OP_DEQUANTIZE_LINEAR: return mul + add;
    case OP_DYNAMIC_QUANTIZE_LINEAR: return 3 * add + mul; /* min, max; scale, shift */
    case OP_HARD_SWISH: return 2 * mul + add;
    case OP_SUM:
    case OP_MEAN:
    case OP_MAX:
    case OP_MIN: return (uint64_t)(n_inputs > 1 ? n_inputs - 1 : 1) * add;
    case OP_BATCH_NORM: return mul + add;
    case OP_LAYER_NORM:
    case OP_INSTANCE_NORM: return 3 * add + 3 * mul; /* mean, centre, square-sum, scale, affine */
    case OP_SOFTMAX:
    case OP_LOG_SOFTMAX:
        return 2 * add + vpu_op_cycles(c, VPU_EXP, n) + vpu_op_cycles(c, VPU_DIV, n);
    case OP_CAST:
    case OP_IDENTITY:
    case OP_DROPOUT: return 0;
    default: return add; /* add, sub, compare, select, relu, clip... */
    }
}

/* Vector work in the layout's elements: a vector register holds whole
 * tiles, padding included. */
static uint64_t vector_op_cycles(const struct lower_ctx *x, const struct op *op)
{
    const struct tensor *in = op_in(x->g, op, 0), *out = op_out(x->g, op, 0);
    const struct chip *c = x->c;
    uint64_t in_elems = laid_out(x, in), out_elems = laid_out(x, out);
    if (is_reduction(op->type))
        return vpu_op_cycles(c, VPU_ADD, in_elems);
    switch (op->type) {
    case OP_MAX_POOL:
    case OP_AVERAGE_POOL: {
        uint64_t window = 1;
        for (int i = 0; i < op->win.spatial; i++)
            window *= (uint64_t)op->win.kernel[i];
        return vpu_op_cycles(c, VPU_ADD, out_elems * window);
    }
    case OP_LRN:
        return vpu_op_cycles(c, VPU_MUL, in_elems * (uint64_t)attr_int(op, "size", 1)) +
               vpu_op_cycles(c, VPU_DIV, in_elems);
    default: return vpu_cost(c, op->type, out_elems, op->n_in);
    }
}

/* Data movement: each byte loaded to and stored from vector registers. */
static uint64_t move_cycles(const struct lower_ctx *x, const struct op *op)
{
    uint64_t b = 0;
    for (int o = 0; o < op->n_out; o++)
        b += laid_out(x, op_out(x->g, op, o)) * x->db;
    return 2 * vpu_vmem_cycles(x->c, b);
}

/* -------------------------------------------------------- matrix ops */

struct gemm_shape {
    uint64_t batch, m, k, n;
};

/* Implicit GEMM of a convolution; groups pack block-diagonally into one
 * weight tile while their K and N slices fit, else loop over the groups. */
static struct gemm_shape conv_gemm(const struct lower_ctx *x, const struct op *op)
{
    const struct tensor *in = op_in(x->g, op, 0), *w = op_in(x->g, op, 1),
                        *out = op_out(x->g, op, 0);
    uint64_t groups = (uint64_t)(op->win.group > 0 ? op->win.group : 1);
    /* NCHW or NHWC (graph.h): the channel counts say it all. */
    uint64_t cin = (uint64_t)in->dims[op_channel_axis(op, in)];
    uint64_t cout = (uint64_t)out->dims[op_channel_axis(op, out)];
    struct gemm_shape s;
    /* The rows the array streams are the activation's rows as laid out: a
     * layout that pads the batch (stack.h: batch_feature below a batch of
     * 64) streams the padding rows too. */
    if (op->type == OP_CONV_TRANSPOSE) {
        /* Scatter form: each input pixel times a (Cin/g) x (Cout/g * kernel) tile. */
        s.m = elems(in) / cin / (uint64_t)in->dims[0] *
              stack_laid_batch(x->s, in->rank, in->dims, x->dtype);
        s.k = cin / groups;
        s.n = elems(w) / cin;
    } else {
        s.m = elems(out) / cout / (uint64_t)out->dims[0] *
              stack_laid_batch(x->s, out->rank, out->dims, x->dtype);
        s.k = elems(w) / cout; /* Cin/g * kernel */
        s.n = cout / groups;
    }
    uint64_t pack = 1;
    if (s.k <= x->mxu.rows && s.n <= x->mxu.cols) {
        uint64_t by_k = x->mxu.rows / s.k, by_n = x->mxu.cols / s.n;
        pack = by_k < by_n ? by_k : by_n;
        if (pack > groups)
            pack = groups;
    }
    s.k *= pack;
    s.n *= pack;
    s.batch = (groups + pack - 1) / pack;
    return s;
}

static struct gemm_shape matmul_gemm(const struct lower_ctx *x, const struct op *op)
{
    const struct tensor *out = op_out(x->g, op, 0), *b = op_in(x->g, op, 1);
    struct gemm_shape s = {1, 1, 1, 1};
    uint64_t total = elems(out);
    s.n = out->rank >= 1 ? (uint64_t)out->dims[out->rank - 1] : 1;
    if (is_matmul(op) && out->rank >= 2 && b && b->rank >= 2 && !b->is_const) {
        /* Both operands are activations (attention): one GEMM per batch. */
        s.m = (uint64_t)out->dims[out->rank - 2];
        s.batch = total / (s.m * s.n);
    } else {
        /* Shared weights: every leading dimension streams as rows. */
        s.m = total / s.n;
    }
    s.k = op->cost.macs / total;
    if (s.k == 0)
        s.k = 1;
    return s;
}

static bool depthwise_on_vpu(const struct lower_ctx *x, const struct op *op)
{
    if (!is_conv(op) || op->win.group <= 1 || x->s->depthwise_on != DEPTHWISE_ON_VPU)
        return false;
    const struct tensor *in = op_in(x->g, op, 0);
    return in->dims[op_channel_axis(op, in)] == op->win.group; /* one input channel per group */
}

/* A GPU library times a whole kernel (sim/gpu.h): the op's matrix-unit
 * timing is its whole time, cut into pipeline steps by tiling.c. */
static void set_kernel_demand(struct op_demand *d, const struct mxu_timing *t, uint64_t macs)
{
    d->mxu = *t;
    d->mxu.useful_macs = macs;
    d->on_mxu = true;
    d->whole_kernel = true;
}

/* A Gemm adding a full-size C (beta != 0), on a unit whose epilogue reads it. */
static bool accumulates_c(const struct lower_ctx *x, const struct op *op)
{
    const struct tensor *cin = op_in(x->g, op, 2);
    return op->type == OP_GEMM && x->mu->gemm_accumulate && cin &&
           elems(cin) == elems(op_out(x->g, op, 0)) && attr_float(op, "beta", 1.0) != 0;
}

/* A GEMM: on a systolic array its shape, which tiling.c times block by
 * block of rows; a GPU library times the whole kernel. */
static void lower_gemm(const struct lower_ctx *x, struct gemm_shape s, uint64_t macs,
                       bool reads_c, struct op_demand *d)
{
    d->on_mxu = true;
    d->gemm_batch = s.batch;
    d->gemm_m = s.m;
    d->gemm_k = s.k;
    d->gemm_n = s.n;
    if (x->c->mxu_kind != MATRIX_TENSOR_CORES)
        return;
    struct mxu_timing t;
    if (reads_c)
        x->mu->gemm_accumulate(x->c, x->dtype, s.batch, s.m, s.k, s.n, &t);
    else
        x->mu->gemm(x->c, x->dtype, s.batch, s.m, s.k, s.n, &t);
    set_kernel_demand(d, &t, macs);
}

static bool same_conv(const struct conv_desc *a, const struct conv_desc *b)
{
    return a->n == b->n && a->c == b->c && a->h == b->h && a->w == b->w && a->k == b->k &&
           a->r == b->r && a->s == b->s && a->p == b->p && a->q == b->q &&
           a->pad_h == b->pad_h && a->pad_w == b->pad_w && a->stride_h == b->stride_h &&
           a->stride_w == b->stride_w && a->dilation_h == b->dilation_h &&
           a->dilation_w == b->dilation_w && a->groups == b->groups && a->nchw == b->nchw &&
           a->setup_prebuilt == b->setup_prebuilt && a->strided_split_k == b->strided_split_k;
}

/* The library's timing of convolution cd. It depends on the chip, the
 * dtype and cd alone, so a convolution equal to an earlier one (a
 * network's repeated blocks) takes its timing: a cache of the
 * convolutions timed (tiling.h's plan_cache_slot), keyed by a few of
 * their sizes; a hit compares all of them. */
static const struct conv_timing *conv_timing_of(struct lower_ctx *x, const struct conv_desc *cd)
{
    const uint64_t key[] = {cd->n, cd->c, cd->h, cd->k, cd->r, cd->stride_h};
    struct conv_seen *e = &x->convs[plan_cache_slot(key, sizeof key / sizeof *key)];
    if (!e->used || !same_conv(&e->desc, cd)) {
        x->mu->conv(x->c, x->dtype, cd, &e->t);
        e->desc = *cd;
        e->used = true;
    }
    return &e->t;
}

/* A 2-D convolution handed whole to a matrix unit that has its own
 * convolution algorithms (GPUs: cuDNN's); the DRAM traffic its algorithm
 * adds (transforms, workspaces) joins the op's. Returns the bytes of its
 * input that the kernel never reads (strided gathers). */
static uint64_t lower_conv(struct lower_ctx *x, const struct op *op, struct op_demand *d)
{
    const struct tensor *in = op_in(x->g, op, 0), *out = op_out(x->g, op, 0);
    const struct window_params *wp = &op->win;
    int h = op_spatial_axis(op, 0), w = op_spatial_axis(op, 1);
    struct conv_desc cd = {
        .n = (uint64_t)in->dims[0], .c = (uint64_t)in->dims[op_channel_axis(op, in)],
        .h = (uint64_t)in->dims[h], .w = (uint64_t)in->dims[w],
        .k = (uint64_t)out->dims[op_channel_axis(op, out)], .r = (uint64_t)wp->kernel[0],
        .s = (uint64_t)wp->kernel[1], .p = (uint64_t)out->dims[h], .q = (uint64_t)out->dims[w],
        .pad_h = (uint64_t)wp->pad_begin[0], .pad_w = (uint64_t)wp->pad_begin[1],
        .stride_h = (uint64_t)wp->stride[0], .stride_w = (uint64_t)wp->stride[1],
        .dilation_h = (uint64_t)wp->dilation[0], .dilation_w = (uint64_t)wp->dilation[1],
        .groups = (uint64_t)(wp->group > 0 ? wp->group : 1),
        /* ASSUMED: activations stay in the tensor-core layout (NHWC) between
         * layers, as TensorRT keeps them; a stack that keeps NCHW pays the
         * transforms (conv_desc.nchw). */
        .nchw = false,
        .setup_prebuilt = !x->s->library_setup_per_call,
        .strided_split_k = x->s->strided_conv_split_k,
    };
    const struct conv_timing *t = conv_timing_of(x, &cd);
    set_kernel_demand(d, &t->mxu, op->cost.macs);
    d->hbm_read_bytes += t->extra_hbm_bytes;
    return t->x_skipped_bytes;
}

/* LSTM/GRU/RNN: one small GEMM per time step and direction, each waiting
 * for the previous step's state, plus the gate arithmetic on the VPU. */
static void lower_rnn(const struct lower_ctx *x, const struct op *op, struct op_demand *d)
{
    const struct tensor *xin = op_in(x->g, op, 0), *r = op_in(x->g, op, 2);
    bool batch_first = attr_int(op, "layout", 0) == 1;
    uint64_t seq = (uint64_t)xin->dims[batch_first ? 1 : 0];
    uint64_t batch = (uint64_t)xin->dims[batch_first ? 0 : 1];
    uint64_t dirs = (uint64_t)r->dims[0], gates_h = (uint64_t)r->dims[1],
             hidden = (uint64_t)r->dims[2];
    uint64_t steps = seq * dirs;
    uint64_t gate_ops = op->type == OP_LSTM ? 9 : op->type == OP_GRU ? 8 : 1;
    if (x->mu->rnn) { /* the chip's library runs the whole layer (GPUs: cuDNN) */
        struct rnn_desc rd = {seq, batch, (uint64_t)xin->dims[2], hidden, dirs,
                              gates_h / hidden, gate_ops};
        struct mxu_timing t;
        x->mu->rnn(x->c, x->dtype, &rd, &t);
        set_kernel_demand(d, &t, op->cost.macs);
        return;
    }
    d->on_mxu = true;
    d->rnn_steps = steps ? steps : 1;
    d->gemm_batch = 1;
    d->gemm_m = batch;
    d->gemm_k = (uint64_t)xin->dims[2] + hidden;
    d->gemm_n = gates_h;
    d->vpu_cycles += vpu_op_cycles(x->c, VPU_SIGMOID, steps * batch * hidden * gate_ops);
}

/* --------------------------------------------------------------- lower */

/* The op's own demands; returns the bytes of its first input it never
 * reads (lower_conv), 0 for every other op. */
static uint64_t lower_compute(struct lower_ctx *x, const struct op *op, struct op_demand *d)
{
    enum op_class cls = op_info_of(op->type)->cls;
    bool on_vpu = cls == OPC_MATRIX && depthwise_on_vpu(x, op);
    uint64_t skipped = 0;
    /* += : an op fused into this one's operand came first (operand_host) */
    d->flops += op->cost.flops;
    d->macs += op->cost.macs;
    if (cls == OPC_RECURRENT) {
        lower_rnn(x, op, d);
    } else if (on_vpu) {
        /* Each output element's window of multiplies, in the layout's
         * elements: the output's padding costs vector slots too. */
        const struct tensor *out = op_out(x->g, op, 0);
        uint64_t per_out = elems(out) ? op->cost.macs / elems(out) : 0;
        d->vpu_cycles += vpu_op_cycles(x->c, VPU_MUL, sat_mul(per_out, laid_out(x, out)));
    } else if (is_conv(op) && x->mu->conv && op->win.spatial == 2) {
        skipped = lower_conv(x, op, d);
    } else if (is_conv(op) || op->type == OP_CONV_TRANSPOSE) {
        lower_gemm(x, conv_gemm(x, op), op->cost.macs, false, d);
    } else if (cls == OPC_MATRIX) {
        lower_gemm(x, matmul_gemm(x, op), op->cost.macs, accumulates_c(x, op), d);
    } else if (cls == OPC_MOVE) {
        d->vpu_cycles += move_cycles(x, op);
    } else if (cls != OPC_FREE) {
        d->vpu_cycles += vector_op_cycles(x, op);
    }
    if (cls == OPC_MATRIX && !on_vpu && op_in(x->g, op, 2))
        /* The bias is added on the vector unit as outputs leave the array. */
        d->vpu_cycles += vpu_op_cycles(x->c, VPU_ADD, laid_out(x, op_out(x->g, op, 0)));
    return skipped;
}

/* When neither the weights nor the activations fit in half of VMEM (the
 * other half double-buffers), the weights go through in chunks and the
 * activations stream once per chunk: the re-reads are SRAM capacity's. */
static void add_capacity_rereads(const struct lower_ctx *x, const struct op *op, uint64_t w,
                                 struct op_demand *d)
{
    uint64_t half = x->c->vmem_bytes / 2, acts = 0;
    for (int k = 0; k < op->n_in; k++) {
        const struct tensor *t = op_in(x->g, op, k);
        if (t && !t->is_const)
            acts += laid_out(x, t) * x->db;
    }
    if (!half || w <= half || acts <= half || x->c->hbm_bandwidth_gbps <= 0)
        return;
    uint64_t extra = acts * ((w + half - 1) / half - 1);
    d->hbm_read_bytes += extra;
    d->sram_extra_bytes += extra;
}

/* BatchNorm right after a convolution folds into its weights: free. */
static bool folds_into_conv(const struct lower_ctx *x, const struct op *op, int host)
{
    return op->type == OP_BATCH_NORM && host >= 0 && is_conv(run_op(x, host));
}

/* Bytes of op's activations, read and written, wherever they live: as
 * laid out (padding included) and as the model counts them (*useful). */
static uint64_t activation_bytes(const struct lower_ctx *x, const struct op *op,
                                 uint64_t *useful)
{
    uint64_t b = 0, u = 0;
    for (int k = 0; k < op->n_in + op->n_out; k++) {
        const struct tensor *t = k < op->n_in ? op_in(x->g, op, k) : op_out(x->g, op, k - op->n_in);
        if (!t || t->is_const)
            continue;
        b += laid_out(x, t) * x->db;
        u += elems(t) * x->db;
    }
    *useful = u;
    return b;
}

/* Whether any op that runs on the device reads t. */
static bool read_on_device(const struct lower_ctx *x, const struct tensor *t)
{
    for (int k = x->readers_start[t->index]; k < x->readers_start[t->index + 1]; k++)
        if (!x->on_host[x->readers[k]])
            return true;
    return false;
}

/* An op the stack runs on the host CPU: its FLOPs and bytes at the host's
 * rates (stack_host_cycles) and, where the chip has a host link, the
 * transfer of inputs made on the device and of outputs read back there. */
static void lower_host(struct lower_ctx *x, int i, struct op_demand *d)
{
    const struct op *op = run_op(x, i);
    uint64_t bytes = 0, in = 0, out = 0;
    for (int k = 0; k < op->n_in; k++) {
        const struct tensor *t = op_in(x->g, op, k);
        if (!t)
            continue;
        bytes += elems(t) * x->db;
        if (!t->is_const && t->producer >= 0 && !x->on_host[x->pos[t->producer]])
            in += elems(t) * x->db;
    }
    for (int o = 0; o < op->n_out; o++) {
        const struct tensor *t = op_out(x->g, op, o);
        bytes += elems(t) * x->db;
        if (read_on_device(x, t))
            out += elems(t) * x->db;
    }
    d->on_host = true;
    d->flops = op->cost.flops;
    d->macs = op->cost.macs;
    d->host_cpu_cycles = stack_host_cycles(x->s, x->c->clock_mhz, op->cost.flops, bytes);
    if (x->c->host_link_bandwidth_gbps > 0) {
        d->host_in_bytes += in;
        d->host_out_bytes += out;
    }
}

/* A device op's demands; a fused op's land in its kernel host's. */
static void lower_device(struct lower_ctx *x, int i, struct op_demand *all, uint64_t w)
{
    const struct op *op = run_op(x, i);
    struct op_demand *d = &all[i];
    int host = x->host[i];
    struct op_demand *target = host >= 0 ? &all[host] : d;
    uint64_t skipped = 0;
    if (host < 0) {
        skipped = lower_compute(x, op, d);
    } else {
        if (!folds_into_conv(x, op, host))
            target->vpu_cycles += vector_op_cycles(x, op);
        target->flops += op->cost.flops;
    }
    int group = host >= 0 ? host : i;
    uint64_t in_hbm = input_bytes_from_hbm(x, op, group), in_l2 = l2_bytes(x, op, group);
    /* A strided convolution reads only the sectors its taps touch. */
    in_hbm -= skipped < in_hbm ? skipped : in_hbm;
    target->hbm_read_bytes += in_hbm;
    target->l2_bytes += in_l2;
    if (host > i) { /* a prologue of a later op (NAS block cache only) */
        d->prologue_hbm_bytes = in_hbm;
        d->prologue_l2_bytes = in_l2;
    }
    uint64_t useful;
    target->act_bytes += activation_bytes(x, op, &useful);
    target->act_useful_bytes += useful;
    /* GPUs: a kernel's tiles stream their operands through L2, which the
     * matrix unit's timing already charges (sim/gpu.h). */
    if (host < 0 && d->on_mxu && x->c->mxu_kind != MATRIX_TENSOR_CORES)
        add_capacity_rereads(x, op, w, d);
    place_weights(x, w, target);
}

static void lower_one(struct lower_ctx *x, int i, struct op_demand *all)
{
    const struct op *op = run_op(x, i);
    struct op_demand *d = &all[i];
    int host = x->host[i];
    uint64_t w = x->op_weight_bytes[i];
    d->op = op->index;
    d->fused_into = host >= 0 ? run_op(x, host)->index : -1;
    d->fused_into_row = host;
    struct op_demand *target = host >= 0 ? &all[host] : d;
    if (x->on_host[i])
        lower_host(x, i, d);
    else
        lower_device(x, i, all, w);
    release_inputs(x, op);
    uint64_t spilled = place_outputs(x, op, d);
    if (x->on_host[i])
        spilled = 0; /* a host op's outputs arrive over the link, not by its own writes */
    /* NAS block cache only (engine.h): this op's own boundary state. */
    const struct tensor *out0 = op_out(x->g, op, 0);
    d->out_resident = out0 && x->resident[out0->index];
    d->param_cache_left = x->param_cache_left;
    d->weight_bytes = w;
    target->hbm_write_bytes += spilled;
    target->sram_live_bytes = x->live_bytes;
}

/* Weights that do not fit in half of on-chip memory cannot wait there for
 * the first tile: they stream in with the tiles (lower.c's capacity rule). */
static bool weights_stream(const struct chip *c, const struct op_demand *d)
{
    return d->hbm_weight_bytes > c->vmem_bytes / 2;
}

/* The work plan_matrix takes from a matrix op, padding zeroed so that two
 * compare whole (plan_matrix_of). */
static void matrix_work_of(const struct lower_ctx *x, const struct op_demand *d,
                           struct matrix_work *m)
{
    bool stream = weights_stream(x->c, d);
    memset(m, 0, sizeof *m);
    m->batch = d->gemm_batch;
    m->m = d->gemm_m;
    m->k = d->gemm_k;
    m->n = d->gemm_n;
    m->dtype = x->dtype;
    m->read_bytes = d->hbm_read_bytes;
    m->reread_bytes = d->sram_extra_bytes;
    m->write_bytes = d->hbm_write_bytes;
    m->l2_bytes = d->l2_bytes;
    m->weight_bytes = stream ? 0 : d->hbm_weight_bytes;
    m->streamed_weight_bytes = stream ? d->hbm_weight_bytes : 0;
    m->vpu_cycles = d->vpu_cycles;
    m->act_bytes = d->act_bytes;
}

/* A matrix op's tiles and its matrix-unit totals. plan_matrix depends on
 * the chip and the op's matrix_work alone, so an op whose work equals an
 * earlier one's (a network's repeated blocks) takes that op's plan: a
 * cache of the ops planned (tiling.h), keyed by a few fields of their
 * work; a hit compares the whole work. (What of the plan is the op's own,
 * its host-link bytes and useful MACs, plan_op sets after.) */
static void plan_matrix_of(struct lower_ctx *x, struct op_demand *d)
{
    const uint64_t key[] = {d->gemm_batch, d->gemm_m, d->gemm_k, d->gemm_n, d->hbm_read_bytes,
                            d->hbm_write_bytes};
    const struct op_demand **slot = &x->planned[plan_cache_slot(key, sizeof key / sizeof *key)];
    struct matrix_work m, prev;
    matrix_work_of(x, d, &m);
    if (*slot) {
        matrix_work_of(x, *slot, &prev);
        if (memcmp(&prev, &m, sizeof m) == 0) {
            d->plan = (*slot)->plan;
            d->mxu = (*slot)->mxu;
            return;
        }
    }
    plan_matrix(x->c, &m, &d->plan, &d->mxu);
    *slot = d;
}

/* The op's tiles, once its own and its fused ops' demands are all in. */
static void plan_op(struct lower_ctx *x, struct op_demand *d)
{
    struct vector_work v = {
        .vpu_cycles = d->vpu_cycles,
        .read_bytes = d->hbm_read_bytes,
        .reread_bytes = d->sram_extra_bytes,
        .write_bytes = d->hbm_write_bytes,
        .l2_bytes = d->l2_bytes,
        .weight_bytes = d->hbm_weight_bytes,
    };
    uint64_t useful = d->macs;
    if (d->on_host) {
        memset(&d->plan, 0, sizeof d->plan);
        d->plan.tiles = 1;
        d->plan.host_cpu_cycles = d->host_cpu_cycles;
    } else if (d->whole_kernel) {
        plan_kernel(x->c, &d->mxu, &v, &d->plan);
    } else if (d->rnn_steps) {
        plan_recurrent(x->c, x->dtype, d->rnn_steps, d->gemm_m, d->gemm_k, d->gemm_n,
                       d->vpu_cycles, &v, &d->plan, &d->mxu);
    } else if (d->on_mxu) {
        plan_matrix_of(x, d);
    } else {
        plan_vector(x->c, &v, &d->plan);
    }
    if (d->on_mxu)
        d->mxu.useful_macs = useful;
    d->plan.host_in_bytes = d->host_in_bytes;
    d->plan.host_out_bytes = d->host_out_bytes;
    d->hbm_bytes = d->hbm_read_bytes + d->hbm_weight_bytes + d->hbm_write_bytes;
    d->host_bytes = d->host_in_bytes + d->host_out_bytes;
}

/* Whether the device can hold every activation op reads or writes (the
 * stack's shape rule; weights are laid out by the compiler). */
static bool device_holds(const struct tpusim_graph *g, const struct stack *s, const struct op *op)
{
    for (int k = 0; k < op->n_in + op->n_out; k++) {
        const struct tensor *t = k < op->n_in ? op_in(g, op, k) : op_out(g, op, k - op->n_in);
        if (t && !t->is_const && !stack_device_maps_shape(s, t->rank, t->dims))
            return false;
    }
    return true;
}

/* Which ops the stack leaves to the host CPU, in run order (engine.h). */
void lower_host_placement(const struct tpusim_graph *g, const struct stack *s, bool *on_host)
{
    bool previous = false;
    for (int i = 0; i < g->n_run_ops; i++) {
        const struct op *op = g->ops[g->run_ops[i]];
        previous = on_host[i] = stack_on_host(s, op->type, previous) || op->host_pinned ||
                                (s->device_inner_dims > 0 && !device_holds(g, s, op));
    }
}

/* A model input the device cannot hold leaves no op to the device: the
 * stack's compiler would map none of the graph. An error, not a run on
 * the host CPU under the chip's name. */
static int check_inputs(const struct lower_ctx *x, char *err, size_t err_len)
{
    if (x->s->device_inner_dims <= 0)
        return TPUSIM_OK; /* no shape rule: every input maps */
    for (int t = 0; t < x->g->n_tensors; t++) {
        const struct tensor *in = x->g->tensors[t];
        if (!in || !in->is_input || stack_device_maps_shape(x->s, in->rank, in->dims))
            continue;
        char shape[128] = "";
        size_t off = 0;
        for (int d = 0; d < in->rank && off < sizeof shape; d++)
            off += (size_t)snprintf(shape + off, sizeof shape - off, "%s%lld", d ? "," : "",
                                    (long long)in->dims[d]);
        snprintf(err, err_len,
                 "input '%s' [%s]: under stack %s only the innermost %d dimensions of a "
                 "tensor may be larger than 1 (placement.device_inner_dims): its compiler "
                 "would map none of the graph to %s (a batch must be 1)",
                 in->name, shape, x->s->name, x->s->device_inner_dims, x->c->name);
        return TPUSIM_ERR_UNSUPPORTED;
    }
    return TPUSIM_OK;
}

/* Fusion depends only on the graph and the stack, so it is decided for all
 * ops first; then the values that stay inside a fused chain are never
 * placed. Ops joining a later op's operand are decided first: the
 * producer fusion after them must know that they join no producer. */
static void decide_fusion(struct lower_ctx *x)
{
    int n = x->g->n_run_ops;
    for (int i = 0; i < n; i++) {
        x->stage[i] = -1;
        x->host[i] = -1;
    }
    for (int i = 0; i < n; i++) {
        x->host[i] = operand_host(x, i);
        if (x->host[i] >= 0)
            x->fused_away[op_out(x->g, run_op(x, i), 0)->index] = true;
    }
    for (int i = 0; i < n; i++)
        if (x->host[i] < 0)
            x->host[i] = is_reduction(run_op(x, i)->type) ? reduction_host(x, i)
                                                          : fusion_host(x, i);
}

/* Every running op's weight bytes (kept per op for lower_one), and their sum. */
static uint64_t total_param_bytes(const struct lower_ctx *x)
{
    uint64_t b = 0;
    for (int i = 0; i < x->g->n_run_ops; i++) {
        x->op_weight_bytes[i] = weight_bytes(x, run_op(x, i));
        b += x->op_weight_bytes[i];
    }
    return b;
}

uint64_t lower_capacity_bytes(const struct chip *c, uint64_t param_bytes, bool *weights_on_chip)
{
    uint64_t capacity = c->vmem_bytes;
    *weights_on_chip = false;
    if (c->cmem_bytes && param_bytes <= c->cmem_bytes) {
        *weights_on_chip = true;
        capacity += c->cmem_bytes - param_bytes;
    } else {
        capacity += c->cmem_bytes;
    }
    /* No DRAM (Edge TPU): what does not fit spills to host memory over the
     * host link (lower_graph), as the compiler's scratch buffer does
     * (libedgetpu executable.fbs: scratch_size_bytes, BASE_ADDRESS_SCRATCH
     * infeed and outfeed DMAs). */
    return capacity;
}

uint64_t lower_params_on_chip_bytes(const struct chip *c, uint64_t param_bytes,
                                    bool weights_on_chip, uint64_t cache_left)
{
    if (weights_on_chip)
        return param_bytes;
    return c->param_cache_bytes ? c->param_cache_bytes - cache_left : 0;
}

static int setup(struct lower_ctx *x, const struct tpusim_graph *g, const struct chip *c,
                 const struct sim_options *o, char *err, size_t err_len)
{
    memset(x, 0, sizeof *x);
    if (!o->stack) {
        snprintf(err, err_len, "no software stack (stack_resolve picks the chip's default)");
        return TPUSIM_ERR_ARG;
    }
    x->g = g;
    x->c = c;
    x->o = o;
    x->s = o->stack;
    x->mu = matrix_unit_of(c);
    if (c->mxu_kind == MATRIX_SYSTOLIC)
        x->mxu = mxu_params_of(c);
    int rc = sim_dtype(c, sim_asked_dtype(c, g, o->dtype), &x->dtype, err, err_len);
    if (rc)
        return rc;
    x->db = dtype_bytes(x->dtype);
    x->pos = malloc((size_t)(g->n_ops ? g->n_ops : 1) * sizeof *x->pos);
    x->uses_left = calloc((size_t)g->n_tensors + 1, sizeof *x->uses_left);
    x->resident = calloc((size_t)g->n_tensors + 1, sizeof *x->resident);
    size_t n_run = (size_t)(g->n_run_ops ? g->n_run_ops : 1);
    x->host = malloc(n_run * sizeof *x->host);
    x->stage = malloc(n_run * sizeof *x->stage);
    x->on_host = calloc(n_run, sizeof *x->on_host);
    x->fused_away = calloc((size_t)g->n_tensors + 1, sizeof *x->fused_away);
    x->laid_elems = calloc((size_t)g->n_tensors + 1, sizeof *x->laid_elems);
    x->op_weight_bytes = malloc(n_run * sizeof *x->op_weight_bytes);
    if (x->mu->conv) {
        x->convs = malloc(PLAN_CACHE_SLOTS * sizeof *x->convs);
        for (int i = 0; x->convs && i < PLAN_CACHE_SLOTS; i++)
            x->convs[i].used = false;
    }
    if (!x->pos || !x->uses_left || !x->resident || !x->host || !x->stage || !x->on_host ||
        !x->fused_away || !x->laid_elems || !x->op_weight_bytes || (x->mu->conv && !x->convs)) {
        snprintf(err, err_len, "out of memory");
        return TPUSIM_ERR_NOMEM;
    }
    for (int i = 0; i < g->n_ops; i++)
        x->pos[i] = -1;
    for (int i = 0; i < g->n_run_ops; i++) {
        x->pos[g->run_ops[i]] = i;
        x->nhwc = x->nhwc || op_channels_last(g->ops[g->run_ops[i]]);
    }
    if (count_uses(x)) {
        snprintf(err, err_len, "out of memory");
        return TPUSIM_ERR_NOMEM;
    }
    rc = check_inputs(x, err, err_len);
    if (rc)
        return rc;
    lower_host_placement(x->g, x->s, x->on_host);
    decide_fusion(x);
    x->param_bytes = total_param_bytes(x);
    x->capacity_bytes = lower_capacity_bytes(c, x->param_bytes, &x->weights_on_chip);
    x->param_cache_left = c->param_cache_bytes;
    return TPUSIM_OK;
}

static void teardown(struct lower_ctx *x)
{
    free(x->pos);
    free(x->uses_left);
    free(x->resident);
    free(x->host);
    free(x->stage);
    free(x->on_host);
    free(x->fused_away);
    free(x->laid_elems);
    free(x->op_weight_bytes);
    free(x->readers_start);
    free(x->readers);
    free(x->convs);
}

int lower_graph(const struct tpusim_graph *g, const struct chip *c, const struct sim_options *o,
                struct op_demand **out, int *n, uint64_t *param_bytes,
                uint64_t *params_on_chip_bytes, char *err, size_t err_len)
{
    *out = NULL;
    *n = 0;
    struct lower_ctx x;
    int rc = setup(&x, g, c, o, err, err_len);
    struct op_demand *d = NULL;
    if (!rc) {
        d = calloc((size_t)(g->n_run_ops ? g->n_run_ops : 1), sizeof *d);
        if (!d) {
            snprintf(err, err_len, "out of memory");
            rc = TPUSIM_ERR_NOMEM;
        }
    }
    if (!rc) {
        for (int i = 0; i < g->n_run_ops; i++)
            lower_one(&x, i, d);
        /* No DRAM (Edge TPU): model inputs and outputs, and activations that
         * spill from on-chip memory, cross the host link. */
        for (int i = 0; i < g->n_run_ops && c->hbm_bandwidth_gbps <= 0; i++) {
            d[i].host_in_bytes += d[i].hbm_read_bytes + d[i].hbm_weight_bytes;
            d[i].host_out_bytes += d[i].hbm_write_bytes;
            d[i].hbm_read_bytes = d[i].hbm_weight_bytes = d[i].hbm_write_bytes = 0;
            d[i].sram_extra_bytes = 0;
        }
        for (int i = 0; i < g->n_run_ops; i++)
            if (d[i].fused_into < 0)
                plan_op(&x, &d[i]);
        *param_bytes = x.param_bytes;
        *params_on_chip_bytes = lower_params_on_chip_bytes(c, x.param_bytes, x.weights_on_chip,
                                                           x.param_cache_left);
        *out = d;
        *n = g->n_run_ops;
    }
    teardown(&x);
    return rc;
}
