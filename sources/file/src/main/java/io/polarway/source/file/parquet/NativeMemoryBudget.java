package io.polarway.source.file.parquet;

import io.polarway.config.ByteSize;
import org.apache.arrow.dataset.jni.ReservationListener;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Bounds and counts what the arrow-dataset scanner allocates natively. A listenable {@code NativeMemoryPool} calls
 * {@link #reserve} before each native allocation (in blocks, from native threads) and {@link #unreserve} after each
 * release; a reservation that would pass the limit is refused, so the native allocation fails and the scan stops with
 * an error instead of growing until the kernel kills the process (as arrow#39808 shows it can).
 *
 * <p>This memory lives outside the JVM and outside Arrow Java's allocators, so it is reported separately
 * ({@link #reservedBytes()}, registered with the engine's memory monitor as a native pool). Batches that cross to
 * Java through the C data interface are counted here and, while Java holds them, also by the Java allocator.
 *
 * <p>The scanner also allocates outside the listenable pool: the read cache of Parquet's pre-buffering takes its
 * buffers from the default pool (see {@link ParquetLayout}). A scan declares that amount with {@link #hold} for as
 * long as it runs, so it counts against the limit (pool reservations are refused earlier) and appears in
 * {@link #reservedBytes()}.
 *
 * <p>Thread-safe.
 */
public final class NativeMemoryBudget implements ReservationListener {
    private final long limitBytes;
    private final AtomicLong reserved = new AtomicLong();
    private final AtomicLong peak = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong held = new AtomicLong();

    /** @param limitBytes the most the native pools tied to this budget may hold together */
    public NativeMemoryBudget(long limitBytes) {
        if (limitBytes <= 0) throw new IllegalArgumentException("native memory limit must be positive: " + limitBytes);
        this.limitBytes = limitBytes;
    }

    @Override
    public void reserve(long size) {
        long now = reserved.addAndGet(size);
        if (now > limitBytes) {
            reserved.addAndGet(-size);
            refused.incrementAndGet();
            throw new IllegalStateException("native memory limit " + ByteSize.format(limitBytes)
                    + " reached by the Parquet scanner (holding " + ByteSize.format(now - size) + ", asked "
                    + ByteSize.format(size) + ")");
        }
        peak.accumulateAndGet(now, Math::max);
    }

    @Override
    public void unreserve(long size) {
        reserved.addAndGet(-size);
    }

    /**
     * Counts {@code bytes} the scanner allocates outside the listenable pool (its pre-buffering read cache) until
     * {@link #release}; never refuses (the caller sized it to fit, see {@link #freeBytes()}).
     */
    public void hold(long bytes) {
        if (bytes < 0) throw new IllegalArgumentException("negative hold: " + bytes);
        long now = reserved.addAndGet(bytes);
        held.addAndGet(bytes);
        peak.accumulateAndGet(now, Math::max);
    }

    /** Ends a {@link #hold} of {@code bytes}. */
    public void release(long bytes) {
        reserved.addAndGet(-bytes);
        held.addAndGet(-bytes);
    }

    /** Bytes declared with {@link #hold} and not yet released. */
    public long heldBytes() {
        return held.get();
    }

    /** What the limit leaves free now (never negative). */
    public long freeBytes() {
        return Math.max(0, limitBytes - reserved.get());
    }

    public long limitBytes() {
        return limitBytes;
    }

    /**
     * Records {@code poolBytes}, what a pool that does not report its reservations (Arrow's default pool, sampled)
     * holds now, in the peak; it is not added to {@link #reservedBytes()}.
     */
    public void observe(long poolBytes) {
        if (poolBytes > 0) peak.accumulateAndGet(poolBytes, Math::max);
    }

    /** Bytes the native pools hold now, plus those declared with {@link #hold}. */
    public long reservedBytes() {
        return reserved.get();
    }

    /** The most the native pools held at once. */
    public long peakBytes() {
        return peak.get();
    }

    /** How many reservations were refused (each made a native allocation fail). */
    public long refusals() {
        return refused.get();
    }
}
