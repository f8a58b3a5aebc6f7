package io.polarway.api;

import io.polarway.config.ByteSize;
import io.polarway.config.OptionSet;
import io.polarway.config.OptionSpec;
import io.polarway.config.Options;
import io.polarway.error.ConfigException;
import io.polarway.error.Where;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigTest {

    @Test
    void byteSizesParseAsTheGuideWritesThem() {
        assertThat(ByteSize.parse("600MB")).isEqualTo(600_000_000L);
        assertThat(ByteSize.parse("2GB")).isEqualTo(2_000_000_000L);
        assertThat(ByteSize.parse("2.5 GB")).isEqualTo(2_500_000_000L);
        assertThat(ByteSize.parse("512MiB")).isEqualTo(512L << 20);
        assertThat(ByteSize.parse("8mb")).isEqualTo(8_000_000L);
        assertThat(ByteSize.parse("1048576")).isEqualTo(1_048_576L);
        assertThatThrownBy(() -> ByteSize.parse("12 parsecs")).hasMessageContaining("unknown size unit");
        assertThatThrownBy(() -> ByteSize.parse("-1GB")).hasMessageContaining("not a size");
        assertThat(ByteSize.format(600L << 20)).isEqualTo("600.0 MiB");
    }

    @Test
    void sourceConfigIsImmutableAndReadsLikeTheGuide() {
        SourceConfig base = SourceConfig.of("data.csv");
        SourceConfig c = base.withMemoryLimit("2GB").withChunkSize(10_000).withParallel(true).withPrefetch(true)
                .withOption("delimiter", ",").withOption("has_header", "true");
        assertThat(base.memoryLimitBytes()).isEmpty();
        assertThat(base.options()).isEmpty();
        assertThat(c.memoryLimitBytes()).hasValue(2_000_000_000L);
        assertThat(c.chunkSizeRows()).isEqualTo(10_000);
        assertThat(c.parallel()).isTrue();
        assertThat(c.prefetch()).isTrue();
        assertThat(c.options()).containsExactly(Map.entry("delimiter", ","), Map.entry("has_header", "true"));
        assertThatThrownBy(() -> c.options().put("x", "y")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> base.withChunkSize(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void typedOptionsParseValidateAndDefault() {
        OptionSpec<Character> delimiter = OptionSpec.character("delimiter", ',', "field separator");
        OptionSpec<Boolean> header = OptionSpec.bool("has_header", true, "first line is a header");
        OptionSpec<Long> threshold = OptionSpec.bytes("multipart_threshold", 8_000_000L, "ranged reads above");
        OptionSpec<String> encoding = OptionSpec.choice("encoding", "utf-8", "text encoding", "utf-8", "latin1");
        OptionSpec<List<String>> nulls = OptionSpec.list("null_values", List.of(), "null markers");
        OptionSet set = OptionSet.of("source 'csv'", delimiter, header, threshold, encoding, nulls);

        Options o = set.parse(Map.of("delimiter", "\\t", "has_header", "no", "multipart_threshold", "16MiB",
                "encoding", "LATIN1", "null_values", "NA, NULL"));
        assertThat(o.get(delimiter)).isEqualTo('\t');
        assertThat(o.get(header)).isFalse();
        assertThat(o.get(threshold)).isEqualTo(16L << 20);
        assertThat(o.get(encoding)).isEqualTo("latin1");
        assertThat(o.get(nulls)).containsExactly("NA", "NULL");
        assertThat(o.isSet(header)).isTrue();

        Options d = Options.defaults(set);
        assertThat(d.get(delimiter)).isEqualTo(',');
        assertThat(d.isSet(header)).isFalse();

        assertThatThrownBy(() -> set.parse(Map.of("encoding", "ebcdic")))
                .isInstanceOfSatisfying(ConfigException.class, e -> {
                    assertThat(e.key()).contains("encoding");
                    assertThat(e.validChoices()).containsExactly("utf-8", "latin1");
                });
        assertThatThrownBy(() -> set.parse(Map.of("delimiter", ";;"))).hasMessageContaining("exactly one character");
        assertThatThrownBy(() -> set.parse(Map.of("has_header", "maybe"))).hasMessageContaining("has_header");
    }

    @Test
    void configErrorFoundWhileReadingNamesThePlace() {
        Where where = Where.resource("orders").withPartition("segment 2/7", -1).withPage(3);
        ConfigException e = new ConfigException("index_name", "index 'by_date' does not exist", List.of("by_day"),
                where, null);
        assertThat(e.key()).contains("index_name");
        assertThat(e.where()).contains(where);
        assertThat(e.getMessage()).isEqualTo(
                "index 'by_date' does not exist; valid: by_day (at orders partition segment 2/7 page 3)");
        assertThat(new ConfigException("k", "bad", List.of(), null).where()).isEmpty();
    }
}
