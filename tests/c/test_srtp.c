/*
 * test_srtp.c: SRTP keys of a private call (TS 33.180 7.4.1) through the shared library and a
 * real SRTP stack (libsrtp, AEAD_AES_128_GCM of RFC 7714). alice and bob are provisioned from
 * the reference KMS over HTTPS (examples/c/kms_session.c); alice sends bob a PCK in an
 * I_MESSAGE with a RAND she chose; then media flows both ways: alice's stream under CS ID 0,
 * bob's under CS ID 1, both with MKI = PCK-ID. Each receiver derives the sender's master key
 * from the MKI of the packet (mkc_srtp_derive) and libsrtp unprotects to the same payload; a
 * tampered packet, the other direction's CS ID and an MKI of another PCK are refused. Also the
 * MIKEY KDF export (mkc_mikey_derive_key) against a published vector, and its refusals; and
 * bob's key ring (mkc_client_srtp_for_mki, activation, expiry, erasure); and key parameters
 * (TS 33.180 E.6) sent with a GMK: times honoured by the key ring, a revoked key refused; a
 * GMK alice distributed is neither replaced nor revoked by another initiator.
 *
 * Run through scripts/run-with-kms.sh (KMS_URL, KMS_CA, KMS_TOKEN_ALICE, KMS_TOKEN_BOB).
 */
#include "check.h"

#include "kms_session.h"
#include "srtp_media.h"

#include <time.h>

#define ALICE "sip:alice@example.org"
#define BOB "sip:bob@example.org"
#define WINDOW 300u
#define MSG_CAP 1024
#define RAND_BYTES 16
#define PACKET_CAP (SRTP_MEDIA_RTP_HEADER + 64 + SRTP_MAX_TRAILER_LEN)

static struct kms_session g_kms;
static struct kms_user g_alice = KMS_USER_INIT("alice", ALICE);
static struct kms_user g_bob = KMS_USER_INIT("bob", BOB);

static const uint8_t *u8(const char *s) { return (const uint8_t *)s; }

static int provision(struct kms_user *u, const char *token, uint64_t now) {
    int made = kms_user_start(&g_kms, u, token);
    CHECK(made, "client made, token set");
    if (!made) return 0;
    CHECK(kms_drive(&g_kms, u, now), "kms_drive settles");
    CHECK(u->problems == 0 && u->ready >= 1, "provisioned cleanly");
    return u->problems == 0 && u->ready >= 1;
}

/* The MIKEY KDF export: Streamwide's published vector (sw_mikey_sakke test_key_deriv.cc,
 * also checked against Python's hmac in tests/mikey_kdf.rs) and the refusals. */
