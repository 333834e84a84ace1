package io.molia.dash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import com.googlecode.lanterna.TerminalSize;
import com.googlecode.lanterna.input.KeyStroke;
import com.googlecode.lanterna.screen.TerminalScreen;
import com.googlecode.lanterna.terminal.virtual.DefaultVirtualTerminal;
import io.molia.admin.proto.AdminResponse;
import io.molia.admin.proto.BanInfo;
import io.molia.admin.proto.BansView;
import io.molia.admin.proto.Bucket;
import io.molia.admin.proto.ErrorsView;
import io.molia.admin.proto.LogEvent;
import io.molia.admin.proto.NatObservation;
import io.molia.admin.proto.NatView;
import io.molia.admin.proto.NodeInfo;
import io.molia.admin.proto.PunchOutcome;
import io.molia.admin.proto.RecordSummary;
import io.molia.admin.proto.RecordsView;
import io.molia.admin.proto.RelayClientView;
import io.molia.admin.proto.RelaysView;
import io.molia.admin.proto.RoutingView;
import io.molia.admin.proto.SessionInfo;
import io.molia.admin.proto.SessionsView;
import org.junit.jupiter.api.Test;

/**
 * The layout of the table screens at several terminal sizes, from a model holding the widest values a node that has
 * run for weeks answers (sessions days old, RTTs of seconds, buckets unheard for weeks): rendered into Lanterna's
 * {@link DefaultVirtualTerminal} and read back cell by cell. {@link DashboardRenderTest} draws a live node's answers;
 * a node started a second ago cannot show a 23-hour session.
 */
class DashboardLayoutTest {
    private static final List<TerminalSize> SIZES = List.of(new TerminalSize(80, 24), new TerminalSize(100, 30),
            new TerminalSize(120, 40), new TerminalSize(200, 60));
    /** Seven peers; three of them have IDs starting with "beef" (the filter below). */
    private static final List<String> PEERS = peers();

