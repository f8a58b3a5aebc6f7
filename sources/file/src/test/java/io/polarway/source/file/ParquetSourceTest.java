package io.polarway.source.file;

import io.polarway.api.Chunk;
import io.polarway.api.SourceConfig;
import io.polarway.api.SourceMetadata;
import io.polarway.api.StreamingSource;
import io.polarway.error.ConfigException;
import io.polarway.error.MemoryLimitException;
import io.polarway.error.PolarwayException;
import io.polarway.memory.MemoryMonitor;
import io.polarway.api.SourceContext;
import io.polarway.error.ParseException;
import io.polarway.source.file.parquet.ParquetFooter;
import io.polarway.source.file.parquet.ParquetLayout;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.types.pojo.Field;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.stream.Stream;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Parquet through the JNI scanner: many row groups, chunk sizes around them, projection, filter, native budget, and
 * the windowed scan of files larger than the window size.
 */
class ParquetSourceTest {
    static final long ROWS = 1_000_000;
    static final int ROW_GROUP = 20_000;

    @TempDir
    static Path dir;
    static Path file;

    final SourceFixture fx = new SourceFixture();

    @BeforeAll
    static void write() throws Exception {
        file = TestData.parquet(dir.resolve("data.parquet"), 0, ROWS, ROW_GROUP);
    }

    @AfterEach
    void close() {
        fx.close();
    }

    @Test
    void fileHasManyRowGroups() {
        ParquetFooter footer = ParquetFooter.read(file);
        assertThat(footer.rowCount()).isEqualTo(ROWS);
        assertThat(footer.rowGroups()).isEqualTo(50);
        assertThat(footer.rowGroupRows()).allMatch(r -> r == ROW_GROUP);
    }

    /** Smaller than a row group (20,000 rows), equal to it, odd, one scanner batch, larger than one or several. */
    @ParameterizedTest
    @ValueSource(ints = {1_000, 7_777, 20_000, 32_768, 40_000, 50_000, 120_000, 250_000})
    void everyRowOnceForChunkSizesAroundRowGroups(int chunkRows) {
        List<Integer> sizes = new ArrayList<>();
        TestData.Checksum sum = new TestData.Checksum();
        try (StreamingSource source = fx.open(SourceConfig.of(file.toString()))) {
            for (Optional<Chunk> c; (c = source.readChunk(chunkRows)).isPresent(); ) {
                try (Chunk chunk = c.get()) {
                    sizes.add(chunk.rowCount());
                    sum.accept(chunk);
                }
            }
            assertThat(source.stats().counters()).containsEntry("parquet_row_groups", 50L);
            assertThat(source.stats().bytesRead()).isEqualTo(file.toFile().length());
        }
        assertThat(sum.exactly(ROWS)).as(sum.toString()).isTrue();
        assertThat(sum.ascending).isTrue();
        // every chunk has exactly the size asked for, except the last
        assertThat(sizes.subList(0, sizes.size() - 1)).allMatch(s -> s == chunkRows);
        assertThat(sizes.get(sizes.size() - 1)).isEqualTo((int) (ROWS - (long) chunkRows * (sizes.size() - 1)));
    }

    @Test
    void chunkSizeMayChangeBetweenReads() {
        TestData.Checksum sum = new TestData.Checksum();
        int[] sizes = {5_000, 100_000, 33_000, 1, 64_000, 999};
        try (StreamingSource source = fx.open(SourceConfig.of(file.toString()))) {
            int i = 0;
            for (Optional<Chunk> c; (c = source.readChunk(sizes[i++ % sizes.length])).isPresent(); ) {
                try (Chunk chunk = c.get()) {
                    assertThat(chunk.rowCount()).isLessThanOrEqualTo(sizes[(i - 1) % sizes.length]);
                    sum.accept(chunk);
                }
            }
        }
        assertThat(sum.exactly(ROWS)).as(sum.toString()).isTrue();
    }

