/*
 * chip.c — chip files (models/<chip>/chip.ini): find, scan, parse, check,
 * derive. libinih parses the values; our own line scan finds each key's
 * line and its `source:` / `ASSUMED:` note, which inih does not report.
 * Every key of KEYS is required; nothing has a default.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cycles.h"
#include "chip.h"
#include "tpusim.h"

/* How a key's text becomes a field, and what range it must be in. */
enum kind {
    K_DOUBLE_POS,    /* > 0 */
    K_DOUBLE_NONNEG, /* >= 0 */
    K_INT_POS,
    K_INT_NONNEG,
    K_U64_POS,
    K_U64_NONNEG,
    K_BOOL,          /* true | false */
    K_DEPTHWISE,     /* vpu | mxu */
    K_MATRIX_KIND,   /* systolic | tensor_cores */
    K_FRACTION       /* in (0, 1] */
};

struct key_def {
    const char *section;
    const char *name;
    enum kind kind;
    size_t offset;    /* into struct chip */
    unsigned applies; /* matrix kinds (enum matrix_kind bits) it belongs to; 0: every chip */
};

#define SYSTOLIC MATRIX_SYSTOLIC
#define TENSOR MATRIX_TENSOR_CORES

#define F(field) offsetof(struct chip, field)
#define VPU_COST(op) (offsetof(struct chip, vpu_cycles_per_vector) + (op) * sizeof(double))

/* Every key of a chip file, grouped by section in the order the files use. */
static const struct key_def KEYS[] = {
    {"chip", "clock_mhz", K_DOUBLE_POS, F(clock_mhz), 0},
    {"chip", "cores", K_INT_POS, F(cores), 0},
    {"mxu", "kind", K_MATRIX_KIND, F(mxu_kind), 0},
    {"mxu", "per_core", K_INT_POS, F(mxu_per_core), SYSTOLIC},
    {"mxu", "rows", K_INT_POS, F(mxu_rows), SYSTOLIC},
    {"mxu", "cols", K_INT_POS, F(mxu_cols), SYSTOLIC},
    {"mxu", "double_buffered_weights", K_BOOL, F(mxu_double_buffered_weights), SYSTOLIC},
    {"mxu", "bf16", K_BOOL, F(mxu_bf16), SYSTOLIC},
    {"mxu", "fp32_passes", K_INT_NONNEG, F(mxu_fp32_passes), SYSTOLIC},
    {"mxu", "int8_macs_per_pe_per_cycle", K_INT_POS, F(mxu_int8_macs_per_pe_per_cycle), SYSTOLIC},
    {"vpu", "lanes", K_INT_POS, F(vpu_lanes), 0},
    {"vpu", "sublanes", K_INT_POS, F(vpu_sublanes), 0},
    {"vpu", "add_cycles_per_vector", K_DOUBLE_POS, VPU_COST(VPU_ADD), 0},
    {"vpu", "mul_cycles_per_vector", K_DOUBLE_POS, VPU_COST(VPU_MUL), 0},
    {"vpu", "div_cycles_per_vector", K_DOUBLE_POS, VPU_COST(VPU_DIV), 0},
    {"vpu", "exp_cycles_per_vector", K_DOUBLE_POS, VPU_COST(VPU_EXP), 0},
    {"vpu", "sigmoid_cycles_per_vector", K_DOUBLE_POS, VPU_COST(VPU_SIGMOID), 0},
    {"vpu", "tanh_cycles_per_vector", K_DOUBLE_POS, VPU_COST(VPU_TANH), 0},
    {"vpu", "rsqrt_cycles_per_vector", K_DOUBLE_POS, VPU_COST(VPU_RSQRT), 0},
    {"vpu", "vmem_bytes_per_cycle", K_DOUBLE_POS, F(vpu_vmem_bytes_per_cycle), 0},
    {"hbm", "bandwidth_gbps", K_DOUBLE_NONNEG, F(hbm_bandwidth_gbps), 0},
    {"hbm", "latency_ns", K_DOUBLE_NONNEG, F(hbm_latency_ns), 0},
    {"hbm", "capacity_gib", K_DOUBLE_NONNEG, F(hbm_capacity_gib), 0},
    {"sram", "vmem_bytes", K_U64_POS, F(vmem_bytes), 0},
    {"sram", "cmem_bytes", K_U64_NONNEG, F(cmem_bytes), 0},
    {"sram", "param_cache_bytes", K_U64_NONNEG, F(param_cache_bytes), 0},
    {"host_link", "bandwidth_gbps", K_DOUBLE_NONNEG, F(host_link_bandwidth_gbps), 0},
    {"host_link", "latency_us", K_DOUBLE_NONNEG, F(host_link_latency_us), 0},
    {"host_link", "overhead_us_per_transfer", K_DOUBLE_NONNEG, F(host_link_overhead_us_per_transfer), 0},
    {"gpu", "sms", K_INT_POS, F(gpu_sms), TENSOR},
    {"gpu", "tensor_cores_per_sm", K_INT_POS, F(gpu_tensor_cores_per_sm), TENSOR},
    {"gpu", "fp16_fma_per_tensor_core_per_cycle", K_INT_POS,
     F(gpu_fp16_fma_per_tensor_core_per_cycle), TENSOR},
    {"gpu", "fp32_cores_per_sm", K_INT_POS, F(gpu_fp32_cores_per_sm), TENSOR},
    {"gpu", "registers_per_sm", K_INT_POS, F(gpu_registers_per_sm), TENSOR},
    {"gpu", "shared_memory_per_sm_bytes", K_U64_POS, F(gpu_shared_memory_per_sm_bytes), TENSOR},
    {"gpu", "max_threads_per_sm", K_INT_POS, F(gpu_max_threads_per_sm), TENSOR},
    {"gpu", "max_blocks_per_sm", K_INT_POS, F(gpu_max_blocks_per_sm), TENSOR},
    {"gpu", "shared_memory_bytes_per_cycle_per_sm", K_DOUBLE_POS,
     F(gpu_shared_memory_bytes_per_cycle_per_sm), TENSOR},
    {"gpu", "dram_efficiency_fraction", K_FRACTION, F(gpu_dram_efficiency_fraction), TENSOR},
    {"gpu", "l2_bandwidth_gbps", K_DOUBLE_POS, F(gpu_l2_bandwidth_gbps), TENSOR},
    {"gpu", "l2_latency_ns", K_DOUBLE_POS, F(gpu_l2_latency_ns), TENSOR},
    {"gpu", "launch_overhead_us", K_DOUBLE_NONNEG, F(gpu_launch_overhead_us), TENSOR},
    {"compiler", "depthwise_on", K_DEPTHWISE, F(depthwise_on), 0},
    {"compiler", "fuse_elementwise", K_BOOL, F(fuse_elementwise), 0},
};
#define N_KEYS (sizeof KEYS / sizeof KEYS[0])

