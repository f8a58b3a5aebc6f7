package io.polarway.source.kafka;

import io.polarway.api.Chunk;
import io.polarway.api.Credentials;
import io.polarway.api.SourceConfig;
import io.polarway.api.StreamingSource;
import io.polarway.error.AuthException;
import io.polarway.error.ConfigException;
import io.polarway.error.NetworkException;
import io.polarway.error.ParseException;
import io.polarway.error.PolarwayException;
import io.polarway.stream.AdaptiveStream;
import io.polarway.testing.ScriptedMemoryProbe;
import io.polarway.testkit.kafka.KafkaBroker;
import io.polarway.testkit.kafka.KafkaTopics;
import io.polarway.testing.Await;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampMilliTZVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.arrow.vector.util.Text;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The source against a real broker: formats, columns, end conditions, commits of released chunks, errors. */
class KafkaSourceTest extends KafkaTestSupport {
    static final String SASL_USER = "alice";
    static final String SASL_PASSWORD = "alice-Secret-42";
    static KafkaBroker broker;
    static KafkaTopics topics;
    RootAllocator allocator;

    @BeforeAll
    static void startBroker() {
        broker = startBroker(KafkaBroker.builder().saslUser(SASL_USER, SASL_PASSWORD));
        topics = new KafkaTopics(broker.bootstrapServers());
    }

    @AfterAll
    static void stopBroker() {
        if (topics != null) topics.close();
        if (broker != null) broker.close();
    }

    @BeforeEach
    void setUp() {
        allocator = allocator();
    }

    @AfterEach
    void tearDown() {
        allocator.close(); // fails the test on any leaked Arrow buffer
    }

    private Map<String, String> opts(String... kv) {
        Map<String, String> m = new HashMap<>();
        m.put("brokers", broker.bootstrapServers());
        for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
        return m;
    }

    @Test
    void jsonValuesBecomeColumnsAfterTheMetadataColumns() {
        String topic = unique("json");
        produceJson(broker, topic, 3, 5_000);
        try (StreamingSource source = open(allocator, topic, opts("stop_at_end", "true"))) {
            List<Row> rows = drain(source, 700, "id");
            assertThat(rows).hasSize(5_000);
            assertThat(rows.stream().map(Row::id).collect(Collectors.toSet()))
                    .containsExactlyInAnyOrderElementsOf(LongStream.range(0, 5_000).boxed().toList());
            // producer wrote record i to partition i % 3: partition and offset columns say where each row came from
            for (Row r : rows) {
                assertThat(r.partition()).isEqualTo((int) (r.id() % 3));
                assertThat(r.offset()).isEqualTo(r.id() / 3);
            }
            Schema schema = source.metadata().schema();
            assertThat(schema.getFields()).extracting(f -> f.getName())
                    .containsExactly("_key", "_partition", "_offset", "_timestamp", "id", "name", "score");
            assertThat(schema.findField("_timestamp").getType()).isEqualTo(ValueDecoder.TIMESTAMP_MS_UTC);
            assertThat(schema.findField("id").getType()).isEqualTo(new ArrowType.Int(64, true));
            assertThat(source.stats().records()).isEqualTo(5_000);
            assertThat(source.stats().bytesRead()).isGreaterThan(5_000L * 30);
        }
    }

