package io.polarway.source.kafka;

import io.polarway.api.Credentials;
import io.polarway.api.SourceConfig;
import io.polarway.config.Options;
import io.polarway.error.ConfigException;
import io.polarway.records.NestedMode;
import io.polarway.records.UnknownFields;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import static io.polarway.source.kafka.KafkaSourceFactory.*;

/**
 * Everything the Kafka source needs, parsed and validated once at creation: what to subscribe to, how values become
 * columns, when the stream ends, and the consumer's properties with the fetch sizes derived from the memory budget.
 * Immutable. {@link #toString()} never shows credentials or pass-through properties.
 */
final class KafkaSettings {
    enum Format { JSON, CSV, STRING, BYTES }

    /** Bounds of the default {@code buffer_max_bytes}: budget/16 clamped to [1 MiB, 64 MiB]. */
    static final long MIN_DEFAULT_BUFFER_BYTES = 1L << 20;
    static final long MAX_DEFAULT_BUFFER_BYTES = 64L << 20;
    /** Kafka's own default fetch.max.bytes: the derived value never exceeds it. */
    static final long KAFKA_DEFAULT_FETCH_MAX_BYTES = 50L * 1024 * 1024;

    final String location;
    final List<String> topics;
    final Pattern topicPattern;
    final String groupId;
    final Format format;
    final boolean stopAtEnd;
    final long maxRecords;
    final long idleTimeoutMillis;
    final long lingerMillis;
    final long pollTimeoutMillis;
    final long commitIntervalMillis;
    final long requestTimeoutMillis;
    final String keyColumn;
    final boolean keyAsBytes;
    final String partitionColumn;
    final String offsetColumn;
    final String timestampColumn;
    final String topicColumn;
    final String valueColumn;
    final int inferSchemaLength;
    final NestedMode nested;
    final UnknownFields unknownFields;
    final boolean skipBadRecords;
    /** With {@code format=csv}: the value columns, in field order (else empty). */
    final List<CsvValues.Column> csvColumns;
    final char csvDelimiter;
    final char csvQuote;
    final List<String> csvNullValues;
    final long bufferMaxBytes;
    final long fetchMaxBytes;
    final long maxPartitionFetchBytes;
    final int maxPollRecords;
    private final Properties consumerProperties;

