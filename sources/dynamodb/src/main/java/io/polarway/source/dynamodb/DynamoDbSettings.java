package io.polarway.source.dynamodb;

import io.polarway.api.Credentials;
import io.polarway.api.SourceConfig;
import io.polarway.config.OptionSpec;
import io.polarway.config.Options;
import io.polarway.error.ConfigException;
import io.polarway.records.NestedMode;
import io.polarway.records.RecordOptions;
import io.polarway.records.SchemaJson;
import io.polarway.retry.RetrySettings;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static io.polarway.source.dynamodb.DynamoDbSourceFactory.ATTRIBUTE_NAMES;
import static io.polarway.source.dynamodb.DynamoDbSourceFactory.ATTRIBUTE_VALUES;
import static io.polarway.source.dynamodb.DynamoDbSourceFactory.CONSISTENT_READ;
import static io.polarway.source.dynamodb.DynamoDbSourceFactory.ENDPOINT;
import static io.polarway.source.dynamodb.DynamoDbSourceFactory.EXTRA_COLUMN;
import static io.polarway.source.dynamodb.DynamoDbSourceFactory.FILTER_EXPRESSION;
import static io.polarway.source.dynamodb.DynamoDbSourceFactory.INDEX_NAME;
import static io.polarway.source.dynamodb.DynamoDbSourceFactory.KEY_CONDITION;
import static io.polarway.source.dynamodb.DynamoDbSourceFactory.LIMIT;
import static io.polarway.source.dynamodb.DynamoDbSourceFactory.MAX_CONNECTIONS;
import static io.polarway.source.dynamodb.DynamoDbSourceFactory.OPERATION;
import static io.polarway.source.dynamodb.DynamoDbSourceFactory.PROJECTION;
import static io.polarway.source.dynamodb.DynamoDbSourceFactory.REGION;
import static io.polarway.source.dynamodb.DynamoDbSourceFactory.SEGMENT;
import static io.polarway.source.dynamodb.DynamoDbSourceFactory.TOTAL_SEGMENTS;
import static io.polarway.source.dynamodb.DynamoDbSourceFactory.UNKNOWN_FIELDS;

/**
 * The options of one DynamoDB source, parsed and checked together. Immutable.
 *
 * @param table            the table name (the location)
 * @param query            operation=query
 * @param totalSegments    total_segments, or null
 * @param segment          segment, or null (then every segment is read)
 * @param projection       the ProjectionExpression sent: the user's, or one derived from the explicit schema when
 *                         unknown attributes would be dropped anyway; null for all attributes
 * @param attributeNames   placeholders sent (the user's plus derived ones); empty when none
 * @param attributeValues  value placeholders; empty when none
 * @param schema           the explicit schema (with the extra column appended under collect), or null to infer
 * @param unknownFields    collect, error or ignore
 * @param endpoint         endpoint override, or null
 * @param region           the region option or the credentials' region, or null for the SDK's chain
 * @param retry            the shared retry keys: attempts, backoff, timeout
 */
