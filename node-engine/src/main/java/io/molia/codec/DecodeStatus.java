package io.molia.codec;

/** Why a datagram was not accepted; the driver counts drops per status. */
public enum DecodeStatus {
    OK,
    TRUNCATED,
    MALFORMED_VARINT,
    /** Field number 0, which protobuf never writes. */
    BAD_TAG,
    BAD_WIRE_TYPE,
    BAD_FIELD_LENGTH,
    NO_BODY,
    /** A well-formed envelope whose body this version does not know: answered with the supported version range. */
    UNKNOWN_BODY,
    TOO_LARGE,
    /** More than 100 nested messages and groups (protobuf-java's recursion limit). */
    TOO_DEEP
}
