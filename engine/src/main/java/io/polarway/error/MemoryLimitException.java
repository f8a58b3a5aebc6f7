package io.polarway.error;

/**
 * An allocation that would take the engine past its memory limit. Thrown instead of letting the process be
 * OOM-killed; the stream that threw it is still usable and may be retried with a smaller chunk size.
 */
public final class MemoryLimitException extends PolarwayException {
    private static final long serialVersionUID = 1L;
    private final long limitBytes;
    private final long attemptedBytes;

    /**
     * @param limitBytes     the limit in force
     * @param attemptedBytes the total the failed allocation would have reached (held plus requested)
     */
    public MemoryLimitException(String message, long limitBytes, long attemptedBytes, Where where, Throwable cause) {
        super(message + ": limit " + limitBytes + " bytes, attempted " + attemptedBytes + " bytes", where, cause);
        this.limitBytes = limitBytes;
        this.attemptedBytes = attemptedBytes;
    }

    public long limitBytes() {
        return limitBytes;
    }

    public long attemptedBytes() {
        return attemptedBytes;
    }

    @Override
    public ErrorKind kind() {
        return ErrorKind.MEMORY_LIMIT;
    }

    /** Retryable: the same data may fit in smaller chunks. */
    @Override
    public boolean isRetryable() {
        return true;
    }
}
