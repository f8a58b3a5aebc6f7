package io.polarway.source.file;

import io.polarway.api.Chunk;
import io.polarway.api.SourceConfig;
import io.polarway.api.StreamingSource;
import io.polarway.source.file.ipc.MappedRegion;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.FieldVector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Arrow IPC: the file format memory-mapped without copying, the stream format, and use_mmap=false. */
class IpcSourceTest {
    static final long ROWS = 600_000;
    static final int BLOCK = 25_000;

    @TempDir
    static Path dir;
    static Path file;
    static Path stream;

    final SourceFixture fx = new SourceFixture();

    @BeforeAll
    static void write() throws Exception {
        file = TestData.ipcFile(dir.resolve("data.arrow"), 0, ROWS, BLOCK);
        stream = TestData.ipcStream(dir.resolve("data.arrows"), 0, ROWS, BLOCK);
    }

    @AfterEach
    void close() {
        fx.close();
    }

    private static List<MappedRegion> regionsOf(Path p) {
        return MappedRegion.live().stream().filter(r -> r.file().equals(p)).toList();
    }

    @Test
    void chunkBuffersLiveInsideTheMappingAndTheMappingIsReleasedOnClose() throws Exception {
        // a 1 MiB window: the file (~12 MB, 24 blocks) is mapped in many windows, each dropped once read past
        SourceConfig config = SourceConfig.of(file.toString()).withOption("mmap_window_bytes", "1MiB");
        List<Chunk> held = new ArrayList<>();
        try (StreamingSource source = fx.open(config)) {
            int checked = 0;
            TestData.Checksum sum = new TestData.Checksum();
            for (Optional<Chunk> c; (c = source.readChunk(BLOCK)).isPresent(); ) {
                Chunk chunk = c.get();
                sum.accept(chunk);
                List<MappedRegion> live = regionsOf(file);
                for (FieldVector v : chunk.root().getFieldVectors()) {
                    for (ArrowBuf b : v.getBuffers(false)) {
                        if (b.capacity() == 0) continue;
                        assertThat(live).as("buffer of %s at %x", v.getName(), b.memoryAddress())
                                .anyMatch(r -> r.containsAddress(b.memoryAddress(), b.capacity()));
                        checked++;
                    }
                }
                if (held.size() < 2) held.add(chunk); // keep the first two chunks open past the source's close
                else chunk.close();
            }
            assertThat(sum.exactly(ROWS)).as(sum.toString()).isTrue();
            assertThat(checked).isGreaterThan(24 * 4);
            assertThat(source.stats().counters().get("mapped_bytes")).isPositive();
            // windows read past and not held by a chunk are already unmapped
            assertThat(regionsOf(file).size()).isLessThanOrEqualTo(3);
        }
        // the open chunks keep their mapping alive after the source closed...
        assertThat(regionsOf(file)).isNotEmpty();
        assertThat(mapsOf(file)).isTrue();
        TestData.Checksum early = new TestData.Checksum();
        for (Chunk c : held) early.accept(c);
        assertThat(early.rows).isEqualTo(2L * BLOCK);
        held.forEach(Chunk::close);
        // ...and closing them unmaps it
        assertThat(regionsOf(file)).isEmpty();
        assertThat(mapsOf(file)).isFalse();
    }

    /** Whether /proc/self/maps (the kernel's view) still lists a mapping of the file. */
    private static boolean mapsOf(Path p) throws Exception {
        Path maps = Path.of("/proc/self/maps");
        if (!Files.exists(maps)) return !regionsOf(p).isEmpty();
        String real = p.toRealPath().toString();
        return Files.readAllLines(maps).stream().anyMatch(l -> l.endsWith(real));
    }

    @ParameterizedTest
    @ValueSource(ints = {1_000, 7_777, 25_000, 60_000, 250_000})
    void mappedFileEveryRowOnceForChunkSizesAroundBlocks(int chunkRows) {
        TestData.Checksum sum = fx.readAll(SourceConfig.of(file.toString()), chunkRows);
        assertThat(sum.exactly(ROWS)).as(sum.toString()).isTrue();
        assertThat(sum.ascending).isTrue();
        assertThat(MappedRegion.live().stream().filter(r -> r.file().equals(file))).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(ints = {3_000, 25_000, 100_000})
    void channelReadWithoutMmap(int chunkRows) {
        TestData.Checksum sum = fx.readAll(SourceConfig.of(file.toString()).withOption("use_mmap", "false"),
                chunkRows);
        assertThat(sum.exactly(ROWS)).as(sum.toString()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(ints = {9_999, 25_000, 80_000})
    void streamFormat(int chunkRows) {
        TestData.Checksum sum = fx.readAll(SourceConfig.of(stream.toString()), chunkRows);
        assertThat(sum.exactly(ROWS)).as(sum.toString()).isTrue();
        // the stream format under the .arrow extension is recognised by its first bytes
        TestData.Checksum renamed = fx.readAll(SourceConfig.of(stream.toString()).withOption("format", "arrow"),
                chunkRows);
        assertThat(renamed.exactly(ROWS)).isTrue();
    }

    @Test
    void projectionOfAMappedFileKeepsOnlyTheColumns() {
        try (StreamingSource source = fx.open(SourceConfig.of(file.toString()).withOption("columns", "flag,id"))) {
            TestData.Checksum sum = new TestData.Checksum();
            for (Optional<Chunk> c; (c = source.readChunk(40_000)).isPresent(); ) {
                try (Chunk chunk = c.get()) {
                    assertThat(chunk.root().getSchema().getFields()).extracting(f -> f.getName())
                            .containsExactly("flag", "id");
                    sum.accept(chunk);
                }
            }
            assertThat(sum.exactly(ROWS, false, false, true)).isTrue();
        }
        assertThat(Set.copyOf(regionsOf(file))).isEmpty();
    }
}
