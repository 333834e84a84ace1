package io.molia.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.molia.contact.NodeId;
import io.molia.node.MoliaAddress;

/** Real `molia node` processes from the packaged jars, for the end-to-end tests; closes them all. */
final class NodeProcesses implements AutoCloseable {
    /** A started node. */
    record Started(Process process, NodeId id, MoliaAddress address, Path dataDir) {
    }

    private final List<Process> processes = new ArrayList<>();

    static Path lib() {
        Path lib = Path.of("target", "lib").toAbsolutePath();
        assertTrue(Files.isDirectory(lib), "packaged jars in " + lib + " (the ITs run after package)");
        return lib;
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /**
     * The `molia` command line: java with the project's JVM flags ({@code scripts/lib/jvm-flags}: Chronicle's
     * opens, analytics off), a small heap, the packaged class path, the root class.
     */
    static List<String> molia(String maxHeap) {
        Path flags = Path.of("..", "scripts", "lib", "jvm-flags").toAbsolutePath().normalize();
        assertTrue(Files.isRegularFile(flags), "the JVM flags file " + flags);
        List<String> command = new ArrayList<>(List.of(java(), "@" + flags, "-Xmx" + maxHeap,
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
        if (Runtime.version().feature() >= 24) {
            command.add("--sun-misc-unsafe-memory-access=allow"); // JCTools and Chronicle still use sun.misc.Unsafe
        }
        command.addAll(List.of("-cp", lib() + "/*", "io.molia.cli.MoliaCommand"));
        return command;
    }

    static List<String> molia() {
        return molia("96m");
    }

    Started start(Path dataDir, MoliaAddress bootstrap, String... extra) throws Exception {
        return startOn("127.0.0.1:0", dataDir, bootstrap, extra);
    }

    /** A node bound to {@code listen} (the {@code --listen} text, e.g. {@code [::1]:0}). */
    Started startOn(String listen, Path dataDir, MoliaAddress bootstrap, String... extra) throws Exception {
        return startOn(listen, dataDir, bootstrap, ProcessBuilder.Redirect.DISCARD, extra);
    }

    /** A node started under {@code prefix} (e.g. {@code ip netns exec NS}), bound to {@code listen}. */
    Started startIn(List<String> prefix, String listen, Path dataDir, MoliaAddress bootstrap, String... extra)
            throws Exception {
        return startOn(prefix, listen, dataDir, bootstrap, ProcessBuilder.Redirect.DISCARD, extra);
    }

    /** A node on loopback whose log lines (stderr) go to {@code log}. */
    Started startLogging(Path dataDir, MoliaAddress bootstrap, Path log, String... extra) throws Exception {
        return startOn("127.0.0.1:0", dataDir, bootstrap, ProcessBuilder.Redirect.to(log.toFile()), extra);
    }

    private Started startOn(String listen, Path dataDir, MoliaAddress bootstrap, ProcessBuilder.Redirect stderr,
            String... extra) throws Exception {
        return startOn(List.of(), listen, dataDir, bootstrap, stderr, extra);
    }

    private Started startOn(List<String> prefix, String listen, Path dataDir, MoliaAddress bootstrap,
            ProcessBuilder.Redirect stderr, String... extra) throws Exception {
        List<String> command = new ArrayList<>(prefix);
        command.addAll(molia());
        command.addAll(List.of("node", "--pow-bits", "4", "--data-dir", dataDir.toString(), "--listen", listen,
                "--ready-json"));
        command.addAll(List.of(extra));
        if (bootstrap != null) {
            command.add("--bootstrap");
            command.add(bootstrap.toString());
        }
        Process p = new ProcessBuilder(command).redirectError(stderr).start();
        processes.add(p);
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String line;
        while ((line = out.readLine()) != null && System.nanoTime() < deadline) {
            if (line.startsWith("{")) {
                JsonNode ready = new ObjectMapper().readTree(line);
                // The admin socket exists once the node printed it is ready.
                assertTrue(Files.exists(dataDir.resolve("admin.sock")), "admin.sock in " + dataDir);
                return new Started(p, NodeId.fromHex(ready.get("node_id").asText()),
                        MoliaAddress.parse(ready.get("address").asText()), dataDir);
            }
        }
        fail("the node in " + dataDir + " did not report ready");
        return null;
    }

    @Override
    public void close() {
        for (Process p : processes) {
            p.destroyForcibly();
        }
        for (Process p : processes) {
            try {
                p.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
