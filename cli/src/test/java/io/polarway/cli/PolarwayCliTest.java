package io.polarway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.ipc.message.ArrowBlock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The {@code polarway} command run in-process: outputs, stats, errors and listings. */
class PolarwayCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    record Run(int exit, String out, String err) {
    }

    static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            exit = Polarway.run(o, e, false, args);
        }
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static final String[] GENERATED = {"stream", "synthetic", "--source", "generate", "--option", "rows=5000",
            "--option", "columns=3", "--option", "types=int64,utf8,float64", "--option", "null_fraction=0.2",
            "--chunk-size", "700"};

    private static String[] with(String... more) {
        List<String> all = new ArrayList<>(List.of(GENERATED));
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }

    @Test
    void csvOutputHasAHeaderEveryRowAndNullsAsEmptyFields() throws Exception {
        Path out = tmp.resolve("out.csv");
        Run r = run(with("--output", out.toString()));
        assertThat(r.exit()).as(r.err()).isZero();
        List<String> lines = Files.readAllLines(out);
        assertThat(lines.get(0)).isEqualTo("id,c1,c2,c3");
        assertThat(lines).hasSize(5001);
        long emptyFields = 0;
        for (int i = 1; i < lines.size(); i++) {
            String[] f = lines.get(i).split(",", -1);
            assertThat(f).hasSize(4);
            assertThat(Long.parseLong(f[0])).isEqualTo(i - 1); // every row once, in order
            for (int c = 1; c < 4; c++) if (f[c].isEmpty()) emptyFields++;
        }
        // ~20 % of 15,000 value fields are null and written as empty fields
        assertThat(emptyFields).isBetween(2_000L, 4_000L);
        assertThat(r.out()).contains("5,000 rows");
    }

    @Test
    void arrowOutputIsAnIpcFileWithEveryRow() throws Exception {
        Path out = tmp.resolve("out.arrow");
        Run r = run(with("--output", out.toString()));
        assertThat(r.exit()).as(r.err()).isZero();
        long expected = 0;
        try (RootAllocator alloc = new RootAllocator();
             FileChannel ch = FileChannel.open(out);
             ArrowFileReader reader = new ArrowFileReader(ch, alloc)) {
            VectorSchemaRoot root = reader.getVectorSchemaRoot();
            assertThat(root.getSchema().getFields()).hasSize(4);
            for (ArrowBlock block : reader.getRecordBlocks()) {
                reader.loadRecordBatch(block);
                BigIntVector id = (BigIntVector) root.getVector("id");
                for (int i = 0; i < root.getRowCount(); i++) assertThat(id.get(i)).isEqualTo(expected++);
            }
        }
        assertThat(expected).isEqualTo(5000);
    }

    @Test
    void jsonLinesOutputHasOneObjectPerRowWithNulls() throws Exception {
        Path out = tmp.resolve("out.jsonl");
        Run r = run(with("--output", out.toString()));
        assertThat(r.exit()).as(r.err()).isZero();
        List<String> lines = Files.readAllLines(out);
        assertThat(lines).hasSize(5000);
        long nulls = 0;
        for (int i = 0; i < lines.size(); i++) {
            JsonNode n = JSON.readTree(lines.get(i));
            assertThat(n.get("id").asLong()).isEqualTo(i);
            for (String c : List.of("c1", "c2", "c3")) {
                assertThat(n.has(c)).isTrue();
                if (n.get(c).isNull()) nulls++;
            }
            if (!n.get("c1").isNull()) assertThat(n.get("c1").isIntegralNumber()).isTrue();
        }
        assertThat(nulls).isBetween(2_000L, 4_000L);
    }

    @Test
    void statsFileHasTheDocumentedKeys() throws Exception {
        Path stats = tmp.resolve("stats.json");
        Run r = run(with("--stats", stats.toString(), "--prefetch"));
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode s = JSON.readTree(stats.toFile());
        for (String key : List.of("rows", "chunks", "bytes_read", "peak_memory_bytes", "avg_chunk_time_ms",
                "elapsed_ms", "chunk_size_min", "chunk_size_max", "pauses")) {
            assertThat(s.has(key)).as(key).isTrue();
        }
        assertThat(s.get("rows").asLong()).isEqualTo(5000);
        assertThat(s.get("chunks").asLong()).isGreaterThanOrEqualTo(2);
        assertThat(s.get("bytes_read").asLong()).isPositive();
        assertThat(s.get("peak_memory_bytes").asLong()).isPositive();
        assertThat(s.get("chunk_size_min").asInt()).isLessThanOrEqualTo(s.get("chunk_size_max").asInt());
        assertThat(s.get("error").isNull()).isTrue();
    }

    @Test
    void aChunkThatCannotFitIsAMemoryLimitErrorInOneLineAndInTheStats() throws Exception {
        Path stats = tmp.resolve("stats.json");
        // one row of 1,000 × 1 MiB strings cannot fit a 600 MB limit, however small the chunk
        Run r = run("stream", "huge", "--source", "generate", "--option", "rows=3", "--option", "columns=1000",
                "--option", "types=utf8", "--option", "string_length=1048576", "--chunk-size", "1",
                "--memory-limit", "600MB", "--stats", stats.toString());
        assertThat(r.exit()).isEqualTo(Polarway.MEMORY_LIMIT);
        assertThat(r.err().strip().lines()).hasSize(1);
        assertThat(r.err()).startsWith("polarway: error: memory_limit: ").contains("does not fit the memory limit")
                .contains("limit ").contains("attempted ").doesNotContain("\tat ");
        JsonNode s = JSON.readTree(stats.toFile());
        assertThat(s.get("error").get("kind").asText()).isEqualTo("MEMORY_LIMIT");
        assertThat(s.get("error").get("retryable").asBoolean()).isTrue();
        assertThat(s.get("rows").asLong()).isZero();
    }

    @Test
    void aConfigurationErrorIsOneLineWithoutStackTraceUnlessVerbose() {
        Run r = run("stream", "x", "--source", "generate", "--option", "bogus=1");
        assertThat(r.exit()).isEqualTo(Polarway.USAGE);
        assertThat(r.err().strip().lines()).hasSize(1);
        assertThat(r.err()).contains("unknown option 'bogus'").contains("rows").doesNotContain("\tat ");

        Run verbose = run("stream", "x", "--source", "generate", "--option", "bogus=1", "--verbose");
        assertThat(verbose.exit()).isEqualTo(Polarway.USAGE);
        assertThat(verbose.err()).contains("\tat ");
    }

    @Test
    void anUnknownSourceListsTheKnownTypes() {
        Run r = run("stream", "x", "--source", "nosuch");
        assertThat(r.exit()).isNotZero();
        assertThat(r.err().strip().lines()).hasSize(1);
        assertThat(r.err()).contains("nosuch").contains("generate");
    }

    @Test
    void sourcesListsEveryTypeWithItsOptionKeysTypesAndDefaults() {
        Run r = run("sources");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("generate").contains("rows").contains("integer").contains("1000000");
    }

    @Test
    void aProfileSetsTheBudgetAndTheChunkClamp() throws Exception {
        Path stats = tmp.resolve("stats.json");
        Run r = run("stream", "x", "--source", "generate", "--option", "rows=60000", "--chunk-size", "50000",
                "--profile", "B1s", "--stats", stats.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode s = JSON.readTree(stats.toFile());
        assertThat(s.get("budget_bytes").asLong()).isEqualTo(600_000_000L);
        assertThat(s.get("chunk_size_max").asInt()).isLessThanOrEqualTo(5_000);
        assertThat(s.get("rows").asLong()).isEqualTo(60_000);

        Run bad = run("stream", "x", "--source", "generate", "--profile", "m5.large");
        assertThat(bad.exit()).isEqualTo(Polarway.USAGE);
        assertThat(bad.err()).contains("unknown VM profile 'm5.large'").contains("B1s");
    }
}
