package io.molia.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import io.molia.contact.NodeAddress;
import org.junit.jupiter.api.Test;

/** The prefix → AS table read from iptoasn.com's format: the sample the repository ships, and bad lines. */
class AsnTableTest {
    private static NodeAddress v4(int a, int b, int c, int d) {
        return NodeAddress.ipv4(a << 24 | b << 16 | c << 8 | d, 1);
    }

    @Test
    void theShippedSampleMapsItsRangesAndLeavesUnroutedSpaceOut() throws Exception {
        Path sample = Path.of("..", "docs", "asn-sample.tsv");
        AsnTable table = AsnTable.parse(Files.readAllLines(sample), sample.toString());
        assertEquals(9, table.size(), "11 ranges, 2 of them AS 0 (not routed)");
        assertEquals(13335, table.asnOf(v4(1, 0, 0, 0)), "first address of a range");
        assertEquals(13335, table.asnOf(v4(1, 0, 0, 255)), "last address of a range");
        assertEquals(0, table.asnOf(v4(1, 0, 2, 7)), "AS 0: not routed");
        assertEquals(38803, table.asnOf(v4(1, 0, 7, 1)));
        assertEquals(15169, table.asnOf(v4(8, 8, 8, 8)));
        assertEquals(0, table.asnOf(v4(8, 8, 9, 0)), "between ranges");
        assertEquals(0, table.asnOf(v4(0, 0, 0, 1)), "before the first range");
        assertEquals(0, table.asnOf(v4(255, 1, 1, 1)), "after the last range (an unsigned comparison)");
        assertEquals(13335, table.asnOf(NodeAddress.ipv6(0x2606_4700_0000_0001L, 7, 1)));
        assertEquals(15169, table.asnOf(NodeAddress.ipv6(0x2001_4860_ffff_ffffL, -1L, 1)), "the range's last address");
        assertEquals(0, table.asnOf(NodeAddress.ipv6(0x2001_4861_0000_0000L, 0, 1)));
    }

    @Test
    void compressedIpv6AndUnsortedInputAreRead() {
        AsnTable table = AsnTable.parse(List.of("2001:db8::1\t2001:db8::ff\t64500", "10.0.0.0\t10.0.0.9\t64501",
                "::\t::ff\t64502", "9.255.255.255\t9.255.255.255\t64503"), "t");
        assertEquals(64500, table.asnOf(NodeAddress.ipv6(0x2001_0db8_0000_0000L, 0x80, 1)));
        assertEquals(64502, table.asnOf(NodeAddress.ipv6(0, 3, 1)));
        assertEquals(64501, table.asnOf(v4(10, 0, 0, 9)));
        assertEquals(64503, table.asnOf(v4(9, 255, 255, 255)));
    }

    @Test
    void aBadLineIsOneLineNamingTheFileAndTheLine() {
        assertBad("f line 2: expected range_start, range_end and AS_number separated by tabs",
                "# comment", "1.0.0.0 1.0.0.255 13335");
        assertBad("f line 1: not an IP address: '1.0.0'", "1.0.0\t1.0.0.255\t1");
        assertBad("f line 1: not an IP address: '1.0.0.256'", "1.0.0.0\t1.0.0.256\t1");
        assertBad("f line 1: not an IP address: '2001:db8:::1'", "2001:db8:::1\t2001:db8::2\t1");
        assertBad("f line 1: not an IP address: '1:2:3:4:5:6:7:8:9'", "1:2:3:4:5:6:7:8:9\t1::\t1");
        assertBad("f line 1: the range mixes IPv4 and IPv6", "1.0.0.0\t::1\t1");
        assertBad("f line 1: range_start is after range_end", "1.0.0.9\t1.0.0.1\t1");
        assertBad("f line 1: AS_number is not a number: 'AS13335'", "1.0.0.0\t1.0.0.255\tAS13335");
        assertBad("f line 1: AS_number out of range: 4294967296", "1.0.0.0\t1.0.0.255\t4294967296");
        assertBad("f line 3: the range overlaps the one of line 1", "1.0.0.0\t1.0.0.255\t1", "", "1.0.0.255\t1.0.1.0\t2");
    }

    private static void assertBad(String message, String... lines) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AsnTable.parse(List.of(lines), "f"));
        assertEquals(message, e.getMessage());
    }
}
