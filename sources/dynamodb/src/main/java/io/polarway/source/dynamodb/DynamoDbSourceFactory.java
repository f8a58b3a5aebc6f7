package io.polarway.source.dynamodb;

import io.polarway.api.SourceConfig;
import io.polarway.api.SourceContext;
import io.polarway.api.SourceFactory;
import io.polarway.api.StreamingSource;
import io.polarway.config.OptionSet;
import io.polarway.config.OptionSpec;
import io.polarway.config.Options;
import io.polarway.records.RecordBatchBuilder;

/**
 * The {@code dynamodb} source: the location is a table name. See {@link DynamoDbSource} for what it reads and how.
 *
 * <pre>{@code
 * SourceConfig config = SourceConfig.of("orders")
 *         .withCredentials(Credentials.DynamoDb.of(keyId, secret, "eu-west-1"))
 *         .withOption("operation", "scan")
 *         .withOption("total_segments", "8")
 *         .withParallel(true);
 * }</pre>
 */
public final class DynamoDbSourceFactory implements SourceFactory {
    static final OptionSpec<String> OPERATION = OptionSpec.choice("operation", "scan",
            "scan (every item of the table or index) or query (the items matching key_condition)", "scan", "query");
    static final OptionSpec<String> KEY_CONDITION = OptionSpec.string("key_condition", null,
            "KeyConditionExpression for operation=query, e.g. 'pk = :p AND sk BETWEEN :lo AND :hi'");
    static final OptionSpec<String> FILTER_EXPRESSION = OptionSpec.string("filter_expression", null,
            "FilterExpression, applied by DynamoDB to each page after reading it (items it drops still cost read "
                    + "capacity, and pages may come back empty: reading continues to the true end)");
    static final OptionSpec<String> PROJECTION = OptionSpec.string("projection", null,
            "ProjectionExpression: the attributes to return, e.g. 'id, #n, address.city'");
    static final OptionSpec<String> INDEX_NAME = OptionSpec.string("index_name", null,
            "a global or local secondary index to scan or query instead of the table");
    static final OptionSpec<String> ATTRIBUTE_NAMES = OptionSpec.string("expression_attribute_names", null,
            "JSON object of name placeholders used in the expressions, e.g. {\"#n\": \"name\"}");
    static final OptionSpec<String> ATTRIBUTE_VALUES = OptionSpec.string("expression_attribute_values", null,
            "JSON object of value placeholders: plain JSON ({\":p\": \"a\", \":n\": 5}) or DynamoDB JSON "
                    + "({\":p\": {\"S\": \"a\"}, \":s\": {\"SS\": [\"x\"]}})");
    static final OptionSpec<Boolean> CONSISTENT_READ = OptionSpec.bool("consistent_read", false,
            "strongly consistent reads (twice the read capacity; not available on global secondary indexes)");
    static final OptionSpec<Integer> TOTAL_SEGMENTS = OptionSpec.intValue("total_segments", null,
                    "parallel scan: the number of segments; read concurrently with parallel=true, one after another "
                            + "otherwise (default with parallel=true: one per reader thread)")
            .validate(v -> v >= 1 && v <= 1_000_000, "between 1 and 1000000");
    static final OptionSpec<Integer> SEGMENT = OptionSpec.intValue("segment", null,
                    "parallel scan: read only this segment (0-based, below total_segments), for workers on several "
                            + "machines")
            .validate(v -> v >= 0, "at least 0");
    static final OptionSpec<Integer> LIMIT = OptionSpec.intValue("limit", null,
                    "items DynamoDB evaluates per page (the request's Limit); default: as many as fit its 1 MB page")
            .validate(v -> v >= 1, "at least 1");
    static final OptionSpec<String> ENDPOINT = OptionSpec.string("endpoint", null,
            "endpoint URL, e.g. http://127.0.0.1:8000 for a local DynamoDB; default: the region's AWS endpoint");
    static final OptionSpec<String> REGION = OptionSpec.string("region", null,
            "AWS region; default: the credentials' region, then the AWS SDK's region chain (AWS_REGION, profile)");
    static final OptionSpec<Integer> RETRY_ATTEMPTS = OptionSpec.intValue("retry_attempts", 3,
                    "retries after the first attempt of a request, for throttling "
                            + "(ProvisionedThroughputExceeded, RequestLimitExceeded), 5xx answers and connection errors")
            .validate(v -> v >= 0 && v <= 100, "between 0 and 100");
    static final OptionSpec<Long> RETRY_DELAY_MS = OptionSpec.longValue("retry_delay_ms", 1000L,
                    "backoff before the first retry, milliseconds; retry n waits retry_delay_ms * "
                            + "retry_multiplier^(n-1), half of it fixed and half random")
            .validate(v -> v >= 0 && v <= 3_600_000, "between 0 and 3600000");
    static final OptionSpec<Double> RETRY_MULTIPLIER = OptionSpec.doubleValue("retry_multiplier", 2.0,
                    "growth of the backoff from one retry to the next")
            .validate(v -> v >= 1.0 && v <= 100.0, "between 1 and 100");
    static final OptionSpec<Long> TIMEOUT_MS = OptionSpec.longValue("timeout_ms", 30_000L,
                    "timeout of each request attempt, milliseconds")
            .validate(v -> v >= 1, "at least 1");
    static final OptionSpec<Integer> INFER_SCHEMA_LENGTH = OptionSpec.intValue("infer_schema_length",
                    RecordBatchBuilder.DEFAULT_INFERENCE_ROWS,
                    "items the schema is inferred from (read before the first chunk is built)")
            .validate(v -> v >= 1, "at least 1");
    static final OptionSpec<String> SCHEMA = OptionSpec.string("schema", null,
            "explicit schema instead of inference: 'name:type, ...' (utf8, int64, int32, float64, bool, binary, "
                    + "date, timestamp, decimal(p,s), list<t>, struct<name:t, ...>) or Arrow schema JSON");
    static final OptionSpec<String> UNKNOWN_FIELDS = OptionSpec.choice("unknown_fields", "collect",
            "attributes not in the schema (first seen after the inference sample, or not in an explicit schema): "
                    + "collect = kept as a JSON object in extra_column; error = fail naming the attribute and item; "
                    + "ignore = dropped and counted (unknown_fields_dropped)",
            "collect", "error", "ignore");
    static final OptionSpec<String> EXTRA_COLUMN = OptionSpec.string("extra_column", "_extra",
                    "with unknown_fields=collect: the utf8 column holding each item's attributes that are not in the "
                            + "schema, as a JSON object (null when there are none)")
            .validate(v -> !v.isBlank(), "a non-empty name");
    static final OptionSpec<String> NESTED = OptionSpec.choice("nested", "struct",
            "maps (M) as Arrow structs and lists/sets (L, SS, NS, BS) as Arrow lists, or every one of them as JSON text",
            "struct", "json");
    static final OptionSpec<Integer> MAX_CONNECTIONS = OptionSpec.intValue("max_connections", 50,
                    "HTTP connections kept to DynamoDB (parallel segments use one each)")
            .validate(v -> v >= 1 && v <= 10_000, "between 1 and 10000");

