package io.polarway.source.kafka;

import io.polarway.source.kafka.OffsetTracker.PartitionState;
import org.apache.kafka.clients.consumer.ConsumerRecord;
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
 */
final class RecordBuffer {
    /**
     * Heap a buffered record costs beyond its key and value bytes (the record object, its headers, two array
     * headers): an estimate, so the bound holds for small records too.
     */
    static final int RECORD_OVERHEAD_BYTES = 128;

    /**
     * A buffered record, the partition assignment it was fetched under, and what the decoder prepared from it on the
     * consumer's thread (a parsed JSON row, or the parse error; null when the decoder prepares nothing).
     */
    record Entry(PartitionState state, ConsumerRecord<byte[], byte[]> record, Object prepared) {
    }

    private static final class Batch {
        final PartitionState state;
        final List<ConsumerRecord<byte[], byte[]>> records;
        final Object[] prepared;
        final long[] sizes;
        int next;

        Batch(PartitionState state, List<ConsumerRecord<byte[], byte[]>> records, Object[] prepared, long[] sizes) {
            this.state = state;
            this.records = records;
            this.prepared = prepared;
            this.sizes = sizes;
        }
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<Batch> batches = new ArrayDeque<>();
    /** Half the bound: a buffer this full wakes the reader whatever it waits for (the poller pauses at the bound). */
    private final long wakeAtBytes;
    private long bytes;
    private long peakBytes;
    private int records;
    private long lastArrivalNanos = System.nanoTime();
    private long version;
    /** A waiting reader wants this many records: an add below it does not wake it (fewer context switches). */
    private int wakeAtRecords = 1;

    /** @param maxBytes the bound the consumer's thread pauses at ({@code buffer_max_bytes}) */
    RecordBuffer(long maxBytes) {
        this.wakeAtBytes = Math.max(1, maxBytes / 2);
    }

    static long sizeOf(ConsumerRecord<?, ?> r) {
        return Math.max(0, r.serializedKeySize()) + Math.max(0, r.serializedValueSize()) + RECORD_OVERHEAD_BYTES;
    }

    /**
     * Appends records of one partition (consumer's thread).
     *
     * @param prepared    per record, what the decoder prepared (or null for none)
     * @param sizes       per record, the heap it holds here in bytes (record and prepared value)
     */
    void add(PartitionState state, List<ConsumerRecord<byte[], byte[]>> recs, Object[] prepared, long[] sizes) {
        if (recs.isEmpty()) return;
        long size = 0;
        for (long s : sizes) size += s;
        lock.lock();
        try {
            batches.addLast(new Batch(state, recs, prepared, sizes));
            bytes += size;
            records += recs.size();
            peakBytes = Math.max(peakBytes, bytes);
            lastArrivalNanos = System.nanoTime();
            version++;
            if (records >= wakeAtRecords || bytes >= wakeAtBytes) changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Moves up to {@code max} records into {@code out}, oldest first; never blocks.
     *
     * @return how many were moved
     */
    int takeInto(Collection<Entry> out, int max) {
        if (max <= 0) return 0;
        lock.lock();
        try {
            int moved = 0;
            long size = 0;
            while (moved < max && !batches.isEmpty()) {
                Batch b = batches.peekFirst();
                while (moved < max && b.next < b.records.size()) {
                    int i = b.next++;
                    out.add(new Entry(b.state, b.records.get(i), b.prepared == null ? null : b.prepared[i]));
                    size += b.sizes[i];
                    moved++;
                }
                if (b.next == b.records.size()) batches.pollFirst();
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

    /** Drops the buffered records of partitions taken away from this consumer (their new owner reads them). */
    int removePartitions(Collection<TopicPartition> partitions) {
        lock.lock();
        try {
            int dropped = 0;
            for (Iterator<Batch> it = batches.iterator(); it.hasNext(); ) {
                Batch b = it.next();
                if (!partitions.contains(b.state.partition)) continue;
                for (int i = b.next; i < b.records.size(); i++) {
                    bytes -= b.sizes[i];
                    dropped++;
                }
                records -= b.records.size() - b.next;
                it.remove();
            }
            if (dropped > 0) {
                version++;
                changed.signalAll();
            }
            return dropped;
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
