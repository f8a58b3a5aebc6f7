package io.polarway.source.csv;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Parses field bytes {@code [s, e)} of a byte array as typed values without creating objects: the CSV reader's hot
 * path. Each parse method reports success in {@link #ok}; timestamp parsing also reports what it saw (an offset, the
 * fraction digits) for inference. One instance per thread (it keeps that state).
 *
 * <p>Accepted forms:
 * <ul>
 *   <li>int64: optional sign, decimal digits (leading zeros allowed), within the int64 range;</li>
 *   <li>float64: optional sign, digits with an optional fraction and exponent ({@code 1}, {@code -2.5},
 *       {@code .5}, {@code 1e-3}, {@code 1.0E10}), or {@code nan}, {@code inf}, {@code infinity} in any case.
 *       Correctly rounded: the common case (at most 18 significant digits, mantissa below 2^53, power of ten within
 *       ±22) is computed exactly in doubles (Clinger's fast path), the rest by {@link Double#parseDouble};</li>
 *   <li>boolean: {@code true} or {@code false} in any case;</li>
 *   <li>date: ISO {@code yyyy-MM-dd};</li>
 *   <li>timestamp: ISO 8601 {@code yyyy-MM-dd[(T| )HH:mm[:ss[(.|,)f{1,9}]]][Z|±HH[:mm]|±HHmm]}; a value with an
 *       offset is converted to UTC.</li>
 * </ul>
 */
final class Values {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long HIGH_BITS = 0x8080808080808080L;
    private static final double[] POW10 = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13,
            1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    private static final long[] POW10_LONG = {1L, 10L, 100L, 1_000L, 10_000L, 100_000L, 1_000_000L, 10_000_000L,
            100_000_000L};
    private static final long ONES = 0x0101010101010101L;
    private static final long DOTS = 0x2E2E2E2E2E2E2E2EL;
    private static final long TWO_POW_53 = 1L << 53;
    private static final long DAYS_0000_TO_1970 = 719_528L;
    private static final long SECONDS_PER_DAY = 86_400L;

    /** Whether the last parse succeeded. */
    boolean ok;
    /** Whether the last timestamp parsed carried a zone offset ({@code Z} or {@code ±HH:mm}). */
    boolean hadOffset;
    /** Fraction digits of the last timestamp parsed. */
    int fractionDigits;
    /** Whether the last timestamp parsed was a date only. */
    boolean dateOnly;

    // ---------------------------------------------------------------------------------------------------------------
    // integers

    long parseLong(byte[] b, int s, int e) {
        int i = s;
        boolean negative = false;
        if (i < e) {
            byte c = b[i];
            if (c == '-') {
                negative = true;
                i++;
            } else if (c == '+') {
                i++;
            }
        }
        int n = e - i;
        if (n <= 0) return fail();
        if (n <= 8 && i + 8 <= b.length) { // one word: no loop
            long v = digitsUpTo8(b, i, n);
            if (v < 0) return fail();
            ok = true;
            return negative ? -v : v;
        }
        if (n <= 16 && i + 16 <= b.length) {
            long hi = digitsUpTo8(b, i, n - 8);
            long lo = digitsUpTo8(b, i + n - 8, 8);
            if ((hi | lo) < 0) return fail();
            ok = true;
            long v = hi * 100_000_000L + lo;
            return negative ? -v : v;
        }
        if (n <= 18 && i + 24 <= b.length) {
            long hi = digitsUpTo8(b, i, n - 16);
            long mid = digitsUpTo8(b, i + n - 16, 8);
            long lo = digitsUpTo8(b, i + n - 8, 8);
            if ((hi | mid | lo) < 0) return fail();
            ok = true;
            long v = (hi * 100_000_000L + mid) * 100_000_000L + lo; // below 10^18: no overflow
            return negative ? -v : v;
        }
        return parseLongSlow(b, i, e, negative);
    }

    private long parseLongSlow(byte[] b, int i, int e, boolean negative) {
        int n = e - i;
        if (n <= 18) {
            long v = 0;
            for (; e - i >= 8; i += 8) { // eight digits at a time
                long w = (long) LONGS.get(b, i);
                if (!allDigits(w)) return fail();
                v = v * 100_000_000L + eightDigits(w);
            }
            for (; i < e; i++) {
                int d = b[i] - '0';
                if (d < 0 || d > 9) return fail();
                v = v * 10 + d;
            }
            ok = true;
            return negative ? -v : v;
        }
        // Accumulate negatively (as Long.parseLong does) so that Long.MIN_VALUE parses.
        long limit = negative ? Long.MIN_VALUE : -Long.MAX_VALUE;
        long multMin = limit / 10;
        long v = 0;
        for (; i < e; i++) {
            int d = b[i] - '0';
            if (d < 0 || d > 9 || v < multMin) return fail();
            v *= 10;
            if (v < limit + d) return fail();
            v -= d;
        }
        ok = true;
        return negative ? v : -v;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // floating point

    /**
     * Parses a float64. Small on purpose (so the JIT inlines it into the column loop): the common shape is handled
     * here, anything else by {@link #parseDoubleSlow}.
     */
    double parseDouble(byte[] b, int s, int e) {
        int i = s;
        boolean negative = false;
        if (i < e) {
            byte c = b[i];
            if (c == '-') {
                negative = true;
                i++;
            } else if (c == '+') {
                i++;
            }
        }
        // Fast path, the common shape: [digits][.digits], at most 8 digits on each side, no exponent. The dot is
        // found and each side parsed eight bytes at a time; the mantissa is exact below 2^53 (Clinger).
        int n = e - i;
        if (n <= 17 && i + 32 <= b.length) {
            long w = (long) LONGS.get(b, i);
            long x = w ^ DOTS;
            long z = (x - ONES) & ~x & HIGH_BITS;
            int dot;
            if (z != 0) {
                dot = Long.numberOfTrailingZeros(z) >>> 3;
            } else {
                x = (long) LONGS.get(b, i + 8) ^ DOTS;
                z = (x - ONES) & ~x & HIGH_BITS;
                dot = z != 0 ? 8 + (Long.numberOfTrailingZeros(z) >>> 3) : 16;
            }
            int intLen = dot < n ? dot : n;
            int fracLen = dot < n ? n - dot - 1 : 0;
            if (intLen <= 8 && fracLen <= 8 && intLen + fracLen > 0) {
                long a = digitsUpTo8(b, i, intLen);
                long f = fracLen == 0 ? 0 : digitsUpTo8(b, i + dot + 1, fracLen);
                if ((a | f) >= 0) {
                    long m = a * POW10_LONG[fracLen] + f;
                    if (m < TWO_POW_53) {
                        ok = true;
                        double v = fracLen == 0 ? (double) m : (double) m / POW10[fracLen];
                        return negative ? -v : v;
                    }
                }
            }
        }
        return parseDoubleSlow(b, s, e);
    }

    private double parseDoubleSlow(byte[] b, int s, int e) {
        int i = s;
        boolean negative = false;
        if (i < e) {
            byte c = b[i];
            if (c == '-') {
                negative = true;
                i++;
            } else if (c == '+') {
                i++;
            }
        }
        if (i >= e) return failDouble();
        byte first = b[i];
        if (first != '.' && (first < '0' || first > '9')) return special(b, i, e, negative);
        long mantissa = 0;
        int significant = 0;
        int exponent = 0;          // power of ten applied to the mantissa
        boolean truncated = false; // more than 18 significant digits (they might overflow the long)
        int digits = 0;
        for (; i < e; i++) {
            int d = b[i] - '0';
            if (d < 0 || d > 9) break;
            digits++;
            if (mantissa == 0 && d == 0) continue;
            if (significant < 18) {
                mantissa = mantissa * 10 + d;
                significant++;
            } else {
                exponent++;
                truncated = true;
            }
        }
        if (i < e && b[i] == '.') {
            i++;
            for (; i < e; i++) {
                int d = b[i] - '0';
                if (d < 0 || d > 9) break;
                digits++;
                if (mantissa == 0 && d == 0) {
                    exponent--;
                    continue;
                }
                if (significant < 18) {
                    mantissa = mantissa * 10 + d;
                    significant++;
                    exponent--;
                } else {
                    truncated = true;
                }
            }
        }
        if (digits == 0) return failDouble();
        if (i < e && (b[i] == 'e' || b[i] == 'E')) {
            i++;
            boolean expNegative = false;
            if (i < e && (b[i] == '-' || b[i] == '+')) {
                expNegative = b[i] == '-';
                i++;
            }
            if (i >= e) return failDouble();
            int x = 0;
            for (; i < e; i++) {
                int d = b[i] - '0';
                if (d < 0 || d > 9) return failDouble();
                if (x < 100_000) x = x * 10 + d;
            }
            exponent += expNegative ? -x : x;
        }
        if (i != e) return failDouble();
        ok = true;
        if (mantissa == 0) return negative ? -0.0 : 0.0;
        if (!truncated && mantissa < TWO_POW_53 && exponent >= -22 && exponent <= 22) {
            double v = (double) mantissa;
            v = exponent >= 0 ? v * POW10[exponent] : v / POW10[-exponent];
            return negative ? -v : v;
        }
        // Rare: many digits or a large exponent. The syntax is checked, so the JDK parses exactly what we accepted.
        return Double.parseDouble(new String(b, s, e - s, StandardCharsets.ISO_8859_1));
    }

    /**
     * The value of the {@code len} (0 to 8) ASCII digits at {@code from}, or -1 when one of them is not a digit. Reads
     * a whole word: needs {@code from + 8 <= b.length}.
     */
    static long digitsUpTo8(byte[] b, int from, int len) {
        if (len == 0) return 0;
        int shift = (8 - len) << 3;
        long w = (long) LONGS.get(b, from) << shift; // the digits move to the top; zero bytes below are leading 0s
        w |= 0x3030303030303030L & ((1L << shift) - 1);
        if (!allDigits(w)) return -1;
        return eightDigits(w);
    }

    /** Whether all eight bytes of a little-endian word are ASCII digits. */
    static boolean allDigits(long w) {
        return (w & 0xF0F0F0F0F0F0F0F0L) == 0x3030303030303030L
                && ((w + 0x0606060606060606L) & 0xF0F0F0F0F0F0F0F0L) == 0x3030303030303030L;
    }

    /** The value of eight ASCII digits in a little-endian word (first digit in the lowest byte). */
    static long eightDigits(long w) {
        long v = w & 0x0F0F0F0F0F0F0F0FL;
        v = (v * 2561) >>> 8;
        v = ((v & 0x00FF00FF00FF00FFL) * 6553601) >>> 16;
        return ((v & 0x0000FFFF0000FFFFL) * 42949672960001L) >>> 32;
    }

    private double special(byte[] b, int i, int e, boolean negative) {
        int n = e - i;
        if (n == 3 && lower(b[i]) == 'n' && lower(b[i + 1]) == 'a' && lower(b[i + 2]) == 'n') {
            ok = true;
            return Double.NaN;
        }
        if ((n == 3 || n == 8) && lower(b[i]) == 'i' && lower(b[i + 1]) == 'n' && lower(b[i + 2]) == 'f'
                && (n == 3 || matchesLower(b, i + 3, "inity"))) {
            ok = true;
            return negative ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        return failDouble();
    }

    private static boolean matchesLower(byte[] b, int i, String lower) {
        for (int k = 0; k < lower.length(); k++) {
            if (lower(b[i + k]) != lower.charAt(k)) return false;
        }
        return true;
    }

    private static int lower(byte c) {
        return c | 0x20;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // booleans

    /** @return 1 for true, 0 for false; {@link #ok} false otherwise */
    int parseBoolean(byte[] b, int s, int e) {
        int n = e - s;
        if (n == 4 && lower(b[s]) == 't' && lower(b[s + 1]) == 'r' && lower(b[s + 2]) == 'u' && lower(b[s + 3]) == 'e') {
            ok = true;
            return 1;
        }
        if (n == 5 && lower(b[s]) == 'f' && lower(b[s + 1]) == 'a' && lower(b[s + 2]) == 'l'
                && lower(b[s + 3]) == 's' && lower(b[s + 4]) == 'e') {
            ok = true;
            return 0;
        }
        ok = false;
        return 0;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // dates and timestamps

    /** @return days since 1970-01-01 */
    int parseDate(byte[] b, int s, int e) {
        if (e - s != 10) return (int) fail();
        long days = date(b, s);
        return (int) days;
    }

    /** Parses {@code yyyy-MM-dd} at {@code s}; sets {@link #ok}. */
    private long date(byte[] b, int s) {
        int y = digits4(b, s);
        if (y < 0 || b[s + 4] != '-' || b[s + 7] != '-') return fail();
        int m = digits2(b, s + 5);
        int d = digits2(b, s + 8);
        if (m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) return fail();
        ok = true;
        return epochDay(y, m, d);
    }

    /**
     * @param unitsPerSecond 1, 1e3, 1e6 or 1e9
     * @param maxFraction    fraction digits the unit holds; more (non-zero) digits fail
     * @return the instant in the unit, UTC when the value had an offset
     */
    long parseTimestamp(byte[] b, int s, int e, long unitsPerSecond, int maxFraction) {
        hadOffset = false;
        fractionDigits = 0;
        dateOnly = false;
        int n = e - s;
        if (n < 10) return fail();
        long days = date(b, s);
        if (!ok) return 0;
        if (n == 10) {
            dateOnly = true;
            return scaled(days * SECONDS_PER_DAY, 0, unitsPerSecond);
        }
        int i = s + 10;
        byte sep = b[i];
        if ((sep != 'T' && sep != 't' && sep != ' ') || e - i < 6) return fail();
        int hh = digits2(b, i + 1);
        if (hh < 0 || hh > 23 || b[i + 3] != ':') return fail();
        int mm = digits2(b, i + 4);
        if (mm < 0 || mm > 59) return fail();
        i += 6;
        int ss = 0;
        long fraction = 0; // in units of the column
        if (i < e && b[i] == ':') {
            if (e - i < 3) return fail();
            ss = digits2(b, i + 1);
            if (ss < 0 || ss > 59) return fail();
            i += 3;
            if (i < e && (b[i] == '.' || b[i] == ',')) {
                i++;
                int start = i;
                long f = 0;
                int used = 0;
                for (; i < e; i++) {
                    int d = b[i] - '0';
                    if (d < 0 || d > 9) break;
                    if (used < maxFraction) {
                        f = f * 10 + d;
                        used++;
                    } else if (d != 0) {
                        fractionDigits = i - start + 1;
                        return fail(); // more precision than the unit holds
                    }
                }
                fractionDigits = i - start;
                if (fractionDigits == 0 || fractionDigits > 9) return fail();
                for (; used < maxFraction; used++) f *= 10;
                fraction = f;
            }
        }
        long offsetSeconds = 0;
        if (i < e) {
            byte z = b[i];
            if ((z == 'Z' || z == 'z') && i + 1 == e) {
                hadOffset = true;
            } else if (z == '+' || z == '-') {
                int rest = e - i - 1;
                int oh;
                int om = 0;
                if (rest == 2) {
                    oh = digits2(b, i + 1);
                } else if (rest == 4) {
                    oh = digits2(b, i + 1);
                    om = digits2(b, i + 3);
                } else if (rest == 5 && b[i + 3] == ':') {
                    oh = digits2(b, i + 1);
                    om = digits2(b, i + 4);
                } else {
                    return fail();
                }
                if (oh < 0 || oh > 18 || om < 0 || om > 59) return fail();
                offsetSeconds = (oh * 3600L + om * 60L) * (z == '-' ? -1 : 1);
                hadOffset = true;
            } else {
                return fail();
            }
        }
        long seconds = days * SECONDS_PER_DAY + hh * 3600L + mm * 60L + ss - offsetSeconds;
        return scaled(seconds, fraction, unitsPerSecond);
    }

    private long scaled(long seconds, long fraction, long unitsPerSecond) {
        long hi = Math.multiplyHigh(seconds, unitsPerSecond);
        long lo = seconds * unitsPerSecond;
        if (hi != (lo >> 63)) return fail(); // outside the unit's range (ns: years 1677-2262)
        long v = lo + fraction;
        if (((lo ^ v) & (fraction ^ v)) < 0) return fail();
        ok = true;
        return v;
    }

    private static int digits2(byte[] b, int i) {
        int a = b[i] - '0';
        int c = b[i + 1] - '0';
        if (a < 0 || a > 9 || c < 0 || c > 9) return -1;
        return a * 10 + c;
    }

    private static int digits4(byte[] b, int i) {
        int h = digits2(b, i);
        int l = digits2(b, i + 2);
        if (h < 0 || l < 0) return -1;
        return h * 100 + l;
    }

    private static boolean leap(int y) {
        return (y & 3) == 0 && (y % 100 != 0 || y % 400 == 0);
    }

    private static int daysInMonth(int y, int m) {
        return switch (m) {
            case 2 -> leap(y) ? 29 : 28;
            case 4, 6, 9, 11 -> 30;
            default -> 31;
        };
    }

    /** Days since 1970-01-01 of a proleptic Gregorian date with year 0..9999 (as {@code LocalDate.toEpochDay}). */
    static long epochDay(int y, int m, int d) {
        long total = 365L * y + (y + 3) / 4 - (y + 99) / 100 + (y + 399) / 400;
        total += (367 * m - 362) / 12;
        total += d - 1;
        if (m > 2) {
            total--;
            if (!leap(y)) total--;
        }
        return total - DAYS_0000_TO_1970;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // text

    /** Whether every byte of {@code [s, e)} is ASCII, eight bytes at a time. */
    static boolean isAscii(byte[] b, int s, int e) {
        int i = s;
        long acc = 0;
        for (; i + 8 <= e; i += 8) acc |= (long) LONGS.get(b, i);
        for (; i < e; i++) acc |= b[i] & 0xff;
        return (acc & HIGH_BITS) == 0;
    }

    /** Whether {@code [s, e)} is well-formed UTF-8 (no overlong forms, surrogates or code points past U+10FFFF). */
    static boolean isUtf8(byte[] b, int s, int e) {
        int i = s;
        while (i < e) {
            int c = b[i] & 0xff;
            if (c < 0x80) {
                i++;
                continue;
            }
            int need;
            int min;
            if (c >= 0xc2 && c <= 0xdf) {
                need = 1;
                min = 0x80;
            } else if (c >= 0xe0 && c <= 0xef) {
                need = 2;
                min = 0x800;
            } else if (c >= 0xf0 && c <= 0xf4) {
                need = 3;
                min = 0x10000;
            } else {
                return false;
            }
            if (i + need >= e) return false;
            int cp = c & (0x3f >> need);
            for (int k = 1; k <= need; k++) {
                int cc = b[i + k] & 0xff;
                if ((cc & 0xc0) != 0x80) return false;
                cp = (cp << 6) | (cc & 0x3f);
            }
            if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
            i += need + 1;
        }
        return true;
    }

    private long fail() {
        ok = false;
        return 0;
    }

    private double failDouble() {
        ok = false;
        return 0;
    }
}
