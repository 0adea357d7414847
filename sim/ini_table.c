/*
 * ini_table.c — key-table parameter files (ini_table.h): read, scan lines
 * and notes, parse values with libinih, apply overrides, check presence,
 * convert, and list resolved values for a dump.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ini_table.h"
#include "tpusim.h"

/* inih reads lines into a buffer of INI_MAX_LINE bytes, '\r', '\n' and '\0'
 * included; a longer line would be split silently, so we refuse it. */
#define MAX_LINE_CHARS (INI_MAX_LINE - 3)

struct loader {
    const struct ini_format *f;
    const char *path;
    struct ini_entry *e;
    int rc;
    char *err;
    size_t err_len;
};

int ini_error(char *err, size_t err_len, int rc, const char *fmt, ...)
{
    if (err && err_len) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, err_len, fmt, ap);
        va_end(ap);
    }
    return rc;
}

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

int ini_find_key(const struct ini_format *f, const char *section, const char *name)
{
    for (size_t i = 0; i < f->n_keys; i++)
        if (strcmp(f->keys[i].section, section) == 0 && strcmp(f->keys[i].name, name) == 0)
            return (int)i;
    return -1;
}

static bool known_section(const struct ini_format *f, const char *s)
{
    for (size_t i = 0; i < f->n_sections; i++)
        if (strcmp(f->sections[i], s) == 0)
            return true;
    return false;
}

/* "per_core, rows, ..." — the keys of one section, for error messages. */
static void section_keys(const struct ini_format *f, const char *section, char *buf, size_t len)
{
    size_t off = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < f->n_keys && off < len; i++)
        if (strcmp(f->keys[i].section, section) == 0)
            off += (size_t)snprintf(buf + off, len - off, "%s%s", off ? ", " : "",
                                    f->keys[i].name);
}

static void section_list(const struct ini_format *f, char *buf, size_t len)
{
    size_t off = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < f->n_sections && off < len; i++)
        off += (size_t)snprintf(buf + off, len - off, "%s%s", off ? ", " : "", f->sections[i]);
}

void ini_copy_str(char *dst, size_t n, const char *src)
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

/* The state of the line scan. */
struct scan {
    char section[64];
    char block_note[INI_NOTE_MAX]; /* note gathered from the comment lines just above */
    bool in_note;
    int list_key;                  /* an INI_LIST key whose value may continue, or -1 */
};

/* A key line: known, once, with a note. `s` is the trimmed line. */
static int scan_key(struct loader *ld, struct scan *st, char *s, int lineno)
{
    char *eq = strpbrk(s, "=:");
    if (!eq)
        return fail(ld, TPUSIM_ERR_PARSE, "%s:%d: expected 'key = value', got '%.40s'", ld->path,
                    lineno, s);
    *eq = '\0';
    char *key = trim(s);
    char *rest = eq + 1;
    if (!st->section[0])
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
    int k = ini_find_key(ld->f, st->section, key);
    if (k < 0) {
        char keys[512];
        section_keys(ld->f, st->section, keys, sizeof keys);
        return fail(ld, TPUSIM_ERR_PARSE, "%s:%d: %s.%s: unknown key (keys of [%s]: %s)",
                    ld->path, lineno, st->section, key, st->section, keys);
    }
    struct ini_entry *e = &ld->e[k];
    if (e->line)
        return fail(ld, TPUSIM_ERR_PARSE, "%s:%d: %s.%s: duplicate key (first set at line %d)",
                    ld->path, lineno, st->section, key, e->line);
    e->line = lineno;
    const char *note = inline_note ? inline_note : (st->in_note ? st->block_note : NULL);
    if (!note)
        return fail(ld, TPUSIM_ERR_PARSE,
                    "%s:%d: %s.%s: no source: end the line with '; source: <where the "
                    "number comes from>' or '; ASSUMED: <why>', or put that comment on the "
                    "line above",
                    ld->path, lineno, st->section, key);
    if (!note_has_body(note))
        return fail(ld, TPUSIM_ERR_PARSE, "%s:%d: %s.%s: empty note: say where the value "
                    "comes from or why it is assumed", ld->path, lineno, st->section, key);
    ini_copy_str(e->note, sizeof e->note, note);
    st->block_note[0] = '\0'; /* a note belongs to the one key below it */
    st->in_note = false;
    st->list_key = ld->f->keys[k].kind == INI_LIST ? k : -1;
    return TPUSIM_OK;
}

