package io.polarway.source.objectstore;

import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.OutOfMemoryException;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PartBudgetTest {

    @Test
    void readAheadStaysWithinTheCapacityAndTheAllocatorLimit() {
        try (RootAllocator root = new RootAllocator(10L << 20); PartBudget b = new PartBudget(root, 4L << 20)) {
            ArrowBuf one = b.tryAcquire(1L << 20);
            ArrowBuf two = b.tryAcquire(2L << 20);
            assertThat(one).isNotNull();
            assertThat(two).isNotNull();
            assertThat(b.tryAcquire(2L << 20)).as("past the capacity").isNull();
            assertThat(b.refusals()).isEqualTo(1);
            assertThat(root.getAllocatedMemory()).isEqualTo(3L << 20);
            // the guaranteed buffer goes past the capacity, not past the allocator's limit
            ArrowBuf forced = b.acquire(4L << 20);
            assertThat(b.reservedBytes()).isEqualTo(7L << 20);
            assertThatThrownBy(() -> b.acquire(4L << 20)).isInstanceOf(OutOfMemoryException.class);
            assertThat(b.reservedBytes()).as("a failed reservation is undone").isEqualTo(7L << 20);
            b.release(forced);
            b.release(one);
            b.release(two);
            assertThat(b.reservedBytes()).isZero();
            assertThat(b.peakBytes()).isEqualTo(7L << 20);
        }
    }

    @Test
    void oddSizesAreCountedAsTheAllocatorRoundsThem() {
        try (RootAllocator root = new RootAllocator(); PartBudget b = new PartBudget(root, 64L << 20)) {
            ArrowBuf buf = b.tryAcquire(3_000_000);
            assertThat(b.reservedBytes()).isEqualTo(root.getAllocatedMemory());
            b.release(buf);
            assertThat(b.reservedBytes()).isZero();
        }
    }
}
