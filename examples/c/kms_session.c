/*
 * kms_session.c: provisioning mcptt-kmc clients from a KMS over HTTPS with libcurl (see
 * kms_session.h). C99, also valid C++.
 */
#include "kms_session.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The client refuses a response body above 1 MiB; reading stops a little after that. */
#define MAX_BODY ((size_t)1 << 20)

/* ------------------------------------------------------------------------------------------ */
/* Small helpers                                                                              */
/* ------------------------------------------------------------------------------------------ */

const char *kms_result_name(mkc_result rc) {
    switch (rc) {
    case MKC_RESULT_OK: return "MKC_RESULT_OK";
    case MKC_RESULT_NULL_PARAMETER: return "MKC_RESULT_NULL_PARAMETER";
    case MKC_RESULT_BUFFER_TOO_SMALL: return "MKC_RESULT_BUFFER_TOO_SMALL";
    case MKC_RESULT_PANIC: return "MKC_RESULT_PANIC";
    case MKC_RESULT_RNG_FAILURE: return "MKC_RESULT_RNG_FAILURE";
    case MKC_RESULT_INVALID_PARAMETER: return "MKC_RESULT_INVALID_PARAMETER";
    case MKC_RESULT_INVALID_KEY: return "MKC_RESULT_INVALID_KEY";
    case MKC_RESULT_VERIFY_FAILED: return "MKC_RESULT_VERIFY_FAILED";
    case MKC_RESULT_DECAPSULATION_FAILED: return "MKC_RESULT_DECAPSULATION_FAILED";
    case MKC_RESULT_INVALID_LENGTH: return "MKC_RESULT_INVALID_LENGTH";
    case MKC_RESULT_INVALID_CONFIG: return "MKC_RESULT_INVALID_CONFIG";
    case MKC_RESULT_UNKNOWN_REQUEST: return "MKC_RESULT_UNKNOWN_REQUEST";
    case MKC_RESULT_NO_CERTIFICATE: return "MKC_RESULT_NO_CERTIFICATE";
    case MKC_RESULT_NO_KEY_MATERIAL: return "MKC_RESULT_NO_KEY_MATERIAL";
    case MKC_RESULT_INVALID_STORE: return "MKC_RESULT_INVALID_STORE";
    case MKC_RESULT_STORE_AUTHENTICATION_FAILED: return "MKC_RESULT_STORE_AUTHENTICATION_FAILED";
    case MKC_RESULT_MIKEY_MALFORMED: return "MKC_RESULT_MIKEY_MALFORMED";
    case MKC_RESULT_MIKEY_TIME_OUTSIDE_WINDOW: return "MKC_RESULT_MIKEY_TIME_OUTSIDE_WINDOW";
    case MKC_RESULT_MIKEY_NOT_FOR_US: return "MKC_RESULT_MIKEY_NOT_FOR_US";
    case MKC_RESULT_MIKEY_AUTHENTICATION_FAILED: return "MKC_RESULT_MIKEY_AUTHENTICATION_FAILED";
    case MKC_RESULT_MIKEY_UNKNOWN_KMS: return "MKC_RESULT_MIKEY_UNKNOWN_KMS";
    case MKC_RESULT_MIKEY_KMS_REVOKED: return "MKC_RESULT_MIKEY_KMS_REVOKED";
    case MKC_RESULT_UNKNOWN_MKI: return "MKC_RESULT_UNKNOWN_MKI";
    case MKC_RESULT_KEY_EXPIRED: return "MKC_RESULT_KEY_EXPIRED";
    case MKC_RESULT_KEY_NOT_YET_ACTIVE: return "MKC_RESULT_KEY_NOT_YET_ACTIVE";
    case MKC_RESULT_UNKNOWN_KEY: return "MKC_RESULT_UNKNOWN_KEY";
    case MKC_RESULT_KEY_REVOKED: return "MKC_RESULT_KEY_REVOKED";
    case MKC_RESULT_KEY_OTHER_INITIATOR: return "MKC_RESULT_KEY_OTHER_INITIATOR";
    default: return "MKC_RESULT_?";
    }
}

int kms_ok(mkc_result rc, const char *what) {
    if (rc == MKC_RESULT_OK) return 1;
    fprintf(stderr, "error: %s failed: %s (%s, code %u)\n", what, kms_result_name(rc),
            mkc_result_str(rc), (unsigned)rc);
    return 0;
}

void kms_wipe(void *buf, size_t len) {
    volatile uint8_t *p = (volatile uint8_t *)buf;
    while (len--) *p++ = 0;
}

void kms_print_hex(const uint8_t *buf, size_t len) {
    size_t i;
    for (i = 0; i < len; i++) printf("%02x", buf[i]);
}

