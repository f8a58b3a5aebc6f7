package io.polarway.source.file;

import io.polarway.api.StatsRecorder;
import io.polarway.error.MemoryLimitException;
import io.polarway.error.ParseException;
import io.polarway.error.PolarwayException;
import io.polarway.error.Where;
import io.polarway.source.file.parquet.ParquetFilter;
import io.polarway.source.file.parquet.ParquetFooter;
import org.apache.arrow.dataset.file.FileFormat;
import org.apache.arrow.dataset.file.FileSystemDatasetFactory;
import org.apache.arrow.dataset.scanner.ScanOptions;
import org.apache.arrow.dataset.scanner.Scanner;
import org.apache.arrow.dataset.source.Dataset;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.OutOfMemoryException;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One Parquet file through the arrow-dataset JNI scanner: row group after row group, in batches of at most
 * {@code batchRows} rows (the scanner caps them at 32,768), with the projection and filter pushed into the scan.
 *
 * <p>The footer is read and checked in Java first ({@link ParquetFooter}), so native code only sees files that look
 * like Parquet. Native errors (a corrupt page, a failed decompression) become {@link ParseException}s naming the file.
 *
 * <p>When a batch cannot be taken within the memory limits (the Java allocator's or the native budget's) the scanner
 * has already consumed it; the cursor then closes the scan and, on the next call, reopens it and skips the rows it had
 * delivered, so a retry with a smaller chunk reads exactly the rows that follow (nothing lost, nothing repeated).
 */
final class ParquetCursor implements BatchCursor {
    private final FileEntry file;
    private final ParquetFooter footer;
    private final NativeParquet nativeParquet;
    private final BufferAllocator importAllocator;
    private final ParquetFilter filter;
    private final int batchRows;
    private final StatsRecorder stats;
    private final Schema fileSchema;
    private final List<String> columns;
    private final Schema schema;

    private FileSystemDatasetFactory factory;
    private Dataset dataset;
    private Scanner scanner;
    private ArrowReader reader;
    private long deliveredRows;
    private long skipRows;
    private long bytesCounted;
    private boolean ended;
    private boolean counted;
    private boolean closed;

    /**
     * @param requestedColumns the projection, or null for every column; columns the file lacks are left out (see
     *                         {@link #missingColumns})
     */
    ParquetCursor(FileEntry file, NativeParquet nativeParquet, BufferAllocator parent, List<String> requestedColumns,
                  ParquetFilter filter, int batchRows, StatsRecorder stats) {
        this.file = file;
        this.footer = ParquetFooter.read(file.path());
        this.nativeParquet = nativeParquet;
        this.filter = filter;
        this.batchRows = batchRows;
        this.stats = stats;
        // Imported batches keep their C-data structs in this allocator until the last buffer moved out of them is
        // freed (possibly in a chunk), so it must be the source's allocator, not one closed with this file.
        this.importAllocator = parent;
        try {
            this.fileSchema = inspect();
            if (requestedColumns == null) {
                this.columns = null;
                this.schema = fileSchema;
            } else {
                List<String> present = new ArrayList<>();
                List<Field> fields = new ArrayList<>();
                for (String c : requestedColumns) {
                    for (Field f : fileSchema.getFields()) {
                        if (f.getName().equals(c)) {
                            present.add(c);
                            fields.add(f);
                            break;
                        }
                    }
                }
                this.columns = present;
                this.schema = new Schema(fields, fileSchema.getCustomMetadata());
            }
        } catch (RuntimeException | Error e) {
            closeNative();
            throw e;
        }
    }

    ParquetFooter footer() {
        return footer;
    }

    /** The file's own schema, before projection. */
    Schema fileSchema() {
        return fileSchema;
    }

    @Override
    public Schema schema() {
        return schema;
    }

    private Schema inspect() {
        try (FileSystemDatasetFactory f = new FileSystemDatasetFactory(importAllocator, nativeParquet.pool(),
                FileFormat.PARQUET, file.uri())) {
            return f.inspect();
        } catch (RuntimeException e) {
            throw nativeError(e, "cannot read the schema of");
        }
    }

    private void open() {
        if (!counted) {
            stats.count("parquet_row_groups", footer.rowGroups());
            counted = true;
        }
        try {
            factory = new FileSystemDatasetFactory(importAllocator, nativeParquet.pool(), FileFormat.PARQUET,
                    file.uri());
            dataset = factory.finish();
            ScanOptions.Builder options = new ScanOptions.Builder(scanBatchRows())
                    .columns(columns == null ? Optional.empty() : Optional.of(columns.toArray(String[]::new)));
            if (filter != null) {
                byte[] expression = filter.toSubstrait(fileSchema, file.toString());
                ByteBuffer direct = ByteBuffer.allocateDirect(expression.length);
                direct.put(expression).flip();
                options.substraitFilter(direct);
            }
            scanner = dataset.newScan(options.build());
            reader = scanner.scanBatches();
        } catch (PolarwayException e) {
            closeNative();
            throw e;
        } catch (RuntimeException e) {
            closeNative();
            throw nativeError(e, "cannot open");
        }
    }

