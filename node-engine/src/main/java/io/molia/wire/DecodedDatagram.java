package io.molia.wire;

import java.net.InetSocketAddress;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.molia.codec.DecodeStatus;

/**
 * What {@link WireDecoder} makes of one captured datagram, and how {@code molia wire decode} prints it (one line,
 * or one JSON object). Fields that do not apply to the message's type are null.
 *
 * @param type       the message type byte (1..4, 0x4D, 0x4E, or anything else seen), -1 when there is none
 * @param session    the decoder's number for the handshake the message belongs to (from 1, in capture order)
 * @param initiator  a Molia initiation's sender node ID (decrypted), hex
 * @param timestamp  an initiation's TAI64N (decrypted)
 * @param inner      the decrypted inner message, when there is one
 * @param decrypted  whether the encrypted part opened with keys from the key log
 * @param note       why it was not decrypted, or what it holds instead of an inner message (keepalive, ...)
 */
public record DecodedDatagram(int frame, long epochNanos, InetSocketAddress source, InetSocketAddress destination,
        int length, int type, Integer sender, Integer receiver, Long counter, Integer session, String initiator,
        Instant timestamp, InnerMessage inner, boolean decrypted, String note) {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSSSSS")
            .withZone(ZoneOffset.UTC);

    public String typeName() {
        return typeName(type);
    }

    public static String typeName(int type) {
        return switch (type) {
            case 1 -> "initiation";
            case 2 -> "response";
            case 3 -> "cookie-reply";
            case 4 -> "transport";
            case 0x4D -> "molia-initiation";
            case 0x4E -> "molia-response";
            case 0x50 -> "puzzle-reply";
            case 0x51 -> "solved-initiation";
            case 0x52 -> "nat-probe";
            case -1 -> "none";
            default -> "unknown";
        };
    }

    /** {@code #3 22:58:01.123456 127.0.0.1:4000 > 127.0.0.1:4001 molia-initiation (0x4d) 430 B … session 1: …}. */
    public String line() {
        StringBuilder b = new StringBuilder();
        b.append('#').append(frame).append(' ').append(TIME.format(Instant.ofEpochSecond(0, epochNanos))).append(' ')
                .append(text(source)).append(" > ").append(text(destination)).append(' ').append(typeName());
        if (type >= 0) {
            b.append(String.format(" (0x%02x)", type));
        }
        b.append(' ').append(length).append(" B");
        if (sender != null) {
            b.append(" sender ").append(hex(sender));
        }
        if (receiver != null) {
            b.append(" receiver ").append(hex(receiver));
        }
        if (counter != null) {
            b.append(" counter ").append(counter);
        }
        if (session != null) {
            b.append(" session ").append(session);
        }
        if (initiator != null) {
            b.append(" from ").append(initiator, 0, 16);
        }
        if (timestamp != null) {
            b.append(" timestamp ").append(timestamp);
        }
        if (inner != null) {
            b.append(": ").append(inner.kind()).append(" request ").append(String.format("0x%016x", inner.requestId()));
            if (inner.status() != DecodeStatus.OK) {
                b.append(" (").append(inner.status()).append(", ").append(inner.length()).append(" B)");
            }
            for (Map.Entry<String, Object> f : inner.fields().entrySet()) {
                b.append(' ').append(f.getKey()).append('=').append(f.getValue());
            }
        }
        if (note != null) {
            b.append(inner == null ? ": " : "; ").append(decrypted ? "" : "not decrypted: ").append(note);
        }
        return b.toString();
    }

    public ObjectNode json() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("frame", frame);
        n.put("time", Instant.ofEpochSecond(0, epochNanos).toString());
        n.put("source", text(source));
        n.put("destination", text(destination));
        n.put("bytes", length);
        n.put("type", type);
        n.put("type_name", typeName());
        putIndex(n, "sender", sender);
        putIndex(n, "receiver", receiver);
        if (counter != null) {
            n.put("counter", counter);
        }
        if (session != null) {
            n.put("session", session);
        }
        if (initiator != null) {
            n.put("initiator", initiator);
        }
        if (timestamp != null) {
            n.put("timestamp", timestamp.toString());
        }
        n.put("decrypted", decrypted);
        if (note != null) {
            n.put("note", note);
        }
        if (inner != null) {
            ObjectNode m = n.putObject("inner");
            m.put("kind", inner.kind());
            m.put("request_id", String.format("%016x", inner.requestId()));
            m.put("version", inner.version());
            m.put("status", inner.status().name());
            m.put("bytes", inner.length());
            for (Map.Entry<String, Object> f : inner.fields().entrySet()) {
                if (f.getValue() instanceof Number num) {
                    m.put(f.getKey(), num.longValue());
                } else if (f.getValue() instanceof Boolean bool) {
                    m.put(f.getKey(), bool);
                } else {
                    m.put(f.getKey(), String.valueOf(f.getValue()));
                }
            }
        }
        return n;
    }

    private static void putIndex(ObjectNode n, String name, Integer index) {
        if (index != null) {
            n.put(name, hex(index));
        }
    }

    private static String hex(int index) {
        return String.format("0x%08x", index);
    }

    private static String text(InetSocketAddress a) {
        String host = a.getAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
    }
}
