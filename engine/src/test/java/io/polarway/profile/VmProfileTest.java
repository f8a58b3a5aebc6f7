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
}
