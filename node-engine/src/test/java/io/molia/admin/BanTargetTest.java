package io.molia.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.molia.contact.NodeAddress;
import io.molia.shard.BanList;
import org.junit.jupiter.api.Test;

/** What an operator's ban TARGET names: an IPv4 /24, an IPv6 /48, or (anything else) a peer. */
class BanTargetTest {
    @Test
    void ipv4AndIpv6SubnetsAndTheirAddresses() {
        long slash24 = NodeAddress.parseIpv4("192.0.2.1:0").subnetKey();
        assertEquals(slash24, AdminActions.subnetKey("192.0.2.0/24"));
        assertEquals(slash24, AdminActions.subnetKey("192.0.2.77"));
        assertEquals(slash24, AdminActions.subnetKey("::ffff:192.0.2.77"), "an IPv4-mapped address is its /24");
        long slash48 = NodeAddress.ipv6SubnetKey(0x2001_0db8_0001L);
        assertEquals(slash48, AdminActions.subnetKey("2001:db8:1::/48"));
        assertEquals(slash48, AdminActions.subnetKey("2001:db8:1:2::5"));
        assertNull(AdminActions.subnetKey("abcd12"), "an ID prefix names a peer");
        assertNull(AdminActions.subnetKey("molia://AAAA@[::1]:4000"), "so does an address");
    }

    @Test
    void otherPrefixLengthsAreRefusedInOneLine() {
        assertEquals("only /24 subnets can be banned: 192.0.2.0/16", assertThrows(AdminException.class,
                () -> AdminActions.subnetKey("192.0.2.0/16")).getMessage());
        assertEquals("only /48 subnets can be banned: 2001:db8::/32", assertThrows(AdminException.class,
                () -> AdminActions.subnetKey("2001:db8::/32")).getMessage());
        assertThrows(AdminException.class, () -> AdminActions.subnetKey("2001:db8:zz::/48"));
    }

    @Test
    void theBanListShowsEachSubnetAsItWasWritten() {
        BanList bans = new BanList();
        bans.banSubnet(AdminActions.subnetKey("2001:db8:1::/48"), 100);
        bans.banSubnet(AdminActions.subnetKey("192.0.2.0/24"), 100);
        assertEquals(java.util.List.of("2001:db8:1::/48", "192.0.2.0/24"),
                bans.list(0).stream().map(BanList.Ban::target).toList());
        assertEquals(true, bans.bansAddress(0, NodeAddress.ipv6(0x2001_0db8_0001_ffffL, 9, 1)));
        assertEquals(false, bans.bansAddress(0, NodeAddress.ipv6(0x2001_0db8_0002_0000L, 9, 1)));
    }
}
