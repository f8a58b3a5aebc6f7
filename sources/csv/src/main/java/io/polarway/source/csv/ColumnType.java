package io.polarway.source.csv;

import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;

import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A CSV column's type: one of the six the reader produces, with a unit and zone for timestamps. Immutable.
 *
 * @param kind     the type
 * @param unit     for {@link Kind#TIMESTAMP}: the unit (values with more precision are bad values); else null
 * @param timezone for {@link Kind#TIMESTAMP}: {@code UTC} when values carry offsets (they are converted to UTC), or
 *                 null for local (naive) date-times; else null
 */
record ColumnType(Kind kind, TimeUnit unit, String timezone) {

    enum Kind { INT64, FLOAT64, BOOLEAN, UTF8, DATE, TIMESTAMP }

    static final ColumnType INT64 = new ColumnType(Kind.INT64, null, null);
    static final ColumnType FLOAT64 = new ColumnType(Kind.FLOAT64, null, null);
    static final ColumnType BOOLEAN = new ColumnType(Kind.BOOLEAN, null, null);
    static final ColumnType UTF8 = new ColumnType(Kind.UTF8, null, null);
    static final ColumnType DATE = new ColumnType(Kind.DATE, null, null);

    private static final Pattern TIMESTAMP = Pattern.compile(
            "timestamp(?:\\[\\s*(s|ms|us|ns)\\s*(?:,\\s*([A-Za-z0-9_/+\\-:]+)\\s*)?])?");

    ColumnType {
        Objects.requireNonNull(kind, "kind");
        if (kind == Kind.TIMESTAMP) Objects.requireNonNull(unit, "unit");
    }

    static ColumnType timestamp(TimeUnit unit, String timezone) {
        return new ColumnType(Kind.TIMESTAMP, unit, timezone);
    }

    /**
     * Parses a type name as the {@code schema} option writes it.
     *
     * @throws IllegalArgumentException naming the valid types
     */
    static ColumnType parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        switch (t) {
            case "int64", "i64", "long", "int", "integer", "bigint" -> {
                return INT64;
            }
            case "float64", "f64", "double", "float", "number" -> {
                return FLOAT64;
            }
            case "boolean", "bool" -> {
                return BOOLEAN;
            }
            case "utf8", "string", "str", "text", "varchar" -> {
                return UTF8;
            }
            case "date", "date32" -> {
                return DATE;
            }
            default -> {
            }
        }
        Matcher m = TIMESTAMP.matcher(t);
        if (m.matches()) {
            TimeUnit unit = m.group(1) == null ? TimeUnit.MICROSECOND : switch (m.group(1)) {
                case "s" -> TimeUnit.SECOND;
                case "ms" -> TimeUnit.MILLISECOND;
                case "us" -> TimeUnit.MICROSECOND;
                default -> TimeUnit.NANOSECOND;
            };
            String zone = m.group(2);
            if (zone != null && !zone.equals("utc") && !zone.equals("z")) {
                throw new IllegalArgumentException("timestamp zone must be UTC (values with offsets are converted to "
                        + "UTC), got '" + m.group(2) + "'");
            }
            return timestamp(unit, zone == null ? null : "UTC");
        }
        throw new IllegalArgumentException("unknown type '" + text + "' (valid: int64, float64, boolean, utf8, date, "
                + "timestamp, timestamp[s|ms|us|ns], timestamp[us, UTC])");
    }

    ArrowType arrowType() {
        return switch (kind) {
            case INT64 -> new ArrowType.Int(64, true);
            case FLOAT64 -> new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);
            case BOOLEAN -> ArrowType.Bool.INSTANCE;
            case UTF8 -> ArrowType.Utf8.INSTANCE;
            case DATE -> new ArrowType.Date(DateUnit.DAY);
            case TIMESTAMP -> new ArrowType.Timestamp(unit, timezone);
        };
    }

    /** Units per second of a timestamp unit. */
    static long perSecond(TimeUnit unit) {
        return switch (unit) {
            case SECOND -> 1L;
            case MILLISECOND -> 1_000L;
            case MICROSECOND -> 1_000_000L;
            case NANOSECOND -> 1_000_000_000L;
        };
    }

    /** Fraction digits a unit holds: 0, 3, 6 or 9. */
    static int fractionDigits(TimeUnit unit) {
        return switch (unit) {
            case SECOND -> 0;
            case MILLISECOND -> 3;
            case MICROSECOND -> 6;
            case NANOSECOND -> 9;
        };
    }

    @Override
    public String toString() {
        if (kind != Kind.TIMESTAMP) return kind.name().toLowerCase(Locale.ROOT);
        String u = switch (unit) {
            case SECOND -> "s";
            case MILLISECOND -> "ms";
            case MICROSECOND -> "us";
            case NANOSECOND -> "ns";
        };
        return "timestamp[" + u + (timezone != null ? ", " + timezone : "") + "]";
    }
}
