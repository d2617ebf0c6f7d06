package org.mcptt.kmc;

import static org.mcptt.kmc.Bytes.need;

/**
 * SAKKE encapsulation (RFC 6508 6.2.1) under a KMS Public Key Z_T, validated once. Immutable:
 * any number of threads may encapsulate at once. Close it when done.
 */
public final class SakkePublic extends NativeHandle {
    /** Octets of Z_T and of an RSK: {@code 0x04 || x || y} over the 1024-bit p (RFC 6509). */
    public static final int POINT_BYTES = 257;
    /** Octets of an SSV (a GMK, PCK, ...). */
    public static final int SSV_BYTES = 16;
    /** Octets of a SED: R (257) || H (16). */
    public static final int SED_BYTES = 273;

    static {
        Native.load();
    }

    /**
     * @param zT the KMS Public Key Z_T (257 octets)
     * @throws InvalidKeyMaterialException for a wrong length or a point not of order q
     * @throws NullPointerException if {@code zT} is null
     */
    public SakkePublic(byte[] zT) {
        super(Native.sakkePublicNew(need(zT, "zT")), Native::sakkePublicFree);
    }

    /**
     * Encapsulates {@code ssv} to identifier {@code id}. Deterministic: the same SSV and
     * identifier give the same SED.
     *
     * @param id the receiver's identifier (arbitrary octets, e.g. a TS 33.180 UID)
     * @param ssv the Shared Secret Value, 16 octets (secret): copied; wipe yours when done
     * @return the SED, 273 octets
     * @throws InvalidInputException ({@link MkcException#INVALID_LENGTH}) if the SSV is not 16
     *     octets
     * @throws InvalidKeyMaterialException if no RSK can exist for {@code id} under this Z_T
     * @throws IllegalStateException if closed
     */
    public byte[] encapsulate(byte[] id, byte[] ssv) {
        need(id, "id");
        need(ssv, "ssv");
        return shared(h -> Native.sakkeEncapsulate(h, id, ssv));
    }
}
