package io.polarway.source.dynamodb;

import io.polarway.api.StatsRecorder;
import io.polarway.error.ConfigException;
import io.polarway.error.ParseException;
import io.polarway.error.SchemaException;
import io.polarway.error.Where;
import io.polarway.records.JsonValues;
import io.polarway.records.RecordBatchBuilder;
import io.polarway.records.UnknownFields;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Turns one reader's items into Arrow batches with the schema shared by all readers of the source.
 *
 * <h2>Schema</h2>
 * With an explicit {@code schema} the columns are exactly its fields (plus the extra column under
 * {@code unknown_fields=collect}). Otherwise the items of the first {@code infer_schema_length} read (or all of them,
 * if fewer) are the sample: every attribute seen in it becomes a column, typed by the engine's inference with widening
 * (numbers int64, decimal(38,s) or float64; maps structs; lists and sets lists; an attribute that is only NULL in the
 * sample utf8). Column order does not depend on the order DynamoDB happens to list attributes in: the key attributes
 * first (partition key, sort key, then the index's), then the others by name, then the extra column.
 *
 * <h2>Attributes not in the schema</h2>
 * DynamoDB items are sparse: an attribute may first appear long after the sample. Per {@code unknown_fields}:
 * {@code collect} (the default) keeps such attributes as one JSON object per item in the utf8 extra column (null when
 * an item has none), so nothing is lost and the stream never fails on a new attribute; {@code error} fails with a
 * {@link SchemaException} naming the attribute and the item's table, segment, page and position; {@code ignore} drops
 * them and counts {@code unknown_fields_dropped}. A value that does not fit its column's type (e.g. 1.5 in a column
 * inferred as int64) is a SchemaException in every mode: raise {@code infer_schema_length} or give a {@code schema}.
 *
 * <p>Memory: converted items wait on the heap until built, about one chunk (or the sample, if larger). Not thread-safe.
 */
final class ItemAssembler {
    private final ReadContext ctx;
    private final StatsRecorder stats;
    private final boolean collect;
    private final boolean ignore;
    private final String extra;
    /** Items waiting for the schema, in read order. */
    private final ArrayDeque<Pending> sample = new ArrayDeque<>();
    private RecordBatchBuilder builder;
    private Set<String> columns;

    private record Pending(Map<String, Object> record, Where where) {
    }

    ItemAssembler(ReadContext ctx, StatsRecorder stats) {
        this.ctx = ctx;
        this.stats = stats;
        DynamoDbSettings s = ctx.settings;
        this.collect = DynamoDbSettings.COLLECT.equals(s.unknownFields());
        this.ignore = DynamoDbSettings.IGNORE.equals(s.unknownFields());
        this.extra = s.extraColumn();
    }

    /** Whether the reader should add more items before {@link #build} can return {@code maxRows} rows. */
    boolean wantsMore(int maxRows) {
        if (builder == null) {
            Schema shared = ctx.schema.get();
            if (shared == null) return sample.size() < Math.max(maxRows, ctx.settings.inferenceRows());
            adopt(shared); // another reader fixed it: stop sampling
        }
        drainSample();
        return builder.pendingRows() < maxRows;
    }

    /**
     * Converts and queues one item.
     *
     * @throws SchemaException under {@code unknown_fields=error} for an attribute not in the schema, or when an item
     *                         has an attribute named like the extra column (nothing is queued then)
     */
    void add(Map<String, AttributeValue> item, Where where) {
        Map<String, Object> record;
        try {
            record = AttributeValues.toMap(item);
        } catch (IllegalArgumentException e) {
            throw new ParseException(e.getMessage(), where, e);
        }
        if (builder == null && ctx.schema.get() != null) adopt(ctx.schema.get());
        if (builder == null) {
            sample.addLast(new Pending(record, where));
            return;
        }
        drainSample();
        builder.add(fit(record, where), where);
    }

    /**
     * Builds up to {@code maxRows} queued items, fixing the schema first if this reader is the first to need it.
     *
     * @return the batch (owned by the caller), or null when nothing is queued
     */
    VectorSchemaRoot build(BufferAllocator allocator, int maxRows) {
        if (builder == null) {
            if (sample.isEmpty()) return null;
            fixSchema();
        }
        drainSample();
        return builder.build(allocator, maxRows);
    }

