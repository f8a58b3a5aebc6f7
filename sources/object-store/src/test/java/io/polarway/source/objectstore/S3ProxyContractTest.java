package io.polarway.source.objectstore;

import io.polarway.api.Credentials;
import io.polarway.api.SourceConfig;
import io.polarway.error.AuthException;
import io.polarway.testkit.FaultProxy;
import io.polarway.testkit.FaultProxy.Fault;
import io.polarway.testkit.objectstore.S3ProxyServer;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The contract on S3Proxy (its own JVM, filesystem provider), S3 API over path-style HTTP; and STS session
 * credentials. S3Proxy checks the SigV4 signature (which covers the session token's {@code x-amz-security-token}
 * header) but not the token itself, and by default answers 501 to that header, which it does not implement; with
 * {@code s3proxy.ignore-unknown-headers=true} it serves such requests.
 */
class S3ProxyContractTest extends ObjectStoreContract {
    /** A made-up STS session token. */
    static final String SESSION_TOKEN = "IQoJb3JpZ2luX2VjEPolarwaySessionToken0123456789abcdefSecret";

    @Override
    StoreFixture startStore() {
        return StoreFixture.s3();
    }

    @Override
    String storeName() {
        return "S3Proxy";
    }

    static Credentials session(String secret) {
        return Credentials.Aws.of(S3ProxyServer.ACCESS_KEY, secret, "us-east-1", SESSION_TOKEN);
    }

    @Test
    void sessionCredentialsSignEveryRequestWithTheToken() {
        try (S3ProxyServer lenient = S3ProxyServer.start(Map.of("s3proxy.ignore-unknown-headers", "true"));
             FaultProxy spy = FaultProxy.start(lenient.port())) {
            lenient.createBucket(BUCKET);
            lenient.upload(BUCKET, "medium.rows", TestObjects.rows(0, MEDIUM_ROWS, false));
            List<String> tokens = new CopyOnWriteArrayList<>();
            List<String> signedHeaders = new CopyOnWriteArrayList<>();
            spy.rule(r -> {
                tokens.add(String.valueOf(r.header("x-amz-security-token")));
                signedHeaders.add(String.valueOf(r.header("authorization")).replaceAll(".*SignedHeaders=([^,]*).*",
                        "$1"));
                return Fault.forward();
            });
            SourceConfig c = SourceConfig.of(store.location(BUCKET, "medium.rows"))
                    .withCredentials(session(S3ProxyServer.SECRET_KEY)).withOption("endpoint", spy.endpoint())
                    .withParallel(true).withOption("part_size", "64KiB").withOption("multipart_threshold", "64KiB");
            Reading.Result r = Reading.read(factory, c, 9_000);
            assertThat(r.checker().exactlyOnce(MEDIUM_ROWS)).isTrue();
            // HEAD and every ranged GET carry the token, inside what SigV4 signs (and S3Proxy verified)
            assertThat(tokens).hasSize((int) r.counter("range_requests") + 1).containsOnly(SESSION_TOKEN);
            assertThat(signedHeaders).allSatisfy(h -> assertThat(h.split(";")).contains("x-amz-security-token"));
            assertSecretsNeverShow(c, List.of(SESSION_TOKEN, S3ProxyServer.SECRET_KEY));

            // the same token with a wrong secret: the signature check fails, a typed error without the secrets
            SourceConfig wrong = c.withCredentials(session("not-the-secret-s3-key"));
            assertThatThrownBy(() -> Reading.read(factory, wrong, 100))
                    .isInstanceOfSatisfying(AuthException.class, e -> assertNamesObjectWithoutSecrets(e,
                            "medium.rows", List.of(SESSION_TOKEN, "not-the-secret-s3-key", S3ProxyServer.SECRET_KEY)));
        }
    }

    @Test
    void aStoreWithoutSessionTokensRefusesThemTypedAndOnce() {
        // the contract's S3Proxy, as configured by default: 501 NotImplemented for x-amz-security-token
        List<String> tokens = new CopyOnWriteArrayList<>();
        proxy.rule(r -> {
            // (a request of an earlier test may still reach the proxy now)
            if (r.target().contains("/small.rows")) tokens.add(String.valueOf(r.header("x-amz-security-token")));
            return Fault.forward();
        });
        SourceConfig c = viaProxy("small.rows").withCredentials(session(S3ProxyServer.SECRET_KEY));
        assertThatThrownBy(() -> Reading.read(factory, c, 100))
                .isInstanceOfSatisfying(ObjectStoreException.class, e -> {
                    assertThat(e.reason()).isEqualTo(ObjectStoreException.Reason.REFUSED);
                    assertThat(e.getMessage()).contains("501");
                    assertNamesObjectWithoutSecrets(e, "small.rows", List.of(SESSION_TOKEN, S3ProxyServer.SECRET_KEY));
                });
        assertThat(tokens).as("one request, not retried").containsExactly(SESSION_TOKEN);
    }
}
