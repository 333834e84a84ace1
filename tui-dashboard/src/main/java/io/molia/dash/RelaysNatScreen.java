package io.molia.dash;

import java.util.ArrayList;
import java.util.List;

import com.googlecode.lanterna.graphics.TextGraphics;
import io.molia.admin.proto.AdminResponse;
import io.molia.admin.proto.NatObservation;
import io.molia.admin.proto.NatView;

/**
 * The NAT view live (type, DHT role, the dial-back probes, the mapping's lifetime and keepalive, who observed which
 * address) and relay budgets per client (the relays view); a subsystem the node lacks says so, and this screen
 * shows its words.
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
        String relays = Screens.unavailable(m.subsystems().get("relays"));
        Draw.text(g, 2, row++, w - 2, "relay budget per client (used / limit):", Draw.DIM);
        Draw.text(g, 4, row, w - 4, relays == null ? "(relays view present)" : relays, Draw.DIM);
    }

    private static int nat(TextGraphics g, int row, int w, int bottom, NatView v, UiState ui) {
        boolean client = v.getMode().equals("client");
        Draw.text(g, 2, row++, w - 2, "type " + v.getType() + "   role " + v.getMode()
                + (client ? " (not reachable: in no one's routing table)" : ""),
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
}