static const char *const SECTIONS[] = {"chip", "mxu", "vpu", "hbm", "sram", "host_link", "gpu",
                                       "compiler"};
#define N_SECTIONS (sizeof SECTIONS / sizeof SECTIONS[0])

/* inih reads lines into a buffer of INI_MAX_LINE bytes, '\r', '\n' and '\0'
 * included; a longer line would be split silently, so we refuse it. */
#define MAX_LINE_CHARS (INI_MAX_LINE - 3)

/* One key as found: its line, its text, its note. */
struct entry {
    int line;          /* 0: not in the file */
    bool has_value;    /* inih reported it */
    bool overridden;
    char value[64];
    char note[256];
    char where[128];   /* "--set k=v" for overridden values */
};

struct loader {
    const char *path;
    struct entry e[N_KEYS];
    int rc;
    char *err;
    size_t err_len;
};

static int fail(struct loader *ld, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Records the first error; later ones are consequences of it. */
static int fail(struct loader *ld, int rc, const char *fmt, ...)
{
    if (ld->rc)
        return ld->rc;
    ld->rc = rc;
    if (ld->err && ld->err_len) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(ld->err, ld->err_len, fmt, ap);
        va_end(ap);
    }
    return rc;
}

static int find_key(const char *section, const char *name)
{
    for (size_t i = 0; i < N_KEYS; i++)
        if (strcmp(KEYS[i].section, section) == 0 && strcmp(KEYS[i].name, name) == 0)
            return (int)i;
    return -1;
}

static bool known_section(const char *s)
{
    for (size_t i = 0; i < N_SECTIONS; i++)
        if (strcmp(SECTIONS[i], s) == 0)
            return true;
    return false;
}

/* "per_core, rows, ..." — the keys of one section, for error messages. */
static void section_keys(const char *section, char *buf, size_t len)
{
    size_t off = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < N_KEYS && off < len; i++)
        if (strcmp(KEYS[i].section, section) == 0)
            off += (size_t)snprintf(buf + off, len - off, "%s%s", off ? ", " : "", KEYS[i].name);
}

static void section_list(char *buf, size_t len)
{
    size_t off = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < N_SECTIONS && off < len; i++)
        off += (size_t)snprintf(buf + off, len - off, "%s%s", off ? ", " : "", SECTIONS[i]);
}

/* Copies src into dst[n], truncating; no format-truncation noise. */
static void copy_str(char *dst, size_t n, const char *src)
{
    size_t len = strlen(src);
    if (len >= n)
        len = n - 1;
    memcpy(dst, src, len);
    dst[len] = '\0';
}

static char *trim(char *s)
{
    while (*s && isspace((unsigned char)*s))
        s++;
    char *end = s + strlen(s);
    while (end > s && isspace((unsigned char)end[-1]))
        *--end = '\0';
    return s;
}

/* The text of a note if it starts with a tag we accept, else NULL. */
static const char *note_tag(const char *text)
{
    if (strncmp(text, "source:", 7) == 0 || strncmp(text, "ASSUMED:", 8) == 0)
        return text;
    return NULL;
}

static bool note_has_body(const char *note)
{
    const char *colon = strchr(note, ':');
    for (const char *p = colon + 1; *p; p++)
        if (!isspace((unsigned char)*p))
            return true;
    return false;
}

/* Appends a comment line to a note; false if the note would not fit. */
static bool append_note(char *note, size_t len, const char *text)
{
    size_t n = strlen(note);
    int w = snprintf(note + n, len - n, "%s%s", n ? " " : "", text);
    return w >= 0 && (size_t)w < len - n;
}

/* Walks the file's lines: sections and keys must be known, each key once,
 * each with a note. Values are left to inih. `buf` is modified. */