static void test_kdf(void) {
    static uint8_t big[MKC_MIKEY_KDF_MAX_OUT_LEN + 1];
    uint8_t tgk[16], rand[16], out[28], expected[28], refused[16];
    set_ctx("mkc_mikey_derive_key", "");
    unhex("A27B7D578EEB9B1EE7705E385996D300", tgk, sizeof tgk);
    unhex("4339F62F55AAC86348846A482C893802", rand, sizeof rand);
    unhex("59AAA49EBB54813602B7CC165961B4E8745EB4DF7D155C473114A799", expected, sizeof expected);
    CHECK_RC(mkc_mikey_derive_key(tgk, sizeof tgk, 0x0633F457u, 4, rand, sizeof rand,
                                  MKC_MIKEY_KDF_TEK, out, 16),
             MKC_RESULT_OK, "master key");
    CHECK_RC(mkc_mikey_derive_key(tgk, sizeof tgk, 0x0633F457u, 4, rand, sizeof rand,
                                  MKC_MIKEY_KDF_SALT, out + 16, 12),
             MKC_RESULT_OK, "master salt");
    CHECK(memcmp(out, expected, sizeof out) == 0, "equals the published vector");

    /* A refusal after the output checks zeroes the output (the header's rule 4). */
    memset(refused, CANARY, sizeof refused);
    CHECK_RC(mkc_mikey_derive_key(tgk, 0, 1, 0, rand, sizeof rand, MKC_MIKEY_KDF_TEK, refused,
                                  16),
             MKC_RESULT_INVALID_LENGTH, "empty TGK");
    CHECK(all_equal(refused, sizeof refused, 0), "output zeroed");
    memset(refused, CANARY, sizeof refused);
    CHECK_RC(mkc_mikey_derive_key(tgk, sizeof tgk, 1, 0, rand, 0, MKC_MIKEY_KDF_TEK, refused,
                                  16),
             MKC_RESULT_INVALID_LENGTH, "empty RAND");
    CHECK(all_equal(refused, sizeof refused, 0), "output zeroed");
    memset(big, CANARY, sizeof big);
    CHECK_RC(mkc_mikey_derive_key(tgk, sizeof tgk, 1, 0, rand, sizeof rand, MKC_MIKEY_KDF_TEK,
                                  big, sizeof big),
             MKC_RESULT_INVALID_LENGTH, "output over the limit");
    CHECK(all_equal(big, sizeof big, 0), "output zeroed");
    memset(refused, CANARY, sizeof refused);
    CHECK_RC(mkc_mikey_derive_key(NULL, sizeof tgk, 1, 0, rand, sizeof rand, MKC_MIKEY_KDF_TEK,
                                  refused, 16),
             MKC_RESULT_NULL_PARAMETER, "NULL TGK");
    CHECK(all_equal(refused, sizeof refused, 0), "output zeroed");
}

/* Whether two derivations agree (field by field: the struct has padding). */
static int same_master(const mkc_srtp_master *a, const mkc_srtp_master *b) {
    return memcmp(a->master_key, b->master_key, sizeof a->master_key) == 0 &&
           memcmp(a->master_salt, b->master_salt, sizeof a->master_salt) == 0 &&
           a->mki_len == b->mki_len && memcmp(a->mki, b->mki, a->mki_len) == 0;
}

/* `sender` protects `text` under `tx`; the receiver derives the key for the packet's MKI from
 * (key, key_id, rand) with `rx_cs_id` and unprotects. Returns 1 when the payload came through;
 * *rx_keys gets the receiver's derivation. */
static int one_packet(const mkc_srtp_master *tx, const uint8_t *key, uint32_t key_id,
                      const uint8_t *rand, size_t rand_len, uint8_t rx_cs_id, const char *text,
                      mkc_srtp_master *rx_keys, srtp_err_status_t *tampered_status) {
    struct srtp_media out = {NULL}, in = {NULL};
    uint8_t packet[PACKET_CAP], tampered[PACKET_CAP];
    size_t packet_len = 0, n = 0;
    const uint8_t *payload = NULL, *mki;
    int ok = 0;
    *tampered_status = srtp_err_status_ok;
    if (!srtp_media_open(&out, tx, 1) ||
        !srtp_media_protect(&out, 0x50434b21u, 7, u8(text), strlen(text), packet, sizeof packet,
                            &packet_len)) {
        CHECK(0, "libsrtp protects");
        goto done;
    }
    CHECK_SIZE(packet_len, SRTP_MEDIA_RTP_HEADER + strlen(text) + 16 + 4,
               "header + payload + 16-octet tag + 4-octet MKI");
    mki = srtp_media_mki(packet, packet_len, 4);
    CHECK(mki != NULL && memcmp(mki, tx->mki, 4) == 0, "the packet ends with the MKI");
    CHECK_RC(mkc_srtp_derive(key, MKC_MIKEY_KEY_BYTES, key_id, rand, rand_len, rx_cs_id, mki, 4,
                             rx_keys),
             MKC_RESULT_OK, "receiver derives from the packet's MKI");
    if (!srtp_media_open(&in, rx_keys, 0)) {
        CHECK(0, "libsrtp opens the inbound stream");
        goto done;
    }
    memcpy(tampered, packet, packet_len);
    tampered[packet_len - 4 - 1] ^= 0x80; /* the last octet of the tag */
    *tampered_status = srtp_media_unprotect(&in, tampered, packet_len, &payload, &n);
    ok = srtp_media_unprotect(&in, packet, packet_len, &payload, &n) == srtp_err_status_ok &&
         n == strlen(text) && memcmp(payload, text, n) == 0;
done:
    srtp_media_close(&out);
    srtp_media_close(&in);
    return ok;
}

