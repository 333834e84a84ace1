package io.molia.dash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import com.googlecode.lanterna.TerminalSize;
import com.googlecode.lanterna.input.KeyStroke;
import com.googlecode.lanterna.input.KeyType;
import com.googlecode.lanterna.screen.TerminalScreen;
import com.googlecode.lanterna.terminal.virtual.DefaultVirtualTerminal;
import io.molia.admin.AdminServer;
import io.molia.admin.proto.AdminRequest;
import io.molia.admin.proto.BanAction;
import io.molia.adminclient.AdminClient;
import io.molia.contact.NodeId;
import io.molia.core.CoreEvent;
import io.molia.node.MoliaAddress;
import io.molia.node.MoliaNode;
import io.molia.node.NodeConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every screen rendered into Lanterna's {@link DefaultVirtualTerminal} (through a real {@link TerminalScreen}) from
 * three real nodes in this JVM, node 0 serving its admin socket: the text read back from the terminal's cells is
 * asserted at 80x24 and 200x60. Nothing is mocked: the figures are the node's answers over its socket.
 */
class DashboardRenderTest {
    private static final long WAIT_S = 20;

    @TempDir
    Path dir;

    private final List<MoliaNode> nodes = new ArrayList<>();
    private AdminServer server;
    private Sampler sampler;

    @BeforeEach
    void startNodes() throws Exception {
        nodes.add(start(0, List.of()));
        nodes.add(start(1, List.of(nodes.get(0).address())));
        nodes.add(start(2, List.of(nodes.get(0).address())));
        server = AdminServer.start(nodes.get(0), AdminServer.Options.defaults(dir.resolve("node-0"), null, null));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
        while (nodes.get(0).status().get().routingTableSize() < 2 || nodes.get(0).status().get().sessions() < 2) {
            assertTrue(System.nanoTime() < deadline, "node 0 learnt its two peers");
            Thread.sleep(50);
        }
    }

    @AfterEach
    void stop() {
        if (sampler != null) {
            sampler.close();
        }
        if (server != null) {
            server.close();
        }
        nodes.forEach(MoliaNode::close);
    }

