package io.polarway.source.dynamodb;

import io.polarway.retry.RetrySettings;
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
    void theSdkBackoffIsTheSharedRetryKeysBackoff() {
        RetrySettings settings = new RetrySettings(5, Duration.ofMillis(100), 3.0, Duration.ofSeconds(2), 0.25,
                Duration.ofSeconds(30));
        DynamoDbBackoff backoff = new DynamoDbBackoff(settings);
        long[] base = {100, 300, 900, 2_000};
        for (int attempt = 1; attempt <= base.length; attempt++) {
            for (int k = 0; k < 200; k++) {
                long d = backoff.computeDelay(attempt).toMillis();
                assertThat(d).as("delay before retry %d", attempt)
                        .isBetween((long) (base[attempt - 1] * 0.75), Math.min(2_000, (long) (base[attempt - 1] * 1.25)));
            }
        }
        assertThat(new DynamoDbBackoff(settings.withRetryAttempts(0)).computeDelay(0).toMillis()).isBetween(75L, 125L);
    }
}
