package io.polarway.source.kafka;

import io.polarway.api.Credentials;
import io.polarway.api.SourceConfig;
import io.polarway.config.Options;
import io.polarway.error.ConfigException;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Option parsing and the fetch sizes derived from the budget (pure logic, no broker). */
class KafkaSettingsTest {

    private static KafkaSettings settings(String location, long budget, Map<String, String> raw) {
        SourceConfig config = SourceConfig.of(location).withOptions(raw);
        Options options = KafkaSourceFactory.OPTIONS.parse(config.options());
        return KafkaSettings.from(config, options, budget);
    }

    @Test
    void fetchSizesFollowTheBudget() {
        // Azure B1s profile: a 600 MB budget
        KafkaSettings b1s = settings("t", 600_000_000L, Map.of("brokers", "h:9092"));
        assertThat(b1s.bufferMaxBytes).isEqualTo(600_000_000L / 16);
        assertThat(b1s.fetchMaxBytes).isEqualTo(600_000_000L / 16 / 2);
        assertThat(b1s.maxPartitionFetchBytes).isEqualTo(1L << 20);
        Properties p = b1s.consumerProperties();
        assertThat(p.getProperty("fetch.max.bytes")).isEqualTo(String.valueOf(600_000_000L / 32));
        assertThat(p.getProperty("max.poll.records")).isEqualTo("500");
        assertThat(p.getProperty("enable.auto.commit")).isEqualTo("false");
        // a tiny budget: the floor; a huge one: the ceiling, a fetch shared by three brokers
        assertThat(settings("t", 4_000_000L, Map.of("brokers", "h:1")).bufferMaxBytes).isEqualTo(1L << 20);
        KafkaSettings big = settings("t", 100L << 30, Map.of("brokers", "a:1,b:1,c:1"));
        assertThat(big.bufferMaxBytes).isEqualTo(64L << 20);
        assertThat(big.fetchMaxBytes).isEqualTo((64L << 20) / 2 / 3);
        // given options win
        KafkaSettings given = settings("t", 600_000_000L, Map.of("brokers", "h:1", "buffer_max_bytes", "8MiB",
                "max_partition_fetch_bytes", "256KiB", "max_poll_records", "100"));
        assertThat(given.bufferMaxBytes).isEqualTo(8L << 20);
        assertThat(given.fetchMaxBytes).isEqualTo(4L << 20);
        assertThat(given.maxPartitionFetchBytes).isEqualTo(256L << 10);
        assertThat(given.consumerProperties().getProperty("max.poll.records")).isEqualTo("100");
    }

    @Test
    void locationsAreATopicACommaListOrAPattern() {
        assertThat(settings("a", 1L << 30, Map.of("brokers", "h:1")).topics).containsExactly("a");
        KafkaSettings list = settings("a, b,a", 1L << 30, Map.of("brokers", "h:1"));
        assertThat(list.topics).containsExactly("a", "b");
        assertThat(list.topicColumn).isEqualTo("_topic");
        KafkaSettings pattern = settings("logs-.*", 1L << 30, Map.of("brokers", "h:1", "topic_pattern", "true"));
        assertThat(pattern.topicPattern.pattern()).isEqualTo("logs-.*");
        assertThatThrownBy(() -> settings("logs-(", 1L << 30, Map.of("brokers", "h:1", "topic_pattern", "true")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("topic_pattern");
    }

    @Test
    void saslCredentialsBecomeAJaasConfigAndNeverShowInToString() {
        SourceConfig config = SourceConfig.of("t").withOptions(Map.of("brokers", "h:1"))
                .withCredentials(Credentials.KafkaSasl.of("bob", "pa\"ss", "SCRAM-SHA-512"));
        KafkaSettings s = KafkaSettings.from(config, KafkaSourceFactory.OPTIONS.parse(config.options()), 1L << 30);
        Properties p = s.consumerProperties();
        assertThat(p.getProperty("security.protocol")).isEqualTo("SASL_SSL");
        assertThat(p.getProperty("sasl.mechanism")).isEqualTo("SCRAM-SHA-512");
        assertThat(p.getProperty("sasl.jaas.config")).contains("ScramLoginModule").contains("password=\"pa\\\"ss\"");
        assertThat(s.toString()).doesNotContain("pa\"ss");
        assertThat(config.toString()).doesNotContain("pa\"ss");
        assertThatThrownBy(() -> KafkaSettings.from(config.withOption("security_protocol", "plaintext"),
                KafkaSourceFactory.OPTIONS.parse(Map.of("brokers", "h:1", "security_protocol", "plaintext")),
                1L << 30)).isInstanceOf(ConfigException.class).hasMessageContaining("security_protocol");
    }

    @Test
    void csvOptionsResolveAndAreCheckedAgainstTheFormatAndTheMetadataColumns() {
        KafkaSettings csv = settings("t", 1L << 30, Map.of("brokers", "h:1", "format", "csv",
                "csv_columns", "a, b", "delimiter", "tab", "quote_char", "'", "null_values", "NA,,NULL"));
        assertThat(csv.csvColumns).extracting(CsvValues.Column::name).containsExactly("a", "b");
        assertThat(csv.csvDelimiter).isEqualTo('\t');
        assertThat(csv.csvQuote).isEqualTo('\'');
        assertThat(csv.csvNullValues).containsExactly("NA", "NULL");
        assertThat(settings("t", 1L << 30, Map.of("brokers", "h:1", "format", "csv", "csv_columns", "a"))
                .csvDelimiter).isEqualTo(',');
        assertThatThrownBy(() -> settings("t", 1L << 30, Map.of("brokers", "h:1", "format", "csv")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("csv_columns");
        assertThatThrownBy(() -> settings("t", 1L << 30, Map.of("brokers", "h:1", "csv_columns", "a")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("'csv_columns' applies to format=csv");
        assertThatThrownBy(() -> settings("t", 1L << 30, Map.of("brokers", "h:1", "format", "string",
                "delimiter", ";"))).isInstanceOf(ConfigException.class).hasMessageContaining("delimiter");
        assertThatThrownBy(() -> settings("t", 1L << 30, Map.of("brokers", "h:1", "format", "csv",
                "csv_columns", "a", "quote_char", ","))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("quote_char");
        assertThatThrownBy(() -> settings("t", 1L << 30, Map.of("brokers", "h:1", "format", "csv",
                "csv_columns", "a", "delimiter", "\\n"))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("delimiter");
        assertThatThrownBy(() -> settings("t", 1L << 30, Map.of("brokers", "h:1", "format", "csv",
                "csv_columns", "id,_offset"))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("'_offset'").hasMessageContaining("offset_column");
        // renamed, the metadata column leaves the name free
        assertThat(settings("t", 1L << 30, Map.of("brokers", "h:1", "format", "csv", "csv_columns", "id,_offset",
                "offset_column", "kafka_offset")).csvColumns).hasSize(2);
    }
}
