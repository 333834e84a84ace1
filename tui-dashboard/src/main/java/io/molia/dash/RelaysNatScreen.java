package io.molia.dash;

import java.util.ArrayList;
import java.util.List;

import com.googlecode.lanterna.graphics.TextGraphics;
import io.molia.admin.proto.AdminResponse;
import io.molia.admin.proto.NatObservation;
import io.molia.admin.proto.NatView;
import io.molia.admin.proto.PunchOutcome;
import io.molia.admin.proto.RelayClientView;
import io.molia.admin.proto.RelayReservation;
import io.molia.admin.proto.RelaysView;
import io.molia.adminclient.Render;

/**
 * The NAT view live (type, DHT role, the dial-back probes, the mapping's lifetime and keepalive, punch outcomes by
 * pair of NAT types, who observed which address) and the relays view live (the budget as a gauge, relayed bytes per second as a sparkline, refusals,
 * reservations per client); a subsystem the node lacks says so, and this screen shows its words.
 */
final class RelaysNatScreen implements DashScreen {
    @Override
    public String name() {
        return "nat";
    }

    @Override
    public void render(TextGraphics g, DashModel m, UiState ui) {
        int w = g.getSize().getColumns();
        int h = g.getSize().getRows();
        int row = 0;
        Draw.heading(g, 0, row++, w, "NAT");
        if (m.info() != null) {
            Draw.text(g, 2, row++, w - 2, "listening on " + OverviewScreen.hostPort(m.info(), ui) + " ("
                    + m.info().getTransport() + ")");
        }
        AdminResponse natAnswer = m.subsystems().get("nat");
        String absent = Screens.unavailable(natAnswer);
        if (absent != null || !natAnswer.hasNat()) {
            Draw.text(g, 4, row++, w - 4, absent == null ? "(no NAT view)" : absent, Draw.DIM);
        } else {
            row = nat(g, row, w, h - 4, natAnswer.getNat(), ui);
        }
        row++;
        Draw.heading(g, 0, row++, w, "relays");
        AdminResponse relaysAnswer = m.subsystems().get("relays");
        String relaysAbsent = Screens.unavailable(relaysAnswer);
        if (relaysAbsent != null || relaysAnswer == null || !relaysAnswer.hasRelays()) {
            Draw.text(g, 4, row, w - 4, relaysAbsent == null ? "(no relays view)" : relaysAbsent, Draw.DIM);
        } else {
            relays(g, row, w, h, relaysAnswer.getRelays(), ui);
        }
    }

    /** The budget as a gauge and the relayed bytes per second as a sparkline, refusals, then the reservations. */
    private static void relays(TextGraphics g, int row, int w, int bottom, RelaysView v, UiState ui) {
        if (v.getRelaying()) {
            String used = Render.bytes(v.getRelayedBytes()) + " / " + Render.bytes(v.getLimitBytes()) + " ("
                    + v.getBudgetPercent() + " % of " + Render.bytes(v.getEgressBytes()) + " egress, last "
                    + Screens.ms(v.getWindowMs()) + ")";
            Draw.text(g, 2, row, 8, "budget");
            Draw.text(g, 10, row, 22, Draw.gauge(v.getRelayedBytes(), v.getLimitBytes(), 22),
                    Draw.gaugeColor(v.getRelayedBytes(), v.getLimitBytes()));
            Draw.text(g, 33, row++, w - 33, used);
            List<Double> perSecond = new ArrayList<>();
            for (long b : v.getRelayedPerSlotList()) {
                perSecond.add((double) b);
            }
            Draw.text(g, 2, row, 8, "relayed");
            Draw.text(g, 10, row++, w - 10, Draw.sparkline(perSecond, Math.min(60, w - 12)), Draw.GOOD);
            StringBuilder refused = new StringBuilder();
            v.getRefusalsMap().entrySet().stream().filter(e -> e.getValue() > 0)
                    .sorted(java.util.Map.Entry.comparingByKey()).forEach(e -> refused.append(refused.isEmpty() ? ""
                            : ", ").append(e.getKey()).append(' ').append(e.getValue()));
            Draw.text(g, 2, row++, w - 2, "refused: " + (refused.isEmpty() ? "none" : refused.toString()),
                    refused.isEmpty() ? Draw.DIM : Draw.WARN);
        } else {
            Draw.text(g, 2, row++, w - 2, "relaying off (--relay-budget-percent 0)", Draw.DIM);
        }
        if (v.hasClient()) {
            RelayClientView c = v.getClient();
            Draw.text(g, 2, row++, w - 2, "own reservation: " + (c.getRelay().isEmpty() ? "none"
                    : c.getRelay().substring(0, Math.min(16, c.getRelay().length())) + " at "
                    + Screens.addr(c.getRelayAddress(), ui)) + "   punches " + c.getCountersOrDefault("punches", 0)
                    + ", direct after punch " + c.getCountersOrDefault("upgrades", 0) + ", circuits closed "
                    + c.getCountersOrDefault("closes_sent", 0), Draw.DIM);
        }
        List<Draw.Row> rows = new ArrayList<>();
        for (RelayReservation r : v.getReservationsList()) {
            String id = r.getClient().substring(0, Math.min(16, r.getClient().length()));
            rows.add(new Draw.Row(r.getClient(), new String[] {id, Screens.addr(r.getAddress(), ui),
                r.getCircuits() + "", Render.bytes(r.getRelayedBytes()), r.getRefusals() + ""}, null));
        }
        int height = Math.max(2, Math.min(rows.size() + 1, bottom - row));
        Draw.table(g, 2, row, w - 2, height, List.of(Draw.Column.left("client", 16),
                Draw.Column.grow("address", 21), Draw.Column.num("circuits", 8), Draw.Column.num("relayed", 9),
                Draw.Column.num("refused", 7)), rows, -1, -1);
    }

