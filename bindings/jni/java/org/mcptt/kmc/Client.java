package org.mcptt.kmc;

import static org.mcptt.kmc.Bytes.need;

/**
 * The provisioning client of one user (TS 33.180 Annex D), sans-IO: it never reads a clock or
 * opens a socket. The app sends the {@link Request}s it gets from {@link #pollOutput} over HTTPS,
 * feeds back responses ({@link #handleResponse}), transport failures ({@link #handleFailure}) and
 * the time, and uses the provisioned material through it (sign, verify, encapsulate,
 * decapsulate, MIKEY). All times are Unix seconds ({@code now}); key periods are counted on NTP
 * time inside.
 *
 * <p>Threads: calls that change the client (poll, handle*, setAccessToken, refresh, import)
 * take it exclusively; the others (sign, verify, ...) may run on several threads at once. Holds
 * secrets (SSK, RSK, the token): close it when done, which erases them (the Cleaner does it for
 * a forgotten client).
 */
public final class Client extends NativeHandle {
    static {
        Native.load();
    }

    /**
     * @param config the configuration (copied)
     * @throws InvalidInputException ({@link MkcException#INVALID_CONFIG}) for a URL that is not
     *     https:// with a host, an empty or repeated identity, inconsistent retry settings; or
     *     ({@link MkcException#INVALID_PARAMETER}) for a negative duration
     * @throws NullPointerException if {@code config}, its URL, its user URI or an extra
     *     identity is null
     */
    public Client(ClientConfig config) {
        super(create(need(config, "config")), Native::clientFree);
    }

    private static long create(ClientConfig c) {
        String[] extra = c.extraIdentities == null ? new String[0] : c.extraIdentities.toArray(new String[0]);
        return Native.clientNew(
                need(c.kmsUrl, "kmsUrl"),
                need(c.userUri, "userUri"),
                extra,
                c.expectedKmsUri,
                c.prefetchSeconds,
                c.graceSeconds,
                c.retryInitialSeconds,
                c.retryMaxSeconds,
                c.maxAttempts,
                need(c.idEncoding, "idEncoding").ordinal(),
                c.allowInsecureHttp);
    }

    /**
     * Sets or replaces the OAuth 2.0 access token sent as {@code Authorization: Bearer} (RFC
     * 6750). Requests waiting for a token or parked become ready.
     *
     * @param token the token as UTF-8 octets (secret): copied; wipe yours afterwards
     * @throws InvalidInputException ({@link MkcException#INVALID_PARAMETER}) for an empty token,
     *     one that is not UTF-8, or one holding a control character
     */
    public void setAccessToken(byte[] token) {
        need(token, "token");
        exclusive(h -> {
            Native.clientSetAccessToken(h, token);
            return null;
        });
    }

    /** Makes requests parked after {@link Event.Kind#RETRIES_EXHAUSTED} ready again. */
    public void refresh() {
        exclusive(h -> {
            Native.clientRefresh(h);
            return null;
        });
    }

    /**
     * Asks the KMS for its certificate cache (TS 33.180 5.2.7, D.3.4: the certificates of
     * partner KMS domains, needed for MIKEY with their users) at the next poll once the client
     * holds its own certificate, then every {@code intervalSeconds}; 0 (the default) stops
     * asking. Partner certificates are reported as PARTNER_CERTIFICATE_INSTALLED / _REMOVED
     * events and kept in the sealed key store.
     *
     * @param intervalSeconds seconds between requests, or 0
     * @throws InvalidInputException a negative interval
     */
    public void setCertcacheInterval(long intervalSeconds) {
        exclusive(h -> {
            Native.clientSetCertcacheInterval(h, intervalSeconds);
            return null;
        });
    }

    /**
     * Takes the jitter of the retry delays from {@code seed} (SplitMix64, not secret) instead
     * of the OS RNG, from the next retry on: two clients given the same seed and the same
     * failures retry at the same times, so that a run can be replayed (tests, field logs).
     * Call it before the first {@link #pollOutput} to replay a whole run; each call restarts
     * the jitter from its seed.
     *
     * @param seed the seed, all 64 bits (a negative value is a seed with its top bit set)
     */
    public void setJitterSeed(long seed) {
        exclusive(h -> {
            Native.clientSetJitterSeed(h, seed);
            return null;
        });
    }

