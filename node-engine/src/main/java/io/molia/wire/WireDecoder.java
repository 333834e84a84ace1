package io.molia.wire;

import static io.molia.session.WireGuardConstants.INIT_EPHEMERAL;
import static io.molia.session.WireGuardConstants.INIT_STATIC;
import static io.molia.session.WireGuardConstants.INIT_TIMESTAMP;
import static io.molia.session.WireGuardConstants.RESP_EMPTY;
import static io.molia.session.WireGuardConstants.RESP_EPHEMERAL;
import static io.molia.session.WireGuardConstants.TRANSPORT_HEADER_BYTES;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.molia.contact.NodeId;
import io.molia.crypto.Blake2s;
import io.molia.crypto.ChaChaPoly;
import io.molia.crypto.X25519Keys;
import io.molia.session.NoiseHandshake;
import io.molia.session.SessionManager;
import io.molia.session.WireGuardConstants;

/**
 * Decodes a capture's datagrams in order, as Wireshark's WireGuard dissector does, and Molia's own types as well:
 * an initiation (type 1 or Molia's 0x4D) is decrypted with the responder's static private key, or with the
 * initiator's ephemeral and static private keys, from the key log; its response (2 or 0x4E) with the initiator's
 * keys or the responder's ephemeral key, trying each logged pre-shared key; the transport keys then open the
 * session's data messages. The inner messages (Molia's request in its initiation, the answer in its response, and
 * every data message of a Molia session) are read with the node's own codec. Whatever cannot be decrypted says why.
 *
 * <p>Sessions are found by index: a response by the initiation's sender index, data by its receiver index (the
 * newest handshake that issued it). Not thread-safe.
 */
public final class WireDecoder {
    private static final int MAC_BYTES = 16;
    private static final int ED_KEY = 32;
    private static final int TAI64N = 12;
    private static final long TAI64_EPOCH_LABEL = 0x400000000000000AL;

    private final KeyLog keys;
    private final ChaChaPoly aead = new ChaChaPoly();
    private final byte[] dh = new byte[32];
    /** Initiations seen, by the initiator's sender index. */
    private final Map<Integer, Initiation> initiations = new HashMap<>();
    /** Both ends of every session seen, by the index data sent to that end carries. */
    private final Map<Integer, SessionEnd> ends = new HashMap<>();
    private int sessions;

    /** An initiation, and what decrypting it left for its response (state null: it did not decrypt, see why). */
    private static final class Initiation {
        final int session;
        final boolean molia;
        final byte[] ephemeral;
        NoiseHandshake state;
        byte[] initiatorStatic;
        KeyLog.EphemeralKey ephemeralKey;
        String why;

        Initiation(int session, boolean molia, byte[] ephemeral) {
            this.session = session;
            this.molia = molia;
            this.ephemeral = ephemeral;
        }
    }

    /** One end of a session: the key that opens data sent to it, or why there is none. */
    private record SessionEnd(int session, boolean molia, byte[] key, String why) {
    }

    public WireDecoder(KeyLog keys) {
        this.keys = keys;
    }

    public DecodedDatagram decode(UdpDatagram d) {
        byte[] m = d.payload();
        Builder out = new Builder(d);
        if (d.truncated()) {
            return out.note("cut short by the capture (" + m.length + " of " + d.wireLength()
                    + " bytes): capture with a larger snap length");
        }
        if (m.length < 4) {
            return out.note("too short for a WireGuard message");
        }
        out.type = m[0] & 0xff;
        if (m[1] != 0 || m[2] != 0 || m[3] != 0) {
            return out.note("reserved bytes are not zero: not a WireGuard or Molia message");
        }
        return switch (out.type) {
            case WireGuardConstants.TYPE_INITIATION, SessionManager.TYPE_MOLIA_INITIATION -> initiation(m, out);
            case WireGuardConstants.TYPE_RESPONSE, SessionManager.TYPE_MOLIA_RESPONSE -> response(m, out);
            case WireGuardConstants.TYPE_COOKIE_REPLY -> cookieReply(m, out);
            case WireGuardConstants.TYPE_TRANSPORT -> transport(m, out);
            default -> out.note("not a WireGuard or Molia message type");
        };
    }

    // ------------------------------------------------------------------ handshake initiation

