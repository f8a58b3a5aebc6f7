package io.polarway.source.http;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Pure logic: Link headers, URL origins and redaction, the streaming body walker, the loop-guard key, the rate limit. */
class HttpPartsTest {

    @Test
    void linkHeadersFollowRfc8288() {
        List<String> h = List.of("<https://a/x?p=1>; rel=\"prev\", <https://a/x?p=3,4;5>; rel=\"next last\"; title=\"a, b\"");
        assertThat(LinkHeader.find(h, "next")).isEqualTo("https://a/x?p=3,4;5");
        assertThat(LinkHeader.find(h, "NEXT")).isEqualTo("https://a/x?p=3,4;5");
        assertThat(LinkHeader.find(h, "prev")).isEqualTo("https://a/x?p=1");
        assertThat(LinkHeader.find(List.of("<u>; rel=next"), "next")).isEqualTo("u");
        assertThat(LinkHeader.find(List.of("<u>; rel=\"nextpage\""), "next")).isNull();
        assertThat(LinkHeader.find(List.of("garbage", "<v>; rel=\"next\""), "next")).isEqualTo("v");
        assertThat(LinkHeader.find(List.of(), "next")).isNull();
    }

    @Test
    void originsCompareSchemeHostAndPort() {
        URI a = URI.create("http://127.0.0.1:8080/x");
        assertThat(Urls.sameOrigin(a, URI.create("http://127.0.0.1:8080/y?z"))).isTrue();
        assertThat(Urls.sameOrigin(a, URI.create("http://localhost:8080/x"))).isFalse();
        assertThat(Urls.sameOrigin(a, URI.create("http://127.0.0.1:8081/x"))).isFalse();
        assertThat(Urls.sameOrigin(a, URI.create("https://127.0.0.1:8080/x"))).isFalse();
        assertThat(Urls.sameOrigin(URI.create("https://h/x"), URI.create("https://H:443/y"))).isTrue();
    }

    @Test
    void redactionMasksSecretParametersAndUserInfo() {
        URI u = URI.create("https://me:pw@api.example/v1?page=2&api_key=k1&access_token=t&custom=c");
        assertThat(Urls.redact(u, Set.of("custom")))
                .isEqualTo("https://api.example/v1?page=2&api_key=****&access_token=****&custom=****");
    }

