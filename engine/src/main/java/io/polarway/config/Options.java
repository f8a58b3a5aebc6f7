package io.polarway.config;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Parsed, validated option values for one component. Immutable. Values not given take the spec's default.
 */
public final class Options {
    private final OptionSet set;
    private final Map<String, Object> values;
    private final List<String> given;

    Options(OptionSet set, Map<String, Object> values, List<String> given) {
        this.set = set;
        this.values = Map.copyOf(values);
        this.given = List.copyOf(given);
    }

    /** An empty parse of {@code set}: every option at its default. */
    public static Options defaults(OptionSet set) {
        return set.parse(Map.of());
    }

    /**
     * The value given for {@code spec}, else its default.
     *
     * @throws IllegalStateException if the option has no value and no default (use {@link #find})
     */
    public <T> T get(OptionSpec<T> spec) {
        return find(spec).orElseThrow(() -> new IllegalStateException(
                "option '" + spec.key() + "' of " + set.owner() + " has no value and no default"));
    }

    /** The value given for {@code spec}, else its default, else empty. */
    @SuppressWarnings("unchecked")
    public <T> Optional<T> find(OptionSpec<T> spec) {
        set.spec(spec);
        Object v = values.get(spec.key());
        return v != null ? Optional.of((T) v) : spec.defaultValue();
    }

    /** Whether the user gave this option explicitly. */
    public boolean isSet(OptionSpec<?> spec) {
        return given.contains(spec.key());
    }

    public OptionSet optionSet() {
        return set;
    }

    /** Given keys and values, secret ones shown as {@code ****}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("{");
        for (OptionSpec<?> s : set.specs()) {
            if (!values.containsKey(s.key())) continue;
            if (sb.length() > 1) sb.append(", ");
            sb.append(s.key()).append('=').append(s.isSecret() ? "****" : values.get(s.key()));
        }
        return sb.append('}').toString();
    }
}
