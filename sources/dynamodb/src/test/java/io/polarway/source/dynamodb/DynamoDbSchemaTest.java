package io.polarway.source.dynamodb;

import io.polarway.api.Chunk;
import io.polarway.api.SourceConfig;
import io.polarway.api.StreamingSource;
import io.polarway.error.ConfigException;
import io.polarway.error.SchemaException;
import io.polarway.source.dynamodb.fixture.ItemTable;
import io.polarway.source.dynamodb.fixture.SeededTables;
import io.polarway.testkit.dynamodb.DynamoDbFaultProxy;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Schema-less, sparse items: what the inference sample, {@code unknown_fields}, an explicit {@code schema} and
 * {@code nested} do, on a small table read by query (so the item order, and therefore the sample, is fixed).
 */
class DynamoDbSchemaTest {
    static final String TABLE = "sparse";
    static final int LATE_ITEMS = 3_000;
    /** Partition "late": attribute {@code late} from sk 2000 on; {@code deep} gains key {@code y} from sk 2500 on. */
    static final int LATE_FROM = 2_000;
    static final int DEEP_Y_FROM = 2_500;
    /** Partition "mismatch": {@code amount} is integral except at sk 1500. */
    static final int MISMATCH_ITEMS = 2_000;
    static final int MISMATCH_AT = 1_500;
    static SeededTables tables;

    @BeforeAll
    static void seed() {
        tables = Local.plainTable(TABLE);
        ItemTable.seed(tables.client(), TABLE, LATE_ITEMS, 3, DynamoDbSchemaTest::lateItem);
        ItemTable.seed(tables.client(), TABLE, MISMATCH_ITEMS, 3, DynamoDbSchemaTest::mismatchItem);
        ItemTable.seed(tables.client(), TABLE, 10, 1, i -> {
            Map<String, AttributeValue> m = Local.key("clash", i);
            m.put("_extra", AttributeValue.fromS("mine-" + i));
            return m;
        });
    }

    static Map<String, AttributeValue> lateItem(long i) {
        Map<String, AttributeValue> m = Local.key("late", i);
        m.put("name", AttributeValue.fromS("n-" + i));
        if (i >= LATE_FROM) m.put("late", AttributeValue.fromS("L-" + i));
        Map<String, AttributeValue> deep = new LinkedHashMap<>();
        deep.put("x", AttributeValue.fromN(Long.toString(i)));
        if (i >= DEEP_Y_FROM) deep.put("y", AttributeValue.fromS("y-" + i));
        m.put("deep", AttributeValue.fromM(deep));
        return m;
    }

    static Map<String, AttributeValue> mismatchItem(long i) {
        Map<String, AttributeValue> m = Local.key("mismatch", i);
        m.put("amount", AttributeValue.fromN(i == MISMATCH_AT ? "1.5" : Long.toString(i)));
        return m;
    }

    /** A query of one partition, in sort-key order, with a 100-item schema sample. */
    private static SourceConfig query(String partition) {
        return Local.query(Local.config(tables.endpoint(), TABLE), partition)
                .withOption("infer_schema_length", "100")
                .withOption("limit", "400");
    }

    private static List<String> names(Schema schema) {
        return schema.getFields().stream().map(Field::getName).toList();
    }

    @Test
    void attributesFirstSeenAfterTheSampleAreCollectedAsJsonByDefault() {
        try (StreamingSource source = Local.open(query("late").withOption("projection", "pk, sk, #n, late")
                .withOption("expression_attribute_names", "{\"#n\": \"name\"}"))) {
            long rows = Local.count(source, 256, chunk -> {
                BigIntVector sk = (BigIntVector) chunk.root().getVector("sk");
                VarCharVector extra = (VarCharVector) chunk.root().getVector("_extra");
                for (int r = 0; r < chunk.rowCount(); r++) {
                    long i = sk.get(r);
                    if (i >= LATE_FROM) assertThat(extra.getObject(r).toString()).isEqualTo("{\"late\":\"L-" + i + "\"}");
                    else assertThat(extra.isNull(r)).isTrue();
                }
            });
            assertThat(rows).isEqualTo(LATE_ITEMS);
            assertThat(names(source.metadata().schema())).containsExactly("pk", "sk", "name", "_extra");
            assertThat(source.stats().counters().get("unknown_fields_collected")).isEqualTo(LATE_ITEMS - LATE_FROM);
        }
    }

