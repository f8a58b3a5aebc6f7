package io.polarway.source.kafka;

import io.polarway.error.AuthException;
import io.polarway.error.NetworkException;
import io.polarway.error.ParseException;
import io.polarway.error.PolarwayException;
import io.polarway.error.Where;
import org.apache.kafka.clients.consumer.InvalidOffsetException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TimeoutException;

/** Kafka client exceptions to the engine's typed errors, with the topic, partition and offset where known. */
final class KafkaErrors {
    private KafkaErrors() {
    }

    static PolarwayException map(Throwable t, String subscription) {
        if (t instanceof PolarwayException p) return p;
        Where where = Where.resource("kafka:" + subscription);
        String what = t.getClass().getSimpleName() + (t.getMessage() != null ? ": " + t.getMessage() : "");
        if (t instanceof AuthenticationException) {
            // Kafka's messages name the mechanism and the user at most, never the password.
            return new AuthException("authentication with the Kafka brokers failed (" + what + ")", where, t);
        }
        if (t instanceof AuthorizationException) {
            return new AuthException("not authorized (" + what + ")", where, t);
        }
        if (t instanceof InvalidOffsetException e) {
            TopicPartition tp = e.partitions().stream().findFirst().orElse(null);
            Where w = tp == null ? where : Where.resource(tp.topic()).withPartition(label(tp), -1);
            return new KafkaSourceException("no valid offset to start from in " + e.partitions() + " (" + what
                    + "); set auto_offset_reset=earliest or latest", w, t, false);
        }
        if (t instanceof RecordDeserializationException e) {
            return new ParseException("record cannot be read (" + what + ")", Where.resource(e.topicPartition().topic())
                    .withPartition(label(e.topicPartition()), e.offset()), t);
        }
        if (t instanceof TimeoutException) {
            return new NetworkException("the Kafka brokers did not answer in time (" + what + ")", where, t);
        }
        return new KafkaSourceException(what, where, t, t instanceof RetriableException);
    }

    static String label(TopicPartition tp) {
        return tp.topic() + "-" + tp.partition();
    }
}
