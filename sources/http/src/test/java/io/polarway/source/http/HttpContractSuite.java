package io.polarway.source.http;

import io.polarway.api.Credentials;
import io.polarway.api.SourceConfig;
import io.polarway.error.AuthException;
import io.polarway.source.http.StubServer.Recorded;
import io.polarway.source.http.StubServer.Req;
import io.polarway.source.http.StubServer.Resp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The http source's contract, run against every stub server: each pagination scheme reads every record exactly once
 * with exactly the requests it needs, each auth scheme puts its credentials where the API expects them, and OAuth2
 * tokens are fetched once, reused, and renewed once on 401.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS) // one instance per class, so that @BeforeAll may call start()
abstract class HttpContractSuite {
    protected Reading reading;
    private StubServer server;

    /** Starts the server under test (once per class, stopped after it). */
    protected abstract StubServer start();

    @BeforeAll
    void startServer() {
        server = start();
    }

    @AfterAll
    void stopServer() {
        if (server != null) server.close();
    }

    protected StubServer stubs() {
        return server;
    }

    @BeforeEach
    void setUpReading() {
        stubs().reset();
        reading = new Reading();
    }

    @AfterEach
    void closeReading() {
        reading.close();
    }

    private SourceConfig config(String pathAndQuery) {
        return SourceConfig.of(stubs().url(pathAndQuery)).withOption("retry_delay_ms", "1");
    }

    @Test
    void linkHeaderPaginationFollowsRelNextAbsoluteAndRelative() {
        StubServer s = stubs();
        s.stub(Req.get("/items"), Resp.json(Reading.records(0, 10))
                .header("Link", "<" + s.url("/items?page=2") + ">; rel=\"next\", <" + s.url("/items?page=3")
                        + ">; rel=\"last\""));
        s.stub(Req.get("/items").query("page", "2"), Resp.json(Reading.records(10, 20))
                .header("Link", "</items?page=1>; rel=\"prev first\", </items?page=3>; rel=\"next last\""));
        s.stub(Req.get("/items").query("page", "3"), Resp.json(Reading.records(20, 25))
                .header("Link", "</items?page=2>; rel=\"prev\""));

        Reading.Result r = reading.readAll(config("/items"), 7);
        assertThat(r.ids()).containsExactlyElementsOf(Reading.range(0, 25));
        assertThat(s.received("/items")).extracting(rec -> rec.query().get("page")).containsExactly(null, "2", "3");
        assertThat(r.counter("http_pages")).isEqualTo(3);
    }

    @Test
    void nextUrlInTheBodyBeforeOrAfterTheRecords() {
        StubServer s = stubs();
        s.stub(Req.get("/v1/things"), Resp.json("{\"links\": {\"next\": \"/v1/things?after=10\"}, \"data\": "
                + Reading.records(0, 10) + "}"));
        s.stub(Req.get("/v1/things").query("after", "10"), Resp.json("{\"data\": " + Reading.records(10, 20)
                + ", \"links\": {\"self\": \"x\", \"next\": \"" + s.url("/v1/things?after=20") + "\"}}"));
        s.stub(Req.get("/v1/things").query("after", "20"), Resp.json("{\"data\": " + Reading.records(20, 22)
                + ", \"links\": {\"next\": null}}"));

        Reading.Result r = reading.readAll(config("/v1/things").withOption("pagination", "next_url")
                .withOption("records_pointer", "/data").withOption("next_url_pointer", "/links/next"), 100);
        assertThat(r.ids()).containsExactlyElementsOf(Reading.range(0, 22));
        assertThat(s.received("/v1/things")).hasSize(3);
    }

    @Test
    void cursorInTheQueryStopsWhenTheCursorIsMissing() {
        StubServer s = stubs();
        s.stub(Req.get("/events"), Resp.json("{\"items\": " + Reading.records(0, 5)
                + ", \"meta\": {\"next_cursor\": \"c1\"}}"));
        s.stub(Req.get("/events").query("after", "c1"), Resp.json("{\"items\": " + Reading.records(5, 10)
                + ", \"meta\": {\"next_cursor\": \"c2\"}}"));
        s.stub(Req.get("/events").query("after", "c2"), Resp.json("{\"items\": " + Reading.records(10, 12)
                + ", \"meta\": {}}"));

        Reading.Result r = reading.readAll(config("/events").withOption("pagination", "cursor")
                .withOption("records_pointer", "/items").withOption("cursor_pointer", "/meta/next_cursor")
                .withOption("cursor_param", "after"), 4);
        assertThat(r.ids()).containsExactlyElementsOf(Reading.range(0, 12));
        assertThat(s.received("/events")).extracting(rec -> rec.query().get("after")).containsExactly(null, "c1", "c2");
    }

