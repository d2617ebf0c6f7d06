package org.mcptt.kmc;

/** What a client holds for a KMS domain, from {@link Client#partnerStatus}. */
public enum PartnerStatus {
    /** No valid certificate of that KmsUri is held: MIKEY with it is refused (code 15). */
    UNKNOWN,
    /** Its certificate is held and valid (our own KMS, or a partner domain from the cache). */
    VALID,
    /** Its certificate came back Revoked: MIKEY with it is refused (code 16). */
    REVOKED;

    static PartnerStatus of(int code) {
        return values()[code];
    }
}
