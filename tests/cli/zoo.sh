# Sourced by run.sh: `tpusim zoo` (the list, export) and zoo:NAME as a model.
run "zoo lists efficientnet-x-b3" 0 "efficientnet-x-b3" "$CLI" zoo
run "zoo lists published figures" 0 "0.39 G" "$CLI" zoo
run "zoo csv" 0 "name,macs,params" "$CLI" zoo --format csv
run "zoo help" 0 "zoo export NAME" "$CLI" zoo --help
run "zoo run" 0 "zoo:efficientnet-x-b3" "$CLI" run zoo:efficientnet-x-b3 --chip tpu_v3
run "zoo inspect" 0 "GMACs" "$CLI" inspect zoo:efficientnet-x-b3
run "zoo report" 0 "efficientnet-x-b3" "$CLI" report zoo:efficientnet-x-b3 --chip tpu_v4i
run "zoo compare" 0 "speedup" "$CLI" compare zoo:efficientnet-x-b3 --chips tpu_v2,tpu_v4i
run "builtin takes zoo names" 0 "MMACs" "$CLI" inspect builtin:mobilenet-v2
run "zoo unknown family" 1 "no model family named 'efficientnet-b9'" "$CLI" inspect zoo:efficientnet-b9
run "zoo export needs -o" 2 "needs NAME and -o" "$CLI" zoo export resnet-50
run "zoo export unknown" 1 "efficientnet-b9" "$CLI" zoo export efficientnet-b9 -o "$tmp/x.onnx"
run "zoo export bad dir" 1 "cannot write" "$CLI" zoo export resnet-50 -o "$tmp/no/such/dir.onnx"
# Exported files pass the ONNX checker, re-import with the same totals, and
# their MACs and parameters agree with an independent count
# (tests/tools/onnx_count.py: onnx's own shape inference, no tpusim code).
for m in efficientnet-b0 efficientnet-x-b3 efficientnet-edgetpu-s mobilenet-edgetpu-v2 resnet-50 \
    bert-base byte-qrnn; do
    if ! "$CLI" zoo export "$m" -o "$tmp/$m.onnx" 2>"$tmp/err"; then
        fail "zoo export $m: $(head -c 400 "$tmp/err")"
        continue
    fi
    if $PY -c "import onnx, sys; onnx.checker.check_model(onnx.load(sys.argv[1]))" "$tmp/$m.onnx" \
        2>"$tmp/err"; then pass; else fail "onnx.checker rejects $m: $(tail -c 400 "$tmp/err")"; fi
    a=$("$CLI" inspect "zoo:$m" | grep '^total:')
    b=$("$CLI" inspect "$tmp/$m.onnx" | grep '^total:')
    if [ -n "$a" ] && [ "$a" = "$b" ]; then pass; else fail "zoo $m re-import: '$a' vs '$b'"; fi
    # onnx_count.py counts parameters in initializers; the export writes
    # weights as shape-only graph inputs instead, so their elements (float,
    # more than one, every input after the first, which is the model's data
    # input) are added to its count by the same rule.
    if ! $PY "$here/../tools/onnx_count.py" "$tmp/$m.onnx" >"$tmp/ref.json" 2>"$tmp/err" ||
        ! $PY -c '
import json, sys, onnx
from onnx import TensorProto
ref = json.load(open(sys.argv[2]))
floats = (TensorProto.FLOAT, TensorProto.FLOAT16, TensorProto.DOUBLE, TensorProto.BFLOAT16)
for i in onnx.load(sys.argv[1]).graph.input[1:]:
    n = 1
    for d in i.type.tensor_type.shape.dim:
        n *= d.dim_value
    if i.type.tensor_type.elem_type in floats and n > 1:
        ref["params"] += n
json.dump(ref, open(sys.argv[2], "w"))
' "$tmp/$m.onnx" "$tmp/ref.json" 2>>"$tmp/err"; then
        fail "zoo $m: independent count failed: $(tail -c 400 "$tmp/err")"
        continue
    fi
    "$CLI" inspect "zoo:$m" --format json >"$tmp/model.json" 2>"$tmp/err"
    if $PY "$here/../tools/compare_counts.py" "zoo:$m" "$tmp/model.json" "$tmp/ref.json"; then
        pass
    else
        fail "zoo $m: counts differ from the independent count (above)"
    fi
    # EfficientNet-B0 against the published figure (Tan & Le 2019, Table 2:
    # 0.39 B FLOPs, multiply-adds): the printed digits stand for 0.385..0.395 G;
    # accepted within 2% of that interval (zoo_matches' tolerance), i.e.
    # 0.3773..0.4029 G, on the independent count.
    if [ "$m" = efficientnet-b0 ]; then
        if $PY -c '
import json, sys
macs = json.load(open(sys.argv[1]))["macs"]
sys.exit(0 if 0.385e9 * 0.98 <= macs <= 0.395e9 * 1.02 else "%d MACs" % macs)
' "$tmp/ref.json" 2>"$tmp/err"; then
            pass
        else
            fail "zoo efficientnet-b0: independent MAC count outside 0.39 G +-2%: $(cat "$tmp/err")"
        fi
    fi
done
