package io.polarway.error;

/** Local I/O failures Not retryable. */
public final class IoException extends PolarwayException {
    private static final long serialVersionUID = 1L;

    public IoException(String message) {
        super(message, null, null);
    }

    public IoException(String message, Where where, Throwable cause) {
        super(message, where, cause);
    }

    @Override
    public ErrorKind kind() {
        return ErrorKind.IO;
    }

    @Override
    public boolean isRetryable() {
        return false;
    }
}
