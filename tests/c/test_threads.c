/*
 * test_threads.c: the thread rules of the header, exercised: one handle of each immutable type
 * (mkc_eccsi_public, mkc_eccsi_signer, mkc_kms, mkc_sakke_public, mkc_sakke_receiver) made
 * once and shared by 8 threads that use them all at once, with no lock of their own; a
 * provisioned client (mkc_client) shared the same way through its `const` calls only (sign,
 * verify, encapsulate, decapsulate, uid, key period), as the header allows while no mutating
 * call runs; and the stateless functions (mkc_uid_derive, mkc_random). The threads start
 * together at a barrier, so the SAKKE receivers' lazy tables (the bare receiver's and the
 * client's, built on their first decapsulation), the ECCSI verification handle's (built at
 * its first SSK validation) and the library's base-point tables (built on first use) are
 * built under contention. Every result is checked against the RFC 6507 / RFC 6508 vectors or by a round
 * trip.
 *
 * `make test-race` runs it under ThreadSanitizer (this program with -fsanitize=thread, the
 * library and its standard library built with -Zsanitizer=thread): any data race in the
 * library or here fails the run. make test-c runs it plainly too.
 *
 * Each thread keeps its own failure count (check.h's counters are not shared between
 * threads); the main thread adds them up after the joins. C99 and C++17 clean.
 */
/* pthread barriers are POSIX.1-2001: ask for it under strict C99. */
#define _POSIX_C_SOURCE 200112L

#include <mcptt_kmc.h>

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "check.h"

#define THREADS 8
/* Rounds per thread; each round makes every call once. Small: under ThreadSanitizer a SAKKE
 * decapsulation costs tens of milliseconds. */
#define ROUNDS 3

static const char ECCSI_KPAK[] =
    "0450d4670bde75244f28d2838a0d25558a7a72686d4522d4c8273fb6442aebfa"
    "93dbdd37551afd263b5dfd617f3960c65a8c298850ff99f20366dce7d4367217"
    "f4"
    "";
static const char ECCSI_ID[] =
    "323031312d30320074656c3a2b34343737303039303031323300"
    "";
static const char ECCSI_SSK[] =
    "23f374ae1f4033f3e9dbddaaef20f4cf0b86bbd5a138a5ae9e7e006b34489a0d"
    "";
static const char ECCSI_PVT[] =
    "04758a142779be89e829e71984cb40ef758cc4ad775fc5b9a3e1c8ed52f6fa36"
    "d9a79d247692f4eda3a6bdab77d6aa6474a464ae4934663c5265ba7018ba091f"
    "79"
    "";
static const char ECCSI_M[] =
    "6d65737361676500"
    "";
static const char ECCSI_SIGNATURE[] =
    "269d4c8fdeb66a74e4ef8c0d5dcc597ddfe6029c2affc4936008cd2cc1045d81"
    "e09b528d0ef8d6df1aa3ecbf80110cfcec9fc68252cebb679f4134846940ccfd"
    "04758a142779be89e829e71984cb40ef758cc4ad775fc5b9a3e1c8ed52f6fa36"
    "d9a79d247692f4eda3a6bdab77d6aa6474a464ae4934663c5265ba7018ba091f"
    "79"
    "";
static const char ECCSI_KSAK[] =
    "0000000000000000000000000000000000000000000000000000000000012345"
    "";
static const char SAKKE_Z[] =
    "aff429d35f84b110d094803b3595a6e2998bc99f"
    "";
static const char SAKKE_Z_POINT[] =
    "045958ef1b1679bf099b3a030df255aa6a23c1d8f143d4d23f753e69bd27a832"
    "f38cb4ad53ddef4260b0fe8bb45c4c1ff510effe300367a37b61f701d914aef0"
    "9724825fa0707d61a6dff4fbd7273566cdde352a0b04b7c16a78309be640697d"
    "e747613a5fc195e8b9f328852a579db8f99b1d0034479ea9c5595f47c4b2f54f"
    "f21508d37514dcf7a8e143a6058c09a6bf2c9858ca37c258065ae6bf7532bc8b"
    "5b63383866e0753c5ac0e72709f8445f2e6178e065857e0eda10f68206b63505"
    "ed87e534fb2831ff957fb7dc619dae61301eeacc2fda3680ea4999258a833cea"
    "8fc67c6d19487fb449059f26cc8aab655ab58b7cc796e24e9a394095754f5f8b"
    "ae"
    "";
