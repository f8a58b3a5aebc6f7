package io.polarway.source.http;

import io.polarway.retry.RetryHint;

import java.time.Duration;
import java.util.Optional;

/**
 * A non-2xx answer, inside the retry loop only: it carries the status and {@code Retry-After} to the retry policy and is
 * turned into the engine's typed errors when retries end. Its message never holds a secret (the body snippet is
 * redacted).
 */
final class HttpStatusFailure extends RuntimeException implements RetryHint {
    private static final long serialVersionUID = 1L;
    final int status;
    private final transient Duration retryAfter;

    HttpStatusFailure(int status, String reason, Duration retryAfter, String bodySnippet) {
        super("HTTP " + status + (reason == null || reason.isBlank() ? "" : " " + reason)
                + (bodySnippet == null || bodySnippet.isBlank() ? "" : ": " + bodySnippet), null, false, false);
        this.status = status;
        this.retryAfter = retryAfter;
    }

    /** 408, 429 and 5xx other than 501 (not implemented) and 505 (version not supported) are worth another try. */
    boolean retryableStatus() {
        return status == 408 || status == 429 || status >= 500 && status != 501 && status != 505;
    }

    @Override
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
