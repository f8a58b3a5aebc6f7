package io.polarway.records;

import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The inferred type of a value, in a lattice that only widens: {@code NULL} (nothing seen yet) is below everything,
 * {@code INT64 → DECIMAL → FLOAT64} and {@code DATE → TIMESTAMP} widen numerically, structs merge their fields and lists
 * their element types, and any other mix becomes {@code UTF8} (the value's text, nested values as JSON). Immutable.
 *
 * <p>Decimals are {@code Decimal(38, scale)} with the largest scale seen; a decimal that needs more than 38 digits
 * widens to {@code FLOAT64} rather than failing.
 */
final class ValueType {
    enum Kind { NULL, BOOL, INT64, DECIMAL, FLOAT64, UTF8, BINARY, DATE, TIMESTAMP, STRUCT, LIST }

    static final int MAX_DECIMAL_PRECISION = 38;
    static final ValueType NULL = new ValueType(Kind.NULL, 0, 0, null, null);
    static final ValueType BOOL = new ValueType(Kind.BOOL, 0, 0, null, null);
    static final ValueType INT64 = new ValueType(Kind.INT64, 0, 0, null, null);
    static final ValueType FLOAT64 = new ValueType(Kind.FLOAT64, 0, 0, null, null);
    static final ValueType UTF8 = new ValueType(Kind.UTF8, 0, 0, null, null);
    static final ValueType BINARY = new ValueType(Kind.BINARY, 0, 0, null, null);
    static final ValueType DATE = new ValueType(Kind.DATE, 0, 0, null, null);
    static final ValueType TIMESTAMP = new ValueType(Kind.TIMESTAMP, 0, 0, null, null);

    final Kind kind;
    /** Decimal: digits before the point needed so far (precision − scale), and the scale. */
    final int integerDigits;
    final int scale;
    /** Struct fields in first-seen order. */
    final Map<String, ValueType> fields;
    /** List element type. */
    final ValueType element;

    private ValueType(Kind kind, int integerDigits, int scale, Map<String, ValueType> fields, ValueType element) {
        this.kind = kind;
        this.integerDigits = integerDigits;
        this.scale = scale;
        this.fields = fields;
        this.element = element;
    }

    static ValueType decimal(int integerDigits, int scale) {
        if (integerDigits + scale > MAX_DECIMAL_PRECISION) return FLOAT64;
        return new ValueType(Kind.DECIMAL, integerDigits, scale, null, null);
    }

    static ValueType struct(Map<String, ValueType> fields) {
        return new ValueType(Kind.STRUCT, 0, 0, java.util.Collections.unmodifiableMap(new LinkedHashMap<>(fields)),
                null);
    }

    static ValueType list(ValueType element) {
        return new ValueType(Kind.LIST, 0, 0, null, element);
    }

    /**
     * The type of one value as a source produced it.
     *
     * @param jsonNested whether maps and lists are kept as JSON text ({@link NestedMode#JSON_STRING})
     */
    static ValueType of(Object v, boolean jsonNested) {
        if (v == null) return NULL;
        if (v instanceof Boolean) return BOOL;
        if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) return INT64;
        if (v instanceof BigInteger bi) {
            return bi.bitLength() < 64 ? INT64 : decimal(bi.abs().toString().length(), 0);
        }
        if (v instanceof BigDecimal bd) return ofDecimal(bd);
        if (v instanceof Double || v instanceof Float) return FLOAT64;
        if (v instanceof CharSequence || v instanceof Character) return UTF8;
        if (v instanceof byte[]) return BINARY;
        if (v instanceof LocalDate) return DATE;
        if (v instanceof Instant) return TIMESTAMP;
        if (v instanceof Map<?, ?> m) {
            if (jsonNested) return UTF8;
            Map<String, ValueType> fields = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                fields.merge(String.valueOf(e.getKey()), of(e.getValue(), false), ValueType::merge);
            }
            return struct(fields);
        }
        if (v instanceof Collection<?> c) {
            if (jsonNested) return UTF8;
            ValueType el = NULL;
            for (Object o : c) el = merge(el, of(o, false));
            return list(el);
        }
        if (v instanceof Number) return FLOAT64;
        return UTF8;
    }

    static ValueType ofDecimal(BigDecimal bd) {
        BigDecimal s = bd.stripTrailingZeros();
        int scale = Math.max(0, s.scale());
        if (scale == 0 && s.precision() - s.scale() <= 19) {
            // an integral value that fits a long stays INT64 (DynamoDB numbers arrive as decimals); a long has up
            // to 19 digits, and longValueExact sorts out the 19-digit values past Long.MAX_VALUE/MIN_VALUE
            try {
                s.longValueExact();
                return INT64;
            } catch (ArithmeticException ignored) {
                // wider than a long: a decimal
            }
        }
        int integerDigits = Math.max(0, s.precision() - s.scale());
        return decimal(integerDigits, scale);
    }

    /** The least type both {@code a} and {@code b} fit in. */
    static ValueType merge(ValueType a, ValueType b) {
        if (a.kind == Kind.NULL) return b;
        if (b.kind == Kind.NULL) return a;
        if (a.kind == b.kind) {
            return switch (a.kind) {
                case DECIMAL -> decimal(Math.max(a.integerDigits, b.integerDigits), Math.max(a.scale, b.scale));
                case STRUCT -> {
                    Map<String, ValueType> f = new LinkedHashMap<>(a.fields);
                    b.fields.forEach((k, t) -> f.merge(k, t, ValueType::merge));
                    yield struct(f);
                }
                case LIST -> list(merge(a.element, b.element));
                default -> a;
            };
        }
        Kind lo = a.kind.ordinal() < b.kind.ordinal() ? a.kind : b.kind;
        Kind hi = a.kind.ordinal() < b.kind.ordinal() ? b.kind : a.kind;
        ValueType hiT = a.kind == hi ? a : b;
        if (lo == Kind.INT64 && hi == Kind.DECIMAL) return decimal(Math.max(19, hiT.integerDigits), hiT.scale);
        if (lo == Kind.INT64 && hi == Kind.FLOAT64) return FLOAT64;
        if (lo == Kind.DECIMAL && hi == Kind.FLOAT64) return FLOAT64;
        if (lo == Kind.DATE && hi == Kind.TIMESTAMP) return TIMESTAMP;
        return UTF8;
    }

    Field toField(String name) {
        return switch (kind) {
            case STRUCT -> {
                List<Field> children = new ArrayList<>();
                fields.forEach((k, t) -> children.add(t.toField(k)));
                yield new Field(name, FieldType.nullable(ArrowType.Struct.INSTANCE), children);
            }
            case LIST -> new Field(name, FieldType.nullable(ArrowType.List.INSTANCE),
                    List.of(element.toField("item")));
            default -> new Field(name, FieldType.nullable(arrowType()), null);
        };
    }

    ArrowType arrowType() {
        return switch (kind) {
            // a column with only nulls in the sample: text is what any later value can become
            case NULL, UTF8 -> ArrowType.Utf8.INSTANCE;
            case BOOL -> ArrowType.Bool.INSTANCE;
            case INT64 -> new ArrowType.Int(64, true);
            case DECIMAL -> new ArrowType.Decimal(MAX_DECIMAL_PRECISION, scale, 128);
            case FLOAT64 -> new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);
            case BINARY -> ArrowType.Binary.INSTANCE;
            case DATE -> new ArrowType.Date(DateUnit.DAY);
            case TIMESTAMP -> new ArrowType.Timestamp(TimeUnit.MICROSECOND, "UTC");
            case STRUCT -> ArrowType.Struct.INSTANCE;
            case LIST -> ArrowType.List.INSTANCE;
        };
    }

    /** The type of an existing Arrow field, so an explicit schema is checked with the same lattice. */
    static ValueType fromField(Field f) {
        ArrowType t = f.getType();
        return switch (t.getTypeID()) {
            case Bool -> BOOL;
            case Int -> INT64;
            case Decimal -> {
                ArrowType.Decimal d = (ArrowType.Decimal) t;
                yield decimal(d.getPrecision() - d.getScale(), d.getScale());
            }
            case FloatingPoint -> FLOAT64;
            case Utf8, LargeUtf8 -> UTF8;
            case Binary, LargeBinary -> BINARY;
            case Date -> DATE;
            case Timestamp -> TIMESTAMP;
            case Struct -> {
                Map<String, ValueType> m = new LinkedHashMap<>();
                for (Field c : f.getChildren()) m.put(c.getName(), fromField(c));
                yield struct(m);
            }
            case List -> list(fromField(f.getChildren().get(0)));
            default -> throw new IllegalArgumentException("unsupported Arrow type for records: " + t);
        };
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof ValueType t)) return false;
        return kind == t.kind && integerDigits == t.integerDigits && scale == t.scale
                && Objects.equals(fields, t.fields) && Objects.equals(element, t.element);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, integerDigits, scale, fields, element);
    }

    @Override
    public String toString() {
        return switch (kind) {
            case DECIMAL -> "decimal(" + (integerDigits + scale) + "," + scale + ")";
            case STRUCT -> "struct" + fields;
            case LIST -> "list<" + element + ">";
            default -> kind.name().toLowerCase(java.util.Locale.ROOT);
        };
    }
}
