package io.molia.dash;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import com.googlecode.lanterna.TextColor;
import com.googlecode.lanterna.graphics.TextGraphics;
import io.molia.admin.proto.AdminResponse;
import io.molia.admin.proto.AdmissionView;
import io.molia.admin.proto.BanInfo;
import io.molia.admin.proto.BansView;
import io.molia.admin.proto.NamedCount;
import io.molia.admin.proto.ScoreBin;
import io.molia.admin.proto.ScoredPeer;
import io.molia.admin.proto.ShardAdmission;
import io.molia.admin.proto.SourceHits;
import io.molia.adminclient.Render;

/**
 * Sybil resistance and admission, from the admission view: the identity proof of work and its rejections, each shard's
 * mode (open, cookie, puzzle) and load, write tokens, limiter hits and the most limited networks and ASes, the score
 * distribution and the lowest scorers with why; then the bans with their expiry from the bans view (the rows:
 * filterable). A node without the view says so.
 */
final class AdmissionScreen implements DashScreen {
    /** Lowest scorers drawn at most: the bans below keep the rest of an 80x24 screen. */
    static final int LOWEST_SHOWN = 4;
    private static final TextColor PLAIN = TextColor.ANSI.DEFAULT;

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
        AdminResponse r = m.subsystems().get("admission");
        if (r == null || !r.hasAdmission()) {
            Draw.heading(g, 0, row++, w, "admission");
            row += Draw.wrapped(g, 2, row, w - 2, Screens.unavailable(r), Draw.DIM);
        } else {
            row = admission(g, row, w, r.getAdmission());
        }
        BansView v = m.bans();
        List<Draw.Row> rows = rows(m, ui);
        Draw.heading(g, 0, row++, w, "bans" + (v == null ? "" : ": " + (ui.filter.isEmpty() ? "" : rows.size()
                + " shown; ") + v.getBansCount() + " of capacity " + v.getCapacity() + ", " + v.getDroppedDatagrams()
                + " datagrams dropped"));
        Draw.table(g, 0, row, w, g.getSize().getRows() - row, List.of(Draw.Column.left("kind", 6),
                Draw.Column.left("target", 18), Draw.Column.grow("expires in", 10)), rows,
                RoutingScreen.clamp(ui.selected[ui.screen], rows), -1);
    }

    /** Draws the admission view from {@code row}; returns the next free row. */
    private static int admission(TextGraphics g, int row, int w, AdmissionView v) {
        Draw.heading(g, 0, row++, w, "admission: proof of work " + v.getPowBits() + " bits");
        row += Draw.wrapped(g, 2, row, w - 2, "pow rejected: " + named(v.getPowRejectedList()), PLAIN);
        StringBuilder shards = new StringBuilder();
        for (ShardAdmission s : v.getShardsList()) {
            shards.append(shards.isEmpty() ? "" : "; ").append("shard ").append(s.getShard()).append(' ')
                    .append(s.getMode()).append(" load ").append(s.getHandshakeLoadPermille() / 10.0).append('%')
                    .append(s.getPuzzleBits() > 0 ? " puzzle " + s.getPuzzleBits() + "b" : "").append(" cookies ")
                    .append(s.getCookieReplies()).append(" puzzles ").append(s.getPuzzleReplies());
        }
        row += Draw.wrapped(g, 2, row, w - 2, shards.toString(), PLAIN);
        row += Draw.wrapped(g, 2, row, w - 2, "tokens: issued " + v.getWriteTokensIssued() + ", rejected "
                + named(v.getWriteTokensRejectedList()) + "; limiter hits " + named(v.getLimiterHitsList()), PLAIN);
        if (v.getTopPrefixesCount() > 0) { // a row only when something was limited: it keeps a quiet 80x24 screen
            row += Draw.wrapped(g, 2, row, w - 2, "limited most: " + sources(v.getTopPrefixesList())
                    + (v.getTopAsnsCount() > 0 ? "; " + sources(v.getTopAsnsList()) : "") + "; by peers "
                    + v.getLimiterHitsByPeers(), PLAIN);
        }
        Draw.heading(g, 0, row++, w, String.format(Locale.ROOT, "scores: %d peers, low at %.0f: %d turned low, "
                + "%d evicted, %d refused; %d capped", v.getScoredPeers(), v.getLowScore(),
                v.getPeersTurnedLow(), v.getLowScoreEvictions(), v.getLowScoreRefusals(), v.getTableCapRejections()));
        StringBuilder histogram = new StringBuilder();
        for (ScoreBin b : v.getScoreHistogramList()) {
            histogram.append(histogram.isEmpty() ? "" : "  ").append(b.getRange().replace(" ", "")).append(':')
                    .append(b.getPeers());
        }
        row += Draw.wrapped(g, 2, row, w - 2, histogram.toString(), PLAIN);
        Draw.heading(g, 0, row++, w, "lowest-scored peers");
        if (v.getLowestCount() == 0) {
            row += Draw.wrapped(g, 2, row, w - 2, "no peer scored yet", Draw.DIM);
        }
        for (int i = 0; i < Math.min(LOWEST_SHOWN, v.getLowestCount()); i++) {
            ScoredPeer p = v.getLowest(i);
            row += Draw.wrapped(g, 2, row, w - 2, String.format(Locale.ROOT, "%s %7.2f %-20s %s",
                    Render.id16(p.getNodeId()), p.getScore(), p.getWhy().isEmpty() ? "-" : p.getWhy(),
                    p.getLow() ? "low, out of the table" : p.getInRoutingTable() ? "in the table" : ""), PLAIN);
        }
        return row;
    }

    /** The three most limited sources: {@code 203.0.113.0/24 1200}. */
    private static String sources(List<SourceHits> top) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < Math.min(3, top.size()); i++) {
            out.append(i == 0 ? "" : " ").append(top.get(i).getSource()).append(' ').append(top.get(i).getHits());
        }
        return out.toString();
    }

    private static String named(List<NamedCount> counts) {
        StringBuilder out = new StringBuilder();
        for (NamedCount c : counts) {
            out.append(out.isEmpty() ? "" : " ").append(c.getName()).append(' ').append(c.getCount());
        }
        return out.toString();
    }
}
