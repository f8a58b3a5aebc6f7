package io.polarway.source.kafka;

import io.polarway.source.kafka.OffsetTracker.PartitionState;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** The compact buffered form of records (pure logic, no broker). */
class RecordSlabTest {
    private static final PartitionState STATE = new OffsetTracker().assign(new TopicPartition("t", 3));

    static ConsumerRecord<byte[], byte[]> record(long offset, String key, String value, long timestamp) {
        byte[] k = key == null ? null : key.getBytes(StandardCharsets.UTF_8);
        byte[] v = value == null ? null : value.getBytes(StandardCharsets.UTF_8);
        return new ConsumerRecord<>("t", 3, offset, timestamp,
                timestamp < 0 ? TimestampType.NO_TIMESTAMP_TYPE : TimestampType.CREATE_TIME,
                k == null ? -1 : k.length, v == null ? -1 : v.length, k, v, new RecordHeaders(), Optional.empty());
    }

    private static String string(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    @Test
    void keysValuesOffsetsAndTimestampsAreKeptWithTheirNulls() {
        List<ConsumerRecord<byte[], byte[]>> records = List.of(record(7, "k7", "v7", 1000),
                record(8, null, "", 1001), record(9, "", null, -1), record(11, "k11", "value 11", 1003));
        List<RecordSlab> slabs = RecordSlab.of(STATE, records);
        assertThat(slabs).hasSize(1);
        RecordSlab s = slabs.get(0);
        assertThat(s.state).isSameAs(STATE);
        assertThat(s.count).isEqualTo(4);
        assertThat(s.offsets).containsExactly(7, 8, 9, 11);
        assertThat(s.timestamps).containsExactly(1000, 1001, -1, 1003);
        List<String> keys = new ArrayList<>();
        List<String> values = new ArrayList<>();
        for (int i = 0; i < s.count; i++) {
            keys.add(string(s.key(i)));
            values.add(string(s.value(i)));
        }
        assertThat(keys).containsExactly("k7", null, "", "k11");
        assertThat(values).containsExactly("v7", "", null, "value 11");
        assertThat(s.valueIsNull(1)).as("an empty value is not null").isFalse();
        assertThat(s.keyIsNull(2)).as("an empty key is not null").isFalse();
        assertThat(new String(s.values, StandardCharsets.UTF_8)).as("values back to back").isEqualTo("v7value 11");
        assertThat(s.valueBytes(0, 4)).isEqualTo(10);
        assertThat(s.keyBytes(1, 4)).isEqualTo(3);
        assertThat(s.dataBytes(0, 4)).isEqualTo(15);
    }

    @Test
    void everyKeyNullHoldsNoKeyArraysAndNoValueNullHoldsNoNullMarkers() {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int i = 0; i < 100; i++) records.add(record(i, null, "v" + i, i));
        RecordSlab s = RecordSlab.of(STATE, records).get(0);
        assertThat(s.keyOffsets).isNull();
        assertThat(s.keyNulls).isNull();
        assertThat(s.valueNulls).isNull();
        assertThat(s.keyIsNull(50)).isTrue();
        assertThat(s.keyBytes(0, 100)).isZero();
        assertThat(string(s.value(50))).isEqualTo("v50");
    }

    @Test
    void theBytesAreTheArraysSizesAndSplitExactlyOverRanges() {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            records.add(record(i, i % 7 == 0 ? null : "k" + i, i % 11 == 0 ? null : "x".repeat(i % 50), i));
        }
        RecordSlab s = RecordSlab.of(STATE, records).get(0);
        long data = s.dataBytes(0, s.count);
        assertThat(s.bytes).isGreaterThan(data + 500L * 20)
                .isLessThanOrEqualTo(data + 500L * RecordSlab.RECORD_OVERHEAD_BYTES + RecordSlab.SLAB_OVERHEAD_BYTES);
        // the arrays, one by one: offsets and timestamps (8 B), value and key offsets (4 B, one more than records),
        // null markers (1 B), the data, each with a 16-byte header and padded to 8
        long arrays = 2 * (16 + 500 * 8) + 2 * (16 + 501 * 4 + 4) + 2 * (16 + 504)
                + ((16 + s.values.length + 7) & ~7L) + ((16 + s.keys.length + 7) & ~7L);
        assertThat(s.bytes).as("the arrays and the object").isEqualTo(arrays + 64);
        assertThat(s.bytesOf(0, 123) + s.bytesOf(123, 124) + s.bytesOf(124, 500)).isEqualTo(s.bytes);
        assertThat(s.bytesOf(0, 0) + s.bytesOf(500, 500)).isZero();
    }

    @Test
    void largeRecordsAreSplitOverSlabsInOrderAndARecordLargerThanTheLimitGetsOneOfItsOwn() {
        String big = "b".repeat(RecordSlab.MAX_DATA_BYTES / 3);
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int i = 0; i < 7; i++) records.add(record(i, "k", big, i));
        records.add(record(7, null, "h".repeat(RecordSlab.MAX_DATA_BYTES + 1), 7));
        records.add(record(8, "k", "small", 8));
        List<RecordSlab> slabs = RecordSlab.of(STATE, records);
        assertThat(slabs).extracting(s -> s.count).containsExactly(2, 2, 2, 1, 1, 1);
        long next = 0;
        for (RecordSlab s : slabs) {
            assertThat(s.values.length + s.keys.length).isLessThanOrEqualTo(s.count == 1 ? Integer.MAX_VALUE
                    : RecordSlab.MAX_DATA_BYTES);
            for (long o : s.offsets) assertThat(o).isEqualTo(next++);
        }
        assertThat(slabs.get(4).keyOffsets).isNull();
        assertThat(string(slabs.get(5).value(0))).isEqualTo("small");
    }
}
