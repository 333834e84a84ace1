package io.molia.sim;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import io.molia.codec.DecodeStatus;
import io.molia.codec.MessageCodec;
import io.molia.codec.WireMessage;
import io.molia.contact.Contact;
import io.molia.contact.NodeId;
import io.molia.record.MutableRecord;
import io.molia.record.WriteOutcome;

/**
 * The answers of colluding Sybils that forge them ({@link SybilBehaviour#ONLY_SYBILS}, {@link
 * SybilBehaviour#WRONG_VALUE}): encoded with the real codec, so honest cores meet them exactly as they would on the
 * wire. The attackers know every Sybil and every record the measured gets read (records are public once stored).
 *
 * <p>Single-threaded (the simulation's thread).
 */
final class SybilResponder {
    private static final long TTL_SECONDS = 3_600;
    private static final int FORGED_VALUE_BYTES = 64;

    private final List<Contact> sybils;
    private final SybilBehaviour behaviour;
    private final Map<NodeId, MutableRecord> knownMutables;
    private final SplittableRandom random;
    private final Contact[] closest;
    private final WireMessage message = new WireMessage();
    private long forgedRecords;

    SybilResponder(List<Contact> sybils, SybilBehaviour behaviour, Map<NodeId, MutableRecord> knownMutables, int k,
            SplittableRandom random) {
        this.sybils = sybils;
        this.behaviour = behaviour;
        this.knownMutables = knownMutables;
        this.random = random;
        this.closest = new Contact[k];
    }

    /** Records forged so far (wrong values and wrongly signed mutable records sent). */
    long forgedRecords() {
        return forgedRecords;
    }

    /**
     * The answer of Sybil {@code self} (whose codec carries its proof-of-work nonce) to the datagram from
     * {@code from}, encoded into {@code out}; -1 for none (a response, or nothing worth answering).
     */
    int answer(Contact self, MessageCodec codec, Contact from, byte[] data, int length, byte[] out) {
        if (codec.decode(data, 0, length, message) != DecodeStatus.OK || !message.kind().isRequest()) {
            return -1;
        }
        long id = message.requestId();
        return switch (message.kind()) {
            case PING -> codec.encodePong(out, 0, id, from.address());
            case FIND_NODE -> codec.encodeNodes(out, 0, id, closest, closestSybils(self, message.target()),
                    random.nextLong() | 1);
            case FIND_VALUE -> {
                int n = closestSybils(self, message.target());
                if (behaviour == SybilBehaviour.WRONG_VALUE) {
                    byte[] forged = new byte[FORGED_VALUE_BYTES];
                    random.nextBytes(forged);
                    forgedRecords++;
                    yield codec.encodeValue(out, 0, id, forged, 0, forged.length, TTL_SECONDS, random.nextLong() | 1);
                }
                yield codec.encodeNodes(out, 0, id, closest, n, random.nextLong() | 1);
            }
            case GET_MUTABLE -> {
                int n = closestSybils(self, message.target());
                MutableRecord real = knownMutables.get(message.target());
                if (behaviour == SybilBehaviour.WRONG_VALUE && real != null) {
                    forgedRecords++;
                    yield codec.encodeMutableValue(out, 0, id, forge(real), TTL_SECONDS, closest, n);
                }
                yield codec.encodeNodes(out, 0, id, closest, n);
            }
            case GET_PROVIDERS -> codec.encodeProviders(out, 0, id, List.of(), List.of(), closest,
                    closestSybils(self, message.target()));
            case STORE -> codec.encodeStoreAck(out, 0, id, true); // thrown away
            case ADD_PROVIDER, PUT_MUTABLE -> codec.encodeRecordAck(out, 0, id, WriteOutcome.STORED,
                    message.kind() == io.molia.codec.MessageKind.PUT_MUTABLE ? message.mutableRecord().seq() : 0);
            default -> -1;
        };
    }

    /** The owner's record with a higher seq and another value, under 64 bytes that are not the owner's signature. */
    private MutableRecord forge(MutableRecord real) {
        byte[] value = new byte[real.value().length];
        random.nextBytes(value);
        byte[] signature = new byte[real.signature().length];
        random.nextBytes(signature);
        return new MutableRecord(real.publicKey(), real.salt(), real.seq() + 1, value, signature);
    }

    /** Fills {@link #closest} with the Sybils closest to {@code target} but {@code self}, closest first. */
    private int closestSybils(Contact self, NodeId target) {
        int size = 0;
        int k = closest.length;
        for (Contact c : sybils) {
            if (c == self || size == k && target.compareDistance(c.id(), closest[k - 1].id()) >= 0) {
                continue;
            }
            int pos = size == k ? k - 1 : size++;
            while (pos > 0 && target.compareDistance(c.id(), closest[pos - 1].id()) < 0) {
                closest[pos] = closest[pos - 1];
                pos--;
            }
            closest[pos] = c;
        }
        return size;
    }
}
