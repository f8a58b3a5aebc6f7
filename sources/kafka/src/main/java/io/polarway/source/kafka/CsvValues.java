package io.polarway.source.kafka;

import io.polarway.error.ConfigException;
import io.polarway.records.SchemaJson;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.TemporalAccessor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import static io.polarway.source.kafka.KafkaSourceFactory.CSV_COLUMNS;
import static io.polarway.source.kafka.KafkaSourceFactory.SCHEMA;

/**
 * CSV values ({@code format=csv}): each message value is one RFC 4180 record. What the columns are (from
 * {@code csv_columns} and {@code schema}), how a value splits into fields ({@link Splitter}), and how a field's text
 * becomes a value of the engine's record model, for a given column type ({@link #convert}) or as the narrowest type
 * it reads as, for inference ({@link #guess}). The types themselves are inferred, with widening, by the engine's
 * {@link io.polarway.records.RecordBatchBuilder}.
 *
 * <p>Nulls as in the {@code csv} source: an unquoted empty field, an unquoted {@code null_values} entry, and in a
 * column that is not utf8 a quoted empty field. A quoted {@code "NA"} is the string NA.
 */
final class CsvValues {
    private static final Pattern INTEGER = Pattern.compile("[+-]?[0-9]+");
    private static final Pattern DECIMAL_NUMBER =
            Pattern.compile("[+-]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?");
    private static final Pattern SPECIAL_NUMBER = Pattern.compile("[+-]?(nan|inf|infinity)", Pattern.CASE_INSENSITIVE);

    private CsvValues() {
    }

    /**
     * A value column: its name, and its field when the {@code schema} option gives its type (null: inferred).
     */
    record Column(String name, Field given) {
    }