/* gmtime: C99; a threaded app uses gmtime_r. */
const char *kms_utc(uint64_t unix_s, char *buf, size_t cap) {
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
    if (b->data != NULL) kms_wipe(b->data, b->cap);
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
        if (b->data != NULL) kms_wipe(b->data, b->cap);
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
        kms_wipe(line, cap);
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
/* Session and clients                                                                        */
/* ------------------------------------------------------------------------------------------ */

int kms_session_open(struct kms_session *s, const char *kms_url, const char *ca_file, FILE *log) {
    return kms_session_open_domain(s, kms_url, ca_file, KMS_SESSION_KMS_URI, log);
}

int kms_session_open_domain(struct kms_session *s, const char *kms_url, const char *ca_file,
                            const char *kms_uri, FILE *log) {
    s->kms_url = kms_url;
    s->ca_file = ca_file;
    s->curl = NULL;
    s->log = log;
    s->kms_uri = kms_uri;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        fprintf(stderr, "error: curl_global_init failed\n");
        return 0;
    }
    s->curl = curl_easy_init();
    if (s->curl == NULL) {
        fprintf(stderr, "error: curl_easy_init failed\n");
        curl_global_cleanup();
        return 0;
    }
    return 1;
}

void kms_session_close(struct kms_session *s) {
    if (s->curl == NULL) return;
    curl_easy_cleanup(s->curl);
    s->curl = NULL;
    curl_global_cleanup();
}

int kms_client_new(const struct kms_session *s, const char *uri, mkc_client **out) {
    const char *kms_uri = s->kms_uri != NULL ? s->kms_uri : KMS_SESSION_KMS_URI;
    mkc_client_config config;
    if (!kms_ok(mkc_client_config_init(&config), "mkc_client_config_init")) return 0;
    config.kms_url.ptr = (const uint8_t *)s->kms_url;
    config.kms_url.len = strlen(s->kms_url);
    config.user_uri.ptr = (const uint8_t *)uri;
    config.user_uri.len = strlen(uri);
    config.expected_kms_uri.ptr = (const uint8_t *)kms_uri; /* refuse any other */
    config.expected_kms_uri.len = strlen(kms_uri);
    return kms_ok(mkc_client_new(&config, out), "mkc_client_new");
}

int kms_user_start(const struct kms_session *s, struct kms_user *u, const char *token) {
    if (!kms_client_new(s, u->uri, &u->client)) return 0;
    return kms_ok(mkc_client_set_access_token(u->client, (const uint8_t *)token, strlen(token)),
                  "mkc_client_set_access_token");
}

void kms_user_free(struct kms_user *u) {
    mkc_client_free(u->client);
    u->client = NULL;
}

/* ------------------------------------------------------------------------------------------ */
/* Driving a client                                                                           */
/* ------------------------------------------------------------------------------------------ */

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
    case MKC_REJECTION_WRONG_PERIOD: return "wrong key period";
    case MKC_REJECTION_NOT_IN_CACHE: return "no longer in the certificate cache";
    default: return "other";
    }
}

