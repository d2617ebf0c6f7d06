/*
 * provisioning_demo.c: two MCPTT users get their keys from a KMS (3GPP TS 33.180 Annex D) with
 * the mcptt-kmc provisioning client, then use them. Copy from here.
 *
 *   1. Each user makes a client (mkc_client_new) and gives it the OAuth bearer token it got
 *      from the identity management server (mkc_client_set_access_token). The client is
 *      sans-IO: the app polls it (mkc_client_poll_output), sends each request it asks for over
 *      HTTPS (here with libcurl), and feeds back the HTTP status and body
 *      (mkc_client_handle_response) or reports a transport failure (mkc_client_handle_failure).
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
 * Build:  cc -std=c99 -Iinclude provisioning_demo.c -Ltarget/release -lmcptt_kmc -lcurl
 * Exit status: 0 when every step worked, 1 otherwise.
 */
#include <mcptt_kmc.h>

#include <curl/curl.h>

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ALICE_URI "sip:alice@example.org"
#define BOB_URI "sip:bob@example.org"
#define KMS_URI "kms.example.org"
/* The client refuses a response body above 1 MiB; reading stops a little after that. */
#define MAX_BODY ((size_t)1 << 20)

/* ------------------------------------------------------------------------------------------ */
/* Small helpers                                                                              */
/* ------------------------------------------------------------------------------------------ */

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

static void print_hex(const uint8_t *buf, size_t len) {
    size_t i;
    for (i = 0; i < len; i++) printf("%02x", buf[i]);
}

/* Unix seconds as "2026-11-06 00:00:00 UTC" (gmtime: C99; a threaded app uses gmtime_r). */
static const char *utc(uint64_t unix_s, char *buf, size_t cap) {
    time_t t = (time_t)unix_s;
    const struct tm *tm = gmtime(&t);
    if (tm == NULL || strftime(buf, cap, "%Y-%m-%d %H:%M:%S UTC", tm) == 0) {
        snprintf(buf, cap, "%" PRIu64 " (Unix)", unix_s);
    }
    return buf;
}

static const char *yes_no(uint32_t flag) { return flag ? "yes" : "no"; }

/* ------------------------------------------------------------------------------------------ */
/* HTTPS with libcurl                                                                         */
/* ------------------------------------------------------------------------------------------ */

/* A response body. It holds key material (SSK, RSK): wiped whenever it is moved or freed. */
struct body {
    uint8_t *data;
    size_t len;
    size_t cap;
};

static void body_clear(struct body *b) {
    if (b->data != NULL) wipe(b->data, b->cap);
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

/* libcurl's write callback: appends to the body. Growing does not use realloc, which would
 * leave the old copy of the key material behind unwiped. */
static size_t on_body(char *ptr, size_t size, size_t nmemb, void *userdata) {
    struct body *b = (struct body *)userdata;
    size_t n = size * nmemb;
    if (n > MAX_BODY + 1 - b->len) return 0; /* too large: libcurl reports a write error */
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        uint8_t *grown;
        while (cap < b->len + n) cap *= 2;
        grown = (uint8_t *)malloc(cap);
        if (grown == NULL) return 0;
        if (b->len > 0) memcpy(grown, b->data, b->len);
        if (b->data != NULL) wipe(b->data, b->cap);
        free(b->data);
        b->data = grown;
        b->cap = cap;
    }
    memcpy(b->data + b->len, ptr, n);
    b->len += n;
    return n;
}

/* Sends one request of the client (POST, its headers and body) over HTTPS, trusting only the
 * certificates in `ca_file`. On CURLE_OK, `*status` and `resp` hold the answer. */
