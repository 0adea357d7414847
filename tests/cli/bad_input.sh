# Sourced by run.sh: bad input gets its own clear error naming the file,
# exit status 1, never a crash or a hang.
$PY "$here/../tools/make_bad_models.py" "$tmp"
: >"$tmp/empty.onnx"
run "empty file" 1 "empty.onnx: the file is empty" "$CLI" inspect "$tmp/empty.onnx"
run "missing file" 1 "nope.onnx: cannot open: No such file" "$CLI" inspect "$tmp/nope.onnx"
run "directory" 1 "cannot read" "$CLI" inspect "$tmp"
run "random bytes" 1 "random.onnx: " "$CLI" inspect "$tmp/random.onnx"
run "cycle" 1 "the graph has a cycle" "$CLI" inspect "$tmp/cycle.onnx"
run "missing input" 1 "input 'ghost' is not produced by any node" "$CLI" inspect "$tmp/missing_input.onnx"
run "unknown op" 1 "op type 'FancyOp' (domain 'ai.onnx') is not supported" "$CLI" inspect "$tmp/unknown_op.onnx"
run "custom domain" 1 "node 'cr': op type 'Relu' (domain 'com.example') is not supported" "$CLI" inspect "$tmp/custom_domain.onnx"
run "zero dim" 1 "zero-size dimension at axis 1" "$CLI" inspect "$tmp/zero_dim.onnx"
run "huge dim" 1 "absurdly large" "$CLI" inspect "$tmp/huge_dim.onnx"
run "unbound dim" 1 "symbolic dimension 'seq': bind it with --dim seq=VALUE" "$CLI" inspect "$tmp/unbound_dim.onnx"
run "bound dim" 0 "total:" "$CLI" inspect "$tmp/unbound_dim.onnx" --dim seq=4
run "dim typo" 1 "--dim sqe matches no dimension" "$CLI" inspect "$tmp/unbound_dim.onnx" --dim seq=4 --dim sqe=2
run "3,000 nested Ifs" 1 "nested_if.onnx: ONNX model nested deeper than 100 messages" "$CLI" inspect "$tmp/nested_if.onnx"
run "bad reshape" 1 "node 'rs' (Reshape)" "$CLI" inspect "$tmp/bad_reshape.onnx"

# Truncated copies of a real model, cut at several points.
src="$MODELS/onnx/torch_export/tv_resnet18_light.onnx"
size=$(wc -c <"$src")
for cut in 1 2 16 100 1000 10000 $((size / 2)) $((size - 100)) $((size - 1)); do
    head -c "$cut" "$src" >"$tmp/cut_$cut.onnx"
    run "truncated at $cut of $size" 1 "cut_$cut.onnx: " "$CLI" inspect "$tmp/cut_$cut.onnx"
done
