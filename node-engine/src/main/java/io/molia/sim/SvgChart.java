package io.molia.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One plot as inline SVG: axes with round ticks, polylines and bars, shaded spans and a legend. Written for the
 * simulator's report page, which must stand alone (no script, nothing fetched). The legend sits below the plot, not
 * over it: a success line at 100 % or a CDF's top runs along the plot's upper edge, where a legend box hid it.
 */
final class SvgChart {
    static final String[] COLORS = {"#1f6fb4", "#d0342c", "#2a9d3a", "#8e44ad"};
    private static final int WIDTH = 600;
    private static final int HEIGHT = 330;
    private static final int LEFT = 62;
    private static final int RIGHT = 18;
    private static final int TOP = 34;
    private static final int BOTTOM = 48;
    private static final int LEGEND_ROW = 16;

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final double xMax;
    private final double yMax;
    private final StringBuilder body = new StringBuilder();
    private final List<String> legend = new ArrayList<>();

    SvgChart(String title, String xLabel, String yLabel, double xMax, double yMax) {
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
        this.xMax = xMax > 0 ? xMax : 1;
        this.yMax = yMax > 0 ? yMax : 1;
    }

    /** A line through the points; {@code dashed} for a second figure of the same run. */
    SvgChart line(String color, double[] xs, double[] ys, boolean dashed, String name) {
        StringBuilder points = new StringBuilder();
        for (int i = 0; i < xs.length; i++) {
            if (!Double.isNaN(ys[i])) {
                points.append(fmt(x(Math.min(xs[i], xMax)))).append(',').append(fmt(y(Math.min(ys[i], yMax))))
                        .append(' ');
            }
        }
        body.append("<polyline fill=\"none\" stroke=\"").append(color).append("\" stroke-width=\"1.8\"")
                .append(dashed ? " stroke-dasharray=\"6 4\"" : "").append(" points=\"").append(points).append("\"/>\n");
        legend(color, dashed, name);
        return this;
    }

    /** Bars centred on {@code xs}, each {@code width} x-units wide, shifted by {@code offset} x-units. */
    SvgChart bars(String color, double[] xs, double[] ys, double width, double offset, String name) {
        for (int i = 0; i < xs.length; i++) {
            double x0 = x(xs[i] + offset - width / 2);
            double x1 = x(xs[i] + offset + width / 2);
            double top = y(Math.min(ys[i], yMax));
            body.append("<rect fill=\"").append(color).append("\" fill-opacity=\"0.8\" x=\"").append(fmt(x0))
                    .append("\" y=\"").append(fmt(top)).append("\" width=\"").append(fmt(x1 - x0))
                    .append("\" height=\"").append(fmt(y(0) - top)).append("\"/>\n");
        }
        legend(color, false, name);
        return this;
    }

    /** A grey span across the plot, e.g. while a region was cut off. */
    SvgChart shade(double from, double to, String label) {
        double x0 = x(Math.max(0, from));
        double x1 = x(Math.min(xMax, to));
        body.append("<rect fill=\"#999\" fill-opacity=\"0.18\" x=\"").append(fmt(x0)).append("\" y=\"").append(TOP)
                .append("\" width=\"").append(fmt(Math.max(0, x1 - x0))).append("\" height=\"")
                .append(HEIGHT - TOP - BOTTOM).append("\"/>\n<text x=\"").append(fmt(x0 + 4)).append("\" y=\"")
                .append(HEIGHT - BOTTOM - 6).append("\" font-size=\"11\" fill=\"#555\">")
                .append(HtmlReport.escape(label)).append("</text>\n");
        return this;
    }

