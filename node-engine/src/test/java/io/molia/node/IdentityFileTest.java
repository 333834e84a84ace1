package io.molia.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import io.molia.crypto.Ed25519Identity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdentityFileTest {
    @TempDir
    Path dir;

    @Test
    void createdOnceWithMode0600AndStableAfterwards() throws IOException {
        Path dataDir = dir.resolve("node-a");
        Ed25519Identity first = IdentityFile.loadOrCreate(dataDir);
        Path file = dataDir.resolve(IdentityFile.FILE_NAME);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertArrayEquals(first.publicKey(), IdentityFile.loadOrCreate(dataDir).publicKey());
    }

    @Test
    void aKeyOthersCanReadIsRefusedWithTheFix() throws IOException {
        IdentityFile.loadOrCreate(dir);
        Path file = dir.resolve(IdentityFile.FILE_NAME);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        IOException e = assertThrows(IOException.class, () -> IdentityFile.loadOrCreate(dir));
        assertTrue(e.getMessage().endsWith("run: chmod 600 " + file), e.getMessage());
    }

    @Test
    void aCorruptKeyIsNamed() throws IOException {
        IdentityFile.loadOrCreate(dir);
        Path file = dir.resolve(IdentityFile.FILE_NAME);
        Files.writeString(file, "not a key\n");
        IOException e = assertThrows(IOException.class, () -> IdentityFile.loadOrCreate(dir));
        assertEquals(file + " is not an identity key (expected 64 hex digits)", e.getMessage());
    }
}
