package io.molia.dash;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

import com.googlecode.lanterna.graphics.TextGraphics;
import io.molia.admin.proto.ErrorsView;
import io.molia.admin.proto.LogEvent;

/**
 * The tail of the node's log as its admin socket keeps it (the last 256 warnings and errors), newest at the
 * bottom; {@code l} cycles the lowest level shown, {@code /} filters the text.
 */
final class LogScreen implements DashScreen {
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss.SSS")
            .withZone(ZoneOffset.UTC);

    @Override
    public String name() {
        return "log";
    }

    @Override
    public boolean filterable() {
        return true;
    }

    @Override
    public List<Draw.Row> rows(DashModel m, UiState ui) {
        List<Draw.Row> rows = new ArrayList<>();
        if (m.errors() == null || !m.errors().hasErrors()) {
            return rows;
        }
        for (LogEvent e : m.errors().getErrors().getEventsList()) {
            if (ui.logLevel == 1 && !e.getLevel().equals("ERROR")) {
                continue;
            }
            String logger = e.getLogger().substring(e.getLogger().lastIndexOf('.') + 1);
            if (Screens.matches(ui, e.getMessage(), e.getLogger(), e.getLevel())) {
                rows.add(new Draw.Row(null, new String[] {CLOCK.format(Instant.ofEpochMilli(e.getUnixMs())),
                        e.getLevel(), logger, e.getMessage()}, e.getLevel().equals("ERROR") ? Draw.BAD : Draw.WARN));
            }
        }
        return rows;
    }

    @Override
    public void render(TextGraphics g, DashModel m, UiState ui) {
        int w = g.getSize().getColumns();
        String why = Screens.unavailable(m.errors());
        if (why != null) {
            Draw.text(g, 0, 0, w, why, Draw.DIM);
            return;
        }
        ErrorsView v = m.errors().getErrors();
        List<Draw.Row> rows = rows(m, ui);
        Draw.text(g, 0, 0, w, "level ≥ " + UiState.LOG_LEVELS[ui.logLevel] + " (l cycles); " + rows.size()
                + " shown; " + v.getTotal() + " warnings and errors since the node started (it keeps the last 256)");
        int sel = ui.selected[ui.screen] < 0 || ui.selected[ui.screen] >= rows.size() ? rows.size() - 1
                : ui.selected[ui.screen];
        Draw.table(g, 0, 1, w, g.getSize().getRows() - 1, List.of(Draw.Column.left("time (UTC)", 12),
                Draw.Column.left("level", 5), Draw.Column.left("logger", 16), Draw.Column.grow("message", 20)),
                rows, sel, -1);
    }
}
