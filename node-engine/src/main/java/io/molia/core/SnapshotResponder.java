package io.molia.core;

import io.molia.codec.DecodeStatus;
import io.molia.codec.MessageCodec;
import io.molia.codec.MessageKind;
import io.molia.codec.ProtocolRange;
import io.molia.codec.WireMessage;
import io.molia.contact.Contact;
import io.molia.contact.NodeId;

/**
 * What a shard that does not own the routing table answers itself (DESIGN §3.2): PING, and FIND_NODE from the
 * latest published {@link RoutingSnapshot}. Everything else (FIND_VALUE, STORE, answers to the node's own requests,
 * and anything malformed or of an unknown type or version) is left for the driver to hand over to the owner's
 * {@link NodeCore}, which handles and counts it as its own. Sans-I/O and allocation-free on the answered path; one
 * per shard, used by its thread.
 */
public final class SnapshotResponder {
    /** The answer is in {@link #answer()}: send it to the peer. */
    public static final int ANSWERED = 0;
    /** Not for this shard: hand the message to the owner of the node's state. */
    public static final int FORWARD = 1;
    /** From this node itself: nothing to send (as the core ignores it). */
    public static final int DROPPED = 2;

    private final NodeId self;
    private final ProtocolRange protocol = ProtocolRange.spoken();
    private final MessageCodec codec = new MessageCodec(protocol);
    private final WireMessage message = new WireMessage();
    private final byte[] answer = new byte[MessageCodec.MAX_DATAGRAM_BYTES];
    private final Contact[] closest;
    private final CoreCounters counters = new CoreCounters();
    private int answerLength;

    public SnapshotResponder(NodeId self, int k) {
        this.self = self;
        this.closest = new Contact[k];
    }

    /** An inner message from the authenticated peer {@code from}: {@link #ANSWERED}, {@link #FORWARD} or dropped. */
    public int onDatagram(Contact from, byte[] buf, int off, int len, RoutingSnapshot routing) {
        DecodeStatus status = codec.decode(buf, off, len, message);
        if (status == DecodeStatus.OK && message.kind().isRequest() && isAnsweredHere(message.kind())
                && protocol.accepts(message)) {
            if (from.id().equals(self)) {
                return DROPPED;
            }
            counters.datagramsIn++;
            counters.requestsIn++;
            if (message.kind() == MessageKind.PING) {
                answerLength = codec.encodePong(answer, 0, message.requestId(), from.address());
            } else {
                int n = routing.closest(message.targetWord(0), message.targetWord(1), message.targetWord(2),
                        message.targetWord(3), from.id(), closest, closest.length);
                answerLength = codec.encodeNodes(answer, 0, message.requestId(), closest, n);
            }
            counters.datagramsOut++;
            return ANSWERED;
        }
        return FORWARD; // counted by the owner's core, so every message is counted once
    }

    private static boolean isAnsweredHere(MessageKind kind) {
        return kind == MessageKind.PING || kind == MessageKind.FIND_NODE;
    }

    /** The encoded answer of the last {@link #ANSWERED} message, valid until the next call. */
    public byte[] answer() {
        return answer;
    }

    public int answerLength() {
        return answerLength;
    }

    /** This shard's share of the core counters (requests it answered itself). */
    public CoreCounters counters() {
        return counters;
    }
}
