# `make validate`: reproduces the source documents' claims and regenerates
# docs/validation.md (tests/validate/validate.c); not part of `make test`.
# Fails when a claim is not reproduced within its stated tolerance.
VALIDATE := $(BUILD)/validate

$(VALIDATE): $(BUILD)/tests/validate/validate.o $(LIB_A)
	$(CC) $(LDFLAGS) -o $@ $< $(LIB_A) $(LIBS_LIB)

.PHONY: validate
validate: deps
	@$(MAKE) --no-print-directory all $(VALIDATE)
	@$(VALIDATE) models > $(BUILD)/validation.md; rc=$$?; \
	 cp $(BUILD)/validation.md docs/validation.md; echo "wrote docs/validation.md"; exit $$rc

-include $(BUILD)/tests/validate/validate.d
