package io.polarway.source.dynamodb;

import io.polarway.api.Chunk;
import io.polarway.api.SourceConfig;
import io.polarway.api.SourceStats;
import io.polarway.api.StreamingSource;
import io.polarway.source.dynamodb.fixture.ItemTable;
import io.polarway.source.dynamodb.fixture.SeededTables;
import io.polarway.stream.AdaptiveStream;
import io.polarway.testing.RowChecker;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The contract on 100,000 items served by a real DynamoDB server (dynalite) on 127.0.0.1: every item exactly once for
 * scan, query and every segment count, through pages that filters leave empty, with every DynamoDB type converted
 * exactly. The table is seeded once per JVM.
 */
class DynamoDbScanTest {
    static final int N = SeededTables.ITEMS;
    static SeededTables tables;
    static String table;
    /** Partition keys in the order a plain scan meets them. */
    static List<String> scanOrder;
    /** The id of the last item a plain scan returns. */
    static long lastScannedId;

    @BeforeAll
    static void seed() {
        tables = Local.tables();
        table = tables.items();
        Set<String> order = new LinkedHashSet<>();
        Map<String, AttributeValue> start = null;
        long last = -1;
        do {
            Map<String, AttributeValue> from = start;
            ScanResponse r = tables.client().scan(b -> b.tableName(table).projectionExpression("pk, id")
                    .exclusiveStartKey(from));
            for (Map<String, AttributeValue> item : r.items()) {
                order.add(item.get("pk").s());
                last = Long.parseLong(item.get("id").n());
            }
            start = r.hasLastEvaluatedKey() && !r.lastEvaluatedKey().isEmpty() ? r.lastEvaluatedKey() : null;
        } while (start != null);
        scanOrder = List.copyOf(order);
        lastScannedId = last;
        assertThat(scanOrder).hasSize(ItemTable.PARTITIONS);
    }

    private static SourceConfig config() {
        return Local.config(tables.endpoint(), table);
    }

    // ---------------------------------------------------------------- scan, every type

    @Test
    void scanReadsEveryItemOnceWithEveryTypeExact() {
        try (StreamingSource source = Local.open(config())) {
            AtomicLong checked = new AtomicLong();
            RowChecker rows = Local.readAll(source, 7_000, chunk -> checked.addAndGet(verifyItems(chunk.root())));
            assertThat(rows.exactlyOnce(N)).as("%d rows, %d duplicates", rows.rows(), rows.duplicates()).isTrue();
            assertThat(checked.get()).isEqualTo(N);

            Schema schema = source.metadata().schema();
            // key attributes first, the others by name, the extra column last
            assertThat(schema.getFields().stream().map(Field::getName).toList()).containsExactly("pk", "sk", "big",
                    "blob", "flag", "grp", "id", "maybe", "mixed", "name", "nested", "nums", "price", "tags", "_extra");
            assertThat(type(schema, "sk")).isEqualTo(new ArrowType.Int(64, true));
            assertThat(type(schema, "price")).isEqualTo(new ArrowType.Decimal(38, 2, 128));
            assertThat(type(schema, "big")).isEqualTo(new ArrowType.Decimal(38, 0, 128));
            assertThat(type(schema, "blob")).isEqualTo(ArrowType.Binary.INSTANCE);
            assertThat(type(schema, "flag")).isEqualTo(ArrowType.Bool.INSTANCE);
            assertThat(type(schema, "nested")).isEqualTo(ArrowType.Struct.INSTANCE);
            assertThat(schema.findField("nums").getChildren().get(0).getType())
                    .isEqualTo(new ArrowType.Decimal(38, 1, 128));

            SourceStats stats = source.stats();
            assertThat(stats.records()).isEqualTo(N);
            assertThat(stats.bytesRead()).isGreaterThan(10_000_000L);
            assertThat(stats.counters().get("pages")).isGreaterThan(5L);
            assertThat(stats.counters().get("items_scanned")).isEqualTo((long) N);
            assertThat(stats.counters().getOrDefault("empty_pages", 0L)).isZero();
        }
    }

    private static ArrowType type(Schema schema, String name) {
        return schema.findField(name).getType();
    }

