# tpusim scalesim: SCALE-Sim's topology and config files in, its reports out
# (sourced by run.sh: uses run, pass, fail, $CLI, $MODELS, $PY, $tmp).
# SCALE-Sim's sample files sit beside the real models:
# $TPUSIM_MODELS/../../scalesim_topologies and .../scalesim_configs.

ss_shared=$(cd "$MODELS/../.." 2>/dev/null && pwd)
ss_topo=$ss_shared/scalesim_topologies
ss_cfgs=$ss_shared/scalesim_configs
ss=$tmp/scalesim
mkdir -p "$ss"

run "scalesim --help" 0 "-t TOPOLOGY.csv -c CONFIG.cfg" "$CLI" scalesim --help
run "scalesim listed in tpusim --help" 0 "scalesim" "$CLI" --help

# --- SCALE-Sim's own numbers ------------------------------------------------
# Printed by SCALE-Sim v2 (scalesim-project/scale-sim-v2 @ 22f88b1, run from
# source with Python 3.11, numpy 1.24) for the three layers below on its
# scale.cfg (32 x 32, ws, CALC) and eyeriss.cfg (12 x 14), and for two GEMM
# rows on eyeriss.cfg. A stride-2 layer whose last window hangs over the
# input (15 - 3 = 12 is even, but (12 - 4) / 3 is not whole in L2), a 1x1
# layer, a non-square filter and stride 3.
cat >"$ss/small.csv" <<'EOF'
Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,
L0,15,15,3,3,4,20,2,
L1,9,9,1,1,40,70,1,
L2,12,10,4,3,5,33,3,
EOF
cat >"$ss/gemm.csv" <<'EOF'
Layer,M,N,K,
G0,50,40,70,
G1,8,100,9,
EOF
ss_cfg() { # NAME HEIGHT WIDTH DATAFLOW MODE [EXTRA]: a config file
    printf '[general]\nrun_name = %s\n\n[architecture_presets]\nArrayHeight:    %s\nArrayWidth:     %s\nIfmapSramSzkB:   64\nFilterSramSzkB:  64\nOfmapSramSzkB:   64\nIfmapOffset:    0\nFilterOffset:   10000000\nOfmapOffset:    20000000\nBandwidth : 10\nDataflow : %s\n%s\n[run_presets]\nInterfaceBandwidth: %s\n' \
        "$1" "$2" "$3" "$4" "${6:-}" "$5" >"$ss/$1.cfg"
}
ss_cfg s32 32 32 ws CALC
ss_cfg e12x14 12 14 ws CALC
# expect_report NAME FILE LINES: FILE's text equals LINES.
expect_report() {
    if printf '%s\n' "$3" | cmp -s - "$2"; then pass; else
        fail "$1: $2 differs from SCALE-Sim's:"; diff "$2" - <<EOF
$3
EOF
    fi
}
if "$CLI" scalesim -t "$ss/small.csv" -c "$ss/s32.cfg" -p "$ss/out" >/dev/null 2>"$ss/err"; then
    expect_report "scalesim 32x32 compute report" "$ss/out/s32/COMPUTE_REPORT.csv" \
'LayerID, Total Cycles, Stall Cycles, Overall Util %, Mapping Efficiency %, Compute Util %,
0, 285, 0, 12.088815789473685, 35.15625, 9.900323275862068,
1, 1049, 0, 21.113858436606293, 45.57291666666667, 17.91944781553398,
2, 439, 0, 7.0472665148063784, 48.33984375, 5.485372340425532,'
    # SRAM columns as SCALE-Sim printed them; its DRAM columns are absent here.
    expect_report "scalesim 32x32 bandwidth report" "$ss/out/s32/BANDWIDTH_REPORT.csv" \
'LayerID, Avg IFMAP SRAM BW, Avg FILTER SRAM BW, Avg OFMAP SRAM BW, Avg IFMAP DRAM BW, Avg FILTER DRAM BW, Avg OFMAP DRAM BW,
0, 6.189473684210526, 2.526315789473684, 6.87719298245614, , , ,
1, 9.265967588179219, 2.669208770257388, 10.810295519542422, , , ,
2, 4.373576309794989, 4.510250569476082, 2.4054669703872436, , , ,'
    expect_report "scalesim 32x32 access report" "$ss/out/s32/DETAILED_ACCESS_REPORT.csv" \
