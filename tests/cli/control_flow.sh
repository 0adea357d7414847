# Sourced by run.sh: If, Loop and Scan on small models written by
# tests/tools/make_control_models.py; MACs worked out by hand below.
cf="$tmp/cf"
mkdir -p "$cf"
$PY "$here/../tools/make_control_models.py" "$cf"

# then: [1,4] @ [4,8] = 32 MACs; else: [1,4] @ [4,6] + [1,6] @ [6,8] = 24 + 48 = 72.
expect_counts "If on a constant takes that branch" 32 - "$cf/if_const.onnx"
expect_counts "If on an input costs the costlier branch" 72 - "$cf/if_input.onnx"
run "If says which branch it costed" 0 "node 'choose' (If): the condition is not a constant; the else branch is simulated" \
    "$CLI" inspect "$cf/if_input.onnx"
# Loop: h @ W[4,4] = 16 MACs per iteration; M = 3 folds.
expect_counts "Loop repeats its body M times" 48 - "$cf/loop_const.onnx"
run "Loop scan output stacks the iterations" 0 "[3,1,4]" "$CLI" inspect "$cf/loop_const.onnx"
run "Loop without a trip count" 1 "node 'rnn' (Loop): its trip count (input M) is not a constant tpusim can fold; bind it with --dim rnn.trip_count=N" \
    "$CLI" inspect "$cf/loop_input.onnx"
expect_counts "Loop with a bound trip count" 80 - "$cf/loop_input.onnx" --dim rnn.trip_count=5
run "trip count of no Loop" 1 "--dim rnx.trip_count matches no dimension of the model's inputs (symbolic dimensions: none) and no Loop node" \
    "$CLI" inspect "$cf/loop_const.onnx" --dim rnx.trip_count=5
# Scan over T = 6 steps: x_t [1,4] @ W[4,4] = 16 MACs each.
expect_counts "Scan repeats its body over the scanned axis" 96 - "$cf/scan.onnx" --dim T=6
# A Loop of 2 around an If on a constant false: 2 x 72, reading x and the weights outside.
expect_counts "nested control flow" 144 - "$cf/nested.onnx"
