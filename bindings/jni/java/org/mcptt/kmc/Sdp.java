package org.mcptt.kmc;

/** The SDP form of a MIKEY message (RFC 4567 3.1): {@code mikey <base64>}. Stateless. */
public final class Sdp {
    private Sdp() {}

    /**
     * @param message the MIKEY message octets
     * @return {@code "mikey "} and the message in padded standard base64 (RFC 4648 4): the value
     *     of an {@code a=key-mgmt:} attribute
     */
    public static String toKeyMgmt(byte[] message) {
        return Native.mikeyToSdp(Bytes.need(message, "message"));
    }

    /**
     * @param text {@code a=key-mgmt:mikey <b64>}, {@code mikey <b64>} or the bare base64, with
     *     surrounding white space, padded or not
     * @return the message octets
     * @throws MikeyException ({@link MkcException#MIKEY_MALFORMED}) when it is not base64 or
     *     names another key management protocol
     */
    public static byte[] fromKeyMgmt(String text) {
        return Native.mikeyFromSdp(Bytes.need(text, "text"));
    }
}
