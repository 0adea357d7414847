#!/usr/bin/python3
"""Writes small quantized ONNX models into DIR with Debian's python3-onnx (an
independent writer); tests/cli/quantized.sh checks tpusim's counts for each
against numbers worked out by hand there. Every model has a 3x3 convolution
(pad 1) of x [1,3,8,8] into 4 channels, or a [2,16] x [16,8] matrix product.
usage: make_quant_models.py DIR"""
import os
import sys

from onnx import TensorProto, helper


def vi(name, shape, dtype=TensorProto.FLOAT):
    return helper.make_tensor_value_info(name, dtype, shape)


def const(name, dtype, shape, value=1):
    n = 1
    for d in shape:
        n *= d
    return helper.make_tensor(name, dtype, shape, [value] * n)


def model(nodes, inputs, outputs, inits, opset=13):
    graph = helper.make_graph(nodes, "q", inputs, outputs, initializer=inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])


def scales():
    return [const("s", TensorProto.FLOAT, [], 0.1), const("zp", TensorProto.UINT8, [], 128),
            const("w_zp", TensorProto.UINT8, [], 128), const("b_s", TensorProto.FLOAT, [], 0.01),
            const("b_zp", TensorProto.INT32, [], 0)]


def qdq_conv():
    """QDQ form: x -Q-> -DQ-> Conv(W = DQ(w8), B = DQ(b32)) -Q-> -DQ-> y."""
    nodes = [helper.make_node("QuantizeLinear", ["x", "s", "zp"], ["xq"], name="q_in"),
             helper.make_node("DequantizeLinear", ["xq", "s", "zp"], ["xf"], name="dq_in"),
             helper.make_node("DequantizeLinear", ["w8", "s", "w_zp"], ["wf"], name="dq_w"),
             helper.make_node("DequantizeLinear", ["b32", "b_s", "b_zp"], ["bf"], name="dq_b"),
             helper.make_node("Conv", ["xf", "wf", "bf"], ["yf"], name="conv", pads=[1, 1, 1, 1]),
             helper.make_node("QuantizeLinear", ["yf", "s", "zp"], ["yq"], name="q_out"),
             helper.make_node("DequantizeLinear", ["yq", "s", "zp"], ["y"], name="dq_out")]
    inits = scales() + [const("w8", TensorProto.UINT8, [4, 3, 3, 3]),
                        const("b32", TensorProto.INT32, [4])]
    return model(nodes, [vi("x", [1, 3, 8, 8])], [vi("y", [1, 4, 8, 8])], inits)


def qlinear_conv():
    nodes = [helper.make_node("QLinearConv", ["x", "s", "zp", "w8", "s", "w_zp", "s", "zp", "b32"],
                              ["y"], name="qconv", pads=[1, 1, 1, 1])]
    inits = scales() + [const("w8", TensorProto.UINT8, [4, 3, 3, 3]),
                        const("b32", TensorProto.INT32, [4])]
    return model(nodes, [vi("x", [1, 3, 8, 8], TensorProto.UINT8)],
                 [vi("y", [1, 4, 8, 8], TensorProto.UINT8)], inits)


def conv_integer():
    nodes = [helper.make_node("ConvInteger", ["x", "w8", "zp", "w_zp"], ["y"], name="iconv",
                              pads=[1, 1, 1, 1])]
    inits = scales() + [const("w8", TensorProto.UINT8, [4, 3, 3, 3])]
    return model(nodes, [vi("x", [1, 3, 8, 8], TensorProto.UINT8)],
                 [vi("y", [1, 4, 8, 8], TensorProto.INT32)], inits)


def qlinear_matmul():
    nodes = [helper.make_node("QLinearMatMul", ["a", "s", "zp", "b8", "s", "w_zp", "s", "zp"],
                              ["y"], name="qmm")]
    inits = scales() + [const("b8", TensorProto.UINT8, [16, 8])]
    return model(nodes, [vi("a", [2, 16], TensorProto.UINT8)],
                 [vi("y", [2, 8], TensorProto.UINT8)], inits)


def dynamic_matmul_integer():
    """Dynamic quantization: x -> DynamicQuantizeLinear -> MatMulInteger."""
    nodes = [helper.make_node("DynamicQuantizeLinear", ["x"], ["xq", "xs", "xzp"], name="dq"),
             helper.make_node("MatMulInteger", ["xq", "b8", "xzp", "w_zp"], ["acc"], name="imm"),
             helper.make_node("Cast", ["acc"], ["y"], name="to_float", to=TensorProto.FLOAT)]
    inits = scales() + [const("b8", TensorProto.UINT8, [16, 8])]
    return model(nodes, [vi("x", [2, 16])], [vi("y", [2, 8])], inits)


def main():
    out = sys.argv[1]
    files = {"qdq_conv.onnx": qdq_conv(), "qlinear_conv.onnx": qlinear_conv(),
             "conv_integer.onnx": conv_integer(), "qlinear_matmul.onnx": qlinear_matmul(),
             "dynamic_matmul_integer.onnx": dynamic_matmul_integer()}
    for name, m in files.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(m.SerializeToString())


if __name__ == "__main__":
    main()
