package io.molia.node;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;

import io.molia.contact.NodeId;
import io.molia.contact.ProofOfWork;
import io.molia.wal.PrivateFiles;

/**
 * The proof of work of the node's identity, next to its key: {@code identity.pow} holds the nonce found for the key
 * ({@code molia keygen} finds it), and {@code identity.pow-search} where an interrupted search resumes. Both name
 * the node ID they belong to, so a replaced key never inherits a proof. Lines are {@code key value}; {@code #}
 * starts a comment.
 */
public final class IdentityProof {
    public static final String FILE_NAME = "identity.pow";
    public static final String SEARCH_FILE_NAME = "identity.pow-search";
    /** A node whose identity lacks the work finds it itself at start when it costs this little (devnets, tests). */
    public static final int INLINE_SEARCH_MAX_BITS = 16;

    private IdentityProof() {
    }

    /** The saved nonce of {@code id}, if {@code dataDir} has one for it. */
    public static OptionalLong loadNonce(Path dataDir, NodeId id) throws IOException {
        Map<String, String> v = read(dataDir.resolve(FILE_NAME));
        if (!id.toHex().equals(v.get("node")) || !v.containsKey("nonce")) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(parse(dataDir.resolve(FILE_NAME), v.get("nonce")));
    }

    public static void saveNonce(Path dataDir, NodeId id, long nonce) throws IOException {
        write(dataDir.resolve(FILE_NAME), "# proof of work of identity.key: BLAKE3(node ID || nonce) has "
                + ProofOfWork.leadingZeroBits(id, nonce) + " leading zero bits\nnode " + id.toHex() + "\nnonce "
                + Long.toUnsignedString(nonce) + "\n");
        Files.deleteIfExists(dataDir.resolve(SEARCH_FILE_NAME));
    }

    /**
     * Where a search for {@code bits} on {@code id} resumes: every nonce below it was tried by an earlier search
     * for at most as many bits (so none of them has {@code bits}); 0 when there is none.
     */
    public static long resumeFrom(Path dataDir, NodeId id, int bits) throws IOException {
        Path file = dataDir.resolve(SEARCH_FILE_NAME);
        Map<String, String> v = read(file);
        if (!id.toHex().equals(v.get("node")) || !v.containsKey("next") || !v.containsKey("bits")
                || parse(file, v.get("bits")) > bits) {
            return 0;
        }
        return parse(file, v.get("next"));
    }

    public static void saveSearch(Path dataDir, NodeId id, int bits, long next) throws IOException {
        write(dataDir.resolve(SEARCH_FILE_NAME), "# an interrupted molia keygen: run it again to resume\nnode "
                + id.toHex() + "\nbits " + bits + "\nnext " + next + "\n");
    }

    /**
     * At a node's start: the nonce that proves {@code bits} of work on its identity. A key created by this start,
     * or a cheap proof ({@link #INLINE_SEARCH_MAX_BITS}), is searched here on every core and saved; otherwise a
     * missing or short proof is an error of one line naming the key file, the bits and the fix.
     */
    public static long ensure(Path dataDir, NodeId id, int bits, boolean keyCreatedNow) throws IOException {
        OptionalLong saved = loadNonce(dataDir, id);
        int have = saved.isPresent() ? ProofOfWork.leadingZeroBits(id, saved.getAsLong()) : -1;
        if (have >= bits) {
            return saved.getAsLong();
        }
        if (!keyCreatedNow && bits > INLINE_SEARCH_MAX_BITS) {
            throw new IOException(dataDir.resolve(IdentityFile.FILE_NAME) + ": the identity's proof of work has "
                    + (have < 0 ? "not been computed" : have + " leading zero bits") + ", the network asks for "
                    + bits + " (--pow-bits); run: molia keygen --data-dir " + dataDir + " --pow-bits " + bits);
        }
        PowSearch search = new PowSearch(id, bits, Runtime.getRuntime().availableProcessors(),
                resumeFrom(dataDir, id, bits)).start();
        try {
            while (!search.await(1_000)) {
                saveSearch(dataDir, id, bits, search.resumeFrom()); // a node killed meanwhile resumes
            }
        } catch (InterruptedException e) {
            search.stop();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while searching the identity's proof of work", e);
        }
        saveNonce(dataDir, id, search.found());
        return search.found();
    }

    private static Map<String, String> read(Path file) throws IOException {
        Map<String, String> v = new HashMap<>();
        if (!Files.exists(file)) {
            return v;
        }
        for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
            String l = line.strip();
            int space = l.indexOf(' ');
            if (!l.isEmpty() && !l.startsWith("#") && space > 0) {
                v.put(l.substring(0, space), l.substring(space + 1).strip());
            }
        }
        return v;
    }

    private static long parse(Path file, String number) throws IOException {
        try {
            return Long.parseUnsignedLong(number);
        } catch (NumberFormatException e) {
            throw new IOException(file + ": '" + number + "' is not a number; delete the file to search again", e);
        }
    }

    /** Written whole or not at all (a temporary file moved in place), owner-only as the key next to it. */
    private static void write(Path file, String text) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PrivateFiles.fileMode());
        Files.writeString(tmp, text, StandardCharsets.US_ASCII);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
