package io.polarway.source.kafka;

import io.polarway.error.ConnectorException;
import io.polarway.error.Where;

/**
 * A Kafka-specific failure: no committed offset with {@code auto_offset_reset=none}, an offset out of range, an
 * unknown topic, a broker error the client does not retry. {@link #isRetryable()} follows Kafka's own classification
 * ({@code RetriableException}).
 */
public final class KafkaSourceException extends ConnectorException {
    private static final long serialVersionUID = 1L;

    public KafkaSourceException(String message, Where where, Throwable cause, boolean retryable) {
        super("kafka", message, where, cause, retryable);
    }
}
