package io.polarway.source.csv;

import com.github.luben.zstd.ZstdOutputStream;
import io.polarway.api.Chunk;
import io.polarway.api.SourceConfig;
import io.polarway.api.SourceContext;
import io.polarway.api.SourceRegistry;
import io.polarway.api.StatsRecorder;
import io.polarway.api.StreamingSource;
import io.polarway.config.OptionSet;
import io.polarway.config.OptionSpec;
import io.polarway.config.Options;
import io.polarway.error.IoException;
import io.polarway.error.MemoryLimitException;
import io.polarway.error.ParseException;
import io.polarway.format.FormatReader;
import io.polarway.format.TextFormat;
import io.polarway.format.TextFormats;
import io.polarway.memory.MemoryMonitor;
import io.polarway.source.csv.CsvSplitPlanner.CsvSplit;
import io.polarway.stream.AdaptiveStream;
import io.polarway.testing.RowChecker;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.zip.GZIPOutputStream;

import static io.polarway.source.csv.CsvTesting.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The {@code csv} source over real files: compression, the registry, the format SPI, splits and parallel reading. */
class CsvSourceTest {
    @TempDir
    Path tmp;

    /**
     * A file whose records hold quoted delimiters, doubled quotes and quoted line breaks often (every third record),
     * so planned cut points land inside quoted fields.
     */
    static String generate(int rows, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        StringBuilder sb = new StringBuilder("id,text,x,flag\n");
        for (int i = 0; i < rows; i++) {
            sb.append(i).append(',');
            switch (i % 3) {
                case 0 -> sb.append("\"line one\nline \"\"two\"\", with comma\r\nthree ").append(rnd.nextInt(1000))
                        .append('"');
                case 1 -> sb.append("plain").append(rnd.nextInt(1000));
                default -> sb.append("\"q").append(rnd.nextInt(1000)).append(",x\"");
            }
            sb.append(',').append(rnd.nextInt(-1000, 1000) / 8.0).append(',').append(rnd.nextBoolean()).append('\n');
        }
        return sb.toString();
    }

    private SourceContext context(BufferAllocator allocator) {
        return new SourceContext(allocator, MemoryMonitor.create(0, allocator));
    }

    private List<List<Object>> readAll(StreamingSource source, int chunkRows) {
        List<List<Object>> rows = new ArrayList<>();
        for (Optional<Chunk> c; (c = source.readChunk(chunkRows)).isPresent(); ) {
            try (Chunk chunk = c.get()) {
                rows.addAll(CsvTesting.values(chunk.root()));
            }
        }
        return rows;
    }

    @Test
    void theRegistryFindsTheSourceAndReadsAFileWithOptions() throws IOException {
        Path file = Files.writeString(tmp.resolve("data.csv"), "a;b\n1;x\n2;y\n");
        try (StreamingSource s = SourceRegistry.withDefaults().create("csv",
                SourceConfig.of(file.toString()).withOption("delimiter", ";"))) {
            assertThat(s.metadata().schema().getFields()).extracting(f -> f.getName()).containsExactly("a", "b");
            assertThat(s.metadata().sizeBytes()).isEqualTo(Files.size(file));
            assertThat(readAll(s, 10)).containsExactly(row(1L, "x"), row(2L, "y"));
            assertThat(s.stats().bytesRead()).isEqualTo(Files.size(file));
            assertThat(s.stats().records()).isEqualTo(2);
        }
    }

    @Test
    void aMissingFileIsAnIoErrorNamingIt() {
        String missing = tmp.resolve("nope.csv").toString();
        assertThatThrownBy(() -> SourceRegistry.withDefaults().create("csv", SourceConfig.of(missing)))
                .isInstanceOf(IoException.class).hasMessageContaining(missing);
    }

