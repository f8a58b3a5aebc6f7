package io.polarway.api;

import io.polarway.config.OptionSet;
import io.polarway.config.OptionSpec;
import io.polarway.error.ConfigException;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** No secret may appear in toString, error messages or log output, for every kind of credentials. */
class SecretsTest {
    private static final String S = "s3cr3t-VALUE-42";

    private static List<Credentials> everyKind() {
        return List.of(
                Credentials.Aws.of("AKIA" + S, S, "us-east-1", S),
                Credentials.AzureSharedKey.of("account", S),
                Credentials.AzureConnectionString.of("DefaultEndpointsProtocol=https;AccountName=a;AccountKey=" + S),
                Credentials.AzureSas.of("account", "sv=2024&sig=" + S),
                Credentials.Gcs.of("project", "{\"private_key\":\"" + S + "\"}"),
                Credentials.Basic.of("user", S),
                Credentials.Bearer.of(S),
                Credentials.ApiKey.header(S),
                Credentials.ApiKey.query("api_key", S),
                Credentials.OAuth2.clientCredentials("https://auth.example/token", "client", S, List.of("read")),
                Credentials.OAuth2.token(S, S, "https://auth.example/token", "client"),
                Credentials.DynamoDb.of("AKIA" + S, S, "eu-west-1"),
                Credentials.KafkaSasl.of("user", S, "SCRAM-SHA-512"),
                Credentials.none());
    }

    @Test
    void noCredentialsKindPrintsItsSecret() {
        for (Credentials c : everyKind()) {
            assertThat(c.toString()).as(c.scheme()).doesNotContain(S).doesNotContain("AKIA");
            SourceConfig config = SourceConfig.of("s3://bucket/key").withCredentials(c)
                    .withOption("sasl.password", S).withOption("client_secret", S).withOption("delimiter", ",");
            assertThat(config.toString()).as(c.scheme()).doesNotContain(S).contains("delimiter=,");
        }
    }

    @Test
    void everyKindIsCovered() {
        long kinds = everyKind().stream().map(Object::getClass).distinct().count();
        assertThat(kinds).isEqualTo(Credentials.class.getPermittedSubclasses().length);
    }

    @Test
    void secretOptionValuesNeverReachErrorsOrDumps() {
        OptionSpec<Integer> pin = OptionSpec.intValue("pin", null, "a secret number").secret()
                .validate(v -> v > 1000, "above 1000");
        OptionSpec<String> token = OptionSpec.string("token", null, "a secret token").secret();
        OptionSet set = OptionSet.of("test", pin, token);
        assertThatThrownBy(() -> set.parse(Map.of("pin", S))).isInstanceOf(ConfigException.class)
                .hasMessageNotContaining(S).hasMessageContaining("pin");
        assertThatThrownBy(() -> set.parse(Map.of("pin", "42"))).isInstanceOf(ConfigException.class)
                .hasMessageNotContaining("42").hasMessageContaining("above 1000");
        assertThat(set.parse(Map.of("token", S)).toString()).doesNotContain(S).contains("token=****");
    }

    @Test
    void logOutputOfAConfigCarriesNoSecret() {
        // slf4j-simple writes to System.err at call time; capture it while logging configs the way sources do
        PrintStream saved = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger("io.polarway.test.secrets");
            for (Credentials c : everyKind()) {
                log.warn("opening source with {} and {}", SourceConfig.of("x").withCredentials(c), c);
            }
        } finally {
            System.setErr(saved);
        }
        String logged = buf.toString(StandardCharsets.UTF_8);
        assertThat(logged).contains("opening source").doesNotContain(S);
    }

    @Test
    void secretRevealsOnlyOnRequest() {
        Secret s = Secret.of(S);
        assertThat(s.toString()).isEqualTo("****");
        assertThat(s.reveal()).isEqualTo(S);
        assertThat(Credentials.ApiKey.header(S).name()).isEqualTo("X-API-Key");
    }

    @Test
    void locationsAndHeaderOptionsAreMaskedInConfigs() {
        SourceConfig config = SourceConfig.of("https://user:" + S + "@api.example/v1?page=2&api_key=" + S + "&sig=" + S)
                .withOption("headers", "{\"Authorization\": \"" + S + "\"}");
        assertThat(config.toString()).doesNotContain(S).contains("https://api.example/v1?page=2&api_key=****&sig=****")
                .contains("headers=****");
        assertThat(config.location()).contains(S); // the source itself still gets the real location
    }
}
