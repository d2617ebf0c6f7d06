/*
 * test_mikey.c: the MIKEY-SAKKE C API of the provisioning client (mkc_mikey_new_key,
 * mkc_client_mikey_create_imessage, mkc_client_mikey_process_imessage, mkc_mikey_to_sdp,
 * mkc_mikey_from_sdp) through the shared library, with clients provisioned from the real
 * reference KMS over HTTPS (examples/c/kms_session.c): GMK, PCK and CSK round trips with and
 * without each flag; every refusal made to happen (malformed, outside the window, not for us,
 * a bad signature, an inconsistent initiator, no key material, a failed decapsulation); NULL
 * pointers, buffer sizes, unknown kinds and flags; the SDP helpers.
 *
 * Run it through scripts/run-with-kms.sh, which starts the server and sets KMS_URL, KMS_CA,
 * KMS_TOKEN_GMS, KMS_TOKEN_ALICE and KMS_TOKEN_BOB (`make test-c` does). Built and run three
 * ways like the other C tests: C99 under valgrind, C++17, C99 with ASan/UBSan. Prints one line
 * per failed check and "N passed, M failed"; exits 0 only if every check passed.
 */
#include "check.h"

#include "kms_session.h"

#include <inttypes.h>
#include <time.h>

#define GMS "sip:gms@example.org"
#define ALICE "sip:alice@example.org"
#define BOB "sip:bob@example.org"

/* The key periods of the server scripts/run-with-kms.sh starts: 30 days. */
#define KMS_KEY_PERIOD_S 2592000u
#define WINDOW 300u
#define MSG_CAP 1024
#define SDP_CAP 1400
#define RAND_BYTES 16

#define SENTINEL_CLIENT ((mkc_client *)SENTINEL_SLOT(1))

static struct kms_session g_kms;
static const char *g_token_gms, *g_token_alice, *g_token_bob;
/* The time the tests run at, its key period and the period's end (the next one's start). */
static uint64_t g_now, g_period, g_end;
/* Provisioned for the period of g_now. */
static struct kms_user g_gms = KMS_USER_INIT("gms", GMS);
static struct kms_user g_alice = KMS_USER_INIT("alice", ALICE);
static struct kms_user g_bob = KMS_USER_INIT("bob", BOB);

static const uint8_t *u8(const char *s) { return (const uint8_t *)s; }

/* ------------------------------------------------------------------------------------------ */
/* Helpers                                                                                    */
/* ------------------------------------------------------------------------------------------ */

/* Starts u's client and provisions it at `now`: 1 when it got both keys cleanly. */
static int provision(struct kms_user *u, const char *token, uint64_t now) {
    int made = kms_user_start(&g_kms, u, token);
    CHECK(made, "client made, token set");
    if (!made) return 0;
    CHECK(kms_drive(&g_kms, u, now), "kms_drive settles");
    CHECK(u->problems == 0, "no trouble while provisioning");
    CHECK(u->ready >= 1, "KEY_MATERIAL_READY with both keys");
    return u->problems == 0 && u->ready >= 1;
}

/* A message from `from` (as its own URI) to `to` at `now`, into msg (MSG_CAP octets). */
static uint32_t create(const struct kms_user *from, const char *to, uint64_t now, uint32_t kind,
                       const uint8_t *key, uint32_t key_id, uint32_t flags, uint8_t *msg,
                       size_t *msg_len) {
    return (uint32_t)mkc_client_mikey_create_imessage(
        from->client, u8(from->uri), strlen(from->uri), u8(to), strlen(to), now, kind, key,
        MKC_MIKEY_KEY_BYTES, key_id, flags, msg, MSG_CAP, msg_len);
}

/* `u` processes msg as its own URI at `now` (window WINDOW); initiator NULL: not given. */
static uint32_t process(const struct kms_user *u, uint64_t now, const char *initiator,
                        const uint8_t *msg, size_t msg_len, mkc_mikey_key *out) {
    return (uint32_t)mkc_client_mikey_process_imessage(
        u->client, u8(u->uri), strlen(u->uri), now, WINDOW, initiator ? u8(initiator) : NULL,
        initiator ? strlen(initiator) : 0, msg, msg_len, out);
}

/* A refusal: `want`, and *out zeroed (the header's output rule 4). */
static void refused(const struct kms_user *u, uint64_t now, const char *initiator,
                    const uint8_t *msg, size_t msg_len, uint32_t want, const char *what) {
    mkc_mikey_key out;
    memset(&out, CANARY, sizeof out);
    CHECK_RC(process(u, now, initiator, msg, msg_len, &out), want, what);
    CHECK(all_equal((const uint8_t *)&out, sizeof out, 0), "key_out zeroed");
}

static int uri_is(const mkc_mikey_key *k, const char *uri) {
    return k->initiator_uri != NULL && k->initiator_uri_len == strlen(uri) &&
           memcmp(k->initiator_uri, uri, k->initiator_uri_len) == 0;
}

static void uid_of(const char *uri, uint64_t at, uint8_t *uid) {
    CHECK_RC(mkc_client_uid(g_alice.client, u8(uri), strlen(uri), at, uid, MKC_UID_BYTES),
             MKC_RESULT_OK, "mkc_client_uid");
}

/* Draws a key of `kind`; checks the purpose tag of its ID. */
static void new_key(uint32_t kind, uint8_t *key, uint32_t *key_id) {
    CHECK_RC(mkc_mikey_new_key(kind, key, MKC_MIKEY_KEY_BYTES, key_id), MKC_RESULT_OK,
             "mkc_mikey_new_key");
    CHECK(*key_id >> 28 == kind, "purpose tag of the key ID is the kind");
}

/* SDP form and back: the same octets. */
static void check_sdp_round_trip(const uint8_t *msg, size_t msg_len) {
    char text[SDP_CAP];
    uint8_t back[MSG_CAP];
    size_t text_len = 0, back_len = 0;
    CHECK_RC(mkc_mikey_to_sdp(msg, msg_len, text, sizeof text, &text_len), MKC_RESULT_OK,
             "mkc_mikey_to_sdp");
    CHECK(text_len > 6 && memcmp(text, "mikey ", 6) == 0, "\"mikey \" and base64");
    CHECK_SIZE(text_len, 6 + (msg_len + 2) / 3 * 4, "base64 length with padding");
    CHECK_RC(mkc_mikey_from_sdp(text, text_len, back, sizeof back, &back_len), MKC_RESULT_OK,
             "mkc_mikey_from_sdp");
    CHECK(back_len == msg_len && memcmp(back, msg, msg_len) == 0, "the same octets back");
}

