package io.polarway.source.kafka;

import io.polarway.api.StreamingSource;
import io.polarway.testkit.kafka.KafkaTopics;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The same source against Apache Kafka's own image, where Docker exists (CI runners with Docker, developers'
 * machines). Skipped, with JUnit's "Docker is not available" reason, where there is no Docker engine; the broker
 * process tests ({@link KafkaSourceTest} and the others) cover the same ground everywhere.
 */
@Testcontainers(disabledWithoutDocker = true)
class KafkaTestcontainersTest extends KafkaTestSupport {
    @Container
    static final KafkaContainer KAFKA = new KafkaContainer("apache/kafka:4.1.0");

    @Test
    void readsEveryRecordOfATopicAndCommitsThem() {
        String topic = unique("tc");
        String group = unique("g");
        try (KafkaTopics topics = new KafkaTopics(KAFKA.getBootstrapServers())) {
            topics.create(topic, 3);
            topics.produce(topic, 3, 10_000, KafkaTopics::jsonRecord);
            try (RootAllocator allocator = allocator();
                 StreamingSource source = open(allocator, topic, Map.of("brokers", KAFKA.getBootstrapServers(),
                         "group_id", group, "stop_at_end", "true"))) {
                List<Row> rows = drain(source, 1_000, "id");
                assertThat(rows).hasSize(10_000);
                assertThat(rows.stream().map(Row::id).distinct().count()).isEqualTo(10_000);
            }
            assertThat(topics.committedSum(group, topic)).isEqualTo(10_000);
        }
    }
}
