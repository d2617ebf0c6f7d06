package org.mcptt.kmc;

/** A SAKKE SED could not be decapsulated, whatever the reason (code 102). */
public class DecapsulationFailedException extends MkcException {
    private static final long serialVersionUID = 1L;

    /**
     * @param code the result code
     * @param message its description
     */
    public DecapsulationFailedException(int code, String message) {
        super(code, message);
    }
}
