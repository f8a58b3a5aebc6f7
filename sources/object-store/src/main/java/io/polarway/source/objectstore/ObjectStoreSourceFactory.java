package io.polarway.source.objectstore;

import io.polarway.api.Credentials;
import io.polarway.api.SourceConfig;
import io.polarway.api.SourceContext;
import io.polarway.api.SourceFactory;
import io.polarway.api.StatsRecorder;
import io.polarway.api.StreamingSource;
import io.polarway.config.OptionSet;
import io.polarway.config.Options;
import io.polarway.error.ConfigException;
import io.polarway.format.TextFormat;
import io.polarway.format.TextFormats;
import io.polarway.source.file.LocalParquetScanner;
import io.polarway.source.objectstore.ObjectStore.ObjectInfo;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;

/**
 * Base of the {@code s3}, {@code azure} and {@code gcs} sources: the guide's "Cloud Storage" source. Each reads one
 * object or a glob of objects ({@code s3://bucket/logs/*.csv}) — Parquet (footer first, then only the row groups and
 * columns needed, by range), Arrow IPC, and the text formats on the classpath (CSV, JSON lines; gzip/zstd detected) —
 * as ranged parts whose bytes in flight are reserved from the memory budget.
 *
 * <pre>{@code
 * SourceConfig config = SourceConfig.of("s3://bucket/data.parquet")
 *         .withCredentials(Credentials.Aws.of("AKIA...", "secret", "us-east-1", null))
 *         .withParallel(true)                      // up to max_concurrency ranged parts at once
 *         .withOption("multipart_threshold", "8MB")
 *         .withOption("part_size", "8MB")
 *         .withMemoryLimit("600MB");
 * }</pre>
 *
 * <p>Parts in flight per object: {@code max_concurrency} with {@code parallel}, 2 with {@code prefetch}, else 1; in
 * every case only as many as the part budget ({@code part_memory_limit}, default a quarter of the memory budget)
 * grants buffers for. Options of the installed text formats (e.g. CSV's {@code delimiter}) are accepted too.
 */
public abstract class ObjectStoreSourceFactory implements SourceFactory {
    private final TextFormats textFormats;
    private final OptionSet options;

    protected ObjectStoreSourceFactory(TextFormats textFormats) {
        this.textFormats = textFormats;
        this.options = StoreSettings.options("source '" + type() + "'", textFormats);
    }

    /** {@code s3}, {@code az} or {@code gs}: the scheme of this store's locations. */
    abstract String scheme();

    abstract ObjectStore createStore(ObjectLocation location, StoreSettings settings, Credentials credentials);

    @Override
    public OptionSet options() {
        return options;
    }

    TextFormats textFormats() {
        return textFormats;
    }

    @Override
    public StreamingSource create(SourceConfig config, Options opts, SourceContext context) {
        ObjectLocation location = ObjectLocation.parse(config.location(), scheme());
        StoreSettings settings = StoreSettings.from(config, opts, textFormats);
        if (settings.filter() != null && !settings.format().equals("parquet") && !settings.format().equals("auto")) {
            throw new ConfigException("filter", "the 'filter' option applies to Parquet objects only", List.of(), null);
        }
        ObjectStore store = createStore(location, settings, config.credentials());
        ObjectStoreSource.Shared shared = null;
        try {
            StatsRecorder listing = new StatsRecorder();
            List<ObjectInfo> found = ObjectLister.resolve(store, location, settings.listPageSize(), listing);
            List<ObjectInfo> objects = new ArrayList<>(found.size());
            List<ObjectFormat> formats = new ArrayList<>(found.size());
            for (ObjectInfo o : found) {
                ObjectFormat f;
                try {
                    f = ObjectFormat.of(o.key(), settings.format(), textFormats);
                } catch (ConfigException e) {
                    if (!location.isPattern()) throw e;
                    continue; // globs skip objects of unknown formats (_SUCCESS markers, READMEs)
                }
                if (settings.filter() != null && f.kind() != ObjectFormat.Kind.PARQUET) {
                    throw new ConfigException("filter", "the 'filter' option applies to Parquet objects only; "
                            + location.uriOf(o.key()) + " is " + f.name(), List.of(), null);
                }
                objects.add(o);
                formats.add(f);
            }
            if (objects.isEmpty()) {
                throw new ConfigException("format", "none of the " + found.size() + " objects at " + location
                        + " has a known format (set the 'format' option)", List.of(), null);
            }
            long budgetBytes = context.memory().budgetBytes();
            PartBudget budget = new PartBudget(context.allocator(), settings.partMemoryBytes(budgetBytes));
            boolean parquet = formats.stream().anyMatch(f -> f.kind() == ObjectFormat.Kind.PARQUET);
            LocalParquetScanner scanner = null;
            try {
                if (parquet) {
                    long nativeLimit = settings.nativeMemoryLimitBytes() != null ? settings.nativeMemoryLimitBytes()
                            : budgetBytes > 0 ? Math.max(64L << 20, budgetBytes / 4) : 1L << 30;
                    scanner = new LocalParquetScanner(nativeLimit, context.memory());
                }
                int window = config.parallel() ? settings.maxConcurrency() : config.prefetch() ? 2 : 1;
                ExecutorService fetchThreads = ObjectStoreSource.threads("polarway-" + type() + "-fetch",
                        Math.max(1, Math.min(settings.maxConcurrency(), Math.max(window, 2))));
                shared = new ObjectStoreSource.Shared(store, budget, fetchThreads, scanner);
            } catch (RuntimeException | Error e) {
                if (scanner != null) scanner.close();
                budget.close();
                throw e;
            }
            ObjectStoreSource source = null;
            try {
                RangeFetcher fetcher = new RangeFetcher(store, settings.retry(), location);
                int window = config.parallel() ? settings.maxConcurrency() : config.prefetch() ? 2 : 1;
                ReadContext rc = new ReadContext(location, settings, fetcher, budget, shared.fetchThreads,
                        shared.parquet, null, window, null);
                source = new ObjectStoreSource(config, context, rc, shared, true, objects, formats, null, null, null);
                source.countListing(listing.snapshot().counters().getOrDefault("list_pages", 0L));
                source.settleSchema();
                return source;
            } catch (RuntimeException | Error e) {
                if (source != null) source.close();
                else shared.close();
                shared = null;
                throw e;
            }
        } catch (RuntimeException | Error e) {
            if (shared == null) store.close();
            throw e;
        }
    }

    @Override
    public String description() {
        return scheme() + ":// objects and globs read as ranged parts within the memory budget: Parquet (footer "
                + "first, needed row groups and columns only), Arrow IPC, "
                + (textFormats.list().isEmpty() ? "no text formats installed"
                : String.join(", ", textFormats.list().stream().map(TextFormat::name).toList()));
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "{type=" + type() + '}';
    }
}