    private DecodedDatagram initiation(byte[] m, Builder out) {
        int macs = m.length - 2 * MAC_BYTES;
        if (macs < INIT_TIMESTAMP + ChaChaPoly.TAG_BYTES) {
            return out.note("too short for an initiation");
        }
        boolean molia = out.type == SessionManager.TYPE_MOLIA_INITIATION;
        out.sender = intLe(m, 4);
        Initiation ini = new Initiation(++sessions, molia, Arrays.copyOfRange(m, INIT_EPHEMERAL, INIT_EPHEMERAL + 32));
        initiations.put(out.sender, ini);
        out.session = ini.session;
        byte[] payload = new byte[macs - INIT_TIMESTAMP];
        int payloadLen = decryptInitiation(m, macs, ini, payload);
        if (payloadLen < 0) {
            return out.note(ini.why);
        }
        out.decrypted = true;
        int ts = molia ? ED_KEY : 0;
        if (payloadLen < ts + TAI64N + (molia ? 2 : 0)) {
            return out.note("the decrypted payload is too short for " + (molia ? "a Molia" : "an") + " initiation");
        }
        out.timestamp = tai64n(payload, ts);
        if (!molia) {
            return out.build();
        }
        byte[] ed = Arrays.copyOf(payload, ED_KEY);
        out.initiator = NodeId.ofPublicKey(ed).toHex();
        if (!Arrays.equals(X25519Keys.fromEd25519PublicKey(ed), ini.initiatorStatic)) {
            return out.note("its Ed25519 key is not the static key of the handshake: a node drops it");
        }
        return inner(payload, ts + TAI64N, payloadLen, out, "no request inside (a rekey)");
    }

    /** Decrypts the initiation's static key and payload into {@code payload}; its length, or -1 (ini.why says). */
    private int decryptInitiation(byte[] m, int macs, Initiation ini, byte[] payload) {
        KeyLog.StaticKey responder = responderByMac1(m, macs);
        if (responder == null) {
            ini.why = "no static key in the key log matches its mac1 (the responder's key is not logged)";
            return -1;
        }
        KeyLog.EphemeralKey ephemeral = keys.ephemeral(ini.ephemeral);
        byte[] responderPrivate = responder.privateKey();
        if (responderPrivate == null && ephemeral == null) {
            ini.why = "the key log has neither the responder's static private key nor the initiator's ephemeral key";
            return -1;
        }
        NoiseHandshake n = new NoiseHandshake(new Blake2s(), new ChaChaPoly());
        n.initialize(WireGuardConstants.CONSTRUCTION, WireGuardConstants.IDENTIFIER);
        n.mixHash(responder.publicKey(), 0, 32);
        n.mixHash(ini.ephemeral, 0, 32);
        n.mixKey(ini.ephemeral, 0, 32);
        boolean asResponder = responderPrivate != null;
        if (!agree(asResponder ? responderPrivate : ephemeral.privateKey(),
                asResponder ? ini.ephemeral : responder.publicKey())) {
            ini.why = "a low-order key";
            return -1;
        }
        n.mixKey(dh, 0, 32);
        byte[] initiatorStatic = new byte[32];
        if (n.decryptAndHash(m, INIT_STATIC, 32 + ChaChaPoly.TAG_BYTES, initiatorStatic, 0) != 32) {
            ini.why = "the initiator's static key does not decrypt with the logged keys";
            return -1;
        }
        KeyLog.StaticKey initiator = keys.staticKey(initiatorStatic);
        byte[] initiatorPrivate = initiator == null ? null : initiator.privateKey();
        if (!asResponder && initiatorPrivate == null) {
            ini.why = "the initiator's static private key is not in the key log";
            return -1;
        }
        if (!agree(asResponder ? responderPrivate : initiatorPrivate,
                asResponder ? initiatorStatic : responder.publicKey())) {
            ini.why = "a low-order key";
            return -1;
        }
        n.mixKey(dh, 0, 32);
        int payloadLen = n.decryptAndHash(m, INIT_TIMESTAMP, macs - INIT_TIMESTAMP, payload, 0);
        if (payloadLen < 0) {
            ini.why = "the payload does not decrypt with the logged keys";
            return -1;
        }
        ini.state = n;
        ini.initiatorStatic = initiatorStatic;
        ini.ephemeralKey = ephemeral;
        return payloadLen;
    }

    /** The logged static key the initiation was sent to: the one whose mac1 key makes its mac1. */
    private KeyLog.StaticKey responderByMac1(byte[] m, int macs) {
        Blake2s blake2s = new Blake2s();
        byte[] mac = new byte[MAC_BYTES];
        for (KeyLog.StaticKey k : keys.statics()) {
            blake2s.mac(blake2s.hash(WireGuardConstants.LABEL_MAC1, k.publicKey()), m, 0, macs, mac, 0);
            if (Arrays.equals(mac, 0, MAC_BYTES, m, macs, macs + MAC_BYTES)) {
                return k;
            }
        }
        return null;
    }