    @Test
    void metadataHasSchemaAndRowCountFromTheFooter() {
        try (StreamingSource source = fx.open(SourceConfig.of(file.toString()))) {
            SourceMetadata m = source.metadata();
            assertThat(m.recordCount()).isEqualTo(ROWS);
            assertThat(m.schema().getFields()).extracting(Field::getName).containsExactly("id", "v", "s", "flag");
            assertThat(m.sizeBytes()).isEqualTo(file.toFile().length());
        }
    }

    @Test
    void projectionReadsOnlyTheNamedColumnsInTheirOrder() {
        try (StreamingSource source = fx.open(SourceConfig.of(file.toString()).withOption("columns", "s,id"))) {
            assertThat(source.metadata().schema().getFields()).extracting(Field::getName).containsExactly("s", "id");
            TestData.Checksum sum = new TestData.Checksum();
            for (Optional<Chunk> c; (c = source.readChunk(70_000)).isPresent(); ) {
                try (Chunk chunk = c.get()) {
                    assertThat(chunk.root().getSchema().getFields()).extracting(Field::getName)
                            .containsExactly("s", "id");
                    sum.accept(chunk);
                }
            }
            assertThat(sum.exactly(ROWS, false, true, false)).as(sum.toString()).isTrue();
        }
    }

    @Test
    void filterIsPushedIntoTheScan() throws IOException {
        String filter = "id >= 100000 AND id < 300000";
        TestData.Checksum sum = fx.readAll(SourceConfig.of(file.toString()).withOption("filter", filter), 25_000);
        assertThat(sum.rows).isEqualTo(200_000);
        assertThat(sum.seen.nextSetBit(0)).isEqualTo(100_000);
        assertThat(sum.seen.previousSetBit(Integer.MAX_VALUE)).isEqualTo(299_999);
        assertThat(sum.duplicates).isZero();

        // Rows are dropped in the scan, whole row groups by their statistics, not after it: in a copy of the file
        // whose row groups outside the range (ids sorted, 20,000 a group: all but groups 5..14) have their column
        // chunks overwritten with garbage, footer and statistics intact, the filtered read never meets the garbage,
        // while any read that decodes those row groups — unfiltered, or filtered after the scan — fails on it.
        Path garbled = dir.resolve("garbled-outside-the-filter.parquet");
        byte[] bytes = Files.readAllBytes(file);
        ParquetLayout layout = ParquetLayout.read(file);
        int from = 100_000 / ROW_GROUP;
        int to = 300_000 / ROW_GROUP;
        int garbledChunks = 0;
        for (int g = 0; g < layout.rowGroups().size(); g++) {
            if (g >= from && g < to) continue;
            for (ParquetLayout.Chunk c : layout.rowGroups().get(g).chunks()) {
                // the first half of the chunk (its length includes 100 bytes of reader padding past its end),
                // beginning with its first page header
                long n = Math.max(16, (c.length() - 100) / 2);
                java.util.Arrays.fill(bytes, (int) c.start(), (int) (c.start() + n), (byte) 0xFF);
                garbledChunks++;
            }
        }
        assertThat(garbledChunks).isEqualTo(40 * 4);
        Files.write(garbled, bytes);

        TestData.Checksum pushed = fx.readAll(SourceConfig.of(garbled.toString()).withOption("filter", filter),
                25_000);
        assertThat(pushed.rows).isEqualTo(200_000);
        assertThat(pushed.seen.nextSetBit(0)).isEqualTo(100_000);
        assertThat(pushed.seen.previousSetBit(Integer.MAX_VALUE)).isEqualTo(299_999);
        assertThat(pushed.duplicates).isZero();
        assertThatThrownBy(() -> fx.readAll(SourceConfig.of(garbled.toString()), 25_000))
                .isInstanceOf(ParseException.class).hasMessageContaining(garbled.getFileName().toString());
        // a filter that needs one garbled row group reads it, and fails
        assertThatThrownBy(() -> fx.readAll(SourceConfig.of(garbled.toString())
                .withOption("filter", "id >= 100000 AND id <= 300000"), 25_000))
                .isInstanceOf(ParseException.class);
    }