    @Test
    void gzipAndZstdAreDetectedFromTheBytesWhateverTheName() throws IOException {
        String csv = CsvQuirksTest.TRICKY;
        Path gz = tmp.resolve("data.csv.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write(csv.getBytes(StandardCharsets.UTF_8));
        }
        Path zst = tmp.resolve("misnamed.csv");
        try (OutputStream out = new ZstdOutputStream(Files.newOutputStream(zst))) {
            out.write(csv.getBytes(StandardCharsets.UTF_8));
        }
        for (Path p : List.of(gz, zst)) {
            try (StreamingSource s = SourceRegistry.withDefaults().create("csv", SourceConfig.of(p.toString()))) {
                assertThat(s.metadata().parallelizable()).isFalse();
                assertThat(readAll(s, 3)).as(p.toString()).isEqualTo(CsvQuirksTest.TRICKY_ROWS);
            }
        }
    }

    @Test
    void theFormatIsFoundByNameAndExtensionAndAcceptsALargerOptionSet() {
        TextFormats formats = TextFormats.installed();
        assertThat(formats.byName("csv")).containsInstanceOf(CsvFormat.class);
        assertThat(formats.forFileName("part-0001.tsv.zst")).containsInstanceOf(CsvFormat.class);
        assertThat(formats.forFileName("x.CSV")).containsInstanceOf(CsvFormat.class);
        TextFormat csv = formats.require("csv", "format");
        // a file source declares its own keys plus the format's
        OptionSet fileOptions = OptionSet.of("source 'file'", OptionSpec.string("format", "csv", "format"))
                .with(csv.options());
        Options options = fileOptions.parse(Map.of("format", "csv", "delimiter", "|", "columns", "b"));
        StatsRecorder stats = new StatsRecorder();
        byte[] bytes = "a|b\n1|x\n2|y\n".getBytes(StandardCharsets.UTF_8);
        try (BufferAllocator allocator = new RootAllocator();
             FormatReader reader = csv.open(new ByteArrayInputStream(bytes), "s3://bucket/key.csv", options, stats)) {
            assertThat(reader.schema().getFields()).extracting(f -> f.getName()).containsExactly("b");
            List<List<Object>> rows = new ArrayList<>();
            for (VectorSchemaRoot next; (next = reader.read(allocator, 1)) != null; ) {
                try (VectorSchemaRoot root = next) {
                    rows.addAll(CsvTesting.values(root));
                }
            }
            assertThat(rows).containsExactly(row("x"), row("y"));
        }
        assertThat(stats.snapshot().bytesRead()).isEqualTo(bytes.length);
    }

    @Test
    void anAllocationFailureLeavesThePositionSoARetryWithFewerRowsReadsTheSameRows() throws IOException {
        StringBuilder sb = new StringBuilder("id,s\n");
        for (int i = 0; i < 5000; i++) sb.append(i).append(",abcdefghij").append(i).append('\n');
        Path file = Files.writeString(tmp.resolve("m.csv"), sb);
        try (BufferAllocator root = new RootAllocator(64 * 1024)) {
            CsvSettings settings = CsvSettings.from(CsvTesting.options(), file.toString());
            try (CsvSource s = new CsvSource(SourceConfig.of(file.toString()), context(root), settings)) {
                assertThatThrownBy(() -> s.readChunk(5000)).isInstanceOf(MemoryLimitException.class);
                RowChecker checker = new RowChecker();
                for (Optional<Chunk> c; (c = s.readChunk(100)).isPresent(); ) {
                    try (Chunk chunk = c.get()) {
                        checker.accept(chunk);
                    }
                }
                assertThat(checker.exactlyOnce(5000)).isTrue();
                assertThat(checker.ascending()).isTrue();
            }
        }
    }

