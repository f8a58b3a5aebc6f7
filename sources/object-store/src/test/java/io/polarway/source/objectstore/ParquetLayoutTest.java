package io.polarway.source.objectstore;

import io.polarway.api.StatsRecorder;
import io.polarway.error.ParseException;
import io.polarway.source.file.LocalParquetScanner;
import io.polarway.testing.ScriptedMemoryProbe;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The footer splice the object-store Parquet reader relies on: a sparse file holding one row group's column chunks at
 * their original offsets, plus the footer {@link ParquetLayout#footerFor} writes, is a Parquet file that the JNI
 * scanner reads as exactly that row group.
 */
class ParquetLayoutTest {
    @TempDir
    Path dir;

    static ParquetLayout layoutOf(Path file) throws IOException {
        byte[] all = Files.readAllBytes(file);
        int len = ByteBuffer.wrap(all, all.length - 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        byte[] footer = java.util.Arrays.copyOfRange(all, all.length - 8 - len, all.length - 8);
        return ParquetLayout.parse(footer, all.length, file.toString());
    }

    @Test
    void rowGroupsAndColumnChunksFromTheFooter() throws IOException {
        Path f = TestObjects.parquet(dir.resolve("t.parquet"), 100_000, 30_000);
        ParquetLayout layout = layoutOf(f);
        assertThat(layout.rowGroups()).extracting(ParquetLayout.RowGroup::rows)
                .containsExactly(30_000L, 30_000L, 30_000L, 10_000L);
        assertThat(layout.rows()).isEqualTo(100_000);
        for (ParquetLayout.RowGroup g : layout.rowGroups()) {
            assertThat(g.columns()).extracting(ParquetLayout.ColumnChunk::topLevel)
                    .containsExactly("id", "name", "amount");
            assertThat(g.bytes(Set.of("id"))).isLessThan(g.bytes(null));
        }
    }

    @Test
    void aSparseFileWithOneRowGroupScansAsThatRowGroup() throws IOException {
        Path f = TestObjects.parquet(dir.resolve("t.parquet"), 100_000, 30_000);
        ParquetLayout layout = layoutOf(f);
        try (BufferAllocator root = new RootAllocator();
             LocalParquetScanner scanner = new LocalParquetScanner(256L << 20,
                     new ScriptedMemoryProbe(1L << 30, 0.1))) {
            for (ParquetLayout.RowGroup g : layout.rowGroups()) {
                for (Set<String> wanted : List.of(Set.<String>of("id"), Set.of("id", "name", "amount"))) {
                    Path sparse = dir.resolve("rg" + g.index() + ".parquet");
                    stage(f, layout, g, wanted, sparse);
                    assertThat(Files.size(sparse)).isLessThan(Files.size(f));
                    long first = g.index() * 30_000L;
                    long next = first;
                    try (LocalParquetScanner.Scan scan = scanner.open(sparse, "s3://b/t.parquet",
                            List.copyOf(wanted).contains("name") ? null : List.of("id"), null, 32_768, root,
                            new StatsRecorder())) {
                        assertThat(scan.rowCount()).isEqualTo(g.rows());
                        for (VectorSchemaRoot b = scan.next(root, 32_768); b != null; b = scan.next(root, 32_768)) {
                            try (VectorSchemaRoot batch = b) {
                                BigIntVector id = (BigIntVector) batch.getVector("id");
                                for (int i = 0; i < batch.getRowCount(); i++) assertThat(id.get(i)).isEqualTo(next++);
                            }
                        }
                    }
                    assertThat(next - first).isEqualTo(g.rows());
                }
            }
            // no row group at all: the schema, and no rows
            Path empty = dir.resolve("none.parquet");
            stage(f, layout, null, Set.of(), empty);
            try (LocalParquetScanner.Scan scan = scanner.open(empty, "x", null, null, 1024, root, new StatsRecorder())) {
                assertThat(scan.schema().getFields()).hasSize(3);
                assertThat(scan.next(root, 1024)).isNull();
            }
        }
    }

    /** What ParquetObjectCursor does with ranged reads, from a local file. */
    private static void stage(Path source, ParquetLayout layout, ParquetLayout.RowGroup g, Set<String> wanted,
                              Path target) throws IOException {
        try (FileChannel in = FileChannel.open(source);
             FileChannel out = FileChannel.open(target, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                     StandardOpenOption.TRUNCATE_EXISTING)) {
            out.write(ByteBuffer.wrap("PAR1".getBytes()), 0);
            if (g != null) {
                for (ParquetLayout.ColumnChunk c : g.columns()) {
                    if (!wanted.contains(c.topLevel())) continue;
                    ByteBuffer b = ByteBuffer.allocate((int) c.length());
                    in.read(b, c.start());
                    out.write(b.flip(), c.start());
                }
            }
            byte[] footer = layout.footerFor(g);
            out.write(ByteBuffer.wrap(footer), layout.footerStart());
            ByteBuffer tail = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(footer.length)
                    .put("PAR1".getBytes()).flip();
            out.write(tail, layout.footerStart() + footer.length);
        }
    }

    @Test
    void aCorruptFooterIsAParseErrorWithItsOffset() {
        byte[] garbage = {(byte) 0x15, 0x02, (byte) 0xff, (byte) 0xff};
        assertThatThrownBy(() -> ParquetLayout.parse(garbage, 1000, "s3://b/x.parquet"))
                .isInstanceOf(ParseException.class)
                .hasMessageContaining("corrupt Parquet footer")
                .hasMessageContaining("s3://b/x.parquet");
    }
}
