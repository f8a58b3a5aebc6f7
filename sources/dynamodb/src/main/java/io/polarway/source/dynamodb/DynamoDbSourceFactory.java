package io.polarway.source.dynamodb;

import io.polarway.api.SourceConfig;
import io.polarway.api.SourceContext;
import io.polarway.api.SourceFactory;
import io.polarway.api.StreamingSource;
import io.polarway.config.OptionSet;
import io.polarway.config.OptionSpec;
import io.polarway.config.Options;
import io.polarway.records.RecordOptions;
import io.polarway.retry.RetrySettings;

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
    /**
     * The record sources' {@code unknown_fields} key with one more value, {@code collect}, and that as the default:
     * DynamoDB items are sparse, so an attribute first seen after the sample is normal, not an error.
     */
    static final OptionSpec<String> UNKNOWN_FIELDS = OptionSpec.choice("unknown_fields", "collect",
            "attributes not in the schema (first seen after the inference sample, or not in an explicit schema): "
                    + "collect = kept as a JSON object in extra_column; error = fail naming the attribute and item; "
                    + "ignore = dropped and counted (unknown_fields_dropped)",
            "collect", "error", "ignore");
    static final OptionSpec<String> EXTRA_COLUMN = OptionSpec.string("extra_column", "_extra",
                    "with unknown_fields=collect: the utf8 column holding each item's attributes that are not in the "
                            + "schema, as a JSON object (null when there are none)")
            .validate(v -> !v.isBlank(), "a non-empty name");
    static final OptionSpec<Integer> MAX_CONNECTIONS = OptionSpec.intValue("max_connections", 50,
                    "HTTP connections kept to DynamoDB (parallel segments use one each)")
            .validate(v -> v >= 1 && v <= 10_000, "between 1 and 10000");

    /**
     * DynamoDB's own keys, the retry keys every network source shares ({@link RetrySettings#OPTIONS}) and the record
     * sources' {@code infer_schema_length}, {@code schema} and {@code nested_mode} ({@link RecordOptions}).
     */
    static final OptionSet OPTIONS = OptionSet.of("source 'dynamodb'", OPERATION, KEY_CONDITION, FILTER_EXPRESSION,
                    PROJECTION, INDEX_NAME, ATTRIBUTE_NAMES, ATTRIBUTE_VALUES, CONSISTENT_READ, TOTAL_SEGMENTS, SEGMENT,
                    LIMIT, ENDPOINT, REGION, MAX_CONNECTIONS, RecordOptions.INFER_SCHEMA_LENGTH, RecordOptions.SCHEMA,
                    RecordOptions.NESTED_MODE, UNKNOWN_FIELDS, EXTRA_COLUMN)
            .with(RetrySettings.OPTIONS);

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
