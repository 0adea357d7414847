#!/usr/bin/python3
"""Writes small TFLite models into DIR with Debian's python3-flatbuffers
runtime, slot by slot from TensorFlow Lite's published schema.fbs (field ids
and union values as documented there): a writer that shares nothing with
tpusim's reader. tests/cli/tflite.sh checks tpusim on each:
  conv.tflite            uint8 CONV_2D (RELU6) -> AVERAGE_POOL_2D -> FULLY_CONNECTED -> SOFTMAX
  unknown_builtin.tflite an SVDF op (builtin 27), which tpusim does not map
  unknown_custom.tflite  a custom op 'MyOp'
  bad_shape.tflite       a RELU whose output declares another shape than its input's
  bad_index.tflite       an op reading tensor 7 of 2
usage: make_tflite_models.py DIR"""
import os
import sys

import flatbuffers

# schema.fbs: BuiltinOperator, TensorType, BuiltinOptions values
AVERAGE_POOL_2D, CONV_2D, FULLY_CONNECTED, RELU, SOFTMAX, SVDF, CUSTOM = 1, 3, 9, 19, 25, 27, 32
FLOAT32, INT32, UINT8 = 0, 2, 3
CONV_OPTIONS, POOL_OPTIONS, FC_OPTIONS, SOFTMAX_OPTIONS = 1, 5, 8, 9
VALID, RELU6 = 1, 3


class Writer:
    def __init__(self):
        self.b = flatbuffers.Builder(1024)

    def vector(self, vals, size, prepend):
        b = self.b
        b.StartVector(size, len(vals), size)
        for v in reversed(vals):
            prepend(v)
        return b.EndVector()

    def ints(self, vals):
        return self.vector(vals, 4, self.b.PrependInt32)

    def floats(self, vals):
        return self.vector(vals, 4, self.b.PrependFloat32)

    def longs(self, vals):
        return self.vector(vals, 8, self.b.PrependInt64)

    def bytes_(self, data):
        b = self.b
        b.StartVector(1, len(data), 16)  # Buffer.data: force_align 16
        for v in reversed(data):
            b.PrependUint8(v)
        return b.EndVector()

    def offsets(self, offs):
        b = self.b
        b.StartVector(4, len(offs), 4)
        for o in reversed(offs):
            b.PrependUOffsetTRelative(o)
        return b.EndVector()

    def table(self, n_fields, fields):
        """fields: (slot, kind, value) with kind int32/uint32/byte/float/offset."""
        b = self.b
        b.StartObject(n_fields)
        for slot, kind, value in fields:
            if kind == "int32":
                b.PrependInt32Slot(slot, value, 0)
            elif kind == "uint32":
                b.PrependUint32Slot(slot, value, 0)
            elif kind == "byte":
                b.PrependInt8Slot(slot, value, 0)
            elif kind == "ubyte":
                b.PrependUint8Slot(slot, value, 0)
            elif kind == "float":
                b.PrependFloat32Slot(slot, value, 0.0)
            else:
                b.PrependUOffsetTRelativeSlot(slot, value, 0)
        return b.EndObject()


