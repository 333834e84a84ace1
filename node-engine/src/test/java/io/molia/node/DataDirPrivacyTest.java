package io.molia.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.molia.admin.AdminServer;
import io.molia.wal.WalLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A live node's data dir is private to its user: every directory 0700 and every file 0600 (identity key, lock,
 * Chronicle's queue files, snapshots, the admin socket), as created and after a compaction; a data dir left open
 * (an operator's mkdir, an older node's files) is narrowed at start.
 */
class DataDirPrivacyTest {
    private static final InetSocketAddress LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    @Test
    void everythingANodeWritesIsPrivateToItsUser(@TempDir Path root) throws Exception {
        Path dir = root.resolve("node");
        try (MoliaNode node = MoliaNode.start(new NodeConfig(dir, LOOPBACK, List.of(), new byte[32], 2, null)
                .withPowBits(4));
                MoliaNode peer = MoliaNode.start(new NodeConfig(root.resolve("peer"), LOOPBACK,
                        List.of(node.address()), new byte[32], 1, null).withPowBits(4));
                AdminServer admin = AdminServer.start(node, AdminServer.Options.defaults(dir, null, () -> { }))) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (node.status().get(5, TimeUnit.SECONDS).routingTableSize() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            node.compactWal().get(10, TimeUnit.SECONDS); // a snapshot and a second queue generation
            Path shard = WalLayout.shardDir(dir, 0);
            assertFalse(WalLayout.snapshots(shard).isEmpty(), "a snapshot was written");
            assertTrue(WalLayout.generations(shard).size() >= 1, "queues");
            assertPrivate(dir);
        }
    }

    @Test
    void aDataDirOpenToOthersIsNarrowedAtStart(@TempDir Path root) throws Exception {
        Path dir = root.resolve("node");
        try (MoliaNode node = MoliaNode.start(new NodeConfig(dir, LOOPBACK, List.of(), new byte[32], 1, null)
                .withPowBits(4))) {
            node.compactWal().get(10, TimeUnit.SECONDS);
        }
        // As an older node left it: directories 0755, files 0644 (the identity key aside: it has its own rule).
        List<Path> opened = new ArrayList<>();
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.toList()) {
                if (!p.getFileName().toString().equals(IdentityFile.FILE_NAME)) {
                    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(
                            Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
                    opened.add(p);
                }
            }
        }
        assertTrue(opened.size() >= 6, "the data dir, wal/, shard-0/, a queue's dir and files: " + opened);
        try (MoliaNode node = MoliaNode.start(new NodeConfig(dir, LOOPBACK, List.of(), new byte[32], 1, null)
                .withPowBits(4))) {
            assertPrivate(dir);
        }
    }

    private static void assertPrivate(Path dir) throws Exception {
        int checked = 0;
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.toList()) {
                String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
                assertEquals(Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? "rwx------" : "rw-------", mode,
                        dir.relativize(p).toString());
                checked++;
            }
        }
        assertTrue(checked >= 8, "the identity key, the lock, the WAL's directories and files: " + checked);
    }
}
