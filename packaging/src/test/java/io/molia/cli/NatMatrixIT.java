package io.molia.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.molia.node.MoliaAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The NAT matrix on real processes (DESIGN §6): a public network namespace with two public `molia node`s (each with
 * an alternate address for other-address dial-backs), and behind each of four routers, in namespaces of their own
 * with nftables rules, one node behind a NAT of one kind: full cone (port-preserving source NAT, and anything to a
 * mapped port let in), address-restricted (let in only from hosts the node sent to), port-restricted (conntrack
 * alone: only the exact host and port) and symmetric (source NAT with a fully random port per flow). Each node
 * must reach the classification its NAT implies, a node behind a filtering NAT must run as a DHT client and be in
 * neither public node's routing table, and the public nodes must find themselves open. Needs root, iproute2 and
 * nftables: .ci/run installs them; without them the test fails with one line, it never skips. The namespaces are
 * deleted even when it fails.
 */
class NatMatrixIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TAG = "mn" + ProcessHandle.current().pid() % 10_000;
    private static final String PUBLIC_NS = TAG + "pub";
    private static final int PORT = 4000;
    private static final long DECIDE_WITHIN_NS = TimeUnit.SECONDS.toNanos(90);

    /** A NAT kind: its nftables rules (in a router whose outside is {@code o}, inside {@code i}) and the verdict. */
    enum Nat {
        FULL_CONE("full-cone", "server"),
        ADDRESS_RESTRICTED("address-restricted", "client"),
        PORT_RESTRICTED("port-restricted", "client"),
        SYMMETRIC("symmetric", "client");

        final String expected;
        final String mode;

        Nat(String expected, String mode) {
            this.expected = expected;
            this.mode = mode;
        }

        String rules(String outside, String inside, String mapped, String host) {
            String snat = "oifname \"" + outside + "\" snat ip to " + mapped
                    + (this == SYMMETRIC ? " fully-random" : "");
            // Inbound datagrams to a mapped port: from anyone (full cone) or from hosts the node sent to.
            String letIn = switch (this) {
                case FULL_CONE -> "iifname \"" + outside + "\" udp dport @mapped dnat ip to " + host;
                case ADDRESS_RESTRICTED -> "iifname \"" + outside + "\" ip saddr @peers udp dport @mapped dnat ip to "
                        + host;
                default -> "";
            };
            return "table ip molia_nat {\n"
                    + "  set mapped { type inet_service; flags timeout; timeout 120s; }\n"
                    + "  set peers { type ipv4_addr; flags timeout; timeout 120s; }\n"
                    + "  chain forward_filter {\n    type filter hook forward priority 0; policy accept;\n"
                    + "    iifname \"" + inside + "\" meta l4proto udp update @mapped { udp sport }\n"
                    + "    iifname \"" + inside + "\" update @peers { ip daddr }\n  }\n"
                    + "  chain prerouting_nat {\n    type nat hook prerouting priority dstnat; policy accept;\n"
                    + "    " + letIn + "\n  }\n"
                    + "  chain postrouting_nat {\n    type nat hook postrouting priority srcnat; policy accept;\n"
                    + "    " + snat + "\n  }\n"
                    + "}\n";
        }
    }

    private final List<String> namespaces = new ArrayList<>();

    @Test
    void everyNatIsClassifiedAndNodesBehindFilteringNatsStayOutOfPublicTables(@TempDir Path dir) throws Exception {
        requireRootIpAndNft();
        try (NodeProcesses procs = new NodeProcesses()) {
            buildPublicNetwork();
            NodeProcesses.Started s1 = startIn(procs, PUBLIC_NS, "198.51.100.1", dir.resolve("public-1"), null,
                    "--nat-alternate-address", "198.51.100.11");
            NodeProcesses.Started s2 = startIn(procs, PUBLIC_NS, "198.51.100.2", dir.resolve("public-2"),
                    s1.address(), "--nat-alternate-address", "198.51.100.12");
            Map<Nat, NodeProcesses.Started> behind = new LinkedHashMap<>();
            int i = 1;
            for (Nat nat : Nat.values()) {
                String host = buildNat(i, nat);
                behind.put(nat, startIn(procs, host, "10.0." + i + ".2", dir.resolve(nat.expected), s1.address()));
                i++;
            }

            StringBuilder table = new StringBuilder(String.format("%-20s %-20s %-8s %-22s %s%n", "NAT", "classified",
                    "mode", "mapped address", "in a public table"));
            for (Map.Entry<Nat, NodeProcesses.Started> e : behind.entrySet()) {
                JsonNode nat = awaitDecided(e.getValue());
                assertEquals(e.getKey().expected, nat.get("type").asText(), e.getKey() + ": " + nat);
                assertEquals(e.getKey().mode, nat.get("mode").asText(), e.getKey() + ": " + nat);
                assertTrue(nat.get("keepalive_interval_ms").asLong() > 0, "a NATed node keeps its mapping: " + nat);
                boolean inTable = e.getKey().mode.equals("client") ? !awaitOutOfTables(e.getValue(), s1, s2)
                        : inTable(s1, e.getValue()) || inTable(s2, e.getValue());
                table.append(String.format("%-20s %-20s %-8s %-22s %s%n", e.getKey().expected,
                        nat.get("type").asText(), nat.get("mode").asText(), nat.get("mapped_address").asText(),
                        inTable));
                if (e.getKey().mode.equals("client")) {
                    assertFalse(inTable, e.getKey() + ": a DHT client must be in no public node's routing table");
                }
            }
            for (NodeProcesses.Started s : List.of(s1, s2)) {
                JsonNode nat = awaitDecided(s);
                assertEquals("open", nat.get("type").asText(), "a public node: " + nat);
                assertEquals("server", nat.get("mode").asText());
                table.append(String.format("%-20s %-20s %-8s %-22s %s%n", "none (public)", nat.get("type").asText(),
                        nat.get("mode").asText(), nat.get("mapped_address").asText(), "-"));
            }
            System.out.print("NAT matrix:\n" + table);
        } finally {
            deleteNamespaces();
        }
    }

    // ---------------------------------------------------------------- the network

    private static void requireRootIpAndNft() throws Exception {
        for (String tool : List.of("ip", "nft")) {
            if (run(false, "sh", "-c", "command -v " + tool) != 0) {
                fail(tool + " is not installed: .ci/run installs iproute2 and nftables (scripts/lib/prereqs.sh)");
            }
        }
        if (!"0".equals(output("id", "-u").strip())) {
            fail("the NAT matrix needs root to create network namespaces and nftables rules");
        }
    }

    /** The public namespace: the public nodes' addresses (and their alternates) on its loopback device. */
    private void buildPublicNetwork() throws Exception {
        addNamespace(PUBLIC_NS);
        for (String a : List.of("198.51.100.1", "198.51.100.2", "198.51.100.11", "198.51.100.12")) {
            run(true, "ip", "-n", PUBLIC_NS, "addr", "add", a + "/32", "dev", "lo");
        }
    }

    /** Router {@code i}, with {@code nat}'s rules, between the public namespace and a host namespace (returned). */
    private String buildNat(int i, Nat nat) throws Exception {
        String router = TAG + "r" + i;
        String host = TAG + "h" + i;
        addNamespace(router);
        addNamespace(host);
        String up = TAG + "u" + i; // the router's outside, to the public namespace
        String down = TAG + "d" + i;
        veth(up, router, "100.64." + i + ".2/30", TAG + "p" + i, PUBLIC_NS, "100.64." + i + ".1/30");
        veth(down, router, "10.0." + i + ".1/24", TAG + "h" + i + "e", host, "10.0." + i + ".2/24");
        run(true, "ip", "-n", host, "route", "add", "default", "via", "10.0." + i + ".1");
        run(true, "ip", "-n", router, "route", "add", "default", "via", "100.64." + i + ".1");
        run(true, "ip", "netns", "exec", router, "sysctl", "-qw", "net.ipv4.ip_forward=1");
        String rules = nat.rules(up, down, "100.64." + i + ".2", "10.0." + i + ".2");
        Process nft = new ProcessBuilder("ip", "netns", "exec", router, "nft", "-f", "-").redirectErrorStream(true)
                .start();
        nft.getOutputStream().write(rules.getBytes(StandardCharsets.UTF_8));
        nft.getOutputStream().close();
        String out = new String(nft.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (nft.waitFor() != 0) {
            fail("nft refused the " + nat + " rules: " + out.strip() + "\n" + rules);
        }
        return host;
    }

    private void addNamespace(String ns) throws Exception {
        run(true, "ip", "netns", "add", ns);
        namespaces.add(ns);
        run(true, "ip", "-n", ns, "link", "set", "lo", "up");
    }

    private static void veth(String a, String nsA, String addrA, String b, String nsB, String addrB) throws Exception {
        run(true, "ip", "link", "add", a, "type", "veth", "peer", "name", b);
        run(true, "ip", "link", "set", a, "netns", nsA);
        run(true, "ip", "link", "set", b, "netns", nsB);
        run(true, "ip", "-n", nsA, "addr", "add", addrA, "dev", a);
        run(true, "ip", "-n", nsB, "addr", "add", addrB, "dev", b);
        run(true, "ip", "-n", nsA, "link", "set", a, "up");
        run(true, "ip", "-n", nsB, "link", "set", b, "up");
    }

    /** Deletes every namespace made (their veths and rules go with them), and checks none is left. */
    private void deleteNamespaces() throws Exception {
        for (String ns : namespaces) {
            run(false, "ip", "netns", "del", ns);
        }
        String left = output("ip", "netns", "list");
        for (String ns : namespaces) {
            assertFalse(left.contains(ns), "namespace " + ns + " removed: " + left);
        }
    }

    // ---------------------------------------------------------------- nodes and their views

    private static NodeProcesses.Started startIn(NodeProcesses procs, String ns, String ip, Path dataDir,
            MoliaAddress bootstrap, String... extra) throws Exception {
        List<String> flags = new ArrayList<>(List.of("--shards", "1"));
        flags.addAll(List.of(extra));
        return procs.startIn(List.of("ip", "netns", "exec", ns), ip + ":" + PORT, dataDir, bootstrap,
                flags.toArray(String[]::new));
    }

    private static JsonNode natView(NodeProcesses.Started node) throws Exception {
        AdminSocketIT.Run r = AdminSocketIT.admin(node.dataDir(), "nat", "--json");
        assertEquals(0, r.exit(), "molia admin nat: " + r.err() + r.out());
        return JSON.readTree(r.out()).get("nat");
    }

    private static JsonNode awaitDecided(NodeProcesses.Started node) throws Exception {
        long deadline = System.nanoTime() + DECIDE_WITHIN_NS;
        JsonNode nat = natView(node);
        while (nat.get("type").asText().equals("unknown") && System.nanoTime() < deadline) {
            Thread.sleep(250);
            nat = natView(node);
        }
        return nat;
    }

    private static boolean inTable(NodeProcesses.Started of, NodeProcesses.Started node) throws Exception {
        AdminSocketIT.Run r = AdminSocketIT.admin(of.dataDir(), "routes", "--contacts", "--json");
        assertEquals(0, r.exit(), "molia admin routes: " + r.err() + r.out());
        return r.out().contains(node.id().toHex());
    }

    /** Whether {@code node} left (or never entered) both public tables within a generous deadline. */
    private static boolean awaitOutOfTables(NodeProcesses.Started node, NodeProcesses.Started s1,
            NodeProcesses.Started s2) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (inTable(s1, node) || inTable(s2, node)) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(250);
        }
        return true;
    }

    private static int run(boolean mustSucceed, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int exit = p.waitFor();
        if (mustSucceed && exit != 0) {
            fail(String.join(" ", command) + " failed (" + exit + "): " + out.strip());
        }
        return exit;
    }

    private static String output(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }
}
