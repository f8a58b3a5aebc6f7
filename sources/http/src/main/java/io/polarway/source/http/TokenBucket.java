package io.polarway.source.http;

import java.util.function.LongSupplier;

/**
 * The rate limit ({@code rate_limit_rps}, {@code rate_limit_burst}) as a token bucket: it holds up to {@code burst}
 * permits, starts full and refills at {@code rps} permits per second. So {@code burst} requests may go at once, later
 * ones go {@code 1/rps} apart, a pause refills it (up to {@code burst}, never more), and no interval of length T ever
 * sees more than {@code burst + rps × T} requests, which is how APIs that publish a rate and a burst count them.
 * (Failsafe's bursty limiter hands out {@code burst} permits per fixed period of {@code burst / rps} seconds instead: the
 * permits left in one period and the next period's fresh ones can go back to back, up to twice the burst at once.)
 *
 * <p>A permit is reserved when asked for: a caller that has to wait takes it at once and sleeps until it is due (the
 * bucket may go below zero by the permits so promised), so callers are served in the order they asked. Thread-safe.
 */
final class TokenBucket {
    private final double capacity;
    private final double nanosPerPermit;
    private final LongSupplier nanoTime;
    /** Permits left at {@link #last}: at most the capacity, negative when permits are promised ahead. */
    private double available;
    private long last;

    TokenBucket(int burst, double rps, LongSupplier nanoTime) {
        if (burst < 1 || !(rps > 0)) throw new IllegalArgumentException("burst must be at least 1 and rps positive");
        this.capacity = burst;
        this.nanosPerPermit = 1e9 / rps;
        this.nanoTime = nanoTime;
        this.available = burst;
        this.last = nanoTime.getAsLong();
    }

    /** Takes one permit; returns the nanoseconds to wait before using it (0: use it now). */
    synchronized long reserve() {
        long now = nanoTime.getAsLong();
        available = Math.min(capacity, available + (now - last) / nanosPerPermit);
        last = now;
        available -= 1;
        return available >= 0 ? 0 : (long) Math.ceil(-available * nanosPerPermit);
    }
}
