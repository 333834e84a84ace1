package io.molia.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.molia.contact.Contact;
import io.molia.contact.NodeAddress;
import io.molia.contact.NodeId;
import io.molia.crypto.Ed25519Identity;
import io.molia.record.MutableRecord;
import io.molia.record.ProvideAnnouncement;
import io.molia.record.SignedNodeRecord;
import io.molia.wal.WalEntries;
import io.molia.wal.WalFormat;
import io.molia.wal.WalState;
import org.junit.jupiter.api.Test;

/**
 * One WAL entry on its own, as {@code WalScanner} and {@code SnapshotFile} judge it: {@link WalFormat#check} (length,
 * CRC32C, type, version, header size and format) and then {@link WalState#apply} (the payload). Documented outcome
 * for bad bytes: a one-line problem from either, never an exception. Invariants:
 * <ul>
 * <li>{@code decodeOneEntry}: any bytes, as they are and re-sealed with a correct CRC32C (so the payload decoders
 * are reached, not only the checksum): no exception, nothing read outside the entry (it sits inside a larger
 * buffer with other bytes around it), and an accepted entry re-encoded by {@link WalEntries} gives back exactly its
 * bytes (one valid encoding per entry: nothing unchecked that a reader could disagree on), except an IPv4 peer
 * address written in its IPv4-mapped IPv6 form, which decodes to the same contact.
 * <li>{@code editedEntriesAreDetected}: a real entry of every type with up to eight edits: accepted only if the
 * edited bytes are the original bytes (the CRC32C covers every byte of the entry), or if the edits also rewrote the
 * checksum to the new bytes' (a forged seal: then it must be a valid, canonical entry like any other).
 * </ul>
 */
