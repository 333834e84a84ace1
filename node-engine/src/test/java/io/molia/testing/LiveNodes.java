package io.molia.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.molia.node.MoliaAddress;
import io.molia.node.MoliaNode;
import io.molia.node.NodeConfig;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Real nodes a test starts in this JVM on real UDP sockets, each with its own data dir named by the test (the
 * same name again is a restart); all closed and their dirs deleted after each test. Register it with
 * {@code @RegisterExtension final LiveNodes nodes = new LiveNodes();}.
 */
public final class LiveNodes implements AfterEachCallback {
    private final List<MoliaNode> nodes = new ArrayList<>();
    private Path root;

    /** A node with data dir {@code name}, on the IPv4 loopback, any port, no metrics endpoint. */
    public MoliaNode start(String name, int shards, List<MoliaAddress> bootstrap) throws IOException {
        return start(name, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), shards, bootstrap, null);
    }

    /** A node with data dir {@code name} on {@code listen}; {@code metrics} null for no metrics endpoint. */
    public MoliaNode start(String name, InetSocketAddress listen, int shards, List<MoliaAddress> bootstrap,
            InetSocketAddress metrics) throws IOException {
        return start(name, listen, shards, bootstrap, metrics, config -> config);
    }

    /** As {@link #start(String, int, List)}, with the configuration {@code adjust} makes of the usual one. */
    public MoliaNode start(String name, int shards, List<MoliaAddress> bootstrap,
            java.util.function.UnaryOperator<NodeConfig> adjust) throws IOException {
        return start(name, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), shards, bootstrap, null, adjust);
    }

    private MoliaNode start(String name, InetSocketAddress listen, int shards, List<MoliaAddress> bootstrap,
            InetSocketAddress metrics, java.util.function.UnaryOperator<NodeConfig> adjust) throws IOException {
        if (root == null) {
            root = Files.createTempDirectory("molia-nodes");
        }
        MoliaNode node = MoliaNode.start(adjust.apply(new NodeConfig(root.resolve(name), listen, bootstrap,
                new byte[32], shards, metrics).withPowBits(4)));
        nodes.add(node);
        return node;
    }

    /**
     * Waits until {@code node}'s routing table holds {@code atLeast} contacts, failing after 10 s: a peer that
     * contacted a node enters its table only once it answered the node's ping (one every 50 ms), so a test that
     * needs the table filled waits for it.
     */
    public static void awaitContacts(MoliaNode node, int atLeast) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        int size;
        while ((size = node.status().get(5, TimeUnit.SECONDS).routingTableSize()) < atLeast) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the routing table held " + size + " contacts after 10 s, not " + atLeast);
            }
            Thread.sleep(20);
        }
    }

    /**
     * Waits until none of {@code nodes} has a request outstanding, failing after 10 s: a write reports once a majority
     * of the k closest stored it and goes on storing to the rest, so a test that counts the copies waits for them.
     */
    public static void awaitRequestsSettled(List<MoliaNode> nodes) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (MoliaNode node : nodes) {
            int pending;
            while ((pending = node.onEveryShard(v -> v.core().pendingRequests()).get(5, TimeUnit.SECONDS).stream()
                    .mapToInt(Integer::intValue).sum()) > 0) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError(node.self().id() + " still had " + pending + " requests after 10 s");
                }
                Thread.sleep(20);
            }
        }
    }

    /** The running nodes in the order started; a test that closes one itself removes it. */
    public List<MoliaNode> list() {
        return nodes;
    }

    @Override
    public void afterEach(ExtensionContext context) throws IOException {
        nodes.forEach(MoliaNode::close);
        nodes.clear();
        if (root != null) {
            try (Stream<Path> all = Files.walk(root)) {
                for (Path p : (Iterable<Path>) all.sorted(Comparator.reverseOrder())::iterator) {
                    Files.deleteIfExists(p);
                }
            }
            root = null;
        }
    }
}
