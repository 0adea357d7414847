/*
 * onnx_wire.c — the wire-format walk of onnx_wire.h. It reads tags and
 * lengths only, following the fields the generated descriptors call
 * messages; values are left to protobuf-c.
 */
#include <string.h>

#include "graph.h"
#include "onnx.pb-c.h"
#include "onnx_wire.h"
#include "tpusim.h"

/* One message being walked: its type and where its bytes end. */
struct level {
    const ProtobufCMessageDescriptor *desc;
    size_t end;
};

/* A varint at *pos, before end; false when cut short or over 10 bytes. */
static bool read_varint(const uint8_t *data, size_t *pos, size_t end, uint64_t *out)
{
    uint64_t v = 0;
    for (unsigned shift = 0; shift < 70 && *pos < end; shift += 7) {
        uint8_t b = data[(*pos)++];
        v |= (uint64_t)(b & 0x7f) << (shift < 64 ? shift : 0);
        if (!(b & 0x80)) {
            *out = v;
            return true;
        }
    }
    return false;
}

static int malformed(struct tpusim_graph *g, size_t size)
{
    return graph_error(g, TPUSIM_ERR_PARSE,
                       "not a valid ONNX protobuf (%zu bytes): truncated, corrupt or another "
                       "format",
                       size);
}

/* A string field's bytes: free text (doc_string) may hold anything; a
 * name may not hold a NUL. */
static int check_string(struct tpusim_graph *g, const ProtobufCMessageDescriptor *desc,
                        const ProtobufCFieldDescriptor *fd, const uint8_t *s, size_t len)
{
    const uint8_t *nul = memchr(s, 0, len);
    if (!nul || strcmp(fd->name, "doc_string") == 0)
        return TPUSIM_OK;
    return graph_error(g, TPUSIM_ERR_PARSE,
                       "%s.%s holds a NUL byte after '%.*s': names are text", desc->name,
                       fd->name, (int)(nul - s < 64 ? nul - s : 64), (const char *)s);
}

int onnx_wire_check(struct tpusim_graph *g, const uint8_t *data, size_t size)
{
    struct level stack[ONNX_MAX_MESSAGE_DEPTH];
    int depth = 0;
    stack[0] = (struct level){&onnx__model_proto__descriptor, size};
    size_t pos = 0;
    for (;;) {
        const struct level *top = &stack[depth];
        if (pos == top->end) {
            if (depth == 0)
                return TPUSIM_OK;
            depth--;
            continue;
        }
        uint64_t tag, len;
        if (!read_varint(data, &pos, top->end, &tag) || tag >> 3 == 0)
            return malformed(g, size);
        switch (tag & 7) {
        case PROTOBUF_C_WIRE_TYPE_VARINT:
            if (!read_varint(data, &pos, top->end, &len))
                return malformed(g, size);
            continue;
        case PROTOBUF_C_WIRE_TYPE_64BIT: len = 8; break;
        case PROTOBUF_C_WIRE_TYPE_32BIT: len = 4; break;
        case PROTOBUF_C_WIRE_TYPE_LENGTH_PREFIXED:
            if (!read_varint(data, &pos, top->end, &len))
                return malformed(g, size);
            break;
        default: return malformed(g, size); /* groups: neither ONNX nor protobuf-c has them */
        }
        if (len > top->end - pos)
            return malformed(g, size);
        const ProtobufCFieldDescriptor *fd =
            (tag & 7) == PROTOBUF_C_WIRE_TYPE_LENGTH_PREFIXED && tag >> 3 <= UINT32_MAX
                ? protobuf_c_message_descriptor_get_field(top->desc, (unsigned)(tag >> 3))
                : NULL;
        if (fd && fd->type == PROTOBUF_C_TYPE_MESSAGE) {
            if (depth + 1 == ONNX_MAX_MESSAGE_DEPTH)
                return graph_error(g, TPUSIM_ERR_PARSE,
                                   "ONNX model nested deeper than %d messages (%s in %s): "
                                   "subgraphs (If, Loop, Scan) nest at most ~%d levels",
                                   ONNX_MAX_MESSAGE_DEPTH, fd->name, top->desc->name,
                                   ONNX_MAX_MESSAGE_DEPTH / 3);
            stack[++depth] = (struct level){fd->descriptor, pos + (size_t)len};
            continue; /* pos is at the nested message's first byte */
        }
        if (fd && fd->type == PROTOBUF_C_TYPE_STRING &&
            check_string(g, top->desc, fd, data + pos, (size_t)len))
            return TPUSIM_ERR_PARSE;
        pos += (size_t)len;
    }
}
