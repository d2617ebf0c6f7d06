/* srtp_media.c: see srtp_media.h. */
#include "srtp_media.h"

#include <limits.h>
#include <string.h>

/* Overwrites a buffer in a way the compiler keeps. */
static void wipe(void *buf, size_t len) {
    volatile unsigned char *p = (volatile unsigned char *)buf;
    while (len--) *p++ = 0;
}

int srtp_media_init(void) { return srtp_init() == srtp_err_status_ok; }

void srtp_media_shutdown(void) { (void)srtp_shutdown(); }

int srtp_media_open(struct srtp_media *m, const mkc_srtp_master *master, int outbound) {
    /* libsrtp's key for AEAD_AES_128_GCM: master key || master salt (SRTP_AES_GCM_128_KEY_LEN_WSALT). */
    unsigned char key_salt[MKC_SRTP_MASTER_KEY_BYTES + MKC_SRTP_MASTER_SALT_BYTES];
    unsigned char mki[MKC_SRTP_MKI_MAX_BYTES];
    srtp_master_key_t key;
    srtp_master_key_t *keys[1];
    srtp_policy_t policy;
    srtp_err_status_t rc;

    m->session = NULL;
    if (master->mki_len == 0 || master->mki_len > sizeof mki) return 0;
    memcpy(key_salt, master->master_key, MKC_SRTP_MASTER_KEY_BYTES);
    memcpy(key_salt + MKC_SRTP_MASTER_KEY_BYTES, master->master_salt, MKC_SRTP_MASTER_SALT_BYTES);
    memcpy(mki, master->mki, master->mki_len);
    key.key = key_salt;
    key.mki_id = mki;
    key.mki_size = (unsigned int)master->mki_len;
    keys[0] = &key;

    memset(&policy, 0, sizeof policy);
    srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtp);
    srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtcp);
    policy.ssrc.type = outbound ? ssrc_any_outbound : ssrc_any_inbound;
    policy.keys = keys;
    policy.num_master_keys = 1;
    policy.window_size = 128;
    policy.next = NULL;
    rc = srtp_create(&m->session, &policy); /* derives and keeps its own session keys */
    wipe(key_salt, sizeof key_salt);
    if (rc != srtp_err_status_ok) {
        m->session = NULL;
        return 0;
    }
    return 1;
}

void srtp_media_close(struct srtp_media *m) {
    if (m->session != NULL) (void)srtp_dealloc(m->session);
    m->session = NULL;
}

int srtp_media_protect(struct srtp_media *m, uint32_t ssrc, uint16_t seq, const uint8_t *payload,
                       size_t n, uint8_t *packet, size_t cap, size_t *packet_len) {
    int len;
    if (m->session == NULL || n > (size_t)INT_MAX / 2 ||
        cap < SRTP_MEDIA_RTP_HEADER + n + SRTP_MAX_TRAILER_LEN) {
        return 0;
    }
    packet[0] = 0x80; /* V=2, no padding, extension or CSRC */
    packet[1] = 96;   /* M=0, a dynamic payload type */
    packet[2] = (uint8_t)(seq >> 8);
    packet[3] = (uint8_t)seq;
    memset(packet + 4, 0, 4); /* RTP timestamp */
    packet[8] = (uint8_t)(ssrc >> 24);
    packet[9] = (uint8_t)(ssrc >> 16);
    packet[10] = (uint8_t)(ssrc >> 8);
    packet[11] = (uint8_t)ssrc;
    memcpy(packet + SRTP_MEDIA_RTP_HEADER, payload, n);
    len = (int)(SRTP_MEDIA_RTP_HEADER + n);
    if (srtp_protect_mki(m->session, packet, &len, 1, 0) != srtp_err_status_ok) return 0;
    *packet_len = (size_t)len;
    return 1;
}

srtp_err_status_t srtp_media_unprotect(struct srtp_media *m, uint8_t *packet, size_t packet_len,
                                       const uint8_t **payload, size_t *n) {
    int len = (int)packet_len;
    srtp_err_status_t rc;
    if (m->session == NULL || packet_len > (size_t)INT_MAX) return srtp_err_status_bad_param;
    rc = srtp_unprotect_mki(m->session, packet, &len, 1);
    if (rc != srtp_err_status_ok) return rc;
    if (len < SRTP_MEDIA_RTP_HEADER) return srtp_err_status_bad_param;
    *payload = packet + SRTP_MEDIA_RTP_HEADER;
    *n = (size_t)len - SRTP_MEDIA_RTP_HEADER;
    return srtp_err_status_ok;
}

const uint8_t *srtp_media_mki(const uint8_t *packet, size_t packet_len, size_t mki_len) {
    if (packet_len < SRTP_MEDIA_RTP_HEADER + mki_len) return NULL;
    return packet + packet_len - mki_len;
}
