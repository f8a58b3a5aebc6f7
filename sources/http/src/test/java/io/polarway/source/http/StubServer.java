package io.polarway.source.http;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The little the contract suite needs from an HTTP stub server, so that the same tests run against WireMock and
 * MockServer (both real servers on 127.0.0.1, in the test JVM). A stub with more query/header/body constraints wins
 * over a less specific one for the same path, in both implementations.
 */
interface StubServer extends AutoCloseable {

    /** The absolute URL of {@code pathAndQuery} on this server, e.g. {@code http://127.0.0.1:P/items?x=1}. */
    String url(String pathAndQuery);

    /** Answers requests matching {@code req} with {@code resp}, forever. */
    void stub(Req req, Resp resp);

    /** Answers requests matching {@code req} with each response once, in order; the last one then repeats. */
    void stubSequence(Req req, List<Resp> responses);

    /** Requests received for {@code path} (any query), in arrival order. */
    List<Recorded> received(String path);

    /** Forgets stubs and received requests. */
    void reset();

    @Override
    void close();

    /** A request pattern: method, path, and exact query parameters, headers and JSON body where given. */
    record Req(String method, String path, Map<String, String> query, Map<String, String> headers, String jsonBody) {
        static Req get(String path) {
            return new Req("GET", path, Map.of(), Map.of(), null);
        }

        static Req post(String path) {
            return new Req("POST", path, Map.of(), Map.of(), null);
        }

        Req query(String name, String value) {
            Map<String, String> q = new LinkedHashMap<>(query);
            q.put(name, value);
            return new Req(method, path, q, headers, jsonBody);
        }

        Req header(String name, String value) {
            Map<String, String> h = new LinkedHashMap<>(headers);
            h.put(name, value);
            return new Req(method, path, query, h, jsonBody);
        }

        Req body(String json) {
            return new Req(method, path, query, headers, json);
        }

        int specificity() {
            return query.size() + headers.size() + (jsonBody == null ? 0 : 1);
        }
    }

    /** A canned answer. */
    record Resp(int status, Map<String, String> headers, String body) {
        static Resp json(String body) {
            return new Resp(200, Map.of("Content-Type", "application/json"), body);
        }

        static Resp status(int status) {
            return new Resp(status, Map.of("Content-Type", "application/json"), "{\"error\":\"stub\"}");
        }

        Resp header(String name, String value) {
            Map<String, String> h = new LinkedHashMap<>(headers);
            h.put(name, value);
            return new Resp(status, h, body);
        }
    }

    /** A request the server received. Header names are lower case. */
    record Recorded(String method, String path, Map<String, String> query, Map<String, String> headers, String body,
                    long atMillis) {
        String header(String name) {
            return headers.get(name.toLowerCase(java.util.Locale.ROOT));
        }
    }
}