static int scan_lines(struct loader *ld, char *buf)
{
    char section[64] = "";
    char block_note[256] = ""; /* note gathered from the comment lines just above */
    bool in_note = false;
    int lineno = 0;
    char *p = buf;
    if ((unsigned char)p[0] == 0xEF && (unsigned char)p[1] == 0xBB && (unsigned char)p[2] == 0xBF)
        p += 3;
    while (*p) {
        char *line = p;
        char *nl = strchr(p, '\n');
        if (nl) {
            *nl = '\0';
            p = nl + 1;
        } else {
            p += strlen(p);
        }
        lineno++;
        size_t len = strlen(line);
        if (len && line[len - 1] == '\r')
            line[--len] = '\0';
        if (len > MAX_LINE_CHARS)
            return fail(ld, TPUSIM_ERR_PARSE,
                        "%s:%d: line too long (%zu characters, at most %d): split a long note "
                        "over several comment lines above the key",
                        ld->path, lineno, len, MAX_LINE_CHARS);
        char *s = trim(line);
        if (!*s) { /* a blank line ends a comment block */
            block_note[0] = '\0';
            in_note = false;
            continue;
        }
        if (*s == ';' || *s == '#') {
            const char *text = trim(s + 1);
            if (note_tag(text)) {
                block_note[0] = '\0';
                in_note = true;
            }
            if (in_note && !append_note(block_note, sizeof block_note, text))
                return fail(ld, TPUSIM_ERR_PARSE,
                            "%s:%d: note too long (at most %zu characters): keep the source "
                            "short and put the reasoning in the chip's README.md",
                            ld->path, lineno, sizeof block_note - 1);
            continue;
        }
        if (s != line)
            return fail(ld, TPUSIM_ERR_PARSE,
                        "%s:%d: indented line (inih reads it as the continuation of the value "
                        "above): start keys and sections in column 1",
                        ld->path, lineno);
        if (*s == '[') {
            char *close = strchr(s, ']');
            if (!close)
                return fail(ld, TPUSIM_ERR_PARSE, "%s:%d: section header without ']'", ld->path,
                            lineno);
            *close = '\0';
            char *name = trim(s + 1);
            if (!known_section(name)) {
                char known[160];
                section_list(known, sizeof known);
                return fail(ld, TPUSIM_ERR_PARSE, "%s:%d: [%s]: unknown section (known: %s)",
                            ld->path, lineno, name, known);
            }
            snprintf(section, sizeof section, "%s", name);
            block_note[0] = '\0';
            in_note = false;
            continue;
        }
        char *eq = strpbrk(s, "=:");
        if (!eq)
            return fail(ld, TPUSIM_ERR_PARSE, "%s:%d: expected 'key = value', got '%.40s'",
                        ld->path, lineno, s);
        *eq = '\0';
        char *key = trim(s);
        char *rest = eq + 1;
        if (!section[0])
            return fail(ld, TPUSIM_ERR_PARSE, "%s:%d: %s: key before any [section]", ld->path,
                        lineno, key);
        /* inih's inline comments: ';' after whitespace. */
        const char *inline_note = NULL;
        for (char *c = rest; *c; c++)
            if (*c == ';' && c > rest && isspace((unsigned char)c[-1])) {
                *c = '\0';
                inline_note = note_tag(trim(c + 1));
                break;
            }
        int k = find_key(section, key);
        if (k < 0) {
            char keys[512];
            section_keys(section, keys, sizeof keys);
            return fail(ld, TPUSIM_ERR_PARSE, "%s:%d: %s.%s: unknown key (keys of [%s]: %s)",
                        ld->path, lineno, section, key, section, keys);
        }
        struct entry *e = &ld->e[k];
        if (e->line)
            return fail(ld, TPUSIM_ERR_PARSE, "%s:%d: %s.%s: duplicate key (first set at line %d)",
                        ld->path, lineno, section, key, e->line);
        e->line = lineno;
        const char *note = inline_note ? inline_note : (in_note ? block_note : NULL);
        if (!note)
            return fail(ld, TPUSIM_ERR_PARSE,
                        "%s:%d: %s.%s: no source: end the line with '; source: <where the "
                        "number comes from>' or '; ASSUMED: <why>', or put that comment on the "
                        "line above",
                        ld->path, lineno, section, key);
        if (!note_has_body(note))
            return fail(ld, TPUSIM_ERR_PARSE, "%s:%d: %s.%s: empty note: say where the value "
                        "comes from or why it is assumed", ld->path, lineno, section, key);
        copy_str(e->note, sizeof e->note, note);
        block_note[0] = '\0'; /* a note belongs to the one key below it */
        in_note = false;
    }
    return TPUSIM_OK;
}

/* inih's callback: keep the text; conversion happens after overrides. */
static int on_value(void *user, const char *section, const char *name, const char *value)
{
    struct loader *ld = user;
    int k = find_key(section, name);
    if (k < 0) /* scan_lines has reported it already */
        return 0;
    struct entry *e = &ld->e[k];
    if (e->has_value) {
        fail(ld, TPUSIM_ERR_PARSE, "%s:%d: %s.%s: value continues on a second line", ld->path,
             e->line, section, name);
        return 0;
    }
    if (strlen(value) >= sizeof e->value) {
        fail(ld, TPUSIM_ERR_PARSE, "%s:%d: %s.%s: value too long (at most %zu characters)",
             ld->path, e->line, section, name, sizeof e->value - 1);
        return 0;
    }
    snprintf(e->value, sizeof e->value, "%s", value);
    e->has_value = true;
    return 1;
}

