/*
 * srtp_media.h: one SRTP stream through libsrtp (Debian's libsrtp2) keyed with what
 * mkc_srtp_derive gives: the MCPTT media profile AEAD_AES_128_GCM (RFC 7714) with a 16-octet
 * tag, master key (16 octets) || master salt (12), and the MKI of TS 33.180 7.4 in every
 * packet. Shared by examples/c/group_key_demo.c and tests/c/test_srtp.c.
 *
 *   struct srtp_media tx;
 *   srtp_media_open(&tx, &master, 1);               sender (outbound)
 *   srtp_media_protect(&tx, ssrc, seq, payload, n, packet, sizeof packet, &packet_len);
 *   srtp_media_close(&tx);
 *
 * A receiver reads the MKI at the end of the packet (srtp_media_mki), gets the master key for
 * it (mkc_srtp_derive with that MKI), opens an inbound stream and unprotects.
 *
 * Build: add srtp_media.c to the sources and link -lsrtp2.
 */
#ifndef MCPTT_KMC_SRTP_MEDIA_H
#define MCPTT_KMC_SRTP_MEDIA_H

#include <mcptt_kmc.h>

#include <srtp2/srtp.h>

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* An RTP header without CSRCs or extension: 12 octets. */
#define SRTP_MEDIA_RTP_HEADER 12

struct srtp_media {
    srtp_t session; /* NULL when closed */
};

/* libsrtp's one-time set-up; 1 on success. */
int srtp_media_init(void);
/* libsrtp's clean-up. */
void srtp_media_shutdown(void);
/* Opens a stream keyed by `master` (AEAD_AES_128_GCM, 16-octet tag, master->mki in every
 * packet): outbound when `outbound` is 1 (any SSRC we send), inbound otherwise. The key copy
 * made for libsrtp is wiped before returning. 1 on success. */
int srtp_media_open(struct srtp_media *m, const mkc_srtp_master *master, int outbound);
/* Frees the stream (libsrtp wipes its session keys). NULL session accepted. */
void srtp_media_close(struct srtp_media *m);
/* Builds an RTP packet (version 2, payload type 96, `ssrc`, `seq`) around `payload` and
 * protects it into `packet` (`cap` octets: at least 12 + n + 16 + 8 + SRTP_MAX_TRAILER_LEN is
 * safe). 1 on success, `*packet_len` set. */
int srtp_media_protect(struct srtp_media *m, uint32_t ssrc, uint16_t seq, const uint8_t *payload,
                       size_t n, uint8_t *packet, size_t cap, size_t *packet_len);
/* Unprotects `packet` in place; on success *payload points into it and *n is the payload's
 * length. Returns libsrtp's status (srtp_err_status_ok on success). */
srtp_err_status_t srtp_media_unprotect(struct srtp_media *m, uint8_t *packet, size_t packet_len,
                                       const uint8_t **payload, size_t *n);
/* The MKI of a protected packet: its last `mki_len` octets (RFC 7714: the MKI follows the
 * ciphertext and tag). NULL when the packet is too short. */
const uint8_t *srtp_media_mki(const uint8_t *packet, size_t packet_len, size_t mki_len);

#ifdef __cplusplus
}
#endif

#endif
