package io.polarway.source.http;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.client.ScenarioMappingBuilder;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.http.HttpHeader;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.polarway.testkit.Backends;

import java.net.URI;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

/** WireMock in the test JVM, bound to 127.0.0.1 on a free port. */
final class WireMockStubs implements StubServer {
    private static final AtomicInteger SCENARIOS = new AtomicInteger();
    final WireMockServer server;

    WireMockStubs() {
        server = Backends.start("WireMock", () -> {
            WireMockServer s = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort()
                    .gzipDisabled(true));
            s.start();
            return s;
        });
    }

    int port() {
        return server.port();
    }

    @Override
    public String url(String pathAndQuery) {
        return "http://127.0.0.1:" + server.port() + pathAndQuery;
    }

    private static MappingBuilder mapping(Req req) {
        MappingBuilder m = WireMock.request(req.method(), WireMock.urlPathEqualTo(req.path()));
        req.query().forEach((k, v) -> m.withQueryParam(k, WireMock.equalTo(v)));
        req.headers().forEach((k, v) -> m.withHeader(k, WireMock.equalTo(v)));
        if (req.jsonBody() != null) m.withRequestBody(WireMock.equalToJson(req.jsonBody()));
        return m.atPriority(Math.max(1, 10 - req.specificity())); // 1 is the highest priority
    }

    static ResponseDefinitionBuilder response(Resp resp) {
        ResponseDefinitionBuilder r = WireMock.aResponse().withStatus(resp.status());
        resp.headers().forEach(r::withHeader);
        if (resp.body() != null) r.withBody(resp.body());
        return r;
    }

    @Override
    public void stub(Req req, Resp resp) {
        server.stubFor(mapping(req).willReturn(response(resp)));
    }

    /** Stubs with a full WireMock response (faults, delays). */
    void stub(Req req, ResponseDefinitionBuilder response) {
        server.stubFor(mapping(req).willReturn(response));
    }

    @Override
    public void stubSequence(Req req, List<Resp> responses) {
        List<ResponseDefinitionBuilder> list = new ArrayList<>();
        for (Resp r : responses) list.add(response(r));
        stubSequenceOf(req, list);
    }

    /** A WireMock scenario: each response once, in order; the last one repeats. */
    void stubSequenceOf(Req req, List<ResponseDefinitionBuilder> responses) {
        String scenario = "seq-" + SCENARIOS.incrementAndGet();
        for (int i = 0; i < responses.size(); i++) {
            String state = i == 0 ? Scenario.STARTED : "s" + i;
            ScenarioMappingBuilder m = mapping(req).inScenario(scenario).whenScenarioStateIs(state);
            if (i + 1 < responses.size()) m = m.willSetStateTo("s" + (i + 1));
            server.stubFor(m.willReturn(responses.get(i)));
        }
    }

    @Override
    public List<Recorded> received(String path) {
        List<Recorded> out = new ArrayList<>();
        List<ServeEvent> events = new ArrayList<>(server.getAllServeEvents());
        events.sort(Comparator.comparing(e -> e.getRequest().getLoggedDate()));
        for (ServeEvent e : events) {
            LoggedRequest r = e.getRequest();
            URI u = URI.create(r.getUrl());
            if (!u.getPath().equals(path)) continue;
            Map<String, String> query = new LinkedHashMap<>();
            r.getQueryParams().forEach((k, v) -> query.put(k, v.firstValue()));
            Map<String, String> headers = new LinkedHashMap<>();
            for (HttpHeader h : r.getHeaders().all()) headers.put(h.key().toLowerCase(Locale.ROOT), h.firstValue());
            out.add(new Recorded(r.getMethod().getName(), u.getPath(), query, headers, r.getBodyAsString(),
                    r.getLoggedDate().getTime()));
        }
        return out;
    }

    @Override
    public void reset() {
        server.resetAll();
    }

    @Override
    public void close() {
        server.stop();
    }
}
