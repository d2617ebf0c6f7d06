/*
 * test_partner.c: partner KMS domains (TS 33.180 5.2.7) through the shared library against two
 * real reference KMS instances over HTTPS (examples/c/kms_session.c): alice provisioned by the
 * home KMS (kms.example.org), carol by the partner KMS (partner.example.net), each getting the
 * other's certificate from her own KMS's certificate cache (mkc_client_set_certcache_interval);
 * mkc_client_partner_status; a PCK in an I_MESSAGE each way
 * (mkc_client_mikey_create_imessage_with_params with responder_kms_uri), with and without
 * hidden identities; a domain nobody vouches for (MKC_RESULT_MIKEY_UNKNOWN_KMS), a message
 * to carol that does not name her domain; a cache
 * answer with nothing new; then the home KMS revokes carol's domain (control mode
 * `partner-revoked`): alice's next cache answer removes it (PARTNER_CERTIFICATE_REMOVED,
 * MKC_REJECTION_REVOKED), and carol's I_MESSAGE and one to carol are refused
 * (MKC_RESULT_MIKEY_KMS_REVOKED), while alice's domain stays valid for carol, whose KMS revoked
 * nothing.
 *
 * Run it through scripts/run-with-kms.sh --partner, which starts both servers and sets KMS_URL,
 * KMS_CA, KMS_TOKEN_ALICE, KMS_CONTROL_TOKEN, PARTNER_KMS_URL, PARTNER_KMS_CA and
 * KMS_TOKEN_CAROL (`make test-c` does). Built and run three ways like the other C tests: C99
 * under valgrind, C++17, C99 with ASan/UBSan. Prints one line per failed check and "N passed,
 * M failed"; exits 0 only if every check passed.
 */
#include "check.h"

#include "kms_session.h"

#include <inttypes.h>
#include <time.h>

#define HOME "kms.example.org"
#define PARTNER "partner.example.net"
#define UNKNOWN "unknown.example.com"
#define ALICE "sip:alice@example.org"
#define CAROL "sip:carol@partner.example.net"
#define DAVE "sip:dave@unknown.example.com"

#define INTERVAL 86400u
#define WINDOW 300u
#define MSG_CAP 1024

static struct kms_session g_home, g_partner;
static const char *g_control_token;
static struct kms_user g_alice = KMS_USER_INIT("alice", ALICE);
static struct kms_user g_carol = KMS_USER_INIT("carol", CAROL);
/* The time the tests run at. */
static uint64_t g_now;

static const uint8_t *u8(const char *s) { return (const uint8_t *)s; }

/* ------------------------------------------------------------------------------------------ */
/* Helpers                                                                                    */
/* ------------------------------------------------------------------------------------------ */

/* Starts u's client at session s with the certificate cache asked daily, and provisions it at
 * `now`: 1 when it got both keys and one partner certificate, cleanly. */
static int provision(struct kms_session *s, struct kms_user *u, const char *token, uint64_t now) {
    int made = kms_user_start(s, u, token);
    CHECK(made, "client made, token set");
    if (!made) return 0;
    CHECK_RC(mkc_client_set_certcache_interval(u->client, INTERVAL), MKC_RESULT_OK,
             "mkc_client_set_certcache_interval");
    CHECK(kms_drive(s, u, now), "kms_drive settles");
    CHECK(u->problems == 0, "no trouble while provisioning");
    CHECK(u->ready >= 1, "KEY_MATERIAL_READY with both keys");
    CHECK(u->partners_installed == 1, "one PARTNER_CERTIFICATE_INSTALLED (the other domain)");
    CHECK(u->partners_removed == 0, "no PARTNER_CERTIFICATE_REMOVED");
    return u->problems == 0 && u->ready >= 1 && u->partners_installed == 1;
}

static uint32_t status_of(const struct kms_user *u, const char *kms_uri, uint64_t now) {
    uint32_t status = CANARY;
    CHECK_RC(mkc_client_partner_status(u->client, u8(kms_uri), strlen(kms_uri), now, &status),
             MKC_RESULT_OK, "mkc_client_partner_status");
    return status;
}

/* A PCK message from `from` to `to` of domain `to_kms` (NULL: ours) at `now`, into msg. */
static uint32_t create(const struct kms_user *from, const char *to, const char *to_kms,
                       uint64_t now, const uint8_t *key, uint32_t key_id, uint32_t flags,
                       uint8_t *msg, size_t *msg_len) {
    return (uint32_t)mkc_client_mikey_create_imessage_with_params(
        from->client, u8(from->uri), strlen(from->uri), u8(to), strlen(to),
        to_kms ? u8(to_kms) : NULL, to_kms ? strlen(to_kms) : 0, now, MKC_MIKEY_KEY_KIND_PCK,
        key, MKC_MIKEY_KEY_BYTES, key_id, flags, NULL, 0, NULL, NULL, 0, NULL, 0, msg, MSG_CAP,
        msg_len);
}

