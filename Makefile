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

C_TESTS := $(BUILD)/test_eccsi_c99 $(BUILD)/test_eccsi_cxx $(BUILD)/test_eccsi_asan \
           $(BUILD)/test_sakke_c99 $(BUILD)/test_sakke_cxx $(BUILD)/test_sakke_asan \
           $(BUILD)/test_client_c99 $(BUILD)/test_client_cxx $(BUILD)/test_client_asan \
           $(BUILD)/test_mikey_c99 $(BUILD)/test_mikey_cxx $(BUILD)/test_mikey_asan \
           $(BUILD)/test_srtp_c99 $(BUILD)/test_srtp_cxx $(BUILD)/test_srtp_asan \
           $(BUILD)/test_partner_c99 $(BUILD)/test_partner_cxx $(BUILD)/test_partner_asan \
           $(BUILD)/test_threads_c99 $(BUILD)/test_threads_cxx $(BUILD)/test_threads_asan

# The programs that speak HTTPS to the KMS link libcurl too; the others do not.
CURL_PROGRAMS := $(BUILD)/test_client_c99 $(BUILD)/test_client_cxx $(BUILD)/test_client_asan \
                 $(BUILD)/test_mikey_c99 $(BUILD)/test_mikey_cxx $(BUILD)/test_mikey_asan \
                 $(BUILD)/test_srtp_c99 $(BUILD)/test_srtp_cxx $(BUILD)/test_srtp_asan \
                 $(BUILD)/test_partner_c99 $(BUILD)/test_partner_cxx \
                 $(BUILD)/test_partner_asan \
                 $(BUILD)/provisioning_demo $(BUILD)/group_key_demo $(BUILD)/partner_demo
$(CURL_PROGRAMS): LDLIBS += -lcurl

# The three demos, test_mikey, test_srtp and test_partner provision their clients through the
# shared HTTPS loop examples/c/kms_session.c, compiled into each of them (EXTRA_SRC: its -I and
# its source; empty for the other programs).
KMS_SESSION := examples/c/kms_session.c examples/c/kms_session.h
KMS_SESSION_PROGRAMS := $(BUILD)/provisioning_demo $(BUILD)/group_key_demo \
                        $(BUILD)/partner_demo \
                        $(BUILD)/test_mikey_c99 $(BUILD)/test_mikey_cxx $(BUILD)/test_mikey_asan \
                        $(BUILD)/test_srtp_c99 $(BUILD)/test_srtp_cxx $(BUILD)/test_srtp_asan \
                        $(BUILD)/test_partner_c99 $(BUILD)/test_partner_cxx \
                        $(BUILD)/test_partner_asan
EXTRA_SRC :=
$(KMS_SESSION_PROGRAMS): EXTRA_SRC := -Iexamples/c examples/c/kms_session.c
$(KMS_SESSION_PROGRAMS): $(KMS_SESSION)

# The programs that protect media with Debian's libsrtp2 (the group key demo, test_srtp) also
# compile examples/c/srtp_media.c, one libsrtp stream keyed by mkc_srtp_derive.
SRTP_MEDIA := examples/c/srtp_media.c examples/c/srtp_media.h
SRTP_PROGRAMS := $(BUILD)/group_key_demo $(BUILD)/test_srtp_c99 $(BUILD)/test_srtp_cxx \
                 $(BUILD)/test_srtp_asan
$(SRTP_PROGRAMS): EXTRA_SRC += examples/c/srtp_media.c
$(SRTP_PROGRAMS): LDLIBS += -lsrtp2
$(SRTP_PROGRAMS): $(SRTP_MEDIA)

# Runs a command against a fresh reference KMS on 127.0.0.1, with KMS_URL, KMS_CA and the
# tokens in its environment, and stops the server afterwards (scripts/run-with-kms.sh).
WITH_KMS := ./scripts/run-with-kms.sh

.PHONY: all setup lib kms test test-rust test-c test-ct test-race jni-classes test-jni demo demo-java bench \
        clean install uninstall test-install test-cross test-cross-smoke android android-check \
        fuzz fuzz-smoke
.DELETE_ON_ERROR:

all: lib

setup:
	@./scripts/setup.sh

# The release shared and static libraries. Their SONAME is the file's own name, so programs
# linked against target/release run from there; `make install` gives the installed copy the
# versioned SONAME libmcptt_kmc.so.$(ABI) (scripts/install.sh).
lib: setup
	$(CARGO) build --release --lib

