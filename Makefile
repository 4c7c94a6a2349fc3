# nodegate - a Kubernetes scheduler extender in C. See README.md.
#   make          build build/libnodegate.so, build/nodegate-server, build/nodegate-replay and build/nodegate
#   make run      build and serve the demo cluster on 127.0.0.1:8888
#   make test     install missing build deps (Debian), build, run every test
#   make asan     the same tests under AddressSanitizer + UBSan (in build/asan)
#   make e2e      nodegate beside a real control plane built from the Go module proxy (tests/kube)
#   make install  copy what make built to $(DESTDIR)$(PREFIX): bin/, lib/nodegate/, include/
#   make bench    performance figures (bench/bench.sh)
#   make bench-scheduler  kube-scheduler's pods/s with and without nodegate on the e2e control plane
#   make soak     10 minutes of replay with node events in parallel: errors and RSS (bench/soak.sh)
#   make fuzz     each libFuzzer target of tests/fuzz for FUZZ_SECONDS (clang, in build/fuzz)

PREFIX     ?= /usr/local
DESTDIR    ?=
INSTALL    ?= install
PKG_CONFIG ?= pkg-config
CC         ?= cc
CFLAGS     ?= -O2 -g
B          ?= build

DEPS_PKGS  := jansson libmicrohttpd yajl cmocka yaml-0.1 libcurl gnutls
DEBIAN_PKGS := libjansson-dev libmicrohttpd-dev libyajl-dev libcmocka-dev pkg-config curl \
               libyaml-dev libcurl4-openssl-dev libgnutls28-dev openssl jq prometheus valgrind

WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
        -Werror=implicit-function-declaration -Wno-unused-parameter
ifdef CI
WARN += -Werror
endif
FINAL_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) $(SAN) -MMD -MP -Iinclude
FINAL_LDFLAGS = $(LDFLAGS) $(SAN)

ifeq ($(V),1)
Q :=
else
Q := @
endif

# A library's flags from pkg-config, or the plain -l when pkg-config does not know it (yet: on
# a fresh machine `make test` installs the packages first, then re-reads this file in a sub-make).
pkg_cflags = $(shell $(PKG_CONFIG) --cflags $(1) 2>/dev/null)
pkg_libs = $(shell $(PKG_CONFIG) --libs $(1) 2>/dev/null || echo $(2))
JANSSON_CFLAGS := $(call pkg_cflags,jansson)
JANSSON_LIBS   := $(call pkg_libs,jansson,-ljansson)
YAJL_CFLAGS    := $(call pkg_cflags,yajl)
YAJL_LIBS      := $(call pkg_libs,yajl,-lyajl)
MHD_CFLAGS     := $(call pkg_cflags,libmicrohttpd)
MHD_LIBS       := $(call pkg_libs,libmicrohttpd,-lmicrohttpd)
CMOCKA_CFLAGS  := $(call pkg_cflags,cmocka)
CMOCKA_LIBS    := $(call pkg_libs,cmocka,-lcmocka)
YAML_CFLAGS    := $(call pkg_cflags,yaml-0.1)
YAML_LIBS      := $(call pkg_libs,yaml-0.1,-lyaml)
CURL_CFLAGS    := $(call pkg_cflags,libcurl)
CURL_LIBS      := $(call pkg_libs,libcurl,-lcurl)
GNUTLS_CFLAGS  := $(call pkg_cflags,gnutls)
GNUTLS_LIBS    := $(call pkg_libs,gnutls,-lgnutls)

.PHONY: all test asan e2e unit clean deps run install bench bench-scheduler soak fuzz fuzz-deps fuzz-build
all: $(B)/libnodegate.so $(B)/nodegate-server $(B)/nodegate-replay $(B)/nodegate

