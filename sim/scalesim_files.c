/*
 * scalesim_files.c — SCALE-Sim's config file (libinih) and topology CSV
 * (libcsv), read as SCALE-Sim v2 reads them (scale_config.py,
 * topology_utils.py), with errors that name the file, line and field
 * instead of its Python exceptions. The accepted forms are in
 * docs/scalesim.md.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <csv.h>
#include <ini.h>

#include "cycles.h"
#include "scalesim.h"
#include "tpusim.h"

/* Larger than any layer side or count in a real network (GEMM_mnk/unet2d.csv
 * has M = 4,186,116). */
#define SCALESIM_SIZE_MAX ((uint64_t)1 << 31)
/* M x N x K of a layer: below it, every count and report ratio is exact in
 * 64-bit integers and doubles (SCALE-Sim's Python ints are unbounded). */
#define SCALESIM_MACS_MAX ((uint64_t)1 << 53)
/* PEs along one side of the array: 64x the largest built (256, TPUv1). */
#define SCALESIM_ARRAY_MAX ((uint64_t)1 << 14)
/* A depthwise (DP) layer becomes one layer per channel. */
#define SCALESIM_DP_CHANNELS_MAX ((uint64_t)1 << 16)
/* Layers of a topology, depthwise ones split: 200x SCALE-Sim's largest
 * file (MLPERF.csv, 1,117 rows). */
#define SCALESIM_LAYERS_MAX ((size_t)1 << 18)
#define SCALESIM_FIELDS_MAX 32
#define SCALESIM_MSG_MAX 512

static bool parse_u64(const char *s, uint64_t max, uint64_t *out)
{
    if (!isdigit((unsigned char)*s))
        return false;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    while (isspace((unsigned char)*end))
        end++;
    if (errno || *end || v > max)
        return false;
    *out = v;
    return true;
}

/* ---- config ---------------------------------------------------------- */

enum cfg_key {
    K_RUN_NAME, K_ARRAY_H, K_ARRAY_W, K_IFMAP_KB, K_FILTER_KB, K_OFMAP_KB,
    K_IFMAP_OFF, K_FILTER_OFF, K_OFMAP_OFF, K_DATAFLOW, K_BANDWIDTH, K_IFACE_BW,
    K_IGNORED, /* read, checked present only: not part of the model */
    K_SPARSITY,
};

/* The keys of SCALE-Sim's config files: v2's (scale_config.py) and the
 * ones v3's sample files add. Names match case-insensitively, as Python's
 * configparser does. */
static const struct {
    const char *section, *name;
    enum cfg_key key;
} CFG_KEYS[] = {
    {"general", "run_name", K_RUN_NAME},
    {"architecture_presets", "ArrayHeight", K_ARRAY_H},
    {"architecture_presets", "ArrayWidth", K_ARRAY_W},
    {"architecture_presets", "IfmapSramSzkB", K_IFMAP_KB},
    {"architecture_presets", "FilterSramSzkB", K_FILTER_KB},
    {"architecture_presets", "OfmapSramSzkB", K_OFMAP_KB},
    {"architecture_presets", "IfmapOffset", K_IFMAP_OFF},
    {"architecture_presets", "FilterOffset", K_FILTER_OFF},
    {"architecture_presets", "OfmapOffset", K_OFMAP_OFF},
    {"architecture_presets", "Dataflow", K_DATAFLOW},
    {"architecture_presets", "Bandwidth", K_BANDWIDTH},
    {"architecture_presets", "MemoryBanks", K_IGNORED},
    {"architecture_presets", "OnChipMemoryBanks", K_IGNORED},
    {"architecture_presets", "OnChipMemoryBankPorts", K_IGNORED},
    {"architecture_presets", "ReadRequestBuffer", K_IGNORED},
    {"architecture_presets", "WriteRequestBuffer", K_IGNORED},
    {"layout", "IfmapCustomLayout", K_IGNORED},
    {"layout", "IfmapSRAMBankBandwidth", K_IGNORED},
    {"layout", "IfmapSRAMBankNum", K_IGNORED},
    {"layout", "IfmapSRAMBankPort", K_IGNORED},
    {"layout", "FilterCustomLayout", K_IGNORED},
    {"layout", "FilterSRAMBankBandwidth", K_IGNORED},
    {"layout", "FilterSRAMBankNum", K_IGNORED},
    {"layout", "FilterSRAMBankPort", K_IGNORED},
    {"sparsity", "SparsitySupport", K_SPARSITY},
    {"sparsity", "SparseRep", K_IGNORED},
    {"sparsity", "OptimizedMapping", K_IGNORED},
    {"sparsity", "BlockSize", K_IGNORED},
    {"sparsity", "RandomNumberGeneratorSeed", K_IGNORED},
    {"run_presets", "InterfaceBandwidth", K_IFACE_BW},
    {"run_presets", "UseRamulatorTrace", K_IGNORED},
};
#define N_CFG_KEYS (sizeof CFG_KEYS / sizeof CFG_KEYS[0])

