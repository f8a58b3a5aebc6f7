package io.polarway.policy;

import io.polarway.error.ConfigException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A stream's chunk-size policy and backpressure gate, built from one flat parameter map so users write
 * {@code --policy-param pause_above=0.85 --policy-param shrink_above=0.75} without saying which part a key
 * belongs to. Both objects are stateful: build one {@code PolicySettings} per stream.
 *
 * @param policy the chunk-size policy
 * @param gate   the backpressure gate (a {@link HysteresisGate})
 */
public record PolicySettings(ChunkSizePolicy policy, BackpressureGate gate) {

    public PolicySettings {
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(gate, "gate");
    }

    /** The {@code guide} policy and the default gate. */
    public static PolicySettings defaults(int initialChunkRows) {
        return new PolicySettings(new GuidePolicy(initialChunkRows), new HysteresisGate());
    }

    /**
     * Splits {@code params} into gate keys ({@code pause_above}, {@code resume_below}) and the policy's keys (a key
     * both declare goes to both), then validates and builds each.
     *
     * @param policyName a name registered in {@code registry}
     * @throws ConfigException on an unknown policy name (listing the names), a key neither accepts (listing the
     *                         union of the policy's and the gate's keys) or a bad value (naming the key)
     */
    public static PolicySettings from(PolicyRegistry registry, String policyName, Map<String, String> params,
                                      int initialChunkRows) {
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(params, "params");
        PolicyFactory factory = registry.get(policyName);
        Map<String, String> gateParams = new LinkedHashMap<>();
        Map<String, String> policyParams = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : params.entrySet()) {
            boolean gateKey = HysteresisGate.OPTIONS.contains(e.getKey());
            boolean policyKey = factory.options().contains(e.getKey());
            if (!gateKey && !policyKey) {
                List<String> valid = new ArrayList<>(factory.options().keys());
                for (String k : HysteresisGate.OPTIONS.keys()) {
                    if (!valid.contains(k)) valid.add(k);
                }
                throw new ConfigException(e.getKey(), "unknown option '" + e.getKey() + "' for policy '"
                        + factory.name() + "' and the backpressure gate", valid, null);
            }
            if (gateKey) gateParams.put(e.getKey(), e.getValue());
            if (policyKey) policyParams.put(e.getKey(), e.getValue());
        }
        ChunkSizePolicy policy = factory.create(factory.options().parse(policyParams), initialChunkRows);
        HysteresisGate gate = HysteresisGate.create(gateParams);
        return new PolicySettings(policy, gate);
    }
}
