/*
 * partner_demo.c: MIKEY-SAKKE between two KMS security domains (3GPP TS 33.180 5.2.7, D.2
 * `certcache`, D.3.4 `KmsCertCache`). alice is a user of kms.example.org, carol of the partner
 * domain partner.example.net; each is provisioned by her own KMS only, and each KMS hands out
 * the other's certificate in its certificate cache. Copy from here.
 *
 *   1. alice gets her keys from her home KMS, carol from the partner KMS (kms_session.c: one
 *      HTTPS session per KMS, each session's clients expecting that KMS's KmsUri). Each client
 *      asks its KMS for the certificate cache once it holds its own certificate, then daily
 *      (mkc_client_set_certcache_interval(client, 86400)): the other domain's certificate
 *      arrives as a PARTNER_CERTIFICATE_INSTALLED event, validated like the client's own.
 *   2. What each client holds per domain (mkc_client_partner_status): its own, the partner's,
 *      and one it never heard of.
 *   3. alice sends carol a fresh PCK in an I_MESSAGE (mkc_client_mikey_create_imessage_with_params
 *      with responder_kms_uri "partner.example.net": the message names carol's KMS in IDRkmsr
 *      and encapsulates the PCK under that domain's Z_T to carol's UID there). carol processes
 *      it (mkc_client_mikey_process_imessage): the signature is verified with the KPAK of the
 *      KMS its IDRkmsi names, alice's, which carol holds from her own KMS's cache.
 *   4. carol sends alice a PCK the other way (responder_kms_uri "kms.example.org").
 *   5. A refusal: an I_MESSAGE to a user of a domain whose certificate no KMS gave us
 *      (unknown.example.com) gives MKC_RESULT_MIKEY_UNKNOWN_KMS.
 *
 * The PCKs are never printed (only their PCK-IDs); both sides compare them with memcmp.
 *
 * Usage:  partner_demo <home KMS URL> <home CA file> <alice's token>
 *                      <partner KMS URL> <partner CA file> <carol's token>
 * `make demo` starts both reference KMS instances (examples/reference-kms) through
 * scripts/run-with-kms.sh --partner and runs this program against them.
 *
 * Build:  cc -std=c99 -Iinclude partner_demo.c kms_session.c -Ltarget/release \
 *            -lmcptt_kmc -lcurl
 * Exit status: 0 when every step worked, 1 otherwise.
 */
#include <mcptt_kmc.h>

#include "kms_session.h" /* the HTTPS provisioning loop (libcurl), shared with the other demos */

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define HOME_KMS_URI "kms.example.org"
#define PARTNER_KMS_URI "partner.example.net"
#define UNKNOWN_KMS_URI "unknown.example.com"
#define ALICE_URI "sip:alice@example.org"
#define CAROL_URI "sip:carol@partner.example.net"
#define DAVE_URI "sip:dave@unknown.example.com"

/* How often each client asks its KMS for the certificate cache: daily. */
#define CERTCACHE_INTERVAL_S 86400u
/* A receiver accepts a message whose time T lies within this many seconds of its own clock. */
#define REPLAY_WINDOW_S 300u
/* An I_MESSAGE is under 1,000 octets. */
#define MSG_CAP 1024

static const uint8_t *u8(const char *s) { return (const uint8_t *)s; }

static void result_line(const char *what, int good) {
    printf("  %-74s %s\n", what, good ? "ok" : "FAILED");
}

static const char *status_name(uint32_t status) {
    switch (status) {
    case MKC_PARTNER_STATUS_UNKNOWN: return "unknown";
    case MKC_PARTNER_STATUS_VALID: return "valid";
    case MKC_PARTNER_STATUS_REVOKED: return "revoked";
    default: return "?";
    }
}

/* Makes u's client at session s, asks for the certificate cache daily, and provisions it at
 * `now`: 1 when it got both keys and at least one partner certificate, without trouble. */
static int provision(struct kms_session *s, struct kms_user *u, const char *token, uint64_t now) {
    if (!kms_user_start(s, u, token) ||
        !kms_ok(mkc_client_set_certcache_interval(u->client, CERTCACHE_INTERVAL_S),
                "mkc_client_set_certcache_interval") ||
        !kms_drive(s, u, now)) {
        return 0;
    }
    if (u->problems != 0 || u->ready == 0 || u->partners_installed == 0) {
        fprintf(stderr,
                "error: %s was not provisioned cleanly (%u problems, %u key sets, %u partner "
                "certificates; see the events above)\n",
                u->name, u->problems, u->ready, u->partners_installed);
        return 0;
    }
    return 1;
}

