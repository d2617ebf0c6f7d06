package org.mcptt.kmc;

/** Key material (KPAK, SSK/PVT, Z_T, RSK, KMS secrets) is malformed or fails validation (code 100). Carries no detail about which check failed. */
public class InvalidKeyMaterialException extends MkcException {
    private static final long serialVersionUID = 1L;

    /**
     * @param code the result code
     * @param message its description
     */
    public InvalidKeyMaterialException(int code, String message) {
        super(code, message);
    }
}
