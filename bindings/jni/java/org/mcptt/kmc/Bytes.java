package org.mcptt.kmc;

import java.util.Objects;

/** Argument checks shared by the public classes. */
final class Bytes {
    private Bytes() {}

    /** Throws NullPointerException naming {@code name} when {@code value} is null. */
    static <T> T need(T value, String name) {
        return Objects.requireNonNull(value, name);
    }
}
