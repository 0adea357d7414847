# `make validate`: reproduces the source documents' claims and regenerates
# docs/validation.md (tests/validate/validate.c); not part of `make test`.
# The doc is rewritten on every run, pass or fail: it records which claims
# are not reproduced and why, which is its point. The exit status is the
# signal: non-zero when a claim is not reproduced within its stated
# tolerance or a model fails to build or simulate.
# `make calibrate`: the DeepBench V100 calibration table alone
# (tests/validate/calibrate.c); make validate appends it to the doc.
# Data: the real models in $TPUSIM_MODELS (as for make test; the Makefile
# sets it to the nearest shared/ beside or above the checkout), else
# ../shared/models/real; DeepBench in $TPUSIM_CALIBRATION, else beside the
# real models ($TPUSIM_MODELS/../../calibration/deepbench_v100), else
# ../shared/calibration/deepbench_v100. A table whose data is absent says
# so once and counts as not run (the exit status is still non-zero).
VALIDATE := $(BUILD)/validate
CALIBRATE := $(BUILD)/calibrate
DEEPBENCH_OBJ := $(BUILD)/tests/validate/deepbench.o

$(VALIDATE): $(BUILD)/tests/validate/validate.o $(DEEPBENCH_OBJ) $(LIB_A)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(LIB_A) $(LIBS_LIB)

$(CALIBRATE): $(BUILD)/tests/validate/calibrate.o $(DEEPBENCH_OBJ) $(LIB_A)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(LIB_A) $(LIBS_LIB)

.PHONY: validate calibrate
validate: deps
	@$(MAKE) --no-print-directory all $(VALIDATE)
	@$(VALIDATE) models > $(BUILD)/validation.md; rc=$$?; \
	 cp $(BUILD)/validation.md docs/validation.md; echo "wrote docs/validation.md"; exit $$rc

calibrate: deps
	@$(MAKE) --no-print-directory all $(CALIBRATE)
	@$(CALIBRATE) models

-include $(BUILD)/tests/validate/validate.d $(BUILD)/tests/validate/calibrate.d \
	$(BUILD)/tests/validate/deepbench.d
