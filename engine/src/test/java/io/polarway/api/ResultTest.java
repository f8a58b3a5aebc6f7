package io.polarway.api;

import io.polarway.error.NetworkException;
import io.polarway.error.PolarwayException;
import io.polarway.result.Result;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ResultTest {
    private static final NetworkException BOOM = new NetworkException("connection reset", null, null);

    @Test
    void monadOperations() {
        Result<Integer, String> ok = Result.ok(20);
        Result<Integer, String> err = Result.err("bad");
        assertThat(ok.map(x -> x + 1).unwrapOr(0)).isEqualTo(21);
        assertThat(err.map(x -> x + 1).unwrapOr(0)).isEqualTo(0);
        assertThat(ok.andThen(x -> x > 10 ? Result.<Integer, String>err("too big") : Result.ok(x)).isErr()).isTrue();
        int len = err.mapErr(String::length).match(v -> -1, e -> e);
        assertThat(len).isEqualTo(3);
        assertThat(err.unwrapOrElse(String::length)).isEqualTo(3);
        String text = ok.match(v -> "ok " + v, e -> "err " + e);
        assertThat(text).isEqualTo("ok 20");
    }

    @Test
    void sequenceStopsAtTheFirstError() {
        assertThat(Result.sequence(List.of(Result.<Integer, String>ok(1), Result.ok(2))).unwrap())
                .containsExactly(1, 2);
        String first = Result.sequence(List.of(Result.<Integer, String>ok(1), Result.err("a"), Result.err("b")))
                .match(v -> "ok", e -> e);
        assertThat(first).isEqualTo("a");
    }

    @Test
    void attemptCapturesEngineErrorsOnly() {
        Result<Object, PolarwayException> r = Result.attempt(() -> {
            throw BOOM;
        });
        boolean retryable = r.match(v -> false, PolarwayException::isRetryable);
        assertThat(retryable).isTrue();
        assertThatThrownBy(() -> Result.attempt(() -> {
            throw new IllegalStateException("bug");
        })).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(r::unwrap).isSameAs(BOOM);
    }
}
