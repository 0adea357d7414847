#!/usr/bin/python3
"""Writes malformed ONNX models with Debian's python3-onnx (an independent
writer) into DIR, one per failure tpusim must report clearly:
cycle.onnx, missing_input.onnx, unknown_op.onnx, custom_domain.onnx,
zero_dim.onnx, huge_dim.onnx, unbound_dim.onnx, bad_reshape.onnx, random.onnx,
nested_if.onnx (written byte by byte: python3-onnx refuses to nest so deep),
no_batch_axis.onnx, dup_inputs.onnx, no_outputs.onnx, and escape_names.onnx, a
valid model whose node names hold a terminal escape, a bell and a C1
control (U+009B, CSI: valid UTF-8; protobuf-c refuses invalid UTF-8 itself).
usage: make_bad_models.py DIR"""
import os
import random
import sys

from onnx import TensorProto, helper


def model(nodes, inputs, outputs, inits=(), opset=13, domains=()):
    graph = helper.make_graph(nodes, "bad", inputs, outputs, initializer=list(inits))
    ops = [helper.make_opsetid("", opset)] + [helper.make_opsetid(d, 1) for d in domains]
    return helper.make_model(graph, opset_imports=ops)


def vi(name, shape):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)


def varint(v):
    out = bytearray()
    while True:
        out.append((v & 0x7F) | (0x80 if v > 0x7F else 0))
        v >>= 7
        if not v:
            return bytes(out)


def field(number, payload):
    """A length-delimited protobuf field."""
    return varint(number << 3 | 2) + varint(len(payload)) + payload


def nested_if(depth):
    """ModelProto whose graph holds an If whose then_branch holds an If ...
    `depth` deep: 3 messages per level (GraphProto, NodeProto, AttributeProto)."""
    graph = b""
    for _ in range(depth):
        attr = field(1, b"then_branch") + varint(20 << 3) + varint(5) + field(6, graph)
        graph = field(1, field(4, b"If") + field(5, attr))
    opset = field(8, varint(2 << 3) + varint(13))
    return varint(1 << 3) + varint(8) + opset + field(7, graph)


def main():
    out = sys.argv[1]
    x = vi("x", [1, 8])
    y = vi("y", [1, 8])
    files = {
        # a -> b -> a: no node can run first.
        "cycle.onnx": model([helper.make_node("Add", ["x", "b"], ["a"], name="add_a"),
                             helper.make_node("Relu", ["a"], ["b"], name="relu_b"),
                             helper.make_node("Relu", ["a"], ["y"], name="out")], [x], [y]),
        "missing_input.onnx": model([helper.make_node("Add", ["x", "ghost"], ["y"], name="add1")],
                                    [x], [y]),
        "unknown_op.onnx": model([helper.make_node("FancyOp", ["x"], ["y"], name="fancy1")],
                                 [x], [y]),
        "custom_domain.onnx": model([helper.make_node("Relu", ["x"], ["y"], name="cr",
                                                      domain="com.example")],
                                    [x], [y], domains=["com.example"]),
        "zero_dim.onnx": model([helper.make_node("Relu", ["x0"], ["y"], name="r")],
                               [vi("x0", [1, 0, 8])], [y]),
        "huge_dim.onnx": model([helper.make_node("Relu", ["xh"], ["y"], name="r")],
                               [vi("xh", [1 << 30, 1 << 30, 1 << 30])], [y]),
        "unbound_dim.onnx": model([helper.make_node("Relu", ["xs"], ["y"], name="r")],
                                  [vi("xs", ["seq", 8])], [y]),
        # a 1-D Add of 2^28 elements: axis 0 is no batch axis
        "no_batch_axis.onnx": model([helper.make_node("Add", ["v", "v"], ["w"], name="add")],
                                    [vi("v", [1 << 28])], [vi("w", [1 << 28])]),
        "dup_inputs.onnx": model([helper.make_node("Relu", ["x"], ["y"], name="r")],
                                 [x, vi("x", [1, 16])], [y]),
        "no_outputs.onnx": model([helper.make_node("Relu", ["x"], ["y"], name="r")], [x], []),
        "bad_reshape.onnx": model([helper.make_node("Reshape", ["x", "shape"], ["y"], name="rs")],
                                  [x], [y],
                                  inits=[helper.make_tensor("shape", TensorProto.INT64, [2], [3, 5])]),
    }
    for name, m in files.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(m.SerializeToString())
    # U+009B replaces a placeholder of the same length in the serialized file.
    evil = model([helper.make_node("Relu", ["x"], ["h"], name="evil\x1b[2J\x07relu"),
                  helper.make_node("Relu", ["h"], ["y"], name="bad_utf8_PLACEHOLDER")], [x], [y])
    data = evil.SerializeToString().replace(b"PLACEHOLDER", b"\xc2\x9b[31mINVER")
    with open(os.path.join(out, "escape_names.onnx"), "wb") as f:
        f.write(data)
    with open(os.path.join(out, "nested_if.onnx"), "wb") as f:
        f.write(nested_if(3000))
    rng = random.Random(20261122)
    with open(os.path.join(out, "random.onnx"), "wb") as f:
        f.write(bytes(rng.randrange(256) for _ in range(4096)))


if __name__ == "__main__":
    main()