    @Test
    void filterWithNullsStringsBooleansAndIn() {
        TestData.Checksum nulls = fx.readAll(SourceConfig.of(file.toString()).withOption("filter", "s IS NULL"),
                100_000);
        assertThat(nulls.rows).isEqualTo((ROWS + 6) / 7);
        assertThat(nulls.seen.stream().allMatch(id -> id % 7 == 0)).isTrue();

        TestData.Checksum mixed = fx.readAll(SourceConfig.of(file.toString())
                .withOption("filter", "(flag = true AND id < 30) OR s IN ('s100', 's101') OR NOT (id < 999998)"),
                1_000);
        assertThat(mixed.seen.stream().boxed().toList())
                .containsExactly(0, 3, 6, 9, 12, 15, 18, 21, 24, 27, 100, 101, 999998, 999999);

        TestData.Checksum doubles = fx.readAll(SourceConfig.of(file.toString())
                .withOption("filter", "v <= 2.5 and s != 's1'"), 1_000);
        assertThat(doubles.seen.stream().boxed().toList()).containsExactly(2, 3, 4, 5);
    }

    @Test
    void badFiltersAreConfigErrorsNamingTheProblem() {
        assertThatThrownBy(() -> fx.open(SourceConfig.of(file.toString()).withOption("filter", "id >")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("expected a literal");
        assertThatThrownBy(() -> fx.readAll(SourceConfig.of(file.toString()).withOption("filter", "nope = 1"), 10))
                .isInstanceOf(ConfigException.class).hasMessageContaining("nope");
        assertThatThrownBy(() -> fx.readAll(SourceConfig.of(file.toString()).withOption("filter", "id = 'x'"), 10))
                .isInstanceOf(ConfigException.class).hasMessageContaining("cannot be compared");
    }

    @Test
    void nativeMemoryIsBoundedByTheBudget() {
        // a limit far below one row group's working memory: the scanner must fail, typed, instead of growing
        assertThatThrownBy(() -> fx.readAll(SourceConfig.of(file.toString())
                .withOption("native_memory_limit", "1MiB"), 10_000))
                .isInstanceOf(MemoryLimitException.class)
                .hasMessageContaining("native_memory_limit")
                .hasMessageContaining("data.parquet");
    }

    @Test
    void nativePeakIsCountedAndReleased() {
        try (StreamingSource source = fx.open(SourceConfig.of(file.toString()))) {
            assertThat(((FileSource) source).nativeParquet().listenable()).as("the default native_pool").isTrue();
            for (Optional<Chunk> c; (c = source.readChunk(100_000)).isPresent(); ) c.get().close();
            source.close();
            assertThat(source.stats().counters().get("native_peak_bytes")).isPositive();
        }
    }

    @Test
    void theDefaultNativePoolReadsEveryRowSamplesItsPeakAndIsNeverReleased() {
        // twice: the second source must find Arrow's default pool still usable after the first one closed
        for (int pass = 0; pass < 2; pass++) {
            TestData.Checksum sum = new TestData.Checksum();
            try (StreamingSource source = fx.open(SourceConfig.of(file.toString()).withOption("native_pool",
                    "default"))) {
                for (Optional<Chunk> c; (c = source.readChunk(30_000)).isPresent(); ) {
                    try (Chunk chunk = c.get()) {
                        sum.accept(chunk);
                    }
                }
                assertThat(((FileSource) source).nativeParquet().listenable()).isFalse();
                source.close();
                assertThat(source.stats().counters().get("native_peak_bytes")).as("pass %d", pass).isPositive();
            }
            assertThat(sum.exactly(ROWS)).as(sum.toString()).isTrue();
            assertThat(sum.ascending).isTrue();
        }
        assertThatThrownBy(() -> fx.open(SourceConfig.of(file.toString()).withOption("native_pool", "shared")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("native_pool")
                .hasMessageContaining("listenable");
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Windows: files whose needed bytes exceed parquet_window_bytes are scanned a few row groups at a time

    @TempDir
    Path temp;

    private SourceConfig windowed() {
        return SourceConfig.of(file.toString()).withOption("parquet_window_bytes", "1MiB")
                .withOption("temp_dir", temp.toString());
    }

    private long tempFiles() throws IOException {
        try (Stream<Path> s = Files.list(temp)) {
            return s.count();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1_000, 20_000, 33_333, 120_000})
    void windowedScanReadsEveryRowOnceAndDeletesItsWindows(int chunkRows) throws IOException {
        TestData.Checksum sum = new TestData.Checksum();
        long maxTempFiles = 0;
        try (StreamingSource source = fx.open(windowed())) {
            for (Optional<Chunk> c; (c = source.readChunk(chunkRows)).isPresent(); ) {
                try (Chunk chunk = c.get()) {
                    sum.accept(chunk);
                }
                maxTempFiles = Math.max(maxTempFiles, tempFiles());
            }
            assertThat(source.stats().counters().get("parquet_windows")).isGreaterThan(3L);
            assertThat(source.stats().counters().get("parquet_window_bytes_copied")).isPositive()
                    .isLessThanOrEqualTo(file.toFile().length());
            assertThat(source.stats().bytesRead()).isEqualTo(file.toFile().length());
        }
        assertThat(sum.exactly(ROWS)).as(sum.toString()).isTrue();
        assertThat(sum.ascending).isTrue();
        assertThat(maxTempFiles).as("the current window and the next one, at most").isBetween(1L, 2L);
        assertThat(tempFiles()).as("window files deleted").isZero();
    }

    @Test
    void windowsCopyOnlyTheNeededColumnsAndKeepTheFilter() {
        long all;
        try (StreamingSource source = fx.open(windowed())) {
            for (Optional<Chunk> c; (c = source.readChunk(50_000)).isPresent(); ) c.get().close();
            all = source.stats().counters().get("parquet_window_bytes_copied");
        }
        SourceConfig projected = windowed().withOption("columns", "id,flag")
                .withOption("filter", "v >= 150000 AND v < 350000");
        TestData.Checksum sum = new TestData.Checksum();
        try (StreamingSource source = fx.open(projected)) {
            for (Optional<Chunk> c; (c = source.readChunk(30_000)).isPresent(); ) {
                try (Chunk chunk = c.get()) {
                    assertThat(chunk.root().getSchema().getFields()).extracting(Field::getName)
                            .containsExactly("id", "flag");
                    sum.accept(chunk);
                }
            }
            // id, flag and the filter's v: the string column s is never copied
            assertThat(source.stats().counters().get("parquet_window_bytes_copied")).isLessThan(all);
        }
        assertThat(sum.rows).isEqualTo(400_000);
        assertThat(sum.seen.nextSetBit(0)).isEqualTo(300_000);
        assertThat(sum.seen.previousSetBit(Integer.MAX_VALUE)).isEqualTo(699_999);
        assertThat(sum.duplicates).isZero();
    }

    @Test
    void aMemoryLimitInsideAWindowLosesNoRowOnRetry() throws IOException {
        // Chunks of 200,000 rows (~5 MB) cannot be built in 3 MiB: each attempt fails typed, and a retry with smaller
        // chunks continues exactly after the last row delivered, inside the current window.
        try (RootAllocator small = new RootAllocator(3L << 20)) {
            MemoryMonitor monitor = MemoryMonitor.create(0, small);
            SourceContext ctx = new SourceContext(small, monitor);
            TestData.Checksum sum = new TestData.Checksum();
            int failures = 0;
            try (StreamingSource source = fx.registry.create("file", windowed(), ctx)) {
                boolean more = true;
                int attempt = 0;
                while (more) {
                    int rows = attempt++ % 3 == 0 ? 200_000 : 7_000;
                    Optional<Chunk> c;
                    try {
                        c = source.readChunk(rows);
                    } catch (PolarwayException e) {
                        assertThat(e).isInstanceOf(MemoryLimitException.class);
                        failures++;
                        continue;
                    }
                    if (c.isEmpty()) {
                        more = false;
                    } else {
                        try (Chunk chunk = c.get()) {
                            sum.accept(chunk);
                        }
                    }
                }
            }
            assertThat(failures).isPositive();
            assertThat(sum.exactly(ROWS)).as(sum.toString()).isTrue();
            assertThat(sum.ascending).isTrue();
        }
        assertThat(tempFiles()).isZero();
    }
}
