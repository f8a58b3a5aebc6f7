package io.polarway.testkit.kafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongFunction;

/**
 * Test and benchmark helpers around a broker: topics, producing numbered records, reading a group's committed
 * offsets. Needs {@code kafka-clients} on the caller's classpath (the testkit declares it optional). Every call
 * blocks until the broker confirms, with a 60 s deadline.
 */
public final class KafkaTopics implements AutoCloseable {
    private static final long TIMEOUT_SECONDS = 60;
    private final String bootstrap;
    private final Admin admin;

    public KafkaTopics(String bootstrapServers) {
        this.bootstrap = bootstrapServers;
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "60000");
        this.admin = Admin.create(p);
    }

    public Admin admin() {
        return admin;
    }

    /** Creates a topic with replication factor 1 and waits until every partition has a leader. */
    public void create(String topic, int partitions) {
        create(topic, partitions, Map.of());
    }

    /** Creates a topic with extra topic configs (e.g. {@code max.message.bytes}); waits for the leaders. */
    public void create(String topic, int partitions, Map<String, String> configs) {
        get(admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1).configs(configs))).all());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        while (true) {
            TopicDescription d;
            try {
                d = get(admin.describeTopics(List.of(topic)).allTopicNames()).get(topic);
            } catch (IllegalStateException e) {
                // right after creation the metadata may not have reached the broker yet: ask again
                if (!(e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException)
                        || System.nanoTime() > deadline) {
                    throw e;
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
                continue;
            }
            if (d.partitions().size() == partitions && d.partitions().stream().allMatch(p -> p.leader() != null
                    && !p.leader().isEmpty())) {
                return;
            }
            if (System.nanoTime() > deadline) throw new IllegalStateException("topic " + topic + " has no leaders");
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }

    /** The group's committed offsets (partitions without a commit are absent). */
    public Map<TopicPartition, Long> committed(String groupId) {
        Map<TopicPartition, OffsetAndMetadata> raw = get(admin.listConsumerGroupOffsets(groupId)
                .partitionsToOffsetAndMetadata());
        Map<TopicPartition, Long> out = new HashMap<>();
        raw.forEach((tp, om) -> {
            if (om != null) out.put(tp, om.offset());
        });
        return out;
    }

    /** The sum of the group's committed offsets over {@code topic}'s partitions. */
    public long committedSum(String groupId, String topic) {
        return committed(groupId).entrySet().stream().filter(e -> e.getKey().topic().equals(topic))
                .mapToLong(Map.Entry::getValue).sum();
    }

    public ConsumerGroupDescription describeGroup(String groupId) {
        return get(admin.describeConsumerGroups(List.of(groupId)).all()).get(groupId);
    }

    /**
     * Produces records {@code 0..count-1} round-robin over the partitions ({@code i % partitions}), keys
     * {@code "k<i>"}, values from {@code value}, with {@code acks=all}; returns after every record is acknowledged.
     */
    public void produce(String topic, int partitions, long count, LongFunction<byte[]> value) {
        produce(topic, count, i -> new ProducerRecord<>(topic, (int) (i % partitions),
                ("k" + i).getBytes(StandardCharsets.UTF_8), value.apply(i)));
    }

    /**
     * Produces {@code records} in order, each with its own partition, key and timestamp as given (a null timestamp is
     * the producer's clock), with {@code acks=all}; returns after every record is acknowledged.
     */
    public void produce(List<ProducerRecord<byte[], byte[]>> records) {
        if (records.isEmpty()) return;
        produce(records.get(0).topic(), records.size(), i -> records.get((int) i));
    }

    private void produce(String topic, long count, LongFunction<ProducerRecord<byte[], byte[]>> record) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(256 * 1024));
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        // Order within a partition is what tests assert on: one request in flight, so a retry cannot reorder.
        // (Idempotence was tried: right after topic creation this broker answered OUT_OF_ORDER_SEQUENCE_NUMBER
        // forever on some runs.)
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false");
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
        AtomicReference<Exception> failure = new AtomicReference<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (long i = 0; i < count && failure.get() == null; i++) {
                producer.send(record.apply(i), (md, e) -> {
                    if (e != null) failure.compareAndSet(null, e);
                });
            }
            producer.flush();
        }
        if (failure.get() != null) throw new IllegalStateException("producing to " + topic + " failed", failure.get());
    }

    /** A JSON value {@code {"id":i,"name":"n<i>","score":i*0.5}} for record {@code i}. */
    public static byte[] jsonRecord(long i) {
        return ("{\"id\":" + i + ",\"name\":\"n" + i + "\",\"score\":" + (i * 0.5) + "}")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static <T> T get(org.apache.kafka.common.KafkaFuture<T> f) {
        try {
            return f.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause().toString(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("broker did not answer within " + TIMEOUT_SECONDS + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public void close() {
        admin.close();
    }
}
