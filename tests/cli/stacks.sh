# Sourced by run.sh: `tpusim stacks` (the list, --dump, --stack-set) and its errors.
for s in xla tensorrt pytorch-eager paddle-inference tflite-edgetpu cudnn-direct; do
    run "stacks lists $s" 0 "$s" "$CLI" stacks
done
run "stacks names defaults" 0 "tpu_v2,tpu_v3,tpu_v4i" "$CLI" stacks
run "stacks help" 0 "--stack-set S.KEY=VALUE" "$CLI" stacks --help
run "stacks dump fusion" 0 "fusion.into_matrix" "$CLI" stacks --dump tensorrt
run "stacks dump source" 0 "source: NVIDIA/tacotron2 issue #183" "$CLI" stacks --dump tensorrt
run "stacks dump unit" 0 "µs/inference" "$CLI" stacks --dump pytorch-eager
run "stacks dump ini path" 0 "layout.tile_minor_16bit_elems" \
    "$CLI" stacks --dump "$root/models/stacks/xla.ini"
run "stacks set noted" 0 "override (--stack-set)" \
    "$CLI" stacks --dump xla --stack-set overhead.gap_us_per_kernel=2
run "stacks unknown stack" 1 "unknown stack 'xla9'" "$CLI" stacks --dump xla9
run "stacks unknown set key" 1 "overhead.banana: unknown key" \
    "$CLI" stacks --dump xla --stack-set overhead.banana=1
run "stacks bad set value" 1 "overhead.gap_us_per_kernel: -3 is outside [0, 1e+06]" \
    "$CLI" stacks --dump xla --stack-set overhead.gap_us_per_kernel=-3
run "stacks set without dump" 2 "--stack-set needs --dump" \
    "$CLI" stacks --stack-set overhead.gap_us_per_kernel=2
run "stacks unknown flag" 2 "unknown option '--bogus'" "$CLI" stacks --bogus
run "chips dump names default stack" 0 "compiler.default_stack" "$CLI" chips --dump gpu_v100
run "chips list shows stack" 0 "tflite-edgetpu" "$CLI" chips

# --stack on run, report and compare.
run "run names its stack" 0 "on gpu_v100 under pytorch-eager" \
    "$CLI" run --chip gpu_v100 --stack pytorch-eager
run "run default stack" 0 "on tpu_v3 under xla" "$CLI" run --chip tpu_v3
run "run says the first op holds the invocation" 0 "include paddle-inference's per-inference cost" "$CLI" run --chip gpu_v100 --stack paddle-inference
run "run stack path" 0 "under tensorrt" \
    "$CLI" run --chip gpu_v100 --stack "$root/models/stacks/tensorrt.ini"
run "run stack not targeted" 1 "stack 'tensorrt' does not run on chip 'tpu_v3'" \
    "$CLI" run --chip tpu_v3 --stack tensorrt
run "run unknown stack" 1 "unknown stack 'pytorch'" "$CLI" run --chip gpu_v100 --stack pytorch
run "run stack-set unknown key" 1 "--stack-set 'fusion.into_gemm=all': fusion.into_gemm: unknown key" \
    "$CLI" run --chip gpu_v100 --stack-set fusion.into_gemm=all
run "run stack-set malformed" 2 "--stack-set needs SECTION.KEY=VALUE" \
    "$CLI" run --chip gpu_v100 --stack-set gap
run "run stack needs a value" 2 "option --stack needs a value" "$CLI" run --stack
# JSON and CSV metadata name the stack; eager is slower than TensorRT, by launches.
"$CLI" run zoo:resnet-50 --chip gpu_v100 --format json >"$tmp/trt.json" 2>"$tmp/err" &&
"$CLI" run zoo:resnet-50 --chip gpu_v100 --stack pytorch-eager --format json >"$tmp/eager.json" \
    2>>"$tmp/err"
if $PY - "$tmp/trt.json" "$tmp/eager.json" <<'PYEOF'; then pass; else fail "run --stack json: $(head -c 300 "$tmp/err")"; fi
import json, sys
trt, eager = (json.load(open(p)) for p in sys.argv[1:3])
assert trt["stack"] == "tensorrt" and eager["stack"] == "pytorch-eager", (trt["stack"], eager["stack"])
assert eager["invocation_cycles"] == 9180 and trt["invocation_cycles"] == 0
diff = eager["total_cycles"] - trt["total_cycles"]
launch = eager["cycles_by_cause"]["launch"] - trt["cycles_by_cause"]["launch"]
assert diff > 0 and launch > 0.75 * diff, (diff, launch)
PYEOF
"$CLI" run --chip edgetpu --format csv >"$tmp/run.csv" 2>"$tmp/err"
if head -1 "$tmp/run.csv" | grep -q ",stack$" && sed -n 2p "$tmp/run.csv" | grep -q ",tflite-edgetpu$"; then
    pass
else
    fail "run csv stack column: $(head -2 "$tmp/run.csv")"
fi
run "report names its stack" 0 "on gpu_v100 under pytorch-eager" \
    "$CLI" report --chip gpu_v100 --stack pytorch-eager
run "report json stack" 0 '"stack": "paddle-inference"' \
    "$CLI" report --chip gpu_v100 --stack paddle-inference --format json
run "report csv stack" 0 ",stack" "$CLI" report --chip tpu_v4i --format csv
run "compare defaults per side" 0 "tpu_v2 (xla) -> gpu_v100 (tensorrt)" \
    "$CLI" compare --chips tpu_v2,gpu_v100
run "compare stacks per side" 0 "gpu_v100 (tensorrt) -> gpu_v100 (pytorch-eager)" \
    "$CLI" compare --chips gpu_v100,gpu_v100 --stacks tensorrt,pytorch-eager
run "compare side names" 0 "gpu_v100 under pytorch-eager" \
    "$CLI" compare --chips gpu_v100,gpu_v100 --stacks tensorrt,pytorch-eager
run "compare json stacks" 0 '"stacks": ["tensorrt", "paddle-inference"]' \
    "$CLI" compare --chips gpu_v100,gpu_v100 --stacks tensorrt,paddle-inference --format json
run "compare one stack both sides" 0 "gpu_v100 (pytorch-eager) -> gpu_v100 (pytorch-eager)" \
    "$CLI" compare --chips gpu_v100,gpu_v100 --stack pytorch-eager
run "compare stack not targeted" 1 "does not run on chip 'tpu_v3'" \
    "$CLI" compare --chips gpu_v100,tpu_v3 --stack tensorrt
run "compare stack and stacks" 2 "give one of them" \
    "$CLI" compare --stack xla --stacks xla,xla
run "compare bad stacks" 2 "--stacks needs two stacks" "$CLI" compare --stacks xla
"$CLI" run --chip gpu_v100 --stack pytorch-eager --trace "$tmp/stack.json.gz" >/dev/null 2>"$tmp/err"
if $PY -c 'import gzip,json,sys; d=json.load(gzip.open(sys.argv[1])); assert d["otherData"]["stack"] == "pytorch-eager"' \
    "$tmp/stack.json.gz" 2>>"$tmp/err"; then pass; else fail "trace names the stack: $(head -c 300 "$tmp/err")"; fi
