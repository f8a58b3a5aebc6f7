package io.polarway.source.objectstore;

import io.polarway.api.Credentials;
import io.polarway.api.SourceConfig;
import io.polarway.error.AuthException;
import io.polarway.testkit.FaultProxy.Fault;
import io.polarway.testkit.objectstore.GcsEmulatorServer;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The contract on firebase-tools' Cloud Storage emulator (node, from npm), GCS JSON API, read with a service-account
 * key whose {@code token_uri} is a local {@link GcsTokenServer} (the emulator accepts any bearer token; the token
 * endpoint is where a key is checked).
 */
class GcsEmulatorContractTest extends ObjectStoreContract {
    /** The token endpoint of the fixture's service-account keys (the fixture closes it). */
    GcsTokenServer tokens;

    @Override
    StoreFixture startStore() {
        tokens = GcsTokenServer.start();
        return StoreFixture.gcs(tokens);
    }

    @Override
    String storeName() {
        return "GCS emulator (firebase-tools)";
    }

    @Test
    void serviceAccountTokenSignsEveryRequest() {
        List<String> auth = new CopyOnWriteArrayList<>();
        List<String> ranged = new CopyOnWriteArrayList<>();
        proxy.rule(r -> {
            if (r.target().contains("/medium.rows")) { // (a request of an earlier test may still reach the proxy)
                auth.add(String.valueOf(r.header("authorization")));
                if (r.isRanged()) ranged.add(String.valueOf(r.header("authorization")));
            }
            return Fault.forward();
        });
        int grantedBefore = tokens.granted.get();
        Reading.Result r = Reading.read(factory, viaProxy("medium.rows"), 9_000);
        assertThat(r.checker().exactlyOnce(MEDIUM_ROWS)).isTrue();
        // access tokens for the source, granted for a JWT signed by the key and scoped to reading: one for the SDK's
        // metadata request and one for the ranged GETs (the SDK authorises with a copy of the credentials it scoped,
        // and each copy caches its own token)
        assertThat(tokens.granted.get() - grantedBefore).isBetween(1, 2);
        assertThat(tokens.scopes()).last().isEqualTo(GcsStore.READ_ONLY_SCOPE);
        // the metadata request and every ranged GET carry that token (not a self-signed JWT)
        assertThat(ranged).hasSize((int) r.counter("range_requests"));
        assertThat(auth).hasSizeGreaterThan(ranged.size()).containsOnly("Bearer " + tokens.accessToken());
    }

    @Test
    void aRefusedKeyIsNotRetriedAndShowsNoSecret() {
        int refusedBefore = tokens.refused.get();
        List<String> requests = new CopyOnWriteArrayList<>();
        proxy.rule(r -> {
            if (r.target().contains("/small.rows")) requests.add(r.target());
            return Fault.forward();
        });
        SourceConfig c = viaProxy("small.rows").withCredentials(store.wrongCredentials());
        assertThatThrownBy(() -> Reading.read(factory, c, 100))
                .isInstanceOfSatisfying(AuthException.class, e -> {
                    assertThat(e.isRetryable()).isFalse();
                    assertNamesObjectWithoutSecrets(e, "small.rows", store.secrets());
                });
        assertThat(tokens.refused.get() - refusedBefore).isEqualTo(1);
        assertThat(requests).as("nothing reached the store").isEmpty();
    }

    @Test
    void aMalformedKeyFileIsAnAuthErrorWithoutTheKey() {
        String json = tokens.serviceAccountJson();
        // the key's base64 cut short: not a PKCS#8 key any more
        String broken = json.replaceFirst("(-----BEGIN PRIVATE KEY-----\\\\n.{200}).*?(\\\\n-----END)", "$1$2");
        assertThat(broken).isNotEqualTo(json);
        SourceConfig c = config("small.rows").withCredentials(Credentials.Gcs.of(GcsEmulatorServer.PROJECT, broken));
        List<String> secrets = new java.util.ArrayList<>(store.secrets());
        secrets.add(broken.substring(broken.indexOf("-----BEGIN"), broken.indexOf("-----END")));
        assertThatThrownBy(() -> Reading.read(factory, c, 100))
                .isInstanceOfSatisfying(AuthException.class,
                        e -> assertNamesObjectWithoutSecrets(e, "small.rows", secrets));
    }
}
