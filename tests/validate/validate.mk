# `make validate`: reproduces the source documents' claims and regenerates
# docs/validation.md (tests/validate/validate.c); not part of `make test`.
# The doc is rewritten on every run, pass or fail: it records which claims
# are not reproduced and why, which is its point. The exit status is the
# signal: non-zero when a claim is not reproduced within its stated
# tolerance or a model fails to build or simulate.
VALIDATE := $(BUILD)/validate

$(VALIDATE): $(BUILD)/tests/validate/validate.o $(LIB_A)
	$(CC) $(LDFLAGS) -o $@ $< $(LIB_A) $(LIBS_LIB)

.PHONY: validate
validate: deps
	@$(MAKE) --no-print-directory all $(VALIDATE)
	@$(VALIDATE) models > $(BUILD)/validation.md; rc=$$?; \
	 cp $(BUILD)/validation.md docs/validation.md; echo "wrote docs/validation.md"; exit $$rc

-include $(BUILD)/tests/validate/validate.d
