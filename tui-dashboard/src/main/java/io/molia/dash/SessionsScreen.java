package io.molia.dash;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import com.googlecode.lanterna.graphics.TextGraphics;
import io.molia.admin.proto.SessionInfo;
import io.molia.admin.proto.SessionsView;
import io.molia.adminclient.Render;

/** Every session: sortable ({@code s} cycles the column), filterable ({@code /}); Enter shows the peer. */
final class SessionsScreen implements DashScreen {
    private static final List<String> SORTS = List.of("peer", "shard", "age", "rekey in", "bytes in", "bytes out",
            "pkts in", "pkts out", "last rx");
    private static final List<Comparator<SessionInfo>> BY = List.of(
            Comparator.comparing(SessionInfo::getPeerId),
            Comparator.comparingInt(SessionInfo::getShard),
            Comparator.comparingLong(SessionInfo::getAgeMs).reversed(),
            Comparator.comparingLong(SessionInfo::getRekeyDueInMs),
            Comparator.comparingLong(SessionInfo::getBytesIn).reversed(),
            Comparator.comparingLong(SessionInfo::getBytesOut).reversed(),
            Comparator.comparingLong(SessionInfo::getPacketsIn).reversed(),
            Comparator.comparingLong(SessionInfo::getPacketsOut).reversed(),
            Comparator.comparingLong(SessionInfo::getLastReceivedMsAgo));

    @Override
    public String name() {
        return "sessions";
    }

    @Override
    public List<String> sortNames() {
        return SORTS;
    }

    @Override
    public boolean filterable() {
        return true;
    }

    @Override
    public List<Draw.Row> rows(DashModel m, UiState ui) {
        SessionsView v = m.sessions();
        List<Draw.Row> rows = new ArrayList<>();
        if (v == null) {
            return rows;
        }
        List<SessionInfo> sorted = new ArrayList<>(v.getSessionsList());
        sorted.sort(BY.get(ui.sort[ui.screen] % BY.size()).thenComparing(SessionInfo::getPeerId));
        for (SessionInfo s : sorted) {
            String[] cells = {Render.id16(s.getPeerId()), Screens.addr(s.getAddress(), ui),
                    Integer.toString(s.getShard()), s.getInitiator() ? "init" : "resp",
                    Screens.ms(s.getAgeMs()), s.getRekeyDueInMs() < 0 ? "-" : Screens.ms(s.getRekeyDueInMs()),
                    Render.bytes(s.getBytesIn()), Render.bytes(s.getBytesOut()), Long.toString(s.getPacketsIn()),
                    Long.toString(s.getPacketsOut()), Screens.ago(s.getLastReceivedMsAgo())};
            if (Screens.matches(ui, s.getPeerId(), cells[1])) {
                rows.add(new Draw.Row(s.getPeerId(), cells, s.getConfirmed() ? null : Draw.WARN));
            }
        }
        return rows;
    }

    @Override
    public void render(TextGraphics g, DashModel m, UiState ui) {
        int w = g.getSize().getColumns();
        SessionsView v = m.sessions();
        if (v == null) {
            Draw.text(g, 0, 0, w, "waiting for the node's sessions…", Draw.DIM);
            return;
        }
        List<Draw.Row> rows = rows(m, ui);
        Draw.text(g, 0, 0, w, Screens.count(ui, rows.size(), v.getSessionsCount(), "sessions") + ", sorted by "
                + SORTS.get(ui.sort[ui.screen] % SORTS.size()) + "; handshakes " + v.getHandshakesCompleted()
                + " completed, " + v.getHandshakesInitiated() + " initiated; " + v.getSessionsEvicted() + " evicted; "
                + v.getSilentDrops() + " dropped in silence");
        List<Draw.Column> cols = List.of(Draw.Column.left("peer", 16), Draw.Column.left("address", 15),
                Draw.Column.num("sh", 2), Draw.Column.left("role", 4), Draw.Column.num("age", 6),
                Draw.Column.num("rekey in", 8), Draw.Column.num("bytes in", 9), Draw.Column.num("bytes out", 9),
                Draw.Column.num("pkts in", 7), Draw.Column.num("pkts out", 8), Draw.Column.grow("last rx", 10));
        int sortCol = new int[] {0, 2, 4, 5, 6, 7, 8, 9, 10}[ui.sort[ui.screen] % SORTS.size()];
        Draw.table(g, 0, 1, w, g.getSize().getRows() - 1, cols, rows, RoutingScreen.clamp(ui.selected[ui.screen],
                rows), sortCol);
    }
}