/* Prints what u's client holds for `kms_uri` at `now`; 1 when it is `want`. */
static int show_status(const struct kms_user *u, const char *kms_uri, uint64_t now,
                       uint32_t want) {
    uint32_t status = 0;
    char what[100];
    if (!kms_ok(mkc_client_partner_status(u->client, u8(kms_uri), strlen(kms_uri), now, &status),
                "mkc_client_partner_status")) {
        return 0;
    }
    snprintf(what, sizeof what, "%s: %s is %s", u->name, kms_uri, status_name(status));
    result_line(what, status == want);
    return status == want;
}

/* `from` draws a PCK and sends it to `to_uri` of the KMS domain `to_kms_uri`: the key and its
 * PCK-ID into pck/pck_id, the I_MESSAGE into msg. Returns the library's result. */
static mkc_result send_pck(const struct kms_user *from, const char *to_uri,
                           const char *to_kms_uri, uint64_t now, uint8_t *pck, uint32_t *pck_id,
                           uint8_t *msg, size_t *msg_len) {
    mkc_result rc = mkc_mikey_new_key(MKC_MIKEY_KEY_KIND_PCK, pck, MKC_MIKEY_KEY_BYTES, pck_id);
    if (rc != MKC_RESULT_OK) return rc;
    return mkc_client_mikey_create_imessage_with_params(
        from->client, u8(from->uri), strlen(from->uri), u8(to_uri), strlen(to_uri),
        u8(to_kms_uri), strlen(to_kms_uri), now, MKC_MIKEY_KEY_KIND_PCK, pck, MKC_MIKEY_KEY_BYTES,
        *pck_id, 0, NULL, 0, /* 16 fresh random octets of RAND */
        NULL, NULL, 0,       /* no key parameters, no name */
        NULL, 0,             /* no group IDs */
        msg, MSG_CAP, msg_len);
}

/* One direction of the exchange: `from` sends a PCK to `to` (of domain `to_kms_uri`), `to`
 * processes the I_MESSAGE at its own clock and must hold the same PCK and PCK-ID. */
static int exchange(const struct kms_user *from, const struct kms_user *to,
                    const char *to_kms_uri, uint64_t now) {
    uint8_t pck[MKC_MIKEY_KEY_BYTES]; /* secret */
    uint8_t msg[MSG_CAP];
    mkc_mikey_key got; /* its `key` is secret */
    uint32_t pck_id = 0;
    size_t msg_len = 0;
    char what[100];
    int good = 0, same;
    mkc_result rc;

    memset(pck, 0, sizeof pck);
    memset(&got, 0, sizeof got);
    rc = send_pck(from, to->uri, to_kms_uri, now, pck, &pck_id, msg, &msg_len);
    snprintf(what, sizeof what, "%s: PCK to %s (IDRkmsr %s)", from->name, to->uri, to_kms_uri);
    result_line(what, rc == MKC_RESULT_OK);
    if (!kms_ok(rc, "mkc_client_mikey_create_imessage_with_params")) goto done;
    printf("    PCK-ID 0x%08" PRIx32 " (purpose tag %" PRIu32 ": PCK); I_MESSAGE of %zu octets\n",
           pck_id, pck_id >> 28, msg_len);

    rc = mkc_client_mikey_process_imessage(to->client, u8(to->uri), strlen(to->uri),
                                           (uint64_t)time(NULL), REPLAY_WINDOW_S, NULL, 0, msg,
                                           msg_len, &got);
    snprintf(what, sizeof what, "%s: signature of %s verified, PCK decrypted", to->name,
             from->uri);
    result_line(what, rc == MKC_RESULT_OK);
    if (!kms_ok(rc, "mkc_client_mikey_process_imessage")) goto done;
    printf("    PCK-ID 0x%08" PRIx32 ", %s's key period %" PRIu64 ", initiator %.*s\n",
           got.key_id, to->name, got.period, (int)got.initiator_uri_len,
           got.initiator_uri != NULL ? got.initiator_uri : "");
    same = got.kind == MKC_MIKEY_KEY_KIND_PCK && got.key_id == pck_id &&
           memcmp(got.key, pck, sizeof pck) == 0 && got.initiator_uri != NULL &&
           got.initiator_uri_len == strlen(from->uri) &&
           memcmp(got.initiator_uri, from->uri, got.initiator_uri_len) == 0;
    snprintf(what, sizeof what, "%s holds %s's PCK and PCK-ID", to->name, from->name);
    result_line(what, same);
    if (!same) {
        fprintf(stderr, "error: %s's PCK, PCK-ID or initiator differs from what %s sent\n",
                to->name, from->name);
        goto done;
    }
    good = 1;
done:
    kms_wipe(pck, sizeof pck);
    kms_wipe(&got, sizeof got);
    return good;
}