/* `u` processes msg as its own URI at `now`; initiator NULL: not given. */
static uint32_t process(const struct kms_user *u, uint64_t now, const char *initiator,
                        const uint8_t *msg, size_t msg_len, mkc_mikey_key *out) {
    return (uint32_t)mkc_client_mikey_process_imessage(
        u->client, u8(u->uri), strlen(u->uri), now, WINDOW, initiator ? u8(initiator) : NULL,
        initiator ? strlen(initiator) : 0, msg, msg_len, out);
}

/* A refusal: `want`, and *out zeroed. */
static void refused(const struct kms_user *u, uint64_t now, const char *initiator,
                    const uint8_t *msg, size_t msg_len, uint32_t want, const char *what) {
    mkc_mikey_key out;
    memset(&out, CANARY, sizeof out);
    CHECK_RC(process(u, now, initiator, msg, msg_len, &out), want, what);
    CHECK(all_equal((const uint8_t *)&out, sizeof out, 0), "key_out zeroed");
}

/* A fresh PCK from `from` to `to` (domain `to_kms`), processed by `to`: the same key, ID and
 * initiator. `flags` 0 or MKC_MIKEY_HIDE_IDENTITIES (then `to` is told the initiator). */
static void round_trip(const struct kms_user *from, const struct kms_user *to,
                       const char *to_kms, uint32_t flags) {
    uint8_t key[MKC_MIKEY_KEY_BYTES], msg[MSG_CAP];
    uint32_t key_id = 0;
    size_t msg_len = 0;
    mkc_mikey_key got;
    const char *initiator = flags & MKC_MIKEY_HIDE_IDENTITIES ? from->uri : NULL;
    memset(&got, 0, sizeof got);
    CHECK_RC(mkc_mikey_new_key(MKC_MIKEY_KEY_KIND_PCK, key, sizeof key, &key_id), MKC_RESULT_OK,
             "mkc_mikey_new_key");
    CHECK_RC(create(from, to->uri, to_kms, g_now, key, key_id, flags, msg, &msg_len),
             MKC_RESULT_OK, "create to the other domain");
    CHECK(msg_len > 0 && msg_len < MSG_CAP, "a message was written");
    CHECK_RC(process(to, (uint64_t)time(NULL), initiator, msg, msg_len, &got), MKC_RESULT_OK,
             "the responder processes it");
    CHECK(got.kind == MKC_MIKEY_KEY_KIND_PCK, "kind PCK");
    CHECK(got.key_id == key_id, "the same PCK-ID");
    CHECK(memcmp(got.key, key, sizeof key) == 0, "the same PCK");
    CHECK(got.initiator_uri != NULL && got.initiator_uri_len == strlen(from->uri) &&
              memcmp(got.initiator_uri, from->uri, got.initiator_uri_len) == 0,
          "the initiator's URI");
    CHECK(got.via_sakke_to_self == 0, "not through SAKKE-to-self");
    kms_wipe(key, sizeof key);
    kms_wipe(&got, sizeof got);
}

/* ------------------------------------------------------------------------------------------ */
/* The home KMS's control endpoint                                                            */
/* ------------------------------------------------------------------------------------------ */

static size_t discard(char *ptr, size_t size, size_t nmemb, void *userdata) {
    (void)ptr;
    (void)userdata;
    return size * nmemb;
}

/* POST /control/misbehave with `mode` as the body, to the home KMS. */
static void home_misbehave(const char *mode) {
    char url[256], auth[256];
    struct curl_slist *headers;
    CURL *curl = curl_easy_init();
    long status = 0;
    CURLcode rc = CURLE_FAILED_INIT;
    snprintf(url, sizeof url, "%s/control/misbehave", g_home.kms_url);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", g_control_token);
    headers = curl_slist_append(NULL, auth);
    if (curl != NULL && headers != NULL) {
        rc = curl_easy_setopt(curl, CURLOPT_URL, url);
        if (rc == CURLE_OK) rc = curl_easy_setopt(curl, CURLOPT_CAINFO, g_home.ca_file);
        if (rc == CURLE_OK) rc = curl_easy_setopt(curl, CURLOPT_POST, 1L);
        if (rc == CURLE_OK) rc = curl_easy_setopt(curl, CURLOPT_POSTFIELDS, mode);
        if (rc == CURLE_OK) rc = curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)strlen(mode));
        if (rc == CURLE_OK) rc = curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
        if (rc == CURLE_OK) rc = curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
        if (rc == CURLE_OK) rc = curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
        if (rc == CURLE_OK) rc = curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
        if (rc == CURLE_OK) rc = curl_easy_perform(curl);
        if (rc == CURLE_OK) rc = curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    }
    CHECK(rc == CURLE_OK && status == 200, "control request answered 200");
    if (rc != CURLE_OK || status != 200) {
        printf("  control misbehave %s: %s, HTTP %ld\n", mode, curl_easy_strerror(rc), status);
    }
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
}

