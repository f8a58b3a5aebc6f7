package io.polarway.error;

/** Credentials that are missing or rejected. Not retryable. */
public final class AuthException extends PolarwayException {
    private static final long serialVersionUID = 1L;

    public AuthException(String message) {
        super(message, null, null);
    }

    public AuthException(String message, Where where, Throwable cause) {
        super(message, where, cause);
    }

    @Override
    public ErrorKind kind() {
        return ErrorKind.AUTH;
    }

    @Override
    public boolean isRetryable() {
        return false;
    }
}
