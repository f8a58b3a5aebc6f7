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
    void fileScenariosGenerateTheirInputAndRunOnB1sAndB2sOutsideSmoke() {
        for (String name : List.of("file-parquet-larger-than-ram", "file-ipc-larger-than-ram")) {
            Scenario sc = Scenario.load(name);
            assertThat(sc.dataset().generate()).as(name).isNotNull();
            assertThat(sc.dataset().location()).as("the runner sets it").isNull();
            assertThat(sc.dataset().source()).isEqualTo("file");
            assertThat(sc.suites()).containsExactlyInAnyOrder("default", "full");
            assertThat(sc.resolvedProfiles()).containsExactly(VmProfile.load("B1s"), VmProfile.load("B2s"));
            for (VmProfile p : sc.resolvedProfiles()) {
                assertThat(sc.dataset().rows(p, "default") * sc.dataset().rowWidthBytes()).as("larger than RAM")
                        .isGreaterThan(p.ramBytes());
            }
        }
        assertThat(Scenario.load("file-parquet-larger-than-ram").dataset().generate().format()).isEqualTo("parquet");
        assertThat(Scenario.load("file-ipc-larger-than-ram").dataset().generate().format()).isEqualTo("arrow");
        assertThatThrownBy(() -> Scenario.parse(("name: x\nsuites: [default]\nprofiles: [B1s]\ndataset:\n"
                + "  source: file\n  location: /a\n  generate: {format: parquet, seed: 1, batch_rows: 10}\n"
                + "  size_x_ram: {default: 1}\n  row_width_bytes: 10\nstream: {chunk_rows: 10}\n").getBytes(), "x"))
                .isInstanceOf(IOException.class).hasMessageContaining("location");
        assertThatThrownBy(() -> Scenario.parse(("name: x\nsuites: [default]\nprofiles: [B1s]\ndataset:\n"
                + "  source: file\n  generate: {format: orc, seed: 1, batch_rows: 10}\n"
                + "  size_x_ram: {default: 1}\n  row_width_bytes: 10\nstream: {chunk_rows: 10}\n").getBytes(), "x"))
                .isInstanceOf(IOException.class).hasMessageContaining("parquet or arrow");
    }

    @Test
    void objectStoreScenariosRunOnEmulatedStoresInTheDefaultAndFullSuites() {
        for (String name : List.of("s3-object-parts", "azure-parquet-row-groups", "gcs-glob-objects")) {
            Scenario sc = Scenario.load(name);
            assertThat(sc.backend()).as(name).isNotNull();
            assertThat(sc.dataset().source()).isEqualTo(switch (sc.backend().store()) {
                case "s3" -> "s3";
                case "azure" -> "azure";
                default -> "gcs";
            });
            assertThat(sc.suites()).containsExactlyInAnyOrder("default", "full");
            assertThat(sc.resolvedProfiles()).containsExactly(VmProfile.load("B1s"), VmProfile.load("B2s"));
            assertThat(sc.expect().rowsExactlyOnce()).isTrue();
        }
        assertThat(Scenario.load("gcs-glob-objects").backend().objects()).isEqualTo(16);
        assertThat(Scenario.load("steady-generate").backend()).isNull();
    }

    @Test
    void aBackendNamesAKnownStoreAndFormat() {
        assertThatThrownBy(() -> new Scenario.Backend("minio", null, null, 0))
                .hasMessageContaining("backend.store");
        assertThatThrownBy(() -> new Scenario.Backend("s3", null, "orc", 0)).hasMessageContaining("backend.format");
        Scenario.Backend b = new Scenario.Backend("gcs", null, null, 0);
        assertThat(b.bucket()).isEqualTo("bench");
        assertThat(b.format()).isEqualTo("arrows");
        assertThat(b.objects()).isEqualTo(1);
    }

    @Test
    void aBadFileIsAClearError() {
        assertThatThrownBy(() -> Scenario.parse("name: x\nbogus: 1\n".getBytes(), "x"))
                .isInstanceOf(IOException.class).hasMessageContaining("scenario x").hasMessageContaining("bogus");
    }
}
