package io.polarway.source.dynamodb;

import io.polarway.error.ConnectorException;
import io.polarway.error.Where;

/**
 * A DynamoDB error that is neither throttling, a network failure, rejected credentials nor a configuration error:
 * e.g. a page that did not advance the scan, or a service error this source has no better type for.
 * {@link #errorCode()} is DynamoDB's code when the service sent one.
 */
public final class DynamoDbSourceException extends ConnectorException {
    private static final long serialVersionUID = 1L;
    private final String errorCode;

    public DynamoDbSourceException(String errorCode, String message, Where where, Throwable cause, boolean retryable) {
        super("dynamodb", message, where, cause, retryable);
        this.errorCode = errorCode;
    }

    /** DynamoDB's error code (e.g. {@code ItemCollectionSizeLimitExceededException}), or null. */
    public String errorCode() {
        return errorCode;
    }
}
