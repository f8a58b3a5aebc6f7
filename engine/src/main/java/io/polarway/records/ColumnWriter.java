package io.polarway.records;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.polarway.error.SchemaException;
import io.polarway.error.Where;
import org.apache.arrow.memory.OutOfMemoryException;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.SmallIntVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.util.OversizedAllocationException;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes record values into one Arrow vector, coercing them to the column's type (see {@link RecordBatchBuilder}).
 * Rows are written in index order; every index gets a value or a null, at every nesting level, so offsets and
 * validity stay consistent. A value that does not fit is a {@link SchemaException} naming the field path.
 *
 * <p>Two inputs: a value of the record model ({@link #write}), or the JSON value at a parser's current token
 * ({@link #writeJson}), read straight from the tokens for the common cases (numbers, strings, booleans, objects into
 * structs, arrays into lists, nested values as JSON text) and through the value model otherwise, so both inputs give
 * the same column content and the same errors. Support for undoing a half-written record: {@link #read} gives back a
 * written value in the value model (writing it again gives the same content) and {@link #rollback} forgets what was
 * written from an index on, so it can be written again.
 */
abstract class ColumnWriter {
    final String path;
    final FieldVector vector;

    ColumnWriter(String path, FieldVector vector) {
        this.path = path;
        this.vector = vector;
    }

    /** Writes {@code value} (maybe null) at {@code index}; returns how many unknown nested fields were dropped. */
    final long write(int index, Object value, Where where) {
        if (value == null) {
            setNull(index);
            return 0;
        }
        try {
            return writeValue(index, value, where);
        } catch (ArithmeticException | DateTimeParseException | ClassCastException
                 | IllegalArgumentException e) {
            throw mismatch(value, where, e);
        }
    }

    abstract void setNull(int index);

    abstract long writeValue(int index, Object value, Where where);

    abstract String typeName();

    /**
     * Writes the JSON value at the parser's current token (which must be set) at {@code index} and leaves the parser
     * on the value's last token.
     *
     * @return how many unknown nested fields were dropped
     * @throws Diverted    when the value does not fit the column or an allocation fails: the parser is then past the
     *                     whole value, which the exception carries in the value model
     * @throws IOException from the parser; the value is then partly read and partly written (roll the row back)
     */
    final long writeJson(int index, JsonParser p, Where where, JsonScratch scratch) throws IOException {
        try {
            return json(index, p, where, scratch);
        } catch (SchemaException | OutOfMemoryException | OversizedAllocationException e) {
            // Only a scalar fails here, with the parser still on its token (containers divert by themselves once
            // they have moved the parser): the token is the whole value.
            throw new Diverted(JsonValues.read(p, false), e, 0);
        }
    }

    /**
     * The JSON path of one column type. Must not let a {@link SchemaException}, {@link OutOfMemoryException} or
     * {@link OversizedAllocationException} escape once it has moved the parser (throw {@link Diverted} then). This
     * default goes through the value model.
     */
    long json(int index, JsonParser p, Where where, JsonScratch scratch) throws IOException {
        return viaValue(index, p, where);
    }

    /** Reads the value into the value model and writes it: the reference semantics every fast path must match. */
    final long viaValue(int index, JsonParser p, Where where) throws IOException {
        if (p.currentToken() == JsonToken.VALUE_NULL) {
            setNull(index);
            return 0;
        }
        Object v = JsonValues.read(p, false);
        try {
            return write(index, v, where);
        } catch (SchemaException | OutOfMemoryException | OversizedAllocationException e) {
            throw new Diverted(v, e, 0);
        }
    }

    /** The value written at {@code index} in the value model: writing it again gives the same column content. */
    final Object read(int index) {
        return vector.isNull(index) ? null : readValue(index);
    }

    abstract Object readValue(int index);

    /** Forgets what was written at {@code from} and after, so those indexes can be written again. */
    void rollback(int from) {
        // fixed-width values and validity bits are simply overwritten
    }

    /** Whether a write failure is one a record can wait out on the heap (it is retried when the chunk is built). */
    static boolean divertible(RuntimeException e) {
        return e instanceof SchemaException || e instanceof OutOfMemoryException
                || e instanceof OversizedAllocationException;
    }

    SchemaException mismatch(Object value, Where where, Throwable cause) {
        String shown = JsonValues.text(value);
        if (shown.length() > 60) shown = shown.substring(0, 57) + "...";
        return new SchemaException("value " + shown + " (" + value.getClass().getSimpleName() + ") of field '" + path
                + "' does not fit its column type " + typeName() + " (the schema was fixed by an explicit schema or "
                + "by the inference sample: raise infer_schema_length or give a schema)", where, cause);
    }

    /**
     * A JSON value that could not be written (it does not fit, or memory ran out), read whole into the value model
     * so the record can wait on the heap and be written — or fail with the same error — when its chunk is built.
     * Thrown with the parser on the value's last token. Carries no stack trace: it is control flow.
     */
    static final class Diverted extends RuntimeException {
        private static final long serialVersionUID = 1L;
        /** The whole value, in the value model. */
        final transient Object value;
        /** Unknown nested fields already skipped (and so missing from {@link #value}). */
        final long dropped;

        Diverted(Object value, RuntimeException cause, long dropped) {
            super(cause.getMessage(), cause, false, false);
            this.value = value;
            this.dropped = dropped;
        }
    }

    /** Fails on types records cannot fill, so a bad explicit schema is found before any data. */
    static void check(Field f) {
        ArrowType t = f.getType();
        switch (t.getTypeID()) {
            case Bool, Utf8, Binary, Decimal, Struct -> { }
            case Int -> {
                ArrowType.Int i = (ArrowType.Int) t;
                if (!i.getIsSigned()) throw new IllegalArgumentException("field " + f.getName() + ": unsigned ints are not supported, use a signed int");
            }
            case FloatingPoint -> {
                if (((ArrowType.FloatingPoint) t).getPrecision() == org.apache.arrow.vector.types.FloatingPointPrecision.HALF) {
                    throw new IllegalArgumentException("field " + f.getName() + ": half floats are not supported");
                }
            }
            case Date -> {
                if (((ArrowType.Date) t).getUnit() != org.apache.arrow.vector.types.DateUnit.DAY) {
                    throw new IllegalArgumentException("field " + f.getName() + ": only date32 (days) is supported");
                }
            }
            case Timestamp -> { }
            case List -> { }
            default -> throw new IllegalArgumentException("field " + f.getName() + ": type " + t
                    + " is not supported for records");
        }
        for (Field c : f.getChildren()) check(c);
    }

    static ColumnWriter create(FieldVector v, String path, UnknownFields unknown) {
        if (v instanceof BigIntVector b) return new Int(path, b, "int64", Long.MIN_VALUE, Long.MAX_VALUE) {
            @Override
            void set(int i, long x) {
                b.setSafe(i, x);
            }

            @Override
            long get(int i) {
                return b.get(i);
            }

            @Override
            void setNull(int index) {
                b.setNull(index);
            }
        };
        if (v instanceof IntVector b) return new Int(path, b, "int32", Integer.MIN_VALUE, Integer.MAX_VALUE) {
            @Override
            void set(int i, long x) {
                b.setSafe(i, (int) x);
            }

            @Override
            long get(int i) {
                return b.get(i);
            }

            @Override
            void setNull(int index) {
                b.setNull(index);
            }
        };
        if (v instanceof SmallIntVector b) return new Int(path, b, "int16", Short.MIN_VALUE, Short.MAX_VALUE) {
            @Override
            void set(int i, long x) {
                b.setSafe(i, (short) x);
            }

            @Override
            long get(int i) {
                return b.get(i);
            }

            @Override
            void setNull(int index) {
                b.setNull(index);
            }
        };
        if (v instanceof TinyIntVector b) return new Int(path, b, "int8", Byte.MIN_VALUE, Byte.MAX_VALUE) {
            @Override
            void set(int i, long x) {
                b.setSafe(i, (byte) x);
            }

            @Override
            long get(int i) {
                return b.get(i);
            }

            @Override
            void setNull(int index) {
                b.setNull(index);
            }
        };
        if (v instanceof Float8Vector f) return new Floating(path, f, "float64") {
            @Override
            void set(int i, double x) {
                f.setSafe(i, x);
            }

            @Override
            double get(int i) {
                return f.get(i);
            }

            @Override
            void setNull(int index) {
                f.setNull(index);
            }
        };
        if (v instanceof Float4Vector f) return new Floating(path, f, "float32") {
            @Override
            void set(int i, double x) {
                f.setSafe(i, (float) x);
            }

            @Override
            double get(int i) {
                return f.get(i);
            }

            @Override
            void setNull(int index) {
                f.setNull(index);
            }
        };
        if (v instanceof BitVector b) return new Bool(path, b);
        if (v instanceof DecimalVector d) return new Decimal(path, d);
        if (v instanceof VarCharVector s) return new Text(path, s);
        if (v instanceof VarBinaryVector s) return new Binary(path, s);
        if (v instanceof DateDayVector d) return new Date(path, d);
        if (v instanceof TimeStampVector t) return new Timestamp(path, t);
        if (v instanceof StructVector s) return new Struct(path, s, unknown);
        if (v instanceof ListVector l) return new ListWriter(path, l, unknown);
        throw new IllegalArgumentException("field " + path + ": vector " + v.getClass().getSimpleName()
                + " is not supported for records");
    }

    private static boolean isLong(JsonParser p) throws IOException {
        JsonParser.NumberType t = p.getNumberType();
        return t == JsonParser.NumberType.INT || t == JsonParser.NumberType.LONG;
    }

    private abstract static class Int extends ColumnWriter {
        private final String type;
        private final long min;
        private final long max;

        Int(String path, FieldVector v, String type, long min, long max) {
            super(path, v);
            this.type = type;
            this.min = min;
            this.max = max;
        }

        abstract void set(int i, long x);

        abstract long get(int i);

        @Override
        long writeValue(int index, Object v, Where where) {
            long x;
            if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
                x = ((Number) v).longValue();
            } else if (v instanceof BigDecimal bd) {
                x = bd.longValueExact();
            } else if (v instanceof BigInteger bi) {
                x = bi.longValueExact();
            } else if (v instanceof Double || v instanceof Float) {
                x = new BigDecimal(((Number) v).doubleValue()).longValueExact();
            } else if (v instanceof String s) {
                x = new BigDecimal(s.trim()).longValueExact();
            } else {
                throw mismatch(v, where, null);
            }
            if (x < min || x > max) throw mismatch(v, where, null);
            set(index, x);
            return 0;
        }

        @Override
        long json(int index, JsonParser p, Where where, JsonScratch scratch) throws IOException {
            if (p.currentToken() == JsonToken.VALUE_NUMBER_INT && isLong(p)) {
                long x = p.getLongValue();
                if (x >= min && x <= max) {
                    set(index, x);
                    return 0;
                }
            }
            return viaValue(index, p, where);
        }

        @Override
        Object readValue(int index) {
            return get(index);
        }

        @Override
        String typeName() {
            return type;
        }
    }

    private abstract static class Floating extends ColumnWriter {
        private final String type;

        Floating(String path, FieldVector v, String type) {
            super(path, v);
            this.type = type;
        }

        abstract void set(int i, double x);

        abstract double get(int i);

        @Override
        long writeValue(int index, Object v, Where where) {
            if (v instanceof Number n) {
                set(index, n.doubleValue());
            } else if (v instanceof String s) {
                set(index, Double.parseDouble(s.trim()));
            } else {
                throw mismatch(v, where, null);
            }
            return 0;
        }

        @Override
        long json(int index, JsonParser p, Where where, JsonScratch scratch) throws IOException {
            JsonToken t = p.currentToken();
            if (t == JsonToken.VALUE_NUMBER_FLOAT) {
                set(index, p.getDoubleValue());
                return 0;
            }
            if (t == JsonToken.VALUE_NUMBER_INT && isLong(p)) {
                set(index, (double) p.getLongValue());
                return 0;
            }
            return viaValue(index, p, where);
        }

        @Override
        Object readValue(int index) {
            return get(index);
        }

        @Override
        String typeName() {
            return type;
        }
    }

    private static final class Bool extends ColumnWriter {
        private final BitVector v;

        Bool(String path, BitVector v) {
            super(path, v);
            this.v = v;
        }

        @Override
        void setNull(int index) {
            v.setNull(index);
        }

        @Override
        long writeValue(int index, Object value, Where where) {
            boolean b;
            if (value instanceof Boolean x) {
                b = x;
            } else if (value instanceof String s && (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false"))) {
                b = Boolean.parseBoolean(s);
            } else {
                throw mismatch(value, where, null);
            }
            v.setSafe(index, b ? 1 : 0);
            return 0;
        }

        @Override
        long json(int index, JsonParser p, Where where, JsonScratch scratch) throws IOException {
            JsonToken t = p.currentToken();
            if (t == JsonToken.VALUE_TRUE || t == JsonToken.VALUE_FALSE) {
                v.setSafe(index, t == JsonToken.VALUE_TRUE ? 1 : 0);
                return 0;
            }
            return viaValue(index, p, where);
        }

        @Override
        Object readValue(int index) {
            return v.get(index) == 1;
        }

        @Override
        String typeName() {
            return "bool";
        }
    }

    private static final class Decimal extends ColumnWriter {
        private final DecimalVector v;

        Decimal(String path, DecimalVector v) {
            super(path, v);
            this.v = v;
        }

        @Override
        void setNull(int index) {
            v.setNull(index);
        }

        @Override
        long writeValue(int index, Object value, Where where) {
            BigDecimal bd;
            if (value instanceof BigDecimal x) {
                bd = x;
            } else if (value instanceof Long || value instanceof Integer || value instanceof Short
                    || value instanceof Byte) {
                bd = BigDecimal.valueOf(((Number) value).longValue());
            } else if (value instanceof BigInteger bi) {
                bd = new BigDecimal(bi);
            } else if (value instanceof Double || value instanceof Float) {
                bd = BigDecimal.valueOf(((Number) value).doubleValue());
            } else if (value instanceof String s) {
                bd = new BigDecimal(s.trim());
            } else {
                throw mismatch(value, where, null);
            }
            // exact only: a value that needs rounding to the column's scale is a mismatch, not a silent change
            bd = bd.setScale(v.getScale(), RoundingMode.UNNECESSARY);
            if (bd.precision() > v.getPrecision()) throw mismatch(value, where, null);
            v.setSafe(index, bd);
            return 0;
        }

        @Override
        Object readValue(int index) {
            return v.getObject(index);
        }

        @Override
        String typeName() {
            return "decimal(" + v.getPrecision() + "," + v.getScale() + ")";
        }
    }

    private static final class Text extends ColumnWriter {
        private final VarCharVector v;

        Text(String path, VarCharVector v) {
            super(path, v);
            this.v = v;
        }

        @Override
        void setNull(int index) {
            v.setNull(index);
        }

        @Override
        long writeValue(int index, Object value, Where where) {
            byte[] bytes = JsonValues.text(value).getBytes(StandardCharsets.UTF_8);
            v.setSafe(index, bytes, 0, bytes.length);
            return 0;
        }

        @Override
        long json(int index, JsonParser p, Where where, JsonScratch scratch) throws IOException {
            switch (p.currentToken()) {
                case VALUE_STRING -> {
                    int n = scratch.utf8(p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
                    v.setSafe(index, scratch.bytes, 0, n);
                    return 0;
                }
                case VALUE_NUMBER_INT -> {
                    if (!isLong(p)) return viaValue(index, p, where);
                    int n = scratch.utf8(Long.toString(p.getLongValue()));
                    v.setSafe(index, scratch.bytes, 0, n);
                    return 0;
                }
                case VALUE_TRUE, VALUE_FALSE -> {
                    int n = scratch.utf8(p.currentToken() == JsonToken.VALUE_TRUE ? "true" : "false");
                    v.setSafe(index, scratch.bytes, 0, n);
                    return 0;
                }
                case START_OBJECT, START_ARRAY -> {
                    // a nested value kept as its JSON text (nested_mode=json, or a field whose types mixed)
                    int n = scratch.jsonText(p);
                    try {
                        v.setSafe(index, scratch.bytes, 0, n);
                    } catch (OutOfMemoryException | OversizedAllocationException e) {
                        throw new Diverted(new String(scratch.bytes, 0, n, StandardCharsets.UTF_8), e, 0);
                    }
                    return 0;
                }
                default -> {
                    return viaValue(index, p, where);
                }
            }
        }

        @Override
        Object readValue(int index) {
            return new String(v.get(index), StandardCharsets.UTF_8);
        }

        @Override
        void rollback(int from) {
            if (v.getLastSet() >= from) v.setLastSet(from - 1);
        }

        @Override
        String typeName() {
            return "utf8";
        }
    }

    private static final class Binary extends ColumnWriter {
        private final VarBinaryVector v;

        Binary(String path, VarBinaryVector v) {
            super(path, v);
            this.v = v;
        }

        @Override
        void setNull(int index) {
            v.setNull(index);
        }

        @Override
        long writeValue(int index, Object value, Where where) {
            byte[] bytes;
            if (value instanceof byte[] b) {
                bytes = b;
            } else if (value instanceof String s) {
                bytes = Base64.getDecoder().decode(s);
            } else {
                throw mismatch(value, where, null);
            }
            v.setSafe(index, bytes, 0, bytes.length);
            return 0;
        }

        @Override
        Object readValue(int index) {
            return v.get(index);
        }

        @Override
        void rollback(int from) {
            if (v.getLastSet() >= from) v.setLastSet(from - 1);
        }

        @Override
        String typeName() {
            return "binary";
        }
    }

    private static final class Date extends ColumnWriter {
        private final DateDayVector v;

        Date(String path, DateDayVector v) {
            super(path, v);
            this.v = v;
        }

        @Override
        void setNull(int index) {
            v.setNull(index);
        }

        @Override
        long writeValue(int index, Object value, Where where) {
            LocalDate d;
            if (value instanceof LocalDate x) {
                d = x;
            } else if (value instanceof String s) {
                d = LocalDate.parse(s.trim());
            } else {
                throw mismatch(value, where, null);
            }
            v.setSafe(index, Math.toIntExact(d.toEpochDay()));
            return 0;
        }

        @Override
        Object readValue(int index) {
            return LocalDate.ofEpochDay(v.get(index));
        }

        @Override
        String typeName() {
            return "date32";
        }
    }

    private static final class Timestamp extends ColumnWriter {
        private final TimeStampVector v;
        private final TimeUnit unit;

        Timestamp(String path, TimeStampVector v) {
            super(path, v);
            this.v = v;
            this.unit = ((ArrowType.Timestamp) v.getField().getType()).getUnit();
        }

        @Override
        void setNull(int index) {
            v.setNull(index);
        }

        @Override
        long writeValue(int index, Object value, Where where) {
            long x;
            if (value instanceof Instant t) {
                x = fromInstant(t);
            } else if (value instanceof LocalDate d) {
                x = fromInstant(d.atStartOfDay(ZoneOffset.UTC).toInstant());
            } else if (value instanceof String s) {
                x = fromInstant(parse(s.trim()));
            } else if (value instanceof Long || value instanceof Integer) {
                x = ((Number) value).longValue(); // epoch value in the column's own unit
            } else {
                throw mismatch(value, where, null);
            }
            v.setSafe(index, x);
            return 0;
        }

        @Override
        long json(int index, JsonParser p, Where where, JsonScratch scratch) throws IOException {
            if (p.currentToken() == JsonToken.VALUE_NUMBER_INT && isLong(p)) {
                v.setSafe(index, p.getLongValue()); // epoch value in the column's own unit
                return 0;
            }
            return viaValue(index, p, where);
        }

        /** The epoch value in the column's unit, which {@link #writeValue} takes back as it is. */
        @Override
        Object readValue(int index) {
            return v.get(index);
        }

        private static Instant parse(String s) {
            try {
                return OffsetDateTime.parse(s).toInstant();
            } catch (DateTimeParseException e) {
                if (s.length() == 10) return LocalDate.parse(s).atStartOfDay(ZoneOffset.UTC).toInstant();
                return LocalDateTime.parse(s.replace(' ', 'T')).toInstant(ZoneOffset.UTC);
            }
        }

        private long fromInstant(Instant t) {
            return switch (unit) {
                case SECOND -> t.getEpochSecond();
                case MILLISECOND -> t.toEpochMilli();
                case MICROSECOND -> Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1_000);
                case NANOSECOND -> Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000_000L), t.getNano());
            };
        }

        @Override
        String typeName() {
            return "timestamp[" + unit.name().toLowerCase(Locale.ROOT) + "]";
        }
    }

    private static final class Struct extends ColumnWriter {
        private final StructVector v;
        private final List<String> names = new ArrayList<>();
        private final List<ColumnWriter> children = new ArrayList<>();
        private final UnknownFields unknown;
        private final FieldIndex index;
        private final ColumnWriter[] childArray;
        /** Children given a value in the object being written (reused: a struct's writer is never re-entered). */
        private final boolean[] seen;

        Struct(String path, StructVector v, UnknownFields unknown) {
            super(path, v);
            this.v = v;
            this.unknown = unknown;
            for (FieldVector c : v.getChildrenFromFields()) {
                names.add(c.getName());
                children.add(create(c, path + "." + c.getName(), unknown));
            }
            this.index = new FieldIndex(names);
            this.childArray = children.toArray(new ColumnWriter[0]);
            this.seen = new boolean[childArray.length];
        }

        @Override
        void setNull(int index) {
            v.setNull(index);
            for (ColumnWriter c : children) c.setNull(index);
        }

        @Override
        long writeValue(int index, Object value, Where where) {
            if (!(value instanceof Map<?, ?> m)) throw mismatch(value, where, null);
            v.setIndexDefined(index);
            long dropped = 0;
            int known = 0;
            for (int c = 0; c < children.size(); c++) {
                Object x = m.get(names.get(c));
                if (x != null || m.containsKey(names.get(c))) known++;
                dropped += children.get(c).write(index, x, where);
            }
            if (known < m.size()) {
                for (Object k : m.keySet()) {
                    if (names.contains(String.valueOf(k))) continue;
                    if (unknown == UnknownFields.ERROR) throw unknownField(String.valueOf(k), where);
                    dropped++;
                }
            }
            return dropped;
        }

        private SchemaException unknownField(String key, Where where) {
            return new SchemaException("field '" + path + "." + key + "' is not in the schema of struct '"
                    + path + "' " + names + ": raise infer_schema_length, give a schema, or set "
                    + "unknown_fields=ignore", where, null);
        }

        @Override
        long json(int row, JsonParser p, Where where, JsonScratch scratch) throws IOException {
            if (p.currentToken() != JsonToken.START_OBJECT) return viaValue(row, p, where);
            v.setIndexDefined(row); // a failure here leaves the parser on the object's start: the caller reads it
            Arrays.fill(seen, false);
            long dropped = 0;
            int expect = 0;
            for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
                if (t != JsonToken.FIELD_NAME) throw RecordWriter.notAField(p, t);
                String name = p.currentName();
                p.nextToken();
                int c = index.find(name, expect);
                if (c < 0) {
                    if (unknown == UnknownFields.ERROR) {
                        Map<String, Object> m = readBack(row);
                        m.put(name, JsonValues.read(p, false));
                        RecordWriter.readRest(p, m);
                        throw new Diverted(m, unknownField(name, where), dropped);
                    }
                    p.skipChildren();
                    dropped++;
                    continue;
                }
                if (seen[c]) childArray[c].rollback(row); // a repeated name: the last value wins
                seen[c] = true;
                expect = c + 1;
                try {
                    dropped += childArray[c].writeJson(row, p, where, scratch);
                } catch (Diverted d) {
                    seen[c] = false;
                    Map<String, Object> m = readBack(row);
                    m.put(name, d.value);
                    RecordWriter.readRest(p, m);
                    throw new Diverted(m, (RuntimeException) d.getCause(), dropped + d.dropped);
                }
            }
            try {
                for (int c = 0; c < childArray.length; c++) {
                    if (!seen[c]) childArray[c].setNull(row);
                }
            } catch (OutOfMemoryException | OversizedAllocationException e) {
                throw new Diverted(readBack(row), e, dropped);
            }
            return dropped;
        }

        /** The children written so far in the object being written, as a map. */
        private Map<String, Object> readBack(int row) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (int c = 0; c < childArray.length; c++) {
                if (seen[c]) m.put(names.get(c), childArray[c].read(row));
            }
            return m;
        }

        @Override
        Object readValue(int row) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (int c = 0; c < childArray.length; c++) m.put(names.get(c), childArray[c].read(row));
            return m;
        }

        @Override
        void rollback(int from) {
            for (ColumnWriter c : childArray) c.rollback(from);
        }

        @Override
        String typeName() {
            return "struct" + names;
        }
    }

    private static final class ListWriter extends ColumnWriter {
        private final ListVector v;
        private final ColumnWriter element;

        ListWriter(String path, ListVector v, UnknownFields unknown) {
            super(path, v);
            this.v = v;
            this.element = create(v.getDataVector(), path + "[]", unknown);
        }

        @Override
        void setNull(int index) {
            v.setNull(index);
        }

        @Override
        long writeValue(int index, Object value, Where where) {
            if (!(value instanceof Collection<?> c)) throw mismatch(value, where, null);
            int offset = v.startNewValue(index);
            long dropped = 0;
            int j = 0;
            for (Object o : c) dropped += element.write(offset + j++, o, where);
            v.endValue(index, j);
            return dropped;
        }

        @Override
        long json(int index, JsonParser p, Where where, JsonScratch scratch) throws IOException {
            if (p.currentToken() != JsonToken.START_ARRAY) return viaValue(index, p, where);
            int offset = v.startNewValue(index); // a failure here leaves the parser on the array's start
            long dropped = 0;
            int j = 0;
            for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
                try {
                    dropped += element.writeJson(offset + j, p, where, scratch);
                } catch (Diverted d) {
                    List<Object> l = new ArrayList<>(j + 1);
                    for (int k = 0; k < j; k++) l.add(element.read(offset + k));
                    l.add(d.value);
                    for (JsonToken r = p.nextToken(); r != JsonToken.END_ARRAY; r = p.nextToken()) {
                        l.add(JsonValues.read(p, false));
                    }
                    throw new Diverted(l, (RuntimeException) d.getCause(), dropped + d.dropped);
                }
                j++;
            }
            v.endValue(index, j);
            return dropped;
        }

        @Override
        Object readValue(int index) {
            int start = v.getElementStartIndex(index);
            int end = v.getElementEndIndex(index);
            List<Object> l = new ArrayList<>(end - start);
            for (int k = start; k < end; k++) l.add(element.read(k));
            return l;
        }

        @Override
        void rollback(int from) {
            if (v.getLastSet() >= from) {
                // the offsets up to 'from' were filled when 'from' was started: its elements begin there
                element.rollback(v.getElementStartIndex(from));
                v.setLastSet(from - 1);
            }
        }

        @Override
        String typeName() {
            return "list";
        }
    }

    /**
     * Finds a field's position by name: JSON objects usually list fields in schema order, so the position after the
     * last match is tried first (by identity: Jackson interns field names, and so do we), then a hash lookup.
     */
    static final class FieldIndex {
        private final String[] names;
        private final Map<String, Integer> positions = new HashMap<>();

        FieldIndex(List<String> names) {
            this.names = new String[names.size()];
            for (int i = 0; i < this.names.length; i++) {
                this.names[i] = names.get(i).intern();
                positions.putIfAbsent(this.names[i], i);
            }
        }

        /** @return the position, or -1 when no field has this name */
        int find(String name, int expected) {
            if (expected < names.length) {
                String n = names[expected];
                if (n == name || n.equals(name)) return expected;
            }
            Integer i = positions.get(name);
            return i == null ? -1 : i;
        }
    }
}
