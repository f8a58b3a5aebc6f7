package io.polarway.source.kafka;

import io.polarway.api.SourceConfig;
import io.polarway.api.SourceContext;
import io.polarway.api.SourceFactory;
import io.polarway.api.StreamingSource;
import io.polarway.config.OptionSet;
import io.polarway.config.OptionSpec;
import io.polarway.config.Options;

import java.util.List;
import java.util.Set;

/**
 * The {@code kafka} source: a topic (or a comma list of topics, or a pattern with {@code topic_pattern=true}) read
 * into Arrow chunks by a consumer group, at least once. See {@link KafkaSource} for delivery, backpressure and
 * memory; the options below are the guide's ({@code brokers}, {@code group_id}, {@code auto_offset_reset},
 * {@code max_poll_records}) plus what a production consumer needs.
 */
public final class KafkaSourceFactory implements SourceFactory {

    static final OptionSpec<String> BROKERS = OptionSpec.string("brokers", null,
                    "bootstrap servers, host:port[,host:port...] (required)")
            .validate(s -> !s.isBlank(), "a non-empty host:port list");
    static final OptionSpec<String> GROUP_ID = OptionSpec.string("group_id", null,
            "consumer group; offsets are committed for released chunks (at least once). Without it the source reads "
                    + "every partition from auto_offset_reset and commits nothing");
    static final OptionSpec<String> GROUP_INSTANCE_ID = OptionSpec.string("group_instance_id", null,
            "static group membership (group.instance.id): a restarted consumer takes its partitions back at once, "
                    + "without waiting for the session timeout");
    static final OptionSpec<String> AUTO_OFFSET_RESET = OptionSpec.choice("auto_offset_reset", "earliest",
            "where to start in a partition without a committed offset (Kafka's own default is latest)",
            "earliest", "latest", "none");
    static final OptionSpec<Integer> MAX_POLL_RECORDS = OptionSpec.intValue("max_poll_records", 500,
                    "max.poll.records: records one poll returns at most")
            .validate(v -> v >= 1, "at least 1");
    static final OptionSpec<String> FORMAT = OptionSpec.choice("format", "json",
            "value format: json (one object per message, fields become columns), csv (one CSV record per message, "
                    + "columns named by csv_columns or schema), string (utf8 column), bytes (binary column)",
            "json", "csv", "string", "bytes");
    static final OptionSpec<Boolean> TOPIC_PATTERN = OptionSpec.bool("topic_pattern", false,
            "the location is a Java regular expression matched against topic names");
    static final OptionSpec<Boolean> STOP_AT_END = OptionSpec.bool("stop_at_end", false,
            "end the stream at the end offsets seen at start (for this consumer's partitions) instead of running "
                    + "until stopped");
    static final OptionSpec<Long> MAX_RECORDS = OptionSpec.longValue("max_records", 0L,
                    "end the stream after this many records (0 = no limit)")
            .validate(v -> v >= 0, "at least 0");
    static final OptionSpec<Long> IDLE_TIMEOUT_MS = OptionSpec.longValue("idle_timeout_ms", 0L,
                    "end the stream when no record arrived for this long, milliseconds (0 = never)")
            .validate(v -> v >= 0, "at least 0");
    static final OptionSpec<Long> LINGER_MS = OptionSpec.longValue("linger_ms", 200L,
                    "how long a chunk waits to fill up to the chunk size before it is handed over smaller, "
                            + "milliseconds")
            .validate(v -> v >= 0, "at least 0");
    static final OptionSpec<Long> COMMIT_INTERVAL_MS = OptionSpec.longValue("commit_interval_ms", 0L,
                    "how often the offsets of released chunks are committed while reading, milliseconds (0: after "
                            + "every poll); whatever the interval, what was released is also committed before "
                            + "partitions are revoked and at close. Longer: fewer commits, more re-read after a crash")
            .validate(v -> v >= 0, "at least 0");
    static final OptionSpec<Long> POLL_TIMEOUT_MS = OptionSpec.longValue("poll_timeout_ms", 100L,
                    "timeout of each poll, milliseconds: also the latency of commits and of pause/resume")
            .validate(v -> v >= 1 && v <= 10_000, "between 1 and 10000");
    static final OptionSpec<String> KEY_COLUMN = OptionSpec.string("key_column", "_key",
            "column for the message key (empty: no key column)");
    static final OptionSpec<String> KEY_FORMAT = OptionSpec.choice("key_format", "string",
            "key column type: string (utf8) or bytes (binary)", "string", "bytes");
    static final OptionSpec<String> PARTITION_COLUMN = OptionSpec.string("partition_column", "_partition",
            "column for the partition number, int32 (empty: none)");
    static final OptionSpec<String> OFFSET_COLUMN = OptionSpec.string("offset_column", "_offset",
            "column for the offset, int64 (empty: none)");
    static final OptionSpec<String> TIMESTAMP_COLUMN = OptionSpec.string("timestamp_column", "_timestamp",
            "column for the record timestamp, timestamp[ms, UTC] (empty: none)");
    static final OptionSpec<String> TOPIC_COLUMN = OptionSpec.string("topic_column", null,
            "column for the topic name, utf8 (default: none for one topic, _topic for a list or pattern; "
                    + "empty: none)");
    static final OptionSpec<String> VALUE_COLUMN = OptionSpec.string("value_column", "value",
                    "column for the value with format=string or bytes")
            .validate(s -> !s.isEmpty(), "non-empty");
    static final OptionSpec<Integer> INFER_SCHEMA_LENGTH = OptionSpec.intValue("infer_schema_length", 1000,
                    "JSON and CSV: records the schema is inferred from (at least)")
            .validate(v -> v >= 1, "at least 1");
    static final OptionSpec<String> NESTED = OptionSpec.choice("nested", "struct",
            "JSON: nested objects and arrays as Arrow struct/list, or as JSON text (json)", "struct", "json");
    static final OptionSpec<String> UNKNOWN_FIELDS = OptionSpec.choice("unknown_fields", "error",
            "JSON: a field not in the schema (first seen after the inference sample) fails (error) or is dropped "
                    + "and counted (ignore)", "error", "ignore");
    static final OptionSpec<String> BAD_RECORDS = OptionSpec.choice("bad_records", "fail",
            "a value that does not parse (JSON: not an object; CSV: not one record, the wrong number of fields, or a "
                    + "value not of its column's type) fails the stream (fail) or is skipped, counted and committed "
                    + "(skip)", "fail", "skip");
    static final OptionSpec<List<String>> CSV_COLUMNS = OptionSpec.list("csv_columns", null,
                    "CSV: the names of the value's fields, comma-separated, in order; their types are inferred "
                            + "(int64, float64, bool, else utf8) unless schema gives them")
            .validate(l -> l.stream().noneMatch(String::isEmpty), "a list of non-empty column names");
    static final OptionSpec<String> SCHEMA = OptionSpec.string("schema", null,
            "CSV: column types as JSON, [{\"name\":\"a\",\"type\":\"int64\"}, ...] or {\"a\":\"int64\", ...}; "
                    + "types bool, int8..int64, float32, float64, decimal(p,s), utf8, date, timestamp[unit, zone]. "
                    + "Without csv_columns it names the value's fields in order; with it, it types the columns it "
                    + "names and the others are inferred");
    static final OptionSpec<Character> DELIMITER = OptionSpec.character("delimiter", ',',
                    "CSV: field separator, one ASCII character (\\t or tab for tab)")
            .validate(KafkaSourceFactory::usableCsvCharacter, "one ASCII character other than CR and LF");
    static final OptionSpec<Character> QUOTE_CHAR = OptionSpec.character("quote_char", '"',
                    "CSV: quote character; a quoted field may hold delimiters, line breaks and doubled quotes")
            .validate(KafkaSourceFactory::usableCsvCharacter, "one ASCII character other than CR and LF");
    static final OptionSpec<List<String>> NULL_VALUES = OptionSpec.list("null_values", List.of(),
            "CSV: comma-separated values read as null when unquoted, e.g. NA,NULL (an empty unquoted field is "
                    + "always null, and a quoted empty one in a column that is not utf8)");
    static final OptionSpec<Long> BUFFER_MAX_BYTES = OptionSpec.bytes("buffer_max_bytes", null,
                    "records fetched and not yet in a chunk, at most (default: budget/16, between 1 MiB and 64 MiB); "
                            + "above it the assigned partitions are paused and polling goes on")
            .validate(v -> v >= 64 * 1024, "at least 64KiB");
    static final OptionSpec<Long> FETCH_MAX_BYTES = OptionSpec.bytes("fetch_max_bytes", null,
                    "fetch.max.bytes (default: buffer_max_bytes / 2 / number of brokers listed, at most 50 MiB)")
            .validate(v -> v >= 1024, "at least 1KiB");
    static final OptionSpec<Long> MAX_PARTITION_FETCH_BYTES = OptionSpec.bytes("max_partition_fetch_bytes", null,
                    "max.partition.fetch.bytes (default: the smaller of 1 MiB and fetch_max_bytes)")
            .validate(v -> v >= 1024, "at least 1KiB");
    static final OptionSpec<String> ISOLATION_LEVEL = OptionSpec.choice("isolation_level", "read_uncommitted",
            "isolation.level for transactional topics", "read_uncommitted", "read_committed");
    static final OptionSpec<String> SECURITY_PROTOCOL = OptionSpec.choice("security_protocol", null,
            "security.protocol (default: plaintext, or sasl_ssl with Kafka SASL credentials)",
            "plaintext", "ssl", "sasl_plaintext", "sasl_ssl");
    static final OptionSpec<Integer> SESSION_TIMEOUT_MS = OptionSpec.intValue("session_timeout_ms", null,
                    "session.timeout.ms (Kafka's default: 45000)")
            .validate(v -> v >= 1, "at least 1");
    static final OptionSpec<Integer> MAX_POLL_INTERVAL_MS = OptionSpec.intValue("max_poll_interval_ms", null,
                    "max.poll.interval.ms (Kafka's default: 300000). The source polls on its own thread, also while "
                            + "the stream is paused, so a slow consumer never exceeds it")
            .validate(v -> v >= 1, "at least 1");
    static final OptionSpec<Long> REQUEST_TIMEOUT_MS = OptionSpec.longValue("request_timeout_ms", 60_000L,
                    "deadline of blocking broker calls (metadata, end offsets, synchronous commits), milliseconds")
            .validate(v -> v >= 1, "at least 1");
    static final OptionSpec<List<String>> CONSUMER_PROPERTIES = OptionSpec.list("consumer_properties", List.of(),
                    "other consumer settings as key=value entries, comma-separated (e.g. ssl.truststore.location=...)")
            .validate(l -> l.stream().allMatch(e -> e.isEmpty() || e.indexOf('=') > 0), "key=value entries")
            .secret();

