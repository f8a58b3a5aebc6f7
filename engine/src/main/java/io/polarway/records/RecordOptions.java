package io.polarway.records;

import io.polarway.api.StatsRecorder;
import io.polarway.config.OptionSet;
import io.polarway.config.OptionSpec;
import io.polarway.config.Options;
import io.polarway.error.ConfigException;

import java.util.List;

/**
 * The option keys of every record source (HTTP, DynamoDB, Kafka, JSON lines) that configure its
 * {@link RecordBatchBuilder}, declared once: the guide's {@code infer_schema_length} and {@code schema}, plus how nested
 * values and fields outside the schema are handled. A source adds {@link #OPTIONS} to its own set and calls
 * {@link #builder}.
 */
public final class RecordOptions {
    public static final OptionSpec<Integer> INFER_SCHEMA_LENGTH = OptionSpec.intValue("infer_schema_length",
                    RecordBatchBuilder.DEFAULT_INFERENCE_ROWS,
                    "records sampled to infer the schema (types widen int64 → float64 → utf8 over the sample)")
            .validate(v -> v >= 1, "at least 1");
    public static final OptionSpec<String> SCHEMA = OptionSpec.string("schema", null,
            "explicit schema instead of inference, as JSON: [{\"name\":\"id\",\"type\":\"int64\"}, ...] or "
                    + "{\"id\":\"int64\", ...}; values are coerced to it");
    public static final OptionSpec<String> NESTED_MODE = OptionSpec.choice("nested_mode", "struct",
            "nested objects and arrays as Arrow structs and lists, or as their JSON text in a utf8 column",
            "struct", "json");
    public static final OptionSpec<String> UNKNOWN_FIELDS = OptionSpec.choice("unknown_fields", "error",
            "a field outside the (inferred or given) schema: fail naming it, or drop it and count it "
                    + "(unknown_fields_dropped)", "error", "ignore");

    public static final OptionSet OPTIONS = OptionSet.of("records", INFER_SCHEMA_LENGTH, SCHEMA, NESTED_MODE,
            UNKNOWN_FIELDS);

    private RecordOptions() {
    }

    /**
     * A builder configured from options parsed by a set that includes {@link #OPTIONS}.
     *
     * @param resource what errors name when a record has no place of its own
     * @param stats    where dropped unknown fields are counted; may be null
     * @throws ConfigException naming {@code schema} when the schema does not parse
     */
    public static RecordBatchBuilder.Builder builder(String resource, Options options, StatsRecorder stats) {
        RecordBatchBuilder.Builder b = RecordBatchBuilder.builder(resource)
                .inferenceRows(options.get(INFER_SCHEMA_LENGTH))
                .nested(options.get(NESTED_MODE).equals("json") ? NestedMode.JSON_STRING : NestedMode.STRUCT)
                .unknownFields(options.get(UNKNOWN_FIELDS).equals("ignore") ? UnknownFields.IGNORE : UnknownFields.ERROR)
                .stats(stats);
        options.find(SCHEMA).ifPresent(json -> {
            try {
                b.schema(SchemaJson.parse(json));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(SCHEMA.key(), "bad value for option 'schema': " + e.getMessage(), List.of(), e);
            }
        });
        return b;
    }
}
