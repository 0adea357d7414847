# Sourced by run.sh: `compare --set-a/--set-b` and --set CHIP:KEY=V reach one side only.
M50=zoo:resnet-50
"$CLI" compare $M50 --chips tpu_v3,tpu_v4i --format json >"$tmp/cmp0.json" 2>"$tmp/err"
"$CLI" compare $M50 --chips tpu_v3,tpu_v4i --set-b hbm.bandwidth_gbps=300 --format json \
    >"$tmp/cmp_b.json" 2>>"$tmp/err"
"$CLI" compare $M50 --chips tpu_v3,tpu_v4i --set tpu_v4i:hbm.bandwidth_gbps=300 --format json \
    >"$tmp/cmp_chip.json" 2>>"$tmp/err"
"$CLI" run $M50 --chip tpu_v4i --set hbm.bandwidth_gbps=300 --format json >"$tmp/run_b.json" 2>>"$tmp/err"
if $PY -c '
import json, sys
base, b, chip, run = (json.load(open(f)) for f in sys.argv[1:5])
m0, mb, mc = base["models"][0], b["models"][0], chip["models"][0]
assert mb["a_latency_us"] == m0["a_latency_us"], "the override reached side A"
assert mb["b_latency_us"] > m0["b_latency_us"], "a third of the bandwidth did not slow B"
assert mb["b_latency_us"] == run["latency_us"], (mb["b_latency_us"], run["latency_us"])
assert b["overrides"] == [[], ["hbm.bandwidth_gbps=300"]], b["overrides"]
assert chip["overrides"] == b["overrides"] and mc["b_latency_us"] == mb["b_latency_us"]
assert base["overrides"] == [[], []]
' "$tmp/cmp0.json" "$tmp/cmp_b.json" "$tmp/cmp_chip.json" "$tmp/run_b.json" 2>>"$tmp/err"; then
    pass
else
    fail "compare --set-b: $(tail -n 3 "$tmp/err")"
fi
run "compare header overrides" 0 "overrides: A tpu_v3: mxu.per_core=1, chip.clock_mhz=800; B tpu_v4i: chip.clock_mhz=800, hbm.bandwidth_gbps=300" \
    "$CLI" compare $M50 --chips tpu_v3,tpu_v4i --engine fast --set-b hbm.bandwidth_gbps=300 \
    --set tpu_v3:mxu.per_core=1 --set chip.clock_mhz=800
run "compare --set same chip" 2 "both sides run that chip; use --set-a or --set-b" \
    "$CLI" compare $M50 --chips tpu_v3,tpu_v3 --set tpu_v3:hbm.bandwidth_gbps=300
run "compare --set other chip" 2 "names neither chip" \
    "$CLI" compare $M50 --chips tpu_v3,tpu_v4i --set tpu_v2:hbm.bandwidth_gbps=300
run "compare --set-a bad" 2 "--set-a needs SECTION.KEY=VALUE" "$CLI" compare $M50 --set-a hbm
run "compare --set-a unknown key" 1 "mxu.bogus" "$CLI" compare $M50 --set-a mxu.bogus=1