struct cfg_ctx {
    struct scalesim_config *cfg;
    bool seen[N_CFG_KEYS];
    char msg[SCALESIM_MSG_MAX]; /* the first problem, without its line */
};

static int cfg_fail(struct cfg_ctx *c, const char *fmt, ...)
{
    if (!c->msg[0]) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(c->msg, sizeof c->msg, fmt, ap);
        va_end(ap);
    }
    return 0;
}

static bool is_true(const char *v)
{
    return strcasecmp(v, "true") == 0;
}

static int cfg_value(struct cfg_ctx *c, size_t i, const char *v)
{
    struct scalesim_config *cfg = c->cfg;
    const char *name = CFG_KEYS[i].name;
    uint64_t *u = NULL, max = SCALESIM_SIZE_MAX;
    switch (CFG_KEYS[i].key) {
    case K_RUN_NAME:
        /* It names the output folder: one path component. */
        if (!*v || strlen(v) >= sizeof cfg->run_name || strchr(v, '/') ||
            strcmp(v, ".") == 0 || strcmp(v, "..") == 0)
            return cfg_fail(c, "%s: '%s' is not a folder name", name, v);
        strcpy(cfg->run_name, v);
        return 1;
    case K_ARRAY_H: u = &cfg->array_rows; max = SCALESIM_ARRAY_MAX; break;
    case K_ARRAY_W: u = &cfg->array_cols; max = SCALESIM_ARRAY_MAX; break;
    case K_IFMAP_KB: u = &cfg->ifmap_sram_kb; break;
    case K_FILTER_KB: u = &cfg->filter_sram_kb; break;
    case K_OFMAP_KB: u = &cfg->ofmap_sram_kb; break;
    case K_IFMAP_OFF: u = &cfg->ifmap_offset; max = UINT32_MAX; break;
    case K_FILTER_OFF: u = &cfg->filter_offset; max = UINT32_MAX; break;
    case K_OFMAP_OFF: u = &cfg->ofmap_offset; max = UINT32_MAX; break;
    case K_BANDWIDTH: {
        /* "10" or a list "10,10,10" (one per operand); the first is used. */
        char first[64];
        size_t len = strcspn(v, ",");
        if (len >= sizeof first)
            return cfg_fail(c, "%s: '%s' is not a number of words per cycle", name, v);
        memcpy(first, v, len);
        first[len] = 0;
        if (!parse_u64(first, SCALESIM_SIZE_MAX, &cfg->bandwidth_words_per_cycle) ||
            cfg->bandwidth_words_per_cycle == 0)
            return cfg_fail(c, "%s: '%s' is not a number of words per cycle", name, v);
        return 1;
    }
    case K_DATAFLOW:
        if (strcmp(v, "ws") == 0)
            cfg->dataflow = SCALESIM_WS;
        else if (strcmp(v, "os") == 0)
            cfg->dataflow = SCALESIM_OS;
        else if (strcmp(v, "is") == 0)
            cfg->dataflow = SCALESIM_IS;
        else
            return cfg_fail(c, "%s: '%s' is not a dataflow (ws, os or is)", name, v);
        return 1;
    case K_IFACE_BW:
        if (strcmp(v, "USER") == 0)
            cfg->user_bandwidth = true;
        else if (strcmp(v, "CALC") == 0)
            cfg->user_bandwidth = false;
        else
            return cfg_fail(c, "%s: '%s' is neither USER nor CALC", name, v);
        return 1;
    case K_SPARSITY:
        if (is_true(v))
            return cfg_fail(c, "%s: sparse arrays are not modelled (set it to false)", name);
        return 1;
    case K_IGNORED:
        return 1;
    }
    if (!parse_u64(v, max, u) || (u != &cfg->ifmap_offset && u != &cfg->filter_offset &&
                                  u != &cfg->ofmap_offset && *u == 0))
        return cfg_fail(c, "%s: '%s' is not a whole number in [%s, %llu]", name, v,
                        max == UINT32_MAX ? "0" : "1", (unsigned long long)max);
    return 1;
}

