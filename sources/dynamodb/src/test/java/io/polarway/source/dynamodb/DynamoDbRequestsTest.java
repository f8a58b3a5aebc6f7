package io.polarway.source.dynamodb;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.polarway.api.SourceConfig;
import io.polarway.api.StreamingSource;
import io.polarway.source.dynamodb.fixture.ItemTable;
import io.polarway.source.dynamodb.fixture.SeededTables;
import io.polarway.stream.AdaptiveStream;
import io.polarway.testing.RowChecker;
import io.polarway.testkit.dynamodb.DynamoDbFaultProxy;
import io.polarway.testkit.dynamodb.DynamoDbFaultProxy.Fault;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the source asks DynamoDB for, seen on the wire by a real HTTP proxy between the source and a real DynamoDB
 * server (dynalite): {@code consistent_read} on every page request, and the segments of a parallel scan in flight at
 * the same time (one after the other without {@code parallel}).
 */
class DynamoDbRequestsTest {
    static final int N = 2_000;
    static final String TABLE = "requests";
    /** Items of partition p03 (i mod 16 = 3) among the N. */
    static final int P03 = N / ItemTable.PARTITIONS;
    private static final ObjectMapper JSON = new ObjectMapper();
    static SeededTables tables;

    @BeforeAll
    static void seed() {
        tables = Local.tables(TABLE, N);
    }

    /** Through {@code proxy}, 400 items per page. */
    private static SourceConfig config(DynamoDbFaultProxy proxy) {
        return Local.config(proxy.endpoint(), TABLE).withOption("limit", "400");
    }

    private static JsonNode body(DynamoDbFaultProxy.Request r) {
        try {
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new UncheckedIOException("request body is not JSON: " + r.body(), e);
        }
    }

    /** Records the bodies of {@code operation} requests, in arrival order, and forwards everything. */
    private static List<JsonNode> record(DynamoDbFaultProxy proxy, String operation) {
        List<JsonNode> bodies = Collections.synchronizedList(new ArrayList<>());
        proxy.rule(r -> {
            if (r.operation().equals(operation)) bodies.add(body(r));
            return Fault.forward();
        });
        return bodies;
    }

    // ---------------------------------------------------------------- consistent_read

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"scan", "segments", "query"})
    void consistentReadIsAskedForOnEveryPageOnlyWhenSet(String read) {
        boolean query = read.equals("query");
        for (String consistent : new String[]{null, "false", "true"}) {
            List<JsonNode> bodies;
            try (DynamoDbFaultProxy proxy = DynamoDbFaultProxy.start(tables.endpoint())) {
                bodies = record(proxy, query ? "Query" : "Scan");
                SourceConfig config = query ? Local.query(config(proxy), "p03").withOption("limit", "50")
                        : read.equals("segments") ? config(proxy).withOption("total_segments", "3") : config(proxy);
                if (consistent != null) config = config.withOption("consistent_read", consistent);
                try (StreamingSource source = Local.open(config)) {
                    RowChecker rows = Local.readAll(source, 1_000);
                    assertThat(rows.rows()).isEqualTo(query ? P03 : N);
                    assertThat(rows.duplicates()).isZero();
                }
            }
            assertThat(bodies).as("%s requests with consistent_read=%s", read, consistent).hasSizeGreaterThan(2);
            if ("true".equals(consistent)) {
                assertThat(bodies).allSatisfy(b -> assertThat(b.path("ConsistentRead").isBoolean()
                        && b.path("ConsistentRead").booleanValue()).as("ConsistentRead in %s", b).isTrue());
            } else {
                // DynamoDB's default is an eventually consistent read: absent or false
                assertThat(bodies).allSatisfy(b -> assertThat(b.path("ConsistentRead").asBoolean(false))
                        .as("ConsistentRead in %s", b).isFalse());
            }
            if (read.equals("segments")) {
                assertThat(bodies).allSatisfy(b -> assertThat(b.path("TotalSegments").asInt()).isEqualTo(3));
            }
        }
    }

    // ---------------------------------------------------------------- parallel segments

    @Test
    void parallelSegmentsAreInFlightAtTheSameTime() {
        int segments = 4;
        CountDownLatch firstPages = new CountDownLatch(segments);
        Set<Integer> waitedInVain = ConcurrentHashMap.newKeySet();
        List<Integer> firstPageSegments = Collections.synchronizedList(new ArrayList<>());
        try (DynamoDbFaultProxy proxy = DynamoDbFaultProxy.start(tables.endpoint())) {
            // Each segment's first page is held until every segment has asked for its first page: only readers that
            // run at the same time get past this. Read one after the other, the first would wait out the timeout.
            proxy.rule(r -> {
                if (!r.operation().equals("Scan")) return Fault.forward();
                JsonNode b = body(r);
                if (b.has("ExclusiveStartKey")) return Fault.forward();
                int segment = b.path("Segment").asInt(-1);
                firstPageSegments.add(segment);
                firstPages.countDown();
                try {
                    if (waitedInVain.isEmpty() && !firstPages.await(10, TimeUnit.SECONDS)) waitedInVain.add(segment);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return Fault.forward();
            });
            SourceConfig config = config(proxy).withOption("total_segments", String.valueOf(segments))
                    .withParallel(true);
            try (AdaptiveStream stream = AdaptiveStream.builder("dynamodb", config).parallelism(segments)
                    .memoryLimit("4GB").build()) {
                RowChecker rows = Local.readAll(stream, c -> { });
                assertThat(rows.exactlyOnce(N)).as("%d rows, %d duplicates", rows.rows(), rows.duplicates()).isTrue();
            }
        }
        assertThat(waitedInVain).as("segments whose first page waited 10 s for the others' first pages").isEmpty();
        assertThat(firstPageSegments).containsExactlyInAnyOrder(0, 1, 2, 3);
    }

    @Test
    void withoutParallelTheSegmentsAreReadOneAfterAnother() {
        List<JsonNode> scans;
        try (DynamoDbFaultProxy proxy = DynamoDbFaultProxy.start(tables.endpoint())) {
            scans = record(proxy, "Scan");
            try (StreamingSource source = Local.open(config(proxy).withOption("total_segments", "4")
                    .withOption("limit", "100"))) {
                RowChecker rows = Local.readAll(source, 1_000);
                assertThat(rows.exactlyOnce(N)).as("%d rows, %d duplicates", rows.rows(), rows.duplicates()).isTrue();
            }
        }
        // 20 pages or more: no page of a segment is asked for before the last page of the segment before it
        List<Integer> order = scans.stream().map(b -> b.path("Segment").asInt(-1)).toList();
        assertThat(order).hasSizeGreaterThanOrEqualTo(N / 100).isSorted().containsOnly(0, 1, 2, 3);
    }
}
