# sim: build, test, benchmark. Every output goes under build/.
#   make deps       install the Debian packages sim needs (apt-get; root or sudo)
#   make            build build/sim
#   make test       everything CI runs: check, san, and a quick real Parsl capture
#   make check      unit suites (check) and integration tests on the real binary
#   make bench      speed and memory benchmark (docs/bench.md)
#   make validate   the model against held-out real runs (docs/validate.md)
#   make san        the unit and integration tests under ASan + UBSan
#   make install    put sim on the PATH (PREFIX=/usr/local)
#   make trace      capture a real Parsl trace bundle (traces/trace.mk)
#   make notebooks  run the logging_off sweep, execute the notebooks (notebooks/notebooks.mk)

PKGS     := gsl yaml-0.1 sqlite3 jansson zlib
CC       ?= cc
PREFIX   ?= /usr/local
BUILD    ?= build
# The event loop's functions call each other a few times an event; GCC's
# default inlining limits leave those calls (and their register saves) in:
# raised, 8% fewer instructions an event (docs/bench.md).
INLINE   := --param=max-inline-insns-single=4000 --param=max-inline-insns-auto=1000 \
            --param=inline-unit-growth=1000 --param=large-function-growth=1000
OPT      ?= -O3 -g -flto=auto $(INLINE)
WERROR   ?=
REVISION := $(shell git describe --always --dirty 2>/dev/null || echo unknown)

CFLAGS_ALL  = -std=c11 -D_GNU_SOURCE -Wall -Wextra $(WERROR) $(OPT) \
              $(shell pkg-config --cflags $(PKGS)) -MMD -MP \
              -DSIM_REVISION=\"$(REVISION)\" -DHAVE_INLINE $(EXTRA_CFLAGS)
LDLIBS_ALL  = $(shell pkg-config --libs $(PKGS)) -lm $(EXTRA_LDFLAGS)
CHECK_LIBS  = $(shell pkg-config --libs check)
CHECK_CFLAGS = $(shell pkg-config --cflags check)

LIB_SRC  := $(filter-out sim/main.c,$(wildcard sim/*.c models/*.c calibrate/*.c))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
TEST_SRC := $(wildcard tests/check_*.c) tests/run_checks.c
TEST_OBJ := $(TEST_SRC:%.c=$(BUILD)/obj/%.o)

.PHONY: all deps test check unit integration bench validate san install clean

# Debian/Ubuntu packages: the C libraries, check, jq for the integration
# tests, and Python's venv for the capture harness.
DEB_PACKAGES := build-essential pkg-config libgsl-dev libyaml-dev libsqlite3-dev \
                libjansson-dev check zlib1g-dev jq sqlite3 python3 python3-venv \
                python3-pip
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

all: $(BUILD)/sim

$(BUILD)/sim: $(BUILD)/obj/sim/main.o $(LIB_OBJ)
	$(CC) $(OPT) -o $@ $^ $(LDLIBS_ALL)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(if $(findstring tests/,$<),$(CHECK_CFLAGS)) -c -o $@ $<

$(BUILD)/run_checks: $(TEST_OBJ) $(LIB_OBJ)
	$(CC) $(OPT) -o $@ $^ $(CHECK_LIBS) $(LDLIBS_ALL)

$(BUILD)/bench: $(BUILD)/obj/tests/bench.o $(LIB_OBJ)
	$(CC) $(OPT) -o $@ $^ $(LDLIBS_ALL)

deps:
	@missing=$$(for p in $(DEB_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	    echo "installing:" $$missing; \
	    $(SUDO) apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

# CI: the tests gate, and so does the shipped model's validation against
# the committed bundles (issue 5's targets; deterministic: seeded
# simulations of committed measurements). Then a quick capture of real
# Parsl on the CI machine, calibrated and validated, printed but not gating
# (CI machines are noisy; see docs/validate.md).
# The same targets on the EPYC of 2026-12-03 (a slower machine under the
# same host id, docs/validate.md), with the model calibrated on its first
# three captures; the fourth and fifth it never saw.
QUICK_BUNDLE := $(BUILD)/quick-bundle
EPYC_2026_12_03 := traces/epyc-2026-12-03
EPYC_2026_12_03_MODEL := models/2026-12-03-5bce98f73f3e-epyc.yaml
test:
	$(MAKE) WERROR=-Werror check
	$(MAKE) WERROR=-Werror san
	$(BUILD)/sim validate --check --pool --no-db --model models/default.yaml traces/bundles/*/
	$(BUILD)/sim validate --check --pool --no-db --model $(EPYC_2026_12_03_MODEL) $(EPYC_2026_12_03)/*/
	rm -rf $(QUICK_BUNDLE)
	$(MAKE) trace-quick TRACE_ARGS="--bundle $(QUICK_BUNDLE)"
	$(BUILD)/sim calibrate $(QUICK_BUNDLE) -o $(BUILD)/quick.yaml --report --no-store
	$(BUILD)/sim validate --model $(BUILD)/quick.yaml $(QUICK_BUNDLE) --no-db

check: unit integration

unit: $(BUILD)/run_checks
	$(BUILD)/run_checks

integration: $(BUILD)/sim
	SIM=$(abspath $(BUILD)/sim) bash tests/integration.sh

bench: $(BUILD)/bench $(BUILD)/sim
	$(BUILD)/bench

# The model against the committed bundles' held-out runs, the captures
# pooled (docs/validate.md); exits 1 when issue 5's targets are missed.
# `make test` runs it too.
validate: $(BUILD)/sim
	$(BUILD)/sim validate --check --pool --model models/default.yaml traces/bundles/*/
	$(BUILD)/sim validate --check --pool --model $(EPYC_2026_12_03_MODEL) $(EPYC_2026_12_03)/*/

san:
	$(MAKE) BUILD=build/san OPT="-O1 -g -fno-omit-frame-pointer" \
	    EXTRA_CFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=undefined" \
	    EXTRA_LDFLAGS="-fsanitize=address,undefined" check

install: $(BUILD)/sim
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 755 $(BUILD)/sim $(DESTDIR)$(PREFIX)/bin/sim

clean:
	rm -rf build

-include traces/trace.mk
-include notebooks/notebooks.mk
-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
