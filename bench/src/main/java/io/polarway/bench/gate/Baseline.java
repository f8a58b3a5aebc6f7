package io.polarway.bench.gate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The stored reference the gate compares against ({@code bench/baseline.json}): the machine it was recorded on, the
 * calibration median of that run, and every gated benchmark's raw samples. Written by
 * {@code mvn verify -Pbench -Dbench.baseline.update=true}. Immutable.
 *
 * @param machine           where it was recorded
 * @param recorded          when (ISO-8601), for the report
 * @param commit            the commit it was recorded at, or empty
 * @param calibrationMedian the calibration benchmark's median in that run
 * @param samples           per benchmark key
 */
public record Baseline(Map<String, Object> machine, String recorded, String commit, double calibrationMedian,
                       Map<String, Samples> samples) {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public Baseline {
        machine = Map.copyOf(machine);
        samples = Map.copyOf(samples);
    }

    public String machineId() {
        return String.valueOf(machine.get("id"));
    }

    public static Baseline read(Path file) throws IOException {
        JsonNode n = JSON.readTree(file.toFile());
        Map<String, Object> machine = new LinkedHashMap<>();
        n.get("machine").fields().forEachRemaining(e -> machine.put(e.getKey(), e.getValue().isNumber()
                ? e.getValue().numberValue() : e.getValue().asText()));
        Map<String, Samples> samples = new TreeMap<>();
        n.get("benchmarks").fields().forEachRemaining(e -> {
            JsonNode b = e.getValue();
            List<Double> vs = new ArrayList<>();
            b.get("samples").forEach(v -> vs.add(v.asDouble()));
            samples.put(e.getKey(), new Samples(e.getKey(), b.get("unit").asText(),
                    vs.stream().mapToDouble(Double::doubleValue).toArray(), b.get("forks").asInt()));
        });
        return new Baseline(machine, n.path("recorded").asText(), n.path("commit").asText(),
                n.get("calibration_median").asDouble(), samples);
    }

    public void write(Path file) throws IOException {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("machine", machine);
        root.put("recorded", recorded);
        root.put("commit", commit);
        root.put("calibration_median", calibrationMedian);
        Map<String, Object> b = new TreeMap<>();
        for (Samples s : samples.values()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("unit", s.unit());
            m.put("forks", s.forks());
            m.put("median", s.median());
            m.put("samples", s.asList());
            b.put(s.key(), m);
        }
        root.put("benchmarks", b);
        Files.createDirectories(file.toAbsolutePath().getParent());
        JSON.writeValue(file.toFile(), root);
    }
}
