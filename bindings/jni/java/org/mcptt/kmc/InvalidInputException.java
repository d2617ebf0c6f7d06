package org.mcptt.kmc;

/** An argument was refused: out of range, of the wrong length, an invalid client configuration, or an unknown request id (codes 2, 5, 6, 7, 8). */
public class InvalidInputException extends MkcException {
    private static final long serialVersionUID = 1L;

    /**
     * @param code the result code
     * @param message its description
     */
    public InvalidInputException(int code, String message) {
        super(code, message);
    }
}
