package io.polarway.source.dynamodb;

import io.polarway.api.Chunk;
import io.polarway.api.Credentials;
import io.polarway.api.SourceConfig;
import io.polarway.api.StreamingSource;
import io.polarway.error.AuthException;
import io.polarway.error.ConfigException;
import io.polarway.error.NetworkException;
import io.polarway.error.PolarwayException;
import io.polarway.error.Where;
import io.polarway.source.dynamodb.fixture.ItemTable;
import io.polarway.source.dynamodb.fixture.SeededTables;
import io.polarway.stream.AdaptiveStream;
import io.polarway.testing.RowChecker;
import io.polarway.testkit.Ports;
import io.polarway.testkit.dynamodb.DynamoDbFaultProxy;
import io.polarway.testkit.dynamodb.DynamoDbFaultProxy.Fault;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Throttling, server errors, cut bodies, rejected credentials and lost connections, injected by a real HTTP proxy
 * between the source and a real DynamoDB server (dynalite): retried with backoff where DynamoDB says to retry, typed
 * errors naming the table, segment and page otherwise, and never a lost or repeated item.
 */
class DynamoDbFaultTest {
    static final int N = 5_000;
    static final String TABLE = "faults";
    static SeededTables tables;
    DynamoDbFaultProxy proxy;

    @BeforeAll
    static void seed() {
        tables = Local.tables(TABLE, N);
    }

    @BeforeEach
    void startProxy() {
        proxy = DynamoDbFaultProxy.start(tables.endpoint());
    }

    @AfterEach
    void stopProxy() {
        proxy.close();
    }

    /**
     * Through the proxy; 200 items per page (25 pages), fast retries, a schema sample of 100 items (so the first
     * chunk reads no further ahead than the tests expect).
     */
    private SourceConfig config() {
        return Local.config(proxy.endpoint(), TABLE).withOption("limit", "200")
                .withOption("retry_delay_ms", "5").withOption("retry_attempts", "3")
                .withOption("infer_schema_length", "100");
    }

    @Test
    void throttledPagesAreRetriedAndEveryItemArrivesOnce() {
        // every other Scan request answered with ProvisionedThroughputExceededException: each page once
        proxy.rule(r -> r.operation().equals("Scan") && r.sequence() % 2 == 0 ? Fault.throttle() : Fault.forward());
        try (StreamingSource source = Local.open(config())) {
            RowChecker rows = Local.readAll(source, 700);
            assertThat(rows.exactlyOnce(N)).as("%d rows, %d duplicates", rows.rows(), rows.duplicates()).isTrue();
            Map<String, Long> counters = source.stats().counters();
            assertThat(proxy.faults("Scan")).isGreaterThanOrEqualTo(12);
            assertThat(counters.get("throttled")).isEqualTo(proxy.faults("Scan"));
            assertThat(counters.get("retries")).isEqualTo(proxy.faults("Scan"));
            assertThat(counters.get("pages")).isEqualTo(proxy.requests("Scan") - proxy.faults("Scan"));
        }
    }

    @Test
    void requestLimitExceededIsRetriedToo() {
        AtomicLong scans = new AtomicLong();
        proxy.rule(r -> r.operation().equals("Scan") && scans.incrementAndGet() <= 3 ? Fault.requestLimit()
                : Fault.forward());
        try (StreamingSource source = Local.open(config())) {
            assertThat(Local.readAll(source, 1_000).exactlyOnce(N)).isTrue();
            assertThat(source.stats().counters().get("throttled")).isEqualTo(3L);
        }
    }

    @Test
    void parallelSegmentsUnderThrottlingReadEveryItemOnce() {
        proxy.rule(r -> r.operation().equals("Scan") && r.sequence() % 3 == 0 ? Fault.throttle() : Fault.forward());
        SourceConfig config = config().withOption("total_segments", "4").withOption("retry_attempts", "6")
                .withParallel(true);
        try (AdaptiveStream stream = AdaptiveStream.builder("dynamodb", config).parallelism(4).memoryLimit("4GB")
                .build()) {
            RowChecker rows = Local.readAll(stream, c -> { });
            assertThat(rows.exactlyOnce(N)).as("%d rows, %d duplicates", rows.rows(), rows.duplicates()).isTrue();
            assertThat(stream.stats().counters().get("throttled")).isEqualTo(proxy.faults("Scan")).isPositive();
        }
    }

