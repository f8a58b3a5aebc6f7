package io.polarway.cli.output;

import io.polarway.source.file.parquet.ParquetChunkFileWriter;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Parquet output: chunks are gathered into row groups of {@link ParquetChunkFileWriter#DEFAULT_ROW_GROUP_ROWS} rows
 * and written by arrow-dataset's native writer, so converting a large input holds about two row groups in memory.
 * The file appears under its name only once complete.
 */
public final class ParquetChunkWriter implements ChunkWriter {
    private final ParquetChunkFileWriter writer;
    private Schema schema;

    private ParquetChunkWriter(ParquetChunkFileWriter writer) {
        this.writer = writer;
    }

    static ParquetChunkWriter create(Path path) throws IOException {
        return new ParquetChunkWriter(ParquetChunkFileWriter.create(path));
    }

    @Override
    public void open(Schema schema) {
        if (this.schema != null) throw new IllegalStateException("already open");
        this.schema = schema;
        writer.open(schema);
    }

    @Override
    public boolean isOpen() {
        return schema != null;
    }

    @Override
    public void write(VectorSchemaRoot batch) throws IOException {
        if (schema == null) open(batch.getSchema());
        else SchemaCheck.requireSame(schema, batch.getSchema());
        writer.write(batch);
    }

    @Override
    public void close() throws IOException {
        writer.close();
    }
}