static void test_private_call(uint64_t now) {
    uint8_t pck[MKC_MIKEY_KEY_BYTES], rand[RAND_BYTES], msg[MSG_CAP];
    uint8_t mki[MKC_SRTP_MKI_MAX_BYTES], other_mki[MKC_SRTP_MKI_MAX_BYTES];
    size_t msg_len = 0, mki_len = 0, other_len = 0;
    uint32_t pck_id = 0;
    mkc_mikey_key got;
    mkc_srtp_master alice_tx, bob_tx, rx, canary;
    srtp_err_status_t tampered;
    int ok;

    memset(&got, 0, sizeof got);
    set_ctx("private call", "alice sends bob a PCK with her RAND");
    CHECK_RC(mkc_mikey_new_key(MKC_MIKEY_KEY_KIND_PCK, pck, sizeof pck, &pck_id), MKC_RESULT_OK,
             "new PCK");
    CHECK_RC(mkc_random(rand, sizeof rand), MKC_RESULT_OK, "RAND");
    CHECK_RC(mkc_client_mikey_create_imessage_with_rand(
                 g_alice.client, u8(ALICE), strlen(ALICE), u8(BOB), strlen(BOB), now,
                 MKC_MIKEY_KEY_KIND_PCK, pck, sizeof pck, pck_id, 0, rand, sizeof rand, msg,
                 sizeof msg, &msg_len),
             MKC_RESULT_OK, "I_MESSAGE with a chosen RAND");
    CHECK_RC(mkc_client_mikey_create_imessage_with_rand(
                 g_alice.client, u8(ALICE), strlen(ALICE), u8(BOB), strlen(BOB), now,
                 MKC_MIKEY_KEY_KIND_PCK, pck, sizeof pck, pck_id, 0, rand, 15, msg, sizeof msg,
                 &msg_len),
             MKC_RESULT_INVALID_LENGTH, "a RAND of 15 octets is refused");
    CHECK_RC(mkc_client_mikey_create_imessage_with_rand(
                 g_alice.client, u8(ALICE), strlen(ALICE), u8(BOB), strlen(BOB), now,
                 MKC_MIKEY_KEY_KIND_PCK, pck, sizeof pck, pck_id, 0, rand, sizeof rand, msg,
                 sizeof msg, &msg_len),
             MKC_RESULT_OK, "again");
    CHECK_RC(mkc_client_mikey_receive_imessage(g_bob.client, u8(BOB), strlen(BOB), now, WINDOW,
                                               u8(ALICE), strlen(ALICE), msg, msg_len, &got),
             MKC_RESULT_OK, "bob processes it");
    CHECK(got.kind == MKC_MIKEY_KEY_KIND_PCK && got.key_id == pck_id && got.rand_len == RAND_BYTES &&
              memcmp(got.rand, rand, RAND_BYTES) == 0 && memcmp(got.key, pck, sizeof pck) == 0,
          "bob holds alice's PCK, PCK-ID and RAND");

    CHECK_RC(mkc_srtp_mki(pck_id, 0, mki, sizeof mki, &mki_len), MKC_RESULT_OK, "MKI");
    CHECK_SIZE(mki_len, 4, "a PCK's MKI is the 4-octet PCK-ID");
    CHECK(mki[0] >> 4 == 1, "with purpose tag 1");

    /* alice -> bob: alice's stream is the initiator's, CS ID 0. */
    set_ctx("private call", "alice to bob (CS ID 0)");
    CHECK_RC(mkc_srtp_derive(pck, sizeof pck, pck_id, rand, sizeof rand,
                             MKC_SRTP_CS_ID_MCPTT_PRIVATE_INITIATOR, mki, mki_len, &alice_tx),
             MKC_RESULT_OK, "alice's master key");
    ok = one_packet(&alice_tx, got.key, got.key_id, got.rand, got.rand_len,
                    MKC_SRTP_CS_ID_MCPTT_PRIVATE_INITIATOR, "hello bob", &rx, &tampered);
    CHECK(ok, "bob reads alice's payload");
    CHECK(same_master(&rx, &alice_tx), "bob's derivation equals alice's");
    CHECK(tampered == srtp_err_status_auth_fail, "a tampered packet is refused");

    /* bob -> alice: bob's stream is the receiver's, CS ID 1; same MKI, another key. */
    set_ctx("private call", "bob to alice (CS ID 1)");
    CHECK_RC(mkc_srtp_derive(got.key, MKC_MIKEY_KEY_BYTES, got.key_id, got.rand, got.rand_len,
                             MKC_SRTP_CS_ID_MCPTT_PRIVATE_RECEIVER, mki, mki_len, &bob_tx),
             MKC_RESULT_OK, "bob's master key");
    CHECK(memcmp(bob_tx.master_key, alice_tx.master_key, MKC_SRTP_MASTER_KEY_BYTES) != 0,
          "the two directions have different keys");
    ok = one_packet(&bob_tx, pck, pck_id, rand, sizeof rand,
                    MKC_SRTP_CS_ID_MCPTT_PRIVATE_RECEIVER, "hello alice", &rx, &tampered);
    CHECK(ok, "alice reads bob's payload");
    CHECK(same_master(&rx, &bob_tx), "alice's derivation equals bob's");
    CHECK(tampered == srtp_err_status_auth_fail, "a tampered packet is refused");

    /* The wrong direction's CS ID: a key libsrtp refuses the packet under. */
    set_ctx("private call", "refusals");
    ok = one_packet(&bob_tx, pck, pck_id, rand, sizeof rand,
                    MKC_SRTP_CS_ID_MCPTT_PRIVATE_INITIATOR, "hello alice", &rx, &tampered);
    CHECK(!ok, "bob's packet under the initiator's CS ID does not authenticate");
    /* An MKI of another PCK: no key. */
    memset(&canary, CANARY, sizeof canary);
    CHECK_RC(mkc_srtp_mki(pck_id ^ 1u, 0, other_mki, sizeof other_mki, &other_len), MKC_RESULT_OK,
             "another PCK's MKI");
    CHECK_RC(mkc_srtp_derive(pck, sizeof pck, pck_id, rand, sizeof rand, 0, other_mki, other_len,
                             &canary),
             MKC_RESULT_UNKNOWN_MKI, "an MKI of another PCK");
    CHECK_RC(mkc_srtp_derive(pck, sizeof pck, pck_id, rand, sizeof rand, 0, mki, 3, &canary),
             MKC_RESULT_UNKNOWN_MKI, "a 3-octet MKI");
    CHECK_RC(mkc_srtp_derive(pck, sizeof pck - 1, pck_id, rand, sizeof rand, 0, mki, mki_len,
                             &canary),
             MKC_RESULT_INVALID_LENGTH, "a 15-octet key");
    CHECK(all_equal((const uint8_t *)&canary, sizeof canary, 0), "output zeroed on refusals");
    CHECK_RC(mkc_srtp_derive(pck, sizeof pck, pck_id, rand, sizeof rand, 0, mki, mki_len, NULL),
             MKC_RESULT_NULL_PARAMETER, "NULL output");

    /* bob's key ring: the PCK is stored; the SRTP stack asks by MKI. */
    set_ctx("private call", "bob's key ring");
    memset(&rx, 0, sizeof rx);
    CHECK_RC(mkc_client_srtp_for_mki(g_bob.client, now, MKC_SRTP_CS_ID_MCPTT_PRIVATE_INITIATOR,
                                     mki, mki_len, &rx),
             MKC_RESULT_OK, "master key of alice's stream from the ring");
    CHECK(same_master(&rx, &alice_tx), "equals alice's");
    CHECK_RC(mkc_client_srtp_for_mki(g_bob.client, now, 0, other_mki, other_len, &canary),
             MKC_RESULT_UNKNOWN_MKI, "an MKI of a PCK bob never got");
    CHECK_RC(mkc_client_key_set_validity(g_bob.client, pck_id, now + 10, now + 20), MKC_RESULT_OK,
             "validity set");
    CHECK_RC(mkc_client_key_set_validity(g_bob.client, pck_id ^ 1u, 0, 0), MKC_RESULT_UNKNOWN_KEY,
             "validity of an unknown key");
    CHECK_RC(mkc_client_srtp_for_mki(g_bob.client, now, 0, mki, mki_len, &canary),
             MKC_RESULT_KEY_NOT_YET_ACTIVE, "before its activation");
    CHECK_RC(mkc_client_srtp_for_mki(g_bob.client, now + 10, 0, mki, mki_len, &rx), MKC_RESULT_OK,
             "active");
    CHECK_RC(mkc_client_srtp_for_mki(g_bob.client, now + 20, 0, mki, mki_len, &canary),
             MKC_RESULT_KEY_EXPIRED, "at its expiry");
    CHECK_RC(mkc_client_srtp_for_mki(g_bob.client, now + 10, 0, mki, mki_len, &canary),
             MKC_RESULT_UNKNOWN_MKI, "erased when it expired");
    CHECK_RC(mkc_client_key_erase(g_bob.client, pck_id), MKC_RESULT_UNKNOWN_KEY, "already gone");
    CHECK_RC(mkc_client_mikey_receive_imessage(g_bob.client, u8(BOB), strlen(BOB), now, WINDOW,
                                               u8(ALICE), strlen(ALICE), msg, msg_len, &got),
             MKC_RESULT_OK, "received again");
    CHECK_RC(mkc_client_key_erase(g_bob.client, pck_id), MKC_RESULT_OK, "the call ends: erased");
    CHECK_RC(mkc_client_srtp_for_mki(g_bob.client, now, 0, mki, mki_len, &canary),
             MKC_RESULT_UNKNOWN_MKI, "gone");
    memset(&canary, CANARY, sizeof canary);
    CHECK_RC(mkc_client_srtp_for_mki(NULL, now, 0, mki, mki_len, &canary),
             MKC_RESULT_NULL_PARAMETER, "NULL client");
    CHECK(all_equal((const uint8_t *)&canary, sizeof canary, 0), "output zeroed");

    kms_wipe(pck, sizeof pck);
    kms_wipe(&got, sizeof got);
    kms_wipe(&alice_tx, sizeof alice_tx);
    kms_wipe(&bob_tx, sizeof bob_tx);
    kms_wipe(&rx, sizeof rx);
}

