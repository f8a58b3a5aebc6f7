package io.polarway.error;

/** Schemas that disagree, or a value that does not fit its column's declared type. Not retryable. */
public final class SchemaException extends PolarwayException {
    private static final long serialVersionUID = 1L;

    public SchemaException(String message) {
        super(message, null, null);
    }

    public SchemaException(String message, Where where, Throwable cause) {
        super(message, where, cause);
    }

    @Override
    public ErrorKind kind() {
        return ErrorKind.SCHEMA;
    }

    @Override
    public boolean isRetryable() {
        return false;
    }
}
