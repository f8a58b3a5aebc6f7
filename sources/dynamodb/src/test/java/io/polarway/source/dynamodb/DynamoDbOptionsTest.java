package io.polarway.source.dynamodb;

import io.polarway.api.Credentials;
import io.polarway.api.SourceConfig;
import io.polarway.api.SourceFactory;
import io.polarway.api.SourceRegistry;
import io.polarway.error.ConfigException;
import org.junit.jupiter.api.Test;

import java.net.URI;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Option parsing and the checks made before any request: each bad configuration is a ConfigException naming the key. */
class DynamoDbOptionsTest {
    /** Nothing listens here: every case below must fail before a request is sent. */
    static final URI NOWHERE = URI.create("http://127.0.0.1:9");

    private static SourceConfig config() {
        return SourceConfig.of("orders").withOption("endpoint", NOWHERE.toString())
                .withCredentials(Credentials.DynamoDb.of("AKIAEXAMPLEKEY000000", "example-secret-0000", "eu-west-1"));
    }

    private static ConfigException fails(SourceConfig config) {
        ConfigException e = catchThrowableOfType(ConfigException.class,
                () -> SourceRegistry.withDefaults().create("dynamodb", config).close());
        assertThat(e).as("a ConfigException").isNotNull();
        return e;
    }

    @Test
    void theSourceIsRegisteredWithItsOptions() {
        SourceFactory f = SourceRegistry.withDefaults().factory("dynamodb");
        assertThat(f).isInstanceOf(DynamoDbSourceFactory.class);
        assertThat(f.options().keys()).contains("operation", "key_condition", "filter_expression", "projection",
                "index_name", "expression_attribute_names", "expression_attribute_values", "consistent_read",
                "total_segments", "segment", "limit", "endpoint", "region", "retry_attempts", "retry_delay_ms",
                "retry_multiplier", "retry_max_delay_ms", "retry_jitter", "timeout_ms", "infer_schema_length", "schema",
                "unknown_fields", "extra_column", "nested_mode");
    }

    @Test
    void unknownKeysAndBadValuesNameTheKey() {
        assertThat(fails(config().withOption("segments", "4")).validChoices()).contains("total_segments");
        assertThat(fails(config().withOption("operation", "get")).key()).contains("operation");
        assertThat(fails(config().withOption("total_segments", "0")).key()).contains("total_segments");
        assertThat(fails(config().withOption("retry_multiplier", "0.5")).key()).contains("retry_multiplier");
        assertThat(fails(config().withOption("unknown_fields", "keep")).validChoices())
                .containsExactly("collect", "error", "ignore");
    }

    @Test
    void optionsThatDoNotGoTogether() {
        assertThat(fails(config().withOption("operation", "query")).key()).contains("key_condition");
        assertThat(fails(config().withOption("key_condition", "pk = :p")).key()).contains("key_condition");
        assertThat(fails(config().withOption("segment", "1")).key()).contains("segment");
        ConfigException beyond = fails(config().withOption("segment", "4").withOption("total_segments", "4"));
        assertThat(beyond.key()).contains("segment");
        assertThat(beyond.getMessage()).contains("numbered from 0");
        assertThat(fails(config().withOption("operation", "query").withOption("key_condition", "pk = :p")
                .withOption("total_segments", "4")).key()).contains("total_segments");
    }

    @Test
    void malformedJsonSchemaAndEndpoint() {
        assertThat(fails(config().withOption("expression_attribute_values", "{\":p\": ")).key())
                .contains("expression_attribute_values");
        assertThat(fails(config().withOption("expression_attribute_values", "{\"p\": 1}")).getMessage())
                .contains("must start with ':'");
        assertThat(fails(config().withOption("expression_attribute_names", "{\"#n\": 5}")).key())
                .contains("expression_attribute_names");
        assertThat(fails(config().withOption("schema", "{\"id\": \"int64\", \"name\"}")).key()).contains("schema");
        assertThat(fails(config().withOption("schema", "{\"_extra\": \"int64\"}")).getMessage())
                .contains("must be utf8");
        assertThat(fails(config().withOption("endpoint", "127.0.0.1:8000")).key()).contains("endpoint");
    }

    @Test
    void tableNamesAndCredentialKinds() {
        assertThat(fails(config().withLocation("a")).getMessage()).contains("not a DynamoDB table name");
        assertThat(fails(config().withLocation("s3://bucket/key")).getMessage()).contains("not a DynamoDB table name");
        assertThat(fails(config().withCredentials(Credentials.Bearer.of("token-value"))).getMessage())
                .contains("DynamoDb or Aws credentials").doesNotContain("token-value");
    }

    @Test
    void settingsNeverPrintSecretsOrValues() {
        SourceConfig c = config().withOption("expression_attribute_values", "{\":email\": \"someone@example.com\"}");
        DynamoDbSettings s = DynamoDbSettings.from(c, DynamoDbSourceFactory.OPTIONS.parse(c.options()));
        assertThat(s.toString()).doesNotContain("example-secret").doesNotContain("AKIAEXAMPLE")
                .doesNotContain("someone@example.com").contains("orders");
        assertThat(s.region()).isEqualTo("eu-west-1");
        assertThat(DynamoDbErrors.redact("key AKIAEXAMPLEKEY000000 secret example-secret-0000", s))
                .isEqualTo("key **** secret ****");
    }

    @Test
    void anExplicitSchemaWithIgnoreDerivesTheProjection() {
        SourceConfig c = config().withOption("schema", "{\"id\": \"int64\", \"name\": \"utf8\"}")
                .withOption("unknown_fields", "ignore")
                .withOption("expression_attribute_names", "{\"#x\": \"x\"}");
        DynamoDbSettings s = DynamoDbSettings.from(c, DynamoDbSourceFactory.OPTIONS.parse(c.options()));
        assertThat(s.projection()).isEqualTo("#pw_col0, #pw_col1");
        assertThat(s.attributeNames()).containsEntry("#pw_col0", "id").containsEntry("#pw_col1", "name")
                .containsEntry("#x", "x");
        SourceConfig collect = config().withOption("schema", "[{\"name\": \"id\", \"type\": \"int64\"}]");
        DynamoDbSettings t = DynamoDbSettings.from(collect, DynamoDbSourceFactory.OPTIONS.parse(collect.options()));
        assertThat(t.projection()).isNull();
        assertThat(t.schema().getFields()).extracting(f -> f.getName()).containsExactly("id", "_extra");
    }

    @Test
    void validationMessagesPointAtTheirOption() {
        assertThat(DynamoDbErrors.optionFor("Invalid FilterExpression: Syntax error")).isEqualTo("filter_expression");
        assertThat(DynamoDbErrors.optionFor("Query condition missed key schema element: pk")).isEqualTo("key_condition");
        assertThat(DynamoDbErrors.optionFor("Invalid ProjectionExpression: reserved keyword")).isEqualTo("projection");
        assertThat(DynamoDbErrors.optionFor("Value provided in ExpressionAttributeValues unused in expressions: "
                + "keys: {:x}")).isEqualTo("expression_attribute_values");
        assertThat(DynamoDbErrors.optionFor("The table does not have the specified index: x")).isEqualTo("index_name");
        assertThat(DynamoDbErrors.optionFor("Something else")).isNull();
    }
}
