package org.mcptt.kmc;

import static org.mcptt.kmc.Bytes.need;

/**
 * ECCSI verification (RFC 6507 5.2.2) under a KMS Public Authentication Key (KPAK), validated
 * once and with its tables precomputed. Immutable: any number of threads may verify at once.
 * Close it when done (or let the Cleaner free it).
 */
public final class EccsiPublic extends NativeHandle {
    /** Octets of an ECCSI signature: r (32) || s (32) || PVT (65) (RFC 6507 3.3). */
    public static final int SIGNATURE_BYTES = 129;
    /** Octets of a KPAK: {@code 0x04 || x || y} on P-256. */
    public static final int KPAK_BYTES = 65;

    static {
        Native.load();
    }

    /**
     * @param kpak the KPAK, {@code 0x04 || x || y} (65 octets), a point of P-256 other than
     *     the identity; copied
     * @throws InvalidKeyMaterialException for a wrong length or an invalid point
     * @throws NullPointerException if {@code kpak} is null
     */
    public EccsiPublic(byte[] kpak) {
        super(Native.eccsiPublicNew(need(kpak, "kpak")), Native::eccsiPublicFree);
    }

    /**
     * Verifies an ECCSI signature over {@code msg} by identifier {@code id} (arbitrary octets,
     * e.g. a TS 33.180 UID). Returns normally when it is valid.
     *
     * @param id the signer's identifier
     * @param msg the signed message
     * @param signature r || s || PVT, 129 octets
     * @throws VerificationFailedException for any invalid signature (wrong length, r or s out of
     *     range, a PVT that is not a valid point, or a failed equation)
     * @throws IllegalStateException if closed
     */
    public void verify(byte[] id, byte[] msg, byte[] signature) {
        need(id, "id");
        need(msg, "msg");
        need(signature, "signature");
        shared(h -> {
            Native.eccsiVerify(h, id, msg, signature);
            return null;
        });
    }
}
