package io.molia.wal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import io.molia.contact.NodeAddress;
import io.molia.contact.NodeId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The WAL entries of behaviour scores and bans (types 11-12): encoded, checked, replayed into {@link WalState}, kept
 * by a snapshot; a lifted ban leaves the state; an entry whose bytes do not add up is refused with a reason.
 */
class ScoreEntriesTest {
    private final WalFormat f = new WalFormat();
    private final NodeId peer = new NodeId(1, 2, 3, 4);
    private final long subnet = NodeAddress.ipv4(0x0a010203, 1).subnetKey();
    private final double[] counts = {3, 4, 0.5, 0, 1, 0};

    private byte[] entry(int n, byte[] b) {
        byte[] e = Arrays.copyOf(b, n);
        assertNull(f.check(e, 0, e.length), "a valid entry");
        return e;
    }

    private static String apply(WalState s, byte[] e) {
        return s.apply(WalFormat.type(e, 0), e, WalFormat.HEADER_BYTES, e.length - WalFormat.HEADER_BYTES);
    }

    @Test
    void scoresAndBansReplayAndALiftedBanLeaves() {
        byte[] b = new byte[256];
        WalState s = new WalState();
        assertNull(apply(s, entry(WalEntries.peerBehaviour(f, b, 1, peer, 1_000, counts), b)));
        assertNull(apply(s, entry(WalEntries.ban(f, b, 2, peer, 0, 5_000), b)));
        assertNull(apply(s, entry(WalEntries.ban(f, b, 3, null, subnet, 6_000), b)));
        assertArrayEquals(counts, s.behaviours().get(peer).counts(), 1e-6);
        assertEquals(1_000, s.behaviours().get(peer).updatedWallMs());
        assertEquals(List.of(new WalState.Ban(peer, 0, 5_000), new WalState.Ban(null, subnet, 6_000)), s.bans());

        assertNull(apply(s, entry(WalEntries.ban(f, b, 4, peer, 0, 0), b)));
        assertEquals(List.of(new WalState.Ban(null, subnet, 6_000)), s.bans(), "the peer's ban was lifted");
        assertEquals("peer_behaviour", WalFormat.typeName(WalFormat.TYPE_PEER_BEHAVIOUR));
        assertEquals(WalFormat.TYPE_BAN, WalFormat.typeOf("ban"));
    }

    @Test
    void entriesThatDoNotAddUpAreRefusedWithAReason() {
        byte[] b = new byte[256];
        byte[] behaviour = entry(WalEntries.peerBehaviour(f, b, 1, peer, 1_000, counts), b);
        behaviour[WalFormat.HEADER_BYTES + 40] = 7; // claims one count more than it carries
        assertNotNull(new WalState().apply(WalFormat.TYPE_PEER_BEHAVIOUR, behaviour, WalFormat.HEADER_BYTES,
                behaviour.length - WalFormat.HEADER_BYTES));
        byte[] nan = entry(WalEntries.peerBehaviour(f, b, 1, peer, 1_000, new double[] {Double.NaN}), b);
        assertTrue(apply(new WalState(), nan).contains("not a finite count"));
        byte[] ban = entry(WalEntries.ban(f, b, 2, null, subnet, 9), b);
        ban[WalFormat.HEADER_BYTES + 20] = 1; // padding of a subnet ban
        assertNotNull(new WalState().apply(WalFormat.TYPE_BAN, ban, WalFormat.HEADER_BYTES,
                ban.length - WalFormat.HEADER_BYTES));
        ban[WalFormat.HEADER_BYTES] = 9;
        assertTrue(new WalState().apply(WalFormat.TYPE_BAN, ban, WalFormat.HEADER_BYTES,
                ban.length - WalFormat.HEADER_BYTES).contains("unknown kind"));
    }

    @Test
    void aSnapshotKeepsScoresAndBans(@TempDir Path dir) throws Exception {
        WalState s = new WalState();
        s.putBehaviour(new WalState.Behaviour(peer, 1_000, counts));
        s.putBan(new WalState.Ban(peer, 0, 5_000));
        s.putBan(new WalState.Ban(null, subnet, 6_000));
        Path file = dir.resolve("snap");
        SnapshotFile.write(file, 0, 1, 10, 1_000, s);
        WalState back = SnapshotFile.read(file).state();
        assertArrayEquals(counts, back.behaviours().get(peer).counts(), 1e-6);
        assertEquals(s.bans(), back.bans());
    }
}