    private static List<Object> walk(String body, String pointer, List<String> capture, Map<String, Object> captured)
            throws Exception {
        List<Object> out = new ArrayList<>();
        try (JsonBodyReader r = new JsonBodyReader(new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)),
                pointer, capture, false)) {
            for (Map<String, Object> m = r.next(); m != null; m = r.next()) out.add(m.get("id"));
            captured.putAll(r.captured());
        }
        return out;
    }

    @Test
    void theBodyWalkerFindsRecordsAndCapturesValuesAnywhere() throws Exception {
        Map<String, Object> captured = new java.util.HashMap<>();
        String body = "{\"meta\": {\"next\": \"n1\", \"skip\": [1, {\"a\": 2}]}, \"x\": [[1]], "
                + "\"data\": {\"items\": [{\"id\": 1}, {\"id\": 2, \"data\": {\"items\": 5}}]}, \"more\": false}";
        assertThat(walk(body, "/data/items", List.of("/meta/next", "/more", "/absent"), captured)).containsExactly(1L, 2L);
        assertThat(captured).containsEntry("/meta/next", "n1").containsEntry("/more", false).doesNotContainKey("/absent");
        assertThat(walk("[{\"id\": 7}]", "", List.of(), captured)).containsExactly(7L);
        assertThat(walk("{\"rows\": [[{\"id\": 1}], [{\"id\": 2}]]}", "/rows/1", List.of(), captured)).containsExactly(2L);
        assertThat(walk("{\"id\": 3}", "", List.of(), captured)).containsExactly(3L); // one object: one record
        assertThatThrownBy(() -> walk("[{\"id\": 1}] [{\"id\": 2}]", "", List.of(), captured))
                .hasMessageContaining("more than one JSON value");
    }

    @Test
    void jsonPointersUnescape() {
        assertThat(JsonBodyReader.segments("/a~1b/~0c/0")).containsExactly("a/b", "~c", "0");
        assertThat(JsonBodyReader.segments("")).isEmpty();
        assertThatThrownBy(() -> JsonBodyReader.segments("data")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theLoopGuardKeyCoversMethodUrlAndBody() {
        PageRequest a = new PageRequest("get", URI.create("http://h/x?c=1"), null, null);
        assertThat(a.key()).isEqualTo(new PageRequest("GET", URI.create("http://h/x?c=1"), null, null).key());
        assertThat(a.key()).isNotEqualTo(a.withQueryParam("c", "2").key());
        PageRequest p = new PageRequest("POST", URI.create("http://h/s"), "{\"q\":1}".getBytes(StandardCharsets.UTF_8), null);
        assertThat(p.key()).isNotEqualTo(p.withBodyField("cursor", "c").key());
        assertThat(new String(p.withBodyField("cursor", "c").body(), StandardCharsets.UTF_8))
                .isEqualTo("{\"q\":1,\"cursor\":\"c\"}");
        assertThat(p.idempotent()).isFalse();
        assertThat(a.idempotent()).isTrue();
    }

    @Test
    void theTokenBucketLetsTheBurstGoThenSpacesAndRefillsOnlyUpToTheBurst() {
        long[] now = {0};
        TokenBucket bucket = new TokenBucket(3, 10, () -> now[0]); // a permit per 100 ms
        assertThat(List.of(bucket.reserve(), bucket.reserve(), bucket.reserve())).containsOnly(0L);
        assertThat(bucket.reserve()).isEqualTo(100_000_000L); // promised ahead, in order
        assertThat(bucket.reserve()).isEqualTo(200_000_000L);
        now[0] = 200_000_000L; // both promised permits are used up: the bucket is empty, not refilled
        assertThat(bucket.reserve()).isEqualTo(100_000_000L);
        now[0] += 60_000_000_000L; // a minute's pause refills the burst, no more
        assertThat(List.of(bucket.reserve(), bucket.reserve(), bucket.reserve())).containsOnly(0L);
        assertThat(bucket.reserve()).isEqualTo(100_000_000L);
        now[0] += 50_000_000L; // half a permit later: the rest of the wait
        assertThat(bucket.reserve()).isEqualTo(150_000_000L);
    }

    @Test
    void credentialsFromOptionsReadTheSecretFromTheEnvironment() {
        var set = new HttpSourceFactory(io.polarway.format.TextFormats.of()).options();
        Map<String, String> env = Map.of("TOKEN", "t-1");
        assertThat(HttpSourceFactory.credentialsFromOptions(set.parse(Map.of("auth", "bearer", "auth_secret_env", "TOKEN")),
                env::get)).isEqualTo(io.polarway.api.Credentials.Bearer.of("t-1"));
        assertThat(HttpSourceFactory.credentialsFromOptions(set.parse(Map.of("auth", "api_key", "auth_secret_env", "TOKEN",
                "api_key_in", "query", "api_key_name", "key")), env::get))
                .isEqualTo(io.polarway.api.Credentials.ApiKey.query("key", "t-1"));
        assertThat(HttpSourceFactory.credentialsFromOptions(set.parse(Map.of("auth", "oauth2", "auth_secret_env", "TOKEN",
                "auth_user", "client", "oauth2_token_url", "http://h/t", "oauth2_scopes", "a,b")), env::get))
                .isInstanceOf(io.polarway.api.Credentials.OAuth2.class);
        assertThatThrownBy(() -> HttpSourceFactory.credentialsFromOptions(set.parse(Map.of("auth", "basic",
                "auth_secret_env", "MISSING")), env::get)).hasMessageContaining("MISSING");
        assertThatThrownBy(() -> HttpSourceFactory.credentialsFromOptions(set.parse(Map.of("auth", "basic",
                "auth_secret_env", "TOKEN")), env::get)).hasMessageContaining("auth_user");
        assertThat(HttpSourceFactory.credentialsFromOptions(set.parse(Map.of()), env::get))
                .isEqualTo(io.polarway.api.Credentials.none());
    }
}