# The reference KMS server (examples/reference-kms), for the demo and the C client test.
kms: setup
	$(CARGO) build --release -p reference-kms

# Every test, then the demo: it provisions from the real server and must succeed too; then the
# ARM smoke (aarch64 under qemu-user, README "ARM"), last because it builds a standard library.
test: test-rust test-c test-race test-ct test-jni test-install demo test-cross-smoke

# The library's tests, then the reference KMS's (they start the server binary).
test-rust: setup
	$(CARGO) test --all-targets
	$(CARGO) test --doc
	$(CARGO) test -p reference-kms

$(BUILD):
	mkdir -p $(BUILD)

# Each C test program (tests/c/test_<name>.c, its harness in tests/c/check.h) is built three ways.
TEST_HDRS := include/mcptt_kmc.h tests/c/check.h

$(BUILD)/test_%_c99: tests/c/test_%.c $(TEST_HDRS) lib | $(BUILD)
	$(CC) $(CFLAGS_C99) $< $(EXTRA_SRC) -o $@ $(LDLIBS)

$(BUILD)/test_%_cxx: tests/c/test_%.c $(TEST_HDRS) lib | $(BUILD)
	$(CXX) -x c++ $(CXXFLAGS) $< $(EXTRA_SRC) -o $@ $(LDLIBS)

$(BUILD)/test_%_asan: tests/c/test_%.c $(TEST_HDRS) lib | $(BUILD)
	$(CC) $(CFLAGS_C99) $(SANITIZE) $< $(EXTRA_SRC) -o $@ $(LDLIBS)

# The C tests three ways: C99 under valgrind, C++17, and C99 with ASan/UBSan. test_sakke under
# valgrind takes a minute or two (every receiver and decapsulation computes a pairing).
# test_client, test_mikey and test_srtp talk to the reference KMS over HTTPS: each run gets a
# fresh server; test_partner gets two (a home and a partner KMS domain, run-with-kms.sh --partner).
test-c: $(C_TESTS) kms
	$(RUN) $(VALGRIND) $(BUILD)/test_eccsi_c99
	$(RUN) $(BUILD)/test_eccsi_cxx
	$(RUN) $(BUILD)/test_eccsi_asan
	$(RUN) $(VALGRIND) $(BUILD)/test_sakke_c99
	$(RUN) $(BUILD)/test_sakke_cxx
	$(RUN) $(BUILD)/test_sakke_asan
	$(WITH_KMS) $(RUN) $(VALGRIND) $(BUILD)/test_client_c99
	$(WITH_KMS) $(RUN) $(BUILD)/test_client_cxx
	$(WITH_KMS) $(RUN) $(BUILD)/test_client_asan
	$(WITH_KMS) $(RUN) $(VALGRIND) $(BUILD)/test_mikey_c99
	$(WITH_KMS) $(RUN) $(BUILD)/test_mikey_cxx
	$(WITH_KMS) $(RUN) $(BUILD)/test_mikey_asan
	$(WITH_KMS) $(RUN) $(VALGRIND) $(BUILD)/test_srtp_c99
	$(WITH_KMS) $(RUN) $(BUILD)/test_srtp_cxx
	$(WITH_KMS) $(RUN) $(BUILD)/test_srtp_asan
	$(WITH_KMS) --partner -- $(RUN) $(VALGRIND) $(BUILD)/test_partner_c99
	$(WITH_KMS) --partner -- $(RUN) $(BUILD)/test_partner_cxx
	$(WITH_KMS) --partner -- $(RUN) $(BUILD)/test_partner_asan
	$(RUN) $(BUILD)/test_threads_c99
	$(RUN) $(BUILD)/test_threads_cxx
	$(RUN) $(BUILD)/test_threads_asan

