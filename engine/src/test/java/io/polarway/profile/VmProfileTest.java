package io.polarway.profile;

import io.polarway.api.Chunk;
import io.polarway.api.SourceConfig;
import io.polarway.error.ConfigException;
import io.polarway.stream.AdaptiveStream;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class VmProfileTest {

    @Test
    void theGuidesProfilesCarryItsTable() {
        VmProfile b1s = VmProfile.load("B1s");
        assertThat(b1s.name()).isEqualTo("azure-b1s");
        assertThat(b1s.ramBytes()).isEqualTo(1L << 30);
        assertThat(b1s.vcpus()).isEqualTo(1);
        assertThat(b1s.cpu().baselineCores()).isEqualTo(0.10);
        assertThat(VmProfile.load("B2s").cpu().baselineCores()).isEqualTo(0.4);
        assertThat(b1s.cpu().initialCredits()).isEqualTo(30);
        assertThat(b1s.recommendedLimitBytes()).isEqualTo(600_000_000L);
        assertThat(b1s.maxChunkRows()).isEqualTo(5_000);
        assertThat(b1s.jvmArgs()).contains("-Xmx256m", "-XX:MaxDirectMemorySize=128m");

        assertThat(VmProfile.load("b2s").recommendedLimitBytes()).isEqualTo(2_500_000_000L);
        assertThat(VmProfile.load("B2s").maxChunkRows()).isEqualTo(20_000);
        assertThat(VmProfile.load("azure-b4ms").recommendedLimitBytes()).isEqualTo(10_000_000_000L);
        assertThat(VmProfile.load("B4ms").maxChunkRows()).isEqualTo(100_000);
        assertThat(VmProfile.load("t3.micro").cpu().unlimited()).isTrue();
    }

    @Test
    void everyFileInVmProfilesIsIndexedAndLoads() throws IOException {
        Path dir = Path.of("..", "vm-profiles");
        List<String> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yaml"))
                    .map(n -> n.substring(0, n.length() - 5)).sorted().toList();
        }
        assertThat(files).hasSize(6);
        assertThat(VmProfile.builtIn().keySet()).containsExactlyInAnyOrderElementsOf(files);
        for (String f : files) assertThat(VmProfile.read(dir.resolve(f + ".yaml"))).isEqualTo(VmProfile.builtIn().get(f));
    }

    @Test
    void anUnknownProfileListsTheKnownOnes() {
        assertThatThrownBy(() -> VmProfile.load("m5.large")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("m5.large").hasMessageContaining("azure-b1s (B1s");
    }

    @Test
    void aProfileGivesTheStreamItsLimitAndChunkClamps() {
        try (AdaptiveStream s = AdaptiveStream.builder("generate",
                        SourceConfig.of("x").withOption("rows", "50000").withChunkSize(40_000))
                .profile("B1s").build()) {
            assertThat(s.budgetBytes()).isEqualTo(600_000_000L);
            for (Optional<Chunk> c; (c = s.next()).isPresent(); ) {
                try (Chunk chunk = c.get()) {
                    assertThat(chunk.rowCount()).isLessThanOrEqualTo(5_000);
                }
            }
            assertThat(s.stats().maxChunkSize()).isLessThanOrEqualTo(5_000);
            assertThat(s.stats().records()).isEqualTo(50_000);
        }
        // an explicit limit and explicit clamps win
        try (AdaptiveStream s = AdaptiveStream.builder("generate",
                        SourceConfig.of("x").withOption("rows", "1000").withMemoryLimit("800MB"))
                .profile("B1s").policyParam("max_chunk_rows", "7000").build()) {
            assertThat(s.budgetBytes()).isEqualTo(800_000_000L);
        }
    }

    private static final String BASE = String.join("\n",
            "name: test-vm", "aliases: [T1]", "provider: azure", "vcpus: 1", "ram: 1GiB",
            "cpu: {baseline_cores: 0.1, credits_per_hour: 6, max_credits: 144, initial_credits: 30, unlimited: false}",
            "recommended_memory_limit: 600MB", "max_chunk_rows: 5000", "min_chunk_rows: 100",
            "jvm: {heap_fraction: 0.25, max_direct_fraction: 0.125, options: []}", "");

    private static VmProfile profileWith(Path dir, String policyYaml) throws IOException {
        Path f = dir.resolve("test-vm.yaml");
        Files.writeString(f, BASE + policyYaml);
        return VmProfile.read(f);
    }

    @Test
    void aPolicySectionNamesTheRecommendedPolicyAndItsParameters(@org.junit.jupiter.api.io.TempDir Path dir)
            throws IOException {
        VmProfile p = profileWith(dir, "policy:\n  name: drain\n  params: {target_chunk_ms: 250, pause_above: 0.85}\n");
        assertThat(p.policy().name()).isEqualTo("drain");
        assertThat(p.policy().params()).containsExactly(java.util.Map.entry("target_chunk_ms", "250"),
                java.util.Map.entry("pause_above", "0.85"));
        assertThat(profileWith(dir, "").policy()).isEqualTo(VmProfile.PolicyDefaults.GUIDE);
    }

    @Test
    void aBadPolicySectionFailsWhenTheProfileIsRead(@org.junit.jupiter.api.io.TempDir Path dir) {
        assertThatThrownBy(() -> profileWith(dir, "policy: {name: nope}\n")).isInstanceOf(IOException.class)
                .hasMessageContaining("test-vm.yaml").hasMessageContaining("unknown policy 'nope'");
        assertThatThrownBy(() -> profileWith(dir, "policy: {name: aimd, params: {shrink_above: 0.7}}\n"))
                .isInstanceOf(IOException.class).hasMessageContaining("unknown option 'shrink_above'");
        assertThatThrownBy(() -> profileWith(dir, "policy: {name: aimd, params: {backoff_ratio: 2}}\n"))
                .isInstanceOf(IOException.class).hasMessageContaining("backoff_ratio");
    }

    @Test
    void everyBuiltInProfileNamesAValidPolicy() {
        for (VmProfile p : VmProfile.builtIn().values()) {
            assertThat(io.polarway.policy.PolicyRegistry.withDefaults().names()).as(p.name())
                    .contains(p.policy().name());
        }
    }

    /** The policies docs/tuning.md recommends, as the shipped profiles carry them. */
    @Test
    void theShippedProfilesCarryTheTunedPolicies() {
        assertThat(VmProfile.load("B1s").policy().name()).isEqualTo("aimd");
        assertThat(VmProfile.load("B1s").policy().params()).containsEntry("pause_above", "0.85")
                .containsEntry("resume_below", "0.6");
        assertThat(VmProfile.load("B2s").policy().name()).isEqualTo("drain");
        assertThat(VmProfile.load("t3.micro").policy().name()).isEqualTo("drain");
        assertThat(VmProfile.load("B4ms").policy().name()).isEqualTo("guide");
        assertThat(VmProfile.load("B4ms").policy().params()).isEmpty();
        // the gate of a B1s stream pauses at the tuned mark
        io.polarway.policy.PolicySettings s = io.polarway.policy.PolicySettings.from(
                io.polarway.policy.PolicyRegistry.withDefaults(), VmProfile.load("B1s").policy().name(),
                VmProfile.load("B1s").policy().params(), 5000);
        assertThat(s.policy().name()).isEqualTo("aimd");
        assertThat(s.gate().pauseAbove()).isEqualTo(0.85);
        assertThat(s.gate().onSample(0.86)).isTrue();
    }

    private static List<Integer> chunkSizes(AdaptiveStream s) {
        List<Integer> sizes = new java.util.ArrayList<>();
        for (Optional<Chunk> c; (c = s.next()).isPresent(); ) {
            try (Chunk chunk = c.get()) {
                sizes.add(chunk.rowCount());
            }
        }
        return sizes;
    }

    @Test
    void aStreamSizedForAProfileRunsItsRecommendedPolicyUnlessTheStreamNamesAnother(
            @org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        VmProfile p = profileWith(dir, "policy: {name: fixed, params: {chunk_rows: 700}}\n");
        SourceConfig config = SourceConfig.of("x").withOption("rows", "7000").withChunkSize(2000);
        try (AdaptiveStream s = AdaptiveStream.builder("generate", config).profile(p).build()) {
            assertThat(chunkSizes(s)).hasSize(10).containsOnly(700);
        }
        // the stream's own parameter wins over the profile's
        try (AdaptiveStream s = AdaptiveStream.builder("generate", config).profile(p)
                .policyParam("chunk_rows", "1000").build()) {
            assertThat(chunkSizes(s)).hasSize(7).containsOnly(1000);
        }
        // a policy named on the stream, even the profile's, runs with its own defaults (fixed: the initial size)
        try (AdaptiveStream s = AdaptiveStream.builder("generate", config).profile(p).policy("fixed").build()) {
            assertThat(chunkSizes(s)).hasSize(4).first().isEqualTo(2000);
        }
        // another policy named on the stream: the profile's parameters (for 'fixed') do not apply, its clamps do
        try (AdaptiveStream s = AdaptiveStream.builder("generate", config).profile(p).policy("guide").build()) {
            assertThat(chunkSizes(s)).first().isEqualTo(2000);
        }
        try (AdaptiveStream s = AdaptiveStream.builder("generate", config.withChunkSize(9000)).profile(p)
                .policy("guide").build()) {
            assertThat(chunkSizes(s)).first().isEqualTo(5000); // the profile's max_chunk_rows
        }
    }
}
