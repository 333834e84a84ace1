package io.molia.dash;

import java.util.ArrayList;
import java.util.List;

import com.googlecode.lanterna.graphics.TextGraphics;
import io.molia.admin.proto.BanInfo;
import io.molia.admin.proto.BansView;
import io.molia.adminclient.Render;

/**
 * Sybil resistance and admission: the lowest-scored peers, rate-limit hits by /24 and the proof-of-work difficulty
 * come from the admission view (a node without admission control says so), the bans with their expiry from the
 * bans view, and the session layer's refusal counters from the metrics.
 */
final class AdmissionScreen implements DashScreen {
    @Override
    public String name() {
        return "sybil";
    }

    @Override
    public boolean filterable() {
        return true;
    }

    @Override
    public List<Draw.Row> rows(DashModel m, UiState ui) {
        List<Draw.Row> rows = new ArrayList<>();
        BansView v = m.bans();
        if (v == null) {
            return rows;
        }
        for (BanInfo b : v.getBansList()) {
            String target = b.getKind().equals("peer") ? Render.id16(b.getTarget()) : b.getTarget();
            if (Screens.matches(ui, b.getKind(), b.getTarget())) {
                rows.add(new Draw.Row(b.getKind().equals("peer") ? b.getTarget() : null,
                        new String[] {b.getKind(), target, Screens.ms(b.getExpiresInMs())}, null));
            }
        }
        return rows;
    }

    @Override
    public void render(TextGraphics g, DashModel m, UiState ui) {
        int w = g.getSize().getColumns();
        int row = 0;
        String admission = Screens.unavailable(m.subsystems().get("admission"));
        Draw.heading(g, 0, row++, w, "lowest-scored peers");
        String scores = m.peers() == null ? "waiting for the node" : m.peers().hasScores()
                ? m.peers().getScores().getSubsystem() + ": " + m.peers().getScores().getReason() : admission;
        row += Draw.wrapped(g, 2, row, w - 2, scores, Draw.DIM);
        Draw.heading(g, 0, row++, w, "rate-limit hits by /24, proof-of-work difficulty");
        row += Draw.wrapped(g, 2, row, w - 2, admission == null ? "(admission view present)" : admission,
                Draw.DIM);
        row += Draw.wrapped(g, 2, row, w - 2, "session layer: "
                + OverviewScreen.count(m.counter("session_rate_limited"))
                + " handshakes rate-limited (" + Draw.rate(m.rate("session_rate_limited")) + "/s), "
                + OverviewScreen.count(m.counter("session_not_admitted")) + " not admitted, "
                + OverviewScreen.count(m.counter("cookie_replies_sent")) + " cookie replies", Draw.DIM);
        row++;
        BansView v = m.bans();
        List<Draw.Row> rows = rows(m, ui);
        Draw.heading(g, 0, row++, w, "bans" + (v == null ? "" : ": " + (ui.filter.isEmpty() ? "" : rows.size()
                + " shown; ") + v.getBansCount() + " of capacity " + v.getCapacity() + ", " + v.getDroppedDatagrams()
                + " datagrams dropped"));
        Draw.table(g, 0, row, w, g.getSize().getRows() - row, List.of(Draw.Column.left("kind", 6),
                Draw.Column.left("target", 18), Draw.Column.grow("expires in", 10)), rows,
                RoutingScreen.clamp(ui.selected[ui.screen], rows), -1);
    }
}
