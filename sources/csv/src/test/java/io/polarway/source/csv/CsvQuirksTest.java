package io.polarway.source.csv;

import io.polarway.error.ParseException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

import static io.polarway.source.csv.CsvTesting.read;
import static io.polarway.source.csv.CsvTesting.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The real-world CSV quirks of the issue, each on input where a wrong reader gives a different answer, and the
 * boundary cases: a quoted line break exactly on a chunk boundary and on a read-buffer boundary, for chunk sizes 1 to
 * 10 and every buffer size.
 */
class CsvQuirksTest {

    /** Seven records; record 4 holds a quoted delimiter, a doubled quote and a quoted CRLF and LF. */
    static final String TRICKY = "id,text,n\n"
            + "1,plain,10\n"
            + "2,\"with,comma\",20\n"
            + "3,\"say \"\"hi\"\"\",30\n"
            + "4,\"two\r\nlines\nthree\",40\n"
            + "5,\"\",50\n"
            + "6,,60\n"
            + "7,\"\"\"\",70\n";

    static final List<List<Object>> TRICKY_ROWS = List.of(
            row(1L, "plain", 10L),
            row(2L, "with,comma", 20L),
            row(3L, "say \"hi\"", 30L),
            row(4L, "two\r\nlines\nthree", 40L),
            row(5L, "", 50L),
            row(6L, null, 60L),
            row(7L, "\"", 70L));

    @Test
    void quotedDelimitersDoubledQuotesAndLineBreaks() {
        CsvTesting.Result r = read(TRICKY);
        assertThat(r.names()).containsExactly("id", "text", "n");
        assertThat(r.types()).containsExactly("Int(64, true)", "Utf8", "Int(64, true)");
        assertThat(r.rows()).isEqualTo(TRICKY_ROWS);
    }

    @Test
    void everyChunkSizeAndEveryBufferSizePutsBoundariesOnTheQuotedLineBreaks() {
        byte[] bytes = TRICKY.getBytes(StandardCharsets.UTF_8);
        int lineBreak = TRICKY.indexOf("two\r\n") + 4; // the LF of the quoted CRLF
        int secondBreak = TRICKY.indexOf("lines\n") + 5;
        // the first fill ends exactly on each quoted line break (and one byte either side) for these sizes:
        List<Integer> sizes = new ArrayList<>(List.of(lineBreak - 1, lineBreak, lineBreak + 1, secondBreak,
                secondBreak + 1));
        for (int b = 1; b <= bytes.length + 1; b++) sizes.add(b);
        for (int buffer : sizes) {
            for (int chunk = 1; chunk <= 10; chunk++) {
                CsvTesting.Result r = CsvTesting.read(bytes, "t.csv", chunk, buffer, 0);
                assertThat(r.rows()).as("buffer %d, chunk %d", buffer, chunk).isEqualTo(TRICKY_ROWS);
                int max = chunk;
                assertThat(r.chunkRows()).as("chunks of at most %d rows", chunk).allMatch(n -> n <= max);
                // record 4 (with the line breaks) is row index 3: with chunk 3 it ends the first chunk, with chunk 4
                // it starts the second... every chunk size puts it at a different place in its chunk
                assertThat(r.chunkRows().stream().mapToInt(Integer::intValue).sum()).isEqualTo(7);
            }
        }
    }

    @Test
    void streamsThatReturnOneToSevenBytesPerReadPutRefillsEverywhere() {
        byte[] bytes = TRICKY.getBytes(StandardCharsets.UTF_8);
        for (int trickle = 1; trickle <= 7; trickle++) {
            for (int buffer : new int[]{1, 2, 3, 5, 8, 13, 64}) {
                for (int chunk = 1; chunk <= 10; chunk++) {
                    CsvTesting.Result r = CsvTesting.read(bytes, "t.csv", chunk, buffer, trickle);
                    assertThat(r.rows()).as("trickle %d buffer %d chunk %d", trickle, buffer, chunk)
                            .isEqualTo(TRICKY_ROWS);
                }
            }
        }
    }