static const char SAKKE_ID[] =
    "323031312d30320074656c3a2b34343737303039303031323300"
    "";
static const char SAKKE_RSK[] =
    "0493af67e5007ba6e6a80da793da300fa4b52d0a74e25e6e7b2b3d6ee9d18a9b"
    "5c5023597bd82d8062d34019563ba1d25c0dc56b7b979d74aa50f29fbf11cc2c"
    "93f5dfca615e609279f6175ceadb00b58c6bee1e7a2a47c4f0c456f05259a6fa"
    "94a634a40dae1df593d4fecf688d5fc678be7efc6df3d6835325b83b2c6e6903"
    "6b155f0a27241094b04bfb0bdfac6c670a65c325d39a069f03659d44ca27d3be"
    "8df311172b554160181cbe94a2a783320ced590bc42644702cf371271e496bf2"
    "0f588b78a1bc01ecbb6559934bdd2fb65d2884318a33d1a42adf5e33cc580028"
    "0b28356497f87135bab9612a17260424409ac15fee996b744c332151235decb0"
    "f5"
    "";
static const char SAKKE_SSV[] =
    "123456789abcdef0123456789abcdef0"
    "";
static const char SAKKE_ENCAPSULATED_DATA[] =
    "0444e8ad44ab8592a6a5a3ddca5cf896c718043606a01d650def37a01f37c228"
    "c332fc317354e2c274d4daf8ad001054c76ce57971c6f4486d5723043261c506"
    "ebf5be438f53de04f067c776e0dd3b71a6290133283725a532f21af145126dc1"
    "d777ecc27be50835bd28098b8a73d9f801d893793a41ff5c49b87e79f2be4d56"
    "ce557e134ad85bb1d4b9ce4f8be4b08a12babf55b1d6f1d7a638019ea28e15ab"
    "1c9f76375fdd1210d4f4351b9a009486b7f3ed46c965ded2d80dade4f38c6721"
    "d52c3ad103a10ebd2959248b4ef006836bf097448e6107c9edee9fb704823df1"
    "99f832c905ae45f8a247a072d8ef729eabc5e27574b07739b34be74a532f747b"
    "8689e0bc661aa1e91638e6acc84e496507"
    "";

#define KPAK_BYTES 65
#define PVT_BYTES 65
#define SSK_BYTES 32
#define SIG_BYTES 129
#define PT_BYTES 257
#define Z_BYTES 128
#define SSV_BYTES 16
#define SED_BYTES 273
#define ECCSI_ID_BYTES (sizeof ECCSI_ID / 2)
#define SAKKE_ID_BYTES (sizeof SAKKE_ID / 2)
#define MSG_BYTES (sizeof ECCSI_M / 2)

/* The vectors as octets (decoded once, before the threads start; only read afterwards). */
static uint8_t kpak[KPAK_BYTES], eccsi_id[ECCSI_ID_BYTES], ssk[SSK_BYTES], pvt[PVT_BYTES];
static uint8_t msg[MSG_BYTES], sig[SIG_BYTES], ksak[SSK_BYTES], z[Z_BYTES];
static uint8_t z_t[PT_BYTES], sakke_id[SAKKE_ID_BYTES], rsk[PT_BYTES], ssv[SSV_BYTES];
static uint8_t sed[SED_BYTES];

/* The shared handles. */
static const mkc_eccsi_public *g_public;
static const mkc_eccsi_signer *g_signer;
static const mkc_kms *g_kms;
static const mkc_sakke_public *g_sakke_public;
static const mkc_sakke_receiver *g_receiver;
static mkc_client *g_client; /* only `const mkc_client *` calls once the threads run */

/* The client's user, KMS and time (a provisioned key period of the KMS g_kms). */
static const char USER[] = "sip:alice@example.org";
static const char KMS_URI[] = "kms.example.org";
#define NOW 1800000000u
#define KEY_PERIOD_S 2592000u

static mkc_str str_of(const char *s) {
    mkc_str out;
    out.ptr = (const uint8_t *)s;
    out.len = strlen(s);
    return out;
}

static pthread_barrier_t g_start;

struct worker {
    int index;
    unsigned long checks;
    unsigned long failures;
    char first_failure[160];
};

