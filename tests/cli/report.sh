# Sourced by run.sh: `tpusim report`, `tpusim compare`, traces and figures.
R50="$MODELS/onnx/torch_export/tv_resnet50_light.onnx"
EFF="$MODELS/onnx/torch_export/tv_efficientnet_b0.onnx"

run "report help" 0 "--plot DIR" "$CLI" report --help
run "report default" 0 "FLOPs-proxy error" "$CLI" report
run "report resnet50" 0 "top 10 ops by time" "$CLI" report "$R50" --chip tpu_v3
run "report csv" 0 "flops_proxy_error" "$CLI" report --format csv
run "report markdown" 0 "|---:|" "$CLI" report --format markdown
run "report latex" 0 "\\toprule" "$CLI" report --format latex
run "report bad format" 2 "--format must be text, csv, json, markdown or latex" "$CLI" report --format html
run "report png needs plot" 2 "--png needs --plot" "$CLI" report --png
run "report bad trace level" 2 "--trace-level must be op or tile" "$CLI" report --trace-level x
run "report trace unwritable" 1 "/nonexistent/dir/t.json.gz" "$CLI" report --trace /nonexistent/dir/t.json.gz
run "compare help" 0 "--chips A,B" "$CLI" compare --help
run "compare default" 0 "Where the peak ratio went" "$CLI" compare
run "compare bad chips" 2 "--chips needs two chips" "$CLI" compare --chips tpu_v2
run "compare --chip" 2 "use --chips" "$CLI" compare --chip tpu_v2
run "compare unknown chip" 1 "nosuchchip" "$CLI" compare --chips tpu_v2,nosuchchip
run "compare two models" 0 "mean speedup" "$CLI" compare "$R50,$EFF" --chips tpu_v2,tpu_v4i
run "compare latex" 0 "\\bottomrule" "$CLI" compare --format latex
run "compare latex escapes the paragraph" 0 "mxu-\\textgreater{}vpu" "$CLI" compare --format latex
run "compare rejects --trace" 2 "--trace belongs to run and report" "$CLI" compare --trace t.json.gz
run "compare rejects --trace-level" 2 "--trace-level belongs to run and report" "$CLI" compare --trace-level op
run "compare rejects --trace-max-slices" 2 "--trace-max-slices belongs to run and report" "$CLI" compare --trace-max-slices 8
run "compare png needs plot" 2 "--png needs --plot" "$CLI" compare --png
# Energy: report's table of parts, compare's ratios (energy B/A is the
# inverse of perf/W B/A, each from the two runs' energy per inference).
run "report energy parts" 0 "energy by part: " "$CLI" report --chip tpu_v4i
run "compare perf/W" 0 "perf/W (inferences/J)" "$CLI" compare --chips tpu_v3,tpu_v4i
"$CLI" compare --chips tpu_v3,tpu_v4i --format json >"$tmp/cmp.json" 2>"$tmp/err"
if $PY -c '
import json, sys
m = json.load(open(sys.argv[1]))["models"][0]
assert abs(m["energy_ratio"] - m["b_energy_uj"] / m["a_energy_uj"]) <= 1e-12 * m["energy_ratio"]
assert abs(m["perf_per_w_ratio"] * m["energy_ratio"] - 1) <= 1e-12, m
' "$tmp/cmp.json" 2>"$tmp/err"; then pass; else fail "compare JSON energy: $(tail -n 2 "$tmp/err")"; fi
# --cores splits the batch over cores that run at once and share HBM;
# every command says how the batch was split, an uneven one included.
run "compare per-core batch" 0 "(2 cores each, batch 8 split 2 x 4 over 2 cores," "$CLI" compare --chips tpu_v2,tpu_v3 --cores 2 --batch 8
run "report uneven batch" 0 "batch 7 split 1 x 4 + 1 x 3 over 2 cores (uneven)" "$CLI" report --cores 2 --batch 7
run "run per-core batch" 0 "batch 8 split 2 x 4 over 2 cores" "$CLI" run --cores 2 --batch 8
run "run batch smaller than cores" 2 "--cores 2 needs a batch of at least 2" "$CLI" run --cores 2

# JSON: the per-op numbers agree with their definitions. Batch 8: at batch 1
# the XLA layout pads the batch to 8 and the FLOPs-proxy error is mostly that.
"$CLI" report "$R50" --chip tpu_v3 --batch 8 --format json >"$tmp/r.json" 2>"$tmp/err"
if $PY -c '
import json, sys
d = json.load(open(sys.argv[1]))
run = [o for o in d["ops"] if o["fused_into"] is None]
assert d["total_cycles"] == sum(o["cycles"] for o in d["ops"])
assert abs(d["flops_proxy_error"] - d["latency_us"] / d["flops_proxy_us"]) < 1e-9
assert 1 < d["flops_proxy_error"] < 10, d["flops_proxy_error"]
for o in run:
    assert o["padding_macs"] == o["mac_slots"] - o["useful_macs"], o
    assert o["cycles"] == 0 or abs(sum(o["cause_share"].values()) - 1) < 1e-9, o
    assert o["flops"] == 0 or o["flops_proxy_error"] >= 1 - 1e-9, o
