package io.molia.node;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * The debug key log ({@code molia node --wg-keylog FILE}): every session's keys, appended in the format of
 * Wireshark's WireGuard key log, so a capture of this node's traffic can be decrypted. Created with mode 0600; an
 * existing file must be a regular file only its owner can read, as {@code identity.key} must. Each session's lines
 * go out in one write (see {@code SessionManager.setKeyLog}), so the shards of a node, and several nodes appending
 * to one file, never interleave their blocks.
 */
public final class KeyLogFile implements AutoCloseable {
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private final Path path;
    private final Writer writer;

    private KeyLogFile(Path path, Writer writer) {
        this.path = path;
        this.writer = writer;
    }

    /** Opens {@code path} for appending, creating it with mode 0600; a one-line reason when it cannot. */
    public static KeyLogFile open(Path path) throws IOException {
        if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            if (!Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
                throw new IOException("key log " + path + " is not a regular file");
            }
            Set<PosixFilePermission> mode = Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS);
            if (!OWNER_ONLY.containsAll(mode)) {
                throw new IOException("key log " + path + " is readable by others (mode "
                        + PosixFilePermissions.toString(mode) + "); run: chmod 600 " + path);
            }
        }
        FileChannel channel;
        try {
            channel = FileChannel.open(path, Set.of(StandardOpenOption.CREATE, StandardOpenOption.APPEND,
                    StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS),
                    PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IOException("key log " + path + " cannot be created: its directory does not exist", e);
        } catch (IOException e) {
            throw new IOException("key log " + path + " cannot be opened: " + e.getMessage(), e);
        }
        return new KeyLogFile(path,
                new OutputStreamWriter(Channels.newOutputStream(channel), StandardCharsets.US_ASCII));
    }

    public Path path() {
        return path;
    }

    /** What the session layers write to (thread-safe: one write call at a time). */
    public Writer writer() {
        return writer;
    }

    @Override
    public void close() {
        try {
            writer.close();
        } catch (IOException e) {
            // a debug aid: nothing to do about a key log that cannot be closed
        }
    }
}
