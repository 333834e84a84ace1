package io.molia.dash;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.googlecode.lanterna.SGR;
import com.googlecode.lanterna.TerminalPosition;
import com.googlecode.lanterna.TerminalSize;
import com.googlecode.lanterna.TextColor;
import com.googlecode.lanterna.graphics.TextGraphics;
import com.googlecode.lanterna.input.KeyStroke;
import com.googlecode.lanterna.input.KeyType;
import com.googlecode.lanterna.screen.Screen;
import com.googlecode.lanterna.screen.TerminalScreen;
import com.googlecode.lanterna.terminal.Terminal;
import io.molia.admin.AdminProtocol;
import io.molia.admin.proto.AdminRequest;
import io.molia.admin.proto.AdminResponse;
import io.molia.admin.proto.Bucket;
import io.molia.admin.proto.PeerInfo;
import io.molia.admin.proto.PingAction;
import io.molia.admin.proto.RoutingContact;
import io.molia.admin.proto.SessionInfo;
import io.molia.adminclient.Render;

/**
 * The dashboard loop on a Lanterna {@link TerminalScreen}: polls keys without blocking, redraws when the sampler
 * has news, a key was pressed or the terminal was resized, and lets the screen send only the cells that changed
 * (no flicker). {@link #drawFrame} draws one whole frame from a model and the UI state: the loop and the rendering
 * tests both call it.
 */
public final class Dashboard {
    private static final Pattern NODE_DIR = Pattern.compile("node-(\\d+)");
    private static final long MIN_FRAME_MS = 50;

    private final Sampler sampler;
    private final UiState ui;
    private final Path devnetDir;
    private int devnetNode;
    private CompletableFuture<String> action; // owned by the dashboard thread

    /**
     * @param devnetDir a devnet's data dir when the node is one of its nodes (n/p switch nodes), else null
     */
    public Dashboard(Sampler sampler, UiState ui, Path devnetDir, int devnetNode) {
        this.sampler = sampler;
        this.ui = ui;
        this.devnetDir = devnetDir;
        this.devnetNode = devnetNode;
    }

    /** How many node dirs ({@code node-N}) a devnet data dir holds. */
    public static int devnetSize(Path devnetDir) {
        if (devnetDir == null || !Files.isDirectory(devnetDir)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(devnetDir)) {
            return (int) s.filter(p -> NODE_DIR.matcher(p.getFileName().toString()).matches()).count();
        } catch (IOException e) {
            return 0;
        }
    }

    /** Runs until {@code q}; the terminal is restored (private mode left) whatever happens. */
    public void run(Terminal terminal) throws IOException, InterruptedException {
        run(terminal, Long.MAX_VALUE);
    }

    /** Runs until {@code q} or until {@code System.nanoTime()} passes {@code deadlineNs}. */
    public void run(Terminal terminal, long deadlineNs) throws IOException, InterruptedException {
        TerminalScreen screen = new TerminalScreen(terminal);
        screen.startScreen();
        try {
            screen.setCursorPosition(null);
            long drawn = -1;
            long lastFrameNs = 0;
            boolean dirty = true;
            boolean complete = true;
            while (System.nanoTime() < deadlineNs) {
                KeyStroke k;
                while ((k = screen.pollInput()) != null) {
                    if (!onKey(k)) {
                        return;
                    }
                    dirty = true;
                }
                if (collectAction()) {
                    dirty = true;
                }
                if (screen.doResizeIfNecessary() != null) {
                    dirty = true;
                    complete = true; // after a resize the terminal's old content means nothing: redraw it all
                }
                long now = System.nanoTime();
                if (sampler.sequence() != drawn && now - lastFrameNs >= MIN_FRAME_MS * 1_000_000) {
                    dirty = true;
                }
                if (dirty) {
                    DashModel m = sampler.snapshot();
                    paint(screen, m, ui, complete);
                    drawn = m.sequence();
                    lastFrameNs = now;
                    dirty = false;
                    complete = false;
                }
                Thread.sleep(15);
            }
        } finally {
            screen.stopScreen();
        }
    }

