# Sourced by run.sh: every real ONNX and TFLite file imports with all
# shapes known (and MACs and parameters agree with an independent count) and
# runs on tpu_v3 and edgetpu, or fails with the clear error listed in
# tests/real_models.tsv.
grep -v '^#' "$root/tests/real_models.tsv" | while IFS='	' read -r file expect binds check; do
    case "$file" in
    tflite/*) path="$MODELS/$file" ;;
    *) path="$MODELS/onnx/$file" ;;
    esac
    set --
    if [ "$binds" != "-" ]; then
        oldifs=$IFS; IFS=,
        for b in $binds; do set -- "$@" "$b"; done
        IFS=$oldifs
    fi
    "$CLI" inspect "$path" "$@" --format json >"$tmp/model.json" 2>"$tmp/err"
    rc=$?
    case "$expect" in
    ok*)
        if [ "$rc" -ne 0 ]; then
            echo "FAIL: $file: exit $rc: $(head -c 300 "$tmp/err")"; echo fail >>"$tmp/results"; continue
        fi
        case "$expect" in ok-note:*)
            if ! grep -qF -- "${expect#ok-note:}" "$tmp/err"; then
                echo "FAIL: $file: no note '${expect#ok-note:}': $(head -c 300 "$tmp/err")"
                echo fail >>"$tmp/results"; continue
            fi
        esac
        for chip in tpu_v3 edgetpu; do
            # ok-not-edgetpu: a model input breaks the Edge TPU's shape rule
            # (only the innermost 3 dims > 1): a clear refusal there.
            if [ "$chip" = edgetpu ] && [ "$expect" = ok-not-edgetpu ]; then
                if "$CLI" run "$path" --chip "$chip" "$@" >"$tmp/run.out" 2>"$tmp/run.err" ||
                    ! grep -q "placement.device_inner_dims" "$tmp/run.err"; then
                    echo "FAIL: $file: not refused on edgetpu by the shape rule: $(head -c 300 "$tmp/run.err")"
                    echo fail >>"$tmp/results"; continue 2
                fi
                continue
            fi
            if ! "$CLI" run "$path" --chip "$chip" "$@" >"$tmp/run.out" 2>"$tmp/run.err" ||
                ! grep -q "^total:" "$tmp/run.out"; then
                echo "FAIL: $file: does not run on $chip: $(head -c 300 "$tmp/run.err")"
                echo fail >>"$tmp/results"; continue 2
            fi
        done
        if [ "$check" = "count" ]; then
            dims=$(for b in "$@"; do echo "$b"; done | sed -n 's/^--dim=//p' | tr '\n' ' ')
            # shellcheck disable=SC2086
            if ! $PY "$here/../tools/onnx_count.py" "$path" $dims >"$tmp/ref.json" 2>"$tmp/referr"; then
                echo "FAIL: $file: reference count failed: $(tail -n 2 "$tmp/referr")"; echo fail >>"$tmp/results"; continue
            fi
            if ! $PY "$here/../tools/compare_counts.py" "$file" "$tmp/model.json" "$tmp/ref.json"; then
                echo fail >>"$tmp/results"; continue
            fi
        fi
        case "$check" in approx:*)
            # Published figures (ShuffleNet V2 1x: 146 M MACs, torchvision's 2,278,604 params).
            if ! $PY -c '
import json, sys
_, macs, params, pct = sys.argv[2].split(":")
t = json.load(open(sys.argv[1]))["totals"]
for what, got, want in (("MACs", t["macs"], float(macs)), ("params", t["params"], float(params))):
    if abs(got - want) > float(pct) / 100 * want:
        sys.exit("FAIL: %s %d not within %s%% of %.0f" % (what, got, pct, want))
' "$tmp/model.json" "$check"; then
                echo "  ($file)"; echo fail >>"$tmp/results"; continue
            fi
        esac
        echo pass >>"$tmp/results"
        ;;
    error:*)
        needle=${expect#error:}
        if [ "$rc" -ne 1 ] || ! grep -qF -- "$needle" "$tmp/err" || ! grep -qF -- "$file" "$tmp/err"; then
            echo "FAIL: $file: expected exit 1 naming the file and '$needle', got $rc: $(head -c 300 "$tmp/err")"
            echo fail >>"$tmp/results"
        else
            echo pass >>"$tmp/results"
        fi
        ;;
    esac
done
passed=$((passed + $(grep -c '^pass' "$tmp/results" 2>/dev/null || true)))
failed=$((failed + $(grep -c '^fail' "$tmp/results" 2>/dev/null || true)))
rm -f "$tmp/results"
