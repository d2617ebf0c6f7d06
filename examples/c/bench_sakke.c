/*
 * bench_sakke.c: SAKKE (RFC 6508, parameter set 1 of RFC 6509) throughput through the
 * mcptt-kmc C API and shared library.
 *
 * Measures operations per second of:
 *   RSK issuance     mkc_kms_issue_sakke
 *   RSK validation   mkc_sakke_receiver_new + mkc_sakke_receiver_free (Z_T as octets)
 *   RSK validation   mkc_sakke_receiver_new_with_public (under an already validated Z_T)
 *   encapsulate      mkc_sakke_encapsulate (a fresh SSV and a new receiver identifier each time)
 *   decapsulate      mkc_sakke_decapsulate on one receiver (its table built before timing)
 *   Z_T import       mkc_sakke_public_new + mkc_sakke_public_free
 * Each operation runs for about SECONDS (default 1) per round, in 5 rounds; the table shows the
 * median round, and the slowest and fastest. Every result is checked: a failed call stops the
 * program with exit status 1.
 *
 * Usage: bench_sakke [SECONDS]      e.g. LD_LIBRARY_PATH=target/release build/bench_sakke 0.2
 *
 * C99 and C++17 clean; POSIX for clock_gettime(CLOCK_PROCESS_CPUTIME_ID). Harness: bench_common.h.
 */
/* The timing harness; first, as it selects POSIX for clock_gettime. */
#define BENCH_NAME "bench_sakke"
#include "bench_common.h"

#include <mcptt_kmc.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Fixtures shared by the operations: a TS 33.180-style 32-octet UID as the identifier. */
static const uint8_t ID[32] = {0x74, 0xe2, 0xaf, 0x80, 0x3a, 0xb5, 0xd7, 0x28, 0x41, 0xbb, 0xce,
                               0xd0, 0xce, 0x31, 0x9f, 0xfe, 0x64, 0xf6, 0xfe, 0x23, 0xc8, 0x8a,
                               0x2d, 0x25, 0x8a, 0xab, 0xcf, 0x6a, 0xc5, 0x65, 0x8e, 0xf4};
#define ID_LEN (sizeof ID)

static const mkc_kms *g_kms;
static const mkc_sakke_public *g_public;
static const mkc_sakke_receiver *g_receiver;
static uint8_t g_z_t[MKC_SAKKE_Z_T_BYTES];
static uint8_t g_rsk[MKC_SAKKE_RSK_BYTES];
static uint8_t g_ssv[MKC_SAKKE_SSV_BYTES];
static uint8_t g_sed[MKC_SAKKE_SED_BYTES];

static void op_issue(void) {
    uint8_t rsk[MKC_SAKKE_RSK_BYTES];
    must((uint32_t)mkc_kms_issue_sakke(g_kms, ID, ID_LEN, rsk, sizeof rsk),
         "mkc_kms_issue_sakke");
    g_sink ^= (uint32_t)rsk[1] ^ rsk[256];
    memset(rsk, 0, sizeof rsk);
}

static void op_validate(void) {
    const mkc_sakke_receiver *receiver = NULL;
    must((uint32_t)mkc_sakke_receiver_new(g_z_t, sizeof g_z_t, ID, ID_LEN, g_rsk, sizeof g_rsk,
                                          &receiver),
         "mkc_sakke_receiver_new");
    g_sink ^= (uint32_t)(receiver != NULL);
    mkc_sakke_receiver_free(receiver);
}

static void op_validate_with_public(void) {
    const mkc_sakke_receiver *receiver = NULL;
    must((uint32_t)mkc_sakke_receiver_new_with_public(g_public, ID, ID_LEN, g_rsk, sizeof g_rsk,
                                                      &receiver),
         "mkc_sakke_receiver_new_with_public");
    g_sink ^= (uint32_t)(receiver != NULL);
    mkc_sakke_receiver_free(receiver);
}

static void op_encapsulate(void) {
    uint8_t ssv[MKC_SAKKE_SSV_BYTES], sed[MKC_SAKKE_SED_BYTES], id[ID_LEN];
    size_t written = 0;
    /* A fresh SSV and a new receiver each time (as a group management server sending one key
     * to each member): nothing of one identifier is reused for the next. */
    const uint32_t counter = g_sink;
    memcpy(ssv, g_ssv, sizeof ssv);
    memcpy(ssv, &counter, sizeof counter);
    memcpy(id, ID, sizeof id);
    memcpy(id, &counter, sizeof counter);
    must((uint32_t)mkc_sakke_encapsulate(g_public, id, sizeof id, ssv, sizeof ssv, sed, sizeof sed,
                                         &written),
         "mkc_sakke_encapsulate");
    if (written != sizeof sed) {
        fprintf(stderr, "bench_sakke: mkc_sakke_encapsulate wrote %zu octets\n", written);
        exit(1);
    }
    g_sink += 1u + ((uint32_t)sed[1] ^ sed[272]);
}

