/*
 * test_client.c: the provisioning client's C API (mkc_client_*) against the real reference KMS
 * (examples/reference-kms) over HTTPS with libcurl: provisioning, a refused token, the KMS's
 * misbehaviours switched on through its control endpoint, and the API contract (NULL pointers,
 * unknown request ids, configuration, buffer sizes, key store export/import).
 *
 * Run it through scripts/run-with-kms.sh, which starts the server and sets KMS_URL, KMS_CA,
 * KMS_TOKEN_ALICE, KMS_TOKEN_BOB and KMS_CONTROL_TOKEN (`make test-c` does). Built and run three
 * ways like the other C tests: C99 under valgrind, C++17, C99 with ASan/UBSan. Prints one line
 * per failed check and "N passed, M failed"; exits 0 only if every check passed.
 */
#include "check.h"

#include <curl/curl.h>

#include <inttypes.h>
#include <time.h>

#define ALICE "sip:alice@example.org"
#define BOB "sip:bob@example.org"
#define KMS_URI "kms.example.org"
#define API_PATH "/keymanagement/identity/v1/"

#define SENTINEL_CLIENT ((mkc_client *)SENTINEL_SLOT(1))

/* The key periods of the server scripts/run-with-kms.sh starts: 30 days, counted from the NTP
 * epoch (1900) with offset 0. */
#define KMS_KEY_PERIOD_S 2592000u
#define NTP_TO_UNIX_S 2208988800u

static const char *g_url, *g_ca, *g_token_alice, *g_token_bob, *g_control_token;
static CURL *g_curl;
/* The time the tests run at: the clock when they start, plus g_shift. */
static uint64_t g_now, g_shift;

/* The clock now (plus g_shift), for what the server dates by its own clock. */
static uint64_t clock_now(void) { return (uint64_t)time(NULL) + g_shift; }

static const uint8_t *u8(const char *s) { return (const uint8_t *)s; }

/* ------------------------------------------------------------------------------------------ */
/* HTTPS                                                                                      */
/* ------------------------------------------------------------------------------------------ */

struct body {
    uint8_t data[1 << 16];
    size_t len;
};

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *userdata) {
    struct body *b = (struct body *)userdata;
    size_t n = size * nmemb;
    if (n > sizeof b->data - b->len) return 0;
    memcpy(b->data + b->len, ptr, n);
    b->len += n;
    return n;
}

/* POSTs `body` to `url` with `headers`, trusting KMS_CA; `timeout_ms` 0 means 60 s. */
static CURLcode post(const char *url, struct curl_slist *headers, const uint8_t *body,
                     size_t body_len, long timeout_ms, long *status, struct body *resp) {
    CURLcode rc = CURLE_OK;
    resp->len = 0;
    *status = 0;
    curl_easy_reset(g_curl);
    if (rc == CURLE_OK) rc = curl_easy_setopt(g_curl, CURLOPT_URL, url);
    if (rc == CURLE_OK) rc = curl_easy_setopt(g_curl, CURLOPT_CAINFO, g_ca);
    if (rc == CURLE_OK) rc = curl_easy_setopt(g_curl, CURLOPT_POST, 1L);
    if (rc == CURLE_OK) rc = curl_easy_setopt(g_curl, CURLOPT_POSTFIELDS, (const char *)body);
    if (rc == CURLE_OK) rc = curl_easy_setopt(g_curl, CURLOPT_POSTFIELDSIZE, (long)body_len);
    if (rc == CURLE_OK) rc = curl_easy_setopt(g_curl, CURLOPT_HTTPHEADER, headers);
    if (rc == CURLE_OK) rc = curl_easy_setopt(g_curl, CURLOPT_WRITEFUNCTION, on_body);
    if (rc == CURLE_OK) rc = curl_easy_setopt(g_curl, CURLOPT_WRITEDATA, (void *)resp);
    if (rc == CURLE_OK) {
        rc = curl_easy_setopt(g_curl, CURLOPT_TIMEOUT_MS, timeout_ms ? timeout_ms : 60000L);
    }
    if (rc == CURLE_OK) rc = curl_easy_setopt(g_curl, CURLOPT_NOSIGNAL, 1L);
    if (rc == CURLE_OK) rc = curl_easy_perform(g_curl);
    if (rc == CURLE_OK) rc = curl_easy_getinfo(g_curl, CURLINFO_RESPONSE_CODE, status);
    return rc;
}

/* POST /control/<what> with `value` as the body; a failure is a failed check. */
static void control(const char *what, const char *value) {
    char url[256], auth[256];
    struct curl_slist *headers;
    struct body *resp = (struct body *)malloc(sizeof(struct body));
    long status = 0;
    CURLcode rc;
    snprintf(url, sizeof url, "%s/control/%s", g_url, what);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", g_control_token);
    headers = curl_slist_append(NULL, auth);
    CHECK(headers != NULL && resp != NULL, "control: allocation");
    if (headers == NULL || resp == NULL) {
        free(resp);
        curl_slist_free_all(headers);
        return;
    }
    rc = post(url, headers, u8(value), strlen(value), 0, &status, resp);
    curl_slist_free_all(headers);
    CHECK(rc == CURLE_OK && status == 200, "control request answered 200");
    if (rc != CURLE_OK || status != 200) {
        printf("  control %s %s: %s, HTTP %ld\n", what, value, curl_easy_strerror(rc), status);
    }
    free(resp);
}

static void misbehave(const char *mode) { control("misbehave", mode); }

/* ------------------------------------------------------------------------------------------ */
/* Driving a client and recording what it says                                               */
/* ------------------------------------------------------------------------------------------ */

struct seen {
    uint32_t kind;
    char identity[64];
    uint64_t period, start, end, kms_period_no, retry_at, request_id;
    uint32_t has_period, can_sign, can_decrypt, changed, rejection, http_status;
    int64_t kms_error_code;
    char text[200];
};

#define MAX_SEEN 32

struct run {
    struct seen ev[MAX_SEEN];
    size_t n_events;
    unsigned requests;
    uint32_t last_kind; /* NONE or WAKE_UP */
    uint64_t wake_up_at;
};

static void copy_str(char *dst, size_t cap, const char *src, size_t len) {
    if (src == NULL) len = 0;
    if (len >= cap) len = cap - 1;
    if (len > 0) memcpy(dst, src, len);
    dst[len] = '\0';
}

/* Checks the shape of a request: POST, a URL under KMS_URL + API_PATH, the bearer token. */
static void check_request(const mkc_request *req, const char *token) {
    size_t i, base = strlen(g_url);
    int auth = 0, content_type = 0;
    char want[256];
    CHECK(req->method != NULL && strcmp(req->method, "POST") == 0, "request method is POST");
    CHECK(req->url != NULL && strlen(req->url) == req->url_len, "url is NUL-terminated");
    CHECK(req->url != NULL && strncmp(req->url, g_url, base) == 0 &&
              strncmp(req->url + base, API_PATH, strlen(API_PATH)) == 0,
          "url is under <KMS_URL>/keymanagement/identity/v1/");
    CHECK(req->body != NULL && req->body_len > 0, "request has a KmsRequest body");
    snprintf(want, sizeof want, "Bearer %s", token ? token : "");
    for (i = 0; i < req->header_count; i++) {
        const mkc_header *h = &req->headers[i];
        CHECK(strlen(h->name) == h->name_len && strlen(h->value) == h->value_len,
              "header strings are NUL-terminated with their lengths");
        if (strcmp(h->name, "Authorization") == 0) auth = strcmp(h->value, want) == 0;
        if (strcmp(h->name, "Content-Type") == 0) content_type = 1;
    }
    if (token != NULL) CHECK(auth, "Authorization: Bearer <token>");
    CHECK(content_type, "Content-Type header");
}