    private KafkaSettings(SourceConfig config, Options o, long budgetBytes) {
        this.location = config.location().trim();
        if (location.isEmpty()) throw new ConfigException(null, "the location must name a topic", List.of(), null);
        if (o.get(TOPIC_PATTERN)) {
            try {
                this.topicPattern = Pattern.compile(location);
            } catch (PatternSyntaxException e) {
                throw new ConfigException(TOPIC_PATTERN.key(), "the location is not a valid regular expression (topic_pattern=true): "
                        + e.getDescription(), List.of(), e);
            }
            this.topics = List.of();
        } else {
            Set<String> names = new LinkedHashSet<>();
            for (String t : location.split(",")) {
                if (!t.isBlank()) names.add(t.trim());
            }
            if (names.isEmpty()) throw new ConfigException(null, "the location must name a topic", List.of(), null);
            this.topics = List.copyOf(names);
            this.topicPattern = null;
        }
        String brokers = o.find(BROKERS).orElseThrow(() -> new ConfigException(BROKERS.key(),
                "option 'brokers' is required for source 'kafka' (bootstrap servers, e.g. localhost:9092)",
                List.of(), null));
        this.groupId = o.find(GROUP_ID).filter(s -> !s.isBlank()).orElse(null);
        if (groupId == null && o.isSet(GROUP_INSTANCE_ID)) {
            throw new ConfigException(GROUP_INSTANCE_ID.key(), "group_instance_id needs group_id", List.of(), null);
        }
        this.format = Format.valueOf(o.get(FORMAT).toUpperCase(Locale.ROOT));
        this.stopAtEnd = o.get(STOP_AT_END);
        this.maxRecords = o.get(MAX_RECORDS);
        this.idleTimeoutMillis = o.get(IDLE_TIMEOUT_MS);
        this.lingerMillis = o.get(LINGER_MS);
        this.pollTimeoutMillis = o.get(POLL_TIMEOUT_MS);
        this.commitIntervalMillis = o.get(COMMIT_INTERVAL_MS);
        this.requestTimeoutMillis = o.get(REQUEST_TIMEOUT_MS);
        this.keyColumn = o.get(KEY_COLUMN).trim();
        this.keyAsBytes = o.get(KEY_FORMAT).equals("bytes");
        this.partitionColumn = o.get(PARTITION_COLUMN).trim();
        this.offsetColumn = o.get(OFFSET_COLUMN).trim();
        this.timestampColumn = o.get(TIMESTAMP_COLUMN).trim();
        boolean manyTopics = topicPattern != null || topics.size() > 1;
        this.topicColumn = o.find(TOPIC_COLUMN).map(String::trim).orElse(manyTopics ? "_topic" : "");
        this.valueColumn = o.get(VALUE_COLUMN).trim();
        this.inferSchemaLength = o.get(INFER_SCHEMA_LENGTH);
        this.nested = o.get(NESTED).equals("json") ? NestedMode.JSON_STRING : NestedMode.STRUCT;
        this.unknownFields = o.get(UNKNOWN_FIELDS).equals("ignore") ? UnknownFields.IGNORE : UnknownFields.ERROR;
        this.skipBadRecords = o.get(BAD_RECORDS).equals("skip");
        this.csvDelimiter = o.get(DELIMITER);
        this.csvQuote = o.get(QUOTE_CHAR);
        this.csvNullValues = o.get(NULL_VALUES).stream().filter(v -> !v.isEmpty()).toList();
        if (format == Format.CSV) {
            this.csvColumns = CsvValues.columns(o.find(CSV_COLUMNS).orElse(null), o.find(SCHEMA).orElse(null));
            if (csvDelimiter == csvQuote) {
                throw new ConfigException(QUOTE_CHAR.key(), "delimiter and quote_char are both '" + csvQuote + "'",
                        List.of(), null);
            }
        } else {
            this.csvColumns = List.of();
            for (var spec : CSV_OPTIONS) {
                if (o.isSet(spec)) {
                    throw new ConfigException(spec.key(), "option '" + spec.key() + "' applies to format=csv only "
                            + "(format is " + format.name().toLowerCase(Locale.ROOT) + ")", List.of(), null);
                }
            }
        }
        checkColumnNames();

        // Fetch memory follows the budget: the buffer is a sixteenth of it, a fetch at most half the buffer shared
        // among the brokers a fetch may come from at once (one fetch per broker is in flight).
        int brokerCount = (int) java.util.Arrays.stream(brokers.split(",")).filter(s -> !s.isBlank()).count();
        long defaultBuffer = Math.max(MIN_DEFAULT_BUFFER_BYTES,
                Math.min(MAX_DEFAULT_BUFFER_BYTES, budgetBytes > 0 ? budgetBytes / 16 : MAX_DEFAULT_BUFFER_BYTES));
        this.bufferMaxBytes = o.find(BUFFER_MAX_BYTES).orElse(defaultBuffer);
        this.fetchMaxBytes = o.find(FETCH_MAX_BYTES).orElse(Math.max(64 * 1024,
                Math.min(KAFKA_DEFAULT_FETCH_MAX_BYTES, bufferMaxBytes / 2 / Math.max(1, brokerCount))));
        this.maxPartitionFetchBytes = o.find(MAX_PARTITION_FETCH_BYTES).orElse(Math.min(1L << 20, fetchMaxBytes));
        this.maxPollRecords = o.get(MAX_POLL_RECORDS);

        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers.trim());
        if (groupId != null) p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        o.find(GROUP_INSTANCE_ID).filter(s -> !s.isBlank())
                .ifPresent(id -> p.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, id));
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "polarway-" + (groupId != null ? groupId : "nogroup"));
        // Commits are ours, after the caller releases a chunk: never Kafka's auto-commit of what poll returned.
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, o.get(AUTO_OFFSET_RESET));
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, String.valueOf(maxPollRecords));
        p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, String.valueOf(clampInt(fetchMaxBytes)));
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(clampInt(maxPartitionFetchBytes)));
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, o.get(ISOLATION_LEVEL));
        p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, String.valueOf(clampInt(requestTimeoutMillis)));
        o.find(SESSION_TIMEOUT_MS).ifPresent(v -> p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, String.valueOf(v)));
        o.find(MAX_POLL_INTERVAL_MS).ifPresent(v -> p.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG,
                String.valueOf(v)));
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());

        Credentials credentials = config.credentials();
        String protocol = o.find(SECURITY_PROTOCOL).orElse(
                credentials instanceof Credentials.KafkaSasl ? "sasl_ssl" : "plaintext");
        p.put("security.protocol", protocol.toUpperCase(Locale.ROOT));
        if (credentials instanceof Credentials.KafkaSasl sasl) {
            if (!protocol.startsWith("sasl")) {
                throw new ConfigException(SECURITY_PROTOCOL.key(), "Kafka SASL credentials need security_protocol "
                        + "sasl_plaintext or sasl_ssl, not " + protocol, List.of("sasl_plaintext", "sasl_ssl"), null);
            }
            String mechanism = sasl.mechanism().toUpperCase(Locale.ROOT);
            String module = switch (mechanism) {
                case "PLAIN" -> "org.apache.kafka.common.security.plain.PlainLoginModule";
                case "SCRAM-SHA-256", "SCRAM-SHA-512" -> "org.apache.kafka.common.security.scram.ScramLoginModule";
                default -> throw new ConfigException(null, "unsupported SASL mechanism '" + sasl.mechanism() + "'",
                        List.of("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"), null);
            };
            p.put(SaslConfigs.SASL_MECHANISM, mechanism);
            // sasl.jaas.config is a PASSWORD-type setting: Kafka logs it as [hidden].
            p.put(SaslConfigs.SASL_JAAS_CONFIG, module + " required username=\"" + jaasEscape(sasl.username())
                    + "\" password=\"" + jaasEscape(sasl.password().reveal()) + "\";");
        } else if (!(credentials instanceof Credentials.None)) {
            throw new ConfigException(null, "the kafka source takes Kafka SASL credentials (Credentials.KafkaSasl), not "
                    + credentials.scheme(), List.of(), null);
        }
        for (String entry : o.get(CONSUMER_PROPERTIES)) {
            if (entry.isEmpty()) continue;
            int eq = entry.indexOf('=');
            String key = entry.substring(0, eq).trim();
            if (key.equals(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG) || key.endsWith(".deserializer")) {
                throw new ConfigException(CONSUMER_PROPERTIES.key(), "consumer property '" + key + "' is managed by "
                        + "the source and cannot be set", List.of(), null);
            }
            p.put(key, entry.substring(eq + 1).trim());
        }
        this.consumerProperties = p;
    }

    static KafkaSettings from(SourceConfig config, Options options, long budgetBytes) {
        return new KafkaSettings(config, options, budgetBytes);
    }

    private void checkColumnNames() {
        List<String> names = new ArrayList<>();
        for (String c : List.of(keyColumn, partitionColumn, offsetColumn, timestampColumn, topicColumn)) {
            if (c.isEmpty()) continue;
            if (names.contains(c)) {
                throw new ConfigException(null, "two metadata columns are both named '" + c + "'", List.of(), null);
            }
            names.add(c);
        }
        if ((format == Format.STRING || format == Format.BYTES) && names.contains(valueColumn)) {
            throw new ConfigException(VALUE_COLUMN.key(), "value_column '" + valueColumn
                    + "' is also a metadata column name", List.of(), null);
        }
        for (CsvValues.Column c : csvColumns) {
            if (names.contains(c.name())) {
                throw new ConfigException(null, "CSV column '" + c.name() + "' is also a metadata column name: "
                        + "rename that one (key_column, partition_column, offset_column, timestamp_column, "
                        + "topic_column)", List.of(), null);
            }
        }
    }

    /** The metadata column names in use (non-empty), in schema order. */
    List<String> metadataColumns() {
        List<String> out = new ArrayList<>();
        for (String c : List.of(topicColumn, keyColumn, partitionColumn, offsetColumn, timestampColumn)) {
            if (!c.isEmpty()) out.add(c);
        }
        return out;
    }

    private static int clampInt(long v) {
        return (int) Math.min(Integer.MAX_VALUE, v);
    }

    private static String jaasEscape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    /** A copy of the consumer's properties (holds secrets: never log it). */
    Properties consumerProperties() {
        Properties copy = new Properties();
        copy.putAll(consumerProperties);
        return copy;
    }

    boolean usesGroup() {
        return groupId != null;
    }

    /** What the source reads, for messages: the topics or the pattern. */
    String subscription() {
        return topicPattern != null ? "pattern " + topicPattern.pattern() : String.join(",", topics);
    }

    @Override
    public String toString() {
        return "KafkaSettings{" + subscription() + ", group=" + groupId + ", format=" + format + ", stopAtEnd="
                + stopAtEnd + ", maxRecords=" + maxRecords + ", bufferMaxBytes=" + bufferMaxBytes + ", fetchMaxBytes="
                + fetchMaxBytes + ", maxPartitionFetchBytes=" + maxPartitionFetchBytes + ", maxPollRecords="
                + maxPollRecords + '}';
    }
}
