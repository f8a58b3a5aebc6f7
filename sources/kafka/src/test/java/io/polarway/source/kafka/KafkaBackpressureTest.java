package io.polarway.source.kafka;

import io.polarway.api.Chunk;
import io.polarway.api.SourceConfig;
import io.polarway.api.StreamingSource;
import io.polarway.testing.Await;
import io.polarway.testing.ScriptedMemoryProbe;
import io.polarway.testkit.kafka.KafkaBroker;
import io.polarway.testkit.kafka.KafkaTopics;
import org.apache.arrow.memory.RootAllocator;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Backpressure against a real broker: a consumer that is not read from pauses its partitions and keeps polling, so
 * it keeps its group membership past {@code max.poll.interval.ms}; the buffer of fetched records stays within its
 * bound (lower under memory pressure); a rebalance commits what was released before the partitions move.
 */
class KafkaBackpressureTest extends KafkaTestSupport {
    static KafkaBroker broker;
    static KafkaTopics topics;
    RootAllocator allocator;

    @BeforeAll
    static void startBroker() {
        broker = startBroker(KafkaBroker.builder());
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
        allocator.close();
    }

    private Map<String, String> opts(String... kv) {
        Map<String, String> m = new HashMap<>();
        m.put("brokers", broker.bootstrapServers());
        for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
        return m;
    }

    private static long counter(StreamingSource s, String name) {
        return s.stats().counters().getOrDefault(name, 0L);
    }

    @Test
    void aConsumerPausedLongerThanMaxPollIntervalKeepsItsPartitions() {
        String topic = unique("pause");
        String group = unique("g");
        int records = 20_000;
        int maxPollIntervalMs = 2_000;
        produceJson(broker, topic, 2, records);
        try (StreamingSource source = open(allocator, topic, opts("group_id", group, "stop_at_end", "true",
                "max_poll_interval_ms", String.valueOf(maxPollIntervalMs), "session_timeout_ms", "6000",
                "buffer_max_bytes", "64KiB"))) {
            KafkaSource kafka = (KafkaSource) source;
            long rows;
            try (Chunk first = source.readChunk(500).orElseThrow()) {
                rows = first.rowCount();
            }
            String member = kafka.memberId();
            Set<TopicPartition> assigned = kafka.assignment();
            assertThat(assigned).hasSize(2);
            // the caller stops reading: the buffer fills, the partitions are paused, polling goes on
            Await.until("partitions paused", Duration.ofSeconds(30), () -> counter(source, "kafka_pauses") >= 1);
            long pausedAt = System.nanoTime();
            long pollsAtPause = counter(source, "kafka_paused_polls");
            Await.until("a pause three times max.poll.interval.ms", Duration.ofSeconds(60),
                    () -> System.nanoTime() - pausedAt >= 3_000_000L * maxPollIntervalMs);
            assertThat(counter(source, "kafka_paused_polls") - pollsAtPause).as("polls while paused")
                    .isGreaterThan(3L * maxPollIntervalMs / 100 / 2);
            ConsumerGroupDescription d = topics.describeGroup(group);
            assertThat(d.groupState()).isEqualTo(GroupState.STABLE);
            assertThat(d.members()).extracting(MemberDescription::consumerId).containsExactly(member);
            assertThat(d.members().iterator().next().assignment().topicPartitions()).isEqualTo(assigned);
            assertThat(kafka.memberId()).isEqualTo(member);
            assertThat(counter(source, "kafka_partitions_revoked") + counter(source, "kafka_partitions_lost"))
                    .isZero();
            // and it reads on where it was: every record once, none twice (there was no rebalance)
            BitSet seen = new BitSet(records);
            List<Row> rest = drain(source, 1_000, "id");
            rest.forEach(r -> seen.set((int) r.id()));
            assertThat(rows + rest.size()).isEqualTo(records);
            assertThat(seen.cardinality()).isEqualTo(records - rows);
        }
    }

