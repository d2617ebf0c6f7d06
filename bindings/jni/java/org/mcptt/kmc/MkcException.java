package org.mcptt.kmc;

/**
 * The one exception type of this library's failures: every native error is an {@code
 * MkcException} (unchecked) carrying {@link #code()}, the numeric result code of the C API
 * ({@code mkc_result} in {@code include/mcptt_kmc.h}; the same values, never reused). Subclasses
 * group the main families; codes outside them (e.g. {@link #PANIC}, {@link #RNG_FAILURE}, or
 * codes added by later versions) come as a plain {@code MkcException}.
 *
 * <p>Messages are fixed English texts: they never hold key material, tokens or text from a KMS.
 *
 * <p>Not covered by this hierarchy: a {@code null} argument throws {@link NullPointerException}
 * and a closed object throws {@link IllegalStateException}, as Java APIs do.
 */
public class MkcException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** A required argument was missing (never thrown: Java raises NullPointerException). */
    public static final int NULL_PARAMETER = 1;
    /** An output buffer was too small (not used by the Java API, which sizes its arrays). */
    public static final int BUFFER_TOO_SMALL = 2;
    /** A panic was caught inside the library (a bug); the object's state is unchanged. */
    public static final int PANIC = 3;
    /** The operating system's random number generator failed. */
    public static final int RNG_FAILURE = 4;
    /** An argument is outside its documented range (a negative time, a bad status, ...). */
    public static final int INVALID_PARAMETER = 5;
    /** An input has the wrong length where the standard fixes it (an SSV not 16 octets, ...). */
    public static final int INVALID_LENGTH = 6;
    /** A {@link ClientConfig} was refused. */
    public static final int INVALID_CONFIG = 7;
    /** The request id is not one the client has in flight. */
    public static final int UNKNOWN_REQUEST = 8;
    /** The client has no validated KMS certificate yet. */
    public static final int NO_CERTIFICATE = 9;
    /** The client holds no valid key of the needed kind for that identity and time. */
    public static final int NO_KEY_MATERIAL = 10;
    /** A key store blob is not one, has an unknown version, or fails validation. */
    public static final int INVALID_STORE = 11;
    /** A MIKEY message is malformed or uses something unsupported. */
    public static final int MIKEY_MALFORMED = 12;
    /** The I_MESSAGE's timestamp is outside the replay window. */
    public static final int MIKEY_TIME_OUTSIDE_WINDOW = 13;
    /** The I_MESSAGE is addressed to another identity. */
    public static final int MIKEY_NOT_FOR_US = 14;
    /** No valid certificate of the peer's KMS domain is held (not ours, not a cached partner). */
    public static final int MIKEY_UNKNOWN_KMS = 15;
    /** The peer's KMS domain was revoked. */
    public static final int MIKEY_KMS_REVOKED = 16;
    /** Key material failed validation. */
    public static final int INVALID_KEY = 100;
    /** A signature did not verify. */
    public static final int VERIFY_FAILED = 101;
    /** SAKKE decapsulation failed. */
    public static final int DECAPSULATION_FAILED = 102;
    /** A key store blob failed authentication (wrong key, another user's, tampered). */
    public static final int STORE_AUTHENTICATION_FAILED = 103;
    /** The I_MESSAGE's initiator or key identifiers are inconsistent. */
    public static final int MIKEY_AUTHENTICATION_FAILED = 104;

    /** The result code. */
    private final int code;

    /**
     * @param code the result code
     * @param message a fixed description of the code
     */
    public MkcException(int code, String message) {
        super(message + " (code " + code + ")");
        this.code = code;
    }

    /** @return the result code, one of the constants of this class (or a newer one) */
    public int code() {
        return code;
    }

    /**
     * The exception of a result code, of the subclass of its family. Called by the native
     * library; public so that apps can map stored codes the same way.
     *
     * @param code the result code
     * @param message its description
     * @return the exception to throw
     */
    public static MkcException of(int code, String message) {
        switch (code) {
            case NULL_PARAMETER:
            case BUFFER_TOO_SMALL:
            case INVALID_PARAMETER:
            case INVALID_LENGTH:
            case INVALID_CONFIG:
            case UNKNOWN_REQUEST:
                return new InvalidInputException(code, message);
            case INVALID_KEY:
                return new InvalidKeyMaterialException(code, message);
            case VERIFY_FAILED:
                return new VerificationFailedException(code, message);
            case DECAPSULATION_FAILED:
                return new DecapsulationFailedException(code, message);
            case NO_CERTIFICATE:
            case NO_KEY_MATERIAL:
                return new NoKeyMaterialException(code, message);
            case INVALID_STORE:
            case STORE_AUTHENTICATION_FAILED:
                return new StoreException(code, message);
            case MIKEY_MALFORMED:
            case MIKEY_TIME_OUTSIDE_WINDOW:
            case MIKEY_NOT_FOR_US:
            case MIKEY_AUTHENTICATION_FAILED:
            case MIKEY_UNKNOWN_KMS:
            case MIKEY_KMS_REVOKED:
                return new MikeyException(code, message);
            default:
                return new MkcException(code, message);
        }
    }
}
