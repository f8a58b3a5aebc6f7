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
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
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

    @Test
    void idleTimeoutEndsAStreamThatRunsUntilStopped() {
        String topic = unique("idle");
        produceJson(broker, topic, 1, 50);
        long start = System.nanoTime();
        try (StreamingSource source = open(allocator, topic, opts("idle_timeout_ms", "1500"))) {
            assertThat(drain(source, 1000, "id")).hasSize(50);
        }
        assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(1500);
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
