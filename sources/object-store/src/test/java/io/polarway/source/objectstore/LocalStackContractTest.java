package io.polarway.source.objectstore;

import io.polarway.api.Credentials;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.localstack.LocalStackContainer;
import org.testcontainers.utility.DockerImageName;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

import java.nio.file.Path;
import java.util.List;

/**
 * The contract on LocalStack's S3 in a container, where Docker exists. Without a Docker daemon JUnit skips the class
 * ("disabled: Docker is not available"), which is the one skip the CI rule allows: the same contract always runs
 * on S3Proxy without Docker ({@link S3ProxyContractTest}).
 */
@Testcontainers(disabledWithoutDocker = true)
class LocalStackContractTest extends ObjectStoreContract {
    private static final String SECRET_KEY = "polarway-localstack-secret-0123456789";

    @Override
    StoreFixture startStore() {
        LocalStackContainer c = new LocalStackContainer(DockerImageName.parse("localstack/localstack:4.4"))
                .withServices("s3");
        c.start();
        S3Client client = S3Client.builder().endpointOverride(c.getEndpoint()).forcePathStyle(true)
                .region(Region.of(c.getRegion()))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(c.getAccessKey(),
                        c.getSecretKey()))).build();
        return new StoreFixture() {
            public String type() {
                return "s3";
            }

            public String location(String bucket, String key) {
                return "s3://" + bucket + "/" + key;
            }

            public void createBucket(String bucket) {
                client.createBucket(b -> b.bucket(bucket));
            }

            public void upload(String bucket, String key, Path file) {
                client.putObject(p -> p.bucket(bucket).key(key), RequestBody.fromFile(file));
            }

            public void upload(String bucket, String key, byte[] bytes) {
                client.putObject(p -> p.bucket(bucket).key(key), RequestBody.fromBytes(bytes));
            }

            public int port() {
                return c.getEndpoint().getPort();
            }

            public String endpointAt(int port) {
                return "http://127.0.0.1:" + port;
            }

            public Credentials credentials() {
                // LocalStack accepts any secret by default: a distinctive one, so secretsNeverShow has one to look for
                return Credentials.Aws.of(c.getAccessKey(), SECRET_KEY, c.getRegion(), null);
            }

            public Credentials wrongCredentials() {
                return null; // LocalStack accepts any keys by default
            }

            public List<String> secrets() {
                return List.of(SECRET_KEY);
            }

            public void close() {
                client.close();
                c.stop();
            }
        };
    }

    @Override
    String storeName() {
        return "LocalStack (Testcontainers)";
    }
}