    /**
     * What the client holds for the KMS domain {@code kmsUri} at {@code now}: our own KMS is
     * {@link PartnerStatus#VALID}.
     *
     * @param kmsUri a KmsUri (e.g. from a KMS Redirect Response)
     * @param now Unix seconds
     * @return its status
     */
    public PartnerStatus partnerStatus(String kmsUri, long now) {
        need(kmsUri, "kmsUri");
        return PartnerStatus.of(shared(h -> Native.clientPartnerStatus(h, kmsUri, now)));
    }

    /**
     * The next output at Unix time {@code now}: events first, then requests, then the wake-up
     * time. Call it in a loop until {@link Output.Kind#WAKE_UP} or {@link Output.Kind#NONE},
     * after creating the client and after every response, failure, token change and wake-up.
     *
     * @param now Unix seconds
     * @return the output
     */
    public Output pollOutput(long now) {
        return exclusive(h -> Native.clientPollOutput(h, now));
    }

    /**
     * Feeds the response to a request. Whatever the body holds, stored material changes only
     * through validated data; the outcome comes as events.
     *
     * @param now Unix seconds
     * @param requestId {@link Request#id()}
     * @param httpStatus the HTTP status (0..999)
     * @param body the body (may be empty; at most 1 MiB is parsed)
     * @throws InvalidInputException for an unknown request id or a status above 999
     */
    public void handleResponse(long now, long requestId, int httpStatus, byte[] body) {
        need(body, "body");
        exclusive(h -> {
            Native.clientHandleResponse(h, now, requestId, httpStatus, body);
            return null;
        });
    }

    /**
     * Reports that a request failed without an HTTP response (DNS, TCP, TLS, timeout); it is
     * retried with backoff.
     *
     * @param now Unix seconds
     * @param requestId {@link Request#id()}
     * @throws InvalidInputException ({@link MkcException#UNKNOWN_REQUEST}) for an unknown id
     */
    public void handleFailure(long now, long requestId) {
        exclusive(h -> {
            Native.clientHandleFailure(h, now, requestId);
            return null;
        });
    }

    /** A key period: its number (NTP-based, TS 33.180 F.2.1) and its Unix bounds. */
    public static final class KeyPeriod {
        /** The period number. */
        public final long number;
        /** Its first Unix second. */
        public final long start;
        /** Its end (exclusive), Unix seconds. */
        public final long end;

        KeyPeriod(long[] v) {
            this.number = v[0];
            this.start = v[1];
            this.end = v[2];
        }
    }

    /**
     * @param now Unix seconds
     * @return the key period of {@code now} under the installed certificate
     * @throws NoKeyMaterialException ({@link MkcException#NO_CERTIFICATE}) before a certificate
     */
    public KeyPeriod keyPeriod(long now) {
        return new KeyPeriod(shared(h -> Native.clientKeyPeriod(h, now)));
    }

    /**
     * @param uri a user URI
     * @param now Unix seconds
     * @return the TS 33.180 F.2.1 UID (32 octets) of {@code uri} at {@code now}, with the
     *     certificate's KmsUri and period and the KMS's period number
     * @throws NoKeyMaterialException ({@link MkcException#NO_CERTIFICATE})
     */
    public byte[] uid(String uri, long now) {
        need(uri, "uri");
        return shared(h -> Native.clientUid(h, uri, now));
    }

    /**
     * Signs with ECCSI (RFC 6507 5.2.1) as our {@code identity} with the SSK of the period of
     * {@code now}.
     *
     * @param identity our identity (the user URI or an extra identity)
     * @param now Unix seconds
     * @param msg the message
     * @return r || s || PVT, 129 octets
     * @throws NoKeyMaterialException no certificate, or no valid SSK for that identity and time
     */
    public byte[] sign(String identity, long now, byte[] msg) {
        need(identity, "identity");
        need(msg, "msg");
        return shared(h -> Native.clientSign(h, identity, now, msg));
    }

