package io.polarway.cli.output;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.VectorUnloader;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.types.pojo.Schema;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * The Arrow IPC file format (magic, schema, one record batch per chunk, footer), readable with
 * {@link org.apache.arrow.vector.ipc.ArrowFileReader}.
 *
 * <p>Each chunk's buffers are serialized directly: the chunk's root is unloaded into an {@link ArrowRecordBatch} and
 * that batch is written, with no copy. (Loading the chunk into the writer's own root with a {@code VectorLoader} would
 * not work: a chunk's buffers belong to the source's root allocator and Arrow cannot move buffers between roots.) The
 * writer's own root only carries the schema and holds no data, so its allocator never allocates.
 */
public final class ArrowChunkWriter implements ChunkWriter {
    private final WritableByteChannel channel;
    private final BufferAllocator allocator = new RootAllocator();
    private VectorSchemaRoot schemaRoot;
    private BatchWriter writer;
    private Schema schema;
    private boolean closed;

    public ArrowChunkWriter(WritableByteChannel channel) {
        this.channel = channel;
    }

    static ArrowChunkWriter create(Path path) throws IOException {
        return new ArrowChunkWriter(FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING));
    }

    @Override
    public void open(Schema schema) throws IOException {
        if (this.schema != null) throw new IllegalStateException("already open");
        this.schema = schema;
        this.schemaRoot = VectorSchemaRoot.create(schema, allocator);
        this.writer = new BatchWriter(schemaRoot, channel);
        writer.start();
    }

    @Override
    public boolean isOpen() {
        return schema != null;
    }

    @Override
    public void write(VectorSchemaRoot batch) throws IOException {
        if (schema == null) open(batch.getSchema());
        else SchemaCheck.requireSame(schema, batch.getSchema());
        try (ArrowRecordBatch records = new VectorUnloader(batch).getRecordBatch()) {
            writer.append(records);
        }
    }

    @Override
    public void close() throws IOException {
        if (closed) return;
        closed = true;
        try {
            if (writer == null) open(new Schema(List.of()));
            writer.end();
        } finally {
            try {
                if (writer != null) writer.close(); // closes the channel
                else channel.close();
            } finally {
                if (schemaRoot != null) schemaRoot.close();
                allocator.close();
            }
        }
    }

    /** Exposes {@link ArrowFileWriter#writeRecordBatch} to write a batch that is not in the writer's root. */
    private static final class BatchWriter extends ArrowFileWriter {
        BatchWriter(VectorSchemaRoot root, WritableByteChannel out) {
            super(root, null, out);
        }

        void append(ArrowRecordBatch batch) throws IOException {
            writeRecordBatch(batch);
        }
    }
}
