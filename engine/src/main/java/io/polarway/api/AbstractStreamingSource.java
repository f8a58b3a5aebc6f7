package io.polarway.api;

import io.polarway.error.MemoryLimitException;
import io.polarway.error.PolarwayException;
import io.polarway.error.Where;
import org.apache.arrow.memory.AllocationListener;
import org.apache.arrow.memory.AllocationOutcome;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.OutOfMemoryException;
import org.apache.arrow.vector.VectorSchemaRoot;

import java.util.Objects;
import java.util.Optional;

/**
 * Base for sources: owns the chunk bookkeeping so each source only writes {@link #readInto}. It gives every chunk
 * its own child allocator (exact byte accounting and a leak check on close), turns Arrow's allocation failures into
 * {@link MemoryLimitException}, records stats, and returns end-of-stream forever once reached.
 *
 * <p>Not thread-safe, like every {@link StreamingSource}; {@link #stats()} is.
 */
public abstract class AbstractStreamingSource implements StreamingSource {
    protected final SourceConfig config;
    protected final SourceContext context;
    protected final StatsRecorder stats = new StatsRecorder();
    private final String name;
    private final String splitId;
    private long sequence;
    private boolean ended;
    private boolean closed;

    /**
     * @param name    short name for allocator names and messages, e.g. {@code csv}
     * @param splitId the split this reader covers, or null
     */
    protected AbstractStreamingSource(String name, SourceConfig config, SourceContext context, String splitId) {
        this.name = Objects.requireNonNull(name, "name");
        this.config = Objects.requireNonNull(config, "config");
        this.context = Objects.requireNonNull(context, "context");
        this.splitId = splitId;
        stats.chunkSize(config.chunkSizeRows());
    }

    /**
     * Reads up to {@code maxRows} rows into a new root allocated from {@code allocator}.
     *
     * <p>Contract: return null at the end of the data (and only then); never return more than {@code maxRows} rows.
     * On an exception, close every vector allocated so far, and do not advance the read position when the failure
     * is an allocation failure (so a retry with fewer rows reads the same rows).
     */
    protected abstract VectorSchemaRoot readInto(BufferAllocator allocator, int maxRows);

    /** Where the source is reading now, for error messages. */
    protected Where where() {
        return Where.resource(config.location());
    }

    @Override
    public final Optional<Chunk> readChunk(int maxRows) {
        if (closed) throw new IllegalStateException(name + " source is closed");
        if (maxRows <= 0) throw new IllegalArgumentException("maxRows must be positive, got " + maxRows);
        if (ended) return Optional.empty();
        long start = System.nanoTime();
        FailedAllocation failed = new FailedAllocation();
        BufferAllocator chunkAllocator = context.allocator().newChildAllocator(name + "-chunk-" + sequence, failed,
                0, Long.MAX_VALUE);
        VectorSchemaRoot root;
        try {
            root = readInto(chunkAllocator, maxRows);
        } catch (OutOfMemoryException e) {
            chunkAllocator.close();
            throw memoryLimit(e, failed.attemptedBytes);
        } catch (RuntimeException | Error e) {
            chunkAllocator.close();
            throw e;
        }
        if (root == null) {
            ended = true;
            chunkAllocator.close();
            return Optional.empty();
        }
        if (root.getRowCount() > maxRows) {
            root.close();
            chunkAllocator.close();
            throw new IllegalStateException(name + " returned " + root.getRowCount() + " rows, more than " + maxRows);
        }
        Chunk chunk = new Chunk(root, chunkAllocator, sequence++, splitId);
        stats.chunkDelivered(chunk.rowCount(), System.nanoTime() - start);
        stats.chunkSize(maxRows);
        return Optional.of(chunk);
    }

    /**
     * Converts Arrow's allocation failure into the engine's typed error, with the limit in force.
     *
     * @param attemptedBytes what the allocator tree would have held had the allocation succeeded, or ≤ 0 if unknown
     */
    protected PolarwayException memoryLimit(OutOfMemoryException e, long attemptedBytes) {
        long limit = Long.MAX_VALUE;
        long held = 0;
        for (BufferAllocator a = context.allocator(); a != null; a = a.getParentAllocator()) {
            limit = Math.min(limit, a.getLimit());
            held = Math.max(held, a.getAllocatedMemory());
        }
        return new MemoryLimitException("chunk of " + name + " does not fit the memory limit", limit,
                attemptedBytes > 0 ? attemptedBytes : held, where(), e);
    }

    /**
     * Records, at the moment an allocation fails (before the source releases what it holds), the total the allocator
     * tree would have reached: Arrow 18's exception does not carry it.
     */
    private static final class FailedAllocation implements AllocationListener {
        volatile long attemptedBytes;

        @Override
        public boolean onFailedAllocation(long size, AllocationOutcome outcome) {
            long held = 0;
            BufferAllocator failed = outcome.getDetails().map(d -> d.getFailedAllocator()).orElse(null);
            if (failed != null) held = failed.getAllocatedMemory();
            attemptedBytes = held + size;
            return false;
        }
    }

    @Override
    public int chunkSizeRows() {
        return config.chunkSizeRows();
    }

    @Override
    public SourceStats stats() {
        return stats.snapshot();
    }

    protected boolean isEnded() {
        return ended;
    }

    /** Releases the source's own resources; called once by {@link #close()}. */
    protected void doClose() {
    }

    @Override
    public final void close() {
        if (closed) return;
        closed = true;
        doClose();
    }
}