    @Test
    void lfAndCrlfLineEndingsGiveTheSameRows() {
        String lf = "a,b\n1,x\n2,y\n";
        String crlf = lf.replace("\n", "\r\n");
        assertThat(read(crlf).rows()).isEqualTo(read(lf).rows()).containsExactly(row(1L, "x"), row(2L, "y"));
        // the CR is not part of the last field, quoted or not
        assertThat(read("a,b\r\n1,\"x\"\r\n").rows()).containsExactly(row(1L, "x"));
        // a CR inside an unquoted field (not before LF) is data
        assertThat(read("a,b\n1,x\ry\n").rows()).containsExactly(row(1L, "x\ry"));
    }

    @Test
    void utf8ByteOrderMarkIsSkippedSoTheFirstColumnKeepsItsName() {
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
        byte[] body = "id,name\n1,é\n".getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[bom.length + body.length];
        System.arraycopy(bom, 0, all, 0, 3);
        System.arraycopy(body, 0, all, 3, body.length);
        for (int buffer : new int[]{1, 2, 3, 4, 1024}) {
            CsvTesting.Result r = CsvTesting.read(all, "b.csv", 10, buffer, 0);
            assertThat(r.names()).containsExactly("id", "name");
            assertThat(r.rows()).containsExactly(row(1L, "é"));
        }
    }

    @Test
    void lastLineWithoutLineBreakIsRead() {
        assertThat(read("a,b\n1,x\n2,y").rows()).containsExactly(row(1L, "x"), row(2L, "y"));
        assertThat(read("a,b\n1,x\n2,\"y\"").rows()).containsExactly(row(1L, "x"), row(2L, "y"));
        assertThat(read("a,b\n1,x\n2,").rows()).containsExactly(row(1L, "x"), row(2L, null));
        assertThat(read("a,b\r\n1,x\r\n2,y\r").rows()).containsExactly(row(1L, "x"), row(2L, "y"));
    }

    @Test
    void blankLinesAreSkippedAnywhere() {
        String csv = "\n\r\na,b\n\n1,x\r\n\r\n\n2,y\n\n";
        CsvTesting.Result r = read(csv);
        assertThat(r.names()).containsExactly("a", "b");
        assertThat(r.rows()).containsExactly(row(1L, "x"), row(2L, "y"));
        // a line holding only a quoted empty field is a record, not a blank line
        assertThat(read("a\n\"\"\nx\n").rows()).containsExactly(row(""), row("x"));
    }

    @Test
    void theHeaderIsReadOnceWhateverTheChunkSize() {
        StringBuilder sb = new StringBuilder("n,s\n");
        for (int i = 0; i < 100; i++) sb.append(i).append(",n\n"); // "n" in the data must stay data
        for (int chunk : new int[]{1, 7, 33, 100, 1000}) {
            CsvTesting.Result r = read(sb.toString(), chunk, 16);
            assertThat(r.rows()).hasSize(100);
            assertThat(r.column(0)).isEqualTo(java.util.stream.LongStream.range(0, 100).boxed().toList());
            assertThat(r.column(1)).allMatch("n"::equals);
        }
    }

    @Test
    void typesAreInferredFromTheSample() {
        String csv = "i,f,b,s,d,t,tz,ns,mixed,empty\n"
                + "1,1.5,true,abc,2024-01-31,2024-01-31T10:20:30,2024-01-31T10:20:30Z,2024-01-31T00:00:00.123456789,1,\n"
                + "-2,2,False,,2024-02-29,2024-02-29 23:59:59.5,2024-02-29T23:59:59+02:00,,2024-01-01,\n"
                + ",-3e2,TRUE,x y,,2024-03-01T00:00,,,x,\n";
        CsvTesting.Result r = read(csv);
        assertThat(r.types()).containsExactly("Int(64, true)", "FloatingPoint(DOUBLE)", "Bool", "Utf8",
                "Date(DAY)", "Timestamp(MICROSECOND, null)", "Timestamp(MICROSECOND, UTC)",
                "Timestamp(NANOSECOND, null)", "Utf8", "Utf8");
        assertThat(r.column(0)).containsExactly(1L, -2L, null);
        assertThat(r.column(1)).containsExactly(1.5, 2.0, -300.0);
        assertThat(r.column(2)).containsExactly(true, false, true);
        assertThat(r.column(3)).containsExactly("abc", null, "x y");
        assertThat(r.column(4)).containsExactly(LocalDate.of(2024, 1, 31), LocalDate.of(2024, 2, 29), null);
        long jan31 = LocalDate.of(2024, 1, 31).toEpochDay() * 86_400L;
        long feb29 = LocalDate.of(2024, 2, 29).toEpochDay() * 86_400L;
        assertThat(r.column(5)).containsExactly((jan31 + 37_230) * 1_000_000L, (feb29 + 86_399) * 1_000_000L + 500_000L,
                (feb29 + 86_400) * 1_000_000L);
        // offsets are converted to UTC
        assertThat(r.column(6)).containsExactly((jan31 + 37_230) * 1_000_000L, (feb29 + 86_399 - 7_200) * 1_000_000L,
                null);
        assertThat(r.column(7)).containsExactly(jan31 * 1_000_000_000L + 123_456_789L, null, null);
        assertThat(r.column(8)).containsExactly("1", "2024-01-01", "x");
    }

