#!/usr/bin/python3
"""Writes small ONNX models with control flow into DIR with Debian's
python3-onnx (an independent writer); tests/cli/control_flow.sh checks
tpusim's MACs for each against counts worked out by hand there.
usage: make_control_models.py DIR"""
import os
import sys

from onnx import TensorProto, helper


def vi(name, shape, dtype=TensorProto.FLOAT):
    return helper.make_tensor_value_info(name, dtype, shape)


def weight(name, shape):
    n = 1
    for d in shape:
        n *= d
    return helper.make_tensor(name, TensorProto.FLOAT, shape, [0.5] * n)


def model(nodes, inputs, outputs, inits=(), opset=16):
    graph = helper.make_graph(nodes, "cf", inputs, outputs, initializer=list(inits))
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])


def branches():
    """then: x[1,4] @ W1[4,8]; else: x @ W2[4,6] @ W3[6,8] (both [1,8])."""
    then_g = helper.make_graph([helper.make_node("MatMul", ["x", "W1"], ["t_out"], name="t_mm")],
                               "then", [], [vi("t_out", [1, 8])])
    else_g = helper.make_graph([helper.make_node("MatMul", ["x", "W2"], ["e_mid"], name="e_mm1"),
                                helper.make_node("MatMul", ["e_mid", "W3"], ["e_out"], name="e_mm2")],
                               "else", [], [vi("e_out", [1, 8])])
    return then_g, else_g


def if_model(const_cond):
    then_g, else_g = branches()
    nodes = [helper.make_node("If", ["c"], ["y"], name="choose", then_branch=then_g,
                              else_branch=else_g)]
    inputs = [vi("x", [1, 4])]
    inits = [weight("W1", [4, 8]), weight("W2", [4, 6]), weight("W3", [6, 8])]
    if const_cond:
        inits.append(helper.make_tensor("c", TensorProto.BOOL, [], [True]))
    else:
        inputs.append(vi("c", [], TensorProto.BOOL))
    return model(nodes, inputs, [vi("y", [1, 8])], inits)


def loop_model(const_m):
    """h <- h @ W (W[4,4], read from the outer graph), h also scanned out."""
    body = helper.make_graph(
        [helper.make_node("Identity", ["cond_in"], ["cond_out"], name="keep"),
         helper.make_node("MatMul", ["h_in", "W"], ["h_out"], name="step"),
         helper.make_node("Identity", ["h_out"], ["h_scan"], name="scan_copy")],
        "body", [vi("iter", [], TensorProto.INT64), vi("cond_in", [], TensorProto.BOOL),
                 vi("h_in", [1, 4])],
        [vi("cond_out", [], TensorProto.BOOL), vi("h_out", [1, 4]), vi("h_scan", [1, 4])])
    nodes = [helper.make_node("Loop", ["M", "cond", "h0"], ["h_final", "h_all"], name="rnn",
                              body=body)]
    inputs = [vi("h0", [1, 4])]
    inits = [weight("W", [4, 4]), helper.make_tensor("cond", TensorProto.BOOL, [], [True])]
    if const_m:
        inits.append(helper.make_tensor("M", TensorProto.INT64, [], [3]))
    else:
        inputs.append(vi("M", [], TensorProto.INT64))
    return model(nodes, inputs, [vi("h_final", [1, 4]), vi("h_all", [None, 1, 4])], inits)


def scan_model():
    """s <- s + x_t @ W over x [T, 1, 4] scanned on axis 0; s scanned out."""
    body = helper.make_graph(
        [helper.make_node("MatMul", ["x_t", "W"], ["xw"], name="proj"),
         helper.make_node("Add", ["s_in", "xw"], ["s_out"], name="acc"),
         helper.make_node("Identity", ["s_out"], ["s_scan"], name="copy")],
        "body", [vi("s_in", [1, 4]), vi("x_t", [1, 4])],
        [vi("s_out", [1, 4]), vi("s_scan", [1, 4])])
    nodes = [helper.make_node("Scan", ["s0", "x"], ["s_final", "s_all"], name="scan",
                              body=body, num_scan_inputs=1)]
    return model(nodes, [vi("s0", [1, 4]), vi("x", ["T", 1, 4])],
                 [vi("s_final", [1, 4]), vi("s_all", ["T", 1, 4])], [weight("W", [4, 4])])


def nested_model():
    """A Loop of 2 whose body holds an If on a constant: each iteration runs
    the else branch, which reads x and W2/W3 from the top graph."""
    then_g, else_g = branches()
    body = helper.make_graph(
        [helper.make_node("Identity", ["cond_in"], ["cond_out"], name="keep"),
         helper.make_node("If", ["never"], ["y_it"], name="inner", then_branch=then_g,
                          else_branch=else_g)],
        "body", [vi("iter", [], TensorProto.INT64), vi("cond_in", [], TensorProto.BOOL)],
        [vi("cond_out", [], TensorProto.BOOL), vi("y_it", [1, 8])])
    nodes = [helper.make_node("Loop", ["M", ""], ["ys"], name="outer", body=body)]
    inits = [weight("W1", [4, 8]), weight("W2", [4, 6]), weight("W3", [6, 8]),
             helper.make_tensor("never", TensorProto.BOOL, [], [False]),
             helper.make_tensor("M", TensorProto.INT64, [], [2])]
    return model(nodes, [vi("x", [1, 4])], [vi("ys", [2, 1, 8])], inits)


def main():
    out = sys.argv[1]
    files = {
        "if_const.onnx": if_model(True),
        "if_input.onnx": if_model(False),
        "loop_const.onnx": loop_model(True),
        "loop_input.onnx": loop_model(False),
        "scan.onnx": scan_model(),
        "nested.onnx": nested_model(),
    }
    for name, m in files.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(m.SerializeToString())


if __name__ == "__main__":
    main()
