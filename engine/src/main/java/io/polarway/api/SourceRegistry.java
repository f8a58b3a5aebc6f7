package io.polarway.api;

import io.polarway.config.Options;
import io.polarway.error.UnsupportedSourceException;
import io.polarway.memory.MemoryMonitor;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Creates sources by type name: the guide's {@code SourceRegistry}. {@link #withDefaults()} finds every
 * {@link SourceFactory} on the classpath through {@link ServiceLoader}; {@link #register} adds more. Thread-safe.
 *
 * <pre>{@code
 * SourceRegistry registry = SourceRegistry.withDefaults();
 * try (StreamingSource source = registry.create("csv", SourceConfig.of("big.csv").withMemoryLimit("600MB"))) { ... }
 * }</pre>
 */
public final class SourceRegistry {

    /** Types the project defines, with the module that provides each, to say what to add when one is missing. */
    private static final Map<String, String> KNOWN_MODULES = Map.of(
            "csv", "polarway-source-csv", "file", "polarway-source-file", "s3", "polarway-source-object-store",
            "azure", "polarway-source-object-store", "gcs", "polarway-source-object-store",
            "http", "polarway-source-http", "dynamodb", "polarway-source-dynamodb",
            "kafka", "polarway-source-kafka", "generate", "polarway-engine");

    private final Map<String, SourceFactory> byName = new ConcurrentHashMap<>();

    private SourceRegistry() {
    }

    /** An empty registry. */
    public static SourceRegistry empty() {
        return new SourceRegistry();
    }

    /** A registry with every {@link SourceFactory} found on the classpath. */
    public static SourceRegistry withDefaults() {
        SourceRegistry r = new SourceRegistry();
        for (SourceFactory f : ServiceLoader.load(SourceFactory.class, SourceRegistry.class.getClassLoader())) {
            r.register(f);
        }
        return r;
    }

    /** Registers {@code factory} under its type and aliases, replacing earlier registrations of those names. */
    public SourceRegistry register(SourceFactory factory) {
        Objects.requireNonNull(factory, "factory");
        register(factory.type(), factory);
        for (String alias : factory.aliases()) register(alias, factory);
        return this;
    }

    /** Registers {@code factory} under {@code type} (in addition to nothing else). */
    public SourceRegistry register(String type, SourceFactory factory) {
        byName.put(normalize(type), Objects.requireNonNull(factory, "factory"));
        return this;
    }

    private static String normalize(String type) {
        return Objects.requireNonNull(type, "type").trim().toLowerCase(Locale.ROOT);
    }

    /** The registered factories, one per type (aliases folded), sorted by type. */
    public List<SourceFactory> list() {
        Map<String, SourceFactory> unique = new TreeMap<>();
        for (SourceFactory f : byName.values()) unique.put(f.type(), f);
        return List.copyOf(unique.values());
    }

    /** Every registered name, aliases included, sorted. */
    public List<String> names() {
        return new ArrayList<>(new TreeMap<>(byName).keySet());
    }

    /**
     * The factory for {@code type}.
     *
     * @throws UnsupportedSourceException listing the registered types (and the module to add, for a known type)
     */
    public SourceFactory factory(String type) {
        SourceFactory f = byName.get(normalize(type));
        if (f != null) return f;
        String module = KNOWN_MODULES.get(normalize(type));
        String hint = module != null
                ? "source type '" + type + "' needs the module " + module + " on the classpath"
                : "unknown source type '" + type + "'";
        throw new UnsupportedSourceException(hint + "; registered types: " + String.join(", ", names()));
    }

    /**
     * Creates a source that reads with an allocator of its own, limited to the memory budget (the configured limit,
     * else the cgroup limit, else RAM). Closing the source closes that allocator, so every chunk must be closed first.
     *
     * @throws io.polarway.error.PolarwayException Config for bad options, UnsupportedSource for unknown types, and
     *         whatever the source raises while opening
     */
    public StreamingSource create(String type, SourceConfig config) {
        SourceFactory factory = factory(type);
        Options options = parseOptions(factory, config);
        RootAllocator allocator = new RootAllocator(config.memoryLimitBytes().orElse(Long.MAX_VALUE));
        try {
            MemoryMonitor monitor = MemoryMonitor.create(config.memoryLimitBytes().orElse(0), allocator);
            allocator.setLimit(monitor.budgetBytes());
            StreamingSource source = factory.create(config, options, new SourceContext(allocator, monitor));
            return OwningSource.wrap(source, allocator);
        } catch (RuntimeException | Error e) {
            allocator.close();
            throw e;
        }
    }

    /**
     * Creates a source that builds its chunks from the caller's allocator. The caller closes the allocator after the
     * source.
     */
    public StreamingSource create(String type, SourceConfig config, SourceContext context) {
        SourceFactory factory = factory(type);
        return factory.create(config, parseOptions(factory, config), context);
    }

    private static Options parseOptions(SourceFactory factory, SourceConfig config) {
        return factory.options().parse(config.options());
    }

    /** Closes a source's own allocator after the source; keeps splittability visible. */
    private static class OwningSource implements StreamingSource {
        final StreamingSource delegate;
        final BufferAllocator allocator;

        OwningSource(StreamingSource delegate, BufferAllocator allocator) {
            this.delegate = delegate;
            this.allocator = allocator;
        }

        static StreamingSource wrap(StreamingSource s, BufferAllocator a) {
            return s instanceof SplittableSource sp ? new OwningSplittable(sp, a) : new OwningSource(s, a);
        }

        @Override
        public SourceMetadata metadata() {
            return delegate.metadata();
        }

        @Override
        public java.util.Optional<Chunk> readChunk(int maxRows) {
            return delegate.readChunk(maxRows);
        }

        @Override
        public int chunkSizeRows() {
            return delegate.chunkSizeRows();
        }

        @Override
        public SourceStats stats() {
            return delegate.stats();
        }

        @Override
        public void close() {
            try {
                delegate.close();
            } finally {
                allocator.close();
            }
        }

        @Override
        public String toString() {
            return delegate.toString();
        }
    }

    private static final class OwningSplittable extends OwningSource implements SplittableSource {
        OwningSplittable(SplittableSource delegate, BufferAllocator allocator) {
            super(delegate, allocator);
        }

        @Override
        public List<? extends SourceSplit> planSplits(int desiredSplits) {
            return ((SplittableSource) delegate).planSplits(desiredSplits);
        }

        @Override
        public StreamingSource openSplit(SourceSplit split, SourceContext context) {
            return ((SplittableSource) delegate).openSplit(split, context);
        }
    }
}
