package io.molia.dash;

import java.util.ArrayList;
import java.util.List;

import com.googlecode.lanterna.graphics.TextGraphics;
import io.molia.admin.proto.RecordSummary;
import io.molia.admin.proto.RecordTypeCount;
import io.molia.admin.proto.RecordsView;
import io.molia.shell.Render;

/** The record store against its limits (gauges), counts by type, the largest records; the WAL per shard. */
final class RecordsWalScreen implements DashScreen {
    @Override
    public String name() {
        return "records";
    }

    @Override
    public List<Draw.Row> rows(DashModel m, UiState ui) {
        List<Draw.Row> rows = new ArrayList<>();
        RecordsView v = m.records();
        if (v == null) {
            return rows;
        }
        for (RecordSummary k : v.getTopKeysList()) {
            String key = ui.showKeys ? k.getKey() : k.getKey().substring(0, Math.min(8, k.getKey().length())) + "…";
            if (Screens.matches(ui, k.getKey())) {
                rows.add(new Draw.Row(null, new String[] {key, Render.bytes(k.getBytes()),
                        Render.ago(k.getStoredMsAgo()), Screens.ms(k.getExpiresInMs())}, null));
            }
        }
        return rows;
    }

    @Override
    public void render(TextGraphics g, DashModel m, UiState ui) {
        int w = g.getSize().getColumns();
        int h = g.getSize().getRows();
        int row = 0;
        RecordsView v = m.records();
        Draw.heading(g, 0, row++, w, "records");
        if (v == null) {
            Draw.text(g, 2, row, w - 2, "waiting for the node's records…", Draw.DIM);
            return;
        }
        int gw = Math.max(10, Math.min(40, w - 40));
        Draw.text(g, 2, row, 10, "count");
        Draw.text(g, 12, row, gw, Draw.gauge(v.getCount(), v.getMaxRecords(), gw),
                Draw.gaugeColor(v.getCount(), v.getMaxRecords()));
        Draw.text(g, 13 + gw, row++, w - 13 - gw, v.getCount() + " of " + v.getMaxRecords());
        Draw.text(g, 2, row, 10, "bytes");
        Draw.text(g, 12, row, gw, Draw.gauge(v.getBytes(), v.getMaxBytes(), gw),
                Draw.gaugeColor(v.getBytes(), v.getMaxBytes()));
        Draw.text(g, 13 + gw, row++, w - 13 - gw, Render.bytes(v.getBytes()) + " of " + Render.bytes(v.getMaxBytes()));
        Draw.text(g, 2, row++, w - 2, v.getRefusedFull() + " refused (full), " + v.getExpired() + " expired; stores "
                + OverviewScreen.count(m.counter("stores_accepted")) + " accepted, "
                + OverviewScreen.count(m.counter("stores_refused")) + " refused");
        StringBuilder types = new StringBuilder("by type:");
        for (RecordTypeCount t : v.getPerTypeList()) {
            types.append("  ").append(t.getType()).append(' ').append(t.getCount()).append(" (")
                    .append(Render.bytes(t.getBytes())).append(')');
        }
        Draw.text(g, 2, row++, w - 2, types.toString());
        Draw.heading(g, 0, row++, w, "WAL");
        String wal = Screens.unavailable(m.subsystems().get("wal"));
        row += Draw.wrapped(g, 2, row, w - 2, "entries and snapshot age per shard: " + (wal == null ? "" : wal),
                Draw.DIM);
        Draw.heading(g, 0, row++, w, "largest records");
        List<Draw.Row> rows = rows(m, ui);
        Draw.table(g, 0, row, w, h - row, List.of(Draw.Column.left("key", ui.showKeys ? 64 : 9),
                Draw.Column.num("bytes", 9), Draw.Column.left("stored", 14), Draw.Column.grow("expires in", 12)),
                rows, RoutingScreen.clamp(ui.selected[ui.screen], rows), -1);
    }
}
