package org.mcptt.kmc;

import static org.mcptt.kmc.Bytes.need;

/**
 * The MIKEY key derivation (RFC 3830 4.1.2/4.1.3 with PRF-HMAC-SHA-256, RFC 6043 6.1), e.g.
 * the SRTP master key and salt from a GMK or PCK and the I_MESSAGE's RAND (TS 33.180 7.4).
 * Stateless.
 */
public final class MikeyKdf {
    /** The constant of a TEK, e.g. the SRTP master key (RFC 3830 4.1.3). */
    public static final int TEK = 0x2AD01C64;
    /** The constant of an encryption key (RFC 3830 4.1.4). */
    public static final int ENCRYPTION = 0x15798CEF;
    /** The constant of an authentication key (RFC 3830 4.1.4). */
    public static final int AUTHENTICATION = 0x1B5C7973;
    /** The constant of a salting key, e.g. the SRTP master salt (RFC 3830 4.1.3). */
    public static final int SALT = 0x39A2C14B;
    /** Largest TGK, in octets. */
    public static final int MAX_TGK_BYTES = 1024;
    /** Largest RAND, in octets (the RAND payload's one-octet length). */
    public static final int MAX_RAND_BYTES = 255;
    /** Largest output, in octets. */
    public static final int MAX_OUT_BYTES = 1024;

    private MikeyKdf() {}

    /**
     * The first {@code outLen} octets of {@code PRF(tgk, constant || csId || csbId || rand)}
     * (constant and CSB ID as 4 octets big-endian, CS ID as 1).
     *
     * @param tgk the TEK Generation Key, e.g. a GMK or PCK (secret): 1 to 1024 octets, copied
     * @param constant {@link #TEK}, {@link #ENCRYPTION}, {@link #AUTHENTICATION}, {@link #SALT}
     *     (any 32-bit value is accepted)
     * @param csId the crypto session ID, 0..255
     * @param csbId the CSB ID (unsigned 32 bits in an int)
     * @param rand the RAND value, 1 to 255 octets
     * @param outLen octets wanted, 1 to 1024
     * @return the derived key (secret): wipe it when done
     * @throws InvalidInputException ({@link MkcException#INVALID_LENGTH}) for a length outside
     *     its limits, or ({@link MkcException#INVALID_PARAMETER}) for a CS ID outside 0..255 or a
     *     negative length
     */
    public static byte[] deriveKey(
            byte[] tgk, int constant, int csId, int csbId, byte[] rand, int outLen) {
        return Native.mikeyDeriveKey(need(tgk, "tgk"), constant, csId, csbId, need(rand, "rand"), outLen);
    }
}
