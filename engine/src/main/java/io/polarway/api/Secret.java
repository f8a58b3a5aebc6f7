package io.polarway.api;

import java.util.Objects;

/**
 * A secret value (password, key, token). {@link #toString()} never shows it, so a secret is safe inside records,
 * logs, exceptions and stats; code that must send it calls {@link #reveal()} at the last moment.
 */
public final class Secret {
    private final String value;

    private Secret(String value) {
        this.value = Objects.requireNonNull(value, "secret value");
    }

    public static Secret of(String value) {
        return new Secret(value);
    }

    /** Null-tolerant: {@code null} in, {@code null} out. */
    public static Secret ofNullable(String value) {
        return value == null ? null : new Secret(value);
    }

    /** The secret itself. Call only to hand it to a client library or a request; never log the result. */
    public String reveal() {
        return value;
    }

    public boolean isEmpty() {
        return value.isEmpty();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Secret s && s.value.equals(value);
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }

    @Override
    public String toString() {
        return "****";
    }
}
