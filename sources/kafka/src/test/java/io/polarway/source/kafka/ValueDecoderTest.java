package io.polarway.source.kafka;

import io.polarway.api.SourceConfig;
import io.polarway.api.StatsRecorder;
import io.polarway.error.ParseException;
import io.polarway.source.kafka.OffsetTracker.PartitionState;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.polarway.source.kafka.RecordSlabTest.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The decoders over slabs (pure logic, no broker): every column of every record, in the order offered. */
class ValueDecoderTest {
    private final RootAllocator allocator = new RootAllocator();
    private final OffsetTracker tracker = new OffsetTracker();
    private final PartitionState p0 = tracker.assign(new TopicPartition("t", 0));
    private final PartitionState p1 = tracker.assign(new TopicPartition("t", 1));

    @AfterEach
    void close() {
        allocator.close();
    }

    private static KafkaSettings settings(String... options) {
        Map<String, String> raw = new HashMap<>();
        raw.put("brokers", "h:1");
        raw.put("topic_column", "_topic");
        for (int i = 0; i < options.length; i += 2) raw.put(options[i], options[i + 1]);
        SourceConfig config = SourceConfig.of("t").withOptions(raw);
        return KafkaSettings.from(config, KafkaSourceFactory.OPTIONS.parse(config.options()), 1L << 30);
    }

