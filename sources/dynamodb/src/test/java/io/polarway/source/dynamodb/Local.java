package io.polarway.source.dynamodb;

import io.polarway.api.Chunk;
import io.polarway.api.Credentials;
import io.polarway.api.SourceConfig;
import io.polarway.api.SourceRegistry;
import io.polarway.api.StreamingSource;
import io.polarway.source.dynamodb.fixture.ItemTable;
import io.polarway.source.dynamodb.fixture.SeededTables;
import io.polarway.stream.AdaptiveStream;
import io.polarway.testing.RowChecker;
import io.polarway.testkit.Backends;

import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/** Test helpers: the shared dynalite (under the CI rule), configs pointing at it, and read-everything loops. */
final class Local {
    private Local() {
    }

    /** The JVM's dynalite with its tables; fails under CI=true, skips elsewhere, when it cannot start. */
    static SeededTables tables() {
        return Backends.start("dynalite (DynamoDB server, npm)", SeededTables::shared);
    }

    /** The JVM's dynalite with {@code n} {@link ItemTable#item(long)}s in {@code table}, seeded on first call. */
    static SeededTables tables(String table, int n) {
        SeededTables t = tables();
        t.items(table, n);
        return t;
    }

    /** The JVM's dynalite with an empty {@link ItemTable#createPlain} table {@code table}, for custom items. */
    static SeededTables plainTable(String table) {
        SeededTables t = tables();
        ItemTable.createPlain(t.client(), table);
        return t;
    }

    /** {@code config} turned into a query of the items whose partition key {@code pk} is {@code partition}. */
    static SourceConfig query(SourceConfig config, String partition) {
        return config.withOption("operation", "query").withOption("key_condition", "pk = :p")
                .withOption("expression_attribute_values", "{\":p\": \"" + partition + "\"}");
    }

    /** A config for {@code table} on {@code endpoint} with local credentials. */
    static SourceConfig config(URI endpoint, String table) {
        return SourceConfig.of(table)
                .withCredentials(Credentials.DynamoDb.of(ItemTable.ACCESS_KEY, ItemTable.SECRET_KEY, ItemTable.REGION))
                .withOption("endpoint", endpoint.toString());
    }

    static StreamingSource open(SourceConfig config) {
        return SourceRegistry.withDefaults().create("dynamodb", config);
    }

    /** Reads every chunk of {@code source} with {@code rows} per chunk, checking ids, handing each chunk to {@code each}. */
    static RowChecker readAll(StreamingSource source, int rows, Consumer<Chunk> each) {
        RowChecker checker = new RowChecker();
        for (Optional<Chunk> c; (c = source.readChunk(rows)).isPresent(); ) {
            try (Chunk chunk = c.get()) {
                checker.accept(chunk);
                each.accept(chunk);
            }
        }
        return checker;
    }

    static RowChecker readAll(StreamingSource source, int rows) {
        return readAll(source, rows, c -> { });
    }

    /** Reads every chunk of {@code source} with {@code rows} per chunk, handing each to {@code each}; returns rows. */
    static long count(StreamingSource source, int rows, Consumer<Chunk> each) {
        long n = 0;
        for (Optional<Chunk> c; (c = source.readChunk(rows)).isPresent(); ) {
            try (Chunk chunk = c.get()) {
                n += chunk.rowCount();
                each.accept(chunk);
            }
        }
        return n;
    }

    /** The key attributes of a custom item of a {@link ItemTable#createPlain} table: pk S, sk N. */
    static Map<String, AttributeValue> key(String pk, long sk) {
        Map<String, AttributeValue> m = new LinkedHashMap<>();
        m.put("pk", AttributeValue.fromS(pk));
        m.put("sk", AttributeValue.fromN(Long.toString(sk)));
        return m;
    }

    /** Reads every chunk of {@code stream}, checking ids. */
    static RowChecker readAll(AdaptiveStream stream, Consumer<Chunk> each) {
        RowChecker checker = new RowChecker();
        for (Optional<Chunk> c; (c = stream.next()).isPresent(); ) {
            try (Chunk chunk = c.get()) {
                checker.accept(chunk);
                each.accept(chunk);
            }
        }
        return checker;
    }
}
