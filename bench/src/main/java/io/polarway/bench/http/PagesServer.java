package io.polarway.bench.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A local stub API for the HTTP benchmarks: the JDK's HTTP server on 127.0.0.1, serving pre-rendered JSON pages
 * ({@code /pages?p=N}, linked with {@code Link: rel="next"}) and one body of any size generated while it is sent
 * ({@code /big}, chunked, so the server holds no body). With {@code failEvery > 0}, every {@code failEvery}-th page
 * request is answered 503 with {@code Retry-After: 0} first: a flaky API.
 *
 * <p>Records: {@code {"id":N,"name":"record-N","score":N.5,"active":true,"tags":["a","b"]}}.
 */
public final class PagesServer implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService executor;
    private final byte[][] pages;
    private final int failEvery;
    private final AtomicLong pageRequests = new AtomicLong();
    private volatile long bigBodyBytes;

    public PagesServer(int pageCount, int recordsPerPage, int failEvery) throws IOException {
        this.failEvery = failEvery;
        this.pages = new byte[pageCount][];
        for (int p = 0; p < pageCount; p++) {
            StringBuilder sb = new StringBuilder(recordsPerPage * 80).append('[');
            for (int i = 0; i < recordsPerPage; i++) {
                if (i > 0) sb.append(',');
                record(sb, (long) p * recordsPerPage + i);
            }
            pages[p] = sb.append(']').toString().getBytes(StandardCharsets.US_ASCII);
        }
        executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "bench-http-stub");
            t.setDaemon(true);
            return t;
        });
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.setExecutor(executor);
        server.createContext("/pages", this::page);
        server.createContext("/big", this::big);
        server.start();
    }

    static void record(StringBuilder sb, long id) {
        sb.append("{\"id\":").append(id).append(",\"name\":\"record-").append(id).append("\",\"score\":").append(id)
                .append(".5,\"active\":true,\"tags\":[\"a\",\"b\"]}");
    }

    public String url(String pathAndQuery) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + pathAndQuery;
    }

    public int pageCount() {
        return pages.length;
    }

    /** Sets the size of {@code /big}'s body. */
    public void bigBodyBytes(long bytes) {
        this.bigBodyBytes = bytes;
    }

    private void page(HttpExchange ex) throws IOException {
        try (ex) {
            String q = ex.getRequestURI().getRawQuery();
            int p = q == null ? 1 : Integer.parseInt(q.substring(q.indexOf("p=") + 2));
            long n = pageRequests.incrementAndGet();
            if (failEvery > 0 && n % failEvery == 0) {
                ex.getResponseHeaders().set("Retry-After", "0");
                ex.sendResponseHeaders(503, -1);
                return;
            }
            ex.getResponseHeaders().set("Content-Type", "application/json");
            if (p < pages.length) ex.getResponseHeaders().set("Link", "</pages?p=" + (p + 1) + ">; rel=\"next\"");
            byte[] body = pages[p - 1];
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
        }
    }

    private void big(HttpExchange ex) throws IOException {
        try (ex) {
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(200, 0);
            OutputStream out = new BufferedOutputStream(ex.getResponseBody(), 1 << 16);
            long limit = bigBodyBytes;
            out.write('[');
            long written = 1;
            StringBuilder sb = new StringBuilder(128);
            for (long id = 0; written < limit; id++) {
                sb.setLength(0);
                if (id > 0) sb.append(',');
                record(sb, id);
                byte[] b = sb.toString().getBytes(StandardCharsets.US_ASCII);
                out.write(b);
                written += b.length;
            }
            out.write(']');
            out.flush();
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
