package io.polarway.bench.sim;

import io.polarway.policy.PolicyFactory;
import io.polarway.policy.PolicyRegistry;
import io.polarway.policy.PolicySettings;
import io.polarway.profile.VmProfile;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A policy to simulate or run: a registered name and its parameters (policy and gate keys in one flat map, as
 * {@link PolicySettings#from} takes them). The name {@value #PROFILE} stands for the VM profile's recommended policy
 * with its parameters ({@link VmProfile#policy()}). Immutable; parameters keep their order.
 *
 * @param name   a registered policy name, or {@value #PROFILE}
 * @param params parameters
 */
public record PolicySpec(String name, Map<String, String> params) {
    /** The profile's recommended policy. */
    public static final String PROFILE = "profile";

    public PolicySpec {
        Objects.requireNonNull(name, "name");
        params = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(params == null ? Map.of() : params));
    }

    public static PolicySpec of(String name) {
        return new PolicySpec(name, Map.of());
    }

    /** A copy with one more parameter. */
    public PolicySpec with(String key, String value) {
        Map<String, String> m = new LinkedHashMap<>(params);
        m.put(key, value);
        return new PolicySpec(name, m);
    }

    /** The policy and parameters this spec stands for on {@code profile} ({@value #PROFILE} resolved). */
    public PolicySpec resolve(VmProfile profile) {
        if (!name.equals(PROFILE)) return this;
        Map<String, String> m = new LinkedHashMap<>(profile.policy().params());
        m.putAll(params);
        return new PolicySpec(profile.policy().name(), m);
    }

    /**
     * The policy and gate a stream sized for {@code profile} would run, as {@code AdaptiveStream.Builder} builds
     * them: the spec resolved, then the profile's chunk clamps where the policy has them and they are not set.
     *
     * @throws io.polarway.error.ConfigException on an unknown name, key or bad value
     */
    public PolicySettings settings(VmProfile profile, int initialChunkRows) {
        PolicySpec r = resolve(profile);
        PolicyRegistry registry = PolicyRegistry.withDefaults();
        PolicyFactory f = registry.get(r.name());
        Map<String, String> m = new LinkedHashMap<>(r.params());
        if (f.options().contains("max_chunk_rows")) m.putIfAbsent("max_chunk_rows", Integer.toString(profile.maxChunkRows()));
        if (f.options().contains("min_chunk_rows")) m.putIfAbsent("min_chunk_rows", Integer.toString(profile.minChunkRows()));
        return PolicySettings.from(registry, r.name(), m, initialChunkRows);
    }

    /** {@code name k=v,k=v} — what the CSV and the reports show. */
    public String label() {
        if (params.isEmpty()) return name;
        List<String> kv = new ArrayList<>();
        params.forEach((k, v) -> kv.add(k + "=" + v));
        return name + " " + String.join(",", kv);
    }

    /** The parameters as {@code k=v,k=v} (the form {@code -Dbench.policy.params} takes). */
    public String paramsText() {
        List<String> kv = new ArrayList<>();
        params.forEach((k, v) -> kv.add(k + "=" + v));
        return String.join(",", kv);
    }

    /**
     * Parses {@code k=v,k=v} (empty: no parameters).
     *
     * @throws IllegalArgumentException on an entry without {@code =}
     */
    public static Map<String, String> parseParams(String text) {
        Map<String, String> m = new LinkedHashMap<>();
        if (text == null || text.isBlank()) return m;
        for (String part : text.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) continue;
            int eq = p.indexOf('=');
            if (eq <= 0) throw new IllegalArgumentException("expected KEY=VALUE, got '" + p + "'");
            m.put(p.substring(0, eq).trim(), p.substring(eq + 1).trim());
        }
        return m;
    }

    /** Parameters sorted by key, for comparing specs regardless of order. */
    public Map<String, String> sortedParams() {
        return new TreeMap<>(params);
    }

    @Override
    public String toString() {
        return label();
    }
}
