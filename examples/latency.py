"""latency.py — an ONNX file and a builder-made network on three chips.
usage: python3 examples/latency.py MODEL.onnx"""
import os
import sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
import tpusim  # noqa: E402

built = tpusim.Graph()
built.add_input("x", [1, 3, 224, 224])
built.add_conv2d("conv1", "x", "y", 64, kernel=7, stride=2, pad=3)
built.add_op("Relu", "relu1", ["y"], ["z"])
built.finalize()
net = (tpusim.Net((1, 3, 224, 224)).add("conv", 32, stride=2, act="swish")
       .add("dw_ibn", 24, stride=2, expand=6, act="swish", se=True).add("head", 1280))

# Parsed once: a Graph is read-only to a query and serves every chip.
model = tpusim.Graph.onnx(sys.argv[1])
for name in ("tpu_v3", "tpu_v4i", "edgetpu"):
    chip = tpusim.Chip(name)
    onnx = chip.latency(model)
    print("%-8s onnx %9.1f us %9.1f uJ %6.2f W (%s-bound first op)  builder %8.1f us  "
          "net %8.1f us" % (
              name, onnx["seconds"] * 1e6, onnx["energy_uj"], onnx["avg_power_w"],
              onnx["ops"][0]["bound"], chip.latency(built)["seconds"] * 1e6,
              chip.seconds(net) * 1e6))
