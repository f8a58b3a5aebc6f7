package io.polarway.cli;

import io.polarway.config.ByteSize;
import picocli.CommandLine;

/** Option converters whose failures become usage errors (exit 2) naming the option. */
final class Converters {
    private Converters() {
    }

    /** A byte size: {@code 600MB}, {@code 2GB}, {@code 512MiB}, {@code 1048576}; must be positive. */
    static final class Size implements CommandLine.ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            long bytes;
            try {
                bytes = ByteSize.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
            if (bytes <= 0) throw new CommandLine.TypeConversionException("must be positive, got '" + value + "'");
            return bytes;
        }
    }

    /** A positive int, underscores allowed ({@code 10_000}). */
    static final class PositiveInt implements CommandLine.ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            int n;
            try {
                n = Integer.parseInt(value.strip().replace("_", ""));
            } catch (NumberFormatException e) {
                throw new CommandLine.TypeConversionException("not a whole number: '" + value + "'");
            }
            if (n <= 0) throw new CommandLine.TypeConversionException("must be positive, got " + n);
            return n;
        }
    }
}
