package io.molia.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.molia.crypto.Ed25519Identity;
import org.junit.jupiter.api.Test;

class MoliaAddressTest {
    private final byte[] key = Ed25519Identity.fromSeed(new byte[32]).publicKey();

    @Test
    void roundTripsIpv4AndIpv6() {
        MoliaAddress a = new MoliaAddress(key, "127.0.0.1", 4000);
        assertEquals(a, MoliaAddress.parse(a.toString()));
        assertEquals(43, a.toString().indexOf('@') - MoliaAddress.SCHEME.length(), "unpadded base64url key");
        MoliaAddress v6 = new MoliaAddress(key, "::1", 4001);
        assertEquals("[::1]:4001", v6.toString().substring(v6.toString().indexOf('@') + 1));
        assertEquals(v6, MoliaAddress.parse(v6.toString()));
        assertEquals(a.nodeId(), a.toContact().id());
    }

    @Test
    void anIpv6AddressNamesAnIpv6ContactInOneCanonicalText() {
        MoliaAddress v6 = MoliaAddress.parse("molia://" + MoliaAddress.encodeKey(key) + "@[0:0:0:0:0:0:0:1]:4001");
        assertEquals("::1", v6.host(), "one text per address");
        assertEquals(io.molia.contact.NodeAddress.ipv6(0, 1, 4001), v6.toContact().address());
        assertEquals("[::1]:4001", v6.toContact().address().toString());
        MoliaAddress mapped = MoliaAddress.parse("molia://" + MoliaAddress.encodeKey(key) + "@[::ffff:127.0.0.1]:4001");
        assertEquals("127.0.0.1", mapped.host(), "an IPv4-mapped address is the IPv4 address");
        assertEquals(true, mapped.toContact().address().isIpv4());
    }

    @Test
    void eachMistakeIsNamed() {
        String good = new MoliaAddress(key, "127.0.0.1", 4000).toString();
        assertMessage("expected molia://<public-key>@host:port", "udp://x@1.2.3.4:5");
        assertMessage("missing '@'", "molia://abc");
        assertMessage("the key is not base64url", "molia://***@1.2.3.4:5");
        assertMessage("the key must be 32 bytes, got 3", "molia://AQID@1.2.3.4:5");
        assertMessage("expected host:port", good.substring(0, good.lastIndexOf(':')));
        assertMessage("port is not a number", good.replace(":4000", ":http"));
        assertMessage("port must be in 1..65535", good.replace(":4000", ":70000"));
        assertMessage("port must be in 1..65535", good.replace(":4000", ":0"));
        String v6 = good.replace("127.0.0.1", "[::1]");
        assertMessage("missing ']' after the IPv6 address", v6.replace("]", ""));
        assertMessage("write an IPv6 address in brackets", good.replace("127.0.0.1", "::1"));
        assertMessage("'fe80::zz' is not an IPv4 or IPv6 address", good.replace("127.0.0.1", "[fe80::zz]"));
        assertMessage("'node.example' is not an IPv4 or IPv6 address (names are not resolved)",
                good.replace("127.0.0.1", "node.example"));
    }

    private static void assertMessage(String expectedPart, String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MoliaAddress.parse(text));
        assertEquals(true, e.getMessage().contains(expectedPart), e.getMessage());
    }
}