    /** A field's text that is not a value of its column's type. Carries no stack trace: it becomes a ParseException. */
    static final class BadValue extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BadValue(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * The value columns from the options: {@code csv_columns} names them (the {@code schema} types those it names,
     * the others are inferred), or without it the {@code schema} names and types them all, in order.
     *
     * @throws ConfigException naming the option at fault
     */
    static List<Column> columns(List<String> names, String schemaJson) {
        Schema schema = null;
        if (schemaJson != null) {
            try {
                schema = SchemaJson.parse(schemaJson);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(SCHEMA.key(), "bad value for option 'schema': " + e.getMessage(), List.of(),
                        e);
            }
            for (Field f : schema.getFields()) checkType(f);
        }
        List<Column> out = new ArrayList<>();
        if (names == null) {
            if (schema == null) {
                throw new ConfigException(CSV_COLUMNS.key(), "format=csv needs the column names: csv_columns "
                        + "(types inferred) or schema (names and types, in field order)", List.of(), null);
            }
            for (Field f : schema.getFields()) out.add(new Column(f.getName(), f));
            return List.copyOf(out);
        }
        Set<String> seen = new HashSet<>();
        for (String n : names) {
            if (!seen.add(n)) {
                throw new ConfigException(CSV_COLUMNS.key(), "csv_columns names '" + n + "' twice", List.of(), null);
            }
        }
        Map<String, Field> given = new LinkedHashMap<>();
        if (schema != null) {
            for (Field f : schema.getFields()) {
                if (!seen.contains(f.getName())) {
                    throw new ConfigException(SCHEMA.key(), "the schema types column '" + f.getName()
                            + "', which csv_columns does not name: " + names, List.of(), null);
                }
                given.put(f.getName(), f);
            }
        }
        for (String n : names) out.add(new Column(n, given.get(n)));
        return List.copyOf(out);
    }

    private static void checkType(Field f) {
        boolean ok = switch (f.getType().getTypeID()) {
            case Bool, Int, FloatingPoint, Decimal, Utf8, Timestamp -> true;
            case Date -> ((ArrowType.Date) f.getType()).getUnit() == DateUnit.DAY;
            default -> false;
        };
        if (!ok) {
            throw new ConfigException(SCHEMA.key(), "column '" + f.getName() + "' has type " + f.getType()
                    + ", which a CSV field cannot hold (use bool, int8..int64, float32, float64, decimal(p,s), utf8, "
                    + "date, timestamp[unit, zone])", List.of(), null);
        }
    }

    /** Whether a field is null for a column of {@code type}: see the class comment. */
    static boolean isNull(String text, boolean quoted, ArrowType type, List<String> nullValues) {
        if (text.isEmpty()) return !quoted || type.getTypeID() != ArrowType.ArrowTypeID.Utf8;
        return !quoted && nullValues.contains(text);
    }

    /**
     * The field's value for a column of {@code field}'s type, in the record model ({@code Long}, {@code Double},
     * {@code Boolean}, {@code String}, {@code BigDecimal}, {@code LocalDate}, {@code Instant}), or null.
     *
     * @throws BadValue when the text is not a value of the type (or a null in a non-nullable column)
     */
    static Object convert(String text, boolean quoted, Field field, List<String> nullValues) {
        ArrowType type = field.getType();
        if (text == null || isNull(text, quoted, type, nullValues)) {
            if (!field.isNullable()) throw new BadValue("a null in non-nullable column '" + field.getName() + "'");
            return null;
        }
        switch (type.getTypeID()) {
            case Utf8:
                return text;
            case Bool:
                if (text.equalsIgnoreCase("true")) return Boolean.TRUE;
                if (text.equalsIgnoreCase("false")) return Boolean.FALSE;
                throw bad(text, field, "bool");
            case Int: {
                int bits = ((ArrowType.Int) type).getBitWidth();
                Long v = parseLong(text);
                if (v == null || bits < 64 && (v < -(1L << (bits - 1)) || v >= 1L << (bits - 1))) {
                    throw bad(text, field, "int" + bits);
                }
                return v;
            }
            case FloatingPoint: {
                Double v = parseDouble(text);
                if (v != null) return v;
                boolean single = ((ArrowType.FloatingPoint) type).getPrecision() == FloatingPointPrecision.SINGLE;
                throw bad(text, field, single ? "float32" : "float64");
            }
            case Decimal: {
                ArrowType.Decimal d = (ArrowType.Decimal) type;
                String name = "decimal(" + d.getPrecision() + "," + d.getScale() + ")";
                if (!DECIMAL_NUMBER.matcher(text).matches()) throw bad(text, field, name);
                try {
                    BigDecimal v = new BigDecimal(text).setScale(d.getScale(), RoundingMode.UNNECESSARY);
                    if (v.precision() > d.getPrecision()) throw bad(text, field, name);
                    return v;
                } catch (ArithmeticException e) {
                    throw bad(text, field, name);
                }
            }
            case Date:
                try {
                    return LocalDate.parse(text);
                } catch (DateTimeParseException e) {
                    throw bad(text, field, "date (yyyy-MM-dd)");
                }
            case Timestamp:
                try {
                    return instant(text);
                } catch (DateTimeParseException e) {
                    throw bad(text, field, "timestamp (ISO 8601)");
                }
            default:
                throw new IllegalStateException("unchecked CSV column type " + type); // checkType rejected it
        }
    }

    /**
     * The field's value for inference: the narrowest of {@code Long}, {@code Double}, {@code Boolean} and
     * {@code String} it reads as, or null for a null or an empty field (no evidence of a type).
     */
    static Object guess(String text, boolean quoted, List<String> nullValues) {
        if (text == null || text.isEmpty() || !quoted && nullValues.contains(text)) return null;
        Long l = parseLong(text);
        if (l != null) return l;
        Double d = parseDouble(text);
        if (d != null) return d;
        if (text.equalsIgnoreCase("true")) return Boolean.TRUE;
        if (text.equalsIgnoreCase("false")) return Boolean.FALSE;
        return text;
    }

    private static Long parseLong(String text) {
        if (!INTEGER.matcher(text).matches()) return null;
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            return null; // out of range: a float
        }
    }

    private static Double parseDouble(String text) {
        if (DECIMAL_NUMBER.matcher(text).matches()) return Double.parseDouble(text);
        if (!SPECIAL_NUMBER.matcher(text).matches()) return null;
        boolean negative = text.charAt(0) == '-';
        if (text.toLowerCase(Locale.ROOT).endsWith("nan")) return Double.NaN;
        return negative ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    }

