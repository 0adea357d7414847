# Sourced by run.sh: every real CNN runs on gpu_v100 in fp16 and fp32.
for f in "$MODELS"/onnx/torch_export/tv_*.onnx "$MODELS"/onnx/onnx_light/*.onnx \
    "$MODELS"/onnx/onnxruntime_testdata/mnist.onnx "$MODELS"/onnx/onnxruntime_testdata/cnn_mnist_pytorch.onnx; do
    for dt in fp16 fp32; do
        if "$CLI" run "$f" --chip gpu_v100 --dtype "$dt" --format json >"$tmp/gpu.json" 2>"$tmp/err" &&
            $PY -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["total_cycles"] > 0 and d["chip"] == "gpu_v100"' "$tmp/gpu.json"; then
            pass
        else
            fail "gpu_v100 $dt $(basename "$f"): $(head -c 300 "$tmp/err")"
        fi
    done
done
run "gpu bf16 refused" 1 "fp16 or fp32" "$CLI" run --chip gpu_v100 --dtype bf16
run "gpu framework overhead flag" 2 "--framework-overhead-us needs" "$CLI" run --chip gpu_v100 --framework-overhead-us -1
