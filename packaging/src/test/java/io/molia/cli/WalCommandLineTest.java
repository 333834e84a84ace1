package io.molia.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;

import io.molia.wal.DataDirLock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** `molia wal` through the root command: operators get one line and an exit code, never a stack trace. */
class WalCommandLineTest {
    @TempDir
    Path dir;

    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = MoliaCommand.newCommandLine();
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void aMissingDirIsOneLineAndExitOne() {
        assertEquals(1, run("wal", "verify", dir.resolve("nothing").toString()));
        List<String> lines = err.toString().lines().toList();
        assertEquals(1, lines.size(), err.toString());
        assertTrue(lines.get(0).startsWith("molia wal verify: ") && lines.get(0).endsWith("no such directory"),
                lines.get(0));
    }

    @Test
    void aDataDirHeldByANodeIsRefusedWithTheReason() throws Exception {
        java.nio.file.Files.createDirectories(dir.resolve("wal/shard-0"));
        try (DataDirLock held = DataDirLock.acquire(dir, "molia node")) {
            assertEquals(1, run("wal", "replay", dir.toString()));
        }
        assertTrue(err.toString().contains("is in use by a running node") && err.toString().contains("stop it first"),
                err.toString());
        assertTrue(err.toString().lines().count() == 1, err.toString());
    }

    @Test
    void compactNeedsAnOutputChoice() {
        assertEquals(2, run("wal", "compact", dir.toString()));
        assertEquals("molia: give either --out DIR or --in-place (see 'molia wal compact --help')",
                err.toString().strip());
    }
}