static void expect(struct worker *w, int ok, const char *what) {
    w->checks++;
    if (!ok && w->failures++ == 0) {
        snprintf(w->first_failure, sizeof w->first_failure, "%s", what);
    }
}

static void *work(void *arg) {
    struct worker *w = (struct worker *)arg;
    pthread_barrier_wait(&g_start);
    for (int round = 0; round < ROUNDS; round++) {
        /* The receiver first: every thread decapsulates at once on round 0, while its table
         * is being built. */
        uint8_t out[SSV_BYTES];
        size_t written = 0;
        expect(w, mkc_sakke_decapsulate(g_receiver, sed, sizeof sed, out, sizeof out, &written)
                          == MKC_RESULT_OK && written == SSV_BYTES && memcmp(out, ssv, SSV_BYTES) == 0,
               "decapsulate the RFC 6508 SED");

        /* Encapsulate a fresh SSV to the receiver's identifier and take it back. */
        uint8_t mine[SSV_BYTES], back[SSV_BYTES], my_sed[SED_BYTES];
        expect(w, mkc_random(mine, sizeof mine) == MKC_RESULT_OK, "random SSV");
        expect(w, mkc_sakke_encapsulate(g_sakke_public, sakke_id, sizeof sakke_id, mine,
                                        sizeof mine, my_sed, sizeof my_sed, &written)
                          == MKC_RESULT_OK && written == SED_BYTES,
               "encapsulate");
        expect(w, mkc_sakke_decapsulate(g_receiver, my_sed, sizeof my_sed, back, sizeof back,
                                        &written) == MKC_RESULT_OK
                          && memcmp(back, mine, SSV_BYTES) == 0,
               "decapsulate our own SED");

        /* ECCSI: the RFC signature verifies; our own signature verifies; a changed one not. */
        expect(w, mkc_eccsi_verify(g_public, eccsi_id, sizeof eccsi_id, msg, sizeof msg, sig,
                                   sizeof sig) == MKC_RESULT_OK,
               "verify the RFC 6507 signature");
        uint8_t my_sig[SIG_BYTES];
        uint8_t my_msg[2] = {(uint8_t)w->index, (uint8_t)round};
        expect(w, mkc_eccsi_sign(g_signer, my_msg, sizeof my_msg, my_sig, sizeof my_sig,
                                 &written) == MKC_RESULT_OK && written == SIG_BYTES,
               "sign");
        expect(w, mkc_eccsi_verify(g_public, eccsi_id, sizeof eccsi_id, my_msg, sizeof my_msg,
                                   my_sig, sizeof my_sig) == MKC_RESULT_OK,
               "verify our signature");
        my_sig[40] ^= 1;
        expect(w, mkc_eccsi_verify(g_public, eccsi_id, sizeof eccsi_id, my_msg, sizeof my_msg,
                                   my_sig, sizeof my_sig) == MKC_RESULT_VERIFY_FAILED,
               "a changed signature fails");

        /* The KMS issues for a per-thread identifier; the keys make a valid signer. */
        uint8_t id[16] = "thread-..", issued_ssk[SSK_BYTES], issued_pvt[PVT_BYTES];
        id[7] = (uint8_t)w->index;
        id[8] = (uint8_t)round;
        expect(w, mkc_kms_issue_eccsi(g_kms, id, sizeof id, issued_ssk, sizeof issued_ssk,
                                      issued_pvt, sizeof issued_pvt) == MKC_RESULT_OK,
               "issue an SSK");
        const mkc_eccsi_signer *signer = NULL;
        expect(w, mkc_eccsi_signer_new(kpak, sizeof kpak, id, sizeof id, issued_ssk,
                                       sizeof issued_ssk, issued_pvt, sizeof issued_pvt,
                                       &signer) == MKC_RESULT_OK,
               "the issued SSK validates");
        mkc_eccsi_signer_free(signer);
        /* The same under the shared verification handle, whose lazy KPAK tables (built at its
         * first SSK validation) are built under contention. */
        signer = NULL;
        expect(w, mkc_eccsi_signer_new_with_public(g_public, id, sizeof id, issued_ssk,
                                                   sizeof issued_ssk, issued_pvt,
                                                   sizeof issued_pvt,
                                                   &signer) == MKC_RESULT_OK,
               "the issued SSK validates under the verification handle");
        mkc_eccsi_signer_free(signer);

        /* The client, through its const calls: sign and verify as alice, encapsulate to her
         * and decapsulate with her RSK (the client's receiver table, also built on first
         * use), her UID and the key period. */
        const mkc_client *client = g_client;
        const uint8_t *user = (const uint8_t *)USER;
        size_t user_len = sizeof USER - 1;
        expect(w, mkc_client_decapsulate(client, user, user_len, NOW, my_sed, sizeof my_sed,
                                         back, sizeof back, &written) != MKC_RESULT_OK,
               "the client refuses a SED for another identifier");
        uint8_t client_sed[SED_BYTES], client_ssv[SSV_BYTES];
        expect(w, mkc_client_encapsulate(client, user, user_len, NOW, mine, sizeof mine,
                                         client_sed, sizeof client_sed, &written) == MKC_RESULT_OK,
               "client encapsulate");
        expect(w, mkc_client_decapsulate(client, user, user_len, NOW, client_sed,
                                         sizeof client_sed, client_ssv, sizeof client_ssv,
                                         &written) == MKC_RESULT_OK
                          && memcmp(client_ssv, mine, SSV_BYTES) == 0,
               "client decapsulate");
        expect(w, mkc_client_sign(client, user, user_len, NOW, my_msg, sizeof my_msg, my_sig,
                                  sizeof my_sig, &written) == MKC_RESULT_OK,
               "client sign");
        expect(w, mkc_client_verify(client, user, user_len, NOW, my_msg, sizeof my_msg, my_sig,
                                    sizeof my_sig) == MKC_RESULT_OK,
               "client verify");
        uint8_t client_uid[32];
        uint64_t period = 0, start = 0, end = 0;
        expect(w, mkc_client_uid(client, user, user_len, NOW, client_uid, sizeof client_uid)
                      == MKC_RESULT_OK,
               "client UID");
        expect(w, mkc_client_key_period(client, NOW, &period, &start, &end) == MKC_RESULT_OK
                      && start <= NOW && NOW < end,
               "client key period");

        /* Stateless functions. */
        uint8_t uid[32];
        static const char uri[] = "sip:alice@example.org";
        static const char kms_uri[] = "kms.example.org";
        expect(w, mkc_uid_derive((const uint8_t *)uri, sizeof uri - 1,
                                 (const uint8_t *)kms_uri, sizeof kms_uri - 1, 2592000, 0, 1545,
                                 uid, sizeof uid) == MKC_RESULT_OK,
               "UID");
    }
    return NULL;
}

