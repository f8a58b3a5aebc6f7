package io.polarway.bench.kafka;

import io.polarway.api.SourceConfig;
import io.polarway.bench.scenario.Scenario;
import io.polarway.bench.scenario.ScenarioData;
import io.polarway.profile.VmProfile;
import io.polarway.testkit.kafka.KafkaBroker;
import io.polarway.testkit.kafka.KafkaTopics;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;

/**
 * A Kafka backlog for a bench scenario ({@code backend.store: kafka}): a broker (its own process, KRaft, on
 * 127.0.0.1) with one topic holding {@code rows} JSON records of about {@code row_width_bytes} each —
 * {@code {"id":N,"name":"record-N","payload":"..."}}, ids 0..rows-1 round-robin over the partitions — produced before
 * the fork starts. The fork reads it as a new consumer group with {@code stop_at_end}, so "every row once" holds when
 * no consumer is killed (Kafka's at-least-once means exactly once here).
 */
public final class KafkaBacklog {
    static final String BROKERS_PROPERTY = "bench.kafka.brokers";
    static final String TOPIC_PROPERTY = "bench.kafka.topic";

    private KafkaBacklog() {
    }

    /** Starts a broker and produces the scenario's backlog for {@code profile} in {@code suite}. */
    public static ScenarioData prepare(Scenario scenario, VmProfile profile, String suite) {
        Scenario.Dataset d = scenario.dataset();
        long rows = d.rows(profile, suite);
        int partitions = scenario.backend().partitions();
        String topic = scenario.name();
        KafkaBroker broker = KafkaBroker.builder().heapMb(512).start();
        try (KafkaTopics topics = new KafkaTopics(broker.bootstrapServers())) {
            topics.create(topic, partitions);
            int payload = Math.max(0, d.rowWidthBytes() - 48);
            byte[] fill = "x".repeat(payload).getBytes(StandardCharsets.US_ASCII);
            topics.produce(topic, partitions, rows, id -> record(id, fill));
        } catch (RuntimeException e) {
            broker.close();
            throw e;
        }
        return ScenarioData.of(Map.of(BROKERS_PROPERTY, broker.bootstrapServers(), TOPIC_PROPERTY, topic), broker);
    }

    static byte[] record(long id, byte[] payload) {
        byte[] head = ("{\"id\":" + id + ",\"name\":\"record-" + id + "\",\"payload\":\"")
                .getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[head.length + payload.length + 2];
        System.arraycopy(head, 0, out, 0, head.length);
        System.arraycopy(payload, 0, out, head.length, payload.length);
        out[out.length - 2] = '"';
        out[out.length - 1] = '}';
        return out;
    }

    /** In the fork: the topic, the broker, a fresh group, stop at the end offsets seen at start. */
    public static SourceConfig inFork(SourceConfig config) {
        String brokers = System.getProperty(BROKERS_PROPERTY);
        String topic = System.getProperty(TOPIC_PROPERTY);
        if (brokers == null || topic == null) {
            throw new IllegalStateException("a kafka scenario needs the bench runner to start its broker ("
                    + BROKERS_PROPERTY + " and " + TOPIC_PROPERTY + " are not set)");
        }
        return config.withLocation(topic).withOption("brokers", brokers)
                .withOption("group_id", "bench-" + UUID.randomUUID())
                .withOption("auto_offset_reset", "earliest").withOption("stop_at_end", "true");
    }
}
