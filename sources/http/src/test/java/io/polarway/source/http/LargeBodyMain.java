package io.polarway.source.http;

import com.sun.net.httpserver.HttpServer;
import io.polarway.api.Chunk;
import io.polarway.api.SourceConfig;
import io.polarway.api.SourceRegistry;
import io.polarway.api.StreamingSource;
import org.apache.arrow.vector.BigIntVector;

import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Run in a child JVM with a small heap by {@link LargeBodyTest}: serves one JSON array of {@code bytes} bytes, generated
 * as it is sent (the server holds no body either), reads it through the http source, checks that the ids are 0..n-1
 * in order, and prints {@code OK records=N bytes=B peakHeapMB=H}. Any failure exits non-zero.
 *
 * <p>Arguments: body size in bytes, chunk rows.
 */
public final class LargeBodyMain {
    private LargeBodyMain() {
    }

    /** The body's records are {@code {"id":N,"name":"record-N","score":N.5,"tags":["a","b"]}}. */
    static long serve(OutputStream raw, long bytes) throws java.io.IOException {
        OutputStream out = new BufferedOutputStream(raw, 1 << 16);
        out.write('[');
        long written = 1;
        long id = 0;
        StringBuilder sb = new StringBuilder(128);
        while (written < bytes) {
            sb.setLength(0);
            if (id > 0) sb.append(',');
            sb.append("{\"id\":").append(id).append(",\"name\":\"record-").append(id).append("\",\"score\":")
                    .append(id).append(".5,\"tags\":[\"a\",\"b\"]}");
            byte[] b = sb.toString().getBytes(StandardCharsets.US_ASCII);
            out.write(b);
            written += b.length;
            id++;
        }
        out.write(']');
        out.flush();
        return id;
    }

    public static void main(String[] args) throws Exception {
        long bytes = Long.parseLong(args[0]);
        int chunkRows = Integer.parseInt(args[1]);
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        long[] served = new long[1];
        server.createContext("/big", exchange -> {
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, 0); // chunked
            try (OutputStream out = exchange.getResponseBody()) {
                served[0] = serve(out, bytes);
            }
        });
        server.setExecutor(java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "large-body-server");
            t.setDaemon(true);
            return t;
        }));
        server.start();
        long expected = 0;
        long peakHeap = 0;
        try (StreamingSource source = SourceRegistry.withDefaults().create("http",
                SourceConfig.of("http://127.0.0.1:" + server.getAddress().getPort() + "/big")
                        .withMemoryLimit("256MB").withOption("timeout_ms", "60000"))) {
            for (Optional<Chunk> c = source.readChunk(chunkRows); c.isPresent(); c = source.readChunk(chunkRows)) {
                try (Chunk chunk = c.get()) {
                    BigIntVector id = (BigIntVector) chunk.root().getVector("id");
                    for (int i = 0; i < chunk.rowCount(); i++) {
                        if (id.get(i) != expected) throw new AssertionError("expected id " + expected + ", got " + id.get(i));
                        expected++;
                    }
                }
                Runtime rt = Runtime.getRuntime();
                peakHeap = Math.max(peakHeap, rt.totalMemory() - rt.freeMemory());
            }
            System.out.println("OK records=" + expected + " served=" + served[0] + " bytes="
                    + source.stats().bytesRead() + " peakHeapMB=" + peakHeap / (1 << 20));
        } finally {
            server.stop(0);
        }
        if (expected != served[0]) throw new AssertionError("read " + expected + " records, served " + served[0]);
    }
}
