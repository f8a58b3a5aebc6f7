package io.polarway.source.csv;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;

/** The allocation-free value parsers agree with the JDK's. */
class ValuesTest {
    private final Values v = new Values();

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private double dbl(String s) {
        byte[] x = b(s);
        return v.parseDouble(x, 0, x.length);
    }

    private long lng(String s) {
        byte[] x = b(s);
        return v.parseLong(x, 0, x.length);
    }

    @Property(tries = 3000)
    void anyDoubleRoundTripsThroughItsShortestText(@ForAll double d) {
        String s = Double.toString(d);
        double parsed = dbl(s);
        assertThat(v.ok).as(s).isTrue();
        assertThat(Double.doubleToLongBits(parsed)).as(s).isEqualTo(Double.doubleToLongBits(d));
    }

    @Property(tries = 3000)
    void decimalTextIsCorrectlyRounded(@ForAll @DoubleRange(min = -1e9, max = 1e9) double d, @ForAll("digits") int n) {
        String s = String.format(java.util.Locale.ROOT, "%." + n + "f", d);
        assertThat(dbl(s)).as(s).isEqualTo(Double.parseDouble(s));
        assertThat(v.ok).isTrue();
    }

    @net.jqwik.api.Provide
    net.jqwik.api.Arbitrary<Integer> digits() {
        return net.jqwik.api.Arbitraries.integers().between(0, 20);
    }

    @Property(tries = 3000)
    void anyLongParses(@ForAll long x) {
        assertThat(lng(Long.toString(x))).isEqualTo(x);
        assertThat(v.ok).isTrue();
    }

    @Test
    void numbersAtTheEdges() {
        assertThat(lng("9223372036854775807")).isEqualTo(Long.MAX_VALUE);
        assertThat(lng("-9223372036854775808")).isEqualTo(Long.MIN_VALUE);
        for (String bad : new String[]{"9223372036854775808", "-9223372036854775809", "", "-", "+", "1.0", "1e3",
                " 1", "1 ", "0x10", "١"}) {
            lng(bad);
            assertThat(v.ok).as(bad).isFalse();
        }
        assertThat(lng("+007")).isEqualTo(7);
        assertThat(dbl("1.0E10")).isEqualTo(1e10);
        assertThat(dbl(".5")).isEqualTo(0.5);
        assertThat(dbl("5.")).isEqualTo(5.0);
        assertThat(dbl("-0")).isEqualTo(-0.0);
        assertThat(dbl("0.000000000000000000000000001234")).isEqualTo(1.234e-27);
        assertThat(dbl("123456789012345678901234567890")).isEqualTo(1.2345678901234568e29);
        assertThat(dbl("NaN")).isNaN();
        assertThat(dbl("-inf")).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(dbl("Infinity")).isEqualTo(Double.POSITIVE_INFINITY);
        for (String bad : new String[]{"", ".", "-", "e5", "1e", "1e+", "1.2.3", "1d", "0x1p3", " 1", "1,5", "nan1",
                "in"}) {
            dbl(bad);
            assertThat(v.ok).as(bad).isFalse();
        }
    }

    @Test
    void datesAndTimestamps() {
        for (String d : new String[]{"1970-01-01", "2024-02-29", "0001-01-01", "9999-12-31", "1900-03-01"}) {
            byte[] x = b(d);
            assertThat(v.parseDate(x, 0, x.length)).as(d).isEqualTo((int) LocalDate.parse(d).toEpochDay());
            assertThat(v.ok).isTrue();
        }
        for (String bad : new String[]{"2023-02-29", "2024-13-01", "2024-00-10", "2024-1-01", "2024/01/01",
                "2024-01-32", "1900-02-29"}) {
            byte[] x = b(bad);
            v.parseDate(x, 0, x.length);
            assertThat(v.ok).as(bad).isFalse();
        }
        assertThat(ts("2024-01-02T03:04:05.123456", 1_000_000, 6))
                .isEqualTo(micros(LocalDateTime.parse("2024-01-02T03:04:05.123456")));
        assertThat(ts("2024-01-02 03:04", 1_000_000, 6)).isEqualTo(micros(LocalDateTime.parse("2024-01-02T03:04")));
        assertThat(ts("2024-01-02T03:04:05-05:30", 1_000_000, 6))
                .isEqualTo(micros(LocalDateTime.parse("2024-01-02T08:34:05")));
        assertThat(v.hadOffset).isTrue();
        assertThat(ts("2024-01-02T03:04:05+0100", 1, 0)).isEqualTo(micros(LocalDateTime.parse("2024-01-02T02:04:05"))
                / 1_000_000);
        assertThat(ts("2024-01-02T03:04:05.1+01", 1000, 3)).isEqualTo(micros(LocalDateTime.parse("2024-01-02T02:04:05.1"))
                / 1000);
        assertThat(ts("1969-12-31T23:59:59.999999999", 1_000_000_000, 9)).isEqualTo(-1);
        for (String bad : new String[]{"2024-01-02T24:00", "2024-01-02T03", "2024-01-02T03:04:05.", "2024-01-02X03:04",
                "2024-01-02T03:04:05+1", "2024-01-02T03:04:05 Z"}) {
            byte[] x = b(bad);
            v.parseTimestamp(x, 0, x.length, 1_000_000, 6);
            assertThat(v.ok).as(bad).isFalse();
        }
        // more precision than the unit holds is a bad value, trailing zeros are not
        byte[] x = b("2024-01-02T03:04:05.1234567");
        v.parseTimestamp(x, 0, x.length, 1_000_000, 6);
        assertThat(v.ok).isFalse();
        assertThat(ts("2024-01-02T03:04:05.1234560", 1_000_000, 6)).isEqualTo(
                micros(LocalDateTime.parse("2024-01-02T03:04:05.123456")));
        // outside the nanosecond range
        x = b("2263-01-01T00:00:00");
        v.parseTimestamp(x, 0, x.length, 1_000_000_000, 9);
        assertThat(v.ok).isFalse();
    }

    private long ts(String s, long perSecond, int digits) {
        byte[] x = b(s);
        long r = v.parseTimestamp(x, 0, x.length, perSecond, digits);
        assertThat(v.ok).as(s).isTrue();
        return r;
    }

    private static long micros(LocalDateTime t) {
        return t.toEpochSecond(ZoneOffset.UTC) * 1_000_000L + t.getNano() / 1000;
    }

    @Test
    void utf8Validation() {
        assertThat(Values.isUtf8(b("plain"), 0, 5)).isTrue();
        byte[] ok = "é€😀".getBytes(StandardCharsets.UTF_8);
        assertThat(Values.isUtf8(ok, 0, ok.length)).isTrue();
        assertThat(Values.isUtf8(ok, 0, ok.length - 1)).isFalse(); // cut in the middle of a sequence
        assertThat(Values.isUtf8(new byte[]{(byte) 0xC0, (byte) 0x80}, 0, 2)).isFalse(); // overlong
        assertThat(Values.isUtf8(new byte[]{(byte) 0xED, (byte) 0xA0, (byte) 0x80}, 0, 3)).isFalse(); // surrogate
        assertThat(Values.isUtf8(new byte[]{(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, 0, 4)).isFalse();
        assertThat(Values.isAscii(b("0123456789abcdef"), 0, 16)).isTrue();
        assertThat(Values.isAscii(ok, 0, ok.length)).isFalse();
    }
}
