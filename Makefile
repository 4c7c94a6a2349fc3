# nodegate - a Kubernetes scheduler extender in C. See README.md.
#   make          build build/libnodegate.so and the harness
#   make run      build and serve the demo cluster on 127.0.0.1:8888
#   make test     install missing build deps (Debian), build, run every test
#   make asan     the same tests under AddressSanitizer + UBSan (in build/asan)

PREFIX     ?= /usr/local
DESTDIR    ?=
PKG_CONFIG ?= pkg-config
CC         ?= cc
CFLAGS     ?= -O2 -g
B          ?= build

DEPS_PKGS  := jansson libmicrohttpd yajl cmocka
DEBIAN_PKGS := libjansson-dev libmicrohttpd-dev libyajl-dev libcmocka-dev pkg-config curl

WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
        -Werror=implicit-function-declaration -Wno-unused-parameter
ifdef CI
WARN += -Werror
endif
FINAL_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) $(SAN) -MMD -MP -Iinclude -Iplugin
FINAL_LDFLAGS = $(LDFLAGS) $(SAN)

ifeq ($(V),1)
Q :=
else
Q := @
endif

PLUGIN_SRC := $(wildcard plugin/*.c)
PLUGIN_OBJ := $(PLUGIN_SRC:%.c=$(B)/%.o)
PLUGIN_LIBS := -ljansson -lyajl -lpthread
UNIT_SRC   := $(wildcard tests/unit/test_*.c)
UNIT_BIN   := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
TEST_TOOLS := $(B)/tests/case_runner $(B)/tests/test_abi $(B)/examples/host

.PHONY: all test asan unit clean deps run bench bench-soak
all: $(B)/libnodegate.so

$(B)/plugin/%.o: plugin/%.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(FINAL_CFLAGS) -fPIC -fvisibility=hidden -DNODEGATE_BUILDING_PLUGIN -c $< -o $@

$(B)/libnodegate.so: $(PLUGIN_OBJ)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) -shared -Wl,--no-undefined -o $@ $^ $(FINAL_LDFLAGS) $(PLUGIN_LIBS)

# Unit tests link the plugin's objects directly, so they reach internal functions.
$(B)/tests/test_%: tests/unit/test_%.c $(PLUGIN_OBJ)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  TEST    $@")
	$(Q)$(CC) $(FINAL_CFLAGS) -Itests -o $@ $< $(PLUGIN_OBJ) $(FINAL_LDFLAGS) $(PLUGIN_LIBS) -lcmocka

# Loader-facing tests drive the plugin only through dlopen and the ABI.
$(B)/tests/%: tests/%.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) $(FINAL_CFLAGS) -Itests -o $@ $< $(FINAL_LDFLAGS) -ljansson -ldl -lpthread -lcmocka

# Installs the Debian build dependencies when pkg-config cannot find them.
deps:
	@if ! $(PKG_CONFIG) --exists $(DEPS_PKGS) 2>/dev/null || ! command -v curl >/dev/null; then \
	    echo "installing build dependencies: $(DEBIAN_PKGS)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(DEBIAN_PKGS) >/dev/null; \
	fi

unit: all $(UNIT_BIN) $(TEST_TOOLS)

test: deps
	$(Q)$(MAKE) --no-print-directory unit
	$(Q)B=$(B) tests/run.sh

asan: deps
	$(Q)$(MAKE) --no-print-directory B=build/asan CFLAGS="-O1 -g -fno-omit-frame-pointer" \
	    SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined" test

clean:
	rm -rf build

-include $(PLUGIN_OBJ:.o=.d) $(UNIT_BIN:=.d) $(TEST_TOOLS:=.d)

# The harness: the extender server that hosts the plugin.
SERVER_SRC := harness/server.c harness/http.c harness/loader.c harness/log.c harness/record.c
SERVER_OBJ := $(SERVER_SRC:%.c=$(B)/%.o)
all: $(B)/nodegate-server

$(B)/harness/%.o: harness/%.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(FINAL_CFLAGS) -Iharness -c $< -o $@

$(B)/nodegate-server: $(SERVER_OBJ)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) -o $@ $^ $(FINAL_LDFLAGS) -lmicrohttpd -ldl -lpthread

-include $(SERVER_OBJ:.o=.d)

# The demo: the extender on a small cluster (examples/demo-cluster.json) at 127.0.0.1:8888.
RUN_FLAGS ?= --log-level debug
run: deps
	$(Q)$(MAKE) --no-print-directory all
	@echo "nodegate-server on http://127.0.0.1:8888 with the demo cluster: master (control-plane,"
	@echo "NoSchedule taint), worker, gpu-1 (dedicated=gpu:NoSchedule), spot-1 (PreferNoSchedule),"
	@echo "cordoned-1 (cordoned). In another terminal, try:"
	@echo "  curl -s localhost:8888/nodes"
	@echo "  curl -s -X POST --data-binary @examples/requests/filter-names.json localhost:8888/filter"
	@echo "  curl -s -X POST --data-binary @examples/requests/prioritize-names.json localhost:8888/prioritize"
	@echo "  examples/daemonset-walkthrough/walkthrough.sh"
	@echo "Ctrl-C stops it."
	$(B)/nodegate-server --nodes examples/demo-cluster.json $(RUN_FLAGS)

# nodegate-replay: corpus generator and load replayer (make bench uses it).
REPLAY_SRC = $(wildcard harness/replay*.c) harness/log.c
REPLAY_OBJ = $(REPLAY_SRC:%.c=$(B)/%.o)
ifneq ($(wildcard harness/replay*.c),)
all: $(B)/nodegate-replay
endif

$(B)/nodegate-replay: $(REPLAY_OBJ)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) -o $@ $^ $(FINAL_LDFLAGS) -ljansson -lpthread -lm

-include $(REPLAY_OBJ:.o=.d)

# examples/host.c: a minimal host showing the plugin API (run by tests/e2e/host_example.sh).
$(B)/examples/host: examples/host.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) $(FINAL_CFLAGS) -o $@ $< $(FINAL_LDFLAGS) -ldl

# Benchmarks: figures and ratios, never pass/fail (harness/bench.sh says what each scenario is).
bench: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)B=$(B) harness/bench.sh
bench-soak: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)B=$(B) SOAK=$${SOAK:-300} harness/bench.sh