/* Polls `c` at `now` until WAKE_UP or NONE, sending each request over HTTPS (a transport error
 * goes to mkc_client_handle_failure) and recording events. `timeout_ms` 0: 60 s per request. */
static void drive(mkc_client *c, uint64_t now, const char *token, long timeout_ms,
                  struct run *run) {
    int rounds;
    memset(run, 0, sizeof *run);
    for (rounds = 0; rounds < 100; rounds++) {
        mkc_output out;
        uint32_t rc = (uint32_t)mkc_client_poll_output(c, now, &out);
        if (rc != MKC_RESULT_OK) {
            CHECK_RC(rc, MKC_RESULT_OK, "mkc_client_poll_output");
            return;
        }
        if (out.kind == MKC_OUTPUT_KIND_EVENT) {
            const mkc_event *e = &out.event;
            if (run->n_events < MAX_SEEN) {
                struct seen *s = &run->ev[run->n_events++];
                s->kind = e->kind;
                copy_str(s->identity, sizeof s->identity, e->identity, e->identity_len);
                copy_str(s->text, sizeof s->text, e->text, e->text_len);
                s->period = e->period;
                s->has_period = e->has_period;
                s->start = e->start;
                s->end = e->end;
                s->kms_period_no = e->kms_period_no;
                s->can_sign = e->can_sign;
                s->can_decrypt = e->can_decrypt;
                s->changed = e->changed;
                s->rejection = e->rejection;
                s->kms_error_code = e->kms_error_code;
                s->request_id = e->request_id;
                s->http_status = e->http_status;
                s->retry_at = e->retry_at;
            }
        } else if (out.kind == MKC_OUTPUT_KIND_REQUEST) {
            struct curl_slist *headers = NULL;
            struct body *resp = (struct body *)malloc(sizeof(struct body));
            long status = 0;
            size_t i;
            CURLcode crc;
            run->requests++;
            check_request(&out.request, token);
            for (i = 0; i < out.request.header_count; i++) {
                char line[512];
                const mkc_header *h = &out.request.headers[i];
                struct curl_slist *more;
                snprintf(line, sizeof line, "%s: %s", h->name, h->value);
                more = curl_slist_append(headers, line);
                if (more != NULL) headers = more;
            }
            CHECK(resp != NULL, "allocation");
            if (resp == NULL) {
                curl_slist_free_all(headers);
                return;
            }
            crc = post(out.request.url, headers, out.request.body, out.request.body_len,
                       timeout_ms, &status, resp);
            curl_slist_free_all(headers);
            if (crc == CURLE_OK) {
                CHECK_RC(mkc_client_handle_response(c, now, out.request.id, (uint32_t)status,
                                                    resp->data, resp->len),
                         MKC_RESULT_OK, "mkc_client_handle_response");
            } else {
                CHECK_RC(mkc_client_handle_failure(c, now, out.request.id), MKC_RESULT_OK,
                         "mkc_client_handle_failure");
            }
            free(resp);
        } else {
            CHECK(out.kind == MKC_OUTPUT_KIND_WAKE_UP || out.kind == MKC_OUTPUT_KIND_NONE,
                  "output kind is one of the four");
            run->last_kind = out.kind;
            run->wake_up_at = out.wake_up_at;
            return;
        }
    }
    CHECK(0, "the client settles within 100 outputs");
}

/* The first recorded event of `kind` (and, unless MKC_REJECTION_NONE, of that rejection). */
static const struct seen *find(const struct run *run, uint32_t kind, uint32_t rejection) {
    size_t i;
    for (i = 0; i < run->n_events; i++) {
        if (run->ev[i].kind == kind &&
            (rejection == MKC_REJECTION_NONE || run->ev[i].rejection == rejection)) {
            return &run->ev[i];
        }
    }
    return NULL;
}

static size_t count(const struct run *run, uint32_t kind) {
    size_t i, n = 0;
    for (i = 0; i < run->n_events; i++) n += run->ev[i].kind == kind;
    return n;
}

