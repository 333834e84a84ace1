package io.molia.node;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Set;

import io.molia.crypto.Ed25519Identity;
import io.molia.wal.PrivateFiles;

/**
 * The node's long-term key in {@code <data dir>/identity.key}: the 32-byte Ed25519 seed as one line of hex, file
 * mode 0600, created on first start. A key readable by group or others is refused, as ssh refuses such keys.
 */
public final class IdentityFile {
    public static final String FILE_NAME = "identity.key";
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private IdentityFile() {
    }

    /** Loads the identity of {@code dataDir}, creating the directory and a fresh key if there is none. */
    public static Ed25519Identity loadOrCreate(Path dataDir) throws IOException {
        try {
            PrivateFiles.createDirectories(dataDir);
        } catch (IOException e) {
            throw new IOException("data dir " + dataDir + " cannot be created: " + e.getMessage(), e);
        }
        if (!Files.isWritable(dataDir)) {
            throw new AccessDeniedException(dataDir.toString(), null, "data dir is not writable");
        }
        Path file = dataDir.resolve(FILE_NAME);
        if (!Files.exists(file)) {
            byte[] seed = new byte[Ed25519Identity.SEED_BYTES];
            new SecureRandom().nextBytes(seed);
            try {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
                Files.writeString(file, HexFormat.of().formatHex(seed) + "\n", StandardCharsets.US_ASCII);
                return Ed25519Identity.fromSeed(seed);
            } catch (FileAlreadyExistsException raced) {
                // Another process created it between our check and create: read theirs.
            }
        }
        return load(file);
    }

    static Ed25519Identity load(Path file) throws IOException {
        Set<PosixFilePermission> mode = Files.getPosixFilePermissions(file);
        if (!OWNER_ONLY.containsAll(mode)) {
            throw new IOException(file + " is readable by others (mode " + PosixFilePermissions.toString(mode)
                    + "); run: chmod 600 " + file);
        }
        String text = Files.readString(file, StandardCharsets.US_ASCII).strip();
        if (text.length() != 2 * Ed25519Identity.SEED_BYTES) {
            throw new IOException(file + " is not an identity key (expected 64 hex digits)");
        }
        try {
            return Ed25519Identity.fromSeed(HexFormat.of().parseHex(text));
        } catch (IllegalArgumentException e) {
            throw new IOException(file + " is not an identity key (expected 64 hex digits)", e);
        }
    }
}