    @Test
    void cursorInThePostBodyOfASearchEndpoint() {
        StubServer s = stubs();
        s.stub(Req.post("/search").body("{\"q\": \"shoes\"}"), Resp.json("{\"results\": " + Reading.records(0, 3)
                + ", \"next\": \"n1\"}"));
        s.stub(Req.post("/search").body("{\"q\": \"shoes\", \"start_cursor\": \"n1\"}"),
                Resp.json("{\"results\": " + Reading.records(3, 6) + ", \"next\": null}"));

        Reading.Result r = reading.readAll(config("/search").withOption("method", "post")
                .withOption("body", "{\"q\": \"shoes\"}").withOption("pagination", "cursor")
                .withOption("pagination_params_in", "body").withOption("cursor_param", "start_cursor")
                .withOption("cursor_pointer", "/next").withOption("records_pointer", "/results"), 100);
        assertThat(r.ids()).containsExactlyElementsOf(Reading.range(0, 6));
        List<Recorded> got = s.received("/search");
        assertThat(got).hasSize(2);
        assertThat(got.get(0).header("content-type")).startsWith("application/json");
    }

    @Test
    void pageNumbersStopAtTheFirstEmptyPage() {
        StubServer s = stubs();
        for (int p = 1; p <= 3; p++) {
            s.stub(Req.get("/list").query("page", "" + p).query("per_page", "10"),
                    Resp.json(Reading.records((p - 1) * 10, p * 10)));
        }
        s.stub(Req.get("/list").query("page", "4"), Resp.json("[]"));

        Reading.Result r = reading.readAll(config("/list").withOption("pagination", "page")
                .withOption("page_size", "10"), 25);
        assertThat(r.ids()).containsExactlyElementsOf(Reading.range(0, 30));
        assertThat(s.received("/list")).extracting(rec -> rec.query().get("page")).containsExactly("1", "2", "3", "4");
    }

    @Test
    void offsetsAdvanceByTheRecordsReceivedWhenTheServerCapsTheLimit() {
        StubServer s = stubs();
        // asked for 50 per page, the server sends at most 30: nothing may be skipped
        for (int o = 0; o < 90; o += 30) {
            s.stub(Req.get("/rows").query("offset", "" + o).query("limit", "50"), Resp.json(Reading.records(o, o + 30)));
        }
        s.stub(Req.get("/rows").query("offset", "90").query("limit", "50"), Resp.json("[]"));

        Reading.Result r = reading.readAll(config("/rows").withOption("pagination", "offset")
                .withOption("page_size", "50"), 1000);
        assertThat(r.ids()).containsExactlyElementsOf(Reading.range(0, 90));
        assertThat(s.received("/rows")).extracting(rec -> rec.query().get("offset"))
                .containsExactly("0", "30", "60", "90");
    }

    @Test
    void customPageParameterNamesAndFirstPageNumber() {
        StubServer s = stubs();
        // the server knows p (from 0) and size only: with the default names (page from 1, per_page) nothing matches
        s.stub(Req.get("/list").query("p", "0").query("size", "10"), Resp.json(Reading.records(0, 10)));
        s.stub(Req.get("/list").query("p", "1").query("size", "10"), Resp.json(Reading.records(10, 20)));
        s.stub(Req.get("/list").query("p", "2").query("size", "10"), Resp.json(Reading.records(20, 25)));
        s.stub(Req.get("/list").query("p", "3").query("size", "10"), Resp.json("[]"));

        Reading.Result r = reading.readAll(config("/list").withOption("pagination", "page")
                .withOption("page_param", "p").withOption("page_start", "0").withOption("page_size_param", "size")
                .withOption("page_size", "10"), 100);
        assertThat(r.ids()).containsExactlyElementsOf(Reading.range(0, 25));
        // exactly these parameters, on every page: no default name sent besides the custom one
        assertThat(s.received("/list")).extracting(Recorded::query).containsExactly(
                Map.of("p", "0", "size", "10"), Map.of("p", "1", "size", "10"), Map.of("p", "2", "size", "10"),
                Map.of("p", "3", "size", "10"));
    }

