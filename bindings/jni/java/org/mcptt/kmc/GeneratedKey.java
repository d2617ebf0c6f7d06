package org.mcptt.kmc;

import java.util.Arrays;

/**
 * A fresh key and key ID from {@link #generate(KeyKind)}: 16 random octets and the kind's purpose
 * tag over 28 random bits. The key is secret: {@link #wipe()} it when done.
 */
public final class GeneratedKey {
    /** Octets of a GMK, PCK or CSK. */
    public static final int KEY_BYTES = 16;

    private final KeyKind kind;
    private final int keyId;
    private final byte[] key;

    private GeneratedKey(KeyKind kind, int keyId, byte[] key) {
        this.kind = kind;
        this.keyId = keyId;
        this.key = key;
    }

    static GeneratedKey of(int kind, int keyId, byte[] key) {
        return new GeneratedKey(KeyKind.ofPurposeTag(kind), keyId, key);
    }

    /**
     * @param kind GMK, PCK or CSK
     * @return a new key from the operating system's RNG
     * @throws MkcException with {@link MkcException#RNG_FAILURE} if the RNG fails
     */
    public static GeneratedKey generate(KeyKind kind) {
        return Native.mikeyNewKey(Bytes.need(kind, "kind").purposeTag());
    }

    /** @return the kind */
    public KeyKind kind() {
        return kind;
    }

    /** @return the key ID (GMK-ID, PCK-ID or CSK-ID): purpose tag in the top 4 bits */
    public int keyId() {
        return keyId;
    }

    /** @return the key itself (16 octets; the array is this object's: do not keep it) */
    public byte[] key() {
        return key;
    }

    /** Overwrites the key with zeros. */
    public void wipe() {
        Arrays.fill(key, (byte) 0);
    }
}
