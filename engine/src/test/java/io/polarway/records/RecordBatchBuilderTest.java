package io.polarway.records;

import com.fasterxml.jackson.core.JsonParser;
import io.polarway.api.StatsRecorder;
import io.polarway.error.SchemaException;
import io.polarway.error.Where;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.OutOfMemoryException;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.TimeStampMilliTZVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RecordBatchBuilderTest {
    private final BufferAllocator allocator = new RootAllocator(64L << 20);

    @AfterEach
    void closeAllocator() {
        allocator.close(); // fails the test if any buffer leaked
    }

    private static Map<String, Object> json(String text) {
        try (JsonParser p = JsonValues.FACTORY.createParser(text)) {
            p.nextToken();
            @SuppressWarnings("unchecked")
            Map<String, Object> m = (Map<String, Object>) JsonValues.read(p, false);
            return m;
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static String field(Schema s, String name) {
        return s.findField(name).getType().toString();
    }

    @Test
    void infersAndWidensIntFloatString() {
        RecordBatchBuilder b = RecordBatchBuilder.builder("test").build();
        b.add(json("{\"i\":1,\"f\":1,\"s\":1,\"b\":true,\"n\":null}"), null);
        b.add(json("{\"i\":2,\"f\":2.5,\"s\":\"x\",\"b\":false,\"n\":null}"), null);
        try (VectorSchemaRoot root = b.build(allocator, 10)) {
            Schema s = root.getSchema();
            assertThat(field(s, "i")).isEqualTo("Int(64, true)");
            assertThat(field(s, "f")).isEqualTo("FloatingPoint(DOUBLE)");
            assertThat(field(s, "s")).isEqualTo("Utf8");
            assertThat(field(s, "b")).isEqualTo("Bool");
            assertThat(field(s, "n")).isEqualTo("Utf8"); // only nulls: text accepts anything later
            assertThat(((Float8Vector) root.getVector("f")).get(0)).isEqualTo(1.0);
            assertThat(root.getVector("s").getObject(0).toString()).isEqualTo("1");
            assertThat(root.getVector("s").getObject(1).toString()).isEqualTo("x");
            assertThat(root.getVector("n").isNull(1)).isTrue();
            assertThat(root.getRowCount()).isEqualTo(2);
        }
        assertThat(b.pendingRows()).isZero();
    }

    @Test
    void nestedObjectsBecomeStructsAndListsMergingFields() {
        RecordBatchBuilder b = RecordBatchBuilder.builder("test").build();
        b.add(json("{\"o\":{\"a\":1},\"l\":[1,2]}"), null);
        b.add(json("{\"o\":{\"b\":\"x\"},\"l\":[]}"), null);
        b.add(json("{\"o\":null,\"l\":null}"), null);
        b.add(json("{\"l\":[3.5]}"), null);
        try (VectorSchemaRoot root = b.build(allocator, 10)) {
            StructVector o = (StructVector) root.getVector("o");
            assertThat(o.getField().getChildren()).extracting(Field::getName).containsExactly("a", "b");
            assertThat(o.getObject(0).toString()).isEqualTo("{\"a\":1}");
            assertThat(o.getObject(1).toString()).isEqualTo("{\"b\":\"x\"}");
            assertThat(o.isNull(2)).isTrue();
            assertThat(o.isNull(3)).isTrue();
            ListVector l = (ListVector) root.getVector("l");
            assertThat(l.getField().getChildren().get(0).getType().toString()).isEqualTo("FloatingPoint(DOUBLE)");
            assertThat(l.getObject(0).toString()).isEqualTo("[1.0,2.0]");
            assertThat(l.getObject(1).toString()).isEqualTo("[]");
            assertThat(l.isNull(2)).isTrue();
            assertThat(l.getObject(3).toString()).isEqualTo("[3.5]");
        }
    }

    @Test
    void jsonStringModeKeepsNestedValuesAsText() {
        RecordBatchBuilder b = RecordBatchBuilder.builder("test").nested(NestedMode.JSON_STRING).build();
        b.add(json("{\"o\":{\"a\":[1,{\"b\":null}]}}"), null);
        try (VectorSchemaRoot root = b.build(allocator, 10)) {
            assertThat(root.getVector("o")).isInstanceOf(VarCharVector.class);
            assertThat(root.getVector("o").getObject(0).toString()).isEqualTo("{\"a\":[1,{\"b\":null}]}");
        }
    }

    @Test
    void exactDecimalsWidenIntegersAndKeepDigits() {
        RecordBatchBuilder b = RecordBatchBuilder.builder("ddb").build();
        b.add(Map.of("n", new BigDecimal("12345678901234567890.5")), null);
        b.add(Map.of("n", 7L), null);
        b.add(Map.of("n", new BigDecimal("0.125")), null);
        try (VectorSchemaRoot root = b.build(allocator, 10)) {
            DecimalVector n = (DecimalVector) root.getVector("n");
            assertThat(n.getScale()).isEqualTo(3);
            assertThat(n.getObject(0)).isEqualByComparingTo("12345678901234567890.5");
            assertThat(n.getObject(1)).isEqualByComparingTo("7");
            assertThat(n.getObject(2)).isEqualByComparingTo("0.125");
        }
        // integral decimals that fit a long are int64, the 19-digit extremes and 1E+18 included
        RecordBatchBuilder c = RecordBatchBuilder.builder("ddb").build();
        c.add(Map.of("n", new BigDecimal("42")), null);
        c.add(Map.of("n", new BigDecimal("9223372036854775807")), null);
        c.add(Map.of("n", new BigDecimal("-9223372036854775808")), null);
        c.add(Map.of("n", new BigDecimal("1E+18")), null);
        try (VectorSchemaRoot root = c.build(allocator, 10)) {
            BigIntVector n = (BigIntVector) root.getVector("n");
            assertThat(List.of(n.get(0), n.get(1), n.get(2), n.get(3)))
                    .containsExactly(42L, Long.MAX_VALUE, Long.MIN_VALUE, 1_000_000_000_000_000_000L);
        }
        // one past a long is a decimal
        RecordBatchBuilder d = RecordBatchBuilder.builder("ddb").build();
        d.add(Map.of("n", new BigDecimal("9223372036854775808")), null);
        try (VectorSchemaRoot root = d.build(allocator, 10)) {
            DecimalVector n = (DecimalVector) root.getVector("n");
            assertThat(n.getScale()).isZero();
            assertThat(n.getObject(0)).isEqualByComparingTo("9223372036854775808");
        }
    }

    @Test
    void theSchemaIsFixedAfterTheSampleAndAMismatchNamesFieldAndPlace() {
        RecordBatchBuilder b = RecordBatchBuilder.builder("https://api/x").inferenceRows(1).build();
        b.add(json("{\"a\":1}"), Where.resource("https://api/x").withPage(1));
        assertThat(b.wantsMoreForInference()).isFalse();
        try (VectorSchemaRoot root = b.build(allocator, 1)) {
            assertThat(root.getRowCount()).isEqualTo(1);
        }
        b.add(json("{\"a\":\"not a number\"}"), Where.resource("https://api/x").withPage(2));
        assertThatThrownBy(() -> b.build(allocator, 1))
                .isInstanceOf(SchemaException.class)
                .hasMessageContaining("field 'a'")
                .hasMessageContaining("int64")
                .hasMessageContaining("page 2");
        assertThat(b.pendingRows()).isEqualTo(1); // nothing consumed by the failed build
    }

    @Test
    void unknownFieldsFailByDefaultOrAreDroppedAndCounted() {
        RecordBatchBuilder strict = RecordBatchBuilder.builder("t").inferenceRows(1).build();
        strict.add(json("{\"a\":1}"), null);
        strict.build(allocator, 1).close();
        strict.add(json("{\"a\":2,\"late\":true}"), Where.resource("t").withLine(2));
        assertThatThrownBy(() -> strict.build(allocator, 1)).isInstanceOf(SchemaException.class)
                .hasMessageContaining("'late'").hasMessageContaining("line 2");

        StatsRecorder stats = new StatsRecorder();
        RecordBatchBuilder lenient = RecordBatchBuilder.builder("t").inferenceRows(1)
                .unknownFields(UnknownFields.IGNORE).stats(stats).build();
        lenient.add(json("{\"a\":1,\"o\":{\"x\":1}}"), null);
        lenient.build(allocator, 1).close();
        lenient.add(json("{\"a\":2,\"late\":true,\"o\":{\"x\":2,\"y\":3}}"), null);
        try (VectorSchemaRoot root = lenient.build(allocator, 1)) {
            assertThat(((BigIntVector) root.getVector("a")).get(0)).isEqualTo(2);
        }
        assertThat(stats.snapshot().counters()).containsEntry("unknown_fields_dropped", 2L);
    }

    @Test
    void inferenceCoversEveryPendingRecordNotJustTheFirstChunk() {
        RecordBatchBuilder b = RecordBatchBuilder.builder("t").inferenceRows(2).build();
        b.add(json("{\"a\":1}"), null);
        assertThat(b.wantsMoreForInference()).isTrue();
        b.add(json("{\"a\":2}"), null);
        b.add(json("{\"a\":2.5,\"b\":\"x\"}"), null);
        try (VectorSchemaRoot first = b.build(allocator, 1)) {
            assertThat(first.getSchema().getFields()).extracting(Field::getName).containsExactly("a", "b");
            assertThat(field(first.getSchema(), "a")).isEqualTo("FloatingPoint(DOUBLE)");
        }
        try (VectorSchemaRoot rest = b.build(allocator, 10)) {
            assertThat(rest.getRowCount()).isEqualTo(2);
            assertThat(rest.getVector("b").getObject(1).toString()).isEqualTo("x");
        }
    }

    @Test
    void explicitSchemaCoercesStringsAndEpochs() {
        Schema s = new Schema(List.of(
                new Field("id", FieldType.nullable(new ArrowType.Int(64, true)), null),
                new Field("at", FieldType.nullable(new ArrowType.Timestamp(TimeUnit.MILLISECOND, "UTC")), null),
                new Field("price", FieldType.nullable(new ArrowType.Decimal(10, 2, 128)), null)));
        RecordBatchBuilder b = RecordBatchBuilder.builder("t").schema(s).build();
        b.add(json("{\"id\":\"17\",\"at\":\"2024-01-02T03:04:05Z\",\"price\":\"9.5\"}"), null);
        b.add(json("{\"id\":18,\"at\":1000,\"price\":3}"), null);
        try (VectorSchemaRoot root = b.build(allocator, 10)) {
            assertThat(((BigIntVector) root.getVector("id")).get(0)).isEqualTo(17);
            assertThat(((TimeStampMilliTZVector) root.getVector("at")).get(0)).isEqualTo(1704164645000L);
            assertThat(((TimeStampMilliTZVector) root.getVector("at")).get(1)).isEqualTo(1000L);
            assertThat(((DecimalVector) root.getVector("price")).getObject(0)).isEqualByComparingTo("9.50");
        }
        b.add(json("{\"price\":1.234}"), null); // would need rounding: a mismatch, never a silent change
        assertThatThrownBy(() -> b.build(allocator, 10)).isInstanceOf(SchemaException.class)
                .hasMessageContaining("price");
    }

    @Test
    void fixedFieldsLeadTheInferredSchema() {
        List<Field> fixed = List.of(new Field("_offset", FieldType.notNullable(new ArrowType.Int(64, true)), null));
        RecordBatchBuilder b = RecordBatchBuilder.builder("topic").fixedFields(fixed).build();
        Map<String, Object> r = new LinkedHashMap<>(json("{\"v\":\"x\"}"));
        r.put("_offset", 5L);
        b.add(r, null);
        try (VectorSchemaRoot root = b.build(allocator, 10)) {
            assertThat(root.getSchema().getFields()).extracting(Field::getName).containsExactly("_offset", "v");
        }
    }

    @Test
    void anAllocationFailureKeepsEveryRecordForARetryWithFewerRows() {
        List<Map<String, Object>> records = new ArrayList<>();
        for (int i = 0; i < 2000; i++) records.add(Map.of("id", (long) i, "s", "x".repeat(200)));
        try (BufferAllocator small = allocator.newChildAllocator("small", 0, 256 * 1024)) {
            RecordBatchBuilder b = RecordBatchBuilder.builder("t").build();
            records.forEach(r -> b.add(r, null));
            assertThatThrownBy(() -> b.build(small, 2000)).isInstanceOf(OutOfMemoryException.class);
            assertThat(b.pendingRows()).isEqualTo(2000);
            long seen = 0;
            while (b.pendingRows() > 0) {
                try (VectorSchemaRoot root = b.build(small, 200)) {
                    BigIntVector id = (BigIntVector) root.getVector("id");
                    for (int i = 0; i < root.getRowCount(); i++) assertThat(id.get(i)).isEqualTo(seen++);
                }
            }
            assertThat(seen).isEqualTo(2000);
        }
    }

    @Test
    void unsupportedExplicitTypesFailAtConfiguration() {
        Schema s = new Schema(List.of(new Field("u", FieldType.nullable(new ArrowType.Int(32, false)), null)));
        assertThatThrownBy(() -> RecordBatchBuilder.builder("t").schema(s).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unsigned");
    }

    @Test
    void jsonRoundTripOfTheValueModel() {
        Map<String, Object> m = json("{\"a\":[1,2.5,\"x\",null,true],\"b\":{\"c\":12345678901234567890}}");
        assertThat(m.get("b")).isEqualTo(Map.of("c", new BigDecimal("12345678901234567890")));
        assertThat(JsonValues.toJson(m)).isEqualTo("{\"a\":[1,2.5,\"x\",null,true],\"b\":{\"c\":12345678901234567890}}");
    }
}
