package io.polarway.error;

/** Connection failures, timeouts, throttling and 5xx answers. Retryable unless constructed otherwise. */
public final class NetworkException extends PolarwayException {
    private static final long serialVersionUID = 1L;
    private final boolean retryable;

    public NetworkException(String message, Where where, Throwable cause) {
        this(message, where, cause, true);
    }

    public NetworkException(String message, Where where, Throwable cause, boolean retryable) {
        super(message, where, cause);
        this.retryable = retryable;
    }

    @Override
    public ErrorKind kind() {
        return ErrorKind.NETWORK;
    }

    @Override
    public boolean isRetryable() {
        return retryable;
    }
}
