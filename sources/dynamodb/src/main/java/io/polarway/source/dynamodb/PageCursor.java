package io.polarway.source.dynamodb;

import io.polarway.api.StatsRecorder;
import io.polarway.error.Where;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;

import java.util.List;
import java.util.Map;

/**
 * Pages through one scan segment, one whole scan, or one query: each {@link #fetch} sends one request continuing after
 * the previous page's {@code LastEvaluatedKey}, and the cursor is done only when a page comes back without one. A page
 * with no items (a filter dropped all it read) is a page like any other: reading goes on.
 *
 * <p>Holds at most one page (DynamoDB sends at most 1 MB of items per page) and releases it once its last item is
 * taken. A failed request leaves the cursor where it was, so calling {@link #fetch} again asks for the same page.
 * Not thread-safe: one reader.
 */
final class PageCursor {
    private final ReadContext ctx;
    private final DynamoDbSegment split;
    private final RequestMetrics metrics;
    private final StatsRecorder stats;
    private final Where base;
    private Map<String, AttributeValue> startKey;
    private long pages;
    private boolean done;
    private List<Map<String, AttributeValue>> items = List.of();
    private int next;
    private long taken;
    private Where pageWhere;

    PageCursor(ReadContext ctx, DynamoDbSegment split, RequestMetrics metrics, StatsRecorder stats) {
        this.ctx = ctx;
        this.split = split;
        this.metrics = metrics;
        this.stats = stats;
        Where w = Where.resource(ctx.settings.resource());
        this.base = split.partitionName() != null ? w.withPartition(split.partitionName(), -1) : w;
        this.pageWhere = base;
    }

    /** Whether an item of the current page is waiting. */
    boolean hasItem() {
        return next < items.size();
    }

    /** Whether the last page has been read (items of it may still be waiting). */
    boolean lastPageRead() {
        return done;
    }

    /** Whether every item has been taken and there is no page left. */
    boolean exhausted() {
        return done && !hasItem();
    }

    /** The next item; call {@link #advance()} once it is safely handed over. */
    Map<String, AttributeValue> item() {
        return items.get(next);
    }

    /** Where the next item is: table, segment, page and its position in the segment (0-based). */
    Where itemWhere() {
        return pageWhere.withPartition(split.partitionName(), taken);
    }

    void advance() {
        next++;
        taken++;
        if (next == items.size()) {
            items = List.of(); // let the page go before the next one arrives
            next = 0;
        }
    }

    /** Where the cursor is: the page being read or about to be requested. */
    Where where() {
        return hasItem() ? pageWhere : base.withPage(pages + 1);
    }

    /**
     * Requests the next page (blocking; the SDK retries throttling and transient failures with backoff).
     *
     * @throws io.polarway.error.PolarwayException typed by {@link DynamoDbErrors}, naming the table, segment and page
     */
    void fetch() {
        if (done) throw new IllegalStateException("the last page of " + split.splitId() + " was already read");
        if (hasItem()) throw new IllegalStateException("items of page " + pages + " are still waiting");
        long page = pages + 1;
        Where where = base.withPage(page);
        List<Map<String, AttributeValue>> got;
        Map<String, AttributeValue> lastKey;
        int scanned;
        ConsumedCapacity capacity;
        SdkHttpResponse http;
        try {
            if (ctx.settings.query()) {
                QueryResponse r = ctx.client.query(ctx.query(startKey, metrics));
                got = r.items();
                lastKey = r.hasLastEvaluatedKey() ? r.lastEvaluatedKey() : null;
                scanned = r.scannedCount() == null ? got.size() : r.scannedCount();
                capacity = r.consumedCapacity();
                http = r.sdkHttpResponse();
            } else {
                ScanResponse r = ctx.client.scan(ctx.scan(split, startKey, metrics));
                got = r.items();
                lastKey = r.hasLastEvaluatedKey() ? r.lastEvaluatedKey() : null;
                scanned = r.scannedCount() == null ? got.size() : r.scannedCount();
                capacity = r.consumedCapacity();
                http = r.sdkHttpResponse();
            }
        } catch (SdkException e) {
            throw DynamoDbErrors.map(e, ctx.settings, ctx.region, where, ctx.settings.query() ? "query" : "scan");
        }
        if (lastKey != null && lastKey.isEmpty()) lastKey = null;
        if (lastKey != null && lastKey.equals(startKey)) {
            // A server that hands back the key it was given would make this loop forever.
            throw new DynamoDbSourceException(null, "page " + page + " of " + ctx.settings.resource()
                    + " ended at the same LastEvaluatedKey it started from: the read does not advance", where, null,
                    false);
        }
        pages = page;
        pageWhere = where;
        items = got;
        next = 0;
        startKey = lastKey;
        done = lastKey == null;
        stats.count("pages", 1);
        if (got.isEmpty()) stats.count("empty_pages", 1);
        stats.count("items_scanned", scanned);
        if (capacity != null && capacity.capacityUnits() != null) {
            stats.count("read_capacity_milli_units", Math.round(capacity.capacityUnits() * 1000));
        }
        http.firstMatchingHeader("Content-Length").ifPresent(v -> {
            try {
                stats.addBytesRead(Long.parseLong(v.trim()));
            } catch (NumberFormatException ignored) {
                // no size: nothing to add
            }
        });
    }

    long pagesRead() {
        return pages;
    }
}
