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

. "$here/basics.sh"
. "$here/real_models.sh"
. "$here/control_flow.sh"
. "$here/bad_input.sh"
. "$here/run_cmd.sh"
. "$here/chips.sh"
. "$here/stacks.sh"
. "$here/gpu.sh"
. "$here/report.sh"
. "$here/zoo.sh"
. "$here/install.sh"

echo "cli: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
