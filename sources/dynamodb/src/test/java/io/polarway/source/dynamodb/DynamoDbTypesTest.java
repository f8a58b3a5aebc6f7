package io.polarway.source.dynamodb;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.polarway.api.SourceConfig;
import io.polarway.api.StreamingSource;
import io.polarway.error.SchemaException;
import io.polarway.source.dynamodb.fixture.ItemTable;
import io.polarway.source.dynamodb.fixture.SeededTables;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Numbers and sets as a real DynamoDB server (dynalite) stores and returns them: number columns widened over the
 * inference sample across a page boundary (int64 → decimal(38, s) → float64), and binary and number sets as Arrow
 * lists. One small table read by query, 4 items per page, so the item order, and what each page holds, is fixed.
 */
class DynamoDbTypesTest {
    static final String TABLE = "typed";
    static final int PAGE = 4;
    static final String DOUBLE_MAX = "-9.9999999999999999999999999999999999999E+125";
    static final String DIGITS_38 = "12345678901234567890123456789012345678";

    /**
     * Partition "numbers": attribute → its value in items sk 0..7. Page 1 (sk 0-3) fixes a narrower type than page 2
     * (sk 4-7) needs.
     */
    static final Map<String, List<String>> NUMBERS = new LinkedHashMap<>();

    static {
        // exponents past decimal(38): DynamoDB's range is 1E-130 to 9.99…E+125
        NUMBERS.put("huge", List.of("1", "0.5", "1E+22", "-0.25", "1E+100", DOUBLE_MAX, "3", "2.5"));
        NUMBERS.put("tiny", List.of("0.5", "2", "-1", "0.125", "1.5E-130", "-1E-130", "-0.0625", "4"));
        // 38 integer digits beside one decimal place need 39 digits
        NUMBERS.put("digits", List.of(DIGITS_38, "1", "2", "3", "0.5", "-7", "8", "9"));
        // integers, then decimals: decimal(38, 2)
        NUMBERS.put("widened", List.of("1", "2", "3", "4", "4.25", "5", "-6.5", "7"));
        // every long is int64, the 19-digit extremes included
        NUMBERS.put("longs", List.of("9223372036854775807", "-9223372036854775808", "0", "1", "1E+18", "2", "-3", "4"));
        // one past a long: decimal(38, 0)
        NUMBERS.put("overlong", List.of("1", "2", "3", "4", "9223372036854775808", "5", "6", "7"));
        // integers take a long's 19 digits: beside scale 19 that is 38 digits, beside scale 20 it is 39
        NUMBERS.put("scale19", List.of("7", "8", "9", "10", "0.0000000000000000001", "11", "12", "13"));
        NUMBERS.put("scale20", List.of("7", "8", "9", "10", "0.00000000000000000001", "11", "12", "13"));
    }

    /** Values of float64 columns that no double holds: those read as the nearest double, every other one exactly. */
    static final Set<String> INEXACT = Set.of("1E+100", DOUBLE_MAX, "1.5E-130", "-1E-130", DIGITS_38,
            "0.00000000000000000001");
    static final int SETS = 3;
    static SeededTables tables;

    @BeforeAll
    static void seed() {
        tables = Local.plainTable(TABLE);
        ItemTable.seed(tables.client(), TABLE, 8, 1, i -> {
            Map<String, AttributeValue> m = Local.key("numbers", i);
            NUMBERS.forEach((name, values) -> m.put(name, AttributeValue.fromN(values.get((int) i))));
            return m;
        });
        ItemTable.seed(tables.client(), TABLE, SETS, 1, DynamoDbTypesTest::setItem);
    }

    /** The binary set of item i: one byte i; 0x00 0xff 0x7f; 300 bytes (i + 7k). */
    static List<byte[]> blobs(long i) {
        byte[] large = new byte[300];
        for (int k = 0; k < large.length; k++) large[k] = (byte) (i + 7 * k);
        return List.of(new byte[]{(byte) i}, new byte[]{0, (byte) 0xff, 0x7f}, large);
    }

    static List<String> longs(long i) {
        return List.of(Long.toString(i), "-2", "9223372036854775807");
    }

    static List<String> decimals(long i) {
        return List.of("0.5", "-1.25", Long.toString(10 + i));
    }

