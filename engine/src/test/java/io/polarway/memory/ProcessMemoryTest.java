package io.polarway.memory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class ProcessMemoryTest {
    @TempDir
    Path tmp;

    @Test
    void parsesKilobytesIntoBytes() throws IOException {
        Path status = Files.writeString(tmp.resolve("status"), """
                Name:\tjava
                VmPeak:\t 9000000 kB
                VmRSS:\t  120000 kB
                RssAnon:\t   90000 kB
                RssFile:\t   28000 kB
                RssShmem:\t    2000 kB
                Threads:\t20
                """);
        ProcessMemory.Reading r = new ProcessMemory(status).read();
        assertThat(r.rssBytes()).isEqualTo(120000L * 1024);
        assertThat(r.anonBytes()).isEqualTo(90000L * 1024);
        assertThat(r.shmemBytes()).isEqualTo(2000L * 1024);
        assertThat(r.anonPlusShmemBytes()).isEqualTo(92000L * 1024);
    }

    @Test
    void missingFileOrFieldsGiveMinusOne() throws IOException {
        assertThat(new ProcessMemory(tmp.resolve("missing")).read())
                .isEqualTo(new ProcessMemory.Reading(-1, -1, -1));
        Path old = Files.writeString(tmp.resolve("old"), "Name:\tjava\nVmRSS:\t 1000 kB\n");
        ProcessMemory.Reading r = new ProcessMemory(old).read();
        assertThat(r.rssBytes()).isEqualTo(1000L * 1024);
        assertThat(r.anonPlusShmemBytes()).isEqualTo(-1);
    }

    @Test
    void readsThisProcessOnLinux() {
        assumeTrue(System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux"));
        ProcessMemory.Reading r = new ProcessMemory().read();
        assertThat(r.rssBytes()).isPositive();
        assertThat(r.anonBytes()).isPositive().isLessThanOrEqualTo(r.rssBytes());
        assertThat(r.shmemBytes()).isNotNegative();
    }
}
