package io.polarway.source.dynamodb;

import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Parses the {@code schema} option. Two forms:
 * <ul>
 *   <li>Arrow's own schema JSON (what {@code Schema.toJson()} writes; the guide's {@code schema.to_json()}), when the
 *       text starts with <code>{</code>;</li>
 *   <li>a compact list {@code name:type, name:type, ...} with types {@code utf8} (or {@code string}), {@code int64}
 *       ({@code long}), {@code int32} ({@code int}), {@code int16}, {@code int8}, {@code float64} ({@code double}),
 *       {@code float32} ({@code float}), {@code bool}, {@code binary}, {@code date}, {@code timestamp} (microseconds,
 *       UTC), {@code decimal(p,s)}, {@code list<type>} and {@code struct<name:type, ...>}. A name that is not a plain
 *       word is written in double quotes: {@code "order id":utf8}.</li>
 * </ul>
 * Every field is nullable (a DynamoDB item may lack any attribute). Stateless.
 */
final class SchemaText {
    private final String text;
    private int pos;

    private SchemaText(String text) {
        this.text = text;
    }

    /**
     * @throws IllegalArgumentException with the position and what was expected
     */
    static Schema parse(String text) {
        String t = text.strip();
        if (t.isEmpty()) throw new IllegalArgumentException("empty schema");
        if (t.startsWith("{")) {
            try {
                return Schema.fromJSON(t);
            } catch (IOException | RuntimeException e) {
                throw new IllegalArgumentException("not an Arrow schema JSON: " + e.getMessage(), e);
            }
        }
        SchemaText p = new SchemaText(t);
        List<Field> fields = p.fields('\0');
        p.skipSpace();
        if (p.pos < p.text.length()) throw p.error("',' or the end");
        return new Schema(fields);
    }

    private List<Field> fields(char closing) {
        List<Field> fields = new ArrayList<>();
        Set<String> names = new HashSet<>();
        while (true) {
            skipSpace();
            String name = name();
            skipSpace();
            expect(':');
            Field f = type(name);
            if (!names.add(name)) throw new IllegalArgumentException("field '" + name + "' appears twice");
            fields.add(f);
            skipSpace();
            if (pos < text.length() && text.charAt(pos) == ',') {
                pos++;
                continue;
            }
            if (closing == '\0' || pos < text.length() && text.charAt(pos) == closing) return fields;
            throw error("',' or '" + closing + "'");
        }
    }

    private String name() {
        if (pos < text.length() && text.charAt(pos) == '"') {
            int end = text.indexOf('"', pos + 1);
            if (end < 0) throw error("a closing '\"'");
            String n = text.substring(pos + 1, end);
            pos = end + 1;
            if (n.isEmpty()) throw error("a non-empty name");
            return n;
        }
        int start = pos;
        while (pos < text.length() && isWordChar(text.charAt(pos))) pos++;
        if (start == pos) throw error("a field name");
        return text.substring(start, pos);
    }

    private static boolean isWordChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '-' || c == '.' || c == '$' || c == '@';
    }

    private Field type(String name) {
        skipSpace();
        int start = pos;
        while (pos < text.length() && Character.isLetterOrDigit(text.charAt(pos))) pos++;
        String t = text.substring(start, pos).toLowerCase(Locale.ROOT);
        switch (t) {
            case "utf8", "string", "str", "text" -> {
                return leaf(name, ArrowType.Utf8.INSTANCE);
            }
            case "int64", "long", "bigint" -> {
                return leaf(name, new ArrowType.Int(64, true));
            }
            case "int32", "int", "integer" -> {
                return leaf(name, new ArrowType.Int(32, true));
            }
            case "int16", "short" -> {
                return leaf(name, new ArrowType.Int(16, true));
            }
            case "int8", "byte" -> {
                return leaf(name, new ArrowType.Int(8, true));
            }
            case "float64", "double" -> {
                return leaf(name, new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE));
            }
            case "float32", "float" -> {
                return leaf(name, new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE));
            }
            case "bool", "boolean" -> {
                return leaf(name, ArrowType.Bool.INSTANCE);
            }
            case "binary", "bytes" -> {
                return leaf(name, ArrowType.Binary.INSTANCE);
            }
            case "date" -> {
                return leaf(name, new ArrowType.Date(DateUnit.DAY));
            }
            case "timestamp" -> {
                return leaf(name, new ArrowType.Timestamp(TimeUnit.MICROSECOND, "UTC"));
            }
            case "decimal" -> {
                skipSpace();
                expect('(');
                int precision = integer();
                skipSpace();
                expect(',');
                int scale = integer();
                skipSpace();
                expect(')');
                if (precision < 1 || precision > 38 || scale < 0 || scale > precision) {
                    throw new IllegalArgumentException("decimal(" + precision + "," + scale + ") of field '" + name
                            + "': precision must be 1..38 and scale 0..precision");
                }
                return leaf(name, new ArrowType.Decimal(precision, scale, 128));
            }
            case "list" -> {
                skipSpace();
                expect('<');
                Field element = type("item");
                skipSpace();
                expect('>');
                return new Field(name, FieldType.nullable(ArrowType.List.INSTANCE), List.of(element));
            }
            case "struct" -> {
                skipSpace();
                expect('<');
                List<Field> children = fields('>');
                expect('>');
                return new Field(name, FieldType.nullable(ArrowType.Struct.INSTANCE), children);
            }
            default -> {
                pos = start;
                throw error("a type (utf8, int64, int32, int16, int8, float64, float32, bool, binary, date, "
                        + "timestamp, decimal(p,s), list<...>, struct<...>) for field '" + name + "'");
            }
        }
    }

    private static Field leaf(String name, ArrowType type) {
        return new Field(name, FieldType.nullable(type), null);
    }

    private int integer() {
        skipSpace();
        int start = pos;
        while (pos < text.length() && Character.isDigit(text.charAt(pos))) pos++;
        if (start == pos) throw error("a number");
        return Integer.parseInt(text.substring(start, pos));
    }

    private void expect(char c) {
        if (pos >= text.length() || text.charAt(pos) != c) throw error("'" + c + "'");
        pos++;
    }

    private void skipSpace() {
        while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) pos++;
    }

    private IllegalArgumentException error(String expected) {
        String near = pos < text.length() ? "'" + text.substring(pos, Math.min(text.length(), pos + 20)) + "'"
                : "the end";
        return new IllegalArgumentException("expected " + expected + " at character " + (pos + 1) + ", found " + near);
    }
}
