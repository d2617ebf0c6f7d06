/*
 * bench_eccsi.c: ECCSI (RFC 6507) throughput through the mcptt-kmc C API and shared library.
 *
 * Measures operations per second of:
 *   KPAK generation  mkc_kms_new_random + mkc_kms_free (also draws the SAKKE secret z)
 *   issuance         mkc_kms_issue_eccsi
 *   SSK validation   mkc_eccsi_signer_new + mkc_eccsi_signer_free
 *   SSK validation under a verification handle (what the client does)
 *                    mkc_eccsi_signer_new_with_public + mkc_eccsi_signer_free
 *   sign             mkc_eccsi_sign
 *   verify           mkc_eccsi_verify
 * Each operation runs for about SECONDS (default 1) per round, in 5 rounds; the table shows the
 * median round, and the slowest and fastest. Every result is checked: a failed call stops the
 * program with exit status 1.
 *
 * Usage: bench_eccsi [SECONDS]      e.g. LD_LIBRARY_PATH=target/release build/bench_eccsi 0.2
 *
 * C99 and C++17 clean; POSIX for clock_gettime(CLOCK_MONOTONIC). Harness: bench_common.h.
 */
/* The timing harness; first, as it selects POSIX for clock_gettime. */
#define BENCH_NAME "bench_eccsi"
#include "bench_common.h"

#include <mcptt_kmc.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Fixtures shared by the operations. */
static const uint8_t ID[] = "sip:alice@mcptt.example.org";
#define ID_LEN (sizeof ID - 1)
static const uint8_t MSG[] = "MCPTT group 42: floor granted to alice";
#define MSG_LEN (sizeof MSG - 1)

static const mkc_kms *g_kms;
static const mkc_eccsi_signer *g_signer;
static const mkc_eccsi_public *g_verifier;
static uint8_t g_kpak[MKC_ECCSI_KPAK_BYTES];
static uint8_t g_ssk[MKC_ECCSI_SSK_BYTES];
static uint8_t g_pvt[MKC_ECCSI_PVT_BYTES];
static uint8_t g_sig[MKC_ECCSI_SIGNATURE_BYTES];

static void op_kpak_generation(void) {
    const mkc_kms *kms = NULL;
    uint8_t kpak[MKC_ECCSI_KPAK_BYTES];
    size_t len = 0;
    must((uint32_t)mkc_kms_new_random(&kms), "mkc_kms_new_random");
    /* Reading the KPAK back is a copy; it keeps the generated key observable. */
    must((uint32_t)mkc_kms_kpak(kms, kpak, sizeof kpak, &len), "mkc_kms_kpak");
    g_sink ^= kpak[1] ^ kpak[64];
    mkc_kms_free(kms);
}

static void op_issue(void) {
    uint8_t ssk[MKC_ECCSI_SSK_BYTES], pvt[MKC_ECCSI_PVT_BYTES];
    must((uint32_t)mkc_kms_issue_eccsi(g_kms, ID, ID_LEN, ssk, sizeof ssk, pvt, sizeof pvt),
         "mkc_kms_issue_eccsi");
    g_sink ^= (uint32_t)ssk[31] ^ pvt[64];
    memset(ssk, 0, sizeof ssk);
}

static void op_validate(void) {
    const mkc_eccsi_signer *signer = NULL;
    must((uint32_t)mkc_eccsi_signer_new(g_kpak, sizeof g_kpak, ID, ID_LEN, g_ssk, sizeof g_ssk,
                                        g_pvt, sizeof g_pvt, &signer),
         "mkc_eccsi_signer_new");
    g_sink ^= (uint32_t)(signer != NULL);
    mkc_eccsi_signer_free(signer);
}

static void op_validate_with_public(void) {
    const mkc_eccsi_signer *signer = NULL;
    must((uint32_t)mkc_eccsi_signer_new_with_public(g_verifier, ID, ID_LEN, g_ssk, sizeof g_ssk,
                                                    g_pvt, sizeof g_pvt, &signer),
         "mkc_eccsi_signer_new_with_public");
    g_sink ^= (uint32_t)(signer != NULL);
    mkc_eccsi_signer_free(signer);
}

static void op_sign(void) {
    uint8_t sig[MKC_ECCSI_SIGNATURE_BYTES];
    size_t written = 0;
    must((uint32_t)mkc_eccsi_sign(g_signer, MSG, MSG_LEN, sig, sizeof sig, &written),
         "mkc_eccsi_sign");
    if (written != sizeof sig) {
        fprintf(stderr, "bench_eccsi: mkc_eccsi_sign wrote %zu octets\n", written);
        exit(1);
    }
    g_sink ^= (uint32_t)sig[0] ^ sig[63];
}

static void op_verify(void) {
    must((uint32_t)mkc_eccsi_verify(g_verifier, ID, ID_LEN, MSG, MSG_LEN, g_sig, sizeof g_sig),
         "mkc_eccsi_verify");
    g_sink += 1u;
}

static const struct bench_op OPS[] = {
    {"KPAK generation (kms_new_random)", op_kpak_generation},
    {"issuance (kms_issue_eccsi)", op_issue},
    {"SSK validation (signer_new)", op_validate},
    {"SSK validation (with_public)", op_validate_with_public},
    {"sign (eccsi_sign)", op_sign},
    {"verify (eccsi_verify)", op_verify},
};

static void setup(void) {
    size_t len = 0;
    must((uint32_t)mkc_kms_new_random(&g_kms), "mkc_kms_new_random");
    must((uint32_t)mkc_kms_kpak(g_kms, g_kpak, sizeof g_kpak, &len), "mkc_kms_kpak");
    must((uint32_t)mkc_kms_issue_eccsi(g_kms, ID, ID_LEN, g_ssk, sizeof g_ssk, g_pvt,
                                       sizeof g_pvt),
         "mkc_kms_issue_eccsi");
    must((uint32_t)mkc_eccsi_signer_new(g_kpak, sizeof g_kpak, ID, ID_LEN, g_ssk, sizeof g_ssk,
                                        g_pvt, sizeof g_pvt, &g_signer),
         "mkc_eccsi_signer_new");
    must((uint32_t)mkc_eccsi_public_new(g_kpak, sizeof g_kpak, &g_verifier),
         "mkc_eccsi_public_new");
    must((uint32_t)mkc_eccsi_sign(g_signer, MSG, MSG_LEN, g_sig, sizeof g_sig, &len),
         "mkc_eccsi_sign");
    must((uint32_t)mkc_eccsi_verify(g_verifier, ID, ID_LEN, MSG, MSG_LEN, g_sig, sizeof g_sig),
         "mkc_eccsi_verify");
    /* The benchmark must measure real verification: a tampered message has to fail. */
    if (mkc_eccsi_verify(g_verifier, ID, ID_LEN, MSG, MSG_LEN - 1, g_sig, sizeof g_sig) !=
        MKC_RESULT_VERIFY_FAILED) {
        fprintf(stderr, "bench_eccsi: a tampered message did not fail verification\n");
        exit(1);
    }
}

int main(int argc, char **argv) {
    double seconds;
    int rc = bench_start(argc, argv, &seconds);

    if (rc != 0) return rc;
    setup();
    bench_run("ECCSI", OPS, sizeof OPS / sizeof OPS[0], seconds);

    mkc_eccsi_public_free(g_verifier);
    mkc_eccsi_signer_free(g_signer);
    mkc_kms_free(g_kms);
    memset(g_ssk, 0, sizeof g_ssk);
    return 0;
}
