package io.molia.node;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.SplittableRandom;

import io.molia.codec.DecodeStatus;
import io.molia.codec.MessageCodec;
import io.molia.codec.ProtocolRange;
import io.molia.codec.WireMessage;
import io.molia.contact.Contact;
import io.molia.contact.NodeAddress;
import io.molia.crypto.Ed25519Identity;
import io.molia.session.SessionManager;
import io.molia.session.StaticIdentity;

/**
 * A hand-driven peer of a live node for tests: a real WireGuard session from its own UDP socket on loopback, over
 * which a test sends inner messages it wrote itself (forged nonces, chosen tokens) and reads the answers.
 */
final class SessionClient implements AutoCloseable {
    private final DatagramSocket socket;
    private final SessionManager sessions;
    private final Contact target;
    private final InetSocketAddress targetSocket;
    private final MessageCodec codec;
    private final byte[] buf = new byte[SessionManager.MAX_DATAGRAM_BYTES];

    /** A client with identity {@code seed}, saying {@code powNonce} is its proof of work. */
    SessionClient(MoliaNode target, byte[] seed, long powNonce) throws IOException {
        this.socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        this.sessions = new SessionManager(StaticIdentity.fromEd25519Seed(seed),
                Ed25519Identity.fromSeed(seed).publicKey(), new byte[32], 0, 0, 4, new SplittableRandom(7),
                (id, key, pow) -> true);
        this.target = target.self();
        this.targetSocket = new InetSocketAddress(InetAddress.getLoopbackAddress(), this.target.address().port());
        this.codec = new MessageCodec(ProtocolRange.THIS_RELEASE, powNonce);
    }

    MessageCodec codec() {
        return codec;
    }

    /** Where the node sees this client. */
    NodeAddress address() {
        return NodeAddress.ipv4(0x7f000001, socket.getLocalPort());
    }

    /**
     * Sends {@code inner[0, len)} and returns the node's answer to it (decoded), or null if none came within
     * {@code waitMs}: the handshake, if one is needed, happens on the way; the node's own requests (a ping of a new
     * candidate) are left unanswered.
     */
    WireMessage exchange(byte[] inner, int len, long waitMs) throws IOException {
        WireMessage sent = new WireMessage();
        if (codec.decode(inner, 0, len, sent) != DecodeStatus.OK) {
            throw new IOException("not a message: " + len + " bytes");
        }
        long requestId = sent.requestId();
        long now = System.nanoTime();
        if (!sessions.send(now, ShardLoop.wallNanos(), target, inner, 0, len)) {
            throw new IOException("the session layer refused to send");
        }
        long deadline = now + waitMs * 1_000_000;
        while (true) {
            flush();
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                return null;
            }
            socket.setSoTimeout((int) Math.max(1, Math.min(left, 20)));
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                socket.receive(p);
            } catch (SocketTimeoutException quiet) {
                now = System.nanoTime();
                if (now >= sessions.nextDeadlineNs()) {
                    sessions.onTimer(now, ShardLoop.wallNanos()); // a lost handshake is retried
                }
                continue;
            }
            int status = sessions.onDatagram(System.nanoTime(), ShardLoop.wallNanos(), target.address(), buf, 0,
                    p.getLength());
            if (status == SessionManager.DELIVERED) {
                SessionManager.Delivery d = sessions.delivery();
                WireMessage m = new WireMessage();
                if (codec.decode(d.data, d.offset, d.length, m) != DecodeStatus.OK) {
                    throw new IOException("the node sent an inner message this client cannot decode");
                }
                if (m.requestId() == requestId && !m.kind().isRequest()) {
                    return m;
                }
            }
        }
    }

    private void flush() throws IOException {
        SessionManager.Transmit t;
        while ((t = sessions.pollTransmit()) != null) {
            socket.send(new DatagramPacket(t.data(), t.length(), targetSocket));
        }
    }

    @Override
    public void close() {
        socket.close();
    }
}
