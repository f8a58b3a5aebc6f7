package io.polarway.api;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
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
 * <p><b>Release and discard.</b> Closing a chunk also tells its source that the rows were consumed: a source with
 * delivery guarantees (Kafka commits offsets only for released chunks) acts on it. {@link #discard()} releases the
 * memory the same way but says the rows were <i>not</i> consumed (the stream discards the chunks it read ahead and
 * never handed over; a caller may discard a chunk it could not process), so such a source will deliver them again.
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
    private volatile boolean discarded;
    private final List<Runnable> onClose = new CopyOnWriteArrayList<>();

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

    /** Whether the chunk was released with {@link #discard()} (its rows not consumed) rather than {@link #close()}. */
    public boolean isDiscarded() {
        return discarded;
    }

    /**
     * Registers an action run once after the buffers are released (the stream uses it to account memory and wake a
     * paused reader; a source may use it to acknowledge the rows, checking {@link #isDiscarded()}). Actions add up and
     * run in registration order, on the thread that closes the chunk; one that throws does not stop the others (the
     * first failure is rethrown after all ran). Run immediately if the chunk is already closed.
     */
    public void onClose(Runnable action) {
        Objects.requireNonNull(action, "action");
        onClose.add(action);
        // a close racing with this registration may or may not have seen the action: run it here only if it did not
        if (closed.get() && onClose.remove(action)) action.run();
    }

    /** Releases the buffers: the rows count as consumed. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        try {
            root.close();
        } finally {
            if (allocator != null) allocator.close();
            runActions();
        }
    }

    /**
     * Releases the buffers like {@link #close()}, but marks the rows as not consumed: a source that acknowledges
     * consumed rows (Kafka) will not acknowledge these, and delivers them again to the next reader. No effect on a
     * closed chunk.
     */
    public void discard() {
        if (closed.get()) return;
        discarded = true;
        close();
    }

    private void runActions() {
        RuntimeException first = null;
        for (Runnable r : onClose) {
            if (!onClose.remove(r)) continue; // already run by a racing onClose
            try {
                r.run();
            } catch (RuntimeException e) {
                if (first == null) first = e;
                else first.addSuppressed(e);
            }
        }
        if (first != null) throw first;
    }

    @Override
    public String toString() {
        return "Chunk{seq=" + sequence + (splitId != null ? ", split=" + splitId : "") + ", rows=" + root.getRowCount()
                + ", bytes=" + byteSize + (closed.get() ? discarded ? ", discarded" : ", closed" : "") + '}';
    }
}
