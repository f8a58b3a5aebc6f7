package io.polarway.bench.dynamodb;

import io.polarway.api.SourceConfig;
import io.polarway.source.dynamodb.fixture.ItemTable;
import io.polarway.source.dynamodb.fixture.SeededTables;

import java.util.List;

/**
 * The dataset of a scenario whose source is {@code dynamodb}: a table of {@link ItemTable} items (id 0..n-1, every
 * DynamoDB type, ~450 bytes each) served by dynalite on 127.0.0.1.
 *
 * <p>The bench runner calls {@link #prepare} <em>outside</em> the profile's cgroup, before the scenario's fork starts:
 * the server and its data must not count against the memory limit the scenario measures (on a real VM, DynamoDB is
 * another machine). Tables live in the cache folder ({@code dynalite-<version>/scenarios}), one per item count, so
 * each size is seeded once per machine. The fork receives the endpoint and table through system properties and reads
 * them with {@link #forFork}. Credentials travel the AWS SDK's own way (system properties {@code aws.accessKeyId},
 * {@code aws.secretAccessKey}): local ones, which dynalite accepts.
 */
public final class DynamoDbDataset implements AutoCloseable {
    /** The source type this dataset serves. */
    public static final String SOURCE = "dynamodb";
    static final String ENDPOINT_PROPERTY = "bench.dynamodb.endpoint";
    static final String TABLE_PROPERTY = "bench.dynamodb.table";

    private final SeededTables tables;
    private final String table;

    private DynamoDbDataset(SeededTables tables, String table) {
        this.tables = tables;
        this.table = table;
    }

    /**
     * Starts dynalite on the scenarios' data folder and makes sure table {@code <location>_<rows>} holds {@code rows}
     * items (seeding it the first time). Close the result when the scenario's fork has finished.
     *
     * @throws io.polarway.testkit.BackendStartException when dynalite cannot be installed or started
     */
    public static DynamoDbDataset prepare(String location, long rows) {
        if (rows > Integer.MAX_VALUE) throw new IllegalArgumentException("too many items for one table: " + rows);
        SeededTables tables = SeededTables.persistent("scenarios");
        try {
            String table = tables.items(location + "_" + rows, (int) rows);
            return new DynamoDbDataset(tables, table);
        } catch (RuntimeException e) {
            tables.close();
            throw e;
        }
    }

    /** What the scenario's fork needs to read the table. */
    public List<String> forkJvmArgs() {
        return List.of("-D" + ENDPOINT_PROPERTY + "=" + tables.endpoint(), "-D" + TABLE_PROPERTY + "=" + table,
                "-Daws.accessKeyId=" + ItemTable.ACCESS_KEY, "-Daws.secretAccessKey=" + ItemTable.SECRET_KEY,
                "-Daws.region=" + ItemTable.REGION, "-Daws.disableEc2Metadata=true");
    }

    /**
     * In the fork: {@code config} pointed at the table {@link #prepare} seeded (location and {@code endpoint}).
     *
     * @throws IllegalStateException when the fork was not started by the bench runner with a prepared dataset
     */
    public static SourceConfig forFork(SourceConfig config) {
        String endpoint = System.getProperty(ENDPOINT_PROPERTY);
        String table = System.getProperty(TABLE_PROPERTY);
        if (endpoint == null || table == null) {
            throw new IllegalStateException("a dynamodb scenario needs the bench runner to prepare its table ("
                    + ENDPOINT_PROPERTY + " and " + TABLE_PROPERTY + " are not set)");
        }
        return config.withLocation(table).withOption("endpoint", endpoint);
    }

    /** Stops the server; the table stays in the cache folder for the next run. */
    @Override
    public void close() {
        tables.close();
    }
}
