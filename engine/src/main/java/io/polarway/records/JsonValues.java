package io.polarway.records;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON to and from the record value model of {@link RecordBatchBuilder}, with Jackson's streaming API (no tree, no
 * data binding): integers become {@code Long} (or {@code BigDecimal} past a long), decimals {@code Double} (or, with
 * {@code exactDecimals}, {@code BigDecimal}), objects {@code LinkedHashMap}s in document order, arrays {@code ArrayList}s.
 * Thread-safe.
 */
public final class JsonValues {
    /**
     * Shared factory; thread-safe once configured. Large documents are allowed (limits are the budget's job). The fast
     * number parsers (FastDoubleParser, correctly rounded like {@code Double.parseDouble}) because decimal parsing was
     * the largest single item of a JSON record's cost in the HTTP benchmark's profile.
     */
    public static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(Integer.MAX_VALUE)
                    .maxNestingDepth(2_000).build())
            .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
            .enable(StreamReadFeature.USE_FAST_BIG_NUMBER_PARSER)
            .build();

    private JsonValues() {
    }

    /**
     * Reads the value at the parser's current token (which must be set: call {@code nextToken()} first) and leaves the
     * parser on that value's last token.
     *
     * @param exactDecimals keep numbers with a fraction or exponent as {@code BigDecimal} instead of {@code Double}
     */
    public static Object read(JsonParser p, boolean exactDecimals) throws IOException {
        JsonToken t = p.currentToken();
        if (t == null) throw new IllegalStateException("parser has no current token");
        switch (t) {
            case START_OBJECT: {
                Map<String, Object> m = new LinkedHashMap<>();
                for (JsonToken k = p.nextToken(); k != JsonToken.END_OBJECT; k = p.nextToken()) {
                    if (k != JsonToken.FIELD_NAME) {
                        throw new com.fasterxml.jackson.core.JsonParseException(p, k == JsonToken.NOT_AVAILABLE
                                ? "the JSON ends inside an object" : "unexpected " + k + " where a field name is due");
                    }
                    String name = p.currentName();
                    p.nextToken();
                    m.put(name, read(p, exactDecimals));
                }
                return m;
            }
            case START_ARRAY: {
                List<Object> l = new ArrayList<>();
                for (JsonToken k = p.nextToken(); k != JsonToken.END_ARRAY; k = p.nextToken()) {
                    l.add(read(p, exactDecimals));
                }
                return l;
            }
            case VALUE_STRING:
                return p.getText();
            case VALUE_NUMBER_INT:
                return switch (p.getNumberType()) {
                    case INT, LONG -> p.getLongValue();
                    default -> new BigDecimal(p.getBigIntegerValue());
                };
            case VALUE_NUMBER_FLOAT:
                return exactDecimals ? p.getDecimalValue() : p.getDoubleValue();
            case VALUE_TRUE:
                return Boolean.TRUE;
            case VALUE_FALSE:
                return Boolean.FALSE;
            case VALUE_NULL:
                return null;
            case VALUE_EMBEDDED_OBJECT:
                return p.getEmbeddedObject();
            default:
                throw new com.fasterxml.jackson.core.JsonParseException(p, "unexpected token " + t);
        }
    }

    /** A value of the record model as JSON text (maps as objects, lists as arrays, binary as base64). */
    public static String toJson(Object value) {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = FACTORY.createGenerator(w)) {
            write(g, value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w.toString();
    }

    static void write(JsonGenerator g, Object v) throws IOException {
        if (v == null) {
            g.writeNull();
        } else if (v instanceof Map<?, ?> m) {
            g.writeStartObject();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                g.writeFieldName(String.valueOf(e.getKey()));
                write(g, e.getValue());
            }
            g.writeEndObject();
        } else if (v instanceof Collection<?> c) {
            g.writeStartArray();
            for (Object o : c) write(g, o);
            g.writeEndArray();
        } else if (v instanceof Boolean b) {
            g.writeBoolean(b);
        } else if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
            g.writeNumber(((Number) v).longValue());
        } else if (v instanceof BigDecimal bd) {
            g.writeNumber(bd);
        } else if (v instanceof BigInteger bi) {
            g.writeNumber(bi);
        } else if (v instanceof Double || v instanceof Float) {
            g.writeNumber(((Number) v).doubleValue());
        } else if (v instanceof byte[] bytes) {
            g.writeString(Base64.getEncoder().encodeToString(bytes));
        } else if (v instanceof LocalDate || v instanceof Instant) {
            g.writeString(v.toString());
        } else {
            g.writeString(v.toString());
        }
    }

    /** A scalar as column text: strings as they are, everything else as its JSON. */
    static String text(Object v) {
        if (v instanceof CharSequence s) return s.toString();
        if (v instanceof LocalDate || v instanceof Instant) return v.toString();
        if (v instanceof BigDecimal bd) return bd.toPlainString();
        return toJson(v);
    }
}
