# tests/fuzz/fuzz.mk — libFuzzer targets, built by clang with ASan and
# UBSan (float-cast-overflow included) into build-fuzz/:
#   fuzz_onnx  bytes as an ONNX file: wire check, protobuf-c, import, shape
#              inference, and a simulation of what loads (tests/fuzz/fuzz_onnx.c)
#   fuzz_ini   bytes as a chip file and as a stack file (tests/fuzz/fuzz_ini.c)
#   fuzz_tflite bytes as a TFLite file: the FlatBuffers verifier, import, shape
#              inference and a simulation (tests/fuzz/fuzz_tflite.c)
#   fuzz_scalesim bytes as a SCALE-Sim config and topology CSV, and the layers
#              that load (tests/fuzz/fuzz_scalesim.c)
# Seeds: the real ONNX and TFLite models up to 128 KiB ($(TPUSIM_MODELS), else
# ../shared/models/real), the malformed ones of tests/tools/make_bad_models.py
# and the small TFLite files of tests/tools/make_tflite_models.py, the
# inputs in tests/fuzz/regressions/<target> that once failed,
# models/*/chip.ini and models/stacks/*.ini, SCALE-Sim's sample topologies and
# configs beside the real models (../../scalesim_*); the ONNX target also gets a
# dictionary of protobuf tags, op types and attribute names
# (tests/fuzz/make_dict.sh) so that mutations reach nested messages.
#
#   make fuzz FUZZ_SECONDS=N   each target N seconds (default 60), corpus kept
#                              in build-fuzz/corpus/<target>, crashes in
#                              build-fuzz/crash-<target>-*
#   make fuzz-smoke            each target on its seeds plus 2,000 mutations
#                              (part of make test; skipped, saying so, where
#                              clang cannot link libFuzzer)
FUZZ_SECONDS ?= 60
FUZZ_DIR     := build-fuzz
FUZZ_CC      ?= clang
FUZZ_CXX     ?= clang++
FUZZ_SAN     := -fsanitize=address,undefined,float-cast-overflow -fno-sanitize-recover=all \
                -fno-omit-frame-pointer
FUZZ_SEEDS   ?= $(or $(TPUSIM_MODELS),../shared/models/real)
FUZZ_NAMES   := onnx ini tflite scalesim
FUZZ_BINS    := $(FUZZ_NAMES:%=$(FUZZ_DIR)/fuzz_%)
# libFuzzer's own options for every run; the ONNX target adds its dictionary.
FUZZ_OPTS    ?= -timeout=20 -rss_limit_mb=4096 -max_len=131072 -print_final_stats=1
FUZZ_ENV     := TPUSIM_MODELS_DIR=$(CURDIR)/models ASAN_OPTIONS=detect_leaks=1 \
                UBSAN_OPTIONS=print_stacktrace=1

.PHONY: fuzz fuzz-build fuzz-smoke fuzz-corpus test-fuzz-smoke
TEST_EXTRA += test-fuzz-smoke

# The library is instrumented for coverage (fuzzer-no-link); each target
# links libFuzzer's main.
$(BUILD)/fuzz_%: $(BUILD)/tests/fuzz/fuzz_%.o $(LIB_A)
	$(CC) $(LDFLAGS) -fsanitize=fuzzer -o $@ $< $(LIB_A) $(LIBS_LIB)

fuzz-build: deps
	@$(MAKE) --no-print-directory BUILD=$(FUZZ_DIR) CC=$(FUZZ_CC) CXX=$(FUZZ_CXX) OPT="-O1 -g" \
		SANITIZE="-fsanitize=fuzzer-no-link $(FUZZ_SAN)" $(FUZZ_BINS)
	@sh tests/fuzz/make_dict.sh > $(FUZZ_DIR)/onnx.dict

