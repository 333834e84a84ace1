package io.molia.adminclient;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class RenderTest {
    private static final Render.Style HIDDEN = new Render.Style(false, 80, false);
    private static final Render.Style SHOWN = new Render.Style(false, 80, true);

    @Test
    void addressesHideTheLastIpv4ByteOrTheIpv6InterfaceIdentifier() {
        assertEquals("203.0.113.x:4000", Render.addr("203.0.113.7:4000", HIDDEN));
        assertEquals("[2001:db8:1:2::x]:4000", Render.addr("[2001:db8:1:2:aaaa:bbbb:cccc:dddd]:4000", HIDDEN));
        assertEquals("[2001:db8::x]:4000", Render.addr("[2001:db8::7]:4000", HIDDEN));
        assertEquals("[::x]:4000", Render.addr("[::1]:4000", HIDDEN));
        assertEquals("[::1]:4000", Render.addr("[::1]:4000", SHOWN));
        assertEquals("[not an address]:1", Render.addr("[not an address]:1", HIDDEN), "shown as sent");
    }

    @Test
    void aMoliaAddressKeepsItsBrackets() {
        assertEquals("molia://(key hidden: --show-keys)@[::x]:4000", Render.address("molia://KEY@[::1]:4000", HIDDEN));
    }
}
