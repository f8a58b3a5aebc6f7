package io.polarway.stream;

import io.polarway.api.Chunk;
import io.polarway.api.StatsRecorder;
import io.polarway.error.MemoryLimitException;
import io.polarway.memory.MemoryProbe;
import io.polarway.memory.MemorySnapshot;
import io.polarway.policy.BackpressureGate;
import io.polarway.policy.ChunkDecision;
import io.polarway.policy.ChunkSizePolicy;
import io.polarway.policy.PolicySample;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * Applies the chunk-size policy and the backpressure gate for one stream. Thread-safe: parallel readers share it; one
 * lock serialises the policy and the gate, which are not thread-safe themselves.
 */
final class StreamController {
    private static final Logger LOG = LoggerFactory.getLogger(StreamController.class);

    private final ChunkSizePolicy policy;
    private final BackpressureGate gate;
    private final MemoryProbe memory;
    private final StatsRecorder stats;
    private final StreamListener listener;
    private final LongSupplier nanoClock;
    private final long pollNanos;
    private final long stallNanos;
    private final StallAction stallAction;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition released = lock.newCondition();
    private final AtomicLong outstandingBytes = new AtomicLong();
    private int chunkRows;
    private long pausedSince = -1;
    private boolean cancelled;
    private final long idleNanos;
    /** Set after an idle resume: do not pause again while nothing of ours is held, until memory falls. */
    private boolean idleOverride;
    private boolean idleOverrideLogged;

    StreamController(ChunkSizePolicy policy, BackpressureGate gate, MemoryProbe memory, StatsRecorder stats,
                     StreamListener listener, LongSupplier nanoClock, long pollMillis, long stallMillis,
                     StallAction stallAction, long idleMillis) {
        this.policy = policy;
        this.gate = gate;
        this.memory = memory;
        this.stats = stats;
        this.listener = listener;
        this.nanoClock = nanoClock;
        this.pollNanos = TimeUnit.MILLISECONDS.toNanos(pollMillis);
        this.stallNanos = TimeUnit.MILLISECONDS.toNanos(stallMillis);
        this.stallAction = stallAction;
        this.idleNanos = TimeUnit.MILLISECONDS.toNanos(idleMillis);
        this.chunkRows = policy.initialChunkRows();
        stats.chunkSize(chunkRows);
    }

    /**
     * Blocks while the gate says pause, then returns the chunk size for the next read. Wakes when a chunk is released
     * or every poll interval (memory can also fall without an event, e.g. after a GC). A pause while no chunk of the
     * stream is held (queued or with the consumer) lasts at most the idle grace: pausing cannot lower memory the
     * stream does not hold, so it then reads on at the policy's size until memory falls below the resume mark.
     *
     * @throws MemoryLimitException when paused past the stall timeout with {@link StallAction#ERROR}
     * @throws InterruptedException when the reading thread is interrupted (the stream is closing)
     */
    int awaitPermit() throws InterruptedException {
        lock.lockInterruptibly();
        try {
            while (true) {
                if (cancelled) throw new InterruptedException("stream closed");
                MemorySnapshot snap = sample();
                boolean pause = gate.onSample(snap.pressure());
                long now = nanoClock.getAsLong();
                if (!pause) {
                    idleOverride = false;
                    endPause(snap, now);
                    return chunkRows;
                }
                boolean idle = outstandingBytes.get() <= 0;
                if (idle && idleOverride) {
                    endPause(snap, now);
                    return chunkRows;
                }
                if (pausedSince < 0) {
                    pausedSince = now;
                    notify(() -> listener.onPause(snap));
                }
                if (idle && now - pausedSince >= idleNanos) {
                    // Nothing this stream read is held anywhere: waiting can only help if memory falls by itself
                    // (a GC, another component). It did not within the grace period, so read on at the policy's
                    // (shrunken) size until memory falls below the resume mark or our chunks are held again. Memory
                    // that stays high after everything was released is usually freed native memory the allocator
                    // keeps resident (glibc's dynamic mmap threshold): see docs/architecture.md.
                    if (!idleOverrideLogged) {
                        idleOverrideLogged = true;
                        LOG.warn("memory {} of budget {} stays above the resume mark with no chunk of this stream "
                                        + "held: reading on at {} rows (if freed Arrow memory stays resident, start "
                                        + "the JVM with MALLOC_MMAP_THRESHOLD_=131072 MALLOC_ARENA_MAX=2)",
                                snap.workingSetBytes(), snap.budgetBytes(), chunkRows);
                    }
                    stats.count("idle_pause_resumes", 1);
                    idleOverride = true;
                    endPause(snap, now);
                    return chunkRows;
                }
                if (now - pausedSince >= stallNanos) {
                    if (stallAction == StallAction.ERROR) {
                        endPause(snap, now);
                        throw new MemoryLimitException("memory stayed above the resume mark for "
                                + TimeUnit.NANOSECONDS.toMillis(stallNanos) + " ms while reading was paused",
                                snap.budgetBytes(), snap.workingSetBytes(), null, null);
                    }
                    LOG.warn("memory {} of budget {} stayed above the resume mark for {} ms; resuming at the"
                                    + " smallest chunk size", snap.workingSetBytes(), snap.budgetBytes(),
                            TimeUnit.NANOSECONDS.toMillis(stallNanos));
                    endPause(snap, now);
                    stats.count("stall_resumes", 1);
                    chunkRows = 1;
                    ChunkDecision d = policy.onSample(new PolicySample(now, snap.workingSetBytes(),
                            snap.budgetBytes(), 1, 0, 0, 0));
                    chunkRows = d.chunkRows();
                    return chunkRows;
                }
                released.awaitNanos(pollNanos);
            }
        } finally {
            lock.unlock();
        }
    }

