package io.polarway.source.dynamodb;

import io.polarway.api.StatsRecorder;
import software.amazon.awssdk.core.metrics.CoreMetric;
import software.amazon.awssdk.metrics.MetricCollection;
import software.amazon.awssdk.metrics.MetricPublisher;

/**
 * Receives the AWS SDK's metrics of each request one reader sends (attached per request, so parallel segments count
 * separately) and adds the retries and throttled attempts to the reader's stats: {@code retries} and
 * {@code throttled}. The SDK calls it once per API call, after the last attempt. Thread-safe (the stats are).
 */
final class RequestMetrics implements MetricPublisher {
    /** The SDK's name for an attempt's {@link CoreMetric#ERROR_TYPE} when the answer was throttling. */
    static final String THROTTLING = "Throttling";

    private final StatsRecorder stats;

    RequestMetrics(StatsRecorder stats) {
        this.stats = stats;
    }

    @Override
    public void publish(MetricCollection call) {
        long retries = 0;
        for (Integer r : call.metricValues(CoreMetric.RETRY_COUNT)) retries += r;
        if (retries > 0) stats.count("retries", retries);
        long throttled = call.childrenWithName("ApiCallAttempt")
                .flatMap(a -> a.metricValues(CoreMetric.ERROR_TYPE).stream())
                .filter(THROTTLING::equals)
                .count();
        if (throttled > 0) stats.count("throttled", throttled);
    }

    @Override
    public void close() {
    }
}