    @Test
    void persistentThrottlingIsARetryableNetworkErrorAfterBackoffAndReadingResumesWhereItFailed() {
        AtomicLong scans = new AtomicLong();
        proxy.rule(r -> r.operation().equals("Scan") && scans.incrementAndGet() > 2 ? Fault.throttle()
                : Fault.forward());
        SourceConfig config = config().withOption("retry_attempts", "2").withOption("retry_delay_ms", "40")
                .withOption("retry_multiplier", "2");
        RowChecker rows = new RowChecker();
        try (StreamingSource source = Local.open(config)) {
            for (int c = 0; c < 4; c++) {
                try (Chunk chunk = source.readChunk(100).orElseThrow()) {
                    rows.accept(chunk);
                }
            }
            long start = System.nanoTime();
            NetworkException e = catchThrowableOfType(NetworkException.class, () -> source.readChunk(100));
            long waitedMillis = (System.nanoTime() - start) / 1_000_000;
            assertThat(e).isNotNull();
            assertThat(e.isRetryable()).isTrue();
            assertThat(e.getMessage()).contains("ProvisionedThroughputExceededException").contains("retry_attempts=2");
            assertThat(e.where()).hasValueSatisfying(w -> {
                assertThat(w.resource()).isEqualTo(TABLE);
                assertThat(w.page()).isEqualTo(3);
            });
            // 3 attempts of page 3; the two backoffs wait at least half of 40 ms and of 80 ms
            assertThat(proxy.faults("Scan")).isEqualTo(3);
            assertThat(waitedMillis).isGreaterThanOrEqualTo(60);

            proxy.forwardAll();
            for (Optional<Chunk> c; (c = source.readChunk(1_000)).isPresent(); ) {
                try (Chunk chunk = c.get()) {
                    rows.accept(chunk);
                }
            }
        }
        assertThat(rows.exactlyOnce(N)).as("%d rows, %d duplicates", rows.rows(), rows.duplicates()).isTrue();
    }

    @Test
    void serverErrorsAndBodiesCutShortAreRetried() {
        proxy.rule(r -> {
            if (!r.operation().equals("Scan")) return Fault.forward();
            if (r.sequence() % 3 == 0) return Fault.serverError();
            if (r.sequence() % 4 == 0) return Fault.truncate();
            return Fault.forward();
        });
        try (StreamingSource source = Local.open(config().withOption("retry_attempts", "8"))) {
            RowChecker rows = Local.readAll(source, 999);
            assertThat(rows.exactlyOnce(N)).as("%d rows, %d duplicates", rows.rows(), rows.duplicates()).isTrue();
            assertThat(source.stats().counters().get("retries")).isEqualTo(proxy.faults("Scan")).isGreaterThan(5);
        }
    }

    @Test
    void throttledDescribeIsRetriedWhenOpening() {
        AtomicLong describes = new AtomicLong();
        proxy.rule(r -> r.operation().equals("DescribeTable") && describes.incrementAndGet() <= 2 ? Fault.throttle()
                : Fault.forward());
        try (StreamingSource source = Local.open(config())) {
            assertThat(Local.readAll(source, 5_000).exactlyOnce(N)).isTrue();
        }
        assertThat(proxy.requests("DescribeTable")).isEqualTo(3);
    }

    // ---------------------------------------------------------------- credentials

    static final String BAD_KEY_ID = "AKIAREJECTEDKEY12345";
    static final String BAD_SECRET = "rejected-secret-value-0123456789";

    private SourceConfig withRejectedCredentials() {
        return config().withCredentials(Credentials.DynamoDb.of(BAD_KEY_ID, BAD_SECRET, ItemTable.REGION));
    }

    @Test
    void rejectedCredentialsFailAtOpenAsAnAuthErrorThatShowsNoSecret() {
        proxy.rule(r -> r.accessKeyId().equals(BAD_KEY_ID) ? Fault.unrecognizedClient() : Fault.forward());
        AuthException e = catchThrowableOfType(AuthException.class, () -> Local.open(withRejectedCredentials()));
        assertThat(e).isNotNull();
        assertThat(e.isRetryable()).isFalse();
        assertThat(e.getMessage()).contains("UnrecognizedClientException").contains(TABLE);
        assertThat(e.where()).map(Where::resource).contains(TABLE);
        assertNoSecret(e);
        assertThat(proxy.requests("DescribeTable")).as("not retried").isEqualTo(1);
    }

    @Test
    void credentialsRejectedMidScanNameTheSegmentAndPage() {
        AtomicLong scans = new AtomicLong();
        proxy.rule(r -> r.operation().equals("Scan") && scans.incrementAndGet() > 1 ? Fault.unrecognizedClient()
                : Fault.forward());
        SourceConfig config = withRejectedCredentials().withOption("total_segments", "2").withOption("segment", "1");
        try (StreamingSource source = Local.open(config)) {
            try (Chunk first = source.readChunk(200).orElseThrow()) {
                assertThat(first.rowCount()).isPositive();
            }
            AuthException e = catchThrowableOfType(AuthException.class, () -> {
                for (Optional<Chunk> c; (c = source.readChunk(200)).isPresent(); ) c.get().close();
            });
            assertThat(e).isNotNull();
            assertThat(e.where()).hasValueSatisfying(w -> {
                assertThat(w.resource()).isEqualTo(TABLE);
                assertThat(w.partition()).isEqualTo("segment 1/2");
                assertThat(w.page()).isEqualTo(2);
            });
            assertThat(e.getMessage()).contains("segment 1/2").contains("page 2");
            assertNoSecret(e);
        }
    }

    private static void assertNoSecret(Throwable e) {
        StringWriter trace = new StringWriter();
        e.printStackTrace(new PrintWriter(trace));
        assertThat(trace.toString()).doesNotContain(BAD_SECRET).doesNotContain(BAD_KEY_ID);
        assertThat(e.toString()).doesNotContain(BAD_SECRET);
    }

