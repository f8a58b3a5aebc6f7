package io.polarway.source.dynamodb;

import io.polarway.api.AbstractStreamingSource;
import io.polarway.api.SourceConfig;
import io.polarway.api.SourceContext;
import io.polarway.api.SourceMetadata;
import io.polarway.api.SourceSplit;
import io.polarway.api.SplittableSource;
import io.polarway.api.StreamingSource;
import io.polarway.error.Where;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads a DynamoDB table or index into Arrow chunks: Scan, Query, or a parallel Scan whose segments are
 * {@link SourceSplit}s.
 *
 * <h2>What is read</h2>
 * {@code operation=scan} (default) reads every item, {@code operation=query} the items matching {@code key_condition};
 * both take {@code filter_expression}, {@code projection}, {@code index_name}, {@code expression_attribute_names} and
 * {@code expression_attribute_values} (JSON) and {@code consistent_read}, as DynamoDB defines them. Pages follow
 * {@code LastEvaluatedKey} until a page comes back without one; pages a filter left empty are read through, so the end
 * of the stream is the end of the table (or segment, or query). {@code limit} sets the items evaluated per page.
 *
 * <h2>Parallel scan</h2>
 * With {@code total_segments = N} the scan is divided into N segments. With {@code parallel=true} an
 * {@link io.polarway.stream.AdaptiveStream} reads them as splits on several threads (at most its parallelism at a time,
 * its read-ahead bounded by the memory budget); without it, this source reads them one after the other. With
 * {@code parallel=true} and no {@code total_segments} there is one segment per reader thread. {@code segment = k}
 * reads only segment k of N, for workers on several machines that together read the table once.
 *
 * <h2>Types</h2>
 * See {@link AttributeValues} for the mapping and {@link ItemAssembler} for the schema (inference sample, explicit
 * {@code schema}, {@code unknown_fields} and the extra column), nested values as structs and lists or, with
 * {@code nested_mode=json}, as JSON text.
 *
 * <h2>Failures</h2>
 * Throttling ({@code ProvisionedThroughputExceededException}, {@code RequestLimitExceeded}), 5xx answers and
 * connection failures are retried by the AWS SDK's standard strategy, {@code retry_attempts} times with the guide's
 * exponential backoff ({@code retry_delay_ms}, {@code retry_multiplier}); what is still failing then, and every other
 * error, is typed by {@link DynamoDbErrors} with a {@link Where} naming the table, segment and page. After an error
 * nothing read so far is lost or repeated: reading again resumes at the page that failed.
 *
 * <h2>Memory and threads</h2>
 * Each reader holds at most one page of items as the SDK returned it (DynamoDB pages are at most 1 MB of item data)
 * plus the items of the chunk being built; Arrow memory comes from the per-chunk allocators of the engine. Requests
 * block the reading thread; split readers share one thread-safe client and its connection pool
 * ({@code max_connections}). Counters in {@link #stats()}: {@code pages}, {@code empty_pages},
 * {@code items_scanned}, {@code retries}, {@code throttled}, {@code read_capacity_milli_units},
 * {@code unknown_fields_collected}, {@code unknown_fields_dropped}; bytes read are the response bodies' sizes.
 *
 * <p>One thread at a time per reader, like every {@link StreamingSource}. Closing the source that the factory created
 * closes the client; close split readers first (the {@link io.polarway.stream.AdaptiveStream} does).
 */
public final class DynamoDbSource extends AbstractStreamingSource implements SplittableSource {
    private final ReadContext ctx;
    private final boolean ownsContext;
    private final List<DynamoDbSegment> parts;
    private final RequestMetrics metrics;
    private final ItemAssembler assembler;
    private int partIndex;
    private PageCursor cursor;
    private boolean delivered;

    private DynamoDbSource(SourceConfig config, SourceContext context, ReadContext ctx, boolean ownsContext,
                           List<DynamoDbSegment> parts, String splitId) {
        super("dynamodb", config, context, splitId);
        this.ctx = ctx;
        this.ownsContext = ownsContext;
        this.parts = List.copyOf(parts);
        this.metrics = new RequestMetrics(stats);
        this.assembler = new ItemAssembler(ctx, stats);
    }

    /**
     * Opens the source: builds the client and describes the table (a missing table or index, or rejected
     * credentials, fail here with a typed error).
     */
    static DynamoDbSource open(SourceConfig config, DynamoDbSettings settings, SourceContext context) {
        ReadContext ctx = ReadContext.open(settings);
        try {
            return new DynamoDbSource(config, context, ctx, true, ownParts(settings), null);
        } catch (RuntimeException | Error e) {
            ctx.close();
            throw e;
        }
    }

    /** What this source reads when read directly: one segment, every segment in order, or the whole table/query. */
    private static List<DynamoDbSegment> ownParts(DynamoDbSettings s) {
        if (s.segment() != null) return List.of(new DynamoDbSegment(s.segment(), s.totalSegments()));
        if (s.segmented()) return allSegments(s.totalSegments());
        return List.of(DynamoDbSegment.whole());
    }

    private static List<DynamoDbSegment> allSegments(int total) {
        List<DynamoDbSegment> out = new ArrayList<>(total);
        for (int i = 0; i < total; i++) out.add(new DynamoDbSegment(i, total));
        return out;
    }

    @Override
    protected VectorSchemaRoot readInto(BufferAllocator allocator, int maxRows) {
        while (assembler.wantsMore(maxRows)) {
            PageCursor c = currentCursor();
            if (c == null) break;
            if (c.hasItem()) {
                assembler.add(c.item(), c.itemWhere());
                c.advance();
            } else if (!c.lastPageRead()) {
                c.fetch();
            } else {
                cursor = null;
                partIndex++;
            }
        }
        VectorSchemaRoot root = assembler.build(allocator, maxRows);
        if (root == null && !delivered && ownsContext && ctx.settings.schema() != null) {
            // No items, but a known schema: one empty chunk says what the (empty) result looks like.
            root = VectorSchemaRoot.create(ctx.settings.schema(), allocator);
            try {
                root.allocateNew();
            } catch (RuntimeException e) {
                root.close();
                throw e;
            }
            root.setRowCount(0);
        }
        delivered |= root != null;
        return root;
    }

    /** The cursor of the part being read, opened on first use; null once every part is read. */
    private PageCursor currentCursor() {
        if (cursor == null && partIndex < parts.size()) {
            cursor = new PageCursor(ctx, parts.get(partIndex), metrics, stats);
        }
        return cursor;
    }

    @Override
    protected Where where() {
        PageCursor c = cursor;
        return c != null ? c.where() : Where.resource(ctx.settings.resource());
    }

    /**
     * The schema once fixed (explicit, or inferred when the first chunk of any reader was built); sizes are unknown
     * (DynamoDB's own counts are approximate). Parallelizable for a scan that is not restricted to one segment.
     */
    @Override
    public SourceMetadata metadata() {
        DynamoDbSettings s = ctx.settings;
        boolean parallelizable = ownsContext && !s.query() && s.segment() == null
                && (s.totalSegments() == null || s.totalSegments() > 1);
        return new SourceMetadata(ctx.schema.get(), -1, -1, !s.query(), parallelizable);
    }

    /**
     * The segments of a scan: {@code total_segments} of them (or only {@code segment}), else {@code desiredSplits};
     * one split for a query. Plans nothing new once reading has started elsewhere: splits and the source itself read
     * the same data, so read one or the other.
     */
    @Override
    public List<DynamoDbSegment> planSplits(int desiredSplits) {
        DynamoDbSettings s = ctx.settings;
        if (s.query()) return List.of(DynamoDbSegment.whole());
        if (s.segment() != null) return List.of(new DynamoDbSegment(s.segment(), s.totalSegments()));
        if (s.totalSegments() != null) {
            return s.totalSegments() == 1 ? List.of(DynamoDbSegment.whole()) : allSegments(s.totalSegments());
        }
        int n = Math.max(1, Math.min(desiredSplits, 1_000_000));
        return n == 1 ? List.of(DynamoDbSegment.whole()) : allSegments(n);
    }

    /**
     * A reader of one split, sharing this source's client and schema. Close it before this source.
     *
     * @throws IllegalArgumentException when {@code split} is not a {@link DynamoDbSegment}
     */
    @Override
    public StreamingSource openSplit(SourceSplit split, SourceContext context) {
        if (!(split instanceof DynamoDbSegment segment)) {
            throw new IllegalArgumentException("not a DynamoDB split: " + split);
        }
        if (ctx.settings.query() && segment.isSegment()) {
            throw new IllegalArgumentException("a query cannot be read by segment: " + split);
        }
        return new DynamoDbSource(config, context, ctx, false, List.of(segment), segment.splitId());
    }

    @Override
    protected void doClose() {
        if (ownsContext) ctx.close();
    }

    @Override
    public String toString() {
        return "DynamoDbSource{" + ctx.settings + ", parts=" + parts.size() + '}';
    }
}
