package io.polarway.bench.sim;

import io.polarway.error.ConfigException;
import io.polarway.policy.HysteresisGate;
import io.polarway.policy.PolicyFactory;
import io.polarway.policy.PolicyRegistry;
import io.polarway.profile.VmProfile;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * The parameter space of a sweep: per key, the values to try (a grid) or a range to draw from (random search).
 * Entries are written {@code key=v1,v2,v3} (grid) or {@code key=lo..hi} (random search draws uniformly; integers when
 * both ends are), optionally scoped to one policy: {@code drain:target_chunk_ms=100,250,500}. An unscoped key applies
 * to every policy that accepts it (the gate's {@code pause_above} and {@code resume_below} to all), a scoped one only
 * to its policy. Immutable.
 */
public final class ParamGrid {
    /** One key's values or range. */
    record Axis(String policy, String key, List<String> values, double lo, double hi, boolean integer) {
        boolean isRange() {
            return values.isEmpty();
        }

        String draw(Random rnd) {
            if (integer) return Long.toString(Math.round(lo + rnd.nextDouble() * (hi - lo)));
            double v = lo + rnd.nextDouble() * (hi - lo);
            return Double.toString(Math.round(v * 1000) / 1000.0);
        }
    }

    private final List<Axis> axes;

    private ParamGrid(List<Axis> axes) {
        this.axes = List.copyOf(axes);
    }

    public static ParamGrid empty() {
        return new ParamGrid(List.of());
    }

    /**
     * Parses entries such as {@code shrink_above=0.7,0.8}, {@code drain:target_chunk_ms=100..1000}.
     *
     * @throws IllegalArgumentException on an entry without {@code =}, without values, or with a bad range
     */
    public static ParamGrid parse(List<String> entries) {
        List<Axis> axes = new ArrayList<>();
        for (String e : entries) {
            for (String entry : e.split(";")) {
                String t = entry.trim();
                if (t.isEmpty()) continue;
                int eq = t.indexOf('=');
                if (eq <= 0) throw new IllegalArgumentException("grid entry must be [POLICY:]KEY=VALUES, got '" + t + "'");
                String lhs = t.substring(0, eq).trim();
                String rhs = t.substring(eq + 1).trim();
                String policy = null;
                String key = lhs;
                int colon = lhs.indexOf(':');
                if (colon > 0) {
                    policy = lhs.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                    key = lhs.substring(colon + 1).trim();
                }
                if (rhs.contains("..")) {
                    String[] ends = rhs.split("\\.\\.");
                    if (ends.length != 2) throw new IllegalArgumentException("range must be LO..HI, got '" + rhs + "'");
                    double lo = Double.parseDouble(ends[0].trim());
                    double hi = Double.parseDouble(ends[1].trim());
                    if (!(lo <= hi)) throw new IllegalArgumentException("range " + rhs + ": LO must not exceed HI");
                    boolean integer = !ends[0].contains(".") && !ends[1].contains(".");
                    axes.add(new Axis(policy, key, List.of(), lo, hi, integer));
                } else {
                    List<String> values = new ArrayList<>();
                    for (String v : rhs.split(",")) if (!v.isBlank()) values.add(v.trim());
                    if (values.isEmpty()) throw new IllegalArgumentException("no values for " + lhs);
                    axes.add(new Axis(policy, key, values, 0, 0, false));
                }
            }
        }
        return new ParamGrid(axes);
    }

    /** This grid with {@code other}'s entries after its own (a key in both: the later one wins). */
    public ParamGrid and(ParamGrid other) {
        List<Axis> all = new ArrayList<>(axes);
        all.addAll(other.axes);
        return new ParamGrid(all);
    }

    public boolean isEmpty() {
        return axes.isEmpty();
    }

    /** The axes that apply to {@code policy}, later entries overriding earlier ones for the same key. */
    private List<Axis> axesFor(String policy, PolicyFactory f) {
        Map<String, Axis> byKey = new LinkedHashMap<>();
        for (Axis a : axes) {
            boolean accepted = f.options().contains(a.key()) || HysteresisGate.OPTIONS.contains(a.key());
            if (a.policy() != null) {
                if (!a.policy().equals(policy)) continue;
                if (!accepted) {
                    throw new ConfigException(a.key(), "unknown option '" + a.key() + "' for policy '" + policy
                            + "' in the grid", f.options().keys(), null);
                }
            } else if (!accepted) {
                continue;
            }
            byKey.put(a.key(), a);
        }
        return new ArrayList<>(byKey.values());
    }

    /**
     * Every combination of the grid values for {@code policy} (each one with {@code base}'s parameters under it);
     * range axes are ignored here. Without axes for it: just {@code base}.
     */
    public List<PolicySpec> grid(PolicySpec base) {
        PolicyFactory f = PolicyRegistry.withDefaults().get(base.name());
        List<Axis> as = axesFor(f.name(), f);
        List<Map<String, String>> combos = new ArrayList<>();
        combos.add(new LinkedHashMap<>(base.params()));
        for (Axis a : as) {
            if (a.isRange()) continue;
            List<Map<String, String>> next = new ArrayList<>();
            for (Map<String, String> c : combos) {
                for (String v : a.values()) {
                    Map<String, String> m = new LinkedHashMap<>(c);
                    m.put(a.key(), v);
                    next.add(m);
                }
            }
            combos = next;
        }
        Set<PolicySpec> out = new LinkedHashSet<>();
        for (Map<String, String> c : combos) out.add(new PolicySpec(base.name(), c));
        return new ArrayList<>(out);
    }

    /**
     * {@code n} random points for {@code policy}: each axis drawn from its range or picked from its values, with
     * {@code seed} (the same seed, the same points).
     */
    public List<PolicySpec> random(PolicySpec base, int n, long seed) {
        PolicyFactory f = PolicyRegistry.withDefaults().get(base.name());
        List<Axis> as = axesFor(f.name(), f);
        Random rnd = new Random(seed ^ base.name().hashCode());
        List<PolicySpec> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Map<String, String> m = new LinkedHashMap<>(base.params());
            for (Axis a : as) m.put(a.key(), a.isRange() ? a.draw(rnd) : a.values().get(rnd.nextInt(a.values().size())));
            out.add(new PolicySpec(base.name(), m));
        }
        return out;
    }

    /**
     * The default search space on {@code profile}: for each built-in policy its thresholds and factors around its
     * defaults; for all, the gate's marks and the largest chunk (a quarter, half or all of the profile's max). Used by {@code polarway tune} without {@code --grid} and by the
     * {@code tune} suite.
     */
    public static ParamGrid defaults(VmProfile profile) {
        int max = profile.maxChunkRows();
        return parse(List.of(
                "max_chunk_rows=" + Math.max(profile.minChunkRows(), max / 4) + "," + Math.max(profile.minChunkRows(),
                        max / 2) + "," + max,
                "pause_above=0.85,0.9,0.95",
                "resume_below=0.6,0.7,0.8",
                "guide:shrink_above=0.7,0.8,0.85",
                "guide:grow_below=0.4,0.5,0.6",
                "guide:shrink_factor=0.5,0.75",
                "guide:grow_factor=1.25,2",
                "aimd:decrease_above=0.7,0.8,0.85",
                "aimd:increase_below=0.6,0.7",
                "aimd:backoff_ratio=0.5,0.7,0.9",
                "aimd:increase_rows=" + Math.max(1, max / 32) + "," + Math.max(1, max / 16) + ","
                        + Math.max(1, max / 4),
                "drain:target_chunk_ms=100,250,500,1000",
                "drain:high_mark=0.7,0.8,0.85",
                "drain:headroom_share=0.25,0.5,1",
                "drain:max_growth=2,4",
                "gradient:target_fraction=0.6,0.7,0.8",
                "gradient:smoothing=0.25,0.5,1",
                "gradient:max_growth=1.25,1.5,2"));
    }

    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        for (Axis a : axes) {
            String lhs = (a.policy() == null ? "" : a.policy() + ":") + a.key();
            parts.add(lhs + "=" + (a.isRange() ? a.lo() + ".." + a.hi() : String.join(",", a.values())));
        }
        return String.join("; ", parts);
    }
}
