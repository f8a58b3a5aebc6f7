package io.polarway.source.objectstore;

import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeException;
import dev.failsafe.RetryPolicy;
import io.polarway.api.StatsRecorder;
import io.polarway.error.PolarwayException;
import io.polarway.error.Where;
import io.polarway.retry.RetryPolicies;
import io.polarway.retry.RetrySettings;
import io.polarway.source.objectstore.ObjectStore.ObjectInfo;

import java.io.IOException;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;

/**
 * Fetches one byte range of an object with retries that resume: each try asks only for the bytes not received yet,
 * so a body cut off at 90 % costs the last 10 %, not the whole range again. Throttling (429, 503 SlowDown), 5xx
 * answers, connection failures and bodies that end early are retried with the shared backoff
 * ({@link RetrySettings}: {@code retry_attempts}, {@code retry_delay_ms}, {@code retry_multiplier}, jitter, and a
 * server's {@code Retry-After} as a floor); anything else fails at once with a typed error naming the object and range.
 *
 * <p>Thread-safe and stateless; one instance serves every part of a source.
 */
final class RangeFetcher {
    private final ObjectStore store;
    private final RetrySettings retry;
    private final ObjectLocation location;

    RangeFetcher(ObjectStore store, RetrySettings retry, ObjectLocation location) {
        this.store = store;
        this.retry = retry;
        this.location = location;
    }

    ObjectStore store() {
        return store;
    }

    /** Receives the bytes of a range at their offset within it. */
    @FunctionalInterface
    interface RangeSink {
        void write(long offsetInRange, byte[] bytes, int off, int len) throws IOException;
    }

    /**
     * Fetches {@code [start, endExclusive)} into {@code sink}, blocking until every byte arrived.
     *
     * @param cancelled checked between reads and before each retry; once true the fetch stops with a
     *                  {@link CancellationException}
     * @param stats     where requests, retries and resumes are counted
     * @throws PolarwayException naming the object and the range when a failure is not retryable or the retries ran out
     */
    void fetch(ObjectInfo object, long start, long endExclusive, RangeSink sink, BooleanSupplier cancelled,
               StatsRecorder stats) {
        long length = endExclusive - start;
        long[] received = {0};
        int[] attempts = {0};
        RetryPolicy<Object> policy = RetryPolicies.builder(retry,
                        t -> !cancelled.getAsBoolean() && !(t instanceof CancellationException)
                                && !(t instanceof PartStream.ReadCancelledException) && store.classify(t).retryable(),
                        t -> store.classify(t).retryAfter())
                .onRetry(e -> {
                    stats.count("part_retries", 1);
                    if (received[0] > 0) stats.count("part_resumes", 1);
                })
                .build();
        try {
            Failsafe.with(policy).run(() -> {
                if (cancelled.getAsBoolean()) throw new CancellationException("read cancelled");
                attempts[0]++;
                long from = start + received[0];
                stats.count("range_requests", 1);
                store.read(object, from, endExclusive, (b, off, len) -> {
                    if (cancelled.getAsBoolean()) throw new PartStream.ReadCancelledException();
                    if (received[0] + len > length) {
                        throw new IllegalStateException(store.system() + " sent more than the " + length
                                + " bytes asked for (was the Range header ignored?)");
                    }
                    sink.write(received[0], b, off, len);
                    received[0] += len;
                });
                if (received[0] < length) {
                    throw new StoreErrors.TruncatedBodyException("body ended after " + (received[0] + start - from)
                            + " of " + (endExclusive - from) + " bytes");
                }
            });
        } catch (CancellationException e) {
            throw e;
        } catch (FailsafeException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            if (cause instanceof InterruptedException) {
                Thread.currentThread().interrupt();
                throw new CancellationException("interrupted");
            }
            throw failed(object, start, endExclusive, cause, attempts[0]);
        } catch (RuntimeException e) {
            if (e.getCause() instanceof CancellationException c) throw c;
            throw failed(object, start, endExclusive, e, attempts[0]);
        }
    }

    private PolarwayException failed(ObjectInfo object, long start, long endExclusive, Throwable cause, int attempts) {
        Where where = Where.resource(location.uriOf(object.key())).withRange(start, endExclusive - 1);
        return StoreErrors.toPolarway(store, cause, "cannot read " + location.uriOf(object.key())
                + (attempts > 1 ? " after " + attempts + " tries" : ""), where);
    }
}
