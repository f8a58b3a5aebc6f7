package io.polarway.source.dynamodb;

import io.polarway.api.SourceSplit;

/**
 * One part of a DynamoDB read: segment {@code segment} of a parallel scan divided into {@code totalSegments}, or,
 * when {@code totalSegments} is 1, the whole scan or query. Immutable, holds no connection.
 */
public record DynamoDbSegment(int segment, int totalSegments) implements SourceSplit {
    public DynamoDbSegment {
        if (totalSegments < 1) throw new IllegalArgumentException("totalSegments must be at least 1, got " + totalSegments);
        if (segment < 0 || segment >= totalSegments) {
            throw new IllegalArgumentException("segment " + segment + " is not in 0.." + (totalSegments - 1));
        }
    }

    /** The whole table, index or query as one split. */
    public static DynamoDbSegment whole() {
        return new DynamoDbSegment(0, 1);
    }

    /** Whether requests carry {@code Segment}/{@code TotalSegments}. */
    public boolean isSegment() {
        return totalSegments > 1;
    }

    @Override
    public String splitId() {
        return isSegment() ? "segment-" + segment + "-of-" + totalSegments : "all";
    }

    /** {@code segment 2/7}, or null for the whole read. */
    String partitionName() {
        return isSegment() ? DynamoDbSettings.segmentName(segment, totalSegments) : null;
    }
}
