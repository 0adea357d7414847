# Sourced by run.sh: `tpusim sweep`, its shards (GNU parallel), merge and resume.
R18="$MODELS/onnx/torch_export/tv_resnet18_light.onnx"
# 2 models x 2 chips x 2 batches x 2 bandwidths = 16 points.
sweep_args="$R18 zoo:mobilenet-v2 --chips tpu_v3,tpu_v4i --batch 1,8 --axis hbm.bandwidth_gbps=300,1800 --quiet"

run "sweep help" 0 "--shard I/N" "$CLI" sweep --help
# shellcheck disable=SC2086
run "sweep single" 0 "" "$CLI" sweep $sweep_args -j2 -o "$tmp/single.csv"

# One row per point of the cross product, each point once, ids 0..15.
if $PY -c '
import csv, itertools, sys
lines = open(sys.argv[1]).read().splitlines()
assert lines[0].startswith("# tpusim sweep "), lines[0]
assert ", 16 points, engine fast" in lines[0], lines[0]
rows = list(csv.DictReader(lines[1:]))
assert len(rows) == 16, len(rows)
assert sorted(int(r["point"]) for r in rows) == list(range(16))
got = sorted((r["model"], r["chip"], r["batch"], r["hbm.bandwidth_gbps"]) for r in rows)
want = sorted(itertools.product([sys.argv[2], "zoo:mobilenet-v2"], ["tpu_v3", "tpu_v4i"],
                                ["1", "8"], ["300", "1800"]))
assert got == want, (got, want)
for r in rows:
    assert int(r["cycles"]) > 0 and r["bound"] in ("mxu", "vpu", "hbm", "weight_load", "fill_drain")
    # latency is the cycles at the chip clock; time by cause sums to it
    causes = sum(float(v) for k, v in r.items() if k.endswith("_us") and k != "latency_us")
    assert abs(causes - float(r["latency_us"])) < 1e-6 * float(r["latency_us"]), r
# 6x the bandwidth never makes a point slower
by = {}
for r in rows:
    by.setdefault((r["model"], r["chip"], r["batch"]), {})[r["hbm.bandwidth_gbps"]] = float(r["latency_us"])
for k, v in by.items():
    assert v["1800"] <= v["300"], (k, v)
' "$tmp/single.csv" "$R18" 2>"$tmp/err"; then pass; else fail "sweep rows: $(tail -n 3 "$tmp/err")"; fi

# A row equals `tpusim run` of the same point with --set (another path through the CLI).
"$CLI" run "$R18" --chip tpu_v4i --batch 8 --set hbm.bandwidth_gbps=300 --engine fast \
    --format json >"$tmp/run.json" 2>"$tmp/err"
if $PY -c '
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1]).read().splitlines()[1:]))
r = [r for r in rows if r["model"] == sys.argv[3] and r["chip"] == "tpu_v4i" and r["batch"] == "8"
     and r["hbm.bandwidth_gbps"] == "300"]
assert len(r) == 1, r
d = json.load(open(sys.argv[2]))
assert int(r[0]["cycles"]) == d["total_cycles"], (r[0]["cycles"], d["total_cycles"])
assert abs(float(r[0]["latency_us"]) - d["latency_us"]) <= 1e-9 * d["latency_us"]
# energy: the same as in run, and its parts sum to it
for k in ("energy_uj", "avg_power_w"):
    assert abs(float(r[0][k]) - d[k]) <= 1e-9 * d[k], (k, r[0][k], d[k])
parts = {k[len("energy_"):-len("_uj")]: float(v) for k, v in r[0].items()
         if k.startswith("energy_") and k != "energy_uj"}
assert parts.keys() == d["energy_uj_by_part"].keys(), parts.keys()
assert abs(sum(parts.values()) - d["energy_uj"]) <= 1e-9 * d["energy_uj"], parts
' "$tmp/single.csv" "$tmp/run.json" "$R18" 2>"$tmp/err"; then pass; else fail "sweep row vs run: $(tail -n 3 "$tmp/err")"; fi

