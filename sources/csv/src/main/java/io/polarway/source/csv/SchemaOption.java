package io.polarway.source.csv;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.polarway.error.ConfigException;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code schema} option parsed: column names with their types, in the order given. Accepts a JSON array of
 * {@code {"name": ..., "type": ...}} objects (the guide's "name and type per column"; also wrapped as
 * {@code {"fields": [...]}}) or a JSON object {@code {"a": "int64", "b": "utf8"}}. Types are the names
 * {@link ColumnType#parse} accepts, not Arrow's JSON type objects.
 */
record SchemaOption(List<Entry> entries) {
    private static final ObjectMapper JSON = new ObjectMapper();

    record Entry(String name, ColumnType type) {
    }

    /** @throws ConfigException for key {@code schema}, saying what is wrong */
    static SchemaOption parse(String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw bad("not valid JSON: " + e.getOriginalMessage(), e);
        }
        List<Entry> out = new ArrayList<>();
        if (root == null || root.isMissingNode()) throw bad("empty", null);
        if (root.isObject() && root.has("fields") && root.get("fields").isArray()) root = root.get("fields");
        if (root.isArray()) {
            int i = 0;
            for (JsonNode f : root) {
                i++;
                if (!f.isObject() || !f.hasNonNull("name") || !f.hasNonNull("type") || !f.get("name").isTextual()
                        || !f.get("type").isTextual()) {
                    throw bad("entry " + i + " must be {\"name\": \"...\", \"type\": \"...\"}", null);
                }
                out.add(entry(f.get("name").asText(), f.get("type").asText()));
            }
        } else if (root.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getValue().isTextual()) throw bad("the type of '" + e.getKey() + "' must be a string", null);
                out.add(entry(e.getKey(), e.getValue().asText()));
            }
        } else {
            throw bad("expected a JSON array of {\"name\", \"type\"} objects or an object of name: type", null);
        }
        if (out.isEmpty()) throw bad("no columns", null);
        Set<String> names = new HashSet<>();
        for (Entry e : out) {
            if (!names.add(e.name())) throw bad("column '" + e.name() + "' appears twice", null);
        }
        return new SchemaOption(List.copyOf(out));
    }

    private static Entry entry(String name, String type) {
        if (name.isEmpty()) throw bad("a column name is empty", null);
        try {
            return new Entry(name, ColumnType.parse(type));
        } catch (IllegalArgumentException e) {
            throw bad("column '" + name + "': " + e.getMessage(), e);
        }
    }

    private static ConfigException bad(String what, Throwable cause) {
        return new ConfigException(CsvOptions.SCHEMA.key(), "bad value for option 'schema': " + what, List.of(), cause);
    }

    ColumnType typeOf(String name) {
        for (Entry e : entries) if (e.name().equals(name)) return e.type();
        return null;
    }
}