# The data-race check: tests/c/test_threads.c (8 threads sharing one handle of each immutable
# type, the SAKKE receiver's lazy table and the base-point tables built under contention) under
# ThreadSanitizer. The library and its standard library are rebuilt for it with
# -Zsanitizer=thread -Zbuild-std by rustup's nightly (its own target dir; no LTO, to build
# faster); the test program is built with gcc -fsanitize=thread and runs on GCC's libtsan,
# tests/c/tsan_compat.c supplying the three block-copy entry points rustc's LLVM calls and
# libtsan lacks. Any race report fails the run (halt_on_error). TSan rather than valgrind's
# helgrind or DRD: those know only pthread primitives, not the atomics and futexes of Rust's
# Once/OnceLock, and would report every lazily built table as a race; TSan with std
# instrumented too sees them and reports none. scripts/setup-race.sh installs nightly's
# rust-src and libtsan, and fails saying so when it cannot.
RACE_TOOLCHAIN ?= nightly
RACE_TARGET := $(shell rustc -vV 2>/dev/null | sed -n 's/^host: //p')
RACE_DIR    := target/tsan
RACE_LIB    := $(RACE_DIR)/$(RACE_TARGET)/release
RACE_ENV    := CARGO_TARGET_DIR=$(RACE_DIR) RUSTFLAGS=-Zsanitizer=thread \
               CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
               CARGO_PROFILE_RELEASE_DEBUG=line-tables-only
test-race: setup
	RACE_TOOLCHAIN=$(RACE_TOOLCHAIN) ./scripts/setup-race.sh
	$(RACE_ENV) $(CARGO) +$(RACE_TOOLCHAIN) build -Zbuild-std --target $(RACE_TARGET) --release --lib
	mkdir -p $(BUILD)
	$(CC) $(CFLAGS_C99) -fsanitize=thread -fno-builtin tests/c/test_threads.c tests/c/tsan_compat.c \
	  -rdynamic -o $(BUILD)/test_threads_tsan -L$(RACE_LIB) -lmcptt_kmc -lpthread
	TSAN_OPTIONS=halt_on_error=1 LD_LIBRARY_PATH=$(abspath $(RACE_LIB)) $(BUILD)/test_threads_tsan

# The constant-time check: secret inputs marked undefined for valgrind memcheck (ct-check/);
# any branch or memory index on a secret fails it. Its own target dir, because the ct-check
# feature links the valgrind shim into the library. The control run must be reported.
CT_DIR   := target/ct-check
CT_CHECK := $(CT_DIR)/release/examples/ct_check
# SAKKE runs with each F_p multiplication path forced: the portable one, and the MULX/ADCX/ADOX
# one where the CPU has BMI2 and ADX (valgrind's CPUID hides ADX but executes it).
CT_ADX   := $(shell grep -qw adx /proc/cpuinfo 2>/dev/null && grep -qw bmi2 /proc/cpuinfo && echo --with-adx)
test-ct: setup
	CARGO_TARGET_DIR=$(CT_DIR) $(CARGO) build --release --features ct-check --example ct_check
	valgrind -q --error-exitcode=1 $(CT_CHECK) $(CT_ADX)
	@if valgrind -q --error-exitcode=1 $(CT_CHECK) --leak-control >/dev/null 2>&1; then \
	  echo "ct-check: the control branch on a secret was NOT reported"; exit 1; \
	else echo "ct-check: the control branch on a secret was reported, as it must be"; fi

# The Java API (bindings/jni): the JNI library (crate mcptt-kmc-jni), the Java sources compiled
# with javac (their Javadoc checked by javadoc -Xdoclint), and the JUnit 4 tests (Debian's
# junit4) on the host JVM under -Xcheck:jni; any JNI warning fails the run. No Maven or Gradle:
# everything is on the command line.
JNI_LIB     := target/debug/libmcptt_kmc_jni.so
JNI_OUT     := $(BUILD)/jni
JUNIT_CP    := /usr/share/java/junit4.jar:/usr/share/java/hamcrest-core.jar
JAVA_SRC     = $(shell find bindings/jni/java -name '*.java')
JAVA_TESTS   = $(shell find bindings/jni/test -name '*Test.java')
JAVA_RUN    := java -Xcheck:jni -Dmcptt.kmc.library=$(abspath $(JNI_LIB))
JNI_CHECKED := bindings/jni/run-checked.sh

jni-classes: setup
	$(CARGO) build -p mcptt-kmc-jni
	rm -rf $(JNI_OUT)/classes && mkdir -p $(JNI_OUT)/classes
	@echo "javac, javadoc -Xdoclint: bindings/jni/java"
	@javac -Xlint:all -Werror -d $(JNI_OUT)/classes $(JAVA_SRC)
	@javadoc -quiet -Xdoclint:all -Werror -d $(JNI_OUT)/javadoc $(JAVA_SRC) >/dev/null

