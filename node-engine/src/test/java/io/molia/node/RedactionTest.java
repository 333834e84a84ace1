package io.molia.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class RedactionTest {
    private static final String KEY_HEX = "3f9a0c1e" + "0123456789abcdef".repeat(3) + "01234567";
    private static final String KEY_B64 = "xBn4qvM8GZs3YcTtUpk7mh0NOl2rW1dEaFfJgHiKLjQ";

    @Test
    void hostPortKeepsWhatTheShellKeeps() {
        assertEquals("203.0.113.x:4000", Redaction.hostPort("203.0.113.7:4000"));
        assertEquals("[2001:db8:1:2::x]:4000", Redaction.hostPort("[2001:db8:1:2:aaaa:bbbb:cccc:dddd]:4000"));
        assertEquals("[::x]:4000", Redaction.hostPort("[::1]:4000"));
        assertEquals("node-a:4000", Redaction.hostPort("node-a:4000"));
    }

    @Test
    void keysKeepTheirFirstEightDigits() {
        assertEquals("3f9a0c1e…", Redaction.key(KEY_HEX));
        assertEquals("3f9a", Redaction.key("3f9a"));
    }

    @Test
    void addressesInTextLoseTheirHostPart() {
        assertEquals("peer 203.0.113.x:4000 said no", Redaction.text("peer 203.0.113.7:4000 said no"));
        assertEquals("address=/127.0.0.x:41234", Redaction.text("address=/127.0.0.1:41234"));
        assertEquals("from 10.0.0.x.", Redaction.text("from 10.0.0.1."));
        assertEquals("/[2001:db8:1:2::x]:4000", Redaction.text("/[2001:db8:1:2:3:4:5:6]:4000"));
        assertEquals("bound 2001:db8:1:2::x here", Redaction.text("bound 2001:db8:1:2:3:4:5:6 here"));
        assertEquals("[192.0.2.x]", Redaction.text("[::ffff:192.0.2.1]")); // IPv4-mapped: the IPv4 rule
    }

    @Test
    void keysInTextKeepEightCharacters() {
        assertEquals("record 3f9a0c1e… stored", Redaction.text("record " + KEY_HEX + " stored"));
        assertEquals("key " + KEY_B64.substring(0, 8) + "…", Redaction.text("key " + KEY_B64));
        assertEquals("molia://(key hidden)@198.51.100.x:4000",
                Redaction.text("molia://" + KEY_B64 + "@198.51.100.9:4000"));
        assertEquals("molia://(key hidden)@[2001:db8::x]:4000",
                Redaction.text("molia://" + KEY_B64 + "@[2001:db8::7]:4000"));
    }

    @Test
    void whatIsNeitherAnAddressNorAKeyStays() {
        for (String text : new String[] {"node 3f9a0c1e01234567 joined", "at 12:34:56.789", "logback 1.5.18",
                "sequence 123456789012345678901", "/var/lib/molia/wal/shard-0", "0x1f", "a:b"}) {
            assertEquals(text, Redaction.text(text));
        }
    }
}
