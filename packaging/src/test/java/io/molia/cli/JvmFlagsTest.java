package io.molia.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JvmFlagsTest {
    @Test
    void aSmallNodeHasASmallHeapAndSharesTheArchiveWhereOneIsGiven() {
        List<String> flags = JvmFlags.smallNode(25, "/cds/node.jsa");
        assertTrue(flags.containsAll(List.of("-XX:+UseSerialGC", "-Xmx128m", "-XX:TieredStopAtLevel=1",
                "-XX:TrimNativeHeapInterval=5000", "-XX:SharedArchiveFile=/cds/node.jsa",
                "-XX:ArchiveRelocationMode=0")), flags.toString());
        List<String> old = JvmFlags.smallNode(21, null);
        assertFalse(old.stream().anyMatch(f -> f.startsWith("-XX:TrimNativeHeapInterval")), "a JDK 22 flag: " + old);
        assertFalse(old.stream().anyMatch(f -> f.contains("Archive")), "no archive, no archive flags: " + old);
    }

    /** A flag this JVM does not know would stop every devnet node at its start: this JVM must take them all. */
    @Test
    void thisJvmStartsWithEveryFlagEvenWhenTheArchiveIsMissing(@TempDir Path dir) throws Exception {
        for (String archive : new String[] {null, dir.resolve("missing.jsa").toString()}) {
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                    .toString()));
            command.addAll(JvmFlags.smallNode(Runtime.version().feature(), archive));
            command.add("-version");
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), command + "\n" + out);
            assertFalse(out.toLowerCase(java.util.Locale.ROOT).contains("warning"), command + "\n" + out);
        }
    }
}