test-jni: jni-classes
	rm -rf $(JNI_OUT)/test-classes && mkdir -p $(JNI_OUT)/test-classes
	javac -Xlint:all -Werror -cp $(JNI_OUT)/classes:$(JUNIT_CP) -d $(JNI_OUT)/test-classes \
	  $(shell find bindings/jni/test -name '*.java')
	$(JNI_CHECKED) $(JNI_OUT)/test.log $(JAVA_RUN) -Dmcptt.kmc.vectors=tests/vectors \
	  -cp $(JNI_OUT)/classes:$(JNI_OUT)/test-classes:$(JUNIT_CP) org.junit.runner.JUnitCore \
	  $(subst /,.,$(patsubst bindings/jni/test/%.java,%,$(JAVA_TESTS)))

# The Java demo (bindings/jni/demo): alice and bob provision from the reference KMS over HTTPS
# with java.net.http, trusting only its certificate, then sign/verify, send a key with SAKKE and
# with a MIKEY-SAKKE I_MESSAGE, and restore a sealed key store.
demo-java: jni-classes kms
	rm -rf $(JNI_OUT)/demo-classes && mkdir -p $(JNI_OUT)/demo-classes
	javac -Xlint:all -Werror -cp $(JNI_OUT)/classes -d $(JNI_OUT)/demo-classes \
	  $(shell find bindings/jni/demo -name '*.java')
	$(WITH_KMS) sh -c '$(JNI_CHECKED) $(JNI_OUT)/demo.log \
	  $(JAVA_RUN) -cp $(JNI_OUT)/classes:$(JNI_OUT)/demo-classes \
	  org.mcptt.kmc.demo.ProvisioningDemo \
	  "$$KMS_URL" "$$KMS_CA" "$$KMS_TOKEN_ALICE" "$$KMS_TOKEN_BOB"'

# The C examples, built as C99 and also checked as C++17.
EXAMPLES := provisioning_demo group_key_demo partner_demo eccsi_sign_verify sakke_roundtrip
$(BUILD)/%: examples/c/%.c include/mcptt_kmc.h lib | $(BUILD)
	$(CXX) -x c++ $(CXXFLAGS) -fsyntax-only $< $(EXTRA_SRC)
	$(CC) $(CFLAGS_C99) $< $(EXTRA_SRC) -o $@ $(LDLIBS)

# The main job: alice and bob get their keys from the reference KMS over HTTPS through the
# provisioning client (current and next key period), then sign, send a key with SAKKE, and
# restore a sealed key store (examples/c/provisioning_demo.c); a group management server
# identity sends one GMK to alice and bob in MIKEY-SAKKE I_MESSAGEs
# (examples/c/group_key_demo.c); alice at home and carol at a partner KMS (a second instance,
# partner.example.net) get each other's certificate from their own KMS's certificate cache and
# send each other a PCK (examples/c/partner_demo.c); then the two examples of the bare ECCSI
# and SAKKE API.
demo: $(addprefix $(BUILD)/,$(EXAMPLES)) kms
	$(WITH_KMS) sh -c '$(RUN) $(BUILD)/provisioning_demo \
	  "$$KMS_URL" "$$KMS_CA" "$$KMS_TOKEN_ALICE" "$$KMS_TOKEN_BOB"'
	$(WITH_KMS) sh -c '$(RUN) $(BUILD)/group_key_demo \
	  "$$KMS_URL" "$$KMS_CA" "$$KMS_TOKEN_GMS" "$$KMS_TOKEN_ALICE" "$$KMS_TOKEN_BOB"'
	$(WITH_KMS) --partner -- sh -c '$(RUN) $(BUILD)/partner_demo \
	  "$$KMS_URL" "$$KMS_CA" "$$KMS_TOKEN_ALICE" \
	  "$$PARTNER_KMS_URL" "$$PARTNER_KMS_CA" "$$KMS_TOKEN_CAROL"'
	$(RUN) $(BUILD)/eccsi_sign_verify
	$(RUN) $(BUILD)/sakke_roundtrip

# The C benchmarks share their timing harness, examples/c/bench_common.h.
BENCH_HDRS := include/mcptt_kmc.h examples/c/bench_common.h

$(BUILD)/bench_eccsi: examples/c/bench_eccsi.c $(BENCH_HDRS) lib | $(BUILD)
	$(CC) -std=c99 $(CWARN) -O2 $< -o $@ $(LDLIBS)

$(BUILD)/bench_sakke: examples/c/bench_sakke.c $(BENCH_HDRS) lib | $(BUILD)
	$(CC) -std=c99 $(CWARN) -O2 $< -o $@ $(LDLIBS)

