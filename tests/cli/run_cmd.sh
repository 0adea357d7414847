# Sourced by run.sh: `tpusim run`.
run "run help" 0 "--chip NAME" "$CLI" run --help
run "run default" 0 "total:" "$CLI" run
run "run bad chip" 1 "nosuchchip" "$CLI" run --chip nosuchchip
run "run bad dtype" 2 "--dtype must be" "$CLI" run --dtype fp8
run "run bad set" 2 "--set needs SECTION.KEY=VALUE" "$CLI" run --set mxu
run "run unknown set key" 1 "mxu.bogus" "$CLI" run --set mxu.bogus=3
run "run edgetpu bf16" 1 "int8" "$CLI" run --chip edgetpu --dtype bf16
run "run too many cores" 2 "--cores 4 but tpu_v3 has 2" "$CLI" run --cores 4
run "run csv" 0 "index,name,type" "$CLI" run --format csv
run "run real model" 0 "total:" "$CLI" run "$MODELS/onnx/torch_export/tv_resnet50_light.onnx" --chip tpu_v4i

# JSON carries the documented fields; the same run twice is bit-identical.
# Both runs must succeed with output: two failures would compare equal too.
if "$CLI" run "$MODELS/onnx/torch_export/tv_mobilenet_v2.onnx" --format json >"$tmp/a.json" 2>"$tmp/err" &&
    "$CLI" run "$MODELS/onnx/torch_export/tv_mobilenet_v2.onnx" --format json >"$tmp/b.json" 2>>"$tmp/err" &&
    [ -s "$tmp/a.json" ] && cmp -s "$tmp/a.json" "$tmp/b.json"; then
    pass
else
    fail "run JSON twice: failed, empty or different; stderr: $(head -c 400 "$tmp/err")"
fi
if $PY -c '
import json, sys
d = json.load(open(sys.argv[1]))
need = ["chip", "model", "batch", "dtype", "total_cycles", "latency_us", "flops", "peak_flops_per_s", "ops"]
missing = [k for k in need if k not in d]
assert not missing, missing
for op in d["ops"]:
    for k in ["name", "type", "cycles", "flops", "bytes", "bound"]:
        assert k in op, (k, op)
assert d["total_cycles"] == sum(op["cycles"] for op in d["ops"]), "ops do not add up"
assert d["chip"] == "tpu_v3" and d["dtype"] == "bfloat16" and d["batch"] == 1
' "$tmp/a.json" 2>"$tmp/err"; then pass; else fail "run JSON fields: $(tail -n 2 "$tmp/err")"; fi

# Energy: the model's energy_uj and avg_power_w, each op's energy_uj; the
# parts add up to the whole, the ops to the model, and power is energy
# over time.
if $PY -c '
import json, sys
d = json.load(open(sys.argv[1]))
e, w = d["energy_uj"], d["avg_power_w"]
assert e > 0 and w > 0, (e, w)
assert abs(sum(d["energy_uj_by_part"].values()) - e) <= 1e-9 * e, d["energy_uj_by_part"]
assert abs(w - e / d["latency_us"]) <= 1e-9 * w, (w, e, d["latency_us"])
ops = sum(op["energy_uj"] for op in d["ops"])
assert abs(ops - e) <= 1e-9 * e, (ops, e)
assert d["peak_power_w"] >= w and d["tops_per_w"] > 0 and d["inferences_per_j"] > 0
' "$tmp/a.json" 2>"$tmp/err"; then pass; else fail "run JSON energy: $(tail -n 2 "$tmp/err")"; fi
"$CLI" run --chip edgetpu --format csv >"$tmp/e.csv" 2>"$tmp/err"
if $PY -c '
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert rows and all(float(r["energy_uj"]) >= 0 and float(r["avg_power_w"]) >= 0 for r in rows)
assert any(float(r["energy_uj"]) > 0 for r in rows)
' "$tmp/e.csv" 2>"$tmp/err"; then pass; else fail "run CSV energy columns: $(tail -n 2 "$tmp/err")"; fi
run "run text energy" 0 "energy: " "$CLI" run --chip tpu_v4i

# --no-fusion is slower than the default on a CNN with fused activations.
"$CLI" run "$MODELS/onnx/torch_export/tv_mobilenet_v2.onnx" --no-fusion --format json >"$tmp/c.json" 2>"$tmp/err"
if $PY -c '
import json, sys
a = json.load(open(sys.argv[1])); c = json.load(open(sys.argv[2]))
assert c["total_cycles"] > a["total_cycles"], (c["total_cycles"], a["total_cycles"])
' "$tmp/a.json" "$tmp/c.json"; then pass; else fail "--no-fusion is not slower"; fi
