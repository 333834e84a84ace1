package io.molia.shell;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import io.molia.admin.proto.AdminRequest;
import io.molia.admin.proto.AdminResponse;
import io.molia.admin.proto.LogEvent;
import io.molia.adminclient.AdminClient;
import io.molia.adminclient.NodeSocketOptions;
import io.molia.adminclient.Render;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.reader.impl.DefaultParser;
import org.jline.terminal.Attributes;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.jline.utils.InfoCmp;
import org.jline.widget.TailTipWidgets;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.shell.jline3.PicocliCommands;

/**
 * {@code molia shell}: an interactive shell on a node's admin socket. Every {@code molia admin} command, with tab
 * completion of commands, options and live values (peer IDs, bucket and shard numbers), persistent history,
 * tail tips, {@code watch} that redraws in place and {@code listen} whose updates print above the prompt. When
 * the node goes away the prompt says {@code not connected} and a background loop reconnects for as long as it
 * takes; a command typed meanwhile waits for the node (Ctrl-C gives up on that command, not on the shell). The
 * commands are {@link ShellCommands}' tree. Commands piped in (not a terminal) run line by line without JLine: see
 * {@link LineShell}.
 */
@Command(name = "shell", mixinStandardHelpOptions = true,
        description = "Interactive shell on a running node's admin socket (help inside lists the commands).")
public final class ShellCommand implements Callable<Integer> {
    @Mixin
    NodeSocketOptions target;

    @Option(names = "--tcp", description = "host:port of a node's TCP admin listener (needs --token-file).")
    String tcp;

    @Option(names = "--token-file", description = "The node's admin token (for --tcp).")
    Path tokenFile;

    @Option(names = "--readonly", description = "Refuse every action (ping, put, ban, shutdown, ...).")
    boolean readonly;

    @Option(names = "--show-keys", description = "Show record keys, public keys and full IP addresses.")
    boolean showKeys;

    @Option(names = "--history-file", description = "Default: ~/.molia_history.")
    Path historyFile;

    private volatile AdminClient client;
    private volatile String nodeLabel = "";
    private volatile LineReader reader;
    private volatile Thread commandThread;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<AutoCloseable> listeners = new ArrayList<>();
    private Terminal terminal;
    private AdminCommands.Connector connector;

    @Override
    public Integer call() throws Exception {
        // --tcp names the node by itself; otherwise the socket options do (and naming none is bad usage)
        connector = AdminCommands.connector(tcp == null ? target.socket() : null, null, null, tcp, tokenFile);
        if (!Tty.isTerminal()) {
            return new LineShell(connector, readonly, showKeys).run(System.in);
        }
        terminal = TerminalBuilder.builder().system(true).build();
        // JLine draws the hint area's rule in the terminal's line-drawing charset; under screen and tmux that charset
        // must first be designated (enacs, as curses does at start) or the rule shows as "qqqq".
        terminal.puts(InfoCmp.Capability.ena_acs);
        Context ctx = new Context();
        AdminCommands.live = ctx;
        CommandLine cli = ShellCommands.create(ctx, connector.describe(), new Listen(ctx, listeners, this::above));
        cli.setOut(ctx.out());
        cli.setErr(ctx.err());
        PicocliCommands commands = new PicocliCommands(cli);
        ShellCompleter completer = new ShellCompleter(cli);
        DefaultParser parser = new DefaultParser();
        Path history = historyFile != null ? historyFile : Path.of(System.getProperty("user.home"), ".molia_history");
        reader = LineReaderBuilder.builder().terminal(terminal).appName("molia").completer(completer).parser(parser)
                .variable(LineReader.HISTORY_FILE, history)
                .variable(LineReader.LIST_MAX, 50)
                .build();
        // One row of description under a rule: the hint stays out of the way of the output above it.
        TailTipWidgets tips = new TailTipWidgets(reader, line -> commands.commandDescription(line.getArgs()), 1,
                TailTipWidgets.TipType.COMPLETER);
        tips.enable();
        terminal.handle(Terminal.Signal.INT, s -> {
            Thread t = commandThread;
            if (t != null) {
                t.interrupt();
            }
        });
        tryConnect();
        Thread reconnect = new Thread(this::reconnectLoop, "molia-shell-reconnect");
        reconnect.setDaemon(true);
        reconnect.start();
        ctx.out().println("molia shell on " + connector.describe() + (readonly ? " (read-only)" : "")
                + ": tab completes, `help` lists commands, Ctrl-D leaves");
        ctx.out().flush();
        try {
            while (running.get()) {
                String line;
                try {
                    line = reader.readLine(prompt());
                } catch (UserInterruptException e) {
                    continue;
                } catch (EndOfFileException e) {
                    break;
                }
                line = line.strip();
                if (line.isEmpty()) {
                    continue;
                }
                if (line.equals("exit") || line.equals("quit")) {
                    break;
                }
                commandThread = Thread.currentThread();
                try {
                    cli.execute(ShellCommands.words(parser, line));
                } catch (RuntimeException e) {
                    ctx.err().println(e.getMessage());
                } finally {
                    commandThread = null;
                    Thread.interrupted(); // a Ctrl-C that arrived as the command ended
                }
                ctx.out().flush();
                ctx.err().flush();
                try {
                    reader.getHistory().save();
                } catch (IOException e) {
                    ctx.err().println("history not saved: " + e.getMessage());
                }
            }
        } finally {
            running.set(false);
            for (AutoCloseable l : listeners) {
                try {
                    l.close();
                } catch (Exception ignored) {
                    // leaving
                }
            }
            AdminClient c = client;
            if (c != null) {
                c.close();
            }
            reader.getHistory().save();
            terminal.close();
        }
        return 0;
    }

