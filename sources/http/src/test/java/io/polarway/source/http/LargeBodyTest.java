package io.polarway.source.http;

import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A 500 MB JSON body streams through a JVM whose heap is 64 MB: if the source held the body (or the page's records)
 * the child would die of OutOfMemoryError. The child ({@link LargeBodyMain}) serves and reads the body itself, so
 * nothing but this process's own loopback is involved.
 */
class LargeBodyTest {
    private static final long BODY_BYTES = 500_000_000L;

    @Test
    void aFiveHundredMegabyteBodyStreamsThroughASixtyFourMegabyteHeap() throws Exception {
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx64m", "--add-opens=java.base/java.nio=ALL-UNNAMED",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-cp", System.getProperty("java.class.path"), LargeBodyMain.class.getName(),
                Long.toString(BODY_BYTES), "50000").redirectErrorStream(true);
        Process p = pb.start();
        byte[] out;
        boolean done;
        try {
            out = p.getInputStream().readAllBytes(); // ends when the child exits
            done = p.waitFor(5, TimeUnit.MINUTES);
        } finally {
            p.destroyForcibly();
        }
        String text = new String(out, StandardCharsets.UTF_8);
        assertThat(done).as(text).isTrue();
        assertThat(p.exitValue()).as(text).isZero();
        List<String> lines = text.lines().filter(l -> l.startsWith("OK ")).toList();
        assertThat(lines).as(text).hasSize(1);
        long bytes = Long.parseLong(lines.get(0).replaceAll(".* bytes=(\\d+).*", "$1"));
        assertThat(bytes).isGreaterThanOrEqualTo(BODY_BYTES);
        System.out.println(lines.get(0));
    }
}
