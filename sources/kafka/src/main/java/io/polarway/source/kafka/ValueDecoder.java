package io.polarway.source.kafka;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.polarway.api.StatsRecorder;
import io.polarway.error.ParseException;
import io.polarway.error.Where;
import io.polarway.records.JsonValues;
import io.polarway.records.RecordBatchBuilder;
import io.polarway.source.kafka.RecordBuffer.Entry;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampMilliTZVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.record.TimestampType;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns Kafka records into Arrow rows: metadata columns (topic, key, partition, offset, timestamp; each optional and
 * named by option) followed by the value — JSON objects through the engine's {@link RecordBatchBuilder} (fields become
 * columns, schema inferred once), or the raw value as one utf8 or binary column.
 *
 * <p>Records are offered one at a time and wait (on the heap) until {@link #build}; a record whose value does not
 * parse is rejected at {@link #offer} and stays with the caller. {@link #build} takes the oldest pending records; on
 * an allocation failure it keeps them all, so a retry with fewer rows builds the same ones. Not thread-safe.
 */
abstract class ValueDecoder {
    static final ArrowType TIMESTAMP_MS_UTC = new ArrowType.Timestamp(TimeUnit.MILLISECOND, "UTC");

    final KafkaSettings settings;

    ValueDecoder(KafkaSettings settings) {
        this.settings = settings;
    }

    static ValueDecoder create(KafkaSettings settings, StatsRecorder stats) {
        return switch (settings.format) {
            case JSON -> new Json(settings, stats);
            case STRING, BYTES -> new Raw(settings);
        };
    }

    /** Whether {@link #prepare} does work (then the consumer's thread calls it for every record it buffers). */
    boolean preparesValues() {
        return false;
    }

    /**
     * Decodes a value ahead of {@link #offer}, on the consumer's thread (thread-safe; touches no decoder state).
     *
     * @return the decoded row, or the {@link ParseException} to throw when the record is offered
     */
    Object prepare(ConsumerRecord<byte[], byte[]> record) {
        return null;
    }

    /** Heap a prepared value holds beyond the record's bytes, estimated, for the buffer's bound. */
    long preparedSizeEstimate(ConsumerRecord<byte[], byte[]> record) {
        return 0;
    }

    /**
     * Queues one record.
     *
     * @throws ParseException when the value does not parse (the record is not queued)
     */
    abstract void offer(Entry entry);

    /** Records queued and not yet built. */
    abstract int pendingRows();

    /** Whether the decoder wants more records before its first build (schema inference). */
    abstract boolean wantsMoreForInference();

    /**
     * Builds the oldest {@code min(maxRows, pendingRows())} records into a root allocated from {@code allocator}.
     *
     * @return the root (owned by the caller), or null when nothing is pending
     */
    abstract VectorSchemaRoot build(BufferAllocator allocator, int maxRows);

    /** The schema of every chunk, or null until known. */
    abstract Schema schema();

    static Where where(ConsumerRecord<?, ?> r) {
        return Where.resource(r.topic()).withPartition(r.topic() + "-" + r.partition(), r.offset());
    }

    /** The metadata fields in schema order: topic, key, partition, offset, timestamp (those configured). */
    List<Field> metadataFields() {
        List<Field> fields = new ArrayList<>();
        if (!settings.topicColumn.isEmpty()) fields.add(field(settings.topicColumn, ArrowType.Utf8.INSTANCE, false));
        if (!settings.keyColumn.isEmpty()) {
            fields.add(field(settings.keyColumn, settings.keyAsBytes ? ArrowType.Binary.INSTANCE
                    : ArrowType.Utf8.INSTANCE, true));
        }
        if (!settings.partitionColumn.isEmpty()) {
            fields.add(field(settings.partitionColumn, new ArrowType.Int(32, true), false));
        }
        if (!settings.offsetColumn.isEmpty()) fields.add(field(settings.offsetColumn, new ArrowType.Int(64, true), false));
        if (!settings.timestampColumn.isEmpty()) fields.add(field(settings.timestampColumn, TIMESTAMP_MS_UTC, true));
        return fields;
    }

    static Field field(String name, ArrowType type, boolean nullable) {
        return new Field(name, new FieldType(nullable, type, null), null);
    }

    static long timestampOrMinus1(ConsumerRecord<?, ?> r) {
        return r.timestampType() == TimestampType.NO_TIMESTAMP_TYPE || r.timestamp() < 0 ? -1 : r.timestamp();
    }

    /** JSON objects: one column per field, through the engine's record batch builder. */
    static final class Json extends ValueDecoder {
        private final RecordBatchBuilder builder;
        private final List<String> reserved;

        Json(KafkaSettings settings, StatsRecorder stats) {
            super(settings);
            this.builder = RecordBatchBuilder.builder("kafka:" + settings.subscription())
                    .fixedFields(metadataFields())
                    .inferenceRows(settings.inferSchemaLength)
                    .nested(settings.nested)
                    .unknownFields(settings.unknownFields)
                    .stats(stats)
                    .build();
            this.reserved = settings.metadataColumns();
        }

        @Override
        boolean preparesValues() {
            return true;
        }

        @Override
        Object prepare(ConsumerRecord<byte[], byte[]> record) {
            try {
                return row(record);
            } catch (ParseException e) {
                return e;
            }
        }

        /**
         * A parsed map of a few fields costs several times its JSON text on the heap (entries, boxed numbers, string
         * copies): counted as three times the value plus a fixed part.
         */
        @Override
        long preparedSizeEstimate(ConsumerRecord<byte[], byte[]> record) {
            return 3L * Math.max(0, record.serializedValueSize()) + 256;
        }

        @Override
        void offer(Entry entry) {
            Object prepared = entry.prepared();
            if (prepared instanceof ParseException e) throw e;
            @SuppressWarnings("unchecked")
            Map<String, Object> row = prepared != null ? (Map<String, Object>) prepared : row(entry.record());
            builder.add(row, entry.state().at(entry.record().offset()));
        }

        /** The value's fields plus the metadata columns. */
        private Map<String, Object> row(ConsumerRecord<byte[], byte[]> r) {
            Map<String, Object> row = parse(r);
            for (String name : reserved) {
                if (row.containsKey(name)) {
                    throw new ParseException("the value has a field '" + name + "', which is also the name of a "
                            + "metadata column: rename the column (key_column, partition_column, offset_column, "
                            + "timestamp_column, topic_column)", where(r), null);
                }
            }
            if (!settings.topicColumn.isEmpty()) row.put(settings.topicColumn, r.topic());
            if (!settings.keyColumn.isEmpty() && r.key() != null) {
                row.put(settings.keyColumn, settings.keyAsBytes ? r.key()
                        : new String(r.key(), StandardCharsets.UTF_8));
            }
            if (!settings.partitionColumn.isEmpty()) row.put(settings.partitionColumn, (long) r.partition());
            if (!settings.offsetColumn.isEmpty()) row.put(settings.offsetColumn, r.offset());
            long ts = timestampOrMinus1(r);
            if (!settings.timestampColumn.isEmpty() && ts >= 0) row.put(settings.timestampColumn, ts);
            return row;
        }

        @SuppressWarnings("unchecked")
        private static Map<String, Object> parse(ConsumerRecord<byte[], byte[]> r) {
            byte[] value = r.value();
            if (value == null) return new LinkedHashMap<>(); // a tombstone: metadata only
            try (JsonParser p = JsonValues.FACTORY.createParser(value)) {
                JsonToken t = p.nextToken();
                if (t != JsonToken.START_OBJECT) {
                    throw new ParseException("the value is not a JSON object (starts with " + t + "): use "
                            + "format=string for other values", where(r), null);
                }
                Object v = JsonValues.read(p, false);
                if (p.nextToken() != null) {
                    throw new ParseException("the value has data after its JSON object", where(r), null);
                }
                return (Map<String, Object>) v;
            } catch (IOException e) {
                String msg = e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("");
                throw new ParseException("the value is not valid JSON: " + msg, where(r), e);
            }
        }

        @Override
        int pendingRows() {
            return builder.pendingRows();
        }

        @Override
        boolean wantsMoreForInference() {
            return builder.wantsMoreForInference();
        }

        @Override
        VectorSchemaRoot build(BufferAllocator allocator, int maxRows) {
            // a SchemaException names the field and the record's partition and offset
            return builder.build(allocator, maxRows);
        }

        @Override
        Schema schema() {
            return builder.schema();
        }
    }

    /** The value as it is: one utf8 ({@code format=string}) or binary ({@code format=bytes}) column. */
    static final class Raw extends ValueDecoder {
        private final Schema schema;
        private final boolean binary;
        private final ArrayDeque<ConsumerRecord<byte[], byte[]>> pending = new ArrayDeque<>();

        Raw(KafkaSettings settings) {
            super(settings);
            this.binary = settings.format == KafkaSettings.Format.BYTES;
            List<Field> fields = metadataFields();
            fields.add(field(settings.valueColumn, binary ? ArrowType.Binary.INSTANCE : ArrowType.Utf8.INSTANCE,
                    true));
            this.schema = new Schema(fields);
        }

        @Override
        void offer(Entry entry) {
            pending.addLast(entry.record());
        }

        @Override
        int pendingRows() {
            return pending.size();
        }

        @Override
        boolean wantsMoreForInference() {
            return false;
        }

        @Override
        VectorSchemaRoot build(BufferAllocator allocator, int maxRows) {
            if (pending.isEmpty()) return null;
            int n = Math.min(maxRows, pending.size());
            List<ConsumerRecord<byte[], byte[]>> rows = new ArrayList<>(n);
            long keyBytes = 0;
            long valueBytes = 0;
            long topicBytes = 0;
            for (ConsumerRecord<byte[], byte[]> r : pending) {
                if (rows.size() == n) break;
                rows.add(r);
                if (r.key() != null) keyBytes += r.key().length;
                if (r.value() != null) valueBytes += r.value().length;
                topicBytes += r.topic().length(); // topic names are ASCII-ish; setSafe grows if not
            }
            VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator);
            try {
                for (FieldVector v : root.getFieldVectors()) {
                    String name = v.getName();
                    if (name.equals(settings.valueColumn)) {
                        fillBytes(v, rows, valueBytes, n, false);
                    } else if (name.equals(settings.keyColumn)) {
                        fillBytes(v, rows, keyBytes, n, true);
                    } else if (name.equals(settings.topicColumn)) {
                        VarCharVector t = (VarCharVector) v;
                        t.allocateNew(Math.max(1, topicBytes), n);
                        for (int i = 0; i < n; i++) t.setSafe(i, rows.get(i).topic().getBytes(StandardCharsets.UTF_8));
                    } else if (name.equals(settings.partitionColumn)) {
                        IntVector p = (IntVector) v;
                        p.allocateNew(n);
                        for (int i = 0; i < n; i++) p.set(i, rows.get(i).partition());
                    } else if (name.equals(settings.offsetColumn)) {
                        BigIntVector o = (BigIntVector) v;
                        o.allocateNew(n);
                        for (int i = 0; i < n; i++) o.set(i, rows.get(i).offset());
                    } else if (name.equals(settings.timestampColumn)) {
                        TimeStampMilliTZVector ts = (TimeStampMilliTZVector) v;
                        ts.allocateNew(n);
                        for (int i = 0; i < n; i++) {
                            long t = timestampOrMinus1(rows.get(i));
                            if (t < 0) ts.setNull(i);
                            else ts.set(i, t);
                        }
                    }
                    v.setValueCount(n);
                }
                root.setRowCount(n);
            } catch (RuntimeException | Error e) {
                root.close();
                throw e;
            }
            for (int i = 0; i < n; i++) pending.removeFirst();
            return root;
        }

        private void fillBytes(FieldVector v, List<ConsumerRecord<byte[], byte[]>> rows, long totalBytes, int n,
                               boolean key) {
            if (v instanceof VarCharVector s) {
                s.allocateNew(Math.max(1, totalBytes), n);
                for (int i = 0; i < n; i++) {
                    byte[] b = key ? rows.get(i).key() : rows.get(i).value();
                    if (b == null) s.setNull(i);
                    else s.set(i, b);
                }
            } else {
                VarBinaryVector b = (VarBinaryVector) v;
                b.allocateNew(Math.max(1, totalBytes), n);
                for (int i = 0; i < n; i++) {
                    byte[] bytes = key ? rows.get(i).key() : rows.get(i).value();
                    if (bytes == null) b.setNull(i);
                    else b.set(i, bytes);
                }
            }
        }

        @Override
        Schema schema() {
            return schema;
        }
    }
}