# The seeds are laid anew each time in seeds/<target> and copied into
# corpus/<target>, where what the fuzzer adds stays between runs.
fuzz-corpus:
	@rm -rf $(FUZZ_DIR)/seeds && mkdir -p $(FUZZ_DIR)/seeds/onnx $(FUZZ_DIR)/seeds/ini \
		$(FUZZ_DIR)/seeds/tflite $(FUZZ_DIR)/seeds/scalesim
	@find $(FUZZ_SEEDS)/onnx -name '*.onnx' -size -129k -exec cp {} $(FUZZ_DIR)/seeds/onnx/ \;
	@find $(FUZZ_SEEDS)/tflite -name '*.tflite' -size -129k -exec cp {} $(FUZZ_DIR)/seeds/tflite/ \;
	@$(PY) tests/tools/make_tflite_models.py $(FUZZ_DIR)/seeds/tflite
	@# inputs that once failed: every smoke run replays them
	@for t in $(FUZZ_NAMES); do [ -d tests/fuzz/regressions/$$t ] && \
		cp tests/fuzz/regressions/$$t/* $(FUZZ_DIR)/seeds/$$t/ || true; done
	@$(PY) tests/tools/make_bad_models.py $(FUZZ_DIR)/seeds/onnx
	@for f in models/*/chip.ini models/stacks/*.ini; do \
		cp $$f $(FUZZ_DIR)/seeds/ini/$$(echo $$f | tr / _); done
	@for f in $$(find $(FUZZ_SEEDS)/../../scalesim_topologies $(FUZZ_SEEDS)/../../scalesim_configs \
		-name '*.csv' -o -name '*.cfg' 2>/dev/null); do \
		cp $$f $(FUZZ_DIR)/seeds/scalesim/$$(basename $$(dirname $$f))_$$(basename $$f); done
	@printf 'Layer,M,N,K,\nG,4,5,6,\n' > $(FUZZ_DIR)/seeds/scalesim/gemm_row.csv
	@for t in $(FUZZ_NAMES); do mkdir -p $(FUZZ_DIR)/corpus/$$t && \
		cp -n $(FUZZ_DIR)/seeds/$$t/* $(FUZZ_DIR)/corpus/$$t/; done

fuzz: fuzz-build fuzz-corpus
	@for t in $(FUZZ_NAMES); do \
		dict=""; [ $$t = onnx ] && dict=-dict=$(FUZZ_DIR)/onnx.dict; \
		echo "fuzz_$$t: $(FUZZ_SECONDS) s"; \
		$(FUZZ_ENV) $(FUZZ_DIR)/fuzz_$$t $(FUZZ_OPTS) $$dict -max_total_time=$(FUZZ_SECONDS) \
			-artifact_prefix=$(FUZZ_DIR)/crash-$$t- $(FUZZ_DIR)/corpus/$$t || exit 1; \
	done

# Every seed once, then 2,000 mutations, from a scratch copy of the seeds.
fuzz-smoke: fuzz-build fuzz-corpus
	@for t in $(FUZZ_NAMES); do \
		rm -rf $(FUZZ_DIR)/smoke && cp -r $(FUZZ_DIR)/seeds/$$t $(FUZZ_DIR)/smoke; \
		dict=""; [ $$t = onnx ] && dict=-dict=$(FUZZ_DIR)/onnx.dict; \
		$(FUZZ_ENV) $(FUZZ_DIR)/fuzz_$$t $(FUZZ_OPTS) $$dict -runs=2000 -seed=1 \
			-artifact_prefix=$(FUZZ_DIR)/crash-$$t- $(FUZZ_DIR)/smoke >$(FUZZ_DIR)/smoke_$$t.log 2>&1 \
			|| { tail -n 40 $(FUZZ_DIR)/smoke_$$t.log; exit 1; }; \
		echo "fuzz-smoke: fuzz_$$t: $$(grep -o 'stat::number_of_executed_units: [0-9]*' $(FUZZ_DIR)/smoke_$$t.log)"; \
	done; rm -rf $(FUZZ_DIR)/smoke

.SECONDARY: $(FUZZ_NAMES:%=$(BUILD)/tests/fuzz/fuzz_%.o)
# make test's part: the smoke where clang links libFuzzer (not under the
# sanitizer builds of test-asan, which have their own ASan).
test-fuzz-smoke:
	@if [ -n "$(SANITIZE)" ]; then echo "fuzz-smoke: skipped under test-asan"; \
	elif echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return 0; }' | \
		$(FUZZ_CC) -x c -fsanitize=fuzzer - -o /dev/null 2>/dev/null; then \
		$(MAKE) --no-print-directory fuzz-smoke; \
	else echo "fuzz-smoke: skipped: $(FUZZ_CC) cannot link libFuzzer (scripts/install-deps.sh installs clang)"; fi

-include $(FUZZ_NAMES:%=$(BUILD)/tests/fuzz/fuzz_%.d)
