package io.polarway.source.file;

import io.polarway.api.SourceConfig;
import io.polarway.source.file.parquet.ParquetFooter;
import io.polarway.source.file.parquet.ParquetLayout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A window file holds exactly its row groups, readable by the scanner, with the other bytes left as holes. */
class ParquetWindowTest {
    static final int ROW_GROUP = 10_000;

    @TempDir
    static Path dir;
    static Path file;

    final SourceFixture fx = new SourceFixture();

    @BeforeAll
    static void write() throws Exception {
        file = TestData.parquet(dir.resolve("src.parquet"), 0, 12 * ROW_GROUP, ROW_GROUP);
    }

    @AfterEach
    void close() {
        fx.close();
    }

    @Test
    void aWindowIsAParquetFileOfItsRowGroups() throws Exception {
        ParquetLayout layout = ParquetLayout.read(file);
        assertThat(layout.rowGroups()).hasSize(12);
        Path window = dir.resolve("w.parquet");
        long copied;
        try (FileChannel ch = FileChannel.open(file)) {
            copied = layout.writeWindow(ch, window, 3, 7, null);
        }
        ParquetFooter footer = ParquetFooter.read(window);
        assertThat(footer.rowGroupRows()).hasSize(4).allMatch(r -> r == ROW_GROUP);
        assertThat(footer.rowCount()).isEqualTo(4L * ROW_GROUP);
        long expected = 0;
        int chunks = 0;
        for (int g = 3; g < 7; g++) {
            expected += layout.rowGroups().get(g).bytes(null);
            chunks += layout.rowGroups().get(g).chunks().size();
        }
        // each chunk range carries up to 100 bytes of padding; adjacent ranges overlap and are copied once
        assertThat(copied).isBetween(expected - 100L * chunks, expected);

        TestData.Checksum sum = fx.readAll(SourceConfig.of(window.toString()), 7_000);
        assertThat(sum.rows).isEqualTo(4L * ROW_GROUP);
        assertThat(sum.seen.nextSetBit(0)).isEqualTo(3 * ROW_GROUP);
        assertThat(sum.seen.previousSetBit(Integer.MAX_VALUE)).isEqualTo(7 * ROW_GROUP - 1);
        assertThat(sum.duplicates).isZero();
        assertThat(sum.ascending).isTrue();
    }

    @Test
    void aProjectedWindowCopiesOnlyItsColumnsAndReadsThem() throws Exception {
        ParquetLayout layout = ParquetLayout.read(file);
        Path window = dir.resolve("p.parquet");
        long copied;
        try (FileChannel ch = FileChannel.open(file)) {
            copied = layout.writeWindow(ch, window, 0, 12, List.of("id", "flag"));
        }
        assertThat(copied).isLessThan(layout.bytes(null));
        TestData.Checksum sum = fx.readAll(SourceConfig.of(window.toString()).withOption("columns", "flag,id"),
                50_000);
        assertThat(sum.exactly(12L * ROW_GROUP, false, false, true)).as(sum.toString()).isTrue();
        assertThat(Files.size(window)).isGreaterThan(copied); // the other columns are holes
    }
}