    /**
     * Draws one frame into the screen's back buffer and sends the terminal the cells that differ from what it
     * shows ({@code complete}: every cell, after a resize).
     */
    static void paint(TerminalScreen screen, DashModel m, UiState ui, boolean complete) throws IOException {
        screen.clear();
        drawFrame(screen.newTextGraphics(), screen.getTerminalSize(), m, ui);
        screen.refresh(complete ? Screen.RefreshType.COMPLETE : Screen.RefreshType.DELTA);
    }

    /** Applies one key; false means quit. */
    boolean onKey(KeyStroke k) {
        DashModel m = sampler.snapshot();
        return handleKey(k, m, ui, this);
    }

    /**
     * The key bindings, separate from the terminal so tests can drive them. {@code d} may be null (no node
     * switching, no actions).
     */
    static boolean handleKey(KeyStroke k, DashModel m, UiState ui, Dashboard d) {
        KeyType t = k.getKeyType();
        Character c = t == KeyType.Character ? k.getCharacter() : null;
        if (t == KeyType.EOF) {
            return false;
        }
        if (ui.editingFilter) {
            switch (t) {
                case Character -> ui.filter += c;
                case Backspace -> ui.filter = ui.filter.isEmpty() ? "" : ui.filter.substring(0, ui.filter.length() - 1);
                case Enter -> ui.editingFilter = false;
                case Escape -> {
                    ui.filter = "";
                    ui.editingFilter = false;
                }
                default -> {
                }
            }
            ui.selected[ui.screen] = 0;
            return true;
        }
        ui.message = "";
        if (c != null && c == 'q' || t == KeyType.Character && k.isCtrlDown() && c == 'c') {
            return false;
        }
        if (ui.help) {
            ui.help = false; // any key closes the help
            return true;
        }
        if (ui.detail != null) {
            if (c != null && c == 'i' && !ui.readonly && d != null && !ui.detail.startsWith("bucket:")) {
                d.ping(ui.detail);
            } else if (t == KeyType.Escape || t == KeyType.Enter || t == KeyType.Backspace || t == KeyType.ArrowLeft) {
                ui.detail = null;
            }
            return true;
        }
        DashScreen screen = Screens.ALL.get(ui.screen);
        List<Draw.Row> rows = screen.rows(m, ui);
        int page = 10;
        switch (t) {
            case Tab -> ui.screen(ui.screen + 1);
            case ReverseTab -> ui.screen(ui.screen - 1);
            case ArrowDown -> ui.selected[ui.screen] = Math.min(rows.size() - 1, ui.selected[ui.screen] + 1);
            case ArrowUp -> ui.selected[ui.screen] = Math.max(0, Math.min(rows.size() - 1, ui.selected[ui.screen] - 1));
            case PageDown -> ui.selected[ui.screen] = Math.min(rows.size() - 1, ui.selected[ui.screen] + page);
            case PageUp -> ui.selected[ui.screen] = Math.max(0, ui.selected[ui.screen] - page);
            case Home -> ui.selected[ui.screen] = 0;
            case End -> ui.selected[ui.screen] = rows.size() - 1;
            case Escape -> ui.filter = "";
            case Enter -> {
                int sel = ui.selected[ui.screen];
                if (sel >= 0 && sel < rows.size() && rows.get(sel).key() != null) {
                    ui.detail = rows.get(sel).key();
                }
            }
            case Character -> {
                switch (c) {
                    case '1', '2', '3', '4', '5', '6', '7', '8', '9' -> {
                        if (c - '1' < Screens.ALL.size()) {
                            ui.screen(c - '1');
                        }
                    }
                    case '?', 'h' -> ui.help = true;
                    case '/' -> {
                        ui.editingFilter = true;
                        ui.filter = "";
                    }
                    case 's' -> {
                        if (!screen.sortNames().isEmpty()) {
                            ui.sort[ui.screen] = (ui.sort[ui.screen] + 1) % screen.sortNames().size();
                        }
                    }
                    case 'l' -> ui.logLevel = (ui.logLevel + 1) % UiState.LOG_LEVELS.length;
                    case 'n' -> {
                        if (d != null) {
                            d.switchNode(+1);
                        }
                    }
                    case 'p' -> {
                        if (d != null) {
                            d.switchNode(-1);
                        }
                    }
                    case 'j' -> ui.selected[ui.screen] = Math.min(rows.size() - 1, ui.selected[ui.screen] + 1);
                    case 'k' -> ui.selected[ui.screen] = Math.max(0, ui.selected[ui.screen] - 1);
                    default -> {
                    }
                }
            }
            default -> {
            }
        }
        if (ui.selected[ui.screen] < 0) {
            ui.selected[ui.screen] = 0;
        }
        return true;
    }