    private static int nat(TextGraphics g, int row, int w, int bottom, NatView v, UiState ui) {
        boolean client = v.getMode().equals("client") && !v.getRelayedServer();
        Draw.text(g, 2, row++, w - 2, "type " + v.getType() + "   role " + v.getMode()
                + (v.getRelayedServer() ? " (a server through its relay)"
                        : client ? " (not reachable: in no one's routing table)" : ""),
                client ? Draw.WARN : v.getType().equals("unknown") ? Draw.DIM : Draw.GOOD);
        Draw.text(g, 2, row++, w - 2, "mapped address " + (v.getMappedAddress().isEmpty() ? "-"
                : Screens.addr(v.getMappedAddress(), ui)) + "   probes: other port " + v.getOtherPortProbe()
                + ", other address " + v.getOtherAddressProbe());
        String lifetime = "mapping lifetime >= " + Screens.ms(v.getMappingLifetimeAtLeastMs())
                + (v.getMappingLifetimeBelowMs() < 0 ? "" : ", < " + Screens.ms(v.getMappingLifetimeBelowMs()));
        Draw.text(g, 2, row++, w - 2, lifetime + "   keepalive " + (v.getKeepaliveIntervalMs() == 0 ? "none"
                : "every " + Screens.ms(v.getKeepaliveIntervalMs())));
        Draw.text(g, 2, row++, w - 2, "observed " + v.getCountersOrDefault("observations", 0) + "   probes arrived "
                + v.getCountersOrDefault("probes_arrived", 0) + " / failed "
                + v.getCountersOrDefault("probes_failed", 0) + "   mapping changes "
                + v.getCountersOrDefault("mapping_changes", 0) + "   role changes "
                + v.getCountersOrDefault("role_changes", 0), Draw.DIM);
        row = punchOutcomes(g, row, w, bottom, v);
        List<Draw.Row> rows = new ArrayList<>();
        for (NatObservation o : v.getObservationsList()) {
            String id = o.getReporter().substring(0, Math.min(16, o.getReporter().length()));
            rows.add(new Draw.Row(o.getReporter(), new String[] {id, Screens.addr(o.getReporterAddress(), ui),
                Screens.addr(o.getObserved(), ui), Screens.ms(o.getAgeMs())}, null));
        }
        int height = Math.max(2, Math.min(rows.size() + 1, bottom - row));
        Draw.table(g, 2, row, w - 2, height, List.of(Draw.Column.left("observer", 16),
                Draw.Column.grow("answered from", 21), Draw.Column.grow("saw this node at", 21),
                Draw.Column.num("age", 6)), rows, -1, -1);
        return row + height;
    }

    /**
     * The circuits this node was an end of, by pair of NAT types (its own when the circuit opened, the peer's as it
     * said): how many a punch got through on, how many closed with none. At most half the room left: the observers
     * follow.
     */
    private static int punchOutcomes(TextGraphics g, int row, int w, int bottom, NatView v) {
        if (v.getPunchOutcomesCount() == 0) {
            Draw.text(g, 2, row++, w - 2, "punches by NAT pair: none yet (no circuit opened or closed)", Draw.DIM);
            return row;
        }
        List<Draw.Row> rows = new ArrayList<>();
        for (PunchOutcome o : v.getPunchOutcomesList()) {
            long total = o.getPunched() + o.getRelayed();
            rows.add(new Draw.Row(o.getOwn() + "/" + o.getPeer(), new String[] {o.getOwn(), o.getPeer(),
                o.getPunched() + "", o.getRelayed() + "", Math.round(100.0 * o.getPunched() / total) + " %"},
                o.getPunched() > 0 ? Draw.GOOD : null));
        }
        int height = Math.max(2, Math.min(rows.size() + 1, (bottom - row) / 2));
        Draw.table(g, 2, row, w - 2, height, List.of(Draw.Column.left("punches: own NAT", 18),
                Draw.Column.left("peer NAT", 18), Draw.Column.num("punched", 7), Draw.Column.num("relayed", 7),
                Draw.Column.num("direct", 6)), rows, -1, -1);
        return row + height;
    }
}
