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

import java.net.URI;
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
