/*
 * text.h — names from model files made safe to show. A name is bytes an
 * ONNX file chose: it may hold terminal escapes (ESC [ 2 J), other control
 * bytes or invalid UTF-8. Text output shows control bytes and invalid
 * bytes as \xNN (valid UTF-8 passes), JSON output is always valid UTF-8
 * (\u escapes for controls, U+FFFD for invalid bytes), and long names in
 * narrow columns keep their head and their distinguishing tail.
 */
#ifndef TPUSIM_TEXT_H
#define TPUSIM_TEXT_H

#include <stddef.h>

/* Length of the valid, printable UTF-8 character at s (1 for printable
 * ASCII), or 0: a control byte (C0, DEL, C1), a byte that does not start
 * a valid sequence, an overlong form or a surrogate. */
size_t text_char_len(const char *s);

/* s with every byte text_char_len refuses written as \xNN, into buf
 * (always terminated; cut at a character boundary when buf is short).
 * Returns buf. */
char *text_safe(const char *s, char *buf, size_t len);

/* s as the body of a JSON string (no quotes): '"' and '\\' escaped,
 * controls as \uXXXX, invalid bytes as U+FFFD. put(ctx, bytes, n)
 * receives the pieces. */
void text_json(const char *s, void (*put)(void *ctx, const char *bytes, size_t n), void *ctx);

/* s without the path components the next one extends: exporters name
 * ops by their module path, "/features/features.4/block/block.1/Conv",
 * where "features" and "block" only repeat the head of what follows:
 * "/features.4/block.1/Conv". Other names are copied. Returns buf. */
char *text_short_name(const char *s, char *buf, size_t len);

/* s (already safe) fitted into `width` characters: when longer, its head,
 * "...", and its tail, the tail the larger part (op names share prefixes
 * and differ at the end: "/encoder/layer.11/attention/.../MatMul_1").
 * Returns buf. */
char *text_fit(const char *s, size_t width, char *buf, size_t len);

#endif /* TPUSIM_TEXT_H */
