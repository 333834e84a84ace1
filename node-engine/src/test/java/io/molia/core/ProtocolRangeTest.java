package io.molia.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;

import io.molia.codec.DecodeStatus;
import io.molia.codec.MessageCodec;
import io.molia.codec.MessageKind;
import io.molia.codec.ProtocolRange;
import io.molia.codec.WireMessage;
import io.molia.contact.Contact;
import org.junit.jupiter.api.Test;

/**
 * The version rule between a node of this release and one of another protocol range (DESIGN §3.4): overlapping
 * ranges talk, each in its own version, ignoring the other's feature bits; disjoint ranges answer with an error
 * naming their range. Two cores, every datagram carried by hand and recorded.
 */
class ProtocolRangeTest {
    private static final long MS = 1_000_000;

    private final SplittableRandom random = new SplittableRandom(7);
    private final List<WireMessage> carried = new ArrayList<>();
    private long now;

    private NodeCore core(ProtocolRange range, int host) {
        Contact c = TestContacts.random(random, 0x0a000000 | host << 8);
        return new NodeCore(CoreConfig.defaults().withProtocol(range), c, random.split(), now);
    }

    /** Carries datagrams between {@code a} and {@code b}, and fires their timers, until both are quiet. */
    private void drive(NodeCore a, NodeCore b) {
        MessageCodec reader = new MessageCodec(1);
        for (int round = 0; round < 1_000; round++) {
            List<Object[]> inFlight = new ArrayList<>();
            for (NodeCore from : List.of(a, b)) {
                if (from.nextDeadlineNs() <= now) {
                    from.onTimer(now);
                }
                Outbound out;
                while ((out = from.pollTransmit()) != null) {
                    byte[] data = Arrays.copyOf(out.data(), out.length());
                    WireMessage m = new WireMessage();
                    assertEquals(DecodeStatus.OK, reader.decode(data, 0, data.length, m));
                    carried.add(m);
                    inFlight.add(new Object[] {from, from == a ? b : a, data});
                }
            }
            if (inFlight.isEmpty()) {
                return;
            }
            now += MS;
            for (Object[] d : inFlight) {
                byte[] data = (byte[]) d[2];
                ((NodeCore) d[1]).onDatagram(now, ((NodeCore) d[0]).self(), data, 0, data.length);
            }
        }
        throw new AssertionError("livelock");
    }

    private static <T extends CoreEvent> T event(NodeCore core, Class<T> type) {
        CoreEvent e;
        while ((e = core.pollEvent()) != null) {
            if (type.isInstance(e)) {
                return type.cast(e);
            }
        }
        throw new AssertionError("no " + type.getSimpleName());
    }

    @Test
    void thisReleaseAndTheNextLookUpPutAndGetAcrossInBothDirections() {
        NodeCore current = core(ProtocolRange.THIS_RELEASE, 1);
        NodeCore next = core(ProtocolRange.nextForTests(1, 2), 2);
        current.addTrustedContact(now, next.self(), -1);
        next.addTrustedContact(now, current.self(), -1);
        for (NodeCore[] pair : new NodeCore[][] {{current, next}, {next, current}}) {
            NodeCore from = pair[0];
            NodeCore to = pair[1];
            from.startLookup(now, to.self().id());
            drive(current, next);
            assertEquals(to.self().id(), event(from, CoreEvent.LookupCompleted.class).closest().get(0).id());
            byte[] value = ("put by " + from.self().id()).getBytes(StandardCharsets.UTF_8);
            from.startPut(now, value, 3_600_000 * MS);
            drive(current, next);
            CoreEvent.PutCompleted put = event(from, CoreEvent.PutCompleted.class);
            assertEquals(1, put.stored(), "stored on the other node");
            from.startGet(now, put.key()); // a put keeps no copy at home: the value comes from the other node
            drive(current, next);
            assertArrayEquals(value, event(from, CoreEvent.GetCompleted.class).value(), "got from the other node");
        }
        for (WireMessage m : carried) {
            if (m.version() == 2) {
                assertEquals(1, m.senderMinVersion());
                assertEquals(ProtocolRange.FEATURE_RESERVED_FOR_TESTS, m.features());
            } else {
                assertEquals(1, m.version());
                assertEquals(0, m.features());
            }
            assertTrue(m.kind() != MessageKind.ERROR, "no version error between overlapping ranges");
        }
        assertTrue(carried.stream().anyMatch(m -> m.version() == 2), "the next node wrote its own version");
    }

    @Test
    void disjointRangesAnswerWithAnErrorNamingTheirRange() {
        NodeCore current = core(ProtocolRange.THIS_RELEASE, 1);
        NodeCore later = core(ProtocolRange.nextForTests(2, 3), 2);
        current.addTrustedContact(now, later.self(), -1);
        later.addTrustedContact(now, current.self(), -1);
        current.ping(now, later.self());
        later.ping(now, current.self());
        drive(current, later);
        List<String> errors = carried.stream().filter(m -> m.kind() == MessageKind.ERROR)
                .map(m -> "v" + m.version() + " says " + m.minVersion() + ".." + m.maxVersion()).sorted().toList();
        assertEquals(List.of("v1 says 1..1", "v3 says 2..3"), errors);
        assertEquals(1, current.counters().versionErrorsSent);
        assertEquals(1, later.counters().versionErrorsSent);
    }

    @Test
    void thisReleaseWritesTheSameBytesAsBeforeFeatureBits() {
        byte[] ping = new byte[64];
        int len = new MessageCodec(ProtocolRange.THIS_RELEASE).encodePing(ping, 0, 1);
        assertEquals("0801" + "110100000000000000" + "5200", HexFormat.of().formatHex(ping, 0, len));
        len = new MessageCodec(ProtocolRange.nextForTests(1, 2)).encodePing(ping, 0, 1);
        assertEquals("0802" + "110100000000000000" + "1801" + "20" + "80808080808080808001" + "5200",
                HexFormat.of().formatHex(ping, 0, len));
    }

    @Test
    void aRangeIsOneOrMoreVersionsFromOne() {
        assertEquals("protocol versions must satisfy 1 <= min <= max, got 2..1",
                assertThrows(IllegalArgumentException.class, () -> new ProtocolRange(2, 1, 0)).getMessage());
    }
}
