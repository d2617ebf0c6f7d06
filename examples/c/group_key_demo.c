/*
 * group_key_demo.c: group key distribution with MIKEY-SAKKE (RFC 6509, 3GPP TS 33.180 5.2 and
 * Annex E). A group management server (GMS) identity sends one Group Master Key (GMK) to the
 * group members alice and bob, each in an I_MESSAGE; both recover the same GMK and GMK-ID, and
 * protect group media with it through a real SRTP stack (libsrtp). Copy from here.
 *
 *   1. The GMS, alice and bob each get their keys from the KMS with the provisioning client,
 *      over HTTPS with libcurl (kms_session.c, shared with provisioning_demo.c).
 *   2. The GMS draws a GMK and its GMK-ID (mkc_mikey_new_key) and one RAND for the group
 *      (mkc_random), and builds one I_MESSAGE per member with that RAND
 *      (mkc_client_mikey_create_imessage_with_rand): signed with the GMS's SSK (ECCSI), the GMK
 *      encapsulated to the member's UID (SAKKE). alice's names both parties by URI; bob's hides
 *      them (UIDs only) and adds SAKKE-to-self, so the GMS's other devices can read it too. In
 *      SIP the message travels as SDP `a=key-mgmt:mikey <base64>` (mkc_mikey_to_sdp).
 *   3. Each member decodes the SDP (mkc_mikey_from_sdp) and processes the I_MESSAGE
 *      (mkc_client_mikey_process_imessage): T within the replay window, the signature, the
 *      decapsulation, the key identifiers. bob, who cannot read the hidden initiator, checks
 *      its UID against the URI he expects (mkc_client_uid). bob is refused alice's message.
 *   4. An account: GMK-ID, each member's GUK-ID (GMK-ID XOR a salt of the member's URI, TS
 *      33.180 F.1.3: it differs per member), initiator, key period, and whether alice and bob
 *      hold the same GMK.
 *   5. Group media (TS 33.180 7.4.2, AEAD_AES_128_GCM of RFC 7714): alice derives the SRTP
 *      master key, salt and MKI (GMK-ID || her GUK-ID) of her stream (mkc_srtp_mki,
 *      mkc_srtp_derive) and protects an RTP packet with libsrtp; bob takes the MKI from the
 *      packet, derives alice's master key from his GMK (mkc_srtp_derive) and unprotects it to
 *      the same payload; then bob answers the same way. A tampered packet is refused by libsrtp,
 *      a packet naming another GMK by mkc_srtp_derive (MKC_RESULT_UNKNOWN_MKI).
 *
 * A real member also keeps a replay cache: (T, RAND) of every message accepted within the
 * replay window (the mkc_mikey_key it gets holds both), and refuses a message seen before.
 *
 * Usage:  group_key_demo <KMS base URL> <CA file> <GMS token> <alice's token> <bob's token>
 * `make demo` starts the reference KMS (examples/reference-kms) through scripts/run-with-kms.sh
 * and runs this program against it.
 *
 * Build:  cc -std=c99 -Iinclude group_key_demo.c kms_session.c -Ltarget/release \
 *            -lmcptt_kmc -lcurl
 *            (with srtp_media.c and -lsrtp2 for step 5)
 * Exit status: 0 when every step worked, 1 otherwise.
 */
#include <mcptt_kmc.h>

#include "kms_session.h" /* the HTTPS provisioning loop (libcurl), shared with provisioning_demo.c */
#include "srtp_media.h"  /* one libsrtp stream keyed by mkc_srtp_derive (shared with test_srtp.c) */

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define GMS_URI "sip:gms@example.org"
#define ALICE_URI "sip:alice@example.org"
#define BOB_URI "sip:bob@example.org"

/* A receiver accepts a message whose time T lies within this many seconds of its own clock
 * (RFC 3830 5.4 leaves the value to the application). */
#define REPLAY_WINDOW_S 300u