    @Test
    void unknownFieldsErrorNamesTheAttributeAndTheItem() {
        try (StreamingSource source = Local.open(query("late").withOption("projection", "pk, sk, late")
                .withOption("unknown_fields", "error"))) {
            long[] rows = {0};
            SchemaException e = catchThrowableOfType(SchemaException.class,
                    () -> rows[0] = Local.count(source, 100, c -> { }));
            assertThat(e).isNotNull();
            assertThat(e.getMessage()).contains("'late'").contains("first 100 items").contains("unknown_fields=collect");
            assertThat(e.where()).hasValueSatisfying(w -> {
                assertThat(w.resource()).isEqualTo(TABLE);
                assertThat(w.offset()).isEqualTo(LATE_FROM);
                assertThat(w.page()).isEqualTo(LATE_FROM / 400 + 1);
            });
        }
    }

    @Test
    void unknownFieldsIgnoreDropsAndCounts() {
        try (StreamingSource source = Local.open(query("late").withOption("projection", "pk, sk, late")
                .withOption("unknown_fields", "ignore"))) {
            assertThat(Local.count(source, 500, c -> { })).isEqualTo(LATE_ITEMS);
            assertThat(names(source.metadata().schema())).containsExactly("pk", "sk");
            assertThat(source.stats().counters().get("unknown_fields_dropped")).isEqualTo(LATE_ITEMS - LATE_FROM);
        }
    }

    @Test
    void aLargerSampleSeesTheSparseAttribute() {
        try (StreamingSource source = Local.open(query("late").withOption("projection", "pk, sk, late")
                .withOption("infer_schema_length", "3000").withOption("unknown_fields", "error"))) {
            List<String> late = new ArrayList<>();
            Local.count(source, 1_000, c -> {
                VarCharVector v = (VarCharVector) c.root().getVector("late");
                for (int r = 0; r < c.rowCount(); r++) if (!v.isNull(r)) late.add(v.getObject(r).toString());
            });
            assertThat(late).hasSize(LATE_ITEMS - LATE_FROM).startsWith("L-2000").endsWith("L-2999");
            assertThat(names(source.metadata().schema())).containsExactly("pk", "sk", "late");
        }
    }

    @Test
    void aNumberThatDoesNotFitTheInferredTypeIsASchemaErrorNamingFieldAndItem() {
        try (StreamingSource source = Local.open(query("mismatch"))) {
            long[] rows = {0};
            SchemaException e = catchThrowableOfType(SchemaException.class,
                    () -> Local.count(source, 100, c -> rows[0] += c.rowCount()));
            assertThat(e).isNotNull();
            assertThat(e.getMessage()).contains("'amount'").contains("int64").contains("1.5");
            assertThat(e.where()).hasValueSatisfying(w -> assertThat(w.offset()).isEqualTo(MISMATCH_AT));
            assertThat(rows[0]).isEqualTo(MISMATCH_AT);
        }
    }

    @Test
    void anExplicitSchemaCoercesAndCollectsTheRest() {
        try (StreamingSource source = Local.open(query("mismatch")
                .withOption("schema", "{\"sk\": \"int32\", \"amount\": \"decimal(12,1)\"}"))) {
            long rows = Local.count(source, 700, chunk -> {
                IntVector sk = (IntVector) chunk.root().getVector("sk");
                DecimalVector amount = (DecimalVector) chunk.root().getVector("amount");
                VarCharVector extra = (VarCharVector) chunk.root().getVector("_extra");
                for (int r = 0; r < chunk.rowCount(); r++) {
                    int i = sk.get(r);
                    assertThat(amount.getObject(r)).isEqualTo(i == MISMATCH_AT ? new BigDecimal("1.5")
                            : BigDecimal.valueOf(i * 10L, 1));
                    assertThat(extra.getObject(r).toString()).isEqualTo("{\"pk\":\"mismatch\"}");
                }
            });
            assertThat(rows).isEqualTo(MISMATCH_ITEMS);
            Schema schema = source.metadata().schema();
            assertThat(names(schema)).containsExactly("sk", "amount", "_extra");
            assertThat(schema.findField("sk").getType()).isEqualTo(new ArrowType.Int(32, true));
        }
    }