# Last, the regression check: each operation's median ops/s now, beside the figure recorded in
# BENCHMARKS.md and wolfSSL's (scripts/bench-ratio.sh; it prints, it does not fail on speed).
bench: setup $(BUILD)/bench_eccsi $(BUILD)/bench_sakke
	$(CARGO) bench --bench eccsi --bench sakke --bench field --bench curve --bench client \
	  --bench mikey
	$(RUN) $(BUILD)/bench_eccsi > $(BUILD)/bench_eccsi.out || { cat $(BUILD)/bench_eccsi.out; exit 1; }
	cat $(BUILD)/bench_eccsi.out
	$(RUN) $(BUILD)/bench_sakke > $(BUILD)/bench_sakke.out || { cat $(BUILD)/bench_sakke.out; exit 1; }
	cat $(BUILD)/bench_sakke.out
	./scripts/bench-ratio.sh BENCHMARKS.md $(BUILD)/bench_eccsi.out $(BUILD)/bench_sakke.out

# Fuzzing (README, "Fuzzing"): the cargo-fuzz targets of fuzz/ (its own workspace, nightly
# Rust, libFuzzer with ASan and debug assertions), each run for FUZZ_SECONDS from the committed
# seeds (fuzz/seeds/). `make fuzz`: 60 s per target by default; `make fuzz-smoke`: 12 s per
# target, what .ci/run runs. Any crash or failed check fails the run (fuzz/run.sh); a missing
# nightly toolchain or cargo-fuzz is installed, and the run FAILS saying so if that fails.
FUZZ_SECONDS ?=
fuzz: setup
	FUZZ_SECONDS='$(FUZZ_SECONDS)' ./fuzz/run.sh

fuzz-smoke: setup
	FUZZ_SECONDS='$(FUZZ_SECONDS)' ./fuzz/run.sh --smoke

# Installation (README, "Install"): PREFIX (default /usr/local), libdir, includedir and DESTDIR
# (a staging root) as usual. install builds the release library first when cargo is at hand, so
# `make lib && sudo make install` works where root has no cargo.
VERSION    := $(shell sed -n 's/^version *= *"\([^"]*\)".*/\1/p' Cargo.toml | head -n 1)
PREFIX     ?= /usr/local
libdir     ?= $(PREFIX)/lib
includedir ?= $(PREFIX)/include
INSTALL_ENV = PREFIX='$(PREFIX)' libdir='$(libdir)' includedir='$(includedir)' \
              DESTDIR='$(DESTDIR)' VERSION='$(VERSION)' ABI='$(ABI)' SRC='$(LIBDIR)'

install:
	@if command -v $(CARGO) >/dev/null; then $(MAKE) --no-print-directory lib; fi
	$(INSTALL_ENV) ./scripts/install.sh install

uninstall:
	$(INSTALL_ENV) ./scripts/install.sh uninstall

# Installs into build/test-install/stage (PREFIX=/usr), builds and runs the C example against it
# through pkg-config and CMake, checks the CMake version rule, uninstalls to an empty stage.
test-install: lib
	VERSION='$(VERSION)' ABI='$(ABI)' SRC='$(LIBDIR)' BUILD='$(BUILD)' MAKE='$(MAKE)' \
	  ./scripts/test-install.sh

# ARM (README, "ARM"): the library, its RFC-vector and negative-case tests and the C ECCSI/SAKKE
# tests built for aarch64 and armv7 Linux (-Zbuild-std) and run under qemu-user
# (scripts/cross-test.sh; scripts/setup-cross.sh installs the cross toolchains). The smoke
# (aarch64: ECCSI and SAKKE vectors, C ECCSI test) is part of make test.
test-cross: setup
	./scripts/setup-cross.sh
	./scripts/cross-test.sh

test-cross-smoke: setup
	./scripts/setup-cross.sh
	./scripts/cross-test.sh --smoke

# Android (README, "Android"): the build needs an NDK and cargo-ndk (scripts/android-build.sh);
# android-check is what runs without them: the crates type-check for the three Android targets,
# build.rs's SONAME and the 16 KB link flag.
android: setup
	./scripts/android-build.sh

android-check: setup
	./scripts/setup-cross.sh
	./scripts/android-build.sh --check

clean:
	rm -rf $(BUILD) fuzz/target fuzz/artifacts
	$(CARGO) clean