static int cfg_handler(void *user, const char *section, const char *name, const char *value)
{
    struct cfg_ctx *c = user;
    for (size_t i = 0; i < N_CFG_KEYS; i++) {
        if (strcasecmp(section, CFG_KEYS[i].section) != 0 ||
            strcasecmp(name, CFG_KEYS[i].name) != 0)
            continue;
        if (c->seen[i])
            return cfg_fail(c, "%s: given twice", CFG_KEYS[i].name);
        c->seen[i] = true;
        return cfg_value(c, i, value);
    }
    return cfg_fail(c, "[%s] %s: unknown key", section, name);
}

/* fopen, or the reason in err. */
static FILE *open_input(const char *path, char *err, size_t err_len)
{
    FILE *f = fopen(path, "r");
    if (!f)
        snprintf(err, err_len, "%s: %s", path, strerror(errno));
    return f;
}

int scalesim_config_load(const char *path, struct scalesim_config *cfg, char *err,
                         size_t err_len)
{
    *cfg = (struct scalesim_config){0};
    FILE *f = open_input(path, err, err_len);
    if (!f)
        return TPUSIM_ERR_IO;
    int rc = scalesim_config_read(f, path, cfg, err, err_len);
    fclose(f);
    return rc;
}

int scalesim_config_read(FILE *f, const char *path, struct scalesim_config *cfg, char *err,
                         size_t err_len)
{
    *cfg = (struct scalesim_config){0};
    struct cfg_ctx c = {.cfg = cfg};
    int line = ini_parse_file(f, cfg_handler, &c);
    if (ferror(f)) {
        snprintf(err, err_len, "%s: %s", path, strerror(errno));
        return TPUSIM_ERR_IO;
    }
    if (line != 0) {
        if (line < 0)
            snprintf(err, err_len, "%s: out of memory", path);
        else
            snprintf(err, err_len, "%s:%d: %s", path, line,
                     c.msg[0] ? c.msg : "not a 'key: value' or [section] line");
        return line < 0 ? TPUSIM_ERR_NOMEM : TPUSIM_ERR_PARSE;
    }
    /* What SCALE-Sim itself requires (configparser raises without them). */
    for (size_t i = 0; i < N_CFG_KEYS; i++) {
        enum cfg_key k = CFG_KEYS[i].key;
        bool needed = k != K_IGNORED && k != K_SPARSITY &&
                      (k != K_BANDWIDTH || cfg->user_bandwidth);
        if (needed && !c.seen[i]) {
            snprintf(err, err_len, "%s: [%s] %s: missing%s", path, CFG_KEYS[i].section,
                     CFG_KEYS[i].name,
                     k == K_BANDWIDTH ? " (InterfaceBandwidth: USER needs it)" : "");
            return TPUSIM_ERR_PARSE;
        }
    }
    return TPUSIM_OK;
}

/* ---- topology -------------------------------------------------------- */

/* The columns of a row after the name: conv (7, an 8th for the stride
 * width) or GEMM (3). */
static const char *const CONV_COLS[] = {"IFMAP Height", "IFMAP Width", "Filter Height",
                                        "Filter Width", "Channels", "Num Filter", "Strides",
                                        "Stride Width"};
static const char *const GEMM_COLS[] = {"M", "N", "K"};

struct row {
    char *field[SCALESIM_FIELDS_MAX];
    size_t n;          /* fields kept (up to SCALESIM_FIELDS_MAX) */
    size_t n_all;      /* fields seen */
    bool nomem;
};

struct topo_ctx {
    const char *path;
    bool gemm;
    unsigned line;
    struct row header; /* the first row's fields */
    size_t extra_col;  /* the column after the sizes: stride width (conv) or absent */
    struct scalesim_topology *topo;
    size_t cap;
    char *err;
    size_t err_len;
};

static void row_clear(struct row *r)
{
    for (size_t i = 0; i < r->n; i++)
        free(r->field[i]);
    *r = (struct row){0};
}

