package io.polarway.cli.output;

import io.polarway.api.Chunk;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

import java.io.IOException;

/**
 * Writes a stream of chunks to one output, chunk by chunk, never holding more than one chunk's worth of output in
 * memory. Life cycle: {@link #open(Schema)} once with the first chunk's schema, {@link #write(Chunk)} for each chunk
 * (the caller still owns the chunk and closes it right after), then {@link #close()}. Closing a writer that was never
 * opened writes an empty output of its format. Every later chunk must have the first one's schema.
 *
 * <p>Create writers with {@link OutputFormat#open(java.nio.file.Path)}.
 */
public interface ChunkWriter extends AutoCloseable {

    /** Starts the output (header, schema message). */
    void open(Schema schema) throws IOException;

    /** Writes one batch of rows. */
    void write(VectorSchemaRoot batch) throws IOException;

    /** Writes the chunk's rows; opens the writer with the chunk's schema first if needed. Does not close the chunk. */
    default void write(Chunk chunk) throws IOException {
        if (!isOpen()) open(chunk.schema());
        write(chunk.root());
    }

    /** Whether {@link #open} was called. */
    boolean isOpen();

    /** Finishes the output (footer) and releases the file. Idempotent. */
    @Override
    void close() throws IOException;
}
