package io.molia.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.molia.admin.proto.AdminRequest;
import io.molia.admin.proto.AdminResponse;
import io.molia.admin.proto.BanAction;
import io.molia.admin.proto.Error;
import io.molia.admin.proto.InfoRequest;
import io.molia.admin.proto.LookupAction;
import io.molia.admin.proto.PeersRequest;
import io.molia.admin.proto.Subscribe;
import io.molia.admin.proto.UnbanAction;
import io.molia.node.MoliaAddress;
import io.molia.node.MoliaNode;
import io.molia.node.NodeConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin server in this JVM over its real Unix socket, spoken to byte by byte: bad frames get error answers and
 * leave the node serving; a subscription streams; a traced lookup reports its hops; a /24 ban silences a peer.
 */
class AdminServerTest {
    @TempDir
    Path dir;

    private final List<MoliaNode> nodes = new ArrayList<>();
    private AdminServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        nodes.forEach(MoliaNode::close);
    }

    private MoliaNode start(int i, List<MoliaAddress> seeds) throws Exception {
        MoliaNode n = MoliaNode.start(new NodeConfig(dir.resolve("node-" + i),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), seeds, new byte[32], 1, null)
                .withPowBits(4));
        nodes.add(n);
        return n;
    }

    private static SocketChannel connect(Path socket) throws Exception {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        ch.connect(UnixDomainSocketAddress.of(socket));
        return ch;
    }

    private static void sendRaw(SocketChannel ch, int length, byte[] body) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(4 + body.length).putInt(length).put(body).flip();
        AdminProtocol.writeFully(ch, b);
    }

    private static AdminResponse read(SocketChannel ch) throws Exception {
        int len = AdminProtocol.readLength(ch);
        assertTrue(len >= 0, "an answer, not the end of the stream");
        return AdminResponse.parseFrom(AdminProtocol.readBody(ch, len));
    }

    private static AdminResponse call(SocketChannel ch, AdminRequest r) throws Exception {
        byte[] body = r.toByteArray();
        sendRaw(ch, body.length, body);
        return read(ch);
    }

    private static AdminRequest.Builder req(long id) {
        return AdminRequest.newBuilder().setVersion(AdminProtocol.API_VERSION).setId(id);
    }

    @Test
    void badRequestsGetErrorsAndTheNodeKeepsServing() throws Exception {
        MoliaNode node = start(0, List.of());
        server = AdminServer.start(node, AdminServer.Options.defaults(dir.resolve("node-0"), null, null));
        Path socket = server.socket();
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));

        try (SocketChannel ch = connect(socket)) {
            // Garbage that is not a protobuf message.
            sendRaw(ch, 5, new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff});
            assertEquals(Error.Code.MALFORMED, read(ch).getError().getCode());
            // A request with no body (or one this node does not know: an unknown field number).
            assertEquals(Error.Code.UNKNOWN_REQUEST, call(ch, req(2).build()).getError().getCode());
            byte[] unknownField = {(byte) 0x08, 1, (byte) 0xd0, (byte) 0x0f, 1}; // version=1, field 250 = 1
            sendRaw(ch, unknownField.length, unknownField);
            assertEquals(Error.Code.UNKNOWN_REQUEST, read(ch).getError().getCode());
            // A version from the future.
            AdminResponse v = call(ch, req(3).setVersion(99).setInfo(InfoRequest.getDefaultInstance()).build());
            assertEquals(Error.Code.UNSUPPORTED_VERSION, v.getError().getCode());
            assertEquals(1, v.getError().getMaxVersion());
            // Bad arguments.
            AdminResponse bad = call(ch, req(4).setLookup(LookupAction.newBuilder().setTarget("zz")).build());
            assertEquals(Error.Code.INVALID_ARGUMENT, bad.getError().getCode());
            // Still serving on the same connection.
            AdminResponse info = call(ch, req(5).setInfo(InfoRequest.getDefaultInstance()).build());
            assertEquals(node.self().id().toHex(), info.getInfo().getNodeId());
            assertEquals(5, info.getId());
        }
        try (SocketChannel ch = connect(socket)) {
            // An oversized frame: answered TOO_LARGE, then the connection closes.
            sendRaw(ch, AdminProtocol.MAX_REQUEST_BYTES + 1, new byte[0]);
            assertEquals(Error.Code.TOO_LARGE, read(ch).getError().getCode());
            assertEquals(-1, AdminProtocol.readLength(ch), "closed after the answer");
        }
        try (SocketChannel ch = connect(socket)) {
            // A prefix of 0xffffffff is a length too (-1 as a signed int), not the end of the stream.
            sendRaw(ch, -1, new byte[0]);
            assertEquals(Error.Code.TOO_LARGE, read(ch).getError().getCode());
            assertEquals(-1, AdminProtocol.readLength(ch), "closed after the answer");
        }
        try (SocketChannel ch = connect(socket)) {
            // Many requests at once: some are refused BUSY, every one is answered, the node is unaffected.
            ByteBuffer burst = ByteBuffer.allocate(64 * 64);
            for (int i = 0; i < 64; i++) {
                byte[] body = req(100 + i).setPeers(PeersRequest.getDefaultInstance()).build().toByteArray();
                burst.putInt(body.length).put(body);
            }
            AdminProtocol.writeFully(ch, burst.flip());
            int busy = 0;
            for (int i = 0; i < 64; i++) {
                AdminResponse r = read(ch);
                if (r.hasError()) {
                    assertEquals(Error.Code.BUSY, r.getError().getCode());
                    busy++;
                } else {
                    assertTrue(r.hasPeers());
                }
            }
            assertTrue(busy < 64, "some requests were served");
            AdminResponse info = call(ch, req(999).setInfo(InfoRequest.getDefaultInstance()).build());
            assertTrue(info.hasInfo());
        }
        assertTrue(node.status().get(5, TimeUnit.SECONDS) != null, "the node still serves");
    }

    @Test
    void theTcpListenerExistsOnlyWhenConfiguredAndServesOnlyTheToken() throws Exception {
        MoliaNode node = start(0, List.of());
        AdminServer plain = AdminServer.start(node, AdminServer.Options.defaults(dir.resolve("node-0"), null, null));
        try {
            assertEquals(null, plain.tcpAddress(), "no TCP listener by default");
        } finally {
            plain.close();
        }
        byte[] token = "a-token-of-at-least-16-bytes".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        server = AdminServer.start(node, AdminServer.Options.defaults(dir.resolve("node-0"), null, null)
                .withTcp(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), token));
        InetSocketAddress tcp = server.tcpAddress();
        assertTrue(tcp.getAddress().isLoopbackAddress());
        try (SocketChannel ch = SocketChannel.open(tcp)) {
            AdminResponse r = call(ch, req(1).setToken(com.google.protobuf.ByteString.copyFromUtf8("wrong"))
                    .setInfo(InfoRequest.getDefaultInstance()).build());
            assertEquals(Error.Code.UNAUTHENTICATED, r.getError().getCode());
            assertEquals(-1, AdminProtocol.readLength(ch), "closed after a wrong token");
        }
        try (SocketChannel ch = SocketChannel.open(tcp)) {
            AdminResponse r = call(ch, req(2).setToken(com.google.protobuf.ByteString.copyFrom(token))
                    .setInfo(InfoRequest.getDefaultInstance()).build());
            assertEquals(node.self().id().toHex(), r.getInfo().getNodeId());
            // Authenticated once per connection.
            assertTrue(call(ch, req(3).setPeers(PeersRequest.getDefaultInstance()).build()).hasPeers());
        }
        assertEquals(1, server.refusedTokens.get());
    }

    @Test
    void aSubscriberThatDoesNotReadIsDisconnectedNotBuffered() throws Exception {
        MoliaNode node = start(0, List.of());
        AdminServer.Options defaults = AdminServer.Options.defaults(dir.resolve("node-0"), null, null);
        server = AdminServer.start(node, new AdminServer.Options(defaults.socket(), null, null, 16, 8, 8, 4));
        try (SocketChannel slow = connect(server.socket())) {
            for (int i = 1; i <= 8; i++) {
                byte[] body = req(i).setSubscribe(Subscribe.newBuilder().setIntervalMs(100).setView(
                        AdminRequest.newBuilder().setMetrics(io.molia.admin.proto.MetricsRequest.getDefaultInstance())))
                        .build().toByteArray();
                sendRaw(slow, body.length, body);
            }
            // Never read: the kernel's socket buffer fills, then the 4-frame queue, then the node hangs up.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (server.slowClientsDropped.get() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertEquals(1, server.slowClientsDropped.get(), "the slow subscriber was dropped");
            long waitClosed = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (server.connectionCount() > 0 && System.nanoTime() < waitClosed) {
                Thread.sleep(50);
            }
            assertEquals(0, server.connectionCount());
        }
        try (SocketChannel ch = connect(server.socket())) {
            assertTrue(call(ch, req(99).setInfo(InfoRequest.getDefaultInstance()).build()).hasInfo(),
                    "others are still served");
        }
    }

    @Test
    void subscriptionsStreamAndATracedLookupReportsItsHops() throws Exception {
        MoliaNode first = start(0, List.of());
        for (int i = 1; i < 6; i++) {
            start(i, List.of(first.address()));
        }
        MoliaNode node = nodes.get(5);
        server = AdminServer.start(node, AdminServer.Options.defaults(dir.resolve("node-5"), null, null));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (node.status().get().routingTableSize() < 3 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        try (SocketChannel ch = connect(server.socket())) {
            sendRaw(ch, 0, new byte[0]);
            AdminRequest sub = req(7).setSubscribe(Subscribe.newBuilder().setIntervalMs(100)
                    .setView(AdminRequest.newBuilder().setInfo(InfoRequest.getDefaultInstance()))).build();
            byte[] body = sub.toByteArray();
            assertEquals(Error.Code.UNSUPPORTED_VERSION, read(ch).getError().getCode()); // empty: version 0
            sendRaw(ch, body.length, body);
            long lastUptime = -1;
            for (int seq = 1; seq <= 3; seq++) {
                AdminResponse u = read(ch);
                assertEquals(7, u.getId());
                assertEquals(seq, u.getSequence());
                assertTrue(u.getInfo().getUptimeMs() >= lastUptime);
                lastUptime = u.getInfo().getUptimeMs();
            }
        }
        try (SocketChannel ch = connect(server.socket())) {
            String target = nodes.get(1).self().id().toHex();
            AdminResponse l = call(ch, req(8).setLookup(LookupAction.newBuilder().setTarget(target)).build());
            assertTrue(l.hasLookup(), l.toString());
            assertFalse(l.getLookup().getTraceList().isEmpty(), "hops recorded");
            assertEquals(target, l.getLookup().getClosest(0).getNodeId());
            assertTrue(l.getLookup().getTraceList().stream().anyMatch(h -> h.getOutcome().equals("answered")
                    && h.getRttUs() >= 0 && h.getHop() >= 1));

            // Ban loopback's /24: every peer goes silent to this node, and the drops are counted.
            AdminResponse ban = call(ch, req(9).setBan(BanAction.newBuilder().setTarget("127.0.0.0/24")
                    .setDurationSeconds(60)).build());
            assertTrue(ban.hasDone(), ban.toString());
            AdminResponse ping = call(ch, req(10).setPing(io.molia.admin.proto.PingAction.newBuilder()
                    .setPeer(target.substring(0, 8))).build());
            assertFalse(ping.getPing().getAnswered(), "a banned subnet's answer is dropped");
            AdminResponse bans = call(ch, req(11).setBans(io.molia.admin.proto.BansRequest.getDefaultInstance())
                    .build());
            assertEquals("127.0.0.0/24", bans.getBans().getBans(0).getTarget());
            assertTrue(bans.getBans().getDroppedDatagrams() > 0);
            assertTrue(call(ch, req(12).setUnban(UnbanAction.newBuilder().setTarget("127.0.0.1")).build()).hasDone());
            AdminResponse again = call(ch, req(13).setPing(io.molia.admin.proto.PingAction.newBuilder()
                    .setPeer(target.substring(0, 8))).build());
            assertTrue(again.getPing().getAnswered(), "answers again once unbanned");
        }
    }

    /**
     * Issue 14: the Prometheus endpoint had 22 families against 62 admin counters. Every admin counter now has its
     * family (one table, NodeFigures and the admin server's), beside the build, JVM and process figures, and the
     * lookup histogram starts at 1 ms.
     */
    @Test
    void everyAdminCounterIsAPrometheusFamilyBesideTheBuildJvmAndProcessFigures() throws Exception {
        InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        MoliaNode node = MoliaNode.start(new NodeConfig(dir.resolve("node-0"), loopback, List.of(), new byte[32], 2,
                loopback).withPowBits(4));
        nodes.add(node);
        MoliaNode peer = start(1, List.of(node.address()));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (node.status().get(5, TimeUnit.SECONDS).routingTableSize() < 1 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        server = AdminServer.start(node, AdminServer.Options.defaults(dir.resolve("node-0"), null, null));
        node.lookup(peer.self().id()).get(10, TimeUnit.SECONDS);
        java.util.Map<String, Long> counters;
        try (SocketChannel ch = connect(server.socket())) {
            counters = call(ch, req(1).setMetrics(io.molia.admin.proto.MetricsRequest.getDefaultInstance()).build())
                    .getMetrics().getCountersMap();
        }
        java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + node.metricsPort()
                        + "/metrics")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        String scrape = r.body();

        assertTrue(scrape.lines().anyMatch(l -> l.startsWith("molia_build_info{") && l.contains("commit=\"")
                && l.contains("version=\"" + io.molia.node.MoliaVersion.release() + "\"") && l.endsWith(" 1")),
                "build info:\n" + scrape);
        for (String family : List.of("jvm_memory_used_bytes", "jvm_threads_current", "jvm_gc_collection_seconds",
                "jvm_classes_currently_loaded", "process_cpu_seconds_total", "process_start_time_seconds",
                "process_resident_memory_bytes", "process_open_fds")) {
            assertTrue(scrape.contains("\n" + family), family + " in\n" + scrape);
        }
        java.util.Set<String> covered = new java.util.TreeSet<>();
        List<io.molia.metrics.Figure<?>> figures = new ArrayList<>(io.molia.metrics.NodeFigures.SHARD);
        figures.addAll(io.molia.metrics.NodeFigures.NODE);
        figures.addAll(AdminServer.FIGURES);
        figures.addAll(io.molia.node.BlobRepairCheck.FIGURES); // the repair's outcomes: in both since 2026-12-03
        for (io.molia.metrics.Figure<?> f : figures) {
            String admin = f.perShard() ? "shard_0_" + f.name() : f.name();
            assertTrue(counters.containsKey(admin), admin + " in the admin view " + counters.keySet());
            covered.add(admin);
            String series = f.family() + (f.counter() ? "_total" : "");
            String label = f.reason() == null ? "" : f.labelName() + "=\"" + f.reason() + "\"";
            assertTrue(scrape.lines().anyMatch(l -> (l.startsWith(series + "{") || l.startsWith(series + " "))
                    && l.contains(label)),
                    admin + " as " + series + label + " in\n" + scrape);
        }
        java.util.Set<String> uncovered = new java.util.TreeSet<>(counters.keySet());
        uncovered.removeAll(covered);
        uncovered.removeIf(k -> k.matches("shard_1_.*"));
        // The kernel's drops per socket are read from /proc when a view or scrape is taken, beside the table: both
        // exports have them (AdminMetricsViewTest compares the values).
        assertTrue(scrape.contains("molia_kernel_receive_drops_total{shard=\"0\"}"), scrape);
        uncovered.removeAll(java.util.Set.of("kernel_receive_drops", "shard_0_kernel_receive_drops"));
        assertEquals(java.util.Set.of("lookup_latency_samples", "lookup_latency_p50_us", "lookup_latency_p95_us",
                "lookup_latency_p99_us"), uncovered, "only the percentiles (the molia_lookup_seconds histogram) "
                + "are the admin view's own");
        assertTrue(scrape.contains("molia_routing_table_contacts{shard=\"0\"} 1"), scrape);
        assertEquals(1, counters.get("routing_table_size"));
        assertTrue(scrape.contains("molia_isolated 0"), scrape);
        assertTrue(scrape.contains("molia_lookup_seconds_bucket{le=\"0.001\"}"), "the first bucket is 1 ms");
        assertTrue(scrape.contains("molia_lookup_seconds_count 1"), "the one lookup:\n" + scrape);
    }
}
