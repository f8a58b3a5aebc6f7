package io.polarway.policy;

import io.polarway.config.OptionSpec;
import io.polarway.config.Options;
import io.polarway.error.ConfigException;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;

/** Cross-key validation and number formatting shared by the policies and the gate. Stateless. */
final class Checks {

    private Checks() {
    }

    /**
     * Fails unless {@code lower < upper} (or {@code lower <= upper} when {@code allowEqual}). The exception names the
     * key the user set explicitly (when only one of the two was given, that one is at fault), else {@code lower}.
     */
    static void ordered(Options options, OptionSpec<? extends Number> lower, OptionSpec<? extends Number> upper,
                        boolean allowEqual, String owner) {
        double lo = options.get(lower).doubleValue();
        double hi = options.get(upper).doubleValue();
        boolean ok = allowEqual ? lo <= hi : lo < hi;
        if (ok) return;
        OptionSpec<?> atFault = options.isSet(upper) && !options.isSet(lower) ? upper : lower;
        throw new ConfigException(atFault.key(),
                "bad value for option '" + atFault.key() + "' of " + owner + ": " + lower.key() + " ("
                        + plain(lo) + ") must be " + (allowEqual ? "at most " : "less than ") + upper.key()
                        + " (" + plain(hi) + ")", List.of(), null);
    }

    /** A number without a spurious {@code .0}: 100, 0.8, 1.25. */
    static String plain(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) return Long.toString((long) v);
        return BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }

    /** A fraction as a percentage number with at least one and at most three decimals: 0.8 → {@code 80.0}. */
    static String percent(double fraction) {
        BigDecimal p = BigDecimal.valueOf(fraction * 100).setScale(3, RoundingMode.HALF_UP).stripTrailingZeros();
        if (p.scale() < 1) p = p.setScale(1, RoundingMode.UNNECESSARY);
        return p.toPlainString();
    }

    /**
     * {@code value} with as few decimals (from {@code minDecimals}, at most 4) as make it read differently from
     * {@code reference} (a plain number), so a reason never reads "80.0% > 80.0%". Past 4 decimals it is rounded
     * towards the side of the reference it lies on, so the printed comparison stays true.
     */
    static String distinct(double value, String reference, int minDecimals) {
        BigDecimal ref = new BigDecimal(reference);
        BigDecimal exact = new BigDecimal(value);
        for (int d = minDecimals; d <= 4; d++) {
            BigDecimal r = exact.setScale(d, RoundingMode.HALF_UP);
            if (r.compareTo(ref) != 0) return r.toPlainString();
        }
        int side = exact.compareTo(ref);
        return exact.setScale(4, side < 0 ? RoundingMode.FLOOR : RoundingMode.CEILING).toPlainString();
    }
}