    /** ISO 8601: a date, or a date-time (T or a space) with or without an offset; without one it is UTC. */
    private static Instant instant(String text) {
        if (text.length() == 10) return LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant();
        String iso = text.length() > 10 && text.charAt(10) == ' '
                ? text.substring(0, 10) + 'T' + text.substring(11) : text;
        TemporalAccessor t = DateTimeFormatter.ISO_DATE_TIME.parseBest(iso, OffsetDateTime::from, LocalDateTime::from);
        return t instanceof OffsetDateTime o ? o.toInstant() : ((LocalDateTime) t).toInstant(ZoneOffset.UTC);
    }

    private static BadValue bad(String text, Field field, String type) {
        String shown = text.length() > 60 ? text.substring(0, 57) + "..." : text;
        return new BadValue("value '" + shown + "' of column '" + field.getName() + "' is not of type " + type);
    }

    /**
     * Splits one CSV record — a whole message value — into its fields: RFC 4180, with a configurable delimiter and
     * quote. A quoted field may hold delimiters, line breaks and doubled quotes; a quote inside an unquoted field is
     * data; one line break (LF or CRLF) may end the value; any other line break outside quotes means the value holds
     * more than one record, which is an error, as are an unterminated quote and a character after a closing quote
     * other than a delimiter or the line end. Reuses its arrays: not thread-safe.
     */
    static final class Splitter {
        private final char delimiter;
        private final char quote;
        private final StringBuilder unescaped = new StringBuilder();
        /** The fields of the last value split: text (quotes removed, doubled quotes undone) and whether quoted. */
        String[] texts = new String[16];
        boolean[] quoted = new boolean[16];
        int count;
        /** When the last value was not one CSV record: what is wrong, and the 1-based field where it shows. */
        String error;
        int errorField;

        Splitter(char delimiter, char quote) {
            this.delimiter = delimiter;
            this.quote = quote;
        }

        /**
         * @return the number of fields, in {@link #texts} and {@link #quoted}; -1 when the value is not one CSV
         *         record ({@link #error}, {@link #errorField})
         */
        int split(String v) {
            count = 0;
            error = null;
            int n = v.length();
            int i = 0;
            while (true) {
                if (i < n && v.charAt(i) == quote) {
                    unescaped.setLength(0);
                    int k = i + 1;
                    while (true) {
                        int q = v.indexOf(quote, k);
                        if (q < 0) return malformed("unterminated quoted field", count + 1);
                        unescaped.append(v, k, q);
                        if (q + 1 < n && v.charAt(q + 1) == quote) {
                            unescaped.append(quote);
                            k = q + 2;
                            continue;
                        }
                        i = q + 1;
                        break;
                    }
                    add(unescaped.toString(), true);
                    if (i == n || lineEnd(v, i)) return count;
                    if (v.charAt(i) != delimiter) {
                        return malformed("unexpected character after a closing quote (a quote inside a quoted "
                                + "field must be doubled)", count);
                    }
                    i++;
                } else {
                    int s = i;
                    while (i < n && v.charAt(i) != delimiter && v.charAt(i) != '\n') i++;
                    if (i < n && v.charAt(i) == delimiter) {
                        add(v.substring(s, i), false);
                        i++;
                        continue;
                    }
                    if (i < n - 1) {
                        return malformed("a line break outside quotes: a value holds one CSV record", count + 1);
                    }
                    int e = i > s && v.charAt(i - 1) == '\r' ? i - 1 : i;
                    add(v.substring(s, e), false);
                    return count;
                }
            }
        }

        private int malformed(String what, int field) {
            error = what;
            errorField = field;
            return -1;
        }

        /** Whether the rest of the value from {@code i} is one line break (LF, CRLF or a lone CR). */
        private static boolean lineEnd(String v, int i) {
            int rest = v.length() - i;
            char c = v.charAt(i);
            return rest == 1 && (c == '\n' || c == '\r') || rest == 2 && c == '\r' && v.charAt(i + 1) == '\n';
        }

        private void add(String text, boolean wasQuoted) {
            if (count == texts.length) {
                texts = Arrays.copyOf(texts, count * 2);
                quoted = Arrays.copyOf(quoted, count * 2);
            }
            texts[count] = text;
            quoted[count] = wasQuoted;
            count++;
        }
    }
}
