package io.molia.wal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The lock a running node holds on its data dir ({@code molia.lock}, an OS file lock that dies with the process,
 * so a SIGKILL leaves nothing stale). The node takes it before touching the WAL; the offline tools take it too and
 * refuse with a clear message when a node holds it.
 */
public final class DataDirLock implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock lock;

    private DataDirLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** Takes the lock or throws IllegalStateException naming the holder's PID when another process holds it. */
    public static DataDirLock acquire(Path dataDir, String who) throws IOException {
        PrivateFiles.createDirectories(dataDir);
        Path file = dataDir.resolve(WalLayout.LOCK_FILE);
        FileChannel ch = FileChannel.open(file, java.util.Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE), PrivateFiles.fileMode());
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            String holder = Files.readString(file, StandardCharsets.UTF_8).strip();
            ch.close();
            throw new IllegalStateException(dataDir + " is in use by a running node (" + WalLayout.LOCK_FILE + ": "
                    + (holder.isEmpty() ? "held" : holder) + "); stop it first");
        }
        ch.truncate(0);
        ch.write(java.nio.ByteBuffer.wrap(("pid " + ProcessHandle.current().pid() + " " + who + "\n")
                .getBytes(StandardCharsets.UTF_8)), 0);
        return new DataDirLock(ch, lock);
    }

    /**
     * Who holds the data dir's lock ("pid 1234 molia node"), or null when nobody does; takes nothing, creates and
     * writes nothing (the read-only tools use it to say they read a live node's files), so read access is enough: a
     * shared lock is refused while the node holds its exclusive one.
     */
    public static String holder(Path dataDir) throws IOException {
        Path file = dataDir.resolve(WalLayout.LOCK_FILE);
        if (!Files.exists(file)) {
            return null;
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            FileLock lock;
            try {
                lock = ch.tryLock(0, Long.MAX_VALUE, true);
            } catch (OverlappingFileLockException e) {
                lock = null; // this process holds it
            }
            if (lock != null) {
                lock.release();
                return null;
            }
        }
        String holder = Files.readString(file, StandardCharsets.UTF_8).strip();
        return holder.isEmpty() ? "held" : holder;
    }

    @Override
    public void close() throws IOException {
        if (channel.isOpen()) { // a closed channel (an interrupt closes it) has released its lock already
            lock.release();
            channel.close();
        }
    }
}
