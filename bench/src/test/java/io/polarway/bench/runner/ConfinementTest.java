package io.polarway.bench.runner;

import io.polarway.memory.CgroupSandbox;
import io.polarway.profile.VmProfile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class ConfinementTest {
    private final VmProfile b1s = VmProfile.load("B1s");

    @Test
    void theBestConfinementHereRunsAJvmInsideTheProfilesLimit(@TempDir Path dir) throws Exception {
        try (Confinement c = Confinement.create(b1s, "polarway-confinement-test-" + ProcessHandle.current().pid())) {
            if (CgroupSandbox.probe().available()) {
                assertThat(c.kind()).startsWith("cgroup-");
                assertThat(c.confined()).isTrue();
                assertThat(c.limitBytes()).isEqualTo(1L << 30);
                assertThat(c.cpuQuotaCores()).isIn(0.0, 1.0);
            } else {
                assertThat(c.kind()).isIn("systemd-run", "docker", "unconfined");
                if (c.kind().equals("unconfined")) assertThat(c.note()).startsWith("UNCONFINED");
            }
            Path wrapper = c.writeJvmWrapper(dir);
            assertThat(Files.isExecutable(wrapper)).isTrue();
            // the wrapper runs java with the arguments it is given, inside the group
            Process p = new ProcessBuilder(wrapper.toString(), "-Xmx32m", "-version").redirectErrorStream(true)
                    .start();
            String out = new String(p.getInputStream().readAllBytes());
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(out).isZero();
            assertThat(out).contains("version");
        }
    }

    @Test
    void aProfileWithMoreVcpusThanTheMachineRunsOnAllAndSaysSo() {
        VmProfile b4ms = VmProfile.load("B4ms");
        int cores = Runtime.getRuntime().availableProcessors();
        try (Confinement c = Confinement.create(b4ms, "polarway-confinement-test2-" + ProcessHandle.current().pid())) {
            if (cores < 4) assertThat(c.note()).contains("profile has 4 vCPUs, this machine " + cores);
            assertThat(c.cpuQuotaCores()).isLessThanOrEqualTo(cores);
        }
    }

    @Test
    void theSystemdAndDockerWrappersCarryTheProfilesLimits(@TempDir Path dir) throws Exception {
        Path s = new Confinement.SystemdRun(b1s, 1.0, "").writeJvmWrapper(dir.resolve("s"));
        assertThat(Files.readString(s)).contains("systemd-run --user --scope", "MemoryMax=" + (1L << 30),
                "CPUQuota=100%");
        Path d = new Confinement.Docker(b1s, 1.0, "x", "").writeJvmWrapper(dir.resolve("d"));
        assertThat(Files.readString(d)).contains("docker run --rm", "--memory=" + (1L << 30), "--cpus=1.00",
                "--network host", System.getProperty("java.home"));
    }
}