static int read_file(struct loader *ld, char **out)
{
    *out = NULL;
    FILE *f = fopen(ld->path, "rb");
    if (!f)
        return fail(ld, TPUSIM_ERR_IO, "%s: cannot open: %s", ld->path, strerror(errno));
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        n += fread(buf + n, 1, cap - n - 1, f);
        if (n < cap - 1)
            break;
        char *bigger = realloc(buf, cap * 2);
        if (!bigger) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = bigger;
        cap *= 2;
    }
    int bad = ferror(f);
    fclose(f);
    if (!buf)
        return fail(ld, TPUSIM_ERR_NOMEM, "%s: out of memory", ld->path);
    if (bad) {
        free(buf);
        return fail(ld, TPUSIM_ERR_IO, "%s: read error", ld->path);
    }
    if (memchr(buf, '\0', n)) {
        free(buf);
        return fail(ld, TPUSIM_ERR_PARSE, "%s: not a text file (NUL byte)", ld->path);
    }
    buf[n] = '\0';
    *out = buf;
    return TPUSIM_OK;
}

/* Decimal number: [+-]digits[.digits][(e|E)[+-]digits]; no hex, inf, nan. */
static bool is_decimal(const char *s, bool allow_frac)
{
    const char *p = s;
    if (*p == '+' || *p == '-')
        p++;
    size_t digits = strspn(p, "0123456789");
    p += digits;
    if (allow_frac && *p == '.') {
        size_t frac = strspn(p + 1, "0123456789");
        digits += frac;
        p += 1 + frac;
    }
    if (!digits)
        return false;
    if (allow_frac && (*p == 'e' || *p == 'E')) {
        p++;
        if (*p == '+' || *p == '-')
            p++;
        size_t exp = strspn(p, "0123456789");
        if (!exp)
            return false;
        p += exp;
    }
    return *p == '\0';
}

/* mxu.kind's names: the one list the parser, the messages and
 * chip_matrix_kind_name read. */
static const struct {
    const char *name;
    enum matrix_kind kind;
} MATRIX_KINDS[] = {
    {"systolic", MATRIX_SYSTOLIC},
    {"tensor_cores", MATRIX_TENSOR_CORES},
};
#define N_MATRIX_KINDS (sizeof MATRIX_KINDS / sizeof MATRIX_KINDS[0])

const char *chip_matrix_kind_name(enum matrix_kind kind)
{
    for (size_t i = 0; i < N_MATRIX_KINDS; i++)
        if (MATRIX_KINDS[i].kind == kind)
            return MATRIX_KINDS[i].name;
    return "?";
}

/* "systolic or tensor_cores", for messages. */
static const char *matrix_kinds_text(char *buf, size_t len)
{
    size_t at = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < N_MATRIX_KINDS && at < len; i++) {
        int w = snprintf(buf + at, len - at, "%s%s", i ? " or " : "", MATRIX_KINDS[i].name);
        at = w < 0 ? len : at + (size_t)w;
    }
    return buf;
}

