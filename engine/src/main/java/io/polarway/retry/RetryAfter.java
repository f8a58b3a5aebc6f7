package io.polarway.retry;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * Parses HTTP's {@code Retry-After} header (RFC 9110 §10.2.3): either a number of seconds ({@code 120}) or an HTTP
 * date ({@code Wed, 21 Oct 2015 07:28:00 GMT}). S3, Azure, GCS and REST APIs send it with 429 and 503 answers.
 * Stateless and thread-safe.
 */
public final class RetryAfter {
    private RetryAfter() {
    }

    /**
     * The delay a {@code Retry-After} value asks for, measured from {@code now} for a date.
     *
     * @return the delay (zero for a date in the past), or empty when the value is missing or malformed (a malformed
     *         header is ignored rather than failing the request: the regular backoff applies)
     */
    public static Optional<Duration> parse(String value, Instant now) {
        if (value == null) return Optional.empty();
        String v = value.trim();
        if (v.isEmpty()) return Optional.empty();
        if (v.chars().allMatch(Character::isDigit)) {
            try {
                return Optional.of(Duration.ofSeconds(Long.parseLong(v)));
            } catch (NumberFormatException | ArithmeticException e) {
                return Optional.empty(); // more digits than a long: treat as malformed
            }
        }
        try {
            Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            Duration d = Duration.between(now, at);
            return Optional.of(d.isNegative() ? Duration.ZERO : d);
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
