package io.polarway.source.http;

import io.polarway.testkit.Backends;
import org.mockserver.configuration.ConfigurationProperties;
import org.mockserver.integration.ClientAndServer;
import org.mockserver.matchers.TimeToLive;
import org.mockserver.matchers.Times;
import org.mockserver.model.Header;
import org.mockserver.model.HttpRequest;
import org.mockserver.model.HttpResponse;
import org.mockserver.model.JsonBody;
import org.mockserver.model.Parameter;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** MockServer in the test JVM, bound to 127.0.0.1 only, never proxying unmatched requests. */
final class MockServerStubs implements StubServer {
    private final ClientAndServer server;

    MockServerStubs() {
        ConfigurationProperties.localBoundIP("127.0.0.1");
        ConfigurationProperties.attemptToProxyIfNoMatchingExpectation(false);
        ConfigurationProperties.logLevel("WARN");
        ConfigurationProperties.disableSystemOut(true);
        server = Backends.start("MockServer", () -> ClientAndServer.startClientAndServer(0));
    }

    @Override
    public String url(String pathAndQuery) {
        return "http://127.0.0.1:" + server.getPort() + pathAndQuery;
    }

    private static HttpRequest request(Req req) {
        HttpRequest r = HttpRequest.request().withMethod(req.method()).withPath(req.path());
        req.query().forEach(r::withQueryStringParameter);
        req.headers().forEach(r::withHeader);
        if (req.jsonBody() != null) r.withBody(JsonBody.json(req.jsonBody(), org.mockserver.matchers.MatchType.STRICT)); // exact, as WireMock's equalToJson
        return r;
    }

    private static HttpResponse response(Resp resp) {
        HttpResponse r = HttpResponse.response().withStatusCode(resp.status());
        resp.headers().forEach(r::withHeader);
        if (resp.body() != null) r.withBody(resp.body());
        return r;
    }

    @Override
    public void stub(Req req, Resp resp) {
        server.when(request(req), Times.unlimited(), TimeToLive.unlimited(), req.specificity()).respond(response(resp));
    }

    @Override
    public void stubSequence(Req req, List<Resp> responses) {
        // expectations of equal priority match in the order they were added; used-up ones drop out
        for (int i = 0; i < responses.size(); i++) {
            Times times = i + 1 < responses.size() ? Times.once() : Times.unlimited();
            server.when(request(req), times, TimeToLive.unlimited(), req.specificity()).respond(response(responses.get(i)));
        }
    }

    @Override
    public List<Recorded> received(String path) {
        List<Recorded> out = new ArrayList<>();
        for (HttpRequest r : server.retrieveRecordedRequests(HttpRequest.request().withPath(path))) {
            Map<String, String> query = new LinkedHashMap<>();
            for (Parameter p : r.getQueryStringParameterList()) query.put(p.getName().getValue(), p.getValues().get(0).getValue());
            Map<String, String> headers = new LinkedHashMap<>();
            for (Header h : r.getHeaderList()) {
                headers.put(h.getName().getValue().toLowerCase(Locale.ROOT), h.getValues().get(0).getValue());
            }
            out.add(new Recorded(r.getMethod().getValue(), r.getPath().getValue(), query, headers, r.getBodyAsString(), 0));
        }
        return out;
    }

    @Override
    public void reset() {
        server.reset();
    }

    @Override
    public void close() {
        server.stop();
    }
}