    @Test
    void aValueAfterTheSampleThatDoesNotFitTheInferredTypeIsAParseErrorNamingLineAndColumn() {
        String csv = "a,b\n1,x\n2,y\n3.5,z\n";
        assertThatThrownBy(() -> read(csv, "infer_schema_length", "2"))
                .isInstanceOfSatisfying(ParseException.class, e -> {
                    assertThat(e.where()).hasValueSatisfying(w -> {
                        assertThat(w.resource()).isEqualTo("test.csv");
                        assertThat(w.line()).isEqualTo(4);
                        assertThat(w.column()).isEqualTo(1);
                        assertThat(w.byteOffset()).isEqualTo(csv.indexOf("3.5"));
                    });
                    assertThat(e.getMessage()).contains("'3.5'", "int64", "line 4", "column 1");
                });
        assertThat(read(csv, "infer_schema_length", "3").column(0)).containsExactly(1.0, 2.0, 3.5);
    }

    @Test
    void rowsBeforeABadRowAreDeliveredThenTheErrorIsThrown() {
        String csv = "a\n1\n2\n3\nx\n5\n";
        List<Long> seen = new ArrayList<>();
        CsvSettings settings = CsvSettings.from(CsvTesting.options("infer_schema_length", "2"), "e.csv");
        try (var allocator = new org.apache.arrow.memory.RootAllocator();
             CsvParser p = new CsvParser(ByteInput.of(new java.io.ByteArrayInputStream(
                     csv.getBytes(StandardCharsets.UTF_8))), settings, "e.csv", new io.polarway.api.StatsRecorder(), -1)) {
            var first = p.read(allocator, 10);
            try (first) {
                for (Object v : CsvTesting.values(first)) seen.add((Long) ((List<?>) v).get(0));
            }
            assertThatThrownBy(() -> p.read(allocator, 10)).isInstanceOf(ParseException.class)
                    .hasMessageContaining("line 5");
            assertThatThrownBy(() -> p.read(allocator, 10)).isInstanceOf(ParseException.class);
        }
        assertThat(seen).containsExactly(1L, 2L, 3L);
    }

    @Test
    void structuralErrorsNameLineColumnAndByteOffset() {
        assertThatThrownBy(() -> read("a,b\n1,\"open\n2,x\n"))
                .isInstanceOfSatisfying(ParseException.class, e -> {
                    assertThat(e.getMessage()).contains("unterminated quoted field");
                    assertThat(e.where().orElseThrow().line()).isEqualTo(2);
                    assertThat(e.where().orElseThrow().column()).isEqualTo(2);
                    assertThat(e.where().orElseThrow().byteOffset()).isEqualTo(6);
                });
        assertThatThrownBy(() -> read("a,b\n1,x\n2,\"q\"z\n"))
                .isInstanceOfSatisfying(ParseException.class, e -> {
                    assertThat(e.getMessage()).contains("after a closing quote");
                    assertThat(e.where().orElseThrow().line()).isEqualTo(3);
                    assertThat(e.where().orElseThrow().column()).isEqualTo(2);
                });
        // a quote inside an unquoted field is data
        assertThat(read("a,b\n1,ab\"c\n").rows()).containsExactly(row(1L, "ab\"c"));
    }

