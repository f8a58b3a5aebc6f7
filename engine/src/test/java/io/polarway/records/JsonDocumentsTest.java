package io.polarway.records;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.polarway.error.Where;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.util.ValueVectorUtility;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One reusable parser over many documents against a parser per document (the reference): on every document the
 * reusable one either gives the same value, or hands the document back to the ordinary path, and what it does with
 * one document never changes what it reads from the next.
 */
class JsonDocumentsTest {

    /** The reference: the whole document as one value, or the failure's class (null for an empty document). */
    private static Object ordinary(byte[] doc) {
        try (JsonParser p = JsonValues.FACTORY.createParser(doc)) {
            JsonToken t = p.nextToken();
            if (t == null) return null;
            Object v = JsonValues.read(p, false);
            if (p.nextToken() != null) return "trailing data";
            return v;
        } catch (IOException e) {
            return e.getClass().getSimpleName();
        }
    }

    /** The reusable parser's reading, or "ordinary" when it hands the document back. */
    private static Object reused(JsonDocuments docs, byte[] doc) {
        try {
            JsonParser p = docs.open(doc, 0, doc.length);
            if (p == null) return "ordinary";
            Object v = JsonValues.read(p, false);
            if (!docs.reached(p)) return "ordinary";
            return v;
        } catch (IOException e) {
            docs.drop();
            return "ordinary";
        }
    }

    private static final String[] BAD = {"", "   ", "{\"a\":1", "{\"a\":1} x", "{\"a\":1} 2", "{\"a\":1} \"abc",
            "{\"a\":1}{\"b\":2}", "{\"a\":", "\"abc", "12", "[1,2", "{\"a\":\"\\u12\"}", "}", "{\"a\":tru}",
            "\uFEFF{\"bom\":1}", "{\"a\":1}\n\n", " {\"lead\":1}", "nul", "{\"a\":1} /*", "{\"a\":[1,{\"b\":"};

    @Test
    void everyDocumentReadsAsWithItsOwnParserWhateverCameBefore() {
        Random r = new Random(42);
        JsonDocuments docs = new JsonDocuments();
        int handedBack = 0;
        int reusedOk = 0;
        for (int i = 0; i < 20_000; i++) {
            byte[] doc;
            int kind = r.nextInt(10);
            if (kind == 0) {
                doc = BAD[r.nextInt(BAD.length)].getBytes(StandardCharsets.UTF_8);
            } else if (kind == 1) {
                doc = "{\"u16\":1}".getBytes(StandardCharsets.UTF_16LE);
            } else if (kind == 2) {
                doc = new byte[]{'{', '"', 'a', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'}; // not UTF-8
            } else {
                doc = ("{\"id\":" + i + ",\"s\":\"é\\n" + i + "\",\"f\":" + r.nextGaussian() + ",\"l\":[1,{\"x\":null}],"
                        + "\"big\":123456789012345678901234567890" + (r.nextBoolean() ? "}" : "}  \n"))
                        .getBytes(StandardCharsets.UTF_8);
            }
            Object expected = ordinary(doc);
            Object got = reused(docs, doc);
            if (Objects.equals(got, "ordinary")) {
                handedBack++;
                assertThat(kind).as("a valid record must not be handed back: " + new String(doc,
                        StandardCharsets.UTF_8)).isLessThan(3);
            } else {
                reusedOk++;
                assertThat(got).as(new String(doc, StandardCharsets.UTF_8)).isEqualTo(expected);
            }
        }
        assertThat(handedBack).isPositive();
        assertThat(reusedOk).isGreaterThan(13_000); // 70 % of the documents are valid records
    }

    @Test
    void aDocumentThatIsNotReadToItsEndDropsTheParserInsteadOfRunningIntoTheNext() throws IOException {
        JsonDocuments docs = new JsonDocuments();
        JsonParser p = docs.open("{\"a\":{\"b\":1}}".getBytes(StandardCharsets.UTF_8), 0, 13);
        assertThat(p.currentToken()).isEqualTo(JsonToken.START_OBJECT);
        // the caller gave up after the first token: the next document starts clean
        byte[] next = "xx{\"c\":2}yy".getBytes(StandardCharsets.UTF_8);
        JsonParser q = docs.open(next, 2, 7);
        assertThat(JsonValues.read(q, false)).isEqualTo(java.util.Map.of("c", 2L));
        assertThat(docs.reached(q)).isTrue();
        assertThat(reused(docs, "{\"d\":3}".getBytes(StandardCharsets.UTF_8))).isEqualTo(java.util.Map.of("d", 3L));
    }

    /** Through the builder as the Kafka source uses it: the same chunks as a parser per document. */
    @Test
    void theBuilderGetsTheSameRowsFromTheReusableParser() throws IOException {
        List<byte[]> values = new ArrayList<>();
        Random r = new Random(3);
        for (int i = 0; i < 3000; i++) {
            values.add(("{\"id\":" + i + ",\"name\":\"n" + i + "\",\"o\":{\"k\":[" + r.nextInt(9) + "]}"
                    + (i % 7 == 0 ? ",\"extra\":true" : "") + "}").getBytes(StandardCharsets.UTF_8));
        }
        try (BufferAllocator root = new RootAllocator()) {
            String reference = build(root, values, false);
            assertThat(build(root, values, true)).isEqualTo(reference);
        }
    }

    private static String build(BufferAllocator root, List<byte[]> values, boolean reuse) throws IOException {
        StringBuilder out = new StringBuilder();
        JsonDocuments docs = new JsonDocuments();
        try (RecordBatchBuilder b = RecordBatchBuilder.builder("t").allocator(root).inferenceRows(100)
                .unknownFields(UnknownFields.IGNORE).build()) {
            for (byte[] v : values) {
                if (reuse) {
                    JsonParser p = docs.open(v, 0, v.length);
                    b.addJson(p, () -> Where.resource("t"), null, docs);
                } else {
                    try (JsonParser p = JsonValues.FACTORY.createParser(v)) {
                        p.nextToken();
                        b.addJson(p, () -> Where.resource("t"), null, RecordBatchBuilder.InputEnd.WHOLE_INPUT);
                    }
                }
                if (b.pendingRows() == 500) out.append(chunk(root, b));
            }
            while (b.pendingRows() > 0) out.append(chunk(root, b));
        }
        return out.toString();
    }

    private static String chunk(BufferAllocator root, RecordBatchBuilder b) {
        try (VectorSchemaRoot r = b.build(root, 500)) {
            ValueVectorUtility.validateFull(r);
            return r.contentToTSVString();
        }
    }
}