    static final OptionSet OPTIONS = OptionSet.of("source 'kafka'", BROKERS, GROUP_ID, GROUP_INSTANCE_ID,
            AUTO_OFFSET_RESET, MAX_POLL_RECORDS, FORMAT, TOPIC_PATTERN, STOP_AT_END, MAX_RECORDS, IDLE_TIMEOUT_MS,
            LINGER_MS, COMMIT_INTERVAL_MS, POLL_TIMEOUT_MS, KEY_COLUMN, KEY_FORMAT, PARTITION_COLUMN, OFFSET_COLUMN, TIMESTAMP_COLUMN,
            TOPIC_COLUMN, VALUE_COLUMN, INFER_SCHEMA_LENGTH, NESTED, UNKNOWN_FIELDS, BAD_RECORDS, CSV_COLUMNS, SCHEMA,
            DELIMITER, QUOTE_CHAR, NULL_VALUES, BUFFER_MAX_BYTES,
            FETCH_MAX_BYTES, MAX_PARTITION_FETCH_BYTES, ISOLATION_LEVEL, SECURITY_PROTOCOL, SESSION_TIMEOUT_MS,
            MAX_POLL_INTERVAL_MS, REQUEST_TIMEOUT_MS, CONSUMER_PROPERTIES);

    /** The CSV options, which only {@code format=csv} takes. */
    static final List<OptionSpec<?>> CSV_OPTIONS = List.of(CSV_COLUMNS, SCHEMA, DELIMITER, QUOTE_CHAR, NULL_VALUES);

    private static boolean usableCsvCharacter(Character c) {
        return c != null && c < 0x80 && c != '\n' && c != '\r';
    }

    @Override
    public String type() {
        return "kafka";
    }

    @Override
    public Set<String> aliases() {
        return Set.of("kafka-topic");
    }

    @Override
    public String description() {
        return "Kafka topic(s) via a consumer group, at least once (offsets committed after a chunk is released)";
    }

    @Override
    public OptionSet options() {
        return OPTIONS;
    }

    @Override
    public StreamingSource create(SourceConfig config, Options options, SourceContext context) {
        KafkaSettings settings = KafkaSettings.from(config, options, context.memory().budgetBytes());
        return KafkaSource.open(config, context, settings);
    }
}
