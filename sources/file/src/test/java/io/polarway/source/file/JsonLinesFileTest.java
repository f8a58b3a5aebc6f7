package io.polarway.source.file;

import com.github.luben.zstd.ZstdOutputStream;
import io.polarway.api.SourceConfig;
import io.polarway.api.StreamingSource;
import io.polarway.error.ParseException;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * JSON lines through the file source (the engine's {@code jsonl} text format): a directory of plain, gzip and zstd
 * files, in order, in parallel, projected; a bad line is a parse error naming the file and the line.
 */
class JsonLinesFileTest {
    static final int FILES = 6;
    static final long PER_FILE = 20_000;
    static final long ROWS = FILES * PER_FILE;

    @TempDir
    static Path root;
    static Path dir;

    final SourceFixture fx = new SourceFixture();

    /** part-00.jsonl, part-01.jsonl.gz, part-02.ndjson.zst, ... with ids in file order (and a README to skip). */
    @BeforeAll
    static void write() throws IOException {
        dir = Files.createDirectories(root.resolve("jsonl"));
        for (int i = 0; i < FILES; i++) {
            String name = switch (i % 3) {
                case 0 -> String.format("part-%02d.jsonl", i);
                case 1 -> String.format("part-%02d.jsonl.gz", i);
                default -> String.format("part-%02d.ndjson.zst", i);
            };
            write(dir.resolve(name), i * PER_FILE, PER_FILE, i % 3);
        }
        Files.writeString(dir.resolve("README.txt"), "not data");
    }

    /** Rows {@code [from, from + rows)} of {@link TestData}'s values as JSON lines, blank lines between some. */
    static void write(Path file, long from, long rows, int compression) throws IOException {
        try (OutputStream raw = Files.newOutputStream(file);
             OutputStream out = compression == 1 ? new GZIPOutputStream(raw)
                     : compression == 2 ? new ZstdOutputStream(raw) : raw;
             Writer w = new java.io.OutputStreamWriter(out, StandardCharsets.UTF_8)) {
            for (long id = from; id < from + rows; id++) {
                String s = TestData.s(id);
                w.write("{\"id\":" + id + ",\"v\":" + TestData.v(id) + ",\"s\":"
                        + (s == null ? "null" : "\"" + s + "\"") + ",\"flag\":" + TestData.flag(id) + "}");
                if (id < from + rows - 1) w.write(id % 1000 == 0 ? "\n\n" : "\n"); // no newline after the last
            }
        }
    }

    @AfterEach
    void close() {
        fx.close();
    }

    @ParameterizedTest
    @ValueSource(ints = {999, 7_777, 20_000, 50_000})
    void aDirectoryOfPlainGzipAndZstdFilesDeliversEveryRowOnceInOrder(int chunkRows) {
        try (StreamingSource source = fx.open(SourceConfig.of(dir.toString()))) {
            assertThat(source.stats().counters()).containsEntry("files_total", (long) FILES);
            assertThat(source.metadata().schema().getFields()).extracting(Field::getName)
                    .containsExactly("id", "v", "s", "flag");
            assertThat(source.metadata().schema().findField("v").getType())
                    .isEqualTo(new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE));
        }
        TestData.Checksum sum = fx.readAll(SourceConfig.of(dir.toString()), chunkRows);
        assertThat(sum.exactly(ROWS)).as(sum.toString()).isTrue();
        assertThat(sum.ascending).isTrue();
        // chunks span files: every chunk but the last is full
        assertThat(sum.chunks).isEqualTo((int) ((ROWS + chunkRows - 1) / chunkRows));
    }

    @Test
    void typesAreTheColumnsTheChecksumReads() {
        try (StreamingSource source = fx.open(SourceConfig.of(dir.resolve("part-01.jsonl.gz").toString()))) {
            var chunk = source.readChunk(10).orElseThrow();
            try (chunk) {
                assertThat(chunk.root().getVector("id")).isInstanceOf(BigIntVector.class);
                assertThat(chunk.root().getVector("v")).isInstanceOf(Float8Vector.class);
                assertThat(chunk.root().getVector("s")).isInstanceOf(VarCharVector.class);
                assertThat(chunk.root().getVector("flag")).isInstanceOf(BitVector.class);
                assertThat(((BigIntVector) chunk.root().getVector("id")).get(0)).isEqualTo(PER_FILE);
            }
        }
    }

    @Test
    void parallelOrderedAndProjectedAndGlobbed() {
        TestData.Checksum par = fx.readAll(SourceConfig.of(dir.toString()).withParallel(true)
                .withOption("max_concurrency", "3"), 15_000);
        assertThat(par.exactly(ROWS)).as(par.toString()).isTrue();
        assertThat(par.ascending).isTrue();

        TestData.Checksum projected = fx.readAll(SourceConfig.of(dir.toString()).withOption("columns", "flag,id"),
                30_000);
        assertThat(projected.exactly(ROWS, false, false, true)).as(projected.toString()).isTrue();

        TestData.Checksum gz = fx.readAll(SourceConfig.of(dir + "/*.jsonl*"), 30_000);
        assertThat(gz.rows).isEqualTo(4 * PER_FILE); // .jsonl and .jsonl.gz, not .ndjson.zst
    }

    @Test
    void aBadLineIsAParseErrorNamingTheFileAndLine(@TempDir Path bad) throws IOException {
        write(bad.resolve("a.jsonl"), 0, 100, 0);
        Path broken = bad.resolve("b.jsonl.gz");
        try (Writer w = new java.io.OutputStreamWriter(new GZIPOutputStream(Files.newOutputStream(broken)),
                StandardCharsets.UTF_8)) {
            w.write("{\"id\":100,\"v\":50.0,\"s\":\"s100\",\"flag\":false}\n");
            w.write("{\"id\":101,\"v\":50.5,\"s\":\"s101\",\"flag\":false}\n");
            w.write("{\"id\":102,\"v\":51.0,\"s\":\"s102\" \"flag\":true}\n"); // missing comma
        }
        assertThatThrownBy(() -> fx.readAll(SourceConfig.of(bad.toString()), 1_000))
                .isInstanceOfSatisfying(ParseException.class, e -> {
                    assertThat(e.where().orElseThrow().resource()).isEqualTo(broken.toString());
                    assertThat(e.where().orElseThrow().line()).isEqualTo(3);
                    assertThat(e.getMessage()).contains("b.jsonl.gz").contains("line 3");
                });
    }
}