record DynamoDbSettings(String table, boolean query, String keyCondition, String filterExpression, String projection,
                        String indexName, Map<String, String> attributeNames,
                        Map<String, AttributeValue> attributeValues, boolean consistentRead, Integer totalSegments,
                        Integer segment, Integer pageLimit, URI endpoint, String region, Credentials credentials,
                        RetrySettings retry, int inferenceRows, Schema schema, String unknownFields, String extraColumn,
                        NestedMode nested, int maxConnections) {

    static final String COLLECT = "collect";
    static final String ERROR = "error";
    static final String IGNORE = "ignore";
    /** Prefix of the name placeholders this source adds itself, unlikely to meet a user's. */
    static final String DERIVED_NAME_PREFIX = "#pw_col";

    /** {@code "segment 2/7"}, as errors and split ids name a segment. */
    static String segmentName(int segment, int total) {
        return "segment " + segment + "/" + total;
    }

    /**
     * @throws ConfigException naming the option at fault
     */
    static DynamoDbSettings from(SourceConfig config, Options o) {
        String table = config.location().strip();
        if (table.length() < 3 || table.length() > 255 || !table.matches("[A-Za-z0-9_.-]+")) {
            throw new ConfigException(null, "'" + config.location() + "' is not a DynamoDB table name (3 to 255 "
                    + "characters among a-z, A-Z, 0-9, '_', '-', '.')", List.of(), null);
        }
        boolean query = "query".equals(o.get(OPERATION));
        String keyCondition = blankToNull(o.find(KEY_CONDITION).orElse(null));
        if (query && keyCondition == null) {
            throw new ConfigException(KEY_CONDITION.key(), "operation=query needs key_condition (a "
                    + "KeyConditionExpression such as 'pk = :p')", List.of(), null);
        }
        if (!query && keyCondition != null) {
            throw new ConfigException(KEY_CONDITION.key(), "key_condition is for operation=query; a scan filters "
                    + "with filter_expression", List.of(), null);
        }
        Integer total = o.find(TOTAL_SEGMENTS).orElse(null);
        Integer segment = o.find(SEGMENT).orElse(null);
        if (query && (total != null || segment != null)) {
            throw new ConfigException(total != null ? TOTAL_SEGMENTS.key() : SEGMENT.key(),
                    "segments are for operation=scan; a query reads one partition key", List.of(), null);
        }
        if (segment != null && total == null) {
            throw new ConfigException(SEGMENT.key(), "segment needs total_segments (the number of segments the "
                    + "scan is divided into)", List.of(), null);
        }
        if (segment != null && segment >= total) {
            throw new ConfigException(SEGMENT.key(), "segment " + segment + " is not below total_segments " + total
                    + " (segments are numbered from 0)", List.of(), null);
        }
        Map<String, String> names = new LinkedHashMap<>();
        if (o.isSet(ATTRIBUTE_NAMES)) names.putAll(parse(ATTRIBUTE_NAMES, () -> AttributeValues.parseNames(
                o.get(ATTRIBUTE_NAMES))));
        Map<String, AttributeValue> values = new LinkedHashMap<>();
        if (o.isSet(ATTRIBUTE_VALUES)) values.putAll(parse(ATTRIBUTE_VALUES, () -> AttributeValues.parseValues(
                o.get(ATTRIBUTE_VALUES))));
        URI endpoint = null;
        if (o.isSet(ENDPOINT)) {
            endpoint = parse(ENDPOINT, () -> {
                URI u = URI.create(o.get(ENDPOINT).strip());
                String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
                if (!scheme.equals("http") && !scheme.equals("https") || u.getHost() == null) {
                    throw new IllegalArgumentException("expected an http:// or https:// URL with a host");
                }
                return u;
            });
        }
        String unknown = o.get(UNKNOWN_FIELDS);
        String extra = o.get(EXTRA_COLUMN).strip();
        Schema schema = null;
        if (o.isSet(RecordOptions.SCHEMA)) {
            schema = parse(RecordOptions.SCHEMA, () -> SchemaJson.parse(o.get(RecordOptions.SCHEMA)));
            schema = withExtraColumn(schema, unknown, extra);
        }
        String projection = blankToNull(o.find(PROJECTION).orElse(null));
        if (projection == null && schema != null && IGNORE.equals(unknown)) {
            // Attributes outside the schema would be dropped on arrival: ask DynamoDB not to send them at all.
            List<String> parts = new ArrayList<>();
            int i = 0;
            for (Field f : schema.getFields()) {
                String placeholder = DERIVED_NAME_PREFIX + i++;
                names.put(placeholder, f.getName());
                parts.add(placeholder);
            }
            projection = String.join(", ", parts);
        }
        Credentials credentials = config.credentials();
        String region = blankToNull(o.find(REGION).orElse(null));
        if (region == null && credentials instanceof Credentials.DynamoDb d) region = blankToNull(d.region());
        if (region == null && credentials instanceof Credentials.Aws a) region = blankToNull(a.region());
        if (!(credentials instanceof Credentials.None || credentials instanceof Credentials.DynamoDb
                || credentials instanceof Credentials.Aws)) {
            throw new ConfigException(null, "the dynamodb source takes DynamoDb or Aws credentials (or none, for "
                    + "the AWS SDK's default chain), not " + credentials.scheme(), List.of(), null);
        }
        return new DynamoDbSettings(table, query, keyCondition,
                blankToNull(o.find(FILTER_EXPRESSION).orElse(null)), projection,
                blankToNull(o.find(INDEX_NAME).orElse(null)), Map.copyOf(names), Map.copyOf(values),
                o.get(CONSISTENT_READ), total, segment, o.find(LIMIT).orElse(null), endpoint, region, credentials,
                RetrySettings.from(o), o.get(RecordOptions.INFER_SCHEMA_LENGTH), schema, unknown, extra,
                "json".equals(o.get(RecordOptions.NESTED_MODE)) ? NestedMode.JSON_STRING : NestedMode.STRUCT,
                o.get(MAX_CONNECTIONS));
    }

    /** Under collect, the explicit schema gets the extra column (utf8) at the end unless it already has it. */
    private static Schema withExtraColumn(Schema schema, String unknown, String extra) {
        if (!COLLECT.equals(unknown)) return schema;
        for (Field f : schema.getFields()) {
            if (f.getName().equals(extra)) {
                if (!(f.getType() instanceof ArrowType.Utf8)) {
                    throw new ConfigException(RecordOptions.SCHEMA.key(), "field '" + extra + "' of the schema is the extra_column "
                            + "of unknown_fields=collect and must be utf8, not " + f.getType(), List.of(), null);
                }
                return schema;
            }
        }
        List<Field> fields = new ArrayList<>(schema.getFields());
        fields.add(Field.nullable(extra, ArrowType.Utf8.INSTANCE));
        return new Schema(fields);
    }

    /** Whether the scan is split into segments, whether or not all are read. */
    boolean segmented() {
        return totalSegments != null && totalSegments > 1;
    }

    /** What errors and messages call the thing read: the table, or the table's index. */
    String resource() {
        return indexName == null ? table : table + " index " + indexName;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    private interface Parser<T> {
        T parse();
    }

    private static <T> T parse(OptionSpec<?> spec, Parser<T> parser) {
        try {
            return parser.parse();
        } catch (IllegalArgumentException e) {
            throw new ConfigException(spec.key(), "bad value for option '" + spec.key() + "' of source 'dynamodb': "
                    + e.getMessage(), List.of(), null);
        }
    }

    /** Never prints credentials or expression values (they may hold personal data). */
    @Override
    public String toString() {
        return "DynamoDbSettings{table=" + table + ", operation=" + (query ? "query" : "scan")
                + (indexName != null ? ", index=" + indexName : "")
                + (totalSegments != null ? ", total_segments=" + totalSegments : "")
                + (segment != null ? ", segment=" + segment : "")
                + (endpoint != null ? ", endpoint=" + endpoint : "")
                + (region != null ? ", region=" + region : "")
                + ", credentials=" + credentials.scheme() + ", unknown_fields=" + unknownFields + '}';
    }
}
