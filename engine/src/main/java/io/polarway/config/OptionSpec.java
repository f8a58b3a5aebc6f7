package io.polarway.config;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One option key a source (or policy) accepts, declared once: its type, default, description and validation.
 * Values arrive as strings, as the guide writes them ({@code with_option("delimiter", ",")}), and are parsed when
 * the source is created, so a bad value fails fast with a {@link io.polarway.error.ConfigException} naming the key.
 *
 * <p>Immutable. Build with the static factories, then refine with {@link #validate} or {@link #secret()}.
 *
 * @param <T> the parsed type
 */
public final class OptionSpec<T> {
    private final String key;
    private final String typeName;
    private final T defaultValue;
    private final String description;
    private final Function<String, T> parser;
    private final List<Check<T>> checks;
    private final List<String> choices;
    private final boolean secret;

    private record Check<T>(Predicate<T> ok, String requirement) {
    }

    private OptionSpec(String key, String typeName, T defaultValue, String description, Function<String, T> parser,
                       List<Check<T>> checks, List<String> choices, boolean secret) {
        this.key = Objects.requireNonNull(key, "key");
        this.typeName = typeName;
        this.defaultValue = defaultValue;
        this.description = Objects.requireNonNull(description, "description");
        this.parser = parser;
        this.checks = List.copyOf(checks);
        this.choices = List.copyOf(choices);
        this.secret = secret;
    }

    private static <T> OptionSpec<T> of(String key, String type, T def, String desc, Function<String, T> parser) {
        return new OptionSpec<>(key, type, def, desc, parser, List.of(), List.of(), false);
    }

    public static OptionSpec<String> string(String key, String defaultValue, String description) {
        return of(key, "string", defaultValue, description, s -> s);
    }

    public static OptionSpec<Long> longValue(String key, Long defaultValue, String description) {
        return of(key, "integer", defaultValue, description, s -> Long.parseLong(s.trim().replace("_", "")));
    }

    public static OptionSpec<Integer> intValue(String key, Integer defaultValue, String description) {
        return of(key, "integer", defaultValue, description, s -> Integer.parseInt(s.trim().replace("_", "")));
    }

    public static OptionSpec<Double> doubleValue(String key, Double defaultValue, String description) {
        return of(key, "number", defaultValue, description, s -> {
            double d = Double.parseDouble(s.trim());
            if (Double.isNaN(d) || Double.isInfinite(d)) throw new IllegalArgumentException("not a finite number");
            return d;
        });
    }

    /** Accepts true/false, yes/no, on/off, 1/0 (any case). */
    public static OptionSpec<Boolean> bool(String key, Boolean defaultValue, String description) {
        return of(key, "boolean", defaultValue, description, OptionSpec::parseBoolean);
    }

    /** A byte size such as {@code 8MB} or {@code 512MiB}; see {@link ByteSize}. */
    public static OptionSpec<Long> bytes(String key, Long defaultValue, String description) {
        return of(key, "size", defaultValue, description, ByteSize::parse);
    }

    /** A single character; accepts the escapes {@code \t}, {@code tab}, {@code \\n} and {@code \\u0001}. */
    public static OptionSpec<Character> character(String key, Character defaultValue, String description) {
        return of(key, "char", defaultValue, description, OptionSpec::parseChar);
    }

    /** One of a fixed set of lower-case names (matched case-insensitively). */
    public static OptionSpec<String> choice(String key, String defaultValue, String description, String... choices) {
        List<String> valid = Arrays.asList(choices);
        return new OptionSpec<>(key, "enum", defaultValue, description, s -> {
            String v = s.trim().toLowerCase(Locale.ROOT);
            if (!valid.contains(v)) throw new IllegalArgumentException("not one of the valid values");
            return v;
        }, List.of(), valid, false);
    }

    /** A comma-separated list (entries trimmed, empty entries kept only if the list is a single empty string). */
    public static OptionSpec<List<String>> list(String key, List<String> defaultValue, String description) {
        return of(key, "list", defaultValue, description, s -> {
            List<String> out = new ArrayList<>();
            for (String part : s.split(",", -1)) out.add(part.trim());
            return List.copyOf(out);
        });
    }

    /** Adds a validation; {@code requirement} completes "must be ..." in the error message, e.g. "at least 1". */
    public OptionSpec<T> validate(Predicate<T> ok, String requirement) {
        List<Check<T>> next = new ArrayList<>(checks);
        next.add(new Check<>(ok, requirement));
        return new OptionSpec<>(key, typeName, defaultValue, description, parser, next, choices, secret);
    }

    /** Marks the value as secret: it is never printed (config dumps, errors, {@code polarway sources}). */
    public OptionSpec<T> secret() {
        return new OptionSpec<>(key, typeName, defaultValue, description, parser, checks, choices, true);
    }

    public String key() {
        return key;
    }

    public String typeName() {
        return typeName;
    }

    public Optional<T> defaultValue() {
        return Optional.ofNullable(defaultValue);
    }

    public String description() {
        return description;
    }

    /** Valid values for {@link #choice} options, otherwise empty. */
    public List<String> choices() {
        return choices;
    }

    public boolean isSecret() {
        return secret;
    }

    /** The requirements added with {@link #validate}, for documentation. */
    public List<String> requirements() {
        return checks.stream().map(Check::requirement).toList();
    }

    /**
     * Parses and validates one raw value.
     *
     * @throws IllegalArgumentException with a message that does not contain the raw value when the option is secret
     */
    T parse(String raw) {
        T value;
        try {
            value = parser.apply(raw);
        } catch (RuntimeException e) {
            String shown = secret ? "<secret>" : "'" + raw + "'";
            // a parser's own message may quote the input (NumberFormatException does): drop it for secrets
            String detail = secret || e.getMessage() == null ? "" : " (" + e.getMessage() + ")";
            throw new IllegalArgumentException("cannot parse " + shown + " as " + typeName + detail, e);
        }
        for (Check<T> c : checks) {
            if (!c.ok().test(value)) {
                String shown = secret ? "<secret>" : String.valueOf(value);
                throw new IllegalArgumentException("value " + shown + " must be " + c.requirement());
            }
        }
        return value;
    }

    private static Boolean parseBoolean(String s) {
        return switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on", "1" -> Boolean.TRUE;
            case "false", "no", "off", "0" -> Boolean.FALSE;
            default -> throw new IllegalArgumentException("expected true or false");
        };
    }

    private static Character parseChar(String s) {
        switch (s) {
            case "\\t", "tab", "TAB" -> {
                return '\t';
            }
            case "\\n" -> {
                return '\n';
            }
            case "\\r" -> {
                return '\r';
            }
            default -> {
            }
        }
        if (s.startsWith("\\u") && s.length() == 6) return (char) Integer.parseInt(s.substring(2), 16);
        if (s.length() != 1) throw new IllegalArgumentException("expected exactly one character");
        return s.charAt(0);
    }

    @Override
    public String toString() {
        return key + " (" + typeName + ")";
    }
}
