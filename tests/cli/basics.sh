# Sourced by run.sh: help, version, flags and the built-in model.
run "help" 0 "usage: tpusim COMMAND" "$CLI" --help
run "no args is usage error" 2 "usage: tpusim COMMAND" "$CLI"
run "version" 0 "tpusim 0." "$CLI" --version
run "unknown command" 2 "unknown command 'frobnicate'" "$CLI" frobnicate
run "inspect help" 0 "--dim NAME=VALUE" "$CLI" inspect --help
run "inspect unknown flag" 2 "unknown option '--bogus'" "$CLI" inspect --bogus
run "inspect bad batch" 2 "--batch needs a whole number" "$CLI" inspect --batch zero
run "inspect negative batch" 2 "--batch needs a whole number" "$CLI" inspect --batch -3
run "inspect bad format" 2 "--format must be text, csv or json" "$CLI" inspect --format yaml
run "inspect bad dim" 2 "--dim needs NAME=VALUE" "$CLI" inspect --dim seq
run "inspect missing value" 2 "option --batch needs a value" "$CLI" inspect --batch
run "inspect one model" 2 "one model at a time" "$CLI" inspect builtin:demo-cnn builtin:demo-cnn
# A name cut short would bind another dimension or none: refused whole.
long_dim=$(printf '%0300d' 0)
run "inspect dim name too long" 2 "--dim name longer than 255 characters" "$CLI" inspect --dim "$long_dim=3"
run "demo" 0 "on tpu_v3" "$CLI" demo
run "builtin unknown" 1 "no built-in model named 'nope'" "$CLI" inspect builtin:nope

# The demo CNN's MACs, worked out by hand from its definition in
# graph_import/builtin.c (224x224x3 input):
#   stem 3x3/2 3->32:   112*112*32 * 27      = 10838016
#   dw1 3x3 depthwise:  112*112*32 * 9       =  3612672
#   pw1 1x1 32->64:     112*112*64 * 32      = 25690112
#   expand 1x1 64->256 (after 2x2 pool): 56*56*256*64 = 51380224
#   project 1x1 256->64: 56*56*64*256        = 51380224
#   head 3x3/2 64->128: 28*28*128 * 576      = 57802752
#   fc 128->10:         1280
#   total                                     = 200705280
"$CLI" inspect --format json >"$tmp/demo.json" 2>"$tmp/err"
macs=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["totals"]["macs"])' "$tmp/demo.json" 2>&1)
if [ "$macs" = "200705280" ]; then pass; else fail "demo MACs $macs, expected 200705280"; fi

# --batch 8 multiplies every op's MACs by 8.
"$CLI" inspect --batch 8 --format json >"$tmp/demo8.json" 2>"$tmp/err"
macs8=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["totals"]["macs"])' "$tmp/demo8.json" 2>&1)
if [ "$macs8" = "1605642240" ]; then pass; else fail "demo --batch 8 MACs $macs8, expected 8*200705280"; fi

# CSV: a header and one line per op, the same count as JSON's ops.
"$CLI" inspect --format csv >"$tmp/demo.csv" 2>"$tmp/err"
nops=$($PY -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["ops"]))' "$tmp/demo.json")
nrows=$($PY -c 'import csv,sys; print(len(list(csv.DictReader(open(sys.argv[1])))))' "$tmp/demo.csv")
if [ "$nops" = "$nrows" ] && [ "$nops" -gt 10 ]; then pass; else fail "csv rows $nrows vs json ops $nops"; fi
