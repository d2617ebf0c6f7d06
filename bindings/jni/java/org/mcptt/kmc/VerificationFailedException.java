package org.mcptt.kmc;

/** An ECCSI signature did not verify, whatever the reason (code 101). */
public class VerificationFailedException extends MkcException {
    private static final long serialVersionUID = 1L;

    /**
     * @param code the result code
     * @param message its description
     */
    public VerificationFailedException(int code, String message) {
        super(code, message);
    }
}
