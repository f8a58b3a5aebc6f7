package io.polarway.source.objectstore;

import io.polarway.error.ConnectorException;
import io.polarway.error.Where;

/**
 * An object-store failure that retrying cannot fix: the object (or bucket, container) does not exist, it was
 * replaced while it was being read, or the store refused the request for another reason. Names the object and range
 * through {@link #where()}. Not retryable. (Rejected credentials are {@link io.polarway.error.AuthException}s; throttling
 * and connection failures that outlast the retries are {@link io.polarway.error.NetworkException}s.)
 */
public final class ObjectStoreException extends ConnectorException {
    private static final long serialVersionUID = 1L;

    /** Why the store could not serve the object. */
    public enum Reason {
        /** No such object, bucket or container. */
        NOT_FOUND,
        /** The object's ETag or generation changed during the read (412). */
        CHANGED,
        /** The store answered with another client error. */
        REFUSED
    }

    private final Reason reason;

    public ObjectStoreException(String system, Reason reason, String message, Where where, Throwable cause) {
        super(system, message, where, cause, false);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
