package org.mcptt.kmc;

/** How a UID is fed to ECCSI and SAKKE as the identifier. */
public enum IdEncoding {
    /** The 32 UID octets, as TS 33.180 F.2.1 specifies (the default). */
    RAW_UID,
    /** The 64 lower-case hex digits of the UID, as one vendor's KMS does. */
    HEX_UID
}
