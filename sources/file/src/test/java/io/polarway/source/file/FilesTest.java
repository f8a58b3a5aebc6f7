package io.polarway.source.file;

import io.polarway.api.Chunk;
import io.polarway.api.SourceConfig;
import io.polarway.api.SourceRegistry;
import io.polarway.api.SourceSplit;
import io.polarway.api.SplittableSource;
import io.polarway.api.StreamingSource;
import io.polarway.error.ConfigException;
import io.polarway.error.IoException;
import io.polarway.error.ParseException;
import io.polarway.error.PolarwayException;
import io.polarway.error.SchemaException;
import io.polarway.stream.AdaptiveStream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.types.pojo.Field;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Locations (directories, recursion, globs), several files in order and in parallel, schema mismatches, and bad
 * files. The data set: ids 0..N-1 spread over 12 files in three formats and two directory levels.
 */
class FilesTest {
    static final int FILES = 12;
    static final long PER_FILE = 50_000;
    static final long ROWS = FILES * PER_FILE;

    @TempDir
    static Path root;
    static Path flat;
    static Path nested;

    final SourceFixture fx = new SourceFixture();

    /**
     * flat/part-00.parquet .. part-11.parquet (ids in file order), plus hidden files and a README that must be
     * skipped; nested/a/part-00.parquet, nested/b/c/part-01.arrow, ... (ids in sorted-path order).
     */
    @BeforeAll
    static void write() throws Exception {
        flat = Files.createDirectories(root.resolve("flat"));
        nested = Files.createDirectories(root.resolve("nested"));
        for (int i = 0; i < FILES; i++) {
            TestData.parquet(flat.resolve(String.format("part-%02d.parquet", i)), i * PER_FILE, PER_FILE, 16_384);
        }
        Files.writeString(flat.resolve("_SUCCESS"), "");
        Files.writeString(flat.resolve(".part-00.parquet.crc"), "garbage");
        Files.writeString(flat.resolve("README.txt"), "not data");
        // nested: sorted path order a/x-00 < a/x-01 < b/c/x-02 < ... ; mixed formats
        for (int i = 0; i < FILES; i++) {
            Path d = Files.createDirectories(nested.resolve(i < 4 ? "a" : i < 8 ? "b/c" : "d"));
            long from = i * PER_FILE;
            String name = String.format("x-%02d", i);
            switch (i % 3) {
                case 0 -> TestData.parquet(d.resolve(name + ".parquet"), from, PER_FILE, 20_000);
                case 1 -> TestData.ipcFile(d.resolve(name + ".arrow"), from, PER_FILE, 9_000);
                default -> TestData.ipcStream(d.resolve(name + ".arrows"), from, PER_FILE, 12_500);
            }
        }
    }

    @AfterEach
    void close() {
        fx.close();
    }

    @Test
    void directoryInFileOrderSkippingHiddenAndUnknownFiles() {
        try (StreamingSource source = fx.open(SourceConfig.of(flat.toString()))) {
            assertThat(source.stats().counters()).containsEntry("files_total", (long) FILES);
        }
        TestData.Checksum sum = fx.readAll(SourceConfig.of(flat.toString()), 30_000);
        assertThat(sum.exactly(ROWS)).as(sum.toString()).isTrue();
        assertThat(sum.ascending).isTrue();
        // chunks span files: 30,000 does not divide 50,000, yet every chunk but the last is full
        assertThat(sum.chunks).isEqualTo((int) ((ROWS + 29_999) / 30_000));
    }

    @Test
    void recursiveDirectoryOfMixedFormats() {
        assertThatThrownBy(() -> fx.open(SourceConfig.of(nested.toString())))
                .isInstanceOf(ConfigException.class).hasMessageContaining("recursive=true");
        TestData.Checksum sum = fx.readAll(SourceConfig.of(nested.toString()).withOption("recursive", "true"),
                33_333);
        assertThat(sum.exactly(ROWS)).as(sum.toString()).isTrue();
        assertThat(sum.ascending).isTrue();
    }