/* ------------------------------------------------------------------------------------------ */
/* Tests                                                                                      */
/* ------------------------------------------------------------------------------------------ */

static void test_status(void) {
    uint32_t status = CANARY;
    static const uint8_t bad_utf8[] = {0xff, 0xfe};
    set_ctx("mkc_client_partner_status", "");
    CHECK(status_of(&g_alice, HOME, g_now) == MKC_PARTNER_STATUS_VALID, "alice: her own KMS");
    CHECK(status_of(&g_alice, PARTNER, g_now) == MKC_PARTNER_STATUS_VALID, "alice: carol's");
    CHECK(status_of(&g_alice, UNKNOWN, g_now) == MKC_PARTNER_STATUS_UNKNOWN, "alice: unknown");
    CHECK(status_of(&g_carol, PARTNER, g_now) == MKC_PARTNER_STATUS_VALID, "carol: her own KMS");
    CHECK(status_of(&g_carol, HOME, g_now) == MKC_PARTNER_STATUS_VALID, "carol: alice's");
    CHECK(status_of(&g_carol, UNKNOWN, g_now) == MKC_PARTNER_STATUS_UNKNOWN, "carol: unknown");
    CHECK_RC(mkc_client_partner_status(g_alice.client, bad_utf8, sizeof bad_utf8, g_now, &status),
             MKC_RESULT_INVALID_PARAMETER, "a KmsUri not UTF-8");
    CHECK(status == 0, "status 0 on failure");
    CHECK_RC(mkc_client_partner_status(NULL, u8(HOME), strlen(HOME), g_now, &status),
             MKC_RESULT_NULL_PARAMETER, "NULL client");
    CHECK_RC(mkc_client_partner_status(g_alice.client, u8(HOME), strlen(HOME), g_now, NULL),
             MKC_RESULT_NULL_PARAMETER, "NULL status_out");
}

static void test_exchange(void) {
    set_ctx("exchange", "alice to carol");
    round_trip(&g_alice, &g_carol, PARTNER, 0);
    set_ctx("exchange", "carol to alice");
    round_trip(&g_carol, &g_alice, HOME, 0);
    set_ctx("exchange", "alice to carol, identities hidden");
    round_trip(&g_alice, &g_carol, PARTNER, MKC_MIKEY_HIDE_IDENTITIES);
    set_ctx("exchange", "carol to alice, identities hidden");
    round_trip(&g_carol, &g_alice, HOME, MKC_MIKEY_HIDE_IDENTITIES);
}

static void test_unknown(void) {
    uint8_t key[MKC_MIKEY_KEY_BYTES], msg[MSG_CAP];
    uint32_t key_id = 0;
    size_t msg_len = 0;
    set_ctx("refusals", "unknown domain");
    CHECK_RC(mkc_mikey_new_key(MKC_MIKEY_KEY_KIND_PCK, key, sizeof key, &key_id), MKC_RESULT_OK,
             "mkc_mikey_new_key");
    CHECK_RC(create(&g_alice, DAVE, UNKNOWN, g_now, key, key_id, 0, msg, &msg_len),
             MKC_RESULT_MIKEY_UNKNOWN_KMS, "alice to a domain nobody vouches for");
    /* alice's message to carol without naming carol's domain: the PCK is encapsulated under
     * alice's own domain, to which carol's keys do not belong: carol cannot take it. */
    set_ctx("refusals", "to carol in alice's own domain");
    CHECK_RC(create(&g_alice, CAROL, NULL, g_now, key, key_id, 0, msg, &msg_len), MKC_RESULT_OK,
             "alice to carol as if in her own domain");
    {
        mkc_mikey_key got;
        uint32_t rc;
        memset(&got, 0, sizeof got);
        rc = process(&g_carol, (uint64_t)time(NULL), NULL, msg, msg_len, &got);
        CHECK(rc != MKC_RESULT_OK, "carol cannot read it");
        CHECK(all_equal((const uint8_t *)&got, sizeof got, 0), "key_out zeroed");
    }
    kms_wipe(key, sizeof key);
}

