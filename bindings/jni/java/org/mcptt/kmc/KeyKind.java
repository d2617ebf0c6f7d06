package org.mcptt.kmc;

/** The kind of key a MIKEY I_MESSAGE distributes: its key ID's purpose tag (TS 33.180 E.1). */
public enum KeyKind {
    /** Group Master Key (purpose tag 0), from the group management server. */
    GMK(0),
    /** Private Call Key (purpose tag 1), from the calling user. */
    PCK(1),
    /** Client-Server Key (purpose tag 2), from the user to an MC server. */
    CSK(2);

    private final int purposeTag;

    KeyKind(int purposeTag) {
        this.purposeTag = purposeTag;
    }

    /** @return the purpose tag, the top 4 bits of the key ID */
    public int purposeTag() {
        return purposeTag;
    }

    static KeyKind ofPurposeTag(int tag) {
        for (KeyKind kind : values()) {
            if (kind.purposeTag == tag) {
                return kind;
            }
        }
        throw new IllegalArgumentException("purpose tag " + tag);
    }
}
