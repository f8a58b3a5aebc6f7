package io.polarway.records;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Parses the {@code schema} option of record sources: the guide's {@code config.with_option("schema", schema.to_json())}
 * as a JSON list of fields, or an object of name to type, in column order:
 *
 * <pre>
 * [{"name": "id", "type": "int64", "nullable": false}, {"name": "price", "type": "decimal(12,2)"},
 *  {"name": "tags", "type": "list", "item": "utf8"},
 *  {"name": "owner", "type": "struct", "fields": [{"name": "login", "type": "utf8"}]}]
 * {"id": "int64", "name": "utf8", "seen": "timestamp[ms, UTC]"}
 * </pre>
 *
 * Types: {@code bool}, {@code int8}…{@code int64} ({@code int} = int64), {@code float32}, {@code float64}
 * ({@code float}, {@code double}), {@code utf8} ({@code string}, {@code str}), {@code binary}, {@code date} (days),
 * {@code timestamp} (microseconds, UTC) or {@code timestamp[unit]} / {@code timestamp[unit, zone]} with unit
 * {@code s}, {@code ms}, {@code us}, {@code ns}, {@code decimal(precision, scale)}, {@code list} (with {@code item}: a
 * type name or a field object) and {@code struct} (with {@code fields}). Fields are nullable unless
 * {@code "nullable": false}. Stateless and thread-safe.
 */
public final class SchemaJson {
    private static final Pattern DECIMAL = Pattern.compile("decimal\\(\\s*(\\d+)\\s*,\\s*(\\d+)\\s*\\)");
    private static final Pattern TIMESTAMP = Pattern.compile("timestamp\\[\\s*(s|ms|us|ns)\\s*(?:,\\s*([^\\]]+?)\\s*)?]");

    private SchemaJson() {
    }

    /**
     * @throws IllegalArgumentException naming the field and what is wrong, for malformed JSON, an unknown type or a
     *         type records cannot fill
     */
    public static Schema parse(String json) {
        Object value;
        try (JsonParser p = JsonValues.FACTORY.createParser(json)) {
            if (p.nextToken() == null) throw new IllegalArgumentException("schema is empty");
            value = JsonValues.read(p, false);
            if (p.nextToken() != null) throw new IllegalArgumentException("text after the schema's JSON value");
        } catch (IOException e) {
            throw new IllegalArgumentException("schema is not valid JSON: " + firstLine(e.getMessage()), e);
        }
        List<Field> fields = new ArrayList<>();
        if (value instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) fields.add(field(String.valueOf(e.getKey()), e.getValue(), true));
        } else if (value instanceof Collection<?> list) {
            for (Object o : list) fields.add(field(o));
        } else {
            throw new IllegalArgumentException("schema must be a JSON list of fields or an object of name to type");
        }
        if (fields.isEmpty()) throw new IllegalArgumentException("schema has no fields");
        for (Field f : fields) {
            try {
                ColumnWriter.check(f);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("schema: " + e.getMessage(), e);
            }
        }
        return new Schema(fields);
    }

    private static Field field(Object o) {
        if (!(o instanceof Map<?, ?> m)) throw new IllegalArgumentException("schema field " + o + " is not an object");
        Object name = m.get("name");
        if (!(name instanceof String n) || n.isEmpty()) {
            throw new IllegalArgumentException("schema field " + JsonValues.toJson(o) + " has no name");
        }
        Object nullable = m.containsKey("nullable") ? m.get("nullable") : Boolean.TRUE;
        if (!(nullable instanceof Boolean)) throw new IllegalArgumentException("field " + n + ": nullable must be true or false");
        return field(n, m, (Boolean) nullable);
    }

    /** @param spec a type name, or a field object with "type" (and "item" or "fields") */
    private static Field field(String name, Object spec, boolean nullable) {
        String type;
        Map<?, ?> m = null;
        if (spec instanceof String s) {
            type = s;
        } else if (spec instanceof Map<?, ?> map && map.get("type") instanceof String s) {
            type = s;
            m = map;
        } else {
            throw new IllegalArgumentException("field " + name + ": type must be a string, got " + JsonValues.toJson(spec));
        }
        String t = type.trim().toLowerCase(Locale.ROOT);
        switch (t) {
            case "list": {
                Object item = m == null ? null : m.get("item");
                if (item == null) throw new IllegalArgumentException("field " + name + ": a list needs an \"item\" type");
                Field child = item instanceof Map<?, ?> im && im.containsKey("name") ? field(item)
                        : field("item", item, true);
                return new Field(name, new FieldType(nullable, ArrowType.List.INSTANCE, null), List.of(child));
            }
            case "struct": {
                Object fs = m == null ? null : m.get("fields");
                List<Field> children = new ArrayList<>();
                if (fs instanceof Collection<?> c) {
                    for (Object o : c) children.add(field(o));
                } else if (fs instanceof Map<?, ?> fm) {
                    for (Map.Entry<?, ?> e : fm.entrySet()) children.add(field(String.valueOf(e.getKey()), e.getValue(), true));
                }
                if (children.isEmpty()) throw new IllegalArgumentException("field " + name + ": a struct needs \"fields\"");
                return new Field(name, new FieldType(nullable, ArrowType.Struct.INSTANCE, null), children);
            }
            default:
                return new Field(name, new FieldType(nullable, scalar(name, t), null), null);
        }
    }

    private static ArrowType scalar(String name, String t) {
        switch (t) {
            case "bool", "boolean": return ArrowType.Bool.INSTANCE;
            case "int8": return new ArrowType.Int(8, true);
            case "int16": return new ArrowType.Int(16, true);
            case "int32": return new ArrowType.Int(32, true);
            case "int64", "int", "long": return new ArrowType.Int(64, true);
            case "float32": return new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE);
            case "float64", "float", "double": return new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);
            case "utf8", "string", "str": return ArrowType.Utf8.INSTANCE;
            case "binary": return ArrowType.Binary.INSTANCE;
            case "date", "date32": return new ArrowType.Date(DateUnit.DAY);
            case "timestamp": return new ArrowType.Timestamp(TimeUnit.MICROSECOND, "UTC");
            default: break;
        }
        Matcher d = DECIMAL.matcher(t);
        if (d.matches()) {
            int precision = Integer.parseInt(d.group(1));
            int scale = Integer.parseInt(d.group(2));
            if (precision < 1 || precision > 38 || scale > precision) {
                throw new IllegalArgumentException("field " + name + ": decimal precision must be 1..38 and scale ≤ precision");
            }
            return new ArrowType.Decimal(precision, scale, 128);
        }
        Matcher ts = TIMESTAMP.matcher(t);
        if (ts.matches()) {
            TimeUnit unit = switch (ts.group(1)) {
                case "s" -> TimeUnit.SECOND;
                case "ms" -> TimeUnit.MILLISECOND;
                case "us" -> TimeUnit.MICROSECOND;
                default -> TimeUnit.NANOSECOND;
            };
            String zone = ts.group(2);
            return new ArrowType.Timestamp(unit, zone == null ? null : zone.toUpperCase(Locale.ROOT).equals("UTC") ? "UTC" : zone);
        }
        throw new IllegalArgumentException("field " + name + ": unknown type '" + t + "' (use bool, int8..int64, "
                + "float32, float64, utf8, binary, date, timestamp[unit, zone], decimal(p,s), list, struct)");
    }

    private static String firstLine(String s) {
        if (s == null) return "";
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
