package io.polarway.bench.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.polarway.bench.gate.Gate;
import io.polarway.bench.gate.Samples;
import io.polarway.bench.runner.RunRecord;
import io.polarway.config.ByteSize;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Writes the bench report: {@code results.json} (every run and micro benchmark, the gate's verdicts) and
 * {@code index.html} (tables and inline-SVG charts: memory against the limits over time with the pause bands, chunk
 * size over time, CPU credits, throughput per profile and scenario, links to flame graphs).
 */
public final class ReportWriter {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final int MAX_POINTS = 1500;

    /** Everything the report shows. */
    public record Report(String suite, String started, String finished, Map<String, Object> machine,
                         List<RunRecord> runs, Map<String, Samples> micro, List<Gate.Verdict> verdicts,
                         String gateStatus, String gateNote, boolean passed) {
    }

    private ReportWriter() {
    }

    public static void write(Path out, Report r) throws IOException {
        Files.createDirectories(out);
        JSON.writeValue(out.resolve("results.json").toFile(), toJson(r));
        Files.writeString(out.resolve("index.html"), html(out, r), StandardCharsets.UTF_8);
    }

    static Map<String, Object> toJson(Report r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("suite", r.suite());
        m.put("started", r.started());
        m.put("finished", r.finished());
        m.put("machine", r.machine());
        m.put("passed", r.passed());
        List<Map<String, Object>> runs = new ArrayList<>();
        for (RunRecord rr : r.runs()) runs.add(rr.toMap());
        m.put("runs", runs);
        Map<String, Object> micro = new TreeMap<>();
        for (Samples s : r.micro().values()) {
            micro.put(s.key(), Map.of("unit", s.unit(), "median", s.median(), "forks", s.forks(),
                    "samples", s.asList()));
        }
        m.put("micro", micro);
        Map<String, Object> gate = new LinkedHashMap<>();
        gate.put("status", r.gateStatus());
        gate.put("note", r.gateNote());
        List<Map<String, Object>> vs = new ArrayList<>();
        for (Gate.Verdict v : r.verdicts()) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("benchmark", v.key());
            x.put("status", v.status().name().toLowerCase(Locale.ROOT));
            x.put("baseline_median", Double.isNaN(v.baseline()) ? null : v.baseline());
            x.put("current_median", v.current());
            x.put("effect", Double.isNaN(v.effect()) ? null : v.effect());
            x.put("p_value", Double.isNaN(v.pValue()) ? null : v.pValue());
            x.put("normalized", v.normalized());
            vs.add(x);
        }
        gate.put("verdicts", vs);
        m.put("gate", gate);
        return m;
    }

    private static String html(Path out, Report r) throws IOException {
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Polarway bench report — ")
                .append(Html.escape(r.suite())).append("</title>\n<style>")
                .append("body{font-family:system-ui,sans-serif;margin:24px;color:#222;max-width:1200px}")
                .append("table{border-collapse:collapse;margin:12px 0;font-size:13px}")
                .append("th,td{border:1px solid #ccc;padding:4px 8px;text-align:right}th{background:#f0f0f0}")
                .append("td.l,th.l{text-align:left}.ok{color:#1e8449;font-weight:600}.bad{color:#c0392b;font-weight:600}")
                .append(".note{color:#777;font-size:12px}section.run{border-top:1px solid #ddd;margin-top:24px}")
                .append("</style></head><body>\n");
        h.append("<h1>Polarway bench report</h1>\n<p id=\"verdict\" class=\"").append(r.passed() ? "ok" : "bad")
                .append("\">").append(r.passed() ? "PASSED" : "FAILED").append(" — suite <b>")
                .append(Html.escape(r.suite())).append("</b>, ").append(r.runs().size()).append(" scenario runs, ")
                .append(r.micro().size()).append(" micro benchmarks; gate: ").append(Html.escape(r.gateStatus()))
                .append("</p>\n<p class=\"note\">").append(Html.escape(r.started())).append(" → ")
                .append(Html.escape(r.finished())).append("; machine: ").append(Html.escape(String.valueOf(r.machine())))
                .append("</p>\n");

        h.append("<h2>Scenario runs</h2>\n<table id=\"runs\"><tr><th class=l>scenario</th><th class=l>profile</th>")
                .append("<th class=l>confinement</th><th class=l>outcome</th><th>rows</th><th>rows/s</th><th>MB/s</th>")
                .append("<th>peak working set</th><th>recommended</th><th>kernel limit</th><th>pauses</th>")
                .append("<th>GC ms</th><th class=l>validations</th></tr>\n");
        for (RunRecord run : r.runs()) {
            Map<String, Object> m = run.toMap();
            h.append("<tr><td class=l><a href=\"#").append(anchor(run)).append("\">")
                    .append(Html.escape(run.scenario)).append("</a></td><td class=l>").append(Html.escape(run.profileLabel))
                    .append("</td><td class=l>").append(Html.escape(run.confinement))
                    .append(run.confinementNote == null || run.confinementNote.isEmpty() ? ""
                            : " <span class=note>(" + Html.escape(run.confinementNote) + ")</span>")
                    .append("</td><td class=l>").append(Html.escape(String.valueOf(m.get("outcome"))))
                    .append(run.expectedOutcome.equals("completed") ? "" : " (expected " + run.expectedOutcome + ")")
                    .append("</td><td>").append(fmt(m.get("rows"))).append("</td><td>").append(fmt(m.get("rows_per_s")))
                    .append("</td><td>").append(fmt(m.get("mb_per_s"))).append("</td><td>")
                    .append(size(run.peakWorkingSetBytes())).append("</td><td>").append(size(run.recommendedLimitBytes))
                    .append("</td><td>").append(size(run.limitBytes)).append("</td><td>")
                    .append(fmt(run.metrics.getOrDefault("pauses", "")))
                    .append("</td><td>").append(fmt(run.metrics.getOrDefault("gc_ms", ""))).append("</td><td class=l>");
            for (RunRecord.Validation v : run.validations) {
                h.append("<span class=\"").append(v.passed() ? "ok" : "bad").append("\" title=\"")
                        .append(Html.escape(v.detail())).append("\">").append(v.passed() ? "✓ " : "✗ ")
                        .append(Html.escape(v.name())).append("</span><br>");
            }
            h.append("</td></tr>\n");
        }
        h.append("</table>\n");

        Map<String, Map<String, Double>> throughput = new TreeMap<>();
        for (RunRecord run : r.runs()) {
            double v = run.metrics.get("rows_per_s") instanceof Number n ? n.doubleValue() : 0;
            if (v > 0) throughput.computeIfAbsent(run.scenario, k -> new TreeMap<>())
                    .merge(run.profileLabel, v, Math::max);
        }
        if (!throughput.isEmpty()) {
            h.append("<h2>Throughput per scenario and profile</h2>\n<div class=chart id=\"throughput\">")
                    .append(Charts.bars("rows per second", "rows/s", throughput)).append("</div>\n");
        }

        for (RunRecord run : r.runs()) runSection(h, out, run);

        h.append("<h2>Micro benchmarks and the regression gate</h2>\n<p>").append(Html.escape(r.gateNote()))
                .append("</p>\n<table id=\"micro\"><tr><th class=l>benchmark</th><th>unit</th><th>median</th>")
                .append("<th>forks × iterations</th><th>baseline median</th><th>change</th><th>p</th>")
                .append("<th class=l>verdict</th></tr>\n");
        Map<String, Gate.Verdict> byKey = new LinkedHashMap<>();
        for (Gate.Verdict v : r.verdicts()) byKey.put(v.key(), v);
        for (Samples s : r.micro().values()) {
            Gate.Verdict v = byKey.get(s.key());
            h.append("<tr><td class=l>").append(Html.escape(s.key())).append("</td><td>").append(Html.escape(s.unit()))
                    .append("</td><td>").append(fmt(s.median())).append("</td><td>").append(s.forks()).append(" × ")
                    .append(s.values().length / Math.max(1, s.forks())).append("</td>");
            if (v == null) {
                h.append("<td></td><td></td><td></td><td class=l>not gated</td>");
            } else {
                boolean bad = v.status() == Gate.Status.REGRESSION;
                h.append("<td>").append(Double.isNaN(v.baseline()) ? "" : fmt(v.baseline()))
                        .append(v.normalized() ? " <span class=note>(normalised)</span>" : "").append("</td><td>")
                        .append(Double.isNaN(v.effect()) ? "" : String.format(Locale.ROOT, "%+.1f %%", v.effect() * 100))
                        .append("</td><td>").append(Double.isNaN(v.pValue()) ? "" : String.format(Locale.ROOT, "%.3g",
                                v.pValue()))
                        .append("</td><td class=\"l ").append(bad ? "bad" : "ok").append("\">")
                        .append(v.status().name().toLowerCase(Locale.ROOT)).append("</td>");
            }
            h.append("</tr>\n");
        }
        h.append("</table>\n");
        links(h, out.resolve("micro"), out, "Flame graphs of the micro benchmarks");
        h.append("</body></html>\n");
        return h.toString();
    }

    private static String anchor(RunRecord run) {
        return "run-" + run.scenario + "-" + run.profileLabel + "-" + run.repeat;
    }

    private static void runSection(StringBuilder h, Path out, RunRecord run) throws IOException {
        Path dir = out.resolve(run.runDir);
        h.append("<section class=run id=\"").append(anchor(run)).append("\"><h3>").append(Html.escape(run.scenario))
                .append(" on ").append(Html.escape(run.profileLabel)).append(" — ")
                .append(Html.escape(run.outcome == null ? "?" : run.outcome.name().toLowerCase(Locale.ROOT)))
                .append("</h3>\n");
        if (run.failure != null) h.append("<p class=bad>").append(Html.escape(run.failure)).append("</p>\n");
        Timeline t = Timeline.read(dir.resolve("timeline.jsonl"));
        if (t.time.isEmpty()) {
            h.append("<p class=note>no timeline</p>\n");
        } else {
            List<Charts.Series> mem = new ArrayList<>();
            mem.add(new Charts.Series("working set (policy signal)", t.seconds(), t.mb(t.signal)));
            if (t.cgroup.stream().anyMatch(v -> v > 0)) {
                mem.add(new Charts.Series("cgroup working set (kernel)", t.seconds(), t.mb(t.cgroup)));
            }
            mem.add(new Charts.Series("Arrow memory", t.seconds(), t.mb(t.arrow)));
            h.append("<div class=chart>").append(Charts.memory("memory against the limits (pauses shaded)", mem,
                    t.pauses, run.recommendedLimitBytes / 1e6, run.limitBytes > 0 ? run.limitBytes / 1e6 : -1))
                    .append("</div>\n");
            h.append("<div class=chart>").append(Charts.steps("chunk size the policy asks for", "rows",
                    List.of(new Charts.Series("chunk rows", t.seconds(), toArray(t.rows))), 0, "")).append("</div>\n");
        }
        Path cpu = dir.resolve("cpu.jsonl");
        if (Files.exists(cpu)) {
            List<double[]> rows = new ArrayList<>();
            for (String line : Files.readAllLines(cpu)) {
                if (line.isBlank()) continue;
                JsonNode n = JSON.readTree(line);
                rows.add(new double[]{n.get("t").asDouble() / 1000, n.get("used").asDouble(),
                        n.get("credits").asDouble(), n.get("quota").asDouble()});
            }
            if (!rows.isEmpty()) {
                double[] x = rows.stream().mapToDouble(a -> a[0]).toArray();
                h.append("<div class=chart>").append(Charts.steps("burstable CPU", "cores / credits", List.of(
                        new Charts.Series("cores used", x, rows.stream().mapToDouble(a -> a[1]).toArray()),
                        new Charts.Series("credits", x, rows.stream().mapToDouble(a -> a[2]).toArray()),
                        new Charts.Series("quota (cores)", x, rows.stream().mapToDouble(a -> a[3]).toArray())),
                        0, "")).append("</div>\n");
            }
        }
        h.append("<p class=note>files: <a href=\"").append(Html.escape(run.runDir)).append("/jmh.log\">jmh.log</a>, <a href=\"")
                .append(Html.escape(run.runDir)).append("/timeline.jsonl\">timeline.jsonl</a></p>\n");
        links(h, dir.resolve("flamegraph"), out, "Flame graphs");
        h.append("</section>\n");
    }

    private static void links(StringBuilder h, Path dir, Path out, String title) throws IOException {
        if (!Files.isDirectory(dir)) return;
        List<Path> graphs;
        try (Stream<Path> s = Files.walk(dir)) {
            graphs = s.filter(p -> p.toString().endsWith(".html")).sorted().toList();
        }
        if (graphs.isEmpty()) return;
        h.append("<p>").append(Html.escape(title)).append(": ");
        for (Path g : graphs) {
            String rel = out.relativize(g).toString();
            h.append("<a href=\"").append(Html.escape(rel)).append("\">").append(Html.escape(rel)).append("</a> ");
        }
        h.append("</p>\n");
    }

    private static double[] toArray(List<Double> v) {
        return v.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static String size(long bytes) {
        return bytes > 0 ? ByteSize.format(bytes) : "—";
    }

    private static String fmt(Object o) {
        if (o instanceof Double d) return d >= 100 ? String.format(Locale.ROOT, "%,.0f", d)
                : String.format(Locale.ROOT, "%.3g", d);
        if (o instanceof Number n) return String.format(Locale.ROOT, "%,d", n.longValue());
        return o == null ? "" : Html.escape(o.toString());
    }

    /** A run's timeline.jsonl, decimated for drawing. */
    static final class Timeline {
        final List<Double> time = new ArrayList<>();
        final List<Double> signal = new ArrayList<>();
        final List<Double> cgroup = new ArrayList<>();
        final List<Double> arrow = new ArrayList<>();
        final List<Double> rows = new ArrayList<>();
        final List<double[]> pauses = new ArrayList<>();

        static Timeline read(Path file) throws IOException {
            Timeline t = new Timeline();
            if (!Files.exists(file)) return t;
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            long samples = lines.stream().filter(l -> l.startsWith("{\"k\":\"s\"")).count();
            long every = Math.max(1, samples / MAX_POINTS);
            long i = 0;
            double pauseStart = -1;
            double last = 0;
            for (String line : lines) {
                if (line.isBlank()) continue;
                JsonNode n;
                try {
                    n = JSON.readTree(line);
                } catch (IOException e) {
                    continue; // the last line of a killed run may be cut
                }
                double sec = n.path("t").asDouble() / 1000;
                last = Math.max(last, sec);
                switch (n.path("k").asText()) {
                    case "s" -> {
                        if (i++ % every != 0) continue;
                        t.time.add(sec);
                        t.signal.add(n.path("ws").asDouble());
                        t.cgroup.add(n.path("cg").asDouble());
                        t.arrow.add(n.path("arrow").asDouble());
                        t.rows.add(n.path("rows").asDouble());
                    }
                    case "p" -> pauseStart = sec;
                    case "r" -> {
                        if (pauseStart >= 0) t.pauses.add(new double[]{pauseStart, sec});
                        pauseStart = -1;
                    }
                    default -> {
                    }
                }
            }
            if (pauseStart >= 0) t.pauses.add(new double[]{pauseStart, last});
            return t;
        }

        double[] seconds() {
            return toArray(time);
        }

        double[] mb(List<Double> bytes) {
            return bytes.stream().mapToDouble(b -> b < 0 ? 0 : b / 1e6).toArray();
        }
    }
}
