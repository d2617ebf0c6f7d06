package org.mcptt.kmc;

import static org.mcptt.kmc.Bytes.need;

/** Library-wide helpers: version, the operating system's RNG, the TS 33.180 UID. Stateless. */
public final class Mkc {
    /** Octets of a TS 33.180 UID (a SHA-256 output, Annex F.2.1). */
    public static final int UID_BYTES = 32;

    private Mkc() {}

    /** @return the native library's version, {@code MAJOR.MINOR.PATCH} */
    public static String version() {
        return Native.version();
    }

    /**
     * @param len number of octets, not negative
     * @return {@code len} octets from the operating system's RNG (getrandom(2))
     * @throws InvalidInputException for a negative length
     * @throws MkcException with {@link MkcException#RNG_FAILURE} if the RNG fails
     */
    public static byte[] random(int len) {
        return Native.random(len);
    }

    /**
     * The MIKEY-SAKKE UID of TS 33.180 Annex F.2.1, the identifier ECCSI and SAKKE use for a
     * user in one key period: SHA-256 over the user URI and KMS URI (UTF-8, octet for octet as
     * the KMS writes them), the key period length and offset (seconds) and the period number.
     *
     * @param userUri the user's URI ({@code UserUri}), at most 65535 octets
     * @param kmsUri the KMS URI ({@code KmsUri}), at most 65535 octets
     * @param keyPeriodS {@code UserKeyPeriod}, seconds
     * @param keyOffsetS {@code UserKeyOffset}, seconds
     * @param periodNo the key period number ({@code KeyPeriodNo})
     * @return the UID, 32 octets
     * @throws InvalidInputException for a URI above 65535 octets or a negative number
     */
    public static byte[] deriveUid(
            String userUri, String kmsUri, long keyPeriodS, long keyOffsetS, long periodNo) {
        return Native.deriveUid(
                need(userUri, "userUri"), need(kmsUri, "kmsUri"), keyPeriodS, keyOffsetS, periodNo);
    }
}