    /**
     * Checks every attribute of every row against {@link ItemTable#item(long)}; returns the rows checked. Plain
     * comparisons (one assertion per row), so checking 100,000 rows costs little next to reading them.
     */
    static int verifyItems(VectorSchemaRoot root) {
        BigIntVector id = (BigIntVector) root.getVector("id");
        VarCharVector pk = (VarCharVector) root.getVector("pk");
        BigIntVector sk = (BigIntVector) root.getVector("sk");
        VarCharVector grp = (VarCharVector) root.getVector("grp");
        VarCharVector name = (VarCharVector) root.getVector("name");
        DecimalVector price = (DecimalVector) root.getVector("price");
        DecimalVector big = (DecimalVector) root.getVector("big");
        BitVector flag = (BitVector) root.getVector("flag");
        VarBinaryVector blob = (VarBinaryVector) root.getVector("blob");
        ListVector tags = (ListVector) root.getVector("tags");
        ListVector nums = (ListVector) root.getVector("nums");
        StructVector nested = (StructVector) root.getVector("nested");
        ListVector mixed = (ListVector) root.getVector("mixed");
        VarCharVector maybe = (VarCharVector) root.getVector("maybe");
        VarCharVector extra = (VarCharVector) root.getVector("_extra");
        for (int r = 0; r < root.getRowCount(); r++) {
            long i = id.get(r);
            Map<?, ?> n = (Map<?, ?>) nested.getObject(r);
            List<String> problems = new ArrayList<>();
            check(problems, "pk", pk.getObject(r).toString(), ItemTable.pk(i));
            check(problems, "sk", sk.get(r), i);
            check(problems, "grp", grp.getObject(r).toString(), ItemTable.group(i));
            check(problems, "name", name.getObject(r).toString(), "item-" + i);
            check(problems, "price", price.getObject(r), ItemTable.price(i));
            check(problems, "big", big.getObject(r), ItemTable.big(i));
            check(problems, "flag", flag.getObject(r), i % 2 == 0);
            check(problems, "blob", java.util.Arrays.equals(blob.getObject(r), ItemTable.blob(i)), true);
            check(problems, "tags", new HashSet<>(texts(tags.getObject(r))), Set.of("all", "t" + (i % 3)));
            check(problems, "nums", new HashSet<Object>(nums.getObject(r)),
                    Set.of(BigDecimal.valueOf(i * 10, 1), BigDecimal.valueOf(i * 10 + 5, 1)));
            check(problems, "nested.a", n.get("a"), i);
            check(problems, "nested.b", String.valueOf(n.get("b")), "b-" + i);
            check(problems, "nested.c", new ArrayList<Object>((List<?>) n.get("c")), List.of(i, 2 * i));
            check(problems, "nested.d", n.get("d"), i % 2 == 1);
            check(problems, "mixed", texts(mixed.getObject(r)), List.of("x", Long.toString(i), "true"));
            check(problems, "maybe", maybe.isNull(r) ? null : maybe.getObject(r).toString(),
                    i % 3 == 0 ? null : "v-" + i);
            check(problems, "_extra", extra.isNull(r), true);
            if (!problems.isEmpty()) throw new AssertionError("item " + i + ": " + problems);
        }
        return root.getRowCount();
    }

    private static void check(List<String> problems, String field, Object actual, Object expected) {
        if (!java.util.Objects.equals(actual, expected)) problems.add(field + " was " + actual + ", expected " + expected);
    }

    private static List<String> texts(List<?> values) {
        return values.stream().map(String::valueOf).toList();
    }

    // ---------------------------------------------------------------- parallel scan

    @ParameterizedTest(name = "total_segments={0}")
    @ValueSource(ints = {1, 2, 3, 7, 16})
    void parallelScanReadsEveryItemOnceForEverySegmentCount(int segments) {
        SourceConfig config = config().withOption("projection", "id").withOption("total_segments",
                String.valueOf(segments)).withParallel(true);
        Set<String> splits = new HashSet<>();
        try (AdaptiveStream stream = AdaptiveStream.builder("dynamodb", config).parallelism(4).chunkSize(5_000)
                .memoryLimit("4GB").build()) {
            RowChecker rows = Local.readAll(stream, c -> splits.add(String.valueOf(c.splitId())));
            assertThat(rows.exactlyOnce(N)).as("%d rows, %d duplicates", rows.rows(), rows.duplicates()).isTrue();
            assertThat(stream.stats().counters().get("items_scanned")).isEqualTo((long) N);
        }
        // Segments divide the partition-key hash space: with 16 partition keys some of 16 segments hold nothing.
        if (segments > 1) assertThat(splits).hasSizeBetween(2, segments);
    }