    /** Items queued and not yet built (the sample included). */
    int queued() {
        return sample.size() + (builder == null ? 0 : builder.pendingRows());
    }

    /** Infers the schema from the sample and shares it, unless another reader did first. */
    private void fixSchema() {
        if (ctx.schema.get() == null) {
            for (Pending p : sample) {
                if (collect && p.record.containsKey(extra)) throw extraClash(p.where);
            }
            Set<String> order = new LinkedHashSet<>();
            Set<String> seen = new HashSet<>();
            for (Pending p : sample) seen.addAll(p.record.keySet());
            for (String k : ctx.table.keyAttributes()) if (seen.contains(k)) order.add(k);
            order.addAll(new TreeSet<>(seen));
            if (collect) order.add(extra);
            RecordBatchBuilder candidate = newBuilder(null);
            boolean first = true;
            for (Pending p : sample) {
                Map<String, Object> record = p.record;
                if (first) {
                    // The inference lists columns in first-seen order: let the first record name them all, in
                    // order (a missing attribute and a null are the same cell).
                    Map<String, Object> ordered = new LinkedHashMap<>();
                    for (String name : order) ordered.put(name, record.get(name));
                    record = ordered;
                    first = false;
                }
                candidate.add(record, p.where);
            }
            Schema inferred = candidate.fixSchema();
            if (ctx.schema.compareAndSet(null, inferred)) {
                builder = candidate;
                columns = names(inferred);
                sample.clear();
                return;
            }
        }
        adopt(ctx.schema.get());
    }

    /** Uses a schema fixed elsewhere (explicit, or inferred by another reader); the sample is fitted to it. */
    private void adopt(Schema schema) {
        builder = newBuilder(schema);
        columns = names(schema);
    }

    /** Moves sample items into the builder, one at a time, so a failure leaves the rest queued in order. */
    private void drainSample() {
        while (!sample.isEmpty()) {
            Pending p = sample.peekFirst();
            builder.add(fit(p.record, p.where), p.where);
            sample.removeFirst();
        }
    }

    private RecordBatchBuilder newBuilder(Schema schema) {
        RecordBatchBuilder.Builder b = RecordBatchBuilder.builder(ctx.settings.resource())
                .inferenceRows(ctx.settings.inferenceRows())
                .nested(ctx.settings.nested())
                // Top-level attributes are sorted out here (fit); this governs fields of nested maps.
                .unknownFields(ignore ? UnknownFields.IGNORE : UnknownFields.ERROR)
                .stats(stats);
        if (schema != null) b.schema(schema);
        return b.build();
    }

    /** Applies unknown_fields to the attributes a schema lacks; returns the record to build (maybe the same map). */
    private Map<String, Object> fit(Map<String, Object> record, Where where) {
        if (collect && record.containsKey(extra)) throw extraClash(where);
        Map<String, Object> extras = null;
        long dropped = 0;
        for (Iterator<Map.Entry<String, Object>> it = record.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Object> e = it.next();
            if (columns.contains(e.getKey())) continue;
            if (collect) {
                if (extras == null) extras = new LinkedHashMap<>();
                extras.put(e.getKey(), e.getValue());
            } else if (ignore) {
                dropped++;
            } else {
                throw new SchemaException("attribute '" + e.getKey() + "' is not in the schema " + columns
                        + (ctx.settings.schema() == null ? " (it did not appear in the first "
                        + ctx.settings.inferenceRows() + " items the schema was inferred from)" : "")
                        + ": set unknown_fields=collect to keep such attributes as JSON in column '" + extra
                        + "', unknown_fields=ignore to drop them, raise infer_schema_length, or give a schema",
                        where, null);
            }
            it.remove();
        }
        if (dropped > 0) stats.count("unknown_fields_dropped", dropped);
        if (extras != null) {
            stats.count("unknown_fields_collected", extras.size());
            record.put(extra, JsonValues.toJson(extras));
        }
        return record;
    }

    private ConfigException extraClash(Where where) {
        return new ConfigException(DynamoDbSourceFactory.EXTRA_COLUMN.key(), "items have an attribute named '"
                + extra + "', the column unknown_fields=collect puts unknown attributes in: set extra_column to a "
                + "name no attribute uses", List.of(), where, null);
    }

    private static Set<String> names(Schema schema) {
        Set<String> out = new HashSet<>();
        for (Field f : schema.getFields()) out.add(f.getName());
        return out;
    }
}
