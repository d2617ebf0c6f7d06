# Entry points (README): `make demo` runs the main job, `make test` runs every test, `make bench`
# runs the benchmarks. Each first runs scripts/setup.sh, which installs what is missing.

CARGO   ?= cargo
# make's built-in defaults (cc, g++) count as unset: use the system's cc and c++.
ifeq ($(origin CC),default)
CC      := cc
endif
ifeq ($(origin CXX),default)
CXX     := c++
endif
export CC CXX
ABI     := $(shell cat abi-version)
LIBDIR  := target/release
LIB     := $(LIBDIR)/libmcptt_kmc.so
BUILD   := build
CWARN   := -Wall -Wextra -Werror -pedantic -Iinclude
CFLAGS_C99 := -std=c99 $(CWARN) -O1 -g
CXXFLAGS   := -std=c++17 $(CWARN) -O1 -g
SANITIZE   := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
LDLIBS  := -L$(LIBDIR) -lmcptt_kmc
RUN     := env LD_LIBRARY_PATH=$(abspath $(LIBDIR))
VALGRIND := valgrind -q --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite \
            --show-leak-kinds=definite

C_TESTS := $(BUILD)/test_eccsi_c99 $(BUILD)/test_eccsi_cxx $(BUILD)/test_eccsi_asan

.PHONY: all setup lib test test-rust test-c demo bench clean
.DELETE_ON_ERROR:

all: lib

setup:
	@./scripts/setup.sh

# The release shared library, plus the SONAME link (libmcptt_kmc.so.$(ABI)) the loader looks for.
lib: setup
	$(CARGO) build --release --lib
	ln -sf libmcptt_kmc.so $(LIBDIR)/libmcptt_kmc.so.$(ABI)

test: test-rust test-c

test-rust: setup
	$(CARGO) test --all-targets
	$(CARGO) test --doc

$(BUILD):
	mkdir -p $(BUILD)

$(BUILD)/test_eccsi_c99: tests/c/test_eccsi.c include/mcptt_kmc.h lib | $(BUILD)
	$(CC) $(CFLAGS_C99) $< -o $@ $(LDLIBS)

$(BUILD)/test_eccsi_cxx: tests/c/test_eccsi.c include/mcptt_kmc.h lib | $(BUILD)
	$(CXX) -x c++ $(CXXFLAGS) $< -o $@ $(LDLIBS)

$(BUILD)/test_eccsi_asan: tests/c/test_eccsi.c include/mcptt_kmc.h lib | $(BUILD)
	$(CC) $(CFLAGS_C99) $(SANITIZE) $< -o $@ $(LDLIBS)

# The C test three ways: C99 under valgrind, C++17, and C99 with ASan/UBSan.
test-c: $(C_TESTS)
	$(RUN) $(VALGRIND) $(BUILD)/test_eccsi_c99
	$(RUN) $(BUILD)/test_eccsi_cxx
	$(RUN) $(BUILD)/test_eccsi_asan

$(BUILD)/eccsi_sign_verify: examples/c/eccsi_sign_verify.c include/mcptt_kmc.h lib | $(BUILD)
	$(CC) $(CFLAGS_C99) $< -o $@ $(LDLIBS)

# The main job until the provisioning client lands: the ECCSI C example end to end.
demo: $(BUILD)/eccsi_sign_verify
	$(RUN) $(BUILD)/eccsi_sign_verify

$(BUILD)/bench_eccsi: examples/c/bench_eccsi.c include/mcptt_kmc.h lib | $(BUILD)
	$(CC) -std=c99 $(CWARN) -O2 $< -o $@ $(LDLIBS)

bench: setup $(BUILD)/bench_eccsi
	$(CARGO) bench --bench eccsi
	$(RUN) $(BUILD)/bench_eccsi

clean:
	rm -rf $(BUILD)
	$(CARGO) clean