# Four shards under GNU parallel, merged: the single run's rows, byte for byte.
# shellcheck disable=SC2086
if parallel --will-cite "$CLI" sweep $sweep_args -j1 --shard {}/4 -o "$tmp/shard{}.csv" ::: 1 2 3 4 \
    2>"$tmp/err" &&
    "$CLI" sweep merge "$tmp"/shard1.csv "$tmp"/shard2.csv "$tmp"/shard3.csv "$tmp"/shard4.csv \
        -o "$tmp/merged.csv" 2>>"$tmp/err" &&
    "$CLI" sweep merge "$tmp/single.csv" -o "$tmp/single_sorted.csv" 2>>"$tmp/err" &&
    [ "$(wc -l <"$tmp/merged.csv")" -eq 18 ] && cmp -s "$tmp/merged.csv" "$tmp/single_sorted.csv" &&
    [ "$(sed 1,2d "$tmp/single.csv" | sort -t, -k1,1n)" = "$(sed 1,2d "$tmp/merged.csv")" ] &&
    grep -q "^# tpusim sweep .*, shard 3/4$" "$tmp/shard3.csv"; then
    pass
else
    fail "sweep shards: merge differs from the single run: $(head -c 400 "$tmp/err")"
fi
# Shard 2/4 holds exactly the points with id % 4 == 1.
if [ "$(sed 1,2d "$tmp/shard2.csv" | cut -d, -f1 | sort -n | tr '\n' ' ')" = "1 5 9 13 " ]; then
    pass
else
    fail "sweep shard 2/4 points: $(sed 1,2d "$tmp/shard2.csv" | cut -d, -f1 | tr '\n' ' ')"
fi

# merge names missing and duplicated points, and refuses another sweep's shard.
run "sweep merge missing" 1 "4 point(s) missing: 2, 6, 10, 14" "$CLI" sweep merge \
    "$tmp/shard1.csv" "$tmp/shard2.csv" "$tmp/shard4.csv"
run "sweep merge duplicate" 1 "4 point(s) more than once: 0, 4, 8, 12" "$CLI" sweep merge \
    "$tmp/shard1.csv" "$tmp/shard1.csv" "$tmp/shard2.csv" "$tmp/shard3.csv" "$tmp/shard4.csv" -o "$tmp/x.csv"
# shellcheck disable=SC2086
"$CLI" sweep $sweep_args --axis hbm.bandwidth_gbps=300,900 --shard 1/4 -o "$tmp/other.csv" 2>/dev/null
run "sweep merge other sweep" 1 "from another sweep" "$CLI" sweep merge \
    "$tmp/shard1.csv" "$tmp/shard2.csv" "$tmp/shard3.csv" "$tmp/other.csv"

# Resume: a run killed after 11 rows, mid-row, is finished by running it again.
head -n 13 "$tmp/single.csv" >"$tmp/resume.csv"
sed -n 14p "$tmp/single.csv" | head -c 20 >>"$tmp/resume.csv"
# shellcheck disable=SC2086
if "$CLI" sweep $sweep_args -j2 -o "$tmp/resume.csv" >/dev/null 2>"$tmp/err" &&
    "$CLI" sweep merge "$tmp/resume.csv" -o "$tmp/resume_sorted.csv" 2>>"$tmp/err" &&
    cmp -s "$tmp/resume_sorted.csv" "$tmp/single_sorted.csv"; then
    pass
else
    fail "sweep resume: result differs from the single run: $(head -c 400 "$tmp/err")"
fi
# Verbose, it says what it skipped: 11 rows kept, 5 run.
head -n 13 "$tmp/single.csv" >"$tmp/resume2.csv"
# shellcheck disable=SC2086
run "sweep resume skips" 0 "holds 11 point(s)" "$CLI" sweep ${sweep_args%--quiet} -j1 -o "$tmp/resume2.csv"
if grep -qF "5 point(s) in" "$tmp/err"; then pass; else fail "sweep resume ran: $(cat "$tmp/err")"; fi
run "sweep resume other sweep" 2 "--restart" "$CLI" sweep "$R18" -o "$tmp/resume2.csv"

# JSON Lines from the extension: a header object, then one object per point.
run "sweep jsonl" 0 "" "$CLI" sweep zoo:mobilenet-v2 --chips tpu_v3,gpu_v100 --quiet -o "$tmp/s.jsonl"
if $PY -c '
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
assert lines[0]["points"] == 2 and lines[0]["engine"] == "fast", lines[0]
rows = lines[1:]
assert sorted(r["point"] for r in rows) == [0, 1]
assert {r["chip"] for r in rows} == {"tpu_v3", "gpu_v100"}
assert {r["stack"] for r in rows} == {"xla", "tensorrt"}, rows
' "$tmp/s.jsonl" 2>"$tmp/err"; then pass; else fail "sweep jsonl: $(tail -n 3 "$tmp/err")"; fi