/* One line of the file (no newline); `line` is modified. */
static int scan_line(struct loader *ld, struct scan *st, char *line, int lineno)
{
    size_t len = strlen(line);
    if (len && line[len - 1] == '\r')
        line[--len] = '\0';
    if (len > MAX_LINE_CHARS)
        return fail(ld, TPUSIM_ERR_PARSE,
                    "%s:%d: line too long (%zu characters, at most %d): split a long note "
                    "over several comment lines above the key",
                    ld->path, lineno, len, MAX_LINE_CHARS);
    char *s = trim(line);
    int list = st->list_key; /* the list this line may continue */
    st->list_key = -1;
    if (!*s) { /* a blank line ends a comment block */
        st->block_note[0] = '\0';
        st->in_note = false;
        return TPUSIM_OK;
    }
    if (*s == ';' || *s == '#') {
        const char *text = trim(s + 1);
        if (note_tag(text)) {
            st->block_note[0] = '\0';
            st->in_note = true;
        }
        if (st->in_note && !append_note(st->block_note, sizeof st->block_note, text))
            return fail(ld, TPUSIM_ERR_PARSE,
                        "%s:%d: note too long (at most %zu characters): keep the source short "
                        "and put the reasoning in the README.md beside the file",
                        ld->path, lineno, sizeof st->block_note - 1);
        return TPUSIM_OK;
    }
    if (s != line) {
        /* A list may continue on indented lines (inih's multi-line values). */
        if (list >= 0) {
            st->list_key = list;
            return TPUSIM_OK;
        }
        return fail(ld, TPUSIM_ERR_PARSE,
                    "%s:%d: indented line (inih reads it as the continuation of the value "
                    "above): start keys and sections in column 1",
                    ld->path, lineno);
    }
    if (*s == '[') {
        char *close = strchr(s, ']');
        if (!close)
            return fail(ld, TPUSIM_ERR_PARSE, "%s:%d: section header without ']'", ld->path,
                        lineno);
        *close = '\0';
        char *name = trim(s + 1);
        if (!known_section(ld->f, name)) {
            char known[256];
            section_list(ld->f, known, sizeof known);
            return fail(ld, TPUSIM_ERR_PARSE, "%s:%d: [%s]: unknown section (known: %s)",
                        ld->path, lineno, name, known);
        }
        snprintf(st->section, sizeof st->section, "%s", name);
        st->block_note[0] = '\0';
        st->in_note = false;
        return TPUSIM_OK;
    }
    return scan_key(ld, st, s, lineno);
}

/* Walks the file's lines: sections and keys must be known, each key once,
 * each with a note. Values are left to inih. `buf` is modified. */
static int scan_lines(struct loader *ld, char *buf)
{
    struct scan st = {.list_key = -1};
    int lineno = 0;
    char *p = buf;
    if ((unsigned char)p[0] == 0xEF && (unsigned char)p[1] == 0xBB && (unsigned char)p[2] == 0xBF)
        p += 3;
    while (*p && !ld->rc) {
        char *line = p;
        char *nl = strchr(p, '\n');
        if (nl) {
            *nl = '\0';
            p = nl + 1;
        } else {
            p += strlen(p);
        }
        scan_line(ld, &st, line, ++lineno);
    }
    return ld->rc;
}

/* inih's callback: keep the text; conversion happens after overrides. A
 * list's continuation lines arrive as further calls for the same key. */
