package io.polarway.testkit;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ExternalProcessTest {
    private static final String CP = System.getProperty("java.class.path");

    @Test
    void startsOnlyWhenReadyAndStops() {
        int port = Ports.free();
        ExternalProcess p = ExternalProcess.builder("port-server")
                .java(List.of("-Xmx32m"), CP, PortServer.class.getName(), List.of(Integer.toString(port)))
                .readyWhenPortOpen(port).readyWhenLogMatches("^listening on " + port + "$")
                .startTimeout(Duration.ofSeconds(30)).start();
        try {
            assertThat(p.isAlive()).isTrue();
            assertThat(Ports.isOpen(port, Duration.ofSeconds(1))).isTrue();
            assertThat(p.pid()).isEqualTo(p.process().pid());
            assertThat(p.logTail(5)).contains("starting");
        } finally {
            p.close();
        }
        assertThat(p.isAlive()).isFalse();
        assertThat(Ports.isOpen(port, Duration.ofMillis(200))).isFalse();
    }

    @Test
    void killIsImmediate() {
        int port = Ports.free();
        ExternalProcess p = ExternalProcess.builder("port-server")
                .java(List.of("-Xmx32m"), CP, PortServer.class.getName(), List.of(Integer.toString(port)))
                .readyWhenPortOpen(port).start();
        p.kill();
        assertThat(p.isAlive()).isFalse();
        assertThat(p.process().exitValue()).isEqualTo(137);
    }

    @Test
    void aProcessThatExitsEarlyFailsWithItsLog() {
        assertThatThrownBy(() -> ExternalProcess.builder("bad")
                .java(List.of(), CP, "no.such.Main", List.of()).readyWhenPortOpen(Ports.free())
                .startTimeout(Duration.ofSeconds(30)).start())
                .isInstanceOf(BackendStartException.class)
                .hasMessageContaining("exited with code 1")
                .hasMessageContaining("no.such.Main");
    }

    @Test
    void notReadyInTimeIsAnErrorAndTheProcessIsStopped() {
        int neverOpened = Ports.free();
        int port = Ports.free();
        assertThatThrownBy(() -> ExternalProcess.builder("slow")
                .java(List.of("-Xmx32m"), CP, PortServer.class.getName(), List.of(Integer.toString(port)))
                .readyWhenPortOpen(neverOpened).startTimeout(Duration.ofSeconds(3)).start())
                .isInstanceOf(BackendStartException.class).hasMessageContaining("not ready within");
        // the server it started is gone again
        assertThat(Ports.isOpen(port, Duration.ofMillis(200))).isFalse();
    }
}