assert abs(sum(g["share"] for g in d["by_type"]) - 1) < 1e-9
assert len(d["top"]) == 10
' "$tmp/r.json" 2>"$tmp/err"; then pass; else fail "report JSON: $(tail -n 2 "$tmp/err")"; fi

# compare JSON: speedup = latency ratio; mean over the models.
"$CLI" compare "$R50" --chips tpu_v2,tpu_v4i "$EFF" --format json >"$tmp/c.json" 2>"$tmp/err"
if $PY -c '
import json, sys
d = json.load(open(sys.argv[1]))
m = d["models"]
assert len(m) == 2
for x in m:
    assert abs(x["speedup"] - x["a_latency_us"] / x["b_latency_us"]) < 1e-9
    assert x["speedup"] < d["peak_ratio"], "beats the peak ratio?"
    assert "of tpu_v2" in x["explanation"]
assert abs(d["mean_speedup"] - sum(x["speedup"] for x in m) / 2) < 1e-9
' "$tmp/c.json" 2>"$tmp/err"; then pass; else fail "compare JSON: $(tail -n 2 "$tmp/err")"; fi

# Traces: parse back; every slice belongs to an op that ran, no overlap on
# a track, compute slices inside their op's slice, the HBM counter never
# above the chip's bandwidth (900 GB/s on tpu_v3, 700 on tpu_v2), and the
# bytes the DMA slices move in any window no more than the bandwidth allows
# (tile level, run with slices unmerged: a merged slice spreads its bytes
# over the gaps where the core's one DMA engine moved the other direction).
check_trace() { # FILE BANDWIDTH_GBPS LEVEL
    $PY -c '
import gzip, json, sys
d = json.load(gzip.open(sys.argv[1], "rt"))
bw, level = float(sys.argv[2]), sys.argv[3]
assert d["otherData"]["hbm_bandwidth_gbps"] == bw and d["otherData"]["trace_level"] == level
ev = d["traceEvents"]
names = {e["tid"]: e["args"]["name"] for e in ev if e["ph"] == "M" and e["name"] == "thread_name"}
for want in ["ops", "MXU", "VPU", "DMA in (HBM reads)", "DMA out (HBM writes)"]:
    assert want in names.values(), (want, names)
ops = {e["args"]["op"]: e for e in ev if e["ph"] == "X" and e["cat"] == "op"}
assert ops, "no op slices"
tracks = {}
for e in ev:
    if e["ph"] != "X":
        continue
    tracks.setdefault(e["tid"], []).append(e)
    if e["cat"] == "op":
        continue
    o = ops[e["args"]["op"]]
    if e["cat"] in ("mxu", "vpu"):
        assert e["ts"] >= o["ts"] and e["ts"] + e["dur"] <= o["ts"] + o["dur"] + 1e-9, (e, o)
ns = lambda x: round(x * 1000)
for tid, sl in tracks.items():
    sl.sort(key=lambda e: e["ts"])
    for a, b in zip(sl, sl[1:]):
        assert ns(a["ts"]) + ns(a["dur"]) <= ns(b["ts"]), ("overlap on", names.get(tid), a, b)
hbm = [e["args"]["GB/s"] for e in ev if e["ph"] == "C" and e["name"] == "HBM bandwidth"]
assert hbm and max(hbm) <= bw * (1 + 1e-6), max(hbm)
dma = [e for e in ev if e["ph"] == "X" and e["cat"] == "dma"]
if level == "tile":
    for w in (1.0, 10.0, 100.0):   # windows in us: bytes moved <= bandwidth x window
        moved = {}
        for e in dma:
            a, b = e["ts"], e["ts"] + e["dur"]
            if b <= a:
                continue
            rate = e["args"].get("bytes", 0) / (b - a)
            k = int(a // w)
            while k * w < b:
                lo, hi = max(a, k * w), min(b, (k + 1) * w)
                moved[k] = moved.get(k, 0) + rate * (hi - lo)
                k += 1
        assert max(moved.values(), default=0) <= bw * 1e3 * w * (1 + 1e-3) + 1, (w, max(moved.values()))
sram = [e for e in ev if e["ph"] == "C" and e["name"] == "SRAM occupancy"]
assert len(sram) == len(ops) + 1
print(len(ev))
' "$1" "$2" "$3"
}
for lvl in op tile; do
    if "$CLI" run "$R50" --chip tpu_v3 --trace "$tmp/t_$lvl.json.gz" --trace-level $lvl --trace-max-slices 1000000 \
        >/dev/null 2>"$tmp/err" && check_trace "$tmp/t_$lvl.json.gz" 900 $lvl >"$tmp/n_$lvl" 2>"$tmp/err"
    then pass; else fail "trace $lvl: $(tail -n 3 "$tmp/err")"; fi
done
if [ "$(cat "$tmp/n_tile")" -gt "$(cat "$tmp/n_op")" ] 2>/dev/null; then pass; else fail "tile trace not finer than op trace"; fi
if "$CLI" report "$EFF" --chip tpu_v2 --format csv --trace "$tmp/e.json.gz" --trace-max-slices 1000000 >/dev/null 2>"$tmp/err" &&
    check_trace "$tmp/e.json.gz" 700 tile >/dev/null 2>"$tmp/err"; then pass; else fail "trace effnet v2: $(tail -n 3 "$tmp/err")"; fi
# The power counter (W) steps at each op's start; its area is the
# inference's energy, as run's JSON reports it (to the trace's ns).
if "$CLI" run "$R50" --chip tpu_v4i --format json --trace "$tmp/p.json.gz" >"$tmp/p.json" 2>"$tmp/err" &&
    $PY -c '
import gzip, json, sys
ev = json.load(gzip.open(sys.argv[1]))["traceEvents"]
p = sorted((e["ts"], e["args"]["W"]) for e in ev if e["ph"] == "C" and e["name"] == "Power")
d = json.load(open(sys.argv[2]))
assert len(p) == sum(1 for op in d["ops"] if op["fused_into"] is None) + 1, len(p)
assert p[-1][1] == 0 and min(w for _, w in p) >= 0
area = sum(a[1] * (b[0] - a[0]) for a, b in zip(p, p[1:]))
assert abs(area - d["energy_uj"]) <= 1e-5 * d["energy_uj"], (area, d["energy_uj"])
assert max(w for _, w in p) >= d["peak_power_w"] * (1 - 1e-6)
' "$tmp/p.json.gz" "$tmp/p.json" 2>"$tmp/err"; then pass; else fail "trace power counter: $(tail -n 3 "$tmp/err")"; fi

# Figures from builtin:demo-cnn: files exist; points and bars counted in the
# data files and in the SVG (one <use> per point plus one per key entry:
# filled circles for ops with HBM traffic, open ones for ops without, which
# sit at their own on-chip intensity, not at a shared sentinel; one
# <polygon> per non-zero stack segment plus one per key entry). Titles name
# the model and the chip, never a path; the roofline has the MXU, VPU and
# HBM ceilings.
if command -v gnuplot >/dev/null 2>&1; then
    if "$CLI" report builtin:demo-cnn --plot "$tmp/fig" --png >/dev/null 2>"$tmp/err" &&
        "$CLI" report builtin:demo-cnn --chip edgetpu --plot "$tmp/fig/edge" >/dev/null 2>>"$tmp/err" &&
        "$CLI" compare builtin:demo-cnn,builtin:demo-cnn --plot "$tmp/fig" >/dev/null 2>>"$tmp/err" &&
        $PY -c '
import re, sys
d = sys.argv[1]
for stem in ["roofline", "causes"]:
    for ext in ["dat", "gp", "svg", "pdf", "png"]:
        assert open(d + "/" + stem + "." + ext, "rb").read(4), (stem, ext)
rows = [l.split() for l in open(d + "/roofline.dat") if l.startswith("\"")]
series = sum(1 for l in open(d + "/roofline.dat") if l.startswith("# bound"))
svg = open(d + "/roofline.svg").read()
on_chip = [r for r in rows if r[3] == "1"]
filled = len(re.findall(r"<use xlink:href=.#gpPt6. transform", svg))
opened = len(re.findall(r"<use xlink:href=.#gpPt5. transform", svg))
assert filled == len(rows) - len(on_chip) + series, (filled, len(rows), series)
assert opened == len(on_chip) + (1 if on_chip else 0), (opened, on_chip)
# On the Edge TPU (no DRAM) every op is on chip, each at its own intensity:
# no shared sentinel.
edge = [l.split() for l in open(d + "/edge/roofline.dat") if l.startswith("\"")]
assert len(edge) >= 5 and all(r[3] == "1" for r in edge), edge
assert len({r[1] for r in edge}) >= 3, edge
gp = open(d + "/roofline.gp").read()
assert "set title \x27demo-cnn on tpu_v3\x27 font" in gp, gp[:600]
for ceiling in ["MXU %.3g TFLOP/s", "VPU %.3g TFLOP/s", "HBM %.3g TB/s"]:
    assert ceiling in gp, ceiling
assert "set title \x27demo-cnn on tpu_v3: time by cause per op\x27 font" in open(d + "/causes.gp").read()
lines = [l.split() for l in open(d + "/causes.dat") if not l.startswith("#")]
head, body = lines[0], lines[1:]
assert len(body) == 10, len(body)  # demo-cnn runs 10 ops (its pool joins the head conv)
cells = sum(1 for r in body for v in r[2:] if float(v) > 0)
svg = open(d + "/causes.svg").read()
polys, n_series = svg.count("<polygon"), len(head) - 2
# gnuplot may draw zero-height segments too: between the non-zero ones and all.
assert cells + n_series <= polys <= len(body) * n_series + n_series, (polys, cells, n_series)
assert len(re.findall(r"<g id=.gnuplot_plot_\d+.", svg)) == n_series
for r in body:  # every bar labelled on the x axis
    assert "<text>" + r[1].strip("\"") + "</text>" in svg, r[1]
bars = [l for l in open(d + "/speedup_demo-cnn.dat") if not l.startswith("#")]
assert len(bars) == 10
polys = open(d + "/speedup_demo-cnn.svg").read().count("<polygon")
assert polys == sum(1 for l in bars if float(l.split()[-1]) > 0), polys
assert open(d + "/speedup_models.svg").read().count("<polygon") == 2
assert open(d + "/speedup_models.pdf", "rb").read(4) == b"%PDF"
' "$tmp/fig" 2>"$tmp/err2"; then pass; else fail "figures: $(tail -n 3 "$tmp/err" "$tmp/err2")"; fi
    # A model given by path: the title has its name, not the path.
    if "$CLI" report "$MODELS/onnx/torch_export/tv_resnet18_light.onnx" --plot "$tmp/figr" \
        >/dev/null 2>"$tmp/err" &&
        grep -q "^set title 'tv_resnet18_light on tpu_v3' font" "$tmp/figr/roofline.gp" &&
        ! grep -q "^set title .*/" "$tmp/figr/roofline.gp" "$tmp/figr/causes.gp"; then
        pass
    else
        fail "figure titles with a model path: $(grep -h '^set title' "$tmp/figr"/*.gp) $(tail -n 3 "$tmp/err")"
    fi
else
    fail "gnuplot missing: sh scripts/install-deps.sh"
fi

# LaTeX for a paper: booktabs, longtable past 30 rows, --top N and
# --short-names, captions without paths; compiled by pdflatex (Debian
# texlive-latex-base and -recommended, installed by scripts/install-deps.sh).
LONG="$MODELS/onnx/torch_export/tv_mobilenet_v3_large_light.onnx"
mkdir -p "$tmp/tex"
run "latex long" 0 "\\begin{longtable}" "$CLI" report "$LONG" --format latex
cp "$tmp/out" "$tmp/tex/long.tex"
run "latex top" 0 "\\caption{top 7 ops by time}" "$CLI" report "$LONG" --format latex --top 7 --short-names
cp "$tmp/out" "$tmp/tex/top.tex"
if grep -q "begin{longtable}\|every op" "$tmp/tex/top.tex"; then fail "latex --top still has the table of every op"; else pass; fi
if grep -q "caption{.*\(torch_export\|\.onnx\)" "$tmp/tex/long.tex" "$tmp/tex/top.tex"; then fail "latex caption with a path"; else pass; fi
# the 7 rows of the top table: names of at most 24 characters, most time first
if awk '/caption\{top 7/{t=1} t && / \\\\$/ && !/^op /{n++; split($0, c, " & "); if (length(c[1]) > 24) bad=1; us=c[4]+0; if (n > 1 && us > prev) bad=1; prev=us} /end\{tabular\}/{t=0} END{exit !(n == 7 && !bad)}' "$tmp/tex/top.tex"; then
    pass
else
    fail "latex --top 7 --short-names rows: $(grep -A12 'caption{top 7' "$tmp/tex/top.tex" | head -c 600)"
fi
if command -v pdflatex >/dev/null 2>&1; then
    printf '\\documentclass{article}\n\\usepackage{booktabs,longtable}\n\\begin{document}\n\\input{long}\n\\input{top}\n\\end{document}\n' >"$tmp/tex/doc.tex"
    if (cd "$tmp/tex" && pdflatex -halt-on-error -interaction=nonstopmode doc.tex) >"$tmp/tex/log" 2>&1 &&
        head -c 4 "$tmp/tex/doc.pdf" | grep -q "%PDF"; then
        pass
    else
        fail "pdflatex: $(grep -A3 '^!' "$tmp/tex/log" | head -c 600)"
    fi
else
    echo "report: pdflatex absent (scripts/install-deps.sh installs texlive): LaTeX compile test skipped"
fi
