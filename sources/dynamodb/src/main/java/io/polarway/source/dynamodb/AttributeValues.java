package io.polarway.source.dynamodb;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * DynamoDB attribute values to and from the record value model of {@link io.polarway.records.RecordBatchBuilder}, and
 * the JSON forms users write in options. Stateless, thread-safe.
 *
 * <p>Item to records: {@code N} → {@link BigDecimal} from the exact decimal text (the builder then infers int64 when
 * integral and within a long, decimal(38, s) otherwise, widening over the sample), {@code S} → {@code String},
 * {@code B} → {@code byte[]}, {@code BOOL} → {@code Boolean}, {@code NULL} → null, {@code SS}/{@code NS}/{@code BS}
 * → lists of those, {@code M} → a map (a struct column, or JSON text), {@code L} → a list.
 */
final class AttributeValues {
    /** Exact numbers: a float in the option's JSON stays its decimal value, never a double. */
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .configure(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES, false);
    /** The type descriptors of DynamoDB JSON, e.g. {@code {"S": "x"}}. */
    private static final Set<String> TYPE_TAGS = Set.of("S", "N", "B", "BOOL", "NULL", "SS", "NS", "BS", "M", "L");

    private AttributeValues() {
    }

    /**
     * One attribute value in the record value model.
     *
     * @throws IllegalArgumentException for a type this SDK version does not know (a newer DynamoDB type)
     */
    static Object toValue(AttributeValue v) {
        switch (v.type()) {
            case S:
                return v.s();
            case N:
                return new BigDecimal(v.n());
            case B:
                // The SDK made this array for this response only: no copy needed, and nothing here mutates it.
                return v.b().asByteArrayUnsafe();
            case BOOL:
                return v.bool();
            case NUL:
                return null;
            case SS:
                return v.ss();
            case NS: {
                List<String> ns = v.ns();
                List<Object> out = new ArrayList<>(ns.size());
                for (String n : ns) out.add(new BigDecimal(n));
                return out;
            }
            case BS: {
                List<SdkBytes> bs = v.bs();
                List<Object> out = new ArrayList<>(bs.size());
                for (SdkBytes b : bs) out.add(b.asByteArrayUnsafe());
                return out;
            }
            case M:
                return toMap(v.m());
            case L: {
                List<AttributeValue> l = v.l();
                List<Object> out = new ArrayList<>(l.size());
                for (AttributeValue e : l) out.add(toValue(e));
                return out;
            }
            default:
                throw new IllegalArgumentException("an attribute value of a type this AWS SDK does not know: " + v);
        }
    }

    /** A map attribute (or a whole item) in the record value model, in the map's own order. */
    static Map<String, Object> toMap(Map<String, AttributeValue> m) {
        Map<String, Object> out = new LinkedHashMap<>(Math.max(4, m.size() * 4 / 3 + 1));
        for (Map.Entry<String, AttributeValue> e : m.entrySet()) out.put(e.getKey(), toValue(e.getValue()));
        return out;
    }