    private static List<String> peers() {
        SplittableRandom random = new SplittableRandom(7);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            byte[] id = new byte[32];
            random.nextBytes(id);
            String hex = HexFormat.of().formatHex(id);
            out.add(i < 3 ? "beef" + hex.substring(4) : "0" + hex.substring(1));
        }
        return out;
    }

    private static DashModel model() {
        SessionsView.Builder sessions = SessionsView.newBuilder().setHandshakesCompleted(123_456)
                .setHandshakesInitiated(234_567).setSessionsEvicted(3_456).setSilentDrops(98_765);
        long[] ages = {850, 45_600, 754_000, 86_399_000, 3 * 86_400_000L + 4 * 3_600_000L, 400 * 86_400_000L, 59_999};
        for (int i = 0; i < PEERS.size(); i++) {
            sessions.addSessions(SessionInfo.newBuilder().setPeerId(PEERS.get(i))
                    .setAddress("203.0.113." + (100 + i) + ":40000").setShard(i % 4).setInitiator(i % 2 == 0)
                    .setConfirmed(true).setAgeMs(ages[i]).setRekeyDueInMs(ages[i] % 120_000).setPacketsIn(12_345_678)
                    .setPacketsOut(23_456_789).setBytesIn(987_654_321).setBytesOut(1L << 40)
                    .setLastReceivedMsAgo(ages[(i + 3) % ages.length]));
        }
        RoutingView.Builder routing = RoutingView.newBuilder().setSize(140).setBucketCapacity(20).setEvictions(77);
        long[][] rtts = {{400, 1_200, 3_500}, {45_000, 120_000, 850_000}, {1_200_000, 4_500_000, 12_000_000},
            {99_900, 99_950, 99_999}};
        for (int d = 0; d < 8; d++) {
            long[] rtt = rtts[d % rtts.length];
            routing.addBuckets(Bucket.newBuilder().setDepth(d * 30).setSize(d % 3 == 0 ? 3 : 20)
                    .setReplacements(d).setFailing(d == 5 ? 3 : 0).setNewestSeenMsAgo(ages[d % ages.length])
                    .setOldestSeenMsAgo(45 * 86_400_000L).setMinRttUs(rtt[0]).setMeanRttUs(rtt[1])
                    .setMaxRttUs(rtt[2]));
        }
        RecordsView.Builder records = RecordsView.newBuilder().setCount(99_999).setBytes(1L << 30)
                .setMaxRecords(100_000).setMaxBytes(1L << 31);
        for (int i = 0; i < 5; i++) {
            records.addTopKeys(RecordSummary.newBuilder().setKey(PEERS.get(i)).setBytes(1_000_000L * (i + 1))
                    .setStoredMsAgo(ages[i + 2]).setExpiresInMs(ages[i]));
        }
        BansView bans = BansView.newBuilder().setCapacity(1024).setDroppedDatagrams(5)
                .addBans(BanInfo.newBuilder().setKind("peer").setTarget(PEERS.get(4)).setExpiresInMs(ages[5]))
                .addBans(BanInfo.newBuilder().setKind("subnet").setTarget("2001:db8:1234::/48")
                        .setExpiresInMs(ages[3])).build();
        AdminResponse errors = AdminResponse.newBuilder().setErrors(ErrorsView.newBuilder().setTotal(2)
                .addEvents(LogEvent.newBuilder().setUnixMs(1_700_000_000_000L).setLevel("WARN")
                        .setLogger("io.molia.session.SessionManager").setMessage("handshake timed out"))).build();
        NodeInfo info = NodeInfo.newBuilder().setNodeId(PEERS.get(6)).setAddress("molia://key@203.0.113.9:4000")
                .setVersion("0.1.0").setShards(4).setTransport("epoll").setUptimeMs(ages[5]).build();
        return new DashModel(1, "admin.sock", true, "connected", 1000, info, null, routing.build(), null,
                sessions.build(), records.build(), bans, errors, Map.of(), Map.of(), Map.of(), -1, 0);
    }

    /** The terminal's text after one frame, one line per row. */
    private static List<String> frame(TerminalSize size, DashModel m, UiState ui) throws Exception {
        DefaultVirtualTerminal vt = new DefaultVirtualTerminal(size);
        TerminalScreen screen = new TerminalScreen(vt);
        screen.startScreen();
        Dashboard.paint(screen, m, ui, true);
        List<String> lines = new ArrayList<>();
        for (int r = 0; r < size.getRows(); r++) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < size.getColumns(); c++) {
                line.append(vt.getCharacter(c, r).getCharacterString());
            }
            lines.add(line.toString());
        }
        screen.stopScreen();
        return lines;
    }

    /** The rows of the table whose header line starts with {@code header} (up to the footer). */
    private static List<String> tableRows(List<String> frame, String header) {
        int start = -1;
        for (int i = 0; i < frame.size() && start < 0; i++) {
            start = frame.get(i).startsWith(header) ? i : -1;
        }
        assertTrue(start >= 0, "no table headed '" + header + "' in\n" + String.join("\n", frame));
        return frame.subList(start, frame.size() - 1).stream().filter(l -> !l.isBlank()).toList();
    }

    private static UiState on(int screen) {
        UiState ui = new UiState(false, false);
        ui.screen(screen);
        return ui;
    }

    @Test
    void durationsAndLatencyTriplesAreWholeAtEverySize() throws Exception {
        DashModel m = model();
        String[][] tables = {{"1", "bkt"}, {"2", "peer▼"}, {"3", "kind"}, {"5", "key"}, {"6", "time (UTC)"}};
        for (TerminalSize size : SIZES) {
            for (String[] t : tables) {
                List<String> frame = frame(size, m, on(Integer.parseInt(t[0])));
                String where = Screens.ALL.get(Integer.parseInt(t[0])).name() + " at " + size + ":\n"
                        + String.join("\n", frame);
                List<String> rows = tableRows(frame, t[1]);
                String header = rows.get(0);
                for (String row : rows) {
                    // Hidden record keys are shown as 8 digits and an ellipsis on purpose; nothing else is cut,
                    // except at 80 columns the routing flags, wider than what is left.
                    String cut = row.replaceAll("[0-9a-f]{8}…", "");
                    int at = cut.indexOf('…');
                    if (at >= 0) {
                        assertTrue(size.getColumns() == 80 && header.indexOf("flags") >= 0
                                && at > header.indexOf("flags") && at <= header.indexOf("oldest"), where);
                    }
                }
                if (t[1].equals("bkt")) {
                    assertTrue(String.join("\n", rows).contains("1.2/4.5/12.0 s"), where);
                }
                if (t[1].equals("peer▼") && size.getColumns() >= 120) {
                    assertTrue(String.join("\n", rows).contains("23h59m") && rows.get(1).endsWith(" ago")
                            || String.join("\n", rows).contains("3d04h"), where);
                }
            }
        }
    }

    @Test
    void tableDurationsAndRoundTripsTakeAtMostSixAndSeventeenColumns() {
        long[][] cases = {{850, 0}, {45_600, 0}, {59_999, 0}, {754_000, 0}, {86_399_000, 0}, {3 * 86_400_000L, 0}};
        List<String> expected = List.of("850ms", "45.6s", "1m00s", "12m34s", "23h59m", "3d00h");
        for (int i = 0; i < cases.length; i++) {
            assertEquals(expected.get(i), Screens.ms(cases[i][0]));
        }
        assertEquals("99.9/100.0/100.0 ms", Screens.rtts(99_900, 99_950, 99_999));
        assertEquals("4/850/9999 ms", Screens.rtts(4_000, 850_000, 9_999_000));
        assertEquals("1.2/4.5/12.0 s", Screens.rtts(1_200_000, 4_500_000, 12_000_000));
    }

    @Test
    void theFooterOffersOnlyTheKeysThatDoSomethingOnThatScreen() throws Exception {
        DashModel m = model();
        TerminalSize size = new TerminalSize(200, 60);
        String overview = frame(size, m, on(0)).get(59);
        String nat = frame(size, m, on(4)).get(59);
        for (String footer : List.of(overview, nat)) {
            assertFalse(footer.contains("Enter:details") || footer.contains("↑↓:move")
                    || footer.contains("/:filter"), footer);
            assertTrue(footer.contains("?:help") && footer.contains("q:quit"), footer);
        }
        String sessions = frame(size, m, on(2)).get(59);
        assertTrue(sessions.contains("↑↓:move Enter:details /:filter s:sort"), sessions);
        String records = frame(size, m, on(5)).get(59);
        assertTrue(records.contains("↑↓:move") && records.contains("/:filter") && !records.contains("Enter"),
                records);
        String log = frame(size, m, on(6)).get(59);
        assertTrue(log.contains("l:level") && !log.contains("Enter"), log);
    }

    @Test
    void everyHelpRowStartsItsDescriptionInTheSameColumn() throws Exception {
        for (boolean readonly : List.of(false, true)) {
            UiState ui = new UiState(readonly, false);
            ui.openHelp(true);
            List<String> frame = frame(new TerminalSize(100, 30), model(), ui);
            List<String> descriptions = List.of("switch screens", "move the selection", "details of the selected",
                    "close details", "filter rows", "sort by the next", "log screen:", "next / previous",
                    "this help", "quit");
            List<String> all = new ArrayList<>(descriptions);
            if (!readonly) {
                all.add("ping the peer");
            }
            int column = -1;
            for (String d : all) {
                String line = frame.stream().filter(l -> l.contains(d) && l.contains("│")).findFirst()
                        .orElseThrow(() -> new AssertionError(d + " not in\n" + String.join("\n", frame)));
                int at = line.indexOf(d);
                if (column < 0) {
                    column = at;
                }
                assertEquals(column, at, "'" + d + "' starts in another column:\n" + String.join("\n", frame));
            }
        }
    }

    /**
     * A node behind a port-restricted NAT that has met peers behind three kinds of NAT through relays: its punch
     * outcomes by pair of NAT types, as its {@code nat} view gives them.
     */
    private static DashModel natModel() {
        NatView.Builder nat = NatView.newBuilder().setType("port-restricted").setMode("client").setRelayedServer(true)
                .setMappedAddress("203.0.113.7:40000").setOtherPortProbe("failed").setOtherAddressProbe("no-server")
                .setMappingLifetimeAtLeastMs(120_000).setMappingLifetimeBelowMs(-1).setKeepaliveIntervalMs(60_000)
                .addPunchOutcomes(PunchOutcome.newBuilder().setOwn("port-restricted").setPeer("address-restricted")
                        .setPunched(12).setRelayed(0))
                .addPunchOutcomes(PunchOutcome.newBuilder().setOwn("port-restricted").setPeer("port-restricted")
                        .setPunched(7).setRelayed(1))
                .addPunchOutcomes(PunchOutcome.newBuilder().setOwn("port-restricted").setPeer("symmetric")
                        .setPunched(49).setRelayed(1));
        for (int i = 0; i < 4; i++) {
            nat.addObservations(NatObservation.newBuilder().setReporter(PEERS.get(i))
                    .setReporterAddress("198.51.100." + (i + 1) + ":4000").setObserved("203.0.113.7:40000")
                    .setAgeMs(1_000L * i));
        }
        RelaysView relays = RelaysView.newBuilder().setRelaying(false).setClient(RelayClientView.newBuilder()
                .setRelay(PEERS.get(0)).setRelayAddress("198.51.100.1:4000").putCounters("punches", 210)
                .putCounters("upgrades", 68).putCounters("closes_sent", 66)).build();
        DashModel m = model();
        return new DashModel(m.sequence(), m.target(), true, m.status(), m.intervalMs(), m.info(), null, m.routing(),
                null, m.sessions(), m.records(), m.bans(), m.errors(), Map.of("nat", AdminResponse.newBuilder()
                        .setNat(nat).build(), "relays", AdminResponse.newBuilder().setRelays(relays).build()), Map.of(),
                Map.of(), -1, 0);
    }

    @Test
    void theNatScreenShowsPunchOutcomesByPairOfNatTypesAtEverySize() throws Exception {
        for (TerminalSize size : SIZES) {
            List<String> frame = frame(size, natModel(), on(4));
            String where = size + ":\n" + String.join("\n", frame);
            List<String> rows = tableRows(frame, "  punches: own NAT");
            assertTrue(rows.get(0).contains("peer NAT") && rows.get(0).contains("punched")
                    && rows.get(0).contains("relayed"), where);
            // Every terminal shows at least the first pair whole; from 30 rows on, all three.
            assertTrue(rows.get(1).matches(" *port-restricted +address-restricted +12 +0 +100 %.*"), where);
            if (size.getRows() >= 30) {
                assertTrue(rows.get(2).matches(" *port-restricted +port-restricted +7 +1 +88 %.*"), where);
                assertTrue(rows.get(3).matches(" *port-restricted +symmetric +49 +1 +98 %.*"), where);
            }
            if (size.getColumns() >= 120) {
                assertTrue(String.join("\n", frame).contains("direct after punch 68, circuits closed 66"), where);
            }
        }
        List<String> none = frame(new TerminalSize(100, 30), model(), on(4));
        assertFalse(String.join("\n", none).contains("punches: own NAT"), "no NAT view, no punch table");
    }

    @Test
    void aFilteredListCountsWhatItShowsOfTheWhole() throws Exception {
        UiState ui = on(2);
        Dashboard.handleKey(new KeyStroke('/', false, false), model(), ui, null);
        for (char c : "beef".toCharArray()) {
            Dashboard.handleKey(new KeyStroke(c, false, false), model(), ui, null);
        }
        List<String> frame = frame(new TerminalSize(120, 40), model(), ui);
        assertTrue(frame.get(2).startsWith("3 of 7 sessions, sorted by peer"), String.join("\n", frame));
        assertEquals(3, tableRows(frame, "peer▼").size() - 1, String.join("\n", frame));
        ui.filter("");
        assertTrue(frame(new TerminalSize(120, 40), model(), ui).get(2).startsWith("7 sessions, sorted by peer"));
        ui.screen(1);
        ui.filter("stale");
        List<String> routing = frame(new TerminalSize(120, 40), model(), ui);
        assertTrue(routing.get(2).matches("140 contacts in [0-9] of 8 buckets .*"), String.join("\n", routing));
    }
}
