package io.polarway.api;

import io.polarway.error.ConfigException;
import io.polarway.error.ErrorKind;
import io.polarway.error.MemoryLimitException;
import io.polarway.error.UnsupportedSourceException;
import io.polarway.testing.RowChecker;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SourceRegistryTest {
    private final SourceRegistry registry = SourceRegistry.withDefaults();

    @Test
    void generateIsFoundThroughServiceLoader() {
        assertThat(registry.names()).contains("generate");
        assertThat(registry.list()).extracting(SourceFactory::type).contains("generate");
        assertThat(registry.factory("GENERATE").options().keys()).contains("rows", "seed", "columns");
    }

    @Test
    void unknownTypeListsTheRegisteredOnes() {
        assertThatThrownBy(() -> registry.create("parquetz", SourceConfig.of("x")))
                .isInstanceOfSatisfying(UnsupportedSourceException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ErrorKind.UNSUPPORTED_SOURCE);
                    assertThat(e.getMessage()).contains("unknown source type 'parquetz'").contains("generate");
                });
    }

    @Test
    void aKnownTypeWhoseModuleIsMissingNamesTheModule() {
        SourceRegistry bare = SourceRegistry.empty();
        assertThatThrownBy(() -> bare.create("kafka", SourceConfig.of("topic")))
                .isInstanceOf(UnsupportedSourceException.class).hasMessageContaining("polarway-source-kafka");
    }

    @Test
    void unknownOptionKeyIsAConfigErrorListingTheValidKeys() {
        assertThatThrownBy(() -> registry.create("generate", SourceConfig.of("x").withOption("rowz", "5")))
                .isInstanceOfSatisfying(ConfigException.class, e -> {
                    assertThat(e.key()).contains("rowz");
                    assertThat(e.validChoices()).contains("rows", "seed");
                    assertThat(e.getMessage()).contains("unknown option 'rowz'").contains("valid: seed, rows");
                });
    }

    @Test
    void badOptionValueNamesTheKey() {
        assertThatThrownBy(() -> registry.create("generate", SourceConfig.of("x").withOption("rows", "-3")))
                .isInstanceOfSatisfying(ConfigException.class, e -> {
                    assertThat(e.key()).contains("rows");
                    assertThat(e.getMessage()).contains("'rows'").contains("at least 0");
                });
        assertThatThrownBy(() -> registry.create("generate", SourceConfig.of("x").withOption("types", "int64,uuid")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("types");
    }

    @Test
    void sourceReadsToTheEndAndStaysThere() {
        try (StreamingSource s = registry.create("generate", SourceConfig.of("x").withOption("rows", "2500")
                .withChunkSize(1000))) {
            assertThat(s.metadata().recordCount()).isEqualTo(2500);
            assertThat(s.metadata().schema().getFields()).extracting(f -> f.getName()).startsWith("id", "c1");
            RowChecker rc = new RowChecker();
            int chunks = 0;
            for (Chunk c : s) {
                try (c) {
                    assertThat(c.rowCount()).isLessThanOrEqualTo(1000);
                    rc.accept(c);
                    chunks++;
                }
            }
            assertThat(chunks).isEqualTo(3);
            assertThat(rc.exactlyOnce(2500)).isTrue();
            assertThat(s.readChunk()).isEmpty();
            assertThat(s.readChunk()).isEmpty();
            assertThat(s.stats().records()).isEqualTo(2500);
            assertThat(s.stats().chunks()).isEqualTo(3);
        }
    }

    @Test
    void sameSeedSameData_otherSeedOtherData() {
        long a = firstValue("7");
        assertThat(firstValue("7")).isEqualTo(a);
        assertThat(firstValue("8")).isNotEqualTo(a);
    }

    private long firstValue(String seed) {
        try (StreamingSource s = registry.create("generate", SourceConfig.of("x").withOption("seed", seed)
                .withOption("types", "int64")); Chunk c = s.readChunk(10).orElseThrow()) {
            return ((org.apache.arrow.vector.BigIntVector) c.root().getVector("c1")).get(3);
        }
    }

    @Test
    void aMemoryLimitErrorLeavesTheSourceUsable() {
        SourceConfig wide = SourceConfig.of("x").withOption("rows", "10").withOption("types", "utf8")
                .withOption("columns", "8").withOption("string_length", "1048576").withMemoryLimit("40MiB");
        try (StreamingSource s = registry.create("generate", wide)) {
            assertThatThrownBy(() -> s.readChunk(8)).isInstanceOfSatisfying(MemoryLimitException.class, e -> {
                assertThat(e.limitBytes()).isEqualTo(40L << 20);
                assertThat(e.attemptedBytes()).isGreaterThan(40L << 20);
            });
            Optional<Chunk> two = s.readChunk(2);
            try (Chunk c = two.orElseThrow()) {
                RowChecker rc = new RowChecker();
                rc.accept(c);
                assertThat(rc.exactlyOnce(2)).as("nothing skipped by the failed read").isTrue();
            }
            assertThat(s.tryReadChunk().isErr()).as("8 rows of 8 MiB still do not fit").isTrue();
            try (Chunk c = s.readChunk(3).orElseThrow()) {
                assertThat(c.rowCount()).isEqualTo(3);
            }
        }
    }

    @Test
    void tryReadChunkTurnsErrorsIntoValues() {
        SourceConfig wide = SourceConfig.of("x").withOption("rows", "10").withOption("types", "utf8")
                .withOption("columns", "8").withOption("string_length", "1048576").withMemoryLimit("20MiB")
                .withChunkSize(10);
        try (StreamingSource s = registry.create("generate", wide)) {
            String outcome = s.tryReadChunk().match(c -> "ok", e -> e.kind().name());
            assertThat(outcome).isEqualTo("MEMORY_LIMIT");
        }
    }
}
