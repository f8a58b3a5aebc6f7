package io.polarway.retry;

import dev.failsafe.Failsafe;
import dev.failsafe.RetryPolicy;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RetryPoliciesTest {
    private static final RetrySettings FAST = new RetrySettings(3, Duration.ofMillis(1), 2.0,
            Duration.ofMillis(500), 0.25, Duration.ofSeconds(1));

    /** A failure with a server delay, as an HTTP 429 with Retry-After would be. */
    static final class Throttled extends RuntimeException implements RetryHint {
        private final Duration after;

        Throttled(Duration after) {
            super("throttled");
            this.after = after;
        }

        @Override
        public Optional<Duration> retryAfter() {
            return Optional.of(after);
        }
    }

    private static boolean retryable(Throwable t) {
        return t instanceof UncheckedIOException || t instanceof Throttled;
    }

    @Test
    void retriesRetryableFailuresUpToTheConfiguredAttempts() {
        RetryPolicy<String> policy = RetryPolicies.<String>builder(FAST, RetryPoliciesTest::retryable).build();
        AtomicInteger calls = new AtomicInteger();
        String result = Failsafe.with(policy).get(() -> {
            if (calls.incrementAndGet() < 3) throw new UncheckedIOException(new IOException("reset"));
            return "ok";
        });
        assertThat(result).isEqualTo("ok");
        assertThat(calls).hasValue(3);

        calls.set(0);
        assertThatThrownBy(() -> Failsafe.with(policy).get(() -> {
            calls.incrementAndGet();
            throw new UncheckedIOException(new IOException("down"));
        })).isInstanceOf(UncheckedIOException.class);
        assertThat(calls).hasValue(4); // the first try and 3 retries, no more
    }

    @Test
    void neverRetriesOtherFailuresOrWhenAttemptsAreZero() {
        AtomicInteger calls = new AtomicInteger();
        RetryPolicy<String> policy = RetryPolicies.<String>builder(FAST, RetryPoliciesTest::retryable).build();
        assertThatThrownBy(() -> Failsafe.with(policy).get(() -> {
            calls.incrementAndGet();
            throw new IllegalStateException("404");
        })).isInstanceOf(IllegalStateException.class);
        assertThat(calls).hasValue(1);

        calls.set(0);
        RetryPolicy<String> none = RetryPolicies.<String>builder(FAST.withRetryAttempts(0),
                RetryPoliciesTest::retryable).build();
        assertThatThrownBy(() -> Failsafe.with(none).get(() -> {
            calls.incrementAndGet();
            throw new UncheckedIOException(new IOException("reset"));
        })).isInstanceOf(UncheckedIOException.class);
        assertThat(calls).hasValue(1);
    }

    @Test
    void waitsAtLeastWhatTheServerAsksFor() {
        RetryPolicy<String> policy = RetryPolicies.<String>builder(FAST, RetryPoliciesTest::retryable).build();
        AtomicInteger calls = new AtomicInteger();
        long[] at = new long[2];
        Failsafe.with(policy).get(() -> {
            at[calls.get()] = System.nanoTime();
            if (calls.incrementAndGet() == 1) throw new Throttled(Duration.ofMillis(300));
            return "ok";
        });
        // the backoff alone would be about 1 ms
        assertThat(Duration.ofNanos(at[1] - at[0])).isGreaterThanOrEqualTo(Duration.ofMillis(300));
    }

    @Test
    void doesNotRetryWhenTheServerAsksForMoreThanTheMaximumDelay() {
        RetryPolicy<String> policy = RetryPolicies.<String>builder(FAST, RetryPoliciesTest::retryable).build();
        AtomicInteger calls = new AtomicInteger();
        assertThatThrownBy(() -> Failsafe.with(policy).get(() -> {
            calls.incrementAndGet();
            throw new Throttled(Duration.ofHours(1));
        })).isInstanceOf(Throttled.class);
        assertThat(calls).hasValue(1);
    }

    @Test
    void findsHintsInCauses() {
        Throttled t = new Throttled(Duration.ofSeconds(2));
        assertThat(RetryPolicies.hintOf(new RuntimeException(t))).isEqualTo(Duration.ofSeconds(2));
        assertThat(RetryPolicies.hintOf(new RuntimeException("plain"))).isNull();
    }
}
