package io.polarway.retry;

import dev.failsafe.RetryPolicy;
import dev.failsafe.RetryPolicyBuilder;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Builds Failsafe retry policies from {@link RetrySettings}, the same way for every network source: at most
 * {@code retry_attempts} retries, exponential backoff with jitter ({@link RetrySettings#delay}), a server-requested
 * delay honoured as a floor, and no retry at all when the server asks for more than {@code retry_max_delay_ms}.
 *
 * <pre>{@code
 * RetryPolicy<Object> policy = RetryPolicies.<Object>builder(settings, e -> e instanceof IOException).build();
 * Object page = Failsafe.with(policy).get(() -> fetch(url));
 * }</pre>
 *
 * Sources that must count attempts across several calls (a page whose body fails half-way is fetched again under the
 * same budget) use the policy with Failsafe's standalone {@code Execution}.
 */
public final class RetryPolicies {
    private RetryPolicies() {
    }

    /**
     * A builder with the settings applied; callers may add listeners before {@code build()}.
     *
     * @param retryable   which failures are retried; any other failure ends the execution at once
     * @param serverDelay the delay a failure carries from the server, or null for none
     */
    public static <R> RetryPolicyBuilder<R> builder(RetrySettings settings, Predicate<Throwable> retryable,
                                                    Function<Throwable, Duration> serverDelay) {
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(retryable, "retryable");
        Objects.requireNonNull(serverDelay, "serverDelay");
        return RetryPolicy.<R>builder()
                .handleIf((result, failure) -> failure != null && retryable.test(failure))
                .withMaxRetries(settings.retryAttempts())
                .withDelayFn(ctx -> settings.delay(ctx.getAttemptCount(),
                        ctx.getLastException() == null ? null : serverDelay.apply(ctx.getLastException()),
                        ThreadLocalRandom.current().nextDouble()))
                .abortIf((result, failure) -> failure != null && settings.exceedsMaxDelay(serverDelay.apply(failure)));
    }

    /** As {@link #builder(RetrySettings, Predicate, Function)}, with the delay taken from failures that are {@link RetryHint}s. */
    public static <R> RetryPolicyBuilder<R> builder(RetrySettings settings, Predicate<Throwable> retryable) {
        return builder(settings, retryable, RetryPolicies::hintOf);
    }

    /** The delay a failure (or one of its causes) carries as a {@link RetryHint}, or null. */
    public static Duration hintOf(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof RetryHint h) return h.retryAfter().orElse(null);
            if (t.getCause() == t) break;
        }
        return null;
    }
}
