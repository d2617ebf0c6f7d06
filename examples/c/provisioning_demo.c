/*
 * provisioning_demo.c: two MCPTT users get their keys from a KMS (3GPP TS 33.180 Annex D) with
 * the mcptt-kmc provisioning client, then use them. Copy from here.
 *
 *   1. Each user makes a client (mkc_client_new) and gives it the OAuth bearer token it got
 *      from the identity management server (mkc_client_set_access_token). The client is
 *      sans-IO: the app polls it (mkc_client_poll_output), sends each request it asks for over
 *      HTTPS (here with libcurl), and feeds back the HTTP status and body
 *      (mkc_client_handle_response) or reports a transport failure (mkc_client_handle_failure):
 *      kms_drive() in kms_session.c, which this demo shares with group_key_demo.c.
 *      The client validates everything it receives (KMS certificate, UID, SSK/PVT, RSK) before
 *      storing it, and says what happened through events.
 *   2. Before a key period ends the client fetches the next one (prefetch): polling at
 *      "period end - prefetch" shows it.
 *   3. The key periods and the UIDs (TS 33.180 F.2.1) the keys are issued for.
 *   4. alice signs a message (ECCSI, RFC 6507) and sends a fresh 16-octet key (SSV) to bob
 *      (SAKKE, RFC 6508); bob verifies the signature and decapsulates the key.
 *   5. alice seals her key store (mkc_client_export) for her profile and restores it into a
 *      new client (mkc_client_import), which signs without asking the KMS again.
 *
 * Usage:  provisioning_demo <KMS base URL> <CA file> <alice's token> <bob's token>
 *   e.g.  provisioning_demo https://127.0.0.1:8443 ca.pem alice-token bob-token
 * `make demo` starts the reference KMS (examples/reference-kms) through scripts/run-with-kms.sh
 * and runs this program against it.
 *
 * Build:  cc -std=c99 -Iinclude provisioning_demo.c kms_session.c -Ltarget/release \
 *            -lmcptt_kmc -lcurl
 * Exit status: 0 when every step worked, 1 otherwise.
 */
#include <mcptt_kmc.h>

#include "kms_session.h" /* the HTTPS provisioning loop (libcurl), shared with group_key_demo.c */

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ALICE_URI "sip:alice@example.org"
#define BOB_URI "sip:bob@example.org"

/* Prints the number and bounds of the key period of Unix time `at`. */
static int print_period(const mkc_client *client, const char *label, uint64_t at) {
    uint64_t n = 0, start = 0, end = 0;
    char from[40], to[40];
    if (!kms_ok(mkc_client_key_period(client, at, &n, &start, &end), "mkc_client_key_period")) {
        return 0;
    }
    printf("  %s: period %" PRIu64 ", %s to %s\n", label, n, kms_utc(start, from, sizeof from),
           kms_utc(end, to, sizeof to));
    return 1;
}

/* Prints the UID (TS 33.180 F.2.1) of `uri` in the key period of `at`: the identifier its keys
 * of that period are issued for. */
static int print_uid(const mkc_client *client, const char *uri, uint64_t at) {
    uint8_t uid[MKC_UID_BYTES];
    if (!kms_ok(mkc_client_uid(client, (const uint8_t *)uri, strlen(uri), at, uid, sizeof uid),
            "mkc_client_uid")) {
        return 0;
    }
    printf("    UID of %-22s ", uri);
    kms_print_hex(uid, sizeof uid);
    printf("\n");
    return 1;
}

/* ------------------------------------------------------------------------------------------ */
/* The demo                                                                                   */
/* ------------------------------------------------------------------------------------------ */

static void result_line(const char *what, int good) {
    printf("  %-58s %s\n", what, good ? "ok" : "FAILED");
}

