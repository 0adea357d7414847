# Sourced by run.sh: `tpusim chips` (the list, --dump, --set) and its errors.
run "chips lists tpu_v2" 0 "tpu_v2" "$CLI" chips
run "chips lists tpu_v3" 0 "tpu_v3" "$CLI" chips
run "chips lists tpu_v4i" 0 "tpu_v4i" "$CLI" chips
run "chips lists edgetpu" 0 "edgetpu" "$CLI" chips
run "chips v3 shape" 0 "2 x 2 x 128x128" "$CLI" chips
run "chips help" 0 "--set S.KEY=VALUE" "$CLI" chips --help
run "chips dump rows" 0 "mxu.rows" "$CLI" chips --dump tpu_v3
run "chips dump source" 0 "source:" "$CLI" chips --dump tpu_v3
run "chips dump derived" 0 "derived.peak_flops_per_s" "$CLI" chips --dump tpu_v3
run "chips dump ini path" 0 "mxu.rows" "$CLI" chips --dump "$root/models/edgetpu/chip.ini"
run "chips set noted" 0 "override (--set)" "$CLI" chips --dump tpu_v4i --set mxu.per_core=8
# --set mxu.per_core=8 doubles TPUv4i's peak: 4 x 128 x 128 x 2 x 1050e6 = 1.376256e14 -> x2
"$CLI" chips --dump tpu_v4i --set mxu.per_core=8 >"$tmp/v4i8" 2>"$tmp/err"
if grep -q "^derived.peak_flops_per_s  *2.752512e+14" "$tmp/v4i8"; then pass; else
    fail "chips --set mxu.per_core=8: peak not doubled: $(grep peak_flops_per_s "$tmp/v4i8")"; fi
run "chips unknown chip" 1 "unknown chip 'tpu_v9'" "$CLI" chips --dump tpu_v9
run "chips unknown set key" 1 "mxu.banana" "$CLI" chips --dump tpu_v3 --set mxu.banana=1
run "chips dump range" 0 "[1, 10000]" "$CLI" chips --dump tpu_v3
# Values outside the physical range are refused with key, range and line
# (they used to run: 1e20 cycles per add reported fewer cycles than 1).
run "chips range vpu" 1 "vpu.add_cycles_per_vector: 1e20 is outside [0.01, 10000] cycles/vector" \
    "$CLI" run builtin:demo-cnn --chip tpu_v3 --set vpu.add_cycles_per_vector=1e20
run "chips range clock line" 1 "tpu_v3/chip.ini:9): chip.clock_mhz: 1e308 is outside [1, 10000] MHz" \
    "$CLI" run builtin:demo-cnn --chip tpu_v3 --set chip.clock_mhz=1e308
run "chips range hbm tiny" 1 "hbm.bandwidth_gbps: 1e-300 is outside [0.1, 100000] GB/s or 0" \
    "$CLI" run builtin:demo-cnn --chip tpu_v3 --set hbm.bandwidth_gbps=1e-300
run "chips hbm 0 needs no DRAM" 1 "hbm.bandwidth_gbps = 0 with hbm.capacity_gib = 32" \
    "$CLI" run builtin:demo-cnn --chip tpu_v3 --set hbm.bandwidth_gbps=0
run "chips bad set value" 1 "mxu.rows: 0 is outside [1, 4096]" "$CLI" chips --dump tpu_v3 --set mxu.rows=0
run "chips malformed set" 2 "--set needs SECTION.KEY=VALUE" "$CLI" chips --dump tpu_v3 --set rows
run "chips set without dump" 2 "--set needs --dump" "$CLI" chips --set mxu.rows=64
run "chips unknown flag" 2 "unknown option '--bogus'" "$CLI" chips --bogus
run "chips dump missing value" 2 "option --dump needs a value" "$CLI" chips --dump
