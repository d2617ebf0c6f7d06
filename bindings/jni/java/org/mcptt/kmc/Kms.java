package org.mcptt.kmc;

import static org.mcptt.kmc.Bytes.need;

/**
 * The KMS side: master secrets (KSAK for ECCSI, z for SAKKE), user key issuance (RFC 6507
 * 5.1.1, RFC 6508 6.1.1) and the KmsResponse XML of TS 33.180 D.3. For tests, demos and KMS
 * builders, as the C API's {@code mkc_kms}. Immutable; several threads may use it at once.
 * Holds the master secrets: close it when done.
 */
public final class Kms extends NativeHandle {
    static {
        Native.load();
    }

    /** The public settings of a KMS's security domain (TS 33.180 D.3.2, F.2.1). */
    public static final class Domain {
        /** {@code KmsUri}. */
        public final String kmsUri;
        /** {@code UserKeyPeriod}, seconds, 1..2^32-1. */
        public final long keyPeriodSeconds;
        /** {@code UserKeyOffset}, seconds from 1900-01-01 00:00 UTC, 0..2^32-1. */
        public final long keyOffsetSeconds;
        /** How UIDs become identifiers. */
        public final IdEncoding idEncoding;

        /**
         * @param kmsUri the KMS URI
         * @param keyPeriodSeconds the key period length
         * @param keyOffsetSeconds the key period offset
         * @param idEncoding the identifier encoding
         */
        public Domain(String kmsUri, long keyPeriodSeconds, long keyOffsetSeconds, IdEncoding idEncoding) {
            this.kmsUri = need(kmsUri, "kmsUri");
            this.keyPeriodSeconds = keyPeriodSeconds;
            this.keyOffsetSeconds = keyOffsetSeconds;
            this.idEncoding = need(idEncoding, "idEncoding");
        }
    }

    private Kms(long handle) {
        super(handle, Native::kmsFree);
    }

    /** @return a KMS with fresh random master secrets */
    public static Kms generate() {
        return new Kms(Native.kmsGenerate());
    }

    /**
     * @param ksak the KSAK, 32 octets big-endian in [1, q-1] (secret): copied
     * @param z the SAKKE master secret z, 128 octets big-endian in [2, q-1] (secret): copied
     * @return the KMS
     * @throws InvalidKeyMaterialException for a wrong length or a value out of range
     */
    public static Kms fromSecrets(byte[] ksak, byte[] z) {
        return new Kms(Native.kmsFromSecrets(need(ksak, "ksak"), need(z, "z")));
    }

    /** @return the KPAK (65 octets) */
    public byte[] kpak() {
        return shared(Native::kmsKpak);
    }

    /** @return Z_T (257 octets) */
    public byte[] zT() {
        return shared(Native::kmsZt);
    }

    /**
     * @param id the user's identifier
     * @return {SSK (32 octets, secret), PVT (65 octets)} with a fresh v
     */
    public byte[][] issueEccsi(byte[] id) {
        need(id, "id");
        return shared(h -> Native.kmsIssueEccsi(h, id));
    }

    /**
     * @param id the user's identifier
     * @return the RSK (257 octets, secret)
     */
    public byte[] issueSakke(byte[] id) {
        need(id, "id");
        return shared(h -> Native.kmsIssueSakke(h, id));
    }

    /**
     * @param domain the domain's public settings
     * @param userUri the user the answer is for
     * @param clientReqUrl the URL of the request answered
     * @param now Unix seconds, the response's Time
     * @return the UTF-8 XML of this KMS's answer to {@code init} for {@code userUri}: KmsInit
     *     with the Root KmsCertificate of {@code domain}, Time {@code now} (Unix seconds)
     * @throws InvalidInputException for an empty KMS URI, a period or offset out of range
     */
    public byte[] initResponseXml(Domain domain, String userUri, String clientReqUrl, long now) {
        need(domain, "domain");
        need(userUri, "userUri");
        need(clientReqUrl, "clientReqUrl");
        return shared(
                h ->
                        Native.kmsInitResponse(
                                h,
                                domain.kmsUri,
                                domain.keyPeriodSeconds,
                                domain.keyOffsetSeconds,
                                domain.idEncoding.ordinal(),
                                userUri,
                                clientReqUrl,
                                now));
    }

    /**
     * @param domain the domain's public settings
     * @param userUri the user whose key set is issued
     * @param clientReqUrl the URL of the request answered
     * @param now Unix seconds, the response's Time
     * @param periodNo the key period number (KeyPeriodNo), at most 2^32-1
     * @return the UTF-8 XML of the answer to {@code keyprov}: one freshly issued KmsKeySet of
     *     {@code userUri} for key period {@code periodNo}. It holds the SSK and RSK: wipe it when
     *     sent.
     * @throws InvalidInputException as {@link #initResponseXml}, or a period above 2^32-1
     */
    public byte[] keyProvResponseXml(
            Domain domain, String userUri, String clientReqUrl, long now, long periodNo) {
        need(domain, "domain");
        need(userUri, "userUri");
        need(clientReqUrl, "clientReqUrl");
        return shared(
                h ->
                        Native.kmsKeyProvResponse(
                                h,
                                domain.kmsUri,
                                domain.keyPeriodSeconds,
                                domain.keyOffsetSeconds,
                                domain.idEncoding.ordinal(),
                                userUri,
                                clientReqUrl,
                                now,
                                periodNo));
    }
}
