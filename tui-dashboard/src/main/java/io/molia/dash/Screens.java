package io.molia.dash;

import java.util.List;
import java.util.Locale;

import io.molia.admin.proto.AdminResponse;
import io.molia.adminclient.Render;

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

    /** "7 sessions", or under a filter what it lets through: "3 of 7 sessions". */
    static String count(UiState ui, int shown, int total, String noun) {
        return (ui.filter.isEmpty() ? "" : shown + " of ") + total + " " + noun;
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

    /**
     * A duration for a table cell, in at most six columns: 850ms, 45.6s, 12m05s, 23h59m, 3d04h (the shell's
     * "12 min 5 s" does not fit a column a table can afford at every width).
     */
    static String ms(long ms) {
        if (ms < 0) {
            return "-";
        }
        if (ms < 1_000) {
            return ms + "ms";
        }
        if (ms < 59_950) {
            return String.format(Locale.ROOT, "%.1fs", ms / 1e3);
        }
        long s = (ms + 500) / 1000;
        if (s < 3600) {
            return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        }
        if (s < 86_400) {
            return String.format(Locale.ROOT, "%dh%02dm", s / 3600, s % 3600 / 60);
        }
        long days = s / 86_400;
        return days < 100 ? String.format(Locale.ROOT, "%dd%02dh", days, s % 86_400 / 3600) : days + "d";
    }

    /** {@link #ms} ago. */
    static String ago(long ms) {
        return ms < 0 ? "-" : ms(ms) + " ago";
    }

    /**
     * Three round-trip times (min / mean / max) in one unit, chosen by the largest: "0.4/1.2/3.5 ms",
     * "45/120/850 ms", "1.2/4.5/12.0 s"; at most 17 columns.
     */
    static String rtts(long minUs, long meanUs, long maxUs) {
        if (maxUs < 100_000) {
            return String.format(Locale.ROOT, "%.1f/%.1f/%.1f ms", minUs / 1e3, meanUs / 1e3, maxUs / 1e3);
        }
        if (maxUs < 10_000_000) {
            return String.format(Locale.ROOT, "%.0f/%.0f/%.0f ms", minUs / 1e3, meanUs / 1e3, maxUs / 1e3);
        }
        return String.format(Locale.ROOT, "%.1f/%.1f/%.1f s", minUs / 1e6, meanUs / 1e6, maxUs / 1e6);
    }
}
