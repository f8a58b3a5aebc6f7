package io.polarway.retry;

import io.polarway.config.OptionSet;
import io.polarway.config.OptionSpec;
import io.polarway.error.ConfigException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RetrySettingsTest {
    private static final OptionSet SOURCE = OptionSet.of("source 'x'",
            OptionSpec.string("other", null, "a source's own key")).with(RetrySettings.OPTIONS);

    @Test
    void defaultsMatchTheDocumentedValues() {
        RetrySettings s = RetrySettings.defaults();
        assertThat(s.retryAttempts()).isEqualTo(3);
        assertThat(s.retryDelay()).isEqualTo(Duration.ofMillis(500));
        assertThat(s.retryMultiplier()).isEqualTo(2.0);
        assertThat(s.maxRetryDelay()).isEqualTo(Duration.ofSeconds(60));
        assertThat(s.timeout()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void readsTheGuidesKeysFromASourcesOptionSet() {
        RetrySettings s = RetrySettings.from(SOURCE.parse(Map.of("retry_attempts", "10", "retry_delay_ms", "2000",
                "retry_multiplier", "2.0", "timeout_ms", "120000", "retry_jitter", "0", "other", "x")));
        assertThat(s.retryAttempts()).isEqualTo(10);
        assertThat(s.retryDelay()).isEqualTo(Duration.ofSeconds(2));
        assertThat(s.timeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(s.jitter()).isZero();
    }

    @Test
    void rejectsBadValuesNamingTheKey() {
        assertThatThrownBy(() -> SOURCE.parse(Map.of("retry_multiplier", "0.5")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("retry_multiplier");
        assertThatThrownBy(() -> SOURCE.parse(Map.of("retry_attempts", "-1")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("retry_attempts");
        assertThatThrownBy(() -> SOURCE.parse(Map.of("timeout_ms", "0")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("timeout_ms");
    }

    private static RetrySettings settings(long delayMs, double multiplier, long maxMs, double jitter) {
        return new RetrySettings(5, Duration.ofMillis(delayMs), multiplier, Duration.ofMillis(maxMs), jitter,
                Duration.ofSeconds(1));
    }

    @Test
    void backoffGrowsExponentiallyUpToTheCap() {
        RetrySettings s = settings(100, 2.0, 1_000, 0);
        assertThat(s.backoff(1)).isEqualTo(Duration.ofMillis(100));
        assertThat(s.backoff(2)).isEqualTo(Duration.ofMillis(200));
        assertThat(s.backoff(4)).isEqualTo(Duration.ofMillis(800));
        assertThat(s.backoff(5)).isEqualTo(Duration.ofMillis(1_000));
        assertThat(s.backoff(500)).isEqualTo(Duration.ofMillis(1_000)); // no overflow
    }

    @Test
    void jitterSpreadsDelaysSymmetricallyAndNeverPastTheCap() {
        RetrySettings s = settings(400, 2.0, 1_000, 0.5);
        assertThat(s.delay(1, null, 0.0)).isEqualTo(Duration.ofMillis(200));
        assertThat(s.delay(1, null, 0.5)).isEqualTo(Duration.ofMillis(400));
        assertThat(s.delay(1, null, 0.999999)).isBetween(Duration.ofMillis(599), Duration.ofMillis(600));
        assertThat(s.delay(3, null, 0.999999)).isEqualTo(Duration.ofMillis(1_000)); // 1600 → cap
        assertThat(settings(400, 2.0, 1_000, 0).delay(1, null, 0.0)).isEqualTo(Duration.ofMillis(400));
    }

    @Test
    void aServerDelayIsAFloorAndTooLongOnesAreFlagged() {
        RetrySettings s = settings(100, 2.0, 5_000, 0.5);
        assertThat(s.delay(1, Duration.ofSeconds(3), 0.0)).isEqualTo(Duration.ofSeconds(3));
        assertThat(s.delay(1, Duration.ofMillis(10), 0.5)).isEqualTo(Duration.ofMillis(100));
        assertThat(s.exceedsMaxDelay(Duration.ofSeconds(5))).isFalse();
        assertThat(s.exceedsMaxDelay(Duration.ofSeconds(6))).isTrue();
        assertThat(s.exceedsMaxDelay(null)).isFalse();
    }

    @Test
    void retryAfterAcceptsSecondsAndHttpDates() {
        Instant now = Instant.parse("2015-10-21T07:27:00Z");
        assertThat(RetryAfter.parse("120", now)).contains(Duration.ofSeconds(120));
        assertThat(RetryAfter.parse(" 0 ", now)).contains(Duration.ZERO);
        assertThat(RetryAfter.parse("Wed, 21 Oct 2015 07:28:00 GMT", now)).contains(Duration.ofSeconds(60));
        assertThat(RetryAfter.parse("Wed, 21 Oct 2015 07:20:00 GMT", now)).contains(Duration.ZERO);
        assertThat(RetryAfter.parse("soon", now)).isEmpty();
        assertThat(RetryAfter.parse("-5", now)).isEmpty();
        assertThat(RetryAfter.parse("99999999999999999999999", now)).isEmpty();
        assertThat(RetryAfter.parse(null, now)).isEmpty();
    }
}
