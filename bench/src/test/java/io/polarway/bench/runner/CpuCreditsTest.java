package io.polarway.bench.runner;

import io.polarway.profile.VmProfile;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class CpuCreditsTest {
    private final VmProfile.Cpu b1s = VmProfile.load("B1s").cpu(); // 0.1 core baseline, 6 credits/h, max 144

    @Test
    void burstingSpendsCreditsUntilHeldToTheBaseline() {
        CpuCredits c = new CpuCredits(b1s, 1.0, 1.0); // one credit = one core-minute
        assertThat(c.quotaCores()).isEqualTo(1.0);
        // a full core for 60 s spends (1 - 0.1) × 60 / 60 = 0.9 credits
        for (int i = 0; i < 60; i++) c.onInterval(1.0, 1.0);
        assertThat(c.credits()).isCloseTo(0.1, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(c.throttled()).isFalse();
        for (int i = 0; i < 10; i++) c.onInterval(1.0, 1.0);
        assertThat(c.credits()).isZero();
        assertThat(c.throttled()).isTrue();
        assertThat(c.quotaCores()).isEqualTo(0.1);
    }

    @Test
    void aThrottledVmBurstsAgainOnlyAfterBankingACredit() {
        CpuCredits c = new CpuCredits(b1s, 1.0, 0);
        assertThat(c.throttled()).isTrue();
        // idle: earns 0.1 core × 60 s = 0.1 credit per minute; one credit takes 10 minutes
        for (int i = 0; i < 9 * 60; i++) c.onInterval(0, 1.0);
        assertThat(c.throttled()).isTrue();
        for (int i = 0; i < 61; i++) c.onInterval(0, 1.0);
        assertThat(c.throttled()).isFalse();
        assertThat(c.quotaCores()).isEqualTo(1.0);
    }

    @Test
    void creditsAreCappedAndUnlimitedProfilesAreNeverThrottled() {
        CpuCredits c = new CpuCredits(b1s, 1.0, 1_000);
        assertThat(c.credits()).isEqualTo(144);
        c.onInterval(0, 3600);
        assertThat(c.credits()).isEqualTo(144);

        CpuCredits t3 = new CpuCredits(VmProfile.load("t3.micro").cpu(), 2.0, 0);
        assertThat(t3.throttled()).isFalse();
        for (int i = 0; i < 600; i++) t3.onInterval(2.0, 1.0);
        assertThat(t3.quotaCores()).isEqualTo(2.0);
    }
}
