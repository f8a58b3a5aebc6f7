package io.polarway.error;

/**
 * Base for errors specific to one source family (Kafka offsets, DynamoDB conditions, ...). Source modules subclass
 * it; {@link #system()} names the family and {@link #isRetryable()} is decided by the subclass.
 */
public non-sealed class ConnectorException extends PolarwayException {
    private static final long serialVersionUID = 1L;
    private final String system;
    private final boolean retryable;

    public ConnectorException(String system, String message, Where where, Throwable cause, boolean retryable) {
        super(system + ": " + message, where, cause);
        this.system = system;
        this.retryable = retryable;
    }

    /** The source family, e.g. {@code kafka}. */
    public String system() {
        return system;
    }

    @Override
    public ErrorKind kind() {
        return ErrorKind.CONNECTOR;
    }

    @Override
    public boolean isRetryable() {
        return retryable;
    }
}
