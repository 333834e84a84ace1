package io.molia.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import io.molia.core.CoreEvent;
import io.molia.node.MoliaAddress;
import io.molia.node.MoliaNode;
import io.molia.node.NodeConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two real nodes on loopback with {@code --wg-keylog} on, every datagram between them recorded by a relay into a
 * pcap file as tcpdump writes it; the decoder then reads that file: with the key log it decrypts Molia's initiation
 * (the request inside), its response (the answer inside) and the transport data; without it, it says why not.
 */
class WireDecodeLiveTest {
    @TempDir
    Path dir;

    @Test
    void theKeyLogOfLiveNodesDecryptsTheirCapturedTraffic() throws Exception {
        Path keyLog = dir.resolve("keys.log");
        InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        byte[] value = "decoded from the capture".getBytes(StandardCharsets.UTF_8);
        Path capture = dir.resolve("capture.pcap");
        MoliaNode a;
        CoreEvent.PutCompleted put;
        try (MoliaNode b = MoliaNode.start(new NodeConfig(dir.resolve("b"), loopback, List.of(), new byte[32], 1, null)
                .withPowBits(4)
                .withKeyLog(keyLog));
                RecordingRelay relay = new RecordingRelay(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                        b.address().port()))) {
            MoliaAddress bThroughRelay = new MoliaAddress(b.address().publicKey(), "127.0.0.1", relay.port());
            // Two shards: both of A's session layers write to the one key log.
            a = MoliaNode.start(new NodeConfig(dir.resolve("a"), loopback, List.of(bThroughRelay), new byte[32], 2,
                    null).withPowBits(4).withKeyLog(keyLog));
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (a.status().get(5, TimeUnit.SECONDS).routingTableSize() == 0 && System.nanoTime() < deadline) {
                    Thread.sleep(20); // A's join: B answers its first request
                }
                put = a.put(value, 600).get(10, TimeUnit.SECONDS);
                assertEquals(1, put.stored(), "B stored A's value, through the relay");
            } finally {
                a.close();
            }
            Files.write(capture, relay.capture());
        }
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(keyLog)));
        List<String> lines = Files.readAllLines(keyLog);
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("LOCAL_EPHEMERAL_PRIVATE_KEY = ")) {
                assertTrue(lines.get(i + 1).startsWith("PRESHARED_KEY = "), "blocks are whole:\n" + lines);
            }
        }

        List<DecodedDatagram> decoded = decode(capture, KeyLog.read(List.of(keyLog)));
        String all = String.join("\n", decoded.stream().map(DecodedDatagram::line).toList());
        assertTrue(decoded.size() >= 5, all);
        assertTrue(decoded.stream().allMatch(DecodedDatagram::decrypted), "every datagram decrypted:\n" + all);
        DecodedDatagram initiation = decoded.get(0);
        assertEquals(0x4D, initiation.type(), all);
        assertEquals(a.self().id().toHex(), initiation.initiator(), "the initiator is A");
        assertEquals("FIND_NODE", initiation.inner().kind(), "A's join: its first request rides in the initiation");
        DecodedDatagram response = decoded.stream().filter(d -> d.type() == 0x4E).findFirst().orElseThrow();
        assertEquals(initiation.sender(), response.receiver());
        assertEquals(initiation.session(), response.session());
        assertEquals("NODES", response.inner().kind(), all);
        assertEquals(initiation.inner().requestId(), response.inner().requestId(), "the answer to that request");
        DecodedDatagram store = decoded.stream().filter(d -> d.inner() != null && d.inner().kind().equals("STORE"))
                .findFirst().orElseThrow(() -> new AssertionError("no STORE in\n" + all));
        assertEquals(4, store.type(), "the put travels as transport data");
        assertEquals(put.key().toHex(), store.inner().fields().get("key"));
        assertEquals((long) value.length, ((Number) store.inner().fields().get("value_bytes")).longValue());
        DecodedDatagram ack = decoded.stream().filter(d -> d.inner() != null && d.inner().kind().equals("STORE_ACK"))
                .findFirst().orElseThrow(() -> new AssertionError("no STORE_ACK in\n" + all));
        assertEquals(store.inner().requestId(), ack.inner().requestId());
        assertEquals(true, ack.inner().fields().get("stored"));
        assertEquals(ack.destination(), initiation.source(), "the answer went back to A");

        List<DecodedDatagram> blind = decode(capture, KeyLog.parse(""));
        assertEquals(decoded.size(), blind.size());
        for (DecodedDatagram d : blind) {
            assertFalse(d.decrypted(), d.line());
            assertTrue(d.note() != null && !d.note().isEmpty(), "says why: " + d.line());
            assertEquals(null, d.inner(), d.line());
        }
        assertTrue(blind.get(0).note().contains("mac1"), blind.get(0).line());
        assertEquals(initiation.session(), blind.get(0).session(), "sessions are linked by index without keys too");
    }

    private static List<DecodedDatagram> decode(Path capture, KeyLog keys) throws Exception {
        List<DecodedDatagram> out = new ArrayList<>();
        CaptureDecode.Summary summary = CaptureDecode.run(PcapReader.read(capture), keys, Set.of(), out::add);
        assertEquals(out.size(), summary.datagrams());
        assertEquals(0, summary.withoutUdp());
        return out;
    }
}
