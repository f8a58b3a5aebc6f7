package io.polarway.stream;

import io.polarway.api.Chunk;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The hand-off between reader threads and the consumer, bounded in bytes, not chunks. In ordered mode, chunks come
 * out split by split in split order (each split's chunks in read order); otherwise in arrival order.
 *
 * <p>Admission: a chunk enters when the queued bytes plus its own stay within the bound, or when the queue is empty
 * (a chunk larger than the bound must still pass), or — in ordered mode — when it belongs to the split the consumer
 * waits on and that split has nothing queued (readers ahead must never starve the head split).
 */
final class ChunkQueue {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notFull = lock.newCondition();
    private final Condition notEmpty = lock.newCondition();
    private final long maxBytes;
    private final boolean ordered;
    private final List<ArrayDeque<Chunk>> perSplit = new ArrayList<>();
    private final boolean[] finished;
    private final int splits;
    private int head;
    private int finishedCount;
    private long queuedBytes;
    private long peakQueuedBytes;
    private Throwable failure;
    private boolean cancelled;

    ChunkQueue(int splits, long maxBytes, boolean ordered) {
        this.splits = splits;
        this.maxBytes = maxBytes;
        this.ordered = ordered;
        this.finished = new boolean[splits];
        int queues = ordered ? splits : 1;
        for (int i = 0; i < queues; i++) perSplit.add(new ArrayDeque<>());
    }

    private ArrayDeque<Chunk> queueOf(int split) {
        return perSplit.get(ordered ? split : 0);
    }

    /**
     * Blocks until the chunk is admitted. On cancellation or after a failure the chunk is discarded instead.
     *
     * @return whether the chunk was queued
     */
    boolean put(int split, Chunk chunk) throws InterruptedException {
        long bytes = chunk.byteSize();
        try {
            lock.lockInterruptibly();
        } catch (InterruptedException e) {
            chunk.discard(); // the stream is closing: nobody will take it
            throw e;
        }
        try {
            while (!cancelled && failure == null && queuedBytes > 0 && queuedBytes + bytes > maxBytes
                    && !(ordered && split == head && queueOf(split).isEmpty())) {
                try {
                    notFull.await();
                } catch (InterruptedException e) {
                    chunk.discard();
                    throw e;
                }
            }
            if (cancelled || failure != null) {
                chunk.discard();
                return false;
            }
            queueOf(split).addLast(chunk);
            queuedBytes += bytes;
            peakQueuedBytes = Math.max(peakQueuedBytes, queuedBytes);
            notEmpty.signalAll();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Marks a split as fully read. */
    void finish(int split) {
        lock.lock();
        try {
            if (!finished[split]) {
                finished[split] = true;
                finishedCount++;
            }
            notEmpty.signalAll();
            notFull.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Records a reader's failure; {@link #take()} throws it once the chunks queued before it are taken. */
    void fail(Throwable t) {
        lock.lock();
        try {
            if (failure == null) failure = t;
            notEmpty.signalAll();
            notFull.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Blocks for the next chunk.
     *
     * @return the next chunk, or null when every split is finished and drained
     */
    Chunk take() throws InterruptedException {
        lock.lockInterruptibly();
        try {
            // Chunks read before a failure are delivered first; the failure surfaces where the data stops.
            while (true) {
                if (ordered) {
                    while (head < splits && perSplit.get(head).isEmpty() && finished[head]) {
                        head++;
                        notFull.signalAll();
                    }
                    if (head == splits) return null;
                    Chunk c = perSplit.get(head).pollFirst();
                    if (c != null) return taken(c);
                } else {
                    Chunk c = perSplit.get(0).pollFirst();
                    if (c != null) return taken(c);
                    if (finishedCount == splits) return null;
                }
                if (failure != null) throw new ReaderFailure(failure);
                notEmpty.await();
            }
        } finally {
            lock.unlock();
        }
    }

    private Chunk taken(Chunk c) {
        queuedBytes -= c.byteSize();
        notFull.signalAll();
        return c;
    }

    /**
     * Stops the queue: wakes every waiter and discards every queued chunk (released, but not consumed: the consumer
     * never saw them, so a source with delivery guarantees must not acknowledge them).
     */
    void cancel() {
        lock.lock();
        try {
            cancelled = true;
            for (ArrayDeque<Chunk> q : perSplit) {
                for (Chunk c; (c = q.pollFirst()) != null; ) c.discard();
            }
            queuedBytes = 0;
            notEmpty.signalAll();
            notFull.signalAll();
        } finally {
            lock.unlock();
        }
    }

    long peakQueuedBytes() {
        lock.lock();
        try {
            return peakQueuedBytes;
        } finally {
            lock.unlock();
        }
    }

    /** Carries a reader thread's failure to the consumer. */
    static final class ReaderFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ReaderFailure(Throwable cause) {
            super(cause);
        }
    }
}