    /**
     * Verifies an ECCSI signature by {@code peerUri} made in the period of {@code now}; the
     * peer's UID comes from its URI, the certificate and the time. Returns normally if valid.
     *
     * @param peerUri the signer's URI
     * @param now Unix seconds
     * @param msg the message
     * @param signature r || s || PVT, 129 octets
     * @throws VerificationFailedException if it is not
     * @throws NoKeyMaterialException ({@link MkcException#NO_CERTIFICATE})
     */
    public void verify(String peerUri, long now, byte[] msg, byte[] signature) {
        need(peerUri, "peerUri");
        need(msg, "msg");
        need(signature, "signature");
        shared(h -> {
            Native.clientVerify(h, peerUri, now, msg, signature);
            return null;
        });
    }

    /**
     * Encapsulates a 16-octet SSV to {@code peerUri} for the period of {@code now} (RFC 6508
     * 6.2.1).
     *
     * @param peerUri the receiver's URI
     * @param now Unix seconds
     * @param ssv the SSV (secret, 16 octets): copied
     * @return the SED, 273 octets
     * @throws InvalidInputException ({@link MkcException#INVALID_LENGTH}) for an SSV that is not
     *     16 octets
     */
    public byte[] encapsulate(String peerUri, long now, byte[] ssv) {
        need(peerUri, "peerUri");
        need(ssv, "ssv");
        return shared(h -> Native.clientEncapsulate(h, peerUri, now, ssv));
    }

    /**
     * Decapsulates a SED addressed to our {@code identity} in the period of {@code now} (RFC
     * 6508 6.2.2).
     *
     * @param identity our identity the SED is addressed to
     * @param now Unix seconds
     * @param sed R || H, 273 octets
     * @return the SSV, 16 octets (secret): wipe it when done
     * @throws DecapsulationFailedException for a bad SED
     * @throws NoKeyMaterialException no certificate, or no valid RSK for that identity and time
     */
    public byte[] decapsulate(String identity, long now, byte[] sed) {
        need(identity, "identity");
        need(sed, "sed");
        return shared(h -> Native.clientDecapsulate(h, identity, now, sed));
    }

    /**
     * Seals the certificate and key material into one blob for the user's profile: AES-256-GCM
     * under {@code storageKey}, bound to the user URI (README, "Key store").
     *
     * @param storageKey 32 octets (secret): copied
     * @return the sealed blob
     * @throws InvalidInputException ({@link MkcException#INVALID_LENGTH}) for a key that is not
     *     32 octets
     */
    public byte[] exportStore(byte[] storageKey) {
        need(storageKey, "storageKey");
        return shared(h -> Native.clientExport(h, storageKey));
    }

    /**
     * Opens a blob of {@link #exportStore} at {@code now} and installs its content after
     * validating all of it again; material whose period and grace window are over is skipped.
     * The next polls report the certificate and one KEY_MATERIAL_READY per key set. On any
     * error the client is unchanged.
     *
     * @param now Unix seconds
     * @param storageKey 32 octets (secret): copied
     * @param blob the sealed blob
     * @return the number of (identity, period) key sets installed
     * @throws StoreException wrong key, another user's blob, tampered, or invalid content
     * @throws InvalidInputException ({@link MkcException#INVALID_LENGTH}) for a key that is not
     *     32 octets
     */
    public int importStore(long now, byte[] storageKey, byte[] blob) {
        need(storageKey, "storageKey");
        need(blob, "blob");
        return exclusive(h -> Native.clientImport(h, now, storageKey, blob));
    }

