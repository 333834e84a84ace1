package io.molia.shell;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

import com.google.protobuf.ByteString;
import io.molia.admin.proto.AdminRequest;
import io.molia.admin.proto.AdminResponse;
import io.molia.admin.proto.AdmissionRequest;
import io.molia.admin.proto.BanAction;
import io.molia.admin.proto.BansRequest;
import io.molia.admin.proto.BootstrapAction;
import io.molia.admin.proto.ErrorsRequest;
import io.molia.admin.proto.EvictAction;
import io.molia.admin.proto.GetAction;
import io.molia.admin.proto.GetMutableAction;
import io.molia.admin.proto.InfoRequest;
import io.molia.admin.proto.LogLevelsRequest;
import io.molia.admin.proto.LookupAction;
import io.molia.admin.proto.MetricsRequest;
import io.molia.admin.proto.NatRequest;
import io.molia.admin.proto.PeersRequest;
import io.molia.admin.proto.PingAction;
import io.molia.admin.proto.ConnectAction;
import io.molia.admin.proto.ProvideAction;
import io.molia.admin.proto.ProvidersAction;
import io.molia.admin.proto.PutAction;
import io.molia.admin.proto.PutMutableAction;
import io.molia.admin.proto.RecordsRequest;
import io.molia.admin.proto.RelaysRequest;
import io.molia.admin.proto.RoutingRequest;
import io.molia.admin.proto.SessionsRequest;
import io.molia.admin.proto.SetLogLevelAction;
import io.molia.admin.proto.ShutdownAction;
import io.molia.admin.proto.UnbanAction;
import io.molia.admin.proto.WalRequest;
import io.molia.admin.proto.WalSnapshotAction;
import io.molia.adminclient.AdminClient;
import io.molia.adminclient.NodeSocketOptions;
import io.molia.adminclient.Render;
import io.molia.options.DoubleRange;
import io.molia.options.IntRange;
import io.molia.options.LongRange;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.ScopeType;

/**
 * Every admin command, shared by one-shot {@code molia admin <cmd>} and the interactive {@code molia shell}: each
 * parses its arguments into one request, sends it through the {@link Context}'s connection and renders the answer
 * (a table, or with {@code --json} one JSON document). Exit codes: 0 answered, 1 the node refused or failed (or
 * cannot be reached), or the action did nothing (a put stored nowhere, a ping unanswered: see {@link Shortfall}),
 * 2 bad usage. Errors and shortfalls go to stderr.
 */
@Command(name = "admin", mixinStandardHelpOptions = true,
        description = "Inspect and steer a running node through its admin socket (one command, then exit).",
        subcommands = {AdminCommands.Info.class, AdminCommands.Routes.class, AdminCommands.Peers.class,
            AdminCommands.Sessions.class, AdminCommands.Records.class, AdminCommands.Metrics.class,
            AdminCommands.Errors.class, AdminCommands.Bans.class, AdminCommands.LogLevels.class,
            AdminCommands.Admission.class, AdminCommands.Relays.class, AdminCommands.Nat.class, AdminCommands.Wal.class,
            AdminCommands.Ping.class, AdminCommands.Connect.class, AdminCommands.Lookup.class, AdminCommands.Trace.class, AdminCommands.Put.class,
            AdminCommands.Get.class, AdminCommands.Provide.class, AdminCommands.Providers.class,
            AdminCommands.Bootstrap.class, AdminCommands.Evict.class, AdminCommands.Ban.class,
            AdminCommands.Unban.class, AdminCommands.LogLevel.class, AdminCommands.WalSnapshot.class,
            AdminCommands.Shutdown.class, AdminCommands.Watch.class, BlobCommand.class, CommandLine.HelpCommand.class})
public final class AdminCommands implements Runnable {
    static final long CALL_TIMEOUT_S = 70;

    /** Where commands get their connection, terminal facts and output; the shell and one-shot mode differ. */
    public interface Context {
        /** A live connection; the shell waits (and says so) until the node is back. */
        AdminClient client() throws IOException, InterruptedException;

        PrintWriter out();

        PrintWriter err();

        boolean color();

        int width();

        boolean readonly();

        boolean showKeys();

        /** Waits up to {@code ms} for a key press (a watch ends with one); false in one-shot mode. */
        boolean keyPressed(long ms) throws InterruptedException;

        /** Whether output goes to an interactive terminal (watch redraws in place only then). */
        boolean interactive();

        /** Ends the key watching {@link #keyPressed} began (the terminal's mode is restored). */
        default void endKeys() {
        }
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--socket", scope = ScopeType.INHERIT, description = "The node's admin socket.")
    Path socket;

