package io.polarway.format.jsonl;

import com.github.luben.zstd.ZstdOutputStream;
import io.polarway.api.StatsRecorder;
import io.polarway.config.Options;
import io.polarway.error.ConfigException;
import io.polarway.error.ParseException;
import io.polarway.error.SchemaException;
import io.polarway.format.Compression;
import io.polarway.format.FormatReader;
import io.polarway.format.TextFormat;
import io.polarway.format.TextFormats;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.OutOfMemoryException;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The {@code jsonl} text format on its own: records, lines, chunks, errors, options, compression, memory. */
class JsonLinesFormatTest {
    private final BufferAllocator allocator = new RootAllocator();
    private final TextFormat format = new JsonLinesFormat();
    private final StatsRecorder stats = new StatsRecorder();

    @AfterEach
    void close() {
        allocator.close(); // fails the test when a buffer leaked
    }

    private FormatReader open(String text, Map<String, String> options) {
        return open(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), options);
    }

    private FormatReader open(InputStream in, Map<String, String> options) {
        Options parsed = format.options().parse(options);
        return format.open(in, "data.jsonl", parsed, stats);
    }

    /** Every row of the stream as text per column, read at {@code maxRows} per batch. */
    private List<List<String>> readAll(FormatReader r, int maxRows, List<Integer> batchSizes) {
        List<List<String>> rows = new ArrayList<>();
        for (VectorSchemaRoot next; (next = r.read(allocator, maxRows)) != null; ) {
            try (VectorSchemaRoot b = next) {
                assertThat(b.getRowCount()).isPositive().isLessThanOrEqualTo(maxRows);
                if (batchSizes != null) batchSizes.add(b.getRowCount());
                for (int i = 0; i < b.getRowCount(); i++) {
                    List<String> row = new ArrayList<>();
                    for (FieldVector v : b.getFieldVectors()) {
                        Object o = v.getObject(i);
                        row.add(o == null ? null : o.toString());
                    }
                    rows.add(row);
                }
            }
        }
        return rows;
    }

    @Test
    void typesAreInferredAndBlankLinesSkippedAndTheLastLineNeedsNoNewline() {
        String text = "\n{\"id\":1,\"x\":1.5,\"s\":\"a\",\"b\":true,\"n\":null,\"o\":{\"k\":1},\"l\":[1,2]}\n"
                + "   \n\r\n"
                + "{\"id\":2,\"x\":2,\"s\":null,\"b\":false,\"n\":null,\"o\":{\"k\":2},\"l\":[]}\r\n"
                + "{\"id\":3,\"x\":-0.25,\"s\":\"c\",\"b\":null,\"o\":null,\"l\":null}";
        try (FormatReader r = open(text, Map.of())) {
            assertThat(r.schema().getFields()).extracting(Field::getName)
                    .containsExactly("id", "x", "s", "b", "n", "o", "l");
            VectorSchemaRoot b = r.read(allocator, 100);
            try (b) {
                assertThat(b.getRowCount()).isEqualTo(3);
                assertThat(b.getVector("id")).isInstanceOf(BigIntVector.class);
                assertThat(b.getVector("x")).isInstanceOf(Float8Vector.class); // int64 widened to float64
                assertThat(((Float8Vector) b.getVector("x")).get(1)).isEqualTo(2.0);
                assertThat(b.getVector("s")).isInstanceOf(VarCharVector.class);
                assertThat(b.getVector("s").isNull(1)).isTrue();
                assertThat(b.getVector("b")).isInstanceOf(BitVector.class);
                assertThat(b.getVector("b").isNull(2)).isTrue();
                assertThat(b.getVector("n").getField().getType()).isEqualTo(ArrowType.Utf8.INSTANCE);
                assertThat(b.getVector("o")).isInstanceOf(StructVector.class);
                assertThat(b.getVector("l")).isInstanceOf(ListVector.class);
                assertThat(b.getVector("l").getObject(0).toString()).isEqualTo("[1,2]");
                assertThat(((BigIntVector) b.getVector("id")).get(2)).isEqualTo(3);
            }
            assertThat(r.read(allocator, 100)).isNull();
            assertThat(r.read(allocator, 100)).as("end is sticky").isNull();
        }
        assertThat(stats.snapshot().bytesRead()).isEqualTo(text.getBytes(StandardCharsets.UTF_8).length);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 999, 1000, 1001, 5000})
    void recordsCarryAcrossBatchesInOrder(int maxRows) {
        int n = 3_217;
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) sb.append("{\"id\":").append(i).append(",\"s\":\"").append("x".repeat(i % 50))
                .append("\"}\n");
        List<Integer> sizes = new ArrayList<>();
        try (FormatReader r = open(sb.toString(), Map.of())) {
            List<List<String>> rows = readAll(r, maxRows, sizes);
            assertThat(rows).hasSize(n);
            for (int i = 0; i < n; i++) assertThat(rows.get(i).get(0)).isEqualTo(Integer.toString(i));
        }
        assertThat(sizes.subList(0, sizes.size() - 1)).allMatch(s -> s == maxRows);
    }

    /** A stream that hands out one or a few bytes per read: every record straddles many reads. */
    private static InputStream trickle(byte[] bytes) {
        return new InputStream() {
            int pos;

            @Override
            public int read() {
                return pos < bytes.length ? bytes[pos++] & 0xff : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (pos >= bytes.length) return -1;
                int n = Math.min(Math.min(len, 1 + pos % 3), bytes.length - pos);
                System.arraycopy(bytes, pos, b, off, n);
                pos += n;
                return n;
            }
        };
    }

    @Test
    void recordsSplitAcrossStreamReadsAndParserBuffersArriveWhole() {
        StringBuilder sb = new StringBuilder();
        String big = "é€𝄞".repeat(3_000); // multi-byte characters across Jackson's 8000-byte buffers
        for (int i = 0; i < 40; i++) sb.append("{\"id\":").append(i).append(",\"s\":\"").append(big).append("\"}\n");
        try (FormatReader r = open(trickle(sb.toString().getBytes(StandardCharsets.UTF_8)), Map.of())) {
            List<List<String>> rows = readAll(r, 3, null);
            assertThat(rows).hasSize(40);
            assertThat(rows).allMatch(row -> row.get(1).equals(big));
            assertThat(rows.get(39).get(0)).isEqualTo("39");
        }
    }

    @Test
    void malformedJsonNamesTheFileLineColumnAndByte() {
        String text = "{\"a\":1}\n{\"a\":2}\n{\"a\": nope}\n{\"a\":4}\n";
        try (FormatReader r = open(text, Map.of())) {
            assertThatThrownBy(() -> r.read(allocator, 10))
                    .isInstanceOfSatisfying(ParseException.class, e -> {
                        assertThat(e.where().orElseThrow().resource()).isEqualTo("data.jsonl");
                        assertThat(e.where().orElseThrow().line()).isEqualTo(3);
                        assertThat(e.where().orElseThrow().byteOffset()).isBetween(22L, 27L);
                        assertThat(e.getMessage()).contains("data.jsonl").contains("line 3");
                    });
            // broken for good: no silent skip past the bad line
            assertThatThrownBy(() -> r.read(allocator, 10)).isInstanceOf(ParseException.class);
        }
    }

    @Test
    void aTruncatedLastRecordIsAParseErrorAtItsLine() {
        try (FormatReader r = open("{\"a\":1}\n{\"a\":2,\"b\":[1,", Map.of())) {
            assertThatThrownBy(() -> r.read(allocator, 10))
                    .isInstanceOfSatisfying(ParseException.class, e -> {
                        assertThat(e.where().orElseThrow().line()).isEqualTo(2);
                        assertThat(e.getMessage()).contains("end-of-input");
                    });
        }
    }

    @Test
    void twoValuesOnALineOrOneValueOverSeveralAreParseErrors() {
        try (FormatReader r = open("{\"a\":1}\n{\"a\":2}{\"a\":3}\n", Map.of())) {
            assertThatThrownBy(() -> r.read(allocator, 10))
                    .isInstanceOfSatisfying(ParseException.class, e -> {
                        assertThat(e.where().orElseThrow().line()).isEqualTo(2);
                        assertThat(e.where().orElseThrow().byteOffset()).isEqualTo(15);
                        assertThat(e.getMessage()).contains("second JSON value on line 2");
                    });
        }
        try (FormatReader r = open("{\"a\":1}\n{\n  \"a\": 2\n}\n", Map.of())) {
            assertThatThrownBy(() -> r.read(allocator, 10))
                    .isInstanceOfSatisfying(ParseException.class, e -> {
                        assertThat(e.where().orElseThrow().line()).isEqualTo(2);
                        assertThat(e.getMessage()).contains("continues on line 4");
                    });
        }
    }

    @Test
    void valuesThatAreNotObjectsBecomeAValueColumn() {
        try (FormatReader r = open("1\n2\n\"three\"\n", Map.of())) {
            List<List<String>> rows = readAll(r, 10, null);
            assertThat(rows).containsExactly(List.of("1"), List.of("2"), List.of("three"));
            assertThat(r.schema().getFields()).extracting(Field::getName).containsExactly("value");
        }
    }

    @Test
    void anExplicitSchemaCoercesAndKeepsDecimalsExact() {
        String schema = "[{\"name\":\"id\",\"type\":\"int64\"},{\"name\":\"amount\",\"type\":\"decimal(20,4)\"},"
                + "{\"name\":\"day\",\"type\":\"date32\"}]";
        try (FormatReader r = open("{\"id\":\"7\",\"amount\":12345678901234.5678,\"day\":\"2024-02-29\"}\n",
                Map.of("schema", schema))) {
            assertThat(r.schema().getFields()).extracting(Field::getName).containsExactly("id", "amount", "day");
            try (VectorSchemaRoot b = r.read(allocator, 10)) {
                assertThat(((BigIntVector) b.getVector("id")).get(0)).isEqualTo(7);
                assertThat(((DecimalVector) b.getVector("amount")).getObject(0))
                        .isEqualTo(new BigDecimal("12345678901234.5678"));
                assertThat(b.getVector("day").getObject(0).toString()).isEqualTo("19782");
            }
        }
        assertThatThrownBy(() -> open("{}", Map.of("schema", "[{\"name\":\"x\"")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("schema");
    }

    @Test
    void inferenceLengthUnknownFieldsAndNestedMode() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 20; i++) sb.append("{\"id\":").append(i).append("}\n");
        sb.append("{\"id\":20,\"late\":\"x\"}\n");
        String text = sb.toString();
        // the sample is what is pending at the first batch: at least infer_schema_length records
        try (FormatReader r = open(text, Map.of("infer_schema_length", "10"))) {
            assertThatThrownBy(() -> readAll(r, 5, null))
                    .isInstanceOfSatisfying(SchemaException.class, e -> {
                        assertThat(e.getMessage()).contains("late").contains("infer_schema_length");
                        assertThat(e.where().orElseThrow().line()).isEqualTo(21);
                    });
        }
        try (FormatReader r = open(text, Map.of("infer_schema_length", "10", "unknown_fields", "ignore"))) {
            assertThat(readAll(r, 5, null)).hasSize(21);
        }
        assertThat(stats.snapshot().counters()).containsEntry("unknown_fields_dropped", 1L);
        try (FormatReader r = open(text, Map.of("infer_schema_length", "50"))) {
            assertThat(r.schema().getFields()).extracting(Field::getName).containsExactly("id", "late");
        }
        try (FormatReader r = open("{\"o\":{\"a\":[1,{\"b\":2}]}}\n", Map.of("nested_mode", "json"))) {
            assertThat(readAll(r, 10, null)).containsExactly(List.of("{\"a\":[1,{\"b\":2}]}"));
        }
    }

    @Test
    void gzipAndZstdThroughCompressionAndFoundByExtension() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 10_000; i++) sb.append("{\"id\":").append(i).append("}\n");
        byte[] plain = sb.toString().getBytes(StandardCharsets.UTF_8);
        for (boolean zstd : new boolean[]{false, true}) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (OutputStream z = zstd ? new ZstdOutputStream(out) : new GZIPOutputStream(out)) {
                z.write(plain);
            }
            try (FormatReader r = open(Compression.decompress(new ByteArrayInputStream(out.toByteArray())), Map.of())) {
                assertThat(readAll(r, 4_096, null)).hasSize(10_000);
            }
            // cut in the middle: a typed error, not a silent end
            byte[] cut = Arrays.copyOf(out.toByteArray(), out.size() / 2);
            try (FormatReader r = open(Compression.decompress(new ByteArrayInputStream(cut)), Map.of())) {
                assertThatThrownBy(() -> readAll(r, 4_096, null)).isInstanceOf(ParseException.class)
                        .hasMessageContaining("data.jsonl");
            }
        }
        TextFormats installed = TextFormats.installed();
        assertThat(installed.byName("jsonl")).containsInstanceOf(JsonLinesFormat.class);
        assertThat(installed.forFileName("part-1.jsonl.gz")).containsInstanceOf(JsonLinesFormat.class);
        assertThat(installed.forFileName("x.NDJSON.zst")).containsInstanceOf(JsonLinesFormat.class);
        assertThat(installed.forFileName("x.json")).isEmpty();
    }

    @Test
    void anAllocationFailureKeepsTheRecordsForARetry() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 5_000; i++) sb.append("{\"id\":").append(i).append(",\"s\":\"").append("y".repeat(40))
                .append("\"}\n");
        try (FormatReader r = open(sb.toString(), Map.of())) {
            try (BufferAllocator tiny = allocator.newChildAllocator("tiny", 0, 16 * 1024)) {
                assertThatThrownBy(() -> r.read(tiny, 5_000)).isInstanceOf(OutOfMemoryException.class);
                assertThat(tiny.getAllocatedMemory()).isZero();
            }
            List<List<String>> rows = readAll(r, 5_000, null);
            assertThat(rows).hasSize(5_000);
            assertThat(rows.get(0).get(0)).isEqualTo("0");
        }
    }

    @Test
    void anEmptyInputHasNoRowsAndNoSchemaUnlessGiven() {
        try (FormatReader r = open("\n\n  \n", Map.of())) {
            assertThat(r.schema()).isNull();
            assertThat(r.read(allocator, 10)).isNull();
        }
        try (FormatReader r = open("", Map.of("schema", "{\"id\":\"int64\"}"))) {
            assertThat(r.schema().getFields()).extracting(Field::getName).containsExactly("id");
            assertThat(r.read(allocator, 10)).isNull();
        }
    }

    @Test
    void batchesAreCappedByTextBytesNotOnlyRows() {
        String pad = "z".repeat(1_000);
        StringBuilder sb = new StringBuilder();
        int n = 20_000; // ~20 MB of text
        for (int i = 0; i < n; i++) sb.append("{\"id\":").append(i).append(",\"p\":\"").append(pad).append("\"}\n");
        List<Integer> sizes = new ArrayList<>();
        try (FormatReader r = open(sb.toString(), Map.of())) {
            assertThat(readAll(r, n, sizes)).hasSize(n);
        }
        assertThat(sizes.size()).as("batches of at most ~8 MiB of text").isGreaterThanOrEqualTo(3);
        assertThat(sizes.get(0)).isLessThan(n);
    }
}
