package io.molia.codec;

/** The bodies of the envelope's {@code oneof}, with their protobuf field numbers (see {@code molia.proto}). */
public enum MessageKind {
    PING(10, Role.REQUEST),
    PONG(11, Role.RESPONSE),
    FIND_NODE(12, Role.REQUEST),
    NODES(13, Role.RESPONSE),
    FIND_VALUE(14, Role.KEYED_READ),
    VALUE(15, Role.RESPONSE),
    STORE(16, Role.KEYED_WRITE),
    STORE_ACK(17, Role.RESPONSE),
    ADD_PROVIDER(18, Role.KEYED_WRITE),
    GET_PROVIDERS(19, Role.KEYED_READ),
    PROVIDERS(20, Role.RESPONSE),
    PUT_MUTABLE(21, Role.KEYED_WRITE),
    GET_MUTABLE(22, Role.KEYED_READ),
    MUTABLE_VALUE(23, Role.RESPONSE),
    RECORD_ACK(24, Role.RESPONSE),
    DIAL_BACK(25, Role.REQUEST),
    BLOB_FRAME(26, Role.BULK),
    ERROR(31, Role.RESPONSE),
    RELAY_RESERVE(32, Role.REQUEST),
    RELAY_CONNECT(33, Role.REQUEST),
    RELAY_ANSWER(34, Role.RESPONSE),
    RELAY_INCOMING(35, Role.REQUEST),
    RELAY_CLOSE(36, Role.REQUEST);

    /**
     * What a body is to the node that receives it. BULK: a frame of a blob transfer, neither request nor answer (the
     * transfer has its own ids and acks), handled by the routing table's owner.
     */
    private enum Role { REQUEST, KEYED_READ, KEYED_WRITE, RESPONSE, BULK }

    private static final MessageKind[] BY_FIELD = new MessageKind[40];

    static {
        for (MessageKind k : values()) {
            BY_FIELD[k.field] = k;
        }
    }

    private final int field;
    private final Role role;

    MessageKind(int field, Role role) {
        this.field = field;
        this.role = role;
    }

    public int field() {
        return field;
    }

    public boolean isRequest() {
        return role != Role.RESPONSE && role != Role.BULK;
    }

    /** A frame of a blob transfer ({@code io.molia.blob.BulkFrame}): handled by the routing table's owner. */
    public boolean isBulk() {
        return role == Role.BULK;
    }

    /** A request about a record key: handled by the shard that owns the key ({@code ShardPartition.ownerOfKey}). */
    public boolean isKeyed() {
        return role == Role.KEYED_READ || role == Role.KEYED_WRITE;
    }

    /** A request that changes what the node stores: never acted on before the sender confirmed its session. */
    public boolean isWrite() {
        return role == Role.KEYED_WRITE;
    }

    /** A relay request (reserve, connect, a circuit announced or closed): handled by the routing table's owner. */
    public boolean isRelay() {
        return this == RELAY_RESERVE || this == RELAY_CONNECT || this == RELAY_INCOMING || this == RELAY_CLOSE;
    }

    static MessageKind ofField(int field) {
        return field >= 0 && field < BY_FIELD.length ? BY_FIELD[field] : null;
    }
}