int main(int argc, char **argv) {
    struct kms_session home = KMS_SESSION_INIT, partner = KMS_SESSION_INIT;
    struct kms_user alice = KMS_USER_INIT("alice", ALICE_URI);
    struct kms_user carol = KMS_USER_INIT("carol", CAROL_URI);
    uint8_t pck[MKC_MIKEY_KEY_BYTES]; /* secret */
    uint8_t msg[MSG_CAP];
    uint32_t pck_id = 0;
    size_t msg_len = 0;
    uint64_t now;
    char when[40];
    int success = 0;
    mkc_result rc;

    if (argc != 7) {
        fprintf(stderr,
                "usage: %s <home KMS URL> <home CA file> <alice's token> <partner KMS URL> "
                "<partner CA file> <carol's token>\n",
                argv[0]);
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0); /* keeps the account and errors (stderr) in order */
    if (mkc_abi_version() != MKC_ABI_VERSION) {
        fprintf(stderr, "error: library ABI %u, header ABI %u\n", (unsigned)mkc_abi_version(),
                (unsigned)MKC_ABI_VERSION);
        return 1;
    }
    memset(pck, 0, sizeof pck);
    /* One HTTPS session per KMS; each session's clients expect that KMS's KmsUri. */
    if (!kms_session_open_domain(&home, argv[1], argv[2], HOME_KMS_URI, stdout) ||
        !kms_session_open_domain(&partner, argv[4], argv[5], PARTNER_KMS_URI, stdout)) {
        goto cleanup;
    }

    now = (uint64_t)time(NULL);
    printf("mcptt-kmc %s: partner-domain demo\n", mkc_version());
    printf("home KMS    %s (KmsUri %s): alice = %s\n", home.kms_url, home.kms_uri, alice.uri);
    printf("partner KMS %s (KmsUri %s): carol = %s\n", partner.kms_url, partner.kms_uri,
           carol.uri);
    printf("now %s\n", kms_utc(now, when, sizeof when));

    /* 1. Each at her own KMS: init, keyprov, then certcache (the other domain's certificate). */
    printf("\n1. Provisioning, each at her own KMS, and its certificate cache\n");
    if (!provision(&home, &alice, argv[3], now) || !provision(&partner, &carol, argv[6], now)) {
        goto cleanup;
    }

    /* 2. Both domains are valid for both; a third is unknown to either. */
    printf("\n2. What each client holds per KMS domain (mkc_client_partner_status)\n");
    if (!show_status(&alice, HOME_KMS_URI, now, MKC_PARTNER_STATUS_VALID) ||
        !show_status(&alice, PARTNER_KMS_URI, now, MKC_PARTNER_STATUS_VALID) ||
        !show_status(&alice, UNKNOWN_KMS_URI, now, MKC_PARTNER_STATUS_UNKNOWN) ||
        !show_status(&carol, PARTNER_KMS_URI, now, MKC_PARTNER_STATUS_VALID) ||
        !show_status(&carol, HOME_KMS_URI, now, MKC_PARTNER_STATUS_VALID) ||
        !show_status(&carol, UNKNOWN_KMS_URI, now, MKC_PARTNER_STATUS_UNKNOWN)) {
        goto cleanup;
    }

    /* 3. and 4. A PCK each way across the domains. */
    printf("\n3. alice (%s) sends carol (%s) a PCK\n", HOME_KMS_URI, PARTNER_KMS_URI);
    if (!exchange(&alice, &carol, PARTNER_KMS_URI, now)) goto cleanup;
    printf("\n4. carol (%s) sends alice (%s) a PCK\n", PARTNER_KMS_URI, HOME_KMS_URI);
    if (!exchange(&carol, &alice, HOME_KMS_URI, (uint64_t)time(NULL))) goto cleanup;

    /* 5. No KMS gave alice a certificate of unknown.example.com: she cannot send there. */
    printf("\n5. A domain no KMS vouches for\n");
    rc = send_pck(&alice, DAVE_URI, UNKNOWN_KMS_URI, now, pck, &pck_id, msg, &msg_len);
    result_line("alice: a PCK to " DAVE_URI " is refused (UNKNOWN_KMS)",
                rc == MKC_RESULT_MIKEY_UNKNOWN_KMS);
    if (rc != MKC_RESULT_MIKEY_UNKNOWN_KMS) {
        fprintf(stderr, "error: an I_MESSAGE to %s gave %s (%s, code %u)\n", UNKNOWN_KMS_URI,
                kms_result_name(rc), mkc_result_str(rc), (unsigned)rc);
        goto cleanup;
    }

    success = 1;
    printf("\nAll steps succeeded.\n");

cleanup:
    kms_wipe(pck, sizeof pck);
    kms_user_free(&carol); /* each erases its keys, partner certificates and access token */
    kms_user_free(&alice);
    kms_session_close(&partner);
    kms_session_close(&home);
    if (!success) fprintf(stderr, "partner demo FAILED\n");
    return success ? 0 : 1;
}
