package io.polarway.source.kafka;

import io.polarway.api.StatsRecorder;
import io.polarway.error.PolarwayException;
import io.polarway.error.Where;
import io.polarway.memory.MemoryProbe;
import io.polarway.policy.HysteresisGate;
import io.polarway.source.kafka.OffsetTracker.PartitionState;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The consumer's own thread: the only thread that touches the {@link KafkaConsumer} (it is not thread-safe). It
 * polls without pause, so the group membership survives however long the stream is paused (every poll resets
 * {@code max.poll.interval.ms}); puts what it fetches into the {@link RecordBuffer}; pauses every assigned partition
 * when the buffer passes {@code buffer_max_bytes} (or a quarter of it while memory is above the pause mark) and
 * resumes them at half of it; commits the offsets of released chunks (asynchronously after each poll, or every
 * {@code commit_interval_ms}; synchronously before partitions are revoked and at close); and, with
 * {@code stop_at_end}, pauses each partition that reached the end offset seen at start and says when all of its
 * partitions have ({@link RecordBuffer#setFetchedToEnd}: the end lives in the buffer, so that a revocation withdraws
 * it in the same step as it drops the revoked partitions' records, and the reader never takes a buffer emptied by a
 * rebalance for the end of the stream). Each poll's records of a partition are copied here into a
 * {@link RecordSlab}, so that what the buffer holds is a few primitive arrays rather than objects per record.
 */
final class KafkaPoller implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaPoller.class);
    /** How often the memory probe is read (it reads a few cgroup files). */
    private static final long MEMORY_SAMPLE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final KafkaSettings settings;
    private final RecordBuffer buffer;
    private final OffsetTracker tracker;
    private final StatsRecorder stats;
    private final MemoryProbe memory;
    private final HysteresisGate memoryGate = new HysteresisGate();
    private final CountDownLatch started = new CountDownLatch(1);
    private final CountDownLatch finished = new CountDownLatch(1);
    private final Map<TopicPartition, Long> endOffsets = new HashMap<>();
    private final Set<TopicPartition> done = new HashSet<>();
    private final Thread thread;

    private KafkaConsumer<byte[], byte[]> consumer;
    /** The consumer, for {@link #stop}'s {@code wakeup()} (the one call that is safe from another thread). */
    private volatile KafkaConsumer<byte[], byte[]> wakeable;
    private boolean flowPaused;
    private long pausedSinceNanos;
    private long lastMemorySampleNanos;
    private boolean memoryHigh;

    private volatile boolean stopping;
    /** With {@code stop_at_end}: how many assigned partitions were fetched to their end offset (for stats). */
    private volatile int partitionsAtEnd;
    private volatile PolarwayException failure;
    private volatile Set<TopicPartition> assignment = Set.of();
    private volatile String memberId = "";

    KafkaPoller(KafkaSettings settings, RecordBuffer buffer, OffsetTracker tracker, StatsRecorder stats,
                MemoryProbe memory) {
        this.settings = settings;
        this.buffer = buffer;
        this.tracker = tracker;
        this.stats = stats;
        this.memory = memory;
        this.thread = new Thread(this, "polarway-kafka-" + settings.subscription());
        thread.setDaemon(true);
    }

    /**
     * Starts the thread and waits until the consumer exists, is subscribed (or assigned) and, with
     * {@code stop_at_end}, knows the end offsets.
     *
     * @throws PolarwayException when that fails (bad configuration, unknown topic, brokers unreachable)
     */
    void start() {
        thread.start();
        try {
            if (!started.await(settings.requestTimeoutMillis + 30_000, TimeUnit.MILLISECONDS)) {
                stop(Duration.ofSeconds(5));
                throw new io.polarway.error.NetworkException("the Kafka consumer did not start within "
                        + (settings.requestTimeoutMillis + 30_000) + " ms", where(), null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stop(Duration.ofSeconds(5));
            throw new io.polarway.error.IoException("interrupted while starting the Kafka consumer", where(), e);
        }
        PolarwayException f = failure;
        if (f != null) {
            awaitFinished(Duration.ofSeconds(30));
            throw f;
        }
    }

    private Where where() {
        return Where.resource("kafka:" + settings.subscription());
    }

    @Override
    public void run() {
        try {
            consumer = new KafkaConsumer<>(settings.consumerProperties(), new ByteArrayDeserializer(),
                    new ByteArrayDeserializer());
            wakeable = consumer;
            List<TopicPartition> known = settings.stopAtEnd || !settings.usesGroup() ? knownPartitions() : null;
            if (settings.stopAtEnd) {
                endOffsets.putAll(consumer.endOffsets(known, Duration.ofMillis(settings.requestTimeoutMillis)));
            }
            if (settings.usesGroup()) {
                Listener listener = new Listener();
                if (settings.topicPattern != null) consumer.subscribe(settings.topicPattern, listener);
                else consumer.subscribe(settings.topics, listener);
            } else {
                consumer.assign(known);
                for (TopicPartition tp : known) tracker.assign(tp);
                assignment = Set.copyOf(known);
            }
            started.countDown();
            loop();
        } catch (Throwable t) {
            boolean stopSignal = t instanceof WakeupException
                    || t instanceof org.apache.kafka.common.errors.InterruptException;
            if (!(stopping && stopSignal)) {
                failure = KafkaErrors.map(t, settings.subscription());
                LOG.debug("kafka consumer failed", t);
            }
        } finally {
            shutdown();
            started.countDown();
            buffer.signal();
            finished.countDown();
        }
    }

    /** The partitions of the topics (or of the topics matching the pattern) now. */
    private List<TopicPartition> knownPartitions() {
        Duration timeout = Duration.ofMillis(settings.requestTimeoutMillis);
        List<TopicPartition> out = new ArrayList<>();
        if (settings.topicPattern != null) {
            for (Map.Entry<String, List<PartitionInfo>> e : consumer.listTopics(timeout).entrySet()) {
                if (!settings.topicPattern.matcher(e.getKey()).matches()) continue;
                for (PartitionInfo p : e.getValue()) out.add(new TopicPartition(p.topic(), p.partition()));
            }
        } else {
            for (String topic : settings.topics) {
                List<PartitionInfo> parts = consumer.partitionsFor(topic, timeout);
                if (parts == null || parts.isEmpty()) {
                    throw new KafkaSourceException("topic '" + topic + "' does not exist", Where.resource(topic),
                            null, false);
                }
                for (PartitionInfo p : parts) out.add(new TopicPartition(p.topic(), p.partition()));
            }
        }
        return out;
    }

    private void loop() {
        Duration pollTimeout = Duration.ofMillis(settings.pollTimeoutMillis);
        long commitIntervalNanos = TimeUnit.MILLISECONDS.toNanos(settings.commitIntervalMillis);
        long lastCommitNanos = System.nanoTime();
        while (!stopping) {
            long now = System.nanoTime();
            if (now - lastCommitNanos >= commitIntervalNanos) {
                commit(false, null);
                lastCommitNanos = now;
            }
            flowControl();
            ConsumerRecords<byte[], byte[]> records;
            try {
                records = consumer.poll(pollTimeout);
            } catch (WakeupException e) {
                if (stopping) return; // close() cut the poll short
                throw e;
            }
            stats.count("kafka_polls", 1);
            if (flowPaused) stats.count("kafka_paused_polls", 1);
            if (!records.isEmpty()) accept(records);
            if (settings.stopAtEnd) checkEnd();
        }
    }

    private void accept(ConsumerRecords<byte[], byte[]> records) {
        for (TopicPartition tp : records.partitions()) {
            PartitionState state = tracker.state(tp);
            List<ConsumerRecord<byte[], byte[]>> list = records.records(tp);
            if (state == null) continue; // not ours any more (cannot happen: revocation runs inside poll)
            if (settings.stopAtEnd) {
                long end = endOffsets.getOrDefault(tp, 0L);
                int keep = 0;
                while (keep < list.size() && list.get(keep).offset() < end) keep++;
                if (keep < list.size()) {
                    stats.count("kafka_records_past_end", list.size() - keep);
                    list = list.subList(0, keep);
                }
            }
            if (list.isEmpty()) continue;
            // Copied into slabs here, so that the records die young (a slab is a few arrays, not objects per record).
            List<RecordSlab> slabs = RecordSlab.of(state, list);
            long bytes = 0;
            for (RecordSlab slab : slabs) bytes += slab.dataBytes(0, slab.count);
            stats.addBytesRead(bytes);
            buffer.add(slabs);
        }
    }

    /** Pauses or resumes every assigned partition from the buffer's fill and memory pressure. */
    private void flowControl() {
        long now = System.nanoTime();
        if (now - lastMemorySampleNanos >= MEMORY_SAMPLE_NANOS) {
            lastMemorySampleNanos = now;
            memoryHigh = memoryGate.onSample(memory.sample().pressure());
        }
        long buffered = buffer.bytes();
        long max = settings.bufferMaxBytes;
        // Under memory pressure keep at most a quarter of the buffer: enough for the reader to make progress.
        boolean overMemory = memoryHigh && buffered >= max / 4;
        if (!flowPaused && (buffered >= max || overMemory)) {
            flowPaused = true;
            pausedSinceNanos = now;
            consumer.pause(consumer.assignment());
            stats.count("kafka_pauses", 1);
        } else if (flowPaused && buffered <= max / 2 && !overMemory) {
            flowPaused = false;
            stats.count("kafka_paused_ms", TimeUnit.NANOSECONDS.toMillis(now - pausedSinceNanos));
            List<TopicPartition> resume = new ArrayList<>(consumer.assignment());
            resume.removeAll(done);
            consumer.resume(resume);
        }
    }

    private void checkEnd() {
        Set<TopicPartition> assigned = consumer.assignment();
        boolean all = !assigned.isEmpty();
        for (TopicPartition tp : assigned) {
            if (done.contains(tp)) continue;
            long end = endOffsets.getOrDefault(tp, 0L); // a partition created after the start has nothing to read
            long position;
            try {
                position = consumer.position(tp, Duration.ZERO);
            } catch (TimeoutException e) {
                all = false; // position not known yet (committed offset still being fetched)
                continue;
            }
            if (position >= end) {
                done.add(tp);
                consumer.pause(List.of(tp));
            } else {
                all = false;
            }
        }
        partitionsAtEnd = done.size();
        // Re-stated after every poll: a revocation since the last one may have withdrawn it (RecordBuffer).
        buffer.setFetchedToEnd(all);
    }

    /**
     * Commits the released offsets of {@code partitions} (all when null); asynchronously unless {@code sync}.
     * Failures are counted and retried with the next commit: they can only cause duplicates, never loss.
     */
    private void commit(boolean sync, Collection<TopicPartition> partitions) {
        if (!settings.usesGroup()) return;
        Map<TopicPartition, OffsetAndMetadata> offsets = tracker.takeCommittable(partitions);
        if (offsets.isEmpty()) return;
        if (sync) {
            try {
                consumer.commitSync(offsets, Duration.ofMillis(settings.requestTimeoutMillis));
                committed(offsets);
            } catch (KafkaException e) {
                tracker.failed(offsets);
                stats.count("kafka_commit_failures", 1);
                LOG.warn("committing offsets {} failed: {}", offsets, e.toString());
            }
        } else {
            consumer.commitAsync(offsets, (o, e) -> {
                if (e == null) {
                    committed(offsets);
                } else {
                    tracker.failed(offsets);
                    stats.count("kafka_commit_failures", 1);
                    LOG.debug("asynchronous commit of {} failed (retried with the next one): {}", offsets, e.toString());
                }
            });
        }
    }

    private void committed(Map<TopicPartition, OffsetAndMetadata> offsets) {
        long advanced = tracker.acknowledged(offsets);
        stats.count("kafka_commits", 1);
        stats.count("kafka_committed_offsets", advanced);
    }

    /** Final commit and close; runs on the consumer's thread whatever ended the loop. */
    private void shutdown() {
        if (consumer == null) return;
        try {
            commit(true, null);
            // a wakeup() that arrived outside poll fails the first blocking call: the commit; it is retried once
            if (tracker.hasCommittable()) commit(true, null);
        } catch (RuntimeException e) {
            LOG.warn("final commit failed: {}", e.toString());
        }
        try {
            consumer.close(CloseOptions.timeout(Duration.ofMillis(Math.min(settings.requestTimeoutMillis, 30_000))));
        } catch (RuntimeException e) {
            LOG.warn("closing the Kafka consumer failed: {}", e.toString());
        }
        assignment = Set.of();
    }

    /** Asks the thread to commit, close the consumer and exit; waits up to {@code timeout}. Thread-safe. */
    void stop(Duration timeout) {
        stopping = true;
        KafkaConsumer<byte[], byte[]> c = wakeable;
        if (c != null) c.wakeup();
        buffer.signal();
        if (!awaitFinished(timeout)) {
            LOG.warn("kafka consumer thread did not stop within {}; interrupting it", timeout);
            thread.interrupt();
            awaitFinished(Duration.ofSeconds(10));
        }
    }

    private boolean awaitFinished(Duration timeout) {
        try {
            return finished.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The failure that stopped the consumer, or null. */
    PolarwayException failure() {
        return failure;
    }

    /** With {@code stop_at_end}: how many assigned partitions have been fetched to their end offset. Thread-safe. */
    int partitionsAtEnd() {
        return partitionsAtEnd;
    }

    boolean isRunning() {
        return finished.getCount() > 0;
    }

    Set<TopicPartition> assignment() {
        return assignment;
    }

    String memberId() {
        return memberId;
    }

    /** Commits before partitions go; forgets them after. Runs inside {@code poll}, on the consumer's thread. */
    private final class Listener implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (partitions.isEmpty()) return;
            commit(true, partitions);
            forget(partitions);
            stats.count("kafka_partitions_revoked", partitions.size());
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            if (partitions.isEmpty()) return;
            forget(partitions);
            stats.count("kafka_partitions_lost", partitions.size());
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            for (TopicPartition tp : partitions) tracker.assign(tp);
            // partitions assigned while the buffer is full start paused, like the others
            if (flowPaused && !partitions.isEmpty()) consumer.pause(partitions);
            assignment = Set.copyOf(consumer.assignment());
            memberId = consumer.groupMetadata().memberId();
            stats.count("kafka_partitions_assigned", partitions.size());
            if (settings.stopAtEnd && !partitions.isEmpty()) {
                buffer.setFetchedToEnd(false); // new partitions to read: re-evaluated after this poll
            }
        }

        /**
         * Forgets revoked or lost partitions. Dropping their buffered records also withdraws the end of the stream
         * (atomically, in the buffer): with eager rebalancing every partition is revoked before the new assignment
         * is known, often to be assigned back at once, and the records dropped here are then read again from the
         * committed offset; a reader that saw "fetched to the end" and an empty buffer in between would end the
         * stream without them.
         */
        private void forget(Collection<TopicPartition> partitions) {
            tracker.revoke(partitions);
            int dropped = buffer.removePartitions(partitions);
            if (dropped > 0) stats.count("kafka_records_dropped_on_revoke", dropped);
            done.removeAll(partitions);
            partitionsAtEnd = done.size();
            Set<TopicPartition> now = new HashSet<>(assignment);
            now.removeAll(partitions);
            assignment = Set.copyOf(now);
        }
    }
}
