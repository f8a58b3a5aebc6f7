package io.polarway.records;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.polarway.api.StatsRecorder;
import io.polarway.error.ParseException;
import io.polarway.error.SchemaException;
import io.polarway.error.Where;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.OutOfMemoryException;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.arrow.vector.util.TransferPair;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Turns records — maps of field name to value, as JSON, DynamoDB items or Kafka messages decode to, or JSON objects
 * read straight from a parser — into Arrow batches, inferring the schema from the first records when none is given.
 * Shared by every source whose data is records rather than columns (HTTP, DynamoDB, Kafka, JSON lines).
 *
 * <h2>Values</h2>
 * {@code null}, {@code Boolean}, {@code Long}/{@code Integer}/{@code Short}/{@code Byte}, {@code Double}/{@code Float},
 * {@code BigDecimal}/{@code BigInteger}, {@code String}, {@code byte[]}, {@code LocalDate}, {@code Instant},
 * {@code Map<String, ?>} (an object) and {@code Collection<?>} (an array or a set). {@link JsonValues#read} produces
 * exactly these from JSON, and {@link #addJson} gives the same columns as {@code add(JsonValues.read(p))} (one
 * difference: an object with a repeated field name, which JSON leaves undefined, keeps every occurrence in a JSON text
 * column instead of the last).
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
 * <h2>Two ways to hold pending records</h2>
 * Without {@link Builder#allocator} every record waits on the heap, as the map it was added as (or read into), until
 * {@link #build} writes it into vectors. With an allocator, once the schema is fixed a record is written into the
 * vectors of the chunk being built as it is added — an {@link #add} or {@link #addJson} is O(fields) and keeps no
 * object per record — and {@link #build} hands those vectors over to the chunk's allocator without copying them.
 * Records still wait on the heap, as maps, while the schema is being inferred (the sample), and behind a record that
 * could not be written at once (below).
 *
 * <h2>Memory and ownership</h2>
 * The vectors being filled are allocated from a child allocator of the one given to {@link Builder#allocator} (its
 * limit applies: in a source, give the {@code SourceContext} allocator, so the chunk being built counts against the
 * budget as it grows) and belong to the builder until {@link #build} transfers them to the allocator it is given, which
 * must share their root allocator; {@link #close} releases them. A source therefore holds about one chunk's worth
 * (plus the inference sample) between reads. {@link #build} returns a root owned by the caller; its buffers may have
 * up to twice the capacity its rows need (vectors grow by doubling), sized from the previous chunk to keep that low.
 *
 * <h2>Failures: nothing is consumed</h2>
 * {@link #add} and {@link #addJson} never fail for a value that does not fit, a field outside the schema or an
 * allocation that fails: the record (read whole into a map) then waits on the heap, with every record added after it
 * (order is kept), and the failure happens again — as a {@link SchemaException} or {@link OutOfMemoryException} — when
 * {@link #build} reaches it. If {@link #build} fails it keeps every record pending (rows already written stay written),
 * so a retry with fewer rows builds the same records. A build of fewer rows than are written copies them into a new
 * root, which needs memory for those rows only, so a retry with fewer rows can always progress (until the written
 * rows are all built, later records wait on the heap). Not thread-safe: one reading thread at a time.
 */
public final class RecordBatchBuilder implements AutoCloseable {
    /** The guide's {@code infer_schema_length} default for record sources. */
    public static final int DEFAULT_INFERENCE_ROWS = 1000;
    /** Rows the vectors of the first chunk are sized for (later ones: the previous chunk's rows). */
    static final int FIRST_CHUNK_CAPACITY_ROWS = 1024;
    private static final int MAX_CAPACITY_ROWS = 1 << 20;

    private final String resource;
    private final Where resourceWhere;
    private final List<Field> fixedFields;
    private final String collisionAdvice;
    private final int inferenceRows;
    private final NestedMode nested;
    private final UnknownFields unknownFields;
    private final StatsRecorder stats;
    private final BufferAllocator stagingParent;
    private final JsonScratch scratch = new JsonScratch();
    /** Records waiting on the heap, after the written ones, in order. */
    private final Deque<Pending> pending = new ArrayDeque<>();
    private Schema schema;
    private List<String> columnNames;
    private Map<String, ValueType> inferredTypes;
    /** The chunk being built: its own allocator, root and writer, and how many rows are written. */
    private BufferAllocator staging;
    private VectorSchemaRoot stagedRoot;
    private RecordWriter writer;
    private int written;
    /** Written rows before this one were copied out into a chunk already (see {@link #copyOut}). */
    private int first;
    /** Sizing of the next chunk's vectors from the last one: rows, and per column bytes or elements per row. */
    private int lastChunkRows;
    private double[] density;
    private boolean closed;

    /** @param dropped unknown fields already dropped from the record (counted when it is written) */
    private record Pending(Map<String, ?> record, Where where, long dropped) {
    }

    private RecordBatchBuilder(Builder b) {
        this.resource = b.resource;
        this.resourceWhere = Where.resource(b.resource);
        this.fixedFields = List.copyOf(b.fixedFields);
        this.collisionAdvice = b.collisionAdvice;
        this.inferenceRows = b.inferenceRows;
        this.nested = b.nested;
        this.unknownFields = b.unknownFields;
        this.stats = b.stats;
        this.stagingParent = b.allocator;
        if (b.schema != null) fix(b.schema);
    }

    /** @param resource what errors name when a record has no {@link Where} of its own (a URL, a table, a topic) */
    public static Builder builder(String resource) {
        return new Builder(resource);
    }

    /**
     * Adds one record. Without an allocator, or before the schema is fixed, the map is kept, not copied, until it is
     * built: do not change it afterwards. With an allocator and a fixed schema it is written into vectors now and not
     * kept. Never fails for the record's content or for memory: see the class comment.
     *
     * @param where where the record came from (page, offset, line), for errors; null means the builder's resource
     */
    public void add(Map<String, ?> record, Where where) {
        Objects.requireNonNull(record, "record");
        checkOpen();
        if (writesNow() && startChunk(false)) {
            try {
                long dropped = writer.writeMap(written, record, whereOf(where));
                committed(dropped);
                return;
            } catch (RuntimeException e) {
                writer.rollback(written);
                if (!ColumnWriter.divertible(e)) throw e;
                // waits on the heap: the same failure, or success, comes at build
            }
        }
        pending.addLast(new Pending(record, where, 0));
    }

    /**
     * Adds the JSON object at the parser's current token ({@code START_OBJECT}) as one record and leaves the parser on
     * its {@code END_OBJECT}. The same as {@code add(JsonValues.read(p, false), where)}, without the map: once the
     * schema is fixed (and with an allocator) the values go from the tokens straight into the vectors.
     *
     * @throws IOException from the parser (malformed JSON, a broken stream): the record is not added, and the parser
     *                     is somewhere inside it
     */
    public void addJson(JsonParser p, Where where) throws IOException {
        addJson(p, () -> where, null, null);
    }

    /** Checks, once a record's JSON value is read, that its input holds nothing more (a message, a line). */
    @FunctionalInterface
    public interface InputEnd {
        /** For a parser over one document: nothing but whitespace is left. */
        InputEnd WHOLE_INPUT = p -> p.nextToken() == null;

        /** @return whether the parser's input ended with the value just read */
        boolean reached(JsonParser p) throws IOException;
    }

    /**
     * {@link #addJson(JsonParser, Where)} for a source that adds columns of its own to every record (a Kafka record's
     * partition and offset): their values are given apart from the JSON, in the order of {@link Builder#fixedFields}.
     *
     * @param where       the record's place (page, offset, line; null for the builder's resource), asked for only
     *                    when the record fails or has to wait on the heap, so a caller need not make one per record
     * @param fixedValues per fixed field its value (of the record model; null for null), or null when the JSON itself
     *                    carries them; the array is not kept
     * @param end         when the object must be the last value of its input (a message, a line): what checks it,
     *                    {@link InputEnd#WHOLE_INPUT} for a parser over that input alone, or a {@link JsonDocuments};
     *                    null for no check
     * @throws IOException    from the parser, or data after the object: the record is not added
     * @throws ParseException with fixed values, when the JSON has a field named like a fixed field: the record is not
     *                        added
     */
    public void addJson(JsonParser p, Supplier<Where> where, Object[] fixedValues, InputEnd end) throws IOException {
        checkOpen();
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw new IllegalArgumentException("addJson needs the parser on a START_OBJECT, not " + p.currentToken());
        }
        if (fixedValues != null && fixedValues.length != fixedFields.size()) {
            throw new IllegalArgumentException(fixedValues.length + " fixed values for " + fixedFields.size()
                    + " fixed fields");
        }
        Supplier<Where> at = where != null ? where : () -> null;
        if (writesNow() && startChunk(false)) {
            RecordWriter.Diverted d = writer.writeJson(written, p, at, fixedValues, end);
            if (d == null) {
                committed(writer.lastDropped);
            } else {
                pending.addLast(new Pending(d.record(), at.get(), d.dropped()));
            }
            return;
        }
        // the inference sample, or behind a record waiting on the heap: as a map
        Map<String, Object> m = RecordWriter.readObject(p);
        if (end != null && !end.reached(p)) throw new JsonParseException(p, "data after the record's JSON object");
        if (fixedValues != null) {
            for (int i = 0; i < fixedValues.length; i++) {
                String name = fixedFields.get(i).getName();
                if (m.containsKey(name)) {
                    throw new ParseException("the record has a field '" + name + "', which is also the name of a "
                            + "column the source adds" + (collisionAdvice == null ? "" : ": " + collisionAdvice),
                            whereOf(at.get()), null);
                }
            }
            for (int i = 0; i < fixedValues.length; i++) {
                if (fixedValues[i] != null) m.put(fixedFields.get(i).getName(), fixedValues[i]);
            }
        }
        pending.addLast(new Pending(m, at.get(), 0));
    }

    /**
     * Whether a record added now goes into vectors: the schema is fixed, nothing waits on the heap before it, and the
     * written rows are not being copied out.
     */
    private boolean writesNow() {
        return stagingParent != null && schema != null && pending.isEmpty() && first == 0;
    }

    /** Records added and not yet built. */
    public int pendingRows() {
        return written - first + pending.size();
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

    /** Bytes held by the vectors of the chunk being built (0 without an allocator). */
    public long stagedBytes() {
        return staging == null ? 0 : staging.getAllocatedMemory();
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
        this.density = new double[names.size()];
    }

    private Where whereOf(Where where) {
        return where != null ? where : resourceWhere;
    }

    private void checkOpen() {
        if (closed) throw new IllegalStateException("record batch builder for " + resource + " is closed");
    }

    /**
     * Builds the first {@code min(maxRows, pendingRows())} pending records into a new root allocated from (or, for
     * rows already written, transferred to) {@code allocator}, fixing the schema first if needed.
     *
     * @return the batch, owned by the caller, or null when nothing is pending
     * @throws SchemaException             when a value does not fit its column (the records stay pending)
     * @throws OutOfMemoryException        when an allocator's limit is reached (the records stay pending)
     * @throws IllegalArgumentException    when {@code allocator} does not share the root of {@link Builder#allocator}
     */
    public VectorSchemaRoot build(BufferAllocator allocator, int maxRows) {
        if (maxRows <= 0) throw new IllegalArgumentException("maxRows must be positive, got " + maxRows);
        checkOpen();
        if (pendingRows() == 0) return null;
        fixSchema();
        int n = Math.min(maxRows, pendingRows());
        if (stagingParent != null && allocator.getRoot() != stagingParent.getRoot()) {
            throw new IllegalArgumentException("the chunk's allocator does not share a root with the builder's "
                    + "allocator: its vectors cannot be transferred");
        }
        if (stagingParent != null && first == 0 && n >= written) {
            // the common case: the written rows, plus what waits on the heap (the inference sample), become the chunk
            while (written < n) writeFirstPending(); // a failure leaves what was written written, the rest pending
            return handOverAll(allocator);
        }
        return copyOut(allocator, n);
    }

    /**
     * The first {@code n} pending records written into a new root, all or nothing: rows already written are copied
     * (only a retry with fewer rows, or a caller that adds more than it builds, gets here: the new root needs memory
     * for {@code n} rows only, so a smaller retry can always progress), then records waiting on the heap. Rows copied
     * out are not written again: records added meanwhile wait on the heap until every written row is built.
     */
    private VectorSchemaRoot copyOut(BufferAllocator allocator, int n) {
        int fromWritten = Math.min(n, written - first);
        VectorSchemaRoot out = VectorSchemaRoot.create(schema, allocator);
        long dropped = 0;
        try {
            for (FieldVector v : out.getFieldVectors()) {
                v.setInitialCapacity(n);
                v.allocateNew();
            }
            RecordWriter w = new RecordWriter(out, fixedFields, unknownFields, scratch, collisionAdvice, resourceWhere);
            for (int i = 0; i < fromWritten; i++) w.writeMap(i, writer.readRow(first + i), resourceWhere);
            int i = fromWritten;
            for (Pending p : pending) {
                if (i == n) break;
                dropped += p.dropped + w.writeMap(i, p.record, whereOf(p.where));
                i++;
            }
            out.setRowCount(n);
        } catch (RuntimeException | Error e) {
            out.close();
            throw e;
        }
        first += fromWritten;
        for (int i = fromWritten; i < n; i++) pending.removeFirst();
        if (stagedRoot != null && first == written) dropChunk();
        countDropped(dropped);
        return out;
    }

    /** Writes the first record waiting on the heap as the next row; on failure it stays first, nothing written. */
    private void writeFirstPending() {
        Pending p = pending.peekFirst();
        startChunk(true);
        long dropped;
        try {
            dropped = writer.writeMap(written, p.record, whereOf(p.where));
        } catch (RuntimeException | Error e) {
            writer.rollback(written);
            throw e;
        }
        pending.removeFirst();
        committed(p.dropped + dropped);
    }

    private void committed(long dropped) {
        written++;
        countDropped(dropped);
    }

    private void countDropped(long dropped) {
        if (dropped > 0 && stats != null) stats.count("unknown_fields_dropped", dropped);
    }

    /**
     * Makes sure the chunk being built has vectors.
     *
     * @param orThrow whether a failed allocation is thrown (from {@link #build}) or returns false (from an add: the
     *                record then waits on the heap)
     */
    private boolean startChunk(boolean orThrow) {
        if (stagedRoot != null) return true;
        if (staging == null) staging = stagingParent.newChildAllocator("records:" + resource, 0, Long.MAX_VALUE);
        int capacity = Math.max(16, Math.min(lastChunkRows > 0 ? lastChunkRows : FIRST_CHUNK_CAPACITY_ROWS,
                MAX_CAPACITY_ROWS));
        VectorSchemaRoot root = VectorSchemaRoot.create(schema, staging);
        try {
            List<FieldVector> vectors = root.getFieldVectors();
            for (int c = 0; c < vectors.size(); c++) {
                FieldVector v = vectors.get(c);
                if (density[c] > 0 && v instanceof BaseVariableWidthVector b) {
                    b.setInitialCapacity(capacity, density[c]);
                } else if (density[c] > 0 && v instanceof ListVector l) {
                    l.setInitialCapacity(capacity, density[c]);
                } else {
                    v.setInitialCapacity(capacity);
                }
                v.allocateNew();
            }
        } catch (OutOfMemoryException e) {
            root.close();
            if (orThrow) throw e;
            return false;
        } catch (RuntimeException | Error e) {
            root.close();
            throw e;
        }
        stagedRoot = root;
        writer = new RecordWriter(root, fixedFields, unknownFields, scratch, collisionAdvice, resourceWhere);
        written = 0;
        first = 0;
        return true;
    }

    /** Every written row becomes the chunk: the vectors move to {@code allocator} as they are (nothing allocates). */
    private VectorSchemaRoot handOverAll(BufferAllocator allocator) {
        int rows = written;
        stagedRoot.setRowCount(rows);
        List<FieldVector> from = stagedRoot.getFieldVectors();
        List<FieldVector> to = new ArrayList<>(from.size());
        for (int c = 0; c < from.size(); c++) {
            FieldVector v = from.get(c);
            if (v instanceof BaseVariableWidthVector b) {
                density[c] = Math.max(1.0, (double) b.getStartOffset(rows) / rows);
            } else if (v instanceof ListVector l) {
                density[c] = Math.max(0.1, (double) l.getElementEndIndex(rows - 1) / rows);
            }
            TransferPair tp = v.getTransferPair(allocator);
            tp.transfer();
            to.add((FieldVector) tp.getTo());
        }
        VectorSchemaRoot out = new VectorSchemaRoot(schema, to, rows);
        dropChunk();
        lastChunkRows = rows;
        return out;
    }

    private void dropChunk() {
        VectorSchemaRoot r = stagedRoot;
        stagedRoot = null;
        writer = null;
        written = 0;
        first = 0;
        if (r != null) r.close();
    }

    /** Releases the vectors of the chunk being built and the records waiting; idempotent. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        pending.clear();
        try {
            dropChunk();
        } finally {
            if (staging != null) staging.close();
        }
    }

    /** Configures a {@link RecordBatchBuilder}. */
    public static final class Builder {
        private final String resource;
        private Schema schema;
        private final List<Field> fixedFields = new ArrayList<>();
        private String collisionAdvice;
        private int inferenceRows = DEFAULT_INFERENCE_ROWS;
        private NestedMode nested = NestedMode.STRUCT;
        private UnknownFields unknownFields = UnknownFields.ERROR;
        private StatsRecorder stats;
        private BufferAllocator allocator;

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

        /**
         * {@link #fixedFields(List)}, with what to tell the user when a record's JSON has a field named like one of
         * them (see {@link RecordBatchBuilder#addJson(JsonParser, Supplier, Object[], InputEnd)}), e.g. which options
         * rename them.
         */
        public Builder fixedFields(List<Field> fields, String collisionAdvice) {
            this.collisionAdvice = collisionAdvice;
            return fixedFields(fields);
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
         * Writes records into vectors as they are added, allocated from a child of {@code parent} (see the class
         * comment); the builder must then be {@link RecordBatchBuilder#close closed}. In a source, give the
         * {@code SourceContext} allocator. Without it records wait on the heap until built.
         */
        public Builder allocator(BufferAllocator parent) {
            this.allocator = parent;
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
