# tpusim — cycle-level simulator of ML accelerators.
# make            library (static + shared) and the tpusim CLI
# make test       every test (installs missing Debian packages first)
# make test-asan  the tests under AddressSanitizer + UBSan (float-cast-overflow too)
# make demo       set up, build, and run tpusim on its built-in model
# make install PREFIX=/usr/local  (the library then finds its chips under
#                 PREFIX/share/tpusim/models; programs linked through
#                 pkg-config carry an rpath to PREFIX/lib)
# make clean

PREFIX   ?= /usr/local
CC       ?= gcc
CXX      ?= g++
BUILD    ?= build
WERROR   ?= -Werror
OPT      ?= -O2 -g
SANITIZE ?=

# The shared tree (real models, calibration data, SCALE-Sim samples): the
# nearest shared/ beside the checkout or above it. Tests, validate and bench
# read it through TPUSIM_MODELS (its models/real), which a caller may set.
ifeq ($(origin SHARED_DIR),undefined)
SHARED_DIR := $(firstword $(foreach d,../shared ../../shared ../../../shared,\
                  $(if $(wildcard $(d)/models/real),$(abspath $(d)))))
endif
ifneq ($(SHARED_DIR),)
export TPUSIM_MODELS ?= $(SHARED_DIR)/models/real
endif

ONNX_PROTO ?= /usr/include/onnx/onnx.proto
TFLITE_FBS := graph_import/tflite_schema.fbs
PKGS_LIB   := libprotobuf-c inih zlib flatbuffers
PKGS_TEST  := check

# pkg-config runs once per make, not once per compile or link (`:=`).
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS_LIB) 2>/dev/null)
# libcsv (SCALE-Sim topology files) has no pkg-config file.
LIBS_LIB   := $(shell pkg-config --libs $(PKGS_LIB)) -lcsv -lm
LIBS_TEST  := $(shell pkg-config --libs $(PKGS_TEST))

WARN     := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes $(WERROR)
CPPFLAGS += -D_POSIX_C_SOURCE=200809L -Isim -Igraph_import -Itraces -I$(BUILD)/gen $(PKG_CFLAGS)
CFLAGS   += -std=c11 $(OPT) -fPIC $(SANITIZE)
# C++ only where a library demands it (tflite_reader.cpp): no exceptions or RTTI.
CXXFLAGS += -std=c++17 $(OPT) -fPIC -fno-exceptions -fno-rtti $(SANITIZE)
CXXWARN  := -Wall -Wextra -Wshadow $(WERROR)
LDFLAGS  += $(SANITIZE)

VERSION := $(shell sed -n 's/^\#define TPUSIM_VERSION "\(.*\)"/\1/p' sim/tpusim.h)

