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

import io.molia.core.Contact;
import io.molia.core.CoreEvent;
import io.molia.core.NodeId;
import io.molia.node.MoliaNode;
import io.molia.node.NodeConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code molia devnet}: N real nodes on loopback in this process, bootstrapped to each other, each with its own
 * data dir; prints them, checks the network with a lookup and a put/get, then reports every few seconds until
 * Ctrl-C (or {@code --duration}).
 */
@Command(name = "devnet", mixinStandardHelpOptions = true,
        description = "Run a local network of real, encrypted Molia nodes on loopback.")
final class DevnetCommand implements Callable<Integer> {
    @Option(names = "--nodes", defaultValue = "8", description = "How many nodes (default ${DEFAULT-VALUE}).")
    int count;

    @Option(names = "--data-dir", defaultValue = "devnet-data",
            description = "Parent of the nodes' data dirs (default ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--duration", description = "Stop after this many seconds (default: run until Ctrl-C).")
    Long durationSeconds;

    @Option(names = "--interval", defaultValue = "5", description = "Seconds between status lines.")
    int intervalSeconds;

    @Override
    public Integer call() throws Exception {
        if (count < 2 || count > 200) {
            throw new IllegalArgumentException("--nodes must be in 2..200");
        }
        List<MoliaNode> nodes = new ArrayList<>();
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            nodes.forEach(MoliaNode::close);
            stop.countDown();
        }, "molia-devnet-shutdown"));
        InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        for (int i = 0; i < count; i++) {
            List<io.molia.node.MoliaAddress> seeds = i == 0 ? List.of() : List.of(nodes.get(0).address());
            nodes.add(MoliaNode.start(new NodeConfig(dataDir.resolve("node-" + i), loopback, seeds, new byte[32], 1, null)));
        }
        System.out.printf("%-5s %-18s %s%n", "node", "id", "address");
        for (int i = 0; i < nodes.size(); i++) {
            System.out.printf("%-5d %-18s %s%n", i, nodes.get(i).self().id().shortHex(), nodes.get(i).address());
        }
        Thread.sleep(500); // joins settle
        selfCheck(nodes);
        long end = durationSeconds == null ? Long.MAX_VALUE : System.nanoTime() + TimeUnit.SECONDS.toNanos(durationSeconds);
        while (System.nanoTime() < end && !stop.await(Math.min(intervalSeconds * 1000L,
                Math.max(1, (end - System.nanoTime()) / 1_000_000)), TimeUnit.MILLISECONDS)) {
            printStatus(nodes);
        }
        nodes.forEach(MoliaNode::close);
        return 0;
    }

    private static void selfCheck(List<MoliaNode> nodes) throws Exception {
        SplittableRandom random = new SplittableRandom();
        NodeId target = new NodeId(random.nextLong(), random.nextLong(), random.nextLong(), random.nextLong());
        long t0 = System.nanoTime();
        List<Contact> found = nodes.get(nodes.size() - 1).lookup(target).get(10, TimeUnit.SECONDS);
        System.out.printf("lookup of %s from node %d: %d peers, closest %s, %.1f ms%n", target.shortHex(),
                nodes.size() - 1, found.size(), found.isEmpty() ? "-" : found.get(0).id().shortHex(),
                (System.nanoTime() - t0) / 1e6);
        byte[] value = ("hello from the molia devnet " + System.currentTimeMillis()).getBytes(StandardCharsets.UTF_8);
        CoreEvent.PutCompleted put = nodes.get(0).put(value, 3600).get(10, TimeUnit.SECONDS);
        byte[] got = nodes.get(nodes.size() / 2).get(put.key()).get(10, TimeUnit.SECONDS);
        System.out.printf("put on node 0: stored on %d of %d; get from node %d: %s%n", put.stored(), put.attempted(),
                nodes.size() / 2, got == null ? "NOT FOUND" : new String(got, StandardCharsets.UTF_8));
    }

    private static void printStatus(List<MoliaNode> nodes) throws Exception {
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
        System.out.printf("%d nodes: %.1f contacts and %.1f sessions per node, %d records, %d dropped in silence%n",
                nodes.size(), (double) routes / nodes.size(), (double) sessions / nodes.size(), records, drops);
    }
}