    static final OptionSet OPTIONS = OptionSet.of("source 'dynamodb'", OPERATION, KEY_CONDITION, FILTER_EXPRESSION,
            PROJECTION, INDEX_NAME, ATTRIBUTE_NAMES, ATTRIBUTE_VALUES, CONSISTENT_READ, TOTAL_SEGMENTS, SEGMENT, LIMIT,
            ENDPOINT, REGION, RETRY_ATTEMPTS, RETRY_DELAY_MS, RETRY_MULTIPLIER, TIMEOUT_MS, INFER_SCHEMA_LENGTH, SCHEMA,
            UNKNOWN_FIELDS, EXTRA_COLUMN, NESTED, MAX_CONNECTIONS);

    @Override
    public String type() {
        return "dynamodb";
    }

    @Override
    public String description() {
        return "DynamoDB table or index: scan, query or parallel scan (segments); exact numbers, nested types";
    }

    @Override
    public OptionSet options() {
        return OPTIONS;
    }

    /**
     * Validates the options together, builds the client and describes the table (so a missing table or index, or
     * rejected credentials, fail here).
     */
    @Override
    public StreamingSource create(SourceConfig config, Options options, SourceContext context) {
        DynamoDbSettings settings = DynamoDbSettings.from(config, options);
        return DynamoDbSource.open(config, settings, context);
    }
}
