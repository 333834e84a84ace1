package io.molia.codec;

/** The bodies of the envelope's {@code oneof}, with their protobuf field numbers (see {@code molia.proto}). */
public enum MessageKind {
    PING(10, true),
    PONG(11, false),
    FIND_NODE(12, true),
    NODES(13, false),
    FIND_VALUE(14, true),
    VALUE(15, false),
    STORE(16, true),
    STORE_ACK(17, false),
    DIAL_BACK(18, true),
    ERROR(31, false);

    private static final MessageKind[] BY_FIELD = new MessageKind[32];

    static {
        for (MessageKind k : values()) {
            BY_FIELD[k.field] = k;
        }
    }

    private final int field;
    private final boolean request;

    MessageKind(int field, boolean request) {
        this.field = field;
        this.request = request;
    }

    public int field() {
        return field;
    }

    public boolean isRequest() {
        return request;
    }

    static MessageKind ofField(int field) {
        return field >= 0 && field < BY_FIELD.length ? BY_FIELD[field] : null;
    }
}
