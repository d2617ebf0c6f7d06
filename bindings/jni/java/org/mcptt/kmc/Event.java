package org.mcptt.kmc;

/**
 * Something the app should know about, from {@link Client#pollOutput}. Fields not listed for a
 * kind are null, 0 or false. Events hold no secrets; text from the KMS in them is escaped and
 * bounded.
 */
public final class Event {
    /** Event kinds (the {@code mkc_event_kind} values of the C API, in {@link #code()}). */
    public enum Kind {
        /**
         * A kind this version of the Java API does not know (a newer native library): {@link
         * #text()} describes it.
         */
        OTHER(0),
        /** A KMS certificate was installed: {@link #text()} = its KmsUri, {@link #changed()}. */
        CERTIFICATE_INSTALLED(1),
        /**
         * Key material is ready: identity, period, kmsPeriodNo, start, end, canSign,
         * canDecrypt.
         */
        KEY_MATERIAL_READY(2),
        /** Material of identity for period passed its grace window and was erased. */
        MATERIAL_EXPIRED(3),
        /** The access token is missing or was refused: call {@link Client#setAccessToken}. */
        ACCESS_TOKEN_NEEDED(4),
        /** The KMS answered with a KmsError: kmsErrorCode, text = ErrorMsg. */
        KMS_ERROR(5),
        /**
         * Received material was refused: rejection, text = why, identity and period when known.
         * Stored material is unchanged.
         */
        MATERIAL_REJECTED(6),
        /** The KMS numbers the period differently: period (ours), kmsPeriodNo. */
        PERIOD_MISMATCH(7),
        /**
         * requestId failed with httpStatus (0: transport); retried at retryAt. When the answer
         * carried a KmsError: {@link #hasKmsError()}, kmsErrorCode, text = ErrorMsg.
         */
        REQUEST_FAILED(8),
        /** A request failed maxAttempts times and is parked (identity null for init). */
        RETRIES_EXHAUSTED(9),
        /**
         * Half a key set was stored (the other half was rejected, see the MATERIAL_REJECTED
         * before): identity, period, kmsPeriodNo, start, end, canSign, canDecrypt. The client
         * keeps asking until a complete set is installed.
         */
        KEY_MATERIAL_PARTIAL(10),
        /**
         * A partner KMS domain's certificate (from the certificate cache) was installed: text =
         * its KmsUri, changed.
         */
        PARTNER_CERTIFICATE_INSTALLED(11),
        /**
         * A partner KMS domain's certificate was removed: text = its KmsUri, rejection = why
         * ({@code Revoked}, {@code NotValid}, or {@code NotInCache}: a certificate cache with a
         * newer CacheNum no longer names it).
         */
        PARTNER_CERTIFICATE_REMOVED(12);

        private final int code;

        Kind(int code) {
            this.code = code;
        }

        /** @return the C API's value of this kind */
        public int code() {
            return code;
        }

        static Kind of(int code) {
            for (Kind kind : values()) {
                if (kind.code == code) {
                    return kind;
                }
            }
            return OTHER;
        }
    }

    private final Kind kind;
    private final String identity;
    private final Long period;
    private final long kmsPeriodNo;
    private final long start;
    private final long end;
    private final boolean canSign;
    private final boolean canDecrypt;
    private final boolean changed;
    private final String rejection;
    private final boolean hasKmsError;
    private final long kmsErrorCode;
    private final String text;
    private final long requestId;
    private final int httpStatus;
    private final long retryAt;

    private Event(
            Kind kind,
            String identity,
            Long period,
            long kmsPeriodNo,
            long start,
            long end,
            boolean canSign,
            boolean canDecrypt,
            boolean changed,
            String rejection,
            boolean hasKmsError,
            long kmsErrorCode,
            String text,
            long requestId,
            int httpStatus,
            long retryAt) {
        this.kind = kind;
        this.identity = identity;
        this.period = period;
        this.kmsPeriodNo = kmsPeriodNo;
        this.start = start;
        this.end = end;
        this.canSign = canSign;
        this.canDecrypt = canDecrypt;
        this.changed = changed;
        this.rejection = rejection;
        this.hasKmsError = hasKmsError;
        this.kmsErrorCode = kmsErrorCode;
        this.text = text;
        this.requestId = requestId;
        this.httpStatus = httpStatus;
        this.retryAt = retryAt;
    }

