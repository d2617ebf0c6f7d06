package org.mcptt.kmc;

/** A MIKEY I_MESSAGE was refused: malformed or unsupported (12), outside the replay window (13), for another identity (14), or inconsistent initiator or key identifiers (104). A bad signature or SED inside an I_MESSAGE gives VerificationFailedException or DecapsulationFailedException. */
public class MikeyException extends MkcException {
    private static final long serialVersionUID = 1L;

    /**
     * @param code the result code
     * @param message its description
     */
    public MikeyException(int code, String message) {
        super(code, message);
    }
}