    @Test
    void splitsStartAtTrueRecordBoundariesEvenWhenCutPointsFallInsideQuotedLineBreaks() throws IOException {
        String csv = generate(20_000, 7);
        Path file = Files.writeString(tmp.resolve("q.csv"), csv);
        long splitBytes = 16 * 1024;
        CsvSettings settings = CsvSettings.from(CsvTesting.options(), file.toString()).withSplitBytes(splitBytes);
        List<List<Object>> sequential;
        try (BufferAllocator root = new RootAllocator();
             CsvSource s = new CsvSource(SourceConfig.of(file.toString()), context(root), settings)) {
            sequential = readAll(s, 777);
        }
        assertThat(sequential).hasSize(20_000);
        try (BufferAllocator root = new RootAllocator();
             CsvSource s = new CsvSource(SourceConfig.of(file.toString()), context(root), settings)) {
            assertThat(s.metadata().parallelizable()).isTrue();
            List<? extends io.polarway.api.SourceSplit> splits = s.planSplits(2);
            assertThat(splits.size()).isGreaterThan(40);
            long dataStart = csv.indexOf('\n') + 1;
            long n = splits.size();
            int movedPastAQuotedLineBreak = 0;
            long expectedStart = dataStart;
            List<List<Object>> parallelRows = new ArrayList<>();
            for (var split : splits) {
                CsvSplit cs = (CsvSplit) split;
                assertThat(cs.start()).isEqualTo(expectedStart);
                expectedStart = cs.end();
                // every split starts with a record id: the first field is a number at a record start
                assertThat(csv.charAt((int) cs.start())).isBetween('0', '9');
                if (cs.index() > 0) {
                    long cut = dataStart + (csv.length() - dataStart) * cs.index() / n;
                    if (cs.start() != csv.indexOf('\n', (int) cut) + 1) movedPastAQuotedLineBreak++;
                }
                try (StreamingSource reader = s.openSplit(split, context(root))) {
                    parallelRows.addAll(readAll(reader, 500));
                }
            }
            assertThat(expectedStart).isEqualTo(csv.length());
            assertThat(movedPastAQuotedLineBreak).as("cut points that fell inside a quoted field").isPositive();
            assertThat(parallelRows).isEqualTo(sequential);
        }
    }

    @Test
    void parallelReadingThroughTheAdaptiveStreamDeliversEveryRowOnceInOrder() throws IOException {
        String csv = generate(30_000, 11);
        Path file = Files.writeString(tmp.resolve("p.csv"), csv);
        CsvSettings settings = CsvSettings.from(CsvTesting.options(), file.toString()).withSplitBytes(32 * 1024);
        try (BufferAllocator root = new RootAllocator()) {
            CsvSource source = new CsvSource(SourceConfig.of(file.toString()), context(root), settings);
            RowChecker checker = new RowChecker();
            long chunks = 0;
            try (AdaptiveStream stream = AdaptiveStream.builder(source).allocator(root).parallel(true).parallelism(2)
                    .chunkSize(1000).memoryLimit("2GB").build()) {
                for (Chunk chunk : stream) {
                    try (chunk) {
                        checker.accept(chunk);
                        chunks++;
                    }
                }
                assertThat(stream.stats().bytesRead()).isEqualTo(Files.size(file) - (csv.indexOf('\n') + 1));
            }
            assertThat(checker.exactlyOnce(30_000)).isTrue();
            assertThat(checker.ascending()).isTrue();
            assertThat(chunks).isGreaterThan(30);
        }
    }

