package io.polarway.source.dynamodb;

import org.apache.arrow.vector.types.pojo.Schema;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;

import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What every reader of one DynamoDB source shares: the settings, the client (one connection pool; thread-safe), the
 * table description and the schema. The schema is shared so that parallel segments produce chunks of one schema: it
 * is the explicit one, or the one inferred by the first reader whose sample is complete (readers that finish their
 * sample later adopt it instead of inferring their own). Thread-safe. Closed by the source that opened it.
 */
final class ReadContext implements AutoCloseable {
    final DynamoDbSettings settings;
    final DynamoDbClient client;
    final String region;
    final TableInfo table;
    final AtomicReference<Schema> schema;

    private ReadContext(DynamoDbSettings settings, DynamoDbClient client, String region, TableInfo table) {
        this.settings = settings;
        this.client = client;
        this.region = region;
        this.table = table;
        this.schema = new AtomicReference<>(settings.schema());
    }

    /** Builds the client and describes the table; closes the client if that fails. */
    static ReadContext open(DynamoDbSettings s) {
        Region region = DynamoDbClients.region(s);
        DynamoDbClient client = DynamoDbClients.create(s, region);
        try {
            return new ReadContext(s, client, region.id(), TableInfo.describe(client, s, region.id()));
        } catch (RuntimeException | Error e) {
            client.close();
            throw e;
        }
    }

    /** One Scan page request of {@code split}, continuing after {@code startKey} (null for the first page). */
    ScanRequest scan(DynamoDbSegment split, Map<String, AttributeValue> startKey, RequestMetrics metrics) {
        DynamoDbSettings s = settings;
        ScanRequest.Builder b = ScanRequest.builder()
                .tableName(s.table())
                .indexName(s.indexName())
                .filterExpression(s.filterExpression())
                .projectionExpression(s.projection())
                .consistentRead(s.consistentRead() ? Boolean.TRUE : null)
                .limit(s.pageLimit())
                .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL)
                .overrideConfiguration(o -> o.addMetricPublisher(metrics));
        // DynamoDB rejects empty maps: send them only when there is something in them.
        if (!s.attributeNames().isEmpty()) b.expressionAttributeNames(s.attributeNames());
        if (!s.attributeValues().isEmpty()) b.expressionAttributeValues(s.attributeValues());
        if (split.isSegment()) b.segment(split.segment()).totalSegments(split.totalSegments());
        if (startKey != null) b.exclusiveStartKey(startKey);
        return b.build();
    }

    /** One Query page request, continuing after {@code startKey} (null for the first page). */
    QueryRequest query(Map<String, AttributeValue> startKey, RequestMetrics metrics) {
        DynamoDbSettings s = settings;
        QueryRequest.Builder b = QueryRequest.builder()
                .tableName(s.table())
                .indexName(s.indexName())
                .keyConditionExpression(s.keyCondition())
                .filterExpression(s.filterExpression())
                .projectionExpression(s.projection())
                .consistentRead(s.consistentRead() ? Boolean.TRUE : null)
                .limit(s.pageLimit())
                .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL)
                .overrideConfiguration(o -> o.addMetricPublisher(metrics));
        if (!s.attributeNames().isEmpty()) b.expressionAttributeNames(s.attributeNames());
        if (!s.attributeValues().isEmpty()) b.expressionAttributeValues(s.attributeValues());
        if (startKey != null) b.exclusiveStartKey(startKey);
        return b.build();
    }

    @Override
    public void close() {
        client.close();
    }
}
