/*
 * eccsi_sign_verify.c: ECCSI (RFC 6507) signing and verification with the mcptt-kmc C API,
 * end to end. Copy from here.
 *
 *   1. A KMS (Key Management Server) makes its master secrets and publishes its KPAK.
 *   2. The KMS issues a Secret Signing Key (SSK) and Public Validation Token (PVT) for a user's
 *      identifier.
 *   3. The user builds a signer from KPAK, identifier, SSK and PVT (the library validates them
 *      together, RFC 6507 5.1.2), then wipes its own copy of the SSK.
 *   4. Anyone with the KPAK builds a verifier and checks signatures for that identifier.
 *
 * In a real handset steps 1 and 2 happen at the KMS and the SSK/PVT arrive over the provisioning
 * interface; here one program plays both parts.
 *
 * Build:  cc -std=c99 -Iinclude eccsi_sign_verify.c -Ltarget/release -lmcptt_kmc
 * Run:    LD_LIBRARY_PATH=target/release ./a.out      (or simply `make demo`)
 * Exit status: 0 when every step worked, 1 otherwise.
 */
#include <mcptt_kmc.h>

#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Prints `label` and `len` octets as lowercase hex. */
static void print_hex(const char *label, const uint8_t *buf, size_t len) {
    size_t i;
    printf("%-12s", label);
    for (i = 0; i < len; i++) printf("%02x", buf[i]);
    printf("\n");
}

/* Every fallible call returns an mkc_result; MKC_RESULT_OK (0) is success and mkc_result_str()
 * turns any code into a readable message. Returns 1 on success, 0 (after printing why) otherwise. */
static int ok(mkc_result rc, const char *what) {
    if (rc == MKC_RESULT_OK) return 1;
    fprintf(stderr, "error: %s failed: %s (code %u)\n", what, mkc_result_str(rc), (unsigned)rc);
    return 0;
}

/* Overwrites a secret. Writing through a volatile pointer keeps the compiler from dropping the
 * stores as "dead" (a plain memset before the buffer goes out of scope may be removed). */
static void wipe(void *buf, size_t len) {
    volatile uint8_t *p = (volatile uint8_t *)buf;
    while (len--) *p++ = 0;
}

