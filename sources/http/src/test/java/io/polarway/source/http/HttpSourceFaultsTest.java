package io.polarway.source.http;

import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.http.Fault;
import io.polarway.api.SourceConfig;
import io.polarway.error.AuthException;
import io.polarway.error.ConnectorException;
import io.polarway.error.NetworkException;
import io.polarway.error.ParseException;
import io.polarway.error.Where;
import io.polarway.source.http.StubServer.Recorded;
import io.polarway.source.http.StubServer.Req;
import io.polarway.source.http.StubServer.Resp;
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
class HttpSourceFaultsTest extends WireMockReading {

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
    void aBadRequestAndAForbiddenAreNotRetriedAndNameTheUrl() {
        // 400: the request is wrong, 403: the credentials are not enough; another try gives the same answer
        wm.stub(Req.get("/bad"), status(400));
        String bad = wm.url("/bad?q=1");
        assertThatThrownBy(() -> reading.readAll(config("/bad?q=1"), 10))
                .isInstanceOfSatisfying(ConnectorException.class, e -> {
                    assertThat(e.isRetryable()).isFalse();
                    assertThat(e.where().orElseThrow().resource()).isEqualTo(bad);
                })
                .hasMessageContaining("HTTP 400").hasMessageContaining(bad).hasMessageNotContaining("attempts");
        assertThat(wm.received("/bad")).hasSize(1);

        wm.stub(Req.get("/forbidden"), status(403));
        String forbidden = wm.url("/forbidden");
        assertThatThrownBy(() -> reading.readAll(config("/forbidden")
                .withCredentials(io.polarway.api.Credentials.Bearer.of("tok")), 10))
                .isInstanceOfSatisfying(AuthException.class, e -> {
                    assertThat(e.isRetryable()).isFalse();
                    assertThat(e.where().orElseThrow().resource()).isEqualTo(forbidden);
                })
                .hasMessageContaining("HTTP 403").hasMessageContaining(forbidden).hasMessageNotContaining("attempts");
        assertThat(wm.received("/forbidden")).hasSize(1);
    }

    @Test
    void retryDelaysGrowByTheMultiplier() {
        wm.stubSequence(Req.get("/backoff"), List.of(status(503), status(503), status(503),
                Resp.json(Reading.records(0, 2))));
        Reading.Result r = reading.readAll(config("/backoff").withOption("retry_delay_ms", "100")
                .withOption("retry_multiplier", "2").withOption("retry_attempts", "3"), 10);
        assertThat(r.ids()).containsExactly(0L, 1L);
        List<Long> gaps = gaps(wm.received("/backoff"));
        // 100, 200, 400 ms: a sleep is never shorter (5 ms for the journal's millisecond dates); the upper bounds are
        // loose for a loaded machine, yet a constant delay (100, 100, 100) fails the lower ones and a delay squared
        // (100, 400, 1600) the upper ones
        assertThat(gaps).hasSize(3);
        assertThat(gaps.get(0)).isBetween(95L, 100L + 500);
        assertThat(gaps.get(1)).isBetween(195L, 200L + 500);
        assertThat(gaps.get(2)).isBetween(395L, 400L + 500);
        assertThat(r.counter("http_retries")).isEqualTo(3);
    }

    @Test
    void retryDelaysStopGrowingAtTheMaximumDelay() {
        wm.stubSequence(Req.get("/backoff"), List.of(status(503), status(503), status(503),
                Resp.json(Reading.records(0, 2))));
        reading.readAll(config("/backoff").withOption("retry_delay_ms", "100").withOption("retry_multiplier", "10")
                .withOption("retry_max_delay_ms", "150"), 10);
        List<Long> gaps = gaps(wm.received("/backoff"));
        // 100, then 1000 and 10000 capped to 150
        assertThat(gaps).hasSize(3);
        assertThat(gaps.get(0)).isBetween(95L, 100L + 500);
        assertThat(gaps.get(1)).isBetween(145L, 150L + 500);
        assertThat(gaps.get(2)).isBetween(145L, 150L + 500);
    }

