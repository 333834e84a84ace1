package io.molia.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class JournalStreamTest {
    @Test
    void theVariableNamesTheSocketStdoutIsConnectedTo() {
        assertTrue(JournalStream.names("8:123456", "socket:[123456]"));
        assertFalse(JournalStream.names("8:123456", "socket:[654321]"), "stderr's socket, stdout elsewhere");
        assertFalse(JournalStream.names("8:123456", "/dev/pts/0"));
        assertFalse(JournalStream.names("garbage", "socket:[123456]"));
        assertFalse(JournalStream.isStdout(null));
    }
}
