package io.polarway.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code polarway stream FILE --source csv --option ... --output out.csv} round-trips: the output, read back with the
 * {@code csv} source, has the same columns, types and values as the input read with the options given.
 */
class CsvRoundTripTest {
    /**
     * Semicolon-separated, with a null marker, quoted semicolons, doubled quotes, quoted CRLF and LF line breaks,
     * non-ASCII text, every inferred type, and timestamps with and without offsets.
     */
    static final String INPUT = "id;name;score;ok;day;at;at_utc;note\r\n"
            + "1;Zoë;1.5;true;2024-01-31;2024-01-31T10:20:30.123456;2024-01-31T10:20:30Z;plain\r\n"
            + "2;\"semi;colon\";-0.25;FALSE;2024-02-29;2024-02-29 23:59:59;2024-02-29T23:59:59+02:00;\"he said \"\"hi\"\"\"\r\n"
            + "3;NA;1e10;true;NA;NA;NA;\"two\r\nlines\nthree\"\r\n"
            + "4;\"a,b\";NaN;false;1970-01-01;1970-01-01T00:00;1970-01-01T00:00:00.5-01:30;NA\r\n"
            + "5;x;3;true;2000-12-31;2000-12-31T23:59:59.999999;2000-12-31T23:59:59.999999Z;ÿ€\r\n";

    static final Map<String, String> INPUT_OPTIONS = Map.of("delimiter", ";", "null_values", "NA");

    @TempDir
    Path tmp;

    @Test
    void streamingACsvFileToCsvKeepsEveryValue() throws Exception {
        Path in = Files.writeString(tmp.resolve("in.csv"), INPUT, StandardCharsets.UTF_8);
        Path out = tmp.resolve("out.csv");
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        int exit = Polarway.run(new PrintStream(stdout, true, StandardCharsets.UTF_8),
                new PrintStream(stderr, true, StandardCharsets.UTF_8), false,
                "stream", in.toString(), "--source", "csv", "--option", "delimiter=;", "--option", "null_values=NA",
                "--chunk-size", "2", "--memory-limit", "1GB", "--output", out.toString());
        assertThat(exit).as("stderr: %s", stderr).isZero();
        assertThat(stdout.toString(StandardCharsets.UTF_8)).contains("5 rows");

        CsvValues.Table original = CsvValues.read(in, INPUT_OPTIONS);
        CsvValues.Table copy = CsvValues.read(out, Map.of());
        assertThat(original.rows()).hasSize(5);
        assertThat(original.types()).containsExactly("Int(64, true)", "Utf8", "FloatingPoint(DOUBLE)", "Bool",
                "Date(DAY)", "timestamp", "timestamp UTC", "Utf8");
        assertThat(copy.names()).isEqualTo(original.names());
        assertThat(copy.types()).isEqualTo(original.types());
        assertThat(copy.rows()).isEqualTo(original.rows());
        assertThat(original.rows().get(2)).containsExactly(3L, null, 1e10, true, null, null, null,
                "two\r\nlines\nthree");
    }

    @Test
    void aBadRowIsReportedWithFileLineAndColumn() throws Exception {
        Path in = Files.writeString(tmp.resolve("bad.csv"), "a,b\n1,2\n3\n");
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        int exit = Polarway.run(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(stderr, true, StandardCharsets.UTF_8), false,
                "stream", in.toString(), "--source", "csv");
        assertThat(exit).isEqualTo(Polarway.FAILED);
        assertThat(stderr.toString(StandardCharsets.UTF_8)).contains("expected 2 fields, found 1", "bad.csv",
                "line 3", "column 2");
    }

    @Test
    void theCsvSourceIsListedWithItsOptions() {
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        int exit = Polarway.run(new PrintStream(stdout, true, StandardCharsets.UTF_8),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), false, "sources");
        assertThat(exit).isZero();
        String listing = stdout.toString(StandardCharsets.UTF_8);
        for (String key : List.of("delimiter", "has_header", "null_values", "on_bad_row")) {
            assertThat(listing).contains(key);
        }
    }
}
