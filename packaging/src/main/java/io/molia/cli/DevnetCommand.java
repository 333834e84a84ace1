package io.molia.cli;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.molia.admin.AdminServer;
import io.molia.contact.Contact;
import io.molia.contact.NodeId;
import io.molia.core.CoreConfig;
import io.molia.core.CoreEvent;
import io.molia.dash.DashCommand;
import io.molia.node.MoliaNode;
import io.molia.node.NodeConfig;
import io.molia.options.DoubleRange;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code molia devnet}: N real nodes on loopback in this process, bootstrapped to each other, each with its own
 * data dir; prints them, checks the network with a lookup and a put/get, then reports every few seconds until
 * Ctrl-C (or {@code --duration}). On a terminal it then opens {@code molia dash} on node 0 ({@code --no-dash}
 * keeps the printed report); leaving the dashboard with {@code q} stops the devnet.
 */
@Command(name = "devnet", mixinStandardHelpOptions = true,
        description = "Run a local network of real, encrypted Molia nodes on loopback.")
final class DevnetCommand implements Callable<Integer> {
    /** Longer than a node's second self-lookup after joining (2 s), which finds what the first missed. */
    private static final long JOIN_WAIT_MS = 3_000;

    /** 2..200 nodes: a network needs two, and one process holds at most a few hundred. */
    static final class NodeCount extends io.molia.options.IntRange {
        NodeCount() {
            super(2, 200);
        }
    }

    @Option(names = "--nodes", defaultValue = "8", converter = NodeCount.class,
            description = "How many nodes (default ${DEFAULT-VALUE}).")
    int count;

    @Option(names = "--data-dir", defaultValue = "devnet-data",
            description = "Parent of the nodes' data dirs (default ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--duration", converter = io.molia.options.LongRange.Positive.class,
            description = "Stop after this many seconds (default: run until Ctrl-C).")
    Long durationSeconds;

    @Option(names = "--interval", defaultValue = "5", converter = io.molia.options.IntRange.Positive.class,
            description = "Seconds between status lines.")
    int intervalSeconds;

    @Option(names = "--processes", description = "One `molia node` process per node, one shard each (default: all "
            + "in this JVM), each a small JVM; a client node in this JVM runs the self-check, then each node's RSS and "
            + "PSS are printed.")
    boolean processes;

    @Option(names = "--no-dash", description = "Print the status report instead of opening the dashboard "
            + "(without a terminal the report is printed anyway).")
    boolean noDash;

    @Option(names = "--wg-keylog", paramLabel = "FILE", description = "Debug only: every node appends its session "
            + "keys to FILE (created 0600) for Wireshark and `molia wire decode`. Off unless given.")
    Path wgKeyLog;

    @Option(names = "--handshake-cpu-budget", defaultValue = "0.2", converter = DoubleRange.NonNegative.class,
            description = "Each node's share of a shard thread for handshakes before it asks for cookies "
            + "(see `molia node --help`; 0 = no defence against handshake floods). Default ${DEFAULT-VALUE}.")
    double handshakeCpuBudget;

    @Option(names = "--pow-bits", defaultValue = "8", converter = NodeCommand.PowBits.class,
            description = "The devnet's identity proof of work (see `molia node --help`): small, so its nodes start "
            + "at once. Default ${DEFAULT-VALUE}.")
    int powBits;

    @Mixin
    SocketBufferOptions buffers;

