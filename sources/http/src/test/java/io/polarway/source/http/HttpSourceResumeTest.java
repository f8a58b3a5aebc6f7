package io.polarway.source.http;

import com.sun.net.httpserver.HttpServer;
import io.polarway.api.SourceConfig;
import io.polarway.error.NetworkException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A body that breaks half-way, after records of it were already delivered in chunks: the page is requested again and
 * the records already taken are skipped, so each arrives exactly once. WireMock cannot cut a valid body in the middle,
 * so the server here is the JDK's own HTTP server on 127.0.0.1, which can.
 */
class HttpSourceResumeTest {
    private static final int RECORDS = 4_000;
    private HttpServer server;
    private ExecutorService pool;
    private final AtomicInteger requests = new AtomicInteger();
    private final CountDownLatch release = new CountDownLatch(1);
    private volatile String mode = "cut";
    private volatile int failures = 1;
    private Reading reading;

    @BeforeEach
    void start() throws IOException {
        byte[] body = Reading.records(0, RECORDS).getBytes(StandardCharsets.UTF_8);
        pool = Executors.newCachedThreadPool();
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(pool);
        server.createContext("/page", exchange -> {
            int n = requests.incrementAndGet();
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            try (OutputStream out = exchange.getResponseBody()) {
                if (n > failures) {
                    exchange.sendResponseHeaders(200, body.length);
                    out.write(body);
                } else if (mode.equals("cut")) {
                    // promise the whole body, send 60 % of it, then close: a premature end of the message
                    exchange.sendResponseHeaders(200, body.length);
                    out.write(body, 0, body.length * 6 / 10);
                    out.flush();
                    exchange.getHttpContext().getServer(); // keep the exchange referenced
                    throw new IOException("cut"); // the JDK server then drops the connection
                } else {
                    // chunked: send 60 % and stall past the client's timeout
                    exchange.sendResponseHeaders(200, 0);
                    out.write(body, 0, body.length * 6 / 10);
                    out.flush();
                    try {
                        release.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    throw new IOException("stalled");
                }
            }
        });
        server.start();
        reading = new Reading();
    }

    @AfterEach
    void stop() {
        release.countDown();
        reading.close();
        server.stop(0);
        pool.shutdownNow();
    }

    private SourceConfig config() {
        return SourceConfig.of("http://127.0.0.1:" + server.getAddress().getPort() + "/page")
                .withOption("retry_delay_ms", "1").withOption("infer_schema_length", "1");
    }

    @Test
    void aBodyCutHalfWayIsResumedWithoutLossOrDuplicates() {
        Reading.Result r = reading.readAll(config(), 100);
        assertThat(r.ids()).containsExactlyElementsOf(Reading.range(0, RECORDS));
        // the record the cut went through was half written into the chunk's vectors: nothing of it is left over
        assertThat(r.column("name").stream().map(String::valueOf).toList())
                .containsExactlyElementsOf(Reading.range(0, RECORDS).stream().map(i -> "r" + i).toList());
        assertThat(requests).hasValue(2);
        assertThat(r.counter("http_page_resumes")).isEqualTo(1);
        assertThat(r.chunkRows()).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(100));
    }

    @Test
    void aBodyThatStallsHalfWayTimesOutAndIsResumed() {
        mode = "stall";
        Reading.Result r = reading.readAll(config().withOption("timeout_ms", "500"), 100);
        assertThat(r.ids()).containsExactlyElementsOf(Reading.range(0, RECORDS));
        assertThat(requests).hasValue(2);
    }

    @Test
    void aPageThatKeepsBreakingFailsAfterTheRetryBudget() {
        failures = Integer.MAX_VALUE;
        assertThatThrownBy(() -> reading.readAll(config().withOption("retry_attempts", "2"), 100))
                .isInstanceOf(NetworkException.class).hasMessageContaining("after 3 attempts")
                .hasMessageContaining("page 1");
        assertThat(requests).hasValue(3); // one budget for the page: its request and its body
    }
}
