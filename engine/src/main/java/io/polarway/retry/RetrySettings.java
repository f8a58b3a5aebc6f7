package io.polarway.retry;

import io.polarway.config.OptionSet;
import io.polarway.config.OptionSpec;
import io.polarway.config.Options;

import java.time.Duration;

/**
 * The retry and timeout option keys every network source shares (HTTP, object stores, DynamoDB), declared once, and
 * the backoff they describe. A source adds {@link #OPTIONS} to its own option set ({@code OptionSet.with(OPTIONS)}),
 * reads them with {@link #from(Options)}, and builds its Failsafe policy with {@link RetryPolicies}.
 *
 * <p>Backoff: the delay before retry {@code n} (1-based) is {@code retry_delay_ms × retry_multiplier^(n−1)}, capped at
 * {@code retry_max_delay_ms}, then spread uniformly over {@code ±retry_jitter} of itself (and capped again), so that
 * many clients failing together do not retry together. A delay the server asks for ({@code Retry-After}) is a floor:
 * the retry waits at least that long; a server that asks for more than {@code retry_max_delay_ms} is not retried (the
 * caller fails with a message that names the requested delay), so a job never sleeps for an hour unasked.
 *
 * <p>Immutable and thread-safe.
 *
 * @param retryAttempts   retries after the first try (0 = no retry); a request is sent at most {@code retryAttempts + 1}
 *                        times
 * @param retryDelay      delay before the first retry
 * @param retryMultiplier growth of the delay per retry, at least 1
 * @param maxRetryDelay   cap of one delay and of an honoured server-requested delay
 * @param jitter          fraction in [0, 1] by which each delay is spread
 * @param timeout         time allowed to connect, and to wait for each read of a response (headers or body)
 */
public record RetrySettings(int retryAttempts, Duration retryDelay, double retryMultiplier, Duration maxRetryDelay,
                            double jitter, Duration timeout) {

    public static final OptionSpec<Integer> RETRY_ATTEMPTS = OptionSpec.intValue("retry_attempts", 3,
                    "retries after the first try of a failed request (5xx, 429, connection errors, timeouts); 0 = none")
            .validate(v -> v >= 0 && v <= 1_000, "between 0 and 1000");
    public static final OptionSpec<Long> RETRY_DELAY_MS = OptionSpec.longValue("retry_delay_ms", 500L,
                    "delay before the first retry, milliseconds; each later one is retry_multiplier times longer")
            .validate(v -> v >= 0, "at least 0");
    public static final OptionSpec<Double> RETRY_MULTIPLIER = OptionSpec.doubleValue("retry_multiplier", 2.0,
                    "exponential backoff factor between retries")
            .validate(v -> v >= 1.0 && v <= 100.0, "between 1 and 100");
    public static final OptionSpec<Long> RETRY_MAX_DELAY_MS = OptionSpec.longValue("retry_max_delay_ms", 60_000L,
                    "cap of one retry delay, milliseconds; a server asking (Retry-After) for longer is not retried")
            .validate(v -> v >= 0, "at least 0");
    public static final OptionSpec<Double> RETRY_JITTER = OptionSpec.doubleValue("retry_jitter", 0.25,
                    "each retry delay is drawn uniformly from delay × [1 − jitter, 1 + jitter]")
            .validate(v -> v >= 0.0 && v <= 1.0, "between 0 and 1");
    public static final OptionSpec<Long> TIMEOUT_MS = OptionSpec.longValue("timeout_ms", 30_000L,
                    "milliseconds allowed to connect and for each read of a response (a stalled body times out too)")
            .validate(v -> v > 0, "positive");

    /** The shared keys, to add to a source's own option set. */
    public static final OptionSet OPTIONS = OptionSet.of("retries", RETRY_ATTEMPTS, RETRY_DELAY_MS, RETRY_MULTIPLIER,
            RETRY_MAX_DELAY_MS, RETRY_JITTER, TIMEOUT_MS);

    public RetrySettings {
        if (retryAttempts < 0) throw new IllegalArgumentException("retryAttempts must be at least 0");
        if (retryDelay.isNegative() || maxRetryDelay.isNegative()) {
            throw new IllegalArgumentException("delays must not be negative");
        }
        if (!(retryMultiplier >= 1.0)) throw new IllegalArgumentException("retryMultiplier must be at least 1");
        if (!(jitter >= 0.0 && jitter <= 1.0)) throw new IllegalArgumentException("jitter must be in [0, 1]");
        if (timeout.isNegative() || timeout.isZero()) throw new IllegalArgumentException("timeout must be positive");
    }

    /** Every key at its default. */
    public static RetrySettings defaults() {
        return from(Options.defaults(OPTIONS));
    }

    /**
     * Reads the shared keys from options parsed by a set that includes {@link #OPTIONS} (or is it).
     */
    public static RetrySettings from(Options options) {
        return new RetrySettings(options.get(RETRY_ATTEMPTS), Duration.ofMillis(options.get(RETRY_DELAY_MS)),
                options.get(RETRY_MULTIPLIER), Duration.ofMillis(options.get(RETRY_MAX_DELAY_MS)),
                options.get(RETRY_JITTER), Duration.ofMillis(options.get(TIMEOUT_MS)));
    }

    /** The same settings with another number of retries. */
    public RetrySettings withRetryAttempts(int attempts) {
        return new RetrySettings(attempts, retryDelay, retryMultiplier, maxRetryDelay, jitter, timeout);
    }

    /**
     * The backoff before retry {@code retry} without jitter: {@code retryDelay × retryMultiplier^(retry−1)}, capped at
     * {@link #maxRetryDelay}.
     *
     * @param retry 1 for the first retry
     */
    public Duration backoff(int retry) {
        if (retry < 1) throw new IllegalArgumentException("retry is 1-based, got " + retry);
        double nanos = retryDelay.toNanos() * Math.pow(retryMultiplier, retry - 1);
        long cap = maxRetryDelay.toNanos();
        return Duration.ofNanos(nanos >= cap ? cap : (long) nanos);
    }

    /**
     * The delay before retry {@code retry}: the {@link #backoff} spread by the jitter, and at least
     * {@code serverDelay} when the server asked for one.
     *
     * @param serverDelay what the server asked for (e.g. {@code Retry-After}), or null
     * @param random      a uniform draw in [0, 1): 0 gives the shortest delay, values near 1 the longest
     */
    public Duration delay(int retry, Duration serverDelay, double random) {
        if (!(random >= 0.0 && random < 1.0)) throw new IllegalArgumentException("random must be in [0, 1)");
        double base = backoff(retry).toNanos();
        double spread = base * (1.0 + jitter * (2.0 * random - 1.0));
        long nanos = (long) Math.min(spread, maxRetryDelay.toNanos());
        if (serverDelay != null && serverDelay.toNanos() > nanos) nanos = serverDelay.toNanos();
        return Duration.ofNanos(Math.max(0, nanos));
    }

    /** Whether a server-requested delay is longer than this configuration is willing to wait. */
    public boolean exceedsMaxDelay(Duration serverDelay) {
        return serverDelay != null && serverDelay.compareTo(maxRetryDelay) > 0;
    }
}
