package io.polarway.source.kafka;

import org.apache.kafka.common.TopicPartition;

import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The hand-off from the consumer's thread (which polls) to the reading thread (which builds chunks), accounted in
 * bytes: the consumer's thread pauses the partitions when {@link #bytes()} passes the source's bound. Records keep
 * their order within each partition. Thread-safe.
 *
 * <p>Records wait as {@link RecordSlab}s (a few primitive arrays per partition and poll, counted at their exact size)
 * and leave as index ranges of them ({@link SlabRuns}): the buffer holds up to {@code buffer_max_bytes} of records,
 * and as objects per record they were a live set that every young collection copied (see {@link RecordSlab}).
 *
 * <p>With {@code stop_at_end} it also holds the end of the stream, under the same lock as the records: the consumer's
 * thread says when every assigned partition has been fetched to its end offset ({@link #setFetchedToEnd}), and the
 * reader ends only when that holds <i>and</i> nothing is left here ({@link #drainedToEnd()}), both read at once. A
 * revocation that drops buffered records ({@link #removePartitions}) withdraws the end in the same step: those
 * records must be fetched again (by this consumer once the partitions come back, as an eager rebalance does, or by
 * their new owner), so the end holds again only when the consumer's thread re-establishes it for the new assignment.
 */
final class RecordBuffer {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    /** Slabs in arrival order; the first one may be partly taken ({@link #headTaken} records). */
    private final ArrayDeque<RecordSlab> slabs = new ArrayDeque<>();
    private int headTaken;
    /** Half the bound: a buffer this full wakes the reader whatever it waits for (the poller pauses at the bound). */
    private final long wakeAtBytes;
    private long bytes;
    private long peakBytes;
    private int records;
    private long lastArrivalNanos = System.nanoTime();
    private long version;
    /** A waiting reader wants this many records: an add below it does not wake it (fewer context switches). */
    private int wakeAtRecords = 1;
    /** Every assigned partition was fetched to its end offset, and no revocation dropped records since. */
    private boolean fetchedToEnd;

    /** @param maxBytes the bound the consumer's thread pauses at ({@code buffer_max_bytes}) */
    RecordBuffer(long maxBytes) {
        this.wakeAtBytes = Math.max(1, maxBytes / 2);
    }

    /** Appends the slabs of one partition from one poll, in order (consumer's thread). */
    void add(List<RecordSlab> added) {
        if (added.isEmpty()) return;
        long size = 0;
        int n = 0;
        for (RecordSlab s : added) {
            size += s.bytes;
            n += s.count;
        }
        lock.lock();
        try {
            slabs.addAll(added);
            bytes += size;
            records += n;
            peakBytes = Math.max(peakBytes, bytes);
            lastArrivalNanos = System.nanoTime();
            version++;
            if (records >= wakeAtRecords || bytes >= wakeAtBytes) changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Moves up to {@code max} records into {@code out}, oldest first, as ranges of slabs; never blocks.
     *
     * @return how many were moved
     */
    int takeInto(SlabRuns out, int max) {
        if (max <= 0) return 0;
        lock.lock();
        try {
            int moved = 0;
            long size = 0;
            while (moved < max && !slabs.isEmpty()) {
                RecordSlab s = slabs.peekFirst();
                int k = Math.min(max - moved, s.count - headTaken);
                out.add(s, headTaken, headTaken + k);
                size += s.bytesOf(headTaken, headTaken + k);
                headTaken += k;
                moved += k;
                if (headTaken == s.count) {
                    slabs.pollFirst();
                    headTaken = 0;
                }
            }
            bytes -= size;
            records -= moved;
            if (moved > 0) {
                version++;
                changed.signalAll();
            }
            return moved;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Drops the buffered records of partitions taken away from this consumer (whoever is assigned them next reads
     * them again from the committed offset) and withdraws the end (see the class comment), in one step: a reader
     * never sees the end of the records fetched before the revocation together with a buffer emptied by it.
     */
    int removePartitions(Collection<TopicPartition> partitions) {
        lock.lock();
        try {
            if (!partitions.isEmpty() && fetchedToEnd) {
                fetchedToEnd = false;
                version++;
                changed.signalAll();
            }
            int dropped = 0;
            boolean head = true;
            for (Iterator<RecordSlab> it = slabs.iterator(); it.hasNext(); head = false) {
                RecordSlab s = it.next();
                if (!partitions.contains(s.state.partition)) continue;
                int from = head ? headTaken : 0;
                bytes -= s.bytesOf(from, s.count);
                dropped += s.count - from;
                it.remove();
                if (head) headTaken = 0;
            }
            records -= dropped;
            if (dropped > 0) {
                version++;
                changed.signalAll();
            }
            return dropped;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Consumer's thread, with {@code stop_at_end}: whether every partition assigned now has been fetched to its end
     * offset, so that every record before the end is here or already taken. Wakes the reader when it changes.
     */
    void setFetchedToEnd(boolean value) {
        lock.lock();
        try {
            if (fetchedToEnd == value) return;
            fetchedToEnd = value;
            version++;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Whether every assigned partition was fetched to its end and every record was taken: the stream's end. */
    boolean drainedToEnd() {
        lock.lock();
        try {
            return fetchedToEnd && records == 0;
        } finally {
            lock.unlock();
        }
    }

    long bytes() {
        lock.lock();
        try {
            return bytes;
        } finally {
            lock.unlock();
        }
    }

    long peakBytes() {
        lock.lock();
        try {
            return peakBytes;
        } finally {
            lock.unlock();
        }
    }

    boolean isEmpty() {
        lock.lock();
        try {
            return records == 0;
        } finally {
            lock.unlock();
        }
    }

    long lastArrivalNanos() {
        lock.lock();
        try {
            return lastArrivalNanos;
        } finally {
            lock.unlock();
        }
    }

    /** Wakes waiters: the consumer's state changed (end reached, failure, stop). */
    void signal() {
        lock.lock();
        try {
            version++;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** A counter that changes with every add, take and signal: read it, check state, then {@link #awaitChange}. */
    long version() {
        lock.lock();
        try {
            return version;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Blocks until the version differs from {@code seen} or {@code timeoutNanos} pass. Arriving records wake the
     * caller only once at least {@code wantedRecords} are buffered (or the timeout, a {@link #signal()}, a take or a
     * revocation does): the reader waits for a chunk's worth instead of waking for every poll.
     *
     * @throws InterruptedException when the waiting thread is interrupted
     */
    void awaitChange(long seen, long timeoutNanos, int wantedRecords) throws InterruptedException {
        lock.lockInterruptibly();
        try {
            wakeAtRecords = Math.max(1, wantedRecords);
            long left = timeoutNanos;
            while (version == seen && left > 0) {
                if (records >= wakeAtRecords || bytes >= wakeAtBytes) break;
                left = changed.awaitNanos(left);
            }
        } finally {
            wakeAtRecords = 1;
            lock.unlock();
        }
    }

    static long millisToNanos(long ms) {
        return TimeUnit.MILLISECONDS.toNanos(ms);
    }
}
