#!/usr/bin/python3
"""Compares tpusim's inspect JSON with onnx_count.py's independent count.
MACs must agree exactly (same definition, shapes from two independent shape
inferences); parameters within 1% (tpusim counts only tensors ops read as
weights, the reference every float constant).
usage: compare_counts.py LABEL TPUSIM.json REFERENCE.json"""
import json
import sys

label, ours_path, ref_path = sys.argv[1:4]
ours = json.load(open(ours_path))["totals"]
ref = json.load(open(ref_path))
problems = []
if ours["macs"] != ref["macs"]:
    problems.append("MACs %d, independent count %d" % (ours["macs"], ref["macs"]))
if abs(ours["params"] - ref["params"]) > 0.01 * max(ref["params"], 1):
    problems.append("params %d, independent count %d" % (ours["params"], ref["params"]))
if problems:
    print("FAIL: %s: %s" % (label, "; ".join(problems)))
    sys.exit(1)