    @Test
    void customOffsetParameterNames() {
        StubServer s = stubs();
        // the server knows skip and take only: with the default names (offset, limit) nothing matches
        s.stub(Req.get("/rows").query("skip", "0").query("take", "20"), Resp.json(Reading.records(0, 20)));
        s.stub(Req.get("/rows").query("skip", "20").query("take", "20"), Resp.json(Reading.records(20, 35)));
        s.stub(Req.get("/rows").query("skip", "35").query("take", "20"), Resp.json("[]"));

        Reading.Result r = reading.readAll(config("/rows").withOption("pagination", "offset")
                .withOption("offset_param", "skip").withOption("page_size_param", "take")
                .withOption("page_size", "20"), 100);
        assertThat(r.ids()).containsExactlyElementsOf(Reading.range(0, 35));
        assertThat(s.received("/rows")).extracting(Recorded::query).containsExactly(
                Map.of("skip", "0", "take", "20"), Map.of("skip", "20", "take", "20"), Map.of("skip", "35", "take", "20"));
    }

    @Test
    void extraQueryParametersGoOnEveryPageTheSourceBuilds() {
        StubServer s = stubs();
        // sort is also in the location: the query option replaces it; a value with a space and & stays one value
        s.stub(Req.get("/events").query("sort", "desc").query("q", "red shoes & more").query("fixed", "1"),
                Resp.json("{\"items\": " + Reading.records(0, 3) + ", \"next\": \"c1\"}"));
        s.stub(Req.get("/events").query("sort", "desc").query("q", "red shoes & more").query("fixed", "1")
                .query("cursor", "c1"), Resp.json("{\"items\": " + Reading.records(3, 6) + ", \"next\": null}"));

        Reading.Result r = reading.readAll(config("/events?fixed=1&sort=asc").withOption("pagination", "cursor")
                .withOption("records_pointer", "/items").withOption("cursor_pointer", "/next")
                .withOption("query", "{\"sort\": \"desc\", \"q\": \"red shoes & more\"}"), 100);
        assertThat(r.ids()).containsExactlyElementsOf(Reading.range(0, 6));
        // the cursor page is built from the first page's request, so it keeps the extra parameters
        assertThat(s.received("/events")).extracting(Recorded::query).containsExactly(
                Map.of("fixed", "1", "sort", "desc", "q", "red shoes & more"),
                Map.of("fixed", "1", "sort", "desc", "q", "red shoes & more", "cursor", "c1"));
    }

    @Test
    void extraQueryParametersInTheAmpersandFormAndANextLinkFollowedAsGiven() {
        StubServer s = stubs();
        s.stub(Req.get("/feed").query("api_version", "2").query("lang", "en"), Resp.json(Reading.records(0, 2))
                .header("Link", "</feed?token=t2>; rel=\"next\""));
        s.stub(Req.get("/feed").query("token", "t2"), Resp.json(Reading.records(2, 4)));

        Reading.Result r = reading.readAll(config("/feed").withOption("query", "api_version=2&lang=en"), 100);
        assertThat(r.ids()).containsExactly(0L, 1L, 2L, 3L);
        // a next link is the server's whole URL for the next page (it may be signed or carry its own state): the
        // source sends it as it is, adding nothing, so the extra parameters are on the first page only
        assertThat(s.received("/feed")).extracting(Recorded::query).containsExactly(
                Map.of("api_version", "2", "lang", "en"), Map.of("token", "t2"));
    }

    private void protectedEndpoint(Req authorized) {
        stubs().stub(Req.get("/private"), Resp.status(401));
        stubs().stub(authorized, Resp.json(Reading.records(0, 3)));
    }

    @Test
    void bearerToken() {
        protectedEndpoint(Req.get("/private").header("Authorization", "Bearer tok-123"));
        Reading.Result r = reading.readAll(config("/private").withCredentials(Credentials.Bearer.of("tok-123")), 10);
        assertThat(r.ids()).containsExactly(0L, 1L, 2L);
    }

    @Test
    void basicAuth() {
        String expected = Base64.getEncoder().encodeToString("user:pass".getBytes(StandardCharsets.UTF_8));
        protectedEndpoint(Req.get("/private").header("Authorization", "Basic " + expected));
        Reading.Result r = reading.readAll(config("/private").withCredentials(Credentials.Basic.of("user", "pass")), 10);
        assertThat(r.ids()).containsExactly(0L, 1L, 2L);
    }