static void op_decapsulate(void) {
    uint8_t ssv[MKC_SAKKE_SSV_BYTES];
    size_t written = 0;
    must((uint32_t)mkc_sakke_decapsulate(g_receiver, g_sed, sizeof g_sed, ssv, sizeof ssv,
                                         &written),
         "mkc_sakke_decapsulate");
    g_sink ^= (uint32_t)ssv[0] ^ ssv[15];
    memset(ssv, 0, sizeof ssv);
}

static void op_public_new(void) {
    const mkc_sakke_public *pub = NULL;
    must((uint32_t)mkc_sakke_public_new(g_z_t, sizeof g_z_t, &pub), "mkc_sakke_public_new");
    g_sink ^= (uint32_t)(pub != NULL);
    mkc_sakke_public_free(pub);
}

static const struct bench_op OPS[] = {
    {"RSK issuance (kms_issue_sakke)", op_issue},
    {"RSK validation (receiver_new)", op_validate},
    {"RSK validation (with_public)", op_validate_with_public},
    {"encapsulate (sakke_encapsulate)", op_encapsulate},
    {"decapsulate (sakke_decapsulate)", op_decapsulate},
    {"Z_T import (sakke_public_new)", op_public_new},
};

static void setup(void) {
    uint8_t ssv[MKC_SAKKE_SSV_BYTES];
    size_t len = 0;
    must((uint32_t)mkc_kms_new_random(&g_kms), "mkc_kms_new_random");
    must((uint32_t)mkc_kms_z_t(g_kms, g_z_t, sizeof g_z_t, &len), "mkc_kms_z_t");
    must((uint32_t)mkc_kms_issue_sakke(g_kms, ID, ID_LEN, g_rsk, sizeof g_rsk),
         "mkc_kms_issue_sakke");
    must((uint32_t)mkc_sakke_public_new(g_z_t, sizeof g_z_t, &g_public), "mkc_sakke_public_new");
    must((uint32_t)mkc_sakke_receiver_new(g_z_t, sizeof g_z_t, ID, ID_LEN, g_rsk, sizeof g_rsk,
                                          &g_receiver),
         "mkc_sakke_receiver_new");
    must((uint32_t)mkc_random(g_ssv, sizeof g_ssv), "mkc_random");
    must((uint32_t)mkc_sakke_encapsulate(g_public, ID, ID_LEN, g_ssv, sizeof g_ssv, g_sed,
                                         sizeof g_sed, &len),
         "mkc_sakke_encapsulate");
    /* Warms the receiver up: its first decapsulation builds the table the others reuse. */
    must((uint32_t)mkc_sakke_decapsulate(g_receiver, g_sed, sizeof g_sed, ssv, sizeof ssv, &len),
         "mkc_sakke_decapsulate");
    if (memcmp(ssv, g_ssv, sizeof ssv) != 0) {
        fprintf(stderr, "bench_sakke: decapsulation did not give the SSV back\n");
        exit(1);
    }
    /* The benchmark must measure real decapsulation: a tampered SED has to fail. */
    g_sed[sizeof g_sed - 1] ^= 1;
    if (mkc_sakke_decapsulate(g_receiver, g_sed, sizeof g_sed, ssv, sizeof ssv, &len) !=
        MKC_RESULT_DECAPSULATION_FAILED) {
        fprintf(stderr, "bench_sakke: a tampered SED did not fail decapsulation\n");
        exit(1);
    }
    g_sed[sizeof g_sed - 1] ^= 1;
    memset(ssv, 0, sizeof ssv);
}

int main(int argc, char **argv) {
    double seconds;
    int rc = bench_start(argc, argv, &seconds);

    if (rc != 0) return rc;
    setup();
    bench_run("SAKKE", OPS, sizeof OPS / sizeof OPS[0], seconds);

    mkc_sakke_receiver_free(g_receiver);
    mkc_sakke_public_free(g_public);
    mkc_kms_free(g_kms);
    memset(g_rsk, 0, sizeof g_rsk);
    memset(g_ssv, 0, sizeof g_ssv);
    return 0;
}
