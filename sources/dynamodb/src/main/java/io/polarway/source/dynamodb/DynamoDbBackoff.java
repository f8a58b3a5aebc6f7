package io.polarway.source.dynamodb;

import io.polarway.retry.RetrySettings;
import software.amazon.awssdk.retries.api.BackoffStrategy;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The backoff of the shared retry keys ({@link RetrySettings}: {@code retry_delay_ms × retry_multiplier^(n−1)}, capped
 * at {@code retry_max_delay_ms}, spread by {@code ±retry_jitter}) as an AWS SDK {@link BackoffStrategy}, so the SDK's
 * own retry strategy, which knows DynamoDB's throttling codes, waits the way every Polarway network source does.
 * Immutable, thread-safe.
 */
final class DynamoDbBackoff implements BackoffStrategy {
    private final RetrySettings settings;

    DynamoDbBackoff(RetrySettings settings) {
        this.settings = settings;
    }

    /** @param attempt the number of the attempt that just failed, 1-based: 1 before the first retry */
    @Override
    public Duration computeDelay(int attempt) {
        return settings.delay(Math.max(1, attempt), null, ThreadLocalRandom.current().nextDouble());
    }

    @Override
    public String toString() {
        return "DynamoDbBackoff{" + settings + '}';
    }
}