static int on_value(void *user, const char *section, const char *name, const char *value)
{
    struct loader *ld = user;
    int k = ini_find_key(ld->f, section, name);
    if (k < 0) /* scan_lines has reported it already */
        return 0;
    struct ini_entry *e = &ld->e[k];
    bool list = ld->f->keys[k].kind == INI_LIST;
    if (e->has_value && !list) {
        fail(ld, TPUSIM_ERR_PARSE, "%s:%d: %s.%s: value continues on a second line", ld->path,
             e->line, section, name);
        return 0;
    }
    size_t used = strlen(e->value);
    int w = snprintf(e->value + used, sizeof e->value - used, "%s%s", e->has_value ? " " : "",
                     value);
    if (w < 0 || (size_t)w >= sizeof e->value - used) {
        e->value[used] = '\0';
        fail(ld, TPUSIM_ERR_PARSE, "%s:%d: %s.%s: value too long (at most %zu characters)",
             ld->path, e->line, section, name, sizeof e->value - 1);
        return 0;
    }
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

const char *ini_choices_text(const struct ini_choice *choices, char *buf, size_t len)
{
    size_t at = 0;
    buf[0] = '\0';
    for (size_t i = 0; choices[i].name && at < len; i++) {
        int w = snprintf(buf + at, len - at, "%s%s", i ? " or " : "", choices[i].name);
        at = w < 0 ? len : at + (size_t)w;
    }
    return buf;
}

const char *ini_choice_name(const struct ini_choice *choices, int value)
{
    for (size_t i = 0; choices[i].name; i++)
        if (choices[i].value == value)
            return choices[i].name;
    return "?";
}

static const char *unit_of(const struct ini_key *d);

/* "[0.1, 1e+05] GB/s or 0": a range as messages show it (dumps show the
 * unit in a column of their own). */
static const char *range_text(const struct ini_key *d, bool with_unit, char *buf, size_t len)
{
    const struct ini_range *r = &d->range;
    const char *unit = unit_of(d);
    with_unit = with_unit && strcmp(unit, "count") != 0;
    snprintf(buf, len, "[%.6g, %.6g]%s%s%s", r->min, r->max, with_unit ? " " : "",
             with_unit ? unit : "", r->zero_ok ? " or 0" : "");
    return buf;
}

/* x in the key's range; else the error names the value, the range and why. */
static int check_range(struct loader *ld, const struct ini_key *d, double x, const char *v,
                       const char *where)
{
    const struct ini_range *r = &d->range;
    if (!r->why) /* a table without a range is tpusim's bug, found by any load */
        return fail(ld, TPUSIM_ERR_PARSE, "%s: %s.%s: the key table gives no range", where,
                    d->section, d->name);
    if ((x >= r->min && x <= r->max) || (r->zero_ok && x == 0))
        return TPUSIM_OK;
    char range[96];
    return fail(ld, TPUSIM_ERR_PARSE, "%s: %s.%s: %s is outside %s: %s", where, d->section,
                d->name, v, range_text(d, true, range, sizeof range), r->why);
}

static int convert_double(struct loader *ld, const struct ini_key *d, const char *v,
                          const char *where, char *field)
{
    if (!is_decimal(v, true))
        return fail(ld, TPUSIM_ERR_PARSE, "%s: %s.%s: malformed number '%s'", where, d->section,
                    d->name, v);
    double x = strtod(v, NULL); /* a decimal: out of double's range is inf or 0, refused below */
    if (check_range(ld, d, x, v, where))
        return ld->rc;
    memcpy(field, &x, sizeof x);
    return TPUSIM_OK;
}

static int convert_whole(struct loader *ld, const struct ini_key *d, const char *v,
                         const char *where, char *field)
{
    if (!is_decimal(v, false))
        return fail(ld, TPUSIM_ERR_PARSE, "%s: %s.%s: malformed number '%s' (a whole number)",
                    where, d->section, d->name, v);
    long long x = strtoll(v, NULL, 10); /* saturates at LLONG_MIN/MAX: out of every range */
    if (check_range(ld, d, (double)x, v, where))
        return ld->rc;
    if (d->kind == INI_INT) {
        int i = (int)x; /* ranges of int keys lie within int */
        memcpy(field, &i, sizeof i);
    } else {
        uint64_t u = (uint64_t)x;
        memcpy(field, &u, sizeof u);
    }
    return TPUSIM_OK;
}

static int convert_name(struct loader *ld, const struct ini_key *d, const char *v,
                        const char *where, char *field)
{
    size_t n = strlen(v);
    if (!n || n >= d->size || strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                        "0123456789_-.") != n || v[0] == '.')
        return fail(ld, TPUSIM_ERR_PARSE,
                    "%s: %s.%s: expected a name (letters, digits, '_', '-', '.'; at most %zu "
                    "characters), got '%s'",
                    where, d->section, d->name, d->size - 1, v);
    memcpy(field, v, n + 1);
    return TPUSIM_OK;
}