    @Test
    void anExplicitSchemaWithIgnoreAsksDynamoDbOnlyForItsAttributes() {
        try (DynamoDbFaultProxy proxy = DynamoDbFaultProxy.start(tables.endpoint())) {
            List<String> bodies = new ArrayList<>();
            proxy.rule(r -> {
                if (r.operation().equals("Query")) {
                    synchronized (bodies) {
                        bodies.add(r.body());
                    }
                }
                return DynamoDbFaultProxy.Fault.forward();
            });
            Schema arrow = new Schema(List.of(Field.nullable("sk", new ArrowType.Int(64, true)),
                    Field.nullable("late", ArrowType.Utf8.INSTANCE)));
            SourceConfig config = Local.query(Local.config(proxy.endpoint(), TABLE), "late")
                    .withOption("schema", "[{\"name\": \"sk\", \"type\": \"int64\"}, "
                            + "{\"name\": \"late\", \"type\": \"utf8\"}]")
                    .withOption("unknown_fields", "ignore");
            try (StreamingSource source = Local.open(config)) {
                assertThat(Local.count(source, 1_000, c -> assertThat(c.root().getFieldVectors()).hasSize(2)))
                        .isEqualTo(LATE_ITEMS);
                assertThat(source.metadata().schema()).isEqualTo(arrow);
                assertThat(source.stats().counters()).doesNotContainKey("unknown_fields_dropped");
            }
            assertThat(bodies).isNotEmpty().allSatisfy(b -> assertThat(b)
                    .contains("\"ProjectionExpression\":\"#pw_col0, #pw_col1\"")
                    .contains("\"#pw_col1\":\"late\""));
        }
    }

    @Test
    void aMapGainingAKeyAfterTheSampleFailsAsStructButNotAsJson() {
        SourceConfig config = query("late").withOption("projection", "pk, sk, deep");
        try (StreamingSource source = Local.open(config)) {
            SchemaException e = catchThrowableOfType(SchemaException.class, () -> Local.count(source, 500, c -> { }));
            assertThat(e).isNotNull();
            assertThat(e.getMessage()).contains("deep.y");
            assertThat(e.where()).hasValueSatisfying(w -> assertThat(w.offset()).isBetween(2_000L, 2_500L));
        }
        try (StreamingSource source = Local.open(config.withOption("nested_mode", "json"))) {
            List<String> deep = new ArrayList<>();
            Local.count(source, 500, c -> {
                FieldVector v = c.root().getVector("deep");
                for (int r = 0; r < c.rowCount(); r++) deep.add(v.getObject(r).toString());
            });
            assertThat(deep).hasSize(LATE_ITEMS);
            assertThat(deep.get(0)).isEqualTo("{\"x\":0}");
            assertThat(deep.get(LATE_ITEMS - 1)).isEqualTo("{\"x\":2999,\"y\":\"y-2999\"}");
        }
    }

    @Test
    void anAttributeNamedLikeTheExtraColumnMustBeRenamedAway() {
        try (StreamingSource source = Local.open(query("clash"))) {
            ConfigException e = catchThrowableOfType(ConfigException.class, () -> source.readChunk(100));
            assertThat(e).isNotNull();
            assertThat(e.key()).contains("extra_column");
        }
        try (StreamingSource source = Local.open(query("clash").withOption("extra_column", "_unknown"))) {
            List<String> mine = new ArrayList<>();
            Local.count(source, 100, c -> {
                FieldVector v = c.root().getVector("_extra");
                for (int r = 0; r < c.rowCount(); r++) mine.add(v.getObject(r).toString());
            });
            assertThat(mine).hasSize(10).contains("mine-0", "mine-9");
            assertThat(names(source.metadata().schema())).containsExactly("pk", "sk", "_extra", "_unknown");
        }
    }

    @Test
    void noItemsWithAnExplicitSchemaIsOneEmptyChunkOfThatSchema() {
        try (StreamingSource source = Local.open(query("nobody").withOption("schema", "{\"sk\": \"int64\", \"name\": \"utf8\"}"))) {
            try (Chunk empty = source.readChunk(100).orElseThrow()) {
                assertThat(empty.rowCount()).isZero();
                assertThat(names(empty.schema())).containsExactly("sk", "name", "_extra");
            }
            assertThat(source.readChunk(100)).isEmpty();
        }
        try (StreamingSource source = Local.open(query("nobody"))) {
            assertThat(source.readChunk(100)).isEmpty();
            assertThat(source.metadata().schema()).isNull();
        }
    }
}