/* alice's next cache answer, with nothing new, then with carol's domain revoked. */
static void test_revocation(void) {
    uint8_t key[MKC_MIKEY_KEY_BYTES], msg[MSG_CAP], from_carol[MSG_CAP];
    uint32_t key_id = 0;
    size_t msg_len = 0, from_carol_len = 0;
    uint64_t later = g_now + INTERVAL + 1, later2 = g_now + 2 * (INTERVAL + 1);
    unsigned installed = g_alice.partners_installed;

    set_ctx("certcache", "nothing new");
    CHECK(kms_drive(&g_home, &g_alice, later), "kms_drive settles");
    CHECK(g_alice.problems == 0, "no trouble");
    CHECK(g_alice.partners_installed == installed && g_alice.partners_removed == 0,
          "no partner event");
    CHECK(status_of(&g_alice, PARTNER, g_now) == MKC_PARTNER_STATUS_VALID, "carol's still valid");

    /* carol's I_MESSAGE, sent before alice learns of the revocation. */
    CHECK_RC(mkc_mikey_new_key(MKC_MIKEY_KEY_KIND_PCK, key, sizeof key, &key_id), MKC_RESULT_OK,
             "mkc_mikey_new_key");
    CHECK_RC(create(&g_carol, ALICE, HOME, g_now, key, key_id, 0, from_carol, &from_carol_len),
             MKC_RESULT_OK, "carol to alice");

    set_ctx("certcache", "partner-revoked");
    home_misbehave("partner-revoked");
    CHECK(kms_drive(&g_home, &g_alice, later2), "kms_drive settles");
    CHECK(g_alice.partners_removed == 1, "one PARTNER_CERTIFICATE_REMOVED");
    CHECK(g_alice.last_rejection == MKC_REJECTION_REVOKED, "rejection MKC_REJECTION_REVOKED");
    CHECK(g_alice.partners_installed == installed, "nothing installed");
    CHECK(status_of(&g_alice, PARTNER, g_now) == MKC_PARTNER_STATUS_REVOKED, "carol's revoked");
    CHECK(status_of(&g_alice, HOME, g_now) == MKC_PARTNER_STATUS_VALID, "alice's own still valid");

    set_ctx("revoked", "");
    refused(&g_alice, (uint64_t)time(NULL), NULL, from_carol, from_carol_len,
            MKC_RESULT_MIKEY_KMS_REVOKED, "alice refuses carol's I_MESSAGE");
    msg_len = CANARY;
    CHECK_RC(create(&g_alice, CAROL, PARTNER, g_now, key, key_id, 0, msg, &msg_len),
             MKC_RESULT_MIKEY_KMS_REVOKED, "alice cannot send to carol's domain");

    /* carol's KMS revoked nothing: alice's domain stays valid for her. */
    set_ctx("revoked", "carol's side");
    CHECK(status_of(&g_carol, HOME, g_now) == MKC_PARTNER_STATUS_VALID, "alice's still valid");
    kms_wipe(key, sizeof key);
}

/* ------------------------------------------------------------------------------------------ */

int main(void) {
    const char *url = getenv("KMS_URL"), *ca = getenv("KMS_CA");
    const char *partner_url = getenv("PARTNER_KMS_URL"), *partner_ca = getenv("PARTNER_KMS_CA");
    const char *token_alice = getenv("KMS_TOKEN_ALICE"), *token_carol = getenv("KMS_TOKEN_CAROL");
    int ok;
    g_control_token = getenv("KMS_CONTROL_TOKEN");
    if (!url || !ca || !partner_url || !partner_ca || !token_alice || !token_carol ||
        !g_control_token) {
        printf("test_partner needs two running reference KMSs: run it through "
               "scripts/run-with-kms.sh --partner (KMS_URL, PARTNER_KMS_URL, ... unset)\n");
        return 1;
    }
    CHECK(mkc_abi_version() == MKC_ABI_VERSION, "mkc_abi_version() equals MKC_ABI_VERSION");
    if (!kms_session_open_domain(&g_home, url, ca, HOME, NULL)) return 1;
    if (!kms_session_open_domain(&g_partner, partner_url, partner_ca, PARTNER, NULL)) {
        kms_session_close(&g_home);
        return 1;
    }

    g_now = (uint64_t)time(NULL);
    set_ctx("provisioning", "");
    ok = provision(&g_home, &g_alice, token_alice, g_now) &&
         provision(&g_partner, &g_carol, token_carol, g_now);
    if (ok) {
        test_status();
        test_exchange();
        test_unknown();
        test_revocation();
    }

    kms_user_free(&g_alice);
    kms_user_free(&g_carol);
    kms_session_close(&g_partner);
    kms_session_close(&g_home);
    finish();
    return 0;
}
