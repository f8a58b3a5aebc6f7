package io.polarway.api;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Release listeners add up (the stream and the source each register one), and discard is told apart from close. */
class ChunkTest {

    private static Chunk chunk(BufferAllocator root) {
        BufferAllocator a = root.newChildAllocator("c", 0, Long.MAX_VALUE);
        BigIntVector v = new BigIntVector("x", a);
        v.allocateNew(3);
        v.setValueCount(3);
        return new Chunk(VectorSchemaRoot.of(v), a, 0, null);
    }

    @Test
    void everyOnCloseActionRunsOnceInOrderAfterTheBuffersAreReleased() {
        try (RootAllocator root = new RootAllocator()) {
            Chunk c = chunk(root);
            List<String> log = new ArrayList<>();
            c.onClose(() -> log.add("stream:" + root.getAllocatedMemory()));
            c.onClose(() -> log.add("source:" + c.isDiscarded()));
            c.close();
            c.close();
            assertThat(log).containsExactly("stream:0", "source:false");
            c.onClose(() -> log.add("late")); // registered after close: runs at once
            assertThat(log).containsExactly("stream:0", "source:false", "late");
        }
    }

    @Test
    void discardReleasesLikeCloseButMarksTheRowsNotConsumed() {
        try (RootAllocator root = new RootAllocator()) {
            Chunk c = chunk(root);
            List<Boolean> seen = new ArrayList<>();
            c.onClose(() -> seen.add(c.isDiscarded()));
            c.discard();
            assertThat(seen).containsExactly(true);
            assertThat(c.isClosed()).isTrue();
            assertThat(root.getAllocatedMemory()).isZero();
            assertThat(c.toString()).contains("discarded");
        }
    }

    @Test
    void aFailingActionDoesNotStopTheOthers() {
        try (RootAllocator root = new RootAllocator()) {
            Chunk c = chunk(root);
            List<String> log = new ArrayList<>();
            c.onClose(() -> {
                throw new IllegalStateException("boom");
            });
            c.onClose(() -> log.add("second"));
            assertThatThrownBy(c::close).hasMessage("boom");
            assertThat(log).containsExactly("second");
            assertThat(root.getAllocatedMemory()).isZero();
        }
    }
}
