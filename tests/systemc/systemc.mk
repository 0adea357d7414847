# tests/systemc/systemc.mk — the SystemC PE-level reference model of the MXU,
# its lock-step cross-check against the fast model (sim/mxu.c), the TLM-2.0
# wrapper (sim/systemc/) and its example platform (examples/). Included by
# the top-level Makefile; uses its BUILD, OPT, SANITIZE, WERROR, LDFLAGS,
# LIB_A and LIBS_LIB. Needs g++ and libsystemc-dev (scripts/install-deps.sh).
#
#   make test-systemc   build and run the cross-check and the TLM checks
#                       ("systemc: N passed, N failed"); part of make test
#   make examples       build examples/*.cpp into $(BUILD)/examples/
#
# Under make test-asan (BUILD=build-asan, SANITIZE set) the same targets
# build and run with the sanitizers: the library underneath is built with
# them too, and libsystemc itself is not instrumented (its leaks are not
# ours: the checks run in forked children that end with _exit).

SC_CXX      ?= g++
SC_CFLAGS   := $(shell pkg-config --cflags systemc 2>/dev/null)
SC_LIBS     := $(shell pkg-config --libs systemc 2>/dev/null)
SC_CPPFLAGS := -Isim -Isim/systemc -Igraph_import -Itests/systemc $(SC_CFLAGS)
SC_CXXFLAGS := -std=c++17 $(OPT) -Wall -Wextra $(WERROR) $(SANITIZE)

SC_TLM_OBJ  := $(BUILD)/sim/systemc/tpusim_tlm.o
SC_TEST_OBJ := $(patsubst %.cpp,$(BUILD)/%.o,$(wildcard tests/systemc/*.cpp))
SC_TEST     := $(BUILD)/tests/systemc/systemc_tests
SC_EXAMPLES := $(patsubst %.cpp,$(BUILD)/%,$(wildcard examples/*.cpp))

.PHONY: test-systemc examples

$(BUILD)/%.o: %.cpp
	@mkdir -p $(dir $@)
	$(SC_CXX) $(SC_CPPFLAGS) $(SC_CXXFLAGS) -MMD -MP -c $< -o $@

$(SC_TEST): $(SC_TEST_OBJ) $(SC_TLM_OBJ) $(LIB_A)
	$(SC_CXX) $(LDFLAGS) -o $@ $(SC_TEST_OBJ) $(SC_TLM_OBJ) $(LIB_A) $(LIBS_LIB) $(SC_LIBS)

$(SC_EXAMPLES): $(BUILD)/examples/%: $(BUILD)/examples/%.o $(SC_TLM_OBJ) $(LIB_A)
	$(SC_CXX) $(LDFLAGS) -o $@ $< $(SC_TLM_OBJ) $(LIB_A) $(LIBS_LIB) $(SC_LIBS)

examples: $(SC_EXAMPLES)

# The banner SystemC prints at start-up is switched off by its environment
# variable (it prints before sc_main can set it).
test-systemc: $(SC_TEST) $(SC_EXAMPLES)
	SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1 $(BUILD)/examples/tlm_platform tpu_v3 models >/dev/null
	SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1 $(SC_TEST)

-include $(SC_TEST_OBJ:.o=.d) $(SC_TLM_OBJ:.o=.d) $(SC_EXAMPLES:=.d)
