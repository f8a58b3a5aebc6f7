package io.polarway.source.http;

import io.polarway.api.Credentials;
import io.polarway.api.Secret;
import io.polarway.api.StatsRecorder;
import io.polarway.api.SourceConfig;
import io.polarway.config.Options;
import io.polarway.error.AuthException;
import io.polarway.format.TextFormats;
import io.polarway.source.http.StubServer.Req;
import io.polarway.source.http.StubServer.Resp;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The OAuth2 token lifecycle against a real token endpoint (WireMock), with the clock under the test's control. */
class OAuth2TokensTest extends WireMockReading {

    /** A clock the test moves. */
    static final class MutableClock extends Clock {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private static HttpTransport transport(Credentials c, MutableClock clock, Map<String, String> options) {
        HttpSourceFactory f = new HttpSourceFactory(TextFormats.of());
        SourceConfig config = SourceConfig.of(wm.url("/api")).withOptions(options).withCredentials(c);
        Options o = f.options().parse(config.options());
        return new HttpTransport(HttpSettings.from(config, o, TextFormats.of(), 1L << 30), c, new StatsRecorder(), clock);
    }

    private static OAuth2Tokens tokens(HttpTransport t) throws Exception {
        var field = HttpTransport.class.getDeclaredField("tokens");
        field.setAccessible(true);
        return (OAuth2Tokens) field.get(t);
    }

    @Test
    void aTokenIsCachedUntilShortlyBeforeItExpiresThenFetchedAgain() throws Exception {
        wm.stubSequence(Req.post("/token"), List.of(
                Resp.json("{\"access_token\": \"t1\", \"expires_in\": 100}"),
                Resp.json("{\"access_token\": \"t2\", \"expires_in\": 100}")));
        MutableClock clock = new MutableClock();
        try (HttpTransport t = transport(Credentials.OAuth2.clientCredentials(wm.url("/token"), "id", "sec", List.of()),
                clock, Map.of("oauth2_client_auth", "body"))) {
            OAuth2Tokens tokens = tokens(t);
            assertThat(tokens.token()).isEqualTo(Secret.of("t1"));
            clock.now = clock.now.plus(Duration.ofSeconds(89)); // lifetime 100 s, renewed 10 s early
            assertThat(tokens.token()).isEqualTo(Secret.of("t1"));
            assertThat(wm.received("/token")).hasSize(1);
            clock.now = clock.now.plus(Duration.ofSeconds(2));
            assertThat(tokens.token()).isEqualTo(Secret.of("t2"));
            assertThat(wm.received("/token")).hasSize(2);
            // client secret in the form (oauth2_client_auth=body), not in a header
            assertThat(wm.received("/token").get(0).body()).contains("client_id=id").contains("client_secret=sec");
            assertThat(wm.received("/token").get(0).header("authorization")).isNull();
        }
    }

    @Test
    void aGivenTokenIsRenewedWithItsRefreshToken() throws Exception {
        wm.stub(Req.post("/token"), Resp.json("{\"access_token\": \"fresh\", \"refresh_token\": \"r2\"}"));
        MutableClock clock = new MutableClock();
        try (HttpTransport t = transport(Credentials.OAuth2.token("stale", "r1", wm.url("/token"), "id"), clock, Map.of())) {
            OAuth2Tokens tokens = tokens(t);
            assertThat(tokens.token()).isEqualTo(Secret.of("stale"));
            assertThat(wm.received("/token")).isEmpty();
            tokens.invalidate(Secret.of("stale"));
            assertThat(tokens.token()).isEqualTo(Secret.of("fresh"));
            assertThat(wm.received("/token").get(0).body()).contains("grant_type=refresh_token").contains("refresh_token=r1");
        }
    }

    @Test
    void aTokenWithoutAWayToRenewItFailsWithAnAuthError() throws Exception {
        MutableClock clock = new MutableClock();
        try (HttpTransport t = transport(Credentials.OAuth2.token("only", null, null, null), clock, Map.of())) {
            OAuth2Tokens tokens = tokens(t);
            tokens.invalidate(Secret.of("only"));
            assertThatThrownBy(tokens::token).isInstanceOf(AuthException.class).hasMessageNotContaining("only");
        }
    }

    @Test
    void theTokenEndpointIsRetriedOn5xx() throws Exception {
        wm.stubSequence(Req.post("/token"), List.of(Resp.status(503),
                Resp.json("{\"access_token\": \"t\", \"expires_in\": \"3600\"}")));
        try (HttpTransport t = transport(Credentials.OAuth2.clientCredentials(wm.url("/token"), "id", "sec", List.of()),
                new MutableClock(), Map.of("retry_delay_ms", "1"))) {
            assertThat(tokens(t).token()).isEqualTo(Secret.of("t"));
            assertThat(wm.received("/token")).hasSize(2);
        }
    }
}
