package org.mcptt.kmc;

/** The client has no validated KMS certificate (code 9) or no valid key of the needed kind for that identity and time (code 10). */
public class NoKeyMaterialException extends MkcException {
    private static final long serialVersionUID = 1L;

    /**
     * @param code the result code
     * @param message its description
     */
    public NoKeyMaterialException(int code, String message) {
        super(code, message);
    }
}