static CURLcode send_request(CURL *curl, const char *ca_file, const mkc_request *req,
                             long *status, struct body *resp) {
    struct curl_slist *headers = NULL;
    CURLcode rc = CURLE_OK;
    size_t i;

    /* "Name: value" lines. The Authorization line holds the access token: our copy is wiped;
     * libcurl keeps its own until curl_slist_free_all. */
    for (i = 0; i < req->header_count && rc == CURLE_OK; i++) {
        const mkc_header *h = &req->headers[i];
        size_t cap = h->name_len + 2 + h->value_len + 1;
        char *line = (char *)malloc(cap);
        struct curl_slist *more;
        if (line == NULL) {
            rc = CURLE_OUT_OF_MEMORY;
            break;
        }
        snprintf(line, cap, "%s: %s", h->name, h->value);
        more = curl_slist_append(headers, line);
        wipe(line, cap);
        free(line);
        if (more == NULL) rc = CURLE_OUT_OF_MEMORY;
        else headers = more;
    }

    curl_easy_reset(curl); /* keeps the open connection for the next request */
    if (rc == CURLE_OK) rc = curl_easy_setopt(curl, CURLOPT_URL, req->url);
    if (rc == CURLE_OK) rc = curl_easy_setopt(curl, CURLOPT_CAINFO, ca_file);
    if (rc == CURLE_OK) rc = curl_easy_setopt(curl, CURLOPT_POST, 1L);
    if (rc == CURLE_OK) rc = curl_easy_setopt(curl, CURLOPT_POSTFIELDS, (const char *)req->body);
    if (rc == CURLE_OK) rc = curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)req->body_len);
    if (rc == CURLE_OK) rc = curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    if (rc == CURLE_OK) rc = curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    if (rc == CURLE_OK) rc = curl_easy_setopt(curl, CURLOPT_WRITEDATA, (void *)resp);
    if (rc == CURLE_OK) rc = curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
    if (rc == CURLE_OK) rc = curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    if (rc == CURLE_OK) rc = curl_easy_perform(curl);
    if (rc == CURLE_OK) rc = curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, status);
    curl_slist_free_all(headers);
    return rc;
}

/* ------------------------------------------------------------------------------------------ */
/* Driving a client                                                                           */
/* ------------------------------------------------------------------------------------------ */

struct user {
    const char *name;  /* "alice" */
    const char *uri;   /* the MCPTT ID, as the KMS writes it in UserUri */
    mkc_client *client;
    unsigned problems; /* events that mean something went wrong */
};

static const char *rejection_name(uint32_t r) {
    switch (r) {
    case MKC_REJECTION_MALFORMED: return "malformed";
    case MKC_REJECTION_UNEXPECTED_MESSAGE: return "unexpected message";
    case MKC_REJECTION_NOT_ROOT: return "certificate not Root";
    case MKC_REJECTION_WRONG_KMS_URI: return "wrong KmsUri";
    case MKC_REJECTION_UNSUPPORTED_USER_ID_FORMAT: return "unsupported UserIdFormat";
    case MKC_REJECTION_UNSUPPORTED_PARAMETER_SET: return "unsupported parameter set";
    case MKC_REJECTION_REVOKED: return "revoked";
    case MKC_REJECTION_NOT_VALID: return "not valid now";
    case MKC_REJECTION_INVALID_KPAK: return "invalid KPAK";
    case MKC_REJECTION_INVALID_ZT: return "invalid Z_T";
    case MKC_REJECTION_INVALID_KEY_PERIOD: return "invalid key period";
    case MKC_REJECTION_UNKNOWN_IDENTITY: return "unknown identity";
    case MKC_REJECTION_UID_MISMATCH: return "UID mismatch";
    case MKC_REJECTION_INVALID_SSK: return "invalid SSK/PVT";
    case MKC_REJECTION_INVALID_RSK: return "invalid RSK";
    case MKC_REJECTION_MISSING_KEY_SET: return "missing key set";
    case MKC_REJECTION_CERTIFICATE_CHANGED: return "certificate changed";
    case MKC_REJECTION_NO_CERTIFICATE: return "no certificate";
    default: return "other";
    }
}

