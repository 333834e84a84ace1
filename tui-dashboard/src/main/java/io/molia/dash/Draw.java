package io.molia.dash;

import java.util.List;

import com.googlecode.lanterna.SGR;
import com.googlecode.lanterna.TerminalSize;
import com.googlecode.lanterna.TextColor;
import com.googlecode.lanterna.graphics.TextGraphics;

/**
 * Drawing helpers on Lanterna's {@link TextGraphics} (it has no chart widget): clipped text, sparklines from block
 * characters, gauges, and tables with a selected row. Every helper draws within the width it is given.
 */
public final class Draw {
    private static final char[] BLOCKS = {' ', '▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'};
    static final TextColor DIM = TextColor.ANSI.WHITE;
    static final TextColor ACCENT = TextColor.ANSI.CYAN;
    static final TextColor WARN = TextColor.ANSI.YELLOW;
    static final TextColor BAD = TextColor.ANSI.RED;
    static final TextColor GOOD = TextColor.ANSI.GREEN;
    /** The phrase the node uses for a subsystem it does not have; drawn as is, never replaced by numbers. */
    public static final String NOT_AVAILABLE = "not available in this version";

    private Draw() {
    }

    /** Text at (col, row), cut to {@code width} columns (an ellipsis marks the cut). */
    public static void text(TextGraphics g, int col, int row, int width, String s) {
        if (width <= 0 || row < 0 || row >= g.getSize().getRows()) {
            return;
        }
        g.putString(col, row, fit(s, width));
    }

    /** Text in a colour, then back to the default. */
    public static void text(TextGraphics g, int col, int row, int width, String s, TextColor fg, SGR... sgr) {
        TextColor before = g.getForegroundColor();
        g.setForegroundColor(fg);
        if (sgr.length > 0) {
            g.enableModifiers(sgr);
        }
        text(g, col, row, width, s);
        g.setForegroundColor(before);
        if (sgr.length > 0) {
            g.disableModifiers(sgr);
        }
    }

    /** Text wrapped at spaces into lines of at most {@code width} (a word longer than that is cut). */
    static java.util.List<String> wrap(String s, int width) {
        java.util.List<String> lines = new java.util.ArrayList<>();
        if (width <= 0) {
            return lines;
        }
        StringBuilder line = new StringBuilder();
        for (String word : s.split(" ")) {
            if (line.length() > 0 && line.length() + 1 + word.length() > width) {
                lines.add(line.toString());
                line.setLength(0);
            }
            if (line.length() > 0) {
                line.append(' ');
            }
            line.append(word);
        }
        if (line.length() > 0 || lines.isEmpty()) {
            lines.add(line.toString());
        }
        lines.replaceAll(l -> fit(l, width));
        return lines;
    }

    /** Wrapped text from (col, row) in a colour; returns the number of rows used. */
    static int wrapped(TextGraphics g, int col, int row, int width, String s, TextColor fg) {
        java.util.List<String> lines = wrap(s, width);
        for (int i = 0; i < lines.size(); i++) {
            text(g, col, row + i, width, lines.get(i), fg);
        }
        return lines.size();
    }

    static String fit(String s, int width) {
        if (s.length() <= width) {
            return s;
        }
        return width <= 1 ? s.substring(0, width) : s.substring(0, width - 1) + "…";
    }

    static String pad(String s, int width) {
        String f = fit(s, width);
        return f + " ".repeat(width - f.length());
    }

    static String padLeft(String s, int width) {
        String f = fit(s, width);
        return " ".repeat(width - f.length()) + f;
    }

    /**
     * The last {@code width} points of {@code values} as block characters, scaled to their own maximum (an all-zero
     * series is a flat baseline). Returns the drawn string (tests read it back from the terminal).
     */
    public static String sparkline(List<Double> values, int width) {
        if (width <= 0) {
            return "";
        }
        int from = Math.max(0, values.size() - width);
        double max = 0;
        for (int i = from; i < values.size(); i++) {
            max = Math.max(max, values.get(i));
        }
        StringBuilder b = new StringBuilder(width);
        for (int i = from; i < values.size(); i++) {
            double v = values.get(i);
            int level = max <= 0 ? 1 : 1 + (int) Math.round(v / max * 7);
            b.append(BLOCKS[Math.min(8, Math.max(1, level))]);
        }
        return b.toString();
    }

    /** A gauge {@code [#####.....]} of {@code used} over {@code limit}, {@code width} columns including brackets. */
    public static String gauge(double used, double limit, int width) {
        int inner = Math.max(1, width - 2);
        int full = limit <= 0 ? 0 : (int) Math.round(Math.min(1.0, used / limit) * inner);
        if (used > 0 && full == 0) {
            full = 1; // something is used: show it
        }
        return "[" + "█".repeat(full) + "·".repeat(inner - full) + "]";
    }

