package io.polarway.source.dynamodb;

import io.polarway.error.ConfigException;
import io.polarway.error.PolarwayException;
import io.polarway.error.Where;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.DescribeTableResponse;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndexDescription;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.LocalSecondaryIndexDescription;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What DescribeTable tells about the table: its key attributes (and those of the index read), its indexes, and its
 * approximate size. Immutable.
 *
 * @param described      false when the caller may not call DescribeTable (AccessDenied): reading works without it
 * @param keyAttributes  key attribute names, partition key first: the table's, then the index's own
 * @param globalIndexes  global secondary index names
 * @param localIndexes   local secondary index names
 * @param sizeBytes      DynamoDB's approximate table size (updated about every six hours), or -1
 */
record TableInfo(boolean described, List<String> keyAttributes, List<String> globalIndexes,
                 List<String> localIndexes, long sizeBytes) {

    static TableInfo unknown() {
        return new TableInfo(false, List.of(), List.of(), List.of(), -1);
    }

    /**
     * Describes the table and checks the index option against it.
     *
     * @throws PolarwayException Config for a missing table or index (or consistent_read on a global index), Auth for
     *                           rejected credentials, Network when DynamoDB cannot be reached
     */
    static TableInfo describe(DynamoDbClient client, DynamoDbSettings s, String region) {
        Where where = Where.resource(s.table());
        DescribeTableResponse r;
        try {
            r = client.describeTable(b -> b.tableName(s.table()));
        } catch (SdkException e) {
            PolarwayException mapped = DynamoDbErrors.map(e, s, region, where, "describe");
            if (mapped instanceof io.polarway.error.AuthException && isAccessDenied(e)) {
                // Valid credentials without dynamodb:DescribeTable: reading may still be allowed.
                return unknown();
            }
            throw mapped;
        }
        TableDescription t = r.table();
        List<String> keys = new ArrayList<>(keyNames(t.keySchema()));
        Map<String, List<KeySchemaElement>> indexes = new LinkedHashMap<>();
        List<String> global = new ArrayList<>();
        List<String> local = new ArrayList<>();
        for (GlobalSecondaryIndexDescription g : t.globalSecondaryIndexes()) {
            global.add(g.indexName());
            indexes.put(g.indexName(), g.keySchema());
        }
        for (LocalSecondaryIndexDescription l : t.localSecondaryIndexes()) {
            local.add(l.indexName());
            indexes.put(l.indexName(), l.keySchema());
        }
        if (s.indexName() != null) {
            List<KeySchemaElement> indexKeys = indexes.get(s.indexName());
            if (indexKeys == null) {
                throw new ConfigException(DynamoDbSourceFactory.INDEX_NAME.key(), "table '" + s.table()
                        + "' has no index '" + s.indexName() + "'", List.copyOf(indexes.keySet()), where, null);
            }
            if (s.consistentRead() && global.contains(s.indexName())) {
                throw new ConfigException(DynamoDbSourceFactory.CONSISTENT_READ.key(), "'" + s.indexName()
                        + "' is a global secondary index: DynamoDB offers only eventually consistent reads on it",
                        List.of(), where, null);
            }
            for (String k : keyNames(indexKeys)) {
                if (!keys.contains(k)) keys.add(k);
            }
        }
        long size = t.tableSizeBytes() == null ? -1 : t.tableSizeBytes();
        return new TableInfo(true, List.copyOf(keys), List.copyOf(global), List.copyOf(local), size);
    }

    private static boolean isAccessDenied(SdkException e) {
        return e instanceof software.amazon.awssdk.awscore.exception.AwsServiceException a
                && a.awsErrorDetails() != null && "AccessDeniedException".equals(a.awsErrorDetails().errorCode());
    }

    /** Partition key first, then the sort key. */
    private static List<String> keyNames(List<KeySchemaElement> schema) {
        List<String> out = new ArrayList<>();
        for (KeySchemaElement k : schema) if (k.keyType() == KeyType.HASH) out.add(k.attributeName());
        for (KeySchemaElement k : schema) if (k.keyType() != KeyType.HASH) out.add(k.attributeName());
        return out;
    }
}