/* An I_MESSAGE is under 1,000 octets; its SDP form ("mikey " and base64) under 1,400. */
#define MSG_CAP 1024
#define SDP_CAP 1400
/* The RAND of the GMK's I_MESSAGEs (RFC 3830: at least 16 octets; TS 33.180 uses 16). */
#define RAND_BYTES 16
/* An SRTP packet: RTP header, payload, tag and MKI, with libsrtp's margin. */
#define PACKET_CAP (SRTP_MEDIA_RTP_HEADER + 64 + SRTP_MAX_TRAILER_LEN)

/* One member's I_MESSAGE on the way: octets, SDP text (NUL-terminated here), and what the
 * member took from it. */
struct delivery {
    uint8_t msg[MSG_CAP];
    size_t msg_len;
    char sdp[SDP_CAP + 1];
    size_t sdp_len;
    mkc_mikey_key got; /* its `key` is secret */
};

static const uint8_t *u8(const char *s) { return (const uint8_t *)s; }

static void result_line(const char *what, int good) {
    printf("  %-64s %s\n", what, good ? "ok" : "FAILED");
}

/* Provisions every user for the current key period; 1 when all got both keys cleanly. */
static int provision(struct kms_session *kms, struct kms_user *users, size_t n, uint64_t now) {
    size_t i;
    for (i = 0; i < n; i++) {
        if (!kms_drive(kms, &users[i], now)) return 0;
        if (users[i].problems != 0 || users[i].ready == 0) {
            fprintf(stderr, "error: %s was not provisioned cleanly (see the events above)\n",
                    users[i].name);
            return 0;
        }
    }
    return 1;
}

/* The GMS builds the I_MESSAGE carrying `gmk` to `member_uri` and its SDP form. */
static int send_gmk(const struct kms_user *gms, const char *member_uri, uint64_t now,
                    const uint8_t *gmk, uint32_t gmk_id, const uint8_t *rand, uint32_t flags,
                    struct delivery *d) {
    mkc_result rc = mkc_client_mikey_create_imessage_with_rand(
        gms->client, u8(gms->uri), strlen(gms->uri), u8(member_uri), strlen(member_uri), now,
        MKC_MIKEY_KEY_KIND_GMK, gmk, MKC_MIKEY_KEY_BYTES, gmk_id, flags, rand, RAND_BYTES,
        d->msg, sizeof d->msg, &d->msg_len);
    if (!kms_ok(rc, "mkc_client_mikey_create_imessage_with_rand")) return 0;
    rc = mkc_mikey_to_sdp(d->msg, d->msg_len, d->sdp, SDP_CAP, &d->sdp_len);
    if (!kms_ok(rc, "mkc_mikey_to_sdp")) return 0;
    d->sdp[d->sdp_len] = '\0';
    return 1;
}

/* Prints the SDP attribute, shortened to its head and its length. */
static void print_sdp(const struct delivery *d) {
    printf("    a=key-mgmt:%.40s... (%zu characters)\n", d->sdp, d->sdp_len);
}

/* A member receives the SDP text, decodes it and processes the I_MESSAGE as `identity` at
 * Unix time `now`; `initiator_uri` is who the app believes sent it (NULL: not known). Returns
 * the library's result; on MKC_RESULT_OK the key is in `*got`. */
static mkc_result receive(struct kms_user *member, const char *identity, uint64_t now,
                          const char *initiator_uri, const struct delivery *d,
                          mkc_mikey_key *got) {
    uint8_t msg[MSG_CAP];
    size_t msg_len = 0;
    mkc_result rc = mkc_mikey_from_sdp(d->sdp, d->sdp_len, msg, sizeof msg, &msg_len);
    if (rc != MKC_RESULT_OK) return rc;
    return mkc_client_mikey_process_imessage(
        member->client, u8(identity), strlen(identity), now, REPLAY_WINDOW_S,
        initiator_uri ? u8(initiator_uri) : NULL, initiator_uri ? strlen(initiator_uri) : 0, msg,
        msg_len, got);
}

