package io.molia.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node's UDP port is its own, between real `molia node` processes: a second node on a port in use (the same
 * address, or the dual-stack wildcard over it) exits at start with one line naming the address, and nodes asked for
 * port 0 get ports of their own even when the kernel has almost none left to give: in a network namespace whose
 * ephemeral range holds two ports, two nodes get one each and a third is refused (with SO_REUSEPORT on its first
 * socket, as before, the kernel handed it a port a node held and the two split its traffic). The namespace needs
 * root: .ci/run runs as root; without it the test fails, it never skips.
 */
class PortClaimIT {
    private final List<Process> processes = new ArrayList<>();

    @Test
    void aSecondNodeOnAPortInUseExitsWithOneLineNamingTheAddress(@TempDir Path dir) throws Exception {
        try {
            int port = startNode(List.of(), dir.resolve("first"), "127.0.0.1:0", "--shards", "2");
            for (String second : List.of("127.0.0.1", "[::]")) {
                Failed f = failingNode(List.of(), dir.resolve("second"), second + ":" + port);
                assertEquals(1, f.exitCode(), f.stderr());
                assertEquals("molia node: UDP port " + port + " on " + second.replace("[", "").replace("]", "")
                        + " is in use", f.stderr().strip());
            }
        } finally {
            stopAll();
        }
    }

    @Test
    void nodesAskedForPortZeroGetPortsOfTheirOwn(@TempDir Path dir) throws Exception {
        assertEquals("0", run("id", "-u").strip(), "this test creates a network namespace: it needs root");
        String ns = "molia-port0-" + ProcessHandle.current().pid();
        List<String> inNs = List.of("ip", "netns", "exec", ns);
        run("ip", "netns", "add", ns);
        try {
            run("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up");
            run("ip", "netns", "exec", ns, "sysctl", "-q", "-w", "net.ipv4.ip_local_port_range=47100 47101");
            int a = startNode(inNs, dir.resolve("a"), "127.0.0.1:0", "--shards", "2");
            int b = startNode(inNs, dir.resolve("b"), "127.0.0.1:0", "--shards", "2");
            assertNotEquals(a, b, "two nodes, two ports");
            assertTrue(List.of(47100, 47101).containsAll(List.of(a, b)), a + " " + b);
            Failed c = failingNode(inNs, dir.resolve("c"), "127.0.0.1:0");
            assertEquals(1, c.exitCode(), c.stderr());
            // The last line: in a namespace without a hardware address Netty logs a warning first.
            String[] lines = c.stderr().strip().split("\n");
            assertEquals("molia node: no free UDP port on 127.0.0.1", lines[lines.length - 1], c.stderr());
        } finally {
            stopAll();
            run("ip", "netns", "del", ns);
        }
    }

    /** Starts a node that stays up; returns its port. */
    private int startNode(List<String> prefix, Path dataDir, String listen, String... extra) throws Exception {
        List<String> command = command(prefix, dataDir, listen, extra);
        command.add("--ready-json");
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        processes.add(p);
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = out.readLine()) != null) {
            if (line.startsWith("{")) {
                return new ObjectMapper().readTree(line).get("port").asInt();
            }
        }
        fail("the node in " + dataDir + " exited before it was ready: " + p.waitFor());
        return -1;
    }

    private record Failed(int exitCode, String stderr) {
    }

    /** Runs a node expected to fail at start; one still running after a minute has started, sharing a port. */
    private Failed failingNode(List<String> prefix, Path dataDir, String listen) throws Exception {
        Path err = java.nio.file.Files.createTempFile("molia-port-", ".err");
        try {
            Process p = new ProcessBuilder(command(prefix, dataDir, listen))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(err.toFile()).start();
            processes.add(p);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the node on " + listen + " started: it shares a port");
            return new Failed(p.exitValue(), java.nio.file.Files.readString(err));
        } finally {
            java.nio.file.Files.deleteIfExists(err);
        }
    }

    private static List<String> command(List<String> prefix, Path dataDir, String listen, String... extra) {
        List<String> command = new ArrayList<>(prefix);
        command.addAll(NodeProcesses.molia());
        command.addAll(List.of("node", "--pow-bits", "4", "--data-dir", dataDir.toString(), "--listen", listen,
                "--no-admin-socket"));
        command.addAll(List.of(extra));
        return command;
    }

    private void stopAll() throws InterruptedException {
        for (Process p : processes) {
            p.destroyForcibly();
        }
        for (Process p : processes) {
            p.waitFor(10, TimeUnit.SECONDS);
        }
        processes.clear();
    }

    private static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), String.join(" ", command) + ": " + out);
        return out;
    }
}
