# Sourced by run.sh: `tpusim zoo` (the list, export) and zoo:NAME as a model.
run "zoo lists efficientnet-x-b3" 0 "efficientnet-x-b3" "$CLI" zoo
run "zoo lists published figures" 0 "0.39 G" "$CLI" zoo
run "zoo csv" 0 "name,macs,params" "$CLI" zoo --format csv
run "zoo help" 0 "zoo export NAME" "$CLI" zoo --help
run "zoo run" 0 "zoo:efficientnet-x-b3" "$CLI" run zoo:efficientnet-x-b3 --chip tpu_v3
run "zoo inspect" 0 "4.33 GMACs" "$CLI" inspect zoo:efficientnet-x-b3
run "zoo report" 0 "efficientnet-x-b3" "$CLI" report zoo:efficientnet-x-b3 --chip tpu_v4i
run "zoo compare" 0 "speedup" "$CLI" compare zoo:efficientnet-x-b3 --chips tpu_v2,tpu_v4i
run "builtin takes zoo names" 0 "MMACs" "$CLI" inspect builtin:mobilenet-v2
run "zoo unknown family" 1 "no model family named 'efficientnet-b9'" "$CLI" inspect zoo:efficientnet-b9
run "zoo export needs -o" 2 "needs NAME and -o" "$CLI" zoo export resnet-50
run "zoo export unknown" 1 "efficientnet-b9" "$CLI" zoo export efficientnet-b9 -o "$tmp/x.onnx"
run "zoo export bad dir" 1 "cannot write" "$CLI" zoo export resnet-50 -o "$tmp/no/such/dir.onnx"
# Exported files pass the ONNX checker and re-import with the same MACs.
for m in efficientnet-x-b3 efficientnet-edgetpu-s mobilenet-edgetpu-v2 resnet-50 bert-base byte-qrnn; do
    if ! "$CLI" zoo export "$m" -o "$tmp/$m.onnx" 2>"$tmp/err"; then
        fail "zoo export $m: $(head -c 400 "$tmp/err")"
        continue
    fi
    if $PY -c "import onnx, sys; onnx.checker.check_model(onnx.load(sys.argv[1]))" "$tmp/$m.onnx" \
        2>"$tmp/err"; then pass; else fail "onnx.checker rejects $m: $(tail -c 400 "$tmp/err")"; fi
    a=$("$CLI" inspect "zoo:$m" | grep '^total:')
    b=$("$CLI" inspect "$tmp/$m.onnx" | grep '^total:')
    if [ -n "$a" ] && [ "$a" = "$b" ]; then pass; else fail "zoo $m re-import: '$a' vs '$b'"; fi
done
