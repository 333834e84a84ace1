package io.molia.admin;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/** The {@code admin.sock} file: created so that nobody but the node's user can ever reach it. */
final class AdminSocketFile {
    private AdminSocketFile() {
    }

    /**
     * Binds in a fresh directory of mode 0700, sets the socket's mode to 0600, then renames it into place: nobody
     * else can ever reach the socket while its mode is still the umask's. A socket file left by a dead node is
     * replaced; a live one (it accepts a connection) means another node uses this data dir.
     */
    static ServerSocketChannel bind(Path socket) throws IOException {
        Path dir = socket.toAbsolutePath().getParent();
        io.molia.wal.PrivateFiles.createDirectories(dir);
        if (Files.exists(socket)) {
            try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
                throw new IOException("another node serves " + socket + ": one data dir per node");
            } catch (IOException e) {
                if (e.getMessage() != null && e.getMessage().startsWith("another node")) {
                    throw e;
                }
                Files.deleteIfExists(socket); // a dead node's socket
            }
        }
        Path staging = Files.createTempDirectory(dir, ".admin-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path staged = staging.resolve(AdminProtocol.SOCKET_FILE);
        ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.bind(UnixDomainSocketAddress.of(staged), 64);
            Files.setPosixFilePermissions(staged, PosixFilePermissions.fromString("rw-------"));
            Files.move(staged, socket, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            ch.close();
            throw e;
        } finally {
            Files.deleteIfExists(staged);
            Files.deleteIfExists(staging);
        }
        return ch;
    }
}