    @Option(names = "--data-dir", scope = ScopeType.INHERIT,
            description = "The node's data dir (its admin.sock); with --node, a devnet's data dir.")
    Path dataDir;

    @Option(names = "--node", scope = ScopeType.INHERIT, converter = IntRange.NonNegative.class,
            description = "Node N of a `molia devnet` (<data-dir>/node-N; data dir default devnet-data).")
    Integer node;

    @Option(names = "--tcp", scope = ScopeType.INHERIT,
            description = "host:port of a node's TCP admin listener (needs --token-file).")
    String tcp;

    @Option(names = "--token-file", scope = ScopeType.INHERIT, description = "The node's admin token (for --tcp).")
    Path tokenFile;

    @Option(names = "--json", scope = ScopeType.INHERIT, description = "One JSON document (docs/admin-api.md).")
    boolean json;

    @Option(names = "--show-keys", scope = ScopeType.INHERIT,
            description = "Show record keys, public keys and full IP addresses (hidden by default).")
    boolean showKeys;

    @Option(names = "--readonly", scope = ScopeType.INHERIT, description = "Refuse every action.")
    boolean readonly;

    /** Set by the shell; one-shot mode builds its own from the options. */
    Context context;

    /** The shell's context, for live completion candidates (peer IDs, buckets, shards). */
    static volatile Context live;

    public AdminCommands() {
    }

