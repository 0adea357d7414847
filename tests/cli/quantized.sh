# Sourced by run.sh: quantized ONNX graphs written by
# tests/tools/make_quant_models.py. Conv: 4 x 8 x 8 outputs x (3 x 3 x 3)
# taps = 6912 MACs, 108 weights + 4 biases; MatMul [2,16] x [16,8] = 256
# MACs, 128 weights.
qm="$tmp/quant"
mkdir -p "$qm"
$PY "$here/../tools/make_quant_models.py" "$qm"

expect_counts "QDQ conv" 6912 112 "$qm/qdq_conv.onnx"
expect_counts "QLinearConv" 6912 112 "$qm/qlinear_conv.onnx"
expect_counts "ConvInteger" 6912 108 "$qm/conv_integer.onnx"
expect_counts "QLinearMatMul" 256 128 "$qm/qlinear_matmul.onnx"
expect_counts "DynamicQuantizeLinear + MatMulInteger" 256 128 "$qm/dynamic_matmul_integer.onnx"
# The Q/DQ pairs around the conv fold into it: the input's QuantizeLinear,
# the conv and the output's DequantizeLinear remain.
run "QDQ pairs fold into the conv" 0 "total: 3 ops" "$CLI" inspect "$qm/qdq_conv.onnx"
# The matrix ops' dtype comes from the graph; --dtype overrides it, saying so.
run "quantized graph runs int8" 0 "batch 1, int8" "$CLI" run "$qm/qdq_conv.onnx" --chip tpu_v4i
run "QLinearMatMul runs int8" 0 "batch 1, int8" "$CLI" run "$qm/qlinear_matmul.onnx" --chip tpu_v4i
run "--dtype overrides the graph's" 0 "the graph's matrix ops are int8; --dtype bfloat16 overrides that" \
    "$CLI" run "$qm/qlinear_conv.onnx" --chip tpu_v4i --dtype bf16
run "float graph keeps the chip's default" 0 "batch 1, bfloat16" "$CLI" run "$MODELS/onnx/onnxruntime_testdata/mnist.onnx" --chip tpu_v4i
