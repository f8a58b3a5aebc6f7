package io.polarway.source.file;

import io.polarway.api.AbstractStreamingSource;
import io.polarway.api.SourceConfig;
import io.polarway.api.SourceContext;
import io.polarway.api.SourceMetadata;
import io.polarway.api.SourceSplit;
import io.polarway.api.SplittableSource;
import io.polarway.api.StatsRecorder;
import io.polarway.api.StreamingSource;
import io.polarway.error.ConfigException;
import io.polarway.error.IoException;
import io.polarway.error.SchemaException;
import io.polarway.error.Where;
import io.polarway.source.file.parquet.ParquetFooter;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a list of files one after the other into chunks of the size asked for; chunks may span files (their schemas
 * agree, or are unified). Splittable into runs of consecutive files ({@link FileSplit}) for parallel reading by the
 * adaptive stream; read directly with {@code parallel} on, it reads several files at once itself
 * ({@link ParallelFiles}).
 *
 * <p>Not thread-safe (one reader thread at a time, like every source); {@link #stats()} is.
 */
final class FileSource extends AbstractStreamingSource implements SplittableSource {
    private final FileSettings settings;
    private final List<FileEntry> files;
    private final NativeParquet nativeParquet;
    private final boolean ownsNative;
    private final BufferAllocator readAllocator;
    private final ChunkAssembler assembler = new ChunkAssembler();
    private final boolean parallel;
    private Schema target;
    private String reference;
    private int nextFile;
    private BatchCursor cursor;
    private FileEntry current;
    private boolean emittedRows;
    private boolean emittedEmpty;
    private ParallelFiles parallelFiles;

    /**
     * @param target        the schema every chunk must have, or null to take the first file's
     * @param nativeParquet shared with the splits; closed by the source that {@code ownsNative}
     */
    FileSource(SourceConfig config, SourceContext context, FileSettings settings, List<FileEntry> files,
               NativeParquet nativeParquet, boolean ownsNative, Schema target, String reference, String splitId,
               boolean parallel) {
        super("file", config, context, splitId);
        this.settings = settings;
        this.files = List.copyOf(files);
        this.nativeParquet = nativeParquet;
        this.ownsNative = ownsNative;
        this.parallel = parallel && files.size() > 1;
        this.readAllocator = context.allocator().newChildAllocator(
                splitId == null ? "file-read" : "file-read:" + splitId, 0, Long.MAX_VALUE);
        this.target = target;
        this.reference = reference;
        if (splitId == null) stats.count("files_total", files.size());
    }

    /** Opens the top-level source: settles the schema (the first file's, or the union) before any chunk is read. */
    static FileSource open(SourceConfig config, SourceContext context, FileSettings settings, List<FileEntry> files,
                           NativeParquet nativeParquet) {
        FileSource s = new FileSource(config, context, settings, files, nativeParquet, true, null, null, null,
                config.parallel());
        try {
            s.settleSchema();
            return s;
        } catch (RuntimeException | Error e) {
            s.close();
            throw e;
        }
    }

    private void settleSchema() {
        if (settings.unifySchemas()) {
            List<Schema> schemas = new ArrayList<>(files.size());
            for (FileEntry f : files) schemas.add(peekSchema(f));
            Schema union = SchemaAlignment.unify(files, schemas);
            if (settings.columns() != null) {
                for (String c : settings.columns()) {
                    if (union.getFields().stream().noneMatch(f -> f.getName().equals(c))) {
                        throw new ConfigException("columns", "column '" + c + "' is in none of the " + files.size()
                                + " files", union.getFields().stream().map(f -> f.getName()).toList(), null);
                    }
                }
            }
            target = union;
            reference = "the unified schema";
        } else {
            Schema first = peekSchema(files.get(0));
            if (first != null) {
                if (settings.columns() != null) requireColumns(first, files.get(0));
                target = first;
                reference = files.get(0).toString();
            }
        }
    }

    private void requireColumns(Schema schema, FileEntry file) {
        for (String c : settings.columns()) {
            if (schema.getFields().stream().noneMatch(f -> f.getName().equals(c))) {
                throw new SchemaException("column '" + c + "' (from the 'columns' option) is not in " + file
                        + "; its columns: " + schema.getFields().stream().map(f -> f.getName()).toList(),
                        Where.resource(file.toString()), null);
            }
        }
    }

    /** The file's schema after projection; null for a text file whose format knows it only after reading. */
    private Schema peekSchema(FileEntry f) {
        try (BatchCursor c = openCursor(f)) {
            Schema s = c.schema();
            if (s == null && f.format().kind() == FileFormatKind.Kind.TEXT) {
                try (BufferAllocator a = readAllocator.newChildAllocator("peek", 0, Long.MAX_VALUE);
                     VectorSchemaRoot first = c.next(a, 1)) {
                    s = first == null ? c.schema() : first.getSchema();
                }
            }
            if (s != null && settings.columns() != null && f.format().kind() != FileFormatKind.Kind.PARQUET) {
                s = SchemaAlignment.project(s, settings.columns());
            }
            return s;
        }
    }

    private BatchCursor openCursor(FileEntry f) {
        requireRegularFile(f);
        StatsRecorder st = stats;
        return switch (f.format().kind()) {
            case PARQUET -> new ParquetCursor(f, nativeParquet, readAllocator, settings.columns(), settings.filter(),
                    settings.scanBatchRows(), settings.parquetWindowBytes(), settings.tempDir(), st);
            case ARROW_FILE -> new IpcMmapCursor(f, settings.mmapWindowBytes(), settings.useMmap(), st);
            case ARROW_STREAM -> new ArrowReaderCursor(f, true, readAllocator, st);
            case TEXT -> new TextCursor(f, f.format().textFormat(),
                    settings.formatOptions().get(f.format().textFormat().name()), st);
        };
    }

    /**
     * Files are listed when the source opens and read later: one removed, or replaced by a directory or a dangling
     * link, in between is an I/O error naming it (not a parse error of whatever a format reader makes of it).
     */
    private static void requireRegularFile(FileEntry f) {
        if (Files.isRegularFile(f.path())) return;
        String what = Files.isSymbolicLink(f.path()) && !Files.exists(f.path()) ? "a link to nothing"
                : Files.isDirectory(f.path()) ? "a directory" : Files.exists(f.path()) ? "not a regular file" : "gone";
        throw new IoException("cannot read " + f + ": it is " + what + " (it was a file when the location was listed)",
                Where.resource(f.toString()), null);
    }

    @Override
    protected Where where() {
        FileEntry f = current;
        return Where.resource(f != null ? f.toString() : config.location());
    }

    @Override
    public SourceMetadata metadata() {
        long size = files.stream().mapToLong(FileEntry::sizeBytes).sum();
        long records = -1;
        if (settings.filter() == null && files.stream().allMatch(f -> f.format().kind() == FileFormatKind.Kind.PARQUET)) {
            records = 0;
            for (FileEntry f : files) records += ParquetFooter.read(f.path()).rowCount();
        }
        return new SourceMetadata(target, size, records, true, files.size() > 1);
    }

    @Override
    protected VectorSchemaRoot readInto(BufferAllocator allocator, int maxRows) {
        if (parallel) {
            if (parallelFiles == null) {
                parallelFiles = new ParallelFiles(this, files, settings, context, maxRows);
            }
            VectorSchemaRoot root = parallelFiles.next(allocator, maxRows);
            if (root == null && !emittedRows && !emittedEmpty && target != null) {
                emittedEmpty = true;
                return Batches.empty(target, allocator);
            }
            if (root != null) emittedRows = true;
            return root;
        }
        fill(maxRows);
        if (assembler.pendingRows() == 0) {
            if (!emittedRows && !emittedEmpty && target != null) {
                emittedEmpty = true;
                return Batches.empty(target, allocator);
            }
            return null;
        }
        VectorSchemaRoot out = assembler.take(maxRows, target, allocator);
        emittedRows = true;
        return out;
    }

    /** Reads batches until {@code maxRows} rows are pending or every file is read. */
    private void fill(int maxRows) {
        while (assembler.pendingRows() < maxRows) {
            if (cursor == null) {
                if (nextFile >= files.size()) return;
                current = files.get(nextFile);
                cursor = openCursor(current);
                if (cursor.schema() != null) checkSchema(cursor.schema(), current);
            }
            VectorSchemaRoot batch = cursor.next(readAllocator,
                    (int) Math.max(1, Math.min(Integer.MAX_VALUE, maxRows - assembler.pendingRows())));
            if (batch == null) {
                cursor.close();
                cursor = null;
                nextFile++;
                stats.count("files_read", 1);
                continue;
            }
            assembler.add(conform(batch, current));
        }
    }

    /** Projects (non-Parquet), checks and aligns one batch of {@code file} to the target schema. */
    VectorSchemaRoot conform(VectorSchemaRoot batch, FileEntry file) {
        VectorSchemaRoot b = batch;
        try {
            if (settings.columns() != null && file.format().kind() != FileFormatKind.Kind.PARQUET) {
                b = SchemaAlignment.project(b, settings.columns(), readAllocator);
            }
            if (target == null) {
                synchronized (this) {
                    if (target == null) {
                        if (settings.columns() != null) requireColumns(b.getSchema(), file);
                        target = b.getSchema();
                        reference = file.toString();
                    }
                }
            }
            if (!settings.unifySchemas()) SchemaAlignment.requireSame(target, b.getSchema(), file, reference);
            return SchemaAlignment.align(b, target, readAllocator);
        } catch (RuntimeException | Error e) {
            b.close();
            throw e;
        }
    }

    /** Checks a file's schema as soon as it is open, so a mismatch is reported even for a file without rows. */
    void checkSchema(Schema fileSchema, FileEntry file) {
        if (settings.unifySchemas() || target == null) return;
        Schema s = fileSchema;
        if (settings.columns() != null && file.format().kind() != FileFormatKind.Kind.PARQUET) {
            s = SchemaAlignment.project(s, settings.columns());
        }
        SchemaAlignment.requireSame(target, s, file, reference);
    }

    BatchCursor cursorFor(FileEntry f) {
        return openCursor(f);
    }

    BufferAllocator readAllocator() {
        return readAllocator;
    }

    StatsRecorder recorder() {
        return stats;
    }

    Schema target() {
        return target;
    }

    @Override
    public List<? extends SourceSplit> planSplits(int desiredSplits) {
        int max = settings.maxConcurrency() > 0 ? settings.maxConcurrency() : Integer.MAX_VALUE;
        int n = files.size();
        int k = Math.max(1, Math.min(Math.min(desiredSplits, max), n));
        // Contiguous runs of files, balanced by bytes: read in order, the splits keep the files' order, and at most
        // max_concurrency of them exist, so at most that many files are read at once.
        List<FileSplit> out = new ArrayList<>(k);
        int start = 0;
        for (int s = 0; s < k; s++) {
            int splitsLeft = k - s;
            if (splitsLeft == 1) {
                out.add(new FileSplit(s, files.subList(start, n)));
                break;
            }
            long remaining = 0;
            for (int i = start; i < n; i++) remaining += Math.max(1, files.get(i).sizeBytes());
            long goal = remaining / splitsLeft;
            int end = start;
            long acc = 0;
            do {
                acc += Math.max(1, files.get(end).sizeBytes());
                end++;
            } while (end < n - (splitsLeft - 1) && acc + Math.max(1, files.get(end).sizeBytes()) / 2 < goal);
            out.add(new FileSplit(s, files.subList(start, end)));
            start = end;
        }
        return out;
    }

    @Override
    public StreamingSource openSplit(SourceSplit split, SourceContext ctx) {
        if (!(split instanceof FileSplit fs)) {
            throw new IllegalArgumentException("not a split of the file source: " + split);
        }
        return new FileSource(config, ctx, settings, fs.files(), nativeParquet, false, target, reference,
                fs.splitId(), false);
    }

    @Override
    protected void doClose() {
        try {
            if (parallelFiles != null) parallelFiles.close();
            if (cursor != null) cursor.close();
        } finally {
            cursor = null;
            assembler.close();
            readAllocator.close();
            if (ownsNative) {
                if (nativeParquet.budget().peakBytes() > 0) {
                    stats.count("native_peak_bytes", nativeParquet.budget().peakBytes());
                }
                nativeParquet.close();
            }
        }
    }

    /** The Parquet scanner's native pool and budget (for tests of the {@code native_pool} option). */
    NativeParquet nativeParquet() {
        return nativeParquet;
    }

    @Override
    public String toString() {
        return "FileSource{files=" + files.size() + (files.isEmpty() ? "" : ", first=" + files.get(0)) + '}';
    }
}
