package io.polarway.profile;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.polarway.config.ByteSize;
import io.polarway.error.ConfigException;
import io.polarway.policy.PolicyRegistry;
import io.polarway.policy.PolicySettings;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A cloud VM to size for: RAM, vCPUs and burstable-CPU credits, the guide's recommended memory limit and max chunk
 * size, and the JVM settings the bench suite starts a JVM with on it. The profiles live in the top-level
 * {@code vm-profiles/} folder (one YAML file each) and ship inside the engine, so {@code VmProfile.load("B1s")} works
 * anywhere; a user's own file is read with {@link #read(Path)}. Immutable.
 *
 * <p>{@link io.polarway.stream.AdaptiveStream.Builder#profile(String)} takes its defaults from a profile: the memory
 * limit (the recommended one), the chunk-size policy recommended for this VM with its parameters ({@link #policy()},
 * from the sweeps and cgroup runs in {@code docs/tuning.md}) and the policy's chunk-size clamps.
 *
 * @param name                   file name without {@code .yaml}, e.g. {@code azure-b1s}
 * @param aliases                other names, e.g. {@code B1s}
 * @param provider               {@code azure} or {@code aws}
 * @param vcpus                  virtual CPUs
 * @param ramBytes               RAM in bytes (the cgroup limit the bench suite puts a run under)
 * @param cpu                    burstable CPU: baseline and credits
 * @param recommendedLimitBytes  the memory limit the guide recommends (the engine's budget on this VM)
 * @param maxChunkRows           the largest chunk the guide recommends, rows
 * @param minChunkRows           the smallest chunk the policy may choose, rows
 * @param jvm                    JVM sizing on this VM
 * @param policy                 the chunk-size policy and parameters (policy and gate keys) recommended on this VM
 */
public record VmProfile(String name, List<String> aliases, String provider, int vcpus, long ramBytes, Cpu cpu,
                        long recommendedLimitBytes, int maxChunkRows, int minChunkRows, Jvm jvm,
                        PolicyDefaults policy) {

    private static final String RESOURCE_DIR = "io/polarway/profiles/";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);
    private static volatile Map<String, VmProfile> builtIn;

    public VmProfile {
        Objects.requireNonNull(name, "name");
        aliases = List.copyOf(aliases);
        Objects.requireNonNull(cpu, "cpu");
        Objects.requireNonNull(jvm, "jvm");
        if (vcpus < 1) throw new IllegalArgumentException(name + ": vcpus must be at least 1");
        if (cpu.baselineCores() > vcpus) throw new IllegalArgumentException(name + ": baseline_cores above vcpus");
        if (ramBytes <= 0) throw new IllegalArgumentException(name + ": ram must be positive");
        if (recommendedLimitBytes <= 0 || recommendedLimitBytes > ramBytes) {
            throw new IllegalArgumentException(name + ": recommended_memory_limit must be positive and at most ram");
        }
        if (minChunkRows < 1 || maxChunkRows < minChunkRows) {
            throw new IllegalArgumentException(name + ": need 1 <= min_chunk_rows <= max_chunk_rows");
        }
        policy = policy != null ? policy : PolicyDefaults.GUIDE;
    }

    /** A profile without a recommended policy: the guide's rule with its defaults. */
    public VmProfile(String name, List<String> aliases, String provider, int vcpus, long ramBytes, Cpu cpu,
                     long recommendedLimitBytes, int maxChunkRows, int minChunkRows, Jvm jvm) {
        this(name, aliases, provider, vcpus, ramBytes, cpu, recommendedLimitBytes, maxChunkRows, minChunkRows, jvm,
                PolicyDefaults.GUIDE);
    }

    /**
     * The chunk-size policy a profile recommends: a registered policy name and parameters in the flat map
     * {@link PolicySettings#from} takes (the policy's keys and the gate's {@code pause_above}, {@code resume_below}).
     * They apply to a stream sized for the profile that names no policy; parameters set on the stream win over
     * these. A stream that names a policy (even this one) gets that policy's own defaults.
     *
     * @param name   a registered policy name, e.g. {@code drain}
     * @param params parameters, e.g. {@code target_chunk_ms=250}
     */
    public record PolicyDefaults(String name, Map<String, String> params) {
        /** The guide's rule with its own defaults. */
        public static final PolicyDefaults GUIDE = new PolicyDefaults("guide", Map.of());

        public PolicyDefaults {
            Objects.requireNonNull(name, "policy.name");
            params = params == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(params));
        }

        /**
         * Builds the policy and gate once to check the name, the keys and the values.
         *
         * @throws ConfigException naming the policy, the key or the value at fault
         */
        void validate() {
            PolicySettings.from(PolicyRegistry.withDefaults(), name, params, 1000);
        }
    }

    /**
     * Burstable CPU (Azure B-series, AWS t3): the VM may use {@code baselineCores} in total for free (Azure's "base
     * CPU performance": B2s 40 % of its 200 %, i.e. 0.4 of a core); above it, it spends credits (one credit = one
     * vCPU at 100 % for one minute) earned at {@code creditsPerHour} (= baseline × 60) up to {@code maxCredits}. Out
     * of credits it is held to the baseline, unless {@code unlimited} (AWS's default, which bills the surplus).
     *
     * @param baselineCores  sustained cores, e.g. 0.1 for a B1s
     * @param creditsPerHour credits earned per hour
     * @param maxCredits     the most credits the VM can bank
     * @param initialCredits credits at start
     * @param unlimited      never throttled
     */
    public record Cpu(double baselineCores, double creditsPerHour, double maxCredits, double initialCredits,
                      boolean unlimited) {
        public Cpu {
            if (!(baselineCores > 0)) throw new IllegalArgumentException("cpu.baseline_cores must be positive");
            if (Math.abs(creditsPerHour - baselineCores * 60) > 1e-6) {
                throw new IllegalArgumentException("cpu.credits_per_hour (" + creditsPerHour + ") must be "
                        + "baseline_cores × 60 (" + baselineCores * 60 + "): a credit is one core-minute");
            }
        }
    }

    /**
     * How a JVM is sized on the VM.
     *
     * @param heapFraction      -Xmx as a fraction of RAM
     * @param maxDirectFraction -XX:MaxDirectMemorySize as a fraction of RAM (Arrow's own memory is not in it)
     * @param options           extra JVM options
     * @param env               environment variables to start the JVM with (e.g. glibc malloc tunables)
     */
    public record Jvm(double heapFraction, double maxDirectFraction, List<String> options, Map<String, String> env) {
        public Jvm {
            options = List.copyOf(options);
            env = Map.copyOf(env);
        }
    }

    /** The JVM options for this profile: heap, direct memory and the profile's extras. */
    public List<String> jvmArgs() {
        List<String> args = new ArrayList<>();
        args.add("-Xmx" + (long) (ramBytes * jvm.heapFraction()) / (1 << 20) + "m");
        args.add("-XX:MaxDirectMemorySize=" + (long) (ramBytes * jvm.maxDirectFraction()) / (1 << 20) + "m");
        args.addAll(jvm.options());
        return args;
    }

    /** Whether {@code n} names this profile (its name or an alias, case-insensitive). */
    public boolean isNamed(String n) {
        if (name.equalsIgnoreCase(n)) return true;
        for (String a : aliases) {
            if (a.equalsIgnoreCase(n)) return true;
        }
        return false;
    }

    /** A short label for reports, e.g. {@code B1s}. */
    public String label() {
        return aliases.isEmpty() ? name : aliases.get(0);
    }

    /**
     * A built-in profile by name or alias.
     *
     * @throws ConfigException listing the known names when there is none
     */
    public static VmProfile load(String nameOrAlias) {
        for (VmProfile p : builtIn().values()) {
            if (p.isNamed(nameOrAlias)) return p;
        }
        List<String> known = new ArrayList<>();
        for (VmProfile p : builtIn().values()) {
            known.add(p.name() + (p.aliases().isEmpty() ? "" : " (" + String.join(", ", p.aliases()) + ")"));
        }
        throw new ConfigException("profile", "unknown VM profile '" + nameOrAlias + "'", known, null);
    }

    /** Every built-in profile, by name. */
    public static Map<String, VmProfile> builtIn() {
        Map<String, VmProfile> m = builtIn;
        if (m == null) {
            m = new TreeMap<>();
            ClassLoader cl = VmProfile.class.getClassLoader();
            try (InputStream index = cl.getResourceAsStream(RESOURCE_DIR + "index.txt")) {
                if (index == null) throw new IllegalStateException("no " + RESOURCE_DIR + "index.txt on the classpath");
                for (String line : new String(index.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                    String n = line.trim();
                    if (n.isEmpty() || n.startsWith("#")) continue;
                    try (InputStream in = cl.getResourceAsStream(RESOURCE_DIR + n + ".yaml")) {
                        if (in == null) throw new IllegalStateException("profile " + n + " is in the index but missing");
                        m.put(n, parse(in.readAllBytes(), n + ".yaml"));
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the built-in VM profiles", e);
            }
            builtIn = Map.copyOf(m);
            m = builtIn;
        }
        return m;
    }

    /** Reads a profile file (YAML, the format of {@code vm-profiles/}). */
    public static VmProfile read(Path file) throws IOException {
        return parse(Files.readAllBytes(file), file.toString());
    }

    private static VmProfile parse(byte[] yaml, String what) throws IOException {
        try {
            VmProfile p = YAML.readValue(yaml, ProfileFile.class).toProfile();
            p.policy().validate();
            return p;
        } catch (ConfigException e) {
            throw new IOException(what + ": policy: " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new IOException(what + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new IOException(what + ": " + e.getMessage(), e);
        }
    }

    /** The YAML shape, with sizes as text ({@code 600MB}, {@code 1GiB}). */
    record ProfileFile(String name, List<String> aliases, String provider, int vcpus, String ram, CpuFile cpu,
                       @JsonProperty("recommended_memory_limit") String recommendedMemoryLimit,
                       @JsonProperty("max_chunk_rows") int maxChunkRows,
                       @JsonProperty("min_chunk_rows") int minChunkRows, JvmFile jvm, PolicyFile policy) {
        VmProfile toProfile() {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(ram, "ram");
            Objects.requireNonNull(recommendedMemoryLimit, "recommended_memory_limit");
            Objects.requireNonNull(cpu, "cpu");
            Objects.requireNonNull(jvm, "jvm");
            return new VmProfile(name, aliases == null ? List.of() : aliases,
                    provider == null ? "" : provider.toLowerCase(Locale.ROOT), vcpus, ByteSize.parse(ram),
                    new Cpu(cpu.baselineCores, cpu.creditsPerHour, cpu.maxCredits, cpu.initialCredits, cpu.unlimited),
                    ByteSize.parse(recommendedMemoryLimit), maxChunkRows, minChunkRows,
                    new Jvm(jvm.heapFraction, jvm.maxDirectFraction, jvm.options == null ? List.of() : jvm.options,
                            jvm.env == null ? Map.of() : jvm.env),
                    policy == null ? PolicyDefaults.GUIDE : policy.toDefaults());
        }
    }

    /** {@code policy: {name: drain, params: {target_chunk_ms: 250}}}; values may be YAML numbers or text. */
    record PolicyFile(String name, Map<String, Object> params) {
        PolicyDefaults toDefaults() {
            Objects.requireNonNull(name, "policy.name");
            Map<String, String> p = new LinkedHashMap<>();
            if (params != null) params.forEach((k, v) -> p.put(k, String.valueOf(v)));
            return new PolicyDefaults(name, p);
        }
    }

    record CpuFile(@JsonProperty("baseline_cores") double baselineCores,
                   @JsonProperty("credits_per_hour") double creditsPerHour,
                   @JsonProperty("max_credits") double maxCredits,
                   @JsonProperty("initial_credits") double initialCredits, boolean unlimited) {
    }

    record JvmFile(@JsonProperty("heap_fraction") double heapFraction,
                   @JsonProperty("max_direct_fraction") double maxDirectFraction, List<String> options,
                   Map<String, String> env) {
    }
}
