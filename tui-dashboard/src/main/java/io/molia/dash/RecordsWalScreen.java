package io.molia.dash;

import java.util.ArrayList;
import java.util.List;

import com.googlecode.lanterna.graphics.TextGraphics;
import io.molia.admin.proto.AdminResponse;
import io.molia.admin.proto.RecordSummary;
import io.molia.admin.proto.RecordTypeCount;
import io.molia.admin.proto.RecordsView;
import io.molia.admin.proto.ReplicationCounts;
import io.molia.admin.proto.WalShard;
import io.molia.admin.proto.WalView;
import io.molia.adminclient.Render;

/** The record store against its limits (gauges), counts by type, the largest records; the WAL per shard. */
final class RecordsWalScreen implements DashScreen {
    @Override
    public String name() {
        return "records";
    }

    @Override
    public boolean filterable() {
        return true;
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
                        Screens.ago(k.getStoredMsAgo()), Screens.ms(k.getExpiresInMs())}, null));
            }
        }
        return rows;
    }

    /** Writes refused for any reason: every {@code prefix*} counter but the stored one; -1 before metrics arrive. */
    private static long refused(DashModel m, String prefix) {
        if (m.counter(prefix + "stored") < 0) {
            return -1;
        }
        long n = 0;
        for (io.molia.record.WriteOutcome o : io.molia.record.WriteOutcome.values()) {
            long c = o.stored() ? 0 : m.counter(prefix + o.name().toLowerCase(java.util.Locale.ROOT));
            n += Math.max(0, c);
        }
        return n;
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
        Draw.text(g, 2, row++, w - 2, "writes: mutable " + OverviewScreen.count(m.counter("mutable_writes_stored"))
                + " stored, " + OverviewScreen.count(refused(m, "mutable_writes_")) + " refused; provider "
                + OverviewScreen.count(m.counter("provider_writes_stored")) + " stored, "
                + OverviewScreen.count(refused(m, "provider_writes_")) + " refused; republished "
                + OverviewScreen.count(m.counter("records_republished")) + ", cached on paths "
                + OverviewScreen.count(m.counter("path_cache_stores")));
        ReplicationCounts rep = v.getReplication();
        Draw.text(g, 2, row++, w - 2, "replication: handed to newcomers " + OverviewScreen.count(rep.getHandoffs())
                + ", repaired " + OverviewScreen.count(rep.getRepairs()) + ", hot copies "
                + OverviewScreen.count(rep.getHotCopies()) + "; probes " + OverviewScreen.count(rep.getProbes())
                + " (" + OverviewScreen.count(rep.getAlreadyHeld()) + " already held)");
        Draw.heading(g, 0, row++, w, "WAL");
        AdminResponse walAnswer = m.subsystems().get("wal");
        String unavailable = Screens.unavailable(walAnswer);
        if (unavailable != null) {
            row += Draw.wrapped(g, 2, row, w - 2, unavailable, Draw.DIM);
        } else {
            WalView wal = walAnswer.getWal();
            Draw.text(g, 2, row++, w - 2, "sync " + wal.getSync() + "; last start replayed "
                    + wal.getEntriesReplayedAtStart() + " entries in " + wal.getStartupMs() + " ms");
            for (WalShard s : wal.getShardsList()) {
                Draw.text(g, 2, row++, w - 2, "shard " + s.getShard() + ": generation " + s.getGeneration() + ", "
                        + s.getEntriesAppended() + " entries (" + Render.bytes(s.getBytesAppended())
                        + ") appended, next index " + s.getNextSequence() + ", snapshot "
                        + (s.getLastCompactionMsAgo() < 0 ? "none since start"
                                : Render.ago(s.getLastCompactionMsAgo()) + " (" + Render.bytes(s.getSnapshotBytes())
                                        + ")"));
            }
        }
        List<Draw.Row> rows = rows(m, ui);
        Draw.heading(g, 0, row++, w, "largest records" + (ui.filter.isEmpty() ? ""
                : ": " + Screens.count(ui, rows.size(), v.getTopKeysCount(), "shown")));
        Draw.table(g, 0, row, w, h - row, List.of(Draw.Column.left("key", ui.showKeys ? 64 : 9),
                Draw.Column.num("bytes", 9), Draw.Column.left("stored", 10), Draw.Column.grow("expires in", 10)),
                rows, RoutingScreen.clamp(ui.selected[ui.screen], rows), -1);
    }
}