    /**
     * Builds a MIKEY-SAKKE I_MESSAGE (RFC 6509; TS 33.180 E.1-E.7) from our {@code identity} to
     * {@code responderUri} at {@code now} carrying {@code key}: signed with our SSK of the
     * period, encapsulated to the responder's UID. For SDP, see {@link Sdp#toKeyMgmt}.
     *
     * @param identity our identity (the initiator)
     * @param responderUri the responder's URI
     * @param now Unix seconds
     * @param kind GMK, PCK or CSK
     * @param key 16 octets (secret): copied
     * @param keyId its identifier; the top 4 bits must be {@code kind}'s purpose tag
     * @param hideIdentities put UIDs instead of URIs in the IDR payloads (TS 33.180 E.7)
     * @param sakkeToSelf add the SAKKE-to-self extension for our other devices (E.5)
     * @return the message octets (under 1,000)
     * @throws NoKeyMaterialException no certificate, or no valid SSK for {@code identity} now
     * @throws InvalidInputException a key that is not 16 octets, or a key ID of another kind
     */
    public byte[] mikeyCreateImessage(
            String identity,
            String responderUri,
            long now,
            KeyKind kind,
            byte[] key,
            int keyId,
            boolean hideIdentities,
            boolean sakkeToSelf) {
        return mikeyCreateImessage(
                identity, responderUri, null, now, kind, key, keyId, hideIdentities, sakkeToSelf);
    }

    /**
     * As {@link #mikeyCreateImessage(String, String, long, KeyKind, byte[], int, boolean,
     * boolean)}, to a responder of the KMS domain {@code responderKmsUri}: a partner domain
     * whose certificate the client holds (see {@link #setCertcacheInterval}), named in IDRkmsr.
     *
     * @param identity our identity (the initiator)
     * @param responderUri the responder's URI
     * @param responderKmsUri the responder's KmsUri, or null for our own KMS
     * @param now Unix seconds
     * @param kind GMK, PCK or CSK
     * @param key 16 octets (secret): copied
     * @param keyId its identifier; the top 4 bits must be {@code kind}'s purpose tag
     * @param hideIdentities put UIDs instead of URIs in the IDR payloads (TS 33.180 E.7)
     * @param sakkeToSelf add the SAKKE-to-self extension for our other devices (E.5)
     * @return the message octets (under 1,000)
     * @throws MikeyException code 15 (no valid certificate of that KMS) or 16 (revoked)
     */
    public byte[] mikeyCreateImessage(
            String identity,
            String responderUri,
            String responderKmsUri,
            long now,
            KeyKind kind,
            byte[] key,
            int keyId,
            boolean hideIdentities,
            boolean sakkeToSelf) {
        need(identity, "identity");
        need(responderUri, "responderUri");
        need(kind, "kind");
        need(key, "key");
        return shared(
                h ->
                        Native.clientMikeyCreate(
                                h,
                                identity,
                                responderUri,
                                responderKmsUri,
                                now,
                                kind.purposeTag(),
                                key,
                                keyId,
                                hideIdentities,
                                sakkeToSelf));
    }

    /**
     * Processes an I_MESSAGE addressed to our {@code identity} at {@code now}: T within {@code
     * replayWindowSeconds} of now, the initiator's UID from {@code initiatorUri} (when known,
     * e.g. from SIP; may be null) or from the message, the ECCSI signature, SAKKE decapsulation
     * with our RSK of T's period, and the key identifiers. The app keeps the replay cache.
     *
     * @param identity our identity (the responder)
     * @param now Unix seconds
     * @param replayWindowSeconds how far T may be from now
     * @param initiatorUri the initiator's URI when known, or null
     * @param message the I_MESSAGE octets
     * @return the key: wipe it when done
     * @throws MikeyException malformed, outside the window, not for us, or inconsistent
     * @throws VerificationFailedException a bad signature
     * @throws DecapsulationFailedException a bad SED
     * @throws NoKeyMaterialException no certificate, or no RSK for the period
     */
    public ReceivedKey mikeyProcessImessage(
            String identity, long now, long replayWindowSeconds, String initiatorUri, byte[] message) {
        need(identity, "identity");
        need(message, "message");
        return shared(
                h -> Native.clientMikeyProcess(h, identity, now, replayWindowSeconds, initiatorUri, message));
    }
}