/* Counts one event in u->ready or u->problems and logs it on one line (when `log`). */
static void note_event(FILE *log, struct kms_user *u, const mkc_event *e) {
    char at[40], to[40];
    if (log != NULL) fprintf(log, "  %s: ", u->name);
    switch (e->kind) {
    case MKC_EVENT_KIND_CERTIFICATE_INSTALLED:
        if (log != NULL) {
            fprintf(log, "KMS certificate of %.*s validated and installed%s\n", (int)e->text_len,
                    e->text, e->changed ? " (it replaced one with other keys)" : "");
        }
        break;
    case MKC_EVENT_KIND_KEY_MATERIAL_READY:
        if (log != NULL) {
            fprintf(log,
                    "keys of %.*s for period %" PRIu64 " (until %s) ready: sign %s, decrypt %s\n",
                    (int)e->identity_len, e->identity, e->period,
                    kms_utc(e->end, to, sizeof to), yes_no(e->can_sign),
                    yes_no(e->can_decrypt));
        }
        if (e->can_sign && e->can_decrypt) u->ready++;
        else u->problems++;
        break;
    case MKC_EVENT_KIND_MATERIAL_EXPIRED:
        if (log != NULL) {
            fprintf(log, "keys of %.*s for period %" PRIu64 " expired and erased\n",
                    (int)e->identity_len, e->identity, e->period);
        }
        break;
    case MKC_EVENT_KIND_ACCESS_TOKEN_NEEDED:
        if (log != NULL) fprintf(log, "the KMS wants a (new) access token\n");
        u->problems++;
        break;
    case MKC_EVENT_KIND_KMS_ERROR:
        if (log != NULL) {
            fprintf(log, "KMS error %" PRId64 ": %.*s\n", e->kms_error_code, (int)e->text_len,
                    e->text);
        }
        u->problems++;
        break;
    case MKC_EVENT_KIND_MATERIAL_REJECTED:
        if (log != NULL) {
            fprintf(log, "material refused (%s): %.*s\n", rejection_name(e->rejection),
                    (int)e->text_len, e->text);
        }
        u->problems++;
        u->last_rejection = e->rejection;
        break;
    case MKC_EVENT_KIND_PERIOD_MISMATCH:
        if (log != NULL) {
            fprintf(log, "the KMS numbers period %" PRIu64 " as %" PRIu64 "\n", e->period,
                    e->kms_period_no);
        }
        break;
    case MKC_EVENT_KIND_REQUEST_FAILED:
        if (log != NULL) {
            if (e->http_status == 0) {
                fprintf(log, "request %" PRIu64 " failed in transport", e->request_id);
            } else {
                fprintf(log, "request %" PRIu64 " failed: HTTP %u", e->request_id,
                        (unsigned)e->http_status);
            }
            fprintf(log, ", retry at %s\n", kms_utc(e->retry_at, at, sizeof at));
        }
        u->problems++;
        break;
    case MKC_EVENT_KIND_RETRIES_EXHAUSTED:
        if (log != NULL) fprintf(log, "gave up after repeated failures\n");
        u->problems++;
        break;
    case MKC_EVENT_KIND_KEY_MATERIAL_PARTIAL:
        if (log != NULL) {
            fprintf(log,
                    "half the keys of %.*s for period %" PRIu64 " stored: sign %s, decrypt %s\n",
                    (int)e->identity_len, e->identity, e->period, yes_no(e->can_sign),
                    yes_no(e->can_decrypt));
        }
        break;
    case MKC_EVENT_KIND_PARTNER_CERTIFICATE_INSTALLED:
        if (log != NULL) {
            fprintf(log, "certificate of partner domain %.*s validated and installed%s\n",
                    (int)e->text_len, e->text,
                    e->changed ? " (it replaced one with other keys, or a revoked one)" : "");
        }
        u->partners_installed++;
        break;
    case MKC_EVENT_KIND_PARTNER_CERTIFICATE_REMOVED:
        if (log != NULL) {
            fprintf(log, "certificate of partner domain %.*s removed (%s)\n", (int)e->text_len,
                    e->text, rejection_name(e->rejection));
        }
        u->partners_removed++;
        u->last_rejection = e->rejection;
        break;
    default:
        if (log != NULL) fprintf(log, "event %u\n", (unsigned)e->kind);
        break;
    }
}

/* Sends one request of u's client and feeds back the answer (or the transport failure). */
static int answer(struct kms_session *s, struct kms_user *u, uint64_t now,
                  const mkc_request *req) {
    struct body resp = {NULL, 0, 0};
    long status = 0;
    const char *path = strstr(req->url, "/keymanagement/");
    CURLcode rc = send_request(s->curl, s->ca_file, req, &status, &resp);
    int good;
    if (s->log != NULL) {
        fprintf(s->log, "  %s: %s %s -> ", u->name, req->method, path ? path : req->url);
        if (rc == CURLE_OK) fprintf(s->log, "HTTP %ld, %zu octets\n", status, resp.len);
        else fprintf(s->log, "%s\n", curl_easy_strerror(rc));
    }
    if (rc == CURLE_OK) {
        good = kms_ok(mkc_client_handle_response(u->client, now, req->id, (uint32_t)status,
                                                 resp.data, resp.len),
                      "mkc_client_handle_response");
    } else {
        good = kms_ok(mkc_client_handle_failure(u->client, now, req->id),
                      "mkc_client_handle_failure");
    }
    body_clear(&resp);
    return good;
}

int kms_drive(struct kms_session *s, struct kms_user *u, uint64_t now) {
    int rounds;
    for (rounds = 0; rounds < 100; rounds++) {
        mkc_output out;
        if (!kms_ok(mkc_client_poll_output(u->client, now, &out), "mkc_client_poll_output")) {
            return 0;
        }
        if (out.kind == MKC_OUTPUT_KIND_EVENT) {
            note_event(s->log, u, &out.event);
        } else if (out.kind == MKC_OUTPUT_KIND_REQUEST) {
            if (!answer(s, u, now, &out.request)) return 0;
        } else {
            return 1; /* WAKE_UP (poll again at out.wake_up_at) or NONE */
        }
    }
    fprintf(stderr, "error: %s's client did not settle\n", u->name);
    return 0;
}