int main(int argc, char **argv) {
    static const char message[] = "alice to bob: the group key for talk group 7 follows";
    const char *kms_url, *ca_file;
    struct kms_session kms = KMS_SESSION_INIT;
    struct kms_user alice = KMS_USER_INIT("alice", ALICE_URI);
    struct kms_user bob = KMS_USER_INIT("bob", BOB_URI);
    mkc_client *restored = NULL;
    uint8_t sig[MKC_ECCSI_SIGNATURE_BYTES], sig2[MKC_ECCSI_SIGNATURE_BYTES];
    uint8_t sed[MKC_SAKKE_SED_BYTES];
    uint8_t ssv[MKC_SAKKE_SSV_BYTES], ssv_bob[MKC_SAKKE_SSV_BYTES]; /* secrets */
    uint8_t storage_key[32];                                         /* secret */
    uint8_t tampered[sizeof message];
    uint8_t *blob = NULL;
    size_t sig_len = 0, sig2_len = 0, sed_len = 0, ssv_bob_len = 0, blob_len = 0, blob_cap = 0;
    uint64_t now, end = 0, prefetch_at, next_at;
    char when[40];
    mkc_client_config defaults;
    int success = 0, good;
    mkc_result rc;

    if (argc != 5) {
        fprintf(stderr, "usage: %s <KMS base URL> <CA file> <alice's token> <bob's token>\n",
                argv[0]);
        return 2;
    }
    kms_url = argv[1];
    ca_file = argv[2];
    setvbuf(stdout, NULL, _IOLBF, 0); /* keeps the account and errors (stderr) in order */
    if (mkc_abi_version() != MKC_ABI_VERSION) {
        fprintf(stderr, "error: library ABI %u, header ABI %u\n", (unsigned)mkc_abi_version(),
                (unsigned)MKC_ABI_VERSION);
        return 1;
    }
    /* libcurl, one connection to the KMS; requests and events are printed on stdout. */
    if (!kms_session_open(&kms, kms_url, ca_file, stdout)) goto cleanup;

    now = (uint64_t)time(NULL);
    printf("mcptt-kmc %s: provisioning demo\n", mkc_version());
    printf("KMS %s (KmsUri %s), now %s\n", kms_url, kms.kms_uri,
           kms_utc(now, when, sizeof when));
    printf("users: alice = %s, bob = %s\n", alice.uri, bob.uri);

    /* One client per user, each with its bearer token. */
    if (!kms_user_start(&kms, &alice, argv[3]) || !kms_user_start(&kms, &bob, argv[4])) {
        goto cleanup;
    }

    /* 1. The current key period: init (the KMS certificate), then keyprov (the user's keys). */
    printf("\n1. Provisioning, current key period\n");
    if (!kms_drive(&kms, &alice, now) || !kms_drive(&kms, &bob, now)) goto cleanup;
    if (alice.problems != 0 || bob.problems != 0) {
        fprintf(stderr, "error: provisioning did not go cleanly (see the events above)\n");
        goto cleanup;
    }

    /* 2. The next key period: the client fetches it `prefetch_s` before this one ends. Polling
     *    at that time (instead of waiting weeks) shows it. */
    if (!kms_ok(mkc_client_key_period(alice.client, now, NULL, NULL, &end), "mkc_client_key_period") ||
        !kms_ok(mkc_client_config_init(&defaults), "mkc_client_config_init")) {
        goto cleanup;
    }
    prefetch_at = end - defaults.prefetch_s;
    if (prefetch_at < now) prefetch_at = now; /* already inside the prefetch window */
    next_at = end;                            /* the first second of the next period */
    printf("\n2. Provisioning, next key period (polling at %s = end - prefetch_s)\n",
           kms_utc(prefetch_at, when, sizeof when));
    if (!kms_drive(&kms, &alice, prefetch_at) || !kms_drive(&kms, &bob, prefetch_at)) {
        goto cleanup;
    }
    if (alice.problems != 0 || bob.problems != 0) {
        fprintf(stderr, "error: provisioning did not go cleanly (see the events above)\n");
        goto cleanup;
    }

    /* 3. What was provisioned: both periods, and the UID each key set is issued for. */
    printf("\n3. Key periods and UIDs\n");
    if (!print_period(alice.client, "current", now) || !print_uid(alice.client, alice.uri, now) ||
        !print_uid(alice.client, bob.uri, now) || !print_period(alice.client, "next", next_at) ||
        !print_uid(alice.client, alice.uri, next_at) ||
        !print_uid(alice.client, bob.uri, next_at)) {
        goto cleanup;
    }

    /* 4. alice signs and sends bob a fresh key; bob checks the signature and takes the key. */
    printf("\n4. alice signs a message and sends a fresh key (SSV) to bob\n");
    if (!kms_ok(mkc_random(ssv, sizeof ssv), "mkc_random")) goto cleanup;
    rc = mkc_client_sign(alice.client, (const uint8_t *)alice.uri, strlen(alice.uri), now,
                         (const uint8_t *)message, strlen(message), sig, sizeof sig, &sig_len);
    result_line("alice signs (ECCSI, 129 octets)", rc == MKC_RESULT_OK);
    if (!kms_ok(rc, "mkc_client_sign")) goto cleanup;
    rc = mkc_client_encapsulate(alice.client, (const uint8_t *)bob.uri, strlen(bob.uri), now, ssv,
                                sizeof ssv, sed, sizeof sed, &sed_len);
    result_line("alice encapsulates a random SSV to bob (SAKKE, 273 octets)", rc == MKC_RESULT_OK);
    if (!kms_ok(rc, "mkc_client_encapsulate")) goto cleanup;

    rc = mkc_client_verify(bob.client, (const uint8_t *)alice.uri, strlen(alice.uri), now,
                           (const uint8_t *)message, strlen(message), sig, sig_len);
    result_line("bob verifies alice's signature", rc == MKC_RESULT_OK);
    if (!kms_ok(rc, "mkc_client_verify")) goto cleanup;
    rc = mkc_client_decapsulate(bob.client, (const uint8_t *)bob.uri, strlen(bob.uri), now, sed,
                                sed_len, ssv_bob, sizeof ssv_bob, &ssv_bob_len);
    result_line("bob decapsulates the SSV", rc == MKC_RESULT_OK);
    if (!kms_ok(rc, "mkc_client_decapsulate")) goto cleanup;
    good = ssv_bob_len == sizeof ssv && memcmp(ssv, ssv_bob, sizeof ssv) == 0;
    result_line("bob's SSV equals alice's", good);
    if (!good) goto cleanup;

    /* A signature covers every octet: one flipped bit and it fails. */
    memcpy(tampered, message, sizeof message);
    tampered[0] ^= 0x01;
    rc = mkc_client_verify(bob.client, (const uint8_t *)alice.uri, strlen(alice.uri), now,
                           tampered, strlen(message), sig, sig_len);
    result_line("bob refuses a tampered message (MKC_RESULT_VERIFY_FAILED)",
                rc == MKC_RESULT_VERIFY_FAILED);
    if (rc != MKC_RESULT_VERIFY_FAILED) goto cleanup;

    /* The prefetched keys work in the next period. */
    rc = mkc_client_sign(alice.client, (const uint8_t *)alice.uri, strlen(alice.uri), next_at,
                         (const uint8_t *)message, strlen(message), sig2, sizeof sig2, &sig2_len);
    if (rc == MKC_RESULT_OK) {
        rc = mkc_client_verify(bob.client, (const uint8_t *)alice.uri, strlen(alice.uri),
                               next_at, (const uint8_t *)message, strlen(message), sig2,
                               sig2_len);
    }
    result_line("next period: alice signs, bob verifies", rc == MKC_RESULT_OK);
    if (!kms_ok(rc, "signing in the next period")) goto cleanup;

    /* 5. alice's key store: sealed under a 32-octet storage key (from the platform keystore in
     *    a real app) and restored into a new client, which needs no KMS to sign. */
    printf("\n5. alice's key store: export, import into a new client\n");
    if (!kms_ok(mkc_random(storage_key, sizeof storage_key), "mkc_random")) goto cleanup;
    rc = mkc_client_export(alice.client, storage_key, sizeof storage_key, NULL, 0, &blob_len);
    if (rc != MKC_RESULT_BUFFER_TOO_SMALL) { /* (NULL, 0) asks for the size */
        kms_ok(rc, "mkc_client_export (size)");
        goto cleanup;
    }
    blob_cap = blob_len;
    blob = (uint8_t *)malloc(blob_cap);
    if (blob == NULL) goto cleanup;
    rc = mkc_client_export(alice.client, storage_key, sizeof storage_key, blob, blob_cap,
                           &blob_len);
    printf("  exported %zu octets (AES-256-GCM, bound to %s)\n", blob_len, alice.uri);
    result_line("alice exports her key store", rc == MKC_RESULT_OK);
    if (!kms_ok(rc, "mkc_client_export")) goto cleanup;
    if (!kms_client_new(&kms, alice.uri, &restored)) goto cleanup;
    rc = mkc_client_import(restored, now, storage_key, sizeof storage_key, blob, blob_len, NULL);
    result_line("a new client imports it (everything validated again)", rc == MKC_RESULT_OK);
    if (!kms_ok(rc, "mkc_client_import")) goto cleanup;
    rc = mkc_client_sign(restored, (const uint8_t *)alice.uri, strlen(alice.uri), now,
                         (const uint8_t *)message, strlen(message), sig2, sizeof sig2, &sig2_len);
    if (rc == MKC_RESULT_OK) {
        rc = mkc_client_verify(bob.client, (const uint8_t *)alice.uri, strlen(alice.uri), now,
                               (const uint8_t *)message, strlen(message), sig2, sig2_len);
    }
    result_line("the restored client signs, bob verifies", rc == MKC_RESULT_OK);
    if (!kms_ok(rc, "signing with the restored client")) goto cleanup;

    success = 1;
    printf("\nAll steps succeeded.\n");

cleanup:
    kms_wipe(ssv, sizeof ssv);
    kms_wipe(ssv_bob, sizeof ssv_bob);
    kms_wipe(storage_key, sizeof storage_key);
    if (blob != NULL) kms_wipe(blob, blob_cap);
    free(blob);
    mkc_client_free(restored); /* each erases its keys and access token */
    kms_user_free(&bob);
    kms_user_free(&alice);
    kms_session_close(&kms);
    if (!success) fprintf(stderr, "provisioning demo FAILED\n");
    return success ? 0 : 1;
}
