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

    /** A buffered record and the partition assignment it was fetched under. */
    record Entry(PartitionState state, ConsumerRecord<byte[], byte[]> record) {
    }

    private static final class Batch {
        final PartitionState state;
        final List<ConsumerRecord<byte[], byte[]>> records;
        int next;

        Batch(PartitionState state, List<ConsumerRecord<byte[], byte[]>> records) {
            this.state = state;
            this.records = records;
        }
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<Batch> batches = new ArrayDeque<>();
    private long bytes;
    private long peakBytes;
    private int records;
    private long lastArrivalNanos = System.nanoTime();
    private long version;

    static long sizeOf(ConsumerRecord<?, ?> r) {
        return Math.max(0, r.serializedKeySize()) + Math.max(0, r.serializedValueSize()) + RECORD_OVERHEAD_BYTES;
    }

    /** Appends records of one partition (consumer's thread). */
    void add(PartitionState state, List<ConsumerRecord<byte[], byte[]>> recs) {
        if (recs.isEmpty()) return;
        long size = 0;
        for (ConsumerRecord<byte[], byte[]> r : recs) size += sizeOf(r);
        lock.lock();
        try {
            batches.addLast(new Batch(state, recs));
            bytes += size;
            records += recs.size();
            peakBytes = Math.max(peakBytes, bytes);
            lastArrivalNanos = System.nanoTime();
            version++;
            changed.signalAll();
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
                    ConsumerRecord<byte[], byte[]> r = b.records.get(b.next++);
                    out.add(new Entry(b.state, r));
                    size += sizeOf(r);
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
                    bytes -= sizeOf(b.records.get(i));
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
     * Blocks until the version differs from {@code seen} or {@code timeoutNanos} pass.
     *
     * @throws InterruptedException when the waiting thread is interrupted
     */
    void awaitChange(long seen, long timeoutNanos) throws InterruptedException {
        lock.lockInterruptibly();
        try {
            long left = timeoutNanos;
            while (version == seen && left > 0) left = changed.awaitNanos(left);
        } finally {
            lock.unlock();
        }
    }

    static long millisToNanos(long ms) {
        return TimeUnit.MILLISECONDS.toNanos(ms);
    }
}
