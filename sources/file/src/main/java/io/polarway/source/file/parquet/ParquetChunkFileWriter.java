package io.polarway.source.file.parquet;

import org.apache.arrow.dataset.file.DatasetFileWriter;
import org.apache.arrow.dataset.file.FileFormat;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.arrow.vector.util.VectorSchemaRootAppender;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * Writes batches to one Parquet file with arrow-dataset's native writer, streaming: batches are copied into row groups
 * of {@code rowGroupRows} rows and handed one at a time to the writer thread, so memory stays at about two row groups
 * whatever the file's size.
 *
 * <p>The native writer pulls batches from an {@link ArrowReader} on a thread of its own; {@link #write} blocks until
 * the writer has taken the previous row group, and also while the batches it still holds exceed
 * {@code maxBufferedBytes}. The writer writes into a hidden temporary directory beside the target and the file is
 * moved into place by {@link #close()}, so a failed write never leaves a partial file under the target name.
 *
 * <p>One producer thread. {@link #close()} must be called (it finishes the file).
 */
public final class ParquetChunkFileWriter implements AutoCloseable {
    /** Default row-group size in rows. */
    public static final int DEFAULT_ROW_GROUP_ROWS = 128 * 1024;

    private static final Object END = new Object();

    private final Path target;
    private final Path tempDir;
    private final int rowGroupRows;
    private final long maxBufferedBytes;
    private final BufferAllocator allocator = new RootAllocator();
    private final SynchronousQueue<Object> handoff = new SynchronousQueue<>();
    private Schema schema;
    private VectorSchemaRoot pending;
    private Thread thread;
    private volatile Throwable failure;
    private boolean closed;
    private long rows;

    private ParquetChunkFileWriter(Path target, int rowGroupRows, long maxBufferedBytes) throws IOException {
        this.target = target.toAbsolutePath();
        Path parent = this.target.getParent();
        this.tempDir = Files.createTempDirectory(parent, "." + this.target.getFileName() + ".");
        this.rowGroupRows = rowGroupRows;
        this.maxBufferedBytes = maxBufferedBytes;
    }

    /** A writer of {@code file} (replaced when it exists) with the default row-group size. */
    public static ParquetChunkFileWriter create(Path file) throws IOException {
        return create(file, DEFAULT_ROW_GROUP_ROWS, 256L << 20);
    }

    /**
     * @param rowGroupRows      rows per row group
     * @param maxBufferedBytes  most bytes of batches the native writer may hold before {@link #write} waits
     */
    public static ParquetChunkFileWriter create(Path file, int rowGroupRows, long maxBufferedBytes)
            throws IOException {
        if (rowGroupRows <= 0) throw new IllegalArgumentException("rowGroupRows must be positive");
        return new ParquetChunkFileWriter(file, rowGroupRows, maxBufferedBytes);
    }

    /** Starts the file with {@code schema} (done by the first {@link #write} otherwise). */
    public void open(Schema schema) {
        if (this.schema != null) throw new IllegalStateException("already open");
        this.schema = schema;
        Feeder feeder = new Feeder(allocator, schema);
        thread = new Thread(() -> {
            try {
                DatasetFileWriter.write(allocator, feeder, FileFormat.PARQUET, tempDir.toUri().toString(),
                        new String[0], 1, "part-{i}.parquet");
            } catch (Throwable t) {
                failure = t;
                handoff.poll(); // unblock a producer waiting on a hand-off nobody will take
            } finally {
                try {
                    feeder.close();
                } catch (IOException | RuntimeException ignored) {
                    // the reader only holds the writer's own root
                }
            }
        }, "polarway-parquet-writer");
        thread.setDaemon(true);
        thread.start();
    }

    public boolean isOpen() {
        return schema != null;
    }

    /**
     * Appends the rows of {@code batch} (copied; the caller keeps and closes {@code batch}).
     *
     * @throws IOException when the native writer failed
     */
    public void write(VectorSchemaRoot batch) throws IOException {
        if (closed) throw new IllegalStateException("closed");
        if (schema == null) open(batch.getSchema());
        if (!schema.equals(batch.getSchema())) {
            throw new IllegalArgumentException("batch schema " + batch.getSchema() + " differs from " + schema);
        }
        int offset = 0;
        while (offset < batch.getRowCount()) {
            if (pending == null) {
                pending = VectorSchemaRoot.create(schema, allocator);
                pending.allocateNew();
                pending.setRowCount(0);
            }
            int n = Math.min(batch.getRowCount() - offset, rowGroupRows - pending.getRowCount());
            if (offset == 0 && n == batch.getRowCount()) {
                VectorSchemaRootAppender.append(false, pending, batch);
            } else {
                try (VectorSchemaRoot part = batch.slice(offset, n)) {
                    VectorSchemaRootAppender.append(false, pending, part);
                }
            }
            offset += n;
            if (pending.getRowCount() >= rowGroupRows) flush();
        }
    }

    private void flush() throws IOException {
        VectorSchemaRoot group = pending;
        pending = null;
        rows += group.getRowCount();
        hand(group);
    }

    private void hand(Object item) throws IOException {
        try {
            while (!handoff.offer(item, 100, TimeUnit.MILLISECONDS)) {
                if (failure != null || !thread.isAlive()) {
                    if (item instanceof VectorSchemaRoot r) r.close();
                    throw failed();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            if (item instanceof VectorSchemaRoot r) r.close();
            throw new InterruptedIOException("interrupted while writing Parquet");
        }
    }

    private IOException failed() {
        Throwable t = failure;
        return new IOException("Parquet writer for " + target + " failed: "
                + (t == null ? "it stopped" : t.getMessage()), t);
    }

    /** Rows written so far (handed to the native writer). */
    public long rows() {
        return rows + (pending == null ? 0 : pending.getRowCount());
    }

    /** Finishes the file and moves it to the target path. Idempotent. */
    @Override
    public void close() throws IOException {
        if (closed) return;
        closed = true;
        IOException error = null;
        try {
            if (schema == null) open(new Schema(List.of()));
            if (pending != null && pending.getRowCount() > 0) flush();
            else if (rows == 0) {
                // an empty result still gets a file with the schema: hand over one batch without rows
                if (pending == null) {
                    pending = VectorSchemaRoot.create(schema, allocator);
                    pending.allocateNew();
                }
                pending.setRowCount(0);
                VectorSchemaRoot empty = pending;
                pending = null;
                hand(empty);
            }
            if (pending != null) {
                pending.close();
                pending = null;
            }
            hand(END);
            thread.join();
            if (failure != null) throw failed();
            // the native writer releases the batches it exported shortly after it returns
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (allocator.getAllocatedMemory() > 0 && System.nanoTime() < deadline) {
                LockSupport.parkNanos(1_000_000);
            }
            Path part = tempDir.resolve("part-0.parquet");
            if (!Files.exists(part)) throw new IOException("the Parquet writer produced no file for " + target);
            Files.move(part, target, StandardCopyOption.REPLACE_EXISTING);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            error = new InterruptedIOException("interrupted while finishing " + target);
        } catch (IOException e) {
            error = e;
        } finally {
            if (pending != null) pending.close();
            deleteTemp();
            try {
                allocator.close();
            } catch (IllegalStateException e) {
                if (error == null) error = new IOException("Parquet writer leaked memory: " + e.getMessage(), e);
            }
        }
        if (error != null) throw error;
    }

    private void deleteTemp() {
        try (Stream<Path> s = Files.list(tempDir)) {
            for (Path p : s.toList()) Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // best effort
        }
        try {
            Files.deleteIfExists(tempDir);
        } catch (IOException ignored) {
            // best effort
        }
    }

    /** The reader the native writer pulls from: each call takes the next handed-over row group. */
    private final class Feeder extends ArrowReader {
        private final Schema schema;

        Feeder(BufferAllocator allocator, Schema schema) {
            super(allocator);
            this.schema = schema;
        }

        @Override
        public boolean loadNextBatch() throws IOException {
            // hold back while the native writer still holds too many of the batches it took
            while (allocator.getAllocatedMemory() > maxBufferedBytes) LockSupport.parkNanos(1_000_000);
            Object item;
            try {
                item = handoff.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException();
            }
            if (item == END) return false;
            try (VectorSchemaRoot group = (VectorSchemaRoot) item) {
                VectorSchemaRoot root = getVectorSchemaRoot();
                List<FieldVector> from = group.getFieldVectors();
                List<FieldVector> to = root.getFieldVectors();
                for (int i = 0; i < from.size(); i++) from.get(i).makeTransferPair(to.get(i)).transfer();
                root.setRowCount(group.getRowCount());
            }
            return true;
        }

        @Override
        public long bytesRead() {
            return 0;
        }

        @Override
        protected void closeReadSource() {
        }

        @Override
        protected Schema readSchema() {
            return schema;
        }
    }
}
