package io.polarway.error;

import java.util.Objects;
import java.util.Optional;

/**
 * Root of every error the engine and its sources throw. The family is sealed so that every error has one of the
 * {@link ErrorKind}s; source modules add their own errors by extending {@link ConnectorException}.
 *
 * <p>Callers decide by type ({@code instanceof}, or {@code switch (e.kind())}) and by {@link #isRetryable()}, never by
 * message text. Messages name the place where the error happened ({@link #where()}) and never contain secrets.
 *
 * <p>Unchecked, so that sources work in for-each loops and {@link java.util.stream.Stream}s; the functional style is
 * available through {@link io.polarway.result.Result}.
 */
public abstract sealed class PolarwayException extends RuntimeException
        permits NetworkException, AuthException, ConfigException, UnsupportedSourceException, MemoryLimitException,
                ParseException, SchemaException, IoException, ConnectorException {

    private static final long serialVersionUID = 1L;

    private final transient Where where;

    protected PolarwayException(String message, Where where, Throwable cause) {
        super(compose(message, where), cause);
        this.where = where;
    }

    private static String compose(String message, Where where) {
        Objects.requireNonNull(message, "message");
        return where == null || where.isEmpty() ? message : message + " (at " + where.describe() + ")";
    }

    /** The kind of error, one per subclass. */
    public abstract ErrorKind kind();

    /** Whether the same operation may succeed if tried again (after a backoff, or with a smaller chunk). */
    public abstract boolean isRetryable();

    /** Where the error happened: file and line, object and range, URL and page, partition and offset. */
    public Optional<Where> where() {
        return Optional.ofNullable(where);
    }
}