    // ------------------------------------------------------------------ handshake response

    private DecodedDatagram response(byte[] m, Builder out) {
        int macs = m.length - 2 * MAC_BYTES;
        if (macs < RESP_EMPTY + ChaChaPoly.TAG_BYTES) {
            return out.note("too short for a response");
        }
        out.sender = intLe(m, 4);
        out.receiver = intLe(m, 8);
        Initiation ini = initiations.get(out.receiver);
        if (ini == null) {
            return out.note("no initiation with sender index " + String.format("0x%08x", out.receiver)
                    + " in the capture");
        }
        out.session = ini.session;
        if (ini.state == null) {
            String why = "its initiation did not decrypt: " + ini.why;
            ends.put(out.receiver, new SessionEnd(ini.session, ini.molia, null, why));
            ends.put(out.sender, new SessionEnd(ini.session, ini.molia, null, why));
            return out.note(why);
        }
        byte[] payload = new byte[macs - RESP_EMPTY];
        byte[] initiatorSend = new byte[32];
        byte[] initiatorReceive = new byte[32];
        Opened opened = decryptResponse(m, macs, ini, payload, initiatorSend, initiatorReceive);
        if (opened.why() != null) {
            ends.put(out.receiver, new SessionEnd(ini.session, ini.molia, null, "its response did not decrypt"));
            ends.put(out.sender, new SessionEnd(ini.session, ini.molia, null, "its response did not decrypt"));
            return out.note(opened.why());
        }
        ends.put(out.receiver, new SessionEnd(ini.session, ini.molia, initiatorReceive, null));
        ends.put(out.sender, new SessionEnd(ini.session, ini.molia, initiatorSend, null));
        out.decrypted = true;
        if (out.type != SessionManager.TYPE_MOLIA_RESPONSE) {
            return out.build();
        }
        return inner(payload, 0, opened.length(), out, "no answer inside (it follows as transport data, if any)");
    }

    /** A decrypted payload's length, or why it could not be decrypted. */
    private record Opened(int length, String why) {
        static Opened failed(String why) {
            return new Opened(-1, why);
        }
    }

    /** Decrypts the response into {@code payload} and derives the session's keys. */
    private Opened decryptResponse(byte[] m, int macs, Initiation ini, byte[] payload, byte[] initiatorSend,
            byte[] initiatorReceive) {
        byte[] responderEphemeral = Arrays.copyOfRange(m, RESP_EPHEMERAL, RESP_EPHEMERAL + 32);
        KeyLog.EphemeralKey responderKey = keys.ephemeral(responderEphemeral);
        KeyLog.StaticKey initiator = keys.staticKey(ini.initiatorStatic);
        boolean asInitiator = ini.ephemeralKey != null && initiator != null && initiator.privateKey() != null;
        if (!asInitiator && responderKey == null) {
            return Opened.failed("the key log has neither the initiator's ephemeral and static private keys nor "
                    + "the responder's ephemeral key");
        }
        NoiseHandshake n = new NoiseHandshake(new Blake2s(), new ChaChaPoly());
        n.copyFrom(ini.state);
        n.mixHash(responderEphemeral, 0, 32);
        n.mixKey(responderEphemeral, 0, 32);
        if (!agree(asInitiator ? ini.ephemeralKey.privateKey() : responderKey.privateKey(),
                asInitiator ? responderEphemeral : ini.ephemeral)) {
            return Opened.failed("a low-order key");
        }
        n.mixKey(dh, 0, 32);
        if (!agree(asInitiator ? initiator.privateKey() : responderKey.privateKey(),
                asInitiator ? responderEphemeral : ini.initiatorStatic)) {
            return Opened.failed("a low-order key");
        }
        n.mixKey(dh, 0, 32);
        NoiseHandshake attempt = new NoiseHandshake(new Blake2s(), new ChaChaPoly());
        for (byte[] psk : preSharedKeys(ini.ephemeralKey, responderKey)) {
            attempt.copyFrom(n);
            attempt.mixKeyAndHash(psk);
            int len = attempt.decryptAndHash(m, RESP_EMPTY, macs - RESP_EMPTY, payload, 0);
            if (len >= 0) {
                attempt.split(initiatorSend, initiatorReceive);
                return new Opened(len, null);
            }
        }
        return Opened.failed("the response does not decrypt with any logged pre-shared key");
    }

    /** The pre-shared keys to try, as Wireshark tries them: the initiator's ephemeral's, the responder's, zero. */
    private static List<byte[]> preSharedKeys(KeyLog.EphemeralKey initiator, KeyLog.EphemeralKey responder) {
        List<byte[]> all = new ArrayList<>();
        if (initiator != null) {
            all.addAll(initiator.preSharedKeys());
        }
        if (responder != null) {
            all.addAll(responder.preSharedKeys());
        }
        all.add(new byte[32]);
        return all;
    }

