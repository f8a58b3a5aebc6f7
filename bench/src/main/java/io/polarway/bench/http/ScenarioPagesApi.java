package io.polarway.bench.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.polarway.api.SourceConfig;
import io.polarway.bench.scenario.Scenario;
import io.polarway.bench.scenario.ScenarioData;
import io.polarway.profile.VmProfile;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A paginated JSON API for a bench scenario ({@code backend.store: http}), served from the runner's JVM on
 * 127.0.0.1: {@code GET /records?page=N} answers a JSON array of {@code records_per_page} records
 * {@code {"id":N,"name":"record-N","score":N.5,"payload":"..."}} (about {@code row_width_bytes} each, ids 0..rows-1)
 * with a {@code Link: <...>; rel="next"} header until the last page. Pages are generated on request (nothing held), so
 * a dataset larger than the profile's RAM costs the runner no memory. With {@code fail_every} n &gt; 0 every n-th
 * request is answered 503 with {@code Retry-After: 0} first: a flaky API the source must retry through without losing
 * or repeating a page.
 */
public final class ScenarioPagesApi implements AutoCloseable {
    static final String URL_PROPERTY = "bench.http.url";
    private final HttpServer server;
    private final ExecutorService executor;
    private final long rows;
    private final int perPage;
    private final byte[] payload;
    private final int failEvery;
    private final AtomicLong requests = new AtomicLong();

    ScenarioPagesApi(long rows, int perPage, int rowWidthBytes, int failEvery) throws IOException {
        this.rows = rows;
        this.perPage = perPage;
        this.payload = "x".repeat(Math.max(0, rowWidthBytes - 64)).getBytes(StandardCharsets.US_ASCII);
        this.failEvery = failEvery;
        executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "bench-pages-api");
            t.setDaemon(true);
            return t;
        });
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.setExecutor(executor);
        server.createContext("/records", this::page);
        server.start();
    }

    /** Starts the API for the scenario's rows under {@code profile} in {@code suite}. */
    public static ScenarioData prepare(Scenario scenario, VmProfile profile, String suite) throws IOException {
        Scenario.Backend b = scenario.backend();
        ScenarioPagesApi api = new ScenarioPagesApi(scenario.dataset().rows(profile, suite), b.recordsPerPage(),
                scenario.dataset().rowWidthBytes(), b.failEvery());
        return ScenarioData.of(Map.of(URL_PROPERTY, api.url(1)), api);
    }

    /** In the fork: the first page's URL. */
    public static SourceConfig inFork(SourceConfig config) {
        String url = System.getProperty(URL_PROPERTY);
        if (url == null) {
            throw new IllegalStateException("an http scenario needs the bench runner to start its API ("
                    + URL_PROPERTY + " is not set)");
        }
        return config.withLocation(url);
    }

    String url(long page) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/records?page=" + page;
    }

    long pages() {
        return Math.max(1, (rows + perPage - 1) / perPage);
    }

    private void page(HttpExchange ex) throws IOException {
        try (ex) {
            long n = requests.incrementAndGet();
            if (failEvery > 0 && n % failEvery == 0) {
                ex.getResponseHeaders().add("Retry-After", "0");
                ex.sendResponseHeaders(503, -1);
                return;
            }
            String q = URI.create(ex.getRequestURI().toString()).getQuery();
            long page = q != null && q.startsWith("page=") ? Long.parseLong(q.substring(5)) : 1;
            if (page < 1 || page > pages()) {
                ex.sendResponseHeaders(404, -1);
                return;
            }
            long from = (page - 1) * perPage;
            long to = Math.min(rows, from + perPage);
            StringBuilder sb = new StringBuilder((int) ((to - from) * (payload.length + 64))).append('[');
            for (long id = from; id < to; id++) {
                if (id > from) sb.append(',');
                sb.append("{\"id\":").append(id).append(",\"name\":\"record-").append(id).append("\",\"score\":")
                        .append(id).append(".5,\"payload\":\"").append(new String(payload, StandardCharsets.US_ASCII))
                        .append("\"}");
            }
            byte[] body = sb.append(']').toString().getBytes(StandardCharsets.US_ASCII);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            if (page < pages()) ex.getResponseHeaders().add("Link", "<" + url(page + 1) + ">; rel=\"next\"");
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
