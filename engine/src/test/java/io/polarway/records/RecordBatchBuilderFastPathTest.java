package io.polarway.records;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.polarway.api.StatsRecorder;
import io.polarway.error.ParseException;
import io.polarway.error.SchemaException;
import io.polarway.error.Where;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.OutOfMemoryException;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.arrow.vector.util.ValueVectorUtility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The builder's vector path ({@link RecordBatchBuilder.Builder#allocator}, records written as they are added) and its
 * JSON path ({@link RecordBatchBuilder#addJson}) against the reference: records held as maps until built. Every
 * comparison builds the same records the three ways and requires the same schema, the same chunks (as text, and
 * valid by Arrow's full validation) and the same errors.
 */
class RecordBatchBuilderFastPathTest {
    private final BufferAllocator root = new RootAllocator(512L << 20);

    @AfterEach
    void closeAllocator() {
        root.close(); // fails the test if any buffer leaked (staging vectors included)
    }

    enum Mode { HEAP_MAPS, VECTOR_MAPS, VECTOR_JSON }

    /** What one way of building produced: chunks as text, or the error that stopped it. */
    record Outcome(Schema schema, List<String> chunks, String error, int pendingAtError) {
    }

    private static Map<String, Object> map(String json) {
        try (JsonParser p = JsonValues.FACTORY.createParser(json)) {
            p.nextToken();
            return RecordWriter.readObject(p);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static void addJson(RecordBatchBuilder b, String json, Where where) {
        try (JsonParser p = JsonValues.FACTORY.createParser(json)) {
            p.nextToken();
            b.addJson(p, where);
            assertThat(p.currentToken()).isEqualTo(JsonToken.END_OBJECT);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static void add(Mode mode, RecordBatchBuilder b, String json, Where where) {
        if (mode == Mode.VECTOR_JSON) addJson(b, json, where);
        else b.add(map(json), where);
    }

    private RecordBatchBuilder.Builder builder(Mode mode, BufferAllocator parent) {
        RecordBatchBuilder.Builder b = RecordBatchBuilder.builder("test");
        if (mode != Mode.HEAP_MAPS) b.allocator(parent);
        return b;
    }

    /**
     * Adds the records in steps of {@code addStep} and builds chunks of the sizes in {@code chunkRows} (cycled) after
     * each step and at the end.
     */
    private Outcome run(Mode mode, List<String> records, Consumer<RecordBatchBuilder.Builder> config, int addStep,
                        int... chunkRows) {
        List<String> chunks = new ArrayList<>();
        RecordBatchBuilder.Builder bb = builder(mode, root);
        config.accept(bb);
        int next = 0;
        try (RecordBatchBuilder b = bb.build()) {
            try {
                for (int i = 0; i < records.size(); i++) {
                    add(mode, b, records.get(i), Where.resource("test").withLine(i + 1));
                    if ((i + 1) % addStep == 0 && !b.wantsMoreForInference()) {
                        chunks.add(buildOne(b, chunkRows[next++ % chunkRows.length]));
                    }
                }
                while (b.pendingRows() > 0) chunks.add(buildOne(b, chunkRows[next++ % chunkRows.length]));
                return new Outcome(b.schema(), chunks, null, 0);
            } catch (SchemaException e) {
                return new Outcome(b.schema(), chunks, e.getMessage(), b.pendingRows());
            }
        }
    }

    private String buildOne(RecordBatchBuilder b, int rows) {
        try (BufferAllocator chunk = root.newChildAllocator("chunk", 0, Long.MAX_VALUE);
             VectorSchemaRoot r = b.build(chunk, rows)) {
            ValueVectorUtility.validateFull(r);
            assertThat(r.getRowCount()).isLessThanOrEqualTo(rows);
            return text(r);
        }
    }

    private void assertSameEverywhere(List<String> records, Consumer<RecordBatchBuilder.Builder> config, int addStep,
                                      int... chunkRows) {
        Outcome reference = run(Mode.HEAP_MAPS, records, config, addStep, chunkRows);
        for (Mode m : new Mode[]{Mode.VECTOR_MAPS, Mode.VECTOR_JSON}) {
            Outcome o = run(m, records, config, addStep, chunkRows);
            assertThat(o.schema()).as(m + " schema").isEqualTo(reference.schema());
            assertThat(o.chunks()).as(m + " chunks").isEqualTo(reference.chunks());
            assertThat(o.error()).as(m + " error").isEqualTo(reference.error());
            assertThat(o.pendingAtError()).as(m + " pending at the error").isEqualTo(reference.pendingAtError());
        }
    }

    // ---- random records: every value type, nesting, missing fields, nulls, text that needs escaping ----

    private static String randomRecord(Random r, boolean stableTypes) {
        StringBuilder s = new StringBuilder("{");
        String[] names = {"id", "name", "score", "ok", "tags", "owner", "mixed", "big", "events", "note"};
        boolean first = true;
        for (String n : names) {
            if (r.nextInt(6) == 0) continue; // missing
            if (!first) s.append(',');
            first = false;
            s.append('"').append(n).append("\":");
            if (r.nextInt(8) == 0) {
                s.append("null");
                continue;
            }
            switch (n) {
                case "id" -> s.append(r.nextInt(3) == 0 ? Long.MIN_VALUE + r.nextInt(10) : r.nextInt(1000) - 500);
                case "name" -> s.append(jsonString(randomText(r)));
                case "score" -> s.append(r.nextBoolean() ? Double.toString(r.nextGaussian() * 1e3) : r.nextInt(100));
                case "ok" -> s.append(r.nextBoolean());
                case "tags" -> {
                    s.append('[');
                    int k = r.nextInt(4);
                    for (int i = 0; i < k; i++) {
                        if (i > 0) s.append(',');
                        s.append(r.nextInt(10) == 0 ? "null" : jsonString(randomText(r)));
                    }
                    s.append(']');
                }
                case "owner" -> s.append("{\"login\":").append(jsonString(randomText(r))).append(",\"n\":")
                        .append(r.nextInt(50)).append(r.nextBoolean() ? ",\"tags\":[1,2.5]" : "")
                        .append(r.nextBoolean() ? ",\"deep\":{\"x\":[{\"y\":true}]}" : "").append('}');
                case "mixed" -> {
                    if (stableTypes) {
                        s.append(jsonString(randomText(r)));
                    } else {
                        switch (r.nextInt(6)) {
                            case 0 -> s.append(r.nextInt());
                            case 1 -> s.append(r.nextDouble());
                            case 2 -> s.append(jsonString(randomText(r)));
                            case 3 -> s.append("{\"a\":[1,{\"b\":null}],\"c\":\"\\u00e9\"}");
                            case 4 -> s.append("[true,false,-0,1e300,12345678901234567890]");
                            default -> s.append(r.nextBoolean());
                        }
                    }
                }
                case "big" -> s.append(r.nextBoolean() ? "12345678901234567890123" : Long.toString(r.nextLong()));
                case "events" -> {
                    s.append('[');
                    int k = r.nextInt(3);
                    for (int i = 0; i < k; i++) {
                        if (i > 0) s.append(',');
                        s.append("{\"t\":").append(r.nextInt(1000)).append(",\"kind\":")
                                .append(jsonString(randomText(r))).append('}');
                    }
                    s.append(']');
                }
                default -> s.append(jsonString("x".repeat(r.nextInt(300))));
            }
        }
        return s.append('}').toString();
    }

    private static String randomText(Random r) {
        String[] parts = {"a", "record-", "é", "日本", "\uD83D\uDE00", "\"q\"", "back\\slash", "\n", "\t", "\u0001", "",
                "\uD800"};
        StringBuilder s = new StringBuilder();
        int k = r.nextInt(4);
        for (int i = 0; i < k; i++) s.append(parts[r.nextInt(parts.length)]);
        return s.toString();
    }

    private static String jsonString(String s) {
        return JsonValues.toJson(s);
    }

    private static List<String> randomRecords(long seed, int n, boolean stableTypes) {
        Random r = new Random(seed);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(randomRecord(r, stableTypes));
        return out;
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void randomRecordsGiveTheSameChunksAllThreeWays(long seed) {
        List<String> records = randomRecords(seed, 600, false);
        // the whole input as the sample: every value fits, chunks of several sizes (partial hand-overs included)
        assertSameEverywhere(records, b -> b.inferenceRows(600).unknownFields(UnknownFields.IGNORE), 600,
                100, 37, 1000);
        // added and built as a source does, a chunk after every 50 records
        assertSameEverywhere(records, b -> b.inferenceRows(600), 50, 50);
        // more added than built: rows already written are copied out in parts, later records wait on the heap
        assertSameEverywhere(records, b -> b.inferenceRows(600), 100, 30, 200);
        // nested values as JSON text
        assertSameEverywhere(records, b -> b.inferenceRows(600).nested(NestedMode.JSON_STRING), 64, 64, 7);
    }

    @ParameterizedTest
    @ValueSource(longs = {11, 12, 13})
    void aSmallSampleFailsTheSameWayAllThreeWays(long seed) {
        List<String> records = randomRecords(seed, 400, false);
        // later records bring values and fields the sample did not: the same error at the same place, or the same
        // drops, whichever way the records are held
        assertSameEverywhere(records, b -> b.inferenceRows(20), 25, 25);
        assertSameEverywhere(records, b -> b.inferenceRows(20).unknownFields(UnknownFields.IGNORE), 25, 25, 3);
        assertSameEverywhere(randomRecords(seed, 400, true), b -> b.inferenceRows(50), 10, 10, 30);
    }

    @Test
    void explicitSchemaCoercionsAreTheSameAllThreeWays() {
        Schema s = new Schema(List.of(
                new Field("id", FieldType.nullable(new ArrowType.Int(32, true)), null),
                new Field("small", FieldType.nullable(new ArrowType.Int(8, true)), null),
                new Field("at", FieldType.nullable(new ArrowType.Timestamp(TimeUnit.MILLISECOND, "UTC")), null),
                new Field("day", FieldType.nullable(new ArrowType.Date(org.apache.arrow.vector.types.DateUnit.DAY)), null),
                new Field("price", FieldType.nullable(new ArrowType.Decimal(10, 2, 128)), null),
                new Field("f", FieldType.nullable(new ArrowType.FloatingPoint(
                        org.apache.arrow.vector.types.FloatingPointPrecision.SINGLE)), null),
                new Field("blob", FieldType.nullable(ArrowType.Binary.INSTANCE), null),
                new Field("flag", FieldType.nullable(ArrowType.Bool.INSTANCE), null),
                new Field("text", FieldType.nullable(ArrowType.Utf8.INSTANCE), null)));
        List<String> records = List.of(
                "{\"id\":\"17\",\"small\":3,\"at\":\"2024-01-02T03:04:05Z\",\"day\":\"2024-02-29\",\"price\":\"9.5\","
                        + "\"f\":1.5,\"blob\":\"AAEC\",\"flag\":\"TRUE\",\"text\":12.25}",
                "{\"id\":18.0,\"small\":-128,\"at\":1000,\"price\":3,\"f\":2,\"flag\":false,\"text\":{\"a\":1}}",
                "{\"id\":null,\"at\":\"2024-01-02 03:04:05\",\"price\":1.25,\"text\":[1,\"x\"],\"flag\":true}",
                "{\"small\":128}");
        assertSameEverywhere(records, b -> b.schema(s), 1, 1, 2);
        List<String> bad = List.of("{\"id\":1}", "{\"id\":2}", "{\"id\":2.5,\"price\":1}", "{\"id\":4}");
        assertSameEverywhere(bad, b -> b.schema(s), 1, 1);
        assertSameEverywhere(List.of("{\"id\":1}", "{\"id\":1,\"nope\":2}"), b -> b.schema(s), 1, 1);
    }

    @Test
    void aMismatchAfterTheSampleFailsAtBuildNamingFieldAndPlaceAndConsumesNothing() {
        RecordBatchBuilder b = builder(Mode.VECTOR_JSON, root).inferenceRows(1).build();
        try (b) {
            addJson(b, "{\"a\":1,\"s\":\"x\",\"l\":[1]}", Where.resource("https://api/x").withPage(1));
            buildOne(b, 10);
            addJson(b, "{\"a\":2,\"s\":\"y\",\"l\":[2,3]}", Where.resource("https://api/x").withPage(2));
            // fails half-way through: "s" and "l" written, "a" does not fit
            addJson(b, "{\"s\":\"zzz\",\"l\":[4,5,6],\"a\":\"not a number\"}", Where.resource("https://api/x").withPage(3));
            addJson(b, "{\"a\":4,\"s\":\"w\",\"l\":[]}", Where.resource("https://api/x").withPage(4));
            assertThat(b.pendingRows()).isEqualTo(3);
            // the rows before the bad one build; the bad one fails every time, and nothing is consumed by a failure
            assertThat(buildOne(b, 1)).isEqualTo("a\ts\tl\n2\ty\t[2,3]\n");
            for (int attempt = 0; attempt < 2; attempt++) {
                assertThatThrownBy(() -> b.build(root, 10)).isInstanceOf(SchemaException.class)
                        .hasMessageContaining("field 'a'").hasMessageContaining("int64").hasMessageContaining("page 3");
                assertThat(b.pendingRows()).isEqualTo(2);
            }
        }
    }

    @Test
    void aRecordAbandonedHalfWayLeavesNoTraceInTheChunk() throws IOException {
        try (RecordBatchBuilder b = builder(Mode.VECTOR_JSON, root).inferenceRows(1).build()) {
            addJson(b, "{\"s\":\"first\",\"l\":[\"a\"],\"o\":{\"x\":\"1\",\"y\":[1]}}", null);
            buildOne(b, 10);
            addJson(b, "{\"s\":\"second\",\"l\":[\"b\",\"c\"],\"o\":{\"x\":\"2\",\"y\":[2,3]}}", null);
            // cut inside the nested list: the row is half written when the parser fails
            try (JsonParser p = JsonValues.FACTORY.createParser(
                    "{\"s\":\"broken-and-long\",\"l\":[\"d\",\"e\",\"f\"],\"o\":{\"x\":\"3\",\"y\":[4,5,")) {
                p.nextToken();
                assertThatThrownBy(() -> b.addJson(p, null)).isInstanceOf(JsonParseException.class);
            }
            assertThat(b.pendingRows()).isEqualTo(1);
            addJson(b, "{\"o\":{\"y\":[6]},\"s\":\"third\"}", null);
            assertThat(buildOne(b, 10)).isEqualTo("s\tl\to\n"
                    + "second\t[\"b\",\"c\"]\t{\"x\":\"2\",\"y\":[2,3]}\n"
                    + "third\tnull\t{\"y\":[6]}\n");
        }
    }

    @Test
    void unknownFieldsAreDroppedAndCountedOnceOrFailAtBuild() {
        StatsRecorder stats = new StatsRecorder();
        try (RecordBatchBuilder b = builder(Mode.VECTOR_JSON, root).inferenceRows(1)
                .unknownFields(UnknownFields.IGNORE).stats(stats).build()) {
            addJson(b, "{\"a\":1,\"o\":{\"x\":1}}", null);
            buildOne(b, 1);
            addJson(b, "{\"late\":{\"deep\":[1,2]},\"a\":2,\"o\":{\"y\":3,\"x\":2}}", null);
            assertThat(buildOne(b, 1)).isEqualTo("a\to\n2\t{\"x\":2}\n");
        }
        assertThat(stats.snapshot().counters()).containsEntry("unknown_fields_dropped", 2L);

        try (RecordBatchBuilder strict = builder(Mode.VECTOR_JSON, root).inferenceRows(1).build()) {
            addJson(strict, "{\"a\":1,\"o\":{\"x\":1}}", null);
            buildOne(strict, 1);
            addJson(strict, "{\"a\":2,\"o\":{\"x\":2,\"z\":[1]}}", Where.resource("t").withLine(7));
            assertThatThrownBy(() -> strict.build(root, 1)).isInstanceOf(SchemaException.class)
                    .hasMessageContaining("'o.z'").hasMessageContaining("line 7");
            assertThat(strict.pendingRows()).isEqualTo(1);
        }
    }

    @Test
    void aRepeatedFieldNameKeepsTheLastValueLikeTheValueModel() {
        assertSameEverywhere(List.of("{\"a\":\"x\",\"l\":[1],\"o\":{\"p\":1}}",
                        "{\"a\":\"first\",\"l\":[1,2,3],\"a\":\"second\",\"l\":[4],\"o\":{\"p\":1,\"p\":2}}"),
                b -> b.inferenceRows(1), 1, 1);
    }

    @Test
    void rowsAreWrittenAsTheyAreAddedAndHandedOverWithoutCopies() {
        try (BufferAllocator source = root.newChildAllocator("source", 0, Long.MAX_VALUE);
             RecordBatchBuilder b = builder(Mode.VECTOR_JSON, source).inferenceRows(10).build()) {
            for (int i = 0; i < 10; i++) addJson(b, "{\"id\":" + i + ",\"name\":\"n" + i + "\"}", null);
            assertThat(b.stagedBytes()).isZero(); // the sample waits on the heap until the schema is fixed
            try (BufferAllocator chunk = source.newChildAllocator("chunk", 0, Long.MAX_VALUE);
                 VectorSchemaRoot r = b.build(chunk, 10)) {
                assertThat(r.getRowCount()).isEqualTo(10);
                assertThat(chunk.getAllocatedMemory()).isPositive(); // the chunk's own allocator holds its buffers
            }
            for (int i = 10; i < 5000; i++) addJson(b, "{\"id\":" + i + ",\"name\":\"n" + i + "\"}", null);
            assertThat(b.stagedBytes()).isPositive();
            assertThat(b.pendingRows()).isEqualTo(4990);
            try (BufferAllocator chunk = source.newChildAllocator("chunk", 0, Long.MAX_VALUE);
                 VectorSchemaRoot r = b.build(chunk, 4990)) {
                assertThat(b.stagedBytes()).isZero(); // moved, not copied
                assertThat(((BigIntVector) r.getVector("id")).get(4989)).isEqualTo(4999);
                ValueVectorUtility.validateFull(r);
            }
        }
    }

    @Test
    void anAllocatorOfAnotherRootIsRefused() {
        try (RootAllocator other = new RootAllocator();
             RecordBatchBuilder b = builder(Mode.VECTOR_JSON, root).inferenceRows(1).build()) {
            addJson(b, "{\"a\":1}", null);
            assertThatThrownBy(() -> b.build(other, 1)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("root");
            assertThat(b.pendingRows()).isEqualTo(1);
        }
    }

    /**
     * A source under a tight limit: the staging vectors and the chunks share one limited allocator, allocations
     * fail while records are added (some half-way through a record) and while chunks are built, and the caller retries
     * with half the rows, as the stream does. Every record arrives once, in order, with the same content as without a
     * limit.
     */
    @ParameterizedTest
    @ValueSource(strings = {"VECTOR_MAPS", "VECTOR_JSON"})
    @Timeout(120)
    void underATightLimitEveryRecordArrivesOnceInOrder(String modeName) {
        Mode mode = Mode.valueOf(modeName);
        List<String> records = new ArrayList<>();
        Random r = new Random(7);
        for (int i = 0; i < 3000; i++) {
            records.add("{\"id\":" + i + ",\"tags\":[\"" + "t".repeat(r.nextInt(40)) + "\"],\"o\":{\"k\":" + i
                    + ",\"v\":\"" + "v".repeat(r.nextInt(200)) + "\"},\"pad\":\"" + "p".repeat(r.nextInt(600)) + "\"}");
        }
        Outcome reference = run(Mode.HEAP_MAPS, records, b -> b.inferenceRows(100), 3000, 3000);
        List<String> expected = splitRows(reference.chunks());

        List<String> got = new ArrayList<>();
        int failures = 0;
        try (BufferAllocator source = root.newChildAllocator("source", 0, 600 * 1024);
             RecordBatchBuilder b = builder(mode, source).inferenceRows(100).build()) {
            int next = 0;
            int rows = 1000;
            while (next < records.size() || b.pendingRows() > 0) {
                while (next < records.size() && (b.pendingRows() < rows || b.wantsMoreForInference())) {
                    add(mode, b, records.get(next), Where.resource("t").withLine(next + 1));
                    next++;
                }
                try (BufferAllocator chunk = source.newChildAllocator("chunk", 0, Long.MAX_VALUE)) {
                    try (VectorSchemaRoot c = b.build(chunk, rows)) {
                        ValueVectorUtility.validateFull(c);
                        got.addAll(splitRows(List.of(text(c))));
                    }
                    rows = Math.min(1000, rows * 2);
                } catch (OutOfMemoryException e) {
                    failures++;
                    rows = Math.max(1, rows / 2);
                }
            }
        }
        assertThat(failures).as("the limit must bite for this test to mean anything").isPositive();
        assertThat(got).isEqualTo(expected);
    }

    /** The root as tab-separated text (what {@code contentToTSVString} gives, with binary values as bytes). */
    static String text(VectorSchemaRoot r) {
        StringBuilder s = new StringBuilder();
        List<org.apache.arrow.vector.FieldVector> vs = r.getFieldVectors();
        for (int c = 0; c < vs.size(); c++) s.append(c > 0 ? "\t" : "").append(vs.get(c).getName());
        s.append('\n');
        for (int i = 0; i < r.getRowCount(); i++) {
            for (int c = 0; c < vs.size(); c++) {
                Object o = vs.get(c).getObject(i);
                s.append(c > 0 ? "\t" : "").append(o instanceof byte[] b ? java.util.Arrays.toString(b) : o);
            }
            s.append('\n');
        }
        return s.toString();
    }

    private static List<String> splitRows(List<String> chunks) {
        List<String> rows = new ArrayList<>();
        for (String c : chunks) {
            String[] lines = c.split("\n");
            for (int i = 1; i < lines.length; i++) rows.add(lines[i]);
        }
        return rows;
    }

    @Test
    void fixedValuesFillTheirColumnsAndAJsonFieldOfTheSameNameIsAParseError() throws IOException {
        List<Field> fixed = List.of(
                new Field("_partition", FieldType.notNullable(new ArrowType.Int(32, true)), null),
                new Field("_offset", FieldType.notNullable(new ArrowType.Int(64, true)), null),
                new Field("_key", FieldType.nullable(ArrowType.Utf8.INSTANCE), null));
        for (int sample : new int[]{1, 3}) {
            try (RecordBatchBuilder b = RecordBatchBuilder.builder("topic").allocator(root).inferenceRows(sample)
                    .fixedFields(fixed, "rename it with offset_column").build()) {
                for (int i = 0; i < 3; i++) {
                    try (JsonParser p = JsonValues.FACTORY.createParser("{\"v\":" + i + "}")) {
                        p.nextToken();
                        b.addJson(p, null, new Object[]{2L, (long) (100 + i), i == 1 ? null : "k" + i},
                                RecordBatchBuilder.InputEnd.WHOLE_INPUT);
                    }
                }
                try (JsonParser p = JsonValues.FACTORY.createParser("{\"v\":9,\"_offset\":1}")) {
                    p.nextToken();
                    assertThatThrownBy(() -> b.addJson(p, () -> Where.resource("topic").withPartition("topic-2", 103),
                            new Object[]{2L, 103L, null}, RecordBatchBuilder.InputEnd.WHOLE_INPUT))
                            .isInstanceOf(ParseException.class).hasMessageContaining("'_offset'")
                            .hasMessageContaining("offset_column").hasMessageContaining("103");
                }
                try (JsonParser p = JsonValues.FACTORY.createParser("{\"v\":9} {\"v\":10}")) {
                    p.nextToken();
                    assertThatThrownBy(() -> b.addJson(p, null, new Object[]{2L, 104L, null},
                            RecordBatchBuilder.InputEnd.WHOLE_INPUT))
                            .isInstanceOf(JsonParseException.class).hasMessageContaining("data after");
                }
                assertThat(b.pendingRows()).isEqualTo(3);
                assertThat(buildOne(b, 10)).isEqualTo("_partition\t_offset\t_key\tv\n2\t100\tk0\t0\n2\t101\tnull\t1\n"
                        + "2\t102\tk2\t2\n");
            }
        }
    }

    @Test
    void decimalsAndBigIntegersFromJsonMatchTheValueModel() {
        assertSameEverywhere(List.of("{\"n\":12345678901234567890,\"f\":1}", "{\"n\":7,\"f\":2.5}",
                "{\"n\":-12345678901234567890123,\"f\":12345678901234567890}"), b -> b.inferenceRows(3), 3, 3);
        // decimals into an int column built from a first chunk
        assertSameEverywhere(List.of("{\"n\":1}", "{\"n\":2.0}", "{\"n\":1e3}", "{\"n\":9223372036854775807}"),
                b -> b.inferenceRows(1), 1, 1);
    }
}
