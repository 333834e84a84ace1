package io.molia.dash;

import java.util.ArrayList;
import java.util.List;

import com.googlecode.lanterna.graphics.TextGraphics;
import io.molia.admin.proto.Bucket;
import io.molia.admin.proto.RoutingView;

/**
 * One row per non-empty bucket: a fill bar against K, the replacement-cache depth, how long ago its contacts were
 * heard, the RTT spread (min / mean / max of the contacts' smoothed RTTs). A bucket is flagged {@code stale} when
 * none of its contacts was heard for 15 minutes (BEP 5's "questionable"), {@code under} when it holds fewer than
 * K/2 contacts, {@code failing} when contacts failed their last request. Enter lists the bucket's contacts.
 */
final class RoutingScreen implements DashScreen {
    static final long STALE_MS = 15 * 60 * 1000L;

    @Override
    public String name() {
        return "routing";
    }

    @Override
    public boolean filterable() {
        return true;
    }

    @Override
    public List<Draw.Row> rows(DashModel m, UiState ui) {
        RoutingView v = m.routing();
        List<Draw.Row> rows = new ArrayList<>();
        if (v == null) {
            return rows;
        }
        int k = Math.max(1, v.getBucketCapacity());
        for (Bucket b : v.getBucketsList()) {
            String flags = flags(b, k);
            String rtt = b.getMinRttUs() < 0 ? "-" : Screens.rtts(b.getMinRttUs(), b.getMeanRttUs(), b.getMaxRttUs());
            String[] cells = {Integer.toString(b.getDepth()), Draw.gauge(b.getSize(), k, barWidth(k, ui) + 2),
                    b.getSize() + "/" + k, Integer.toString(b.getReplacements()), Integer.toString(b.getFailing()),
                    Screens.ms(b.getNewestSeenMsAgo()), rtt, flags, Screens.ms(b.getOldestSeenMsAgo())};
            if (!Screens.matches(ui, cells[0], flags)) {
                continue;
            }
            rows.add(new Draw.Row("bucket:" + b.getDepth(), cells, flags.contains("stale") || flags.contains("failing")
                    ? Draw.BAD : flags.contains("under") ? Draw.WARN : null));
        }
        return rows;
    }

    static String flags(Bucket b, int k) {
        List<String> f = new ArrayList<>();
        if (b.getSize() > 0 && b.getNewestSeenMsAgo() > STALE_MS) {
            f.add("stale");
        }
        if (b.getSize() < (k + 1) / 2) {
            f.add("under");
        }
        if (b.getFailing() > 0) {
            f.add("failing " + b.getFailing());
        }
        return String.join(",", f);
    }

    @Override
    public void render(TextGraphics g, DashModel m, UiState ui) {
        int w = g.getSize().getColumns();
        RoutingView v = m.routing();
        if (v == null) {
            Draw.text(g, 0, 0, w, "waiting for the node's routing table…", Draw.DIM);
            return;
        }
        ui.wide = w >= 100;
        List<Draw.Row> rows = rows(m, ui);
        Draw.text(g, 0, 0, w, v.getSize() + " contacts in " + Screens.count(ui, rows.size(), v.getBucketsCount(),
                "buckets") + " (K = "
                + v.getBucketCapacity() + "), " + v.getEvictions() + " evictions, " + v.getSubnetRejections()
                + " refused by the /24 rule, " + v.getProximitySwaps() + " proximity swaps");
        int bar = barWidth(Math.max(1, v.getBucketCapacity()), ui);
        List<Draw.Column> cols = List.of(Draw.Column.num("bkt", 3), Draw.Column.left("fill", bar + 2),
                Draw.Column.num("size", 5), Draw.Column.num("repl", 4), Draw.Column.num("fail", 4),
                Draw.Column.num("heard", 6), Draw.Column.num("rtt min/mean/max", 17),
                Draw.Column.left("flags", ui.wide ? 16 : 11), Draw.Column.num("oldest", 6));
        Draw.table(g, 0, 1, w, g.getSize().getRows() - 1, cols, rows, clamp(ui.selected[ui.screen], rows), -1);
    }

    /** The fill bar: one cell per contact up to K = 20 on a wide terminal, 12 cells on a narrow one. */
    private static int barWidth(int k, UiState ui) {
        return Math.min(k, ui.wide ? 20 : 12);
    }

    static int clamp(int selected, List<Draw.Row> rows) {
        return rows.isEmpty() ? -1 : Math.max(0, Math.min(selected, rows.size() - 1));
    }
}