# ---- the plugin: libnodegate.so; only its rules and the unit tests see plugin/ headers ----
PLUGIN_SRC := $(wildcard plugin/*.c)
PLUGIN_OBJ := $(PLUGIN_SRC:%.c=$(B)/%.o)
PLUGIN_CFLAGS = -Iplugin $(JANSSON_CFLAGS) $(YAJL_CFLAGS)
PLUGIN_LIBS = $(JANSSON_LIBS) $(YAJL_LIBS) -lpthread
UNIT_SRC   := $(wildcard tests/unit/test_*.c)
UNIT_BIN   := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
TEST_TOOLS := $(B)/tests/cost $(B)/tests/case_runner $(B)/tests/test_abi $(B)/tests/test_host $(B)/examples/host

$(B)/plugin/%.o: plugin/%.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(FINAL_CFLAGS) $(PLUGIN_CFLAGS) -fPIC -fvisibility=hidden -DNODEGATE_BUILDING_PLUGIN -c $< -o $@

$(B)/libnodegate.so: $(PLUGIN_OBJ)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) -shared -Wl,--no-undefined -o $@ $^ $(FINAL_LDFLAGS) $(PLUGIN_LIBS)

# Unit tests link the plugin's objects directly, so they reach internal functions; a test that
# needs a harness/lib helper lists its object as a prerequisite and includes "lib/NAME.h".
$(B)/tests/test_%: tests/unit/test_%.c $(PLUGIN_OBJ)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  TEST    $@")
	$(Q)$(CC) $(FINAL_CFLAGS) $(PLUGIN_CFLAGS) -Iharness $(CMOCKA_CFLAGS) -Itests -o $@ $< $(PLUGIN_OBJ) \
	    $(filter $(B)/harness/lib/%,$^) $(FINAL_LDFLAGS) $(PLUGIN_LIBS) $(CMOCKA_LIBS)
$(B)/tests/test_jsonwalk: $(B)/harness/lib/readfile.o $(B)/harness/lib/xalloc.o

# test_kubeconfig tests harness/kube, not the plugin: a rule of its own, without plugin objects.
KUBE_TEST_OBJ := $(addprefix $(B)/harness/kube/,kubeconfig.o client.o) \
                 $(addprefix $(B)/harness/lib/,log.o readfile.o xalloc.o)
$(B)/tests/test_kubeconfig: tests/unit/test_kubeconfig.c $(KUBE_TEST_OBJ)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  TEST    $@")
	$(Q)$(CC) $(FINAL_CFLAGS) -Iharness -Iharness/lib $(CURL_CFLAGS) $(YAML_CFLAGS) $(CMOCKA_CFLAGS) -Itests \
	    -o $@ $< $(KUBE_TEST_OBJ) $(FINAL_LDFLAGS) $(CURL_LIBS) $(YAML_LIBS) $(CMOCKA_LIBS) -lpthread

# test_yaml_json tests harness/lib's YAML to JSON conversion: no plugin objects either.
YAML_TEST_OBJ := $(addprefix $(B)/harness/lib/,yaml_json.o buf.o json_escape.o xalloc.o)
$(B)/tests/test_yaml_json: tests/unit/test_yaml_json.c $(YAML_TEST_OBJ)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  TEST    $@")
	$(Q)$(CC) $(FINAL_CFLAGS) -Iharness $(YAML_CFLAGS) $(CMOCKA_CFLAGS) -o $@ $< $(YAML_TEST_OBJ) \
	    $(FINAL_LDFLAGS) $(YAML_LIBS) $(CMOCKA_LIBS) -lm

# test_cli_spec tests the CLI's taint and label arguments, with the plugin's label rules (validate.o).
CLI_SPEC_TEST_OBJ := $(B)/harness/cli/spec.o $(B)/harness/lib/xalloc.o
$(B)/tests/test_cli_spec: tests/unit/test_cli_spec.c $(CLI_SPEC_TEST_OBJ) $(PLUGIN_OBJ)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  TEST    $@")
	$(Q)$(CC) $(FINAL_CFLAGS) $(PLUGIN_CFLAGS) -Iharness -Iharness/lib $(CMOCKA_CFLAGS) -o $@ $< $(CLI_SPEC_TEST_OBJ) \
	    $(PLUGIN_OBJ) $(FINAL_LDFLAGS) $(PLUGIN_LIBS) $(CMOCKA_LIBS)

# ---- the harness: one folder and one object list per program, shared code in harness/lib ----
# Harness objects see include/, harness/lib/ and their own folder, never plugin/.
SERVER_OBJ := $(patsubst %.c,$(B)/%.o,$(wildcard harness/server/*.c harness/kube/*.c)) \
              $(addprefix $(B)/harness/lib/,buf.o deadline.o json_escape.o loader.o log.o readfile.o xalloc.o \
                                            yaml_body.o yaml_json.o)
REPLAY_OBJ := $(patsubst %.c,$(B)/%.o,$(wildcard harness/replay/*.c)) \
              $(addprefix $(B)/harness/lib/,buf.o json_escape.o readfile.o xalloc.o)
# nodegate-server includes the API-server node source: harness/kube (kubeconfig, client, source).
KUBE_OBJ   := $(patsubst %.c,$(B)/%.o,$(wildcard harness/kube/*.c))

$(B)/harness/%.o: harness/%.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(FINAL_CFLAGS) -Iharness/lib -I$(<D) $(HARNESS_CFLAGS) -c $< -o $@

# The server reads the node source's interface (harness/kube/source.h, which includes curl's
# header), parses the plugin's index_stats with jansson for /metrics, and serves TLS with gnutls.
$(B)/harness/server/%.o: HARNESS_CFLAGS = -Iharness/kube $(MHD_CFLAGS) $(JANSSON_CFLAGS) $(CURL_CFLAGS) $(GNUTLS_CFLAGS)
$(B)/harness/kube/%.o: HARNESS_CFLAGS = $(CURL_CFLAGS) $(YAML_CFLAGS) $(YAJL_CFLAGS)
$(B)/harness/lib/yaml_json.o: HARNESS_CFLAGS = $(YAML_CFLAGS)
$(B)/harness/lib/yaml_body.o: HARNESS_CFLAGS = $(JANSSON_CFLAGS)
SERVER_LIBS = $(MHD_LIBS) $(GNUTLS_LIBS) $(JANSSON_LIBS) $(CURL_LIBS) $(YAML_LIBS) $(YAJL_LIBS) -ldl -lpthread -lm

$(B)/nodegate-server: $(SERVER_OBJ)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) -o $@ $^ $(FINAL_LDFLAGS) $(SERVER_LIBS)

# The server's unit test links the server's objects but main.o and the real node source, and
# defines a fake node source of its own (harness/kube/source.c's functions).
SERVER_TEST_OBJ = $(filter-out $(B)/harness/server/main.o $(B)/harness/kube/source.o,$(SERVER_OBJ))
$(B)/tests/test_server: tests/unit/test_server.c $(SERVER_TEST_OBJ)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  TEST    $@")
	$(Q)$(CC) $(FINAL_CFLAGS) -Iharness/lib -Iharness/server -Iharness/kube $(MHD_CFLAGS) $(JANSSON_CFLAGS) \
	    $(CURL_CFLAGS) $(CMOCKA_CFLAGS) -o $@ $< $(SERVER_TEST_OBJ) $(FINAL_LDFLAGS) $(SERVER_LIBS) $(CMOCKA_LIBS)

# nodegate: the CLI (explain, taint, label, cordon, get, describe); libcurl to a server, the plugin
# in-process (dlopen) for the label rules and offline nodes, jansson for the objects it reads and shows.
# Offline, it reads --nodes as the server does (harness/lib/yaml_body.c for YAML).
CLI_OBJ := $(patsubst %.c,$(B)/%.o,$(wildcard harness/cli/*.c)) \
           $(addprefix $(B)/harness/lib/,buf.o json_escape.o loader.o readfile.o xalloc.o yaml_body.o yaml_json.o)
$(B)/harness/cli/%.o: HARNESS_CFLAGS = $(CURL_CFLAGS) $(JANSSON_CFLAGS)
$(B)/nodegate: $(CLI_OBJ)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) -o $@ $^ $(FINAL_LDFLAGS) $(CURL_LIBS) $(JANSSON_LIBS) $(YAML_LIBS) -ldl -lm

# nodegate-replay: corpus generator and load replayer (make bench uses it).
$(B)/nodegate-replay: $(REPLAY_OBJ)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) -o $@ $^ $(FINAL_LDFLAGS) -lpthread -lm

# ---- test tools and the example host: they reach the plugin only through dlopen and the ABI ----
# The test tools load it with the server's strict loader; test_host tests harness/lib itself.
TOOL_OBJ := $(addprefix $(B)/harness/lib/,buf.o json_escape.o loader.o readfile.o xalloc.o)

$(B)/tests/%: tests/%.c $(TOOL_OBJ)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) $(FINAL_CFLAGS) -Iharness/lib $(JANSSON_CFLAGS) $(CMOCKA_CFLAGS) -Itests -o $@ $< $(TOOL_OBJ) \
	    $(FINAL_LDFLAGS) $(JANSSON_LIBS) $(CMOCKA_LIBS) -ldl -lpthread

# examples/host.c: a minimal host showing the plugin API (run by tests/e2e/host_example.sh).
$(B)/examples/host: examples/host.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) $(FINAL_CFLAGS) -o $@ $< $(FINAL_LDFLAGS) -ldl

# fake-apiserver: a fake kube-apiserver (/api/v1/nodes: list, watch, faults) for the node
# source's tests and benchmarks; gnutls for the client-certificate check.
FAKEAPI_OBJ := $(patsubst %.c,$(B)/%.o,$(wildcard tests/fakeapi/*.c)) \
               $(addprefix $(B)/harness/lib/,buf.o readfile.o xalloc.o)
FAKEAPI := $(B)/tests/fake-apiserver

$(B)/tests/fakeapi/%.o: tests/fakeapi/%.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(FINAL_CFLAGS) -Iharness/lib $(MHD_CFLAGS) $(JANSSON_CFLAGS) $(GNUTLS_CFLAGS) -c $< -o $@

$(FAKEAPI): $(FAKEAPI_OBJ)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) -o $@ $^ $(FINAL_LDFLAGS) $(MHD_LIBS) $(JANSSON_LIBS) $(GNUTLS_LIBS) -lpthread

# ---- make bench's floors (bench/bench.sh): a plugin that only reads bodies and answers a canned
# reply (the transport floor), and a tool timing only the crossing of the bodies (the decode floor,
# with the plugin's own skip lane, so it links jsonscan.o as the unit tests link plugin objects) ----
FLOOR_TOOLS := $(B)/bench/libngfloor.so $(B)/bench/ngfloor-decode

$(B)/bench/libngfloor.so: bench/floor_plugin.c include/nodegate.h
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(FINAL_CFLAGS) -fPIC -fvisibility=hidden -shared -Wl,--no-undefined -o $@ $< $(FINAL_LDFLAGS)

$(B)/bench/ngfloor-decode: bench/decode_floor.c $(B)/plugin/jsonscan.o $(TOOL_OBJ)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) $(FINAL_CFLAGS) -Iplugin -Iharness/lib $(YAJL_CFLAGS) -o $@ $< $(filter %.o,$^) \
	    $(FINAL_LDFLAGS) $(YAJL_LIBS) $(JANSSON_LIBS) -ldl -lpthread

# ---- fuzz targets (make fuzz builds them in build/fuzz with clang, libFuzzer and sanitizers) ----
# Each links the plugin's objects, so libFuzzer sees their coverage, and drives them through the
# ABI table (tests/fuzz/drive.c); the harness objects a target fuzzes are listed below.
FUZZ_BIN := $(patsubst tests/fuzz/%.c,$(B)/%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_DRIVE := $(B)/tests/fuzz/drive.o
$(B)/fuzz_watch: $(B)/harness/kube/frames.o $(B)/harness/lib/xalloc.o
$(B)/fuzz_kubeconfig: $(addprefix $(B)/harness/,kube/kubeconfig.o lib/readfile.o lib/xalloc.o)
$(B)/fuzz_yaml: $(YAML_TEST_OBJ)
$(B)/fuzz_flags: $(addprefix $(B)/harness/,server/flags.o server/duration.o kube/kubeconfig.o \
                      lib/buf.o lib/json_escape.o lib/log.o lib/readfile.o lib/xalloc.o)

$(FUZZ_DRIVE): tests/fuzz/drive.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(FINAL_CFLAGS) $(JANSSON_CFLAGS) -c $< -o $@

$(B)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_DRIVE) $(PLUGIN_OBJ)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  FUZZ    $@")
	$(Q)$(CC) $(FINAL_CFLAGS) -fsanitize=fuzzer -Itests/fuzz -Iharness/lib -Iharness/kube -Iharness/server \
	    $(JANSSON_CFLAGS) $(MHD_CFLAGS) $(CURL_CFLAGS) -o $@ $< $(filter %.o,$^) $(FINAL_LDFLAGS) \
	    $(PLUGIN_LIBS) $(YAML_LIBS) -lm

fuzz-build: $(FUZZ_BIN)

-include $(PLUGIN_OBJ:.o=.d) $(UNIT_BIN:=.d) $(TEST_TOOLS:=.d) $(FUZZ_BIN:=.d) $(FUZZ_DRIVE:.o=.d) $(B)/bench/libngfloor.d $(B)/bench/ngfloor-decode.d \
         $(sort $(SERVER_OBJ:.o=.d) $(REPLAY_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(TOOL_OBJ:.o=.d) $(KUBE_OBJ:.o=.d) \
                $(FAKEAPI_OBJ:.o=.d))

# ---- set-up and tests ----
# Installs the Debian build dependencies when pkg-config cannot find them.
deps:
	@if ! $(PKG_CONFIG) --exists $(DEPS_PKGS) 2>/dev/null || ! command -v curl >/dev/null || \
	    ! command -v openssl >/dev/null || ! command -v jq >/dev/null || ! command -v promtool >/dev/null || \
	    ! command -v valgrind >/dev/null; then \
	    echo "installing build dependencies: $(DEBIAN_PKGS)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(DEBIAN_PKGS) >/dev/null; \
	fi

unit: all $(UNIT_BIN) $(TEST_TOOLS) $(FAKEAPI)

# clang (libFuzzer and its sanitizers) for make fuzz only; the other targets build with cc.
fuzz-deps: deps
	@if ! command -v clang >/dev/null; then \
	    echo "installing clang for the fuzz targets"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clang >/dev/null; \
	fi

# Every target for FUZZ_SECONDS from seeds made of tests/cases and examples/ (tests/fuzz/run.sh).
FUZZ_SECONDS ?= 60
fuzz: fuzz-deps
	$(Q)$(MAKE) --no-print-directory B=build/fuzz CC=clang CFLAGS="-O1 -g -fno-omit-frame-pointer" \
	    SAN="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined" fuzz-build
	$(Q)B=build/fuzz FUZZ_SECONDS=$(FUZZ_SECONDS) tests/fuzz/run.sh

test: deps
	$(Q)$(MAKE) --no-print-directory unit
	$(Q)B=$(B) tests/run.sh

asan: deps
	$(Q)$(MAKE) --no-print-directory B=build/asan CFLAGS="-O1 -g -fno-omit-frame-pointer" \
	    SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined" test

# etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kubectl at the versions
# tests/kube/go.mod pins (built once into build/kube/bin, then from Go's cache), then the scenarios.
e2e: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)tests/kube/build.sh
	$(Q)B=$(B) tests/kube/e2e.sh
# kube-scheduler's own throughput on that control plane: 5,000 nodes, 1,000 pods, in-tree against
# nodegate (names and full mode), the Go baseline and the protocol floor (the bench plugin serving
# nodegate's recorded answers) (tests/kube/bench-scheduler.sh); a benchmark, in neither make e2e nor CI.
bench-scheduler: deps
	$(Q)$(MAKE) --no-print-directory all $(B)/bench/libngfloor.so
	$(Q)tests/kube/build.sh
	$(Q)B=$(B) tests/kube/bench-scheduler.sh

clean:
	rm -rf build

# Installs what make built in $(B) (make install B=build/asan installs the sanitizer build).
# The server finds its plugin from its own binary: $(PREFIX)/bin/../lib/nodegate/libnodegate.so.
install: all
	@$(if $(Q),echo "  INSTALL $(DESTDIR)$(PREFIX)")
	$(Q)$(INSTALL) -d "$(DESTDIR)$(PREFIX)/bin" "$(DESTDIR)$(PREFIX)/lib/nodegate" "$(DESTDIR)$(PREFIX)/include"
	$(Q)$(INSTALL) -m 755 $(B)/nodegate-server $(B)/nodegate-replay $(B)/nodegate "$(DESTDIR)$(PREFIX)/bin/"
	$(Q)$(INSTALL) -m 755 $(B)/libnodegate.so "$(DESTDIR)$(PREFIX)/lib/nodegate/libnodegate.so"
	$(Q)$(INSTALL) -m 644 include/nodegate.h "$(DESTDIR)$(PREFIX)/include/nodegate.h"

# The demo: the extender on a small cluster (examples/demo-cluster.json), by default on
# 127.0.0.1:8888; RUN_FLAGS are more server flags (make run RUN_FLAGS='--listen :9090').
RUN_FLAGS ?= --log-level debug
run: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)B=$(B) examples/run-demo.sh $(RUN_FLAGS)

# Benchmarks: figures and ratios, never pass/fail (bench/bench.sh says what each scenario is).
bench: deps
	$(Q)$(MAKE) --no-print-directory all $(FAKEAPI) $(FLOOR_TOOLS)
	$(Q)B=$(B) bench/bench.sh
# 10 minutes of names-mode replay while the node cache follows 500 events/s (bench/soak.sh);
# pass/fail, but not part of make test: SOAK=SECONDS shortens it.
soak: deps
	$(Q)$(MAKE) --no-print-directory all $(FAKEAPI)
	$(Q)B=$(B) bench/soak.sh