    @Test
    void apiKeyInAHeader() {
        protectedEndpoint(Req.get("/private").header("X-Api-Token", "k-999"));
        Reading.Result r = reading.readAll(config("/private")
                .withCredentials(Credentials.ApiKey.header("X-Api-Token", "k-999")), 10);
        assertThat(r.ids()).containsExactly(0L, 1L, 2L);
    }

    @Test
    void apiKeyInTheQuery() {
        protectedEndpoint(Req.get("/private").query("api_key", "k-999"));
        Reading.Result r = reading.readAll(config("/private")
                .withCredentials(Credentials.ApiKey.query("api_key", "k-999")), 10);
        assertThat(r.ids()).containsExactly(0L, 1L, 2L);
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private Credentials oauth2() {
        return Credentials.OAuth2.clientCredentials(stubs().url("/oauth/token"), "client", "s3cret", List.of("read"));
    }

    @Test
    void oauth2TokenIsFetchedOnceAndReusedAcrossPages() {
        StubServer s = stubs();
        s.stub(Req.post("/oauth/token").header("Authorization", basic("client", "s3cret")),
                Resp.json("{\"access_token\": \"at-1\", \"token_type\": \"Bearer\", \"expires_in\": 3600}"));
        s.stub(Req.get("/api"), Resp.status(401));
        s.stub(Req.get("/api").header("Authorization", "Bearer at-1"), Resp.json(Reading.records(0, 5))
                .header("Link", "</api?p=2>; rel=\"next\""));
        s.stub(Req.get("/api").query("p", "2").header("Authorization", "Bearer at-1"), Resp.json(Reading.records(5, 10)));

        Reading.Result r = reading.readAll(config("/api").withCredentials(oauth2()), 100);
        assertThat(r.ids()).containsExactlyElementsOf(Reading.range(0, 10));
        List<Recorded> tokenRequests = s.received("/oauth/token");
        assertThat(tokenRequests).hasSize(1);
        assertThat(tokenRequests.get(0).body()).contains("grant_type=client_credentials").contains("scope=read")
                .doesNotContain("s3cret");
        assertThat(s.received("/api")).hasSize(2);
        assertThat(r.counter("oauth2_token_requests")).isEqualTo(1);
    }

    @Test
    void oauth2RenewsTheTokenOnceWhenTheApiRejectsIt() {
        StubServer s = stubs();
        s.stubSequence(Req.post("/oauth/token"), List.of(
                Resp.json("{\"access_token\": \"old\", \"expires_in\": 3600}"),
                Resp.json("{\"access_token\": \"new\", \"expires_in\": 3600}")));
        s.stub(Req.get("/api"), Resp.status(401));
        s.stub(Req.get("/api").header("Authorization", "Bearer new"), Resp.json(Reading.records(0, 4)));

        Reading.Result r = reading.readAll(config("/api").withCredentials(oauth2()), 100);
        assertThat(r.ids()).containsExactly(0L, 1L, 2L, 3L);
        assertThat(s.received("/oauth/token")).hasSize(2);
        assertThat(s.received("/api")).extracting(rec -> rec.header("authorization"))
                .containsExactly("Bearer old", "Bearer new");
    }

    @Test
    void oauth2GivesUpAfterOneRenewal() {
        StubServer s = stubs();
        s.stub(Req.post("/oauth/token"), Resp.json("{\"access_token\": \"at\", \"expires_in\": 3600}"));
        s.stub(Req.get("/api"), Resp.status(401));

        assertThatThrownBy(() -> reading.readAll(config("/api").withCredentials(oauth2()), 100))
                .isInstanceOf(AuthException.class).hasMessageContaining("401")
                .hasMessageNotContaining("s3cret").hasMessageNotContaining("Bearer at");
        assertThat(s.received("/oauth/token")).hasSize(2);
        assertThat(s.received("/api")).hasSize(2);
    }

    @Test
    void oauth2TokenEndpointRejectionIsAnAuthErrorWithoutSecrets() {
        StubServer s = stubs();
        s.stub(Req.post("/oauth/token"), new Resp(401, java.util.Map.of("Content-Type", "application/json"),
                "{\"error\": \"invalid_client\"}"));
        assertThatThrownBy(() -> reading.readAll(config("/api").withCredentials(oauth2()), 100))
                .isInstanceOf(AuthException.class).hasMessageContaining("invalid_client")
                .hasMessageNotContaining("s3cret");
        assertThat(s.received("/oauth/token")).hasSize(1); // a rejection is not retried
        assertThat(s.received("/api")).isEmpty();
    }
}