class WalEntryFuzzTest {
    private static final NodeId KEY = NodeId.fromBytes(HexFormat.of().parseHex(
            "0f1e2d3c4b5a69788796a5b4c3d2e1f00112233445566778899aabbccddeeff0"), 0);
    private static final byte[] PUBLIC_KEY = HexFormat.of().parseHex(
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
    private static final int SHARD = 3;
    private static final long GENERATION = 7;
    private static final Ed25519Identity OWNER = Ed25519Identity.fromSeed(new byte[32]);
    private static final MutableRecord MUTABLE = MutableRecord.sign(OWNER, "salt".getBytes(), 3, "value".getBytes());
    private static final SignedNodeRecord PROVIDER = SignedNodeRecord.sign(OWNER, List.of(NodeAddress.ipv4(0xc0a80001,
            4000), NodeAddress.ipv6(0x2001_0db8_0000_0000L, 1, 4433)), 9, 1);
    /** PROVIDER's announcement for KEY: a provider_put of version 2 carries it. */
    private static final ProvideAnnouncement ANNOUNCEMENT = ProvideAnnouncement.sign(OWNER, KEY, 9, 1_790_172_800L);
    /** Real entries of every type, encoded by the node's own encoders: the structured target's starting points. */
    /** A small blob cut in one stripe of 3-byte fragments: its entries are real and short. */
    private static final io.molia.blob.BlobLayout.Split BLOB = new io.molia.blob.BlobLayout().split(
            "a blob of thirty bytes, padded".getBytes(), 30);

    static final List<byte[]> REAL = realEntries();

    static List<byte[]> realEntries() {
        WalFormat f = new WalFormat();
        byte[] b = new byte[512];
        Contact v4 = new Contact(KEY, PUBLIC_KEY, 0x1234_5678_9abcL, NodeAddress.ipv4(0xc0a80001, 4000));
        Contact v6 = new Contact(KEY, PUBLIC_KEY, 42, NodeAddress.ipv6(0x2001_0db8_0000_0000L, 1, 4433));
        return List.of(
                Arrays.copyOf(b, WalEntries.header(f, b, SHARD, GENERATION, 1001, 1_790_000_000_000L)),
                Arrays.copyOf(b, WalEntries.recordPut(f, b, 1002, KEY, "a stored value".getBytes(), 1_790_000_000_000L,
                        1_790_086_400_000L)),
                Arrays.copyOf(b, WalEntries.recordPut(f, b, 1003, KEY, new byte[0], 1, 2)),
                Arrays.copyOf(b, WalEntries.keyOnly(f, b, WalFormat.TYPE_RECORD_DELETE, 1004, KEY)),
                Arrays.copyOf(b, WalEntries.keyOnly(f, b, WalFormat.TYPE_RECORD_EXPIRE, 1005, KEY)),
                Arrays.copyOf(b, WalEntries.peerAdd(f, b, 1006, v4)),
                Arrays.copyOf(b, WalEntries.peerAdd(f, b, 1007, v6)),
                Arrays.copyOf(b, WalEntries.keyOnly(f, b, WalFormat.TYPE_PEER_REMOVE, 1008, KEY)),
                Arrays.copyOf(b, WalEntries.peerScore(f, b, 1009, KEY, 5)),
                Arrays.copyOf(b, WalEntries.mutablePut(f, b, 1010, MUTABLE, 1_790_000_000_000L, 1_790_086_400_000L)),
                Arrays.copyOf(b, WalEntries.keyOnly(f, b, WalFormat.TYPE_MUTABLE_REMOVE, 1011, KEY)),
                Arrays.copyOf(b, WalEntries.providerPut(f, b, 1012, KEY, PROVIDER, null, 1_790_000_000_000L,
                        1_790_172_800_000L)),
                Arrays.copyOf(b, WalEntries.providerRemove(f, b, 1013, KEY, PROVIDER.id())),
                blobEntry(f, 1014, BLOB.fragments().get(11).index()),
                blobEntry(f, 1015, -1),
                Arrays.copyOf(b, WalEntries.republishAdd(f, b, 1016, KEY, PROVIDER, null, 1_790_000_000_000L,
                        1_790_079_200_000L)),
                Arrays.copyOf(b, WalEntries.republishAdd(f, b, 1017, MUTABLE.key(), null, MUTABLE, 1_790_000_000_000L,
                        1_790_003_600_000L)),
                Arrays.copyOf(b, WalEntries.republishRemove(f, b, 1018, WalEntries.REPUBLISH_MUTABLE, KEY)),
                Arrays.copyOf(b, WalEntries.providerPut(f, b, 1019, KEY, PROVIDER, ANNOUNCEMENT, 1_790_000_000_000L,
                        1_790_172_800_000L)),
                Arrays.copyOf(b, WalEntries.keyOnly(f, b, WalFormat.TYPE_BLOB_REMOVE, 1020, KEY)));
    }

    /** Fragment {@code index} of {@link #BLOB} under its placement key, or (-1) its manifest under its key. */
    private static byte[] blobEntry(WalFormat f, long seq, int index) {
        byte[] object = index < 0 ? BLOB.manifest().encode() : io.molia.blob.FragmentObject.of(BLOB.manifestKey(),
                BLOB.fragments().get(index), new io.molia.crypto.Blake3()).encode();
        NodeId key = NodeId.fromBytes(index < 0 ? BLOB.manifestKey()
                : new io.molia.blob.BlobLayout().placementKey(BLOB.manifestKey(), 0, index));
        byte[] b = new byte[WalEntries.blobBytes(object)];
        return Arrays.copyOf(b, WalEntries.blob(f, b, seq, key, object));
    }


    private final WalFormat format = new WalFormat();

    @FuzzTest(maxDuration = "30s")
    void decodeOneEntry(byte[] data) {
        decodeAndCheckRoundTrip(data);
        if (data.length >= WalFormat.HEADER_BYTES) {
            // the same bytes with the length field and CRC32C made right: reaches type, version and payload checks
            byte[] sealed = data.clone();
            WalFormat.putInt(sealed, 4, sealed.length - WalFormat.HEADER_BYTES);
            WalFormat.putInt(sealed, 16, format.checksum(sealed, 0, sealed.length - WalFormat.HEADER_BYTES));
            decodeAndCheckRoundTrip(sealed);
        }
    }

    @FuzzTest(maxDuration = "30s")
    void editedEntriesAreDetected(FuzzedDataProvider in) {
        byte[] original = REAL.get(in.consumeInt(0, REAL.size() - 1));
        byte[] edited = original.clone();
        int edits = in.consumeInt(1, 8);
        for (int i = 0; i < edits && in.remainingBytes() > 0; i++) {
            switch (in.consumeInt(0, 3)) {
                case 0 -> { // flip one bit
                    if (edited.length > 0) {
                        int at = in.consumeInt(0, edited.length * 8 - 1);
                        edited[at / 8] ^= (byte) (1 << (at % 8));
                    }
                }
                case 1 -> { // overwrite a run
                    if (edited.length > 0) {
                        int at = in.consumeInt(0, edited.length - 1);
                        byte[] run = in.consumeBytes(edited.length - at);
                        System.arraycopy(run, 0, edited, at, run.length);
                    }
                }
                case 2 -> edited = Arrays.copyOf(edited, in.consumeInt(0, edited.length)); // truncate
                default -> { // extend
                    byte[] more = in.consumeBytes(64);
                    byte[] longer = Arrays.copyOf(edited, edited.length + more.length);
                    System.arraycopy(more, 0, longer, edited.length, more.length);
                    edited = longer;
                }
            }
        }
        byte[] reencoded = decodeAndCheckRoundTrip(edited);
        if (reencoded != null && !Arrays.equals(original, edited)) {
            // CRC32C is not a MAC: an edit that also wrote the checksum of the new bytes (libFuzzer learns the
            // computed value from the comparison) makes a valid entry, which decodeAndCheckRoundTrip has checked.
            // An edit under the original checksum must never pass.
            assertTrue(edited.length >= WalFormat.HEADER_BYTES && WalFormat.storedChecksum(edited, 0)
                    != WalFormat.storedChecksum(original, 0), "an edited entry with the original CRC32C was accepted");
        }
    }

    /** The real entries themselves are accepted and round-trip (so the structured target starts from valid input). */
    @Test
    void realEntriesAreAccepted() {
        for (byte[] e : REAL) {
            assertArrayEquals(e, decodeAndCheckRoundTrip(e), WalFormat.typeName(e[0]));
        }
    }

    /**
     * Decodes {@code entry} the way the readers do, from inside a larger buffer whose other bytes are garbage; returns
     * its re-encoding when accepted (asserted equal to {@code entry}), null when rejected with a problem line.
     */
    private byte[] decodeAndCheckRoundTrip(byte[] entry) {
        int off = 13;
        byte[] buf = new byte[off + entry.length + 29];
        Arrays.fill(buf, (byte) 0xA5);
        System.arraycopy(entry, 0, buf, off, entry.length);
        String bad = format.check(buf, off, entry.length);
        if (bad != null) {
            assertTrue(!bad.isEmpty() && bad.indexOf('\n') < 0, "a problem is one line");
            return null;
        }
        // WalState.apply reads from the payload offset to the end of its buffer's payload: give it the entry alone
        // too, so a read past the entry cannot hide in the padding
        byte[] alone = entry.clone();
        int type = WalFormat.type(alone, 0);
        int payload = alone.length - WalFormat.HEADER_BYTES;
        long seq = WalFormat.sequence(alone, 0);
        WalState state = new WalState();
        NodeId id = payload >= 32 ? NodeId.fromBytes(alone, WalFormat.HEADER_BYTES) : null;
        if (type == WalFormat.TYPE_PEER_SCORE && id != null) {
            state.putPeer(new Contact(id, PUBLIC_KEY, 0, NodeAddress.ipv4(1, 1)), 0); // so the score is visible
        }
        String badPayload = state.apply(type, alone, WalFormat.HEADER_BYTES, payload);
        String again = new WalState().apply(type, buf, off + WalFormat.HEADER_BYTES, payload);
        assertEquals(badPayload == null, again == null, "the payload's verdict depends on the bytes around it");
        if (badPayload != null) {
            assertTrue(!badPayload.isEmpty() && badPayload.indexOf('\n') < 0, "a problem is one line");
            return null;
        }
        byte[] out = new byte[WalFormat.HEADER_BYTES + Math.max(payload, 0) + 64];
        int n = switch (type) {
            case WalFormat.TYPE_HEADER -> {
                int p = WalFormat.HEADER_BYTES;
                int shard = (alone[p + 2] & 0xff) | (alone[p + 3] & 0xff) << 8;
                long gen = WalFormat.getInt(alone, p + 4) & 0xffff_ffffL;
                yield WalEntries.header(format, out, shard, gen, WalFormat.getLong(alone, p + 8),
                        WalFormat.getLong(alone, p + 16));
            }
            case WalFormat.TYPE_RECORD_PUT -> {
                Map.Entry<NodeId, WalState.Record> r = state.records().entrySet().iterator().next();
                yield WalEntries.recordPut(format, out, seq, r.getKey(), r.getValue().value(),
                        r.getValue().storedWallMs(), r.getValue().expiresWallMs());
            }
            case WalFormat.TYPE_RECORD_DELETE, WalFormat.TYPE_RECORD_EXPIRE, WalFormat.TYPE_PEER_REMOVE -> {
                assertNull(state.records().get(id));
                yield WalEntries.keyOnly(format, out, type, seq, id);
            }
            case WalFormat.TYPE_PEER_ADD -> WalEntries.peerAdd(format, out, seq,
                    state.peers().values().iterator().next().contact());
            case WalFormat.TYPE_PEER_SCORE -> WalEntries.peerScore(format, out, seq, id,
                    state.peers().get(id).failures());
            case WalFormat.TYPE_MUTABLE_PUT -> {
                WalState.Mutable m = state.mutables().values().iterator().next();
                yield WalEntries.mutablePut(format, out, seq, m.record(), m.storedWallMs(), m.expiresWallMs());
            }
            case WalFormat.TYPE_MUTABLE_REMOVE -> WalEntries.keyOnly(format, out, type, seq, id);
            case WalFormat.TYPE_BLOB_REMOVE -> {
                assertNull(state.blobs().get(id));
                yield WalEntries.keyOnly(format, out, type, seq, id);
            }
            case WalFormat.TYPE_PROVIDER_PUT -> {
                WalState.Provider p = state.providerList().get(0);
                yield WalEntries.providerPut(format, out, seq, p.key(), p.record(), p.announcement(),
                        p.storedWallMs(), p.expiresWallMs());
            }
            case WalFormat.TYPE_PROVIDER_REMOVE -> WalEntries.providerRemove(format, out, seq, id,
                    NodeId.fromBytes(alone, WalFormat.HEADER_BYTES + 32));
            case WalFormat.TYPE_PEER_BEHAVIOUR -> {
                WalState.Behaviour b = state.behaviours().get(id);
                yield WalEntries.peerBehaviour(format, out, seq, id, b.updatedWallMs(), b.counts());
            }
            case WalFormat.TYPE_BAN -> {
                int p = WalFormat.HEADER_BYTES;
                boolean peer = alone[p] == WalEntries.BAN_PEER;
                yield WalEntries.ban(format, out, seq, peer ? NodeId.fromBytes(alone, p + 1) : null,
                        WalFormat.getLong(alone, p + 1), WalFormat.getLong(alone, p + 33));
            }
            case WalFormat.TYPE_BLOB_FRAGMENT, WalFormat.TYPE_BLOB_MANIFEST ->
                    WalEntries.blob(format, out, seq, id, state.blobs().get(id));
            case WalFormat.TYPE_REPUBLISH_ADD -> {
                WalState.Republish r = state.republishList().get(0);
                yield WalEntries.republishAdd(format, out, seq, r.key(), r.provider(), r.mutable(),
                        r.publishedWallMs(), r.nextWallMs());
            }
            case WalFormat.TYPE_REPUBLISH_REMOVE -> WalEntries.republishRemove(format, out, seq,
                    alone[WalFormat.HEADER_BYTES], NodeId.fromBytes(alone, WalFormat.HEADER_BYTES + 1));
            default -> throw new AssertionError("check accepted unknown type " + type);
        };
        byte[] reencoded = Arrays.copyOf(out, n);
        if (type == WalFormat.TYPE_PEER_ADD && !Arrays.equals(entry, reencoded)) {
            // The one second encoding: an IPv4 address may also be written as its IPv4-mapped IPv6 form (18 bytes);
            // it decodes to the same contact (NodeAddress keeps every address as IPv6), so it is the same entry.
            Contact decoded = state.peers().values().iterator().next().contact();
            assertTrue(decoded.address().isIpv4() && (alone[WalFormat.HEADER_BYTES + 72] & 0xff) == 18,
                    "an accepted peer_add entry does not re-encode to its own bytes");
            WalState again2 = new WalState();
            assertNull(again2.apply(type, reencoded, WalFormat.HEADER_BYTES, n - WalFormat.HEADER_BYTES));
            assertEquals(decoded, again2.peers().values().iterator().next().contact(), "peer_add re-encoding");
            return entry;
        }
        if (type == WalFormat.TYPE_PROVIDER_PUT && !Arrays.equals(entry, reencoded)) {
            // As peer_add: an IPv4 address written in its IPv4-mapped IPv6 form is the same provider record.
            WalState again2 = new WalState();
            assertNull(again2.apply(type, reencoded, WalFormat.HEADER_BYTES, n - WalFormat.HEADER_BYTES));
            assertEquals(state.providerList(), again2.providerList(), "provider_put re-encoding");
            return entry;
        }
        if (type == WalFormat.TYPE_REPUBLISH_ADD && !Arrays.equals(entry, reencoded)
                && state.republishList().get(0).provider() != null) {
            // A republished provider record holds addresses as provider_put does: the same IPv4-mapped form.
            WalState again2 = new WalState();
            assertNull(again2.apply(type, reencoded, WalFormat.HEADER_BYTES, n - WalFormat.HEADER_BYTES));
            assertEquals(state.republishList(), again2.republishList(), "republish_add re-encoding");
            return entry;
        }
        assertArrayEquals(entry, reencoded, "an accepted " + WalFormat.typeName(type)
                + " entry does not re-encode to its own bytes");
        return reencoded;
    }
}
