package io.polarway.bench.scenario;

import io.polarway.profile.VmProfile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Scenarios over generated files: the file is written once per parameter set, deterministic, with ids 0..n-1, and a
 * scenario run reads every row of it once through the file source (Parquet in windows of row groups, IPC mapped).
 */
class GeneratedFilesTest {
    @TempDir
    Path dir;

    @AfterEach
    void clearLocation() {
        System.clearProperty(GeneratedFiles.LOCATION_PROPERTY);
    }

    private static Scenario scenario(String format, int batchRows, String extraStream) throws Exception {
        String yaml = "name: t\ndescription: x\nsuites: [default]\nprofiles: [B1s]\n"
                + "dataset:\n  source: file\n  generate: {format: " + format + ", seed: 5, batch_rows: " + batchRows
                + "}\n  size_x_ram: {default: 0.01}\n  row_width_bytes: 100\n"
                + "stream:\n  policy: guide\n  chunk_rows: 5000\n  prefetch: true\n  memory_limit: recommended\n"
                + extraStream;
        return Scenario.parse(yaml.getBytes(), "t");
    }

    @Test
    void aFileIsWrittenOnceAndReusedByItsParameters() throws Exception {
        VmProfile b1s = VmProfile.load("B1s");
        Scenario sc = scenario("parquet", 20_000, "");
        Path first = GeneratedFiles.prepare(sc.dataset(), b1s, "default", dir);
        assertThat(first.getFileName().toString()).startsWith("parquet-" + sc.dataset().rows(b1s, "default") + "r-");
        FileTime written = Files.getLastModifiedTime(first);
        byte[] bytes = Files.readAllBytes(first);
        assertThat(GeneratedFiles.prepare(sc.dataset(), b1s, "default", dir)).isEqualTo(first);
        assertThat(Files.getLastModifiedTime(first)).isEqualTo(written);

        // the same parameters in another cache give the same bytes (deterministic); another seed another file
        Path again = GeneratedFiles.prepare(sc.dataset(), b1s, "default", Files.createDirectories(dir.resolve("b")));
        assertThat(Files.readAllBytes(again)).isEqualTo(bytes);
        long size = Files.size(first);
        long rows = sc.dataset().rows(b1s, "default");
        assertThat(size).as("about rows × row width").isBetween(rows * 80, rows * 130);
    }

    @Test
    void aParquetScenarioReadsEveryRowOnce() throws Exception {
        VmProfile b1s = VmProfile.load("B1s");
        // a window size far below the file, so the run goes through the windowed scan
        Scenario sc = scenario("parquet", 8_192, "");
        Path file = GeneratedFiles.prepare(sc.dataset(), b1s, "default", dir);
        System.setProperty(GeneratedFiles.LOCATION_PROPERTY, file.toString());
        Scenario windowed = Scenario.parse(("name: t\ndescription: x\nsuites: [default]\nprofiles: [B1s]\n"
                + "dataset:\n  source: file\n  generate: {format: parquet, seed: 5, batch_rows: 8192}\n"
                + "  size_x_ram: {default: 0.01}\n  row_width_bytes: 100\n"
                + "  options: {parquet_window_bytes: 2MiB, temp_dir: " + dir + "}\n"
                + "stream:\n  policy: guide\n  chunk_rows: 5000\n  prefetch: true\n  memory_limit: recommended\n")
                .getBytes(), "t");
        ScenarioRun.Result r = new ScenarioRun(windowed, b1s, "default", dir.resolve("timeline.jsonl")).execute();
        assertThat(r.exactlyOnce()).isTrue();
        assertThat(r.rows()).isEqualTo(sc.dataset().rows(b1s, "default"));
        assertThat(r.stats().counters().get("parquet_windows")).isGreaterThan(1L);
    }

    @Test
    void anIpcScenarioReadsEveryRowOnce() throws Exception {
        VmProfile b1s = VmProfile.load("B1s");
        Scenario sc = scenario("arrow", 10_000, "");
        Path file = GeneratedFiles.prepare(sc.dataset(), b1s, "default", dir);
        assertThat(file.getFileName().toString()).endsWith(".arrow");
        System.setProperty(GeneratedFiles.LOCATION_PROPERTY, file.toString());
        ScenarioRun.Result r = new ScenarioRun(sc, b1s, "default", dir.resolve("timeline.jsonl")).execute();
        assertThat(r.exactlyOnce()).isTrue();
        assertThat(r.rows()).isEqualTo(sc.dataset().rows(b1s, "default"));
    }
}
