package io.molia.adminclient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one line an operator reads when the client cannot reach a node, on real Unix sockets. */
class AdminClientTest {
    @TempDir
    Path dir;

    @Test
    void aMissingSocketSaysSoAndAsksAboutTheDataDir() {
        Path socket = dir.resolve("admin.sock");
        AdminClient.ConnectException e = assertThrows(AdminClient.ConnectException.class,
                () -> AdminClient.connect(socket));
        assertEquals("no admin socket at " + socket + " (is the node running with this data dir?)", e.getMessage());
    }

    @Test
    void aSocketFileNobodyListensOnSaysTheNodeStopped() throws Exception {
        Path socket = dir.resolve("admin.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
        }
        assertTrue(Files.exists(socket), "a closed listener leaves its socket file, as a killed node does");
        AdminClient.ConnectException e = assertThrows(AdminClient.ConnectException.class,
                () -> AdminClient.connect(socket));
        assertEquals("nobody listens on " + socket + " (the node stopped)", e.getMessage());
    }
}