/* Prints one event on one line; counts the ones that mean trouble. */
static void print_event(struct user *u, const mkc_event *e) {
    char at[40], to[40];
    printf("  %s: ", u->name);
    switch (e->kind) {
    case MKC_EVENT_KIND_CERTIFICATE_INSTALLED:
        printf("KMS certificate of %.*s validated and installed%s\n", (int)e->text_len, e->text,
               e->changed ? " (it replaced one with other keys)" : "");
        break;
    case MKC_EVENT_KIND_KEY_MATERIAL_READY:
        printf("keys of %.*s for period %" PRIu64 " (until %s) ready: sign %s, decrypt %s\n",
               (int)e->identity_len, e->identity, e->period, utc(e->end, to, sizeof to),
               yes_no(e->can_sign), yes_no(e->can_decrypt));
        if (!e->can_sign || !e->can_decrypt) u->problems++;
        break;
    case MKC_EVENT_KIND_MATERIAL_EXPIRED:
        printf("keys of %.*s for period %" PRIu64 " expired and erased\n", (int)e->identity_len,
               e->identity, e->period);
        break;
    case MKC_EVENT_KIND_ACCESS_TOKEN_NEEDED:
        printf("the KMS wants a (new) access token\n");
        u->problems++;
        break;
    case MKC_EVENT_KIND_KMS_ERROR:
        printf("KMS error %" PRId64 ": %.*s\n", e->kms_error_code, (int)e->text_len, e->text);
        u->problems++;
        break;
    case MKC_EVENT_KIND_MATERIAL_REJECTED:
        printf("material refused (%s): %.*s\n", rejection_name(e->rejection), (int)e->text_len,
               e->text);
        u->problems++;
        break;
    case MKC_EVENT_KIND_PERIOD_MISMATCH:
        printf("the KMS numbers period %" PRIu64 " as %" PRIu64 "\n", e->period,
               e->kms_period_no);
        break;
    case MKC_EVENT_KIND_REQUEST_FAILED:
        if (e->http_status == 0) printf("request %" PRIu64 " failed in transport", e->request_id);
        else printf("request %" PRIu64 " failed: HTTP %u", e->request_id, (unsigned)e->http_status);
        printf(", retry at %s\n", utc(e->retry_at, at, sizeof at));
        u->problems++;
        break;
    case MKC_EVENT_KIND_RETRIES_EXHAUSTED:
        printf("gave up after repeated failures\n");
        u->problems++;
        break;
    default:
        printf("event %u\n", (unsigned)e->kind);
        break;
    }
}

/* Polls the client at Unix time `now` until it has nothing more to do now: sends each request
 * it asks for and feeds back the answer, prints each event. A real app does the same from its
 * event loop, and polls again at the WAKE_UP time. Returns 0 if a library call failed. */
static int drive(struct user *u, CURL *curl, const char *ca_file, uint64_t now) {
    int rounds;
    for (rounds = 0; rounds < 100; rounds++) {
        mkc_output out;
        if (!ok(mkc_client_poll_output(u->client, now, &out), "mkc_client_poll_output")) return 0;
        if (out.kind == MKC_OUTPUT_KIND_EVENT) {
            print_event(u, &out.event);
        } else if (out.kind == MKC_OUTPUT_KIND_REQUEST) {
            struct body resp = {NULL, 0, 0};
            long status = 0;
            const char *path = strstr(out.request.url, "/keymanagement/");
            CURLcode rc = send_request(curl, ca_file, &out.request, &status, &resp);
            printf("  %s: %s %s -> ", u->name, out.request.method, path ? path : out.request.url);
            if (rc == CURLE_OK) {
                printf("HTTP %ld, %zu octets\n", status, resp.len);
                if (!ok(mkc_client_handle_response(u->client, now, out.request.id,
                                                   (uint32_t)status, resp.data, resp.len),
                        "mkc_client_handle_response")) {
                    body_clear(&resp);
                    return 0;
                }
            } else {
                printf("%s\n", curl_easy_strerror(rc));
                if (!ok(mkc_client_handle_failure(u->client, now, out.request.id),
                        "mkc_client_handle_failure")) {
                    body_clear(&resp);
                    return 0;
                }
            }
            body_clear(&resp);
        } else {
            return 1; /* WAKE_UP (poll again at out.wake_up_at) or NONE */
        }
    }
    fprintf(stderr, "error: %s's client did not settle\n", u->name);
    return 0;
}

/* A client for `uri` at the KMS `kms_url`, with the defaults (prefetch one day ahead). */
static int make_client(const char *kms_url, const char *uri, mkc_client **out) {
    mkc_client_config config;
    if (!ok(mkc_client_config_init(&config), "mkc_client_config_init")) return 0;
    config.kms_url.ptr = (const uint8_t *)kms_url;
    config.kms_url.len = strlen(kms_url);
    config.user_uri.ptr = (const uint8_t *)uri;
    config.user_uri.len = strlen(uri);
    config.expected_kms_uri.ptr = (const uint8_t *)KMS_URI; /* refuse any other KMS */
    config.expected_kms_uri.len = strlen(KMS_URI);
    return ok(mkc_client_new(&config, out), "mkc_client_new");
}