/* Converts entry k into its field of out. `where` is "FILE:LINE" or "--set k=v". */
static int convert(struct loader *ld, size_t k, const char *where, void *out)
{
    const struct ini_key *d = &ld->f->keys[k];
    const char *v = ld->e[k].value;
    char *field = (char *)out + d->offset;
    switch (d->kind) {
    case INI_DOUBLE: return convert_double(ld, d, v, where, field);
    case INI_INT:
    case INI_U64: return convert_whole(ld, d, v, where, field);
    case INI_BOOL: {
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
    case INI_ENUM: {
        for (size_t i = 0; d->choices[i].name; i++)
            if (strcmp(v, d->choices[i].name) == 0) {
                memcpy(field, &d->choices[i].value, sizeof d->choices[i].value);
                return TPUSIM_OK;
            }
        char names[256];
        return fail(ld, TPUSIM_ERR_PARSE, "%s: %s.%s: expected %s, got '%s'", where, d->section,
                    d->name, ini_choices_text(d->choices, names, sizeof names), v);
    }
    case INI_NAME: return convert_name(ld, d, v, where, field);
    case INI_LIST: {
        char why[512] = "";
        if (!d->parse(v, field, why, sizeof why))
            return fail(ld, TPUSIM_ERR_PARSE, "%s: %s.%s: %s", where, d->section, d->name, why);
        return TPUSIM_OK;
    }
    }
    return fail(ld, TPUSIM_ERR_PARSE, "%s: %s.%s: unhandled kind", where, d->section, d->name);
}

/* "section.key=value" replaces the file's value. */
static int apply_override(struct loader *ld, const char *ov)
{
    const char *flag = ld->f->override_flag;
    /* "a=1;b=2" is two settings in one: refuse it whole, never half of it. */
    if (strchr(ov, ';'))
        return fail(ld, TPUSIM_ERR_ARG, "%s '%s': one key per %s (give %s a=1 %s b=2; ';' "
                    "starts a comment in the files, never a second key)",
                    flag, ov, flag, flag, flag);
    const char *eq = strchr(ov, '=');
    const char *dot = strchr(ov, '.');
    if (!eq || !dot || dot > eq)
        return fail(ld, TPUSIM_ERR_ARG, "%s '%s': expected section.key=value", flag, ov);
    char section[64], name[64];
    size_t slen = (size_t)(dot - ov), nlen = (size_t)(eq - dot - 1);
    if (slen >= sizeof section || nlen >= sizeof name)
        return fail(ld, TPUSIM_ERR_ARG, "%s '%s': unknown key", flag, ov);
    memcpy(section, ov, slen);
    section[slen] = '\0';
    memcpy(name, dot + 1, nlen);
    name[nlen] = '\0';
    int k = ini_find_key(ld->f, section, name);
    if (k < 0) {
        char known[512];
        if (known_section(ld->f, section)) {
            section_keys(ld->f, section, known, sizeof known);
            return fail(ld, TPUSIM_ERR_ARG, "%s '%s': %s.%s: unknown key (keys of [%s]: %s)",
                        flag, ov, section, name, section, known);
        }
        section_list(ld->f, known, sizeof known);
        return fail(ld, TPUSIM_ERR_ARG, "%s '%s': %s.%s: unknown key (sections: %s)", flag, ov,
                    section, name, known);
    }
    const char *value = eq + 1;
    struct ini_entry *e = &ld->e[k];
    if (!*value || strlen(value) >= sizeof e->value)
        return fail(ld, TPUSIM_ERR_ARG, "%s '%s': %s.%s: %s value", flag, ov, section, name,
                    *value ? "too long a" : "missing");
    snprintf(e->value, sizeof e->value, "%s", value);
    snprintf(e->note, sizeof e->note, "override (%s)", flag);
    snprintf(e->where, sizeof e->where, "%s %s", flag, ov);
    e->overridden = true;
    return TPUSIM_OK;
}

static bool applies(const struct ini_key *d, unsigned variant)
{
    return d->applies == 0 || (d->applies & variant);
}

/* Where entry k's value came from: "FILE:LINE" or "--set k=v". */
static void where_of(const struct loader *ld, size_t k, char *buf, size_t len)
{
    if (ld->e[k].overridden && ld->e[k].line)
        snprintf(buf, len, "%s (over %s:%d)", ld->e[k].where, ld->path, ld->e[k].line);
    else if (ld->e[k].overridden)
        snprintf(buf, len, "%s", ld->e[k].where);
    else
        snprintf(buf, len, "%s:%d", ld->path, ld->e[k].line);
}

/* The variant key decides which keys a file must have; a key of another
 * variant is an error, not silently ignored. */
static int check_keys_present(struct loader *ld, void *out, unsigned *variant)
{
    const struct ini_format *f = ld->f;
    *variant = 0;
    if (f->variant_key >= 0) {
        size_t vk = (size_t)f->variant_key;
        const struct ini_key *d = &f->keys[vk];
        char names[256];
        if (!ld->e[vk].line || !ld->e[vk].has_value)
            return fail(ld, TPUSIM_ERR_PARSE,
                        "%s: %s.%s: missing key (%s, with a source: or ASSUMED: note)", ld->path,
                        d->section, d->name, ini_choices_text(d->choices, names, sizeof names));
        char where[600];
        where_of(ld, vk, where, sizeof where);
        if (convert(ld, vk, where, out))
            return ld->rc;
        int v;
        memcpy(&v, (char *)out + d->offset, sizeof v);
        *variant = (unsigned)v;
    }
    for (size_t k = 0; k < f->n_keys; k++) {
        bool present = ld->e[k].line && ld->e[k].has_value;
        if (applies(&f->keys[k], *variant) && !present)
            return fail(ld, TPUSIM_ERR_PARSE, "%s: %s.%s: missing key (%s)", ld->path,
                        f->keys[k].section, f->keys[k].name, f->missing_hint);
        if (!applies(&f->keys[k], *variant) && (ld->e[k].line || ld->e[k].overridden)) {
            const struct ini_key *d = &f->keys[f->variant_key];
            return fail(ld, TPUSIM_ERR_PARSE, "%s:%d: %s.%s: applies only when %s.%s = %s",
                        ld->path, ld->e[k].line, f->keys[k].section, f->keys[k].name,
                        d->section, d->name,
                        ini_choice_name(d->choices, (int)f->keys[k].applies));
        }
    }
    return TPUSIM_OK;
}

/* Scans and parses text (NUL-terminated, no NUL inside) into ld->e. */
static int parse_text(struct loader *ld, const char *text)
{
    char *copy = strdup(text);
    if (!copy)
        return fail(ld, TPUSIM_ERR_NOMEM, "%s: out of memory", ld->path);
    scan_lines(ld, copy);
    free(copy);
    if (!ld->rc) {
        int bad_line = ini_parse_string(text, on_value, ld);
        if (bad_line > 0)
            fail(ld, TPUSIM_ERR_PARSE, "%s:%d: malformed line", ld->path, bad_line);
        else if (bad_line < 0)
            fail(ld, TPUSIM_ERR_NOMEM, "%s: out of memory while parsing", ld->path);
    }
    return ld->rc;
}

/* Overrides, presence, conversion: what follows the parse of a file or a buffer. */
static int load_parsed(struct loader *ld, const char *const *overrides, int n_overrides,
                       void *out, unsigned *variant)
{
    const struct ini_format *f = ld->f;
    for (int i = 0; i < n_overrides; i++)
        if (apply_override(ld, overrides[i]))
            return ld->rc;
    if (check_keys_present(ld, out, variant))
        return ld->rc;
    for (size_t k = 0; k < f->n_keys; k++) {
        if (!applies(&f->keys[k], *variant) || !convert(ld, k, "", out))
            continue;
        /* The place is written only for the key that fails, converted
         * again: formatting it for every key cost more than converting
         * them all (a sweep derives a chip per point, tpusim_chip_derive). */
        char where[600];
        where_of(ld, k, where, sizeof where);
        ld->rc = TPUSIM_OK;
        return convert(ld, k, where, out);
    }
    return TPUSIM_OK;
}

int ini_table_load(const struct ini_format *f, const char *path, const char *const *overrides,
                   int n_overrides, void *out, struct ini_entry *entries, unsigned *variant,
                   char *err, size_t err_len)
{
    struct loader ld = {.f = f, .path = path, .e = entries, .err = err, .err_len = err_len};
    memset(entries, 0, f->n_keys * sizeof *entries);
    *variant = 0;
    char *buf;
    if (read_file(&ld, &buf))
        return ld.rc;
    parse_text(&ld, buf);
    free(buf);
    return ld.rc ? ld.rc : load_parsed(&ld, overrides, n_overrides, out, variant);
}

int ini_table_load_text(const struct ini_format *f, const char *name, const char *text,
                        size_t len, const char *const *overrides, int n_overrides, void *out,
                        struct ini_entry *entries, unsigned *variant, char *err, size_t err_len)
{
    struct loader ld = {.f = f, .path = name, .e = entries, .err = err, .err_len = err_len};
    memset(entries, 0, f->n_keys * sizeof *entries);
    *variant = 0;
    if (!text && len)
        return fail(&ld, TPUSIM_ERR_ARG, "%s: NULL text", name);
    if (len && memchr(text, '\0', len))
        return fail(&ld, TPUSIM_ERR_PARSE, "%s: not a text file (NUL byte)", name);
    char *buf = malloc(len + 1);
    if (!buf)
        return fail(&ld, TPUSIM_ERR_NOMEM, "%s: out of memory", name);
    if (len)
        memcpy(buf, text, len);
    buf[len] = '\0';
    parse_text(&ld, buf);
    free(buf);
    return ld.rc ? ld.rc : load_parsed(&ld, overrides, n_overrides, out, variant);
}

/* ------------------------------------------------------- file kinds */

/* Resolves, loads, converts and finishes into out, entries holding every
 * key's text and note; *variant the variant key's value. With text (len
 * bytes) the file is read from memory, name_or_path naming it. */
static int load_kind(const struct ini_file_kind *k, const char *models_dir,
                     const char *name_or_path, const char *text, size_t len,
                     const char *const *overrides, int n_overrides, void *out,
                     struct ini_entry *entries, unsigned *variant, char *err, size_t err_len)
{
    memset(out, 0, k->size);
    *variant = 0;
    int rc = k->resolve(models_dir, name_or_path, out, err, err_len);
    const char *path = (const char *)out + k->path_offset;
    if (!rc && text)
        rc = ini_table_load_text(k->format, path, text, len, overrides, n_overrides, out,
                                 entries, variant, err, err_len);
    else if (!rc)
        rc = ini_table_load(k->format, path, overrides, n_overrides, out, entries, variant, err,
                            err_len);
    if (!rc && k->finish)
        rc = k->finish(out, entries, err, err_len);
    return rc;
}

/* Loads into out; the entries read are kept in *keep (freed by the
 * caller) when keep is not NULL, else freed here. */
static int load_into(const struct ini_file_kind *k, const char *models_dir,
                     const char *name_or_path, const char *text, size_t len,
                     const char *const *overrides, int n_overrides, void *out,
                     struct ini_entry **keep, char *err, size_t err_len)
{
    if (err && err_len)
        err[0] = '\0';
    if (!out)
        return ini_error(err, err_len, TPUSIM_ERR_ARG, "%s_load: out is NULL", k->format->what);
    struct ini_entry *entries = calloc(k->format->n_keys, sizeof *entries);
    unsigned variant;
    int rc = entries ? load_kind(k, models_dir, name_or_path, text, len, overrides, n_overrides,
                                 out, entries, &variant, err, err_len)
                     : ini_error(err, err_len, TPUSIM_ERR_NOMEM, "out of memory");
    if (rc)
        memset(out, 0, k->size);
    if (keep && !rc)
        *keep = entries;
    else
        free(entries);
    return rc;
}

int ini_file_load(const struct ini_file_kind *k, const char *models_dir, const char *name_or_path,
                  const char *const *overrides, int n_overrides, void *out, char *err,
                  size_t err_len)
{
    return load_into(k, models_dir, name_or_path, NULL, 0, overrides, n_overrides, out, NULL,
                     err, err_len);
}

int ini_file_load_keep(const struct ini_file_kind *k, const char *models_dir,
                       const char *name_or_path, const char *const *overrides, int n_overrides,
                       void *out, struct ini_entry **entries, char *err, size_t err_len)
{
    *entries = NULL;
    return load_into(k, models_dir, name_or_path, NULL, 0, overrides, n_overrides, out, entries,
                     err, err_len);
}

int ini_file_derive(const struct ini_file_kind *k, const void *base,
                    const struct ini_entry *base_entries, const char *const *overrides,
                    int n_overrides, void *out, struct ini_entry **entries, char *err,
                    size_t err_len)
{
    size_t bytes = k->format->n_keys * sizeof **entries;
    *entries = malloc(bytes);
    if (!*entries)
        return ini_error(err, err_len, TPUSIM_ERR_NOMEM, "out of memory");
    memcpy(*entries, base_entries, bytes);
    memset(out, 0, k->size);
    /* base's path ends in .ini: resolve names it as the first load did,
     * without looking anything up. */
    int rc = k->resolve(NULL, (const char *)base + k->path_offset, out, err, err_len);
    struct loader ld = {.f = k->format, .path = (const char *)out + k->path_offset,
                        .e = *entries, .err = err, .err_len = err_len};
    unsigned variant;
    if (!rc)
        rc = load_parsed(&ld, overrides, n_overrides, out, &variant);
    if (!rc && k->finish)
        rc = k->finish(out, *entries, err, err_len);
    if (rc) {
        memset(out, 0, k->size);
        free(*entries);
        *entries = NULL;
    }
    return rc;
}

int ini_file_load_text(const struct ini_file_kind *k, const char *name, const char *text,
                       size_t len, const char *const *overrides, int n_overrides, void *out,
                       char *err, size_t err_len)
{
    if (!name || !ini_has_suffix(name, ".ini"))
        return ini_error(err, err_len, TPUSIM_ERR_ARG,
                         "%s_load_text: name the text NAME.ini (messages cite it)",
                         k->format->what);
    if (!text)
        return ini_error(err, err_len, TPUSIM_ERR_ARG, "%s_load_text: text is NULL",
                         k->format->what);
    return load_into(k, NULL, name, text, len, overrides, n_overrides, out, NULL, err, err_len);
}

int ini_file_dump(const struct ini_file_kind *k, const char *models_dir,
                  const char *name_or_path, const char *const *overrides, int n_overrides,
                  struct ini_value **values, int *n, void *out, char *err, size_t err_len)
{
    if (out)
        memset(out, 0, k->size);
    if (values)
        *values = NULL;
    if (n)
        *n = 0;
    if (err && err_len)
        err[0] = '\0';
    if (!values || !n)
        return ini_error(err, err_len, TPUSIM_ERR_ARG, "%s_dump: values and n must not be NULL",
                         k->format->what);
    struct ini_entry *entries = calloc(k->format->n_keys, sizeof *entries);
    void *loaded = calloc(1, k->size);
    struct ini_value *v = calloc(k->format->n_keys + k->max_derived, sizeof *v);
    unsigned variant;
    int rc = entries && loaded && v ? load_kind(k, models_dir, name_or_path, NULL, 0, overrides,
                                                n_overrides, loaded, entries, &variant, err,
                                                err_len)
                                    : ini_error(err, err_len, TPUSIM_ERR_NOMEM, "out of memory");
    if (!rc) {
        size_t nk = ini_table_values(k->format, entries, variant, v);
        *n = (int)(nk + (k->derived ? k->derived(loaded, v + nk) : 0));
        *values = v;
        v = NULL;
        if (out)
            memcpy(out, loaded, k->size);
    }
    free(entries);
    free(loaded);
    free(v);
    return rc;
}

/* ------------------------------------------------------------ dumps */

/* The unit of a key, from its name's suffix. */
static const char *unit_of(const struct ini_key *d)
{
    static const struct {
        const char *suffix, *unit;
    } SUFFIXES[] = {
        {"_cycles_per_vector", "cycles/vector"},
        {"_per_tensor_core_per_cycle", "FMAs/tensor core/cycle"},
        {"_per_sm_bytes", "bytes/SM"},
        {"_per_sm", "per SM"},
        {"_fraction", "fraction"},
        {"_bytes_per_cycle", "bytes/cycle"},
        {"_macs_per_pe_per_cycle", "MACs/PE/cycle"},
        {"_us_per_transfer", "µs/transfer"},
        {"_us_per_kernel", "µs/kernel"},
        {"_bytes_per_kernel", "bytes/kernel"},
        {"_us_per_inference", "µs/inference"},
        {"_pj_per_element_cycle", "pJ/element/cycle"},
        {"_pj_per_byte", "pJ/byte"},
        {"_pj", "pJ"},
        {"_w", "W"},
        {"_mhz", "MHz"},
        {"_gflops", "GFLOP/s"},
        {"_gbps", "GB/s"},
        {"_ns", "ns"},
        {"_us", "µs"},
        {"_bytes", "bytes"},
        {"_gib", "GiB"},
        {"_elems", "elements"},
    };
    for (size_t i = 0; i < sizeof SUFFIXES / sizeof SUFFIXES[0]; i++)
        if (ini_has_suffix(d->name, SUFFIXES[i].suffix))
            return SUFFIXES[i].unit;
    switch (d->kind) {
    case INI_BOOL: return "bool";
    case INI_ENUM: return "enum";
    case INI_NAME: return "name";
    case INI_LIST: return "list";
    default: return "count";
    }
}

static int cmp_line(const void *a, const void *b)
{
    const struct ini_value *x = a, *y = b;
    return (x->line > y->line) - (x->line < y->line);
}

size_t ini_table_values(const struct ini_format *f, const struct ini_entry *entries,
                        unsigned variant, struct ini_value *out)
{
    size_t n = 0;
    for (size_t k = 0; k < f->n_keys; k++) {
        if (!applies(&f->keys[k], variant))
            continue;
        struct ini_value *v = &out[n++];
        snprintf(v->key, sizeof v->key, "%s.%s", f->keys[k].section, f->keys[k].name);
        snprintf(v->value, sizeof v->value, "%s", entries[k].value);
        snprintf(v->unit, sizeof v->unit, "%s", unit_of(&f->keys[k]));
        bool number = f->keys[k].kind == INI_DOUBLE || f->keys[k].kind == INI_INT ||
                      f->keys[k].kind == INI_U64;
        v->range[0] = '\0';
        if (number && f->keys[k].range.why)
            range_text(&f->keys[k], false, v->range, sizeof v->range);
        snprintf(v->note, sizeof v->note, "%s", entries[k].note);
        v->line = entries[k].line;
    }
    qsort(out, n, sizeof *out, cmp_line);
    return n;
}

void ini_value_derived(struct ini_value *v, const char *key, const char *unit, double value)
{
    snprintf(v->key, sizeof v->key, "%s", key);
    snprintf(v->value, sizeof v->value, "%.10g", value);
    snprintf(v->unit, sizeof v->unit, "%s", unit);
    v->range[0] = '\0';
    snprintf(v->note, sizeof v->note, "derived");
    v->line = 0;
}

/* ------------------------------------------------------ files, names */

bool ini_has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

bool ini_is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int ini_list_dir(const char *dir, bool (*keep)(const char *dir, const char *entry, char *name,
                                              size_t name_len),
                 char ***names, int *n)
{
    if (!names || !n)
        return TPUSIM_ERR_ARG;
    *names = NULL;
    *n = 0;
    DIR *d = opendir(dir);
    if (!d)
        return TPUSIM_ERR_IO;
    char **list = NULL;
    int count = 0, cap = 0, rc = TPUSIM_OK;
    struct dirent *ent;
    while ((ent = readdir(d))) {
        char name[NAME_MAX + 1];
        if (ent->d_name[0] == '.' || !keep(dir, ent->d_name, name, sizeof name))
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
        if (!(list[count] = strdup(name))) {
            rc = TPUSIM_ERR_NOMEM;
            break;
        }
        count++;
    }
    closedir(d);
    if (rc) {
        ini_free_names(list, count);
        return rc;
    }
    if (count)
        qsort(list, (size_t)count, sizeof *list, cmp_names);
    *names = list;
    *n = count;
    return TPUSIM_OK;
}

void ini_free_names(char **names, int n)
{
    if (!names)
        return;
    for (int i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

int ini_find_named(const char *dir, const char *sub, const char *name, const char *suffix,
                   const char *what, int (*list)(const char *dir, char ***names, int *n),
                   char *path, size_t path_len, char *err, size_t err_len)
{
    int w = snprintf(path, path_len, "%s/%s%s%s", dir, sub, name, suffix);
    bool plain = !strchr(name, '/') && name[0] != '.';
    if (plain && w > 0 && (size_t)w < path_len && ini_is_file(path))
        return TPUSIM_OK;
    char avail[512] = "none";
    char **names = NULL;
    int n = 0;
    if (list(dir, &names, &n) == TPUSIM_OK) {
        ini_names_text(names, n, avail, sizeof avail);
        ini_free_names(names, n);
    }
    size_t sub_len = strlen(sub); /* "stacks/" shows as ".../stacks" */
    return ini_error(err, err_len, TPUSIM_ERR_ARG, "unknown %s '%s' in %s%s%.*s (available: %s)",
                     what, name, dir, sub_len ? "/" : "", (int)(sub_len ? sub_len - 1 : 0), sub,
                     avail);
}

const char *ini_names_text(char *const *names, int n, char *buf, size_t len)
{
    size_t off = 0;
    buf[0] = '\0';
    for (int i = 0; i < n && off < len; i++)
        off += (size_t)snprintf(buf + off, len - off, "%s%s", i ? ", " : "", names[i]);
    if (!n)
        snprintf(buf, len, "none");
    return buf;
}