    @Test
    void parallelScanWithoutTotalSegmentsUsesOneSegmentPerReader() {
        SourceConfig config = config().withOption("projection", "id").withParallel(true);
        Set<String> splits = new HashSet<>();
        try (AdaptiveStream stream = AdaptiveStream.builder("dynamodb", config).parallelism(3).ordered(false)
                .memoryLimit("4GB").build()) {
            RowChecker rows = Local.readAll(stream, c -> splits.add(String.valueOf(c.splitId())));
            assertThat(rows.exactlyOnce(N)).isTrue();
        }
        assertThat(splits).containsExactlyInAnyOrder("segment-0-of-3", "segment-1-of-3", "segment-2-of-3");
    }

    @Test
    void parallelReadAheadStaysWithinItsByteBound() {
        long bound = 2L << 20;
        SourceConfig config = config().withOption("total_segments", "4").withOption("projection", "id, #n, nested")
                .withOption("expression_attribute_names", "{\"#n\": \"name\"}").withParallel(true);
        AtomicLong largestChunk = new AtomicLong();
        try (AdaptiveStream stream = AdaptiveStream.builder("dynamodb", config).parallelism(4).chunkSize(2_000)
                .maxQueueBytes(bound).memoryLimit("4GB").build()) {
            RowChecker rows = Local.readAll(stream, c -> largestChunk.accumulateAndGet(c.byteSize(), Math::max));
            assertThat(rows.exactlyOnce(N)).isTrue();
            // the queue admits past its bound only the one chunk the consumer waits for (or one into an empty queue)
            assertThat(stream.stats().counters().get("peak_queued_bytes"))
                    .isLessThanOrEqualTo(bound + 2 * largestChunk.get());
        }
    }

    @Test
    void segmentsReadOneAfterAnotherWithoutParallel() {
        try (StreamingSource source = Local.open(config().withOption("projection", "id")
                .withOption("total_segments", "7"))) {
            assertThat(source.metadata().parallelizable()).isTrue();
            RowChecker rows = Local.readAll(source, 10_000);
            assertThat(rows.exactlyOnce(N)).isTrue();
        }
    }

    @ParameterizedTest(name = "total_segments={0}")
    @ValueSource(ints = {3, 7})
    void workersEachReadingOneSegmentTogetherReadEveryItemOnce(int segments) {
        RowChecker rows = new RowChecker();
        for (int s = 0; s < segments; s++) {
            try (StreamingSource source = Local.open(config().withOption("projection", "id")
                    .withOption("total_segments", String.valueOf(segments)).withOption("segment", String.valueOf(s)))) {
                assertThat(source.metadata().parallelizable()).isFalse();
                long before = rows.rows();
                for (var c = source.readChunk(10_000); c.isPresent(); c = source.readChunk(10_000)) {
                    try (Chunk chunk = c.get()) {
                        rows.accept(chunk);
                    }
                }
                assertThat(rows.rows() - before).as("segment %d reads a share", s).isBetween(1L, (long) N - 1);
            }
        }
        assertThat(rows.exactlyOnce(N)).as("%d rows, %d duplicates", rows.rows(), rows.duplicates()).isTrue();
    }

    @Test
    void parallelScanOfAGlobalIndex() {
        SourceConfig config = config().withOption("index_name", ItemTable.GROUP_INDEX).withOption("projection", "id")
                .withOption("total_segments", "3").withParallel(true);
        try (AdaptiveStream stream = AdaptiveStream.builder("dynamodb", config).parallelism(3).memoryLimit("4GB")
                .build()) {
            assertThat(Local.readAll(stream, c -> { }).exactlyOnce(N)).isTrue();
        }
    }

    // ---------------------------------------------------------------- filters and empty pages