static void on_field(void *s, size_t len, void *data)
{
    struct row *r = data;
    r->n_all++;
    if (r->n == SCALESIM_FIELDS_MAX)
        return;
    char *copy = malloc(len + 1);
    if (!copy) {
        r->nomem = true;
        return;
    }
    memcpy(copy, s, len);
    copy[len] = 0;
    r->field[r->n++] = copy;
}

/* Trailing empty fields go: SCALE-Sim's rows end in a comma, some in
 * several. */
static void row_trim(struct row *r)
{
    /* A field that starts with '#' comments out the rest of the row
     * (conv_nets/mobilnet_4k.csv: "...,1,#dw"). */
    for (size_t i = 1; i < r->n; i++)
        if (r->field[i][0] == '#') {
            while (r->n > i)
                free(r->field[--r->n]);
            r->n_all = r->n;
        }
    while (r->n > 0 && r->field[r->n - 1][0] == 0) {
        free(r->field[--r->n]);
        r->n_all--;
    }
}

static int topo_fail(struct topo_ctx *t, int code, const char *fmt, ...)
{
    int len = snprintf(t->err, t->err_len, "%s:%u: ", t->path, t->line);
    if (len > 0 && (size_t)len < t->err_len) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(t->err + len, t->err_len - (size_t)len, fmt, ap);
        va_end(ap);
    }
    return code;
}

/* Whether column `col` of the header contains `word` (lower case), in any
 * case. */
static bool header_says(const struct row *h, size_t col, const char *word)
{
    if (col >= h->n)
        return false;
    size_t n = strlen(word);
    for (const char *s = h->field[col]; *s; s++)
        if (strncasecmp(s, word, n) == 0)
            return true;
    return false;
}

/* The first row names the columns: SCALE-Sim skips it, but it tells a
 * GEMM file from a conv file and marks columns tpusim does not model. */
static int take_header(struct topo_ctx *t)
{
    const struct row *h = &t->header;
    size_t sizes = t->gemm ? 3 : 7;
    for (size_t i = 1; i < h->n; i++)
        if (header_says(h, i, "sparsity"))
            return topo_fail(t, TPUSIM_ERR_UNSUPPORTED,
                             "column '%s': sparse layers are not modelled", h->field[i]);
    if (!t->gemm && h->n >= 4 && h->n <= 5 && strcmp(h->field[1], "M") == 0)
        return topo_fail(t, TPUSIM_ERR_PARSE,
                         "a GEMM (Layer, M, N, K) topology: run it with -i gemm");
    if (t->gemm && h->n > 5)
        return topo_fail(t, TPUSIM_ERR_PARSE,
                         "%zu columns: a GEMM topology has Layer, M, N, K "
                         "(a conv topology? run it with -i conv)", h->n);
    t->extra_col = 1 + sizes;
    return TPUSIM_OK;
}

static int add_layer(struct topo_ctx *t, const struct scalesim_layer *l)
{
    struct scalesim_topology *topo = t->topo;
    if (topo->n == SCALESIM_LAYERS_MAX)
        return topo_fail(t, TPUSIM_ERR_UNSUPPORTED, "more than %zu layers",
                         (size_t)SCALESIM_LAYERS_MAX);
    if (topo->n == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 64;
        struct scalesim_layer *p = realloc(topo->layers, cap * sizeof *p);
        if (!p)
            return TPUSIM_ERR_NOMEM;
        topo->layers = p;
        t->cap = cap;
    }
    topo->layers[topo->n] = *l;
    topo->layers[topo->n].name = strdup(l->name);
    if (!topo->layers[topo->n].name)
        return TPUSIM_ERR_NOMEM;
    topo->n++;
    return TPUSIM_OK;
}

/* SCALE-Sim's depthwise marker: "DP" in the name makes one single-channel
 * layer per channel (topology_utils.load_arrays_conv). */
