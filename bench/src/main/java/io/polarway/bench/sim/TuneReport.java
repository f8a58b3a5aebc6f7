package io.polarway.bench.sim;

import io.polarway.bench.report.Charts;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Shape;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A sweep's outputs: the CSV of every point, the Pareto chart (throughput against peak memory; OOM kills as red
 * crosses on the floor, runs that paused ringed, the front as a line, the oracle's throughput and the budget and
 * cgroup limit as dashed lines) as SVG, and the comparison table (the guide's policy, each rival with its defaults,
 * the best tuned configuration of each, the oracle) as Markdown or plain text.
 */
public final class TuneReport {
    private static final Color[] PALETTE = {new Color(0x1F77B4), new Color(0x2CA02C), new Color(0x9467BD),
            new Color(0xFF7F0E), new Color(0x8C564B), new Color(0x17BECF), new Color(0x7F7F7F)};
    private static final Color OOM = new Color(0xC0392B);

    private TuneReport() {
    }

    /** The CSV header. */
    public static final String CSV_HEADER = "workload,profile,policy,params,kind,outcome,rows_per_s,elapsed_ms,peak_mb,"
            + "budget_mb,limit_mb,within_budget,pareto,gate_pauses,limit_waits,paused_ms,stall_resumes,limit_retries,"
            + "chunks,chunk_rows_min,chunk_rows_max,chunk_rows_mean";

    /** One CSV line per point (no header). */
    public static List<String> csvLines(Sweep.Outcome o) {
        List<String> lines = new ArrayList<>();
        for (Sweep.Point p : o.points()) {
            SimResult r = p.result();
            lines.add(String.join(",", csv(o.workload().name()), csv(o.profile().label()), p.spec().name(),
                    csv(p.spec().paramsText()), p.kind().name().toLowerCase(Locale.ROOT), r.outcome(),
                    fmt(r.rowsPerSecond(), 0), fmt(r.elapsedNanos() / 1e6, 1), fmt(r.peakBytes() / 1e6, 1),
                    fmt(o.workload().budgetBytes() / 1e6, 0), fmt(o.workload().limitBytes() / 1e6, 0),
                    Boolean.toString(p.withinBudget()), Boolean.toString(o.pareto().contains(p)),
                    Long.toString(r.gatePauses()), Long.toString(r.limitWaits()), fmt(r.pausedNanos() / 1e6, 1),
                    Long.toString(r.stallResumes()), Long.toString(r.limitRetries()), Long.toString(r.chunks()),
                    Integer.toString(r.minChunkRows()), Integer.toString(r.maxChunkRows()),
                    fmt(r.meanChunkRows(), 0)));
        }
        return lines;
    }

    /** Writes (or appends to) {@code file}: the header once, then the lines. */
    public static void writeCsv(Path file, List<String> lines, boolean append) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        StringBuilder sb = new StringBuilder();
        if (!append || !Files.exists(file)) sb.append(CSV_HEADER).append('\n');
        for (String l : lines) sb.append(l).append('\n');
        if (append && Files.exists(file)) {
            Files.writeString(file, sb.toString(), StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
        } else {
            Files.writeString(file, sb.toString(), StandardCharsets.UTF_8);
        }
    }

    private static String csv(String s) {
        return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }

