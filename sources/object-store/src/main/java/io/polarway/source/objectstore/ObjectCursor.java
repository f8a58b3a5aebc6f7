package io.polarway.source.objectstore;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Reads one object as record batches of whatever size its format yields (a text reader's chunk, a Parquet scanner
 * batch, an IPC record batch); the source cuts and joins them into chunks of the size asked for. One thread at a time.
 */
interface ObjectCursor extends AutoCloseable {

    /** The schema of every batch, or null until known (a text format before its first batch). */
    Schema schema();

    /**
     * The next batch as a new root in {@code allocator}, owned by the caller, or null at the end of the object.
     *
     * @param wantedRows a hint; formats that read fixed units ignore it
     */
    VectorSchemaRoot next(BufferAllocator allocator, int wantedRows);

    @Override
    void close();
}
