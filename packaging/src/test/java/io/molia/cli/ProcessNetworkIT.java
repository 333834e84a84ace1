package io.molia.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.molia.contact.Contact;
import io.molia.contact.NodeId;
import io.molia.core.CoreEvent;
import io.molia.node.MoliaAddress;
import io.molia.node.MoliaNode;
import io.molia.node.NodeConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Twenty `molia node` processes on loopback (the packaged command, real sockets, every datagram encrypted). A
 * client node in this JVM joins, checks that lookups return the true closest process and that a stored record
 * comes back, then five processes are killed with SIGKILL and lookups still find the closest survivor.
 */
class ProcessNetworkIT {
    private static final int PROCESSES = 20;
    private static final int KILLED = 5;

    @TempDir
    Path dir;

    private final List<Process> processes = new ArrayList<>();
    private MoliaNode client;

    @AfterEach
    void stopAll() {
        if (client != null) {
            client.close();
        }
        for (Process p : processes) {
            p.destroyForcibly();
        }
    }

    private record Started(Process process, NodeId id, MoliaAddress address) {
    }

    private Started startNode(int i, List<MoliaAddress> bootstrap) throws Exception {
        List<String> command = NodeProcesses.molia();
        command.addAll(List.of("node", "--pow-bits", "4", "--data-dir", dir.resolve("node-" + i).toString(),
                "--listen", "127.0.0.1:0", "--ready-json"));
        if (!bootstrap.isEmpty()) {
            command.add("--bootstrap");
            command.add(bootstrap.get(0).toString());
        }
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        processes.add(p);
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        String line;
        while ((line = out.readLine()) != null) {
            if (line.startsWith("{")) {
                JsonNode ready = new ObjectMapper().readTree(line);
                return new Started(p, NodeId.fromHex(ready.get("node_id").asText()),
                        MoliaAddress.parse(ready.get("address").asText()));
            }
            if (System.nanoTime() > deadline) {
                break;
            }
        }
        fail("node " + i + " did not report ready");
        return null;
    }

    @Test
    void twentyProcessesServeLookupsAndRecordsAndSurviveFiveKills() throws Exception {
        List<Started> nodes = new ArrayList<>();
        nodes.add(startNode(0, List.of()));
        for (int i = 1; i < PROCESSES; i++) {
            nodes.add(startNode(i, List.of(nodes.get(0).address())));
        }
        client = MoliaNode.start(new NodeConfig(dir.resolve("client"),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), List.of(nodes.get(0).address()),
                new byte[32], 1, null).withPowBits(4));
        Thread.sleep(1_000); // joins settle

        SplittableRandom random = new SplittableRandom(3);
        assertLookupsFindTheClosest(nodes, random, 20);

        byte[] value = "kept by the closest processes".getBytes(StandardCharsets.UTF_8);
        CoreEvent.PutCompleted put = client.put(value, 3600).get(10, TimeUnit.SECONDS);
        assertTrue(put.stored() >= PROCESSES / 2, "stored on " + put.stored());
        assertArrayEquals(value, client.get(put.key()).get(10, TimeUnit.SECONDS));

        for (int i = 0; i < KILLED; i++) {
            Started victim = nodes.remove(1 + random.nextInt(nodes.size() - 1));
            victim.process().destroyForcibly(); // SIGKILL: no goodbye
            victim.process().waitFor(5, TimeUnit.SECONDS);
        }
        assertLookupsFindTheClosest(nodes, random, 20);
        assertArrayEquals(value, client.get(put.key()).get(15, TimeUnit.SECONDS), "the record outlived the kills");
    }

    private void assertLookupsFindTheClosest(List<Started> alive, SplittableRandom random, int count) throws Exception {
        for (int i = 0; i < count; i++) {
            NodeId target = new NodeId(random.nextLong(), random.nextLong(), random.nextLong(), random.nextLong());
            List<Contact> found = client.lookup(target).get(15, TimeUnit.SECONDS);
            NodeId truth = alive.stream().map(Started::id).min(target::compareDistance).orElseThrow();
            assertTrue(!found.isEmpty(), "lookup " + i + " found nobody");
            assertEquals(truth, found.get(0).id(), "lookup " + i + " found the closest live process");
        }
    }
}