    @Override
    public VectorSchemaRoot next(BufferAllocator allocator, int wantedRows) {
        if (closed) throw new IllegalStateException("cursor closed");
        if (ended) return null;
        while (true) {
            if (reader == null) {
                open();
                skipRows = deliveredRows;
            }
            VectorSchemaRoot batch;
            try {
                if (!reader.loadNextBatch()) {
                    ended = true;
                    countBytes(true);
                    closeNative();
                    return null;
                }
                batch = reader.getVectorSchemaRoot();
            } catch (OutOfMemoryException e) {
                throw lostBatch(e);
            } catch (IOException | RuntimeException e) {
                if (nativeParquet.budget().refusals() > 0 && isNativeLimit(e)) throw lostBatch(e);
                closeNative();
                throw nativeError(e, "cannot read");
            }
            int rows = batch.getRowCount();
            if (skipRows >= rows) {
                // rows delivered before the scan was reopened
                skipRows -= rows;
                batch.clear();
                continue;
            }
            VectorSchemaRoot out;
            try {
                if (skipRows > 0) {
                    out = Batches.slice(batch, (int) skipRows, rows - (int) skipRows, allocator);
                    skipRows = 0;
                } else {
                    out = Batches.transfer(batch, schema, allocator);
                }
            } catch (OutOfMemoryException e) {
                throw lostBatch(e);
            }
            batch.clear();
            deliveredRows += out.getRowCount();
            countBytes(false);
            return out;
        }
    }

    /**
     * Rows per scanner batch: at most {@code batchRows}, and few enough that the scanner's read-ahead (it keeps up to
     * {@value #SCANNER_READAHEAD_BATCHES} decoded batches queued, a number Java cannot change) stays within a quarter
     * of the native memory limit. Row width is estimated from the file: bytes on disk per row.
     */
    int scanBatchRows() {
        long rowBytes = Math.max(1, footer.rowCount() == 0 ? 1 : file.sizeBytes() / footer.rowCount());
        long fit = nativeParquet.budget().limitBytes() / 4 / (SCANNER_READAHEAD_BATCHES * rowBytes);
        return (int) Math.max(Math.min(batchRows, 1024), Math.min(batchRows, fit));
    }

    /** arrow-dataset's default batch read-ahead (C++ {@code kDefaultBatchReadahead}). */
    static final int SCANNER_READAHEAD_BATCHES = 16;

    private static boolean isNativeLimit(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && t.getMessage().contains("native memory limit")) return true;
        }
        return false;
    }

    /** The scanner consumed a batch we could not take: reopen on the next call and skip what was delivered. */
    private PolarwayException lostBatch(Throwable e) {
        closeNative();
        if (e instanceof OutOfMemoryException oom) {
            return new MemoryLimitException("a Parquet batch of " + file + " does not fit the memory limit",
                    importAllocator.getLimit(), importAllocator.getAllocatedMemory(), where(), oom);
        }
        return new MemoryLimitException("the Parquet scanner of " + file + " needs more native memory than "
                + "native_memory_limit allows", nativeParquet.budget().limitBytes(),
                nativeParquet.budget().peakBytes(), where(), e);
    }

    /** File bytes, counted in proportion to the rows delivered (the scanner does not say what it read). */
    private void countBytes(boolean atEnd) {
        long target = atEnd || footer.rowCount() == 0 ? file.sizeBytes()
                : (long) ((double) file.sizeBytes() * Math.min(1.0, (double) deliveredRows / footer.rowCount()));
        if (target > bytesCounted) {
            stats.addBytesRead(target - bytesCounted);
            bytesCounted = target;
        }
    }

    private Where where() {
        return Where.resource(file.toString());
    }

    private ParseException nativeError(Throwable e, String what) {
        String msg = e.getMessage() == null ? e.toString() : e.getMessage().trim();
        return new ParseException(what + " Parquet file: " + msg, where(), e);
    }

    private void closeNative() {
        // reader, scanner, dataset, factory: in that order (each depends on the next)
        AutoCloseable[] all = {reader, scanner, dataset, factory};
        reader = null;
        scanner = null;
        dataset = null;
        factory = null;
        for (AutoCloseable c : all) {
            if (c == null) continue;
            try {
                c.close();
            } catch (Exception ignored) {
                // closing native handles after a native error may fail again; nothing more to release
            }
        }
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        closeNative();
    }
}