static const char *kind_name(uint32_t kind) {
    return kind == MKC_MIKEY_KEY_KIND_GMK ? "GMK" : kind == MKC_MIKEY_KEY_KIND_PCK ? "PCK" : "CSK";
}

/* ------------------------------------------------------------------------------------------ */
/* Round trips                                                                                */
/* ------------------------------------------------------------------------------------------ */

/* The checks every received key must pass. */
static void check_received(const mkc_mikey_key *got, uint32_t kind, const uint8_t *key,
                           uint32_t key_id, const char *initiator, int uri_shown,
                           uint32_t via_self) {
    uint8_t uid[MKC_UID_BYTES];
    CHECK(got->kind == kind, "kind");
    CHECK(memcmp(got->key, key, MKC_MIKEY_KEY_BYTES) == 0, "the same key");
    CHECK(got->key_id == key_id, "the same key ID");
    if (kind == MKC_MIKEY_KEY_KIND_GMK) {
        CHECK(got->has_guk_id == 1, "a GMK has a GUK-ID");
        CHECK(got->guk_id == got->csb_id, "GUK-ID is the CSB ID");
    } else {
        CHECK(got->has_guk_id == 0 && got->guk_id == 0, "no GUK-ID for a PCK or CSK");
        CHECK(got->csb_id == key_id, "CSB ID is the key ID");
    }
    CHECK(got->period == g_period, "our key period of T");
    CHECK(got->time == g_now, "T is the creation time");
    uid_of(initiator, g_now, uid);
    CHECK(memcmp(got->initiator_uid, uid, sizeof uid) == 0, "initiator UID of the period");
    if (uri_shown) CHECK(uri_is(got, initiator), "initiator URI");
    else CHECK(got->initiator_uri == NULL && got->initiator_uri_len == 0, "initiator hidden");
    CHECK(got->via_sakke_to_self == via_self, "via_sakke_to_self");
    CHECK(got->rand != NULL && got->rand_len == RAND_BYTES, "RAND of 16 octets");
}

/* One key of `kind` from `from` to `to` with `flags`, processed by every party it concerns. */
static void round_trip(uint32_t kind, struct kms_user *from, struct kms_user *to,
                       uint32_t flags) {
    uint8_t key[MKC_MIKEY_KEY_BYTES], msg[MSG_CAP];
    uint32_t key_id = 0;
    size_t msg_len = 0;
    mkc_mikey_key got;
    int hidden = (flags & MKC_MIKEY_HIDE_IDENTITIES) != 0;
    int to_self = (flags & MKC_MIKEY_SAKKE_TO_SELF) != 0;
    char item[80];

    snprintf(item, sizeof item, "%s %s to %s, flags %u", kind_name(kind), from->name, to->name,
             (unsigned)flags);
    set_ctx("round trip", item);
    new_key(kind, key, &key_id);
    CHECK_RC(create(from, to->uri, g_now, kind, key, key_id, flags, msg, &msg_len),
             MKC_RESULT_OK, "create");
    CHECK(msg_len > 0 && msg_len < 1000, "under 1,000 octets");
    check_sdp_round_trip(msg, msg_len);

    memset(&got, 0, sizeof got);
    CHECK_RC(process(to, g_now + 2, NULL, msg, msg_len, &got), MKC_RESULT_OK,
             "the responder processes it");
    check_received(&got, kind, key, key_id, from->uri, !hidden, 0);
    if (hidden) {
        /* The initiator named by the app (from SIP) is checked and given back. */
        memset(&got, 0, sizeof got);
        CHECK_RC(process(to, g_now, from->uri, msg, msg_len, &got), MKC_RESULT_OK,
                 "with the initiator URI given");
        CHECK(uri_is(&got, from->uri), "the initiator URI given back");
        CHECK(memcmp(got.key, key, sizeof key) == 0, "the same key");
    }

    /* The initiator's other devices: through SAKKE-to-self only. */
    memset(&got, 0, sizeof got);
    if (to_self) {
        CHECK_RC(process(from, g_now, NULL, msg, msg_len, &got), MKC_RESULT_OK,
                 "the initiator reads it through SAKKE-to-self");
        check_received(&got, kind, key, key_id, from->uri, !hidden, 1);
    } else {
        refused(from, g_now, NULL, msg, msg_len, MKC_RESULT_MIKEY_NOT_FOR_US,
                "the initiator cannot read it without SAKKE-to-self");
    }
    kms_wipe(key, sizeof key);
    kms_wipe(&got, sizeof got);
}

/* One GMK to alice and bob: the same GMK and GMK-ID, a GUK-ID of each. */
static void test_group(void) {
    uint8_t gmk[MKC_MIKEY_KEY_BYTES], msg_a[MSG_CAP], msg_b[MSG_CAP];
    size_t len_a = 0, len_b = 0;
    uint32_t gmk_id = 0;
    mkc_mikey_key a, b;

    set_ctx("group", "one GMK to alice and bob");
    new_key(MKC_MIKEY_KEY_KIND_GMK, gmk, &gmk_id);
    CHECK_RC(create(&g_gms, ALICE, g_now, MKC_MIKEY_KEY_KIND_GMK, gmk, gmk_id, 0, msg_a, &len_a),
             MKC_RESULT_OK, "to alice");
    CHECK_RC(create(&g_gms, BOB, g_now, MKC_MIKEY_KEY_KIND_GMK, gmk, gmk_id,
                    MKC_MIKEY_HIDE_IDENTITIES | MKC_MIKEY_SAKKE_TO_SELF, msg_b, &len_b),
             MKC_RESULT_OK, "to bob, hidden, SAKKE-to-self");
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    CHECK_RC(process(&g_alice, g_now, NULL, msg_a, len_a, &a), MKC_RESULT_OK, "alice");
    CHECK_RC(process(&g_bob, g_now, NULL, msg_b, len_b, &b), MKC_RESULT_OK, "bob");
    CHECK(memcmp(a.key, gmk, sizeof gmk) == 0 && memcmp(b.key, gmk, sizeof gmk) == 0,
          "both hold the GMK");
    CHECK(a.key_id == gmk_id && b.key_id == gmk_id, "both know the GMK-ID");
    CHECK(a.has_guk_id && b.has_guk_id && a.guk_id != b.guk_id, "a GUK-ID each, different");
    refused(&g_bob, g_now, NULL, msg_a, len_a, MKC_RESULT_MIKEY_NOT_FOR_US,
            "bob processes alice's message");
    refused(&g_alice, g_now, NULL, msg_b, len_b, MKC_RESULT_MIKEY_NOT_FOR_US,
            "alice processes bob's hidden message");
    kms_wipe(gmk, sizeof gmk);
    kms_wipe(&a, sizeof a);
    kms_wipe(&b, sizeof b);
}

