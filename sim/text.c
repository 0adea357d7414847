/*
 * text.c — escaping and fitting names for text and JSON output (text.h).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "text.h"

size_t text_char_len(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    if (p[0] >= 0x20 && p[0] < 0x7f)
        return 1;
    size_t n = p[0] >= 0xf0 && p[0] <= 0xf4 ? 4 : p[0] >= 0xe0 ? 3 : p[0] >= 0xc2 ? 2 : 0;
    if (n == 0 || p[0] > 0xf4)
        return 0; /* a control, a continuation byte, 0xc0/0xc1 (overlong) or 0xf5.. */
    uint32_t cp = p[0] & (0x7f >> n);
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (p[i] & 0x3f);
    }
    static const uint32_t MIN_OF_LEN[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < MIN_OF_LEN[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return cp <= 0x9f ? 0 : n; /* U+0080..U+009F: C1 controls (CSI is U+009B) */
}

char *text_safe(const char *s, char *buf, size_t len)
{
    size_t at = 0;
    if (!len)
        return buf;
    for (const char *p = s; *p;) {
        size_t n = text_char_len(p);
        size_t need = n ? n : 4;
        if (at + need >= len)
            break;
        if (n)
            memcpy(buf + at, p, n);
        else
            snprintf(buf + at, 5, "\\x%02X", (unsigned char)*p);
        at += need;
        p += n ? n : 1;
    }
    buf[at] = '\0';
    return buf;
}

void text_json(const char *s, void (*put)(void *ctx, const char *bytes, size_t n), void *ctx)
{
    for (const char *p = s; *p;) {
        size_t n = text_char_len(p);
        unsigned char c = (unsigned char)*p;
        char esc[8];
        if (c == '"' || c == '\\') {
            esc[0] = '\\';
            esc[1] = (char)c;
            put(ctx, esc, 2);
        } else if (n) {
            put(ctx, p, n);
        } else if (c < 0x20 || c == 0x7f) {
            put(ctx, esc, (size_t)snprintf(esc, sizeof esc, "\\u%04x", c));
        } else if (c == 0xc2 && (unsigned char)p[1] >= 0x80 && (unsigned char)p[1] <= 0x9f) {
            /* a C1 control, valid UTF-8: escaped like the C0 ones */
            put(ctx, esc, (size_t)snprintf(esc, sizeof esc, "\\u%04x", (unsigned char)p[1]));
            p += 2;
            continue;
        } else {
            put(ctx, "\xef\xbf\xbd", 3); /* U+FFFD for a byte that is not UTF-8 */
        }
        p += n ? n : 1;
    }
}

/* Characters (UTF-8 sequences; an escaped name is valid UTF-8) in s. */
static size_t chars(const char *s)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        n += (*p & 0xc0) != 0x80;
    return n;
}

/* Byte offset of character i of s. */
static size_t char_offset(const char *s, size_t i)
{
    size_t at = 0;
    for (; s[at] && i; i--)
        do
            at++;
        while (((unsigned char)s[at] & 0xc0) == 0x80);
    return at;
}

char *text_fit(const char *s, size_t width, char *buf, size_t len)
{
    size_t n = chars(s);
    if (n <= width || width < 8) {
        snprintf(buf, len, "%s", s);
        return buf;
    }
    size_t head = (width - 3) / 3, tail = width - 3 - head;
    size_t head_bytes = char_offset(s, head), tail_at = char_offset(s, n - tail);
    snprintf(buf, len, "%.*s...%s", (int)head_bytes, s, s + tail_at);
    return buf;
}

/* Does component b (up to '/' or the end) extend component a: a, then
 * '.' or '_', then more? */
static bool extends(const char *a, size_t an, const char *b)
{
    return strncmp(a, b, an) == 0 && (b[an] == '.' || b[an] == '_') && b[an + 1] &&
           b[an + 1] != '/';
}

char *text_short_name(const char *s, char *buf, size_t len)
{
    size_t at = 0;
    if (!len)
        return buf;
    for (const char *p = s; *p && at + 1 < len;) {
        const char *end = strchr(p, '/');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        bool drop = end && n && extends(p, n, end + 1);
        if (!drop) {
            size_t take = n + (end ? 1 : 0); /* the component and its '/' */
            if (take > len - 1 - at)
                take = len - 1 - at;
            memcpy(buf + at, p, take);
            at += take;
        }
        p += n + (end ? 1 : 0);
    }
    buf[at] = '\0';
    return buf;
}
