# python/python.mk — the oracle's extras: the Python binding's tests, the
# C examples, the threads test (plain and under ThreadSanitizer) and the
# NAS benchmark. Included by the top-level Makefile; uses its BUILD, CC,
# CPPFLAGS, CFLAGS, WARN, LDFLAGS, LIB_A, LIB_SO, LIBS_LIB and SANITIZE.
#
#   make test-python     python/test_tpusim.py with /usr/bin/python3 (part of make test)
#   make test-threads    4 threads, one chip, a context each (part of make test)
#   make test-tsan       the same under ThreadSanitizer (build-tsan/)
#   make examples-c      build examples/*.c into $(BUILD)/examples/ and run latency
#   make bench-nas       candidates per second, cold and warm (scripts/bench_nas.sh)

PY          ?= /usr/bin/python3
EXAMPLES_C  := $(patsubst %.c,$(BUILD)/%,$(wildcard examples/*.c))
THREADS_BIN := $(BUILD)/tests/tsan/api_threads
BENCH_NAS   := $(BUILD)/bench_nas
EXAMPLE_ONNX ?= $(or $(TPUSIM_MODELS),../shared/models/real)/onnx/torch_export/tv_mnasnet1_0_light.onnx

TEST_EXTRA += test-threads test-python examples-c

.PHONY: test-python test-threads test-tsan examples-c bench-nas

$(EXAMPLES_C): $(BUILD)/examples/%: $(BUILD)/examples/%.o $(LIB_A)
	$(CC) $(LDFLAGS) -o $@ $< $(LIB_A) $(LIBS_LIB)

$(THREADS_BIN): $(BUILD)/tests/tsan/api_threads.o $(LIB_A)
	$(CC) $(LDFLAGS) -pthread -o $@ $< $(LIB_A) $(LIBS_LIB)

$(BENCH_NAS): $(BUILD)/tests/bench/bench_nas.o $(LIB_A)
	$(CC) $(LDFLAGS) -o $@ $< $(LIB_A) $(LIBS_LIB)

examples-c: $(EXAMPLES_C)
	@if [ -f "$(EXAMPLE_ONNX)" ]; then $(BUILD)/examples/latency $(EXAMPLE_ONNX) models; \
	else echo "examples-c: built; no $(EXAMPLE_ONNX) to run latency on"; fi

test-threads: $(THREADS_BIN)
	$(THREADS_BIN) models

# The interpreter cannot load a sanitizer-built library without preloading
# the sanitizer's runtime: under test-asan the binding is tested by make test.
test-python: $(LIB_SO)
	@if [ -n "$(SANITIZE)" ]; then echo "test-python: skipped under sanitizers"; \
	elif [ ! -x "$(PY)" ]; then echo "test-python: no $(PY)"; exit 1; \
	else TPUSIM_LIB=$(CURDIR)/$(LIB_SO) TPUSIM_MODELS_DIR=$(CURDIR)/models \
		$(PY) -m unittest -q python/test_tpusim.py; fi

test-tsan: deps
	@$(MAKE) --no-print-directory BUILD=build-tsan OPT="-O1 -g" SANITIZE="-fsanitize=thread" \
		build-tsan/tests/tsan/api_threads
	TSAN_OPTIONS="halt_on_error=1" build-tsan/tests/tsan/api_threads models

bench-nas: deps
	@$(MAKE) --no-print-directory all $(BENCH_NAS)
	sh scripts/bench_nas.sh

-include $(EXAMPLES_C:=.d) $(BUILD)/tests/tsan/api_threads.d $(BUILD)/tests/bench/bench_nas.d

# make bench also measures the oracle (scripts/bench.sh runs bench_nas.sh last).
bench: $(BENCH_NAS)

# make clean also removes the ThreadSanitizer build.
.PHONY: clean-tsan
clean-tsan:
	rm -rf build-tsan
clean: clean-tsan
