package io.polarway.source.dynamodb;

import software.amazon.awssdk.retries.api.BackoffStrategy;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The guide's exponential backoff as an AWS SDK {@link BackoffStrategy}: before retry {@code n} (1-based) it waits
 * {@code d = min(cap, retry_delay_ms * retry_multiplier^(n-1))}, of which half is fixed and half uniformly random
 * ("equal jitter"): parallel readers throttled together spread out, and every wait is at least {@code d/2}. The cap
 * is one minute, or {@code retry_delay_ms} when that is larger. Immutable, thread-safe.
 */
final class DynamoDbBackoff implements BackoffStrategy {
    static final long CAP_MILLIS = 60_000;

    private final long baseMillis;
    private final double multiplier;
    private final long capMillis;

    DynamoDbBackoff(long baseMillis, double multiplier) {
        if (baseMillis < 0) throw new IllegalArgumentException("base delay must be at least 0, got " + baseMillis);
        if (multiplier < 1) throw new IllegalArgumentException("multiplier must be at least 1, got " + multiplier);
        this.baseMillis = baseMillis;
        this.multiplier = multiplier;
        this.capMillis = Math.max(CAP_MILLIS, baseMillis);
    }

    /** The delay before retry {@code retry} without jitter: the upper bound of {@link #computeDelay}. */
    long ceilingMillis(int retry) {
        double d = baseMillis * Math.pow(multiplier, Math.max(0, retry - 1));
        return (long) Math.min(capMillis, d);
    }

    /** @param attempt the number of the attempt that just failed, 1-based (so 1 before the first retry) */
    @Override
    public Duration computeDelay(int attempt) {
        long ceiling = ceilingMillis(Math.max(1, attempt));
        long half = ceiling / 2;
        long jitter = ceiling - half == 0 ? 0 : ThreadLocalRandom.current().nextLong(ceiling - half + 1);
        return Duration.ofMillis(half + jitter);
    }

    @Override
    public String toString() {
        return "DynamoDbBackoff{base=" + baseMillis + "ms, multiplier=" + multiplier + ", cap=" + capMillis + "ms}";
    }
}
