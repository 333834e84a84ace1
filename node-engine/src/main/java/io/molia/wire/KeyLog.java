package io.molia.wire;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.molia.crypto.X25519Keys;

/**
 * The keys of a WireGuard key log, read as Wireshark's dissector reads them ({@code wg.keylog_file}): lines
 * {@code TYPE = base64} with TYPE one of {@code LOCAL_STATIC_PRIVATE_KEY}, {@code REMOTE_STATIC_PUBLIC_KEY},
 * {@code LOCAL_EPHEMERAL_PRIVATE_KEY} and {@code PRESHARED_KEY}; a pre-shared key belongs to the ephemeral key on
 * the line before it. Other lines are ignored (and counted). Several logs (one per node) may be merged.
 */
public final class KeyLog {
    /** A static key: its public half, and its private half when some log had it (else null). */
    public record StaticKey(byte[] publicKey, byte[] privateKey) {
    }

    /** An ephemeral key pair, with the pre-shared keys logged after it. */
    public record EphemeralKey(byte[] publicKey, byte[] privateKey, List<byte[]> preSharedKeys) {
    }

    private final Map<ByteBuffer, StaticKey> statics = new HashMap<>();
    private final Map<ByteBuffer, EphemeralKey> ephemerals = new HashMap<>();
    private int ignoredLines;

    /** Reads and merges the logs at {@code files}; a missing or unreadable file throws with a one-line reason. */
    public static KeyLog read(List<Path> files) throws IOException {
        KeyLog log = new KeyLog();
        for (Path file : files) {
            String text;
            try {
                text = Files.readString(file, StandardCharsets.US_ASCII);
            } catch (NoSuchFileException e) {
                throw new IOException("key log " + file + ": no such file", e);
            } catch (IOException e) {
                throw new IOException("key log " + file + ": cannot be read: " + e.getMessage(), e);
            }
            if (log.add(text) == 0 && !text.isBlank()) {
                throw new IOException("key log " + file + " has no key lines (TYPE = base64, as molia node "
                        + "--wg-keylog writes)");
            }
        }
        return log;
    }

    /** A log of {@code text}'s lines. */
    public static KeyLog parse(String text) {
        KeyLog log = new KeyLog();
        log.add(text);
        return log;
    }

    /** Adds the keys of {@code text}; returns how many key lines it had. */
    private int add(String text) {
        int keyLines = 0;
        EphemeralKey lastEphemeral = null;
        for (String line : text.split("\r?\n")) {
            int eq = line.indexOf('=');
            byte[] key = eq < 0 ? null : decode(line.substring(eq + 1).strip());
            if (key == null) {
                ignoredLines += line.isBlank() ? 0 : 1;
                continue;
            }
            keyLines++;
            switch (line.substring(0, eq).strip()) {
                case "LOCAL_STATIC_PRIVATE_KEY" -> addStatic(X25519Keys.publicKey(key), key);
                case "REMOTE_STATIC_PUBLIC_KEY" -> addStatic(key, null);
                case "LOCAL_EPHEMERAL_PRIVATE_KEY" -> {
                    byte[] pub = X25519Keys.publicKey(key);
                    lastEphemeral = ephemerals.computeIfAbsent(ByteBuffer.wrap(pub),
                            k -> new EphemeralKey(pub, key, new ArrayList<>()));
                }
                case "PRESHARED_KEY" -> {
                    if (lastEphemeral != null) {
                        lastEphemeral.preSharedKeys().add(key);
                        lastEphemeral = null;
                    } else {
                        ignoredLines++; // no ephemeral key just before it: Wireshark ignores it too
                    }
                }
                default -> {
                    keyLines--;
                    ignoredLines++;
                }
            }
        }
        return keyLines;
    }

    private void addStatic(byte[] publicKey, byte[] privateKey) {
        StaticKey known = statics.get(ByteBuffer.wrap(publicKey));
        if (known == null || (known.privateKey() == null && privateKey != null)) {
            statics.put(ByteBuffer.wrap(publicKey), new StaticKey(publicKey, privateKey));
        }
    }

    private static byte[] decode(String base64) {
        try {
            byte[] key = Base64.getDecoder().decode(base64);
            return key.length == 32 ? key : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** Every static key known, public or private: the candidates for a handshake's responder (by its mac1). */
    public Collection<StaticKey> statics() {
        return statics.values();
    }

    /** The static key whose public half is {@code publicKey}, or null. */
    public StaticKey staticKey(byte[] publicKey) {
        return statics.get(ByteBuffer.wrap(publicKey));
    }

    /** The ephemeral key whose public half is {@code publicKey}, or null. */
    public EphemeralKey ephemeral(byte[] publicKey) {
        return ephemerals.get(ByteBuffer.wrap(publicKey));
    }

    /** Static and ephemeral keys known. */
    public int keyCount() {
        return statics.size() + ephemerals.size();
    }

    public int ignoredLines() {
        return ignoredLines;
    }
}
