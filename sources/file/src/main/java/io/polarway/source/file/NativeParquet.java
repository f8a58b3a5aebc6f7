package io.polarway.source.file;

import io.polarway.memory.MemoryMonitor;
import io.polarway.memory.MemoryProbe;
import io.polarway.source.file.parquet.NativeMemoryBudget;
import org.apache.arrow.dataset.jni.NativeMemoryPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The native memory pool every Parquet scan of one source allocates from, listened to by a {@link NativeMemoryBudget}
 * and registered with the engine's {@link MemoryMonitor} (when the stream has one) so the native bytes appear in its
 * snapshots. Created on the first Parquet file, so sources without Parquet never load the JNI library.
 *
 * <p>Thread-safe. Closed by the source after every scanner is closed; the pool itself is only released when nothing
 * allocated from it is alive any more (a batch still held by a chunk would otherwise be freed into a released pool).
 * {@link #close} blocks up to two seconds while the closed scanners' threads finish releasing read-ahead batches.
 */
final class NativeParquet implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NativeParquet.class);
    private static final AtomicInteger IDS = new AtomicInteger();
    /** Longest {@link #close} waits for native memory still being released by the scanner's threads. */
    private static final long RELEASE_WAIT_NANOS = 2_000_000_000L;

    private final NativeMemoryBudget budget;
    private final MemoryProbe probe;
    private final String poolName = "arrow-dataset-" + IDS.incrementAndGet();
    private NativeMemoryPool pool;
    private boolean closed;

    NativeParquet(long limitBytes, MemoryProbe probe) {
        this.budget = new NativeMemoryBudget(limitBytes);
        this.probe = probe;
    }

    synchronized NativeMemoryPool pool() {
        if (closed) throw new IllegalStateException("source is closed");
        if (pool == null) {
            pool = NativeMemoryPool.createListenable(budget);
            if (probe instanceof MemoryMonitor monitor) monitor.registerNativePool(poolName, budget::reservedBytes);
        }
        return pool;
    }

    NativeMemoryBudget budget() {
        return budget;
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        if (pool == null) return;
        if (probe instanceof MemoryMonitor monitor) monitor.unregisterNativePool(poolName);
        // A closed scanner's worker threads may still be dropping read-ahead batches for a moment: give them that
        // moment before deciding that something is really still alive.
        long deadline = System.nanoTime() + RELEASE_WAIT_NANOS;
        while (budget.reservedBytes() > 0 && System.nanoTime() < deadline) {
            LockSupport.parkNanos(1_000_000);
        }
        if (budget.reservedBytes() > 0) {
            // Something allocated from the pool is still alive (a chunk not closed before its source): releasing
            // the pool now would let that memory be freed into a deleted pool later. Leak the pool instead.
            LOG.warn("{} still holds {} bytes at close (a chunk outlived its source?): not releasing the pool",
                    poolName, budget.reservedBytes());
            return;
        }
        try {
            pool.close();
        } catch (Exception e) {
            LOG.warn("could not release {}: {}", poolName, e.toString());
        }
    }
}
