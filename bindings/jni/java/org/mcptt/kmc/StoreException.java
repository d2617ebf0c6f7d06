package org.mcptt.kmc;

/** A sealed key store could not be opened: not a key store or invalid content (code 11), or failed authentication: wrong storage key, another user's blob, tampered or truncated (code 103). */
public class StoreException extends MkcException {
    private static final long serialVersionUID = 1L;

    /**
     * @param code the result code
     * @param message its description
     */
    public StoreException(int code, String message) {
        super(code, message);
    }
}