/* Key parameters (TS 33.180 E.6): alice sends bob a GMK valid from now + 10 to now + 20 with a
 * name; bob's key ring honours the times; the parameters read back; a revoked key is refused
 * and erased; parameters of another key type are refused when creating. */
static void test_key_parameters(uint64_t now) {
    uint8_t gmk[MKC_MIKEY_KEY_BYTES], msg[MSG_CAP], plain[MSG_CAP], text[32];
    uint8_t mki[MKC_SRTP_MKI_MAX_BYTES];
    size_t msg_len = 0, plain_len = 0, mki_len = 0, text_len = 0;
    uint32_t gmk_id = 0;
    mkc_mikey_key got;
    mkc_mikey_key_params params, read;
    mkc_mikey_group_id group;
    mkc_srtp_master m;
    const char *name = "Fire team 1";
    const char *group_uri = "sip:fire-team-1@example.org";
    uint8_t group_id[64], iei = 0;
    size_t group_len = 0;

    memset(&got, 0, sizeof got);
    memset(&params, 0, sizeof params);
    set_ctx("key parameters", "alice sends bob a GMK valid from now + 10 to now + 20");
    CHECK_RC(mkc_mikey_new_key(MKC_MIKEY_KEY_KIND_GMK, gmk, sizeof gmk, &gmk_id), MKC_RESULT_OK,
             "new GMK");
    params.key_type = MKC_MIKEY_KEY_KIND_GMK;
    params.status = MKC_MIKEY_KEY_STATUS_NOT_REVOKED;
    params.activation = now + 10;
    params.expiry = now + 20;
    group.iei = 0x5a;
    group.id.ptr = u8(group_uri);
    group.id.len = strlen(group_uri);
    CHECK_RC(mkc_client_mikey_create_imessage_with_params(
                 g_alice.client, u8(ALICE), strlen(ALICE), u8(BOB), strlen(BOB), NULL, 0, now,
                 MKC_MIKEY_KEY_KIND_GMK, gmk, sizeof gmk, gmk_id, 0, NULL, 0, &params, u8(name),
                 strlen(name), &group, 1, msg, sizeof msg, &msg_len),
             MKC_RESULT_OK, "I_MESSAGE with key parameters");
    CHECK_RC(mkc_client_mikey_receive_imessage(g_bob.client, u8(BOB), strlen(BOB), now, WINDOW,
                                               u8(ALICE), strlen(ALICE), msg, msg_len, &got),
             MKC_RESULT_OK, "bob receives it");
    memset(&read, 0, sizeof read);
    CHECK_RC(mkc_mikey_key_parameters(msg, msg_len, &got, &read, text, sizeof text, &text_len),
             MKC_RESULT_OK, "bob reads the parameters");
    CHECK(read.key_type == MKC_MIKEY_KEY_KIND_GMK && read.status == params.status &&
              read.activation == now + 10 && read.expiry == now + 20,
          "type, status and times as sent");
    CHECK(text_len == strlen(name) && memcmp(text, name, text_len) == 0, "the key's name");
    CHECK(read.group_count == 1, "one group ID");
    CHECK_RC(mkc_mikey_key_parameters_group_id(msg, msg_len, &got, 0, &iei, group_id,
                                               sizeof group_id, &group_len),
             MKC_RESULT_OK, "the group ID");
    CHECK(iei == 0x5a && group_len == strlen(group_uri) &&
              memcmp(group_id, group_uri, group_len) == 0,
          "its IEI and octets as sent");
    CHECK_RC(mkc_mikey_key_parameters_group_id(msg, msg_len, &got, 1, &iei, group_id,
                                               sizeof group_id, &group_len),
             MKC_RESULT_UNKNOWN_KEY, "no second group");
    CHECK_RC(mkc_mikey_key_parameters(msg, msg_len, &got, &read, text, 3, &text_len),
             MKC_RESULT_BUFFER_TOO_SMALL, "a short text buffer");
    CHECK_SIZE(text_len, strlen(name), "the size needed");

    CHECK_RC(mkc_srtp_mki(got.key_id, got.guk_id, mki, sizeof mki, &mki_len), MKC_RESULT_OK,
             "bob's MKI");
    CHECK_RC(mkc_client_srtp_for_mki(g_bob.client, now + 9, MKC_SRTP_CS_ID_MCPTT_GROUP, mki,
                                     mki_len, &m),
             MKC_RESULT_KEY_NOT_YET_ACTIVE, "before its activation time");
    CHECK_RC(mkc_client_srtp_for_mki(g_bob.client, now + 10, MKC_SRTP_CS_ID_MCPTT_GROUP, mki,
                                     mki_len, &m),
             MKC_RESULT_OK, "from its activation time");
    CHECK_RC(mkc_client_srtp_for_mki(g_bob.client, now + 20, MKC_SRTP_CS_ID_MCPTT_GROUP, mki,
                                     mki_len, &m),
             MKC_RESULT_KEY_EXPIRED, "at its expiry time");
    CHECK_RC(mkc_client_srtp_for_mki(g_bob.client, now + 10, MKC_SRTP_CS_ID_MCPTT_GROUP, mki,
                                     mki_len, &m),
             MKC_RESULT_UNKNOWN_MKI, "then erased");

    set_ctx("key parameters", "revoked");
    CHECK_RC(mkc_client_mikey_create_imessage(g_alice.client, u8(ALICE), strlen(ALICE), u8(BOB),
                                              strlen(BOB), now, MKC_MIKEY_KEY_KIND_GMK, gmk,
                                              sizeof gmk, gmk_id, 0, plain, sizeof plain,
                                              &plain_len),
             MKC_RESULT_OK, "the GMK without parameters");
    CHECK_RC(mkc_client_mikey_receive_imessage(g_bob.client, u8(BOB), strlen(BOB), now, WINDOW,
                                               u8(ALICE), strlen(ALICE), plain, plain_len, &got),
             MKC_RESULT_OK, "bob holds it");
    CHECK_RC(mkc_mikey_key_parameters(plain, plain_len, &got, &read, text, sizeof text,
                                      &text_len),
             MKC_RESULT_UNKNOWN_KEY, "no parameters in that message");
    CHECK_RC(mkc_client_srtp_for_mki(g_bob.client, now, MKC_SRTP_CS_ID_MCPTT_GROUP, mki, mki_len,
                                     &m),
             MKC_RESULT_OK, "in bob's key ring");
    params.status = 0;
    params.activation = 0;
    params.expiry = 0;

    /* Another initiator (bob himself, to himself) neither replaces nor revokes the GMK alice
     * distributed (TS 33.180 5.8): refused, and alice's key keeps serving the MKI. */
    set_ctx("key parameters", "another initiator");
    {
        uint8_t other[MKC_MIKEY_KEY_BYTES], from_bob[MSG_CAP];
        size_t from_bob_len = 0;
        uint32_t other_id = 0;
        mkc_srtp_master held, after;
        memcpy(&held, &m, sizeof held);
        CHECK_RC(mkc_mikey_new_key(MKC_MIKEY_KEY_KIND_GMK, other, sizeof other, &other_id),
                 MKC_RESULT_OK, "another GMK");
        CHECK_RC(mkc_client_mikey_create_imessage(g_bob.client, u8(BOB), strlen(BOB), u8(BOB),
                                                  strlen(BOB), now, MKC_MIKEY_KEY_KIND_GMK,
                                                  other, sizeof other, gmk_id, 0, from_bob,
                                                  sizeof from_bob, &from_bob_len),
                 MKC_RESULT_OK, "bob's key under alice's GMK-ID");
        memset(&got, CANARY, sizeof got);
        CHECK_RC(mkc_client_mikey_receive_imessage(g_bob.client, u8(BOB), strlen(BOB), now,
                                                   WINDOW, NULL, 0, from_bob, from_bob_len,
                                                   &got),
                 MKC_RESULT_KEY_OTHER_INITIATOR, "does not replace alice's key");
        CHECK(all_equal((const uint8_t *)&got, sizeof got, 0), "key_out zeroed");
        CHECK_RC(mkc_client_mikey_create_imessage_with_params(
                     g_bob.client, u8(BOB), strlen(BOB), u8(BOB), strlen(BOB), NULL, 0, now,
                     MKC_MIKEY_KEY_KIND_GMK, other, sizeof other, gmk_id, 0, NULL, 0, &params,
                     NULL, 0, NULL, 0, from_bob, sizeof from_bob, &from_bob_len),
                 MKC_RESULT_OK, "bob revokes alice's GMK-ID");
        CHECK_RC(mkc_client_mikey_receive_imessage(g_bob.client, u8(BOB), strlen(BOB), now,
                                                   WINDOW, NULL, 0, from_bob, from_bob_len,
                                                   &got),
                 MKC_RESULT_KEY_OTHER_INITIATOR, "does not revoke alice's key");
        CHECK_RC(mkc_client_srtp_for_mki(g_bob.client, now, MKC_SRTP_CS_ID_MCPTT_GROUP, mki,
                                         mki_len, &after),
                 MKC_RESULT_OK, "alice's key still held");
        CHECK(memcmp(after.master_key, held.master_key, sizeof after.master_key) == 0 &&
                  memcmp(after.master_salt, held.master_salt, sizeof after.master_salt) == 0,
              "and still the same master key and salt");
        CHECK(strcmp(mkc_result_str(MKC_RESULT_KEY_OTHER_INITIATOR), "unknown result code") != 0,
              "the code has its own text");
        kms_wipe(other, sizeof other);
        kms_wipe(&held, sizeof held);
        kms_wipe(&after, sizeof after);
    }

    set_ctx("key parameters", "revoked");
    CHECK_RC(mkc_client_mikey_create_imessage_with_params(
                 g_alice.client, u8(ALICE), strlen(ALICE), u8(BOB), strlen(BOB), NULL, 0, now,
                 MKC_MIKEY_KEY_KIND_GMK, gmk, sizeof gmk, gmk_id, 0, NULL, 0, &params, NULL, 0,
                 NULL, 0, msg, sizeof msg, &msg_len),
             MKC_RESULT_OK, "the GMK revoked");
    CHECK_RC(mkc_client_mikey_receive_imessage(g_bob.client, u8(BOB), strlen(BOB), now, WINDOW,
                                               u8(ALICE), strlen(ALICE), msg, msg_len, &got),
             MKC_RESULT_KEY_REVOKED, "bob refuses it");
    CHECK_RC(mkc_client_srtp_for_mki(g_bob.client, now, MKC_SRTP_CS_ID_MCPTT_GROUP, mki, mki_len,
                                     &m),
             MKC_RESULT_UNKNOWN_MKI, "and erased the key he held");
    CHECK_RC(mkc_client_mikey_process_imessage(g_bob.client, u8(BOB), strlen(BOB), now, WINDOW,
                                               u8(ALICE), strlen(ALICE), msg, msg_len, &got),
             MKC_RESULT_KEY_REVOKED, "processing alone refuses it too");

    set_ctx("key parameters", "refused when creating");
    params.key_type = MKC_MIKEY_KEY_KIND_PCK;
    CHECK_RC(mkc_client_mikey_create_imessage_with_params(
                 g_alice.client, u8(ALICE), strlen(ALICE), u8(BOB), strlen(BOB), NULL, 0, now,
                 MKC_MIKEY_KEY_KIND_GMK, gmk, sizeof gmk, gmk_id, 0, NULL, 0, &params, NULL, 0,
                 NULL, 0, msg, sizeof msg, &msg_len),
             MKC_RESULT_INVALID_PARAMETER, "parameters of another key type");

    kms_wipe(gmk, sizeof gmk);
    kms_wipe(&got, sizeof got);
    kms_wipe(&m, sizeof m);
}

