package io.polarway.source.http;

import com.sun.net.httpserver.HttpServer;
import io.polarway.api.SourceConfig;
import io.polarway.api.StreamingSource;
import io.polarway.error.NetworkException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Connections as the server sees them: reused with keepalive, one per request without, and none at all when nothing
 * listens. WireMock's journal does not give the client's port, so the server here is the JDK's own HTTP server on
 * 127.0.0.1, which tells each exchange's remote address (one client port = one connection).
 */
class HttpSourceConnectionsTest {
    private static final int PAGES = 4;
    private HttpServer server;
    private ExecutorService pool;
    /** Per request, in arrival order: the client's port and its Connection header. */
    private final Queue<String[]> seen = new ConcurrentLinkedQueue<>();
    private Reading reading;

    @BeforeEach
    void start() throws IOException {
        pool = Executors.newCachedThreadPool();
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(pool);
        server.createContext("/k", exchange -> {
            seen.add(new String[]{Integer.toString(exchange.getRemoteAddress().getPort()),
                    exchange.getRequestHeaders().getFirst("Connection")});
            String query = exchange.getRequestURI().getQuery();
            int p = query == null ? 1 : Integer.parseInt(query.substring("p=".length()));
            byte[] body = Reading.records(p * 10, p * 10 + 10).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            if (p < PAGES) exchange.getResponseHeaders().set("Link", "</k?p=" + (p + 1) + ">; rel=\"next\"");
            exchange.sendResponseHeaders(200, body.length); // a length, so the connection can carry the next request
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        reading = new Reading();
    }

    @AfterEach
    void stop() {
        reading.close();
        server.stop(0);
        pool.shutdownNow();
    }

    private SourceConfig config() {
        return SourceConfig.of("http://127.0.0.1:" + server.getAddress().getPort() + "/k")
                .withOption("retry_delay_ms", "1");
    }

    private List<String> ports() {
        return seen.stream().map(s -> s[0]).toList();
    }

    @Test
    void keepaliveFalseOpensAConnectionPerRequest() {
        Reading.Result r = reading.readAll(config().withOption("keepalive", "false"), 100);
        assertThat(r.rows()).hasSize(PAGES * 10);
        assertThat(seen).extracting(s -> s[1]).containsOnly("close").hasSize(PAGES);
        assertThat(ports()).doesNotHaveDuplicates();
    }

    @Test
    void keepaliveReusesOneConnectionForEveryPage() {
        // pages are read one at a time and each body to its end, so its connection is back in the pool for the next
        Reading.Result r = reading.readAll(config(), 100);
        assertThat(r.rows()).hasSize(PAGES * 10);
        assertThat(seen).extracting(s -> s[1]).containsOnly("keep-alive").hasSize(PAGES);
        assertThat(ports()).hasSize(PAGES).containsOnly(ports().get(0));
    }

    @Test
    void aRefusedConnectionIsRetriedThenANetworkErrorNamingTheUrl() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort(); // free now, and closed again: nothing listens there
        }
        String url = "http://127.0.0.1:" + port + "/items?x=1";
        // a refused connection never reached the server, so even a POST is retried
        for (String method : List.of("get", "post")) {
            SourceConfig config = SourceConfig.of(url).withOption("method", method)
                    .withOption("retry_attempts", "2").withOption("retry_delay_ms", "1");
            if (method.equals("post")) config = config.withOption("body", "{}");
            try (StreamingSource source = reading.open(config)) {
                assertThatThrownBy(() -> source.readChunk(10))
                        .isInstanceOfSatisfying(NetworkException.class, e -> {
                            assertThat(e.isRetryable()).isTrue();
                            assertThat(e.where().orElseThrow().resource()).isEqualTo(url);
                            assertThat(e.getCause()).isInstanceOf(java.net.ConnectException.class);
                        })
                        .hasMessageContaining("after 3 attempts").hasMessageContaining(url);
                assertThat(source.stats().counters()).containsEntry("http_requests", 3L)
                        .containsEntry("http_retries", 2L);
            }
        }
    }
}
