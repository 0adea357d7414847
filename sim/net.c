/*
 * net.c — compact NAS candidates (tpusim_net): a chain of MBConv-style
 * blocks checked as they are added, and their expansion into a graph of
 * ONNX ops (the one definition of what a block is; the cache in
 * net_query.c times blocks of exactly these graphs).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"

/* Largest channel count or spatial size a block may have. */
#define NET_MAX_DIM (INT64_C(1) << 20)

static int net_error(tpusim_net *net, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int net_error(tpusim_net *net, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(net->err, sizeof net->err, fmt, ap);
    va_end(ap);
    return code;
}

int tpusim_net_new(tpusim_net **out)
{
    if (!out)
        return TPUSIM_ERR_ARG;
    *out = calloc(1, sizeof **out);
    if (!*out)
        return TPUSIM_ERR_NOMEM;
    (*out)->batch = 1;
    (*out)->channels = 3;
    (*out)->height = (*out)->width = 224;
    return TPUSIM_OK;
}

void tpusim_net_close(tpusim_net *net)
{
    if (!net)
        return;
    free(net->blocks);
    free(net->out_chw);
    free(net);
}

const char *tpusim_net_errmsg(const tpusim_net *net)
{
    return net ? net->err : "no net handle";
}

int tpusim_net_reset(tpusim_net *net, int64_t batch, int64_t channels, int64_t height,
                     int64_t width)
{
    if (!net)
        return TPUSIM_ERR_ARG;
    net->n = 0;
    net->err[0] = '\0';
    if (batch < 1 || channels < 1 || height < 1 || width < 1 || batch > NET_MAX_DIM ||
        channels > NET_MAX_DIM || height > NET_MAX_DIM || width > NET_MAX_DIM)
        return net_error(net, TPUSIM_ERR_ARG,
                         "net input [%lld,%lld,%lld,%lld]: every dimension must be 1..%lld",
                         (long long)batch, (long long)channels, (long long)height,
                         (long long)width, (long long)NET_MAX_DIM);
    net->batch = batch;
    net->channels = channels;
    net->height = height;
    net->width = width;
    return TPUSIM_OK;
}

size_t tpusim_net_block_count(const tpusim_net *net)
{
    return net ? net->n : 0;
}

void net_block_input(const tpusim_net *net, size_t i, int64_t chw[3])
{
    if (i == 0) {
        chw[0] = net->channels;
        chw[1] = net->height;
        chw[2] = net->width;
    } else {
        memcpy(chw, net->out_chw[i - 1], 3 * sizeof *chw);
    }
}

/* Channels out of a block's first (KxK or expand) conv. */
static int64_t first_conv_channels(const tpusim_block *b, int64_t cin)
{
    return b->expand > 1 ? cin * b->expand : b->out_channels;
}

static int check_block(tpusim_net *net, const tpusim_block *b, const int64_t in[3])
{
    size_t i = net->n;
    if (i && net->blocks[i - 1].kind == TPUSIM_BLOCK_HEAD)
        return net_error(net, TPUSIM_ERR_ARG, "block %zu: nothing may follow a HEAD block", i);
    if (b->kind < TPUSIM_BLOCK_CONV || b->kind > TPUSIM_BLOCK_HEAD)
        return net_error(net, TPUSIM_ERR_ARG, "block %zu: unknown kind %d", i, (int)b->kind);
    if (b->out_channels < 1 || b->out_channels > NET_MAX_DIM)
        return net_error(net, TPUSIM_ERR_ARG, "block %zu: out_channels %d out of 1..%lld", i,
                         (int)b->out_channels, (long long)NET_MAX_DIM);
    if (b->act != TPUSIM_ACT_RELU && b->act != TPUSIM_ACT_SWISH)
        return net_error(net, TPUSIM_ERR_ARG, "block %zu: act must be RELU (1) or SWISH (2), got %d",
                         i, (int)b->act);
    if (b->kind == TPUSIM_BLOCK_HEAD) {
        if (b->classes < 1 || b->classes > NET_MAX_DIM)
            return net_error(net, TPUSIM_ERR_ARG, "block %zu: HEAD needs classes >= 1", i);
        return TPUSIM_OK;
    }
    if (b->kernel != 1 && b->kernel != 3 && b->kernel != 5 && b->kernel != 7)
        return net_error(net, TPUSIM_ERR_ARG, "block %zu: kernel must be 1, 3, 5 or 7, got %d", i,
                         (int)b->kernel);
    if (b->stride != 1 && b->stride != 2)
        return net_error(net, TPUSIM_ERR_ARG, "block %zu: stride must be 1 or 2, got %d", i,
                         (int)b->stride);
    if (b->kind != TPUSIM_BLOCK_CONV && (b->expand < 1 || b->expand > 64 || b->se < 0 || b->se > 1))
        return net_error(net, TPUSIM_ERR_ARG, "block %zu: expand must be 1..64 and se 0 or 1", i);
    if (b->kind == TPUSIM_BLOCK_CONV || b->kind == TPUSIM_BLOCK_GC_IBN) {
        int64_t mid = b->kind == TPUSIM_BLOCK_CONV ? b->out_channels
                                                   : first_conv_channels(b, in[0]);
        if (b->groups < 1 || in[0] % b->groups || mid % b->groups)
            return net_error(net, TPUSIM_ERR_ARG,
                             "block %zu: groups %d must divide channels %lld -> %lld", i,
                             (int)b->groups, (long long)in[0], (long long)mid);
    }
    if (first_conv_channels(b, in[0]) > NET_MAX_DIM)
        return net_error(net, TPUSIM_ERR_ARG, "block %zu: expanded channels too many", i);
    return TPUSIM_OK;
}

int tpusim_net_add(tpusim_net *net, const tpusim_block *block)
{
    if (!net)
        return TPUSIM_ERR_ARG;
    if (!block)
        return net_error(net, TPUSIM_ERR_ARG, "tpusim_net_add: block is NULL");
    int64_t in[3];
    net_block_input(net, net->n, in);
    int rc = check_block(net, block, in);
    if (rc)
        return rc;
    if (net->n == net->cap) {
        size_t cap = net->cap ? 2 * net->cap : 32;
        tpusim_block *b = realloc(net->blocks, cap * sizeof *b);
        if (b)
            net->blocks = b;
        int64_t(*s)[3] = b ? realloc(net->out_chw, cap * sizeof *s) : NULL;
        if (!s)
            return net_error(net, TPUSIM_ERR_NOMEM, "out of memory");
        net->out_chw = s;
        net->cap = cap;
    }
    tpusim_block *b = &net->blocks[net->n];
    *b = *block;
    /* Fields a kind ignores are zeroed: they are part of the cache key. */
    if (b->kind == TPUSIM_BLOCK_HEAD)
        b->kernel = b->stride = b->expand = b->groups = b->se = 0;
    else
        b->classes = 0;
    if (b->kind == TPUSIM_BLOCK_CONV)
        b->expand = b->se = 0;
    if (b->kind == TPUSIM_BLOCK_DW_IBN || b->kind == TPUSIM_BLOCK_FUSED_IBN)
        b->groups = 0;
    int64_t *out = net->out_chw[net->n];
    if (b->kind == TPUSIM_BLOCK_HEAD) {
        out[0] = b->classes;
        out[1] = out[2] = 1;
    } else {
        int64_t pad = b->kernel / 2;
        out[0] = b->out_channels;
        out[1] = (in[1] + 2 * pad - b->kernel) / b->stride + 1;
        out[2] = (in[2] + 2 * pad - b->kernel) / b->stride + 1;
    }
    net->n++;
    net->err[0] = '\0';
    return TPUSIM_OK;
}

/* ------------------------------------------------------ graph building */

struct builder {
    tpusim_graph *g;
    size_t blk;
    char cur[64];      /* the tensor the next op reads */
    int rc;
};

/* "b<block>.<role>" into buf. */
static const char *nm(const struct builder *b, const char *role, char *buf, size_t len)
{
    snprintf(buf, len, "b%zu.%.32s", b->blk, role);
    return buf;
}

/* Output tensor of op `name`: "<name>:0". */
static const char *out_of(const char *name, char *buf, size_t len)
{
    snprintf(buf, len, "%.56s:0", name);
    return buf;
}

static void conv(struct builder *b, const char *role, int64_t cout, int64_t k, int64_t s,
                 int64_t groups)
{
    char name[64], out[64];
    nm(b, role, name, sizeof name);
    out_of(name, out, sizeof out);
    if (!b->rc)
        b->rc = tpusim_graph_add_conv2d(b->g, name, b->cur, out, cout, k, s, k / 2, groups);
    memcpy(b->cur, out, sizeof out);
}

static void op1(struct builder *b, const char *type, const char *role, const char *const *ins,
                int n_in)
{
    char name[64], out[64];
    nm(b, role, name, sizeof name);
    const char *o = out_of(name, out, sizeof out);
    if (!b->rc)
        b->rc = tpusim_graph_add_op(b->g, type, name, ins, n_in, &o, 1);
    memcpy(b->cur, out, sizeof out);
}

static void batch_norm(struct builder *b, const char *role, int64_t c)
{
    static const char *const parts[4] = {"scale", "bias", "mean", "var"};
    char name[64], w[4][80];
    nm(b, role, name, sizeof name);
    const char *ins[5] = {b->cur, w[0], w[1], w[2], w[3]};
    for (int i = 0; i < 4; i++) {
        snprintf(w[i], sizeof w[i], "%.56s.%s", name, parts[i]);
        if (!b->rc)
            b->rc = tpusim_graph_add_weight(b->g, w[i], TPUSIM_DT_FLOAT32, 1, &c);
    }
    char in[64];
    memcpy(in, b->cur, sizeof in);
    ins[0] = in;
    op1(b, "BatchNormalization", role, ins, 5);
}

static void act(struct builder *b, const char *role, int kind)
{
    char in[64];
    memcpy(in, b->cur, sizeof in);
    const char *ins[2] = {in, NULL};
    if (kind == TPUSIM_ACT_RELU) {
        op1(b, "Relu", role, ins, 1);
        return;
    }
    char gate[64], role2[48];
    snprintf(role2, sizeof role2, "%.32s.sig", role);
    op1(b, "Sigmoid", role2, ins, 1);
    memcpy(gate, b->cur, sizeof gate);
    ins[1] = gate;
    op1(b, "Mul", role, ins, 2);
}

static void squeeze_excite(struct builder *b, int64_t c, int64_t cin, int kind)
{
    char x[64];
    memcpy(x, b->cur, sizeof x);
    const char *ins[2] = {x, NULL};
    op1(b, "GlobalAveragePool", "se.pool", ins, 1);
    conv(b, "se.fc1", cin / 4 > 0 ? cin / 4 : 1, 1, 1, 1);
    act(b, "se.act", kind);
    conv(b, "se.fc2", c, 1, 1, 1);
    char s[64];
    memcpy(s, b->cur, sizeof s);
    ins[0] = s;
    op1(b, "Sigmoid", "se.gate", ins, 1);
    char gate[64];
    memcpy(gate, b->cur, sizeof gate);
    ins[0] = x;
    ins[1] = gate;
    op1(b, "Mul", "se.scale", ins, 2);
}

static void add_block(struct builder *b, const tpusim_block *k, const int64_t in[3])
{
    char x[64];
    memcpy(x, b->cur, sizeof x);
    int64_t cin = in[0];
    switch (k->kind) {
    case TPUSIM_BLOCK_CONV:
        conv(b, "conv", k->out_channels, k->kernel, k->stride, k->groups);
        batch_norm(b, "bn", k->out_channels);
        act(b, "act", k->act);
        return;
    case TPUSIM_BLOCK_HEAD: {
        conv(b, "conv", k->out_channels, 1, 1, 1);
        batch_norm(b, "bn", k->out_channels);
        act(b, "act", k->act);
        char y[64];
        memcpy(y, b->cur, sizeof y);
        const char *ins[1] = {y};
        op1(b, "GlobalAveragePool", "pool", ins, 1);
        memcpy(y, b->cur, sizeof y);
        op1(b, "Flatten", "flatten", ins, 1);
        char name[64], out[64];
        nm(b, "fc", name, sizeof name);
        out_of(name, out, sizeof out);
        if (!b->rc)
            b->rc = tpusim_graph_add_dense(b->g, name, b->cur, out, k->classes);
        memcpy(b->cur, out, sizeof out);
        return;
    }
    case TPUSIM_BLOCK_DW_IBN: {
        int64_t mid = cin * k->expand;
        if (k->expand > 1) {
            conv(b, "expand", mid, 1, 1, 1);
            batch_norm(b, "expand.bn", mid);
            act(b, "expand.act", k->act);
        }
        conv(b, "dw", mid, k->kernel, k->stride, mid);
        batch_norm(b, "dw.bn", mid);
        act(b, "dw.act", k->act);
        if (k->se)
            squeeze_excite(b, mid, cin, k->act);
        conv(b, "project", k->out_channels, 1, 1, 1);
        batch_norm(b, "project.bn", k->out_channels);
        break;
    }
    default: { /* FUSED_IBN, GC_IBN */
        int64_t mid = first_conv_channels(k, cin);
        conv(b, "fused", mid, k->kernel, k->stride,
             k->kind == TPUSIM_BLOCK_GC_IBN ? k->groups : 1);
        batch_norm(b, "fused.bn", mid);
        act(b, "fused.act", k->act);
        if (k->se)
            squeeze_excite(b, mid, cin, k->act);
        if (k->expand > 1) {
            conv(b, "project", k->out_channels, 1, 1, 1);
            batch_norm(b, "project.bn", k->out_channels);
        }
        break;
    }
    }
    if (k->stride == 1 && cin == k->out_channels) {
        char y[64];
        memcpy(y, b->cur, sizeof y);
        const char *ins[2] = {y, x};
        op1(b, "Add", "add", ins, 2);
    }
}

int net_build_graph(const tpusim_net *net, tpusim_graph *g, int *first_op)
{
    struct builder b = {.g = g};
    int64_t dims[4] = {net->batch, net->channels, net->height, net->width};
    snprintf(b.cur, sizeof b.cur, "input");
    b.rc = tpusim_graph_add_input(g, "input", TPUSIM_DT_FLOAT32, 4, dims);
    for (size_t i = 0; i < net->n && !b.rc; i++) {
        if (first_op)
            first_op[i] = g->n_ops;
        int64_t in[3];
        net_block_input(net, i, in);
        b.blk = i;
        add_block(&b, &net->blocks[i], in);
    }
    if (first_op)
        first_op[net->n] = g->n_ops;
    return b.rc ? b.rc : tpusim_graph_finalize(g);
}

int tpusim_net_to_graph(const tpusim_net *net, tpusim_graph *g)
{
    if (!net || !g)
        return TPUSIM_ERR_ARG;
    if (g->n_ops || g->n_tensors || g->finalized)
        return graph_error(g, TPUSIM_ERR_STATE, "tpusim_net_to_graph needs an empty graph");
    if (!net->n)
        return graph_error(g, TPUSIM_ERR_ARG, "the net has no blocks");
    return net_build_graph(net, g, NULL);
}

int tpusim_net_totals(const tpusim_net *net, tpusim_totals *out)
{
    if (out)
        memset(out, 0, sizeof *out);
    if (!net || !out)
        return TPUSIM_ERR_ARG;
    tpusim_graph *g = NULL;
    int rc = tpusim_graph_new(&g);
    if (!rc)
        rc = tpusim_net_to_graph(net, g);
    if (!rc)
        rc = tpusim_graph_totals(g, out);
    tpusim_graph_close(g);
    return rc;
}