    static Event of(
            int kind,
            String identity,
            boolean hasPeriod,
            long period,
            long kmsPeriodNo,
            long start,
            long end,
            boolean canSign,
            boolean canDecrypt,
            boolean changed,
            String rejection,
            boolean hasKmsError,
            long kmsErrorCode,
            String text,
            long requestId,
            int httpStatus,
            long retryAt) {
        return new Event(
                Kind.of(kind),
                identity,
                hasPeriod ? period : null,
                kmsPeriodNo,
                start,
                end,
                canSign,
                canDecrypt,
                changed,
                rejection,
                hasKmsError,
                kmsErrorCode,
                text,
                requestId,
                httpStatus,
                retryAt);
    }

    /** @return the kind */
    public Kind kind() {
        return kind;
    }

    /** @return the identity concerned, or null */
    public String identity() {
        return identity;
    }

    /**
     * @return the key period number (TS 33.180 F.2.1 numbering, or the KMS's own when it
     *     numbers periods from the Unix epoch; see PERIOD_MISMATCH), or null
     */
    public Long period() {
        return period;
    }

    /** @return the KMS's KeyPeriodNo */
    public long kmsPeriodNo() {
        return kmsPeriodNo;
    }

    /** @return first Unix second of the period */
    public long start() {
        return start;
    }

    /** @return end of the period (exclusive), Unix seconds */
    public long end() {
        return end;
    }

    /** @return a valid SSK/PVT is held */
    public boolean canSign() {
        return canSign;
    }

    /** @return a valid RSK is held */
    public boolean canDecrypt() {
        return canDecrypt;
    }

    /** @return a new certificate replaced one with other keys */
    public boolean changed() {
        return changed;
    }

    /**
     * @return for {@link Kind#MATERIAL_REJECTED}, the reason's name as the core names it (e.g.
     *     {@code InvalidSsk}, {@code Revoked}, {@code Malformed}), else null
     */
    public String rejection() {
        return rejection;
    }

    /** @return a KmsError came with this event (KMS_ERROR, or REQUEST_FAILED of an error answer) */
    public boolean hasKmsError() {
        return hasKmsError;
    }

    /** @return the KmsError ErrorCode */
    public long kmsErrorCode() {
        return kmsErrorCode;
    }

    /** @return the KMS URI, the KMS's ErrorMsg, the reason of a rejection, or null */
    public String text() {
        return text;
    }

    /** @return the failed request's id */
    public long requestId() {
        return requestId;
    }

    /** @return the HTTP status of a failure, 0 for a transport failure */
    public int httpStatus() {
        return httpStatus;
    }

    /** @return the Unix time of the retry */
    public long retryAt() {
        return retryAt;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("Event[").append(kind);
        if (identity != null) {
            b.append(" identity=").append(identity);
        }
        if (period != null) {
            b.append(" period=").append(period);
        }
        if (kind == Kind.KEY_MATERIAL_READY || kind == Kind.KEY_MATERIAL_PARTIAL) {
            b.append(" sign=").append(canSign).append(" decrypt=").append(canDecrypt);
        }
        if (rejection != null) {
            b.append(" rejection=").append(rejection);
        }
        if (kind == Kind.REQUEST_FAILED) {
            b.append(" request=").append(requestId).append(" status=").append(httpStatus);
            if (hasKmsError) {
                b.append(" kmsError=").append(kmsErrorCode);
            }
        }
        if (text != null) {
            b.append(" text=").append(text);
        }
        return b.append(']').toString();
    }
}