'LayerID, SRAM IFMAP Start Cycle, SRAM IFMAP Stop Cycle, SRAM IFMAP Reads, SRAM Filter Start Cycle, SRAM Filter Stop Cycle, SRAM Filter Reads, SRAM OFMAP Start Cycle, SRAM OFMAP Stop Cycle, SRAM OFMAP Writes, DRAM IFMAP Start Cycle, DRAM IFMAP Stop Cycle, DRAM IFMAP Reads, DRAM Filter Start Cycle, DRAM Filter Stop Cycle, DRAM Filter Reads, DRAM OFMAP Start Cycle, DRAM OFMAP Stop Cycle, DRAM OFMAP Writes,
0, 33.0, 227.0, 1764, 1.0, 175.0, 720, 63.0, 273.0, 1960, , , , , , , , , ,
1, 33.0, 995.0, 9720, 1.0, 907.0, 2800, 63.0, 1023.0, 11340, , , , , , , , , ,
2, 33.0, 400.0, 1920, 1.0, 362.0, 1980, 63.0, 408.0, 1056, , , , , , , , , ,'
else
    fail "scalesim small.csv on 32x32: $(head -c 300 "$ss/err")"
fi
if "$CLI" scalesim -t "$ss/small.csv" -c "$ss/e12x14.cfg" -p "$ss/out" >/dev/null 2>"$ss/err"; then
    expect_report "scalesim 12x14 compute report" "$ss/out/e12x14/COMPUTE_REPORT.csv" \
'LayerID, Total Cycles, Stall Cycles, Overall Util %, Mapping Efficiency %, Compute Util %,
0, 509, 0, 41.2573673870334, 71.42857142857143, 35.714285714285715,
1, 2339, 0, 57.71697306541257, 83.33333333333334, 51.923076923076906,
2, 779, 0, 24.206858609939484, 78.5714285714286, 19.340659340659347,'
    if cut -d, -f1-10 "$ss/out/e12x14/DETAILED_ACCESS_REPORT.csv" | sed 1d | cmp -s - <<'EOF'
0, 13.0, 497.0, 3528, 1.0, 437.0, 720, 23.0, 501.0, 2940
1, 13.0, 2319.0, 16200, 1.0, 2235.0, 2800, 23.0, 2339.0, 22680
2, 13.0, 762.0, 2880, 1.0, 740.0, 1980, 23.0, 770.0, 2640
EOF
    then pass; else fail "scalesim 12x14 SRAM access columns differ from SCALE-Sim's"; fi
else
    fail "scalesim small.csv on 12x14: $(head -c 300 "$ss/err")"
fi
if "$CLI" scalesim -t "$ss/gemm.csv" -c "$ss/e12x14.cfg" -p "$ss/gout" -i gemm >/dev/null 2>"$ss/err"; then
    expect_report "scalesim gemm 12x14 compute report" "$ss/gout/e12x14/COMPUTE_REPORT.csv" \
'LayerID, Total Cycles, Stall Cycles, Overall Util %, Mapping Efficiency %, Compute Util %,
0, 1547, 0, 53.867700926524456, 92.59259259259261, 46.76393565282455,
1, 351, 0, 12.21001221001221, 66.96428571428571, 9.398496240601503,'
else
    fail "scalesim gemm.csv on 12x14: $(head -c 300 "$ss/err")"
fi