    private void switchNode(int step) {
        int size = devnetSize(devnetDir);
        if (devnetDir == null || size == 0) {
            ui.message = "n/p switch nodes of a devnet: start with --node N";
            return;
        }
        devnetNode = Math.floorMod(devnetNode + step, size);
        sampler.retarget(devnetDir.resolve("node-" + devnetNode).resolve(AdminProtocol.SOCKET_FILE), devnetNode);
        ui.detail = null;
    }

    /** Pings in the background (an unresponsive peer takes seconds): the footer says so, then shows the answer. */
    private void ping(String peerId) {
        if (action != null) {
            ui.message = "an action is still running";
            return;
        }
        ui.message = "pinging " + Render.id16(peerId) + "…";
        action = CompletableFuture.supplyAsync(() -> {
            try {
                AdminResponse r = sampler.call(AdminRequest.newBuilder().setPing(PingAction.newBuilder()
                        .setPeer(peerId)));
                return r == null ? "not connected" : r.hasPing() ? (r.getPing().getAnswered()
                        ? Render.id16(peerId) + " answered in " + Render.us(r.getPing().getRttUs())
                        : Render.id16(peerId) + " did not answer") : String.valueOf(Screens.unavailable(r));
            } catch (Exception e) {
                return "ping failed: " + e.getMessage();
            }
        });
    }

    /** The running action, or null. */
    CompletableFuture<String> action() {
        return action;
    }

    /** Moves a finished action's result into the footer; true when there was one (the frame must be redrawn). */
    boolean collectAction() {
        CompletableFuture<String> a = action;
        if (a == null || !a.isDone()) {
            return false;
        }
        ui.message = a.join();
        action = null;
        return true;
    }

    // ------------------------------------------------------------------ drawing

    /** One whole frame: tab bar, status line, the screen, the footer, and the open overlay. */
    public static void drawFrame(TextGraphics g, TerminalSize size, DashModel m, UiState ui) {
        int w = size.getColumns();
        int h = size.getRows();
        if (w < 20 || h < 6) {
            Draw.text(g, 0, 0, w, "molia dash: terminal too small");
            return;
        }
        drawTabs(g, w, ui);
        drawStatus(g, w, m);
        DashScreen screen = Screens.ALL.get(ui.screen);
        TextGraphics body = g.newTextGraphics(new TerminalPosition(0, 2), new TerminalSize(w, h - 3));
        screen.render(body, m, ui);
        drawFooter(g, w, h - 1, ui, screen, m);
        if (ui.detail != null) {
            drawBox(g, size, ui.detail.startsWith("bucket:") ? "bucket " + ui.detail.substring(7)
                    : "peer " + Render.id16(ui.detail), detailLines(m, ui));
        }
        if (ui.help) {
            drawBox(g, size, "keys", helpLines(ui));
        }
    }

    private static void drawTabs(TextGraphics g, int w, UiState ui) {
        g.setBackgroundColor(TextColor.ANSI.BLUE);
        g.setForegroundColor(TextColor.ANSI.WHITE);
        g.putString(0, 0, " ".repeat(w));
        int col = 0;
        String title = w >= 100 ? " molia dash " : " molia ";
        g.putString(col, 0, title, SGR.BOLD);
        col += title.length();
        for (int i = 0; i < Screens.ALL.size() && col < w; i++) {
            String tab = " " + (i + 1) + " " + Screens.ALL.get(i).name() + " ";
            if (i == ui.screen) {
                g.setBackgroundColor(TextColor.ANSI.WHITE);
                g.setForegroundColor(TextColor.ANSI.BLACK);
                g.putString(col, 0, Draw.fit(tab, w - col), SGR.BOLD);
                g.setBackgroundColor(TextColor.ANSI.BLUE);
                g.setForegroundColor(TextColor.ANSI.WHITE);
            } else {
                g.putString(col, 0, Draw.fit(tab, w - col));
            }
            col += tab.length();
        }
        g.setBackgroundColor(TextColor.ANSI.DEFAULT);
        g.setForegroundColor(TextColor.ANSI.DEFAULT);
    }

