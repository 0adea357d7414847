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
# Names from the file: control bytes escaped in text, JSON valid UTF-8.
run "escaped names run" 0 'evil\x1B[2J\x07relu' "$CLI" run "$tmp/escape_names.onnx"
if grep -q "$(printf '\033')" "$tmp/out"; then fail "raw ESC in run's text output"; else pass; fi
run "escaped names inspect" 0 'bad_utf8_\xC2\x9B[31mINVER' "$CLI" inspect "$tmp/escape_names.onnx"
run "escaped names json" 0 '"evil\u001b[2J\u0007relu"' "$CLI" run "$tmp/escape_names.onnx" --format json
if $PY -c 'import json,sys; d=json.loads(open(sys.argv[1],"rb").read().decode("utf-8")); \
names=[o["name"] for o in d["ops"]]; assert "bad_utf8_\u009b[31mINVER" in names, names' \
    "$tmp/out" 2>"$tmp/err"; then pass; else fail "json of escape_names: $(head -c 300 "$tmp/err")"; fi
run "escaped names csv" 0 'evil\x1B[2J\x07relu' "$CLI" run "$tmp/escape_names.onnx" --format csv
run "escaped names trace" 0 "" "$CLI" run "$tmp/escape_names.onnx" --trace "$tmp/esc.json.gz"
if $PY -c 'import gzip,json,sys; json.loads(gzip.open(sys.argv[1]).read().decode("utf-8"))' \
    "$tmp/esc.json.gz" 2>"$tmp/err"; then pass; else fail "trace of escape_names: $(head -c 300 "$tmp/err")"; fi

# Silent acceptances, now refused (each used to exit 0).
run "batch without batch axis" 1 "batch 2: no input has a batch axis to take it (axis 0 of input 'v' is 268435456" \
    "$CLI" run "$tmp/no_batch_axis.onnx" --batch 2
run "batch 1 without batch axis" 0 "" "$CLI" inspect "$tmp/no_batch_axis.onnx" --batch 1
run "duplicate inputs" 1 "graph input 'x' is listed twice with different shapes" "$CLI" inspect "$tmp/dup_inputs.onnx"
run "no outputs" 1 "no_outputs.onnx: ONNX graph declares no outputs" "$CLI" inspect "$tmp/no_outputs.onnx"
run "compare comma" 2 "tpusim compare: empty model name in ','" "$CLI" compare ,
run "set two keys" 1 "--set 'mxu.rows=64;mxu.cols=64': one key per --set" \
    "$CLI" run --set 'mxu.rows=64;mxu.cols=64'
run "batch too large" 2 "--batch needs a whole number from 1 to 4294967296, got '1000000000000'" \
    "$CLI" run --batch 1000000000000
run "bad reshape" 1 "node 'rs' (Reshape)" "$CLI" inspect "$tmp/bad_reshape.onnx"

# Truncated copies of a real model, cut at several points.
src="$MODELS/onnx/torch_export/tv_resnet18_light.onnx"
size=$(wc -c <"$src")
for cut in 1 2 16 100 1000 10000 $((size / 2)) $((size - 100)) $((size - 1)); do
    head -c "$cut" "$src" >"$tmp/cut_$cut.onnx"
    run "truncated at $cut of $size" 1 "cut_$cut.onnx: " "$CLI" inspect "$tmp/cut_$cut.onnx"
done

# --batch binds a symbolic leading dimension by its name, and says so.
run "batch binds a named dim" 0 "--batch 3 bound the symbolic dimension 'seq'" "$CLI" inspect "$tmp/unbound_dim.onnx" --batch 3
