package io.polarway.source.file.parquet;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The Thrift compact tree reads and writes a real Parquet footer byte for byte, and rejects garbage typed. */
class ThriftCompactTest {
    @TempDir
    Path dir;

    @Test
    void aParquetFooterRoundTripsByteForByte() throws Exception {
        Path file = dir.resolve("f.parquet");
        Schema schema = new Schema(List.of(Field.nullable("id", new ArrowType.Int(64, true)),
                Field.nullable("s", ArrowType.Utf8.INSTANCE)));
        try (BufferAllocator a = new RootAllocator();
             ParquetChunkFileWriter w = ParquetChunkFileWriter.create(file, 1_000, 64L << 20);
             VectorSchemaRoot root = VectorSchemaRoot.create(schema, a)) {
            for (int batch = 0; batch < 5; batch++) {
                BigIntVector id = (BigIntVector) root.getVector("id");
                VarCharVector s = (VarCharVector) root.getVector("s");
                id.allocateNew(1_000);
                s.allocateNew(1_000);
                for (int i = 0; i < 1_000; i++) {
                    id.set(i, batch * 1_000L + i);
                    if (i % 5 == 0) s.setNull(i);
                    else s.setSafe(i, ("v" + i).getBytes(StandardCharsets.UTF_8));
                }
                root.setRowCount(1_000);
                w.write(root);
            }
        }
        byte[] all = Files.readAllBytes(file);
        int footerLength = ByteBuffer.wrap(all, all.length - 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        byte[] footer = Arrays.copyOfRange(all, all.length - 8 - footerLength, all.length - 8);

        ThriftCompact.Struct meta = ThriftCompact.readStruct(ByteBuffer.wrap(footer));
        assertThat(ThriftCompact.write(meta)).isEqualTo(footer);
        assertThat(ThriftCompact.write(meta.deepCopy())).isEqualTo(footer);
        assertThat(meta.number(3, -1)).isEqualTo(5_000);
        assertThat(meta.list(4)).hasSize(5);

        ParquetLayout layout = ParquetLayout.read(file);
        assertThat(layout.rowGroups()).hasSize(5).allMatch(g -> g.rows() == 1_000);
        assertThat(layout.notWindowable()).isNull();
        assertThat(layout.bytes(List.of("id"))).isPositive().isLessThan(layout.bytes(null));
        for (ParquetLayout.RowGroup g : layout.rowGroups()) {
            assertThat(g.chunks()).extracting(ParquetLayout.Chunk::column).containsExactly("id", "s");
        }
    }

    @Test
    void everyValueTypeRoundTrips() {
        ThriftCompact.Struct inner = new ThriftCompact.Struct();
        inner.put(1, ThriftCompact.BINARY, "x".getBytes(StandardCharsets.UTF_8));
        ThriftCompact.Struct s = new ThriftCompact.Struct();
        s.put(1, ThriftCompact.BOOL_TRUE, true);
        s.put(2, ThriftCompact.BOOL_TRUE, false);
        s.put(3, ThriftCompact.BYTE, (byte) -7);
        s.put(4, ThriftCompact.I16, (short) -300);
        s.put(5, ThriftCompact.I32, Integer.MIN_VALUE);
        s.put(6, ThriftCompact.I64, Long.MAX_VALUE);
        s.put(7, ThriftCompact.DOUBLE, -0.125);
        s.put(40, ThriftCompact.STRUCT, inner); // an id jump beyond 15 uses the long field header
        s.put(41, ThriftCompact.LIST, new ThriftCompact.ListValue(ThriftCompact.LIST, ThriftCompact.BOOL_TRUE,
                new java.util.ArrayList<>(List.of(true, false, true))));
        java.util.List<Object> many = new java.util.ArrayList<>();
        for (int i = 0; i < 20; i++) many.add((long) i * 1_000_000_007L);
        s.put(42, ThriftCompact.SET, new ThriftCompact.ListValue(ThriftCompact.SET, ThriftCompact.I64, many));
        java.util.List<Object[]> entries = new java.util.ArrayList<>();
        entries.add(new Object[]{"k".getBytes(StandardCharsets.UTF_8), 1});
        s.put(43, ThriftCompact.MAP, new ThriftCompact.MapValue(ThriftCompact.BINARY, ThriftCompact.I32, entries));
        s.put(44, ThriftCompact.MAP, new ThriftCompact.MapValue(0, 0, new java.util.ArrayList<>()));

        byte[] bytes = ThriftCompact.write(s);
        ThriftCompact.Struct back = ThriftCompact.readStruct(ByteBuffer.wrap(bytes));
        assertThat(ThriftCompact.write(back)).isEqualTo(bytes);
        assertThat(back.get(1)).isEqualTo(true);
        assertThat(back.get(2)).isEqualTo(false);
        assertThat(back.number(4, 0)).isEqualTo(-300);
        assertThat(back.number(5, 0)).isEqualTo(Integer.MIN_VALUE);
        assertThat(back.number(6, 0)).isEqualTo(Long.MAX_VALUE);
        assertThat(back.get(7)).isEqualTo(-0.125);
        assertThat(back.struct(40).get(1)).isEqualTo("x".getBytes(StandardCharsets.UTF_8));
        assertThat(back.list(41)).containsExactly(true, false, true);
        assertThat(back.list(42)).hasSize(20).contains(19 * 1_000_000_007L);
    }

    @Test
    void garbageIsACorruptErrorWithAPosition() {
        byte[] truncated = {0x15, 0x02, 0x19}; // i32 field, then a list header with no body
        assertThatThrownBy(() -> ThriftCompact.readStruct(ByteBuffer.wrap(truncated)))
                .isInstanceOf(ThriftCompact.Corrupt.class).hasMessageContaining("end of data");
        byte[] hugeBinary = {0x18, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f};
        assertThatThrownBy(() -> ThriftCompact.readStruct(ByteBuffer.wrap(hugeBinary)))
                .isInstanceOf(ThriftCompact.Corrupt.class).hasMessageContaining("exceeds");
        byte[] badType = {0x1e};
        assertThatThrownBy(() -> ThriftCompact.readStruct(ByteBuffer.wrap(badType)))
                .isInstanceOf(ThriftCompact.Corrupt.class).hasMessageContaining("unknown Thrift type");
        byte[] deep = new byte[200];
        Arrays.fill(deep, (byte) 0x1c); // struct in struct in struct ...
        assertThatThrownBy(() -> ThriftCompact.readStruct(ByteBuffer.wrap(deep)))
                .isInstanceOf(ThriftCompact.Corrupt.class).hasMessageContaining("deeper");
    }
}
