package io.polarway.retry;

import java.time.Duration;
import java.util.Optional;

/**
 * Implemented by failures that carry the server's own idea of when to retry (an HTTP {@code Retry-After}, a throttling
 * answer's back-off). {@link RetryPolicies} waits at least that long before the next try.
 */
public interface RetryHint {

    /** The delay the server asked for, or empty. */
    Optional<Duration> retryAfter();
}
