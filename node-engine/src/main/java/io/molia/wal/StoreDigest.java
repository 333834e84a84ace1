package io.molia.wal;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

import io.molia.contact.NodeId;

/**
 * A deterministic digest of a record store: SHA-256 over the records sorted by key, each as key (32 bytes),
 * expiry in wall-clock milliseconds (u64 LE), value length (u32 LE) and value, then the record count (u64 LE).
 * {@code molia wal replay} prints it for a WAL; a live node reports it for its memory ({@code MoliaNode#storeDigest});
 * equal digests mean equal stores. Store times are left out: a refresh that changes nothing else keeps the digest.
 */
public final class StoreDigest {
    private StoreDigest() {
    }

    /** Hex digest of {@code records}. */
    public static String of(Map<NodeId, WalState.Record> records) {
        KeyedRecord[] sorted = new KeyedRecord[records.size()];
        int i = 0;
        for (Map.Entry<NodeId, WalState.Record> e : records.entrySet()) {
            sorted[i++] = new KeyedRecord(e.getKey(), e.getValue());
        }
        return of(sorted);
    }

    /** Hex digest of a {@link WalState}'s records. */
    public static String of(WalState state) {
        return of(state.rawRecords());
    }

    private static String of(KeyedRecord[] sorted) {
        java.util.Arrays.sort(sorted);
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JDK has SHA-256", e);
        }
        byte[] head = new byte[44];
        for (KeyedRecord kr : sorted) {
            kr.key.writeTo(head, 0);
            WalFormat.putLong(head, 32, kr.record.expiresWallMs());
            WalFormat.putInt(head, 40, kr.record.value().length);
            sha.update(head, 0, 44);
            sha.update(kr.record.value());
        }
        WalFormat.putLong(head, 0, sorted.length);
        sha.update(head, 0, 8);
        return HexFormat.of().formatHex(sha.digest());
    }

    private record KeyedRecord(NodeId key, WalState.Record record) implements Comparable<KeyedRecord> {
        @Override
        public int compareTo(KeyedRecord o) {
            return key.compareTo(o.key);
        }
    }
}
