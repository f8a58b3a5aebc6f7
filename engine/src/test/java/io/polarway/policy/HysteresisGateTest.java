package io.polarway.policy;

import io.polarway.error.ConfigException;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HysteresisGateTest {

    private static List<Boolean> feed(BackpressureGate gate, double... fractions) {
        List<Boolean> out = new ArrayList<>();
        for (double f : fractions) out.add(gate.onSample(f));
        return out;
    }

    @Test
    void defaults() {
        HysteresisGate gate = new HysteresisGate();
        assertThat(gate.pauseAbove()).isEqualTo(HysteresisGate.DEFAULT_PAUSE_ABOVE).isEqualTo(0.90);
        assertThat(gate.resumeBelow()).isEqualTo(HysteresisGate.DEFAULT_RESUME_BELOW).isEqualTo(0.70);
        assertThat(gate.isPaused()).isFalse();
        assertThat(HysteresisGate.OPTIONS.keys()).containsExactly("pause_above", "resume_below");
    }

    @Test
    void pausesStrictlyAbovePauseMark() {
        HysteresisGate gate = new HysteresisGate();
        assertThat(gate.onSample(0.90)).isFalse();
        assertThat(gate.isPaused()).isFalse();
        assertThat(gate.onSample(0.9001)).isTrue();
        assertThat(gate.isPaused()).isTrue();
    }

    @Test
    void staysPausedBetweenTheMarksAndResumesStrictlyBelowResumeMark() {
        HysteresisGate gate = new HysteresisGate();
        assertThat(gate.onSample(0.95)).isTrue();
        assertThat(feed(gate, 0.75, 0.85, 0.72, 0.88, 0.70)).containsOnly(true);
        assertThat(gate.onSample(0.6999)).isFalse();
        assertThat(gate.isPaused()).isFalse();
    }

    @Test
    void unpausedBetweenTheMarksNeverPauses() {
        HysteresisGate gate = new HysteresisGate();
        assertThat(feed(gate, 0.70, 0.75, 0.85, 0.72, 0.88, 0.8999, 0.90, 0.71, 0.6999, 0.89)).containsOnly(false);
    }

    @Test
    void fullCycle() {
        HysteresisGate gate = new HysteresisGate();
        assertThat(feed(gate, 0.5, 0.91, 0.8, 0.69, 0.8, 0.89, 0.95, 0.1))
                .containsExactly(false, true, true, false, false, false, true, false);
    }

    @Test
    void nanKeepsState() {
        HysteresisGate gate = new HysteresisGate();
        assertThat(gate.onSample(Double.NaN)).isFalse();
        gate.onSample(1.0);
        assertThat(gate.onSample(Double.NaN)).isTrue();
    }

    @Test
    void parsesParams() {
        HysteresisGate gate = HysteresisGate.create(Map.of("pause_above", "0.85", "resume_below", "0.6"));
        assertThat(gate.pauseAbove()).isEqualTo(0.85);
        assertThat(gate.resumeBelow()).isEqualTo(0.6);
        assertThat(HysteresisGate.create(Map.of("pause_above", "1.5")).pauseAbove()).isEqualTo(1.5);
    }

    @Test
    void resumeBelowMustBeLessThanPauseAbove() {
        assertThatThrownBy(() -> HysteresisGate.create(Map.of("resume_below", "0.9")))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).contains("resume_below"))
                .hasMessageContaining("resume_below (0.9) must be less than pause_above (0.9)");
        assertThatThrownBy(() -> HysteresisGate.create(Map.of("pause_above", "0.6")))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).contains("pause_above"))
                .hasMessageContaining("pause_above");
        assertThatThrownBy(() -> HysteresisGate.create(Map.of("pause_above", "0.6", "resume_below", "0.8")))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).contains("resume_below"));
        assertThatThrownBy(() -> new HysteresisGate(0.8, 0.8))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).contains("resume_below"));
    }

    @Test
    void rangeChecksNameTheKey() {
        assertThatThrownBy(() -> HysteresisGate.create(Map.of("pause_above", "1.6")))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).contains("pause_above"));
        assertThatThrownBy(() -> HysteresisGate.create(Map.of("resume_below", "0")))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).contains("resume_below"));
        assertThatThrownBy(() -> new HysteresisGate(2.0, 0.5))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).contains("pause_above"));
        assertThatThrownBy(() -> HysteresisGate.create(Map.of("pause", "0.9")))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).contains("pause"))
                .hasMessageContaining("pause_above, resume_below");
    }
}
