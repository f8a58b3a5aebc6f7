package io.polarway.source.file.parquet;

import io.polarway.error.ConfigException;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A row filter pushed into the Parquet scan, written as text and compiled to a Substrait {@code ExtendedExpression}
 * (what arrow-dataset 18's {@code ScanOptions.Builder.substraitFilter} takes). The scanner then skips row groups
 * whose statistics exclude every row and drops non-matching rows before they reach Java.
 *
 * <h2>Syntax</h2>
 * <pre>
 *   filter     := or
 *   or         := and ( OR and )*
 *   and        := unary ( AND unary )*
 *   unary      := NOT unary | '(' or ')' | predicate
 *   predicate  := column op literal
 *               | column IS [NOT] NULL
 *               | column [NOT] IN '(' literal ( ',' literal )* ')'
 *   op         := '=' | '==' | '!=' | '&lt;&gt;' | '&lt;' | '&lt;=' | '&gt;' | '&gt;='
 *   column     := name | "quoted name"          (names: letters, digits, '_', '.')
 *   literal    := integer | decimal | 'text' | TRUE | FALSE
 * </pre>
 * Keywords are case-insensitive; a quote inside a text literal is doubled ({@code 'it''s'}). The literal is read as
 * the column's type: integers and decimals for numeric columns, text for string columns, {@code 'YYYY-MM-DD'} for
 * date columns, {@code 'YYYY-MM-DDTHH:MM:SS[.ffffff]'} (UTC) for timestamp columns, TRUE/FALSE for booleans.
 * Comparisons with a null value are not true (SQL semantics), so such rows are dropped. Examples:
 * {@code id >= 1000 AND id < 2000}, {@code city = 'Paris' OR city IS NULL}, {@code day IN ('2024-01-01', '2024-01-02')}.
 *
 * <p>Immutable and thread-safe once parsed.
 */
public final class ParquetFilter {
    static final String COMPARISON_URI =
            "https://github.com/substrait-io/substrait/blob/main/extensions/functions_comparison.yaml";
    static final String BOOLEAN_URI =
            "https://github.com/substrait-io/substrait/blob/main/extensions/functions_boolean.yaml";
    /** Substrait version written into the expression; arrow-dataset 18 accepts 0.20 and later. */
    private static final int SUBSTRAIT_MINOR_VERSION = 44;

    private final String text;
    private final Node root;

    private ParquetFilter(String text, Node root) {
        this.text = text;
        this.root = root;
    }

    /**
     * Parses a filter.
     *
     * @throws ConfigException (key {@code filter}) naming the position of the syntax error
     */
    public static ParquetFilter parse(String text) {
        Parser p = new Parser(text);
        Node n = p.parseOr();
        p.expectEnd();
        return new ParquetFilter(text, n);
    }

    /** The column names the filter reads. */
    public List<String> columns() {
        List<String> out = new ArrayList<>();
        root.collectColumns(out);
        return out;
    }

    @Override
    public String toString() {
        return text;
    }

    /**
     * Compiles the filter against a file's full schema (column positions and types come from it).
     *
     * @param resource the file, for error messages
     * @throws ConfigException for an unknown column, a literal that does not fit its column's type, or a column type
     *                         the filter cannot compare
     */
    public byte[] toSubstrait(Schema schema, String resource) {
        Encoder e = new Encoder(schema, resource);
        ProtoWriter expr = root.encode(e);
        ProtoWriter doc = new ProtoWriter()
                .message(7, new ProtoWriter().uint(1, 0).uint(2, SUBSTRAIT_MINOR_VERSION).string(5, "polarway"));
        int uriAnchor = 1;
        Map<String, Integer> uriAnchors = new LinkedHashMap<>();
        for (FunctionRef f : e.functions.values()) {
            if (!uriAnchors.containsKey(f.uri)) uriAnchors.put(f.uri, uriAnchor++);
        }
        uriAnchors.forEach((uri, anchor) -> doc.message(1, new ProtoWriter().uint(1, anchor).string(2, uri)));
        for (Map.Entry<String, FunctionRef> f : e.functions.entrySet()) {
            doc.message(2, new ProtoWriter().message(3, new ProtoWriter()
                    .uint(1, uriAnchors.get(f.getValue().uri))
                    .uint(2, f.getValue().anchor)
                    .string(3, f.getKey())));
        }
        doc.message(3, new ProtoWriter().message(1, expr).string(3, "filter"));
        ProtoWriter struct = new ProtoWriter();
        ProtoWriter named = new ProtoWriter();
        List<Field> fields = schema.getFields();
        for (int i = 0; i < fields.size(); i++) {
            named.string(1, fields.get(i).getName());
            // Only the columns the filter reads need their real type (the scanner binds the expression to the file's
            // schema again by position); the others get a placeholder, so columns of types Substrait cannot express
            // (nested, unsigned, dictionary) do not prevent filtering on the others.
            ArrowType t = e.referenced.contains(i) ? fields.get(i).getType() : ArrowType.Bool.INSTANCE;
            struct.message(1, typeOf(t, fields.get(i).getName(), resource));
        }
        struct.uint(3, 2); // NULLABILITY_REQUIRED for the row struct itself
        named.message(2, struct);
        doc.message(4, named);
        return doc.toByteArray();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // AST

    private record FunctionRef(String uri, int anchor) {
    }

    private static final class Encoder {
        final Schema schema;
        final String resource;
        final Map<String, FunctionRef> functions = new LinkedHashMap<>();
        final java.util.Set<Integer> referenced = new java.util.HashSet<>();

        Encoder(Schema schema, String resource) {
            this.schema = schema;
            this.resource = resource;
        }

        int function(String name, String uri) {
            return functions.computeIfAbsent(name, n -> new FunctionRef(uri, functions.size() + 1)).anchor;
        }

        int column(String name) {
            List<Field> fields = schema.getFields();
            for (int i = 0; i < fields.size(); i++) {
                if (fields.get(i).getName().equals(name)) {
                    referenced.add(i);
                    return i;
                }
            }
            List<String> names = fields.stream().map(Field::getName).toList();
            throw new ConfigException("filter", "filter column '" + name + "' is not in " + resource, names, null);
        }
    }

    private interface Node {
        ProtoWriter encode(Encoder e);

        void collectColumns(List<String> out);
    }

    private record Call(String function, String uri, List<Node> args) implements Node {
        @Override
        public ProtoWriter encode(Encoder e) {
            int anchor = e.function(function, uri);
            ProtoWriter f = new ProtoWriter().uint(1, anchor);
            for (Node a : args) f.message(4, new ProtoWriter().message(3, a.encode(e)));
            f.message(3, new ProtoWriter().message(1, new ProtoWriter().uint(2, 1)));
            return new ProtoWriter().message(3, f);
        }

        @Override
        public void collectColumns(List<String> out) {
            for (Node a : args) a.collectColumns(out);
        }
    }

    private record Column(String name) implements Node {
        @Override
        public ProtoWriter encode(Encoder e) {
            int index = e.column(name);
            ProtoWriter segment = new ProtoWriter().message(2, new ProtoWriter().int64(1, index));
            ProtoWriter ref = new ProtoWriter().message(1, segment).message(4, new ProtoWriter());
            return new ProtoWriter().message(2, ref);
        }

        @Override
        public void collectColumns(List<String> out) {
            out.add(name);
        }
    }

    /** A literal compared with {@code column}: encoded in the column's type. */
    private record Literal(Token token, Column column) implements Node {
        @Override
        public ProtoWriter encode(Encoder e) {
            int index = e.column(column.name);
            Field field = e.schema.getFields().get(index);
            ProtoWriter lit = literal(token, field, e.resource);
            return new ProtoWriter().message(1, lit);
        }

        @Override
        public void collectColumns(List<String> out) {
        }
    }

    private static ProtoWriter literal(Token t, Field field, String resource) {
        ArrowType type = field.getType();
        String col = field.getName();
        try {
            if (type instanceof ArrowType.Int i) {
                if (t.kind != Kind.NUMBER) throw mismatch(t, col, type);
                long v = Long.parseLong(t.text);
                if (!i.getIsSigned() || i.getBitWidth() == 64) return new ProtoWriter().int64(7, v);
                return switch (i.getBitWidth()) {
                    case 8 -> new ProtoWriter().int64(2, checkRange(v, Byte.MIN_VALUE, Byte.MAX_VALUE, t, col));
                    case 16 -> new ProtoWriter().int64(3, checkRange(v, Short.MIN_VALUE, Short.MAX_VALUE, t, col));
                    default -> new ProtoWriter().int64(5, checkRange(v, Integer.MIN_VALUE, Integer.MAX_VALUE, t, col));
                };
            }
            if (type instanceof ArrowType.FloatingPoint) {
                if (t.kind != Kind.NUMBER) throw mismatch(t, col, type);
                return new ProtoWriter().fp64(11, Double.parseDouble(t.text));
            }
            if (type instanceof ArrowType.Utf8 || type instanceof ArrowType.LargeUtf8) {
                if (t.kind != Kind.STRING) throw mismatch(t, col, type);
                return new ProtoWriter().string(12, t.text);
            }
            if (type instanceof ArrowType.Bool) {
                if (t.kind != Kind.TRUE && t.kind != Kind.FALSE) throw mismatch(t, col, type);
                return new ProtoWriter().bool(1, t.kind == Kind.TRUE);
            }
            if (type instanceof ArrowType.Date d && d.getUnit() == DateUnit.DAY) {
                if (t.kind != Kind.STRING) throw mismatch(t, col, type);
                return new ProtoWriter().int64(16, LocalDate.parse(t.text).toEpochDay());
            }
            if (type instanceof ArrowType.Timestamp ts) {
                if (t.kind != Kind.STRING) throw mismatch(t, col, type);
                LocalDateTime dt = LocalDateTime.parse(t.text.replace(' ', 'T'));
                long micros = Math.addExact(Math.multiplyExact(dt.toEpochSecond(ZoneOffset.UTC), 1_000_000L),
                        dt.getNano() / 1000);
                return new ProtoWriter().int64(ts.getTimezone() == null ? 14 : 27, micros);
            }
        } catch (NumberFormatException | DateTimeParseException | ArithmeticException ex) {
            throw new ConfigException("filter", "filter literal " + t.text + " does not fit column '" + col + "' ("
                    + type + ")", List.of(), ex);
        }
        throw new ConfigException("filter", "filter cannot compare column '" + col + "' of type " + type + " in "
                + resource + " (supported: integers, floating point, strings, booleans, dates, timestamps)",
                List.of(), null);
    }

    private static long checkRange(long v, long min, long max, Token t, String col) {
        if (v < min || v > max) {
            throw new ConfigException("filter", "filter literal " + t.text + " is out of range for column '" + col
                    + "'", List.of(), null);
        }
        return v;
    }

    private static ConfigException mismatch(Token t, String col, ArrowType type) {
        return new ConfigException("filter", "filter literal " + t.describe() + " cannot be compared with column '"
                + col + "' of type " + type, List.of(), null);
    }

    private static ProtoWriter typeOf(ArrowType t, String col, String resource) {
        ProtoWriter nullable = new ProtoWriter().uint(2, 1);
        int kind;
        if (t instanceof ArrowType.Bool) kind = 1;
        else if (t instanceof ArrowType.Int i && i.getIsSigned()) {
            kind = switch (i.getBitWidth()) {
                case 8 -> 2;
                case 16 -> 3;
                case 32 -> 5;
                default -> 7;
            };
        } else if (t instanceof ArrowType.Int) kind = 7; // unsigned: compared as int64 after the scanner's re-binding
        else if (t instanceof ArrowType.FloatingPoint f) {
            kind = f.getPrecision() == org.apache.arrow.vector.types.FloatingPointPrecision.SINGLE ? 10 : 11;
        } else if (t instanceof ArrowType.Utf8 || t instanceof ArrowType.LargeUtf8) kind = 12;
        else if (t instanceof ArrowType.Date) kind = 16;
        else if (t instanceof ArrowType.Timestamp ts) kind = ts.getTimezone() == null ? 14 : 29;
        else {
            throw new ConfigException("filter", "filter cannot compare column '" + col + "' of type " + t + " in "
                    + resource, List.of(), null);
        }
        return new ProtoWriter().message(kind, nullable);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Parser

    private enum Kind { NAME, NUMBER, STRING, TRUE, FALSE, AND, OR, NOT, IS, NULL, IN, OP, LPAREN, RPAREN, COMMA, END }

    private record Token(Kind kind, String text, int position) {
        String describe() {
            return kind == Kind.STRING ? "'" + text + "'" : text;
        }
    }

    private static final class Parser {
        private final String src;
        private final List<Token> tokens = new ArrayList<>();
        private int pos;

        Parser(String src) {
            this.src = src;
            tokenize();
        }

        private ConfigException error(String what, int at) {
            return new ConfigException("filter", "bad filter '" + src + "': " + what + " at character " + (at + 1),
                    List.of(), null);
        }

        private void tokenize() {
            int i = 0;
            int n = src.length();
            while (i < n) {
                char c = src.charAt(i);
                if (Character.isWhitespace(c)) {
                    i++;
                } else if (c == '(') {
                    tokens.add(new Token(Kind.LPAREN, "(", i++));
                } else if (c == ')') {
                    tokens.add(new Token(Kind.RPAREN, ")", i++));
                } else if (c == ',') {
                    tokens.add(new Token(Kind.COMMA, ",", i++));
                } else if (c == '\'' || c == '"') {
                    int start = i++;
                    StringBuilder sb = new StringBuilder();
                    while (true) {
                        if (i >= n) throw error("unterminated quote", start);
                        char d = src.charAt(i++);
                        if (d == c) {
                            if (i < n && src.charAt(i) == c) {
                                sb.append(c);
                                i++;
                            } else {
                                break;
                            }
                        } else {
                            sb.append(d);
                        }
                    }
                    tokens.add(new Token(c == '\'' ? Kind.STRING : Kind.NAME, sb.toString(), start));
                } else if (c == '=' || c == '!' || c == '<' || c == '>') {
                    int start = i++;
                    if (i < n && (src.charAt(i) == '=' || (c == '<' && src.charAt(i) == '>'))) i++;
                    String op = src.substring(start, i);
                    if (op.equals("!")) throw error("'!' must be followed by '='", start);
                    tokens.add(new Token(Kind.OP, op, start));
                } else if (Character.isDigit(c) || ((c == '-' || c == '+' || c == '.') && i + 1 < n
                        && (Character.isDigit(src.charAt(i + 1)) || src.charAt(i + 1) == '.'))) {
                    int start = i++;
                    while (i < n && (Character.isLetterOrDigit(src.charAt(i)) || src.charAt(i) == '.'
                            || ((src.charAt(i) == '-' || src.charAt(i) == '+')
                            && (src.charAt(i - 1) == 'e' || src.charAt(i - 1) == 'E')))) {
                        i++;
                    }
                    tokens.add(new Token(Kind.NUMBER, src.substring(start, i).replace("_", ""), start));
                } else if (Character.isLetter(c) || c == '_') {
                    int start = i++;
                    while (i < n && (Character.isLetterOrDigit(src.charAt(i)) || src.charAt(i) == '_'
                            || src.charAt(i) == '.')) {
                        i++;
                    }
                    String word = src.substring(start, i);
                    Kind k = switch (word.toUpperCase(Locale.ROOT)) {
                        case "AND" -> Kind.AND;
                        case "OR" -> Kind.OR;
                        case "NOT" -> Kind.NOT;
                        case "IS" -> Kind.IS;
                        case "NULL" -> Kind.NULL;
                        case "IN" -> Kind.IN;
                        case "TRUE" -> Kind.TRUE;
                        case "FALSE" -> Kind.FALSE;
                        default -> Kind.NAME;
                    };
                    tokens.add(new Token(k, word, start));
                } else {
                    throw error("unexpected character '" + c + "'", i);
                }
            }
            tokens.add(new Token(Kind.END, "end of filter", n));
        }

        private Token peek() {
            return tokens.get(pos);
        }

        private Token next() {
            return tokens.get(pos++);
        }

        private Token expect(Kind k, String what) {
            Token t = next();
            if (t.kind != k) throw error("expected " + what + " but found " + t.describe(), t.position);
            return t;
        }

        void expectEnd() {
            Token t = peek();
            if (t.kind != Kind.END) throw error("unexpected " + t.describe(), t.position);
        }

        Node parseOr() {
            Node left = parseAnd();
            while (peek().kind == Kind.OR) {
                next();
                left = new Call("or", BOOLEAN_URI, List.of(left, parseAnd()));
            }
            return left;
        }

        Node parseAnd() {
            Node left = parseUnary();
            while (peek().kind == Kind.AND) {
                next();
                left = new Call("and", BOOLEAN_URI, List.of(left, parseUnary()));
            }
            return left;
        }

        Node parseUnary() {
            Token t = peek();
            if (t.kind == Kind.NOT) {
                next();
                return new Call("not", BOOLEAN_URI, List.of(parseUnary()));
            }
            if (t.kind == Kind.LPAREN) {
                next();
                Node inner = parseOr();
                expect(Kind.RPAREN, "')'");
                return inner;
            }
            return parsePredicate();
        }

        Node parsePredicate() {
            Column col = new Column(expect(Kind.NAME, "a column name").text);
            Token t = next();
            switch (t.kind) {
                case IS -> {
                    boolean not = peek().kind == Kind.NOT;
                    if (not) next();
                    expect(Kind.NULL, "NULL");
                    return new Call(not ? "is_not_null" : "is_null", COMPARISON_URI, List.of(col));
                }
                case NOT, IN -> {
                    boolean not = t.kind == Kind.NOT;
                    if (not) expect(Kind.IN, "IN");
                    expect(Kind.LPAREN, "'('");
                    Node any = null;
                    do {
                        Node eq = new Call("equal", COMPARISON_URI, List.of(col, new Literal(literal(), col)));
                        any = any == null ? eq : new Call("or", BOOLEAN_URI, List.of(any, eq));
                    } while (peek().kind == Kind.COMMA && next() != null);
                    expect(Kind.RPAREN, "')'");
                    return not ? new Call("not", BOOLEAN_URI, List.of(any)) : any;
                }
                case OP -> {
                    String fn = switch (t.text) {
                        case "=", "==" -> "equal";
                        case "!=", "<>" -> "not_equal";
                        case "<" -> "lt";
                        case "<=" -> "lte";
                        case ">" -> "gt";
                        case ">=" -> "gte";
                        default -> throw error("unknown operator " + t.text, t.position);
                    };
                    return new Call(fn, COMPARISON_URI, List.of(col, new Literal(literal(), col)));
                }
                default -> throw error("expected a comparison, IS [NOT] NULL or [NOT] IN after column '" + col.name
                        + "' but found " + t.describe(), t.position);
            }
        }

        private Token literal() {
            Token t = next();
            if (t.kind == Kind.NUMBER || t.kind == Kind.STRING || t.kind == Kind.TRUE || t.kind == Kind.FALSE) {
                return t;
            }
            throw error("expected a literal (number, 'text', TRUE or FALSE) but found " + t.describe(), t.position);
        }
    }
}