    /** Milliseconds between consecutive requests, as the server logged them. */
    private static List<Long> gaps(List<Recorded> got) {
        List<Long> out = new java.util.ArrayList<>();
        for (int i = 1; i < got.size(); i++) out.add(got.get(i).atMillis() - got.get(i - 1).atMillis());
        return out;
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

    /**
     * Reads {@code pages} pages of 10 records, chained by Link headers, under a rate limit, the first page answered
     * after {@code firstDelayMs}; returns the arrival times in milliseconds after the first request.
     */
    private List<Long> readRateLimited(String path, int pages, int firstDelayMs, int rps, int burst) {
        for (int p = 1; p <= pages; p++) {
            Resp page = Resp.json(Reading.records(p * 10, p * 10 + 10));
            if (p < pages) page = page.header("Link", "<" + path + "?p=" + (p + 1) + ">; rel=\"next\"");
            wm.stub(p == 1 ? Req.get(path) : Req.get(path).query("p", "" + p),
                    WireMockStubs.response(page).withFixedDelay(p == 1 ? firstDelayMs : 0));
        }
        Reading.Result r = reading.readAll(config(path).withOption("rate_limit_rps", "" + rps)
                .withOption("rate_limit_burst", "" + burst), 1000);
        assertThat(r.rows()).hasSize(pages * 10);
        assertThat(r.counter("rate_limit_wait_ms")).isPositive();
        List<Recorded> got = wm.received(path);
        assertThat(got).hasSize(pages);
        return got.stream().map(rec -> rec.atMillis() - got.get(0).atMillis()).toList();
    }

    /**
     * The rate limit's contract, checked on every interval between two arrivals: requests {@code a+1..b} took their
     * permits within it (each page's request waits for the page before it, so its permit follows the previous arrival),
     * so it holds at most {@code burst} plus {@code rps} per second of its length, plus request {@code a}. A slow machine
     * only spreads requests out, so this holds under any load; 2 ms cover the journal's millisecond dates.
     */
    private static void assertBurstPlusRate(List<Long> at, int burst, double rps) {
        for (int a = 0; a < at.size(); a++) {
            for (int b = a + 1; b < at.size(); b++) {
                long ms = at.get(b) - at.get(a);
                assertThat((double) (b - a + 1)).as("requests %d to %d arrived within %d ms: %s", a + 1, b + 1, ms, at)
                        .isLessThanOrEqualTo(1 + burst + rps * (ms + 2) / 1000.0);
            }
        }
    }

    @Test
    void theRateLimitLetsABurstGoAtOnceThenKeepsTheRate() {
        List<Long> at = readRateLimited("/paged", 10, 0, 4, 4);
        // the first 4 wait only for each other's pages; spaced at 4/s they would span 750 ms
        assertThat(at.get(3)).as("%s", at).isLessThan(400);
        // requests 2 to 10 asked after the first arrived: 4 of them from the bucket, 5 at 4/s, so 1.25 s at least
        // however fast the server (a limiter that ignored the rate, or gave 5 at once, would be faster)
        assertThat(at.get(9)).as("%s", at).isGreaterThanOrEqualTo(1_250 - 2);
        assertBurstPlusRate(at, 4, 4);
    }

    @Test
    void aBurstAfterASlowPageStillKeepsToBurstPlusRate() {
        // permits refill while the first page is slow, up to the burst and no further: after it, 10 requests go at
        // once and the rest at 5/s. A limiter that hands out `burst` permits per fixed period (burst / rps = 2 s)
        // lets the 9 permits left in the period the slow page ended in go, then a whole new burst when the period
        // ends: 19 requests within a second, which an API limiting with a token bucket answers with 429
        List<Long> at = readRateLimited("/slow-first", 20, 1_000, 5, 10);
        assertBurstPlusRate(at, 10, 5);
        // the 19 requests after the first: 10 from the refilled bucket, 9 at 5/s
        assertThat(at.get(19)).as("%s", at).isGreaterThanOrEqualTo(1_800 - 2);
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