static void dump(const struct run *run) {
    size_t i;
    for (i = 0; i < run->n_events; i++) {
        const struct seen *s = &run->ev[i];
        printf("  event kind %u rejection %u identity '%s' period %" PRIu64
               " sign %u decrypt %u changed %u http %u text '%s'\n",
               (unsigned)s->kind, (unsigned)s->rejection, s->identity, s->period,
               (unsigned)s->can_sign, (unsigned)s->can_decrypt, (unsigned)s->changed,
               (unsigned)s->http_status, s->text);
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Clients                                                                                    */
/* ------------------------------------------------------------------------------------------ */

static void config_for(mkc_client_config *cfg, const char *url, const char *user) {
    mkc_client_config_init(cfg);
    cfg->kms_url.ptr = u8(url);
    cfg->kms_url.len = strlen(url);
    cfg->user_uri.ptr = u8(user);
    cfg->user_uri.len = strlen(user);
    cfg->expected_kms_uri.ptr = u8(KMS_URI);
    cfg->expected_kms_uri.len = strlen(KMS_URI);
}

static mkc_client *new_client(const char *user, const char *token) {
    mkc_client_config cfg;
    mkc_client *c = NULL;
    config_for(&cfg, g_url, user);
    CHECK_RC(mkc_client_new(&cfg, &c), MKC_RESULT_OK, "mkc_client_new");
    if (c != NULL && token != NULL) {
        CHECK_RC(mkc_client_set_access_token(c, u8(token), strlen(token)), MKC_RESULT_OK,
                 "mkc_client_set_access_token");
    }
    return c;
}

/* A client of `user` provisioned for the current period; NULL (after failed checks) if not. */
static mkc_client *provisioned(const char *user, const char *token) {
    struct run run;
    const struct seen *ready;
    mkc_client *c = new_client(user, token);
    if (c == NULL) return NULL;
    drive(c, g_now, token, 0, &run);
    ready = find(&run, MKC_EVENT_KIND_KEY_MATERIAL_READY, MKC_REJECTION_NONE);
    CHECK(ready != NULL && ready->can_sign && ready->can_decrypt,
          "provisioned: KEY_MATERIAL_READY with both keys");
    if (ready == NULL) dump(&run);
    return c;
}

static uint32_t sign(const mkc_client *c, const char *as, uint64_t now, const char *msg,
                     uint8_t *sig, size_t *sig_len) {
    return (uint32_t)mkc_client_sign(c, u8(as), strlen(as), now, u8(msg), strlen(msg), sig,
                                     MKC_ECCSI_SIGNATURE_BYTES, sig_len);
}

static uint32_t verify(const mkc_client *c, const char *peer, uint64_t now, const char *msg,
                       const uint8_t *sig, size_t sig_len) {
    return (uint32_t)mkc_client_verify(c, u8(peer), strlen(peer), now, u8(msg), strlen(msg), sig,
                                       sig_len);
}

/* ------------------------------------------------------------------------------------------ */
/* Tests                                                                                      */
/* ------------------------------------------------------------------------------------------ */

/* Configuration and the calls that need no server. */
static void test_contract_offline(void) {
    mkc_client_config cfg;
    mkc_client *c = SENTINEL_CLIENT;
    mkc_output out;
    uint8_t buf[300];
    size_t written = 0;
    uint64_t n = 0;
    static const uint8_t bad_utf8[] = {0x73, 0x69, 0x70, 0xff};

    set_ctx("contract", "configuration");
    CHECK_RC(mkc_client_config_init(NULL), MKC_RESULT_NULL_PARAMETER, "config_init(NULL)");
    config_for(&cfg, g_url, ALICE);
    CHECK_SIZE(cfg.prefetch_s, 86400, "default prefetch_s");
    CHECK_SIZE(cfg.grace_s, 3600, "default grace_s");
    CHECK(cfg.id_encoding == MKC_ID_ENCODING_RAW_UID, "default id_encoding raw");
    CHECK(cfg.allow_insecure_http == 0, "default allow_insecure_http 0");
    CHECK_RC(mkc_client_new(NULL, &c), MKC_RESULT_NULL_PARAMETER, "new(NULL config)");
    CHECK(c == SENTINEL_CLIENT, "*out unchanged after NULL config");
    CHECK_RC(mkc_client_new(&cfg, NULL), MKC_RESULT_NULL_PARAMETER, "new(cfg, NULL)");

    config_for(&cfg, "http://127.0.0.1:1", ALICE);
    CHECK_RC(mkc_client_new(&cfg, &c), MKC_RESULT_INVALID_CONFIG, "http:// URL refused");
    CHECK(c == SENTINEL_CLIENT, "*out unchanged after INVALID_CONFIG");
    cfg.allow_insecure_http = 1;
    c = NULL;
    CHECK_RC(mkc_client_new(&cfg, &c), MKC_RESULT_OK, "http:// with allow_insecure_http");
    CHECK(c != NULL, "client made");
    mkc_client_free(c);
    c = SENTINEL_CLIENT;
    config_for(&cfg, "ftp://kms.example.org", ALICE);
    CHECK_RC(mkc_client_new(&cfg, &c), MKC_RESULT_INVALID_CONFIG, "ftp:// URL refused");
    config_for(&cfg, "https://", ALICE);
    CHECK_RC(mkc_client_new(&cfg, &c), MKC_RESULT_INVALID_CONFIG, "URL without host refused");
    config_for(&cfg, g_url, "");
    CHECK_RC(mkc_client_new(&cfg, &c), MKC_RESULT_INVALID_CONFIG, "empty user URI refused");
    config_for(&cfg, g_url, ALICE);
    cfg.id_encoding = 7;
    CHECK_RC(mkc_client_new(&cfg, &c), MKC_RESULT_INVALID_CONFIG, "unknown id_encoding");
    config_for(&cfg, g_url, ALICE);
    cfg.user_uri.ptr = bad_utf8;
    cfg.user_uri.len = sizeof bad_utf8;
    CHECK_RC(mkc_client_new(&cfg, &c), MKC_RESULT_INVALID_PARAMETER, "user URI not UTF-8");
    config_for(&cfg, g_url, ALICE);
    cfg.extra_identity_count = 1;
    CHECK_RC(mkc_client_new(&cfg, &c), MKC_RESULT_NULL_PARAMETER, "extra identities NULL");
    CHECK(c == SENTINEL_CLIENT, "*out unchanged after every refusal");

    set_ctx("contract", "NULL handles");
    mkc_client_free(NULL);
    CHECK_RC(mkc_client_set_access_token(NULL, u8("t"), 1), MKC_RESULT_NULL_PARAMETER,
             "set_access_token(NULL)");
    CHECK_RC(mkc_client_refresh(NULL), MKC_RESULT_NULL_PARAMETER, "refresh(NULL)");
    CHECK_RC(mkc_client_poll_output(NULL, g_now, &out), MKC_RESULT_NULL_PARAMETER,
             "poll_output(NULL)");
    CHECK_RC(mkc_client_handle_response(NULL, g_now, 1, 200, NULL, 0),
             MKC_RESULT_NULL_PARAMETER, "handle_response(NULL)");
    CHECK_RC(mkc_client_handle_failure(NULL, g_now, 1), MKC_RESULT_NULL_PARAMETER,
             "handle_failure(NULL)");
    CHECK_RC(mkc_client_key_period(NULL, g_now, &n, NULL, NULL), MKC_RESULT_NULL_PARAMETER,
             "key_period(NULL)");
    CHECK_RC(mkc_client_uid(NULL, u8(ALICE), strlen(ALICE), g_now, buf, 32),
             MKC_RESULT_NULL_PARAMETER, "uid(NULL)");
    CHECK_RC(mkc_client_sign(NULL, u8(ALICE), strlen(ALICE), g_now, u8("m"), 1, buf, sizeof buf,
                             &written),
             MKC_RESULT_NULL_PARAMETER, "sign(NULL)");
    CHECK_RC(mkc_client_verify(NULL, u8(ALICE), strlen(ALICE), g_now, u8("m"), 1, buf, 129),
             MKC_RESULT_NULL_PARAMETER, "verify(NULL)");
    CHECK_RC(mkc_client_encapsulate(NULL, u8(BOB), strlen(BOB), g_now, buf, 16, buf + 16, 273,
                                    &written),
             MKC_RESULT_NULL_PARAMETER, "encapsulate(NULL)");
    CHECK_RC(mkc_client_decapsulate(NULL, u8(BOB), strlen(BOB), g_now, buf, 273, buf + 280, 16,
                                    &written),
             MKC_RESULT_NULL_PARAMETER, "decapsulate(NULL)");
    CHECK_RC(mkc_client_export(NULL, buf, 32, NULL, 0, &written), MKC_RESULT_NULL_PARAMETER,
             "export(NULL)");
    CHECK_RC(mkc_client_import(NULL, g_now, buf, 32, buf + 32, 64, NULL), MKC_RESULT_NULL_PARAMETER,
             "import(NULL)");

    /* A client with no token, no certificate, no material. */
    c = new_client(ALICE, NULL);
    if (c == NULL) return;
    set_ctx("contract", "NULL arguments");
    CHECK_RC(mkc_client_poll_output(c, g_now, NULL), MKC_RESULT_NULL_PARAMETER,
             "poll_output(c, NULL)");
    CHECK_RC(mkc_client_set_access_token(c, NULL, 5), MKC_RESULT_NULL_PARAMETER,
             "set_access_token(c, NULL, 5)");
    CHECK_RC(mkc_client_set_access_token(c, u8(""), 0), MKC_RESULT_INVALID_PARAMETER,
             "empty token");
    CHECK_RC(mkc_client_set_access_token(c, u8("a\nb"), 3), MKC_RESULT_INVALID_PARAMETER,
             "token with a control character");
    CHECK_RC(mkc_client_sign(c, u8(ALICE), strlen(ALICE), g_now, u8("m"), 1, buf, sizeof buf,
                             NULL),
             MKC_RESULT_NULL_PARAMETER, "sign(written NULL)");
    CHECK_RC(mkc_client_uid(c, NULL, 3, g_now, buf, 32), MKC_RESULT_NULL_PARAMETER,
             "uid(uri NULL, 3)");
    CHECK_RC(mkc_client_handle_response(c, g_now, 1, 200, NULL, 5), MKC_RESULT_NULL_PARAMETER,
             "handle_response(body NULL, 5)");

    set_ctx("contract", "unknown request ids");
    CHECK_RC(mkc_client_handle_response(c, g_now, 12345, 200, NULL, 0),
             MKC_RESULT_UNKNOWN_REQUEST, "handle_response(unknown id)");
    CHECK_RC(mkc_client_handle_failure(c, g_now, 12345), MKC_RESULT_UNKNOWN_REQUEST,
             "handle_failure(unknown id)");
    CHECK_RC(mkc_client_handle_response(c, g_now, 12345, 1000, NULL, 0),
             MKC_RESULT_INVALID_PARAMETER, "HTTP status above 999");

    set_ctx("contract", "before provisioning");
    CHECK_RC(mkc_client_key_period(c, g_now, &n, NULL, NULL), MKC_RESULT_NO_CERTIFICATE,
             "key_period");
    memset(buf, CANARY, sizeof buf);
    written = 77;
    CHECK_RC(mkc_client_sign(c, u8(ALICE), strlen(ALICE), g_now, u8("m"), 1, buf, sizeof buf,
                             &written),
             MKC_RESULT_NO_CERTIFICATE, "sign");
    CHECK(all_equal(buf, sizeof buf, 0), "signature buffer zeroed on failure");
    CHECK_SIZE(written, 0, "*written 0 on failure");
    CHECK_RC(mkc_client_uid(c, u8(ALICE), strlen(ALICE), g_now, buf, 32),
             MKC_RESULT_NO_CERTIFICATE, "uid");
    CHECK_RC(mkc_client_verify(c, u8(BOB), strlen(BOB), g_now, u8("m"), 1, buf, 129),
             MKC_RESULT_NO_CERTIFICATE, "verify");
    CHECK_RC(mkc_client_encapsulate(c, u8(BOB), strlen(BOB), g_now, buf, 16, buf + 16, 273,
                                    &written),
             MKC_RESULT_NO_CERTIFICATE, "encapsulate");
    CHECK_RC(mkc_client_decapsulate(c, u8(ALICE), strlen(ALICE), g_now, buf, 273, buf + 280, 16,
                                    &written),
             MKC_RESULT_NO_CERTIFICATE, "decapsulate");

    set_ctx("contract", "no token");
    {
        struct run run;
        drive(c, g_now, NULL, 0, &run);
        CHECK_SIZE(run.requests, 0, "no request without a token");
        CHECK(find(&run, MKC_EVENT_KIND_ACCESS_TOKEN_NEEDED, MKC_REJECTION_NONE) != NULL,
              "ACCESS_TOKEN_NEEDED");
        CHECK(run.last_kind == MKC_OUTPUT_KIND_NONE, "then NONE: waiting for the token");
    }
    mkc_client_free(c);
}

/* The delays (retry_at - now of each MKC_EVENT_KIND_REQUEST_FAILED) of JITTER_FAILURES failed
 * requests of a fresh client, its jitter from `seed`; no request reaches the network. 1 when
 * all came. */
#define JITTER_FAILURES 6
static int retry_delays(uint64_t seed, uint64_t delays[JITTER_FAILURES]) {
    mkc_client_config cfg;
    mkc_client *c = NULL;
    uint64_t now = g_now;
    size_t n = 0;
    int rounds;
    config_for(&cfg, g_url, ALICE);
    cfg.retry_initial_s = 64;
    cfg.retry_max_s = 100000;
    cfg.max_attempts = JITTER_FAILURES + 1;
    CHECK_RC(mkc_client_new(&cfg, &c), MKC_RESULT_OK, "mkc_client_new");
    if (c == NULL) return 0;
    CHECK_RC(mkc_client_set_jitter_seed(c, seed), MKC_RESULT_OK, "mkc_client_set_jitter_seed");
    CHECK_RC(mkc_client_set_access_token(c, u8(g_token_alice), strlen(g_token_alice)),
             MKC_RESULT_OK, "mkc_client_set_access_token");
    for (rounds = 0; rounds < 100 && n < JITTER_FAILURES; rounds++) {
        mkc_output out;
        if (mkc_client_poll_output(c, now, &out) != MKC_RESULT_OK) break;
        if (out.kind == MKC_OUTPUT_KIND_REQUEST) {
            CHECK_RC(mkc_client_handle_failure(c, now, out.request.id), MKC_RESULT_OK,
                     "mkc_client_handle_failure");
        } else if (out.kind == MKC_OUTPUT_KIND_EVENT) {
            if (out.event.kind == MKC_EVENT_KIND_REQUEST_FAILED) {
                delays[n++] = out.event.retry_at - now;
            }
        } else if (out.kind == MKC_OUTPUT_KIND_WAKE_UP) {
            now = out.wake_up_at;
        } else {
            break;
        }
    }
    mkc_client_free(c);
    CHECK_SIZE(n, JITTER_FAILURES, "a REQUEST_FAILED per failure");
    return n == JITTER_FAILURES;
}

/* mkc_client_set_jitter_seed: the same seed gives the same retry times, other seeds (1, 2 and
 * 2^64 - 1, checked to differ) other ones, each delay in [d/2, d] of the doubled delay d. */
static void test_jitter_seed(void) {
    uint64_t a[JITTER_FAILURES], b[JITTER_FAILURES], other[JITTER_FAILURES];
    size_t i;
    set_ctx("jitter seed", "contract");
    CHECK_RC(mkc_client_set_jitter_seed(NULL, 1), MKC_RESULT_NULL_PARAMETER,
             "set_jitter_seed(NULL)");
    set_ctx("jitter seed", "replay");
    if (!retry_delays(1, a) || !retry_delays(1, b)) return;
    CHECK(memcmp(a, b, sizeof a) == 0, "seed 1 twice: the same retry times");
    for (i = 0; i < JITTER_FAILURES; i++) {
        uint64_t d = (uint64_t)64 << i;
        CHECK(a[i] >= d / 2 && a[i] <= d, "each delay in [d/2, d]");
    }
    if (retry_delays(2, other)) {
        CHECK(memcmp(a, other, sizeof a) != 0, "seed 2: other retry times");
    }
    if (retry_delays(UINT64_MAX, other) && retry_delays(UINT64_MAX, b)) {
        CHECK(memcmp(other, b, sizeof b) == 0, "seed 2^64 - 1 twice: the same retry times");
        CHECK(memcmp(a, other, sizeof a) != 0, "seed 2^64 - 1: other retry times than seed 1");
    }
}

/* Provisioning two users, then everything the material is for. */
static void test_provisioning(void) {
    struct run run;
    mkc_client *alice, *bob;
    const struct seen *cert, *ready;
    uint64_t n = 0, start = 0, end = 0, n2 = 0;
    uint8_t uid[MKC_UID_BYTES], uid_bob[MKC_UID_BYTES], buf[300];
    uint8_t sig[MKC_ECCSI_SIGNATURE_BYTES], sed[MKC_SAKKE_SED_BYTES];
    uint8_t ssv[MKC_SAKKE_SSV_BYTES], ssv2[MKC_SAKKE_SSV_BYTES];
    size_t sig_len = 0, sed_len = 0, ssv2_len = 0, written = 0;
    static const char msg[] = "floor granted to sip:alice@example.org";

    set_ctx("provisioning", "alice");
    alice = new_client(ALICE, g_token_alice);
    if (alice == NULL) return;
    drive(alice, g_now, g_token_alice, 0, &run);
    CHECK_SIZE(run.requests, 2, "init and keyprov");
    cert = find(&run, MKC_EVENT_KIND_CERTIFICATE_INSTALLED, MKC_REJECTION_NONE);
    CHECK(cert != NULL && strcmp(cert->text, KMS_URI) == 0 && cert->changed == 0,
          "CERTIFICATE_INSTALLED kms.example.org, changed 0");
    ready = find(&run, MKC_EVENT_KIND_KEY_MATERIAL_READY, MKC_REJECTION_NONE);
    CHECK(ready != NULL, "KEY_MATERIAL_READY");
    CHECK_SIZE(run.n_events, 2, "no other event");
    if (run.n_events != 2) dump(&run);
    CHECK(run.last_kind == MKC_OUTPUT_KIND_WAKE_UP && run.wake_up_at > g_now,
          "then WAKE_UP in the future");
    CHECK_RC(mkc_client_key_period(alice, g_now, &n, &start, &end), MKC_RESULT_OK, "key_period");
    CHECK(start <= g_now && g_now < end && end - start == 2592000, "period holds now, 30 days");
    CHECK_RC(mkc_client_key_period(alice, g_now, NULL, NULL, NULL), MKC_RESULT_OK,
             "key_period with NULL out-pointers");
    CHECK_RC(mkc_client_key_period(alice, end, &n2, NULL, NULL), MKC_RESULT_OK,
             "key_period at the end");
    CHECK(n2 == n + 1, "the end is the next period's first second");
    if (ready != NULL) {
        CHECK(strcmp(ready->identity, ALICE) == 0, "identity alice");
        CHECK(ready->period == n && ready->has_period && ready->kms_period_no == n,
              "period number, the KMS's too");
        CHECK(ready->start == start && ready->end == end, "period bounds");
        CHECK(ready->can_sign == 1 && ready->can_decrypt == 1, "can sign and decrypt");
    }
    CHECK_RC(mkc_client_handle_response(alice, g_now, 1, 200, NULL, 0),
             MKC_RESULT_UNKNOWN_REQUEST, "a finished request id is unknown");

    set_ctx("provisioning", "bob");
    bob = provisioned(BOB, g_token_bob);
    if (bob == NULL) {
        mkc_client_free(alice);
        return;
    }

    set_ctx("provisioning", "UIDs");
    memset(uid, CANARY, sizeof uid);
    CHECK_RC(mkc_client_uid(alice, u8(ALICE), strlen(ALICE), g_now, uid, 31),
             MKC_RESULT_BUFFER_TOO_SMALL, "uid with 31 octets");
    CHECK(all_equal(uid, sizeof uid, CANARY), "uid buffer untouched");
    CHECK_RC(mkc_client_uid(alice, u8(ALICE), strlen(ALICE), g_now, uid, sizeof uid),
             MKC_RESULT_OK, "alice's UID");
    CHECK_RC(mkc_client_uid(bob, u8(ALICE), strlen(ALICE), g_now, uid_bob, sizeof uid_bob),
             MKC_RESULT_OK, "alice's UID as bob computes it");
    CHECK(memcmp(uid, uid_bob, sizeof uid) == 0, "both agree");
    CHECK_RC(mkc_client_uid(alice, u8(ALICE), strlen(ALICE), end, uid_bob, sizeof uid_bob),
             MKC_RESULT_OK, "alice's UID of the next period");
    CHECK(memcmp(uid, uid_bob, sizeof uid) != 0, "a new UID each period");

    set_ctx("provisioning", "sizes");
    memset(buf, CANARY, sizeof buf);
    written = 0;
    CHECK_RC(mkc_client_sign(alice, u8(ALICE), strlen(ALICE), g_now, u8(msg), strlen(msg), buf,
                             128, &written),
             MKC_RESULT_BUFFER_TOO_SMALL, "sign into 128 octets");
    CHECK_SIZE(written, MKC_ECCSI_SIGNATURE_BYTES, "needed size 129");
    CHECK(all_equal(buf, sizeof buf, CANARY), "buffer untouched");
    written = 0;
    CHECK_RC(mkc_client_sign(alice, u8(ALICE), strlen(ALICE), g_now, u8(msg), strlen(msg), NULL,
                             0, &written),
             MKC_RESULT_BUFFER_TOO_SMALL, "sign(NULL, 0) asks the size");
    CHECK_SIZE(written, MKC_ECCSI_SIGNATURE_BYTES, "129");
    CHECK_RC(mkc_random(ssv, sizeof ssv), MKC_RESULT_OK, "mkc_random");
    written = 0;
    CHECK_RC(mkc_client_encapsulate(alice, u8(BOB), strlen(BOB), g_now, ssv, sizeof ssv, buf,
                                    272, &written),
             MKC_RESULT_BUFFER_TOO_SMALL, "encapsulate into 272 octets");
    CHECK_SIZE(written, MKC_SAKKE_SED_BYTES, "needed size 273");
    CHECK(all_equal(buf, sizeof buf, CANARY), "buffer untouched");
    CHECK_RC(mkc_client_encapsulate(alice, u8(BOB), strlen(BOB), g_now, ssv, 15, buf, sizeof buf,
                                    &written),
             MKC_RESULT_INVALID_LENGTH, "a 15-octet SSV");

    set_ctx("provisioning", "sign and verify");
    CHECK_RC(sign(alice, ALICE, g_now, msg, sig, &sig_len), MKC_RESULT_OK, "alice signs");
    CHECK_SIZE(sig_len, MKC_ECCSI_SIGNATURE_BYTES, "129 octets");
    CHECK_RC(verify(bob, ALICE, g_now, msg, sig, sig_len), MKC_RESULT_OK, "bob verifies");
    CHECK_RC(verify(alice, ALICE, g_now, msg, sig, sig_len), MKC_RESULT_OK, "alice verifies");
    CHECK_RC(verify(bob, ALICE, g_now, "floor granted to sip:alice@example.orG", sig, sig_len),
             MKC_RESULT_VERIFY_FAILED, "a tampered message");
    CHECK_RC(verify(bob, BOB, g_now, msg, sig, sig_len), MKC_RESULT_VERIFY_FAILED,
             "another signer");
    CHECK_RC(verify(bob, ALICE, end, msg, sig, sig_len), MKC_RESULT_VERIFY_FAILED,
             "another key period");
    CHECK_RC(sign(alice, BOB, g_now, msg, sig, &sig_len), MKC_RESULT_NO_KEY_MATERIAL,
             "alice cannot sign as bob");
    CHECK_RC(sign(alice, ALICE, end, msg, sig, &sig_len), MKC_RESULT_NO_KEY_MATERIAL,
             "nor in a period not fetched yet");

    set_ctx("provisioning", "encapsulate and decapsulate");
    CHECK_RC(mkc_client_encapsulate(alice, u8(BOB), strlen(BOB), g_now, ssv, sizeof ssv, sed,
                                    sizeof sed, &sed_len),
             MKC_RESULT_OK, "alice encapsulates to bob");
    CHECK_SIZE(sed_len, MKC_SAKKE_SED_BYTES, "273 octets");
    memset(ssv2, CANARY, sizeof ssv2);
    CHECK_RC(mkc_client_decapsulate(bob, u8(BOB), strlen(BOB), g_now, sed, sed_len, ssv2, 15,
                                    &ssv2_len),
             MKC_RESULT_BUFFER_TOO_SMALL, "decapsulate into 15 octets");
    CHECK_SIZE(ssv2_len, MKC_SAKKE_SSV_BYTES, "needed size 16");
    CHECK(all_equal(ssv2, sizeof ssv2, CANARY), "buffer untouched");
    CHECK_RC(mkc_client_decapsulate(bob, u8(BOB), strlen(BOB), g_now, sed, sed_len, ssv2,
                                    sizeof ssv2, &ssv2_len),
             MKC_RESULT_OK, "bob decapsulates");
    CHECK(ssv2_len == sizeof ssv && memcmp(ssv, ssv2, sizeof ssv) == 0, "the same SSV");
    CHECK_RC(mkc_client_decapsulate(alice, u8(BOB), strlen(BOB), g_now, sed, sed_len, ssv2,
                                    sizeof ssv2, &ssv2_len),
             MKC_RESULT_NO_KEY_MATERIAL, "alice holds no RSK of bob");
    sed[sed_len - 1] ^= 0x01;
    memset(ssv2, CANARY, sizeof ssv2);
    CHECK_RC(mkc_client_decapsulate(bob, u8(BOB), strlen(BOB), g_now, sed, sed_len, ssv2,
                                    sizeof ssv2, &ssv2_len),
             MKC_RESULT_DECAPSULATION_FAILED, "a tampered SED");
    CHECK(all_equal(ssv2, sizeof ssv2, 0), "output zeroed on failure");
    CHECK_SIZE(ssv2_len, 0, "*written 0 on failure");

    set_ctx("provisioning", "prefetch of the next period");
    drive(alice, end - 86400, g_token_alice, 0, &run);
    CHECK_SIZE(run.requests, 2, "init again (a re-keyed KMS?) and keyprov of the next period");
    ready = find(&run, MKC_EVENT_KIND_KEY_MATERIAL_READY, MKC_REJECTION_NONE);
    CHECK(ready != NULL && ready->period == n + 1 && ready->start == end,
          "KEY_MATERIAL_READY for period n + 1");
    CHECK(find(&run, MKC_EVENT_KIND_CERTIFICATE_INSTALLED, MKC_REJECTION_NONE) == NULL,
          "the same certificate is not announced again");
    CHECK_RC(sign(alice, ALICE, end, msg, sig, &sig_len), MKC_RESULT_OK,
             "alice signs in the next period");
    drive(bob, end - 86400, g_token_bob, 0, &run);
    CHECK_RC(verify(bob, ALICE, end, msg, sig, sig_len), MKC_RESULT_OK,
             "bob verifies in the next period");

    set_ctx("provisioning", "partner domains");
    {
        static const char partner[] = "partner.example.net";
        static const uint8_t pck[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
        uint32_t status = 7;
        uint8_t msg_out[1000];
        size_t msg_len = 5;
        CHECK_RC(mkc_client_partner_status(alice, u8(KMS_URI), strlen(KMS_URI), end, &status),
                 MKC_RESULT_OK, "status of our own KMS");
        CHECK(status == MKC_PARTNER_STATUS_VALID, "our own KMS is valid");
        CHECK_RC(mkc_client_partner_status(alice, u8(partner), strlen(partner), end, &status),
                 MKC_RESULT_OK, "status of a partner KMS never cached");
        CHECK(status == MKC_PARTNER_STATUS_UNKNOWN, "unknown");
        memset(msg_out, CANARY, sizeof msg_out);
        CHECK_RC(mkc_client_mikey_create_imessage_with_params(
                     alice, u8(ALICE), strlen(ALICE), u8(BOB), strlen(BOB), u8(partner),
                     strlen(partner), end, MKC_MIKEY_KEY_KIND_PCK, pck, sizeof pck, 0x10000001u,
                     0, NULL, 0, NULL, NULL, 0, NULL, 0, msg_out, sizeof msg_out, &msg_len),
                 MKC_RESULT_MIKEY_UNKNOWN_KMS, "an I_MESSAGE to an unknown KMS domain");
        CHECK(all_equal(msg_out, sizeof msg_out, 0) && msg_len == 0, "outputs zeroed");
        CHECK_RC(mkc_client_mikey_create_imessage_with_params(
                     alice, u8(ALICE), strlen(ALICE), u8(BOB), strlen(BOB), u8(KMS_URI),
                     strlen(KMS_URI), end, MKC_MIKEY_KEY_KIND_PCK, pck, sizeof pck,
                     0x10000001u, 0, NULL, 0, NULL, NULL, 0, NULL, 0, msg_out, sizeof msg_out,
                     &msg_len),
                 MKC_RESULT_OK, "an I_MESSAGE to our own domain, named");
        /* The reference KMS's cache (no partner configured here): asked, nothing installed. */
        CHECK_RC(mkc_client_set_certcache_interval(alice, 86400), MKC_RESULT_OK,
                 "certcache interval");
        drive(alice, end - 86000, g_token_alice, 0, &run);
        CHECK_SIZE(run.requests, 1, "certcache asked");
        CHECK(find(&run, MKC_EVENT_KIND_PARTNER_CERTIFICATE_INSTALLED, MKC_REJECTION_NONE) ==
                  NULL,
              "no partner certificate");
        CHECK(find(&run, MKC_EVENT_KIND_REQUEST_FAILED, MKC_REJECTION_NONE) == NULL,
              "the KMS answers certcache");
    }

    memset(ssv, 0, sizeof ssv);
    memset(ssv2, 0, sizeof ssv2);
    mkc_client_free(alice);
    mkc_client_free(bob);
}

/* A refused token (HTTP 401), then the right one. */
static void test_token(void) {
    struct run run;
    mkc_client *c;
    set_ctx("token", "wrong token");
    c = new_client(ALICE, "not-a-token-the-kms-knows");
    if (c == NULL) return;
    drive(c, g_now, "not-a-token-the-kms-knows", 0, &run);
    CHECK_SIZE(run.requests, 1, "one request, answered 401");
    CHECK(find(&run, MKC_EVENT_KIND_ACCESS_TOKEN_NEEDED, MKC_REJECTION_NONE) != NULL,
          "ACCESS_TOKEN_NEEDED");
    CHECK(find(&run, MKC_EVENT_KIND_REQUEST_FAILED, MKC_REJECTION_NONE) == NULL,
          "a 401 is not a failure to retry");
    CHECK(run.last_kind == MKC_OUTPUT_KIND_NONE, "then NONE until a token comes");
    drive(c, g_now + 60, NULL, 0, &run);
    CHECK_SIZE(run.requests, 0, "still nothing sent a minute later");

    set_ctx("token", "right token");
    CHECK_RC(mkc_client_set_access_token(c, u8(g_token_alice), strlen(g_token_alice)),
             MKC_RESULT_OK, "set_access_token");
    drive(c, g_now, g_token_alice, 0, &run);
    CHECK_SIZE(run.requests, 2, "init and keyprov");
    CHECK(find(&run, MKC_EVENT_KIND_CERTIFICATE_INSTALLED, MKC_REJECTION_NONE) != NULL,
          "CERTIFICATE_INSTALLED");
    CHECK(find(&run, MKC_EVENT_KIND_KEY_MATERIAL_READY, MKC_REJECTION_NONE) != NULL,
          "KEY_MATERIAL_READY");
    mkc_client_free(c);

    set_ctx("token", "bob's token for alice");
    c = new_client(ALICE, g_token_bob);
    if (c == NULL) return;
    drive(c, g_now, g_token_bob, 0, &run);
    /* The KMS answers init for bob: UserUri bob in a response to alice's client. Whatever the
     * client makes of it, it must not hold keys. */
    CHECK(find(&run, MKC_EVENT_KIND_KEY_MATERIAL_READY, MKC_REJECTION_NONE) == NULL,
          "no keys from another user's token");
    mkc_client_free(c);
}

/* One misbehaviour of the KMS seen by a fresh client of `user` at `now`: the recorded run. */
static void under(const char *mode, const char *user, const char *token, uint64_t now,
                  long timeout_ms, struct run *run) {
    mkc_client *c = new_client(user, token);
    misbehave(mode);
    if (c != NULL) drive(c, now, token, timeout_ms, run);
    else memset(run, 0, sizeof *run);
    misbehave("none");
    mkc_client_free(c);
}

static void test_misbehaviour(void) {
    struct run run;
    const struct seen *s;

    set_ctx("misbehave", "revoked");
    under("revoked", BOB, g_token_bob, g_now, 0, &run);
    s = find(&run, MKC_EVENT_KIND_MATERIAL_REJECTED, MKC_REJECTION_REVOKED);
    CHECK(s != NULL && strcmp(s->identity, BOB) == 0, "MATERIAL_REJECTED REVOKED for bob");
    CHECK(find(&run, MKC_EVENT_KIND_KEY_MATERIAL_READY, MKC_REJECTION_NONE) == NULL,
          "nothing stored");
    if (s == NULL) dump(&run);

    set_ctx("misbehave", "wrong-uid");
    under("wrong-uid", BOB, g_token_bob, g_now, 0, &run);
    CHECK(find(&run, MKC_EVENT_KIND_MATERIAL_REJECTED, MKC_REJECTION_UID_MISMATCH) != NULL,
          "MATERIAL_REJECTED UID_MISMATCH");
    CHECK(find(&run, MKC_EVENT_KIND_KEY_MATERIAL_READY, MKC_REJECTION_NONE) == NULL,
          "nothing stored");

    set_ctx("misbehave", "expired");
    /* The KMS dates the set to end a second before its clock's now; the client's clock runs
     * ahead here so that valgrind's slowness cannot make the set still valid. */
    under("expired", BOB, g_token_bob, clock_now() + 30, 0, &run);
    CHECK(find(&run, MKC_EVENT_KIND_MATERIAL_REJECTED, MKC_REJECTION_NOT_VALID) != NULL,
          "MATERIAL_REJECTED NOT_VALID");
    CHECK(find(&run, MKC_EVENT_KIND_KEY_MATERIAL_READY, MKC_REJECTION_NONE) == NULL,
          "nothing stored");

    set_ctx("misbehave", "bad-ssk");
    under("bad-ssk", BOB, g_token_bob, g_now, 0, &run);
    CHECK(find(&run, MKC_EVENT_KIND_MATERIAL_REJECTED, MKC_REJECTION_INVALID_SSK) != NULL,
          "MATERIAL_REJECTED INVALID_SSK");
    /* Half a set: KEY_MATERIAL_PARTIAL, never READY; the client keeps asking. */
    CHECK(find(&run, MKC_EVENT_KIND_KEY_MATERIAL_READY, MKC_REJECTION_NONE) == NULL,
          "no KEY_MATERIAL_READY for half a set");
    s = find(&run, MKC_EVENT_KIND_KEY_MATERIAL_PARTIAL, MKC_REJECTION_NONE);
    CHECK(s != NULL && s->can_sign == 0 && s->can_decrypt == 1,
          "the RSK is kept: can_sign 0, can_decrypt 1");
    if (s == NULL) dump(&run);

    set_ctx("misbehave", "bad-rsk");
    under("bad-rsk", BOB, g_token_bob, g_now, 0, &run);
    CHECK(find(&run, MKC_EVENT_KIND_MATERIAL_REJECTED, MKC_REJECTION_INVALID_RSK) != NULL,
          "MATERIAL_REJECTED INVALID_RSK");
    /* Half a set: KEY_MATERIAL_PARTIAL, never READY; the client keeps asking. */
    CHECK(find(&run, MKC_EVENT_KIND_KEY_MATERIAL_READY, MKC_REJECTION_NONE) == NULL,
          "no KEY_MATERIAL_READY for half a set");
    s = find(&run, MKC_EVENT_KIND_KEY_MATERIAL_PARTIAL, MKC_REJECTION_NONE);
    CHECK(s != NULL && s->can_sign == 1 && s->can_decrypt == 0,
          "the SSK is kept: can_sign 1, can_decrypt 0");
    if (s == NULL) dump(&run);

    set_ctx("misbehave", "kms-error");
    under("kms-error", BOB, g_token_bob, g_now, 0, &run);
    s = find(&run, MKC_EVENT_KIND_KMS_ERROR, MKC_REJECTION_NONE);
    CHECK(s != NULL && s->kms_error_code == 500, "KMS_ERROR, ErrorCode 500");
    CHECK(s != NULL && s->text[0] != '\0', "with the KMS's ErrorMsg");
    CHECK(run.last_kind == MKC_OUTPUT_KIND_WAKE_UP && run.wake_up_at > g_now,
          "WAKE_UP for the retry");

    set_ctx("misbehave", "http-500");
    under("http-500", BOB, g_token_bob, g_now, 0, &run);
    s = find(&run, MKC_EVENT_KIND_REQUEST_FAILED, MKC_REJECTION_NONE);
    CHECK(s != NULL && s->http_status == 500 && s->retry_at > g_now,
          "REQUEST_FAILED, HTTP 500, retried later");
    CHECK(run.last_kind == MKC_OUTPUT_KIND_WAKE_UP && s != NULL && run.wake_up_at == s->retry_at,
          "WAKE_UP at the retry time");

    set_ctx("misbehave", "http-401");
    under("http-401", BOB, g_token_bob, g_now, 0, &run);
    CHECK(find(&run, MKC_EVENT_KIND_ACCESS_TOKEN_NEEDED, MKC_REJECTION_NONE) != NULL,
          "ACCESS_TOKEN_NEEDED");

    set_ctx("misbehave", "slow (transport timeout)");
    under("slow=3000", BOB, g_token_bob, g_now, 300, &run);
    s = find(&run, MKC_EVENT_KIND_REQUEST_FAILED, MKC_REJECTION_NONE);
    CHECK(s != NULL && s->http_status == 0, "REQUEST_FAILED with http_status 0 (transport)");
    CHECK_SIZE(run.requests, 1, "one attempt, the retry is later");
}

/* The KMS re-keys: the client notices at its next init (the prefetch) and replaces all. */
static void test_rekey(void) {
    struct run run;
    mkc_client *c;
    const struct seen *s;
    uint64_t n = 0, end = 0;
    uint8_t sig[MKC_ECCSI_SIGNATURE_BYTES];
    size_t sig_len = 0;

    set_ctx("misbehave", "rekey");
    c = provisioned(ALICE, g_token_alice);
    if (c == NULL) return;
    CHECK_RC(mkc_client_key_period(c, g_now, &n, NULL, &end), MKC_RESULT_OK, "key_period");
    misbehave("rekey");
    drive(c, end - 86400, g_token_alice, 0, &run);
    s = find(&run, MKC_EVENT_KIND_CERTIFICATE_INSTALLED, MKC_REJECTION_NONE);
    CHECK(s != NULL && s->changed == 1, "CERTIFICATE_INSTALLED changed 1");
    CHECK(find(&run, MKC_EVENT_KIND_MATERIAL_REJECTED, MKC_REJECTION_CERTIFICATE_CHANGED) !=
              NULL,
          "the old keys are refused: CERTIFICATE_CHANGED");
    CHECK_SIZE(count(&run, MKC_EVENT_KIND_KEY_MATERIAL_READY), 2,
               "new keys for this period and the next");
    if (s == NULL) dump(&run);
    CHECK_RC(sign(c, ALICE, g_now, "after the rekey", sig, &sig_len), MKC_RESULT_OK,
             "signs with the new keys");
    CHECK_RC(verify(c, ALICE, g_now, "after the rekey", sig, sig_len), MKC_RESULT_OK,
             "verifies under the new KPAK");
    mkc_client_free(c);
}

/* The sealed key store. */
static void test_store(void) {
    mkc_client *alice, *fresh, *bob;
    uint8_t key[32], other_key[32];
    uint8_t *blob = NULL, *bad = NULL;
    uint8_t sig[MKC_ECCSI_SIGNATURE_BYTES];
    size_t blob_len = 0, written = 0, sig_len = 0;
    static const char msg[] = "restored";

    set_ctx("store", "export");
    alice = provisioned(ALICE, g_token_alice);
    bob = provisioned(BOB, g_token_bob);
    fresh = new_client(ALICE, NULL);
    if (alice == NULL || bob == NULL || fresh == NULL) goto done;
    CHECK_RC(mkc_random(key, sizeof key), MKC_RESULT_OK, "storage key");
    CHECK_RC(mkc_random(other_key, sizeof other_key), MKC_RESULT_OK, "another key");
    CHECK_RC(mkc_client_export(alice, key, 31, NULL, 0, &written), MKC_RESULT_INVALID_LENGTH,
             "a 31-octet storage key");
    CHECK_RC(mkc_client_export(alice, key, sizeof key, NULL, 0, &blob_len),
             MKC_RESULT_BUFFER_TOO_SMALL, "(NULL, 0) asks the size");
    CHECK(blob_len > 6 + 1 + 12 + 16, "a blob longer than its framing");
    blob = (uint8_t *)malloc(blob_len);
    bad = (uint8_t *)malloc(blob_len);
    CHECK(blob != NULL && bad != NULL, "allocation");
    if (blob == NULL || bad == NULL) goto done;
    CHECK_RC(mkc_client_export(alice, key, sizeof key, blob, blob_len, &written), MKC_RESULT_OK,
             "export");
    CHECK_SIZE(written, blob_len, "the announced size");

    set_ctx("store", "refused imports change nothing");
    CHECK_RC(mkc_client_import(fresh, g_now, other_key, sizeof other_key, blob, blob_len, NULL),
             MKC_RESULT_STORE_AUTHENTICATION_FAILED, "wrong storage key");
    memcpy(bad, blob, blob_len);
    bad[blob_len / 2] ^= 0x01;
    CHECK_RC(mkc_client_import(fresh, g_now, key, sizeof key, bad, blob_len, NULL),
             MKC_RESULT_STORE_AUTHENTICATION_FAILED, "a flipped bit in the ciphertext");
    memcpy(bad, blob, blob_len);
    bad[blob_len - 1] ^= 0x80;
    CHECK_RC(mkc_client_import(fresh, g_now, key, sizeof key, bad, blob_len, NULL),
             MKC_RESULT_STORE_AUTHENTICATION_FAILED, "a flipped bit in the tag");
    CHECK_RC(mkc_client_import(fresh, g_now, key, sizeof key, blob, blob_len - 1, NULL),
             MKC_RESULT_STORE_AUTHENTICATION_FAILED, "a truncated blob");
    memcpy(bad, blob, blob_len);
    bad[0] ^= 0x01;
    CHECK_RC(mkc_client_import(fresh, g_now, key, sizeof key, bad, blob_len, NULL),
             MKC_RESULT_INVALID_STORE, "not a key store (magic)");
    CHECK_RC(mkc_client_import(fresh, g_now, key, 31, blob, blob_len, NULL), MKC_RESULT_INVALID_LENGTH,
             "a 31-octet storage key");
    CHECK_RC(sign(fresh, ALICE, g_now, msg, sig, &sig_len), MKC_RESULT_NO_CERTIFICATE,
             "the fresh client still has nothing");
    CHECK_RC(mkc_client_import(bob, g_now, key, sizeof key, blob, blob_len, NULL),
             MKC_RESULT_STORE_AUTHENTICATION_FAILED, "another user's blob");
    CHECK_RC(sign(bob, BOB, g_now, msg, sig, &sig_len), MKC_RESULT_OK, "bob still signs as bob");
    CHECK_RC(verify(alice, BOB, g_now, msg, sig, sig_len), MKC_RESULT_OK, "valid signature");
    CHECK_RC(mkc_client_import(alice, g_now, other_key, sizeof other_key, blob, blob_len, NULL),
             MKC_RESULT_STORE_AUTHENTICATION_FAILED, "wrong key into a provisioned client");
    CHECK_RC(sign(alice, ALICE, g_now, msg, sig, &sig_len), MKC_RESULT_OK, "alice still signs");

    set_ctx("store", "import");
    {
        size_t installed = 0;
        CHECK_RC(mkc_client_import(fresh, g_now, key, sizeof key, blob, blob_len, &installed),
                 MKC_RESULT_OK, "import with the right key");
        CHECK(installed >= 1, "at least the current period's key set is installed");
    }
    CHECK_RC(sign(fresh, ALICE, g_now, msg, sig, &sig_len), MKC_RESULT_OK,
             "the restored client signs");
    CHECK_RC(verify(bob, ALICE, g_now, msg, sig, sig_len), MKC_RESULT_OK, "bob verifies it");

done:
    memset(key, 0, sizeof key);
    free(blob);
    free(bad);
    mkc_client_free(alice);
    mkc_client_free(bob);
    mkc_client_free(fresh);
}

int main(void) {
    g_url = getenv("KMS_URL");
    g_ca = getenv("KMS_CA");
    g_token_alice = getenv("KMS_TOKEN_ALICE");
    g_token_bob = getenv("KMS_TOKEN_BOB");
    g_control_token = getenv("KMS_CONTROL_TOKEN");
    if (!g_url || !g_ca || !g_token_alice || !g_token_bob || !g_control_token) {
        printf("test_client needs a running reference KMS: run it through "
               "scripts/run-with-kms.sh (KMS_URL, KMS_CA, KMS_TOKEN_* unset)\n");
        return 1;
    }
    CHECK(mkc_abi_version() == MKC_ABI_VERSION, "mkc_abi_version() equals MKC_ABI_VERSION");
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        printf("curl_global_init failed\n");
        return 1;
    }
    g_curl = curl_easy_init();
    if (g_curl == NULL) {
        printf("curl_easy_init failed\n");
        return 1;
    }
    /* The tests fetch the next period at "end - prefetch" (one day): start them at least three
     * days before the end, moving the server's clock along when that needs the next period. */
    g_now = (uint64_t)time(NULL);
    {
        uint64_t ntp = g_now + NTP_TO_UNIX_S;
        uint64_t end = (ntp / KMS_KEY_PERIOD_S + 1) * KMS_KEY_PERIOD_S - NTP_TO_UNIX_S;
        if (end - g_now < 3 * 86400) {
            g_shift = 4 * 86400;
            g_now += g_shift;
            control("time-offset", "345600");
        }
    }

    test_contract_offline();
    test_jitter_seed();
    test_provisioning();
    test_token();
    test_misbehaviour();
    test_rekey();
    test_store();

    curl_easy_cleanup(g_curl);
    curl_global_cleanup();
    finish();
    return 0;
}
