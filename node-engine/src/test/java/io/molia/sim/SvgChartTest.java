package io.molia.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/** The report's plots: what a reader must see is not covered by anything drawn after it. */
class SvgChartTest {
    private static final Pattern LEGEND_LINE = Pattern.compile("stroke-width=\"2\\.5\"[^>]* y1=\"(\\d+)\"");
    private static final Pattern PLOT_FRAME = Pattern.compile(
            "<rect fill=\"none\" stroke=\"#333\" x=\"\\d+\" y=\"(\\d+)\" width=\"\\d+\" height=\"(\\d+)\"/>");

    @Test
    void theLegendSitsBelowThePlotSoA100PercentLineStaysVisible() {
        SvgChart chart = new SvgChart("Success over simulated time", "s", "success", 100, 1);
        double[] xs = {0, 50, 100};
        chart.line(SvgChart.COLORS[0], xs, new double[] {1, 1, 1}, false, "before");
        chart.line(SvgChart.COLORS[1], xs, new double[] {1, 0.5, 1}, false, "after");
        String svg = chart.render();

        Matcher frame = PLOT_FRAME.matcher(svg);
        assertTrue(frame.find(), svg);
        int plotBottom = Integer.parseInt(frame.group(1)) + Integer.parseInt(frame.group(2));
        Matcher legend = LEGEND_LINE.matcher(svg);
        int entries = 0;
        while (legend.find()) {
            entries++;
            assertTrue(Integer.parseInt(legend.group(1)) > plotBottom + 20, "legend entry inside the plot: " + svg);
        }
        assertEquals(2, entries);
        assertTrue(svg.matches("(?s)<svg width=\"600\" height=\"(\\d+)\".*") && svg.contains("height=\"366\""),
                "the picture grows by the legend's two rows: " + svg.substring(0, 80));
    }
}