static void test_round_trips(void) {
    static const uint32_t flag_sets[4] = {0, MKC_MIKEY_HIDE_IDENTITIES, MKC_MIKEY_SAKKE_TO_SELF,
                                          MKC_MIKEY_HIDE_IDENTITIES | MKC_MIKEY_SAKKE_TO_SELF};
    size_t i;
    for (i = 0; i < 4; i++) {
        /* A GMK from the GMS, a PCK between users, a CSK from a user to an MC server (the GMS
         * identity stands in for one). */
        round_trip(MKC_MIKEY_KEY_KIND_GMK, &g_gms, &g_alice, flag_sets[i]);
        round_trip(MKC_MIKEY_KEY_KIND_PCK, &g_alice, &g_bob, flag_sets[i]);
        round_trip(MKC_MIKEY_KEY_KIND_CSK, &g_bob, &g_gms, flag_sets[i]);
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Refusals                                                                                   */
/* ------------------------------------------------------------------------------------------ */

static void test_refusals(void) {
    uint8_t key[MKC_MIKEY_KEY_BYTES], msg[MSG_CAP], hid[MSG_CAP], bad[MSG_CAP];
    uint32_t key_id = 0;
    size_t len = 0, hid_len = 0, written = 0;
    mkc_mikey_key got;
    static const uint8_t garbage[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    static const uint8_t zeros[100] = {0};

    set_ctx("refusals", "messages");
    new_key(MKC_MIKEY_KEY_KIND_GMK, key, &key_id);
    CHECK_RC(create(&g_gms, ALICE, g_now, MKC_MIKEY_KEY_KIND_GMK, key, key_id, 0, msg, &len),
             MKC_RESULT_OK, "a GMS message to alice");
    CHECK_RC(create(&g_gms, ALICE, g_now, MKC_MIKEY_KEY_KIND_GMK, key, key_id,
                    MKC_MIKEY_HIDE_IDENTITIES, hid, &hid_len),
             MKC_RESULT_OK, "the same, identities hidden");
    if (len < 200 || hid_len < 200) return;

    set_ctx("refusals", "MKC_RESULT_MIKEY_NOT_FOR_US");
    refused(&g_bob, g_now, NULL, msg, len, MKC_RESULT_MIKEY_NOT_FOR_US, "another receiver");
    refused(&g_bob, g_now, NULL, hid, hid_len, MKC_RESULT_MIKEY_NOT_FOR_US,
            "another receiver's UID");
    refused(&g_gms, g_now, NULL, msg, len, MKC_RESULT_MIKEY_NOT_FOR_US,
            "the initiator, without SAKKE-to-self");

    set_ctx("refusals", "MKC_RESULT_MIKEY_TIME_OUTSIDE_WINDOW");
    refused(&g_alice, g_now + WINDOW + 1, NULL, msg, len, MKC_RESULT_MIKEY_TIME_OUTSIDE_WINDOW,
            "a second after the window");
    refused(&g_alice, g_now - WINDOW - 1, NULL, msg, len, MKC_RESULT_MIKEY_TIME_OUTSIDE_WINDOW,
            "a second before the window");
    refused(&g_alice, g_now + 10 * 86400, NULL, msg, len, MKC_RESULT_MIKEY_TIME_OUTSIDE_WINDOW,
            "ten days later");
    memset(&got, CANARY, sizeof got);
    CHECK_RC(mkc_client_mikey_process_imessage(g_alice.client, u8(ALICE), strlen(ALICE),
                                               g_now + 1, 0, NULL, 0, msg, len, &got),
             MKC_RESULT_MIKEY_TIME_OUTSIDE_WINDOW, "window 0, a second later");
    CHECK_RC(process(&g_alice, g_now + WINDOW, NULL, msg, len, &got), MKC_RESULT_OK,
             "the last second of the window is inside");

    set_ctx("refusals", "MKC_RESULT_MIKEY_MALFORMED");
    refused(&g_alice, g_now, NULL, msg, len - 1, MKC_RESULT_MIKEY_MALFORMED, "one octet short");
    refused(&g_alice, g_now, NULL, msg, len / 2, MKC_RESULT_MIKEY_MALFORMED, "cut in half");
    refused(&g_alice, g_now, NULL, msg, 0, MKC_RESULT_MIKEY_MALFORMED, "empty");
    refused(&g_alice, g_now, NULL, NULL, 0, MKC_RESULT_MIKEY_MALFORMED, "(NULL, 0)");
    refused(&g_alice, g_now, NULL, garbage, sizeof garbage, MKC_RESULT_MIKEY_MALFORMED,
            "ten octets of garbage");
    refused(&g_alice, g_now, NULL, zeros, sizeof zeros, MKC_RESULT_MIKEY_MALFORMED,
            "100 zero octets");
    memcpy(bad, msg, len);
    bad[0] ^= 0x03; /* MIKEY version 1 -> 2 */
    refused(&g_alice, g_now, NULL, bad, len, MKC_RESULT_MIKEY_MALFORMED, "another version");
    memcpy(bad, msg, len);
    bad[len] = 0;
    refused(&g_alice, g_now, NULL, bad, len + 1, MKC_RESULT_MIKEY_MALFORMED,
            "an octet after the signature");

    set_ctx("refusals", "MKC_RESULT_VERIFY_FAILED");
    /* The message ends with the SIGN payload: 2 octets (type, length) and the 129-octet ECCSI
     * signature (r, s, PVT); the SAKKE payload's SED is just before it. */
    memcpy(bad, msg, len);
    bad[len - 129] ^= 0x01; /* r */
    refused(&g_alice, g_now, NULL, bad, len, MKC_RESULT_VERIFY_FAILED, "a bit of r flipped");
    memcpy(bad, msg, len);
    bad[len - 129 - 2 - 8] ^= 0x80; /* the end of the SED */
    refused(&g_alice, g_now, NULL, bad, len, MKC_RESULT_VERIFY_FAILED, "a bit of the SED");
    memcpy(bad, hid, hid_len);
    bad[hid_len - 129 - 2 - 8] ^= 0x80;
    refused(&g_alice, g_now, NULL, bad, hid_len, MKC_RESULT_VERIFY_FAILED,
            "a bit of the SED, identities hidden");

    set_ctx("refusals", "MKC_RESULT_MIKEY_AUTHENTICATION_FAILED");
    refused(&g_alice, g_now, BOB, msg, len, MKC_RESULT_MIKEY_AUTHENTICATION_FAILED,
            "initiator_uri bob, the message names the GMS");
    refused(&g_alice, g_now, BOB, hid, hid_len, MKC_RESULT_MIKEY_AUTHENTICATION_FAILED,
            "initiator_uri bob, the hidden UID is the GMS's");
    refused(&g_alice, g_now, ALICE, hid, hid_len, MKC_RESULT_MIKEY_AUTHENTICATION_FAILED,
            "initiator_uri alice herself");

    set_ctx("refusals", "MKC_RESULT_NO_KEY_MATERIAL when creating");
    memset(bad, CANARY, sizeof bad);
    written = 77;
    CHECK_RC(mkc_client_mikey_create_imessage(g_alice.client, u8(BOB), strlen(BOB), u8(ALICE),
                                              strlen(ALICE), g_now, MKC_MIKEY_KEY_KIND_GMK, key,
                                              sizeof key, key_id, 0, bad, MSG_CAP, &written),
             MKC_RESULT_NO_KEY_MATERIAL, "alice's client as bob");
    CHECK(all_equal(bad, MSG_CAP, 0), "output zeroed on failure");
    CHECK_RC(create(&g_gms, ALICE, g_now + 3 * (uint64_t)KMS_KEY_PERIOD_S,
                    MKC_MIKEY_KEY_KIND_GMK, key, key_id, 0, bad, &written),
             MKC_RESULT_NO_KEY_MATERIAL, "three periods ahead: no SSK");

    set_ctx("refusals", "no certificate");
    {
        struct kms_user blank = KMS_USER_INIT("blank", ALICE);
        if (kms_client_new(&g_kms, ALICE, &blank.client)) {
            CHECK_RC(create(&blank, BOB, g_now, MKC_MIKEY_KEY_KIND_GMK, key, key_id, 0, bad,
                            &written),
                     MKC_RESULT_NO_CERTIFICATE, "create");
            refused(&blank, g_now, NULL, msg, len, MKC_RESULT_NO_CERTIFICATE, "process");
        } else {
            CHECK(0, "kms_client_new");
        }
        kms_user_free(&blank);
    }
    kms_wipe(key, sizeof key);
    kms_wipe(&got, sizeof got);
}

/* Receivers whose keys are of other periods than the message's. */
static void test_other_periods(void) {
    struct kms_user bob_next = KMS_USER_INIT("bob (next period)", BOB);
    struct kms_user gms_far = KMS_USER_INIT("gms (three periods ahead)", GMS);
    uint8_t key[MKC_MIKEY_KEY_BYTES], msg[MSG_CAP], hid[MSG_CAP];
    uint32_t key_id = 0;
    size_t len = 0, hid_len = 0;
    uint64_t far = g_now + 3 * (uint64_t)KMS_KEY_PERIOD_S;
    mkc_mikey_key got;

    set_ctx("other periods", "a bob provisioned for the next period only");
    new_key(MKC_MIKEY_KEY_KIND_PCK, key, &key_id);
    CHECK_RC(create(&g_alice, BOB, g_now, MKC_MIKEY_KEY_KIND_PCK, key, key_id, 0, msg, &len),
             MKC_RESULT_OK, "alice to bob, by URI");
    CHECK_RC(create(&g_alice, BOB, g_now, MKC_MIKEY_KEY_KIND_PCK, key, key_id,
                    MKC_MIKEY_HIDE_IDENTITIES, hid, &hid_len),
             MKC_RESULT_OK, "alice to bob, hidden");
    if (provision(&bob_next, g_token_bob, g_end)) {
        /* Mid-period only T's period n is tried: no RSK of n. The hidden message names the
         * UID of n: no RSK either. */
        refused(&bob_next, g_now, NULL, msg, len, MKC_RESULT_NO_KEY_MATERIAL,
                "by URI, mid-period: the next period is not tried");
        refused(&bob_next, g_now, NULL, hid, hid_len, MKC_RESULT_NO_KEY_MATERIAL,
                "hidden: no RSK for the UID's period");
        /* Within the window of the boundary, n + 1 is tried too: its RSK fails to
         * decapsulate what was sent to the UID of n. */
        {
            uint8_t near[MSG_CAP];
            size_t near_len = 0;
            CHECK_RC(create(&g_alice, BOB, g_end - 100, MKC_MIKEY_KEY_KIND_PCK, key, key_id, 0,
                            near, &near_len),
                     MKC_RESULT_OK, "alice to bob, 100 s before the boundary");
            refused(&bob_next, g_end - 100, NULL, near, near_len,
                    MKC_RESULT_DECAPSULATION_FAILED,
                    "near the boundary: the RSK of the next period does not fit");
        }
        memset(&got, 0, sizeof got);
        CHECK_RC(process(&g_bob, g_now, NULL, msg, len, &got), MKC_RESULT_OK,
                 "bob of this period reads it");
    }

    set_ctx("other periods", "a message three periods ahead");
    if (provision(&gms_far, g_token_gms, far)) {
        new_key(MKC_MIKEY_KEY_KIND_GMK, key, &key_id);
        CHECK_RC(create(&gms_far, ALICE, far, MKC_MIKEY_KEY_KIND_GMK, key, key_id, 0, msg, &len),
                 MKC_RESULT_OK, "the GMS of that period to alice");
        refused(&g_alice, far, NULL, msg, len, MKC_RESULT_NO_KEY_MATERIAL,
                "alice holds no RSK near that period");
    }
    kms_user_free(&bob_next);
    kms_user_free(&gms_far);
    kms_wipe(key, sizeof key);
    kms_wipe(&got, sizeof got);
}

/* ------------------------------------------------------------------------------------------ */
/* The contract: NULL pointers, sizes, parameters                                             */
/* ------------------------------------------------------------------------------------------ */

static void test_new_key(void) {
    uint8_t key[MKC_MIKEY_KEY_BYTES + 1];
    uint8_t key2[MKC_MIKEY_KEY_BYTES];
    uint32_t id = 0, id2 = 0, kind;

    set_ctx("mkc_mikey_new_key", "");
    CHECK_SIZE(mkc_mikey_key_bytes(), MKC_MIKEY_KEY_BYTES, "mkc_mikey_key_bytes() is 16");
    for (kind = 0; kind < 3; kind++) {
        memset(key, CANARY, sizeof key);
        CHECK_RC(mkc_mikey_new_key(kind, key, sizeof key, &id), MKC_RESULT_OK, "each kind");
        CHECK(id >> 28 == kind, "purpose tag");
        CHECK(key[MKC_MIKEY_KEY_BYTES] == CANARY, "16 octets written, no more");
        CHECK_RC(mkc_mikey_new_key(kind, key2, sizeof key2, &id2), MKC_RESULT_OK, "again");
        CHECK(memcmp(key, key2, sizeof key2) != 0 && id != id2, "fresh key and ID each call");
    }
    memset(key, CANARY, sizeof key);
    id = 0x12345678;
    CHECK_RC(mkc_mikey_new_key(MKC_MIKEY_KEY_KIND_GMK, key, 15, &id), MKC_RESULT_BUFFER_TOO_SMALL,
             "15 octets");
    CHECK(all_equal(key, sizeof key, CANARY) && id == 0x12345678, "nothing written");
    CHECK_RC(mkc_mikey_new_key(MKC_MIKEY_KEY_KIND_GMK, NULL, 0, &id), MKC_RESULT_BUFFER_TOO_SMALL,
             "(NULL, 0)");
    CHECK_RC(mkc_mikey_new_key(3, key, sizeof key, &id), MKC_RESULT_INVALID_PARAMETER,
             "kind 3");
    CHECK_RC(mkc_mikey_new_key(0xffffffffu, key, sizeof key, &id), MKC_RESULT_INVALID_PARAMETER,
             "kind 0xffffffff");
    CHECK(all_equal(key, sizeof key, 0) && id == 0, "both outputs zeroed on failure");
    CHECK_RC(mkc_mikey_new_key(MKC_MIKEY_KEY_KIND_GMK, NULL, 16, &id),
             MKC_RESULT_NULL_PARAMETER, "key_out NULL");
    CHECK_RC(mkc_mikey_new_key(MKC_MIKEY_KEY_KIND_GMK, key, sizeof key, NULL),
             MKC_RESULT_NULL_PARAMETER, "key_id_out NULL");
    CHECK_RC(mkc_mikey_new_key(MKC_MIKEY_KEY_KIND_GMK, (uint8_t *)&id, 16, &id),
             MKC_RESULT_INVALID_PARAMETER, "key_out overlapping key_id_out");
    kms_wipe(key, sizeof key);
    kms_wipe(key2, sizeof key2);
}

static void test_create_contract(void) {
    uint8_t key[MKC_MIKEY_KEY_BYTES], msg[MSG_CAP];
    uint32_t key_id = 0, pck_id = 0;
    size_t written = 0, needed = 0, len = 0;
    const mkc_client *alice = g_alice.client;
    static const uint8_t bad_utf8[] = {0x73, 0x69, 0x70, 0xff};

    set_ctx("create", "sizes");
    new_key(MKC_MIKEY_KEY_KIND_PCK, key, &key_id);
    written = 0;
    CHECK_RC(mkc_client_mikey_create_imessage(alice, u8(ALICE), strlen(ALICE), u8(BOB),
                                              strlen(BOB), g_now, MKC_MIKEY_KEY_KIND_PCK, key,
                                              sizeof key, key_id, 0, NULL, 0, &needed),
             MKC_RESULT_BUFFER_TOO_SMALL, "(NULL, 0) asks the size");
    CHECK(needed > 200 && needed < 1000, "a plausible size");
    memset(msg, CANARY, sizeof msg);
    CHECK_RC(mkc_client_mikey_create_imessage(alice, u8(ALICE), strlen(ALICE), u8(BOB),
                                              strlen(BOB), g_now, MKC_MIKEY_KEY_KIND_PCK, key,
                                              sizeof key, key_id, 0, msg, needed - 1, &written),
             MKC_RESULT_BUFFER_TOO_SMALL, "one octet short");
    CHECK_SIZE(written, needed, "the needed size");
    CHECK(all_equal(msg, sizeof msg, CANARY), "nothing written");
    CHECK_RC(mkc_client_mikey_create_imessage(alice, u8(ALICE), strlen(ALICE), u8(BOB),
                                              strlen(BOB), g_now, MKC_MIKEY_KEY_KIND_PCK, key,
                                              sizeof key, key_id, 0, msg, needed, &len),
             MKC_RESULT_OK, "exactly the needed size");
    CHECK_SIZE(len, needed, "that many octets");
    CHECK(all_equal(msg + len, sizeof msg - len, CANARY), "nothing after them");

    set_ctx("create", "NULL pointers");
    CHECK_RC(mkc_client_mikey_create_imessage(NULL, u8(ALICE), strlen(ALICE), u8(BOB),
                                              strlen(BOB), g_now, MKC_MIKEY_KEY_KIND_PCK, key,
                                              sizeof key, key_id, 0, msg, MSG_CAP, &written),
             MKC_RESULT_NULL_PARAMETER, "client");
    CHECK_RC(mkc_client_mikey_create_imessage(alice, NULL, 5, u8(BOB), strlen(BOB), g_now,
                                              MKC_MIKEY_KEY_KIND_PCK, key, sizeof key, key_id, 0,
                                              msg, MSG_CAP, &written),
             MKC_RESULT_NULL_PARAMETER, "identity");
    CHECK_RC(mkc_client_mikey_create_imessage(alice, u8(ALICE), strlen(ALICE), NULL, 5, g_now,
                                              MKC_MIKEY_KEY_KIND_PCK, key, sizeof key, key_id, 0,
                                              msg, MSG_CAP, &written),
             MKC_RESULT_NULL_PARAMETER, "responder_uri");
    CHECK_RC(mkc_client_mikey_create_imessage(alice, u8(ALICE), strlen(ALICE), u8(BOB),
                                              strlen(BOB), g_now, MKC_MIKEY_KEY_KIND_PCK, NULL,
                                              16, key_id, 0, msg, MSG_CAP, &written),
             MKC_RESULT_NULL_PARAMETER, "key");
    CHECK_RC(mkc_client_mikey_create_imessage(alice, u8(ALICE), strlen(ALICE), u8(BOB),
                                              strlen(BOB), g_now, MKC_MIKEY_KEY_KIND_PCK, key,
                                              sizeof key, key_id, 0, NULL, MSG_CAP, &written),
             MKC_RESULT_NULL_PARAMETER, "msg_out");
    CHECK_RC(mkc_client_mikey_create_imessage(alice, u8(ALICE), strlen(ALICE), u8(BOB),
                                              strlen(BOB), g_now, MKC_MIKEY_KEY_KIND_PCK, key,
                                              sizeof key, key_id, 0, msg, MSG_CAP, NULL),
             MKC_RESULT_NULL_PARAMETER, "written");

    set_ctx("create", "parameters");
    memset(msg, CANARY, sizeof msg);
    CHECK_RC(mkc_client_mikey_create_imessage(alice, u8(ALICE), strlen(ALICE), u8(BOB),
                                              strlen(BOB), g_now, 3, key, sizeof key, key_id, 0,
                                              msg, MSG_CAP, &written),
             MKC_RESULT_INVALID_PARAMETER, "kind 3");
    CHECK_RC(mkc_client_mikey_create_imessage(alice, u8(ALICE), strlen(ALICE), u8(BOB),
                                              strlen(BOB), g_now, MKC_MIKEY_KEY_KIND_PCK, key,
                                              sizeof key, key_id, 4, msg, MSG_CAP, &written),
             MKC_RESULT_INVALID_PARAMETER, "flag 4");
    CHECK_RC(mkc_client_mikey_create_imessage(alice, u8(ALICE), strlen(ALICE), u8(BOB),
                                              strlen(BOB), g_now, MKC_MIKEY_KEY_KIND_PCK, key,
                                              sizeof key, key_id, 0x80000000u, msg, MSG_CAP,
                                              &written),
             MKC_RESULT_INVALID_PARAMETER, "flag 0x80000000");
    CHECK_RC(mkc_client_mikey_create_imessage(alice, u8(ALICE), strlen(ALICE), u8(BOB),
                                              strlen(BOB), g_now, MKC_MIKEY_KEY_KIND_GMK, key,
                                              sizeof key, key_id, 0, msg, MSG_CAP, &written),
             MKC_RESULT_INVALID_PARAMETER, "a PCK-ID given as a GMK-ID");
    pck_id = key_id;
    key_id = (pck_id & 0x0fffffffu) | 0x30000000u;
    CHECK_RC(mkc_client_mikey_create_imessage(alice, u8(ALICE), strlen(ALICE), u8(BOB),
                                              strlen(BOB), g_now, MKC_MIKEY_KEY_KIND_PCK, key,
                                              sizeof key, key_id, 0, msg, MSG_CAP, &written),
             MKC_RESULT_INVALID_PARAMETER, "purpose tag 3 in the key ID");
    key_id = pck_id;
    CHECK_RC(mkc_client_mikey_create_imessage(alice, u8(ALICE), strlen(ALICE), u8(BOB),
                                              strlen(BOB), g_now, MKC_MIKEY_KEY_KIND_PCK, key,
                                              15, key_id, 0, msg, MSG_CAP, &written),
             MKC_RESULT_INVALID_LENGTH, "a 15-octet key");
    CHECK_RC(mkc_client_mikey_create_imessage(alice, u8(ALICE), strlen(ALICE), u8(BOB),
                                              strlen(BOB), g_now, MKC_MIKEY_KEY_KIND_PCK, key,
                                              17, key_id, 0, msg, MSG_CAP, &written),
             MKC_RESULT_INVALID_LENGTH, "a 17-octet key");
    CHECK_RC(mkc_client_mikey_create_imessage(alice, bad_utf8, sizeof bad_utf8, u8(BOB),
                                              strlen(BOB), g_now, MKC_MIKEY_KEY_KIND_PCK, key,
                                              sizeof key, key_id, 0, msg, MSG_CAP, &written),
             MKC_RESULT_INVALID_PARAMETER, "identity not UTF-8");
    CHECK_RC(mkc_client_mikey_create_imessage(alice, u8(ALICE), strlen(ALICE), bad_utf8,
                                              sizeof bad_utf8, g_now, MKC_MIKEY_KEY_KIND_PCK,
                                              key, sizeof key, key_id, 0, msg, MSG_CAP,
                                              &written),
             MKC_RESULT_INVALID_PARAMETER, "responder not UTF-8");
    CHECK_RC(mkc_client_mikey_create_imessage(alice, u8(ALICE), strlen(ALICE), u8(BOB),
                                              strlen(BOB), UINT64_MAX, MKC_MIKEY_KEY_KIND_PCK,
                                              key, sizeof key, key_id, 0, msg, MSG_CAP,
                                              &written),
             MKC_RESULT_INVALID_PARAMETER, "now beyond NTP time");
    CHECK(all_equal(msg, MSG_CAP, 0), "every refusal zeroes the output");
    CHECK_RC(mkc_client_mikey_create_imessage(alice, u8(ALICE), strlen(ALICE), u8(BOB),
                                              strlen(BOB), g_now, MKC_MIKEY_KEY_KIND_PCK, msg,
                                              sizeof key, key_id, 0, msg, MSG_CAP, &written),
             MKC_RESULT_INVALID_PARAMETER, "msg_out overlapping key");
    {
        union {
            uint8_t octets[8 * sizeof(size_t)];
            size_t words[8];
        } out;
        CHECK_RC(mkc_client_mikey_create_imessage(alice, u8(ALICE), strlen(ALICE), u8(BOB),
                                                  strlen(BOB), g_now, MKC_MIKEY_KEY_KIND_PCK,
                                                  key, sizeof key, key_id, 0, out.octets,
                                                  sizeof out.octets, &out.words[1]),
                 MKC_RESULT_INVALID_PARAMETER, "written inside msg_out");
    }
    kms_wipe(key, sizeof key);
}

static void test_process_contract(void) {
    uint8_t key[MKC_MIKEY_KEY_BYTES], msg[MSG_CAP];
    uint32_t key_id = 0;
    size_t len = 0;
    mkc_mikey_key got;
    static const uint8_t bad_utf8[] = {0x73, 0x69, 0x70, 0xff};

    set_ctx("process", "NULL pointers and parameters");
    new_key(MKC_MIKEY_KEY_KIND_PCK, key, &key_id);
    CHECK_RC(create(&g_alice, BOB, g_now, MKC_MIKEY_KEY_KIND_PCK, key, key_id, 0, msg, &len),
             MKC_RESULT_OK, "alice to bob");
    memset(&got, CANARY, sizeof got);
    CHECK_RC(mkc_client_mikey_process_imessage(NULL, u8(BOB), strlen(BOB), g_now, WINDOW, NULL,
                                               0, msg, len, &got),
             MKC_RESULT_NULL_PARAMETER, "client");
    CHECK_RC(mkc_client_mikey_process_imessage(g_bob.client, NULL, 5, g_now, WINDOW, NULL, 0,
                                               msg, len, &got),
             MKC_RESULT_NULL_PARAMETER, "identity");
    CHECK_RC(mkc_client_mikey_process_imessage(g_bob.client, u8(BOB), strlen(BOB), g_now, WINDOW,
                                               NULL, 5, msg, len, &got),
             MKC_RESULT_NULL_PARAMETER, "initiator_uri (NULL, 5)");
    CHECK_RC(mkc_client_mikey_process_imessage(g_bob.client, u8(BOB), strlen(BOB), g_now, WINDOW,
                                               NULL, 0, NULL, len, &got),
             MKC_RESULT_NULL_PARAMETER, "msg");
    CHECK_RC(mkc_client_mikey_process_imessage(g_bob.client, u8(BOB), strlen(BOB), g_now, WINDOW,
                                               NULL, 0, msg, len, NULL),
             MKC_RESULT_NULL_PARAMETER, "key_out");
    CHECK_RC(mkc_client_mikey_process_imessage(g_bob.client, bad_utf8, sizeof bad_utf8, g_now,
                                               WINDOW, NULL, 0, msg, len, &got),
             MKC_RESULT_INVALID_PARAMETER, "identity not UTF-8");
    CHECK_RC(mkc_client_mikey_process_imessage(g_bob.client, u8(BOB), strlen(BOB), g_now, WINDOW,
                                               bad_utf8, sizeof bad_utf8, msg, len, &got),
             MKC_RESULT_INVALID_PARAMETER, "initiator_uri not UTF-8");
    CHECK_RC(mkc_client_mikey_process_imessage(g_bob.client, u8(BOB), strlen(BOB), UINT64_MAX,
                                               WINDOW, NULL, 0, msg, len, &got),
             MKC_RESULT_INVALID_PARAMETER, "now beyond NTP time");
    CHECK_RC(mkc_client_mikey_process_imessage(g_alice.client, u8(BOB), strlen(BOB), g_now,
                                               WINDOW, NULL, 0, msg, len, &got),
             MKC_RESULT_NO_KEY_MATERIAL, "alice's client as bob: it holds no RSK of bob");
    CHECK(all_equal((const uint8_t *)&got, sizeof got, 0), "key_out zeroed on failure");

    set_ctx("process", "the views in key_out");
    CHECK_RC(process(&g_bob, g_now, NULL, msg, len, &got), MKC_RESULT_OK, "bob processes it");
    {
        /* initiator_uri and rand belong to the client: copied before the next call. */
        char uri[64];
        uint8_t rand1[RAND_BYTES];
        mkc_mikey_key again;
        CHECK(got.initiator_uri_len < sizeof uri && got.rand_len == RAND_BYTES, "lengths");
        if (got.initiator_uri_len < sizeof uri && got.rand_len == RAND_BYTES) {
            memcpy(uri, got.initiator_uri, got.initiator_uri_len);
            uri[got.initiator_uri_len] = '\0';
            memcpy(rand1, got.rand, RAND_BYTES);
            CHECK(strcmp(uri, ALICE) == 0, "initiator alice");
            CHECK_RC(create(&g_alice, BOB, g_now, MKC_MIKEY_KEY_KIND_PCK, key, key_id, 0, msg,
                            &len),
                     MKC_RESULT_OK, "a second message, the same key");
            CHECK_RC(process(&g_bob, g_now, NULL, msg, len, &again), MKC_RESULT_OK, "processed");
            CHECK(again.rand_len == RAND_BYTES && memcmp(again.rand, rand1, RAND_BYTES) != 0,
                  "a fresh RAND per message (the replay cache tells them apart)");
            kms_wipe(&again, sizeof again);
        }
    }
    kms_wipe(key, sizeof key);
    kms_wipe(&got, sizeof got);
}

/* ------------------------------------------------------------------------------------------ */
/* SDP                                                                                        */
/* ------------------------------------------------------------------------------------------ */

static void sdp_refused(const char *text, const char *what) {
    uint8_t out[64];
    size_t written = 77;
    memset(out, CANARY, sizeof out);
    CHECK_RC(mkc_mikey_from_sdp(text, strlen(text), out, sizeof out, &written),
             MKC_RESULT_MIKEY_MALFORMED, what);
    CHECK(all_equal(out, sizeof out, 0), "output zeroed on failure");
    CHECK_SIZE(written, 0, "*written 0 on failure");
}

static void sdp_accepted(const char *text, const uint8_t *want, size_t want_len,
                         const char *what) {
    uint8_t out[64];
    size_t written = 0;
    CHECK_RC(mkc_mikey_from_sdp(text, strlen(text), out, sizeof out, &written), MKC_RESULT_OK,
             what);
    CHECK(written == want_len && memcmp(out, want, want_len) == 0, "the octets");
}

static void test_sdp(void) {
    static const uint8_t msg[5] = {1, 26, 5, 1, 0xff};
    static const char want[] = "mikey ARoFAf8=";
    static const char bad_utf8[] = {'m', 'i', 'k', 'e', 'y', ' ', 'A', (char)0xff, 'A', 'A', 0};
    char text[64];
    uint8_t out[64];
    size_t written = 0;

    set_ctx("sdp", "to_sdp");
    memset(text, CANARY, sizeof text);
    CHECK_RC(mkc_mikey_to_sdp(msg, sizeof msg, text, sizeof text, &written), MKC_RESULT_OK,
             "five octets");
    CHECK(written == strlen(want) && memcmp(text, want, written) == 0, "mikey ARoFAf8=");
    CHECK((uint8_t)text[written] == CANARY, "no NUL written");
    written = 0;
    CHECK_RC(mkc_mikey_to_sdp(msg, sizeof msg, NULL, 0, &written), MKC_RESULT_BUFFER_TOO_SMALL,
             "(NULL, 0) asks the size");
    CHECK_SIZE(written, strlen(want), "14");
    memset(text, CANARY, sizeof text);
    CHECK_RC(mkc_mikey_to_sdp(msg, sizeof msg, text, strlen(want) - 1, &written),
             MKC_RESULT_BUFFER_TOO_SMALL, "one short");
    CHECK_SIZE(written, strlen(want), "the needed size");
    CHECK(all_equal((const uint8_t *)text, sizeof text, CANARY), "nothing written");
    CHECK_RC(mkc_mikey_to_sdp(NULL, 5, text, sizeof text, &written), MKC_RESULT_NULL_PARAMETER,
             "msg NULL");
    CHECK_RC(mkc_mikey_to_sdp(msg, sizeof msg, NULL, sizeof text, &written),
             MKC_RESULT_NULL_PARAMETER, "text_out NULL");
    CHECK_RC(mkc_mikey_to_sdp(msg, sizeof msg, text, sizeof text, NULL),
             MKC_RESULT_NULL_PARAMETER, "written NULL");
    memcpy(out, msg, sizeof msg);
    CHECK_RC(mkc_mikey_to_sdp(out, sizeof msg, (char *)out, sizeof out, &written),
             MKC_RESULT_INVALID_PARAMETER, "text_out overlapping msg");

    set_ctx("sdp", "from_sdp");
    sdp_accepted(want, msg, sizeof msg, "mikey <base64>");
    sdp_accepted("a=key-mgmt:mikey ARoFAf8=\r\n", msg, sizeof msg, "the whole attribute line");
    sdp_accepted("  mikey   ARoFAf8=  ", msg, sizeof msg, "white space around");
    sdp_accepted("mikey ARoFAf8", msg, sizeof msg, "without padding");
    sdp_accepted("mikey AAAA", (const uint8_t *)"\0\0\0", 3, "any base64 (checked later)");
    written = 0;
    CHECK_RC(mkc_mikey_from_sdp(want, strlen(want), NULL, 0, &written),
             MKC_RESULT_BUFFER_TOO_SMALL, "(NULL, 0) asks the size");
    CHECK_SIZE(written, sizeof msg, "5");
    memset(out, CANARY, sizeof out);
    CHECK_RC(mkc_mikey_from_sdp(want, strlen(want), out, 4, &written),
             MKC_RESULT_BUFFER_TOO_SMALL, "one short");
    CHECK_SIZE(written, sizeof msg, "the needed size");
    CHECK(all_equal(out, sizeof out, CANARY), "nothing written");
    /* The documented contract: a NULL input is MKC_RESULT_NULL_PARAMETER. */
    CHECK_RC(mkc_mikey_from_sdp(NULL, 5, out, sizeof out, &written), MKC_RESULT_NULL_PARAMETER,
             "text NULL");
    CHECK_RC(mkc_mikey_from_sdp(want, strlen(want), NULL, sizeof out, &written),
             MKC_RESULT_NULL_PARAMETER, "msg_out NULL");
    CHECK_RC(mkc_mikey_from_sdp(want, strlen(want), out, sizeof out, NULL),
             MKC_RESULT_NULL_PARAMETER, "written NULL");
    memcpy(text, want, sizeof want);
    CHECK_RC(mkc_mikey_from_sdp(text, strlen(want), (uint8_t *)text, sizeof text, &written),
             MKC_RESULT_INVALID_PARAMETER, "msg_out overlapping text");

    set_ctx("sdp", "garbage refused");
    sdp_refused("", "empty");
    sdp_refused("mikey", "no value");
    sdp_refused("mikey ", "an empty value");
    sdp_refused("mikey AR oF", "white space inside");
    sdp_refused("mikey ARo!", "not base64");
    sdp_refused("zrtp ARoFAf8=", "another protocol");
    sdp_refused("mikeyARoFAf8=", "no space after mikey");
    sdp_refused("mikey A", "one character");
    sdp_refused(bad_utf8, "not UTF-8");
    CHECK_RC(mkc_mikey_from_sdp(NULL, 0, out, sizeof out, &written), MKC_RESULT_MIKEY_MALFORMED,
             "(NULL, 0)");
}

/* ------------------------------------------------------------------------------------------ */

int main(void) {
    const char *url = getenv("KMS_URL"), *ca = getenv("KMS_CA");
    int ok;
    g_token_gms = getenv("KMS_TOKEN_GMS");
    g_token_alice = getenv("KMS_TOKEN_ALICE");
    g_token_bob = getenv("KMS_TOKEN_BOB");
    if (!url || !ca || !g_token_gms || !g_token_alice || !g_token_bob) {
        printf("test_mikey needs a running reference KMS: run it through "
               "scripts/run-with-kms.sh (KMS_URL, KMS_CA, KMS_TOKEN_* unset)\n");
        return 1;
    }
    CHECK(mkc_abi_version() == MKC_ABI_VERSION, "mkc_abi_version() equals MKC_ABI_VERSION");
    if (!kms_session_open(&g_kms, url, ca, NULL)) return 1;

    /* The offline checks first. */
    test_new_key();
    test_sdp();

    g_now = (uint64_t)time(NULL);
    set_ctx("provisioning", "");
    ok = provision(&g_gms, g_token_gms, g_now) && provision(&g_alice, g_token_alice, g_now) &&
         provision(&g_bob, g_token_bob, g_now);
    if (ok) {
        CHECK_RC(mkc_client_key_period(g_alice.client, g_now, &g_period, NULL, &g_end),
                 MKC_RESULT_OK, "mkc_client_key_period");
        test_group();
        test_round_trips();
        test_refusals();
        test_other_periods();
        test_create_contract();
        test_process_contract();
    }

    kms_user_free(&g_gms);
    kms_user_free(&g_alice);
    kms_user_free(&g_bob);
    kms_session_close(&g_kms);
    finish();
    return 0;
}
