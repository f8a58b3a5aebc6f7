package io.polarway.source.http;

import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.http.Fault;
import io.polarway.api.SourceConfig;
import io.polarway.error.ConnectorException;
import io.polarway.error.NetworkException;
import io.polarway.error.ParseException;
import io.polarway.error.Where;
import io.polarway.source.http.StubServer.Recorded;
import io.polarway.source.http.StubServer.Req;
import io.polarway.source.http.StubServer.Resp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Flaky and hostile APIs, on WireMock: bursts of 503, 429 with Retry-After (seconds and dates), connection resets,
 * slow and stalled bodies, malformed JSON. Every record arrives exactly once and the number of requests (read from the
 * server's journal) is exactly what the retry settings allow.
 */
class HttpSourceFaultsTest {
    private static WireMockStubs wm;
    private Reading reading;

    @BeforeAll
    static void start() {
        wm = new WireMockStubs();
    }

    @AfterAll
    static void stop() {
        if (wm != null) wm.close();
    }

    @BeforeEach
    void setUp() {
        wm.reset();
        reading = new Reading();
    }

    @AfterEach
    void tearDown() {
        reading.close();
    }

    private static SourceConfig config(String path) {
        return SourceConfig.of(wm.url(path)).withOption("retry_delay_ms", "1").withOption("retry_jitter", "0");
    }

    private static Resp status(int code) {
        return Resp.status(code);
    }

    @Test
    void aBurstOf503IsRetriedAndEveryRecordArrivesOnce() {
        wm.stubSequence(Req.get("/items"), List.of(status(503), status(503), status(503),
                Resp.json(Reading.records(0, 20))));
        Reading.Result r = reading.readAll(config("/items"), 8);
        assertThat(r.ids()).containsExactlyElementsOf(Reading.range(0, 20));
        assertThat(wm.received("/items")).hasSize(4);
        assertThat(r.counter("http_retries")).isEqualTo(3);
    }

    @Test
    void retriesAreBoundedByRetryAttempts() {
        wm.stub(Req.get("/down"), status(503));
        assertThatThrownBy(() -> reading.readAll(config("/down").withOption("retry_attempts", "2"), 10))
                .isInstanceOfSatisfying(NetworkException.class, e -> assertThat(e.isRetryable()).isTrue())
                .hasMessageContaining("HTTP 503").hasMessageContaining("after 3 attempts");
        assertThat(wm.received("/down")).hasSize(3);
    }

    @Test
    void clientErrorsAreNeverRetried() {
        wm.stub(Req.get("/missing"), status(404));
        assertThatThrownBy(() -> reading.readAll(config("/missing"), 10))
                .isInstanceOfSatisfying(ConnectorException.class, e -> assertThat(e.isRetryable()).isFalse())
                .hasMessageContaining("HTTP 404");
        assertThat(wm.received("/missing")).hasSize(1);
    }

    @Test
    void retryAfterInSecondsIsHonoured() {
        wm.stubSequence(Req.get("/limited"), List.of(status(429).header("Retry-After", "1"),
                Resp.json(Reading.records(0, 3))));
        Reading.Result r = reading.readAll(config("/limited"), 10);
        assertThat(r.ids()).containsExactly(0L, 1L, 2L);
        List<Recorded> got = wm.received("/limited");
        assertThat(got).hasSize(2);
        // the backoff alone is 1 ms: only Retry-After explains a second's wait
        assertThat(got.get(1).atMillis() - got.get(0).atMillis()).isGreaterThanOrEqualTo(950);
    }

    @Test
    void retryAfterAsAnHttpDateIsHonoured() {
        String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(2));
        wm.stubSequence(Req.get("/limited"), List.of(status(503).header("Retry-After", date),
                Resp.json(Reading.records(0, 3))));
        Reading.Result r = reading.readAll(config("/limited"), 10);
        assertThat(r.ids()).containsExactly(0L, 1L, 2L);
        List<Recorded> got = wm.received("/limited");
        assertThat(got).hasSize(2);
        assertThat(got.get(1).atMillis() - got.get(0).atMillis()).isGreaterThanOrEqualTo(900); // whole seconds in the date
    }

    @Test
    void aRetryAfterLongerThanTheMaximumDelayFailsAtOnce() {
        wm.stub(Req.get("/quota"), status(429).header("Retry-After", "3600"));
        assertThatThrownBy(() -> reading.readAll(config("/quota"), 10))
                .isInstanceOf(NetworkException.class).hasMessageContaining("Retry-After")
                .hasMessageContaining("retry_max_delay_ms");
        assertThat(wm.received("/quota")).hasSize(1);
    }

    @Test
    void connectionResetsAndBrokenResponsesAreRetried() {
        wm.stubSequenceOf(Req.get("/flaky"), List.of(
                WireMock.aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER),
                WireMock.aResponse().withFault(Fault.EMPTY_RESPONSE),
                WireMock.aResponse().withFault(Fault.MALFORMED_RESPONSE_CHUNK),
                WireMockStubs.response(Resp.json(Reading.records(0, 50)))));
        Reading.Result r = reading.readAll(config("/flaky"), 16);
        assertThat(r.ids()).containsExactlyElementsOf(Reading.range(0, 50));
        assertThat(wm.received("/flaky")).hasSize(4);
    }

    @Test
    void aSlowBodyWithinTheTimeoutIsReadWhole() {
        wm.stub(Req.get("/slow"), WireMockStubs.response(Resp.json(Reading.records(0, 200)))
                .withChunkedDribbleDelay(20, 1_000));
        Reading.Result r = reading.readAll(config("/slow").withOption("timeout_ms", "5000"), 64);
        assertThat(r.ids()).containsExactlyElementsOf(Reading.range(0, 200));
        assertThat(wm.received("/slow")).hasSize(1);
    }

    @Test
    void aStalledResponseTimesOutAndIsRetried() {
        wm.stubSequenceOf(Req.get("/stall"), List.of(
                WireMockStubs.response(Resp.json(Reading.records(0, 10))).withFixedDelay(2_000),
                WireMockStubs.response(Resp.json(Reading.records(0, 10)))));
        long start = System.nanoTime();
        Reading.Result r = reading.readAll(config("/stall").withOption("timeout_ms", "300"), 64);
        assertThat(r.ids()).containsExactlyElementsOf(Reading.range(0, 10));
        assertThat(wm.received("/stall")).hasSize(2);
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(2_000); // did not wait for the stalled answer
    }

    @Test
    void malformedJsonIsAParseErrorNamingTheUrlPageAndOffset() {
        wm.stub(Req.get("/items"), Resp.json(Reading.records(0, 5)).header("Link", "</items?page=2>; rel=\"next\""));
        wm.stub(Req.get("/items").query("page", "2"), Resp.json("[{\"id\": 5}, {\"id\": 6,, \"x\": 1}]"));
        assertThatThrownBy(() -> reading.readAll(config("/items"), 3))
                .isInstanceOfSatisfying(ParseException.class, e -> {
                    Where w = e.where().orElseThrow();
                    assertThat(w.resource()).endsWith("/items?page=2");
                    assertThat(w.page()).isEqualTo(2);
                    assertThat(w.byteOffset()).isEqualTo(21); // the second ','
                    assertThat(e.isRetryable()).isFalse();
                })
                .hasMessageContaining("malformed JSON").hasMessageContaining("page 2");
        assertThat(wm.received("/items")).hasSize(2); // not retried
    }

    @Test
    void postIsNotRetriedUnlessAllowed() {
        wm.stubSequence(Req.post("/search"), List.of(status(503), Resp.json(Reading.records(0, 2))));
        SourceConfig post = config("/search").withOption("method", "post").withOption("body", "{}");
        assertThatThrownBy(() -> reading.readAll(post, 10)).isInstanceOf(NetworkException.class)
                .hasMessageContaining("retry_non_idempotent");
        assertThat(wm.received("/search")).hasSize(1);

        wm.reset();
        wm.stubSequence(Req.post("/search"), List.of(status(503), Resp.json(Reading.records(0, 2))));
        Reading.Result r = reading.readAll(post.withOption("retry_non_idempotent", "true"), 10);
        assertThat(r.ids()).containsExactly(0L, 1L);
        assertThat(wm.received("/search")).hasSize(2);
    }

    @Test
    void theRateLimitSpacesRequests() {
        int pages = 12;
        for (int p = 1; p <= pages; p++) {
            Resp page = Resp.json(Reading.records(p * 10, p * 10 + 10));
            if (p < pages) page = page.header("Link", "</paged?p=" + (p + 1) + ">; rel=\"next\"");
            wm.stub(p == 1 ? Req.get("/paged") : Req.get("/paged").query("p", "" + p), page);
        }
        Reading.Result r = reading.readAll(config("/paged").withOption("rate_limit_rps", "10")
                .withOption("rate_limit_burst", "3"), 1000);
        assertThat(r.rows()).hasSize(pages * 10);
        List<Recorded> got = wm.received("/paged");
        assertThat(got).hasSize(pages);
        // 12 requests at 10/s with bursts of 3: four windows of 0.3 s, so at least 0.9 s from first to last
        assertThat(got.get(pages - 1).atMillis() - got.get(0).atMillis()).isGreaterThanOrEqualTo(800);
        assertThat(r.counter("rate_limit_wait_ms")).isPositive();
    }

    @Test
    void aRepeatedNextLinkStopsTheStreamInsteadOfLooping() {
        wm.stub(Req.get("/loop"), Resp.json(Reading.records(0, 2)).header("Link", "</loop?a=1>; rel=\"next\""));
        wm.stub(Req.get("/loop").query("a", "1"), Resp.json(Reading.records(2, 4))
                .header("Link", "</loop?a=1>; rel=\"next\""));
        assertThatThrownBy(() -> reading.readAll(config("/loop"), 100)).isInstanceOf(ConnectorException.class)
                .hasMessageContaining("same page").hasMessageContaining("page 3");
        assertThat(wm.received("/loop")).hasSize(2);
    }

    @Test
    void maxPagesEndsAnEndlessApi() {
        wm.stub(Req.get("/endless"), Resp.json(Reading.records(0, 2)).header("Link", "</endless?n=2>; rel=\"next\""));
        for (int n = 2; n < 10; n++) {
            wm.stub(Req.get("/endless").query("n", "" + n), Resp.json(Reading.records(n * 2, n * 2 + 2))
                    .header("Link", "</endless?n=" + (n + 1) + ">; rel=\"next\""));
        }
        Reading.Result r = reading.readAll(config("/endless").withOption("max_pages", "3"), 100);
        assertThat(r.rows()).hasSize(6);
        assertThat(wm.received("/endless")).hasSize(3);
    }
}
