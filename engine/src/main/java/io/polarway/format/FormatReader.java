package io.polarway.format;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Reads one byte stream of a {@link TextFormat} into chunks. Not thread-safe: one reading thread at a time.
 */
public interface FormatReader extends AutoCloseable {

    /**
     * Reads up to {@code maxRows} rows into a new root allocated from {@code allocator}; the same contract as
     * {@link io.polarway.api.AbstractStreamingSource#readInto}: null only at the true end of the stream, never more
     * than {@code maxRows} rows, records split across read buffers carried over; on an allocation failure every vector
     * allocated so far is closed and the read position does not advance, so a retry with fewer rows reads the same
     * rows. The caller owns the returned root.
     */
    VectorSchemaRoot read(BufferAllocator allocator, int maxRows);

    /** The schema every chunk has, or null until it is known (e.g. before the header or the inference sample). */
    Schema schema();

    /** Closes the stream. Idempotent. */
    @Override
    void close();
}
