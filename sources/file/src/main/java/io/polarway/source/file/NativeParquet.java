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
 * The native memory pool every Parquet scan of one source allocates from, and the {@link NativeMemoryBudget} that
 * accounts for it, registered with the engine's {@link MemoryMonitor} (when the stream has one) so the native bytes
 * appear in its snapshots. Created on the first Parquet file, so sources without Parquet never load the JNI library.
 *
 * <p>Two kinds of pool ({@code native_pool}): a listenable pool of this source, whose every reservation goes through
 * the budget, which refuses one past the limit (a hard bound; arrow-dataset serialises the scanner's allocations on a
 * lock for it, which costs about 30 % of a scan's speed); or Arrow's process-wide default pool, which the budget only
 * samples ({@link #sample}, after each batch) — faster, and the bound then rests on the window plan and batch sizing
 * alone, with no refusal.
 *
 * <p>Thread-safe. Closed by the source after every scanner is closed; a listenable pool itself is only released when
 * nothing allocated from it is alive any more (a batch still held by a chunk would otherwise be freed into a released
 * pool). {@link #close} blocks up to two seconds while the closed scanners' threads finish releasing read-ahead
 * batches. The default pool is never released.
 */
final class NativeParquet implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NativeParquet.class);
    private static final AtomicInteger IDS = new AtomicInteger();
    /** Longest {@link #close} waits for native memory still being released by the scanner's threads. */
    private static final long RELEASE_WAIT_NANOS = 2_000_000_000L;

    private final NativeMemoryBudget budget;
    private final MemoryProbe probe;
    private final boolean listenable;
    private final String poolName = "arrow-dataset-" + IDS.incrementAndGet();
    private NativeMemoryPool pool;
    private boolean closed;

    /** A listenable pool: the hard bound. */
    NativeParquet(long limitBytes, MemoryProbe probe) {
        this(limitBytes, probe, true);
    }

    /** @param listenable a listenable pool of this source (true) or Arrow's default pool, sampled (false) */
    NativeParquet(long limitBytes, MemoryProbe probe, boolean listenable) {
        this.budget = new NativeMemoryBudget(limitBytes);
        this.probe = probe;
        this.listenable = listenable;
    }

    synchronized NativeMemoryPool pool() {
        if (closed) throw new IllegalStateException("source is closed");
        if (pool == null) {
            pool = listenable ? NativeMemoryPool.createListenable(budget) : NativeMemoryPool.getDefault();
            if (probe instanceof MemoryMonitor monitor) {
                monitor.registerNativePool(poolName, listenable ? budget::reservedBytes : pool::getBytesAllocated);
            }
        }
        return pool;
    }

    /**
     * With the default pool, records what it holds now in the budget's peak (the pool is the process's, so this counts
     * other users of it too); with a listenable pool the budget already sees every reservation.
     */
    void sample() {
        NativeMemoryPool p;
        synchronized (this) {
            p = pool;
        }
        if (!listenable && p != null) budget.observe(p.getBytesAllocated());
    }

    /** Whether the pool is this source's listenable pool (the hard bound) rather than Arrow's default pool. */
    boolean listenable() {
        return listenable;
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
        if (!listenable) return; // the default pool is the process's: never released
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
