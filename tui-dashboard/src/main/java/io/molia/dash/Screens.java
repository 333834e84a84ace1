package io.molia.dash;

import java.util.List;
import java.util.Locale;

import io.molia.admin.proto.AdminResponse;
import io.molia.shell.Render;

/** The screens in tab order (number keys 1..7) and small helpers they share. */
public final class Screens {
    public static final List<DashScreen> ALL = List.of(new OverviewScreen(), new RoutingScreen(),
            new SessionsScreen(), new AdmissionScreen(), new RelaysNatScreen(), new RecordsWalScreen(),
            new LogScreen());

    private Screens() {
    }

    /** The address with its last IPv4 byte (IPv6: last 64 bits) hidden unless --show-keys (as the shell does). */
    static String addr(String hostPort, UiState ui) {
        return Render.addr(hostPort, new Render.Style(false, 0, ui.showKeys));
    }

    /** Whether a row's text matches the filter (case-insensitive substring of any cell). */
    static boolean matches(UiState ui, String... cells) {
        if (ui.filter.isEmpty()) {
            return true;
        }
        String f = ui.filter.toLowerCase(Locale.ROOT);
        for (String c : cells) {
            if (c != null && c.toLowerCase(Locale.ROOT).contains(f)) {
                return true;
            }
        }
        return false;
    }

    /** "subsystem: reason" of an unavailable answer, or the error's message; null for a real view. */
    static String unavailable(AdminResponse r) {
        if (r == null) {
            return "waiting for the node";
        }
        if (r.hasUnavailable()) {
            return r.getUnavailable().getSubsystem() + ": " + r.getUnavailable().getReason();
        }
        if (r.hasError()) {
            return "error " + r.getError().getCode() + ": " + r.getError().getMessage();
        }
        return null;
    }

    static String ms(long ms) {
        return ms < 0 ? "-" : Render.duration(ms);
    }
}
