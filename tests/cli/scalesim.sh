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

# --- os and is: SCALE-Sim's own numbers --------------------------------------
# Printed by SCALE-Sim v2 (the same build as above) with Dataflow os and is
# on 32 x 32, 12 x 14 and 8 x 32 arrays (CALC): small.csv and gemm.csv
# above, and more.csv below: stride 2 with and without a window hanging
# over the input, a 1x1 stride-2 layer whose last output row lies wholly
# outside it (so os's last pixel fold reads no ifmap: the stop cycle comes
# from an earlier fold), a filter as large as the input, stride 3; GEMM rows
# of one filter, one row, and a K of whole folds. Each: COMPUTE_REPORT's
# rows, then DETAILED_ACCESS_REPORT's SRAM columns.
cat >"$ss/more.csv" <<'EOF'
Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,
L3,11,11,3,3,3,10,2,
L4,10,9,3,2,2,7,2,
L5,14,14,1,1,16,24,2,
L6,7,7,7,7,2,5,1,
L7,13,16,5,4,3,40,3,
EOF
cat >"$ss/gemm2.csv" <<'EOF'
Layer,M,N,K,
G2,33,1,65,
G3,1,50,20,
G4,64,64,64,
EOF
for df in os is; do
    ss_cfg "s32$df" 32 32 $df CALC
    ss_cfg "e12x14$df" 12 14 $df CALC
    ss_cfg "a8x32$df" 8 32 $df CALC
