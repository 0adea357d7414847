#!/bin/sh
# CLI and end-to-end tests of the tpusim command, on the real models under
# ../shared/models/real. Prints "cli: N passed, N failed"; exits non-zero on
# any failure. Needs TPUSIM_CLI (the binary) and /usr/bin/python3 with onnx.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
CLI=${TPUSIM_CLI:-$root/build/tpusim}
MODELS=${TPUSIM_MODELS:-$root/../shared/models/real}
PY=/usr/bin/python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

pass() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); echo "FAIL: $*"; }

# run NAME EXPECTED_RC NEEDLE CMD...: exit code and a substring of stderr+stdout.
run() {
    name=$1 want=$2 needle=$3
    shift 3
    "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if [ "$rc" -ne "$want" ]; then
        fail "$name: exit $rc, expected $want; stderr: $(head -c 400 "$tmp/err")"
    elif [ -n "$needle" ] && ! grep -qF -- "$needle" "$tmp/out" "$tmp/err"; then
        fail "$name: output lacks '$needle'; stderr: $(head -c 400 "$tmp/err")"
    else
        pass
    fi
}

# expect_counts NAME MACS PARAMS MODEL ARGS...: inspect's total MACs and
# parameters ("-": not checked).
expect_counts() {
    name=$1 want_macs=$2 want_params=$3
    shift 3
    if ! "$CLI" inspect "$@" --format json >"$tmp/counts.json" 2>"$tmp/counts.err"; then
        fail "$name: exit $?: $(head -c 300 "$tmp/counts.err")"
        return
    fi
    got=$($PY -c 'import json,sys; t = json.load(open(sys.argv[1]))["totals"]; print(t["macs"], t["params"])' \
        "$tmp/counts.json")
    got_macs=${got% *} got_params=${got#* }
    if [ "$got_macs" != "$want_macs" ]; then
        fail "$name: $got_macs MACs, expected $want_macs"
    elif [ "$want_params" != "-" ] && [ "$got_params" != "$want_params" ]; then
        fail "$name: $got_params params, expected $want_params"
    else
        pass
    fi
}

. "$here/basics.sh"
. "$here/real_models.sh"
. "$here/control_flow.sh"
. "$here/quantized.sh"
. "$here/tflite.sh"
. "$here/bad_input.sh"
. "$here/run_cmd.sh"
. "$here/chips.sh"
. "$here/stacks.sh"
. "$here/gpu.sh"
. "$here/report.sh"
. "$here/zoo.sh"
. "$here/sweep.sh"
. "$here/compare_set.sh"
. "$here/install.sh"
. "$here/scalesim.sh"

echo "cli: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