/* Converts one entry into its field of c. `where` is "FILE:LINE" or "--set k=v". */
static int convert(struct loader *ld, size_t k, const char *where, struct chip *c)
{
    const struct key_def *d = &KEYS[k];
    const char *v = ld->e[k].value;
    char *field = (char *)c + d->offset;
    bool positive = d->kind == K_DOUBLE_POS || d->kind == K_INT_POS || d->kind == K_U64_POS;
    switch (d->kind) {
    case K_DOUBLE_POS:
    case K_DOUBLE_NONNEG:
    case K_FRACTION: {
        if (!is_decimal(v, true))
            return fail(ld, TPUSIM_ERR_PARSE, "%s: %s.%s: malformed number '%s'", where,
                        d->section, d->name, v);
        errno = 0;
        double x = strtod(v, NULL);
        if (errno == ERANGE || !isfinite(x))
            return fail(ld, TPUSIM_ERR_PARSE, "%s: %s.%s: number out of range '%s'", where,
                        d->section, d->name, v);
        if (d->kind == K_FRACTION && !(x > 0 && x <= 1))
            return fail(ld, TPUSIM_ERR_PARSE, "%s: %s.%s: must be a fraction in (0, 1], got '%s'",
                        where, d->section, d->name, v);
        if (positive ? !(x > 0) : x < 0)
            return fail(ld, TPUSIM_ERR_PARSE, "%s: %s.%s: must be %s, got '%s'", where,
                        d->section, d->name, positive ? "> 0" : ">= 0", v);
        memcpy(field, &x, sizeof x);
        return TPUSIM_OK;
    }
    case K_INT_POS:
    case K_INT_NONNEG:
    case K_U64_POS:
    case K_U64_NONNEG: {
        if (!is_decimal(v, false))
            return fail(ld, TPUSIM_ERR_PARSE, "%s: %s.%s: malformed number '%s' (a whole number)",
                        where, d->section, d->name, v);
        errno = 0;
        long long x = strtoll(v, NULL, 10);
        if (errno == ERANGE)
            return fail(ld, TPUSIM_ERR_PARSE, "%s: %s.%s: number out of range '%s'", where,
                        d->section, d->name, v);
        if (positive ? x <= 0 : x < 0)
            return fail(ld, TPUSIM_ERR_PARSE, "%s: %s.%s: must be %s, got '%s'", where,
                        d->section, d->name, positive ? "> 0" : ">= 0", v);
        if (d->kind == K_INT_POS || d->kind == K_INT_NONNEG) {
            if (x > INT_MAX)
                return fail(ld, TPUSIM_ERR_PARSE, "%s: %s.%s: number out of range '%s'", where,
                            d->section, d->name, v);
            int i = (int)x;
            memcpy(field, &i, sizeof i);
        } else {
            uint64_t u = (uint64_t)x;
            memcpy(field, &u, sizeof u);
        }
        return TPUSIM_OK;
    }
    case K_BOOL: {
        bool b;
        if (strcmp(v, "true") == 0)
            b = true;
        else if (strcmp(v, "false") == 0)
            b = false;
        else
            return fail(ld, TPUSIM_ERR_PARSE, "%s: %s.%s: expected true or false, got '%s'",
                        where, d->section, d->name, v);
        memcpy(field, &b, sizeof b);
        return TPUSIM_OK;
    }
    case K_DEPTHWISE: {
        enum depthwise_unit u;
        if (strcmp(v, "vpu") == 0)
            u = DEPTHWISE_ON_VPU;
        else if (strcmp(v, "mxu") == 0)
            u = DEPTHWISE_ON_MXU;
        else
            return fail(ld, TPUSIM_ERR_PARSE, "%s: %s.%s: expected vpu or mxu, got '%s'", where,
                        d->section, d->name, v);
        memcpy(field, &u, sizeof u);
        return TPUSIM_OK;
    }
    case K_MATRIX_KIND: {
        for (size_t i = 0; i < N_MATRIX_KINDS; i++)
            if (strcmp(v, MATRIX_KINDS[i].name) == 0) {
                memcpy(field, &MATRIX_KINDS[i].kind, sizeof MATRIX_KINDS[i].kind);
                return TPUSIM_OK;
            }
        char kinds[128];
        return fail(ld, TPUSIM_ERR_PARSE, "%s: %s.%s: expected %s, got '%s'", where, d->section,
                    d->name, matrix_kinds_text(kinds, sizeof kinds), v);
    }
    }
    return fail(ld, TPUSIM_ERR_PARSE, "%s: %s.%s: unhandled kind", where, d->section, d->name);
}

/* "section.key=value" replaces the file's value. */
static int apply_override(struct loader *ld, const char *ov)
{
    const char *eq = strchr(ov, '=');
    const char *dot = strchr(ov, '.');
    if (!eq || !dot || dot > eq)
        return fail(ld, TPUSIM_ERR_ARG, "--set '%s': expected section.key=value", ov);
    char section[64], name[64];
    size_t slen = (size_t)(dot - ov), nlen = (size_t)(eq - dot - 1);
    if (slen >= sizeof section || nlen >= sizeof name)
        return fail(ld, TPUSIM_ERR_ARG, "--set '%s': unknown key", ov);
    memcpy(section, ov, slen);
    section[slen] = '\0';
    memcpy(name, dot + 1, nlen);
    name[nlen] = '\0';
    int k = find_key(section, name);
    if (k < 0) {
        char known[512];
        if (known_section(section)) {
            section_keys(section, known, sizeof known);
            return fail(ld, TPUSIM_ERR_ARG, "--set '%s': %s.%s: unknown key (keys of [%s]: %s)",
                        ov, section, name, section, known);
        }
        section_list(known, sizeof known);
        return fail(ld, TPUSIM_ERR_ARG, "--set '%s': %s.%s: unknown key (sections: %s)", ov,
                    section, name, known);
    }
    const char *value = eq + 1;
    struct entry *e = &ld->e[k];
    if (!*value || strlen(value) >= sizeof e->value)
        return fail(ld, TPUSIM_ERR_ARG, "--set '%s': %s.%s: %s value", ov, section, name,
                    *value ? "too long a" : "missing");
    snprintf(e->value, sizeof e->value, "%s", value);
    snprintf(e->note, sizeof e->note, "override (--set)");
    snprintf(e->where, sizeof e->where, "--set %s", ov);
    e->overridden = true;
    return TPUSIM_OK;
}

