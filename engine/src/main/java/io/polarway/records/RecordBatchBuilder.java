package io.polarway.records;

import io.polarway.api.StatsRecorder;
import io.polarway.error.SchemaException;
import io.polarway.error.Where;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.OutOfMemoryException;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Turns records — maps of field name to value, as JSON, DynamoDB items or Kafka messages decode to — into Arrow
 * batches, inferring the schema from the first records when none is given. Shared by every source whose data is
 * records rather than columns (HTTP, DynamoDB, Kafka, JSON lines).
 *
 * <h2>Values</h2>
 * {@code null}, {@code Boolean}, {@code Long}/{@code Integer}/{@code Short}/{@code Byte}, {@code Double}/{@code Float},
 * {@code BigDecimal}/{@code BigInteger}, {@code String}, {@code byte[]}, {@code LocalDate}, {@code Instant},
 * {@code Map<String, ?>} (an object) and {@code Collection<?>} (an array or a set). {@link JsonValues#read} produces
 * exactly these from JSON.
 *
 * <h2>Schema</h2>
 * With {@link Builder#schema(Schema)} the schema is fixed and values are coerced to it (numeric strings into number
 * columns, ISO strings into date and timestamp columns, numbers into timestamp columns as epoch values in the column's
 * unit). Otherwise it is inferred from the records pending at the first {@link #build} — at least
 * {@link Builder#inferenceRows} of them when the source reads that far ahead ({@link #wantsMoreForInference()}) — with
 * widening: int64 → decimal → float64, date → timestamp, structs merge fields, anything else mixed becomes utf8 (the
 * value's text; nested values as JSON). A column with only nulls in the sample is utf8. {@link Builder#fixedFields}
 * come first with their declared types (e.g. a Kafka record's partition and offset); inferred fields follow in the
 * order first seen. Once fixed, the schema never changes: a value that does not fit its column is a
 * {@link SchemaException} naming the field and the record's {@link Where}, and a field the schema lacks is handled
 * by {@link UnknownFields}.
 *
 * <h2>Memory and ownership</h2>
 * Records wait on the heap until built, so a source adds about one chunk's worth (plus the inference sample) before
 * calling {@link #build}. {@link #build} allocates the batch from the allocator it is given (the caller owns the
 * result); if an allocation fails it closes what it allocated and keeps every record pending, so a retry with fewer
 * rows builds the same records. Not thread-safe: one reading thread at a time.
 */
public final class RecordBatchBuilder {
    /** The guide's {@code infer_schema_length} default for record sources. */
    public static final int DEFAULT_INFERENCE_ROWS = 1000;

    private final String resource;
    private final List<Field> fixedFields;
    private final int inferenceRows;
    private final NestedMode nested;
    private final UnknownFields unknownFields;
    private final StatsRecorder stats;
    private final Deque<Pending> pending = new ArrayDeque<>();
    private Schema schema;
    private List<String> columnNames;
    private Map<String, ValueType> inferredTypes;

    private record Pending(Map<String, ?> record, Where where) {
    }

    private RecordBatchBuilder(Builder b) {
        this.resource = b.resource;
        this.fixedFields = List.copyOf(b.fixedFields);
        this.inferenceRows = b.inferenceRows;
        this.nested = b.nested;
        this.unknownFields = b.unknownFields;
        this.stats = b.stats;
        if (b.schema != null) fix(b.schema);
    }

    /** @param resource what errors name when a record has no {@link Where} of its own (a URL, a table, a topic) */
    public static Builder builder(String resource) {
        return new Builder(resource);
    }

    /**
     * Queues one record. The map is kept, not copied, until it is built: do not change it afterwards.
     *
     * @param where where the record came from (page, offset, line), for errors; null means the builder's resource
     */
    public void add(Map<String, ?> record, Where where) {
        pending.addLast(new Pending(Objects.requireNonNull(record, "record"), where));
    }

    /** Records added and not yet built. */
    public int pendingRows() {
        return pending.size();
    }

    /**
     * Whether the schema is still to be inferred and fewer than {@link Builder#inferenceRows} records are pending: a
     * source that can read further should add more before its first {@link #build}, so the sample is the configured
     * size even when the first chunk is small.
     */
    public boolean wantsMoreForInference() {
        return schema == null && pending.size() < inferenceRows;
    }

    /** The schema, or null until it is fixed (given, or inferred at the first {@link #build} or {@link #fixSchema}). */
    public Schema schema() {
        return schema;
    }

    /**
     * Fixes the schema now from the pending records (the fixed fields alone if there are none) and returns it.
     * Needed, for example, to report a schema for an input with no records.
     */
    public Schema fixSchema() {
        if (schema == null) {
            Map<String, ValueType> types = new LinkedHashMap<>();
            boolean json = nested == NestedMode.JSON_STRING;
            for (Pending p : pending) {
                for (Map.Entry<String, ?> e : p.record.entrySet()) {
                    if (isFixed(e.getKey())) continue;
                    types.merge(e.getKey(), ValueType.of(e.getValue(), json), ValueType::merge);
                }
            }
            List<Field> fields = new ArrayList<>(fixedFields);
            types.forEach((name, t) -> fields.add(t.toField(name)));
            inferredTypes = types;
            fix(new Schema(fields));
        }
        return schema;
    }

    /** The types inferred per field (empty for an explicit schema), for diagnostics. */
    public Map<String, String> inferredTypes() {
        Map<String, String> out = new LinkedHashMap<>();
        if (inferredTypes != null) inferredTypes.forEach((k, v) -> out.put(k, v.toString()));
        return out;
    }

    private boolean isFixed(String name) {
        for (Field f : fixedFields) {
            if (f.getName().equals(name)) return true;
        }
        return false;
    }

    private void fix(Schema s) {
        for (Field f : s.getFields()) ColumnWriter.check(f); // unsupported types fail at configuration, not per value
        this.schema = s;
        List<String> names = new ArrayList<>();
        for (Field f : s.getFields()) names.add(f.getName());
        this.columnNames = List.copyOf(names);
    }

    /**
     * Builds the first {@code min(maxRows, pendingRows())} pending records into a new root allocated from
     * {@code allocator}, fixing the schema first if needed.
     *
     * @return the batch, owned by the caller, or null when nothing is pending
     * @throws SchemaException             when a value does not fit its column (the records stay pending)
     * @throws OutOfMemoryException        when the allocator's limit is reached (the records stay pending)
     */
    public VectorSchemaRoot build(BufferAllocator allocator, int maxRows) {
        if (maxRows <= 0) throw new IllegalArgumentException("maxRows must be positive, got " + maxRows);
        if (pending.isEmpty()) return null;
        fixSchema();
        int n = Math.min(maxRows, pending.size());
        VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator);
        long dropped = 0;
        try {
            List<FieldVector> vectors = root.getFieldVectors();
            ColumnWriter[] writers = new ColumnWriter[vectors.size()];
            for (int c = 0; c < writers.length; c++) {
                FieldVector v = vectors.get(c);
                v.setInitialCapacity(n);
                v.allocateNew();
                writers[c] = ColumnWriter.create(v, v.getName(), unknownFields);
            }
            int i = 0;
            for (Pending p : pending) {
                if (i == n) break;
                Map<String, ?> record = p.record;
                Where where = p.where != null ? p.where : Where.resource(resource);
                int known = 0;
                for (int c = 0; c < writers.length; c++) {
                    Object value = record.get(columnNames.get(c));
                    if (value != null || record.containsKey(columnNames.get(c))) known++;
                    dropped += writers[c].write(i, value, where);
                }
                if (known < record.size()) dropped += unknownTopLevel(record, where);
                i++;
            }
            root.setRowCount(n);
        } catch (RuntimeException | Error e) {
            root.close();
            throw e;
        }
        for (int i = 0; i < n; i++) pending.removeFirst();
        if (dropped > 0 && stats != null) stats.count("unknown_fields_dropped", dropped);
        return root;
    }

    private long unknownTopLevel(Map<String, ?> record, Where where) {
        long dropped = 0;
        for (String key : record.keySet()) {
            if (columnNames.contains(key)) continue;
            if (unknownFields == UnknownFields.ERROR) {
                throw new SchemaException("field '" + key + "' is not in the schema " + columnNames
                        + " (it did not appear in the inference sample, or the explicit schema lacks it): raise "
                        + "infer_schema_length, give a schema, or set unknown_fields=ignore", where, null);
            }
            dropped++;
        }
        return dropped;
    }

    /** Configures a {@link RecordBatchBuilder}. */
    public static final class Builder {
        private final String resource;
        private Schema schema;
        private final List<Field> fixedFields = new ArrayList<>();
        private int inferenceRows = DEFAULT_INFERENCE_ROWS;
        private NestedMode nested = NestedMode.STRUCT;
        private UnknownFields unknownFields = UnknownFields.ERROR;
        private StatsRecorder stats;

        private Builder(String resource) {
            this.resource = Objects.requireNonNull(resource, "resource");
        }

        /** A fixed schema: nothing is inferred, values are coerced to it. */
        public Builder schema(Schema explicit) {
            this.schema = explicit;
            return this;
        }

        /** Fields with declared types that lead an inferred schema (ignored when {@link #schema} is given). */
        public Builder fixedFields(List<Field> fields) {
            fixedFields.clear();
            fixedFields.addAll(fields);
            return this;
        }

        /** How many records the inference looks at, at least (default {@value #DEFAULT_INFERENCE_ROWS}). */
        public Builder inferenceRows(int rows) {
            if (rows < 1) throw new IllegalArgumentException("inference rows must be at least 1, got " + rows);
            this.inferenceRows = rows;
            return this;
        }

        public Builder nested(NestedMode mode) {
            this.nested = Objects.requireNonNull(mode, "mode");
            return this;
        }

        public Builder unknownFields(UnknownFields mode) {
            this.unknownFields = Objects.requireNonNull(mode, "mode");
            return this;
        }

        /** Where to count dropped unknown fields ({@code unknown_fields_dropped}); optional. */
        public Builder stats(StatsRecorder recorder) {
            this.stats = recorder;
            return this;
        }

        /**
         * @throws IllegalArgumentException when the explicit schema or a fixed field has a type records cannot fill
         */
        public RecordBatchBuilder build() {
            return new RecordBatchBuilder(this);
        }
    }
}
