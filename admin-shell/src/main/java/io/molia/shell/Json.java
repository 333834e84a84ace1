package io.molia.shell;

import java.util.HexFormat;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.MapEntry;
import com.google.protobuf.Message;
import io.molia.admin.AdminProtocol;
import io.molia.admin.proto.AdminResponse;

/**
 * The {@code --json} form of an answer: one object {@code {"version": 1, "<kind>": {...}}} whose field names are
 * admin.proto's own (snake_case), every field present even when zero (scripts never guess), 64-bit integers as
 * JSON numbers, bytes as hex, enums by name, maps as objects. docs/admin-api.md lists them.
 */
public final class Json {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private Json() {
    }

    public static ObjectNode of(AdminResponse r) {
        ObjectNode root = F.objectNode();
        root.put("version", AdminProtocol.API_VERSION);
        if (r.getBodyCase() == AdminResponse.BodyCase.BODY_NOT_SET) {
            return root;
        }
        FieldDescriptor body = r.getDescriptorForType().findFieldByNumber(r.getBodyCase().getNumber());
        root.set(body.getName(), message((Message) r.getField(body)));
        if (r.getSequence() > 0) {
            root.put("sequence", r.getSequence());
        }
        return root;
    }

    public static String text(JsonNode n) {
        try {
            return MAPPER.writeValueAsString(n);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static ObjectNode message(Message m) {
        ObjectNode o = F.objectNode();
        for (FieldDescriptor f : m.getDescriptorForType().getFields()) {
            if (f.isMapField()) {
                ObjectNode map = F.objectNode();
                for (Object e : (List<?>) m.getField(f)) {
                    MapEntry<?, ?> entry = (MapEntry<?, ?>) e;
                    map.set(String.valueOf(entry.getKey()), value(f.getMessageType().findFieldByName("value"),
                            entry.getValue()));
                }
                o.set(f.getName(), map);
            } else if (f.isRepeated()) {
                ArrayNode a = F.arrayNode();
                for (Object v : (List<?>) m.getField(f)) {
                    a.add(value(f, v));
                }
                o.set(f.getName(), a);
            } else if (f.getJavaType() == FieldDescriptor.JavaType.MESSAGE && !m.hasField(f)) {
                o.putNull(f.getName());
            } else {
                o.set(f.getName(), value(f, m.getField(f)));
            }
        }
        return o;
    }

    private static JsonNode value(FieldDescriptor f, Object v) {
        return switch (f.getJavaType()) {
            case INT -> F.numberNode(f.getType() == FieldDescriptor.Type.UINT32
                    || f.getType() == FieldDescriptor.Type.FIXED32 ? Integer.toUnsignedLong((Integer) v) : (Integer) v);
            case LONG -> F.numberNode((Long) v);
            case FLOAT -> F.numberNode((Float) v);
            case DOUBLE -> F.numberNode((Double) v);
            case BOOLEAN -> F.booleanNode((Boolean) v);
            case STRING -> F.textNode((String) v);
            case BYTE_STRING -> F.textNode(HexFormat.of().formatHex(((ByteString) v).toByteArray()));
            case ENUM -> F.textNode(((EnumValueDescriptor) v).getName());
            case MESSAGE -> message((Message) v);
        };
    }

}
