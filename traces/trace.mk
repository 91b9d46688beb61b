# Make fragment for the capture harness; the top-level Makefile includes it:
#   include traces/trace.mk
# Targets:
#   make trace         capture the default plan (~15 min) into $(TRACE_OUT)
#   make trace-quick   capture the quick plan (<2 min) into $(TRACE_QUICK_OUT)
# Paths are relative to the directory make runs in (the repository root).

TRACE_DIR       ?= traces
TRACE_OUT       ?= $(TRACE_DIR)/bundles
TRACE_QUICK_OUT ?= $(TRACE_DIR)/out
TRACE_PLAN      ?= $(TRACE_DIR)/plans/default.yaml
TRACE_ARGS      ?=

.PHONY: trace trace-quick

trace:
	$(TRACE_DIR)/capture.sh --plan $(TRACE_PLAN) --out $(TRACE_OUT) $(TRACE_ARGS)

trace-quick:
	$(TRACE_DIR)/capture.sh --quick --out $(TRACE_QUICK_OUT) $(TRACE_ARGS)