    @Test
    void wrongFieldCountIsAParseErrorWithLineAndColumn() {
        String csv = "a,b,c\n1,2,3\n\"multi\nline\",2,3\n4,5\n";
        assertThatThrownBy(() -> read(csv, "schema", "{\"a\":\"utf8\"}"))
                .isInstanceOfSatisfying(ParseException.class, e -> {
                    assertThat(e.getMessage()).contains("expected 3 fields, found 2");
                    assertThat(e.where().orElseThrow().line()).isEqualTo(5); // the quoted line break counts
                    assertThat(e.where().orElseThrow().column()).isEqualTo(3);
                    assertThat(e.where().orElseThrow().byteOffset()).isEqualTo(csv.indexOf("4,5"));
                });
        assertThatThrownBy(() -> read("a,b\n1,2,3\n")).isInstanceOf(ParseException.class)
                .hasMessageContaining("found 3").hasMessageContaining("column 3");
    }

    @Test
    void invalidUtf8IsABadValue() {
        byte[] bytes = {'s', '\n', 'o', 'k', '\n', (byte) 0xC3, (byte) 0x28, '\n'};
        assertThatThrownBy(() -> CsvTesting.read(bytes, "u.csv", 10, 64, 0))
                .isInstanceOf(ParseException.class).hasMessageContaining("line 3");
        CsvTesting.Result r = CsvTesting.read(bytes, "u.csv", 10, 64, 0, "on_bad_row", "null");
        assertThat(r.rows()).containsExactly(row("ok"), row((Object) null));
        assertThat(r.counters()).containsEntry("bad_values_nulled", 1L);
    }

    @Test
    void headerOnlyYieldsOneEmptyChunkWithTheSchemaAndAnEmptyInputNone() {
        CsvTesting.Result r = read("a,b\n");
        assertThat(r.names()).containsExactly("a", "b");
        assertThat(r.types()).containsExactly("Utf8", "Utf8");
        assertThat(r.chunkRows()).containsExactly(0);
        CsvTesting.Result empty = read("");
        assertThat(empty.names()).isEmpty();
        assertThat(empty.chunkRows()).isEmpty();
    }

    @Test
    void anUnterminatedQuoteInAHugeInputIsAnErrorNotAnEndlessBuffer() {
        // 80 MB after an opening quote, produced on the fly: the buffer may grow to 64 MiB for one record, no further
        java.io.InputStream in = new java.io.InputStream() {
            private final byte[] head = "a,b\n1,\"".getBytes(StandardCharsets.US_ASCII);
            private long left = 80_000_000L;
            private int h;

            @Override
            public int read() {
                if (h < head.length) return head[h++];
                return left-- > 0 ? 'x' : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (h < head.length) {
                    int n = Math.min(len, head.length - h);
                    System.arraycopy(head, h, b, off, n);
                    h += n;
                    return n;
                }
                if (left <= 0) return -1;
                int n = (int) Math.min(len, left);
                java.util.Arrays.fill(b, off, off + n, (byte) 'x');
                left -= n;
                return n;
            }
        };
        CsvSettings settings = CsvSettings.from(CsvTesting.options(), "huge.csv");
        try (var allocator = new org.apache.arrow.memory.RootAllocator();
             CsvParser p = new CsvParser(ByteInput.of(in), settings, "huge.csv", new io.polarway.api.StatsRecorder(), -1)) {
            assertThatThrownBy(() -> p.read(allocator, 10)).isInstanceOfSatisfying(ParseException.class, e -> {
                assertThat(e.getMessage()).contains("longer than 64 MiB");
                assertThat(e.where().orElseThrow().line()).isEqualTo(2);
            });
        }
    }

    @Test
    void duplicateAndEmptyHeaderNamesAreMadeUnique() {
        assertThat(read("a,a,,b,a_1\n1,2,3,4,5\n").names()).containsExactly("a", "a_2", "column_3", "b", "a_1");
    }
}
