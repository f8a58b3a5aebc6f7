package io.polarway.source.objectstore;

import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.sas.BlobSasPermission;
import com.azure.storage.blob.sas.BlobServiceSasSignatureValues;
import com.azure.storage.common.sas.AccountSasPermission;
import com.azure.storage.common.sas.AccountSasResourceType;
import com.azure.storage.common.sas.AccountSasService;
import com.azure.storage.common.sas.AccountSasSignatureValues;
import io.polarway.api.Credentials;
import io.polarway.api.SourceConfig;
import io.polarway.error.AuthException;
import io.polarway.testkit.FaultProxy.Fault;
import io.polarway.testkit.objectstore.AzuriteServer;
import org.junit.jupiter.api.Test;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The contract on Azurite (node, from npm), Azure Blob API with the emulator account's shared key; and the other
 * credentials the source takes (a connection string, account and service SAS tokens signed with the emulator's
 * key) and the {@code https://ACCOUNT.blob.core.windows.net/container/path} location form, against the same Azurite.
 */
class AzuriteContractTest extends ObjectStoreContract {
    @Override
    StoreFixture startStore() {
        return StoreFixture.azurite();
    }

    @Override
    String storeName() {
        return "Azurite";
    }

    /** A client with the account key, to sign SAS tokens as an Azure user would. */
    private BlobServiceClient keyHolder() {
        return new BlobServiceClientBuilder().connectionString(AzuriteServer.connectionString(store.port()))
                .buildClient();
    }

    private String accountSas(String permissions, OffsetDateTime expiry) {
        return keyHolder().generateAccountSas(new AccountSasSignatureValues(expiry,
                AccountSasPermission.parse(permissions), AccountSasService.parse("b"),
                AccountSasResourceType.parse("sco")));
    }

    /** The SAS itself, and its signature as sent (URL-encoded) and decoded. */
    private static List<String> sasSecrets(String sas) {
        String sig = sas.replaceAll(".*(?:^|&)sig=([^&]*).*", "$1");
        return List.of(sas, sig, URLDecoder.decode(sig, StandardCharsets.UTF_8));
    }

    /**
     * Records the target and Authorization header of every request through the proxy for a path containing
     * {@code part} (a request of an earlier test may still reach the proxy).
     */
    private List<String[]> capture(String part) {
        List<String[]> seen = new CopyOnWriteArrayList<>();
        proxy.rule(r -> {
            if (r.target().contains(part)) {
                seen.add(new String[]{r.target(), String.valueOf(r.header("authorization"))});
            }
            return Fault.forward();
        });
        return seen;
    }

    @Test
    void connectionStringCredentialsSignEveryRequest() {
        List<String[]> seen = capture("/medium.rows");
        // the connection string names the endpoint (here the proxy in front of Azurite): no endpoint option
        String cs = AzuriteServer.connectionString(proxy.port());
        SourceConfig c = SourceConfig.of(store.location(BUCKET, "medium.rows"))
                .withCredentials(Credentials.AzureConnectionString.of(cs)).withParallel(true)
                .withOption("part_size", "64KiB").withOption("multipart_threshold", "64KiB");
        Reading.Result r = Reading.read(factory, c, 9_000);
        assertThat(r.checker().exactlyOnce(MEDIUM_ROWS)).isTrue();
        assertThat(seen).hasSizeGreaterThan((int) r.counter("parts_fetched"))
                .allSatisfy(s -> assertThat(s[1]).startsWith("SharedKey " + AzuriteServer.ACCOUNT + ":"));
        assertSecretsNeverShow(c, List.of(cs, AzuriteServer.KEY));
    }

    @Test
    void accountSasReadsAGlobWithoutTheKey() {
        String sas = accountSas("rl", OffsetDateTime.now().plusHours(1));
        List<String[]> seen = capture("glob");
        SourceConfig c = store.config(BUCKET, "glob/part-*.rows", proxy.port())
                .withCredentials(Credentials.AzureSas.of(AzuriteServer.ACCOUNT, sas));
        Reading.Result r = Reading.read(factory, c, 2_500);
        assertThat(r.checker().exactlyOnce(7_000)).isTrue();
        // listing and reads are authorised by the SAS in the query, never by a key
        assertThat(seen).isNotEmpty().allSatisfy(s -> {
            assertThat(s[0]).contains("sig=");
            assertThat(s[1]).isEqualTo("null");
        });
        assertSecretsNeverShow(c, sasSecrets(sas));
    }

    @Test
    void blobServiceSasReadsItsBlobOnly() {
        String sas = keyHolder().getBlobContainerClient(BUCKET).getBlobClient("small.rows")
                .generateSas(new BlobServiceSasSignatureValues(OffsetDateTime.now().plusHours(1),
                        BlobSasPermission.parse("r")));
        Credentials blobSas = Credentials.AzureSas.of(AzuriteServer.ACCOUNT, sas);
        Reading.Result r = Reading.read(factory, config("small.rows").withCredentials(blobSas), 700);
        assertThat(r.checker().exactlyOnce(SMALL_ROWS)).isTrue();
        // the same SAS names another blob: Azurite refuses it
        assertThatThrownBy(() -> Reading.read(factory, config("medium.rows").withCredentials(blobSas), 700))
                .isInstanceOfSatisfying(AuthException.class,
                        e -> assertNamesObjectWithoutSecrets(e, "medium.rows", sasSecrets(sas)));
    }

    @Test
    void sasWithoutReadPermissionOrExpiredIsAnAuthError() {
        for (String sas : List.of(accountSas("l", OffsetDateTime.now().plusHours(1)),
                accountSas("rl", OffsetDateTime.now().minusMinutes(5)))) {
            SourceConfig c = config("small.rows").withCredentials(Credentials.AzureSas.of(AzuriteServer.ACCOUNT, sas));
            assertThatThrownBy(() -> Reading.read(factory, c, 100))
                    .as(sas.replaceAll("sig=[^&]*", "sig=****"))
                    .isInstanceOfSatisfying(AuthException.class, e -> {
                        assertThat(e.isRetryable()).isFalse();
                        assertNamesObjectWithoutSecrets(e, "small.rows", sasSecrets(sas));
                    });
        }
    }

    @Test
    void accountUrlLocationReadsThroughTheEndpointOption() {
        // https://ACCOUNT.blob.core.windows.net/container/path names the account and the container; the endpoint
        // option (Azurite, through the proxy) says where that account is served
        List<String[]> seen = capture("/medium.rows");
        String https = "https://" + AzuriteServer.ACCOUNT + ".blob.core.windows.net/" + BUCKET + "/medium.rows";
        SourceConfig c = viaProxy("medium.rows").withLocation(https);
        Reading.Result r = Reading.read(factory, c, 9_000);
        assertThat(r.checker().exactlyOnce(MEDIUM_ROWS)).isTrue();
        assertThat(seen).isNotEmpty().allSatisfy(s -> assertThat(s[0])
                .startsWith("/" + AzuriteServer.ACCOUNT + "/" + BUCKET + "/medium.rows"));

        // a SAS that does not name its account works with this location form too
        String sas = accountSas("rl", OffsetDateTime.now().plusHours(1));
        Reading.Result viaSas = Reading.read(factory, c.withCredentials(Credentials.AzureSas.of(null, sas)), 9_000);
        assertThat(viaSas.checker().exactlyOnce(MEDIUM_ROWS)).isTrue();

        // errors name the object in its canonical az:// form
        assertThatThrownBy(() -> Reading.read(factory, c.withLocation(https.replace("medium.rows", "nope.rows")), 10))
                .isInstanceOfSatisfying(ObjectStoreException.class, e -> {
                    assertThat(e.reason()).isEqualTo(ObjectStoreException.Reason.NOT_FOUND);
                    assertThat(e.getMessage()).contains(store.location(BUCKET, "nope.rows"));
                });
    }
}