    public AdminCommands(Context context) {
        this.context = context;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** How to reach a node: its Unix socket, or its TCP listener with a token. */
    public interface Connector {
        AdminClient connect() throws AdminClient.ConnectException;

        String describe();
    }

    /** The node the options name. */
    public static Connector connector(Path socket, Path dataDir, Integer node, String tcp, Path tokenFile) {
        if (tcp != null) {
            if (tokenFile == null) {
                throw new CommandLine.ParameterException(new CommandLine(new AdminCommands()),
                        "--tcp needs --token-file (the node's admin token)");
            }
            int colon = tcp.lastIndexOf(':');
            java.net.InetSocketAddress address;
            try {
                address = new java.net.InetSocketAddress(colon <= 0 ? "127.0.0.1" : tcp.substring(0, colon),
                        Integer.parseInt(tcp.substring(colon + 1)));
            } catch (NumberFormatException e) {
                throw new CommandLine.ParameterException(new CommandLine(new AdminCommands()),
                        "--tcp: expected [host:]port, got '" + tcp + "'");
            }
            return new Connector() {
                @Override
                public AdminClient connect() throws AdminClient.ConnectException {
                    byte[] token;
                    try {
                        token = java.nio.file.Files.readString(tokenFile).strip().getBytes(StandardCharsets.UTF_8);
                    } catch (IOException e) {
                        throw new AdminClient.ConnectException("cannot read the token file " + tokenFile + ": "
                                + e.getMessage());
                    }
                    return AdminClient.connectTcp(address, token);
                }

                @Override
                public String describe() {
                    return "tcp " + address;
                }
            };
        }
        Path path = NodeSocketOptions.resolve(socket, dataDir, node);
        return new Connector() {
            @Override
            public AdminClient connect() throws AdminClient.ConnectException {
                return AdminClient.connect(path);
            }

            @Override
            public String describe() {
                return path.toString();
            }
        };
    }

    Context context() {
        if (context == null) {
            context = new OneShot(connector(socket, dataDir, node, tcp, tokenFile), spec.commandLine().getOut(),
                    spec.commandLine().getErr(), showKeys, readonly, false);
        }
        return context;
    }

    private Render.Style style() {
        Context c = context();
        return new Render.Style(c.color() && !json, c.width(), showKeys || c.showKeys());
    }

    /**
     * What an answer leaves undone although the node answered: a failure (exit code 1) or a warning, with a line for
     * stderr (null when the printed answer already says it).
     */
    record Shortfall(boolean failed, String message) {
        static Shortfall failure(String message) {
            return new Shortfall(true, message);
        }

        static Shortfall warning(String message) {
            return new Shortfall(false, message);
        }
    }

    /** Sends one request and prints the answer; the exit code says whether the node did it. */
    int execute(AdminRequest.Builder request, boolean action, Function<AdminResponse, Shortfall> judge)
            throws Exception {
        Context c = context();
        if (action && (readonly || c.readonly())) {
            c.err().println("refused: read-only (--readonly)");
            c.err().flush();
            return 1;
        }
        AdminResponse r;
        try {
            r = c.client().call(request, CALL_TIMEOUT_S, TimeUnit.SECONDS);
        } catch (AdminClient.ConnectException e) {
            c.err().println(e.getMessage());
            c.err().flush();
            return 1;
        } catch (TimeoutException e) {
            c.err().println("no answer within " + CALL_TIMEOUT_S + " s");
            c.err().flush();
            return 1;
        } catch (IOException e) {
            c.err().println("the node closed the connection (it serves only its own user and root, and closes "
                    + "when it stops): " + e.getMessage());
            c.err().flush();
            return 1;
        }
        return conclude(r, r.hasError() ? null : judge.apply(r));
    }

    /**
     * Prints the answer (an error, or an action's {@code unavailable}, on stderr unless {@code --json}) and what it
     * left undone (on stderr); returns the exit code: 1 for an error answer or a failure, else 0.
     */
    int conclude(AdminResponse r, Shortfall shortfall) {
        Context c = context();
        boolean failed = r.hasError() || shortfall != null && shortfall.failed();
        print(r, !json && failed && (r.hasError() || r.hasUnavailable()) ? c.err() : c.out());
        if (shortfall != null && shortfall.message() != null) {
            c.err().println((shortfall.failed() ? "" : "warning: ") + shortfall.message());
        }
        c.out().flush();
        c.err().flush();
        return failed ? 1 : 0;
    }

    /** One-shot mode: the command's connection ends with it. */
    void finish() {
        if (context instanceof OneShot o && !o.persistent) {
            o.close();
        }
    }

    void print(AdminResponse r) {
        print(r, context().out());
    }

    private void print(AdminResponse r, PrintWriter to) {
        to.println(json ? Json.text(Json.of(r)) : Render.render(r, style()));
        to.flush();
    }

    // ------------------------------------------------------------------ one-shot context

    /**
     * One connection for one command, output to stdout; or, {@code persistent}, one for every command of a
     * {@link LineShell}, made again when the node went away (a command fails when it cannot be).
     */
    static final class OneShot implements Context {
        private final Connector connector;
        private final PrintWriter out;
        private final PrintWriter err;
        private final boolean showKeys;
        private final boolean readonly;
        private final boolean persistent;
        private AdminClient client;

        OneShot(Connector connector, PrintWriter out, PrintWriter err, boolean showKeys, boolean readonly,
                boolean persistent) {
            this.connector = connector;
            this.out = out;
            this.err = err;
            this.showKeys = showKeys;
            this.readonly = readonly;
            this.persistent = persistent;
        }

        @Override
        public AdminClient client() throws IOException {
            if (client == null || !client.isOpen()) {
                client = connector.connect();
            }
            return client;
        }

        void close() {
            if (client != null) {
                client.close();
                client = null;
            }
        }

        @Override
        public PrintWriter out() {
            return out;
        }

        @Override
        public PrintWriter err() {
            return err;
        }

        @Override
        public boolean color() {
            return Tty.isTerminal() && System.getenv("NO_COLOR") == null;
        }

        @Override
        public int width() {
            String cols = System.getenv("COLUMNS");
            try {
                return cols == null ? (interactive() ? 120 : 0) : Integer.parseInt(cols);
            } catch (NumberFormatException e) {
                return 0;
            }
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
            Thread.sleep(ms);
            return false;
        }

        @Override
        public boolean interactive() {
            return Tty.isTerminal();
        }
    }

    // ------------------------------------------------------------------ live completion candidates

    /** Peer ID prefixes (16 hex digits) of the connected node, for completion in the shell. */
    public static final class PeerIds implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            List<String> out = new ArrayList<>();
            AdminResponse r = liveCall(AdminRequest.newBuilder().setPeers(PeersRequest.getDefaultInstance()));
            if (r != null && r.hasPeers()) {
                r.getPeers().getPeersList().forEach(p -> out.add(p.getNodeId().substring(0, 16)));
            }
            return out.iterator();
        }
    }