    static final List<String> WIDE = List.of("1E+100", "0.5", "-3");

    static Map<String, AttributeValue> setItem(long i) {
        Map<String, AttributeValue> m = Local.key("sets", i);
        m.put("bs", AttributeValue.fromBs(blobs(i).stream().map(SdkBytes::fromByteArray).toList()));
        m.put("ns_long", AttributeValue.fromNs(longs(i)));
        m.put("ns_dec", AttributeValue.fromNs(decimals(i)));
        m.put("ns_wide", AttributeValue.fromNs(WIDE));
        return m;
    }

    private static SourceConfig query(String partition) {
        return Local.query(Local.config(tables.endpoint(), TABLE), partition)
                .withOption("limit", String.valueOf(PAGE));
    }

    private static ArrowType type(Schema schema, String name) {
        return schema.findField(name).getType();
    }

    private static final ArrowType FLOAT64 = new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);
    private static final ArrowType INT64 = new ArrowType.Int(64, true);

    private static ArrowType decimal(int scale) {
        return new ArrowType.Decimal(38, scale, 128);
    }

    // ---------------------------------------------------------------- numbers

    @Test
    void numbersWidenOverTheSampleAcrossAPageBoundary() {
        Map<String, ArrowType> expected = new LinkedHashMap<>();
        expected.put("huge", FLOAT64);
        expected.put("tiny", FLOAT64);
        expected.put("digits", FLOAT64);
        expected.put("widened", decimal(2));
        expected.put("longs", INT64);
        expected.put("overlong", decimal(0));
        expected.put("scale19", decimal(19));
        expected.put("scale20", FLOAT64);
        try (StreamingSource source = Local.open(query("numbers"))) {
            List<Map<String, Object>> rows = rows(source, 3);
            Schema schema = source.metadata().schema();
            expected.forEach((name, t) -> assertThat(type(schema, name)).as(name).isEqualTo(t));
            assertThat(rows).hasSize(8);
            for (Map<String, Object> row : rows) {
                int i = ((Long) row.get("sk")).intValue();
                NUMBERS.forEach((name, values) -> checkNumber(row.get(name), expected.get(name), name, values.get(i)));
            }
            assertThat(source.stats().counters().get("pages")).as("the widening values are on page 2")
                    .isGreaterThan(1L);
        }
    }

    /** A number exactly as DynamoDB holds it, or, in a float64 column, the nearest double (exact where one exists). */
    private static void checkNumber(Object value, ArrowType type, String name, String text) {
        BigDecimal exact = new BigDecimal(text);
        if (type.equals(FLOAT64)) {
            double d = (Double) value;
            assertThat(d).as("%s = %s", name, text).isEqualTo(Double.parseDouble(text));
            if (!INEXACT.contains(text)) {
                assertThat(new BigDecimal(d)).as("%s = %s, exactly", name, text).isEqualByComparingTo(exact);
            }
        } else if (type instanceof ArrowType.Decimal d) {
            assertThat(value).as("%s = %s", name, text).isEqualTo(exact.setScale(d.getScale()));
        } else {
            assertThat(value).as("%s = %s", name, text).isEqualTo(exact.longValueExact());
        }
    }

    @Test
    void aSampleOfTheFirstPageFixesNarrowerTypesAndTheWiderValueIsASchemaError() {
        // the same items with the sample cut at the page boundary: page 1 alone says int64 and decimal(38, 2)
        String[][] cases = {{"widened", "int64", "value 4.25 "}, {"huge", "decimal(38,2)", "value 1000000000"}};
        for (String[] c : cases) {
            try (StreamingSource source = Local.open(query("numbers").withOption("projection", "pk, sk, " + c[0])
                    .withOption("infer_schema_length", String.valueOf(PAGE)))) {
                long[] rows = {0};
                SchemaException e = catchThrowableOfType(SchemaException.class,
                        () -> Local.count(source, 2, chunk -> rows[0] += chunk.rowCount()));
                assertThat(e).as(c[0]).isNotNull();
                assertThat(e.getMessage()).contains("'" + c[0] + "'").contains(c[1]).contains(c[2]);
                assertThat(e.where()).hasValueSatisfying(w -> {
                    assertThat(w.offset()).isEqualTo(PAGE);
                    assertThat(w.page()).isEqualTo(2);
                });
                assertThat(rows[0]).as("items of page 1 delivered before the error").isEqualTo(PAGE);
            }
        }
    }

    // ---------------------------------------------------------------- sets

    @Test
    void binaryAndNumberSetsAreListsOfTheirElements() {
        try (StreamingSource source = Local.open(query("sets").withOption("unknown_fields", "error"))) {
            List<Map<String, Object>> rows = rows(source, 100);
            assertThat(rows).extracting(r -> r.get("sk")).containsExactly(0L, 1L, 2L);
            for (Map<String, Object> row : rows) {
                long i = (Long) row.get("sk");
                // a set has no order: compare sorted
                assertThat(sortedHex((List<?>) row.get("bs"))).as("bs of %d", i).isEqualTo(sortedHex(blobs(i)));
                assertThat(sorted(row.get("ns_long"))).as("ns_long of %d", i)
                        .isEqualTo(sorted(longs(i).stream().map(Long::valueOf).toList()));
                assertThat(sorted(row.get("ns_dec"))).as("ns_dec of %d", i)
                        .isEqualTo(sorted(decimals(i).stream().map(n -> new BigDecimal(n).setScale(2)).toList()));
                assertThat(sorted(row.get("ns_wide"))).as("ns_wide of %d", i)
                        .isEqualTo(sorted(WIDE.stream().map(Double::valueOf).toList()));
            }
            Schema schema = source.metadata().schema();
            assertThat(schema.findField("bs").getChildren().get(0).getType()).isEqualTo(ArrowType.Binary.INSTANCE);
            assertThat(schema.findField("ns_long").getChildren().get(0).getType()).isEqualTo(INT64);
            assertThat(schema.findField("ns_dec").getChildren().get(0).getType()).isEqualTo(decimal(2));
            assertThat(schema.findField("ns_wide").getChildren().get(0).getType()).isEqualTo(FLOAT64);
        }
    }

    @Test
    void setsAsJsonTextKeepEveryElement() throws Exception {
        ObjectMapper json = new ObjectMapper();
        try (StreamingSource source = Local.open(query("sets").withOption("nested_mode", "json"))) {
            List<Map<String, Object>> rows = rows(source, 100);
            assertThat(rows).hasSize(SETS);
            for (Map<String, Object> row : rows) {
                long i = (Long) row.get("sk");
                List<String> base64 = new ArrayList<>();
                for (JsonNode n : json.readTree(row.get("bs").toString())) base64.add(n.textValue());
                List<BigDecimal> numbers = new ArrayList<>();
                for (JsonNode n : json.readTree(row.get("ns_dec").toString())) numbers.add(new BigDecimal(n.asText()));
                assertThat(sorted(base64)).isEqualTo(sorted(blobs(i).stream()
                        .map(b -> Base64.getEncoder().encodeToString(b)).toList()));
                assertThat(sorted(numbers)).isEqualTo(sorted(decimals(i).stream().map(BigDecimal::new).toList()));
            }
            assertThat(type(source.metadata().schema(), "bs")).isEqualTo(ArrowType.Utf8.INSTANCE);
        }
    }

    /** Every row of {@code source}, column name to its value as Arrow gives it ({@link FieldVector#getObject}). */
    private static List<Map<String, Object>> rows(StreamingSource source, int chunkRows) {
        List<Map<String, Object>> out = new ArrayList<>();
        Local.count(source, chunkRows, chunk -> {
            for (int r = 0; r < chunk.rowCount(); r++) {
                Map<String, Object> row = new LinkedHashMap<>();
                for (FieldVector v : chunk.root().getFieldVectors()) row.put(v.getName(), v.getObject(r));
                out.add(row);
            }
        });
        return out;
    }

    private static List<String> sortedHex(List<?> blobs) {
        return blobs.stream().map(b -> HexFormat.of().formatHex((byte[]) b)).sorted().toList();
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static List<Object> sorted(Object values) {
        List<Object> out = new ArrayList<>((List<?>) values);
        out.sort((Comparator) Comparator.naturalOrder());
        return out;
    }
}
