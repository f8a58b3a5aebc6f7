package io.polarway.source.file;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Reads one file as a sequence of record batches of whatever size the format yields (a Parquet scanner batch, an IPC
 * block, a text reader's chunk). The {@link ChunkAssembler} cuts and joins them into chunks of the size the policy
 * asks for. Not thread-safe; opened, read and closed by one thread at a time.
 */
interface BatchCursor extends AutoCloseable {

    /** The schema of every batch (after projection), as this file has it. */
    Schema schema();

    /**
     * The next batch, as a new root in {@code allocator} owned by the caller, or null at the end of the file.
     *
     * <p>On an allocation failure the read position does not advance: the same call can be retried.
     *
     * @param wantedRows how many rows the caller would like (a hint; formats that read fixed units ignore it)
     * @throws io.polarway.error.PolarwayException naming the file on any failure
     */
    VectorSchemaRoot next(BufferAllocator allocator, int wantedRows);

    /** Releases the file (and native resources). Idempotent. */
    @Override
    void close();
}
