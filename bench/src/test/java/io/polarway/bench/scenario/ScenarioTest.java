package io.polarway.bench.scenario;

import io.polarway.profile.VmProfile;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ScenarioTest {

    @Test
    void everyScenarioFileIsIndexedAndValid() throws IOException {
        List<String> files;
        try (Stream<Path> s = Files.list(Path.of("..", "scenarios"))) {
            files = s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yaml"))
                    .map(n -> n.substring(0, n.length() - 5)).sorted().toList();
        }
        assertThat(Scenario.names()).containsExactlyInAnyOrderElementsOf(files);
        for (String name : files) {
            Scenario sc = Scenario.load(name);
            assertThat(sc.name()).isEqualTo(name);
            assertThat(sc.resolvedProfiles()).isNotEmpty();
            assertThat(sc.suites()).isNotEmpty();
        }
    }

    @Test
    void theSmokeSuiteCoversEveryGuideProfileAndTheOomPair() {
        List<Scenario> smoke = Scenario.names().stream().map(Scenario::load).filter(s -> s.inSuite("smoke")).toList();
        for (String p : List.of("B1s", "B2s", "B4ms")) {
            assertThat(smoke).as(p).anyMatch(s -> s.resolvedProfiles("smoke").contains(VmProfile.load(p)));
        }
        assertThat(smoke).anyMatch(s -> s.expect().outcome().equals("oom_killed"));
        assertThat(smoke).anyMatch(s -> s.expect().gateEngages());
    }

    @Test
    void rowsFollowTheProfilesRam() {
        Scenario sc = Scenario.load("steady-generate");
        long b1s = sc.dataset().rows(VmProfile.load("B1s"), "default");
        assertThat(b1s).isEqualTo((1L << 30) / 100);
        assertThat(sc.dataset().rows(VmProfile.load("B2s"), "default")).isEqualTo(4 * b1s);
        assertThat(sc.dataset().rows(VmProfile.load("B1s"), "smoke")).isEqualTo(b1s / 4);
    }

    @Test
    void aBadFileIsAClearError() {
        assertThatThrownBy(() -> Scenario.parse("name: x\nbogus: 1\n".getBytes(), "x"))
                .isInstanceOf(IOException.class).hasMessageContaining("scenario x").hasMessageContaining("bogus");
    }
}
