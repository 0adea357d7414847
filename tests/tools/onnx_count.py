#!/usr/bin/python3
"""Independent MAC and parameter count of an ONNX model, by a route that
shares no code with tpusim: Debian's python3-onnx shape inference (with data
propagation) gives every tensor's shape; MACs of Conv, ConvTranspose, Gemm
and MatMul follow from those shapes; parameters are the elements of every
floating-point initializer, Constant and ConstantOfShape output with more
than one element.

LSTM, GRU and RNN count seq x batch x directions x gates*H x (input + H).
Ops onnx shape inference does not know are first rewritten into standard
ones with the same output shape (the experimental ImageScaler and Affine
into Identity, Crop into Slice), and an ai.onnx.ml tail (label lookup,
ZipMap) is cut off: none of them has MACs or parameters.
Exits non-zero when onnx shape inference leaves a needed shape unknown.

usage: onnx_count.py MODEL.onnx [NAME=VALUE ...]   (bind symbolic input dims)
prints: {"macs": N, "params": N}
"""
import json
import sys

import onnx
from onnx import TensorProto, helper, numpy_helper, shape_inference

FLOAT_TYPES = {TensorProto.FLOAT, TensorProto.FLOAT16, TensorProto.DOUBLE, TensorProto.BFLOAT16}


def prod(xs):
    p = 1
    for x in xs:
        p *= x
    return p


def opset(model):
    return next((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), 1)


def standardise(model):
    """Rewrites experimental ops into standard ones and drops ai.onnx.ml nodes."""
    g = model.graph
    ml_outputs = set()
    nodes = []
    for n in g.node:
        if n.domain == "ai.onnx.ml":
            ml_outputs.update(n.output)
            continue
        if n.op_type in ("ImageScaler", "Affine"):
            n = helper.make_node("Identity", list(n.input), list(n.output), name=n.name)
        elif n.op_type == "Crop":
            if opset(model) >= 11 or any(a.name == "scale" for a in n.attribute):
                raise SystemExit("onnx_count: Crop with scale or in opset %d" % opset(model))
            left, top, right, bottom = next(a.ints for a in n.attribute if a.name == "border")
            # Pad-2 with negative pads removes the borders
            n = helper.make_node("Pad", list(n.input), list(n.output), name=n.name,
                                 pads=[0, 0, -top, -left, 0, 0, -bottom, -right])
        nodes.append(n)
    del g.node[:]
    g.node.extend(nodes)
    keep = [o for o in g.output if o.name not in ml_outputs]
    del g.output[:]
    g.output.extend(keep)


def bind_inputs(model, bindings):
    inits = {i.name for i in model.graph.initializer}
    for inp in model.graph.input:
        if inp.name in inits:
            continue
        for d in inp.type.tensor_type.shape.dim:
            if d.HasField("dim_param") and d.dim_param in bindings:
                d.dim_value = bindings[d.dim_param]


def shapes_of(model):
    inferred = shape_inference.infer_shapes(model, data_prop=True)
    shapes = {}
    g = inferred.graph
    for vi in list(g.input) + list(g.value_info) + list(g.output):
        dims = [d.dim_value if d.HasField("dim_value") else None
                for d in vi.type.tensor_type.shape.dim]
        shapes[vi.name] = (dims, vi.type.tensor_type.elem_type)
    for init in g.initializer:
        shapes[init.name] = (list(init.dims), init.data_type)
    return shapes


def known(shapes, name, node):
    """The shape of `name`, or an error when shape inference left it open."""
    dims = shapes.get(name, ([], 0))[0]
    if not dims or any(d is None or d == 0 for d in dims):
        sys.exit("onnx_count: shape of '%s' (node %s) unknown to onnx shape inference"
                 % (name, node.name))
    return dims


RNN_GATES = {"LSTM": 4, "GRU": 3, "RNN": 1}


def count_macs(model, shapes):
    macs = 0
    for n in model.graph.node:
        if n.op_type in ("Conv", "ConvTranspose", "Gemm", "MatMul"):
            shapes[n.output[0]] = (known(shapes, n.output[0], n), 0)
            shapes[n.input[0]] = (known(shapes, n.input[0], n), 0)
        if n.op_type in RNN_GATES:
            x = known(shapes, n.input[0], n)
            r = known(shapes, n.input[2], n)  # [dirs, gates*H, H]
            layout = next((a.i for a in n.attribute if a.name == "layout"), 0)
            seq, batch = (x[1], x[0]) if layout else (x[0], x[1])
            dirs, hidden = r[0], r[2]
            macs += seq * batch * dirs * r[1] * (x[2] + hidden)
        if n.op_type == "Conv":
            out = shapes[n.output[0]][0]
            w = shapes[n.input[1]][0]
            macs += prod(out) * prod(w[1:])  # each output: Cin/g * kernel MACs
        elif n.op_type == "ConvTranspose":
            x = shapes[n.input[0]][0]
            w = shapes[n.input[1]][0]
            macs += prod(x) * prod(w[1:])  # each input: Cout/g * kernel MACs
        elif n.op_type == "Gemm":
            out = shapes[n.output[0]][0]
            a = shapes[n.input[0]][0]
            trans_a = any(a_.name == "transA" and a_.i for a_ in n.attribute)
            k = a[0] if trans_a else a[1]
            macs += prod(out) * k
        elif n.op_type == "MatMul":
            out = shapes[n.output[0]][0]
            a = shapes[n.input[0]][0]
            macs += prod(out) * a[-1]
    return macs


def count_params(model):
    params = 0
    for init in model.graph.initializer:
        if init.data_type in FLOAT_TYPES and prod(init.dims) > 1:
            params += prod(init.dims)
    consts = {}
    for n in model.graph.node:
        if n.op_type == "Constant":
            for a in n.attribute:
                if a.name == "value":
                    consts[n.output[0]] = numpy_helper.to_array(a.t)
                    if a.t.data_type in FLOAT_TYPES and prod(a.t.dims) > 1:
                        params += prod(a.t.dims)
    inits = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
    for n in model.graph.node:
        if n.op_type == "ConstantOfShape":
            src = n.input[0]
            shape = consts.get(src, inits.get(src))
            value_type = TensorProto.FLOAT
            for a in n.attribute:
                if a.name == "value":
                    value_type = a.t.data_type
            if shape is not None and value_type in FLOAT_TYPES and prod(shape.tolist()) > 1:
                params += prod(shape.tolist())
    return params


def main():
    model = onnx.load(sys.argv[1])
    bindings = dict((kv.split("=")[0], int(kv.split("=")[1])) for kv in sys.argv[2:])
    standardise(model)
    bind_inputs(model, bindings)
    shapes = shapes_of(model)
    print(json.dumps({"macs": count_macs(model, shapes), "params": count_params(model)}))


if __name__ == "__main__":
    main()