/* Provisions g_client for alice from g_kms at NOW, answering its requests with the KMS's
 * own responses (no HTTP): the init response, then the key set of its key period. */
static void provision(void) {
    mkc_client_config config;
    CHECK_RC(mkc_client_config_init(&config), MKC_RESULT_OK, "config init");
    config.kms_url = str_of("https://kms.example.org");
    config.user_uri = str_of(USER);
    config.expected_kms_uri = str_of(KMS_URI);
    CHECK_RC(mkc_client_new(&config, &g_client), MKC_RESULT_OK, "client");
    if (!g_client) {
        return;
    }
    static const char token[] = "token";
    CHECK_RC(mkc_client_set_access_token(g_client, (const uint8_t *)token, sizeof token - 1),
             MKC_RESULT_OK, "token");
    mkc_kms_params params;
    memset(&params, 0, sizeof params);
    params.kms_uri = str_of(KMS_URI);
    params.key_period_s = KEY_PERIOD_S;
    params.key_offset_s = 0;
    params.id_encoding = 0;
    static uint8_t xml[8192];
    int ready = 0;
    for (int i = 0; i < 16 && !ready; i++) {
        mkc_output out;
        CHECK_RC(mkc_client_poll_output(g_client, NOW, &out), MKC_RESULT_OK, "poll");
        if (out.kind == MKC_OUTPUT_KIND_EVENT) {
            ready = out.event.kind == MKC_EVENT_KIND_KEY_MATERIAL_READY;
            continue;
        }
        if (out.kind != MKC_OUTPUT_KIND_REQUEST) {
            break;
        }
        mkc_str url;
        url.ptr = (const uint8_t *)out.request.url;
        url.len = out.request.url_len;
        size_t written = 0;
        int init = url.len >= 5 && memcmp(out.request.url + url.len - 5, "/init", 5) == 0;
        if (init) {
            CHECK_RC(mkc_kms_init_response_xml(g_kms, &params, str_of(USER), url, NOW, xml,
                                               sizeof xml, &written),
                     MKC_RESULT_OK, "init response");
        } else {
            uint64_t period = 0, start = 0, end = 0;
            CHECK_RC(mkc_client_key_period(g_client, NOW, &period, &start, &end), MKC_RESULT_OK,
                     "key period");
            CHECK_RC(mkc_kms_keyprov_response_xml(g_kms, &params, str_of(USER), url, NOW, period,
                                                  xml, sizeof xml, &written),
                     MKC_RESULT_OK, "keyprov response");
        }
        uint64_t id = out.request.id;
        CHECK_RC(mkc_client_handle_response(g_client, NOW, id, 200, xml, written), MKC_RESULT_OK,
                 "handle response");
    }
    CHECK(ready, "alice's key material ready");
}