    private static void drawStatus(TextGraphics g, int w, DashModel m) {
        StringBuilder s = new StringBuilder();
        if (m.devnetNode() >= 0) {
            s.append("devnet node ").append(m.devnetNode()).append(" of ").append(m.devnetSize()).append("  ");
        }
        s.append(m.info() == null ? m.target() : m.shortId());
        s.append("  every ").append(m.intervalMs() < 1000 ? m.intervalMs() + " ms" : Render.duration(m.intervalMs()));
        String state = m.connected() ? "● " + m.status() : "✗ " + m.status()
                + (m.info() != null ? " (showing the last data)" : "");
        String left = s.toString();
        Draw.text(g, 0, 1, w, left);
        int col = Math.min(w, left.length() + 2);
        Draw.text(g, col, 1, w - col, state, m.connected() ? Draw.GOOD : Draw.BAD, SGR.BOLD);
    }

    private static void drawFooter(TextGraphics g, int w, int row, UiState ui, DashScreen screen, DashModel m) {
        String text;
        TextColor color = Draw.DIM;
        if (ui.editingFilter) {
            text = "filter: " + ui.filter + "_   (Enter keeps it, Esc clears)";
            color = Draw.ACCENT;
        } else if (!ui.message.isEmpty()) {
            text = ui.message;
            color = Draw.ACCENT;
        } else {
            // Only the keys that do something here: a screen without rows has nothing to move through or open.
            List<Draw.Row> rows = screen.rows(m, ui);
            StringBuilder b = new StringBuilder("?:help 1-7/Tab:screen");
            if (!rows.isEmpty()) {
                b.append(" ↑↓:move");
            }
            if (rows.stream().anyMatch(r -> r.key() != null)) {
                b.append(" Enter:details");
            }
            if (screen.filterable()) {
                b.append(" /:filter");
            }
            if (!screen.sortNames().isEmpty()) {
                b.append(" s:sort");
            }
            if (screen instanceof LogScreen) {
                b.append(" l:level");
            }
            if (m.devnetNode() >= 0) {
                b.append(" n/p:node");
            }
            b.append(" q:quit");
            if (!ui.filter.isEmpty()) {
                b.append("  [filter: ").append(ui.filter).append(']');
            }
            if (ui.readonly) {
                b.append("  read-only");
            }
            text = b.toString();
        }
        Draw.text(g, 0, row, w, text, color);
    }

    static List<String> helpLines(UiState ui) {
        List<String[]> keys = new ArrayList<>(List.of(
                new String[] {"1..7, Tab, Shift-Tab", "switch screens"},
                new String[] {"↑ ↓ j k, PgUp PgDn", "move the selection (Home, End)"},
                new String[] {"Enter", "details of the selected row"},
                new String[] {"Esc", "close details; clear the filter"},
                new String[] {"/", "filter rows (typed text, Enter)"},
                new String[] {"s", "sort by the next column"},
                new String[] {"l", "log screen: lowest level shown"},
                new String[] {"n p", "next / previous devnet node"},
                new String[] {"?", "this help (any key closes it)"},
                new String[] {"q, Ctrl-C", "quit"}));
        if (!ui.readonly) {
            keys.add(keys.size() - 1, new String[] {"i", "ping the peer (in a peer's details)"});
        }
        int keyWidth = 0;
        for (String[] k : keys) {
            keyWidth = Math.max(keyWidth, k[0].length());
        }
        List<String> l = new ArrayList<>();
        for (String[] k : keys) {
            l.add(Draw.pad(k[0], keyWidth + 3) + k[1]);
        }
        l.add("");
        for (int i = 0; i < Screens.ALL.size(); i++) {
            l.add((i + 1) + " " + Screens.ALL.get(i).name());
        }
        return l;
    }

