package io.polarway.api;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A chunk of rows as an Arrow record batch, with exactly one owner at a time.
 *
 * <p><b>Ownership.</b> Whoever receives a chunk (from {@link StreamingSource#readChunk()} or an iterator) owns it and
 * must {@link #close()} it, typically with try-with-resources. Closing releases the Arrow buffers and the chunk's own
 * child allocator, which also checks for leaks. The stream's memory accounting and backpressure see the release, so a
 * consumer that holds chunks slows the reader down. {@link #close()} is idempotent and thread-safe; using the root
 * after closing is an error.
 *
 * <p>A chunk may be handed from the reading thread to the consuming thread; it is not safe for concurrent use.
 */
public final class Chunk implements AutoCloseable {
    private final VectorSchemaRoot root;
    private final BufferAllocator allocator;
    private final long sequence;
    private final String splitId;
    private final long byteSize;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile Runnable onClose;

    /**
     * @param root      the batch; ownership moves to the chunk
     * @param allocator the allocator the buffers were allocated from, owned by the chunk and closed after the root
     *                  (null when the buffers belong to an allocator the chunk does not own)
     * @param sequence  0-based position of the chunk in its split's output
     * @param splitId   the split it came from, or null for unsplit sources
     */
    public Chunk(VectorSchemaRoot root, BufferAllocator allocator, long sequence, String splitId) {
        this.root = Objects.requireNonNull(root, "root");
        this.allocator = allocator;
        this.sequence = sequence;
        this.splitId = splitId;
        this.byteSize = allocator != null ? allocator.getAllocatedMemory() : bufferBytes(root);
    }

    private static long bufferBytes(VectorSchemaRoot root) {
        long total = 0;
        for (var v : root.getFieldVectors()) {
            for (var b : v.getBuffers(false)) total += b.capacity();
        }
        return total;
    }

    /** Number of rows. */
    public int rowCount() {
        return root.getRowCount();
    }

    /** Bytes of Arrow memory this chunk holds (buffer capacities), measured when the chunk was created. */
    public long byteSize() {
        return byteSize;
    }

    public Schema schema() {
        return root.getSchema();
    }

    /** The batch. Valid until {@link #close()}; the caller must not close it directly. */
    public VectorSchemaRoot root() {
        if (closed.get()) throw new IllegalStateException("chunk " + sequence + " is closed");
        return root;
    }

    public long sequence() {
        return sequence;
    }

    /** The split this chunk came from, or null. */
    public String splitId() {
        return splitId;
    }

    public boolean isClosed() {
        return closed.get();
    }

    /**
     * Registers an action run once after the buffers are released (the stream uses it to account memory and wake a
     * paused reader). Replaces any earlier action; run immediately if already closed.
     */
    public void onClose(Runnable action) {
        this.onClose = action;
        if (closed.get() && action != null) action.run();
    }

    /** Releases the buffers. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        try {
            root.close();
        } finally {
            if (allocator != null) allocator.close();
            Runnable r = onClose;
            if (r != null) r.run();
        }
    }

    @Override
    public String toString() {
        return "Chunk{seq=" + sequence + (splitId != null ? ", split=" + splitId : "") + ", rows=" + root.getRowCount()
                + ", bytes=" + byteSize + (closed.get() ? ", closed" : "") + '}';
    }
}