# The example sweep file: its 160 points.
run "sweep example file" 0 "" "$CLI" sweep "$root/examples/sweep_hbm.ini" --quiet -o "$tmp/ex.csv"
if [ "$(sed 1,2d "$tmp/ex.csv" | wc -l)" -eq 160 ]; then pass; else fail "sweep example: $(wc -l <"$tmp/ex.csv") lines"; fi

# Bad input: a clear message naming what is wrong, a non-zero exit.
run "sweep bad axis key" 2 "axis mxu.bogus = 1 on chip tpu_v3" "$CLI" sweep "$R18" --axis mxu.bogus=1
run "sweep bad axis value" 2 "axis hbm.bandwidth_gbps = -5" "$CLI" sweep "$R18" --axis hbm.bandwidth_gbps=-5
run "sweep axis not a key" 2 "--axis needs SECTION.KEY=VALUES" "$CLI" sweep "$R18" --axis bandwidth=1
run "sweep zero step" 2 "zero step" "$CLI" sweep "$R18" --axis hbm.bandwidth_gbps=100:900:0
run "sweep empty axis" 2 "no values" "$CLI" sweep "$R18" --axis hbm.bandwidth_gbps=
run "sweep shard 0/4" 2 "--shard needs I/N" "$CLI" sweep "$R18" --shard 0/4
run "sweep shard 5/4" 2 "--shard needs I/N" "$CLI" sweep "$R18" --shard 5/4
run "sweep shard junk" 2 "--shard needs I/N" "$CLI" sweep "$R18" --shard 2
run "sweep unknown chip" 1 "chip 'tpu_v9'" "$CLI" sweep "$R18" --chips tpu_v3,tpu_v9
run "sweep unknown model" 1 "nosuch.onnx" "$CLI" sweep "$tmp/nosuch.onnx" --quiet
run "sweep bad batch" 2 "batches: '0'" "$CLI" sweep "$R18" --batch 0,1
run "sweep bad dtype" 2 "dtypes: 'fp8'" "$CLI" sweep "$R18" --dtypes fp8
run "sweep no model" 2 "no models" "$CLI" sweep
run "sweep too many points" 2 "give --force" "$CLI" sweep "$R18" \
    --axis hbm.bandwidth_gbps=1:1000:1 --axis hbm.latency_ns=1:1001:1
printf '[sweep]\nmodels = zoo:resnet-50\n\n[axes]\nhbm.bandwidth_gbps = 300, 600\nmxu.per_core = 1:4:0\n' >"$tmp/bad.ini"
run "sweep file bad range" 2 "bad.ini:6: axes.mxu.per_core: range '1:4:0': zero step" "$CLI" sweep "$tmp/bad.ini"
printf '[sweep]\nmodels = zoo:resnet-50\nchip = tpu_v3\n' >"$tmp/bad.ini"
run "sweep file unknown key" 2 "bad.ini:3: sweep.chip: unknown key" "$CLI" sweep "$tmp/bad.ini"
printf '[sweep]\nmodels = zoo:resnet-50\n[axes]\nmxu.bogus = 2\n' >"$tmp/bad.ini"
run "sweep file bad axis key" 2 "bad.ini:4: axis mxu.bogus = 2" "$CLI" sweep "$tmp/bad.ini"
run "sweep merge not a sweep" 2 "not a tpusim sweep output" "$CLI" sweep merge "$tmp/bad.ini"

# sweep plot: a figure per axis and the Pareto front, which a separate
# computation from the CSV must give point for point.
run "sweep plot" 0 "2 of 16 points on the Pareto front" "$CLI" sweep plot "$tmp/single.csv" \
    -o "$tmp/fig" --pareto hbm.bandwidth_gbps,latency_us
if [ -s "$tmp/fig/latency_hbm_bandwidth_gbps.svg" ] && [ -s "$tmp/fig/pareto_hbm_bandwidth_gbps_latency_us.pdf" ] &&
    $PY -c '
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1]).read().splitlines()[1:]))
pts = [(float(r["hbm.bandwidth_gbps"]), float(r["latency_us"])) for r in rows]
front = [p for p in pts if not any(q != p and q[0] <= p[0] and q[1] <= p[1] for q in pts)]
front = sorted(set(front))
blocks = open(sys.argv[2]).read().split("\n\n\n")
got = [tuple(map(float, l.split())) for l in blocks[1].splitlines() if l and not l.startswith("#")]
assert len(got) == len(front) == 2, (got, front)
for g, f in zip(got, front):
    assert g[0] == f[0] and abs(g[1] - f[1]) <= 1e-6 * f[1], (g, f)
