package io.polarway.result;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A value or an error, for the functional style the guide shows ({@code map}, {@code and_then}, {@code map_err},
 * {@code unwrap_or}, {@code unwrap_or_else}, {@code match}, {@code sequence}). Immutable.
 *
 * <pre>{@code
 * int rows = source.tryReadChunk()
 *         .map(opt -> opt.map(c -> { try (c) { return c.rowCount(); } }).orElse(0))
 *         .unwrapOr(0);
 * }</pre>
 *
 * @param <T> the success type
 * @param <E> the error type
 */
public sealed interface Result<T, E> {

    record Ok<T, E>(T value) implements Result<T, E> {
    }

    record Err<T, E>(E error) implements Result<T, E> {
        public Err {
            Objects.requireNonNull(error, "error");
        }
    }

    static <T, E> Result<T, E> ok(T value) {
        return new Ok<>(value);
    }

    static <T, E> Result<T, E> err(E error) {
        return new Err<>(error);
    }

    /**
     * Runs {@code action}; a {@link io.polarway.error.PolarwayException} becomes {@code Err}. Other exceptions
     * propagate: they are bugs, not outcomes.
     */
    static <T> Result<T, io.polarway.error.PolarwayException> attempt(Supplier<T> action) {
        try {
            return ok(action.get());
        } catch (io.polarway.error.PolarwayException e) {
            return err(e);
        }
    }

    /** All values if every result is {@code Ok}, else the first error. */
    static <T, E> Result<List<T>, E> sequence(Iterable<? extends Result<? extends T, ? extends E>> results) {
        List<T> values = new ArrayList<>();
        for (Result<? extends T, ? extends E> r : results) {
            if (r instanceof Err<? extends T, ? extends E> e) return err(e.error());
            values.add(((Ok<? extends T, ? extends E>) r).value());
        }
        return ok(values);
    }

    default boolean isOk() {
        return this instanceof Ok;
    }

    default boolean isErr() {
        return this instanceof Err;
    }

    default <U> Result<U, E> map(Function<? super T, ? extends U> f) {
        if (this instanceof Ok<T, E> ok) return ok(f.apply(ok.value()));
        return err(((Err<T, E>) this).error());
    }

    /** Chains an operation that can itself fail. */
    default <U> Result<U, E> andThen(Function<? super T, ? extends Result<U, E>> f) {
        if (this instanceof Ok<T, E> ok) return f.apply(ok.value());
        return err(((Err<T, E>) this).error());
    }

    default <F> Result<T, F> mapErr(Function<? super E, ? extends F> f) {
        if (this instanceof Err<T, E> e) return err(f.apply(e.error()));
        return ok(((Ok<T, E>) this).value());
    }

    default T unwrapOr(T fallback) {
        return this instanceof Ok<T, E> ok ? ok.value() : fallback;
    }

    default T unwrapOrElse(Function<? super E, ? extends T> f) {
        return this instanceof Ok<T, E> ok ? ok.value() : f.apply(((Err<T, E>) this).error());
    }

    /**
     * The value, or throws: the error itself if it is a {@link RuntimeException}, else an
     * {@link IllegalStateException} wrapping it.
     */
    default T unwrap() {
        if (this instanceof Ok<T, E> ok) return ok.value();
        E e = ((Err<T, E>) this).error();
        if (e instanceof RuntimeException re) throw re;
        throw new IllegalStateException("unwrap on Err: " + e);
    }

    /** Pattern match: {@code ok} on success, {@code err} on error. */
    default <R> R match(Function<? super T, ? extends R> ok, Function<? super E, ? extends R> err) {
        if (this instanceof Ok<T, E> o) return ok.apply(o.value());
        return err.apply(((Err<T, E>) this).error());
    }
}