    @Test
    void filterThatEmptiesPagesMidTableReadsOnToTheEnd() {
        String first = scanOrder.get(0);
        String last = scanOrder.get(scanOrder.size() - 1);
        SourceConfig config = config().withOption("filter_expression", "pk = :a OR pk = :z")
                .withOption("expression_attribute_values", "{\":a\": \"" + first + "\", \":z\": \"" + last + "\"}")
                .withOption("projection", "id, pk")
                .withOption("limit", "500");
        Set<Long> expected = new HashSet<>();
        for (long i = 0; i < N; i++) {
            String pk = ItemTable.pk(i);
            if (pk.equals(first) || pk.equals(last)) expected.add(i);
        }
        try (StreamingSource source = Local.open(config)) {
            Set<Long> seen = new HashSet<>();
            long[] rows = {0};
            Local.readAll(source, 3_000, chunk -> {
                BigIntVector id = (BigIntVector) chunk.root().getVector("id");
                for (int r = 0; r < chunk.rowCount(); r++) {
                    seen.add(id.get(r));
                    rows[0]++;
                }
            });
            assertThat(rows[0]).isEqualTo(expected.size());
            assertThat(seen).isEqualTo(expected);
            Map<String, Long> counters = source.stats().counters();
            // 200 pages of 500 items; the 14 partitions in between come back empty
            assertThat(counters.get("pages")).isGreaterThanOrEqualTo(200L);
            assertThat(counters.get("empty_pages")).isGreaterThan(150L);
            assertThat(counters.get("items_scanned")).isEqualTo((long) N);
        }
    }

    @Test
    void filterMatchingOnlyTheLastItemStillFindsIt() {
        SourceConfig config = config().withOption("filter_expression", "id = :last")
                .withOption("expression_attribute_values", "{\":last\": {\"N\": \"" + lastScannedId + "\"}}")
                .withOption("limit", "1000");
        try (StreamingSource source = Local.open(config)) {
            List<Long> ids = new ArrayList<>();
            Local.readAll(source, 100, chunk -> ids.add(((BigIntVector) chunk.root().getVector("id")).get(0)));
            assertThat(ids).containsExactly(lastScannedId);
            assertThat(source.stats().counters().get("empty_pages")).isGreaterThanOrEqualTo(99L);
            assertThat(source.readChunk(100)).isEmpty();
        }
    }

    @Test
    void filterMatchingNothingEndsWithoutRowsAfterTheLastPage() {
        SourceConfig config = config().withOption("filter_expression", "#n = :none")
                .withOption("expression_attribute_names", "{\"#n\": \"name\"}")
                .withOption("expression_attribute_values", "{\":none\": \"no such item\"}")
                .withOption("limit", "2000");
        try (StreamingSource source = Local.open(config)) {
            assertThat(source.readChunk(1_000)).isEmpty();
            assertThat(source.readChunk(1_000)).isEmpty();
            Map<String, Long> counters = source.stats().counters();
            assertThat(counters.get("pages")).isGreaterThanOrEqualTo(50L);
            assertThat(counters.get("empty_pages")).isEqualTo(counters.get("pages"));
            assertThat(counters.get("items_scanned")).isEqualTo((long) N);
        }
    }

    // ---------------------------------------------------------------- query

    @Test
    void queriesOfEveryPartitionTogetherReadEveryItemOnceInKeyOrder() {
        RowChecker rows = new RowChecker();
        for (int p = 0; p < ItemTable.PARTITIONS; p++) {
            String pk = ItemTable.pk(p);
            SourceConfig config = Local.query(config(), pk)
                    .withOption("projection", "id, pk")
                    .withOption("limit", "1000");
            try (StreamingSource source = Local.open(config)) {
                assertThat(source.metadata().parallelizable()).isFalse();
                RowChecker partition = Local.readAll(source, 2_500, c -> {
                    rows.accept(c);
                    VarCharVector pks = (VarCharVector) c.root().getVector("pk");
                    for (int r = 0; r < c.rowCount(); r++) assertThat(pks.getObject(r).toString()).isEqualTo(pk);
                });
                assertThat(partition.ascending()).as("a query returns its partition in sort-key order").isTrue();
                assertThat(source.stats().counters().get("pages")).isGreaterThanOrEqualTo(7L);
            }
        }
        assertThat(rows.exactlyOnce(N)).as("%d rows, %d duplicates", rows.rows(), rows.duplicates()).isTrue();
    }

