# Make fragment for the notebooks; the top-level Makefile includes it:
#   -include notebooks/notebooks.mk
# Targets:
#   make notebooks        venv, build/sim, the logging_off and logging_info
#                         sweeps into $(NB_OUT)/results.db, then every notebook executed
#                         headless into $(NB_OUT)/<name>.ipynb and .html (with
#                         the figures as PNGs); fails on any cell error
#   make notebooks-strip  clear outputs in the committed notebooks (commit them
#                         without outputs)
# Paths are relative to the directory make runs in (the repository root).

NB_DIR        ?= notebooks
NB_OUT        ?= $(BUILD)/notebooks
NB_VENV       ?= $(NB_DIR)/.venv
NB_PYTHON     ?= python3
NB_EXPERIMENT ?= experiments/logging_off.yaml
NB_INFO       ?= experiments/logging_info.yaml
NB_DB         ?= $(NB_OUT)/results.db
NB_TIMEOUT    ?= 600
NOTEBOOKS     := $(wildcard $(NB_DIR)/*.ipynb)
NB_JUPYTER     = $(NB_VENV)/bin/jupyter

.PHONY: notebooks notebooks-strip

# The venv, reinstalled when requirements.txt changes.
$(NB_VENV)/.installed: $(NB_DIR)/requirements.txt
	test -x $(NB_VENV)/bin/python || $(NB_PYTHON) -m venv $(NB_VENV)
	$(NB_VENV)/bin/pip install -q --disable-pip-version-check -r $<
	touch $@

# The sweep, run again from scratch when sim, the experiment or a model file
# changes (the store's resume would keep results of an older sim). Written
# to a temporary file first, so an interrupted sweep leaves no store behind.
$(NB_DB): $(BUILD)/sim $(NB_EXPERIMENT) $(NB_INFO) $(wildcard models/*.yaml)
	@mkdir -p $(dir $@)
	rm -f $@.tmp
	$(BUILD)/sim run $(NB_EXPERIMENT) --db $@.tmp > $(NB_OUT)/sweep.txt
	$(BUILD)/sim run $(NB_INFO) --db $@.tmp >> $(NB_OUT)/sweep.txt
	mv $@.tmp $@

# The shipped model against the newest committed bundle, which traces.ipynb
# reads: its "measured against predicted" and CPU figures.
NB_BUNDLE   ?= $(patsubst %/,%,$(lastword $(sort $(dir $(wildcard traces/bundles/*/runs.csv)))))
NB_VALIDATE ?= $(NB_OUT)/validate.jsonl

$(NB_VALIDATE): $(BUILD)/sim $(wildcard models/*.yaml) $(NB_BUNDLE)/runs.csv
	@mkdir -p $(dir $@)
	$(BUILD)/sim validate --no-db --format json --model models/default.yaml $(NB_BUNDLE) > $@.tmp
	mv $@.tmp $@

notebooks: $(NB_VENV)/.installed $(NB_DB) $(NB_VALIDATE)
	@set -e; for nb in $(NOTEBOOKS); do \
	    name=$$(basename $$nb .ipynb); \
	    echo "notebook $$nb -> $(NB_OUT)/$$name.ipynb, .html"; \
	    SIM_RESULTS_DB=$(abspath $(NB_DB)) SIM_FIGURES=$(abspath $(NB_OUT)) \
	    SIM_VALIDATE=$(abspath $(NB_VALIDATE)) \
	    $(NB_JUPYTER) nbconvert --log-level=WARN --to notebook --execute \
	        --ExecutePreprocessor.timeout=$(NB_TIMEOUT) \
	        --output-dir $(NB_OUT) $$nb; \
	    $(NB_JUPYTER) nbconvert --log-level=WARN --to html \
	        --output-dir $(NB_OUT) $(NB_OUT)/$$name.ipynb; \
	done
	@ls $(NB_OUT)/*.png

notebooks-strip: $(NB_VENV)/.installed
	$(NB_JUPYTER) nbconvert --clear-output --inplace $(NOTEBOOKS)
