package io.polarway.error;

/**
 * The kind of a {@link PolarwayException}, for callers that decide with a {@code switch} rather than
 * {@code instanceof}. Each constant maps to exactly one subclass.
 */
public enum ErrorKind {
    /** Connection failures, timeouts, throttling, 5xx answers. Usually retryable. */
    NETWORK,
    /** Rejected or missing credentials. Not retryable. */
    AUTH,
    /** A bad option, location or credentials shape, caught when a source is created. Not retryable. */
    CONFIG,
    /** A source type that is unknown or whose module is not on the classpath. */
    UNSUPPORTED_SOURCE,
    /** A chunk or buffer that cannot fit the memory limit. Retryable with a smaller chunk size. */
    MEMORY_LIMIT,
    /** Input that does not parse, with the place it was found. */
    PARSE,
    /** Schemas that disagree, or a value that does not fit its column's declared type. */
    SCHEMA,
    /** Local I/O failures: unreadable, truncated or missing files. */
    IO,
    /** Errors specific to one source family (Kafka, DynamoDB, ...); see {@link ConnectorException#system()}. */
    CONNECTOR
}
