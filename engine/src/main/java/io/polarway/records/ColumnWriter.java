package io.polarway.records;

import io.polarway.error.SchemaException;
import io.polarway.error.Where;
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
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes record values into one Arrow vector, coercing them to the column's type (see {@link RecordBatchBuilder}).
 * Rows are written in index order; every index gets a value or a null, at every nesting level, so offsets and
 * validity stay consistent. A value that does not fit is a {@link SchemaException} naming the field path.
 */
abstract class ColumnWriter {
    final String path;

    ColumnWriter(String path) {
        this.path = path;
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

    SchemaException mismatch(Object value, Where where, Throwable cause) {
        String shown = JsonValues.text(value);
        if (shown.length() > 60) shown = shown.substring(0, 57) + "...";
        return new SchemaException("value " + shown + " (" + value.getClass().getSimpleName() + ") of field '" + path
                + "' does not fit its column type " + typeName() + " (the schema was fixed by an explicit schema or "
                + "by the inference sample: raise infer_schema_length or give a schema)", where, cause);
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
        if (v instanceof BigIntVector b) return new Int(path, "int64", Long.MIN_VALUE, Long.MAX_VALUE) {
            @Override
            void set(int i, long x) {
                b.setSafe(i, x);
            }

            @Override
            void setNull(int index) {
                b.setNull(index);
            }
        };
        if (v instanceof IntVector b) return new Int(path, "int32", Integer.MIN_VALUE, Integer.MAX_VALUE) {
            @Override
            void set(int i, long x) {
                b.setSafe(i, (int) x);
            }

            @Override
            void setNull(int index) {
                b.setNull(index);
            }
        };
        if (v instanceof SmallIntVector b) return new Int(path, "int16", Short.MIN_VALUE, Short.MAX_VALUE) {
            @Override
            void set(int i, long x) {
                b.setSafe(i, (short) x);
            }

            @Override
            void setNull(int index) {
                b.setNull(index);
            }
        };
        if (v instanceof TinyIntVector b) return new Int(path, "int8", Byte.MIN_VALUE, Byte.MAX_VALUE) {
            @Override
            void set(int i, long x) {
                b.setSafe(i, (byte) x);
            }

            @Override
            void setNull(int index) {
                b.setNull(index);
            }
        };
        if (v instanceof Float8Vector f) return new Floating(path, "float64") {
            @Override
            void set(int i, double x) {
                f.setSafe(i, x);
            }

            @Override
            void setNull(int index) {
                f.setNull(index);
            }
        };
        if (v instanceof Float4Vector f) return new Floating(path, "float32") {
            @Override
            void set(int i, double x) {
                f.setSafe(i, (float) x);
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

    private abstract static class Int extends ColumnWriter {
        private final String type;
        private final long min;
        private final long max;

        Int(String path, String type, long min, long max) {
            super(path);
            this.type = type;
            this.min = min;
            this.max = max;
        }

        abstract void set(int i, long x);

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
        String typeName() {
            return type;
        }
    }

    private abstract static class Floating extends ColumnWriter {
        private final String type;

        Floating(String path, String type) {
            super(path);
            this.type = type;
        }

        abstract void set(int i, double x);

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
        String typeName() {
            return type;
        }
    }

    private static final class Bool extends ColumnWriter {
        private final BitVector v;

        Bool(String path, BitVector v) {
            super(path);
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
        String typeName() {
            return "bool";
        }
    }

    private static final class Decimal extends ColumnWriter {
        private final DecimalVector v;

        Decimal(String path, DecimalVector v) {
            super(path);
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
        String typeName() {
            return "decimal(" + v.getPrecision() + "," + v.getScale() + ")";
        }
    }

    private static final class Text extends ColumnWriter {
        private final VarCharVector v;

        Text(String path, VarCharVector v) {
            super(path);
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
        String typeName() {
            return "utf8";
        }
    }

    private static final class Binary extends ColumnWriter {
        private final VarBinaryVector v;

        Binary(String path, VarBinaryVector v) {
            super(path);
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
        String typeName() {
            return "binary";
        }
    }

    private static final class Date extends ColumnWriter {
        private final DateDayVector v;

        Date(String path, DateDayVector v) {
            super(path);
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
        String typeName() {
            return "date32";
        }
    }

    private static final class Timestamp extends ColumnWriter {
        private final TimeStampVector v;
        private final TimeUnit unit;

        Timestamp(String path, TimeStampVector v) {
            super(path);
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

        Struct(String path, StructVector v, UnknownFields unknown) {
            super(path);
            this.v = v;
            this.unknown = unknown;
            for (FieldVector c : v.getChildrenFromFields()) {
                names.add(c.getName());
                children.add(create(c, path + "." + c.getName(), unknown));
            }
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
                    if (unknown == UnknownFields.ERROR) {
                        throw new SchemaException("field '" + path + "." + k + "' is not in the schema of struct '"
                                + path + "' " + names + ": raise infer_schema_length, give a schema, or set "
                                + "unknown_fields=ignore", where, null);
                    }
                    dropped++;
                }
            }
            return dropped;
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
            super(path);
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
        String typeName() {
            return "list";
        }
    }
}
