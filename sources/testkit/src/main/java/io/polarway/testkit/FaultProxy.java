package io.polarway.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A fault-injecting HTTP/1.1 proxy on 127.0.0.1, put between a client and a real server (S3Proxy, Azurite, the GCS
 * emulator, any HTTP server): per request, a {@link #rule} decides to forward it, to answer with an error (503
 * SlowDown, 429 with Retry-After, 500, 403...), to reset the connection before answering, to forward the answer but
 * cut its body after some bytes (with a clean close: a truncated body; or with a reset), or to forward the answer and
 * then stall in the middle of its body (the connection stays open, silent, until the client gives up).
 *
 * <p>Not a mock: forwarded requests are served by the real server and its answers are relayed byte for byte (headers
 * untouched — signatures over {@code Host} stay valid — except {@code Connection: close}, so each connection carries
 * one request and every request reaches the rule). Request bodies are relayed when they have a
 * {@code Content-Length}. Thread-safe; {@link #close()} stops it.
 */
public final class FaultProxy implements AutoCloseable {
    private static final int MAX_HEAD_BYTES = 64 * 1024;

    private final ServerSocket server;
    private final int upstreamPort;
    private final ExecutorService threads;
    private final AtomicReference<Function<Request, Fault>> rule = new AtomicReference<>(r -> Fault.forward());
    private final AtomicLong sequence = new AtomicLong();
    private final AtomicLong faults = new AtomicLong();
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /**
     * One request as the proxy saw it.
     *
     * @param sequence 1-based, in arrival order
     * @param method   {@code GET}, {@code HEAD}, ...
     * @param target   path and query, as sent
     * @param headers  header names in lower case
     */
    public record Request(long sequence, String method, String target, Map<String, String> headers) {
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        /** Whether the request asks for a byte range (a {@code Range} header). */
        public boolean isRanged() {
            return headers.containsKey("range") || headers.containsKey("x-ms-range");
        }
    }

    /** What to do with one request. */
    public sealed interface Fault {
        static Fault forward() {
            return Forward.INSTANCE;
        }

        /** Answer {@code status} with {@code body} and extra headers, without asking the server. */
        static Fault answer(int status, String body, Map<String, String> headers) {
            return new Answer(status, body == null ? "" : body, headers == null ? Map.of() : Map.copyOf(headers));
        }

        /** S3's throttling answer: 503 SlowDown. */
        static Fault s3SlowDown() {
            return answer(503, "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>SlowDown</Code>"
                    + "<Message>Please reduce your request rate.</Message></Error>", Map.of("Content-Type",
                    "application/xml"));
        }

        /** 429 with {@code Retry-After: seconds}. */
        static Fault tooManyRequests(int retryAfterSeconds) {
            return answer(429, "rate exceeded", Map.of("Retry-After", Integer.toString(retryAfterSeconds)));
        }

        static Fault serverError() {
            return answer(500, "internal error", Map.of());
        }

        /** Close the connection with a TCP reset before any answer. */
        static Fault reset() {
            return Reset.INSTANCE;
        }

        /** Forward, but end the answer after {@code bodyBytes} bytes of its body with a clean close. */
        static Fault truncate(long bodyBytes) {
            return new Cut(bodyBytes, Cut.CLOSE);
        }

        /** Forward, but reset the connection after {@code bodyBytes} bytes of the answer's body. */
        static Fault resetAfter(long bodyBytes) {
            return new Cut(bodyBytes, Cut.RESET);
        }

        /**
         * Forward, but after {@code bodyBytes} bytes of the answer's body send nothing more and keep the connection
         * open until the client closes it (at most {@value #STALL_LIMIT_SECONDS} s): a server or network that hangs
         * mid-body, which only the client's read timeout ends.
         */
        static Fault stallAfter(long bodyBytes) {
            return new Cut(bodyBytes, Cut.STALL);
        }

        /** The longest a stalled answer holds its connection open. */
        int STALL_LIMIT_SECONDS = 60;
    }

    private enum Forward implements Fault { INSTANCE }

    private enum Reset implements Fault { INSTANCE }

    private record Answer(int status, String body, Map<String, String> headers) implements Fault {
    }

    /** @param mode {@link #CLOSE}, {@link #RESET} or {@link #STALL} after {@code bodyBytes} */
    private record Cut(long bodyBytes, int mode) implements Fault {
        static final int CLOSE = 0;
        static final int RESET = 1;
        static final int STALL = 2;
    }

    private FaultProxy(ServerSocket server, int upstreamPort) {
        this.server = server;
        this.upstreamPort = upstreamPort;
        AtomicInteger ids = new AtomicInteger();
        this.threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fault-proxy-" + ids.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        threads.execute(this::acceptLoop);
    }

    /** Starts a proxy in front of {@code 127.0.0.1:upstreamPort}. */
    public static FaultProxy start(int upstreamPort) {
        try {
            ServerSocket s = new ServerSocket();
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 128);
            return new FaultProxy(s, upstreamPort);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the fault proxy", e);
        }
    }

    public int port() {
        return server.getLocalPort();
    }

    /** {@code http://127.0.0.1:PORT}. */
    public String endpoint() {
        return "http://127.0.0.1:" + port();
    }

    /** Replaces the rule (initially: forward everything). */
    public void rule(Function<Request, Fault> r) {
        rule.set(Objects.requireNonNull(r));
    }

    /** Forward everything from now on. */
    public void clear() {
        rule(r -> Fault.forward());
    }

    /**
     * A rule that gives each of the faults in turn to the next matching requests, then forwards everything: e.g. a
     * burst of three 503s for ranged GETs is {@code sequence(Request::isRanged, slowDown, slowDown, slowDown)}.
     */
    public static Function<Request, Fault> sequence(Predicate<Request> match, Fault... faults) {
        AtomicInteger next = new AtomicInteger();
        List<Fault> list = List.of(faults);
        return r -> {
            if (!match.test(r)) return Fault.forward();
            int i = next.getAndIncrement();
            return i < list.size() ? list.get(i) : Fault.forward();
        };
    }

    /** Requests seen so far. */
    public long requests() {
        return sequence.get();
    }

    /** Faults injected so far. */
    public long faultsInjected() {
        return faults.get();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = server.accept();
                open.add(client);
                threads.execute(() -> handle(client));
            } catch (IOException e) {
                if (!closed) continue;
                return;
            }
        }
    }

    private void handle(Socket client) {
        try (client) {
            client.setSoTimeout(60_000);
            InputStream in = client.getInputStream();
            byte[] head = readHead(in);
            if (head == null) return;
            String text = new String(head, StandardCharsets.ISO_8859_1);
            String[] lines = text.split("\r\n");
            String[] requestLine = lines[0].split(" ", 3);
            if (requestLine.length < 3) return;
            Map<String, String> headers = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                if (colon > 0) {
                    headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                            lines[i].substring(colon + 1).trim());
                }
            }
            Request req = new Request(sequence.incrementAndGet(), requestLine[0], requestLine[1], Map.copyOf(headers));
            Fault fault = rule.get().apply(req);
            if (fault != Forward.INSTANCE) faults.incrementAndGet();
            long bodyLength = headers.containsKey("content-length") ? Long.parseLong(headers.get("content-length")) : 0;
            if (fault instanceof Reset) {
                client.setSoLinger(true, 0);
                return;
            }
            if (fault instanceof Answer a) {
                skip(in, bodyLength);
                byte[] body = a.body().getBytes(StandardCharsets.UTF_8);
                StringBuilder sb = new StringBuilder("HTTP/1.1 ").append(a.status()).append(' ')
                        .append(reason(a.status())).append("\r\n");
                for (Map.Entry<String, String> h : a.headers().entrySet()) {
                    sb.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n");
                }
                sb.append("Content-Length: ").append(body.length).append("\r\nConnection: close\r\n\r\n");
                OutputStream out = client.getOutputStream();
                out.write(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
                if (!req.method().equals("HEAD")) out.write(body);
                out.flush();
                return;
            }
            forward(client, in, lines, bodyLength, fault instanceof Cut c ? c : null);
        } catch (IOException | RuntimeException e) {
            // a client or server that went away mid-request: nothing to report
        } finally {
            open.remove(client);
        }
    }

    private void forward(Socket client, InputStream in, String[] lines, long bodyLength, Cut cut) throws IOException {
        try (Socket up = new Socket()) {
            open.add(up);
            try {
                up.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), upstreamPort), 10_000);
                up.setSoTimeout(120_000);
                StringBuilder sb = new StringBuilder(lines[0]).append("\r\n");
                for (int i = 1; i < lines.length; i++) {
                    if (lines[i].regionMatches(true, 0, "connection:", 0, 11)) continue;
                    if (lines[i].isEmpty()) continue;
                    sb.append(lines[i]).append("\r\n");
                }
                sb.append("Connection: close\r\n\r\n");
                OutputStream upOut = up.getOutputStream();
                upOut.write(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
                copy(in, upOut, bodyLength);
                upOut.flush();
                InputStream upIn = up.getInputStream();
                byte[] respHead = readHead(upIn);
                if (respHead == null) return;
                String resp = new String(respHead, StandardCharsets.ISO_8859_1);
                StringBuilder out = new StringBuilder();
                for (String line : resp.split("\r\n")) {
                    if (line.regionMatches(true, 0, "connection:", 0, 11) || line.isEmpty()) continue;
                    out.append(line).append("\r\n");
                }
                out.append("Connection: close\r\n\r\n");
                OutputStream clientOut = client.getOutputStream();
                clientOut.write(out.toString().getBytes(StandardCharsets.ISO_8859_1));
                long limit = cut == null ? Long.MAX_VALUE : cut.bodyBytes();
                byte[] buf = new byte[64 * 1024];
                long sent = 0;
                while (sent < limit) {
                    int n = upIn.read(buf, 0, (int) Math.min(buf.length, limit - sent));
                    if (n < 0) break;
                    clientOut.write(buf, 0, n);
                    sent += n;
                }
                clientOut.flush();
                if (cut != null && cut.mode() == Cut.STALL) awaitClientClose(client, in);
                if (cut != null && cut.mode() == Cut.RESET) client.setSoLinger(true, 0);
            } finally {
                open.remove(up);
            }
        }
    }

    /** Holds a stalled answer: returns once the client closed its end (or after the stall limit). */
    private static void awaitClientClose(Socket client, InputStream in) throws IOException {
        client.setSoTimeout((int) TimeUnit.SECONDS.toMillis(Fault.STALL_LIMIT_SECONDS));
        byte[] buf = new byte[1024];
        try {
            while (in.read(buf) >= 0) {
                // the client sent no request on this connection (Connection: close); discard anything it does send
            }
        } catch (java.net.SocketTimeoutException | SocketException e) {
            // the stall limit, or the client reset the connection: either way the stall is over
        }
    }

    /** The bytes up to and including the blank line that ends an HTTP head, or null at end of stream. */
    private static byte[] readHead(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream(1024);
        int state = 0;
        while (state < 4) {
            int c = in.read();
            if (c < 0) return b.size() == 0 ? null : b.toByteArray();
            b.write(c);
            if (b.size() > MAX_HEAD_BYTES) throw new IOException("HTTP head longer than " + MAX_HEAD_BYTES);
            state = (c == '\r' && (state == 0 || state == 2)) || (c == '\n' && (state == 1 || state == 3))
                    ? state + 1 : (c == '\r' ? 1 : 0);
        }
        return b.toByteArray();
    }

    private static void copy(InputStream in, OutputStream out, long n) throws IOException {
        byte[] buf = new byte[64 * 1024];
        long left = n;
        while (left > 0) {
            int r = in.read(buf, 0, (int) Math.min(buf.length, left));
            if (r < 0) throw new IOException("request body ended early");
            out.write(buf, 0, r);
            left -= r;
        }
    }

    private static void skip(InputStream in, long n) throws IOException {
        long left = n;
        while (left > 0) {
            long s = in.skip(left);
            if (s <= 0) {
                if (in.read() < 0) return;
                s = 1;
            }
            left -= s;
        }
    }

    private static String reason(int status) {
        return switch (status) {
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 412 -> "Precondition Failed";
            case 429 -> "Too Many Requests";
            case 500 -> "Internal Server Error";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            default -> "Status";
        };
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing
        }
        for (Socket s : open) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing
            }
        }
        threads.shutdownNow();
        try {
            threads.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "FaultProxy{" + endpoint() + " -> 127.0.0.1:" + upstreamPort + ", requests=" + requests() + ", faults="
                + faultsInjected() + '}';
    }
}