    /** Partition 0: offsets 0..4, key 2 and value 3 null, timestamps 1000 + offset. */
    private RecordSlab slabA() {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            records.add(record(i, i == 2 ? null : "k" + i, i == 3 ? null : "{\"id\":" + i + "}", 1000 + i));
        }
        return RecordSlab.of(p0, records).get(0);
    }

    /** Partition 1: offsets 10..12, every key null, no timestamps. */
    private RecordSlab slabB() {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int i = 10; i < 13; i++) records.add(record(i, null, "{\"id\":" + i + "}", -1));
        return RecordSlab.of(p1, records).get(0);
    }

    /** Each row as its columns' values, "|"-separated (byte arrays as text, timestamps as epoch ms). */
    private static List<String> rows(VectorSchemaRoot root) {
        List<String> out = new ArrayList<>();
        for (int r = 0; r < root.getRowCount(); r++) {
            List<String> cells = new ArrayList<>();
            for (FieldVector v : root.getFieldVectors()) {
                Object o = v.getObject(r);
                cells.add(o instanceof byte[] b ? "0x" + new String(b, StandardCharsets.UTF_8) : String.valueOf(o));
            }
            out.add(String.join("|", cells));
        }
        return out;
    }

    @Test
    void rawValuesAreCopiedFromTheSlabsRangeByRangeInTheOrderOffered() {
        ValueDecoder raw = ValueDecoder.create(settings("format", "string"), new StatsRecorder(), allocator);
        RecordSlab a = slabA();
        RecordSlab b = slabB();
        int[][] order = {{0, 0}, {0, 1}, {1, 0}, {0, 2}, {0, 3}, {1, 1}, {1, 2}, {0, 4}};
        for (int[] o : order) raw.offer(o[0] == 0 ? a : b, o[1]);
        assertThat(raw.pendingRows()).isEqualTo(8);
        assertThat(raw.schema().getFields()).extracting(f -> f.getName())
                .containsExactly("_topic", "_key", "_partition", "_offset", "_timestamp", "value");
        try (VectorSchemaRoot root = raw.build(allocator, 6)) {
            assertThat(rows(root)).containsExactly(
                    "t|k0|0|0|1000|{\"id\":0}",
                    "t|k1|0|1|1001|{\"id\":1}",
                    "t|null|1|10|null|{\"id\":10}",
                    "t|null|0|2|1002|{\"id\":2}",
                    "t|k3|0|3|1003|null",
                    "t|null|1|11|null|{\"id\":11}");
        }
        assertThat(raw.pendingRows()).isEqualTo(2);
        try (VectorSchemaRoot root = raw.build(allocator, 100)) {
            assertThat(rows(root)).containsExactly("t|null|1|12|null|{\"id\":12}",
                    "t|k4|0|4|1004|{\"id\":4}");
        }
        assertThat(raw.build(allocator, 100)).isNull();
        raw.close();
    }

    @Test
    void rawBytesAndBinaryKeysAndAValueLongerThanTheFirstGuessOfTheBuffer() {
        ValueDecoder raw = ValueDecoder.create(settings("format", "bytes", "key_format", "bytes", "topic_column", "",
                "timestamp_column", ""), new StatsRecorder(), allocator);
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        String big = "z".repeat(100_000);
        for (int i = 0; i < 300; i++) records.add(record(i, "k" + i, i == 150 ? big : "v" + i, i));
        List<RecordSlab> slabs = RecordSlab.of(p0, records);
        for (RecordSlab s : slabs) {
            for (int i = 0; i < s.count; i++) raw.offer(s, i);
        }
        try (VectorSchemaRoot root = raw.build(allocator, 1000)) {
            List<String> rows = rows(root);
            assertThat(rows).hasSize(300);
            assertThat(rows.get(0)).isEqualTo("0xk0|0|0|0xv0");
            assertThat(rows.get(150)).isEqualTo("0xk150|0|150|0x" + big);
            assertThat(rows.get(299)).isEqualTo("0xk299|0|299|0xv299");
        }
        raw.close();
    }

    @Test
    void jsonValuesTombstonesAndBadValuesByTheirPartitionAndOffset() {
        ValueDecoder json = ValueDecoder.create(settings("format", "json", "infer_schema_length", "1"),
                new StatsRecorder(), allocator);
        List<ConsumerRecord<byte[], byte[]>> records = List.of(record(5, "a", "{\"id\":5}", 5),
                record(6, null, null, 6), record(7, "c", "[1]", 7), record(8, "d", " {\"id\":8} ", 8),
                record(9, "e", "{\"id\":9", 9));
        RecordSlab s = RecordSlab.of(p1, records).get(0);
        json.offer(s, 0);
        json.offer(s, 1);
        assertThatThrownBy(() -> json.offer(s, 2)).isInstanceOf(ParseException.class)
                .hasMessageContaining("not a JSON object").hasMessageContaining("partition t-1")
                .hasMessageContaining("offset 7");
        json.offer(s, 3); // not taken by the reused parser (leading space): the ordinary one, on a copy
        assertThatThrownBy(() -> json.offer(s, 4)).isInstanceOf(ParseException.class)
                .hasMessageContaining("not valid JSON").hasMessageContaining("offset 9");
        assertThat(json.pendingRows()).isEqualTo(3);
        try (VectorSchemaRoot root = json.build(allocator, 10)) {
            assertThat(rows(root)).containsExactly(
                    "t|a|1|5|5|5",
                    "t|null|1|6|6|null",
                    "t|d|1|8|8|8");
        }
        json.close();
    }

    @Test
    void jsonValuesFromTheMiddleOfASlabAreReadInPlace() {
        ValueDecoder json = ValueDecoder.create(settings("format", "json", "infer_schema_length", "2",
                "topic_column", "", "key_column", ""), new StatsRecorder(), allocator);
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int i = 0; i < 50; i++) records.add(record(i, null, "{\"id\":" + i + ",\"s\":\"é" + i + "\"}", -1));
        RecordSlab s = RecordSlab.of(p0, records).get(0);
        for (int i = 0; i < s.count; i++) json.offer(s, i);
        List<String> rows = new ArrayList<>();
        while (json.pendingRows() > 0) {
            try (VectorSchemaRoot root = json.build(allocator, 7)) {
                rows.addAll(rows(root));
            }
        }
        assertThat(rows).hasSize(50);
        assertThat(rows.get(0)).isEqualTo("0|0|null|0|é0");
        assertThat(rows.get(49)).isEqualTo("0|49|null|49|é49");
        json.close();
    }

    @Test
    void csvValuesAreReadInPlaceAndANonUtf8ValueInTheMiddleIsBadByItsOffset() {
        ValueDecoder csv = ValueDecoder.create(settings("format", "csv", "csv_columns", "id,name",
                "infer_schema_length", "3", "topic_column", "", "key_column", "", "timestamp_column", ""),
                new StatsRecorder(), allocator);
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>(List.of(record(0, null, "1,\"a,b\"", -1),
                record(1, null, "2,é", -1)));
        // bytes that are not UTF-8 between valid values: the check must read this value's range and no other
        byte[] bad = {'3', ',', (byte) 0xC3, (byte) 0x28};
        records.add(new ConsumerRecord<>("t", 0, 2, -1L, TimestampType.NO_TIMESTAMP_TYPE, -1, bad.length, null, bad,
                new RecordHeaders(), Optional.empty()));
        records.add(record(3, null, null, -1));
        records.add(record(4, null, "5,e", -1));
        RecordSlab s = RecordSlab.of(p0, records).get(0);
        csv.offer(s, 0);
        csv.offer(s, 1);
        assertThatThrownBy(() -> csv.offer(s, 2)).isInstanceOf(ParseException.class)
                .hasMessageContaining("not UTF-8").hasMessageContaining("partition t-0")
                .hasMessageContaining("offset 2");
        csv.offer(s, 3); // a tombstone: metadata and nulls
        csv.offer(s, 4);
        try (VectorSchemaRoot root = csv.build(allocator, 10)) {
            assertThat(root.getSchema().findField("id").getType().toString()).isEqualTo("Int(64, true)");
            assertThat(rows(root)).containsExactly("0|0|1|a,b", "0|1|2|é", "0|3|null|null", "0|4|5|e");
        }
        csv.close();
    }
}
