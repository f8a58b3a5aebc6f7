package io.polarway.cli;

import picocli.CommandLine;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A {@code KEY=VALUE} argument; the first {@code =} splits, so values may contain {@code =}. */
record KeyValue(String key, String value) {

    static KeyValue parse(String text) {
        int eq = text.indexOf('=');
        if (eq <= 0 || text.substring(0, eq).isBlank()) {
            throw new CommandLine.TypeConversionException(
                    "expected KEY=VALUE (the first '=' separates key and value), got '" + text + "'");
        }
        return new KeyValue(text.substring(0, eq).strip(), text.substring(eq + 1));
    }

    /** In command-line order; a key given twice keeps its last value. */
    static Map<String, String> toMap(List<KeyValue> pairs) {
        Map<String, String> map = new LinkedHashMap<>();
        for (KeyValue kv : pairs) map.put(kv.key(), kv.value());
        return map;
    }

    static final class Converter implements CommandLine.ITypeConverter<KeyValue> {
        @Override
        public KeyValue convert(String value) {
            return parse(value);
        }
    }
}
