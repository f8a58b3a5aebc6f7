package io.polarway.source.file;

import io.polarway.api.Chunk;
import io.polarway.api.SourceConfig;
import io.polarway.api.StreamingSource;
import io.polarway.error.SchemaException;
import org.apache.arrow.vector.types.pojo.Field;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * CSV files through the file source, with the CSV module's format found through the {@code TextFormat} SPI: plain and
 * gzip files in a directory, in order and in parallel; a directory mixing CSV and Parquet with the same columns reads
 * as one table, and with different columns is a schema error naming the file (or the union, with unify_schemas).
 */
class CsvFileTest {
    static final int FILES = 6;
    static final long PER_FILE = 25_000;
    static final long ROWS = FILES * PER_FILE;

    @TempDir
    static Path root;
    static Path csvDir;
    static Path mixedDir;

    final SourceFixture fx = new SourceFixture();

    @BeforeAll
    static void write() throws Exception {
        csvDir = Files.createDirectories(root.resolve("csv"));
        for (int i = 0; i < FILES; i++) {
            boolean gz = i % 2 == 1;
            writeCsv(csvDir.resolve(String.format("part-%02d.csv%s", i, gz ? ".gz" : "")), i * PER_FILE, PER_FILE, gz,
                    true);
        }
        // mixed: part-00.parquet, part-01.csv, part-02.csv.gz, part-03.parquet, ... one table across formats
        mixedDir = Files.createDirectories(root.resolve("mixed"));
        for (int i = 0; i < FILES; i++) {
            long from = i * PER_FILE;
            switch (i % 3) {
                case 0 -> TestData.parquet(mixedDir.resolve(String.format("part-%02d.parquet", i)), from, PER_FILE,
                        10_000);
                case 1 -> writeCsv(mixedDir.resolve(String.format("part-%02d.csv", i)), from, PER_FILE, false, true);
                default -> writeCsv(mixedDir.resolve(String.format("part-%02d.csv.gz", i)), from, PER_FILE, true,
                        true);
            }
        }
    }

