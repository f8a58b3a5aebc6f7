package io.polarway.source.csv;

import io.polarway.api.AbstractStreamingSource;
import io.polarway.api.SourceConfig;
import io.polarway.api.SourceContext;
import io.polarway.api.SourceMetadata;
import io.polarway.api.SourceSplit;
import io.polarway.api.SourceStats;
import io.polarway.api.SplittableSource;
import io.polarway.api.StreamingSource;
import io.polarway.error.IoException;
import io.polarway.error.Where;
import io.polarway.format.Compression;
import io.polarway.source.csv.CsvSplitPlanner.CsvSplit;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * Reads a local CSV file. An uncompressed file is read with positional {@link FileChannel} reads and can be split at
 * record boundaries for parallel reading ({@link CsvSplitPlanner}); a gzip or Zstandard file (detected from its first
 * bytes, whatever its name) is decompressed as a stream and read on one thread.
 *
 * <p>The header and the inference sample are read when the source is created, so option and header errors surface
 * there and {@link #metadata()} has the schema. Not thread-safe (one reader thread), like every source; split readers
 * opened by {@link #openSplit} are independent sources.
 */
final class CsvSource extends AbstractStreamingSource implements SplittableSource {
    private final Path path;
    private final CsvSettings settings;
    private final CsvParser parser;
    private final long size;
    private final boolean compressed;
    private volatile boolean planned;

    /** The source over a whole file. */
    CsvSource(SourceConfig config, SourceContext context, CsvSettings settings) {
        super("csv", config, context, null);
        this.path = Path.of(config.location());
        this.settings = settings;
        String resource = config.location();
        FileChannel ch = open(path, resource);
        CsvParser p = null;
        try {
            this.size = ch.size();
            this.compressed = detect(ch, resource) != Compression.NONE;
            if (compressed) {
                InputStream in = Compression.decompress(Channels.newInputStream(ch.position(0)));
                p = new CsvParser(ByteInput.of(in), settings, resource, stats, -1);
            } else {
                p = new CsvParser(ByteInput.of(ch, 0, size, true), settings, resource, stats, size);
            }
            p.schema(); // header and inference now: errors at creation, schema in metadata
        } catch (IOException e) {
            closeQuietly(ch, p);
            throw new IoException("cannot read " + resource + ": " + e.getMessage(), Where.resource(resource), e);
        } catch (RuntimeException | Error e) {
            closeQuietly(ch, p);
            throw e;
        }
        this.parser = p;
    }

    /** A reader of one split of an uncompressed file. */
    private CsvSource(SourceConfig config, SourceContext context, CsvSettings settings, Layout layout, CsvSplit split) {
        super("csv", config, context, split.splitId());
        this.path = Path.of(config.location());
        this.settings = settings;
        this.compressed = false;
        String resource = config.location();
        FileChannel ch = open(path, resource);
        try {
            this.size = ch.size();
        } catch (IOException e) {
            closeQuietly(ch, null);
            throw new IoException("cannot read " + resource + ": " + e.getMessage(), Where.resource(resource), e);
        }
        this.parser = new CsvParser(ByteInput.of(ch, split.start(), split.end(), true), settings, resource, stats,
                layout, split.start(), () -> CsvSplitPlanner.countLines(path, layout.dataStart(), layout.dataLine(),
                split.start()), split.last(), split.end());
    }

    private static FileChannel open(Path path, String resource) {
        try {
            return FileChannel.open(path, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new IoException("no such file: " + resource, Where.resource(resource), e);
        } catch (IOException e) {
            throw new IoException("cannot open " + resource + ": " + e.getMessage(), Where.resource(resource), e);
        }
    }

    private static Compression detect(FileChannel ch, String resource) throws IOException {
        ByteBuffer head = ByteBuffer.allocate(4);
        while (head.hasRemaining() && ch.read(head, head.position()) > 0) {
            // positional reads until 4 bytes or the end
        }
        return Compression.detect(head.array(), head.position());
    }

    private static void closeQuietly(FileChannel ch, CsvParser p) {
        try {
            if (p != null) p.close();
            else ch.close();
        } catch (IOException | RuntimeException ignored) {
            // already failing
        }
    }

    @Override
    protected VectorSchemaRoot readInto(BufferAllocator allocator, int maxRows) {
        return parser.read(allocator, maxRows);
    }

    @Override
    protected Where where() {
        return Where.resource(config.location());
    }

    @Override
    public SourceMetadata metadata() {
        Layout layout = parser.layout();
        boolean splittable = !compressed && settings.comment() < 0
                && size - layout.dataStart() >= settings.splitBytes();
        return new SourceMetadata(layout.schema(), size, -1, !compressed, splittable);
    }

    /**
     * Plans splits of about {@link CsvSettings#splitBytes()} each (at least {@code desiredSplits} when the file is big
     * enough), by the quote-parity pre-scan of {@link CsvSplitPlanner}. After planning, the bytes this source read
     * for the header and the sample are not counted in its stats: the split readers count the file.
     */
    @Override
    public List<? extends SourceSplit> planSplits(int desiredSplits) {
        Layout layout = parser.layout();
        if (compressed || settings.comment() >= 0) {
            return List.of(new CsvSplit(0, layout.dataStart(), size, true));
        }
        planned = true;
        return CsvSplitPlanner.plan(path, config.location(), settings.quote(), layout.dataStart(), size, desiredSplits,
                settings.splitBytes());
    }

    @Override
    public StreamingSource openSplit(SourceSplit split, SourceContext ctx) {
        if (!(split instanceof CsvSplit s)) throw new IllegalArgumentException("not a split of a CSV file: " + split);
        if (compressed) {
            throw new IllegalStateException("a compressed CSV file is read as one stream, not in splits");
        }
        return new CsvSource(config, ctx, settings, parser.layout(), s);
    }

    @Override
    public SourceStats stats() {
        SourceStats s = super.stats();
        if (!planned) return s;
        return new SourceStats(0, s.records(), s.chunks(), s.currentMemoryBytes(), s.peakMemoryBytes(),
                s.avgChunkTimeMs(), s.currentChunkSize(), s.minChunkSize(), s.maxChunkSize(), s.pauses(),
                s.pausedMs(), s.counters());
    }

    @Override
    protected void doClose() {
        parser.close();
    }

    @Override
    public String toString() {
        return "CsvSource{" + config.location() + (compressed ? ", compressed" : "") + '}';
    }
}
