package io.polarway.source.objectstore;

import io.polarway.error.IoException;
import io.polarway.error.ParseException;
import io.polarway.error.Where;
import io.polarway.source.file.LocalParquetScanner;
import io.polarway.source.objectstore.ObjectStore.ObjectInfo;
import io.polarway.source.objectstore.ParquetLayout.ColumnChunk;
import io.polarway.source.objectstore.ParquetLayout.RowGroup;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;

/**
 * A Parquet object read footer first, then row group by row group, fetching by range only the column chunks of the
 * columns needed (the {@code columns} option plus those the {@code filter} names).
 *
 * <p>How: the footer's last bytes come first (one ranged GET of the tail, a second when the footer is larger). For
 * each row group, the needed column chunks (ranges closer than {@value #COALESCE_GAP_BYTES} bytes merged into one
 * request) are fetched as ranged parts — through the same part budget and retries as every read — and written at their
 * own offsets into a sparse local file, followed by a footer that lists only that row group
 * ({@link ParquetLayout#footerFor}); the file module's JNI scanner then scans that file. Offsets never change, so the
 * footer needs no rewriting beyond the row-group list, and the local file only ever holds one row group's needed
 * bytes (two with read-ahead): the file is emptied ({@code truncate(0)}) before the next row group is staged.
 *
 * <p>Memory: parts in flight are bounded by the part budget; the scanner's native memory by its native budget (counted
 * by the engine's monitor); the staged bytes are page cache of a disk file, which the kernel can reclaim (put
 * {@code spill_dir} on a disk, not tmpfs). With parallel or prefetch on, row group n+1 is staged (on its own thread)
 * while row group n is scanned.
 */
final class ParquetObjectCursor implements ObjectCursor {
    /** Column ranges closer than this are fetched in one request (as Arrow's range coalescing does). */
    static final long COALESCE_GAP_BYTES = 1L << 20;
    private static final int TAIL_BYTES = 64 * 1024;

    private final ReadContext rc;
    private final ObjectInfo object;
    private final String uri;
    private final ParquetLayout layout;
    private final Set<String> wanted;
    private final Path[] spill = new Path[2];
    private final ExecutorService stager;
    private final Schema schema;
    private int nextGroup;
    private int slot;
    private CompletableFuture<Path> staged;
    private LocalParquetScanner.Scan scan;
    private boolean closed;
    private boolean counted;

    ParquetObjectCursor(ReadContext rc, ObjectInfo object, ExecutorService stager) {
        this.rc = rc;
        this.object = object;
        this.uri = rc.uri(object);
        this.stager = stager;
        this.layout = readLayout();
        this.wanted = wantedColumns();
        try {
            Path dir = rc.settings().spillDir() != null ? Path.of(rc.settings().spillDir())
                    : Path.of(System.getProperty("java.io.tmpdir"));
            Files.createDirectories(dir);
            spill[0] = Files.createTempFile(dir, "polarway-object-", ".parquet");
            spill[1] = Files.createTempFile(dir, "polarway-object-", ".parquet");
        } catch (IOException e) {
            deleteSpill();
            throw new IoException("cannot create a spill file for " + uri + " in spill_dir: " + e.getMessage(),
                    Where.resource(uri), e);
        }
        try {
            // the schema, from a staged file without row groups: no column bytes fetched
            stage(null, spill[1]);
            try (LocalParquetScanner.Scan s = open(spill[1])) {
                this.schema = s.schema();
            }
        } catch (RuntimeException | Error e) {
            deleteSpill();
            throw e;
        }
    }

    long rowCount() {
        return layout.rows();
    }

    private Set<String> wantedColumns() {
        List<String> columns = rc.settings().columns();
        if (columns == null) return null;
        Set<String> out = new HashSet<>(columns);
        if (rc.settings().filter() != null) out.addAll(rc.settings().filter().columns());
        return out;
    }