def build(tensors, buffers, codes, ops, inputs, outputs):
    """tensors: (name, shape, type, buffer index, (scale, zero_point) or None);
    buffers: bytes per buffer (index 0 is the empty sentinel); codes:
    (builtin, custom name or None); ops: (code index, inputs, outputs,
    options type, options fields or None, options field count)."""
    w = Writer()
    b = w.b
    buf_offs = []
    for data in buffers:
        d = w.bytes_(data) if data else None
        buf_offs.append(w.table(3, [(0, "off", d)] if d else []))
    t_offs = []
    for name, shape, ttype, buf, quant in tensors:
        n = b.CreateString(name)
        s = w.ints(shape)
        q = None
        if quant:
            sc, zp = w.floats([quant[0]]), w.longs([quant[1]])
            q = w.table(7, [(2, "off", sc), (3, "off", zp)])
        fields = [(0, "off", s), (1, "byte", ttype), (2, "uint32", buf), (3, "off", n)]
        if q:
            fields.append((4, "off", q))
        t_offs.append(w.table(6, fields))
    code_offs = []
    for builtin, custom in codes:
        c = b.CreateString(custom) if custom else None
        fields = [(0, "byte", min(builtin, 127)), (2, "int32", 1), (3, "int32", builtin)]
        if c:
            fields.append((1, "off", c))
        code_offs.append(w.table(4, fields))
    op_offs = []
    for code, ins, outs, opt_type, opt_fields, n_opt in ops:
        i, o = w.ints(ins), w.ints(outs)
        opt = w.table(n_opt, opt_fields) if opt_fields is not None else None
        fields = [(0, "uint32", code), (1, "off", i), (2, "off", o)]
        if opt:
            fields += [(3, "ubyte", opt_type), (4, "off", opt)]
        op_offs.append(w.table(7, fields))
    tv, ov = w.offsets(t_offs), w.offsets(op_offs)
    iv, outv = w.ints(inputs), w.ints(outputs)
    sg_name = b.CreateString("main")
    sg = w.table(5, [(0, "off", tv), (1, "off", iv), (2, "off", outv), (3, "off", ov),
                     (4, "off", sg_name)])
    codes_v, sgs, bufs = w.offsets(code_offs), w.offsets([sg]), w.offsets(buf_offs)
    desc = b.CreateString("written by make_tflite_models.py")
    model = w.table(5, [(0, "uint32", 3), (1, "off", codes_v), (2, "off", sgs), (3, "off", desc),
                        (4, "off", bufs)])
    b.Finish(model, file_identifier=b"TFL3")
    return bytes(b.Output())


def conv_model():
    """x [1,8,8,3] -> CONV_2D 3x3 SAME, 4 filters, RELU6 -> AVERAGE_POOL_2D 2x2/2
    -> FULLY_CONNECTED (64 -> 10) -> SOFTMAX."""
    q = (0.5, 128)
    tensors = [("x", [1, 8, 8, 3], UINT8, 0, q),
               ("w", [4, 3, 3, 3], UINT8, 1, q),
               ("b", [4], INT32, 2, (0.25, 0)),
               ("conv", [1, 8, 8, 4], UINT8, 0, q),
               ("pool", [1, 4, 4, 4], UINT8, 0, q),
               ("fc_w", [10, 64], UINT8, 3, q),
               ("fc_b", [10], INT32, 4, (0.25, 0)),
               ("logits", [1, 10], UINT8, 0, q),
               ("probs", [1, 10], UINT8, 0, (1 / 256, 0))]
    buffers = [b"", bytes(108), bytes(16), bytes(640), bytes(40)]
    codes = [(CONV_2D, None), (AVERAGE_POOL_2D, None), (FULLY_CONNECTED, None), (SOFTMAX, None)]
    ops = [(0, [0, 1, 2], [3], CONV_OPTIONS,
            [(0, "byte", 0), (1, "int32", 1), (2, "int32", 1), (3, "byte", RELU6)], 6),
           (1, [3], [4], POOL_OPTIONS,
            [(0, "byte", VALID), (1, "int32", 2), (2, "int32", 2), (3, "int32", 2),
             (4, "int32", 2)], 6),
           (2, [4, 5, 6], [7], FC_OPTIONS, [], 1),
           (3, [7], [8], SOFTMAX_OPTIONS, [(0, "float", 1.0)], 1)]
    return build(tensors, buffers, codes, ops, [0], [8])


def one_op(code, custom=None, out_shape=(1, 4), index=1):
    tensors = [("x", [1, 4], FLOAT32, 0, None), ("y", list(out_shape), FLOAT32, 0, None)]
    return build(tensors, [b""], [(code, custom)], [(0, [0 if index == 1 else index], [1], 0,
                                                     None, 0)], [0], [1])


def main():
    out = sys.argv[1]
    files = {"conv.tflite": conv_model(),
             "unknown_builtin.tflite": one_op(SVDF),
             "unknown_custom.tflite": one_op(CUSTOM, "MyOp"),
             "bad_shape.tflite": one_op(RELU, out_shape=(1, 5)),
             "bad_index.tflite": one_op(RELU, index=7)}
    for name, data in files.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
