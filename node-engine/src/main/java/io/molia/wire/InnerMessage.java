package io.molia.wire;

import java.util.LinkedHashMap;
import java.util.Map;

import io.molia.codec.DecodeStatus;
import io.molia.codec.MessageCodec;
import io.molia.codec.WireMessage;
import io.molia.contact.Contact;

/**
 * A decrypted inner message ({@code Envelope} of {@code molia.proto}) as the node's own codec reads it: its kind,
 * request id and key fields, or why the codec refuses it ({@code status} other than OK).
 */
public record InnerMessage(String kind, long requestId, int version, Map<String, Object> fields, DecodeStatus status,
        int length) {

    /** Reads {@code buf[off, off + len)}. */
    public static InnerMessage read(byte[] buf, int off, int len) {
        WireMessage m = new WireMessage();
        DecodeStatus status = new MessageCodec(1).decode(buf, off, len, m);
        Map<String, Object> fields = new LinkedHashMap<>();
        if (status == DecodeStatus.OK) {
            switch (m.kind()) {
                case FIND_NODE -> fields.put("target", m.target().toHex());
                case FIND_VALUE -> fields.put("key", m.target().toHex());
                case PONG -> fields.put("observed", String.valueOf(m.observedAddress()));
                case NODES -> {
                    fields.put("contacts", m.contacts().size());
                    StringBuilder list = new StringBuilder();
                    for (Contact c : m.contacts()) {
                        list.append(list.isEmpty() ? "" : ",").append(c.id().shortHex()).append('@')
                                .append(c.address());
                    }
                    if (!list.isEmpty()) {
                        fields.put("closest", list.toString());
                    }
                }
                case VALUE -> {
                    fields.put("value_bytes", m.valueLength());
                    fields.put("ttl_seconds", m.ttlSeconds());
                }
                case STORE -> {
                    fields.put("key", m.target().toHex());
                    fields.put("value_bytes", m.valueLength());
                    fields.put("ttl_seconds", m.ttlSeconds());
                }
                case STORE_ACK -> fields.put("stored", m.stored());
                case DIAL_BACK -> fields.put("mode", m.dialBackMode());
                case RELAY_CONNECT -> fields.put("target", m.target().toHex());
                case RELAY_ANSWER -> {
                    fields.put("circuit", m.relayCircuit());
                    fields.put("refusal", m.relayRefusal());
                }
                case RELAY_INCOMING -> fields.put("circuit", m.relayCircuit());
                case RELAY_CLOSE -> fields.put("circuit", m.relayCircuit());
                case BLOB_FRAME -> fields.put("frame_bytes", m.valueLength());
                case ADD_PROVIDER -> {
                    fields.put("key", m.target().toHex());
                    fields.put("provider", m.nodeRecord().id().toHex());
                    fields.put("provider_seq", m.nodeRecord().seq());
                    fields.put("ttl_seconds", m.ttlSeconds());
                }
                case GET_PROVIDERS, GET_MUTABLE -> fields.put("key", m.target().toHex());
                case PROVIDERS -> {
                    fields.put("providers", m.providers().size());
                    fields.put("closer", m.contacts().size());
                }
                case PUT_MUTABLE -> {
                    fields.put("key", m.target().toHex());
                    fields.put("seq", m.mutableRecord().seq());
                    fields.put("value_bytes", m.mutableRecord().value().length);
                    if (m.hasCas()) {
                        fields.put("cas", m.cas());
                    }
                }
                case MUTABLE_VALUE -> {
                    if (m.mutableRecord() != null) {
                        fields.put("seq", m.mutableRecord().seq());
                        fields.put("value_bytes", m.mutableRecord().value().length);
                    }
                    fields.put("ttl_seconds", m.ttlSeconds());
                }
                case RECORD_ACK -> {
                    fields.put("outcome", io.molia.record.WriteOutcome.ofCode(m.outcomeCode()).name());
                    fields.put("seq", m.ackSeq());
                }
                case ERROR -> {
                    fields.put("code", m.errorCode());
                    fields.put("min_version", m.minVersion());
                    fields.put("max_version", m.maxVersion());
                }
                case PING -> {
                    // no fields
                }
            }
        }
        String kind = status == DecodeStatus.OK ? m.kind().name() : "unreadable";
        return new InnerMessage(kind, m.requestId(), m.version(), fields, status, len);
    }
}
