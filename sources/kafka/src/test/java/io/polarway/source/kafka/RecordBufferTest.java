package io.polarway.source.kafka;

import io.polarway.source.kafka.OffsetTracker.PartitionState;
import io.polarway.source.kafka.RecordBuffer.Entry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The end of a {@code stop_at_end} stream as the buffer holds it (pure logic, no broker): it is reached only when the
 * consumer's thread said every partition was fetched to its end and every record was taken, and a revocation that
 * drops records withdraws it in the same step.
 */
class RecordBufferTest {
    private static final TopicPartition P0 = new TopicPartition("t", 0);
    private static final TopicPartition P1 = new TopicPartition("t", 1);

    private static void add(RecordBuffer buffer, PartitionState state, long from, int count) {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        long[] sizes = new long[count];
        for (int i = 0; i < count; i++) {
            ConsumerRecord<byte[], byte[]> r = new ConsumerRecord<>(state.partition.topic(),
                    state.partition.partition(), from + i, new byte[1], new byte[8]);
            records.add(r);
            sizes[i] = RecordBuffer.sizeOf(r);
        }
        buffer.add(state, records, null, sizes);
    }

    @Test
    void theEndNeedsEveryRecordTakenAndARevocationWithdrawsItWithTheRecordsItDrops() {
        OffsetTracker tracker = new OffsetTracker();
        RecordBuffer buffer = new RecordBuffer(1L << 20);
        PartitionState p0 = tracker.assign(P0);
        PartitionState p1 = tracker.assign(P1);
        add(buffer, p0, 0, 10);
        add(buffer, p1, 0, 10);
        assertThat(buffer.drainedToEnd()).as("not fetched to the end yet").isFalse();
        buffer.setFetchedToEnd(true);
        assertThat(buffer.drainedToEnd()).as("fetched to the end, records left").isFalse();
        List<Entry> taken = new ArrayList<>();
        assertThat(buffer.takeInto(taken, 5)).isEqualTo(5);

        // an eager rebalance revokes both partitions: the records left are dropped and the end goes with them
        long version = buffer.version();
        assertThat(buffer.removePartitions(List.of(P0, P1))).isEqualTo(15);
        assertThat(buffer.isEmpty()).isTrue();
        assertThat(buffer.drainedToEnd()).as("empty after a revocation is not the end").isFalse();
        assertThat(buffer.version()).as("a waiting reader is woken").isNotEqualTo(version);

        // assigned again, the consumer's thread fetches them again and re-establishes the end
        tracker.revoke(List.of(P0, P1));
        PartitionState again = tracker.assign(P0);
        add(buffer, again, 3, 7);
        buffer.setFetchedToEnd(true);
        assertThat(buffer.drainedToEnd()).isFalse();
        taken.clear();
        assertThat(buffer.takeInto(taken, 100)).isEqualTo(7);
        assertThat(taken).allMatch(e -> e.state() == again);
        assertThat(buffer.drainedToEnd()).as("fetched to the end and every record taken").isTrue();
    }

    @Test
    void revokingPartitionsWithNothingBufferedAlsoWithdrawsTheEndUntilItIsStatedAgain() {
        OffsetTracker tracker = new OffsetTracker();
        RecordBuffer buffer = new RecordBuffer(1L << 20);
        tracker.assign(P0);
        buffer.setFetchedToEnd(true);
        assertThat(buffer.drainedToEnd()).isTrue();
        // the consumer's thread re-states the end for what it still holds after its next poll
        assertThat(buffer.removePartitions(List.of(P0))).isZero();
        assertThat(buffer.drainedToEnd()).isFalse();
        buffer.setFetchedToEnd(true);
        assertThat(buffer.drainedToEnd()).isTrue();
        assertThat(buffer.removePartitions(List.of())).isZero();
        assertThat(buffer.drainedToEnd()).as("an empty revocation changes nothing").isTrue();
    }
}
