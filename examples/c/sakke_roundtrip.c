/*
 * sakke_roundtrip.c: sending a group key with SAKKE (RFC 6508) and ECCSI (RFC 6507) through the
 * mcptt-kmc C API, the way a group management server sends a GMK to a member. Copy from here.
 *
 *   1. The KMS publishes Z_T and KPAK, and issues the member's RSK and the server's SSK/PVT.
 *   2. The member builds a receiver: the library validates the RSK against Z_T and the
 *      member's identifier (RFC 6508 6.1.2).
 *   3. The server encapsulates a fresh 16-octet GMK (the SSV) to the member's identifier and
 *      signs the encapsulated data (SED) with its SSK.
 *   4. The member verifies the signature and decapsulates the SED; both sides now hold the GMK.
 *
 * In a real deployment the SED and signature travel inside a MIKEY-SAKKE I_MESSAGE and the
 * identifiers are TS 33.180 UIDs; here plain URIs stand in for them.
 *
 * Build:  cc -std=c99 -Iinclude sakke_roundtrip.c -Ltarget/release -lmcptt_kmc
 * Run:    LD_LIBRARY_PATH=target/release ./a.out      (or `make demo`)
 * Exit status: 0 when every step worked, 1 otherwise.
 */
#include <mcptt_kmc.h>

#include <stdint.h>
#include <stdio.h>
#include <string.h>

static void print_hex(const char *label, const uint8_t *buf, size_t len) {
    size_t i;
    printf("%-12s", label);
    for (i = 0; i < len; i++) printf("%02x", buf[i]);
    printf("\n");
}

/* Returns 1 on MKC_RESULT_OK; otherwise prints why and returns 0. */
static int ok(mkc_result rc, const char *what) {
    if (rc == MKC_RESULT_OK) return 1;
    fprintf(stderr, "error: %s failed: %s (code %u)\n", what, mkc_result_str(rc), (unsigned)rc);
    return 0;
}

/* Overwrites a secret through a volatile pointer, so the stores are not optimized away. */
static void wipe(void *buf, size_t len) {
    volatile uint8_t *p = (volatile uint8_t *)buf;
    while (len--) *p++ = 0;
}