    @Test
    void aPlainConsumerThatStopsPollingLosesItsMembership() {
        // the control for the test above: without polling, max.poll.interval.ms does expire on this broker
        String topic = unique("plain");
        String group = unique("g");
        produceJson(broker, topic, 2, 100);
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, "2000");
        p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "6000");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            Await.until("the plain consumer assigned", Duration.ofSeconds(30), () -> {
                consumer.poll(Duration.ofMillis(100));
                return !consumer.assignment().isEmpty();
            });
            Await.until("the group to drop the consumer that stopped polling", Duration.ofSeconds(30),
                    () -> topics.describeGroup(group).members().isEmpty());
        }
    }

    @Test
    void theBufferOfFetchedRecordsStaysWithinItsBoundAndAQuarterOfItUnderMemoryPressure() {
        String topic = unique("bound");
        int records = 60_000;
        int valueBytes = 300;
        byte[] filler = "x".repeat(valueBytes).getBytes(StandardCharsets.UTF_8);
        topics.create(topic, 3);
        topics.produce(topic, 3, records, i -> {
            byte[] v = ("{\"id\":" + i + ",\"pad\":\"").getBytes(StandardCharsets.UTF_8);
            byte[] out = new byte[v.length + filler.length + 2];
            System.arraycopy(v, 0, out, 0, v.length);
            System.arraycopy(filler, 0, out, v.length, filler.length);
            out[out.length - 2] = '"';
            out[out.length - 1] = '}';
            return out;
        });
        long bufferMax = 1L << 20;
        int maxPollRecords = 200;
        // one poll's records as the buffer counts them: key and value bytes and the slabs' arrays (one per partition)
        long onePoll = (long) maxPollRecords * (valueBytes + 40 + RecordSlab.RECORD_OVERHEAD_BYTES)
                + 3L * RecordSlab.SLAB_OVERHEAD_BYTES;
        ScriptedMemoryProbe memory = new ScriptedMemoryProbe(1L << 30, 0.95); // above the pause mark
        SourceConfig config = SourceConfig.of(topic).withOptions(opts("stop_at_end", "true",
                "buffer_max_bytes", String.valueOf(bufferMax), "max_poll_records", String.valueOf(maxPollRecords)));
        try (StreamingSource source = open(allocator, config, memory)) {
            Await.until("paused under memory pressure", Duration.ofSeconds(30),
                    () -> counter(source, "kafka_pauses") >= 1 && counter(source, "kafka_paused_polls") >= 5);
            long underPressure = counter(source, "kafka_buffer_peak_bytes");
            assertThat(underPressure).isBetween(1L, bufferMax / 4 + onePoll);
            memory.setFraction(0.3); // pressure gone: the buffer may fill up to its bound
            Await.until("paused at the full bound", Duration.ofSeconds(30),
                    () -> counter(source, "kafka_pauses") >= 2 && counter(source, "kafka_buffered_bytes") >= bufferMax);
            long polls = counter(source, "kafka_paused_polls");
            Await.until("more polls while paused", Duration.ofSeconds(30),
                    () -> counter(source, "kafka_paused_polls") >= polls + 5);
            assertThat(counter(source, "kafka_buffer_peak_bytes")).isBetween(bufferMax, bufferMax + onePoll);
            assertThat(drain(source, 5_000, "id")).hasSize(records);
            assertThat(counter(source, "kafka_buffer_peak_bytes")).isLessThanOrEqualTo(bufferMax + onePoll);
        }
    }

    /**
     * The commit before revocation, isolated: with a commit interval longer than the test, the offsets A released
     * reach the group only through the commit in the rebalance listener, so B must start each partition it takes over
     * exactly where A's released chunks end (without that commit, where the group had committed nothing).
     */
    @Test
    void aRebalanceCommitsTheReleasedChunksBeforeThePartitionsMove() {
        String topic = unique("rebalance");
        String group = unique("g");
        int records = 40_000;
        produceJson(broker, topic, 4, records);
        Map<Integer, Long> releasedUpTo = new HashMap<>();
        try (StreamingSource a = open(allocator, topic, opts("group_id", group, "buffer_max_bytes", "64KiB",
                "commit_interval_ms", "600000"))) {
            KafkaSource ka = (KafkaSource) a;
            // released chunks of every partition
            for (int i = 0; i < 60 && releasedUpTo.size() < 4; i++) {
                try (Chunk c = a.readChunk(700).orElseThrow()) {
                    for (Row r : rows(c, "id")) releasedUpTo.merge(r.partition(), r.offset() + 1, Math::max);
                }
            }
            assertThat(releasedUpTo).as("partitions read before the rebalance").hasSize(4);
            Chunk held = a.readChunk(700).orElseThrow(); // delivered, not released across the rebalance
            assertThat(ka.assignment()).hasSize(4);
            awaitPolls(a, 2);
            assertThat(topics.committed(group)).as("committed before the rebalance (the interval is long)").isEmpty();
            try (StreamingSource b = open(allocator, topic, opts("group_id", group))) {
                KafkaSource kb = (KafkaSource) b;
                Await.until("the group to split the partitions", Duration.ofSeconds(60),
                        () -> kb.assignment().size() == 2 && ka.assignment().size() == 2);
                Map<TopicPartition, Long> committed = topics.committed(group);
                for (TopicPartition moved : kb.assignment()) {
                    // everything A had released of a partition that moved was committed before it moved
                    assertThat(committed.get(moved)).as("committed offset of %s", moved)
                            .isEqualTo(releasedUpTo.get(moved.partition()));
                }
                // and B reads each partition it took over from exactly there: nothing released is read again
                Map<Integer, Long> firstOffset = new HashMap<>();
                for (int i = 0; i < 60 && firstOffset.size() < 2; i++) {
                    try (Chunk c = b.readChunk(700).orElseThrow()) {
                        for (Row r : rows(c, "id")) firstOffset.putIfAbsent(r.partition(), r.offset());
                    }
                }
                for (TopicPartition moved : kb.assignment()) {
                    assertThat(firstOffset.get(moved.partition())).as("B's first offset of %s", moved)
                            .isEqualTo(releasedUpTo.get(moved.partition()));
                }
            }
            held.close();
        }
    }

    /** Waits until the consumer's thread has polled {@code n} more times (and so passed its commit point as often). */
    private static void awaitPolls(StreamingSource s, long n) {
        long polls = counter(s, "kafka_polls");
        Await.until(n + " more polls", Duration.ofSeconds(30), () -> counter(s, "kafka_polls") >= polls + n);
    }
}
