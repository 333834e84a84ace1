package io.molia.arch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * DESIGN §3.1: the protocol core decides, it does not do I/O. Its sources may not reach sockets, threads, clocks,
 * global randomness, the transport, the simulator, Netty or Chronicle; nor may the session layer, the contact
 * types, or the shard that glues sessions and core (the real node's event loops and the simulator both drive it).
 */
class CoreHasNoIoTest {
    private static final List<String> SANS_IO_PACKAGES =
            List.of("io/molia/contact", "io/molia/core", "io/molia/codec", "io/molia/crypto", "io/molia/session",
                    "io/molia/shard", "io/molia/record", "io/molia/blob", "io/molia/relay");
    private static final List<String> FORBIDDEN = List.of("java.net.", "java.nio.channels", "java.nio.file",
            "java.io.File", "Thread", "System.nanoTime", "System.currentTimeMillis", "Instant.now", "Clock",
            "ThreadLocalRandom", "new Random(", "new SecureRandom", "Math.random", "io.netty", "net.openhft",
            "io.molia.sim", "io.molia.transport", "io.molia.shard", "io.molia.node");

    @Test
    void sansIoPackagesUseNoIoNoClockNoGlobalRandomness() throws IOException {
        Path main = Path.of("src/main/java");
        List<String> violations = new ArrayList<>();
        int files = 0;
        for (String pkg : SANS_IO_PACKAGES) {
            try (Stream<Path> paths = Files.walk(main.resolve(pkg))) {
                for (Path p : paths.filter(f -> f.toString().endsWith(".java")).toList()) {
                    files++;
                    List<String> lines = Files.readAllLines(p);
                    for (int i = 0; i < lines.size(); i++) {
                        String line = lines.get(i).strip();
                        if (line.startsWith("*") || line.startsWith("//") || line.startsWith("/*")) {
                            continue;
                        }
                        String own = pkg.replace('/', '.') + ".";
                        for (String bad : FORBIDDEN) {
                            if (line.contains(bad) && !(bad.startsWith("io.molia.") && own.startsWith(bad))) {
                                violations.add(main.relativize(p) + ":" + (i + 1) + " uses " + bad);
                            }
                        }
                    }
                }
            }
        }
        assertTrue(files >= 10, "scanned too few files (" + files + "): is the working directory the module?");
        assertEquals(List.of(), violations);
    }
}
