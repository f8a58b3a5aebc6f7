package io.polarway.bench.report;

import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.plot.IntervalMarker;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYStepRenderer;
import org.jfree.chart.ui.Layer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.svg.SVGGraphics2D;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Rectangle;
import java.util.List;
import java.util.Map;

/**
 * The report's charts, drawn with JFreeChart into inline SVG (so {@code index.html} needs no script and opens
 * offline). Each method returns an {@code <svg>} element, or a short HTML note if the chart cannot be drawn here
 * (e.g. a JDK without fonts), so a chart never fails the suite. {@link #render}, {@link #style} and {@link #line} are
 * public so other reports (the policy sweeps' Pareto charts, {@code io.polarway.bench.sim}) draw the same way.
 */
public final class Charts {
    private static final int W = 760;
    private static final int H = 300;
    private static final Color LIMIT = new Color(0xC0392B);
    private static final Color RECOMMENDED = new Color(0xE67E22);
    private static final Color PAUSE = new Color(0x3498DB);

    private Charts() {
    }

    /** A line series: x values and y values of equal length. */
    record Series(String name, double[] x, double[] y) {
    }

    /**
     * Memory over time against the limits, with the pauses as shaded bands.
     *
     * @param pauses           [start, end] pairs in seconds
     * @param recommendedMB    the profile's recommended limit (a line), or ≤ 0
     * @param limitMB          the kernel's limit (a line), or ≤ 0
     */
    static String memory(String title, List<Series> series, List<double[]> pauses, double recommendedMB,
                         double limitMB) {
        return render(() -> {
            JFreeChart chart = ChartFactory.createXYLineChart(title, "time (s)", "MB", dataset(series),
                    PlotOrientation.VERTICAL, true, false, false);
            XYPlot plot = chart.getXYPlot();
            style(chart);
            for (double[] p : pauses) {
                IntervalMarker m = new IntervalMarker(p[0], p[1], new Color(PAUSE.getRed(), PAUSE.getGreen(),
                        PAUSE.getBlue(), 60));
                plot.addDomainMarker(m, Layer.BACKGROUND);
            }
            if (recommendedMB > 0) plot.addRangeMarker(line(recommendedMB, RECOMMENDED, "recommended limit"));
            if (limitMB > 0) plot.addRangeMarker(line(limitMB, LIMIT, "kernel limit (RAM)"));
            double top = Math.max(limitMB, recommendedMB);
            for (Series s : series) for (double v : s.y()) top = Math.max(top, v);
            plot.getRangeAxis().setRange(0, top * 1.08 + 1);
            return chart;
        });
    }

    /** Chunk size over time, as a step line. */
    static String steps(String title, String yLabel, List<Series> series, double maxLine, String maxLabel) {
        return render(() -> {
            JFreeChart chart = ChartFactory.createXYLineChart(title, "time (s)", yLabel, dataset(series),
                    PlotOrientation.VERTICAL, true, false, false);
            XYPlot plot = chart.getXYPlot();
            plot.setRenderer(new XYStepRenderer());
            style(chart);
            if (maxLine > 0) plot.addRangeMarker(line(maxLine, RECOMMENDED, maxLabel));
            return chart;
        });
    }

    /** Bars per category and series, e.g. rows/s per scenario and profile. */
    static String bars(String title, String yLabel, Map<String, Map<String, Double>> values) {
        return render(() -> {
            DefaultCategoryDataset ds = new DefaultCategoryDataset();
            values.forEach((category, bySeries) -> bySeries.forEach((s, v) -> ds.addValue(v, s, category)));
            JFreeChart chart = ChartFactory.createBarChart(title, null, yLabel, ds, PlotOrientation.VERTICAL, true,
                    false, false);
            chart.getCategoryPlot().getDomainAxis().setCategoryLabelPositions(CategoryLabelPositions.UP_45);
            style(chart);
            return chart;
        });
    }

    private static XYSeriesCollection dataset(List<Series> series) {
        XYSeriesCollection ds = new XYSeriesCollection();
        for (Series s : series) {
            XYSeries x = new XYSeries(s.name(), false, true);
            for (int i = 0; i < s.x().length; i++) x.add(s.x()[i], s.y()[i]);
            ds.addSeries(x);
        }
        return ds;
    }

    /** A dashed horizontal or vertical marker line with a label. */
    public static ValueMarker line(double value, Color color, String label) {
        ValueMarker m = new ValueMarker(value, color, new BasicStroke(1.5f, BasicStroke.CAP_BUTT,
                BasicStroke.JOIN_MITER, 10f, new float[]{6f, 4f}, 0f));
        m.setLabel(label);
        m.setLabelPaint(color);
        m.setLabelAnchor(RectangleAnchor.TOP_LEFT);
        m.setLabelTextAnchor(TextAnchor.BOTTOM_LEFT);
        return m;
    }

    /** The report's look: white background, light plot area. */
    public static void style(JFreeChart chart) {
        chart.setBackgroundPaint(Color.WHITE);
        chart.getPlot().setBackgroundPaint(new Color(0xFAFAFA));
    }

    /** Builds a chart; may fail (e.g. no fonts), which {@link #render} turns into a note. */
    public interface ChartSupplier {
        JFreeChart get();
    }

    private static String render(ChartSupplier supplier) {
        return render(supplier, W, H);
    }

    /**
     * Draws the chart into an {@code <svg>} element of the given size, or returns a short HTML note when it cannot be
     * drawn here.
     */
    public static String render(ChartSupplier supplier, int width, int height) {
        try {
            JFreeChart chart = supplier.get();
            SVGGraphics2D g = new SVGGraphics2D(width, height);
            chart.draw(g, new Rectangle(0, 0, width, height));
            return g.getSVGElement();
        } catch (RuntimeException | Error e) {
            return "<p class=\"note\">chart unavailable here: " + Html.escape(String.valueOf(e)) + "</p>";
        }
    }

    /**
     * Draws the chart into a PNG file of the given size (pixels): a few tens of kilobytes where an SVG of thousands of
     * points is megabytes, for documents kept in the repository. Needs no display (AWT headless).
     *
     * @throws IOException when the file cannot be written
     */
    public static void writePng(ChartSupplier supplier, int width, int height, java.nio.file.Path file)
            throws java.io.IOException {
        org.jfree.chart.ChartUtils.saveChartAsPNG(file.toFile(), supplier.get(), width, height);
    }
}