    @Test
    void stringAndBytesValuesAreOneColumnAndMetadataColumnsCanBeRenamedOrDropped() {
        String topic = unique("raw");
        topics.create(topic, 1);
        topics.produce(topic, 1, 10, i -> ("line " + i).getBytes(StandardCharsets.UTF_8));
        try (StreamingSource source = open(allocator, topic, opts("stop_at_end", "true", "format", "string",
                "key_column", "", "timestamp_column", "ts", "value_column", "text"))) {
            Optional<Chunk> c = source.readChunk(100);
            try (Chunk chunk = c.orElseThrow()) {
                assertThat(chunk.schema().getFields()).extracting(f -> f.getName())
                        .containsExactly("_partition", "_offset", "ts", "text");
                VarCharVector text = (VarCharVector) chunk.root().getVector("text");
                assertThat(chunk.rowCount()).isEqualTo(10);
                assertThat(new String(text.get(7), StandardCharsets.UTF_8)).isEqualTo("line 7");
            }
            assertThat(source.readChunk(100)).isEmpty();
        }
        try (StreamingSource source = open(allocator, topic, opts("stop_at_end", "true", "format", "bytes",
                "key_format", "bytes"))) {
            try (Chunk chunk = source.readChunk(100).orElseThrow()) {
                VarBinaryVector value = (VarBinaryVector) chunk.root().getVector("value");
                VarBinaryVector key = (VarBinaryVector) chunk.root().getVector("_key");
                assertThat(value.get(3)).isEqualTo("line 3".getBytes(StandardCharsets.UTF_8));
                assertThat(key.get(3)).isEqualTo("k3".getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    @Test
    void stopAtEndUsesTheEndOffsetsSeenAtStart() {
        String topic = unique("end");
        produceJson(broker, topic, 2, 300);
        try (StreamingSource source = open(allocator, topic, opts("stop_at_end", "true"))) {
            topics.produce(topic, 2, 200, i -> KafkaTopics.jsonRecord(10_000 + i)); // after the start: not read
            List<Row> rows = drain(source, 64, "id");
            assertThat(rows).hasSize(300);
            assertThat(rows).allMatch(r -> r.id() < 300);
        }
    }

    @Test
    void maxRecordsEndsExactlyAndTheGroupResumesAfterTheCommittedOffsets() {
        String topic = unique("max");
        String group = unique("g");
        produceJson(broker, topic, 3, 3_000);
        Set<Long> first;
        try (StreamingSource source = open(allocator, topic, opts("group_id", group, "max_records", "1234"))) {
            first = ids(drain(source, 500, "id"));
        }
        assertThat(first).hasSize(1234);
        assertThat(topics.committedSum(group, topic)).isEqualTo(1234);
        try (StreamingSource source = open(allocator, topic, opts("group_id", group, "stop_at_end", "true"))) {
            List<Row> rest = drain(source, 500, "id");
            assertThat(rest).hasSize(3_000 - 1234);
            Set<Long> all = new HashSet<>(first);
            all.addAll(ids(rest));
            assertThat(all).hasSize(3_000); // nothing lost, and after a clean close nothing read twice
        }
        assertThat(topics.committedSum(group, topic)).isEqualTo(3_000);
    }

    /**
     * The idle timeout counts from the last record, not from the start: batches arrive at gaps shorter than the
     * timeout for longer than the timeout in all, and the stream ends no sooner than the timeout after the last one.
     */
    @Test
    void idleTimeoutEndsTheStreamThatLongAfterTheLastRecord() {
        String topic = unique("idle");
        long idleMs = 4_000;
        long gapMs = 1_500;
        int batches = 5;
        produceJson(broker, topic, 1, 10);
        long start = System.nanoTime();
        long lastProduced = start;
        try (StreamingSource source = open(allocator, topic, opts("idle_timeout_ms", String.valueOf(idleMs),
                "linger_ms", "0"))) {
            BackgroundReader reader = new BackgroundReader(source, "id");
            for (int b = 1; b < batches; b++) {
                int expected = 10 * b;
                Await.until(expected + " records read", Duration.ofSeconds(30),
                        () -> reader.count() >= expected || reader.ended());
                long readAt = System.nanoTime();
                Await.until("a gap shorter than the idle timeout", Duration.ofSeconds(30),
                        () -> System.nanoTime() - readAt >= gapMs * 1_000_000);
                lastProduced = System.nanoTime();
                topics.produce(topic, 1, 10, i -> KafkaTopics.jsonRecord(expected + i));
            }
            reader.awaitEnd(Duration.ofSeconds(30));
            assertThat((lastProduced - start) / 1_000_000).as("the last batch came after the timeout from the start")
                    .isGreaterThan(idleMs);
            assertThat(ids(reader.rows)).as("every batch read").hasSize(10 * batches)
                    .containsAll(LongStream.range(0, 10L * batches).boxed().toList());
            assertThat((reader.endNanos - lastProduced) / 1_000_000).as("end after the last record")
                    .isGreaterThanOrEqualTo(idleMs);
        }
    }

    @Test
    void keysAndTimestampsAreTheProducedOnesInEveryFormat() {
        String topic = unique("keys");
        topics.create(topic, 2);
        long t0 = 1_600_000_000_123L;
        int count = 20;
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            byte[] key = i == 5 ? null : ("clé-" + i).getBytes(StandardCharsets.UTF_8);
            records.add(new ProducerRecord<>(topic, i % 2, timestampOf(t0, i), key,
                    ("{\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8)));
        }
        topics.produce(records);
        for (String format : List.of("string", "csv", "json")) {
            Map<String, String> o = opts("stop_at_end", "true", "format", format);
            if (format.equals("csv")) o.put("csv_columns", "v");
            BitSet seen = new BitSet();
            try (StreamingSource source = open(allocator, topic, o)) {
                for (Optional<Chunk> c; (c = source.readChunk(7)).isPresent(); ) {
                    try (Chunk chunk = c.get()) {
                        VarCharVector key = (VarCharVector) chunk.root().getVector("_key");
                        TimeStampMilliTZVector ts = (TimeStampMilliTZVector) chunk.root().getVector("_timestamp");
                        List<Row> rows = rows(chunk, null);
                        for (int row = 0; row < rows.size(); row++) {
                            Row r = rows.get(row);
                            int i = (int) (2 * r.offset() + r.partition()); // record i went to partition i % 2
                            assertThat(seen.get(i)).as("%s: record %d read twice", format, i).isFalse();
                            seen.set(i);
                            assertThat(key.isNull(row)).as("%s: key of record %d is null", format, i).isEqualTo(i == 5);
                            if (i != 5) {
                                assertThat(new String(key.get(row), StandardCharsets.UTF_8)).as(format)
                                        .isEqualTo("clé-" + i);
                            }
                            assertThat(ts.get(row)).as("%s: timestamp of record %d", format, i)
                                    .isEqualTo(timestampOf(t0, i));
                        }
                    }
                }
                assertThat(source.metadata().schema().findField("_timestamp").getType())
                        .isEqualTo(ValueDecoder.TIMESTAMP_MS_UTC);
            }
            assertThat(seen.cardinality()).as(format).isEqualTo(count);
        }
    }

    private static long timestampOf(long t0, int i) {
        return t0 + i * 1_000L - (i % 3) * 7L; // not in offset order within a partition
    }

    /**
     * A new group with {@code latest} starts at the end of each partition. The position is looked up some time after
     * the assignment, so markers are produced until one arrives; every record produced after that must arrive too,
     * and none from before the group existed.
     */
    @Test
    void autoOffsetResetLatestReadsOnlyRecordsProducedAfterANewGroupJoined() {
        String topic = unique("latest");
        produceJson(broker, topic, 1, 100);
        try (StreamingSource source = open(allocator, topic, opts("group_id", unique("g"),
                "auto_offset_reset", "latest", "linger_ms", "0"))) {
            KafkaSource kafka = (KafkaSource) source;
            Await.until("the partition assigned", Duration.ofSeconds(30), () -> kafka.assignment().size() == 1);
            BackgroundReader reader = new BackgroundReader(source, "id");
            for (long marker = 1_000; reader.count() == 0; marker++) {
                assertThat(marker).as("markers produced before one arrived").isLessThan(1_010);
                long id = marker;
                topics.produce(topic, 1, 1, i -> KafkaTopics.jsonRecord(id));
                long producedAt = System.nanoTime();
                Await.until("a marker read, or a second gone", Duration.ofSeconds(30),
                        () -> reader.count() > 0 || System.nanoTime() - producedAt > 1_000_000_000L);
            }
            topics.produce(topic, 1, 50, i -> KafkaTopics.jsonRecord(200 + i));
            Await.until("the 50 records produced after the marker", Duration.ofSeconds(30),
                    () -> ids(reader.snapshot()).containsAll(LongStream.range(200, 250).boxed().toList())
                            || reader.ended());
            kafka.requestStop();
            reader.awaitEnd(Duration.ofSeconds(30));
            List<Long> read = reader.rows.stream().map(Row::id).toList();
            assertThat(read).as("records from before the group").noneMatch(id -> id < 100);
            assertThat(read.stream().filter(id -> id >= 200 && id < 250).toList())
                    .containsExactlyElementsOf(LongStream.range(200, 250).boxed().toList());
        }
    }

    @Test
    void autoOffsetResetNoneFailsForAGroupWithoutCommittedOffsetsAndResumesOneWithThem() {
        String topic = unique("none");
        String group = unique("g");
        produceJson(broker, topic, 2, 100);
        // the first poll fails: at creation when it comes that soon, else at the first read
        assertThatThrownBy(() -> {
            try (StreamingSource source = open(allocator, topic, opts("group_id", group, "auto_offset_reset", "none",
                    "stop_at_end", "true"))) {
                source.readChunk(100);
            }
        }).isInstanceOf(KafkaSourceException.class)
                .hasMessageContaining("no valid offset").hasMessageContaining("auto_offset_reset")
                .hasMessageContaining("(at " + topic + " partition " + topic + "-")
                .satisfies(e -> assertThat(((PolarwayException) e).isRetryable()).isFalse());
        assertThat(topics.committed(group)).isEmpty();
        // once the group has committed offsets in every partition, none starts there
        try (StreamingSource source = open(allocator, topic, opts("group_id", group, "stop_at_end", "true"))) {
            assertThat(drain(source, 100, "id")).hasSize(100);
        }
        assertThat(topics.committed(group)).hasSize(2);
        topics.produce(topic, 2, 50, i -> KafkaTopics.jsonRecord(1_000 + i));
        try (StreamingSource source = open(allocator, topic, opts("group_id", group, "auto_offset_reset", "none",
                "stop_at_end", "true"))) {
            assertThat(ids(drain(source, 100, "id")))
                    .containsExactlyInAnyOrderElementsOf(LongStream.range(1_000, 1_050).boxed().toList());
        }
    }

    @Test
    void aCommaListAndAPatternOfTwoTopicsDeliverEveryRecordOfBothOnceWithItsTopic() {
        String base = unique("multi");
        String a = base + "-a";
        String b = base + "-b";
        topics.create(a, 2);
        topics.create(b, 3);
        topics.produce(a, 2, 300, KafkaTopics::jsonRecord);
        topics.produce(b, 3, 500, i -> KafkaTopics.jsonRecord(10_000 + i));
        List<String> expected = new ArrayList<>();
        LongStream.range(0, 300).forEach(i -> expected.add(a + " " + i));
        LongStream.range(10_000, 10_500).forEach(i -> expected.add(b + " " + i));
        // a list: every partition assigned to the source (no group); a pattern: subscribed by a group
        List<SourceConfig> configs = List.of(SourceConfig.of(b + "," + a).withOptions(opts("stop_at_end", "true")),
                SourceConfig.of(java.util.regex.Pattern.quote(base) + "-(a|b)").withOptions(opts("stop_at_end",
                        "true", "topic_pattern", "true", "group_id", unique("g"))));
        for (SourceConfig config : configs) {
            List<String> read = new ArrayList<>();
            try (StreamingSource source = open(allocator, config)) {
                for (Optional<Chunk> c; (c = source.readChunk(128)).isPresent(); ) {
                    try (Chunk chunk = c.get()) {
                        VarCharVector topic = (VarCharVector) chunk.root().getVector("_topic");
                        List<Row> rows = rows(chunk, "id");
                        for (int i = 0; i < rows.size(); i++) {
                            read.add(new String(topic.get(i), StandardCharsets.UTF_8) + " " + rows.get(i).id());
                        }
                    }
                }
            }
            assertThat(read).as(config.location()).containsExactlyInAnyOrderElementsOf(expected);
        }
    }

    @Test
    void csvValuesBecomeTypedColumnsWithQuotedDelimitersQuotesLineBreaksAndNulls() {
        String topic = unique("csv");
        topics.create(topic, 1);
        List<String> values = Arrays.asList(
                "0,1.5,\"Smith, John\",true,NA,007",
                "1,2,\"say \"\"hi\"\"\",FALSE,,1.50",
                "2,-0.25,plain,TRUE,\"NA\",TRUE",
                "3,,\"two\nlines\",false,\"x,y\",x\r\n",
                null, // a tombstone: metadata and nulls
                "5,1e3,\"\",true,\"\",3\n");
        topics.produce(topic, 1, values.size(),
                i -> values.get((int) i) == null ? null : values.get((int) i).getBytes(StandardCharsets.UTF_8));
        List<String> columns = List.of("id", "price", "name", "ok", "note", "mixed");
        try (StreamingSource source = open(allocator, topic, opts("stop_at_end", "true", "format", "csv",
                "csv_columns", String.join(",", columns), "null_values", "NA"))) {
            List<List<Object>> rows = new ArrayList<>();
            for (Optional<Chunk> c; (c = source.readChunk(100)).isPresent(); ) {
                try (Chunk chunk = c.get()) {
                    for (int i = 0; i < chunk.rowCount(); i++) {
                        List<Object> row = new ArrayList<>();
                        for (String column : columns) {
                            Object v = chunk.root().getVector(column).getObject(i);
                            row.add(v instanceof Text t ? t.toString() : v);
                        }
                        rows.add(row);
                    }
                }
            }
            Schema schema = source.metadata().schema();
            assertThat(schema.getFields()).extracting(Field::getName).containsExactly("_key", "_partition", "_offset",
                    "_timestamp", "id", "price", "name", "ok", "note", "mixed");
            assertThat(columns).extracting(n -> schema.findField(n).getType()).containsExactly(
                    new ArrowType.Int(64, true), new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE),
                    ArrowType.Utf8.INSTANCE, ArrowType.Bool.INSTANCE, ArrowType.Utf8.INSTANCE, ArrowType.Utf8.INSTANCE);
            // NA unquoted is null, quoted it is text; an empty field is null unless quoted in a utf8 column; a column
            // of mixed kinds widens to utf8 with each value's text as it was
            assertThat(rows).containsExactly(
                    Arrays.asList(0L, 1.5, "Smith, John", true, null, "007"),
                    Arrays.asList(1L, 2.0, "say \"hi\"", false, null, "1.50"),
                    Arrays.asList(2L, -0.25, "plain", true, "NA", "TRUE"),
                    Arrays.asList(3L, null, "two\nlines", false, "x,y", "x"),
                    Arrays.asList(null, null, null, null, null, null),
                    Arrays.asList(5L, 1000.0, "", true, "", "3"));
        }
    }

    @Test
    void csvColumnsCanBeNamedAndTypedByASchemaWithAnotherDelimiterAndQuote() {
        String topic = unique("csv-typed");
        topics.create(topic, 1);
        List<String> values = List.of("1;12.5;2024-02-29;2024-02-29T10:15:30+02:00;'a;b'",
                "2;-0.01;1999-12-31;2024-03-01 00:00:00.250;'it''s'");
        topics.produce(topic, 1, values.size(), i -> values.get((int) i).getBytes(StandardCharsets.UTF_8));
        String schemaJson = "[{\"name\":\"id\",\"type\":\"int32\"},{\"name\":\"amount\",\"type\":\"decimal(10,2)\"},"
                + "{\"name\":\"day\",\"type\":\"date\"},{\"name\":\"at\",\"type\":\"timestamp[ms, UTC]\"},"
                + "{\"name\":\"label\",\"type\":\"utf8\"}]";
        try (StreamingSource source = open(allocator, topic, opts("stop_at_end", "true", "format", "csv",
                "schema", schemaJson, "delimiter", ";", "quote_char", "'", "key_column", "",
                "timestamp_column", ""))) {
            // given whole, the schema is known before any record is read
            assertThat(source.metadata().schema().getFields()).extracting(Field::getName)
                    .containsExactly("_partition", "_offset", "id", "amount", "day", "at", "label");
            try (Chunk chunk = source.readChunk(100).orElseThrow()) {
                VectorSchemaRoot r = chunk.root();
                assertThat(chunk.rowCount()).isEqualTo(2);
                assertThat(((IntVector) r.getVector("id")).get(1)).isEqualTo(2);
                DecimalVector amount = (DecimalVector) r.getVector("amount");
                assertThat(amount.getObject(0)).isEqualTo(new BigDecimal("12.50"));
                assertThat(amount.getObject(1)).isEqualTo(new BigDecimal("-0.01"));
                DateDayVector day = (DateDayVector) r.getVector("day");
                assertThat(day.get(0)).isEqualTo((int) LocalDate.of(2024, 2, 29).toEpochDay());
                assertThat(day.get(1)).isEqualTo((int) LocalDate.of(1999, 12, 31).toEpochDay());
                TimeStampMilliTZVector at = (TimeStampMilliTZVector) r.getVector("at");
                assertThat(at.get(0)).isEqualTo(Instant.parse("2024-02-29T08:15:30Z").toEpochMilli());
                assertThat(at.get(1)).isEqualTo(Instant.parse("2024-03-01T00:00:00.250Z").toEpochMilli());
                VarCharVector label = (VarCharVector) r.getVector("label");
                assertThat(new String(label.get(0), StandardCharsets.UTF_8)).isEqualTo("a;b");
                assertThat(new String(label.get(1), StandardCharsets.UTF_8)).isEqualTo("it's");
            }
            assertThat(source.readChunk(100)).isEmpty();
        }
    }

    @Test
    void aBadCsvRecordFailsNamingTopicPartitionOffsetAndFieldAfterTheRowsBeforeItOrIsSkipped() {
        String topic = unique("csv-bad");
        topics.create(topic, 1);
        List<byte[]> values = List.of(utf8("0,a"), utf8("1,b"), utf8("x,c"), utf8("3,d"), utf8("4,e,extra"),
                utf8("5,\"f"), utf8("6,g\n7,h"), utf8("7,\"h\"x"), new byte[]{'8', ',', (byte) 0xff}, utf8("9,i"));
        topics.produce(topic, 1, values.size(), i -> values.get((int) i));
        Map<String, String> options = opts("stop_at_end", "true", "format", "csv", "csv_columns", "id,name",
                "infer_schema_length", "2");
        try (StreamingSource source = open(allocator, topic, options)) {
            try (Chunk chunk = source.readChunk(100).orElseThrow()) {
                assertThat(rows(chunk, "id")).extracting(Row::id).containsExactly(0L, 1L); // the rows before it
            }
            for (int attempt = 0; attempt < 2; attempt++) { // the error repeats: the record is never dropped silently
                assertThatThrownBy(() -> source.readChunk(100)).isInstanceOf(ParseException.class)
                        .hasMessageContaining("value 'x' of column 'id' is not of type int64")
                        .hasMessageContaining("infer_schema_length")
                        .hasMessageContaining("(at " + topic + " partition " + topic + "-0 offset 2 column 1)");
            }
        }
        String group = unique("g");
        Map<String, String> skipping = new HashMap<>(options);
        skipping.putAll(Map.of("bad_records", "skip", "group_id", group));
        try (StreamingSource source = open(allocator, topic, skipping)) {
            assertThat(drain(source, 100, "id")).extracting(Row::id).containsExactly(0L, 1L, 3L, 9L);
            assertThat(source.stats().counters()).containsEntry("kafka_records_skipped", 6L);
        }
        assertThat(topics.committedSum(group, topic)).isEqualTo(10);
        // what the other bad records say, each the first bad record of a topic of its own
        List<Map.Entry<byte[], String>> messages = List.of(
                Map.entry(values.get(4), "the value has 3 fields, expected 2 ([id, name]) (at %s offset 1)"),
                Map.entry(values.get(5), "not one CSV record: unterminated quoted field (at %s offset 1 column 2)"),
                Map.entry(values.get(8), "the value is not UTF-8 text"));
        for (Map.Entry<byte[], String> bad : messages) {
            String t = unique("csv-bad");
            topics.create(t, 1);
            topics.produce(t, 1, 2, i -> i == 0 ? utf8("0,a") : bad.getKey());
            try (StreamingSource source = open(allocator, t, opts("stop_at_end", "true", "format", "csv",
                    "csv_columns", "id,name"))) {
                try (Chunk chunk = source.readChunk(100).orElseThrow()) {
                    assertThat(chunk.rowCount()).isEqualTo(1);
                }
                assertThatThrownBy(() -> source.readChunk(100)).isInstanceOf(ParseException.class)
                        .hasMessageContaining(bad.getValue().formatted(t + " partition " + t + "-0"))
                        .hasMessageContaining("offset 1");
            }
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void onlyReleasedChunksAreCommittedAndADiscardedChunkBlocksCommitsPastIt() {
        String topic = unique("release");
        String group = unique("g");
        produceJson(broker, topic, 1, 1_000);
        try (StreamingSource source = open(allocator, topic, opts("group_id", group, "stop_at_end", "true"))) {
            Chunk a = source.readChunk(100).orElseThrow();
            Chunk b = source.readChunk(100).orElseThrow();
            Chunk c = source.readChunk(100).orElseThrow();
            b.close(); // released before a: nothing committable yet
            c.close();
            awaitCommits(source, 0);
            assertThat(topics.committed(group)).doesNotContainKey(new TopicPartition(topic, 0));
            a.close(); // now a, b and c: offset 300
            awaitCommitted(group, topic, 300);
            Chunk d = source.readChunk(100).orElseThrow();
            Chunk e = source.readChunk(100).orElseThrow();
            d.discard(); // not consumed: e's offsets must not be committed past it
            e.close();
        }
        assertThat(topics.committedSum(group, topic)).isEqualTo(300);
        try (StreamingSource source = open(allocator, topic, opts("group_id", group, "stop_at_end", "true"))) {
            List<Row> rest = drain(source, 1000, "id");
            assertThat(rest.get(0).offset()).isEqualTo(300); // d and e are delivered again
            assertThat(rest).hasSize(700);
        }
    }

    @Test
    void chunksTheStreamReadAheadAndNeverHandedOverAreNotCommitted() {
        String topic = unique("prefetch");
        String group = unique("g");
        produceJson(broker, topic, 1, 20_000);
        SourceConfig config = SourceConfig.of(topic).withOptions(opts("group_id", group, "stop_at_end", "true"))
                .withChunkSize(500);
        int firstRows;
        try (AdaptiveStream stream = AdaptiveStream.builder("kafka", config).allocator(allocator)
                .memoryProbe(new ScriptedMemoryProbe(1L << 30, 0.1)).prefetch(true).policy("fixed").build()) {
            try (Chunk first = stream.next().orElseThrow()) {
                firstRows = first.rowCount();
            }
            KafkaSource source = (KafkaSource) stream.source();
            // the reader thread has read ahead into the queue by now, or will: wait for one more chunk
            io.polarway.testing.Await.until("a chunk read ahead", java.time.Duration.ofSeconds(30),
                    () -> source.stats().chunks() >= 2);
        }
        // closing the stream discarded the queued chunks: only the first one's offsets are committed
        assertThat(topics.committedSum(group, topic)).isEqualTo(firstRows);
    }

    @Test
    void aValueThatIsNotJsonFailsWithItsPartitionAndOffsetOrIsSkippedOnRequest() {
        String topic = unique("bad");
        topics.create(topic, 1);
        topics.produce(topic, 1, 10, i -> i == 6 ? "{\"id\": 6,".getBytes(StandardCharsets.UTF_8)
                : KafkaTopics.jsonRecord(i));
        try (StreamingSource source = open(allocator, topic, opts("stop_at_end", "true", "infer_schema_length",
                "1"))) {
            assertThatThrownBy(() -> drain(source, 100, "id"))
                    .isInstanceOf(ParseException.class)
                    .hasMessageContaining("partition " + topic + "-0")
                    .hasMessageContaining("offset 6");
            // the error repeats: the bad record is never silently dropped
            assertThatThrownBy(() -> source.readChunk(100)).isInstanceOf(ParseException.class);
        }
        String group = unique("g");
        try (StreamingSource source = open(allocator, topic, opts("stop_at_end", "true", "bad_records", "skip",
                "group_id", group))) {
            List<Row> rows = drain(source, 100, "id");
            assertThat(ids(rows)).containsExactlyInAnyOrder(0L, 1L, 2L, 3L, 4L, 5L, 7L, 8L, 9L);
            assertThat(source.stats().counters()).containsEntry("kafka_records_skipped", 1L);
        }
        assertThat(topics.committedSum(group, topic)).isEqualTo(10);
    }

    @Test
    void aSkippedRecordIsCommittedOnlyWithTheChunkThatHoldsTheRecordsBeforeIt() {
        String topic = unique("skiplate");
        String group = unique("g");
        topics.create(topic, 1);
        topics.produce(topic, 1, 10, i -> i == 8 ? "oops".getBytes(StandardCharsets.UTF_8)
                : KafkaTopics.jsonRecord(i));
        // the inference sample takes all ten records (8 is skipped) before the first chunk of three rows
        try (StreamingSource source = open(allocator, topic, opts("stop_at_end", "true", "bad_records", "skip",
                "group_id", group, "infer_schema_length", "20"))) {
            try (Chunk first = source.readChunk(3).orElseThrow()) {
                assertThat(ids(rows(first, "id"))).containsExactlyInAnyOrder(0L, 1L, 2L);
            }
        }
        // committing past the skipped record 8 would have skipped 3..7, which were never delivered
        assertThat(topics.committedSum(group, topic)).isEqualTo(3);
    }

    @Test
    void valuesThatCollideWithMetadataOrCarryTrailingDataAreBadRecordsAndNestedValuesBecomeStructs() {
        String topic = unique("shapes");
        topics.create(topic, 1);
        topics.produce(topic, 1, 8, i -> (switch ((int) i) {
            case 3 -> "{\"id\":3,\"_offset\":99}"; // a field named like a metadata column
            case 5 -> "{\"id\":5} {\"id\":55}";   // two values in one message
            default -> "{\"id\":" + i + ",\"o\":{\"k\":[" + i + "],\"s\":\"é" + i + "\"}}";
        }).getBytes(StandardCharsets.UTF_8));
        try (StreamingSource source = open(allocator, topic, opts("stop_at_end", "true", "infer_schema_length",
                "2"))) {
            assertThatThrownBy(() -> drain(source, 100, "id")).isInstanceOf(ParseException.class)
                    .hasMessageContaining("'_offset'").hasMessageContaining("offset_column")
                    .hasMessageContaining("offset 3");
        }
        try (StreamingSource source = open(allocator, topic, opts("stop_at_end", "true", "infer_schema_length", "2",
                "bad_records", "skip"))) {
            List<String> seen = new java.util.ArrayList<>();
            for (Optional<Chunk> c; (c = source.readChunk(3)).isPresent(); ) {
                try (Chunk chunk = c.get()) {
                    for (int i = 0; i < chunk.rowCount(); i++) {
                        seen.add(chunk.root().getVector("id").getObject(i) + " "
                                + chunk.root().getVector("o").getObject(i));
                    }
                }
            }
            assertThat(seen).containsExactly("0 {\"k\":[0],\"s\":\"é0\"}", "1 {\"k\":[1],\"s\":\"é1\"}",
                    "2 {\"k\":[2],\"s\":\"é2\"}", "4 {\"k\":[4],\"s\":\"é4\"}",
                    "6 {\"k\":[6],\"s\":\"é6\"}", "7 {\"k\":[7],\"s\":\"é7\"}");
            assertThat(source.stats().counters()).containsEntry("kafka_records_skipped", 2L);
        }
    }

    @Test
    void aValueThatDoesNotFitTheInferredSchemaFailsNamingFieldPartitionAndOffsetEveryTime() {
        String topic = unique("mismatch");
        topics.create(topic, 1);
        topics.produce(topic, 1, 6, i -> (i == 4 ? "{\"id\":\"four\"}" : "{\"id\":" + i + "}")
                .getBytes(StandardCharsets.UTF_8));
        try (StreamingSource source = open(allocator, topic, opts("stop_at_end", "true", "infer_schema_length",
                "1"))) {
            List<Long> ids = new java.util.ArrayList<>();
            for (int attempt = 0; attempt < 2; attempt++) {
                assertThatThrownBy(() -> {
                    for (Optional<Chunk> c; (c = source.readChunk(2)).isPresent(); ) {
                        try (Chunk chunk = c.get()) {
                            for (int i = 0; i < chunk.rowCount(); i++) {
                                ids.add((Long) chunk.root().getVector("id").getObject(i));
                            }
                        }
                    }
                }).isInstanceOf(io.polarway.error.SchemaException.class).hasMessageContaining("field 'id'")
                        .hasMessageContaining("partition " + topic + "-0").hasMessageContaining("offset 4");
            }
            // the rows before it were delivered once; the bad one is never dropped silently
            assertThat(ids).containsExactly(0L, 1L, 2L, 3L);
        }
    }

    @Test
    void saslCredentialsAuthenticateAndAWrongPasswordIsAnAuthErrorThatDoesNotShowIt() {
        String topic = unique("sasl");
        produceJson(broker, topic, 1, 100);
        SourceConfig good = SourceConfig.of(topic)
                .withOptions(Map.of("brokers", broker.saslBootstrapServers(), "stop_at_end", "true",
                        "security_protocol", "sasl_plaintext"))
                .withCredentials(Credentials.KafkaSasl.of(SASL_USER, SASL_PASSWORD, "PLAIN"));
        try (StreamingSource source = open(allocator, good)) {
            assertThat(drain(source, 1000, "id")).hasSize(100);
            assertThat(source.toString()).doesNotContain(SASL_PASSWORD);
        }
        String wrong = "not-" + SASL_PASSWORD;
        SourceConfig bad = good.withCredentials(Credentials.KafkaSasl.of(SASL_USER, wrong, "PLAIN"))
                .withOption("request_timeout_ms", "15000");
        assertThatThrownBy(() -> {
            try (StreamingSource source = open(allocator, bad)) {
                drain(source, 1000, "id");
            }
        }).isInstanceOf(AuthException.class)
                .satisfies(e -> assertThat(stackText(e)).doesNotContain(wrong));
    }

    @Test
    void configurationErrorsNameTheOption() {
        assertThatThrownBy(() -> open(allocator, "t", Map.of("group_id", "g")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("brokers");
        assertThatThrownBy(() -> open(allocator, "t", opts("format", "xml")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("format");
        assertThatThrownBy(() -> open(allocator, "t", opts("partition_column", "_key")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("_key");
        assertThatThrownBy(() -> open(allocator, "t", opts("consumer_properties", "enable.auto.commit=true")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("enable.auto.commit");
    }

    @Test
    void anUnknownTopicOrUnreachableBrokersFailAtCreation() {
        assertThatThrownBy(() -> open(allocator, unique("missing"), opts("stop_at_end", "true")))
                .isInstanceOf(KafkaSourceException.class).hasMessageContaining("does not exist");
        int closedPort = io.polarway.testkit.Ports.free();
        assertThatThrownBy(() -> open(allocator, "t", Map.of("brokers", "127.0.0.1:" + closedPort,
                "stop_at_end", "true", "request_timeout_ms", "1500")))
                .isInstanceOf(NetworkException.class)
                .satisfies(e -> assertThat(((PolarwayException) e).isRetryable()).isTrue());
    }

    private static String stackText(Throwable t) {
        StringBuilder sb = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) sb.append(c).append('\n');
        return sb.toString();
    }

    private static Set<Long> ids(List<Row> rows) {
        return rows.stream().map(Row::id).collect(Collectors.toSet());
    }

    private static void awaitCommits(StreamingSource source, long expected) {
        // a poll loop has run since the releases: the tracker was consulted and found nothing to commit
        long polls = source.stats().counters().getOrDefault("kafka_polls", 0L);
        io.polarway.testing.Await.until("two more polls", java.time.Duration.ofSeconds(30),
                () -> source.stats().counters().getOrDefault("kafka_polls", 0L) >= polls + 2);
        assertThat(source.stats().counters().getOrDefault("kafka_commits", 0L)).isEqualTo(expected);
    }

    private static void awaitCommitted(String group, String topic, long sum) {
        io.polarway.testing.Await.until("committed offsets summing to " + sum, java.time.Duration.ofSeconds(30),
                () -> topics.committedSum(group, topic) == sum);
    }
}
