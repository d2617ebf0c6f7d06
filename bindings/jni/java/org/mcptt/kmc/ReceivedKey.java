package org.mcptt.kmc;

import java.util.Arrays;

/**
 * A key taken from an I_MESSAGE by {@link Client#mikeyProcessImessage}. The key is secret:
 * {@link #wipe()} it when done. Keep {@link #time()} and {@link #rand()} in a replay cache.
 */
public final class ReceivedKey {
    private final KeyKind kind;
    private final byte[] key;
    private final int keyId;
    private final Integer gukId;
    private final int csbId;
    private final long period;
    private final long time;
    private final byte[] initiatorUid;
    private final String initiatorUri;
    private final boolean viaSakkeToSelf;
    private final byte[] rand;

    private ReceivedKey(
            KeyKind kind,
            byte[] key,
            int keyId,
            Integer gukId,
            int csbId,
            long period,
            long time,
            byte[] initiatorUid,
            String initiatorUri,
            boolean viaSakkeToSelf,
            byte[] rand) {
        this.kind = kind;
        this.key = key;
        this.keyId = keyId;
        this.gukId = gukId;
        this.csbId = csbId;
        this.period = period;
        this.time = time;
        this.initiatorUid = initiatorUid;
        this.initiatorUri = initiatorUri;
        this.viaSakkeToSelf = viaSakkeToSelf;
        this.rand = rand;
    }

    static ReceivedKey of(
            int kind,
            byte[] key,
            int keyId,
            boolean hasGukId,
            int gukId,
            int csbId,
            long period,
            long time,
            byte[] initiatorUid,
            String initiatorUri,
            boolean viaSakkeToSelf,
            byte[] rand) {
        return new ReceivedKey(
                KeyKind.ofPurposeTag(kind),
                key,
                keyId,
                hasGukId ? gukId : null,
                csbId,
                period,
                time,
                initiatorUid,
                initiatorUri,
                viaSakkeToSelf,
                rand);
    }

    /** @return GMK, PCK or CSK */
    public KeyKind kind() {
        return kind;
    }

    /** @return the key, 16 octets (the array is this object's) */
    public byte[] key() {
        return key;
    }

    /** @return the GMK-ID, PCK-ID or CSK-ID */
    public int keyId() {
        return keyId;
    }

    /** @return the GUK-ID (GMK-ID XOR the user salt, TS 33.180 F.1.3) for a GMK, else null */
    public Integer gukId() {
        return gukId;
    }

    /** @return the CSB ID of the MIKEY header */
    public int csbId() {
        return csbId;
    }

    /** @return our key period number (NTP-based) whose RSK decapsulated the key */
    public long period() {
        return period;
    }

    /** @return the message's timestamp T, Unix seconds */
    public long time() {
        return time;
    }

    /** @return the initiator's UID (32 octets) the signature was verified with */
    public byte[] initiatorUid() {
        return initiatorUid.clone();
    }

    /**
     * @return the initiator's URI, from the message or as given to process; null when the
     *     message hides it and none was given
     */
    public String initiatorUri() {
        return initiatorUri;
    }

    /** @return true when the key came through SAKKE-to-self (another device of ours sent it) */
    public boolean viaSakkeToSelf() {
        return viaSakkeToSelf;
    }

    /** @return the RAND value (for the replay cache and the SRTP key derivation) */
    public byte[] rand() {
        return rand.clone();
    }

    /** Overwrites the key with zeros. */
    public void wipe() {
        Arrays.fill(key, (byte) 0);
    }
}