    private String prompt() {
        AdminClient c = client;
        boolean color = color();
        if (c == null || !c.isOpen()) {
            return color ? "molia \u001b[31m[not connected]\u001b[0m> " : "molia [not connected]> ";
        }
        return color ? "molia \u001b[32m[" + nodeLabel + "]\u001b[0m> " : "molia [" + nodeLabel + "]> ";
    }

    private boolean color() {
        return System.getenv("NO_COLOR") == null && !Terminal.TYPE_DUMB.equals(terminal.getType())
                && !Terminal.TYPE_DUMB_COLOR.equals(terminal.getType());
    }

    private boolean tryConnect() {
        try {
            AdminClient c = connector.connect();
            AdminResponse info = c.call(AdminRequest.newBuilder().setInfo(
                    io.molia.admin.proto.InfoRequest.getDefaultInstance()), 5, TimeUnit.SECONDS);
            nodeLabel = info.hasInfo() ? "node " + info.getInfo().getNodeId().substring(0, 8) : "node";
            client = c;
            c.onClose(() -> {
                if (running.get()) {
                    above("connection to the node lost; reconnecting");
                    refreshPrompt();
                }
            });
            return true;
        } catch (Exception e) {
            lastError = e.getMessage();
            return false;
        }
    }

    private volatile String lastError = "";

