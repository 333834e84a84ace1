package io.molia.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Arrays;

import org.junit.jupiter.api.Test;

import io.molia.contact.Contact;
import io.molia.contact.NodeAddress;
import io.molia.contact.NodeId;

/**
 * A relayed server in the peer store (peer_add version 2, docs/wal-format.md): its relay is kept, so a restored one
 * is reached through its relay again; a direct contact stays a version 1 entry, as before.
 */
class RelayedPeerEntryTest {
    private final WalFormat f = new WalFormat();
    private final Contact relay = contact(1, NodeAddress.ipv4(0xc6336401, 4000));
    private final Contact client = contact(2, NodeAddress.ipv4(0x64400302, 4000));

    private static Contact contact(int n, NodeAddress at) {
        byte[] key = new byte[32];
        Arrays.fill(key, (byte) n);
        return new Contact(new NodeId(n, n, n, n), key, n * 7L, at);
    }

    private byte[] entry(Contact c) {
        byte[] b = new byte[512];
        byte[] e = Arrays.copyOf(b, WalEntries.peerAdd(f, b, 1, c));
        assertNull(f.check(e, 0, e.length), "a valid entry");
        return e;
    }

    private static String apply(WalState s, byte[] e) {
        return s.apply(WalFormat.type(e, 0), e, WalFormat.HEADER_BYTES, e.length - WalFormat.HEADER_BYTES);
    }

    @Test
    void aRelayedContactIsRestoredWithItsRelay() {
        Contact relayed = client.withRelay(relay);
        byte[] e = entry(relayed);
        assertEquals(2, WalFormat.version(e, 0));
        WalState s = new WalState();
        assertNull(apply(s, e));
        Contact restored = s.peers().get(client.id()).contact();
        assertEquals(relayed, restored, "the relay's key, nonce and address come back");
        assertEquals(relay.address(), restored.relay().address());
    }

    @Test
    void aDirectContactStaysAVersionOneEntry() {
        byte[] e = entry(client);
        assertEquals(1, WalFormat.version(e, 0));
        WalState s = new WalState();
        assertNull(apply(s, e));
        assertNull(s.peers().get(client.id()).contact().relay());
    }

    @Test
    void aRelayedEntryThatDoesNotAddUpIsRefusedWithAReason() {
        byte[] e = entry(client.withRelay(relay));
        byte[] cut = Arrays.copyOf(e, e.length - 3); // the relay's address cut short
        assertNotNull(new WalState().apply(WalFormat.TYPE_PEER_ADD, cut, WalFormat.HEADER_BYTES,
                cut.length - WalFormat.HEADER_BYTES));
        byte[] bare = entry(client);
        bare[1] = 2; // says a relay follows, none does
        assertNotNull(new WalState().apply(WalFormat.TYPE_PEER_ADD, bare, WalFormat.HEADER_BYTES,
                bare.length - WalFormat.HEADER_BYTES));
    }
}
