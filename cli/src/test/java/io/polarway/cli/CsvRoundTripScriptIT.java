package io.polarway.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The same round trip as {@link CsvRoundTripTest}, through {@code scripts/polarway} and the shaded jar (run by
 * failsafe after {@code package}): the csv source must be in the jar, found through ServiceLoader.
 */
class CsvRoundTripScriptIT {
    @TempDir
    Path tmp;

    @Test
    void scriptsPolarwayStreamsACsvFileToCsv() throws Exception {
        Path root = Path.of(System.getProperty("user.dir")).getParent(); // failsafe runs in cli/
        Path script = root.resolve("scripts/polarway");
        assertThat(script).exists();
        assertThat(root.resolve("cli/target/polarway.jar")).exists();
        Path in = Files.writeString(tmp.resolve("in.csv"), CsvRoundTripTest.INPUT, StandardCharsets.UTF_8);
        Path out = tmp.resolve("out.csv");
        Path log = tmp.resolve("run.log");
        Process p = new ProcessBuilder(List.of("bash", script.toString(), "stream", in.toString(), "--source", "csv",
                "--option", "delimiter=;", "--option", "null_values=NA", "--chunk-size", "2", "--parallel",
                "--output", out.toString()))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("scripts/polarway did not finish in 120 s");
        }
        String output = Files.readString(log);
        assertThat(p.exitValue()).as(output).isZero();
        assertThat(output).contains("5 rows");
        CsvValues.Table original = CsvValues.read(in, CsvRoundTripTest.INPUT_OPTIONS);
        CsvValues.Table copy = CsvValues.read(out, Map.of());
        assertThat(copy.types()).isEqualTo(original.types());
        assertThat(copy.rows()).isEqualTo(original.rows());
    }
}