done
# ss_expect_dataflow CFG TOPOLOGY conv|gemm COMPUTE_ROWS ACCESS_ROWS
ss_expect_dataflow() {
    if "$CLI" scalesim -t "$ss/$2.csv" -c "$ss/$1.cfg" -p "$ss/df_$2" -i "$3" \
        >/dev/null 2>"$ss/err"; then
        expect_report "scalesim $2 $1 compute report" "$ss/df_$2/$1/COMPUTE_REPORT.csv" \
            "LayerID, Total Cycles, Stall Cycles, Overall Util %, Mapping Efficiency %, Compute Util %,
$4"
        printf '%s\n' "$5" >"$ss/want"
        if cut -d, -f1-10 "$ss/df_$2/$1/DETAILED_ACCESS_REPORT.csv" | sed 1d |
            cmp -s - "$ss/want"; then pass; else
            fail "scalesim $2 $1: SRAM access columns differ from SCALE-Sim's"
        fi
    else
        fail "scalesim $2 on $1: $(head -c 300 "$ss/err")"
    fi
}
ss_expect_dataflow s32os small conv \
'0, 195, 0, 17.66826923076923, 47.8515625, 17.578125,
1, 917, 0, 24.15314885496183, 61.5234375, 24.12683823529412,
2, 243, 0, 12.731481481481481, 25.78125, 12.679303278688526,' \
'0, 1.0, 150.0, 1764, 1.0, 153.0, 1440, 35.0, 183.0, 1108
1, 1.0, 872.0, 9720, 1.0, 861.0, 8400, 39.0, 891.0, 6246
2, 1.0, 192.0, 1920, 1.0, 182.0, 1980, 75.0, 212.0, 656'
ss_expect_dataflow s32os gemm gemm \
'0, 527, 0, 25.94283681214421, 48.828125, 25.89370265151515,
1, 283, 0, 2.4845406360424027, 19.53125, 2.4757922535211265,' \
'0, 1.0, 483.0, 7000, 1.0, 473.0, 5600, 69.0, 503.0, 2256
1, 1.0, 229.0, 288, 1.0, 225.0, 900, 32.0, 255.0, 1056'
ss_expect_dataflow s32is small conv \
'0, 455, 0, 7.572115384615385, 43.06640625, 5.940193965517241,
1, 983, 0, 22.531472533062054, 52.734375, 18.93028846153846,
2, 253, 0, 12.228260869565217, 46.875, 9.790348101265822,' \
'0, 1.0, 374.0, 1764, 33.0, 397.0, 1440, 63.0, 440.0, 1960
1, 1.0, 852.0, 3240, 33.0, 929.0, 8400, 63.0, 968.0, 11340
2, 1.0, 159.0, 960, 33.0, 219.0, 1980, 63.0, 237.0, 1056'
ss_expect_dataflow s32is gemm gemm \
'0, 803, 0, 17.02599626400996, 56.966145833333336, 13.809974747474746,
1, 193, 0, 3.643134715025907, 7.03125, 3.125,' \
'0, 1.0, 702.0, 3500, 33.0, 747.0, 5600, 63.0, 789.0, 6000
1, 24.0, 32.0, 72, 33.0, 140.0, 900, 63.0, 169.0, 800'
ss_expect_dataflow e12x14os small conv \
'0, 599, 0, 35.058430717863104, 58.333333333333336, 35.0,
1, 2239, 0, 60.29477445288075, 96.42857142857143, 60.26785714285714,
2, 503, 0, 37.489349616586196, 52.38095238095239, 37.41496598639456,' \
'0, 1.0, 576.0, 3528, 1.0, 581.0, 3600, 35.0, 591.0, 1240
1, 1.0, 2224.0, 16200, 1.0, 2229.0, 19600, 39.0, 2239.0, 6580
2, 1.0, 467.0, 2880, 1.0, 484.0, 3960, 59.0, 494.0, 684'
ss_expect_dataflow e12x14os gemm gemm \
'0, 1409, 0, 59.143600662408325, 79.36507936507938, 59.10165484633569,
1, 263, 0, 16.295491580662684, 59.52380952380951, 16.233766233766236,' \
'0, 1.0, 1387.0, 10500, 1.0, 1397.0, 14000, 69.0, 1407.0, 2390
1, 1.0, 247.0, 576, 1.0, 241.0, 900, 12.0, 251.0, 1008'
ss_expect_dataflow e12x14is small conv \
'0, 671, 0, 31.296572280178836, 87.5, 25.362318840579718,
1, 2543, 0, 53.08690523004326, 80.35714285714285, 47.268907563025195,
2, 689, 0, 27.368857557536803, 57.14285714285716, 22.996515679442503,' \
'0, 1.0, 628.0, 1764, 13.0, 659.0, 2880, 23.0, 664.0, 2940
1, 1.0, 2450.0, 3240, 13.0, 2523.0, 16800, 23.0, 2540.0, 22680
2, 1.0, 564.0, 960, 13.0, 677.0, 3960, 23.0, 677.0, 2640'
ss_expect_dataflow e12x14is gemm gemm \
'0, 1823, 0, 45.71219601389651, 86.80555555555557, 39.01373283395756,
1, 135, 0, 31.746031746031747, 42.857142857142854, 28.763183125599234,' \
'0, 1.0, 1760.0, 3500, 13.0, 1809.0, 11200, 23.0, 1817.0, 12000
1, 4.0, 12.0, 72, 13.0, 120.0, 900, 23.0, 129.0, 800'
ss_expect_dataflow a8x32os small conv \
'0, 517, 0, 26.656189555125724, 54.6875, 26.604729729729726,
1, 2573, 0, 34.432083171395256, 67.11647727272727, 34.4187062937063,
2, 391, 0, 31.649616368286445, 51.5625, 31.568877551020414,' \
'0, 1.0, 480.0, 1764, 1.0, 499.0, 5040, 35.0, 505.0, 1260
1, 1.0, 2536.0, 9720, 1.0, 2541.0, 30800, 39.0, 2547.0, 6990
2, 1.0, 356.0, 1920, 1.0, 354.0, 3960, 59.0, 360.0, 688'
ss_expect_dataflow a8x32os gemm gemm \
'0, 1511, 0, 36.19291859695566, 55.80357142857143, 36.16898148148149,
1, 187, 0, 15.040106951871659, 78.125, 14.960106382978724,' \
'0, 1.0, 1475.0, 7000, 1.0, 1481.0, 19600, 69.0, 1487.0, 2560
1, 1.0, 157.0, 288, 1.0, 153.0, 900, 8.0, 159.0, 960'
ss_expect_dataflow a8x32is small conv \
'0, 659, 0, 20.91236722306525, 68.90625, 14.207474226804123,
1, 1739, 0, 50.945227142035655, 84.375, 40.17857142857144,
2, 631, 0, 19.611727416798733, 46.875, 14.0625,' \
'0, 1.0, 602.0, 1764, 9.0, 625.0, 1440, 15.0, 644.0, 4900
1, 1.0, 1632.0, 3240, 9.0, 1709.0, 8400, 15.0, 1724.0, 28350
2, 1.0, 561.0, 960, 9.0, 597.0, 1980, 15.0, 615.0, 4224'
ss_expect_dataflow a8x32is gemm gemm \
'0, 1547, 0, 35.35067873303167, 75.95486111111111, 25.967473884140556,
1, 291, 0, 9.664948453608247, 14.0625, 7.944915254237288,' \
'0, 1.0, 1470.0, 3500, 9.0, 1515.0, 5600, 15.0, 1533.0, 18000
1, 1.0, 154.0, 72, 9.0, 254.0, 900, 15.0, 267.0, 1600'
ss_expect_dataflow s32os more conv \
'0, 88, 0, 7.490678267045454, 24.4140625, 7.406513342696629,
1, 73, 0, 2.809289383561644, 17.08984375, 2.7713260135135136,
2, 155, 0, 15.483870967741936, 75.0, 15.384615384615385,
3, 159, 0, 0.3009532232704403, 0.48828125, 0.299072265625,
4, 243, 0, 19.290123456790123, 39.0625, 19.21106557377049,' \
'0, 1.0, 51.0, 675, 1.0, 36.0, 270, 33.0, 66.0, 314
1, 1.0, 31.0, 300, 1.0, 18.0, 84, 18.0, 48.0, 239
2, 1.0, 116.0, 1024, 1.0, 117.0, 768, 15.0, 147.0, 1664
3, 1.0, 98.0, 98, 1.0, 102.0, 490, 128.0, 132.0, 69
4, 1.0, 196.0, 2400, 1.0, 189.0, 2400, 71.0, 219.0, 928'
ss_expect_dataflow s32os gemm2 gemm \
'0, 253, 0, 0.8279551630434783, 1.611328125, 0.8246954970472441,
1, 163, 0, 0.5991180981595092, 2.44140625, 0.5954649390243902,
2, 503, 0, 50.89463220675945, 100.0, 50.79365079365079,' \
'0, 1.0, 192.0, 2145, 1.0, 192.0, 130, 64.0, 222.0, 161
1, 1.0, 102.0, 40, 1.0, 119.0, 1000, 50.0, 149.0, 178
2, 1.0, 473.0, 8192, 1.0, 473.0, 8192, 63.0, 503.0, 4352'
ss_expect_dataflow s32is more conv \
'0, 103, 0, 6.399802791262136, 65.91796875, 4.8828125,
1, 100, 0, 2.05078125, 29.296875, 1.553622159090909,
2, 235, 0, 10.212765957446809, 50.0, 8.053691275167784,
3, 395, 0, 0.12114319620253164, 2.392578125, 0.09202223557692309,
4, 267, 0, 17.5561797752809, 58.59375, 14.204545454545453,' \
'0, 6.0, 32.0, 675, 33.0, 68.0, 270, 63.0, 96.0, 250
1, 21.0, 32.0, 300, 33.0, 50.0, 84, 63.0, 93.0, 175
2, 17.0, 150.0, 1024, 33.0, 189.0, 768, 63.0, 235.0, 1536
3, 1.0, 329.0, 98, 33.0, 335.0, 490, 63.0, 364.0, 20
4, 1.0, 166.0, 1200, 33.0, 233.0, 2400, 63.0, 255.0, 1600'
ss_expect_dataflow s32is gemm2 gemm \
'0, 569, 0, 0.36814175087873463, 34.912109375, 0.2770802331349206,
1, 143, 0, 0.6829108391608392, 1.953125, 0.5580357142857143,
2, 631, 0, 40.57052297939778, 100.0, 33.86243386243386,' \
'0, 1.0, 507.0, 2145, 33.0, 508.0, 130, 63.0, 538.0, 99
1, 13.0, 32.0, 20, 33.0, 101.0, 1000, 63.0, 112.0, 50
2, 1.0, 506.0, 4096, 33.0, 601.0, 8192, 63.0, 631.0, 8192'
ss_expect_dataflow e12x14os more conv \
'0, 152, 0, 26.43327067669173, 49.60317460317461, 26.260504201680675,
1, 107, 0, 11.682242990654206, 34.72222222222223, 11.574074074074074,
2, 479, 0, 30.539815090963316, 76.19047619047618, 30.476190476190474,
3, 121, 0, 2.4104683195592287, 2.976190476190476, 2.390710382513661,
4, 503, 0, 56.80204487361545, 79.36507936507935, 56.68934240362812,' \
'0, 1.0, 129.0, 675, 1.0, 138.0, 810, 26.0, 148.0, 328
1, 1.0, 78.0, 300, 1.0, 90.0, 252, 11.0, 100.0, 253
2, 1.0, 422.0, 2048, 1.0, 465.0, 2304, 15.0, 475.0, 1848
3, 1.0, 98.0, 98, 1.0, 102.0, 490, 108.0, 112.0, 31
4, 1.0, 482.0, 3600, 1.0, 491.0, 4800, 59.0, 501.0, 956'
ss_expect_dataflow e12x14os gemm2 gemm \
'0, 266, 0, 4.799946294307197, 6.547619047619048, 4.781968967362226,
1, 175, 0, 3.401360544217687, 7.440476190476191, 3.382034632034632,
2, 2639, 0, 59.12773597502662, 81.2698412698413, 59.105339105339084,' \
'0, 1.0, 251.0, 2145, 1.0, 243.0, 195, 64.0, 253.0, 111
1, 1.0, 152.0, 80, 1.0, 159.0, 1000, 30.0, 169.0, 154
2, 1.0, 2619.0, 20480, 1.0, 2623.0, 24576, 63.0, 2633.0, 4876'
ss_expect_dataflow e12x14is more conv \
'0, 275, 0, 14.61038961038961, 66.96428571428571, 11.349878934624696,
1, 85, 0, 14.705882352941176, 89.28571428571428, 11.160714285714285,
2, 599, 0, 24.421655139518244, 60.95238095238095, 20.03913894324853,
3, 368, 0, 0.792572463768116, 6.48148148148148, 0.6001371742112482,
4, 759, 0, 37.64351590438547, 71.42857142857144, 32.10272873194221,' \
'0, 1.0, 242.0, 675, 13.0, 254.0, 540, 23.0, 272.0, 750
1, 1.0, 55.0, 300, 13.0, 73.0, 168, 23.0, 82.0, 175
2, 1.0, 432.0, 1024, 13.0, 579.0, 1920, 23.0, 593.0, 3072
3, 1.0, 340.0, 98, 13.0, 346.0, 490, 23.0, 355.0, 45
4, 1.0, 696.0, 1200, 13.0, 747.0, 4800, 23.0, 751.0, 4000'
ss_expect_dataflow e12x14is gemm2 gemm \
'0, 665, 0, 1.9199785177228785, 70.9325396825397, 1.4186507936507933,
1, 171, 0, 3.4809245335561125, 5.952380952380952, 3.006253006253006,
2, 2999, 0, 52.03004175995173, 81.2698412698413, 46.02893664840569,' \
'0, 1.0, 641.0, 2145, 13.0, 646.0, 195, 23.0, 656.0, 198
1, 1.0, 98.0, 20, 13.0, 155.0, 1000, 23.0, 158.0, 100
2, 1.0, 2912.0, 4096, 13.0, 2979.0, 20480, 23.0, 2993.0, 24576'
ss_expect_dataflow a8x32os more conv \
'0, 259, 0, 10.180381274131275, 24.4140625, 10.141225961538463,
1, 199, 0, 4.122173366834171, 17.08984375, 4.1015625,
2, 431, 0, 22.273781902552205, 75.0, 22.222222222222225,
3, 135, 0, 1.4178240740740742, 1.953125, 1.4073988970588236,
4, 587, 0, 31.94207836456559, 52.083333333333336, 31.88775510204082,' \
'0, 1.0, 222.0, 675, 1.0, 231.0, 1080, 26.0, 237.0, 410
1, 1.0, 156.0, 300, 1.0, 168.0, 336, 11.0, 174.0, 335
2, 1.0, 346.0, 1024, 1.0, 417.0, 3072, 15.0, 423.0, 1856
3, 1.0, 98.0, 98, 1.0, 102.0, 490, 104.0, 108.0, 45
4, 1.0, 541.0, 2400, 1.0, 557.0, 7200, 59.0, 563.0, 1040'
ss_expect_dataflow a8x32os gemm2 gemm \
'0, 514, 0, 1.6301374027237354, 2.578125, 1.6269720873786409,
1, 115, 0, 3.3967391304347827, 9.765625, 3.3674568965517246,
2, 1631, 0, 62.78356836296751, 100.0, 62.74509803921566,' \
'0, 1.0, 477.0, 2145, 1.0, 477.0, 325, 64.0, 483.0, 233
1, 1.0, 78.0, 40, 1.0, 95.0, 1000, 26.0, 101.0, 130
2, 1.0, 1601.0, 8192, 1.0, 1625.0, 32768, 63.0, 1631.0, 4736'
ss_expect_dataflow a8x32is more conv \
'0, 223, 0, 11.823850896860986, 65.91796875, 7.576778017241378,
1, 105, 0, 7.8125, 58.59375, 4.8828125,
2, 279, 0, 34.40860215053763, 100.0, 23.762376237623762,
3, 662, 0, 0.2891333081570997, 2.9447115384615383, 0.17955558161350849,
4, 687, 0, 27.292576419213972, 58.59375, 20.03205128205128,' \
'0, 1.0, 176.0, 675, 9.0, 188.0, 270, 15.0, 216.0, 1000
1, 1.0, 61.0, 300, 9.0, 71.0, 84, 15.0, 98.0, 350
2, 1.0, 218.0, 1024, 9.0, 249.0, 768, 15.0, 279.0, 3072
3, 1.0, 620.0, 98, 9.0, 626.0, 490, 15.0, 631.0, 65
4, 1.0, 610.0, 1200, 9.0, 653.0, 2400, 15.0, 675.0, 6400'
ss_expect_dataflow a8x32is gemm2 gemm \
'0, 845, 0, 0.9915865384615384, 46.54947916666667, 0.5967881944444443,
1, 287, 0, 1.3610627177700347, 2.604166666666667, 1.025262467191601,
2, 1759, 0, 58.21489482660603, 100.0, 45.390070921985796,' \
'0, 1.0, 807.0, 2145, 9.0, 808.0, 130, 15.0, 814.0, 297
1, 1.0, 200.0, 20, 9.0, 253.0, 1000, 15.0, 256.0, 150
2, 1.0, 1658.0, 4096, 9.0, 1729.0, 8192, 15.0, 1759.0, 32768'
# The bandwidth report's SRAM columns on 32 x 32 (accesses / Total Cycles).
if cut -d, -f1-4 "$ss/df_small/s32os/BANDWIDTH_REPORT.csv" | sed 1d | cmp -s - <<'EOF'
0, 9.046153846153846, 7.384615384615385, 5.682051282051282
1, 10.599781897491821, 9.16030534351145, 6.8113413304253
2, 7.901234567901234, 8.148148148148149, 2.6995884773662553
EOF
then pass; else fail "scalesim os 32x32 bandwidth SRAM columns differ from SCALE-Sim's"; fi
# SCALE-Sim's google.cfg as shipped (256 x 256, os, USER bandwidth 10): on
# small.csv SCALE-Sim reports no stalls, and these rows.
if [ -f "$ss_cfgs/google.cfg" ]; then
    if "$CLI" scalesim -t "$ss/small.csv" -c "$ss_cfgs/google.cfg" -p "$ss/google" \
        >/dev/null 2>"$ss/err"; then
        expect_report "scalesim google.cfg (os) compute report" \
            "$ss/google/GoogleTPU_v1_os/COMPUTE_REPORT.csv" \