int main(void) {
    static const char member[] = "sip:bob@mcptt.example.org";
    static const char server[] = "sip:gms@mcptt.example.org";
    const size_t member_len = strlen(member), server_len = strlen(server);

    const mkc_kms *kms = NULL;
    const mkc_sakke_public *sender = NULL;
    const mkc_sakke_receiver *receiver = NULL;
    const mkc_eccsi_signer *signer = NULL;
    const mkc_eccsi_public *verifier = NULL;

    uint8_t z_t[MKC_SAKKE_Z_T_BYTES], kpak[MKC_ECCSI_KPAK_BYTES];
    uint8_t rsk[MKC_SAKKE_RSK_BYTES];                      /* secret: the member's */
    uint8_t ssk[MKC_ECCSI_SSK_BYTES], pvt[MKC_ECCSI_PVT_BYTES]; /* SSK secret: the server's */
    uint8_t gmk[MKC_SAKKE_SSV_BYTES], received[MKC_SAKKE_SSV_BYTES]; /* secrets */
    uint8_t sed[MKC_SAKKE_SED_BYTES], signature[MKC_ECCSI_SIGNATURE_BYTES];
    size_t len = 0, sed_len = 0, sig_len = 0, received_len = 0;
    mkc_result rc;
    int success = 0;

    if (mkc_abi_version() != MKC_ABI_VERSION) {
        fprintf(stderr, "error: library ABI %u, header ABI %u\n", (unsigned)mkc_abi_version(),
                (unsigned)MKC_ABI_VERSION);
        return 1;
    }
    printf("mcptt-kmc %s, SAKKE (RFC 6508, parameter set 1) with ECCSI signatures\n",
           mkc_version());

    /* 1. KMS: master secrets, public keys, and the two users' key material. */
    if (!ok(mkc_kms_new_random(&kms), "mkc_kms_new_random")) goto cleanup;
    if (!ok(mkc_kms_z_t(kms, z_t, sizeof z_t, &len), "mkc_kms_z_t")) goto cleanup;
    if (!ok(mkc_kms_kpak(kms, kpak, sizeof kpak, &len), "mkc_kms_kpak")) goto cleanup;
    if (!ok(mkc_kms_issue_sakke(kms, (const uint8_t *)member, member_len, rsk, sizeof rsk),
            "mkc_kms_issue_sakke")) {
        goto cleanup;
    }
    if (!ok(mkc_kms_issue_eccsi(kms, (const uint8_t *)server, server_len, ssk, sizeof ssk, pvt,
                                sizeof pvt),
            "mkc_kms_issue_eccsi")) {
        goto cleanup;
    }
    print_hex("Z_T", z_t, 16);
    printf("%-12s(257 octets; first 16 shown)\n", "");

    /* 2. Member: validate the RSK once and keep the handle for the key period. */
    rc = mkc_sakke_receiver_new(z_t, sizeof z_t, (const uint8_t *)member, member_len, rsk,
                                sizeof rsk, &receiver);
    wipe(rsk, sizeof rsk);
    if (!ok(rc, "mkc_sakke_receiver_new")) goto cleanup;
    printf("member      RSK validated for %s\n", member);

    /* 3. Server: a fresh GMK, encapsulated to the member and signed. */
    rc = mkc_eccsi_signer_new(kpak, sizeof kpak, (const uint8_t *)server, server_len, ssk,
                              sizeof ssk, pvt, sizeof pvt, &signer);
    wipe(ssk, sizeof ssk);
    if (!ok(rc, "mkc_eccsi_signer_new")) goto cleanup;
    if (!ok(mkc_sakke_public_new(z_t, sizeof z_t, &sender), "mkc_sakke_public_new")) goto cleanup;
    if (!ok(mkc_random(gmk, sizeof gmk), "mkc_random")) goto cleanup;
    if (!ok(mkc_sakke_encapsulate(sender, (const uint8_t *)member, member_len, gmk, sizeof gmk,
                                  sed, sizeof sed, &sed_len),
            "mkc_sakke_encapsulate")) {
        goto cleanup;
    }
    if (!ok(mkc_eccsi_sign(signer, sed, sed_len, signature, sizeof signature, &sig_len),
            "mkc_eccsi_sign")) {
        goto cleanup;
    }
    print_hex("SED", sed, 16);
    printf("%-12s(R || H, %u octets; first 16 shown), signed by %s\n", "", (unsigned)sed_len,
           server);

    /* 4. Member: check who sent it, then recover the GMK. */
    if (!ok(mkc_eccsi_public_new(kpak, sizeof kpak, &verifier), "mkc_eccsi_public_new")) {
        goto cleanup;
    }
    if (!ok(mkc_eccsi_verify(verifier, (const uint8_t *)server, server_len, sed, sed_len,
                             signature, sig_len),
            "mkc_eccsi_verify")) {
        goto cleanup;
    }
    if (!ok(mkc_sakke_decapsulate(receiver, sed, sed_len, received, sizeof received,
                                  &received_len),
            "mkc_sakke_decapsulate")) {
        goto cleanup;
    }
    if (received_len != sizeof gmk || memcmp(received, gmk, sizeof gmk) != 0) {
        fprintf(stderr, "error: the member recovered a different GMK\n");
        goto cleanup;
    }
    printf("member      signature valid; GMK recovered (16 octets, equal to the server's)\n");

    /* A SED altered in transit fails, and nothing is written. */
    sed[sed_len - 1] ^= 0x01;
    rc = mkc_sakke_decapsulate(receiver, sed, sed_len, received, sizeof received, &received_len);
    if (rc != MKC_RESULT_DECAPSULATION_FAILED) {
        fprintf(stderr, "error: altered SED gave %s\n", mkc_result_str(rc));
        goto cleanup;
    }
    printf("member      altered SED: rejected (%s)\n", mkc_result_str(rc));
    success = 1;

cleanup:
    mkc_eccsi_public_free(verifier);
    mkc_eccsi_signer_free(signer);
    mkc_sakke_receiver_free(receiver);
    mkc_sakke_public_free(sender);
    mkc_kms_free(kms);
    wipe(gmk, sizeof gmk);
    wipe(received, sizeof received);
    wipe(rsk, sizeof rsk);
    wipe(ssk, sizeof ssk);
    printf("%s\n", success ? "ok" : "FAILED");
    return success ? 0 : 1;
}