static int add_depthwise(struct topo_ctx *t, struct scalesim_layer l)
{
    if (l.channels > SCALESIM_DP_CHANNELS_MAX)
        return topo_fail(t, TPUSIM_ERR_UNSUPPORTED,
                         "depthwise (DP) layer of %llu channels: at most %llu",
                         (unsigned long long)l.channels,
                         (unsigned long long)SCALESIM_DP_CHANNELS_MAX);
    uint64_t channels = l.channels;
    const char *base = l.name;
    size_t len = strlen(base) + 32;
    char *name = malloc(len);
    if (!name)
        return TPUSIM_ERR_NOMEM;
    int rc = TPUSIM_OK;
    l.channels = 1;
    for (uint64_t c = 0; c < channels && rc == TPUSIM_OK; c++) {
        snprintf(name, len, "%sChannel_%llu", base, (unsigned long long)c);
        l.name = name;
        rc = add_layer(t, &l);
    }
    free(name);
    return rc;
}

/* A layer after its size checks; depthwise (DP) ones split per channel. */
static int add_conv(struct topo_ctx *t, struct scalesim_layer l)
{
    uint64_t m = sat_mul(scalesim_out_size(l.ifmap_h, l.filter_h, l.stride_h),
                         scalesim_out_size(l.ifmap_w, l.filter_w, l.stride_w));
    uint64_t k = sat_mul(sat_mul(l.filter_h, l.filter_w), l.channels);
    if (sat_mul(sat_mul(m, k), l.filters) >= SCALESIM_MACS_MAX)
        return topo_fail(t, TPUSIM_ERR_UNSUPPORTED,
                         "%llu x %llu x %llu MACs: beyond 2^53, too large to count exactly",
                         (unsigned long long)m, (unsigned long long)k,
                         (unsigned long long)l.filters);
    if (strstr(l.name, "DP"))
        return add_depthwise(t, l);
    return add_layer(t, &l);
}

static int take_row(struct topo_ctx *t, struct row *r)
{
    size_t sizes = t->gemm ? 3 : 7;
    const char *const *cols = t->gemm ? GEMM_COLS : CONV_COLS;
    /* A name alone is a heading (MLPERF.csv's "Transformer,"); a tab in
     * it, a row of another separator. */
    if (r->n == 1 && strchr(r->field[0], '\t'))
        return topo_fail(t, TPUSIM_ERR_PARSE,
                         "1 field with tabs: fields are separated by commas");
    if (r->n <= 1)
        return TPUSIM_OK;
    if (r->n_all > SCALESIM_FIELDS_MAX || r->n < 1 + sizes)
        return topo_fail(t, TPUSIM_ERR_PARSE,
                         "%zu fields; a %s row has the layer name and %s", r->n_all,
                         t->gemm ? "GEMM" : "conv",
                         t->gemm ? "M, N, K"
                                 : "IFMAP height, IFMAP width, filter height, filter "
                                   "width, channels, filters, stride");
    if (!r->field[0][0])
        return topo_fail(t, TPUSIM_ERR_PARSE, "the layer name (field 1) is empty");
    uint64_t v[8] = {0};
    size_t known = t->gemm ? sizes : sizes + 1;
    for (size_t i = 1; i < r->n; i++) {
        const char *f = r->field[i];
        if (i > known) {
            /* Columns the header names past ours carry notes
             * (conv_nets/Resnet50.csv: Eh, Ew, e2): not read. */
            if (*f && !(i < t->header.n && t->header.field[i][0]))
                return topo_fail(t, TPUSIM_ERR_PARSE,
                                 "field %zu ('%s'): the header has no such column", i + 1, f);
            continue;
        }
        if (i == t->extra_col && !*f)
            continue;
        if (i == t->extra_col && header_says(&t->header, i, "batch")) {
            if (strcmp(f, "1") != 0)
                return topo_fail(t, TPUSIM_ERR_UNSUPPORTED,
                                 "batch size '%s': SCALE-Sim and tpusim's front end run "
                                 "batch 1", f);
            continue;
        }
        if (!parse_u64(f, SCALESIM_SIZE_MAX, &v[i - 1]) || v[i - 1] == 0)
            return topo_fail(t, TPUSIM_ERR_PARSE,
                             "%s (field %zu): '%s' is not a whole number in [1, %llu]",
                             cols[i - 1], i + 1, f, (unsigned long long)SCALESIM_SIZE_MAX);
    }
    struct scalesim_layer l = {.name = r->field[0], .line = t->line};
    if (t->gemm) {
        /* topology_utils.load_arrays_gemm: IFMAP M x K, filter 1 x K. */
        l.ifmap_h = v[0];
        l.ifmap_w = v[2];
        l.filter_h = 1;
        l.filter_w = v[2];
        l.channels = 1;
        l.filters = v[1];
        l.stride_h = l.stride_w = 1;
        return add_conv(t, l);
    }
    l.ifmap_h = v[0];
    l.ifmap_w = v[1];
    l.filter_h = v[2];
    l.filter_w = v[3];
    l.channels = v[4];
    l.filters = v[5];
    l.stride_h = v[6];
    l.stride_w = v[7] ? v[7] : v[6];
    if (l.filter_h > l.ifmap_h || l.filter_w > l.ifmap_w)
        return topo_fail(t, TPUSIM_ERR_PARSE,
                         "filter %llux%llu larger than the IFMAP %llux%llu "
                         "(SCALE-Sim applies no padding)",
                         (unsigned long long)l.filter_h, (unsigned long long)l.filter_w,
                         (unsigned long long)l.ifmap_h, (unsigned long long)l.ifmap_w);
    return add_conv(t, l);
}