    private void endPause(MemorySnapshot snap, long now) {
        if (pausedSince < 0) return;
        long pausedNanos = now - pausedSince;
        pausedSince = -1;
        stats.paused(pausedNanos);
        notify(() -> listener.onResume(snap, pausedNanos));
    }

    private MemorySnapshot sample() {
        MemorySnapshot snap = memory.sample();
        stats.memorySample(snap.workingSetBytes());
        return snap;
    }

    /** Feeds the chunk just read to the policy and registers its release. */
    void afterChunk(Chunk chunk, int requestedRows, long readNanos) {
        long bytes = chunk.byteSize();
        outstandingBytes.addAndGet(bytes);
        chunk.onClose(() -> released(bytes));
        lock.lock();
        try {
            MemorySnapshot snap = sample();
            long now = nanoClock.getAsLong();
            ChunkDecision d = policy.onSample(new PolicySample(now, snap.workingSetBytes(), snap.budgetBytes(),
                    requestedRows, chunk.rowCount(), bytes, readNanos));
            chunkRows = d.chunkRows();
            stats.chunkDelivered(chunk.rowCount(), readNanos);
            stats.chunkSize(chunkRows);
            ChunkEvent e = new ChunkEvent(now, chunk.splitId(), requestedRows, chunk.rowCount(), bytes, readNanos, d,
                    snap);
            notify(() -> listener.onChunk(e));
        } finally {
            lock.unlock();
        }
    }

    /**
     * After a MemoryLimit error while other chunks are still held (queued, or in the consumer's hands): waits, as
     * backpressure, until one of them is released, so a consumer that holds memory slows the reader down instead of
     * failing it. Counts as a pause ({@code memory_limit_waits} in the counters).
     *
     * @param maxWaitNanos how long to wait at most (what is left of the stall timeout)
     * @return true if a release happened (retry the same size); false when nothing is outstanding (the chunk alone
     *         does not fit: shrink it) or nothing was released in time
     * @throws InterruptedException when the stream is closing
     */
    boolean awaitRelease(long maxWaitNanos) throws InterruptedException {
        lock.lockInterruptibly();
        try {
            long before = outstandingBytes.get();
            if (before <= 0 || maxWaitNanos <= 0) return false;
            long start = nanoClock.getAsLong();
            MemorySnapshot atStart = sample();
            stats.count("memory_limit_waits", 1);
            notify(() -> listener.onPause(atStart));
            try {
                while (outstandingBytes.get() >= before) {
                    if (cancelled) throw new InterruptedException("stream closed");
                    long left = maxWaitNanos - (nanoClock.getAsLong() - start);
                    if (left <= 0) return false;
                    released.awaitNanos(Math.min(left, pollNanos));
                }
                return true;
            } finally {
                long waited = nanoClock.getAsLong() - start;
                stats.paused(waited);
                MemorySnapshot atEnd = sample();
                notify(() -> listener.onResume(atEnd, waited));
            }
        } finally {
            lock.unlock();
        }
    }

    /** The stall timeout, nanoseconds: the longest a reader waits for memory before giving up on waiting. */
    long stallNanos() {
        return stallNanos;
    }

    /** After a MemoryLimit error: halve the chunk size, or return -1 when one row does not fit. */
    int afterMemoryLimit(int failedRows) {
        lock.lock();
        try {
            if (failedRows <= 1) return -1;
            int retry = Math.max(1, failedRows / 2);
            chunkRows = Math.min(chunkRows, retry);
            stats.count("memory_limit_retries", 1);
            notify(() -> listener.onMemoryLimitRetry(failedRows, retry));
            return retry;
        } finally {
            lock.unlock();
        }
    }

    private void released(long bytes) {
        outstandingBytes.addAndGet(-bytes);
        lock.lock();
        try {
            released.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Wakes every paused reader so it can see the stream is closing. */
    void cancel() {
        lock.lock();
        try {
            cancelled = true;
            released.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Bytes of chunks delivered (to the queue or the consumer) and not yet closed. */
    long outstandingBytes() {
        return outstandingBytes.get();
    }

    int currentChunkRows() {
        lock.lock();
        try {
            return chunkRows;
        } finally {
            lock.unlock();
        }
    }

    private static void notify(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            LOG.warn("stream listener failed; ignored", e);
        }
    }
}