# --- the closed form, worked out independently (scalesim_ws.py) -------------
# Conv layers of other shapes (7x7 stride 2 over 3 channels, 3x3 stride 1,
# 1x1 stride 2, a K of exactly one fold) and GEMM rows, on a square and two
# non-square arrays.
cat >"$ss/shapes.csv" <<'EOF'
Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,
Conv1,224,224,7,7,3,64,2,
C3x3,56,56,3,3,64,64,1,
C1x1s2,56,56,1,1,256,512,2,
Kfold,28,28,1,1,128,128,1,
FC,1,1,1,1,2048,1000,1,
EOF
cat >"$ss/shapes_gemm.csv" <<'EOF'
Layer,M,N,K,
QKT,1024,1024,64,
Linear1,1024,4800,1600,
Tall,4186116,3,27,
EOF
for shape in 128x128 32x8 12x14; do
    h=${shape%x*} w=${shape#*x}
    ss_cfg "a$shape" "$h" "$w" ws CALC
    for topo in shapes:conv shapes_gemm:gemm; do
        f=${topo%%:*} i=${topo#*:}
        if "$CLI" scalesim -t "$ss/$f.csv" -c "$ss/a$shape.cfg" -p "$ss/$f" -i "$i" \
            >/dev/null 2>"$ss/err" &&
            $PY "$here/scalesim_ws.py" "$ss/$f.csv" "$i" "$h" "$w" \
                "$ss/$f/a$shape/COMPUTE_REPORT.csv" >"$ss/check" 2>&1; then
            pass
        else
            fail "scalesim $f on $shape against the closed form: $(cat "$ss/err" "$ss/check" | head -c 600)"
        fi
    done
done
# ResNet-50's first layers on one 128x128 array, as SCALE-Sim v2 printed them
# (its Resnet50.csv, google.cfg cut to 128x128 ws): Conv1 24963, CB2a_1 3517,
# CB2a_2 16489, CB2a_3 7035 cycles (SCALE-Sim's Conv1 output is 110x110:
# ceil((224 - 7 + 2) / 2)).
if [ -f "$ss/shapes/a128x128/COMPUTE_REPORT.csv" ]; then
    printf 'Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\nConv1,224,224,7,7,3,64,2,\nCB2a_1,56,56,1,1,64,64,1,\nCB2a_2,56,56,3,3,64,64,1,\nCB2a_3,56,56,1,1,64,256,1,\n' \
        >"$ss/r50.csv"
    "$CLI" scalesim -t "$ss/r50.csv" -c "$ss/a128x128.cfg" -p "$ss/r50" >/dev/null 2>&1
    got=$(cut -d, -f2 "$ss/r50/a128x128/COMPUTE_REPORT.csv" | sed 1d | tr -d ' ' | tr '\n' ' ')
    if [ "$got" = "24963 3517 16489 7035 " ]; then pass; else
        fail "scalesim ResNet-50 layers on 128x128: $got, SCALE-Sim: 24963 3517 16489 7035"
    fi
fi

# A depthwise layer ("DP" in the name) is one single-channel layer per
# channel, named as SCALE-Sim names them.
printf 'Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\nConvDP1,8,8,3,3,3,1,1,\n' >"$ss/dp.csv"
if "$CLI" scalesim -t "$ss/dp.csv" -c "$ss/s32.cfg" -p "$ss/dp" >/dev/null 2>&1 &&
    [ "$(sed 1d "$ss/dp/s32/COMPUTE_REPORT.csv" | cut -d, -f1,2 | tr '\n' ' ')" = \
      "0, 129 1, 129 2, 129 " ]; then
    # 6x6 = 36 pixels, window 9 (< 32), 1 filter: 1 fold of 36 + 64 + 32 - 2 = 130 rows, the last
    # written in cycle 129.
    pass
else
    fail "scalesim DP layer: $(cat "$ss/dp/s32/COMPUTE_REPORT.csv" 2>/dev/null | head -c 300)"
fi

# --- SCALE-Sim's shipped files ----------------------------------------------
# Every topology under scalesim_topologies runs with every sample config:
# scale.cfg, eyeriss.cfg and tpuv5e_downscale.cfg as they are, google.cfg
# (Dataflow os, refused below) with its array as ws. GEMM files (header
# Layer, M, N, K) run with -i gemm. Refused, with the reason checked:
#  - sparsity/*.csv: a Sparsity column (sparse layers are not modelled);
#  - CSV/LSTM.csv, rnn_eval/LSTM_template.csv: symbolic sizes (B, H, D);
#  - CSV/MLPERF.csv, mlperf/MLPERF.csv, mlperf/Sentimental_seqLSTM.csv: a
#    malformed row ("FC, 1, 1, 1, ,1 2, 2, 1,"), on which SCALE-Sim fails too;
#  - conv_nets/UNet_maestro.csv: tab-separated.
ss_refused() {
    case $1 in
    sparsity/*) echo "sparse layers are not modelled" ;;
    CSV/LSTM.csv | rnn_eval/LSTM_template.csv) echo "'B' is not a whole number" ;;
    CSV/MLPERF.csv | mlperf/MLPERF.csv | mlperf/Sentimental_seqLSTM.csv)
        echo "Filter Width (field 5): '' is not a whole number" ;;
    conv_nets/UNet_maestro.csv) echo "fields are separated by commas" ;;
    esac
}
if [ -d "$ss_topo" ] && [ -f "$ss_cfgs/google.cfg" ]; then
    run "scalesim refuses os" 1 "google.cfg: dataflow 'os' is not modelled; tpusim models ws (weight stationary)" \
        "$CLI" scalesim -t "$ss/small.csv" -c "$ss_cfgs/google.cfg" -p "$ss/os"
    sed 's/^Dataflow : os/Dataflow : ws/' "$ss_cfgs/google.cfg" >"$ss/google_ws.cfg"
    n_ok=0 n_bad=0
    for f in $(cd "$ss_topo" && find . -name '*.csv' | sed 's|^\./||' | sort); do
        i=conv
        head -1 "$ss_topo/$f" | grep -qE '^[^,]*, *M, *N, *K' && i=gemm
        why=$(ss_refused "$f")
        for cfg in "$ss_cfgs/scale.cfg" "$ss_cfgs/eyeriss.cfg" "$ss_cfgs/tpuv5e_downscale.cfg" \
            "$ss/google_ws.cfg"; do
            "$CLI" scalesim -t "$ss_topo/$f" -c "$cfg" -p "$ss/all" -i $i >/dev/null 2>"$ss/err"
            rc=$?
            if [ -z "$why" ] && [ $rc -eq 0 ]; then
                n_ok=$((n_ok + 1))
            elif [ -n "$why" ] && [ $rc -eq 1 ] && grep -qF -- "$f:" "$ss/err" &&
                grep -qF -- "$why" "$ss/err"; then
                n_ok=$((n_ok + 1))
            else
                n_bad=$((n_bad + 1))
                fail "scalesim $f with $(basename "$cfg"): exit $rc: $(head -c 300 "$ss/err")"
            fi
        done
    done
    [ $n_bad -eq 0 ] && [ $n_ok -gt 400 ] && pass
    # ResNet-50 as shipped (a blank row, extra columns Eh, Ew, e2): 54 layers
    # whose cycles SCALE-Sim v2 summed to 876,832 on one 128x128 ws array.
    "$CLI" scalesim -t "$ss_topo/conv_nets/Resnet50.csv" -c "$ss/a128x128.cfg" -p "$ss/r50s" \
        >/dev/null 2>&1
    got=$(sed 1d "$ss/r50s/a128x128/COMPUTE_REPORT.csv" |
        awk -F, '{ n++; s += $2 } END { print n, s }')
    if [ "$got" = "54 876832" ]; then pass; else
        fail "scalesim conv_nets/Resnet50.csv: layers and cycles $got, SCALE-Sim: 54 876832"
    fi
else
    echo "scalesim: SCALE-Sim's sample files not found under $ss_shared (scalesim_topologies," \
        "scalesim_configs): their runs skipped"
fi

# --- bad input: file, line and field named, non-zero exit -------------------
run "scalesim without -t" 2 "-t TOPOLOGY.csv and -c CONFIG.cfg are both needed" \
    "$CLI" scalesim -c "$ss/s32.cfg"
run "scalesim without -c" 2 "are both needed" "$CLI" scalesim -t "$ss/small.csv"
run "scalesim -i other" 2 "-i 'mnk': conv or gemm" \
    "$CLI" scalesim -t "$ss/small.csv" -c "$ss/s32.cfg" -i mnk
run "scalesim missing topology" 1 "$ss/none.csv: No such file" \
    "$CLI" scalesim -t "$ss/none.csv" -c "$ss/s32.cfg" -p "$ss/bad"
ss_cfg is32 32 32 is CALC
run "scalesim refuses is" 1 "dataflow 'is' is not modelled; tpusim models ws" \
    "$CLI" scalesim -t "$ss/small.csv" -c "$ss/is32.cfg" -p "$ss/bad"
ss_cfg xs32 32 32 xs CALC
run "scalesim unknown dataflow" 1 "xs32.cfg:14: Dataflow: 'xs' is not a dataflow (ws, os or is)" \
    "$CLI" scalesim -t "$ss/small.csv" -c "$ss/xs32.cfg" -p "$ss/bad"
ss_cfg h0 0 32 ws CALC
run "scalesim ArrayHeight 0" 1 "h0.cfg:5: ArrayHeight: '0' is not a whole number" \
    "$CLI" scalesim -t "$ss/small.csv" -c "$ss/h0.cfg" -p "$ss/bad"
ss_cfg wx 32 3x ws CALC
run "scalesim ArrayWidth 3x" 1 "wx.cfg:6: ArrayWidth: '3x' is not a whole number" \
    "$CLI" scalesim -t "$ss/small.csv" -c "$ss/wx.cfg" -p "$ss/bad"
ss_cfg unk 32 32 ws CALC "ArrayDepth: 4"
run "scalesim unknown key" 1 "unk.cfg:15: [architecture_presets] ArrayDepth: unknown key" \
    "$CLI" scalesim -t "$ss/small.csv" -c "$ss/unk.cfg" -p "$ss/bad"
ss_cfg mode 32 32 ws AUTO
run "scalesim bad InterfaceBandwidth" 1 "InterfaceBandwidth: 'AUTO' is neither USER nor CALC" \
    "$CLI" scalesim -t "$ss/small.csv" -c "$ss/mode.cfg" -p "$ss/bad"
grep -v '^Dataflow' "$ss/s32.cfg" >"$ss/nodf.cfg"
run "scalesim missing Dataflow" 1 "nodf.cfg: [architecture_presets] Dataflow: missing" \
    "$CLI" scalesim -t "$ss/small.csv" -c "$ss/nodf.cfg" -p "$ss/bad"
ss_cfg user 32 32 ws USER
run "scalesim USER bandwidth noted" 0 "stalls from Bandwidth 10 are not modelled" \
    "$CLI" scalesim -t "$ss/small.csv" -c "$ss/user.cfg" -p "$ss/user"

ss_bad() { # NAME ROW NEEDLE [-i gemm]: a topology with one bad layer row (line 3)
    name=$1 row=$2 needle=$3
    shift 3
    if [ "${2:-}" = gemm ]; then
        printf 'Layer,M,N,K,\nok,4,4,4,\n%s\n' "$row" >"$ss/bad.csv"
    else
        printf 'Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\nok,8,8,3,3,2,2,1,\n%s\n' \
            "$row" >"$ss/bad.csv"
    fi
    run "scalesim topology: $name" 1 "$ss/bad.csv:3: $needle" \
        "$CLI" scalesim -t "$ss/bad.csv" -c "$ss/s32.cfg" -p "$ss/bad" "$@"
}
ss_bad "too few fields" "L,8,8,3,3,2,2," "7 fields; a conv row has the layer name and IFMAP height"
ss_bad "non-numeric" "L,8,eight,3,3,2,2,1," "IFMAP Width (field 3): 'eight' is not a whole number"
ss_bad "zero channels" "L,8,8,3,3,0,2,1," "Channels (field 6): '0' is not a whole number in [1,"
ss_bad "negative size" "L,8,8,-3,3,2,2,1," "Filter Height (field 4): '-3' is not a whole number"
ss_bad "stride 0" "L,8,8,3,3,2,2,0," "Strides (field 8): '0' is not a whole number in [1,"
ss_bad "filter larger than ifmap" "L,8,8,9,3,2,2,1," "filter 9x3 larger than the IFMAP 8x8 (SCALE-Sim applies no padding)"
ss_bad "extra field" "L,8,8,3,3,2,2,1,1,5," "field 10 ('5'): the header has no such column"
ss_bad "gemm non-numeric" "G,4,x,4," "N (field 3): 'x' is not a whole number" -i gemm
ss_bad "gemm too few" "G,4,4," "3 fields; a GEMM row has the layer name and M, N, K" -i gemm
run "scalesim GEMM file as conv" 1 "gemm.csv:1: a GEMM (Layer, M, N, K) topology: run it with -i gemm" \
    "$CLI" scalesim -t "$ss/gemm.csv" -c "$ss/s32.cfg" -p "$ss/bad"
run "scalesim conv file as gemm" 1 "small.csv:1: 8 columns: a GEMM topology has Layer, M, N, K" \
    "$CLI" scalesim -t "$ss/small.csv" -c "$ss/s32.cfg" -p "$ss/bad" -i gemm
printf 'Layer name, IFMAP Height\n\n' >"$ss/empty.csv"
run "scalesim no layers" 1 "empty.csv: no layers" \
    "$CLI" scalesim -t "$ss/empty.csv" -c "$ss/s32.cfg" -p "$ss/bad"
printf 'Layer name, IFMAP Height\n"L0,8,8,3,3,2,2,1,\n' >"$ss/quote.csv"
run "scalesim unterminated quote" 1 "quote.csv:2: error parsing data" \
    "$CLI" scalesim -t "$ss/quote.csv" -c "$ss/s32.cfg" -p "$ss/bad"
run "scalesim topology is a folder" 1 "$ss: Is a directory" \
    "$CLI" scalesim -t "$ss" -c "$ss/s32.cfg" -p "$ss/bad"
run "scalesim config is a folder" 1 "$ss: Is a directory" \
    "$CLI" scalesim -t "$ss/small.csv" -c "$ss" -p "$ss/bad"