    @Test
    void globsWithStarAndDoubleStar() {
        TestData.Checksum some = fx.readAll(SourceConfig.of(flat + "/part-0[2-4].parquet"), 50_000);
        assertThat(some.rows).isEqualTo(3 * PER_FILE);
        assertThat(some.seen.nextSetBit(0)).isEqualTo(2 * (int) PER_FILE);

        // ** crosses directories, including none; * stays in one
        TestData.Checksum all = fx.readAll(SourceConfig.of(nested + "/**/x-*"), 70_000);
        assertThat(all.exactly(ROWS)).as(all.toString()).isTrue();
        TestData.Checksum parquetOnly = fx.readAll(SourceConfig.of(nested + "/**/*.parquet"), 70_000);
        assertThat(parquetOnly.rows).isEqualTo(4 * PER_FILE);
        TestData.Checksum oneLevel = fx.readAll(SourceConfig.of(nested + "/*/x-*"), 70_000);
        assertThat(oneLevel.rows).isEqualTo(8 * PER_FILE); // a/ and d/, not b/c/
        assertThatThrownBy(() -> fx.open(SourceConfig.of(nested + "/*.nothing")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("no file matches");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 12})
    void parallelDirectReadKeepsFileOrder(int concurrency) {
        SourceConfig config = SourceConfig.of(nested.toString()).withOption("recursive", "true")
                .withOption("max_concurrency", Integer.toString(concurrency)).withParallel(true);
        TestData.Checksum sum = fx.readAll(config, 20_000);
        assertThat(sum.exactly(ROWS)).as(sum.toString()).isTrue();
        assertThat(sum.ascending).as("ordered output").isTrue();
    }

    @Test
    void parallelUnorderedDeliversEveryRowOnce() {
        SourceConfig config = SourceConfig.of(flat.toString()).withParallel(true).withOption("ordered", "false")
                .withOption("max_concurrency", "4");
        TestData.Checksum sum = fx.readAll(config, 8_000);
        assertThat(sum.exactly(ROWS)).as(sum.toString()).isTrue();
    }

    @Test
    void parallelChunkSizeFollowsTheCaller() {
        SourceConfig config = SourceConfig.of(flat.toString()).withParallel(true);
        TestData.Checksum sum = new TestData.Checksum();
        int[] sizes = {40_000, 1_000, 17_000, 64_000};
        try (StreamingSource source = fx.open(config)) {
            int i = 0;
            for (Optional<Chunk> c; (c = source.readChunk(sizes[i % sizes.length])).isPresent(); i++) {
                try (Chunk chunk = c.get()) {
                    assertThat(chunk.rowCount()).isLessThanOrEqualTo(sizes[i % sizes.length]);
                    sum.accept(chunk);
                }
            }
        }
        assertThat(sum.exactly(ROWS)).as(sum.toString()).isTrue();
        assertThat(sum.ascending).isTrue();
    }

    @Test
    void splitsAreContiguousRunsBoundedByMaxConcurrency() {
        try (StreamingSource source = fx.open(SourceConfig.of(flat.toString()).withOption("max_concurrency", "5"))) {
            SplittableSource s = (SplittableSource) source;
            assertThat(source.metadata().parallelizable()).isTrue();
            List<? extends SourceSplit> splits = s.planSplits(8);
            assertThat(splits).hasSize(5);
            List<Path> order = new ArrayList<>();
            for (SourceSplit sp : splits) order.addAll(((FileSplit) sp).files().stream().map(FileEntry::path).toList());
            assertThat(order).hasSize(FILES).isSorted();
            TestData.Checksum sum = new TestData.Checksum();
            for (SourceSplit sp : splits) {
                try (StreamingSource r = s.openSplit(sp, fx.context)) {
                    for (Optional<Chunk> c; (c = r.readChunk(25_000)).isPresent(); ) {
                        try (Chunk chunk = c.get()) {
                            assertThat(chunk.splitId()).isEqualTo(sp.splitId());
                            sum.accept(chunk);
                        }
                    }
                }
            }
            assertThat(sum.exactly(ROWS)).isTrue();
        }
    }

    @Test
    void adaptiveStreamReadsSplitsInParallelInOrder() {
        SourceConfig config = SourceConfig.of(nested.toString()).withOption("recursive", "true").withParallel(true)
                .withChunkSize(10_000);
        TestData.Checksum sum = new TestData.Checksum();
        try (AdaptiveStream stream = AdaptiveStream.builder("file", config).allocator(fx.allocator)
                .registry(SourceRegistry.withDefaults()).parallelism(3).build()) {
            for (Chunk c : stream) {
                try (c) {
                    sum.accept(c);
                }
            }
        }
        assertThat(sum.exactly(ROWS)).as(sum.toString()).isTrue();
        assertThat(sum.ascending).isTrue();
    }

    @Test
    void differingSchemasAreASchemaErrorNamingTheFile() throws IOException {
        Path d = Files.createDirectories(root.resolve("mismatch"));
        TestData.parquet(d.resolve("a.parquet"), 0, 1000, 1000);
        TestData.parquet(d.resolve("b.parquet"), 1000, 1000, 1000);
        Path c = d.resolve("c.parquet");
        writeIdsOnly(c);
        assertThatThrownBy(() -> fx.readAll(SourceConfig.of(d.toString()), 500))
                .isInstanceOf(SchemaException.class)
                .hasMessageContaining("c.parquet")
                .hasMessageContaining("unify_schemas")
                .satisfies(e -> assertThat(((PolarwayException) e).where().orElseThrow().resource())
                        .endsWith("c.parquet"));
    }

    @Test
    void unifiedSchemasFillMissingColumnsWithNulls() throws IOException {
        Path d = Files.createDirectories(root.resolve("unify"));
        TestData.parquet(d.resolve("a.parquet"), 0, 1000, 1000);
        writeIdsOnly(d.resolve("b.parquet")); // ids 1000..1999, only the id column
        TestData.ipcFile(d.resolve("c.arrow"), 2000, 1000, 300);
        try (StreamingSource source = fx.open(SourceConfig.of(d.toString()).withOption("unify_schemas", "true"))) {
            assertThat(source.metadata().schema().getFields()).extracting(Field::getName)
                    .containsExactly("id", "v", "s", "flag");
            long rows = 0;
            long nullV = 0;
            for (Optional<Chunk> c; (c = source.readChunk(700)).isPresent(); ) {
                try (Chunk chunk = c.get()) {
                    BigIntVector id = (BigIntVector) chunk.root().getVector("id");
                    for (int i = 0; i < chunk.rowCount(); i++) {
                        assertThat(id.get(i)).isEqualTo(rows);
                        if (chunk.root().getVector("v").isNull(i)) nullV++;
                        rows++;
                    }
                }
            }
            assertThat(rows).isEqualTo(3000);
            assertThat(nullV).isEqualTo(1000);
        }
    }

    /** A Parquet file with only an id column, ids 1000..1999. */
    private static void writeIdsOnly(Path file) throws IOException {
        Path tmp = file.resolveSibling("tmp-" + file.getFileName() + ".arrow");
        TestData.ipcFile(tmp, 1000, 1000, 1000);
        try (SourceFixture f = new SourceFixture();
             StreamingSource s = f.open(SourceConfig.of(tmp.toString()).withOption("columns", "id"));
             var w = io.polarway.source.file.parquet.ParquetChunkFileWriter.create(file)) {
            for (Optional<Chunk> c; (c = s.readChunk(1000)).isPresent(); ) {
                try (Chunk chunk = c.get()) {
                    w.write(chunk.root());
                }
            }
        }
        Files.delete(tmp);
    }

    @Test
    void truncatedAndCorruptFilesAreTypedErrorsNamingTheFile() throws IOException {
        Path d = Files.createDirectories(root.resolve("bad"));
        byte[] pq = Files.readAllBytes(flat.resolve("part-00.parquet"));
        byte[] ipc = Files.readAllBytes(nested.resolve("a/x-01.arrow"));

        Path truncatedPq = write(d.resolve("truncated.parquet"), java.util.Arrays.copyOf(pq, pq.length / 2));
        assertBad(truncatedPq, ParseException.class, "truncated");

        byte[] footer = pq.clone(); // garbage over the Thrift footer, magic and length intact
        for (int i = footer.length - 200; i < footer.length - 8; i++) footer[i] = (byte) 0xAB;
        assertBad(write(d.resolve("footer.parquet"), footer), ParseException.class, "footer");

        byte[] pages = pq.clone(); // garbage over the first column chunk's page headers
        for (int i = 4; i < 4000; i++) pages[i] = (byte) (i * 31);
        assertBad(write(d.resolve("pages.parquet"), pages), ParseException.class, "Parquet");

        assertBad(write(d.resolve("empty.parquet"), new byte[0]), ParseException.class, "not a Parquet file");
        assertBad(write(d.resolve("text.parquet"), "hello, world\n".repeat(10).getBytes()), ParseException.class,
                "not a Parquet file");

        assertBad(write(d.resolve("truncated.arrow"), java.util.Arrays.copyOf(ipc, ipc.length - 100)),
                ParseException.class, "truncated.arrow");
        byte[] body = ipc.clone(); // garbage over the record batch metadata after the schema message
        for (int i = 400; i < 2000; i++) body[i] = (byte) 0x7F;
        assertBad(write(d.resolve("body.arrow"), body), ParseException.class, "body.arrow");

        // the stream format: cut inside the last batch's body, and inside the schema message
        byte[] stream = Files.readAllBytes(nested.resolve("a/x-02.arrows"));
        assertBad(write(d.resolve("truncated.arrows"), java.util.Arrays.copyOf(stream, stream.length - 100)),
                ParseException.class, "truncated.arrows");
        assertBad(write(d.resolve("schema-cut.arrows"), java.util.Arrays.copyOf(stream, 40)),
                ParseException.class, "schema-cut.arrows");
        // cut exactly after a complete batch: without the end-of-stream marker check this reads as a shorter stream
        assertBad(write(d.resolve("boundary-cut.arrows"), java.util.Arrays.copyOf(stream, stream.length - 8)),
                ParseException.class, "end-of-stream marker");
        assertBad(write(d.resolve("boundary-cut2.arrows"), java.util.Arrays.copyOf(stream,
                        (int) lastBatchStart(nested.resolve("a/x-02.arrows")))),
                ParseException.class, "end-of-stream marker");

        Path missing = d.resolve("missing.parquet");
        assertThatThrownBy(() -> fx.open(SourceConfig.of(missing.toString())))
                .isInstanceOf(IoException.class).hasMessageContaining("missing.parquet");
    }

    @Test
    void filesThatCannotBeReadAreIoErrorsNamingThemEvenForRoot() throws IOException {
        Path d = Files.createDirectories(root.resolve("unreadable"));
        // a dangling link given as the location
        Path dangling = Files.createSymbolicLink(d.resolve("dangling.parquet"), d.resolve("nowhere.parquet"));
        assertBad(dangling, IoException.class, "dangling.parquet");

        // files listed when the source opens, then replaced by a directory or a dangling link before they are read:
        // whatever their format, an I/O error naming the file, in order and in parallel
        byte[][] good = {Files.readAllBytes(flat.resolve("part-00.parquet")),
                Files.readAllBytes(nested.resolve("a/x-01.arrow")),
                Files.readAllBytes(nested.resolve("a/x-02.arrows"))};
        String[] ext = {"parquet", "arrow", "arrows"};
        for (int i = 0; i < ext.length; i++) {
            for (boolean link : new boolean[]{false, true}) {
                for (boolean parallel : new boolean[]{false, true}) {
                    Path dir = Files.createDirectories(d.resolve(ext[i] + (link ? "-link" : "-dir") + "-" + parallel));
                    write(dir.resolve("a." + ext[i]), good[i]);
                    Path b = write(dir.resolve("b." + ext[i]), good[i]);
                    SourceConfig config = SourceConfig.of(dir.toString()).withParallel(parallel);
                    String what = b + (link ? " as a dangling link" : " as a directory") + ", parallel=" + parallel;
                    try (StreamingSource source = fx.open(config)) {
                        Files.delete(b);
                        if (link) Files.createSymbolicLink(b, dir.resolve("nothing-here"));
                        else Files.createDirectory(b);
                        assertThatThrownBy(() -> {
                            for (Optional<Chunk> c; (c = source.readChunk(7_000)).isPresent(); ) c.get().close();
                        }).as(what).isInstanceOfSatisfying(IoException.class, e -> {
                            assertThat(e.getMessage()).contains(b.toString())
                                    .contains(link ? "a link to nothing" : "a directory");
                            assertThat(e.where().orElseThrow().resource()).isEqualTo(b.toString());
                        });
                    }
                }
            }
        }
    }

    @Test
    void aFileWithoutReadPermissionIsAnIoErrorNamingIt() throws IOException {
        Path d = Files.createDirectories(root.resolve("locked"));
        Path unreadable = write(d.resolve("locked.parquet"), Files.readAllBytes(flat.resolve("part-00.parquet")));
        org.junit.jupiter.api.Assumptions.assumeTrue(unreadable.toFile().setReadable(false, false)
                        && !Files.isReadable(unreadable),
                "permissions do not stop this user (root) from reading a file; "
                        + "filesThatCannotBeReadAreIoErrorsNamingThemEvenForRoot covers unreadable files instead");
        try {
            assertBad(unreadable, IoException.class, "locked.parquet");
        } finally {
            unreadable.toFile().setReadable(true);
        }
    }

    private static Path write(Path p, byte[] bytes) throws IOException {
        Files.write(p, bytes);
        return p;
    }

    /** Where a stream's last batch message starts: a cut there ends right after a complete batch. */
    private static long lastBatchStart(Path stream) throws IOException {
        try (BufferAllocator a = new RootAllocator(); FileChannel ch = FileChannel.open(stream);
             ArrowStreamReader r = new ArrowStreamReader(ch, a)) {
            r.getVectorSchemaRoot();
            long start = r.bytesRead();
            long previous = -1;
            while (r.loadNextBatch()) {
                previous = start;
                start = r.bytesRead();
            }
            assertThat(previous).as("the stream has batches").isPositive();
            return previous;
        }
    }

    private void assertBad(Path p, Class<? extends PolarwayException> type, String text) {
        for (String mmap : new String[]{"true", "false"}) {
            assertThatThrownBy(() -> fx.readAll(SourceConfig.of(p.toString()).withOption("use_mmap", mmap), 1000))
                    .as(p + " use_mmap=" + mmap)
                    .isInstanceOf(type)
                    .hasMessageContaining(text)
                    .satisfies(e -> assertThat(((PolarwayException) e).where().orElseThrow().resource())
                            .isEqualTo(p.toString()));
        }
    }
}
