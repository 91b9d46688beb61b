# sim: build, test, benchmark. Every output goes under build/.
#   make            build build/sim
#   make check      unit suites (check) and integration tests on the real binary
#   make bench      speed and memory benchmark (docs/bench.md)
#   make san        the unit and integration tests under ASan + UBSan
#   make install    put sim on the PATH (PREFIX=/usr/local)
#   make trace      capture a real Parsl trace bundle (traces/trace.mk)

PKGS     := gsl yaml-0.1 sqlite3 jansson zlib
CC       ?= cc
PREFIX   ?= /usr/local
BUILD    ?= build
OPT      ?= -O3 -g -flto=auto
WERROR   ?=
REVISION := $(shell git describe --always --dirty 2>/dev/null || echo unknown)

CFLAGS_ALL  = -std=c11 -D_GNU_SOURCE -Wall -Wextra $(WERROR) $(OPT) \
              $(shell pkg-config --cflags $(PKGS)) -MMD -MP \
              -DSIM_REVISION=\"$(REVISION)\" $(EXTRA_CFLAGS)
LDLIBS_ALL  = $(shell pkg-config --libs $(PKGS)) -lm $(EXTRA_LDFLAGS)
CHECK_LIBS  = $(shell pkg-config --libs check)
CHECK_CFLAGS = $(shell pkg-config --cflags check)

LIB_SRC  := $(filter-out sim/main.c,$(wildcard sim/*.c models/*.c calibrate/*.c))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
TEST_SRC := $(wildcard tests/check_*.c) tests/run_checks.c
TEST_OBJ := $(TEST_SRC:%.c=$(BUILD)/obj/%.o)

.PHONY: all check unit integration bench san install clean

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

check: unit integration

unit: $(BUILD)/run_checks
	$(BUILD)/run_checks

integration: $(BUILD)/sim
	SIM=$(abspath $(BUILD)/sim) bash tests/integration.sh

bench: $(BUILD)/bench $(BUILD)/sim
	$(BUILD)/bench

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
-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
