package io.polarway.source.dynamodb;

import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Pure logic: attribute values, option JSON, the schema option's text form, the backoff. */
class ConversionTest {

    @Test
    void everyAttributeTypeMapsToTheRecordModel() {
        assertThat(AttributeValues.toValue(AttributeValue.fromS("x"))).isEqualTo("x");
        assertThat(AttributeValues.toValue(AttributeValue.fromN("12345678901234567890.0001")))
                .isEqualTo(new BigDecimal("12345678901234567890.0001"));
        assertThat(AttributeValues.toValue(AttributeValue.fromB(SdkBytes.fromByteArray(new byte[]{1, 2}))))
                .isEqualTo(new byte[]{1, 2});
        assertThat(AttributeValues.toValue(AttributeValue.fromBool(false))).isEqualTo(false);
        assertThat(AttributeValues.toValue(AttributeValue.fromNul(true))).isNull();
        assertThat(AttributeValues.toValue(AttributeValue.fromSs(List.of("a", "b")))).isEqualTo(List.of("a", "b"));
        assertThat(AttributeValues.toValue(AttributeValue.fromNs(List.of("1", "2.50"))))
                .isEqualTo(List.of(new BigDecimal("1"), new BigDecimal("2.50")));
        assertThat((List<?>) AttributeValues.toValue(AttributeValue.fromBs(List.of(SdkBytes.fromByteArray(new byte[]{9})))))
                .singleElement().isEqualTo(new byte[]{9});
        assertThat(AttributeValues.toValue(AttributeValue.fromM(Map.of("k", AttributeValue.fromL(List.of(
                AttributeValue.fromN("1"), AttributeValue.fromNul(true)))))))
                .isEqualTo(Map.of("k", java.util.Arrays.asList(BigDecimal.ONE, null)));
    }

    @Test
    void expressionValuesInPlainOrDynamoDbJson() {
        Map<String, AttributeValue> v = AttributeValues.parseValues("{\":s\": \"a\", \":n\": 1.50, \":big\": "
                + "123456789012345678901234567890, \":t\": true, \":z\": null, \":l\": [1, \"x\"], \":m\": {\"k\": 2},"
                + " \":typed\": {\"N\": \"7\"}, \":ss\": {\"SS\": [\"a\", \"b\"]}, \":b\": {\"B\": \"AQI=\"}}");
        assertThat(v.get(":s")).isEqualTo(AttributeValue.fromS("a"));
        assertThat(v.get(":n")).isEqualTo(AttributeValue.fromN("1.50"));
        assertThat(v.get(":big")).isEqualTo(AttributeValue.fromN("123456789012345678901234567890"));
        assertThat(v.get(":t")).isEqualTo(AttributeValue.fromBool(true));
        assertThat(v.get(":z")).isEqualTo(AttributeValue.fromNul(true));
        assertThat(v.get(":l")).isEqualTo(AttributeValue.fromL(List.of(AttributeValue.fromN("1"),
                AttributeValue.fromS("x"))));
        assertThat(v.get(":m")).isEqualTo(AttributeValue.fromM(Map.of("k", AttributeValue.fromN("2"))));
        assertThat(v.get(":typed")).isEqualTo(AttributeValue.fromN("7"));
        assertThat(v.get(":ss")).isEqualTo(AttributeValue.fromSs(List.of("a", "b")));
        assertThat(v.get(":b").b().asByteArray()).containsExactly(1, 2);
        assertThatThrownBy(() -> AttributeValues.parseValues("{\":n\": {\"N\": \"one\"}}"))
                .hasMessageContaining("not a number");
        assertThatThrownBy(() -> AttributeValues.parseValues("[1]")).hasMessageContaining("JSON object");
        assertThat(AttributeValues.parseNames("{\"#n\": \"name\"}")).containsEntry("#n", "name");
    }

    @Test
    void compactSchemaText() {
        Schema s = SchemaText.parse("id: int64, \"order id\": utf8, price: decimal(12,2), tags: list<utf8>, "
                + "address: struct<city: string, zip: int32>, seen: timestamp, ok: bool, raw: binary, day: date");
        assertThat(s.getFields()).extracting(Field::getName).containsExactly("id", "order id", "price", "tags",
                "address", "seen", "ok", "raw", "day");
        assertThat(s.findField("price").getType()).isEqualTo(new ArrowType.Decimal(12, 2, 128));
        assertThat(s.findField("tags").getChildren().get(0).getType()).isEqualTo(ArrowType.Utf8.INSTANCE);
        assertThat(s.findField("address").getChildren()).extracting(Field::getName).containsExactly("city", "zip");
        assertThat(s.getFields()).allMatch(Field::isNullable);
        assertThat(SchemaText.parse(s.toJson())).isEqualTo(s);
        assertThatThrownBy(() -> SchemaText.parse("id: int65")).hasMessageContaining("a type");
        assertThatThrownBy(() -> SchemaText.parse("id: int64, id: utf8")).hasMessageContaining("twice");
        assertThatThrownBy(() -> SchemaText.parse("p: decimal(40, 2)")).hasMessageContaining("1..38");
        assertThatThrownBy(() -> SchemaText.parse("s: struct<a: int64")).hasMessageContaining("'>'");
    }

    @Test
    void backoffGrowsByTheMultiplierWithHalfOfItRandom() {
        DynamoDbBackoff b = new DynamoDbBackoff(100, 3.0);
        assertThat(b.ceilingMillis(1)).isEqualTo(100);
        assertThat(b.ceilingMillis(2)).isEqualTo(300);
        assertThat(b.ceilingMillis(3)).isEqualTo(900);
        assertThat(b.ceilingMillis(30)).isEqualTo(DynamoDbBackoff.CAP_MILLIS);
        for (int attempt = 1; attempt <= 4; attempt++) {
            long ceiling = b.ceilingMillis(attempt);
            for (int k = 0; k < 200; k++) {
                Duration d = b.computeDelay(attempt);
                assertThat(d.toMillis()).isBetween(ceiling / 2, ceiling);
            }
        }
        assertThat(new DynamoDbBackoff(0, 2.0).computeDelay(3)).isZero();
        assertThat(new DynamoDbBackoff(120_000, 2.0).ceilingMillis(5)).isEqualTo(120_000);
    }
}
