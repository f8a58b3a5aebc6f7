package io.polarway.records;

import io.polarway.config.OptionSet;
import io.polarway.config.Options;
import io.polarway.error.ConfigException;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SchemaJsonTest {

    @Test
    void parsesAFieldListWithNestedTypes() {
        Schema s = SchemaJson.parse("""
                [{"name": "id", "type": "int64", "nullable": false},
                 {"name": "price", "type": "decimal(12, 2)"},
                 {"name": "seen", "type": "timestamp[ms, utc]"},
                 {"name": "tags", "type": "list", "item": "utf8"},
                 {"name": "owner", "type": "struct", "fields": [{"name": "login", "type": "string"}]}]""");
        assertThat(s.getFields()).extracting(f -> f.getName()).containsExactly("id", "price", "seen", "tags", "owner");
        assertThat(s.findField("id").isNullable()).isFalse();
        assertThat(s.findField("id").getType()).isEqualTo(new ArrowType.Int(64, true));
        assertThat(s.findField("price").getType()).isEqualTo(new ArrowType.Decimal(12, 2, 128));
        assertThat(s.findField("seen").getType()).isEqualTo(new ArrowType.Timestamp(TimeUnit.MILLISECOND, "UTC"));
        assertThat(s.findField("tags").getChildren().get(0).getType()).isEqualTo(ArrowType.Utf8.INSTANCE);
        assertThat(s.findField("owner").getChildren().get(0).getName()).isEqualTo("login");
    }

    @Test
    void parsesANameToTypeObjectInOrder() {
        Schema s = SchemaJson.parse("{\"b\": \"float\", \"a\": \"bool\", \"d\": \"date\"}");
        assertThat(s.getFields()).extracting(f -> f.getName()).containsExactly("b", "a", "d");
        assertThat(s.findField("b").getType().toString()).isEqualTo("FloatingPoint(DOUBLE)");
    }

    @Test
    void rejectsBadSchemasNamingTheField() {
        assertThatThrownBy(() -> SchemaJson.parse("[{\"name\": \"x\", \"type\": \"money\"}]"))
                .hasMessageContaining("x").hasMessageContaining("money");
        assertThatThrownBy(() -> SchemaJson.parse("[{\"type\": \"int64\"}]")).hasMessageContaining("no name");
        assertThatThrownBy(() -> SchemaJson.parse("[1, 2")).hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> SchemaJson.parse("[]")).hasMessageContaining("no fields");
        assertThatThrownBy(() -> SchemaJson.parse("{\"l\": {\"type\": \"list\"}}")).hasMessageContaining("item");
    }

    @Test
    void recordOptionsConfigureTheBuilder() {
        OptionSet set = RecordOptions.OPTIONS;
        Options o = set.parse(Map.of("schema", "{\"id\": \"int32\", \"name\": \"utf8\"}", "unknown_fields", "ignore"));
        RecordBatchBuilder b = RecordOptions.builder("test", o, null).build();
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("id", "7"); // coerced
        r.put("name", "x");
        r.put("extra", true); // dropped
        b.add(r, null);
        try (BufferAllocator a = new RootAllocator(); VectorSchemaRoot root = b.build(a, 10)) {
            assertThat(root.getSchema().findField("id").getType()).isEqualTo(new ArrowType.Int(32, true));
            assertThat(root.getVector("id").getObject(0)).isEqualTo(7);
            assertThat(root.getSchema().getFields()).hasSize(2);
        }
        assertThatThrownBy(() -> RecordOptions.builder("t", set.parse(Map.of("schema", "nope")), null))
                .isInstanceOf(ConfigException.class).hasMessageContaining("schema");
        assertThat(RecordOptions.builder("t", set.parse(Map.of("nested_mode", "json")), null)).isNotNull();
        assertThat(set.keys()).isEqualTo(List.of("infer_schema_length", "schema", "nested_mode", "unknown_fields"));
    }
}
