package io.polarway.source.kafka;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.polarway.api.StatsRecorder;
import io.polarway.error.ParseException;
import io.polarway.error.Where;
import io.polarway.records.JsonDocuments;
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
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Turns Kafka records into Arrow rows: metadata columns (topic, key, partition, offset, timestamp; each optional and
 * named by option) followed by the value — JSON objects through the engine's {@link RecordBatchBuilder} (fields become
 * columns, schema inferred once), CSV records (one per value, {@link Csv}) through the same builder, or the raw value
 * as one utf8 or binary column.
 *
 * <p>Records are offered one at a time and wait until {@link #build} — JSON values already written into the vectors of
 * the chunk being built (allocated from the source's allocator), raw values on the heap; a record whose value does
 * not parse is rejected at {@link #offer} and stays with the caller. {@link #build} takes the oldest pending records;
 * on an allocation failure it keeps them all, so a retry with fewer rows builds the same ones. Not thread-safe.
 */
abstract class ValueDecoder {
    static final ArrowType TIMESTAMP_MS_UTC = new ArrowType.Timestamp(TimeUnit.MILLISECOND, "UTC");

    final KafkaSettings settings;

    ValueDecoder(KafkaSettings settings) {
        this.settings = settings;
    }

    /**
     * @param allocator what the JSON decoder allocates the chunk being built from (the source's allocator: the
     *                  budget's); the decoder must be {@link #close closed}
     */
    static ValueDecoder create(KafkaSettings settings, StatsRecorder stats, BufferAllocator allocator) {
        return switch (settings.format) {
            case JSON -> new Json(settings, stats, allocator);
            case CSV -> new Csv(settings, allocator);
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

    /** Releases what the decoder holds (records offered and not built are dropped). */
    void close() {
    }

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

    /**
     * The metadata columns' values in the order of {@link #metadataFields()}, as the record model has them (partition
     * and offset as longs, the timestamp as epoch milliseconds).
     */
    void fillMetadata(ConsumerRecord<byte[], byte[]> r, Object[] into) {
        int i = 0;
        if (!settings.topicColumn.isEmpty()) into[i++] = r.topic();
        if (!settings.keyColumn.isEmpty()) {
            into[i++] = r.key() == null ? null
                    : settings.keyAsBytes ? r.key() : new String(r.key(), StandardCharsets.UTF_8);
        }
        if (!settings.partitionColumn.isEmpty()) into[i++] = (long) r.partition();
        if (!settings.offsetColumn.isEmpty()) into[i++] = r.offset();
        if (!settings.timestampColumn.isEmpty()) {
            long ts = timestampOrMinus1(r);
            into[i++] = ts >= 0 ? ts : null;
        }
    }

    static Field field(String name, ArrowType type, boolean nullable) {
        return new Field(name, new FieldType(nullable, type, null), null);
    }

    static long timestampOrMinus1(ConsumerRecord<?, ?> r) {
        return r.timestampType() == TimestampType.NO_TIMESTAMP_TYPE || r.timestamp() < 0 ? -1 : r.timestamp();
    }

    /**
     * JSON objects: one column per field, through the engine's record batch builder. Each value is parsed on the
     * reading thread straight into the vectors of the chunk being built ({@link RecordBatchBuilder#addJson}), with
     * the metadata columns given apart, so no map is made per record (except for the inference sample), by one
     * long-lived parser ({@link JsonDocuments}); a value it does not take whole goes to a parser of its own, which
     * gives the reference results and errors.
     */
    static final class Json extends ValueDecoder {
        private static final String RENAME_ADVICE = "rename the column (key_column, partition_column, offset_column, "
                + "timestamp_column, topic_column)";
        private final RecordBatchBuilder builder;
        private final List<Field> fixed;
        /** The metadata values of the record being offered, in the order of {@link #fixed}; reused. */
        private final Object[] fixedValues;
        /** One parser for every value (a parser per value is most of what parsing a small value allocates). */
        private final JsonDocuments documents = new JsonDocuments();
        /** The record being offered, and its place (made only when an error or a diverted record needs it). */
        private Entry current;
        private final Supplier<Where> currentWhere = () -> current.state().at(current.record().offset());

        Json(KafkaSettings settings, StatsRecorder stats, BufferAllocator allocator) {
            super(settings);
            this.fixed = metadataFields();
            this.builder = RecordBatchBuilder.builder("kafka:" + settings.subscription())
                    .fixedFields(fixed, RENAME_ADVICE)
                    .inferenceRows(settings.inferSchemaLength)
                    .nested(settings.nested)
                    .unknownFields(settings.unknownFields)
                    .stats(stats)
                    .allocator(allocator)
                    .build();
            this.fixedValues = new Object[fixed.size()];
        }

        @Override
        void offer(Entry entry) {
            current = entry;
            ConsumerRecord<byte[], byte[]> r = entry.record();
            fillMetadata(r, fixedValues);
            byte[] value = r.value();
            if (value == null) { // a tombstone: metadata only
                Map<String, Object> row = new LinkedHashMap<>();
                for (int i = 0; i < fixedValues.length; i++) {
                    if (fixedValues[i] != null) row.put(fixed.get(i).getName(), fixedValues[i]);
                }
                builder.add(row, currentWhere.get());
                return;
            }
            if (value.length > 0 && value[0] == '{' && offerReused(value)) return;
            offerOrdinary(value);
        }

        /**
         * The common case: an object read by the long-lived parser.
         *
         * @return false when the value is to go the ordinary way (nothing was added): it is malformed, not UTF-8, or
         *         has data after the object, and the ordinary parser says exactly how
         */
        private boolean offerReused(byte[] value) {
            try {
                JsonParser p = documents.open(value, 0, value.length);
                if (p == null || p.currentToken() != JsonToken.START_OBJECT) {
                    documents.drop();
                    return false;
                }
                builder.addJson(p, currentWhere, fixedValues, documents);
                return true;
            } catch (IOException e) {
                documents.drop();
                return false;
            } catch (RuntimeException e) {
                documents.drop(); // a field named like a metadata column: the same error on any parser
                throw e;
            }
        }

        /** Any value, with a parser of its own: the reference behaviour, and every error message. */
        private void offerOrdinary(byte[] value) {
            try (JsonParser p = JsonValues.FACTORY.createParser(value)) {
                JsonToken t = p.nextToken();
                if (t != JsonToken.START_OBJECT) {
                    throw new ParseException("the value is not a JSON object (starts with " + t + "): use "
                            + "format=string for other values", currentWhere.get(), null);
                }
                // a field named like a metadata column is a ParseException naming it; nothing is added on failure
                builder.addJson(p, currentWhere, fixedValues, RecordBatchBuilder.InputEnd.WHOLE_INPUT);
            } catch (IOException e) {
                String msg = e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("");
                throw new ParseException("the value is not valid JSON: " + msg, currentWhere.get(), e);
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

        @Override
        void close() {
            builder.close();
        }
    }

    /**
     * CSV records ({@code format=csv}, see {@link CsvValues}): each value split into its fields, which are converted
     * to the column types — given by the {@code schema} option, or inferred by the engine's
     * {@link RecordBatchBuilder} from the first {@code infer_schema_length} records (int64, float64, bool, with
     * widening, else utf8) — and written by a builder with that schema. Every field is checked against its column's
     * type when the record is offered, so a bad record is a {@link ParseException} naming topic, partition, offset and
     * field before anything of it is queued ({@code bad_records=skip} skips it). While types are still to be
     * inferred, records wait as their fields' text (the sample), so a column that widens to utf8 keeps each value's
     * text as it was.
     */
    static final class Csv extends ValueDecoder {
        private static final String INFERRED_ADVICE = " (the column's type was inferred from the first records: raise "
                + "infer_schema_length or give the type in schema)";
        private final BufferAllocator staging;
        private final List<Field> fixed;
        private final List<CsvValues.Column> columns;
        private final CsvValues.Splitter splitter;
        private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        /** Records offered while column types are still to be inferred, in order. */
        private final ArrayDeque<Sampled> sample = new ArrayDeque<>();
        /** The value columns' fields, once every type is known; until then null, and so is the builder. */
        private Field[] types;
        private RecordBatchBuilder builder;

        /** A record of the sample: metadata values, and its fields' text (null for a tombstone). */
        private record Sampled(Object[] metadata, String[] texts, boolean[] quoted, Where where) {
        }

        Csv(KafkaSettings settings, BufferAllocator allocator) {
            super(settings);
            this.staging = allocator;
            this.fixed = metadataFields();
            this.columns = settings.csvColumns;
            this.splitter = new CsvValues.Splitter(settings.csvDelimiter, settings.csvQuote);
            if (columns.stream().allMatch(c -> c.given() != null)) {
                fixTypes(columns.stream().map(CsvValues.Column::given).toArray(Field[]::new));
            }
        }

        @Override
        void offer(Entry entry) {
            ConsumerRecord<byte[], byte[]> r = entry.record();
            Where where = entry.state().at(r.offset());
            Object[] metadata = new Object[fixed.size()];
            fillMetadata(r, metadata);
            String[] texts = null; // a tombstone (null value): metadata and nulls
            boolean[] quoted = null;
            if (r.value() != null) {
                int n = splitter.split(decode(r.value(), where));
                if (n < 0) {
                    throw new ParseException("the value is not one CSV record: " + splitter.error,
                            where.withColumn(splitter.errorField), null);
                }
                if (n != columns.size()) {
                    throw new ParseException("the value has " + n + " field" + (n == 1 ? "" : "s") + ", expected "
                            + columns.size() + " (" + columns.stream().map(CsvValues.Column::name).toList() + ")",
                            where, null);
                }
                texts = splitter.texts;
                quoted = splitter.quoted;
            }
            if (builder != null) {
                builder.add(row(metadata, texts, quoted, where), where);
                return;
            }
            for (int c = 0; c < columns.size(); c++) { // given types are checked now, inferred ones once known
                Field given = columns.get(c).given();
                if (given != null) value(c, given, texts, quoted, where);
            }
            int n = columns.size();
            sample.addLast(new Sampled(metadata, texts == null ? null : Arrays.copyOf(texts, n),
                    quoted == null ? null : Arrays.copyOf(quoted, n), where));
            // a full sample: later records go straight into vectors
            if (sample.size() >= settings.inferSchemaLength) inferTypes();
        }

        private String decode(byte[] value, Where where) {
            try {
                return utf8.decode(ByteBuffer.wrap(value)).toString();
            } catch (CharacterCodingException e) {
                throw new ParseException("the value is not UTF-8 text (" + e + ")", where, e);
            }
        }

        /** One row for the builder: metadata and every field converted to its column's type. */
        private Map<String, Object> row(Object[] metadata, String[] texts, boolean[] quoted, Where where) {
            Map<String, Object> row = new HashMap<>((fixed.size() + types.length) * 2);
            for (int i = 0; i < metadata.length; i++) row.put(fixed.get(i).getName(), metadata[i]);
            for (int c = 0; c < types.length; c++) {
                row.put(types[c].getName(), value(c, types[c], texts, quoted, where));
            }
            return row;
        }

        private Object value(int c, Field field, String[] texts, boolean[] quoted, Where where) {
            try {
                return texts == null ? CsvValues.convert(null, false, field, settings.csvNullValues)
                        : CsvValues.convert(texts[c], quoted[c], field, settings.csvNullValues);
            } catch (CsvValues.BadValue e) {
                throw new ParseException(e.getMessage() + (columns.get(c).given() == null ? INFERRED_ADVICE : ""),
                        where.withColumn(c + 1), null);
            }
        }

        /** Infers the missing types from the sample (the engine's inference, with widening) and queues the sample. */
        private void inferTypes() {
            Field[] t = new Field[columns.size()];
            try (RecordBatchBuilder inference = RecordBatchBuilder.builder("kafka:" + settings.subscription())
                    .build()) {
                for (Sampled s : sample) {
                    Map<String, Object> guesses = new HashMap<>();
                    for (int c = 0; c < t.length; c++) {
                        CsvValues.Column col = columns.get(c);
                        if (col.given() != null) continue;
                        guesses.put(col.name(), s.texts() == null ? null
                                : CsvValues.guess(s.texts()[c], s.quoted()[c], settings.csvNullValues));
                    }
                    inference.add(guesses, s.where());
                }
                Schema inferred = inference.fixSchema();
                for (int c = 0; c < t.length; c++) {
                    CsvValues.Column col = columns.get(c);
                    t[c] = col.given() != null ? col.given() : inferred.findField(col.name());
                }
            }
            fixTypes(t);
            // cannot fail: each inferred type holds every value it was inferred from, the given ones were checked
            for (Sampled s : sample) builder.add(row(s.metadata(), s.texts(), s.quoted(), s.where()), s.where());
            sample.clear();
        }

        private void fixTypes(Field[] valueFields) {
            List<Field> all = new ArrayList<>(fixed);
            all.addAll(Arrays.asList(valueFields));
            this.builder = RecordBatchBuilder.builder("kafka:" + settings.subscription())
                    .schema(new Schema(all))
                    .allocator(staging)
                    .build();
            this.types = valueFields;
        }

        @Override
        int pendingRows() {
            return builder == null ? sample.size() : builder.pendingRows();
        }

        @Override
        boolean wantsMoreForInference() {
            return builder == null; // the sample is inferred from as soon as it is full
        }

        @Override
        VectorSchemaRoot build(BufferAllocator allocator, int maxRows) {
            if (builder == null) {
                if (sample.isEmpty()) return null;
                inferTypes();
            }
            return builder.build(allocator, maxRows);
        }

        @Override
        Schema schema() {
            return builder == null ? null : builder.schema();
        }

        @Override
        void close() {
            sample.clear();
            if (builder != null) builder.close();
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
