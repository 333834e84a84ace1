package io.molia.dash;

import java.util.List;

import com.googlecode.lanterna.graphics.TextGraphics;
import io.molia.admin.proto.AdminResponse;
import io.molia.admin.proto.NodeInfo;
import io.molia.adminclient.Render;

/**
 * The node at a glance: identity, uptime, table sizes, then rates (computed from successive metrics) with
 * sparklines of the last minutes, and what this version of the node cannot tell (latency percentiles, CPU and
 * allocation per shard, WAL lag), said as such.
 */
final class OverviewScreen implements DashScreen {
    private static final List<String[]> RATES = List.of(
            new String[] {"lookups/s", "lookups_started"},
            new String[] {"packets in/s", "datagrams_in"},
            new String[] {"packets out/s", "datagrams_out"},
            new String[] {"dropped/s", "datagrams_dropped"},
            new String[] {"kernel drops/s", "kernel_receive_drops"},
            new String[] {"requests in/s", "requests_in"},
            new String[] {"handshakes/s", "handshakes_completed"},
            new String[] {"timeouts/s", "hard_timeouts"});

    @Override
    public String name() {
        return "overview";
    }

    @Override
    public void render(TextGraphics g, DashModel m, UiState ui) {
        int w = g.getSize().getColumns();
        NodeInfo i = m.info();
        if (i == null) {
            Draw.text(g, 0, 0, w, "waiting for the node's first answer…", Draw.DIM);
            return;
        }
        int row = 0;
        Draw.text(g, 0, row++, w, "node " + Render.id16(i.getNodeId()) + "  " + hostPort(i, ui) + "  pid "
                + i.getPid() + "  "
                + i.getTransport() + "  " + i.getShards() + (i.getShards() == 1 ? " shard" : " shards") + "  v"
                + i.getVersion());
        long peers = m.peers() == null ? -1 : m.peers().getPeersCount();
        Draw.text(g, 0, row++, w, "up " + Render.duration(i.getUptimeMs()) + "  contacts " + i.getRoutingTableSize()
                + "  peers " + (peers < 0 ? "-" : peers) + "  sessions " + i.getSessions() + "  records "
                + i.getRecords() + "  handshakes pending " + count(m.counter("handshakes_in_progress"))
                + "  lookups active " + count(m.counter("active_operations")));
        if (i.getIsolated()) {
            Draw.text(g, 0, row, w, "ISOLATED: no peer in the routing table, puts store nowhere; the node asks its "
                    + "bootstrap and last known peers again", Draw.BAD);
        }
        row++;
        int label = 14;
        int now = 9;
        int total = 12;
        int spark = Math.max(0, w - label - now - total - 3);
        List<Double> any = m.series("datagrams_in");
        String span = any.isEmpty() ? "" : " (last " + Render.duration(any.size() * m.intervalMs()).replace(" min 0 s",
                " min") + ")";
        Draw.heading(g, 0, row++, w, Draw.pad("rate", label) + " " + Draw.padLeft("now", now) + " "
                + Draw.padLeft("total", total) + " " + "history" + span);
        for (String[] r : RATES) {
            double rate = m.rate(r[1]);
            long counter = m.counter(r[1]);
            Draw.text(g, 0, row, w, Draw.pad(r[0], label) + " " + Draw.padLeft(Draw.rate(rate), now) + " "
                    + Draw.padLeft(count(counter), total));
            Draw.text(g, label + now + total + 3, row, spark, Draw.sparkline(m.series(r[1]), spark),
                    r[1].equals("datagrams_dropped") || r[1].equals("kernel_receive_drops")
                            || r[1].equals("hard_timeouts") ? Draw.WARN : Draw.GOOD);
            row++;
        }
        row++;
        long samples = m.counter("lookup_latency_samples");
        if (samples < 0) {
            Draw.heading(g, 0, row++, w, "lookup latency");
            Draw.text(g, 0, row++, w, "P50 / P95 / P99: " + Draw.NOT_AVAILABLE
                    + " (this node's metrics have no lookup latency)", Draw.DIM);
        } else {
            Draw.heading(g, 0, row++, w, Draw.pad("lookup latency", label) + " " + Draw.padLeft("now", now) + " "
                    + Draw.padLeft("", total) + " over the last " + samples + " lookups, gets and puts");
            if (samples == 0) {
                Draw.text(g, 0, row++, w, "P50 / P95 / P99: no lookup completed yet", Draw.DIM);
            } else {
                for (String p : List.of("P50", "P95", "P99")) {
                    String name = "lookup_latency_" + p.toLowerCase(java.util.Locale.ROOT) + "_us";
                    Draw.text(g, 0, row, w, Draw.pad(p, label) + " " + Draw.padLeft(Render.us(m.counter(name)), now));
                    Draw.text(g, label + now + total + 3, row, spark, Draw.sparkline(m.series(name), spark),
                            Draw.ACCENT);
                    row++;
                }
            }
        }
        Draw.heading(g, 0, row++, w, Draw.pad("per shard", label) + " " + Draw.padLeft("CPU", now) + " "
                + Draw.padLeft("alloc/s", total) + " CPU history");
        for (int s = 0; s < i.getShards() && row < g.getSize().getRows() - 1; s++) {
            String cpu = "shard_" + s + "_cpu_ns";
            String alloc = "shard_" + s + "_allocated_bytes";
            if (m.counter(cpu) < 0 && m.counter(alloc) < 0) {
                Draw.text(g, 0, row++, w, Draw.pad("shard " + s, label) + " CPU, allocation rate: "
                        + Draw.NOT_AVAILABLE, Draw.DIM);
                continue;
            }
            double load = m.rate(cpu);
            String cpuText = Double.isNaN(load) ? "-" : String.format("%.1f %%", load / 1e7);
            double bytes = m.rate(alloc);
            String allocText = Double.isNaN(bytes) ? "-" : Render.bytes((long) bytes) + "/s";
            Draw.text(g, 0, row, w, Draw.pad("shard " + s, label) + " " + Draw.padLeft(cpuText, now) + " "
                    + Draw.padLeft(allocText, total));
            Draw.text(g, label + now + total + 3, row, spark, Draw.sparkline(m.series(cpu), spark), Draw.GOOD);
            row++;
        }
        AdminResponse wal = m.subsystems().get("wal");
        String unavailable = Screens.unavailable(wal);
        // Entries are appended before their acks leave (DESIGN 3.9): there is no lag to show, only what is pending
        // a sync under --wal-sync none and how old the snapshot is.
        Draw.text(g, 0, row, w, "WAL: " + (unavailable != null ? unavailable : walLine(wal.getWal())), Draw.DIM);
    }

    private static String walLine(io.molia.admin.proto.WalView v) {
        long appended = 0;
        long lastCompactionAgo = -1;
        for (io.molia.admin.proto.WalShard s : v.getShardsList()) {
            appended += s.getEntriesAppended();
            lastCompactionAgo = Math.max(lastCompactionAgo, s.getLastCompactionMsAgo());
        }
        return "no lag (written before acks), sync " + v.getSync() + ", " + appended + " entries since start, "
                + "snapshot " + (lastCompactionAgo < 0 ? "none since start" : Render.ago(lastCompactionAgo));
    }

    /** host:port of the node's molia:// address, its last IPv4 byte or IPv6 64 bits hidden as the shell hides them. */
    static String hostPort(NodeInfo i, UiState ui) {
        String a = i.getAddress();
        int at = a.indexOf('@');
        return Screens.addr(at < 0 ? a : a.substring(at + 1), ui);
    }

    static String count(long v) {
        return v < 0 ? "-" : Long.toString(v);
    }
}