    /** The record settings of every node (e.g. a short --mutable-republish to watch republishing). */
    @Mixin
    RecordOptions recordOptions;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        LogSetup.configure("text", ch.qos.logback.classic.Level.WARN); // the table below says what INFO would
        NodeCommand.warnIfKeyLog("devnet", wgKeyLog);
        io.molia.core.store.RecordsConfig records = recordOptions.recordsConfig(spec.commandLine());
        List<MoliaNode> nodes = new ArrayList<>();
        List<AdminServer> admins = new ArrayList<>();
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            admins.forEach(AdminServer::close);
            nodes.forEach(MoliaNode::close);
            stop.countDown();
        }, "molia-devnet-shutdown"));
        InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        // Read by the shutdown hook while children start: a child is listed the moment it exists, so a devnet
        // stopped while it was still starting nodes leaves none behind.
        List<Process> children = new java.util.concurrent.CopyOnWriteArrayList<>();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> children.forEach(Process::destroy),
                "molia-devnet-children"));
        System.out.printf("%-5s %-18s %-8s %s%n", "node", "id", "pid", "address");
        if (processes) {
            io.molia.node.MoliaAddress first = null;
            for (int i = 0; i < count; i++) {
                List<String> nodeFlags = new ArrayList<>(buffers.asFlags());
                nodeFlags.addAll(recordOptions.asFlags());
                ChildNode child = ChildNode.start(dataDir.resolve("node-" + i), first, wgKeyLog, nodeFlags,
                        handshakeCpuBudget, powBits, children);
                first = first == null ? child.address() : first;
                System.out.printf("%-5d %-18s %-8d %s%n", i, child.address().nodeId().shortHex(),
                        child.process().pid(), child.address());
            }
            // The self-check and status run from a client node in this JVM.
            nodes.add(MoliaNode.start(new NodeConfig(dataDir.resolve("client"), loopback, List.of(first),
                    new byte[32], 1, null).withKeyLog(wgKeyLog).withHandshakeCpuBudget(handshakeCpuBudget)
                    .withPowBits(powBits).withRecords(records)));
        } else {
            LogbackControl logControl = LogbackControl.install();
            for (int i = 0; i < count; i++) {
                List<io.molia.node.MoliaAddress> seeds = i == 0 ? List.of() : List.of(nodes.get(0).address());
                // One shard each: the nodes of one JVM already share its cores, more loops would add threads only.
                nodes.add(MoliaNode.start(new NodeConfig(dataDir.resolve("node-" + i), loopback, seeds, new byte[32],
                        1, null, io.molia.wal.WalOptions.defaults(), buffers.buffers()).withKeyLog(wgKeyLog)
                        .withHandshakeCpuBudget(handshakeCpuBudget).withPowBits(powBits).withRecords(records)));
                // Each node's admin socket in its data dir: `molia shell --node i` (a shutdown request stops
                // the whole devnet, as Ctrl-C does).
                admins.add(AdminServer.start(nodes.get(i), AdminServer.Options.defaults(dataDir.resolve("node-" + i),
                        logControl, () -> System.exit(0))));
                System.out.printf("%-5d %-18s %-8d %s%n", i, nodes.get(i).self().id().shortHex(),
                        ProcessHandle.current().pid(), nodes.get(i).address());
            }
        }
        awaitJoins(nodes, processes ? count : count - 1);
        selfCheck(nodes, processes);
        if (processes) {
            printNodeRss(children);
        }
        long end = durationSeconds == null ? Long.MAX_VALUE
                : System.nanoTime() + TimeUnit.SECONDS.toNanos(durationSeconds);
        if (!noDash && DashCommand.isTerminal()) {
            // The dashboard owns the terminal: log lines would scribble over it (they still reach each node's
            // admin socket, whose log screen shows them). q leaves the dashboard and stops the devnet.
            LogSetup.quietConsole();
            DashCommand.run(dataDir.resolve("node-0").resolve(io.molia.admin.AdminProtocol.SOCKET_FILE), 1000,
                    dataDir, 0, false, false, end); // --duration closes it too
            System.out.println("dashboard closed; stopping the devnet");
            admins.forEach(AdminServer::close);
            nodes.forEach(MoliaNode::close);
            children.forEach(Process::destroy);
            return 0;
        }
        if (!noDash) {
            System.out.println("(the dashboard needs a terminal: reporting here instead; `molia dash --node 0` "
                    + "from a terminal opens it)");
        }
        while (System.nanoTime() < end && !stop.await(Math.min(intervalSeconds * 1000L,
                Math.max(1, (end - System.nanoTime()) / 1_000_000)), TimeUnit.MILLISECONDS)) {
            printStatus(nodes, processes ? "client node (" + children.stream().filter(Process::isAlive).count()
                    + " of " + count + " node processes alive)" : nodes.size() + " nodes");
        }
        admins.forEach(AdminServer::close);
        nodes.forEach(MoliaNode::close);
        children.forEach(Process::destroy);
        return 0;
    }

    /**
     * Each node process's resident memory (VmRSS from /proc), then the smallest, median, largest and sum; the same
     * for PSS, which divides each shared page (libjvm, the class-data archive) among the processes that map it: the
     * sum of PSS is what the node processes take from the machine, the sum of RSS counts shared pages once per node.
     */
    private static void printNodeRss(List<Process> children) throws java.io.IOException {
        List<Long> rss = new ArrayList<>();
        List<Long> pss = new ArrayList<>();
        StringBuilder each = new StringBuilder();
        for (int i = 0; i < children.size(); i++) {
            long pid = children.get(i).pid();
            rss.add(procKiB(pid, "status", "VmRSS:"));
            pss.add(procKiB(pid, "smaps_rollup", "Pss:"));
            each.append(i == 0 ? "" : " ").append(i).append(':').append(rss.get(i) / 1024).append('/')
                    .append(pss.get(i) / 1024);
        }
        System.out.printf("node RSS/PSS (MiB) %s%n", each);
        printSpread("RSS", rss);
        printSpread("PSS", pss);
    }

    private static void printSpread(String name, List<Long> kib) {
        List<Long> sorted = kib.stream().sorted().toList();
        System.out.printf("node %s: min %d, median %d, max %d, sum %d MiB over %d node processes%n", name,
                sorted.get(0) / 1024, sorted.get(sorted.size() / 2) / 1024, sorted.get(sorted.size() - 1) / 1024,
                kib.stream().mapToLong(Long::longValue).sum() / 1024, kib.size());
    }

    /** The KiB figure of the line starting with {@code field} in /proc/PID/{@code file}; 0 once the process exited. */
    private static long procKiB(long pid, String file, String field) throws java.io.IOException {
        Path path = Path.of("/proc", Long.toString(pid), file);
        if (!java.nio.file.Files.exists(path)) {
            return 0;
        }
        for (String line : java.nio.file.Files.readAllLines(path)) {
            if (line.startsWith(field)) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return 0;
    }

    /** A `molia node` child process started with the same JDK and class path as this one. */
    private record ChildNode(Process process, io.molia.node.MoliaAddress address) {
        /** Starts a node process, adds it to {@code children} at once, and waits until it says its address. */
        static ChildNode start(Path dataDir, io.molia.node.MoliaAddress bootstrap, Path keyLog,
                List<String> nodeFlags, double handshakeCpuBudget, int powBits, List<Process> children)
                throws Exception {
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                    .toString()));
            command.addAll(JvmFlags.forSmallNode()); // Chronicle's flags (the WAL), as this JVM got them; small heap
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), MoliaCommand.class.getName(), "node",
                    "--data-dir", dataDir.toString(), "--listen", "127.0.0.1:0", "--ready-json", "--shards", "1"));
            command.addAll(nodeFlags); // socket buffers and record settings
            command.addAll(List.of("--handshake-cpu-budget", Double.toString(handshakeCpuBudget)));
            command.addAll(List.of("--pow-bits", Integer.toString(powBits)));
            if (bootstrap != null) {
                command.add("--bootstrap");
                command.add(bootstrap.toString());
            }
            if (keyLog != null) {
                command.addAll(List.of("--wg-keylog", keyLog.toString()));
            }
            ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD);
            // glibc's malloc keeps an arena per thread that allocated (up to 8 per core), each holding freed memory.
            builder.environment().put("MALLOC_ARENA_MAX", "2");
            Process p = builder.start();
            children.add(p);
            java.io.BufferedReader out = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(),
                    java.nio.charset.StandardCharsets.UTF_8));
            String line;
            while ((line = out.readLine()) != null) {
                if (line.startsWith("{")) {
                    String address = new com.fasterxml.jackson.databind.ObjectMapper().readTree(line).get("address")
                            .asText();
                    return new ChildNode(p, io.molia.node.MoliaAddress.parse(address));
                }
            }
            p.destroyForcibly();
            throw new IllegalStateException("a node process for " + dataDir + " exited before it was ready");
        }
    }

    /**
     * Waits until every node here knows the others (at most a bucket's worth), or {@link #JOIN_WAIT_MS} passed: nodes
     * that joined at the same moment through different shards of node 0 find each other in their second self-lookup.
     */
    private static void awaitJoins(List<MoliaNode> nodes, int others) throws Exception {
        int expected = Math.min(others, CoreConfig.defaults().k());
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(JOIN_WAIT_MS);
        Thread.sleep(200);
        while (System.nanoTime() < deadline) {
            boolean joined = true;
            for (MoliaNode n : nodes) {
                joined &= n.status().get(5, TimeUnit.SECONDS).routingTableSize() >= expected;
            }
            if (joined) {
                return;
            }
            Thread.sleep(100);
        }
    }

    private static void selfCheck(List<MoliaNode> nodes, boolean fromClient) throws Exception {
        int lookupFrom = nodes.size() - 1;
        int getFrom = nodes.size() / 2;
        SplittableRandom random = new SplittableRandom();
        NodeId target = new NodeId(random.nextLong(), random.nextLong(), random.nextLong(), random.nextLong());
        long t0 = System.nanoTime();
        List<Contact> found = nodes.get(lookupFrom).lookup(target).get(10, TimeUnit.SECONDS);
        System.out.printf("lookup of %s from %s: %d peers, closest %s, %.1f ms%n", target.shortHex(),
                fromClient ? "the client" : "node " + lookupFrom, found.size(), found.isEmpty() ? "-" : found.get(0).id().shortHex(),
                (System.nanoTime() - t0) / 1e6);
        byte[] value = ("hello from the molia devnet " + System.currentTimeMillis()).getBytes(StandardCharsets.UTF_8);
        CoreEvent.PutCompleted put = nodes.get(0).put(value, 3600).get(10, TimeUnit.SECONDS);
        byte[] got = nodes.get(getFrom).get(put.key()).get(10, TimeUnit.SECONDS);
        System.out.printf("put from %s: %s on %d of %d; get from %s: %s%n", fromClient ? "the client" : "node 0",
                put.acknowledgedNs() >= 0 ? "acknowledged, stored" : "NOT acknowledged, stored only", put.stored(),
                put.attempted(), fromClient ? "the client" : "node " + getFrom,
                got == null ? "NOT FOUND" : new String(got, StandardCharsets.UTF_8));
    }

    private static void printStatus(List<MoliaNode> nodes, String label) throws Exception {
        int routes = 0;
        int sessions = 0;
        int records = 0;
        long drops = 0;
        for (MoliaNode n : nodes) {
            MoliaNode.NodeStatus s = n.status().get(5, TimeUnit.SECONDS);
            routes += s.routingTableSize();
            sessions += s.sessions();
            records += s.records();
            drops += s.silentDrops();
        }
        System.out.printf("%s: %.1f contacts and %.1f sessions per node, %d records, %d dropped in silence%n",
                label, (double) routes / nodes.size(), (double) sessions / nodes.size(), records, drops);
    }
}