    /** Non-empty bucket numbers of the connected node. */
    public static final class BucketNumbers implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            List<String> out = new ArrayList<>();
            AdminResponse r = liveCall(AdminRequest.newBuilder().setRouting(RoutingRequest.getDefaultInstance()));
            if (r != null && r.hasRouting()) {
                r.getRouting().getBucketsList().forEach(b -> out.add(Integer.toString(b.getDepth())));
            }
            return out.iterator();
        }
    }

    /** Shard numbers of the connected node. */
    public static final class ShardNumbers implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            List<String> out = new ArrayList<>();
            AdminResponse r = liveCall(AdminRequest.newBuilder().setInfo(InfoRequest.getDefaultInstance()));
            if (r != null && r.hasInfo()) {
                for (int i = 0; i < r.getInfo().getShards(); i++) {
                    out.add(Integer.toString(i));
                }
            }
            return out.iterator();
        }
    }

    /** The view names `watch` accepts. */
    public static final class ViewNames implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return VIEWS.iterator();
        }
    }

    static final List<String> VIEWS = List.of("info", "routes", "peers", "sessions", "records", "metrics", "errors",
            "bans", "log-levels", "admission", "relays", "nat", "wal");

    private static AdminResponse liveCall(AdminRequest.Builder b) {
        Context c = live;
        if (c == null) {
            return null; // one-shot mode (bash completion): no live values
        }
        try {
            return c.client().call(b, 2, TimeUnit.SECONDS);
        } catch (Exception e) {
            return null;
        }
    }

    static AdminRequest.Builder viewRequest(String name, Integer bucket, int top) {
        AdminRequest.Builder b = AdminRequest.newBuilder();
        return switch (name) {
            case "info" -> b.setInfo(InfoRequest.getDefaultInstance());
            case "routes" -> b.setRouting(RoutingRequest.newBuilder().setIncludeContacts(bucket != null));
            case "peers" -> b.setPeers(PeersRequest.getDefaultInstance());
            case "sessions" -> b.setSessions(SessionsRequest.getDefaultInstance());
            case "records" -> b.setRecords(RecordsRequest.newBuilder().setTop(top));
            case "metrics" -> b.setMetrics(MetricsRequest.getDefaultInstance());
            case "errors" -> b.setErrors(ErrorsRequest.getDefaultInstance());
            case "bans" -> b.setBans(BansRequest.getDefaultInstance());
            case "log-levels" -> b.setLogLevels(LogLevelsRequest.getDefaultInstance());
            case "admission" -> b.setAdmission(AdmissionRequest.getDefaultInstance());
            case "relays" -> b.setRelays(RelaysRequest.getDefaultInstance());
            case "nat" -> b.setNat(NatRequest.getDefaultInstance());
            case "wal" -> b.setWal(WalRequest.getDefaultInstance());
            default -> throw new IllegalArgumentException("no view '" + name + "'; views: " + String.join(", ", VIEWS));
        };
    }

    // ------------------------------------------------------------------ the commands

    /** A view without options: the command's own name names the view. */
    abstract static class PlainView extends Base {
        @Override
        AdminRequest.Builder request() {
            return viewRequest(getClass().getAnnotation(Command.class).name(), null, 0);
        }
    }

    abstract static class Base implements Callable<Integer> {
        @ParentCommand
        AdminCommands root;

        abstract AdminRequest.Builder request();

        boolean action() {
            return false;
        }

        /** What the answer leaves undone; by default an action the node cannot do (unavailable) did nothing. */
        Shortfall shortfall(AdminResponse r) {
            return action() && r.hasUnavailable() ? Shortfall.failure(null) : null;
        }

        @Override
        public Integer call() throws Exception {
            try {
                return root.execute(request(), action(), this::shortfall);
            } finally {
                root.finish();
            }
        }
    }

    /** What to do about a node that knows no peers. */
    static final String JOIN_HINT = "(join a network: `bootstrap molia://...`, or start the node with --bootstrap)";

    /** A lookup or get that asked no peer did nothing: the node knows none. */
    static final String NO_PEER_ASKED = "no peer was asked: the node knows no peers " + JOIN_HINT;

    @Command(name = "info", description = "Node ID, address, version, uptime, shards, data dir.")
    static final class Info extends PlainView {
    }

    @Command(name = "routes", aliases = "buckets",
            description = "The routing table per bucket: depth, size, replacements, oldest/newest contact, RTT.")
    static final class Routes extends Base {
        @Option(names = "--contacts", description = "List every contact.")
        boolean contacts;

        @Option(names = "--bucket", completionCandidates = BucketNumbers.class, converter = IntRange.NonNegative.class,
                description = "Only this bucket, with its contacts.")
        Integer bucket;

        @Override
        AdminRequest.Builder request() {
            return AdminRequest.newBuilder().setRouting(RoutingRequest.newBuilder()
                    .setIncludeContacts(contacts || bucket != null));
        }

        @Override
        public Integer call() throws Exception {
            if (bucket == null) {
                return super.call();
            }
            // The node answers the whole table; keep the one bucket asked for.
            Context c = root.context();
            AdminResponse r;
            try {
                r = c.client().call(request(), CALL_TIMEOUT_S, TimeUnit.SECONDS);
            } finally {
                root.finish();
            }
            if (r.hasRouting()) {
                var v = r.getRouting().toBuilder().clearBuckets();
                r.getRouting().getBucketsList().stream().filter(b -> b.getDepth() == bucket).forEach(v::addBuckets);
                r = r.toBuilder().setRouting(v).build();
            }
            return root.conclude(r, null);
        }
    }

    @Command(name = "peers", description = "Known peers: bucket, RTT, failures, /24 or /48, sessions.")
    static final class Peers extends PlainView {
    }

    @Command(name = "sessions", description = "WireGuard sessions: peer, shard, age, rekey due, packets, bytes.")
    static final class Sessions extends Base {
        @Option(names = "--shard", completionCandidates = ShardNumbers.class, converter = IntRange.NonNegative.class,
                description = "Only this shard.")
        Integer shard;

        @Override
        AdminRequest.Builder request() {
            return viewRequest("sessions", null, 0);
        }

        @Override
        public Integer call() throws Exception {
            if (shard == null) {
                return super.call();
            }
            Context c = root.context();
            AdminResponse r;
            try {
                r = c.client().call(request(), CALL_TIMEOUT_S, TimeUnit.SECONDS);
            } finally {
                root.finish();
            }
            if (r.hasSessions()) {
                var v = r.getSessions().toBuilder().clearSessions();
                r.getSessions().getSessionsList().stream().filter(s -> s.getShard() == shard).forEach(v::addSessions);
                r = r.toBuilder().setSessions(v).build();
            }
            return root.conclude(r, null);
        }
    }

    @Command(name = "records", description = "Records held: count, bytes, per type, largest keys.")
    static final class Records extends Base {
        @Option(names = "--top", defaultValue = "10", converter = IntRange.Positive.class,
                description = "Largest records to list (default ${DEFAULT-VALUE}).")
        int top;

        @Override
        AdminRequest.Builder request() {
            return viewRequest("records", null, top);
        }
    }

    @Command(name = "metrics", description = "Counters of the protocol, sessions and the admin socket.")
    static final class Metrics extends PlainView {
    }

    @Command(name = "errors", description = "Recent warnings and errors the node logged.")
    static final class Errors extends Base {
        @Option(names = "--max", defaultValue = "50", converter = IntRange.Positive.class,
                description = "How many (default ${DEFAULT-VALUE}).")
        int max;

        @Override
        AdminRequest.Builder request() {
            return AdminRequest.newBuilder().setErrors(ErrorsRequest.newBuilder().setMax(max));
        }
    }

    @Command(name = "bans", description = "Banned peers and subnets (/24, /48), with expiry.")
    static final class Bans extends PlainView {
    }

    @Command(name = "log-levels", description = "Log levels per logger.")
    static final class LogLevels extends PlainView {
    }

    @Command(name = "admission", description = "Sybil scores, rate-limit buckets, PoW difficulty.")
    static final class Admission extends PlainView {
    }

    @Command(name = "relays", description = "Relay budgets and per-client accounting.")
    static final class Relays extends PlainView {
    }

    @Command(name = "nat", description = "NAT type and reflexive addresses.")
    static final class Nat extends PlainView {
    }

    @Command(name = "wal", description = "WAL state per shard.")
    static final class Wal extends PlainView {
    }

    @Command(name = "ping", description = "Ping a peer (ID prefix or molia:// address).")
    static final class Ping extends Base {
        @Parameters(paramLabel = "PEER", completionCandidates = PeerIds.class,
                description = "A peer's ID prefix (4+ hex digits) or molia:// address.")
        String peer;

        @Override
        AdminRequest.Builder request() {
            return AdminRequest.newBuilder().setPing(PingAction.newBuilder().setPeer(peer));
        }

        @Override
        boolean action() {
            return true;
        }

        @Override
        Shortfall shortfall(AdminResponse r) {
            return r.hasPing() && !r.getPing().getAnswered() ? Shortfall.failure(null) : super.shortfall(r);
        }
    }

    @Command(name = "connect", description = "Reach a peer straight, or through its relay and a hole punch; say "
            + "which path it answered on (docs/nat.md).")
    static final class Connect extends Base {
        @Parameters(paramLabel = "PEER", completionCandidates = PeerIds.class,
                description = "A molia:// address (with --via only its key counts), or a known peer's ID prefix.")
        String peer;

        @Option(names = "--via", paramLabel = "RELAY", description = "The relay the peer holds a reservation at "
                + "(ID prefix or molia:// address): a circuit there, then punching.")
        String via;

        @Override
        AdminRequest.Builder request() {
            ConnectAction.Builder c = ConnectAction.newBuilder().setPeer(peer);
            if (via != null) {
                c.setVia(via);
            }
            return AdminRequest.newBuilder().setConnect(c);
        }

        @Override
        boolean action() {
            return true;
        }

        @Override
        Shortfall shortfall(AdminResponse r) {
            return r.hasConnect() && r.getConnect().getPath().equals("failed") ? Shortfall.failure(null)
                    : super.shortfall(r);
        }
    }

    @Command(name = "lookup", description = "Iterative lookup of a 64-hex-digit ID or key, with its hops.")
    static class Lookup extends Base {
        @Parameters(paramLabel = "TARGET", description = "64 hex digits, or a unique prefix (4+) of a key the node "
                + "holds or put, or of a known peer's ID.")
        String target;

        @Option(names = "--value", description = "FIND_VALUE instead of FIND_NODE.")
        boolean value;

        @Override
        AdminRequest.Builder request() {
            return AdminRequest.newBuilder().setLookup(LookupAction.newBuilder()
                    .setTarget(target.toLowerCase(Locale.ROOT)).setFindValue(value));
        }

        @Override
        boolean action() {
            return true;
        }

        @Override
        Shortfall shortfall(AdminResponse r) {
            return r.hasLookup() && r.getLookup().getRequests() == 0 ? Shortfall.failure(NO_PEER_ASKED)
                    : super.shortfall(r);
        }
    }

    @Command(name = "trace", description = "Draw a lookup hop by hop: who was asked, RTT, what came back.")
    static final class Trace extends Lookup {
    }

    @Command(name = "put", description = {"Store an immutable value (key = BLAKE3 of it) on the closest peers.",
        "With --mutable: this node's signed mutable record (BEP 44) under --salt, version --seq; key = BLAKE3(the "
            + "node's public key || salt). A refusal (lower seq, failed --cas, bad signature, oversize) names its "
            + "reason."})
    static final class Put extends Base {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(paramLabel = "VALUE", description = "The value (UTF-8 text; at most 1,000 bytes for --mutable).")
        String value;

        @Option(names = "--ttl", defaultValue = "3600", converter = LongRange.Positive.class,
                description = "Seconds (default ${DEFAULT-VALUE}); a mutable record lives 24 h, republished by the "
                        + "node.")
        long ttl;

        @Option(names = "--mutable", description = "Put a signed mutable record instead of an immutable value.")
        boolean mutable;

        @Option(names = "--salt", defaultValue = "", description = "With --mutable: the salt (UTF-8, at most 16 "
                + "bytes; default empty).")
        String salt;

        @Option(names = "--seq", defaultValue = "1", converter = LongRange.NonNegative.class,
                description = "With --mutable: the version; above the stored one (default ${DEFAULT-VALUE}).")
        long seq;

        @Option(names = "--cas", converter = LongRange.NonNegative.class, description = "With --mutable: store only "
                + "where the stored seq is this one (0: none stored).")
        Long cas;

        @Override
        AdminRequest.Builder request() {
            if (!mutable) {
                if (cas != null || !salt.isEmpty()) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "--salt and --cas need --mutable");
                }
                return AdminRequest.newBuilder().setPut(PutAction.newBuilder()
                        .setValue(ByteString.copyFrom(value, StandardCharsets.UTF_8)).setTtlSeconds(ttl));
            }
            PutMutableAction.Builder b = PutMutableAction.newBuilder().setSalt(ByteString.copyFrom(salt,
                    StandardCharsets.UTF_8)).setSeq(seq).setValue(ByteString.copyFrom(value, StandardCharsets.UTF_8));
            if (cas != null) {
                b.setCas(cas);
            }
            return AdminRequest.newBuilder().setPutMutable(b);
        }

        @Override
        boolean action() {
            return true;
        }

        /** Stored nowhere is a failure; on fewer peers than the closest it tried, a warning. */
        @Override
        Shortfall shortfall(AdminResponse r) {
            if (r.hasRecordWrite()) {
                return recordWriteShortfall(r);
            }
            if (!r.hasPut()) {
                return super.shortfall(r);
            }
            int stored = r.getPut().getStored();
            int attempted = r.getPut().getAttempted();
            if (stored == 0) {
                return Shortfall.failure(attempted == 0
                        ? "stored nowhere: the node knows no peer to store on " + JOIN_HINT
                        : "stored nowhere: none of the " + attempted + " closest peers accepted the value");
            }
            // Acknowledged: a majority of the k closest stored it, and the rest store after the answer.
            return r.getPut().getAcknowledged() ? null : Shortfall.warning("only " + stored + " of the " + attempted
                    + " closest peers stored the value: fewer replicas than intended");
        }
    }

    /** A provide or mutable put that stored nowhere fails, with the reason a peer gave. */
    static Shortfall recordWriteShortfall(AdminResponse r) {
        var w = r.getRecordWrite();
        if (w.getStored() > 0) {
            return w.getAcknowledged() ? null : Shortfall.warning("only " + w.getStored() + " of the "
                    + w.getAttempted() + " closest peers stored it");
        }
        return Shortfall.failure(w.getAttempted() == 0 ? "stored nowhere: the node knows no peer to store on "
                + JOIN_HINT : "refused by the " + w.getAttempted() + " closest peers"
                + (w.getRefusal().isEmpty() ? "" : ": " + w.getRefusal()));
    }

    @Command(name = "get", description = "Find the value stored under a key (with --mutable: the highest valid seq "
            + "of a signed mutable record).")
    static final class Get extends Base {
        @Parameters(paramLabel = "KEY", description = "64 hex digits, or a unique prefix (4+) of a key the node "
                + "holds or put (a mutable key: 64 hex digits).")
        String key;

        @Option(names = "--mutable", description = "The key is a signed mutable record's.")
        boolean mutable;

        @Override
        AdminRequest.Builder request() {
            if (mutable) {
                return AdminRequest.newBuilder().setGetMutable(GetMutableAction.newBuilder()
                        .setKey(key.toLowerCase(Locale.ROOT)));
            }
            return AdminRequest.newBuilder().setGet(GetAction.newBuilder().setKey(key.toLowerCase(Locale.ROOT)));
        }

        @Override
        boolean action() {
            return true;
        }

        @Override
        Shortfall shortfall(AdminResponse r) {
            return r.hasGet() && !r.getGet().getFound() && r.getGet().getRequests() == 0
                    ? Shortfall.failure(NO_PEER_ASKED) : super.shortfall(r);
        }
    }

    @Command(name = "provide", description = "Announce on the closest peers that this node provides KEY (its "
            + "signed node record; re-announced every 22 h by default).")
    static final class Provide extends Base {
        @Parameters(paramLabel = "KEY", description = "64 hex digits.")
        String key;

        @Override
        AdminRequest.Builder request() {
            return AdminRequest.newBuilder().setProvide(ProvideAction.newBuilder()
                    .setKey(key.toLowerCase(Locale.ROOT)));
        }

        @Override
        boolean action() {
            return true;
        }

        @Override
        Shortfall shortfall(AdminResponse r) {
            return r.hasRecordWrite() ? recordWriteShortfall(r) : super.shortfall(r);
        }
    }

    @Command(name = "providers", description = "Find the nodes that provide KEY (their signed records, checked).")
    static final class Providers extends Base {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(paramLabel = "KEY", description = "64 hex digits.")
        String key;

        @Option(names = "--count", paramLabel = "N", description = "Stop as soon as N providers are found, "
                + "each named by two holders (default: 20, 250 ms after the first, or the lookup's end).")
        Integer count;

        @Override
        AdminRequest.Builder request() {
            if (count != null && count < 1) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--count must be at least 1, not " + count);
            }
            return AdminRequest.newBuilder().setProviders(ProvidersAction.newBuilder()
                    .setKey(key.toLowerCase(Locale.ROOT)).setCount(count == null ? 0 : count));
        }

        @Override
        boolean action() {
            return true;
        }
    }

    @Command(name = "bootstrap", description = "Join through one more peer (molia:// address).")
    static final class Bootstrap extends Base {
        @Parameters(paramLabel = "ADDRESS")
        String address;

        @Override
        AdminRequest.Builder request() {
            return AdminRequest.newBuilder().setBootstrap(BootstrapAction.newBuilder().setAddress(address));
        }

        @Override
        boolean action() {
            return true;
        }
    }

    @Command(name = "evict", description = "Remove a peer from the routing table.")
    static final class Evict extends Base {
        @Parameters(paramLabel = "PEER", completionCandidates = PeerIds.class)
        String peer;

        @Override
        AdminRequest.Builder request() {
            return AdminRequest.newBuilder().setEvict(EvictAction.newBuilder().setPeer(peer));
        }

        @Override
        boolean action() {
            return true;
        }
    }

    @Command(name = "ban", description = "Ban a peer, an IPv4 /24 (a.b.c.d or a.b.c.0/24) or an IPv6 /48 "
            + "(an address or x:y:z::/48) for a while.")
    static final class Ban extends Base {
        @Parameters(paramLabel = "TARGET", completionCandidates = PeerIds.class)
        String target;

        @Option(names = "--for", defaultValue = "3600", converter = LongRange.Positive.class,
                description = "Seconds (default ${DEFAULT-VALUE}).")
        long seconds;

        @Override
        AdminRequest.Builder request() {
            return AdminRequest.newBuilder().setBan(BanAction.newBuilder().setTarget(target)
                    .setDurationSeconds(seconds));
        }

        @Override
        boolean action() {
            return true;
        }
    }

    @Command(name = "unban", description = "Lift a ban.")
    static final class Unban extends Base {
        @Parameters(paramLabel = "TARGET")
        String target;

        @Override
        AdminRequest.Builder request() {
            return AdminRequest.newBuilder().setUnban(UnbanAction.newBuilder().setTarget(target));
        }

        @Override
        boolean action() {
            return true;
        }
    }

    @Command(name = "log-level", description = "Set a logger's level (ROOT, io.molia.session, ...).")
    static final class LogLevel extends Base {
        @Parameters(index = "0", paramLabel = "LOGGER")
        String logger;

        @Parameters(index = "1", paramLabel = "LEVEL", description = "TRACE DEBUG INFO WARN ERROR OFF, or inherit.")
        String level;

        @Override
        AdminRequest.Builder request() {
            return AdminRequest.newBuilder().setSetLogLevel(SetLogLevelAction.newBuilder().setLogger(logger)
                    .setLevel(level.equalsIgnoreCase("inherit") ? "" : level));
        }

        @Override
        boolean action() {
            return true;
        }
    }

    @Command(name = "wal-snapshot", description = "Write a WAL snapshot and compact.")
    static final class WalSnapshot extends Base {
        @Override
        AdminRequest.Builder request() {
            return AdminRequest.newBuilder().setWalSnapshot(WalSnapshotAction.getDefaultInstance());
        }

        @Override
        boolean action() {
            return true;
        }
    }

    @Command(name = "shutdown", description = "Stop the node gracefully.")
    static final class Shutdown extends Base {
        @Override
        AdminRequest.Builder request() {
            return AdminRequest.newBuilder().setShutdown(ShutdownAction.getDefaultInstance());
        }

        @Override
        boolean action() {
            return true;
        }
    }

    @Command(name = "watch", description = "Refresh a view in place (pushed by the node) until a key or Ctrl-C.")
    static final class Watch implements Callable<Integer> {
        @ParentCommand
        AdminCommands root;

        @Parameters(paramLabel = "VIEW", completionCandidates = ViewNames.class,
                description = "info, routes, peers, sessions, records, metrics, errors, bans, log-levels, ...")
        String view;

        @Option(names = "--interval", defaultValue = "1", converter = WatchInterval.class,
                description = "Seconds between refreshes (default ${DEFAULT-VALUE}, at least 0.1).")
        double intervalSeconds;

        @Option(names = "--count", converter = LongRange.Positive.class,
                description = "Stop after this many refreshes (default: until a key or Ctrl-C).")
        Long count;

        /** At least 0.1 s: the node's smallest push interval. */
        static final class WatchInterval extends DoubleRange {
            WatchInterval() {
                super(0.1, true, Double.POSITIVE_INFINITY, false);
            }
        }

        @Override
        public Integer call() throws Exception {
            AdminRequest.Builder request = viewRequest(view, null, 10);
            int intervalMs = (int) Math.max(100, Math.round(intervalSeconds * 1000));
            Context c = root.context();
            LinkedBlockingQueue<AdminResponse> updates = new LinkedBlockingQueue<>();
            AdminClient client = c.client();
            long shown = 0;
            try (AutoCloseable sub = client.subscribe(request, intervalMs, updates::add);
                    AutoCloseable keys = c::endKeys; AutoCloseable end = root::finish) {
                while (count == null || shown < count) {
                    AdminResponse r = updates.poll(50, TimeUnit.MILLISECONDS);
                    if (r == null) {
                        if (!client.isOpen()) {
                            c.err().println("the node went away");
                            c.err().flush();
                            return 1;
                        }
                        if (c.keyPressed(0)) {
                            break;
                        }
                        continue;
                    }
                    shown++;
                    if (root.json) {
                        root.print(r);
                        continue;
                    }
                    if (c.interactive()) {
                        c.out().print("\u001b[H\u001b[2J"); // redraw in place
                    }
                    String header = "every " + intervalMs / 1000.0 + " s: " + view + "  (update " + r.getSequence()
                            + ", " + java.time.LocalTime.now().withNano(0) + ")"
                            + (c.interactive() ? "  press any key to stop" : "");
                    c.out().println(header);
                    root.print(r);
                    if (r.hasError()) {
                        return 1;
                    }
                }
            } catch (InterruptedException e) {
                return 0; // Ctrl-C in the shell: the way to stop a watch, as a key is
            }
            return 0;
        }
    }
}