/* The SRTP master key, salt and MKI of `member`'s own stream in the group call: MKI =
 * GMK-ID || its GUK-ID, CSB ID = its GUK-ID, RAND of its I_MESSAGE, CS ID 4 (TS 33.180 7.4.2). */
static mkc_result own_stream(const mkc_mikey_key *member, mkc_srtp_master *out) {
    uint8_t mki[MKC_SRTP_MKI_MAX_BYTES];
    size_t mki_len = 0;
    mkc_result rc = mkc_srtp_mki(member->key_id, member->guk_id, mki, sizeof mki, &mki_len);
    if (rc != MKC_RESULT_OK) return rc;
    return mkc_srtp_derive(member->key, MKC_MIKEY_KEY_BYTES, member->key_id, member->rand,
                           member->rand_len, MKC_SRTP_CS_ID_MCPTT_GROUP, mki, mki_len, out);
}

/* `from` sends `text` in one SRTP packet to `to`, who finds the sender's key from the packet's
 * MKI (8 octets for a GMK) and its own GMK. 1 when `to` reads the same text; also shows that a
 * tampered copy is refused. */
static int group_media(const char *from_name, const mkc_mikey_key *from, const char *to_name,
                       const mkc_mikey_key *to, uint32_t ssrc, const char *text) {
    mkc_srtp_master tx_keys, rx_keys; /* secret */
    struct srtp_media tx = {NULL}, rx = {NULL};
    uint8_t packet[PACKET_CAP], tampered[PACKET_CAP];
    size_t packet_len = 0, n = 0;
    const uint8_t *mki, *payload = NULL;
    int ok = 0, same, refused;
    mkc_result rc;

    memset(&tx_keys, 0, sizeof tx_keys);
    memset(&rx_keys, 0, sizeof rx_keys);
    rc = own_stream(from, &tx_keys);
    if (!kms_ok(rc, "mkc_srtp_mki / mkc_srtp_derive (sender)")) goto done;
    if (!srtp_media_open(&tx, &tx_keys, 1) ||
        !srtp_media_protect(&tx, ssrc, 1, u8(text), strlen(text), packet, sizeof packet,
                            &packet_len)) {
        fprintf(stderr, "error: libsrtp could not protect %s's packet\n", from_name);
        goto done;
    }
    printf("  %s sends %zu octets of SRTP (payload %zu, tag 16, MKI %zu: ", from_name, packet_len,
           strlen(text), tx_keys.mki_len);
    kms_print_hex(tx_keys.mki, tx_keys.mki_len);
    printf(")\n");

    /* The receiver knows nothing but the packet and its own GMK, GMK-ID and RAND. */
    mki = srtp_media_mki(packet, packet_len, MKC_SRTP_MKI_MAX_BYTES);
    rc = mkc_srtp_derive(to->key, MKC_MIKEY_KEY_BYTES, to->key_id, to->rand, to->rand_len,
                         MKC_SRTP_CS_ID_MCPTT_GROUP, mki, MKC_SRTP_MKI_MAX_BYTES, &rx_keys);
    if (!kms_ok(rc, "mkc_srtp_derive (receiver, MKI of the packet)")) goto done;
    if (!srtp_media_open(&rx, &rx_keys, 0)) {
        fprintf(stderr, "error: libsrtp could not open %s's inbound stream\n", to_name);
        goto done;
    }
    memcpy(tampered, packet, packet_len);
    tampered[SRTP_MEDIA_RTP_HEADER] ^= 0x01; /* one bit of the ciphertext */
    refused = srtp_media_unprotect(&rx, tampered, packet_len, &payload, &n) ==
              srtp_err_status_auth_fail;
    same = srtp_media_unprotect(&rx, packet, packet_len, &payload, &n) == srtp_err_status_ok &&
           n == strlen(text) && memcmp(payload, text, n) == 0;
    printf("  %s reads \"%.*s\" with the key it derived from the MKI\n", to_name,
           same ? (int)n : 0, same ? (const char *)payload : "");
    same = same && memcmp(rx_keys.master_key, tx_keys.master_key, sizeof rx_keys.master_key) == 0 &&
           memcmp(rx_keys.master_salt, tx_keys.master_salt, sizeof rx_keys.master_salt) == 0;
    result_line("same master key and salt as the sender's, payload intact", same);
    result_line("a tampered packet is refused (srtp_err_status_auth_fail)", refused);
    ok = same && refused;
done:
    srtp_media_close(&tx);
    srtp_media_close(&rx);
    kms_wipe(&tx_keys, sizeof tx_keys);
    kms_wipe(&rx_keys, sizeof rx_keys);
    return ok;
}

