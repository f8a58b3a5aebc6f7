package io.polarway.policy;

import io.polarway.config.OptionSet;
import io.polarway.config.OptionSpec;
import io.polarway.config.Options;
import io.polarway.error.ConfigException;
import io.polarway.policy.ChunkDecision.Action;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PolicyRegistryTest {

    private static PolicySample sample(double fraction, int chunkRows) {
        return new PolicySample(0, Math.round(fraction * 1_000_000), 1_000_000, chunkRows, chunkRows, 0, 1_000_000);
    }

    @Test
    void defaultsHoldGuideAndFixed() {
        PolicyRegistry registry = PolicyRegistry.withDefaults();
        assertThat(registry.names()).startsWith("guide", "fixed");
        assertThat(registry.list()).extracting(PolicyFactory::name).startsWith("guide", "fixed");
        assertThat(registry.list()).allSatisfy(f -> assertThat(f.description()).isNotBlank());
        assertThat(registry.create("guide", Map.of(), 1000)).isInstanceOf(GuidePolicy.class);
        assertThat(registry.create("GUIDE", Map.of(), 1000).name()).isEqualTo("guide");
        assertThat(registry.create("fixed", Map.of(), 1000)).isInstanceOf(FixedPolicy.class);
    }

    @Test
    void unknownPolicyNameListsTheRegisteredNames() {
        assertThatThrownBy(() -> PolicyRegistry.withDefaults().create("adaptive", Map.of(), 1000))
                .isInstanceOfSatisfying(ConfigException.class, e -> {
                    assertThat(e.key()).contains("policy");
                    assertThat(e.validChoices()).contains("guide", "fixed");
                })
                .hasMessageContaining("unknown policy 'adaptive'")
                .hasMessageContaining("valid: guide, fixed");
    }

    @Test
    void unknownParamListsTheValidKeys() {
        assertThatThrownBy(() -> PolicyRegistry.withDefaults().create("guide", Map.of("shrink_abve", "0.7"), 1000))
                .isInstanceOfSatisfying(ConfigException.class, e -> {
                    assertThat(e.key()).contains("shrink_abve");
                    assertThat(e.validChoices()).containsExactlyElementsOf(GuidePolicy.OPTIONS.keys());
                })
                .hasMessageContaining("unknown option 'shrink_abve'")
                .hasMessageContaining("shrink_above, grow_below, shrink_factor, grow_factor, grow_if_chunk_ms_below, "
                        + "min_chunk_rows, max_chunk_rows, max_chunk_fraction");
        assertThatThrownBy(() -> PolicyRegistry.withDefaults().create("fixed", Map.of("shrink_above", "0.7"), 1000))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("valid: chunk_rows");
    }

    @Test
    void badValueNamesTheKey() {
        assertThatThrownBy(() -> PolicyRegistry.withDefaults().create("guide", Map.of("shrink_factor", "1.5"), 1000))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).contains("shrink_factor"))
                .hasMessageContaining("shrink_factor")
                .hasMessageContaining("less than 1");
        assertThatThrownBy(() -> PolicyRegistry.withDefaults().create("fixed", Map.of("chunk_rows", "0"), 1000))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).contains("chunk_rows"));
    }

    @Test
    void fixedPolicyAlwaysHolds() {
        ChunkSizePolicy byDefault = PolicyRegistry.withDefaults().create("fixed", Map.of(), 4096);
        assertThat(byDefault.initialChunkRows()).isEqualTo(4096);
        ChunkSizePolicy p = PolicyRegistry.withDefaults().create("fixed", Map.of("chunk_rows", "5_000"), 4096);
        assertThat(p.initialChunkRows()).isEqualTo(5000);
        for (double f : new double[] {0.0, 0.1, 0.79, 0.81, 0.99, 1.4}) {
            assertThat(p.onSample(sample(f, 5000)))
                    .isEqualTo(new ChunkDecision(5000, Action.HOLD, "fixed 5000 rows"));
        }
        assertThatThrownBy(() -> FixedPolicy.create(Map.of(), 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void registerAddsAFactoryAndRejectsDuplicates() {
        PolicyFactory half = new PolicyFactory() {
            final OptionSpec<Integer> rows = OptionSpec.intValue("rows", 10, "rows");
            final OptionSet options = OptionSet.of("policy 'half'", rows);

            @Override
            public String name() {
                return "half";
            }

            @Override
            public String description() {
                return "test";
            }

            @Override
            public OptionSet options() {
                return options;
            }

            @Override
            public ChunkSizePolicy create(Options o, int initialChunkRows) {
                return new FixedPolicy(o.get(rows));
            }
        };
        PolicyRegistry registry = PolicyRegistry.withDefaults().register(half);
        assertThat(registry.create("half", Map.of("rows", "7"), 1).initialChunkRows()).isEqualTo(7);
        assertThat(registry.names()).contains("guide", "fixed", "half");
        assertThatThrownBy(() -> registry.register(half)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> registry.register(GuidePolicy.FACTORY)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> registry.create("nope", Map.of(), 1))
                .hasMessageContaining("valid: guide, fixed, aimd, drain, gradient, half");
    }

    @Test
    void settingsSplitOneFlatMapBetweenPolicyAndGate() {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("pause_above", "0.85");
        params.put("shrink_above", "0.75");
        PolicySettings s = PolicySettings.from(PolicyRegistry.withDefaults(), "guide", params, 1000);
        assertThat(s.gate().pauseAbove()).isEqualTo(0.85);
        assertThat(s.gate().resumeBelow()).isEqualTo(HysteresisGate.DEFAULT_RESUME_BELOW);
        assertThat(s.policy()).isInstanceOf(GuidePolicy.class);
        assertThat(s.policy().onSample(sample(0.76, 1000)).action()).isEqualTo(Action.SHRINK);
        assertThat(s.gate().onSample(0.86)).isTrue();

        PolicySettings fixed = PolicySettings.from(PolicyRegistry.withDefaults(), "fixed",
                Map.of("chunk_rows", "300", "resume_below", "0.5"), 1000);
        assertThat(fixed.policy().initialChunkRows()).isEqualTo(300);
        assertThat(fixed.gate().resumeBelow()).isEqualTo(0.5);

        PolicySettings defaults = PolicySettings.defaults(1000);
        assertThat(defaults.policy()).isInstanceOf(GuidePolicy.class);
        assertThat(defaults.gate().pauseAbove()).isEqualTo(0.90);
    }

    @Test
    void settingsRejectKeysNeitherAcceptsListingTheUnion() {
        assertThatThrownBy(() -> PolicySettings.from(PolicyRegistry.withDefaults(), "guide",
                Map.of("pause_abov", "0.8"), 1000))
                .isInstanceOfSatisfying(ConfigException.class, e -> {
                    assertThat(e.key()).contains("pause_abov");
                    assertThat(e.validChoices()).containsExactly("shrink_above", "grow_below", "shrink_factor",
                            "grow_factor", "grow_if_chunk_ms_below", "min_chunk_rows", "max_chunk_rows",
                            "max_chunk_fraction", "pause_above", "resume_below");
                })
                .hasMessageContaining("pause_abov");
        assertThatThrownBy(() -> PolicySettings.from(PolicyRegistry.withDefaults(), "fixed",
                Map.of("shrink_above", "0.8"), 1000))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("valid: chunk_rows, pause_above, resume_below");
        assertThatThrownBy(() -> PolicySettings.from(PolicyRegistry.withDefaults(), "nope", Map.of(), 1000))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).contains("policy"))
                .hasMessageContaining("valid: guide, fixed");
    }

    @Test
    void settingsValidateBothParts() {
        assertThatThrownBy(() -> PolicySettings.from(PolicyRegistry.withDefaults(), "guide",
                Map.of("pause_above", "0.8", "resume_below", "0.8"), 1000))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).contains("resume_below"))
                .hasMessageContaining("resume_below");
        assertThatThrownBy(() -> PolicySettings.from(PolicyRegistry.withDefaults(), "guide",
                Map.of("shrink_factor", "1.5", "pause_above", "0.95"), 1000))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).contains("shrink_factor"));
        assertThatThrownBy(() -> PolicySettings.from(PolicyRegistry.withDefaults(), "guide",
                Map.of("grow_below", "0.9"), 1000))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).contains("grow_below"));
    }
}
