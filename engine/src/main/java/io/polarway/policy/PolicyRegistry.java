package io.polarway.policy;

import io.polarway.config.Options;
import io.polarway.error.ConfigException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceLoader;

/**
 * Chunk-size policies by name. {@link #withDefaults()} holds the built-in ones — {@code guide} (the user guide's
 * rule), {@code fixed}, and the rivals {@code aimd} ({@link AimdPolicy}), {@code drain} ({@link DrainTimePolicy}),
 * {@code gradient} ({@link GradientPolicy}) — and every {@link PolicyFactory} found by {@link ServiceLoader}. Names are matched case-insensitively. Thread-safe.
 */
public final class PolicyRegistry {

    private final Map<String, PolicyFactory> factories = new LinkedHashMap<>();

    /** An empty registry. */
    public PolicyRegistry() {
    }

    /**
     * {@code guide}, {@code fixed}, {@code aimd}, {@code drain}, {@code gradient}, then the service-loaded factories (from this class's class loader). A provider
     * whose class is already registered is skipped.
     *
     * @throws IllegalStateException if a service-loaded factory takes a name already registered by another class
     */
    public static PolicyRegistry withDefaults() {
        PolicyRegistry registry = new PolicyRegistry();
        registry.register(GuidePolicy.FACTORY);
        registry.register(FixedPolicy.FACTORY);
        registry.register(AimdPolicy.FACTORY);
        registry.register(DrainTimePolicy.FACTORY);
        registry.register(GradientPolicy.FACTORY);
        for (PolicyFactory f : ServiceLoader.load(PolicyFactory.class, PolicyRegistry.class.getClassLoader())) {
            PolicyFactory existing = registry.find(f.name());
            if (existing != null && existing.getClass() == f.getClass()) continue;
            registry.register(f);
        }
        return registry;
    }

    /**
     * Adds a factory.
     *
     * @return this registry
     * @throws IllegalStateException if its name is already registered
     */
    public synchronized PolicyRegistry register(PolicyFactory factory) {
        Objects.requireNonNull(factory, "factory");
        String name = key(Objects.requireNonNull(factory.name(), "factory name"));
        if (name.isBlank()) throw new IllegalArgumentException("policy name is blank: " + factory.getClass());
        PolicyFactory previous = factories.putIfAbsent(name, factory);
        if (previous != null) {
            throw new IllegalStateException("policy '" + name + "' is already registered by "
                    + previous.getClass().getName() + "; cannot register " + factory.getClass().getName());
        }
        return this;
    }

    /** The registered factories, in registration order. */
    public synchronized List<PolicyFactory> list() {
        return List.copyOf(factories.values());
    }

    /** The registered names, in registration order. */
    public synchronized List<String> names() {
        return List.copyOf(factories.keySet());
    }

    /**
     * The factory registered under {@code name}.
     *
     * @throws ConfigException (key {@code policy}) listing the registered names when there is none
     */
    public synchronized PolicyFactory get(String name) {
        PolicyFactory f = name == null ? null : factories.get(key(name));
        if (f == null) {
            throw new ConfigException("policy", "unknown policy '" + name + "'", new ArrayList<>(factories.keySet()),
                    null);
        }
        return f;
    }

    /**
     * Parses {@code params} against the policy's options and creates a policy.
     *
     * @param params           option key to raw value, e.g. {@code shrink_above=0.75}
     * @param initialChunkRows the stream's configured initial chunk size in rows
     * @throws ConfigException on an unknown policy (listing the names), an unknown key (listing the valid keys) or a
     *                         bad value (naming the key)
     */
    public ChunkSizePolicy create(String name, Map<String, String> params, int initialChunkRows) {
        PolicyFactory f = get(name);
        Options options = f.options().parse(params);
        return f.create(options, initialChunkRows);
    }

    private synchronized PolicyFactory find(String name) {
        return factories.get(key(name));
    }

    private static String key(String name) {
        return name.trim().toLowerCase(Locale.ROOT);
    }

    @Override
    public synchronized String toString() {
        return "PolicyRegistry" + factories.keySet();
    }
}
