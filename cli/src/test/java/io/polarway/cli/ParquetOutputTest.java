package io.polarway.cli;

import io.polarway.api.Chunk;
import io.polarway.api.SourceConfig;
import io.polarway.api.SourceContext;
import io.polarway.api.SourceRegistry;
import io.polarway.api.StreamingSource;
import io.polarway.memory.MemoryMonitor;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code polarway stream ... --output x.parquet} converts, and the file source reads back every row. */
class ParquetOutputTest {
    @TempDir
    Path dir;

    @Test
    void generatedRowsConvertToParquetAndBack() throws Exception {
        Path out = dir.resolve("out.parquet");
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        int code = Polarway.run(new PrintStream(stdout, true, StandardCharsets.UTF_8),
                new PrintStream(stderr, true, StandardCharsets.UTF_8),
                "stream", "synthetic", "--source", "generate", "--option", "rows=300000", "--chunk-size", "7000",
                "--output", out.toString(), "--quiet");
        assertThat(code).as(stderr.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(out).exists();
        try (java.util.stream.Stream<Path> left = Files.list(dir)) {
            assertThat(left.toList()).containsExactly(out); // no temporary directory left behind
        }

        BitSet seen = new BitSet();
        long rows = 0;
        try (RootAllocator a = new RootAllocator()) {
            try (StreamingSource s = SourceRegistry.withDefaults().create("file", SourceConfig.of(out.toString()),
                    new SourceContext(a, MemoryMonitor.create(0, a)))) {
                assertThat(s.metadata().recordCount()).isEqualTo(300_000);
                assertThat(s.metadata().schema().getFields()).hasSize(5);
                for (Optional<Chunk> c; (c = s.readChunk(50_000)).isPresent(); ) {
                    try (Chunk chunk = c.get()) {
                        BigIntVector id = (BigIntVector) chunk.root().getVector("id");
                        for (int i = 0; i < chunk.rowCount(); i++) {
                            seen.set((int) id.get(i));
                            rows++;
                        }
                    }
                }
            }
        }
        assertThat(rows).isEqualTo(300_000);
        assertThat(seen.cardinality()).isEqualTo(300_000);
    }
}
