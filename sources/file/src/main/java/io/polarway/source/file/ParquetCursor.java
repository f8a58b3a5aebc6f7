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

import io.polarway.config.ByteSize;
import io.polarway.error.IoException;
import io.polarway.source.file.parquet.NativeMemoryBudget;
import io.polarway.source.file.parquet.ParquetLayout;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

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
 *
 * <h2>Native memory: windows</h2>
 * The scanner pre-buffers the column chunks of every row group it will read and keeps them until the file is done, in
 * native memory outside the scan's pool (see {@link ParquetLayout}): a scan of the whole file holds about the file's
 * needed bytes. So a file whose needed column chunks exceed the window size (option {@code parquet_window_bytes};
 * by default a quarter of the native limit, less while other scans hold native memory) is scanned a <em>window</em>
 * of row groups at a time: each window is written to a temporary sparse file in {@code temp_dir} (only the needed
 * chunks are copied; the next window is written on a background thread while the current one is scanned), scanned,
 * and deleted. Those bytes are declared to the budget ({@link NativeMemoryBudget#hold}) while a scan runs. A row group too large for the native limit on its own is a {@link MemoryLimitException} before
 * anything is read, never an OOM kill.
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
    private final Long windowBytesOption;
    private final Path tempDir;

    /**
     * Writes and deletes window files off the reading thread (daemon threads, created on demand, idle ones retire),
     * so copying the next window overlaps scanning the current one.
     */
    private static final AtomicInteger WINDOW_IO_THREADS = new AtomicInteger();
    private static final ExecutorService WINDOW_IO = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "polarway-parquet-window-io-" + WINDOW_IO_THREADS.incrementAndGet());
        t.setDaemon(true);
        return t;
    });
    /** How long {@link #close} waits for this cursor's window files to be written or deleted. */
    private static final long CLOSE_WAIT_SECONDS = 60;

    /** Row-group windows {@code [from, to)} when the file is read in windows, else null (planned at first open). */
    private List<int[]> windows;
    private boolean planned;
    private ParquetLayout layout;
    private Set<String> neededColumns;
    private int window;
    private Path windowFile;
    private long heldBytes;
    private long windowDeliveredRows;
    private long maxBatchBytes;
    /** This cursor's window I/O, one task after the other (a window is deleted before a later one is written). */
    private CompletableFuture<?> windowIo = CompletableFuture.completedFuture(null);
    private CompletableFuture<Path> prefetched;
    private int prefetchedWindow = -1;

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
                  ParquetFilter filter, int batchRows, Long windowBytesOption, Path tempDir, StatsRecorder stats) {
        this.file = file;
        this.windowBytesOption = windowBytesOption;
        this.tempDir = tempDir;
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
        if (!planned) {
            plan();
            planned = true;
        }
        String uri;
        long hold;
        if (windows == null) {
            uri = file.uri();
            hold = layout == null ? file.sizeBytes() : layout.bytes(neededColumns);
        } else {
            int[] w = windows.get(window);
            if (windowFile == null) windowFile = windowFile(window);
            prefetch(window + 1);
            uri = windowFile.toUri().toString();
            hold = 0;
            for (int g = w[0]; g < w[1]; g++) hold += layout.rowGroups().get(g).bytes(neededColumns);
        }
        nativeParquet.budget().hold(hold);
        heldBytes = hold;
        try {
            factory = new FileSystemDatasetFactory(importAllocator, nativeParquet.pool(), FileFormat.PARQUET, uri);
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
                skipRows = windowDeliveredRows;
            }
            requireImportHeadroom();
            VectorSchemaRoot batch;
            try {
                if (!reader.loadNextBatch()) {
                    closeNative();
                    if (windows != null && window + 1 < windows.size()) {
                        deleteWindow();
                        window++;
                        windowDeliveredRows = 0;
                        continue;
                    }
                    deleteWindow();
                    ended = true;
                    countBytes(true);
                    return null;
                }
                batch = reader.getVectorSchemaRoot();
                nativeParquet.sample();
            } catch (OutOfMemoryException e) {
                throw lostBatch(e);
            } catch (IOException | RuntimeException e) {
                if (nativeParquet.budget().refusals() > 0 && isNativeLimit(e)) throw lostBatch(e);
                OutOfMemoryException oom = javaLimit(e);
                if (oom != null) throw lostBatch(oom);
                closeNative();
                throw nativeError(e, "cannot read");
            }
            int rows = batch.getRowCount();
            long bytes = 0;
            for (org.apache.arrow.vector.FieldVector v : batch.getFieldVectors()) bytes += v.getBufferSize();
            maxBatchBytes = Math.max(maxBatchBytes, bytes);
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
            windowDeliveredRows += out.getRowCount();
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
        long bytes = layout == null ? file.sizeBytes() : layout.bytes(neededColumns);
        long rowBytes = Math.max(1, footer.rowCount() == 0 ? 1 : bytes / footer.rowCount());
        long fit = nativeParquet.budget().limitBytes() / 4 / (SCANNER_READAHEAD_BATCHES * rowBytes);
        return (int) Math.max(Math.min(batchRows, 1024), Math.min(batchRows, fit));
    }

    /**
     * Decides between one scan of the file and windows of row groups, from the needed column chunks' bytes and what
     * the native budget leaves free. Called before the first scan opens.
     *
     * @throws MemoryLimitException when even one row group (or an unwindowable file) needs more than the native limit
     */
    private void plan() {
        NativeMemoryBudget budget = nativeParquet.budget();
        if (footer.rowGroups() == 0) return;
        if (layout == null) layout = ParquetLayout.read(file.path());
        if (columns != null) {
            Set<String> needed = new LinkedHashSet<>(columns);
            if (filter != null) {
                for (String c : filter.columns()) {
                    needed.add(c);
                    int dot = c.indexOf('.');
                    if (dot > 0) needed.add(c.substring(0, dot));
                }
            }
            neededColumns = needed;
        }
        long total = layout.bytes(neededColumns);
        long target = windowBytes(budget);
        if (total <= target || footer.rowGroups() == 1 || layout.notWindowable() != null) {
            if (total > budget.limitBytes()) {
                String why = layout.notWindowable() != null ? " and it cannot be read in windows: "
                        + layout.notWindowable() : " in its single row group";
                throw new MemoryLimitException("the Parquet scanner needs about " + ByteSize.format(total)
                        + " of native memory for " + file + why + ", more than native_memory_limit ("
                        + ByteSize.format(budget.limitBytes()) + ")", budget.limitBytes(), total, where(), null);
            }
            return;
        }
        List<int[]> out = new ArrayList<>();
        int from = 0;
        long acc = 0;
        for (int g = 0; g < layout.rowGroups().size(); g++) {
            long b = layout.rowGroups().get(g).bytes(neededColumns);
            if (b > budget.limitBytes()) {
                throw new MemoryLimitException("row group " + g + " of " + file + " needs about " + ByteSize.format(b)
                        + " of native memory to scan, more than native_memory_limit ("
                        + ByteSize.format(budget.limitBytes()) + ")", budget.limitBytes(), b, where(), null);
            }
            if (g > from && acc + b > target) {
                out.add(new int[]{from, g});
                from = g;
                acc = 0;
            }
            acc += b;
        }
        out.add(new int[]{from, layout.rowGroups().size()});
        windows = out;
        stats.count("parquet_windows", out.size());
    }

    /** The window size: the option, or a quarter of the native limit shrunk to a third of what is free now. */
    private long windowBytes(NativeMemoryBudget budget) {
        if (windowBytesOption != null) return windowBytesOption;
        long limit = budget.limitBytes();
        return Math.max(limit / 16, Math.min(limit / 4, budget.freeBytes() / 3));
    }

    private Path writeWindow(int[] w) {
        Path target = null;
        try (FileChannel source = FileChannel.open(file.path(), StandardOpenOption.READ)) {
            String name = file.path().getFileName().toString();
            target = Files.createTempFile(tempDir, ".polarway-" + name + "-rg" + w[0] + "-", ".parquet");
            long copied = layout.writeWindow(source, target, w[0], w[1], neededColumns);
            stats.count("parquet_window_bytes_copied", copied);
            return target;
        } catch (IOException e) {
            if (target != null) {
                try {
                    Files.deleteIfExists(target);
                } catch (IOException ignored) {
                    // the write failure is what matters
                }
            }
            throw new IoException("cannot write a Parquet window of " + file + " into temp_dir " + tempDir + ": " + e,
                    where(), e);
        }
    }

    /** The file of window {@code w}: the one prefetched for it, or written now. */
    private Path windowFile(int w) {
        if (prefetched != null && prefetchedWindow == w) {
            CompletableFuture<Path> f = prefetched;
            prefetched = null;
            try {
                return f.join();
            } catch (CompletionException e) {
                if (e.getCause() instanceof RuntimeException r) throw r;
                throw e;
            }
        }
        return writeWindow(windows.get(w));
    }

    /** Starts writing window {@code w} in the background, after this cursor's earlier window I/O. */
    private void prefetch(int w) {
        if (w >= windows.size() || prefetched != null) return;
        int[] range = windows.get(w);
        CompletableFuture<Path> f = windowIo.thenApplyAsync(x -> writeWindow(range), WINDOW_IO);
        windowIo = f.handle((p, e) -> null);
        prefetched = f;
        prefetchedWindow = w;
    }

    /** Deletes the current window file, in the background (unlinking a file of dirty pages takes a while). */
    private void deleteWindow() {
        Path f = windowFile;
        windowFile = null;
        if (f != null) windowIo = windowIo.thenRunAsync(() -> deleteQuietly(f), WINDOW_IO);
    }

    private static void deleteQuietly(Path f) {
        try {
            Files.deleteIfExists(f);
        } catch (IOException ignored) {
            // a leftover temporary file is not worth failing the read for
        }
    }

    /** Deletes every window file of this cursor, the prefetched one too, and waits for that to be done. */
    private void deleteAllWindows() {
        deleteWindow();
        CompletableFuture<Path> f = prefetched;
        prefetched = null;
        if (f != null) {
            windowIo = windowIo.thenRunAsync(() -> {
                Path p = f.getNow(null);
                if (p != null) deleteQuietly(p);
            }, WINDOW_IO);
        }
        try {
            windowIo.get(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | TimeoutException ignored) {
            // failures were reported where they mattered; a slow disk leaves a temporary file behind
        }
    }

    /** arrow-dataset's default batch read-ahead (C++ {@code kDefaultBatchReadahead}). */
    static final int SCANNER_READAHEAD_BATCHES = 16;

    /**
     * Fails, typed and before anything is consumed, when the Java allocator has no room for the next batch. Importing
     * a batch wraps its native buffers in the allocator, and in Arrow Java 18.3 a wrap refused at the limit leaks the
     * batch (the importer's reference on it is never dropped), so the import must not be the thing that hits the
     * limit. The estimate: the largest batch of this file so far plus a quarter, or before the first one twice the
     * decompressed Parquet bytes of a batch's rows.
     */
    private void requireImportHeadroom() {
        long need;
        if (maxBatchBytes > 0) {
            need = maxBatchBytes + maxBatchBytes / 4;
        } else if (layout != null && footer.rowCount() > 0) {
            long perRow = Math.max(1, layout.uncompressedBytes(neededColumns) / footer.rowCount());
            need = 2L * perRow * Math.min(scanBatchRows(), footer.rowCount()) + (64 << 10);
        } else {
            return;
        }
        long headroom = importAllocator.getHeadroom();
        if (headroom < need) {
            throw new MemoryLimitException("no room for the next Parquet batch of " + file + " (about "
                    + ByteSize.format(need) + ")", effectiveLimit(),
                    importAllocator.getAllocatedMemory() + need, where(), null);
        }
    }

    /** The tightest limit on the import allocator: its own or an ancestor's. */
    private long effectiveLimit() {
        long limit = Long.MAX_VALUE;
        for (BufferAllocator a = importAllocator; a != null; a = a.getParentAllocator()) {
            limit = Math.min(limit, a.getLimit());
        }
        return limit;
    }

    /** The Java allocator's refusal inside an import failure (the C-data importer wraps it), or null. */
    private static OutOfMemoryException javaLimit(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof OutOfMemoryException oom) return oom;
        }
        return null;
    }

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
                    effectiveLimit(), importAllocator.getAllocatedMemory(), where(), oom);
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
        if (heldBytes > 0) {
            nativeParquet.budget().release(heldBytes);
            heldBytes = 0;
        }
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        closeNative();
        deleteAllWindows();
    }
}
