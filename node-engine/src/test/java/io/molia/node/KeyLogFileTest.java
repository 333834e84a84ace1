package io.molia.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The debug key log's file: private to its owner from the first byte, appended to, never through a symlink. */
class KeyLogFileTest {
    @TempDir
    Path dir;

    @Test
    void createdPrivateAndAppendedTo() throws Exception {
        Path file = dir.resolve("keys.log");
        try (KeyLogFile log = KeyLogFile.open(file)) {
            log.writer().write("LOCAL_STATIC_PRIVATE_KEY = a\n");
            log.writer().flush();
        }
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        try (KeyLogFile log = KeyLogFile.open(file)) {
            log.writer().write("LOCAL_STATIC_PRIVATE_KEY = b\n");
            log.writer().flush();
        }
        assertEquals("LOCAL_STATIC_PRIVATE_KEY = a\nLOCAL_STATIC_PRIVATE_KEY = b\n", Files.readString(file),
                "a restart appends: earlier sessions stay decryptable");
    }

    @Test
    void aFileOthersCanReadOrASymlinkIsRefused() throws Exception {
        Path loose = Files.writeString(dir.resolve("loose.log"), "");
        Files.setPosixFilePermissions(loose, PosixFilePermissions.fromString("rw-r-----"));
        IOException e = assertThrows(IOException.class, () -> KeyLogFile.open(loose));
        assertEquals("key log " + loose + " is readable by others (mode rw-r-----); run: chmod 600 " + loose,
                e.getMessage());

        Path target = dir.resolve("elsewhere");
        Path link = Files.createSymbolicLink(dir.resolve("link.log"), target);
        e = assertThrows(IOException.class, () -> KeyLogFile.open(link));
        assertTrue(e.getMessage().startsWith("key log " + link + " "), e.getMessage());
        assertTrue(Files.notExists(target), "nothing was created through the link");

        Path nowhere = dir.resolve("no-such-dir").resolve("keys.log");
        e = assertThrows(IOException.class, () -> KeyLogFile.open(nowhere));
        assertEquals("key log " + nowhere + " cannot be created: its directory does not exist", e.getMessage());
    }
}