LIB_SRC  := $(filter-out sim/cli%.c,$(wildcard sim/*.c)) $(wildcard graph_import/*.c) \
            $(wildcard traces/*.c)
LIB_CXX  := $(wildcard graph_import/*.cpp)
CLI_SRC  := $(wildcard sim/cli*.c)
TEST_SRC := $(wildcard tests/*.c)
GEN_SRC  := $(BUILD)/gen/onnx.pb-c.c

LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o) $(LIB_CXX:%.cpp=$(BUILD)/%.o) $(BUILD)/gen/onnx.pb-c.o
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/%.o)
TEST_OBJ := $(TEST_SRC:%.c=$(BUILD)/%.o)

LIB_A  := $(BUILD)/libtpusim.a
LIB_SO := $(BUILD)/libtpusim.so
CLI    := $(BUILD)/tpusim
TESTS  := $(BUILD)/tests/run_tests

.PHONY: all deps test test-asan demo bench bench-sweep install uninstall clean
all: $(LIB_A) $(LIB_SO) $(CLI)

# Installs what is missing (a no-op when everything is present).
deps:
	@sh scripts/install-deps.sh

# Where the installed library looks for chip and stack files, from PREFIX:
# rewritten only when it changes, so that chip.o rebuilds only then.
$(BUILD)/gen/install_dirs.h: FORCE
	@mkdir -p $(BUILD)/gen
	@echo '#define TPUSIM_INSTALLED_MODELS_DIR "$(PREFIX)/share/tpusim/models" /* generated */' \
		> $@.tmp
	@cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@
$(BUILD)/sim/chip.o: $(BUILD)/gen/install_dirs.h
.PHONY: FORCE
FORCE:

$(BUILD)/gen/onnx.pb-c.c $(BUILD)/gen/onnx.pb-c.h &: $(ONNX_PROTO)
	@mkdir -p $(BUILD)/gen
	protoc-c --c_out=$(BUILD)/gen -I$(dir $(ONNX_PROTO)) $(ONNX_PROTO)

# flatc writes a C++ reader and verifier for the TFLite schema subset.
$(BUILD)/gen/tflite_schema_generated.h: $(TFLITE_FBS)
	@mkdir -p $(BUILD)/gen
	flatc --cpp -o $(BUILD)/gen $(TFLITE_FBS)

$(BUILD)/graph_import/%.o: graph_import/%.cpp | $(BUILD)/gen/tflite_schema_generated.h
	@mkdir -p $(dir $@)
	$(CXX) $(CPPFLAGS) $(CXXFLAGS) $(CXXWARN) -MMD -MP -c $< -o $@

# Generated code is not ours to warn about.
$(BUILD)/gen/onnx.pb-c.o: $(BUILD)/gen/onnx.pb-c.c
	$(CC) $(CPPFLAGS) $(CFLAGS) -w -c $< -o $@

# The generated header must exist before anything compiles (order-only);
# which objects include it, and so rebuild when it changes, the .d files say.
$(BUILD)/%.o: %.c | $(BUILD)/gen/onnx.pb-c.h
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -MMD -MP -c $< -o $@

$(LIB_A): $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(LIB_SO): $(LIB_OBJ)
	$(CC) -shared -Wl,-soname,libtpusim.so.0 $(LDFLAGS) -o $@ $^ $(LIBS_LIB)

# The CLI runs sweeps on threads (pthreads).
$(CLI): $(CLI_OBJ) $(LIB_A)
	$(CC) $(LDFLAGS) -pthread -o $@ $(CLI_OBJ) $(LIB_A) $(LIBS_LIB)

$(TESTS): $(TEST_OBJ) $(LIB_A)
	$(CC) $(LDFLAGS) -o $@ $(TEST_OBJ) $(LIB_A) $(LIBS_LIB) $(LIBS_TEST)

test: deps
	@$(MAKE) --no-print-directory all $(TESTS)
	TPUSIM_CLI=$(CURDIR)/$(CLI) $(TESTS)
	TPUSIM_CLI=$(CURDIR)/$(CLI) TPUSIM_SKIP_INSTALL=$(TPUSIM_SKIP_INSTALL) sh tests/cli/run.sh
	@$(MAKE) --no-print-directory test-systemc
	@for t in $(TEST_EXTRA); do $(MAKE) --no-print-directory $$t || exit 1; done

test-asan: deps
	@$(MAKE) --no-print-directory BUILD=build-asan OPT="-O1 -g" \
		SANITIZE="-fsanitize=address,undefined,float-cast-overflow -fno-omit-frame-pointer -fno-sanitize-recover=all" \
		TPUSIM_SKIP_INSTALL=1 test

BENCH := $(BUILD)/bench_sim

# bench_sim takes the CLI's --batch/--dim and finds the chip files as it does.
$(BENCH): $(BUILD)/tests/bench/bench_sim.o $(BUILD)/sim/cli_common.o $(LIB_A)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(LIB_A) $(LIBS_LIB)

BENCH_ENGINES := $(BUILD)/bench_engines

$(BENCH_ENGINES): $(BUILD)/tests/bench/bench_engines.o $(BUILD)/sim/cli_common.o $(LIB_A)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(LIB_A) $(LIBS_LIB)

# Simulation speed on the real CNNs and the two engines against each other;
# writes docs/bench.md and docs/bench_engines.md (not part of test).
bench: deps
	@$(MAKE) --no-print-directory all $(BENCH) $(BENCH_ENGINES)
	sh scripts/bench.sh

# `tpusim sweep` points per second (docs/bench_sweep.md); part of bench.
bench-sweep: deps
	@$(MAKE) --no-print-directory all
	sh scripts/bench_sweep.sh

demo: deps
	@$(MAKE) --no-print-directory all
	./$(CLI) demo

install: all
	install -d $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/bin
	install -m 644 sim/tpusim.h $(DESTDIR)$(PREFIX)/include/
	install -m 644 $(LIB_A) $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(LIB_SO) $(DESTDIR)$(PREFIX)/lib/libtpusim.so.$(VERSION)
	ln -sf libtpusim.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/libtpusim.so.0
	ln -sf libtpusim.so.0 $(DESTDIR)$(PREFIX)/lib/libtpusim.so
	install -m 755 $(CLI) $(DESTDIR)$(PREFIX)/bin/
	# every chip folder and models/stacks/
	for d in models/*/; do \
		install -d $(DESTDIR)$(PREFIX)/share/tpusim/$$d && \
		install -m 644 $$d* $(DESTDIR)$(PREFIX)/share/tpusim/$$d; done
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' tpusim.pc.in \
		> $(DESTDIR)$(PREFIX)/lib/pkgconfig/tpusim.pc

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/include/tpusim.h $(DESTDIR)$(PREFIX)/lib/libtpusim.* \
		$(DESTDIR)$(PREFIX)/bin/tpusim $(DESTDIR)$(PREFIX)/lib/pkgconfig/tpusim.pc
	rm -rf $(DESTDIR)$(PREFIX)/share/tpusim

clean:
	rm -rf build build-asan build-fuzz

include tests/systemc/systemc.mk
# Further parts add their targets (and names to TEST_EXTRA, run by `make test`).
-include python/python.mk tests/validate/validate.mk tests/fuzz/fuzz.mk

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(TEST_OBJ:.o=.d) $(BUILD)/tests/bench/bench_sim.d \
         $(BUILD)/tests/bench/bench_engines.d
