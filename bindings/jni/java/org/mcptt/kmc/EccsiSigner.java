package org.mcptt.kmc;

import static org.mcptt.kmc.Bytes.need;

/**
 * ECCSI signing (RFC 6507 5.2.1) with a user's Secret Signing Key (SSK) and Public Validation
 * Token (PVT), validated together against the KPAK and identifier (RFC 6507 5.1.2) when made.
 * Immutable: any number of threads may sign at once. Holds the SSK: close it when done; the
 * native copy is erased then (or when the Cleaner frees a forgotten one).
 */
public final class EccsiSigner extends NativeHandle {
    /** Octets of an SSK: a big-endian integer in [1, q-1], q the order of P-256. */
    public static final int SSK_BYTES = 32;
    /** Octets of a PVT: {@code 0x04 || x || y} on P-256. */
    public static final int PVT_BYTES = 65;

    static {
        Native.load();
    }

    /**
     * @param kpak the KMS's KPAK (65 octets)
     * @param id the signer's identifier (arbitrary octets, e.g. a TS 33.180 UID)
     * @param ssk the SSK (32 octets, secret): copied; the caller may wipe its array afterwards
     * @param pvt the PVT (65 octets)
     * @throws InvalidKeyMaterialException for any wrong length, invalid point, SSK out of range
     *     or failed validation, without detail
     * @throws NullPointerException if an argument is null
     */
    public EccsiSigner(byte[] kpak, byte[] id, byte[] ssk, byte[] pvt) {
        super(
                Native.eccsiSignerNew(
                        need(kpak, "kpak"), need(id, "id"), need(ssk, "ssk"), need(pvt, "pvt")),
                Native::eccsiSignerFree);
    }

    /**
     * Signs {@code msg} with a fresh ephemeral from the operating system's RNG.
     *
     * @param msg the message (arbitrary octets)
     * @return r (32) || s (32) || PVT (65), 129 octets
     * @throws MkcException with {@link MkcException#RNG_FAILURE} if the RNG fails
     * @throws IllegalStateException if closed
     */
    public byte[] sign(byte[] msg) {
        need(msg, "msg");
        return shared(h -> Native.eccsiSign(h, msg));
    }

    /** @return the PVT (65 octets), as given */
    public byte[] pvt() {
        return shared(Native::eccsiSignerPvt);
    }
}
