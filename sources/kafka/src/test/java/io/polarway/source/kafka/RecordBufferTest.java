package io.polarway.source.kafka;

import io.polarway.source.kafka.OffsetTracker.PartitionState;
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
    private final OffsetTracker tracker = new OffsetTracker();
    private final RecordBuffer buffer = new RecordBuffer(1L << 20);

    private static List<RecordSlab> add(RecordBuffer buffer, PartitionState state, long from, int count) {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            records.add(new ConsumerRecord<>(state.partition.topic(), state.partition.partition(), from + i,
                    new byte[1], new byte[8]));
        }
        List<RecordSlab> slabs = RecordSlab.of(state, records);
        buffer.add(slabs);
        return slabs;
    }

    /** The records of {@code runs}, as "partition@offset". */
    private static List<String> records(SlabRuns runs) {
        List<String> out = new ArrayList<>();
        runs.forEach(runs.size(), (slab, from, to, row) -> {
            for (int i = from; i < to; i++) out.add(slab.state + "@" + slab.offsets[i]);
        });
        return out;
    }

    @Test
    void recordsLeaveInOrderAsRangesOfSlabsAndTheBytesAreTheSlabsExactSizes() {
        PartitionState p0 = tracker.assign(P0);
        PartitionState p1 = tracker.assign(P1);
        RecordSlab a = add(buffer, p0, 0, 10).get(0);
        RecordSlab b = add(buffer, p1, 100, 4).get(0);
        RecordSlab c = add(buffer, p0, 10, 3).get(0);
        assertThat(buffer.bytes()).isEqualTo(a.bytes + b.bytes + c.bytes);
        assertThat(buffer.peakBytes()).isEqualTo(buffer.bytes());

        SlabRuns taken = new SlabRuns();
        assertThat(buffer.takeInto(taken, 4)).isEqualTo(4);
        assertThat(buffer.bytes()).isEqualTo(a.bytesOf(4, 10) + b.bytes + c.bytes);
        assertThat(buffer.takeInto(taken, 8)).isEqualTo(8);
        assertThat(records(taken)).containsExactly("t-0@0", "t-0@1", "t-0@2", "t-0@3", "t-0@4", "t-0@5", "t-0@6",
                "t-0@7", "t-0@8", "t-0@9", "t-1@100", "t-1@101");
        assertThat(taken.first().slab).isSameAs(a);
        assertThat(taken.first().size()).as("a slab taken in two parts is one range").isEqualTo(10);
        assertThat(buffer.bytes()).isEqualTo(b.bytesOf(2, 4) + c.bytes);

        // revoking p1 drops what is left of its slab (partly taken, first in the buffer); p0's records stay
        assertThat(buffer.removePartitions(List.of(P1))).isEqualTo(2);
        assertThat(buffer.bytes()).isEqualTo(c.bytes);
        taken.clear();
        assertThat(buffer.takeInto(taken, 100)).isEqualTo(3);
        assertThat(records(taken)).containsExactly("t-0@10", "t-0@11", "t-0@12");
        assertThat(buffer.bytes()).isZero();
        assertThat(buffer.isEmpty()).isTrue();
    }

    @Test
    void theEndNeedsEveryRecordTakenAndARevocationWithdrawsItWithTheRecordsItDrops() {
        PartitionState p0 = tracker.assign(P0);
        PartitionState p1 = tracker.assign(P1);
        add(buffer, p0, 0, 10);
        add(buffer, p1, 0, 10);
        assertThat(buffer.drainedToEnd()).as("not fetched to the end yet").isFalse();
        buffer.setFetchedToEnd(true);
        assertThat(buffer.drainedToEnd()).as("fetched to the end, records left").isFalse();
        SlabRuns taken = new SlabRuns();
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
        assertThat(taken.first().slab.state).isSameAs(again);
        assertThat(taken.first().size()).isEqualTo(7);
        assertThat(buffer.drainedToEnd()).as("fetched to the end and every record taken").isTrue();
        assertThat(buffer.bytes()).isZero();
    }

    @Test
    void revokingPartitionsWithNothingBufferedAlsoWithdrawsTheEndUntilItIsStatedAgain() {
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