    // ------------------------------------------------------------------ cookie reply and transport data

    private DecodedDatagram cookieReply(byte[] m, Builder out) {
        if (m.length != WireGuardConstants.COOKIE_REPLY_BYTES) {
            return out.note("a cookie reply is " + WireGuardConstants.COOKIE_REPLY_BYTES + " bytes");
        }
        out.receiver = intLe(m, 4);
        Initiation ini = initiations.get(out.receiver);
        out.session = ini == null ? null : ini.session;
        out.decrypted = true; // nothing of the session inside: the responder is under load and wants mac2
        return out.note("the responder is under load: the initiator's next initiation carries a mac2");
    }

    private DecodedDatagram transport(byte[] m, Builder out) {
        if (m.length < WireGuardConstants.TRANSPORT_MIN_BYTES) {
            return out.note("too short for transport data");
        }
        out.receiver = intLe(m, 4);
        out.counter = intLe(m, 8) & 0xffff_ffffL | (long) intLe(m, 12) << 32;
        SessionEnd end = ends.get(out.receiver);
        if (end == null) {
            return out.note("no handshake gave receiver index " + String.format("0x%08x", out.receiver)
                    + " in the capture (it began before the capture?)");
        }
        out.session = end.session();
        if (end.key() == null) {
            return out.note(end.why());
        }
        byte[] plain = new byte[m.length - TRANSPORT_HEADER_BYTES - ChaChaPoly.TAG_BYTES];
        int len = aead.open(end.key(), out.counter, m, TRANSPORT_HEADER_BYTES, m.length - TRANSPORT_HEADER_BYTES,
                null, plain, 0);
        if (len < 0) {
            return out.note("does not authenticate with the session's keys");
        }
        out.decrypted = true;
        if (len == 0) {
            return out.note("keepalive");
        }
        if (!end.molia()) {
            return out.note("a plain WireGuard peer's packet, " + len + " bytes");
        }
        out.inner = InnerMessage.read(plain, 0, len);
        return out.build();
    }

    // ------------------------------------------------------------------ helpers

    /** The inner message behind a 2-byte big-endian length at {@code at}, or {@code none} when it is empty. */
    private static DecodedDatagram inner(byte[] payload, int at, int payloadLen, Builder out, String none) {
        if (payloadLen < at + 2) {
            return out.note("the decrypted payload has no inner length");
        }
        int innerLen = (payload[at] & 0xff) << 8 | (payload[at + 1] & 0xff);
        if (innerLen == 0) {
            return out.note(none);
        }
        if (at + 2 + innerLen > payloadLen) {
            return out.note("the inner length " + innerLen + " runs past the payload");
        }
        out.inner = InnerMessage.read(payload, at + 2, innerLen);
        return out.build();
    }

    private boolean agree(byte[] privateKey, byte[] publicKey) {
        return X25519Keys.dh(privateKey, publicKey, dh);
    }

    private static Instant tai64n(byte[] b, int at) {
        long label = 0;
        for (int i = 0; i < 8; i++) {
            label = label << 8 | (b[at + i] & 0xff);
        }
        int nanos = intBe(b, at + 8);
        return Instant.ofEpochSecond(label - TAI64_EPOCH_LABEL, Math.floorMod(nanos, 1_000_000_000));
    }

    private static int intLe(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8 | (b[at + 2] & 0xff) << 16 | (b[at + 3] & 0xff) << 24;
    }

    private static int intBe(byte[] b, int at) {
        return (b[at] & 0xff) << 24 | (b[at + 1] & 0xff) << 16 | (b[at + 2] & 0xff) << 8 | (b[at + 3] & 0xff);
    }

    /** The fields of one {@link DecodedDatagram} as they are found. */
    private static final class Builder {
        final UdpDatagram d;
        int type = -1;
        Integer sender;
        Integer receiver;
        Long counter;
        Integer session;
        String initiator;
        Instant timestamp;
        InnerMessage inner;
        boolean decrypted;
        String note;

        Builder(UdpDatagram d) {
            this.d = d;
        }

        DecodedDatagram note(String text) {
            note = text;
            return build();
        }

        DecodedDatagram build() {
            return new DecodedDatagram(d.frame(), d.epochNanos(), d.source(), d.destination(), d.wireLength(), type,
                    sender, receiver, counter, session, initiator, timestamp, inner, decrypted, note);
        }
    }
}
