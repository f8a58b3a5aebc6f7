package io.polarway.source.objectstore;

import com.azure.core.util.BinaryData;
import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import io.polarway.api.Credentials;
import io.polarway.testkit.objectstore.AzuriteServer;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.utility.DockerImageName;

import java.nio.file.Path;
import java.util.List;

/**
 * The contract on Microsoft's Azurite image in a container, where Docker exists; skipped by JUnit without a Docker
 * daemon (the npm-installed Azurite runs the same contract everywhere: {@link AzuriteContractTest}).
 */
@Testcontainers(disabledWithoutDocker = true)
class AzuriteContainerContractTest extends ObjectStoreContract {

    @Override
    @SuppressWarnings("resource")
    StoreFixture startStore() {
        GenericContainer<?> c = new GenericContainer<>(DockerImageName.parse(
                "mcr.microsoft.com/azure-storage/azurite:3.34.0"))
                .withCommand("azurite-blob", "--blobHost", "0.0.0.0", "--loose", "--skipApiVersionCheck")
                .withExposedPorts(10000)
                .waitingFor(Wait.forListeningPort());
        c.start();
        int mapped = c.getMappedPort(10000);
        BlobServiceClient client = new BlobServiceClientBuilder()
                .connectionString(AzuriteServer.connectionString(mapped)).buildClient();
        return new StoreFixture() {
            public String type() {
                return "azure";
            }

            public String location(String bucket, String key) {
                return "az://" + bucket + "/" + key;
            }

            public void createBucket(String bucket) {
                client.getBlobContainerClient(bucket).createIfNotExists();
            }

            public void upload(String bucket, String key, Path file) {
                client.getBlobContainerClient(bucket).getBlobClient(key).uploadFromFile(file.toString(), true);
            }

            public void upload(String bucket, String key, byte[] bytes) {
                client.getBlobContainerClient(bucket).getBlobClient(key).upload(BinaryData.fromBytes(bytes), true);
            }

            public int port() {
                return mapped;
            }

            public String endpointAt(int port) {
                return AzuriteServer.endpoint(port);
            }

            public Credentials credentials() {
                return Credentials.AzureSharedKey.of(AzuriteServer.ACCOUNT, AzuriteServer.KEY);
            }

            public Credentials wrongCredentials() {
                return Credentials.AzureSharedKey.of(AzuriteServer.ACCOUNT, java.util.Base64.getEncoder()
                        .encodeToString("not-the-secret-azure-key-0123456789".getBytes()));
            }

            public List<String> secrets() {
                return List.of(AzuriteServer.KEY);
            }

            public void close() {
                c.stop();
            }
        };
    }

    @Override
    String storeName() {
        return "Azurite (Testcontainers)";
    }
}
