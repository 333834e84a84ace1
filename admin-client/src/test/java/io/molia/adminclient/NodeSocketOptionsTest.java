package io.molia.adminclient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

class NodeSocketOptionsTest {
    @Command(name = "probe")
    static final class Probe {
        @Mixin
        NodeSocketOptions target;
    }

    private static NodeSocketOptions parse(String... args) {
        Probe p = new Probe();
        new CommandLine(p).parseArgs(args);
        return p.target;
    }

    @Test
    void aSocketWinsThenADevnetNodeThenADataDir() {
        assertEquals(Path.of("/run/a.sock"),
                parse("--socket", "/run/a.sock", "--data-dir", "d", "--node", "3").socket());
        assertEquals(Path.of("d/node-3/admin.sock"), parse("--data-dir", "d", "--node", "3").socket());
        assertEquals(Path.of("d/admin.sock"), parse("--data-dir", "d").socket());
    }

    @Test
    void aDevnetNodeWithoutADataDirIsUnderTheDevnetDefault() {
        NodeSocketOptions o = parse("--node", "2");
        assertEquals(Path.of("devnet-data/node-2/admin.sock"), o.socket());
        assertEquals(Path.of("devnet-data"), o.devnetDir());
        assertEquals(2, o.devnetNode());
        NodeSocketOptions single = parse("--data-dir", "d");
        assertNull(single.devnetDir());
        assertEquals(-1, single.devnetNode());
    }

    @Test
    void aNegativeNodeIsBadUsage() {
        CommandLine.ParameterException e = assertThrows(
                CommandLine.ParameterException.class, () -> parse("--node", "-1"));
        assertTrue(e.getMessage().contains("--node"), e.getMessage());
    }
}