    @Test
    void queryWithSortKeyRangeAndAFilterThatEmptiesItsFirstPages() {
        // partition p05 holds 5, 21, 37, ...; the filter keeps only its last 100 items in the range
        SourceConfig config = config().withOption("operation", "query")
                .withOption("key_condition", "pk = :p AND sk BETWEEN :lo AND :hi")
                .withOption("filter_expression", "id >= :from")
                .withOption("expression_attribute_values",
                        "{\":p\": \"p05\", \":lo\": 5, \":hi\": 80005, \":from\": {\"N\": \"78405\"}}")
                .withOption("limit", "250");
        List<Long> ids = new ArrayList<>();
        try (StreamingSource source = Local.open(config)) {
            Local.readAll(source, 64, c -> {
                BigIntVector id = (BigIntVector) c.root().getVector("id");
                for (int r = 0; r < c.rowCount(); r++) ids.add(id.get(r));
            });
            assertThat(source.stats().counters().get("empty_pages")).isGreaterThanOrEqualTo(15L);
        }
        List<Long> expected = new ArrayList<>();
        for (long i = 78_405; i <= 80_005; i += 16) expected.add(i);
        assertThat(ids).isEqualTo(expected);
    }

    @Test
    void queryOfAGlobalIndex() {
        SourceConfig config = config().withOption("operation", "query").withOption("index_name",
                        ItemTable.GROUP_INDEX)
                .withOption("key_condition", "grp = :g").withOption("expression_attribute_values", "{\":g\": \"g3\"}")
                .withOption("projection", "id, grp");
        try (StreamingSource source = Local.open(config)) {
            RowChecker rows = Local.readAll(source, 8_000);
            assertThat(rows.rows()).isEqualTo(N / ItemTable.GROUPS);
            assertThat(rows.duplicates()).isZero();
            assertThat(rows.ascending()).isTrue();
        }
    }

    // ---------------------------------------------------------------- projection, nested as JSON

    @Test
    void projectionOfNestedPathsGivesOnlyThoseColumns() {
        SourceConfig config = config().withOption("projection", "id, nested.b, tags")
                .withOption("unknown_fields", "error");
        try (StreamingSource source = Local.open(config)) {
            RowChecker rows = Local.readAll(source, 20_000, chunk -> {
                VectorSchemaRoot root = chunk.root();
                BigIntVector id = (BigIntVector) root.getVector("id");
                StructVector nested = (StructVector) root.getVector("nested");
                for (int r = 0; r < chunk.rowCount(); r++) {
                    Map<?, ?> m = (Map<?, ?>) nested.getObject(r);
                    assertThat(m.keySet().stream().map(String::valueOf).toList()).containsExactly("b");
                    assertThat(m.get("b").toString()).isEqualTo("b-" + id.get(r));
                }
            });
            assertThat(rows.exactlyOnce(N)).isTrue();
            assertThat(source.metadata().schema().getFields().stream().map(Field::getName).toList())
                    .containsExactly("id", "nested", "tags");
        }
    }

    @Test
    void nestedAsJsonTextKeepsEveryValue() {
        SourceConfig config = config().withOption("nested_mode", "json").withOption("projection", "id, nested, nums, #b")
                .withOption("expression_attribute_names", "{\"#b\": \"blob\"}");
        try (StreamingSource source = Local.open(config)) {
            RowChecker rows = Local.readAll(source, 25_000, chunk -> {
                VectorSchemaRoot root = chunk.root();
                BigIntVector id = (BigIntVector) root.getVector("id");
                VarCharVector nested = (VarCharVector) root.getVector("nested");
                VarCharVector nums = (VarCharVector) root.getVector("nums");
                for (int r = 0; r < chunk.rowCount(); r++) {
                    long i = id.get(r);
                    assertThat(nested.getObject(r).toString()).isEqualTo("{\"a\":" + i + ",\"b\":\"b-" + i
                            + "\",\"c\":[" + i + "," + 2 * i + "],\"d\":" + (i % 2 == 1) + "}");
                    assertThat(Set.of(nums.getObject(r).toString().replaceAll("[\\[\\]]", "").split(",")))
                            .isEqualTo(Set.of(Long.toString(i), i + ".5"));
                }
            });
            assertThat(rows.exactlyOnce(N)).isTrue();
            assertThat(source.metadata().schema().findField("nested").getType()).isEqualTo(ArrowType.Utf8.INSTANCE);
            assertThat(source.metadata().schema().findField("blob").getType()).isEqualTo(ArrowType.Binary.INSTANCE);
        }
    }
}