int main(void) {
    const char *url = getenv("KMS_URL"), *ca = getenv("KMS_CA");
    const char *token_alice = getenv("KMS_TOKEN_ALICE"), *token_bob = getenv("KMS_TOKEN_BOB");
    uint64_t now;
    if (!url || !ca || !token_alice || !token_bob) {
        printf("test_srtp needs a running reference KMS: run it through scripts/run-with-kms.sh "
               "(KMS_URL, KMS_CA, KMS_TOKEN_* unset)\n");
        return 1;
    }
    CHECK(mkc_abi_version() == MKC_ABI_VERSION, "mkc_abi_version() equals MKC_ABI_VERSION");
    CHECK_SIZE(mkc_srtp_master_key_bytes(), MKC_SRTP_MASTER_KEY_BYTES, "master key size");
    CHECK_SIZE(mkc_srtp_master_salt_bytes(), MKC_SRTP_MASTER_SALT_BYTES, "master salt size");
    CHECK_SIZE(mkc_srtp_mki_max_bytes(), MKC_SRTP_MKI_MAX_BYTES, "MKI size");
    test_kdf();
    if (!srtp_media_init()) {
        CHECK(0, "srtp_init");
        finish();
        return 1;
    }
    if (!kms_session_open(&g_kms, url, ca, NULL)) return 1;
    now = (uint64_t)time(NULL);
    set_ctx("provisioning", "");
    if (provision(&g_alice, token_alice, now) && provision(&g_bob, token_bob, now)) {
        test_private_call(now);
        test_key_parameters(now);
    }
    kms_user_free(&g_alice);
    kms_user_free(&g_bob);
    kms_session_close(&g_kms);
    srtp_media_shutdown();
    finish();
    return 0;
}
