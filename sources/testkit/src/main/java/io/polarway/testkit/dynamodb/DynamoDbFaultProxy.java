package io.polarway.testkit.dynamodb;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

/**
 * A real HTTP server on 127.0.0.1 that sits between a DynamoDB client and a DynamoDB server (e.g. {@link Dynalite})
 * and, per request, either forwards it or answers with a fault the way DynamoDB does: throttling
 * ({@code ProvisionedThroughputExceededException}, {@code RequestLimitExceeded}), rejected credentials
 * ({@code UnrecognizedClientException}), a 500, or a body cut short. Which one is decided by a {@link #rule} that sees
 * each request's sequence number, operation ({@code X-Amz-Target} without the API prefix), body and access key id.
 *
 * <p>Not a mock: the client under test speaks real HTTP to it, and every forwarded request is served by the real
 * server behind it. Thread-safe; {@link #close()} stops it.
 */
public final class DynamoDbFaultProxy implements AutoCloseable {
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "content-length", "host", "transfer-encoding",
            "keep-alive", "expect", "upgrade", "te", "trailer", "proxy-connection");

    private final HttpServer server;
    private final ExecutorService executor;
    private final HttpClient client;
    private final URI target;
    private final AtomicReference<Function<Request, Fault>> rule = new AtomicReference<>(r -> Fault.forward());
    private final AtomicLong sequence = new AtomicLong();
    private final Map<String, LongAdder> requestsByOperation = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> faultsByOperation = new ConcurrentHashMap<>();

    /**
     * One request as the proxy saw it.
     *
     * @param sequence    1-based, in arrival order over the proxy's life
     * @param operation   e.g. {@code Scan}, {@code Query}, {@code DescribeTable}
     * @param body        the JSON request body
     * @param accessKeyId the access key id from the SigV4 {@code Authorization} header, or empty
     */
    public record Request(long sequence, String operation, String body, String accessKeyId) {
    }

    /** What the proxy does with one request. */
    public sealed interface Fault {
        /** Pass the request to the server and its answer back. */
        static Fault forward() {
            return Forward.INSTANCE;
        }

        /** Answer with DynamoDB's JSON error shape: {@code {"__type": type, "message": message}}. */
        static Fault error(int status, String type, String message) {
            return new Answer(status, type, message);
        }

        /** 400 ProvisionedThroughputExceededException, as DynamoDB sends when a table's capacity is exceeded. */
        static Fault throttle() {
            return error(400, "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
                    "The level of configured provisioned throughput for the table was exceeded. Consider increasing "
                            + "your provisioning level with the UpdateTable API.");
        }

        /** 400 RequestLimitExceeded, DynamoDB's account-level throttling. */
        static Fault requestLimit() {
            return error(400, "com.amazonaws.dynamodb.v20120810#RequestLimitExceeded",
                    "Throughput exceeds the current throughput limit for your account. Please contact AWS Support "
                            + "at https://aws.amazon.com/support request a limit increase");
        }

        /** 400 UnrecognizedClientException: the access key does not exist. */
        static Fault unrecognizedClient() {
            return error(400, "com.amazon.coral.service#UnrecognizedClientException",
                    "The security token included in the request is invalid.");
        }

        /** 500 InternalServerError. */
        static Fault serverError() {
            return error(500, "com.amazonaws.dynamodb.v20120810#InternalServerError", "Internal server error");
        }

        /**
         * Forwards, then sends the server's status and headers but only half of its body before closing the
         * connection: a response cut short on the wire.
         */
        static Fault truncate() {
            return Truncate.INSTANCE;
        }
    }

    private enum Forward implements Fault { INSTANCE }

    private enum Truncate implements Fault { INSTANCE }

    private record Answer(int status, String type, String message) implements Fault {
    }

    private DynamoDbFaultProxy(URI target) throws IOException {
        this.target = Objects.requireNonNull(target, "target");
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        this.executor = Executors.newFixedThreadPool(16, r -> {
            Thread t = new Thread(r, "dynamodb-fault-proxy");
            t.setDaemon(true);
            return t;
        });
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).executor(executor).build();
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** Starts a proxy in front of {@code target} (e.g. {@link Dynalite#endpoint()}) on a free loopback port. */
    public static DynamoDbFaultProxy start(URI target) {
        try {
            return new DynamoDbFaultProxy(target);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the DynamoDB fault proxy", e);
        }
    }

    /** The proxy's endpoint, to give the client instead of the server's. */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Replaces the rule; requests in flight finish under the old one. */
    public void rule(Function<Request, Fault> newRule) {
        rule.set(Objects.requireNonNull(newRule, "rule"));
    }

    /** Forward everything again. */
    public void forwardAll() {
        rule(r -> Fault.forward());
    }

    /** Requests seen for {@code operation} (e.g. {@code Scan}), faults included. */
    public long requests(String operation) {
        LongAdder a = requestsByOperation.get(operation);
        return a == null ? 0 : a.sum();
    }

    /** Requests for {@code operation} answered with a fault instead of the server's answer. */
    public long faults(String operation) {
        LongAdder a = faultsByOperation.get(operation);
        return a == null ? 0 : a.sum();
    }

    /** Zeroes the counters (the sequence number keeps counting). */
    public void resetCounts() {
        requestsByOperation.clear();
        faultsByOperation.clear();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            String targetHeader = exchange.getRequestHeaders().getFirst("X-Amz-Target");
            String operation = targetHeader == null ? "" : targetHeader.substring(targetHeader.indexOf('.') + 1);
            Request request = new Request(sequence.incrementAndGet(), operation,
                    new String(body, StandardCharsets.UTF_8), accessKeyId(exchange.getRequestHeaders().getFirst("Authorization")));
            requestsByOperation.computeIfAbsent(operation, k -> new LongAdder()).increment();
            Fault fault = rule.get().apply(request);
            if (fault instanceof Answer a) {
                faultsByOperation.computeIfAbsent(operation, k -> new LongAdder()).increment();
                byte[] out = ("{\"__type\":\"" + a.type() + "\",\"message\":\"" + a.message() + "\"}")
                        .getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.0");
                exchange.getResponseHeaders().set("x-amzn-RequestId", "fault-" + request.sequence());
                exchange.sendResponseHeaders(a.status(), out.length);
                try (OutputStream os = exchange.getResponseBody()) {
                    os.write(out);
                }
                return;
            }
            HttpResponse<byte[]> response = forward(exchange, body);
            response.headers().map().forEach((name, values) -> {
                if (!HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT)) && !name.startsWith(":")) {
                    exchange.getResponseHeaders().put(name, List.copyOf(values));
                }
            });
            byte[] out = response.body();
            exchange.sendResponseHeaders(response.statusCode(), out.length == 0 ? -1 : out.length);
            if (fault instanceof Truncate) {
                faultsByOperation.computeIfAbsent(operation, k -> new LongAdder()).increment();
                OutputStream os = exchange.getResponseBody();
                os.write(out, 0, out.length / 2);
                os.flush();
                // Closing a fixed-length body short makes the server drop the connection: the client sees a
                // premature end of the message, as with a reset mid-transfer.
                return;
            }
            if (out.length > 0) {
                try (OutputStream os = exchange.getResponseBody()) {
                    os.write(out);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private HttpResponse<byte[]> forward(HttpExchange exchange, byte[] body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(target.resolve(exchange.getRequestURI().toString()))
                .timeout(Duration.ofSeconds(60))
                .method(exchange.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(body));
        exchange.getRequestHeaders().forEach((name, values) -> {
            if (HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT))) return;
            for (String v : values) b.header(name, v);
        });
        return client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static String accessKeyId(String authorization) {
        if (authorization == null) return "";
        int i = authorization.indexOf("Credential=");
        if (i < 0) return "";
        int start = i + "Credential=".length();
        int end = authorization.indexOf('/', start);
        return end < 0 ? "" : authorization.substring(start, end);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "DynamoDB fault proxy " + endpoint() + " -> " + target;
    }
}