    private MoliaNode start(int i, List<MoliaAddress> seeds) throws Exception {
        return MoliaNode.start(new NodeConfig(dir.resolve("node-" + i),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), seeds, new byte[32], 1, null)
                .withPowBits(4));
    }

    /** A terminal of the given size with a screen on it, as the dashboard uses a real one. */
    private record Term(DefaultVirtualTerminal vt, TerminalScreen screen) {
        static Term of(int cols, int rows) throws Exception {
            DefaultVirtualTerminal vt = new DefaultVirtualTerminal(new TerminalSize(cols, rows));
            TerminalScreen screen = new TerminalScreen(vt);
            screen.startScreen();
            return new Term(vt, screen);
        }

        /** Draws a frame as the dashboard loop does and returns the terminal's text, one line per row. */
        String frame(DashModel m, UiState ui) throws Exception {
            boolean resized = screen.doResizeIfNecessary() != null;
            Dashboard.paint(screen, m, ui, resized);
            return text();
        }

        String text() {
            TerminalSize size = vt.getTerminalSize();
            StringBuilder b = new StringBuilder();
            for (int r = 0; r < size.getRows(); r++) {
                StringBuilder line = new StringBuilder();
                for (int c = 0; c < size.getColumns(); c++) {
                    line.append(vt.getCharacter(c, r).getCharacterString());
                }
                b.append(line.toString().stripTrailing()).append('\n');
            }
            return b.toString();
        }
    }

    private DashModel await(String what, Predicate<DashModel> condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
        long seq = -1;
        DashModel m = sampler.snapshot();
        while (!condition.test(m)) {
            if (System.nanoTime() > deadline) {
                fail("the dashboard's model never had " + what + ": " + m);
            }
            seq = sampler.awaitSequence(Math.max(seq, m.sequence()), 500);
            m = sampler.snapshot();
        }
        return m;
    }

    private static String line(String frame, String startsWith) {
        return frame.lines().filter(l -> l.startsWith(startsWith)).findFirst()
                .orElseThrow(() -> new AssertionError("no line starting with '" + startsWith + "' in\n" + frame));
    }

    /** The "total" column of an overview rate row. */
    private static long total(String frame, String label) {
        String[] cells = line(frame, label).substring(14).trim().split("\\s+");
        return Long.parseLong(cells[1]);
    }

    private static String id16(MoliaNode n) {
        return n.self().id().toHex().substring(0, 16);
    }

    @Test
    void everyScreenAt80x24And200x60FromARealNode() throws Exception {
        // Real state to show: a stored record and a /24 ban, both made through the node's own API.
        CoreEvent.PutCompleted put = nodes.get(1).put("hello dashboard".getBytes(StandardCharsets.UTF_8), 3600)
                .get(WAIT_S, TimeUnit.SECONDS);
        try (AdminClient c = AdminClient.connect(server.socket())) {
            assertTrue(c.call(AdminRequest.newBuilder().setBan(BanAction.newBuilder().setTarget("10.9.8.0/24")
                    .setDurationSeconds(600)), 5, TimeUnit.SECONDS).hasDone());
        }
        nodes.get(0).lookup(new NodeId(1, 2, 3, 4)).get(WAIT_S, TimeUnit.SECONDS);
        sampler = new Sampler(server.socket(), 100, -1, 0);
        DashModel m = await("every view and two metrics", x -> x.info() != null && x.routing() != null
                && x.peers() != null && x.sessions() != null && x.records() != null && x.records().getCount() >= 1
                && x.bans() != null && x.errors() != null && x.subsystems().size() == 4
                && !Double.isNaN(x.rate("datagrams_in")) && !Double.isNaN(x.rate("shard_0_cpu_ns"))
                && x.counter("lookup_latency_samples") >= 1 && x.sessions().getSessionsCount() >= 2);
        String key8 = put.key().toHex().substring(0, 8);

        for (TerminalSize size : List.of(new TerminalSize(80, 24), new TerminalSize(200, 60))) {
            Term t = Term.of(size.getColumns(), size.getRows());
            UiState ui = new UiState(false, false);
            String where = " at " + size.getColumns() + "x" + size.getRows() + ":\n";

            String overview = t.frame(m, ui);
            assertTrue(overview.startsWith(" molia"), where + overview);
            for (String tab : List.of("1 overview", "2 routing", "3 sessions", "4 sybil", "5 nat", "6 records",
                    "7 log")) {
                assertTrue(overview.lines().findFirst().orElseThrow().contains(tab), tab + where + overview);
            }
            assertTrue(overview.contains("● connected"), where + overview);
            assertTrue(overview.contains("node " + id16(nodes.get(0))), where + overview);
            assertTrue(overview.contains("127.0.0.x:" + nodes.get(0).address().port()), where + overview);
            for (String label : List.of("lookups/s", "packets in/s", "packets out/s", "dropped/s")) {
                assertTrue(total(overview, label) >= 0, label + where + overview);
            }
            // Latency percentiles over node 0's completed lookups, CPU and allocation of its shard thread.
            assertTrue(line(overview, "lookup latency").contains("over the last "), where + overview);
            for (String p : List.of("P50", "P95", "P99")) {
                assertTrue(line(overview, p).matches(p + " +[0-9.]+ (µs|ms|s).*"), where + overview);
            }
            assertTrue(line(overview, "shard 0").matches("shard 0 +[0-9.]+ % +[0-9.]+ (B|KiB|MiB|GiB)/s.*"),
                    where + overview);
            assertTrue(line(overview, "WAL:").matches("WAL: no lag .*, sync none, [0-9]+ entries since start.*"),
                    where + overview);
            assertEquals(24 == size.getRows() ? 24 : 60, overview.lines().count(), "one line per terminal row");
            assertTrue(overview.lines().allMatch(l -> l.length() <= size.getColumns()), where + overview);

            assertTrue(Dashboard.handleKey(new KeyStroke('2', false, false), m, ui, null));
            String routing = t.frame(m, ui);
            assertTrue(routing.contains(m.routing().getSize() + " contacts in " + m.routing().getBucketsCount()
                    + " buckets (K = 20)"), where + routing);
            String header = line(routing, "bkt");
            assertTrue(header.contains("fill") && header.contains("repl") && header.contains("rtt min/mean/max")
                    && header.contains("flags"),
                    where + routing);
            // Two contacts in a table of K = 20: the buckets are under-filled, and flagged so.
            assertTrue(routing.contains("/20"), where + routing);
            assertTrue(routing.contains("under"), where + routing);
            // Enter on a bucket lists its contacts: a known peer ID appears.
            int bucket = -1;
            for (var b : m.routing().getBucketsList()) {
                for (var c : b.getContactsList()) {
                    if (c.getNodeId().startsWith(id16(nodes.get(1)))) {
                        bucket = b.getDepth();
                    }
                }
            }
            assertTrue(bucket >= 0, "node 1 is in node 0's routing table");
            for (int i = 0; i < m.routing().getBucketsCount(); i++) {
                if (m.routing().getBuckets(i).getDepth() == bucket) {
                    break;
                }
                Dashboard.handleKey(new KeyStroke(KeyType.ArrowDown), m, ui, null);
            }
            Dashboard.handleKey(new KeyStroke(KeyType.Enter), m, ui, null);
            String contacts = t.frame(m, ui);
            assertTrue(contacts.contains("bucket " + bucket) && contacts.contains(id16(nodes.get(1))),
                    where + contacts);
            Dashboard.handleKey(new KeyStroke(KeyType.Escape), m, ui, null);

            Dashboard.handleKey(new KeyStroke('3', false, false), m, ui, null);
            String sessions = t.frame(m, ui);
            assertTrue(sessions.contains(id16(nodes.get(1))) && sessions.contains(id16(nodes.get(2))),
                    where + sessions);
            assertTrue(line(sessions, "peer▼").contains("address"), where + sessions);
            // Sort by the next column (shard), filter to node 2, open its details.
            Dashboard.handleKey(new KeyStroke('s', false, false), m, ui, null);
            assertTrue(t.frame(m, ui).contains("sorted by shard"), where);
            Dashboard.handleKey(new KeyStroke('/', false, false), m, ui, null);
            for (char ch : id16(nodes.get(2)).substring(0, 6).toCharArray()) {
                Dashboard.handleKey(new KeyStroke(ch, false, false), m, ui, null);
            }
            assertTrue(t.frame(m, ui).contains("filter: " + id16(nodes.get(2)).substring(0, 6) + "_"), where);
            Dashboard.handleKey(new KeyStroke(KeyType.Enter), m, ui, null);
            String filtered = t.frame(m, ui);
            assertTrue(filtered.contains(id16(nodes.get(2))) && !filtered.contains(id16(nodes.get(1))),
                    where + filtered);
            Dashboard.handleKey(new KeyStroke(KeyType.Enter), m, ui, null);
            String peer = t.frame(m, ui);
            assertTrue(peer.contains("peer " + id16(nodes.get(2))) && peer.contains("bucket ")
                    && peer.contains("session: shard 0") && peer.contains("score history: ")
                    && peer.contains("i pings the peer"), where + peer);
            Dashboard.handleKey(new KeyStroke(KeyType.Enter), m, ui, null);
            Dashboard.handleKey(new KeyStroke(KeyType.Escape), m, ui, null);

            Dashboard.handleKey(new KeyStroke('4', false, false), m, ui, null);
            String sybil = t.frame(m, ui);
            assertTrue(sybil.contains("lowest-scored peers") && sybil.contains("bans: 1 of capacity 1024"),
                    where + sybil);
            assertTrue(line(sybil, "subnet").contains("10.9.8.0/24"), where + sybil);
            // The admission view, live: a fresh devnet's node is open (no load), its peers answered (scored, not low).
            assertTrue(sybil.contains("admission: proof of work") && sybil.contains("shard 0 open")
                    && sybil.contains("scores: ") && sybil.contains("limiter hits ip 0"), where + sybil);
            assertFalse(sybil.contains("not available"), where + sybil);

            Dashboard.handleKey(new KeyStroke('5', false, false), m, ui, null);
            String nat = t.frame(m, ui);
            assertTrue(nat.contains("NAT") && nat.contains("relays") && nat.contains("listening on 127.0.0.x:"),
                    where + nat);
            // The NAT view, live: a loopback node is seen where it is bound (open) or not yet observed (unknown).
            assertTrue(nat.contains("role server") && nat.contains("probes: other port ")
                    && nat.contains("keepalive none") && nat.contains("observer"), where + nat);
            // No circuit on loopback: the punch outcomes say so (NatMatrixIT draws real ones from a node behind a NAT).
            assertTrue(nat.contains("punches by NAT pair: none yet"), where + nat);
            // The relays view, live: a loopback node relays within 10 % of its egress; no one reserved here.
            assertTrue(nat.contains("budget") && nat.contains("10 % of") && nat.contains("own reservation: none")
                    && nat.contains("refused: none"), where + nat);

            Dashboard.handleKey(new KeyStroke('6', false, false), m, ui, null);
            String records = t.frame(m, ui);
            assertTrue(records.contains(m.records().getCount() + " of 100000") && records.contains("immutable")
                    && records.contains("mutable 0 (0 B)") && records.contains("provider 0 (0 B)")
                    && records.contains("writes: mutable")
                    && records.contains(key8 + "…") && records.contains("largest records"), where + records);
            assertTrue(records.contains("sync none; last start replayed") && java.util.regex.Pattern.compile(
                    "shard 0: generation [0-9]+, [1-9][0-9]* entries").matcher(records).find(), where + records);

            Dashboard.handleKey(new KeyStroke('7', false, false), m, ui, null);
            String log = t.frame(m, ui);
            // This node has no log backend (a library embedding): the socket says so and the screen shows it.
            assertTrue(log.contains("errors: no log backend attached to this node"), where + log);

            Dashboard.handleKey(new KeyStroke('?', false, false), m, ui, null);
            String help = t.frame(m, ui);
            assertTrue(help.contains("─ keys ─") && help.contains("switch screens") && help.contains("q, Ctrl-C"),
                    where + help);
            Dashboard.handleKey(new KeyStroke('x', false, false), m, ui, null);
            assertFalse(t.frame(m, ui).contains("─ keys ─"), "any key closes the help");
            assertFalse(Dashboard.handleKey(new KeyStroke('q', false, false), m, ui, null), "q quits");
            t.screen().stopScreen();
        }
    }

    @Test
    void aCounterMovesBetweenTwoFramesAndOnlyChangedCellsAreRedrawn() throws Exception {
        sampler = new Sampler(server.socket(), 100, -1, 0);
        DashModel before = await("rates", x -> x.info() != null && !Double.isNaN(x.rate("datagrams_out")));
        Term t = Term.of(200, 60);
        UiState ui = new UiState(false, false);
        String first = t.frame(before, ui);
        long outBefore = total(first, "packets out/s");

        // The same model drawn again: the screen sends nothing to the terminal. (The virtual terminal tracks
        // single cells only once its "whole buffer dirty" flag, set by the first frame, is reset.)
        t.vt().isWholeBufferDirtyThenReset();
        t.vt().getAndResetDirtyCells();
        t.frame(before, ui);
        assertFalse(t.vt().isWholeBufferDirtyThenReset(), "no full redraw");
        assertTrue(t.vt().getDirtyCells().isEmpty(), "an unchanged frame redraws no cell");

        // Traffic: lookups from node 0; the dashboard's next frames show the counter grown and a rate bar.
        for (int i = 0; i < 3; i++) {
            nodes.get(0).lookup(new NodeId(i, 7, 7, 7)).get(WAIT_S, TimeUnit.SECONDS);
        }
        DashModel after = await("the lookups' datagrams", x -> x.counter("datagrams_out") > outBefore
                && x.series("datagrams_out").stream().anyMatch(v -> v > 0));
        t.vt().getAndResetDirtyCells();
        String second = t.frame(after, ui);
        assertFalse(t.vt().isWholeBufferDirtyThenReset(), "no full redraw");
        int changed = t.vt().getDirtyCells().size();
        assertTrue(total(second, "packets out/s") > outBefore, first + "\n" + second);
        assertTrue(total(second, "lookups/s") > total(first, "lookups/s"), second);
        assertTrue(line(second, "packets out/s").contains("█"), "the sparkline shows the burst:\n" + second);
        assertTrue(line(second, "P50").contains("▁") || line(second, "P50").contains("█"), second);
        assertNotEquals(0, changed);
        assertTrue(changed < 200 * 60 / 2, "only changed cells are redrawn, not the screen: " + changed);

        // Resize: the next frame fits 80x24.
        t.vt().setTerminalSize(new TerminalSize(80, 24));
        String small = t.frame(after, ui);
        assertEquals(24, small.lines().count());
        assertTrue(small.contains("packets out/s") && small.lines().allMatch(l -> l.length() <= 80), small);
        t.screen().stopScreen();
    }

    /** Issue 14: a node with no peer left said nothing of it; the overview now says it is isolated. */
    @Test
    void anIsolatedNodeSaysSoOnTheOverview() throws Exception {
        sampler = new Sampler(server.socket(), 100, -1, 0);
        Term t = Term.of(120, 30);
        UiState ui = new UiState(true, false);
        assertFalse(t.frame(await("node 0's info", x -> x.info() != null), ui).contains("ISOLATED"));
        // Both peers stop and node 0 drops them, as after their timeouts: nobody is left to store on.
        for (MoliaNode peer : List.of(nodes.remove(2), nodes.remove(1))) {
            peer.close();
            nodes.get(0).onLoop(s -> s.core().routingTable().remove(peer.self().id())).get(5, TimeUnit.SECONDS);
        }
        String frame = t.frame(await("the isolation", x -> x.info() != null && x.info().getIsolated()), ui);
        assertTrue(line(frame, "ISOLATED").contains("puts store nowhere"), frame);
        t.screen().stopScreen();
    }

    @Test
    void aLostNodeShowsDisconnectedRetryingAndTheDashboardResumes() throws Exception {
        sampler = new Sampler(server.socket(), 100, -1, 0);
        DashModel up = await("a connection", x -> x.connected() && x.info() != null);
        Term t = Term.of(80, 24);
        UiState ui = new UiState(true, false);
        assertTrue(t.frame(up, ui).contains("● connected"));

        server.close(); // the socket goes away as when the node stops
        DashModel down = await("the disconnection", x -> !x.connected() && x.status().startsWith("disconnected"));
        String frame = t.frame(down, ui);
        assertTrue(line(frame, "").contains("") && frame.contains("✗ disconnected, retrying"), frame);
        assertTrue(frame.contains("node " + id16(nodes.get(0))), "the last data stays on screen:\n" + frame);

        server = AdminServer.start(nodes.get(0), AdminServer.Options.defaults(dir.resolve("node-0"), null, null));
        DashModel again = await("the reconnection", x -> x.connected() && x.info() != null
                && !Double.isNaN(x.rate("datagrams_in")));
        String back = t.frame(again, ui);
        assertTrue(back.contains("● connected") && back.contains("read-only"), back);
        // Read-only hides the one action: the help and the peer details do not offer the ping.
        Dashboard.handleKey(new KeyStroke('?', false, false), again, ui, null);
        assertFalse(t.frame(again, ui).contains("ping the peer"));
        t.screen().stopScreen();
    }

    @Test
    void iPingsThePeerOfTheOpenDetailsAndReadOnlyHidesIt() throws Exception {
        sampler = new Sampler(server.socket(), 100, -1, 0);
        DashModel m = await("the sessions", x -> x.sessions() != null && x.sessions().getSessionsCount() >= 2
                && x.peers() != null);
        Term t = Term.of(80, 24);
        String peer = nodes.get(1).self().id().toHex();
        for (boolean readonly : new boolean[] {false, true}) {
            UiState ui = new UiState(readonly, false);
            Dashboard d = new Dashboard(sampler, ui, null, -1);
            Dashboard.handleKey(new KeyStroke('3', false, false), m, ui, d);
            ui.detail(peer); // as Enter on its row does
            String details = t.frame(m, ui);
            assertEquals(!readonly, details.contains("i pings the peer"), details);
            Dashboard.handleKey(new KeyStroke('i', false, false), m, ui, d);
            assertEquals(readonly, d.action() == null, "read-only starts no action");
            if (!readonly) {
                assertTrue(t.frame(m, ui).contains("pinging " + id16(nodes.get(1)) + "…"));
                d.action().get(WAIT_S, TimeUnit.SECONDS);
                assertTrue(d.collectAction());
            }
            String after = t.frame(m, ui);
            if (readonly) {
                assertFalse(after.contains("answered in"), "read-only sends nothing:\n" + after);
            } else {
                String footer = after.lines().reduce((a, b) -> b).orElseThrow();
                assertTrue(footer.matches(id16(nodes.get(1)) + " answered in [0-9.]+ (µs|ms)"), after);
            }
        }
        t.screen().stopScreen();
    }
}