    private static String fmt(double v, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    /** The rows of the comparison: label → point (absent points are skipped). */
    public static Map<String, Sweep.Point> comparison(Sweep.Outcome o) {
        Map<String, Sweep.Point> rows = new LinkedHashMap<>();
        o.defaults().forEach((name, p) -> rows.put(name.equals("guide") ? "guide (the guide's policy)"
                : name.equals("profile") ? "profile's recommendation" : name + " (defaults)", p));
        o.best().forEach((name, p) -> {
            if (p.kind() == Sweep.Kind.GRID) rows.put(name + " (best tuned)", p);
        });
        if (o.oracle() != null) rows.put("oracle (best fixed size)", o.oracle());
        return rows;
    }

    /** The comparison as a Markdown table. */
    public static String markdownTable(Sweep.Outcome o) {
        StringBuilder sb = new StringBuilder();
        sb.append("| policy | parameters | outcome | rows/s | peak MB | within budget − ")
                .append(Math.round(o.margin() * 100)).append(" % | gate pauses | limit waits "
                + "| paused s |\n|---|---|---|---:|---:|---|---:|---:|---:|\n");
        for (Map.Entry<String, Sweep.Point> e : comparison(o).entrySet()) {
            Sweep.Point p = e.getValue();
            SimResult r = p.result();
            boolean bestOverall = p == o.overall();
            sb.append("| ").append(bestOverall ? "**" + e.getKey() + "**" : e.getKey()).append(" | ")
                    .append(p.spec().params().isEmpty() ? "—" : "`" + p.spec().paramsText() + "`").append(" | ")
                    .append(r.outcome().replace('_', ' ')).append(" | ").append(fmt(r.rowsPerSecond(), 0))
                    .append(" | ").append(fmt(r.peakBytes() / 1e6, 0)).append(" | ")
                    .append(p.withinBudget() ? "yes" : "no").append(" | ").append(r.gatePauses()).append(" | ")
                    .append(r.limitWaits()).append(" | ").append(fmt(r.pausedNanos() / 1e9, 1)).append(" |\n");
        }
        return sb.toString();
    }

    /** The comparison as aligned plain text, for a terminal. */
    public static String textTable(Sweep.Outcome o) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-30s %-11s %12s %9s %7s %7s %8s  %s%n", "policy", "outcome",
                "rows/s", "peak MB", "pauses", "waits", "paused s", "parameters"));
        for (Map.Entry<String, Sweep.Point> e : comparison(o).entrySet()) {
            Sweep.Point p = e.getValue();
            SimResult r = p.result();
            sb.append(String.format(Locale.ROOT, "%-30s %-11s %,12.0f %9.0f %7d %7d %8.1f  %s%s%n",
                    (p == o.overall() ? "* " : "") + e.getKey(), r.outcome(), r.rowsPerSecond(), r.peakBytes() / 1e6,
                    r.gatePauses(), r.limitWaits(), r.pausedNanos() / 1e9,
                    p.spec().params().isEmpty() ? "-" : p.spec().paramsText(), p.withinBudget() ? "" : "  (over budget "
                            + "less margin)"));
        }
        return sb.toString();
    }

    /** The Pareto chart as an {@code <svg>} element. */
    public static String paretoSvg(Sweep.Outcome o, String title) {
        return Charts.render(() -> paretoChart(o, title), 900, 520);
    }

    /** The Pareto chart as a PNG file (for {@code docs/tuning.md}: the SVG of a full sweep is megabytes). */
    public static void paretoPng(Sweep.Outcome o, String title, Path file) throws IOException {
        Charts.writePng(() -> paretoChart(o, title), 900, 520, file);
    }

    static JFreeChart paretoChart(Sweep.Outcome o, String title) {
        XYSeriesCollection ds = new XYSeriesCollection();
        Map<String, XYSeries> byPolicy = new LinkedHashMap<>();
        XYSeries paused = new XYSeries("paused (ringed)", false, true);
        XYSeries oom = new XYSeries("OOM-killed / failed (×, at 0)", false, true);
        XYSeries front = new XYSeries("Pareto front", false, true);
        for (Sweep.Point p : o.points()) {
            double x = p.result().peakBytes() / 1e6;
            if (!p.result().completed()) {
                oom.add(x, 0);
                continue;
            }
            String key = p.kind() == Sweep.Kind.ORACLE ? "fixed sizes (oracle's candidates)" : p.spec().name();
            byPolicy.computeIfAbsent(key, k -> new XYSeries(k, false, true)).add(x, p.rowsPerSecond());
            if (p.result().pauses() > 0) paused.add(x, p.rowsPerSecond());
        }
        for (Sweep.Point p : o.pareto()) front.add(p.result().peakBytes() / 1e6, p.rowsPerSecond());
        for (XYSeries s : byPolicy.values()) ds.addSeries(s);
        ds.addSeries(paused);
        ds.addSeries(oom);
        ds.addSeries(front);

        JFreeChart chart = ChartFactory.createScatterPlot(title, "peak working set (MB)", "throughput (rows/s)", ds,
                PlotOrientation.VERTICAL, true, false, false);
        Charts.style(chart);
        XYPlot plot = chart.getXYPlot();
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(false, true);
        int i = 0;
        for (; i < byPolicy.size(); i++) {
            r.setSeriesPaint(i, PALETTE[i % PALETTE.length]);
            r.setSeriesShape(i, new Ellipse2D.Double(-3, -3, 6, 6));
        }
        r.setSeriesPaint(i, Color.BLACK);
        r.setSeriesShape(i, new Ellipse2D.Double(-6, -6, 12, 12));
        r.setSeriesShapesFilled(i, false);
        i++;
        r.setSeriesPaint(i, OOM);
        r.setSeriesShape(i, cross(6));
        i++;
        r.setSeriesLinesVisible(i, true);
        r.setSeriesShapesVisible(i, false);
        r.setSeriesPaint(i, Color.DARK_GRAY);
        r.setSeriesStroke(i, new BasicStroke(1.5f));
        plot.setRenderer(r);
        plot.addDomainMarker(Charts.line(o.workload().budgetBytes() / 1e6, new Color(0xE67E22),
                "budget (recommended limit)"));
        plot.addDomainMarker(Charts.line(o.workload().limitBytes() / 1e6, OOM, "cgroup limit (RAM)"));
        if (o.oracle() != null) {
            plot.addRangeMarker(Charts.line(o.oracle().rowsPerSecond(), new Color(0x555555),
                    "oracle: best fixed " + o.oracle().spec().params().get("chunk_rows") + " rows"));
        }
        double maxX = o.workload().limitBytes() / 1e6;
        for (Sweep.Point p : o.points()) maxX = Math.max(maxX, p.result().peakBytes() / 1e6);
        plot.getDomainAxis().setRange(0, maxX * 1.05);
        return chart;
    }

    private static Shape cross(double s) {
        Path2D.Double p = new Path2D.Double();
        p.moveTo(-s, -s);
        p.lineTo(s, s);
        p.moveTo(-s, s);
        p.lineTo(s, -s);
        return new BasicStroke(2f).createStrokedShape(p);
    }
}
