package io.molia.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.molia.admin.AdminProtocol;
import io.molia.admin.proto.AdminResponse;
import io.molia.admin.proto.Error;
import io.molia.crypto.Blake3;
import io.molia.node.MoliaNode;
import io.molia.node.NodeConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The admin socket of real `molia node` processes, driven by `molia admin` (the command's own code, over the real
 * socket; one run as a separate process and one as another user): every view and action, JSON field by field,
 * the socket's mode, a connection from another uid refused, malformed and oversized requests answered with errors
 * while the node keeps serving, and a graceful shutdown.
 */
class AdminSocketIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    record Run(int exit, String out, String err) {
    }

    /** {@code molia admin --data-dir DIR ARGS} in this JVM, over the node's real socket. */
    static Run admin(Path dataDir, String... args) {
        CommandLine cli = MoliaCommand.newCommandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        List<String> a = new ArrayList<>(List.of("admin", "--data-dir", dataDir.toString()));
        a.addAll(List.of(args));
        int exit = cli.execute(a.toArray(String[]::new));
        return new Run(exit, out.toString(), err.toString());
    }

    private static JsonNode json(Path dataDir, String... args) throws Exception {
        List<String> a = new ArrayList<>(List.of(args));
        a.add("--json");
        Run r = admin(dataDir, a.toArray(String[]::new));
        assertEquals(0, r.exit(), "molia admin " + a + ": " + r.err() + r.out());
        JsonNode doc = JSON.readTree(r.out());
        assertEquals(AdminProtocol.API_VERSION, doc.get("version").asInt(), "every document carries the version");
        assertEquals(2, doc.size(), "one answer per document: " + doc);
        return doc;
    }

    /** The object has exactly these fields (a renamed or dropped field fails here). */
    private static void fields(JsonNode node, String... names) {
        Set<String> actual = new TreeSet<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext();) {
            actual.add(it.next());
        }
        assertEquals(new TreeSet<>(List.of(names)), actual, "fields of " + node);
    }

    private static void unavailable(JsonNode doc, String subsystem) {
        JsonNode u = doc.get("unavailable");
        fields(u, "subsystem", "reason");
        assertEquals(subsystem, u.get("subsystem").asText());
        assertTrue(u.get("reason").asText().contains("not available in this version"), u.toString());
    }

    @Test
    void everyViewAndActionOverTheRealSocket() throws Exception {
        try (NodeProcesses procs = new NodeProcesses()) {
            NodeProcesses.Started n0 = procs.start(dir.resolve("node-0"), null);
            List<NodeProcesses.Started> others = new ArrayList<>();
            for (int i = 1; i <= 4; i++) {
                others.add(procs.start(dir.resolve("node-" + i), n0.address()));
            }
            Path d0 = n0.dataDir();
            Path socket = d0.resolve("admin.sock");
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
            assertTrue(Files.readAttributes(socket, java.nio.file.attribute.BasicFileAttributes.class).isOther(),
                    "a socket, not a file");

            // Wait until node 0 learned the others (their joins go through it).
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            JsonNode info;
            do {
                Thread.sleep(200);
                info = json(d0, "info").get("info");
            } while (info.get("routing_table_size").asInt() < 4 && System.nanoTime() < deadline);

            // info
            fields(info, "node_id", "address", "version", "protocol_version", "admin_api_version", "uptime_ms",
                    "started_unix_ms", "shards", "data_dir", "transport", "pid", "routing_table_size", "sessions",
                    "records", "listen_port", "isolated", "sockets", "receive_buffer_asked_bytes",
                    "send_buffer_asked_bytes");
            assertFalse(info.get("isolated").asBoolean(), "four peers joined through it");
            assertEquals(n0.id().toHex(), info.get("node_id").asText());
            assertEquals(n0.address().toString(), info.get("address").asText());
            assertEquals(n0.process().pid(), info.get("pid").asLong());
            assertEquals(d0.toAbsolutePath().toString(), info.get("data_dir").asText());
            assertEquals(n0.address().port(), info.get("listen_port").asInt());
            assertEquals(NodeConfig.defaultShards(), info.get("shards").asInt(), "one shard per processor by default");
            assertEquals("epoll", info.get("transport").asText());
            assertEquals(NodeConfig.defaultShards(), info.get("sockets").size(), "one socket per shard");
            fields(info.get("sockets").get(0), "shard", "receive_buffer_bytes", "send_buffer_bytes",
                    "kernel_receive_drops", "send_drops");
            assertEquals(4, info.get("routing_table_size").asInt());
            assertTrue(info.get("uptime_ms").asLong() > 0);

            // routes
            JsonNode routes = json(d0, "routes", "--contacts").get("routing");
            fields(routes, "self_id", "size", "bucket_capacity", "subnet_rejections", "evictions", "proximity_swaps",
                    "buckets");
            assertEquals(4, routes.get("size").asInt());
            assertEquals(20, routes.get("bucket_capacity").asInt());
            int inBuckets = 0;
            Set<String> routed = new TreeSet<>();
            for (JsonNode b : routes.get("buckets")) {
                fields(b, "depth", "size", "replacements", "oldest_seen_ms_ago", "newest_seen_ms_ago", "min_rtt_us",
                        "mean_rtt_us", "max_rtt_us", "failing", "contacts");
                inBuckets += b.get("size").asInt();
                for (JsonNode c : b.get("contacts")) {
                    fields(c, "node_id", "address", "srtt_us", "rttvar_us", "failures", "last_seen_ms_ago",
                            "added_ms_ago", "ping_pending", "relay");
                    routed.add(c.get("node_id").asText());
                    assertEquals(b.get("depth").asInt(), n0.id().commonPrefixLength(
                            io.molia.contact.NodeId.fromHex(c.get("node_id").asText())), "a contact in its bucket");
                }
            }
            assertEquals(4, inBuckets);
            Set<String> expected = new TreeSet<>();
            others.forEach(o -> expected.add(o.id().toHex()));
            assertEquals(expected, routed, "the routing table holds the four other processes");

            // peers
            JsonNode peers = json(d0, "peers").get("peers");
            fields(peers, "peers", "scores");
            unavailable(JSON.createObjectNode().set("unavailable", peers.get("scores")), "peer scores");
            assertEquals(4, peers.get("peers").size());
            for (JsonNode p : peers.get("peers")) {
                fields(p, "node_id", "address", "subnet", "bucket", "in_routing_table", "srtt_us", "rttvar_us",
                        "failures", "last_seen_ms_ago", "sessions");
                assertEquals("127.0.0.0/24", p.get("subnet").asText());
                assertTrue(p.get("in_routing_table").asBoolean());
                assertTrue(expected.contains(p.get("node_id").asText()));
            }

            // sessions
            JsonNode sessions = json(d0, "sessions").get("sessions");
            fields(sessions, "sessions", "handshakes_completed", "handshakes_initiated", "sessions_evicted",
                    "silent_drops");
            assertTrue(sessions.get("sessions").size() >= 4, sessions.toString());
            for (JsonNode s : sessions.get("sessions")) {
                fields(s, "peer_id", "address", "shard", "local_index", "initiator", "confirmed", "age_ms",
                        "rekey_due_in_ms", "expires_in_ms", "packets_in", "packets_out", "bytes_in", "bytes_out",
                        "last_received_ms_ago", "last_sent_ms_ago");
                int shard = s.get("shard").asInt();
                assertTrue(shard < info.get("shards").asInt(), "a session on shard " + shard);
                assertEquals(s.get("local_index").asInt() & (MoliaNode.MAX_SHARDS - 1), shard,
                        "the shard that issued the local index holds the session");
                // A sharded node may hold a second session with a peer (its own, opened from the peer's home shard)
                // on which the peer has not sent data yet: every session carried something, one way at least.
                assertTrue(s.get("bytes_in").asLong() + s.get("bytes_out").asLong() > 0, s.toString());
                assertTrue(s.get("expires_in_ms").asLong() > 0 && s.get("expires_in_ms").asLong() <= 180_000);
                if (!s.get("initiator").asBoolean()) {
                    assertEquals(-1, s.get("rekey_due_in_ms").asLong(), "the responder never rekeys");
                }
            }
            assertEquals(0, sessions.get("silent_drops").asLong());

            // put from node 1, then records on node 0 and get from node 0
            byte[] value = "the admin socket stored this".getBytes(StandardCharsets.UTF_8);
            JsonNode put = json(others.get(0).dataDir(), "put", new String(value, StandardCharsets.UTF_8)).get("put");
            fields(put, "key", "stored", "attempted", "duration_us", "acknowledged");
            String key = HexFormat.of().formatHex(new Blake3().hash(value));
            assertEquals(key, put.get("key").asText(), "key = BLAKE3(value)");
            assertTrue(put.get("stored").asInt() >= 3 && put.get("acknowledged").asBoolean(), put.toString());

            JsonNode records = json(d0, "records").get("records");
            fields(records, "count", "bytes", "max_records", "max_bytes", "refused_full", "expired", "per_type",
                    "top_keys", "replication");
            assertEquals(1, records.get("count").asInt(), "node 0 is among the 4 closest of 4 others + itself");
            assertEquals(value.length, records.get("bytes").asLong());
            fields(records.get("per_type").get(0), "type", "count", "bytes");
            assertEquals("immutable", records.get("per_type").get(0).get("type").asText());
            fields(records.get("top_keys").get(0), "key", "bytes", "stored_ms_ago", "expires_in_ms");
            assertEquals(key, records.get("top_keys").get(0).get("key").asText());

            JsonNode get = json(d0, "get", key).get("get");
            fields(get, "key", "found", "value", "duration_us", "requests");
            assertTrue(get.get("found").asBoolean());
            assertEquals(HexFormat.of().formatHex(value), get.get("value").asText());

            // trace (a lookup with hops) for node 2's ID: the closest found is node 2
            String target = others.get(1).id().toHex();
            JsonNode lookup = json(d0, "trace", target).get("lookup");
            fields(lookup, "target", "duration_us", "hops", "requests", "closest", "trace", "value_found");
            assertEquals(target, lookup.get("closest").get(0).get("node_id").asText());
            assertEquals(256, lookup.get("closest").get(0).get("common_prefix_bits").asInt());
            assertTrue(lookup.get("trace").size() >= 1);
            for (JsonNode h : lookup.get("trace")) {
                fields(h, "peer_id", "address", "hop", "sent_at_us", "rtt_us", "outcome", "contacts_returned");
                assertTrue(h.get("hop").asInt() >= 1);
            }
            assertTrue(lookup.get("trace").findValuesAsText("outcome").contains("answered"));

            // ping by ID prefix
            String peer = others.get(2).id().toHex().substring(0, 12);
            JsonNode ping = json(d0, "ping", peer).get("ping");
            fields(ping, "peer_id", "address", "answered", "rtt_us");
            assertTrue(ping.get("answered").asBoolean());
            assertTrue(ping.get("rtt_us").asLong() >= 0);
            assertEquals(others.get(2).id().toHex(), ping.get("peer_id").asText());
            // an unknown prefix is a clear error, exit 1
            Run unknown = admin(d0, "ping", "0000000000000000000000", "--json");
            assertEquals(1, unknown.exit());
            JsonNode err = JSON.readTree(unknown.out()).get("error");
            fields(err, "code", "message", "min_version", "max_version");
            assertTrue(List.of("NOT_FOUND", "INVALID_ARGUMENT").contains(err.get("code").asText()));

            // metrics
            JsonNode metrics = json(d0, "metrics").get("metrics");
            fields(metrics, "counters", "uptime_ms");
            for (String c : List.of("datagrams_in", "datagrams_out", "requests_in", "handshakes_completed",
                    "sessions", "records", "ban_dropped_datagrams", "admin_requests_served",
                    "admin_refused_credentials", "admin_malformed_requests", "datagrams_dropped", "session_too_short",
                    "handover_drops", "kernel_receive_drops", "shard_0_kernel_receive_drops")) {
                assertTrue(metrics.get("counters").has(c), "counter " + c);
            }
            assertTrue(metrics.get("counters").get("requests_in").asLong() > 0);

            // evict node 4, then it is gone from the routing table
            String evicted = others.get(3).id().toHex();
            assertTrue(json(d0, "evict", evicted.substring(0, 10)).get("done").get("message").asText()
                    .contains(evicted));
            assertFalse(json(d0, "routes", "--contacts").toString().contains(evicted), "evicted");

            // bootstrap through node 4 again: it answers and is back
            JsonNode boot = json(d0, "bootstrap", others.get(3).address().toString()).get("done");
            assertTrue(boot.get("message").asText().contains("peers answered"), boot.toString());

            // ban a peer and a /24, list, unban
            assertTrue(json(d0, "ban", others.get(3).id().toHex().substring(0, 10), "--for", "600").has("done"));
            assertTrue(json(d0, "ban", "10.1.2.3", "--for", "60").has("done"));
            JsonNode bans = json(d0, "bans").get("bans");
            fields(bans, "bans", "dropped_datagrams", "capacity");
            assertEquals(2, bans.get("bans").size());
            Set<String> banned = new TreeSet<>();
            for (JsonNode b : bans.get("bans")) {
                fields(b, "kind", "target", "expires_in_ms");
                banned.add(b.get("kind").asText() + " " + b.get("target").asText());
                assertTrue(b.get("expires_in_ms").asLong() > 0 && b.get("expires_in_ms").asLong() <= 600_000);
            }
            assertEquals(Set.of("peer " + others.get(3).id().toHex(), "subnet 10.1.2.0/24"), banned);
            Run unanswered = admin(d0, "ping", others.get(3).address().toString(), "--json");
            assertFalse(JSON.readTree(unanswered.out()).get("ping").get("answered").asBoolean(),
                    "a banned peer's answers are dropped");
            assertEquals(1, unanswered.exit(), "an unanswered ping is a failure");
            assertTrue(json(d0, "unban", others.get(3).id().toHex()).has("done"));
            assertTrue(json(d0, "unban", "10.1.2.0/24").has("done"));
            assertEquals(0, json(d0, "bans").get("bans").get("bans").size());

            // log levels
            assertTrue(json(d0, "log-level", "io.molia.session", "debug").has("done"));
            JsonNode levels = json(d0, "log-levels").get("log_levels");
            fields(levels, "loggers");
            boolean found = false;
            for (JsonNode l : levels.get("loggers")) {
                fields(l, "logger", "level", "effective");
                found |= l.get("logger").asText().equals("io.molia.session") && l.get("level").asText().equals("DEBUG");
            }
            assertTrue(found, levels.toString());
            assertEquals(1, admin(d0, "log-level", "io.molia.session", "LOUD").exit(), "an unknown level is refused");

            // errors: the refused level above is not a node warning; the view answers with its fields
            JsonNode errors = json(d0, "errors").get("errors");
            fields(errors, "events", "total");

            // admission: the proof of work asked, each shard's mode (a quiet devnet: open), the score histogram
            JsonNode admission = json(d0, "admission").get("admission");
            assertTrue(admission.get("shards").get(0).get("mode").asText().equals("open"), admission.toString());
            assertEquals(7, admission.get("score_histogram").size(), admission.toString());
            assertTrue(admission.has("lowest") && admission.has("limiter_hits") && admission.has("pow_rejected"),
                    admission.toString());

            // subsystems this version lacks say so
            // relays: a public node relays within 10 % of its egress by default; no one behind a NAT here reserved
            JsonNode relays = json(d0, "relays").get("relays");
            fields(relays, "relaying", "budget_percent", "window_ms", "relayed_bytes", "egress_bytes", "limit_bytes",
                    "relayed_per_slot", "reservations", "circuits", "refusals", "counters", "client");
            assertTrue(relays.get("relaying").asBoolean(), relays.toString());
            assertEquals(10, relays.get("budget_percent").asInt(), relays.toString());

            // nat: node 0 is on loopback, seen at the address it is bound to by its peers: open, a DHT server
            JsonNode nat = json(d0, "nat").get("nat");
            fields(nat, "type", "mode", "mapped_address", "observations", "other_port_probe", "other_address_probe",
                    "mapping_lifetime_at_least_ms", "mapping_lifetime_below_ms", "keepalive_interval_ms",
                    "keepalive_peer", "counters", "serves_other_address", "punch_outcomes", "relayed_server");
            assertEquals("server", nat.get("mode").asText(), nat.toString());
            assertTrue(List.of("unknown", "open").contains(nat.get("type").asText()), nat.toString());

            // the WAL: its figures per shard, and a snapshot (compaction) on demand
            JsonNode wal = json(d0, "wal").get("wal");
            fields(wal, "sync", "entries_replayed_at_start", "startup_ms", "records_recovered", "peers_recovered",
                    "shards");
            assertEquals("none", wal.get("sync").asText(), "the default --wal-sync");
            JsonNode shard = wal.get("shards").get(0);
            fields(shard, "shard", "generation", "next_sequence", "entries_appended", "bytes_appended", "syncs",
                    "append_failures", "compactions", "last_compaction_ms_ago", "last_compaction_ms",
                    "snapshot_bytes");
            assertTrue(shard.get("entries_appended").asLong() > 0, "peers and records were journaled: " + shard);
            assertEquals(-1, shard.get("last_compaction_ms_ago").asLong(), "no compaction yet: " + shard);
            assertTrue(json(d0, "wal-snapshot").get("done").get("message").asText().startsWith("compacted"));
            JsonNode compacted = json(d0, "wal").get("wal").get("shards").get(0);
            assertTrue(compacted.get("generation").asLong() > shard.get("generation").asLong(), compacted.toString());
            assertEquals(1, compacted.get("compactions").asLong());
            assertTrue(compacted.get("snapshot_bytes").asLong() > 0, compacted.toString());
            assertTrue(compacted.get("last_compaction_ms_ago").asLong() >= 0, compacted.toString());

            // watch: pushed updates, numbered
            Run watch = admin(d0, "watch", "info", "--interval", "0.1", "--count", "3", "--json");
            assertEquals(0, watch.exit(), watch.err());
            List<String> lines = watch.out().lines().toList();
            assertEquals(3, lines.size());
            for (int i = 0; i < 3; i++) {
                assertEquals(i + 1, JSON.readTree(lines.get(i)).get("sequence").asInt());
            }

            // --readonly refuses actions, still answers views
            Run ro = admin(d0, "--readonly", "ban", "10.9.9.9");
            assertEquals(1, ro.exit());
            assertTrue(ro.err().contains("read-only"), ro.err());
            assertEquals(0, admin(d0, "--readonly", "info").exit());

            // human output hides keys and the last byte of addresses unless --show-keys
            Run human = admin(d0, "info");
            assertFalse(human.out().contains(MoliaAddressText.key(n0.address().toString())), human.out());
            assertTrue(human.out().contains("127.0.0.x"), human.out());
            Run shown = admin(d0, "info", "--show-keys");
            assertTrue(shown.out().contains(n0.address().toString()), shown.out());

            // malformed and oversized requests over the raw socket: errors, and the node keeps serving
            try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                ch.connect(UnixDomainSocketAddress.of(socket));
                AdminProtocol.writeFully(ch, ByteBuffer.allocate(7).putInt(3).put(new byte[] {(byte) 0xff, 1, 2})
                        .flip());
                assertEquals(Error.Code.MALFORMED, read(ch).getError().getCode());
                AdminProtocol.writeFully(ch, ByteBuffer.allocate(4).putInt(64 << 20).flip());
                assertEquals(Error.Code.TOO_LARGE, read(ch).getError().getCode());
                assertEquals(-1, AdminProtocol.readLength(ch), "closed after an oversized frame");
            }
            assertEquals(n0.id().toHex(), json(d0, "info").get("info").get("node_id").asText(), "still serving");
            assertTrue(json(d0, "metrics").get("metrics").get("counters").get("admin_malformed_requests").asLong()
                    >= 2);

            // one-shot from a separate process, as an operator runs it
            List<String> cmd = NodeProcesses.molia();
            cmd.addAll(List.of("admin", "peers", "--data-dir", d0.toString(), "--json"));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.waitFor(), out);
            assertEquals(4, JSON.readTree(out).get("peers").get("peers").size(), out);

            // graceful shutdown: answered, the process exits 0 and removes its socket
            assertEquals("shutting down", json(d0, "shutdown").get("done").get("message").asText());
            assertTrue(n0.process().waitFor(20, TimeUnit.SECONDS), "the node stopped");
            assertEquals(0, n0.process().exitValue());
            assertFalse(Files.exists(socket), "the socket is removed on shutdown");
            Run gone = admin(d0, "info");
            assertEquals(1, gone.exit());
            assertTrue(gone.err().contains("no admin socket"), gone.err());
            assertEquals(1, gone.err().strip().lines().count(), "one line: " + gone.err());
        }
    }

    @Test
    void aTcpListenerOnlyWhenConfiguredWithAToken() throws Exception {
        Path token = dir.resolve("token");
        Files.writeString(token, "0123456789abcdef0123456789abcdef\n");
        Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
        Path wrong = dir.resolve("wrong");
        Files.writeString(wrong, "not-the-token-0123456789\n");
        int port;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        try (NodeProcesses procs = new NodeProcesses()) {
            NodeProcesses.Started n = procs.start(dir.resolve("node-0"), null, "--admin-tcp", String.valueOf(port),
                    "--admin-token-file", token.toString());
            CommandLine cli = MoliaCommand.newCommandLine();
            StringWriter out = new StringWriter();
            cli.setOut(new PrintWriter(out, true));
            cli.setErr(new PrintWriter(new StringWriter(), true));
            assertEquals(0, cli.execute("admin", "info", "--tcp", "127.0.0.1:" + port, "--token-file",
                    token.toString(), "--json"));
            assertEquals(n.id().toHex(), JSON.readTree(out.toString()).get("info").get("node_id").asText());
            CommandLine bad = MoliaCommand.newCommandLine();
            StringWriter badOut = new StringWriter();
            bad.setOut(new PrintWriter(badOut, true));
            bad.setErr(new PrintWriter(new StringWriter(), true));
            assertEquals(1, bad.execute("admin", "info", "--tcp", "127.0.0.1:" + port, "--token-file",
                    wrong.toString(), "--json"));
            assertEquals("UNAUTHENTICATED", JSON.readTree(badOut.toString()).get("error").get("code").asText());
            assertEquals(1, json(n.dataDir(), "metrics").get("metrics").get("counters").get("admin_refused_tokens")
                    .asLong());
        }
    }

    @Test
    void anotherUserIsRefused() throws Exception {
        assertTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "setpriv (util-linux) runs the other user");
        assertEquals("root", System.getProperty("user.name"),
                "this test switches to uid 65534 with setpriv, which needs root (CI runs as root)");
        try (NodeProcesses procs = new NodeProcesses()) {
            Path d0 = dir.resolve("node-0");
            procs.start(d0, null);
            Path socket = d0.resolve("admin.sock");
            // Let nobody reach the socket file: the JUnit temp dir is 0700.
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
            Files.setPosixFilePermissions(d0, PosixFilePermissions.fromString("rwx--x--x"));

            // 1. Mode 0600: the kernel refuses nobody's connect (EACCES): `molia admin` says so in one line.
            List<String> cmd = new ArrayList<>(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"));
            cmd.addAll(NodeProcesses.molia());
            cmd.addAll(List.of("admin", "info", "--socket", socket.toString()));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(1, p.waitFor(), out);
            assertTrue(out.contains("permission denied"), out);
            assertEquals(1, out.strip().lines().count(), "one line: " + out);

            // 2. Even with the file opened to everyone, the node checks the peer's credentials (SO_PEERCRED) and
            //    hangs up: the same command as uid 65534 connects, and is refused by the node itself.
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw-rw-"));
            Process q = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String qout = new String(q.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            assertEquals(1, q.waitFor(), qout);
            assertTrue(qout.contains("the node closed the connection"), qout);
            assertEquals(1, qout.lines().count(), "one line: " + qout);
            JsonNode counters = json(d0, "metrics").get("metrics").get("counters");
            assertEquals(1, counters.get("admin_refused_credentials").asLong());
            // The same request from root (this JVM's user) is answered.
            assertNotEquals(0, json(d0, "info").get("info").get("pid").asLong());
        }
    }

    private static AdminResponse read(SocketChannel ch) throws Exception {
        int len = AdminProtocol.readLength(ch);
        assertTrue(len >= 0);
        return AdminResponse.parseFrom(AdminProtocol.readBody(ch, len));
    }

    /** The key part of a molia:// address. */
    private static final class MoliaAddressText {
        static String key(String address) {
            return address.substring("molia://".length(), address.indexOf('@'));
        }
    }
}