    /** The tail (footer length and magic), then the footer itself if the tail did not hold it all. */
    private ParquetLayout readLayout() {
        long size = object.sizeBytes();
        if (size < 12) {
            throw new ParseException("not a Parquet object: " + size + " bytes is shorter than the 12-byte frame",
                    Where.resource(uri).withByteOffset(0), null);
        }
        int tailLength = (int) Math.min(size, TAIL_BYTES);
        byte[] tail = fetch(size - tailLength, size);
        ByteBuffer end = ByteBuffer.wrap(tail, tailLength - 8, 8).order(ByteOrder.LITTLE_ENDIAN);
        int footerLength = end.getInt();
        if (end.getInt() != ParquetLayout.MAGIC) {
            throw new ParseException("not a Parquet object (no PAR1 magic at the end; truncated?)",
                    Where.resource(uri).withByteOffset(size - 4), null);
        }
        if (footerLength <= 0 || footerLength > size - 12) {
            throw new ParseException("corrupt Parquet object: footer length " + footerLength + " does not fit "
                    + size + " bytes", Where.resource(uri).withByteOffset(size - 8), null);
        }
        byte[] footer;
        if (footerLength + 8 <= tailLength) {
            footer = java.util.Arrays.copyOfRange(tail, tailLength - 8 - footerLength, tailLength - 8);
        } else {
            footer = fetch(size - 8 - footerLength, size - 8);
        }
        byte[] head = fetch(0, 4);
        if (ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN).getInt() != ParquetLayout.MAGIC) {
            throw new ParseException("not a Parquet object: no PAR1 magic at the start",
                    Where.resource(uri).withByteOffset(0), null);
        }
        rc.stats().count("parquet_footer_bytes", footer.length);
        return ParquetLayout.parse(footer, size, uri);
    }

    private byte[] fetch(long start, long end) {
        byte[] out = new byte[(int) (end - start)];
        rc.fetcher().fetch(object, start, end, (offset, b, off, len) -> System.arraycopy(b, off, out, (int) offset, len),
                () -> closed, rc.stats());
        rc.stats().addBytesRead(out.length);
        return out;
    }

    /** The byte ranges of {@code group}'s needed column chunks, nearby ones merged. */
    List<long[]> ranges(RowGroup group) {
        List<ColumnChunk> chunks = new ArrayList<>();
        for (ColumnChunk c : group.columns()) if (wanted == null || wanted.contains(c.topLevel())) chunks.add(c);
        chunks.sort((a, b) -> Long.compare(a.start(), b.start()));
        List<long[]> out = new ArrayList<>();
        for (ColumnChunk c : chunks) {
            if (c.length() == 0) continue;
            long[] last = out.isEmpty() ? null : out.get(out.size() - 1);
            if (last != null && c.start() - last[1] <= COALESCE_GAP_BYTES) last[1] = Math.max(last[1], c.end());
            else out.add(new long[]{c.start(), c.end()});
        }
        return out;
    }

    /**
     * Writes into {@code file} (emptied first) the PAR1 header, the needed column chunks of {@code group} at their
     * offsets, and a footer listing that row group only ({@code null}: no row group).
     */
    private void stage(RowGroup group, Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.truncate(0);
            ByteBuffer magic = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(ParquetLayout.MAGIC).flip();
            writeFully(ch, magic, 0);
            if (group != null) {
                byte[] buf = new byte[64 * 1024];
                for (long[] r : ranges(group)) {
                    try (InputStream in = rc.stream(object, r[0], r[1])) {
                        long pos = r[0];
                        for (int n; (n = in.read(buf)) > 0; ) {
                            writeFully(ch, ByteBuffer.wrap(buf, 0, n), pos);
                            pos += n;
                        }
                    }
                    rc.stats().count("parquet_bytes_fetched", r[1] - r[0]);
                }
            }
            byte[] footer = layout.footerFor(group);
            long at = layout.footerStart();
            writeFully(ch, ByteBuffer.wrap(footer), at);
            ByteBuffer trailer = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN)
                    .putInt(footer.length).putInt(ParquetLayout.MAGIC).flip();
            writeFully(ch, trailer, at + footer.length);
        } catch (IOException e) {
            throw new IoException("cannot stage " + uri + (group == null ? "" : " row group " + group.index())
                    + " in " + file.getParent() + ": " + e.getMessage(), Where.resource(uri), e);
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer b, long position) throws IOException {
        long p = position;
        while (b.hasRemaining()) p += ch.write(b, p);
    }

    private LocalParquetScanner.Scan open(Path file) {
        return rc.parquet().open(file, uri, rc.settings().columns(), rc.settings().filter(),
                rc.settings().scanBatchRows(), rc.readAllocator(), new io.polarway.api.StatsRecorder());
    }

    @Override
    public Schema schema() {
        return schema;
    }

    @Override
    public VectorSchemaRoot next(BufferAllocator allocator, int wantedRows) {
        if (!counted) {
            counted = true;
            rc.stats().count("parquet_row_groups", layout.rowGroups().size());
        }
        while (true) {
            if (scan == null) {
                if (nextGroup >= layout.rowGroups().size()) return null;
                Path file = awaitStaged();
                nextGroup++;
                stageAhead();
                scan = open(file);
            }
            VectorSchemaRoot batch = scan.next(allocator, wantedRows);
            if (batch != null) return batch;
            scan.close();
            scan = null;
            rc.stats().count("parquet_row_groups_read", 1);
        }
    }

    /** The file holding row group {@code nextGroup}: staged ahead, or staged now. */
    private Path awaitStaged() {
        if (staged != null) {
            CompletableFuture<Path> f = staged;
            staged = null;
            try {
                return f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IoException("interrupted staging " + uri, Where.resource(uri), e);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RuntimeException re) throw re;
                if (e.getCause() instanceof Error err) throw err;
                throw new IoException("cannot stage " + uri + ": " + e.getCause(), Where.resource(uri), e.getCause());
            }
        }
        Path file = spill[slot];
        slot ^= 1;
        stage(layout.rowGroups().get(nextGroup), file);
        return file;
    }

    /** With read-ahead on, starts staging the next row group into the other file while this one is scanned. */
    private void stageAhead() {
        if (stager == null || rc.window() < 2 || nextGroup >= layout.rowGroups().size()) return;
        RowGroup group = layout.rowGroups().get(nextGroup);
        Path file = spill[slot];
        slot ^= 1;
        staged = CompletableFuture.supplyAsync(() -> {
            stage(group, file);
            return file;
        }, stager);
    }

    private void deleteSpill() {
        for (Path p : spill) {
            if (p == null) continue;
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // a temp file left behind is not worth failing over
            }
        }
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        if (scan != null) scan.close();
        scan = null;
        if (staged != null) {
            try {
                staged.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | RuntimeException ignored) {
                // cancelled or failed: it has stopped writing either way
            }
        }
        deleteSpill();
    }
}
