package io.molia.wal;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Map;
import java.util.zip.CRC32C;

import io.molia.contact.NodeId;

/**
 * A shard's state after every entry of generations 1..G, in one file written next to the queues.
 * <pre>
 *  header (52 bytes)  "MOLIASNP" | format u32 | shard u32 | generation u64 | last sequence u64 | created ms u64
 *                     | entry count u64 | CRC32C u32 of the 48 bytes before it
 *  entries            WAL entries (record_put, mutable_put, provider_put, peer_add, peer_score, ..., republish_add;
 *                     sequence 0), each
 *                     with its own CRC32C
 *  trailer (52 bytes) "MOLIAEND" | entry count u64 | store digest (32 bytes) | CRC32C u32 of the file before it
 * </pre>
 * Written to a temporary name, forced to disk, renamed, the directory forced; then read back and verified before
 * any queue it covers is deleted.
 */
public final class SnapshotFile {
    public static final int FORMAT_VERSION = 1;
    /** A snapshot is written under this suffix and renamed into place once complete. */
    static final String UNFINISHED_SUFFIX = ".tmp";
    private static final byte[] MAGIC = "MOLIASNP".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] END = "MOLIAEND".getBytes(StandardCharsets.US_ASCII);
    private static final int HEADER = 52;

    /** What a verified snapshot says. */
    public record Contents(int shard, long generation, long lastSequence, long createdWallMs, WalState state,
            String digest) {
    }

    private SnapshotFile() {
    }

    /** Writes {@code state} as the snapshot of generations 1..{@code generation}; returns its size in bytes. */
    public static long write(Path file, int shard, long generation, long lastSequence, long wallMs, WalState state)
            throws IOException {
        return write(file, shard, generation, lastSequence, wallMs, state, StoreDigest.of(state));
    }

    /** As above, with the store digest of {@code state} already computed by the caller. */
    public static long write(Path file, int shard, long generation, long lastSequence, long wallMs, WalState state,
            String digestHex) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + UNFINISHED_SUFFIX);
        long entries = state.records().size() + state.peers().size() + state.mutables().size()
                + state.providerList().size();
        for (WalState.Peer p : state.peers().values()) {
            entries += p.failures() > 0 ? 1 : 0;
        }
        entries += state.behaviours().size() + state.bans().size() + state.blobs().size()
                + state.republishList().size();
        CRC32C fileCrc = new CRC32C();
        WalFormat f = new WalFormat();
        byte[] buf = new byte[4096];
        try (FileChannel ch = FileChannel.open(tmp, java.util.Set.of(StandardOpenOption.CREATE,
                StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING), PrivateFiles.fileMode());
                OutputStream out = new BufferedOutputStream(java.nio.channels.Channels.newOutputStream(ch), 1 << 16)) {
            PrivateFiles.narrow(tmp); // one left by a crash keeps the mode it was created with
            byte[] h = new byte[HEADER];
            System.arraycopy(MAGIC, 0, h, 0, 8);
            WalFormat.putInt(h, 8, FORMAT_VERSION);
            WalFormat.putInt(h, 12, shard);
            WalFormat.putLong(h, 16, generation);
            WalFormat.putLong(h, 24, lastSequence);
            WalFormat.putLong(h, 32, wallMs);
            WalFormat.putLong(h, 40, entries);
            CRC32C hc = new CRC32C();
            hc.update(h, 0, 48);
            WalFormat.putInt(h, 48, (int) hc.getValue());
            write(out, fileCrc, h, HEADER);
            for (Map.Entry<NodeId, WalState.Record> e : state.records().entrySet()) {
                WalState.Record r = e.getValue();
                int need = WalEntries.recordPutBytes(r.value().length);
                if (buf.length < need) {
                    buf = new byte[need];
                }
                int n = WalEntries.recordPut(f, buf, 0, e.getKey(), r.value(), r.storedWallMs(), r.expiresWallMs());
                write(out, fileCrc, buf, n);
            }
            for (WalState.Mutable m : state.mutables().values()) {
                int need = WalEntries.mutablePutBytes(m.record());
                if (buf.length < need) {
                    buf = new byte[need];
                }
                write(out, fileCrc, buf, WalEntries.mutablePut(f, buf, 0, m.record(), m.storedWallMs(),
                        m.expiresWallMs()));
            }
            for (WalState.Provider p : state.providerList()) {
                write(out, fileCrc, buf, WalEntries.providerPut(f, buf, 0, p.key(), p.record(), p.announcement(),
                        p.storedWallMs(), p.expiresWallMs()));
            }
            for (WalState.Peer p : state.peers().values()) {
                write(out, fileCrc, buf, WalEntries.peerAdd(f, buf, 0, p.contact()));
                if (p.failures() > 0) {
                    write(out, fileCrc, buf, WalEntries.peerScore(f, buf, 0, p.contact().id(), p.failures()));
                }
            }
            for (WalState.Behaviour s : state.behaviours().values()) {
                write(out, fileCrc, buf, WalEntries.peerBehaviour(f, buf, 0, s.id(), s.updatedWallMs(), s.counts()));
            }
            for (WalState.Ban ban : state.bans()) {
                write(out, fileCrc, buf, WalEntries.ban(f, buf, 0, ban.peer(), ban.subnetKey(), ban.expiresWallMs()));
            }
            for (Map.Entry<NodeId, byte[]> blob : state.blobs().entrySet()) {
                int need = WalEntries.blobBytes(blob.getValue());
                if (buf.length < need) {
                    buf = new byte[need];
                }
                write(out, fileCrc, buf, WalEntries.blob(f, buf, 0, blob.getKey(), blob.getValue()));
            }
            for (WalState.Republish r : state.republishList()) {
                int need = WalEntries.republishAddBytes(r.provider(), r.mutable());
                if (buf.length < need) {
                    buf = new byte[need];
                }
                write(out, fileCrc, buf, WalEntries.republishAdd(f, buf, 0, r.key(), r.provider(), r.mutable(),
                        r.publishedWallMs(), r.nextWallMs()));
            }
            byte[] t = new byte[HEADER];
            System.arraycopy(END, 0, t, 0, 8);
            WalFormat.putLong(t, 8, entries);
            byte[] digest = java.util.HexFormat.of().parseHex(digestHex);
            System.arraycopy(digest, 0, t, 16, 32);
            fileCrc.update(t, 0, 48);
            WalFormat.putInt(t, 48, (int) fileCrc.getValue());
            out.write(t);
            out.flush();
            ch.force(true);
        }
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
        forceDirectory(file.getParent());
        return Files.size(file);
    }

    private static void write(OutputStream out, CRC32C crc, byte[] b, int n) throws IOException {
        out.write(b, 0, n);
        crc.update(b, 0, n);
    }

    /** Forces a directory's entries (a rename, a new file) to disk. */
    public static void forceDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // some file systems refuse to open directories; the rename is then as durable as they make it
        }
    }

    /**
     * Reads and verifies a snapshot: header and file checksums, every entry's checksum and version, the entry
     * count and the store digest. Throws {@link WalCorruptException} with a one-line reason on the first problem.
     */
    public static Contents read(Path file) throws IOException {
        String name = file.getFileName().toString();
        CRC32C fileCrc = new CRC32C();
        WalFormat f = new WalFormat();
        WalState state = new WalState();
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            byte[] h = readFully(in, HEADER, name, "header");
            if (!Arrays.equals(h, 0, 8, MAGIC, 0, 8)) {
                throw new WalCorruptException(name + ": not a Molia snapshot (bad magic)");
            }
            CRC32C hc = new CRC32C();
            hc.update(h, 0, 48);
            if ((int) hc.getValue() != WalFormat.getInt(h, 48)) {
                throw new WalCorruptException(name + ": header checksum mismatch");
            }
            int format = WalFormat.getInt(h, 8);
            if (format != FORMAT_VERSION) {
                throw new WalCorruptException(name + ": snapshot format " + format + " is newer than this build reads ("
                        + FORMAT_VERSION + ")");
            }
            fileCrc.update(h, 0, HEADER);
            long entries = WalFormat.getLong(h, 40);
            state.expectRecords(Math.min(entries, 1L << 26));
            byte[] buf = new byte[4096];
            for (long i = 0; i < entries; i++) {
                readFully(in, buf, 0, WalFormat.HEADER_BYTES, name, "entry " + i);
                int len = WalFormat.payloadLength(buf, 0);
                if (len < 0 || len > (1 << 24)) {
                    throw new WalCorruptException(name + ": entry " + i + " has an impossible length " + len);
                }
                if (buf.length < WalFormat.HEADER_BYTES + len) {
                    buf = Arrays.copyOf(buf, WalFormat.HEADER_BYTES + len);
                }
                readFully(in, buf, WalFormat.HEADER_BYTES, len, name, "entry " + i);
                if (f.checksum(buf, 0, len) != WalFormat.storedChecksum(buf, 0)) {
                    throw new WalCorruptException(name + ": entry " + i + " checksum mismatch");
                }
                int type = WalFormat.type(buf, 0);
                if (!WalFormat.isKnownType(type) || WalFormat.version(buf, 0) > WalFormat.maxVersion(type)) {
                    throw new WalCorruptException(name + ": entry " + i + " has " + WalFormat.typeName(type)
                            + " version " + WalFormat.version(buf, 0) + ", newer than this build reads");
                }
                String bad = state.apply(type, buf, WalFormat.HEADER_BYTES, len);
                if (bad != null) {
                    throw new WalCorruptException(name + ": entry " + i + ": " + bad);
                }
                fileCrc.update(buf, 0, WalFormat.HEADER_BYTES + len);
            }
            byte[] t = readFully(in, HEADER, name, "trailer");
            if (!Arrays.equals(t, 0, 8, END, 0, 8) || WalFormat.getLong(t, 8) != entries) {
                throw new WalCorruptException(name + ": trailer missing or entry count wrong (truncated?)");
            }
            fileCrc.update(t, 0, 48);
            if ((int) fileCrc.getValue() != WalFormat.getInt(t, 48)) {
                throw new WalCorruptException(name + ": file checksum mismatch");
            }
            String digest = java.util.HexFormat.of().formatHex(t, 16, 48);
            String computed = StoreDigest.of(state);
            if (!digest.equals(computed)) {
                throw new WalCorruptException(name + ": store digest mismatch (file " + digest.substring(0, 16)
                        + "…, computed " + computed.substring(0, 16) + "…)");
            }
            if (in.read() != -1) {
                throw new WalCorruptException(name + ": trailing bytes after the trailer");
            }
            return new Contents(WalFormat.getInt(h, 12), WalFormat.getLong(h, 16), WalFormat.getLong(h, 24),
                    WalFormat.getLong(h, 32), state, digest);
        }
    }

    /**
     * What {@link #salvage} keeps of a snapshot that does not verify: its header's last sequence (-1 when the header
     * is damaged), the state of every entry that verifies, and the byte ranges {from, to} that held none.
     */
    public record Salvaged(long lastSequence, WalState state, long entries, java.util.List<long[]> damaged) {
    }

    /**
     * Keeps every entry of a damaged snapshot that verifies on its own (checksum, known type and version, a payload
     * its type accepts), walking past damage a byte at a time to the next such entry; everything else is listed as
     * damaged ranges. For {@code molia wal salvage}: {@link #read} refuses the whole file at its first problem.
     */
    public static Salvaged salvage(Path file) throws IOException {
        byte[] b = Files.readAllBytes(file);
        WalFormat f = new WalFormat();
        WalState state = new WalState();
        boolean header = b.length >= HEADER && Arrays.equals(b, 0, 8, MAGIC, 0, 8) && crc(b, 0, 48) == WalFormat
                .getInt(b, 48);
        boolean trailer = b.length >= 2 * HEADER && Arrays.equals(b, b.length - HEADER, b.length - HEADER + 8, END, 0,
                8);
        int end = trailer ? b.length - HEADER : b.length;
        java.util.List<long[]> damaged = new java.util.ArrayList<>();
        long entries = 0;
        int badFrom = -1;
        int pos = header ? HEADER : 0;
        while (pos < end) {
            int len = pos + WalFormat.HEADER_BYTES <= end ? WalFormat.payloadLength(b, pos) : -1;
            boolean ok = len >= 0 && len <= end - pos - WalFormat.HEADER_BYTES
                    && f.checksum(b, pos, len) == WalFormat.storedChecksum(b, pos)
                    && WalFormat.isKnownType(WalFormat.type(b, pos)) && WalFormat.type(b, pos) != WalFormat.TYPE_HEADER
                    && WalFormat.version(b, pos) <= WalFormat.maxVersion(WalFormat.type(b, pos))
                    && state.apply(WalFormat.type(b, pos), b, pos + WalFormat.HEADER_BYTES, len) == null;
            if (!ok) {
                badFrom = badFrom < 0 ? pos : badFrom;
                pos++;
                continue;
            }
            if (badFrom >= 0) {
                damaged.add(new long[] {badFrom, pos});
                badFrom = -1;
            }
            entries++;
            pos += WalFormat.HEADER_BYTES + len;
        }
        if (badFrom >= 0) {
            damaged.add(new long[] {badFrom, end});
        }
        if (!header) {
            damaged.add(0, new long[] {0, Math.min(HEADER, b.length)});
        }
        return new Salvaged(header ? WalFormat.getLong(b, 24) : -1, state, entries, damaged);
    }

    private static int crc(byte[] b, int off, int len) {
        CRC32C c = new CRC32C();
        c.update(b, off, len);
        return (int) c.getValue();
    }

    private static byte[] readFully(InputStream in, int n, String name, String what) throws IOException {
        byte[] b = new byte[n];
        readFully(in, b, 0, n, name, what);
        return b;
    }

    private static void readFully(InputStream in, byte[] b, int off, int n, String name, String what)
            throws IOException {
        try {
            int got = in.readNBytes(b, off, n);
            if (got != n) {
                throw new EOFException();
            }
        } catch (EOFException e) {
            throw new WalCorruptException(name + ": truncated in the " + what);
        }
    }
}