    /** Rows of {@link TestData}'s values as CSV with a header; null strings as empty fields; no final newline. */
    static void writeCsv(Path file, long from, long rows, boolean gzip, boolean withFlag) throws IOException {
        try (OutputStream raw = Files.newOutputStream(file);
             OutputStream out = gzip ? new GZIPOutputStream(raw) : raw;
             Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8)) {
            w.write(withFlag ? "id,v,s,flag" : "id,v,s");
            for (long id = from; id < from + rows; id++) {
                String s = TestData.s(id);
                w.write("\n" + id + "," + TestData.v(id) + "," + (s == null ? "" : s)
                        + (withFlag ? "," + TestData.flag(id) : ""));
            }
        }
    }

    @AfterEach
    void close() {
        fx.close();
    }

    @ParameterizedTest
    @ValueSource(ints = {1_000, 24_999, 60_000})
    void aDirectoryOfPlainAndGzipCsvDeliversEveryRowOnceInOrder(int chunkRows) {
        try (StreamingSource source = fx.open(SourceConfig.of(csvDir.toString()))) {
            assertThat(source.metadata().schema().getFields()).extracting(Field::getName)
                    .containsExactly("id", "v", "s", "flag");
        }
        TestData.Checksum sum = fx.readAll(SourceConfig.of(csvDir.toString()), chunkRows);
        assertThat(sum.exactly(ROWS)).as(sum.toString()).isTrue();
        assertThat(sum.ascending).isTrue();
    }

    @Test
    void parallelAndProjectedAndFormatOptionsPassThrough() throws IOException {
        TestData.Checksum par = fx.readAll(SourceConfig.of(csvDir.toString()).withParallel(true)
                .withOption("max_concurrency", "3"), 10_000);
        assertThat(par.exactly(ROWS)).as(par.toString()).isTrue();
        assertThat(par.ascending).isTrue();

        TestData.Checksum projected = fx.readAll(SourceConfig.of(csvDir.toString()).withOption("columns", "id,s"),
                30_000);
        assertThat(projected.exactly(ROWS, false, true, false)).as(projected.toString()).isTrue();

        // a CSV option (delimiter) reaches the format through the file source
        Path semi = root.resolve("semi");
        Files.createDirectories(semi);
        Files.writeString(semi.resolve("a.csv"), "id;v;s;flag\n0;0.0;;true\n1;0.5;s1;false\n");
        TestData.Checksum two = fx.readAll(SourceConfig.of(semi.toString()).withOption("delimiter", ";"), 10);
        assertThat(two.exactly(2)).as(two.toString()).isTrue();
    }

    @Test
    void aKeyTwoFormatsShareIsCheckedOnlyByTheFormatsInUse(@TempDir Path dir) throws IOException {
        // CSV takes infer_schema_length=0 (every column text); JSON lines needs at least 1
        try (StreamingSource source = fx.open(SourceConfig.of(csvDir.toString())
                .withOption("infer_schema_length", "0"))) {
            assertThat(source.metadata().schema().getFields())
                    .allMatch(f -> f.getType().equals(org.apache.arrow.vector.types.pojo.ArrowType.Utf8.INSTANCE));
        }
        Files.writeString(dir.resolve("a.jsonl"), "{\"id\":1}\n");
        assertThatThrownBy(() -> fx.open(SourceConfig.of(dir.toString()).withOption("infer_schema_length", "0")))
                .isInstanceOf(io.polarway.error.ConfigException.class).hasMessageContaining("infer_schema_length");
    }

    @Test
    void aDirectoryMixingCsvAndParquetWithTheSameColumnsIsOneTable() {
        TestData.Checksum sum = fx.readAll(SourceConfig.of(mixedDir.toString()), 17_000);
        assertThat(sum.exactly(ROWS)).as(sum.toString()).isTrue();
        assertThat(sum.ascending).isTrue();
        TestData.Checksum par = fx.readAll(SourceConfig.of(mixedDir.toString()).withParallel(true), 17_000);
        assertThat(par.exactly(ROWS)).as(par.toString()).isTrue();
    }

    @Test
    void mixedFilesWithDifferentColumnsAreASchemaErrorNamingTheFileOrTheirUnion(@TempDir Path dir) throws Exception {
        TestData.parquet(dir.resolve("a.parquet"), 0, 1_000, 1_000);
        Path lacking = dir.resolve("b.csv");
        writeCsv(lacking, 1_000, 1_000, false, false); // no flag column
        assertThatThrownBy(() -> fx.readAll(SourceConfig.of(dir.toString()), 500))
                .isInstanceOfSatisfying(SchemaException.class, e -> {
                    assertThat(e.where().orElseThrow().resource()).isEqualTo(lacking.toString());
                    assertThat(e.getMessage()).contains("b.csv").contains("flag").contains("unify_schemas");
                });

        long nullFlags = 0;
        long rows = 0;
        try (StreamingSource source = fx.open(SourceConfig.of(dir.toString()).withOption("unify_schemas", "true"))) {
            assertThat(source.metadata().schema().getFields()).extracting(Field::getName)
                    .containsExactly("id", "v", "s", "flag");
            for (Optional<Chunk> c; (c = source.readChunk(300)).isPresent(); ) {
                try (Chunk chunk = c.get()) {
                    rows += chunk.rowCount();
                    for (int i = 0; i < chunk.rowCount(); i++) {
                        if (chunk.root().getVector("flag").isNull(i)) nullFlags++;
                    }
                }
            }
        }
        assertThat(rows).isEqualTo(2_000);
        assertThat(nullFlags).as("the CSV file's rows have no flag").isEqualTo(1_000);

        // a type conflict cannot be unified: a CSV whose id column is text
        Path text = dir.resolve("c.csv");
        Files.writeString(text, "id,v,s,flag\nx1,0.5,s,true\n");
        assertThatThrownBy(() -> fx.open(SourceConfig.of(dir.toString()).withOption("unify_schemas", "true")))
                .isInstanceOfSatisfying(SchemaException.class, e ->
                        assertThat(e.getMessage()).contains("c.csv").contains("'id'"));
    }

    @Test
    void aTruncatedGzipCsvIsATypedErrorNamingTheFile(@TempDir Path dir) throws IOException {
        Path good = dir.resolve("a.csv.gz");
        writeCsv(good, 0, 50_000, true, true);
        byte[] bytes = Files.readAllBytes(good);
        Path cut = dir.resolve("b.csv.gz");
        Files.write(cut, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        assertThatThrownBy(() -> fx.readAll(SourceConfig.of(cut.toString()), 10_000))
                .isInstanceOf(io.polarway.error.PolarwayException.class)
                .hasMessageContaining("b.csv.gz");
    }
}