    @Test
    void aStrayQuoteThatMisleadsTheParityPreScanFailsBeforeAnyWrongRowIsDelivered() throws IOException {
        // an unquoted field with a quote early on flips the parity for everything after it; later records hold
        // quoted line breaks, where the misled planner puts boundaries
        StringBuilder sb = new StringBuilder("id,text\n0,ab\"c\n");
        for (int i = 1; i < 20_000; i++) {
            sb.append(i).append(',').append(i % 2 == 0 ? "\"x\ny\"" : "plain").append('\n');
        }
        String csv = sb.toString();
        Path file = Files.writeString(tmp.resolve("stray.csv"), csv);
        CsvSettings settings = CsvSettings.from(CsvTesting.options(), file.toString()).withSplitBytes(8 * 1024);
        List<List<Object>> sequential;
        try (BufferAllocator root = new RootAllocator();
             CsvSource s = new CsvSource(SourceConfig.of(file.toString()), context(root), settings)) {
            sequential = readAll(s, 1000);
        }
        assertThat(sequential).hasSize(20_000);
        try (BufferAllocator root = new RootAllocator()) {
            CsvSource source = new CsvSource(SourceConfig.of(file.toString()), context(root), settings);
            List<List<Object>> delivered = new ArrayList<>();
            try (AdaptiveStream stream = AdaptiveStream.builder(source).allocator(root).parallel(true).parallelism(2)
                    .chunkSize(100).memoryLimit("2GB").build()) {
                assertThatThrownBy(() -> {
                    for (Chunk chunk : stream) {
                        try (chunk) {
                            delivered.addAll(CsvTesting.values(chunk.root()));
                        }
                    }
                }).isInstanceOf(ParseException.class).hasMessageContaining("without parallel");
            }
            assertThat(delivered).isEqualTo(sequential.subList(0, delivered.size()));
        }
    }

    @Test
    void anErrorInALaterSplitNamesTheSameLineAndByteAsASequentialRead() throws IOException {
        String csv = generate(20_000, 5);
        int at = csv.indexOf("\n15000,") + 1;
        int next = csv.indexOf("\n15001,") + 1;
        String bad = csv.substring(0, at) + "15000,plain,oops,true\n" + csv.substring(next);
        Path file = Files.writeString(tmp.resolve("bad.csv"), bad);
        CsvSettings settings = CsvSettings.from(CsvTesting.options(), file.toString()).withSplitBytes(16 * 1024);
        ParseException sequential;
        try (BufferAllocator root = new RootAllocator();
             CsvSource s = new CsvSource(SourceConfig.of(file.toString()), context(root), settings)) {
            sequential = (ParseException) org.assertj.core.api.Assertions.catchThrowable(() -> readAll(s, 1000));
        }
        assertThat(sequential).isNotNull();
        assertThat(sequential.getMessage()).contains("'oops'");
        try (BufferAllocator root = new RootAllocator()) {
            CsvSource source = new CsvSource(SourceConfig.of(file.toString()), context(root), settings);
            try (AdaptiveStream stream = AdaptiveStream.builder(source).allocator(root).parallel(true).parallelism(2)
                    .chunkSize(1000).memoryLimit("2GB").build()) {
                Throwable parallel = org.assertj.core.api.Assertions.catchThrowable(() -> {
                    for (Chunk chunk : stream) chunk.close();
                });
                assertThat(parallel).isInstanceOf(ParseException.class);
                var w = ((ParseException) parallel).where().orElseThrow();
                var sw = sequential.where().orElseThrow();
                assertThat(w.line()).isEqualTo(sw.line()).isGreaterThan(15_000);
                assertThat(w.column()).isEqualTo(sw.column()).isEqualTo(3);
                assertThat(w.byteOffset()).isEqualTo(sw.byteOffset()).isEqualTo(bad.indexOf("oops"));
            }
        }
    }

    @Test
    void aFileWithCommentsOrCompressionIsNotSplit() throws IOException {
        Path file = Files.writeString(tmp.resolve("c.csv"), generate(5000, 3));
        CsvSettings settings = CsvSettings.from(CsvTesting.options("comment_char", "#"), file.toString())
                .withSplitBytes(1024);
        try (BufferAllocator root = new RootAllocator();
             CsvSource s = new CsvSource(SourceConfig.of(file.toString()), context(root), settings)) {
            assertThat(s.metadata().parallelizable()).isFalse();
            assertThat(s.planSplits(4)).hasSize(1);
        }
    }
}
