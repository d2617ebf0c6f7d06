package org.mcptt.kmc;

import static org.mcptt.kmc.Bytes.need;

/**
 * SAKKE decapsulation (RFC 6508 6.2.2) with a user's Receiver Secret Key (RSK), validated
 * against Z_T and the identifier (RFC 6508 6.1.2) when made; about 0.6 MB of precomputed data.
 * Immutable: any number of threads may decapsulate at once. Holds the RSK: close it when done;
 * the native copy and the precomputed data are erased then.
 */
public final class SakkeReceiver extends NativeHandle {
    static {
        Native.load();
    }

    /**
     * @param zT the KMS Public Key Z_T (257 octets)
     * @param id the receiver's identifier (arbitrary octets, e.g. a TS 33.180 UID)
     * @param rsk the RSK (257 octets, secret): copied; the caller may wipe its array afterwards
     * @throws InvalidKeyMaterialException for any failed validation, without detail
     * @throws NullPointerException if an argument is null
     */
    public SakkeReceiver(byte[] zT, byte[] id, byte[] rsk) {
        super(
                Native.sakkeReceiverNew(need(zT, "zT"), need(id, "id"), need(rsk, "rsk")),
                Native::sakkeReceiverFree);
    }

    /**
     * As {@link #SakkeReceiver(byte[], byte[], byte[])} with Z_T from a {@link SakkePublic} that
     * validated it already (saves Z_T's subgroup check, about a quarter of the time).
     *
     * @param publicKey an open SakkePublic; it may be closed afterwards
     * @param id the receiver's identifier
     * @param rsk the RSK (257 octets, secret): copied
     * @throws InvalidKeyMaterialException for any failed validation
     * @throws IllegalStateException if {@code publicKey} is closed
     */
    public SakkeReceiver(SakkePublic publicKey, byte[] id, byte[] rsk) {
        super(
                need(publicKey, "publicKey")
                        .shared(h -> Native.sakkeReceiverWithPublic(h, need(id, "id"), need(rsk, "rsk"))),
                Native::sakkeReceiverFree);
    }

    /**
     * Decapsulates a SED; the SSV is released only after the check of RFC 6508 6.2.2.
     *
     * @param sed R || H, 273 octets
     * @return the SSV, 16 octets (secret): wipe it when done
     * @throws DecapsulationFailedException for any bad SED (wrong length, R not a point of
     *     order q, failed check)
     * @throws IllegalStateException if closed
     */
    public byte[] decapsulate(byte[] sed) {
        need(sed, "sed");
        return shared(h -> Native.sakkeDecapsulate(h, sed));
    }
}