    /**
     * Parses {@code expression_attribute_names}: a JSON object of placeholder to attribute name,
     * e.g. {@code {"#n": "name"}}.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    static Map<String, String> parseNames(String json) {
        JsonNode node = readObject(json);
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (!e.getKey().startsWith("#")) {
                throw new IllegalArgumentException("placeholder '" + e.getKey() + "' must start with '#'");
            }
            if (!e.getValue().isTextual()) {
                throw new IllegalArgumentException("the name for '" + e.getKey() + "' must be a JSON string");
            }
            out.put(e.getKey(), e.getValue().asText());
        }
        return out;
    }

    /**
     * Parses {@code expression_attribute_values}: a JSON object of placeholder to value. A value is either DynamoDB
     * JSON (an object with exactly one type descriptor: {@code {"S": "a"}}, {@code {"N": "5"}},
     * {@code {"B": "<base64>"}}, {@code {"SS": [...]}}, ...) or plain JSON, mapped as string → S, number → N (its
     * exact text), true/false → BOOL, null → NULL, array → L, object → M. A one-key object whose key is a type
     * descriptor is always read as DynamoDB JSON.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    static Map<String, AttributeValue> parseValues(String json) {
        JsonNode node = readObject(json);
        Map<String, AttributeValue> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (!e.getKey().startsWith(":")) {
                throw new IllegalArgumentException("placeholder '" + e.getKey() + "' must start with ':'");
            }
            try {
                out.put(e.getKey(), fromJson(e.getValue()));
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException("value of '" + e.getKey() + "': " + ex.getMessage(), ex);
            }
        }
        return out;
    }

    private static JsonNode readObject(String json) {
        JsonNode node;
        try {
            node = JSON.readTree(json);
        } catch (Exception e) {
            throw new IllegalArgumentException("not valid JSON (" + e.getMessage().lines().findFirst().orElse("") + ")");
        }
        if (node == null || !node.isObject()) throw new IllegalArgumentException("expected a JSON object");
        return node;
    }

    static AttributeValue fromJson(JsonNode n) {
        if (n.isObject() && n.size() == 1 && TYPE_TAGS.contains(n.fieldNames().next())) return fromTyped((ObjectNode) n);
        if (n.isNull()) return AttributeValue.fromNul(true);
        if (n.isBoolean()) return AttributeValue.fromBool(n.booleanValue());
        if (n.isNumber()) return AttributeValue.fromN(numberText(n));
        if (n.isTextual()) return AttributeValue.fromS(n.asText());
        if (n.isArray()) {
            List<AttributeValue> l = new ArrayList<>();
            for (JsonNode e : n) l.add(fromJson(e));
            return AttributeValue.fromL(l);
        }
        if (n.isObject()) {
            Map<String, AttributeValue> m = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> e : n.properties()) {
                m.put(e.getKey(), fromJson(e.getValue()));
            }
            return AttributeValue.fromM(m);
        }
        throw new IllegalArgumentException("unsupported JSON value " + n);
    }

    private static AttributeValue fromTyped(ObjectNode n) {
        String tag = n.fieldNames().next();
        JsonNode v = n.get(tag);
        switch (tag) {
            case "S":
                return AttributeValue.fromS(text(v, tag));
            case "N":
                return AttributeValue.fromN(number(v));
            case "B":
                return AttributeValue.fromB(SdkBytes.fromByteArray(base64(v)));
            case "BOOL":
                if (!v.isBoolean()) throw new IllegalArgumentException("BOOL needs true or false");
                return AttributeValue.fromBool(v.booleanValue());
            case "NULL":
                return AttributeValue.fromNul(true);
            case "SS": {
                List<String> l = new ArrayList<>();
                for (JsonNode e : array(v, tag)) l.add(text(e, tag));
                return AttributeValue.fromSs(l);
            }
            case "NS": {
                List<String> l = new ArrayList<>();
                for (JsonNode e : array(v, tag)) l.add(number(e));
                return AttributeValue.fromNs(l);
            }
            case "BS": {
                List<SdkBytes> l = new ArrayList<>();
                for (JsonNode e : array(v, tag)) l.add(SdkBytes.fromByteArray(base64(e)));
                return AttributeValue.fromBs(l);
            }
            case "M": {
                if (!v.isObject()) throw new IllegalArgumentException("M needs an object");
                Map<String, AttributeValue> m = new LinkedHashMap<>();
                for (Map.Entry<String, JsonNode> e : v.properties()) {
                    m.put(e.getKey(), fromJson(e.getValue()));
                }
                return AttributeValue.fromM(m);
            }
            case "L": {
                List<AttributeValue> l = new ArrayList<>();
                for (JsonNode e : array(v, tag)) l.add(fromJson(e));
                return AttributeValue.fromL(l);
            }
            default:
                throw new IllegalArgumentException("unknown type descriptor " + tag);
        }
    }

    private static String text(JsonNode v, String tag) {
        if (!v.isTextual()) throw new IllegalArgumentException(tag + " needs a JSON string");
        return v.asText();
    }

    /** DynamoDB numbers travel as strings; accept a JSON number too. Checked here so a typo fails before a request. */
    private static String number(JsonNode v) {
        String s = v.isNumber() ? numberText(v) : v.isTextual() ? v.asText().trim() : null;
        if (s == null) throw new IllegalArgumentException("N needs a number or a numeric string");
        try {
            new BigDecimal(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + s + "' is not a number");
        }
        return s;
    }

    private static String numberText(JsonNode n) {
        return n.isBigDecimal() ? n.decimalValue().toPlainString() : n.asText();
    }

    private static byte[] base64(JsonNode v) {
        if (!v.isTextual()) throw new IllegalArgumentException("B needs base64 text");
        try {
            return Base64.getDecoder().decode(v.asText());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("B is not valid base64");
        }
    }

    private static JsonNode array(JsonNode v, String tag) {
        if (!v.isArray()) throw new IllegalArgumentException(tag + " needs an array");
        return v;
    }
}