    // ---------------------------------------------------------------- connections

    @Test
    void unreachableServerIsARetryableNetworkErrorAtOpen() {
        URI closed = URI.create("http://127.0.0.1:" + Ports.free());
        SourceConfig config = Local.config(closed, TABLE).withOption("retry_attempts", "1")
                .withOption("retry_delay_ms", "1").withOption("timeout_ms", "2000");
        NetworkException e = catchThrowableOfType(NetworkException.class, () -> Local.open(config));
        assertThat(e).isNotNull();
        assertThat(e.isRetryable()).isTrue();
        assertThat(e.getMessage()).contains(closed.toString()).contains("2 attempts");
    }

    @Test
    void serverGoneMidScanIsANetworkErrorNamingThePage() {
        SourceConfig config = config().withOption("limit", "100").withOption("retry_attempts", "1")
                .withOption("timeout_ms", "2000");
        try (StreamingSource source = Local.open(config)) {
            try (Chunk first = source.readChunk(100).orElseThrow()) {
                assertThat(first.rowCount()).isEqualTo(100);
            }
            proxy.close();
            NetworkException e = catchThrowableOfType(NetworkException.class, () -> source.readChunk(100));
            assertThat(e).isNotNull();
            assertThat(e.isRetryable()).isTrue();
            assertThat(e.where()).hasValueSatisfying(w -> assertThat(w.page()).isEqualTo(2));
        }
    }

    // ---------------------------------------------------------------- configuration errors found by DynamoDB

    @Test
    void missingTableIsAConfigErrorNamingIt() {
        ConfigException e = catchThrowableOfType(ConfigException.class,
                () -> Local.open(Local.config(tables.endpoint(), "no_such_table")));
        assertThat(e).isNotNull();
        assertThat(e.getMessage()).contains("no_such_table").contains(tables.endpoint().toString());
        assertThat(e.where()).map(Where::resource).contains("no_such_table");
    }

    @Test
    void missingIndexIsAConfigErrorListingTheIndexes() {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> Local.open(
                Local.config(tables.endpoint(), TABLE).withOption("index_name", "by_nothing")));
        assertThat(e).isNotNull();
        assertThat(e.key()).contains("index_name");
        assertThat(e.validChoices()).containsExactly(ItemTable.GROUP_INDEX);
    }

    @Test
    void consistentReadOnAGlobalIndexIsRefusedAtOpen() {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> Local.open(
                Local.config(tables.endpoint(), TABLE).withOption("index_name", ItemTable.GROUP_INDEX)
                        .withOption("consistent_read", "true")));
        assertThat(e).isNotNull();
        assertThat(e.key()).contains("consistent_read");
    }

    @Test
    void expressionDynamoDbRejectsIsAConfigErrorNamingTheOption() {
        SourceConfig config = Local.config(tables.endpoint(), TABLE).withOption("filter_expression", "id = = :x")
                .withOption("expression_attribute_values", "{\":x\": 1}");
        try (StreamingSource source = Local.open(config)) {
            ConfigException e = catchThrowableOfType(ConfigException.class, () -> source.readChunk(10));
            assertThat(e).isNotNull();
            assertThat(e.key()).contains("filter_expression");
            assertThat(e.where()).map(Where::page).contains(1L);
        }
    }

    @Test
    void queryWithoutTheKeyConditionsPartitionKeyIsAConfigError() {
        SourceConfig config = Local.config(tables.endpoint(), TABLE).withOption("operation", "query")
                .withOption("key_condition", "sk = :s").withOption("expression_attribute_values", "{\":s\": 3}");
        try (StreamingSource source = Local.open(config)) {
            assertThatThrownBy(() -> source.readChunk(10)).isInstanceOfSatisfying(ConfigException.class,
                    e -> assertThat(e.key()).contains("key_condition"));
        }
    }

    @Test
    void tableDeletedMidScanIsAConfigErrorNamingTableSegmentAndPage() {
        String table = "short_lived";
        ItemTable.createPlain(tables.client(), table);
        ItemTable.seed(tables.client(), table, 2_000, 2);
        SourceConfig config = Local.config(tables.endpoint(), table).withOption("limit", "100")
                .withOption("total_segments", "2").withOption("segment", "0").withOption("infer_schema_length", "10");
        try (StreamingSource source = Local.open(config)) {
            try (Chunk first = source.readChunk(100).orElseThrow()) {
                assertThat(first.rowCount()).isEqualTo(100);
            }
            tables.client().deleteTable(b -> b.tableName(table));
            PolarwayException e = catchThrowableOfType(ConfigException.class, () -> source.readChunk(100));
            assertThat(e).isNotNull();
            assertThat(e.where()).hasValueSatisfying(w -> {
                assertThat(w.resource()).isEqualTo(table);
                assertThat(w.partition()).isEqualTo("segment 0/2");
                assertThat(w.page()).isEqualTo(2);
            });
        }
    }
}