'LayerID, Total Cycles, Stall Cycles, Overall Util %, Mapping Efficiency %, Compute Util %,
0, 545, 0, 0.0987761611238532, 1.495361328125, 0.09859525240384615,
1, 549, 0, 0.6303630891393442, 8.6517333984375, 0.6292169744318182,
2, 569, 0, 0.08495578866432338, 0.8056640625, 0.08480674342105264,'
        if cut -d, -f1-10 "$ss/google/GoogleTPU_v1_os/DETAILED_ACCESS_REPORT.csv" | sed 1d |
            cmp -s - <<'EOF'
0, 1.0, 84.0, 1764, 1.0, 55.0, 720, 242.0, 309.0, 1492
1, 1.0, 120.0, 3240, 1.0, 109.0, 2800, 214.0, 363.0, 6182
2, 1.0, 70.0, 960, 1.0, 92.0, 1980, 299.0, 346.0, 1040
EOF
        then pass; else fail "scalesim google.cfg: SRAM access columns differ from SCALE-Sim's"; fi
    else
        fail "scalesim small.csv with google.cfg: $(head -c 300 "$ss/err")"
    fi
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
# os and is on the same shapes and arrays, against their closed forms worked
# out independently (scalesim_os_is.py): Total Cycles, the three
# utilisations, the SRAM read and write counts.
for shape in 128x128 32x8 12x14; do
    h=${shape%x*} w=${shape#*x}
    for df in os is; do
        ss_cfg "a$shape$df" "$h" "$w" $df CALC
        for topo in shapes:conv shapes_gemm:gemm; do
            f=${topo%%:*} i=${topo#*:}
            if "$CLI" scalesim -t "$ss/$f.csv" -c "$ss/a$shape$df.cfg" -p "$ss/$f" -i "$i" \
                >/dev/null 2>"$ss/err" &&
                $PY "$here/scalesim_os_is.py" "$ss/$f.csv" "$i" $df "$h" "$w" \
                    "$ss/$f/a$shape$df" >"$ss/check" 2>&1; then
                pass
            else
                fail "scalesim $f $df on $shape against the closed form: $(cat "$ss/err" "$ss/check" | head -c 600)"
            fi
        done
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

# SCALE-Sim's conv_nets/alexnet.csv on 32 x 32 with os and is, as SCALE-Sim
# v2 printed its compute reports (the SRAM columns agree too).
if [ -f "$ss_topo/conv_nets/alexnet.csv" ]; then
    for df in os is; do
        "$CLI" scalesim -t "$ss_topo/conv_nets/alexnet.csv" -c "$ss/s32$df.cfg" -p "$ss/alex" \
            >/dev/null 2>&1
    done
    expect_report "scalesim alexnet.csv os 32x32" "$ss/alex/s32os/COMPUTE_REPORT.csv" \
'LayerID, Total Cycles, Stall Cycles, Overall Util %, Mapping Efficiency %, Compute Util %,
0, 121124, 0, 84.99102675770285, 99.50657894736842, 84.99032507739905,
1, 334831, 0, 94.79409015294283, 97.24264705882352, 94.79380704353242,
2, 113567, 0, 92.05491031725765, 94.53125, 92.05409974640747,
3, 168863, 0, 92.86581429916559, 94.53125, 92.86526435474697,
4, 112575, 0, 92.86608927381745, 94.53125, 92.865264354747,'
    expect_report "scalesim alexnet.csv is 32x32" "$ss/alex/s32is/COMPUTE_REPORT.csv" \
'LayerID, Total Cycles, Stall Cycles, Overall Util %, Mapping Efficiency %, Compute Util %,
0, 216599, 0, 47.527703844431414, 94.06481291118422, 40.86073321028807,
1, 446249, 0, 71.12620980663262, 97.24264705882352, 65.3388914620959,
2, 137663, 0, 75.94197424144468, 94.53125, 71.31630648330041,
3, 206495, 0, 75.94179035812004, 94.53125, 71.31630648330076,
4, 151199, 0, 69.14331443991031, 94.53125, 63.517060367453716,'
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
# scale.cfg, eyeriss.cfg, tpuv5e_downscale.cfg and google.cfg (os) as they
# are. GEMM files (header
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
    n_ok=0 n_bad=0
    for f in $(cd "$ss_topo" && find . -name '*.csv' | sed 's|^\./||' | sort); do
        i=conv
        head -1 "$ss_topo/$f" | grep -qE '^[^,]*, *M, *N, *K' && i=gemm
        why=$(ss_refused "$f")
        for cfg in "$ss_cfgs/scale.cfg" "$ss_cfgs/eyeriss.cfg" "$ss_cfgs/tpuv5e_downscale.cfg" \
            "$ss_cfgs/google.cfg"; do
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
run "scalesim names the dataflow" 0 "3 layers on a 32x32 is array" \
    "$CLI" scalesim -t "$ss/small.csv" -c "$ss/s32is.cfg" -p "$ss/named"
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
