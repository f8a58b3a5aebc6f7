package io.polarway.testkit;

/** An emulator or broker did not come up; the message carries the tail of its log. */
public final class BackendStartException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public BackendStartException(String message, Throwable cause) {
        super(message, cause);
    }
}
