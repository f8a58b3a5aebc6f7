package io.polarway.config;

import io.polarway.error.ConfigException;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The option keys one component accepts, declared once. {@link #parse} turns the user's string map into typed
 * {@link Options}, rejecting unknown keys and bad values with a {@link ConfigException} that names the key and lists
 * the valid ones. Immutable.
 */
public final class OptionSet {
    private final String owner;
    private final Map<String, OptionSpec<?>> specs;

    private OptionSet(String owner, Map<String, OptionSpec<?>> specs) {
        this.owner = owner;
        this.specs = Collections.unmodifiableMap(specs);
    }

    /**
     * @param owner what the options belong to, for messages: e.g. {@code source 'csv'}
     */
    public static OptionSet of(String owner, OptionSpec<?>... specs) {
        Map<String, OptionSpec<?>> map = new LinkedHashMap<>();
        for (OptionSpec<?> s : specs) {
            if (map.put(s.key(), s) != null) throw new IllegalArgumentException("duplicate option key " + s.key());
        }
        return new OptionSet(owner, map);
    }

    /** This set plus {@code more} (keys must not repeat). */
    public OptionSet with(OptionSpec<?>... more) {
        Map<String, OptionSpec<?>> map = new LinkedHashMap<>(specs);
        for (OptionSpec<?> s : more) {
            if (map.put(s.key(), s) != null) throw new IllegalArgumentException("duplicate option key " + s.key());
        }
        return new OptionSet(owner, map);
    }

    /** This set plus every spec of {@code other}, under this set's owner name. */
    public OptionSet with(OptionSet other) {
        return with(other.specs.values().toArray(OptionSpec<?>[]::new));
    }

    public String owner() {
        return owner;
    }

    /** The declared specs, in declaration order. */
    public List<OptionSpec<?>> specs() {
        return List.copyOf(specs.values());
    }

    public List<String> keys() {
        return List.copyOf(specs.keySet());
    }

    public boolean contains(String key) {
        return specs.containsKey(key);
    }

    /**
     * Parses every raw value and checks that every key is declared.
     *
     * @throws ConfigException naming the first unknown key (with the valid keys) or the first bad value
     */
    public Options parse(Map<String, String> raw) {
        Objects.requireNonNull(raw, "raw");
        Map<String, Object> values = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : raw.entrySet()) {
            OptionSpec<?> spec = specs.get(e.getKey());
            if (spec == null) {
                throw new ConfigException(e.getKey(), "unknown option '" + e.getKey() + "' for " + owner, keys(), null);
            }
            try {
                values.put(e.getKey(), spec.parse(e.getValue()));
            } catch (IllegalArgumentException ex) {
                List<String> choices = spec.choices();
                throw new ConfigException(e.getKey(),
                        "bad value for option '" + e.getKey() + "' of " + owner + ": " + ex.getMessage(), choices, null);
            }
        }
        return new Options(this, values, new ArrayList<>(raw.keySet()));
    }

    @SuppressWarnings("unchecked")
    <T> OptionSpec<T> spec(OptionSpec<T> spec) {
        OptionSpec<?> declared = specs.get(spec.key());
        if (declared != spec) {
            throw new IllegalArgumentException("option " + spec.key() + " is not declared by " + owner);
        }
        return (OptionSpec<T>) declared;
    }
}
