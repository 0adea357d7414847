# Sourced by run.sh: `tpusim stacks` (the list, --dump, --stack-set) and its errors.
for s in xla tensorrt pytorch-eager paddle-inference tflite-edgetpu; do
    run "stacks lists $s" 0 "$s" "$CLI" stacks
done
run "stacks names defaults" 0 "tpu_v2,tpu_v3,tpu_v4i" "$CLI" stacks
run "stacks help" 0 "--stack-set S.KEY=VALUE" "$CLI" stacks --help
run "stacks dump fusion" 0 "fusion.into_matrix" "$CLI" stacks --dump tensorrt
run "stacks dump source" 0 "source: NVIDIA/tacotron2 issue #183" "$CLI" stacks --dump tensorrt
run "stacks dump unit" 0 "µs/inference" "$CLI" stacks --dump pytorch-eager
run "stacks dump ini path" 0 "layout.tile_minor_16bit_elems" \
    "$CLI" stacks --dump "$root/models/stacks/xla.ini"
run "stacks set noted" 0 "override (--stack-set)" \
    "$CLI" stacks --dump xla --stack-set overhead.gap_us_per_kernel=2
run "stacks unknown stack" 1 "unknown stack 'xla9'" "$CLI" stacks --dump xla9
run "stacks unknown set key" 1 "overhead.banana: unknown key" \
    "$CLI" stacks --dump xla --stack-set overhead.banana=1
run "stacks bad set value" 1 "must be >= 0" \
    "$CLI" stacks --dump xla --stack-set overhead.gap_us_per_kernel=-3
run "stacks set without dump" 2 "--stack-set needs --dump" \
    "$CLI" stacks --stack-set overhead.gap_us_per_kernel=2
run "stacks unknown flag" 2 "unknown option '--bogus'" "$CLI" stacks --bogus
run "chips dump names default stack" 0 "compiler.default_stack" "$CLI" chips --dump gpu_v100
run "chips list shows stack" 0 "tflite-edgetpu" "$CLI" chips
