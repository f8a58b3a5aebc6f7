package io.polarway.config;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses and prints byte sizes as users write them: {@code 600MB}, {@code 2GB}, {@code 1.5GiB}, {@code 8MiB},
 * {@code 1048576}. Decimal units (KB, MB, GB, TB) are powers of 1000 and binary units (KiB, MiB, GiB, TiB) powers
 * of 1024, as the guide writes "2GB" for 2,000,000,000 bytes.
 */
public final class ByteSize {
    private static final Pattern SIZE = Pattern.compile("\\s*([0-9]+(?:\\.[0-9]+)?)\\s*([a-zA-Z]*)\\s*");

    private ByteSize() {
    }

    /**
     * @return the number of bytes
     * @throws IllegalArgumentException on an unknown unit, a negative or an overflowing value
     */
    public static long parse(String text) {
        if (text == null) throw new IllegalArgumentException("size is null");
        Matcher m = SIZE.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("not a size: '" + text + "' (expected e.g. 600MB, 2GB, 512MiB, 1048576)");
        }
        double number = Double.parseDouble(m.group(1));
        long multiplier = switch (m.group(2).toUpperCase(Locale.ROOT)) {
            case "", "B" -> 1L;
            case "K", "KB" -> 1_000L;
            case "M", "MB" -> 1_000_000L;
            case "G", "GB" -> 1_000_000_000L;
            case "T", "TB" -> 1_000_000_000_000L;
            case "KIB" -> 1L << 10;
            case "MIB" -> 1L << 20;
            case "GIB" -> 1L << 30;
            case "TIB" -> 1L << 40;
            default -> throw new IllegalArgumentException(
                    "unknown size unit '" + m.group(2) + "' in '" + text + "' (use B, KB, MB, GB, TB, KiB, MiB, GiB, TiB)");
        };
        double bytes = number * multiplier;
        if (bytes > Long.MAX_VALUE) throw new IllegalArgumentException("size too large: '" + text + "'");
        return Math.round(bytes);
    }

    /** A short human form, binary units: {@code 512.0 MiB}. */
    public static String format(long bytes) {
        if (bytes < 0) return "unknown";
        if (bytes < 1024) return bytes + " B";
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