/* One line through libcsv: its fields into r. */
static bool parse_line(struct csv_parser *p, const char *s, size_t len, struct row *r)
{
    if (csv_parse(p, s, len, on_field, NULL, r) != len)
        return false;
    return csv_fini(p, on_field, NULL, r) == 0 && !r->nomem;
}

int scalesim_topology_load(const char *path, bool gemm, struct scalesim_topology *topo,
                           char *err, size_t err_len)
{
    *topo = (struct scalesim_topology){0};
    FILE *f = open_input(path, err, err_len);
    if (!f)
        return TPUSIM_ERR_IO;
    int rc = scalesim_topology_read(f, path, gemm, topo, err, err_len);
    fclose(f);
    return rc;
}

int scalesim_topology_read(FILE *f, const char *path, bool gemm,
                           struct scalesim_topology *topo, char *err, size_t err_len)
{
    *topo = (struct scalesim_topology){0};
    struct topo_ctx t = {.path = path, .gemm = gemm, .topo = topo, .err = err,
                         .err_len = err_len};
    struct csv_parser p;
    /* Strict: a stray or unterminated quote is an error, not a field that
     * swallows the rest of the line. */
    if (csv_init(&p, CSV_APPEND_NULL | CSV_STRICT | CSV_STRICT_FINI) != 0) {
        snprintf(err, err_len, "%s: out of memory", path);
        return TPUSIM_ERR_NOMEM;
    }
    char *buf = NULL;
    size_t cap = 0;
    ssize_t len;
    int rc = TPUSIM_OK;
    /* Line by line, so that errors name the line (libcsv does not count
     * them, and skips blank ones). */
    while (rc == TPUSIM_OK && (len = getline(&buf, &cap, f)) >= 0) {
        t.line++;
        const char *s = buf;
        if (t.line == 1 && len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
            s += 3; /* a UTF-8 byte-order mark (Excel's CSV) */
            len -= 3;
        }
        struct row r = {0};
        if (!parse_line(&p, s, (size_t)len, &r))
            rc = r.nomem ? TPUSIM_ERR_NOMEM
                         : topo_fail(&t, TPUSIM_ERR_PARSE, "%s", csv_strerror(csv_error(&p)));
        row_trim(&r);
        if (rc == TPUSIM_OK && t.line == 1) {
            t.header = r;
            rc = take_header(&t);
            continue;
        }
        if (rc == TPUSIM_OK)
            rc = take_row(&t, &r);
        row_clear(&r);
    }
    if (rc == TPUSIM_OK && ferror(f)) {
        snprintf(err, err_len, "%s: %s", path, strerror(errno));
        rc = TPUSIM_ERR_IO;
    }
    if (rc == TPUSIM_OK && topo->n == 0) {
        snprintf(err, err_len, "%s: no layers (a header row, then one row per layer)", path);
        rc = TPUSIM_ERR_PARSE;
    }
    if (rc == TPUSIM_ERR_NOMEM)
        snprintf(err, err_len, "%s: out of memory", path);
    free(buf);
    csv_free(&p);
    row_clear(&t.header);
    if (rc != TPUSIM_OK)
        scalesim_topology_free(topo);
    return rc;
}

void scalesim_topology_free(struct scalesim_topology *topo)
{
    if (!topo)
        return;
    for (size_t i = 0; i < topo->n; i++)
        free(topo->layers[i].name);
    free(topo->layers);
    *topo = (struct scalesim_topology){0};
}
