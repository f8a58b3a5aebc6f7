package io.polarway.source.objectstore;

import io.polarway.config.ByteSize;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.OutOfMemoryException;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes of object parts in flight, reserved before a part is fetched — the AWS CRT's "buffer tickets", but taken
 * from the stream's memory budget. Part buffers are Arrow buffers of a child of the source's allocator, so they count
 * against the same data limit as the chunks and show in the engine's Arrow accounting.
 *
 * <p>Two ways in: {@link #acquire} for the one buffer a reader needs to make progress at all (taken once, when the
 * reader opens, where a failure is a clean MemoryLimit error; reused for every part the reader has to wait for), and
 * {@link #tryAcquire} for read-ahead, which gets a buffer only while the reservations stay within
 * {@link #capacityBytes()} and the allocator has room — otherwise the reader simply reads ahead less. Nothing here
 * blocks, so readers sharing a budget cannot deadlock on it.
 *
 * <p>Thread-safe.
 */
final class PartBudget implements AutoCloseable {
    private final BufferAllocator allocator;
    private final long capacityBytes;
    private final AtomicLong reserved = new AtomicLong();
    private final AtomicLong peak = new AtomicLong();
    private final AtomicLong refusals = new AtomicLong();

    /**
     * @param parent        the source's allocator (limited by the stream's data limit)
     * @param capacityBytes most bytes of read-ahead buffers at once
     */
    PartBudget(BufferAllocator parent, long capacityBytes) {
        if (capacityBytes <= 0) throw new IllegalArgumentException("capacity must be positive: " + capacityBytes);
        this.allocator = parent.newChildAllocator("object-parts", 0, Long.MAX_VALUE);
        this.capacityBytes = capacityBytes;
    }

    /**
     * A buffer of {@code bytes} whatever the reservations (but within the allocator's limit).
     *
     * @throws OutOfMemoryException when the allocator's limit (the data limit) is reached
     */
    ArrowBuf acquire(long requested) {
        long bytes = rounded(requested);
        long now = reserved.addAndGet(bytes);
        try {
            ArrowBuf buf = allocator.buffer(bytes);
            peak.accumulateAndGet(now, Math::max);
            return buf;
        } catch (OutOfMemoryException e) {
            reserved.addAndGet(-bytes);
            throw e;
        }
    }

    /** A buffer of {@code bytes} if the reservations stay within the capacity and the allocator has room, else null. */
    ArrowBuf tryAcquire(long requested) {
        long bytes = rounded(requested);
        while (true) {
            long cur = reserved.get();
            if (cur + bytes > capacityBytes) {
                refusals.incrementAndGet();
                return null;
            }
            if (reserved.compareAndSet(cur, cur + bytes)) break;
        }
        try {
            ArrowBuf buf = allocator.buffer(bytes);
            peak.accumulateAndGet(reserved.get(), Math::max);
            return buf;
        } catch (OutOfMemoryException e) {
            reserved.addAndGet(-bytes);
            refusals.incrementAndGet();
            return null;
        }
    }

    /** What the allocator really takes for a request (it rounds small requests up to a power of two). */
    private long rounded(long requested) {
        return allocator.getRoundingPolicy().getRoundedSize(requested);
    }

    /** Returns a buffer from {@link #acquire} or {@link #tryAcquire}. */
    void release(ArrowBuf buf) {
        long bytes = buf.capacity();
        buf.close();
        reserved.addAndGet(-bytes);
    }

    long capacityBytes() {
        return capacityBytes;
    }

    /** Bytes reserved now. */
    long reservedBytes() {
        return reserved.get();
    }

    /** The most bytes reserved at once. */
    long peakBytes() {
        return peak.get();
    }

    /** Read-ahead requests refused (capacity or allocator full). */
    long refusals() {
        return refusals.get();
    }

    BufferAllocator allocator() {
        return allocator;
    }

    @Override
    public void close() {
        allocator.close();
    }

    @Override
    public String toString() {
        return "PartBudget{reserved=" + ByteSize.format(reserved.get()) + ", capacity=" + ByteSize.format(capacityBytes)
                + ", peak=" + ByteSize.format(peak.get()) + '}';
    }
}
