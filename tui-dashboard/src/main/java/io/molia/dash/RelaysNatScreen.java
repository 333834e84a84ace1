package io.molia.dash;

import com.googlecode.lanterna.graphics.TextGraphics;

/**
 * NAT type, reflexive addresses and hole-punch counts (the NAT view) and relay budgets per client (the relays
 * view); a node without those subsystems says so, and this screen shows its words.
 */
final class RelaysNatScreen implements DashScreen {
    @Override
    public String name() {
        return "nat";
    }

    @Override
    public void render(TextGraphics g, DashModel m, UiState ui) {
        int w = g.getSize().getColumns();
        int row = 0;
        Draw.heading(g, 0, row++, w, "NAT");
        if (m.info() != null) {
            Draw.text(g, 2, row++, w - 2, "listening on " + OverviewScreen.hostPort(m.info(), ui) + " ("
                    + m.info().getTransport() + ")");
        }
        String nat = Screens.unavailable(m.subsystems().get("nat"));
        Draw.text(g, 2, row++, w - 2, "NAT type, reflexive addresses, hole punches (succeeded / failed):",
                Draw.DIM);
        Draw.text(g, 4, row++, w - 4, nat == null ? "(NAT view present)" : nat, Draw.DIM);
        row++;
        Draw.heading(g, 0, row++, w, "relays");
        String relays = Screens.unavailable(m.subsystems().get("relays"));
        Draw.text(g, 2, row++, w - 2, "relay budget per client (used / limit):", Draw.DIM);
        Draw.text(g, 4, row, w - 4, relays == null ? "(relays view present)" : relays, Draw.DIM);
    }
}
