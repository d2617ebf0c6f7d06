/*
 * kms_session.h: provisioning mcptt-kmc clients from a KMS over HTTPS with libcurl, shared by
 * the C demos (provisioning_demo.c, group_key_demo.c, partner_demo.c) and the C tests
 * (test_mikey.c, test_srtp.c, test_partner.c). Copy it along with the demo you start from.
 *
 * The provisioning client is sans-IO: the app polls it (mkc_client_poll_output), sends each
 * request it asks for over HTTPS and feeds back the HTTP status and body
 * (mkc_client_handle_response), or reports a transport failure (mkc_client_handle_failure).
 * kms_drive() is that loop; the rest are the few helpers the demos share.
 *
 *   struct kms_session kms = KMS_SESSION_INIT;
 *   struct kms_user alice = KMS_USER_INIT("alice", "sip:alice@example.org");
 *   kms_session_open(&kms, url, ca_file, stdout);
 *   kms_user_start(&kms, &alice, token);
 *   kms_drive(&kms, &alice, now);          (then alice.ready, alice.problems)
 *   ...
 *   kms_user_free(&alice);
 *   kms_session_close(&kms);
 *
 * C99, also valid C++. Build it with the program:
 *   cc -std=c99 -Iinclude demo.c kms_session.c -Ltarget/release -lmcptt_kmc -lcurl
 */
#ifndef MCPTT_KMC_KMS_SESSION_H
#define MCPTT_KMC_KMS_SESSION_H

#include <mcptt_kmc.h>

#include <curl/curl.h>

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The KmsUri the clients of a session expect unless it names another (kms_session_open_domain):
 * they refuse a certificate of any other KMS. */
#define KMS_SESSION_KMS_URI "kms.example.org"

/* One KMS and the HTTPS connection to it. A program talking to two KMSs (its home domain and
 * a partner domain, TS 33.180 5.2.7) opens one session for each. */
struct kms_session {
    const char *kms_url; /* base URL, e.g. https://127.0.0.1:8443 */
    const char *ca_file; /* the only certificates trusted for TLS (PEM) */
    CURL *curl;          /* one handle: its connection is kept between requests */
    FILE *log;           /* where requests and events are printed; NULL: nowhere */
    const char *kms_uri; /* the KmsUri its clients expect (kms_session_open: KMS_SESSION_KMS_URI) */
};

#define KMS_SESSION_INIT {NULL, NULL, NULL, NULL, NULL}

/* One identity with its client. */
struct kms_user {
    const char *name;            /* "alice": prefixes its lines in the log */
    const char *uri;             /* the MCPTT ID, as the KMS writes it in UserUri */
    mkc_client *client;          /* made by kms_user_start, freed by kms_user_free */
    unsigned ready;              /* KEY_MATERIAL_READY events with both keys (sign and decrypt) */
    unsigned problems;           /* events that mean something went wrong */
    unsigned partners_installed; /* PARTNER_CERTIFICATE_INSTALLED events */
    unsigned partners_removed;   /* PARTNER_CERTIFICATE_REMOVED events (Revoked, or expired) */
    uint32_t last_rejection;     /* mkc_rejection of the last MATERIAL_REJECTED or
                                    PARTNER_CERTIFICATE_REMOVED event (0: none yet) */
};

#define KMS_USER_INIT(name, uri) {(name), (uri), NULL, 0, 0, 0, 0, 0}

/* curl_global_init and one easy handle; the clients expect KmsUri KMS_SESSION_KMS_URI.
 * Returns 1, or prints why (stderr) and returns 0. */
int kms_session_open(struct kms_session *s, const char *kms_url, const char *ca_file, FILE *log);
/* As kms_session_open, for the KMS of KmsUri `kms_uri` (e.g. "partner.example.net"): the
 * clients made with this session expect it and refuse a certificate of any other KMS. The
 * string must outlive the session. */
int kms_session_open_domain(struct kms_session *s, const char *kms_url, const char *ca_file,
                            const char *kms_uri, FILE *log);
/* Frees what kms_session_open made; safe after a failed open. */
void kms_session_close(struct kms_session *s);

/* A client for `uri` at the session's KMS with the defaults (prefetch one day ahead), expecting
 * the session's KmsUri (s->kms_uri). Returns 1, or prints why and returns 0. */
int kms_client_new(const struct kms_session *s, const char *uri, mkc_client **out);
/* Makes u->client and gives it the bearer token `token` (from the identity management server).
 * Returns 1, or prints why and returns 0. */
int kms_user_start(const struct kms_session *s, struct kms_user *u, const char *token);
/* Frees u->client (which erases its keys and token). */
void kms_user_free(struct kms_user *u);

/* Polls u's client at Unix time `now` until it has nothing more to do now: sends each request
 * it asks for and feeds back the answer, logs each event and counts u->ready, u->problems and
 * the partner certificates installed and removed (a removal is not a problem: the KMS said so).
 * A real app does the same from its event loop and polls again at the WAKE_UP time. Returns 0
 * if a library call failed or the client did not settle. */
int kms_drive(struct kms_session *s, struct kms_user *u, uint64_t now);

/* Returns 1 on MKC_RESULT_OK; otherwise prints "error: <what> failed: ..." (stderr), returns 0. */
int kms_ok(mkc_result rc, const char *what);
/* The name of a result code, e.g. "MKC_RESULT_MIKEY_UNKNOWN_KMS" ("MKC_RESULT_?" if unknown);
 * mkc_result_str(rc) says what it means. */
const char *kms_result_name(mkc_result rc);
/* Overwrites a secret through a volatile pointer, so the stores are not optimized away. */
void kms_wipe(void *buf, size_t len);
/* Unix seconds as "2026-11-06 00:00:00 UTC" into buf; returns buf. */
const char *kms_utc(uint64_t unix_s, char *buf, size_t cap);
/* Lower-case hex of buf to stdout. */
void kms_print_hex(const uint8_t *buf, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* MCPTT_KMC_KMS_SESSION_H */