int main(void) {
    /* The user's identifier: any octet string (NUL octets allowed), passed as (pointer, length).
     * Under 3GPP TS 33.180 it is the 32-octet UID the KMS derives from the MCPTT ID, the KMS URI
     * and the key period (Annex F); this example uses the MCPTT ID URI itself. */
    static const char identifier[] = "sip:alice@mcptt.example.org";
    static const char message[] = "MCPTT group 42: floor granted to alice";
    const size_t id_len = strlen(identifier);
    const size_t msg_len = strlen(message);

    /* Handles start NULL so that the cleanup at the end can free them unconditionally: every
     * mkc_*_free accepts NULL, and a failed mkc_*_new leaves its out-pointer unchanged. */
    const mkc_kms *kms = NULL;
    const mkc_eccsi_signer *signer = NULL;
    const mkc_eccsi_public *verifier = NULL;

    /* Sizes are fixed: use the macros for buffers. */
    uint8_t kpak[MKC_ECCSI_KPAK_BYTES];
    uint8_t ssk[MKC_ECCSI_SSK_BYTES]; /* secret: never print it, wipe it after use */
    uint8_t pvt[MKC_ECCSI_PVT_BYTES];
    uint8_t signature[MKC_ECCSI_SIGNATURE_BYTES];
    uint8_t tampered[sizeof message];
    size_t kpak_len = 0, sig_len = 0;
    mkc_result rc;
    int success = 0;

    /* A program compiled against this header must not run with a library of another ABI. */
    if (mkc_abi_version() != MKC_ABI_VERSION) {
        fprintf(stderr, "error: library ABI %u, header ABI %u\n", (unsigned)mkc_abi_version(),
                (unsigned)MKC_ABI_VERSION);
        return 1;
    }
    printf("mcptt-kmc %s, ECCSI (RFC 6507) on P-256\n", mkc_version());
    printf("%-12s%s\n", "identifier", identifier);
    printf("%-12s%s\n", "message", message);

    /* 1. KMS side: fresh master secrets (KSAK for ECCSI, z for SAKKE) from the OS RNG. Use
     *    mkc_kms_new_from_secrets() to load existing ones. The KPAK is the public key every
     *    verifier needs. */
    if (!ok(mkc_kms_new_random(&kms), "mkc_kms_new_random")) goto cleanup;
    if (!ok(mkc_kms_kpak(kms, kpak, sizeof kpak, &kpak_len), "mkc_kms_kpak")) goto cleanup;
    print_hex("KPAK", kpak, kpak_len);

    /* 2. KMS side: issue SSK and PVT for the identifier (a fresh random v each time). */
    if (!ok(mkc_kms_issue_eccsi(kms, (const uint8_t *)identifier, id_len, ssk, sizeof ssk, pvt,
                                sizeof pvt),
            "mkc_kms_issue_eccsi")) {
        goto cleanup;
    }
    print_hex("PVT", pvt, sizeof pvt);

    /* 3. User side: build the signer. The library checks [SSK]G = KPAK + [HS]PVT, so a wrong or
     *    corrupted SSK/PVT is refused here (MKC_RESULT_INVALID_KEY), not at signing time. The SSK
     *    is copied into the handle: wipe our copy right away, whatever the result. */
    rc = mkc_eccsi_signer_new(kpak, kpak_len, (const uint8_t *)identifier, id_len, ssk,
                              sizeof ssk, pvt, sizeof pvt, &signer);
    wipe(ssk, sizeof ssk);
    if (!ok(rc, "mkc_eccsi_signer_new")) goto cleanup;

    /* 4. Verifier side: needs only the KPAK (validated here); reuse the handle for many
     *    signatures and identifiers. */
    if (!ok(mkc_eccsi_public_new(kpak, kpak_len, &verifier), "mkc_eccsi_public_new")) {
        goto cleanup;
    }

    /* Sign. The signature is r (32) || s (32) || PVT (65) = 129 octets; a smaller buffer gives
     * MKC_RESULT_BUFFER_TOO_SMALL with the needed size in sig_len. */
    if (!ok(mkc_eccsi_sign(signer, (const uint8_t *)message, msg_len, signature,
                           sizeof signature, &sig_len),
            "mkc_eccsi_sign")) {
        goto cleanup;
    }
    print_hex("signature", signature, sig_len);

    /* Verify: MKC_RESULT_OK means valid; anything else means do not trust the message. */
    if (!ok(mkc_eccsi_verify(verifier, (const uint8_t *)identifier, id_len,
                             (const uint8_t *)message, msg_len, signature, sig_len),
            "mkc_eccsi_verify")) {
        goto cleanup;
    }
    printf("verify      original message: valid\n");

    /* A tampered message must fail with MKC_RESULT_VERIFY_FAILED. */
    memcpy(tampered, message, msg_len);
    tampered[msg_len - 1] ^= 0x01; /* "alice" becomes "alicd" */
    rc = mkc_eccsi_verify(verifier, (const uint8_t *)identifier, id_len, tampered, msg_len,
                          signature, sig_len);
    if (rc != MKC_RESULT_VERIFY_FAILED) {
        fprintf(stderr, "error: tampered message gave %s (code %u), expected a failed check\n",
                mkc_result_str(rc), (unsigned)rc);
        goto cleanup;
    }
    printf("verify      tampered message: rejected (%s)\n", mkc_result_str(rc));
    success = 1;

cleanup:
    /* Free every handle (NULL is fine); the signer and KMS handles zeroize their secrets. */
    mkc_eccsi_public_free(verifier);
    mkc_eccsi_signer_free(signer);
    mkc_kms_free(kms);
    wipe(ssk, sizeof ssk);
    printf("%s\n", success ? "ok" : "FAILED");
    return success ? 0 : 1;
}
