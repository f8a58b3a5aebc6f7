package io.polarway.source.kafka;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.polarway.api.StatsRecorder;
import io.polarway.error.ParseException;
import io.polarway.error.Where;
import io.polarway.records.JsonDocuments;
import io.polarway.records.JsonValues;
import io.polarway.records.RecordBatchBuilder;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVectorHelper;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampMilliTZVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

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
 * <p>Records are offered one at a time, by slab and index ({@link RecordSlab}: the buffered form, primitive arrays),
 * and wait until {@link #build} — JSON and CSV values already written into the vectors of the chunk being built
 * (allocated from the source's allocator; CSV's first records as their fields' text until the column types are
 * inferred), raw values as ranges of their slabs, copied into the vectors in one piece per range; a record whose
 * value does not parse is rejected at {@link #offer} and stays with the caller. {@link #build} takes the oldest
 * pending records; on an allocation failure it keeps them all, so a retry with fewer rows builds the same ones. Not
 * thread-safe.
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

    /**
     * Queues record {@code index} of {@code slab}.
     *
     * @throws ParseException when the value does not parse (the record is not queued)
     */
    abstract void offer(RecordSlab slab, int index);

    /** Whether {@link #offer} may reject a value; one that never does is offered whole ranges ({@link #offerRange}). */
    boolean rejectsValues() {
        return true;
    }

    /** Queues records {@code [from, to)} of {@code slab}, in order; for a decoder that {@link #rejectsValues} none. */
    void offerRange(RecordSlab slab, int from, int to) {
        for (int i = from; i < to; i++) offer(slab, i);
    }

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

    /**
     * The metadata columns' values of record {@code i} in the order of {@link #metadataFields()}, as the record model
     * has them (partition and offset as longs, the timestamp as epoch milliseconds).
     */
    void fillMetadata(RecordSlab slab, int i, Object[] into) {
        int n = 0;
        if (!settings.topicColumn.isEmpty()) into[n++] = slab.state.partition.topic();
        if (!settings.keyColumn.isEmpty()) {
            into[n++] = slab.keyIsNull(i) ? null : settings.keyAsBytes ? slab.key(i)
                    : new String(slab.keys, slab.keyStart(i), slab.keyLength(i), StandardCharsets.UTF_8);
        }
        if (!settings.partitionColumn.isEmpty()) into[n++] = (long) slab.state.partition.partition();
        if (!settings.offsetColumn.isEmpty()) into[n++] = slab.offsets[i];
        if (!settings.timestampColumn.isEmpty()) {
            long ts = slab.timestamps[i];
            into[n++] = ts >= 0 ? ts : null;
        }
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
        private RecordSlab currentSlab;
        private int currentIndex;
        private final Supplier<Where> currentWhere = () -> currentSlab.state.at(currentSlab.offsets[currentIndex]);

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
        void offer(RecordSlab slab, int index) {
            currentSlab = slab;
            currentIndex = index;
            fillMetadata(slab, index, fixedValues);
            if (slab.valueIsNull(index)) { // a tombstone: metadata only
                Map<String, Object> row = new LinkedHashMap<>();
                for (int i = 0; i < fixedValues.length; i++) {
                    if (fixedValues[i] != null) row.put(fixed.get(i).getName(), fixedValues[i]);
                }
                builder.add(row, currentWhere.get());
                return;
            }
            byte[] values = slab.values;
            int start = slab.valueStart(index);
            int length = slab.valueLength(index);
            if (length > 0 && values[start] == '{' && offerReused(values, start, length)) return;
            // the rare way (a value the reused parser does not take whole): on a copy, so that the parser's error
            // locations are the value's own
            offerOrdinary(Arrays.copyOfRange(values, start, start + length));
        }

        /**
         * The common case: an object read by the long-lived parser.
         *
         * @return false when the value is to go the ordinary way (nothing was added): it is malformed, not UTF-8, or
         *         has data after the object, and the ordinary parser says exactly how
         */
        private boolean offerReused(byte[] bytes, int start, int length) {
            try {
                JsonParser p = documents.open(bytes, start, length);
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
        void offer(RecordSlab slab, int index) {
            Where where = slab.state.at(slab.offsets[index]);
            Object[] metadata = new Object[fixed.size()];
            fillMetadata(slab, index, metadata);
            String[] texts = null; // a tombstone (null value): metadata and nulls
            boolean[] quoted = null;
            if (!slab.valueIsNull(index)) {
                int n = splitter.split(decode(slab, index, where));
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

        /**
         * Record {@code i}'s value as text, decoded strictly (a value that is not UTF-8 is bad, not mangled). Read in
         * place from the slab's array: no copy of the value before the string is made.
         */
        private String decode(RecordSlab slab, int i, Where where) {
            try {
                return utf8.decode(ByteBuffer.wrap(slab.values, slab.valueStart(i), slab.valueLength(i))).toString();
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

    /**
     * The value as it is: one utf8 ({@code format=string}) or binary ({@code format=bytes}) column. Pending records are
     * ranges of their slabs; a chunk's values (and keys) are copied from the slabs' arrays into the vectors' data
     * buffers one range at a time, with the offsets rebased and no object per record.
     */
    static final class Raw extends ValueDecoder {
        private final Schema schema;
        private final boolean binary;
        private final SlabRuns pending = new SlabRuns();

        Raw(KafkaSettings settings) {
            super(settings);
            this.binary = settings.format == KafkaSettings.Format.BYTES;
            List<Field> fields = metadataFields();
            fields.add(field(settings.valueColumn, binary ? ArrowType.Binary.INSTANCE : ArrowType.Utf8.INSTANCE,
                    true));
            this.schema = new Schema(fields);
        }

        @Override
        void offer(RecordSlab slab, int index) {
            pending.add(slab, index, index + 1);
        }

        @Override
        boolean rejectsValues() {
            return false;
        }

        @Override
        void offerRange(RecordSlab slab, int from, int to) {
            pending.add(slab, from, to);
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
            long[] totals = new long[3]; // key, value and topic bytes
            pending.forEach(n, (slab, from, to, row) -> {
                totals[0] += slab.keyBytes(from, to);
                totals[1] += slab.valueBytes(from, to);
                totals[2] += (long) (to - from) * slab.state.partition.topic().length(); // setSafe grows if not ASCII
            });
            VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator);
            try {
                for (FieldVector v : root.getFieldVectors()) {
                    String name = v.getName();
                    if (name.equals(settings.valueColumn)) {
                        copyBytes((BaseVariableWidthVector) v, n, totals[1], false);
                    } else if (name.equals(settings.keyColumn)) {
                        copyBytes((BaseVariableWidthVector) v, n, totals[0], true);
                    } else if (name.equals(settings.topicColumn)) {
                        VarCharVector t = (VarCharVector) v;
                        t.allocateNew(Math.max(1, totals[2]), n);
                        pending.forEach(n, (slab, from, to, row) -> {
                            byte[] topic = slab.state.partition.topic().getBytes(StandardCharsets.UTF_8);
                            for (int i = from; i < to; i++) t.setSafe(row + i - from, topic);
                        });
                    } else if (name.equals(settings.partitionColumn)) {
                        IntVector p = (IntVector) v;
                        p.allocateNew(n);
                        pending.forEach(n, (slab, from, to, row) -> {
                            int partition = slab.state.partition.partition();
                            for (int i = from; i < to; i++) p.set(row + i - from, partition);
                        });
                    } else if (name.equals(settings.offsetColumn)) {
                        BigIntVector o = (BigIntVector) v;
                        o.allocateNew(n);
                        pending.forEach(n, (slab, from, to, row) -> {
                            for (int i = from; i < to; i++) o.set(row + i - from, slab.offsets[i]);
                        });
                    } else if (name.equals(settings.timestampColumn)) {
                        TimeStampMilliTZVector ts = (TimeStampMilliTZVector) v;
                        ts.allocateNew(n);
                        pending.forEach(n, (slab, from, to, row) -> {
                            for (int i = from; i < to; i++) {
                                long t = slab.timestamps[i];
                                if (t < 0) ts.setNull(row + i - from);
                                else ts.set(row + i - from, t);
                            }
                        });
                    }
                    v.setValueCount(n);
                }
                root.setRowCount(n);
            } catch (RuntimeException | Error e) {
                root.close();
                throw e;
            }
            pending.drop(n);
            return root;
        }

        /**
         * Fills a utf8 or binary vector with the values (or keys) of the first {@code n} pending records: per range of
         * a slab, its bytes in one copy (they are contiguous there, a null taking none), then its offsets rebased and
         * its validity bits.
         */
        private void copyBytes(BaseVariableWidthVector v, int n, long totalBytes, boolean key) {
            v.allocateNew(Math.max(1, totalBytes), n);
            ArrowBuf data = v.getDataBuffer();
            ArrowBuf offsets = v.getOffsetBuffer();
            ArrowBuf validity = v.getValidityBuffer();
            validity.setZero(0, validity.capacity());
            offsets.setInt(0, 0);
            int[] end = {0}; // data bytes written so far
            pending.forEach(n, (slab, from, to, row) -> {
                int[] starts = key ? slab.keyOffsets : slab.valueOffsets;
                int at = end[0];
                if (starts == null) { // every key of the slab is null
                    for (int i = from; i < to; i++) offsets.setInt((long) (row + i - from + 1) * 4, at);
                    return;
                }
                boolean[] nulls = key ? slab.keyNulls : slab.valueNulls;
                int base = starts[from];
                int length = starts[to] - base;
                data.setBytes(at, key ? slab.keys : slab.values, base, length);
                for (int i = from; i < to; i++) {
                    int r = row + i - from;
                    offsets.setInt((long) (r + 1) * 4, at + starts[i + 1] - base);
                    if (nulls == null || !nulls[i]) BitVectorHelper.setBit(validity, r);
                }
                end[0] = at + length;
            });
            v.setLastSet(n - 1); // the offsets are all set: setValueCount must not fill them as holes
        }

        @Override
        Schema schema() {
            return schema;
        }
    }
}
