package io.polarway.records;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.polarway.error.ParseException;
import io.polarway.error.SchemaException;
import io.polarway.error.Where;
import org.apache.arrow.memory.OutOfMemoryException;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.util.OversizedAllocationException;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Writes whole records as rows of one root's columns: from the value model ({@link #writeMap}) or straight from JSON
 * tokens ({@link #writeJson}). A row is written completely or, on failure, can be {@link #rollback rolled back} so the
 * same row index is written again later; {@link #readRow} gives a written row back in the value model. Not thread-safe.
 */
final class RecordWriter {
    private final ColumnWriter[] columns;
    private final String[] names;
    private final ColumnWriter.FieldIndex index;
    private final UnknownFields unknown;
    private final JsonScratch scratch;
    /** Per fixed field (in the builder's order), its column, or -1 when the schema lacks it. */
    private final int[] fixedColumn;
    private final String[] fixedNames;
    private final boolean[] isFixedColumn;
    private final String collisionAdvice;
    private final Where fallback;
    /** Columns given a value in the record being written. */
    private final boolean[] seen;
    /** Unknown fields dropped by the last successful {@link #writeJson}. */
    long lastDropped;

    /** A record that could not be written now, whole in the value model, to be written when its chunk is built. */
    record Diverted(Map<String, Object> record, long dropped) {
    }

    /** @param fallback the place errors name for a record without one (the builder's resource) */
    RecordWriter(VectorSchemaRoot root, List<Field> fixedFields, UnknownFields unknown, JsonScratch scratch,
                 String collisionAdvice, Where fallback) {
        this.fallback = fallback;
        List<FieldVector> vectors = root.getFieldVectors();
        this.columns = new ColumnWriter[vectors.size()];
        this.names = new String[vectors.size()];
        List<String> list = new ArrayList<>();
        for (int c = 0; c < columns.length; c++) {
            FieldVector v = vectors.get(c);
            names[c] = v.getName();
            list.add(names[c]);
            columns[c] = ColumnWriter.create(v, v.getName(), unknown);
        }
        this.index = new ColumnWriter.FieldIndex(list);
        this.unknown = unknown;
        this.scratch = scratch;
        this.fixedNames = new String[fixedFields.size()];
        this.fixedColumn = new int[fixedFields.size()];
        this.isFixedColumn = new boolean[columns.length];
        for (int i = 0; i < fixedNames.length; i++) {
            fixedNames[i] = fixedFields.get(i).getName();
            fixedColumn[i] = index.find(fixedNames[i], i);
            if (fixedColumn[i] >= 0) isFixedColumn[fixedColumn[i]] = true;
        }
        this.collisionAdvice = collisionAdvice;
        this.seen = new boolean[columns.length];
    }

    /**
     * Writes a record of the value model at {@code row}.
     *
     * @return unknown fields dropped
     * @throws RuntimeException any failure (a value that does not fit, an unknown field, memory): the row is then
     *                          partly written and must be {@link #rollback rolled back}
     */
    long writeMap(int row, Map<String, ?> record, Where where) {
        long dropped = 0;
        int known = 0;
        for (int c = 0; c < columns.length; c++) {
            Object value = record.get(names[c]);
            if (value != null || record.containsKey(names[c])) known++;
            dropped += columns[c].write(row, value, where);
        }
        if (known < record.size()) {
            for (Object key : record.keySet()) {
                String k = String.valueOf(key);
                if (index.find(k, columns.length) >= 0) continue;
                if (unknown == UnknownFields.ERROR) throw unknownField(k, where);
                dropped++;
            }
        }
        return dropped;
    }

    SchemaException unknownField(String key, Where where) {
        return new SchemaException("field '" + key + "' is not in the schema " + Arrays.asList(names)
                + " (it did not appear in the inference sample, or the explicit schema lacks it): raise "
                + "infer_schema_length, give a schema, or set unknown_fields=ignore", where, null);
    }

    /**
     * Writes the JSON object at the parser's current token ({@code START_OBJECT}) at {@code row}, leaving the parser
     * on its {@code END_OBJECT} (or past it, when {@code end} checked the rest of the input).
     *
     * @param where       the record's place, asked only for an error or a record to divert (so the JSON path makes
     *                    none per record; column writers get null and their errors are diverted)
     * @param fixedValues values of the fixed fields in their declared order, or null when the record carries them
     *                    itself; then a JSON field with a fixed field's name is an error
     * @param end         what says the object was its input's last value, or null for no such check
     * @return null when the row is written ({@link #lastDropped} holds the unknown fields it dropped); otherwise the
     *         record whole in the value model (fixed values included), the row rolled back, because a value does not
     *         fit its column, a field is unknown, or an allocation failed: it is to be written, or fail with the same
     *         error, when its chunk is built
     * @throws IOException    from the parser, or data after the object when {@code end} says so; the row is rolled back
     * @throws ParseException when a JSON field has a fixed field's name; the row is rolled back
     */
    Diverted writeJson(int row, JsonParser p, Supplier<Where> where, Object[] fixedValues,
                       RecordBatchBuilder.InputEnd end) throws IOException {
        Arrays.fill(seen, false);
        boolean done = false;
        try {
            Diverted d = writeFields(row, p, where, fixedValues);
            if (end != null && !end.reached(p)) {
                throw new JsonParseException(p, "data after the record's JSON object");
            }
            if (d != null) rollback(row);
            done = true;
            return d;
        } finally {
            if (!done) rollback(row);
        }
    }

    private Diverted writeFields(int row, JsonParser p, Supplier<Where> where, Object[] fixed) throws IOException {
        long dropped = 0;
        if (fixed != null) {
            try {
                for (int i = 0; i < fixedNames.length; i++) {
                    int c = fixedColumn[i];
                    if (c < 0) {
                        if (fixed[i] == null) continue;
                        if (unknown == UnknownFields.ERROR) throw unknownField(fixedNames[i], null);
                        dropped++;
                        continue;
                    }
                    seen[c] = true;
                    dropped += columns[c].write(row, fixed[i], null);
                }
            } catch (SchemaException | OutOfMemoryException | OversizedAllocationException e) {
                // nothing of the JSON read yet: the whole object goes to the heap
                Map<String, Object> m = readObject(p);
                withFixed(m, fixed, where);
                return new Diverted(m, 0);
            }
        }
        int expect = fixed != null ? fixedNames.length : 0;
        for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
            if (t != JsonToken.FIELD_NAME) throw notAField(p, t);
            String name = p.currentName();
            p.nextToken();
            int c = index.find(name, expect);
            if (c >= 0 && fixed != null && isFixedColumn[c]) throw collision(name, where.get());
            if (c < 0) {
                if (unknown == UnknownFields.ERROR) {
                    Map<String, Object> m = readBack(row, fixed);
                    m.put(name, JsonValues.read(p, false));
                    readRest(p, m);
                    withFixed(m, fixed, where);
                    return new Diverted(m, dropped);
                }
                p.skipChildren();
                dropped++;
                continue;
            }
            if (seen[c]) columns[c].rollback(row); // a repeated name: the last value wins
            seen[c] = true;
            expect = c + 1;
            try {
                dropped += columns[c].writeJson(row, p, null, scratch);
            } catch (ColumnWriter.Diverted d) {
                seen[c] = false;
                Map<String, Object> m = readBack(row, fixed);
                m.put(name, d.value);
                readRest(p, m);
                withFixed(m, fixed, where);
                return new Diverted(m, dropped + d.dropped);
            }
        }
        try {
            for (int c = 0; c < columns.length; c++) {
                if (!seen[c]) columns[c].setNull(row);
            }
        } catch (OutOfMemoryException | OversizedAllocationException e) {
            Map<String, Object> m = readBack(row, fixed);
            withFixed(m, fixed, where);
            return new Diverted(m, dropped);
        }
        lastDropped = dropped;
        return null;
    }

    /** The JSON fields written so far in the record being written (not the fixed values). */
    private Map<String, Object> readBack(int row, Object[] fixed) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int c = 0; c < columns.length; c++) {
            if (seen[c] && !(fixed != null && isFixedColumn[c])) m.put(names[c], columns[c].read(row));
        }
        return m;
    }

    /**
     * Adds the fixed values to a record read from JSON (none may be there already), as a source that builds maps
     * does; nulls are left out.
     */
    void withFixed(Map<String, Object> m, Object[] fixed, Supplier<Where> where) {
        if (fixed == null) return;
        for (int i = 0; i < fixedNames.length; i++) {
            if (m.containsKey(fixedNames[i])) throw collision(fixedNames[i], where.get());
        }
        for (int i = 0; i < fixedNames.length; i++) {
            if (fixed[i] != null) m.put(fixedNames[i], fixed[i]);
        }
    }

    private ParseException collision(String name, Where where) {
        if (where == null) where = fallback;
        return new ParseException("the record has a field '" + name + "', which is also the name of a column the "
                + "source adds" + (collisionAdvice == null ? "" : ": " + collisionAdvice), where, null);
    }

    /** Reads the object at the parser's current token into a map (the parser ends on its END_OBJECT). */
    static Map<String, Object> readObject(JsonParser p) throws IOException {
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) JsonValues.read(p, false);
        return m;
    }

    /**
     * Where an object's field name is due, anything else (a non-blocking parser's {@code NOT_AVAILABLE}: the document
     * ended inside the object) is malformed input.
     */
    static JsonParseException notAField(JsonParser p, JsonToken t) {
        return new JsonParseException(p, t == JsonToken.NOT_AVAILABLE ? "the JSON ends inside an object"
                : "unexpected " + t + " where a field name is due");
    }

    /** Reads the rest of an object whose fields are partly read (the parser is on the last value read). */
    static void readRest(JsonParser p, Map<String, Object> m) throws IOException {
        for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
            if (t != JsonToken.FIELD_NAME) throw notAField(p, t);
            String name = p.currentName();
            p.nextToken();
            m.put(name, JsonValues.read(p, false));
        }
    }

    /** Forgets everything written at {@code from} and after, in every column. */
    void rollback(int from) {
        for (ColumnWriter c : columns) c.rollback(from);
    }

    /** A written row in the value model: every column, nulls included. */
    Map<String, Object> readRow(int row) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int c = 0; c < columns.length; c++) m.put(names[c], columns[c].read(row));
        return m;
    }
}