/* One line of the account for a member's key. */
static void print_member(const char *name, const mkc_mikey_key *k, const char *initiator_note) {
    printf("  %-6s GUK-ID 0x%08" PRIx32 ", key period %" PRIu64 ", initiator ", name, k->guk_id,
           k->period);
    if (k->initiator_uri != NULL) printf("%.*s", (int)k->initiator_uri_len, k->initiator_uri);
    else printf("hidden");
    printf("%s\n", initiator_note);
}

int main(int argc, char **argv) {
    struct kms_session kms = KMS_SESSION_INIT;
    struct kms_user users[3] = {KMS_USER_INIT("gms", GMS_URI), KMS_USER_INIT("alice", ALICE_URI),
                                KMS_USER_INIT("bob", BOB_URI)};
    struct kms_user *gms = &users[0], *alice = &users[1], *bob = &users[2];
    static struct delivery to_alice, to_bob; /* `got` holds keys: wiped at the end */
    mkc_mikey_key own_copy;                  /* the GMS's other device; secret */
    mkc_mikey_key refused;
    uint8_t gmk[MKC_MIKEY_KEY_BYTES]; /* secret */
    uint8_t group_rand[RAND_BYTES];
    uint8_t foreign_mki[MKC_SRTP_MKI_MAX_BYTES];
    size_t foreign_mki_len = 0;
    mkc_srtp_master unused;
    uint8_t gms_uid[MKC_UID_BYTES];
    uint32_t gmk_id = 0;
    uint64_t now, received_at;
    char when[40];
    int success = 0, good, hidden_is_gms = 0, same_gmk;
    mkc_result rc;

    if (argc != 6) {
        fprintf(stderr,
                "usage: %s <KMS base URL> <CA file> <GMS token> <alice's token> <bob's token>\n",
                argv[0]);
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0); /* keeps the account and errors (stderr) in order */
    if (mkc_abi_version() != MKC_ABI_VERSION) {
        fprintf(stderr, "error: library ABI %u, header ABI %u\n", (unsigned)mkc_abi_version(),
                (unsigned)MKC_ABI_VERSION);
        return 1;
    }
    memset(&own_copy, 0, sizeof own_copy);
    memset(gmk, 0, sizeof gmk);
    if (!kms_session_open(&kms, argv[1], argv[2], stdout)) goto cleanup;

    now = (uint64_t)time(NULL);
    printf("mcptt-kmc %s: group key demo\n", mkc_version());
    printf("KMS %s (KmsUri %s), now %s\n", kms.kms_url, kms.kms_uri,
           kms_utc(now, when, sizeof when));
    printf("users: GMS = %s, alice = %s, bob = %s\n", gms->uri, alice->uri, bob->uri);

    /* 1. Every identity, the GMS's too, has its own keys from the KMS. */
    printf("\n1. Provisioning, current key period\n");
    if (!kms_user_start(&kms, gms, argv[3]) || !kms_user_start(&kms, alice, argv[4]) ||
        !kms_user_start(&kms, bob, argv[5]) || !provision(&kms, users, 3, now)) {
        goto cleanup;
    }

    /* 2. One GMK for the group, one I_MESSAGE per member. */
    printf("\n2. The GMS draws a GMK and sends it to alice and bob\n");
    if (!kms_ok(mkc_mikey_new_key(MKC_MIKEY_KEY_KIND_GMK, gmk, sizeof gmk, &gmk_id),
                "mkc_mikey_new_key") ||
        !kms_ok(mkc_random(group_rand, sizeof group_rand), "mkc_random")) {
        goto cleanup;
    }
    printf("  GMK-ID 0x%08" PRIx32 " (purpose tag %" PRIu32 ": GMK); the GMK: 16 random octets\n",
           gmk_id, gmk_id >> 28);
    printf("  one RAND for every member's I_MESSAGE (the group's SRTP keys depend on it)\n");
    if (!send_gmk(gms, alice->uri, now, gmk, gmk_id, group_rand, 0, &to_alice)) goto cleanup;
    printf("  to alice: I_MESSAGE of %zu octets, identities by URI\n", to_alice.msg_len);
    print_sdp(&to_alice);
    if (!send_gmk(gms, bob->uri, now, gmk, gmk_id, group_rand,
                  MKC_MIKEY_HIDE_IDENTITIES | MKC_MIKEY_SAKKE_TO_SELF, &to_bob)) {
        goto cleanup;
    }
    printf("  to bob:   I_MESSAGE of %zu octets, identities hidden (UIDs), SAKKE-to-self\n",
           to_bob.msg_len);
    print_sdp(&to_bob);

    /* 3. Each member takes the GMK from the SDP text it received, at its own clock. */
    printf("\n3. alice and bob process their I_MESSAGEs\n");
    received_at = (uint64_t)time(NULL);
    rc = receive(alice, alice->uri, received_at, NULL, &to_alice, &to_alice.got);
    good = rc == MKC_RESULT_OK && to_alice.got.kind == MKC_MIKEY_KEY_KIND_GMK;
    result_line("alice: signature of sip:gms@example.org verified, GMK decrypted", good);
    if (!kms_ok(rc, "alice: mkc_client_mikey_process_imessage") || !good) goto cleanup;

    /* bob's message names nobody: the library verifies the signature against the UID it
     * carries. bob checks that UID is the one of the GMS he expects, for the period of T
     * (with the URI known from SIP he could pass it instead, and the library would check). */
    rc = receive(bob, bob->uri, received_at, NULL, &to_bob, &to_bob.got);
    good = rc == MKC_RESULT_OK && to_bob.got.kind == MKC_MIKEY_KEY_KIND_GMK;
    result_line("bob: signature of the hidden initiator verified, GMK decrypted", good);
    if (!kms_ok(rc, "bob: mkc_client_mikey_process_imessage") || !good) goto cleanup;
    rc = mkc_client_uid(bob->client, u8(GMS_URI), strlen(GMS_URI), to_bob.got.time, gms_uid,
                        sizeof gms_uid);
    if (!kms_ok(rc, "mkc_client_uid")) goto cleanup;
    hidden_is_gms = memcmp(gms_uid, to_bob.got.initiator_uid, sizeof gms_uid) == 0;
    result_line("bob: the hidden initiator's UID is sip:gms@example.org's", hidden_is_gms);
    if (!hidden_is_gms) goto cleanup;

    /* SAKKE-to-self: the GMS identity on another device reads what it sent bob. */
    rc = receive(gms, gms->uri, received_at, NULL, &to_bob, &own_copy);
    good = rc == MKC_RESULT_OK && own_copy.via_sakke_to_self == 1 &&
           memcmp(own_copy.key, gmk, sizeof gmk) == 0;
    result_line("the GMS's other device reads bob's message (SAKKE-to-self)", good);
    if (!kms_ok(rc, "gms: mkc_client_mikey_process_imessage") || !good) goto cleanup;

    /* A message for alice is no use to bob: refused before any decryption. */
    rc = receive(bob, bob->uri, received_at, NULL, &to_alice, &refused);
    result_line("bob refuses alice's I_MESSAGE (MKC_RESULT_MIKEY_NOT_FOR_US)",
                rc == MKC_RESULT_MIKEY_NOT_FOR_US);
    if (rc != MKC_RESULT_MIKEY_NOT_FOR_US) {
        fprintf(stderr, "error: bob processing alice's message gave %s (code %u)\n",
                mkc_result_str(rc), (unsigned)rc);
        goto cleanup;
    }

    /* 4. What each member holds. The GUK-IDs differ (each member's own salt); the GMK-ID and
     *    the GMK are the group's. */
    printf("\n4. Account\n");
    printf("  GMK-ID 0x%08" PRIx32 " (alice: 0x%08" PRIx32 ", bob: 0x%08" PRIx32 ")\n", gmk_id,
           to_alice.got.key_id, to_bob.got.key_id);
    print_member("alice:", &to_alice.got, " (named in the message)");
    print_member("bob:", &to_bob.got, ", its UID is sip:gms@example.org's: yes");
    same_gmk = memcmp(to_alice.got.key, to_bob.got.key, MKC_MIKEY_KEY_BYTES) == 0 &&
               memcmp(to_alice.got.key, gmk, sizeof gmk) == 0 && to_alice.got.key_id == gmk_id &&
               to_bob.got.key_id == gmk_id;
    printf("  alice and bob hold the same GMK: %s\n", same_gmk ? "yes" : "no");
    if (!same_gmk) goto cleanup;

    /* 5. Group media through libsrtp: each member sends under its own GUK-ID; the other finds
     *    the key from the packet's MKI. */
    printf("\n5. Group media: SRTP with libsrtp, AEAD_AES_128_GCM, MKI = GMK-ID || GUK-ID\n");
    if (!srtp_media_init()) {
        fprintf(stderr, "error: srtp_init failed\n");
        goto cleanup;
    }
    good = group_media("alice", &to_alice.got, "bob", &to_bob.got, 0x416c6963u,
                       "alice to the group, over") &&
           group_media("bob", &to_bob.got, "alice", &to_alice.got, 0x426f6221u,
                       "bob to the group, copy");
    /* A packet of another group's GMK: its MKI names no key bob holds. */
    rc = mkc_srtp_mki(gmk_id ^ 1u, to_alice.got.guk_id ^ 1u, foreign_mki, sizeof foreign_mki,
                      &foreign_mki_len);
    if (rc == MKC_RESULT_OK) {
        rc = mkc_srtp_derive(to_bob.got.key, MKC_MIKEY_KEY_BYTES, to_bob.got.key_id,
                             to_bob.got.rand, to_bob.got.rand_len, MKC_SRTP_CS_ID_MCPTT_GROUP,
                             foreign_mki, foreign_mki_len, &unused);
    }
    result_line("an MKI of another GMK is refused (MKC_RESULT_UNKNOWN_MKI)",
                rc == MKC_RESULT_UNKNOWN_MKI);
    srtp_media_shutdown();
    if (!good || rc != MKC_RESULT_UNKNOWN_MKI) goto cleanup;

    success = 1;
    printf("\nAll steps succeeded.\n");

cleanup:
    kms_wipe(gmk, sizeof gmk);
    kms_wipe(&to_alice.got, sizeof to_alice.got);
    kms_wipe(&to_bob.got, sizeof to_bob.got);
    kms_wipe(&own_copy, sizeof own_copy);
    kms_user_free(bob); /* each erases its keys and access token */
    kms_user_free(alice);
    kms_user_free(gms);
    kms_session_close(&kms);
    if (!success) fprintf(stderr, "group key demo FAILED\n");
    return success ? 0 : 1;
}