    String render() {
        int height = HEIGHT + (legend.isEmpty() ? 0 : LEGEND_ROW * legend.size() + 4);
        StringBuilder s = new StringBuilder();
        s.append("<svg width=\"").append(WIDTH).append("\" height=\"")
                .append(height).append("\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(height)
                .append("\" font-family=\"sans-serif\">\n");
        s.append("<text x=\"").append(WIDTH / 2).append("\" y=\"20\" text-anchor=\"middle\" font-size=\"14\" "
                + "font-weight=\"bold\">").append(HtmlReport.escape(title)).append("</text>\n");
        axes(s);
        s.append(body);
        for (int i = 0; i < legend.size(); i++) {
            s.append(legend.get(i).replace("{Y}", String.valueOf(HEIGHT + LEGEND_ROW * i + 6)));
        }
        s.append("</svg>\n");
        return s.toString();
    }

    private void axes(StringBuilder s) {
        double xStep = niceStep(xMax / 6);
        for (double v = 0; v <= xMax * 1.0001; v += xStep) {
            s.append("<line stroke=\"#ddd\" x1=\"").append(fmt(x(v))).append("\" x2=\"").append(fmt(x(v)))
                    .append("\" y1=\"").append(TOP).append("\" y2=\"").append(HEIGHT - BOTTOM).append("\"/>\n")
                    .append("<text font-size=\"11\" text-anchor=\"middle\" x=\"").append(fmt(x(v))).append("\" y=\"")
                    .append(HEIGHT - BOTTOM + 15).append("\">").append(tick(v)).append("</text>\n");
        }
        double yStep = niceStep(yMax / 5);
        for (double v = 0; v <= yMax * 1.0001; v += yStep) {
            s.append("<line stroke=\"#ddd\" x1=\"").append(LEFT).append("\" x2=\"").append(WIDTH - RIGHT)
                    .append("\" y1=\"").append(fmt(y(v))).append("\" y2=\"").append(fmt(y(v))).append("\"/>\n")
                    .append("<text font-size=\"11\" text-anchor=\"end\" x=\"").append(LEFT - 5).append("\" y=\"")
                    .append(fmt(y(v) + 4)).append("\">").append(tick(v)).append("</text>\n");
        }
        s.append("<rect fill=\"none\" stroke=\"#333\" x=\"").append(LEFT).append("\" y=\"").append(TOP)
                .append("\" width=\"").append(WIDTH - LEFT - RIGHT).append("\" height=\"")
                .append(HEIGHT - TOP - BOTTOM).append("\"/>\n");
        s.append("<text font-size=\"12\" text-anchor=\"middle\" x=\"").append((LEFT + WIDTH - RIGHT) / 2)
                .append("\" y=\"").append(HEIGHT - 10).append("\">").append(HtmlReport.escape(xLabel))
                .append("</text>\n");
        s.append("<text font-size=\"12\" text-anchor=\"middle\" transform=\"translate(14,")
                .append((TOP + HEIGHT - BOTTOM) / 2).append(") rotate(-90)\">").append(HtmlReport.escape(yLabel))
                .append("</text>\n");
    }

    private void legend(String color, boolean dashed, String name) {
        if (name == null) {
            return;
        }
        int x = LEFT;
        legend.add("<line stroke=\"" + color + "\" stroke-width=\"2.5\"" + (dashed ? " stroke-dasharray=\"6 4\"" : "")
                + " x1=\"" + x + "\" x2=\"" + (x + 22) + "\" y1=\"{Y}\" y2=\"{Y}\"/>\n<text font-size=\"11\" x=\""
                + (x + 27) + "\" y=\"{Y}\" dy=\"4\">" + HtmlReport.escape(name) + "</text>\n");
    }

    private double x(double v) {
        return LEFT + v / xMax * (WIDTH - LEFT - RIGHT);
    }

    private double y(double v) {
        return HEIGHT - BOTTOM - v / yMax * (HEIGHT - TOP - BOTTOM);
    }

    /** 1, 2 or 5 times a power of ten, at least {@code raw}. */
    static double niceStep(double raw) {
        if (!(raw > 0)) {
            return 1;
        }
        double power = Math.pow(10, Math.floor(Math.log10(raw)));
        for (double m : new double[] {1, 2, 5, 10}) {
            if (m * power >= raw) {
                return m * power;
            }
        }
        return 10 * power;
    }

    private static String tick(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.format(Locale.ROOT, "%.2f", v);
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }
}
