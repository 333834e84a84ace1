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
            assertEquals(1, run("wal", "compact", dir.toString(), "--in-place")); // it writes; the readers read
        }
        assertTrue(err.toString().contains("is in use by a running node") && err.toString().contains("stop it first"),
                err.toString());
        assertTrue(err.toString().lines().count() == 1, err.toString());
    }

    @Test
    void aNegativeLimitIsBadUsageNamingTheFlag() throws Exception {
        java.nio.file.Files.createDirectories(dir.resolve("wal/shard-0"));
        assertEquals(2, run("wal", "dump", dir.toString(), "--limit", "-5"));
        assertTrue(err.toString().lines().findFirst().orElseThrow().contains("--limit: must be 0 or more, got -5"),
                err.toString());
    }

    @Test
    void salvageIsMountedAndSaysWhenThereIsNothingToDo() throws Exception {
        java.nio.file.Files.createDirectories(dir.resolve("wal/shard-0"));
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.PrintStream original = System.out;
        System.setOut(new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            assertEquals(0, run("wal", "salvage", dir.toString()));
        } finally {
            System.setOut(original);
        }
        assertTrue(out.toString(java.nio.charset.StandardCharsets.UTF_8).startsWith("nothing to salvage"),
                out.toString());
        try (DataDirLock held = DataDirLock.acquire(dir, "molia node")) {
            assertEquals(1, run("wal", "salvage", dir.toString()), "salvage writes: a running node's dir is refused");
        }
    }

    @Test
    void compactNeedsAnOutputChoice() {
        assertEquals(2, run("wal", "compact", dir.toString()));
        assertEquals("molia: give either --out DIR or --in-place (see 'molia wal compact --help')",
                err.toString().strip());
    }
}
