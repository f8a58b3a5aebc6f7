package io.polarway.error;

import java.util.ArrayList;
import java.util.List;

/**
 * Where an error happened. Every field is optional; {@link #describe()} prints the ones that are set, e.g.
 * {@code data.csv line 12 column 3} or {@code s3://b/k bytes 8388608-16777215} or {@code topic-2 offset 4711}.
 * Immutable; the {@code withX} methods return copies. Must never hold a secret (URLs are stripped of user info
 * and query strings by {@link #resource(String)}'s callers).
 *
 * @param resource   file path, object URI, URL or table name
 * @param line       1-based line number, or -1
 * @param column     1-based column (field) number, or -1
 * @param byteOffset byte offset from the start of the resource, or -1
 * @param rangeStart first byte of an object range, or -1
 * @param rangeEnd   last byte of an object range (inclusive), or -1
 * @param page       1-based page number for paginated APIs, or -1
 * @param partition  partition or segment name, or null
 * @param offset     record offset within the partition, or -1
 */
public record Where(String resource, long line, long column, long byteOffset, long rangeStart, long rangeEnd,
                    long page, String partition, long offset) {

    private static final Where EMPTY = new Where(null, -1, -1, -1, -1, -1, -1, null, -1);

    public static Where resource(String resource) {
        return EMPTY.withResource(resource);
    }

    public static Where none() {
        return EMPTY;
    }

    public Where withResource(String r) {
        return new Where(r, line, column, byteOffset, rangeStart, rangeEnd, page, partition, offset);
    }

    public Where withLine(long l) {
        return new Where(resource, l, column, byteOffset, rangeStart, rangeEnd, page, partition, offset);
    }

    public Where withColumn(long c) {
        return new Where(resource, line, c, byteOffset, rangeStart, rangeEnd, page, partition, offset);
    }

    public Where withByteOffset(long b) {
        return new Where(resource, line, column, b, rangeStart, rangeEnd, page, partition, offset);
    }

    public Where withRange(long start, long endInclusive) {
        return new Where(resource, line, column, byteOffset, start, endInclusive, page, partition, offset);
    }

    public Where withPage(long p) {
        return new Where(resource, line, column, byteOffset, rangeStart, rangeEnd, p, partition, offset);
    }

    public Where withPartition(String p, long off) {
        return new Where(resource, line, column, byteOffset, rangeStart, rangeEnd, page, p, off);
    }

    public boolean isEmpty() {
        return equals(EMPTY);
    }

    /** A short human description of the set fields. */
    public String describe() {
        List<String> parts = new ArrayList<>();
        if (resource != null) parts.add(resource);
        if (partition != null) parts.add("partition " + partition);
        if (offset >= 0) parts.add("offset " + offset);
        if (page >= 0) parts.add("page " + page);
        if (line >= 0) parts.add("line " + line);
        if (column >= 0) parts.add("column " + column);
        if (byteOffset >= 0) parts.add("byte " + byteOffset);
        if (rangeStart >= 0) parts.add("bytes " + rangeStart + "-" + rangeEnd);
        return String.join(" ", parts);
    }

    @Override
    public String toString() {
        return describe();
    }
}
