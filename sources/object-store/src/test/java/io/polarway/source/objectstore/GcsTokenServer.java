package io.polarway.source.objectstore;

import com.google.api.client.json.gson.GsonFactory;
import com.google.api.client.json.webtoken.JsonWebSignature;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Google's OAuth token endpoint for service accounts, on 127.0.0.1 (a JDK HttpServer), for keys the test makes up: it
 * answers the JWT-bearer grant ({@code POST /token}, {@code grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer},
 * {@code assertion=<RS256 JWT>}) as Google does, but only when the assertion is signed by the private key of
 * {@link #serviceAccountJson()} and issued by its {@code client_email}; any other assertion gets
 * {@code 400 invalid_grant}. The key files it hands out point their {@code token_uri} here.
 *
 * <p>Thread-safe; {@link #close()} stops it.
 */
final class GcsTokenServer implements AutoCloseable {
    static final String CLIENT_EMAIL = "polarway-reader@demo-polarway.iam.gserviceaccount.com";
    private static final String JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer";

    private final HttpServer server;
    private final KeyPair trusted = rsa();
    private final KeyPair foreign = rsa();
    private final String accessToken = "ya29.polarway-" + HexFormat.of().formatHex(random(24));
    /** Grants answered so far. */
    final AtomicInteger granted = new AtomicInteger();
    /** Grants refused so far. */
    final AtomicInteger refused = new AtomicInteger();
    private final List<String> scopes = new CopyOnWriteArrayList<>();

    private GcsTokenServer(HttpServer server) {
        this.server = server;
        server.createContext("/token", this::handle);
        server.setExecutor(Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "gcs-token-server");
            t.setDaemon(true);
            return t;
        }));
        server.start();
    }

    static GcsTokenServer start() {
        try {
            return new GcsTokenServer(HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                    16));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the token server", e);
        }
    }

    String tokenUri() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/token";
    }

    /** A service-account key file whose assertions this endpoint accepts. */
    String serviceAccountJson() {
        return keyFile(trusted);
    }

    /** A key file of the same account with another private key: its assertions are refused (400 invalid_grant). */
    String foreignServiceAccountJson() {
        return keyFile(foreign);
    }

    /** The access token granted to {@link #serviceAccountJson()}. */
    String accessToken() {
        return accessToken;
    }

    /** The {@code scope} claims of the assertions granted so far. */
    List<String> scopes() {
        return List.copyOf(scopes);
    }

    /** The strings that must never show: each line of both private keys, and the access token. */
    List<String> secrets() {
        List<String> out = new ArrayList<>();
        for (KeyPair k : List.of(trusted, foreign)) {
            String body = Base64.getEncoder().encodeToString(k.getPrivate().getEncoded());
            out.add(body);
            for (String line : pemBody(k).split("\n")) if (line.length() >= 32) out.add(line);
        }
        out.add(accessToken);
        return out;
    }

    private String keyFile(KeyPair key) {
        String pem = "-----BEGIN PRIVATE KEY-----\n" + pemBody(key) + "\n-----END PRIVATE KEY-----\n";
        return "{\"type\":\"service_account\",\"project_id\":\"demo-polarway\","
                + "\"private_key_id\":\"" + HexFormat.of().formatHex(key.getPublic().getEncoded(), 40, 60) + "\","
                + "\"private_key\":\"" + pem.replace("\n", "\\n") + "\","
                + "\"client_email\":\"" + CLIENT_EMAIL + "\",\"client_id\":\"104242424242424242424\","
                + "\"auth_uri\":\"https://accounts.google.com/o/oauth2/auth\","
                + "\"token_uri\":\"" + tokenUri() + "\"}";
    }

    private static String pemBody(KeyPair key) {
        return Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(key.getPrivate().getEncoded());
    }

    private void handle(HttpExchange ex) throws IOException {
        try {
            if (!ex.getRequestMethod().equals("POST")) {
                answer(ex, 405, "{\"error\":\"invalid_request\"}");
                return;
            }
            Map<String, String> form = new HashMap<>();
            for (String pair : new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8).split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    form.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
            String scope = verify(form);
            if (scope == null) {
                refused.incrementAndGet();
                answer(ex, 400, "{\"error\":\"invalid_grant\",\"error_description\":\"Invalid JWT Signature.\"}");
                return;
            }
            scopes.add(scope);
            granted.incrementAndGet();
            answer(ex, 200, "{\"access_token\":\"" + accessToken + "\",\"expires_in\":3599,"
                    + "\"token_type\":\"Bearer\"}");
        } finally {
            ex.close();
        }
    }

    /** The assertion's scope claim when the grant is valid, else null. */
    private String verify(Map<String, String> form) {
        if (!JWT_BEARER.equals(form.get("grant_type")) || form.get("assertion") == null) return null;
        try {
            JsonWebSignature jws = JsonWebSignature.parser(GsonFactory.getDefaultInstance())
                    .parse(form.get("assertion"));
            if (!"RS256".equals(jws.getHeader().getAlgorithm())) return null;
            if (!jws.verifySignature(trusted.getPublic())) return null;
            if (!CLIENT_EMAIL.equals(jws.getPayload().getIssuer())) return null;
            Long exp = jws.getPayload().getExpirationTimeSeconds();
            if (exp == null || exp * 1000 < System.currentTimeMillis()) return null;
            Object scope = jws.getPayload().get("scope");
            return scope == null ? "" : scope.toString();
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            return null;
        }
    }

    private static void answer(HttpExchange ex, int status, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        ex.sendResponseHeaders(status, body.length);
        ex.getResponseBody().write(body);
    }

    private static KeyPair rsa() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            return g.generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        new SecureRandom().nextBytes(b);
        return b;
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }

    @Override
    public String toString() {
        return "GcsTokenServer{" + tokenUri() + ", granted=" + granted + ", refused=" + refused + '}';
    }
}