/* Prints the number and bounds of the key period of Unix time `at`. */
static int print_period(const mkc_client *client, const char *label, uint64_t at) {
    uint64_t n = 0, start = 0, end = 0;
    char from[40], to[40];
    if (!ok(mkc_client_key_period(client, at, &n, &start, &end), "mkc_client_key_period")) {
        return 0;
    }
    printf("  %s: period %" PRIu64 ", %s to %s\n", label, n, utc(start, from, sizeof from),
           utc(end, to, sizeof to));
    return 1;
}

/* Prints the UID (TS 33.180 F.2.1) of `uri` in the key period of `at`: the identifier its keys
 * of that period are issued for. */
static int print_uid(const mkc_client *client, const char *uri, uint64_t at) {
    uint8_t uid[MKC_UID_BYTES];
    if (!ok(mkc_client_uid(client, (const uint8_t *)uri, strlen(uri), at, uid, sizeof uid),
            "mkc_client_uid")) {
        return 0;
    }
    printf("    UID of %-22s ", uri);
    print_hex(uid, sizeof uid);
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
    struct user alice = {"alice", ALICE_URI, NULL, 0};
    struct user bob = {"bob", BOB_URI, NULL, 0};
    mkc_client *restored = NULL;
    CURL *curl = NULL;
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
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        fprintf(stderr, "error: curl_global_init failed\n");
        return 1;
    }
    curl = curl_easy_init();
    if (curl == NULL) {
        fprintf(stderr, "error: curl_easy_init failed\n");
        goto cleanup;
    }

    now = (uint64_t)time(NULL);
    printf("mcptt-kmc %s: provisioning demo\n", mkc_version());
    printf("KMS %s (KmsUri %s), now %s\n", kms_url, KMS_URI, utc(now, when, sizeof when));
    printf("users: alice = %s, bob = %s\n", alice.uri, bob.uri);

    /* One client per user, each with its bearer token. */
    if (!make_client(kms_url, alice.uri, &alice.client) ||
        !make_client(kms_url, bob.uri, &bob.client)) {
        goto cleanup;
    }
    if (!ok(mkc_client_set_access_token(alice.client, (const uint8_t *)argv[3], strlen(argv[3])),
            "mkc_client_set_access_token") ||
        !ok(mkc_client_set_access_token(bob.client, (const uint8_t *)argv[4], strlen(argv[4])),
            "mkc_client_set_access_token")) {
        goto cleanup;
    }

    /* 1. The current key period: init (the KMS certificate), then keyprov (the user's keys). */
    printf("\n1. Provisioning, current key period\n");
    if (!drive(&alice, curl, ca_file, now) || !drive(&bob, curl, ca_file, now)) goto cleanup;
    if (alice.problems != 0 || bob.problems != 0) {
        fprintf(stderr, "error: provisioning did not go cleanly (see the events above)\n");
        goto cleanup;
    }

    /* 2. The next key period: the client fetches it `prefetch_s` before this one ends. Polling
     *    at that time (instead of waiting weeks) shows it. */
    if (!ok(mkc_client_key_period(alice.client, now, NULL, NULL, &end), "mkc_client_key_period") ||
        !ok(mkc_client_config_init(&defaults), "mkc_client_config_init")) {
        goto cleanup;
    }
    prefetch_at = end - defaults.prefetch_s;
    if (prefetch_at < now) prefetch_at = now; /* already inside the prefetch window */
    next_at = end;                            /* the first second of the next period */
    printf("\n2. Provisioning, next key period (polling at %s = end - prefetch_s)\n",
           utc(prefetch_at, when, sizeof when));
    if (!drive(&alice, curl, ca_file, prefetch_at) || !drive(&bob, curl, ca_file, prefetch_at)) {
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
    if (!ok(mkc_random(ssv, sizeof ssv), "mkc_random")) goto cleanup;
    rc = mkc_client_sign(alice.client, (const uint8_t *)alice.uri, strlen(alice.uri), now,
                         (const uint8_t *)message, strlen(message), sig, sizeof sig, &sig_len);
    result_line("alice signs (ECCSI, 129 octets)", rc == MKC_RESULT_OK);
    if (!ok(rc, "mkc_client_sign")) goto cleanup;
    rc = mkc_client_encapsulate(alice.client, (const uint8_t *)bob.uri, strlen(bob.uri), now, ssv,
                                sizeof ssv, sed, sizeof sed, &sed_len);
    result_line("alice encapsulates a random SSV to bob (SAKKE, 273 octets)", rc == MKC_RESULT_OK);
    if (!ok(rc, "mkc_client_encapsulate")) goto cleanup;

    rc = mkc_client_verify(bob.client, (const uint8_t *)alice.uri, strlen(alice.uri), now,
                           (const uint8_t *)message, strlen(message), sig, sig_len);
    result_line("bob verifies alice's signature", rc == MKC_RESULT_OK);
    if (!ok(rc, "mkc_client_verify")) goto cleanup;
    rc = mkc_client_decapsulate(bob.client, (const uint8_t *)bob.uri, strlen(bob.uri), now, sed,
                                sed_len, ssv_bob, sizeof ssv_bob, &ssv_bob_len);
    result_line("bob decapsulates the SSV", rc == MKC_RESULT_OK);
    if (!ok(rc, "mkc_client_decapsulate")) goto cleanup;
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
    if (!ok(rc, "signing in the next period")) goto cleanup;

    /* 5. alice's key store: sealed under a 32-octet storage key (from the platform keystore in
     *    a real app) and restored into a new client, which needs no KMS to sign. */
    printf("\n5. alice's key store: export, import into a new client\n");
    if (!ok(mkc_random(storage_key, sizeof storage_key), "mkc_random")) goto cleanup;
    rc = mkc_client_export(alice.client, storage_key, sizeof storage_key, NULL, 0, &blob_len);
    if (rc != MKC_RESULT_BUFFER_TOO_SMALL) { /* (NULL, 0) asks for the size */
        ok(rc, "mkc_client_export (size)");
        goto cleanup;
    }
    blob_cap = blob_len;
    blob = (uint8_t *)malloc(blob_cap);
    if (blob == NULL) goto cleanup;
    rc = mkc_client_export(alice.client, storage_key, sizeof storage_key, blob, blob_cap,
                           &blob_len);
    printf("  exported %zu octets (AES-256-GCM, bound to %s)\n", blob_len, alice.uri);
    result_line("alice exports her key store", rc == MKC_RESULT_OK);
    if (!ok(rc, "mkc_client_export")) goto cleanup;
    if (!make_client(kms_url, alice.uri, &restored)) goto cleanup;
    rc = mkc_client_import(restored, now, storage_key, sizeof storage_key, blob, blob_len);
    result_line("a new client imports it (everything validated again)", rc == MKC_RESULT_OK);
    if (!ok(rc, "mkc_client_import")) goto cleanup;
    rc = mkc_client_sign(restored, (const uint8_t *)alice.uri, strlen(alice.uri), now,
                         (const uint8_t *)message, strlen(message), sig2, sizeof sig2, &sig2_len);
    if (rc == MKC_RESULT_OK) {
        rc = mkc_client_verify(bob.client, (const uint8_t *)alice.uri, strlen(alice.uri), now,
                               (const uint8_t *)message, strlen(message), sig2, sig2_len);
    }
    result_line("the restored client signs, bob verifies", rc == MKC_RESULT_OK);
    if (!ok(rc, "signing with the restored client")) goto cleanup;

    success = 1;
    printf("\nAll steps succeeded.\n");

cleanup:
    wipe(ssv, sizeof ssv);
    wipe(ssv_bob, sizeof ssv_bob);
    wipe(storage_key, sizeof storage_key);
    if (blob != NULL) wipe(blob, blob_cap);
    free(blob);
    mkc_client_free(restored); /* each erases its keys and access token */
    mkc_client_free(bob.client);
    mkc_client_free(alice.client);
    curl_easy_cleanup(curl);
    curl_global_cleanup();
    if (!success) fprintf(stderr, "provisioning demo FAILED\n");
    return success ? 0 : 1;
}
