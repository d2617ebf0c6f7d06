/*
 * check.h: the harness shared by the C tests (test_eccsi.c, test_sakke.c): pass/fail counters,
 * the CHECK, CHECK_RC and CHECK_SIZE macros, the failure context, hex decoding, and the closing
 * "N passed, M failed" line.
 *
 * Header-only, for one translation unit per program: everything is static (functions static
 * inline, so one a test does not use draws no -Wunused-function). C99 and C++17 clean.
 */
#ifndef MCPTT_KMC_TEST_CHECK_H
#define MCPTT_KMC_TEST_CHECK_H

#include <mcptt_kmc.h>

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------------------------ */
/* Check bookkeeping                                                                          */
/* ------------------------------------------------------------------------------------------ */

static unsigned long g_passed;
static unsigned long g_failed;
/* What the current group of checks is about; printed with every failure. */
static char g_ctx[160] = "";

static inline void set_ctx(const char *group, const char *item) {
    snprintf(g_ctx, sizeof g_ctx, "%s%s%s", group, item[0] ? ": " : "", item);
}

static inline void check_at(int ok, int line, const char *what) {
    if (ok) {
        g_passed++;
        return;
    }
    g_failed++;
    printf("FAIL line %d [%s]: %s\n", line, g_ctx, what);
}

static inline void check_rc_at(uint32_t got, uint32_t want, int line, const char *what) {
    if (got == want) {
        g_passed++;
        return;
    }
    g_failed++;
    printf("FAIL line %d [%s]: %s: got %u (%s), want %u (%s)\n", line, g_ctx, what,
           (unsigned)got, mkc_result_str(got), (unsigned)want, mkc_result_str(want));
}

static inline void check_size_at(size_t got, size_t want, int line, const char *what) {
    if (got == want) {
        g_passed++;
        return;
    }
    g_failed++;
    printf("FAIL line %d [%s]: %s: got %zu, want %zu\n", line, g_ctx, what, got, want);
}

#define CHECK(cond, what) check_at((cond) ? 1 : 0, __LINE__, (what))
#define CHECK_RC(expr, want, what) \
    check_rc_at((uint32_t)(expr), (uint32_t)(want), __LINE__, (what))
#define CHECK_SIZE(got, want, what) check_size_at((size_t)(got), (size_t)(want), __LINE__, (what))

/* Prints the closing line and exits: 0 if every check passed, 1 otherwise. */
static inline void finish(void) {
    printf("%lu passed, %lu failed\n", g_passed, g_failed);
    exit(g_failed == 0 ? 0 : 1);
}

/* ------------------------------------------------------------------------------------------ */
/* Small helpers                                                                              */
/* ------------------------------------------------------------------------------------------ */

static inline int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Decodes exactly `len` octets of hex; a malformed constant is a failed check. */
static inline void unhex(const char *hex, uint8_t *out, size_t len) {
    size_t i;
    int ok = strlen(hex) == 2 * len;
    for (i = 0; ok && i < len; i++) {
        int hi = hexval(hex[2 * i]);
        int lo = hexval(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            ok = 0;
            break;
        }
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    if (!ok) {
        memset(out, 0, len);
    }
    CHECK(ok, "test constant is well-formed hex of the expected length");
}

/* a - b modulo 2^(8n) on n-octet big-endian integers. */
static inline void be_sub(uint8_t *out, const uint8_t *a, const uint8_t *b, size_t n) {
    size_t i = n;
    unsigned borrow = 0;
    while (i-- > 0) {
        unsigned d = (unsigned)a[i] - (unsigned)b[i] - borrow;
        out[i] = (uint8_t)(d & 0xff);
        borrow = (d >> 8) & 1u;
    }
}

static inline int all_equal(const uint8_t *p, size_t n, uint8_t v) {
    size_t i;
    for (i = 0; i < n; i++)
        if (p[i] != v) return 0;
    return 1;
}

#define CANARY 0xA5

/* Stand-ins for "*out must stay unchanged": addresses no library call ever returns. Slot 0 is
 * the KMS; each test names slots 1 and 2 for its own handle types (SENTINEL_SLOT(1), ...). */
static char g_sentinel_storage[3];
static inline const void *sentinel_slot(size_t i) { return &g_sentinel_storage[i]; }
#define SENTINEL_SLOT(i) sentinel_slot(i)
#define SENTINEL_KMS ((const mkc_kms *)SENTINEL_SLOT(0))

#endif /* MCPTT_KMC_TEST_CHECK_H */