    private void reconnectLoop() {
        while (running.get()) {
            AdminClient c = client;
            if (c == null || !c.isOpen()) {
                if (tryConnect()) {
                    above("connected to " + nodeLabel);
                    refreshPrompt();
                }
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void refreshPrompt() {
        LineReader r = reader;
        if (r == null || !r.isReading()) {
            return;
        }
        if (r instanceof org.jline.reader.impl.LineReaderImpl impl) {
            impl.setPrompt(prompt());
        }
        r.callWidget(LineReader.REDRAW_LINE);
        r.callWidget(LineReader.REDISPLAY);
    }

    /** Prints a line above the prompt, keeping what is being typed; plain output while a command runs. */
    private void above(String text) {
        LineReader r = reader;
        if (r != null && r.isReading()) {
            r.printAbove(text);
        } else {
            terminal.writer().println(text);
            terminal.writer().flush();
        }
    }

    private final class Context implements AdminCommands.Context {
        private Attributes saved;

        @Override
        public AdminClient client() throws IOException, InterruptedException {
            AdminClient c = client;
            if (c != null && c.isOpen()) {
                return c;
            }
            err().println("not connected: waiting for the node at " + connector.describe() + " (" + lastError
                    + "); Ctrl-C gives up on this command");
            err().flush();
            while (true) {
                c = client;
                if (c != null && c.isOpen()) {
                    return c;
                }
                Thread.sleep(200); // the reconnect loop connects; interrupted by Ctrl-C
            }
        }

        @Override
        public PrintWriter out() {
            return terminal.writer();
        }

        @Override
        public PrintWriter err() {
            return terminal.writer();
        }

        @Override
        public boolean color() {
            return ShellCommand.this.color();
        }

        @Override
        public int width() {
            return terminal.getWidth() > 0 ? terminal.getWidth() : 120;
        }

        @Override
        public boolean readonly() {
            return readonly;
        }

        @Override
        public boolean showKeys() {
            return showKeys;
        }

        @Override
        public boolean keyPressed(long ms) throws InterruptedException {
            try {
                if (saved == null) {
                    saved = terminal.enterRawMode();
                }
                int c = terminal.reader().peek(Math.max(1, ms));
                if (c >= 0) {
                    terminal.reader().read();
                    terminal.setAttributes(saved);
                    saved = null;
                    return true;
                }
                return false;
            } catch (InterruptedIOException e) {
                // Ctrl-C while reading the keyboard: JLine turns the interrupt into this; the watch must stop.
                throw new InterruptedException("Ctrl-C");
            } catch (IOException e) {
                return false;
            }
        }

        @Override
        public boolean interactive() {
            return true;
        }

        @Override
        public void endKeys() {
            if (saved != null) {
                terminal.setAttributes(saved);
                saved = null;
            }
        }
    }

    /**
     * {@code listen VIEW}: the view's updates printed above the prompt while you type (in a {@link LineShell}, as
     * lines of output); {@code listen off}.
     */
    @Command(name = "listen", description = "Print a view's updates above the prompt (errors: new log lines); "
            + "`listen off` stops.")
    static final class Listen implements Callable<Integer> {
        private final AdminCommands.Context ctx;
        private final List<AutoCloseable> listeners;
        private final Consumer<String> above;

        @CommandLine.Parameters(paramLabel = "VIEW", completionCandidates = ListenNames.class,
                description = "info, routes, peers, sessions, ..., errors (new log lines); off stops every listen.")
        String view;

        @Option(names = "--interval", defaultValue = "1", description = "Seconds (default ${DEFAULT-VALUE}).")
        double intervalSeconds;

        Listen(AdminCommands.Context ctx, List<AutoCloseable> listeners, Consumer<String> above) {
            this.ctx = ctx;
            this.listeners = listeners;
            this.above = above;
        }

        @Override
        public Integer call() throws Exception {
            if (view.equals("off")) {
                for (AutoCloseable l : listeners) {
                    l.close();
                }
                ctx.out().println("stopped " + listeners.size() + " listeners");
                listeners.clear();
                return 0;
            }
            AdminRequest.Builder request = AdminCommands.viewRequest(view, null, 10);
            long[] lastLogMs = {-1};
            boolean[] first = {true};
            listeners.add(ctx.client().subscribe(request, (int) Math.max(100, intervalSeconds * 1000), r -> {
                if (r.hasErrors()) {
                    for (LogEvent e : r.getErrors().getEventsList()) {
                        if (e.getUnixMs() > lastLogMs[0]) {
                            lastLogMs[0] = e.getUnixMs();
                            if (!first[0]) {
                                above.accept(Render.logLine(e, new Render.Style(ctx.color(), 0, ctx.showKeys())));
                            }
                        }
                    }
                    first[0] = false;
                    return;
                }
                above.accept("[" + view + " #" + r.getSequence() + "] " + summary(r));
            }));
            ctx.out().println("listening to " + view + " (`listen off` stops)");
            return 0;
        }
    }

    /** Names `listen` accepts. */
    public static final class ListenNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            List<String> names = new ArrayList<>(AdminCommands.VIEWS);
            names.add("off");
            return names.iterator();
        }
    }

    static String summary(AdminResponse r) {
        return switch (r.getBodyCase()) {
            case INFO -> "uptime " + Render.duration(r.getInfo().getUptimeMs()) + ", "
                    + r.getInfo().getRoutingTableSize() + " contacts, " + r.getInfo().getSessions() + " sessions, "
                    + r.getInfo().getRecords() + " records";
            case METRICS -> "datagrams in " + r.getMetrics().getCountersOrDefault("datagrams_in", 0) + ", out "
                    + r.getMetrics().getCountersOrDefault("datagrams_out", 0) + ", requests in "
                    + r.getMetrics().getCountersOrDefault("requests_in", 0);
            case PEERS -> r.getPeers().getPeersCount() + " peers";
            case SESSIONS -> r.getSessions().getSessionsCount() + " sessions";
            case RECORDS -> r.getRecords().getCount() + " records, " + Render.bytes(r.getRecords().getBytes());
            default -> Render.render(r, new Render.Style(false, 0, false)).lines().findFirst().orElse("");
        };
    }

}
