package io.polarway.error;

/** A source type that is unknown, or whose module is not on the classpath. Not retryable. */
public final class UnsupportedSourceException extends PolarwayException {
    private static final long serialVersionUID = 1L;

    public UnsupportedSourceException(String message) {
        super(message, null, null);
    }

    public UnsupportedSourceException(String message, Where where, Throwable cause) {
        super(message, where, cause);
    }

    @Override
    public ErrorKind kind() {
        return ErrorKind.UNSUPPORTED_SOURCE;
    }

    @Override
    public boolean isRetryable() {
        return false;
    }
}