    /** Colour of a gauge by fill: green under 70 %, yellow under 90 %, red above. */
    static TextColor gaugeColor(double used, double limit) {
        double f = limit <= 0 ? 0 : used / limit;
        return f < 0.7 ? GOOD : f < 0.9 ? WARN : BAD;
    }

    /** A section heading. */
    static void heading(TextGraphics g, int col, int row, int width, String s) {
        text(g, col, row, width, s, ACCENT, SGR.BOLD);
    }

    /** A row of the table: the key names the thing (a peer, a bucket) for Enter; color null for default. */
    public record Row(String key, String[] cells, TextColor color) {
    }

    /**
     * A table column: header, minimum width (what it needs for its usual cells), whether it grows into spare width,
     * right-aligned (numbers).
     */
    public record Column(String header, int width, boolean grows, boolean right) {
        static Column left(String h, int w) {
            return new Column(h, w, false, false);
        }

        static Column num(String h, int w) {
            return new Column(h, w, false, true);
        }

        static Column grow(String h, int w) {
            return new Column(h, w, true, false);
        }
    }

    /**
     * A table in the rectangle (col, row, width, height): header line, then rows scrolled so that {@code selected}
     * is visible and drawn in reverse video (-1: none). Returns the first row index shown.
     */
    static int table(TextGraphics g, int col, int row, int width, int height, List<Column> columns, List<Row> rows,
            int selected, int sortColumn) {
        if (height <= 0) {
            return 0;
        }
        int[] widths = columnWidths(width, columns, rows, sortColumn);
        int shown = 0;
        while (shown < widths.length && widths[shown] > 0) {
            shown++;
        }
        StringBuilder header = new StringBuilder();
        for (int i = 0; i < shown; i++) {
            String h = columns.get(i).header() + (i == sortColumn ? "▼" : "");
            header.append(i > 0 ? " " : "").append(columns.get(i).right() ? padLeft(h, widths[i]) : pad(h, widths[i]));
        }
        text(g, col, row, width, header.toString(), ACCENT, SGR.BOLD);
        int visible = height - 1;
        int first = 0;
        if (selected >= visible) {
            first = selected - visible + 1;
        }
        for (int r = 0; r < visible && first + r < rows.size(); r++) {
            Row data = rows.get(first + r);
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < shown; i++) {
                String cell = i < data.cells().length ? data.cells()[i] : "";
                line.append(i > 0 ? " " : "").append(columns.get(i).right() ? padLeft(cell, widths[i])
                        : pad(cell, widths[i]));
            }
            String s = pad(line.toString(), width);
            if (first + r == selected) {
                text(g, col, row + 1 + r, width, s, data.color() == null ? TextColor.ANSI.DEFAULT : data.color(),
                        SGR.REVERSE);
            } else if (data.color() != null) {
                text(g, col, row + 1 + r, width, s, data.color());
            } else {
                text(g, col, row + 1 + r, width, s);
            }
        }
        if (rows.isEmpty()) {
            text(g, col, row + 1, width, "(none)", DIM);
        }
        return first;
    }

    /**
     * How wide each column is drawn (0: not drawn). Columns are shown from the left while their minimum widths fit
     * (a narrow terminal drops the rightmost); spare width first widens a column to its widest cell or header (of
     * all rows, so widths hold still while scrolling), then goes to growing columns. A cell is cut only when the
     * width does not allow it whole.
     */
    static int[] columnWidths(int width, List<Column> columns, List<Row> rows, int sortColumn) {
        int[] widths = new int[columns.size()];
        int used = -1;
        int shown = 0;
        while (shown < columns.size() && used + 1 + columns.get(shown).width() <= width) {
            widths[shown] = columns.get(shown).width();
            used += 1 + widths[shown];
            shown++;
        }
        int spare = width - Math.max(0, used);
        for (int i = 0; i < shown && spare > 0; i++) {
            int content = columns.get(i).header().length() + (i == sortColumn ? 1 : 0);
            for (Row r : rows) {
                content = Math.max(content, i < r.cells().length ? r.cells()[i].length() : 0);
            }
            int more = Math.min(spare, Math.max(0, content - widths[i]));
            widths[i] += more;
            spare -= more;
        }
        int growers = 0;
        for (int i = 0; i < shown; i++) {
            growers += columns.get(i).grows() ? 1 : 0;
        }
        for (int i = 0; i < shown && growers > 0; i++) {
            if (columns.get(i).grows()) {
                widths[i] += spare / growers;
            }
        }
        return widths;
    }

    /** Rate per second for people: "-" while unknown, 1 decimal under 100. */
    static String rate(double perSecond) {
        if (Double.isNaN(perSecond)) {
            return "-";
        }
        if (perSecond < 100) {
            return String.format("%.1f", perSecond);
        }
        if (perSecond < 100_000) {
            return String.format("%.0f", perSecond);
        }
        return String.format("%.1fk", perSecond / 1000);
    }

    /** A size for the remaining width of a region. */
    static int cols(TerminalSize s) {
        return s.getColumns();
    }
}
