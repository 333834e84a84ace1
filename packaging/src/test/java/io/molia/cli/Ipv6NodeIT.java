package io.molia.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.molia.node.MoliaAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * `molia node --listen [::]:0` (dual-stack) joined by a `--listen [::1]:0` node through a bracketed molia://
 * address and by a `--listen 127.0.0.1:0` node through the IPv4 one: the ready line prints brackets, and the
 * dual-stack node's admin views show one IPv6 and one IPv4 peer, each with its subnet.
 */
class Ipv6NodeIT {
    @TempDir
    Path dir;

    @Test
    void aDualStackProcessServesAnIpv6AndAnIpv4Process() throws Exception {
        try (NodeProcesses procs = new NodeProcesses()) {
            NodeProcesses.Started dual = procs.startOn("[::]:0", dir.resolve("dual"), null);
            String text = dual.address().toString();
            assertTrue(text.contains("@[::]:"), text);
            String key = MoliaAddress.encodeKey(dual.address().publicKey());
            int port = dual.address().port();
            NodeProcesses.Started v6 = procs.startOn("[::1]:0", dir.resolve("v6"),
                    MoliaAddress.parse("molia://" + key + "@[::1]:" + port));
            assertTrue(v6.address().toString().endsWith("@[::1]:" + v6.address().port()), v6.address().toString());
            NodeProcesses.Started v4 = procs.startOn("127.0.0.1:0", dir.resolve("v4"),
                    MoliaAddress.parse("molia://" + key + "@127.0.0.1:" + port));

            Map<String, String> expected = new TreeMap<>(Map.of(
                    "[::1]:" + v6.address().port(), "::/48",
                    "127.0.0.1:" + v4.address().port(), "127.0.0.0/24"));
            Map<String, String> seen = new TreeMap<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!seen.equals(expected) && System.nanoTime() < deadline) {
                Thread.sleep(200);
                seen.clear();
                for (JsonNode p : new ObjectMapper().readTree(admin(dual.dataDir(), "peers", "--json"))
                        .get("peers").get("peers")) {
                    seen.put(p.get("address").asText(), p.get("subnet").asText());
                }
            }
            assertEquals(expected, seen, "the dual-stack node's peers, as `molia admin peers --json` shows them");
            String human = admin(dual.dataDir(), "peers");
            assertTrue(human.contains("[::x]:" + v6.address().port()), "the interface ID hidden:\n" + human);
            assertTrue(human.contains("127.0.0.x:" + v4.address().port()), human);
        }
    }

    private static String admin(Path dataDir, String... args) {
        CommandLine cli = MoliaCommand.newCommandLine();
        StringWriter out = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(new StringWriter(), true));
        List<String> a = new ArrayList<>(List.of("admin", "--data-dir", dataDir.toString()));
        a.addAll(List.of(args));
        assertEquals(0, cli.execute(a.toArray(String[]::new)), "molia admin " + a);
        return out.toString();
    }
}