' "$tmp/single.csv" "$tmp/fig/pareto_hbm_bandwidth_gbps_latency_us.dat" 2>"$tmp/err"; then
    pass
else
    fail "sweep plot pareto: $(tail -n 3 "$tmp/err")"
fi
run "sweep plot bad column" 2 "no column 'nosuch'" "$CLI" sweep plot "$tmp/single.csv" -o "$tmp/fig" --pareto nosuch,latency_us
run "sweep plot jsonl" 2 "plot reads CSV" "$CLI" sweep plot "$tmp/s.jsonl" -o "$tmp/fig"

# A listed set of designs in place of chips x axes: each row the design's
# chip and settings (empty: the chip file's value), equal to tpusim run.
printf '[sweep]\nmodels = zoo:mobilenet-v2\nbatches = 1, 8\n\n[designs]\nbaseline = tpu_v3\nwide_hbm = tpu_v3: hbm.bandwidth_gbps=1800\nv4i_1mxu = tpu_v4i: mxu.per_core=1, hbm.bandwidth_gbps=600\n' >"$tmp/designs.ini"
run "sweep designs" 0 "" "$CLI" sweep "$tmp/designs.ini" --quiet -o "$tmp/designs.csv"
"$CLI" run zoo:mobilenet-v2 --chip tpu_v4i --batch 8 --set mxu.per_core=1 --set hbm.bandwidth_gbps=600 \
    --engine fast --format json >"$tmp/run_d.json" 2>"$tmp/err"
if $PY -c '
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1]).read().splitlines()[1:]))
assert len(rows) == 6, len(rows)
got = sorted((r["design"], r["chip"], r["batch"], r["hbm.bandwidth_gbps"], r["mxu.per_core"]) for r in rows)
want = sorted([("baseline", "tpu_v3", b, "", "") for b in "18"] +
              [("wide_hbm", "tpu_v3", b, "1800", "") for b in "18"] +
              [("v4i_1mxu", "tpu_v4i", b, "600", "1") for b in "18"])
assert got == want, got
r = [r for r in rows if r["design"] == "v4i_1mxu" and r["batch"] == "8"][0]
assert int(r["cycles"]) == json.load(open(sys.argv[2]))["total_cycles"]
base = {r["batch"]: int(r["cycles"]) for r in rows if r["design"] == "baseline"}
wide = {r["batch"]: int(r["cycles"]) for r in rows if r["design"] == "wide_hbm"}
assert all(wide[b] <= base[b] for b in base), (base, wide)
' "$tmp/designs.csv" "$tmp/run_d.json" 2>"$tmp/err"; then pass; else fail "sweep designs rows: $(tail -n 3 "$tmp/err")"; fi
run "sweep --design" 0 "0,zoo:mobilenet-v2,tpu_v4i,one,xla,bfloat16,1,1," "$CLI" sweep zoo:mobilenet-v2 \
    --design one=tpu_v4i:mxu.per_core=1 --quiet
run "sweep designs and chips" 2 "not both" "$CLI" sweep "$tmp/designs.ini" --chips tpu_v3
run "sweep design bad setting" 2 "design d = tpu_v3: hbm: 'hbm' is not SECTION.KEY=VALUE" \
    "$CLI" sweep zoo:mobilenet-v2 --design "d=tpu_v3: hbm"
run "sweep design set twice" 2 "'mxu.per_core' set twice" \
    "$CLI" sweep zoo:mobilenet-v2 --design "d=tpu_v3:mxu.per_core=1,mxu.per_core=2"
run "sweep design twice" 2 "value 'd' given twice" \
    "$CLI" sweep zoo:mobilenet-v2 --design d=tpu_v3 --design d=tpu_v4i
printf '[sweep]\nmodels = zoo:resnet-50\n[designs]\nok = tpu_v3\nbad = tpu_v3: mxu.bogus=2\n' >"$tmp/bad.ini"
run "sweep file bad design key" 2 "bad.ini:5: design bad: --set 'mxu.bogus=2'" "$CLI" sweep "$tmp/bad.ini"
