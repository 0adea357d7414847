# Sourced by run.sh: TFLite models. Small ones written by
# tests/tools/make_tflite_models.py with python3-flatbuffers; the real
# Coral files for Edge TPU-compiled models and their twins.
tf="$tmp/tflite"
mkdir -p "$tf"
$PY "$here/../tools/make_tflite_models.py" "$tf"
coral="$MODELS/tflite/coral"

# conv.tflite: CONV_2D 3x3 SAME 3 -> 4 channels on 8x8: 8*8*4 * 3*3*3 = 6912 MACs,
# FULLY_CONNECTED 64 -> 10: 640; params 108 + 4 + 640 + 10 = 762.
expect_counts "TFLite conv, pool, fully connected" 7552 762 "$tf/conv.tflite"
run "TFLite fused ReLU6 is a Clip" 0 "Clip" "$CLI" inspect "$tf/conv.tflite"
run "unknown builtin names op index and name" 1 "op 0 (SVDF): builtin operator 27 is not supported" \
    "$CLI" inspect "$tf/unknown_builtin.tflite"
run "unknown custom op names op index and name" 1 "op 0 (MyOp): custom op 'MyOp' is not supported" \
    "$CLI" inspect "$tf/unknown_custom.tflite"
run "shape the file disagrees with" 1 "tensor 1 'y' (output of op 0): the file declares [1,5], tpusim infers [1,4]" \
    "$CLI" inspect "$tf/bad_shape.tflite"
run "tensor index out of range" 1 "op 0: input 0 is tensor 7, out of range (2 tensors)" \
    "$CLI" inspect "$tf/bad_index.tflite"

# Truncated and overwritten copies of a real file fail with a message (exit 1)
# or load (exit 0); never a crash.
src="$coral/mobilenet_v1_1.0_224_quant_embedding_extractor.tflite"
size=$(wc -c <"$src")
for cut in 4 8 100 5000 $((size / 2)) $((size - 1)); do
    head -c "$cut" "$src" >"$tf/cut_$cut.tflite"
    run "TFLite truncated at $cut of $size" 1 "cut_$cut.tflite: not a" "$CLI" inspect "$tf/cut_$cut.tflite"
done
for at in 0 4 8 12 20 64 200 1000; do
    $PY -c 'import sys; b = bytearray(open(sys.argv[1], "rb").read()); b[int(sys.argv[2])] ^= 0x5a; open(sys.argv[3], "wb").write(b)' \
        "$src" "$at" "$tf/flip_$at.tflite"
    "$CLI" inspect "$tf/flip_$at.tflite" >/dev/null 2>"$tmp/flip.err"
    rc=$?
    if [ "$rc" -le 1 ] && { [ "$rc" -eq 0 ] || [ -s "$tmp/flip.err" ]; }; then pass
    else fail "TFLite byte $at flipped: exit $rc: $(head -c 300 "$tmp/flip.err")"; fi
done

# The int8 graph runs on the Edge TPU.
run "quantized MobileNet v2 on the Edge TPU" 0 "batch 1, int8" "$CLI" run "$coral/mobilenet_v2_1.0_224_quant.tflite" --chip edgetpu
# Compiled models: the custom op said, the twin found by name or given.
run "Edge TPU-compiled model said so" 0 "its 1 edgetpu-custom-op holds the part the Edge TPU compiler mapped" \
    "$CLI" inspect "$coral/mobilenet_v1_0.25_128_quant_edgetpu.tflite"
run "twin found beside the compiled model" 0 "the Edge TPU compiler mapped 31 to the Edge TPU and left 0 on the CPU; tpusim (stack tflite-edgetpu) places 31 on the Edge TPU and 0 on the host; they agree on 31 of 31" \
    "$CLI" inspect "$coral/mobilenet_v1_0.25_128_quant_edgetpu.tflite"
# A model opened again for another batch (an uneven split over cores, a
# sweep's batches) says its notes and its twin once.
small="$coral/mobilenet_v1_0.25_128_quant_edgetpu.tflite"
for cmd in "run $small --chip tpu_v3 --batch 3 --cores 2" "sweep $small --chips edgetpu --batch 1,2,4"; do
    # shellcheck disable=SC2086 # the command's words
    n=$("$CLI" $cmd 2>&1 >/dev/null | grep -c "they agree on 31 of 31")
    if [ "$n" -eq 1 ]; then pass; else fail "tpusim $cmd: the twin said $n times, not once"; fi
done
cp "$coral/deeplabv3_mnv2_dm05_pascal_quant_edgetpu.tflite" "$tf/compiled.tflite"
run "twin given with --twin" 0 "the Edge TPU compiler mapped 64 to the Edge TPU and left 8 on the CPU" \
    "$CLI" inspect "$tf/compiled.tflite" --twin "$coral/deeplabv3_mnv2_dm05_pascal_quant.tflite"
run "twin ops the compiler and tpusim place apart" 0 "twin op 67 (CONV_2D" \
    "$CLI" inspect "$tf/compiled.tflite" --twin "$coral/deeplabv3_mnv2_dm05_pascal_quant.tflite"
run "--twin needs a compiled model" 1 "--twin compares an Edge TPU-compiled model" \
    "$CLI" inspect "$tf/conv.tflite" --twin "$tf/conv.tflite"
# The compiled deeplab leaves two convolutions on the CPU: they run on the
# host (no MXU time), not on the Edge TPU the stack would otherwise pick.
if "$CLI" run "$coral/deeplabv3_mnv2_dm05_pascal_quant_edgetpu.tflite" --chip edgetpu --format json \
    >"$tmp/dl.json" 2>/dev/null &&
    $PY -c 'import json, sys
convs = [o for o in json.load(open(sys.argv[1]))["ops"] if o["type"] == "Conv"]
sys.exit(not (len(convs) == 2 and all(o["cycles"] > 0 and o["stall_cycles"]["mxu"] == 0 for o in convs)))' "$tmp/dl.json"
then pass; else fail "compiled model's CPU convolutions do not run on the host"; fi
