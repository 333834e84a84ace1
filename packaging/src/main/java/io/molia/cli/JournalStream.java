package io.molia.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether this process's stdout is systemd's journal: systemd sets {@code JOURNAL_STREAM} to the
 * {@code device:inode} of the socket it connected stdout or stderr to (systemd.exec(5)), and a socket's inode is
 * what {@code /proc/self/fd/1} names ({@code socket:[inode]}).
 */
final class JournalStream {
    private JournalStream() {
    }

    /** {@code journalStream}: the variable's value, or null when systemd did not set it. */
    static boolean isStdout(String journalStream) {
        if (journalStream == null) {
            return false;
        }
        try {
            return names(journalStream, Files.readSymbolicLink(Path.of("/proc/self/fd/1")).toString());
        } catch (IOException | UnsupportedOperationException e) {
            return false; // no /proc: not Linux, so no journal either
        }
    }

    /** Whether {@code JOURNAL_STREAM}'s value names the file a {@code /proc/self/fd} link points to. */
    static boolean names(String journalStream, String fdLink) {
        int colon = journalStream.indexOf(':');
        return colon > 0 && fdLink.equals("socket:[" + journalStream.substring(colon + 1) + "]");
    }
}
