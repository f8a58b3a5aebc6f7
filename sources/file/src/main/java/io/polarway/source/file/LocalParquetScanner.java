package io.polarway.source.file;

import io.polarway.api.StatsRecorder;
import io.polarway.memory.MemoryProbe;
import io.polarway.source.file.parquet.ParquetFilter;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Local Parquet files through the file source's JNI scanner — the same native memory budget (registered with the
 * engine's memory monitor), projection and filter push-down, typed errors and recovery after a batch that did not fit
 * — for sources that stage Parquet data on local disk: the object-store source fetches a row group's column chunks by
 * range into a sparse local file and scans it here.
 *
 * <p>Thread-safe; each {@link Scan} is used by one thread. Close every scan, and every batch it returned, before
 * closing the scanner.
 */
public final class LocalParquetScanner implements AutoCloseable {
    private final NativeParquet nativeParquet;

    /**
     * @param nativeLimitBytes most native memory the scans may hold together
     * @param probe            the stream's memory probe (a {@link io.polarway.memory.MemoryMonitor} gets the native
     *                         pool registered, so its bytes count in the memory signal)
     */
    public LocalParquetScanner(long nativeLimitBytes, MemoryProbe probe) {
        this.nativeParquet = new NativeParquet(nativeLimitBytes, probe);
    }

    /**
     * Opens a scan of {@code file}; reads and checks its footer and schema now.
     *
     * @param displayName what errors name (e.g. the object the file was staged from)
     * @param columns     top-level columns to read, in that order, or null for all (absent ones are left out)
     * @param filter      a row filter pushed into the scan, or null
     * @param batchRows   rows per batch asked of the scanner (it caps them at 32,768)
     * @param parent      allocator for the batches' import structures; batches are moved to the caller's allocator
     * @param stats       where the scan counts row groups and bytes
     * @throws io.polarway.error.PolarwayException a ParseException naming {@code displayName} for a corrupt file
     */
    public Scan open(Path file, String displayName, List<String> columns, ParquetFilter filter, int batchRows,
                     BufferAllocator parent, StatsRecorder stats) {
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        FileEntry entry = new FileEntry(file, size, FileFormatKind.PARQUET, displayName);
        // a staged file holds a row group or two: windows (for files larger than the native budget) go beside it
        return new Scan(new ParquetCursor(entry, nativeParquet, parent, columns, filter, batchRows, null,
                file.toAbsolutePath().getParent(), stats));
    }

    public long nativeLimitBytes() {
        return nativeParquet.budget().limitBytes();
    }

    /** Native bytes the scans hold now. */
    public long nativeReservedBytes() {
        return nativeParquet.budget().reservedBytes();
    }

    /** The most native bytes the scans held at once. */
    public long nativePeakBytes() {
        return nativeParquet.budget().peakBytes();
    }

    @Override
    public void close() {
        nativeParquet.close();
    }

    /** One file's scan: batches in file order, each owned by the caller. Not thread-safe. */
    public static final class Scan implements AutoCloseable {
        private final ParquetCursor cursor;

        private Scan(ParquetCursor cursor) {
            this.cursor = cursor;
        }

        /** The schema of every batch (after projection). */
        public Schema schema() {
            return cursor.schema();
        }

        /** Rows in the file, from its footer. */
        public long rowCount() {
            return cursor.footer().rowCount();
        }

        /**
         * The next batch as a new root in {@code allocator}, or null at the end of the file. After a
         * {@link io.polarway.error.MemoryLimitException} the same call may be retried: no row is lost or repeated.
         */
        public VectorSchemaRoot next(BufferAllocator allocator, int wantedRows) {
            return cursor.next(allocator, wantedRows);
        }

        @Override
        public void close() {
            cursor.close();
        }
    }
}