int main(void) {
    unhex(ECCSI_KPAK, kpak, sizeof kpak);
    unhex(ECCSI_ID, eccsi_id, sizeof eccsi_id);
    unhex(ECCSI_SSK, ssk, sizeof ssk);
    unhex(ECCSI_PVT, pvt, sizeof pvt);
    unhex(ECCSI_M, msg, sizeof msg);
    unhex(ECCSI_SIGNATURE, sig, sizeof sig);
    unhex(ECCSI_KSAK, ksak, sizeof ksak);
    /* RFC 6508's z is 20 octets: left-pad it to 128. */
    memset(z, 0, sizeof z);
    unhex(SAKKE_Z, z + sizeof z - (sizeof SAKKE_Z / 2), sizeof SAKKE_Z / 2);
    unhex(SAKKE_Z_POINT, z_t, sizeof z_t);
    unhex(SAKKE_ID, sakke_id, sizeof sakke_id);
    unhex(SAKKE_RSK, rsk, sizeof rsk);
    unhex(SAKKE_SSV, ssv, sizeof ssv);
    unhex(SAKKE_ENCAPSULATED_DATA, sed, sizeof sed);

    set_ctx("handles", "");
    CHECK_RC(mkc_eccsi_public_new(kpak, sizeof kpak, &g_public), MKC_RESULT_OK, "ECCSI public");
    CHECK_RC(mkc_eccsi_signer_new(kpak, sizeof kpak, eccsi_id, sizeof eccsi_id, ssk, sizeof ssk,
                                  pvt, sizeof pvt, &g_signer),
             MKC_RESULT_OK, "ECCSI signer");
    CHECK_RC(mkc_kms_new_from_secrets(ksak, sizeof ksak, z, sizeof z, &g_kms), MKC_RESULT_OK,
             "KMS");
    CHECK_RC(mkc_sakke_public_new(z_t, sizeof z_t, &g_sakke_public), MKC_RESULT_OK,
             "SAKKE public");
    CHECK_RC(mkc_sakke_receiver_new(z_t, sizeof z_t, sakke_id, sizeof sakke_id, rsk, sizeof rsk,
                                    &g_receiver),
             MKC_RESULT_OK, "SAKKE receiver");
    set_ctx("client", "provisioning");
    provision();
    if (g_failed) {
        finish();
    }

    set_ctx("threads", "");
    pthread_t threads[THREADS];
    struct worker workers[THREADS];
    CHECK(pthread_barrier_init(&g_start, NULL, THREADS) == 0, "barrier");
    for (int i = 0; i < THREADS; i++) {
        memset(&workers[i], 0, sizeof workers[i]);
        workers[i].index = i;
        CHECK(pthread_create(&threads[i], NULL, work, &workers[i]) == 0, "pthread_create");
    }
    for (int i = 0; i < THREADS; i++) {
        CHECK(pthread_join(threads[i], NULL) == 0, "pthread_join");
        g_passed += workers[i].checks - workers[i].failures;
        g_failed += workers[i].failures;
        if (workers[i].failures) {
            printf("FAIL thread %d: %lu of %lu checks failed, first: %s\n", i,
                   workers[i].failures, workers[i].checks, workers[i].first_failure);
        }
    }
    pthread_barrier_destroy(&g_start);

    mkc_client_free(g_client);
    mkc_sakke_receiver_free(g_receiver);
    mkc_sakke_public_free(g_sakke_public);
    mkc_kms_free(g_kms);
    mkc_eccsi_signer_free(g_signer);
    mkc_eccsi_public_free(g_public);
    finish();
}