static void derive(struct chip *c)
{
    c->clock_hz = c->clock_mhz * 1e6;
    c->hbm_bytes_per_cycle = c->hbm_bandwidth_gbps * 1e9 / c->clock_hz;
    c->host_link_bytes_per_cycle = c->host_link_bandwidth_gbps * 1e9 / c->clock_hz;
    /* ns x MHz / 1000 and us x MHz: exact in binary for the usual values. */
    c->hbm_latency_cycles = ceil_cycles(c->hbm_latency_ns * c->clock_mhz / 1e3);
    c->host_link_latency_cycles = ceil_cycles(c->host_link_latency_us * c->clock_mhz);
    c->host_link_overhead_cycles = ceil_cycles(c->host_link_overhead_us_per_transfer * c->clock_mhz);
    double macs = (double)c->mxu_per_core * c->mxu_rows * c->mxu_cols;
    if (!c->mxu_bf16) /* int8-only arrays: their peak is in int8 ops */
        macs *= c->mxu_int8_macs_per_pe_per_cycle;
    if (c->mxu_kind == MATRIX_TENSOR_CORES) { /* fp16 tensor-core FMAs per cycle */
        macs = (double)c->gpu_sms * c->gpu_tensor_cores_per_sm *
               c->gpu_fp16_fma_per_tensor_core_per_cycle;
        c->gpu_launch_overhead_cycles = ceil_cycles(c->gpu_launch_overhead_us * c->clock_mhz);
        c->gpu_l2_bytes_per_cycle = c->gpu_l2_bandwidth_gbps * 1e9 / c->clock_hz;
        c->gpu_l2_latency_cycles = ceil_cycles(c->gpu_l2_latency_ns * c->clock_mhz / 1e3);
        /* What kernels can actually draw from DRAM, not the pin rate. */
        c->hbm_bytes_per_cycle *= c->gpu_dram_efficiency_fraction;
    }
    c->peak_flops_per_s_core = macs * 2 * c->clock_hz;
    c->peak_flops_per_s = c->peak_flops_per_s_core * c->cores;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static bool is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Fills ld->path's storage and c->name from a chip name or an .ini path. */
static int resolve(struct loader *ld, const char *models_dir, const char *name_or_path,
                   struct chip *c)
{
    if (!name_or_path || !*name_or_path)
        return fail(ld, TPUSIM_ERR_ARG, "no chip named (give a chip name or a .ini path)");
    if (ends_with(name_or_path, ".ini")) {
        copy_str(c->path, sizeof c->path, name_or_path);
        /* models/tpu_v3/chip.ini -> "tpu_v3"; my_chip.ini -> "my_chip" */
        char tmp[512];
        snprintf(tmp, sizeof tmp, "%s", name_or_path);
        char *slash = strrchr(tmp, '/');
        char *base = slash ? slash + 1 : tmp;
        if (strcmp(base, "chip.ini") == 0 && slash) {
            *slash = '\0';
            char *parent = strrchr(tmp, '/');
            copy_str(c->name, sizeof c->name, parent ? parent + 1 : tmp);
        } else {
            base[strlen(base) - 4] = '\0';
            copy_str(c->name, sizeof c->name, base);
        }
        return TPUSIM_OK;
    }
    const char *dir = chip_models_dir(models_dir);
    int w = snprintf(c->path, sizeof c->path, "%s/%s/chip.ini", dir, name_or_path);
    bool plain = !strchr(name_or_path, '/') && name_or_path[0] != '.';
    if (plain && w > 0 && (size_t)w < sizeof c->path && is_file(c->path)) {
        copy_str(c->name, sizeof c->name, name_or_path);
        return TPUSIM_OK;
    }
    char avail[512] = "";
    char **names = NULL;
    int n = 0;
    if (chip_list(dir, &names, &n) == TPUSIM_OK) {
        size_t off = 0;
        for (int i = 0; i < n && off < sizeof avail; i++)
            off += (size_t)snprintf(avail + off, sizeof avail - off, "%s%s", i ? ", " : "",
                                    names[i]);
        chip_free_names(names, n);
    }
    return fail(ld, TPUSIM_ERR_ARG, "unknown chip '%s' in %s (available: %s)", name_or_path, dir,
                avail[0] ? avail : "none");
}

static bool applies(const struct key_def *d, enum matrix_kind kind)
{
    return d->applies == 0 || (d->applies & (unsigned)kind);
}

/* Where entry k's value came from: "FILE:LINE" or "--set k=v". */
static void where_of(const struct loader *ld, size_t k, char *buf, size_t len)
{
    if (ld->e[k].overridden)
        snprintf(buf, len, "%s", ld->e[k].where);
    else
        snprintf(buf, len, "%s:%d", ld->path, ld->e[k].line);
}

/* mxu.kind decides which keys a file must have: the [mxu] array keys for a
 * systolic array, the [gpu] keys for tensor cores; every other key always.
 * A key for the other kind is an error, not silently ignored. */
static int check_keys_present(struct loader *ld, struct chip *c)
{
    int kk = find_key("mxu", "kind");
    char kinds[128];
    if (!ld->e[kk].line || !ld->e[kk].has_value)
        return fail(ld, TPUSIM_ERR_PARSE,
                    "%s: mxu.kind: missing key (%s, with a source: or ASSUMED: note)", ld->path,
                    matrix_kinds_text(kinds, sizeof kinds));
    char where[600];
    where_of(ld, (size_t)kk, where, sizeof where);
    if (convert(ld, (size_t)kk, where, c))
        return ld->rc;
    for (size_t k = 0; k < N_KEYS; k++) {
        bool present = ld->e[k].line && ld->e[k].has_value;
        if (applies(&KEYS[k], c->mxu_kind) && !present)
            return fail(ld, TPUSIM_ERR_PARSE,
                        "%s: %s.%s: missing key (every key is required: write 0 where the chip "
                        "lacks the thing, with a source: or ASSUMED: note)",
                        ld->path, KEYS[k].section, KEYS[k].name);
        if (!applies(&KEYS[k], c->mxu_kind) && (ld->e[k].line || ld->e[k].overridden))
            return fail(ld, TPUSIM_ERR_PARSE, "%s:%d: %s.%s: applies only when mxu.kind = %s",
                        ld->path, ld->e[k].line, KEYS[k].section, KEYS[k].name,
                        chip_matrix_kind_name((enum matrix_kind)KEYS[k].applies));
    }
    return TPUSIM_OK;
}

/* Everything chip_load and chip_dump share. On success ld->e holds every
 * key with its final text and note, and *c the converted chip. */
static int load(struct loader *ld, const char *models_dir, const char *name_or_path,
                const char *const *overrides, int n_overrides, struct chip *c)
{
    memset(c, 0, sizeof *c);
    if (resolve(ld, models_dir, name_or_path, c))
        return ld->rc;
    ld->path = c->path;
    char *buf;
    if (read_file(ld, &buf))
        return ld->rc;
    char *copy = strdup(buf);
    if (!copy) {
        free(buf);
        return fail(ld, TPUSIM_ERR_NOMEM, "%s: out of memory", ld->path);
    }
    scan_lines(ld, copy);
    free(copy);
    if (!ld->rc) {
        int bad_line = ini_parse_string(buf, on_value, ld);
        if (bad_line > 0)
            fail(ld, TPUSIM_ERR_PARSE, "%s:%d: malformed line", ld->path, bad_line);
        else if (bad_line < 0)
            fail(ld, TPUSIM_ERR_NOMEM, "%s: out of memory while parsing", ld->path);
    }
    free(buf);
    if (ld->rc)
        return ld->rc;
    for (int i = 0; i < n_overrides; i++)
        if (apply_override(ld, overrides[i]))
            return ld->rc;
    if (check_keys_present(ld, c))
        return ld->rc;
    for (size_t k = 0; k < N_KEYS; k++) {
        if (!applies(&KEYS[k], c->mxu_kind))
            continue;
        char where[600];
        where_of(ld, k, where, sizeof where);
        if (convert(ld, k, where, c))
            return ld->rc;
    }
    if (c->mxu_kind == MATRIX_SYSTOLIC && !c->mxu_bf16 && c->mxu_fp32_passes) {
        int k = find_key("mxu", "fp32_passes");
        return fail(ld, TPUSIM_ERR_PARSE,
                    "%s:%d: mxu.fp32_passes: must be 0 when mxu.bf16 = false (fp32 is emulated "
                    "with bf16 passes)", ld->path, ld->e[k].line);
    }
    derive(c);
    return TPUSIM_OK;
}

int chip_load(const char *models_dir, const char *name_or_path, const char *const *overrides,
              int n_overrides, struct chip *out, char *err, size_t err_len)
{
    struct loader *ld = calloc(1, sizeof *ld);
    if (err && err_len)
        err[0] = '\0';
    if (!out) {
        if (err && err_len)
            snprintf(err, err_len, "chip_load: out is NULL");
        free(ld);
        return TPUSIM_ERR_ARG;
    }
    if (!ld) {
        memset(out, 0, sizeof *out);
        if (err && err_len)
            snprintf(err, err_len, "out of memory");
        return TPUSIM_ERR_NOMEM;
    }
    ld->err = err;
    ld->err_len = err_len;
    int rc = load(ld, models_dir, name_or_path, overrides, n_overrides, out);
    if (rc)
        memset(out, 0, sizeof *out);
    free(ld);
    return rc;
}

/* The unit of a key, from its name's suffix. */
static const char *unit_of(const struct key_def *d)
{
    static const struct {
        const char *suffix, *unit;
    } SUFFIXES[] = {
        {"_cycles_per_vector", "cycles/vector"},
        {"_per_tensor_core_per_cycle", "FMAs/tensor core/cycle"},
        {"_per_sm_bytes", "bytes/SM"},
        {"_bytes_per_cycle_per_sm", "bytes/cycle/SM"},
        {"_per_sm", "per SM"},
        {"_fraction", "fraction"},
        {"_bytes_per_cycle", "bytes/cycle"},
        {"_macs_per_pe_per_cycle", "MACs/PE/cycle"},
        {"_us_per_transfer", "µs/transfer"},
        {"_mhz", "MHz"},
        {"_gbps", "GB/s"},
        {"_ns", "ns"},
        {"_us", "µs"},
        {"_bytes", "bytes"},
        {"_gib", "GiB"},
    };
    for (size_t i = 0; i < sizeof SUFFIXES / sizeof SUFFIXES[0]; i++)
        if (ends_with(d->name, SUFFIXES[i].suffix))
            return SUFFIXES[i].unit;
    if (d->kind == K_BOOL)
        return "bool";
    if (d->kind == K_DEPTHWISE || d->kind == K_MATRIX_KIND)
        return "enum";
    return "count";
}

static int cmp_line(const void *a, const void *b)
{
    const struct chip_value *x = a, *y = b;
    return (x->line > y->line) - (x->line < y->line);
}

int chip_dump(const char *models_dir, const char *name_or_path, const char *const *overrides,
              int n_overrides, struct chip_value **values, int *n, struct chip *out, char *err,
              size_t err_len)
{
    if (out)
        memset(out, 0, sizeof *out);
    if (values)
        *values = NULL;
    if (n)
        *n = 0;
    if (err && err_len)
        err[0] = '\0';
    if (!values || !n) {
        if (err && err_len)
            snprintf(err, err_len, "chip_dump: values and n must not be NULL");
        return TPUSIM_ERR_ARG;
    }
    struct loader *ld = calloc(1, sizeof *ld);
    struct chip *c = calloc(1, sizeof *c);
    enum { N_DERIVED = 11 };
    struct chip_value *v = calloc(N_KEYS + N_DERIVED, sizeof *v);
    if (!ld || !c || !v) {
        free(ld);
        free(c);
        free(v);
        if (err && err_len)
            snprintf(err, err_len, "out of memory");
        return TPUSIM_ERR_NOMEM;
    }
    ld->err = err;
    ld->err_len = err_len;
    int rc = load(ld, models_dir, name_or_path, overrides, n_overrides, c);
    if (rc) {
        free(ld);
        free(c);
        free(v);
        return rc;
    }
    size_t nk = 0; /* the keys this chip's kind has */
    for (size_t k = 0; k < N_KEYS; k++) {
        if (!applies(&KEYS[k], c->mxu_kind))
            continue;
        snprintf(v[nk].key, sizeof v[nk].key, "%s.%s", KEYS[k].section, KEYS[k].name);
        snprintf(v[nk].value, sizeof v[nk].value, "%s", ld->e[k].value);
        snprintf(v[nk].unit, sizeof v[nk].unit, "%s", unit_of(&KEYS[k]));
        snprintf(v[nk].note, sizeof v[nk].note, "%s", ld->e[k].note);
        v[nk].line = ld->e[k].line;
        nk++;
    }
    qsort(v, nk, sizeof *v, cmp_line);
    const struct {
        const char *key, *unit;
        double value;
    } derived[N_DERIVED] = {
        {"derived.clock_hz", "Hz", c->clock_hz},
        {"derived.hbm_bytes_per_cycle", "bytes/cycle", c->hbm_bytes_per_cycle},
        {"derived.host_link_bytes_per_cycle", "bytes/cycle", c->host_link_bytes_per_cycle},
        {"derived.hbm_latency_cycles", "cycles", (double)c->hbm_latency_cycles},
        {"derived.host_link_latency_cycles", "cycles", (double)c->host_link_latency_cycles},
        {"derived.host_link_overhead_cycles", "cycles", (double)c->host_link_overhead_cycles},
        {"derived.peak_flops_per_s_core", "FLOP/s", c->peak_flops_per_s_core},
        {"derived.peak_flops_per_s", "FLOP/s", c->peak_flops_per_s},
        /* Tensor-core chips only (the last N_GPU_DERIVED). */
        {"derived.gpu_launch_overhead_cycles", "cycles", (double)c->gpu_launch_overhead_cycles},
        {"derived.gpu_l2_bytes_per_cycle", "bytes/cycle", c->gpu_l2_bytes_per_cycle},
        {"derived.gpu_l2_latency_cycles", "cycles", (double)c->gpu_l2_latency_cycles},
    };
    enum { N_GPU_DERIVED = 3 };
    int n_derived = c->mxu_kind == MATRIX_TENSOR_CORES ? N_DERIVED : N_DERIVED - N_GPU_DERIVED;
    for (int i = 0; i < n_derived; i++) {
        struct chip_value *d = &v[nk + (size_t)i];
        snprintf(d->key, sizeof d->key, "%s", derived[i].key);
        snprintf(d->value, sizeof d->value, "%.10g", derived[i].value);
        snprintf(d->unit, sizeof d->unit, "%s", derived[i].unit);
        snprintf(d->note, sizeof d->note, "derived");
        d->line = 0;
    }
    *values = v;
    *n = (int)nk + n_derived;
    if (out)
        *out = *c;
    free(ld);
    free(c);
    return TPUSIM_OK;
}

const char *chip_models_dir(const char *given)
{
    if (given && given[0])
        return given;
    const char *env = getenv("TPUSIM_MODELS_DIR");
    if (env && env[0])
        return env;
    struct stat st;
    if (stat("models", &st) == 0 && S_ISDIR(st.st_mode))
        return "models";
    return TPUSIM_DEFAULT_MODELS_DIR;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int chip_list(const char *models_dir, char ***names, int *n)
{
    if (!names || !n)
        return TPUSIM_ERR_ARG;
    *names = NULL;
    *n = 0;
    const char *dir = chip_models_dir(models_dir);
    DIR *d = opendir(dir);
    if (!d)
        return TPUSIM_ERR_IO;
    char **list = NULL;
    int count = 0, cap = 0, rc = TPUSIM_OK;
    struct dirent *ent;
    while ((ent = readdir(d))) {
        if (ent->d_name[0] == '.')
            continue;
        char path[PATH_MAX];
        int w = snprintf(path, sizeof path, "%s/%s/chip.ini", dir, ent->d_name);
        if (w < 0 || (size_t)w >= sizeof path || !is_file(path))
            continue;
        if (count == cap) {
            int ncap = cap ? cap * 2 : 8;
            char **bigger = realloc(list, (size_t)ncap * sizeof *list);
            if (!bigger) {
                rc = TPUSIM_ERR_NOMEM;
                break;
            }
            list = bigger;
            cap = ncap;
        }
        if (!(list[count] = strdup(ent->d_name))) {
            rc = TPUSIM_ERR_NOMEM;
            break;
        }
        count++;
    }
    closedir(d);
    if (rc) {
        chip_free_names(list, count);
        return rc;
    }
    if (count)
        qsort(list, (size_t)count, sizeof *list, cmp_names);
    *names = list;
    *n = count;
    return TPUSIM_OK;
}

void chip_free_names(char **names, int n)
{
    if (!names)
        return;
    for (int i = 0; i < n; i++)
        free(names[i]);
    free(names);
}