    static List<String> detailLines(DashModel m, UiState ui) {
        List<String> l = new ArrayList<>();
        String key = ui.detail;
        if (key.startsWith("bucket:")) {
            int depth = Integer.parseInt(key.substring(7));
            if (m.routing() != null) {
                for (Bucket b : m.routing().getBucketsList()) {
                    if (b.getDepth() != depth) {
                        continue;
                    }
                    l.add(b.getSize() + " contacts, " + b.getReplacements() + " in the replacement cache");
                    for (RoutingContact c : b.getContactsList()) {
                        l.add(Render.id16(c.getNodeId()) + "  " + Screens.addr(c.getAddress(), ui) + "  srtt "
                                + Render.us(c.getSrttUs()) + "  fail " + c.getFailures() + "  seen "
                                + Render.ago(c.getLastSeenMsAgo()) + (c.getPingPending() ? "  ping pending" : ""));
                    }
                }
            }
            if (l.isEmpty()) {
                l.add("the bucket is empty now");
            }
            l.add("");
            l.add("Esc closes");
            return l;
        }
        l.add("node " + key);
        PeerInfo p = null;
        if (m.peers() != null) {
            for (PeerInfo x : m.peers().getPeersList()) {
                if (x.getNodeId().equals(key)) {
                    p = x;
                }
            }
        }
        if (p == null) {
            l.add("not among the node's peers now");
        } else {
            l.add("address " + Screens.addr(p.getAddress(), ui) + "  subnet " + p.getSubnet());
            l.add("bucket " + (p.getBucket() < 0 ? "- (not in the routing table)" : p.getBucket()) + "  srtt "
                    + Render.us(p.getSrttUs()) + "  rttvar " + Render.us(p.getRttvarUs()) + "  failures "
                    + p.getFailures() + "  last seen " + Render.ago(p.getLastSeenMsAgo()));
        }
        l.add("score history: " + (m.peers() != null && m.peers().hasScores()
                ? m.peers().getScores().getReason() : "waiting for the node"));
        if (m.sessions() != null) {
            for (SessionInfo s : m.sessions().getSessionsList()) {
                if (s.getPeerId().equals(key)) {
                    l.add("session: shard " + s.getShard() + ", " + (s.getInitiator() ? "initiator" : "responder")
                            + ", age " + Screens.ms(s.getAgeMs()) + ", rekey in "
                            + (s.getRekeyDueInMs() < 0 ? "-" : Screens.ms(s.getRekeyDueInMs())) + ", in "
                            + s.getPacketsIn() + " pkts / " + Render.bytes(s.getBytesIn()) + ", out "
                            + s.getPacketsOut() + " pkts / " + Render.bytes(s.getBytesOut()));
                }
            }
        }
        l.add("");
        l.add(ui.readonly ? "Esc closes" : "i pings the peer; Esc closes");
        return l;
    }

    /** A framed box centred on the screen, as wide as its text allows. */
    static void drawBox(TextGraphics g, TerminalSize size, String title, List<String> text) {
        List<String> lines = new ArrayList<>();
        for (String s : text) {
            lines.addAll(Draw.wrap(s, size.getColumns() - 6));
        }
        int inner = title.length() + 4;
        for (String s : lines) {
            inner = Math.max(inner, s.length());
        }
        inner = Math.min(inner, size.getColumns() - 4);
        int height = Math.min(lines.size(), size.getRows() - 4);
        int left = Math.max(0, (size.getColumns() - inner - 4) / 2);
        int top = Math.max(0, (size.getRows() - height - 2) / 2);
        g.setForegroundColor(TextColor.ANSI.WHITE);
        g.setBackgroundColor(TextColor.ANSI.BLACK);
        g.fillRectangle(new TerminalPosition(left, top), new TerminalSize(inner + 4, height + 2), ' ');
        g.drawRectangle(new TerminalPosition(left, top), new TerminalSize(inner + 4, height + 2), '│');
        g.putString(left, top, "┌" + "─".repeat(inner + 2) + "┐");
        g.putString(left, top + height + 1, "└" + "─".repeat(inner + 2) + "┘");
        g.putString(left + 2, top, " " + title + " ", SGR.BOLD);
        for (int i = 0; i < height; i++) {
            g.putString(left + 2, top + 1 + i, Draw.fit(lines.get(i), inner));
        }
        g.setForegroundColor(TextColor.ANSI.DEFAULT);
        g.setBackgroundColor(TextColor.ANSI.DEFAULT);
    }
}
