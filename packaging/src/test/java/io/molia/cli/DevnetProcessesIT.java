package io.molia.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `molia devnet --processes`: real node processes (one shard each, small JVMs) join, pass the self-check, and the
 * devnet prints each node's RSS and PSS from /proc, then stops them all at the end of {@code --duration}.
 */
class DevnetProcessesIT {
    private static final Pattern SUMMARY = Pattern.compile(
            "node RSS: min (\\d+), median (\\d+), max (\\d+), sum (\\d+) MiB over (\\d+) node processes");
    private static final Pattern PSS = Pattern.compile(
            "node PSS: min (\\d+), median (\\d+), max (\\d+), sum (\\d+) MiB over (\\d+) node processes");

    @Test
    void aDevnetOfNodeProcessesReportsEachNodesRss(@TempDir Path dir) throws Exception {
        List<String> command = NodeProcesses.molia("128m");
        command.addAll(List.of("devnet", "--processes", "--nodes", "2", "--no-dash", "--duration", "1",
                "--data-dir", dir.resolve("devnet").toString()));
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        assertTrue(p.waitFor(180, TimeUnit.SECONDS), "the devnet stops after --duration");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
        Matcher m = SUMMARY.matcher(out);
        assertTrue(m.find(), out);
        assertEquals(2, Integer.parseInt(m.group(5)));
        long min = Long.parseLong(m.group(1));
        long max = Long.parseLong(m.group(3));
        assertTrue(min > 10 && min <= max && Long.parseLong(m.group(4)) >= 2 * min, out);
        assertTrue(out.contains("node RSS/PSS (MiB) 0:") && out.contains(" 1:"), out);
        Matcher pss = PSS.matcher(out);
        assertTrue(pss.find(), out);
        // Shared pages (libjvm, the class-data archive) count whole in each RSS, a share in each PSS.
        assertTrue(Long.parseLong(pss.group(1)) > 5 && Long.parseLong(pss.group(4)) <= Long.parseLong(m.group(4)),
                out);
    }
}
